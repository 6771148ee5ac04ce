#include "rf_h1.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* p->flags */
#define RF_H1_F_HEAD    0x01u /* the request was HEAD */
#define RF_H1_F_HTTP10  0x02u /* the current response is HTTP/1.0 */
#define RF_H1_F_CLOSE   0x04u /* Connection: close */
#define RF_H1_F_KA      0x08u /* Connection: keep-alive */
#define RF_H1_F_CL      0x10u /* a Content-Length was seen (cl_value) */
#define RF_H1_F_CHUNKED 0x20u /* Transfer-Encoding: chunked */
#define RF_H1_F_CR      0x40u /* CHUNK_END: the CR was seen */
#define RF_H1_F_FAILED  0x80u /* an error was returned: the parser is spent */

/* Longest piece of a bad input quoted in a message. */
#define RF_H1_QUOTE_MAX 64

#define RF_H1_BAD "malformed HTTP reply: "

/* Hex digits accepted in a chunk size: 15 keep it below 2^60, far above any cap. */
#define RF_H1_CHUNK_DIGITS 15

#define RF_H1_LINE_MIN 256

static int
quote_len(size_t len)
{
    return (int)(len < RF_H1_QUOTE_MAX ? len : RF_H1_QUOTE_MAX);
}

static int
lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* Case-insensitive equality of s[0..len) with the lower-case literal lit. */
static int
eq_ci(const char *s, size_t len, const char *lit)
{
    size_t i;

    for (i = 0; i < len; i++) {
        if (lit[i] == '\0' || lower((unsigned char)s[i]) != lit[i]) {
            return 0;
        }
    }
    return lit[len] == '\0';
}

static int
is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* RFC 9110 tchar: the bytes a header name may hold. */
static int
is_tchar(unsigned char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        return 1;
    }
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static void
trim(const char **s, size_t *len)
{
    while (*len > 0 && is_ows((*s)[0])) {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && is_ows((*s)[*len - 1])) {
        (*len)--;
    }
}

/*
 * Takes the next element of a comma-separated list from s[*pos..len), trimmed, into
 * *el and *el_len.  Returns 0 when the list is exhausted.
 */
static int
next_element(const char *s, size_t len, size_t *pos, const char **el, size_t *el_len)
{
    const char *comma;
    size_t end;

    if (*pos > len) {
        return 0;
    }
    comma = memchr(s + *pos, ',', len - *pos);
    end = comma != NULL ? (size_t)(comma - s) : len;
    *el = s + *pos;
    *el_len = end - *pos;
    trim(el, el_len);
    *pos = end + 1;
    return 1;
}

static enum rw_rc fail(struct rf_h1 *p, struct rw_err *err, enum rw_rc rc, const char *fmt, ...)
    RW_PRINTF(4, 5);

static enum rw_rc
fail(struct rf_h1 *p, struct rw_err *err, enum rw_rc rc, const char *fmt, ...)
{
    va_list ap;

    p->flags |= RF_H1_F_FAILED;
    va_start(ap, fmt);
    rc = rw_err_setv(err, rc, fmt, ap);
    va_end(ap);
    return rc;
}

void
rf_h1_init(struct rf_h1 *p, size_t header_max, int head_request)
{
    memset(p, 0, sizeof(*p));
    p->phase = RF_H1_STATUS;
    p->content_length = -1;
    p->header_max = header_max;
    p->flags = head_request ? RF_H1_F_HEAD : 0;
}

void
rf_h1_free(struct rf_h1 *p)
{
    if (p == NULL) {
        return;
    }
    free(p->line);
    p->line = NULL;
    p->line_len = 0;
    p->line_cap = 0;
}

int
rf_h1_done(const struct rf_h1 *p)
{
    return p->phase == RF_H1_DONE;
}

static void
set_done(struct rf_h1 *p)
{
    p->phase = RF_H1_DONE;
    rf_h1_free(p);
}

/* ---- status line ---- */

/*
 * Checks that the n bytes a status line starts with (n may be below 5) can begin
 * "HTTP/"; the line is a[0..na) followed by b[0..).
 */
static int
status_prefix_ok(const char *a, size_t na, const char *b, size_t n)
{
    static const char want[] = "HTTP/";
    size_t i;

    for (i = 0; i < n && i < sizeof(want) - 1; i++) {
        char c = i < na ? a[i] : b[i - na];

        if (c != want[i]) {
            return 0;
        }
    }
    return 1;
}

static enum rw_rc
no_status_line(struct rf_h1 *p, struct rw_err *err)
{
    return fail(p, err, RW_EPARSE, "not an HTTP reply (no status line)");
}

/* The version token s[0..len), "HTTP/..." up to the first SP. */
static enum rw_rc
parse_version(struct rf_h1 *p, const char *s, size_t len, struct rw_err *err)
{
    int digits = len > 5 && s[5] >= '0' && s[5] <= '9';

    if (len == 8 && memcmp(s, "HTTP/1.", 7) == 0 && (s[7] == '0' || s[7] == '1')) {
        p->flags = (p->flags & ~RF_H1_F_HTTP10) | (s[7] == '0' ? RF_H1_F_HTTP10 : 0);
        return RW_OK;
    }
    if (digits && (len == 6 || (len == 8 && s[6] == '.' && s[7] >= '0' && s[7] <= '9'))) {
        return fail(p, err, RW_EPARSE, RF_H1_BAD "unsupported version '%.*s'", (int)len, s);
    }
    return no_status_line(p, err);
}

/* The status code token s[0..len): 3 digits in 100..599, not 101. */
static enum rw_rc
parse_code(struct rf_h1 *p, const char *s, size_t len, struct rw_err *err)
{
    int code = 0;
    size_t i;

    for (i = 0; i < len && len == 3; i++) {
        if (s[i] < '0' || s[i] > '9') {
            break;
        }
        code = code * 10 + (s[i] - '0');
    }
    if (len != 3 || i != 3 || code < 100 || code > 599) {
        return fail(p, err, RW_EPARSE, RF_H1_BAD "status code '%.*s' not in 100..599",
                    quote_len(len), s);
    }
    if (code == 101) {
        return fail(p, err, RW_EPARSE, RF_H1_BAD "unexpected 101 Switching Protocols");
    }
    p->cur_status = code;
    return RW_OK;
}

/* status-line = HTTP-version SP 3DIGIT [SP reason]; line without its line end. */
static enum rw_rc
status_line(struct rf_h1 *p, const char *line, size_t len, struct rw_err *err)
{
    const char *sp = memchr(line, ' ', len);
    const char *code;
    const char *end;
    enum rw_rc rc;

    if (len < 5 || !status_prefix_ok(line, len, NULL, 5) || sp == NULL) {
        return no_status_line(p, err);
    }
    rc = parse_version(p, line, (size_t)(sp - line), err);
    if (rc != RW_OK) {
        return rc;
    }
    code = sp + 1;
    end = memchr(code, ' ', len - (size_t)(code - line));
    rc = parse_code(p, code, end != NULL ? (size_t)(end - code) : len - (size_t)(code - line), err);
    if (rc != RW_OK) {
        return rc;
    }
    /* Header flags describe one response: a 1xx's fields must not leak into the final. */
    p->flags &= RF_H1_F_HEAD | RF_H1_F_HTTP10;
    if (p->cur_status >= 200) {
        p->status = p->cur_status;
    }
    p->phase = RF_H1_HEADERS;
    return RW_OK;
}

/* ---- header fields ---- */

static enum rw_rc
bad_cl(struct rf_h1 *p, const char *v, size_t vlen, struct rw_err *err)
{
    return fail(p, err, RW_EPARSE, RF_H1_BAD "Content-Length '%.*s'", quote_len(vlen), v);
}

/* One Content-Length element: 1*DIGIT fitting int64. */
static int
parse_cl_element(const char *s, size_t len, int64_t *out)
{
    int64_t v = 0;
    size_t i;

    if (len == 0) {
        return 0;
    }
    for (i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9' || v > (INT64_MAX - (s[i] - '0')) / 10) {
            return 0;
        }
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

/* Content-Length: a value or a list of identical values, equal to any earlier one. */
static enum rw_rc
content_length(struct rf_h1 *p, const char *v, size_t vlen, struct rw_err *err)
{
    const char *el;
    size_t el_len;
    size_t pos = 0;
    int64_t n;

    while (next_element(v, vlen, &pos, &el, &el_len)) {
        if (!parse_cl_element(el, el_len, &n)) {
            return bad_cl(p, v, vlen, err);
        }
        if ((p->flags & RF_H1_F_CL) && n != p->cl_value) {
            return fail(p, err, RW_EPARSE, RF_H1_BAD "conflicting Content-Length '%.*s'",
                        quote_len(vlen), v);
        }
        p->cl_value = n;
        p->flags |= RF_H1_F_CL;
    }
    return RW_OK;
}

/* Transfer-Encoding: we never ask for a coding, so chunked, once, is all we take. */
static enum rw_rc
transfer_encoding(struct rf_h1 *p, const char *v, size_t vlen, struct rw_err *err)
{
    const char *el;
    size_t el_len;
    size_t pos = 0;

    while (next_element(v, vlen, &pos, &el, &el_len)) {
        if (el_len == 0) {
            continue;
        }
        if (!eq_ci(el, el_len, "chunked") || (p->flags & RF_H1_F_CHUNKED)) {
            return fail(p, err, RW_EPARSE, RF_H1_BAD "Transfer-Encoding '%.*s' not supported",
                        quote_len(vlen), v);
        }
        p->flags |= RF_H1_F_CHUNKED;
    }
    return RW_OK;
}

static void
connection(struct rf_h1 *p, const char *v, size_t vlen)
{
    const char *el;
    size_t el_len;
    size_t pos = 0;

    while (next_element(v, vlen, &pos, &el, &el_len)) {
        if (eq_ci(el, el_len, "close")) {
            p->flags |= RF_H1_F_CLOSE;
        } else if (eq_ci(el, el_len, "keep-alive")) {
            p->flags |= RF_H1_F_KA;
        }
    }
}

/* The fields that frame the message; only the final response's count. */
static enum rw_rc
framing_field(struct rf_h1 *p, const char *name, size_t nlen, const char *v, size_t vlen,
              struct rw_err *err)
{
    if (eq_ci(name, nlen, "content-length")) {
        return content_length(p, v, vlen, err);
    }
    if (eq_ci(name, nlen, "transfer-encoding")) {
        return transfer_encoding(p, v, vlen, err);
    }
    if (eq_ci(name, nlen, "connection")) {
        connection(p, v, vlen);
    }
    return RW_OK;
}

/* Splits a field line (no line end, not empty) into a checked name and trimmed value. */
static enum rw_rc
split_field(struct rf_h1 *p, const char *line, size_t len, size_t *nlen, const char **v,
            size_t *vlen, struct rw_err *err)
{
    const char *colon;
    size_t i;

    if (is_ows(line[0])) {
        return fail(p, err, RW_EPARSE, RF_H1_BAD "obsolete line folding");
    }
    colon = memchr(line, ':', len);
    if (colon == NULL) {
        return fail(p, err, RW_EPARSE, RF_H1_BAD "header line without a colon");
    }
    *nlen = (size_t)(colon - line);
    if (*nlen == 0) {
        return fail(p, err, RW_EPARSE, RF_H1_BAD "empty header name");
    }
    if (is_ows(line[*nlen - 1])) {
        return fail(p, err, RW_EPARSE, RF_H1_BAD "space before the colon in header '%.*s'",
                    quote_len(*nlen), line);
    }
    for (i = 0; i < *nlen; i++) {
        if (!is_tchar((unsigned char)line[i])) {
            return fail(p, err, RW_EPARSE, RF_H1_BAD "bad header name '%.*s'", quote_len(*nlen),
                        line);
        }
    }
    *v = colon + 1;
    *vlen = len - *nlen - 1;
    trim(v, vlen);
    /* RFC 9110 5.5: a CR or NUL inside a value is rejected, never passed on. */
    if (memchr(*v, '\r', *vlen) != NULL || memchr(*v, '\0', *vlen) != NULL) {
        return fail(p, err, RW_EPARSE, RF_H1_BAD "CR or NUL in the value of header '%.*s'",
                    quote_len(*nlen), line);
    }
    return RW_OK;
}

static enum rw_rc
stopped(struct rf_h1 *p, struct rw_err *err)
{
    return fail(p, err, RW_EINVAL, "stopped by the receiver");
}

/* One field line of the headers (deliver) or of the trailers (checked and dropped). */
static enum rw_rc
field_line(struct rf_h1 *p, const char *line, size_t len, int deliver,
           const struct rf_h1_sink *sink, struct rw_err *err)
{
    const char *v = NULL;
    size_t nlen = 0;
    size_t vlen = 0;
    enum rw_rc rc;

    rc = split_field(p, line, len, &nlen, &v, &vlen, err);
    if (rc != RW_OK || !deliver) {
        return rc;
    }
    rc = framing_field(p, line, nlen, v, vlen, err);
    if (rc != RW_OK) {
        return rc;
    }
    if (sink != NULL && sink->header != NULL && sink->header(sink->arg, line, nlen, v, vlen)) {
        return stopped(p, err);
    }
    return RW_OK;
}

/* The empty line after the final response's fields: how long is the body? (9112 6.3) */
static void
end_of_headers(struct rf_h1 *p)
{
    unsigned f = p->flags;

    if (f & RF_H1_F_HTTP10) {
        p->keep_alive = (f & RF_H1_F_KA) && !(f & RF_H1_F_CLOSE);
    } else {
        p->keep_alive = !(f & RF_H1_F_CLOSE);
    }
    if (f & RF_H1_F_CL) {
        p->content_length = p->cl_value;
    }
    if ((f & RF_H1_F_HEAD) || p->status == 204 || p->status == 304) {
        set_done(p);
    } else if (f & RF_H1_F_CHUNKED) {
        /* Both framings at once is how requests are smuggled, and HTTP/1.0 has no
         * chunked coding (RFC 9112 6.1): never reuse such a connection. */
        p->keep_alive = p->keep_alive && !(f & (RF_H1_F_CL | RF_H1_F_HTTP10));
        p->content_length = -1;
        p->phase = RF_H1_CHUNK_SIZE;
    } else if (f & RF_H1_F_CL) {
        p->remaining = (uint64_t)p->cl_value;
        p->phase = RF_H1_BODY;
        if (p->remaining == 0) {
            set_done(p);
        }
    } else {
        p->keep_alive = 0;
        p->phase = RF_H1_UNTIL_CLOSE;
    }
}

static enum rw_rc
headers_line(struct rf_h1 *p, const char *line, size_t len, const struct rf_h1_sink *sink,
             struct rw_err *err)
{
    int final = p->cur_status >= 200;

    if (len > 0) {
        return field_line(p, line, len, final, sink, err);
    }
    if (final) {
        end_of_headers(p);
    } else {
        p->phase = RF_H1_STATUS; /* a 1xx ends here; the real reply follows */
    }
    return RW_OK;
}

/* ---- chunks ---- */

static int
hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (lower((unsigned char)c) >= 'a' && lower((unsigned char)c) <= 'f') {
        return lower((unsigned char)c) - 'a' + 10;
    }
    return -1;
}

/* chunk-size [BWS ";" extensions]; the extensions are ignored. */
static enum rw_rc
chunk_size_line(struct rf_h1 *p, const char *line, size_t len, struct rw_err *err)
{
    uint64_t size = 0;
    size_t i = 0;

    while (i < len && hex_value(line[i]) >= 0 && i < RF_H1_CHUNK_DIGITS) {
        size = size * 16 + (uint64_t)hex_value(line[i]);
        i++;
    }
    while (i > 0 && i < len && is_ows(line[i])) {
        i++;
    }
    if (i == 0 || (i < len && line[i] != ';')) {
        return fail(p, err, RW_EPARSE, RF_H1_BAD "chunk size '%.*s'", quote_len(len), line);
    }
    p->remaining = size;
    p->phase = size == 0 ? RF_H1_TRAILERS : RF_H1_CHUNK_DATA;
    return RW_OK;
}

/* The CRLF (or bare LF) after chunk data, read byte by byte so it may be split. */
static enum rw_rc
chunk_end(struct rf_h1 *p, const char *data, size_t len, size_t *pos, struct rw_err *err)
{
    while (*pos < len) {
        char c = data[*pos];

        if (c == '\r' && !(p->flags & RF_H1_F_CR)) {
            p->flags |= RF_H1_F_CR;
        } else if (c == '\n') {
            p->flags &= ~RF_H1_F_CR;
            p->phase = RF_H1_CHUNK_SIZE;
            (*pos)++;
            return RW_OK;
        } else {
            return fail(p, err, RW_EPARSE, RF_H1_BAD "no CRLF after chunk data");
        }
        (*pos)++;
    }
    return RW_OK;
}

/* ---- lines ---- */

static enum rw_rc
too_big(struct rf_h1 *p, struct rw_err *err)
{
    return fail(p, err, RW_ETOOBIG, "headers larger than %zu bytes", p->header_max);
}

/*
 * Checks a line of n bytes so far (a complete line with its line end, or the start of
 * one) against the caps.  Lines in the header part count toward header_max; a chunk-size
 * line is held to header_max alone.
 */
static enum rw_rc
check_cap(struct rf_h1 *p, size_t n, struct rw_err *err)
{
    if (p->phase == RF_H1_CHUNK_SIZE) {
        if (n > p->header_max) {
            return fail(p, err, RW_EPARSE, RF_H1_BAD "chunk size line longer than %zu bytes",
                        p->header_max);
        }
        return RW_OK;
    }
    if (n > p->header_max - p->header_bytes) {
        return too_big(p, err);
    }
    return RW_OK;
}

/* One complete line, its line end (LF or CRLF) stripped. */
static enum rw_rc
dispatch_line(struct rf_h1 *p, const char *line, size_t len, const struct rf_h1_sink *sink,
              struct rw_err *err)
{
    if (len > 0 && line[len - 1] == '\r') {
        len--;
    }
    switch (p->phase) {
    case RF_H1_STATUS:
        return status_line(p, line, len, err);
    case RF_H1_HEADERS:
        return headers_line(p, line, len, sink, err);
    case RF_H1_CHUNK_SIZE:
        return chunk_size_line(p, line, len, err);
    case RF_H1_TRAILERS:
        if (len == 0) {
            set_done(p);
            return RW_OK;
        }
        return field_line(p, line, len, 0, sink, err);
    default:
        return fail(p, err, RW_EINVAL, "rf_h1: line in phase %d", (int)p->phase);
    }
}

/* Appends data[0..n) to the partial line buffer, growing it up to header_max. */
static enum rw_rc
keep_partial(struct rf_h1 *p, const char *data, size_t n, struct rw_err *err)
{
    size_t need = p->line_len + n;
    size_t cap = p->line_cap < RF_H1_LINE_MIN ? RF_H1_LINE_MIN : p->line_cap;
    char *grown;

    if (need > p->line_cap) {
        while (cap < need) {
            cap *= 2;
        }
        grown = realloc(p->line, cap);
        if (grown == NULL) {
            return fail(p, err, RW_ENOMEM, "out of memory");
        }
        p->line = grown;
        p->line_cap = cap;
    }
    memcpy(p->line + p->line_len, data, n);
    p->line_len = need;
    return RW_OK;
}

/* Bytes of a status line the cap still allows: the prefix is checked over those only, so
 * that the error at the earliest bad byte wins however the reply was split into feeds. */
static size_t
within_cap(const struct rf_h1 *p, size_t n)
{
    size_t room = p->header_max - p->header_bytes;

    return n < room ? n : room;
}

/* A line of have bytes so far, whole or its start (p->line's bytes, then data's): a status
 * line must begin "HTTP/", and every line fit the caps. */
static enum rw_rc
check_line(struct rf_h1 *p, const char *data, size_t have, struct rw_err *err)
{
    if (p->phase == RF_H1_STATUS &&
        !status_prefix_ok(p->line, p->line_len, data, within_cap(p, have))) {
        return no_status_line(p, err);
    }
    return check_cap(p, have, err);
}

/* The start of a line that this feed does not finish: check it, then keep it. */
static enum rw_rc
partial_line(struct rf_h1 *p, const char *data, size_t n, struct rw_err *err)
{
    enum rw_rc rc = check_line(p, data, p->line_len + n, err);

    return rc != RW_OK ? rc : keep_partial(p, data, n, err);
}

/* Reads one line from data[*pos..len): in place when it is whole, else via p->line. */
static enum rw_rc
feed_line(struct rf_h1 *p, const char *data, size_t len, size_t *pos, const struct rf_h1_sink *sink,
          struct rw_err *err)
{
    const char *start = data + *pos;
    const char *nl = memchr(start, '\n', len - *pos);
    size_t n = nl != NULL ? (size_t)(nl - start) + 1 : len - *pos;
    size_t total = p->line_len + n;
    enum rw_rc rc;

    if (nl == NULL) {
        *pos = len;
        return partial_line(p, start, n, err);
    }
    rc = check_line(p, start, total, err);
    if (rc != RW_OK) {
        return rc;
    }
    if (p->phase != RF_H1_CHUNK_SIZE) {
        p->header_bytes += total;
    }
    *pos += n;
    if (p->line_len == 0) {
        return dispatch_line(p, start, n - 1, sink, err);
    }
    rc = keep_partial(p, start, n, err);
    p->line_len = 0;
    return rc != RW_OK ? rc : dispatch_line(p, p->line, total - 1, sink, err);
}

/* ---- body ---- */

static enum rw_rc
deliver(struct rf_h1 *p, const char *data, size_t n, const struct rf_h1_sink *sink,
        struct rw_err *err)
{
    if (n == 0) {
        return RW_OK;
    }
    p->body_bytes += n;
    if (sink != NULL && sink->body != NULL && sink->body(sink->arg, data, n)) {
        return stopped(p, err);
    }
    return RW_OK;
}

/*
 * Body bytes of a Content-Length body, a chunk or a close-delimited body.  The sink sees
 * them before the phase moves on, so a receiver that stops never leaves the parser DONE.
 */
static enum rw_rc
feed_body(struct rf_h1 *p, const char *data, size_t len, size_t *pos, const struct rf_h1_sink *sink,
          struct rw_err *err)
{
    size_t n = len - *pos;
    enum rw_rc rc;

    if (p->phase != RF_H1_UNTIL_CLOSE && p->remaining < n) {
        n = (size_t)p->remaining;
    }
    rc = deliver(p, data + *pos, n, sink, err);
    if (rc != RW_OK) {
        return rc;
    }
    *pos += n;
    if (p->phase == RF_H1_UNTIL_CLOSE) {
        return RW_OK;
    }
    p->remaining -= n;
    if (p->remaining == 0 && p->phase == RF_H1_BODY) {
        set_done(p);
    } else if (p->remaining == 0) {
        p->phase = RF_H1_CHUNK_END;
    }
    return RW_OK;
}

enum rw_rc
rf_h1_feed(struct rf_h1 *p, const char *data, size_t len, size_t *used,
           const struct rf_h1_sink *sink, struct rw_err *err)
{
    size_t pos = 0;
    enum rw_rc rc = RW_OK;

    *used = 0;
    if (p->flags & RF_H1_F_FAILED) {
        return rw_err_set(err, RW_EINVAL, "parser used after an error");
    }
    while (rc == RW_OK && pos < len && p->phase != RF_H1_DONE) {
        switch (p->phase) {
        case RF_H1_BODY:
        case RF_H1_CHUNK_DATA:
        case RF_H1_UNTIL_CLOSE:
            rc = feed_body(p, data, len, &pos, sink, err);
            break;
        case RF_H1_CHUNK_END:
            rc = chunk_end(p, data, len, &pos, err);
            break;
        default:
            rc = feed_line(p, data, len, &pos, sink, err);
            break;
        }
    }
    p->received += pos;
    *used = pos;
    return rc;
}

enum rw_rc
rf_h1_eof(struct rf_h1 *p, struct rw_err *err)
{
    if (p->flags & RF_H1_F_FAILED) {
        return rw_err_set(err, RW_EINVAL, "parser used after an error");
    }
    switch (p->phase) {
    case RF_H1_DONE:
        return RW_OK;
    case RF_H1_UNTIL_CLOSE:
        set_done(p);
        return RW_OK;
    case RF_H1_STATUS:
    case RF_H1_HEADERS:
        if (p->received == 0) {
            return fail(p, err, RW_EPARSE, "connection closed before the reply");
        }
        return fail(p, err, RW_EPARSE, "connection closed in the reply's headers");
    case RF_H1_BODY:
        return fail(p, err, RW_EPARSE,
                    "connection closed after %" PRIu64 " of %" PRId64 " body bytes", p->body_bytes,
                    p->content_length);
    default:
        return fail(p, err, RW_EPARSE,
                    "connection closed in a chunked body after %" PRIu64 " bytes", p->body_bytes);
    }
}

#include "rw_known_spokes.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rw_buf.h"
#include "rw_file.h"
#include "rw_parse.h"

#define KEY_MAX   (RW_KNOWN_SPOKES_HOST_MAX + 10) /* "[host]:65535" */
#define LINES_MAX (RW_KNOWN_SPOKES_FILE_MAX / 16) /* more could never fit the file cap */

/* One line of the file: a comment kept verbatim, or an entry. */
struct ks_line {
    char *comment; /* non-NULL for a comment or blank line, without its newline */
    char key[KEY_MAX];
    struct rw_fingerprint fp;
    size_t lineno; /* where it was read, 0 for added entries */
};

struct rw_known_spokes {
    struct ks_line *lines;
    size_t nlines;
    size_t alloc;
    size_t nentries;
};

enum rw_rc
rw_known_spokes_new(struct rw_known_spokes **out, struct rw_err *err)
{
    *out = calloc(1, sizeof(**out));
    if (*out == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory for the known spokes");
    }
    return RW_OK;
}

void
rw_known_spokes_free(struct rw_known_spokes *ks)
{
    if (ks == NULL) {
        return;
    }
    for (size_t i = 0; i < ks->nlines; i++) {
        free(ks->lines[i].comment);
    }
    free(ks->lines);
    free(ks);
}

static int
is_dns_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
}

/* Writes the canonical form of host (no brackets) into out; 0 when host is not valid. */
static int
canonical_host(const char *host, size_t len, char *out, size_t outlen)
{
    unsigned char addr[sizeof(struct in6_addr)];
    char tmp[RW_KNOWN_SPOKES_HOST_MAX];

    if (len == 0 || len >= sizeof(tmp)) {
        return 0;
    }
    memcpy(tmp, host, len);
    tmp[len] = '\0';
    if (inet_pton(AF_INET6, tmp, addr) == 1) {
        return inet_ntop(AF_INET6, addr, out, (socklen_t)outlen) != NULL;
    }
    if (inet_pton(AF_INET, tmp, addr) == 1) {
        return inet_ntop(AF_INET, addr, out, (socklen_t)outlen) != NULL;
    }
    if (tmp[0] == '.' || tmp[0] == '-' || strstr(tmp, "..") != NULL || len >= outlen) {
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        if (!is_dns_char(tmp[i])) {
            return 0;
        }
        out[i] = tmp[i] >= 'A' && tmp[i] <= 'Z' ? (char)(tmp[i] - 'A' + 'a') : tmp[i];
    }
    out[len] = '\0';
    return 1;
}

/* The "host:port" key for host (brackets allowed) and port; 0 when either is bad. */
static int
make_key(const char *host, size_t len, int port, char key[KEY_MAX])
{
    char canon[RW_KNOWN_SPOKES_HOST_MAX + 2];
    int bracketed = len >= 2 && host[0] == '[' && host[len - 1] == ']';

    if (bracketed) {
        host++;
        len -= 2;
    }
    if (port < 1 || port > 65535 || !canonical_host(host, len, canon, sizeof(canon))) {
        return 0;
    }
    if (bracketed && strchr(canon, ':') == NULL) {
        return 0; /* brackets hold IPv6 addresses only */
    }
    (void)snprintf(key, KEY_MAX, strchr(canon, ':') != NULL ? "[%s]:%d" : "%s:%d", canon, port);
    return 1;
}

static struct ks_line *
find_entry(const struct rw_known_spokes *ks, const char *key)
{
    for (size_t i = 0; i < ks->nlines; i++) {
        if (ks->lines[i].comment == NULL && strcmp(ks->lines[i].key, key) == 0) {
            return &ks->lines[i];
        }
    }
    return NULL;
}

/* A new line at the end; its fields are zero.  NULL on ENOMEM or past LINES_MAX. */
static struct ks_line *
append_line(struct rw_known_spokes *ks)
{
    struct ks_line *grown;
    size_t alloc;

    if (ks->nlines == LINES_MAX) {
        return NULL;
    }
    if (ks->nlines == ks->alloc) {
        alloc = ks->alloc == 0 ? 16 : ks->alloc * 2;
        grown = realloc(ks->lines, alloc * sizeof(*grown));
        if (grown == NULL) {
            return NULL;
        }
        ks->lines = grown;
        ks->alloc = alloc;
    }
    memset(&ks->lines[ks->nlines], 0, sizeof(ks->lines[0]));
    return &ks->lines[ks->nlines++];
}

/* Splits "host:port" or "[v6]:port" (tok, len bytes) into a key; NULL or the reason. */
static const char *
parse_host_port(const char *tok, size_t len, char key[KEY_MAX], char *portbuf, size_t portlen)
{
    const char *colon, *end = tok + len;
    int port = 0;
    size_t plen;

    if (tok[0] == '[') {
        const char *close = memchr(tok, ']', len);

        colon = close != NULL && close + 1 < end && close[1] == ':' ? close + 1 : NULL;
    } else {
        colon = memchr(tok, ':', len);
        if (colon != NULL && memchr(colon + 1, ':', (size_t)(end - colon - 1)) != NULL) {
            return "IPv6 address must be in brackets, as in [::1]:443";
        }
    }
    if (colon == NULL) {
        return "missing :port after the host";
    }
    plen = (size_t)(end - colon - 1);
    if (plen >= portlen) {
        plen = portlen - 1;
    }
    memcpy(portbuf, colon + 1, plen);
    portbuf[plen] = '\0';
    if (rw_parse_port(portbuf, &port) != RW_OK) {
        return "bad port (want 1 to 65535)";
    }
    if (!make_key(tok, (size_t)(colon - tok), port, key)) {
        return "bad host name or address";
    }
    return NULL;
}

static size_t
span_blank(const char *p, const char *end)
{
    const char *q = p;

    while (q < end && (*q == ' ' || *q == '\t')) {
        q++;
    }
    return (size_t)(q - p);
}

static size_t
span_word(const char *p, const char *end)
{
    const char *q = p;

    while (q < end && *q != ' ' && *q != '\t') {
        q++;
    }
    return (size_t)(q - p);
}

/* Parses one entry line (p..end, no newline) into line; RW_EPARSE with FILE:LINE. */
static enum rw_rc
parse_entry(const char *p, const char *end, const char *name, size_t lineno, struct ks_line *line,
            struct rw_err *err)
{
    char fptext[RW_KNOWN_SPOKES_LINE_MAX + 1], port[16];
    struct rw_err local;
    const char *why;
    size_t n;

    p += span_blank(p, end);
    n = span_word(p, end);
    why = parse_host_port(p, n, line->key, port, sizeof(port));
    if (why != NULL) {
        return rw_err_set(err, RW_EPARSE, "%s:%zu: %s", name, lineno, why);
    }
    p += n;
    p += span_blank(p, end);
    n = span_word(p, end);
    if (n == 0) {
        return rw_err_set(err, RW_EPARSE, "%s:%zu: missing fingerprint after %s", name, lineno,
                          line->key);
    }
    memcpy(fptext, p, n);
    fptext[n] = '\0';
    rw_err_clear(&local);
    if (rw_fingerprint_parse(fptext, &line->fp, &local) != RW_OK) {
        return rw_err_set(err, RW_EPARSE, "%s:%zu: %s", name, lineno, local.msg);
    }
    p += n;
    if (p + span_blank(p, end) != end) {
        return rw_err_set(err, RW_EPARSE, "%s:%zu: unexpected text after the fingerprint", name,
                          lineno);
    }
    line->lineno = lineno;
    return RW_OK;
}

static int
is_comment(const char *p, const char *end)
{
    p += span_blank(p, end);
    return p == end || *p == '#';
}

/* Adds the line p..end (newline and any '\r' stripped) to ks. */
static enum rw_rc
add_text_line(struct rw_known_spokes *ks, const char *p, const char *end, const char *name,
              size_t lineno, struct rw_err *err)
{
    struct ks_line *line, *first;

    if ((size_t)(end - p) > RW_KNOWN_SPOKES_LINE_MAX) {
        return rw_err_set(err, RW_ETOOBIG, "%s:%zu: line longer than %d bytes", name, lineno,
                          RW_KNOWN_SPOKES_LINE_MAX);
    }
    if (memchr(p, '\0', (size_t)(end - p)) != NULL) {
        return rw_err_set(err, RW_EPARSE, "%s:%zu: NUL byte in the line", name, lineno);
    }
    if (ks->nlines == LINES_MAX) {
        return rw_err_set(err, RW_ETOOBIG, "%s:%zu: more than %d lines", name, lineno, LINES_MAX);
    }
    line = append_line(ks);
    if (line == NULL) {
        return rw_err_set(err, RW_ENOMEM, "%s:%zu: out of memory", name, lineno);
    }
    if (is_comment(p, end)) {
        /* Every trailing '\r' goes, not only a CRLF's: written back with "\n", a comment
         * must read back as it was (found by fuzz_rw_known_spokes). */
        while (end > p && end[-1] == '\r') {
            end--;
        }
        line->comment = strndup(p, (size_t)(end - p));
        return line->comment != NULL
                   ? RW_OK
                   : rw_err_set(err, RW_ENOMEM, "%s:%zu: out of memory", name, lineno);
    }
    if (parse_entry(p, end, name, lineno, line, err) != RW_OK) {
        ks->nlines--;
        return RW_EPARSE;
    }
    first = find_entry(ks, line->key);
    if (first != line) {
        ks->nlines--;
        return rw_err_set(err, RW_EPARSE, "%s:%zu: duplicate entry for %s (first on line %zu)",
                          name, lineno, first->key, first->lineno);
    }
    ks->nentries++;
    return RW_OK;
}

enum rw_rc
rw_known_spokes_parse(const char *text, size_t len, const char *name, struct rw_known_spokes **out,
                      struct rw_err *err)
{
    struct rw_known_spokes *ks = NULL;
    const char *p = text, *end = text + len;
    size_t lineno = 0;
    enum rw_rc rc;

    if (len > RW_KNOWN_SPOKES_FILE_MAX) {
        return rw_err_set(err, RW_ETOOBIG, "%s: larger than %d bytes", name,
                          RW_KNOWN_SPOKES_FILE_MAX);
    }
    rc = rw_known_spokes_new(&ks, err);
    while (rc == RW_OK && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl != NULL ? nl : end;
        const char *stop = eol > p && eol[-1] == '\r' ? eol - 1 : eol;

        rc = add_text_line(ks, p, stop, name, ++lineno, err);
        p = nl != NULL ? nl + 1 : end;
    }
    if (rc != RW_OK) {
        rw_known_spokes_free(ks);
        return rc;
    }
    *out = ks;
    return RW_OK;
}

/* Reads all of fd, at most max bytes; RW_ETOOBIG past it. */
static enum rw_rc
read_file(int fd, const char *path, char **out, size_t *len, struct rw_err *err)
{
    struct rw_buf buf;
    char chunk[4096];
    enum rw_rc rc = RW_OK;

    rw_buf_init(&buf, RW_KNOWN_SPOKES_FILE_MAX);
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            rc = n < 0 ? rw_err_set(err, RW_EINVAL, "%s: %s", path, strerror(errno)) : RW_OK;
            break;
        }
        rc = rw_buf_add(&buf, chunk, (size_t)n);
        if (rc != RW_OK) {
            (void)rw_err_set(err, rc, "%s: larger than %d bytes", path, RW_KNOWN_SPOKES_FILE_MAX);
            break;
        }
    }
    *len = rw_buf_len(&buf);
    *out = rc == RW_OK ? rw_buf_take(&buf) : NULL;
    rw_buf_free(&buf);
    return rc;
}

enum rw_rc
rw_known_spokes_load(const char *path, unsigned flags, struct rw_known_spokes **out,
                     struct rw_err *err)
{
    char *text = NULL;
    size_t len = 0;
    enum rw_rc rc;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0 && errno == ENOENT && (flags & RW_KNOWN_SPOKES_MISSING_OK) != 0) {
        return rw_known_spokes_new(out, err);
    }
    if (fd < 0) {
        return rw_err_set(err, RW_EINVAL, "%s: %s", path, strerror(errno));
    }
    rc = read_file(fd, path, &text, &len, err);
    (void)close(fd);
    if (rc == RW_OK) {
        rc = rw_known_spokes_parse(text != NULL ? text : "", len, path, out, err);
    }
    free(text);
    return rc;
}

enum rw_rc
rw_known_spokes_format(const struct rw_known_spokes *ks, char **out, struct rw_err *err)
{
    struct rw_buf buf;
    char fp[RW_FINGERPRINT_TEXT_MAX];
    enum rw_rc rc = RW_OK;

    rw_buf_init(&buf, RW_KNOWN_SPOKES_FILE_MAX);
    for (size_t i = 0; i < ks->nlines && rc == RW_OK; i++) {
        const struct ks_line *line = &ks->lines[i];

        if (line->comment != NULL) {
            rc = rw_buf_addf(&buf, "%s\n", line->comment);
        } else {
            rw_fingerprint_format(&line->fp, fp);
            rc = rw_buf_addf(&buf, "%s %s\n", line->key, fp);
        }
    }
    if (rc != RW_OK) {
        return rw_err_set(err, rc, "known spokes: %s",
                          rc == RW_ETOOBIG ? "larger than 1 MiB" : "out of memory");
    }
    /* An empty set is an empty file: hand over "" rather than NULL. */
    *out = rw_buf_len(&buf) > 0 ? rw_buf_take(&buf) : strdup("");
    return *out != NULL ? RW_OK : rw_err_set(err, RW_ENOMEM, "known spokes: out of memory");
}

enum rw_rc
rw_known_spokes_save(const struct rw_known_spokes *ks, const char *path, struct rw_err *err)
{
    char *text = NULL;
    enum rw_rc rc = rw_known_spokes_format(ks, &text, err);

    if (rc == RW_OK) {
        rc = rw_file_write_atomic(path, text, strlen(text), 0644, err);
    }
    free(text);
    return rc;
}

/* The key for a caller's host and port; 0 when they are not valid. */
static int
user_key(const char *host, int port, char key[KEY_MAX])
{
    return host != NULL && make_key(host, strlen(host), port, key);
}

int
rw_known_spokes_lookup(const struct rw_known_spokes *ks, const char *host, int port,
                       struct rw_fingerprint *fp)
{
    char key[KEY_MAX];
    const struct ks_line *line;

    if (!user_key(host, port, key)) {
        return 0;
    }
    line = find_entry(ks, key);
    if (line != NULL && fp != NULL) {
        *fp = line->fp;
    }
    return line != NULL;
}

enum rw_rc
rw_known_spokes_set(struct rw_known_spokes *ks, const char *host, int port,
                    const struct rw_fingerprint *fp, int *replaced, struct rw_err *err)
{
    char key[KEY_MAX];
    struct ks_line *line;

    if (!user_key(host, port, key)) {
        return rw_err_set(err, RW_EINVAL, "known spokes: bad host \"%.80s\" or port %d",
                          host != NULL ? host : "", port);
    }
    line = find_entry(ks, key);
    if (replaced != NULL) {
        *replaced = line != NULL;
    }
    if (line == NULL) {
        line = append_line(ks);
        if (line == NULL) {
            return rw_err_set(err, ks->nlines == LINES_MAX ? RW_ETOOBIG : RW_ENOMEM,
                              "known spokes: cannot add %s", key);
        }
        memcpy(line->key, key, sizeof(key));
        ks->nentries++;
    }
    line->fp = *fp;
    return RW_OK;
}

int
rw_known_spokes_remove(struct rw_known_spokes *ks, const char *host, int port)
{
    char key[KEY_MAX];
    struct ks_line *line;
    size_t i;

    if (!user_key(host, port, key) || (line = find_entry(ks, key)) == NULL) {
        return 0;
    }
    i = (size_t)(line - ks->lines);
    memmove(line, line + 1, (ks->nlines - i - 1) * sizeof(*line));
    ks->nlines--;
    ks->nentries--;
    return 1;
}

size_t
rw_known_spokes_count(const struct rw_known_spokes *ks)
{
    return ks->nentries;
}

const char *
rw_known_spokes_entry(const struct rw_known_spokes *ks, size_t i, struct rw_fingerprint *fp)
{
    for (size_t l = 0; l < ks->nlines; l++) {
        if (ks->lines[l].comment != NULL) {
            continue;
        }
        if (i-- == 0) {
            if (fp != NULL) {
                *fp = ks->lines[l].fp;
            }
            return ks->lines[l].key;
        }
    }
    return NULL;
}

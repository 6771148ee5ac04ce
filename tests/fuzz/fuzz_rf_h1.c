/*
 * libFuzzer target for the incremental HTTP/1.1 response parser (redfish/rf_h1.h).
 *
 * Input: an option byte, a cap byte, then the bytes a device would send, cut into feeds at
 * each FUZZ_SEP (the separators are not part of the stream) and, when the option byte asks,
 * further into pieces of a few bytes.  The stream is parsed twice, split and whole, with a
 * sink that checks what it is given; the two runs must end the same way (rc, message,
 * status, headers, body).  Any broken invariant aborts.
 *
 * Option byte: bit 0 HEAD request; bit 1 small header cap (16 + cap byte, else 64 KiB);
 * bits 2-4 piece size (table below, 0 = the whole feed); bits 5-7 at 6 or 7 make the
 * header sink stop at the first or second field, at 5 the body sink at its first call.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "rf_h1.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_H1_BIG_CAP   65536
#define FUZZ_H1_SMALL_MIN 16
/* The shortest status line a final response can have: "HTTP/1.1 200" LF. */
#define FUZZ_H1_STATUS_MIN 13

static const size_t pieces[] = {0, 0, 1, 2, 3, 5, 13, 64};

/* How one run went: what the sink saw, and how the parser ended. */
struct run {
    struct rf_h1 p;
    struct rw_err err;
    enum rw_rc rc;       /* the first error, else what rf_h1_eof returned */
    int failed;          /* an error was returned: every later call must fail */
    size_t header_max;   /* the cap given to rf_h1_init */
    size_t stop_at;      /* the header call (1-based) that returns nonzero; 0 never */
    int stop_body;       /* the first body call returns nonzero */
    size_t headers;      /* header calls so far */
    uint64_t header_sum; /* a hash of the names and values, to compare runs */
    size_t header_min;   /* a lower bound of the header bytes the fields took */
    char *body;          /* the body delivered, copied; borrowed, body_cap bytes */
    size_t body_len;
    size_t body_cap;
    int body_seen;   /* a body call came */
    uint64_t fed;    /* bytes consumed by the feeds before the current one */
    const char *now; /* the current feed, where body bytes must lie */
    size_t now_len;
};

static uint64_t
mix(uint64_t h, const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    }
    return (h ^ 0xffu) * 1099511628211u; /* marks the end, so "ab","c" != "a","bc" */
}

static void
check_name(const char *name, size_t len)
{
    size_t i;

    if (len == 0) {
        abort();
    }
    for (i = 0; i < len; i++) {
        if (strchr(":\r\n \t", name[i]) != NULL || name[i] == '\0') {
            abort();
        }
    }
}

static void
check_value(const char *v, size_t len)
{
    if (len > 0 && (v[0] == ' ' || v[0] == '\t' || v[len - 1] == ' ' || v[len - 1] == '\t')) {
        abort();
    }
    if (memchr(v, '\r', len) != NULL || memchr(v, '\n', len) != NULL ||
        memchr(v, '\0', len) != NULL) {
        abort();
    }
}

static int
on_header(void *arg, const char *name, size_t name_len, const char *value, size_t value_len)
{
    struct run *r = arg;

    check_name(name, name_len);
    check_value(value, value_len);
    if (r->p.status < 200 || r->p.status > 599 || r->p.phase != RF_H1_HEADERS || r->body_seen) {
        abort(); /* only the final response's fields are delivered, never the trailers */
    }
    /* Each field took at least its name, the colon, its value and a LF. */
    r->header_min += name_len + value_len + 2;
    if (r->header_min > r->header_max) {
        abort();
    }
    r->header_sum = mix(mix(r->header_sum, name, name_len), value, value_len);
    r->headers++;
    return r->headers == r->stop_at;
}

/* The first body byte of a Content-Length or close-delimited body ends the header part:
 * where it lies in the stream is how many header bytes were taken. */
static void
check_header_end(const struct run *r, const char *data)
{
    uint64_t header_bytes = r->fed + (uint64_t)(data - r->now);

    if (r->p.phase != RF_H1_BODY && r->p.phase != RF_H1_UNTIL_CLOSE) {
        return;
    }
    if (header_bytes > r->header_max || header_bytes < FUZZ_H1_STATUS_MIN) {
        abort();
    }
}

static int
on_body(void *arg, const char *data, size_t len)
{
    struct run *r = arg;
    uintptr_t at = (uintptr_t)data;
    uintptr_t from = (uintptr_t)r->now;

    if (len == 0 || at < from || len > r->now_len || at - from > r->now_len - len) {
        abort(); /* never empty, and from the caller's feed */
    }
    if (!r->body_seen) {
        check_header_end(r, data);
        r->body_seen = 1;
    }
    if (len > r->body_cap - r->body_len) {
        abort(); /* more body than bytes fed */
    }
    memcpy(r->body + r->body_len, data, len);
    r->body_len += len;
    return r->stop_body;
}

/* What a DONE parser must hold. */
static void
check_done(const struct run *r, int head)
{
    const struct rf_h1 *p = &r->p;

    if (p->status < 200 || p->status > 599) {
        abort();
    }
    if (head || p->status == 204 || p->status == 304) {
        if (p->body_bytes != 0) {
            abort();
        }
    } else if (p->content_length >= 0 && p->body_bytes != (uint64_t)p->content_length) {
        abort();
    }
}

/* What must hold after any feed that did not fail. */
static void
check_progress(const struct run *r, size_t len, size_t used, int head)
{
    const struct rf_h1 *p = &r->p;

    if (used > len || (used < len && !rf_h1_done(p))) {
        abort();
    }
    if (p->body_bytes != r->body_len || (p->status != 0 && p->status < 200)) {
        abort(); /* a 1xx status is never the reply's */
    }
    if ((p->phase == RF_H1_STATUS || p->phase == RF_H1_HEADERS) && r->fed + used > r->header_max) {
        abort(); /* everything read so far is header part */
    }
    if (p->phase == RF_H1_BODY &&
        (p->content_length < 0 || p->body_bytes >= (uint64_t)p->content_length)) {
        abort();
    }
    if (rf_h1_done(p)) {
        check_done(r, head);
    }
}

/* One feed; after an error, checks that the parser stays spent. */
static void
feed_one(struct run *r, const char *data, size_t len, int head)
{
    const struct rf_h1_sink sink = {on_header, on_body, r};
    struct rw_err again;
    size_t used = len + 1;
    enum rw_rc rc;

    rw_err_clear(&again);
    r->now = data;
    r->now_len = len;
    rc = rf_h1_feed(&r->p, data, len, &used, &sink, r->failed ? &again : &r->err);
    if (r->failed) {
        if (rc == RW_OK || used != 0) {
            abort();
        }
        return;
    }
    if (rc != RW_OK) {
        if (used > len || rf_h1_done(&r->p) || r->err.code != rc || r->err.msg[0] == '\0') {
            abort();
        }
        r->failed = 1;
        r->rc = rc;
        return;
    }
    check_progress(r, len, used, head);
    r->fed += used;
}

/* The peer closes: rf_h1_eof, then a feed that must fail or consume nothing. */
static void
finish(struct run *r, int head)
{
    struct rw_err again;
    size_t used = 2;
    enum rw_rc rc;

    rw_err_clear(&again);
    rc = rf_h1_eof(&r->p, r->failed ? &again : &r->err);
    if (r->failed) {
        if (rc == RW_OK) {
            abort();
        }
    } else {
        r->rc = rc;
        r->failed = rc != RW_OK;
        if ((rc == RW_OK) != rf_h1_done(&r->p)) {
            abort();
        }
        if (rc == RW_OK) {
            check_done(r, head);
        }
    }
    rc = rf_h1_feed(&r->p, "x", 1, &used, NULL, &again);
    if (used != 0 || (r->failed && rc == RW_OK) || (!r->failed && rc != RW_OK)) {
        abort();
    }
}

/* Feeds one chunk of the input in pieces of `piece` bytes (0: at once). */
static void
feed_chunk(struct run *r, const char *chunk, size_t len, size_t piece, int head)
{
    size_t at = 0;
    size_t n;

    if (piece == 0 || len == 0) {
        feed_one(r, chunk, len, head);
        return;
    }
    while (at < len) {
        n = len - at < piece ? len - at : piece;
        feed_one(r, chunk + at, n, head);
        at += n;
    }
}

static int
same_outcome(const struct run *a, const struct run *b)
{
    return a->rc == b->rc && strcmp(a->err.msg, b->err.msg) == 0 && a->p.status == b->p.status &&
           rf_h1_done(&a->p) == rf_h1_done(&b->p) && a->p.keep_alive == b->p.keep_alive &&
           a->p.content_length == b->p.content_length && a->headers == b->headers &&
           a->header_sum == b->header_sum &&
           /* a body sink that stops sees the first piece, which depends on the split */
           (a->stop_body ||
            (a->body_len == b->body_len && memcmp(a->body, b->body, a->body_len) == 0));
}

static void
run_init(struct run *r, size_t header_max, int head, unsigned stop, char *body, size_t cap)
{
    memset(r, 0, sizeof(*r));
    rf_h1_init(&r->p, header_max, head);
    rw_err_clear(&r->err);
    r->header_max = header_max;
    r->stop_at = stop >= 6 ? stop - 5 : 0;
    r->stop_body = stop == 5;
    r->header_min = FUZZ_H1_STATUS_MIN;
    r->body = body;
    r->body_cap = cap;
}

/* A sink that stopped the parse must have made it fail so, and never DONE. */
static void
check_stopped(const struct run *r)
{
    int stopped = (r->stop_at > 0 && r->headers == r->stop_at) || (r->stop_body && r->body_len > 0);

    if (stopped && (r->rc != RW_EINVAL || strcmp(r->err.msg, "stopped by the receiver") != 0 ||
                    rf_h1_done(&r->p))) {
        abort();
    }
}

/* The split run over the chunks, which also gathers them into whole[] for the other. */
static size_t
run_split(struct run *r, struct fuzz_cursor *c, size_t piece, int head, char *whole)
{
    const char *chunk;
    size_t len;
    size_t total = 0;

    while (fuzz_chunk(c, &chunk, &len)) {
        memcpy(whole + total, chunk, len);
        total += len;
        feed_chunk(r, chunk, len, piece, head);
    }
    finish(r, head);
    return total;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_cursor c = {data, size};
    struct run split, whole;
    char *mem;
    size_t header_max, total, n;
    unsigned opt = fuzz_byte(&c);
    unsigned cap = fuzz_byte(&c);
    int head = (int)(opt & 1u);

    header_max = (opt & 2u) ? FUZZ_H1_SMALL_MIN + cap : FUZZ_H1_BIG_CAP;
    /* one block: the stream, then each run's body copy (a body is never longer) */
    n = c.left;
    mem = malloc(3 * n + 1);
    if (mem == NULL) {
        return 0;
    }
    run_init(&split, header_max, head, opt >> 5, mem + n, n);
    total = run_split(&split, &c, pieces[(opt >> 2) & 7u], head, mem);
    run_init(&whole, header_max, head, opt >> 5, mem + 2 * n, total);
    feed_one(&whole, mem, total, head);
    finish(&whole, head);
    check_stopped(&split);
    check_stopped(&whole);
    if (!same_outcome(&split, &whole)) {
        abort(); /* the parser must not depend on how the bytes arrived */
    }
    rf_h1_free(&split.p);
    rf_h1_free(&whole.p);
    free(mem);
    return 0;
}

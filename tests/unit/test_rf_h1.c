/*
 * Unit tests for rf_h1, the incremental HTTP/1.1 response parser.  Every row is fed
 * whole, split in two at every byte position and one byte at a time; each way must give
 * the same result: return code, message, status, keep_alive, header list, body, bytes
 * used.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rf_h1.h"

#define N(a)      (sizeof(a) / sizeof((a)[0]))
#define OUT_MAX   4096
#define CAP_STD   65536
#define WHOLE     ((size_t)-1)
#define STOP_HDR  1
#define STOP_BODY 2

struct h1_row {
    const char *name;
    const char *in;
    size_t len;       /* 0: strlen(in) */
    size_t cap;       /* header_max; 0: CAP_STD */
    int head;         /* HEAD request */
    int eof;          /* the peer closes after the input */
    int stop;         /* STOP_HDR: the sink stops at header "X-Stop"; STOP_BODY: at body */
    enum rw_rc rc;    /* of the last feed, or of rf_h1_eof */
    const char *msg;  /* NULL for RW_OK */
    int status;       /* p->status at the end */
    int done;         /* rf_h1_done at the end */
    int keep_alive;   /* checked when done */
    const char *hdrs; /* "name=value\n" per delivered field; NULL: none */
    const char *body; /* delivered body; NULL: none */
    size_t used;      /* bytes consumed; WHOLE: all of them */
    int64_t cl;       /* p->content_length at the end */
};

struct h1_out {
    enum rw_rc rc;
    char msg[RW_ERR_MSG_MAX];
    int status;
    int done;
    int keep_alive;
    int64_t cl;
    uint64_t body_bytes;
    char hdrs[OUT_MAX];
    size_t hlen;
    char body[OUT_MAX];
    size_t blen;
    size_t body_calls;
    size_t used;
    int stop;
    int overflow;
};

static void
out_add(struct h1_out *o, char *buf, size_t *blen, const char *s, size_t n)
{
    if (*blen + n >= OUT_MAX) {
        o->overflow = 1;
        return;
    }
    memcpy(buf + *blen, s, n);
    *blen += n;
    buf[*blen] = '\0';
}

static int
on_header(void *arg, const char *name, size_t nlen, const char *value, size_t vlen)
{
    struct h1_out *o = arg;

    if (o->stop == STOP_HDR && nlen == 6 && memcmp(name, "X-Stop", 6) == 0) {
        return 1;
    }
    out_add(o, o->hdrs, &o->hlen, name, nlen);
    out_add(o, o->hdrs, &o->hlen, "=", 1);
    out_add(o, o->hdrs, &o->hlen, value, vlen);
    out_add(o, o->hdrs, &o->hlen, "\n", 1);
    return 0;
}

static int
on_body(void *arg, const char *data, size_t len)
{
    struct h1_out *o = arg;

    if (o->stop == STOP_BODY) {
        return 1;
    }
    assert_true(len > 0);
    o->body_calls++;
    out_add(o, o->body, &o->blen, data, len);
    return 0;
}

static size_t
row_len(const struct h1_row *r)
{
    return r->len != 0 ? r->len : strlen(r->in);
}

/*
 * Feeds in[0..n): a first piece of `first` bytes (0: none), then pieces of `step` bytes
 * (0: the rest at once), stopping at an error or DONE; then rf_h1_eof when asked.
 */
static void
run(const char *in, size_t n, size_t cap, int head, int eof, int stop, size_t first, size_t step,
    struct h1_out *o)
{
    struct rf_h1 p;
    struct rw_err err;
    struct rf_h1_sink sink = {on_header, on_body, o};
    size_t off = 0;

    memset(o, 0, sizeof(*o));
    o->stop = stop;
    rw_err_clear(&err);
    rf_h1_init(&p, cap, head);
    while (o->rc == RW_OK && off < n && !rf_h1_done(&p)) {
        size_t piece = (off == 0 && first > 0) ? first : (step > 0 ? step : n - off);
        size_t used = 0;

        piece = piece < n - off ? piece : n - off;
        o->rc = rf_h1_feed(&p, in + off, piece, &used, &sink, &err);
        assert_true(used <= piece);
        assert_true(o->rc != RW_OK || used == piece || rf_h1_done(&p));
        off += used;
    }
    if (o->rc == RW_OK && eof) {
        o->rc = rf_h1_eof(&p, &err);
    }
    o->used = off;
    o->status = p.status;
    o->done = rf_h1_done(&p);
    o->keep_alive = p.keep_alive;
    o->cl = p.content_length;
    o->body_bytes = p.body_bytes;
    (void)snprintf(o->msg, sizeof(o->msg), "%s", err.msg);
    rf_h1_free(&p);
}

/* Compares one run with the row; how says which split it was, for the failure message. */
static void
check(const struct h1_row *r, const struct h1_out *o, const char *how)
{
    size_t n = row_len(r);
    size_t want_used = r->used == WHOLE ? n : r->used;
    const char *want_msg = r->msg != NULL ? r->msg : "";
    const char *want_hdrs = r->hdrs != NULL ? r->hdrs : "";
    const char *want_body = r->body != NULL ? r->body : "";

    if (o->overflow || o->rc != r->rc || strcmp(o->msg, want_msg) != 0 || o->status != r->status ||
        o->done != r->done || (r->done && o->keep_alive != r->keep_alive) ||
        strcmp(o->hdrs, want_hdrs) != 0 || o->blen != strlen(want_body) ||
        memcmp(o->body, want_body, o->blen) != 0 || (!r->stop && o->body_bytes != o->blen) ||
        (r->rc == RW_OK && o->used != want_used) || (r->rc == RW_OK && o->cl != r->cl)) {
        fail_msg("%s (%s): got rc %s '%s' status %d done %d ka %d cl %lld used %zu\n"
                 "headers:\n%s\nbody '%.*s'",
                 r->name, how, rw_rc_name(o->rc), o->msg, o->status, o->done, o->keep_alive,
                 (long long)o->cl, o->used, o->hdrs, (int)o->blen, o->body);
    }
}

/* Whole, split at every position, and one byte at a time (every `stride`-th split). */
static void
check_all_splits(const struct h1_row *r, size_t stride)
{
    struct h1_out *o = malloc(sizeof(*o));
    size_t n = row_len(r);
    size_t cap = r->cap != 0 ? r->cap : CAP_STD;
    char how[64];
    size_t k;

    assert_non_null(o);
    run(r->in, n, cap, r->head, r->eof, r->stop, 0, 0, o);
    check(r, o, "whole");
    for (k = 1; k < n; k += stride) {
        run(r->in, n, cap, r->head, r->eof, r->stop, k, 0, o);
        (void)snprintf(how, sizeof(how), "split at %zu", k);
        check(r, o, how);
    }
    run(r->in, n, cap, r->head, r->eof, r->stop, 0, 1, o);
    check(r, o, "byte by byte");
    free(o);
}

#define OK200 "HTTP/1.1 200 OK\r\n"
#define TE_CH "Transfer-Encoding: chunked\r\n"
#define BAD   "malformed HTTP reply: "

static const struct h1_row ok_rows[] = {
    {.name = "content-length",
     .in = OK200 "Content-Type: application/json\r\nContent-Length: 5\r\n\r\nhello",
     .status = 200,
     .done = 1,
     .keep_alive = 1,
     .hdrs = "Content-Type=application/json\nContent-Length=5\n",
     .body = "hello",
     .used = WHOLE,
     .cl = 5},
    {.name = "zero length",
     .in = OK200 "Content-Length: 0\r\n\r\n",
     .status = 200,
     .done = 1,
     .keep_alive = 1,
     .hdrs = "Content-Length=0\n",
     .used = WHOLE,
     .cl = 0},
    {.name = "chunked, extensions, trailers",
     .in = OK200 TE_CH "\r\n5;name=val\r\nhello\r\n6 ; x=\"y\"\r\n world\r\n"
                       "0;last\r\nX-Trailer: t\r\nX-Other: u\r\n\r\n",
     .status = 200,
     .done = 1,
     .keep_alive = 1,
     .hdrs = "Transfer-Encoding=chunked\n",
     .body = "hello world",
     .used = WHOLE,
     .cl = -1},
    {.name = "chunked, upper-case hex and coding",
     .in = OK200 "Transfer-Encoding: Chunked\r\n\r\nA\r\n0123456789\r\n00\r\n\r\n",
     .status = 200,
     .done = 1,
     .keep_alive = 1,
     .hdrs = "Transfer-Encoding=Chunked\n",
     .body = "0123456789",
     .used = WHOLE,
     .cl = -1},
    {.name = "chunked and content-length: no reuse",
     .in = OK200 "Content-Length: 3\r\n" TE_CH "\r\n3\r\nabc\r\n0\r\n\r\n",
     .status = 200,
     .done = 1,
     .keep_alive = 0,
     .hdrs = "Content-Length=3\nTransfer-Encoding=chunked\n",
     .body = "abc",
     .used = WHOLE,
     .cl = -1},
    {.name = "HTTP/1.0 chunked: no reuse",
     .in = "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n" TE_CH "\r\n1\r\nx\r\n0\r\n\r\n",
     .status = 200,
     .done = 1,
     .keep_alive = 0,
     .hdrs = "Connection=keep-alive\nTransfer-Encoding=chunked\n",
     .body = "x",
     .used = WHOLE,
     .cl = -1},
    {.name = "chunked with bare LF",
     .in = "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n5\nhello\n0\n\n",
     .status = 200,
     .done = 1,
     .keep_alive = 1,
     .hdrs = "Transfer-Encoding=chunked\n",
     .body = "hello",
     .used = WHOLE,
     .cl = -1},
    {.name = "204",
     .in = "HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n",
     .status = 204,
     .done = 1,
     .keep_alive = 1,
     .hdrs = "X-A=1\n",
     .used = WHOLE,
     .cl = -1},
    {.name = "304 with content-length",
     .in = "HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\n\r\n",
     .status = 304,
     .done = 1,
     .keep_alive = 1,
     .hdrs = "Content-Length=100\n",
     .used = WHOLE,
     .cl = 100},
    {.name = "HEAD",
     .in = OK200 "Content-Length: 1234\r\n\r\n",
     .head = 1,
     .status = 200,
     .done = 1,
     .keep_alive = 1,
     .hdrs = "Content-Length=1234\n",
     .used = WHOLE,
     .cl = 1234},
    {.name = "HEAD, chunked",
     .in = OK200 TE_CH "\r\n",
     .head = 1,
     .status = 200,
     .done = 1,
     .keep_alive = 1,
     .hdrs = "Transfer-Encoding=chunked\n",
     .used = WHOLE,
     .cl = -1},
    {.name = "100 continue then 200",
     .in = "HTTP/1.1 100 Continue\r\nX-Info: skip\r\n\r\n" OK200 "Content-Length: 2\r\n\r\nok",
     .status = 200,
     .done = 1,
     .keep_alive = 1,
     .hdrs = "Content-Length=2\n",
     .body = "ok",
     .used = WHOLE,
     .cl = 2},
    {.name = "103 framing does not leak",
     .in = "HTTP/1.1 103 Early Hints\r\nContent-Length: 9\r\nConnection: close\r\n\r\n"
           "HTTP/1.1 100 Continue\r\n\r\n" OK200 "Content-Length: 2\r\n\r\nok",
     .status = 200,
     .done = 1,
     .keep_alive = 1,
     .hdrs = "Content-Length=2\n",
     .body = "ok",
     .used = WHOLE,
     .cl = 2},
    {.name = "HTTP/1.0",
     .in = "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
     .status = 200,
     .done = 1,
     .keep_alive = 0,
     .hdrs = "Content-Length=2\n",
     .body = "ok",
     .used = WHOLE,
     .cl = 2},
    {.name = "HTTP/1.0 keep-alive",
     .in = "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nok",
     .status = 200,
     .done = 1,
     .keep_alive = 1,
     .hdrs = "Connection=Keep-Alive\nContent-Length=2\n",
     .body = "ok",
     .used = WHOLE,
     .cl = 2},
    {.name = "HTTP/1.0 keep-alive, close",
     .in = "HTTP/1.0 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 0\r\n\r\n",
     .status = 200,
     .done = 1,
     .keep_alive = 0,
     .hdrs = "Connection=keep-alive, close\nContent-Length=0\n",
     .used = WHOLE,
     .cl = 0},
    {.name = "connection close",
     .in = OK200 "Connection: Upgrade ,CLOSE\r\nContent-Length: 2\r\n\r\nok",
     .status = 200,
     .done = 1,
     .keep_alive = 0,
     .hdrs = "Connection=Upgrade ,CLOSE\nContent-Length=2\n",
     .body = "ok",
     .used = WHOLE,
     .cl = 2},
    {.name = "connection: closed is not close",
     .in = OK200 "Connection: closed\r\nContent-Length: 0\r\n\r\n",
     .status = 200,
     .done = 1,
     .keep_alive = 1,
     .hdrs = "Connection=closed\nContent-Length=0\n",
     .used = WHOLE,
     .cl = 0},
    {.name = "until close",
     .in = OK200 "Content-Type: text/plain\r\n\r\nsome body",
     .eof = 1,
     .status = 200,
     .done = 1,
     .keep_alive = 0,
     .hdrs = "Content-Type=text/plain\n",
     .body = "some body",
     .used = WHOLE,
     .cl = -1},
    {.name = "until close, empty",
     .in = OK200 "\r\n",
     .eof = 1,
     .status = 200,
     .done = 1,
     .keep_alive = 0,
     .used = WHOLE,
     .cl = -1},
    {.name = "until close, no eof yet",
     .in = OK200 "\r\nabc",
     .status = 200,
     .body = "abc",
     .used = WHOLE,
     .cl = -1},
    {.name = "bare LF",
     .in = "HTTP/1.1 200 OK\nContent-Length: 3\n\nabc",
     .status = 200,
     .done = 1,
     .keep_alive = 1,
     .hdrs = "Content-Length=3\n",
     .body = "abc",
     .used = WHOLE,
     .cl = 3},
    {.name = "extra bytes after DONE",
     .in = OK200 "Content-Length: 2\r\n\r\nokHTTP/1.1",
     .status = 200,
     .done = 1,
     .keep_alive = 1,
     .hdrs = "Content-Length=2\n",
     .body = "ok",
     .used = sizeof(OK200 "Content-Length: 2\r\n\r\nok") - 1,
     .cl = 2},
    {.name = "extra bytes after a HEAD",
     .in = OK200 "Content-Length: 2\r\n\r\nok",
     .head = 1,
     .status = 200,
     .done = 1,
     .keep_alive = 1,
     .hdrs = "Content-Length=2\n",
     .used = sizeof(OK200 "Content-Length: 2\r\n\r\n") - 1,
     .cl = 2},
    {.name = "eof after DONE",
     .in = OK200 "Content-Length: 1\r\n\r\nx",
     .eof = 1,
     .status = 200,
     .done = 1,
     .keep_alive = 1,
     .hdrs = "Content-Length=1\n",
     .body = "x",
     .used = WHOLE,
     .cl = 1},
    {.name = "values trimmed",
     .in = OK200 "X-A: \t spaced  value \t\r\nX-Empty:\r\nx-lower:v\r\nContent-Length: 0\r\n\r\n",
     .status = 200,
     .done = 1,
     .keep_alive = 1,
     .hdrs = "X-A=spaced  value\nX-Empty=\nx-lower=v\nContent-Length=0\n",
     .used = WHOLE,
     .cl = 0},
    {.name = "content-length list",
     .in = OK200 "Content-Length: 2, 2\r\ncontent-length: 2\r\n\r\nok",
     .status = 200,
     .done = 1,
     .keep_alive = 1,
     .hdrs = "Content-Length=2, 2\ncontent-length=2\n",
     .body = "ok",
     .used = WHOLE,
     .cl = 2},
    {.name = "status without reason",
     .in = "HTTP/1.1 404\r\nContent-Length: 1\r\n\r\nx",
     .status = 404,
     .done = 1,
     .keep_alive = 1,
     .hdrs = "Content-Length=1\n",
     .body = "x",
     .used = WHOLE,
     .cl = 1},
    {.name = "status with empty reason",
     .in = "HTTP/1.1 599 \r\nContent-Length: 0\r\n\r\n",
     .status = 599,
     .done = 1,
     .keep_alive = 1,
     .hdrs = "Content-Length=0\n",
     .used = WHOLE,
     .cl = 0},
    {.name = "headers exactly at the cap",
     .in = OK200 "Content-Length: 0\r\n\r\n",
     .cap = 38,
     .status = 200,
     .done = 1,
     .keep_alive = 1,
     .hdrs = "Content-Length=0\n",
     .used = WHOLE,
     .cl = 0},
    {.name = "largest content-length",
     .in = OK200 "Content-Length: 9223372036854775807\r\n\r\n",
     .status = 200,
     .hdrs = "Content-Length=9223372036854775807\n",
     .used = WHOLE,
     .cl = INT64_MAX},
};

static const struct h1_row bad_rows[] = {
    {.name = "html", .in = "<html>", .rc = RW_EPARSE, .msg = "not an HTTP reply (no status line)"},
    {.name = "html line",
     .in = "<html><body>\r\n",
     .rc = RW_EPARSE,
     .msg = "not an HTTP reply (no status line)"},
    {.name = "empty first line",
     .in = "\r\n" OK200,
     .rc = RW_EPARSE,
     .msg = "not an HTTP reply (no status line)"},
    {.name = "lower-case http",
     .in = "http/1.1 200 OK\r\n",
     .rc = RW_EPARSE,
     .msg = "not an HTTP reply (no status line)"},
    {.name = "no space",
     .in = "HTTP/1.1\r\n\r\n",
     .rc = RW_EPARSE,
     .msg = "not an HTTP reply (no status line)"},
    {.name = "short line",
     .in = "HTTP\r\n",
     .rc = RW_EPARSE,
     .msg = "not an HTTP reply (no status line)"},
    {.name = "bad version",
     .in = "HTTP/x.1 200 OK\r\n",
     .rc = RW_EPARSE,
     .msg = "not an HTTP reply (no status line)"},
    {.name = "HTTP/2",
     .in = "HTTP/2 200\r\n\r\n",
     .rc = RW_EPARSE,
     .msg = BAD "unsupported version 'HTTP/2'"},
    {.name = "HTTP/1.2",
     .in = "HTTP/1.2 200 OK\r\n\r\n",
     .rc = RW_EPARSE,
     .msg = BAD "unsupported version 'HTTP/1.2'"},
    {.name = "status 99",
     .in = "HTTP/1.1 99 X\r\n\r\n",
     .rc = RW_EPARSE,
     .msg = BAD "status code '99' not in 100..599"},
    {.name = "status 600",
     .in = "HTTP/1.1 600 X\r\n\r\n",
     .rc = RW_EPARSE,
     .msg = BAD "status code '600' not in 100..599"},
    {.name = "status 2000",
     .in = "HTTP/1.1 2000 X\r\n\r\n",
     .rc = RW_EPARSE,
     .msg = BAD "status code '2000' not in 100..599"},
    {.name = "status letters",
     .in = "HTTP/1.1 2x0 X\r\n\r\n",
     .rc = RW_EPARSE,
     .msg = BAD "status code '2x0' not in 100..599"},
    {.name = "status missing",
     .in = "HTTP/1.1  OK\r\n\r\n",
     .rc = RW_EPARSE,
     .msg = BAD "status code '' not in 100..599"},
    {.name = "101",
     .in = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n",
     .rc = RW_EPARSE,
     .msg = BAD "unexpected 101 Switching Protocols"},
    {.name = "garbage after 100",
     .in = "HTTP/1.1 100 Continue\r\n\r\n<html>",
     .rc = RW_EPARSE,
     .msg = "not an HTTP reply (no status line)"},
    {.name = "no colon",
     .in = OK200 "BadHeader\r\n\r\n",
     .rc = RW_EPARSE,
     .status = 200,
     .msg = BAD "header line without a colon"},
    {.name = "space before colon",
     .in = OK200 "X-A: 1\r\nContent-Length : 5\r\n\r\n",
     .rc = RW_EPARSE,
     .status = 200,
     .hdrs = "X-A=1\n",
     .msg = BAD "space before the colon in header 'Content-Length '"},
    {.name = "empty name",
     .in = OK200 ": x\r\n\r\n",
     .rc = RW_EPARSE,
     .status = 200,
     .msg = BAD "empty header name"},
    {.name = "space in name",
     .in = OK200 "Bad Name: x\r\n\r\n",
     .rc = RW_EPARSE,
     .status = 200,
     .msg = BAD "bad header name 'Bad Name'"},
    {.name = "NUL in name",
     .in = OK200 "X\0A: x\r\n\r\n",
     .len = sizeof(OK200 "X\0A: x\r\n\r\n") - 1,
     .rc = RW_EPARSE,
     .status = 200,
     .msg = BAD "bad header name 'X'"},
    {.name = "folding",
     .in = OK200 "X-A: a\r\n  b\r\n\r\n",
     .rc = RW_EPARSE,
     .status = 200,
     .hdrs = "X-A=a\n",
     .msg = BAD "obsolete line folding"},
    {.name = "folding with tab",
     .in = OK200 "\tb\r\n\r\n",
     .rc = RW_EPARSE,
     .status = 200,
     .msg = BAD "obsolete line folding"},
    {.name = "content-length letters",
     .in = OK200 "Content-Length: abc\r\n\r\n",
     .rc = RW_EPARSE,
     .status = 200,
     .msg = BAD "Content-Length 'abc'"},
    {.name = "content-length empty",
     .in = OK200 "Content-Length: \r\n\r\n",
     .rc = RW_EPARSE,
     .status = 200,
     .msg = BAD "Content-Length ''"},
    {.name = "content-length negative",
     .in = OK200 "Content-Length: -1\r\n\r\n",
     .rc = RW_EPARSE,
     .status = 200,
     .msg = BAD "Content-Length '-1'"},
    {.name = "content-length plus",
     .in = OK200 "Content-Length: +5\r\n\r\n",
     .rc = RW_EPARSE,
     .status = 200,
     .msg = BAD "Content-Length '+5'"},
    {.name = "content-length overflow",
     .in = OK200 "Content-Length: 9223372036854775808\r\n\r\n",
     .rc = RW_EPARSE,
     .status = 200,
     .msg = BAD "Content-Length '9223372036854775808'"},
    {.name = "content-length list hole",
     .in = OK200 "Content-Length: 5,,5\r\n\r\n",
     .rc = RW_EPARSE,
     .status = 200,
     .msg = BAD "Content-Length '5,,5'"},
    {.name = "content-length list differs",
     .in = OK200 "Content-Length: 5, 6\r\n\r\n",
     .rc = RW_EPARSE,
     .status = 200,
     .msg = BAD "conflicting Content-Length '5, 6'"},
    {.name = "content-length twice, differs",
     .in = OK200 "Content-Length: 5\r\nContent-Length: 6\r\n\r\n",
     .rc = RW_EPARSE,
     .status = 200,
     .hdrs = "Content-Length=5\n",
     .msg = BAD "conflicting Content-Length '6'"},
    {.name = "gzip",
     .in = OK200 "Transfer-Encoding: gzip\r\n\r\n",
     .rc = RW_EPARSE,
     .status = 200,
     .msg = BAD "Transfer-Encoding 'gzip' not supported"},
    {.name = "gzip, chunked",
     .in = OK200 "Transfer-Encoding: gzip, chunked\r\n\r\n",
     .rc = RW_EPARSE,
     .status = 200,
     .msg = BAD "Transfer-Encoding 'gzip, chunked' not supported"},
    {.name = "chunked twice",
     .in = OK200 TE_CH "Transfer-Encoding: chunked\r\n\r\n",
     .rc = RW_EPARSE,
     .status = 200,
     .hdrs = "Transfer-Encoding=chunked\n",
     .msg = BAD "Transfer-Encoding 'chunked' not supported"},
    {.name = "chunk size letters",
     .in = OK200 TE_CH "\r\nzz\r\n",
     .rc = RW_EPARSE,
     .status = 200,
     .hdrs = "Transfer-Encoding=chunked\n",
     .msg = BAD "chunk size 'zz'"},
    {.name = "chunk size empty",
     .in = OK200 TE_CH "\r\n\r\n",
     .rc = RW_EPARSE,
     .status = 200,
     .hdrs = "Transfer-Encoding=chunked\n",
     .msg = BAD "chunk size ''"},
    {.name = "chunk size trailing",
     .in = OK200 TE_CH "\r\n5x\r\nhello\r\n",
     .rc = RW_EPARSE,
     .status = 200,
     .hdrs = "Transfer-Encoding=chunked\n",
     .msg = BAD "chunk size '5x'"},
    {.name = "chunk size negative",
     .in = OK200 TE_CH "\r\n-5\r\n",
     .rc = RW_EPARSE,
     .status = 200,
     .hdrs = "Transfer-Encoding=chunked\n",
     .msg = BAD "chunk size '-5'"},
    {.name = "chunk size overflow",
     .in = OK200 TE_CH "\r\n1000000000000000\r\n",
     .rc = RW_EPARSE,
     .status = 200,
     .hdrs = "Transfer-Encoding=chunked\n",
     .msg = BAD "chunk size '1000000000000000'"},
    {.name = "no CRLF after chunk",
     .in = OK200 TE_CH "\r\n5\r\nhelloX\r\n0\r\n\r\n",
     .rc = RW_EPARSE,
     .status = 200,
     .hdrs = "Transfer-Encoding=chunked\n",
     .body = "hello",
     .msg = BAD "no CRLF after chunk data"},
    {.name = "CR CR after chunk",
     .in = OK200 TE_CH "\r\n5\r\nhello\r\r\n",
     .rc = RW_EPARSE,
     .status = 200,
     .hdrs = "Transfer-Encoding=chunked\n",
     .body = "hello",
     .msg = BAD "no CRLF after chunk data"},
    {.name = "bad trailer",
     .in = OK200 TE_CH "\r\n0\r\nbad trailer\r\n\r\n",
     .rc = RW_EPARSE,
     .status = 200,
     .hdrs = "Transfer-Encoding=chunked\n",
     .msg = BAD "header line without a colon"},
    {.name = "header over cap 64",
     .in = OK200 "X-Long: 0123456789012345678901234567890123456789\r\n\r\n",
     .cap = 64,
     .rc = RW_ETOOBIG,
     .status = 200,
     .msg = "headers larger than 64 bytes"},
    {.name = "status line over cap",
     .in = "HTTP/1.1 200 OK and a very long reason phrase that never ends here\r\n\r\n",
     .cap = 64,
     .rc = RW_ETOOBIG,
     .msg = "headers larger than 64 bytes"},
    {.name = "line without end over cap",
     .in = OK200 "X-Long: 01234567890123456789012345678901234567890123456789",
     .cap = 64,
     .rc = RW_ETOOBIG,
     .status = 200,
     .msg = "headers larger than 64 bytes"},
    /* found by fuzz_rf_h1: whole, the prefix check saw the 'X' first; split, the cap */
    {.name = "a 100 Continue fills the cap, then a bad status line",
     .in = "HTTP/1.1 100 X\r\n\r\nHX\r\n",
     .cap = 18,
     .rc = RW_ETOOBIG,
     .msg = "headers larger than 18 bytes"},
    {.name = "one byte over the cap",
     .in = OK200 "Content-Length: 0\r\n\r\n",
     .cap = 37,
     .rc = RW_ETOOBIG,
     .status = 200,
     .hdrs = "Content-Length=0\n",
     .msg = "headers larger than 37 bytes"},
    {.name = "1xx flood over cap 64",
     .in = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n"
           "HTTP/1.1 100 Continue\r\n\r\n" OK200 "\r\n",
     .cap = 64,
     .rc = RW_ETOOBIG,
     .msg = "headers larger than 64 bytes"},
    {.name = "trailers over cap 64",
     .in = OK200 TE_CH "\r\n0\r\nX-T: 0123456789\r\n\r\n",
     .cap = 64,
     .rc = RW_ETOOBIG,
     .status = 200,
     .hdrs = "Transfer-Encoding=chunked\n",
     .msg = "headers larger than 64 bytes"},
    {.name = "chunk line over cap 64",
     .in = OK200 TE_CH
     "\r\n1;xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n",
     .cap = 64,
     .rc = RW_EPARSE,
     .status = 200,
     .hdrs = "Transfer-Encoding=chunked\n",
     .msg = BAD "chunk size line longer than 64 bytes"},
    {.name = "eof before the reply",
     .in = "",
     .eof = 1,
     .rc = RW_EPARSE,
     .msg = "connection closed before the reply"},
    {.name = "eof in the status line",
     .in = "HTT",
     .eof = 1,
     .rc = RW_EPARSE,
     .msg = "connection closed in the reply's headers"},
    {.name = "eof in headers",
     .in = OK200 "Content-Le",
     .eof = 1,
     .rc = RW_EPARSE,
     .status = 200,
     .msg = "connection closed in the reply's headers"},
    {.name = "eof after 100",
     .in = "HTTP/1.1 100 Continue\r\n\r\n",
     .eof = 1,
     .rc = RW_EPARSE,
     .msg = "connection closed in the reply's headers"},
    {.name = "eof in body",
     .in = OK200 "Content-Length: 10\r\n\r\nabc",
     .eof = 1,
     .rc = RW_EPARSE,
     .status = 200,
     .hdrs = "Content-Length=10\n",
     .body = "abc",
     .msg = "connection closed after 3 of 10 body bytes"},
    {.name = "eof before body",
     .in = OK200 "Content-Length: 9223372036854775807\r\n\r\n",
     .eof = 1,
     .rc = RW_EPARSE,
     .status = 200,
     .hdrs = "Content-Length=9223372036854775807\n",
     .msg = "connection closed after 0 of 9223372036854775807 body bytes"},
    {.name = "eof in chunk",
     .in = OK200 TE_CH "\r\n5\r\nhel",
     .eof = 1,
     .rc = RW_EPARSE,
     .status = 200,
     .hdrs = "Transfer-Encoding=chunked\n",
     .body = "hel",
     .msg = "connection closed in a chunked body after 3 bytes"},
    {.name = "eof in trailers",
     .in = OK200 TE_CH "\r\n2\r\nab\r\n0\r\nX-T: 1\r\n",
     .eof = 1,
     .rc = RW_EPARSE,
     .status = 200,
     .hdrs = "Transfer-Encoding=chunked\n",
     .body = "ab",
     .msg = "connection closed in a chunked body after 2 bytes"},
    {.name = "eof in chunk end",
     .in = OK200 TE_CH "\r\n2\r\nab\r",
     .eof = 1,
     .rc = RW_EPARSE,
     .status = 200,
     .hdrs = "Transfer-Encoding=chunked\n",
     .body = "ab",
     .msg = "connection closed in a chunked body after 2 bytes"},
    {.name = "sink stops at a header",
     .in = OK200 "X-A: 1\r\nX-Stop: now\r\nX-B: 2\r\n\r\n",
     .stop = STOP_HDR,
     .rc = RW_EINVAL,
     .status = 200,
     .hdrs = "X-A=1\n",
     .msg = "stopped by the receiver"},
    {.name = "sink stops at the body",
     .in = OK200 "Content-Length: 5\r\n\r\nhello",
     .stop = STOP_BODY,
     .rc = RW_EINVAL,
     .status = 200,
     .hdrs = "Content-Length=5\n",
     .msg = "stopped by the receiver"},
    {.name = "sink stops at a chunk",
     .in = OK200 TE_CH "\r\n5\r\nhello\r\n0\r\n\r\n",
     .stop = STOP_BODY,
     .rc = RW_EINVAL,
     .status = 200,
     .hdrs = "Transfer-Encoding=chunked\n",
     .msg = "stopped by the receiver"},
};

static void
test_ok_rows(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < N(ok_rows); i++) {
        check_all_splits(&ok_rows[i], 1);
    }
}

static void
test_bad_rows(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < N(bad_rows); i++) {
        check_all_splits(&bad_rows[i], 1);
    }
}

/* Builds a reply: prefix, then `reps` copies of unit, then suffix (caller frees). */
static char *
build(const char *prefix, const char *unit, size_t reps, const char *suffix, size_t *len)
{
    size_t pl = strlen(prefix);
    size_t ul = strlen(unit);
    size_t sl = strlen(suffix);
    char *s = malloc(pl + ul * reps + sl + 1);
    size_t i;

    assert_non_null(s);
    memcpy(s, prefix, pl);
    for (i = 0; i < reps; i++) {
        memcpy(s + pl + i * ul, unit, ul);
    }
    memcpy(s + pl + ul * reps, suffix, sl + 1);
    *len = pl + ul * reps + sl;
    return s;
}

/* The 64 KiB default cap: one huge field, and a flood of 100 Continue. */
static void
test_cap_65536(void **state)
{
    struct h1_row r = {.cap = CAP_STD, .rc = RW_ETOOBIG, .msg = "headers larger than 65536 bytes"};
    char *in;

    (void)state;
    in = build(OK200 "X-Big: ", "0123456789", 7000, "\r\n\r\n", &r.len);
    r.name = "one 70 KB field";
    r.in = in;
    r.status = 200;
    check_all_splits(&r, 997);
    free(in);

    in = build("", "HTTP/1.1 100 Continue\r\n\r\n", 3000, OK200 "\r\n", &r.len);
    r.name = "100 Continue flood";
    r.in = in;
    r.status = 0;
    check_all_splits(&r, 997);
    free(in);
}

/* Just under the 64 KiB cap passes, and a large chunked body arrives whole. */
static void
test_large_ok(void **state)
{
    struct h1_row r = {.name = "64 KiB of headers",
                       .cap = CAP_STD,
                       .status = 200,
                       .done = 1,
                       .keep_alive = 1,
                       .hdrs = NULL,
                       .used = WHOLE,
                       .cl = 0};
    struct h1_out *o = malloc(sizeof(*o));
    size_t head_len = sizeof(OK200 "X-Big: ") - 1 + sizeof("\r\nContent-Length: 0\r\n\r\n") - 1;
    size_t reps = (CAP_STD - head_len) / 8;
    char *in;

    (void)state;
    assert_non_null(o);
    in = build(OK200 "X-Big: ", "abcdefgh", reps, "\r\nContent-Length: 0\r\n\r\n", &r.len);
    assert_true(r.len <= CAP_STD);
    run(in, r.len, CAP_STD, 0, 0, 0, 0, 0, o);
    assert_int_equal(o->rc, RW_OK);
    assert_true(o->done);
    assert_true(o->overflow); /* the field is larger than the recorder: as expected */
    run(in, r.len, CAP_STD, 0, 0, 0, 0, 1, o);
    assert_int_equal(o->rc, RW_OK);
    assert_true(o->done);
    free(in);
    free(o);
}

static int
count_body(void *arg, const char *data, size_t len)
{
    size_t *calls = arg;

    (void)data;
    (void)len;
    (*calls)++;
    return 0;
}

/*
 * The fast path: a reply in one feed allocates no line buffer and hands its body over in
 * one call; a line split across feeds is kept, then freed at DONE.
 */
static void
test_one_feed(void **state)
{
    static const char in[] = OK200 "Content-Length: 10\r\n\r\n0123456789";
    static const char open_in[] = OK200 "\r\npart";
    struct rf_h1_sink sink = {NULL, count_body, NULL};
    struct rf_h1 p;
    struct rw_err err;
    size_t calls = 0;
    size_t used;

    (void)state;
    sink.arg = &calls;
    rw_err_clear(&err);
    rf_h1_init(&p, CAP_STD, 0);
    assert_int_equal(rf_h1_feed(&p, open_in, sizeof(open_in) - 1, &used, &sink, &err), RW_OK);
    assert_null(p.line);
    assert_int_equal(p.phase, RF_H1_UNTIL_CLOSE);
    rf_h1_free(&p);

    calls = 0;
    rf_h1_init(&p, CAP_STD, 0);
    assert_int_equal(rf_h1_feed(&p, in, 5, &used, &sink, &err), RW_OK);
    assert_non_null(p.line);
    assert_int_equal(rf_h1_feed(&p, in + 5, sizeof(in) - 6, &used, &sink, &err), RW_OK);
    assert_true(rf_h1_done(&p));
    assert_null(p.line);
    assert_int_equal(calls, 1);
    assert_int_equal(p.body_bytes, 10);
    /* Once DONE nothing more is consumed. */
    assert_int_equal(rf_h1_feed(&p, "x", 1, &used, &sink, &err), RW_OK);
    assert_int_equal(used, 0);
    rf_h1_free(&p);
    rf_h1_free(NULL);
}

/* After an error the parser is spent, and says so. */
static void
test_after_error(void **state)
{
    struct rf_h1 p;
    struct rw_err err;
    size_t used;

    (void)state;
    rw_err_clear(&err);
    rf_h1_init(&p, CAP_STD, 0);
    assert_int_equal(rf_h1_feed(&p, "HTTP/1.1 200 OK\r\nX-A: 1", 23, &used, NULL, &err), RW_OK);
    assert_int_equal(rf_h1_feed(&p, "\r\nbad\r\n", 7, &used, NULL, &err), RW_EPARSE);
    assert_string_equal(err.msg, BAD "header line without a colon");
    rw_err_clear(&err);
    assert_int_equal(rf_h1_feed(&p, "\r\n", 2, &used, NULL, &err), RW_EINVAL);
    assert_int_equal(used, 0);
    assert_string_equal(err.msg, "parser used after an error");
    rw_err_clear(&err);
    assert_int_equal(rf_h1_eof(&p, &err), RW_EINVAL);
    assert_string_equal(err.msg, "parser used after an error");
    rf_h1_free(&p);

    /* Re-initialised, it parses again (and a NULL sink is fine). */
    rf_h1_init(&p, CAP_STD, 0);
    assert_int_equal(rf_h1_feed(&p, OK200 "Content-Length: 0\r\n\r\n", 38, &used, NULL, NULL),
                     RW_OK);
    assert_true(rf_h1_done(&p));
    assert_int_equal(used, 38);
    rf_h1_free(&p);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ok_rows),   cmocka_unit_test(test_bad_rows),
        cmocka_unit_test(test_cap_65536), cmocka_unit_test(test_large_ok),
        cmocka_unit_test(test_one_feed),  cmocka_unit_test(test_after_error),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

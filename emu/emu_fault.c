#include "emu_fault.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* splitmix64: a well-mixed 64-bit number from a counter. */
static uint64_t
dice(struct emu_ctx *ctx)
{
    uint64_t z =
        atomic_fetch_add(&ctx->rnd, UINT64_C(0x9e3779b97f4a7c15)) + UINT64_C(0x9e3779b97f4a7c15);

    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

void
emu_fault_plan(struct emu_ctx *ctx, struct emu_fault_plan *plan)
{
    const struct emu_opts *o = ctx->opts;

    memset(plan, 0, sizeof(*plan));
    plan->delay_ms = o->delay_ms;
    if (o->jitter_ms > 0) {
        plan->delay_ms += (int64_t)(dice(ctx) % (uint64_t)(o->jitter_ms + 1));
    }
    plan->drop = o->drop;
    if (o->http_status > 0) {
        plan->status = (unsigned)o->http_status;
    } else if (o->fail_rate > 0 && (double)(dice(ctx) >> 11) / 9007199254740992.0 < o->fail_rate) {
        plan->status = 503;
    }
}

void
emu_fault_sleep_ms(int64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

    while (ms > 0 && nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* A body sent through a callback: huge, slow or both. */
struct emu_body {
    char *data;   /* owned; NULL for a huge body */
    uint64_t len; /* bytes to send */
    int64_t bps;  /* 0: as fast as possible */
};

/* Fills out with the bytes of a huge body: {"Pad":"xxx...x"} of exactly len bytes. */
static void
huge_fill(const struct emu_body *b, uint64_t pos, char *out, size_t n)
{
    static const char head[] = "{\"Pad\":\"";
    size_t i;

    for (i = 0; i < n; i++, pos++) {
        if (pos < sizeof(head) - 1) {
            out[i] = head[pos];
        } else if (pos == b->len - 2) {
            out[i] = '"';
        } else if (pos == b->len - 1) {
            out[i] = '}';
        } else {
            out[i] = 'x';
        }
    }
}

static ssize_t
body_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct emu_body *b = cls;
    size_t n;

    if (pos >= b->len) {
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    n = b->len - pos < max ? (size_t)(b->len - pos) : max;
    if (b->bps > 0) {
        /* A tenth of a second's worth at a time, so the pace is steady. */
        size_t chunk = b->bps >= 10 ? (size_t)(b->bps / 10) : 1;
        n = n < chunk ? n : chunk;
        emu_fault_sleep_ms((int64_t)n * 1000 / b->bps);
    }
    if (b->data != NULL) {
        memcpy(buf, b->data + pos, n);
    } else {
        huge_fill(b, pos, buf, n);
    }
    return (ssize_t)n;
}

static void
body_free(void *cls)
{
    struct emu_body *b = cls;

    free(b->data);
    free(b);
}

struct MHD_Response *
emu_fault_response(const struct emu_opts *opts, struct emu_reply *rp)
{
    struct emu_body *b;
    struct MHD_Response *resp;

    if (opts->bad_json && rp->len > 1) {
        rp->len /= 2;
    }
    if (opts->slow_body == 0 && opts->huge_body == 0) {
        resp = MHD_create_response_from_buffer_with_free_callback(rp->len, rp->body, free);
        if (resp != NULL) {
            rp->body = NULL;
        }
        return resp;
    }
    b = calloc(1, sizeof(*b));
    if (b == NULL) {
        return NULL;
    }
    b->bps = opts->slow_body;
    b->len = opts->huge_body > 0 ? (uint64_t)opts->huge_body : rp->len;
    if (opts->huge_body == 0) {
        b->data = rp->body;
        rp->body = NULL;
    }
    resp = MHD_create_response_from_callback(b->len, 64 * 1024, body_read, b, body_free);
    if (resp == NULL) {
        body_free(b);
    }
    return resp;
}

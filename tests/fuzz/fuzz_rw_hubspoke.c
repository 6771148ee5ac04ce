/*
 * libFuzzer target for the hub/spoke reader and lister (core/rw_hubspoke.h,
 * core/rw_hubspoke_list.h), fed arbitrary bodies as a hostile server would send them.
 * The input is one option byte, then the replies separated by FUZZ_SEP; a reply whose
 * first byte is a control character below 8 is a failure picked by that byte (401, 404,
 * 500, connection refused, timeout), anything else is a 200 with that body.  Replies are
 * handed out in turn (cycling, within a budget) for as long as the reader or lister asks.
 */
#include <regex.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_input.h"
#include "rw_hubspoke.h"
#include "rw_hubspoke_list.h"
#include "rw_url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_REPLIES 64
#define FUZZ_FEEDS   600 /* more than a lister's pages, fewer than its members */

struct replies {
    const char *body[FUZZ_REPLIES];
    size_t len[FUZZ_REPLIES];
    size_t n;
};

static const char *const version_urls[] = {NULL, "", "/redfish/v1/Managers/1",
                                           "/redfish/v1/Managers/{first}"};
static const char *const pointers[] = {NULL, "/FirmwareVersion", "/Oem/A~1B/0", ""};

/* The reply for the k-th request. */
static void
reply_for(const struct replies *r, size_t k, struct rw_hubspoke_reply *out)
{
    static const long fail_status[] = {401, 403, 404, 500, 0, 0, 0, 0};
    static const enum rw_rc fail_rc[] = {RW_EHTTP,    RW_EHTTP,    RW_EHTTP, RW_EHTTP,
                                         RW_ECONNECT, RW_ETIMEOUT, RW_ETLS,  RW_ETOOBIG};
    const char *b = r->body[k % r->n];
    size_t len = r->len[k % r->n];

    memset(out, 0, sizeof(*out));
    if (len > 0 && (unsigned char)b[0] < 8) {
        out->rc = fail_rc[(unsigned char)b[0]];
        out->status = fail_status[(unsigned char)b[0]];
        out->msg = "fuzz failure";
        out->body = b + 1;
        out->len = len - 1;
        return;
    }
    out->rc = RW_OK;
    out->status = 200;
    out->body = b;
    out->len = len;
}

static void
run_reader(const struct replies *r, unsigned opt)
{
    regex_t re;
    struct rw_hubspoke_read_opts opts = {.version_url = version_urls[opt % 4],
                                         .version_pointer = pointers[(opt >> 2) % 4]};
    struct rw_hubspoke_reader *reader = NULL;
    struct rw_hubspoke_result res;
    struct rw_hubspoke_reply reply;
    size_t k;

    if ((opt & 0x10) && regcomp(&re, "Rack|Power", REG_EXTENDED | REG_NOSUB) == 0) {
        opts.product = &re;
        opts.product_text = "Rack|Power";
    }
    if (rw_hubspoke_reader_new(&opts, &reader, NULL) == RW_OK) {
        for (k = 0; k < FUZZ_FEEDS && rw_hubspoke_reader_next(reader) != NULL; k++) {
            if (!rw_hubspoke_path_ok(rw_hubspoke_reader_next(reader))) {
                __builtin_trap(); /* a path the server chose must still be a safe one */
            }
            reply_for(r, k, &reply);
            rw_hubspoke_reader_feed(reader, &reply);
        }
        rw_hubspoke_result_init(&res);
        rw_hubspoke_reader_report(reader, "spoke", "127.0.0.1:443", &res);
        if ((unsigned)res.status >= RW_SPOKE_STATUS_COUNT ||
            strlen(rw_hubspoke_reader_version(reader)) >= RW_VERSION_TEXT_MAX) {
            __builtin_trap();
        }
        (void)rw_hubspoke_reader_product(reader);
    }
    rw_hubspoke_reader_free(reader);
    if (opts.product != NULL) {
        regfree(&re);
    }
}

static void
check_sources(const struct rw_hubspoke_lister *l)
{
    struct rw_url url;
    size_t i, n = rw_hubspoke_lister_count(l);

    if (n > RW_HUBSPOKE_SOURCES_MAX || rw_hubspoke_lister_get(l, n) != NULL) {
        __builtin_trap();
    }
    for (i = 0; i < n; i++) {
        const struct rw_hubspoke_source *s = rw_hubspoke_lister_get(l, i);

        if (s == NULL || memchr(s->hostname, '\0', sizeof(s->hostname)) == NULL) {
            __builtin_trap();
        }
        (void)rw_hubspoke_hostname_parse(s->hostname, &url, NULL);
    }
}

static void
run_lister(const struct replies *r)
{
    struct rw_hubspoke_lister *l = NULL;
    struct rw_hubspoke_reply reply;
    const char *msg = NULL;
    size_t k;

    if (rw_hubspoke_lister_new(NULL, &l, NULL) != RW_OK) {
        return;
    }
    for (k = 0; k < FUZZ_FEEDS && rw_hubspoke_lister_next(l) != NULL; k++) {
        if (!rw_hubspoke_path_ok(rw_hubspoke_lister_next(l))) {
            __builtin_trap();
        }
        reply_for(r, k, &reply);
        rw_hubspoke_lister_feed(l, &reply);
    }
    if (rw_hubspoke_lister_status(l, &msg) != RW_OK && (msg == NULL || msg[0] == '\0')) {
        __builtin_trap();
    }
    check_sources(l);
    rw_hubspoke_lister_free(l);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_cursor c = {data, size};
    struct replies r = {.n = 0};
    unsigned opt = fuzz_byte(&c);

    while (r.n < FUZZ_REPLIES && fuzz_chunk(&c, &r.body[r.n], &r.len[r.n])) {
        r.n++;
    }
    if (r.n == 0) {
        return 0;
    }
    run_reader(&r, opt);
    run_lister(&r);
    return 0;
}

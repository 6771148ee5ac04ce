/*
 * emu_fault: the fault flags: what each request suffers before it is answered and how
 * its body is sent.
 */
#ifndef EMU_FAULT_H
#define EMU_FAULT_H

#include <stdint.h>

#include <microhttpd.h>

#include "emu_int.h"

/* What happens to one request before the handlers see it. */
struct emu_fault_plan {
    int64_t delay_ms; /* sleep this long first */
    int drop;         /* close the connection without an answer */
    unsigned status;  /* answer this error instead (0: none) */
};

/* Rolls the dice for one request (thread-safe: ctx->rnd is atomic). */
void emu_fault_plan(struct emu_ctx *ctx, struct emu_fault_plan *plan);

/* Sleeps ms milliseconds, resuming after signals. */
void emu_fault_sleep_ms(int64_t ms);

/*
 * The libmicrohttpd response for rp's body with --bad-json, --slow-body and
 * --huge-body applied.  Takes the body out of rp.  NULL when out of memory.
 */
struct MHD_Response *emu_fault_response(const struct emu_opts *opts, struct emu_reply *rp);

#endif

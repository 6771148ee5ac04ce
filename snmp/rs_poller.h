/*
 * rs_poller: rackwatchd's polling of its configured endpoints on their schedules.
 *
 * Each endpoint is polled every poll_interval seconds (plus up to poll_jitter percent at
 * random, so a site's devices are not all asked at once) through one Redfish client
 * driven by the daemon's event loop, at most the configuration's max_polls at once (the
 * others wait their turn).  A finished poll updates the MIB tables at once and
 * the JSON state snapshot soon after (at most once a second, atomically); the endpoint's
 * part of the snapshot is kept until its next poll as text, deflated (rw_pack).  A poll that
 * overruns its budget is cancelled and counts as failed, so its data goes stale.
 */
#ifndef RS_POLLER_H
#define RS_POLLER_H

#include <stdbool.h>

#include "rs_index.h"
#include "rs_loop.h"
#include "rs_mib.h"
#include "rw_config.h"
#include "rw_log.h"

struct rs_poller;

struct rs_poller_opts {
    struct rs_loop *loop;     /* borrowed for the poller's life */
    struct rs_mib *mib;       /* borrowed */
    struct rs_index *index;   /* borrowed; saved beside the snapshot */
    const struct rw_log *log; /* borrowed; NULL: silent */
};

/* A poller with no endpoints.  curl_global_init() is main()'s.  Free with rs_poller_free(). */
RW_MUSTCHECK enum rw_rc rs_poller_new(const struct rs_poller_opts *opts, struct rs_poller **out,
                                      struct rw_err *err);

/*
 * Polls the endpoints of cfg from now on (borrowed: keep cfg until the next configure or
 * the free).  A second call replaces the endpoint set: polls in progress are dropped,
 * endpoints no longer configured leave the tables, the others keep their rows and indexes.
 */
RW_MUSTCHECK enum rw_rc rs_poller_configure(struct rs_poller *poller, const struct rw_config *cfg,
                                            struct rw_err *err);

/*
 * Starts shutting down: polls are cancelled, the snapshot is written, every session is
 * logged out.  Keep running the loop until rs_poller_idle() or a deadline.
 */
void rs_poller_shutdown(struct rs_poller *poller);

/* True when nothing is left in flight (after rs_poller_shutdown: the logouts are done). */
bool rs_poller_idle(const struct rs_poller *poller);

/* Polls finished since the start, and how many of them failed (for logs and tests). */
void rs_poller_counts(const struct rs_poller *poller, unsigned long *polls, unsigned long *failed);

/* Frees the poller; NULL does nothing. */
void rs_poller_free(struct rs_poller *poller);

#endif

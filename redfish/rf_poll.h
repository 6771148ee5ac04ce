/*
 * rf_poll: one poll of one endpoint: the crawl plan (rf_crawl) driven over the client
 * (rf_client).  It keeps up to max_in_flight of the crawl's URIs in the client at once,
 * feeds every answer back, and hands the finished model to a done function.
 *
 * Works with either client driver: the caller runs rf_client_run() (rackwatch poll, the
 * plugins) or its event loop (rackwatchd).  A poll whose budget runs out is cancelled:
 * the model comes out failed with the reason, and answers still on the wire are dropped
 * when they arrive.
 */
#ifndef RF_POLL_H
#define RF_POLL_H

#include <stdbool.h>
#include <stdint.h>

#include "rf_client.h"
#include "rf_model.h"
#include "rw_err.h"

struct rf_poll;

struct rf_poll_opts {
    const char *name;  /* the endpoint's configured name, copied into the model */
    const char *url;   /* its URL, copied into the model */
    enum rf_kind kind; /* pdu, server or auto */
    bool expand;       /* use $expand where the service offers it */
    int max_in_flight; /* URIs in the client at once; 0: RF_DEFAULT_MAX_IN_FLIGHT */
};

/*
 * Called once with the model of the finished poll; ownership of ep passes to the
 * callee (free with rf_endpoint_free()).  ep is NULL only when memory ran out.  The done
 * function may free the poll.
 */
typedef void rf_poll_done_fn(struct rf_endpoint *ep, void *ctx);

/*
 * Starts polling service with client; done(ep, ctx) runs from the client's driver (or
 * from inside this call when the first request cannot even be queued).  *out is the caller's to
 * free with rf_poll_free() (also after done has run).  RW_ENOMEM; the first request's RW_EINVAL.
 */
RW_MUSTCHECK enum rw_rc rf_poll_start(struct rf_client *client, struct rf_service *service,
                                      const struct rf_poll_opts *opts, rf_poll_done_fn *done,
                                      void *ctx, struct rf_poll **out, struct rw_err *err);

/* Ends the poll now with why as its error (done runs now) unless it already finished. */
void rf_poll_cancel(struct rf_poll *poll, const char *why);

/* True once done has run. */
bool rf_poll_finished(const struct rf_poll *poll);

/*
 * Frees the poll.  Answers of requests still in the client are dropped when they come:
 * the poll's memory lives until the last one is back.  NULL does nothing.
 */
void rf_poll_free(struct rf_poll *poll);

#endif

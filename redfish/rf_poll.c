#include "rf_poll.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rf_crawl.h"

#define RF_POLL_BATCH 64 /* URIs asked of the crawl at once */

struct rf_poll {
    struct rf_client *client;
    struct rf_service *service;
    struct rf_crawl *crawl;
    rf_poll_done_fn *done;
    void *ctx;
    char *name, *url;
    int max_in_flight;
    int in_client; /* our requests still in the client */
    int64_t start_ms;
    time_t start_time;
    bool finished; /* done has run */
    bool released; /* rf_poll_free was called: free when in_client drops to 0 */
    bool pumping;  /* guards against re-entering pump() from a done callback */
};

/* One request in the client: the URI string the crawl handed out, borrowed from it. */
struct poll_req {
    struct rf_poll *poll;
    const char *uri;
};

static void pump(struct rf_poll *poll);

static void
destroy(struct rf_poll *poll)
{
    rf_crawl_free(poll->crawl);
    free(poll->name);
    free(poll->url);
    free(poll);
}

/* Hands the model to the done function; the crawl must be done. */
static void
finish(struct rf_poll *poll)
{
    struct rf_endpoint *ep = rf_crawl_take(poll->crawl);
    struct rw_err err = {RW_OK, ""};

    poll->finished = true;
    if (ep != NULL) {
        if (rf_str_set(&ep->name, poll->name, &err) != RW_OK ||
            rf_str_set(&ep->url, poll->url, &err) != RW_OK) {
            rf_endpoint_fail(ep, "%s", err.msg);
        }
        ep->polled_at = (int64_t)poll->start_time;
        ep->duration_ms = rf_client_now_ms() - poll->start_ms;
    }
    poll->done(ep, poll->ctx);
}

static void
on_answer(const struct rf_result *res, void *ctx)
{
    struct poll_req *req = ctx;
    struct rf_poll *poll = req->poll;
    struct rw_err err = {RW_OK, ""};

    enum rw_rc rc;

    poll->in_client--;
    if (!poll->finished && !rf_crawl_done(poll->crawl)) {
        if (res->rc == RW_OK) {
            rc = rf_crawl_feed(poll->crawl, req->uri, res->body, res->body_len, &err);
        } else {
            rc = rf_crawl_fail(poll->crawl, req->uri, res->rc, res->msg, &err);
        }
        if (rc != RW_OK) {
            rf_crawl_cancel(poll->crawl, err.msg);
        }
    }
    free(req);
    if (poll->released) {
        if (poll->in_client == 0) {
            destroy(poll);
        }
        return;
    }
    pump(poll);
}

/* Queues one URI; on failure the crawl is told so, as if the server had failed it. */
static void
send_one(struct rf_poll *poll, const char *uri)
{
    struct poll_req *req = malloc(sizeof(*req));
    struct rw_err err = {RW_OK, ""};
    char why[RW_ERR_MSG_MAX];

    if (req == NULL) {
        rf_crawl_cancel(poll->crawl, "out of memory");
        return;
    }
    req->poll = poll;
    req->uri = uri;
    if (rf_client_get(poll->client, poll->service, uri, on_answer, req, &err) != RW_OK) {
        free(req);
        memcpy(why, err.msg, sizeof(why));
        if (rf_crawl_fail(poll->crawl, uri, err.code, why, &err) != RW_OK) {
            rf_crawl_cancel(poll->crawl, err.msg);
        }
        return;
    }
    poll->in_client++;
}

/* Keeps the client busy with the crawl's next URIs; finishes the poll when it is done. */
static void
pump(struct rf_poll *poll)
{
    const char *uris[RF_POLL_BATCH];
    size_t n = 1, i, room;
    struct rw_err err = {RW_OK, ""};

    if (poll->pumping || poll->finished) {
        return;
    }
    poll->pumping = true;
    while (n > 0 && !rf_crawl_done(poll->crawl) && poll->in_client < poll->max_in_flight) {
        room = (size_t)(poll->max_in_flight - poll->in_client);
        room = room < RF_POLL_BATCH ? room : RF_POLL_BATCH;
        if (rf_crawl_next(poll->crawl, uris, room, &n, &err) != RW_OK) {
            rf_crawl_cancel(poll->crawl, err.msg);
            break;
        }
        for (i = 0; i < n; i++) {
            send_one(poll, uris[i]);
        }
    }
    poll->pumping = false;
    if (rf_crawl_done(poll->crawl)) {
        finish(poll);
    }
}

enum rw_rc
rf_poll_start(struct rf_client *client, struct rf_service *service, const struct rf_poll_opts *opts,
              rf_poll_done_fn *done, void *ctx, struct rf_poll **out, struct rw_err *err)
{
    struct rf_poll *poll = calloc(1, sizeof(*poll));

    *out = NULL;
    if (poll == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory starting a poll");
    }
    poll->client = client;
    poll->service = service;
    poll->done = done;
    poll->ctx = ctx;
    poll->max_in_flight = opts->max_in_flight > 0 ? opts->max_in_flight : RF_DEFAULT_MAX_IN_FLIGHT;
    poll->crawl = rf_crawl_new(opts->kind, opts->expand);
    poll->name = opts->name != NULL ? strdup(opts->name) : NULL;
    poll->url = opts->url != NULL ? strdup(opts->url) : NULL;
    if (poll->crawl == NULL || (opts->name != NULL && poll->name == NULL) ||
        (opts->url != NULL && poll->url == NULL)) {
        destroy(poll);
        return rw_err_set(err, RW_ENOMEM, "out of memory starting a poll");
    }
    poll->start_ms = rf_client_now_ms();
    poll->start_time = time(NULL);
    /* The first URIs go out now.  Done runs here only if the very first request cannot be
     * queued (its path is refused): the crawl then has nothing left to wait for. */
    pump(poll);
    *out = poll;
    return RW_OK;
}

void
rf_poll_cancel(struct rf_poll *poll, const char *why)
{
    if (poll == NULL || poll->finished) {
        return;
    }
    rf_crawl_cancel(poll->crawl, why);
    finish(poll);
}

bool
rf_poll_finished(const struct rf_poll *poll)
{
    return poll->finished;
}

void
rf_poll_free(struct rf_poll *poll)
{
    if (poll == NULL) {
        return;
    }
    if (poll->in_client > 0) {
        poll->released = true; /* on_answer frees it when the last answer comes */
        return;
    }
    destroy(poll);
}

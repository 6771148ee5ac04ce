#include "rs_poller.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h> /* malloc_trim */
#endif

#include "rf_client.h"
#include "rf_config.h"
#include "rf_poll.h"
#include "rf_snapshot.h"
#include "rw_pack.h"

#define RS_SAVE_DELAY_MS   1000 /* a snapshot at most once a second */
#define RS_FIRST_SPREAD_MS 2000 /* first polls spread over this much */
/*
 * Past this many endpoints the client drops a service's connections once its poll is
 * done.  Kept-alive connections cost ~2 fds and tens of KiB of libcurl buffers each per
 * endpoint (1,890 fds and most of the heap at 1,000 endpoints), and polls a minute
 * apart outlive most BMCs' keep-alive timeouts anyway; a handful of endpoints may keep
 * theirs and skip the TLS handshakes.
 */
#define RS_KEEP_ALIVE_ENDPOINTS_MAX 32
/*
 * Endpoints polled at once is the configuration's max_polls; the others wait their turn
 * in the order their timers fired.  A poll in progress holds its service's connections,
 * easy handles and libcurl buffers from its first request to its last, whatever the
 * client's cap on requests in flight: ~100-130 KB a poll, nearly all of it the TLS
 * connection (libcurl 7.88 makes an OpenSSL 3 context for each).  With every endpoint
 * started at once, 1,000 endpoints of 48 outlets peaked at 47 MB of libcurl memory.
 * Requests in flight over all endpoints: two per poll slot, each BMC's own limit.
 */
#define RS_IN_FLIGHT_PER_POLL 2

struct ep_state {
    struct rs_poller *poller;
    const struct rw_config_target *target; /* borrowed from the configuration */
    struct rf_service *service;            /* borrowed from the client */
    struct rf_poll *poll;
    struct rs_timer next, budget;
    struct rw_pack *latest;      /* the last poll's part of the snapshot, deflated */
    char *logged_error;          /* the failure last logged; NULL while the endpoint answers */
    unsigned long failed_in_row; /* polls failed since the last that succeeded */
    bool running;                /* counted in the poller's running */
    unsigned long waiting;       /* 0, or its place in the line for a poll slot */
};

struct rs_poller {
    struct rs_poller_opts opts;
    const struct rw_config *cfg;
    struct rf_client *client;
    struct ep_state *eps;
    size_t n;
    struct rs_timer client_timer, save_timer;
    struct rs_timer kick; /* starts waiting polls, outside the client's callbacks */
    size_t running;       /* polls in progress, at most cfg->max_polls */
    unsigned long line;   /* the last place in line handed out */
    char *index_path;
    struct rw_buf part; /* scratch text of one endpoint's part, kept between uses */
    unsigned seed;
    bool shutting_down;
    unsigned long polls, failed;
};

/* libcurl's sockets and timer, through the client, onto the daemon's loop. */
static void
on_client_fd(void *ctx, int fd, short revents)
{
    struct rs_poller *poller = ctx;
    int events = 0;

    events |= (revents & POLLIN) ? RF_EV_IN : 0;
    events |= (revents & POLLOUT) ? RF_EV_OUT : 0;
    events |= (revents & (POLLERR | POLLHUP | POLLNVAL)) ? RF_EV_ERR : 0;
    rf_client_on_fd(poller->client, fd, events);
}

static void
client_watch(void *ctx, int fd, int events)
{
    struct rs_poller *poller = ctx;
    short want = (short)(((events & RF_EV_IN) ? POLLIN : 0) | ((events & RF_EV_OUT) ? POLLOUT : 0));

    if (events == 0) {
        rs_loop_unwatch(poller->opts.loop, fd);
        return;
    }
    if (rs_loop_watch(poller->opts.loop, fd, want, on_client_fd, poller, NULL) != RW_OK) {
        rw_log(poller->opts.log, RW_LOG_ERR, "out of memory watching a Redfish connection");
    }
}

static void
client_timer_fired(void *ctx)
{
    struct rs_poller *poller = ctx;

    rf_client_on_timer(poller->client);
}

static void
client_timer(void *ctx, long timeout_ms)
{
    struct rs_poller *poller = ctx;

    if (timeout_ms < 0) {
        rs_timer_disarm(poller->opts.loop, &poller->client_timer);
        return;
    }
    rs_timer_arm(poller->opts.loop, &poller->client_timer, timeout_ms);
}

/*
 * Returns free heap pages to the kernel.  A poll round frees as much as it allocates
 * (replies, JSON trees, replaced models) in a different order, and glibc keeps the holes:
 * at 1,000 endpoints it held twice what was in use.  Called after a snapshot save, at most
 * once a second.  (Trimming after every 32 polls as well changed nothing measurable.)
 */
static void
give_back_memory(void)
{
#if defined(__GLIBC__)
    (void)malloc_trim(0);
#endif
}

/* The endpoints whose part save_state() writes, in configuration order. */
struct saved_eps {
    struct rw_pack **packs;
    size_t n;
};

static enum rw_rc
unpack_part(size_t i, void *ctx, struct rw_buf *out, struct rw_err *err)
{
    const struct saved_eps *saved = ctx;

    return rw_pack_unpack(saved->packs[i], out, err);
}

/* Writes the snapshot from every endpoint's latest part, and the index registry. */
static void
save_state(struct rs_poller *poller)
{
    struct saved_eps saved = {calloc(poller->n + 1, sizeof(*saved.packs)), 0};
    struct rw_err err;
    size_t i;

    rw_err_clear(&err);
    if (saved.packs == NULL) {
        rw_log(poller->opts.log, RW_LOG_ERR, "out of memory writing the state snapshot");
        return;
    }
    for (i = 0; i < poller->n; i++) {
        if (poller->eps[i].latest != NULL) {
            saved.packs[saved.n++] = poller->eps[i].latest;
        }
    }
    /* A failed write leaves the previous snapshot whole; the next save tries again. */
    if (rf_snapshot_save_parts(poller->cfg->state_file, saved.n, unpack_part, &saved, 0644, &err) !=
        RW_OK) {
        rw_log(poller->opts.log, RW_LOG_WARNING, "state snapshot not written: %s", err.msg);
    }
    free(saved.packs);
    give_back_memory();
    rw_err_clear(&err);
    if (rs_index_dirty(poller->opts.index) &&
        rs_index_save(poller->opts.index, poller->index_path, &err) != RW_OK) {
        rw_log(poller->opts.log, RW_LOG_WARNING, "table indexes not saved: %s", err.msg);
    }
}

static void
save_timer_fired(void *ctx)
{
    save_state(ctx);
}

static int64_t
interval_ms(struct rs_poller *poller, const struct rw_config_target *target)
{
    int64_t base = target->set.poll_interval * 1000;
    int64_t spread = base * target->set.poll_jitter / 100;

    return base + (spread > 0 ? (int64_t)(rand_r(&poller->seed) % (spread + 1)) : 0);
}

/* Frees the poll slot ep held, and has the next waiting poll started from the loop. */
static void
release_slot(struct rs_poller *poller, struct ep_state *ep)
{
    if (ep->running) {
        ep->running = false;
        poller->running--;
        rs_timer_arm(poller->opts.loop, &poller->kick, 0);
    }
}

/*
 * Keeps the model's part of the snapshot as deflated text until the next poll: ~0.9 KB
 * for a PDU of 48 outlets where its model took ~5 KB (5 MB at 1,000 PDUs), and a save
 * inflates text instead of formatting every number again.  Out of memory, the endpoint's
 * previous part stays and the failure is logged.
 */
static void
keep_part(struct rs_poller *poller, struct ep_state *ep, const struct rf_endpoint *model)
{
    struct rw_pack *pack = NULL;
    struct rw_err err;

    rw_err_clear(&err);
    rw_buf_reset(&poller->part);
    if (rf_snapshot_format_endpoint(model, &poller->part, &err) != RW_OK ||
        rw_pack_new(rw_buf_str(&poller->part), rw_buf_len(&poller->part), &pack, &err) != RW_OK) {
        rw_log(poller->opts.log, RW_LOG_ERR, "%s: snapshot not updated: %s", ep->target->name,
               err.msg);
        return;
    }
    rw_pack_free(ep->latest);
    ep->latest = pack;
}

/* Skips a run of digits followed by " ms" at *p; true when there was one. */
static bool
skip_millis(const char **p)
{
    const char *q = *p;

    while (*q >= '0' && *q <= '9') {
        q++;
    }
    if (q == *p || strncmp(q, " ms", 3) != 0) {
        return false;
    }
    *p = q + 3;
    return true;
}

/*
 * The same reason for a failure: equal texts but for durations ("after 1 ms" and "after
 * 0 ms" in libcurl's connect errors), which differ from poll to poll.
 */
static bool
same_reason(const char *a, const char *b)
{
    while (*a != '\0' && *b != '\0') {
        const char *a0 = a, *b0 = b;

        if (skip_millis(&a) && skip_millis(&b)) {
            continue;
        }
        a = a0;
        b = b0;
        if (*a++ != *b++) {
            return false;
        }
    }
    return *a == *b;
}

/*
 * Logs a poll's failure when it starts or its reason changes, and the recovery, instead
 * of the same line every poll_interval for as long as a device is down: the log of a
 * night's outage reads as when it began, why, and when it ended.
 */
static void
log_outcome(struct rs_poller *poller, struct ep_state *ep, const struct rf_endpoint *model)
{
    if (model->ok) {
        if (ep->logged_error != NULL) {
            rw_log(poller->opts.log, RW_LOG_WARNING, "%s: answers again after %lu failed poll%s",
                   ep->target->name, ep->failed_in_row, ep->failed_in_row == 1 ? "" : "s");
            free(ep->logged_error);
            ep->logged_error = NULL;
        }
        ep->failed_in_row = 0;
        return;
    }
    ep->failed_in_row++;
    if (ep->logged_error != NULL && same_reason(ep->logged_error, model->error)) {
        return;
    }
    rw_log(poller->opts.log, RW_LOG_WARNING, "%s: %s", ep->target->name, model->error);
    free(ep->logged_error);
    ep->logged_error = strdup(model->error); /* NULL out of memory: logged again next time */
}

static void
on_polled(struct rf_endpoint *model, void *ctx)
{
    struct ep_state *ep = ctx;
    struct rs_poller *poller = ep->poller;
    struct rw_err err;

    rw_err_clear(&err);
    rs_timer_disarm(poller->opts.loop, &ep->budget);
    release_slot(poller, ep);
    /* The finished poll's crawl state is not needed until the next poll: free it now (a
       done function may), so that a site of 1000 PDUs does not keep 1000 of them. */
    rf_poll_free(ep->poll);
    ep->poll = NULL;
    poller->polls++;
    if (model == NULL) {
        rw_log(poller->opts.log, RW_LOG_ERR, "%s: out of memory polling", ep->target->name);
    } else {
        poller->failed += !model->ok;
        log_outcome(poller, ep, model);
        if (rs_mib_update(poller->opts.mib, model, time(NULL), &err) != RW_OK) {
            rw_log(poller->opts.log, RW_LOG_ERR, "%s: tables not updated: %s", ep->target->name,
                   err.msg);
        }
        keep_part(poller, ep, model);
        rf_endpoint_free(model);
    }
    if (!poller->save_timer.armed) {
        rs_timer_arm(poller->opts.loop, &poller->save_timer, RS_SAVE_DELAY_MS);
    }
    if (!poller->shutting_down) {
        rs_timer_arm(poller->opts.loop, &ep->next, interval_ms(poller, ep->target));
    }
}

static void
budget_spent(void *ctx)
{
    struct ep_state *ep = ctx;
    char why[96];

    (void)snprintf(why, sizeof(why), "poll took longer than %.0f s", ep->target->set.timeout * 6.0);
    rf_poll_cancel(ep->poll, why); /* runs on_polled */
}

static void
begin_poll(struct ep_state *ep)
{
    struct rs_poller *poller = ep->poller;
    struct rf_poll_opts popts;
    struct rw_err err;

    rw_err_clear(&err);
    rf_poll_free(ep->poll);
    ep->poll = NULL;
    rf_config_poll(ep->target, &popts);
    rs_timer_arm(poller->opts.loop, &ep->budget, (int64_t)(ep->target->set.timeout * 6000.0));
    if (rf_poll_start(poller->client, ep->service, &popts, on_polled, ep, &ep->poll, &err) !=
        RW_OK) {
        rw_log(poller->opts.log, RW_LOG_ERR, "%s: cannot poll: %s", ep->target->name, err.msg);
        rs_timer_disarm(poller->opts.loop, &ep->budget);
        rs_timer_arm(poller->opts.loop, &ep->next, interval_ms(poller, ep->target));
        return;
    }
    ep->running = true;
    poller->running++;
}

/* The endpoint's timer fired: poll now, or wait in line for a slot. */
static void
start_poll(void *ctx)
{
    struct ep_state *ep = ctx;
    struct rs_poller *poller = ep->poller;

    if (poller->running >= (size_t)poller->cfg->max_polls) {
        ep->waiting = ++poller->line;
        return;
    }
    begin_poll(ep);
}

/* The first in line of the waiting endpoints, or NULL. */
static struct ep_state *
first_waiting(struct rs_poller *poller)
{
    struct ep_state *first = NULL;
    size_t i;

    for (i = 0; i < poller->n; i++) {
        if (poller->eps[i].waiting != 0 &&
            (first == NULL || poller->eps[i].waiting < first->waiting)) {
            first = &poller->eps[i];
        }
    }
    return first;
}

/* Fills free poll slots with waiting endpoints, first come first served. */
static void
start_waiting(void *ctx)
{
    struct rs_poller *poller = ctx;
    struct ep_state *ep;

    while (!poller->shutting_down && poller->running < (size_t)poller->cfg->max_polls &&
           (ep = first_waiting(poller)) != NULL) {
        ep->waiting = 0;
        begin_poll(ep);
    }
}

/* Drops the endpoint's timers and poll (answers on the wire are dropped when they come). */
static void
stop_endpoint(struct rs_poller *poller, struct ep_state *ep)
{
    rs_timer_disarm(poller->opts.loop, &ep->next);
    rs_timer_disarm(poller->opts.loop, &ep->budget);
    rf_poll_free(ep->poll);
    ep->poll = NULL;
    ep->waiting = 0;
    release_slot(poller, ep);
}

/* Takes the old endpoint set apart: rows of endpoints cfg no longer has leave the tables;
 * the latest snapshot parts of the others move to the new set. */
static void
retire_old(struct rs_poller *poller, struct ep_state *old, size_t n_old)
{
    size_t i, j;

    for (i = 0; i < n_old; i++) {
        stop_endpoint(poller, &old[i]);
        for (j = 0; j < poller->n; j++) {
            if (strcmp(poller->eps[j].target->name, old[i].target->name) == 0) {
                poller->eps[j].latest = old[i].latest;
                poller->eps[j].logged_error = old[i].logged_error;
                poller->eps[j].failed_in_row = old[i].failed_in_row;
                old[i].latest = NULL;
                old[i].logged_error = NULL;
                break;
            }
        }
        if (j == poller->n) {
            rs_mib_endpoint_remove(poller->opts.mib, old[i].target->name);
        }
        rw_pack_free(old[i].latest);
        free(old[i].logged_error);
    }
    free(old);
}

/* A client on the daemon's loop, with a service for every endpoint of cfg in eps. */
static enum rw_rc
build_client(struct rs_poller *poller, const struct rw_config *cfg, struct ep_state *eps,
             struct rf_client **out, struct rw_err *err)
{
    struct rf_client_opts copts = {.log = poller->opts.log,
                                   .max_total = (int)(RS_IN_FLIGHT_PER_POLL * cfg->max_polls),
                                   .close_idle = cfg->n_endpoints > RS_KEEP_ALIVE_ENDPOINTS_MAX};
    size_t i;

    if (rf_client_new(&copts, out, err) != RW_OK ||
        rf_client_set_loop(*out, client_watch, client_timer, poller, err) != RW_OK) {
        return err->code;
    }
    for (i = 0; i < cfg->n_endpoints; i++) {
        struct rf_service_opts svc;

        eps[i].poller = poller;
        eps[i].target = &cfg->endpoints[i];
        rs_timer_init(&eps[i].next, start_poll, &eps[i]);
        rs_timer_init(&eps[i].budget, budget_spent, &eps[i]);
        rf_config_service(eps[i].target, &svc);
        if (rf_client_add(*out, &svc, &eps[i].service, err) != RW_OK) {
            return rw_err_set(err, err->code, "%s: %s", eps[i].target->name, err->msg);
        }
    }
    return RW_OK;
}

/* Declares every endpoint in the tables and spreads their first polls. */
static enum rw_rc
start_endpoints(struct rs_poller *poller, struct rw_err *err)
{
    size_t i;

    for (i = 0; i < poller->n; i++) {
        const struct rw_config_target *target = poller->eps[i].target;

        if (rs_mib_endpoint_declare(poller->opts.mib, target->name, target->url_text,
                                    rf_config_kind(target->kind), err) != RW_OK) {
            return err->code;
        }
        rs_timer_arm(poller->opts.loop, &poller->eps[i].next,
                     rand_r(&poller->seed) % RS_FIRST_SPREAD_MS);
    }
    return RW_OK;
}

/* At the first configuration: the indexes rows had before a restart. */
static void
load_indexes(struct rs_poller *poller)
{
    struct rw_err err;

    rw_err_clear(&err);
    if (rs_index_load(poller->opts.index, poller->index_path, &err) != RW_OK) {
        rw_log(poller->opts.log, RW_LOG_WARNING, "table indexes not restored: %s", err.msg);
    }
}

static char *
index_path_for(const char *state_file)
{
    size_t len = strlen(state_file) + sizeof(".indexes");
    char *path = malloc(len);

    if (path != NULL) {
        (void)snprintf(path, len, "%s.indexes", state_file);
    }
    return path;
}

enum rw_rc
rs_poller_configure(struct rs_poller *poller, const struct rw_config *cfg, struct rw_err *err)
{
    struct ep_state *eps = calloc(cfg->n_endpoints + 1, sizeof(*eps)), *old = poller->eps;
    struct rf_client *client = NULL;
    char *index_path = index_path_for(cfg->state_file);
    size_t n_old = poller->n, i;

    if (eps == NULL || index_path == NULL) {
        free(eps);
        free(index_path);
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    /* The new set is built aside: if it cannot be, the running one goes on untouched. */
    if (build_client(poller, cfg, eps, &client, err) != RW_OK) {
        rf_client_free(client);
        free(eps);
        free(index_path);
        return err->code;
    }
    for (i = 0; i < n_old; i++) {
        stop_endpoint(poller, &old[i]);
    }
    rf_client_free(poller->client); /* its requests complete and are dropped */
    poller->client = client;
    poller->eps = eps;
    poller->n = cfg->n_endpoints;
    poller->cfg = cfg;
    free(poller->index_path);
    poller->index_path = index_path;
    if (n_old == 0 && old == NULL) {
        load_indexes(poller);
    }
    retire_old(poller, old, n_old);
    return start_endpoints(poller, err);
}

enum rw_rc
rs_poller_new(const struct rs_poller_opts *opts, struct rs_poller **out, struct rw_err *err)
{
    struct rs_poller *poller = calloc(1, sizeof(*poller));

    *out = NULL;
    if (poller == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory creating the poller");
    }
    poller->opts = *opts;
    rw_buf_init(&poller->part, RF_SNAPSHOT_MAX);
    poller->seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    rs_timer_init(&poller->client_timer, client_timer_fired, poller);
    rs_timer_init(&poller->save_timer, save_timer_fired, poller);
    rs_timer_init(&poller->kick, start_waiting, poller);
    *out = poller;
    return RW_OK;
}

void
rs_poller_shutdown(struct rs_poller *poller)
{
    size_t i;

    poller->shutting_down = true;
    for (i = 0; i < poller->n; i++) {
        stop_endpoint(poller, &poller->eps[i]);
    }
    rs_timer_disarm(poller->opts.loop, &poller->save_timer);
    if (poller->cfg != NULL) {
        save_state(poller);
    }
    if (poller->client != NULL) {
        rf_client_logout_all(poller->client);
    }
}

bool
rs_poller_idle(const struct rs_poller *poller)
{
    return poller->client == NULL || rf_client_pending(poller->client) == 0;
}

void
rs_poller_counts(const struct rs_poller *poller, unsigned long *polls, unsigned long *failed)
{
    *polls = poller->polls;
    *failed = poller->failed;
}

void
rs_poller_free(struct rs_poller *poller)
{
    size_t i;

    if (poller == NULL) {
        return;
    }
    for (i = 0; i < poller->n; i++) {
        stop_endpoint(poller, &poller->eps[i]);
    }
    rf_client_free(poller->client);
    for (i = 0; i < poller->n; i++) {
        rw_pack_free(poller->eps[i].latest);
        free(poller->eps[i].logged_error);
    }
    rs_timer_disarm(poller->opts.loop, &poller->client_timer);
    rs_timer_disarm(poller->opts.loop, &poller->save_timer);
    rs_timer_disarm(poller->opts.loop, &poller->kick);
    free(poller->eps);
    free(poller->index_path);
    rw_buf_free(&poller->part);
    free(poller);
}

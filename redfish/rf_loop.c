/*
 * rf_loop: the drivers of the Redfish client.  libcurl always runs through its socket API
 * (CURLMOPT_SOCKETFUNCTION/TIMERFUNCTION, curl_multi_socket_action): either into the
 * caller's event loop (rf_client_set_loop()) or into the small epoll loop of
 * rf_client_run().  Both therefore run exactly the same code, and the work per wake-up is
 * proportional to the sockets that are ready, not to the transfers in flight.
 */
#include "rf_client_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#define RF_EPOLL_BATCH 64

int64_t
rf_client_now_ms(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * A map by fd (elements of elem bytes, new ones zeroed) grown to hold index fd: the new
 * block, *cap updated; NULL (map and *cap unchanged) when it cannot grow.  The maps are
 * sized by the highest fd seen, which the kernel keeps low.
 */
static void *
map_grow(void *map, int *cap, int fd, size_t elem)
{
    int n = *cap > 0 ? *cap : 256;
    char *grown;

    while (n <= fd) {
        n *= 2;
    }
    grown = realloc(map, elem * (size_t)n);
    if (grown == NULL) {
        return NULL;
    }
    memset(grown + elem * (size_t)*cap, 0, elem * (size_t)(n - *cap));
    *cap = n;
    return grown;
}

/* Records which shard fd belongs to (NULL: none); 0 when the map cannot grow. */
static int
fd_map(struct rf_client *c, int fd, struct rf_shard *shard)
{
    struct rf_shard **grown;

    if (fd >= c->fd_cap) {
        if (shard == NULL) {
            return 1;
        }
        grown = map_grow(c->fd_shard, &c->fd_cap, fd, sizeof(*grown));
        if (grown == NULL) {
            return 0;
        }
        c->fd_shard = grown;
    }
    c->fd_shard[fd] = shard;
    return 1;
}

int
rf_loop_own(struct rf_client *c, int fd, struct rf_conn *conn)
{
    struct rf_conn **grown;

    if (fd >= c->fd_conn_cap) {
        grown = map_grow(c->fd_conn, &c->fd_conn_cap, fd, sizeof(*grown));
        if (grown == NULL) {
            return 0;
        }
        c->fd_conn = grown;
    }
    c->fd_conn[fd] = conn;
    return 1;
}

void
rf_loop_watch(struct rf_client *c, int fd, int events)
{
    c->watch(c->loop_ctx, fd, events);
}

void
rf_loop_unwatch(struct rf_client *c, int fd)
{
    if (fd >= 0 && fd < c->fd_conn_cap) {
        c->fd_conn[fd] = NULL;
    }
    c->watch(c->loop_ctx, fd, 0);
}

void
rf_loop_deadline(struct rf_client *c, int64_t due)
{
    if (c->conn_due < 0 || due < c->conn_due) {
        c->conn_due = due;
    }
}

/* CURLMOPT_SOCKETFUNCTION: passes curl's interest in a socket to the loop. */
static int
on_curl_socket(CURL *easy, curl_socket_t fd, int what, void *arg, void *sockp)
{
    struct rf_shard *shard = arg;
    struct rf_client *c = shard->client;
    int events = 0;

    (void)easy;
    (void)sockp;
    if (fd < 0 || !fd_map(c, (int)fd, what == CURL_POLL_REMOVE ? NULL : shard)) {
        return -1; /* out of memory: curl fails the transfer */
    }
    if (what == CURL_POLL_IN || what == CURL_POLL_INOUT) {
        events |= RF_EV_IN;
    }
    if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT) {
        events |= RF_EV_OUT;
    }
    c->watch(c->loop_ctx, (int)fd, events);
    return 0;
}

/* CURLMOPT_TIMERFUNCTION: records when curl wants its timeout action; arms the loop. */
static int
on_curl_timer(CURLM *multi, long timeout_ms, void *arg)
{
    struct rf_shard *shard = arg;

    (void)multi;
    shard->curl_due = timeout_ms < 0 ? -1 : rf_client_now_ms() + timeout_ms;
    rf_loop_arm(shard->client);
    return 0;
}

/*
 * What the built-in loop knows of an fd in its epoll set (rf_client.ep_state[fd]).  A kept
 * connection leaves curl's watch when its request ends and comes back with the next one:
 * instead of EPOLL_CTL_DEL then ADD each time (with a failed MOD before the ADD, 3.3
 * epoll_ctl per warm request, strace at 100 PDUs), an idle socket stays in the set until
 * it is wanted again (one MOD) or reports readiness nobody asked for (then DEL).  A closed
 * fd leaves the set by itself; its number coming back as another socket then meets ENOENT
 * on MOD and is added.
 */
#define RF_EPS_IN     0x01 /* registered for EPOLLIN */
#define RF_EPS_OUT    0x02 /* registered for EPOLLOUT */
#define RF_EPS_SET    0x04 /* in the epoll set, unless closed since */
#define RF_EPS_WANTED 0x08 /* curl watches it */

/* The state of fd, the map grown as needed; NULL when it cannot grow. */
static unsigned char *
ep_state(struct rf_client *c, int fd)
{
    unsigned char *grown;

    if (fd >= c->ep_cap) {
        grown = map_grow(c->ep_state, &c->ep_cap, fd, sizeof(*grown));
        if (grown == NULL) {
            return NULL;
        }
        c->ep_state = grown;
    }
    return &c->ep_state[fd];
}

/* Puts fd in the epoll set for events (RF_EV_IN/OUT); 0 when epoll refused. */
static int
epoll_set(struct rf_client *c, int fd, int events, int in_set)
{
    struct epoll_event ev;

    memset(&ev, 0, sizeof(ev));
    ev.data.fd = fd;
    ev.events = ((events & RF_EV_IN) ? EPOLLIN : 0) | ((events & RF_EV_OUT) ? EPOLLOUT : 0);
    if (in_set) {
        if (epoll_ctl(c->epfd, EPOLL_CTL_MOD, fd, &ev) == 0) {
            return 1;
        }
        return errno == ENOENT && epoll_ctl(c->epfd, EPOLL_CTL_ADD, fd, &ev) == 0;
    }
    if (epoll_ctl(c->epfd, EPOLL_CTL_ADD, fd, &ev) == 0) {
        return 1;
    }
    return errno == EEXIST && epoll_ctl(c->epfd, EPOLL_CTL_MOD, fd, &ev) == 0;
}

/* The built-in loop's watch hook. */
static void
epoll_watch(void *arg, int fd, int events)
{
    struct rf_client *c = arg;
    unsigned char *st = ep_state(c, fd);
    unsigned char want = (unsigned char)(events & (RF_EV_IN | RF_EV_OUT));

    if (events == 0) {
        /* Left in the set for input only: an idle socket is always writable. */
        if (st == NULL || (*st & RF_EPS_OUT)) {
            (void)epoll_ctl(c->epfd, EPOLL_CTL_DEL, fd, NULL);
            want = 0;
        } else {
            want = *st & (RF_EPS_IN | RF_EPS_SET);
        }
        if (st != NULL) {
            *st = want;
        }
        return;
    }
    if (st != NULL && *st == (want | RF_EPS_SET | RF_EPS_WANTED)) {
        return;
    }
    /* On failure curl's timeout still ends the transfer. */
    if (epoll_set(c, fd, events, st == NULL || (*st & RF_EPS_SET)) && st != NULL) {
        *st = want | RF_EPS_SET | RF_EPS_WANTED;
    } else if (st != NULL) {
        *st = 0;
    }
}

/* True (and out of the set) when fd woke the loop while nobody watches it. */
static int
epoll_unwanted(struct rf_client *c, int fd)
{
    if (fd < 0 || fd >= c->ep_cap || (c->ep_state[fd] & RF_EPS_WANTED) ||
        !(c->ep_state[fd] & RF_EPS_SET)) {
        return 0;
    }
    (void)epoll_ctl(c->epfd, EPOLL_CTL_DEL, fd, NULL);
    c->ep_state[fd] = 0;
    return 1;
}

/* The built-in loop's timer hook. */
static void
epoll_timer(void *arg, long timeout_ms)
{
    struct rf_client *c = arg;

    c->internal_due = timeout_ms < 0 ? -1 : rf_client_now_ms() + timeout_ms;
}

enum rw_rc
rf_loop_init(struct rf_client *c, struct rw_err *err)
{
    c->backoff_due = -1;
    c->conn_due = -1;
    c->armed_due = -1;
    c->internal_due = -1;
    c->watch = epoll_watch;
    c->timer = epoll_timer;
    c->loop_ctx = c;
    c->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (c->epfd < 0) {
        return rw_err_set(err, RW_ENOMEM, "epoll_create1: %s", strerror(errno));
    }
    return RW_OK;
}

/* Closes the shard's multi handle and with it every connection it keeps. */
static void
shard_close(struct rf_shard *shard)
{
    if (shard->multi != NULL) {
        (void)curl_multi_cleanup(shard->multi);
        shard->multi = NULL;
    }
    shard->curl_due = -1;
}

/* Frees a shard and its multi handle (closing its connections). */
static void
shard_free(struct rf_shard *shard)
{
    if (shard != NULL) {
        shard_close(shard);
        free(shard);
    }
}

enum rw_rc
rf_loop_open(struct rf_shard *shard, struct rw_err *err)
{
    int bad = 0;

    if (shard->multi != NULL) {
        return RW_OK;
    }
    shard->multi = curl_multi_init();
    if (shard->multi == NULL) {
        return rw_err_set(err, RW_ENOMEM, "cannot create a curl multi handle");
    }
    bad |= curl_multi_setopt(shard->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket) != CURLM_OK;
    bad |= curl_multi_setopt(shard->multi, CURLMOPT_SOCKETDATA, shard) != CURLM_OK;
    bad |= curl_multi_setopt(shard->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer) != CURLM_OK;
    bad |= curl_multi_setopt(shard->multi, CURLMOPT_TIMERDATA, shard) != CURLM_OK;
    bad |=
        curl_multi_setopt(shard->multi, CURLMOPT_MAXCONNECTS, rf_loop_max_conns(shard)) != CURLM_OK;
    if (bad) {
        shard_close(shard);
        return rw_err_set(err, RW_ENOMEM, "cannot set up a curl multi handle");
    }
    return RW_OK;
}

long
rf_loop_max_conns(const struct rf_shard *shard)
{
    /* The cache holds the kept connections (rf_conn.c), one per request slot of every
     * service, which libcurl counts as idle: a smaller cap and it closes them to make room.
     * Twice as many: a connection being replaced may linger beside its successor. */
    return 2L * shard->max_conns + 1;
}

/* A new shard wired to the client's loop; a solo one opens its multi on first use.  NULL
 * when out of memory. */
static struct rf_shard *
shard_new(struct rf_client *c, int solo)
{
    struct rf_shard *shard = calloc(1, sizeof(*shard));

    if (shard == NULL) {
        return NULL;
    }
    shard->client = c;
    shard->curl_due = -1;
    shard->solo = solo;
    if (!solo && rf_loop_open(shard, NULL) != RW_OK) {
        free(shard);
        return NULL;
    }
    return shard;
}

enum rw_rc
rf_loop_shard(struct rf_client *c, struct rf_shard **out, struct rw_err *err)
{
    struct rf_shard **grown, *shard;

    /* close_idle: a service of its own per multi, the only way libcurl closes exactly one
     * service's connections (curl_multi_cleanup). */
    if (!c->close_idle && c->n_shards > 0 &&
        c->shards[c->n_shards - 1]->n_services < RF_SHARD_SERVICES) {
        *out = c->shards[c->n_shards - 1];
        return RW_OK;
    }
    grown = realloc(c->shards, sizeof(struct rf_shard *) * (size_t)(c->n_shards + 1));
    if (grown == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    c->shards = grown;
    shard = shard_new(c, c->close_idle);
    if (shard == NULL) {
        return rw_err_set(err, RW_ENOMEM, "cannot create a curl multi handle");
    }
    c->shards[c->n_shards++] = shard;
    *out = shard;
    return RW_OK;
}

void
rf_loop_maybe_idle(struct rf_service *ep)
{
    struct rf_client *c = ep->client;

    if (!c->close_idle || ep->idle_listed) {
        return;
    }
    ep->idle_listed = 1;
    ep->idle_next = c->idle_head;
    c->idle_head = ep;
}

void
rf_loop_release_idle(struct rf_client *c)
{
    struct rf_service *ep;

    /* Inside a drain curl_multi_info_read() may still walk the multi. */
    if (c->depth > 0) {
        return;
    }
    while (c->idle_head != NULL) {
        ep = c->idle_head;
        c->idle_head = ep->idle_next;
        ep->idle_listed = 0;
        if (ep->q_head != NULL || ep->in_flight > 0 || ep->backoff_until != 0) {
            continue;
        }
        rf_conn_close_all(ep); /* before the multi: it closes them */
        shard_close(ep->shard);
        rf_service_drop_spare(ep);
    }
}

void
rf_loop_cleanup(struct rf_client *c)
{
    int i;

    for (i = 0; i < c->n_shards; i++) {
        shard_free(c->shards[i]);
    }
    free(c->shards);
    c->shards = NULL;
    c->n_shards = 0;
    free(c->fd_shard);
    c->fd_shard = NULL;
    c->fd_cap = 0;
    free(c->fd_conn);
    c->fd_conn = NULL;
    c->fd_conn_cap = 0;
    free(c->ep_state);
    c->ep_state = NULL;
    c->ep_cap = 0;
    if (c->epfd >= 0) {
        (void)close(c->epfd);
        c->epfd = -1;
    }
}

/* The earliest time a shard wants curl's timeout action; -1 none. */
static int64_t
curl_due(const struct rf_client *c)
{
    int64_t due = -1;
    int i;

    for (i = 0; i < c->n_shards; i++) {
        if (c->shards[i]->curl_due >= 0 && (due < 0 || c->shards[i]->curl_due < due)) {
            due = c->shards[i]->curl_due;
        }
    }
    return due;
}

void
rf_loop_arm(struct rf_client *c)
{
    int64_t due = curl_due(c), now;

    if (c->backoff_due >= 0 && (due < 0 || c->backoff_due < due)) {
        due = c->backoff_due;
    }
    if (c->conn_due >= 0 && (due < 0 || c->conn_due < due)) {
        due = c->conn_due;
    }
    if (c->failed != NULL) {
        due = 0;
    }
    if (due == c->armed_due && due != 0) {
        return;
    }
    c->armed_due = due;
    now = rf_client_now_ms();
    c->timer(c->loop_ctx, due < 0 ? -1L : due <= now ? 0L : (long)(due - now));
}

/* Completes the requests that never started. */
static void
drain_failed(struct rf_client *c)
{
    struct rf_req *req;

    while (c->failed != NULL) {
        req = c->failed;
        c->failed = req->next;
        req->next = NULL;
        rf_req_complete(req, req->fail_rc, 0, req->errbuf);
    }
}

/* Takes req off its service's running list. */
static void
unlink_active(struct rf_req *req)
{
    struct rf_service *ep = req->ep;
    struct rf_req **at = &ep->active;

    while (*at != NULL && *at != req) {
        at = &(*at)->next;
    }
    if (*at == req) {
        *at = req->next;
    }
    req->next = NULL;
    ep->in_flight--;
    ep->client->in_flight--;
    if (ep->in_flight == 0) {
        rf_loop_maybe_idle(ep);
    }
}

/* Finishes the transfers one shard completed. */
static void
drain_shard(struct rf_shard *shard)
{
    struct rf_client *c = shard->client;
    struct rf_service *ep;
    struct rf_priv *priv;
    struct rf_req *req;
    CURLMsg *msg;
    CURLcode code;
    int left;

    while (shard->multi != NULL && (msg = curl_multi_info_read(shard->multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE) {
            continue;
        }
        priv = NULL;
        code = msg->data.result;
        (void)curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&priv);
        if (priv->kind == RF_PRIV_CONN) {
            /* It stays in the multi: removing a CONNECT_ONLY handle closes its connection. */
            rf_conn_connected((struct rf_conn *)priv, code);
            drain_failed(c);
            continue;
        }
        req = (struct rf_req *)priv;
        /* msg is invalid after this; the request is freed only after it. */
        (void)curl_multi_remove_handle(shard->multi, msg->easy_handle);
        ep = req->ep;
        unlink_active(req);
        rf_xfer_finish(req, code);
        rf_sched_kick(c);
        rf_sched_pump(ep);
        drain_failed(c);
    }
}

void
rf_loop_finished(struct rf_req *req, enum rw_rc rc, const char *msg, long status)
{
    struct rf_service *ep = req->ep;

    unlink_active(req);
    if (rc != RW_OK) {
        rf_req_complete(req, rc, 0, msg);
    } else {
        rf_xfer_status(req, status);
    }
    rf_sched_kick(ep->client);
    rf_sched_pump(ep);
}

void
rf_loop_requeue(struct rf_req *req)
{
    struct rf_service *ep = req->ep;

    unlink_active(req);
    rf_xfer_reset(req);
    rf_sched_push_front(ep, req);
    rf_sched_kick(ep->client);
    rf_sched_pump(ep);
}

void
rf_loop_connect_failed(struct rf_req *req, CURLcode code)
{
    struct rf_service *ep = req->ep;

    unlink_active(req);
    rf_xfer_finish(req, code);
    rf_sched_kick(ep->client);
    rf_sched_pump(ep);
}

/* Times out the GETs on connections past their deadline, when the earliest is due. */
static void
expire_conns(struct rf_client *c, int64_t now)
{
    struct rf_service *ep;
    int64_t due, next = -1;

    if (c->conn_due < 0 || now < c->conn_due) {
        return;
    }
    c->conn_due = -1;
    for (ep = c->eps; ep != NULL; ep = ep->next) {
        due = ep->conns != NULL ? rf_conn_expire(ep, now) : -1;
        if (due >= 0 && (next < 0 || due < next)) {
            next = due;
        }
    }
    /* Requests started by the done functions above lowered conn_due already. */
    if (next >= 0) {
        rf_loop_deadline(c, next);
    }
}

void
rf_loop_drain(struct rf_client *c)
{
    int i;

    c->depth++;
    rf_conn_reap(c);
    drain_failed(c);
    for (i = 0; i < c->n_shards; i++) {
        drain_shard(c->shards[i]);
    }
    c->depth--;
}

/* After curl or a timer did work: completions, back-offs, and the next timer. */
static void
after_action(struct rf_client *c)
{
    rf_loop_drain(c);
    rf_sched_release_backoffs(c, rf_client_now_ms());
    rf_loop_drain(c);
    rf_loop_arm(c);
}

/* Events of a kept connection's socket. */
static void
conn_fd(struct rf_client *c, struct rf_conn *conn, int events)
{
    c->depth++;
    rf_conn_on_fd(conn, events);
    rf_conn_reap(c);
    drain_failed(c);
    rf_sched_release_backoffs(c, rf_client_now_ms());
    drain_failed(c);
    c->depth--;
    rf_loop_release_idle(c);
    rf_loop_arm(c);
}

void
rf_client_on_fd(struct rf_client *c, int fd, int events)
{
    struct rf_shard *shard = fd >= 0 && fd < c->fd_cap ? c->fd_shard[fd] : NULL;
    int mask = 0, running;

    if (fd >= 0 && fd < c->fd_conn_cap && c->fd_conn[fd] != NULL) {
        conn_fd(c, c->fd_conn[fd], events);
        return;
    }
    if (shard == NULL || shard->multi == NULL) {
        return; /* a socket curl gave up already */
    }
    mask |= (events & RF_EV_IN) ? CURL_CSELECT_IN : 0;
    mask |= (events & RF_EV_OUT) ? CURL_CSELECT_OUT : 0;
    mask |= (events & RF_EV_ERR) ? CURL_CSELECT_ERR : 0;
    c->depth++;
    (void)curl_multi_socket_action(shard->multi, (curl_socket_t)fd, mask, &running);
    /* Only this shard can have finished transfers: the others were not touched. */
    rf_conn_reap(c);
    drain_failed(c);
    drain_shard(shard);
    rf_sched_release_backoffs(c, rf_client_now_ms());
    drain_failed(c);
    c->depth--;
    rf_loop_release_idle(c);
    rf_loop_arm(c);
}

void
rf_client_on_timer(struct rf_client *c)
{
    int64_t now = rf_client_now_ms();
    int running, i;

    c->armed_due = -1;
    c->depth++;
    for (i = 0; i < c->n_shards; i++) {
        if (c->shards[i]->curl_due >= 0 && now >= c->shards[i]->curl_due) {
            c->shards[i]->curl_due = -1;
            (void)curl_multi_socket_action(c->shards[i]->multi, CURL_SOCKET_TIMEOUT, 0, &running);
        }
    }
    expire_conns(c, now);
    after_action(c);
    c->depth--;
    rf_loop_release_idle(c);
    rf_loop_arm(c);
}

enum rw_rc
rf_client_set_loop(struct rf_client *c, rf_watch_fn *watch, rf_timer_fn *timer, void *ctx,
                   struct rw_err *err)
{
    if (watch == NULL || timer == NULL) {
        return rw_err_set(err, RW_EINVAL, "rf_client_set_loop: a hook is NULL");
    }
    if (c->pending != 0 || c->external) {
        return rw_err_set(err, RW_EINVAL, "rf_client_set_loop: the client is already in use");
    }
    c->external = 1;
    c->watch = watch;
    c->timer = timer;
    c->loop_ctx = ctx;
    c->armed_due = -1;
    rf_loop_arm(c);
    return RW_OK;
}

/* Milliseconds epoll may sleep: until the client's timer or the deadline. */
static int
epoll_wait_ms(const struct rf_client *c, int64_t deadline_ms)
{
    int64_t now = rf_client_now_ms(), due = c->internal_due;

    if (deadline_ms > 0 && (due < 0 || deadline_ms < due)) {
        due = deadline_ms;
    }
    if (due < 0) {
        return 1000; /* nothing armed yet: look again soon */
    }
    if (due <= now) {
        return 0;
    }
    return due - now > 60000 ? 60000 : (int)(due - now);
}

/* One epoll round: waits, then hands ready sockets and an expired timer to the client. */
static enum rw_rc
epoll_round(struct rf_client *c, int64_t deadline_ms, struct rw_err *err)
{
    struct epoll_event evs[RF_EPOLL_BATCH];
    int n, i, events;

    n = epoll_wait(c->epfd, evs, RF_EPOLL_BATCH, epoll_wait_ms(c, deadline_ms));
    if (n < 0 && errno != EINTR) {
        return rw_err_set(err, RW_ENOMEM, "epoll_wait: %s", strerror(errno));
    }
    for (i = 0; i < n; i++) {
        if (epoll_unwanted(c, evs[i].data.fd)) {
            continue;
        }
        events = (evs[i].events & EPOLLIN) ? RF_EV_IN : 0;
        events |= (evs[i].events & EPOLLOUT) ? RF_EV_OUT : 0;
        events |= (evs[i].events & (EPOLLERR | EPOLLHUP)) ? RF_EV_ERR : 0;
        rf_client_on_fd(c, evs[i].data.fd, events);
    }
    if (c->internal_due >= 0 && rf_client_now_ms() >= c->internal_due) {
        c->internal_due = -1;
        rf_client_on_timer(c);
    }
    return RW_OK;
}

enum rw_rc
rf_client_run(struct rf_client *c, int64_t deadline_ms, struct rw_err *err)
{
    enum rw_rc rc;

    if (c->external) {
        return rw_err_set(err, RW_EINVAL, "rf_client_run: the client runs in an event loop");
    }
    for (;;) {
        rf_loop_drain(c);
        rf_loop_release_idle(c);
        if (c->pending == 0) {
            return RW_OK;
        }
        if (deadline_ms > 0 && rf_client_now_ms() >= deadline_ms) {
            return rw_err_set(err, RW_ETIMEOUT, "deadline passed with %d requests pending",
                              c->pending);
        }
        rc = epoll_round(c, deadline_ms, err);
        if (rc != RW_OK) {
            return rc;
        }
    }
}

#include "rf_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rf_client_int.h"

#ifndef RACKWATCH_VERSION
#define RACKWATCH_VERSION "0"
#endif

void
rf_service_opts_init(struct rf_service_opts *opts)
{
    memset(opts, 0, sizeof(*opts));
    opts->auth = RF_AUTH_SESSION;
}

/* strdup() that keeps NULL; *ok drops to 0 when a copy fails. */
static char *
dup_opt(const char *s, int *ok)
{
    char *copy;

    if (s == NULL) {
        return NULL;
    }
    copy = strdup(s);
    if (copy == NULL) {
        *ok = 0;
    }
    return copy;
}

enum rw_rc
rf_client_new(const struct rf_client_opts *opts, struct rf_client **out, struct rw_err *err)
{
    struct rf_client *c;
    int ok = 1;

    if (opts != NULL && opts->max_total < 0) {
        return rw_err_set(err, RW_EINVAL, "max_total must not be negative");
    }
    c = calloc(1, sizeof(*c));
    if (c == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    c->epfd = -1;
    c->max_total = opts != NULL && opts->max_total > 0 ? opts->max_total : RF_DEFAULT_MAX_TOTAL;
    c->log = opts != NULL ? opts->log : NULL;
    c->close_idle = opts != NULL && opts->close_idle != 0;
    c->user_agent =
        dup_opt(opts != NULL && opts->user_agent != NULL ? opts->user_agent
                                                         : "rackwatch/" RACKWATCH_VERSION,
                &ok);
    if (!ok || rf_loop_init(c, err) != RW_OK) {
        rf_client_free(c);
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    *out = c;
    return RW_OK;
}

/* Frees what the service owns; its requests are gone already. */
static void
service_free(struct rf_service *ep)
{
    rf_session_drop(ep);
    rf_hdrs_unref(ep->hdrs);
    free(ep->base);
    free(ep->user);
    if (ep->pass != NULL) {
        memset(ep->pass, 0, strlen(ep->pass));
        free(ep->pass);
    }
    free(ep->ca_file);
    rf_service_drop_spare(ep);
    rf_conn_close_all(ep);
    if (ep->basic != NULL) {
        memset(ep->basic, 0, strlen(ep->basic));
        free(ep->basic);
    }
    free(ep);
}

void
rf_client_free(struct rf_client *client)
{
    struct rf_service *ep, *next;

    if (client == NULL) {
        return;
    }
    rf_client_cancel(client, RW_ETIMEOUT, "client shut down");
    for (ep = client->eps; ep != NULL; ep = ep->next) {
        rf_conn_close_all(ep); /* before their multis: removing a handle closes it */
    }
    /* The multi first: closing its connections may still reach services (TLS pin data)
     * and the loop hooks. */
    rf_loop_cleanup(client);
    for (ep = client->eps; ep != NULL; ep = next) {
        next = ep->next;
        service_free(ep);
    }
    free(client->user_agent);
    free(client);
}

/* Copies the numbers of opts into ep, defaults applied; RW_EINVAL for negative ones. */
static enum rw_rc
service_numbers(struct rf_service *ep, const struct rf_service_opts *o, struct rw_err *err)
{
    if (o->connect_timeout_ms < 0 || o->timeout_ms < 0 || o->max_in_flight < 0 ||
        o->max_retries < -1 || o->retry_cap_ms < 0) {
        return rw_err_set(err, RW_EINVAL, "%s: negative timeout, max_in_flight or retry setting",
                          ep->base);
    }
    ep->connect_timeout_ms =
        o->connect_timeout_ms != 0 ? o->connect_timeout_ms : RF_DEFAULT_CONNECT_TIMEOUT_MS;
    ep->timeout_ms = o->timeout_ms != 0 ? o->timeout_ms : RF_DEFAULT_TIMEOUT_MS;
    ep->max_in_flight = o->max_in_flight != 0 ? o->max_in_flight : RF_DEFAULT_MAX_IN_FLIGHT;
    ep->body_max = o->body_max != 0 ? o->body_max : RF_DEFAULT_BODY_MAX;
    ep->max_retries = o->max_retries == 0  ? RF_DEFAULT_MAX_RETRIES
                      : o->max_retries < 0 ? 0
                                           : o->max_retries;
    ep->retry_cap_ms = o->retry_cap_ms != 0 ? o->retry_cap_ms : RF_DEFAULT_RETRY_CAP_MS;
    return RW_OK;
}

/* Checks and copies opts into ep. */
static enum rw_rc
service_setup(struct rf_service *ep, const struct rf_service_opts *o, struct rw_err *err)
{
    int ok = 1;
    enum rw_rc rc;

    rc = rf_http_base(o->url, &ep->base, err);
    if (rc != RW_OK) {
        return rc;
    }
    if (o->auth != RF_AUTH_NONE && (o->username == NULL || o->password == NULL)) {
        return rw_err_set(err, RW_EINVAL, "%s: a username and a password are needed", ep->base);
    }
    if (o->auth != RF_AUTH_SESSION && o->auth != RF_AUTH_BASIC && o->auth != RF_AUTH_NONE) {
        return rw_err_set(err, RW_EINVAL, "%s: unknown auth mode %d", ep->base, (int)o->auth);
    }
    if (o->fingerprint != NULL) {
        rc = rf_http_parse_fingerprint(o->fingerprint, ep->pin, err);
        if (rc != RW_OK) {
            return rc;
        }
        ep->has_pin = 1;
    }
    ep->auth = o->auth;
    ep->insecure = o->insecure != 0;
    ep->user = o->auth != RF_AUTH_NONE ? dup_opt(o->username, &ok) : NULL;
    ep->pass = o->auth != RF_AUTH_NONE ? dup_opt(o->password, &ok) : NULL;
    ep->ca_file = dup_opt(o->ca_file, &ok);
    if (!ok) {
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    rc = service_numbers(ep, o, err);
    if (rc == RW_OK && ep->auth == RF_AUTH_BASIC) {
        rc = rf_http_basic_header(ep->user, ep->pass, &ep->basic, err);
    }
    if (rc == RW_OK) {
        rc = rf_session_hdrs(ep, err);
    }
    return rc;
}

enum rw_rc
rf_client_add(struct rf_client *client, const struct rf_service_opts *opts, struct rf_service **out,
              struct rw_err *err)
{
    struct rf_service *ep = calloc(1, sizeof(*ep));
    enum rw_rc rc;

    if (ep == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    ep->client = client;
    rw_buf_init(&ep->spare_body, 0);
    rc = service_setup(ep, opts, err);
    if (rc == RW_OK) {
        rc = rf_loop_shard(client, &ep->shard, err);
    }
    if (rc != RW_OK) {
        service_free(ep);
        return rc;
    }
    if (client->eps_tail != NULL) {
        client->eps_tail->next = ep;
    } else {
        client->eps = ep;
    }
    client->eps_tail = ep;
    client->n_eps++;
    ep->shard->n_services++;
    ep->shard->max_conns += ep->max_in_flight;
    /* See rf_loop_open(). */
    if (ep->shard->multi != NULL) {
        (void)curl_multi_setopt(ep->shard->multi, CURLMOPT_MAXCONNECTS,
                                rf_loop_max_conns(ep->shard));
    }
    *out = ep;
    return RW_OK;
}

const char *
rf_service_base(const struct rf_service *ep)
{
    return ep->base;
}

struct rf_req *
rf_req_new(struct rf_service *ep, enum rf_req_kind kind, const char *path)
{
    struct rf_req *req = calloc(1, sizeof(*req));

    if (req == NULL) {
        return NULL;
    }
    req->path = strdup(path);
    if (req->path == NULL) {
        free(req);
        return NULL;
    }
    req->ep = ep;
    req->kind = kind;
    if (ep->has_spare) {
        req->body = ep->spare_body; /* takes its memory */
        ep->has_spare = 0;
        rw_buf_init(&ep->spare_body, 0);
        rw_buf_reset(&req->body);
    } else {
        rw_buf_init(&req->body, ep->body_max);
    }
    ep->client->pending++;
    return req;
}

/* The largest body whose memory is kept for the next request: the usual Redfish
 * resource is 1-30 KB; a rare big one is not worth holding on to. */
#define RF_SPARE_BODY_MAX ((size_t)64 * 1024)

/* Keeps req's body memory as the service's spare when it has none, else frees it. */
static void
recycle_body(struct rf_req *req)
{
    struct rf_service *ep = req->ep;

    if (!ep->has_spare && rw_buf_len(&req->body) > 0 &&
        rw_buf_len(&req->body) <= RF_SPARE_BODY_MAX) {
        ep->spare_body = req->body;
        ep->has_spare = 1;
        rw_buf_init(&req->body, 0);
        return;
    }
    rw_buf_free(&req->body);
}

void
rf_service_drop_spare(struct rf_service *ep)
{
    rw_buf_free(&ep->spare_body);
    ep->has_spare = 0;
}

void
rf_req_free(struct rf_req *req)
{
    if (req == NULL) {
        return;
    }
    req->ep->client->pending--;
    rf_xfer_release(req);
    rf_hdrs_unref(req->hdrs);
    curl_slist_free_all(req->own_hdrs);
    if (req->post != NULL) {
        memset(req->post, 0, strlen(req->post));
        free(req->post);
    }
    free(req->token);
    free(req->path);
    free(req->x_token);
    free(req->location);
    free(req->retry_after);
    recycle_body(req);
    free(req);
}

void
rf_req_complete(struct rf_req *req, enum rw_rc rc, long status, const char *msg)
{
    struct rf_result res;

    switch (req->kind) {
    case RF_REQ_LOGIN:
        rf_session_login_done(req, rc, status, msg);
        return;
    case RF_REQ_LOGOUT:
        rf_session_logout_done(req, rc, status, msg);
        return;
    case RF_REQ_GET:
    case RF_REQ_WRITE:
        break;
    }
    res.rc = rc;
    res.msg = msg != NULL ? msg : "";
    res.status = status;
    res.body = rw_buf_str(&req->body);
    res.body_len = rw_buf_len(&req->body);
    res.path = req->path;
    res.location = req->location;
    if (req->done != NULL) {
        req->done(&res, req->ctx);
    }
    rf_req_free(req);
}

int
rf_req_is_data(const struct rf_req *req)
{
    return req->kind == RF_REQ_GET || req->kind == RF_REQ_WRITE;
}

/* Checks path and makes the request for it in *out. */
static enum rw_rc
data_req(struct rf_client *client, struct rf_service *ep, enum rf_req_kind kind, const char *path,
         rf_done_fn *done, struct rf_req **out, struct rw_err *err)
{
    char *clean = NULL;
    enum rw_rc rc;

    if (ep == NULL || ep->client != client || done == NULL) {
        return rw_err_set(err, RW_EINVAL, "rf_client: no service or done function");
    }
    rc = rf_http_same_origin_path(ep->base, path, &clean, err);
    if (rc != RW_OK) {
        return rc;
    }
    *out = rf_req_new(ep, kind, clean);
    free(clean);
    if (*out == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    return RW_OK;
}

/* Queues req at the back of its service's queue and starts what may start. */
static void
enqueue(struct rf_client *client, struct rf_req *req, rf_done_fn *done, void *ctx)
{
    struct rf_service *ep = req->ep;

    req->done = done;
    req->ctx = ctx;
    if (ep->q_tail != NULL) {
        ep->q_tail->next = req;
    } else {
        ep->q_head = req;
    }
    ep->q_tail = req;
    rf_sched_pump(ep);
    rf_loop_arm(client);
}

enum rw_rc
rf_client_get(struct rf_client *client, struct rf_service *ep, const char *path, rf_done_fn *done,
              void *ctx, struct rw_err *err)
{
    struct rf_req *req = NULL;
    enum rw_rc rc = data_req(client, ep, RF_REQ_GET, path, done, &req, err);

    if (rc != RW_OK) {
        return rc;
    }
    enqueue(client, req, done, ctx);
    return RW_OK;
}

/* RW_OK when the method and the presence of a body go together. */
static enum rw_rc
check_method(enum rf_method method, const char *json_body, struct rw_err *err)
{
    int wants_body = method == RF_METHOD_POST || method == RF_METHOD_PATCH;

    if (method != RF_METHOD_GET && method != RF_METHOD_POST && method != RF_METHOD_PATCH &&
        method != RF_METHOD_DELETE) {
        return rw_err_set(err, RW_EINVAL, "rf_client_request: unknown method %d", (int)method);
    }
    if (wants_body != (json_body != NULL)) {
        return rw_err_set(err, RW_EINVAL, "rf_client_request: %s",
                          wants_body ? "POST and PATCH need a body"
                                     : "GET and DELETE take no body");
    }
    return RW_OK;
}

enum rw_rc
rf_client_request(struct rf_client *client, struct rf_service *ep, enum rf_method method,
                  const char *path, const char *json_body, rf_done_fn *done, void *ctx,
                  struct rw_err *err)
{
    struct rf_req *req = NULL;
    enum rw_rc rc = check_method(method, json_body, err);

    if (rc != RW_OK) {
        return rc;
    }
    if (method == RF_METHOD_GET) {
        return rf_client_get(client, ep, path, done, ctx, err);
    }
    rc = data_req(client, ep, RF_REQ_WRITE, path, done, &req, err);
    if (rc != RW_OK) {
        return rc;
    }
    req->method = method;
    if (json_body != NULL) {
        req->post = strdup(json_body);
        if (req->post == NULL) {
            rf_req_free(req);
            return rw_err_set(err, RW_ENOMEM, "out of memory");
        }
    }
    enqueue(client, req, done, ctx);
    return RW_OK;
}

void
rf_sched_push_front(struct rf_service *ep, struct rf_req *req)
{
    struct rf_req **at = &ep->q_head;

    /* A GET or a write goes behind a queued login or logout: it needs the login first. */
    while (rf_req_is_data(req) && *at != NULL && !rf_req_is_data(*at)) {
        at = &(*at)->next;
    }
    req->next = *at;
    *at = req;
    if (req->next == NULL) {
        ep->q_tail = req;
    }
}

static struct rf_req *
queue_pop(struct rf_service *ep)
{
    struct rf_req *req = ep->q_head;

    ep->q_head = req->next;
    if (ep->q_head == NULL) {
        ep->q_tail = NULL;
    }
    req->next = NULL;
    return req;
}

static void
wait_for_slot(struct rf_client *c, struct rf_service *ep)
{
    if (ep->waiting) {
        return;
    }
    ep->waiting = 1;
    ep->wait_next = NULL;
    if (c->wait_tail != NULL) {
        c->wait_tail->wait_next = ep;
    } else {
        c->wait_head = ep;
    }
    c->wait_tail = ep;
}

/* Starts req; one that cannot start goes to the failed list, completed by the next drain
 * (so that a done function never runs inside rf_client_get()). */
static void
start_one(struct rf_service *ep, struct rf_req *req)
{
    struct rf_client *c = ep->client;
    struct rw_err err;

    rw_err_clear(&err);
    req->next = ep->active;
    ep->active = req;
    ep->in_flight++;
    c->in_flight++;
    if (rf_xfer_start(req, &err) == RW_OK) {
        return;
    }
    ep->active = req->next;
    ep->in_flight--;
    c->in_flight--;
    req->fail_rc = err.code;
    snprintf(req->errbuf, sizeof(req->errbuf), "%s", err.msg);
    req->next = c->failed;
    c->failed = req;
    rf_loop_maybe_idle(ep);
}

/* May the request at the head of ep's queue start now, as far as the session goes?  Queues
 * a login first when there is no session. */
static int
session_allows(struct rf_service *ep)
{
    struct rf_req *login;

    if (!rf_req_is_data(ep->q_head) || ep->auth != RF_AUTH_SESSION || ep->sess == RF_SESS_READY) {
        return 1;
    }
    if (ep->sess == RF_SESS_PENDING) {
        return 0;
    }
    login = rf_session_login_req(ep);
    if (login == NULL) {
        return 1; /* out of memory: the GET goes without a token and gets its 401 */
    }
    ep->sess = RF_SESS_PENDING;
    rf_sched_push_front(ep, login);
    return 1;
}

/*
 * Requests ep may run at once: its max_in_flight, but no more than its share of the
 * client's max_total.  When services outnumber the slots, a service running two requests
 * keeps another from running any, and each request beyond the first needs a connection of
 * its own: libcurl opens it lazily, when the slot is first used, so warm rounds kept adding
 * TLS handshakes (1000 PDUs, max_total 512, counted with strace: round 1 made ~1,280
 * connections, rounds 2 and 3 another 70-180 each, ~7 M instructions per handshake).  With
 * one request per service each keeps one connection: 1,000 in round 1, none after.
 */
static int
service_cap(const struct rf_service *ep)
{
    const struct rf_client *c = ep->client;
    int share = c->n_eps > 0 ? c->max_total / c->n_eps : 1;

    if (share < 1) {
        share = 1;
    }
    return share < ep->max_in_flight ? share : ep->max_in_flight;
}

void
rf_sched_pump(struct rf_service *ep)
{
    struct rf_client *c = ep->client;

    while (ep->q_head != NULL && ep->in_flight < service_cap(ep) && ep->backoff_until == 0) {
        if (c->in_flight >= c->max_total) {
            wait_for_slot(c, ep);
            return;
        }
        if (!session_allows(ep)) {
            return;
        }
        start_one(ep, queue_pop(ep));
    }
}

void
rf_sched_kick(struct rf_client *client)
{
    struct rf_service *ep;

    while (client->in_flight < client->max_total && client->wait_head != NULL) {
        ep = client->wait_head;
        client->wait_head = ep->wait_next;
        if (client->wait_head == NULL) {
            client->wait_tail = NULL;
        }
        ep->waiting = 0;
        rf_sched_pump(ep);
    }
}

void
rf_sched_backoff(struct rf_service *ep, int64_t until)
{
    struct rf_client *c = ep->client;

    if (until > ep->backoff_until) {
        ep->backoff_until = until;
    }
    if (c->backoff_due < 0 || ep->backoff_until < c->backoff_due) {
        c->backoff_due = ep->backoff_until;
    }
}

void
rf_sched_release_backoffs(struct rf_client *client, int64_t now)
{
    struct rf_service *ep;
    int64_t next = -1;

    if (client->backoff_due < 0 || now < client->backoff_due) {
        return;
    }
    /* Back-offs are rare (503s): a walk over the services is cheap enough. */
    for (ep = client->eps; ep != NULL; ep = ep->next) {
        if (ep->backoff_until != 0 && now >= ep->backoff_until) {
            ep->backoff_until = 0;
            rf_sched_pump(ep);
        } else if (ep->backoff_until != 0 && (next < 0 || ep->backoff_until < next)) {
            next = ep->backoff_until;
        }
    }
    client->backoff_due = next;
}

/* Completes every request of ep, queued or running. */
static void
cancel_service(struct rf_service *ep, enum rw_rc rc, const char *msg)
{
    struct rf_req *req;

    ep->backoff_until = 0;
    /* The queue first: a cancelled login would otherwise fail it with its own message. */
    while (ep->q_head != NULL) {
        rf_req_complete(queue_pop(ep), rc, 0, msg);
    }
    while (ep->active != NULL) {
        req = ep->active;
        ep->active = req->next;
        ep->in_flight--;
        ep->client->in_flight--;
        rf_xfer_abort(req);
        rf_req_complete(req, rc, 0, msg);
    }
    rf_loop_maybe_idle(ep);
}

void
rf_client_cancel(struct rf_client *client, enum rw_rc rc, const char *why)
{
    struct rf_service *ep;
    struct rf_req *req;
    char msg[RW_ERR_MSG_MAX];

    snprintf(msg, sizeof(msg), "cancelled: %s", why != NULL ? why : "by the caller");
    rc = rc != RW_OK ? rc : RW_ETIMEOUT;
    client->depth++;
    for (ep = client->eps; ep != NULL; ep = ep->next) {
        cancel_service(ep, rc, msg);
    }
    while (client->failed != NULL) {
        req = client->failed;
        client->failed = req->next;
        rf_req_complete(req, rc, 0, msg);
    }
    client->depth--;
    client->backoff_due = -1;
    rf_loop_release_idle(client);
    rf_loop_arm(client);
}

int
rf_client_pending(const struct rf_client *client)
{
    return client->pending;
}

void
rf_client_logout_all(struct rf_client *client)
{
    struct rf_service *ep;
    struct rf_req *req;

    for (ep = client->eps; ep != NULL; ep = ep->next) {
        req = rf_session_logout_req(ep);
        if (req != NULL) {
            rf_sched_push_front(ep, req);
            rf_sched_pump(ep);
        }
    }
    rf_loop_arm(client);
}

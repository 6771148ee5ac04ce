/*
 * rf_client_int.h: what the pieces of the Redfish client share, and nothing outside
 * redfish/rf_client.c, rf_session.c, rf_xfer.c and rf_loop.c may include.
 *
 *   rf_client.c   public API, services, queues and scheduling
 *   rf_xfer.c     one transfer: easy handle, callbacks, TLS pin, result and retries
 *   rf_session.c  Redfish sessions: login, token, re-login, logout
 *   rf_loop.c     the drivers: curl's socket/timer hooks, the built-in epoll loop, drain
 *   rf_conn.c     the kept connections that carry GETs: libcurl connects, rf_h1 reads
 *
 * Life of a request: rf_client_get() allocates a struct rf_req and queues it on its
 * service; rf_sched_pump() starts it (rf_xfer_start()) when the service, the client and
 * the session allow; the easy handle carries it in CURLOPT_PRIVATE; rf_loop_drain() removes
 * the handle from the multi and then hands it to rf_xfer_finish(), which completes it (done
 * function, then free) or queues it again (retry after 503, replay after re-login).
 * A GET instead goes on one of its service's kept connections (rf_conn_start()); its reply
 * ends in rf_loop_finished(), which makes the same decisions from the status.
 */
#ifndef RF_CLIENT_INT_H
#define RF_CLIENT_INT_H

#include <curl/curl.h>

#include "rf_client.h"
#include "rf_h1.h"
#include "rf_http.h"
#include "rw_buf.h"

enum rf_req_kind {
    RF_REQ_GET,   /* rf_client_get() */
    RF_REQ_WRITE, /* rf_client_request() other than GET: method and post say which */
    RF_REQ_LOGIN,
    RF_REQ_LOGOUT,
};

enum rf_sess_state {
    RF_SESS_NONE,    /* no session; the next GET queues a login */
    RF_SESS_PENDING, /* a login is queued or running; GETs wait behind it */
    RF_SESS_READY,   /* token valid as far as we know */
};

/* Why a transfer was cut by one of our callbacks. */
enum rf_cut {
    RF_CUT_NONE,
    RF_CUT_BODY,
    RF_CUT_HEADERS,
    RF_CUT_NOMEM,
};

/* What CURLOPT_PRIVATE points at: the first member of a request or a connection. */
enum rf_priv_kind {
    RF_PRIV_REQ,
    RF_PRIV_CONN,
};

struct rf_priv {
    enum rf_priv_kind kind;
};

/* A request header list shared by the requests of one session; freed by its last user. */
struct rf_hdrs {
    struct curl_slist *list;
    int refs;
};

struct rf_req {
    struct rf_priv priv; /* RF_PRIV_REQ (calloc's 0) */
    struct rf_req *next; /* in the service's queue or active list, or the failed list */
    struct rf_service *ep;
    enum rf_req_kind kind;
    char *path; /* owned; absolute path with query */
    rf_done_fn *done;
    void *ctx;
    CURL *easy;                  /* owned while running (not a GET) */
    struct rf_conn *conn;        /* the connection carrying a GET; NULL otherwise */
    int64_t deadline;            /* a GET's end, monotonic ms */
    int stale_retry;             /* already sent again after a kept connection died */
    struct rf_hdrs *hdrs;        /* a reference while running (GET) */
    struct curl_slist *own_hdrs; /* login and logout carry their own; writes build theirs */
    char *post;                  /* login or write body (may hold a password): wiped, freed */
    enum rf_method method;       /* RF_REQ_WRITE: POST, PATCH or DELETE */
    char *token;                 /* logout: the session's token */
    struct rw_buf body;
    size_t header_bytes;
    enum rf_cut cut;
    char *x_token;      /* response X-Auth-Token */
    char *location;     /* response Location */
    char *retry_after;  /* response Retry-After */
    unsigned sess_gen;  /* the session a GET was sent with */
    int replayed;       /* already re-sent once after a 401 */
    int retries;        /* 503/429 retries so far */
    enum rw_rc fail_rc; /* for the failed list: why it never started */
    char errbuf[CURL_ERROR_SIZE];
};

/*
 * Services are spread over several multi handles, RF_SHARD_SERVICES each: libcurl 7.88
 * walks a multi's whole connection cache on every curl_multi_remove_handle().  Measured
 * with 1000 services on loopback (nginx, 2 in flight, warm): one multi 300-450 us of CPU
 * per request, multis of 32 services 140-210, of 8 services 125-200; 10 services 55-85.
 */
#define RF_SHARD_SERVICES 32

/* Long enough that libcurl's prune never takes a kept connection for too old. */
#define RF_CONN_MAXAGE_S (7L * 24 * 3600)

struct rf_shard {
    struct rf_client *client;
    CURLM *multi; /* NULL while a solo shard's service is idle (close_idle) */
    int solo;     /* one close_idle service's own: the multi lives only while it is busy */
    int n_services;
    long max_conns;   /* the sum of its services' max_in_flight */
    int64_t curl_due; /* when curl wants socket_action(TIMEOUT); -1 none */
};

enum rf_conn_state {
    RF_CONN_CONNECTING, /* libcurl connects (CONNECT_ONLY); req waits for it */
    RF_CONN_IDLE,       /* connected, no request */
    RF_CONN_BUSY,       /* req sent or being sent, its reply being read */
};

/* A kept connection of a service (rf_conn.c): owned by the service's list. */
struct rf_conn {
    struct rf_priv priv; /* RF_PRIV_CONN */
    struct rf_conn *next;
    struct rf_conn *dead_next; /* the client's list of connections libcurl closed */
    struct rf_service *ep;
    CURL *easy; /* CONNECT_ONLY; stays in the shard's multi: removing it closes it */
    int in_multi;
    int fd; /* -1 until connected, and once closed */
    enum rf_conn_state state;
    int closing; /* we close it: the close callback is ours */
    int dead;    /* libcurl closed it (a prune of its cache) */
    struct rf_req *req;
    struct rf_h1 h1;
    char *out; /* the request being sent */
    size_t out_len, out_sent, out_cap;
    size_t got;      /* reply bytes of the current request */
    unsigned served; /* requests it carried before */
};

struct rf_service {
    struct rf_service *next;      /* the client's list */
    struct rf_service *wait_next; /* the client's list of services waiting for a slot */
    int waiting;
    struct rf_service *idle_next; /* the client's list of services that may have gone idle */
    int idle_listed;
    struct rf_client *client;
    struct rf_shard *shard;
    struct rf_conn *conns; /* at most max_in_flight: one per GET in flight */
    char *basic;           /* "Authorization: Basic ..." with RF_AUTH_BASIC (wiped, freed) */
    char *base;            /* "scheme://host:port" */
    char *user;
    char *pass;
    char *ca_file;
    enum rf_auth auth;
    int insecure;
    int has_pin;
    unsigned char pin[RF_HTTP_FP_LEN];
    int pin_failed; /* the last handshake presented another certificate */
    unsigned char pin_seen[RF_HTTP_FP_LEN];
    long connect_timeout_ms;
    long timeout_ms;
    int max_in_flight;
    size_t body_max;
    int max_retries;
    long retry_cap_ms;
    struct rf_req *q_head; /* waiting to start, in order */
    struct rf_req *q_tail;
    struct rf_req *active; /* running */
    int in_flight;
    int64_t backoff_until; /* monotonic ms; 0: not backing off */
    enum rf_sess_state sess;
    unsigned sess_gen; /* bumped at each new session */
    char *token;
    char *sess_path;      /* the session resource, for DELETE; NULL if unknown */
    struct rf_hdrs *hdrs; /* headers of GETs: Accept, OData-Version, the token */
    /* The memory of a finished request's body, for the next request's: a warm request
     * otherwise allocates its body afresh (one malloc of >= 1 KiB, which also makes glibc
     * consolidate its fast bins). */
    struct rw_buf spare_body;
    int has_spare;
};

struct rf_client {
    struct rf_shard **shards;
    int n_shards;
    struct rf_shard **fd_shard; /* which shard a socket belongs to, by fd */
    int fd_cap;
    struct rf_conn **fd_conn; /* which kept connection a socket is, by fd */
    int fd_conn_cap;
    struct rf_conn *dead; /* closed by libcurl; finished by the next drain */
    int64_t conn_due;     /* earliest GET deadline on a connection (lazy); -1 none */
    struct rf_service *eps;
    struct rf_service *eps_tail;
    int n_eps;
    struct rf_service *wait_head;
    struct rf_service *wait_tail;
    struct rf_req *failed;        /* never started; completed by the next drain */
    int close_idle;               /* rf_client_opts.close_idle */
    struct rf_service *idle_head; /* close_idle: services to check once the client is calm */
    int depth;                    /* > 0 while curl's messages of a multi are being drained */
    int max_total;
    int in_flight;
    int pending; /* live struct rf_req */
    const struct rw_log *log;
    char *user_agent;
    /* the loop: the built-in epoll one, or the caller's (external) */
    int external;
    rf_watch_fn *watch;
    rf_timer_fn *timer;
    void *loop_ctx;
    int epfd;                /* built-in loop; -1 until the first rf_client_run() */
    unsigned char *ep_state; /* built-in loop: RF_EPS_* of each fd, by fd */
    int ep_cap;
    int64_t internal_due; /* built-in loop's timer, monotonic ms; -1 none */
    int64_t backoff_due;  /* earliest service back-off end; -1 none */
    int64_t armed_due;    /* what the loop's timer is set to; -1 none */
};

/* rf_client.c */
int rf_req_is_data(const struct rf_req *req); /* a GET or a write: needs the session */
void rf_req_free(struct rf_req *req);
void rf_sched_push_front(struct rf_service *ep, struct rf_req *req);
void rf_sched_pump(struct rf_service *ep);
void rf_sched_kick(struct rf_client *client);
void rf_sched_backoff(struct rf_service *ep, int64_t until);
void rf_sched_release_backoffs(struct rf_client *client, int64_t now);
struct rf_req *rf_req_new(struct rf_service *ep, enum rf_req_kind kind, const char *path);
void rf_req_complete(struct rf_req *req, enum rw_rc rc, long status, const char *msg);
/* Frees the service's spare body buffer (close_idle). */
void rf_service_drop_spare(struct rf_service *ep);

/* rf_xfer.c */
RW_MUSTCHECK enum rw_rc rf_xfer_start(struct rf_req *req, struct rw_err *err);
void rf_xfer_finish(struct rf_req *req, CURLcode code);
/* The outcome of a reply with this status: done, or queued again (401, 503). */
void rf_xfer_status(struct rf_req *req, long status);
/* Makes req ready to be queued again: no handle, no reply. */
void rf_xfer_reset(struct rf_req *req);
/* The options of every handle of ep (timeouts, TLS, protocols); nonzero when one failed. */
int rf_xfer_setup_common(CURL *easy, struct rf_service *ep);
/* Keeps a reply header req reads (X-Auth-Token, Location, Retry-After); RW_ETOOBIG for a
 * Content-Length over the body cap, RW_ENOMEM. */
RW_MUSTCHECK enum rw_rc rf_xfer_keep_header(struct rf_req *req, const char *name, size_t name_len,
                                            const char *value, size_t value_len);
void rf_xfer_abort(struct rf_req *req);
void rf_xfer_release(struct rf_req *req);

/* rf_session.c */
RW_MUSTCHECK enum rw_rc rf_session_hdrs(struct rf_service *ep, struct rw_err *err);
void rf_hdrs_unref(struct rf_hdrs *hdrs);
struct rf_req *rf_session_login_req(struct rf_service *ep);
void rf_session_login_done(struct rf_req *req, enum rw_rc rc, long status, const char *msg);
void rf_session_logout_done(struct rf_req *req, enum rw_rc rc, long status, const char *msg);
void rf_session_drop(struct rf_service *ep);
struct rf_req *rf_session_logout_req(struct rf_service *ep);
/* A write's headers: Accept, OData-Version, the session token when there is one and, with
 * with_body, Content-Type: application/json.  NULL when out of memory; caller frees. */
struct curl_slist *rf_session_write_hdrs(const struct rf_service *ep, int with_body);

/* rf_conn.c */
RW_MUSTCHECK enum rw_rc rf_conn_start(struct rf_req *req, struct rw_err *err);
/* req's connection is closed (its reply unread); req itself is the caller's. */
void rf_conn_abort(struct rf_req *req);
/* The CURLMSG_DONE of conn's connect. */
void rf_conn_connected(struct rf_conn *conn, CURLcode code);
void rf_conn_on_fd(struct rf_conn *conn, int events);
/* Times out ep's requests past their deadline; the next deadline, -1 none. */
int64_t rf_conn_expire(struct rf_service *ep, int64_t now);
/* Finishes the connections libcurl closed. */
void rf_conn_reap(struct rf_client *client);
void rf_conn_close_all(struct rf_service *ep);

/* rf_loop.c */
/* The loop watches fd for events (RF_EV_IN/OUT) / no more. */
void rf_loop_watch(struct rf_client *client, int fd, int events);
void rf_loop_unwatch(struct rf_client *client, int fd);
/* fd is conn's from now on: its events go to rf_conn_on_fd(); 0 when out of memory. */
int rf_loop_own(struct rf_client *client, int fd, struct rf_conn *conn);
/* A GET on a connection ends at due (monotonic ms). */
void rf_loop_deadline(struct rf_client *client, int64_t due);
/* req, running, is done: its outcome (rc, msg) or with RW_OK its reply's status. */
void rf_loop_finished(struct rf_req *req, enum rw_rc rc, const char *msg, long status);
/* req, running, goes back to the head of its queue. */
void rf_loop_requeue(struct rf_req *req);
/* req's connection could not be made: libcurl's code says why. */
void rf_loop_connect_failed(struct rf_req *req, CURLcode code);
RW_MUSTCHECK enum rw_rc rf_loop_init(struct rf_client *client, struct rw_err *err);
RW_MUSTCHECK enum rw_rc rf_loop_shard(struct rf_client *client, struct rf_shard **out,
                                      struct rw_err *err);
void rf_loop_cleanup(struct rf_client *client);
/* The shard's multi handle, made again when close_idle released it; RW_ENOMEM. */
RW_MUSTCHECK enum rw_rc rf_loop_open(struct rf_shard *shard, struct rw_err *err);
/* CURLMOPT_MAXCONNECTS of the shard. */
long rf_loop_max_conns(const struct rf_shard *shard);
/* close_idle: ep's queue or transfers just emptied; its connections go once nothing else
 * is pending on it and the client is not inside a drain. */
void rf_loop_maybe_idle(struct rf_service *ep);
/* close_idle: releases the listed services that are still idle (outside any drain). */
void rf_loop_release_idle(struct rf_client *client);
void rf_loop_drain(struct rf_client *client);
void rf_loop_arm(struct rf_client *client);

#endif

/*
 * rf_client: the Redfish HTTP client on the libcurl multi interface, many services at once.
 *
 * One thread.  A client holds services (struct rf_service, the transport side of a
 * configured endpoint; the model's struct rf_endpoint is another thing): one Redfish
 * service (scheme://host:port) with its credentials, TLS policy, timeouts and caps.
 * rf_client_get() queues a GET; the client runs at most max_in_flight requests per
 * service and max_total overall, logs in (Redfish session) before the first request of
 * a service and keeps the session across polls, logs in again once on a 401, backs
 * off on 503/429, and calls the request's done function exactly once.
 *
 * Two drivers work the same client:
 *   - blocking: rf_client_run() until every request is done or a deadline passes
 *     (rackwatch poll, the plugins);
 *   - event loop: rf_client_set_loop() hands curl's sockets and the client's timer to the
 *     caller's loop, which calls rf_client_on_fd() and rf_client_on_timer() (rackwatchd).
 * Pick one per client.  Both go through curl_multi_socket_action(): rf_client_run() is a
 * small epoll loop over the same hooks, so its cost per wake-up follows the ready sockets,
 * not the transfers in flight (curl_multi_poll() would walk every transfer each time).
 *
 * Performance: services are spread over several multi handles (32 services each), because
 * libcurl 7.88 walks a multi's whole connection cache on each curl_multi_remove_handle();
 * each multi keeps one connection per request slot (CURLMOPT_MAXCONNECTS = the sum of its
 * services' max_in_flight), and each service keeps its easy handles between requests (so
 * their TLS session caches allow resumption when a device closed an idle connection).
 * A service runs at most its share of max_total at once (max_total / services, at least 1,
 * at most its max_in_flight): with more services than slots each keeps one connection
 * instead of opening a second one (a TLS handshake) whenever a slot happens to be free.
 * With close_idle each service has a multi handle of its own, made while it is busy.
 *
 * libcurl must be initialised by main() with curl_global_init(CURL_GLOBAL_DEFAULT) before
 * rf_client_new(), and cleaned up with curl_global_cleanup() after the last
 * rf_client_free(); the client keeps no global state.
 *
 * Security decisions:
 *   - TLS is verified (chain and host name) unless the service says insecure.
 *   - A fingerprint pins the SHA-256 of the server's leaf certificate (what
 *     `openssl x509 -fingerprint -sha256` prints).  It is checked inside the TLS handshake,
 *     so a mismatching server never receives a request (and so never credentials).  With a
 *     fingerprint and insecure, the pin alone decides (a self-signed BMC certificate).
 *   - Redirects are never followed: a 3xx completes the request with RW_EHTTP.  So neither
 *     credentials nor the session token ever go to another host.  Paths must be absolute
 *     paths or absolute URLs of the service's own origin.
 *
 * Callbacks: done functions run from rf_client_run(), rf_client_on_fd(),
 * rf_client_on_timer(), rf_client_cancel() or rf_client_free(), never from inside
 * rf_client_get().  A done function may queue requests and may cancel (but should not queue
 * again what a cancel just completed); it must not free the client.
 */
#ifndef RF_CLIENT_H
#define RF_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "rw_err.h"
#include "rw_log.h"

struct rf_client;
struct rf_service;

/* Defaults, used where an options field is 0. */
#define RF_DEFAULT_CONNECT_TIMEOUT_MS 10000
#define RF_DEFAULT_TIMEOUT_MS         30000
#define RF_DEFAULT_MAX_IN_FLIGHT      2
#define RF_DEFAULT_BODY_MAX           ((size_t)16 * 1024 * 1024)
#define RF_DEFAULT_MAX_RETRIES        3
#define RF_DEFAULT_RETRY_CAP_MS       30000
#define RF_DEFAULT_MAX_TOTAL          512
#define RF_HEADERS_MAX                ((size_t)64 * 1024)

enum rf_auth {
    RF_AUTH_SESSION = 0, /* POST SessionService/Sessions, then X-Auth-Token */
    RF_AUTH_BASIC,       /* Authorization: Basic on every request */
    RF_AUTH_NONE,        /* no credentials at all */
};

/* How to reach one Redfish service.  Strings are copied by rf_client_add(). */
struct rf_service_opts {
    const char *url;         /* "https://host[:port]"; required */
    const char *username;    /* required unless auth is RF_AUTH_NONE */
    const char *password;    /* required unless auth is RF_AUTH_NONE */
    enum rf_auth auth;       /* default RF_AUTH_SESSION */
    const char *ca_file;     /* PEM bundle to verify with; NULL: the system's */
    int insecure;            /* 1: no chain or host name check (write it out) */
    const char *fingerprint; /* "sha256:AB:CD:..." pin of the leaf certificate, or NULL */
    long connect_timeout_ms; /* TCP + TLS connect; 0: RF_DEFAULT_CONNECT_TIMEOUT_MS */
    long timeout_ms;         /* one request, from its start; 0: RF_DEFAULT_TIMEOUT_MS */
    int max_in_flight;       /* requests at once (fewer when services outnumber the
                              * client's max_total, see above); 0: RF_DEFAULT_MAX_IN_FLIGHT */
    size_t body_max;         /* bytes of one body; 0: RF_DEFAULT_BODY_MAX */
    int max_retries;         /* retries of one request on 503/429; 0: default, -1: none */
    long retry_cap_ms;       /* longest back-off; a longer Retry-After fails the request */
};

/* Client-wide settings. */
struct rf_client_opts {
    int max_total;            /* requests in flight over all services; 0: default */
    const struct rw_log *log; /* borrowed for the client's life; NULL: silent */
    const char *user_agent;   /* copied; NULL: "rackwatch/<version>" */
    /* 1: a service's connections and easy handles are released as soon as it has nothing
     * queued, backing off or in flight (its session is kept), so that thousands of services
     * polled every minute hold no idle TLS connection in between; each poll then pays a
     * full handshake.  0 (default): connections are kept alive between polls. */
    int close_idle;
};

/* What a finished request hands its done function.  Everything is borrowed until the done
 * function returns. */
struct rf_result {
    enum rw_rc rc;    /* RW_OK for a 2xx reply; see rf_client_get() for the others */
    const char *msg;  /* one line saying what failed; "" on success; never NULL */
    long status;      /* the HTTP status, 0 when no reply came */
    const char *body; /* the reply body, NUL-terminated; "" when none; never NULL */
    size_t body_len;
    const char *path;     /* the requested path (absolute, without the origin) */
    const char *location; /* the reply's Location header; NULL when it had none */
};

/* The methods of rf_client_request(). */
enum rf_method {
    RF_METHOD_GET = 0,
    RF_METHOD_POST,
    RF_METHOD_PATCH,
    RF_METHOD_DELETE,
};

typedef void rf_done_fn(const struct rf_result *res, void *ctx);

/* Event-loop hooks.  events is a mask of RF_EV_IN and RF_EV_OUT; 0 means stop watching fd.
 * timeout_ms: call rf_client_on_timer() after that many milliseconds (0: as soon as
 * possible); -1: no timer.  Each call replaces the previous timer. */
#define RF_EV_IN  1
#define RF_EV_OUT 2
#define RF_EV_ERR 4
typedef void rf_watch_fn(void *ctx, int fd, int events);
typedef void rf_timer_fn(void *ctx, long timeout_ms);

/* Fills opts with the defaults (all zero but for auth RF_AUTH_SESSION). */
void rf_service_opts_init(struct rf_service_opts *opts);

/* Creates a client; opts may be NULL for the defaults.  Free with rf_client_free().
 * RW_ENOMEM, RW_EINVAL (negative max_total). */
RW_MUSTCHECK enum rw_rc rf_client_new(const struct rf_client_opts *opts, struct rf_client **out,
                                      struct rw_err *err);

/*
 * Completes every outstanding request with RW_ETIMEOUT "client shut down" (done functions
 * run), then frees the client and its services.  Sessions are not logged out: call
 * rf_client_logout_all() and drive the client first.  NULL does nothing.
 */
void rf_client_free(struct rf_client *client);

/*
 * Adds an service; *out is borrowed, valid until rf_client_free().  RW_EINVAL with a
 * message for a bad URL, fingerprint, missing credentials or a negative number; RW_ENOMEM.
 */
RW_MUSTCHECK enum rw_rc rf_client_add(struct rf_client *client, const struct rf_service_opts *opts,
                                      struct rf_service **out, struct rw_err *err);

/* The service's normalized base URL "scheme://host:port"; borrowed. */
const char *rf_service_base(const struct rf_service *svc);

/*
 * Queues a GET of path (an absolute path such as "/redfish/v1/Chassis", or an absolute URL
 * of the service's origin) on svc.  done(res, ctx) runs once when it finishes, with
 * res->rc:
 *   RW_OK       2xx; body as received
 *   RW_ECONNECT refused, unreachable, name not found, connection reset or closed
 *   RW_ETIMEOUT connect or request timeout; a request cancelled by rf_client_cancel()
 *   RW_ETLS     handshake, chain, host name or fingerprint failure (curl's text)
 *   RW_EHTTP    any other status: "HTTP 404: <Redfish message>"; 3xx "redirect ... not
 *               followed"; a failed login; 401 after one re-login
 *   RW_ETOOBIG  body over body_max, headers over RF_HEADERS_MAX
 *   RW_EPARSE   not HTTP
 *   RW_ENOMEM
 * rf_client_get() itself fails (and done never runs) with RW_EINVAL for a bad path (the
 * message says why) and RW_ENOMEM.
 */
RW_MUSTCHECK enum rw_rc rf_client_get(struct rf_client *client, struct rf_service *svc,
                                      const char *path, rf_done_fn *done, void *ctx,
                                      struct rw_err *err);

/*
 * Queues a request of any method on svc, as rf_client_get() does a GET (same path rules,
 * session, 401 replay, 503/429 back-off and results; res->location carries the reply's
 * Location header, as for a 201 Created or a 202 Accepted task monitor).  json_body, a
 * NUL-terminated JSON document sent with "Content-Type: application/json", is copied and
 * wiped when the request is freed: it may hold a password, and it is never logged.  It is
 * required for POST and PATCH and must be NULL for GET and DELETE (RW_EINVAL otherwise).
 * Writes never reuse a kept connection handle of a GET.
 */
RW_MUSTCHECK enum rw_rc rf_client_request(struct rf_client *client, struct rf_service *svc,
                                          enum rf_method method, const char *path,
                                          const char *json_body, rf_done_fn *done, void *ctx,
                                          struct rw_err *err);

/*
 * Queues a DELETE of the session of every service that has one (failures are only
 * logged); drive the client (rf_client_run() or the loop) to send them.  The next request
 * on such a service logs in again.  Call it once the polls are done: a login still running
 * finishes later and is not logged out.
 */
void rf_client_logout_all(struct rf_client *client);

/* Completes every queued and running request with rc (RW_ETIMEOUT when RW_OK is given) and
 * the message "cancelled: <why>".  Sessions are kept. */
void rf_client_cancel(struct rf_client *client, enum rw_rc rc, const char *why);

/* Requests not yet completed (queued, backing off or running). */
int rf_client_pending(const struct rf_client *client);

/*
 * Blocking driver: works the client until no request is pending (RW_OK) or the
 * CLOCK_MONOTONIC time deadline_ms (rf_client_now_ms() based; 0: none) passes
 * (RW_ETIMEOUT; the requests stay pending: rf_client_cancel() or run again).  RW_EINVAL
 * when the client is in event-loop mode, RW_ENOMEM/RW_ECONNECT when curl's poll fails.
 */
RW_MUSTCHECK enum rw_rc rf_client_run(struct rf_client *client, int64_t deadline_ms,
                                      struct rw_err *err);

/* CLOCK_MONOTONIC now, in milliseconds, the clock of rf_client_run() deadlines. */
int64_t rf_client_now_ms(void);

/*
 * Event-loop driver: from now on curl's sockets go to watch() and the client's single
 * timer to timer(), both with ctx.  Call before the first request.  The hooks may be
 * called from any rf_client_* function until rf_client_free() returns (which unregisters
 * every socket), and never from inside another hook.  RW_EINVAL when
 * requests are pending or a hook is NULL.
 */
RW_MUSTCHECK enum rw_rc rf_client_set_loop(struct rf_client *client, rf_watch_fn *watch,
                                           rf_timer_fn *timer, void *ctx, struct rw_err *err);

/* The loop saw events (RF_EV_IN/OUT/ERR) on fd, one that watch() registered. */
void rf_client_on_fd(struct rf_client *client, int fd, int events);

/* The timer armed through timer() expired. */
void rf_client_on_timer(struct rf_client *client);

#endif

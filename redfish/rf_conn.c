/*
 * rf_conn: the kept connections that carry a service's GETs (see rf_client_int.h).
 *
 * libcurl makes the connection (proxy, TCP, TLS, verification, pin: the options every
 * transfer has, plus CURLOPT_CONNECT_ONLY) and keeps it in the shard's multi; we write
 * each GET with curl_easy_send() and read its reply with curl_easy_recv() through rf_h1.
 * A libcurl 7.88 transfer costs ~60 k instructions of its own per request (its printf
 * engine formats the request byte by byte, a 64 KiB upload buffer is allocated and freed,
 * the connection cache is walked twice, a poll() checks the connection before reuse):
 * the same warm round costs half the CPU this way (bench/poll_floor.c -C: 32-46 us per
 * request at 1,000 PDUs against 71-75 us with transfers).
 *
 * libcurl still owns the socket.  In 7.88 curl_easy_send/recv attach the handle to its
 * connection, which its cache then counts as in use and never prunes; should a libcurl
 * close one of ours all the same (another version, a cache over CURLMOPT_MAXCONNECTS),
 * CURLOPT_CLOSESOCKETFUNCTION tells us and the request goes again on a new connection.
 */
#include "rf_client_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "rw_log.h"

/* What one curl_easy_recv() may read at most: the usual reply in one go. */
#define RF_CONN_READ 16384

static void conn_close(struct rf_conn *conn);

/* CURLOPT_CLOSESOCKETFUNCTION: the socket goes; when libcurl closes it on its own, the
 * connection is dead for us too (finished by the next drain, outside libcurl). */
static int
on_close(void *arg, curl_socket_t fd)
{
    struct rf_conn *conn = arg;
    struct rf_client *c = conn->ep->client;

    /* While connecting, libcurl closes the sockets of attempts that lost (another address,
     * a retry): only the connection's own socket matters. */
    if (conn->closing || conn->fd < 0 || (int)fd != conn->fd) {
        return close((int)fd);
    }
    rf_loop_unwatch(c, conn->fd);
    conn->fd = -1;
    if (!conn->dead) {
        conn->dead = 1;
        conn->dead_next = c->dead;
        c->dead = conn;
    }
    return close((int)fd);
}

/* The Host header's value in *len bytes: base without its scheme, nor the scheme's
 * default port (as libcurl writes it for the logins and writes). */
static const char *
host_of(const struct rf_service *ep, size_t *len)
{
    const char *p = strstr(ep->base, "://");
    const char *host = p != NULL ? p + 3 : ep->base;
    size_t n = strlen(host);

    if (strncmp(ep->base, "https:", 6) == 0 && n > 4 && strcmp(host + n - 4, ":443") == 0) {
        n -= 4;
    } else if (strncmp(ep->base, "http:", 5) == 0 && n > 3 && strcmp(host + n - 3, ":80") == 0) {
        n -= 3;
    }
    *len = n;
    return host;
}

/* Frees a request buffer, wiped first: it may hold Basic credentials or a token. */
static void
out_free(char *out, size_t cap)
{
    if (out != NULL) {
        memset(out, 0, cap);
        free(out);
    }
}

/* Appends len bytes to the connection's request; 0 when out of memory.  Grown by copy,
 * never realloc(), so that no credential is left in a block given back. */
static int
out_add(struct rf_conn *conn, const char *s, size_t len)
{
    size_t cap = conn->out_cap;
    char *grown;

    if (conn->out_len + len > cap) {
        while (cap < conn->out_len + len) {
            cap = cap > 0 ? cap * 2 : 512;
        }
        grown = malloc(cap);
        if (grown == NULL) {
            return 0;
        }
        if (conn->out_len > 0) {
            memcpy(grown, conn->out, conn->out_len);
        }
        out_free(conn->out, conn->out_cap);
        conn->out = grown;
        conn->out_cap = cap;
    }
    memcpy(conn->out + conn->out_len, s, len);
    conn->out_len += len;
    return 1;
}

static int
out_str(struct rf_conn *conn, const char *s)
{
    return out_add(conn, s, strlen(s));
}

/* The request of req in conn->out: the session's header list (Accept, OData-Version, the
 * token, User-Agent) and Basic credentials when the service uses them; 0 when out of
 * memory. */
static int
build_request(struct rf_conn *conn, struct rf_req *req)
{
    const struct curl_slist *h;
    size_t host_len;
    const char *host = host_of(req->ep, &host_len);
    int ok, agent = 0;

    conn->out_len = 0;
    conn->out_sent = 0;
    ok = out_str(conn, "GET ") && out_str(conn, req->path) &&
         out_str(conn, " HTTP/1.1\r\nHost: ") && out_add(conn, host, host_len) &&
         out_add(conn, "\r\n", 2);
    for (h = req->hdrs->list; ok && h != NULL; h = h->next) {
        agent |= strncmp(h->data, "User-Agent:", 11) == 0;
        ok = out_str(conn, h->data) && out_add(conn, "\r\n", 2);
    }
    /* One too long for the shared list (rf_session.c) is still sent, as libcurl would. */
    if (ok && !agent && req->ep->client->user_agent[0] != '\0') {
        ok = out_str(conn, "User-Agent: ") && out_str(conn, req->ep->client->user_agent) &&
             out_add(conn, "\r\n", 2);
    }
    if (ok && req->ep->basic != NULL) {
        ok = out_str(conn, req->ep->basic) && out_add(conn, "\r\n", 2);
    }
    return ok && out_add(conn, "\r\n", 2);
}

/* Does the rest of the request wait for the socket to take more?  Not when TLS must read
 * first (a renegotiation or key update): watching for output then would spin. */
static int
send_waits_write(struct rf_conn *conn)
{
    struct curl_tlssessioninfo *tls = NULL;

    if (conn->out_sent >= conn->out_len) {
        return 0;
    }
    if (curl_easy_getinfo(conn->easy, CURLINFO_TLS_SSL_PTR, &tls) == CURLE_OK && tls != NULL &&
        tls->backend == CURLSSLBACKEND_OPENSSL && tls->internals != NULL) {
        return !SSL_want_read((SSL *)tls->internals);
    }
    return 1;
}

/* Sends what is left of the request; RW_OK also when the socket is full (then the loop
 * watches for output). */
static enum rw_rc
send_some(struct rf_conn *conn, struct rw_err *err)
{
    size_t n;
    CURLcode code;

    while (conn->out_sent < conn->out_len) {
        n = 0;
        code = curl_easy_send(conn->easy, conn->out + conn->out_sent,
                              conn->out_len - conn->out_sent, &n);
        if (code == CURLE_AGAIN) {
            break;
        }
        if (code != CURLE_OK) {
            return rw_err_set(err, RW_ECONNECT, "sending the request failed: %s",
                              curl_easy_strerror(code));
        }
        conn->out_sent += n;
    }
    rf_loop_watch(conn->ep->client, conn->fd, RF_EV_IN | (send_waits_write(conn) ? RF_EV_OUT : 0));
    return RW_OK;
}

/* rf_h1 sink: the headers we keep (X-Auth-Token, Location, Retry-After) and the body cap
 * told by Content-Length. */
static int
on_h1_header(void *arg, const char *name, size_t name_len, const char *value, size_t value_len)
{
    struct rf_req *req = arg;
    enum rw_rc rc = rf_xfer_keep_header(req, name, name_len, value, value_len);

    if (rc != RW_OK) {
        req->cut = rc == RW_ETOOBIG ? RF_CUT_BODY : RF_CUT_NOMEM;
        return 1;
    }
    return 0;
}

static int
on_h1_body(void *arg, const char *data, size_t len)
{
    struct rf_req *req = arg;
    enum rw_rc rc = rw_buf_add(&req->body, data, len);

    if (rc != RW_OK) {
        req->cut = rc == RW_ETOOBIG ? RF_CUT_BODY : RF_CUT_NOMEM;
        return 1;
    }
    return 0;
}

/* Starts req on conn, connected and idle. */
static enum rw_rc
conn_send(struct rf_conn *conn, struct rf_req *req, struct rw_err *err)
{
    conn->req = req;
    req->conn = conn;
    conn->state = RF_CONN_BUSY;
    conn->got = 0;
    rf_h1_init(&conn->h1, RF_HEADERS_MAX, 0);
    rf_loop_deadline(conn->ep->client, req->deadline);
    if (!build_request(conn, req)) {
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    return send_some(conn, err);
}

/* A new connection of ep for req, connecting. */
static enum rw_rc
conn_open(struct rf_service *ep, struct rf_req *req, struct rw_err *err)
{
    struct rf_conn *conn = calloc(1, sizeof(*conn));
    char url[RF_HTTP_PATH_MAX];
    int bad;

    if (conn == NULL || (conn->easy = curl_easy_init()) == NULL) {
        free(conn);
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    conn->priv.kind = RF_PRIV_CONN;
    conn->ep = ep;
    conn->fd = -1;
    rf_h1_init(&conn->h1, RF_HEADERS_MAX, 0);
    conn->next = ep->conns;
    ep->conns = conn;
    (void)snprintf(url, sizeof(url), "%s/", ep->base);
    bad = rf_xfer_setup_common(conn->easy, ep);
    bad |= curl_easy_setopt(conn->easy, CURLOPT_CONNECT_ONLY, 1L) != CURLE_OK;
    bad |= curl_easy_setopt(conn->easy, CURLOPT_HTTPPROXYTUNNEL, 1L) != CURLE_OK;
    bad |= curl_easy_setopt(conn->easy, CURLOPT_URL, url) != CURLE_OK;
    bad |= curl_easy_setopt(conn->easy, CURLOPT_PRIVATE, &conn->priv) != CURLE_OK;
    bad |= curl_easy_setopt(conn->easy, CURLOPT_ERRORBUFFER, req->errbuf) != CURLE_OK;
    bad |= curl_easy_setopt(conn->easy, CURLOPT_CLOSESOCKETFUNCTION, on_close) != CURLE_OK;
    bad |= curl_easy_setopt(conn->easy, CURLOPT_CLOSESOCKETDATA, conn) != CURLE_OK;
    if (bad || curl_multi_add_handle(ep->shard->multi, conn->easy) != CURLM_OK) {
        conn_close(conn);
        return rw_err_set(err, RW_ENOMEM, "cannot set up a connection to %s", ep->base);
    }
    conn->in_multi = 1;
    conn->state = RF_CONN_CONNECTING;
    /* The request's time runs while it connects too (conn_send() arms it once sent). */
    rf_loop_deadline(ep->client, req->deadline);
    conn->req = req;
    req->conn = conn;
    return RW_OK;
}

enum rw_rc
rf_conn_start(struct rf_req *req, struct rw_err *err)
{
    struct rf_service *ep = req->ep;
    struct rf_conn *conn, *idle = NULL;
    int n = 0;

    req->hdrs = ep->hdrs;
    req->hdrs->refs++;
    /* Sent again after a dead connection, it keeps the time it had. */
    if (!req->stale_retry || req->deadline == 0) {
        req->deadline = rf_client_now_ms() + ep->timeout_ms;
    }
    for (conn = ep->conns; conn != NULL; conn = conn->next, n++) {
        if (conn->state == RF_CONN_IDLE && !conn->dead && idle == NULL) {
            idle = conn;
        }
    }
    /* A request sent again because a kept connection died goes on a new one: its idle
     * siblings may have been dropped by the device just the same. */
    if (idle != NULL && !req->stale_retry) {
        if (conn_send(idle, req, err) == RW_OK) {
            return RW_OK;
        }
        /* Refused at once (the device closed it while idle): a new connection then. */
        idle->req = NULL;
        req->conn = NULL;
        conn_close(idle);
        return conn_open(ep, req, err);
    }
    /* At most max_in_flight connections: one request each. */
    if (idle != NULL && n >= ep->max_in_flight) {
        conn_close(idle);
    }
    return conn_open(ep, req, err);
}

/* Unlinks conn from its service, closes it and frees it. */
static void
conn_close(struct rf_conn *conn)
{
    struct rf_service *ep = conn->ep;
    struct rf_conn **at = &ep->conns;

    while (*at != NULL && *at != conn) {
        at = &(*at)->next;
    }
    if (*at == conn) {
        *at = conn->next;
    }
    if (conn->dead) {
        for (at = &ep->client->dead; *at != NULL && *at != conn; at = &(*at)->dead_next) {
        }
        if (*at == conn) {
            *at = conn->dead_next;
        }
    }
    if (conn->req != NULL) {
        conn->req->conn = NULL;
    }
    conn->closing = 1;
    if (conn->fd >= 0) {
        rf_loop_unwatch(ep->client, conn->fd);
    }
    if (conn->in_multi && ep->shard->multi != NULL) {
        (void)curl_multi_remove_handle(ep->shard->multi, conn->easy);
    }
    if (conn->easy != NULL) {
        curl_easy_cleanup(conn->easy);
    }
    rf_h1_free(&conn->h1);
    out_free(conn->out, conn->out_cap);
    free(conn);
}

void
rf_conn_abort(struct rf_req *req)
{
    if (req->conn != NULL) {
        conn_close(req->conn); /* its reply is unread: the connection cannot serve again */
    }
}

/* Ends conn's request: a reused connection that closed before any byte of the reply goes
 * again on a new one (the device dropped it while idle); otherwise the outcome. */
static void
conn_finish(struct rf_conn *conn, enum rw_rc rc, const char *msg, int keep)
{
    struct rf_req *req = conn->req;
    int stale =
        rc != RW_OK && rc != RW_ETIMEOUT && conn->got == 0 && conn->served > 0 && !req->stale_retry;
    long status = conn->h1.status;

    conn->req = NULL;
    req->conn = NULL;
    conn->served++;
    if (keep && !conn->dead) {
        conn->state = RF_CONN_IDLE;
        rf_h1_free(&conn->h1);
    } else {
        conn_close(conn);
    }
    if (stale) {
        req->stale_retry = 1;
        rf_loop_requeue(req);
    } else if (rc != RW_OK) {
        rf_loop_finished(req, rc, msg, 0);
    } else {
        rf_loop_finished(req, RW_OK, NULL, status);
    }
}

/* The outcome of a reply our sink cut, or of rf_h1's error. */
static void
conn_fail(struct rf_conn *conn, enum rw_rc rc, const char *msg)
{
    char buf[RW_ERR_MSG_MAX];
    struct rf_req *req = conn->req;

    if (req->cut == RF_CUT_BODY) {
        (void)snprintf(buf, sizeof(buf), "body larger than %zu bytes", req->ep->body_max);
        conn_finish(conn, RW_ETOOBIG, buf, 0);
    } else if (req->cut == RF_CUT_NOMEM) {
        conn_finish(conn, RW_ENOMEM, "out of memory", 0);
    } else {
        conn_finish(conn, rc, msg, 0);
    }
}

/* Feeds n bytes of the reply; 1 when the request ended (conn may be gone). */
static int
conn_feed(struct rf_conn *conn, const char *data, size_t n)
{
    static const struct rf_h1_sink sink_fns = {on_h1_header, on_h1_body, NULL};
    struct rf_h1_sink sink = sink_fns;
    struct rw_err err;
    size_t used = 0;
    enum rw_rc rc;

    sink.arg = conn->req;
    rw_err_clear(&err);
    conn->got += n;
    rc = rf_h1_feed(&conn->h1, data, n, &used, &sink, &err);
    if (rc != RW_OK) {
        conn_fail(conn, rc, err.msg);
        return 1;
    }
    if (!rf_h1_done(&conn->h1)) {
        return 0;
    }
    /* Bytes past the reply: nothing asked for them, so the connection is not trusted; nor
     * when the reply came before the whole request went (its tail would lead the next). */
    conn_finish(conn, RW_OK, NULL,
                conn->h1.keep_alive && used == n && conn->out_sent == conn->out_len);
    return 1;
}

/* The peer closed: the reply ends there, or was cut. */
static void
conn_eof(struct rf_conn *conn)
{
    struct rw_err err;

    rw_err_clear(&err);
    if (rf_h1_eof(&conn->h1, &err) != RW_OK) {
        /* A dropped connection, classed as libcurl classes "Empty reply" and "transfer
         * closed"; the first in libcurl's words, which the login (a transfer) also uses. */
        conn_finish(conn, RW_ECONNECT, conn->got == 0 ? "Empty reply from server" : err.msg, 0);
        return;
    }
    conn_finish(conn, RW_OK, NULL, 0);
}

/* Reads what the socket has for conn's request. */
static void
conn_read(struct rf_conn *conn, char *buf)
{
    char msg[RW_ERR_MSG_MAX];
    CURLcode code;
    size_t n;

    for (;;) {
        n = 0;
        code = curl_easy_recv(conn->easy, buf, RF_CONN_READ, &n);
        if (code == CURLE_AGAIN) {
            return;
        }
        if (code != CURLE_OK) {
            (void)snprintf(msg, sizeof(msg), "receiving the reply failed: %s",
                           curl_easy_strerror(code));
            conn_finish(conn, RW_ECONNECT, msg, 0);
            return;
        }
        if (n == 0) {
            conn_eof(conn);
            return;
        }
        if (conn_feed(conn, buf, n)) {
            return;
        }
    }
}

void
rf_conn_on_fd(struct rf_conn *conn, int events)
{
    char buf[RF_CONN_READ];
    struct rw_err err;

    if (conn->state != RF_CONN_BUSY) {
        /* An idle connection speaks: the device closed it (or sent what nobody asked). */
        conn_close(conn);
        return;
    }
    if ((events & RF_EV_OUT) && conn->out_sent < conn->out_len) {
        rw_err_clear(&err);
        if (send_some(conn, &err) != RW_OK) {
            conn_finish(conn, err.code, err.msg, 0);
            return;
        }
    }
    if (events & (RF_EV_IN | RF_EV_ERR)) {
        conn_read(conn, buf);
    }
}

void
rf_conn_connected(struct rf_conn *conn, CURLcode code)
{
    struct rf_req *req = conn->req;
    curl_socket_t fd = CURL_SOCKET_BAD;
    struct rw_err err;

    if (code == CURLE_OK) {
        (void)curl_easy_getinfo(conn->easy, CURLINFO_ACTIVESOCKET, &fd);
    }
    if (code != CURLE_OK || fd == CURL_SOCKET_BAD || conn->dead) {
        conn->req = NULL;
        conn_close(conn);
        if (req != NULL) {
            req->conn = NULL;
            rf_loop_connect_failed(req, code != CURLE_OK ? code : CURLE_COULDNT_CONNECT);
        }
        return;
    }
    /* The buffer belongs to the request; later errors are ours. */
    (void)curl_easy_setopt(conn->easy, CURLOPT_ERRORBUFFER, NULL);
    conn->fd = (int)fd;
    conn->state = RF_CONN_IDLE;
    if (!rf_loop_own(conn->ep->client, conn->fd, conn)) {
        conn->req = NULL;
        conn_close(conn);
        if (req != NULL) {
            req->conn = NULL;
            rf_loop_finished(req, RW_ENOMEM, "out of memory", 0);
        }
        return;
    }
    if (req == NULL) {
        return;
    }
    rw_err_clear(&err);
    if (conn_send(conn, req, &err) != RW_OK) {
        conn_finish(conn, err.code, err.msg, 0);
    }
}

/* "with 123 bytes received", as libcurl words its timeouts (the tests and users know them). */
static void
timeout_msg(const struct rf_conn *conn, int64_t now, char *msg, size_t size)
{
    long long waited = (long long)(now - (conn->req->deadline - conn->ep->timeout_ms));

    if (conn->state == RF_CONN_CONNECTING) {
        /* libcurl's own timeout is later when the request was sent again on it */
        (void)snprintf(msg, size, "Connection timed out after %lld milliseconds", waited);
        return;
    }

    if (conn->h1.content_length >= 0) {
        (void)snprintf(msg, size,
                       "Operation timed out after %lld milliseconds with %llu out of %lld "
                       "bytes received",
                       waited, (unsigned long long)conn->h1.body_bytes,
                       (long long)conn->h1.content_length);
    } else {
        (void)snprintf(msg, size,
                       "Operation timed out after %lld milliseconds with %llu bytes "
                       "received",
                       waited, (unsigned long long)conn->h1.body_bytes);
    }
}

int64_t
rf_conn_expire(struct rf_service *ep, int64_t now)
{
    char msg[RW_ERR_MSG_MAX];
    struct rf_conn *conn;
    int64_t due = -1;

    /* A done function may close other connections of ep: the walk starts over after each. */
again:
    for (conn = ep->conns; conn != NULL; conn = conn->next) {
        if (conn->req != NULL && now >= conn->req->deadline) {
            timeout_msg(conn, now, msg, sizeof(msg));
            conn_finish(conn, RW_ETIMEOUT, msg, 0);
            goto again;
        }
    }
    for (conn = ep->conns; conn != NULL; conn = conn->next) {
        if (conn->req != NULL && (due < 0 || conn->req->deadline < due)) {
            due = conn->req->deadline;
        }
    }
    return due;
}

void
rf_conn_reap(struct rf_client *c)
{
    struct rf_conn *conn;

    while (c->dead != NULL) {
        conn = c->dead;
        c->dead = conn->dead_next;
        rw_log(c->log, RW_LOG_DEBUG, "%s: libcurl closed a kept connection", conn->ep->base);
        if (conn->state == RF_CONN_BUSY && conn->req != NULL) {
            conn_finish(conn, RW_ECONNECT, "connection closed by libcurl", 0);
        } else if (conn->state == RF_CONN_CONNECTING) {
            continue; /* its CURLMSG_DONE comes and finishes it */
        } else {
            conn_close(conn);
        }
    }
}

void
rf_conn_close_all(struct rf_service *ep)
{
    while (ep->conns != NULL) {
        if (ep->conns->req != NULL) {
            ep->conns->req->conn = NULL;
            ep->conns->req = NULL;
        }
        conn_close(ep->conns);
    }
}

#include "rw_hubspoke_read.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "rw_buf.h"
#include "rw_http_probe.h"

/* One server's transfer slot: its easy handle, the probe state and the body. */
struct slot {
    struct rw_hubspoke_server *server;
    CURL *easy; /* NULL when no request is in flight */
    struct rw_http_probe_state st;
    struct rw_buf body;
    int root; /* the request in flight is the service root */
};

/* The pass: the multi handle, the slots, what is still to start. */
struct pass {
    const struct rw_hubspoke_http *http;
    CURLM *multi;
    struct slot *slots;
    size_t n;
    size_t next; /* slots below it have started their first request */
    int active;
    int max_total;
    long deadline_ms; /* CLOCK_MONOTONIC milliseconds */
};

static long
now_ms(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* The server's next path: its reader's or its lister's. */
static const char *
next_path(const struct rw_hubspoke_server *server)
{
    return server->reader != NULL ? rw_hubspoke_reader_next(server->reader)
                                  : rw_hubspoke_lister_next(server->lister);
}

static void
feed(struct rw_hubspoke_server *server, const struct rw_hubspoke_reply *reply)
{
    if (server->reader != NULL) {
        rw_hubspoke_reader_feed(server->reader, reply);
    } else {
        rw_hubspoke_lister_feed(server->lister, reply);
    }
}

/* Feeds the server a setup failure, so it ends. */
static void
feed_error(struct slot *s, enum rw_rc rc, const char *msg)
{
    struct rw_hubspoke_reply reply = {.rc = rc, .msg = msg};

    feed(s->server, &reply);
}

/* Starts the reader's next request on slot s; 1 when one is in flight. */
static int
start(struct pass *p, struct slot *s)
{
    const char *path = next_path(s->server);
    struct rw_http_probe_opts po = {
        .url = s->server->url,
        .path = path,
        .timeout_ms = p->deadline_ms - now_ms(),
        .cacert = p->http->cacert,
        .sni = s->server->sni,
        .client_cert = p->http->client_cert,
        .client_key = p->http->client_key,
        .insecure = p->http->insecure,
        .username = s->server->username != NULL ? s->server->username : p->http->username,
        .password = s->server->username != NULL ? s->server->password : p->http->password,
        .body_max = RW_HUBSPOKE_JSON_MAX,
        .body = &s->body,
    };
    struct rw_err err;

    while (path != NULL) {
        rw_err_clear(&err);
        rw_buf_init(&s->body, RW_HUBSPOKE_JSON_MAX);
        s->root = strcmp(path, RW_HUBSPOKE_DEFAULT_ROOT) == 0;
        s->easy = curl_easy_init();
        if (s->easy == NULL) {
            feed_error(s, RW_ENOMEM, "out of memory");
        } else if (rw_http_probe_prepare(s->easy, &po, &s->st, &err) != RW_OK ||
                   curl_easy_setopt(s->easy, CURLOPT_PRIVATE, s) != CURLE_OK ||
                   curl_multi_add_handle(p->multi, s->easy) != CURLM_OK) {
            feed_error(s, err.code != RW_OK ? err.code : RW_ENOMEM, err.msg);
            rw_http_probe_cleanup(&s->st);
            curl_easy_cleanup(s->easy);
            s->easy = NULL;
        } else {
            p->active++;
            return 1;
        }
        rw_buf_free(&s->body);
        path = next_path(s->server);
        po.path = path;
    }
    return 0;
}

/* A transfer ended: classify, feed the reader, free the handle, start its next request. */
static void
finish(struct pass *p, struct slot *s, CURLcode code)
{
    struct rw_http_probe_result res;
    struct rw_hubspoke_reply reply;
    struct rw_err err;
    char msg[RW_ERR_MSG_MAX + 32];

    rw_err_clear(&err);
    memset(&res, 0, sizeof(res));
    reply.rc = rw_http_probe_finish(s->easy, code, &s->st, &res, &err);
    reply.status = res.status;
    reply.msg = err.msg;
    reply.body = rw_buf_str(&s->body);
    reply.len = rw_buf_len(&s->body);
    if (reply.rc == RW_OK && (res.status < 200 || res.status > 299)) {
        reply.rc = RW_EHTTP;
        (void)snprintf(msg, sizeof(msg), "HTTP %ld %s", res.status, res.reason);
        reply.msg = msg;
    }
    if (reply.rc == RW_OK && s->root) {
        s->server->time_s = res.total_s;
    }
    feed(s->server, &reply);
    (void)curl_multi_remove_handle(p->multi, s->easy);
    curl_easy_cleanup(s->easy);
    rw_http_probe_cleanup(&s->st);
    rw_buf_free(&s->body);
    s->easy = NULL;
    p->active--;
    (void)start(p, s);
}

/* Starts first requests of servers not started yet, up to the cap. */
static void
fill(struct pass *p)
{
    while (p->next < p->n && p->active < p->max_total) {
        (void)start(p, &p->slots[p->next]);
        p->next++;
    }
}

static void
drain(struct pass *p)
{
    CURLMsg *msg;
    int left = 0;
    struct slot *s = NULL;

    while ((msg = curl_multi_info_read(p->multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE) {
            continue;
        }
        if (curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s) == CURLE_OK &&
            s != NULL) {
            finish(p, s, msg->data.result);
        }
    }
}

/* The loop: until nothing is active and nothing is left to start, or the deadline. */
static enum rw_rc
run(struct pass *p, struct rw_err *err)
{
    int running = 0;
    long left;

    fill(p);
    while (p->active > 0 || p->next < p->n) {
        /* finished transfers are drained before waiting, so a reader's next request
           starts at once rather than after the poll's timeout */
        if (curl_multi_perform(p->multi, &running) != CURLM_OK) {
            return rw_err_set(err, RW_ENOMEM, "curl multi failed");
        }
        drain(p);
        fill(p);
        left = p->deadline_ms - now_ms();
        if (left <= 0 || (p->active == 0 && p->next >= p->n)) {
            break;
        }
        if (curl_multi_poll(p->multi, NULL, 0, (int)(left < 100 ? left : 100), NULL) != CURLM_OK) {
            return rw_err_set(err, RW_ENOMEM, "curl multi failed");
        }
    }
    return RW_OK;
}

/* Ends the transfers still in flight at the deadline; their readers stay unfinished. */
static void
abandon(struct pass *p)
{
    size_t i;
    struct slot *s;

    for (i = 0; i < p->n; i++) {
        s = &p->slots[i];
        if (s->easy != NULL) {
            (void)curl_multi_remove_handle(p->multi, s->easy);
            curl_easy_cleanup(s->easy);
            rw_http_probe_cleanup(&s->st);
            rw_buf_free(&s->body);
            s->easy = NULL;
        }
    }
}

enum rw_rc
rw_hubspoke_read_many(const struct rw_hubspoke_http *http, struct rw_hubspoke_server *servers,
                      size_t n, long timeout_ms, struct rw_err *err)
{
    struct pass p = {.http = http, .n = n};
    enum rw_rc rc;
    size_t i;

    if (n == 0) {
        return rw_err_set(err, RW_EINVAL, "no servers to read");
    }
    p.max_total = http->max_total > 0 ? http->max_total : RW_HUBSPOKE_READ_MAX_TOTAL;
    p.deadline_ms = now_ms() + (timeout_ms > 0 ? timeout_ms : 1);
    p.slots = calloc(n, sizeof(*p.slots));
    p.multi = curl_multi_init();
    if (p.slots == NULL || p.multi == NULL) {
        rc = rw_err_set(err, RW_ENOMEM, "out of memory");
        goto fail;
    }
    for (i = 0; i < n; i++) {
        p.slots[i].server = &servers[i];
        servers[i].time_s = -1.0;
    }
    rc = run(&p, err);
    abandon(&p);
fail:
    if (p.multi != NULL) {
        (void)curl_multi_cleanup(p.multi);
    }
    free(p.slots);
    return rc;
}

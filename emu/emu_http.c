#include "emu_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "emu_fault.h"
#include "emu_handlers.h"
#include "emu_reply.h"
#include "rw_buf.h"
#include "rw_parse.h"

#define EMU_BACKLOG      1024
#define EMU_CONN_LIMIT   1000 /* one thread each */
#define EMU_CONN_TIMEOUT 120  /* seconds idle before a connection is closed */

/* What one request carries between libmicrohttpd's calls. */
struct emu_pending {
    struct rw_buf body;
    int too_big;
    struct timeval start;
    unsigned status; /* 0: dropped */
    size_t bytes;
    char method[16];
    char url[256]; /* for the access log, cut */
};

/* Splits spec into host and port; false when it is out of shape. */
static int
split_spec(const char *spec, char *host, size_t hsize, int64_t *port)
{
    const char *colon;
    size_t hlen;

    if (spec[0] == '[') {
        colon = strstr(spec, "]:");
        hlen = colon != NULL ? (size_t)(colon - spec - 1) : 0;
        spec++;
        colon = colon != NULL ? colon + 1 : NULL;
    } else {
        colon = strrchr(spec, ':');
        hlen = colon != NULL ? (size_t)(colon - spec) : 0;
    }
    if (colon == NULL || hlen == 0 || hlen >= hsize) {
        return 0;
    }
    memcpy(host, spec, hlen);
    host[hlen] = '\0';
    return rw_parse_i64(colon + 1, 0, 65535, port) == RW_OK;
}

enum rw_rc
emu_http_check_spec(const char *spec, struct rw_err *err)
{
    char host[EMU_ADDR_MAX];
    int64_t port;

    if (!split_spec(spec, host, sizeof(host), &port)) {
        return rw_err_set(err, RW_EINVAL,
                          "--listen: '%s' is not HOST:PORT or [IPV6]:PORT (port 0..65535)", spec);
    }
    return RW_OK;
}

/* Writes the bound address of fd as "H:P" or "[H]:P" into out. */
static void
bound_addr(int fd, char *out, size_t size)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    char host[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;

    if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
        (void)snprintf(out, size, "?:0");
        return;
    }
    if (ss.ss_family == AF_INET6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        (void)inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
        port = ntohs(s6->sin6_port);
        (void)snprintf(out, size, "[%s]:%u", host, port);
        return;
    }
    (void)inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host, sizeof(host));
    port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
    (void)snprintf(out, size, "%s:%u", host, port);
}

/* Opens *fdp, a socket listening on spec, and says its address family. */
static enum rw_rc
open_listener(const char *spec, int *fdp, int *family, struct rw_err *err)
{
    struct addrinfo hints = {0}, *ai = NULL;
    char host[EMU_ADDR_MAX], port_text[8];
    int64_t port;
    int fd = -1, one = 1, gai;
    enum rw_rc rc = RW_OK;

    if (!split_spec(spec, host, sizeof(host), &port)) {
        /* The spec was checked when parsed: this only sets the message again. */
        rc = emu_http_check_spec(spec, err);
        return rc != RW_OK ? rc : RW_EINVAL;
    }
    (void)snprintf(port_text, sizeof(port_text), "%lld", (long long)port);
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    gai = getaddrinfo(host, port_text, &hints, &ai);
    if (gai != 0) {
        return rw_err_set(err, RW_EINVAL, "--listen: '%s': %s", spec, gai_strerror(gai));
    }
    fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0) {
        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (ai->ai_family == AF_INET6) {
            (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
        }
    }
    if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, EMU_BACKLOG) != 0) {
        rc = rw_err_set(err, RW_ECONNECT, "cannot listen on %s: %s", spec, strerror(errno));
        if (fd >= 0) {
            (void)close(fd);
        }
        fd = -1;
    }
    *family = ai->ai_family;
    *fdp = fd;
    freeaddrinfo(ai);
    return rc;
}

/* Collects the first $-parameter the emulator does not serve. */
static enum MHD_Result
note_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    struct emu_request *rq = cls;

    (void)kind;
    (void)value;
    if (key[0] == '$' && strcmp(key, "$top") != 0 && strcmp(key, "$skip") != 0 &&
        strcmp(key, "$expand") != 0 && rq->unsupported == NULL) {
        rq->unsupported = key;
    }
    return MHD_YES;
}

/* Fills rq from the connection; Basic credentials go in *user and *pass (MHD_free). */
static void
read_request(struct MHD_Connection *conn, const char *url, const char *method,
             struct emu_pending *p, struct emu_request *rq, char **user, char **pass)
{
    memset(rq, 0, sizeof(*rq));
    rq->method = method;
    rq->path = url;
    rq->top = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "$top");
    rq->skip = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "$skip");
    rq->expand = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "$expand");
    (void)MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, note_arg, rq);
    rq->token = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Auth-Token");
    *pass = NULL;
    *user = MHD_basic_auth_get_username_password(conn, pass);
    rq->basic_user = *user;
    rq->basic_pass = *pass;
    rq->body = rw_buf_len(&p->body) > 0 ? rw_buf_str(&p->body) : NULL;
    rq->body_len = rw_buf_len(&p->body);
    rq->body_too_big = p->too_big;
}

/* Adds the Redfish headers of rp to resp. */
static void
add_headers(struct MHD_Response *resp, const struct emu_reply *rp)
{
    char num[16];

    (void)MHD_add_response_header(resp, "OData-Version", "4.0");
    (void)MHD_add_response_header(resp, "Cache-Control", "no-cache");
    if (rp->status != 204) {
        (void)MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                      rp->content_type != NULL ? rp->content_type
                                                               : "application/json; charset=utf-8");
    }
    if (rp->location[0] != '\0') {
        (void)MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, rp->location);
    }
    if (rp->token[0] != '\0') {
        (void)MHD_add_response_header(resp, "X-Auth-Token", rp->token);
    }
    if (rp->allow != NULL) {
        (void)MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, rp->allow);
    }
    if (rp->retry_after > 0) {
        (void)snprintf(num, sizeof(num), "%u", rp->retry_after);
        (void)MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, num);
    }
    if (rp->www_auth) {
        (void)MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                                      "Basic realm=\"" EMU_PROG "\"");
    }
}

/* Answers an injected error status. */
static void
fault_reply(unsigned status, struct emu_reply *rp)
{
    if (status == 503) {
        emu_reply_error(rp, 503, EMU_MSG_UNAVAILABLE, "1", NULL);
        rp->retry_after = 1;
    } else {
        emu_reply_error(rp, status, EMU_MSG_GENERAL, NULL, NULL);
    }
}

/* Builds, sends and records the answer to a complete request. */
static enum MHD_Result
answer(struct emu_ctx *ctx, struct MHD_Connection *conn, const char *url, const char *method,
       struct emu_pending *p)
{
    struct emu_fault_plan plan;
    struct emu_reply rp;
    struct emu_request rq;
    struct MHD_Response *resp;
    char *user = NULL, *pass = NULL;
    enum MHD_Result ret;

    emu_fault_plan(ctx, &plan);
    emu_fault_sleep_ms(plan.delay_ms);
    if (plan.drop) {
        return MHD_NO;
    }
    emu_reply_init(&rp);
    if (plan.status != 0) {
        fault_reply(plan.status, &rp);
    } else {
        read_request(conn, url, method, p, &rq, &user, &pass);
        emu_handle(ctx, &rq, &rp);
        MHD_free(user);
        MHD_free(pass);
    }
    p->status = rp.status;
    resp = emu_fault_response(ctx->opts, &rp);
    if (resp == NULL) {
        emu_reply_cleanup(&rp);
        return MHD_NO;
    }
    p->bytes = ctx->opts->huge_body > 0 ? (size_t)ctx->opts->huge_body : rp.len;
    add_headers(resp, &rp);
    ret = MHD_queue_response(conn, rp.status, resp);
    MHD_destroy_response(resp);
    emu_reply_cleanup(&rp);
    return ret;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
           const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    struct emu_pending *p = *con_cls;

    (void)version;
    if (p == NULL) {
        p = calloc(1, sizeof(*p));
        if (p == NULL) {
            return MHD_NO;
        }
        rw_buf_init(&p->body, EMU_BODY_MAX);
        (void)gettimeofday(&p->start, NULL);
        (void)snprintf(p->method, sizeof(p->method), "%s", method);
        (void)snprintf(p->url, sizeof(p->url), "%s", url);
        *con_cls = p;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        /* Past the cap the rest is read and dropped; the answer is a 413. */
        if (!p->too_big && rw_buf_add(&p->body, upload_data, *upload_data_size) != RW_OK) {
            p->too_big = 1;
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    return answer(cls, conn, url, method, p);
}

/*
 * One access-log line per request:
 *   START END PEER METHOD PATH STATUS BYTES
 * START (request read) and END (answer sent) are seconds since the epoch with
 * microseconds; STATUS 0 means the connection was dropped unanswered.
 */
static void
log_request(struct emu_ctx *ctx, struct MHD_Connection *conn, const struct emu_pending *p)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char peer[INET6_ADDRSTRLEN] = "-";
    struct timeval end;

    (void)gettimeofday(&end, NULL);
    if (ci != NULL && ci->client_addr != NULL) {
        const struct sockaddr *sa = ci->client_addr;
        const void *a = sa->sa_family == AF_INET6
                            ? (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr
                            : (const void *)&((const struct sockaddr_in *)sa)->sin_addr;
        (void)inet_ntop(sa->sa_family, a, peer, sizeof(peer));
    }
    (void)pthread_mutex_lock(&ctx->log_lock);
    (void)fprintf(ctx->access_log, "%lld.%06ld %lld.%06ld %s %s %s %u %zu\n",
                  (long long)p->start.tv_sec, (long)p->start.tv_usec, (long long)end.tv_sec,
                  (long)end.tv_usec, peer, p->method, p->url, p->status, p->bytes);
    (void)fflush(ctx->access_log);
    (void)pthread_mutex_unlock(&ctx->log_lock);
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
    struct emu_ctx *ctx = cls;
    struct emu_pending *p = *con_cls;

    (void)toe;
    if (p == NULL) {
        return;
    }
    if (ctx->access_log != NULL) {
        log_request(ctx, conn, p);
    }
    rw_buf_free(&p->body);
    free(p);
    *con_cls = NULL;
}

enum rw_rc
emu_http_listen(struct emu_ctx *ctx, const char *spec, const char *key_pem, const char *cert_pem,
                struct emu_listener *out, struct rw_err *err)
{
    /* A thread per connection: --delay-ms and --slow-body sleep in it, so one slow
     * answer never holds up another. */
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_USE_POLL | MHD_USE_ITC;
    int family = AF_INET, fd = -1;
    enum rw_rc rc = open_listener(spec, &fd, &family, err);

    if (rc != RW_OK) {
        return rc;
    }
    flags |= family == AF_INET6 ? MHD_USE_IPv6 : 0;
    flags |= key_pem != NULL ? MHD_USE_TLS : 0;
    bound_addr(fd, out->addr, sizeof(out->addr));
    out->tls = key_pem != NULL;
    out->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, ctx, MHD_OPTION_LISTEN_SOCKET,
                                   fd, MHD_OPTION_NOTIFY_COMPLETED, on_completed, ctx,
                                   MHD_OPTION_CONNECTION_LIMIT, (unsigned)EMU_CONN_LIMIT,
                                   MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)EMU_CONN_TIMEOUT,
                                   key_pem != NULL ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END,
                                   key_pem, MHD_OPTION_HTTPS_MEM_CERT, cert_pem, MHD_OPTION_END);
    if (out->daemon == NULL) {
        (void)close(fd);
        return rw_err_set(err, key_pem != NULL ? RW_ETLS : RW_ECONNECT, "cannot serve %s%s", spec,
                          key_pem != NULL ? ": check --tls-cert and --tls-key" : "");
    }
    return RW_OK;
}

void
emu_http_stop(struct emu_listener *l)
{
    if (l->daemon != NULL) {
        MHD_stop_daemon(l->daemon);
        l->daemon = NULL;
    }
}

/*
 * Unit tests for the client's caps and reply classification at their exact boundaries,
 * against a canned HTTP server in a child process on 127.0.0.1 (port 0): a body of exactly
 * body_max bytes passes and one byte more fails, with and without Content-Length;
 * oversized headers, and one header line that never ends; a redirect; a 503 when retries are off.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "rf_client.h"

#define CAP 1000

struct server {
    pid_t pid;
    int port;
};

/* Writes all of buf; 0 on failure. */
static int
write_all(int fd, const char *buf, size_t len)
{
    ssize_t n;

    while (len > 0) {
        n = write(fd, buf, len);
        if (n <= 0) {
            return 0;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 1;
}

/* Sends the head and then body_len bytes of 'x'. */
static void
reply(int fd, const char *head, size_t body_len)
{
    char block[4096];
    size_t n;

    memset(block, 'x', sizeof(block));
    if (!write_all(fd, head, strlen(head))) {
        return;
    }
    while (body_len > 0) {
        n = body_len < sizeof(block) ? body_len : sizeof(block);
        if (!write_all(fd, block, n)) {
            return;
        }
        body_len -= n;
    }
}

/* A response with 70 KiB of headers. */
static void
reply_big_headers(int fd)
{
    char line[1100];
    int i;

    if (!write_all(fd, "HTTP/1.1 200 OK\r\nConnection: close\r\n", 36)) {
        return;
    }
    memset(line, 'y', sizeof(line));
    for (i = 0; i < 70; i++) {
        snprintf(line, 16, "X-Pad-%02d: ", i);
        line[strlen(line)] = 'y';
        line[sizeof(line) - 2] = '\r';
        line[sizeof(line) - 1] = '\n';
        if (!write_all(fd, line, sizeof(line))) {
            return;
        }
    }
    (void)write_all(fd, "Content-Length: 0\r\n\r\n", 21);
}

/* Serves one connection: reads the request head, answers by path, closes. */
static void
serve_one(int fd)
{
    char req[4096];
    size_t got = 0;
    ssize_t n;
    char head[256];

    while (got < sizeof(req) - 1 && (n = read(fd, req + got, sizeof(req) - 1 - got)) > 0) {
        got += (size_t)n;
        req[got] = '\0';
        if (strstr(req, "\r\n\r\n") != NULL) {
            break;
        }
    }
    req[got] = '\0';
#define IS(p) (strncmp(req, "GET " p " ", strlen("GET " p " ")) == 0)
    if (IS("/exact-cl") || IS("/over-cl")) {
        size_t len = IS("/exact-cl") ? CAP : CAP + 1;
        snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", len);
        reply(fd, head, len);
    } else if (IS("/exact-close") || IS("/over-close")) {
        reply(fd, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n",
              IS("/exact-close") ? CAP : CAP + 1);
    } else if (IS("/big-headers")) {
        reply_big_headers(fd);
    } else if (IS("/endless-header")) {
        /* regression (hostile.*.header_line): one header line past libcurl's 100 KiB */
        reply(fd, "HTTP/1.1 200 OK\r\nX-Endless: ", 200 * 1024);
    } else if (IS("/moved")) {
        reply(fd,
              "HTTP/1.1 301 Moved\r\nLocation: https://elsewhere/x\r\nContent-Length: 0\r\n\r\n",
              0);
    } else if (IS("/busy")) {
        reply(fd, "HTTP/1.1 503 Busy\r\nRetry-After: soon\r\nContent-Length: 0\r\n\r\n", 0);
    } else {
        reply(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 0);
    }
#undef IS
    (void)close(fd);
}

static int
server_start(void **state)
{
    static struct server srv;
    struct sockaddr_in addr;
    socklen_t alen = sizeof(addr);
    int lfd, fd;

    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(lfd, 16) != 0 ||
        getsockname(lfd, (struct sockaddr *)&addr, &alen) != 0) {
        return -1;
    }
    srv.port = ntohs(addr.sin_port);
    srv.pid = fork();
    if (srv.pid == 0) {
        /* A client that stops reading (a cap reached) closes with our reply half written:
         * the write then fails, which must not end the server. */
        (void)signal(SIGPIPE, SIG_IGN);
        for (;;) {
            fd = accept(lfd, NULL, NULL);
            if (fd >= 0) {
                serve_one(fd);
            }
        }
    }
    (void)close(lfd);
    *state = &srv;
    return srv.pid > 0 ? 0 : -1;
}

static int
server_stop(void **state)
{
    struct server *srv = *state;

    (void)kill(srv->pid, SIGTERM);
    (void)waitpid(srv->pid, NULL, 0);
    return 0;
}

struct got {
    enum rw_rc rc;
    long status;
    size_t len;
    char msg[RW_ERR_MSG_MAX];
    int calls;
};

static void
on_done(const struct rf_result *res, void *ctx)
{
    struct got *g = ctx;

    g->rc = res->rc;
    g->status = res->status;
    g->len = res->body_len;
    snprintf(g->msg, sizeof(g->msg), "%s", res->msg);
    g->calls++;
}

struct cap_row {
    const char *path;
    enum rw_rc rc;
    long status;
    size_t len;
    const char *msg;
};

static const struct cap_row cap_rows[] = {
    {"/exact-cl", RW_OK, 200, CAP, ""},
    {"/exact-close", RW_OK, 200, CAP, ""},
    {"/over-cl", RW_ETOOBIG, 0, 0, "body larger than 1000 bytes"},
    {"/over-close", RW_ETOOBIG, 0, 0, "body larger than 1000 bytes"},
    {"/big-headers", RW_ETOOBIG, 0, 0, "headers larger than 65536 bytes"},
    {"/endless-header", RW_ETOOBIG, 0, 0, "headers larger than 65536 bytes"},
    {"/moved", RW_EHTTP, 301, 0, "HTTP 301: redirect to https://elsewhere/x not followed"},
    {"/busy", RW_EHTTP, 503, 0, "HTTP 503"},
    {"/nothing", RW_EHTTP, 404, 0, "HTTP 404"},
};

static void
test_caps(void **state)
{
    struct server *srv = *state;
    struct rf_service_opts o;
    struct rf_client *c = NULL;
    struct rf_service *svc = NULL;
    struct got got[sizeof(cap_rows) / sizeof(cap_rows[0])];
    struct rw_err err;
    char url[64];
    size_t i;

    memset(got, 0, sizeof(got));
    rw_err_clear(&err);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d", srv->port);
    rf_service_opts_init(&o);
    o.url = url;
    o.auth = RF_AUTH_NONE;
    o.body_max = CAP;
    o.max_retries = -1;
    assert_int_equal(rf_client_new(NULL, &c, &err), RW_OK);
    assert_int_equal(rf_client_add(c, &o, &svc, &err), RW_OK);
    for (i = 0; i < sizeof(cap_rows) / sizeof(cap_rows[0]); i++) {
        assert_int_equal(rf_client_get(c, svc, cap_rows[i].path, on_done, &got[i], &err), RW_OK);
    }
    assert_int_equal(rf_client_run(c, rf_client_now_ms() + 20000, &err), RW_OK);
    for (i = 0; i < sizeof(cap_rows) / sizeof(cap_rows[0]); i++) {
        const struct cap_row *r = &cap_rows[i];

        if (got[i].calls != 1 || got[i].rc != r->rc || got[i].status != r->status ||
            got[i].len != r->len || strcmp(got[i].msg, r->msg) != 0) {
            fail_msg("row %zu %s: calls %d %s %ld %zu '%s', want %s %ld %zu '%s'", i, r->path,
                     got[i].calls, rw_rc_name(got[i].rc), got[i].status, got[i].len, got[i].msg,
                     rw_rc_name(r->rc), r->status, r->len, r->msg);
        }
    }
    rf_client_free(c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_caps, server_start, server_stop),
    };
    int rc;

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        return 1;
    }
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}

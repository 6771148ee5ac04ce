/*
 * Unit tests for rf_client_opts.close_idle against a keep-alive HTTP server in a child
 * process on 127.0.0.1 (port 0).  The server takes one connection at a time and answers
 * every request with how many connections it has accepted so far, so a reply says whether
 * the client reused its connection or made a new one.  The client process's sockets are
 * counted in /proc/self/fd: with close_idle they go back to what they were before the
 * client existed once a round is over; without it the connection stays for the next round.
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
#include <dirent.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "rf_client.h"

struct server {
    pid_t pid;
    int port;
    int refused_fd; /* bound, never listening: connections to it are refused */
    int refused_port;
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

/* Serves the GETs of one kept-alive connection until the client closes it. */
static void
serve_conn(int fd, int accepted)
{
    char req[4096], body[64], head[128];
    size_t got = 0;
    ssize_t n;
    char *end;

    for (;;) {
        end = got > 0 ? strstr(req, "\r\n\r\n") : NULL;
        if (end == NULL) {
            n = got < sizeof(req) - 1 ? read(fd, req + got, sizeof(req) - 1 - got) : 0;
            if (n <= 0) {
                break;
            }
            got += (size_t)n;
            req[got] = '\0';
            continue;
        }
        snprintf(body, sizeof(body), "{\"accepted\": %d}", accepted);
        snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n",
                 strlen(body));
        if (!write_all(fd, head, strlen(head)) || !write_all(fd, body, strlen(body))) {
            break;
        }
        got -= (size_t)(end + 4 - req);
        memmove(req, end + 4, got + 1);
    }
    (void)close(fd);
}

/* A socket bound to 127.0.0.1 port 0; its port in *port; -1 on failure. */
static int
bound_socket(int *port)
{
    struct sockaddr_in addr;
    socklen_t alen = sizeof(addr);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &alen) != 0) {
        return -1;
    }
    *port = ntohs(addr.sin_port);
    return fd;
}

static int
server_start(void **state)
{
    static struct server srv;
    int lfd, fd, accepted = 0;

    lfd = bound_socket(&srv.port);
    srv.refused_fd = bound_socket(&srv.refused_port);
    if (lfd < 0 || srv.refused_fd < 0 || listen(lfd, 16) != 0) {
        return -1;
    }
    srv.pid = fork();
    if (srv.pid == 0) {
        for (;;) {
            fd = accept(lfd, NULL, NULL);
            if (fd >= 0) {
                serve_conn(fd, ++accepted);
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
    (void)close(srv->refused_fd);
    return 0;
}

/* The sockets this process holds open. */
static int
count_sockets(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *de;
    char path[300], target[64];
    ssize_t n;
    int count = 0;

    assert_non_null(d);
    while ((de = readdir(d)) != NULL) {
        snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
        n = readlink(path, target, sizeof(target) - 1);
        if (n > 0) {
            target[n] = '\0';
            count += strncmp(target, "socket:", 7) == 0;
        }
    }
    (void)closedir(d);
    return count;
}

struct round {
    struct rf_client *client;
    struct rf_service *svc;
    int calls;
    enum rw_rc rc;
    char body[64];
};

/* Records a reply. */
static void
on_done(const struct rf_result *res, void *ctx)
{
    struct round *r = ctx;

    r->calls++;
    r->rc = res->rc;
    snprintf(r->body, sizeof(r->body), "%s", res->body);
}

/* The first reply queues a second request, as a crawl does: the service is busy again
 * before its first request is even freed, and must keep its connection. */
static void
on_first(const struct rf_result *res, void *ctx)
{
    struct round *r = ctx;

    on_done(res, ctx);
    if (res->rc == RW_OK) {
        assert_int_equal(rf_client_get(r->client, r->svc, "/second", on_done, r, NULL), RW_OK);
    }
}

/* One round of two chained GETs; the body of the last reply in r->body. */
static void
run_round(struct round *r, int chained)
{
    struct rw_err err;

    rw_err_clear(&err);
    r->calls = 0;
    r->body[0] = '\0';
    assert_int_equal(
        rf_client_get(r->client, r->svc, "/first", chained ? on_first : on_done, r, &err), RW_OK);
    assert_int_equal(rf_client_run(r->client, rf_client_now_ms() + 20000, &err), RW_OK);
    assert_int_equal(rf_client_pending(r->client), 0);
}

struct idle_row {
    int close_idle;
    int sockets_kept;   /* sockets above the baseline after round 1 */
    const char *round2; /* the reply of round 2: which connection served it */
};

static void
test_close_idle_table(void **state)
{
    static const struct idle_row rows[] = {
        /* kept alive: the connection (and a multi handle's wake-up pair) stays open */
        {0, -1, "{\"accepted\": 1}"},
        /* released: nothing left over, and round 2 comes on a new connection */
        {1, 0, "{\"accepted\": 2}"},
    };
    struct server *srv = *state;
    struct rf_client_opts co;
    struct rf_service_opts o;
    struct round r;
    char url[64];
    int base, i, kept;

    for (i = 0; i < (int)(sizeof(rows) / sizeof(rows[0])); i++) {
        /* The server numbers connections from 1 again in a fresh child. */
        assert_int_equal(server_stop(state), 0);
        assert_int_equal(server_start(state), 0);
        srv = *state;
        base = count_sockets();
        memset(&co, 0, sizeof(co));
        co.close_idle = rows[i].close_idle;
        memset(&r, 0, sizeof(r));
        snprintf(url, sizeof(url), "http://127.0.0.1:%d", srv->port);
        rf_service_opts_init(&o);
        o.url = url;
        o.auth = RF_AUTH_NONE;
        assert_int_equal(rf_client_new(&co, &r.client, NULL), RW_OK);
        assert_int_equal(rf_client_add(r.client, &o, &r.svc, NULL), RW_OK);
        run_round(&r, 1);
        /* Within a round the chained request reuses the one connection. */
        assert_int_equal(r.calls, 2);
        assert_string_equal(r.body, "{\"accepted\": 1}");
        kept = count_sockets() - base;
        if (rows[i].sockets_kept >= 0 ? kept != rows[i].sockets_kept : kept <= 0) {
            fail_msg("row %d: %d sockets kept after the round", i, kept);
        }
        run_round(&r, 0);
        assert_int_equal(r.rc, RW_OK);
        if (strcmp(r.body, rows[i].round2) != 0) {
            fail_msg("row %d: round 2 got %s, want %s", i, r.body, rows[i].round2);
        }
        rf_client_free(r.client);
        assert_int_equal(count_sockets(), base);
    }
}

/* A service whose connection is refused, or whose request is cancelled, is idle too. */
static void
test_close_idle_after_failure(void **state)
{
    struct server *srv = *state;
    struct rf_client_opts co;
    struct rf_service_opts o;
    struct rf_service *up = NULL;
    struct round r;
    char url[64], url_up[64];
    int base = count_sockets();

    memset(&co, 0, sizeof(co));
    co.close_idle = 1;
    memset(&r, 0, sizeof(r));
    snprintf(url, sizeof(url), "http://127.0.0.1:%d", srv->refused_port);
    snprintf(url_up, sizeof(url_up), "http://127.0.0.1:%d", srv->port);
    rf_service_opts_init(&o);
    o.auth = RF_AUTH_NONE;
    o.url = url;
    assert_int_equal(rf_client_new(&co, &r.client, NULL), RW_OK);
    assert_int_equal(rf_client_add(r.client, &o, &r.svc, NULL), RW_OK);
    o.url = url_up;
    assert_int_equal(rf_client_add(r.client, &o, &up, NULL), RW_OK);
    run_round(&r, 0);
    assert_int_equal(r.calls, 1);
    assert_int_equal(r.rc, RW_ECONNECT);
    assert_int_equal(count_sockets(), base);
    /* Queued, then cancelled before it ran: released by the cancel. */
    assert_int_equal(rf_client_get(r.client, up, "/first", on_done, &r, NULL), RW_OK);
    rf_client_cancel(r.client, RW_ETIMEOUT, "test");
    assert_int_equal(r.calls, 2);
    assert_int_equal(r.rc, RW_ETIMEOUT);
    assert_int_equal(count_sockets(), base);
    /* And the service works again afterwards. */
    r.svc = up;
    run_round(&r, 0);
    assert_int_equal(r.rc, RW_OK);
    assert_int_equal(count_sockets(), base);
    rf_client_free(r.client);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_close_idle_table, server_start, server_stop),
        cmocka_unit_test_setup_teardown(test_close_idle_after_failure, server_start, server_stop),
    };
    int rc;

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        return 1;
    }
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}

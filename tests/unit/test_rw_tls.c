/*
 * Unit tests for rw_tls without a TLS server: context errors, bad targets, a refused
 * connection and the step API against a loopback listener that never answers.  The
 * handshakes themselves are tested in tests/integration/tls_probe.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "rw_tls.h"

/* A listening socket on the loopback address of family af; its port in *port. */
static int
listener(int af, int *port)
{
    struct sockaddr_in6 a6;
    struct sockaddr_in a4;
    struct sockaddr *sa = af == AF_INET6 ? (struct sockaddr *)&a6 : (struct sockaddr *)&a4;
    socklen_t len = af == AF_INET6 ? sizeof(a6) : sizeof(a4);
    int fd = socket(af, SOCK_STREAM, 0);

    if (fd < 0) {
        return -1;
    }
    memset(&a6, 0, sizeof(a6));
    memset(&a4, 0, sizeof(a4));
    a6.sin6_family = AF_INET6;
    a6.sin6_addr = in6addr_loopback;
    a4.sin_family = AF_INET;
    a4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, sa, len) != 0 || listen(fd, 8) != 0 || getsockname(fd, sa, &len) != 0) {
        (void)close(fd);
        return -1;
    }
    *port = ntohs(af == AF_INET6 ? a6.sin6_port : a4.sin_port);
    return fd;
}

static void
test_ctx_errors(void **state)
{
    struct rw_tls_config bad_ca = {.ca_file = RW_TEST_TMP_DIR "/no-such-ca.pem"};
    struct rw_tls_config key_only = {.client_key = "/etc/hostname"};
    struct rw_tls_config no_cert = {.client_cert = RW_TEST_TMP_DIR "/no-such.crt"};
    struct rw_tls_ctx *ctx = NULL;
    struct rw_err err;

    (void)state;
    rw_err_clear(&err);
    assert_int_equal(rw_tls_ctx_new(&bad_ca, &ctx, &err), RW_EINVAL);
    assert_string_equal(err.msg,
                        "CA file " RW_TEST_TMP_DIR "/no-such-ca.pem: No such file or directory");
    rw_err_clear(&err);
    assert_int_equal(rw_tls_ctx_new(&key_only, &ctx, &err), RW_EINVAL);
    assert_string_equal(err.msg, "client key /etc/hostname given without a client certificate");
    rw_err_clear(&err);
    assert_int_equal(rw_tls_ctx_new(&no_cert, &ctx, &err), RW_EINVAL);
    assert_string_equal(err.msg,
                        "client certificate " RW_TEST_TMP_DIR "/no-such.crt or key " RW_TEST_TMP_DIR
                        "/no-such.crt: No such file or directory");
    assert_int_equal(rw_tls_ctx_new(NULL, &ctx, NULL), RW_OK);
    rw_tls_ctx_free(ctx);
    rw_tls_ctx_free(NULL);
}

struct target_row {
    const char *host;
    int port;
    const char *want_msg;
};

static void
test_bad_targets(void **state)
{
    static const struct target_row rows[] = {
        {NULL, 443, "bad TLS target \"\" port 443"},
        {"", 443, "bad TLS target \"\" port 443"},
        {"[]", 443, "bad TLS target \"[]\" port 443"},
        {"host", 0, "bad TLS target \"host\" port 0"},
        {"host", 65536, "bad TLS target \"host\" port 65536"},
        {"bad host", 443, "bad TLS target \"bad host\" port 443"},
        {"[::1", 443, "bad TLS target \"[::1\" port 443"},
        {"-x.example", 443, "bad TLS target \"-x.example\" port 443"},
        {"a/b", 443, "bad TLS target \"a/b\" port 443"},
        {"[127.0.0.1]", 443, "bad TLS target \"[127.0.0.1]\" port 443"},
        {"[localhost]", 443, "bad TLS target \"[localhost]\" port 443"},
    };
    struct rw_tls_ctx *ctx = NULL;

    (void)state;
    assert_int_equal(rw_tls_ctx_new(NULL, &ctx, NULL), RW_OK);
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct rw_tls_target t = {.host = rows[i].host, .port = rows[i].port};
        struct rw_tls_probe *probe = NULL;
        const struct rw_tls_result *r;

        assert_int_equal(rw_tls_probe_start(ctx, &t, &probe, NULL), RW_OK);
        r = rw_tls_probe_result(probe);
        if (!rw_tls_probe_done(probe) || r->rc != RW_EINVAL ||
            strcmp(r->err.msg, rows[i].want_msg) != 0 || rw_tls_probe_fd(probe) != -1 ||
            rw_tls_probe_events(probe) != 0) {
            fail_msg("row %zu: rc %s \"%s\"", i, rw_rc_name(r->rc), r->err.msg);
        }
        rw_tls_probe_free(probe);
    }
    rw_tls_ctx_free(ctx);
}

static void
test_many_bad_arguments(void **state)
{
    struct rw_tls_target t = {.host = "127.0.0.1", .port = 1};
    struct rw_tls_result res;
    struct rw_tls_ctx *ctx = NULL;
    struct rw_err err;

    (void)state;
    assert_int_equal(rw_tls_ctx_new(NULL, &ctx, NULL), RW_OK);
    rw_err_clear(&err);
    assert_int_equal(rw_tls_probe_many(ctx, &t, 0, 1000, &res, &err), RW_EINVAL);
    assert_string_equal(err.msg, "TLS probe: 0 targets, timeout 1000 ms");
    rw_err_clear(&err);
    assert_int_equal(rw_tls_probe_many(ctx, &t, 1, 0, &res, &err), RW_EINVAL);
    assert_string_equal(err.msg, "TLS probe: 1 targets, timeout 0 ms");
    assert_null(res.chain);
    assert_int_equal(res.host_match, -1);
    rw_tls_result_cleanup(&res);
    rw_tls_ctx_free(ctx);
}

static void
test_refused(void **state)
{
    struct rw_tls_target t = {.host = "127.0.0.1"};
    struct rw_tls_result res;
    struct rw_tls_ctx *ctx = NULL;
    char want[128];
    int fd = listener(AF_INET, &t.port);

    (void)state;
    assert_true(fd >= 0);
    (void)close(fd); /* nothing listens there now: connections are refused */
    assert_int_equal(rw_tls_ctx_new(NULL, &ctx, NULL), RW_OK);
    assert_int_equal(rw_tls_probe_many(ctx, &t, 1, 5000, &res, NULL), RW_OK);
    assert_int_equal(res.rc, RW_ECONNECT);
    (void)snprintf(want, sizeof(want), "connect to 127.0.0.1:%d: Connection refused", t.port);
    assert_string_equal(res.err.msg, want);
    assert_null(res.chain);
    assert_int_equal(res.verify_code, -1);
    rw_tls_result_cleanup(&res);
    rw_tls_ctx_free(ctx);
}

/* Drives one probe by hand until it waits to read the server's first answer. */
static void
step_until_reading(struct rw_tls_probe *probe)
{
    for (int round = 0; round < 20; round++) {
        struct pollfd pfd = {.fd = rw_tls_probe_fd(probe), .events = rw_tls_probe_events(probe)};

        assert_false(rw_tls_probe_done(probe));
        if (pfd.events == POLLIN) {
            return;
        }
        assert_int_equal(poll(&pfd, 1, 5000), 1);
        assert_int_equal(rw_tls_probe_step(probe, pfd.revents), 0);
    }
    fail_msg("the probe never waited for the server");
}

static void
check_silent(int af, const char *host, const char *label)
{
    struct rw_tls_target t = {.host = host};
    struct rw_tls_probe *probe = NULL;
    struct rw_tls_result res;
    struct rw_tls_ctx *ctx = NULL;
    char want[160];
    int fd = listener(af, &t.port);

    if (fd < 0) {
        print_message("no loopback listener for %s: not run\n", host);
        return;
    }
    assert_int_equal(rw_tls_ctx_new(NULL, &ctx, NULL), RW_OK);
    assert_int_equal(rw_tls_probe_start(ctx, &t, &probe, NULL), RW_OK);
    step_until_reading(probe);
    assert_int_equal(rw_tls_probe_step(probe, 0), 0); /* no event: nothing happens */
    rw_tls_probe_expire(probe, 250);
    assert_true(rw_tls_probe_done(probe));
    assert_int_equal(rw_tls_probe_step(probe, POLLIN), 1);
    rw_tls_probe_take_result(probe, &res);
    assert_int_equal(res.rc, RW_ETIMEOUT);
    (void)snprintf(want, sizeof(want), "TLS handshake with %s:%d: no answer within 250 ms", label,
                   t.port);
    assert_string_equal(res.err.msg, want);
    assert_true(res.connect_ms >= 0);
    assert_int_equal(rw_tls_probe_result(probe)->rc, RW_OK); /* taken: left empty */
    rw_tls_result_cleanup(&res);
    rw_tls_probe_free(probe);
    rw_tls_ctx_free(ctx);
    (void)close(fd);
}

/*
 * A listener whose accept queue is full drops new SYNs, so a connection stays in
 * progress: expiring it then names the TCP stage.
 */
static void
test_expire_while_connecting(void **state)
{
    struct rw_tls_target t = {.host = "127.0.0.1"};
    struct rw_tls_probe *probe = NULL;
    struct rw_tls_ctx *ctx = NULL;
    struct pollfd pfd;
    char want[128];
    int fd = listener(AF_INET, &t.port), fillers[4];

    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(listen(fd, 0), 0);
    for (int i = 0; i < 4; i++) {
        struct rw_tls_probe *filler = NULL;

        assert_int_equal(rw_tls_ctx_new(NULL, &ctx, NULL), RW_OK);
        assert_int_equal(rw_tls_probe_start(ctx, &t, &filler, NULL), RW_OK);
        fillers[i] = dup(rw_tls_probe_fd(filler));
        rw_tls_probe_free(filler);
        rw_tls_ctx_free(ctx);
    }
    assert_int_equal(rw_tls_ctx_new(NULL, &ctx, NULL), RW_OK);
    assert_int_equal(rw_tls_probe_start(ctx, &t, &probe, NULL), RW_OK);
    pfd.fd = rw_tls_probe_fd(probe);
    pfd.events = rw_tls_probe_events(probe);
    if (pfd.events != POLLOUT || poll(&pfd, 1, 200) != 0) {
        print_message("the kernel accepted the connection anyway: not run\n");
    } else {
        rw_tls_probe_expire(probe, 200);
        (void)snprintf(want, sizeof(want), "connect to 127.0.0.1:%d: no answer within 200 ms",
                       t.port);
        assert_int_equal(rw_tls_probe_result(probe)->rc, RW_ETIMEOUT);
        assert_string_equal(rw_tls_probe_result(probe)->err.msg, want);
    }
    rw_tls_probe_free(probe);
    rw_tls_ctx_free(ctx);
    for (int i = 0; i < 4; i++) {
        (void)close(fillers[i]);
    }
    (void)close(fd);
}

static void
test_step_api_silent_server(void **state)
{
    (void)state;
    check_silent(AF_INET, "127.0.0.1", "127.0.0.1");
    check_silent(AF_INET6, "[::1]", "[::1]");
    check_silent(AF_INET6, "::1", "[::1]");
    rw_tls_probe_free(NULL);
}

/* The number of threads of this process, from /proc/self/task; -1 when unreadable. */
static int
thread_count(void)
{
    DIR *d = opendir("/proc/self/task");
    const struct dirent *e;
    int n = 0;

    if (d == NULL) {
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        n += e->d_name[0] != '.';
    }
    (void)closedir(d);
    return n;
}

/*
 * Waits (boundedly) until only want threads are left: the detached resolver threads of
 * probes freed early must end on their own.  Not a timing assertion: 20 s is only a
 * bound for a resolver answering from /etc/hosts.
 */
static void
wait_for_threads(int want)
{
    const struct timespec tick = {.tv_sec = 0, .tv_nsec = 10000000L};

    if (want < 0) {
        print_message("no /proc/self/task: resolver threads not counted\n");
        return;
    }
    for (int i = 0; i < 2000 && thread_count() > want; i++) {
        (void)nanosleep(&tick, NULL);
    }
    assert_int_equal(thread_count(), want);
}

/* A closed port of 127.0.0.1. */
static int
closed_port(void)
{
    int port = 0, fd = listener(AF_INET, &port);

    assert_true(fd >= 0);
    (void)close(fd);
    return port;
}

/*
 * A DNS name (localhost, from /etc/hosts) is resolved off the caller's thread: the probe
 * starts out waiting on a pollable fd for POLLIN, then goes on to connect.
 */
static void
test_named_host_resolves_async(void **state)
{
    struct rw_tls_target t = {.host = "localhost", .port = closed_port()};
    struct rw_tls_probe *probe = NULL;
    struct rw_tls_ctx *ctx = NULL;
    const struct rw_tls_result *r;
    char prefix[64];
    int round = 0;

    (void)state;
    assert_int_equal(rw_tls_ctx_new(NULL, &ctx, NULL), RW_OK);
    assert_int_equal(rw_tls_probe_start(ctx, &t, &probe, NULL), RW_OK);
    assert_false(rw_tls_probe_done(probe));
    assert_true(rw_tls_probe_fd(probe) >= 0);
    assert_int_equal(rw_tls_probe_events(probe), POLLIN);
    assert_int_equal(rw_tls_probe_step(probe, 0), 0); /* no event: still resolving */
    while (!rw_tls_probe_done(probe) && round++ < 20) {
        struct pollfd pfd = {.fd = rw_tls_probe_fd(probe), .events = rw_tls_probe_events(probe)};

        assert_int_equal(poll(&pfd, 1, 20000), 1);
        (void)rw_tls_probe_step(probe, pfd.revents);
    }
    r = rw_tls_probe_result(probe);
    assert_int_equal(r->rc, RW_ECONNECT);
    (void)snprintf(prefix, sizeof(prefix), "connect to localhost:%d (", t.port);
    assert_memory_equal(r->err.msg, prefix, strlen(prefix));
    assert_non_null(strstr(r->err.msg, "): Connection refused"));
    rw_tls_probe_free(probe);
    rw_tls_ctx_free(ctx);
}

/* The deadline ends a probe that is still resolving; its thread finishes on its own. */
static void
test_expire_while_resolving(void **state)
{
    struct rw_tls_target t = {.host = "localhost", .port = 443};
    struct rw_tls_probe *probe = NULL;
    struct rw_tls_ctx *ctx = NULL;
    int threads = *(const int *)*state; /* before any test: resolver threads are extra */

    assert_int_equal(rw_tls_ctx_new(NULL, &ctx, NULL), RW_OK);
    assert_int_equal(rw_tls_probe_start(ctx, &t, &probe, NULL), RW_OK);
    rw_tls_probe_expire(probe, 100);
    assert_true(rw_tls_probe_done(probe));
    assert_int_equal(rw_tls_probe_fd(probe), -1);
    assert_int_equal(rw_tls_probe_events(probe), 0);
    assert_int_equal(rw_tls_probe_step(probe, POLLIN), 1);
    assert_int_equal(rw_tls_probe_result(probe)->rc, RW_ETIMEOUT);
    assert_string_equal(rw_tls_probe_result(probe)->err.msg,
                        "cannot resolve localhost: no answer within 100 ms");
    assert_string_equal(rw_tls_probe_result(probe)->address, "");
    rw_tls_probe_free(probe);
    rw_tls_ctx_free(ctx);
    wait_for_threads(threads);
}

/*
 * Probes freed while (or just after) their threads resolve, interleaved with new
 * sockets that take the fd numbers given back: no leak (LeakSanitizer, after every
 * thread ended), no use after free, no write to a reused fd (ASan, and the sockets
 * opened meanwhile still work).
 */
static void
test_free_while_resolving(void **state)
{
    struct rw_tls_target t = {.host = "localhost", .port = 443};
    struct rw_tls_ctx *ctx = NULL;
    int threads = *(const int *)*state;

    assert_int_equal(rw_tls_ctx_new(NULL, &ctx, NULL), RW_OK);
    for (int i = 0; i < 64; i++) {
        struct rw_tls_probe *probe = NULL;
        int port = 0, fd;

        assert_int_equal(rw_tls_probe_start(ctx, &t, &probe, NULL), RW_OK);
        if (i % 2 == 1) {
            rw_tls_probe_expire(probe, 1);
        }
        rw_tls_probe_free(probe);
        fd = listener(AF_INET, &port);
        assert_true(fd >= 0);
        (void)close(fd);
    }
    rw_tls_ctx_free(ctx);
    wait_for_threads(threads);
}

int
main(void)
{
    int threads = thread_count(); /* this process's own, before any resolver thread */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ctx_errors),
        cmocka_unit_test(test_bad_targets),
        cmocka_unit_test(test_many_bad_arguments),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_step_api_silent_server),
        cmocka_unit_test(test_expire_while_connecting),
        cmocka_unit_test(test_named_host_resolves_async),
        cmocka_unit_test_prestate(test_expire_while_resolving, &threads),
        cmocka_unit_test_prestate(test_free_while_resolving, &threads),
    };

    (void)signal(SIGPIPE, SIG_IGN);
    /* The system store then comes from the hashed directory, looked up lazily: the
     * contexts made here do not each parse a whole CA bundle. */
    (void)unsetenv("SSL_CERT_FILE");
    return cmocka_run_group_tests(tests, NULL, NULL);
}

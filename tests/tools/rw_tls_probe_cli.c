/*
 * rw_tls_probe_cli: a test-only front to rw_tls_probe_many().  It probes every target
 * given at once and prints each result as key=value lines, a blank line between them:
 *
 *   rw_tls_probe_cli [--ca FILE] [--sni NAME] [--verify-name NAME] [--cert FILE]
 *                    [--key FILE] [--timeout MS] [--now EPOCH] [--mode many|each]
 *                    [--again-timeout MS] HOST:PORT...
 *
 * --mode each drives the probes through the step API (start/fd/events/step/expire, as
 * the daemon does) instead of rw_tls_probe_many() and prints done_order=N for each
 * result: the rank at which that probe finished (1 first; expired probes last, in target
 * order).  --again-timeout runs the same targets once more with that deadline and the
 * same context after the first round, printing "round=2" first.
 *
 * IPv6 hosts are bracketed ("[::1]:4433").  Exit 0 when every handshake completed,
 * 1 when one did not, 2 for bad arguments or a bad CA/client file.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rw_cert.h"
#include "rw_err.h"
#include "rw_parse.h"
#include "rw_tls.h"

#define TARGETS_MAX 1000

struct cli {
    struct rw_tls_config config;
    const char *sni;
    const char *verify_name;
    const char *timeout;
    const char *now;
    const char *mode;
    const char *again;
    int each; /* --mode each */
    size_t ntargets;
    char *hosts[TARGETS_MAX];
    struct rw_tls_target targets[TARGETS_MAX];
    int order[TARGETS_MAX]; /* --mode each: rank at which each probe finished */
};

/* Splits "host:port" / "[v6]:port" into a target; the host string is allocated. */
static enum rw_rc
parse_target(const char *arg, struct cli *cli, struct rw_err *err)
{
    const char *colon = strrchr(arg, ':');
    struct rw_tls_target *t = &cli->targets[cli->ntargets];
    int port = 0;

    if (cli->ntargets == TARGETS_MAX) {
        return rw_err_set(err, RW_ETOOBIG, "more than %d targets", TARGETS_MAX);
    }
    if (colon == NULL || colon == arg || rw_parse_port(colon + 1, &port) != RW_OK) {
        return rw_err_set(err, RW_EINVAL, "bad target \"%s\" (want HOST:PORT)", arg);
    }
    cli->hosts[cli->ntargets] = strndup(arg, (size_t)(colon - arg));
    if (cli->hosts[cli->ntargets] == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    t->host = cli->hosts[cli->ntargets];
    t->port = port;
    t->sni = cli->sni;
    t->verify_name = cli->verify_name;
    cli->ntargets++;
    return RW_OK;
}

/* The option's destination, or NULL for an unknown option. */
static const char **
option_slot(struct cli *cli, const char *name)
{
    const struct {
        const char *name;
        const char **slot;
    } table[] = {
        {"--ca", &cli->config.ca_file},
        {"--cert", &cli->config.client_cert},
        {"--key", &cli->config.client_key},
        {"--sni", &cli->sni},
        {"--verify-name", &cli->verify_name},
        {"--timeout", &cli->timeout},
        {"--now", &cli->now},
        {"--mode", &cli->mode},
        {"--again-timeout", &cli->again},
    };

    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (strcmp(name, table[i].name) == 0) {
            return table[i].slot;
        }
    }
    return NULL;
}

static enum rw_rc
parse_args(int argc, char **argv, struct cli *cli, struct rw_err *err)
{
    int i = 1;

    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        const char **slot = option_slot(cli, argv[i]);

        if (slot == NULL || i + 1 >= argc) {
            return rw_err_set(err, RW_EINVAL, "unknown option or missing value: %s", argv[i]);
        }
        *slot = argv[i + 1];
    }
    for (; i < argc; i++) {
        if (parse_target(argv[i], cli, err) != RW_OK) {
            return RW_EINVAL;
        }
    }
    if (cli->ntargets == 0) {
        return rw_err_set(err, RW_EINVAL, "usage: rw_tls_probe_cli [options] HOST:PORT...");
    }
    if (cli->mode != NULL && strcmp(cli->mode, "each") != 0 && strcmp(cli->mode, "many") != 0) {
        return rw_err_set(err, RW_EINVAL, "bad --mode %s (want many or each)", cli->mode);
    }
    cli->each = cli->mode != NULL && strcmp(cli->mode, "each") == 0;
    return RW_OK;
}

static void
print_cert(const struct rw_cert *cert, time_t now)
{
    enum rw_san_kind kind;

    printf("subject=%s\nissuer=%s\n", rw_cert_subject(cert), rw_cert_issuer(cert));
    for (size_t i = 0; i < rw_cert_san_count(cert); i++) {
        const char *san = rw_cert_san(cert, i, &kind);

        printf("san=%s:%s\n", kind == RW_SAN_DNS ? "DNS" : "IP", san);
    }
    printf("not_before=%lld\nnot_after=%lld\ndays_left=%.3f\nfingerprint=%s\n",
           (long long)rw_cert_not_before(cert), (long long)rw_cert_not_after(cert),
           rw_cert_days_left(cert, now), rw_cert_fingerprint_text(cert));
}

static void
print_result(const struct rw_tls_target *t, const struct rw_tls_result *r, int order, time_t now)
{
    size_t n = r->chain != NULL ? rw_cert_chain_count(r->chain) : 0;

    printf(strchr(t->host, ':') != NULL && t->host[0] != '[' ? "target=[%s]:%d\n"
                                                             : "target=%s:%d\n",
           t->host, t->port);
    printf("rc=%s\n", rw_rc_name(r->rc));
    if (order > 0) {
        printf("done_order=%d\n", order);
    }
    if (r->rc != RW_OK) {
        printf("error=%s\n", r->err.msg);
    }
    printf("address=%s\nconnect_ms=%.3f\nhandshake_ms=%.3f\n", r->address, r->connect_ms,
           r->handshake_ms);
    if (r->rc == RW_OK) {
        printf("protocol=%s\ncipher=%s\nverify_code=%ld\nverify=%s\nhost_match=%d\n", r->protocol,
               r->cipher, r->verify_code, r->verify_text, r->host_match);
    }
    printf("chain_length=%zu\n", n);
    for (size_t i = 0; i < n; i++) {
        if (i > 0) {
            printf("chain.%zu.", i);
        }
        print_cert(rw_cert_chain_get(r->chain, i), now);
    }
}

/* Milliseconds since t0 on the monotonic clock. */
static long
ms_since(const struct timespec *t0)
{
    struct timespec now;

    (void)clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)(now.tv_sec - t0->tv_sec) * 1000L + (now.tv_nsec - t0->tv_nsec) / 1000000L;
}

/* One poll() round; each probe that finishes in it gets the next rank in order[]. */
static enum rw_rc
step_round(struct rw_tls_probe **probes, struct pollfd *pfds, size_t n, long left, int *order,
           int *seq, struct rw_err *err)
{
    if (poll(pfds, (nfds_t)n, (int)left) < 0 && errno != EINTR) {
        return rw_err_set(err, RW_EINVAL, "poll: %s", strerror(errno));
    }
    for (size_t i = 0; i < n; i++) {
        if (pfds[i].revents != 0 && rw_tls_probe_step(probes[i], pfds[i].revents)) {
            order[i] = ++*seq;
        }
    }
    return RW_OK;
}

/* Drives the started probes to the end or the deadline (timeout ms after t0). */
static enum rw_rc
drive(struct rw_tls_probe **probes, struct pollfd *pfds, size_t n, long timeout,
      const struct timespec *t0, int *order, int *seq, struct rw_err *err)
{
    enum rw_rc rc = RW_OK;

    while (rc == RW_OK && rw_tls_probe_pollfds(probes, pfds, n) > 0) {
        long left = timeout - ms_since(t0);

        if (left <= 0) {
            for (size_t i = 0; i < n; i++) {
                order[i] = rw_tls_probe_done(probes[i]) ? order[i] : ++*seq;
                rw_tls_probe_expire(probes[i], timeout);
            }
            break;
        }
        rc = step_round(probes, pfds, n, left, order, seq, err);
    }
    return rc;
}

/* --mode each: the probes one by one through the step API, ranked as they finish. */
static enum rw_rc
probe_each(struct rw_tls_ctx *ctx, const struct cli *cli, long timeout,
           struct rw_tls_result *results, int *order, struct rw_err *err)
{
    size_t n = cli->ntargets;
    struct rw_tls_probe **probes = calloc(n, sizeof(*probes));
    struct pollfd *pfds = calloc(n, sizeof(*pfds));
    struct timespec t0;
    enum rw_rc rc = RW_OK;
    int seq = 0;

    (void)clock_gettime(CLOCK_MONOTONIC, &t0);
    if (probes == NULL || pfds == NULL) {
        rc = rw_err_set(err, RW_ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < n && rc == RW_OK; i++) {
        rc = rw_tls_probe_start(ctx, &cli->targets[i], &probes[i], err);
        order[i] = rc == RW_OK && rw_tls_probe_done(probes[i]) ? ++seq : 0;
    }
    if (rc == RW_OK) {
        rc = drive(probes, pfds, n, timeout, &t0, order, &seq, err);
    }
    for (size_t i = 0; i < n && rc == RW_OK; i++) {
        rw_tls_probe_take_result(probes[i], &results[i]);
    }
fail:
    for (size_t i = 0; probes != NULL && i < n; i++) {
        rw_tls_probe_free(probes[i]);
    }
    free(probes);
    free(pfds);
    return rc;
}

/* One round over every target; prints the results and returns the exit status. */
static int
run_round(struct cli *cli, struct rw_tls_ctx *ctx, long timeout, struct rw_tls_result *results,
          time_t now, struct rw_err *err)
{
    int *order = cli->order;
    int status = 0;
    enum rw_rc rc;

    memset(cli->order, 0, sizeof(cli->order));
    for (size_t i = 0; i < cli->ntargets; i++) {
        rw_tls_result_init(&results[i]);
    }
    if (cli->each) {
        rc = probe_each(ctx, cli, timeout, results, order, err);
    } else {
        rc = rw_tls_probe_many(ctx, cli->targets, cli->ntargets, timeout, results, err);
    }
    if (rc != RW_OK) {
        status = 2;
    }
    for (size_t i = 0; i < cli->ntargets && status == 0; i++) {
        if (i > 0) {
            printf("\n");
        }
        print_result(&cli->targets[i], &results[i], order[i], now);
    }
    for (size_t i = 0; i < cli->ntargets; i++) {
        status = status == 0 && results[i].rc != RW_OK ? 1 : status;
        rw_tls_result_cleanup(&results[i]);
    }
    return status;
}

static int
run(struct cli *cli, struct rw_tls_result *results, struct rw_err *err)
{
    struct rw_tls_ctx *ctx = NULL;
    int64_t timeout = 5000, again = 0, now = (int64_t)time(NULL);
    int status, status2;

    if ((cli->timeout != NULL && rw_parse_i64(cli->timeout, 1, 3600000, &timeout) != RW_OK) ||
        (cli->now != NULL && rw_parse_i64(cli->now, 0, INT64_MAX, &now) != RW_OK)) {
        (void)rw_err_set(err, RW_EINVAL, "bad --timeout or --now");
        return 2;
    }
    if (cli->again != NULL && rw_parse_i64(cli->again, 1, 3600000, &again) != RW_OK) {
        (void)rw_err_set(err, RW_EINVAL, "bad --again-timeout %s", cli->again);
        return 2;
    }
    if (rw_tls_ctx_new(&cli->config, &ctx, err) != RW_OK) {
        return 2;
    }
    status = run_round(cli, ctx, (long)timeout, results, (time_t)now, err);
    if (again > 0 && status != 2) {
        printf("\nround=2\n");
        status2 = run_round(cli, ctx, (long)again, results, (time_t)now, err);
        status = status2 > status ? status2 : status;
    }
    rw_tls_ctx_free(ctx);
    return status;
}

int
main(int argc, char **argv)
{
    static struct cli cli;
    static struct rw_tls_result results[TARGETS_MAX];
    struct rw_err err;
    int status = 2;

    (void)signal(SIGPIPE, SIG_IGN);
    rw_err_clear(&err);
    if (parse_args(argc, argv, &cli, &err) == RW_OK) {
        status = run(&cli, results, &err);
    }
    if (err.code != RW_OK) {
        (void)fprintf(stderr, "rw_tls_probe_cli: %s\n", err.msg);
    }
    for (size_t i = 0; i < cli.ntargets; i++) {
        free(cli.hosts[i]);
    }
    return status;
}

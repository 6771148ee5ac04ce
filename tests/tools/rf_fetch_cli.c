/*
 * rf_fetch_cli: a test-only front for the Redfish client (redfish/rf_client.h).  It GETs
 * paths from one or more services and prints one line per finished request:
 *
 *     <service#> <path> <RW_CODE> <status> <bytes> <message>
 *
 * Usage: rf_fetch_cli [global options] -e URL [service options] PATH... [-e URL ...]
 *   global:  --deadline MS  --max-total N  --loop (drive through the event-loop hooks with
 *            poll(2) instead of rf_client_run())  --rounds N (repeat the whole set, one
 *            run per round: session reuse)  --repeat N (each path N times per round)
 *            --logout (log out at the end)  --body (print bodies after their line)
 *            --stats (CPU and wall time to stderr)  -v (client log to stderr)
 *            --wait-between FILE (after each round but the last, print "round N done"
 *            and wait, up to 60 s, until FILE exists; then remove it)
 *   service: --user U  --password P  --basic  --noauth  --cacert FILE  --insecure
 *            --fingerprint FP  --timeout MS  --connect-timeout MS  --max-in-flight N
 *            --body-max BYTES  --retries N  --retry-cap MS
 * Exit: 0 every request succeeded, 1 some failed, 2 bad arguments, 3 the deadline passed.
 */
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "rf_client.h"
#include "rw_log.h"
#include "rw_parse.h"

#define MAX_SERVICES 2048
#define MAX_PATHS    256
#define MAX_FDS      8192

struct svc {
    struct rf_service_opts opts;
    struct rf_service *handle;
    const char *paths[MAX_PATHS];
    int n_paths;
};

struct opts {
    struct svc svcs[MAX_SERVICES];
    int n_svcs;
    int64_t deadline_ms;
    int max_total;
    int loop;
    int rounds;
    int repeat;
    int logout;
    int body;
    int stats;
    int verbose;
    const char *wait_file;
};

/* The poll(2) loop standing in for the daemon's. */
struct loop {
    struct pollfd fds[MAX_FDS];
    int n;
    int64_t due; /* monotonic ms, -1 none */
};

struct run {
    struct opts *o;
    int failed;
    int done;
};

struct done_ctx {
    struct run *run;
    int svc;
};

static void
on_done(const struct rf_result *res, void *arg)
{
    struct done_ctx *d = arg;

    printf("%d %s %s %ld %zu %s\n", d->svc, res->path, rw_rc_name(res->rc), res->status,
           res->body_len, res->msg);
    if (d->run->o->body && res->body_len > 0) {
        printf("%s\n", res->body);
    }
    d->run->done++;
    if (res->rc != RW_OK) {
        d->run->failed++;
    }
}

static void
loop_watch(void *arg, int fd, int events)
{
    struct loop *l = arg;
    int i;

    for (i = 0; i < l->n && l->fds[i].fd != fd; i++) {
    }
    if (events == 0) {
        if (i < l->n) {
            l->fds[i] = l->fds[--l->n];
        }
        return;
    }
    if (i == l->n) {
        if (l->n == MAX_FDS) {
            return;
        }
        l->n++;
    }
    l->fds[i].fd = fd;
    l->fds[i].events =
        (short)(((events & RF_EV_IN) ? POLLIN : 0) | ((events & RF_EV_OUT) ? POLLOUT : 0));
}

static void
loop_timer(void *arg, long timeout_ms)
{
    struct loop *l = arg;

    l->due = timeout_ms < 0 ? -1 : rf_client_now_ms() + timeout_ms;
}

/* One poll(2) round; the fd list may change under on_fd, so it works on a copy. */
static void
loop_round(struct rf_client *c, struct loop *l)
{
    struct pollfd ready[MAX_FDS];
    int64_t now = rf_client_now_ms();
    int n = l->n, i, ev, wait = l->due < 0 ? 1000 : l->due <= now ? 0 : (int)(l->due - now);

    memcpy(ready, l->fds, sizeof(ready[0]) * (size_t)n);
    if (poll(ready, (nfds_t)n, wait) > 0) {
        for (i = 0; i < n; i++) {
            ev = ((ready[i].revents & POLLIN) ? RF_EV_IN : 0) |
                 ((ready[i].revents & POLLOUT) ? RF_EV_OUT : 0) |
                 ((ready[i].revents & (POLLERR | POLLHUP)) ? RF_EV_ERR : 0);
            if (ev != 0) {
                rf_client_on_fd(c, ready[i].fd, ev);
            }
        }
    }
    if (l->due >= 0 && rf_client_now_ms() >= l->due) {
        l->due = -1;
        rf_client_on_timer(c);
    }
}

/* Drives the client until nothing is pending or the deadline; 3 on the deadline. */
static int
drive(struct rf_client *c, struct opts *o, struct loop *l)
{
    int64_t deadline = o->deadline_ms > 0 ? rf_client_now_ms() + o->deadline_ms : 0;
    struct rw_err err;

    rw_err_clear(&err);
    if (!o->loop) {
        if (rf_client_run(c, deadline, &err) == RW_OK) {
            return 0;
        }
        printf("run: %s %s\n", rw_rc_name(err.code), err.msg);
        return err.code == RW_ETIMEOUT ? 3 : 1;
    }
    while (rf_client_pending(c) > 0) {
        if (deadline > 0 && rf_client_now_ms() >= deadline) {
            printf("run: RW_ETIMEOUT deadline passed\n");
            return 3;
        }
        loop_round(c, l);
    }
    return 0;
}

/* Queues every path of every service, o->repeat times. */
static int
queue_all(struct rf_client *c, struct opts *o, struct run *run, struct done_ctx *ctxs)
{
    struct rw_err err;
    int s, p, r;

    for (s = 0; s < o->n_svcs; s++) {
        ctxs[s].run = run;
        ctxs[s].svc = s;
        for (r = 0; r < o->repeat; r++) {
            for (p = 0; p < o->svcs[s].n_paths; p++) {
                rw_err_clear(&err);
                if (rf_client_get(c, o->svcs[s].handle, o->svcs[s].paths[p], on_done, &ctxs[s],
                                  &err) != RW_OK) {
                    printf("%d %s %s 0 0 %s\n", s, o->svcs[s].paths[p], rw_rc_name(err.code),
                           err.msg);
                    run->failed++;
                }
            }
        }
    }
    return 0;
}

/* Between rounds: lets the test restart a server while the client keeps its state. */
static void
wait_between(const struct opts *o, int round)
{
    struct timespec nap = {0, 50L * 1000 * 1000};
    int i;

    if (o->wait_file == NULL) {
        return;
    }
    printf("round %d done\n", round);
    (void)fflush(stdout);
    for (i = 0; i < 1200 && access(o->wait_file, F_OK) != 0; i++) {
        (void)nanosleep(&nap, NULL);
    }
    (void)unlink(o->wait_file);
}

static int64_t
cpu_us(void)
{
    struct rusage ru;

    (void)getrusage(RUSAGE_SELF, &ru);
    return (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 + ru.ru_utime.tv_usec +
           ru.ru_stime.tv_usec;
}

/* Option handlers: each takes the argument (or NULL) and fills o; 0 on success. */
typedef int opt_fn(struct opts *o, struct svc *s, const char *arg);

static int
parse_int(const char *arg, int64_t min, int64_t max, int64_t *out)
{
    if (rw_parse_i64(arg, min, max, out) != RW_OK) {
        fprintf(stderr, "rf_fetch_cli: bad number '%s'\n", arg);
        return 1;
    }
    return 0;
}

#define INT_OPT(fn, field, type, min, max)                                                         \
    static int fn(struct opts *o, struct svc *s, const char *arg)                                  \
    {                                                                                              \
        int64_t v;                                                                                 \
        (void)o;                                                                                   \
        (void)s;                                                                                   \
        if (parse_int(arg, (min), (max), &v) != 0) {                                               \
            return 1;                                                                              \
        }                                                                                          \
        (field) = (type)v; /* NOLINT(bugprone-macro-parentheses): a type */                        \
        return 0;                                                                                  \
    }

INT_OPT(opt_deadline, o->deadline_ms, int64_t, 1, 3600000)
INT_OPT(opt_max_total, o->max_total, int, 1, 100000)
INT_OPT(opt_rounds, o->rounds, int, 1, 100000)
INT_OPT(opt_repeat, o->repeat, int, 1, 1000000)
INT_OPT(opt_timeout, s->opts.timeout_ms, long, 1, 3600000)
INT_OPT(opt_ctimeout, s->opts.connect_timeout_ms, long, 1, 3600000)
INT_OPT(opt_mif, s->opts.max_in_flight, int, 1, 1000)
INT_OPT(opt_body_max, s->opts.body_max, size_t, 1, INT64_MAX)
INT_OPT(opt_retries, s->opts.max_retries, int, -1, 100)
INT_OPT(opt_retry_cap, s->opts.retry_cap_ms, long, 1, 3600000)

#define FLAG_OPT(fn, stmt)                                                                         \
    static int fn(struct opts *o, struct svc *s, const char *arg)                                  \
    {                                                                                              \
        (void)o;                                                                                   \
        (void)s;                                                                                   \
        (void)arg;                                                                                 \
        stmt;                                                                                      \
        return 0;                                                                                  \
    }

FLAG_OPT(opt_loop, o->loop = 1)
FLAG_OPT(opt_logout, o->logout = 1)
FLAG_OPT(opt_body, o->body = 1)
FLAG_OPT(opt_stats, o->stats = 1)
FLAG_OPT(opt_verbose, o->verbose = 1)
FLAG_OPT(opt_basic, s->opts.auth = RF_AUTH_BASIC)
FLAG_OPT(opt_noauth, s->opts.auth = RF_AUTH_NONE)
FLAG_OPT(opt_insecure, s->opts.insecure = 1)
FLAG_OPT(opt_user, s->opts.username = arg)
FLAG_OPT(opt_password, s->opts.password = arg)
FLAG_OPT(opt_cacert, s->opts.ca_file = arg)
FLAG_OPT(opt_fingerprint, s->opts.fingerprint = arg)
FLAG_OPT(opt_wait_between, o->wait_file = arg)

struct opt_row {
    const char *name;
    int has_arg;
    int per_service;
    opt_fn *fn;
};

static const struct opt_row opt_table[] = {
    {"--deadline", 1, 0, opt_deadline},
    {"--max-total", 1, 0, opt_max_total},
    {"--rounds", 1, 0, opt_rounds},
    {"--repeat", 1, 0, opt_repeat},
    {"--loop", 0, 0, opt_loop},
    {"--logout", 0, 0, opt_logout},
    {"--body", 0, 0, opt_body},
    {"--stats", 0, 0, opt_stats},
    {"-v", 0, 0, opt_verbose},
    {"--wait-between", 1, 0, opt_wait_between},
    {"--timeout", 1, 1, opt_timeout},
    {"--connect-timeout", 1, 1, opt_ctimeout},
    {"--max-in-flight", 1, 1, opt_mif},
    {"--body-max", 1, 1, opt_body_max},
    {"--retries", 1, 1, opt_retries},
    {"--retry-cap", 1, 1, opt_retry_cap},
    {"--basic", 0, 1, opt_basic},
    {"--noauth", 0, 1, opt_noauth},
    {"--insecure", 0, 1, opt_insecure},
    {"--user", 1, 1, opt_user},
    {"--password", 1, 1, opt_password},
    {"--cacert", 1, 1, opt_cacert},
    {"--fingerprint", 1, 1, opt_fingerprint},
};

/* Handles argv[*i] (and its argument); 0 on success. */
static int
parse_one(struct opts *o, int argc, char **argv, int *i)
{
    struct svc *s = o->n_svcs > 0 ? &o->svcs[o->n_svcs - 1] : NULL;
    const char *a = argv[*i];
    size_t k;

    if (strcmp(a, "-e") == 0 && *i + 1 < argc && o->n_svcs < MAX_SERVICES) {
        s = &o->svcs[o->n_svcs++];
        rf_service_opts_init(&s->opts);
        s->opts.url = argv[++*i];
        return 0;
    }
    for (k = 0; k < sizeof(opt_table) / sizeof(opt_table[0]); k++) {
        if (strcmp(a, opt_table[k].name) != 0) {
            continue;
        }
        if ((opt_table[k].per_service && s == NULL) || (opt_table[k].has_arg && *i + 1 >= argc)) {
            break;
        }
        return opt_table[k].fn(o, s, opt_table[k].has_arg ? argv[++*i] : NULL);
    }
    if (a[0] != '-' && s != NULL && s->n_paths < MAX_PATHS) {
        s->paths[s->n_paths++] = a;
        return 0;
    }
    fprintf(stderr, "rf_fetch_cli: bad argument '%s'\n", a);
    return 1;
}

static int
parse_args(struct opts *o, int argc, char **argv)
{
    int i;

    memset(o, 0, sizeof(*o));
    o->rounds = 1;
    o->repeat = 1;
    for (i = 1; i < argc; i++) {
        if (parse_one(o, argc, argv, &i) != 0) {
            return 1;
        }
    }
    if (o->n_svcs == 0) {
        fprintf(stderr, "usage: rf_fetch_cli [options] -e URL [service options] PATH...\n");
        return 1;
    }
    return 0;
}

/* Creates the client and its services; 0 on success. */
static int
setup(struct opts *o, struct rf_client **c, struct loop *l, const struct rw_log *log)
{
    struct rf_client_opts co = {.max_total = o->max_total, .log = log};
    struct rw_err err;
    int s;

    rw_err_clear(&err);
    if (rf_client_new(&co, c, &err) != RW_OK) {
        goto fail;
    }
    for (s = 0; s < o->n_svcs; s++) {
        if (rf_client_add(*c, &o->svcs[s].opts, &o->svcs[s].handle, &err) != RW_OK) {
            goto fail;
        }
    }
    l->due = -1;
    if (o->loop && rf_client_set_loop(*c, loop_watch, loop_timer, l, &err) != RW_OK) {
        goto fail;
    }
    return 0;
fail:
    printf("setup: %s %s\n", rw_rc_name(err.code), err.msg);
    return 1;
}

/* CPU and wall time since cpu0/wall0 for done requests. */
static void
print_stats(const char *what, int done, int64_t cpu0, int64_t wall0)
{
    int64_t cpu = cpu_us() - cpu0, wall = rf_client_now_ms() - wall0;

    fprintf(stderr, "stats: %s: %d requests, wall %lld ms, cpu %lld us, %.1f us/request\n", what,
            done, (long long)wall, (long long)cpu, done > 0 ? (double)cpu / done : 0.0);
}

int
main(int argc, char **argv)
{
    static struct opts o;
    static struct loop l;
    struct done_ctx ctxs[MAX_SERVICES];
    struct rf_client *c = NULL;
    struct run run = {&o, 0, 0};
    struct rw_log log;
    int64_t cpu0, wall0, round_cpu, round_wall;
    int r, rc = 0, round_done;
    char what[32];

    if (parse_args(&o, argc, argv) != 0) {
        return 2;
    }
    rw_log_init_stderr(&log, "rf_fetch_cli", o.verbose ? RW_LOG_DEBUG : RW_LOG_ERR);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        return 1;
    }
    if (setup(&o, &c, &l, &log) != 0) {
        rf_client_free(c);
        curl_global_cleanup();
        return 2;
    }
    cpu0 = cpu_us();
    wall0 = rf_client_now_ms();
    for (r = 0; r < o.rounds && rc == 0; r++) {
        if (r > 0) {
            wait_between(&o, r);
        }
        round_cpu = cpu_us();
        round_wall = rf_client_now_ms();
        round_done = run.done;
        queue_all(c, &o, &run, ctxs);
        rc = drive(c, &o, &l);
        if (o.stats) {
            snprintf(what, sizeof(what), "round %d", r + 1);
            print_stats(what, run.done - round_done, round_cpu, round_wall);
        }
    }
    if (o.stats) {
        print_stats("all", run.done, cpu0, wall0);
    }
    if (o.logout && rc == 0) {
        rf_client_logout_all(c);
        rc = drive(c, &o, &l);
    }
    (void)fflush(stdout);
    rf_client_free(c);
    curl_global_cleanup();
    return rc != 0 ? rc : run.failed > 0 ? 1 : 0;
}

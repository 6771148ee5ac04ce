/*
 * rackwatch poll: polls every configured endpoint once, concurrently, and prints a table
 * or the --json document.  --rounds N polls N times in one process (kept-alive
 * connections and sessions after the first) and prints each round's figures to stderr.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <curl/curl.h>

#include "cli.h"
#include "rf_config.h"
#include "rf_snapshot.h"
#include "rw_buf.h"
#include "rw_config.h"
#include "rw_log.h"
#include "rw_parse.h"

#define POLL_SELECT_MAX 256          /* --endpoint options */
#define POLL_OUTPUT_MAX (256u << 20) /* the document for thousands of PDUs */

struct poll_opts {
    const char *config;
    int json;
    const char *only[POLL_SELECT_MAX];
    size_t n_only;
    int64_t rounds;
    double budget_s; /* 0: from the endpoints' timeouts */
    int verbose;
};

/* One selected endpoint: its service, its running poll and its latest result. */
struct slot {
    const struct rw_config_target *target;
    struct rf_service *service;
    struct rf_poll *poll;
    struct rf_endpoint *result;
};

struct poll_run {
    struct rw_config *cfg;
    struct rf_client *client;
    struct rw_log log;
    struct slot *slots;
    size_t n;
};

static void
poll_usage(FILE *out)
{
    (void)fprintf(out,
                  "Usage: rackwatch poll --config FILE [--json] [--endpoint NAME]...\n"
                  "                      [--rounds N] [--budget SECONDS] [-v]\n"
                  "\n"
                  "Polls every endpoint of the configuration once, all at the same time, and\n"
                  "prints what they report.\n"
                  "\n"
                  "  -c, --config FILE     the rackwatch YAML configuration (required)\n"
                  "  -j, --json            print the JSON document instead of a table\n"
                  "  -e, --endpoint NAME   poll only this endpoint (repeatable)\n"
                  "      --rounds N        poll N times in one process, figures per round on\n"
                  "                        stderr (benchmarks; default 1)\n"
                  "      --budget SECONDS  the most one round may take (default: 6 x the\n"
                  "                        longest endpoint timeout)\n"
                  "  -v, --verbose         log requests and sessions to stderr\n"
                  "  -h, --help            this help\n"
                  "\n"
                  "Exit status: 0 every endpoint answered, 1 some failed, 3 bad configuration.\n");
}

enum {
    OPT_ROUNDS = 256,
    OPT_BUDGET
};

static const struct option poll_options[] = {
    {"config", required_argument, NULL, 'c'},
    {"json", no_argument, NULL, 'j'},
    {"endpoint", required_argument, NULL, 'e'},
    {"rounds", required_argument, NULL, OPT_ROUNDS},
    {"budget", required_argument, NULL, OPT_BUDGET},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Applies one option: -1 to go on, else the exit code. */
static int
apply_option(struct poll_opts *opts, int opt, const char *arg)
{
    switch (opt) {
    case 'c':
        opts->config = arg;
        return -1;
    case 'j':
        opts->json = 1;
        return -1;
    case 'e':
        if (opts->n_only == POLL_SELECT_MAX) {
            (void)fprintf(stderr, "rackwatch poll: at most %d --endpoint options\n",
                          POLL_SELECT_MAX);
            return CLI_EXIT_CONFIG;
        }
        opts->only[opts->n_only++] = arg;
        return -1;
    case OPT_ROUNDS:
        if (rw_parse_i64(arg, 1, 1000000, &opts->rounds) != RW_OK) {
            (void)fprintf(stderr, "rackwatch poll: --rounds: expected 1-1000000, got '%s'\n", arg);
            return CLI_EXIT_CONFIG;
        }
        return -1;
    case OPT_BUDGET:
        if (rw_parse_double(arg, &opts->budget_s) != RW_OK || opts->budget_s < 0.1 ||
            opts->budget_s > 86400) {
            (void)fprintf(stderr,
                          "rackwatch poll: --budget: expected 0.1-86400 seconds, got '%s'\n", arg);
            return CLI_EXIT_CONFIG;
        }
        return -1;
    case 'v':
        opts->verbose++;
        return -1;
    case 'h':
        poll_usage(stdout);
        return CLI_EXIT_OK;
    default:
        (void)fprintf(stderr, "Try 'rackwatch poll --help'.\n");
        return CLI_EXIT_CONFIG;
    }
}

/* getopt's own messages are off (they would name the program "poll"): say it ourselves. */
static int
bad_option(int opt, int optchar, const char *text)
{
    if (opt == ':') {
        (void)fprintf(stderr, "rackwatch poll: option '%s' needs an argument\n", text);
    } else if (optchar != 0) {
        (void)fprintf(stderr, "rackwatch poll: unknown option '-%c'\n", optchar);
    } else {
        (void)fprintf(stderr, "rackwatch poll: unknown option '%s'\n", text);
    }
    (void)fprintf(stderr, "Try 'rackwatch poll --help'.\n");
    return CLI_EXIT_CONFIG;
}

static int
parse_options(int argc, char **argv, struct poll_opts *opts)
{
    int opt, rc;

    opts->rounds = 1;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":c:je:vh", poll_options, NULL)) != -1) {
        if (opt == '?' || opt == ':') {
            return bad_option(opt, optopt, argv[optind - 1]);
        }
        rc = apply_option(opts, opt, optarg);
        if (rc >= 0) {
            return rc;
        }
    }
    if (optind < argc) {
        (void)fprintf(stderr, "rackwatch poll: unexpected argument '%s'\n", argv[optind]);
        return CLI_EXIT_CONFIG;
    }
    if (opts->config == NULL) {
        (void)fprintf(stderr, "rackwatch poll: --config FILE is required\n");
        return CLI_EXIT_CONFIG;
    }
    return -1;
}

static int
selected(const struct poll_opts *opts, const char *name)
{
    size_t i;

    for (i = 0; i < opts->n_only; i++) {
        if (strcmp(opts->only[i], name) == 0) {
            return 1;
        }
    }
    return opts->n_only == 0;
}

/* Every --endpoint must name a configured endpoint. */
static enum rw_rc
check_selection(const struct poll_opts *opts, const struct rw_config *cfg, struct rw_err *err)
{
    size_t i;

    for (i = 0; i < opts->n_only; i++) {
        if (rw_config_endpoint(cfg, opts->only[i]) == NULL) {
            return rw_err_set(err, RW_EINVAL, "%s: no endpoint named '%s'", opts->config,
                              opts->only[i]);
        }
    }
    if (cfg->n_endpoints == 0) {
        return rw_err_set(err, RW_EINVAL, "%s: no endpoints to poll (the endpoints: list is empty)",
                          opts->config);
    }
    return RW_OK;
}

/* Adds a client service for every selected endpoint. */
static enum rw_rc
add_services(struct poll_run *run, const struct poll_opts *opts, struct rw_err *err)
{
    size_t i;

    run->slots = calloc(run->cfg->n_endpoints, sizeof(*run->slots));
    if (run->slots == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    for (i = 0; i < run->cfg->n_endpoints; i++) {
        const struct rw_config_target *target = &run->cfg->endpoints[i];
        struct rf_service_opts svc;

        if (!selected(opts, target->name)) {
            continue;
        }
        rf_config_service(target, &svc);
        if (rf_client_add(run->client, &svc, &run->slots[run->n].service, err) != RW_OK) {
            /* The loader checked the values; what the client still refuses is named by
             * where the endpoint is written. */
            enum rw_rc code = err->code;
            char why[RW_ERR_MSG_MAX];

            (void)snprintf(why, sizeof(why), "%s", err->msg);
            rw_err_clear(err);
            return rw_err_set(err, code, "%s:%d:%d: endpoint '%s': %s", opts->config, target->line,
                              target->column, target->name, why);
        }
        run->slots[run->n++].target = target;
    }
    return RW_OK;
}

static void
on_polled(struct rf_endpoint *ep, void *ctx)
{
    struct slot *slot = ctx;

    rf_endpoint_free(slot->result);
    slot->result = ep;
}

static double
round_budget_s(const struct poll_run *run, const struct poll_opts *opts)
{
    double longest = 0;
    size_t i;

    if (opts->budget_s > 0) {
        return opts->budget_s;
    }
    for (i = 0; i < run->n; i++) {
        longest = fmax(longest, run->slots[i].target->set.timeout);
    }
    return fmin(longest * 6.0, 3600.0);
}

/* Starts every poll, drives the client until all are done or the budget runs out. */
static enum rw_rc
poll_round(struct poll_run *run, double budget_s, struct rw_err *err)
{
    int64_t deadline = rf_client_now_ms() + (int64_t)(budget_s * 1000.0);
    struct rf_poll_opts popts;
    enum rw_rc rc;
    size_t i;

    for (i = 0; i < run->n; i++) {
        rf_poll_free(run->slots[i].poll);
        rf_config_poll(run->slots[i].target, &popts);
        if (rf_poll_start(run->client, run->slots[i].service, &popts, on_polled, &run->slots[i],
                          &run->slots[i].poll, err) != RW_OK) {
            return err->code;
        }
    }
    rc = rf_client_run(run->client, deadline, err);
    if (rc == RW_ETIMEOUT) {
        char why[96];

        (void)snprintf(why, sizeof(why), "poll budget of %.1f s ran out", budget_s);
        for (i = 0; i < run->n; i++) {
            rf_poll_cancel(run->slots[i].poll, why);
        }
        rf_client_cancel(run->client, RW_ETIMEOUT, why);
        rw_err_clear(err);
        return RW_OK;
    }
    return rc;
}

static double
cpu_seconds(void)
{
    struct rusage ru;

    (void)getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
           ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
}

static void
report_round(const struct poll_run *run, int64_t round, double wall_s, double cpu_s)
{
    int64_t requests = 0;
    size_t i, failed = 0;
    struct rusage ru;

    for (i = 0; i < run->n; i++) {
        const struct rf_endpoint *ep = run->slots[i].result;

        requests += ep != NULL && ep->requests > 0 ? ep->requests : 0;
        failed += ep == NULL || !ep->ok;
    }
    (void)getrusage(RUSAGE_SELF, &ru);
    (void)fprintf(stderr,
                  "round %lld: %zu endpoints (%zu failed), %lld requests, %.3f s wall, "
                  "%.1f us CPU per request, peak RSS %ld KB\n",
                  (long long)round, run->n, failed, (long long)requests, wall_s,
                  requests > 0 ? cpu_s * 1e6 / (double)requests : 0.0, ru.ru_maxrss);
}

static enum rw_rc
run_rounds(struct poll_run *run, const struct poll_opts *opts, struct rw_err *err)
{
    double budget = round_budget_s(run, opts);
    int64_t round;

    for (round = 1; round <= opts->rounds; round++) {
        int64_t start = rf_client_now_ms();
        double cpu = cpu_seconds();

        if (poll_round(run, budget, err) != RW_OK) {
            return err->code;
        }
        if (opts->rounds > 1 || opts->verbose) {
            report_round(run, round, (double)(rf_client_now_ms() - start) / 1000.0,
                         cpu_seconds() - cpu);
        }
    }
    return RW_OK;
}

static const char *
text(const char *s)
{
    return s != NULL ? s : "-";
}

/* A reading with its unit, or "-" when the device does not report it. */
static const char *
reading(double value, const char *unit, char *buf, size_t len)
{
    if (!rf_has(value)) {
        return "-";
    }
    (void)snprintf(buf, len, "%.1f %s", value, unit);
    return buf;
}

static void
print_pdu(const struct rf_pdu *pdu)
{
    char p[32], e[32], t[32];
    size_t i, on = 0;

    for (i = 0; i < pdu->n_outlets; i++) {
        on += pdu->outlets[i].power_state != NULL && strcmp(pdu->outlets[i].power_state, "On") == 0;
    }
    (void)printf("  PDU %s: %s %s, firmware %s, health %s, %s, %s, %s; %zu inlets, %zu branches, "
                 "%zu outlets (%zu on)\n",
                 pdu->id, text(pdu->manufacturer), text(pdu->model), text(pdu->firmware),
                 text(pdu->health), reading(pdu->power_w, "W", p, sizeof(p)),
                 reading(pdu->energy_kwh, "kWh", e, sizeof(e)),
                 reading(pdu->temperature_c, "C", t, sizeof(t)), pdu->n_inlets, pdu->n_branches,
                 pdu->n_outlets, on);
    for (i = 0; i < pdu->n_inlets; i++) {
        const struct rf_inlet *in = &pdu->inlets[i];

        (void)printf(
            "    inlet %s: %s, %s, %s\n", in->id, reading(in->voltage_v, "V", p, sizeof(p)),
            reading(in->current_a, "A", e, sizeof(e)), reading(in->power_w, "W", t, sizeof(t)));
    }
}

static void
print_table(const struct poll_run *run)
{
    char p[32], t[32];
    size_t i, j;

    for (i = 0; i < run->n; i++) {
        const struct rf_endpoint *ep = run->slots[i].result;

        if (ep == NULL) {
            (void)printf("%s: no result (out of memory)\n", run->slots[i].target->name);
            continue;
        }
        (void)printf("%s (%s): %s, %s, %lld ms, %lld requests%s%s\n", text(ep->name), text(ep->url),
                     rf_kind_name(ep->kind), ep->ok ? "ok" : "FAILED", (long long)ep->duration_ms,
                     (long long)ep->requests, ep->ok ? "" : ": ", ep->ok ? "" : text(ep->error));
        for (j = 0; j < ep->n_pdus; j++) {
            print_pdu(&ep->pdus[j]);
        }
        for (j = 0; j < ep->n_servers; j++) {
            const struct rf_server *srv = &ep->servers[j];

            (void)printf("  server %s: %s %s, power %s, health %s, %s, inlet %s\n", srv->id,
                         text(srv->manufacturer), text(srv->model), text(srv->power_state),
                         text(srv->health), reading(srv->power_w, "W", p, sizeof(p)),
                         reading(srv->inlet_temp_c, "C", t, sizeof(t)));
        }
    }
}

static enum rw_rc
print_json(const struct poll_run *run, struct rw_err *err)
{
    struct rf_endpoint **eps = calloc(run->n + 1, sizeof(*eps));
    struct rw_buf out;
    size_t i, n = 0;
    enum rw_rc rc;

    if (eps == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    for (i = 0; i < run->n; i++) {
        if (run->slots[i].result != NULL) {
            eps[n++] = run->slots[i].result;
        }
    }
    rw_buf_init(&out, POLL_OUTPUT_MAX);
    rc = rf_snapshot_format(eps, n, RF_SNAPSHOT_PRETTY, &out, err);
    if (rc == RW_OK) {
        (void)printf("%s\n", rw_buf_str(&out));
    }
    rw_buf_free(&out);
    free(eps);
    return rc;
}

/*
 * Logs out of every session (bounded), then frees the polls and the client.  Done before
 * the output is built, so that the memory of the connections (TLS state, curl's buffers:
 * most of the peak with thousands of endpoints) is reused for the document instead of
 * adding to it.  The results stay in the slots.  Safe to call twice.
 */
static void
run_close(struct poll_run *run)
{
    struct rw_err ignored;
    size_t i;

    if (run->client != NULL) {
        rf_client_logout_all(run->client);
        /* Logging out is a courtesy to the device's session table: bounded, and a
         * failure only leaves a session that times out on its own. */
        if (rf_client_run(run->client, rf_client_now_ms() + 2000, &ignored) != RW_OK) {
            rf_client_cancel(run->client, RW_ETIMEOUT, "logout took too long");
        }
    }
    for (i = 0; run->slots != NULL && i < run->n; i++) {
        rf_poll_free(run->slots[i].poll);
        run->slots[i].poll = NULL;
    }
    rf_client_free(run->client);
    run->client = NULL;
}

/* Frees everything the run holds. */
static void
run_cleanup(struct poll_run *run)
{
    size_t i;

    run_close(run);
    for (i = 0; run->slots != NULL && i < run->n; i++) {
        rf_endpoint_free(run->slots[i].result);
    }
    free(run->slots);
    rw_config_free(run->cfg);
}

static int
exit_code(const struct poll_run *run)
{
    size_t i;

    for (i = 0; i < run->n; i++) {
        if (run->slots[i].result == NULL || !run->slots[i].result->ok) {
            return CLI_EXIT_SOME_FAILED;
        }
    }
    return CLI_EXIT_OK;
}

int
cli_poll(int argc, char **argv)
{
    struct poll_opts opts = {0};
    struct poll_run run = {0};
    struct rf_client_opts copts = {0};
    struct rw_err err;
    int rc = parse_options(argc, argv, &opts);

    if (rc >= 0) {
        return rc;
    }
    rw_err_clear(&err);
    if (rw_config_load(opts.config, &run.cfg, &err) != RW_OK ||
        check_selection(&opts, run.cfg, &err) != RW_OK) {
        (void)fprintf(stderr, "rackwatch poll: %s\n", err.msg);
        rw_config_free(run.cfg);
        return CLI_EXIT_CONFIG;
    }
    rw_log_init_stderr(&run.log, "rackwatch", opts.verbose > 0 ? RW_LOG_DEBUG : RW_LOG_WARNING);
    copts.log = &run.log;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        (void)fprintf(stderr, "rackwatch poll: cannot initialise libcurl\n");
        rw_config_free(run.cfg);
        return CLI_EXIT_FAILED;
    }
    rc = CLI_EXIT_CONFIG;
    if (rf_client_new(&copts, &run.client, &err) == RW_OK &&
        add_services(&run, &opts, &err) == RW_OK) {
        rc = CLI_EXIT_FAILED;
        if (run_rounds(&run, &opts, &err) == RW_OK) {
            run_close(&run);
            rc = opts.json && print_json(&run, &err) != RW_OK ? CLI_EXIT_FAILED : exit_code(&run);
            if (!opts.json) {
                print_table(&run);
            }
        }
    }
    if (err.code != RW_OK) {
        (void)fprintf(stderr, "rackwatch poll: %s\n", err.msg);
    }
    run_cleanup(&run);
    curl_global_cleanup();
    return rc;
}

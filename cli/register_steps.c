/*
 * register_steps: the run of rackwatch register -- step 1 (configuration), the hub's
 * part of step 2 (liveness) and step 3 (its certificate) -- then each spoke in turn
 * (register_spoke.c).
 */
#include "register_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "rf_config.h"

#define REG_WAIT_FACTOR 3 /* the health and task waits last this many call timeouts */

static void
say(const char *mark, const char *fmt, va_list ap)
{
    (void)fputs(mark, stdout);
    (void)vprintf(fmt, ap);
    (void)fputc('\n', stdout);
    (void)fflush(stdout);
}

void
reg_ok(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    say("\xe2\x9c\x93 ", fmt, ap); /* ✓ */
    va_end(ap);
}

void
reg_fail(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    say("\xe2\x9c\x97 ", fmt, ap); /* ✗ */
    va_end(ap);
}

void
reg_info(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    say("  ", fmt, ap);
    va_end(ap);
}

void
reg_wait(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    say("\xe2\x80\xa6 ", fmt, ap); /* … */
    va_end(ap);
}

int
reg_ask(const char *question)
{
    char line[64];

    if (!isatty(STDIN_FILENO)) {
        return 0;
    }
    (void)printf("%s [y/N] ", question);
    (void)fflush(stdout);
    if (fgets(line, sizeof(line), stdin) == NULL) {
        return 0;
    }
    return cli_reg_answer_yes(line);
}

void
reg_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
        continue;
    }
}

/* A configuration error at target's position (or the file alone). */
static int
config_error(const struct reg_run *run, const struct rw_config_target *t, const char *what)
{
    if (t != NULL) {
        reg_fail("configuration: %s:%d:%d: %s '%s' %s", run->opts->config, t->line, t->column,
                 t == run->hub ? "hub" : "spoke", t->name, what);
    } else {
        reg_fail("configuration: %s: %s", run->opts->config, what);
    }
    return CLI_EXIT_CONFIG;
}

/* What the registration needs of a hub or a spoke; REG_GO or the exit code. */
static int
check_target(const struct reg_run *run, const struct rw_config_target *t)
{
    if (!t->url.tls) {
        return config_error(run, t, "must be reached over https://");
    }
    if (t->cred == NULL) {
        return config_error(run, t,
                            t == run->hub ? "needs credentials: (a hub administrator)"
                                          : "needs credentials: (the hub logs in with "
                                            "them)");
    }
    return REG_GO;
}

/* The version policy of the configuration; REG_GO or the exit code. */
static int
build_policy(struct reg_run *run)
{
    static const enum rw_version_rule rules[] = {
        [RW_CONFIG_VERSION_EXACT] = RW_VERSION_EXACT,
        [RW_CONFIG_VERSION_SAME_MAJOR] = RW_VERSION_SAME_MAJOR,
        [RW_CONFIG_VERSION_SAME_MINOR] = RW_VERSION_SAME_MINOR,
    };
    const struct rw_config_policy *p = &run->cfg->policy;
    struct rw_err err;
    size_t i;

    rw_err_clear(&err);
    if (rw_version_policy_new(rules[p->version_rule], &run->vpolicy, &err) != RW_OK ||
        (p->version_minimum != NULL &&
         rw_version_policy_set_minimum(run->vpolicy, p->version_minimum, &err) != RW_OK)) {
        return config_error(run, NULL, err.msg);
    }
    for (i = 0; i < p->n_compatible; i++) {
        if (rw_version_policy_add_compatible(run->vpolicy, p->compatible[i].hub,
                                             p->compatible[i].spoke, &err) != RW_OK) {
            return config_error(run, NULL, err.msg);
        }
    }
    if (p->product != NULL) {
        if (regcomp(&run->product, p->product, REG_EXTENDED | REG_NOSUB) != 0) {
            return config_error(run, NULL, "policy.product is not a valid regular expression");
        }
        run->have_product = 1;
    }
    return REG_GO;
}

/* The hub, the selected spokes and what each needs; REG_GO or the exit code. */
static int
check_members(struct reg_run *run)
{
    const struct rw_config_target *sel = NULL;
    size_t i;
    int rc;

    run->hub = run->cfg->hub;
    if (run->hub == NULL) {
        return config_error(run, NULL, "no hub: section (the server to register with)");
    }
    if (run->cfg->n_spokes == 0) {
        return config_error(run, NULL, "no spokes: to register");
    }
    if (run->opts->spoke != NULL) {
        sel = rw_config_member(run->cfg, run->opts->spoke);
        if (sel == NULL || sel == run->hub) {
            reg_fail("configuration: %s: no spoke named '%s'", run->opts->config, run->opts->spoke);
            return CLI_EXIT_CONFIG;
        }
    }
    rc = check_target(run, run->hub);
    for (i = 0; rc == REG_GO && i < run->cfg->n_spokes; i++) {
        if (sel == NULL || sel == &run->cfg->spokes[i]) {
            rc = check_target(run, &run->cfg->spokes[i]);
        }
    }
    return rc;
}

/* Step 1; REG_GO or the exit code. */
static int
step_config(struct reg_run *run)
{
    struct rw_err err;
    int rc;

    rw_err_clear(&err);
    if (rw_config_load(run->opts->config, &run->cfg, &err) != RW_OK) {
        reg_fail("configuration: %s", err.msg);
        return CLI_EXIT_CONFIG;
    }
    rc = check_members(run);
    if (rc == REG_GO) {
        rc = build_policy(run);
    }
    if (rc != REG_GO) {
        return rc;
    }
    run->timeout_ms = (long)(run->hub->set.timeout * 1000.0);
    run->wait_ms = run->timeout_ms * REG_WAIT_FACTOR;
    (void)rw_url_authority(&run->hub->url, run->hub_name, sizeof(run->hub_name));
    reg_ok("configuration %s: hub %s (%s), %s", run->opts->config, run->hub->name, run->hub_name,
           run->opts->spoke != NULL ? run->opts->spoke : "every spoke");
    return REG_GO;
}

/* The TLS handshake with the hub into *res; REG_GO or the exit code. */
static int
probe_hub(struct reg_run *run, struct rw_tls_result *res)
{
    struct rw_tls_config tc = {run->hub->set.ca_file, NULL, NULL};
    struct rw_tls_target target = {run->hub->url.host, run->hub->url.port, NULL, NULL};
    struct rw_err err;

    rw_err_clear(&err);
    if (rw_tls_ctx_new(&tc, &run->tls, &err) != RW_OK ||
        rw_tls_probe_many(run->tls, &target, 1, run->timeout_ms, res, &err) != RW_OK) {
        reg_fail("hub %s: %s", run->hub->name, err.msg);
        return CLI_EXIT_FAILED;
    }
    if (res->rc != RW_OK || res->chain == NULL || rw_cert_chain_count(res->chain) == 0) {
        reg_fail("hub %s (%s) does not answer HTTPS: %s", run->hub->name, run->hub_name,
                 res->rc != RW_OK ? res->err.msg : "no certificate");
        return CLI_EXIT_FAILED;
    }
    return REG_GO;
}

/* A service for the hub: anonymous and unverified (only to read the public service root
 * before its certificate is accepted), or authenticated and pinned to fp. */
static enum rw_rc
hub_service(struct reg_run *run, const char *fp, struct rf_service **out, struct rw_err *err)
{
    struct rf_service_opts svc;

    rf_config_service(run->hub, &svc);
    svc.insecure = 1; /* the pin alone decides: the certificate the user accepted */
    svc.fingerprint = fp;
    if (fp == NULL) {
        svc.auth = RF_AUTH_NONE;
        svc.username = NULL;
        svc.password = NULL;
    }
    return rf_client_add(run->client, &svc, out, err);
}

/* Step 2 for the hub: TLS, then GET /redfish/v1/ without credentials. */
static int
step_hub_alive(struct reg_run *run, struct rw_tls_result *res)
{
    struct rf_service *anon = NULL;
    struct cli_reg_reply reply;
    struct rw_err err;
    int rc = probe_hub(run, res);

    if (rc != REG_GO) {
        return rc;
    }
    rw_err_clear(&err);
    if (hub_service(run, NULL, &anon, &err) != RW_OK) {
        reg_fail("hub %s: %s", run->hub->name, err.msg);
        return CLI_EXIT_FAILED;
    }
    cli_reg_reply_init(&reply);
    if (cli_reg_call(run->client, anon, RF_METHOD_GET, "/redfish/v1/", NULL, run->timeout_ms,
                     &reply) != RW_OK) {
        reg_fail("hub %s (%s) does not answer HTTPS: GET /redfish/v1/: %s", run->hub->name,
                 run->hub_name, reply.msg);
        rc = CLI_EXIT_FAILED;
    } else {
        reg_ok("hub %s (%s) answers HTTPS (%s, %s)", run->hub->name, run->hub_name, res->protocol,
               res->address);
    }
    cli_reg_reply_cleanup(&reply);
    return rc;
}

static void
show_time(const char *label, time_t t)
{
    char buf[32];
    struct tm tm;

    if (gmtime_r(&t, &tm) == NULL || strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M UTC", &tm) == 0) {
        (void)snprintf(buf, sizeof(buf), "%s", "(unknown)");
    }
    reg_info("%-12s %s", label, buf);
}

static void
show_cert(const struct rw_cert *leaf, const struct rw_tls_result *res)
{
    reg_info("subject:     %s", rw_cert_subject(leaf));
    reg_info("issuer:      %s", rw_cert_issuer(leaf));
    show_time("not before:", rw_cert_not_before(leaf));
    show_time("not after:", rw_cert_not_after(leaf));
    reg_info("fingerprint: %s", rw_cert_fingerprint_text(leaf));
    reg_info("verified:    %s", res->verify_text);
}

/* The configured hub.fingerprint against leaf: 1 equal, 0 none configured, -1 other. */
static int
configured_match(const struct reg_run *run, const struct rw_cert *leaf)
{
    struct rw_fingerprint want;

    if (run->hub->fingerprint == NULL) {
        return 0;
    }
    if (rw_fingerprint_parse(run->hub->fingerprint, &want, NULL) != RW_OK) {
        return -1;
    }
    return rw_fingerprint_equal(&want, rw_cert_fingerprint(leaf)) ? 1 : -1;
}

/* Step 3: accepts the hub's leaf by hub.fingerprint or at the prompt; REG_GO or exit. */
static int
step_hub_cert(struct reg_run *run, const struct rw_tls_result *res)
{
    const struct rw_cert *leaf = rw_cert_chain_get(res->chain, 0);
    int match = configured_match(run, leaf);

    (void)snprintf(run->hub_fp, sizeof(run->hub_fp), "%s", rw_cert_fingerprint_text(leaf));
    reg_info("hub %s certificate:", run->hub->name);
    show_cert(leaf, res);
    if (match > 0) {
        reg_ok("hub certificate accepted: it matches hub.fingerprint in the configuration");
        return REG_GO;
    }
    if (match < 0) {
        reg_fail("hub certificate refused: %s is not hub.fingerprint %s of the configuration",
                 run->hub_fp, run->hub->fingerprint);
        return CLI_EXIT_SOME_FAILED;
    }
    if (reg_ask("Accept this certificate for the hub?")) {
        reg_ok("hub certificate accepted at the prompt");
        return REG_GO;
    }
    reg_fail("hub certificate not accepted: it is not in the configuration%s",
             isatty(STDIN_FILENO) ? "" : " and there is no terminal to ask");
    reg_info("to accept it, add this line under hub: (%s) in %s:", run->hub->name,
             run->opts->config);
    reg_info("  fingerprint: %s", run->hub_fp);
    return CLI_EXIT_SOME_FAILED;
}

/* Steps 2 and 3 for the hub, then the authenticated, pinned hub service. */
static int
steps_hub(struct reg_run *run)
{
    struct rw_tls_result res;
    struct rw_err err;
    int rc;

    rw_tls_result_init(&res);
    rc = step_hub_alive(run, &res);
    if (rc == REG_GO) {
        rc = step_hub_cert(run, &res);
    }
    rw_tls_result_cleanup(&res);
    rw_err_clear(&err);
    if (rc == REG_GO && hub_service(run, run->hub_fp, &run->hub_svc, &err) != RW_OK) {
        reg_fail("hub %s: %s", run->hub->name, err.msg);
        rc = CLI_EXIT_FAILED;
    }
    return rc;
}

/* Every selected spoke in turn; the worst exit code. */
static int
steps_spokes(struct reg_run *run)
{
    int rc = CLI_EXIT_OK;
    size_t i;

    for (i = 0; i < run->cfg->n_spokes; i++) {
        const struct rw_config_target *t = &run->cfg->spokes[i];

        if (run->opts->spoke == NULL || strcmp(t->name, run->opts->spoke) == 0) {
            rc = cli_reg_worst(rc, reg_spoke_run(run, t));
        }
    }
    return rc;
}

/* Logs out (bounded) and frees what the run holds. */
static void
run_cleanup(struct reg_run *run)
{
    struct rw_err ignored;

    if (run->client != NULL) {
        rf_client_logout_all(run->client);
        if (rf_client_run(run->client, rf_client_now_ms() + 2000, &ignored) != RW_OK) {
            rf_client_cancel(run->client, RW_ETIMEOUT, "logout took too long");
        }
    }
    rf_client_free(run->client);
    rw_tls_ctx_free(run->tls);
    rw_version_policy_free(run->vpolicy);
    if (run->have_product) {
        regfree(&run->product);
    }
    rw_config_free(run->cfg);
}

int
cli_reg_run(const struct cli_reg_opts *opts)
{
    struct reg_run run;
    struct rf_client_opts copts = {0};
    struct rw_err err;
    int rc;

    memset(&run, 0, sizeof(run));
    run.opts = opts;
    rw_log_init_stderr(&run.log, "rackwatch register",
                       opts->verbose > 0 ? RW_LOG_DEBUG : RW_LOG_WARNING);
    copts.log = &run.log;
    rw_err_clear(&err);
    rc = step_config(&run);
    if (rc == REG_GO && rf_client_new(&copts, &run.client, &err) != RW_OK) {
        reg_fail("%s", err.msg);
        rc = CLI_EXIT_FAILED;
    }
    if (rc == REG_GO) {
        rc = steps_hub(&run);
    }
    if (rc == REG_GO) {
        rc = steps_spokes(&run);
    }
    run_cleanup(&run);
    return rc;
}

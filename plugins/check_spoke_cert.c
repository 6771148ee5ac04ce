/*
 * check_spoke_cert: do a spoke and its hub present certificates that satisfy the
 * certificate policy?  Both leaves are read in TLS handshakes run at once (rw_tls), whatever
 * their verification result, and judged by rw_hubspoke: policy identical (the same SHA-256
 * fingerprint), same-issuer (both chains verify against --cacert), pinned (--pin) or
 * registered (the spoke's entry in --known-spokes).  Also the chains (with --cacert), the
 * host names (unless --insecure) and the days left on whichever leaf expires first
 * (-w/-c in days).  Unreachable: CRITICAL "Not responding".  The whole run is bounded by -t.
 */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "rw_hsargs.h"
#include "rw_hubspoke.h"
#include "rw_opts.h"
#include "rw_parse.h"
#include "rw_perfdata.h"
#include "rw_plugin.h"
#include "rw_tls.h"

#define DEFAULT_WARN_DAYS 30.0
#define DEFAULT_CRIT_DAYS 14.0

/* The plugin's own options. */
struct cert_opts {
    struct rw_hsvals hs; /* first: the kit's handlers rely on it */
    enum rw_cert_rule rule;
};

static enum rw_rc
on_policy(void *ctx, const char *arg, struct rw_err *err)
{
    return rw_cert_rule_parse(arg, &((struct cert_opts *)ctx)->rule, err);
}

static const struct rw_opt_spec cert_rows[] = {
    {"hub", 0, "HUB", "the hub: DNS name, IPv4 or IPv6 address (required)", rw_hsargs_on_hub, 0},
    {"hub-port", 0, "PORT", "the hub's TCP port (default 443)", rw_hsargs_on_hub_port, 0},
    {"policy", 0, "RULE", "identical (default), same-issuer, pinned or registered", on_policy, 0},
    {"pin", 0, "SHA256", "an accepted fingerprint, sha256:HEX (repeatable)", rw_hsargs_on_pin, 0},
    {"known-spokes", 0, "FILE", "the known-spokes file (policy registered)", rw_hsargs_on_known, 0},
    {"warning", 'w', "DAYS", "WARNING below this many days to expiry (default 30)",
     rw_hsargs_on_warn, 0},
    {"critical", 'c', "DAYS", "CRITICAL below this many days to expiry (default 14)",
     rw_hsargs_on_crit, 0},
    {NULL, 0, NULL, NULL, NULL, 0},
};

static const struct rw_opts_info cert_info = {
    .name = "check_spoke_cert",
    .label = "SPOKE_CERT",
    .synopsis = "-H SPOKE [-p 443] --hub HUB [--hub-port 443] [--policy RULE] [--pin SHA256] "
                "[--known-spokes FILE] [-w 30] [-c 14] [-t 10] [TLS options]",
    .purpose = "Checks that a spoke and its hub present certificates that satisfy the policy:\n"
               "identical (the same SHA-256 fingerprint, the default), same-issuer (both chains\n"
               "verify against --cacert), pinned (each leaf is one of the --pin fingerprints)\n"
               "or registered (the spoke's leaf is its entry in --known-spokes). CRITICAL\n"
               "\"Certificates Do Not Match\" with both fingerprints, subjects and issuers;\n"
               "also for an untrusted chain (with --cacert) or a host name mismatch (unless\n"
               "--insecure). -w/-c are days left on whichever certificate expires first\n"
               "(expired is CRITICAL). Unreachable: CRITICAL \"Not responding\".",
    .features = RW_OPTS_HOST | RW_OPTS_TLS,
    .default_port = 443,
    .extra = cert_rows,
};

/* What the command line cannot say alone. */
static enum rw_rc
validate(const struct rw_opts *opts, const struct cert_opts *co, struct rw_err *err)
{
    if (co->hs.hub_host == NULL) {
        return rw_err_set(err, RW_EINVAL, "--hub is required");
    }
    if (co->hs.crit_days > co->hs.warn_days) {
        return rw_err_set(err, RW_EINVAL,
                          "-c/--critical (%g days) must not be more than -w/--warning (%g days)",
                          co->hs.crit_days, co->hs.warn_days);
    }
    if (co->rule == RW_CERT_SAME_ISSUER && opts->tls.cacert == NULL) {
        return rw_err_set(err, RW_EINVAL, "--policy same-issuer needs --cacert FILE");
    }
    if (co->rule == RW_CERT_PINNED && co->hs.n_pins == 0) {
        return rw_err_set(err, RW_EINVAL, "--policy pinned needs at least one --pin");
    }
    if (co->rule == RW_CERT_REGISTERED && co->hs.known_path == NULL) {
        return rw_err_set(err, RW_EINVAL, "--policy registered needs --known-spokes FILE");
    }
    if (co->rule != RW_CERT_PINNED && co->hs.n_pins > 0) {
        return rw_err_set(err, RW_EINVAL, "--pin needs --policy pinned");
    }
    return RW_OK;
}

/* Both handshakes at once within the deadline; results[0] spoke, results[1] hub. */
static enum rw_rc
probe_both(const struct rw_opts *opts, const struct cert_opts *co, struct rw_tls_result *results,
           struct rw_err *err)
{
    struct rw_tls_config cfg = {
        .ca_file = opts->tls.cacert,
        .client_cert = opts->tls.client_cert,
        .client_key = opts->tls.client_key,
    };
    struct rw_tls_target targets[2] = {
        {.host = opts->url.host, .port = opts->url.port, .sni = opts->tls.sni},
        {.host = co->hs.hub_host, .port = co->hs.hub_port},
    };
    struct rw_tls_ctx *ctx = NULL;
    long left = rw_deadline_left_ms(&opts->deadline);
    enum rw_rc rc;

    rw_tls_result_init(&results[0]);
    rw_tls_result_init(&results[1]);
    rc = rw_tls_ctx_new(&cfg, &ctx, err);
    if (rc == RW_OK) {
        rc = rw_tls_probe_many(ctx, targets, 2, left > 0 ? left : 1, results, err);
    }
    rw_tls_ctx_free(ctx);
    return rc;
}

static enum rw_rc
add_days(struct rw_plugin_out *out, const char *label, double days, const struct cert_opts *co,
         struct rw_err *err)
{
    char text[64];
    struct rw_range warn, crit;
    struct rw_perfdata pd = {.label = label, .value = days, .warn = &warn, .crit = &crit};

    if (isnan(days)) {
        return RW_OK;
    }
    (void)snprintf(text, sizeof(text), "%g:", co->hs.warn_days);
    if (rw_range_parse(text, &warn, err) != RW_OK) {
        return RW_EINVAL;
    }
    (void)snprintf(text, sizeof(text), "%g:", co->hs.crit_days);
    if (rw_range_parse(text, &crit, err) != RW_OK) {
        return RW_EINVAL;
    }
    return rw_perfdata_add(&out->perfdata, &pd, err);
}

/* One long-output line per side: what it presented. */
static enum rw_rc
side_detail(struct rw_plugin_out *out, const char *role, const char *name,
            const struct rw_tls_result *tls)
{
    const struct rw_cert *leaf = tls->chain != NULL ? rw_cert_chain_get(tls->chain, 0) : NULL;

    if (leaf == NULL) {
        return RW_OK;
    }
    return rw_plugin_detail(out, "%s %s: %s, subject %s, issuer %s, %.1f days left, verify: %s%s",
                            role, name, rw_cert_fingerprint_text(leaf), rw_cert_subject(leaf),
                            rw_cert_issuer(leaf), rw_cert_days_left(leaf, time(NULL)),
                            tls->verify_text, tls->host_match == 0 ? ", host name mismatch" : "");
}

/* The summary when the policy holds. */
static enum rw_rc
ok_summary(struct rw_plugin_out *out, const struct cert_opts *co, const char *spoke,
           const char *hub, const struct rw_hubspoke_result *res)
{
    switch (co->rule) {
    case RW_CERT_IDENTICAL:
        return rw_plugin_summary(out, "spoke %s and hub %s present the same certificate %s", spoke,
                                 hub, res->spoke_fp);
    case RW_CERT_SAME_ISSUER:
        return rw_plugin_summary(out, "spoke %s and hub %s certificates verify against the CA",
                                 spoke, hub);
    case RW_CERT_PINNED:
        return rw_plugin_summary(out, "spoke %s (%s) and hub %s certificates are pinned", spoke,
                                 res->spoke_fp, hub);
    default:
        return rw_plugin_summary(out, "spoke %s presents its registered certificate %s", spoke,
                                 res->spoke_fp);
    }
}

/* Not responding: names each side that did not complete its handshake. */
static enum rw_rc
unreachable(struct rw_plugin_out *out, const char *spoke, const char *hub,
            const struct rw_tls_result *results)
{
    enum rw_rc rc = rw_plugin_summary(out, "%s", rw_spoke_status_name(RW_SPOKE_NOT_RESPONDING));

    if (rc == RW_OK && results[0].rc != RW_OK) {
        rc = rw_plugin_summary(out, ": spoke %s: %s", spoke, results[0].err.msg);
    }
    if (rc == RW_OK && results[1].rc != RW_OK) {
        rc = rw_plugin_summary(out, "%s hub %s: %s", results[0].rc != RW_OK ? ";" : ":", hub,
                               results[1].err.msg);
    }
    return rc;
}

/* Judges the two results and writes the output; returns the state. */
static enum rw_state
conclude(struct rw_plugin_out *out, const struct rw_opts *opts, const struct cert_opts *co,
         const struct rw_known_spokes *known, const struct rw_tls_result *results,
         struct rw_err *err)
{
    struct rw_cert_policy policy = {
        .rule = co->rule,
        .pins = co->hs.pins,
        .n_pins = co->hs.n_pins,
        .known = known,
        .known_path = co->hs.known_path,
        .ca_file = opts->tls.insecure ? NULL : opts->tls.cacert,
        .check_host = !opts->tls.insecure,
        .warn_days = co->hs.warn_days,
        .crit_days = co->hs.crit_days,
    };
    char spoke[RW_URL_TEXT_MAX], hub[RW_URL_TEXT_MAX];
    struct rw_hubspoke_result res;
    struct rw_url hub_url;
    enum rw_state state = RW_STATE_OK;
    enum rw_rc rc;

    (void)rw_url_authority(&opts->url, spoke, sizeof(spoke));
    if (rw_url_from_host(co->hs.hub_host, co->hs.hub_port, 1, &hub_url, err) != RW_OK) {
        return RW_STATE_UNKNOWN;
    }
    (void)rw_url_authority(&hub_url, hub, sizeof(hub));
    if (results[0].rc != RW_OK || results[1].rc != RW_OK) {
        rc = unreachable(out, spoke, hub, results);
        return rc == RW_OK ? RW_STATE_CRITICAL : rw_state_for(rc);
    }
    rw_hubspoke_result_init(&res);
    rw_hubspoke_check_certs(&policy, hub, &results[1], spoke, opts->url.host, opts->url.port,
                            &results[0], &res);
    if (res.status != RW_SPOKE_OK) {
        state = RW_STATE_CRITICAL;
        rc = rw_plugin_summary(out, "%s: %s", rw_spoke_status_name(res.status), res.detail);
    } else {
        rc = ok_summary(out, co, spoke, hub, &res);
    }
    if (rc == RW_OK && res.expiry_text[0] != '\0') {
        rc = rw_plugin_summary(out, "; %s", res.expiry_text);
    }
    state = rw_state_worst(state, res.expiry == RW_EXPIRY_CRITICAL  ? RW_STATE_CRITICAL
                                  : res.expiry == RW_EXPIRY_WARNING ? RW_STATE_WARNING
                                                                    : RW_STATE_OK);
    if (rc == RW_OK) {
        rc = add_days(out, "spoke_days_left", res.spoke_days, co, err);
    }
    if (rc == RW_OK) {
        rc = add_days(out, "hub_days_left", res.hub_days, co, err);
    }
    if (rc == RW_OK) {
        rc = side_detail(out, "spoke", spoke, &results[0]);
    }
    if (rc == RW_OK) {
        rc = side_detail(out, "hub", hub, &results[1]);
    }
    return rc == RW_OK ? state : RW_STATE_UNKNOWN;
}

/* Parses the command line and loads the known-spokes file when the policy needs it. */
static enum rw_rc
setup(struct rw_opts *opts, struct cert_opts *co, int argc, char **argv,
      struct rw_known_spokes **known, struct rw_err *err)
{
    if (rw_opts_parse(opts, co, argc, argv, err) != RW_OK || opts->action != RW_OPTS_RUN) {
        return err->code;
    }
    if (validate(opts, co, err) != RW_OK) {
        return RW_EINVAL;
    }
    if (co->rule == RW_CERT_REGISTERED &&
        rw_known_spokes_load(co->hs.known_path, 0, known, err) != RW_OK) {
        return RW_EINVAL;
    }
    return RW_OK;
}

int
main(int argc, char **argv)
{
    struct cert_opts co = {.rule = RW_CERT_IDENTICAL};
    struct rw_known_spokes *known = NULL;
    struct rw_tls_result results[2];
    struct rw_plugin_out out;
    struct rw_opts opts;
    struct rw_err err;
    enum rw_state state;
    int code;

    (void)signal(SIGPIPE, SIG_IGN);
    rw_err_clear(&err);
    rw_hsvals_init(&co.hs, DEFAULT_WARN_DAYS, DEFAULT_CRIT_DAYS);
    rw_opts_init(&opts, &cert_info);
    rw_plugin_out_init(&out, cert_info.label);
    if (setup(&opts, &co, argc, argv, &known, &err) != RW_OK || opts.action != RW_OPTS_RUN) {
        code = rw_opts_early_exit(&opts, &out, &err, 0);
        goto done;
    }
    if (probe_both(&opts, &co, results, &err) != RW_OK) {
        code = rw_plugin_report(RW_STATE_UNKNOWN, &err, &out);
    } else {
        state = conclude(&out, &opts, &co, known, results, &err);
        code = rw_plugin_report(state, state == RW_STATE_UNKNOWN ? &err : NULL, &out);
    }
    rw_tls_result_cleanup(&results[0]);
    rw_tls_result_cleanup(&results[1]);
done:
    rw_known_spokes_free(known);
    rw_plugin_out_cleanup(&out);
    rw_opts_cleanup(&opts);
    return code;
}

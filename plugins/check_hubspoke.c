/*
 * check_hubspoke: every spoke of a hub, each with exactly one status in the product's words
 * (rw_hubspoke).  The spokes come from the hub's AggregationSources (HostName; the hub's
 * own Status.Health is shown beside our probes) or from --config's spokes:.  The run has
 * three concurrent passes within the -t deadline:
 *   1. the hub: its service root and version (rw_hubspoke reader) and its
 *      AggregationSources (rw_hubspoke lister), at once;
 *   2. TLS handshakes with the hub and every spoke at once (rw_tls_probe_many), which give
 *      the leaves whatever their verification;
 *   3. every spoke's service root and version at once (rw_hubspoke_read_many).
 * Then each spoke is classified: liveness, identity/version, certificates.  A spoke whose
 * handshake completed but whose HTTPS requests were refused for its certificate (chain or
 * host name under --cacert/system trust) is "Certificates Do Not Match", not "Not
 * responding": it answered, with a certificate we do not accept.
 */
#include <math.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "rw_config.h"
#include "rw_hsargs.h"
#include "rw_hubspoke.h"
#include "rw_hubspoke_list.h"
#include "rw_hubspoke_read.h"
#include "rw_opts.h"
#include "rw_parse.h"
#include "rw_perfdata.h"
#include "rw_plugin.h"
#include "rw_tls.h"
#include "rw_version.h"

#define DEFAULT_WARN_DAYS 30.0
#define DEFAULT_CRIT_DAYS 14.0
#define LINE_MAX_BYTES    2048
/* Room kept for one spoke's long-output line (and the closing note) and for its two
 * perfdata items, so that the output caps are never hit. */
#define SPOKE_LINE_ROOM (LINE_MAX_BYTES + 2 * RW_HUBSPOKE_NAME_MAX + 512)
#define SPOKE_PERF_ROOM (4 * RW_PERFDATA_LABEL_MAX + 256)

/* The plugin's own options; "set" flags say what the command line fixed over --config. */
struct hs_opts {
    struct rw_hsvals hs; /* first: the kit's handlers rely on it */
    const char *config_path;
    enum rw_version_rule vrule;
    int vrule_set;
    enum rw_cert_rule crule;
    int crule_set;
};

/* One spoke through the run. */
struct spoke {
    char name[RW_HUBSPOKE_NAME_MAX];
    struct rw_url url;
    char auth[RW_URL_TEXT_MAX];
    const struct rw_hubspoke_source *src; /* the hub's view; NULL when the hub has none */
    const struct rw_config_cred *cred;    /* its own credentials from --config, or NULL */
    int probe;                            /* 0: already failed (bad HostName) */
    struct rw_hubspoke_reader *reader;
    struct rw_tls_result tls;
    double time_s;
    struct rw_hubspoke_result res;
    enum rw_state state;
};

/* Everything a run holds; freed by run_cleanup(). */
struct run {
    const struct rw_opts *opts;
    const struct hs_opts *ho;
    struct rw_config *cfg;
    struct rw_known_spokes *known;
    struct rw_version_policy *vpolicy;
    struct rw_cert_policy cpolicy;
    struct rw_hubspoke_read_opts ro;
    struct rw_hubspoke_reader *hub_reader;
    struct rw_hubspoke_lister *lister;
    struct rw_tls_result hub_tls;
    char hub_auth[RW_URL_TEXT_MAX];
    double hub_days;
    struct spoke *spokes;
    size_t n;
};

/* ---- options ---- */

static enum rw_rc
on_config(void *ctx, const char *arg, struct rw_err *err)
{
    ((struct hs_opts *)ctx)->config_path = arg;
    return RW_OK;
}

/* --policy takes a version rule or a certificate rule: their names differ. */
static enum rw_rc
on_policy(void *ctx, const char *arg, struct rw_err *err)
{
    struct hs_opts *ho = ctx;

    if (rw_hsargs_version_rule(arg, &ho->vrule) == RW_OK) {
        ho->vrule_set = 1;
        return RW_OK;
    }
    if (rw_cert_rule_parse(arg, &ho->crule, NULL) == RW_OK) {
        ho->crule_set = 1;
        return RW_OK;
    }
    return rw_err_set(err, RW_EINVAL,
                      "unknown policy '%s' (exact, same-major, same-minor; identical, "
                      "same-issuer, pinned, registered)",
                      arg);
}

static const struct rw_opt_spec hs_rows[] = {
    {"config", 0, "FILE", "take the spokes and the policy from this YAML file", on_config, 0},
    {"product", 0, "REGEX", "the service roots' Product or Vendor must match", rw_hsargs_on_product,
     0},
    {"version-url", 0, "PATH", "where the version is (default: first of /redfish/v1/Managers)",
     rw_hsargs_on_version_url, 0},
    {"version-pointer", 0, "POINTER", "JSON pointer to the version (default /FirmwareVersion)",
     rw_hsargs_on_version_pointer, 0},
    {"policy", 0, "RULE",
     "exact (default), same-major, same-minor; identical (default), same-issuer, pinned, "
     "registered (repeatable)",
     on_policy, 0},
    {"minimum", 0, "VERSION", "every spoke's version must be at least VERSION",
     rw_hsargs_on_minimum, 0},
    {"pin", 0, "SHA256", "an accepted fingerprint, sha256:HEX (repeatable)", rw_hsargs_on_pin, 0},
    {"known-spokes", 0, "FILE", "the known-spokes file (policy registered)", rw_hsargs_on_known, 0},
    {"warning", 'w', "DAYS", "WARNING below this many days to expiry (default 30)",
     rw_hsargs_on_warn, 0},
    {"critical", 'c', "DAYS", "CRITICAL below this many days to expiry (default 14)",
     rw_hsargs_on_crit, 0},
    {NULL, 0, NULL, NULL, NULL, 0},
};

static const struct rw_opts_info hs_info = {
    .name = "check_hubspoke",
    .label = "HUBSPOKE",
    .synopsis = "-H HUB [-p 443] [--config FILE] [--product REGEX] [--version-url PATH] "
                "[--version-pointer POINTER] [--policy RULE]... [--minimum VERSION] "
                "[--pin SHA256]... [--known-spokes FILE] [-w 30] [-c 14] [-t 10] [TLS options] "
                "[--authfile FILE]",
    .purpose = "Checks every spoke of a hub and gives each exactly one status: OK, Not\n"
               "responding, Hub/Spoke Versions Not Compatible, Certificates Do Not Match or\n"
               "Invalid Server or Versions Not Compatible (checked in the order liveness,\n"
               "identity and version, certificates). The spokes are the HostName of the hub's\n"
               "AggregationSources (their Status.Health is shown), or --config's spokes:. All\n"
               "spokes are probed at once; -t bounds the whole run. Version and certificate\n"
               "options as check_spoke_version and check_spoke_cert; -w/-c are days to expiry.",
    .features = RW_OPTS_HOST | RW_OPTS_TLS | RW_OPTS_AUTH,
    .default_port = 443,
    .extra = hs_rows,
};

/* ---- configuration ---- */

/* Policy keys of --config that the command line left unset. */
static enum rw_rc
apply_config_policy(struct hs_opts *ho, const struct rw_config_policy *p, struct rw_err *err)
{
    size_t i;

    if (ho->hs.product == NULL && p->product != NULL &&
        rw_hsvals_set_product(&ho->hs, p->product, err) != RW_OK) {
        return RW_EINVAL;
    }
    ho->hs.version_url = ho->hs.version_url != NULL ? ho->hs.version_url : p->version_url;
    ho->hs.version_pointer =
        ho->hs.version_pointer != NULL ? ho->hs.version_pointer : p->version_pointer;
    ho->hs.minimum = ho->hs.minimum != NULL ? ho->hs.minimum : p->version_minimum;
    ho->hs.known_path = ho->hs.known_path != NULL ? ho->hs.known_path : p->known_spokes;
    if (!ho->vrule_set) {
        ho->vrule = p->version_rule == RW_CONFIG_VERSION_SAME_MAJOR   ? RW_VERSION_SAME_MAJOR
                    : p->version_rule == RW_CONFIG_VERSION_SAME_MINOR ? RW_VERSION_SAME_MINOR
                                                                      : RW_VERSION_EXACT;
    }
    if (!ho->crule_set) {
        ho->crule = (enum rw_cert_rule)p->cert_rule; /* the same order, by design */
    }
    for (i = 0; ho->hs.n_pins == 0 && i < p->n_pins; i++) {
        if (rw_hsargs_on_pin(&ho->hs, p->pins[i], err) != RW_OK) {
            return RW_EINVAL;
        }
    }
    return RW_OK;
}

/* The checks the command line cannot make alone. */
static enum rw_rc
validate(const struct rw_opts *opts, const struct hs_opts *ho, struct rw_err *err)
{
    if (ho->hs.crit_days > ho->hs.warn_days) {
        return rw_err_set(err, RW_EINVAL,
                          "-c/--critical (%g days) must not be more than -w/--warning (%g days)",
                          ho->hs.crit_days, ho->hs.warn_days);
    }
    if (ho->crule == RW_CERT_SAME_ISSUER && opts->tls.cacert == NULL) {
        return rw_err_set(err, RW_EINVAL, "--policy same-issuer needs --cacert FILE");
    }
    if (ho->crule == RW_CERT_PINNED && ho->hs.n_pins == 0) {
        return rw_err_set(err, RW_EINVAL, "--policy pinned needs at least one --pin");
    }
    if (ho->crule == RW_CERT_REGISTERED && ho->hs.known_path == NULL) {
        return rw_err_set(err, RW_EINVAL, "--policy registered needs --known-spokes FILE");
    }
    return RW_OK;
}

/* Policies and the known-spokes file, from the options. */
static enum rw_rc
setup_policies(struct run *r, struct rw_err *err)
{
    const struct hs_opts *ho = r->ho;
    size_t i;

    if (rw_version_policy_new(ho->vrule, &r->vpolicy, err) != RW_OK ||
        (ho->hs.minimum != NULL &&
         rw_version_policy_set_minimum(r->vpolicy, ho->hs.minimum, err))) {
        return RW_EINVAL;
    }
    for (i = 0; r->cfg != NULL && i < r->cfg->policy.n_compatible; i++) {
        if (rw_version_policy_add_compatible(r->vpolicy, r->cfg->policy.compatible[i].hub,
                                             r->cfg->policy.compatible[i].spoke, err) != RW_OK) {
            return RW_EINVAL;
        }
    }
    if (ho->crule == RW_CERT_REGISTERED &&
        rw_known_spokes_load(ho->hs.known_path, 0, &r->known, err) != RW_OK) {
        return RW_EINVAL;
    }
    r->cpolicy = (struct rw_cert_policy){
        .rule = ho->crule,
        .pins = ho->hs.pins,
        .n_pins = ho->hs.n_pins,
        .known = r->known,
        .known_path = ho->hs.known_path,
        .ca_file = r->opts->tls.insecure ? NULL : r->opts->tls.cacert,
        .check_host = !r->opts->tls.insecure,
        .warn_days = ho->hs.warn_days,
        .crit_days = ho->hs.crit_days,
    };
    r->ro = (struct rw_hubspoke_read_opts){
        .product = ho->hs.have_re ? &ho->hs.product_re : NULL,
        .product_text = ho->hs.product,
        .version_url = ho->hs.version_url,
        .version_pointer = ho->hs.version_pointer,
    };
    return RW_OK;
}

/* ---- passes ---- */

static struct rw_hubspoke_http
http_of(const struct rw_opts *opts)
{
    struct rw_hubspoke_http http = {
        .cacert = opts->tls.cacert,
        .client_cert = opts->tls.client_cert,
        .client_key = opts->tls.client_key,
        .insecure = opts->tls.insecure,
        .username = opts->creds.set ? opts->creds.username : NULL,
        .password = opts->creds.set ? opts->creds.password : NULL,
    };

    return http;
}

/* The share of the time left that a pass may use (of the passes still to run). */
static long
budget(const struct rw_opts *opts, int passes_left)
{
    long left = rw_deadline_left_ms(&opts->deadline) / passes_left;

    return left > 0 ? left : 1;
}

/*
 * A server's own credentials from --config.  A spoke's own set wins over the command
 * line's (which may be the hub's); the hub's set from --config only fills in for none
 * given on the command line or in the environment.
 */
static void
set_cred(struct rw_hubspoke_server *server, const struct rw_config_cred *cred)
{
    if (cred != NULL) {
        server->username = cred->username;
        server->password = cred->password;
    }
}

/* Pass 1: the hub's service root and version, and its list of spokes. */
static enum rw_rc
read_hub(struct run *r, struct rw_err *err)
{
    struct rw_hubspoke_server servers[2];
    struct rw_hubspoke_http http = http_of(r->opts);

    memset(servers, 0, sizeof(servers));
    if (rw_hubspoke_reader_new(&r->ro, &r->hub_reader, err) != RW_OK ||
        rw_hubspoke_lister_new(NULL, &r->lister, err) != RW_OK) {
        return err->code;
    }
    servers[0].url = &r->opts->url;
    servers[0].sni = r->opts->tls.sni;
    servers[0].reader = r->hub_reader;
    servers[1].url = &r->opts->url;
    servers[1].sni = r->opts->tls.sni;
    servers[1].lister = r->lister;
    if (!r->opts->creds.set && r->cfg != NULL && r->cfg->hub != NULL) {
        set_cred(&servers[0], r->cfg->hub->cred);
        set_cred(&servers[1], r->cfg->hub->cred);
    }
    return rw_hubspoke_read_many(&http, servers, 2, budget(r->opts, 3), err);
}

/* A spoke from a name and an address; the hub's view when it lists that address. */
static void
spoke_init(struct run *r, struct spoke *sp, const char *name, const struct rw_url *url)
{
    const struct rw_hubspoke_source *src;
    struct rw_url u;
    size_t i;

    rw_tls_result_init(&sp->tls);
    rw_hubspoke_result_init(&sp->res);
    sp->url = *url;
    sp->probe = 1;
    sp->time_s = -1.0;
    (void)rw_url_authority(url, sp->auth, sizeof(sp->auth));
    (void)snprintf(sp->name, sizeof(sp->name), "%.127s", name[0] != '\0' ? name : sp->auth);
    for (i = 0; sp->src == NULL && i < rw_hubspoke_lister_count(r->lister); i++) {
        src = rw_hubspoke_lister_get(r->lister, i);
        if (rw_hubspoke_hostname_parse(src->hostname, &u, NULL) == RW_OK &&
            strcasecmp(u.host, url->host) == 0 && u.port == url->port) {
            sp->src = src;
        }
    }
}

/* The spokes: --config's, else the hub's AggregationSources. */
static enum rw_rc
collect_spokes(struct run *r, struct rw_err *err)
{
    size_t i, n = r->cfg != NULL ? r->cfg->n_spokes : rw_hubspoke_lister_count(r->lister);
    const struct rw_hubspoke_source *src;
    struct rw_err herr;
    struct rw_url url;

    r->spokes = calloc(n > 0 ? n : 1, sizeof(*r->spokes));
    if (r->spokes == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    for (i = 0; i < n; i++, r->n++) {
        if (r->cfg != NULL) {
            spoke_init(r, &r->spokes[i], r->cfg->spokes[i].name, &r->cfg->spokes[i].url);
            r->spokes[i].cred = r->cfg->spokes[i].cred;
            continue;
        }
        src = rw_hubspoke_lister_get(r->lister, i);
        rw_err_clear(&herr);
        memset(&url, 0, sizeof(url));
        if (rw_hubspoke_hostname_parse(src->hostname, &url, &herr) != RW_OK) {
            spoke_init(r, &r->spokes[i], src->name[0] != '\0' ? src->name : src->path, &url);
            r->spokes[i].src = src;
            r->spokes[i].probe = 0;
            (void)snprintf(r->spokes[i].auth, sizeof(r->spokes[i].auth), "%s",
                           src->hostname[0] != '\0' ? src->hostname : "no HostName");
            rw_hubspoke_fail(&r->spokes[i].res, RW_SPOKE_INVALID_SERVER,
                             "the hub lists AggregationSource %s with %s", src->path, herr.msg);
            continue;
        }
        spoke_init(r, &r->spokes[i], src->name, &url);
    }
    return RW_OK;
}

/* Pass 2: TLS handshakes with the hub (target 0) and every spoke at once. */
static enum rw_rc
probe_tls(struct run *r, struct rw_err *err)
{
    struct rw_tls_config cfg = {
        .ca_file = r->opts->tls.cacert,
        .client_cert = r->opts->tls.client_cert,
        .client_key = r->opts->tls.client_key,
    };
    struct rw_tls_target *targets = calloc(r->n + 1, sizeof(*targets));
    struct rw_tls_result *results = calloc(r->n + 1, sizeof(*results));
    struct rw_tls_ctx *ctx = NULL;
    enum rw_rc rc = RW_ENOMEM;
    size_t i;

    if (targets == NULL || results == NULL) {
        rc = rw_err_set(err, RW_ENOMEM, "out of memory");
        goto fail;
    }
    targets[0] = (struct rw_tls_target){
        .host = r->opts->url.host, .port = r->opts->url.port, .sni = r->opts->tls.sni};
    for (i = 0; i < r->n; i++) {
        targets[i + 1] =
            (struct rw_tls_target){.host = r->spokes[i].url.host, .port = r->spokes[i].url.port};
        if (!r->spokes[i].probe) {
            targets[i + 1] = targets[0]; /* a placeholder; its result is not used */
        }
    }
    rc = rw_tls_ctx_new(&cfg, &ctx, err);
    if (rc == RW_OK) {
        rc = rw_tls_probe_many(ctx, targets, r->n + 1, budget(r->opts, 2), results, err);
    }
    for (i = 0; results != NULL && i <= r->n; i++) {
        if (i == 0) {
            r->hub_tls = results[0];
        } else {
            r->spokes[i - 1].tls = results[i];
        }
    }
fail:
    rw_tls_ctx_free(ctx);
    free(targets);
    free(results);
    return rc;
}

/* Pass 3: the service root and version of every spoke whose handshake completed. */
static enum rw_rc
read_spokes(struct run *r, struct rw_err *err)
{
    struct rw_hubspoke_server *servers = calloc(r->n > 0 ? r->n : 1, sizeof(*servers));
    struct rw_hubspoke_http http = http_of(r->opts);
    enum rw_rc rc = RW_OK;
    size_t i, k = 0;

    if (servers == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    for (i = 0; rc == RW_OK && i < r->n; i++) {
        if (!r->spokes[i].probe || r->spokes[i].tls.rc != RW_OK) {
            continue;
        }
        rc = rw_hubspoke_reader_new(&r->ro, &r->spokes[i].reader, err);
        servers[k].url = &r->spokes[i].url;
        set_cred(&servers[k], r->spokes[i].cred);
        servers[k++].reader = r->spokes[i].reader;
    }
    if (rc == RW_OK && k > 0) {
        rc = rw_hubspoke_read_many(&http, servers, k, budget(r->opts, 1), err);
    }
    for (i = 0, k = 0; rc == RW_OK && i < r->n; i++) {
        if (r->spokes[i].reader != NULL) {
            r->spokes[i].time_s = servers[k++].time_s;
        }
    }
    free(servers);
    return rc;
}

/* ---- classification ---- */

static enum rw_state
state_of_expiry(enum rw_expiry e)
{
    return e == RW_EXPIRY_CRITICAL  ? RW_STATE_CRITICAL
           : e == RW_EXPIRY_WARNING ? RW_STATE_WARNING
                                    : RW_STATE_OK;
}

/* The hub's Status.Health for this spoke, as a state of its own. */
static enum rw_state
state_of_health(const struct rw_hubspoke_source *src)
{
    if (src == NULL) {
        return RW_STATE_OK;
    }
    if (strcmp(src->health, "Critical") == 0) {
        return RW_STATE_CRITICAL;
    }
    return strcmp(src->health, "Warning") == 0 ? RW_STATE_WARNING : RW_STATE_OK;
}

/* One spoke's status, in the order liveness, identity/version, certificates. */
static void
classify(struct run *r, struct spoke *sp)
{
    const char *hub_version = rw_hubspoke_reader_version(r->hub_reader);

    if (sp->probe && sp->tls.rc != RW_OK) {
        rw_hubspoke_fail(&sp->res, RW_SPOKE_NOT_RESPONDING, "no TLS handshake: %s",
                         sp->tls.err.msg);
    } else if (sp->reader != NULL && rw_hubspoke_reader_transport_rc(sp->reader) == RW_ETLS) {
        rw_hubspoke_fail(&sp->res, RW_SPOKE_CERTS_MISMATCH,
                         "its certificate is refused for HTTPS: %s", sp->tls.verify_text);
    } else if (sp->reader != NULL) {
        rw_hubspoke_reader_report(sp->reader, "spoke", sp->auth, &sp->res);
        if (sp->res.status == RW_SPOKE_OK && hub_version[0] != '\0') {
            rw_hubspoke_check_versions(r->vpolicy, r->hub_auth, hub_version, sp->auth,
                                       rw_hubspoke_reader_version(sp->reader), &sp->res);
        }
    }
    if (sp->probe && sp->tls.rc == RW_OK && r->cpolicy.rule == RW_CERT_IDENTICAL &&
        r->hub_tls.rc != RW_OK) {
        rw_hubspoke_fail(&sp->res, RW_SPOKE_CERTS_MISMATCH,
                         "the hub's certificate, to compare with, could not be read: %s",
                         r->hub_tls.err.msg);
    }
    if (sp->probe && sp->tls.rc == RW_OK) {
        rw_hubspoke_check_certs(&r->cpolicy, r->hub_auth, &r->hub_tls, sp->auth, sp->url.host,
                                sp->url.port, &sp->tls, &sp->res);
    }
    sp->res.time_s = sp->time_s;
    sp->state = sp->res.status != RW_SPOKE_OK ? RW_STATE_CRITICAL : RW_STATE_OK;
    sp->state = rw_state_worst(
        sp->state, state_of_expiry(rw_hubspoke_expiry(sp->res.spoke_days, r->ho->hs.warn_days,
                                                      r->ho->hs.crit_days)));
    sp->state = rw_state_worst(sp->state, state_of_health(sp->src));
}

/* ---- output ---- */

/* "version 3.2.0, certificate sha256:..., 299.9 days left" for an OK spoke. */
static void
ok_detail(const struct spoke *sp, char *buf, size_t len)
{
    (void)snprintf(buf, len, "version %s, certificate %s",
                   sp->res.version[0] ? sp->res.version : "-",
                   sp->res.spoke_fp[0] ? sp->res.spoke_fp : "-");
}

static enum rw_rc
spoke_line(struct rw_plugin_out *out, const struct spoke *sp)
{
    char text[LINE_MAX_BYTES], days[96] = "", hub[96] = "";

    if (sp->res.status == RW_SPOKE_OK) {
        ok_detail(sp, text, sizeof(text));
    } else {
        (void)snprintf(text, sizeof(text), "%s", sp->res.detail);
    }
    if (!isnan(sp->res.spoke_days)) {
        (void)snprintf(days, sizeof(days),
                       sp->res.spoke_days > 0 ? "; %.1f days left"
                                              : "; certificate expired %.1f "
                                                "days ago",
                       fabs(sp->res.spoke_days));
    }
    if (sp->src != NULL) {
        (void)snprintf(hub, sizeof(hub), "; hub reports Health %s, State %s",
                       sp->src->health[0] ? sp->src->health : "-",
                       sp->src->state[0] ? sp->src->state : "-");
    }
    return rw_plugin_detail(out, "%s (%s): %s - %s%s%s", sp->name, sp->auth,
                            rw_spoke_status_name(sp->res.status), text, days, hub);
}

static enum rw_rc
spoke_perfdata(struct rw_plugin_out *out, const struct run *r, const struct spoke *sp,
               struct rw_err *err)
{
    char label[RW_PERFDATA_LABEL_MAX], text[64];
    struct rw_range warn, crit;
    struct rw_perfdata t = {.label = label, .value = sp->time_s, .uom = "s", .has_min = 1};
    struct rw_perfdata d = {
        .label = label, .value = sp->res.spoke_days, .warn = &warn, .crit = &crit};
    enum rw_rc rc = RW_OK;

    (void)snprintf(text, sizeof(text), "%g:", r->ho->hs.warn_days);
    if (rw_range_parse(text, &warn, err) != RW_OK) {
        return RW_EINVAL;
    }
    (void)snprintf(text, sizeof(text), "%g:", r->ho->hs.crit_days);
    if (rw_range_parse(text, &crit, err) != RW_OK) {
        return RW_EINVAL;
    }
    if (sp->time_s >= 0.0) {
        (void)snprintf(label, sizeof(label), "%.100s_time", sp->name);
        rc = rw_perfdata_add(&out->perfdata, &t, err);
    }
    if (rc == RW_OK && !isnan(sp->res.spoke_days)) {
        (void)snprintf(label, sizeof(label), "%.100s_days_left", sp->name);
        rc = rw_perfdata_add(&out->perfdata, &d, err);
    }
    return rc;
}

/*
 * The long output of every spoke, the spokes with a problem first, so that a hub of
 * thousands of spokes, whose lines outgrow the output cap, still shows them; past the cap
 * the rest are counted (*cut) rather than turning the verdict into UNKNOWN.
 */
static enum rw_rc
spoke_lines(struct rw_plugin_out *out, const struct run *r, size_t *cut)
{
    const struct spoke *sp;
    enum rw_rc rc = RW_OK;
    size_t i, pass;

    for (pass = 0; pass < 2 && rc == RW_OK; pass++) {
        for (i = 0; i < r->n && rc == RW_OK; i++) {
            sp = &r->spokes[i];
            if ((sp->res.status == RW_SPOKE_OK) != (pass == 1)) {
                continue;
            }
            if (rw_buf_len(&out->details) + SPOKE_LINE_ROOM > RW_PLUGIN_TEXT_MAX) {
                (*cut)++;
            } else {
                rc = spoke_line(out, sp);
            }
        }
    }
    return rc;
}

/* The perfdata of every spoke in the hub's (or --config's) order, as long as it fits. */
static enum rw_rc
spokes_perfdata(struct rw_plugin_out *out, const struct run *r, size_t *cut, struct rw_err *err)
{
    enum rw_rc rc = RW_OK;
    size_t i;

    for (i = 0; i < r->n && rc == RW_OK; i++) {
        if (rw_buf_len(&out->perfdata) + SPOKE_PERF_ROOM > RW_PLUGIN_TEXT_MAX) {
            (*cut)++;
        } else {
            rc = spoke_perfdata(out, r, &r->spokes[i], err);
        }
    }
    return rc;
}

/* Lines, perfdata, and a last line for what the output caps left out. */
static enum rw_rc
spokes_output(struct rw_plugin_out *out, const struct run *r, struct rw_err *err)
{
    size_t cut_lines = 0, cut_perf = 0;
    enum rw_rc rc = spoke_lines(out, r, &cut_lines);

    if (rc == RW_OK) {
        rc = spokes_perfdata(out, r, &cut_perf, err);
    }
    if (rc == RW_OK && cut_lines > 0) {
        rc = rw_plugin_detail(out, "%zu more spoke line%s left out (output cap %d KiB)", cut_lines,
                              cut_lines == 1 ? "" : "s", RW_PLUGIN_TEXT_MAX / 1024);
    }
    if (rc == RW_OK && cut_perf > 0) {
        rc = rw_plugin_detail(out, "perfdata of %zu spoke%s left out (output cap %d KiB)", cut_perf,
                              cut_perf == 1 ? "" : "s", RW_PLUGIN_TEXT_MAX / 1024);
    }
    return rc;
}

/* "4 spokes: 2 OK, 1 Not responding, 1 Certificates Do Not Match" */
static enum rw_rc
summary(struct rw_plugin_out *out, const struct run *r)
{
    size_t counts[RW_SPOKE_STATUS_COUNT] = {0}, i;
    enum rw_rc rc;
    int first = 1;

    for (i = 0; i < r->n; i++) {
        counts[r->spokes[i].res.status]++;
    }
    rc = rw_plugin_summary(out, "%zu spoke%s", r->n, r->n == 1 ? "" : "s");
    for (i = 0; rc == RW_OK && i < RW_SPOKE_STATUS_COUNT; i++) {
        if (counts[i] > 0) {
            rc = rw_plugin_summary(out, "%s %zu %s", first ? ":" : ",", counts[i],
                                   rw_spoke_status_name((enum rw_spoke_status)i));
            first = 0;
        }
    }
    return rc;
}

/* The hub's own line: what it is, its certificate; its expiry as a state. */
static enum rw_state
hub_line(struct rw_plugin_out *out, struct run *r, enum rw_rc *rc)
{
    const struct rw_cert *leaf =
        r->hub_tls.chain != NULL ? rw_cert_chain_get(r->hub_tls.chain, 0) : NULL;
    const char *v = rw_hubspoke_reader_version(r->hub_reader);
    enum rw_expiry e;

    r->hub_days = leaf != NULL ? rw_cert_days_left(leaf, time(NULL)) : NAN;
    e = rw_hubspoke_expiry(r->hub_days, r->ho->hs.warn_days, r->ho->hs.crit_days);
    *rc = rw_plugin_detail(
        out, "hub %s: %s %s, certificate %s, %.1f days left", r->hub_auth,
        rw_hubspoke_reader_product(r->hub_reader)[0] ? rw_hubspoke_reader_product(r->hub_reader)
                                                     : "-",
        v[0] ? v : "-", leaf != NULL ? rw_cert_fingerprint_text(leaf) : "-", r->hub_days);
    if (*rc == RW_OK && e != RW_EXPIRY_OK) {
        *rc = rw_plugin_summary(out, "; hub certificate %s %.1f days%s",
                                r->hub_days > 0 ? "expires in" : "expired", fabs(r->hub_days),
                                r->hub_days > 0 ? "" : " ago");
    }
    return state_of_expiry(e);
}

/* Every spoke classified; the whole output; the worst state. */
static enum rw_state
report_spokes(struct rw_plugin_out *out, struct run *r, struct rw_err *err)
{
    enum rw_state state = RW_STATE_OK;
    enum rw_rc rc;
    size_t i;

    for (i = 0; i < r->n; i++) {
        classify(r, &r->spokes[i]);
        state = rw_state_worst(state, r->spokes[i].state);
    }
    rc = summary(out, r);
    if (rc == RW_OK) {
        state = rw_state_worst(state, hub_line(out, r, &rc));
    }
    if (rc == RW_OK) {
        rc = spokes_output(out, r, err);
    }
    return rc == RW_OK ? state : RW_STATE_UNKNOWN;
}

/* The hub failed: "hub H: Not responding - ..." or the wrong software. */
static enum rw_state
report_hub_failure(struct rw_plugin_out *out, const struct rw_hubspoke_result *res,
                   const char *hub_auth)
{
    char prefix[RW_URL_TEXT_MAX + 8];
    const char *detail = res->detail;

    /* the detail names the hub already ("hub H: ..."): say it once, up front */
    (void)snprintf(prefix, sizeof(prefix), "hub %s: ", hub_auth);
    if (strncmp(detail, prefix, strlen(prefix)) == 0) {
        detail += strlen(prefix);
    }
    return rw_plugin_summary(out, "hub %s: %s - %s", hub_auth, rw_spoke_status_name(res->status),
                             detail) == RW_OK
               ? RW_STATE_CRITICAL
               : RW_STATE_UNKNOWN;
}

/* The hub's own status from pass 1 (the list matters only without --config). */
static void
judge_hub(const struct run *r, struct rw_hubspoke_result *res)
{
    const char *msg = "";
    enum rw_rc lrc = rw_hubspoke_lister_status(r->lister, &msg);

    rw_hubspoke_result_init(res);
    rw_hubspoke_reader_report(r->hub_reader, "hub", r->hub_auth, res);
    if (r->cfg == NULL && lrc != RW_OK) {
        rw_hubspoke_fail(res,
                         lrc == RW_EPARSE || lrc == RW_ETOOBIG ? RW_SPOKE_INVALID_SERVER
                                                               : RW_SPOKE_NOT_RESPONDING,
                         "hub %s: %s", r->hub_auth, msg);
    }
}

/* The three passes and the report; the state. */
static enum rw_state
check(struct rw_plugin_out *out, struct run *r, struct rw_err *err)
{
    struct rw_hubspoke_result hub;

    (void)rw_url_authority(&r->opts->url, r->hub_auth, sizeof(r->hub_auth));
    rw_tls_result_init(&r->hub_tls);
    if (setup_policies(r, err) != RW_OK || read_hub(r, err) != RW_OK) {
        return RW_STATE_UNKNOWN;
    }
    judge_hub(r, &hub);
    if (hub.status != RW_SPOKE_OK) {
        return report_hub_failure(out, &hub, r->hub_auth);
    }
    if (collect_spokes(r, err) != RW_OK || probe_tls(r, err) != RW_OK ||
        read_spokes(r, err) != RW_OK) {
        return RW_STATE_UNKNOWN;
    }
    return report_spokes(out, r, err);
}

static void
run_cleanup(struct run *r)
{
    size_t i;

    for (i = 0; i < r->n; i++) {
        rw_hubspoke_reader_free(r->spokes[i].reader);
        rw_tls_result_cleanup(&r->spokes[i].tls);
    }
    free(r->spokes);
    rw_tls_result_cleanup(&r->hub_tls);
    rw_hubspoke_reader_free(r->hub_reader);
    rw_hubspoke_lister_free(r->lister);
    rw_version_policy_free(r->vpolicy);
    rw_known_spokes_free(r->known);
    rw_config_free(r->cfg);
}

/* Command line, then --config under it, then the checks on the result. */
static enum rw_rc
setup(struct rw_opts *opts, struct hs_opts *ho, struct run *r, int argc, char **argv,
      struct rw_err *err)
{
    if (rw_opts_parse(opts, ho, argc, argv, err) != RW_OK || opts->action != RW_OPTS_RUN) {
        return err->code;
    }
    if (ho->config_path != NULL && (rw_config_load(ho->config_path, &r->cfg, err) != RW_OK ||
                                    apply_config_policy(ho, &r->cfg->policy, err) != RW_OK)) {
        return RW_EINVAL;
    }
    return validate(opts, ho, err);
}

int
main(int argc, char **argv)
{
    struct hs_opts ho = {.config_path = NULL};
    struct run r = {.ho = &ho};
    struct rw_plugin_out out;
    struct rw_opts opts;
    struct rw_err err;
    enum rw_state state;
    int code;

    (void)signal(SIGPIPE, SIG_IGN);
    rw_err_clear(&err);
    rw_hsvals_init(&ho.hs, DEFAULT_WARN_DAYS, DEFAULT_CRIT_DAYS);
    rw_opts_init(&opts, &hs_info);
    rw_plugin_out_init(&out, hs_info.label);
    r.opts = &opts;
    if (setup(&opts, &ho, &r, argc, argv, &err) != RW_OK || opts.action != RW_OPTS_RUN) {
        code = rw_opts_early_exit(&opts, &out, &err, 0);
        goto done;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        (void)rw_err_set(&err, RW_ENOMEM, "cannot initialise libcurl");
        code = rw_plugin_report(RW_STATE_UNKNOWN, &err, &out);
        goto done;
    }
    state = check(&out, &r, &err);
    code = rw_plugin_report(state, state == RW_STATE_UNKNOWN ? &err : NULL, &out);
    curl_global_cleanup();
done:
    run_cleanup(&r);
    rw_hsvals_cleanup(&ho.hs);
    rw_plugin_out_cleanup(&out);
    rw_opts_cleanup(&opts);
    return code;
}

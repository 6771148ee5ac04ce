/*
 * check_spoke_version: do a spoke and its hub run the expected software in compatible
 * versions?  Both are read at once (rw_hubspoke_read): the service root (a Redfish one,
 * Product or Vendor matching --product), then the version at --version-url and
 * --version-pointer; the versions are judged by --policy and --minimum (rw_version).
 * CRITICAL with the product's words: "Not responding", "Invalid Server or Versions Not
 * Compatible", "Hub/Spoke Versions Not Compatible".  The whole run is bounded by -t.
 */
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "rw_hsargs.h"
#include "rw_hubspoke.h"
#include "rw_hubspoke_read.h"
#include "rw_opts.h"
#include "rw_parse.h"
#include "rw_perfdata.h"
#include "rw_plugin.h"
#include "rw_version.h"

/* The plugin's own options. */
struct version_opts {
    struct rw_hsvals hs; /* first: the kit's handlers rely on it */
    enum rw_version_rule rule;
};

static enum rw_rc
on_policy(void *ctx, const char *arg, struct rw_err *err)
{
    if (rw_hsargs_version_rule(arg, &((struct version_opts *)ctx)->rule) != RW_OK) {
        return rw_err_set(err, RW_EINVAL,
                          "unknown version policy '%s' (exact, same-major or same-minor)", arg);
    }
    return RW_OK;
}

static const struct rw_opt_spec version_rows[] = {
    {"hub", 0, "HUB", "the hub: DNS name, IPv4 or IPv6 address (required)", rw_hsargs_on_hub, 0},
    {"hub-port", 0, "PORT", "the hub's TCP port (default 443)", rw_hsargs_on_hub_port, 0},
    {"product", 0, "REGEX", "the service root's Product or Vendor must match", rw_hsargs_on_product,
     0},
    {"version-url", 0, "PATH", "where the version is (default: first of /redfish/v1/Managers)",
     rw_hsargs_on_version_url, 0},
    {"version-pointer", 0, "POINTER", "JSON pointer to the version (default /FirmwareVersion)",
     rw_hsargs_on_version_pointer, 0},
    {"policy", 0, "RULE", "exact (default), same-major or same-minor", on_policy, 0},
    {"minimum", 0, "VERSION", "the spoke's version must be at least VERSION", rw_hsargs_on_minimum,
     0},
    {NULL, 0, NULL, NULL, NULL, 0},
};

static const struct rw_opts_info version_info = {
    .name = "check_spoke_version",
    .label = "SPOKE_VERSION",
    .synopsis = "-H SPOKE [-p 443] --hub HUB [--hub-port 443] [--product REGEX] "
                "[--version-url PATH] [--version-pointer POINTER] [--policy RULE] "
                "[--minimum VERSION] [-t 10] [TLS options] [--authfile FILE]",
    .purpose = "Checks that a spoke and its hub run the expected software in compatible\n"
               "versions. Reads both service roots (/redfish/v1/; --product must match Product\n"
               "or Vendor), then the version at --version-url (default: the first member of\n"
               "/redfish/v1/Managers) and --version-pointer (default /FirmwareVersion).\n"
               "--policy exact (default), same-major or same-minor; --minimum applies to the\n"
               "spoke. CRITICAL \"Hub/Spoke Versions Not Compatible\", \"Invalid Server or\n"
               "Versions Not Compatible\" (not the expected software) or \"Not responding\".",
    .features = RW_OPTS_HOST | RW_OPTS_TLS | RW_OPTS_AUTH,
    .default_port = 443,
    .extra = version_rows,
};

/* A version URL "/redfish/v1/Managers/{first}" form for the reader. */
static const char *
reader_url(const struct version_opts *vo)
{
    return vo->hs.version_url != NULL ? vo->hs.version_url : RW_HUBSPOKE_DEFAULT_VERSION;
}

/* Reads both servers at once; servers[0] spoke, servers[1] hub. */
static enum rw_rc
read_both(const struct rw_opts *opts, struct rw_hubspoke_server *servers, struct rw_err *err)
{
    struct rw_hubspoke_http http = {
        .cacert = opts->tls.cacert,
        .client_cert = opts->tls.client_cert,
        .client_key = opts->tls.client_key,
        .insecure = opts->tls.insecure,
        .username = opts->creds.set ? opts->creds.username : NULL,
        .password = opts->creds.set ? opts->creds.password : NULL,
    };
    long left = rw_deadline_left_ms(&opts->deadline);

    return rw_hubspoke_read_many(&http, servers, 2, left > 0 ? left : 1, err);
}

/* The verdict on what was read; output and state. */
static enum rw_state
conclude(struct rw_plugin_out *out, const struct version_opts *vo,
         const struct rw_version_policy *policy, const struct rw_hubspoke_server *servers,
         const char *spoke, const char *hub)
{
    const char *sv = rw_hubspoke_reader_version(servers[0].reader);
    const char *hv = rw_hubspoke_reader_version(servers[1].reader);
    struct rw_hubspoke_result res;
    struct rw_perfdata pd = {.label = "time", .value = servers[0].time_s, .uom = "s", .has_min = 1};
    struct rw_err err;
    enum rw_rc rc;

    rw_hubspoke_result_init(&res);
    rw_hubspoke_reader_report(servers[0].reader, "spoke", spoke, &res);
    rw_hubspoke_reader_report(servers[1].reader, "hub", hub, &res);
    if (res.status == RW_SPOKE_OK) {
        rw_hubspoke_check_versions(policy, hub, hv, spoke, sv, &res);
    }
    if (res.status != RW_SPOKE_OK) {
        rc = rw_plugin_summary(out, "%s: %s", rw_spoke_status_name(res.status), res.detail);
    } else {
        rc = rw_plugin_summary(out, "spoke %s runs %s, hub %s runs %s (policy %s%s%s)", spoke, sv,
                               hub, hv, rw_version_rule_name(vo->rule),
                               vo->hs.minimum != NULL ? ", minimum " : "",
                               vo->hs.minimum != NULL ? vo->hs.minimum : "");
    }
    rw_err_clear(&err);
    if (rc == RW_OK && servers[0].time_s >= 0.0) {
        rc = rw_perfdata_add(&out->perfdata, &pd, &err);
    }
    if (rc == RW_OK && rw_hubspoke_reader_product(servers[0].reader)[0] != '\0') {
        rc = rw_plugin_detail(out, "spoke %s: product %s, version %s", spoke,
                              rw_hubspoke_reader_product(servers[0].reader), sv[0] ? sv : "-");
    }
    if (rc == RW_OK && rw_hubspoke_reader_product(servers[1].reader)[0] != '\0') {
        rc = rw_plugin_detail(out, "hub %s: product %s, version %s", hub,
                              rw_hubspoke_reader_product(servers[1].reader), hv[0] ? hv : "-");
    }
    if (rc != RW_OK) {
        return RW_STATE_UNKNOWN;
    }
    return res.status == RW_SPOKE_OK ? RW_STATE_OK : RW_STATE_CRITICAL;
}

/* Sets up readers and policy, reads, concludes; returns the state. */
static enum rw_state
check(struct rw_plugin_out *out, const struct rw_opts *opts, const struct version_opts *vo,
      struct rw_err *err)
{
    struct rw_hubspoke_read_opts ro = {
        .product = vo->hs.have_re ? &vo->hs.product_re : NULL,
        .product_text = vo->hs.product,
        .version_url = reader_url(vo),
        .version_pointer = vo->hs.version_pointer,
    };
    struct rw_hubspoke_server servers[2];
    struct rw_version_policy *policy = NULL;
    char spoke[RW_URL_TEXT_MAX], hub[RW_URL_TEXT_MAX];
    struct rw_url hub_url;
    enum rw_state state = RW_STATE_UNKNOWN;

    memset(servers, 0, sizeof(servers));
    if (rw_url_from_host(vo->hs.hub_host, vo->hs.hub_port, 1, &hub_url, err) != RW_OK ||
        rw_version_policy_new(vo->rule, &policy, err) != RW_OK ||
        (vo->hs.minimum != NULL &&
         rw_version_policy_set_minimum(policy, vo->hs.minimum, err) != RW_OK) ||
        rw_hubspoke_reader_new(&ro, &servers[0].reader, err) != RW_OK ||
        rw_hubspoke_reader_new(&ro, &servers[1].reader, err) != RW_OK) {
        goto fail;
    }
    servers[0].url = &opts->url;
    servers[0].sni = opts->tls.sni;
    servers[1].url = &hub_url;
    if (read_both(opts, servers, err) != RW_OK) {
        goto fail;
    }
    (void)rw_url_authority(&opts->url, spoke, sizeof(spoke));
    (void)rw_url_authority(&hub_url, hub, sizeof(hub));
    state = conclude(out, vo, policy, servers, spoke, hub);
fail:
    rw_hubspoke_reader_free(servers[0].reader);
    rw_hubspoke_reader_free(servers[1].reader);
    rw_version_policy_free(policy);
    return state;
}

static enum rw_rc
setup(struct rw_opts *opts, struct version_opts *vo, int argc, char **argv, struct rw_err *err)
{
    if (rw_opts_parse(opts, vo, argc, argv, err) != RW_OK || opts->action != RW_OPTS_RUN) {
        return err->code;
    }
    if (vo->hs.hub_host == NULL) {
        return rw_err_set(err, RW_EINVAL, "--hub is required");
    }
    return RW_OK;
}

int
main(int argc, char **argv)
{
    struct version_opts vo = {.rule = RW_VERSION_EXACT};
    struct rw_plugin_out out;
    struct rw_opts opts;
    struct rw_err err;
    enum rw_state state;
    int code;

    (void)signal(SIGPIPE, SIG_IGN);
    rw_err_clear(&err);
    rw_hsvals_init(&vo.hs, 0.0, 0.0);
    rw_opts_init(&opts, &version_info);
    rw_plugin_out_init(&out, version_info.label);
    if (setup(&opts, &vo, argc, argv, &err) != RW_OK || opts.action != RW_OPTS_RUN) {
        code = rw_opts_early_exit(&opts, &out, &err, 0);
        goto done;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        (void)rw_err_set(&err, RW_ENOMEM, "cannot initialise libcurl");
        code = rw_plugin_report(RW_STATE_UNKNOWN, &err, &out);
        goto done;
    }
    state = check(&out, &opts, &vo, &err);
    code = rw_plugin_report(state, state == RW_STATE_UNKNOWN ? &err : NULL, &out);
    curl_global_cleanup();
done:
    rw_hsvals_cleanup(&vo.hs);
    rw_plugin_out_cleanup(&out);
    rw_opts_cleanup(&opts);
    return code;
}

/*
 * check_spoke_liveness: can an HTTPS exchange with a spoke complete?  TCP connect, TLS
 * handshake verified against --cacert or the system store, GET of a path.  OK for any
 * response below HTTP 500 (thresholds on the response time may raise WARNING or
 * CRITICAL); CRITICAL "Not responding" with the cause otherwise; UNKNOWN for bad
 * arguments.  The whole run is bounded by -t: curl's timeouts come from the deadline.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "rw_http_probe.h"
#include "rw_opts.h"
#include "rw_perfdata.h"
#include "rw_plugin.h"

#define LIVENESS_DEFAULT_PATH "/redfish/v1/"
#define HUB_SOURCES           "/redfish/v1/AggregationService/AggregationSources"
#define HUB_JSON_MAX          (1024 * 1024) /* one Redfish document */
#define HUB_JSON_DEPTH        32
#define HUB_MEMBERS_MAX       4096
#define HUB_TEXT_MAX          64

/* The plugin's own options. */
struct liveness {
    const char *path;
    int have_hub;
    struct rw_url hub; /* --hub */
};

/* What the hub says about the spoke, from its AggregationSources. */
struct hub_view {
    int found;
    char health[HUB_TEXT_MAX]; /* Status.Health: "OK", "Warning", "Critical" or "" */
    char state[HUB_TEXT_MAX];  /* Status.State: "Enabled"... or "" */
};

static enum rw_rc
on_url(void *ctx, const char *arg, struct rw_err *err)
{
    if (arg[0] != '/') {
        return rw_err_set(err, RW_EINVAL, "'%s' is not a path (it must start with '/')", arg);
    }
    ((struct liveness *)ctx)->path = arg;
    return RW_OK;
}

/* --hub HOST, HOST:PORT, [V6]:PORT or https://HOST[:PORT]; port 443 by default. */
static enum rw_rc
on_hub(void *ctx, const char *arg, struct rw_err *err)
{
    struct liveness *lv = ctx;
    char text[RW_URL_TEXT_MAX + 16];
    const char *colon = strchr(arg, ':');
    int with_port = (colon != NULL && strchr(colon + 1, ':') == NULL) ||
                    (arg[0] == '[' && strstr(arg, "]:") != NULL);
    enum rw_rc rc;

    if (strstr(arg, "://") != NULL) {
        rc = rw_url_parse(arg, &lv->hub, err);
    } else if (with_port) {
        (void)snprintf(text, sizeof(text), "https://%s", arg);
        rc = rw_url_parse(text, &lv->hub, err);
    } else {
        rc = rw_url_from_host(arg, 443, 1, &lv->hub, err);
    }
    if (rc != RW_OK) {
        return RW_EINVAL;
    }
    if (!lv->hub.tls) {
        return rw_err_set(err, RW_EINVAL, "the hub must be reached over https");
    }
    lv->have_hub = 1;
    return RW_OK;
}

static const struct rw_opt_spec liveness_opts[] = {
    {"url", 'u', "PATH", "path to GET (default " LIVENESS_DEFAULT_PATH ")", on_url, 0},
    {"hub", 0, "HUB", "also ask hub HUB (HOST[:PORT] or https://...) for its view", on_hub, 0},
    {NULL, 0, NULL, NULL, NULL, 0},
};

static const struct rw_opts_info liveness_info = {
    .name = "check_spoke_liveness",
    .label = "SPOKE",
    .synopsis = "-H HOST [-p 443] [-u " LIVENESS_DEFAULT_PATH "] [-w RANGE] [-c RANGE] [-t 10] "
                "[--hub HUB] [TLS options]",
    .purpose = "Checks that an HTTPS exchange with a server completes: TCP connect, verified\n"
               "TLS handshake, GET of a path. OK for any HTTP status below 500, CRITICAL\n"
               "\"Not responding\" with the cause otherwise. -w/-c are ranges on the response\n"
               "time in seconds. Redirects are not followed.\n"
               "With --hub, the hub's AggregationSources member for this spoke (HostName\n"
               "matching -H and -p) is read too, with the same TLS options and credentials:\n"
               "its Status.Health Warning/Critical gives WARNING/CRITICAL, no member WARNING,\n"
               "an unreachable hub or bad document UNKNOWN; the worst state wins.",
    .features = RW_OPTS_HOST | RW_OPTS_THRESHOLDS | RW_OPTS_TLS | RW_OPTS_AUTH,
    .default_port = 443,
    .extra = liveness_opts,
};

/* One GET of path on url within the run's deadline; body kept when not NULL. */
static enum rw_rc
fetch(const struct rw_opts *opts, const struct rw_url *url, const char *path, const char *sni,
      struct rw_buf *body, struct rw_http_probe_result *res, struct rw_err *err)
{
    struct rw_http_probe_opts po = {
        .url = url,
        .path = path,
        .timeout_ms = rw_deadline_left_ms(&opts->deadline),
        .cacert = opts->tls.cacert,
        .sni = sni,
        .client_cert = opts->tls.client_cert,
        .client_key = opts->tls.client_key,
        .insecure = opts->tls.insecure,
        .username = opts->creds.set ? opts->creds.username : NULL,
        .password = opts->creds.set ? opts->creds.password : NULL,
        .body = body,
    };

    return rw_http_probe(&po, res, err);
}

/* ---- the hub's view (--hub): its AggregationSources member for this spoke ---- */

/* Parses a whole JSON object from text, at most HUB_JSON_DEPTH deep; caller puts it. */
static enum rw_rc
parse_object(const char *text, size_t len, const char *path, json_object **out, struct rw_err *err)
{
    json_tokener *tok = json_tokener_new_ex(HUB_JSON_DEPTH);
    json_object *obj = NULL;

    if (tok == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    obj = json_tokener_parse_ex(tok, text, (int)len);
    if (json_tokener_get_error(tok) != json_tokener_success ||
        json_tokener_get_parse_end(tok) != len || !json_object_is_type(obj, json_type_object)) {
        json_object_put(obj);
        json_tokener_free(tok);
        return rw_err_set(err, RW_EPARSE, "%s is not a JSON object", path);
    }
    json_tokener_free(tok);
    *out = obj;
    return RW_OK;
}

/* GET path on the hub and parse it; anything but HTTP 200 with a JSON object fails. */
static enum rw_rc
hub_get(const struct rw_opts *opts, const struct liveness *lv, const char *path, json_object **out,
        struct rw_err *err)
{
    struct rw_http_probe_result res;
    struct rw_buf body;
    enum rw_rc rc;

    rw_buf_init(&body, HUB_JSON_MAX);
    rc = fetch(opts, &lv->hub, path, NULL, &body, &res, err);
    if (rc == RW_OK && res.status != 200) {
        rc = rw_err_set(err, RW_EHTTP, "HTTP %ld %s for %s", res.status, res.reason, path);
    } else if (rc == RW_OK && res.body_capped) {
        rc = rw_err_set(err, RW_ETOOBIG, "%s is larger than %d bytes", path, HUB_JSON_MAX);
    }
    if (rc == RW_OK) {
        rc = parse_object(rw_buf_str(&body), rw_buf_len(&body), path, out, err);
    }
    rw_buf_free(&body);
    return rc;
}

/* A string member of obj, or "" (borrowed from obj). */
static const char *
json_str(json_object *obj, const char *key)
{
    json_object *val = NULL;

    if (!json_object_object_get_ex(obj, key, &val) || !json_object_is_type(val, json_type_string)) {
        return "";
    }
    return json_object_get_string(val);
}

/* HostName as hubs write it -- "https://h:p", "h:p", "[v6]:p", "h", "v6" -- is the spoke? */
static int
hostname_matches(const char *name, const struct rw_url *spoke)
{
    char text[RW_URL_TEXT_MAX + 16];
    struct rw_url url;

    if (strstr(name, "://") != NULL) {
        (void)snprintf(text, sizeof(text), "%s", name);
    } else {
        (void)snprintf(text, sizeof(text), "https://%s", name);
    }
    if (rw_url_parse(text, &url, NULL) != RW_OK &&
        rw_url_from_host(name, 443, 1, &url, NULL) != RW_OK) {
        return 0;
    }
    return strcasecmp(url.host, spoke->host) == 0 && url.port == spoke->port;
}

/* Reads one member; fills view when its HostName is the spoke. */
static enum rw_rc
hub_member(const struct rw_opts *opts, const struct liveness *lv, const char *path,
           struct hub_view *view, struct rw_err *err)
{
    json_object *member = NULL, *status = NULL;
    enum rw_rc rc = hub_get(opts, lv, path, &member, err);

    if (rc != RW_OK || !hostname_matches(json_str(member, "HostName"), &opts->url)) {
        json_object_put(member);
        return rc;
    }
    view->found = 1;
    if (json_object_object_get_ex(member, "Status", &status)) {
        (void)snprintf(view->health, sizeof(view->health), "%s", json_str(status, "Health"));
        (void)snprintf(view->state, sizeof(view->state), "%s", json_str(status, "State"));
    }
    json_object_put(member);
    return RW_OK;
}

/* Walks the hub's AggregationSources until the spoke's member is found. */
static enum rw_rc
hub_lookup(const struct rw_opts *opts, const struct liveness *lv, struct hub_view *view,
           struct rw_err *err)
{
    json_object *coll = NULL, *members = NULL, *link;
    enum rw_rc rc = hub_get(opts, lv, HUB_SOURCES, &coll, err);
    size_t i, n = 0;
    const char *path;

    if (rc == RW_OK && (!json_object_object_get_ex(coll, "Members", &members) ||
                        !json_object_is_type(members, json_type_array))) {
        rc = rw_err_set(err, RW_EPARSE, "%s has no Members array", HUB_SOURCES);
    }
    if (rc == RW_OK) {
        n = json_object_array_length(members);
        n = n < HUB_MEMBERS_MAX ? n : HUB_MEMBERS_MAX;
    }
    for (i = 0; rc == RW_OK && i < n && !view->found; i++) {
        link = json_object_array_get_idx(members, i);
        path = json_str(link, "@odata.id");
        if (path[0] != '/') {
            rc = rw_err_set(err, RW_EPARSE, "member %zu of %s has no @odata.id", i, HUB_SOURCES);
        } else {
            rc = hub_member(opts, lv, path, view, err);
        }
    }
    json_object_put(coll);
    return rc;
}

/* Adds the hub's view to the output and returns the state it implies on its own. */
static enum rw_state
hub_report(struct rw_plugin_out *out, const struct liveness *lv, const struct hub_view *view,
           const struct rw_err *hub_err, int spoke_ok)
{
    char hub[RW_URL_TEXT_MAX], text[RW_ERR_MSG_MAX + 2 * HUB_TEXT_MAX + RW_URL_TEXT_MAX];
    enum rw_state state = RW_STATE_OK;

    (void)rw_url_authority(&lv->hub, hub, sizeof(hub));
    if (hub_err->code != RW_OK) {
        state = RW_STATE_UNKNOWN;
        (void)snprintf(text, sizeof(text), "hub %s: %s", hub, hub_err->msg);
    } else if (!view->found) {
        state = RW_STATE_WARNING;
        (void)snprintf(text, sizeof(text), "hub %s has no AggregationSource for this spoke", hub);
    } else {
        if (strcmp(view->health, "Critical") == 0) {
            state = RW_STATE_CRITICAL;
        } else if (strcmp(view->health, "Warning") == 0) {
            state = RW_STATE_WARNING;
        }
        (void)snprintf(text, sizeof(text), "hub %s reports state %s, health %s", hub,
                       view->state[0] != '\0' ? view->state : "-",
                       view->health[0] != '\0' ? view->health : "-");
    }
    /* A spoke that answered keeps one summary line; otherwise the hub goes to long output. */
    if ((spoke_ok ? rw_plugin_summary(out, "; %s", text) : rw_plugin_detail(out, "%s", text)) !=
        RW_OK) {
        return RW_STATE_UNKNOWN;
    }
    return state;
}

static enum rw_rc
add_perfdata(struct rw_plugin_out *out, const struct rw_opts *opts,
             const struct rw_http_probe_result *res, struct rw_err *err)
{
    struct rw_perfdata time = {
        .label = "time",
        .value = res->total_s,
        .uom = "s",
        .warn = &opts->thr.warn,
        .crit = &opts->thr.crit,
        .has_min = 1,
    };
    struct rw_perfdata tls = {
        .label = "tls_handshake",
        .value = res->tls_s,
        .uom = "s",
        .has_min = 1,
    };
    enum rw_rc rc = rw_perfdata_add(&out->perfdata, &time, err);

    return rc != RW_OK ? rc : rw_perfdata_add(&out->perfdata, &tls, err);
}

/* Long output for -v: where we went and how long each phase took. */
static enum rw_rc
add_details(struct rw_plugin_out *out, const struct rw_opts *opts, const struct liveness *lv,
            const struct rw_http_probe_result *res)
{
    char url[RW_URL_TEXT_MAX];
    enum rw_rc rc;

    if (opts->verbose == 0) {
        return RW_OK;
    }
    rc = rw_plugin_detail(out, "GET %s%s%s", rw_url_format(&opts->url, url, sizeof(url)), lv->path,
                          opts->tls.insecure ? " (certificate not verified)" : "");
    if (rc == RW_OK) {
        rc = rw_plugin_detail(out, "connect %.6f s, TLS handshake %.6f s, total %.6f s",
                              res->connect_s, res->tls_s, res->total_s);
    }
    if (rc == RW_OK && res->status > 0) {
        rc = rw_plugin_detail(out, "HTTP %ld %s, %zu body bytes read%s", res->status, res->reason,
                              res->body_len, res->body_capped ? " (capped)" : "");
    }
    return rc;
}

/* Builds the output of a finished probe and returns the state. */
static enum rw_state
conclude(struct rw_plugin_out *out, const struct rw_opts *opts, const struct liveness *lv,
         const struct rw_http_probe_result *res, struct rw_err *err)
{
    char auth[RW_URL_TEXT_MAX];
    enum rw_state state = rw_state_for(err->code);
    enum rw_rc rc;

    (void)rw_url_authority(&opts->url, auth, sizeof(auth));
    if (err->code != RW_OK) {
        rc = rw_plugin_summary(out, "%s%s", state == RW_STATE_CRITICAL ? "Not responding: " : "",
                               auth);
    } else {
        state = rw_thresholds_eval(&opts->thr, res->total_s);
        rc = rw_plugin_summary(out, "%s answered HTTP %ld in %.3f s", auth, res->status,
                               res->total_s);
    }
    if (rc == RW_OK && err->code != RW_EINVAL) {
        rc = add_perfdata(out, opts, res, err);
    }
    if (rc == RW_OK) {
        rc = add_details(out, opts, lv, res);
    }
    return rc == RW_OK ? state : rw_state_for(rc);
}

/* Asks the hub about the spoke; the state the hub's answer implies. */
static enum rw_state
check_hub(struct rw_plugin_out *out, const struct rw_opts *opts, const struct liveness *lv,
          int spoke_ok)
{
    struct hub_view view;
    struct rw_err hub_err;

    memset(&view, 0, sizeof(view));
    rw_err_clear(&hub_err);
    (void)hub_lookup(opts, lv, &view, &hub_err);
    return hub_report(out, lv, &view, &hub_err, spoke_ok);
}

int
main(int argc, char **argv)
{
    struct liveness lv = {.path = LIVENESS_DEFAULT_PATH};
    struct rw_http_probe_result res;
    struct rw_plugin_out out;
    struct rw_opts opts;
    struct rw_err err;
    enum rw_state state;
    int code;

    rw_err_clear(&err);
    rw_opts_init(&opts, &liveness_info);
    rw_plugin_out_init(&out, liveness_info.label);
    if (rw_opts_parse(&opts, &lv, argc, argv, &err) != RW_OK || opts.action != RW_OPTS_RUN) {
        code = rw_opts_early_exit(&opts, &out, &err, RW_OPTS_WITH_USAGE);
        goto done;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        (void)rw_err_set(&err, RW_ENOMEM, "cannot initialise libcurl");
        code = rw_plugin_report(RW_STATE_UNKNOWN, &err, &out);
        goto done;
    }
    memset(&res, 0, sizeof(res));
    (void)fetch(&opts, &opts.url, lv.path, opts.tls.sni, NULL, &res, &err);
    state = conclude(&out, &opts, &lv, &res, &err);
    if (lv.have_hub) {
        state = rw_state_worst(state, check_hub(&out, &opts, &lv, err.code == RW_OK));
    }
    code = rw_plugin_report(state, &err, &out);
    curl_global_cleanup();
done:
    rw_plugin_out_cleanup(&out);
    rw_opts_cleanup(&opts);
    return code;
}

#include "rw_hubspoke.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <json-c/json_pointer.h>

#define FIRST_SUFFIX  "/{first}"
#define KEPT_TEXT_MAX 256

static const char *const status_names[RW_SPOKE_STATUS_COUNT] = {
    "OK",
    "Not responding",
    "Hub/Spoke Versions Not Compatible",
    "Certificates Do Not Match",
    "Invalid Server or Versions Not Compatible",
};

static const char *const rule_names[] = {"identical", "same-issuer", "pinned", "registered"};

enum reader_stage {
    STAGE_ROOT = 0,
    STAGE_COLLECTION,
    STAGE_VERSION,
    STAGE_DONE,
};

struct rw_hubspoke_reader {
    const struct rw_hubspoke_read_opts *opts;
    enum reader_stage stage;
    char path[RW_HUBSPOKE_PATH_MAX];        /* what to GET now */
    char version_url[RW_HUBSPOKE_PATH_MAX]; /* "" when no version is read */
    int from_collection;                    /* version_url is a collection: take its first */
    enum rw_rc transport_rc;
    int invalid;
    char msg[RW_HUBSPOKE_DETAIL_MAX];
    char product[KEPT_TEXT_MAX];
    char vendor[KEPT_TEXT_MAX];
    char version[RW_VERSION_TEXT_MAX];
};

const char *
rw_spoke_status_name(enum rw_spoke_status status)
{
    if ((unsigned)status >= RW_SPOKE_STATUS_COUNT) {
        return "Invalid status";
    }
    return status_names[status];
}

enum rw_rc
rw_spoke_status_parse(const char *text, enum rw_spoke_status *out, struct rw_err *err)
{
    size_t i;

    for (i = 0; i < RW_SPOKE_STATUS_COUNT; i++) {
        if (strcmp(text, status_names[i]) == 0) {
            *out = (enum rw_spoke_status)i;
            return RW_OK;
        }
    }
    return rw_err_set(err, RW_EINVAL, "'%s' is not a spoke status", text);
}

const char *
rw_cert_rule_name(enum rw_cert_rule rule)
{
    if ((unsigned)rule >= sizeof(rule_names) / sizeof(rule_names[0])) {
        return "unknown";
    }
    return rule_names[rule];
}

enum rw_rc
rw_cert_rule_parse(const char *text, enum rw_cert_rule *out, struct rw_err *err)
{
    size_t i;

    for (i = 0; i < sizeof(rule_names) / sizeof(rule_names[0]); i++) {
        if (strcmp(text, rule_names[i]) == 0) {
            *out = (enum rw_cert_rule)i;
            return RW_OK;
        }
    }
    return rw_err_set(err, RW_EINVAL,
                      "unknown certificate policy '%s' (identical, same-issuer, pinned or "
                      "registered)",
                      text);
}

void
rw_hubspoke_result_init(struct rw_hubspoke_result *res)
{
    memset(res, 0, sizeof(*res));
    res->status = RW_SPOKE_OK;
    res->expiry = RW_EXPIRY_OK;
    res->time_s = -1.0;
    res->spoke_days = NAN;
    res->hub_days = NAN;
}

/* Liveness is stage 1, identity and version stage 2, certificates stage 3. */
static int
stage_of(enum rw_spoke_status status)
{
    switch (status) {
    case RW_SPOKE_NOT_RESPONDING:
        return 1;
    case RW_SPOKE_INVALID_SERVER:
    case RW_SPOKE_VERSIONS_INCOMPATIBLE:
        return 2;
    case RW_SPOKE_CERTS_MISMATCH:
        return 3;
    default:
        return 4;
    }
}

void
rw_hubspoke_fail(struct rw_hubspoke_result *res, enum rw_spoke_status status, const char *fmt, ...)
{
    va_list ap;

    if (status == RW_SPOKE_OK || (unsigned)status >= RW_SPOKE_STATUS_COUNT) {
        return;
    }
    if (res->status != RW_SPOKE_OK && stage_of(res->status) <= stage_of(status)) {
        return;
    }
    res->status = status;
    va_start(ap, fmt);
    (void)vsnprintf(res->detail, sizeof(res->detail), fmt, ap);
    va_end(ap);
}

enum rw_expiry
rw_hubspoke_expiry(double days, double warn_days, double crit_days)
{
    if (isnan(days)) {
        return RW_EXPIRY_OK;
    }
    if (days <= 0.0 || days < crit_days) {
        return RW_EXPIRY_CRITICAL;
    }
    return days < warn_days ? RW_EXPIRY_WARNING : RW_EXPIRY_OK;
}

/* ---- certificates ---- */

/* The leaf of a probe result, or NULL when it brought none. */
static const struct rw_cert *
leaf_of(const struct rw_tls_result *tls)
{
    if (tls == NULL || tls->rc != RW_OK || tls->chain == NULL) {
        return NULL;
    }
    return rw_cert_chain_get(tls->chain, 0);
}

/* Writes "sha256:... (subject S, issuer I)" for messages. */
static const char *
describe(const struct rw_cert *cert, char *buf, size_t len)
{
    (void)snprintf(buf, len, "%s (subject %s, issuer %s)", rw_cert_fingerprint_text(cert),
                   rw_cert_subject(cert), rw_cert_issuer(cert));
    return buf;
}

static int
pinned(const struct rw_cert_policy *policy, const struct rw_cert *cert)
{
    size_t i;

    for (i = 0; i < policy->n_pins; i++) {
        if (rw_fingerprint_equal(&policy->pins[i], rw_cert_fingerprint(cert))) {
            return 1;
        }
    }
    return 0;
}

static void
check_pinned(const struct rw_cert_policy *policy, const char *role, const char *name,
             const struct rw_cert *cert, struct rw_hubspoke_result *res)
{
    char found[RW_HUBSPOKE_DETAIL_MAX / 2], want[RW_FINGERPRINT_TEXT_MAX] = "none";

    if (cert == NULL || pinned(policy, cert)) {
        return;
    }
    if (policy->n_pins > 0) {
        rw_fingerprint_format(&policy->pins[0], want);
    }
    rw_hubspoke_fail(res, RW_SPOKE_CERTS_MISMATCH,
                     "%s %s presents %s; expected a pinned certificate: %s%s", role, name,
                     describe(cert, found, sizeof(found)), want,
                     policy->n_pins > 1 ? " (or another pin)" : "");
}

static void
check_registered(const struct rw_cert_policy *policy, const char *spoke_name,
                 const char *spoke_host, int spoke_port, const struct rw_cert *cert,
                 struct rw_hubspoke_result *res)
{
    char found[RW_HUBSPOKE_DETAIL_MAX / 2], want[RW_FINGERPRINT_TEXT_MAX];
    struct rw_fingerprint fp;
    const char *file = policy->known_path != NULL ? policy->known_path : "the known-spokes file";

    if (cert == NULL) {
        return;
    }
    if (policy->known == NULL ||
        !rw_known_spokes_lookup(policy->known, spoke_host, spoke_port, &fp)) {
        rw_hubspoke_fail(res, RW_SPOKE_CERTS_MISMATCH,
                         "spoke %s is not registered in %s; it presents %s", spoke_name, file,
                         describe(cert, found, sizeof(found)));
        return;
    }
    if (!rw_fingerprint_equal(&fp, rw_cert_fingerprint(cert))) {
        rw_fingerprint_format(&fp, want);
        rw_hubspoke_fail(res, RW_SPOKE_CERTS_MISMATCH,
                         "spoke %s presents %s; expected %s as registered in %s", spoke_name,
                         describe(cert, found, sizeof(found)), want, file);
    }
}

static void
check_identical(const char *hub_name, const struct rw_cert *hub, const char *spoke_name,
                const struct rw_cert *spoke, struct rw_hubspoke_result *res)
{
    char s[RW_HUBSPOKE_DETAIL_MAX / 2], h[RW_HUBSPOKE_DETAIL_MAX / 2];

    if (hub == NULL || spoke == NULL ||
        rw_fingerprint_equal(rw_cert_fingerprint(hub), rw_cert_fingerprint(spoke))) {
        return;
    }
    rw_hubspoke_fail(res, RW_SPOKE_CERTS_MISMATCH,
                     "spoke %s presents %s; expected the hub's certificate: hub %s presents %s",
                     spoke_name, describe(spoke, s, sizeof(s)), hub_name,
                     describe(hub, h, sizeof(h)));
}

/* Chain verification against the CA file and the host name of one side. */
static void
check_trust(const struct rw_cert_policy *policy, const char *role, const char *name,
            const struct rw_tls_result *tls, struct rw_hubspoke_result *res)
{
    const struct rw_cert *cert = leaf_of(tls);

    if (cert == NULL) {
        return;
    }
    if (policy->ca_file != NULL && tls->verify_code != 0) {
        rw_hubspoke_fail(res, RW_SPOKE_CERTS_MISMATCH,
                         "%s %s certificate (subject %s, issuer %s) does not verify against %s: "
                         "%s",
                         role, name, rw_cert_subject(cert), rw_cert_issuer(cert), policy->ca_file,
                         tls->verify_text);
    }
    if (policy->check_host && tls->host_match == 0) {
        rw_hubspoke_fail(res, RW_SPOKE_CERTS_MISMATCH,
                         "%s %s certificate (subject %s) does not match the host name: hostname "
                         "mismatch",
                         role, name, rw_cert_subject(cert));
    }
}

/* Days left on each leaf, and the expiry of whichever expires first. */
static void
check_expiry(const struct rw_cert_policy *policy, const char *hub_name, const struct rw_cert *hub,
             const char *spoke_name, const struct rw_cert *spoke, struct rw_hubspoke_result *res)
{
    time_t now = time(NULL);
    const char *role = "spoke", *name = spoke_name;
    double days;

    res->spoke_days = spoke != NULL ? rw_cert_days_left(spoke, now) : NAN;
    res->hub_days = hub != NULL ? rw_cert_days_left(hub, now) : NAN;
    days = res->spoke_days;
    if (isnan(days) || (!isnan(res->hub_days) && res->hub_days < days)) {
        days = res->hub_days;
        role = "hub";
        name = hub_name;
    }
    if (isnan(days)) {
        return;
    }
    res->expiry = rw_hubspoke_expiry(days, policy->warn_days, policy->crit_days);
    if (days <= 0.0) {
        (void)snprintf(res->expiry_text, sizeof(res->expiry_text),
                       "%s %s certificate expired %.1f days ago", role, name, -days);
    } else {
        (void)snprintf(res->expiry_text, sizeof(res->expiry_text),
                       "%s %s certificate expires in %.1f days", role, name, days);
    }
}

void
rw_hubspoke_check_certs(const struct rw_cert_policy *policy, const char *hub_name,
                        const struct rw_tls_result *hub, const char *spoke_name,
                        const char *spoke_host, int spoke_port, const struct rw_tls_result *spoke,
                        struct rw_hubspoke_result *res)
{
    const struct rw_cert *h = leaf_of(hub), *s = leaf_of(spoke);

    if (s != NULL) {
        (void)snprintf(res->spoke_fp, sizeof(res->spoke_fp), "%s", rw_cert_fingerprint_text(s));
    }
    if (h != NULL) {
        (void)snprintf(res->hub_fp, sizeof(res->hub_fp), "%s", rw_cert_fingerprint_text(h));
    }
    switch (policy->rule) {
    case RW_CERT_IDENTICAL:
        check_identical(hub_name, h, spoke_name, s, res);
        break;
    case RW_CERT_SAME_ISSUER:
        if (policy->ca_file == NULL) {
            rw_hubspoke_fail(res, RW_SPOKE_CERTS_MISMATCH,
                             "policy same-issuer needs a CA file to verify against");
        }
        break;
    case RW_CERT_PINNED:
        check_pinned(policy, "spoke", spoke_name, s, res);
        check_pinned(policy, "hub", hub_name, h, res);
        break;
    case RW_CERT_REGISTERED:
        check_registered(policy, spoke_name, spoke_host, spoke_port, s, res);
        break;
    }
    check_trust(policy, "spoke", spoke_name, spoke, res);
    check_trust(policy, "hub", hub_name, hub, res);
    check_expiry(policy, hub_name, h, spoke_name, s, res);
}

/* ---- versions ---- */

void
rw_hubspoke_check_versions(const struct rw_version_policy *policy, const char *hub_name,
                           const char *hub_version, const char *spoke_name,
                           const char *spoke_version, struct rw_hubspoke_result *res)
{
    struct rw_version_verdict verdict;
    struct rw_version v;
    struct rw_err err;
    const char *why;

    (void)snprintf(res->version, sizeof(res->version), "%s", spoke_version);
    rw_err_clear(&err);
    if (rw_version_parse(spoke_version, &v, &err) != RW_OK) {
        rw_hubspoke_fail(res, RW_SPOKE_INVALID_SERVER, "spoke %s reports version '%s': %s",
                         spoke_name, spoke_version, err.msg);
        return;
    }
    if (rw_version_parse(hub_version, &v, &err) != RW_OK) {
        rw_hubspoke_fail(res, RW_SPOKE_INVALID_SERVER, "hub %s reports version '%s': %s", hub_name,
                         hub_version, err.msg);
        return;
    }
    if (rw_version_check(policy, hub_version, spoke_version, &verdict, &err) != RW_OK) {
        rw_hubspoke_fail(res, RW_SPOKE_INVALID_SERVER, "%s", err.msg);
        return;
    }
    if (!verdict.compatible) {
        /* the verdict starts "hub V, spoke V: why"; the servers' names go before the why */
        why = strstr(verdict.text, ": ");
        rw_hubspoke_fail(res, RW_SPOKE_VERSIONS_INCOMPATIBLE,
                         "spoke %s runs %s, hub %s runs %s: %s", spoke_name, spoke_version,
                         hub_name, hub_version, why != NULL ? why + 2 : verdict.text);
    }
}

/* ---- HostName ---- */

enum rw_rc
rw_hubspoke_hostname_parse(const char *text, struct rw_url *out, struct rw_err *err)
{
    char buf[RW_URL_TEXT_MAX + 16];
    const char *colon = strchr(text, ':');
    int v6_bare = colon != NULL && strchr(colon + 1, ':') != NULL && text[0] != '[';

    if (text[0] == '\0' || strlen(text) >= RW_URL_TEXT_MAX) {
        return rw_err_set(err, RW_EPARSE, "HostName '%.64s' is empty or too long", text);
    }
    if (strstr(text, "://") != NULL) {
        (void)snprintf(buf, sizeof(buf), "%s", text);
    } else if (v6_bare) {
        return rw_url_from_host(text, 443, 1, out, err) == RW_OK
                   ? RW_OK
                   : rw_err_set(err, RW_EPARSE, "HostName '%s' is not a host", text);
    } else {
        (void)snprintf(buf, sizeof(buf), "https://%s", text);
    }
    if (rw_url_parse(buf, out, NULL) != RW_OK) {
        return rw_err_set(err, RW_EPARSE, "HostName '%s' is not a host or https URL", text);
    }
    return RW_OK;
}

/* ---- the reader ---- */

int
rw_hubspoke_path_ok(const char *path)
{
    const unsigned char *p = (const unsigned char *)path;

    if (path[0] != '/' || strlen(path) >= RW_HUBSPOKE_PATH_MAX) {
        return 0;
    }
    for (; *p != '\0'; p++) {
        if (*p <= ' ' || *p >= 0x7f) {
            return 0;
        }
    }
    return 1;
}

enum rw_rc
rw_hubspoke_reader_new(const struct rw_hubspoke_read_opts *opts, struct rw_hubspoke_reader **out,
                       struct rw_err *err)
{
    const char *url = opts->version_url != NULL ? opts->version_url : RW_HUBSPOKE_DEFAULT_VERSION;
    const char *ptr = opts->version_pointer;
    struct rw_hubspoke_reader *r;
    size_t n = strlen(url), sl = strlen(FIRST_SUFFIX);

    if (url[0] != '\0' && !rw_hubspoke_path_ok(url)) {
        return rw_err_set(err, RW_EINVAL, "version URL '%s' is not an absolute path", url);
    }
    if (ptr != NULL && ptr[0] != '\0' && ptr[0] != '/') {
        return rw_err_set(err, RW_EINVAL, "version pointer '%s' does not start with '/'", ptr);
    }
    r = calloc(1, sizeof(*r));
    if (r == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    r->opts = opts;
    (void)snprintf(r->version_url, sizeof(r->version_url), "%s", url);
    if (n > sl && strcmp(url + n - sl, FIRST_SUFFIX) == 0) {
        r->version_url[n - sl] = '\0';
        r->from_collection = 1;
    }
    (void)snprintf(r->path, sizeof(r->path), "%s", RW_HUBSPOKE_DEFAULT_ROOT);
    *out = r;
    return RW_OK;
}

void
rw_hubspoke_reader_free(struct rw_hubspoke_reader *reader)
{
    free(reader);
}

const char *
rw_hubspoke_reader_next(const struct rw_hubspoke_reader *reader)
{
    return reader->stage == STAGE_DONE ? NULL : reader->path;
}

enum rw_rc
rw_hubspoke_reader_transport_rc(const struct rw_hubspoke_reader *reader)
{
    return reader->transport_rc;
}

const char *
rw_hubspoke_reader_version(const struct rw_hubspoke_reader *reader)
{
    return reader->version;
}

const char *
rw_hubspoke_reader_product(const struct rw_hubspoke_reader *reader)
{
    return reader->product;
}

/* Ends the reader as the wrong software, with a message. */
static void invalid(struct rw_hubspoke_reader *r, const char *fmt, ...) RW_PRINTF(2, 3);

static void
invalid(struct rw_hubspoke_reader *r, const char *fmt, ...)
{
    va_list ap;

    r->invalid = 1;
    r->stage = STAGE_DONE;
    va_start(ap, fmt);
    (void)vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
    va_end(ap);
}

json_object *
rw_hubspoke_json_parse(const char *body, size_t len)
{
    json_tokener *tok;
    json_object *obj;
    size_t end;

    if (body == NULL || len == 0 || len > RW_HUBSPOKE_JSON_MAX) {
        return NULL;
    }
    tok = json_tokener_new_ex(RW_HUBSPOKE_JSON_DEPTH);
    if (tok == NULL) {
        return NULL;
    }
    obj = json_tokener_parse_ex(tok, body, (int)len);
    end = json_tokener_get_parse_end(tok);
    if (json_tokener_get_error(tok) != json_tokener_success) {
        json_object_put(obj);
        obj = NULL;
    }
    while (obj != NULL && end < len && isspace((unsigned char)body[end])) {
        end++;
    }
    if (obj != NULL && end != len) {
        json_object_put(obj);
        obj = NULL;
    }
    json_tokener_free(tok);
    return obj;
}

const char *
rw_hubspoke_json_str(struct json_object *obj, const char *key)
{
    json_object *val = NULL;

    if (!json_object_object_get_ex(obj, key, &val) || !json_object_is_type(val, json_type_string)) {
        return NULL;
    }
    return json_object_get_string(val);
}

static int
product_matches(const struct rw_hubspoke_reader *r)
{
    const regex_t *re = r->opts->product;

    return (r->product[0] != '\0' && regexec(re, r->product, 0, NULL, 0) == 0) ||
           (r->vendor[0] != '\0' && regexec(re, r->vendor, 0, NULL, 0) == 0);
}

/* The service root: Redfish, and the expected product. */
static void
on_root(struct rw_hubspoke_reader *r, json_object *root)
{
    const char *product = rw_hubspoke_json_str(root, "Product"),
               *vendor = rw_hubspoke_json_str(root, "Vendor");

    if (rw_hubspoke_json_str(root, "@odata.id") == NULL &&
        rw_hubspoke_json_str(root, "RedfishVersion") == NULL) {
        invalid(r, "%s is not a Redfish service root (no @odata.id or RedfishVersion)",
                RW_HUBSPOKE_DEFAULT_ROOT);
        return;
    }
    (void)snprintf(r->product, sizeof(r->product), "%s", product != NULL ? product : "");
    (void)snprintf(r->vendor, sizeof(r->vendor), "%s", vendor != NULL ? vendor : "");
    if (r->opts->product != NULL && !product_matches(r)) {
        invalid(r, "product '%s' (vendor '%s') does not match /%s/",
                product != NULL ? product : "none", vendor != NULL ? vendor : "none",
                r->opts->product_text != NULL ? r->opts->product_text : "");
        return;
    }
    if (r->version_url[0] == '\0') {
        r->stage = STAGE_DONE;
        return;
    }
    (void)snprintf(r->path, sizeof(r->path), "%s", r->version_url);
    r->stage = r->from_collection ? STAGE_COLLECTION : STAGE_VERSION;
}

/* The collection: its first member is the version URL. */
static void
on_collection(struct rw_hubspoke_reader *r, json_object *coll)
{
    json_object *members = NULL;
    const char *id = NULL;

    if (json_object_object_get_ex(coll, "Members", &members) &&
        json_object_is_type(members, json_type_array) && json_object_array_length(members) > 0) {
        id = rw_hubspoke_json_str(json_object_array_get_idx(members, 0), "@odata.id");
    } else {
        invalid(r, "%s has no members", r->path);
        return;
    }
    if (id == NULL || !rw_hubspoke_path_ok(id)) {
        invalid(r, "the first member of %s has no usable @odata.id", r->path);
        return;
    }
    (void)snprintf(r->path, sizeof(r->path), "%s", id);
    r->stage = STAGE_VERSION;
}

/* The version resource: the value at the pointer, a string or a number. */
static void
on_version(struct rw_hubspoke_reader *r, json_object *doc)
{
    const char *ptr = r->opts->version_pointer;
    json_object *val = NULL;
    const char *text;

    ptr = ptr != NULL ? ptr : RW_HUBSPOKE_DEFAULT_POINTER;
    if (json_pointer_get(doc, ptr, &val) != 0 || val == NULL) {
        invalid(r, "%s has no version at %s", r->path, ptr);
        return;
    }
    if (!json_object_is_type(val, json_type_string) && !json_object_is_type(val, json_type_int) &&
        !json_object_is_type(val, json_type_double)) {
        invalid(r, "%s: the value at %s is not a version string", r->path, ptr);
        return;
    }
    text = json_object_get_string(val);
    if (text[0] == '\0' || strlen(text) >= sizeof(r->version)) {
        invalid(r, "%s: the version at %s is empty or too long", r->path, ptr);
        return;
    }
    (void)snprintf(r->version, sizeof(r->version), "%s", text);
    r->stage = STAGE_DONE;
}

/* A failed GET: the wrong software for a 4xx (but 401/403), else not responding. */
static void
on_failure(struct rw_hubspoke_reader *r, const struct rw_hubspoke_reply *reply)
{
    const char *msg = reply->msg != NULL ? reply->msg : rw_rc_name(reply->rc);

    if (reply->rc == RW_EHTTP && reply->status >= 400 && reply->status < 500 &&
        reply->status != 401 && reply->status != 403) {
        invalid(r, "GET %s: %s", r->path, msg);
        return;
    }
    r->transport_rc = reply->rc;
    r->stage = STAGE_DONE;
    (void)snprintf(r->msg, sizeof(r->msg), "GET %s: %s", r->path, msg);
}

void
rw_hubspoke_reader_feed(struct rw_hubspoke_reader *reader, const struct rw_hubspoke_reply *reply)
{
    json_object *doc;

    if (reader->stage == STAGE_DONE) {
        return;
    }
    if (reply->rc != RW_OK) {
        on_failure(reader, reply);
        return;
    }
    doc = rw_hubspoke_json_parse(reply->body, reply->len);
    if (doc == NULL || !json_object_is_type(doc, json_type_object)) {
        json_object_put(doc);
        invalid(reader, "%s is not a JSON object", reader->path);
        return;
    }
    if (reader->stage == STAGE_ROOT) {
        on_root(reader, doc);
    } else if (reader->stage == STAGE_COLLECTION) {
        on_collection(reader, doc);
    } else {
        on_version(reader, doc);
    }
    json_object_put(doc);
}

void
rw_hubspoke_reader_report(const struct rw_hubspoke_reader *reader, const char *role,
                          const char *name, struct rw_hubspoke_result *res)
{
    if (reader->transport_rc != RW_OK) {
        rw_hubspoke_fail(res, RW_SPOKE_NOT_RESPONDING, "%s %s: %s", role, name, reader->msg);
    } else if (reader->invalid) {
        rw_hubspoke_fail(res, RW_SPOKE_INVALID_SERVER, "%s %s: %s", role, name, reader->msg);
    } else if (reader->stage != STAGE_DONE) {
        rw_hubspoke_fail(res, RW_SPOKE_NOT_RESPONDING, "%s %s: no answer to GET %s in time", role,
                         name, reader->path);
    }
}

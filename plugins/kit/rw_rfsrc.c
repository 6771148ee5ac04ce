#include "rw_rfsrc.h"

#include <stdio.h>
#include <string.h>

#include <errno.h>
#include <limits.h>
#include <unistd.h>

#include "rw_parse.h"

/* ---- option handlers; ctx is (or starts with) a struct rw_rfsrc_opts ---- */

enum rw_rc
rw_rfsrc_on_hostname(void *ctx, const char *arg, struct rw_err *err)
{
    (void)err;
    ((struct rw_rfsrc_opts *)ctx)->hostname = arg;
    return RW_OK;
}

enum rw_rc
rw_rfsrc_on_port(void *ctx, const char *arg, struct rw_err *err)
{
    if (rw_parse_port(arg, &((struct rw_rfsrc_opts *)ctx)->port) != RW_OK) {
        return rw_err_set(err, RW_EINVAL, "'%s' is not a port (1-65535)", arg);
    }
    return RW_OK;
}

enum rw_rc
rw_rfsrc_on_state(void *ctx, const char *arg, struct rw_err *err)
{
    if (arg[0] == '\0') {
        return rw_err_set(err, RW_EINVAL, "empty file name");
    }
    ((struct rw_rfsrc_opts *)ctx)->state_file = arg;
    return RW_OK;
}

enum rw_rc
rw_rfsrc_on_endpoint(void *ctx, const char *arg, struct rw_err *err)
{
    if (arg[0] == '\0') {
        return rw_err_set(err, RW_EINVAL, "empty endpoint name");
    }
    ((struct rw_rfsrc_opts *)ctx)->endpoint = arg;
    return RW_OK;
}

enum rw_rc
rw_rfsrc_on_max_age(void *ctx, const char *arg, struct rw_err *err)
{
    if (rw_parse_i64(arg, 1, RW_RFSRC_MAX_AGE_MAX, &((struct rw_rfsrc_opts *)ctx)->max_age_s) !=
        RW_OK) {
        return rw_err_set(err, RW_EINVAL, "'%s' is not a number of seconds (1-%d)", arg,
                          RW_RFSRC_MAX_AGE_MAX);
    }
    return RW_OK;
}

void
rw_rfsrc_opts_init(struct rw_rfsrc_opts *src)
{
    memset(src, 0, sizeof(*src));
    src->max_age_s = -1;
}

/* The options only one of the two modes takes. */
static enum rw_rc
mode_mismatch(const struct rw_rfsrc_opts *src, struct rw_err *err)
{
    if (src->hostname == NULL && src->state_file == NULL) {
        return rw_err_set(err, RW_EINVAL, "missing -H/--hostname or --state");
    }
    if (src->hostname != NULL && src->state_file != NULL) {
        return rw_err_set(err, RW_EINVAL, "-H/--hostname and --state exclude each other");
    }
    if (src->state_file != NULL && src->endpoint == NULL) {
        return rw_err_set(err, RW_EINVAL, "--state needs --endpoint NAME");
    }
    if (src->state_file == NULL && src->endpoint != NULL) {
        return rw_err_set(err, RW_EINVAL, "--endpoint only goes with --state");
    }
    if (src->state_file == NULL && src->max_age_s >= 0) {
        return rw_err_set(err, RW_EINVAL, "--max-age only goes with --state");
    }
    if (src->hostname == NULL && src->port != 0) {
        return rw_err_set(err, RW_EINVAL, "-p/--port only goes with -H/--hostname");
    }
    return RW_OK;
}

enum rw_rc
rw_rfsrc_finish(struct rw_rfsrc_opts *src, const struct rw_opts *opts, struct rw_err *err)
{
    struct rw_err local;

    if (mode_mismatch(src, err) != RW_OK) {
        return RW_EINVAL;
    }
    if (opts->tls.sni != NULL || opts->tls.client_cert != NULL || opts->tls.client_key != NULL) {
        return rw_err_set(err, RW_EINVAL,
                          "--sni, --client-cert and --client-key are not supported over Redfish");
    }
    if (src->max_age_s < 0) {
        src->max_age_s = RW_RFSRC_MAX_AGE_DEFAULT;
    }
    if (src->hostname == NULL) {
        return RW_OK;
    }
    rw_err_clear(&local);
    if (rw_url_from_host(src->hostname, src->port != 0 ? src->port : 443, 1, &src->url, &local) !=
        RW_OK) {
        return rw_err_set(err, RW_EINVAL, "-H/--hostname: %s", local.msg);
    }
    return RW_OK;
}

enum rw_rc
rw_rfsrc_check_age(const struct rf_endpoint *ep, int64_t now, int64_t max_age_s, struct rw_err *err)
{
    int64_t age;

    if (ep->polled_at < 0) {
        return rw_err_set(err, RW_ESTALE, "endpoint %s has never been polled",
                          ep->name != NULL ? ep->name : "?");
    }
    age = now - ep->polled_at;
    if (age > max_age_s) {
        return rw_err_set(err, RW_ESTALE, "data of endpoint %s is %lld s old (--max-age %lld)",
                          ep->name != NULL ? ep->name : "?", (long long)age, (long long)max_age_s);
    }
    return RW_OK;
}

/* ---- state mode ---- */

static enum rw_rc
get_state(const struct rw_rfsrc_opts *src, int64_t now, struct rw_rfsrc *out, struct rw_err *err)
{
    struct rw_err local;

    rw_err_clear(&local);
    if (rf_snapshot_load(src->state_file, 0, &out->snap, &local) != RW_OK) {
        return rw_err_set(err, local.code, "state file %s: %s", src->state_file, local.msg);
    }
    out->ep = rf_snapshot_find(out->snap, src->endpoint);
    if (out->ep == NULL) {
        return rw_err_set(err, RW_EINVAL, "state file %s has no endpoint '%s'", src->state_file,
                          src->endpoint);
    }
    out->age_s = now - out->ep->polled_at;
    return rw_rfsrc_check_age(out->ep, now, src->max_age_s, err);
}

enum rw_rc
rw_rfsrc_get(const struct rw_rfsrc_opts *src, const struct rw_opts *opts, enum rf_kind kind,
             int64_t now, rw_rfsrc_live_fn *live, struct rw_rfsrc *out, struct rw_err *err)
{
    enum rw_rc rc;

    memset(out, 0, sizeof(*out));
    out->age_s = -1;
    if (src->state_file != NULL) {
        return get_state(src, now, out, err);
    }
    if (live == NULL) {
        return rw_err_set(err, RW_EINVAL, "this build has no live mode");
    }
    rc = live(src, opts, kind, &out->owned, err);
    out->ep = out->owned;
    return rc;
}

enum rw_rc
rw_rfsrc_exec_live(const char *helper, char **argv, struct rw_err *err)
{
    char self[PATH_MAX], path[PATH_MAX + 64];
    ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
    char *slash;

    if (len <= 0) {
        return rw_err_set(err, RW_EINVAL, "cannot find this program: %s", strerror(errno));
    }
    self[len] = '\0';
    slash = strrchr(self, '/');
    if (slash != NULL) {
        *slash = '\0';
    }
    (void)snprintf(path, sizeof(path), "%s/%s", self, helper);
    (void)execv(path, argv);
    return rw_err_set(err, RW_EINVAL, "cannot run %s: %s", path, strerror(errno));
}

enum rw_rc
rw_rfsrc_describe(const struct rw_rfsrc_opts *src, const struct rw_rfsrc *got,
                  struct rw_plugin_out *out)
{
    char url[RW_URL_TEXT_MAX];

    if (src->state_file != NULL) {
        return rw_plugin_detail(out, "data: snapshot %s, endpoint %s, polled %lld s ago",
                                src->state_file, src->endpoint, (long long)got->age_s);
    }
    return rw_plugin_detail(out, "data: live poll of %s, %lld requests in %lld ms",
                            rw_url_format(&src->url, url, sizeof(url)),
                            (long long)(got->ep != NULL ? got->ep->requests : -1),
                            (long long)(got->ep != NULL ? got->ep->duration_ms : -1));
}

void
rw_rfsrc_cleanup(struct rw_rfsrc *out)
{
    rf_endpoint_free(out->owned);
    rf_snapshot_free(out->snap);
    memset(out, 0, sizeof(*out));
    out->age_s = -1;
}

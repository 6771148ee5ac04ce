#include "rw_hsargs.h"

#include <string.h>

#include "rw_parse.h"
#include "rw_url.h"

enum rw_rc
rw_hsargs_host(const char *arg, struct rw_err *err)
{
    struct rw_url url;

    return rw_url_from_host(arg, 443, 1, &url, err) == RW_OK ? RW_OK : RW_EINVAL;
}

enum rw_rc
rw_hsargs_port(const char *arg, int *out, struct rw_err *err)
{
    if (rw_parse_port(arg, out) != RW_OK) {
        return rw_err_set(err, RW_EINVAL, "'%s' is not a port (1-65535)", arg);
    }
    return RW_OK;
}

enum rw_rc
rw_hsargs_regex(const char *arg, regex_t *re, int *have, struct rw_err *err)
{
    char why[128];
    int rc;

    if (*have) {
        regfree(re);
        *have = 0;
    }
    rc = regcomp(re, arg, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
        (void)regerror(rc, re, why, sizeof(why));
        return rw_err_set(err, RW_EINVAL, "invalid regular expression '%s': %s", arg, why);
    }
    *have = 1;
    return RW_OK;
}

enum rw_rc
rw_hsargs_path(const char *arg, const char *what, struct rw_err *err)
{
    if (arg[0] != '/') {
        return rw_err_set(err, RW_EINVAL, "'%s' is not a %s (it must start with '/')", arg, what);
    }
    return RW_OK;
}

enum rw_rc
rw_hsargs_version_rule(const char *arg, enum rw_version_rule *out)
{
    static const struct {
        const char *name;
        enum rw_version_rule rule;
    } rules[] = {
        {"exact", RW_VERSION_EXACT},
        {"same-major", RW_VERSION_SAME_MAJOR},
        {"same-minor", RW_VERSION_SAME_MINOR},
    };
    size_t i;

    for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
        if (strcmp(arg, rules[i].name) == 0) {
            *out = rules[i].rule;
            return RW_OK;
        }
    }
    return RW_EINVAL;
}

enum rw_rc
rw_hsargs_minimum(const char *arg, struct rw_err *err)
{
    struct rw_version v;

    return rw_version_parse(arg, &v, err) == RW_OK ? RW_OK : RW_EINVAL;
}

enum rw_rc
rw_hsargs_pin(const char *arg, struct rw_fingerprint *pins, size_t *n, size_t max,
              struct rw_err *err)
{
    if (*n >= max) {
        return rw_err_set(err, RW_EINVAL, "at most %zu pins", max);
    }
    if (rw_fingerprint_parse(arg, &pins[*n], err) != RW_OK) {
        return RW_EINVAL;
    }
    (*n)++;
    return RW_OK;
}

enum rw_rc
rw_hsargs_days(const char *arg, double *out, struct rw_err *err)
{
    if (rw_parse_double(arg, out) != RW_OK || !(*out >= 0.0 && *out <= RW_HSARGS_MAX_DAYS)) {
        return rw_err_set(err, RW_EINVAL, "'%s' is not a number of days (0 to %.0f)", arg,
                          RW_HSARGS_MAX_DAYS);
    }
    return RW_OK;
}

void
rw_hsvals_init(struct rw_hsvals *hs, double warn_days, double crit_days)
{
    memset(hs, 0, sizeof(*hs));
    hs->hub_port = 443;
    hs->warn_days = warn_days;
    hs->crit_days = crit_days;
}

void
rw_hsvals_cleanup(struct rw_hsvals *hs)
{
    if (hs->have_re) {
        regfree(&hs->product_re);
        hs->have_re = 0;
    }
}

enum rw_rc
rw_hsvals_set_product(struct rw_hsvals *hs, const char *regex, struct rw_err *err)
{
    if (rw_hsargs_regex(regex, &hs->product_re, &hs->have_re, err) != RW_OK) {
        return RW_EINVAL;
    }
    hs->product = regex;
    return RW_OK;
}

enum rw_rc
rw_hsargs_on_hub(void *ctx, const char *arg, struct rw_err *err)
{
    if (rw_hsargs_host(arg, err) != RW_OK) {
        return RW_EINVAL;
    }
    ((struct rw_hsvals *)ctx)->hub_host = arg;
    return RW_OK;
}

enum rw_rc
rw_hsargs_on_hub_port(void *ctx, const char *arg, struct rw_err *err)
{
    return rw_hsargs_port(arg, &((struct rw_hsvals *)ctx)->hub_port, err);
}

enum rw_rc
rw_hsargs_on_product(void *ctx, const char *arg, struct rw_err *err)
{
    return rw_hsvals_set_product(ctx, arg, err);
}

enum rw_rc
rw_hsargs_on_version_url(void *ctx, const char *arg, struct rw_err *err)
{
    if (rw_hsargs_path(arg, "path", err) != RW_OK) {
        return RW_EINVAL;
    }
    ((struct rw_hsvals *)ctx)->version_url = arg;
    return RW_OK;
}

enum rw_rc
rw_hsargs_on_version_pointer(void *ctx, const char *arg, struct rw_err *err)
{
    if (rw_hsargs_path(arg, "JSON pointer", err) != RW_OK) {
        return RW_EINVAL;
    }
    ((struct rw_hsvals *)ctx)->version_pointer = arg;
    return RW_OK;
}

enum rw_rc
rw_hsargs_on_minimum(void *ctx, const char *arg, struct rw_err *err)
{
    if (rw_hsargs_minimum(arg, err) != RW_OK) {
        return RW_EINVAL;
    }
    ((struct rw_hsvals *)ctx)->minimum = arg;
    return RW_OK;
}

enum rw_rc
rw_hsargs_on_pin(void *ctx, const char *arg, struct rw_err *err)
{
    struct rw_hsvals *hs = ctx;

    return rw_hsargs_pin(arg, hs->pins, &hs->n_pins, RW_HUBSPOKE_PINS_MAX, err);
}

enum rw_rc
rw_hsargs_on_known(void *ctx, const char *arg, struct rw_err *err)
{
    (void)err;
    ((struct rw_hsvals *)ctx)->known_path = arg;
    return RW_OK;
}

enum rw_rc
rw_hsargs_on_warn(void *ctx, const char *arg, struct rw_err *err)
{
    return rw_hsargs_days(arg, &((struct rw_hsvals *)ctx)->warn_days, err);
}

enum rw_rc
rw_hsargs_on_crit(void *ctx, const char *arg, struct rw_err *err)
{
    return rw_hsargs_days(arg, &((struct rw_hsvals *)ctx)->crit_days, err);
}

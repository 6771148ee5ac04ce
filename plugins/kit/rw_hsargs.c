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

#include "rw_parse.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* strtoll and strtod skip leading space and accept a sign; we want neither loose form. */
static int
starts_like_number(const char *str)
{
    const char *p = str;

    if (*p == '-' || *p == '+') {
        p++;
    }
    return (*p >= '0' && *p <= '9') || (*p == '.' && p[1] >= '0' && p[1] <= '9');
}

enum rw_rc
rw_parse_i64(const char *str, int64_t min, int64_t max, int64_t *out)
{
    char *end = NULL;
    long long value;

    if (str == NULL || !starts_like_number(str) || strchr(str, '.') != NULL) {
        return RW_EPARSE;
    }
    errno = 0;
    value = strtoll(str, &end, 10);
    if (end == str || *end != '\0') {
        return RW_EPARSE;
    }
    if (errno == ERANGE || value < min || value > max) {
        return RW_EINVAL;
    }
    *out = (int64_t)value;
    return RW_OK;
}

enum rw_rc
rw_parse_double(const char *str, double *out)
{
    char *end = NULL;
    double value;
    const char *p;

    if (str == NULL || !starts_like_number(str)) {
        return RW_EPARSE;
    }
    /* strtod also reads hexadecimal floats; a threshold never means that. */
    for (p = str; *p != '\0'; p++) {
        if (*p == 'x' || *p == 'X') {
            return RW_EPARSE;
        }
    }
    errno = 0;
    value = strtod(str, &end);
    if (end == str || *end != '\0' || errno == ERANGE || !isfinite(value)) {
        return RW_EPARSE;
    }
    *out = value;
    return RW_OK;
}

enum rw_rc
rw_parse_port(const char *str, int *out)
{
    int64_t port;
    enum rw_rc rc = rw_parse_i64(str, 1, 65535, &port);

    if (rc == RW_OK) {
        *out = (int)port;
    }
    return rc;
}

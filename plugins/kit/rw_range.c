#include "rw_range.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "rw_parse.h"

/* Parses one endpoint; the caller has ruled out "" and "~". */
static enum rw_rc
parse_bound(const char *text, const char *part, double *out, struct rw_err *err)
{
    if (rw_parse_double(part, out) != RW_OK) {
        return rw_err_set(err, RW_EPARSE, "invalid range '%s': '%s' is not a number", text, part);
    }
    return RW_OK;
}

/* Parses "start:end" (after any '@') where colon points at the one ':'. */
static enum rw_rc
parse_pair(const char *text, char *body, char *colon, struct rw_range *r, struct rw_err *err)
{
    const char *start = body, *end = colon + 1;

    *colon = '\0';
    if (strcmp(end, "~") == 0) {
        return rw_err_set(err, RW_EPARSE,
                          "invalid range '%s': '~' (minus infinity) is only allowed as the start",
                          text);
    }
    if ((*start == '\0' || strcmp(start, "~") == 0) && *end == '\0') {
        return rw_err_set(err, RW_EPARSE, "invalid range '%s': no start or end", text);
    }
    if (strcmp(start, "~") == 0) {
        r->start_inf = 1;
    } else if (*start != '\0' && parse_bound(text, start, &r->start, err) != RW_OK) {
        return RW_EPARSE;
    }
    if (*end == '\0') {
        r->end_inf = 1;
    } else if (parse_bound(text, end, &r->end, err) != RW_OK) {
        return RW_EPARSE;
    }
    return RW_OK;
}

/* Rejects a start above the end, naming both numbers. */
static enum rw_rc
check_order(const char *text, const struct rw_range *r, struct rw_err *err)
{
    char a[32], b[32];

    if (r->start_inf || r->end_inf || r->start <= r->end) {
        return RW_OK;
    }
    return rw_err_set(err, RW_EPARSE, "invalid range '%s': start %s is greater than end %s", text,
                      rw_range_number(r->start, a, sizeof(a)),
                      rw_range_number(r->end, b, sizeof(b)));
}

enum rw_rc
rw_range_parse(const char *text, struct rw_range *out, struct rw_err *err)
{
    char body[RW_RANGE_TEXT_MAX];
    struct rw_range r = {0};
    size_t len = text != NULL ? strlen(text) : 0;
    char *colon;
    enum rw_rc rc;

    if (len == 0) {
        return rw_err_set(err, RW_EPARSE, "empty range");
    }
    if (len >= sizeof(body)) {
        return rw_err_set(err, RW_EPARSE, "range longer than %d characters", RW_RANGE_TEXT_MAX - 1);
    }
    r.inside = text[0] == '@';
    memcpy(body, text + r.inside, len - r.inside + 1);
    colon = strchr(body, ':');
    if (colon != NULL && strchr(colon + 1, ':') != NULL) {
        return rw_err_set(err, RW_EPARSE, "invalid range '%s': more than one ':'", text);
    }
    if (colon != NULL) {
        rc = parse_pair(text, body, colon, &r, err);
    } else if (body[0] == '\0') {
        rc = rw_err_set(err, RW_EPARSE, "invalid range '%s': no end", text);
    } else {
        rc = parse_bound(text, body, &r.end, err);
    }
    if (rc == RW_OK) {
        rc = check_order(text, &r, err);
    }
    if (rc == RW_OK) {
        r.set = 1;
        *out = r;
    }
    return rc;
}

int
rw_range_alerts(const struct rw_range *r, double value)
{
    int within;

    if (!r->set) {
        return 0;
    }
    within = (r->start_inf || value >= r->start) && (r->end_inf || value <= r->end);
    return r->inside ? within : !within;
}

/* Replaces a locale's decimal separator with '.', should a caller have set LC_NUMERIC. */
static void
force_c_point(char *buf)
{
    const char *point = localeconv()->decimal_point;
    char *p;

    if (point == NULL || point[0] == '\0' || point[1] != '\0' || point[0] == '.') {
        return;
    }
    for (p = buf; *p != '\0'; p++) {
        if (*p == point[0]) {
            *p = '.';
        }
    }
}

/* Cuts trailing zeros (and a bare '.') from a %f-formatted number. */
static void
trim_zeros(char *buf)
{
    size_t n;

    if (strchr(buf, '.') == NULL) {
        return;
    }
    n = strlen(buf);
    while (n > 0 && buf[n - 1] == '0') {
        buf[--n] = '\0';
    }
    if (n > 0 && buf[n - 1] == '.') {
        buf[n - 1] = '\0';
    }
}

/* Decimals that give 6 significant digits for mag in [1e-15, 1e15), without libm. */
static int
decimals_for(double mag)
{
    int digits = 5;
    double p = 10.0;

    while (mag >= p && digits > 0) {
        p *= 10.0;
        digits--;
    }
    p = 1.0;
    while (mag < p && digits < 20) {
        p /= 10.0;
        digits++;
    }
    return digits;
}

const char *
rw_range_number(double value, char *buf, size_t len)
{
    double mag = value < 0 ? -value : value;
    int digits;

    /* The guidelines' perfdata value is [-0-9.]: no exponent where a reading can be (a
     * 76 us response time was "7.6e-05s", which graphers refuse) */
    if (value == 0.0 || mag < 1e-15) {
        (void)snprintf(buf, len, "0");
    } else if (mag < 1e15) {
        digits = decimals_for(mag);
        (void)snprintf(buf, len, "%.*f", digits, value);
        force_c_point(buf);
        trim_zeros(buf);
    } else if (mag < 1e30) {
        (void)snprintf(buf, len, "%.0f", value);
    } else {
        (void)snprintf(buf, len, "%.6g", value);
        force_c_point(buf);
    }
    if (strcmp(buf, "-0") == 0) {
        (void)snprintf(buf, len, "0");
    }
    return buf;
}

const char *
rw_range_format(const struct rw_range *r, char *buf, size_t len)
{
    char a[32], b[32];
    const char *at = r->inside ? "@" : "";

    if (!r->set) {
        (void)snprintf(buf, len, "%s", "");
    } else if (!r->start_inf && r->start == 0.0 && !r->end_inf) {
        (void)snprintf(buf, len, "%s%s", at, rw_range_number(r->end, b, sizeof(b)));
    } else {
        (void)snprintf(buf, len, "%s%s:%s", at,
                       r->start_inf ? "~" : rw_range_number(r->start, a, sizeof(a)),
                       r->end_inf ? "" : rw_range_number(r->end, b, sizeof(b)));
    }
    return buf;
}

enum rw_state
rw_thresholds_eval(const struct rw_thresholds *thr, double value)
{
    if (rw_range_alerts(&thr->crit, value)) {
        return RW_STATE_CRITICAL;
    }
    if (rw_range_alerts(&thr->warn, value)) {
        return RW_STATE_WARNING;
    }
    return RW_STATE_OK;
}

/*
 * rw_range: threshold ranges as the Monitoring Plugins Development Guidelines define them.
 *
 *   10      alert when the value is outside 0..10 (below 0 or above 10)
 *   10:     alert when the value is below 10 (10..infinity is fine)
 *   ~:10    alert when the value is above 10 (~ is minus infinity)
 *   10:20   alert when the value is outside 10..20
 *   @10:20  alert when the value is inside 10..20
 * Endpoints are inclusive; numbers may be negative or decimal; the start must not be
 * greater than the end.  A start left out before ':' is 0 (":10" is "0:10").
 */
#ifndef RW_RANGE_H
#define RW_RANGE_H

#include <stddef.h>

#include "rw_err.h"
#include "rw_plugin.h"

#define RW_RANGE_TEXT_MAX 64 /* the longest range text accepted, with its NUL */

/* A parsed range; a small value type.  Zero-initialised it is "not set": never alerts. */
struct rw_range {
    double start;
    double end;
    unsigned char start_inf; /* start is minus infinity (~) */
    unsigned char end_inf;   /* end is plus infinity (left out after ':') */
    unsigned char inside;    /* '@': alert inside the range instead of outside */
    unsigned char set;       /* parsed from text; an unset range never alerts */
};

/* A warning and a critical range; either may be unset. */
struct rw_thresholds {
    struct rw_range warn;
    struct rw_range crit;
};

/*
 * Parses text into *out.  RW_EPARSE with a message quoting the range ("invalid range
 * '20:10': start 20 is greater than end 10") for anything that is not a whole range:
 * empty, garbage, "10:20:30", ":" alone, out-of-range numbers.  *out is written only on
 * success.
 */
RW_MUSTCHECK enum rw_rc rw_range_parse(const char *text, struct rw_range *out, struct rw_err *err);

/* True (1) when value raises an alert under range r; an unset range never alerts. */
int rw_range_alerts(const struct rw_range *r, double value);

/*
 * Writes r back in range syntax ("10", "10:", "~:10", "@10:20") into buf and returns buf;
 * "" for an unset range.  Cut to len bytes if needed (RW_RANGE_TEXT_MAX * 2 always fits).
 */
const char *rw_range_format(const struct rw_range *r, char *buf, size_t len);

/*
 * Writes value as ranges and perfdata print numbers: C-locale '.', at most 6 significant
 * digits, no trailing zeros, no exponent below 1e30 ("0.012", "-5", "1500000",
 * "0.000076"); magnitudes below 1e-15 are "0".  Returns buf.  32 bytes always fit.
 */
const char *rw_range_number(double value, char *buf, size_t len);

/* The state for value: CRITICAL when crit alerts, else WARNING when warn alerts, else OK. */
enum rw_state rw_thresholds_eval(const struct rw_thresholds *thr, double value);

#endif

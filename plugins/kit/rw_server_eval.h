/*
 * rw_server_eval: check_server's verdict on one endpoint's model, shared by live and
 * state mode so both print the same for the same data.
 *
 * On the server --system names (or the only/first one):
 *   - power state: differing from the expected one (On by default) is CRITICAL, not
 *     reported is UNKNOWN;
 *   - health rollup Warning/Critical raises WARNING/CRITICAL, with the first
 *     Conditions[].Message in the summary and every one in the long output;
 *   - a metric (optional): power draw in W or inlet temperature in degrees C against
 *     -w/-c, with perfdata ('power'=352W;..., 'inlet_temp'=23.5;...: degrees Celsius are
 *     no Nagios UOM); a metric the server does not report is UNKNOWN.
 * The readings come from the model, which took the new power/thermal model first and the
 * deprecated one after (rf_map).  A failed endpoint is CRITICAL with its error.
 */
#ifndef RW_SERVER_EVAL_H
#define RW_SERVER_EVAL_H

#include <stdbool.h>

#include "rf_model.h"
#include "rw_err.h"
#include "rw_plugin.h"
#include "rw_range.h"

enum rw_server_metric {
    RW_SERVER_METRIC_NONE = 0,
    RW_SERVER_POWER,      /* "power", W */
    RW_SERVER_INLET_TEMP, /* "inlet-temp", degrees C */
};

/* What to check (caller's storage; system borrowed). */
struct rw_server_check {
    const char *system; /* --system; NULL: the first server */
    bool expect_on;     /* --expect-power On (default) or Off */
    enum rw_server_metric metric;
    struct rw_thresholds thr;
};

/* Defaults: first system, expect On, no metric.  Cannot fail. */
void rw_server_check_init(struct rw_server_check *chk);

/* Parses "power" or "inlet-temp"; RW_EINVAL naming both. */
RW_MUSTCHECK enum rw_rc rw_server_metric_parse(const char *name, enum rw_server_metric *out,
                                               struct rw_err *err);

/* Parses "On" or "Off" (case-insensitive) into *on; RW_EINVAL otherwise. */
RW_MUSTCHECK enum rw_rc rw_server_power_parse(const char *text, bool *on, struct rw_err *err);

/* -w/-c need a metric: RW_EINVAL otherwise. */
RW_MUSTCHECK enum rw_rc rw_server_check_validate(const struct rw_server_check *chk,
                                                 struct rw_err *err);

/*
 * Evaluates ep (borrowed) under chk into out and *state.  RW_OK with the state decided, or
 * RW_ENOMEM/RW_ETOOBIG when the output could not be built (*state UNKNOWN, err says why).
 */
RW_MUSTCHECK enum rw_rc rw_server_eval(const struct rw_server_check *chk,
                                       const struct rf_endpoint *ep, struct rw_plugin_out *out,
                                       enum rw_state *state, struct rw_err *err);

#endif

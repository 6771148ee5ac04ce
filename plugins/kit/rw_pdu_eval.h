/*
 * rw_pdu_eval: check_pdu's verdict on one endpoint's model, shared by live and state
 * mode so both print the same for the same data.
 *
 * What is checked, on every PDU of the endpoint or the one --pdu names:
 *   - a metric (optional): each covered element's reading against -w/-c, with perfdata
 *     per element ('AC1_power'=9961.3W;...; energy as 'AC1_energy_kWh' without a UOM,
 *     since kWh is not a Nagios unit; load-percent labels carry the element's kind);
 *     a reading the device does not report is left out and listed once in the long
 *     output; a metric that no covered element reports is UNKNOWN;
 *   - health: Status.Health Warning/Critical of the PDU and of each covered inlet, branch
 *     and outlet raises WARNING/CRITICAL (unless ignore_health);
 *   - expected outlet power states: a differing state is CRITICAL, an absent one UNKNOWN.
 * "Covered" elements: all of them, or with --outlet/--branch filters only those named.
 * A failed endpoint (the poll did not complete) is CRITICAL with its error.
 */
#ifndef RW_PDU_EVAL_H
#define RW_PDU_EVAL_H

#include <stdbool.h>
#include <stddef.h>

#include "rf_model.h"
#include "rw_err.h"
#include "rw_plugin.h"
#include "rw_range.h"

#define RW_PDU_IDS_MAX 64 /* --outlet, --branch and --expect-outlet-state options, each */

enum rw_pdu_metric {
    RW_PDU_METRIC_NONE = 0,
    RW_PDU_INLET_POWER,
    RW_PDU_INLET_CURRENT,
    RW_PDU_INLET_VOLTAGE,
    RW_PDU_INLET_ENERGY,
    RW_PDU_BRANCH_CURRENT,
    RW_PDU_OUTLET_CURRENT,
    RW_PDU_OUTLET_POWER,
    RW_PDU_LOAD_PERCENT,
};

#define RW_PDU_ID_MAX 128 /* bytes of an outlet ID in --expect-outlet-state, with the NUL */

/* One --expect-outlet-state ID=On|Off. */
struct rw_pdu_expect {
    char outlet[RW_PDU_ID_MAX];
    bool on;
};

/* What to check (caller's storage; strings borrowed for the life of the check). */
struct rw_pdu_check {
    const char *pdu; /* --pdu; NULL: every PDU */
    enum rw_pdu_metric metric;
    struct rw_thresholds thr; /* in the metric's unit */
    const char *outlets[RW_PDU_IDS_MAX];
    size_t n_outlets;
    const char *branches[RW_PDU_IDS_MAX];
    size_t n_branches;
    struct rw_pdu_expect expect[RW_PDU_IDS_MAX];
    size_t n_expect;
    bool ignore_health;
};

/* An empty check: every PDU, no metric, no filter, health on.  Cannot fail. */
void rw_pdu_check_init(struct rw_pdu_check *chk);

/* "inlet-power"... for a metric; "" for RW_PDU_METRIC_NONE. */
const char *rw_pdu_metric_name(enum rw_pdu_metric metric);

/* Parses a metric name as rw_pdu_metric_name() prints it; RW_EINVAL listing the names. */
RW_MUSTCHECK enum rw_rc rw_pdu_metric_parse(const char *name, enum rw_pdu_metric *out,
                                            struct rw_err *err);

/* Adds an --outlet/--branch filter (id borrowed); RW_EINVAL for "" or past RW_PDU_IDS_MAX. */
RW_MUSTCHECK enum rw_rc rw_pdu_add_outlet(struct rw_pdu_check *chk, const char *id,
                                          struct rw_err *err);
RW_MUSTCHECK enum rw_rc rw_pdu_add_branch(struct rw_pdu_check *chk, const char *id,
                                          struct rw_err *err);

/*
 * Adds an expected state from "ID=On" or "ID=Off" (the state case-insensitive, the ID
 * copied).  RW_EINVAL for a missing or too long ID, no '=', another state, or too many.
 */
RW_MUSTCHECK enum rw_rc rw_pdu_add_expect(struct rw_pdu_check *chk, const char *text,
                                          struct rw_err *err);

/*
 * Checks the combination: -w/-c need a metric; --branch only with branch-current or
 * load-percent; --outlet only with outlet-current, outlet-power or load-percent.
 * RW_EINVAL with one line.
 */
RW_MUSTCHECK enum rw_rc rw_pdu_check_validate(const struct rw_pdu_check *chk, struct rw_err *err);

/*
 * Evaluates ep (borrowed) under chk into out (summary, perfdata, long output) and *state.
 * Returns RW_OK with the state decided, or RW_ENOMEM/RW_ETOOBIG when the output could not
 * be built (then *state is UNKNOWN and err says why).
 */
RW_MUSTCHECK enum rw_rc rw_pdu_eval(const struct rw_pdu_check *chk, const struct rf_endpoint *ep,
                                    struct rw_plugin_out *out, enum rw_state *state,
                                    struct rw_err *err);

#endif

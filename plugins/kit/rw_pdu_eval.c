#include "rw_pdu_eval.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "rw_perfdata.h"

#define KIND_INLET  1u
#define KIND_BRANCH 2u
#define KIND_OUTLET 4u
#define KIND_ALL    (KIND_INLET | KIND_BRANCH | KIND_OUTLET)

#define LABEL_MAX  RW_PERFDATA_LABEL_MAX
#define TEXT_MAX   (2 * RF_STR_MAX + 64) /* "PDU <id> outlet <id>" */
#define ABSENT_MAX 3500 /* the "not reported" list: one long-output line (cut at 4095) */
/*
 * Output caps below the kit's RW_PLUGIN_TEXT_MAX, so that a PDU with thousands of outlets
 * still gets a verdict: past them, problems, lines and perfdata are counted, not written.
 */
#define SUMMARY_SOFT_MAX 2048
#define DETAILS_SOFT_MAX (RW_PLUGIN_TEXT_MAX - ABSENT_MAX - 4096)
#define PERF_SOFT_MAX    (RW_PLUGIN_TEXT_MAX - 1024)

/* What each metric reads, from which elements, and how it is written. */
struct metric_def {
    const char *name;   /* --metric value */
    unsigned kinds;     /* KIND_* the metric covers */
    const char *what;   /* "power", in the text */
    const char *unit;   /* in the text */
    const char *suffix; /* of the perfdata label */
    const char *uom;    /* perfdata unit, "" when the unit is no Nagios UOM */
};

static const struct metric_def metrics[] = {
    [RW_PDU_METRIC_NONE] = {"", 0, "", "", "", ""},
    [RW_PDU_INLET_POWER] = {"inlet-power", KIND_INLET, "power", "W", "_power", "W"},
    [RW_PDU_INLET_CURRENT] = {"inlet-current", KIND_INLET, "current", "A", "_current", "A"},
    [RW_PDU_INLET_VOLTAGE] = {"inlet-voltage", KIND_INLET, "voltage", "V", "_voltage", "V"},
    [RW_PDU_INLET_ENERGY] = {"inlet-energy", KIND_INLET, "energy", "kWh", "_energy_kWh", ""},
    [RW_PDU_BRANCH_CURRENT] = {"branch-current", KIND_BRANCH, "current", "A", "_current", "A"},
    [RW_PDU_OUTLET_CURRENT] = {"outlet-current", KIND_OUTLET, "current", "A", "_current", "A"},
    [RW_PDU_OUTLET_POWER] = {"outlet-power", KIND_OUTLET, "power", "W", "_power", "W"},
    [RW_PDU_LOAD_PERCENT] = {"load-percent", KIND_ALL, "load", "%", "_load", "%"},
};

#define N_METRICS (sizeof(metrics) / sizeof(metrics[0]))

/* One inlet, branch or outlet seen the same way; everything borrowed from the model. */
struct elem {
    unsigned kind;
    const char *id;
    const char *health;
    const char *breaker; /* branches: BreakerState, else NULL */
    double power, current, voltage, energy, rated;
};

/* The running evaluation. */
struct eval {
    const struct rw_pdu_check *chk;
    const struct metric_def *def;
    struct rw_plugin_out *out;
    struct rw_err *err;
    enum rw_state state;
    size_t n_pdus;   /* PDUs checked: labels name the PDU when there are several */
    size_t problems; /* summary entries so far */
    size_t cut_problems, cut_details, cut_perf; /* left out past the caps */
    size_t checked;                             /* readings compared with the thresholds */
    size_t n_absent;                            /* covered elements without the reading */
    size_t n_listed;                            /* of those, named in absent */
    struct rw_buf absent;                       /* their names, "outlet A4, outlet B1" */
    double highest;
    char highest_label[TEXT_MAX];
};

void
rw_pdu_check_init(struct rw_pdu_check *chk)
{
    memset(chk, 0, sizeof(*chk));
}

const char *
rw_pdu_metric_name(enum rw_pdu_metric metric)
{
    return (size_t)metric < N_METRICS ? metrics[metric].name : "";
}

enum rw_rc
rw_pdu_metric_parse(const char *name, enum rw_pdu_metric *out, struct rw_err *err)
{
    size_t i;

    for (i = 1; i < N_METRICS; i++) {
        if (strcmp(name, metrics[i].name) == 0) {
            *out = (enum rw_pdu_metric)i;
            return RW_OK;
        }
    }
    return rw_err_set(err, RW_EINVAL,
                      "unknown metric '%s' (inlet-power, inlet-current, inlet-voltage, "
                      "inlet-energy, branch-current, outlet-current, outlet-power, load-percent)",
                      name);
}

static enum rw_rc
add_id(const char **ids, size_t *n, const char *id, const char *what, const char *plural,
       struct rw_err *err)
{
    if (id[0] == '\0') {
        return rw_err_set(err, RW_EINVAL, "empty %s ID", what);
    }
    if (*n >= RW_PDU_IDS_MAX) {
        return rw_err_set(err, RW_EINVAL, "at most %d %s", RW_PDU_IDS_MAX, plural);
    }
    ids[(*n)++] = id;
    return RW_OK;
}

enum rw_rc
rw_pdu_add_outlet(struct rw_pdu_check *chk, const char *id, struct rw_err *err)
{
    return add_id(chk->outlets, &chk->n_outlets, id, "outlet", "outlets", err);
}

enum rw_rc
rw_pdu_add_branch(struct rw_pdu_check *chk, const char *id, struct rw_err *err)
{
    return add_id(chk->branches, &chk->n_branches, id, "branch", "branches", err);
}

enum rw_rc
rw_pdu_add_expect(struct rw_pdu_check *chk, const char *text, struct rw_err *err)
{
    const char *eq = strrchr(text, '=');
    struct rw_pdu_expect *e;
    size_t len;

    if (eq == NULL || eq == text) {
        return rw_err_set(err, RW_EINVAL, "'%s' is not ID=On or ID=Off", text);
    }
    len = (size_t)(eq - text);
    if (len >= RW_PDU_ID_MAX) {
        return rw_err_set(err, RW_EINVAL, "outlet ID longer than %d bytes", RW_PDU_ID_MAX - 1);
    }
    if (strcasecmp(eq + 1, "On") != 0 && strcasecmp(eq + 1, "Off") != 0) {
        return rw_err_set(err, RW_EINVAL, "'%s': the state must be On or Off", text);
    }
    if (chk->n_expect >= RW_PDU_IDS_MAX) {
        return rw_err_set(err, RW_EINVAL, "at most %d expected states", RW_PDU_IDS_MAX);
    }
    e = &chk->expect[chk->n_expect++];
    memcpy(e->outlet, text, len);
    e->outlet[len] = '\0';
    e->on = strcasecmp(eq + 1, "On") == 0;
    return RW_OK;
}

enum rw_rc
rw_pdu_check_validate(const struct rw_pdu_check *chk, struct rw_err *err)
{
    unsigned kinds = metrics[chk->metric].kinds;

    if (chk->metric == RW_PDU_METRIC_NONE && (chk->thr.warn.set || chk->thr.crit.set)) {
        return rw_err_set(err, RW_EINVAL, "-w/-c need --metric");
    }
    if (chk->n_branches > 0 && (kinds & KIND_BRANCH) == 0) {
        return rw_err_set(err, RW_EINVAL,
                          "--branch goes with --metric branch-current or "
                          "load-percent");
    }
    if (chk->n_outlets > 0 && (kinds & KIND_OUTLET) == 0) {
        return rw_err_set(err, RW_EINVAL,
                          "--outlet goes with --metric outlet-current, "
                          "outlet-power or load-percent");
    }
    return RW_OK;
}

/* ---- elements ---- */

/* An ID the device left out still needs a name in the output. */
static const char *
id_or(const char *id)
{
    return id != NULL ? id : "?";
}

static struct elem
elem_inlet(const struct rf_inlet *in)
{
    struct elem e = {KIND_INLET,    id_or(in->id),  in->health,
                     NULL,          in->power_w,    in->current_a,
                     in->voltage_v, in->energy_kwh, in->rated_current_a};

    return e;
}

static struct elem
elem_branch(const struct rf_branch *br)
{
    struct elem e = {KIND_BRANCH,   id_or(br->id), br->health, br->breaker_state,  br->power_w,
                     br->current_a, NAN,           NAN,        br->rated_current_a};

    return e;
}

static struct elem
elem_outlet(const struct rf_outlet *o)
{
    struct elem e = {KIND_OUTLET,  id_or(o->id),  o->health,         NULL, o->power_w, o->current_a,
                     o->voltage_v, o->energy_kwh, o->rated_current_a};

    return e;
}

static const char *
kind_name(unsigned kind)
{
    return kind == KIND_INLET ? "inlet" : kind == KIND_BRANCH ? "branch" : "outlet";
}

static int
listed(const char *const *ids, size_t n, const char *id)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (id != NULL && strcmp(ids[i], id) == 0) {
            return 1;
        }
    }
    return 0;
}

/* All elements when no filter is given, else only those named. */
static int
covered(const struct rw_pdu_check *chk, const struct elem *e)
{
    if (chk->n_outlets == 0 && chk->n_branches == 0) {
        return 1;
    }
    if (e->kind == KIND_OUTLET) {
        return listed(chk->outlets, chk->n_outlets, e->id);
    }
    return e->kind == KIND_BRANCH && listed(chk->branches, chk->n_branches, e->id);
}

/* The metric's reading of e, NAN when the device does not report it. */
static double
elem_value(enum rw_pdu_metric metric, const struct elem *e)
{
    switch (metric) {
    case RW_PDU_INLET_POWER:
    case RW_PDU_OUTLET_POWER:
        return e->power;
    case RW_PDU_INLET_VOLTAGE:
        return e->voltage;
    case RW_PDU_INLET_ENERGY:
        return e->energy;
    case RW_PDU_LOAD_PERCENT:
        return rf_has(e->current) && rf_has(e->rated) && e->rated > 0
                   ? e->current / e->rated * 100.0
                   : NAN;
    default:
        return e->current;
    }
}

/* "outlet A1", or "PDU 2 outlet A1" when several PDUs are checked. */
static const char *
elem_text(const struct eval *ev, const struct rf_pdu *pdu, const struct elem *e, char *buf,
          size_t len)
{
    if (ev->n_pdus > 1) {
        (void)snprintf(buf, len, "PDU %s %s %s", id_or(pdu->id), kind_name(e->kind), e->id);
    } else {
        (void)snprintf(buf, len, "%s %s", kind_name(e->kind), e->id);
    }
    return buf;
}

/* 'AC1_power', 'outlet_A1_load' (load mixes kinds), '2_AC1_power' for several PDUs. */
static const char *
perf_label(const struct eval *ev, const struct rf_pdu *pdu, const struct elem *e, char *buf,
           size_t len)
{
    int mixed = ev->chk->metric == RW_PDU_LOAD_PERCENT;

    (void)snprintf(buf, len, "%s%s%s%s%s%s", ev->n_pdus > 1 ? id_or(pdu->id) : "",
                   ev->n_pdus > 1 ? "_" : "", mixed ? kind_name(e->kind) : "", mixed ? "_" : "",
                   e->id, ev->def->suffix);
    return buf;
}

/* ---- output helpers ---- */

/* Adds one problem to the summary (or counts it past the cap) and raises the state. */
static enum rw_rc
problem(struct eval *ev, enum rw_state state, const char *text)
{
    ev->state = rw_state_worst(ev->state, state);
    if (ev->problems > 0 && rw_buf_len(&ev->out->summary) + strlen(text) > SUMMARY_SOFT_MAX) {
        ev->cut_problems++;
        return RW_OK;
    }
    if (rw_plugin_summary(ev->out, "%s%s", ev->problems++ > 0 ? "; " : "", text) != RW_OK) {
        return rw_err_set(ev->err, RW_ENOMEM, "out of memory");
    }
    return RW_OK;
}

/* Adds one line of long output (or counts it past the cap). */
static enum rw_rc
detail(struct eval *ev, const char *text, const char *tail)
{
    if (rw_buf_len(&ev->out->details) + strlen(text) + strlen(tail) > DETAILS_SOFT_MAX) {
        ev->cut_details++;
        return RW_OK;
    }
    if (rw_plugin_detail(ev->out, "%s%s", text, tail) != RW_OK) {
        return rw_err_set(ev->err, RW_ENOMEM, "out of memory");
    }
    return RW_OK;
}

static enum rw_state
health_state(const char *health)
{
    if (health != NULL && strcmp(health, "Critical") == 0) {
        return RW_STATE_CRITICAL;
    }
    if (health != NULL && strcmp(health, "Warning") == 0) {
        return RW_STATE_WARNING;
    }
    return RW_STATE_OK;
}

/* A Warning/Critical health of e is a problem, "branch C health Critical (breaker Tripped)". */
static enum rw_rc
check_health(struct eval *ev, const char *what, const char *health, const char *breaker)
{
    char text[TEXT_MAX + RF_STR_MAX];
    enum rw_state st = health_state(health);

    if (ev->chk->ignore_health || st == RW_STATE_OK) {
        return RW_OK;
    }
    (void)snprintf(text, sizeof(text), "%s health %s%s%s%s", what, health,
                   breaker != NULL ? " (breaker " : "", breaker != NULL ? breaker : "",
                   breaker != NULL ? ")" : "");
    return problem(ev, st, text);
}

static enum rw_rc
add_perfdata(struct eval *ev, const char *label, double value, const struct elem *e)
{
    int is_current = ev->def->unit[0] == 'A';
    enum rw_rc rc;
    struct rw_perfdata pd = {
        .label = label,
        .value = value,
        .uom = ev->def->uom,
        .warn = &ev->chk->thr.warn,
        .crit = &ev->chk->thr.crit,
        .has_min = 1,
        .min = 0,
        .has_max = is_current && rf_has(e->rated),
        .max = e->rated,
    };

    if (ev->chk->metric == RW_PDU_INLET_VOLTAGE) {
        pd.has_min = 0;
    }
    if (rw_buf_len(&ev->out->perfdata) + LABEL_MAX + 128 > PERF_SOFT_MAX) {
        ev->cut_perf++;
        return RW_OK;
    }
    rc = rw_perfdata_add(&ev->out->perfdata, &pd, ev->err);
    return rc == RW_OK ? RW_OK : rw_err_set(ev->err, rc, "perfdata: out of memory");
}

/* Notes that e does not report the metric (listed once in the long output, up to a cap). */
static enum rw_rc
note_absent(struct eval *ev, const char *text)
{
    const char *sep = ev->n_listed > 0 ? ", " : "";
    enum rw_rc rc = RW_OK;

    ev->n_absent++;
    if (rw_buf_len(&ev->absent) + strlen(sep) + strlen(text) >= ABSENT_MAX) {
        return RW_OK; /* counted in "and N more" */
    }
    ev->n_listed++;
    rc = rw_buf_add(&ev->absent, sep, strlen(sep));
    if (rc == RW_OK) {
        rc = rw_buf_add(&ev->absent, text, strlen(text));
    }
    return rc == RW_OK ? RW_OK : rw_err_set(ev->err, rc, "out of memory");
}

/* Compares e's reading with the thresholds: perfdata, a long-output line, maybe a problem. */
static enum rw_rc
check_value(struct eval *ev, const struct rf_pdu *pdu, const struct elem *e)
{
    char what[TEXT_MAX], label[LABEL_MAX], num[32], text[TEXT_MAX + 96];
    double value = elem_value(ev->chk->metric, e);
    enum rw_state st;
    enum rw_rc rc;

    (void)elem_text(ev, pdu, e, what, sizeof(what));
    if (!rf_has(value)) {
        return note_absent(ev, what);
    }
    st = rw_thresholds_eval(&ev->chk->thr, value);
    (void)snprintf(text, sizeof(text), "%s %s %s %s", what, ev->def->what,
                   rw_range_number(value, num, sizeof(num)), ev->def->unit);
    if (ev->checked++ == 0 || value > ev->highest) {
        ev->highest = value;
        (void)snprintf(ev->highest_label, sizeof(ev->highest_label), "%s", what);
    }
    rc = add_perfdata(ev, perf_label(ev, pdu, e, label, sizeof(label)), value, e);
    if (rc == RW_OK) {
        rc = detail(ev, text,
                    st == RW_STATE_OK        ? ": OK"
                    : st == RW_STATE_WARNING ? ": WARNING"
                                             : ": CRITICAL");
    }
    if (rc != RW_OK) {
        return rc;
    }
    return st == RW_STATE_OK ? RW_OK : problem(ev, st, text);
}

/* Health and metric of one element the check covers. */
static enum rw_rc
check_elem(struct eval *ev, const struct rf_pdu *pdu, const struct elem *e)
{
    char what[TEXT_MAX];
    enum rw_rc rc;

    if (!covered(ev->chk, e)) {
        return RW_OK;
    }
    rc = check_health(ev, elem_text(ev, pdu, e, what, sizeof(what)), e->health, e->breaker);
    if (rc != RW_OK || (ev->def->kinds & e->kind) == 0) {
        return rc;
    }
    return check_value(ev, pdu, e);
}

/* Every element of one PDU, inlets first, then branches, then outlets. */
static enum rw_rc
check_pdu(struct eval *ev, const struct rf_pdu *pdu)
{
    char what[TEXT_MAX];
    enum rw_rc rc;
    struct elem e;
    size_t i;

    (void)snprintf(what, sizeof(what), "PDU %s", id_or(pdu->id));
    rc = check_health(ev, what, pdu->health, NULL);
    for (i = 0; rc == RW_OK && i < pdu->n_inlets; i++) {
        e = elem_inlet(&pdu->inlets[i]);
        rc = check_elem(ev, pdu, &e);
    }
    for (i = 0; rc == RW_OK && i < pdu->n_branches; i++) {
        e = elem_branch(&pdu->branches[i]);
        rc = check_elem(ev, pdu, &e);
    }
    for (i = 0; rc == RW_OK && i < pdu->n_outlets; i++) {
        e = elem_outlet(&pdu->outlets[i]);
        rc = check_elem(ev, pdu, &e);
    }
    return rc;
}

/* ---- selection ---- */

static int
pdu_selected(const struct rw_pdu_check *chk, const struct rf_pdu *pdu)
{
    return chk->pdu == NULL || (pdu->id != NULL && strcmp(chk->pdu, pdu->id) == 0);
}

static const struct rf_outlet *
find_outlet(const struct rw_pdu_check *chk, const struct rf_endpoint *ep, const char *id)
{
    size_t i, j;

    for (i = 0; i < ep->n_pdus; i++) {
        for (j = 0; pdu_selected(chk, &ep->pdus[i]) && j < ep->pdus[i].n_outlets; j++) {
            if (ep->pdus[i].outlets[j].id != NULL && strcmp(ep->pdus[i].outlets[j].id, id) == 0) {
                return &ep->pdus[i].outlets[j];
            }
        }
    }
    return NULL;
}

static int
has_branch(const struct rw_pdu_check *chk, const struct rf_endpoint *ep, const char *id)
{
    size_t i, j;

    for (i = 0; i < ep->n_pdus; i++) {
        for (j = 0; pdu_selected(chk, &ep->pdus[i]) && j < ep->pdus[i].n_branches; j++) {
            if (ep->pdus[i].branches[j].id != NULL && strcmp(ep->pdus[i].branches[j].id, id) == 0) {
                return 1;
            }
        }
    }
    return 0;
}

/* Every ID the command line names must exist: a typo is UNKNOWN, not a silent OK. */
static enum rw_rc
check_names(struct eval *ev, const struct rf_endpoint *ep)
{
    char text[TEXT_MAX];
    enum rw_rc rc = RW_OK;
    size_t i;

    for (i = 0; rc == RW_OK && i < ev->chk->n_outlets; i++) {
        if (find_outlet(ev->chk, ep, ev->chk->outlets[i]) == NULL) {
            (void)snprintf(text, sizeof(text), "no outlet '%s'", ev->chk->outlets[i]);
            rc = problem(ev, RW_STATE_UNKNOWN, text);
        }
    }
    for (i = 0; rc == RW_OK && i < ev->chk->n_branches; i++) {
        if (!has_branch(ev->chk, ep, ev->chk->branches[i])) {
            (void)snprintf(text, sizeof(text), "no branch '%s'", ev->chk->branches[i]);
            rc = problem(ev, RW_STATE_UNKNOWN, text);
        }
    }
    return rc;
}

/* --expect-outlet-state: CRITICAL on a differing state, UNKNOWN when not reported. */
static enum rw_rc
check_expected(struct eval *ev, const struct rf_endpoint *ep)
{
    char text[2 * RW_PDU_ID_MAX + RF_STR_MAX];
    const struct rf_outlet *o;
    enum rw_rc rc = RW_OK;
    const char *want;
    size_t i;

    for (i = 0; rc == RW_OK && i < ev->chk->n_expect; i++) {
        want = ev->chk->expect[i].on ? "On" : "Off";
        o = find_outlet(ev->chk, ep, ev->chk->expect[i].outlet);
        if (o == NULL) {
            (void)snprintf(text, sizeof(text), "no outlet '%s'", ev->chk->expect[i].outlet);
            rc = problem(ev, RW_STATE_UNKNOWN, text);
        } else if (o->power_state == NULL) {
            (void)snprintf(text, sizeof(text), "outlet %s reports no power state", o->id);
            rc = problem(ev, RW_STATE_UNKNOWN, text);
        } else if (strcmp(o->power_state, want) != 0) {
            (void)snprintf(text, sizeof(text), "outlet %s is %s, expected %s", o->id,
                           o->power_state, want);
            rc = problem(ev, RW_STATE_CRITICAL, text);
        } else {
            (void)snprintf(text, sizeof(text), "outlet %s is %s", o->id, want);
            rc = detail(ev, text, " as expected");
        }
    }
    return rc;
}

/* The metric's closing words: the absent list, or UNKNOWN when nothing reported it. */
static enum rw_rc
finish_metric(struct eval *ev)
{
    char text[TEXT_MAX];

    if (ev->chk->metric == RW_PDU_METRIC_NONE) {
        return RW_OK;
    }
    if (ev->n_absent > 0 &&
        rw_plugin_detail(ev->out, "%s not reported by (left out): %s%s", ev->def->what,
                         rw_buf_str(&ev->absent),
                         ev->n_listed < ev->n_absent ? " and others" : "") != RW_OK) {
        return rw_err_set(ev->err, RW_ENOMEM, "out of memory");
    }
    if (ev->checked == 0) {
        (void)snprintf(text, sizeof(text), "%s: no covered element reports %s", ev->def->name,
                       ev->def->what);
        return problem(ev, RW_STATE_UNKNOWN, text);
    }
    return RW_OK;
}

/* The summary when nothing is wrong. */
static enum rw_rc
ok_summary(struct eval *ev)
{
    char num[32];
    enum rw_rc rc = RW_OK;

    if (ev->chk->metric != RW_PDU_METRIC_NONE && ev->checked == 1) {
        rc = rw_plugin_summary(ev->out, "%s %s %s %s; ", ev->highest_label, ev->def->what,
                               rw_range_number(ev->highest, num, sizeof(num)), ev->def->unit);
    } else if (ev->chk->metric != RW_PDU_METRIC_NONE) {
        rc = rw_plugin_summary(
            ev->out, "%s of %zu elements OK, highest %s %s (%s); ", ev->def->what, ev->checked,
            rw_range_number(ev->highest, num, sizeof(num)), ev->def->unit, ev->highest_label);
    }
    if (rc == RW_OK) {
        rc = rw_plugin_summary(ev->out, "%zu PDU%s, health %s", ev->n_pdus,
                               ev->n_pdus == 1 ? "" : "s",
                               ev->chk->ignore_health ? "not checked" : "OK");
    }
    if (rc == RW_OK && ev->chk->n_expect > 0) {
        rc = rw_plugin_summary(ev->out, ", outlet states as expected");
    }
    return rc == RW_OK ? RW_OK : rw_err_set(ev->err, RW_ENOMEM, "out of memory");
}

static enum rw_rc
eval_pdus(struct eval *ev, const struct rf_endpoint *ep)
{
    char text[TEXT_MAX];
    enum rw_rc rc = RW_OK;
    size_t i;

    for (i = 0; i < ep->n_pdus; i++) {
        ev->n_pdus += pdu_selected(ev->chk, &ep->pdus[i]);
    }
    if (ev->n_pdus == 0) {
        (void)snprintf(text, sizeof(text), ev->chk->pdu != NULL ? "no PDU '%s'" : "no rack PDU%s",
                       ev->chk->pdu != NULL ? ev->chk->pdu : "");
        return problem(ev, RW_STATE_UNKNOWN, text);
    }
    rc = check_names(ev, ep);
    if (rc != RW_OK || ev->problems > 0) {
        return rc; /* a misnamed element: nothing else is worth saying */
    }
    for (i = 0; rc == RW_OK && i < ep->n_pdus; i++) {
        if (pdu_selected(ev->chk, &ep->pdus[i])) {
            rc = check_pdu(ev, &ep->pdus[i]);
        }
    }
    if (rc == RW_OK) {
        rc = finish_metric(ev);
    }
    if (rc == RW_OK) {
        rc = check_expected(ev, ep);
    }
    if (rc == RW_OK && ev->problems == 0) {
        rc = ok_summary(ev);
    }
    return rc;
}

/* Says what the output caps left out. */
static enum rw_rc
report_cuts(struct eval *ev)
{
    enum rw_rc rc = RW_OK;

    if (ev->cut_problems > 0) {
        rc = rw_plugin_summary(ev->out, "; and %zu more", ev->cut_problems);
    }
    if (rc == RW_OK && ev->cut_details > 0) {
        rc = rw_plugin_detail(ev->out, "%zu more lines left out", ev->cut_details);
    }
    if (rc == RW_OK && ev->cut_perf > 0) {
        rc = rw_plugin_detail(ev->out, "perfdata of %zu elements left out", ev->cut_perf);
    }
    return rc == RW_OK ? RW_OK : rw_err_set(ev->err, RW_ENOMEM, "out of memory");
}

enum rw_rc
rw_pdu_eval(const struct rw_pdu_check *chk, const struct rf_endpoint *ep, struct rw_plugin_out *out,
            enum rw_state *state, struct rw_err *err)
{
    struct rw_err local;
    struct eval ev;
    enum rw_rc rc;

    rw_err_clear(&local);
    memset(&ev, 0, sizeof(ev));
    ev.chk = chk;
    ev.def = &metrics[(size_t)chk->metric < N_METRICS ? chk->metric : 0];
    ev.out = out;
    ev.err = err != NULL ? err : &local; /* err may be NULL; the code is still needed */
    ev.state = RW_STATE_OK;
    rw_buf_init(&ev.absent, ABSENT_MAX);
    if (!ep->ok) {
        rc = problem(&ev, RW_STATE_CRITICAL, ep->error != NULL ? ep->error : "poll failed");
    } else {
        rc = eval_pdus(&ev, ep);
    }
    if (rc == RW_OK) {
        rc = report_cuts(&ev);
    }
    rw_buf_free(&ev.absent);
    *state = rc == RW_OK ? ev.state : RW_STATE_UNKNOWN;
    return rc;
}

#include "rw_server_eval.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "rw_perfdata.h"

#define TEXT_MAX (2 * RF_STR_MAX + 64)

/* The running evaluation. */
struct eval {
    const struct rw_server_check *chk;
    struct rw_plugin_out *out;
    struct rw_err *err;
    enum rw_state state;
    size_t problems;
};

void
rw_server_check_init(struct rw_server_check *chk)
{
    memset(chk, 0, sizeof(*chk));
    chk->expect_on = true;
}

enum rw_rc
rw_server_metric_parse(const char *name, enum rw_server_metric *out, struct rw_err *err)
{
    if (strcmp(name, "power") == 0) {
        *out = RW_SERVER_POWER;
    } else if (strcmp(name, "inlet-temp") == 0) {
        *out = RW_SERVER_INLET_TEMP;
    } else {
        return rw_err_set(err, RW_EINVAL, "unknown metric '%s' (power, inlet-temp)", name);
    }
    return RW_OK;
}

enum rw_rc
rw_server_power_parse(const char *text, bool *on, struct rw_err *err)
{
    if (strcasecmp(text, "On") == 0) {
        *on = true;
    } else if (strcasecmp(text, "Off") == 0) {
        *on = false;
    } else {
        return rw_err_set(err, RW_EINVAL, "'%s' is not On or Off", text);
    }
    return RW_OK;
}

enum rw_rc
rw_server_check_validate(const struct rw_server_check *chk, struct rw_err *err)
{
    if (chk->metric == RW_SERVER_METRIC_NONE && (chk->thr.warn.set || chk->thr.crit.set)) {
        return rw_err_set(err, RW_EINVAL, "-w/-c need --metric");
    }
    return RW_OK;
}

/* Adds one problem to the summary and raises the state. */
static enum rw_rc
problem(struct eval *ev, enum rw_state state, const char *text)
{
    ev->state = rw_state_worst(ev->state, state);
    if (rw_plugin_summary(ev->out, "%s%s", ev->problems++ > 0 ? "; " : "", text) != RW_OK) {
        return rw_err_set(ev->err, RW_ENOMEM, "out of memory");
    }
    return RW_OK;
}

/* An ID the BMC left out still needs a name in the output. */
static const char *
id_or(const char *id)
{
    return id != NULL ? id : "?";
}

static const struct rf_server *
find_server(const struct rw_server_check *chk, const struct rf_endpoint *ep)
{
    size_t i;

    for (i = 0; i < ep->n_servers; i++) {
        if (chk->system == NULL ||
            (ep->servers[i].id != NULL && strcmp(ep->servers[i].id, chk->system) == 0)) {
            return &ep->servers[i];
        }
    }
    return NULL;
}

static enum rw_rc
check_power_state(struct eval *ev, const struct rf_server *srv)
{
    const char *want = ev->chk->expect_on ? "On" : "Off";
    char text[TEXT_MAX];

    if (srv->power_state == NULL) {
        (void)snprintf(text, sizeof(text), "server %s reports no power state", srv->id);
        return problem(ev, RW_STATE_UNKNOWN, text);
    }
    if (strcmp(srv->power_state, want) != 0) {
        (void)snprintf(text, sizeof(text), "server %s power %s, expected %s", id_or(srv->id),
                       srv->power_state, want);
        return problem(ev, RW_STATE_CRITICAL, text);
    }
    return RW_OK;
}

/* Health rollup; the conditions explain it, the first in the summary, all below. */
static enum rw_rc
check_health(struct eval *ev, const struct rf_server *srv)
{
    enum rw_state st = RW_STATE_OK;
    char text[TEXT_MAX + RF_STR_MAX];
    size_t i;

    if (srv->health != NULL && strcmp(srv->health, "Critical") == 0) {
        st = RW_STATE_CRITICAL;
    } else if (srv->health != NULL && strcmp(srv->health, "Warning") == 0) {
        st = RW_STATE_WARNING;
    }
    /* the model keeps at most 32 conditions of RF_STR_MAX bytes: within the kit's cap */
    for (i = 0; i < srv->n_conditions; i++) {
        if (rw_plugin_detail(ev->out, "condition: %s", srv->conditions[i]) != RW_OK) {
            return rw_err_set(ev->err, RW_ENOMEM, "out of memory");
        }
    }
    if (st == RW_STATE_OK) {
        return RW_OK;
    }
    (void)snprintf(text, sizeof(text), "server %s health %s%s%s", id_or(srv->id), srv->health,
                   srv->n_conditions > 0 ? ": " : "",
                   srv->n_conditions > 0 ? srv->conditions[0] : "");
    return problem(ev, st, text);
}

static enum rw_rc
check_metric(struct eval *ev, const struct rf_server *srv, double *value)
{
    int power = ev->chk->metric == RW_SERVER_POWER;
    struct rw_perfdata pd = {
        .label = power ? "power" : "inlet_temp",
        .uom = power ? "W" : "",
        .warn = &ev->chk->thr.warn,
        .crit = &ev->chk->thr.crit,
        .has_min = power,
    };
    char text[TEXT_MAX], num[32];
    enum rw_state st;
    enum rw_rc rc;

    *value = power ? srv->power_w : srv->inlet_temp_c;
    if (!rf_has(*value)) {
        (void)snprintf(text, sizeof(text), "server %s reports no %s", id_or(srv->id),
                       power ? "power draw" : "inlet temperature");
        return problem(ev, RW_STATE_UNKNOWN, text);
    }
    pd.value = *value;
    rc = rw_perfdata_add(&ev->out->perfdata, &pd, ev->err);
    if (rc != RW_OK) {
        return rw_err_set(ev->err, rc, "perfdata: out of memory");
    }
    st = rw_thresholds_eval(&ev->chk->thr, *value);
    if (st == RW_STATE_OK) {
        return RW_OK;
    }
    (void)snprintf(text, sizeof(text), "server %s %s %s %s", id_or(srv->id),
                   power ? "power" : "inlet temperature", rw_range_number(*value, num, sizeof(num)),
                   power ? "W" : "C");
    return problem(ev, st, text);
}

static enum rw_rc
ok_summary(struct eval *ev, const struct rf_server *srv, double value)
{
    char num[32];
    enum rw_rc rc;

    rc = rw_plugin_summary(ev->out, "server %s power %s, health %s", id_or(srv->id),
                           srv->power_state, srv->health != NULL ? srv->health : "not reported");
    if (rc == RW_OK && ev->chk->metric != RW_SERVER_METRIC_NONE) {
        rc = rw_plugin_summary(ev->out, ", %s %s %s",
                               ev->chk->metric == RW_SERVER_POWER ? "power draw"
                                                                  : "inlet temperature",
                               rw_range_number(value, num, sizeof(num)),
                               ev->chk->metric == RW_SERVER_POWER ? "W" : "C");
    }
    return rc == RW_OK ? RW_OK : rw_err_set(ev->err, RW_ENOMEM, "out of memory");
}

static enum rw_rc
eval_server(struct eval *ev, const struct rf_endpoint *ep)
{
    const struct rf_server *srv = find_server(ev->chk, ep);
    char text[TEXT_MAX];
    double value = 0;
    enum rw_rc rc;

    if (srv == NULL) {
        (void)snprintf(text, sizeof(text),
                       ev->chk->system != NULL ? "no system '%s'" : "no server%s",
                       ev->chk->system != NULL ? ev->chk->system : "");
        return problem(ev, RW_STATE_UNKNOWN, text);
    }
    rc = check_power_state(ev, srv);
    if (rc == RW_OK) {
        rc = check_health(ev, srv);
    }
    if (rc == RW_OK && ev->chk->metric != RW_SERVER_METRIC_NONE) {
        rc = check_metric(ev, srv, &value);
    }
    if (rc == RW_OK && ev->problems == 0) {
        rc = ok_summary(ev, srv, value);
    }
    return rc;
}

enum rw_rc
rw_server_eval(const struct rw_server_check *chk, const struct rf_endpoint *ep,
               struct rw_plugin_out *out, enum rw_state *state, struct rw_err *err)
{
    struct rw_err local;
    struct eval ev = {chk, out, err != NULL ? err : &local, RW_STATE_OK, 0};
    enum rw_rc rc;

    rw_err_clear(&local);
    if (!ep->ok) {
        rc = problem(&ev, RW_STATE_CRITICAL, ep->error != NULL ? ep->error : "poll failed");
    } else {
        rc = eval_server(&ev, ep);
    }
    *state = rc == RW_OK ? ev.state : RW_STATE_UNKNOWN;
    return rc;
}

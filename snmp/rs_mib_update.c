/* rs_mib: one poll's model into the table rows, noticing what changed. */
#include "rs_mib.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rs_mib_int.h"
#include "rs_scale.h"

/* Polls in a row a reading may be kept while the optional resource it comes from fails for
 * a reason that passes (see update_pdu()). */
#define RS_KEEP_POLLS 3

/* What one update is working on. */
struct update {
    struct rs_mib *mib;
    const struct rf_endpoint *ep;
    uint32_t owner; /* the endpoint's index */
    unsigned generation;
    struct rw_err *err;
};

/* Reports a change of old to new, with the two texts its notification carries. */
static void
notify(struct rs_mib *mib, struct rs_change *change, int32_t old_value, int32_t new_value)
{
    if (mib->on_change == NULL || old_value == new_value) {
        return;
    }
    change->old_value = old_value;
    change->new_value = new_value;
    mib->on_change(mib->ctx, change);
}

/* The registry index of "<endpoint>/<id>[/<sub>]" in namespace ns. */
static enum rw_rc
key_index(struct update *up, enum rs_ns ns, const char *id, const char *sub, uint32_t *out)
{
    char key[3 * RF_STR_MAX + 4];

    (void)snprintf(key, sizeof(key), "%s/%s%s%s", up->ep->name, id != NULL ? id : "",
                   sub != NULL ? "/" : "", sub != NULL ? sub : "");
    return rs_index_get(up->mib->index, ns, key, out, up->err);
}

static enum rw_rc
row_for(struct update *up, enum rs_tab tab, const uint32_t *indexes, void **out)
{
    return rs_table_row(up->mib->tables[tab], indexes, up->owner, up->generation, out, up->err);
}

static void
fill_phase(struct phase_row *row, const struct rf_inlet *in, const char *line)
{
    row->current_ma = rs_reading(rf_lines_get(&in->phase_current_a, line), 1000.0);
    row->voltage_mv = rs_reading(rf_lines_get(&in->phase_voltage_v, line), 1000.0);
    row->power_w = rs_reading(rf_lines_get(&in->phase_power_w, line), 1.0);
    row->energy_wh = rs_energy_wh(NAN);
}

/* One row per Redfish line any of the inlet's poly-phase properties lists. */
static enum rw_rc
update_phases(struct update *up, uint32_t pdu_idx, uint32_t inlet_idx, const struct rf_inlet *in)
{
    const struct rf_lines *props[] = {&in->phase_current_a, &in->phase_voltage_v,
                                      &in->phase_power_w};
    struct phase_row *row;
    size_t p, i;

    for (p = 0; p < sizeof(props) / sizeof(props[0]); p++) {
        for (i = 0; i < props[p]->n; i++) {
            uint32_t indexes[3] = {pdu_idx, inlet_idx, 0};
            int32_t line = rs_line(props[p]->v[i].line);

            if (line <= 0) {
                continue; /* a line name the MIB has no value for */
            }
            indexes[2] = (uint32_t)line;
            if (row_for(up, RS_TAB_INLET_PHASE, indexes, (void **)&row) != RW_OK) {
                return RW_ENOMEM;
            }
            fill_phase(row, in, props[p]->v[i].line);
        }
    }
    return RW_OK;
}

static enum rw_rc
update_inlet(struct update *up, const struct rf_pdu *pdu, uint32_t pdu_idx,
             const struct rf_inlet *in)
{
    uint32_t indexes[2] = {pdu_idx, 0};
    struct circuit_row *row;

    if (key_index(up, RS_NS_INLET, pdu->id, in->id, &indexes[1]) != RW_OK ||
        row_for(up, RS_TAB_INLET, indexes, (void **)&row) != RW_OK ||
        rs_mib_set_text(up->mib, &row->name, in->id, up->err) != RW_OK) {
        return RW_ENOMEM;
    }
    row->current_ma = rs_reading(in->current_a, 1000.0);
    row->voltage_mv = rs_reading(in->voltage_v, 1000.0);
    row->power_w = rs_reading(in->power_w, 1.0);
    row->energy_wh = rs_energy_wh(in->energy_kwh);
    row->frequency_dhz = rs_reading(in->frequency_hz, 10.0);
    row->health = rs_health(in->health);
    return update_phases(up, pdu_idx, indexes[1], in);
}

static enum rw_rc
update_branch(struct update *up, const struct rf_pdu *pdu, uint32_t pdu_idx,
              const struct rf_branch *br)
{
    uint32_t indexes[2] = {pdu_idx, 0};
    struct circuit_row *row;

    if (key_index(up, RS_NS_BRANCH, pdu->id, br->id, &indexes[1]) != RW_OK ||
        row_for(up, RS_TAB_BRANCH, indexes, (void **)&row) != RW_OK ||
        rs_mib_set_text(up->mib, &row->name, br->id, up->err) != RW_OK) {
        return RW_ENOMEM;
    }
    row->current_ma = rs_reading(br->current_a, 1000.0);
    row->voltage_mv = RS_NOT_REPORTED; /* the model keeps no branch voltage */
    row->power_w = rs_reading(br->power_w, 1.0);
    row->energy_wh = rs_energy_wh(NAN);
    row->breaker = rs_breaker_state(br->breaker_state);
    row->health = rs_health(br->health);
    return RW_OK;
}

static enum rw_rc
update_outlet(struct update *up, const struct rf_pdu *pdu, uint32_t pdu_idx,
              const struct rf_outlet *out)
{
    uint32_t indexes[2] = {pdu_idx, 0};
    struct outlet_row *row;
    int32_t state = rs_power_state(out->power_state);

    if (key_index(up, RS_NS_OUTLET, pdu->id, out->id, &indexes[1]) != RW_OK ||
        row_for(up, RS_TAB_OUTLET, indexes, (void **)&row) != RW_OK ||
        rs_mib_set_text(up->mib, &row->redfish_id, out->id, up->err) != RW_OK ||
        rs_mib_set_text(up->mib, &row->name, out->name != NULL ? out->name : out->id, up->err) !=
            RW_OK) {
        return RW_ENOMEM;
    }
    if (row->polled) {
        struct rs_change change = {.kind = RS_CHANGE_OUTLET_STATE,
                                   .n_indexes = 2,
                                   .indexes = {indexes[0], indexes[1]},
                                   .text1 = pdu->id,
                                   .text2 = row->name};

        notify(up->mib, &change, row->state, state);
    }
    row->state = state;
    row->current_ma = rs_reading(out->current_a, 1000.0);
    row->voltage_mv = rs_reading(out->voltage_v, 1000.0);
    row->power_w = rs_reading(out->power_w, 1.0);
    row->energy_wh = rs_energy_wh(out->energy_kwh);
    row->health = rs_health(out->health);
    row->polled = 1;
    return RW_OK;
}

static enum rw_rc
fill_pdu_text(struct update *up, struct pdu_row *row, const struct rf_pdu *pdu)
{
    struct rw_err *err = up->err;

    /* rwPduName: the Redfish Name, the Id when the PDU has none. */
    if (rs_mib_set_text(up->mib, &row->name, pdu->name != NULL ? pdu->name : pdu->id, err) !=
            RW_OK ||
        rs_mib_set_text(up->mib, &row->endpoint, up->ep->name, err) != RW_OK ||
        rs_mib_set_text(up->mib, &row->redfish_id, pdu->id, err) != RW_OK ||
        rs_mib_set_text(up->mib, &row->manufacturer, pdu->manufacturer, err) != RW_OK ||
        rs_mib_set_text(up->mib, &row->model, pdu->model, err) != RW_OK ||
        rs_mib_set_text(up->mib, &row->serial, pdu->serial, err) != RW_OK ||
        rs_mib_set_text(up->mib, &row->firmware, pdu->firmware, err) != RW_OK) {
        return RW_ENOMEM;
    }
    return RW_OK;
}

static enum rw_rc
update_pdu_children(struct update *up, const struct rf_pdu *pdu, uint32_t pdu_idx)
{
    size_t i;

    for (i = 0; i < pdu->n_inlets; i++) {
        if (update_inlet(up, pdu, pdu_idx, &pdu->inlets[i]) != RW_OK) {
            return RW_ENOMEM;
        }
    }
    for (i = 0; i < pdu->n_branches; i++) {
        if (update_branch(up, pdu, pdu_idx, &pdu->branches[i]) != RW_OK) {
            return RW_ENOMEM;
        }
    }
    for (i = 0; i < pdu->n_outlets; i++) {
        if (update_outlet(up, pdu, pdu_idx, &pdu->outlets[i]) != RW_OK) {
            return RW_ENOMEM;
        }
    }
    return RW_OK;
}

static enum rw_rc
update_pdu(struct update *up, const struct rf_pdu *pdu)
{
    uint32_t idx;
    struct pdu_row *row;
    int32_t health = rs_health(pdu->health);

    if (key_index(up, RS_NS_PDU, pdu->id, NULL, &idx) != RW_OK ||
        row_for(up, RS_TAB_PDU, &idx, (void **)&row) != RW_OK ||
        fill_pdu_text(up, row, pdu) != RW_OK) {
        return RW_ENOMEM;
    }
    if (row->polled) {
        struct rs_change change = {.kind = RS_CHANGE_PDU_HEALTH,
                                   .n_indexes = 1,
                                   .indexes = {idx},
                                   .text1 = row->name,
                                   .text2 = up->ep->name};

        notify(up->mib, &change, row->health, health);
    }
    row->health = health;
    /* Metrics failing for a poll (a 503, a time-out) keeps the totals of the last one
     * rather than blank them until the next: a blip is not an absent reading.  Only for a
     * few polls: a device that keeps failing it has no totals to show. */
    row->kept = pdu->metrics_failed && row->polled && row->kept < RS_KEEP_POLLS ? row->kept + 1 : 0;
    if (row->kept == 0) {
        row->power_w = rs_reading(pdu->power_w, 1.0);
        row->energy_wh = rs_energy_wh(pdu->energy_kwh);
        row->temperature_dc = rs_signed_reading(pdu->temperature_c, 10.0);
    }
    row->data_status = RS_DATA_OK;
    row->polled = 1;
    return update_pdu_children(up, pdu, idx);
}

/* The polls in a row a server reading has been kept, this one included: 0 when this poll's
 * value (present, or absent for a reason that does not pass) is to be written. */
static int
keep_reading(double value, bool failed, int polled, int kept)
{
    return !rf_has(value) && failed && polled && kept < RS_KEEP_POLLS ? kept + 1 : 0;
}

static enum rw_rc
fill_server_text(struct update *up, struct server_row *row, const struct rf_server *srv)
{
    struct rw_err *err = up->err;

    /* rwServerName: the Redfish Name, the Id when the system has none. */
    if (rs_mib_set_text(up->mib, &row->name, srv->name != NULL ? srv->name : srv->id, err) !=
            RW_OK ||
        rs_mib_set_text(up->mib, &row->endpoint, up->ep->name, err) != RW_OK ||
        rs_mib_set_text(up->mib, &row->redfish_id, srv->id, err) != RW_OK ||
        rs_mib_set_text(up->mib, &row->manufacturer, srv->manufacturer, err) != RW_OK ||
        rs_mib_set_text(up->mib, &row->model, srv->model, err) != RW_OK ||
        rs_mib_set_text(up->mib, &row->serial, srv->serial, err) != RW_OK) {
        return RW_ENOMEM;
    }
    return RW_OK;
}

static enum rw_rc
update_server(struct update *up, const struct rf_server *srv)
{
    uint32_t idx;
    struct server_row *row;
    int32_t health = rs_health(srv->health), power = rs_power_state(srv->power_state);

    if (key_index(up, RS_NS_SERVER, srv->id, NULL, &idx) != RW_OK ||
        row_for(up, RS_TAB_SERVER, &idx, (void **)&row) != RW_OK ||
        fill_server_text(up, row, srv) != RW_OK) {
        return RW_ENOMEM;
    }
    if (row->polled) {
        struct rs_change change = {.kind = RS_CHANGE_SERVER_HEALTH,
                                   .n_indexes = 1,
                                   .indexes = {idx},
                                   .text1 = row->name,
                                   .text2 = up->ep->name};

        notify(up->mib, &change, row->health, health);
        change.kind = RS_CHANGE_SERVER_POWER;
        notify(up->mib, &change, row->power_state, power);
    }
    row->health = health;
    row->power_state = power;
    /* As for a PDU's totals: a reading absent because the resource it is read from failed
     * keeps the last one, for a few polls; each reading counts its own. */
    row->kept_power = keep_reading(srv->power_w, srv->power_failed, row->polled, row->kept_power);
    if (row->kept_power == 0) {
        row->power_w = rs_reading(srv->power_w, 1.0);
    }
    row->kept_temp = keep_reading(srv->inlet_temp_c, srv->temp_failed, row->polled, row->kept_temp);
    if (row->kept_temp == 0) {
        row->inlet_temp_dc = rs_signed_reading(srv->inlet_temp_c, 10.0);
    }
    row->data_status = RS_DATA_OK;
    row->polled = 1;
    return RW_OK;
}

/* A stale row's values are no longer "the last poll's": none is kept past an outage. */
static void
mark_pdu_stale(void *data, void *ctx)
{
    struct pdu_row *row = data;

    (void)ctx;
    row->data_status = RS_DATA_STALE;
    row->kept = RS_KEEP_POLLS;
}

static void
mark_server_stale(void *data, void *ctx)
{
    struct server_row *row = data;

    (void)ctx;
    row->data_status = RS_DATA_STALE;
    row->kept_power = RS_KEEP_POLLS;
    row->kept_temp = RS_KEEP_POLLS;
}

/* Replaces the endpoint's PDU and server rows with what this poll read. */
static enum rw_rc
apply_success(struct update *up)
{
    size_t i;
    int tab;

    for (i = 0; i < up->ep->n_pdus; i++) {
        if (update_pdu(up, &up->ep->pdus[i]) != RW_OK) {
            return RW_ENOMEM;
        }
    }
    for (i = 0; i < up->ep->n_servers; i++) {
        if (update_server(up, &up->ep->servers[i]) != RW_OK) {
            return RW_ENOMEM;
        }
    }
    for (tab = RS_TAB_PDU; tab < RS_TAB_COUNT; tab++) {
        rs_table_sweep(up->mib->tables[tab], up->owner, up->generation);
    }
    return RW_OK;
}

static enum rw_rc
update_endpoint_row(struct update *up, struct endpoint_row *row, time_t now)
{
    int32_t status;

    row->last_poll = now;
    row->duration_ms = up->ep->duration_ms >= 0 && up->ep->duration_ms <= INT32_MAX
                           ? (int32_t)up->ep->duration_ms
                           : RS_NOT_REPORTED;
    if (up->ep->ok) {
        row->last_success = now;
        status = RS_DATA_OK;
    } else {
        status = row->last_success != 0 ? RS_DATA_STALE : RS_DATA_UNAVAILABLE;
    }
    if (rs_mib_set_text(up->mib, &row->error, up->ep->ok ? NULL : up->ep->error, up->err) !=
        RW_OK) {
        return RW_ENOMEM;
    }
    /* Coming up at start (unavailable to ok) is not news; losing or regaining data is. */
    if (row->data_status != RS_DATA_UNAVAILABLE) {
        struct rs_change change = {.kind = RS_CHANGE_DATA_STATUS,
                                   .n_indexes = 1,
                                   .indexes = {up->owner},
                                   .text1 = row->name,
                                   .text2 = row->error};

        notify(up->mib, &change, row->data_status, status);
    }
    row->data_status = status;
    return RW_OK;
}

enum rw_rc
rs_mib_update(struct rs_mib *mib, const struct rf_endpoint *ep, time_t now, struct rw_err *err)
{
    struct update up = {.mib = mib, .ep = ep, .err = err};
    struct endpoint_row *row;

    if (rs_mib_endpoint_declare(mib, ep->name, ep->url, ep->kind, err) != RW_OK ||
        rs_index_get(mib->index, RS_NS_ENDPOINT, ep->name, &up.owner, err) != RW_OK) {
        return err != NULL ? err->code : RW_ENOMEM;
    }
    row = rs_table_find(mib->tables[RS_TAB_ENDPOINT], &up.owner);
    if (ep->ok) {
        up.generation = ++mib->generation;
        if (apply_success(&up) != RW_OK) {
            return RW_ENOMEM;
        }
    } else {
        rs_table_each(mib->tables[RS_TAB_PDU], up.owner, mark_pdu_stale, NULL);
        rs_table_each(mib->tables[RS_TAB_SERVER], up.owner, mark_server_stale, NULL);
    }
    return update_endpoint_row(&up, row, now);
}

#include "rs_mib.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "rs_mib_int.h"

#include <stdio.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#define COL(num, type, row, field)                                                                 \
    {                                                                                              \
        (num), (type), offsetof(struct row, field)                                                 \
    }
#define N(array) (sizeof(array) / sizeof((array)[0]))

static const unsigned long agent_oid[] = {RS_MIB_OBJECTS, 1};
static const unsigned long endpoint_oid[] = {RS_MIB_OBJECTS, 3};
static const unsigned long pdu_oid[] = {RS_MIB_OBJECTS, 4};
static const unsigned long inlet_oid[] = {RS_MIB_OBJECTS, 5};
static const unsigned long inlet_phase_oid[] = {RS_MIB_OBJECTS, 6};
static const unsigned long branch_oid[] = {RS_MIB_OBJECTS, 7};
static const unsigned long branch_phase_oid[] = {RS_MIB_OBJECTS, 8};
static const unsigned long outlet_oid[] = {RS_MIB_OBJECTS, 9};
static const unsigned long server_oid[] = {RS_MIB_OBJECTS, 10};

static const struct rs_column endpoint_columns[] = {
    COL(2, RS_COL_TEXT, endpoint_row, name),
    COL(3, RS_COL_TEXT, endpoint_row, url),
    COL(4, RS_COL_INT32, endpoint_row, kind),
    COL(5, RS_COL_INT32, endpoint_row, data_status),
    COL(6, RS_COL_TEXT, endpoint_row, error),
    COL(7, RS_COL_DATETIME, endpoint_row, last_poll),
    COL(8, RS_COL_DATETIME, endpoint_row, last_success),
    COL(9, RS_COL_INT32, endpoint_row, duration_ms),
};

static const struct rs_column pdu_columns[] = {
    COL(2, RS_COL_TEXT, pdu_row, name),
    COL(3, RS_COL_TEXT, pdu_row, endpoint),
    COL(4, RS_COL_TEXT, pdu_row, redfish_id),
    COL(5, RS_COL_TEXT, pdu_row, manufacturer),
    COL(6, RS_COL_TEXT, pdu_row, model),
    COL(7, RS_COL_TEXT, pdu_row, serial),
    COL(8, RS_COL_TEXT, pdu_row, firmware),
    COL(9, RS_COL_INT32, pdu_row, health),
    COL(10, RS_COL_INT32, pdu_row, power_w),
    COL(11, RS_COL_COUNTER64, pdu_row, energy_wh),
    COL(12, RS_COL_INT32, pdu_row, temperature_dc),
    COL(13, RS_COL_INT32, pdu_row, data_status),
};

static const struct rs_column inlet_columns[] = {
    COL(2, RS_COL_TEXT, circuit_row, name),
    COL(3, RS_COL_INT32, circuit_row, current_ma),
    COL(4, RS_COL_INT32, circuit_row, voltage_mv),
    COL(5, RS_COL_INT32, circuit_row, power_w),
    COL(6, RS_COL_COUNTER64, circuit_row, energy_wh),
    COL(7, RS_COL_INT32, circuit_row, frequency_dhz),
    COL(8, RS_COL_INT32, circuit_row, health),
};

static const struct rs_column branch_columns[] = {
    COL(2, RS_COL_TEXT, circuit_row, name),           COL(3, RS_COL_INT32, circuit_row, current_ma),
    COL(4, RS_COL_INT32, circuit_row, voltage_mv),    COL(5, RS_COL_INT32, circuit_row, power_w),
    COL(6, RS_COL_COUNTER64, circuit_row, energy_wh), COL(7, RS_COL_INT32, circuit_row, breaker),
    COL(8, RS_COL_INT32, circuit_row, health),
};

static const struct rs_column phase_columns[] = {
    COL(2, RS_COL_INT32, phase_row, current_ma),
    COL(3, RS_COL_INT32, phase_row, voltage_mv),
    COL(4, RS_COL_INT32, phase_row, power_w),
    COL(5, RS_COL_COUNTER64, phase_row, energy_wh),
};

static const struct rs_column outlet_columns[] = {
    COL(2, RS_COL_TEXT, outlet_row, redfish_id),     COL(3, RS_COL_TEXT, outlet_row, name),
    COL(4, RS_COL_INT32, outlet_row, state),         COL(5, RS_COL_INT32, outlet_row, current_ma),
    COL(6, RS_COL_INT32, outlet_row, voltage_mv),    COL(7, RS_COL_INT32, outlet_row, power_w),
    COL(8, RS_COL_COUNTER64, outlet_row, energy_wh), COL(9, RS_COL_INT32, outlet_row, health),
};

static const struct rs_column server_columns[] = {
    COL(2, RS_COL_TEXT, server_row, name),
    COL(3, RS_COL_TEXT, server_row, endpoint),
    COL(4, RS_COL_TEXT, server_row, redfish_id),
    COL(5, RS_COL_TEXT, server_row, manufacturer),
    COL(6, RS_COL_TEXT, server_row, model),
    COL(7, RS_COL_TEXT, server_row, serial),
    COL(8, RS_COL_INT32, server_row, power_state),
    COL(9, RS_COL_INT32, server_row, health),
    COL(10, RS_COL_INT32, server_row, power_w),
    COL(11, RS_COL_INT32, server_row, inlet_temp_dc),
    COL(12, RS_COL_INT32, server_row, data_status),
};

/* Releases the n text fields of a row, from first on, back to the MIB's pool. */
static void
release_texts(struct rs_mib *mib, const char **first, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        rs_text_release(mib->texts, first[i]);
    }
}

static void
endpoint_cleanup(void *data, void *ctx)
{
    struct endpoint_row *row = data;
    const char *texts[] = {row->name, row->url, row->error};

    release_texts(ctx, texts, N(texts));
}

static void
pdu_cleanup(void *data, void *ctx)
{
    struct pdu_row *row = data;
    const char *texts[] = {row->name,  row->endpoint, row->redfish_id, row->manufacturer,
                           row->model, row->serial,   row->firmware};

    release_texts(ctx, texts, N(texts));
}

static void
circuit_cleanup(void *data, void *ctx)
{
    struct rs_mib *mib = ctx;

    rs_text_release(mib->texts, ((struct circuit_row *)data)->name);
}

static void
outlet_cleanup(void *data, void *ctx)
{
    struct outlet_row *row = data;
    const char *texts[] = {row->redfish_id, row->name};

    release_texts(ctx, texts, N(texts));
}

static void
server_cleanup(void *data, void *ctx)
{
    struct server_row *row = data;
    const char *texts[] = {row->name,         row->endpoint, row->redfish_id,
                           row->manufacturer, row->model,    row->serial};

    release_texts(ctx, texts, N(texts));
}

_Static_assert(sizeof(struct outlet_row) == 56, "an outlet row's block must stay 96 bytes");

#define TABLE(tname, toid, nidx, cols, row, cleanup)                                               \
    {                                                                                              \
        (tname), (toid), N(toid), (nidx), (cols), N(cols), sizeof(struct row), (cleanup)           \
    }

static const struct rs_table_def table_defs[RS_TAB_COUNT] = {
    [RS_TAB_ENDPOINT] =
        TABLE("rwEndpointTable", endpoint_oid, 1, endpoint_columns, endpoint_row, endpoint_cleanup),
    [RS_TAB_PDU] = TABLE("rwPduTable", pdu_oid, 1, pdu_columns, pdu_row, pdu_cleanup),
    [RS_TAB_INLET] =
        TABLE("rwInletTable", inlet_oid, 2, inlet_columns, circuit_row, circuit_cleanup),
    [RS_TAB_INLET_PHASE] =
        TABLE("rwInletPhaseTable", inlet_phase_oid, 3, phase_columns, phase_row, NULL),
    [RS_TAB_BRANCH] =
        TABLE("rwBranchTable", branch_oid, 2, branch_columns, circuit_row, circuit_cleanup),
    [RS_TAB_BRANCH_PHASE] =
        TABLE("rwBranchPhaseTable", branch_phase_oid, 3, phase_columns, phase_row, NULL),
    [RS_TAB_OUTLET] =
        TABLE("rwOutletTable", outlet_oid, 2, outlet_columns, outlet_row, outlet_cleanup),
    [RS_TAB_SERVER] =
        TABLE("rwServerTable", server_oid, 1, server_columns, server_row, server_cleanup),
};

enum rw_rc
rs_mib_set_text(struct rs_mib *mib, const char **dst, const char *src, struct rw_err *err)
{
    return rs_text_set(mib->texts, dst, src, err);
}

/* rwAgent's scalars (version, start time, configuration time), from the MIB struct. */
static int
agent_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reginfo,
              netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    const struct rs_mib *mib = handler->myvoid;
    netsnmp_request_info *req;
    unsigned char when[11];

    (void)reginfo;
    if (reqinfo->mode != MODE_GET) {
        return SNMP_ERR_NOERROR;
    }
    for (req = requests; req != NULL; req = req->next) {
        /* The scalar group helper lengthens reginfo's root while calling us; our own
         * registration length is where the object's sub-identifier sits. */
        oid which =
            req->requestvb->name_length > N(agent_oid) ? req->requestvb->name[N(agent_oid)] : 0;

        if (which == 1) {
            (void)snmp_set_var_typed_value(req->requestvb, ASN_OCTET_STR, mib->version,
                                           strlen(mib->version));
        } else if (which == 2 || which == 3) {
            (void)snmp_set_var_typed_value(
                req->requestvb, ASN_OCTET_STR, when,
                rs_date_and_time(which == 2 ? mib->start_time : mib->config_time, when));
        } else {
            netsnmp_set_request_error(reqinfo, req, SNMP_NOSUCHOBJECT);
        }
    }
    return SNMP_ERR_NOERROR;
}

static enum rw_rc
register_agent_scalars(struct rs_mib *mib, struct rw_err *err)
{
    netsnmp_handler_registration *reg = netsnmp_create_handler_registration(
        "rwAgent", agent_handler, agent_oid, N(agent_oid), HANDLER_CAN_RONLY);

    if (reg == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory registering rwAgent");
    }
    reg->handler->myvoid = mib;
    if (netsnmp_register_scalar_group(reg, 1, 3) != MIB_REGISTERED_OK) {
        return rw_err_set(err, RW_EINVAL, "cannot register rwAgent with the agent");
    }
    mib->agent_reg = reg;
    return RW_OK;
}

void
rs_mib_set_agent(struct rs_mib *mib, const char *version, time_t start_time)
{
    (void)snprintf(mib->version, sizeof(mib->version), "%s", version);
    mib->start_time = start_time;
}

void
rs_mib_config_loaded(struct rs_mib *mib, time_t when)
{
    mib->config_time = when;
}

enum rw_rc
rs_mib_new(struct rs_index *index, rs_change_fn *on_change, void *ctx, struct rs_mib **out,
           struct rw_err *err)
{
    struct rs_mib *mib = calloc(1, sizeof(*mib));
    size_t i;

    *out = NULL;
    if (mib == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory for the MIB tables");
    }
    mib->index = index;
    mib->on_change = on_change;
    mib->ctx = ctx;
    mib->generation = 1;
    if (rs_text_pool_new(&mib->texts, err) != RW_OK || register_agent_scalars(mib, err) != RW_OK) {
        rs_mib_free(mib);
        return err != NULL ? err->code : RW_EINVAL;
    }
    for (i = 0; i < RS_TAB_COUNT; i++) {
        if (rs_table_new(&table_defs[i], mib, &mib->tables[i], err) != RW_OK) {
            rs_mib_free(mib);
            return err != NULL ? err->code : RW_EINVAL;
        }
    }
    *out = mib;
    return RW_OK;
}

void
rs_mib_free(struct rs_mib *mib)
{
    size_t i;

    if (mib == NULL) {
        return;
    }
    for (i = 0; i < RS_TAB_COUNT; i++) {
        rs_table_free(mib->tables[i]);
    }
    if (mib->agent_reg != NULL) {
        (void)netsnmp_unregister_handler(mib->agent_reg);
    }
    rs_text_pool_free(mib->texts);
    free(mib);
}

enum rw_rc
rs_mib_endpoint_declare(struct rs_mib *mib, const char *name, const char *url, enum rf_kind kind,
                        struct rw_err *err)
{
    /* RackwatchEndpointKind: pdu(1), server(2), auto(3). */
    static const int32_t kinds[] = {[RF_KIND_AUTO] = 3, [RF_KIND_PDU] = 1, [RF_KIND_SERVER] = 2};
    struct endpoint_row *row;
    uint32_t idx;
    int fresh;

    if (rs_index_get(mib->index, RS_NS_ENDPOINT, name, &idx, err) != RW_OK) {
        return err != NULL ? err->code : RW_ENOMEM;
    }
    fresh = rs_table_find(mib->tables[RS_TAB_ENDPOINT], &idx) == NULL;
    if (rs_table_row(mib->tables[RS_TAB_ENDPOINT], &idx, idx, 0, (void **)&row, err) != RW_OK) {
        return RW_ENOMEM;
    }
    if (fresh) {
        row->data_status = RS_DATA_UNAVAILABLE;
        row->duration_ms = -1;
    }
    row->kind = kinds[kind];
    if (rs_mib_set_text(mib, &row->name, name, err) != RW_OK ||
        rs_mib_set_text(mib, &row->url, url, err) != RW_OK) {
        return RW_ENOMEM;
    }
    return RW_OK;
}

void
rs_mib_endpoint_remove(struct rs_mib *mib, const char *name)
{
    uint32_t idx;
    size_t i;

    if (rs_index_get(mib->index, RS_NS_ENDPOINT, name, &idx, NULL) != RW_OK) {
        return;
    }
    /* No update stamps UINT_MAX, so every row of the owner goes. */
    for (i = 0; i < RS_TAB_COUNT; i++) {
        rs_table_sweep(mib->tables[i], idx, (unsigned)-1);
    }
}

void
rs_mib_counts(struct rs_mib *mib, size_t *endpoints, size_t *pdus, size_t *outlets, size_t *servers)
{
    *endpoints = rs_table_count(mib->tables[RS_TAB_ENDPOINT]);
    *pdus = rs_table_count(mib->tables[RS_TAB_PDU]);
    *outlets = rs_table_count(mib->tables[RS_TAB_OUTLET]);
    *servers = rs_table_count(mib->tables[RS_TAB_SERVER]);
}

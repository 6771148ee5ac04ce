/* rs_mib internals shared by rs_mib.c (tables) and rs_mib_update.c (model to rows). */
#ifndef RS_MIB_INT_H
#define RS_MIB_INT_H

#include "rs_mib.h"
#include "rs_table.h"
#include "rs_text.h"

enum rs_tab {
    RS_TAB_ENDPOINT = 0,
    RS_TAB_PDU,
    RS_TAB_INLET,
    RS_TAB_INLET_PHASE,
    RS_TAB_BRANCH,
    RS_TAB_BRANCH_PHASE,
    RS_TAB_OUTLET,
    RS_TAB_SERVER,
    RS_TAB_COUNT,
};

/* Text fields are borrowed from the MIB's text pool (rs_mib_set_text()). */
struct endpoint_row {
    struct rs_row_head head;
    const char *name, *url, *error;
    int32_t kind, data_status, duration_ms;
    time_t last_poll, last_success;
};

struct pdu_row {
    struct rs_row_head head;
    const char *name, *endpoint, *redfish_id, *manufacturer, *model, *serial, *firmware;
    int32_t health, power_w, temperature_dc, data_status;
    struct rs_counter64 energy_wh;
    int polled; /* a poll has filled the row: changes after this are notified */
    int kept;   /* polls in a row whose totals were kept (Metrics failed, rs_mib_update.c) */
};

struct circuit_row { /* an inlet or a branch */
    struct rs_row_head head;
    const char *name;
    int32_t current_ma, voltage_mv, power_w, frequency_dhz, breaker, health;
    struct rs_counter64 energy_wh;
};

struct phase_row {
    struct rs_row_head head;
    int32_t current_ma, voltage_mv, power_w;
    struct rs_counter64 energy_wh;
};

/* 56 bytes, so that a row's block (key, row, 2-part OID) is a 96-byte heap chunk: the
 * table has a row per outlet, 48,000 at 1,000 PDUs. */
struct outlet_row {
    struct rs_row_head head;
    const char *redfish_id, *name;
    int32_t state, current_ma, voltage_mv, power_w, health;
    int polled;
    struct rs_counter64 energy_wh;
};

struct server_row {
    struct rs_row_head head;
    const char *name, *endpoint, *redfish_id, *manufacturer, *model, *serial;
    int32_t power_state, health, power_w, inlet_temp_dc, data_status;
    int polled;
    int kept_power, kept_temp; /* polls in a row each reading was kept (rs_mib_update.c) */
};

struct rs_mib {
    struct rs_table *tables[RS_TAB_COUNT];
    void *agent_reg; /* the rwAgent scalar group's netsnmp_handler_registration */
    char version[65];
    time_t start_time, config_time;
    struct rs_index *index;
    struct rs_text_pool *texts; /* every text of every row */
    rs_change_fn *on_change;
    void *ctx;
    unsigned generation;
};

/* Makes *dst the pool's copy of src (NULL stays NULL), releasing the old text; RW_ENOMEM. */
RW_MUSTCHECK enum rw_rc rs_mib_set_text(struct rs_mib *mib, const char **dst, const char *src,
                                        struct rw_err *err);

#endif

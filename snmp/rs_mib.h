/*
 * rs_mib: RACKWATCH-MIB's endpoint, PDU, inlet, branch, outlet and server tables, kept
 * up to date from the poller's model.
 *
 * The tables are registered once; after every poll of an endpoint its rows are updated
 * in place (rows it no longer reports disappear, new ones appear with indexes from the
 * rs_index registry).  An endpoint whose poll failed keeps its values, marked stale.
 * Every change a manager should hear of is reported to a callback, which sends the
 * notification.
 */
#ifndef RS_MIB_H
#define RS_MIB_H

#include <stdint.h>
#include <time.h>

#include "rf_model.h"
#include "rs_index.h"
#include "rw_err.h"

/* RACKWATCH-MIB's rwObjects: netSnmpPlaypen.7225.1 (see mibs/README.md to move it). */
#define RS_MIB_OBJECTS  1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 7225, 1
#define RS_MIB_ROOT_LEN 10 /* rackwatchMIB's sub-identifiers */

/* RackwatchDataStatus */
enum rs_data_status {
    RS_DATA_OK = 1,
    RS_DATA_STALE = 2,
    RS_DATA_UNAVAILABLE = 3,
};

/* What changed; the numbers follow the MIB's notifications under rwNotifications. */
enum rs_change_kind {
    RS_CHANGE_SPOKE_STATUS = 1,
    RS_CHANGE_PDU_HEALTH = 2,
    RS_CHANGE_SERVER_HEALTH = 3,
    RS_CHANGE_SERVER_POWER = 4,
    RS_CHANGE_OUTLET_STATE = 5,
    RS_CHANGE_DATA_STATUS = 6,
};

/*
 * One change, borrowed for the duration of the callback: what the notification carries.
 * text1/text2 are, by kind: hub or spoke name/status detail, PDU name/endpoint, server
 * name/endpoint, PDU name/outlet name, endpoint name/error (may be NULL).
 */
struct rs_change {
    enum rs_change_kind kind;
    uint32_t indexes[2]; /* the row: {spoke}, {endpoint}, {pdu}, {server} or {pdu, outlet} */
    unsigned n_indexes;
    int32_t old_value, new_value; /* MIB enumeration values */
    const char *text1, *text2;
    int32_t role; /* RS_CHANGE_SPOKE_STATUS: rwSpokeRole, hub(1) or spoke(2) */
};

typedef void rs_change_fn(void *ctx, const struct rs_change *change);

struct rs_mib;

/*
 * Registers the tables with the agent (after rs_agent_start).  index is borrowed and
 * must outlive the MIB; on_change (may be NULL) is called for every change after the
 * first poll of a row.  Free with rs_mib_free().
 */
RW_MUSTCHECK enum rw_rc rs_mib_new(struct rs_index *index, rs_change_fn *on_change, void *ctx,
                                   struct rs_mib **out, struct rw_err *err);

/* Unregisters the tables and frees every row.  NULL does nothing. */
void rs_mib_free(struct rs_mib *mib);

/*
 * Declares a configured endpoint (before its first poll): its row appears with data
 * status unavailable.  Calling it again for a known endpoint updates its URL and kind.
 */
RW_MUSTCHECK enum rw_rc rs_mib_endpoint_declare(struct rs_mib *mib, const char *name,
                                                const char *url, enum rf_kind kind,
                                                struct rw_err *err);

/*
 * Applies one poll's result: ep->name names the endpoint (declared or not).  On success
 * the endpoint's PDUs and servers replace its previous rows; on failure its rows stay,
 * marked stale.  now is when the poll finished.
 */
RW_MUSTCHECK enum rw_rc rs_mib_update(struct rs_mib *mib, const struct rf_endpoint *ep, time_t now,
                                      struct rw_err *err);

/* Removes an endpoint and every row that came from it (after a reload dropped it). */
void rs_mib_endpoint_remove(struct rs_mib *mib, const char *name);

/* Sets rwAgentVersion and rwAgentStartTime (version is copied, cut at 64 bytes). */
void rs_mib_set_agent(struct rs_mib *mib, const char *version, time_t start_time);

/* Sets rwAgentConfigTime: when the configuration was last loaded. */
void rs_mib_config_loaded(struct rs_mib *mib, time_t when);

/* Row counts, for logs and tests: endpoints, PDUs, outlets, servers. */
void rs_mib_counts(struct rs_mib *mib, size_t *endpoints, size_t *pdus, size_t *outlets,
                   size_t *servers);

#endif

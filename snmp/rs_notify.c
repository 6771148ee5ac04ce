#include "rs_notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/agent/agent_callbacks.h>

/* Where a varbind's value comes from, and which instance it names. */
enum source {
    SRC_TEXT1,
    SRC_TEXT2,
    SRC_OLD,
    SRC_NEW,
    SRC_ROLE,
};

enum instance {
    INST_ROW,   /* the row's indexes */
    INST_FIRST, /* only the first index: the PDU of an outlet */
    INST_ZERO,  /* .0: the accessible-for-notify objects */
};

#define RS_NOTIFY_VARBINDS_MAX 5

/* object[0] == 0 ends a notification's list before RS_NOTIFY_VARBINDS_MAX. */
struct varbind_spec {
    oid object[3]; /* under rwObjects: table, entry (1) or 0 for a scalar group, column */
    enum instance instance;
    enum source source;
};

struct notification_spec {
    enum rs_change_kind kind;
    struct varbind_spec varbinds[RS_NOTIFY_VARBINDS_MAX];
};

static const struct notification_spec notifications[] = {
    {RS_CHANGE_SPOKE_STATUS,
     {{{2, 1, 2}, INST_ROW, SRC_TEXT1},
      {{2, 1, 4}, INST_ROW, SRC_ROLE},
      {{11, 1, 0}, INST_ZERO, SRC_OLD},
      {{2, 1, 5}, INST_ROW, SRC_NEW},
      {{2, 1, 6}, INST_ROW, SRC_TEXT2}}},
    {RS_CHANGE_PDU_HEALTH,
     {{{4, 1, 2}, INST_ROW, SRC_TEXT1},
      {{4, 1, 3}, INST_ROW, SRC_TEXT2},
      {{11, 2, 0}, INST_ZERO, SRC_OLD},
      {{4, 1, 9}, INST_ROW, SRC_NEW}}},
    {RS_CHANGE_SERVER_HEALTH,
     {{{10, 1, 2}, INST_ROW, SRC_TEXT1},
      {{10, 1, 3}, INST_ROW, SRC_TEXT2},
      {{11, 2, 0}, INST_ZERO, SRC_OLD},
      {{10, 1, 9}, INST_ROW, SRC_NEW}}},
    {RS_CHANGE_SERVER_POWER,
     {{{10, 1, 2}, INST_ROW, SRC_TEXT1},
      {{10, 1, 3}, INST_ROW, SRC_TEXT2},
      {{11, 3, 0}, INST_ZERO, SRC_OLD},
      {{10, 1, 8}, INST_ROW, SRC_NEW}}},
    {RS_CHANGE_OUTLET_STATE,
     {{{4, 1, 2}, INST_FIRST, SRC_TEXT1},
      {{9, 1, 3}, INST_ROW, SRC_TEXT2},
      {{11, 3, 0}, INST_ZERO, SRC_OLD},
      {{9, 1, 4}, INST_ROW, SRC_NEW}}},
    {RS_CHANGE_DATA_STATUS,
     {{{3, 1, 2}, INST_ROW, SRC_TEXT1},
      {{11, 4, 0}, INST_ZERO, SRC_OLD},
      {{3, 1, 5}, INST_ROW, SRC_NEW},
      {{3, 1, 6}, INST_ROW, SRC_TEXT2}}},
};

static const oid objects_oid[] = {RS_MIB_OBJECTS};
static const oid trap_oid_oid[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0}; /* snmpTrapOID.0 */

/* Builds the varbind's OID: rwObjects.table.entry.column.<instance>. Returns its length. */
static size_t
varbind_oid(const struct varbind_spec *spec, const struct rs_change *change, oid *out)
{
    size_t len = sizeof(objects_oid) / sizeof(objects_oid[0]), i;
    unsigned n = spec->instance == INST_ROW ? change->n_indexes : 1;

    memcpy(out, objects_oid, sizeof(objects_oid));
    out[len++] = spec->object[0];
    out[len++] = spec->object[1];
    if (spec->instance == INST_ZERO) {
        out[len++] = 0; /* rwNotifyObjects.N.0 */
        return len;
    }
    out[len++] = spec->object[2];
    for (i = 0; i < n; i++) {
        out[len++] = change->indexes[i];
    }
    return len;
}

static void
add_varbind(netsnmp_variable_list **vars, const struct varbind_spec *spec,
            const struct rs_change *change)
{
    oid name[MAX_OID_LEN];
    size_t len = varbind_oid(spec, change, name);
    const char *text;
    long value;

    switch (spec->source) {
    case SRC_TEXT1:
    case SRC_TEXT2:
        text = spec->source == SRC_TEXT1 ? change->text1 : change->text2;
        text = text != NULL ? text : "";
        (void)snmp_varlist_add_variable(vars, name, len, ASN_OCTET_STR, text, strlen(text));
        return;
    case SRC_OLD:
    case SRC_NEW:
    case SRC_ROLE:
        value = spec->source == SRC_OLD   ? change->old_value
                : spec->source == SRC_NEW ? change->new_value
                                          : change->role;
        (void)snmp_varlist_add_variable(vars, name, len, ASN_INTEGER, &value, sizeof(value));
        return;
    }
}

/* Sends the notification for change through the agent (snmpd's trap sinks, or ours). */
static void
send_change(const struct rs_change *change)
{
    oid trap[sizeof(objects_oid) / sizeof(objects_oid[0]) + 2];
    size_t root_len = RS_MIB_ROOT_LEN, i, v;
    netsnmp_variable_list *vars = NULL;

    for (i = 0; i < sizeof(notifications) / sizeof(notifications[0]); i++) {
        if (notifications[i].kind != change->kind) {
            continue;
        }
        /* rackwatchMIB.0.N */
        memcpy(trap, objects_oid, root_len * sizeof(oid));
        trap[root_len] = 0;
        trap[root_len + 1] = (oid)change->kind;
        (void)snmp_varlist_add_variable(&vars, trap_oid_oid,
                                        sizeof(trap_oid_oid) / sizeof(trap_oid_oid[0]),
                                        ASN_OBJECT_ID, trap, (root_len + 2) * sizeof(oid));
        for (v = 0; v < RS_NOTIFY_VARBINDS_MAX && notifications[i].varbinds[v].object[0] != 0;
             v++) {
            add_varbind(&vars, &notifications[i].varbinds[v], change);
        }
        send_v2trap(vars);
        snmp_free_varbind(vars);
        return;
    }
}

/* A change held while snmpd is away, with its own copies of the texts. */
struct held {
    struct rs_change change;
    char *text1, *text2;
};

struct rs_notifier {
    const struct rw_log *log;
    bool subagent;
    bool connected;                       /* the AgentX session is open */
    struct held held[RS_NOTIFY_HELD_MAX]; /* a ring: first, then n in order */
    size_t first, n;
    unsigned long dropped; /* older changes that did not fit, since the last opening */
};

static void
held_clear(struct held *h)
{
    free(h->text1);
    free(h->text2);
    memset(h, 0, sizeof(*h));
}

/* Forgets the oldest held change. */
static void
pop_first(struct rs_notifier *notifier)
{
    held_clear(&notifier->held[notifier->first]);
    notifier->first = (notifier->first + 1) % RS_NOTIFY_HELD_MAX;
    notifier->n--;
}

/* Keeps a copy of change; past RS_NOTIFY_HELD_MAX the oldest goes. */
static void
hold(struct rs_notifier *notifier, const struct rs_change *change)
{
    struct held *h;

    if (notifier->n == RS_NOTIFY_HELD_MAX) {
        pop_first(notifier);
        notifier->dropped++;
    }
    h = &notifier->held[(notifier->first + notifier->n) % RS_NOTIFY_HELD_MAX];
    h->change = *change;
    h->text1 = change->text1 != NULL ? strdup(change->text1) : NULL;
    h->text2 = change->text2 != NULL ? strdup(change->text2) : NULL;
    /* Out of memory a text is sent empty rather than the change lost. */
    h->change.text1 = h->text1;
    h->change.text2 = h->text2;
    notifier->n++;
}

/* SNMPD_CALLBACK_INDEX_START: the session to snmpd is open (again); send what waited. */
static int
on_master_up(int major, int minor, void *serverarg, void *clientarg)
{
    struct rs_notifier *notifier = clientarg;
    size_t sent = notifier->n;

    (void)major;
    (void)minor;
    (void)serverarg;
    notifier->connected = true;
    if (sent == 0) {
        return SNMPERR_SUCCESS;
    }
    rw_log(notifier->log, RW_LOG_NOTICE,
           "snmpd is back: sending %zu notifications held while it was away%s", sent,
           notifier->dropped > 0 ? " (older ones were dropped)" : "");
    while (notifier->n > 0) {
        send_change(&notifier->held[notifier->first].change);
        pop_first(notifier);
    }
    notifier->dropped = 0;
    return SNMPERR_SUCCESS;
}

/* SNMPD_CALLBACK_INDEX_STOP: snmpd went away; hold notifications until it is back. */
static int
on_master_down(int major, int minor, void *serverarg, void *clientarg)
{
    struct rs_notifier *notifier = clientarg;

    (void)major;
    (void)minor;
    (void)serverarg;
    notifier->connected = false;
    return SNMPERR_SUCCESS;
}

enum rw_rc
rs_notifier_new(const struct rw_log *log, bool subagent, struct rs_notifier **out,
                struct rw_err *err)
{
    struct rs_notifier *notifier = calloc(1, sizeof(*notifier));

    *out = NULL;
    if (notifier == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory for the notifications");
    }
    notifier->log = log;
    notifier->subagent = subagent;
    if (subagent && (snmp_register_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_START,
                                            on_master_up, notifier) != SNMPERR_SUCCESS ||
                     snmp_register_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_STOP,
                                            on_master_down, notifier) != SNMPERR_SUCCESS)) {
        rs_notifier_free(notifier);
        return rw_err_set(err, RW_ENOMEM, "out of memory watching the AgentX session");
    }
    *out = notifier;
    return RW_OK;
}

void
rs_notifier_free(struct rs_notifier *notifier)
{
    if (notifier == NULL) {
        return;
    }
    if (notifier->subagent) {
        (void)snmp_unregister_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_START,
                                       on_master_up, notifier, 1);
        (void)snmp_unregister_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_STOP,
                                       on_master_down, notifier, 1);
    }
    while (notifier->n > 0) {
        pop_first(notifier);
    }
    free(notifier);
}

void
rs_notify_change(struct rs_notifier *notifier, const struct rs_change *change)
{
    if (notifier->subagent && !notifier->connected) {
        hold(notifier, change);
        return;
    }
    send_change(change);
}

static const char *
enum_name(const char *const *names, size_t n, int32_t value)
{
    return value >= 1 && (size_t)value <= n ? names[value - 1] : "?";
}

const char *
rs_change_describe(const struct rs_change *change, char *buf, size_t len)
{
    static const char *const health[] = {"ok", "warning", "critical", "unknown"};
    static const char *const power[] = {"on",         "off",         "unknown",
                                        "poweringOn", "poweringOff", "paused"};
    static const char *const data[] = {"ok", "stale", "unavailable"};
    static const char *const spoke[] = {"ok", "notResponding", "versionsNotCompatible",
                                        "certificatesDoNotMatch", "invalidServer"};
    const char *t1 = change->text1 != NULL ? change->text1 : "";
    const char *t2 = change->text2 != NULL ? change->text2 : "";
    int32_t o = change->old_value, n = change->new_value;

    switch (change->kind) {
    case RS_CHANGE_SPOKE_STATUS:
        (void)snprintf(buf, len, "%s %s: status %s -> %s%s%s%s",
                       change->role == 1 ? "hub" : "spoke", t1, enum_name(spoke, 5, o),
                       enum_name(spoke, 5, n), *t2 != '\0' ? " (" : "", t2, *t2 != '\0' ? ")" : "");
        break;
    case RS_CHANGE_PDU_HEALTH:
    case RS_CHANGE_SERVER_HEALTH:
        (void)snprintf(buf, len, "%s %s (%s): health %s -> %s",
                       change->kind == RS_CHANGE_PDU_HEALTH ? "PDU" : "server", t1, t2,
                       enum_name(health, 4, o), enum_name(health, 4, n));
        break;
    case RS_CHANGE_SERVER_POWER:
        (void)snprintf(buf, len, "server %s (%s): power %s -> %s", t1, t2, enum_name(power, 6, o),
                       enum_name(power, 6, n));
        break;
    case RS_CHANGE_OUTLET_STATE:
        (void)snprintf(buf, len, "outlet %s of PDU %s: state %s -> %s", t2, t1,
                       enum_name(power, 6, o), enum_name(power, 6, n));
        break;
    case RS_CHANGE_DATA_STATUS:
        (void)snprintf(buf, len, "endpoint %s: data %s -> %s%s%s%s", t1, enum_name(data, 3, o),
                       enum_name(data, 3, n), *t2 != '\0' ? " (" : "", t2, *t2 != '\0' ? ")" : "");
        break;
    }
    return buf;
}

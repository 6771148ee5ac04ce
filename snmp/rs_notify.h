/*
 * rs_notify: RACKWATCH-MIB notifications for the changes rs_mib reports, sent as
 * SNMPv2 notifications through the master agent (snmpd forwards them to its trap sinks).
 */
#ifndef RS_NOTIFY_H
#define RS_NOTIFY_H

#include "rs_mib.h"
#include "rw_log.h"

#include <stdbool.h>
#include <stddef.h>

/*
 * Writes one line describing change for a log, e.g. "outlet web-01 of PDU 1: state on ->
 * off" or "endpoint pdu-a1: data ok -> stale (connection refused)"; returns buf.
 */
const char *rs_change_describe(const struct rs_change *change, char *buf, size_t len);

/*
 * The notifications of one daemon.  As an AgentX subagent they go through snmpd; while
 * snmpd is away (stopped, restarting) they are held, the newest RS_NOTIFY_HELD_MAX of
 * them, and sent in order when the session is open again, so that a change seen during
 * an snmpd restart still reaches the managers.  Standalone, they go out at once.
 */
#define RS_NOTIFY_HELD_MAX 256

struct rs_notifier;

/*
 * Call before rs_agent_start(): it watches the AgentX session from its first opening.
 * log is borrowed (NULL: silent).  Free with rs_notifier_free().  RW_ENOMEM.
 */
RW_MUSTCHECK enum rw_rc rs_notifier_new(const struct rw_log *log, bool subagent,
                                        struct rs_notifier **out, struct rw_err *err);

/* Stops watching the session and drops what is held; NULL does nothing.  Call before
 * rs_agent_stop(): snmp_shutdown() frees the argument of every callback still registered. */
void rs_notifier_free(struct rs_notifier *notifier);

/* Sends the notification for change, or holds it while snmpd is away.  Never blocks. */
void rs_notify_change(struct rs_notifier *notifier, const struct rs_change *change);

#endif

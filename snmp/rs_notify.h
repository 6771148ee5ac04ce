/*
 * rs_notify: RACKWATCH-MIB notifications for the changes rs_mib reports, sent as
 * SNMPv2 notifications through the master agent (snmpd forwards them to its trap sinks).
 */
#ifndef RS_NOTIFY_H
#define RS_NOTIFY_H

#include "rs_mib.h"

#include <stddef.h>

/*
 * Writes one line describing change for a log, e.g. "outlet web-01 of PDU 1: state on ->
 * off" or "endpoint pdu-a1: data ok -> stale (connection refused)"; returns buf.
 */
const char *rs_change_describe(const struct rs_change *change, char *buf, size_t len);

/* Sends the notification for change.  Never blocks: AgentX queues it to snmpd. */
void rs_notify_change(const struct rs_change *change);

#endif

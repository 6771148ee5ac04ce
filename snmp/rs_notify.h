/*
 * rs_notify: RACKWATCH-MIB notifications for the changes rs_mib reports, sent as
 * SNMPv2 notifications through the master agent (snmpd forwards them to its trap sinks).
 */
#ifndef RS_NOTIFY_H
#define RS_NOTIFY_H

#include "rs_mib.h"

/* Sends the notification for change.  Never blocks: AgentX queues it to snmpd. */
void rs_notify_change(const struct rs_change *change);

#endif

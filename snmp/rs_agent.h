/*
 * rs_agent: Net-SNMP set up as an AgentX subagent of snmpd.
 *
 * Net-SNMP keeps its own process-wide state; this module is the only place that
 * touches its start-up and shut-down, so the rest of the daemon sees two calls.
 */
#ifndef RS_AGENT_H
#define RS_AGENT_H

#include "rw_err.h"
#include "rw_log.h"

struct rs_agent_opts {
    const char *name;          /* application name: config file stem and log ident */
    const char *agentx_socket; /* NULL: Net-SNMP's default (/var/agentx/master) */
    int ping_interval_s;       /* AgentX ping period: how soon a restarted snmpd is seen */
    int use_syslog;            /* without log: Net-SNMP's messages to syslog, not stderr */
    const struct rw_log *log;  /* Net-SNMP's own messages go here, as ours do; borrowed
                                  until rs_agent_stop().  NULL: use_syslog decides */
    const char *standalone;    /* non-NULL: be an SNMP agent on this address, no snmpd */
    const char *snmp_config;   /* an snmpd.conf-style file (access control), or NULL */
};

/*
 * Initialises Net-SNMP as an AgentX subagent and starts connecting to the master.
 * Not being able to reach snmpd yet is not an error: the ping alarm keeps retrying.
 * With opts->standalone it is an SNMP agent of its own on that address instead (for
 * sites whose tables are large): access is what opts->snmp_config and Net-SNMP's usual
 * configuration files (rackwatchd.conf) grant, and nothing without them.
 * Register MIB handlers after this call.
 */
RW_MUSTCHECK enum rw_rc rs_agent_start(const struct rs_agent_opts *opts, struct rw_err *err);

/* Closes the AgentX session and releases Net-SNMP. */
void rs_agent_stop(const char *name);

#endif

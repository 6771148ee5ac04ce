#include "rs_agent.h"

#include <stdlib.h>
#include <syslog.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

/* From Net-SNMP's MIB modules library: the VACM configuration tokens (rocommunity...). */
void init_vacm_vars(void);
void init_usmUser(void);
void add_to_init_list(char *module_list);

/* Master mode: our own listening address and Net-SNMP's access control. */
static void
setup_standalone(const struct rs_agent_opts *opts)
{
    static char no_smux[] = "-smux"; /* no SMUX listener on port 199: we serve SNMP only */

    netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 0);
    netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_PORTS, opts->standalone);
    netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID,
                           NETSNMP_DS_AGENT_DONT_LOG_TCPWRAPPERS_CONNECTS, 1);
    add_to_init_list(no_smux);
    if (opts->snmp_config != NULL) {
        netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_OPTIONALCONFIG,
                              opts->snmp_config);
    }
}

enum rw_rc
rs_agent_start(const struct rs_agent_opts *opts, struct rw_err *err)
{
    /* The subagent serves OIDs by number; reading every MIB on the system would only
     * print warnings about modules Debian does not ship. */
    if (setenv("MIBS", "", 1) != 0) {
        return rw_err_set(err, RW_ENOMEM, "out of memory setting MIBS");
    }
    if (opts->use_syslog) {
        snmp_enable_syslog_ident(opts->name, LOG_DAEMON);
    } else {
        snmp_enable_stderrlog();
    }
    netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 1);
    if (opts->standalone != NULL) {
        setup_standalone(opts);
    } else if (opts->agentx_socket != NULL) {
        netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET,
                              opts->agentx_socket);
    }
    /* Alarms (the AgentX ping among them) run from our poll loop, never from SIGALRM. */
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_ALARM_DONT_USE_SIG, 1);
    /* Nothing of ours persists in Net-SNMP's state directory. */
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
    if (init_agent(opts->name) != 0) {
        return rw_err_set(err, RW_EINVAL, "cannot initialise the Net-SNMP agent library");
    }
    /* After init_agent(), which sets the default of 15 s; before init_snmp() connects. */
    netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL,
                       opts->ping_interval_s);
    if (opts->standalone != NULL) {
        init_vacm_vars();
        init_usmUser();
    }
    init_snmp(opts->name);
    if (opts->standalone != NULL && init_master_agent() != 0) {
        return rw_err_set(err, RW_ECONNECT, "cannot listen on %s", opts->standalone);
    }
    return RW_OK;
}

void
rs_agent_stop(const char *name)
{
    snmp_shutdown(name);
    shutdown_agent();
}

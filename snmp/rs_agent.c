#include "rs_agent.h"

#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

/* From Net-SNMP's MIB modules library: the VACM configuration tokens (rocommunity...). */
void init_vacm_vars(void);
void init_usmUser(void);
void add_to_init_list(char *module_list);

/* The rw_log level of a syslog priority from Net-SNMP.  It says "AgentX subagent
 * connected" and "master disconnected us" at LOG_INFO: for us those are notices. */
static enum rw_log_level
level_of(int priority)
{
    if (priority <= LOG_ERR) {
        return RW_LOG_ERR;
    }
    if (priority == LOG_WARNING) {
        return RW_LOG_WARNING;
    }
    return priority == LOG_DEBUG ? RW_LOG_DEBUG : RW_LOG_NOTICE;
}

/*
 * SNMP_CALLBACK_LOGGING: a message of Net-SNMP, one line of ours with our ident, level
 * and destination (stderr or syslog), and subject to --log-level, instead of bare text
 * on stderr beside our lines.
 */
static int
on_netsnmp_log(int major, int minor, void *serverarg, void *clientarg)
{
    const struct snmp_log_message *message = serverarg;
    const struct rw_log *log = clientarg;
    size_t len = strlen(message->msg);

    (void)major;
    (void)minor;
    while (len > 0 && (message->msg[len - 1] == '\n' || message->msg[len - 1] == '\r')) {
        len--;
    }
    if (len > 0) {
        rw_log(log, level_of(message->priority), "%.*s", (int)len, message->msg);
    }
    return SNMPERR_SUCCESS;
}

static void
setup_logging(const struct rs_agent_opts *opts)
{
    if (opts->log != NULL &&
        netsnmp_register_loghandler(NETSNMP_LOGHANDLER_CALLBACK, LOG_DEBUG) != NULL &&
        snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, on_netsnmp_log,
                               (void *)opts->log) == SNMPERR_SUCCESS) {
        return;
    }
    if (opts->use_syslog) {
        snmp_enable_syslog_ident(opts->name, LOG_DAEMON);
    } else {
        snmp_enable_stderrlog();
    }
}

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
    setup_logging(opts);
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
    /* Before snmp_shutdown(), which frees every callback's argument: ours is the
     * caller's log.  Net-SNMP's last words go nowhere. */
    (void)snmp_unregister_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, on_netsnmp_log,
                                   NULL, 0);
    snmp_shutdown(name);
    shutdown_agent();
}

/*
 * rs_mib_serve: a test-only AgentX subagent that serves RACKWATCH-MIB from a model built
 * here by hand, so the SNMP side (tables, scaling, sparse columns, notifications) is
 * tested against a real snmpd without any Redfish device.
 *
 *   rs_mib_serve AGENTX_SOCKET INDEX_FILE [PDUS OUTLETS]
 *   rs_mib_serve udp:ADDRESS:PORT INDEX_FILE [PDUS OUTLETS]   (standalone agent; access
 *                from the snmpd.conf-style file named by $RS_SNMP_CONFIG)
 *
 * With PDUS and OUTLETS it serves that many synthetic PDU endpoints of that many outlets
 * each instead (for bench/snmp_walk.sh).  RS_SERVE_LOOP=netsnmp serves with Net-SNMP's
 * agent_check_and_process(1) instead of rs_loop, for comparing the two loops.
 * SIGUSR1 applies a second poll (outlet A1 off, PDU health Warning, server off and
 * Critical); SIGUSR2 a failed poll of pdu-a1; SIGTERM stops.
 */
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "rf_model.h"
#include "rs_agent.h"
#include "rs_index.h"
#include "rs_loop.h"
#include "rs_mib.h"
#include "rs_notify.h"
#include "rw_parse.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

struct serve {
    struct rs_mib *mib;
    struct rs_notifier *notifier;
    int running, poll_no;
};

static void
must(enum rw_rc rc, const struct rw_err *err)
{
    if (rc != RW_OK) {
        (void)fprintf(stderr, "rs_mib_serve: %s\n", err->msg);
        exit(1);
    }
}

static void
add_pdu(struct rf_endpoint *ep, int second)
{
    struct rw_err err = {0};
    struct rf_pdu *pdu;
    struct rf_inlet *in;
    struct rf_branch *br;
    struct rf_outlet *a1, *a2;

    must(rf_pdu_add(ep, &pdu, &err), &err);
    must(rf_str_set(&pdu->id, "1", &err), &err);
    must(rf_str_set(&pdu->manufacturer, "Contoso", &err), &err);
    must(rf_str_set(&pdu->model, "RPDU-3", &err), &err);
    must(rf_str_set(&pdu->serial, "SN1", &err), &err);
    must(rf_str_set(&pdu->firmware, "1.2.3", &err), &err);
    must(rf_str_set(&pdu->health, second ? "Warning" : "OK", &err), &err);
    pdu->power_w = 1234.4;
    pdu->energy_kwh = 4567.891;
    pdu->temperature_c = -3.2;
    must(rf_inlet_add(pdu, &in, &err), &err);
    must(rf_str_set(&in->id, "AC1", &err), &err);
    in->voltage_v = 230.1;
    in->current_a = 5.5;
    in->power_w = 1265;
    in->energy_kwh = 100.5;
    in->frequency_hz = 50.02;
    must(rf_str_set(&in->health, "OK", &err), &err);
    must(rf_lines_add(&in->phase_current_a, "Line1", 5.125, &err), &err);
    must(rf_lines_add(&in->phase_current_a, "Neutral", NAN, &err), &err);
    must(rf_lines_add(&in->phase_voltage_v, "Line1ToNeutral", 230.1, &err), &err);
    must(rf_branch_add(pdu, &br, &err), &err);
    must(rf_str_set(&br->id, "A", &err), &err);
    br->current_a = 2.25;
    br->power_w = 500;
    must(rf_str_set(&br->breaker_state, "Normal", &err), &err);
    must(rf_outlet_add(pdu, &a1, &err), &err);
    must(rf_str_set(&a1->id, "A1", &err), &err);
    must(rf_str_set(&a1->name, "web-01", &err), &err);
    must(rf_str_set(&a1->power_state, second ? "Off" : "On", &err), &err);
    a1->current_a = 0.5;
    a1->power_w = 115;
    a1->energy_kwh = 1.5;
    must(rf_outlet_add(pdu, &a2, &err), &err);
    must(rf_str_set(&a2->id, "A2", &err), &err);
    must(rf_str_set(&a2->power_state, "Off", &err), &err);
}

static void
add_server(struct rf_endpoint *ep, int second)
{
    struct rw_err err = {0};
    struct rf_server *srv;

    must(rf_server_add(ep, &srv, &err), &err);
    must(rf_str_set(&srv->id, "437XR1138R2", &err), &err);
    must(rf_str_set(&srv->manufacturer, "Contoso", &err), &err);
    must(rf_str_set(&srv->power_state, second ? "Off" : "On", &err), &err);
    must(rf_str_set(&srv->health, second ? "Critical" : "OK", &err), &err);
    srv->power_w = 344.5;
    srv->inlet_temp_c = 21.3;
}

static void
apply(struct serve *serve, const char *name, enum rf_kind kind, int poll_no)
{
    struct rw_err err = {0};
    struct rf_endpoint *ep = rf_endpoint_new();

    if (ep == NULL) {
        exit(1);
    }
    must(rf_str_set(&ep->name, name, &err), &err);
    must(
        rf_str_set(&ep->url, kind == RF_KIND_PDU ? "https://127.0.0.1:1" : "https://[::1]:2", &err),
        &err);
    ep->kind = kind;
    ep->duration_ms = 41;
    ep->ok = poll_no != 3;
    if (!ep->ok) {
        rf_endpoint_fail(ep, "connection refused");
    } else if (kind == RF_KIND_PDU) {
        add_pdu(ep, poll_no == 2);
    } else {
        add_server(ep, poll_no == 2);
    }
    must(rs_mib_update(serve->mib, ep, time(NULL), &err), &err);
    rf_endpoint_free(ep);
}

/* One synthetic endpoint with a three-phase PDU of n_outlets outlets, for benchmarks. */
static void
apply_synthetic(struct serve *serve, int number, int n_outlets)
{
    struct rw_err err = {0};
    struct rf_endpoint *ep = rf_endpoint_new();
    struct rf_pdu *pdu;
    char name[32];
    int i;

    if (ep == NULL) {
        exit(1);
    }
    (void)snprintf(name, sizeof(name), "pdu-%d", number);
    must(rf_str_set(&ep->name, name, &err), &err);
    must(rf_str_set(&ep->url, "https://127.0.0.1:1", &err), &err);
    ep->kind = RF_KIND_PDU;
    ep->ok = true;
    add_pdu(ep, 0);
    pdu = &ep->pdus[0];
    for (i = 2; i < n_outlets; i++) {
        struct rf_outlet *out;

        (void)snprintf(name, sizeof(name), "B%d", i);
        must(rf_outlet_add(pdu, &out, &err), &err);
        must(rf_str_set(&out->id, name, &err), &err);
        must(rf_str_set(&out->power_state, "On", &err), &err);
        out->current_a = 0.25 * i;
        out->power_w = 50.0 + i;
        out->energy_kwh = 10.0 * i;
    }
    must(rs_mib_update(serve->mib, ep, time(NULL), &err), &err);
    rf_endpoint_free(ep);
}

static void
on_change(void *ctx, const struct rs_change *change)
{
    struct serve *serve = ctx;

    (void)printf("change kind=%d old=%d new=%d %s %s\n", change->kind, change->old_value,
                 change->new_value, change->text1 != NULL ? change->text1 : "-",
                 change->text2 != NULL ? change->text2 : "-");
    (void)fflush(stdout);
    rs_notify_change(serve->notifier, change);
}

static void
on_signal(void *ctx, int fd, short revents)
{
    struct serve *serve = ctx;
    struct signalfd_siginfo info;

    (void)revents;
    while (read(fd, &info, sizeof(info)) == (ssize_t)sizeof(info)) {
        if (info.ssi_signo == SIGUSR1) {
            apply(serve, "pdu-a1", RF_KIND_PDU, 2);
            apply(serve, "bmc-1", RF_KIND_SERVER, 2);
        } else if (info.ssi_signo == SIGUSR2) {
            apply(serve, "pdu-a1", RF_KIND_PDU, 3);
        } else {
            serve->running = 0;
        }
        (void)printf("applied signal %u\n", info.ssi_signo);
        (void)fflush(stdout);
    }
}

int
main(int argc, char **argv)
{
    struct rs_agent_opts agent = {.name = "rs_mib_serve", .ping_interval_s = 1};
    struct serve serve = {.running = 1};
    struct rs_index *index = NULL;
    struct rs_loop *loop = NULL;
    struct rw_err err = {0};
    sigset_t mask;
    int sfd, netsnmp_loop;

    if (argc != 3 && argc != 5) {
        (void)fprintf(stderr, "usage: rs_mib_serve AGENTX_SOCKET INDEX_FILE [PDUS OUTLETS]\n");
        return 2;
    }
    if (strncmp(argv[1], "udp:", 4) == 0) {
        agent.standalone = argv[1];
        agent.snmp_config = getenv("RS_SNMP_CONFIG");
    } else {
        agent.agentx_socket = argv[1];
    }
    (void)sigemptyset(&mask);
    (void)sigaddset(&mask, SIGTERM);
    (void)sigaddset(&mask, SIGUSR1);
    (void)sigaddset(&mask, SIGUSR2);
    (void)sigprocmask(SIG_BLOCK, &mask, NULL);
    sfd = signalfd(-1, &mask, SFD_NONBLOCK);
    must(rs_loop_new(&loop, &err), &err);
    must(rs_loop_watch(loop, sfd, POLLIN, on_signal, &serve, &err), &err);
    must(rs_notifier_new(NULL, agent.standalone == NULL, &serve.notifier, &err), &err);
    must(rs_agent_start(&agent, &err), &err);
    must(rs_index_new(&index, &err), &err);
    must(rs_index_load(index, argv[2], &err), &err);
    must(rs_mib_new(index, on_change, &serve, &serve.mib, &err), &err);
    rs_mib_set_agent(serve.mib, "test-1.0", 86400);
    rs_mib_config_loaded(serve.mib, 2 * 86400);
    if (argc == 5) {
        int64_t n = 0, m = 0, i;

        if (rw_parse_i64(argv[3], 1, 100000, &n) != RW_OK ||
            rw_parse_i64(argv[4], 2, 1000, &m) != RW_OK) {
            (void)fprintf(stderr, "rs_mib_serve: PDUS 1-100000, OUTLETS 2-1000\n");
            return 2;
        }
        for (i = 1; i <= n; i++) {
            apply_synthetic(&serve, (int)i, (int)m);
        }
    } else {
        must(rs_mib_endpoint_declare(serve.mib, "pdu-a1", "https://127.0.0.1:1", RF_KIND_PDU, &err),
             &err);
        must(rs_mib_endpoint_declare(serve.mib, "bmc-1", "https://[::1]:2", RF_KIND_SERVER, &err),
             &err);
        apply(&serve, "pdu-a1", RF_KIND_PDU, 1);
        apply(&serve, "bmc-1", RF_KIND_SERVER, 1);
    }
    must(rs_index_save(index, argv[2], &err), &err);
    {
        size_t e, p, o, s;

        rs_mib_counts(serve.mib, &e, &p, &o, &s);
        (void)printf("serving %zu endpoints, %zu PDUs, %zu outlets, %zu servers\n", e, p, o, s);
    }
    (void)fflush(stdout);
    /* RS_SERVE_LOOP=netsnmp: Net-SNMP's own agent_check_and_process(1) instead of rs_loop,
       to see what our loop costs (bench/snmp_walk.sh); signals are then read between
       its calls, which the AgentX ping alarm bounds to a second. */
    netsnmp_loop =
        getenv("RS_SERVE_LOOP") != NULL && strcmp(getenv("RS_SERVE_LOOP"), "netsnmp") == 0;
    while (serve.running) {
        if (netsnmp_loop) {
            (void)agent_check_and_process(1);
            on_signal(&serve, sfd, POLLIN);
            continue;
        }
        must(rs_loop_run_once(loop, 500, &err), &err);
    }
    rs_mib_free(serve.mib);
    rs_notifier_free(serve.notifier);
    rs_agent_stop(agent.name);
    rs_index_free(index);
    rs_loop_free(loop);
    (void)close(sfd);
    return 0;
}

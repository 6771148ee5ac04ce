/*
 * rackwatchd: the rackwatch AgentX subagent.
 *
 * One process, one thread, one event loop (rs_loop) shared by the AgentX session and
 * the Redfish client.  Signals arrive through a signalfd on the same loop, so no
 * handler ever runs in signal context.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "rs_agent.h"
#include "rs_index.h"
#include "rs_loop.h"
#include "rs_mib.h"
#include "rs_notify.h"
#include "rs_poller.h"
#include "rs_spokes.h"
#include "rw_config.h"

#include <curl/curl.h>
#include "rw_log.h"
#include "rw_parse.h"

#define RACKWATCHD_NAME "rackwatchd"

enum {
    EXIT_OK = 0,
    EXIT_FAILED = 1,
    EXIT_USAGE = 2
};

struct daemon_opts {
    const char *config_path;
    const char *agentx_socket;
    const char *standalone;
    const char *snmp_config;
    int foreground;
    int use_syslog;
    int ping_interval_s;
    enum rw_log_level log_level;
};

/* The daemon's one context: everything that lives as long as the process. */
struct daemon {
    struct daemon_opts opts;
    struct rw_log log;
    struct rs_loop *loop;
    struct rs_index *index;
    struct rs_mib *mib;
    struct rw_config *cfg;
    struct rs_poller *poller;
    struct rs_spokes *spokes;
    struct rs_notifier *notifier;
    int signal_fd;
    int running;
    int reload_requested;
};

static void
usage(FILE *out)
{
    (void)fprintf(
        out,
        "Usage: %s [--config FILE] [--agentx-socket PATH | --standalone ADDRESS]\n"
        "          [--snmp-config FILE] [--foreground] [--syslog]\n"
        "          [--ping-interval SECONDS] [--log-level LEVEL] [-h] [-V]\n"
        "\n"
        "  -c, --config FILE         the rackwatch YAML configuration\n"
        "  -x, --agentx-socket PATH  snmpd's AgentX socket (default /var/agentx/master)\n"
        "  -f, --foreground          stay in the foreground (logs to stderr)\n"
        "      --syslog              log to syslog (facility daemon)\n"
        "      --standalone ADDRESS  be an SNMP agent on ADDRESS (e.g. udp:127.0.0.1:1161)\n"
        "                            instead of an AgentX subagent of snmpd\n"
        "      --snmp-config FILE    snmpd.conf-style access control for --standalone\n"
        "                            (rocommunity, rouser...); without it, no access\n"
        "      --ping-interval S     AgentX ping period, 1-3600 s (default 5): how\n"
        "                            soon a restarted snmpd is noticed\n"
        "      --log-level LEVEL     error, warning, notice, info or debug\n"
        "  -h, --help                this help\n"
        "  -V, --version             the version\n",
        RACKWATCHD_NAME);
}

enum {
    OPT_SYSLOG = 256,
    OPT_PING,
    OPT_LOG_LEVEL,
    OPT_STANDALONE,
    OPT_SNMP_CONFIG,
};

static const struct option long_options[] = {
    {"config", required_argument, NULL, 'c'},
    {"agentx-socket", required_argument, NULL, 'x'},
    {"foreground", no_argument, NULL, 'f'},
    {"syslog", no_argument, NULL, OPT_SYSLOG},
    {"standalone", required_argument, NULL, OPT_STANDALONE},
    {"snmp-config", required_argument, NULL, OPT_SNMP_CONFIG},
    {"ping-interval", required_argument, NULL, OPT_PING},
    {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

/* Applies one option; returns -1 to go on, else the exit code main() should return. */
static int
apply_option(struct daemon_opts *opts, int opt, const char *arg)
{
    int64_t number;

    switch (opt) {
    case 'c':
        opts->config_path = arg;
        return -1;
    case 'x':
        opts->agentx_socket = arg;
        return -1;
    case 'f':
        opts->foreground = 1;
        return -1;
    case OPT_SYSLOG:
        opts->use_syslog = 1;
        return -1;
    case OPT_STANDALONE:
        opts->standalone = arg;
        return -1;
    case OPT_SNMP_CONFIG:
        opts->snmp_config = arg;
        return -1;
    case OPT_PING:
        if (rw_parse_i64(arg, 1, 3600, &number) != RW_OK) {
            (void)fprintf(stderr, "%s: --ping-interval: expected 1-3600 seconds, got '%s'\n",
                          RACKWATCHD_NAME, arg);
            return EXIT_USAGE;
        }
        opts->ping_interval_s = (int)number;
        return -1;
    case OPT_LOG_LEVEL:
        if (rw_log_level_parse(arg, &opts->log_level) != RW_OK) {
            (void)fprintf(stderr,
                          "%s: --log-level: expected error, warning, notice, info or "
                          "debug, got '%s'\n",
                          RACKWATCHD_NAME, arg);
            return EXIT_USAGE;
        }
        return -1;
    case 'h':
        usage(stdout);
        return EXIT_OK;
    case 'V':
        (void)printf("%s %s\n", RACKWATCHD_NAME, RACKWATCH_VERSION);
        return EXIT_OK;
    default:
        (void)fprintf(stderr, "Try '%s --help'.\n", RACKWATCHD_NAME);
        return EXIT_USAGE;
    }
}

static int
parse_options(int argc, char **argv, struct daemon_opts *opts)
{
    int opt, rc;

    opts->ping_interval_s = 5;
    opts->log_level = RW_LOG_NOTICE;
    while ((opt = getopt_long(argc, argv, "c:x:fhV", long_options, NULL)) != -1) {
        rc = apply_option(opts, opt, optarg);
        if (rc >= 0) {
            return rc;
        }
    }
    if (optind < argc) {
        (void)fprintf(stderr, "%s: unexpected argument '%s'\n", RACKWATCHD_NAME, argv[optind]);
        return EXIT_USAGE;
    }
    if (opts->config_path == NULL) {
        (void)fprintf(stderr, "%s: --config FILE is required\n", RACKWATCHD_NAME);
        return EXIT_USAGE;
    }
    return -1;
}

/* Reads the pending signals off the signalfd and turns them into requests. */
static void
on_signal(void *ctx, int fd, short revents)
{
    struct daemon *daemon = ctx;
    struct signalfd_siginfo info;

    (void)revents;
    while (read(fd, &info, sizeof(info)) == (ssize_t)sizeof(info)) {
        if (info.ssi_signo == SIGHUP) {
            daemon->reload_requested = 1;
        } else {
            rw_log(&daemon->log, RW_LOG_NOTICE, "signal %u: stopping", info.ssi_signo);
            daemon->running = 0;
        }
    }
}

/* Blocks the signals we serve and routes them to a signalfd on the loop. */
static enum rw_rc
setup_signals(struct daemon *daemon, struct rw_err *err)
{
    sigset_t mask;

    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
        return rw_err_set(err, RW_EINVAL, "cannot ignore SIGPIPE: %s", strerror(errno));
    }
    (void)sigemptyset(&mask);
    (void)sigaddset(&mask, SIGTERM);
    (void)sigaddset(&mask, SIGINT);
    (void)sigaddset(&mask, SIGHUP);
    if (sigprocmask(SIG_BLOCK, &mask, NULL) != 0) {
        return rw_err_set(err, RW_EINVAL, "sigprocmask: %s", strerror(errno));
    }
    daemon->signal_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    if (daemon->signal_fd < 0) {
        return rw_err_set(err, RW_EINVAL, "signalfd: %s", strerror(errno));
    }
    return rs_loop_watch(daemon->loop, daemon->signal_fd, POLLIN, on_signal, daemon, err);
}

/* A change the tables noticed: log it and tell the managers. */
static void
on_change(void *ctx, const struct rs_change *change)
{
    const struct daemon *daemon = ctx;
    char line[512];

    rw_log(&daemon->log, RW_LOG_NOTICE, "%s", rs_change_describe(change, line, sizeof(line)));
    if (daemon->cfg->notifications) {
        rs_notify_change(daemon->notifier, change);
    }
}

static enum rw_rc
start_spokes(struct daemon *daemon, struct rw_err *err)
{
    struct rs_spokes_opts sopts = {
        .loop = daemon->loop,
        .index = daemon->index,
        .log = &daemon->log,
        .on_change = on_change,
        .ctx = daemon,
    };

    if (rs_spokes_new(&sopts, &daemon->spokes, err) != RW_OK) {
        return err->code;
    }
    return rs_spokes_configure(daemon->spokes, daemon->cfg, err);
}

static enum rw_rc
start_tables(struct daemon *daemon, struct rw_err *err)
{
    struct rs_poller_opts popts = {.loop = daemon->loop, .log = &daemon->log};

    if (rs_index_new(&daemon->index, err) != RW_OK ||
        rs_mib_new(daemon->index, on_change, daemon, &daemon->mib, err) != RW_OK) {
        return err->code;
    }
    rs_mib_set_agent(daemon->mib, RACKWATCH_VERSION, time(NULL));
    rs_mib_config_loaded(daemon->mib, time(NULL));
    popts.mib = daemon->mib;
    popts.index = daemon->index;
    if (rs_poller_new(&popts, &daemon->poller, err) != RW_OK ||
        rs_poller_configure(daemon->poller, daemon->cfg, err) != RW_OK) {
        return err->code;
    }
    /* after the poller's configure, which restores the saved indexes */
    return start_spokes(daemon, err);
}

/* SIGHUP: a configuration that loads replaces the running one; one that does not is
 * reported and the daemon goes on as it was. */
static void
reload(struct daemon *daemon)
{
    struct rw_config *cfg = NULL;
    struct rw_err err;

    rw_err_clear(&err);
    if (rw_config_load(daemon->opts.config_path, &cfg, &err) != RW_OK ||
        rs_poller_configure(daemon->poller, cfg, &err) != RW_OK) {
        rw_log(&daemon->log, RW_LOG_ERR, "reload failed, configuration unchanged: %s", err.msg);
        rw_config_free(cfg);
        return;
    }
    /* The checks copy what they need: on failure the old ones go on. */
    if (rs_spokes_configure(daemon->spokes, cfg, &err) != RW_OK) {
        rw_log(&daemon->log, RW_LOG_ERR, "reload: %s; the checks go on unchanged", err.msg);
    }
    rw_config_free(daemon->cfg);
    daemon->cfg = cfg;
    rs_mib_config_loaded(daemon->mib, time(NULL));
    rw_log(&daemon->log, RW_LOG_NOTICE, "reloaded %s: %zu endpoints, %zu spokes%s",
           daemon->opts.config_path, cfg->n_endpoints, cfg->n_spokes,
           cfg->hub != NULL ? " and a hub" : "");
}

/* SIGTERM: the snapshot is written and the sessions are logged out, for at most 5 s. */
static void
shut_down(struct daemon *daemon)
{
    int64_t deadline = rs_now_ms() + 5000;
    struct rw_err err;

    rw_err_clear(&err);
    if (daemon->poller == NULL) {
        return;
    }
    rs_poller_shutdown(daemon->poller);
    while (!rs_poller_idle(daemon->poller) && rs_now_ms() < deadline) {
        if (rs_loop_run_once(daemon->loop, 100, &err) != RW_OK) {
            break;
        }
    }
}

static enum rw_rc
daemon_start(struct daemon *daemon, struct rw_err *err)
{
    struct rs_agent_opts agent = {
        .name = RACKWATCHD_NAME,
        .agentx_socket = daemon->opts.agentx_socket != NULL ? daemon->opts.agentx_socket
                                                            : daemon->cfg->agentx_socket,
        .ping_interval_s = daemon->opts.ping_interval_s,
        .use_syslog = daemon->opts.use_syslog,
        .log = &daemon->log,
        .standalone = daemon->opts.standalone,
        .snmp_config = daemon->opts.snmp_config,
    };

    if (rs_loop_new(&daemon->loop, err) != RW_OK || setup_signals(daemon, err) != RW_OK ||
        rs_notifier_new(&daemon->log, daemon->opts.standalone == NULL, &daemon->notifier, err) !=
            RW_OK ||
        rs_agent_start(&agent, err) != RW_OK) {
        return err->code;
    }
    return start_tables(daemon, err);
}

static enum rw_rc
daemon_run(struct daemon *daemon, struct rw_err *err)
{
    daemon->running = 1;
    rw_log(&daemon->log, RW_LOG_NOTICE, "started: %zu endpoints, %zu spokes%s from %s",
           daemon->cfg->n_endpoints, daemon->cfg->n_spokes,
           daemon->cfg->hub != NULL ? " and a hub" : "", daemon->opts.config_path);
    while (daemon->running) {
        if (rs_loop_run_once(daemon->loop, 1000, err) != RW_OK) {
            return err->code;
        }
        if (daemon->reload_requested) {
            daemon->reload_requested = 0;
            reload(daemon);
        }
    }
    return RW_OK;
}

int
main(int argc, char **argv)
{
    struct daemon daemon = {.signal_fd = -1};
    struct rw_err err;
    int rc;

    rw_err_clear(&err);
    rc = parse_options(argc, argv, &daemon.opts);
    if (rc >= 0) {
        return rc;
    }
    if (daemon.opts.use_syslog) {
        rw_log_init_syslog(&daemon.log, RACKWATCHD_NAME, daemon.opts.log_level);
    } else {
        rw_log_init_stderr(&daemon.log, RACKWATCHD_NAME, daemon.opts.log_level);
    }
    if (rw_config_load(daemon.opts.config_path, &daemon.cfg, &err) != RW_OK) {
        (void)fprintf(stderr, "%s: %s\n", RACKWATCHD_NAME, err.msg);
        return EXIT_USAGE;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        (void)fprintf(stderr, "%s: cannot initialise libcurl\n", RACKWATCHD_NAME);
        rw_config_free(daemon.cfg);
        return EXIT_FAILED;
    }
    rc = EXIT_OK;
    if (daemon_start(&daemon, &err) != RW_OK || daemon_run(&daemon, &err) != RW_OK) {
        rw_log(&daemon.log, RW_LOG_ERR, "%s", err.msg);
        rc = EXIT_FAILED;
    }
    shut_down(&daemon);
    rs_spokes_free(daemon.spokes);
    rs_poller_free(daemon.poller);
    rw_config_free(daemon.cfg);
    curl_global_cleanup();
    rs_mib_free(daemon.mib);
    rs_index_free(daemon.index);
    rs_notifier_free(daemon.notifier);
    rs_agent_stop(RACKWATCHD_NAME);
    rs_loop_free(daemon.loop);
    if (daemon.signal_fd >= 0) {
        (void)close(daemon.signal_fd);
    }
    rw_log(&daemon.log, RW_LOG_NOTICE, "stopped");
    return rc;
}

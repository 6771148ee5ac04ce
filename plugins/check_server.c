/*
 * check_server: a server's BMC over Redfish, live (-H, one poll within -t) or from the
 * daemon's snapshot (--state FILE --endpoint NAME).  The verdict comes from
 * rw_server_eval, the same for both modes.  UNKNOWN for bad arguments, a stale or missing
 * snapshot and a metric the server does not report; CRITICAL when the BMC cannot be polled.
 */
#include <string.h>
#include <time.h>

#include "rw_opts.h"
#include "rw_plugin.h"
#include "rw_rfsrc.h"

/*
 * Built twice (see rw_rfsrc.h): check_server without libcurl, which hands a -H run to
 * check_server_live, and check_server_live (RW_LIVE_BUILD) with the live half.
 */
#ifdef RW_LIVE_BUILD
#include "rw_rflive.h"
#define HAVE_LIVE 1
#define LIVE_POLL rw_rflive_poll
#else
#define HAVE_LIVE 0
#define LIVE_POLL NULL
#endif
#define LIVE_HELPER "check_server_live"
#include "rw_server_eval.h"

/* The plugin's options; src must stay first (the rw_rfsrc handlers rely on it). */
struct server_args {
    struct rw_rfsrc_opts src;
    struct rw_server_check chk;
};

static enum rw_rc
on_system(void *ctx, const char *arg, struct rw_err *err)
{
    if (arg[0] == '\0') {
        return rw_err_set(err, RW_EINVAL, "empty system ID");
    }
    ((struct server_args *)ctx)->chk.system = arg;
    return RW_OK;
}

static enum rw_rc
on_metric(void *ctx, const char *arg, struct rw_err *err)
{
    return rw_server_metric_parse(arg, &((struct server_args *)ctx)->chk.metric, err);
}

static enum rw_rc
on_expect_power(void *ctx, const char *arg, struct rw_err *err)
{
    return rw_server_power_parse(arg, &((struct server_args *)ctx)->chk.expect_on, err);
}

static const struct rw_opt_spec server_opts[] = {
    RW_RFSRC_OPT_ROWS,
    {"system", 0, "ID", "check this ComputerSystem (default: the first)", on_system, 0},
    {"expect-power", 0, "On|Off", "expected power state (default On)", on_expect_power, 0},
    {"metric", 'm', "NAME", "power (W) or inlet-temp (degrees C), for -w/-c", on_metric, 0},
    {NULL, 0, NULL, NULL, NULL, 0},
};

static const struct rw_opts_info server_info = {
    .name = "check_server",
    .label = "SERVER",
    .synopsis = "-H BMC [-p 443] | --state FILE --endpoint NAME [--max-age 300]  [--system ID]\n"
                "       [--expect-power On|Off] [--metric power|inlet-temp [-w RANGE] "
                "[-c RANGE]] [-t 10] [TLS options]",
    .purpose = "Checks a server over Redfish: power state (CRITICAL when not the expected one),\n"
               "health rollup (Warning/Critical raise the state, with the Conditions'\n"
               "messages), and with --metric the power draw in W or the inlet temperature in\n"
               "degrees C against -w/-c. Readings come from the new power/thermal model\n"
               "first, the deprecated Power/Thermal resources after. Live with -H (one poll\n"
               "within -t), or from rackwatchd's snapshot with --state and --endpoint\n"
               "(UNKNOWN when older than --max-age seconds), with the same output.",
    .features = RW_OPTS_THRESHOLDS | RW_OPTS_TLS | RW_OPTS_AUTH,
    .default_port = 443,
    .extra = server_opts,
};

/* The whole command line, checked. */
static enum rw_rc
parse(struct rw_opts *opts, struct server_args *args, int argc, char **argv, struct rw_err *err)
{
    if (rw_opts_parse(opts, args, argc, argv, err) != RW_OK || opts->action != RW_OPTS_RUN) {
        return err->code;
    }
    args->chk.thr = opts->thr;
    if (rw_rfsrc_finish(&args->src, opts, err) != RW_OK ||
        rw_server_check_validate(&args->chk, err) != RW_OK) {
        return RW_EINVAL;
    }
    return RW_OK;
}

/* Gets the model, live or from the snapshot, and evaluates it. */
static int
run(const struct rw_opts *opts, const struct server_args *args, struct rw_plugin_out *out)
{
    struct rw_rfsrc src;
    enum rw_state state;
    struct rw_err err;
    int code;

    rw_err_clear(&err);
    if (rw_rfsrc_get(&args->src, opts, RF_KIND_SERVER, (int64_t)time(NULL), LIVE_POLL, &src,
                     &err) != RW_OK) {
        code = rw_plugin_report(rw_state_for(err.code), &err, out);
    } else if (rw_server_eval(&args->chk, src.ep, out, &state, &err) != RW_OK) {
        rw_plugin_out_cleanup(out);
        rw_plugin_out_init(out, server_info.label);
        code = rw_plugin_report(RW_STATE_UNKNOWN, &err, out);
    } else {
        if (opts->verbose > 0 && rw_rfsrc_describe(&args->src, &src, out) != RW_OK) {
            rw_buf_reset(&out->details); /* a courtesy line: the verdict stands without it */
        }
        code = rw_plugin_report(state, NULL, out);
    }
    rw_rfsrc_cleanup(&src);
    return code;
}

int
main(int argc, char **argv)
{
    struct rw_plugin_out out;
    struct server_args args;
    struct rw_opts opts;
    struct rw_err err;
    int code;

    rw_err_clear(&err);
    rw_opts_init(&opts, &server_info);
    rw_rfsrc_opts_init(&args.src);
    rw_server_check_init(&args.chk);
    rw_plugin_out_init(&out, server_info.label);
    if (parse(&opts, &args, argc, argv, &err) != RW_OK || opts.action != RW_OPTS_RUN) {
        code = rw_opts_early_exit(&opts, &out, &err, 0);
    } else if (!HAVE_LIVE && args.src.hostname != NULL) {
        rw_opts_cleanup(&opts);
        /* returns only on failure, RW_EINVAL: UNKNOWN */
        code =
            rw_plugin_report(rw_state_for(rw_rfsrc_exec_live(LIVE_HELPER, argv, &err)), &err, &out);
    } else {
        code = run(&opts, &args, &out);
    }
    rw_plugin_out_cleanup(&out);
    rw_opts_cleanup(&opts);
    return code;
}

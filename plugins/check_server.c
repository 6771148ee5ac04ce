/*
 * check_server: a server's BMC over Redfish, live (-H, one poll within -t) or from the
 * daemon's snapshot (--state FILE --endpoint NAME).  The verdict comes from
 * rw_server_eval, the same for both modes.  UNKNOWN for bad arguments, a stale or missing
 * snapshot and a metric the server does not report; CRITICAL when the BMC cannot be polled.
 */
#include "rw_opts.h"
#include "rw_plugin.h"
#include "rw_rfmain.h"
#include "rw_rfsrc.h"

/*
 * Built twice (see rw_rfsrc.h): check_server without libcurl, which hands a -H run to
 * check_server_live, and check_server_live (RW_LIVE_BUILD) with the live half.
 */
#ifdef RW_LIVE_BUILD
#include "rw_rflive.h"
#define LIVE_POLL rw_rflive_poll
#else
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

/* Takes the thresholds and checks the plugin's own options. */
static enum rw_rc
finish(void *ctx, const struct rw_opts *opts, struct rw_err *err)
{
    struct server_args *args = ctx;

    args->chk.thr = opts->thr;
    return rw_server_check_validate(&args->chk, err);
}

static enum rw_rc
eval(const void *ctx, const struct rf_endpoint *ep, struct rw_plugin_out *out, enum rw_state *state,
     struct rw_err *err)
{
    return rw_server_eval(&((const struct server_args *)ctx)->chk, ep, out, state, err);
}

int
main(int argc, char **argv)
{
    struct server_args args;
    const struct rw_rfmain_plugin plugin = {
        .info = &server_info,
        .kind = RF_KIND_SERVER,
        .live_helper = LIVE_HELPER,
        .live = LIVE_POLL,
        .args = &args,
        .finish = finish,
        .eval = eval,
    };

    rw_rfsrc_opts_init(&args.src);
    rw_server_check_init(&args.chk);
    return rw_rfmain(&plugin, argc, argv);
}

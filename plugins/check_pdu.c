/*
 * check_pdu: a rack PDU over Redfish, live (-H, one poll within -t) or from the daemon's
 * snapshot (--state FILE --endpoint NAME).  The verdict comes from rw_pdu_eval, the same
 * for both modes.  UNKNOWN for bad arguments, a stale or missing snapshot and a metric
 * nobody reports; CRITICAL when the device cannot be polled.
 */
#include "rw_opts.h"
#include "rw_pdu_eval.h"
#include "rw_plugin.h"
#include "rw_rfmain.h"
#include "rw_rfsrc.h"

/*
 * Built twice (see rw_rfsrc.h): check_pdu without libcurl, which hands a -H run to
 * check_pdu_live, and check_pdu_live (RW_LIVE_BUILD) with the live half.
 */
#ifdef RW_LIVE_BUILD
#include "rw_rflive.h"
#define LIVE_POLL rw_rflive_poll
#else
#define LIVE_POLL NULL
#endif
#define LIVE_HELPER "check_pdu_live"

/* The plugin's options; src must stay first (the rw_rfsrc handlers rely on it). */
struct pdu_args {
    struct rw_rfsrc_opts src;
    struct rw_pdu_check chk;
};

static enum rw_rc
on_pdu(void *ctx, const char *arg, struct rw_err *err)
{
    if (arg[0] == '\0') {
        return rw_err_set(err, RW_EINVAL, "empty PDU ID");
    }
    ((struct pdu_args *)ctx)->chk.pdu = arg;
    return RW_OK;
}

static enum rw_rc
on_metric(void *ctx, const char *arg, struct rw_err *err)
{
    return rw_pdu_metric_parse(arg, &((struct pdu_args *)ctx)->chk.metric, err);
}

static enum rw_rc
on_outlet(void *ctx, const char *arg, struct rw_err *err)
{
    return rw_pdu_add_outlet(&((struct pdu_args *)ctx)->chk, arg, err);
}

static enum rw_rc
on_branch(void *ctx, const char *arg, struct rw_err *err)
{
    return rw_pdu_add_branch(&((struct pdu_args *)ctx)->chk, arg, err);
}

static enum rw_rc
on_expect(void *ctx, const char *arg, struct rw_err *err)
{
    return rw_pdu_add_expect(&((struct pdu_args *)ctx)->chk, arg, err);
}

static enum rw_rc
on_ignore_health(void *ctx, const char *arg, struct rw_err *err)
{
    (void)arg;
    (void)err;
    ((struct pdu_args *)ctx)->chk.ignore_health = true;
    return RW_OK;
}

static const struct rw_opt_spec pdu_opts[] = {
    RW_RFSRC_OPT_ROWS,
    {"pdu", 0, "ID", "check only this RackPDU (default: every one)", on_pdu, 0},
    {"metric", 'm', "NAME",
     "inlet-power|inlet-current|inlet-voltage|inlet-energy|branch-current|outlet-current|"
     "outlet-power|load-percent",
     on_metric, 0},
    {"outlet", 0, "ID", "check only this outlet (repeatable)", on_outlet, 0},
    {"branch", 0, "ID", "check only this branch circuit (repeatable)", on_branch, 0},
    {"expect-outlet-state", 0, "ID=On|Off", "CRITICAL when the outlet is not so (repeatable)",
     on_expect, 0},
    {"ignore-health", 0, NULL, "do not raise the state for Status.Health", on_ignore_health, 0},
    {NULL, 0, NULL, NULL, NULL, 0},
};

static const struct rw_opts_info pdu_info = {
    .name = "check_pdu",
    .label = "PDU",
    .synopsis = "-H HOST [-p 443] | --state FILE --endpoint NAME [--max-age 300]  [--pdu ID]\n"
                "       [--metric NAME [-w RANGE] [-c RANGE]] [--outlet ID]... [--branch ID]...\n"
                "       [--expect-outlet-state ID=On|Off]... [--ignore-health] [-t 10] "
                "[TLS options]",
    .purpose = "Checks a rack PDU over Redfish: inlet power, current, voltage and energy,\n"
               "branch and outlet current, outlet power, load in percent of the rated\n"
               "current (-w/-c in the metric's unit: W, A, V, kWh, %), outlet power states\n"
               "and the health of the PDU, its inlets, branches and outlets. Live with -H\n"
               "(one poll within -t), or from rackwatchd's snapshot with --state and\n"
               "--endpoint (UNKNOWN when older than --max-age seconds). Both give the same\n"
               "output for the same data. A reading the PDU does not report is left out\n"
               "and named in the long output; a metric no element reports is UNKNOWN.",
    .features = RW_OPTS_THRESHOLDS | RW_OPTS_TLS | RW_OPTS_AUTH,
    .default_port = 443,
    .extra = pdu_opts,
};

/* Takes the thresholds and checks the plugin's own options. */
static enum rw_rc
finish(void *ctx, const struct rw_opts *opts, struct rw_err *err)
{
    struct pdu_args *args = ctx;

    args->chk.thr = opts->thr;
    return rw_pdu_check_validate(&args->chk, err);
}

static enum rw_rc
eval(const void *ctx, const struct rf_endpoint *ep, struct rw_plugin_out *out, enum rw_state *state,
     struct rw_err *err)
{
    return rw_pdu_eval(&((const struct pdu_args *)ctx)->chk, ep, out, state, err);
}

int
main(int argc, char **argv)
{
    struct pdu_args args;
    const struct rw_rfmain_plugin plugin = {
        .info = &pdu_info,
        .kind = RF_KIND_PDU,
        .live_helper = LIVE_HELPER,
        .live = LIVE_POLL,
        .args = &args,
        .finish = finish,
        .eval = eval,
    };

    rw_rfsrc_opts_init(&args.src);
    rw_pdu_check_init(&args.chk);
    return rw_rfmain(&plugin, argc, argv);
}

/*
 * check_pdu: a rack PDU over Redfish, live (-H, one poll within -t) or from the daemon's
 * snapshot (--state FILE --endpoint NAME).  The verdict comes from rw_pdu_eval, the same
 * for both modes.  UNKNOWN for bad arguments, a stale or missing snapshot and a metric
 * nobody reports; CRITICAL when the device cannot be polled.
 */
#include <string.h>
#include <time.h>

#include "rw_opts.h"
#include "rw_pdu_eval.h"
#include "rw_plugin.h"
#include "rw_rfsrc.h"

/*
 * Built twice (see rw_rfsrc.h): check_pdu without libcurl, which hands a -H run to
 * check_pdu_live, and check_pdu_live (RW_LIVE_BUILD) with the live half.
 */
#ifdef RW_LIVE_BUILD
#include "rw_rflive.h"
#define HAVE_LIVE 1
#define LIVE_POLL rw_rflive_poll
#else
#define HAVE_LIVE 0
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

/* The whole command line, checked. */
static enum rw_rc
parse(struct rw_opts *opts, struct pdu_args *args, int argc, char **argv, struct rw_err *err)
{
    if (rw_opts_parse(opts, args, argc, argv, err) != RW_OK || opts->action != RW_OPTS_RUN) {
        return err->code;
    }
    args->chk.thr = opts->thr;
    if (rw_rfsrc_finish(&args->src, opts, err) != RW_OK ||
        rw_pdu_check_validate(&args->chk, err) != RW_OK) {
        return RW_EINVAL;
    }
    return RW_OK;
}

/* Gets the model, live or from the snapshot, and evaluates it. */
static int
run(const struct rw_opts *opts, const struct pdu_args *args, struct rw_plugin_out *out)
{
    struct rw_rfsrc src;
    enum rw_state state;
    struct rw_err err;
    int code;

    rw_err_clear(&err);
    if (rw_rfsrc_get(&args->src, opts, RF_KIND_PDU, (int64_t)time(NULL), LIVE_POLL, &src, &err) !=
        RW_OK) {
        code = rw_plugin_report(rw_state_for(err.code), &err, out);
    } else if (rw_pdu_eval(&args->chk, src.ep, out, &state, &err) != RW_OK) {
        rw_plugin_out_cleanup(out);
        rw_plugin_out_init(out, pdu_info.label);
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
    struct pdu_args args;
    struct rw_opts opts;
    struct rw_err err;
    int code;

    rw_err_clear(&err);
    rw_opts_init(&opts, &pdu_info);
    rw_rfsrc_opts_init(&args.src);
    rw_pdu_check_init(&args.chk);
    rw_plugin_out_init(&out, pdu_info.label);
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

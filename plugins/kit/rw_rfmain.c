#include "rw_rfmain.h"

#include <time.h>

/* The whole command line, checked. */
static enum rw_rc
parse(const struct rw_rfmain_plugin *plugin, struct rw_opts *opts, int argc, char **argv,
      struct rw_err *err)
{
    struct rw_rfsrc_opts *src = plugin->args;

    if (rw_opts_parse(opts, plugin->args, argc, argv, err) != RW_OK ||
        opts->action != RW_OPTS_RUN) {
        return err->code;
    }
    if (rw_rfsrc_finish(src, opts, err) != RW_OK ||
        plugin->finish(plugin->args, opts, err) != RW_OK) {
        return RW_EINVAL;
    }
    return RW_OK;
}

/* Gets the model, live or from the snapshot, and evaluates it. */
static int
run(const struct rw_rfmain_plugin *plugin, const struct rw_opts *opts, struct rw_plugin_out *out)
{
    const struct rw_rfsrc_opts *src_opts = plugin->args;
    struct rw_rfsrc src;
    enum rw_state state;
    struct rw_err err;
    int code;

    rw_err_clear(&err);
    if (rw_rfsrc_get(src_opts, opts, plugin->kind, (int64_t)time(NULL), plugin->live, &src, &err) !=
        RW_OK) {
        code = rw_plugin_report(rw_state_for(err.code), &err, out);
    } else if (plugin->eval(plugin->args, src.ep, out, &state, &err) != RW_OK) {
        /* whatever the evaluator had written is not a verdict: start the output again */
        rw_plugin_out_cleanup(out);
        rw_plugin_out_init(out, plugin->info->label);
        code = rw_plugin_report(RW_STATE_UNKNOWN, &err, out);
    } else {
        if (opts->verbose > 0 && rw_rfsrc_describe(src_opts, &src, out) != RW_OK) {
            rw_buf_reset(&out->details); /* a courtesy line: the verdict stands without it */
        }
        code = rw_plugin_report(state, NULL, out);
    }
    rw_rfsrc_cleanup(&src);
    return code;
}

int
rw_rfmain(const struct rw_rfmain_plugin *plugin, int argc, char **argv)
{
    const struct rw_rfsrc_opts *src = plugin->args;
    struct rw_plugin_out out;
    struct rw_opts opts;
    struct rw_err err;
    int code;

    rw_err_clear(&err);
    rw_opts_init(&opts, plugin->info);
    rw_plugin_out_init(&out, plugin->info->label);
    if (parse(plugin, &opts, argc, argv, &err) != RW_OK || opts.action != RW_OPTS_RUN) {
        code = rw_opts_early_exit(&opts, &out, &err, 0);
    } else if (plugin->live == NULL && src->hostname != NULL) {
        rw_opts_cleanup(&opts);
        /* returns only on failure, RW_EINVAL: UNKNOWN */
        code = rw_plugin_report(rw_state_for(rw_rfsrc_exec_live(plugin->live_helper, argv, &err)),
                                &err, &out);
    } else {
        code = run(plugin, &opts, &out);
    }
    rw_plugin_out_cleanup(&out);
    rw_opts_cleanup(&opts);
    return code;
}

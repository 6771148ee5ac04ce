/*
 * rw_rfmain: the main() of the Redfish plugins (check_pdu, check_server and their _live
 * siblings).  They differ only in their options, the kind of endpoint they poll and the
 * evaluator of the model; everything else — parsing, the hand-over of a -H run to the
 * live sibling, getting the model live or from the snapshot, -v, the exit code — is
 * here once, so both plugins behave alike by construction.
 */
#ifndef RW_RFMAIN_H
#define RW_RFMAIN_H

#include "rf_model.h"
#include "rw_err.h"
#include "rw_opts.h"
#include "rw_plugin.h"
#include "rw_rfsrc.h"

/* What a Redfish plugin brings to rw_rfmain().  Everything is borrowed. */
struct rw_rfmain_plugin {
    const struct rw_opts_info *info;
    enum rf_kind kind;
    const char *live_helper; /* file name of the sibling with the live half */
    rw_rfsrc_live_fn *live;  /* NULL in the build without the live half */
    void *args;              /* the option context; it starts with a struct rw_rfsrc_opts */
    /* After the options are parsed: takes the thresholds, checks the plugin's own options.
     * RW_EINVAL with one line. */
    enum rw_rc (*finish)(void *args, const struct rw_opts *opts, struct rw_err *err);
    /* The verdict on ep into out and *state; RW_EINVAL/RW_ENOMEM/RW_ETOOBIG: UNKNOWN. */
    enum rw_rc (*eval)(const void *args, const struct rf_endpoint *ep, struct rw_plugin_out *out,
                       enum rw_state *state, struct rw_err *err);
};

/*
 * Runs the plugin: prints its output and returns the Nagios exit code for main() to
 * return.  A -H run in a build without the live half replaces the process with the
 * live sibling (see rw_rfsrc_exec_live()).
 */
int rw_rfmain(const struct rw_rfmain_plugin *plugin, int argc, char **argv);

#endif

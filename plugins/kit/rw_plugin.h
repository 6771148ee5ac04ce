/*
 * rw_plugin: plugin states and plugin output as the Monitoring Plugins Development
 * Guidelines define them.
 *
 * Output: the first line is `LABEL STATE - summary | perfdata`, further lines are long
 * output.  It is assembled in memory and written with one write, so a plugin never
 * prints half a line.  Only main() calls rw_plugin_report() and rw_plugin_write().
 */
#ifndef RW_PLUGIN_H
#define RW_PLUGIN_H

#include "rw_buf.h"
#include "rw_err.h"

/* The exit codes of a plugin. */
enum rw_state {
    RW_STATE_OK = 0,
    RW_STATE_WARNING = 1,
    RW_STATE_CRITICAL = 2,
    RW_STATE_UNKNOWN = 3,
};

#define RW_PLUGIN_TEXT_MAX (64 * 1024) /* cap of each part of the output */

/* One plugin run's output, filled by main() and its helpers (caller's storage). */
struct rw_plugin_out {
    const char *label;     /* "SPOKE"; borrowed for the life of out */
    struct rw_buf summary; /* the text after "STATE - " */
    struct rw_buf perfdata;
    struct rw_buf details; /* long output, one line per rw_plugin_detail() */
};

/* "OK", "WARNING", "CRITICAL", "UNKNOWN"; "UNKNOWN" for any other value. */
const char *rw_state_name(enum rw_state state);

/*
 * The state for an error code: OK for RW_OK; CRITICAL when the target is unreachable
 * (RW_ECONNECT, RW_ETIMEOUT, RW_ETLS, RW_EHTTP); UNKNOWN for everything else (bad
 * arguments, parse errors, out of memory, oversized or stale data).
 */
enum rw_state rw_state_for(enum rw_rc rc);

/* The worse of two states: CRITICAL, then WARNING, then UNKNOWN, then OK. */
enum rw_state rw_state_worst(enum rw_state a, enum rw_state b);

/* Prepares an empty output with the given label (borrowed).  Cannot fail. */
void rw_plugin_out_init(struct rw_plugin_out *out, const char *label);

/* Frees what out holds; it may be initialised again. */
void rw_plugin_out_cleanup(struct rw_plugin_out *out);

/* Appends printf-formatted text (cut at 4095 bytes per call) to the summary.
 * RW_ETOOBIG/RW_ENOMEM. */
RW_MUSTCHECK enum rw_rc rw_plugin_summary(struct rw_plugin_out *out, const char *fmt, ...)
    RW_PRINTF(2, 3);

/* Adds one line of long output (without its newline; cut at 4095 bytes).
 * RW_ETOOBIG/RW_ENOMEM. */
RW_MUSTCHECK enum rw_rc rw_plugin_detail(struct rw_plugin_out *out, const char *fmt, ...)
    RW_PRINTF(2, 3);

/*
 * Appends the whole output for state to dst: `LABEL STATE - text[ | perfdata]\n` and the
 * long output lines.  text is the summary, or err's message when the summary is empty, or
 * "summary: message" when both are present (err is used only when it holds an error).
 * A '|' in text or details becomes '/' and a newline in text a space, so no message can
 * forge perfdata or extra lines.  out may be NULL (label "RACKWATCH", no perfdata).
 */
RW_MUSTCHECK enum rw_rc rw_plugin_format(enum rw_state state, const struct rw_err *err,
                                         const struct rw_plugin_out *out, struct rw_buf *dst);

/*
 * Formats as above, writes the result to stdout at once and returns state as an exit
 * code.  When the output cannot be built, writes "LABEL UNKNOWN - out of memory" and
 * returns RW_STATE_UNKNOWN.  For main() only.
 */
int rw_plugin_report(enum rw_state state, const struct rw_err *err,
                     const struct rw_plugin_out *out);

/* Writes buf's contents to stdout (help and version text).  For main() only. */
void rw_plugin_write(const struct rw_buf *buf);

#endif

/*
 * rw_rfsrc: where a Redfish plugin's model comes from.  Either live (-H HOST [-p PORT]:
 * one poll of the device with the Redfish client, bounded by the -t deadline, with the
 * kit's TLS options and credentials) or from the daemon's JSON snapshot (--state FILE
 * --endpoint NAME, refused as stale past --max-age seconds from the endpoint's
 * polled_at).  Either way the plugin gets one struct rf_endpoint and evaluates it the
 * same way, so live and state mode give the same output for the same data.
 *
 * A failed poll is not an error here: the endpoint comes back with ok false and its
 * error, exactly as the daemon would have written it into the snapshot.
 *
 * Start-up cost: loading libcurl and its dependencies costs a plugin about 15 ms, twice
 * what starting check_http costs, and state mode needs none of it.  So each Redfish
 * plugin is built twice from one source: check_X without the live half (rw_rflive, the
 * only user of libcurl), which hands a -H run to its sibling check_X_live with
 * rw_rfsrc_exec_live(), and check_X_live with it.  Both print the same.
 */
#ifndef RW_RFSRC_H
#define RW_RFSRC_H

#include <stdint.h>

#include "rf_model.h"
#include "rf_snapshot.h"
#include "rw_err.h"
#include "rw_opts.h"
#include "rw_plugin.h"
#include "rw_url.h"

#define RW_RFSRC_MAX_AGE_DEFAULT 300      /* seconds, --max-age when not given */
#define RW_RFSRC_MAX_AGE_MAX     31536000 /* a year; anything longer is a typo */
#define RW_RFSRC_LOGOUT_MS       2000     /* most time spent logging out after a live poll */

/* The source options, parsed by the handlers below (strings borrowed from argv). */
struct rw_rfsrc_opts {
    const char *hostname;   /* -H */
    int port;               /* -p; 0 when not given (443) */
    const char *state_file; /* --state */
    const char *endpoint;   /* --endpoint */
    int64_t max_age_s;      /* --max-age; -1 when not given */
    struct rw_url url;      /* -H and -p, set by rw_rfsrc_finish() in live mode */
};

/*
 * Option handlers.  ctx must point at a struct rw_rfsrc_opts: the plugin's option
 * context starts with one, so that these rows can sit in the plugin's own table.
 */
rw_opt_fn rw_rfsrc_on_hostname;
rw_opt_fn rw_rfsrc_on_port;
rw_opt_fn rw_rfsrc_on_state;
rw_opt_fn rw_rfsrc_on_endpoint;
rw_opt_fn rw_rfsrc_on_max_age;

/* The rows of the source options, for the plugin's option table. */
/* clang-format off */
#define RW_RFSRC_OPT_ROWS                                                                       \
    {"hostname", 'H', "HOST", "poll this Redfish service live (DNS name, IPv4, IPv6)",         \
     rw_rfsrc_on_hostname, 0},                                                                  \
    {"port", 'p', "PORT", "TCP port of -H (default 443)", rw_rfsrc_on_port, 0},                 \
    {"state", 0, "FILE", "read the daemon's JSON snapshot instead of polling",                  \
     rw_rfsrc_on_state, 0},                                                                     \
    {"endpoint", 0, "NAME", "the endpoint of the snapshot to check (with --state)",             \
     rw_rfsrc_on_endpoint, 0},                                                                  \
    {"max-age", 0, "SECONDS", "oldest snapshot data accepted (default 300)",                    \
     rw_rfsrc_on_max_age, 0}
/* clang-format on */

/* Empty options: no host, no state file, max_age_s -1.  Cannot fail. */
void rw_rfsrc_opts_init(struct rw_rfsrc_opts *src);

/*
 * Checks the combination once rw_opts_parse() is done: exactly one of -H and --state;
 * --endpoint required with --state; -p only with -H; --endpoint and --max-age only with
 * --state; the kit's --sni, --client-cert and --client-key are not supported by the
 * Redfish client.  Sets src->url in live mode.  RW_EINVAL with one line.
 */
RW_MUSTCHECK enum rw_rc rw_rfsrc_finish(struct rw_rfsrc_opts *src, const struct rw_opts *opts,
                                        struct rw_err *err);

/* The model a plugin evaluates; ep is borrowed from owned or snap. */
struct rw_rfsrc {
    struct rf_endpoint *owned; /* live mode */
    struct rf_snapshot *snap;  /* state mode */
    const struct rf_endpoint *ep;
    int64_t age_s; /* state mode: now - polled_at; -1 live */
};

/*
 * RW_ESTALE when ep was polled more than max_age_s seconds before now, or its polled_at
 * is unknown; the message says how old.  RW_OK otherwise (a polled_at in the future, a
 * clock step, counts as fresh).
 */
RW_MUSTCHECK enum rw_rc rw_rfsrc_check_age(const struct rf_endpoint *ep, int64_t now,
                                           int64_t max_age_s, struct rw_err *err);

/*
 * One live poll of kind (rw_rflive_poll()): *out receives the endpoint, failed or not
 * (caller frees with rf_endpoint_free()); an error only when none could be made.
 */
typedef enum rw_rc rw_rfsrc_live_fn(const struct rw_rfsrc_opts *src, const struct rw_opts *opts,
                                    enum rf_kind kind, struct rf_endpoint **out,
                                    struct rw_err *err);

/*
 * Gets the model into *out (released with rw_rfsrc_cleanup(), also on failure).  Live:
 * live() (RW_EINVAL when NULL: a build without the live half).  State: the snapshot's
 * endpoint, checked with rw_rfsrc_check_age() against now (Unix seconds).  RW_ESTALE for
 * a missing file or stale data, RW_EINVAL/RW_EPARSE/RW_ETOOBIG for an unreadable or bad
 * snapshot or an unknown endpoint, RW_ENOMEM.
 */
RW_MUSTCHECK enum rw_rc rw_rfsrc_get(const struct rw_rfsrc_opts *src, const struct rw_opts *opts,
                                     enum rf_kind kind, int64_t now, rw_rfsrc_live_fn *live,
                                     struct rw_rfsrc *out, struct rw_err *err);

/*
 * Replaces this process with helper (a file name) from this program's own directory,
 * with the same argv.  Returns only on failure: RW_EINVAL "cannot run PATH: reason".
 * For main() only, before anything is printed.
 */
RW_MUSTCHECK enum rw_rc rw_rfsrc_exec_live(const char *helper, char **argv, struct rw_err *err);

/*
 * Adds one long-output line saying where got came from (for -v; it differs between the
 * modes, so without -v the output of both stays the same): "data: snapshot FILE, endpoint
 * NAME, polled N s ago" or "data: live poll of URL, N requests in N ms".  RW_ENOMEM or
 * RW_ETOOBIG from the output.
 */
RW_MUSTCHECK enum rw_rc rw_rfsrc_describe(const struct rw_rfsrc_opts *src,
                                          const struct rw_rfsrc *got, struct rw_plugin_out *out);

/* Frees what out holds; out may then be reused. */
void rw_rfsrc_cleanup(struct rw_rfsrc *out);

#endif

/*
 * rw_opts: the command line every rackwatch plugin shares, parsed with getopt_long from
 * one option table plus small handlers.  A plugin adds its own rows (struct rw_opt_spec)
 * and gets the common ones -- help, version, verbosity, timeout, host, port, thresholds,
 * TLS and credentials -- as its struct rw_opts_info asks for them.
 *
 * Credentials never come from argv: --authfile FILE (no access for group or others),
 * else the environment variables RACKWATCH_USERNAME and RACKWATCH_PASSWORD.  The file
 * holds the lines `username=NAME` and `password=SECRET` (the value is the rest of the
 * line), blank lines and lines starting with '#'; at most RW_AUTHFILE_MAX bytes.
 *
 * Not thread-safe: getopt_long keeps its state in globals (optind), reset on every call.
 */
#ifndef RW_OPTS_H
#define RW_OPTS_H

#include <time.h>

#include "rw_buf.h"
#include "rw_err.h"
#include "rw_range.h"
#include "rw_url.h"

#define RW_CRED_MAX          256 /* bytes of a user name or password, with the NUL */
#define RW_AUTHFILE_MAX      4096
#define RW_OPTS_MAX          64   /* rows in the common and the plugin table together */
#define RW_TIMEOUT_DEFAULT_S 10.0 /* -t when not given */
#define RW_TIMEOUT_MAX_S     3600.0

/* Which groups of common options a plugin takes (struct rw_opts_info.features). */
#define RW_OPTS_HOST       0x1u /* -H (required) and -p */
#define RW_OPTS_THRESHOLDS 0x2u /* -w and -c */
#define RW_OPTS_TLS        0x4u /* --cacert, --insecure, --sni, --client-cert, --client-key */
#define RW_OPTS_AUTH       0x8u /* --authfile and the environment */

/* A handler: takes the option's argument (NULL for a flag) and stores it in ctx. */
typedef enum rw_rc rw_opt_fn(void *ctx, const char *arg, struct rw_err *err);

/* One row of an option table; a table ends with a row whose name is NULL. */
struct rw_opt_spec {
    const char *name;    /* long name without "--" */
    int letter;          /* short option letter, or 0 for a long-only option */
    const char *argname; /* "RANGE" in the help; NULL for an option without argument */
    const char *help;    /* one line */
    rw_opt_fn *fn;
    unsigned feature; /* the RW_OPTS_* group the row belongs to; 0 for plugin rows */
};

/* What a plugin is; static data, borrowed for the life of the options. */
struct rw_opts_info {
    const char *name;     /* "check_spoke_liveness" */
    const char *label;    /* "SPOKE", the first word of the output */
    const char *synopsis; /* arguments after the name in the usage line */
    const char *purpose;  /* one or two sentences for --help */
    unsigned features;    /* RW_OPTS_* */
    int default_port;
    const struct rw_opt_spec *extra; /* the plugin's own rows, or NULL */
};

/* TLS settings; strings borrowed from argv. */
struct rw_tls_opts {
    const char *cacert; /* NULL: the system store */
    const char *sni;    /* NULL: the host name */
    const char *client_cert;
    const char *client_key;
    int insecure; /* --insecure: no verification at all */
};

/* A user name and password (empty strings when none). */
struct rw_creds {
    char username[RW_CRED_MAX];
    char password[RW_CRED_MAX];
    int set;
};

/* A point in CLOCK_MONOTONIC time by which the whole run must end. */
struct rw_deadline {
    struct timespec end;
};

enum rw_opts_action {
    RW_OPTS_RUN = 0,
    RW_OPTS_HELP,
    RW_OPTS_VERSION,
};

/* The parsed command line (caller's storage; strings borrowed from argv). */
struct rw_opts {
    const struct rw_opts_info *info;
    enum rw_opts_action action;
    int verbose;
    double timeout; /* seconds */
    const char *hostname;
    int port;
    struct rw_url url; /* from -H and -p when RW_OPTS_HOST */
    struct rw_thresholds thr;
    struct rw_tls_opts tls;
    const char *authfile;
    struct rw_creds creds;
    struct rw_deadline deadline; /* started when parsing succeeds */
};

/* Sets the defaults (timeout 10 s, info's port).  info is borrowed.  Cannot fail. */
void rw_opts_init(struct rw_opts *opts, const struct rw_opts_info *info);

/* Wipes the credentials. */
void rw_opts_cleanup(struct rw_opts *opts);

/*
 * Parses argv.  The plugin's rows get extra_ctx as their ctx; the common rows get opts.
 * After the options: -H is required (RW_OPTS_HOST) and parsed with the port into
 * opts->url; credentials are loaded (RW_OPTS_AUTH); the deadline starts.  With --help or
 * --version only opts->action is meaningful.  RW_EINVAL with one line naming the option
 * and the reason ("-w/--warning: invalid range 'abc': 'abc' is not a number", "unknown
 * option '--foo'", "-c/--critical needs an argument (RANGE)").
 */
RW_MUSTCHECK enum rw_rc rw_opts_parse(struct rw_opts *opts, void *extra_ctx, int argc, char **argv,
                                      struct rw_err *err);

/* Appends "Usage: NAME SYNOPSIS (--help for details)" and a newline to out. */
RW_MUSTCHECK enum rw_rc rw_opts_usage(const struct rw_opts_info *info, struct rw_buf *out);

/* Appends the --help text: purpose, usage, one line per option, range syntax, label. */
RW_MUSTCHECK enum rw_rc rw_opts_help(const struct rw_opts_info *info, struct rw_buf *out);

/* Appends "NAME (rackwatch VERSION)" and a newline. */
RW_MUSTCHECK enum rw_rc rw_opts_version(const struct rw_opts_info *info, struct rw_buf *out);

/* rw_opts_early_exit() flags. */
#define RW_OPTS_WITH_USAGE 0x1u /* add the usage line after a bad command line's message */

/*
 * What a plugin's main() does when rw_opts_parse() did not say RW_OPTS_RUN: prints the
 * --help or --version text (returns 0), or reports the bad command line in err as UNKNOWN
 * (one line, and the usage line with RW_OPTS_WITH_USAGE; returns 3).  out is the plugin's
 * output, used for the report.
 */
int rw_opts_early_exit(const struct rw_opts *opts, struct rw_plugin_out *out,
                       const struct rw_err *err, unsigned flags);

/*
 * Reads an authfile into *creds.  RW_EINVAL when the file cannot be opened, is not a
 * regular file, or grants group or others any access; RW_EPARSE "FILE:LINE: ..." for a
 * bad line or a missing key; RW_ETOOBIG past RW_AUTHFILE_MAX or RW_CRED_MAX.
 */
RW_MUSTCHECK enum rw_rc rw_creds_load_file(const char *path, struct rw_creds *creds,
                                           struct rw_err *err);

/*
 * Reads RACKWATCH_USERNAME and RACKWATCH_PASSWORD.  Neither set: RW_OK, creds->set 0.
 * Only one set, or a value too long: RW_EINVAL.
 */
RW_MUSTCHECK enum rw_rc rw_creds_from_env(struct rw_creds *creds, struct rw_err *err);

/* Starts a deadline seconds from now. */
void rw_deadline_start(struct rw_deadline *d, double seconds);

/* Milliseconds left before the deadline, 0 once it has passed. */
long rw_deadline_left_ms(const struct rw_deadline *d);

#endif

#include "rw_opts.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rw_parse.h"

#define KEY_LONG_BASE 256 /* getopt values of long-only options: KEY_LONG_BASE + row */

/* ---- handlers of the common options; ctx is the struct rw_opts ---- */

static enum rw_rc
on_help(void *ctx, const char *arg, struct rw_err *err)
{
    ((struct rw_opts *)ctx)->action = RW_OPTS_HELP;
    return RW_OK;
}

static enum rw_rc
on_version(void *ctx, const char *arg, struct rw_err *err)
{
    struct rw_opts *opts = ctx;

    if (opts->action != RW_OPTS_HELP) {
        opts->action = RW_OPTS_VERSION;
    }
    return RW_OK;
}

static enum rw_rc
on_verbose(void *ctx, const char *arg, struct rw_err *err)
{
    struct rw_opts *opts = ctx;

    if (opts->verbose < 3) {
        opts->verbose++;
    }
    return RW_OK;
}

static enum rw_rc
on_timeout(void *ctx, const char *arg, struct rw_err *err)
{
    struct rw_opts *opts = ctx;
    double s;

    if (rw_parse_double(arg, &s) != RW_OK) {
        return rw_err_set(err, RW_EINVAL, "'%s' is not a number of seconds", arg);
    }
    if (s <= 0 || s > RW_TIMEOUT_MAX_S) {
        return rw_err_set(err, RW_EINVAL, "'%s' is out of range (more than 0, at most %g s)", arg,
                          RW_TIMEOUT_MAX_S);
    }
    opts->timeout = s;
    return RW_OK;
}

static enum rw_rc
on_hostname(void *ctx, const char *arg, struct rw_err *err)
{
    ((struct rw_opts *)ctx)->hostname = arg;
    return RW_OK;
}

static enum rw_rc
on_port(void *ctx, const char *arg, struct rw_err *err)
{
    if (rw_parse_port(arg, &((struct rw_opts *)ctx)->port) != RW_OK) {
        return rw_err_set(err, RW_EINVAL, "'%s' is not a port (1-65535)", arg);
    }
    return RW_OK;
}

static enum rw_rc
on_warning(void *ctx, const char *arg, struct rw_err *err)
{
    return rw_range_parse(arg, &((struct rw_opts *)ctx)->thr.warn, err);
}

static enum rw_rc
on_critical(void *ctx, const char *arg, struct rw_err *err)
{
    return rw_range_parse(arg, &((struct rw_opts *)ctx)->thr.crit, err);
}

/* Files named on the command line are checked now, so a typo is UNKNOWN, not CRITICAL. */
static enum rw_rc
readable_file(const char *arg, const char **slot, struct rw_err *err)
{
    if (access(arg, R_OK) != 0) {
        return rw_err_set(err, RW_EINVAL, "cannot read '%s': %s", arg, strerror(errno));
    }
    *slot = arg;
    return RW_OK;
}

static enum rw_rc
on_cacert(void *ctx, const char *arg, struct rw_err *err)
{
    return readable_file(arg, &((struct rw_opts *)ctx)->tls.cacert, err);
}

static enum rw_rc
on_client_cert(void *ctx, const char *arg, struct rw_err *err)
{
    return readable_file(arg, &((struct rw_opts *)ctx)->tls.client_cert, err);
}

static enum rw_rc
on_client_key(void *ctx, const char *arg, struct rw_err *err)
{
    return readable_file(arg, &((struct rw_opts *)ctx)->tls.client_key, err);
}

static enum rw_rc
on_insecure(void *ctx, const char *arg, struct rw_err *err)
{
    ((struct rw_opts *)ctx)->tls.insecure = 1;
    return RW_OK;
}

static enum rw_rc
on_sni(void *ctx, const char *arg, struct rw_err *err)
{
    struct rw_url url;

    if (rw_url_from_host(arg, 443, 1, &url, err) != RW_OK) {
        return RW_EINVAL;
    }
    if (url.host_type != RW_HOST_DNS) {
        return rw_err_set(err, RW_EINVAL, "'%s' is an address; SNI needs a host name", arg);
    }
    ((struct rw_opts *)ctx)->tls.sni = arg;
    return RW_OK;
}

static enum rw_rc
on_authfile(void *ctx, const char *arg, struct rw_err *err)
{
    ((struct rw_opts *)ctx)->authfile = arg;
    return RW_OK;
}

static const struct rw_opt_spec common_opts[] = {
    {"help", 'h', NULL, "print this help and exit", on_help, 0},
    {"version", 'V', NULL, "print the version and exit", on_version, 0},
    {"verbose", 'v', NULL, "add detail lines to the output (repeatable)", on_verbose, 0},
    {"timeout", 't', "SECONDS", "deadline for the whole run (default 10)", on_timeout, 0},
    {"hostname", 'H', "HOST", "DNS name, IPv4 or IPv6 address ([] optional)", on_hostname,
     RW_OPTS_HOST},
    {"port", 'p', "PORT", "TCP port", on_port, RW_OPTS_HOST},
    {"warning", 'w', "RANGE", "warning range (see Ranges)", on_warning, RW_OPTS_THRESHOLDS},
    {"critical", 'c', "RANGE", "critical range (see Ranges)", on_critical, RW_OPTS_THRESHOLDS},
    {"cacert", 0, "FILE", "trust the CA certificates in FILE (PEM), not the system store",
     on_cacert, RW_OPTS_TLS},
    {"insecure", 0, NULL, "do not verify the server certificate (explicit opt-out)", on_insecure,
     RW_OPTS_TLS},
    {"sni", 0, "NAME", "TLS server name to send and verify, instead of -H", on_sni, RW_OPTS_TLS},
    {"client-cert", 0, "FILE", "client certificate (PEM)", on_client_cert, RW_OPTS_TLS},
    {"client-key", 0, "FILE", "key of the client certificate (PEM)", on_client_key, RW_OPTS_TLS},
    {"authfile", 0, "FILE", "credentials file, mode 0600 (see Credentials)", on_authfile,
     RW_OPTS_AUTH},
    {NULL, 0, NULL, NULL, NULL, 0},
};

/* The getopt_long view of the rows a plugin takes; built on the stack per parse. */
struct opt_table {
    const struct rw_opt_spec *rows[RW_OPTS_MAX];
    void *ctx[RW_OPTS_MAX];
    size_t n;
    struct option longopts[RW_OPTS_MAX + 1];
    char shortopts[2 + 2 * RW_OPTS_MAX];
};

static int
row_key(const struct opt_table *t, size_t i)
{
    return t->rows[i]->letter != 0 ? t->rows[i]->letter : KEY_LONG_BASE + (int)i;
}

static void
table_add(struct opt_table *t, const struct rw_opt_spec *row, void *ctx)
{
    size_t len = strlen(t->shortopts);

    if (t->n >= RW_OPTS_MAX) {
        return; /* a programmer error caught by the tests: the table is fixed */
    }
    t->rows[t->n] = row;
    t->ctx[t->n] = ctx;
    t->longopts[t->n].name = row->name;
    t->longopts[t->n].has_arg = row->argname != NULL ? required_argument : no_argument;
    t->longopts[t->n].flag = NULL;
    t->longopts[t->n].val = row_key(t, t->n);
    if (row->letter != 0) {
        t->shortopts[len++] = (char)row->letter;
        if (row->argname != NULL) {
            t->shortopts[len++] = ':';
        }
        t->shortopts[len] = '\0';
    }
    t->n++;
}

/* Common rows the plugin asked for, then the plugin's rows. */
static void
table_build(struct opt_table *t, const struct rw_opts_info *info, struct rw_opts *opts,
            void *extra_ctx)
{
    const struct rw_opt_spec *row;

    memset(t, 0, sizeof(*t));
    t->shortopts[0] = ':'; /* report a missing argument as ':' rather than '?' */
    for (row = common_opts; row->name != NULL; row++) {
        if (row->feature == 0 || (row->feature & info->features) != 0) {
            table_add(t, row, opts);
        }
    }
    for (row = info->extra; row != NULL && row->name != NULL; row++) {
        table_add(t, row, extra_ctx);
    }
}

static size_t
table_find(const struct opt_table *t, int key)
{
    size_t i;

    for (i = 0; i < t->n; i++) {
        if (row_key(t, i) == key) {
            return i;
        }
    }
    return t->n;
}

/* "-w/--warning" or "--cacert", for messages. */
static const char *
row_name(const struct rw_opt_spec *row, char *buf, size_t len)
{
    if (row->letter != 0) {
        (void)snprintf(buf, len, "-%c/--%s", row->letter, row->name);
    } else {
        (void)snprintf(buf, len, "--%s", row->name);
    }
    return buf;
}

static enum rw_rc
unknown_option(char **argv, int key, struct rw_err *err)
{
    const char *text = argv[optind - 1];
    size_t len = strcspn(text, "=");

    if (key != 0 && key < KEY_LONG_BASE && strncmp(text, "--", 2) != 0) {
        return rw_err_set(err, RW_EINVAL, "unknown option '-%c'", key);
    }
    if (key != 0) {
        /* glibc sets optopt for a known long option given "=value" it does not take. */
        return rw_err_set(err, RW_EINVAL, "option '%.*s' takes no argument", (int)len, text);
    }
    return rw_err_set(err, RW_EINVAL, "unknown option '%.*s'", (int)len, text);
}

/* Runs the handler of the row getopt returned, prefixing its message with the option. */
static enum rw_rc
run_row(const struct opt_table *t, int key, char **argv, struct rw_err *err)
{
    size_t i = table_find(t, key);
    struct rw_err local;
    char name[80];
    enum rw_rc rc;

    if (key == '?' || i == t->n) {
        return unknown_option(argv, optopt, err);
    }
    rw_err_clear(&local);
    rc = t->rows[i]->fn(t->ctx[i], optarg, &local);
    if (rc != RW_OK) {
        return rw_err_set(err, RW_EINVAL, "%s: %s", row_name(t->rows[i], name, sizeof(name)),
                          local.msg);
    }
    return RW_OK;
}

static enum rw_rc
missing_argument(const struct opt_table *t, char **argv, struct rw_err *err)
{
    size_t i = table_find(t, optopt);
    char name[80];

    if (i == t->n) {
        return unknown_option(argv, optopt, err);
    }
    return rw_err_set(err, RW_EINVAL, "%s needs an argument (%s)",
                      row_name(t->rows[i], name, sizeof(name)), t->rows[i]->argname);
}

/* After the options: the host, the credentials, the deadline. */
static enum rw_rc
finish(struct rw_opts *opts, struct rw_err *err)
{
    struct rw_err local;
    unsigned features = opts->info->features;

    rw_err_clear(&local);
    if ((features & RW_OPTS_HOST) != 0) {
        if (opts->hostname == NULL) {
            return rw_err_set(err, RW_EINVAL, "missing -H/--hostname");
        }
        if (rw_url_from_host(opts->hostname, opts->port, 1, &opts->url, &local) != RW_OK) {
            return rw_err_set(err, RW_EINVAL, "-H/--hostname: %s", local.msg);
        }
    }
    if ((features & RW_OPTS_AUTH) != 0 && opts->authfile != NULL) {
        if (rw_creds_load_file(opts->authfile, &opts->creds, &local) != RW_OK) {
            return rw_err_set(err, RW_EINVAL, "--authfile: %s", local.msg);
        }
    } else if ((features & RW_OPTS_AUTH) != 0 && rw_creds_from_env(&opts->creds, err) != RW_OK) {
        return RW_EINVAL;
    }
    rw_deadline_start(&opts->deadline, opts->timeout);
    return RW_OK;
}

enum rw_rc
rw_opts_parse(struct rw_opts *opts, void *extra_ctx, int argc, char **argv, struct rw_err *err)
{
    struct opt_table t;
    int key;

    table_build(&t, opts->info, opts, extra_ctx);
    optind = 0; /* glibc: 0 re-initialises getopt fully, so parsing may be repeated */
    opterr = 0; /* a library prints nothing; errors come back in err */
    while ((key = getopt_long(argc, argv, t.shortopts, t.longopts, NULL)) != -1) {
        if (key == ':') {
            return missing_argument(&t, argv, err);
        }
        if (run_row(&t, key, argv, err) != RW_OK) {
            return RW_EINVAL;
        }
    }
    if (opts->action != RW_OPTS_RUN) {
        return RW_OK;
    }
    if (optind < argc) {
        return rw_err_set(err, RW_EINVAL, "unexpected argument '%s'", argv[optind]);
    }
    return finish(opts, err);
}

void
rw_opts_init(struct rw_opts *opts, const struct rw_opts_info *info)
{
    memset(opts, 0, sizeof(*opts));
    opts->info = info;
    opts->timeout = RW_TIMEOUT_DEFAULT_S;
    opts->port = info->default_port > 0 ? info->default_port : 443;
}

/* Overwrites secrets in a way the compiler may not drop. */
static void
wipe(void *mem, size_t len)
{
    volatile unsigned char *p = mem;

    while (len-- > 0) {
        *p++ = 0;
    }
}

void
rw_opts_cleanup(struct rw_opts *opts)
{
    wipe(&opts->creds, sizeof(opts->creds));
}

/* Reads at most RW_AUTHFILE_MAX bytes of fd into buf (NUL-terminated). */
static enum rw_rc
read_small(int fd, const char *path, char *buf, size_t cap, struct rw_err *err)
{
    size_t len = 0;
    ssize_t n;

    do {
        n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return rw_err_set(err, RW_EINVAL, "cannot read '%s': %s", path, strerror(errno));
        }
        len += (size_t)n;
    } while (n > 0 && len < cap);
    if (len == cap) {
        return rw_err_set(err, RW_ETOOBIG, "'%s' is larger than %d bytes", path,
                          RW_AUTHFILE_MAX - 1);
    }
    buf[len] = '\0';
    return RW_OK;
}

/* Copies value into a credential slot of RW_CRED_MAX bytes. */
static enum rw_rc
set_cred(char *slot, const char *value, size_t len, const char *what, struct rw_err *err)
{
    if (len >= RW_CRED_MAX) {
        return rw_err_set(err, RW_ETOOBIG, "%s longer than %d bytes", what, RW_CRED_MAX - 1);
    }
    memcpy(slot, value, len);
    slot[len] = '\0';
    return RW_OK;
}

/* One line of an authfile (without its newline; a trailing CR already cut). */
static enum rw_rc
auth_line(const char *path, int lineno, const char *line, struct rw_creds *creds,
          struct rw_err *err)
{
    size_t len = strlen(line);

    if (len == 0 || line[0] == '#') {
        return RW_OK;
    }
    if (strncmp(line, "username=", 9) == 0) {
        return set_cred(creds->username, line + 9, len - 9, "username", err);
    }
    if (strncmp(line, "password=", 9) == 0) {
        return set_cred(creds->password, line + 9, len - 9, "password", err);
    }
    return rw_err_set(err, RW_EPARSE, "%s:%d: expected username=NAME or password=SECRET", path,
                      lineno);
}

static enum rw_rc
auth_parse(const char *path, char *text, struct rw_creds *creds, struct rw_err *err)
{
    char *line = text, *nl;
    int lineno = 1;

    for (; line != NULL; lineno++, line = nl != NULL ? nl + 1 : NULL) {
        nl = strchr(line, '\n');
        if (nl != NULL) {
            *nl = '\0';
        }
        if (nl != NULL && nl > line && nl[-1] == '\r') {
            nl[-1] = '\0';
        }
        if (auth_line(path, lineno, line, creds, err) != RW_OK) {
            return err != NULL ? err->code : RW_EPARSE;
        }
    }
    if (creds->username[0] == '\0' || creds->password[0] == '\0') {
        return rw_err_set(err, RW_EPARSE, "%s: needs both username= and password=", path);
    }
    creds->set = 1;
    return RW_OK;
}

/* Refuses anything but a regular file that only its owner may access. */
static enum rw_rc
check_private(int fd, const char *path, struct rw_err *err)
{
    struct stat st;

    if (fstat(fd, &st) != 0) {
        return rw_err_set(err, RW_EINVAL, "cannot stat '%s': %s", path, strerror(errno));
    }
    if (!S_ISREG(st.st_mode)) {
        return rw_err_set(err, RW_EINVAL, "'%s' is not a regular file", path);
    }
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        return rw_err_set(err, RW_EINVAL,
                          "'%s' is accessible by group or others (mode %04o): chmod 600 it", path,
                          (unsigned)(st.st_mode & 07777));
    }
    return RW_OK;
}

enum rw_rc
rw_creds_load_file(const char *path, struct rw_creds *creds, struct rw_err *err)
{
    char text[RW_AUTHFILE_MAX];
    struct rw_creds got;
    int fd = -1;
    enum rw_rc rc;

    memset(&got, 0, sizeof(got));
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        rc = rw_err_set(err, RW_EINVAL, "cannot open '%s': %s", path, strerror(errno));
        goto fail;
    }
    rc = check_private(fd, path, err);
    if (rc == RW_OK) {
        rc = read_small(fd, path, text, sizeof(text), err);
    }
    if (rc == RW_OK) {
        rc = auth_parse(path, text, &got, err);
    }
    if (rc == RW_OK) {
        *creds = got;
    }
fail:
    if (fd >= 0) {
        (void)close(fd);
    }
    wipe(text, sizeof(text));
    wipe(&got, sizeof(got));
    return rc;
}

enum rw_rc
rw_creds_from_env(struct rw_creds *creds, struct rw_err *err)
{
    const char *user = getenv("RACKWATCH_USERNAME");
    const char *pass = getenv("RACKWATCH_PASSWORD");
    enum rw_rc rc;

    if (user == NULL && pass == NULL) {
        return RW_OK;
    }
    if (user == NULL || pass == NULL || user[0] == '\0') {
        return rw_err_set(err, RW_EINVAL,
                          "set both RACKWATCH_USERNAME and RACKWATCH_PASSWORD, or neither");
    }
    rc = set_cred(creds->username, user, strlen(user), "RACKWATCH_USERNAME", err);
    if (rc == RW_OK) {
        rc = set_cred(creds->password, pass, strlen(pass), "RACKWATCH_PASSWORD", err);
    }
    if (rc != RW_OK) {
        wipe(creds, sizeof(*creds));
        return RW_EINVAL;
    }
    creds->set = 1;
    return RW_OK;
}

void
rw_deadline_start(struct rw_deadline *d, double seconds)
{
    long long ns;

    (void)clock_gettime(CLOCK_MONOTONIC, &d->end);
    ns = (long long)(seconds * 1e9) + d->end.tv_nsec;
    d->end.tv_sec += (time_t)(ns / 1000000000LL);
    d->end.tv_nsec = (long)(ns % 1000000000LL);
}

long
rw_deadline_left_ms(const struct rw_deadline *d)
{
    struct timespec now;
    long long ms;

    (void)clock_gettime(CLOCK_MONOTONIC, &now);
    ms = ((long long)d->end.tv_sec - now.tv_sec) * 1000LL +
         (d->end.tv_nsec - now.tv_nsec) / 1000000L;
    return ms > 0 ? (long)ms : 0;
}

enum rw_rc
rw_opts_usage(const struct rw_opts_info *info, struct rw_buf *out)
{
    return rw_buf_addf(out, "Usage: %s %s (--help for details)\n", info->name, info->synopsis);
}

enum rw_rc
rw_opts_version(const struct rw_opts_info *info, struct rw_buf *out)
{
    return rw_buf_addf(out, "%s (rackwatch %s)\n", info->name, RACKWATCH_VERSION);
}

/* "  -w, --warning=RANGE" padded, then the row's help. */
static enum rw_rc
help_row(const struct rw_opt_spec *row, struct rw_buf *out)
{
    char left[64];
    const char *eq = row->argname != NULL ? "=" : "";
    const char *arg = row->argname != NULL ? row->argname : "";

    if (row->letter != 0) {
        (void)snprintf(left, sizeof(left), "-%c, --%s%s%s", row->letter, row->name, eq, arg);
    } else {
        (void)snprintf(left, sizeof(left), "    --%s%s%s", row->name, eq, arg);
    }
    return rw_buf_addf(out, "  %-26s %s\n", left, row->help);
}

static const char help_ranges[] =
    "\nRanges (-w, -c) -- an alert is raised when the value is\n"
    "  10       outside 0..10            10:      below 10\n"
    "  ~:10     above 10 (~ is -inf)     10:20    outside 10..20\n"
    "  @10:20   inside 10..20 (endpoints inclusive; decimals and negatives allowed)\n"
    "  Critical is checked before warning.\n";

static const char help_creds[] =
    "\nCredentials (optional): --authfile FILE with the lines username=NAME and\n"
    "password=SECRET (the file must not be accessible by group or others), else the\n"
    "environment variables RACKWATCH_USERNAME and RACKWATCH_PASSWORD.\n";

static const char help_exit[] =
    "\nExit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (bad arguments, internal error).\n";

enum rw_rc
rw_opts_help(const struct rw_opts_info *info, struct rw_buf *out)
{
    const struct rw_opt_spec *row;
    enum rw_rc rc;

    rc =
        rw_buf_addf(out, "%s (rackwatch %s)\n%s\n\n", info->name, RACKWATCH_VERSION, info->purpose);
    if (rc == RW_OK) {
        rc = rw_buf_addf(out, "Usage: %s %s\n\nOptions:\n", info->name, info->synopsis);
    }
    for (row = common_opts; row->name != NULL && rc == RW_OK; row++) {
        if (row->fn == on_port && (info->features & RW_OPTS_HOST) != 0) {
            /* the one common default that differs between plugins */
            rc = rw_buf_addf(out, "  %-26s TCP port (default %d)\n", "-p, --port=PORT",
                             info->default_port > 0 ? info->default_port : 443);
        } else if (row->feature == 0 || (row->feature & info->features) != 0) {
            rc = help_row(row, out);
        }
    }
    for (row = info->extra; row != NULL && row->name != NULL && rc == RW_OK; row++) {
        rc = help_row(row, out);
    }
    if (rc == RW_OK) {
        rc = rw_buf_addf(out, "\nOutput: the first line is \"%s STATE - text | perfdata\".\n",
                         info->label);
    }
    if (rc == RW_OK && (info->features & RW_OPTS_THRESHOLDS) != 0) {
        rc = rw_buf_adds(out, help_ranges);
    }
    if (rc == RW_OK && (info->features & RW_OPTS_AUTH) != 0) {
        rc = rw_buf_adds(out, help_creds);
    }
    return rc == RW_OK ? rw_buf_adds(out, help_exit) : rc;
}

/* The usage line as a detail of out; a courtesy: without it the report still names the fault. */
static void
add_usage(const struct rw_opts *opts, struct rw_plugin_out *out)
{
    struct rw_buf text;
    enum rw_rc rc;

    rw_buf_init(&text, 1024);
    rc = rw_opts_usage(opts->info, &text);
    if (rc == RW_OK) {
        rc = rw_plugin_detail(out, "%.*s", (int)rw_buf_len(&text) - 1, rw_buf_str(&text));
    }
    if (rc != RW_OK) {
        rw_buf_reset(&out->details);
    }
    rw_buf_free(&text);
}

int
rw_opts_early_exit(const struct rw_opts *opts, struct rw_plugin_out *out, const struct rw_err *err,
                   unsigned flags)
{
    struct rw_buf text;
    enum rw_rc rc;

    if (err != NULL && err->code != RW_OK) {
        if (flags & RW_OPTS_WITH_USAGE) {
            add_usage(opts, out);
        }
        return rw_plugin_report(RW_STATE_UNKNOWN, err, out);
    }
    rw_buf_init(&text, RW_PLUGIN_TEXT_MAX);
    rc = opts->action == RW_OPTS_HELP ? rw_opts_help(opts->info, &text)
                                      : rw_opts_version(opts->info, &text);
    if (rc != RW_OK) {
        return rw_plugin_report(RW_STATE_UNKNOWN, NULL, out);
    }
    rw_plugin_write(&text);
    rw_buf_free(&text);
    return RW_STATE_OK;
}

/*
 * rackwatch-emu: a Redfish service emulator for tests, the demo and benchmarks.
 * main() parses the options (a table of small handlers), loads the mockup, starts one
 * libmicrohttpd daemon per --listen and waits for SIGTERM or SIGINT.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "emu_auth.h"
#include "emu_handlers.h"
#include "emu_http.h"
#include "emu_int.h"
#include "emu_store.h"
#include "rw_buf.h"
#include "rw_parse.h"

#define EMU_PEM_MAX      (100 * 1024)
#define EMU_PASSWORD_MAX 1024
#define EMU_OPTS_MAX     40

enum emu_action {
    EMU_RUN = 0,
    EMU_HELP,
    EMU_VERSION,
};

/* The command line, plus what main() reads for it. */
struct emu_cli {
    struct emu_opts opts;
    enum emu_action action;
};

struct emu_optdef;
typedef enum rw_rc emu_opt_fn(struct emu_cli *cli, const struct emu_optdef *d, const char *arg,
                              struct rw_err *err);

struct emu_optdef {
    const char *name;
    const char *metavar; /* NULL: a flag without a value */
    emu_opt_fn *fn;
    size_t offset; /* of the field in struct emu_opts the handler writes */
    int64_t min, max;
    const char *help;
};

#define FIELD(f) offsetof(struct emu_opts, f)

static enum rw_rc
opt_str(struct emu_cli *cli, const struct emu_optdef *d, const char *arg, struct rw_err *err)
{
    if (arg[0] == '\0') {
        return rw_err_set(err, RW_EINVAL, "--%s: empty value", d->name);
    }
    *(const char **)(void *)((char *)&cli->opts + d->offset) = arg;
    return RW_OK;
}

static enum rw_rc
opt_int(struct emu_cli *cli, const struct emu_optdef *d, const char *arg, struct rw_err *err)
{
    int64_t *field = (int64_t *)(void *)((char *)&cli->opts + d->offset);

    if (rw_parse_i64(arg, d->min, d->max, field) != RW_OK) {
        return rw_err_set(err, RW_EINVAL, "--%s: '%s' is not an integer from %lld to %lld", d->name,
                          arg, (long long)d->min, (long long)d->max);
    }
    return RW_OK;
}

static enum rw_rc
opt_flag(struct emu_cli *cli, const struct emu_optdef *d, const char *arg, struct rw_err *err)
{
    *(int *)(void *)((char *)&cli->opts + d->offset) = 1;
    return RW_OK;
}

static enum rw_rc
opt_rate(struct emu_cli *cli, const struct emu_optdef *d, const char *arg, struct rw_err *err)
{
    double v;

    if (rw_parse_double(arg, &v) != RW_OK || v < 0 || v > 1) {
        return rw_err_set(err, RW_EINVAL, "--%s: '%s' is not a probability from 0 to 1", d->name,
                          arg);
    }
    cli->opts.fail_rate = v;
    return RW_OK;
}

static enum rw_rc
opt_listen(struct emu_cli *cli, const struct emu_optdef *d, const char *arg, struct rw_err *err)
{
    if (cli->opts.n_listen >= EMU_LISTEN_MAX) {
        return rw_err_set(err, RW_EINVAL, "--listen: at most %d listeners", EMU_LISTEN_MAX);
    }
    if (emu_http_check_spec(arg, err) != RW_OK) {
        return RW_EINVAL;
    }
    cli->opts.listen[cli->opts.n_listen++] = arg;
    return RW_OK;
}

static enum rw_rc
opt_help(struct emu_cli *cli, const struct emu_optdef *d, const char *arg, struct rw_err *err)
{
    cli->action = EMU_HELP;
    return RW_OK;
}

static enum rw_rc
opt_version(struct emu_cli *cli, const struct emu_optdef *d, const char *arg, struct rw_err *err)
{
    cli->action = EMU_VERSION;
    return RW_OK;
}

static const struct emu_optdef emu_optdefs[] = {
    {"mockup", "DIR", opt_str, FIELD(mockup), 0, 0,
     "mockup to serve (DIR/index.json is /redfish/v1/)"},
    {"listen", "HOST:PORT", opt_listen, 0, 0, 0,
     "address to serve, [V6]:PORT for IPv6, port 0 picks one; repeatable"},
    {"tls-cert", "FILE", opt_str, FIELD(tls_cert), 0, 0,
     "serve HTTPS with this PEM certificate (chain)"},
    {"tls-key", "FILE", opt_str, FIELD(tls_key), 0, 0, "the certificate's PEM private key"},
    {"user", "NAME", opt_str, FIELD(user), 0, 0, "require Basic auth or a session for this user"},
    {"password", "TEXT", opt_str, FIELD(password), 0, 0, "the user's password"},
    {"password-file", "FILE", opt_str, FIELD(password_file), 0, 0,
     "read the password from FILE (first line)"},
    {"session-limit", "N", opt_int, FIELD(session_limit), 1, EMU_SESSIONS_MAX,
     "sessions open at once (default 1024)"},
    {"session-timeout", "SECONDS", opt_int, FIELD(session_timeout), 1, 86400,
     "idle time that ends a session (default 1800)"},
    {"page-size", "N", opt_int, FIELD(page_size), 1, 100000, "page every collection by N members"},
    {"no-expand", NULL, opt_flag, FIELD(no_expand), 0, 0,
     "refuse $expand (501) and do not offer it"},
    {"product", "TEXT", opt_str, FIELD(product), 0, 0, "the service root's Product"},
    {"vendor", "TEXT", opt_str, FIELD(vendor), 0, 0, "the service root's Vendor"},
    {"firmware-version", "TEXT", opt_str, FIELD(firmware), 0, 0,
     "FirmwareVersion of managers and PDUs"},
    {"delay-ms", "N", opt_int, FIELD(delay_ms), 0, 600000, "wait N ms before each answer"},
    {"jitter-ms", "N", opt_int, FIELD(jitter_ms), 0, 600000, "and up to N ms more at random"},
    {"fail-rate", "P", opt_rate, 0, 0, 0, "answer 503 with Retry-After to a share P of requests"},
    {"http-status", "CODE", opt_int, FIELD(http_status), 100, 599,
     "answer every request with CODE"},
    {"bad-json", NULL, opt_flag, FIELD(bad_json), 0, 0, "send truncated bodies"},
    {"drop", NULL, opt_flag, FIELD(drop), 0, 0, "close connections without answering"},
    {"slow-body", "BPS", opt_int, FIELD(slow_body), 1, INT32_MAX,
     "send bodies at BPS bytes per second"},
    {"huge-body", "BYTES", opt_int, FIELD(huge_body), 16, INT64_C(1) << 40,
     "send a JSON body of BYTES instead"},
    {"unauthorized-after", "N", opt_int, FIELD(unauthorized_after), 1, INT32_MAX,
     "forget all sessions every N requests"},
    {"access-log", "FILE", opt_str, FIELD(access_log), 0, 0, "append one line per request to FILE"},
    {"ready-file", "FILE", opt_str, FIELD(ready_file), 0, 0,
     "write HOST:PORT per listener once listening"},
    {"help", NULL, opt_help, 0, 0, 0, "show this help"},
    {"version", NULL, opt_version, 0, 0, 0, "show the version"},
};

#define EMU_NOPTS (sizeof(emu_optdefs) / sizeof(emu_optdefs[0]))

static void
print_help(void)
{
    size_t i;

    (void)printf("Usage: %s --mockup DIR --listen HOST:PORT [options]\n"
                 "Serves a DMTF Redfish mockup over HTTP or HTTPS.\n\n",
                 EMU_PROG);
    for (i = 0; i < EMU_NOPTS; i++) {
        const struct emu_optdef *d = &emu_optdefs[i];
        char left[48];
        (void)snprintf(left, sizeof(left), "%s--%s%s%s",
                       strcmp(d->name, "help") == 0      ? "-h, "
                       : strcmp(d->name, "version") == 0 ? "-V, "
                                                         : "    ",
                       d->name, d->metavar != NULL ? " " : "",
                       d->metavar != NULL ? d->metavar : "");
        (void)printf("  %-32s %s\n", left, d->help);
    }
}

/* Builds getopt_long's table from ours; the index of each entry is its `val`. */
static void
long_options(struct option *lo)
{
    size_t i;

    for (i = 0; i < EMU_NOPTS; i++) {
        lo[i].name = emu_optdefs[i].name;
        lo[i].has_arg = emu_optdefs[i].metavar != NULL ? required_argument : no_argument;
        lo[i].flag = NULL;
        lo[i].val = 256 + (int)i;
    }
    memset(&lo[EMU_NOPTS], 0, sizeof(lo[0]));
}

/* The option that getopt refused, for the message. */
static enum rw_rc
bad_option(int c, char *const argv[], struct rw_err *err)
{
    const char *what = optind > 0 ? argv[optind - 1] : "?";

    if (c == ':') {
        return rw_err_set(err, RW_EINVAL, "option '%s' needs a value", what);
    }
    if (optopt >= 256 && (size_t)(optopt - 256) < EMU_NOPTS) {
        return rw_err_set(err, RW_EINVAL, "option '--%s' takes no value",
                          emu_optdefs[optopt - 256].name);
    }
    if (optopt != 0 && optopt < 256) {
        return rw_err_set(err, RW_EINVAL, "unknown option '-%c' (see --help)", optopt);
    }
    return rw_err_set(err, RW_EINVAL, "unknown option '%s' (see --help)", what);
}

/* Checks the options that go together. */
static enum rw_rc
check_opts(const struct emu_opts *o, struct rw_err *err)
{
    if (o->mockup == NULL) {
        return rw_err_set(err, RW_EINVAL, "--mockup DIR is required");
    }
    if (o->n_listen == 0) {
        return rw_err_set(err, RW_EINVAL, "at least one --listen HOST:PORT is required");
    }
    if ((o->tls_cert == NULL) != (o->tls_key == NULL)) {
        return rw_err_set(err, RW_EINVAL, "--tls-cert and --tls-key go together");
    }
    if (o->password != NULL && o->password_file != NULL) {
        return rw_err_set(err, RW_EINVAL, "--password and --password-file exclude each other");
    }
    if (o->user == NULL && (o->password != NULL || o->password_file != NULL)) {
        return rw_err_set(err, RW_EINVAL, "a password needs --user");
    }
    if (o->user != NULL && o->password == NULL && o->password_file == NULL) {
        return rw_err_set(err, RW_EINVAL, "--user needs --password or --password-file");
    }
    return RW_OK;
}

static enum rw_rc
parse_args(int argc, char *argv[], struct emu_cli *cli, struct rw_err *err)
{
    struct option lo[EMU_NOPTS + 1];
    enum rw_rc rc = RW_OK;
    int c;

    long_options(lo);
    opterr = 0;
    while (rc == RW_OK && (c = getopt_long(argc, argv, ":hV", lo, NULL)) != -1) {
        if (c == 'h' || c == 'V') {
            cli->action = c == 'h' ? EMU_HELP : EMU_VERSION;
        } else if (c >= 256 && (size_t)(c - 256) < EMU_NOPTS) {
            const struct emu_optdef *d = &emu_optdefs[c - 256];
            rc = d->fn(cli, d, optarg != NULL ? optarg : "", err);
        } else {
            rc = bad_option(c, argv, err);
        }
    }
    if (rc != RW_OK || cli->action != EMU_RUN) {
        return rc;
    }
    if (optind < argc) {
        return rw_err_set(err, RW_EINVAL, "unexpected argument '%s' (see --help)", argv[optind]);
    }
    return check_opts(&cli->opts, err);
}

/* Reads a small file whole (caller frees); what names it in messages. */
static enum rw_rc
slurp(const char *what, const char *path, size_t max, char **out, struct rw_err *err)
{
    struct rw_buf b;
    char chunk[4096];
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        return rw_err_set(err, RW_EINVAL, "%s '%s': %s", what, path, strerror(errno));
    }
    rw_buf_init(&b, max);
    while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
        if (rw_buf_add(&b, chunk, (size_t)n) != RW_OK) {
            (void)close(fd);
            return rw_err_set(err, RW_ETOOBIG, "%s '%s': larger than %zu bytes", what, path, max);
        }
    }
    (void)close(fd);
    if (n < 0 || rw_buf_len(&b) == 0) {
        rw_buf_free(&b);
        return rw_err_set(err, RW_EINVAL, "%s '%s': empty or unreadable", what, path);
    }
    *out = rw_buf_take(&b);
    return RW_OK;
}

/* Reads --password-file: its first line. */
static enum rw_rc
read_password(struct emu_opts *o, struct rw_err *err)
{
    enum rw_rc rc;

    if (o->password_file == NULL) {
        return RW_OK;
    }
    rc = slurp("--password-file", o->password_file, EMU_PASSWORD_MAX, &o->password_buf, err);
    if (rc != RW_OK) {
        return rc;
    }
    o->password_buf[strcspn(o->password_buf, "\r\n")] = '\0';
    o->password = o->password_buf;
    return RW_OK;
}

/* The mockup, with the emulator's own changes made once at start. */
static enum rw_rc
load_mockup(const struct emu_opts *o, struct emu_store **out, struct rw_err *err)
{
    struct emu_store *store = NULL;
    json_object *ss;
    enum rw_rc rc = emu_store_load(o->mockup, &store, err);

    if (rc == RW_OK) {
        rc = emu_store_ensure_collection(
            store, EMU_ROOT "/AggregationService", "AggregationSources",
            "#AggregationSourceCollection.AggregationSourceCollection", err);
    }
    if (rc == RW_OK) {
        rc = emu_store_ensure_collection(store, EMU_ROOT "/SessionService", "Sessions",
                                         "#SessionCollection.SessionCollection", err);
    }
    if (rc != RW_OK) {
        emu_store_free(store);
        return rc;
    }
    emu_store_set_identity(store, o->product, o->vendor, o->firmware);
    emu_store_set_features(store, !o->no_expand);
    ss = emu_store_get(store, EMU_ROOT "/SessionService");
    if (ss != NULL) {
        json_object_object_add(ss, "SessionTimeout", json_object_new_int64(o->session_timeout));
    }
    *out = store;
    return RW_OK;
}

/* Everything the daemons share, set up from the options. */
static enum rw_rc
ctx_init(struct emu_ctx *ctx, struct emu_opts *o, struct rw_err *err)
{
    enum rw_rc rc;

    memset(ctx, 0, sizeof(*ctx));
    ctx->opts = o;
    (void)pthread_mutex_init(&ctx->lock, NULL);
    (void)pthread_mutex_init(&ctx->log_lock, NULL);
    atomic_init(&ctx->rnd, (uint_fast64_t)time(NULL) ^ ((uint_fast64_t)getpid() << 32));
    rc = read_password(o, err);
    if (rc == RW_OK) {
        rc = load_mockup(o, &ctx->store, err);
    }
    if (rc != RW_OK) {
        return rc;
    }
    ctx->auth = emu_auth_new(o->user, o->password, o->session_limit, o->session_timeout,
                             emu_handlers_session_gone, ctx);
    if (ctx->auth == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    if (o->access_log != NULL) {
        ctx->access_log = fopen(o->access_log, "ae");
        if (ctx->access_log == NULL) {
            return rw_err_set(err, RW_EINVAL, "--access-log '%s': %s", o->access_log,
                              strerror(errno));
        }
    }
    return RW_OK;
}

static void
ctx_cleanup(struct emu_ctx *ctx)
{
    emu_auth_free(ctx->auth);
    emu_store_free(ctx->store);
    if (ctx->access_log != NULL) {
        (void)fclose(ctx->access_log);
    }
    (void)pthread_mutex_destroy(&ctx->lock);
    (void)pthread_mutex_destroy(&ctx->log_lock);
    free(ctx->opts->password_buf);
}

/* The --ready-file: a temporary file opened before listening, renamed into place after. */
struct emu_ready {
    const char *path; /* NULL: no --ready-file */
    char tmp[4096];
    FILE *f;
};

/* Opens the temporary file early, so a bad path is a bad argument. */
static enum rw_rc
ready_open(struct emu_ready *r, const char *path, struct rw_err *err)
{
    r->path = path;
    r->f = NULL;
    if (path == NULL) {
        return RW_OK;
    }
    if ((size_t)snprintf(r->tmp, sizeof(r->tmp), "%s.tmp%ld", path, (long)getpid()) >=
        sizeof(r->tmp)) {
        return rw_err_set(err, RW_EINVAL, "--ready-file: path too long");
    }
    r->f = fopen(r->tmp, "we");
    if (r->f == NULL) {
        return rw_err_set(err, RW_EINVAL, "--ready-file '%s': %s", path, strerror(errno));
    }
    return RW_OK;
}

/* Drops the temporary file, if any. */
static void
ready_abort(struct emu_ready *r)
{
    if (r->f != NULL) {
        (void)fclose(r->f);
        (void)unlink(r->tmp);
        r->f = NULL;
    }
}

/* Writes one "HOST:PORT" line per listener and renames the file into place. */
static enum rw_rc
ready_commit(struct emu_ready *r, const struct emu_listener *ls, size_t n, struct rw_err *err)
{
    size_t i;
    int bad;

    if (r->f == NULL) {
        return RW_OK;
    }
    for (i = 0; i < n; i++) {
        (void)fprintf(r->f, "%s\n", ls[i].addr);
    }
    bad = ferror(r->f);
    if (fclose(r->f) != 0 || bad || rename(r->tmp, r->path) != 0) {
        r->f = NULL;
        (void)unlink(r->tmp);
        return rw_err_set(err, RW_EINVAL, "--ready-file '%s': cannot write", r->path);
    }
    r->f = NULL;
    return RW_OK;
}

/* Says where the emulator listens, once it does. */
static void
print_listening(const struct emu_listener *ls, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        (void)fprintf(stderr, "%s: listening on %s://%s\n", EMU_PROG, ls[i].tls ? "https" : "http",
                      ls[i].addr);
    }
}

/* Starts every listener; on failure stops those started. */
static enum rw_rc
start_all(struct emu_ctx *ctx, const char *key, const char *cert, struct emu_listener *ls,
          struct rw_err *err)
{
    const struct emu_opts *o = ctx->opts;
    size_t i, j;
    enum rw_rc rc;

    for (i = 0; i < o->n_listen; i++) {
        rc = emu_http_listen(ctx, o->listen[i], key, cert, &ls[i], err);
        if (rc != RW_OK) {
            for (j = 0; j < i; j++) {
                emu_http_stop(&ls[j]);
            }
            return rc;
        }
    }
    return RW_OK;
}

/* Blocks the stop signals in every thread to come; main() takes them with sigwait(). */
static void
block_signals(sigset_t *set)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_IGN;
    (void)sigaction(SIGPIPE, &sa, NULL);
    (void)sigemptyset(set);
    (void)sigaddset(set, SIGTERM);
    (void)sigaddset(set, SIGINT);
    (void)pthread_sigmask(SIG_BLOCK, set, NULL);
}

/* Serves until SIGTERM or SIGINT; exit code 0, or 1 when a listener fails. */
static int
serve(struct emu_ctx *ctx, const char *key, const char *cert, struct emu_ready *ready,
      struct rw_err *err)
{
    struct emu_listener ls[EMU_LISTEN_MAX];
    sigset_t set;
    size_t i;
    int sig = 0;

    memset(ls, 0, sizeof(ls));
    block_signals(&set);
    if (start_all(ctx, key, cert, ls, err) != RW_OK) {
        return 1;
    }
    /* stderr first: whoever waits for the ready file finds these lines written. */
    print_listening(ls, ctx->opts->n_listen);
    if (ready_commit(ready, ls, ctx->opts->n_listen, err) != RW_OK) {
        sig = -1;
    }
    while (sig == 0 && sigwait(&set, &sig) != 0) {
        sig = 0;
    }
    for (i = 0; i < ctx->opts->n_listen; i++) {
        emu_http_stop(&ls[i]);
    }
    return sig < 0 ? 1 : 0;
}

/* Reads the TLS files when given; both NULL for plain HTTP. */
static enum rw_rc
read_tls(const struct emu_opts *o, char **key, char **cert, struct rw_err *err)
{
    enum rw_rc rc;

    *key = NULL;
    *cert = NULL;
    if (o->tls_key == NULL) {
        return RW_OK;
    }
    rc = slurp("--tls-key", o->tls_key, EMU_PEM_MAX, key, err);

    if (rc == RW_OK) {
        rc = slurp("--tls-cert", o->tls_cert, EMU_PEM_MAX, cert, err);
    }
    if (rc != RW_OK) {
        free(*key);
        *key = NULL;
    }
    return rc;
}

int
main(int argc, char *argv[])
{
    struct emu_cli cli = {.opts = {.session_timeout = 1800}, .action = EMU_RUN};
    struct emu_ctx ctx;
    struct emu_ready ready = {NULL, "", NULL};
    struct rw_err err = {0};
    char *key = NULL, *cert = NULL;
    int code = 2;

    if (parse_args(argc, argv, &cli, &err) != RW_OK) {
        (void)fprintf(stderr, "%s: %s\n", EMU_PROG, err.msg);
        return 2;
    }
    if (cli.action != EMU_RUN) {
        if (cli.action == EMU_HELP) {
            print_help();
        } else {
            (void)printf("%s %s\n", EMU_PROG, RACKWATCH_VERSION);
        }
        return 0;
    }
    if (ctx_init(&ctx, &cli.opts, &err) == RW_OK &&
        read_tls(&cli.opts, &key, &cert, &err) == RW_OK &&
        ready_open(&ready, cli.opts.ready_file, &err) == RW_OK) {
        code = serve(&ctx, key, cert, &ready, &err);
    }
    ready_abort(&ready);
    if (err.code != RW_OK) {
        (void)fprintf(stderr, "%s: %s\n", EMU_PROG, err.msg);
    }
    free(key);
    free(cert);
    ctx_cleanup(&ctx);
    return code;
}

/* Unit tests for rw_opts: every common option, bad values, credentials, help text. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "rw_opts.h"

#define N_ROWS(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_ARGS  16

struct plugin_ctx {
    const char *path;
};

static enum rw_rc
on_url(void *ctx, const char *arg, struct rw_err *err)
{
    if (arg[0] != '/') {
        return rw_err_set(err, RW_EINVAL, "'%s' is not a path", arg);
    }
    ((struct plugin_ctx *)ctx)->path = arg;
    return RW_OK;
}

static enum rw_rc
on_flag(void *ctx, const char *arg, struct rw_err *err)
{
    ((struct plugin_ctx *)ctx)->path = "flag";
    return RW_OK;
}

static const struct rw_opt_spec extra_rows[] = {
    {"url", 'u', "PATH", "path to GET", on_url, 0},
    {"flag", 0, NULL, "a long-only flag", on_flag, 0},
    {NULL, 0, NULL, NULL, NULL, 0},
};

static const struct rw_opts_info info = {
    .name = "check_test",
    .label = "TEST",
    .synopsis = "-H HOST [options]",
    .purpose = "Tests the option kit.",
    .features = RW_OPTS_HOST | RW_OPTS_THRESHOLDS | RW_OPTS_TLS | RW_OPTS_AUTH,
    .default_port = 443,
    .extra = extra_rows,
};

static const struct rw_opts_info bare_info = {
    .name = "check_bare",
    .label = "BARE",
    .synopsis = "[options]",
    .purpose = "No host, no thresholds.",
    .features = 0,
};

/* A one-line picture of what parsing produced, for table comparison. */
static void
describe(const struct rw_opts *o, const struct plugin_ctx *p, char *buf, size_t len)
{
    char w[2 * RW_RANGE_TEXT_MAX], c[2 * RW_RANGE_TEXT_MAX], url[RW_URL_TEXT_MAX];

    (void)snprintf(buf, len,
                   "action=%d v=%d t=%g url=%s w=%s c=%s ca=%s k=%d sni=%s cc=%s ck=%s u=%s "
                   "user=%s",
                   (int)o->action, o->verbose, o->timeout,
                   o->hostname != NULL ? rw_url_format(&o->url, url, sizeof(url)) : "-",
                   rw_range_format(&o->thr.warn, w, sizeof(w)),
                   rw_range_format(&o->thr.crit, c, sizeof(c)),
                   o->tls.cacert != NULL ? o->tls.cacert : "-", o->tls.insecure,
                   o->tls.sni != NULL ? o->tls.sni : "-",
                   o->tls.client_cert != NULL ? o->tls.client_cert : "-",
                   o->tls.client_key != NULL ? o->tls.client_key : "-",
                   p->path != NULL ? p->path : "-", o->creds.set ? o->creds.username : "-");
}

struct opts_row {
    const char *args[MAX_ARGS]; /* after the program name, NULL-terminated */
    enum rw_rc want_rc;
    const char *want; /* describe() on success, the message on failure */
};

/* Parses row's arguments with info; writes the outcome text into got. */
static enum rw_rc
parse_row(const struct rw_opts_info *in, const char *const *args, char *got, size_t len)
{
    char *argv[MAX_ARGS + 2];
    struct plugin_ctx p = {NULL};
    struct rw_opts o;
    struct rw_err err;
    enum rw_rc rc;
    int argc = 1;

    argv[0] = (char *)"check_test";
    while (args[argc - 1] != NULL) {
        argv[argc] = (char *)args[argc - 1];
        argc++;
    }
    argv[argc] = NULL;
    rw_opts_init(&o, in);
    rw_err_clear(&err);
    rc = rw_opts_parse(&o, &p, argc, argv, &err);
    if (rc == RW_OK) {
        describe(&o, &p, got, len);
    } else {
        (void)snprintf(got, len, "%s", err.msg);
    }
    rw_opts_cleanup(&o);
    return rc;
}

static void
run_table(const struct rw_opts_info *in, const struct opts_row *rows, size_t n)
{
    size_t i;
    char got[1024];

    for (i = 0; i < n; i++) {
        enum rw_rc rc = parse_row(in, rows[i].args, got, sizeof(got));

        if (rc != rows[i].want_rc || strcmp(got, rows[i].want) != 0) {
            fail_msg("row %zu (%s ...): rc %s\n got  \"%s\"\n want \"%s\"", i,
                     rows[i].args[0] != NULL ? rows[i].args[0] : "", rw_rc_name(rc), got,
                     rows[i].want);
        }
    }
}

#define BASE "t=10 url=https://h:443"
#define NONE "w= c= ca=- k=0 sni=- cc=- ck=- u=- user=-"

static void
test_opts_table(void **state)
{
    static const struct opts_row rows[] = {
        {{"-H", "h"}, RW_OK, "action=0 v=0 " BASE " " NONE},
        {{"--hostname=h", "-p", "8443"}, RW_OK, "action=0 v=0 t=10 url=https://h:8443 " NONE},
        {{"-H", "::1"}, RW_OK, "action=0 v=0 t=10 url=https://[::1]:443 " NONE},
        {{"-H", "[fd00::1]", "--port", "1"},
         RW_OK,
         "action=0 v=0 t=10 url=https://[fd00::1]:1 " NONE},
        {{"-vvv", "-v", "-H", "h"}, RW_OK, "action=0 v=3 " BASE " " NONE},
        {{"-H", "h", "-t", "2.5"}, RW_OK, "action=0 v=0 t=2.5 url=https://h:443 " NONE},
        {{"-H", "h", "-w", "~:0.5", "-c", "@1:2"},
         RW_OK,
         "action=0 v=0 " BASE " w=~:0.5 c=@1:2 ca=- k=0 sni=- cc=- ck=- u=- user=-"},
        {{"-H", "h", "--cacert", "/dev/null", "--insecure", "--sni", "spoke.example",
          "--client-cert", "/dev/null", "--client-key", "/dev/null"},
         RW_OK,
         "action=0 v=0 " BASE " w= c= ca=/dev/null k=1 sni=spoke.example cc=/dev/null "
         "ck=/dev/null u=- user=-"},
        {{"-H", "h", "-u", "/x"},
         RW_OK,
         "action=0 v=0 " BASE " w= c= ca=- k=0 sni=- cc=- ck=- u=/x user=-"},
        {{"-H", "h", "--flag"},
         RW_OK,
         "action=0 v=0 " BASE " w= c= ca=- k=0 sni=- cc=- ck=- u=flag user=-"},
        {{"-h"}, RW_OK, "action=1 v=0 t=10 url=- " NONE},
        {{"--version", "junk"}, RW_OK, "action=2 v=0 t=10 url=- " NONE},
        {{"-V", "-h"}, RW_OK, "action=1 v=0 t=10 url=- " NONE},
        {{NULL}, RW_EINVAL, "missing -H/--hostname"},
        {{"-H"}, RW_EINVAL, "-H/--hostname needs an argument (HOST)"},
        {{"-H", "h", "--cacert"}, RW_EINVAL, "--cacert needs an argument (FILE)"},
        {{"-H", "h", "-w"}, RW_EINVAL, "-w/--warning needs an argument (RANGE)"},
        {{"-x"}, RW_EINVAL, "unknown option '-x'"},
        {{"--nope=1"}, RW_EINVAL, "unknown option '--nope'"},
        {{"--insecure=yes"}, RW_EINVAL, "option '--insecure' takes no argument"},
        {{"-H", "h", "extra"}, RW_EINVAL, "unexpected argument 'extra'"},
        {{"-H", "bad host"}, RW_EINVAL, "-H/--hostname: invalid host name 'bad host'"},
        {{"-H", "[::1"}, RW_EINVAL, "-H/--hostname: invalid IPv6 address '[::1'"},
        {{"-H", "h", "-p", "0"}, RW_EINVAL, "-p/--port: '0' is not a port (1-65535)"},
        {{"-H", "h", "-p", "https"}, RW_EINVAL, "-p/--port: 'https' is not a port (1-65535)"},
        {{"-H", "h", "-p", "70000"}, RW_EINVAL, "-p/--port: '70000' is not a port (1-65535)"},
        {{"-H", "h", "-t", "0"},
         RW_EINVAL,
         "-t/--timeout: '0' is out of range (more than 0, at most 3600 s)"},
        {{"-H", "h", "-t", "-1"},
         RW_EINVAL,
         "-t/--timeout: '-1' is out of range (more than 0, at most 3600 s)"},
        {{"-H", "h", "-t", "1e9"},
         RW_EINVAL,
         "-t/--timeout: '1e9' is out of range (more than 0, at most 3600 s)"},
        {{"-H", "h", "-t", "10s"}, RW_EINVAL, "-t/--timeout: '10s' is not a number of seconds"},
        {{"-H", "h", "-w", "abc"},
         RW_EINVAL,
         "-w/--warning: invalid range 'abc': 'abc' is not a number"},
        {{"-H", "h", "-c", "5:1"},
         RW_EINVAL,
         "-c/--critical: invalid range '5:1': start 5 is greater than end 1"},
        {{"-H", "h", "-c", ""}, RW_EINVAL, "-c/--critical: empty range"},
        {{"-H", "h", "--cacert", "/nonexistent/ca.pem"},
         RW_EINVAL,
         "--cacert: cannot read '/nonexistent/ca.pem': No such file or directory"},
        {{"-H", "h", "--client-key", "/nonexistent/k"},
         RW_EINVAL,
         "--client-key: cannot read '/nonexistent/k': No such file or directory"},
        {{"-H", "h", "--sni", "10.0.0.1"},
         RW_EINVAL,
         "--sni: '10.0.0.1' is an address; SNI needs a host name"},
        {{"-H", "h", "--sni", "-bad"}, RW_EINVAL, "--sni: invalid host name '-bad'"},
        {{"-H", "h", "-u", "x"}, RW_EINVAL, "-u/--url: 'x' is not a path"},
        {{"-H", "h", "--authfile", "/nonexistent/auth"},
         RW_EINVAL,
         "--authfile: cannot open '/nonexistent/auth': No such file or directory"},
    };

    (void)state;
    unsetenv("RACKWATCH_USERNAME");
    unsetenv("RACKWATCH_PASSWORD");
    run_table(&info, rows, N_ROWS(rows));
}

static void
test_opts_features_off(void **state)
{
    static const struct opts_row rows[] = {
        {{NULL}, RW_OK, "action=0 v=0 t=10 url=- " NONE},
        {{"-t", "3"}, RW_OK, "action=0 v=0 t=3 url=- " NONE},
        {{"-H", "h"}, RW_EINVAL, "unknown option '-H'"},
        {{"-w", "1"}, RW_EINVAL, "unknown option '-w'"},
        {{"--cacert=/dev/null"}, RW_EINVAL, "unknown option '--cacert'"},
        {{"--authfile", "x"}, RW_EINVAL, "unknown option '--authfile'"},
    };

    (void)state;
    run_table(&bare_info, rows, N_ROWS(rows));
}

/* Writes text to RW_TEST_TMP_DIR/name with mode; returns the path in buf. */
static const char *
write_file(const char *name, const char *text, mode_t mode, char *buf, size_t len)
{
    FILE *f;

    (void)snprintf(buf, len, "%s/%s", RW_TEST_TMP_DIR, name);
    f = fopen(buf, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(buf, mode), 0);
    return buf;
}

struct auth_row {
    const char *text;
    mode_t mode;
    enum rw_rc want_rc;
    const char *want; /* "user/password" on success, the message after the path otherwise */
};

static void
test_authfile_table(void **state)
{
    static const struct auth_row rows[] = {
        {"username=admin\npassword=s3cret\n", 0600, RW_OK, "admin/s3cret"},
        {"# comment\n\r\nusername=a b\r\npassword=p=q;'x'\r\n", 0400, RW_OK, "a b/p=q;'x'"},
        {"password=last\nusername=u", 0600, RW_OK, "u/last"},
        {"username=admin\npassword=x\n", 0640, RW_EINVAL,
         " is accessible by group or others (mode 0640): chmod 600 it"},
        {"username=admin\npassword=x\n", 0604, RW_EINVAL,
         " is accessible by group or others (mode 0604): chmod 600 it"},
        {"username=admin\npassword=x\n", 0620, RW_EINVAL,
         " is accessible by group or others (mode 0620): chmod 600 it"},
        {"username=admin\n", 0600, RW_EPARSE, ": needs both username= and password="},
        {"password=x\nusername=\n", 0600, RW_EPARSE, ": needs both username= and password="},
        {"", 0600, RW_EPARSE, ": needs both username= and password="},
        {"user=admin\n", 0600, RW_EPARSE, ":1: expected username=NAME or password=SECRET"},
        {"username=a\n password=b\n", 0600, RW_EPARSE,
         ":2: expected username=NAME or password=SECRET"},
    };
    size_t i;
    char path[512], got[1024], want[1024];

    (void)state;
    for (i = 0; i < N_ROWS(rows); i++) {
        struct rw_creds creds;
        struct rw_err err;
        enum rw_rc rc;

        memset(&creds, 0, sizeof(creds));
        rw_err_clear(&err);
        write_file("authfile", rows[i].text, rows[i].mode, path, sizeof(path));
        rc = rw_creds_load_file(path, &creds, &err);
        if (rc == RW_OK) {
            (void)snprintf(got, sizeof(got), "%s/%s", creds.username, creds.password);
            (void)snprintf(want, sizeof(want), "%s", rows[i].want);
        } else {
            (void)snprintf(got, sizeof(got), "%s", err.msg);
            (void)snprintf(want, sizeof(want), "%s%s%s%s", rows[i].mode & 077 ? "'" : "", path,
                           rows[i].mode & 077 ? "'" : "", rows[i].want);
        }
        if (rc != rows[i].want_rc || strcmp(got, want) != 0) {
            fail_msg("row %zu: rc %s, got \"%s\", want \"%s\"", i, rw_rc_name(rc), got, want);
        }
    }
}

static void
test_authfile_too_big_and_not_regular(void **state)
{
    char big[RW_AUTHFILE_MAX + 16], path[512], want[600];
    struct rw_creds creds;
    struct rw_err err;

    (void)state;
    memset(big, '#', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    write_file("authfile.big", big, 0600, path, sizeof(path));
    rw_err_clear(&err);
    assert_int_equal(rw_creds_load_file(path, &creds, &err), RW_ETOOBIG);
    (void)snprintf(want, sizeof(want), "'%s' is larger than 4095 bytes", path);
    assert_string_equal(err.msg, want);

    rw_err_clear(&err);
    assert_int_equal(rw_creds_load_file(RW_TEST_TMP_DIR, &creds, &err), RW_EINVAL);
    (void)snprintf(want, sizeof(want), "'%s' is not a regular file", RW_TEST_TMP_DIR);
    assert_string_equal(err.msg, want);
}

static void
test_authfile_through_parse(void **state)
{
    char path[512], got[1024], want[1024];
    const char *ok_args[] = {"-H", "h", "--authfile", path, NULL};

    (void)state;
    write_file("authfile.opt", "username=op\npassword=pw\n", 0600, path, sizeof(path));
    setenv("RACKWATCH_USERNAME", "envuser", 1); /* the file wins over the environment */
    setenv("RACKWATCH_PASSWORD", "envpass", 1);
    assert_int_equal(parse_row(&info, ok_args, got, sizeof(got)), RW_OK);
    assert_non_null(strstr(got, "user=op"));
    unsetenv("RACKWATCH_USERNAME");
    unsetenv("RACKWATCH_PASSWORD");

    write_file("authfile.opt", "username=op\npassword=pw\n", 0644, path, sizeof(path));
    assert_int_equal(parse_row(&info, ok_args, got, sizeof(got)), RW_EINVAL);
    (void)snprintf(want, sizeof(want),
                   "--authfile: '%s' is accessible by group or others (mode 0644): chmod 600 it",
                   path);
    assert_string_equal(got, want);
}

struct env_row {
    const char *user; /* NULL: unset */
    const char *pass;
    enum rw_rc want_rc;
    const char *want;
};

static void
test_env_credentials_table(void **state)
{
    static char longval[RW_CRED_MAX + 1];
    const struct env_row rows[] = {
        {"admin", "pw", RW_OK, "admin/pw"},
        {NULL, NULL, RW_OK, "/"},
        {"admin", "", RW_OK, "admin/"},
        {"admin", NULL, RW_EINVAL,
         "set both RACKWATCH_USERNAME and RACKWATCH_PASSWORD, or neither"},
        {NULL, "pw", RW_EINVAL, "set both RACKWATCH_USERNAME and RACKWATCH_PASSWORD, or neither"},
        {"", "pw", RW_EINVAL, "set both RACKWATCH_USERNAME and RACKWATCH_PASSWORD, or neither"},
        {longval, "pw", RW_EINVAL, "RACKWATCH_USERNAME longer than 255 bytes"},
        {"u", longval, RW_EINVAL, "RACKWATCH_PASSWORD longer than 255 bytes"},
    };
    size_t i;
    char got[1024];

    (void)state;
    memset(longval, 'x', sizeof(longval) - 1);
    for (i = 0; i < N_ROWS(rows); i++) {
        struct rw_creds creds;
        struct rw_err err;
        enum rw_rc rc;

        memset(&creds, 0, sizeof(creds));
        rw_err_clear(&err);
        if (rows[i].user != NULL) {
            setenv("RACKWATCH_USERNAME", rows[i].user, 1);
        } else {
            unsetenv("RACKWATCH_USERNAME");
        }
        if (rows[i].pass != NULL) {
            setenv("RACKWATCH_PASSWORD", rows[i].pass, 1);
        } else {
            unsetenv("RACKWATCH_PASSWORD");
        }
        rc = rw_creds_from_env(&creds, &err);
        if (rc == RW_OK) {
            (void)snprintf(got, sizeof(got), "%s/%s", creds.username, creds.password);
        } else {
            (void)snprintf(got, sizeof(got), "%s", err.msg);
        }
        if (rc != rows[i].want_rc || strcmp(got, rows[i].want) != 0) {
            fail_msg("row %zu: rc %s, got \"%s\", want \"%s\"", i, rw_rc_name(rc), got,
                     rows[i].want);
        }
    }
    unsetenv("RACKWATCH_USERNAME");
    unsetenv("RACKWATCH_PASSWORD");
}

static void
test_help_usage_version(void **state)
{
    struct rw_buf buf;
    static const char *const must[] = {
        "check_test (rackwatch ",
        "Usage: check_test -H HOST [options]",
        "  -h, --help ",
        "  -V, --version ",
        "  -v, --verbose ",
        "  -t, --timeout=SECONDS ",
        "  -H, --hostname=HOST ",
        "  -p, --port=PORT            TCP port (default 443)\n",
        "  -w, --warning=RANGE ",
        "  -c, --critical=RANGE ",
        "      --cacert=FILE ",
        "      --insecure ",
        "      --sni=NAME ",
        "      --client-cert=FILE ",
        "      --client-key=FILE ",
        "      --authfile=FILE ",
        "  -u, --url=PATH ",
        "      --flag ",
        "~:10",
        "@10:20",
        "\"TEST STATE - text | perfdata\"",
        "RACKWATCH_USERNAME",
    };
    size_t i;

    (void)state;
    rw_buf_init(&buf, RW_PLUGIN_TEXT_MAX);
    assert_int_equal(rw_opts_help(&info, &buf), RW_OK);
    for (i = 0; i < N_ROWS(must); i++) {
        if (strstr(rw_buf_str(&buf), must[i]) == NULL) {
            fail_msg("help lacks \"%s\":\n%s", must[i], rw_buf_str(&buf));
        }
    }
    rw_buf_reset(&buf);
    assert_int_equal(rw_opts_usage(&info, &buf), RW_OK);
    assert_string_equal(rw_buf_str(&buf),
                        "Usage: check_test -H HOST [options] (--help for details)\n");
    rw_buf_reset(&buf);
    assert_int_equal(rw_opts_version(&info, &buf), RW_OK);
    assert_string_equal(rw_buf_str(&buf), "check_test (rackwatch " RACKWATCH_VERSION ")\n");
    rw_buf_reset(&buf);
    assert_int_equal(rw_opts_help(&bare_info, &buf), RW_OK);
    assert_null(strstr(rw_buf_str(&buf), "--hostname"));
    assert_null(strstr(rw_buf_str(&buf), "Ranges"));
    rw_buf_free(&buf);
}

static void
test_deadline(void **state)
{
    struct rw_deadline d;
    long left;

    (void)state;
    rw_deadline_start(&d, 10);
    left = rw_deadline_left_ms(&d);
    assert_true(left > 0 && left <= 10000);
    rw_deadline_start(&d, 0.0);
    assert_int_equal(rw_deadline_left_ms(&d), 0);
    rw_deadline_start(&d, 2.75);
    left = rw_deadline_left_ms(&d);
    assert_true(left > 0 && left <= 2750);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_opts_table),
        cmocka_unit_test(test_opts_features_off),
        cmocka_unit_test(test_authfile_table),
        cmocka_unit_test(test_authfile_too_big_and_not_regular),
        cmocka_unit_test(test_authfile_through_parse),
        cmocka_unit_test(test_env_credentials_table),
        cmocka_unit_test(test_help_usage_version),
        cmocka_unit_test(test_deadline),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

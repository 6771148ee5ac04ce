/* Unit tests for rw_rfsrc: option combinations, snapshot age, state mode from files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "rw_opts.h"
#include "rw_rfsrc.h"

#define N_ROWS(a) (sizeof(a) / sizeof((a)[0]))

static void
test_finish_table(void **state)
{
    static const struct {
        const char *host, *state_file, *endpoint;
        int port;
        int64_t max_age;
        const char *sni;
        const char *want; /* NULL: accepted */
    } rows[] = {
        {"pdu.example.net", NULL, NULL, 0, -1, NULL, NULL},
        {"::1", NULL, NULL, 8443, -1, NULL, NULL},
        {NULL, "/s.json", "pdu-a1", 0, 60, NULL, NULL},
        {NULL, NULL, NULL, 0, -1, NULL, "missing -H/--hostname or --state"},
        {"h", "/s.json", "e", 0, -1, NULL, "-H/--hostname and --state exclude each other"},
        {NULL, "/s.json", NULL, 0, -1, NULL, "--state needs --endpoint NAME"},
        {"h", NULL, "e", 0, -1, NULL, "--endpoint only goes with --state"},
        {"h", NULL, NULL, 0, 60, NULL, "--max-age only goes with --state"},
        {NULL, "/s.json", "e", 443, -1, NULL, "-p/--port only goes with -H/--hostname"},
        {"h", NULL, NULL, 0, -1, "h",
         "--sni, --client-cert and --client-key are not supported over Redfish"},
        {"a b", NULL, NULL, 0, -1, NULL, "-H/--hostname: "},
    };
    static const struct rw_opts_info info = {.name = "t", .label = "T"};
    struct rw_rfsrc_opts src;
    struct rw_opts opts;
    struct rw_err err;
    size_t i;

    (void)state;
    for (i = 0; i < N_ROWS(rows); i++) {
        rw_opts_init(&opts, &info);
        opts.tls.sni = rows[i].sni;
        rw_rfsrc_opts_init(&src);
        src.hostname = rows[i].host;
        src.state_file = rows[i].state_file;
        src.endpoint = rows[i].endpoint;
        src.port = rows[i].port;
        src.max_age_s = rows[i].max_age;
        rw_err_clear(&err);
        if ((rw_rfsrc_finish(&src, &opts, &err) == RW_OK) != (rows[i].want == NULL) ||
            (rows[i].want != NULL && strncmp(err.msg, rows[i].want, strlen(rows[i].want)) != 0)) {
            fail_msg("row %zu: '%s'", i, err.msg);
        }
        if (rows[i].want == NULL && rows[i].host != NULL) {
            assert_int_equal(src.url.port, rows[i].port != 0 ? rows[i].port : 443);
        }
        if (rows[i].want == NULL && rows[i].max_age < 0) {
            assert_int_equal(src.max_age_s, RW_RFSRC_MAX_AGE_DEFAULT);
        }
    }
}

static void
test_option_handlers(void **state)
{
    static const struct {
        rw_opt_fn *fn;
        const char *arg;
        const char *want; /* NULL: accepted */
    } rows[] = {
        {rw_rfsrc_on_port, "443", NULL},
        {rw_rfsrc_on_port, "0", "'0' is not a port (1-65535)"},
        {rw_rfsrc_on_port, "65536", "'65536' is not a port (1-65535)"},
        {rw_rfsrc_on_port, "", "'' is not a port (1-65535)"},
        {rw_rfsrc_on_max_age, "1", NULL},
        {rw_rfsrc_on_max_age, "31536000", NULL},
        {rw_rfsrc_on_max_age, "0", "'0' is not a number of seconds (1-31536000)"},
        {rw_rfsrc_on_max_age, "31536001", "'31536001' is not a number of seconds (1-31536000)"},
        {rw_rfsrc_on_max_age, "5m", "'5m' is not a number of seconds (1-31536000)"},
        {rw_rfsrc_on_max_age, "", "'' is not a number of seconds (1-31536000)"},
        {rw_rfsrc_on_state, "", "empty file name"},
        {rw_rfsrc_on_endpoint, "", "empty endpoint name"},
        {rw_rfsrc_on_state, "x.json", NULL},
        {rw_rfsrc_on_endpoint, "pdu", NULL},
    };
    struct rw_rfsrc_opts src;
    struct rw_err err;
    size_t i;

    (void)state;
    for (i = 0; i < N_ROWS(rows); i++) {
        rw_rfsrc_opts_init(&src);
        rw_err_clear(&err);
        if ((rows[i].fn(&src, rows[i].arg, &err) == RW_OK) != (rows[i].want == NULL) ||
            (rows[i].want != NULL && strcmp(err.msg, rows[i].want) != 0)) {
            fail_msg("row %zu: '%s': '%s'", i, rows[i].arg, err.msg);
        }
    }
}

static void
test_age_table(void **state)
{
    static const struct {
        int64_t polled_at, now, max_age;
        enum rw_rc want;
        const char *want_msg;
    } rows[] = {
        {1000, 1000, 300, RW_OK, ""},
        {1000, 1300, 300, RW_OK, ""},
        {1000, 1301, 300, RW_ESTALE, "data of endpoint dev is 301 s old (--max-age 300)"},
        {1000, 900, 300, RW_OK, ""}, /* the clock stepped back: fresh */
        {-1, 1000, 300, RW_ESTALE, "endpoint dev has never been polled"},
        {0, 1000000, 1, RW_ESTALE, "data of endpoint dev is 1000000 s old (--max-age 1)"},
    };
    struct rf_endpoint *ep = rf_endpoint_new();
    struct rw_err err;
    size_t i;

    (void)state;
    assert_int_equal(rf_str_set(&ep->name, "dev", NULL), RW_OK);
    for (i = 0; i < N_ROWS(rows); i++) {
        ep->polled_at = rows[i].polled_at;
        rw_err_clear(&err);
        if (rw_rfsrc_check_age(ep, rows[i].now, rows[i].max_age, &err) != rows[i].want ||
            strcmp(err.msg, rows[i].want_msg) != 0) {
            fail_msg("row %zu: '%s'", i, err.msg);
        }
    }
    rf_endpoint_free(ep);
}

static void
write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

static void
test_state_mode(void **state)
{
    static const char doc[] =
        "{\"endpoints\": [{\"name\": \"dev\", \"ok\": true, \"polled_at\": "
        "\"2026-11-23T19:20:00Z\"}, {\"name\": \"old\", \"ok\": true, \"polled_at\": "
        "\"2026-11-23T18:00:00Z\"}]}";
    const char *path = RW_TEST_TMP_DIR "/rw_rfsrc.json";
    const int64_t now = 1795461600 + 10; /* 10 s after dev's poll */
    struct rw_rfsrc_opts src;
    struct rw_rfsrc got;
    struct rw_opts opts;
    struct rw_err err;

    (void)state;
    write_file(path, doc);
    rw_rfsrc_opts_init(&src);
    src.state_file = path;
    src.endpoint = "dev";
    src.max_age_s = 300;
    memset(&opts, 0, sizeof(opts));
    assert_int_equal(rw_rfsrc_get(&src, &opts, RF_KIND_PDU, now, NULL, &got, NULL), RW_OK);
    assert_string_equal(got.ep->name, "dev");
    assert_int_equal(got.age_s, 10);
    rw_rfsrc_cleanup(&got);

    src.endpoint = "old";
    rw_err_clear(&err);
    assert_int_equal(rw_rfsrc_get(&src, &opts, RF_KIND_PDU, now, NULL, &got, &err), RW_ESTALE);
    assert_string_equal(err.msg, "data of endpoint old is 4810 s old (--max-age 300)");
    rw_rfsrc_cleanup(&got);

    src.endpoint = "none";
    rw_err_clear(&err);
    assert_int_equal(rw_rfsrc_get(&src, &opts, RF_KIND_PDU, now, NULL, &got, &err), RW_EINVAL);
    assert_non_null(strstr(err.msg, "has no endpoint 'none'"));
    rw_rfsrc_cleanup(&got);

    write_file(path, "{\"endpoints\": [");
    rw_err_clear(&err);
    assert_int_equal(rw_rfsrc_get(&src, &opts, RF_KIND_PDU, now, NULL, &got, &err), RW_EPARSE);
    rw_rfsrc_cleanup(&got);

    src.state_file = RW_TEST_TMP_DIR "/rw_rfsrc-missing.json";
    rw_err_clear(&err);
    assert_int_equal(rw_rfsrc_get(&src, &opts, RF_KIND_PDU, now, NULL, &got, &err), RW_ESTALE);
    rw_rfsrc_cleanup(&got);
}

/* A live half that hands back a failed endpoint, as a refused connection would. */
static enum rw_rc
fake_live(const struct rw_rfsrc_opts *src, const struct rw_opts *opts, enum rf_kind kind,
          struct rf_endpoint **out, struct rw_err *err)
{
    (void)opts;
    (void)err;
    assert_int_equal(kind, RF_KIND_SERVER);
    *out = rf_endpoint_new();
    assert_non_null(*out);
    assert_int_equal(rf_str_set(&(*out)->name, src->hostname, NULL), RW_OK);
    rf_endpoint_fail(*out, "/redfish/v1/: connection refused");
    return RW_OK;
}

static void
test_live_mode(void **state)
{
    struct rw_rfsrc_opts src;
    struct rw_rfsrc got;
    struct rw_opts opts;
    struct rw_err err;

    (void)state;
    rw_rfsrc_opts_init(&src);
    src.hostname = "bmc.example.net";
    memset(&opts, 0, sizeof(opts));
    rw_err_clear(&err);
    assert_int_equal(rw_rfsrc_get(&src, &opts, RF_KIND_SERVER, 0, NULL, &got, &err), RW_EINVAL);
    assert_string_equal(err.msg, "this build has no live mode");
    rw_rfsrc_cleanup(&got);
    assert_int_equal(rw_rfsrc_get(&src, &opts, RF_KIND_SERVER, 0, fake_live, &got, NULL), RW_OK);
    assert_false(got.ep->ok);
    assert_string_equal(got.ep->error, "/redfish/v1/: connection refused");
    assert_int_equal(got.age_s, -1);
    rw_rfsrc_cleanup(&got);
    assert_null(got.ep);
}

static void
test_exec_missing_helper(void **state)
{
    char *argv[] = {"check_x", NULL};
    struct rw_err err;

    (void)state;
    rw_err_clear(&err);
    assert_int_equal(rw_rfsrc_exec_live("no-such-helper", argv, &err), RW_EINVAL);
    assert_non_null(strstr(err.msg, "/no-such-helper: No such file or directory"));
    assert_int_equal(strncmp(err.msg, "cannot run /", 12), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_finish_table), cmocka_unit_test(test_option_handlers),
        cmocka_unit_test(test_age_table),    cmocka_unit_test(test_state_mode),
        cmocka_unit_test(test_live_mode),    cmocka_unit_test(test_exec_missing_helper),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

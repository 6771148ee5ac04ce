/* Unit tests for rw_server_eval: check_server's verdict on a model, table-driven. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rf_snapshot.h"
#include "rw_plugin.h"
#include "rw_server_eval.h"

#define N_ROWS(a) (sizeof(a) / sizeof((a)[0]))

static const char ok_doc[] =
    "{\"endpoints\": [{\"name\": \"bmc\", \"ok\": true, \"servers\": [{\"id\": \"1\","
    " \"power_state\": \"On\", \"health\": \"OK\", \"power_w\": 352, \"inlet_temp_c\": 23.5}]}]}";

static const char warn_doc[] =
    "{\"endpoints\": [{\"name\": \"bmc\", \"ok\": true, \"servers\": [{\"id\": \"1\","
    " \"power_state\": \"On\", \"health\": \"Warning\", \"conditions\": [\"Fan 2 degraded\","
    " \"PSU 1 lost input\"]}, {\"id\": \"2\", \"power_state\": \"Off\","
    " \"health\": \"Critical\"}]}]}";

static const char bare_doc[] =
    "{\"endpoints\": [{\"name\": \"bmc\", \"ok\": true, \"servers\": [{\"id\": \"1\"}]}]}";

static const char failed_doc[] =
    "{\"endpoints\": [{\"name\": \"bmc\", \"ok\": false, \"error\": \"/redfish/v1/: HTTP 503\"}]}";

static const char none_doc[] = "{\"endpoints\": [{\"name\": \"bmc\", \"ok\": true}]}";

static const struct {
    const char *doc;
    const char *system;
    bool expect_on;
    enum rw_server_metric metric;
    const char *warn, *crit;
    enum rw_state want_state;
    const char *want;
} rows[] = {
    {ok_doc, NULL, true, RW_SERVER_METRIC_NONE, NULL, NULL, RW_STATE_OK,
     "SERVER OK - server 1 power On, health OK\n"},
    {ok_doc, "1", true, RW_SERVER_POWER, "300", "400", RW_STATE_WARNING,
     "SERVER WARNING - server 1 power 352 W | power=352W;300;400;0\n"},
    {ok_doc, NULL, true, RW_SERVER_POWER, NULL, "400", RW_STATE_OK,
     "SERVER OK - server 1 power On, health OK, power draw 352 W | power=352W;;400;0\n"},
    {ok_doc, NULL, true, RW_SERVER_INLET_TEMP, "~:20", "~:30", RW_STATE_WARNING,
     "SERVER WARNING - server 1 inlet temperature 23.5 C | inlet_temp=23.5;~:20;~:30\n"},
    {ok_doc, NULL, false, RW_SERVER_METRIC_NONE, NULL, NULL, RW_STATE_CRITICAL,
     "SERVER CRITICAL - server 1 power On, expected Off\n"},
    {warn_doc, NULL, true, RW_SERVER_METRIC_NONE, NULL, NULL, RW_STATE_WARNING,
     "SERVER WARNING - server 1 health Warning: Fan 2 degraded\n"
     "condition: Fan 2 degraded\ncondition: PSU 1 lost input\n"},
    {warn_doc, "2", false, RW_SERVER_METRIC_NONE, NULL, NULL, RW_STATE_CRITICAL,
     "SERVER CRITICAL - server 2 health Critical\n"},
    {warn_doc, "3", true, RW_SERVER_METRIC_NONE, NULL, NULL, RW_STATE_UNKNOWN,
     "SERVER UNKNOWN - no system '3'\n"},
    {bare_doc, NULL, true, RW_SERVER_METRIC_NONE, NULL, NULL, RW_STATE_UNKNOWN,
     "SERVER UNKNOWN - server 1 reports no power state\n"},
    {bare_doc, NULL, true, RW_SERVER_INLET_TEMP, NULL, NULL, RW_STATE_UNKNOWN,
     "SERVER UNKNOWN - server 1 reports no power state; server 1 reports no inlet temperature\n"},
    {failed_doc, NULL, true, RW_SERVER_POWER, NULL, NULL, RW_STATE_CRITICAL,
     "SERVER CRITICAL - /redfish/v1/: HTTP 503\n"},
    {none_doc, NULL, true, RW_SERVER_METRIC_NONE, NULL, NULL, RW_STATE_UNKNOWN,
     "SERVER UNKNOWN - no server\n"},
};

static void
test_eval_table(void **state)
{
    struct rw_server_check chk;
    struct rf_snapshot *snap;
    struct rw_plugin_out out;
    enum rw_state got;
    struct rw_buf buf;
    size_t i;

    (void)state;
    for (i = 0; i < N_ROWS(rows); i++) {
        snap = NULL;
        assert_int_equal(rf_snapshot_parse(rows[i].doc, strlen(rows[i].doc), &snap, NULL), RW_OK);
        rw_server_check_init(&chk);
        chk.system = rows[i].system;
        chk.expect_on = rows[i].expect_on;
        chk.metric = rows[i].metric;
        if (rows[i].warn != NULL) {
            assert_int_equal(rw_range_parse(rows[i].warn, &chk.thr.warn, NULL), RW_OK);
        }
        if (rows[i].crit != NULL) {
            assert_int_equal(rw_range_parse(rows[i].crit, &chk.thr.crit, NULL), RW_OK);
        }
        rw_plugin_out_init(&out, "SERVER");
        rw_buf_init(&buf, 1 << 16);
        assert_int_equal(rw_server_eval(&chk, snap->endpoints[0], &out, &got, NULL), RW_OK);
        assert_int_equal(rw_plugin_format(got, NULL, &out, &buf), RW_OK);
        if (got != rows[i].want_state || strcmp(rw_buf_str(&buf), rows[i].want) != 0) {
            fail_msg("row %zu: state %d, output\n%s\nwant %d\n%s", i, got, rw_buf_str(&buf),
                     rows[i].want_state, rows[i].want);
        }
        rw_buf_free(&buf);
        rw_plugin_out_cleanup(&out);
        rf_snapshot_free(snap);
    }
}

static void
test_parse_table(void **state)
{
    static const struct {
        const char *text;
        enum rw_rc want_rc;
        enum rw_server_metric want;
        const char *want_msg;
    } metrics[] = {
        {"power", RW_OK, RW_SERVER_POWER, ""},
        {"inlet-temp", RW_OK, RW_SERVER_INLET_TEMP, ""},
        {"", RW_EINVAL, RW_SERVER_METRIC_NONE, "unknown metric '' (power, inlet-temp)"},
        {"Power", RW_EINVAL, RW_SERVER_METRIC_NONE, "unknown metric 'Power' (power, inlet-temp)"},
        {"inlet_temp", RW_EINVAL, RW_SERVER_METRIC_NONE,
         "unknown metric 'inlet_temp' (power, inlet-temp)"},
    };
    static const struct {
        const char *text;
        enum rw_rc want_rc;
        bool want;
    } powers[] = {
        {"On", RW_OK, true},   {"off", RW_OK, false},    {"OFF", RW_OK, false},
        {"", RW_EINVAL, true}, {"Onn", RW_EINVAL, true}, {"PoweringOn", RW_EINVAL, true},
    };
    enum rw_server_metric m;
    struct rw_err err;
    bool on;
    size_t i;

    (void)state;
    for (i = 0; i < N_ROWS(metrics); i++) {
        m = RW_SERVER_METRIC_NONE;
        rw_err_clear(&err);
        if (rw_server_metric_parse(metrics[i].text, &m, &err) != metrics[i].want_rc ||
            m != metrics[i].want || strcmp(err.msg, metrics[i].want_msg) != 0) {
            fail_msg("metric row %zu: '%s': %s", i, metrics[i].text, err.msg);
        }
    }
    for (i = 0; i < N_ROWS(powers); i++) {
        on = true;
        rw_err_clear(&err);
        if (rw_server_power_parse(powers[i].text, &on, &err) != powers[i].want_rc ||
            on != powers[i].want) {
            fail_msg("power row %zu: '%s'", i, powers[i].text);
        }
    }
}

static void
test_validate(void **state)
{
    struct rw_server_check chk;
    struct rw_err err;

    (void)state;
    rw_server_check_init(&chk);
    assert_true(chk.expect_on);
    assert_int_equal(rw_server_check_validate(&chk, NULL), RW_OK);
    chk.thr.crit.set = 1;
    rw_err_clear(&err);
    assert_int_equal(rw_server_check_validate(&chk, &err), RW_EINVAL);
    assert_string_equal(err.msg, "-w/-c need --metric");
    chk.metric = RW_SERVER_POWER;
    assert_int_equal(rw_server_check_validate(&chk, NULL), RW_OK);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eval_table),
        cmocka_unit_test(test_parse_table),
        cmocka_unit_test(test_validate),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

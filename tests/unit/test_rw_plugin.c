/* Unit tests for rw_plugin: state names and mapping, worst state, output assembly. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rw_plugin.h"

#define N_ROWS(a) (sizeof(a) / sizeof((a)[0]))

static void
test_state_for_table(void **state)
{
    static const struct {
        enum rw_rc rc;
        enum rw_state want;
    } rows[] = {
        {RW_OK, RW_STATE_OK},
        {RW_ENOMEM, RW_STATE_UNKNOWN},
        {RW_EINVAL, RW_STATE_UNKNOWN},
        {RW_EPARSE, RW_STATE_UNKNOWN},
        {RW_ETOOBIG, RW_STATE_UNKNOWN},
        {RW_ESTALE, RW_STATE_UNKNOWN},
        {(enum rw_rc)99, RW_STATE_UNKNOWN},
        {RW_ECONNECT, RW_STATE_CRITICAL},
        {RW_ETIMEOUT, RW_STATE_CRITICAL},
        {RW_ETLS, RW_STATE_CRITICAL},
        {RW_EHTTP, RW_STATE_CRITICAL},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N_ROWS(rows); i++) {
        if (rw_state_for(rows[i].rc) != rows[i].want) {
            fail_msg("row %zu: %s want %d", i, rw_rc_name(rows[i].rc), rows[i].want);
        }
    }
}

static void
test_state_names(void **state)
{
    (void)state;
    assert_string_equal(rw_state_name(RW_STATE_OK), "OK");
    assert_string_equal(rw_state_name(RW_STATE_WARNING), "WARNING");
    assert_string_equal(rw_state_name(RW_STATE_CRITICAL), "CRITICAL");
    assert_string_equal(rw_state_name(RW_STATE_UNKNOWN), "UNKNOWN");
    assert_string_equal(rw_state_name((enum rw_state)7), "UNKNOWN");
    assert_string_equal(rw_state_name((enum rw_state) - 1), "UNKNOWN");
}

static void
test_state_worst_table(void **state)
{
    static const struct {
        enum rw_state a, b, want;
    } rows[] = {
        {RW_STATE_OK, RW_STATE_OK, RW_STATE_OK},
        {RW_STATE_OK, RW_STATE_WARNING, RW_STATE_WARNING},
        {RW_STATE_CRITICAL, RW_STATE_WARNING, RW_STATE_CRITICAL},
        {RW_STATE_UNKNOWN, RW_STATE_OK, RW_STATE_UNKNOWN},
        {RW_STATE_UNKNOWN, RW_STATE_WARNING, RW_STATE_WARNING},
        {RW_STATE_CRITICAL, RW_STATE_UNKNOWN, RW_STATE_CRITICAL},
        {RW_STATE_WARNING, RW_STATE_UNKNOWN, RW_STATE_WARNING},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N_ROWS(rows); i++) {
        if (rw_state_worst(rows[i].a, rows[i].b) != rows[i].want ||
            rw_state_worst(rows[i].b, rows[i].a) != rows[i].want) {
            fail_msg("row %zu", i);
        }
    }
}

/* Formats with the given parts; returns the text in a static-free caller buffer. */
static void
check_format(enum rw_state st, const char *summary, const char *errmsg, enum rw_rc code,
             const char *perf, const char *detail, const char *want)
{
    struct rw_plugin_out out;
    struct rw_buf dst;
    struct rw_err err;

    rw_plugin_out_init(&out, "SPOKE");
    rw_buf_init(&dst, 4096);
    rw_err_clear(&err);
    if (errmsg != NULL) {
        (void)rw_err_set(&err, code, "%s", errmsg);
    }
    if (summary != NULL) {
        assert_int_equal(rw_plugin_summary(&out, "%s", summary), RW_OK);
    }
    if (perf != NULL) {
        assert_int_equal(rw_buf_adds(&out.perfdata, perf), RW_OK);
    }
    if (detail != NULL) {
        assert_int_equal(rw_plugin_detail(&out, "%s", detail), RW_OK);
    }
    assert_int_equal(rw_plugin_format(st, &err, &out, &dst), RW_OK);
    assert_string_equal(rw_buf_str(&dst), want);
    rw_buf_free(&dst);
    rw_plugin_out_cleanup(&out);
}

static void
test_format_shapes(void **state)
{
    (void)state;
    check_format(RW_STATE_OK, "up", NULL, RW_OK, "time=1s;;;0", NULL,
                 "SPOKE OK - up | time=1s;;;0\n");
    check_format(RW_STATE_OK, "up", NULL, RW_OK, NULL, NULL, "SPOKE OK - up\n");
    check_format(RW_STATE_CRITICAL, "Not responding: h:443", "connection refused", RW_ECONNECT,
                 "time=0s", NULL,
                 "SPOKE CRITICAL - Not responding: h:443: connection refused"
                 " | time=0s\n");
    check_format(RW_STATE_UNKNOWN, NULL, "missing -H/--hostname", RW_EINVAL, NULL,
                 "Usage: x -H HOST", "SPOKE UNKNOWN - missing -H/--hostname\nUsage: x -H HOST\n");
    check_format(RW_STATE_WARNING, "slow", NULL, RW_OK, "t=2", "line 1",
                 "SPOKE WARNING - slow | t=2\nline 1\n");
    /* a '|' or newline in a message must not forge perfdata or lines */
    check_format(RW_STATE_UNKNOWN, NULL, "bad 'a|b'\nnext", RW_EINVAL, NULL, "x|y",
                 "SPOKE UNKNOWN - bad 'a/b' next\nx/y\n");
    check_format(RW_STATE_OK, "", NULL, RW_OK, NULL, NULL, "SPOKE OK - \n");
}

static void
test_format_without_out(void **state)
{
    struct rw_buf dst;
    struct rw_err err;

    (void)state;
    rw_buf_init(&dst, 256);
    rw_err_clear(&err);
    (void)rw_err_set(&err, RW_ENOMEM, "out of memory");
    assert_int_equal(rw_plugin_format(RW_STATE_UNKNOWN, &err, NULL, &dst), RW_OK);
    assert_string_equal(rw_buf_str(&dst), "RACKWATCH UNKNOWN - out of memory\n");
    rw_buf_free(&dst);
}

static void
test_format_cap(void **state)
{
    struct rw_plugin_out out;
    struct rw_buf dst;

    (void)state;
    rw_plugin_out_init(&out, "SPOKE");
    rw_buf_init(&dst, 10);
    assert_int_equal(rw_plugin_summary(&out, "%s", "a summary too long"), RW_OK);
    assert_int_equal(rw_plugin_format(RW_STATE_OK, NULL, &out, &dst), RW_ETOOBIG);
    assert_int_equal(rw_buf_len(&dst), 0);
    rw_plugin_out_cleanup(&out);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_state_for_table),    cmocka_unit_test(test_state_names),
        cmocka_unit_test(test_state_worst_table),  cmocka_unit_test(test_format_shapes),
        cmocka_unit_test(test_format_without_out), cmocka_unit_test(test_format_cap),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

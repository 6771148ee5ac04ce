/* Unit tests for the small core modules: rw_err, rw_buf, rw_parse, rw_log. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rw_buf.h"
#include "rw_err.h"
#include "rw_log.h"
#include "rw_parse.h"

static void
test_err_first_wins(void **state)
{
    struct rw_err err;

    (void)state;
    rw_err_clear(&err);
    assert_int_equal(rw_err_set(&err, RW_EPARSE, "first %d", 1), RW_EPARSE);
    assert_int_equal(rw_err_set(&err, RW_EINVAL, "second"), RW_EINVAL);
    assert_int_equal(err.code, RW_EPARSE);
    assert_string_equal(err.msg, "first 1");
    assert_int_equal(rw_err_set(NULL, RW_ETLS, "no record"), RW_ETLS);
    assert_string_equal(rw_rc_name(RW_ESTALE), "RW_ESTALE");
    assert_string_equal(rw_rc_name((enum rw_rc)99), "RW_E?");
}

static void
test_err_long_message_cut(void **state)
{
    struct rw_err err;
    char big[600];

    (void)state;
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    rw_err_clear(&err);
    (void)rw_err_set(&err, RW_EINVAL, "%s", big);
    assert_int_equal(strlen(err.msg), RW_ERR_MSG_MAX - 1);
}

static void
test_buf_grow_and_take(void **state)
{
    struct rw_buf buf;
    char *taken;
    int i;

    (void)state;
    rw_buf_init(&buf, 4096);
    assert_string_equal(rw_buf_str(&buf), "");
    for (i = 0; i < 100; i++) {
        assert_int_equal(rw_buf_addf(&buf, "%02d,", i), RW_OK);
    }
    assert_int_equal(rw_buf_len(&buf), 300);
    assert_memory_equal(rw_buf_str(&buf), "00,01,02,", 9);
    taken = rw_buf_take(&buf);
    assert_non_null(taken);
    assert_int_equal(strlen(taken), 300);
    assert_int_equal(rw_buf_len(&buf), 0);
    assert_null(rw_buf_take(&buf));
    free(taken);
}

static void
test_buf_cap(void **state)
{
    struct rw_buf buf;

    (void)state;
    rw_buf_init(&buf, 8);
    assert_int_equal(rw_buf_adds(&buf, "12345678"), RW_OK);
    assert_int_equal(rw_buf_add(&buf, "9", 1), RW_ETOOBIG);
    /* The buffer is freed on failure, never left half-written. */
    assert_int_equal(rw_buf_len(&buf), 0);
    assert_int_equal(rw_buf_addf(&buf, "%s", "123456789"), RW_ETOOBIG);
    assert_int_equal(rw_buf_add(&buf, "x", SIZE_MAX), RW_ETOOBIG);
    assert_int_equal(rw_buf_adds(&buf, "ok"), RW_OK);
    rw_buf_reset(&buf);
    assert_string_equal(rw_buf_str(&buf), "");
    rw_buf_free(&buf);
}

struct i64_row {
    const char *input;
    int64_t min, max;
    enum rw_rc want_rc;
    int64_t want;
};

static void
test_parse_i64_table(void **state)
{
    static const struct i64_row rows[] = {
        {"0", 0, 10, RW_OK, 0},
        {"10", 0, 10, RW_OK, 10},
        {"-5", -10, 10, RW_OK, -5},
        {"+7", 0, 10, RW_OK, 7},
        {"9223372036854775807", 0, INT64_MAX, RW_OK, INT64_MAX},
        {"", 0, 10, RW_EPARSE, 0},
        {" 1", 0, 10, RW_EPARSE, 0},
        {"1 ", 0, 10, RW_EPARSE, 0},
        {"1x", 0, 10, RW_EPARSE, 0},
        {"1.0", 0, 10, RW_EPARSE, 0},
        {"0x10", 0, 100, RW_EPARSE, 0},
        {"-", 0, 10, RW_EPARSE, 0},
        {"11", 0, 10, RW_EINVAL, 0},
        {"-1", 0, 10, RW_EINVAL, 0},
        {"9223372036854775808", 0, INT64_MAX, RW_EINVAL, 0},
        {"abc", 0, 10, RW_EPARSE, 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        int64_t out = -42;
        enum rw_rc rc = rw_parse_i64(rows[i].input, rows[i].min, rows[i].max, &out);

        if (rc != rows[i].want_rc || (rc == RW_OK && out != rows[i].want) ||
            (rc != RW_OK && out != -42)) {
            fail_msg("row %zu \"%s\": rc %s out %lld", i, rows[i].input, rw_rc_name(rc),
                     (long long)out);
        }
    }
}

struct double_row {
    const char *input;
    enum rw_rc want_rc;
    double want;
};

static void
test_parse_double_table(void **state)
{
    static const struct double_row rows[] = {
        {"0", RW_OK, 0},         {"1.5", RW_OK, 1.5},     {"-0.25", RW_OK, -0.25},
        {".5", RW_OK, 0.5},      {"1e3", RW_OK, 1000},    {"", RW_EPARSE, 0},
        {"abc", RW_EPARSE, 0},   {"nan", RW_EPARSE, 0},   {"inf", RW_EPARSE, 0},
        {"1e999", RW_EPARSE, 0}, {"0x1p3", RW_EPARSE, 0}, {"1.5 ", RW_EPARSE, 0},
        {" 1", RW_EPARSE, 0},    {"1,5", RW_EPARSE, 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        double out = -42;
        enum rw_rc rc = rw_parse_double(rows[i].input, &out);

        if (rc != rows[i].want_rc || (rc == RW_OK && out != rows[i].want)) {
            fail_msg("row %zu \"%s\": rc %s out %g", i, rows[i].input, rw_rc_name(rc), out);
        }
    }
}

static void
test_parse_port(void **state)
{
    int port = 0;

    (void)state;
    assert_int_equal(rw_parse_port("443", &port), RW_OK);
    assert_int_equal(port, 443);
    assert_int_equal(rw_parse_port("0", &port), RW_EINVAL);
    assert_int_equal(rw_parse_port("65536", &port), RW_EINVAL);
    assert_int_equal(rw_parse_port("https", &port), RW_EPARSE);
}

struct captured {
    int lines;
    enum rw_log_level last_level;
    char last[128];
};

static void
capture_sink(void *ctx, enum rw_log_level level, const char *line)
{
    struct captured *cap = ctx;

    cap->lines++;
    cap->last_level = level;
    (void)snprintf(cap->last, sizeof(cap->last), "%s", line);
}

static void
test_log_levels(void **state)
{
    struct captured cap = {0};
    struct rw_log log = {RW_LOG_NOTICE, capture_sink, &cap, "test"};
    enum rw_log_level level;

    (void)state;
    rw_log(&log, RW_LOG_DEBUG, "dropped %d", 1);
    rw_log(&log, RW_LOG_WARNING, "kept %d", 2);
    rw_log(NULL, RW_LOG_ERR, "nowhere");
    assert_int_equal(cap.lines, 1);
    assert_int_equal(cap.last_level, RW_LOG_WARNING);
    assert_string_equal(cap.last, "kept 2");
    assert_int_equal(rw_log_level_parse("info", &level), RW_OK);
    assert_int_equal(level, RW_LOG_INFO);
    assert_int_equal(rw_log_level_parse("loud", &level), RW_EINVAL);
    assert_string_equal(rw_log_level_name(RW_LOG_ERR), "error");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_err_first_wins),    cmocka_unit_test(test_err_long_message_cut),
        cmocka_unit_test(test_buf_grow_and_take), cmocka_unit_test(test_buf_cap),
        cmocka_unit_test(test_parse_i64_table),   cmocka_unit_test(test_parse_double_table),
        cmocka_unit_test(test_parse_port),        cmocka_unit_test(test_log_levels),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

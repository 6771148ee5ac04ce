/* Unit tests for rw_range: every range form, its edges, and strict parsing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rw_range.h"

#define N_ROWS(a) (sizeof(a) / sizeof((a)[0]))

struct parse_row {
    const char *input;
    enum rw_rc want_rc;
    const char *want_text; /* canonical form on success, the error message on failure */
};

static void
test_range_parse_table(void **state)
{
    static const struct parse_row rows[] = {
        {"10", RW_OK, "10"},
        {"10:", RW_OK, "10:"},
        {"~:10", RW_OK, "~:10"},
        {"10:20", RW_OK, "10:20"},
        {"@10:20", RW_OK, "@10:20"},
        {"@10", RW_OK, "@10"},
        {"0:10", RW_OK, "10"},
        {":10", RW_OK, "10"},
        {"-10:-5", RW_OK, "-10:-5"},
        {"0.5:1.25", RW_OK, "0.5:1.25"},
        {"~:-0.001", RW_OK, "~:-0.001"},
        {"10:10", RW_OK, "10:10"},
        {"1e3", RW_OK, "1000"},
        {"@~:0", RW_OK, "@~:0"},
        {"-1e300:1e300", RW_OK, "-1e+300:1e+300"},
        {"+5:7", RW_OK, "5:7"},
        {"", RW_EPARSE, "empty range"},
        {"abc", RW_EPARSE, "invalid range 'abc': 'abc' is not a number"},
        {"10:20:30", RW_EPARSE, "invalid range '10:20:30': more than one ':'"},
        {":", RW_EPARSE, "invalid range ':': no start or end"},
        {"~:", RW_EPARSE, "invalid range '~:': no start or end"},
        {"@", RW_EPARSE, "invalid range '@': no end"},
        {"@:", RW_EPARSE, "invalid range '@:': no start or end"},
        {"~", RW_EPARSE, "invalid range '~': '~' is not a number"},
        {"10:~", RW_EPARSE,
         "invalid range '10:~': '~' (minus infinity) is only allowed as the start"},
        {"20:10", RW_EPARSE, "invalid range '20:10': start 20 is greater than end 10"},
        {"@20:10", RW_EPARSE, "invalid range '@20:10': start 20 is greater than end 10"},
        {"-5:-10", RW_EPARSE, "invalid range '-5:-10': start -5 is greater than end -10"},
        {"-5", RW_EPARSE, "invalid range '-5': start 0 is greater than end -5"}, /* 0:-5 */
        {"0.2:0.1", RW_EPARSE, "invalid range '0.2:0.1': start 0.2 is greater than end 0.1"},
        {"1e999", RW_EPARSE, "invalid range '1e999': '1e999' is not a number"},
        {"-1e999:", RW_EPARSE, "invalid range '-1e999:': '-1e999' is not a number"},
        {"10x", RW_EPARSE, "invalid range '10x': '10x' is not a number"},
        {"10 ", RW_EPARSE, "invalid range '10 ': '10 ' is not a number"},
        {" 10", RW_EPARSE, "invalid range ' 10': ' 10' is not a number"},
        {"10: 20", RW_EPARSE, "invalid range '10: 20': ' 20' is not a number"},
        {"nan", RW_EPARSE, "invalid range 'nan': 'nan' is not a number"},
        {"inf:", RW_EPARSE, "invalid range 'inf:': 'inf' is not a number"},
        {"0x10", RW_EPARSE, "invalid range '0x10': '0x10' is not a number"},
        {"@@10", RW_EPARSE, "invalid range '@@10': '@10' is not a number"},
        {"10@", RW_EPARSE, "invalid range '10@': '10@' is not a number"},
        {"1,5", RW_EPARSE, "invalid range '1,5': '1,5' is not a number"},
        {"~~:1", RW_EPARSE, "invalid range '~~:1': '~~' is not a number"},
        {"-", RW_EPARSE, "invalid range '-': '-' is not a number"},
        {".", RW_EPARSE, "invalid range '.': '.' is not a number"},
        {"1:2;3", RW_EPARSE, "invalid range '1:2;3': '2;3' is not a number"},
        {"0000000000000000000000000000000000000000000000000000000000000001", RW_EPARSE,
         "range longer than 63 characters"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N_ROWS(rows); i++) {
        struct rw_range r;
        struct rw_err err;
        char text[2 * RW_RANGE_TEXT_MAX];
        enum rw_rc rc;
        const char *got;

        rw_err_clear(&err);
        rc = rw_range_parse(rows[i].input, &r, &err);
        got = rc == RW_OK ? rw_range_format(&r, text, sizeof(text)) : err.msg;
        if (rc != rows[i].want_rc || strcmp(got, rows[i].want_text) != 0) {
            fail_msg("row %zu \"%s\": rc %s, got \"%s\", want \"%s\"", i, rows[i].input,
                     rw_rc_name(rc), got, rows[i].want_text);
        }
    }
}

struct alert_row {
    const char *range;
    double value;
    int want_alert;
};

static void
test_range_alerts_table(void **state)
{
    static const struct alert_row rows[] = {
        {"10", -0.0001, 1},   {"10", 0, 0},        {"10", 10, 0},       {"10", 10.0001, 1},
        {"10:", 9.99, 1},     {"10:", 10, 0},      {"10:", 1e300, 0},   {"~:10", -1e300, 0},
        {"~:10", 10, 0},      {"~:10", 10.5, 1},   {"10:20", 9, 1},     {"10:20", 10, 0},
        {"10:20", 20, 0},     {"10:20", 21, 1},    {"@10:20", 9.9, 0},  {"@10:20", 10, 1},
        {"@10:20", 15, 1},    {"@10:20", 20, 1},   {"@10:20", 20.1, 0}, {"-10:-5", -11, 1},
        {"-10:-5", -10, 0},   {"-10:-5", -5, 0},   {"-10:-5", -4.9, 1}, {"-10:-5", 0, 1},
        {"~:-5", -6, 0},      {"~:-5", -4, 1},     {"@~:0", -1, 1},     {"@~:0", 0.1, 0},
        {"0.5:1.5", 0.49, 1}, {"0.5:1.5", 1.5, 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N_ROWS(rows); i++) {
        struct rw_range r;

        if (rw_range_parse(rows[i].range, &r, NULL) != RW_OK) {
            fail_msg("row %zu: \"%s\" does not parse", i, rows[i].range);
        }
        if (rw_range_alerts(&r, rows[i].value) != rows[i].want_alert) {
            fail_msg("row %zu: \"%s\" with %g: want alert %d", i, rows[i].range, rows[i].value,
                     rows[i].want_alert);
        }
    }
}

static void
test_range_unset_never_alerts(void **state)
{
    struct rw_range r = {0};
    char text[8];

    (void)state;
    assert_int_equal(rw_range_alerts(&r, -1e300), 0);
    assert_int_equal(rw_range_alerts(&r, 1e300), 0);
    assert_string_equal(rw_range_format(&r, text, sizeof(text)), "");
}

static void
test_range_parse_failure_keeps_output(void **state)
{
    struct rw_range r;

    (void)state;
    assert_int_equal(rw_range_parse("5:6", &r, NULL), RW_OK);
    assert_int_equal(rw_range_parse("9:1", &r, NULL), RW_EPARSE);
    assert_true(r.start == 5 && r.end == 6);
    assert_int_equal(rw_range_parse(NULL, &r, NULL), RW_EPARSE);
}

struct eval_row {
    const char *warn; /* NULL: unset */
    const char *crit;
    double value;
    enum rw_state want;
};

static void
test_thresholds_eval_table(void **state)
{
    static const struct eval_row rows[] = {
        {"1", "2", 0.5, RW_STATE_OK},
        {"1", "2", 1.5, RW_STATE_WARNING},
        {"1", "2", 2.5, RW_STATE_CRITICAL},
        {"5", "2", 3, RW_STATE_CRITICAL},
        {NULL, NULL, 1e9, RW_STATE_OK},
        {NULL, "10", 11, RW_STATE_CRITICAL},
        {"10", NULL, 11, RW_STATE_WARNING},
        {"@0:1", "@0:0.5", 0.2, RW_STATE_CRITICAL},
        {"@0:1", "@0:0.5", 0.7, RW_STATE_WARNING},
        {"~:-1", "~:0", 0.5, RW_STATE_CRITICAL},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N_ROWS(rows); i++) {
        struct rw_thresholds thr;

        memset(&thr, 0, sizeof(thr));
        if ((rows[i].warn != NULL && rw_range_parse(rows[i].warn, &thr.warn, NULL) != RW_OK) ||
            (rows[i].crit != NULL && rw_range_parse(rows[i].crit, &thr.crit, NULL) != RW_OK)) {
            fail_msg("row %zu: ranges do not parse", i);
        }
        if (rw_thresholds_eval(&thr, rows[i].value) != rows[i].want) {
            fail_msg("row %zu: value %g: got %d, want %d", i, rows[i].value,
                     rw_thresholds_eval(&thr, rows[i].value), rows[i].want);
        }
    }
}

struct number_row {
    double value;
    const char *want;
};

static void
test_range_number_table(void **state)
{
    static const struct number_row rows[] = {
        {0, "0"},
        {-0.0, "0"},
        {1, "1"},
        {-5, "-5"},
        {0.012, "0.012"},
        {0.0123456789, "0.0123457"},
        {1500000, "1500000"},
        {123456.7, "123457"},
        {0.0001, "0.0001"},
        {1e-5, "0.00001"},
        {7.6e-05, "0.000076"},
        {-1.23456789e-7, "-0.000000123457"},
        {1e-16, "0"},
        {-1e-16, "0"},
        {1e15, "1000000000000000"},
        {1e31, "1e+31"},
        {-273.15, "-273.15"},
        {0.1 + 0.2, "0.3"},
        {99999999999999.0, "99999999999999"},
    };
    size_t i;
    char buf[32];

    (void)state;
    for (i = 0; i < N_ROWS(rows); i++) {
        rw_range_number(rows[i].value, buf, sizeof(buf));
        if (strcmp(buf, rows[i].want) != 0) {
            fail_msg("row %zu: %.17g: got \"%s\", want \"%s\"", i, rows[i].value, buf,
                     rows[i].want);
        }
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_range_parse_table),
        cmocka_unit_test(test_range_alerts_table),
        cmocka_unit_test(test_range_unset_never_alerts),
        cmocka_unit_test(test_range_parse_failure_keeps_output),
        cmocka_unit_test(test_thresholds_eval_table),
        cmocka_unit_test(test_range_number_table),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

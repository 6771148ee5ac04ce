/* Unit tests for rw_perfdata: quoting, number formatting, thresholds, negative values. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rw_perfdata.h"

#define N_ROWS(a) (sizeof(a) / sizeof((a)[0]))

struct label_row {
    const char *label;
    enum rw_rc want_rc;
    const char *want; /* the written label, or the error message */
};

static void
test_perfdata_label_table(void **state)
{
    static const struct label_row rows[] = {
        {"time", RW_OK, "time"},
        {"tls_handshake", RW_OK, "tls_handshake"},
        {"/var/log", RW_OK, "/var/log"},
        {"outlet 1", RW_OK, "'outlet 1'"},
        {"a=b", RW_OK, "'a=b'"},
        {"it's", RW_OK, "'it''s'"},
        {"''", RW_OK, "''''''"},
        {"", RW_EINVAL, "empty perfdata label"},
        {NULL, RW_EINVAL, "empty perfdata label"},
        {"line\nbreak", RW_EINVAL, "control character in perfdata label"},
        {"tab\there", RW_EINVAL, "control character in perfdata label"},
        {"del\x7f", RW_EINVAL, "control character in perfdata label"},
        {"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
         RW_EINVAL, "perfdata label longer than 127 bytes"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N_ROWS(rows); i++) {
        struct rw_buf buf;
        struct rw_err err;
        enum rw_rc rc;
        const char *got;

        rw_buf_init(&buf, 1024);
        rw_err_clear(&err);
        rc = rw_perfdata_add_label(&buf, rows[i].label, &err);
        got = rc == RW_OK ? rw_buf_str(&buf) : err.msg;
        if (rc != rows[i].want_rc || strcmp(got, rows[i].want) != 0) {
            fail_msg("row %zu: rc %s, got \"%s\", want \"%s\"", i, rw_rc_name(rc), got,
                     rows[i].want);
        }
        rw_buf_free(&buf);
    }
}

struct item_row {
    const char *label;
    double value;
    const char *uom;
    const char *warn; /* range text or NULL */
    const char *crit;
    int has_min;
    double min;
    int has_max;
    double max;
    enum rw_rc want_rc;
    const char *want;
};

static void
test_perfdata_item_table(void **state)
{
    static const struct item_row rows[] = {
        {"time", 0.012, "s", NULL, NULL, 1, 0, 0, 0, RW_OK, "time=0.012s;;;0"},
        {"time", 0.5, "s", "1", "2", 1, 0, 0, 0, RW_OK, "time=0.5s;1;2;0"},
        {"load", 1.25, NULL, NULL, NULL, 0, 0, 0, 0, RW_OK, "load=1.25"},
        {"pct", 99.5, "%", "~:90", "@95:100", 1, 0, 1, 100, RW_OK, "pct=99.5%;~:90;@95:100;0;100"},
        {"temp", -12.5, "C", "-20:", "-30:", 1, -40, 1, 85, RW_OK, "temp=-12.5C;-20:;-30:;-40;85"},
        {"power", 1500000, "W", NULL, NULL, 0, 0, 1, 3e6, RW_OK, "power=1500000W;;;;3000000"},
        {"outlet 1", 3, "A", NULL, "10:20", 0, 0, 0, 0, RW_OK, "'outlet 1'=3A;;10:20"},
        {"c", 42, "c", NULL, NULL, 0, 0, 0, 0, RW_OK, "c=42c"},
        {"", 1, "s", NULL, NULL, 0, 0, 0, 0, RW_EINVAL, "empty perfdata label"},
        {"x", 1, "5s", NULL, NULL, 0, 0, 0, 0, RW_EINVAL, "invalid perfdata unit '5s'"},
        {"x", 1, "s;", NULL, NULL, 0, 0, 0, 0, RW_EINVAL, "invalid perfdata unit 's;'"},
        {"x", 1, "a b", NULL, NULL, 0, 0, 0, 0, RW_EINVAL, "invalid perfdata unit 'a b'"},
        {"x", 1, "'", NULL, NULL, 0, 0, 0, 0, RW_EINVAL, "invalid perfdata unit '''"},
        {"x", 1, "u=", NULL, NULL, 0, 0, 0, 0, RW_EINVAL, "invalid perfdata unit 'u='"},
        {"x", 1, "-", NULL, NULL, 0, 0, 0, 0, RW_EINVAL, "invalid perfdata unit '-'"},
        {"x", 1, "toolongunit", NULL, NULL, 0, 0, 0, 0, RW_EINVAL,
         "perfdata unit 'toolongunit' too long"},
        {"a\rb", 1, "s", NULL, NULL, 0, 0, 0, 0, RW_EINVAL, "control character in perfdata label"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N_ROWS(rows); i++) {
        struct rw_range warn, crit;
        struct rw_perfdata pd = {rows[i].label,   rows[i].value, rows[i].uom,     NULL,       NULL,
                                 rows[i].has_min, rows[i].min,   rows[i].has_max, rows[i].max};
        struct rw_buf buf;
        struct rw_err err;
        enum rw_rc rc;
        const char *got;

        if (rows[i].warn != NULL) {
            assert_int_equal(rw_range_parse(rows[i].warn, &warn, NULL), RW_OK);
            pd.warn = &warn;
        }
        if (rows[i].crit != NULL) {
            assert_int_equal(rw_range_parse(rows[i].crit, &crit, NULL), RW_OK);
            pd.crit = &crit;
        }
        rw_buf_init(&buf, 1024);
        rw_err_clear(&err);
        rc = rw_perfdata_add(&buf, &pd, &err);
        got = rc == RW_OK ? rw_buf_str(&buf) : err.msg;
        if (rc != rows[i].want_rc || strcmp(got, rows[i].want) != 0) {
            fail_msg("row %zu: rc %s, got \"%s\", want \"%s\"", i, rw_rc_name(rc), got,
                     rows[i].want);
        }
        rw_buf_free(&buf);
    }
}

static void
test_perfdata_joins_with_space(void **state)
{
    struct rw_perfdata a = {.label = "a", .value = 1};
    struct rw_perfdata b = {.label = "b b", .value = -2, .uom = "s"};
    struct rw_buf buf;

    (void)state;
    rw_buf_init(&buf, 1024);
    assert_int_equal(rw_perfdata_add(&buf, &a, NULL), RW_OK);
    assert_int_equal(rw_perfdata_add(&buf, &b, NULL), RW_OK);
    assert_string_equal(rw_buf_str(&buf), "a=1 'b b'=-2s");
    rw_buf_free(&buf);
}

static void
test_perfdata_buffer_cap(void **state)
{
    struct rw_perfdata a = {.label = "a_long_label", .value = 1};
    struct rw_buf buf;
    struct rw_err err;

    (void)state;
    rw_buf_init(&buf, 8);
    rw_err_clear(&err);
    assert_int_equal(rw_perfdata_add(&buf, &a, &err), RW_ETOOBIG);
    assert_string_equal(err.msg, "perfdata does not fit");
    assert_int_equal(rw_buf_len(&buf), 0);
}

struct cmp_row {
    double a;
    double b;
    int want;
};

static void
test_perfdata_cmp_negative(void **state)
{
    static const struct cmp_row rows[] = {
        {-5, -1, -1},    {-1, -5, 1},         {-1, 1, -1},         {1, -1, 1}, {0, -0.0, 0},
        {-2.5, -2.5, 0}, {-1e300, 1e300, -1}, {-0.001, -0.002, 1}, {3, 3, 0},  {2, 10, -1},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N_ROWS(rows); i++) {
        if (rw_perfdata_cmp(rows[i].a, rows[i].b) != rows[i].want) {
            fail_msg("row %zu: cmp(%g, %g) want %d", i, rows[i].a, rows[i].b, rows[i].want);
        }
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_perfdata_label_table),
        cmocka_unit_test(test_perfdata_item_table),
        cmocka_unit_test(test_perfdata_joins_with_space),
        cmocka_unit_test(test_perfdata_buffer_cap),
        cmocka_unit_test(test_perfdata_cmp_negative),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

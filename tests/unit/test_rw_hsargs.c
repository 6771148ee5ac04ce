/* Unit tests for rw_hsargs: the hub/spoke plugins' shared option values and their messages. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rw_hsargs.h"

struct days_row {
    const char *arg;
    enum rw_rc want_rc;
    double want;
};

static void
test_days(void **state)
{
    static const struct days_row rows[] = {
        {"0", RW_OK, 0},         {"14", RW_OK, 14},     {"2.5", RW_OK, 2.5},
        {"36500", RW_OK, 36500}, {"-1", RW_EINVAL, 0},  {"36501", RW_EINVAL, 0},
        {"", RW_EINVAL, 0},      {"ten", RW_EINVAL, 0}, {"1e9", RW_EINVAL, 0},
        {"nan", RW_EINVAL, 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct rw_err err;
        double out = -7;
        enum rw_rc rc;

        rw_err_clear(&err);
        rc = rw_hsargs_days(rows[i].arg, &out, &err);
        if (rc != rows[i].want_rc || (rc == RW_OK && out != rows[i].want)) {
            fail_msg("row %zu '%s': %s %g", i, rows[i].arg, rw_rc_name(rc), out);
        }
    }
}

static void
test_messages(void **state)
{
    struct rw_err err;
    int port = 0;
    regex_t re;
    int have = 0;
    enum rw_version_rule rule;

    (void)state;
    rw_err_clear(&err);
    assert_int_equal(rw_hsargs_days("ten", &(double){0}, &err), RW_EINVAL);
    assert_string_equal(err.msg, "'ten' is not a number of days (0 to 36500)");
    rw_err_clear(&err);
    assert_int_equal(rw_hsargs_port("70000", &port, &err), RW_EINVAL);
    assert_string_equal(err.msg, "'70000' is not a port (1-65535)");
    assert_int_equal(rw_hsargs_port("8443", &port, NULL), RW_OK);
    assert_int_equal(port, 8443);
    rw_err_clear(&err);
    assert_int_equal(rw_hsargs_path("redfish/v1", "JSON pointer", &err), RW_EINVAL);
    assert_string_equal(err.msg, "'redfish/v1' is not a JSON pointer (it must start with '/')");
    assert_int_equal(rw_hsargs_path("/FirmwareVersion", "JSON pointer", NULL), RW_OK);
    rw_err_clear(&err);
    assert_int_equal(rw_hsargs_regex("(", &re, &have, &err), RW_EINVAL);
    assert_int_equal(have, 0);
    assert_non_null(strstr(err.msg, "invalid regular expression '(': "));
    assert_int_equal(rw_hsargs_regex("^Rack", &re, &have, NULL), RW_OK);
    assert_int_equal(rw_hsargs_regex("Power$", &re, &have, NULL), RW_OK); /* replaces, no leak */
    assert_int_equal(have, 1);
    assert_int_equal(regexec(&re, "Rack Power", 0, NULL, 0), 0);
    regfree(&re);
    assert_int_equal(rw_hsargs_version_rule("same-minor", &rule), RW_OK);
    assert_int_equal(rule, RW_VERSION_SAME_MINOR);
    assert_int_equal(rw_hsargs_version_rule("identical", &rule), RW_EINVAL);
    rw_err_clear(&err);
    assert_int_equal(rw_hsargs_host("bad host", &err), RW_EINVAL);
    assert_int_equal(rw_hsargs_host("[::1]", NULL), RW_OK);
    assert_int_equal(rw_hsargs_minimum("3.1", NULL), RW_OK);
    rw_err_clear(&err);
    assert_int_equal(rw_hsargs_minimum("three", &err), RW_EINVAL);
    assert_true(err.msg[0] != '\0');
}

static void
test_pins(void **state)
{
    struct rw_fingerprint pins[2];
    struct rw_err err;
    size_t n = 0;
    const char *fp = "sha256:"
                     "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF";

    (void)state;
    assert_int_equal(rw_hsargs_pin(fp, pins, &n, 2, NULL), RW_OK);
    assert_int_equal(rw_hsargs_pin(fp + 7, pins, &n, 2, NULL), RW_OK);
    assert_int_equal(n, 2);
    rw_err_clear(&err);
    assert_int_equal(rw_hsargs_pin(fp, pins, &n, 2, &err), RW_EINVAL);
    assert_string_equal(err.msg, "at most 2 pins");
    n = 0;
    rw_err_clear(&err);
    assert_int_equal(rw_hsargs_pin("sha256:12", pins, &n, 2, &err), RW_EINVAL);
    assert_int_equal(n, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_days),
        cmocka_unit_test(test_messages),
        cmocka_unit_test(test_pins),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for rs_scale: model values to RACKWATCH-MIB integers and enumerations. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <cmocka.h>

#include "rs_scale.h"

struct reading_row {
    double value, factor;
    int32_t want;
};

static void
test_readings(void **state)
{
    static const struct reading_row rows[] = {
        {5.5, 1000, 5500},        {0, 1000, 0},      {230.1, 1000, 230100},
        {1234.4, 1, 1234},        {1234.6, 1, 1235}, {NAN, 1000, -1},
        {-0.5, 1000, -1},         {-1e300, 1, -1},   {3e9, 1, INT32_MAX},
        {1e300, 1000, INT32_MAX}, {50.02, 10, 500},  {0.0004, 1000, 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        int32_t got = rs_reading(rows[i].value, rows[i].factor);

        if (got != rows[i].want) {
            fail_msg("row %zu (%g x %g): got %d want %d", i, rows[i].value, rows[i].factor, got,
                     rows[i].want);
        }
    }
}

static void
test_signed_readings(void **state)
{
    static const struct reading_row rows[] = {
        {21.3, 10, 213},
        {-3.2, 10, -32},
        {0, 10, 0},
        {NAN, 10, INT32_MIN},
        {-1e300, 10, INT32_MIN + 1},
        {1e300, 10, INT32_MAX},
        {-214748364.8, 10, INT32_MIN + 1},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        int32_t got = rs_signed_reading(rows[i].value, rows[i].factor);

        if (got != rows[i].want) {
            fail_msg("row %zu (%g): got %d want %d", i, rows[i].value, got, rows[i].want);
        }
    }
}

static void
test_energy(void **state)
{
    struct rs_counter64 c;

    (void)state;
    c = rs_energy_wh(4567.891);
    assert_int_equal(c.value, 4567891);
    c = rs_energy_wh(0);
    assert_int_equal(c.value, 0);
    assert_true(rs_energy_wh(NAN).value == RS_COUNTER64_ABSENT);
    assert_true(rs_energy_wh(-1).value == RS_COUNTER64_ABSENT);
    c = rs_energy_wh(1e30); /* clamped one short of "absent" */
    assert_true(c.value == RS_COUNTER64_ABSENT - 1);
}

static void
test_enumerations(void **state)
{
    (void)state;
    assert_int_equal(rs_health("OK"), 1);
    assert_int_equal(rs_health("Warning"), 2);
    assert_int_equal(rs_health("Critical"), 3);
    assert_int_equal(rs_health(NULL), 4);
    assert_int_equal(rs_health("ok"), 4); /* Redfish enumerations are case-sensitive */
    assert_int_equal(rs_power_state("On"), 1);
    assert_int_equal(rs_power_state("Off"), 2);
    assert_int_equal(rs_power_state("PoweringOn"), 4);
    assert_int_equal(rs_power_state("PoweringOff"), 5);
    assert_int_equal(rs_power_state("Paused"), 6);
    assert_int_equal(rs_power_state(NULL), 3);
    assert_int_equal(rs_power_state("Bogus"), 3);
    assert_int_equal(rs_breaker_state("Normal"), 1);
    assert_int_equal(rs_breaker_state("Tripped"), 2);
    assert_int_equal(rs_breaker_state("Off"), 3);
    assert_int_equal(rs_breaker_state(""), 4);
    assert_int_equal(rs_line("Line1"), 1);
    assert_int_equal(rs_line("Neutral"), 4);
    assert_int_equal(rs_line("Line3ToLine1"), 7);
    assert_int_equal(rs_line("Line3ToNeutral"), 10);
    assert_int_equal(rs_line("Line4"), 0);
    assert_int_equal(rs_line(NULL), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_readings),
        cmocka_unit_test(test_signed_readings),
        cmocka_unit_test(test_energy),
        cmocka_unit_test(test_enumerations),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for rs_notify's log lines: every change kind, odd values and empty texts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rs_notify.h"

struct describe_row {
    struct rs_change change;
    const char *want;
};

static void
test_describe(void **state)
{
    static const struct describe_row rows[] = {
        {{RS_CHANGE_SPOKE_STATUS, {3}, 1, 1, 2, "west", "no TLS handshake: refused", 2},
         "spoke west: status ok -> notResponding (no TLS handshake: refused)"},
        {{RS_CHANGE_SPOKE_STATUS, {1}, 1, 2, 1, "hub-1", "", 1},
         "hub hub-1: status notResponding -> ok"},
        {{RS_CHANGE_SPOKE_STATUS, {2}, 1, 3, 5, "east", NULL, 2},
         "spoke east: status versionsNotCompatible -> invalidServer"},
        {{RS_CHANGE_SPOKE_STATUS, {2}, 1, 4, 0, NULL, NULL, 2},
         "spoke : status certificatesDoNotMatch -> ?"},
        {{RS_CHANGE_SPOKE_STATUS, {2}, 1, 6, -1, "x", NULL, 2}, "spoke x: status ? -> ?"},
        {{RS_CHANGE_PDU_HEALTH, {1}, 1, 1, 3, "pdu-1", "pdu-a1", 0},
         "PDU pdu-1 (pdu-a1): health ok -> critical"},
        {{RS_CHANGE_DATA_STATUS, {1}, 1, 1, 2, "pdu-a1", "refused", 0},
         "endpoint pdu-a1: data ok -> stale (refused)"},
    };
    char buf[256];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const char *got = rs_change_describe(&rows[i].change, buf, sizeof(buf));

        if (got != buf || strcmp(got, rows[i].want) != 0) {
            fail_msg("row %zu: got '%s' want '%s'", i, got, rows[i].want);
        }
    }
}

/* A short buffer gets a cut, NUL-terminated line. */
static void
test_describe_short_buffer(void **state)
{
    static const struct rs_change change = {RS_CHANGE_SPOKE_STATUS, {3}, 1, 1, 2, "west",
                                            "no TLS handshake",     2};
    char buf[8];

    (void)state;
    assert_string_equal(rs_change_describe(&change, buf, sizeof(buf)), "spoke w");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_describe),
        cmocka_unit_test(test_describe_short_buffer),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

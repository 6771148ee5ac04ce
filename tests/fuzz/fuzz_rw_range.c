/*
 * libFuzzer target for the threshold range parser (plugins/kit/rw_range.h): any text must
 * parse or fail with a one-line message; a range that parses must format back to text
 * that parses again to a range that alerts on the same side of its own ends.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_input.h"
#include "rw_range.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Values around and between the ends of r, where an alert decision can change. */
static void
probe_values(const struct rw_range *r, double v[6])
{
    v[0] = r->start;
    v[1] = r->end;
    v[2] = r->start - 1.0;
    v[3] = r->end + 1.0;
    v[4] = r->start / 2.0 + r->end / 2.0;
    v[5] = 0.0;
}

static void
check_round_trip(const struct rw_range *r)
{
    char text[RW_RANGE_TEXT_MAX * 2];
    struct rw_range again;
    struct rw_thresholds thr = {.warn = *r, .crit = *r};
    double v[6];
    size_t i;

    rw_range_format(r, text, sizeof(text));
    if (rw_range_parse(text, &again, NULL) != RW_OK) {
        __builtin_trap(); /* what the formatter writes, the parser must read */
    }
    if (again.inside != r->inside || again.start_inf != r->start_inf ||
        again.end_inf != r->end_inf) {
        __builtin_trap();
    }
    probe_values(r, v);
    for (i = 0; i < 6; i++) {
        if (isfinite(v[i]) && rw_range_alerts(r, v[i]) &&
            rw_thresholds_eval(&thr, v[i]) != RW_STATE_CRITICAL) {
            __builtin_trap();
        }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_cursor c = {data, size};
    char text[RW_RANGE_TEXT_MAX * 2];
    char num[32];
    struct rw_range r;
    struct rw_err err;
    double d;

    while (fuzz_line(&c, text, sizeof(text))) {
        rw_err_clear(&err);
        if (rw_range_parse(text, &r, &err) == RW_OK) {
            check_round_trip(&r);
        } else if (err.msg[0] == '\0' || strchr(err.msg, '\n') != NULL) {
            __builtin_trap();
        }
    }
    if (size >= sizeof(d)) {
        memcpy(&d, data, sizeof(d));
        if (strlen(rw_range_number(d, num, sizeof(num))) >= sizeof(num)) {
            __builtin_trap();
        }
    }
    return 0;
}

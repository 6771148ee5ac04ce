#include "rs_scale.h"

#include <math.h>
#include <string.h>

int32_t
rs_reading(double value, double factor)
{
    double scaled;

    if (isnan(value) || value < 0) {
        return RS_NOT_REPORTED;
    }
    scaled = round(value * factor);
    return scaled >= (double)INT32_MAX ? INT32_MAX : (int32_t)scaled;
}

int32_t
rs_signed_reading(double value, double factor)
{
    double scaled;

    if (isnan(value)) {
        return RS_SIGNED_NOT_REPORTED;
    }
    scaled = round(value * factor);
    if (scaled >= (double)INT32_MAX) {
        return INT32_MAX;
    }
    /* INT32_MIN itself means "not reported", so the lowest real value is one above. */
    return scaled <= (double)INT32_MIN + 1 ? INT32_MIN + 1 : (int32_t)scaled;
}

struct rs_counter64
rs_energy_wh(double kwh)
{
    struct rs_counter64 c = {RS_COUNTER64_ABSENT};
    double wh;

    if (isnan(kwh) || kwh < 0) {
        return c;
    }
    wh = round(kwh * 1000.0);
    /* The largest double below 2^64; past it the counter stays one short of absent. */
    c.value = wh >= 18446744073709549568.0 ? RS_COUNTER64_ABSENT - 1 : (uint64_t)wh;
    return c;
}

struct name_value {
    const char *name;
    int32_t value;
};

static int32_t
lookup(const struct name_value *table, const char *name, int32_t otherwise)
{
    for (; name != NULL && table->name != NULL; table++) {
        if (strcmp(table->name, name) == 0) {
            return table->value;
        }
    }
    return otherwise;
}

int32_t
rs_health(const char *health)
{
    static const struct name_value names[] = {
        {"OK", 1}, {"Warning", 2}, {"Critical", 3}, {NULL, 0}};

    return lookup(names, health, 4);
}

int32_t
rs_power_state(const char *state)
{
    static const struct name_value names[] = {{"On", 1},          {"Off", 2},    {"PoweringOn", 4},
                                              {"PoweringOff", 5}, {"Paused", 6}, {NULL, 0}};

    return lookup(names, state, 3);
}

int32_t
rs_breaker_state(const char *state)
{
    static const struct name_value names[] = {{"Normal", 1}, {"Tripped", 2}, {"Off", 3}, {NULL, 0}};

    return lookup(names, state, 4);
}

int32_t
rs_line(const char *name)
{
    static const struct name_value names[] = {{"Line1", 1},
                                              {"Line2", 2},
                                              {"Line3", 3},
                                              {"Neutral", 4},
                                              {"Line1ToLine2", 5},
                                              {"Line2ToLine3", 6},
                                              {"Line3ToLine1", 7},
                                              {"Line1ToNeutral", 8},
                                              {"Line2ToNeutral", 9},
                                              {"Line3ToNeutral", 10},
                                              {NULL, 0}};

    return lookup(names, name, 0);
}

/*
 * rs_scale: model values to RACKWATCH-MIB integers, scaled as PDU MIBs do, and Redfish
 * enumeration strings to the MIB's enumerations.  Pure functions; unit-tested.
 */
#ifndef RS_SCALE_H
#define RS_SCALE_H

#include <stdint.h>

#include "rs_table.h"

#define RS_NOT_REPORTED        (-1)      /* RackwatchReading */
#define RS_SIGNED_NOT_REPORTED INT32_MIN /* RackwatchSignedReading */

/*
 * value × factor, rounded, for a RackwatchReading: -1 when value is absent (NAN) or
 * negative, capped at INT32_MAX.
 */
int32_t rs_reading(double value, double factor);

/* value × factor, rounded, for a RackwatchSignedReading: INT32_MIN when absent. */
int32_t rs_signed_reading(double value, double factor);

/* kWh to a watt-hour Counter64; absent (RS_COUNTER64_ABSENT) when value is absent or
 * negative; at most RS_COUNTER64_ABSENT - 1. */
struct rs_counter64 rs_energy_wh(double kwh);

/* RackwatchHealth: OK 1, Warning 2, Critical 3, anything else or NULL 4 (unknown). */
int32_t rs_health(const char *health);

/* RackwatchPowerState: On 1, Off 2, PoweringOn 4, PoweringOff 5, Paused 6, else 3. */
int32_t rs_power_state(const char *state);

/* RackwatchBreakerState: Normal 1, Tripped 2, Off 3, else 4. */
int32_t rs_breaker_state(const char *state);

/* RackwatchLine for a Redfish line name ("Line1ToNeutral"), 0 when it is not one. */
int32_t rs_line(const char *name);

#endif

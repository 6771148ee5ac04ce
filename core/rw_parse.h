/*
 * rw_parse: strict number parsing.  The whole string must be the number: no leading
 * or trailing space, no empty string, no trailing garbage, no overflow.
 */
#ifndef RW_PARSE_H
#define RW_PARSE_H

#include <stdint.h>

#include "rw_err.h"

/*
 * Parses a decimal integer in [min, max] into *out.  RW_EPARSE for anything that is
 * not a whole decimal integer, RW_EINVAL when it is one but out of range.  *out is
 * written only on success.
 */
RW_MUSTCHECK enum rw_rc rw_parse_i64(const char *str, int64_t min, int64_t max, int64_t *out);

/*
 * Parses a finite decimal number ("12", "-0.5", "1e3") into *out.  RW_EPARSE for
 * anything else, including "nan", "inf", hexadecimal and empty strings.
 */
RW_MUSTCHECK enum rw_rc rw_parse_double(const char *str, double *out);

/* Parses a TCP port, 1 to 65535. */
RW_MUSTCHECK enum rw_rc rw_parse_port(const char *str, int *out);

#endif

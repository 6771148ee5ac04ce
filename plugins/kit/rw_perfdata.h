/*
 * rw_perfdata: performance data items, `'label'=value[UOM];warn;crit;min;max`, as the
 * Monitoring Plugins Development Guidelines define them.
 *
 * Labels are quoted with ' when they hold anything but letters, digits and "_.-/:" (a
 * space, '=', a quote...), and a ' inside is doubled.  Numbers are written with '.' in
 * any locale, without needless digits, and without exponent for ordinary magnitudes.
 * Thresholds are written back in range syntax.  Empty fields before a present one stay
 * ("time=0.012s;;;0"); empty trailing fields are dropped ("x=1").
 */
#ifndef RW_PERFDATA_H
#define RW_PERFDATA_H

#include "rw_buf.h"
#include "rw_err.h"
#include "rw_range.h"

#define RW_PERFDATA_LABEL_MAX 128 /* bytes of a label before quoting */
#define RW_PERFDATA_UOM_MAX   8

/* One item; everything is borrowed from the caller for the call. */
struct rw_perfdata {
    const char *label; /* 1..RW_PERFDATA_LABEL_MAX - 1 bytes, no control characters */
    double value;
    const char *uom;             /* "s", "%", "B", "c", "W"...; NULL or "" for none */
    const struct rw_range *warn; /* NULL or unset: empty field */
    const struct rw_range *crit;
    int has_min;
    double min;
    int has_max;
    double max;
};

/*
 * Appends pd to buf, after a space when buf is not empty.  RW_EINVAL for an empty, too
 * long or control-character label, or a unit with digits, spaces, ';', '\'' or '='
 * (message names it); RW_ETOOBIG/RW_ENOMEM from the buffer (which is then freed).
 */
RW_MUSTCHECK enum rw_rc rw_perfdata_add(struct rw_buf *buf, const struct rw_perfdata *pd,
                                        struct rw_err *err);

/* Appends label to buf, quoted when needed.  Errors as rw_perfdata_add(). */
RW_MUSTCHECK enum rw_rc rw_perfdata_add_label(struct rw_buf *buf, const char *label,
                                              struct rw_err *err);

/*
 * Compares two values as numbers: -1 when a < b, 0 when equal, 1 when a > b.  Negative
 * values compare as numbers do (-5 < -1), which upstream's perfdata once got wrong.
 */
int rw_perfdata_cmp(double a, double b);

#endif

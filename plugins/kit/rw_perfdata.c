#include "rw_perfdata.h"

#include <string.h>

/* Characters a label may hold without quotes. */
static int
is_plain_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-' || c == '/' || c == ':';
}

static enum rw_rc
check_label(const char *label, int *quote, struct rw_err *err)
{
    size_t len = label != NULL ? strlen(label) : 0, i;

    *quote = 0;
    if (len == 0) {
        return rw_err_set(err, RW_EINVAL, "empty perfdata label");
    }
    if (len >= RW_PERFDATA_LABEL_MAX) {
        return rw_err_set(err, RW_EINVAL, "perfdata label longer than %d bytes",
                          RW_PERFDATA_LABEL_MAX - 1);
    }
    for (i = 0; i < len; i++) {
        if ((unsigned char)label[i] < 0x20 || label[i] == 0x7f) {
            return rw_err_set(err, RW_EINVAL, "control character in perfdata label");
        }
        if (!is_plain_char(label[i])) {
            *quote = 1;
        }
    }
    return RW_OK;
}

enum rw_rc
rw_perfdata_add_label(struct rw_buf *buf, const char *label, struct rw_err *err)
{
    int quote = 1;
    enum rw_rc rc = check_label(label, &quote, err);
    const char *p;

    if (rc != RW_OK || !quote) {
        return rc != RW_OK ? rc : rw_buf_adds(buf, label);
    }
    rc = rw_buf_add(buf, "'", 1);
    for (p = label; *p != '\0' && rc == RW_OK; p++) {
        /* A quote inside a quoted label is written twice. */
        rc = *p == '\'' ? rw_buf_add(buf, "''", 2) : rw_buf_add(buf, p, 1);
    }
    if (rc == RW_OK) {
        rc = rw_buf_add(buf, "'", 1);
    }
    return rc;
}

static enum rw_rc
check_uom(const char *uom, struct rw_err *err)
{
    const char *p;

    if (strlen(uom) >= RW_PERFDATA_UOM_MAX) {
        return rw_err_set(err, RW_EINVAL, "perfdata unit '%s' too long", uom);
    }
    for (p = uom; *p != '\0'; p++) {
        if ((*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == ';' || *p == '\'' ||
            *p == '=' || *p == ' ' || (unsigned char)*p < 0x20) {
            return rw_err_set(err, RW_EINVAL, "invalid perfdata unit '%s'", uom);
        }
    }
    return RW_OK;
}

/* Writes the four optional fields warn;crit;min;max as text, "" where absent. */
static void
format_fields(const struct rw_perfdata *pd, char fields[4][2 * RW_RANGE_TEXT_MAX])
{
    size_t len = 2 * RW_RANGE_TEXT_MAX;

    fields[0][0] = fields[1][0] = fields[2][0] = fields[3][0] = '\0';
    if (pd->warn != NULL) {
        (void)rw_range_format(pd->warn, fields[0], len);
    }
    if (pd->crit != NULL) {
        (void)rw_range_format(pd->crit, fields[1], len);
    }
    if (pd->has_min) {
        (void)rw_range_number(pd->min, fields[2], len);
    }
    if (pd->has_max) {
        (void)rw_range_number(pd->max, fields[3], len);
    }
}

/* Appends ";field" for each field up to the last non-empty one (trailing ones dropped). */
static enum rw_rc
add_fields(struct rw_buf *buf, const struct rw_perfdata *pd)
{
    char fields[4][2 * RW_RANGE_TEXT_MAX];
    int last = -1, i;
    enum rw_rc rc = RW_OK;

    format_fields(pd, fields);
    for (i = 0; i < 4; i++) {
        if (fields[i][0] != '\0') {
            last = i;
        }
    }
    for (i = 0; i <= last && rc == RW_OK; i++) {
        rc = rw_buf_addf(buf, ";%s", fields[i]);
    }
    return rc;
}

enum rw_rc
rw_perfdata_add(struct rw_buf *buf, const struct rw_perfdata *pd, struct rw_err *err)
{
    const char *uom = pd->uom != NULL ? pd->uom : "";
    char num[32];
    int quote;
    enum rw_rc rc;

    if (check_label(pd->label, &quote, err) != RW_OK || check_uom(uom, err) != RW_OK) {
        return RW_EINVAL;
    }
    rc = rw_buf_len(buf) > 0 ? rw_buf_add(buf, " ", 1) : RW_OK;
    if (rc == RW_OK) {
        rc = rw_perfdata_add_label(buf, pd->label, err);
    }
    if (rc == RW_OK) {
        rc = rw_buf_addf(buf, "=%s%s", rw_range_number(pd->value, num, sizeof(num)), uom);
    }
    if (rc == RW_OK) {
        rc = add_fields(buf, pd);
    }
    return rc != RW_OK ? rw_err_set(err, rc, "perfdata does not fit") : RW_OK;
}

int
rw_perfdata_cmp(double a, double b)
{
    if (a < b) {
        return -1;
    }
    return a > b ? 1 : 0;
}

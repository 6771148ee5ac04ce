#include "rw_plugin.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *
rw_state_name(enum rw_state state)
{
    switch (state) {
    case RW_STATE_OK:
        return "OK";
    case RW_STATE_WARNING:
        return "WARNING";
    case RW_STATE_CRITICAL:
        return "CRITICAL";
    default:
        return "UNKNOWN";
    }
}

enum rw_state
rw_state_for(enum rw_rc rc)
{
    switch (rc) {
    case RW_OK:
        return RW_STATE_OK;
    case RW_ECONNECT:
    case RW_ETIMEOUT:
    case RW_ETLS:
    case RW_EHTTP:
        return RW_STATE_CRITICAL;
    default:
        return RW_STATE_UNKNOWN;
    }
}

/* Severity order for rw_state_worst(): a known problem outranks not knowing. */
static int
severity(enum rw_state state)
{
    switch (state) {
    case RW_STATE_OK:
        return 0;
    case RW_STATE_WARNING:
        return 2;
    case RW_STATE_CRITICAL:
        return 3;
    default:
        return 1;
    }
}

enum rw_state
rw_state_worst(enum rw_state a, enum rw_state b)
{
    return severity(a) >= severity(b) ? a : b;
}

void
rw_plugin_out_init(struct rw_plugin_out *out, const char *label)
{
    out->label = label;
    rw_buf_init(&out->summary, RW_PLUGIN_TEXT_MAX);
    rw_buf_init(&out->perfdata, RW_PLUGIN_TEXT_MAX);
    rw_buf_init(&out->details, RW_PLUGIN_TEXT_MAX);
}

void
rw_plugin_out_cleanup(struct rw_plugin_out *out)
{
    rw_buf_free(&out->summary);
    rw_buf_free(&out->perfdata);
    rw_buf_free(&out->details);
}

/* One call's text goes through a bounded stack copy: at most LINE_MAX_TEXT - 1 bytes
 * (a status text is a line, not a document). */
#define LINE_MAX_TEXT 4096

enum rw_rc
rw_plugin_summary(struct rw_plugin_out *out, const char *fmt, ...)
{
    char line[LINE_MAX_TEXT];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    return n < 0 ? RW_EINVAL : rw_buf_adds(&out->summary, line);
}

enum rw_rc
rw_plugin_detail(struct rw_plugin_out *out, const char *fmt, ...)
{
    char line[LINE_MAX_TEXT];
    va_list ap;
    int n;
    enum rw_rc rc;

    va_start(ap, fmt);
    n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    rc = n < 0 ? RW_EINVAL : rw_buf_adds(&out->details, line);
    return rc == RW_OK ? rw_buf_add(&out->details, "\n", 1) : rc;
}

/* Appends text with '|' made '/' and, unless keep_newlines, line breaks made spaces. */
static enum rw_rc
add_clean(struct rw_buf *dst, const char *text, int keep_newlines)
{
    enum rw_rc rc = RW_OK;
    const char *p;
    char c;

    for (p = text; *p != '\0' && rc == RW_OK; p++) {
        c = *p;
        if (c == '|') {
            c = '/';
        } else if ((c == '\n' && !keep_newlines) || c == '\r') {
            c = ' ';
        }
        rc = rw_buf_add(dst, &c, 1);
    }
    return rc;
}

/* The first line up to the perfdata: "LABEL STATE - text". */
static enum rw_rc
add_status(enum rw_state state, const struct rw_err *err, const struct rw_plugin_out *out,
           struct rw_buf *dst)
{
    const char *summary = out != NULL ? rw_buf_str(&out->summary) : "";
    const char *msg = err != NULL && err->code != RW_OK ? err->msg : "";
    enum rw_rc rc;

    rc = rw_buf_addf(dst, "%s %s - ", out != NULL ? out->label : "RACKWATCH", rw_state_name(state));
    if (rc == RW_OK) {
        rc = add_clean(dst, summary, 0);
    }
    if (rc == RW_OK && summary[0] != '\0' && msg[0] != '\0') {
        rc = rw_buf_adds(dst, ": ");
    }
    if (rc == RW_OK) {
        rc = add_clean(dst, msg, 0);
    }
    return rc;
}

enum rw_rc
rw_plugin_format(enum rw_state state, const struct rw_err *err, const struct rw_plugin_out *out,
                 struct rw_buf *dst)
{
    enum rw_rc rc = add_status(state, err, out, dst);

    if (rc == RW_OK && out != NULL && rw_buf_len(&out->perfdata) > 0) {
        rc = rw_buf_addf(dst, " | %s", rw_buf_str(&out->perfdata));
    }
    if (rc == RW_OK) {
        rc = rw_buf_add(dst, "\n", 1);
    }
    if (rc == RW_OK && out != NULL) {
        rc = add_clean(dst, rw_buf_str(&out->details), 1);
    }
    return rc;
}

int
rw_plugin_report(enum rw_state state, const struct rw_err *err, const struct rw_plugin_out *out)
{
    struct rw_buf text;

    rw_buf_init(&text, 4 * RW_PLUGIN_TEXT_MAX);
    if (rw_plugin_format(state, err, out, &text) != RW_OK) {
        (void)fprintf(stdout, "%s UNKNOWN - out of memory\n",
                      out != NULL ? out->label : "RACKWATCH");
        (void)fflush(stdout);
        return RW_STATE_UNKNOWN;
    }
    rw_plugin_write(&text);
    rw_buf_free(&text);
    return (int)state;
}

void
rw_plugin_write(const struct rw_buf *buf)
{
    (void)fwrite(rw_buf_str(buf), 1, rw_buf_len(buf), stdout);
    (void)fflush(stdout);
}

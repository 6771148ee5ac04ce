#include "rf_snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "rf_map.h"
#include "rw_file.h"

/* One scalar key of the document and where it lives in its struct. */
enum ftype {
    F_STR,  /* char *, null when NULL */
    F_NUM,  /* double, null when NAN */
    F_INT,  /* int64_t >= 0, null when -1 */
    F_BOOL, /* bool */
    F_TIME, /* int64_t Unix time as RFC 3339, null when -1 */
    F_KIND, /* enum rf_kind as its name */
};

struct field {
    const char *key;
    enum ftype type;
    size_t off;
    bool required;
};

#define FIELD(s, key, type, member)                                                                \
    {                                                                                              \
        key, type, offsetof(struct s, member), false                                               \
    }

static const struct field endpoint_fields[] = {
    {"name", F_STR, offsetof(struct rf_endpoint, name), true},
    FIELD(rf_endpoint, "url", F_STR, url),
    FIELD(rf_endpoint, "kind", F_KIND, kind),
    {"ok", F_BOOL, offsetof(struct rf_endpoint, ok), true},
    FIELD(rf_endpoint, "error", F_STR, error),
    FIELD(rf_endpoint, "polled_at", F_TIME, polled_at),
    FIELD(rf_endpoint, "duration_ms", F_INT, duration_ms),
    FIELD(rf_endpoint, "requests", F_INT, requests),
};

static const struct field pdu_fields[] = {
    FIELD(rf_pdu, "id", F_STR, id),
    FIELD(rf_pdu, "name", F_STR, name),
    FIELD(rf_pdu, "manufacturer", F_STR, manufacturer),
    FIELD(rf_pdu, "model", F_STR, model),
    FIELD(rf_pdu, "serial", F_STR, serial),
    FIELD(rf_pdu, "firmware", F_STR, firmware),
    FIELD(rf_pdu, "health", F_STR, health),
    FIELD(rf_pdu, "power_w", F_NUM, power_w),
    FIELD(rf_pdu, "energy_kwh", F_NUM, energy_kwh),
    FIELD(rf_pdu, "temperature_c", F_NUM, temperature_c),
};

static const struct field inlet_fields[] = {
    FIELD(rf_inlet, "id", F_STR, id),
    FIELD(rf_inlet, "voltage_v", F_NUM, voltage_v),
    FIELD(rf_inlet, "current_a", F_NUM, current_a),
    FIELD(rf_inlet, "power_w", F_NUM, power_w),
    FIELD(rf_inlet, "energy_kwh", F_NUM, energy_kwh),
    FIELD(rf_inlet, "frequency_hz", F_NUM, frequency_hz),
    FIELD(rf_inlet, "health", F_STR, health),
    FIELD(rf_inlet, "rated_current_a", F_NUM, rated_current_a),
};

static const struct field branch_fields[] = {
    FIELD(rf_branch, "id", F_STR, id),
    FIELD(rf_branch, "current_a", F_NUM, current_a),
    FIELD(rf_branch, "power_w", F_NUM, power_w),
    FIELD(rf_branch, "breaker_state", F_STR, breaker_state),
    FIELD(rf_branch, "health", F_STR, health),
    FIELD(rf_branch, "rated_current_a", F_NUM, rated_current_a),
};

static const struct field outlet_fields[] = {
    FIELD(rf_outlet, "id", F_STR, id),
    FIELD(rf_outlet, "name", F_STR, name),
    FIELD(rf_outlet, "power_state", F_STR, power_state),
    FIELD(rf_outlet, "voltage_v", F_NUM, voltage_v),
    FIELD(rf_outlet, "current_a", F_NUM, current_a),
    FIELD(rf_outlet, "power_w", F_NUM, power_w),
    FIELD(rf_outlet, "energy_kwh", F_NUM, energy_kwh),
    FIELD(rf_outlet, "health", F_STR, health),
    FIELD(rf_outlet, "rated_current_a", F_NUM, rated_current_a),
};

static const struct field server_fields[] = {
    FIELD(rf_server, "id", F_STR, id),
    FIELD(rf_server, "name", F_STR, name),
    FIELD(rf_server, "manufacturer", F_STR, manufacturer),
    FIELD(rf_server, "model", F_STR, model),
    FIELD(rf_server, "serial", F_STR, serial),
    FIELD(rf_server, "power_state", F_STR, power_state),
    FIELD(rf_server, "health", F_STR, health),
    FIELD(rf_server, "power_w", F_NUM, power_w),
    FIELD(rf_server, "inlet_temp_c", F_NUM, inlet_temp_c),
};

#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- time ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t
days_from_civil(int64_t y, int64_t m, int64_t d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

enum rw_rc
rf_time_format(int64_t t, char *out, size_t size, struct rw_err *err)
{
    struct tm tm;
    time_t tt = (time_t)t;

    if (t < 0 || gmtime_r(&tt, &tm) == NULL || tm.tm_year + 1900 > 9999 ||
        strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
        return rw_err_set(err, RW_EINVAL, "time %lld cannot be written as RFC 3339", (long long)t);
    }
    return RW_OK;
}

/* n decimal digits at s into *out; false when any is not a digit. */
static bool
digits(const char *s, int n, int *out)
{
    int i;

    *out = 0;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        *out = *out * 10 + (s[i] - '0');
    }
    return true;
}

/* The offset after the seconds: "Z", "+hh:mm" or "-hh:mm" (fractions skipped first). */
static bool
zone_offset(const char *p, int64_t *offset)
{
    int hh, mm;

    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++) {
        }
    }
    if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
        *offset = 0;
        return true;
    }
    if ((*p != '+' && *p != '-') || !digits(p + 1, 2, &hh) || p[3] != ':' ||
        !digits(p + 4, 2, &mm) || p[6] != '\0' || hh > 23 || mm > 59) {
        return false;
    }
    *offset = (*p == '-' ? -1 : 1) * (int64_t)(hh * 3600 + mm * 60);
    return true;
}

enum rw_rc
rf_time_parse(const char *text, int64_t *out, struct rw_err *err)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, mo, d, h, mi, s;
    int64_t offset;

    if (text == NULL || strlen(text) < 20 || !digits(text, 4, &y) || text[4] != '-' ||
        !digits(text + 5, 2, &mo) || text[7] != '-' || !digits(text + 8, 2, &d) ||
        (text[10] != 'T' && text[10] != 't') || !digits(text + 11, 2, &h) || text[13] != ':' ||
        !digits(text + 14, 2, &mi) || text[16] != ':' || !digits(text + 17, 2, &s) ||
        !zone_offset(text + 19, &offset) || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
        h > 23 || mi > 59 || s > 60) {
        return rw_err_set(err, RW_EPARSE, "\"%.40s\" is not an RFC 3339 date-time",
                          text != NULL ? text : "");
    }
    *out = days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 +
           (s == 60 ? 59 : s) - offset;
    return RW_OK;
}

/* ---- writing ---- */

/*
 * The document is written as it is walked, never built as a tree: at 1,000 PDUs of 48
 * outlets a json-c tree of it took tens of megabytes on every save.  The layout is
 * json-c's JSON_C_TO_STRING_SPACED (and _PRETTY with two-space indents) with
 * NOSLASHESCAPE, byte for byte, so documents written before this writer compare equal.
 */
#define JW_DEPTH_MAX 16           /* deepest nesting the document has is 8 */
#define JW_FLUSH_AT  (64u * 1024) /* bytes kept before a streaming writer writes them out */

struct jw {
    struct rw_buf *out;
    struct rw_file_atomic *file; /* NULL: everything stays in out; else out is written to
                                    file past JW_FLUSH_AT */
    bool pretty;                 /* RF_SNAPSHOT_PRETTY */
    unsigned level;              /* containers open */
    bool had[JW_DEPTH_MAX + 1];  /* the container open at each level has a member */
    enum rw_rc rc;               /* the first failure; every later call does nothing */
    bool part_failed;            /* rc is a caller's part's, with its message */
    size_t flushed;              /* bytes written to file so far */
};

static void
jw_raw(struct jw *w, const char *s, size_t len)
{
    if (w->rc == RW_OK) {
        w->rc = rw_buf_add(w->out, s, len);
    }
}

static void
jw_lit(struct jw *w, const char *s)
{
    jw_raw(w, s, strlen(s));
}

static void
jw_indent(struct jw *w, unsigned level)
{
    static const char spaces[2 * JW_DEPTH_MAX + 1] = "                                ";

    if (w->pretty) {
        jw_raw(w, spaces, 2u * level);
    }
}

/* The separator before a member or an element of the innermost container. */
static void
jw_sep(struct jw *w)
{
    if (w->had[w->level]) {
        jw_lit(w, w->pretty ? ",\n" : ",");
    }
    w->had[w->level] = true;
    if (w->pretty) {
        jw_indent(w, w->level);
    } else {
        jw_lit(w, " ");
    }
}

/* The escape for byte c into esc; 0 when c goes out as it is (UTF-8 passes through). */
static size_t
escape_byte(unsigned char c, char esc[7])
{
    static const char hex[] = "0123456789abcdef";
    static const char from[] = "\"\\\b\f\n\r\t", to[] = "\"\\bfnrt";
    const char *hit;

    if (c >= 0x20 && c != '"' && c != '\\') {
        return 0;
    }
    esc[0] = '\\';
    hit = c != '\0' ? strchr(from, c) : NULL;
    if (hit != NULL) {
        esc[1] = to[hit - from];
        return 2;
    }
    memcpy(esc + 1, "u00", 3);
    esc[4] = hex[c >> 4];
    esc[5] = hex[c & 0xf];
    return 6;
}

/* A JSON string: quotes, backslash and control characters escaped, as json-c does. */
static void
jw_string(struct jw *w, const char *s)
{
    const char *run = s;
    char esc[7];
    size_t n;

    jw_lit(w, "\"");
    for (; *s != '\0'; s++) {
        n = escape_byte((unsigned char)*s, esc);
        if (n > 0) {
            jw_raw(w, run, (size_t)(s - run));
            jw_raw(w, esc, n);
            run = s + 1;
        }
    }
    jw_raw(w, run, (size_t)(s - run));
    jw_lit(w, "\"");
}

/* A string, or null for NULL. */
static void
jw_string_or_null(struct jw *w, const char *s)
{
    if (s != NULL) {
        jw_string(w, s);
    } else {
        jw_lit(w, "null");
    }
}

static void
jw_open(struct jw *w, const char *brace)
{
    jw_lit(w, brace);
    if (w->pretty) {
        jw_lit(w, "\n");
    }
    if (w->level >= JW_DEPTH_MAX && w->rc == RW_OK) {
        w->rc = RW_EINVAL; /* a programmer error: the document's shape is fixed */
        return;
    }
    w->had[++w->level] = false;
}

static void
jw_close(struct jw *w, const char *brace)
{
    bool had = w->had[w->level];

    w->level -= w->level > 0;
    if (w->pretty) {
        jw_lit(w, had ? "\n" : "");
        jw_indent(w, w->level);
        jw_lit(w, brace);
    } else {
        jw_lit(w, brace[0] == '}' ? " }" : " ]");
    }
}

static void
jw_key(struct jw *w, const char *key)
{
    jw_sep(w);
    jw_string(w, key);
    jw_lit(w, ": ");
}

/* A number: the shortest of %.15g and %.17g that reads back as v; null for NAN. */
static void
jw_number(struct jw *w, double v)
{
    char text[40];

    if (!rf_has(v)) {
        jw_lit(w, "null");
        return;
    }
    (void)snprintf(text, sizeof(text), "%.15g", v);
    if (strtod(text, NULL) != v) {
        (void)snprintf(text, sizeof(text), "%.17g", v);
    }
    jw_lit(w, text);
}

/* Writes out what is buffered when streaming to a file and enough has gathered. */
static void
jw_flush(struct jw *w, bool force)
{
    size_t len = rw_buf_len(w->out);

    if (w->file == NULL || w->rc != RW_OK || (!force && len < JW_FLUSH_AT)) {
        return;
    }
    w->flushed += len;
    if (w->flushed > RF_SNAPSHOT_MAX) {
        w->rc = RW_ETOOBIG; /* the reader would refuse it */
        return;
    }
    if (rw_file_atomic_write(w->file, rw_buf_str(w->out), len) != RW_OK) {
        w->rc = RW_EINVAL;
        return;
    }
    rw_buf_reset(w->out);
}

/* One scalar key and its value. */
static void
put_field(struct jw *w, const void *base, const struct field *f)
{
    const char *p = (const char *)base + f->off;
    char when[32];
    char *s;
    double d;
    int64_t i;

    jw_key(w, f->key);
    switch (f->type) {
    case F_STR:
        memcpy(&s, p, sizeof(s));
        jw_string_or_null(w, s);
        break;
    case F_NUM:
        memcpy(&d, p, sizeof(d));
        jw_number(w, d);
        break;
    case F_BOOL:
        jw_lit(w, *(const bool *)p ? "true" : "false");
        break;
    case F_KIND:
        jw_string(w, rf_kind_name(*(const enum rf_kind *)p));
        break;
    case F_INT:
        memcpy(&i, p, sizeof(i));
        (void)snprintf(when, sizeof(when), "%lld", (long long)i);
        jw_lit(w, i >= 0 ? when : "null");
        break;
    case F_TIME:
        memcpy(&i, p, sizeof(i));
        if (i >= 0 && rf_time_format(i, when, sizeof(when), NULL) != RW_OK && w->rc == RW_OK) {
            w->rc = RW_EINVAL;
        }
        jw_string_or_null(w, i >= 0 ? when : NULL);
        break;
    }
}

static void
put_fields(struct jw *w, const void *base, const struct field *fields, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        put_field(w, base, &fields[i]);
    }
}

/* key: {"Line1": 1.5, ...} */
static void
put_lines(struct jw *w, const char *key, const struct rf_lines *lines)
{
    size_t i;

    jw_key(w, key);
    jw_open(w, "{");
    for (i = 0; i < lines->n; i++) {
        jw_key(w, lines->v[i].line);
        jw_number(w, lines->v[i].value);
    }
    jw_close(w, "}");
}

/* How one element type of the document is written and read. */
typedef void put_extra_fn(struct jw *w, const void *elem);
typedef enum rw_rc get_extra_fn(const struct json_object *obj, void *elem, const char *path,
                                struct rw_err *err);

struct elem_desc {
    const struct field *fields;
    size_t n_fields;
    size_t size;
    put_extra_fn *put_extra; /* lists and objects after the scalar keys; may be NULL */
    get_extra_fn *get_extra;
};

static put_extra_fn put_inlet_extra, put_pdu_extra, put_server_extra;
static get_extra_fn get_inlet_extra, get_pdu_extra, get_server_extra;

static const struct elem_desc inlet_desc = {
    inlet_fields, NFIELDS(inlet_fields), sizeof(struct rf_inlet), put_inlet_extra, get_inlet_extra};
static const struct elem_desc branch_desc = {branch_fields, NFIELDS(branch_fields),
                                             sizeof(struct rf_branch), NULL, NULL};
static const struct elem_desc outlet_desc = {outlet_fields, NFIELDS(outlet_fields),
                                             sizeof(struct rf_outlet), NULL, NULL};
static const struct elem_desc pdu_desc = {pdu_fields, NFIELDS(pdu_fields), sizeof(struct rf_pdu),
                                          put_pdu_extra, get_pdu_extra};
static const struct elem_desc server_desc = {server_fields, NFIELDS(server_fields),
                                             sizeof(struct rf_server), put_server_extra,
                                             get_server_extra};

/* key: [elements] for the n elements of size d->size at v. */
static void
put_array(struct jw *w, const char *key, const void *v, size_t n, const struct elem_desc *d)
{
    const char *elem;
    size_t i;

    jw_key(w, key);
    jw_open(w, "[");
    for (i = 0; i < n && w->rc == RW_OK; i++) {
        elem = (const char *)v + i * d->size;
        jw_sep(w);
        jw_open(w, "{");
        put_fields(w, elem, d->fields, d->n_fields);
        if (d->put_extra != NULL) {
            d->put_extra(w, elem);
        }
        jw_close(w, "}");
        jw_flush(w, false);
    }
    jw_close(w, "]");
}

static void
put_inlet_extra(struct jw *w, const void *elem)
{
    const struct rf_inlet *in = elem;

    jw_key(w, "poly_phase");
    jw_open(w, "{");
    put_lines(w, "voltage_v", &in->phase_voltage_v);
    put_lines(w, "current_a", &in->phase_current_a);
    put_lines(w, "power_w", &in->phase_power_w);
    jw_close(w, "}");
}

static void
put_pdu_extra(struct jw *w, const void *elem)
{
    const struct rf_pdu *pdu = elem;

    put_array(w, "inlets", pdu->inlets, pdu->n_inlets, &inlet_desc);
    put_array(w, "branches", pdu->branches, pdu->n_branches, &branch_desc);
    put_array(w, "outlets", pdu->outlets, pdu->n_outlets, &outlet_desc);
}

static void
put_server_extra(struct jw *w, const void *elem)
{
    const struct rf_server *srv = elem;
    size_t i;

    jw_key(w, "conditions");
    jw_open(w, "[");
    for (i = 0; i < srv->n_conditions; i++) {
        jw_sep(w);
        jw_string(w, srv->conditions[i]);
    }
    jw_close(w, "]");
}

static const struct elem_desc endpoint_desc = {endpoint_fields, NFIELDS(endpoint_fields),
                                               sizeof(struct rf_endpoint), NULL, NULL};

/* One endpoint's object, from its opening brace to its closing one. */
static void
put_endpoint(struct jw *w, const struct rf_endpoint *ep)
{
    jw_open(w, "{");
    put_fields(w, ep, endpoint_desc.fields, endpoint_desc.n_fields);
    put_array(w, "pdus", ep->pdus, ep->n_pdus, &pdu_desc);
    put_array(w, "servers", ep->servers, ep->n_servers, &server_desc);
    jw_close(w, "}");
}

/* Writes endpoint i of the document into w. */
typedef void put_part_fn(struct jw *w, size_t i, void *ctx);

/* The whole document into w (flushed to w->file as it grows when that is set). */
static void
put_document(struct jw *w, size_t n, put_part_fn *part, void *ctx)
{
    size_t i;

    jw_open(w, "{");
    jw_key(w, "endpoints");
    jw_open(w, "[");
    for (i = 0; i < n && w->rc == RW_OK; i++) {
        jw_sep(w);
        part(w, i, ctx);
        jw_flush(w, false);
    }
    jw_close(w, "]");
    jw_close(w, "}");
}

static void
put_model_part(struct jw *w, size_t i, void *ctx)
{
    struct rf_endpoint *const *eps = ctx;

    put_endpoint(w, eps[i]);
}

/* rf_snapshot_save_parts(): the caller's text of endpoint i, appended as it is. */
struct saved_parts {
    rf_snapshot_part_fn *part;
    void *ctx;
    struct rw_err *err; /* the part's failure, when one fails (never NULL) */
};

static void
put_saved_part(struct jw *w, size_t i, void *ctx)
{
    struct saved_parts *parts = ctx;
    enum rw_rc rc;

    if (w->rc == RW_OK) {
        rc = parts->part(i, parts->ctx, w->out, parts->err);
        w->rc = rc;
        w->part_failed = rc != RW_OK;
    }
}

/* The result of writing into memory, with its message. */
static enum rw_rc
format_result(const struct jw *w, const struct rw_buf *out, struct rw_err *err)
{
    switch (w->rc) {
    case RW_OK:
        return RW_OK;
    case RW_ETOOBIG:
        return rw_err_set(err, RW_ETOOBIG, "snapshot does not fit in %zu bytes", out->max);
    case RW_ENOMEM:
        return rw_err_set(err, RW_ENOMEM, "out of memory writing the snapshot");
    default:
        return rw_err_set(err, w->rc, "snapshot: a time cannot be written as RFC 3339");
    }
}

enum rw_rc
rf_snapshot_format(struct rf_endpoint *const *eps, size_t n, unsigned flags, struct rw_buf *out,
                   struct rw_err *err)
{
    struct jw w = {.out = out, .file = NULL, .pretty = (flags & RF_SNAPSHOT_PRETTY) != 0};

    put_document(&w, n, put_model_part, (void *)eps);
    return format_result(&w, out, err);
}

enum rw_rc
rf_snapshot_format_endpoint(const struct rf_endpoint *ep, struct rw_buf *out, struct rw_err *err)
{
    struct jw w = {.out = out, .file = NULL, .pretty = false};

    put_endpoint(&w, ep);
    return format_result(&w, out, err);
}

/* ---- reading ---- */

/* Sets every number of a zeroed element to its "absent" value. */
static void
init_fields(void *base, const struct field *fields, size_t n)
{
    static const double absent = NAN;
    static const int64_t unknown = -1;
    size_t i;

    for (i = 0; i < n; i++) {
        if (fields[i].type == F_NUM) {
            memcpy((char *)base + fields[i].off, &absent, sizeof(absent));
        } else if (fields[i].type == F_INT || fields[i].type == F_TIME) {
            memcpy((char *)base + fields[i].off, &unknown, sizeof(unknown));
        }
    }
}

static enum rw_rc
bad(struct rw_err *err, const char *path, const char *key, const char *want)
{
    return rw_err_set(err, RW_EPARSE, "%s%s%s: expected %s", path, *path != '\0' ? "." : "", key,
                      want);
}

/* A string value: NUL-free, at most RF_STR_MAX bytes. */
static enum rw_rc
get_string(struct json_object *val, char **dst, const char *path, const char *key,
           struct rw_err *err)
{
    const char *s = json_object_get_string(val);
    int len = json_object_get_string_len(val);

    if (len > RF_STR_MAX || strlen(s) != (size_t)len) {
        return bad(err, path, key, "a string of at most 1024 bytes without NUL");
    }
    return rf_str_set(dst, s, err);
}

/* A number value: finite, at most RF_READING_MAX in magnitude. */
static enum rw_rc
get_number(const struct json_object *val, double *dst, const char *path, const char *key,
           struct rw_err *err)
{
    double d = json_object_get_double(val);

    if (!json_object_is_type(val, json_type_double) && !json_object_is_type(val, json_type_int)) {
        return bad(err, path, key, "a number or null");
    }
    if (!isfinite(d) || fabs(d) > RF_READING_MAX) {
        return bad(err, path, key, "a number of at most 1e15");
    }
    *dst = d;
    return RW_OK;
}

static enum rw_rc
get_time(struct json_object *val, int64_t *dst, const char *path, const char *key,
         struct rw_err *err)
{
    if (!json_object_is_type(val, json_type_string) ||
        rf_time_parse(json_object_get_string(val), dst, NULL) != RW_OK || *dst < 0) {
        return bad(err, path, key, "an RFC 3339 date-time or null");
    }
    return RW_OK;
}

/* One scalar key; val is NULL for JSON null. */
static enum rw_rc
get_field(struct json_object *val, void *base, const struct field *f, const char *path,
          struct rw_err *err)
{
    char *p = (char *)base + f->off;
    int64_t i;

    if (val == NULL && f->type != F_BOOL && f->type != F_KIND && !f->required) {
        return RW_OK;
    }
    switch (f->type) {
    case F_STR:
        return json_object_is_type(val, json_type_string)
                   ? get_string(val, (char **)p, path, f->key, err)
                   : bad(err, path, f->key, "a string");
    case F_NUM:
        return get_number(val, (double *)p, path, f->key, err);
    case F_BOOL:
        if (!json_object_is_type(val, json_type_boolean)) {
            return bad(err, path, f->key, "true or false");
        }
        *(bool *)p = json_object_get_boolean(val);
        return RW_OK;
    case F_KIND:
        return json_object_is_type(val, json_type_string) &&
                       rf_kind_parse(json_object_get_string(val), (enum rf_kind *)p) == RW_OK
                   ? RW_OK
                   : bad(err, path, f->key, "\"pdu\", \"server\" or \"auto\"");
    case F_INT:
        i = json_object_get_int64(val);
        if (!json_object_is_type(val, json_type_int) || i < 0 || i == INT64_MAX) {
            return bad(err, path, f->key, "a non-negative integer or null");
        }
        memcpy(p, &i, sizeof(i));
        return RW_OK;
    default:
        return get_time(val, (int64_t *)p, path, f->key, err);
    }
}

static enum rw_rc
get_fields(const struct json_object *obj, void *base, const struct field *fields, size_t n,
           const char *path, struct rw_err *err)
{
    struct json_object *val;
    enum rw_rc rc = RW_OK;
    size_t i;

    if (!json_object_is_type(obj, json_type_object)) {
        return rw_err_set(err, RW_EPARSE, "%s: expected an object", path);
    }
    for (i = 0; rc == RW_OK && i < n; i++) {
        val = NULL;
        if (!json_object_object_get_ex(obj, fields[i].key, &val)) {
            if (fields[i].required) {
                rc = rw_err_set(err, RW_EPARSE, "%s.%s: missing", path, fields[i].key);
            }
            continue;
        }
        rc = get_field(val, base, &fields[i], path, err);
    }
    return rc;
}

/* The value of key when it is present and not null; RW_EPARSE when it has another type. */
static enum rw_rc
get_typed(const struct json_object *obj, const char *key, enum json_type type,
          struct json_object **val, const char *path, const char *want, struct rw_err *err)
{
    *val = NULL;
    if (!json_object_object_get_ex(obj, key, val) || *val == NULL) {
        return RW_OK;
    }
    return json_object_is_type(*val, type) ? RW_OK : bad(err, path, key, want);
}

static enum rw_rc
get_array(const struct json_object *obj, const char *key, void **v, size_t *n,
          const struct elem_desc *d, const char *path, struct rw_err *err)
{
    struct json_object *arr;
    char sub[256];
    void *slot;
    size_t i, len;
    enum rw_rc rc = get_typed(obj, key, json_type_array, &arr, path, "an array", err);

    len = rc == RW_OK && arr != NULL ? json_object_array_length(arr) : 0;
    if (len > RF_MEMBERS_MAX) {
        return rw_err_set(err, RW_ETOOBIG, "%s.%s: more than %d entries", path, key,
                          RF_MEMBERS_MAX);
    }
    for (i = 0; rc == RW_OK && i < len; i++) {
        rc = rf_array_grow(v, n, d->size, &slot, err);
        if (rc != RW_OK) {
            break;
        }
        init_fields(slot, d->fields, d->n_fields);
        (void)snprintf(sub, sizeof(sub), "%s.%s[%zu]", path, key, i);
        rc = get_fields(json_object_array_get_idx(arr, i), slot, d->fields, d->n_fields, sub, err);
        if (rc == RW_OK && d->get_extra != NULL) {
            rc = d->get_extra(json_object_array_get_idx(arr, i), slot, sub, err);
        }
    }
    return rc;
}

static enum rw_rc
get_lines(const struct json_object *poly, const char *key, struct rf_lines *lines, const char *path,
          struct rw_err *err)
{
    struct json_object *obj;
    char sub[256];
    double d;
    enum rw_rc rc = get_typed(poly, key, json_type_object, &obj, path, "an object", err);

    if (rc != RW_OK || obj == NULL) {
        return rc;
    }
    (void)snprintf(sub, sizeof(sub), "%s.%s", path, key);
    json_object_object_foreach(obj, line, val)
    {
        d = NAN;
        rc = val == NULL ? RW_OK : get_number(val, &d, sub, line, err);
        rc = rc != RW_OK ? rc : rf_lines_add(lines, line, d, err);
        if (rc != RW_OK) {
            return rw_err_set(err, rc, "%s.%s: bad line", sub, line);
        }
    }
    return RW_OK;
}

static enum rw_rc
get_inlet_extra(const struct json_object *obj, void *elem, const char *path, struct rw_err *err)
{
    struct rf_inlet *in = elem;
    struct json_object *poly;
    char sub[256];
    enum rw_rc rc = get_typed(obj, "poly_phase", json_type_object, &poly, path, "an object", err);

    if (rc != RW_OK || poly == NULL) {
        return rc;
    }
    (void)snprintf(sub, sizeof(sub), "%s.poly_phase", path);
    rc = get_lines(poly, "voltage_v", &in->phase_voltage_v, sub, err);
    rc = rc != RW_OK ? rc : get_lines(poly, "current_a", &in->phase_current_a, sub, err);
    return rc != RW_OK ? rc : get_lines(poly, "power_w", &in->phase_power_w, sub, err);
}

static enum rw_rc
get_pdu_extra(const struct json_object *obj, void *elem, const char *path, struct rw_err *err)
{
    struct rf_pdu *pdu = elem;
    enum rw_rc rc =
        get_array(obj, "inlets", (void **)&pdu->inlets, &pdu->n_inlets, &inlet_desc, path, err);

    rc = rc != RW_OK ? rc
                     : get_array(obj, "branches", (void **)&pdu->branches, &pdu->n_branches,
                                 &branch_desc, path, err);
    return rc != RW_OK ? rc
                       : get_array(obj, "outlets", (void **)&pdu->outlets, &pdu->n_outlets,
                                   &outlet_desc, path, err);
}

static enum rw_rc
get_server_extra(const struct json_object *obj, void *elem, const char *path, struct rw_err *err)
{
    struct rf_server *srv = elem;
    struct json_object *arr, *s;
    size_t i, len;
    enum rw_rc rc = get_typed(obj, "conditions", json_type_array, &arr, path, "an array", err);

    len = rc == RW_OK && arr != NULL ? json_object_array_length(arr) : 0;
    for (i = 0; rc == RW_OK && i < len; i++) {
        s = json_object_array_get_idx(arr, i);
        if (s == NULL || !json_object_is_type(s, json_type_string) ||
            (size_t)json_object_get_string_len(s) != strlen(json_object_get_string(s))) {
            return bad(err, path, "conditions", "an array of strings");
        }
        rc = rf_strv_add(&srv->conditions, &srv->n_conditions, RF_CONDITIONS_MAX,
                         json_object_get_string(s), err);
    }
    return rc == RW_OK ? RW_OK : rw_err_set(err, rc, "%s.conditions: too many or too long", path);
}

static enum rw_rc
get_endpoint(const struct json_object *obj, struct rf_endpoint *ep, const char *path,
             struct rw_err *err)
{
    enum rw_rc rc = get_fields(obj, ep, endpoint_fields, NFIELDS(endpoint_fields), path, err);

    rc = rc != RW_OK
             ? rc
             : get_array(obj, "pdus", (void **)&ep->pdus, &ep->n_pdus, &pdu_desc, path, err);
    return rc != RW_OK ? rc
                       : get_array(obj, "servers", (void **)&ep->servers, &ep->n_servers,
                                   &server_desc, path, err);
}

/* Appends a new endpoint to snap; *out borrows it. */
static enum rw_rc
snapshot_add(struct rf_snapshot *snap, struct rf_endpoint **out, struct rw_err *err)
{
    struct rf_endpoint **grown = realloc(snap->endpoints, (snap->n + 1) * sizeof(*grown));

    if (grown == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    snap->endpoints = grown;
    *out = rf_endpoint_new();
    if (*out == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    grown[snap->n++] = *out;
    return RW_OK;
}

static enum rw_rc
get_snapshot(const struct json_object *root, struct rf_snapshot *snap, struct rw_err *err)
{
    struct json_object *arr = NULL;
    struct rf_endpoint *ep = NULL;
    char path[64];
    size_t i, len;

    if (!json_object_is_type(root, json_type_object) ||
        !json_object_object_get_ex(root, "endpoints", &arr) ||
        !json_object_is_type(arr, json_type_array)) {
        return rw_err_set(err, RW_EPARSE, "endpoints: expected an array");
    }
    len = json_object_array_length(arr);
    if (len > RF_SNAPSHOT_ENDPOINTS_MAX) {
        return rw_err_set(err, RW_ETOOBIG, "endpoints: more than %d entries",
                          RF_SNAPSHOT_ENDPOINTS_MAX);
    }
    for (i = 0; i < len; i++) {
        (void)snprintf(path, sizeof(path), "endpoints[%zu]", i);
        if (snapshot_add(snap, &ep, err) != RW_OK) {
            return RW_ENOMEM;
        }
        if (get_endpoint(json_object_array_get_idx(arr, i), ep, path, err) != RW_OK) {
            return err != NULL && err->code != RW_OK ? err->code : RW_EPARSE;
        }
    }
    return RW_OK;
}

enum rw_rc
rf_snapshot_parse(const char *text, size_t len, struct rf_snapshot **out, struct rw_err *err)
{
    struct json_object *root = NULL;
    struct rf_snapshot *snap = NULL;
    struct rw_err local;
    enum rw_rc rc;

    *out = NULL;
    rw_err_clear(&local);
    rc = rf_json_parse(text, len, RF_SNAPSHOT_MAX, true, &root, &local);
    if (rc == RW_OK) {
        snap = calloc(1, sizeof(*snap));
    }
    if (rc == RW_OK && snap == NULL) {
        (void)rw_err_set(&local, RW_ENOMEM, "out of memory");
        rc = RW_ENOMEM;
    }
    if (rc == RW_OK) {
        rc = get_snapshot(root, snap, &local);
        rc = rc != RW_OK && local.code != RW_OK ? local.code : rc;
    }
    json_object_put(root);
    if (rc != RW_OK) {
        rf_snapshot_free(snap);
        return rw_err_set(err, rc, "snapshot: %s", local.msg);
    }
    *out = snap;
    return RW_OK;
}

void
rf_snapshot_free(struct rf_snapshot *snap)
{
    size_t i;

    if (snap == NULL) {
        return;
    }
    for (i = 0; i < snap->n; i++) {
        rf_endpoint_free(snap->endpoints[i]);
    }
    free(snap->endpoints);
    free(snap);
}

const struct rf_endpoint *
rf_snapshot_find(const struct rf_snapshot *snap, const char *name)
{
    size_t i;

    for (i = 0; snap != NULL && name != NULL && i < snap->n; i++) {
        if (snap->endpoints[i]->name != NULL && strcmp(snap->endpoints[i]->name, name) == 0) {
            return snap->endpoints[i];
        }
    }
    return NULL;
}

/* ---- files ---- */

/* Reads at most max bytes of fd into *out (NUL-terminated) and its length into *len. */
static enum rw_rc
read_all(int fd, const char *path, size_t max, char **out, size_t *len, struct rw_err *err)
{
    struct rw_buf buf;
    char chunk[65536];
    ssize_t got;
    enum rw_rc rc = RW_OK;

    rw_buf_init(&buf, max);
    for (;;) {
        got = read(fd, chunk, sizeof(chunk));
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            break;
        }
        rc = rw_buf_add(&buf, chunk, (size_t)got);
        if (rc != RW_OK) {
            return rw_err_set(err, rc, "%s: %s", path,
                              rc == RW_ETOOBIG ? "larger than the snapshot cap" : "out of memory");
        }
    }
    if (got < 0) {
        rc = rw_err_set(err, RW_EINVAL, "%s: %s", path, strerror(errno));
        rw_buf_free(&buf);
        return rc;
    }
    *len = rw_buf_len(&buf);
    *out = rw_buf_take(&buf);
    return RW_OK;
}

enum rw_rc
rf_snapshot_load(const char *path, size_t max, struct rf_snapshot **out, struct rw_err *err)
{
    char *text = NULL;
    size_t len = 0;
    int fd;
    enum rw_rc rc;

    *out = NULL;
    max = max != 0 && max < RF_SNAPSHOT_MAX ? max : RF_SNAPSHOT_MAX;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return rw_err_set(err, errno == ENOENT ? RW_ESTALE : RW_EINVAL, "%s: %s", path,
                          strerror(errno));
    }
    rc = read_all(fd, path, max, &text, &len, err);
    (void)close(fd);
    if (rc == RW_OK) {
        rc = rf_snapshot_parse(text != NULL ? text : "", len, out, err);
    }
    free(text);
    return rc;
}

/* The document and a newline streamed to file through a 64 KiB buffer. */
static enum rw_rc
write_document(struct rw_file_atomic *file, size_t n, put_part_fn *part, void *ctx,
               bool *part_failed)
{
    struct rw_buf buf;
    struct jw w = {.out = &buf, .file = file};

    rw_buf_init(&buf, RF_SNAPSHOT_MAX); /* a cap: it is flushed every JW_FLUSH_AT bytes */
    put_document(&w, n, part, ctx);
    jw_lit(&w, "\n");
    jw_flush(&w, true);
    rw_buf_free(&buf);
    *part_failed = w.part_failed;
    return w.rc;
}

/* Why a save failed: errno's text when a system call failed, else the code's meaning. */
static const char *
save_failure(enum rw_rc rc, int saved)
{
    if (saved != 0) {
        return strerror(saved);
    }
    switch (rc) {
    case RW_ETOOBIG:
        return "larger than the snapshot cap";
    case RW_ENOMEM:
        return "out of memory";
    default:
        return "a time cannot be written as RFC 3339";
    }
}

/*
 * Replaced atomically as rw_file_write_atomic() does, but streamed: the document of a
 * thousand PDUs is megabytes, and holding it whole would be most of the daemon's peak.
 */
static enum rw_rc
save_document(const char *path, size_t n, put_part_fn *part, void *ctx, mode_t mode,
              struct rw_err *part_err, struct rw_err *err)
{
    struct rw_file_atomic file;
    bool part_failed = false;
    enum rw_rc rc;

    if (rw_file_atomic_open(&file, path, mode, err) != RW_OK) {
        return RW_EINVAL;
    }
    rc = write_document(&file, n, part, ctx, &part_failed);
    if (rc != RW_OK) {
        rw_file_atomic_abort(&file);
        return rw_err_set(err, rc, "%s: cannot write: %s", path,
                          part_failed ? part_err->msg : save_failure(rc, file.error));
    }
    return rw_file_atomic_commit(&file, err);
}

enum rw_rc
rf_snapshot_save(const char *path, struct rf_endpoint *const *eps, size_t n, mode_t mode,
                 struct rw_err *err)
{
    return save_document(path, n, put_model_part, (void *)eps, mode, NULL, err);
}

enum rw_rc
rf_snapshot_save_parts(const char *path, size_t n, rf_snapshot_part_fn *part, void *ctx,
                       mode_t mode, struct rw_err *err)
{
    struct rw_err part_err;
    struct saved_parts parts = {part, ctx, &part_err};

    rw_err_clear(&part_err);
    return save_document(path, n, put_saved_part, &parts, mode, &part_err, err);
}

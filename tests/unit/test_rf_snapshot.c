/* Unit tests for rf_snapshot: the --json document, reading it back, saving it, times. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <dirent.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "rf_model.h"
#include "rf_snapshot.h"
#include "rw_pack.h"
#include "rw_buf.h"
#include "rw_file.h"

static struct rf_endpoint *
small_pdu_endpoint(void)
{
    struct rf_endpoint *ep = rf_endpoint_new();
    struct rf_pdu *pdu;
    struct rf_inlet *in;
    struct rf_outlet *out;

    assert_non_null(ep);
    assert_int_equal(rf_str_set(&ep->name, "pdu-a1", NULL), RW_OK);
    assert_int_equal(rf_str_set(&ep->url, "https://127.0.0.1:8443", NULL), RW_OK);
    ep->kind = RF_KIND_PDU;
    ep->ok = true;
    ep->polled_at = 1795461600; /* 2026-11-23T19:20:00Z */
    ep->duration_ms = 41;
    ep->requests = 8;
    assert_int_equal(rf_pdu_add(ep, &pdu, NULL), RW_OK);
    assert_int_equal(rf_str_set(&pdu->id, "1", NULL), RW_OK);
    assert_int_equal(rf_str_set(&pdu->health, "OK", NULL), RW_OK);
    pdu->power_w = 6438;
    pdu->temperature_c = 31.5;
    assert_int_equal(rf_inlet_add(pdu, &in, NULL), RW_OK);
    assert_int_equal(rf_str_set(&in->id, "AC1", NULL), RW_OK);
    in->frequency_hz = 60.1;
    assert_int_equal(rf_lines_add(&in->phase_voltage_v, "Line1ToLine2", 202.8, NULL), RW_OK);
    assert_int_equal(rf_lines_add(&in->phase_current_a, "Line1", NAN, NULL), RW_OK);
    assert_int_equal(rf_outlet_add(pdu, &out, NULL), RW_OK);
    assert_int_equal(rf_str_set(&out->id, "A1", NULL), RW_OK);
    assert_int_equal(rf_str_set(&out->name, "Outlet \"A1\"\n/rack 5", NULL), RW_OK);
    assert_int_equal(rf_str_set(&out->power_state, "On", NULL), RW_OK);
    out->power_w = 0;
    out->current_a = 0.1 + 0.2;
    return ep;
}

static struct rf_endpoint *
small_server_endpoint(void)
{
    struct rf_endpoint *ep = rf_endpoint_new();
    struct rf_server *srv;

    assert_int_equal(rf_str_set(&ep->name, "bmc-7", NULL), RW_OK);
    ep->kind = RF_KIND_SERVER;
    ep->ok = false;
    assert_int_equal(rf_str_set(&ep->error, "/redfish/v1/: HTTP 503", NULL), RW_OK);
    assert_int_equal(rf_server_add(ep, &srv, NULL), RW_OK);
    assert_int_equal(rf_str_set(&srv->id, "437XR1138R2", NULL), RW_OK);
    assert_int_equal(rf_str_set(&srv->health, "Warning", NULL), RW_OK);
    assert_int_equal(rf_str_set(&srv->name, "Web \a 01", NULL), RW_OK);
    srv->inlet_temp_c = -4.25;
    assert_int_equal(
        rf_strv_add(&srv->conditions, &srv->n_conditions, 8, "Fan 2 \xc3\xa9t\xc3\xa9", NULL),
        RW_OK);
    return ep;
}

static const char expected_doc[] =
    "{ \"endpoints\": [ { \"name\": \"pdu-a1\", \"url\": \"https://127.0.0.1:8443\", \"kind\": "
    "\"pdu\", \"ok\": true, \"error\": null, \"polled_at\": \"2026-11-23T19:20:00Z\", "
    "\"duration_ms\": 41, \"requests\": 8, \"pdus\": [ { \"id\": \"1\", \"name\": null, "
    "\"manufacturer\": null, "
    "\"model\": null, \"serial\": null, \"firmware\": null, \"health\": \"OK\", \"power_w\": 6438, "
    "\"energy_kwh\": null, \"temperature_c\": 31.5, \"inlets\": [ { \"id\": \"AC1\", "
    "\"voltage_v\": null, \"current_a\": null, \"power_w\": null, \"energy_kwh\": null, "
    "\"frequency_hz\": 60.1, \"health\": null, \"rated_current_a\": null, \"poly_phase\": { "
    "\"voltage_v\": { \"Line1ToLine2\": 202.8 }, \"current_a\": { \"Line1\": null }, \"power_w\": "
    "{ } } } ], \"branches\": [ ], \"outlets\": [ { \"id\": \"A1\", \"name\": \"Outlet "
    "\\\"A1\\\"\\n/rack 5\", \"power_state\": \"On\", \"voltage_v\": null, \"current_a\": "
    "0.30000000000000004, \"power_w\": 0, \"energy_kwh\": null, \"health\": null, "
    "\"rated_current_a\": null } ] } ], \"servers\": [ ] }, { \"name\": \"bmc-7\", \"url\": null, "
    "\"kind\": \"server\", \"ok\": false, \"error\": \"/redfish/v1/: HTTP 503\", \"polled_at\": "
    "null, \"duration_ms\": null, \"requests\": null, \"pdus\": [ ], \"servers\": [ { \"id\": "
    "\"437XR1138R2\", \"name\": \"Web \\u0007 01\", \"manufacturer\": null, \"model\": null, "
    "\"serial\": null, "
    "\"power_state\": null, \"health\": \"Warning\", \"power_w\": null, \"inlet_temp_c\": -4.25, "
    "\"conditions\": [ \"Fan 2 \xc3\xa9t\xc3\xa9\" ] } ] } ] }";

static void
test_format_exact_and_round_trip(void **state)
{
    struct rf_endpoint *eps[2] = {small_pdu_endpoint(), small_server_endpoint()};
    struct rf_snapshot *snap = NULL;
    struct rw_buf a, b;
    const struct rf_endpoint *back;

    (void)state;
    rw_buf_init(&a, 1 << 20);
    rw_buf_init(&b, 1 << 20);
    assert_int_equal(rf_snapshot_format(eps, 2, 0, &a, NULL), RW_OK);
    assert_string_equal(rw_buf_str(&a), expected_doc);
    assert_int_equal(rf_snapshot_parse(rw_buf_str(&a), rw_buf_len(&a), &snap, NULL), RW_OK);
    assert_int_equal(snap->n, 2);
    back = rf_snapshot_find(snap, "pdu-a1");
    assert_non_null(back);
    assert_int_equal(back->polled_at, 1795461600);
    assert_true(isnan(back->pdus[0].energy_kwh));
    assert_true(back->pdus[0].outlets[0].power_w == 0);
    assert_true(isnan(rf_lines_get(&back->pdus[0].inlets[0].phase_current_a, "Line1")));
    assert_null(rf_snapshot_find(snap, "nope"));
    assert_string_equal(rf_snapshot_find(snap, "bmc-7")->servers[0].name, "Web \a 01");
    assert_null(back->pdus[0].name);
    assert_string_equal(rf_snapshot_find(snap, "bmc-7")->servers[0].conditions[0],
                        "Fan 2 \xc3\xa9t\xc3\xa9");
    /* What is read back writes the same document. */
    assert_int_equal(rf_snapshot_format(snap->endpoints, snap->n, 0, &b, NULL), RW_OK);
    assert_string_equal(rw_buf_str(&a), rw_buf_str(&b));
    rw_buf_reset(&b);
    assert_int_equal(rf_snapshot_format(eps, 2, RF_SNAPSHOT_PRETTY, &b, NULL), RW_OK);
    assert_non_null(strchr(rw_buf_str(&b), '\n'));
    rf_snapshot_free(snap);
    rf_snapshot_free(NULL);
    rw_buf_free(&a);
    rw_buf_free(&b);
    rf_endpoint_free(eps[0]);
    rf_endpoint_free(eps[1]);
}

static void
test_format_cap(void **state)
{
    struct rf_endpoint *ep = small_pdu_endpoint();
    struct rw_buf buf;
    struct rw_err err;

    (void)state;
    rw_buf_init(&buf, 64);
    rw_err_clear(&err);
    assert_int_equal(rf_snapshot_format(&ep, 1, 0, &buf, &err), RW_ETOOBIG);
    assert_int_equal(rw_buf_len(&buf), 0);
    rw_buf_init(&buf, 64);
    assert_int_equal(rf_snapshot_format(NULL, 0, 0, &buf, NULL), RW_OK);
    assert_string_equal(rw_buf_str(&buf), "{ \"endpoints\": [ ] }");
    rw_buf_free(&buf);
    /* A time past year 9999 has no RFC 3339 form: the document is refused, not cut. */
    ep->polled_at = 300000000000;
    rw_buf_init(&buf, 1 << 16);
    rw_err_clear(&err);
    assert_int_equal(rf_snapshot_format(&ep, 1, 0, &buf, &err), RW_EINVAL);
    assert_string_equal(err.msg, "snapshot: a time cannot be written as RFC 3339");
    rw_buf_free(&buf);
    rw_err_clear(&err);
    assert_int_equal(rf_snapshot_save(RW_TEST_TMP_DIR "/rf_bad_time.json", &ep, 1, 0644, &err),
                     RW_EINVAL);
    assert_string_equal(err.msg, RW_TEST_TMP_DIR
                        "/rf_bad_time.json: cannot write: a time cannot be written as RFC 3339");
    assert_int_equal(access(RW_TEST_TMP_DIR "/rf_bad_time.json", F_OK), -1);
    rf_endpoint_free(ep);
}

struct escape_row {
    const char *text; /* an outlet name */
    const char *want; /* how the document writes it */
};

/* The outlet's name as written: the text between "name": and , "power_state". */
static void
written_name(const char *doc, char *out, size_t size)
{
    static const char before[] = "\"outlets\": [ { \"id\": null, \"name\": ";
    const char *name = strstr(doc, before);
    const char *end = name != NULL ? strstr(name, ", \"power_state\"") : NULL;

    assert_non_null(end);
    name += strlen(before);
    (void)snprintf(out, size, "%.*s", (int)(end - name), name);
}

/* An endpoint "O" with one PDU whose outlet is named text; its Line key is text as well. */
static struct rf_endpoint *
named_outlet_endpoint(const char *text)
{
    struct rf_endpoint *ep = rf_endpoint_new();
    struct rf_pdu *pdu;
    struct rf_inlet *in;
    struct rf_outlet *out;

    assert_int_equal(rf_str_set(&ep->name, "O", NULL), RW_OK);
    ep->ok = true;
    assert_int_equal(rf_pdu_add(ep, &pdu, NULL), RW_OK);
    assert_int_equal(rf_inlet_add(pdu, &in, NULL), RW_OK);
    assert_int_equal(rf_lines_add(&in->phase_power_w, text, 1e15, NULL), RW_OK);
    assert_int_equal(rf_outlet_add(pdu, &out, NULL), RW_OK);
    assert_int_equal(rf_str_set(&out->name, text, NULL), RW_OK);
    out->power_w = -0.0001;
    out->energy_kwh = 123456789.125;
    return ep;
}

/*
 * Strings are escaped as JSON requires and as json-c wrote them before the streaming
 * writer: quote, backslash and control characters escaped (\u00xx in lower case when no
 * short form exists), '/' and DEL and UTF-8 as they are.
 */
static void
test_format_escaping(void **state)
{
    static const struct escape_row rows[] = {
        {"plain", "\"plain\""},
        {"", "\"\""},
        {"q\"uote", "\"q\\\"uote\""},
        {"back\\slash", "\"back\\\\slash\""},
        {"a/b", "\"a/b\""},
        {"\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\""},
        {"\x01\x1f\x0b", "\"\\u0001\\u001f\\u000b\""},
        {"del\x7f", "\"del\x7f\""},
        {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x8c",
         "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x8c\""},
        {"\"\\\"", "\"\\\"\\\\\\\"\""},
        {"end\n", "\"end\\n\""},
    };
    struct rf_snapshot *snap;
    struct rf_endpoint *ep;
    struct rw_buf buf;
    char got[128];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        ep = named_outlet_endpoint(rows[i].text);
        rw_buf_init(&buf, 1 << 16);
        assert_int_equal(rf_snapshot_format(&ep, 1, 0, &buf, NULL), RW_OK);
        written_name(rw_buf_str(&buf), got, sizeof(got));
        snap = NULL;
        if (strcmp(got, rows[i].want) != 0 ||
            rf_snapshot_parse(rw_buf_str(&buf), rw_buf_len(&buf), &snap, NULL) != RW_OK ||
            strcmp(snap->endpoints[0]->pdus[0].outlets[0].name, rows[i].text) != 0 ||
            snap->endpoints[0]->pdus[0].inlets[0].phase_power_w.n != 1 ||
            strcmp(snap->endpoints[0]->pdus[0].inlets[0].phase_power_w.v[0].line, rows[i].text) !=
                0) {
            fail_msg("row %zu: wrote %s, want %s", i, got, rows[i].want);
        }
        rf_snapshot_free(snap);
        rw_buf_free(&buf);
        rf_endpoint_free(ep);
    }
}

/* What json-c writes for doc with flags: the layout the document had before. */
static char *
json_c_layout(const char *doc, int flags)
{
    struct json_object *root = json_tokener_parse(doc);
    char *text;

    assert_non_null(root);
    text = strdup(json_object_to_json_string_ext(root, flags | JSON_C_TO_STRING_SPACED |
                                                           JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(root);
    assert_non_null(text);
    return text;
}

/* Byte for byte json-c's layout, one line and pretty, for every shape the document has. */
static void
test_format_same_as_json_c(void **state)
{
    struct rf_endpoint *eps[4] = {small_pdu_endpoint(), small_server_endpoint(),
                                  named_outlet_endpoint("\x01 \"x\" \\ / \xc3\xa9"),
                                  rf_endpoint_new()};
    struct rw_buf one, pretty;
    char *want;

    (void)state;
    assert_int_equal(rf_str_set(&eps[3]->name, "empty", NULL), RW_OK);
    rw_buf_init(&one, 1 << 20);
    rw_buf_init(&pretty, 1 << 20);
    assert_int_equal(rf_snapshot_format(eps, 4, 0, &one, NULL), RW_OK);
    assert_int_equal(rf_snapshot_format(eps, 4, RF_SNAPSHOT_PRETTY, &pretty, NULL), RW_OK);
    want = json_c_layout(rw_buf_str(&one), 0);
    assert_string_equal(rw_buf_str(&one), want);
    free(want);
    want = json_c_layout(rw_buf_str(&one), JSON_C_TO_STRING_PRETTY);
    assert_string_equal(rw_buf_str(&pretty), want);
    free(want);
    rw_buf_free(&one);
    rw_buf_free(&pretty);
    for (size_t i = 0; i < 4; i++) {
        rf_endpoint_free(eps[i]);
    }
}

struct parse_row {
    const char *doc;
    enum rw_rc want_rc;
    const char *want_msg;
};

#define EP(body) "{\"endpoints\": [{\"name\": \"e\", \"ok\": true" body "}]}"

static void
test_parse_table(void **state)
{
    static const struct parse_row rows[] = {
        {"{\"endpoints\": []}", RW_OK, ""},
        {EP(""), RW_OK, ""},
        {EP(", \"polled_at\": \"2026-11-23T20:20:00+01:00\", \"requests\": 0, \"x-new\": [1]"),
         RW_OK, ""},
        {EP(", \"pdus\": [{\"id\": null, \"outlets\": [{\"power_w\": -12.5}]}]"), RW_OK, ""},
        {EP(", \"servers\": [{\"conditions\": [], \"power_w\": 1e15}]"), RW_OK, ""},
        /* failures, each naming the key */
        {"", RW_EPARSE, "snapshot: empty JSON body"},
        {"{\"endpoints\": [", RW_EPARSE, "snapshot: invalid JSON at byte 15: unexpected end"},
        {"[]", RW_EPARSE, "snapshot: endpoints: expected an array"},
        {"{\"endpoints\": {}}", RW_EPARSE, "snapshot: endpoints: expected an array"},
        {"{\"endpoints\": [1]}", RW_EPARSE, "snapshot: endpoints[0]: expected an object"},
        {"{\"endpoints\": [{\"ok\": true}]}", RW_EPARSE, "snapshot: endpoints[0].name: missing"},
        {"{\"endpoints\": [{\"name\": null, \"ok\": true}]}", RW_EPARSE,
         "snapshot: endpoints[0].name: expected a string"},
        {"{\"endpoints\": [{\"name\": \"e\"}]}", RW_EPARSE, "snapshot: endpoints[0].ok: missing"},
        {"{\"endpoints\": [{\"name\": \"e\", \"ok\": 1}]}", RW_EPARSE,
         "snapshot: endpoints[0].ok: expected true or false"},
        {EP(", \"kind\": \"router\""), RW_EPARSE,
         "snapshot: endpoints[0].kind: expected \"pdu\", \"server\" or \"auto\""},
        {EP(", \"polled_at\": \"yesterday\""), RW_EPARSE,
         "snapshot: endpoints[0].polled_at: expected an RFC 3339 date-time or null"},
        {EP(", \"polled_at\": 1795461600"), RW_EPARSE,
         "snapshot: endpoints[0].polled_at: expected an RFC 3339 date-time or null"},
        {EP(", \"requests\": -1"), RW_EPARSE,
         "snapshot: endpoints[0].requests: expected a non-negative integer or null"},
        {EP(", \"duration_ms\": 1.5"), RW_EPARSE,
         "snapshot: endpoints[0].duration_ms: expected a non-negative integer or null"},
        {EP(", \"url\": 5"), RW_EPARSE, "snapshot: endpoints[0].url: expected a string"},
        {EP(", \"pdus\": {}"), RW_EPARSE, "snapshot: endpoints[0].pdus: expected an array"},
        {EP(", \"pdus\": [{\"power_w\": \"12\"}]"), RW_EPARSE,
         "snapshot: endpoints[0].pdus[0].power_w: expected a number or null"},
        {EP(", \"pdus\": [{\"outlets\": [{\"current_a\": NaN}]}]"), RW_EPARSE,
         "snapshot: endpoints[0].pdus[0].outlets[0].current_a: expected a number of at most 1e15"},
        {EP(", \"pdus\": [{\"inlets\": [{\"voltage_v\": 1e300}]}]"), RW_EPARSE,
         "snapshot: endpoints[0].pdus[0].inlets[0].voltage_v: expected a number of at most 1e15"},
        {EP(", \"pdus\": [{\"inlets\": [{\"poly_phase\": []}]}]"), RW_EPARSE,
         "snapshot: endpoints[0].pdus[0].inlets[0].poly_phase: expected an object"},
        {EP(", \"pdus\": [{\"inlets\": [{\"poly_phase\": {\"current_a\": {\"Line1\": true}}}]}]"),
         RW_EPARSE,
         "snapshot: endpoints[0].pdus[0].inlets[0].poly_phase.current_a.Line1: expected a "
         "number or null"},
        {EP(", \"pdus\": [{\"branches\": [{\"breaker_state\": [\"Normal\"]}]}]"), RW_EPARSE,
         "snapshot: endpoints[0].pdus[0].branches[0].breaker_state: expected a string"},
        {EP(", \"pdus\": [{\"outlets\": [{\"power_state\": \"O\\u0000n\"}]}]"), RW_EPARSE,
         "snapshot: endpoints[0].pdus[0].outlets[0].power_state: expected a string of at most "
         "1024 bytes without NUL"},
        {EP(", \"servers\": [{\"conditions\": [3]}]"), RW_EPARSE,
         "snapshot: endpoints[0].servers[0].conditions: expected an array of strings"},
        {EP(", \"servers\": [{\"conditions\": \"x\"}]"), RW_EPARSE,
         "snapshot: endpoints[0].servers[0].conditions: expected an array"},
        {"{\"endpoints\": [{\"name\": \"e\", \"ok\": true,}]}", RW_EPARSE,
         "snapshot: invalid JSON"},
    };
    struct rf_snapshot *snap;
    struct rw_err err;
    size_t i;
    enum rw_rc rc;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        rw_err_clear(&err);
        snap = (struct rf_snapshot *)1;
        rc = rf_snapshot_parse(rows[i].doc, strlen(rows[i].doc), &snap, &err);
        if (rc != rows[i].want_rc ||
            strncmp(err.msg, rows[i].want_msg, strlen(rows[i].want_msg)) != 0 ||
            (rc != RW_OK && snap != NULL)) {
            fail_msg("row %zu %s: %s \"%s\"", i, rows[i].doc, rw_rc_name(rc), err.msg);
        }
        rf_snapshot_free(snap);
    }
}

static void
test_parse_long_string_and_deep(void **state)
{
    struct rw_buf buf;
    struct rf_snapshot *snap = NULL;
    struct rw_err err;
    int i;

    (void)state;
    rw_buf_init(&buf, 1 << 16);
    assert_int_equal(rw_buf_adds(&buf, "{\"endpoints\": [{\"ok\": true, \"name\": \""), RW_OK);
    for (i = 0; i <= RF_STR_MAX; i++) {
        assert_int_equal(rw_buf_adds(&buf, "n"), RW_OK);
    }
    assert_int_equal(rw_buf_adds(&buf, "\"}]}"), RW_OK);
    rw_err_clear(&err);
    assert_int_equal(rf_snapshot_parse(rw_buf_str(&buf), rw_buf_len(&buf), &snap, &err), RW_EPARSE);
    assert_string_equal(err.msg, "snapshot: endpoints[0].name: expected a string of at most "
                                 "1024 bytes without NUL");
    rw_buf_reset(&buf);
    for (i = 0; i < 40; i++) {
        assert_int_equal(rw_buf_adds(&buf, "["), RW_OK);
    }
    rw_err_clear(&err);
    assert_int_equal(rf_snapshot_parse(rw_buf_str(&buf), rw_buf_len(&buf), &snap, &err), RW_EPARSE);
    assert_null(snap);
    rw_buf_free(&buf);
}

struct time_row {
    const char *text;
    enum rw_rc want_rc;
    int64_t want;
};

static void
test_time_table(void **state)
{
    static const struct time_row rows[] = {
        {"1970-01-01T00:00:00Z", RW_OK, 0},
        {"2026-11-23T19:20:00Z", RW_OK, 1795461600},
        {"2026-11-23T19:20:00.123456Z", RW_OK, 1795461600},
        {"2026-11-23T20:20:00+01:00", RW_OK, 1795461600},
        {"2024-08-12T12:25:00-05:00", RW_OK, 1723483500},
        {"2024-02-29T00:00:00z", RW_OK, 1709164800},
        {"", RW_EPARSE, 0},
        {"2026-11-23", RW_EPARSE, 0},
        {"2026-11-23 19:20:00Z", RW_EPARSE, 0},
        {"2026-13-01T00:00:00Z", RW_EPARSE, 0},
        {"2026-02-30T00:00:00Z", RW_EPARSE, 0},
        {"2026-11-23T24:00:00Z", RW_EPARSE, 0},
        {"2026-11-23T19:20:00", RW_EPARSE, 0},
        {"2026-11-23T19:20:00+0100", RW_EPARSE, 0},
        {"2026-11-23T19:20:00Zjunk", RW_EPARSE, 0},
        {"+026-11-23T19:20:00Z", RW_EPARSE, 0},
    };
    char text[32];
    int64_t t;
    size_t i;
    enum rw_rc rc;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        t = -7;
        rc = rf_time_parse(rows[i].text, &t, NULL);
        if (rc != rows[i].want_rc || (rc == RW_OK && t != rows[i].want) ||
            (rc != RW_OK && t != -7)) {
            fail_msg("row %zu \"%s\": %s %lld", i, rows[i].text, rw_rc_name(rc), (long long)t);
        }
    }
    assert_int_equal(rf_time_format(1795461600, text, sizeof(text), NULL), RW_OK);
    assert_string_equal(text, "2026-11-23T19:20:00Z");
    assert_int_equal(rf_time_format(-1, text, sizeof(text), NULL), RW_EINVAL);
    assert_int_equal(rf_time_format(0, text, 5, NULL), RW_EINVAL);
}

static void
write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    (void)fputs(text, f);
    (void)fclose(f);
}

static void
test_save_and_load(void **state)
{
    const char *path = RW_TEST_TMP_DIR "/rf_snapshot.json";
    struct rf_endpoint *ep = small_pdu_endpoint();
    struct rf_snapshot *snap = NULL;
    struct rw_err err;

    (void)state;
    assert_int_equal(rf_snapshot_save(path, &ep, 1, 0644, NULL), RW_OK);
    assert_int_equal(rf_snapshot_load(path, 0, &snap, NULL), RW_OK);
    assert_int_equal(snap->n, 1);
    assert_string_equal(snap->endpoints[0]->pdus[0].outlets[0].power_state, "On");
    rf_snapshot_free(snap);
    rw_err_clear(&err);
    assert_int_equal(rf_snapshot_load(path, 100, &snap, &err), RW_ETOOBIG);
    assert_null(snap);
    assert_string_equal(err.msg, RW_TEST_TMP_DIR "/rf_snapshot.json: larger than the snapshot cap");
    rw_err_clear(&err);
    assert_int_equal(rf_snapshot_load(RW_TEST_TMP_DIR "/absent.json", 0, &snap, &err), RW_ESTALE);
    assert_string_equal(err.msg, RW_TEST_TMP_DIR "/absent.json: No such file or directory");
    write_text(path, "{\"endpoints\": 3}");
    rw_err_clear(&err);
    assert_int_equal(rf_snapshot_load(path, 0, &snap, &err), RW_EPARSE);
    assert_string_equal(err.msg, "snapshot: endpoints: expected an array");
    rw_err_clear(&err);
    assert_int_equal(rf_snapshot_save(RW_TEST_TMP_DIR "/absent/s.json", &ep, 1, 0644, &err),
                     RW_EINVAL);
    assert_string_equal(err.msg, RW_TEST_TMP_DIR "/absent/s.json: cannot create a temporary "
                                                 "file: No such file or directory");
    rf_endpoint_free(ep);
}

/* A saved document is the formatted one plus a newline, whatever its size (it is streamed). */
static void
test_save_streams_large(void **state)
{
    const char *path = RW_TEST_TMP_DIR "/rf_snapshot_large.json";
    struct rf_endpoint *eps[3] = {small_pdu_endpoint(), small_server_endpoint(), NULL};
    struct rf_outlet *out;
    struct rw_buf want, got;
    char id[16];
    int i;

    (void)state;
    eps[2] = named_outlet_endpoint("big");
    for (i = 0; i < 2000; i++) {
        assert_int_equal(rf_outlet_add(&eps[2]->pdus[0], &out, NULL), RW_OK);
        (void)snprintf(id, sizeof(id), "O%d", i);
        assert_int_equal(rf_str_set(&out->id, id, NULL), RW_OK);
        out->current_a = i / 7.0;
    }
    rw_buf_init(&want, 1 << 24);
    rw_buf_init(&got, 1 << 24);
    assert_int_equal(rf_snapshot_format(eps, 3, 0, &want, NULL), RW_OK);
    assert_true(rw_buf_len(&want) > 3 * 65536);
    assert_int_equal(rw_buf_add(&want, "\n", 1), RW_OK);
    assert_int_equal(rf_snapshot_save(path, eps, 3, 0600, NULL), RW_OK);
    assert_int_equal(rw_file_read(path, &got, NULL), RW_OK);
    assert_int_equal(rw_buf_len(&got), rw_buf_len(&want));
    assert_memory_equal(rw_buf_str(&got), rw_buf_str(&want), rw_buf_len(&want));
    rw_buf_free(&want);
    rw_buf_free(&got);
    for (i = 0; i < 3; i++) {
        rf_endpoint_free(eps[i]);
    }
}

/* Parts kept packed, as rackwatchd keeps them; part 1 of 3 may be made to fail. */
struct packed_parts {
    struct rw_pack *packs[3];
    size_t fail_at; /* 3: none fails */
};

static enum rw_rc
unpack_part(size_t i, void *ctx, struct rw_buf *out, struct rw_err *err)
{
    struct packed_parts *parts = ctx;

    if (i == parts->fail_at) {
        return rw_err_set(err, RW_ENOMEM, "out of memory unpacking part %zu", i);
    }
    return rw_pack_unpack(parts->packs[i], out, err);
}

/* A document saved from packed endpoint texts is byte for byte the one saved from models. */
static void
test_save_parts(void **state)
{
    const char *want_path = RW_TEST_TMP_DIR "/rf_snapshot_models.json";
    const char *path = RW_TEST_TMP_DIR "/rf_snapshot_parts.json";
    struct rf_endpoint *eps[3] = {small_pdu_endpoint(), small_server_endpoint(), rf_endpoint_new()};
    struct packed_parts parts = {.fail_at = 3};
    struct rw_buf text, want, got;
    struct rw_err err;
    size_t i, n;

    (void)state;
    rf_endpoint_fail(eps[2], "no answer");
    rw_buf_init(&want, 1 << 20);
    rw_buf_init(&got, 1 << 20);
    for (i = 0; i < 3; i++) {
        rw_buf_init(&text, 1 << 20);
        assert_int_equal(rf_snapshot_format_endpoint(eps[i], &text, NULL), RW_OK);
        assert_int_equal(rw_pack_new(rw_buf_str(&text), rw_buf_len(&text), &parts.packs[i], NULL),
                         RW_OK);
        rw_buf_free(&text);
    }
    for (n = 0; n <= 3; n++) {
        assert_int_equal(rf_snapshot_save(want_path, eps, n, 0644, NULL), RW_OK);
        assert_int_equal(rf_snapshot_save_parts(path, n, unpack_part, &parts, 0644, NULL), RW_OK);
        rw_buf_reset(&want);
        rw_buf_reset(&got);
        assert_int_equal(rw_file_read(want_path, &want, NULL), RW_OK);
        assert_int_equal(rw_file_read(path, &got, NULL), RW_OK);
        assert_string_equal(rw_buf_str(&got), rw_buf_str(&want));
    }
    /* A part that fails stops the save; the previous document stays whole. */
    parts.fail_at = 1;
    rw_err_clear(&err);
    assert_int_equal(rf_snapshot_save_parts(path, 3, unpack_part, &parts, 0644, &err), RW_ENOMEM);
    assert_string_equal(err.msg, RW_TEST_TMP_DIR "/rf_snapshot_parts.json: cannot write: out of "
                                                 "memory unpacking part 1");
    rw_buf_reset(&got);
    assert_int_equal(rw_file_read(path, &got, NULL), RW_OK);
    assert_string_equal(rw_buf_str(&got), rw_buf_str(&want));
    for (i = 0; i < 3; i++) {
        rw_pack_free(parts.packs[i]);
        rf_endpoint_free(eps[i]);
    }
    rw_buf_free(&want);
    rw_buf_free(&got);
}

/*
 * Allocation failure, curl's torture mode: fail the Nth allocation for every N and check
 * that the call fails cleanly with nothing leaked.  malloc is replaced in this program
 * (glibc allows it); under AddressSanitizer, which owns malloc, the test is skipped.
 */
#ifndef __SANITIZE_ADDRESS__
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void __libc_free(void *p);

struct torture {
    bool armed;
    long countdown; /* allocations left before the failing one */
    long live;      /* allocations not yet freed while armed */
    bool failed;    /* the planned failure happened */
};

static struct torture torture;

/* The bounds of this program's code (GNU ld): the project's static libraries live there. */
extern const char __executable_start[], etext[];

/*
 * Fails only allocations made by the project's own code: json-c 0.16 itself crashes on
 * some of its own failed allocations (a failed strdup of an object key), which is no
 * behaviour of ours to test.  Every allocation is still counted for leaks.
 */
static bool
torture_fail(const void *caller)
{
    if (!torture.armed || (const char *)caller < __executable_start ||
        (const char *)caller >= etext) {
        return false;
    }
    if (torture.countdown-- == 0) {
        torture.failed = true;
        return true;
    }
    return false;
}

void *
malloc(size_t size)
{
    void *p = torture_fail(__builtin_return_address(0)) ? NULL : __libc_malloc(size);

    torture.live += torture.armed && p != NULL;
    return p;
}

void *
calloc(size_t n, size_t size)
{
    void *p = torture_fail(__builtin_return_address(0)) ? NULL : __libc_calloc(n, size);

    torture.live += torture.armed && p != NULL;
    return p;
}

void *
realloc(void *old, size_t size)
{
    void *p = torture_fail(__builtin_return_address(0)) ? NULL : __libc_realloc(old, size);

    torture.live += torture.armed && p != NULL && old == NULL;
    return p;
}

void
free(void *p)
{
    torture.live -= torture.armed && p != NULL;
    __libc_free(p);
}

/* Runs one parse + format + save round with the Nth allocation failing. */
static enum rw_rc
torture_round(const char *doc, const char *path)
{
    struct rf_snapshot *snap = NULL;
    struct rw_buf buf;
    enum rw_rc rc;

    rw_buf_init(&buf, 1 << 20);
    rc = rf_snapshot_parse(doc, strlen(doc), &snap, NULL);
    if (rc == RW_OK) {
        rc = rf_snapshot_format(snap->endpoints, snap->n, 0, &buf, NULL);
    }
    if (rc == RW_OK) {
        rc = rf_snapshot_save(path, snap->endpoints, snap->n, 0644, NULL);
    }
    rf_snapshot_free(snap);
    rw_buf_free(&buf);
    return rc;
}

static void
test_allocation_failures(void **state)
{
    struct rf_endpoint *eps[2] = {small_pdu_endpoint(), small_server_endpoint()};
    const char *path = RW_TEST_TMP_DIR "/rf_torture.json";
    struct rw_buf doc;
    enum rw_rc rc;
    long n, enomem = 0;

    (void)state;
    rw_buf_init(&doc, 1 << 20);
    assert_int_equal(rf_snapshot_format(eps, 2, 0, &doc, NULL), RW_OK);
    for (n = 0; n < 100000; n++) {
        torture = (struct torture){true, n, 0, false};
        rc = torture_round(rw_buf_str(&doc), path);
        torture.armed = false;
        enomem += rc == RW_ENOMEM;
        if (torture.live != 0 || (torture.failed && rc != RW_ENOMEM)) {
            fail_msg("allocation %ld failed: %s, %ld blocks leaked", n, rw_rc_name(rc),
                     torture.live);
        }
        if (!torture.failed) {
            break; /* every allocation of the round has been failed once */
        }
    }
    print_message("torture: %ld allocations each failed once, %ld gave RW_ENOMEM\n", n, enomem);
    assert_true(n > 20 && enomem == n); /* each of our failures is reported */
    rw_buf_free(&doc);
    rf_endpoint_free(eps[0]);
    rf_endpoint_free(eps[1]);
}
#else
static void
test_allocation_failures(void **state)
{
    (void)state;
    print_message("skipped: AddressSanitizer owns malloc in this build\n");
    skip();
}
#endif

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_exact_and_round_trip),
        cmocka_unit_test(test_format_cap),
        cmocka_unit_test(test_format_escaping),
        cmocka_unit_test(test_format_same_as_json_c),
        cmocka_unit_test(test_parse_table),
        cmocka_unit_test(test_parse_long_string_and_deep),
        cmocka_unit_test(test_time_table),
        cmocka_unit_test(test_save_and_load),
        cmocka_unit_test(test_save_parts),
        cmocka_unit_test(test_save_streams_large),
        cmocka_unit_test(test_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

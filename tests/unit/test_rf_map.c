/* Unit tests for rf_map (JSON into the model) and rf_model. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rf_map.h"
#include "rf_model.h"
#include "rw_buf.h"

#define JSON_DIR RW_TEST_DATA_DIR "/json/"

/* Reads a fixture into a NUL-terminated heap string. */
static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *text;
    long size;

    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    size = ftell(f);
    assert_true(size >= 0);
    rewind(f);
    text = malloc((size_t)size + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)size, f), (size_t)size);
    text[size] = '\0';
    (void)fclose(f);
    *len = (size_t)size;
    return text;
}

static struct json_object *
load(const char *text)
{
    struct json_object *obj = NULL;
    struct rw_err err;

    rw_err_clear(&err);
    if (rf_json_parse(text, strlen(text), 0, false, &obj, &err) != RW_OK) {
        fail_msg("parse failed: %s", err.msg);
    }
    return obj;
}

static struct json_object *
load_file(const char *name)
{
    char path[512];
    size_t len;
    char *text;
    struct json_object *obj;

    snprintf(path, sizeof(path), JSON_DIR "%s", name);
    text = slurp(path, &len);
    obj = load(text);
    free(text);
    return obj;
}

static bool
same(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

struct parse_row {
    const char *text; /* NULL: built by the test */
    size_t max;
    bool strict;
    enum rw_rc want_rc;
    const char *want_msg; /* prefix of the error message */
};

static char *
deep_json(int depth)
{
    char *s = malloc((size_t)depth * 2 + 1);
    int i;

    assert_non_null(s);
    for (i = 0; i < depth; i++) {
        s[i] = '[';
        s[depth * 2 - 1 - i] = ']';
    }
    s[depth * 2] = '\0';
    return s;
}

static void
test_json_parse_table(void **state)
{
    static const struct parse_row rows[] = {
        {"{\"a\": 1}", 0, false, RW_OK, NULL},
        {"  [1, 2, 3]\n\t ", 0, true, RW_OK, NULL},
        {"{\"Reading\": NaN}", 0, false, RW_OK, NULL},
        {"", 0, false, RW_EPARSE, "empty JSON body"},
        {"{\"a\": 1", 0, false, RW_EPARSE, "invalid JSON at byte 7: unexpected end of data"},
        {"{\"a\": 1} x", 0, false, RW_EPARSE, "invalid JSON at byte 9: data after the value"},
        {"{\"a\": 1}{}", 0, false, RW_EPARSE, "invalid JSON at byte 8: data after the value"},
        {"{\"a\": [1,]}", 0, true, RW_EPARSE, "invalid JSON"},
        {"{\"a\": 1,}", 0, true, RW_EPARSE, "invalid JSON"},
        {"{\"a\": \"\xff\xfe\"}", 0, false, RW_EPARSE,
         "invalid JSON at byte 7: invalid utf-8 string"},
        /* UTF-8 is validated only in bodies with a byte over 0x7f (found a word at a time):
         * these rows put such bytes in the first word, at a word's last byte, after two
         * words, in the tail past the last whole word and after the value. */
        {"{\"ab\":\"\xff\"}", 0, true, RW_EPARSE, "invalid JSON at byte 7: invalid utf-8 string"},
        {"{\"a\": \"\xc3\"}", 0, false, RW_EPARSE, "invalid JSON at byte 8: invalid utf-8 string"},
        {"\xef\xbb\xbf{\"a\": 1}", 0, true, RW_EPARSE,
         "invalid JSON at byte 0: invalid utf-8 string"},
        {"{\"abcdefghijklmnop\": \"\xe2\x82\"}", 0, false, RW_EPARSE,
         "invalid JSON at byte 24: invalid utf-8 string"},
        {"{\"a\": 1}\xff", 0, true, RW_EPARSE, "invalid JSON at byte 8: invalid utf-8 string"},
        {"{\"Name\": \"0123456789abcdef0123456789abcdef0123456789\", \"x\": \"\xe2\x82\"}", 0,
         false, RW_EPARSE, "invalid JSON at byte 63: invalid utf-8 string"},
        {"{\"a\": \"\xc3\xa9\"}", 0, false, RW_OK, NULL},
        {"{\"\xc3\xa9\": 1}", 0, true, RW_OK, NULL},
        {"{\"Name\": \"0123456789abcdef0123456789abcdef0123456789\", \"x\": \"\xe2\x82\xac\"}", 0,
         false, RW_OK, NULL},
        {"{\"Name\": \"0123456789abcdef0123456789abcdef0123456789\", \"x\": \"\\u20ac\"}", 0, true,
         RW_OK, NULL},
        {"{\"a\": 12345}", 8, false, RW_ETOOBIG, "JSON body of 12 bytes is over the 8-byte cap"},
        {"nul", 0, false, RW_EPARSE, "invalid JSON"},
    };
    struct json_object *obj;
    struct rw_err err;
    size_t i;
    enum rw_rc rc;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        rw_err_clear(&err);
        obj = (struct json_object *)1;
        rc = rf_json_parse(rows[i].text, strlen(rows[i].text), rows[i].max, rows[i].strict, &obj,
                           &err);
        if (rc != rows[i].want_rc ||
            (rows[i].want_msg != NULL &&
             strncmp(err.msg, rows[i].want_msg, strlen(rows[i].want_msg)) != 0) ||
            (rc != RW_OK && obj != NULL)) {
            fail_msg("row %zu \"%s\": rc %s msg \"%s\"", i, rows[i].text, rw_rc_name(rc), err.msg);
        }
        json_object_put(obj);
    }
}

static void
test_json_parse_depth_and_nul(void **state)
{
    char *ok = deep_json(RF_JSON_DEPTH_MAX - 1), *deep = deep_json(RF_JSON_DEPTH_MAX + 1);
    static const char nul[] = "{\"a\": \"x\0y\"}";
    struct json_object *obj = NULL;
    struct rw_err err;

    (void)state;
    assert_int_equal(rf_json_parse(ok, strlen(ok), 0, true, &obj, NULL), RW_OK);
    json_object_put(obj);
    rw_err_clear(&err);
    assert_int_equal(rf_json_parse(deep, strlen(deep), 0, true, &obj, &err), RW_EPARSE);
    assert_null(obj);
    assert_non_null(strstr(err.msg, "nesting"));
    rw_err_clear(&err);
    assert_int_equal(rf_json_parse(nul, sizeof(nul) - 1, 0, false, &obj, &err), RW_EPARSE);
    assert_string_equal(err.msg, "NUL byte in JSON");
    assert_int_equal(rf_json_parse(nul, RF_BODY_MAX + 1, 0, false, &obj, NULL), RW_ETOOBIG);
    free(ok);
    free(deep);
}

/* Which reading a row maps and reads back. */
enum probe {
    P_ENV,
    P_TMETRICS,
    P_SENSOR,
    P_POWER,
    P_THERMAL,
    P_OUTLET_POWER,
    P_OUTLET_VOLTAGE,
    P_BRANCH_CURRENT,
    P_INLET_FREQ,
    P_METRICS_ENERGY,
};

struct value_row {
    const char *json;
    enum probe probe;
    double want;    /* NAN: absent */
    bool want_note; /* a note explains the absence */
};

static double
run_probe(const struct json_object *obj, enum probe probe, struct rf_endpoint *ep)
{
    struct rf_outlet out = {0};
    struct rf_branch br = {0};
    struct rf_inlet in = {0};
    struct rf_pdu pdu = {0};
    double v = NAN;

    switch (probe) {
    case P_ENV:
        return rf_map_environment_power(obj, ep);
    case P_TMETRICS:
        return rf_map_thermal_metrics_intake(obj, ep);
    case P_SENSOR:
        return rf_map_sensor_intake(obj, ep);
    case P_POWER:
        return rf_map_power_consumed(obj, ep);
    case P_THERMAL:
        return rf_map_thermal_intake(obj, ep);
    case P_OUTLET_POWER:
    case P_OUTLET_VOLTAGE:
        assert_int_equal(rf_map_outlet(obj, &out, ep, NULL), RW_OK);
        v = probe == P_OUTLET_POWER ? out.power_w : out.voltage_v;
        rf_outlet_cleanup(&out);
        return v;
    case P_BRANCH_CURRENT:
        assert_int_equal(rf_map_branch(obj, &br, ep, NULL), RW_OK);
        rf_branch_cleanup(&br);
        return br.current_a;
    case P_INLET_FREQ:
        assert_int_equal(rf_map_inlet(obj, &in, ep, NULL), RW_OK);
        rf_inlet_cleanup(&in);
        return in.frequency_hz;
    case P_METRICS_ENERGY:
        assert_int_equal(rf_map_pdu_metrics(obj, &pdu, ep, NULL), RW_OK);
        return pdu.energy_kwh;
    }
    return v;
}

static void
test_value_table(void **state)
{
    static const struct value_row rows[] = {
        {"{\"PowerWatts\": {\"Reading\": 374}}", P_ENV, 374, false},
        {"{\"PowerWatts\": {\"Reading\": 374.5, \"DataSourceUri\": \"/nowhere\"}}", P_ENV, 374.5,
         false},
        {"{\"TemperatureSummaryCelsius\": {\"Intake\": {\"Reading\": 24.8}}}", P_TMETRICS, 24.8,
         false},
        {"{\"TemperatureReadingsCelsius\": [{\"PhysicalContext\": \"Intake\", \"Reading\": 19}]}",
         P_TMETRICS, 19, false},
        {"{\"PhysicalContext\": \"Intake\", \"ReadingType\": \"Temperature\", \"Reading\": 22}",
         P_SENSOR, 22, false},
        {"{\"PhysicalContext\": \"Intake\", \"ReadingUnits\": \"Cel\", \"Reading\": 23}", P_SENSOR,
         23, false},
        {"{\"PowerControl\": [{\"PowerConsumedWatts\": 0}]}", P_POWER, 0, false},
        {"{\"Temperatures\": [{\"PhysicalContext\": \"Intake\", \"ReadingCelsius\": -5.5}]}",
         P_THERMAL, -5.5, false},
        {"{\"PowerWatts\": {\"Reading\": 0}}", P_OUTLET_POWER, 0, false},
        {"{\"CurrentAmps\": {\"Reading\": 5.19}}", P_BRANCH_CURRENT, 5.19, false},
        {"{\"FrequencyHz\": {\"Reading\": 60.1}}", P_INLET_FREQ, 60.1, false},
        {"{\"EnergykWh\": {\"Reading\": 56438}}", P_METRICS_ENERGY, 56438, false},
        /* failures: absent, with a note when the device sent something unusable */
        {"{}", P_ENV, NAN, false},
        {"{\"PowerWatts\": null}", P_ENV, NAN, false},
        {"{\"PowerWatts\": {\"Reading\": null}}", P_ENV, NAN, false},
        {"{\"PowerWatts\": {}}", P_ENV, NAN, false},
        {"{\"PowerWatts\": 374}", P_ENV, NAN, true},
        {"{\"PowerWatts\": {\"Reading\": \"374\"}}", P_ENV, NAN, true},
        {"{\"PowerWatts\": {\"Reading\": true}}", P_ENV, NAN, true},
        {"{\"PowerWatts\": {\"Reading\": NaN}}", P_ENV, NAN, true},
        {"{\"PowerWatts\": {\"Reading\": Infinity}}", P_ENV, NAN, true},
        {"{\"PowerWatts\": {\"Reading\": 1e300}}", P_ENV, NAN, true},
        {"{\"PowerWatts\": {\"Reading\": -2e15}}", P_ENV, NAN, true},
        {"{\"PowerWatts\": {\"Reading\": 18446744073709551615}}", P_ENV, NAN, true},
        {"{\"PowerWatts\": {\"Reading\": [1]}}", P_ENV, NAN, true},
        {"{\"TemperatureSummaryCelsius\": {\"Exhaust\": {\"Reading\": 40}}}", P_TMETRICS, NAN,
         false},
        {"{\"TemperatureReadingsCelsius\": {\"Reading\": 19}}", P_TMETRICS, NAN, true},
        {"{\"PhysicalContext\": \"Exhaust\", \"ReadingType\": \"Temperature\", \"Reading\": 40}",
         P_SENSOR, NAN, false},
        {"{\"PhysicalContext\": \"Intake\", \"ReadingType\": \"Humidity\", \"Reading\": 40}",
         P_SENSOR, NAN, false},
        {"{\"PhysicalContext\": 3, \"ReadingType\": \"Temperature\", \"Reading\": 40}", P_SENSOR,
         NAN, true},
        {"{\"PowerControl\": {\"PowerConsumedWatts\": 1}}", P_POWER, NAN, true},
        {"{\"PowerControl\": [{\"PowerConsumedWatts\": \"1\"}]}", P_POWER, NAN, true},
        {"{\"Temperatures\": [{\"PhysicalContext\": \"CPU\", \"ReadingCelsius\": 50}]}", P_THERMAL,
         NAN, false},
        {"{\"Temperatures\": [{\"PhysicalContext\": \"Intake\", \"ReadingCelsius\": \"x\"}]}",
         P_THERMAL, NAN, true},
        {"{\"PowerWatts\": {\"Reading\": -1e16}}", P_OUTLET_POWER, NAN, true},
        {"{\"Voltage\": \"230\"}", P_OUTLET_VOLTAGE, NAN, true},
        {"{\"CurrentAmps\": 5.19}", P_BRANCH_CURRENT, NAN, true},
        {"{\"FrequencyHz\": {\"Reading\": {}}}", P_INLET_FREQ, NAN, true},
        {"{\"EnergykWh\": [56438]}", P_METRICS_ENERGY, NAN, true},
    };
    struct json_object *obj;
    struct rf_endpoint *ep;
    size_t i;
    double got;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        ep = rf_endpoint_new();
        assert_non_null(ep);
        obj = load(rows[i].json);
        got = run_probe(obj, rows[i].probe, ep);
        if (!same(got, rows[i].want) || (ep->n_notes > 0) != rows[i].want_note) {
            fail_msg("row %zu %s: got %g, %zu notes (%s)", i, rows[i].json, got, ep->n_notes,
                     ep->n_notes > 0 ? ep->notes[0] : "");
        }
        json_object_put(obj);
        rf_endpoint_free(ep);
    }
}

struct string_row {
    const char *json;
    const char *want; /* NULL: absent */
    bool want_note;
};

static void
test_string_table(void **state)
{
    static const struct string_row rows[] = {
        {"{\"PowerState\": \"On\"}", "On", false},
        {"{\"PowerState\": \"PoweringOff\"}", "PoweringOff", false},
        {"{\"PowerState\": \"\"}", "", false},
        {"{}", NULL, false},
        {"{\"PowerState\": null}", NULL, false},
        {"{\"PowerState\": 1}", NULL, true},
        {"{\"PowerState\": [\"On\"]}", NULL, true},
        {"{\"PowerState\": {\"Value\": \"On\"}}", NULL, true},
        {"{\"PowerState\": \"O\\u0000n\"}", NULL, true},
    };
    struct json_object *obj;
    struct rf_endpoint *ep;
    struct rf_outlet out;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        ep = rf_endpoint_new();
        memset(&out, 0, sizeof(out));
        obj = load(rows[i].json);
        assert_int_equal(rf_map_outlet(obj, &out, ep, NULL), RW_OK);
        if ((rows[i].want == NULL) != (out.power_state == NULL) ||
            (rows[i].want != NULL && strcmp(rows[i].want, out.power_state) != 0) ||
            (ep->n_notes > 0) != rows[i].want_note) {
            fail_msg("row %zu %s: got %s", i, rows[i].json,
                     out.power_state != NULL ? out.power_state : "(null)");
        }
        rf_outlet_cleanup(&out);
        json_object_put(obj);
        rf_endpoint_free(ep);
    }
}

static void
test_long_string_is_absent(void **state)
{
    struct rw_buf buf;
    struct json_object *obj;
    struct rf_endpoint *ep = rf_endpoint_new();
    struct rf_outlet out = {0};
    int i;

    (void)state;
    rw_buf_init(&buf, 4096);
    assert_int_equal(rw_buf_adds(&buf, "{\"Name\": \""), RW_OK);
    for (i = 0; i < RF_STR_MAX + 1; i++) {
        assert_int_equal(rw_buf_adds(&buf, "x"), RW_OK);
    }
    assert_int_equal(rw_buf_adds(&buf, "\", \"Id\": \"A1\"}"), RW_OK);
    obj = load(rw_buf_str(&buf));
    assert_int_equal(rf_map_outlet(obj, &out, ep, NULL), RW_OK);
    assert_null(out.name);
    assert_string_equal(out.id, "A1");
    assert_int_equal(ep->n_notes, 1);
    assert_string_equal(ep->notes[0],
                        "(resource without @odata.id): Name is too long or holds a NUL");
    rf_outlet_cleanup(&out);
    json_object_put(obj);
    rf_endpoint_free(ep);
    rw_buf_free(&buf);
}

/* One row for the Name of a PDU and a server: what the mapping keeps, and the note. */
struct name_row {
    const char *json;
    const char *want; /* NULL: absent */
    const char *want_note;
};

/* Maps row.json as a PDU (server false) or a ComputerSystem and checks Name. */
static void
check_name_row(const struct name_row *row, size_t i, bool server)
{
    struct json_object *obj = load(row->json);
    struct rf_endpoint *ep = rf_endpoint_new();
    struct rf_pdu pdu = {0};
    struct rf_server srv = {0};
    const char *got;

    assert_non_null(ep);
    if (server) {
        assert_int_equal(rf_map_system(obj, &srv, NULL, ep, NULL), RW_OK);
    } else {
        assert_int_equal(rf_map_pdu(obj, &pdu, NULL, ep, NULL), RW_OK);
    }
    got = server ? srv.name : pdu.name;
    if ((row->want == NULL) != (got == NULL) || (got != NULL && strcmp(row->want, got) != 0) ||
        (row->want_note == NULL) != (ep->n_notes == 0) ||
        (row->want_note != NULL && strcmp(row->want_note, ep->notes[0]) != 0)) {
        fail_msg("row %zu (%s) %s: got %s, %zu notes", i, server ? "server" : "pdu", row->json,
                 got != NULL ? got : "(null)", ep->n_notes);
    }
    assert_string_equal(server ? srv.id : pdu.id, "1");
    rf_pdu_cleanup(&pdu);
    rf_server_cleanup(&srv);
    json_object_put(obj);
    rf_endpoint_free(ep);
}

static void
test_name_table(void **state)
{
    static const struct name_row rows[] = {
        {"{\"Id\": \"1\", \"Name\": \"Rack PDU A1\"}", "Rack PDU A1", NULL},
        {"{\"Id\": \"1\", \"Name\": \"\"}", "", NULL},
        {"{\"Id\": \"1\", \"Name\": \"caf\\u00e9 \\\"x\\\"\"}", "caf\xc3\xa9 \"x\"", NULL},
        {"{\"Id\": \"1\"}", NULL, NULL},
        {"{\"Id\": \"1\", \"Name\": null}", NULL, NULL},
        {"{\"Id\": \"1\", \"Name\": 7}", NULL,
         "(resource without @odata.id): Name is not a string"},
        {"{\"Id\": \"1\", \"Name\": [\"a\"]}", NULL,
         "(resource without @odata.id): Name is not a string"},
        {"{\"Id\": \"1\", \"Name\": {\"a\": 1}}", NULL,
         "(resource without @odata.id): Name is not a string"},
        {"{\"Id\": \"1\", \"Name\": true}", NULL,
         "(resource without @odata.id): Name is not a string"},
        {"{\"@odata.id\": \"/redfish/v1/Systems/1\", \"Id\": \"1\", \"Name\": \"a\\u0000b\"}", NULL,
         "/redfish/v1/Systems/1: Name is too long or holds a NUL"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        check_name_row(&rows[i], i, false);
        check_name_row(&rows[i], i, true);
    }
}

/* A Name one byte over RF_STR_MAX is absent, with a note; one of RF_STR_MAX is kept. */
static void
test_long_name_table(void **state)
{
    static const size_t lens[] = {RF_STR_MAX, RF_STR_MAX + 1};
    struct rw_buf buf;
    struct json_object *obj;
    struct rf_endpoint *ep;
    struct rf_pdu pdu;
    struct rf_server srv;
    size_t i, k;

    (void)state;
    for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        rw_buf_init(&buf, 4096);
        assert_int_equal(rw_buf_adds(&buf, "{\"Id\": \"1\", \"Name\": \""), RW_OK);
        for (k = 0; k < lens[i]; k++) {
            assert_int_equal(rw_buf_adds(&buf, "n"), RW_OK);
        }
        assert_int_equal(rw_buf_adds(&buf, "\"}"), RW_OK);
        obj = load(rw_buf_str(&buf));
        ep = rf_endpoint_new();
        memset(&pdu, 0, sizeof(pdu));
        memset(&srv, 0, sizeof(srv));
        assert_int_equal(rf_map_pdu(obj, &pdu, NULL, ep, NULL), RW_OK);
        assert_int_equal(rf_map_system(obj, &srv, NULL, ep, NULL), RW_OK);
        if (lens[i] <= RF_STR_MAX) {
            assert_int_equal(strlen(pdu.name), lens[i]);
            assert_int_equal(strlen(srv.name), lens[i]);
            assert_int_equal(ep->n_notes, 0);
        } else {
            assert_null(pdu.name);
            assert_null(srv.name);
            assert_int_equal(ep->n_notes, 2);
            assert_string_equal(ep->notes[0],
                                "(resource without @odata.id): Name is too long or holds a NUL");
        }
        rf_pdu_cleanup(&pdu);
        rf_server_cleanup(&srv);
        json_object_put(obj);
        rf_endpoint_free(ep);
        rw_buf_free(&buf);
    }
}

static void
test_three_phase_inlet(void **state)
{
    struct json_object *obj = load_file("circuit_3phase.json");
    struct rf_endpoint *ep = rf_endpoint_new();
    struct rf_inlet in = {0};

    (void)state;
    assert_int_equal(rf_map_inlet(obj, &in, ep, NULL), RW_OK);
    assert_string_equal(in.id, "L3");
    assert_string_equal(in.health, "Warning");
    assert_true(in.voltage_v == 231.5 && in.current_a == 20.25 && in.power_w == 13900);
    assert_true(in.energy_kwh == 120045.5 && in.frequency_hz == 49.98);
    assert_true(in.rated_current_a == 32);
    assert_int_equal(in.phase_voltage_v.n, 6);
    assert_true(rf_lines_get(&in.phase_voltage_v, "Line1ToLine2") == 400.2);
    assert_true(rf_lines_get(&in.phase_voltage_v, "Line2ToNeutral") == 230.1);
    /* Listed without a reading: kept as a line with an absent value, not 0. */
    assert_true(isnan(rf_lines_get(&in.phase_voltage_v, "Line3ToNeutral")));
    assert_string_equal(in.phase_voltage_v.v[2].line, "Line3ToNeutral");
    assert_int_equal(in.phase_current_a.n, 4);
    assert_true(rf_lines_get(&in.phase_current_a, "Neutral") == 1.1);
    assert_true(rf_lines_get(&in.phase_power_w, "Line3ToNeutral") == 4725.0);
    assert_true(isnan(rf_lines_get(&in.phase_power_w, "Line1ToLine2")));
    assert_int_equal(ep->n_notes, 0);
    rf_inlet_cleanup(&in);
    json_object_put(obj);
    rf_endpoint_free(ep);
}

static void
test_poly_phase_bad_lines(void **state)
{
    struct json_object *obj =
        load("{\"Id\": \"X\", \"PolyPhaseVoltage\": {\"Line9\": {\"Reading\": 1}, "
             "\"Line1\": 5, \"Line2\": {\"Reading\": 230}}, \"PolyPhaseCurrentAmps\": [1]}");
    struct rf_endpoint *ep = rf_endpoint_new();
    struct rf_inlet in = {0};

    (void)state;
    assert_int_equal(rf_map_inlet(obj, &in, ep, NULL), RW_OK);
    assert_int_equal(in.phase_voltage_v.n, 1);
    assert_true(rf_lines_get(&in.phase_voltage_v, "Line2") == 230);
    assert_int_equal(in.phase_current_a.n, 0);
    assert_int_equal(ep->n_notes, 3);
    rf_inlet_cleanup(&in);
    json_object_put(obj);
    rf_endpoint_free(ep);
}

static void
test_outlet_without_readings(void **state)
{
    struct json_object *obj = load_file("outlet_no_readings.json");
    struct rf_endpoint *ep = rf_endpoint_new();
    struct rf_outlet out = {0};

    (void)state;
    assert_int_equal(rf_map_outlet(obj, &out, ep, NULL), RW_OK);
    assert_string_equal(out.id, "C9");
    assert_string_equal(out.name, "Outlet C9 (no metering)");
    assert_string_equal(out.power_state, "Off");
    assert_null(out.health);
    assert_true(isnan(out.voltage_v) && isnan(out.current_a) && isnan(out.power_w));
    assert_true(isnan(out.energy_kwh) && isnan(out.rated_current_a));
    assert_int_equal(ep->n_notes, 0);
    rf_outlet_cleanup(&out);
    json_object_put(obj);
    rf_endpoint_free(ep);
}

static void
test_id_fallbacks(void **state)
{
    struct json_object *by_uri = load("{\"@odata.id\": \"/redfish/v1/X/Outlets/Q7\"}");
    struct json_object *none = load("{\"Name\": \"n\"}");
    struct rf_outlet out = {0};

    (void)state;
    assert_int_equal(rf_map_outlet(by_uri, &out, NULL, NULL), RW_OK);
    assert_string_equal(out.id, "Q7");
    assert_int_equal(rf_str_set(&out.id, "preset", NULL), RW_OK);
    assert_int_equal(rf_map_outlet(none, &out, NULL, NULL), RW_OK);
    assert_string_equal(out.id, "preset");
    rf_outlet_cleanup(&out);
    json_object_put(by_uri);
    json_object_put(none);
}

static void
test_outlet_bad_values(void **state)
{
    struct json_object *obj = load_file("outlet_bad_values.json");
    struct rf_endpoint *ep = rf_endpoint_new();
    struct rf_outlet out = {0};

    (void)state;
    assert_int_equal(rf_map_outlet(obj, &out, ep, NULL), RW_OK);
    assert_string_equal(out.id, "D1");
    assert_null(out.name);
    assert_null(out.power_state);
    assert_null(out.health);
    assert_true(isnan(out.voltage_v) && isnan(out.current_a) && isnan(out.power_w));
    assert_true(isnan(out.energy_kwh) && isnan(out.rated_current_a));
    assert_int_equal(ep->n_notes, 8);
    assert_string_equal(ep->notes[0], "/redfish/v1/PowerEquipment/RackPDUs/7/Outlets/D1: Name is "
                                      "not a string");
    rf_outlet_cleanup(&out);
    json_object_put(obj);
    rf_endpoint_free(ep);
}

static void
test_system_and_chassis(void **state)
{
    struct json_object *sys = load_file("system.json"), *ch = load_file("chassis.json");
    struct rf_endpoint *ep = rf_endpoint_new();
    struct rf_server srv = {0};
    struct rf_system_links links = {0};
    struct rf_chassis_links cl = {0};

    (void)state;
    assert_int_equal(rf_map_system(sys, &srv, &links, ep, NULL), RW_OK);
    assert_string_equal(srv.id, "SRV-42");
    assert_string_equal(srv.manufacturer, "Rackwatch Test");
    assert_string_equal(srv.serial, "SN0042");
    assert_string_equal(srv.power_state, "On");
    assert_string_equal(srv.health, "Critical"); /* the rollup, not Health */
    assert_int_equal(srv.n_conditions, 2);
    assert_string_equal(srv.conditions[0], "Power supply 2 has failed.");
    assert_string_equal(srv.conditions[1], "Fan 3 is degraded.");
    assert_int_equal(links.n_chassis, 1); /* the off-service link is refused */
    assert_string_equal(links.chassis[0], "/redfish/v1/Chassis/Main");
    assert_int_equal(ep->n_notes, 1);
    assert_int_equal(rf_map_chassis(ch, &cl, ep, NULL), RW_OK);
    assert_string_equal(cl.environment, "/redfish/v1/Chassis/Main/EnvironmentMetrics");
    assert_string_equal(cl.thermal_metrics, "/redfish/v1/Chassis/Main/ThermalSubsystem/"
                                            "ThermalMetrics");
    assert_string_equal(cl.power, "/redfish/v1/Chassis/Main/Power");
    assert_string_equal(cl.thermal, "/redfish/v1/Chassis/Main/Thermal");
    assert_string_equal(cl.sensors, "/redfish/v1/Chassis/Main/Sensors");
    rf_chassis_links_cleanup(&cl);
    rf_system_links_cleanup(&links);
    rf_server_cleanup(&srv);
    json_object_put(sys);
    json_object_put(ch);
    rf_endpoint_free(ep);
}

static void
test_server_readings_files(void **state)
{
    struct json_object *tm = load_file("thermal_metrics.json");
    struct json_object *pw = load_file("power_legacy.json");
    struct json_object *th = load_file("thermal_legacy.json");

    (void)state;
    /* The null Intake reading is skipped; the DeviceName one is used. */
    assert_true(rf_map_thermal_metrics_intake(tm, NULL) == 21.5);
    assert_true(rf_map_power_consumed(pw, NULL) == 412);
    assert_true(rf_map_thermal_intake(th, NULL) == 23.5);
    json_object_put(tm);
    json_object_put(pw);
    json_object_put(th);
}

static void
test_root(void **state)
{
    struct json_object *obj = load_file("root_pdu.json");
    struct rf_root root = {0};

    (void)state;
    assert_int_equal(rf_map_root(obj, &root, NULL, NULL), RW_OK);
    assert_string_equal(root.power_equipment, "/redfish/v1/PowerEquipment");
    assert_null(root.systems);
    assert_string_equal(root.chassis, "/redfish/v1/Chassis");
    assert_string_equal(root.sessions, "/redfish/v1/SessionService/Sessions");
    assert_string_equal(root.product, "Test PDU");
    assert_string_equal(root.vendor, "Rackwatch");
    assert_true(root.expand);
    rf_root_cleanup(&root);
    json_object_put(obj);
}

struct expand_row {
    const char *json;
    bool want;
};

static void
test_root_expand_table(void **state)
{
    static const struct expand_row rows[] = {
        {"{\"ProtocolFeaturesSupported\": {\"ExpandQuery\": {\"ExpandAll\": true, \"Levels\": "
         "true}}}",
         true},
        {"{\"ProtocolFeaturesSupported\": {\"ExpandQuery\": {\"NoLinks\": true, \"Levels\": true, "
         "\"MaxLevels\": 1}}}",
         true},
        {"{}", false},
        {"{\"ProtocolFeaturesSupported\": {\"ExpandQuery\": {\"ExpandAll\": true}}}", false},
        {"{\"ProtocolFeaturesSupported\": {\"ExpandQuery\": {\"Levels\": true, \"Links\": "
         "true}}}",
         false},
        {"{\"ProtocolFeaturesSupported\": {\"ExpandQuery\": {\"ExpandAll\": \"true\", \"Levels\": "
         "true}}}",
         false},
        {"{\"ProtocolFeaturesSupported\": {\"ExpandQuery\": {\"ExpandAll\": true, \"Levels\": "
         "true, \"MaxLevels\": 0}}}",
         false},
        {"{\"ProtocolFeaturesSupported\": {\"ExpandQuery\": true}}", false},
    };
    struct json_object *obj;
    struct rf_root root;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        memset(&root, 0, sizeof(root));
        obj = load(rows[i].json);
        assert_int_equal(rf_map_root(obj, &root, NULL, NULL), RW_OK);
        if (root.expand != rows[i].want) {
            fail_msg("row %zu %s: expand %d", i, rows[i].json, root.expand);
        }
        rf_root_cleanup(&root);
        json_object_put(obj);
    }
}

static void
test_collection(void **state)
{
    struct json_object *obj = load_file("collection_page.json");
    struct rf_endpoint *ep = rf_endpoint_new();
    struct rf_collection coll = {0};

    (void)state;
    assert_int_equal(rf_map_collection(obj, &coll, ep, NULL), RW_OK);
    assert_int_equal(coll.n, 2);
    assert_string_equal(coll.v[0].uri, "/redfish/v1/PowerEquipment/RackPDUs/7/Outlets/A1");
    assert_null(coll.v[0].expanded);
    assert_non_null(coll.v[1].expanded);
    assert_string_equal(coll.next_link, "/redfish/v1/PowerEquipment/RackPDUs/7/Outlets?$skip=2");
    assert_true(ep->n_notes >= 3);
    rf_collection_cleanup(&coll);
    json_object_put(obj);
    rf_endpoint_free(ep);
}

struct bad_doc_row {
    const char *json;
    enum rw_rc want_rc;
    const char *want_msg;
};

static void
test_collection_failures(void **state)
{
    static const struct bad_doc_row rows[] = {
        {"[]", RW_EPARSE, "the collection is not a JSON object"},
        {"{}", RW_EPARSE, "(resource without @odata.id): Members is missing or not an array"},
        {"{\"@odata.id\": \"/redfish/v1/X\", \"Members\": {}}", RW_EPARSE,
         "/redfish/v1/X: Members is missing or not an array"},
        {"{\"Members\": null}", RW_EPARSE,
         "(resource without @odata.id): Members is missing or not an array"},
    };
    struct json_object *obj;
    struct rf_collection coll;
    struct rw_err err;
    size_t i;
    enum rw_rc rc;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        memset(&coll, 0, sizeof(coll));
        rw_err_clear(&err);
        obj = load(rows[i].json);
        rc = rf_map_collection(obj, &coll, NULL, &err);
        if (rc != rows[i].want_rc || strcmp(err.msg, rows[i].want_msg) != 0 || coll.n != 0) {
            fail_msg("row %zu %s: %s \"%s\"", i, rows[i].json, rw_rc_name(rc), err.msg);
        }
        json_object_put(obj);
    }
}

static void
test_not_an_object(void **state)
{
    struct json_object *obj = load("[1, 2]");
    struct rf_pdu pdu = {0};
    struct rf_server srv = {0};
    struct rf_root root = {0};
    struct rw_err err;

    (void)state;
    rw_err_clear(&err);
    assert_int_equal(rf_map_pdu(obj, &pdu, NULL, NULL, &err), RW_EPARSE);
    assert_string_equal(err.msg, "the PowerDistribution is not a JSON object");
    assert_int_equal(rf_map_system(obj, &srv, NULL, NULL, NULL), RW_EPARSE);
    assert_int_equal(rf_map_root(obj, &root, NULL, NULL), RW_EPARSE);
    assert_true(isnan(rf_map_environment_power(obj, NULL)));
    assert_true(isnan(rf_map_power_consumed(NULL, NULL)));
    json_object_put(obj);
}

struct uri_row {
    const char *uri;
    bool want;
};

static void
test_uri_ok_table(void **state)
{
    static const struct uri_row rows[] = {
        {"/redfish/v1", true},
        {"/redfish/v1/Systems/1", true},
        {"/redfish/v1/Outlets?$skip=2", true},
        {NULL, false},
        {"", false},
        {"http://x/redfish/v1", false},
        {"/redfish/v2/x", false},
        {"/redfish/v1/a b", false},
        {"/redfish/v1/a\"b", false},
        {"/redfish/v1/Power#/PowerControl/0", false},
        {"/redfish/v1/\x7f", false},
        {"/redfish/v1/a\\b", false},
        {"/redfish/v1/<b>", false},
        {"/redfish/v1/a>", false},
        {"/redfish/v1/{id}", false},
        {"/redfish/v1/a}", false},
        {"/redfish/v1/a|b", false},
        {"/redfish/v1/a^b", false},
        {"/redfish/v1/a`b", false},
        {"/redfish/v1/a\tb", false},
        {"/redfish/v1/\xc3\xa9", false},
        {"/redfish/v1/Chassis/1/Power?$select=Voltages&x=~!@%20*()-_.+,;:'[]", true},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        if (rf_uri_ok(rows[i].uri) != rows[i].want) {
            fail_msg("row %zu %s", i, rows[i].uri != NULL ? rows[i].uri : "(null)");
        }
    }
}

static void
test_model_helpers(void **state)
{
    struct rf_endpoint *ep = rf_endpoint_new();
    char big[RF_STR_MAX + 2];
    char *s = NULL;
    struct rf_lines lines = {0};
    enum rf_kind kind;
    int i;

    (void)state;
    memset(big, 'y', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(rf_str_set(&s, big, NULL), RW_EINVAL);
    assert_null(s);
    assert_int_equal(rf_str_set(&s, "x", NULL), RW_OK);
    assert_int_equal(rf_str_set(&s, NULL, NULL), RW_OK);
    assert_null(s);
    for (i = 0; i < RF_LINES_MAX; i++) {
        assert_int_equal(rf_lines_add(&lines, "Line1", i, NULL), RW_OK);
    }
    assert_int_equal(rf_lines_add(&lines, "Line1", 1, NULL), RW_ETOOBIG);
    assert_true(isnan(rf_lines_get(NULL, "Line1")));
    assert_int_equal(rf_kind_parse("server", &kind), RW_OK);
    assert_int_equal(kind, RF_KIND_SERVER);
    assert_int_equal(rf_kind_parse("Server", &kind), RW_EINVAL);
    assert_int_equal(rf_kind_parse(NULL, &kind), RW_EINVAL);
    rf_endpoint_fail(ep, "first\nline");
    rf_endpoint_fail(ep, "second");
    assert_string_equal(ep->error, "first line");
    assert_false(ep->ok);
    for (i = 0; i < RF_NOTES_MAX + 5; i++) {
        rf_note(ep, "note %d", i);
    }
    assert_int_equal(ep->n_notes, RF_NOTES_MAX);
    for (i = 0; i < RF_LINES_MAX; i++) {
        free(lines.v[i].line);
    }
    free(lines.v);
    rf_endpoint_free(ep);
    rf_endpoint_free(NULL);
}

/* Defined enumerated texts are shared between models; others are copies; none leak. */
static void
test_word_set(void **state)
{
    struct json_object *obj = load("{\"PowerState\": \"On\", \"Status\": {\"Health\": \"OK\"}}");
    struct rf_endpoint *ep = rf_endpoint_new();
    struct rf_outlet a = {0}, b = {0};
    char big[RF_STR_MAX + 2];
    char *s = NULL, *t = NULL;

    (void)state;
    assert_int_equal(rf_map_outlet(obj, &a, ep, NULL), RW_OK);
    assert_int_equal(rf_map_outlet(obj, &b, ep, NULL), RW_OK);
    assert_string_equal(a.power_state, "On");
    assert_string_equal(a.health, "OK");
    assert_ptr_equal(a.power_state, b.power_state);
    assert_ptr_equal(a.health, b.health);
    assert_int_equal(rf_word_set(&s, "Tripped", NULL), RW_OK);
    assert_int_equal(rf_word_set(&t, "Tripped", NULL), RW_OK);
    assert_ptr_equal(s, t);
    /* An unknown value is a copy of its own; replacing either kind frees only copies. */
    assert_int_equal(rf_word_set(&s, "Degraded", NULL), RW_OK);
    assert_int_equal(rf_word_set(&t, "Degraded", NULL), RW_OK);
    assert_string_equal(s, "Degraded");
    assert_ptr_not_equal(s, t);
    assert_int_equal(rf_word_set(&s, "Off", NULL), RW_OK);
    assert_int_equal(rf_str_set(&t, "Off", NULL), RW_OK);
    assert_string_equal(s, t);
    assert_int_equal(rf_str_set(&s, NULL, NULL), RW_OK);
    assert_null(s);
    memset(big, 'w', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(rf_word_set(&t, big, NULL), RW_EINVAL);
    assert_string_equal(t, "Off");
    assert_int_equal(rf_word_set(&t, NULL, NULL), RW_OK);
    assert_null(t);
    rf_outlet_cleanup(&a);
    rf_outlet_cleanup(&b);
    json_object_put(obj);
    rf_endpoint_free(ep);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_parse_table),
        cmocka_unit_test(test_json_parse_depth_and_nul),
        cmocka_unit_test(test_value_table),
        cmocka_unit_test(test_string_table),
        cmocka_unit_test(test_long_string_is_absent),
        cmocka_unit_test(test_name_table),
        cmocka_unit_test(test_long_name_table),
        cmocka_unit_test(test_three_phase_inlet),
        cmocka_unit_test(test_poly_phase_bad_lines),
        cmocka_unit_test(test_outlet_without_readings),
        cmocka_unit_test(test_id_fallbacks),
        cmocka_unit_test(test_outlet_bad_values),
        cmocka_unit_test(test_system_and_chassis),
        cmocka_unit_test(test_server_readings_files),
        cmocka_unit_test(test_root),
        cmocka_unit_test(test_root_expand_table),
        cmocka_unit_test(test_collection),
        cmocka_unit_test(test_word_set),
        cmocka_unit_test(test_collection_failures),
        cmocka_unit_test(test_not_an_object),
        cmocka_unit_test(test_uri_ok_table),
        cmocka_unit_test(test_model_helpers),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

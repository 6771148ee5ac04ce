/*
 * Unit tests for rf_crawl: the crawl is driven over mockup directories read from disk
 * (the short form: <dir>/<path>/index.json for /redfish/v1/<path>), with $expand done by
 * the driver, and over synthetic services given as tables of URI -> answer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "rf_crawl.h"
#include "rf_model.h"
#include "rf_snapshot.h"
#include "rw_buf.h"

/* One canned answer: a body, or a failure when body is NULL. */
struct answer {
    const char *uri;
    const char *body;
};

struct service {
    const char *dir;              /* mockup directory, or NULL */
    const struct answer *answers; /* looked up first */
    size_t batch;                 /* URIs taken at once (and answered last first) */
    struct rw_buf log;            /* "uri\n" per request */
};

static char *
read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct rw_buf buf;
    char chunk[8192];
    size_t got;

    if (f == NULL) {
        return NULL;
    }
    rw_buf_init(&buf, 1 << 24);
    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        assert_int_equal(rw_buf_add(&buf, chunk, got), RW_OK);
    }
    (void)fclose(f);
    *len = rw_buf_len(&buf);
    return rw_buf_take(&buf);
}

/* <dir>/<uri without /redfish/v1, query and trailing slash>/index.json */
static void
file_for(const char *dir, const char *uri, char *path, size_t size)
{
    size_t len;

    uri += strlen("/redfish/v1");
    len = strcspn(uri, "?");
    while (len > 0 && uri[len - 1] == '/') {
        len--;
    }
    snprintf(path, size, "%s%.*s/index.json", dir, (int)len, uri);
}

static struct json_object *
read_json(const char *path)
{
    size_t len;
    char *text = read_file(path, &len);
    struct json_object *obj = text != NULL ? json_tokener_parse(text) : NULL;

    free(text);
    return obj;
}

/* The collection at path with every member replaced by its resource, as $expand does. */
static char *
expand(const char *dir, const char *path)
{
    struct json_object *coll = read_json(path), *members, *m, *id, *full;
    char mpath[1024];
    char *out;
    size_t i;

    if (coll == NULL) {
        return NULL;
    }
    if (json_object_object_get_ex(coll, "Members", &members)) {
        for (i = 0; i < json_object_array_length(members); i++) {
            m = json_object_array_get_idx(members, i);
            if (!json_object_object_get_ex(m, "@odata.id", &id)) {
                continue;
            }
            file_for(dir, json_object_get_string(id), mpath, sizeof(mpath));
            full = read_json(mpath);
            if (full != NULL) {
                json_object_array_put_idx(members, i, full);
            }
        }
    }
    out = strdup(json_object_to_json_string(coll));
    json_object_put(coll);
    return out;
}

static void
answer(struct service *svc, struct rf_crawl *c, const char *uri)
{
    const struct answer *a;
    char path[1024];
    char *body = NULL;
    size_t len = 0;

    assert_int_equal(rw_buf_addf(&svc->log, "%s\n", uri), RW_OK);
    for (a = svc->answers; a != NULL && a->uri != NULL; a++) {
        if (strcmp(a->uri, uri) == 0) {
            if (a->body == NULL) {
                assert_int_equal(rf_crawl_fail(c, uri, RW_EHTTP, "HTTP 500", NULL), RW_OK);
            } else {
                assert_int_equal(rf_crawl_feed(c, uri, a->body, strlen(a->body), NULL), RW_OK);
            }
            return;
        }
    }
    if (svc->dir != NULL) {
        file_for(svc->dir, uri, path, sizeof(path));
        body = strstr(uri, "$expand") != NULL ? expand(svc->dir, path) : read_file(path, &len);
        len = body != NULL ? strlen(body) : 0;
    }
    if (body == NULL) {
        assert_int_equal(rf_crawl_fail(c, uri, RW_EHTTP, "HTTP 404", NULL), RW_OK);
        return;
    }
    assert_int_equal(rf_crawl_feed(c, uri, body, len, NULL), RW_OK);
    free(body);
}

static struct rf_endpoint *
crawl(struct service *svc, enum rf_kind kind, bool use_expand)
{
    struct rf_crawl *c = rf_crawl_new(kind, use_expand);
    const char *uris[16];
    char *copies[16];
    struct rf_endpoint *ep;
    size_t n, i;

    assert_non_null(c);
    rw_buf_init(&svc->log, 1 << 20);
    while (!rf_crawl_done(c)) {
        assert_int_equal(rf_crawl_next(c, uris, svc->batch != 0 ? svc->batch : 1, &n, NULL), RW_OK);
        if (n == 0 && rf_crawl_done(c)) {
            break; /* the last queued URIs were no longer needed */
        }
        if (n == 0) {
            fail_msg("crawl stalled with %zu in flight after:\n%s", rf_crawl_in_flight(c),
                     rw_buf_str(&svc->log));
        }
        for (i = 0; i < n; i++) {
            copies[i] = strdup(uris[i]);
        }
        while (n-- > 0) { /* answers arrive last first */
            answer(svc, c, copies[n]);
            free(copies[n]);
        }
    }
    assert_int_equal(rf_crawl_next(c, uris, 1, &n, NULL), RW_OK);
    assert_int_equal(n, 0);
    ep = rf_crawl_take(c);
    assert_non_null(ep);
    assert_null(rf_crawl_take(c));
    rf_crawl_free(c);
    return ep;
}

static bool
same(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

static bool
dir_exists(const char *dir)
{
    struct stat st;

    return stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The shared DMTF mockups: $RW_MOCKUPS_DIR, else the folder beside the checkout. */
static const char *
mockups_dir(void)
{
    const char *env = getenv("RW_MOCKUPS_DIR");

    return env != NULL && *env != '\0' ? env : RW_TEST_DATA_DIR "/../../../shared/redfish-mockups";
}

/* obj.key.Reading (sub NULL: obj.key itself) read straight from a mockup file. */
static double
file_number(const char *path, const char *key, const char *sub)
{
    struct json_object *obj = read_json(path), *v = NULL, *r = NULL;
    double d = NAN;

    if (obj != NULL && json_object_object_get_ex(obj, key, &v) && v != NULL) {
        if (sub == NULL) {
            r = v;
        } else if (!json_object_object_get_ex(v, sub, &r)) {
            r = NULL;
        }
        if (r != NULL &&
            (json_object_is_type(r, json_type_double) || json_object_is_type(r, json_type_int))) {
            d = json_object_get_double(r);
        }
    }
    json_object_put(obj);
    return d;
}

static bool
file_string_is(const char *path, const char *key, const char *want)
{
    struct json_object *obj = read_json(path), *v = NULL;
    bool ok;

    if (!json_object_object_get_ex(obj, key, &v) || v == NULL) {
        ok = want == NULL;
    } else {
        ok = want != NULL && strcmp(json_object_get_string(v), want) == 0;
    }
    json_object_put(obj);
    return ok;
}

/* PolyPhaseX.line.Reading from a file. */
static double
file_line(const char *path, const char *poly, const char *line)
{
    struct json_object *obj = read_json(path), *p = NULL, *l = NULL, *r = NULL;
    double d = NAN;

    if (json_object_object_get_ex(obj, poly, &p) && json_object_object_get_ex(p, line, &l) &&
        json_object_object_get_ex(l, "Reading", &r) && r != NULL) {
        d = json_object_get_double(r);
    }
    json_object_put(obj);
    return d;
}

static size_t
check_outlets(const char *dir, const struct rf_pdu *pdu)
{
    char path[1024];
    size_t i, absent = 0;
    const struct rf_outlet *o;

    for (i = 0; i < pdu->n_outlets; i++) {
        o = &pdu->outlets[i];
        snprintf(path, sizeof(path), "%s/PowerEquipment/RackPDUs/%s/Outlets/%s/index.json", dir,
                 pdu->id, o->id);
        if (!same(o->power_w, file_number(path, "PowerWatts", "Reading")) ||
            !same(o->current_a, file_number(path, "CurrentAmps", "Reading")) ||
            !same(o->voltage_v, file_number(path, "Voltage", "Reading")) ||
            !same(o->energy_kwh, file_number(path, "EnergykWh", "Reading")) ||
            !file_string_is(path, "PowerState", o->power_state)) {
            fail_msg("outlet %s differs from %s", o->id, path);
        }
        absent += isnan(o->power_w) + isnan(o->current_a) + isnan(o->voltage_v);
    }
    return absent;
}

static size_t
check_inlets(const char *dir, const struct rf_pdu *pdu)
{
    static const char *const lines[] = {"Line1ToNeutral", "Line2ToNeutral", "Line3ToNeutral",
                                        "Line1ToLine2",   "Line2ToLine3",   "Line3ToLine1"};
    char path[1024];
    size_t i, j, absent = 0;
    const struct rf_inlet *in;

    for (i = 0; i < pdu->n_inlets; i++) {
        in = &pdu->inlets[i];
        snprintf(path, sizeof(path), "%s/PowerEquipment/RackPDUs/%s/Mains/%s/index.json", dir,
                 pdu->id, in->id);
        if (!same(in->voltage_v, file_number(path, "Voltage", "Reading")) ||
            !same(in->current_a, file_number(path, "CurrentAmps", "Reading")) ||
            !same(in->power_w, file_number(path, "PowerWatts", "Reading")) ||
            !same(in->energy_kwh, file_number(path, "EnergykWh", "Reading")) ||
            !same(in->frequency_hz, file_number(path, "FrequencyHz", "Reading"))) {
            fail_msg("inlet %s differs from %s", in->id, path);
        }
        for (j = 0; j < sizeof(lines) / sizeof(lines[0]); j++) {
            if (!same(rf_lines_get(&in->phase_voltage_v, lines[j]),
                      file_line(path, "PolyPhaseVoltage", lines[j])) ||
                !same(rf_lines_get(&in->phase_power_w, lines[j]),
                      file_line(path, "PolyPhasePowerWatts", lines[j]))) {
                fail_msg("inlet %s line %s differs from %s", in->id, lines[j], path);
            }
        }
        absent += isnan(in->voltage_v) + isnan(in->power_w);
    }
    return absent;
}

static void
check_branches_and_metrics(const char *dir, const struct rf_pdu *pdu)
{
    char path[1024];
    size_t i;

    for (i = 0; i < pdu->n_branches; i++) {
        snprintf(path, sizeof(path), "%s/PowerEquipment/RackPDUs/%s/Branches/%s/index.json", dir,
                 pdu->id, pdu->branches[i].id);
        if (!same(pdu->branches[i].current_a, file_number(path, "CurrentAmps", "Reading")) ||
            !file_string_is(path, "BreakerState", pdu->branches[i].breaker_state)) {
            fail_msg("branch %s differs from %s", pdu->branches[i].id, path);
        }
    }
    snprintf(path, sizeof(path), "%s/PowerEquipment/RackPDUs/%s/Metrics/index.json", dir, pdu->id);
    assert_true(same(pdu->power_w, file_number(path, "PowerWatts", "Reading")));
    assert_true(same(pdu->energy_kwh, file_number(path, "EnergykWh", "Reading")));
    assert_true(same(pdu->temperature_c, file_number(path, "TemperatureCelsius", "Reading")));
}

/* Every value of every PDU equals the mockup file's; returns the count of absent values. */
static size_t
check_pdus_against(const char *dir, const struct rf_endpoint *ep)
{
    char path[1024];
    size_t i, absent = 0;

    assert_true(ep->n_pdus > 0);
    for (i = 0; i < ep->n_pdus; i++) {
        snprintf(path, sizeof(path), "%s/PowerEquipment/RackPDUs/%s/index.json", dir,
                 ep->pdus[i].id);
        assert_true(file_string_is(path, "Manufacturer", ep->pdus[i].manufacturer));
        assert_true(file_string_is(path, "Name", ep->pdus[i].name));
        assert_true(file_string_is(path, "SerialNumber", ep->pdus[i].serial));
        assert_true(file_string_is(path, "FirmwareVersion", ep->pdus[i].firmware));
        absent += check_outlets(dir, &ep->pdus[i]);
        absent += check_inlets(dir, &ep->pdus[i]);
        check_branches_and_metrics(dir, &ep->pdus[i]);
    }
    return absent;
}

/* The model as JSON with the request count left out, to compare two crawls. */
static char *
model_text(struct rf_endpoint *ep)
{
    struct rw_buf buf;
    int64_t requests = ep->requests;

    ep->requests = -1;
    rw_buf_init(&buf, 1 << 24);
    assert_int_equal(rf_snapshot_format(&ep, 1, 0, &buf, NULL), RW_OK);
    ep->requests = requests;
    return rw_buf_take(&buf);
}

/* Crawls dir with and without $expand: the same model, fewer requests with it. */
static void
crawl_both_ways(const char *dir, enum rf_kind kind, struct rf_endpoint **plain,
                struct rf_endpoint **expanded)
{
    struct service svc = {dir, NULL, 2, {0}};
    char *a, *b;

    *plain = crawl(&svc, kind, false);
    assert_null(strstr(rw_buf_str(&svc.log), "$expand"));
    rw_buf_free(&svc.log);
    *expanded = crawl(&svc, kind, true);
    rw_buf_free(&svc.log);
    a = model_text(*plain);
    b = model_text(*expanded);
    assert_string_equal(a, b);
    assert_true((*expanded)->requests <= (*plain)->requests);
    free(a);
    free(b);
}

static void
test_project_pdu(void **state)
{
    const char *dir = RW_TEST_DATA_DIR "/pdu";
    struct rf_endpoint *plain, *expanded;

    (void)state;
    if (!dir_exists(dir)) {
        print_message("skipped: %s does not exist yet\n", dir);
        skip();
    }
    crawl_both_ways(dir, RF_KIND_PDU, &plain, &expanded);
    assert_true(plain->ok);
    assert_null(plain->error);
    assert_int_equal(plain->kind, RF_KIND_PDU);
    /* The tree has readings left out on purpose: they must come out absent. */
    assert_true(check_pdus_against(dir, plain) > 0);
    print_message("project pdu: %lld requests plain, %lld with $expand\n",
                  (long long)plain->requests, (long long)expanded->requests);
    rf_endpoint_free(plain);
    rf_endpoint_free(expanded);
}

/* Expected power and intake of the project's server trees, read from their files. */
static void
check_server_tree(const char *dir, bool legacy)
{
    struct rf_endpoint *plain, *expanded;
    char path[1024];
    double power, intake;

    if (!dir_exists(dir)) {
        print_message("skipped: %s does not exist yet\n", dir);
        skip();
    }
    crawl_both_ways(dir, RF_KIND_AUTO, &plain, &expanded);
    assert_true(plain->ok);
    assert_int_equal(plain->kind, RF_KIND_SERVER);
    assert_int_equal(plain->n_servers, 1);
    snprintf(path, sizeof(path), "%s/Chassis/1U/%s/index.json", dir,
             legacy ? "Power" : "EnvironmentMetrics");
    power = legacy ? NAN : file_number(path, "PowerWatts", "Reading");
    snprintf(path, sizeof(path), "%s/Chassis/1U/ThermalSubsystem/ThermalMetrics/index.json", dir);
    intake = legacy ? NAN : file_line(path, "TemperatureSummaryCelsius", "Intake");
    if (legacy) {
        assert_true(rf_has(plain->servers[0].power_w));
        assert_true(rf_has(plain->servers[0].inlet_temp_c));
    } else {
        assert_true(plain->servers[0].power_w == power);
        assert_true(plain->servers[0].inlet_temp_c == intake);
    }
    snprintf(path, sizeof(path), "%s/Systems/%s/index.json", dir, plain->servers[0].id);
    assert_true(file_string_is(path, "PowerState", plain->servers[0].power_state));
    assert_true(file_string_is(path, "Name", plain->servers[0].name));
    print_message("%s: %lld requests plain, %lld with $expand\n", dir, (long long)plain->requests,
                  (long long)expanded->requests);
    rf_endpoint_free(plain);
    rf_endpoint_free(expanded);
}

static void
test_project_server(void **state)
{
    (void)state;
    check_server_tree(RW_TEST_DATA_DIR "/server", false);
}

static void
test_project_server_legacy(void **state)
{
    struct service svc = {RW_TEST_DATA_DIR "/server-legacy", NULL, 1, {0}};
    struct rf_endpoint *ep;

    (void)state;
    check_server_tree(svc.dir, true);
    ep = crawl(&svc, RF_KIND_SERVER, false);
    /* Only the deprecated resources exist: they give the readings. */
    assert_true(ep->servers[0].power_w == 287);
    assert_true(ep->servers[0].inlet_temp_c == 21.0);
    assert_non_null(strstr(rw_buf_str(&svc.log), "/Chassis/1U/Power\n"));
    rw_buf_free(&svc.log);
    rf_endpoint_free(ep);
}

static void
test_dmtf_public_pdu(void **state)
{
    char dir[1024];
    struct rf_endpoint *plain, *expanded;
    const struct rf_pdu *pdu;

    (void)state;
    snprintf(dir, sizeof(dir), "%s/public-pdu", mockups_dir());
    if (!dir_exists(dir)) {
        print_message("skipped: %s not found\n", dir);
        skip();
    }
    crawl_both_ways(dir, RF_KIND_AUTO, &plain, &expanded);
    assert_true(plain->ok);
    assert_int_equal(plain->kind, RF_KIND_PDU);
    assert_int_equal(plain->requests, 23);
    assert_int_equal(expanded->requests, 7);
    assert_int_equal(plain->n_pdus, 1);
    pdu = &plain->pdus[0];
    assert_string_equal(pdu->id, "1");
    assert_string_equal(pdu->model, "ZAP4000");
    assert_true(pdu->power_w == 6438 && pdu->energy_kwh == 56438 && pdu->temperature_c == 31);
    assert_int_equal(pdu->n_inlets, 1);
    assert_string_equal(pdu->inlets[0].id, "AC1");
    assert_true(pdu->inlets[0].frequency_hz == 60.1);
    assert_true(rf_lines_get(&pdu->inlets[0].phase_voltage_v, "Line1ToLine2") == 202.8);
    assert_true(rf_lines_get(&pdu->inlets[0].phase_current_a, "Neutral") == 2.74);
    /* AC1 reports no whole-circuit voltage, power or energy: absent, not 0 or a sum. */
    assert_true(isnan(pdu->inlets[0].voltage_v) && isnan(pdu->inlets[0].power_w));
    assert_true(isnan(pdu->inlets[0].energy_kwh));
    assert_int_equal(pdu->n_branches, 3);
    assert_int_equal(pdu->n_outlets, 11);
    assert_string_equal(pdu->outlets[0].id, "A1");
    assert_string_equal(pdu->outlets[0].power_state, "On");
    assert_true(pdu->outlets[0].power_w == 197.4);
    check_pdus_against(dir, plain);
    rf_endpoint_free(plain);
    rf_endpoint_free(expanded);
}

static void
test_dmtf_rackmount1(void **state)
{
    char dir[1024];
    struct rf_endpoint *plain, *expanded;
    const struct rf_server *srv;

    (void)state;
    snprintf(dir, sizeof(dir), "%s/public-rackmount1", mockups_dir());
    if (!dir_exists(dir)) {
        print_message("skipped: %s not found\n", dir);
        skip();
    }
    crawl_both_ways(dir, RF_KIND_AUTO, &plain, &expanded);
    assert_true(plain->ok);
    assert_int_equal(plain->kind, RF_KIND_SERVER);
    assert_int_equal(plain->requests, 6);
    assert_int_equal(expanded->requests, 5);
    srv = &plain->servers[0];
    assert_string_equal(srv->id, "437XR1138R2");
    assert_string_equal(srv->manufacturer, "Contoso");
    assert_string_equal(srv->power_state, "On");
    assert_string_equal(srv->health, "Warning");
    assert_true(srv->power_w == 374);
    assert_true(srv->inlet_temp_c == 24.8);
    assert_int_equal(srv->n_conditions, 1);
    assert_non_null(strstr(srv->conditions[0], "CPU1 Temp"));
    rf_endpoint_free(plain);
    rf_endpoint_free(expanded);
}

/* ---- synthetic services ---- */

#define ROOT_PDU                                                                                   \
    "{\"@odata.id\": \"/redfish/v1/\", \"PowerEquipment\": {\"@odata.id\": "                       \
    "\"/redfish/v1/PowerEquipment\"}, \"ProtocolFeaturesSupported\": {\"ExpandQuery\": "           \
    "{\"ExpandAll\": true, \"Levels\": true}}}"
#define PEQ  "{\"RackPDUs\": {\"@odata.id\": \"/redfish/v1/PowerEquipment/RackPDUs\"}}"
#define PDUS "{\"Members\": [{\"@odata.id\": \"/redfish/v1/PowerEquipment/RackPDUs/1\"}]}"
#define PDU1                                                                                       \
    "{\"Id\": \"1\", \"Outlets\": {\"@odata.id\": \"/redfish/v1/PowerEquipment/RackPDUs/1/"        \
    "Outlets\"}, \"Metrics\": {\"@odata.id\": \"/redfish/v1/PowerEquipment/RackPDUs/1/Metrics\"}}"
#define OUT_URI    "/redfish/v1/PowerEquipment/RackPDUs/1/Outlets"
#define OUTLET(id) "{\"Id\": \"" id "\", \"PowerState\": \"On\", \"PowerWatts\": {\"Reading\": 5}}"
#define MEMBER(id) "{\"@odata.id\": \"" OUT_URI "/" id "\"}"
#define BASE_PDU                                                                                   \
    {"/redfish/v1/", ROOT_PDU}, {"/redfish/v1/PowerEquipment", PEQ},                               \
        {"/redfish/v1/PowerEquipment/RackPDUs", PDUS},                                             \
        {"/redfish/v1/PowerEquipment/RackPDUs/1", PDU1},                                           \
        {"/redfish/v1/PowerEquipment/RackPDUs/1/Metrics", "{\"PowerWatts\": {\"Reading\": 9}}"},   \
        {OUT_URI "/A1", OUTLET("A1")}, {OUT_URI "/A2", OUTLET("A2")},                              \
    {                                                                                              \
        OUT_URI "/A3", OUTLET("A3")                                                                \
    }

struct crawl_row {
    const char *name;
    struct answer answers[16];
    enum rf_kind kind;
    bool expand;
    bool want_ok;
    const char *want_error; /* prefix, or NULL */
    size_t want_outlets;
    int64_t want_requests;
    double want_pdu_power;
};

static const struct crawl_row crawl_rows[] = {
    {"plain",
     {BASE_PDU, {OUT_URI, "{\"Members\": [" MEMBER("A1") "," MEMBER("A2") "]}"}},
     RF_KIND_PDU,
     false,
     true,
     NULL,
     2,
     8,
     9},
    {"paged",
     {BASE_PDU,
      {OUT_URI,
       "{\"Members\": [" MEMBER("A1") "], \"Members@odata.nextLink\": \"" OUT_URI "?$skip=1\"}"},
      {OUT_URI "?$skip=1", "{\"Members\": [" MEMBER("A2") "," MEMBER("A3") "]}"}},
     RF_KIND_AUTO,
     false,
     true,
     NULL,
     3,
     10,
     9},
    {"expanded",
     {BASE_PDU,
      {"/redfish/v1/PowerEquipment/RackPDUs?$expand=.($levels=1)", PDUS},
      {OUT_URI "?$expand=.($levels=1)",
       "{\"Members\": [{\"@odata.id\": \"" OUT_URI "/A1\", \"Id\": \"A1\"}]}"}},
     RF_KIND_PDU,
     true,
     true,
     NULL,
     1,
     6,
     9},
    /* failures */
    {"root fails",
     {{"/redfish/v1/", NULL}},
     RF_KIND_PDU,
     false,
     false,
     "/redfish/v1/: HTTP 500",
     0,
     1,
     NAN},
    {"root garbage",
     {{"/redfish/v1/", "<html>"}},
     RF_KIND_PDU,
     false,
     false,
     "/redfish/v1/: invalid JSON at byte 0",
     0,
     1,
     NAN},
    {"root truncated",
     {{"/redfish/v1/", "{\"PowerEquipment\": {\"@odata.id\": \"/redf"}},
     RF_KIND_AUTO,
     false,
     false,
     "/redfish/v1/: invalid JSON at byte 39: unexpected end",
     0,
     1,
     NAN},
    {"root offers nothing",
     {{"/redfish/v1/", "{}"}},
     RF_KIND_AUTO,
     false,
     false,
     "/redfish/v1/: the service root offers neither PowerEquipment nor Systems",
     0,
     1,
     NAN},
    {"root is no pdu",
     {{"/redfish/v1/", "{\"Systems\": {\"@odata.id\": \"/redfish/v1/S\"}}"}},
     RF_KIND_PDU,
     false,
     false,
     "/redfish/v1/: the service root offers no PowerEquipment",
     0,
     1,
     NAN},
    {"root nested too deep",
     {{"/redfish/v1/",
       "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"}},
     RF_KIND_AUTO,
     false,
     false,
     "/redfish/v1/: invalid JSON at byte 32",
     0,
     1,
     NAN},
    {"outlet fails",
     {BASE_PDU,
      {OUT_URI, "{\"Members\": [" MEMBER("A1") "," MEMBER("B9") "]}"},
      {OUT_URI "/B9", NULL}},
     RF_KIND_PDU,
     false,
     false,
     OUT_URI "/B9: HTTP 500",
     2,
     8,
     9},
    {"outlet wrong type",
     {BASE_PDU,
      {OUT_URI, "{\"Members\": [" MEMBER("A1") "," MEMBER("B8") "]}"},
      {OUT_URI "/B8", "[\"not\", \"an\", \"outlet\"]"}},
     RF_KIND_PDU,
     false,
     false,
     OUT_URI "/B8: the Outlet is not a JSON object",
     2,
     8,
     9},
    {"metrics fail is only a note",
     {{"/redfish/v1/PowerEquipment/RackPDUs/1/Metrics", NULL},
      BASE_PDU,
      {OUT_URI, "{\"Members\": [" MEMBER("A1") "]}"}},
     RF_KIND_PDU,
     false,
     true,
     NULL,
     1,
     7,
     NAN},
    {"members wrong type",
     {BASE_PDU, {OUT_URI, "{\"Members\": {\"@odata.id\": \"x\"}}"}},
     RF_KIND_PDU,
     false,
     false,
     OUT_URI ": (resource without @odata.id): Members is missing",
     0,
     6,
     9},
    {"nextLink loops",
     {BASE_PDU,
      {OUT_URI,
       "{\"Members\": [" MEMBER("A1") "], \"Members@odata.nextLink\": \"" OUT_URI "?p=2\"}"},
      {OUT_URI "?p=2",
       "{\"Members\": [" MEMBER("A2") "], \"Members@odata.nextLink\": \"" OUT_URI "\"}"}},
     RF_KIND_PDU,
     false,
     false,
     OUT_URI "?p=2: Members@odata.nextLink leads back",
     2,
     9,
     9},
    {"member listed twice",
     {BASE_PDU, {OUT_URI, "{\"Members\": [" MEMBER("A1") "," MEMBER("A1") "]}"}},
     RF_KIND_PDU,
     false,
     true,
     NULL,
     1,
     7,
     9},
    {"expanded reply garbage falls back",
     {BASE_PDU,
      {"/redfish/v1/PowerEquipment/RackPDUs?$expand=.($levels=1)", "{\"Members\": [trunc"},
      {OUT_URI, "{\"Members\": [" MEMBER("A1") "]}"}},
     RF_KIND_PDU,
     true,
     true,
     NULL,
     1,
     8,
     9},
    {"expanded reply error falls back",
     {BASE_PDU,
      {"/redfish/v1/PowerEquipment/RackPDUs?$expand=.($levels=1)", NULL},
      {OUT_URI, "{\"Members\": [" MEMBER("A1") "]}"}},
     RF_KIND_PDU,
     true,
     true,
     NULL,
     1,
     8,
     9},
};

static void
test_crawl_table(void **state)
{
    struct service svc = {NULL, NULL, 3, {0}};
    struct rf_endpoint *ep;
    const struct crawl_row *row;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(crawl_rows) / sizeof(crawl_rows[0]); i++) {
        row = &crawl_rows[i];
        svc.answers = row->answers;
        ep = crawl(&svc, row->kind, row->expand);
        if (ep->ok != row->want_ok || (row->want_error == NULL) != (ep->error == NULL) ||
            (row->want_error != NULL &&
             strncmp(ep->error, row->want_error, strlen(row->want_error)) != 0) ||
            (ep->n_pdus > 0 ? ep->pdus[0].n_outlets : 0) != row->want_outlets ||
            ep->requests != row->want_requests ||
            (ep->n_pdus > 0 && !same(ep->pdus[0].power_w, row->want_pdu_power))) {
            fail_msg("row %zu (%s): ok %d error \"%s\" outlets %zu requests %lld\n%s", i, row->name,
                     ep->ok, ep->error != NULL ? ep->error : "(null)",
                     ep->n_pdus > 0 ? ep->pdus[0].n_outlets : 0, (long long)ep->requests,
                     rw_buf_str(&svc.log));
        }
        rw_buf_free(&svc.log);
        rf_endpoint_free(ep);
    }
}

/* A Metrics that fails for a reason that passes (the 500 of the "metrics fail" row) is
 * marked, so that the daemon keeps the last totals; one that is missing (404) is not. */
static void
test_metrics_failed_mark(void **state)
{
    static const struct answer missing[] = {{"/redfish/v1/", ROOT_PDU},
                                            {"/redfish/v1/PowerEquipment", PEQ},
                                            {"/redfish/v1/PowerEquipment/RackPDUs", PDUS},
                                            {"/redfish/v1/PowerEquipment/RackPDUs/1", PDU1},
                                            {OUT_URI, "{\"Members\": []}"},
                                            {NULL, NULL}};
    struct service svc = {NULL, NULL, 1, {0}};
    struct rf_endpoint *ep;
    size_t i;

    (void)state;
    for (i = 0; strcmp(crawl_rows[i].name, "metrics fail is only a note") != 0; i++) {
    }
    svc.answers = crawl_rows[i].answers;
    ep = crawl(&svc, RF_KIND_PDU, false);
    assert_true(ep->ok);
    assert_int_equal(ep->n_pdus, 1);
    assert_true(ep->pdus[0].metrics_failed);
    rf_endpoint_free(ep);
    rw_buf_free(&svc.log);
    svc.answers = missing;
    ep = crawl(&svc, RF_KIND_PDU, false);
    assert_true(ep->ok);
    assert_int_equal(ep->n_pdus, 1);
    assert_false(ep->pdus[0].metrics_failed);
    assert_true(strstr(rw_buf_str(&svc.log), "/RackPDUs/1/Metrics") != NULL); /* asked: 404 */
    rf_endpoint_free(ep);
    rw_buf_free(&svc.log);
}

static void
test_failed_outlet_keeps_its_slot(void **state)
{
    struct service svc = {NULL, crawl_rows[9].answers, 1, {0}};
    struct rf_endpoint *ep;

    (void)state;
    ep = crawl(&svc, RF_KIND_PDU, false);
    assert_false(ep->ok);
    assert_int_equal(ep->pdus[0].n_outlets, 2);
    /* Listed order is kept; the failed outlet has the id of its URI and nothing else. */
    assert_string_equal(ep->pdus[0].outlets[0].id, "A1");
    assert_string_equal(ep->pdus[0].outlets[1].id, "B9");
    assert_null(ep->pdus[0].outlets[1].power_state);
    assert_true(isnan(ep->pdus[0].outlets[1].power_w));
    rw_buf_free(&svc.log);
    rf_endpoint_free(ep);
}

#define ROOT_SRV "{\"Systems\": {\"@odata.id\": \"/redfish/v1/Systems\"}}"
#define SYS_URI  "/redfish/v1/Systems/1"
#define CH_URI   "/redfish/v1/Chassis/C"
#define SYS1                                                                                       \
    "{\"Id\": \"1\", \"PowerState\": \"Off\", \"Status\": {\"Health\": \"OK\"}, \"Links\": "       \
    "{\"Chassis\": [{\"@odata.id\": \"" CH_URI "\"}]}}"
#define CHASSIS                                                                                    \
    "{\"EnvironmentMetrics\": {\"@odata.id\": \"" CH_URI "/EnvironmentMetrics\"}, "                \
    "\"ThermalSubsystem\": {\"@odata.id\": \"" CH_URI "/ThermalSubsystem\"}, "                     \
    "\"Sensors\": {\"@odata.id\": \"" CH_URI "/Sensors\"}, "                                       \
    "\"Power\": {\"@odata.id\": \"" CH_URI "/Power\"}, "                                           \
    "\"Thermal\": {\"@odata.id\": \"" CH_URI "/Thermal\"}}"

static const struct answer server_answers[] = {
    {"/redfish/v1/", ROOT_SRV},
    {"/redfish/v1/Systems", "{\"Members\": [{\"@odata.id\": \"" SYS_URI "\"}]}"},
    {SYS_URI, SYS1},
    {CH_URI, CHASSIS},
    {CH_URI "/EnvironmentMetrics", "{\"PowerWatts\": {\"Reading\": \"n/a\"}}"},
    {CH_URI "/ThermalSubsystem/ThermalMetrics", NULL},
    {CH_URI "/Power", "{\"PowerControl\": [{\"PowerConsumedWatts\": 250}]}"},
    {CH_URI "/Sensors",
     "{\"Members\": [{\"@odata.id\": \"" CH_URI "/Sensors/CPU\"}, {\"@odata.id\": \"" CH_URI
     "/Sensors/Inlet\"}, {\"@odata.id\": \"" CH_URI "/Sensors/Exhaust\"}]}"},
    {CH_URI "/Sensors/CPU", "{\"PhysicalContext\": \"CPU\", \"Reading\": 50}"},
    {CH_URI "/Sensors/Inlet",
     "{\"PhysicalContext\": \"Intake\", \"ReadingType\": \"Temperature\", \"Reading\": 19.5}"},
    {NULL, NULL},
};

static void
test_server_fallbacks(void **state)
{
    struct service svc = {NULL, server_answers, 1, {0}};
    struct rf_endpoint *ep;
    const char *log;

    (void)state;
    ep = crawl(&svc, RF_KIND_AUTO, false);
    log = rw_buf_str(&svc.log);
    assert_true(ep->ok);
    assert_int_equal(ep->kind, RF_KIND_SERVER);
    assert_string_equal(ep->servers[0].power_state, "Off");
    assert_true(ep->servers[0].power_w == 250);
    assert_true(ep->servers[0].inlet_temp_c == 19.5);
    /* Once the intake sensor is read, the rest of the sensors and Thermal are not asked. */
    assert_null(strstr(log, "/Sensors/Exhaust"));
    assert_null(strstr(log, "/Thermal\n"));
    assert_int_equal(ep->requests, 10);
    assert_true(ep->n_notes >= 2);
    rw_buf_free(&svc.log);
    rf_endpoint_free(ep);
}

static void
test_server_new_model_only(void **state)
{
    static const struct answer answers[] = {
        {"/redfish/v1/", ROOT_SRV},
        {"/redfish/v1/Systems", "{\"Members\": [{\"@odata.id\": \"" SYS_URI "\"}]}"},
        {SYS_URI, SYS1},
        {CH_URI, CHASSIS},
        {CH_URI "/EnvironmentMetrics", "{\"PowerWatts\": {\"Reading\": 301}}"},
        {CH_URI "/ThermalSubsystem/ThermalMetrics",
         "{\"TemperatureSummaryCelsius\": {\"Intake\": {\"Reading\": 22}}}"},
        {NULL, NULL},
    };
    struct service svc = {NULL, answers, 4, {0}};
    struct rf_endpoint *ep;

    (void)state;
    ep = crawl(&svc, RF_KIND_SERVER, false);
    assert_true(ep->ok);
    assert_true(ep->servers[0].power_w == 301);
    assert_true(ep->servers[0].inlet_temp_c == 22);
    assert_int_equal(ep->requests, 6); /* no Power, Sensors or Thermal */
    rw_buf_free(&svc.log);
    rf_endpoint_free(ep);
}

static void
test_api_misuse_and_cancel(void **state)
{
    struct rf_crawl *c = rf_crawl_new(RF_KIND_PDU, true);
    const char *uris[4];
    size_t n;
    struct rw_err err;
    struct rf_endpoint *ep;

    (void)state;
    rw_err_clear(&err);
    assert_int_equal(rf_crawl_feed(c, "/redfish/v1/nope", "{}", 2, &err), RW_EINVAL);
    assert_string_equal(err.msg, "/redfish/v1/nope is not a request of this crawl");
    assert_int_equal(rf_crawl_fail(c, NULL, RW_EHTTP, "x", NULL), RW_EINVAL);
    assert_null(rf_crawl_take(c));
    assert_int_equal(rf_crawl_next(c, uris, 4, &n, NULL), RW_OK);
    assert_int_equal(n, 1);
    assert_string_equal(uris[0], "/redfish/v1/");
    assert_int_equal(rf_crawl_in_flight(c), 1);
    assert_int_equal(rf_crawl_next(c, uris, 4, &n, NULL), RW_OK);
    assert_int_equal(n, 0);
    assert_false(rf_crawl_done(c));
    rf_crawl_cancel(c, "poll budget of 30 s used up");
    assert_true(rf_crawl_done(c));
    /* The transport may still hold the URI: it stays valid, and its answer is ignored. */
    assert_int_equal(rf_crawl_in_flight(c), 1);
    assert_string_equal(uris[0], "/redfish/v1/");
    ep = rf_crawl_take(c);
    assert_int_equal(rf_crawl_feed(c, uris[0], "{}", 2, NULL), RW_OK);
    assert_int_equal(rf_crawl_in_flight(c), 0);
    assert_false(ep->ok);
    assert_string_equal(ep->error, "poll budget of 30 s used up");
    assert_int_equal(ep->requests, 1);
    rf_endpoint_free(ep);
    rf_crawl_free(c);
    rf_crawl_free(NULL);
}

/*
 * Allocation failure, curl's torture mode: fail the Nth allocation the project's code
 * makes, for every N, through a whole crawl; nothing may leak or crash, and a failure
 * must end the crawl with RW_ENOMEM or show in the endpoint (a lost note is allowed:
 * notes are diagnostics).  Skipped under AddressSanitizer, which owns malloc.
 */
#ifndef __SANITIZE_ADDRESS__
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void __libc_free(void *p);
extern const char __executable_start[], etext[];

static struct {
    bool armed;
    long countdown;
    long live;
    bool failed;
} torture;

/* Only the project's code (linked into this program) is failed; json-c and libc are not. */
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

static const struct answer *
lookup(const struct answer *answers, const char *uri)
{
    for (; answers->uri != NULL; answers++) {
        if (strcmp(answers->uri, uri) == 0) {
            return answers;
        }
    }
    return NULL;
}

/* One crawl over canned answers that tolerates RW_ENOMEM; *ok receives the endpoint's ok. */
static enum rw_rc
torture_crawl(const struct answer *answers, bool expand, bool *ok)
{
    struct rf_crawl *c = rf_crawl_new(RF_KIND_AUTO, expand);
    const struct answer *a;
    struct rf_endpoint *ep;
    const char *uris[4];
    enum rw_rc rc = c == NULL ? RW_ENOMEM : RW_OK;
    size_t n = 0, i;

    while (rc == RW_OK && !rf_crawl_done(c)) {
        rc = rf_crawl_next(c, uris, 4, &n, NULL);
        for (i = 0; rc == RW_OK && i < n; i++) {
            a = lookup(answers, uris[i]);
            rc = a != NULL && a->body != NULL
                     ? rf_crawl_feed(c, uris[i], a->body, strlen(a->body), NULL)
                     : rf_crawl_fail(c, uris[i], RW_EHTTP, "HTTP 404", NULL);
        }
    }
    ep = c != NULL ? rf_crawl_take(c) : NULL;
    *ok = ep != NULL && ep->ok;
    rf_endpoint_free(ep);
    rf_crawl_free(c);
    return rc;
}

static void
torture_service(const struct answer *answers, bool expand)
{
    long n, enomem = 0;
    enum rw_rc rc;
    bool ok;

    for (n = 0; n < 100000; n++) {
        torture.armed = true;
        torture.countdown = n;
        torture.live = 0;
        torture.failed = false;
        rc = torture_crawl(answers, expand, &ok);
        torture.armed = false;
        enomem += rc == RW_ENOMEM || !ok;
        if (torture.live != 0 || (rc != RW_OK && rc != RW_ENOMEM)) {
            fail_msg("allocation %ld failed: %s, %ld blocks leaked", n, rw_rc_name(rc),
                     torture.live);
        }
        if (!torture.failed) {
            break;
        }
    }
    print_message("torture: %ld allocations each failed once, %ld failed the crawl\n", n, enomem);
    assert_true(n > 20 && enomem > n / 2);
}

static void
test_allocation_failures(void **state)
{
    (void)state;
    torture_service(crawl_rows[1].answers, false);
    torture_service(crawl_rows[2].answers, true);
    torture_service(server_answers, false);
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
        cmocka_unit_test(test_crawl_table),
        cmocka_unit_test(test_failed_outlet_keeps_its_slot),
        cmocka_unit_test(test_metrics_failed_mark),
        cmocka_unit_test(test_server_fallbacks),
        cmocka_unit_test(test_server_new_model_only),
        cmocka_unit_test(test_api_misuse_and_cancel),
        cmocka_unit_test(test_allocation_failures),
        cmocka_unit_test(test_project_pdu),
        cmocka_unit_test(test_project_server),
        cmocka_unit_test(test_project_server_legacy),
        cmocka_unit_test(test_dmtf_public_pdu),
        cmocka_unit_test(test_dmtf_rackmount1),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

#include "rf_map.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The Redfish line names a PolyPhase* property may use as keys. */
static const char *const line_names[] = {
    "Line1ToNeutral", "Line2ToNeutral", "Line3ToNeutral", "Line1ToLine2", "Line2ToLine3",
    "Line3ToLine1",   "Line1",          "Line2",          "Line3",        "Neutral",
};

/* json-c's getters take non-const pointers although they do not write; contained here. */
static struct json_object *
unconst(const struct json_object *obj)
{
    return (struct json_object *)(uintptr_t)obj;
}

/* The member key of obj, NULL when missing or JSON null. */
static struct json_object *
get(const struct json_object *obj, const char *key)
{
    struct json_object *val = NULL;

    if (obj == NULL || !json_object_is_type(obj, json_type_object) ||
        !json_object_object_get_ex(obj, key, &val)) {
        return NULL;
    }
    return val;
}

/* The resource's @odata.id for notes; never NULL. */
static const char *
where(const struct json_object *obj)
{
    struct json_object *id = get(obj, "@odata.id");

    if (id != NULL && json_object_is_type(id, json_type_string) &&
        json_object_get_string_len(id) <= 256) {
        return json_object_get_string(id);
    }
    return "(resource without @odata.id)";
}

struct json_tokener *
rf_json_tokener_new(void)
{
    return json_tokener_new_ex(RF_JSON_DEPTH_MAX);
}

/*
 * True when text[0..len) has a byte over 0x7f.  A word at a time: json-c's UTF-8 check
 * costs it some 10 instructions a byte, and a device's bodies are nearly always ASCII,
 * where that check cannot fail.
 */
static bool
has_non_ascii(const char *text, size_t len)
{
    uint64_t acc = 0, word;
    size_t i = 0;

    for (; i + sizeof(word) <= len; i += sizeof(word)) {
        memcpy(&word, text + i, sizeof(word));
        acc |= word;
    }
    for (; i < len; i++) {
        acc |= (unsigned char)text[i];
    }
    return (acc & UINT64_C(0x8080808080808080)) != 0;
}

/* Parses text with tok (reset first); the checks of rf_json_parse() after the value. */
static enum rw_rc
parse_with(struct json_tokener *tok, const char *text, size_t len, bool strict,
           struct json_object **out, struct rw_err *err)
{
    struct json_object *root;
    enum json_tokener_error jerr;
    size_t used;
    int flags = strict ? JSON_TOKENER_STRICT : 0;

    /* Pure ASCII is valid UTF-8: validating only other bodies fails exactly the same
     * bodies, at the same byte, with the same message. */
    if (has_non_ascii(text, len)) {
        flags |= JSON_TOKENER_VALIDATE_UTF8;
    }
    json_tokener_reset(tok);
    json_tokener_set_flags(tok, flags);
    root = json_tokener_parse_ex(tok, text, (int)len);
    if (root == NULL) {
        jerr = json_tokener_get_error(tok);
        return rw_err_set(err, RW_EPARSE, "invalid JSON at byte %zu: %s",
                          json_tokener_get_parse_end(tok),
                          jerr == json_tokener_continue ? "unexpected end of data"
                                                        : json_tokener_error_desc(jerr));
    }
    for (used = json_tokener_get_parse_end(tok); used < len; used++) {
        if (strchr(" \t\r\n", text[used]) == NULL) {
            json_object_put(root);
            return rw_err_set(err, RW_EPARSE, "invalid JSON at byte %zu: data after the value",
                              used);
        }
    }
    *out = root;
    return RW_OK;
}

enum rw_rc
rf_json_parse_with(struct json_tokener *tok, const char *text, size_t len, size_t max, bool strict,
                   struct json_object **out, struct rw_err *err)
{
    struct json_tokener *own = NULL;
    enum rw_rc rc;

    *out = NULL;
    max = max != 0 && max < RF_BODY_MAX ? max : RF_BODY_MAX;
    if (len > max) {
        return rw_err_set(err, RW_ETOOBIG, "JSON body of %zu bytes is over the %zu-byte cap", len,
                          max);
    }
    if (len == 0 || memchr(text, '\0', len) != NULL) {
        return rw_err_set(err, RW_EPARSE, len == 0 ? "empty JSON body" : "NUL byte in JSON");
    }
    if (tok == NULL) {
        own = tok = rf_json_tokener_new();
        if (tok == NULL) {
            return rw_err_set(err, RW_ENOMEM, "out of memory");
        }
    }
    rc = parse_with(tok, text, len, strict, out, err);
    if (own != NULL) {
        json_tokener_free(own);
    }
    return rc;
}

enum rw_rc
rf_json_parse(const char *text, size_t len, size_t max, bool strict, struct json_object **out,
              struct rw_err *err)
{
    return rf_json_parse_with(NULL, text, len, max, strict, out, err);
}

/* A number from a JSON value; NAN with a note when it is not a usable reading. */
static double
number_of(const struct json_object *val, const struct json_object *res, const char *what,
          struct rf_endpoint *ep)
{
    double v;

    if (val == NULL) {
        return NAN;
    }
    if (!json_object_is_type(val, json_type_double) && !json_object_is_type(val, json_type_int)) {
        rf_note(ep, "%s: %s is not a number", where(res), what);
        return NAN;
    }
    v = json_object_get_double(val);
    if (!isfinite(v) || fabs(v) > RF_READING_MAX) {
        rf_note(ep, "%s: %s is not a usable reading", where(res), what);
        return NAN;
    }
    return v;
}

/* obj[key] as a number. */
static double
number_prop(const struct json_object *obj, const char *key, struct rf_endpoint *ep)
{
    return number_of(get(obj, key), obj, key, ep);
}

/* obj[key].Reading: the inline excerpt of a sensor. */
static double
reading(const struct json_object *obj, const char *key, struct rf_endpoint *ep)
{
    struct json_object *excerpt = get(obj, key);

    if (excerpt == NULL) {
        return NAN;
    }
    if (!json_object_is_type(excerpt, json_type_object)) {
        rf_note(ep, "%s: %s is not an object", where(obj), key);
        return NAN;
    }
    return number_of(get(excerpt, "Reading"), obj, key, ep);
}

/* A string from a JSON value, NULL (with a note when bad) when unusable. */
static const char *
string_of(const struct json_object *val, const struct json_object *res, const char *what,
          struct rf_endpoint *ep)
{
    const char *s;

    if (val == NULL) {
        return NULL;
    }
    if (!json_object_is_type(val, json_type_string)) {
        rf_note(ep, "%s: %s is not a string", where(res), what);
        return NULL;
    }
    s = json_object_get_string(unconst(val));
    if (json_object_get_string_len(val) > RF_STR_MAX ||
        strlen(s) != (size_t)json_object_get_string_len(val)) {
        rf_note(ep, "%s: %s is too long or holds a NUL", where(res), what);
        return NULL;
    }
    return s;
}

/* Copies obj[key] (a string) into *dst; RW_ENOMEM is the only failure. */
static enum rw_rc
string_prop(const struct json_object *obj, const char *key, char **dst, struct rf_endpoint *ep,
            struct rw_err *err)
{
    return rf_str_set(dst, string_of(get(obj, key), obj, key, ep), err);
}

/* As string_prop(), for an enumerated text (shared when Redfish defines it). */
static enum rw_rc
word_prop(const struct json_object *obj, const char *key, char **dst, struct rf_endpoint *ep,
          struct rw_err *err)
{
    return rf_word_set(dst, string_of(get(obj, key), obj, key, ep), err);
}

/* Copies Status.Health into *dst. */
static enum rw_rc
health_prop(const struct json_object *obj, char **dst, struct rf_endpoint *ep, struct rw_err *err)
{
    struct json_object *status = get(obj, "Status");

    if (status != NULL && !json_object_is_type(status, json_type_object)) {
        rf_note(ep, "%s: Status is not an object", where(obj));
        return RW_OK;
    }
    return rf_word_set(dst, string_of(get(status, "Health"), obj, "Status.Health", ep), err);
}

/* A byte a URI may hold as it is: printable ASCII but for the few RFC 3986 excludes.  A
 * switch rather than strchr(): every link of every document passes here. */
static bool
uri_byte_ok(unsigned char ch)
{
    if (ch <= ' ' || ch >= 0x7f) {
        return false;
    }
    switch (ch) {
    case '"':
    case '\\':
    case '#':
    case '<':
    case '>':
    case '{':
    case '}':
    case '|':
    case '^':
    case '`':
        return false;
    default:
        return true;
    }
}

bool
rf_uri_ok(const char *uri)
{
    const char *p;

    if (uri == NULL || strncmp(uri, "/redfish/v1", 11) != 0 || strlen(uri) > RF_STR_MAX) {
        return false;
    }
    for (p = uri; *p != '\0'; p++) {
        if (!uri_byte_ok((unsigned char)*p)) {
            return false;
        }
    }
    return true;
}

/* The @odata.id of a link object; NULL with a note when it is not a usable URI. */
static const char *
link_of(const struct json_object *val, const struct json_object *res, const char *what,
        struct rf_endpoint *ep)
{
    const char *uri;

    if (val == NULL) {
        return NULL;
    }
    uri = string_of(get(val, "@odata.id"), res, what, ep);
    if (uri == NULL || !rf_uri_ok(uri)) {
        rf_note(ep, "%s: %s has no usable @odata.id", where(res), what);
        return NULL;
    }
    return uri;
}

/* Copies the link obj[key]["@odata.id"] into *dst. */
static enum rw_rc
link_prop(const struct json_object *obj, const char *key, char **dst, struct rf_endpoint *ep,
          struct rw_err *err)
{
    return rf_str_set(dst, link_of(get(obj, key), obj, key, ep), err);
}

/* Id, else the last segment of @odata.id, into *dst; *dst is kept when there is neither. */
static enum rw_rc
id_prop(const struct json_object *obj, char **dst, struct rf_endpoint *ep, struct rw_err *err)
{
    const char *id = string_of(get(obj, "Id"), obj, "Id", ep);
    const char *uri, *slash;

    if (id == NULL) {
        uri = string_of(get(obj, "@odata.id"), obj, "@odata.id", ep);
        slash = uri != NULL ? strrchr(uri, '/') : NULL;
        id = slash != NULL && slash[1] != '\0' ? slash + 1 : NULL;
    }
    /* Neither: keep what the caller set (the crawl presets the id from the member URI). */
    return id != NULL ? rf_str_set(dst, id, err) : RW_OK;
}

static enum rw_rc
need_object(const struct json_object *obj, const char *what, struct rw_err *err)
{
    if (obj == NULL || !json_object_is_type(obj, json_type_object)) {
        return rw_err_set(err, RW_EPARSE, "%s is not a JSON object", what);
    }
    return RW_OK;
}

void
rf_root_cleanup(struct rf_root *root)
{
    free(root->power_equipment);
    free(root->systems);
    free(root->chassis);
    free(root->managers);
    free(root->aggregation_service);
    free(root->session_service);
    free(root->sessions);
    free(root->product);
    free(root->vendor);
    memset(root, 0, sizeof(*root));
}

/* True when obj[key] is the JSON boolean true. */
static bool
flag(const struct json_object *obj, const char *key)
{
    struct json_object *val = get(obj, key);

    return val != NULL && json_object_is_type(val, json_type_boolean) &&
           json_object_get_boolean(val);
}

static bool
root_expand(const struct json_object *obj, struct rf_endpoint *ep)
{
    struct json_object *eq = get(get(obj, "ProtocolFeaturesSupported"), "ExpandQuery");
    double max;

    if (eq == NULL || !flag(eq, "Levels") || !(flag(eq, "ExpandAll") || flag(eq, "NoLinks"))) {
        return false;
    }
    max = number_prop(eq, "MaxLevels", ep);
    return !rf_has(max) || max >= 1;
}

enum rw_rc
rf_map_root(const struct json_object *obj, struct rf_root *root, struct rf_endpoint *ep,
            struct rw_err *err)
{
    enum rw_rc rc = need_object(obj, "the service root", err);

    rc = rc != RW_OK ? rc : link_prop(obj, "PowerEquipment", &root->power_equipment, ep, err);
    rc = rc != RW_OK ? rc : link_prop(obj, "Systems", &root->systems, ep, err);
    rc = rc != RW_OK ? rc : link_prop(obj, "Chassis", &root->chassis, ep, err);
    rc = rc != RW_OK ? rc : link_prop(obj, "Managers", &root->managers, ep, err);
    rc = rc != RW_OK ? rc
                     : link_prop(obj, "AggregationService", &root->aggregation_service, ep, err);
    rc = rc != RW_OK ? rc : link_prop(obj, "SessionService", &root->session_service, ep, err);
    rc = rc != RW_OK ? rc : link_prop(get(obj, "Links"), "Sessions", &root->sessions, ep, err);
    rc = rc != RW_OK ? rc : string_prop(obj, "Product", &root->product, ep, err);
    rc = rc != RW_OK ? rc : string_prop(obj, "Vendor", &root->vendor, ep, err);
    if (rc != RW_OK) {
        rf_root_cleanup(root);
        return rc;
    }
    root->expand = root_expand(obj, ep);
    return RW_OK;
}

enum rw_rc
rf_map_power_equipment(const struct json_object *obj, char **rack_pdus, struct rf_endpoint *ep,
                       struct rw_err *err)
{
    enum rw_rc rc = need_object(obj, "PowerEquipment", err);

    return rc != RW_OK ? rc : link_prop(obj, "RackPDUs", rack_pdus, ep, err);
}

void
rf_collection_cleanup(struct rf_collection *coll)
{
    size_t i;

    for (i = 0; i < coll->n; i++) {
        free(coll->v[i].uri);
    }
    free(coll->v);
    free(coll->next_link);
    memset(coll, 0, sizeof(*coll));
}

/* Appends one member of Members[]; a member without a usable @odata.id is skipped. */
static enum rw_rc
collection_add(struct rf_collection *coll, const struct json_object *member,
               const struct json_object *obj, struct rf_endpoint *ep, struct rw_err *err)
{
    const char *uri = link_of(member, obj, "Members[]", ep);
    void *slot = NULL;
    struct rf_member *m;
    enum rw_rc rc;

    if (uri == NULL) {
        return RW_OK;
    }
    rc = rf_array_grow((void **)&coll->v, &coll->n, sizeof(*m), &slot, err);
    if (rc != RW_OK) {
        return rc;
    }
    m = slot;
    rc = rf_str_set(&m->uri, uri, err);
    if (rc != RW_OK) {
        coll->n--;
        return rc;
    }
    if (get(member, "@odata.type") != NULL || get(member, "Id") != NULL) {
        m->expanded = member;
    }
    return RW_OK;
}

enum rw_rc
rf_map_collection(const struct json_object *obj, struct rf_collection *coll, struct rf_endpoint *ep,
                  struct rw_err *err)
{
    struct json_object *members = get(obj, "Members");
    const char *next;
    enum rw_rc rc = need_object(obj, "the collection", err);
    size_t i, n;

    if (rc == RW_OK && (members == NULL || !json_object_is_type(members, json_type_array))) {
        rc = rw_err_set(err, RW_EPARSE, "%s: Members is missing or not an array", where(obj));
    }
    n = rc == RW_OK ? json_object_array_length(members) : 0;
    if (n > RF_MEMBERS_MAX) {
        rc = rw_err_set(err, RW_ETOOBIG, "%s: more than %d members", where(obj), RF_MEMBERS_MAX);
    }
    for (i = 0; rc == RW_OK && i < n; i++) {
        rc = collection_add(coll, json_object_array_get_idx(members, i), obj, ep, err);
    }
    if (rc == RW_OK) {
        next = string_of(get(obj, "Members@odata.nextLink"), obj, "Members@odata.nextLink", ep);
        if (next != NULL && !rf_uri_ok(next)) {
            rf_note(ep, "%s: Members@odata.nextLink is not a usable URI", where(obj));
            next = NULL;
        }
        rc = rf_str_set(&coll->next_link, next, err);
    }
    if (rc != RW_OK) {
        rf_collection_cleanup(coll);
    }
    return rc;
}

void
rf_pdu_links_cleanup(struct rf_pdu_links *links)
{
    free(links->mains);
    free(links->branches);
    free(links->outlets);
    free(links->metrics);
    memset(links, 0, sizeof(*links));
}

enum rw_rc
rf_map_pdu(const struct json_object *obj, struct rf_pdu *pdu, struct rf_pdu_links *links,
           struct rf_endpoint *ep, struct rw_err *err)
{
    enum rw_rc rc = need_object(obj, "the PowerDistribution", err);

    rc = rc != RW_OK ? rc : id_prop(obj, &pdu->id, ep, err);
    rc = rc != RW_OK ? rc : string_prop(obj, "Name", &pdu->name, ep, err);
    rc = rc != RW_OK ? rc : string_prop(obj, "Manufacturer", &pdu->manufacturer, ep, err);
    rc = rc != RW_OK ? rc : string_prop(obj, "Model", &pdu->model, ep, err);
    rc = rc != RW_OK ? rc : string_prop(obj, "SerialNumber", &pdu->serial, ep, err);
    rc = rc != RW_OK ? rc : string_prop(obj, "FirmwareVersion", &pdu->firmware, ep, err);
    rc = rc != RW_OK ? rc : health_prop(obj, &pdu->health, ep, err);
    if (links != NULL) {
        rc = rc != RW_OK ? rc : link_prop(obj, "Mains", &links->mains, ep, err);
        rc = rc != RW_OK ? rc : link_prop(obj, "Branches", &links->branches, ep, err);
        rc = rc != RW_OK ? rc : link_prop(obj, "Outlets", &links->outlets, ep, err);
        rc = rc != RW_OK ? rc : link_prop(obj, "Metrics", &links->metrics, ep, err);
    }
    return rc;
}

enum rw_rc
rf_map_pdu_metrics(const struct json_object *obj, struct rf_pdu *pdu, struct rf_endpoint *ep,
                   struct rw_err *err)
{
    enum rw_rc rc = need_object(obj, "the PowerDistributionMetrics", err);

    if (rc != RW_OK) {
        return rc;
    }
    pdu->power_w = reading(obj, "PowerWatts", ep);
    pdu->energy_kwh = reading(obj, "EnergykWh", ep);
    pdu->temperature_c = reading(obj, "TemperatureCelsius", ep);
    return RW_OK;
}

static bool
known_line(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof(line_names) / sizeof(line_names[0]); i++) {
        if (strcmp(name, line_names[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* Maps obj[key] = {"Line1ToNeutral": {"Reading": ..}, ...} into lines. */
static enum rw_rc
poly_phase(const struct json_object *obj, const char *key, struct rf_lines *lines,
           struct rf_endpoint *ep, struct rw_err *err)
{
    struct json_object *poly = get(obj, key);
    enum rw_rc rc = RW_OK;

    if (poly == NULL) {
        return RW_OK;
    }
    if (!json_object_is_type(poly, json_type_object)) {
        rf_note(ep, "%s: %s is not an object", where(obj), key);
        return RW_OK;
    }
    json_object_object_foreach(poly, line, val)
    {
        if (!known_line(line)) {
            rf_note(ep, "%s: %s has an unknown line name", where(obj), key);
            continue;
        }
        if (val != NULL && !json_object_is_type(val, json_type_object)) {
            rf_note(ep, "%s: %s.%s is not an object", where(obj), key, line);
            continue;
        }
        rc = rf_lines_add(lines, line, number_of(get(val, "Reading"), obj, line, ep), err);
        if (rc == RW_ETOOBIG) {
            rc = RW_OK; /* unreachable with the known names; kept for the cap's sake */
        }
        if (rc != RW_OK) {
            break;
        }
    }
    return rc;
}

enum rw_rc
rf_map_inlet(const struct json_object *obj, struct rf_inlet *in, struct rf_endpoint *ep,
             struct rw_err *err)
{
    enum rw_rc rc = need_object(obj, "the Circuit", err);

    rc = rc != RW_OK ? rc : id_prop(obj, &in->id, ep, err);
    rc = rc != RW_OK ? rc : health_prop(obj, &in->health, ep, err);
    rc = rc != RW_OK ? rc : poly_phase(obj, "PolyPhaseVoltage", &in->phase_voltage_v, ep, err);
    rc = rc != RW_OK ? rc : poly_phase(obj, "PolyPhaseCurrentAmps", &in->phase_current_a, ep, err);
    rc = rc != RW_OK ? rc : poly_phase(obj, "PolyPhasePowerWatts", &in->phase_power_w, ep, err);
    if (rc != RW_OK) {
        return rc;
    }
    in->voltage_v = reading(obj, "Voltage", ep);
    in->current_a = reading(obj, "CurrentAmps", ep);
    in->power_w = reading(obj, "PowerWatts", ep);
    in->energy_kwh = reading(obj, "EnergykWh", ep);
    in->frequency_hz = reading(obj, "FrequencyHz", ep);
    in->rated_current_a = number_prop(obj, "RatedCurrentAmps", ep);
    return RW_OK;
}

enum rw_rc
rf_map_branch(const struct json_object *obj, struct rf_branch *br, struct rf_endpoint *ep,
              struct rw_err *err)
{
    enum rw_rc rc = need_object(obj, "the Circuit", err);

    rc = rc != RW_OK ? rc : id_prop(obj, &br->id, ep, err);
    rc = rc != RW_OK ? rc : health_prop(obj, &br->health, ep, err);
    rc = rc != RW_OK ? rc : word_prop(obj, "BreakerState", &br->breaker_state, ep, err);
    if (rc != RW_OK) {
        return rc;
    }
    br->current_a = reading(obj, "CurrentAmps", ep);
    br->power_w = reading(obj, "PowerWatts", ep);
    br->rated_current_a = number_prop(obj, "RatedCurrentAmps", ep);
    return RW_OK;
}

enum rw_rc
rf_map_outlet(const struct json_object *obj, struct rf_outlet *out, struct rf_endpoint *ep,
              struct rw_err *err)
{
    enum rw_rc rc = need_object(obj, "the Outlet", err);

    rc = rc != RW_OK ? rc : id_prop(obj, &out->id, ep, err);
    rc = rc != RW_OK ? rc : string_prop(obj, "Name", &out->name, ep, err);
    rc = rc != RW_OK ? rc : word_prop(obj, "PowerState", &out->power_state, ep, err);
    rc = rc != RW_OK ? rc : health_prop(obj, &out->health, ep, err);
    if (rc != RW_OK) {
        return rc;
    }
    out->voltage_v = reading(obj, "Voltage", ep);
    out->current_a = reading(obj, "CurrentAmps", ep);
    out->power_w = reading(obj, "PowerWatts", ep);
    out->energy_kwh = reading(obj, "EnergykWh", ep);
    out->rated_current_a = number_prop(obj, "RatedCurrentAmps", ep);
    return RW_OK;
}

void
rf_system_links_cleanup(struct rf_system_links *links)
{
    size_t i;

    for (i = 0; i < links->n_chassis; i++) {
        free(links->chassis[i]);
    }
    memset(links, 0, sizeof(*links));
}

/* Links.Chassis[] into links, at most RF_CHASSIS_MAX. */
static enum rw_rc
system_chassis(const struct json_object *obj, struct rf_system_links *links, struct rf_endpoint *ep,
               struct rw_err *err)
{
    struct json_object *arr = get(get(obj, "Links"), "Chassis");
    const char *uri;
    size_t i, n;
    enum rw_rc rc = RW_OK;

    if (arr == NULL) {
        return RW_OK;
    }
    if (!json_object_is_type(arr, json_type_array)) {
        rf_note(ep, "%s: Links.Chassis is not an array", where(obj));
        return RW_OK;
    }
    n = json_object_array_length(arr);
    for (i = 0; rc == RW_OK && i < n && links->n_chassis < RF_CHASSIS_MAX; i++) {
        uri = link_of(json_object_array_get_idx(arr, i), obj, "Links.Chassis[]", ep);
        if (uri != NULL) {
            rc = rf_str_set(&links->chassis[links->n_chassis], uri, err);
            links->n_chassis += rc == RW_OK;
        }
    }
    return rc;
}

/* Status.Conditions[].Message into the server's condition list. */
static enum rw_rc
system_conditions(const struct json_object *obj, const struct json_object *status,
                  struct rf_server *srv, struct rf_endpoint *ep, struct rw_err *err)
{
    struct json_object *arr = get(status, "Conditions");
    const char *msg;
    size_t i, n;
    enum rw_rc rc = RW_OK;

    if (arr == NULL) {
        return RW_OK;
    }
    if (!json_object_is_type(arr, json_type_array)) {
        rf_note(ep, "%s: Status.Conditions is not an array", where(obj));
        return RW_OK;
    }
    n = json_object_array_length(arr);
    for (i = 0; rc == RW_OK && i < n && srv->n_conditions < RF_CONDITIONS_MAX; i++) {
        msg = string_of(get(json_object_array_get_idx(arr, i), "Message"), obj,
                        "Status.Conditions[].Message", ep);
        if (msg != NULL) {
            rc = rf_strv_add(&srv->conditions, &srv->n_conditions, RF_CONDITIONS_MAX, msg, err);
        }
    }
    return rc;
}

/* Status.HealthRollup, else Status.Health, and the conditions. */
static enum rw_rc
system_status(const struct json_object *obj, struct rf_server *srv, struct rf_endpoint *ep,
              struct rw_err *err)
{
    struct json_object *status = get(obj, "Status");
    const char *health;

    if (status != NULL && !json_object_is_type(status, json_type_object)) {
        rf_note(ep, "%s: Status is not an object", where(obj));
        return RW_OK;
    }
    health = string_of(get(status, "HealthRollup"), obj, "Status.HealthRollup", ep);
    if (health == NULL) {
        health = string_of(get(status, "Health"), obj, "Status.Health", ep);
    }
    if (rf_word_set(&srv->health, health, err) != RW_OK) {
        return RW_ENOMEM;
    }
    return system_conditions(obj, status, srv, ep, err);
}

enum rw_rc
rf_map_system(const struct json_object *obj, struct rf_server *srv, struct rf_system_links *links,
              struct rf_endpoint *ep, struct rw_err *err)
{
    enum rw_rc rc = need_object(obj, "the ComputerSystem", err);

    rc = rc != RW_OK ? rc : id_prop(obj, &srv->id, ep, err);
    rc = rc != RW_OK ? rc : string_prop(obj, "Name", &srv->name, ep, err);
    rc = rc != RW_OK ? rc : string_prop(obj, "Manufacturer", &srv->manufacturer, ep, err);
    rc = rc != RW_OK ? rc : string_prop(obj, "Model", &srv->model, ep, err);
    rc = rc != RW_OK ? rc : string_prop(obj, "SerialNumber", &srv->serial, ep, err);
    rc = rc != RW_OK ? rc : word_prop(obj, "PowerState", &srv->power_state, ep, err);
    rc = rc != RW_OK ? rc : system_status(obj, srv, ep, err);
    if (rc == RW_OK && links != NULL) {
        rc = system_chassis(obj, links, ep, err);
    }
    return rc;
}

void
rf_chassis_links_cleanup(struct rf_chassis_links *links)
{
    free(links->environment);
    free(links->thermal_metrics);
    free(links->sensors);
    free(links->power);
    free(links->thermal);
    memset(links, 0, sizeof(*links));
}

/* ThermalSubsystem's @odata.id + "/ThermalMetrics". */
static enum rw_rc
thermal_metrics_uri(const struct json_object *obj, char **dst, struct rf_endpoint *ep,
                    struct rw_err *err)
{
    const char *base = link_of(get(obj, "ThermalSubsystem"), obj, "ThermalSubsystem", ep);
    static const char suffix[] = "/ThermalMetrics";
    char uri[RF_STR_MAX + 1];
    size_t len;

    if (base == NULL) {
        return RW_OK;
    }
    len = strlen(base);
    while (len > 0 && base[len - 1] == '/') {
        len--;
    }
    if (len + sizeof(suffix) > sizeof(uri)) {
        rf_note(ep, "%s: ThermalSubsystem URI is too long", where(obj));
        return RW_OK;
    }
    memcpy(uri, base, len);
    memcpy(uri + len, suffix, sizeof(suffix));
    return rf_str_set(dst, uri, err);
}

enum rw_rc
rf_map_chassis(const struct json_object *obj, struct rf_chassis_links *links,
               struct rf_endpoint *ep, struct rw_err *err)
{
    enum rw_rc rc = need_object(obj, "the Chassis", err);

    rc = rc != RW_OK ? rc : link_prop(obj, "EnvironmentMetrics", &links->environment, ep, err);
    rc = rc != RW_OK ? rc : thermal_metrics_uri(obj, &links->thermal_metrics, ep, err);
    rc = rc != RW_OK ? rc : link_prop(obj, "Sensors", &links->sensors, ep, err);
    rc = rc != RW_OK ? rc : link_prop(obj, "Power", &links->power, ep, err);
    rc = rc != RW_OK ? rc : link_prop(obj, "Thermal", &links->thermal, ep, err);
    return rc;
}

double
rf_map_environment_power(const struct json_object *obj, struct rf_endpoint *ep)
{
    return reading(obj, "PowerWatts", ep);
}

/* True when s names an intake: PhysicalContext "Intake" or a DeviceName mentioning it. */
static bool
is_intake(const struct json_object *item, const struct json_object *res, struct rf_endpoint *ep)
{
    const char *ctx = string_of(get(item, "PhysicalContext"), res, "PhysicalContext", ep);
    const char *name = string_of(get(item, "DeviceName"), res, "DeviceName", ep);

    return (ctx != NULL && strcmp(ctx, "Intake") == 0) ||
           (name != NULL && strstr(name, "Intake") != NULL);
}

/* The first array[] element that is an intake and has a usable key reading. */
static double
first_intake(const struct json_object *obj, const char *array, const char *key,
             struct rf_endpoint *ep)
{
    struct json_object *arr = get(obj, array), *item;
    size_t i, n;
    double v;

    if (arr == NULL) {
        return NAN;
    }
    if (!json_object_is_type(arr, json_type_array)) {
        rf_note(ep, "%s: %s is not an array", where(obj), array);
        return NAN;
    }
    n = json_object_array_length(arr);
    for (i = 0; i < n && i < RF_MEMBERS_MAX; i++) {
        item = json_object_array_get_idx(arr, i);
        if (item != NULL && json_object_is_type(item, json_type_object) &&
            is_intake(item, obj, ep)) {
            v = number_of(get(item, key), obj, key, ep);
            if (rf_has(v)) {
                return v;
            }
        }
    }
    return NAN;
}

double
rf_map_thermal_metrics_intake(const struct json_object *obj, struct rf_endpoint *ep)
{
    double v = reading(get(obj, "TemperatureSummaryCelsius"), "Intake", ep);

    if (rf_has(v)) {
        return v;
    }
    return first_intake(obj, "TemperatureReadingsCelsius", "Reading", ep);
}

double
rf_map_sensor_intake(const struct json_object *obj, struct rf_endpoint *ep)
{
    const char *ctx = string_of(get(obj, "PhysicalContext"), obj, "PhysicalContext", ep);
    const char *type = string_of(get(obj, "ReadingType"), obj, "ReadingType", ep);
    const char *units = string_of(get(obj, "ReadingUnits"), obj, "ReadingUnits", ep);

    if (ctx == NULL || strcmp(ctx, "Intake") != 0) {
        return NAN;
    }
    if ((type == NULL || strcmp(type, "Temperature") != 0) &&
        (units == NULL || strcmp(units, "Cel") != 0)) {
        return NAN;
    }
    return number_prop(obj, "Reading", ep);
}

double
rf_map_power_consumed(const struct json_object *obj, struct rf_endpoint *ep)
{
    struct json_object *arr = get(obj, "PowerControl");
    size_t i, n;
    double v;

    if (arr == NULL) {
        return NAN;
    }
    if (!json_object_is_type(arr, json_type_array)) {
        rf_note(ep, "%s: PowerControl is not an array", where(obj));
        return NAN;
    }
    n = json_object_array_length(arr);
    for (i = 0; i < n && i < RF_MEMBERS_MAX; i++) {
        v = number_prop(json_object_array_get_idx(arr, i), "PowerConsumedWatts", ep);
        if (rf_has(v)) {
            return v;
        }
    }
    return NAN;
}

double
rf_map_thermal_intake(const struct json_object *obj, struct rf_endpoint *ep)
{
    return first_intake(obj, "Temperatures", "ReadingCelsius", ep);
}

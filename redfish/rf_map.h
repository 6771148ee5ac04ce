/*
 * rf_map: Redfish JSON (json-c trees) into the rf_model structs, one function per
 * resource type.  It knows nothing about HTTP; rf_crawl decides what to fetch.
 *
 * Rules every mapper follows:
 *   - readings come from the inline excerpts (PowerWatts.Reading, Voltage.Reading...);
 *     a DataSourceUri is never followed;
 *   - a property that is missing or null leaves the value absent (NULL / NAN);
 *   - a property of the wrong type, a number that is NaN, infinite or larger in
 *     magnitude than RF_READING_MAX, a string over RF_STR_MAX bytes or with an embedded
 *     NUL leaves the value absent and records a note on the endpoint (ep may be NULL),
 *     naming the resource's @odata.id and the property;
 *   - the json_object arguments are borrowed and never changed;
 *   - they return RW_EPARSE when the document is not a JSON object, RW_ENOMEM, and
 *     RW_OK otherwise, however many properties were left out.
 */
#ifndef RF_MAP_H
#define RF_MAP_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "rf_model.h"
#include "rw_err.h"

#define RF_JSON_DEPTH_MAX 32                         /* deepest JSON nesting accepted */
#define RF_BODY_MAX       ((size_t)16 * 1024 * 1024) /* largest body parsed */
#define RF_READING_MAX    1e15                       /* larger magnitudes are not readings */
#define RF_CHASSIS_MAX    8                          /* chassis links followed per system */
#define RF_CONDITIONS_MAX 32                         /* Conditions[] messages kept per server */

/*
 * Parses len bytes of text (not NUL-terminated) into a tree the caller releases with
 * json_object_put().  RW_ETOOBIG over max bytes (0: RF_BODY_MAX); RW_EPARSE for
 * malformed JSON, nesting deeper than RF_JSON_DEPTH_MAX, an embedded NUL byte or
 * anything but white space after the value.  strict refuses some of json-c's
 * extensions (trailing commas, leading zeros); NaN literals and single quotes pass either
 * way, and the mappers' type checks refuse them.  *out is NULL on failure.
 */
RW_MUSTCHECK enum rw_rc rf_json_parse(const char *text, size_t len, size_t max, bool strict,
                                      struct json_object **out, struct rw_err *err);

/* A tokener for rf_json_parse_with(), nesting capped at RF_JSON_DEPTH_MAX; NULL when out
 * of memory.  Free with json_tokener_free(). */
struct json_tokener *rf_json_tokener_new(void);

/*
 * rf_json_parse() with the caller's tokener from rf_json_tokener_new(), reset before use,
 * so that a crawl allocates one tokener rather than one per document (json-c's
 * json_tokener_new_ex() and free were ~3% of the instructions of a warm request).  tok
 * NULL: a tokener of its own for this call.
 */
RW_MUSTCHECK enum rw_rc rf_json_parse_with(struct json_tokener *tok, const char *text, size_t len,
                                           size_t max, bool strict, struct json_object **out,
                                           struct rw_err *err);

/* What a service root offers; URIs are NULL when not offered.  Owned by the struct. */
struct rf_root {
    char *power_equipment, *systems, *chassis, *managers;
    char *aggregation_service, *session_service, *sessions;
    char *product, *vendor;
    bool expand; /* ExpandQuery allows `$expand=.($levels=1)` (see rf_map_root) */
};

/* Frees the strings of a root and zeroes it. */
void rf_root_cleanup(struct rf_root *root);

/*
 * Maps a ServiceRoot.  expand is true when ProtocolFeaturesSupported.ExpandQuery has
 * Levels true, ExpandAll or NoLinks true (the "." form), and MaxLevels absent or >= 1.
 * root must be zeroed or cleaned up before; it is cleaned up on failure.
 */
RW_MUSTCHECK enum rw_rc rf_map_root(const struct json_object *obj, struct rf_root *root,
                                    struct rf_endpoint *ep, struct rw_err *err);

/*
 * Maps a service-root child that links to a collection: PowerEquipment's RackPDUs.
 * *rack_pdus receives a copy of the link (NULL when absent); caller frees.
 */
RW_MUSTCHECK enum rw_rc rf_map_power_equipment(const struct json_object *obj, char **rack_pdus,
                                               struct rf_endpoint *ep, struct rw_err *err);

/* One collection member: its URI, and the member itself when the reply was expanded. */
struct rf_member {
    char *uri;                          /* owned; never NULL */
    const struct json_object *expanded; /* borrowed from the collection's tree, or NULL */
};

/* One page of a collection.  Owned by the struct; free with rf_collection_cleanup(). */
struct rf_collection {
    struct rf_member *v;
    size_t n;
    char *next_link; /* Members@odata.nextLink, NULL on the last page */
};

void rf_collection_cleanup(struct rf_collection *coll);

/*
 * Maps a collection page: Members[] (at most RF_MEMBERS_MAX; a member without a valid
 * @odata.id is skipped with a note) and Members@odata.nextLink.  A member counts as
 * expanded when it carries "@odata.type" or "Id" besides its "@odata.id".  RW_EPARSE
 * when Members is missing or not an array; coll is cleaned up on failure.
 */
RW_MUSTCHECK enum rw_rc rf_map_collection(const struct json_object *obj, struct rf_collection *coll,
                                          struct rf_endpoint *ep, struct rw_err *err);

/* True when uri is a Redfish path this client may follow: "/redfish/v1...", printable. */
bool rf_uri_ok(const char *uri);

/* Links a PowerDistribution gives to its parts; owned, NULL when absent. */
struct rf_pdu_links {
    char *mains, *branches, *outlets, *metrics;
};

void rf_pdu_links_cleanup(struct rf_pdu_links *links);

/*
 * Maps a PowerDistribution into pdu (identity with Name, health) and links (may be NULL).  For
 * this and every mapper below that sets an id: id is Id, else the last segment of
 * @odata.id, else left as it was.
 */
RW_MUSTCHECK enum rw_rc rf_map_pdu(const struct json_object *obj, struct rf_pdu *pdu,
                                   struct rf_pdu_links *links, struct rf_endpoint *ep,
                                   struct rw_err *err);

/* Maps a PowerDistributionMetrics: PowerWatts, EnergykWh, TemperatureCelsius readings. */
RW_MUSTCHECK enum rw_rc rf_map_pdu_metrics(const struct json_object *obj, struct rf_pdu *pdu,
                                           struct rf_endpoint *ep, struct rw_err *err);

/* Maps a Circuit of the Mains collection, with its PolyPhase* readings by line name. */
RW_MUSTCHECK enum rw_rc rf_map_inlet(const struct json_object *obj, struct rf_inlet *in,
                                     struct rf_endpoint *ep, struct rw_err *err);

/* Maps a Circuit of the Branches collection. */
RW_MUSTCHECK enum rw_rc rf_map_branch(const struct json_object *obj, struct rf_branch *br,
                                      struct rf_endpoint *ep, struct rw_err *err);

/* Maps an Outlet. */
RW_MUSTCHECK enum rw_rc rf_map_outlet(const struct json_object *obj, struct rf_outlet *out,
                                      struct rf_endpoint *ep, struct rw_err *err);

/* The chassis a ComputerSystem links to (Links.Chassis, at most RF_CHASSIS_MAX); owned. */
struct rf_system_links {
    char *chassis[RF_CHASSIS_MAX];
    size_t n_chassis;
};

void rf_system_links_cleanup(struct rf_system_links *links);

/*
 * Maps a ComputerSystem: identity (with Name), PowerState, health (Status.HealthRollup, else
 * Status.Health), Status.Conditions[].Message.  links may be NULL.
 */
RW_MUSTCHECK enum rw_rc rf_map_system(const struct json_object *obj, struct rf_server *srv,
                                      struct rf_system_links *links, struct rf_endpoint *ep,
                                      struct rw_err *err);

/*
 * What a Chassis links to; owned, NULL when absent.  thermal_metrics is
 * ThermalSubsystem's @odata.id + "/ThermalMetrics", the URI the ThermalMetrics schema
 * mandates, which saves fetching the ThermalSubsystem resource itself.
 */
struct rf_chassis_links {
    char *environment, *thermal_metrics, *sensors, *power, *thermal;
};

void rf_chassis_links_cleanup(struct rf_chassis_links *links);

RW_MUSTCHECK enum rw_rc rf_map_chassis(const struct json_object *obj,
                                       struct rf_chassis_links *links, struct rf_endpoint *ep,
                                       struct rw_err *err);

/*
 * Single readings for a server, NAN when the resource has none (notes as above):
 *   environment:     EnvironmentMetrics PowerWatts.Reading (W)
 *   thermal_metrics: ThermalMetrics TemperatureSummaryCelsius.Intake.Reading, else the
 *                    first TemperatureReadingsCelsius[] with PhysicalContext "Intake" or a
 *                    DeviceName containing "Intake" (degrees C)
 *   sensor:          a Sensor with PhysicalContext "Intake" and ReadingType "Temperature"
 *                    (or ReadingUnits "Cel"): Reading (degrees C)
 *   power:           deprecated Power: the first PowerControl[].PowerConsumedWatts (W)
 *   thermal:         deprecated Thermal: the first Temperatures[] with PhysicalContext
 *                    "Intake": ReadingCelsius (degrees C)
 */
double rf_map_environment_power(const struct json_object *obj, struct rf_endpoint *ep);
double rf_map_thermal_metrics_intake(const struct json_object *obj, struct rf_endpoint *ep);
double rf_map_sensor_intake(const struct json_object *obj, struct rf_endpoint *ep);
double rf_map_power_consumed(const struct json_object *obj, struct rf_endpoint *ep);
double rf_map_thermal_intake(const struct json_object *obj, struct rf_endpoint *ep);

#endif

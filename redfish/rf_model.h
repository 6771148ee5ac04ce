/*
 * rf_model: the in-memory model of what a poll read from one Redfish endpoint: rack PDUs
 * (inlets, branches, outlets) and servers.
 *
 * Plain structs, not opaque.  The model is a read-mostly record with some forty fields
 * that the plugins, the SNMP tables and the snapshot writer all read; an accessor per
 * field would add a hundred functions and no safety.  The contract instead:
 *   - only rf_model, rf_map, rf_crawl and rf_snapshot write these structs; everyone
 *     else reads them and never writes, frees or keeps a pointer past the owner's free;
 *   - every struct here is owned by the struct rf_endpoint it hangs from and freed by
 *     rf_endpoint_free(), which frees every string and array below it;
 *   - an absent value is NULL for a string and NAN for a number (test with rf_has());
 *     a property the device does not report is absent, never 0;
 *   - strings are NUL-terminated, valid for JSON, at most RF_STR_MAX bytes;
 *   - arrays hold at most RF_MEMBERS_MAX entries.
 */
#ifndef RF_MODEL_H
#define RF_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rw_err.h"

#define RF_STR_MAX     1024 /* longest kept string, in bytes */
#define RF_MEMBERS_MAX 4096 /* most members of any list in the model */
#define RF_NOTES_MAX   64   /* most notes kept per endpoint */
#define RF_LINES_MAX   16   /* most per-line readings of one poly-phase property */

/* What an endpoint is polled for: PDUs, servers, or what its service root offers. */
enum rf_kind {
    RF_KIND_AUTO = 0,
    RF_KIND_PDU,
    RF_KIND_SERVER,
};

/* One reading of a poly-phase property, keyed by the Redfish line name ("Line1ToNeutral"). */
struct rf_line {
    char *line;
    double value; /* NAN when the line is listed without a usable Reading */
};

/* The per-line readings of one property, in the order the device listed them. */
struct rf_lines {
    struct rf_line *v;
    size_t n;
};

/* A PDU inlet: a Circuit of the PDU's Mains collection. */
struct rf_inlet {
    char *id;
    double voltage_v, current_a, power_w, energy_kwh, frequency_hz, rated_current_a;
    char *health;
    struct rf_lines phase_voltage_v; /* PolyPhaseVoltage: Line1ToNeutral, Line1ToLine2... */
    struct rf_lines phase_current_a; /* PolyPhaseCurrentAmps: Line1, Line2, Line3, Neutral */
    struct rf_lines phase_power_w;   /* PolyPhasePowerWatts: Line1ToNeutral... */
};

/* A branch circuit (Branches collection). */
struct rf_branch {
    char *id;
    double current_a, power_w, rated_current_a;
    char *breaker_state; /* "Normal", "Tripped", "Off" as the device says */
    char *health;
};

/* An outlet (Outlets collection). */
struct rf_outlet {
    char *id, *name;
    char *power_state; /* "On", "Off", "PoweringOn"... as the device says */
    double voltage_v, current_a, power_w, energy_kwh, rated_current_a;
    char *health;
};

/* A rack PDU (PowerDistribution); totals come from its Metrics resource. */
struct rf_pdu {
    char *id, *manufacturer, *model, *serial, *firmware, *health;
    char *name; /* the resource's Name ("Rack PDU A1"); NULL when absent */
    double power_w, energy_kwh, temperature_c;
    /* The Metrics resource (the totals above) failed this poll for a reason that passes
     * (no answer, time-out, 5xx, 429): a poller may keep the totals it had. */
    bool metrics_failed;
    struct rf_inlet *inlets;
    size_t n_inlets;
    struct rf_branch *branches;
    size_t n_branches;
    struct rf_outlet *outlets;
    size_t n_outlets;
};

/* A server (ComputerSystem) with readings from its chassis. */
struct rf_server {
    char *id, *manufacturer, *model, *serial, *power_state;
    char *name;   /* the ComputerSystem's Name; NULL when absent */
    char *health; /* Status.HealthRollup, else Status.Health */
    double power_w, inlet_temp_c;
    /* A chassis resource its power (power_failed) or its inlet temperature (temp_failed)
     * is read from failed this poll for a reason that passes: a poller may keep the
     * reading it had where this one is absent. */
    bool power_failed, temp_failed;
    char **conditions; /* Status.Conditions[].Message texts */
    size_t n_conditions;
};

/* The result of polling one endpoint. */
struct rf_endpoint {
    char *name, *url; /* from the configuration; may be NULL before the caller sets them */
    enum rf_kind kind;
    bool ok;
    char *error;         /* one line when !ok, else NULL */
    int64_t polled_at;   /* Unix time (UTC seconds) the poll started; -1 unknown */
    int64_t duration_ms; /* -1 unknown */
    int64_t requests;    /* HTTP requests the poll made; -1 unknown */
    struct rf_pdu *pdus;
    size_t n_pdus;
    struct rf_server *servers;
    size_t n_servers;
    char **notes; /* why values were left out (bad types, failed optional resources) */
    size_t n_notes;
};

/* True when v is a reading (not the NAN that marks an absent value). */
bool rf_has(double v);

/*
 * A new, empty endpoint: ok false, no error, every count 0, polled_at, duration_ms and
 * requests -1.  NULL when out of memory.  Free with rf_endpoint_free().
 */
struct rf_endpoint *rf_endpoint_new(void);

/* Frees the endpoint and everything it owns; NULL does nothing. */
void rf_endpoint_free(struct rf_endpoint *ep);

/*
 * Replaces *dst with a copy of src (NULL allowed: *dst becomes NULL).  The copy is
 * refused (RW_EINVAL) when src is longer than RF_STR_MAX bytes; *dst is untouched then.
 */
RW_MUSTCHECK enum rw_rc rf_str_set(char **dst, const char *src, struct rw_err *err);

/*
 * As rf_str_set(), for the enumerated texts of the model (health, power and breaker
 * states): the values Redfish defines ("OK", "On", "Tripped"...) point at one read-only
 * copy shared by every model instead of a heap block each (two blocks per outlet at
 * 48,000 outlets is ~3 MB); other values are copied.  Such a field is never written
 * through and is freed only by the model's cleanups and setters, which know the shared
 * copies.
 */
RW_MUSTCHECK enum rw_rc rf_word_set(char **dst, const char *src, struct rw_err *err);

/*
 * Appends a zeroed element of size elem to the array *v of *n elements; the caller sets
 * its absent readings to NAN (the rf_*_add() adders below do).  RW_ETOOBIG past
 * RF_MEMBERS_MAX, RW_ENOMEM; the array is unchanged then.  *out receives the new
 * element, borrowed from the array until the next growth.
 */
RW_MUSTCHECK enum rw_rc rf_array_grow(void **v, size_t *n, size_t elem, void **out,
                                      struct rw_err *err);

/* Adders: append one element with every reading NAN and every string NULL. */
RW_MUSTCHECK enum rw_rc rf_pdu_add(struct rf_endpoint *ep, struct rf_pdu **out, struct rw_err *err);
RW_MUSTCHECK enum rw_rc rf_server_add(struct rf_endpoint *ep, struct rf_server **out,
                                      struct rw_err *err);
RW_MUSTCHECK enum rw_rc rf_inlet_add(struct rf_pdu *pdu, struct rf_inlet **out, struct rw_err *err);
RW_MUSTCHECK enum rw_rc rf_branch_add(struct rf_pdu *pdu, struct rf_branch **out,
                                      struct rw_err *err);
RW_MUSTCHECK enum rw_rc rf_outlet_add(struct rf_pdu *pdu, struct rf_outlet **out,
                                      struct rw_err *err);

/* Appends one (line, value) pair; RW_ETOOBIG past RF_LINES_MAX, RW_EINVAL for a long name. */
RW_MUSTCHECK enum rw_rc rf_lines_add(struct rf_lines *lines, const char *line, double value,
                                     struct rw_err *err);

/* The value of a line, NAN when the line is not listed.  lines may be NULL. */
double rf_lines_get(const struct rf_lines *lines, const char *line);

/* Appends a copy of text to a list of strings capped at max entries and RF_STR_MAX each. */
RW_MUSTCHECK enum rw_rc rf_strv_add(char ***v, size_t *n, size_t max, const char *text,
                                    struct rw_err *err);

/*
 * Records a note on the endpoint (printf format, cut at RF_STR_MAX bytes).  Notes are
 * diagnostics: past RF_NOTES_MAX, or when memory runs out, the note is dropped.
 */
void rf_note(struct rf_endpoint *ep, const char *fmt, ...) RW_PRINTF(2, 3);

/*
 * Sets ep->ok false and the one-line error (printf format; newlines become spaces) unless
 * an error is already recorded: the first error wins.  ep may be NULL.
 */
void rf_endpoint_fail(struct rf_endpoint *ep, const char *fmt, ...) RW_PRINTF(2, 3);

/* Frees the members of one element type (used when a slot is dropped). */
void rf_pdu_cleanup(struct rf_pdu *pdu);
void rf_server_cleanup(struct rf_server *srv);
void rf_inlet_cleanup(struct rf_inlet *in);
void rf_branch_cleanup(struct rf_branch *br);
void rf_outlet_cleanup(struct rf_outlet *out);

/* "auto", "pdu", "server"; never NULL. */
const char *rf_kind_name(enum rf_kind kind);

/* Parses a kind name as rf_kind_name() prints it; RW_EINVAL for anything else. */
RW_MUSTCHECK enum rw_rc rf_kind_parse(const char *name, enum rf_kind *out);

#endif

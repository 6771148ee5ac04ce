/*
 * rf_snapshot: the model as the `rackwatch poll --json` document, and back.
 *
 *   {"endpoints": [{"name", "url", "kind", "ok", "error", "polled_at", "duration_ms",
 *     "requests", "pdus": [{"id", "name", "manufacturer", "model", "serial", "firmware", "health",
 *     "power_w", "energy_kwh", "temperature_c",
 *     "inlets": [{"id", "voltage_v", "current_a", "power_w", "energy_kwh", "frequency_hz",
 *                 "health", "rated_current_a",
 *                 "poly_phase": {"voltage_v": {LINE: n}, "current_a": {..}, "power_w": {..}}}],
 *     "branches": [{"id", "current_a", "power_w", "breaker_state", "health",
 *                   "rated_current_a"}],
 *     "outlets": [{"id", "name", "power_state", "voltage_v", "current_a", "power_w",
 *                  "energy_kwh", "health", "rated_current_a"}]}],
 *     "servers": [{"id", "name", "manufacturer", "model", "serial", "power_state", "health",
 *                  "power_w", "inlet_temp_c", "conditions": [TEXT...]}]}]}
 *
 * Keys are exact and always present; numbers are JSON numbers; an absent value is null;
 * polled_at is RFC 3339 UTC ("2026-11-23T19:20:00Z").  Besides the keys of issue 4, the
 * document carries health and rated_current_a of branches (check_pdu's health and
 * load-percent checks), rated_current_a of inlets and outlets, and the servers'
 * Conditions[].Message texts (check_server), so that the plugins' --state mode sees
 * what live mode sees; and the Redfish Name of PDUs and servers (null when absent).
 *
 * The writer streams: no JSON tree of the document is built (at 1,000 PDUs of 48 outlets
 * one took tens of megabytes per save).  Its layout is json-c's "spaced" one (or pretty,
 * two-space indents) byte for byte: strings escape '"', '\\' and control characters
 * (\b \f \n \r \t, else \u00xx) and pass every other byte through (UTF-8 as it is);
 * numbers are the shorter of %.15g and %.17g that reads back exactly.
 *
 * Reading a document back is strict: every known key must have its type (null allowed
 * where the writer may write null), name and ok are required, unknown keys are ignored
 * (a newer writer may add some), and sizes are capped.
 */
#ifndef RF_SNAPSHOT_H
#define RF_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "rf_model.h"
#include "rw_buf.h"
#include "rw_err.h"

#define RF_SNAPSHOT_MAX           (64u * 1024 * 1024) /* largest document read */
#define RF_SNAPSHOT_ENDPOINTS_MAX 65536               /* most endpoints in one document */
#define RF_SNAPSHOT_PRETTY        1u                  /* rf_snapshot_format flag: indent */

/* A document read back: endpoints owned by the snapshot. */
struct rf_snapshot {
    struct rf_endpoint **endpoints;
    size_t n;
};

/*
 * Appends the document for the n endpoints to out (one line, or indented with
 * RF_SNAPSHOT_PRETTY; no trailing newline).  RW_ENOMEM, or RW_ETOOBIG past out's cap
 * (out is freed then, as rw_buf does).
 */
RW_MUSTCHECK enum rw_rc rf_snapshot_format(struct rf_endpoint *const *eps, size_t n, unsigned flags,
                                           struct rw_buf *out, struct rw_err *err);

/*
 * Reads a document of len bytes into *out (caller frees with rf_snapshot_free()).
 * RW_ETOOBIG over RF_SNAPSHOT_MAX or a cap, RW_EPARSE for malformed JSON or a key of the
 * wrong type (the message names it: "endpoints[0].pdus[1].power_w: expected a number or
 * null"), RW_ENOMEM.  *out is NULL on failure.
 */
RW_MUSTCHECK enum rw_rc rf_snapshot_parse(const char *text, size_t len, struct rf_snapshot **out,
                                          struct rw_err *err);

/*
 * Reads the file at path (at most max bytes, 0: RF_SNAPSHOT_MAX) as rf_snapshot_parse().
 * RW_ESTALE when the file does not exist, RW_EINVAL when it cannot be read.
 */
RW_MUSTCHECK enum rw_rc rf_snapshot_load(const char *path, size_t max, struct rf_snapshot **out,
                                         struct rw_err *err);

/* Writes the document for the n endpoints to path atomically (rw_file_write_atomic()). */
RW_MUSTCHECK enum rw_rc rf_snapshot_save(const char *path, struct rf_endpoint *const *eps, size_t n,
                                         mode_t mode, struct rw_err *err);

/*
 * Appends one endpoint's object as rf_snapshot_save() writes it inside the document (one
 * line, from "{" to "}", no separator), for rf_snapshot_save_parts().  Errors as
 * rf_snapshot_format().
 */
RW_MUSTCHECK enum rw_rc rf_snapshot_format_endpoint(const struct rf_endpoint *ep,
                                                    struct rw_buf *out, struct rw_err *err);

/*
 * Appends the text of endpoint i (0..n-1), as rf_snapshot_format_endpoint() gave it, to out.
 * A failure (err set) stops the save and leaves the previous file whole.
 */
typedef enum rw_rc rf_snapshot_part_fn(size_t i, void *ctx, struct rw_buf *out, struct rw_err *err);

/*
 * Writes the document of n endpoints atomically from texts kept earlier: the same bytes
 * rf_snapshot_save() writes for their models.  A part's failure reads
 * "PATH: cannot write: <the part's message>".
 */
RW_MUSTCHECK enum rw_rc rf_snapshot_save_parts(const char *path, size_t n,
                                               rf_snapshot_part_fn *part, void *ctx, mode_t mode,
                                               struct rw_err *err);

/* The endpoint named name, borrowed from snap; NULL when there is none. */
const struct rf_endpoint *rf_snapshot_find(const struct rf_snapshot *snap, const char *name);

/* Frees the snapshot and its endpoints; NULL does nothing. */
void rf_snapshot_free(struct rf_snapshot *snap);

/* Formats Unix time t as RFC 3339 UTC, "2026-11-23T19:20:00Z", into out (>= 21 bytes). */
RW_MUSTCHECK enum rw_rc rf_time_format(int64_t t, char *out, size_t size, struct rw_err *err);

/*
 * Parses an RFC 3339 date-time ("2026-11-23T19:20:00Z", fractions of a second ignored,
 * "+02:00" offsets applied) into Unix time.  RW_EPARSE for anything else.
 */
RW_MUSTCHECK enum rw_rc rf_time_parse(const char *text, int64_t *out, struct rw_err *err);

#endif

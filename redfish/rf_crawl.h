/*
 * rf_crawl: the plan of which Redfish resources to read for one endpoint, as a state
 * machine that knows nothing about HTTP.  A transport (the libcurl multi client, or a
 * test reading a mockup directory) asks it for URIs, fetches them in any order and as
 * many at once as it likes, and feeds each answer back; when nothing is left the crawl
 * is done and hands over the endpoint model.
 *
 *     struct rf_crawl *c = rf_crawl_new(RF_KIND_AUTO, true);
 *     while (!rf_crawl_done(c)) {
 *         rf_crawl_next(c, uris, max_in_flight - in_flight, &n, &err);   (GET each)
 *         ... rf_crawl_feed(c, uri, body, len, &err) or rf_crawl_fail(c, uri, rc, msg, &err)
 *     }
 *     ep = rf_crawl_take(c);  rf_crawl_free(c);
 *
 * What it reads, and nothing else:
 *   PDU:    service root, PowerEquipment, RackPDUs (every page), each PDU, its Mains,
 *           Branches and Outlets collections (every page) and their members, its Metrics.
 *   server: service root, Systems (every page), each system, its Links.Chassis (at most
 *           RF_CHASSIS_MAX), then per system in stages, each only while the reading is
 *           still absent: EnvironmentMetrics and ThermalSubsystem/ThermalMetrics; then
 *           Power and the Sensors collection (members only until an intake temperature
 *           is found); then the deprecated Thermal.
 *   auto:   PDUs when the root offers PowerEquipment, servers when it offers Systems,
 *           both when it offers both; the endpoint's kind says which were found.
 * Collections are asked with "?$expand=.($levels=1)" when use_expand is on and the root's
 * ExpandQuery allows it; an expanded reply that fails (HTTP error or unparsable body)
 * turns expansion off for the rest of the crawl and the plain collection is read instead.
 * Members@odata.nextLink is followed up to RF_CRAWL_PAGES_MAX pages, RF_MEMBERS_MAX
 * members, never to a page already read.
 *
 * Failures: the root, PowerEquipment, the collections, the PDUs, their inlets, branches,
 * outlets and the systems are required: a failure of one sets the endpoint's ok false
 * with a one-line error (the first wins) while the rest is still read.  Metrics, chassis
 * and the power/thermal resources are optional: a failure leaves the readings absent and
 * adds a note.  A failed root ends the crawl.
 */
#ifndef RF_CRAWL_H
#define RF_CRAWL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rf_model.h"
#include "rw_err.h"

#define RF_CRAWL_PAGES_MAX    64    /* nextLink pages per collection */
#define RF_CRAWL_REQUESTS_MAX 20000 /* requests per crawl, whatever the device lists */
#define RF_EXPAND_QUERY       "$expand=.($levels=1)"

struct rf_crawl;

/*
 * A new crawl for kind; use_expand allows $expand when the root offers it.  NULL when
 * out of memory.  Free with rf_crawl_free().
 */
struct rf_crawl *rf_crawl_new(enum rf_kind kind, bool use_expand);

/* Frees the crawl and the model it still holds; NULL does nothing. */
void rf_crawl_free(struct rf_crawl *c);

/*
 * Hands out up to max URIs (paths such as "/redfish/v1/Systems?$expand=.($levels=1)") to
 * GET next and stores their count in *n; 0 while the remaining work waits on answers,
 * or when the call finished the crawl (the URIs left were no longer needed: check done).
 * Each URI is borrowed until it is fed or failed (or the crawl freed).  RW_ENOMEM ends
 * the crawl; *n is 0 then.
 */
RW_MUSTCHECK enum rw_rc rf_crawl_next(struct rf_crawl *c, const char **uris, size_t max, size_t *n,
                                      struct rw_err *err);

/*
 * Feeds the body of a 2xx answer to uri (as rf_crawl_next() gave it; len bytes, not
 * NUL-terminated).  A bad body is a failure of that resource, not of the call: RW_OK.
 * RW_EINVAL when uri is not in flight; RW_ENOMEM ends the crawl.
 */
RW_MUSTCHECK enum rw_rc rf_crawl_feed(struct rf_crawl *c, const char *uri, const char *text,
                                      size_t len, struct rw_err *err);

/*
 * Reports that uri could not be read: rc says why (RW_EHTTP, RW_ETIMEOUT...), msg is a
 * one-line reason ("HTTP 404", "timed out").  RW_EINVAL when uri is not in flight.
 */
RW_MUSTCHECK enum rw_rc rf_crawl_fail(struct rf_crawl *c, const char *uri, enum rw_rc rc,
                                      const char *msg, struct rw_err *err);

/*
 * Stops the crawl (the whole-poll budget ran out, the client is shutting down): the
 * endpoint fails with msg, queued URIs are forgotten, the crawl is done.
 *
 * Whenever the crawl stops early (this call, a failed service root, RW_ENOMEM), URIs
 * already handed out stay valid until they are fed or failed or the crawl is freed;
 * answers to them are accepted (RW_OK) and ignored.
 */
void rf_crawl_cancel(struct rf_crawl *c, const char *msg);

/* True when every URI was answered or the crawl stopped. */
bool rf_crawl_done(const struct rf_crawl *c);

/* URIs handed out so far. */
int64_t rf_crawl_requests(const struct rf_crawl *c);

/* URIs handed out and not yet fed or failed (also after the crawl stopped early). */
size_t rf_crawl_in_flight(const struct rf_crawl *c);

/*
 * Hands over the endpoint model once the crawl is done (NULL before, or after a first
 * take): ok is true unless a required resource failed; requests is set; name, url,
 * polled_at and duration_ms are the caller's to fill.  Caller frees with
 * rf_endpoint_free().
 */
struct rf_endpoint *rf_crawl_take(struct rf_crawl *c);

#endif

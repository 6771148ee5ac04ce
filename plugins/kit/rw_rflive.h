/*
 * rw_rflive: the live half of a Redfish plugin: one poll of -H/-p with the Redfish client
 * (rf_client, rf_poll), bounded by the -t deadline, with the kit's TLS options and
 * credentials (a Redfish session when credentials are given, logged out afterwards within
 * what is left of the deadline; none otherwise).  A 503 is not retried: the next check is
 * the retry.  The only module of the kit that uses libcurl; it initialises libcurl around
 * the poll itself (curl_global_init/cleanup), so the plugin's main() stays free of it and
 * state-mode builds never load it (see rw_rfsrc.h).
 */
#ifndef RW_RFLIVE_H
#define RW_RFLIVE_H

#include "rf_model.h"
#include "rw_err.h"
#include "rw_opts.h"
#include "rw_rfsrc.h"

#define RW_RFLIVE_LOGOUT_MS 2000 /* most time spent logging out after the poll */

/*
 * An rw_rfsrc_live_fn: polls src->url for kind.  *out is the endpoint (ok false with its
 * error when the device could not be polled, "timed out after N s" past the deadline);
 * caller frees it with rf_endpoint_free(), also when an error is returned.  RW_ENOMEM,
 * or RW_EINVAL for a URL or credentials the client refuses.
 */
RW_MUSTCHECK enum rw_rc rw_rflive_poll(const struct rw_rfsrc_opts *src, const struct rw_opts *opts,
                                       enum rf_kind kind, struct rf_endpoint **out,
                                       struct rw_err *err);

#endif

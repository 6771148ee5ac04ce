/*
 * rs_spokes: rackwatchd's periodic checks of the configured hub and spokes, served as
 * RACKWATCH-MIB's rwSpokeTable, with rwSpokeStatusChange when a status changes.
 *
 * A check round probes the hub and every spoke at once on the daemon's loop, and reaches
 * the verdicts check_hubspoke reaches (rw_hubspoke): per server a TLS probe
 * (rw_tls_probe's step API, so the leaf is seen whatever its verification), then, when the
 * handshake completed, the service root and version read by an rw_hubspoke reader over a
 * Redfish client in event-loop mode (HTTP Basic with the configured credentials, none
 * without).  Then each spoke is classified in the order liveness, identity/version,
 * certificates, against the hub's version and certificate.  When the hub itself is not
 * OK, spokes are judged on their own: no version or "identical" certificate comparison
 * with a hub that gave nothing to compare with.
 *
 * Rounds run every poll_interval seconds (the smallest of the hub's and spokes', plus up
 * to the largest poll_jitter percent at random).  A round ends when every server is done
 * or after four times the largest timeout.  IP literals are used as they are; a DNS name
 * is resolved by getaddrinfo() when its TLS probe starts, which blocks the loop for the
 * resolver's time (configure addresses as IP literals where that matters).
 *
 * The first check of a server sets its row without a notification; later status changes
 * are reported to on_change (kind RS_CHANGE_SPOKE_STATUS).  Rows are indexed by the
 * configured name in the RS_NS_SPOKE namespace of the index registry, so a reload keeps
 * them; rows of servers no longer configured disappear.
 *
 * A hub with no spokes configured (no spokes: or an empty list) has its spokes listed, as
 * check_hubspoke -H HUB does: each round then has two phases.  Phase 1 checks the hub and,
 * beside it on the hub's connection, reads its AggregationSources (rw_hubspoke_lister:
 * nextLink pages and members bounded there).  When the whole list was read, phase 2 checks
 * every member with a usable HostName (at most RS_SPOKES_STARTS_MAX at once, with the hub's
 * timeout, CA file, insecure flag, TLS context and credentials; the phase's deadline grows
 * with the number of members); a member whose HostName is missing or unusable is "Invalid
 * Server or Versions Not Compatible" with check_hubspoke's reason, unprobed.  A listed
 * spoke's row is named by the member's Name (else Id, as the lister gives it; else its
 * HostName), its address is host:port (the HostName as written when unusable), its detail
 * ends with the hub's view ("hub reports Health H, State S"), and it is indexed by the key
 * "<hub name><member @odata.id>" (config names cannot hold '/', so no clash).  Rows of
 * members the hub no longer lists go when the next list is read.  A list that cannot be
 * read makes the hub's own row Not responding / Invalid Server (as check_hubspoke judges
 * the hub) and leaves the listed rows with their last check.  A reload naming the same hub
 * keeps the listed rows until its next list.  A listed HostName that is a DNS name blocks
 * the loop in getaddrinfo() as above.
 */
#ifndef RS_SPOKES_H
#define RS_SPOKES_H

#include "rs_index.h"
#include "rs_loop.h"
#include "rs_mib.h"
#include "rw_config.h"
#include "rw_log.h"

struct rs_spokes;

struct rs_spokes_opts {
    struct rs_loop *loop;     /* borrowed for the module's life */
    struct rs_index *index;   /* borrowed */
    const struct rw_log *log; /* borrowed; NULL: silent */
    rs_change_fn *on_change;  /* may be NULL */
    void *ctx;                /* for on_change */
};

/*
 * Registers rwSpokeTable with the agent (after rs_agent_start); no servers yet.
 * curl_global_init() is main()'s.  Free with rs_spokes_free().  RW_ENOMEM, RW_EINVAL
 * when the agent refuses the table.
 */
RW_MUSTCHECK enum rw_rc rs_spokes_new(const struct rs_spokes_opts *opts, struct rs_spokes **out,
                                      struct rw_err *err);

/*
 * Checks cfg's hub and spokes from now on, under cfg's policy (cfg is read during the
 * call only: what is needed is copied).  A second call replaces the set: a round in
 * progress is dropped, rows of servers cfg no longer names disappear, the others keep
 * their index, values and status (so the next change is notified).  On failure
 * (RW_EINVAL for a bad product regex, version policy or pin; RW_ENOMEM) the running set
 * goes on unchanged.  The index registry is saved beside cfg's state_file when new
 * indexes were given.
 */
RW_MUSTCHECK enum rw_rc rs_spokes_configure(struct rs_spokes *spokes, const struct rw_config *cfg,
                                            struct rw_err *err);

/* Rounds finished since the start (for logs and tests). */
unsigned long rs_spokes_rounds(const struct rs_spokes *spokes);

/* Stops checking, unregisters the table and frees everything.  NULL does nothing. */
void rs_spokes_free(struct rs_spokes *spokes);

#endif

/*
 * rw_hubspoke_list: the hub's own list of its spokes, read from its Redfish
 * AggregationService (DESIGN.md: the members of AggregationSources, each with HostName and
 * Status).  Transport-agnostic like rw_hubspoke's reader: rw_hubspoke_lister_next() says
 * what to GET, rw_hubspoke_lister_feed() takes the outcome.
 *
 * The collection is read page by page (Members@odata.nextLink, at most
 * RW_HUBSPOKE_PAGES_MAX pages); members that carry HostName inline (an expanded
 * collection) are taken as they are, others are read one by one.  At most
 * RW_HUBSPOKE_SOURCES_MAX members.  A failed GET, a page that is not a collection or a
 * member that is not a JSON object ends the lister with an error; a member without a
 * HostName is kept with an empty one (the caller reports it).
 */
#ifndef RW_HUBSPOKE_LIST_H
#define RW_HUBSPOKE_LIST_H

#include <stddef.h>

#include "rw_err.h"
#include "rw_hubspoke.h"

#define RW_HUBSPOKE_SOURCES_DEFAULT "/redfish/v1/AggregationService/AggregationSources"
#define RW_HUBSPOKE_PAGES_MAX       64
#define RW_HUBSPOKE_SOURCES_MAX     4096
#define RW_HUBSPOKE_HEALTH_MAX      32

/* One AggregationSource as the hub describes it. */
struct rw_hubspoke_source {
    char path[RW_HUBSPOKE_PATH_MAX];     /* its @odata.id */
    char name[RW_HUBSPOKE_NAME_MAX];     /* Name, else Id, else "" */
    char hostname[RW_URL_TEXT_MAX];      /* HostName as written, "" when absent or too long */
    char health[RW_HUBSPOKE_HEALTH_MAX]; /* Status.Health, "" when absent */
    char state[RW_HUBSPOKE_HEALTH_MAX];  /* Status.State, "" when absent */
    int read;                            /* the member's own document has been seen */
};

struct rw_hubspoke_lister; /* opaque */

/*
 * A lister of the collection at path (NULL: RW_HUBSPOKE_SOURCES_DEFAULT).  RW_EINVAL for a
 * bad path, RW_ENOMEM.  Free with rw_hubspoke_lister_free().
 */
RW_MUSTCHECK enum rw_rc rw_hubspoke_lister_new(const char *path, struct rw_hubspoke_lister **out,
                                               struct rw_err *err);

/* Frees lister; NULL does nothing. */
void rw_hubspoke_lister_free(struct rw_hubspoke_lister *lister);

/* The path to GET next (borrowed until the next feed), NULL once done or failed. */
const char *rw_hubspoke_lister_next(const struct rw_hubspoke_lister *lister);

/* The outcome of the GET of rw_hubspoke_lister_next(). */
void rw_hubspoke_lister_feed(struct rw_hubspoke_lister *lister,
                             const struct rw_hubspoke_reply *reply);

/*
 * RW_OK once the whole list is read; the error that ended it (the reply's rc for a
 * failed GET, but RW_EPARSE for a 4xx other than 401/403 and for a bad document, RW_ETOOBIG past a
 * cap, RW_ENOMEM) with its message in *msg (borrowed); RW_ETIMEOUT "not finished" while requests
 * remain.
 */
enum rw_rc rw_hubspoke_lister_status(const struct rw_hubspoke_lister *lister, const char **msg);

/* The number of sources found so far, and the i-th (borrowed; NULL out of range). */
size_t rw_hubspoke_lister_count(const struct rw_hubspoke_lister *lister);
const struct rw_hubspoke_source *rw_hubspoke_lister_get(const struct rw_hubspoke_lister *lister,
                                                        size_t i);

#endif

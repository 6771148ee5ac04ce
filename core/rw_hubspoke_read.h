/*
 * rw_hubspoke_read: drives many rw_hubspoke readers at once over one libcurl multi handle
 * (the transfers are set up and classified by rw_http_probe), within one deadline.  Each
 * server has at most one request in flight (its reader is sequential); at most max_total
 * requests run at once overall.  Used by the plugins, which run one blocking pass.
 *
 * curl_global_init() is main()'s job.  The call blocks until every reader is done or the
 * deadline passes; readers still waiting are left unfinished (rw_hubspoke_reader_report()
 * says "no answer ... in time").
 */
#ifndef RW_HUBSPOKE_READ_H
#define RW_HUBSPOKE_READ_H

#include <stddef.h>

#include "rw_err.h"
#include "rw_hubspoke.h"
#include "rw_hubspoke_list.h"
#include "rw_url.h"

#define RW_HUBSPOKE_READ_MAX_TOTAL 64 /* default transfers at once */

/* Transport settings shared by every server; strings borrowed for the call. */
struct rw_hubspoke_http {
    const char *cacert; /* NULL: the system store */
    const char *client_cert;
    const char *client_key;
    int insecure;
    const char *username; /* NULL: no authentication; else HTTP Basic */
    const char *password;
    int max_total; /* 0: RW_HUBSPOKE_READ_MAX_TOTAL */
};

/* One server to read (caller's storage). */
struct rw_hubspoke_server {
    const struct rw_url *url;          /* borrowed */
    const char *sni;                   /* NULL: the URL's host */
    struct rw_hubspoke_reader *reader; /* borrowed; driven to its end ... */
    struct rw_hubspoke_lister *lister; /* ... or, when reader is NULL, this lister */
    const char *username; /* this server's own credentials (HTTP Basic); NULL: http's */
    const char *password;
    double time_s; /* out: the service root's response time, -1 none */
};

/*
 * Reads the n servers within timeout_ms.  RW_OK when the pass ran (whatever each server
 * answered; see each reader); RW_ENOMEM, or RW_EINVAL for n == 0.  time_s is set for
 * each server whose service root answered.
 */
RW_MUSTCHECK enum rw_rc rw_hubspoke_read_many(const struct rw_hubspoke_http *http,
                                              struct rw_hubspoke_server *servers, size_t n,
                                              long timeout_ms, struct rw_err *err);

#endif

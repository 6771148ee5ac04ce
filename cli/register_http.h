/*
 * register_http: blocking Redfish calls for rackwatch register, one at a time, over the
 * asynchronous client (rf_client_request() then rf_client_run() until it is done or its
 * deadline passes), and the drivers of the transport-agnostic hub/spoke readers and
 * listers (core/rw_hubspoke.h, rw_hubspoke_list.h) over those calls.
 */
#ifndef CLI_REGISTER_HTTP_H
#define CLI_REGISTER_HTTP_H

#include <stddef.h>

#include "register.h"
#include "rf_client.h"
#include "rw_buf.h"
#include "rw_hubspoke.h"
#include "rw_hubspoke_list.h"

/* One finished call (caller's storage: cli_reg_reply_init(), then _cleanup()). */
struct cli_reg_reply {
    enum rw_rc rc; /* RW_OK: a 2xx reply; else the client's classification */
    long status;   /* 0 when no reply came */
    char msg[RW_ERR_MSG_MAX];
    struct rw_buf body;              /* at most CLI_REG_BODY_MAX bytes */
    char location[CLI_REG_PATH_MAX]; /* "" when none (or too long) */
};

void cli_reg_reply_init(struct cli_reg_reply *reply);
void cli_reg_reply_cleanup(struct cli_reg_reply *reply);

/*
 * Sends one request (rf_client_request() rules) and waits for it at most timeout_ms.
 * reply (initialised) receives the outcome, which is also the return value; a request
 * that could not be queued gives its rw_rc with the message in reply->msg.  A call past
 * its deadline is cancelled: RW_ETIMEOUT.
 */
enum rw_rc cli_reg_call(struct rf_client *client, struct rf_service *svc, enum rf_method method,
                        const char *path, const char *json_body, long timeout_ms,
                        struct cli_reg_reply *reply);

/* Drives reader to its end, one GET per step, each within timeout_ms. */
void cli_reg_read(struct rf_client *client, struct rf_service *svc,
                  struct rw_hubspoke_reader *reader, long timeout_ms);

/*
 * Drives lister to its end likewise.  With missing_empty, a 404 for the collection itself
 * (a server without an AggregationService) ends it as an empty list: *missing is set to 1
 * and the lister is left unfinished.  Returns the lister's status (RW_OK once read) with
 * its message in *msg (borrowed).
 */
enum rw_rc cli_reg_list(struct rf_client *client, struct rf_service *svc,
                        struct rw_hubspoke_lister *lister, long timeout_ms, int missing_empty,
                        int *missing, const char **msg);

#endif

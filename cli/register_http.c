/* register_http: blocking calls over the Redfish client (see register_http.h). */
#include "register_http.h"

#include <stdio.h>
#include <string.h>

void
cli_reg_reply_init(struct cli_reg_reply *reply)
{
    reply->rc = RW_ETIMEOUT;
    reply->status = 0;
    reply->msg[0] = '\0';
    reply->location[0] = '\0';
    rw_buf_init(&reply->body, CLI_REG_BODY_MAX);
}

void
cli_reg_reply_cleanup(struct cli_reg_reply *reply)
{
    rw_buf_free(&reply->body);
    cli_reg_reply_init(reply);
}

/* The client's done function: keeps what the reply holds. */
static void
on_reply(const struct rf_result *res, void *ctx)
{
    struct cli_reg_reply *reply = ctx;

    reply->rc = res->rc;
    reply->status = res->status;
    (void)snprintf(reply->msg, sizeof(reply->msg), "%s", res->msg);
    if (res->location != NULL && strlen(res->location) < sizeof(reply->location)) {
        (void)snprintf(reply->location, sizeof(reply->location), "%s", res->location);
    }
    rw_buf_free(&reply->body);
    if (rw_buf_add(&reply->body, res->body, res->body_len) != RW_OK && reply->rc == RW_OK) {
        reply->rc = RW_ETOOBIG;
        (void)snprintf(reply->msg, sizeof(reply->msg), "reply larger than %d bytes",
                       CLI_REG_BODY_MAX);
    }
}

enum rw_rc
cli_reg_call(struct rf_client *client, struct rf_service *svc, enum rf_method method,
             const char *path, const char *json_body, long timeout_ms, struct cli_reg_reply *reply)
{
    struct rw_err err;
    enum rw_rc rc;

    cli_reg_reply_cleanup(reply);
    rw_err_clear(&err);
    rc = rf_client_request(client, svc, method, path, json_body, on_reply, reply, &err);
    if (rc != RW_OK) {
        reply->rc = rc;
        (void)snprintf(reply->msg, sizeof(reply->msg), "%s", err.msg);
        return rc;
    }
    rc = rf_client_run(client, rf_client_now_ms() + timeout_ms, &err);
    if (rc != RW_OK) {
        /* Completes the call (on_reply runs) with the reason. */
        rf_client_cancel(client, rc, rc == RW_ETIMEOUT ? "no answer in time" : err.msg);
    }
    return reply->rc;
}

/* reply as the hub/spoke state machines take it; borrowed from reply. */
static void
as_hubspoke(const struct cli_reg_reply *reply, struct rw_hubspoke_reply *out)
{
    out->rc = reply->rc;
    out->status = reply->status;
    out->msg = reply->msg;
    out->body = rw_buf_str(&reply->body);
    out->len = rw_buf_len(&reply->body);
}

void
cli_reg_read(struct rf_client *client, struct rf_service *svc, struct rw_hubspoke_reader *reader,
             long timeout_ms)
{
    struct cli_reg_reply reply;
    struct rw_hubspoke_reply hs;
    const char *path;

    cli_reg_reply_init(&reply);
    while ((path = rw_hubspoke_reader_next(reader)) != NULL) {
        (void)cli_reg_call(client, svc, RF_METHOD_GET, path, NULL, timeout_ms, &reply);
        as_hubspoke(&reply, &hs);
        rw_hubspoke_reader_feed(reader, &hs);
    }
    cli_reg_reply_cleanup(&reply);
}

enum rw_rc
cli_reg_list(struct rf_client *client, struct rf_service *svc, struct rw_hubspoke_lister *lister,
             long timeout_ms, int missing_empty, int *missing, const char **msg)
{
    struct cli_reg_reply reply;
    struct rw_hubspoke_reply hs;
    const char *path;
    int first = 1;

    *missing = 0;
    cli_reg_reply_init(&reply);
    while ((path = rw_hubspoke_lister_next(lister)) != NULL) {
        (void)cli_reg_call(client, svc, RF_METHOD_GET, path, NULL, timeout_ms, &reply);
        if (first && missing_empty && reply.status == 404) {
            *missing = 1;
            *msg = "";
            cli_reg_reply_cleanup(&reply);
            return RW_OK;
        }
        first = 0;
        as_hubspoke(&reply, &hs);
        rw_hubspoke_lister_feed(lister, &hs);
    }
    cli_reg_reply_cleanup(&reply);
    return rw_hubspoke_lister_status(lister, msg);
}

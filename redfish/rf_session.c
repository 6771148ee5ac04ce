#include "rf_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "rf_client_int.h"
#include "rf_http.h"
#include "rw_buf.h"
#include "rw_log.h"

#define RF_CRED_MAX     1024
#define RF_JSON_DEPTH   32
#define RF_ACCEPT       "Accept: application/json"
#define RF_ODATA        "OData-Version: 4.0"
#define RF_TOKEN_HEADER "X-Auth-Token: "

enum rw_rc
rf_session_login_body(const char *user, const char *pass, char **out, struct rw_err *err)
{
    json_object *doc;
    const char *text;
    enum rw_rc rc = RW_OK;

    if (user == NULL || user[0] == '\0' || pass == NULL) {
        return rw_err_set(err, RW_EINVAL, "login needs a username and a password");
    }
    if (strlen(user) > RF_CRED_MAX || strlen(pass) > RF_CRED_MAX) {
        return rw_err_set(err, RW_EINVAL, "username or password longer than %d bytes", RF_CRED_MAX);
    }
    doc = json_object_new_object();
    if (doc == NULL || json_object_object_add(doc, "UserName", json_object_new_string(user)) != 0 ||
        json_object_object_add(doc, "Password", json_object_new_string(pass)) != 0) {
        rc = rw_err_set(err, RW_ENOMEM, "out of memory");
        goto fail;
    }
    text = json_object_to_json_string_ext(doc,
                                          JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    *out = text != NULL ? strdup(text) : NULL;
    if (*out == NULL) {
        rc = rw_err_set(err, RW_ENOMEM, "out of memory");
    }
fail:
    /* json-c keeps its own copy of the password; nothing portable wipes it. */
    json_object_put(doc);
    return rc;
}

/* The "@odata.id" of a login reply body, or NULL; caller frees. */
static char *
body_odata_id(const char *body, size_t len)
{
    json_tokener *tok;
    json_object *root, *id;
    char *copy = NULL;

    if (body == NULL || len == 0 || len > INT32_MAX) {
        return NULL;
    }
    tok = json_tokener_new_ex(RF_JSON_DEPTH);
    if (tok == NULL) {
        return NULL;
    }
    root = json_tokener_parse_ex(tok, body, (int)len);
    if (root != NULL && json_tokener_get_error(tok) == json_tokener_success &&
        json_object_object_get_ex(root, "@odata.id", &id) &&
        json_object_is_type(id, json_type_string)) {
        copy = strdup(json_object_get_string(id));
    }
    json_object_put(root);
    json_tokener_free(tok);
    return copy;
}

static int
token_ok(const char *token)
{
    size_t i, len = token != NULL ? strlen(token) : 0;

    if (len == 0 || len > RF_SESSION_TOKEN_MAX) {
        return 0;
    }
    for (i = 0; i < len; i++) {
        if (token[i] <= 0x20 || token[i] >= 0x7f) {
            return 0;
        }
    }
    return 1;
}

/* The session path from Location, else the body; NULL when neither gives a usable one. */
static enum rw_rc
reply_path(const char *base, const char *location, const char *body, size_t body_len,
           char **path_out, struct rw_err *err)
{
    char *ref = NULL;
    struct rw_err perr;
    enum rw_rc rc = RW_OK;

    *path_out = NULL;
    if (location != NULL && location[0] != '\0') {
        ref = strdup(location);
    } else {
        ref = body_odata_id(body, body_len);
    }
    if (ref == NULL) {
        return RW_OK;
    }
    rw_err_clear(&perr);
    if (rf_http_same_origin_path(base, ref, path_out, &perr) == RW_ENOMEM) {
        rc = rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    free(ref);
    return rc;
}

enum rw_rc
rf_session_parse_reply(const char *base, long status, const char *token, const char *location,
                       const char *body, size_t body_len, char **token_out, char **path_out,
                       struct rw_err *err)
{
    char *copy;
    enum rw_rc rc;

    if (status != 200 && status != 201 && status != 204) {
        return rw_err_set(err, RW_EHTTP, "login answered HTTP %ld", status);
    }
    if (token == NULL) {
        return rw_err_set(err, RW_EHTTP, "login reply has no X-Auth-Token");
    }
    if (!token_ok(token)) {
        return rw_err_set(err, RW_EHTTP, "login reply has a malformed X-Auth-Token");
    }
    copy = strdup(token);
    if (copy == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    rc = reply_path(base, location, body, body_len, path_out, err);
    if (rc != RW_OK) {
        free(copy);
        return rc;
    }
    *token_out = copy;
    return RW_OK;
}

void
rf_hdrs_unref(struct rf_hdrs *hdrs)
{
    if (hdrs != NULL && --hdrs->refs == 0) {
        curl_slist_free_all(hdrs->list);
        free(hdrs);
    }
}

/* Appends one header; 0 when out of memory (the list is then freed and *list NULL). */
static int
hdr_add(struct curl_slist **list, const char *line)
{
    struct curl_slist *grown = curl_slist_append(*list, line);

    if (grown == NULL) {
        curl_slist_free_all(*list);
        *list = NULL;
        return 0;
    }
    *list = grown;
    return 1;
}

/* Accept and OData-Version, plus "X-Auth-Token: token" when token is not NULL. */
static struct curl_slist *
hdr_list(const char *token)
{
    struct curl_slist *list = NULL;
    struct rw_buf line;
    int ok;

    if (!hdr_add(&list, RF_ACCEPT) || !hdr_add(&list, RF_ODATA)) {
        return NULL;
    }
    if (token == NULL) {
        return list;
    }
    rw_buf_init(&line, RF_SESSION_TOKEN_MAX + sizeof(RF_TOKEN_HEADER));
    ok = rw_buf_addf(&line, RF_TOKEN_HEADER "%s", token) == RW_OK &&
         hdr_add(&list, rw_buf_str(&line));
    rw_buf_free(&line);
    return ok ? list : NULL;
}

struct curl_slist *
rf_session_write_hdrs(const struct rf_service *ep, int with_body)
{
    const char *token = ep->sess == RF_SESS_READY ? ep->token : NULL;
    struct curl_slist *list = hdr_list(token);

    if (list != NULL && with_body && !hdr_add(&list, "Content-Type: application/json")) {
        return NULL;
    }
    return list;
}

/*
 * Appends "User-Agent: ua" unless ua is empty (then libcurl sends none, as with
 * CURLOPT_USERAGENT "").  In the list, libcurl copies it into each request as it is;
 * through CURLOPT_USERAGENT it formats it twice per request with its printf (1.7 k of
 * ~180 k instructions per warm GET, callgrind).  0 when out of memory (the list is then
 * freed and *list NULL).
 */
static int
hdr_add_agent(struct curl_slist **list, const char *ua)
{
    struct rw_buf line;
    int ok;

    if (ua == NULL || ua[0] == '\0') {
        return 1;
    }
    rw_buf_init(&line, RF_HTTP_HEADER_MAX);
    /* Longer than a header we keep: left to CURLOPT_USERAGENT, which sends it all. */
    ok = rw_buf_addf(&line, "User-Agent: %s", ua) != RW_OK || hdr_add(list, rw_buf_str(&line));
    rw_buf_free(&line);
    return ok;
}

enum rw_rc
rf_session_hdrs(struct rf_service *ep, struct rw_err *err)
{
    struct rf_hdrs *hdrs = calloc(1, sizeof(*hdrs));
    const char *token = ep->sess == RF_SESS_READY ? ep->token : NULL;

    if (hdrs != NULL) {
        hdrs->list = hdr_list(token);
    }
    if (hdrs != NULL && hdrs->list != NULL) {
        (void)hdr_add_agent(&hdrs->list, ep->client->user_agent);
    }
    if (hdrs == NULL || hdrs->list == NULL) {
        free(hdrs);
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    hdrs->refs = 1;
    rf_hdrs_unref(ep->hdrs);
    ep->hdrs = hdrs;
    return RW_OK;
}

void
rf_session_drop(struct rf_service *ep)
{
    free(ep->token);
    ep->token = NULL;
    free(ep->sess_path);
    ep->sess_path = NULL;
    if (ep->sess == RF_SESS_READY) {
        ep->sess = RF_SESS_NONE;
    }
    /* The next request builds token-free headers; the old list dies with its last user. */
    rf_hdrs_unref(ep->hdrs);
    ep->hdrs = NULL;
}

struct rf_req *
rf_session_login_req(struct rf_service *ep)
{
    struct rf_req *req = rf_req_new(ep, RF_REQ_LOGIN, RF_SESSION_PATH);

    if (req == NULL) {
        return NULL;
    }
    if (rf_session_login_body(ep->user, ep->pass, &req->post, NULL) != RW_OK ||
        !hdr_add(&req->own_hdrs, "Content-Type: application/json") ||
        !hdr_add(&req->own_hdrs, RF_ACCEPT) || !hdr_add(&req->own_hdrs, RF_ODATA)) {
        rf_req_free(req);
        return NULL;
    }
    return req;
}

/* Completes every GET waiting for the session with rc and "login ...: msg". */
static void
fail_waiting(struct rf_service *ep, enum rw_rc rc, const char *msg)
{
    struct rf_req *list = ep->q_head, *req;
    char line[RW_ERR_MSG_MAX];

    snprintf(line, sizeof(line), "login to %.60s failed: %.170s", ep->base, msg);
    rw_log(ep->client->log, RW_LOG_WARNING, "%s", line);
    ep->q_head = NULL;
    ep->q_tail = NULL;
    while (list != NULL) {
        req = list;
        list = req->next;
        req->next = NULL;
        rf_req_complete(req, rc, 0, line);
    }
}

/* Takes the session of a successful login reply; RW_OK or why not. */
static enum rw_rc
session_take(struct rf_req *req, long status, struct rw_err *err)
{
    struct rf_service *ep = req->ep;
    char *token = NULL, *path = NULL;
    enum rw_rc rc;

    rc = rf_session_parse_reply(ep->base, status, req->x_token, req->location,
                                rw_buf_str(&req->body), rw_buf_len(&req->body), &token, &path, err);
    if (rc != RW_OK) {
        return rc;
    }
    rf_session_drop(ep);
    ep->token = token;
    ep->sess_path = path;
    ep->sess = RF_SESS_READY;
    ep->sess_gen++;
    if (path == NULL) {
        rw_log(ep->client->log, RW_LOG_NOTICE, "%s: login gave no session URI; no logout",
               ep->base);
    }
    return rf_session_hdrs(ep, err);
}

void
rf_session_login_done(struct rf_req *req, enum rw_rc rc, long status, const char *msg)
{
    struct rf_service *ep = req->ep;
    struct rw_err err;

    rw_err_clear(&err);
    if (rc == RW_OK) {
        rc = session_take(req, status, &err);
        msg = err.msg;
    }
    rf_req_free(req);
    if (rc == RW_OK) {
        rw_log(ep->client->log, RW_LOG_INFO, "%s: logged in", ep->base);
        rf_sched_pump(ep);
        return;
    }
    rf_session_drop(ep);
    ep->sess = RF_SESS_NONE;
    fail_waiting(ep, rc, msg != NULL ? msg : "");
}

struct rf_req *
rf_session_logout_req(struct rf_service *ep)
{
    struct rf_req *req = NULL;

    if (ep->sess == RF_SESS_READY && ep->sess_path != NULL) {
        req = rf_req_new(ep, RF_REQ_LOGOUT, ep->sess_path);
    }
    if (req != NULL) {
        req->own_hdrs = hdr_list(ep->token);
        req->token = ep->token;
        ep->token = NULL;
        if (req->own_hdrs == NULL) {
            rf_req_free(req);
            req = NULL;
        }
    }
    rf_session_drop(ep);
    return req;
}

void
rf_session_logout_done(struct rf_req *req, enum rw_rc rc, long status, const char *msg)
{
    struct rf_service *ep = req->ep;

    if (rc == RW_OK || status == 404 || status == 401) {
        /* 404/401: the session had already gone (timed out, service restarted). */
        rw_log(ep->client->log, RW_LOG_INFO, "%s: logged out", ep->base);
    } else {
        rw_log(ep->client->log, RW_LOG_WARNING, "%s: logout failed: %s", ep->base,
               msg != NULL ? msg : "");
    }
    rf_req_free(req);
}

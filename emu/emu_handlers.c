#include "emu_handlers.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "emu_auth.h"
#include "emu_query.h"
#include "emu_reply.h"
#include "emu_store.h"

#define SESSIONS_PATH EMU_ROOT "/SessionService/Sessions"
#define ALLOW_COLL    "GET, HEAD, POST"
#define ALLOW_MEMBER  "GET, HEAD, PATCH, DELETE"
#define ALLOW_OTHER   "GET, HEAD, PATCH"
#define ID_MAX        64

/* Everything one request's handling needs, passed to each small handler. */
struct emu_call {
    struct emu_ctx *ctx;
    const struct emu_request *rq;
    struct emu_reply *rp;
    const char *path; /* normalised: no trailing slash */
};

static int64_t
now_s(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec;
}

void
emu_handlers_session_gone(void *arg, const char *id)
{
    struct emu_ctx *ctx = arg;
    char path[EMU_URI_MAX];

    (void)snprintf(path, sizeof(path), "%s/%s", SESSIONS_PATH, id);
    /* The resource may be gone already (a DELETE of it); nothing to do then. */
    if (emu_store_delete(ctx->store, path, NULL) != RW_OK) {
        return;
    }
}

/* Requests that need no credentials: the service roots, and logging in. */
static int
is_open(const struct emu_call *c)
{
    static const char *const open_paths[] = {"/redfish", EMU_ROOT, EMU_ROOT "/odata",
                                             EMU_ROOT "/$metadata"};
    size_t i;

    for (i = 0; i < sizeof(open_paths) / sizeof(open_paths[0]); i++) {
        if (strcmp(c->path, open_paths[i]) == 0) {
            return 1;
        }
    }
    return strcmp(c->rq->method, "POST") == 0 && strcmp(c->path, SESSIONS_PATH) == 0;
}

/* Counts the request for --unauthorized-after and checks credentials; false: answered. */
static int
authorise(struct emu_call *c)
{
    const struct emu_opts *o = c->ctx->opts;
    const struct emu_request *rq = c->rq;

    c->ctx->served++;
    if (o->unauthorized_after > 0 && c->ctx->served > o->unauthorized_after) {
        /* A service that restarted: every session it had is forgotten. */
        emu_auth_forget_all(c->ctx->auth);
        c->ctx->served = 0;
    }
    if (is_open(c) && rq->token == NULL) {
        return 1;
    }
    if (emu_auth_check(c->ctx->auth, rq->token, rq->basic_user, rq->basic_pass, now_s()) ==
            EMU_AUTH_OK ||
        is_open(c)) {
        return 1;
    }
    emu_reply_error(c->rp, 401, EMU_MSG_NO_VALID_SESSION, NULL, NULL);
    c->rp->www_auth = 1;
    return 0;
}

/* The request body as a JSON object (caller puts), or NULL with the error answered. */
static json_object *
body_object(struct emu_call *c)
{
    const struct emu_request *rq = c->rq;
    struct json_tokener *tok;
    json_object *obj = NULL;
    size_t end = 0;

    if (rq->body_too_big) {
        emu_reply_error(c->rp, 413, EMU_MSG_TOO_LARGE, NULL, NULL);
        return NULL;
    }
    tok = json_tokener_new_ex(EMU_DEPTH_MAX);
    if (tok != NULL && rq->body != NULL) {
        obj = json_tokener_parse_ex(tok, rq->body, (int)rq->body_len);
        end = json_tokener_get_parse_end(tok);
    }
    json_tokener_free(tok);
    if (obj == NULL || !json_object_is_type(obj, json_type_object) || end > rq->body_len ||
        strspn(rq->body + end, " \t\r\n") != rq->body_len - end) {
        json_object_put(obj);
        emu_reply_error(c->rp, 400, EMU_MSG_MALFORMED_JSON, NULL, NULL);
        return NULL;
    }
    return obj;
}

/* Answers status with the view of the resource at path (no query applied). */
static void
reply_resource(struct emu_call *c, unsigned status, json_object *res, const char *path)
{
    struct emu_query q = {-1, 0, EMU_EXPAND_NONE, 0, NULL};
    json_object *view = emu_query_view(c->ctx->store, res, path, &q, 0);

    if (view == NULL) {
        emu_reply_error(c->rp, 500, EMU_MSG_INTERNAL, NULL, NULL);
        return;
    }
    emu_reply_json(c->rp, status, view);
    json_object_put(view);
}

/* 405 with the methods the resource at path allows. */
static void
not_allowed(struct emu_call *c, json_object *res)
{
    const char *slash = strrchr(c->path, '/');
    char parent[EMU_URI_MAX];

    c->rp->allow = ALLOW_OTHER;
    if (emu_store_is_collection(res)) {
        c->rp->allow = ALLOW_COLL;
    } else if (slash != NULL && (size_t)(slash - c->path) < sizeof(parent)) {
        (void)snprintf(parent, sizeof(parent), "%.*s", (int)(slash - c->path), c->path);
        if (emu_store_is_collection(emu_store_get(c->ctx->store, parent))) {
            c->rp->allow = ALLOW_MEMBER;
        }
    }
    emu_reply_error(c->rp, 405, EMU_MSG_NOT_ALLOWED, NULL, NULL);
}

static void
do_get(struct emu_call *c, json_object *res)
{
    struct emu_query q;
    const char *bad = NULL;
    json_object *view;

    if (emu_query_parse(c->rq, &q, &bad) != RW_OK) {
        const char *val = strcmp(bad, "$top") == 0    ? c->rq->top
                          : strcmp(bad, "$skip") == 0 ? c->rq->skip
                                                      : c->rq->expand;
        emu_reply_error(c->rp, 400, EMU_MSG_QUERY_VALUE, val, bad);
        return;
    }
    if (c->rq->unsupported != NULL || (q.expand != EMU_EXPAND_NONE && c->ctx->opts->no_expand)) {
        emu_reply_error(c->rp, 501, EMU_MSG_QUERY_NOT_SUPPORTED, NULL, NULL);
        return;
    }
    if (q.expand == EMU_EXPAND_NONE && !emu_store_is_collection(res)) {
        /* The common case needs no view: the store holds no passwords (scrubbed at
         * load, nulled on every write), so the resource is served as it is. */
        emu_reply_json(c->rp, 200, res);
        return;
    }
    view = emu_query_view(c->ctx->store, res, c->path, &q, c->ctx->opts->page_size);
    if (view == NULL) {
        emu_reply_error(c->rp, 500, EMU_MSG_INTERNAL, NULL, NULL);
        return;
    }
    emu_reply_json(c->rp, 200, view);
    json_object_put(view);
}

/* The string property key of obj, or NULL. */
static const char *
string_prop(json_object *obj, const char *key)
{
    json_object *v;

    if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string)) {
        return NULL;
    }
    return json_object_get_string(v);
}

/* Stores a new member of coll from body and answers 201 with Location. */
static void
create_member(struct emu_call *c, const char *coll, const char *id, json_object *body)
{
    struct rw_err err = {0};
    json_object *res = NULL;
    enum rw_rc rc = emu_store_create(c->ctx->store, coll, id, body, &res, &err);

    if (rc == RW_EINVAL) {
        emu_reply_error(c->rp, 400, EMU_MSG_ALREADY_EXISTS, "resource", "Id");
        return;
    }
    if (rc != RW_OK) {
        emu_reply_error(c->rp, 500, EMU_MSG_INTERNAL, NULL, NULL);
        return;
    }
    (void)snprintf(c->rp->location, sizeof(c->rp->location), "%s/%s", coll, id);
    reply_resource(c, 201, res, c->rp->location);
}

/* The Id for a new member: the body's own when usable, else the next free number. */
static int
member_id(struct emu_call *c, json_object *body, char *id, size_t size)
{
    const char *want = string_prop(body, "Id");

    if (want != NULL && want[0] != '\0' && strlen(want) < size && strpbrk(want, "/?#") == NULL) {
        (void)snprintf(id, size, "%s", want);
        return 1;
    }
    if (emu_store_next_id(c->ctx->store, c->path, id, size, NULL) != RW_OK) {
        emu_reply_error(c->rp, 500, EMU_MSG_INTERNAL, NULL, NULL);
        return 0;
    }
    return 1;
}

/* POST to SessionService/Sessions: log in. */
static void
do_login(struct emu_call *c, json_object *body)
{
    const char *user = string_prop(body, "UserName"), *pass = string_prop(body, "Password");
    char id[ID_MAX], token[EMU_TOKEN_LEN + 1];
    enum emu_auth_result r;
    json_object *sess;

    if (user == NULL || pass == NULL) {
        emu_reply_error(c->rp, 400, EMU_MSG_PROPERTY_MISSING,
                        user == NULL ? "UserName" : "Password", NULL);
        return;
    }
    if (emu_store_next_id(c->ctx->store, SESSIONS_PATH, id, sizeof(id), NULL) != RW_OK) {
        emu_reply_error(c->rp, 503, EMU_MSG_SESSION_LIMIT, NULL, NULL);
        return;
    }
    r = emu_auth_login(c->ctx->auth, user, pass, id, now_s(), token);
    if (r != EMU_AUTH_OK) {
        emu_reply_error(c->rp, r == EMU_AUTH_LIMIT ? 503 : 401,
                        r == EMU_AUTH_LIMIT ? EMU_MSG_SESSION_LIMIT : EMU_MSG_NO_VALID_SESSION,
                        NULL, NULL);
        return;
    }
    sess = json_object_new_object();
    json_object_object_add(sess, "@odata.type", json_object_new_string("#Session.v1_0_0.Session"));
    json_object_object_add(sess, "Name", json_object_new_string("User Session"));
    json_object_object_add(sess, "UserName", json_object_new_string(user));
    create_member(c, SESSIONS_PATH, id, sess);
    json_object_put(sess);
    if (c->rp->status != 201) {
        (void)emu_auth_logout(c->ctx->auth, id);
        return;
    }
    memcpy(c->rp->token, token, sizeof(token));
}

/* An aggregation source needs its HostName and starts out healthy. */
static int
prepare_aggregation_source(struct emu_call *c, json_object *body)
{
    json_object *status;

    if (string_prop(body, "HostName") == NULL) {
        emu_reply_error(c->rp, 400, EMU_MSG_PROPERTY_MISSING, "HostName", NULL);
        return 0;
    }
    if (!json_object_object_get_ex(body, "Status", NULL)) {
        status = json_object_new_object();
        json_object_object_add(status, "State", json_object_new_string("Enabled"));
        json_object_object_add(status, "Health", json_object_new_string("OK"));
        json_object_object_add(body, "Status", status);
    }
    return 1;
}

/* True when path ends with /suffix. */
static int
ends_with(const char *path, const char *suffix)
{
    size_t lp = strlen(path), ls = strlen(suffix);

    return lp > ls && path[lp - ls - 1] == '/' && strcmp(path + lp - ls, suffix) == 0;
}

static void
do_post(struct emu_call *c, json_object *res)
{
    char id[ID_MAX];
    json_object *body;

    if (!emu_store_is_collection(res)) {
        not_allowed(c, res);
        return;
    }
    body = body_object(c);
    if (body == NULL) {
        return;
    }
    if (strcmp(c->path, SESSIONS_PATH) == 0) {
        do_login(c, body);
    } else if ((!ends_with(c->path, "AggregationSources") || prepare_aggregation_source(c, body)) &&
               member_id(c, body, id, sizeof(id))) {
        create_member(c, c->path, id, body);
    }
    json_object_put(body);
}

/* POST to .../Actions/X of an existing resource: accepted, nothing changes. */
static int
do_action(struct emu_call *c)
{
    const char *act = strstr(c->path, "/Actions/");
    char base[EMU_URI_MAX];

    if (act == NULL || strcmp(c->rq->method, "POST") != 0 ||
        (size_t)(act - c->path) >= sizeof(base)) {
        return 0;
    }
    (void)snprintf(base, sizeof(base), "%.*s", (int)(act - c->path), c->path);
    if (emu_store_get(c->ctx->store, base) == NULL) {
        return 0;
    }
    c->rp->status = 204;
    return 1;
}

static void
do_patch(struct emu_call *c, json_object *res)
{
    json_object *body;

    if (emu_store_is_collection(res)) {
        not_allowed(c, res);
        return;
    }
    body = body_object(c);
    if (body == NULL) {
        return;
    }
    emu_store_patch(res, body);
    json_object_put(body);
    reply_resource(c, 200, res, c->path);
}

static void
do_delete(struct emu_call *c, json_object *res)
{
    size_t plen = strlen(SESSIONS_PATH);

    if (emu_store_delete(c->ctx->store, c->path, NULL) != RW_OK) {
        not_allowed(c, res);
        return;
    }
    if (strncmp(c->path, SESSIONS_PATH "/", plen + 1) == 0) {
        (void)emu_auth_logout(c->ctx->auth, c->path + plen + 1);
    }
    c->rp->status = 204;
}

/* The /redfish document: where version 1 lives. */
static void
do_versions(struct emu_call *c)
{
    json_object *doc = json_object_new_object();

    json_object_object_add(doc, "v1", json_object_new_string(EMU_ROOT "/"));
    emu_reply_json(c->rp, 200, doc);
    json_object_put(doc);
}

/* GET of an XML document ($metadata); false when path has none. */
static int
do_xml(struct emu_call *c)
{
    const char *m = c->rq->method;
    const char *xml;

    if (strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0) {
        return 0;
    }
    xml = emu_store_get_xml(c->ctx->store, c->path);
    if (xml == NULL) {
        return 0;
    }
    c->rp->body = strdup(xml);
    if (c->rp->body == NULL) {
        emu_reply_error(c->rp, 500, EMU_MSG_INTERNAL, NULL, NULL);
        return 1;
    }
    c->rp->len = strlen(xml);
    c->rp->status = 200;
    c->rp->content_type = "application/xml";
    return 1;
}

/* Dispatches on the method; called with ctx->lock held and credentials checked. */
static void
dispatch(struct emu_call *c)
{
    const char *m = c->rq->method;
    json_object *res;

    if (strcmp(c->path, "/redfish") == 0 && (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0)) {
        do_versions(c);
        return;
    }
    if (do_action(c) || do_xml(c)) {
        return;
    }
    res = emu_store_get(c->ctx->store, c->path);
    if (res == NULL) {
        emu_reply_error(c->rp, 404, EMU_MSG_RESOURCE_MISSING, c->rq->path, NULL);
    } else if (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0) {
        do_get(c, res);
    } else if (strcmp(m, "POST") == 0) {
        do_post(c, res);
    } else if (strcmp(m, "PATCH") == 0) {
        do_patch(c, res);
    } else if (strcmp(m, "DELETE") == 0) {
        do_delete(c, res);
    } else {
        not_allowed(c, res);
    }
}

void
emu_handle(struct emu_ctx *ctx, const struct emu_request *rq, struct emu_reply *rp)
{
    char path[EMU_URI_MAX];
    size_t len = (size_t)snprintf(path, sizeof(path), "%s", rq->path);
    struct emu_call c = {ctx, rq, rp, path};

    if (len >= sizeof(path) || strncmp(path, "/redfish", 8) != 0 ||
        (path[8] != '\0' && path[8] != '/')) {
        emu_reply_error(rp, 404, EMU_MSG_RESOURCE_MISSING, rq->path, NULL);
        return;
    }
    while (len > 1 && path[len - 1] == '/') {
        path[--len] = '\0';
    }
    (void)pthread_mutex_lock(&ctx->lock);
    if (authorise(&c)) {
        dispatch(&c);
    }
    (void)pthread_mutex_unlock(&ctx->lock);
}

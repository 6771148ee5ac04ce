#include "rw_hubspoke_list.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

struct rw_hubspoke_lister {
    char page[RW_HUBSPOKE_PATH_MAX]; /* the page to read, "" when every page is read */
    int pages;                       /* pages read */
    struct rw_hubspoke_source *src;
    size_t n, cap;
    size_t cursor; /* sources below it have been read */
    int done;
    enum rw_rc rc;
    char msg[RW_HUBSPOKE_DETAIL_MAX];
};

enum rw_rc
rw_hubspoke_lister_new(const char *path, struct rw_hubspoke_lister **out, struct rw_err *err)
{
    struct rw_hubspoke_lister *l;

    path = path != NULL ? path : RW_HUBSPOKE_SOURCES_DEFAULT;
    if (!rw_hubspoke_path_ok(path)) {
        return rw_err_set(err, RW_EINVAL, "'%s' is not an absolute path", path);
    }
    l = calloc(1, sizeof(*l));
    if (l == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    (void)snprintf(l->page, sizeof(l->page), "%s", path);
    *out = l;
    return RW_OK;
}

void
rw_hubspoke_lister_free(struct rw_hubspoke_lister *lister)
{
    if (lister != NULL) {
        free(lister->src);
        free(lister);
    }
}

/* Ends the lister with an error. */
static void fail(struct rw_hubspoke_lister *l, enum rw_rc rc, const char *fmt, ...) RW_PRINTF(3, 4);

static void
fail(struct rw_hubspoke_lister *l, enum rw_rc rc, const char *fmt, ...)
{
    va_list ap;

    l->rc = rc;
    l->done = 1;
    va_start(ap, fmt);
    (void)vsnprintf(l->msg, sizeof(l->msg), fmt, ap);
    va_end(ap);
}

const char *
rw_hubspoke_lister_next(const struct rw_hubspoke_lister *lister)
{
    size_t i;

    if (lister->done) {
        return NULL;
    }
    if (lister->page[0] != '\0') {
        return lister->page;
    }
    for (i = lister->cursor; i < lister->n; i++) {
        if (!lister->src[i].read) {
            return lister->src[i].path;
        }
    }
    return NULL;
}

/* Copies a string member of obj into dst (cut to len), or "" when absent. */
static void
copy_str(json_object *obj, const char *key, char *dst, size_t len)
{
    const char *s = rw_hubspoke_json_str(obj, key);

    (void)snprintf(dst, len, "%s", s != NULL ? s : "");
}

/* Fills src from a member document (inline or read on its own). */
static void
take_member(struct rw_hubspoke_source *src, json_object *m)
{
    json_object *status = NULL;
    const char *host = rw_hubspoke_json_str(m, "HostName");

    copy_str(m, "Name", src->name, sizeof(src->name));
    if (src->name[0] == '\0') {
        copy_str(m, "Id", src->name, sizeof(src->name));
    }
    if (host != NULL && strlen(host) < sizeof(src->hostname)) {
        (void)snprintf(src->hostname, sizeof(src->hostname), "%s", host);
    }
    if (json_object_object_get_ex(m, "Status", &status)) {
        copy_str(status, "Health", src->health, sizeof(src->health));
        copy_str(status, "State", src->state, sizeof(src->state));
    }
    src->read = 1;
}

/* Appends one member of a page; 0 when the lister failed. */
static int
add_member(struct rw_hubspoke_lister *l, json_object *m)
{
    const char *id = rw_hubspoke_json_str(m, "@odata.id");
    struct rw_hubspoke_source *grown;
    size_t cap;

    if (id == NULL || !rw_hubspoke_path_ok(id)) {
        fail(l, RW_EPARSE, "a member of %s has no usable @odata.id", l->page);
        return 0;
    }
    if (l->n >= RW_HUBSPOKE_SOURCES_MAX) {
        fail(l, RW_ETOOBIG, "more than %d AggregationSources", RW_HUBSPOKE_SOURCES_MAX);
        return 0;
    }
    if (l->n == l->cap) {
        cap = l->cap == 0 ? 16 : l->cap * 2;
        grown = realloc(l->src, cap * sizeof(*grown));
        if (grown == NULL) {
            fail(l, RW_ENOMEM, "out of memory");
            return 0;
        }
        l->src = grown;
        l->cap = cap;
    }
    memset(&l->src[l->n], 0, sizeof(l->src[l->n]));
    (void)snprintf(l->src[l->n].path, sizeof(l->src[l->n].path), "%s", id);
    if (rw_hubspoke_json_str(m, "HostName") != NULL) {
        take_member(&l->src[l->n], m);
    }
    l->n++;
    return 1;
}

/* A page of the collection: its members, then the next page if any. */
static void
on_page(struct rw_hubspoke_lister *l, json_object *doc)
{
    json_object *members = NULL;
    const char *next = rw_hubspoke_json_str(doc, "Members@odata.nextLink");
    size_t i, n;

    if (!json_object_object_get_ex(doc, "Members", &members) ||
        !json_object_is_type(members, json_type_array)) {
        fail(l, RW_EPARSE, "%s is not a collection (no Members array)", l->page);
        return;
    }
    n = json_object_array_length(members);
    for (i = 0; i < n; i++) {
        if (!add_member(l, json_object_array_get_idx(members, i))) {
            return;
        }
    }
    l->pages++;
    if (next != NULL && (!rw_hubspoke_path_ok(next) || l->pages >= RW_HUBSPOKE_PAGES_MAX)) {
        fail(l, RW_ETOOBIG, "%s: nextLink '%.64s' unusable or more than %d pages", l->page, next,
             RW_HUBSPOKE_PAGES_MAX);
        return;
    }
    (void)snprintf(l->page, sizeof(l->page), "%s", next != NULL ? next : "");
}

/* The source being read: the first unread one. */
static struct rw_hubspoke_source *
current(struct rw_hubspoke_lister *l)
{
    while (l->cursor < l->n && l->src[l->cursor].read) {
        l->cursor++;
    }
    return l->cursor < l->n ? &l->src[l->cursor] : NULL;
}

void
rw_hubspoke_lister_feed(struct rw_hubspoke_lister *lister, const struct rw_hubspoke_reply *reply)
{
    const char *path = rw_hubspoke_lister_next(lister);
    struct rw_hubspoke_source *src;
    json_object *doc;

    if (path == NULL) {
        return;
    }
    if (reply->rc != RW_OK) {
        fail(lister,
             reply->rc == RW_EHTTP && reply->status >= 400 && reply->status < 500 &&
                     reply->status != 401 && reply->status != 403
                 ? RW_EPARSE
                 : reply->rc,
             "GET %s: %s", path, reply->msg != NULL ? reply->msg : rw_rc_name(reply->rc));
        return;
    }
    doc = rw_hubspoke_json_parse(reply->body, reply->len);
    if (doc == NULL || !json_object_is_type(doc, json_type_object)) {
        json_object_put(doc);
        fail(lister, RW_EPARSE, "%s is not a JSON object", path);
        return;
    }
    if (lister->page[0] != '\0') {
        on_page(lister, doc);
    } else if ((src = current(lister)) != NULL) {
        take_member(src, doc);
    }
    json_object_put(doc);
    if (!lister->done && rw_hubspoke_lister_next(lister) == NULL) {
        lister->done = 1;
    }
}

enum rw_rc
rw_hubspoke_lister_status(const struct rw_hubspoke_lister *lister, const char **msg)
{
    if (!lister->done) {
        *msg = "the hub did not list its AggregationSources in time";
        return RW_ETIMEOUT;
    }
    *msg = lister->msg;
    return lister->rc;
}

size_t
rw_hubspoke_lister_count(const struct rw_hubspoke_lister *lister)
{
    return lister->n;
}

const struct rw_hubspoke_source *
rw_hubspoke_lister_get(const struct rw_hubspoke_lister *lister, size_t i)
{
    return i < lister->n ? &lister->src[i] : NULL;
}

#include "emu_query.h"

#include <stdio.h>
#include <string.h>

#include "rw_parse.h"

/* Parses an expand value: "*", "." or "~", then optionally "($levels=N)". */
static enum rw_rc
parse_expand(const char *s, struct emu_query *q)
{
    int64_t levels = 1;
    char num[16];
    size_t n;

    switch (s[0]) {
    case '*':
        q->expand = EMU_EXPAND_ALL;
        break;
    case '.':
        q->expand = EMU_EXPAND_SUB;
        break;
    case '~':
        q->expand = EMU_EXPAND_LINKS;
        break;
    default:
        return RW_EPARSE;
    }
    s++;
    if (*s != '\0') {
        if (strncmp(s, "($levels=", 9) != 0) {
            return RW_EPARSE;
        }
        s += 9;
        n = strcspn(s, ")");
        if (n == 0 || n >= sizeof(num) || strcmp(s + n, ")") != 0) {
            return RW_EPARSE;
        }
        memcpy(num, s, n);
        num[n] = '\0';
        if (rw_parse_i64(num, 1, EMU_EXPAND_LEVELS, &levels) != RW_OK) {
            return RW_EPARSE;
        }
    }
    q->levels = (int)levels;
    return RW_OK;
}

enum rw_rc
emu_query_parse(const struct emu_request *rq, struct emu_query *q, const char **bad)
{
    q->top = -1;
    q->skip = 0;
    q->expand = EMU_EXPAND_NONE;
    q->levels = 0;
    q->expand_text = rq->expand;
    if (rq->top != NULL && rw_parse_i64(rq->top, 0, INT32_MAX, &q->top) != RW_OK) {
        *bad = "$top";
        return RW_EPARSE;
    }
    if (rq->skip != NULL && rw_parse_i64(rq->skip, 0, INT32_MAX, &q->skip) != RW_OK) {
        *bad = "$skip";
        return RW_EPARSE;
    }
    if (rq->expand != NULL && parse_expand(rq->expand, q) != RW_OK) {
        *bad = "$expand";
        return RW_EPARSE;
    }
    return RW_OK;
}

struct view_ctx {
    const struct emu_store *store;
    enum emu_expand mode;
};

static json_object *view_node(const struct view_ctx *vc, json_object *node, int levels,
                              int in_links);

/* The resource a {"@odata.id": X} object refers to when it is to be expanded, or NULL. */
static json_object *
expand_target(const struct view_ctx *vc, json_object *obj, int levels, int in_links)
{
    json_object *id;
    char path[EMU_URI_MAX];
    size_t len;

    if (levels <= 0 || json_object_object_length(obj) != 1 ||
        !json_object_object_get_ex(obj, "@odata.id", &id)) {
        return NULL;
    }
    if (vc->mode == EMU_EXPAND_SUB && in_links) {
        return NULL;
    }
    if (vc->mode == EMU_EXPAND_LINKS && !in_links) {
        return NULL;
    }
    len = (size_t)snprintf(path, sizeof(path), "%s", json_object_get_string(id));
    while (len > 1 && len < sizeof(path) && path[len - 1] == '/') {
        path[--len] = '\0';
    }
    return emu_store_get(vc->store, path);
}

/* A copy of an object, its values viewed in turn; Password hidden. */
static json_object *
view_object(const struct view_ctx *vc, json_object *obj, int levels, int in_links)
{
    json_object *out = json_object_new_object();

    if (out == NULL) {
        return NULL;
    }
    json_object_object_foreach(obj, key, val)
    {
        if (strcmp(key, "Password") == 0) {
            json_object_object_add(out, key, NULL);
            continue;
        }
        json_object_object_add(out, key,
                               view_node(vc, val, levels, in_links || strcmp(key, "Links") == 0));
    }
    return out;
}

static json_object *
view_node(const struct view_ctx *vc, json_object *node, int levels, int in_links)
{
    json_object *target, *out;
    size_t i, n;

    if (json_object_is_type(node, json_type_object)) {
        target = expand_target(vc, node, levels, in_links);
        if (target != NULL) {
            /* An expanded resource starts outside any Links of its own. */
            return view_node(vc, target, levels - 1, 0);
        }
        return view_object(vc, node, levels, in_links);
    }
    if (!json_object_is_type(node, json_type_array)) {
        return json_object_get(node);
    }
    n = json_object_array_length(node);
    out = json_object_new_array_ext((int)n);
    for (i = 0; out != NULL && i < n; i++) {
        json_object_array_add(out,
                              view_node(vc, json_object_array_get_idx(node, i), levels, in_links));
    }
    return out;
}

/* The nextLink of a page that ends at member index end of total; NULL when last. */
static json_object *
next_link(const char *path, const struct emu_query *q, int64_t end, int64_t total)
{
    char link[EMU_URI_MAX + 128];
    int n;

    if (end >= total || (q->top >= 0 && end >= q->skip + q->top)) {
        return NULL;
    }
    n = snprintf(link, sizeof(link), "%s?$skip=%lld", path, (long long)end);
    if (q->top >= 0) {
        n += snprintf(link + n, sizeof(link) - (size_t)n, "&$top=%lld",
                      (long long)(q->skip + q->top - end));
    }
    if (q->expand_text != NULL && (size_t)n < sizeof(link)) {
        (void)snprintf(link + n, sizeof(link) - (size_t)n, "&$expand=%s", q->expand_text);
    }
    return json_object_new_string(link);
}

/* res with Members cut to the page q and page_size ask for; a new object. */
static json_object *
page_of(json_object *res, const char *path, const struct emu_query *q, int64_t page_size)
{
    json_object *members = json_object_object_get(res, "Members");
    json_object *out = json_object_new_object(), *slice;
    int64_t total = (int64_t)json_object_array_length(members), start, count, i;

    start = q->skip < total ? q->skip : total;
    count = total - start;
    if (q->top >= 0 && q->top < count) {
        count = q->top;
    }
    if (page_size > 0 && page_size < count) {
        count = page_size;
    }
    slice = json_object_new_array_ext((int)count);
    if (out == NULL || slice == NULL) {
        json_object_put(out);
        json_object_put(slice);
        return NULL;
    }
    for (i = start; i < start + count; i++) {
        json_object_array_add(slice,
                              json_object_get(json_object_array_get_idx(members, (size_t)i)));
    }
    json_object_object_foreach(res, key, val)
    {
        if (strcmp(key, "Members") != 0 && strcmp(key, "Members@odata.nextLink") != 0) {
            json_object_object_add(out, key, json_object_get(val));
        }
    }
    json_object_object_add(out, "Members", slice);
    json_object_object_add(out, "Members@odata.count", json_object_new_int64(total));
    json_object_object_add(out, "Members@odata.nextLink", next_link(path, q, start + count, total));
    if (json_object_is_type(json_object_object_get(out, "Members@odata.nextLink"),
                            json_type_null)) {
        json_object_object_del(out, "Members@odata.nextLink");
    }
    return out;
}

json_object *
emu_query_view(const struct emu_store *store, json_object *res, const char *path,
               const struct emu_query *q, int64_t page_size)
{
    struct view_ctx vc = {store, q->expand};
    json_object *paged = NULL, *out;

    if (emu_store_is_collection(res)) {
        paged = page_of(res, path, q, page_size);
        if (paged == NULL) {
            return NULL;
        }
        res = paged;
    }
    out = view_node(&vc, res, q->expand != EMU_EXPAND_NONE ? q->levels : 0, 0);
    json_object_put(paged);
    return out;
}

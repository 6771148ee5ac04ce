#include "emu_store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emu_int.h"
#include "rw_parse.h"

struct emu_store {
    json_object *index; /* path -> resource */
    json_object *xml;   /* path -> the text of an index.xml ($metadata), as a JSON string */
    size_t files;
};

/* Reads the whole of path into a NUL-terminated string (caller frees), capped. */
static enum rw_rc
read_file(const char *path, char **out, struct rw_err *err)
{
    struct stat st;
    char *data = NULL;
    size_t got = 0;
    enum rw_rc rc;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        (void)rw_err_set(err, RW_EINVAL, "%s: %s", path, strerror(errno));
        return RW_EINVAL;
    }
    if (fstat(fd, &st) != 0 || st.st_size > EMU_FILE_MAX) {
        rc = RW_ETOOBIG;
        (void)rw_err_set(err, rc, "%s: larger than %d bytes", path, EMU_FILE_MAX);
        goto fail;
    }
    data = malloc((size_t)st.st_size + 1);
    if (data == NULL) {
        rc = RW_ENOMEM;
        (void)rw_err_set(err, rc, "%s: out of memory", path);
        goto fail;
    }
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, data + got, (size_t)st.st_size - got);
        if (n <= 0) {
            rc = RW_EINVAL;
            (void)rw_err_set(err, rc, "%s: read failed", path);
            goto fail;
        }
        got += (size_t)n;
    }
    data[got] = '\0';
    (void)close(fd);
    *out = data;
    return RW_OK;
fail:
    free(data);
    (void)close(fd);
    return rc;
}

/* Parses text as one JSON object, only white space after it, nesting capped. */
static enum rw_rc
parse_object(const char *path, const char *text, json_object **out, struct rw_err *err)
{
    struct json_tokener *tok = json_tokener_new_ex(EMU_DEPTH_MAX);
    json_object *obj;
    size_t len = strlen(text), end;

    if (tok == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    obj = json_tokener_parse_ex(tok, text, (int)len);
    end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (obj == NULL || !json_object_is_type(obj, json_type_object) || end > len ||
        strspn(text + end, " \t\r\n") != len - end) {
        json_object_put(obj);
        return rw_err_set(err, RW_EPARSE, "%s: not a JSON object", path);
    }
    *out = obj;
    return RW_OK;
}

/* Sets every Password property under node to null: the store never holds one. */
static void
scrub_passwords(json_object *node, int depth)
{
    size_t i, n;

    if (depth > EMU_DEPTH_MAX) {
        return;
    }
    if (json_object_is_type(node, json_type_array)) {
        n = json_object_array_length(node);
        for (i = 0; i < n; i++) {
            scrub_passwords(json_object_array_get_idx(node, i), depth + 1);
        }
        return;
    }
    if (!json_object_is_type(node, json_type_object)) {
        return;
    }
    json_object_object_foreach(node, key, val)
    {
        if (strcmp(key, "Password") == 0) {
            json_object_object_add(node, key, NULL);
        } else {
            scrub_passwords(val, depth + 1);
        }
    }
}

/* Loads fsdir/index.xml (the $metadata document) as the text at uri, when it exists. */
static enum rw_rc
load_xml(struct emu_store *store, const char *fsdir, const char *uri, struct rw_err *err)
{
    char file[PATH_MAX];
    char *text = NULL;
    enum rw_rc rc;

    if ((size_t)snprintf(file, sizeof(file), "%s/index.xml", fsdir) >= sizeof(file) ||
        access(file, F_OK) != 0) {
        return RW_OK;
    }
    if (++store->files > EMU_FILES_MAX) {
        return rw_err_set(err, RW_ETOOBIG, "%s: more than %d resources", fsdir, EMU_FILES_MAX);
    }
    rc = read_file(file, &text, err);
    if (rc == RW_OK) {
        json_object_object_add(store->xml, uri, json_object_new_string(text));
    }
    free(text);
    return rc;
}

/* Loads fsdir/index.json as the resource at uri, when the file exists. */
static enum rw_rc
load_index(struct emu_store *store, const char *fsdir, const char *uri, struct rw_err *err)
{
    char file[PATH_MAX];
    char *text = NULL;
    json_object *obj = NULL;
    enum rw_rc rc;

    if ((size_t)snprintf(file, sizeof(file), "%s/index.json", fsdir) >= sizeof(file)) {
        return rw_err_set(err, RW_ETOOBIG, "%s: path too long", fsdir);
    }
    if (access(file, F_OK) != 0) {
        return load_xml(store, fsdir, uri, err);
    }
    if (++store->files > EMU_FILES_MAX) {
        return rw_err_set(err, RW_ETOOBIG, "%s: more than %d resources", fsdir, EMU_FILES_MAX);
    }
    rc = read_file(file, &text, err);
    if (rc == RW_OK) {
        rc = parse_object(file, text, &obj, err);
    }
    free(text);
    if (rc == RW_OK) {
        scrub_passwords(obj, 0);
        json_object_object_add(store->index, uri, obj);
    }
    return rc;
}

static enum rw_rc load_tree(struct emu_store *store, const char *fsdir, const char *uri, int depth,
                            struct rw_err *err);

/* Descends into the entry name of fsdir when it is a folder. */
static enum rw_rc
load_entry(struct emu_store *store, const char *fsdir, const char *uri, const char *name, int depth,
           struct rw_err *err)
{
    char sub[PATH_MAX], suburi[EMU_URI_MAX];
    struct stat st;

    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
        return RW_OK;
    }
    if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", fsdir, name) >= sizeof(sub) ||
        (size_t)snprintf(suburi, sizeof(suburi), "%s/%s", uri, name) >= sizeof(suburi)) {
        return rw_err_set(err, RW_ETOOBIG, "%s/%s: path too long", fsdir, name);
    }
    if (stat(sub, &st) != 0 || !S_ISDIR(st.st_mode)) {
        return RW_OK;
    }
    return load_tree(store, sub, suburi, depth + 1, err);
}

static enum rw_rc
load_tree(struct emu_store *store, const char *fsdir, const char *uri, int depth,
          struct rw_err *err)
{
    DIR *dir;
    struct dirent *de;
    enum rw_rc rc;

    if (depth > EMU_DEPTH_MAX) {
        return rw_err_set(err, RW_ETOOBIG, "%s: nested deeper than %d", fsdir, EMU_DEPTH_MAX);
    }
    rc = load_index(store, fsdir, uri, err);
    if (rc != RW_OK) {
        return rc;
    }
    dir = opendir(fsdir);
    if (dir == NULL) {
        return rw_err_set(err, RW_EINVAL, "%s: %s", fsdir, strerror(errno));
    }
    while (rc == RW_OK && (de = readdir(dir)) != NULL) {
        rc = load_entry(store, fsdir, uri, de->d_name, depth, err);
    }
    (void)closedir(dir);
    return rc;
}

enum rw_rc
emu_store_load(const char *dir, struct emu_store **out, struct rw_err *err)
{
    char root[PATH_MAX];
    struct emu_store *store;
    enum rw_rc rc;

    if ((size_t)snprintf(root, sizeof(root), "%s/index.json", dir) >= sizeof(root) ||
        access(root, R_OK) != 0) {
        return rw_err_set(err, RW_EINVAL, "no index.json in '%s': not a Redfish mockup directory",
                          dir);
    }
    store = calloc(1, sizeof(*store));
    if (store == NULL || (store->index = json_object_new_object()) == NULL ||
        (store->xml = json_object_new_object()) == NULL) {
        emu_store_free(store);
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    rc = load_tree(store, dir, EMU_ROOT, 0, err);
    if (rc != RW_OK) {
        emu_store_free(store);
        return rc;
    }
    *out = store;
    return RW_OK;
}

void
emu_store_free(struct emu_store *store)
{
    if (store == NULL) {
        return;
    }
    json_object_put(store->index);
    json_object_put(store->xml);
    free(store);
}

json_object *
emu_store_get(const struct emu_store *store, const char *path)
{
    json_object *res = NULL;

    if (!json_object_object_get_ex(store->index, path, &res)) {
        return NULL;
    }
    return res;
}

const char *
emu_store_get_xml(const struct emu_store *store, const char *path)
{
    json_object *text = NULL;

    if (!json_object_object_get_ex(store->xml, path, &text)) {
        return NULL;
    }
    return json_object_get_string(text);
}

int
emu_store_is_collection(json_object *res)
{
    json_object *members;

    return res != NULL && json_object_object_get_ex(res, "Members", &members) &&
           json_object_is_type(members, json_type_array);
}

/* The Members array of the collection at coll, borrowed, or NULL. */
static json_object *
members_of(const struct emu_store *store, const char *coll)
{
    json_object *res = emu_store_get(store, coll), *members;

    if (res == NULL || !json_object_object_get_ex(res, "Members", &members) ||
        !json_object_is_type(members, json_type_array)) {
        return NULL;
    }
    return members;
}

enum rw_rc
emu_store_next_id(const struct emu_store *store, const char *coll, char *buf, size_t size,
                  struct rw_err *err)
{
    json_object *members = members_of(store, coll);
    size_t n = members != NULL ? json_object_array_length(members) : 0;
    char path[EMU_URI_MAX];
    int64_t id;

    if (n >= EMU_MEMBERS_MAX) {
        return rw_err_set(err, RW_ETOOBIG, "%s: more than %d members", coll, EMU_MEMBERS_MAX);
    }
    /* At most n ids are taken, so one of 1..n+1 is free. */
    for (id = 1; id <= (int64_t)n + 1; id++) {
        (void)snprintf(buf, size, "%lld", (long long)id);
        (void)snprintf(path, sizeof(path), "%s/%s", coll, buf);
        if (emu_store_get(store, path) == NULL) {
            break;
        }
    }
    return RW_OK;
}

/* "#FooCollection.FooCollection" -> "#Foo.v1_0_0.Foo" into buf; "" when not that shape. */
static void
member_type(json_object *coll, char *buf, size_t size)
{
    json_object *t;
    const char *s, *dot;
    size_t n;

    buf[0] = '\0';
    if (!json_object_object_get_ex(coll, "@odata.type", &t)) {
        return;
    }
    s = json_object_get_string(t);
    dot = s != NULL ? strstr(s, "Collection.") : NULL;
    if (s == NULL || s[0] != '#' || dot == NULL) {
        return;
    }
    n = (size_t)(dot - s - 1);
    (void)snprintf(buf, size, "#%.*s.v1_0_0.%.*s", (int)n, s + 1, (int)n, s + 1);
}

/* Sets key in obj to a new string value unless obj has it already. */
static void
default_string(json_object *obj, const char *key, const char *value)
{
    if (value[0] != '\0' && !json_object_object_get_ex(obj, key, NULL)) {
        json_object_object_add(obj, key, json_object_new_string(value));
    }
}

/* A new member from body, ids and type filled in; NULL on allocation failure. */
static json_object *
member_new(json_object *collres, const char *path, const char *id, json_object *body)
{
    json_object *res = NULL;
    char type[256];

    if (json_object_deep_copy(body, &res, NULL) != 0) {
        return NULL;
    }
    json_object_object_add(res, "@odata.id", json_object_new_string(path));
    json_object_object_add(res, "Id", json_object_new_string(id));
    member_type(collres, type, sizeof(type));
    default_string(res, "@odata.type", type);
    default_string(res, "Name", id);
    scrub_passwords(res, 0);
    return res;
}

/* Writes Members@odata.count of collres from its Members array. */
static void
update_count(json_object *collres, json_object *members)
{
    json_object_object_add(collres, "Members@odata.count",
                           json_object_new_int64((int64_t)json_object_array_length(members)));
}

enum rw_rc
emu_store_create(struct emu_store *store, const char *coll, const char *id, json_object *body,
                 json_object **out, struct rw_err *err)
{
    json_object *collres = emu_store_get(store, coll), *members = members_of(store, coll);
    json_object *res, *ref;
    char path[EMU_URI_MAX];

    if (members == NULL) {
        return rw_err_set(err, RW_EINVAL, "%s is not a collection", coll);
    }
    if ((size_t)snprintf(path, sizeof(path), "%s/%s", coll, id) >= sizeof(path)) {
        return rw_err_set(err, RW_ETOOBIG, "member path too long");
    }
    if (emu_store_get(store, path) != NULL) {
        return rw_err_set(err, RW_EINVAL, "%s exists already", path);
    }
    if (json_object_array_length(members) >= EMU_MEMBERS_MAX) {
        return rw_err_set(err, RW_ETOOBIG, "%s: more than %d members", coll, EMU_MEMBERS_MAX);
    }
    res = member_new(collres, path, id, body);
    ref = json_object_new_object();
    if (res == NULL || ref == NULL) {
        json_object_put(res);
        json_object_put(ref);
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    json_object_object_add(ref, "@odata.id", json_object_new_string(path));
    json_object_array_add(members, ref);
    update_count(collres, members);
    json_object_object_add(store->index, path, res);
    if (out != NULL) {
        *out = res;
    }
    return RW_OK;
}

/* Index of the member whose @odata.id is path, or -1. */
static long
member_index(json_object *members, const char *path)
{
    size_t i, n = json_object_array_length(members);

    for (i = 0; i < n; i++) {
        json_object *id;
        const char *s;
        size_t len;
        if (!json_object_object_get_ex(json_object_array_get_idx(members, i), "@odata.id", &id)) {
            continue;
        }
        s = json_object_get_string(id);
        len = strlen(path);
        /* A trailing slash in the mockup's reference still names the same member. */
        if (s != NULL && strncmp(s, path, len) == 0 &&
            (s[len] == '\0' || strcmp(s + len, "/") == 0)) {
            return (long)i;
        }
    }
    return -1;
}

/* Removes path and every resource under path/. */
static void
remove_subtree(struct emu_store *store, const char *path)
{
    size_t len = strlen(path);
    int again = 1;

    json_object_object_del(store->index, path);
    /* Deleting while iterating is not allowed: one key per pass. */
    while (again) {
        again = 0;
        json_object_object_foreach(store->index, key, val)
        {
            (void)val;
            if (strncmp(key, path, len) == 0 && key[len] == '/') {
                json_object_object_del(store->index, key);
                again = 1;
                break;
            }
        }
    }
}

enum rw_rc
emu_store_delete(struct emu_store *store, const char *path, struct rw_err *err)
{
    char coll[EMU_URI_MAX];
    const char *slash = strrchr(path, '/');
    json_object *members;
    long idx;

    if (slash == NULL || (size_t)(slash - path) >= sizeof(coll)) {
        return rw_err_set(err, RW_EINVAL, "%s is not a member", path);
    }
    (void)snprintf(coll, sizeof(coll), "%.*s", (int)(slash - path), path);
    members = members_of(store, coll);
    idx = members != NULL ? member_index(members, path) : -1;
    if (idx < 0) {
        return rw_err_set(err, RW_EINVAL, "%s is not a member of a collection", path);
    }
    (void)json_object_array_del_idx(members, (size_t)idx, 1);
    update_count(emu_store_get(store, coll), members);
    remove_subtree(store, path);
    return RW_OK;
}

/* Properties a client may not change with PATCH. */
static int
read_only(const char *key)
{
    static const char *const keys[] = {"@odata.id", "@odata.type", "@odata.context",
                                       "Id",        "Members",     "Members@odata.count"};
    size_t i;

    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (strcmp(key, keys[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

void
emu_store_patch(json_object *res, json_object *patch)
{
    json_object_object_foreach(patch, key, val)
    {
        json_object *cur = NULL, *copy = NULL;
        if (read_only(key)) {
            continue;
        }
        if (strcmp(key, "Password") == 0) {
            json_object_object_add(res, key, NULL);
            continue;
        }
        if (json_object_object_get_ex(res, key, &cur) &&
            json_object_is_type(cur, json_type_object) &&
            json_object_is_type(val, json_type_object)) {
            emu_store_patch(cur, val);
            continue;
        }
        if (json_object_deep_copy(val, &copy, NULL) == 0) {
            scrub_passwords(copy, 0);
            json_object_object_add(res, key, copy);
        }
    }
}

/* A new {"@odata.id": path} reference, or NULL. */
static json_object *
ref_new(const char *path)
{
    json_object *ref = json_object_new_object();

    if (ref != NULL) {
        json_object_object_add(ref, "@odata.id", json_object_new_string(path));
    }
    return ref;
}

enum rw_rc
emu_store_ensure_collection(struct emu_store *store, const char *parent, const char *name,
                            const char *coll_type, struct rw_err *err)
{
    json_object *pres = emu_store_get(store, parent), *coll;
    char path[EMU_URI_MAX];

    if (pres == NULL) {
        return RW_OK;
    }
    (void)snprintf(path, sizeof(path), "%s/%s", parent, name);
    if (!json_object_object_get_ex(pres, name, NULL)) {
        json_object_object_add(pres, name, ref_new(path));
    }
    if (emu_store_get(store, path) != NULL) {
        return RW_OK;
    }
    coll = json_object_new_object();
    if (coll == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    json_object_object_add(coll, "@odata.id", json_object_new_string(path));
    json_object_object_add(coll, "@odata.type", json_object_new_string(coll_type));
    json_object_object_add(coll, "Name", json_object_new_string(name));
    json_object_object_add(coll, "Members", json_object_new_array());
    json_object_object_add(coll, "Members@odata.count", json_object_new_int(0));
    json_object_object_add(store->index, path, coll);
    return RW_OK;
}

/* True when res's @odata.type names the schema ("#Manager." matches Manager only). */
static int
is_type(json_object *res, const char *prefix)
{
    json_object *t;
    const char *s;

    if (!json_object_object_get_ex(res, "@odata.type", &t)) {
        return 0;
    }
    s = json_object_get_string(t);
    return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

void
emu_store_set_identity(struct emu_store *store, const char *product, const char *vendor,
                       const char *firmware)
{
    json_object *root = emu_store_get(store, EMU_ROOT);

    if (root != NULL && product != NULL) {
        json_object_object_add(root, "Product", json_object_new_string(product));
    }
    if (root != NULL && vendor != NULL) {
        json_object_object_add(root, "Vendor", json_object_new_string(vendor));
    }
    if (firmware == NULL) {
        return;
    }
    json_object_object_foreach(store->index, key, res)
    {
        (void)key;
        if (is_type(res, "#Manager.") || is_type(res, "#PowerDistribution.")) {
            json_object_object_add(res, "FirmwareVersion", json_object_new_string(firmware));
        }
    }
}

void
emu_store_set_features(struct emu_store *store, int expand)
{
    json_object *root = emu_store_get(store, EMU_ROOT), *pfs = NULL, *eq;

    if (root == NULL) {
        return;
    }
    if (!json_object_object_get_ex(root, "ProtocolFeaturesSupported", &pfs) ||
        !json_object_is_type(pfs, json_type_object)) {
        pfs = json_object_new_object();
        json_object_object_add(root, "ProtocolFeaturesSupported", pfs);
    }
    json_object_object_del(pfs, "ExpandQuery");
    if (expand) {
        eq = json_object_new_object();
        json_object_object_add(eq, "ExpandAll", json_object_new_boolean(1));
        json_object_object_add(eq, "Levels", json_object_new_boolean(1));
        json_object_object_add(eq, "MaxLevels", json_object_new_int(EMU_EXPAND_LEVELS));
        json_object_object_add(eq, "Links", json_object_new_boolean(1));
        json_object_object_add(eq, "NoLinks", json_object_new_boolean(1));
        json_object_object_add(pfs, "ExpandQuery", eq);
    }
    json_object_object_add(pfs, "TopSkipQuery", json_object_new_boolean(1));
    json_object_object_add(pfs, "SelectQuery", json_object_new_boolean(0));
    json_object_object_add(pfs, "FilterQuery", json_object_new_boolean(0));
    json_object_object_add(pfs, "OnlyMemberQuery", json_object_new_boolean(0));
    json_object_object_add(pfs, "ExcerptQuery", json_object_new_boolean(0));
}

/*
 * emu_store: a DMTF short-form mockup held in memory, and the writes made to it.
 *
 * DIR/index.json is /redfish/v1, DIR/A/B/index.json is /redfish/v1/A/B.  Paths are kept
 * without a trailing slash.  The store is not thread-safe: callers hold ctx->lock.
 * Resources returned are borrowed from the store until its next write.  The store never
 * holds a password: every Password property is null, in the files as loaded and in
 * whatever POST and PATCH bring.
 */
#ifndef EMU_STORE_H
#define EMU_STORE_H

#include <stddef.h>

#include <json-c/json.h>

#include "rw_err.h"

#define EMU_FILE_MAX    (16 * 1024 * 1024) /* one index.json */
#define EMU_FILES_MAX   20000              /* resources in one mockup */
#define EMU_MEMBERS_MAX 4096               /* members of one collection */
#define EMU_DEPTH_MAX   32                 /* folder and JSON nesting */

struct emu_store;

/*
 * Loads the mockup under dir into *out (caller frees with emu_store_free()).
 * RW_EINVAL when dir has no index.json, RW_EPARSE for a file that is not a JSON
 * object, RW_ETOOBIG past the caps above; err names the file.
 */
RW_MUSTCHECK enum rw_rc emu_store_load(const char *dir, struct emu_store **out, struct rw_err *err);

/* Frees the store and every resource; NULL is allowed. */
void emu_store_free(struct emu_store *store);

/* The resource at path (no trailing slash), borrowed; NULL when there is none. */
json_object *emu_store_get(const struct emu_store *store, const char *path);

/*
 * The text of the index.xml at path (the mockup's $metadata document), borrowed; NULL
 * when there is none.
 */
const char *emu_store_get_xml(const struct emu_store *store, const char *path);

/* True when res is a resource collection (it has a Members array). */
int emu_store_is_collection(json_object *res);

/*
 * Writes into buf (size bytes) an Id free in the collection at coll: "1", "2"...
 * RW_ETOOBIG when the collection is full.
 */
RW_MUSTCHECK enum rw_rc emu_store_next_id(const struct emu_store *store, const char *coll,
                                          char *buf, size_t size, struct rw_err *err);

/*
 * Creates coll/id from body (copied; Password is stored as null), fills in @odata.id,
 * Id, Name and @odata.type, and lists it in the collection's Members.  *out (may be
 * NULL) is the new resource, borrowed.  RW_EINVAL when it exists already.
 */
RW_MUSTCHECK enum rw_rc emu_store_create(struct emu_store *store, const char *coll, const char *id,
                                         json_object *body, json_object **out, struct rw_err *err);

/*
 * Deletes a member of a collection and everything under its path.  RW_EINVAL when
 * path is not a member of a collection.
 */
RW_MUSTCHECK enum rw_rc emu_store_delete(struct emu_store *store, const char *path,
                                         struct rw_err *err);

/* Merges patch into res: objects recursively, other values replaced; ids kept. */
void emu_store_patch(json_object *res, json_object *patch);

/*
 * Makes sure parent has a collection under property name: creates parent/name as an
 * empty collection of odata type coll_type when missing.  Nothing when parent is
 * missing.
 */
RW_MUSTCHECK enum rw_rc emu_store_ensure_collection(struct emu_store *store, const char *parent,
                                                    const char *name, const char *coll_type,
                                                    struct rw_err *err);

/* Identity overrides; NULL leaves a property as the mockup has it. */
void emu_store_set_identity(struct emu_store *store, const char *product, const char *vendor,
                            const char *firmware);

/* Rewrites the service root's ProtocolFeaturesSupported to what the emulator does. */
void emu_store_set_features(struct emu_store *store, int expand);

#endif

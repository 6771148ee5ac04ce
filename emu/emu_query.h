/*
 * emu_query: the OData query parameters the emulator serves ($top, $skip, $expand)
 * and the view of a resource they ask for.
 */
#ifndef EMU_QUERY_H
#define EMU_QUERY_H

#include <stdint.h>

#include <json-c/json.h>

#include "emu_int.h"
#include "emu_store.h"
#include "rw_err.h"

enum emu_expand {
    EMU_EXPAND_NONE = 0,
    EMU_EXPAND_ALL,   /* "*": every reference */
    EMU_EXPAND_SUB,   /* ".": references outside Links */
    EMU_EXPAND_LINKS, /* "~": references inside Links */
};

struct emu_query {
    int64_t top;  /* -1: not given */
    int64_t skip; /* 0 when not given */
    enum emu_expand expand;
    int levels;              /* 1..EMU_EXPAND_LEVELS when expanding */
    const char *expand_text; /* borrowed from the request, for nextLink */
};

/*
 * Parses rq's query parameters into q.  RW_EPARSE with *bad set to the parameter's
 * name ("$top", "$skip", "$expand") for a value out of shape.
 */
RW_MUSTCHECK enum rw_rc emu_query_parse(const struct emu_request *rq, struct emu_query *q,
                                        const char **bad);

/*
 * The view of res (at path) that q asks for: a collection paged by q and page_size
 * (0: unpaged) with Members@odata.nextLink, references expanded, Password null.  A new
 * object that shares unchanged values with the store: serialise it before releasing
 * ctx->lock, then json_object_put() it.  NULL when out of memory.
 */
json_object *emu_query_view(const struct emu_store *store, json_object *res, const char *path,
                            const struct emu_query *q, int64_t page_size);

#endif

/*
 * rs_index: stable integer indexes for the MIB's tables.
 *
 * A row is named by a key string ("pdu-a1/1" for a PDU, "pdu-a1/1/AC1" for an inlet)
 * within a namespace (one per table).  The first time a key is seen it gets the next
 * free index of its namespace; the mapping is saved to a file beside the state snapshot
 * so a restarted daemon gives every row the index it had.  Indexes of keys that
 * disappear are not reused while the file is kept (RackwatchIndex in the MIB).
 *
 * File format, one mapping per line: NAMESPACE <TAB> INDEX <TAB> KEY, where the key has
 * '%', tab and newline percent-encoded.
 */
#ifndef RS_INDEX_H
#define RS_INDEX_H

#include <stdint.h>

#include "rw_err.h"

#define RS_INDEX_MAX 2147483647u /* RackwatchIndex is Unsigned32 (1..2147483647) */

/* The daemon's namespaces: one per indexed entity (their numbers are in saved files). */
enum rs_ns {
    RS_NS_ENDPOINT = 0,
    RS_NS_PDU,
    RS_NS_INLET,
    RS_NS_BRANCH,
    RS_NS_OUTLET,
    RS_NS_SERVER,
    RS_NS_SPOKE,
};

struct rs_index;

/* A new, empty registry.  Free with rs_index_free(). */
RW_MUSTCHECK enum rw_rc rs_index_new(struct rs_index **out, struct rw_err *err);

/* Frees the registry; NULL does nothing. */
void rs_index_free(struct rs_index *idx);

/*
 * Loads the mappings saved at path; a missing file is an empty registry (RW_OK).  A
 * malformed line is RW_EPARSE naming `path:line`.  The file is capped at 16 MiB.
 */
RW_MUSTCHECK enum rw_rc rs_index_load(struct rs_index *idx, const char *path, struct rw_err *err);

/*
 * The index of key in namespace ns (a small number chosen by the caller, 0-31),
 * allocating the next one when key is new.  RW_ETOOBIG when the namespace is full,
 * RW_ENOMEM.
 */
RW_MUSTCHECK enum rw_rc rs_index_get(struct rs_index *idx, unsigned ns, const char *key,
                                     uint32_t *out, struct rw_err *err);

/* True when a mapping was added since the last load or save. */
int rs_index_dirty(const struct rs_index *idx);

/* Saves every mapping to path atomically (rw_file_write_atomic); clears the dirty flag. */
RW_MUSTCHECK enum rw_rc rs_index_save(struct rs_index *idx, const char *path, struct rw_err *err);

#endif

/*
 * rs_table: one MIB table served from memory with Net-SNMP's table_container helper.
 *
 * A table is described by data (its OID, how many integer indexes, and a column list
 * giving each column's type and where its value sits in the caller's row struct), so the
 * MIB module declares tables instead of writing a handler per column.  Rows are found or
 * created by their indexes and updated in place after a poll; rows that an update did not
 * touch are swept (mark and sweep by generation).  The handler reads rows only: no I/O,
 * no allocation beyond what Net-SNMP does for the answer.
 */
#ifndef RS_TABLE_H
#define RS_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "rw_err.h"

#define RS_TABLE_INDEXES_MAX 3

/* How a column's value is stored in the row struct and sent on the wire. */
enum rs_col_type {
    RS_COL_INT32,     /* int32_t, sent as INTEGER/Integer32 */
    RS_COL_TEXT,      /* char * (NULL sends ""), OCTET STRING, cut at 255 bytes */
    RS_COL_COUNTER64, /* struct rs_counter64; absent: the instance does not exist */
    RS_COL_DATETIME,  /* time_t, DateAndTime in UTC; 0: never (eight zero octets) */
    RS_COL_OCTETS,    /* struct rs_octets, OCTET STRING of len bytes (binary) */
};

#define RS_OCTETS_MAX 32 /* a SHA-256 digest */

struct rs_octets {
    unsigned char data[RS_OCTETS_MAX];
    size_t len; /* 0..RS_OCTETS_MAX; 0 sends a zero-length string */
};

/*
 * A Counter64 value.  Absence is a value no meter reaches (2^64 - 1 Wh), not a flag: a
 * flag took the struct from 8 to 16 bytes, and with it every outlet row (50,000 of them)
 * from 96-byte heap blocks to 112.
 */
#define RS_COUNTER64_ABSENT UINT64_MAX

struct rs_counter64 {
    uint64_t value; /* RS_COUNTER64_ABSENT: absent */
};

struct rs_column {
    unsigned column; /* the column's sub-identifier under the entry */
    enum rs_col_type type;
    size_t offset; /* offsetof(the row struct, field) */
};

struct rs_table_def {
    const char *name;         /* registration name, e.g. "rwPduTable" */
    const unsigned long *oid; /* the table's OID (not the entry's) */
    size_t oid_len;
    unsigned n_indexes; /* 1..RS_TABLE_INDEXES_MAX, all Unsigned32 */
    const struct rs_column *columns;
    size_t n_columns;
    size_t row_size; /* sizeof(the row struct); it must start with rs_row_head */
    /* Frees what the row owns (its strings), given the table's cleanup_ctx; may be NULL. */
    void (*row_cleanup)(void *row, void *ctx);
};

/* Every row struct starts with this. */
struct rs_row_head {
    uint32_t owner;      /* what the row came from (an endpoint's index), for the sweep */
    unsigned generation; /* the update that last saw the row */
};

struct rs_table;

/*
 * Creates the table and registers it with the agent (call after rs_agent_start).
 * def and cleanup_ctx (passed to def->row_cleanup; may be NULL) must outlive the table.
 * Free with rs_table_free(), which unregisters it.
 */
RW_MUSTCHECK enum rw_rc rs_table_new(const struct rs_table_def *def, void *cleanup_ctx,
                                     struct rs_table **out, struct rw_err *err);

/* Unregisters the table and frees every row. NULL does nothing. */
void rs_table_free(struct rs_table *table);

/*
 * The row with these indexes (def->n_indexes of them), created zeroed when missing.
 * The row is borrowed from the table; it is stamped with owner and generation so that a
 * later rs_table_sweep() keeps it.  RW_ENOMEM.
 */
RW_MUSTCHECK enum rw_rc rs_table_row(struct rs_table *table, const uint32_t *indexes,
                                     uint32_t owner, unsigned generation, void **out,
                                     struct rw_err *err);

/* The row with these indexes, or NULL. Borrowed. */
void *rs_table_find(struct rs_table *table, const uint32_t *indexes);

/*
 * Removes the rows of owner whose generation is not generation: what the latest update
 * from that owner did not see.  Rows of other owners stay.
 */
void rs_table_sweep(struct rs_table *table, uint32_t owner, unsigned generation);

/* Calls fn(row, ctx) for every row of owner.  fn must not add or remove rows. */
void rs_table_each(struct rs_table *table, uint32_t owner, void (*fn)(void *row, void *ctx),
                   void *ctx);

/* The number of rows. */
size_t rs_table_count(struct rs_table *table);

/* Fills an 11-byte DateAndTime for t in UTC; returns the length (11). */
size_t rs_date_and_time(time_t t, unsigned char out[11]);

#endif

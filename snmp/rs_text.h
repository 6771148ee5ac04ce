/*
 * rs_text: one shared copy of each text the tables serve.
 *
 * Rows of the MIB tables repeat the same short texts by the thousand: outlet Ids and
 * names ("OA1", "Outlet 1") are the same on every PDU of a model, and so are
 * manufacturers, models and firmware versions.  A pool keeps one reference-counted copy
 * of each distinct text, so a row field costs a pointer instead of a pointer and a heap
 * block.  The pool is the caller's (no global state); texts are immutable.
 */
#ifndef RS_TEXT_H
#define RS_TEXT_H

#include <stddef.h>

#include "rw_err.h"

struct rs_text_pool;

/* A new, empty pool.  Free with rs_text_pool_free().  RW_ENOMEM. */
RW_MUSTCHECK enum rw_rc rs_text_pool_new(struct rs_text_pool **out, struct rw_err *err);

/*
 * Frees the pool and every text in it, whether released or not; NULL does nothing.
 * Texts the caller still holds are dangling afterwards.
 */
void rs_text_pool_free(struct rs_text_pool *pool);

/*
 * Makes *dst the pool's copy of src: *dst (NULL or a text of this pool) is released and
 * src referenced, or added when new; src NULL sets *dst NULL.  Unchanged text costs one
 * strcmp.  *dst is borrowed from the pool until released.  RW_ENOMEM leaves *dst as it was.
 */
RW_MUSTCHECK enum rw_rc rs_text_set(struct rs_text_pool *pool, const char **dst, const char *src,
                                    struct rw_err *err);

/* Drops one reference to text (a text of this pool, or NULL: nothing happens). */
void rs_text_release(struct rs_text_pool *pool, const char *text);

/* The number of distinct texts held, for tests and statistics. */
size_t rs_text_count(const struct rs_text_pool *pool);

#endif

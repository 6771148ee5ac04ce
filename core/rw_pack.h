/*
 * rw_pack: bytes kept deflated in memory, for data that is written often and read
 * seldom.
 *
 * rackwatchd keeps every endpoint's part of the state snapshot between polls.  As text
 * a PDU of 48 outlets is ~10 KB, as a model ~5 KB, deflated well under 1 KB: the parts
 * repeat the same keys and shapes outlet after outlet.  A pack is one heap block owned
 * by the caller; rw_pack_free() frees it.
 */
#ifndef RW_PACK_H
#define RW_PACK_H

#include <stddef.h>

#include "rw_buf.h"
#include "rw_err.h"

#define RW_PACK_MAX (64u * 1024 * 1024) /* the most bytes one pack holds unpacked */

struct rw_pack;

/*
 * Deflates len bytes of data into a new pack (*out; free with rw_pack_free()).
 * RW_ETOOBIG past RW_PACK_MAX, RW_ENOMEM.  *out is untouched on failure.
 */
RW_MUSTCHECK enum rw_rc rw_pack_new(const void *data, size_t len, struct rw_pack **out,
                                    struct rw_err *err);

/*
 * Appends the unpacked bytes to out.  RW_ETOOBIG past out's cap and RW_ENOMEM (out is
 * freed then, as rw_buf does), RW_EPARSE when the pack is damaged (out unchanged).
 */
RW_MUSTCHECK enum rw_rc rw_pack_unpack(const struct rw_pack *pack, struct rw_buf *out,
                                       struct rw_err *err);

/* Bytes the data takes unpacked. */
size_t rw_pack_len(const struct rw_pack *pack);

/* Bytes the pack takes in memory (its block), for memory reports. */
size_t rw_pack_size(const struct rw_pack *pack);

/* NULL does nothing. */
void rw_pack_free(struct rw_pack *pack);

#endif

/*
 * rw_buf: a growable byte buffer with a hard cap, after curl's dynbuf.
 *
 * The contents are always NUL-terminated once anything was added.  An append that
 * would pass the cap, or an allocation that fails, frees the buffer and returns
 * RW_ETOOBIG or RW_ENOMEM: a buffer is never left half-written.
 */
#ifndef RW_BUF_H
#define RW_BUF_H

#include <stddef.h>

#include "rw_err.h"

struct rw_buf {
    char *data;
    size_t len;
    size_t alloc;
    size_t max; /* the most bytes it may hold, not counting the NUL */
};

/* Prepares an empty buffer that may grow to max bytes.  Cannot fail. */
void rw_buf_init(struct rw_buf *buf, size_t max);

/* Frees the contents; the buffer is empty and usable again with the same cap. */
void rw_buf_free(struct rw_buf *buf);

/* Empties the buffer but keeps its memory for reuse. */
void rw_buf_reset(struct rw_buf *buf);

/* Appends len bytes of mem.  RW_ETOOBIG past the cap, RW_ENOMEM; both free the buffer. */
RW_MUSTCHECK enum rw_rc rw_buf_add(struct rw_buf *buf, const void *mem, size_t len);

/* Appends a NUL-terminated string. */
RW_MUSTCHECK enum rw_rc rw_buf_adds(struct rw_buf *buf, const char *str);

/* Appends printf-formatted text. */
RW_MUSTCHECK enum rw_rc rw_buf_addf(struct rw_buf *buf, const char *fmt, ...) RW_PRINTF(2, 3);

/* The contents, borrowed until the next change; "" for an empty buffer, never NULL. */
const char *rw_buf_str(const struct rw_buf *buf);

/* The length of the contents in bytes. */
size_t rw_buf_len(const struct rw_buf *buf);

/*
 * Hands the contents over: the caller frees the returned string with free(); the
 * buffer is left empty.  Returns NULL for an empty buffer.
 */
char *rw_buf_take(struct rw_buf *buf);

#endif

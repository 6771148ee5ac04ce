#include "rw_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RW_BUF_MIN_ALLOC 32

void
rw_buf_init(struct rw_buf *buf, size_t max)
{
    buf->data = NULL;
    buf->len = 0;
    buf->alloc = 0;
    buf->max = max;
}

void
rw_buf_free(struct rw_buf *buf)
{
    free(buf->data);
    buf->data = NULL;
    buf->len = 0;
    buf->alloc = 0;
}

void
rw_buf_reset(struct rw_buf *buf)
{
    buf->len = 0;
    if (buf->data != NULL) {
        buf->data[0] = '\0';
    }
}

/* Makes room for extra more bytes plus the NUL; frees the buffer on failure. */
static enum rw_rc
buf_grow(struct rw_buf *buf, size_t extra)
{
    size_t need, size;
    char *grown;

    if (extra > buf->max || buf->len > buf->max - extra) {
        rw_buf_free(buf);
        return RW_ETOOBIG;
    }
    need = buf->len + extra + 1;
    if (need <= buf->alloc) {
        return RW_OK;
    }
    size = buf->alloc != 0 ? buf->alloc : RW_BUF_MIN_ALLOC;
    while (size < need) {
        size = size > (size_t)-1 / 2 ? need : size * 2;
    }
    if (size > buf->max + 1) {
        size = buf->max + 1;
    }
    grown = realloc(buf->data, size);
    if (grown == NULL) {
        rw_buf_free(buf);
        return RW_ENOMEM;
    }
    buf->data = grown;
    buf->alloc = size;
    return RW_OK;
}

enum rw_rc
rw_buf_add(struct rw_buf *buf, const void *mem, size_t len)
{
    enum rw_rc rc = buf_grow(buf, len);

    if (rc != RW_OK) {
        return rc;
    }
    if (len > 0) {
        memcpy(buf->data + buf->len, mem, len);
    }
    buf->len += len;
    buf->data[buf->len] = '\0';
    return RW_OK;
}

enum rw_rc
rw_buf_adds(struct rw_buf *buf, const char *str)
{
    return rw_buf_add(buf, str, strlen(str));
}

enum rw_rc
rw_buf_addf(struct rw_buf *buf, const char *fmt, ...)
{
    va_list ap;
    int need;
    enum rw_rc rc;

    va_start(ap, fmt);
    need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (need < 0) {
        rw_buf_free(buf);
        return RW_EINVAL;
    }
    rc = buf_grow(buf, (size_t)need);
    if (rc != RW_OK) {
        return rc;
    }
    va_start(ap, fmt);
    (void)vsnprintf(buf->data + buf->len, (size_t)need + 1, fmt, ap);
    va_end(ap);
    buf->len += (size_t)need;
    return RW_OK;
}

const char *
rw_buf_str(const struct rw_buf *buf)
{
    return buf->data != NULL ? buf->data : "";
}

size_t
rw_buf_len(const struct rw_buf *buf)
{
    return buf->len;
}

char *
rw_buf_take(struct rw_buf *buf)
{
    char *data = buf->data;

    buf->data = NULL;
    buf->len = 0;
    buf->alloc = 0;
    return data;
}

#include "rw_pack.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

/*
 * Level 6 (zlib's default) packs a 48-outlet PDU's part to about a tenth.  A 4 KiB window
 * (2^12) finds the repeats as well as the default 32 KiB does (an outlet's text is ~200
 * bytes), and memLevel 5 keeps the compressor's state near 20 KB instead of ~270 KB that
 * each pack would allocate for a moment, the peak of the daemon's poll round.
 */
#define RW_PACK_LEVEL       6
#define RW_PACK_WINDOW_BITS 12
#define RW_PACK_MEM_LEVEL   5
#define RW_PACK_CHUNK       4096 /* unpacked bytes per step into the caller's buffer */

struct rw_pack {
    size_t len;  /* bytes unpacked */
    size_t size; /* bytes of data[] */
    unsigned char data[];
};

/* A new pack of len bytes of data deflated through zs (initialised); NULL out of memory. */
static struct rw_pack *
deflate_all(z_stream *zs, const void *data, size_t len)
{
    size_t size = deflateBound(zs, (uLong)len);
    struct rw_pack *pack = malloc(sizeof(*pack) + size), *shrunk;

    if (pack == NULL) {
        return NULL;
    }
    zs->next_in = (unsigned char *)data; /* zlib's next_in is not const */
    zs->avail_in = (uInt)len;
    zs->next_out = pack->data;
    zs->avail_out = (uInt)size;
    /* With deflateBound() bytes of room, one call finishes. */
    if (deflate(zs, Z_FINISH) != Z_STREAM_END) {
        free(pack);
        return NULL;
    }
    pack->len = len;
    pack->size = size - zs->avail_out;
    /* The bound is ~len: give the rest back at once. */
    shrunk = realloc(pack, sizeof(*pack) + pack->size);
    return shrunk != NULL ? shrunk : pack;
}

enum rw_rc
rw_pack_new(const void *data, size_t len, struct rw_pack **out, struct rw_err *err)
{
    struct rw_pack *pack;
    z_stream zs;

    if (len > RW_PACK_MAX) {
        return rw_err_set(err, RW_ETOOBIG, "%zu bytes do not fit in a pack (at most %u)", len,
                          RW_PACK_MAX);
    }
    memset(&zs, 0, sizeof(zs));
    if (deflateInit2(&zs, RW_PACK_LEVEL, Z_DEFLATED, RW_PACK_WINDOW_BITS, RW_PACK_MEM_LEVEL,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
        return rw_err_set(err, RW_ENOMEM, "out of memory packing %zu bytes", len);
    }
    pack = deflate_all(&zs, data, len);
    (void)deflateEnd(&zs);
    if (pack == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory packing %zu bytes", len);
    }
    *out = pack;
    return RW_OK;
}

/* Inflates the whole pack through a small window appended to out chunk by chunk. */
static enum rw_rc
inflate_into(z_stream *zs, struct rw_buf *out, size_t *produced)
{
    unsigned char chunk[RW_PACK_CHUNK];
    enum rw_rc rc;
    int zrc;

    do {
        zs->next_out = chunk;
        zs->avail_out = sizeof(chunk);
        zrc = inflate(zs, Z_NO_FLUSH);
        if (zrc != Z_OK && zrc != Z_STREAM_END) {
            return zrc == Z_MEM_ERROR ? RW_ENOMEM : RW_EPARSE;
        }
        rc = rw_buf_add(out, chunk, sizeof(chunk) - zs->avail_out);
        if (rc != RW_OK) {
            return rc;
        }
        *produced += sizeof(chunk) - zs->avail_out;
    } while (zrc != Z_STREAM_END && (zs->avail_in > 0 || zs->avail_out == 0));
    return zrc == Z_STREAM_END ? RW_OK : RW_EPARSE;
}

enum rw_rc
rw_pack_unpack(const struct rw_pack *pack, struct rw_buf *out, struct rw_err *err)
{
    z_stream zs;
    size_t start = rw_buf_len(out), produced = 0;
    enum rw_rc rc;

    memset(&zs, 0, sizeof(zs));
    if (inflateInit2(&zs, RW_PACK_WINDOW_BITS) != Z_OK) {
        return rw_err_set(err, RW_ENOMEM, "out of memory unpacking");
    }
    zs.next_in = (unsigned char *)pack->data; /* zlib's next_in is not const */
    zs.avail_in = (uInt)pack->size;
    rc = inflate_into(&zs, out, &produced);
    (void)inflateEnd(&zs);
    if (rc == RW_OK && produced != pack->len) {
        rc = RW_EPARSE;
    }
    switch (rc) {
    case RW_OK:
        return RW_OK;
    case RW_EPARSE:
        if (out->data != NULL) { /* what was appended goes: out is as it was */
            out->len = start;
            out->data[start] = '\0';
        }
        return rw_err_set(err, RW_EPARSE, "a pack of %zu bytes is damaged", pack->len);
    case RW_ETOOBIG:
        return rw_err_set(err, RW_ETOOBIG, "%zu unpacked bytes do not fit in the buffer",
                          pack->len);
    default:
        return rw_err_set(err, RW_ENOMEM, "out of memory unpacking %zu bytes", pack->len);
    }
}

size_t
rw_pack_len(const struct rw_pack *pack)
{
    return pack->len;
}

size_t
rw_pack_size(const struct rw_pack *pack)
{
    return sizeof(*pack) + pack->size;
}

void
rw_pack_free(struct rw_pack *pack)
{
    free(pack);
}

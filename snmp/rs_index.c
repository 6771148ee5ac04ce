#include "rs_index.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rw_buf.h"
#include "rw_file.h"
#include "rw_parse.h"

#define RS_INDEX_NS_MAX    32
#define RS_INDEX_FILE_MAX  (16u << 20)
#define RS_INDEX_KEY_MAX   2048
#define RS_INDEX_MIN_SLOTS 64
#define RS_INDEX_CHUNK     (64u * 1024) /* bytes gathered before a save writes them */

#define RS_INDEX_ARENA_MAX (64u << 20) /* bytes of keys; a loaded file is 16 MiB at most */

/*
 * 8 bytes a slot: at 50,000 rows, separate key copies and 16-byte slots at half load
 * were ~3.6 MB of the daemon's heap.  Keys are never removed, so they live end to end in
 * one arena, each as its namespace byte then the NUL-terminated key.
 */
struct entry {
    uint32_t key; /* offset + 1 of the key's namespace byte in the arena; 0: empty slot */
    uint32_t index;
};

/* Open addressing with linear probing; the table is at most three quarters full. */
struct rs_index {
    struct entry *slots;
    size_t cap, count;
    char *arena;
    size_t arena_len, arena_cap;
    uint32_t next[RS_INDEX_NS_MAX]; /* the next index to hand out, per namespace */
    int dirty;
};

/* FNV-1a over the namespace and the key. */
static size_t
hash_key(unsigned ns, const char *key)
{
    uint64_t h = 1469598103934665603ull ^ ns;

    for (; *key != '\0'; key++) {
        h = (h ^ (unsigned char)*key) * 1099511628211ull;
    }
    return (size_t)h;
}

static unsigned
entry_ns(const struct rs_index *idx, const struct entry *e)
{
    return (unsigned char)idx->arena[e->key - 1];
}

static const char *
entry_key(const struct rs_index *idx, const struct entry *e)
{
    return &idx->arena[e->key];
}

static struct entry *
find_slot(const struct rs_index *idx, struct entry *slots, size_t cap, unsigned ns, const char *key)
{
    size_t i = hash_key(ns, key) & (cap - 1);

    while (slots[i].key != 0 &&
           (entry_ns(idx, &slots[i]) != ns || strcmp(entry_key(idx, &slots[i]), key) != 0)) {
        i = (i + 1) & (cap - 1);
    }
    return &slots[i];
}

enum rw_rc
rs_index_new(struct rs_index **out, struct rw_err *err)
{
    struct rs_index *idx = calloc(1, sizeof(*idx));
    unsigned ns;

    *out = NULL;
    if (idx == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory for the index registry");
    }
    for (ns = 0; ns < RS_INDEX_NS_MAX; ns++) {
        idx->next[ns] = 1;
    }
    *out = idx;
    return RW_OK;
}

void
rs_index_free(struct rs_index *idx)
{
    if (idx == NULL) {
        return;
    }
    free(idx->slots);
    free(idx->arena);
    free(idx);
}

static enum rw_rc
grow(struct rs_index *idx, struct rw_err *err)
{
    size_t cap = idx->cap != 0 ? idx->cap * 2 : RS_INDEX_MIN_SLOTS, i;
    struct entry *slots = calloc(cap, sizeof(*slots));

    if (slots == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory growing the index registry");
    }
    for (i = 0; i < idx->cap; i++) {
        const struct entry *e = &idx->slots[i];

        if (e->key != 0) {
            *find_slot(idx, slots, cap, entry_ns(idx, e), entry_key(idx, e)) = *e;
        }
    }
    free(idx->slots);
    idx->slots = slots;
    idx->cap = cap;
    return RW_OK;
}

/* Appends ns and key to the arena; *off is the offset + 1 of the namespace byte. */
static enum rw_rc
arena_add(struct rs_index *idx, unsigned ns, const char *key, uint32_t *off, struct rw_err *err)
{
    size_t len = strlen(key) + 2, cap = idx->arena_cap != 0 ? idx->arena_cap : 4096;
    char *grown;

    while (cap - idx->arena_len < len) {
        cap *= 2;
    }
    if (cap > RS_INDEX_ARENA_MAX) {
        return rw_err_set(err, RW_ETOOBIG, "the index registry's keys are over %u bytes",
                          RS_INDEX_ARENA_MAX);
    }
    if (cap != idx->arena_cap) {
        grown = realloc(idx->arena, cap);
        if (grown == NULL) {
            return rw_err_set(err, RW_ENOMEM, "out of memory in the index registry");
        }
        idx->arena = grown;
        idx->arena_cap = cap;
    }
    idx->arena[idx->arena_len] = (char)ns;
    memcpy(&idx->arena[idx->arena_len + 1], key, len - 1);
    *off = (uint32_t)idx->arena_len + 1;
    idx->arena_len += len;
    return RW_OK;
}

/* Inserts a mapping known not to be present. */
static enum rw_rc
insert(struct rs_index *idx, unsigned ns, const char *key, uint32_t index, struct rw_err *err)
{
    struct entry *slot;
    uint32_t off = 0;
    enum rw_rc rc;

    if ((idx->count + 1) * 4 > idx->cap * 3 && grow(idx, err) != RW_OK) {
        return RW_ENOMEM;
    }
    rc = arena_add(idx, ns, key, &off, err);
    if (rc != RW_OK) {
        return rc;
    }
    slot = find_slot(idx, idx->slots, idx->cap, ns, key);
    slot->key = off;
    slot->index = index;
    idx->count++;
    if (index >= idx->next[ns]) {
        idx->next[ns] = index + 1;
    }
    return RW_OK;
}

enum rw_rc
rs_index_get(struct rs_index *idx, unsigned ns, const char *key, uint32_t *out, struct rw_err *err)
{
    struct entry *slot;

    if (ns >= RS_INDEX_NS_MAX || strlen(key) > RS_INDEX_KEY_MAX) {
        return rw_err_set(err, RW_EINVAL, "bad index key in namespace %u", ns);
    }
    if (idx->cap != 0) {
        slot = find_slot(idx, idx->slots, idx->cap, ns, key);
        if (slot->key != 0) {
            *out = slot->index;
            return RW_OK;
        }
    }
    if (idx->next[ns] > RS_INDEX_MAX) {
        return rw_err_set(err, RW_ETOOBIG, "no index left in namespace %u", ns);
    }
    *out = idx->next[ns];
    idx->dirty = 1;
    return insert(idx, ns, key, *out, err);
}

int
rs_index_dirty(const struct rs_index *idx)
{
    return idx->dirty;
}

static enum rw_rc
add_encoded(struct rw_buf *buf, const char *key)
{
    enum rw_rc rc = RW_OK;

    for (; *key != '\0' && rc == RW_OK; key++) {
        if (*key == '%' || *key == '\t' || *key == '\n' || *key == '\r') {
            rc = rw_buf_addf(buf, "%%%02X", (unsigned char)*key);
        } else {
            rc = rw_buf_add(buf, key, 1);
        }
    }
    return rc;
}

/* Writes what buf holds to file and empties it. */
static enum rw_rc
flush_to(struct rw_file_atomic *file, struct rw_buf *buf)
{
    enum rw_rc rc = rw_file_atomic_write(file, rw_buf_str(buf), rw_buf_len(buf));

    rw_buf_reset(buf);
    return rc;
}

/* Every mapping as a line to file, through a buffer flushed every RS_INDEX_CHUNK bytes. */
static enum rw_rc
write_entries(const struct rs_index *idx, struct rw_file_atomic *file)
{
    struct rw_buf buf;
    enum rw_rc rc = RW_OK;
    size_t i, total = 0;

    rw_buf_init(&buf, RS_INDEX_FILE_MAX);
    for (i = 0; i < idx->cap && rc == RW_OK; i++) {
        const struct entry *e = &idx->slots[i];

        if (e->key == 0) {
            continue;
        }
        rc = rw_buf_addf(&buf, "%u\t%u\t", entry_ns(idx, e), (unsigned)e->index);
        rc = rc == RW_OK ? add_encoded(&buf, entry_key(idx, e)) : rc;
        rc = rc == RW_OK ? rw_buf_add(&buf, "\n", 1) : rc;
        if (rc == RW_OK && rw_buf_len(&buf) >= RS_INDEX_CHUNK) {
            total += rw_buf_len(&buf);
            rc = total > RS_INDEX_FILE_MAX ? RW_ETOOBIG : flush_to(file, &buf);
        }
    }
    total += rw_buf_len(&buf);
    rc = rc == RW_OK && total > RS_INDEX_FILE_MAX ? RW_ETOOBIG : rc;
    rc = rc == RW_OK ? flush_to(file, &buf) : rc;
    rw_buf_free(&buf);
    return rc;
}

/*
 * Replaced atomically as rw_file_write_atomic() does, but streamed: at 50,000 rows the
 * registry is 2 MB of text, and building it whole happened at the daemon's memory peak,
 * its first snapshot.
 */
enum rw_rc
rs_index_save(struct rs_index *idx, const char *path, struct rw_err *err)
{
    struct rw_file_atomic file;
    enum rw_rc rc;

    if (rw_file_atomic_open(&file, path, 0644, err) != RW_OK) {
        return RW_EINVAL;
    }
    rc = write_entries(idx, &file);
    if (rc != RW_OK) {
        rw_file_atomic_abort(&file);
        return file.error != 0
                   ? rw_err_set(err, rc, "%s: cannot write: %s", path, strerror(file.error))
                   : rw_err_set(err, rc, "%s: index registry too large", path);
    }
    if (rw_file_atomic_commit(&file, err) != RW_OK) {
        return RW_EINVAL;
    }
    idx->dirty = 0;
    return RW_OK;
}

static int
hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

/* Decodes the percent-encoded key in place; -1 for a bad escape or an empty key. */
static int
decode_key(char *key)
{
    char *in = key, *out = key;
    int hi, lo;

    for (; *in != '\0'; in++) {
        if (*in != '%') {
            *out++ = *in;
            continue;
        }
        hi = hex_value(in[1]);
        lo = hi < 0 ? -1 : hex_value(in[2]);
        if (lo < 0) {
            return -1;
        }
        *out++ = (char)(hi * 16 + lo);
        in += 2;
    }
    *out = '\0';
    return out == key ? -1 : 0;
}

/* Parses one line "NS\tINDEX\tKEY" (modified in place) into the registry. */
static enum rw_rc
load_line(struct rs_index *idx, char *line, const char *path, size_t lineno, struct rw_err *err)
{
    char *ns_text = line, *index_text, *key;
    int64_t ns, index;
    struct entry *slot;

    index_text = strchr(ns_text, '\t');
    key = index_text != NULL ? strchr(index_text + 1, '\t') : NULL;
    if (key == NULL) {
        return rw_err_set(err, RW_EPARSE, "%s:%zu: expected NAMESPACE<TAB>INDEX<TAB>KEY", path,
                          lineno);
    }
    *index_text++ = '\0';
    *key++ = '\0';
    if (rw_parse_i64(ns_text, 0, RS_INDEX_NS_MAX - 1, &ns) != RW_OK ||
        rw_parse_i64(index_text, 1, RS_INDEX_MAX, &index) != RW_OK || decode_key(key) != 0) {
        return rw_err_set(err, RW_EPARSE, "%s:%zu: bad namespace, index or key", path, lineno);
    }
    slot = idx->cap != 0 ? find_slot(idx, idx->slots, idx->cap, (unsigned)ns, key) : NULL;
    if (slot != NULL && slot->key != 0) {
        return rw_err_set(err, RW_EPARSE, "%s:%zu: duplicate key", path, lineno);
    }
    return insert(idx, (unsigned)ns, key, (uint32_t)index, err);
}

enum rw_rc
rs_index_load(struct rs_index *idx, const char *path, struct rw_err *err)
{
    struct rw_buf buf;
    char *text, *line, *end;
    size_t lineno = 0;
    enum rw_rc rc;
    struct rw_err read_err;

    rw_buf_init(&buf, RS_INDEX_FILE_MAX);
    rw_err_clear(&read_err);
    rc = rw_file_read(path, &buf, &read_err);
    if (rc != RW_OK) {
        rw_buf_free(&buf);
        /* A daemon's first start has no registry yet. */
        return access(path, F_OK) != 0 ? RW_OK : rw_err_set(err, rc, "%s", read_err.msg);
    }
    text = rw_buf_take(&buf);
    for (line = text; rc == RW_OK && line != NULL && *line != '\0'; line = end) {
        end = strchr(line, '\n');
        if (end != NULL) {
            *end++ = '\0';
        }
        lineno++;
        rc = load_line(idx, line, path, lineno, err);
    }
    free(text);
    idx->dirty = 0;
    return rc;
}

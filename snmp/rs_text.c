#include "rs_text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define RS_TEXT_MIN_BUCKETS 256

/* One distinct text; the rows point at its bytes, s. */
struct text {
    struct text *next; /* the bucket's chain */
    uint32_t refs;
    uint32_t hash;
    char s[];
};

/* Chained hash set; the bucket array doubles when there are more texts than buckets. */
struct rs_text_pool {
    struct text **buckets;
    size_t n_buckets, count;
};

/* FNV-1a. */
static uint32_t
hash_text(const char *s)
{
    uint32_t h = 2166136261u;

    for (; *s != '\0'; s++) {
        h = (h ^ (unsigned char)*s) * 16777619u;
    }
    return h;
}

static struct text *
text_of(const char *s)
{
    return (struct text *)(void *)(s - offsetof(struct text, s));
}

enum rw_rc
rs_text_pool_new(struct rs_text_pool **out, struct rw_err *err)
{
    struct rs_text_pool *pool = calloc(1, sizeof(*pool));

    *out = NULL;
    if (pool != NULL) {
        pool->buckets = calloc(RS_TEXT_MIN_BUCKETS, sizeof(*pool->buckets));
    }
    if (pool == NULL || pool->buckets == NULL) {
        free(pool);
        return rw_err_set(err, RW_ENOMEM, "out of memory for the text pool");
    }
    pool->n_buckets = RS_TEXT_MIN_BUCKETS;
    *out = pool;
    return RW_OK;
}

void
rs_text_pool_free(struct rs_text_pool *pool)
{
    struct text *t, *next;
    size_t i;

    if (pool == NULL) {
        return;
    }
    for (i = 0; i < pool->n_buckets; i++) {
        for (t = pool->buckets[i]; t != NULL; t = next) {
            next = t->next;
            free(t);
        }
    }
    free(pool->buckets);
    free(pool);
}

/* Doubles the bucket array; on failure the pool keeps its longer chains. */
static void
grow(struct rs_text_pool *pool)
{
    size_t n = pool->n_buckets * 2, i;
    struct text **buckets = calloc(n, sizeof(*buckets));
    struct text *t, *next;

    if (buckets == NULL) {
        return;
    }
    for (i = 0; i < pool->n_buckets; i++) {
        for (t = pool->buckets[i]; t != NULL; t = next) {
            next = t->next;
            t->next = buckets[t->hash & (n - 1)];
            buckets[t->hash & (n - 1)] = t;
        }
    }
    free(pool->buckets);
    pool->buckets = buckets;
    pool->n_buckets = n;
}

/* The pool's text equal to s, referenced once more, or a new one; NULL when out of memory. */
static struct text *
acquire(struct rs_text_pool *pool, const char *s)
{
    uint32_t h = hash_text(s);
    size_t len = strlen(s);
    struct text *t;

    for (t = pool->buckets[h & (pool->n_buckets - 1)]; t != NULL; t = t->next) {
        if (t->hash == h && strcmp(t->s, s) == 0 && t->refs < UINT32_MAX) {
            t->refs++;
            return t;
        }
    }
    t = malloc(sizeof(*t) + len + 1);
    if (t == NULL) {
        return NULL;
    }
    memcpy(t->s, s, len + 1);
    t->refs = 1;
    t->hash = h;
    if (pool->count >= pool->n_buckets) {
        grow(pool);
    }
    t->next = pool->buckets[h & (pool->n_buckets - 1)];
    pool->buckets[h & (pool->n_buckets - 1)] = t;
    pool->count++;
    return t;
}

void
rs_text_release(struct rs_text_pool *pool, const char *text)
{
    struct text *t, **link;

    if (text == NULL) {
        return;
    }
    t = text_of(text);
    if (--t->refs > 0) {
        return;
    }
    for (link = &pool->buckets[t->hash & (pool->n_buckets - 1)]; *link != NULL;
         link = &(*link)->next) {
        if (*link == t) {
            *link = t->next;
            break;
        }
    }
    pool->count--;
    free(t);
}

enum rw_rc
rs_text_set(struct rs_text_pool *pool, const char **dst, const char *src, struct rw_err *err)
{
    struct text *t = NULL;

    if (src != NULL && *dst != NULL && strcmp(src, *dst) == 0) {
        return RW_OK; /* unchanged: the common case after the first poll */
    }
    if (src != NULL && (t = acquire(pool, src)) == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    rs_text_release(pool, *dst);
    *dst = t != NULL ? t->s : NULL;
    return RW_OK;
}

size_t
rs_text_count(const struct rs_text_pool *pool)
{
    return pool->count;
}

/*
 * The schema-table walker: a mapping node is checked against a table of keys, each
 * value is converted by its type or handed to a small handler, and every problem
 * becomes one `FILE:LINE:COLUMN: message` line.
 */
#include "rw_config_int.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rw_parse.h"

#define QUOTE_MAX 48 /* bytes of a value repeated in a message */

_Static_assert(sizeof(enum rw_config_kind) == sizeof(int), "enums are stored through int *");

enum rw_rc
rw_cfg_fail(struct rw_cfg_ctx *ctx, yaml_mark_t mark, enum rw_rc code, const char *fmt, ...)
{
    char msg[RW_ERR_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0) {
        msg[0] = '\0';
    }
    va_end(ap);
    return rw_err_set(ctx->err, code, "%s:%zu:%zu: %s", ctx->name, mark.line + 1, mark.column + 1,
                      msg);
}

enum rw_rc
rw_cfg_nomem(struct rw_cfg_ctx *ctx)
{
    return rw_err_set(ctx->err, RW_ENOMEM, "%s: out of memory", ctx->name);
}

/* Counts one allocation; 0 when the injected failure is due. */
static int
alloc_allowed(struct rw_cfg_ctx *ctx)
{
    if (ctx->alloc_left < 0) {
        return 1;
    }
    if (ctx->alloc_left == 0) {
        return 0;
    }
    ctx->alloc_left--;
    return ctx->alloc_left > 0;
}

void *
rw_cfg_calloc(struct rw_cfg_ctx *ctx, size_t n, size_t size)
{
    void *p = NULL;

    if (alloc_allowed(ctx)) {
        p = calloc(n == 0 ? 1 : n, size);
    }
    if (p == NULL) {
        rw_cfg_nomem(ctx);
    }
    return p;
}

char *
rw_cfg_strndup(struct rw_cfg_ctx *ctx, const char *s, size_t len)
{
    char *p = rw_cfg_calloc(ctx, len + 1, 1);

    if (p != NULL) {
        memcpy(p, s, len);
    }
    return p;
}

const char *
rw_cfg_quote(const char *s, size_t len, char *buf, size_t size)
{
    size_t i, n = 0;

    /* Room for the quotes, "..." and the NUL. */
    if (size < 8) {
        return "";
    }
    buf[n++] = '\'';
    for (i = 0; i < len && i < QUOTE_MAX && n < size - 6; i++) {
        unsigned char c = (unsigned char)s[i];

        buf[n++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    if (i < len) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n++] = '\'';
    buf[n] = '\0';
    return buf;
}

int
rw_cfg_is_null(const yaml_node_t *node)
{
    const char *s = (const char *)node->data.scalar.value;

    if (node->type != YAML_SCALAR_NODE || node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
        return 0;
    }
    return strcmp(s, "") == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
           strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

const char *
rw_cfg_describe(const yaml_node_t *node, char *buf, size_t size)
{
    if (node->type == YAML_MAPPING_NODE) {
        return "a mapping";
    }
    if (node->type == YAML_SEQUENCE_NODE) {
        return "a list";
    }
    if (rw_cfg_is_null(node)) {
        return "nothing";
    }
    return rw_cfg_quote((const char *)node->data.scalar.value, node->data.scalar.length, buf, size);
}

const char *
rw_cfg_scalar(struct rw_cfg_ctx *ctx, const yaml_node_t *node, const char *key, const char *what)
{
    char buf[QUOTE_MAX + 8];
    const char *s;

    if (node->type != YAML_SCALAR_NODE) {
        rw_cfg_fail(ctx, node->start_mark, RW_EINVAL, "%s%sexpected %s, got %s",
                    key != NULL ? key : "", key != NULL ? ": " : "", what,
                    rw_cfg_describe(node, buf, sizeof(buf)));
        return NULL;
    }
    s = (const char *)node->data.scalar.value;
    if (strlen(s) != node->data.scalar.length) {
        rw_cfg_fail(ctx, node->start_mark, RW_EINVAL, "%s%sNUL byte in value",
                    key != NULL ? key : "", key != NULL ? ": " : "");
        return NULL;
    }
    return s;
}

const yaml_node_t *
rw_cfg_node(const struct rw_cfg_ctx *ctx, int id)
{
    return yaml_document_get_node(ctx->doc, id);
}

/* Levenshtein distance of a and b, or RW_CFG_SUGGEST_MAX + 1 when either is long. */
static size_t
edit_distance(const char *a, const char *b)
{
    size_t row[65], la = strlen(a), lb = strlen(b), i, j;

    if (la >= 64 || lb >= 64) {
        return RW_CFG_SUGGEST_MAX + 1;
    }
    for (j = 0; j <= lb; j++) {
        row[j] = j;
    }
    for (i = 1; i <= la; i++) {
        size_t diag = row[0];

        row[0] = i;
        for (j = 1; j <= lb; j++) {
            size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);

            best = up + 1 < best ? up + 1 : best;
            best = row[j - 1] + 1 < best ? row[j - 1] + 1 : best;
            diag = up;
            row[j] = best;
        }
    }
    return row[lb];
}

const char *
rw_cfg_suggest(const char *word, const char *const *words, size_t n)
{
    const char *best = NULL;
    size_t best_d = RW_CFG_SUGGEST_MAX + 1, i;

    for (i = 0; i < n; i++) {
        size_t d = edit_distance(word, words[i]);

        if (d < best_d && d < strlen(word)) {
            best = words[i];
            best_d = d;
        }
    }
    return best;
}

enum rw_rc
rw_cfg_list(struct rw_cfg_ctx *ctx, const yaml_node_t *node, const char *where,
            yaml_node_item_t **items, size_t *n)
{
    char buf[QUOTE_MAX + 8];

    *items = NULL;
    *n = 0;
    if (rw_cfg_is_null(node)) {
        return RW_OK;
    }
    if (node->type != YAML_SEQUENCE_NODE) {
        return rw_cfg_fail(ctx, node->start_mark, RW_EINVAL, "%s: expected a list, got %s", where,
                           rw_cfg_describe(node, buf, sizeof(buf)));
    }
    *items = node->data.sequence.items.start;
    *n = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
    if (*n > RW_CFG_LIST_MAX) {
        return rw_cfg_fail(ctx, node->start_mark, RW_EINVAL, "%s: more than %d entries", where,
                           RW_CFG_LIST_MAX);
    }
    return RW_OK;
}

/* Stores a string value at key->off, replacing (and freeing) what was there. */
static enum rw_rc
set_string(struct rw_cfg_ctx *ctx, const struct rw_cfg_key *key, const yaml_node_t *node, void *obj)
{
    char **slot = (char **)((char *)obj + key->off);
    const char *s = rw_cfg_scalar(ctx, node, key->name, "a string");
    char *copy;

    if (s == NULL) {
        return ctx->err->code;
    }
    if (s[0] == '\0') {
        return rw_cfg_fail(ctx, node->start_mark, RW_EINVAL, "%s: expected a string, got nothing",
                           key->name);
    }
    if (node->data.scalar.length > RW_CFG_STR_MAX) {
        return rw_cfg_fail(ctx, node->start_mark, RW_EINVAL, "%s: longer than %d bytes", key->name,
                           RW_CFG_STR_MAX);
    }
    copy = rw_cfg_strndup(ctx, s, node->data.scalar.length);
    if (copy == NULL) {
        return RW_ENOMEM;
    }
    free(*slot);
    *slot = copy;
    return key->check != NULL ? key->check(ctx, key->name, node, copy) : RW_OK;
}

static enum rw_rc
set_bool(struct rw_cfg_ctx *ctx, const struct rw_cfg_key *key, const yaml_node_t *node, void *obj)
{
    static const char *const yaml11[] = {"yes", "no", "on", "off", "y", "n"};
    int *slot = (int *)((char *)obj + key->off);
    const char *s = rw_cfg_scalar(ctx, node, key->name, "true or false");
    char buf[QUOTE_MAX + 8];
    size_t i;

    if (s == NULL) {
        return ctx->err->code;
    }
    if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 || strcmp(s, "TRUE") == 0) {
        *slot = 1;
        return RW_OK;
    }
    if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 || strcmp(s, "FALSE") == 0) {
        *slot = 0;
        return RW_OK;
    }
    rw_cfg_describe(node, buf, sizeof(buf));
    for (i = 0; i < sizeof(yaml11) / sizeof(yaml11[0]); i++) {
        if (strcasecmp(s, yaml11[i]) == 0) {
            return rw_cfg_fail(ctx, node->start_mark, RW_EINVAL,
                               "%s: expected true or false, got %s (yes/no/on/off are not "
                               "booleans here)",
                               key->name, buf);
        }
    }
    return rw_cfg_fail(ctx, node->start_mark, RW_EINVAL, "%s: expected true or false, got %s",
                       key->name, buf);
}

/* The words after "a whole number" or "a number" in messages: " of seconds" or "". */
static const char *
unit_phrase(const struct rw_cfg_key *key, char *buf, size_t size)
{
    if (key->unit == NULL) {
        return "";
    }
    (void)snprintf(buf, size, " of %s", key->unit);
    return buf;
}

static enum rw_rc
out_of_range(struct rw_cfg_ctx *ctx, const struct rw_cfg_key *key, const yaml_node_t *node,
             const char *s)
{
    char buf[QUOTE_MAX + 8];

    return rw_cfg_fail(ctx, node->start_mark, RW_EINVAL, "%s: %s is out of range %g-%g%s%s",
                       key->name, rw_cfg_quote(s, strlen(s), buf, sizeof(buf)), key->min, key->max,
                       key->unit != NULL ? " " : "", key->unit != NULL ? key->unit : "");
}

static enum rw_rc
set_int(struct rw_cfg_ctx *ctx, const struct rw_cfg_key *key, const yaml_node_t *node, void *obj)
{
    int64_t *slot = (int64_t *)(void *)((char *)obj + key->off);
    const char *s = rw_cfg_scalar(ctx, node, key->name, "a whole number");
    char buf[QUOTE_MAX + 8], unit[32];
    int64_t v;

    if (s == NULL) {
        return ctx->err->code;
    }
    if (rw_parse_i64(s, INT64_MIN, INT64_MAX, &v) != RW_OK) {
        return rw_cfg_fail(
            ctx, node->start_mark, RW_EINVAL, "%s: expected a whole number%s, got %s", key->name,
            unit_phrase(key, unit, sizeof(unit)), rw_cfg_describe(node, buf, sizeof(buf)));
    }
    if ((double)v < key->min || (double)v > key->max) {
        return out_of_range(ctx, key, node, s);
    }
    *slot = v;
    return RW_OK;
}

static enum rw_rc
set_seconds(struct rw_cfg_ctx *ctx, const struct rw_cfg_key *key, const yaml_node_t *node,
            void *obj)
{
    double *slot = (double *)(void *)((char *)obj + key->off);
    const char *s = rw_cfg_scalar(ctx, node, key->name, "a number of seconds");
    char buf[QUOTE_MAX + 8], unit[32];
    double v;

    if (s == NULL) {
        return ctx->err->code;
    }
    if (rw_parse_double(s, &v) != RW_OK) {
        return rw_cfg_fail(ctx, node->start_mark, RW_EINVAL, "%s: expected a number%s, got %s",
                           key->name, unit_phrase(key, unit, sizeof(unit)),
                           rw_cfg_describe(node, buf, sizeof(buf)));
    }
    if (v < key->min || v > key->max) {
        return out_of_range(ctx, key, node, s);
    }
    *slot = v;
    return RW_OK;
}

static enum rw_rc
set_enum(struct rw_cfg_ctx *ctx, const struct rw_cfg_key *key, const yaml_node_t *node, void *obj)
{
    int *slot = (int *)((char *)obj + key->off);
    const char *s = rw_cfg_scalar(ctx, node, key->name, "a word");
    char buf[QUOTE_MAX + 8], list[128] = "", hint[96] = "";
    const char *near;
    size_t i, n;

    if (s == NULL) {
        return ctx->err->code;
    }
    for (n = 0; key->choices[n] != NULL; n++) {
        if (strcmp(s, key->choices[n]) == 0) {
            *slot = (int)n;
            return RW_OK;
        }
    }
    for (i = 0; i < n; i++) {
        size_t used = strlen(list);

        (void)snprintf(list + used, sizeof(list) - used, "%s%s", i > 0 ? " | " : "",
                       key->choices[i]);
    }
    near = rw_cfg_suggest(s, key->choices, n);
    if (near != NULL) {
        (void)snprintf(hint, sizeof(hint), " (did you mean '%s'?)", near);
    }
    return rw_cfg_fail(ctx, node->start_mark, RW_EINVAL, "%s: expected %s, got %s%s", key->name,
                       list, rw_cfg_describe(node, buf, sizeof(buf)), hint);
}

enum rw_rc
rw_cfg_set(struct rw_cfg_ctx *ctx, const struct rw_cfg_key *key, const yaml_node_t *node, void *obj)
{
    switch (key->type) {
    case RW_CFG_STR:
        return set_string(ctx, key, node, obj);
    case RW_CFG_BOOL:
        return set_bool(ctx, key, node, obj);
    case RW_CFG_INT:
        return set_int(ctx, key, node, obj);
    case RW_CFG_SECONDS:
        return set_seconds(ctx, key, node, obj);
    case RW_CFG_ENUM:
        return set_enum(ctx, key, node, obj);
    case RW_CFG_FUNC:
        break;
    }
    /* An empty value of a section or list means the key is absent. */
    if (rw_cfg_is_null(node) && !(key->flags & (RW_CFG_REQUIRED | RW_CFG_KEEP_NULL))) {
        return RW_OK;
    }
    return key->fn(ctx, key, node, obj);
}

static enum rw_rc
unknown_key(struct rw_cfg_ctx *ctx, const yaml_node_t *knode, const struct rw_cfg_table *table,
            const char *where)
{
    const char *names[RW_CFG_KEYS_MAX];
    const char *s = (const char *)knode->data.scalar.value;
    char buf[QUOTE_MAX + 8];
    const char *near;
    size_t i;

    for (i = 0; i < table->n_keys && i < RW_CFG_KEYS_MAX; i++) {
        names[i] = table->keys[i].name;
    }
    rw_cfg_quote(s, knode->data.scalar.length, buf, sizeof(buf));
    near = rw_cfg_suggest(s, names, i);
    if (near != NULL) {
        return rw_cfg_fail(ctx, knode->start_mark, RW_EINVAL,
                           "unknown key %s in %s (did you mean '%s'?)", buf, where, near);
    }
    return rw_cfg_fail(ctx, knode->start_mark, RW_EINVAL, "unknown key %s in %s", buf, where);
}

/* Finds the key of one pair in table; records the error and returns NULL when unknown. */
static const struct rw_cfg_key *
find_key(struct rw_cfg_ctx *ctx, const yaml_node_t *knode, const struct rw_cfg_table *table,
         const char *where)
{
    size_t i;

    if (rw_cfg_scalar(ctx, knode, NULL, "a key name") == NULL) {
        return NULL;
    }
    for (i = 0; i < table->n_keys; i++) {
        if (strcmp((const char *)knode->data.scalar.value, table->keys[i].name) == 0) {
            return &table->keys[i];
        }
    }
    unknown_key(ctx, knode, table, where);
    return NULL;
}

static enum rw_rc
check_required(struct rw_cfg_ctx *ctx, const yaml_node_t *node, const struct rw_cfg_table *table,
               const char *where, const yaml_node_t *const *seen)
{
    size_t i;

    for (i = 0; i < table->n_keys; i++) {
        if ((table->keys[i].flags & RW_CFG_REQUIRED) && seen[i] == NULL) {
            return rw_cfg_fail(ctx, node->start_mark, RW_EINVAL, "%s: missing required key '%s'",
                               where, table->keys[i].name);
        }
    }
    return RW_OK;
}

enum rw_rc
rw_cfg_walk(struct rw_cfg_ctx *ctx, const yaml_node_t *node, const struct rw_cfg_table *table,
            const char *where, void *obj)
{
    const yaml_node_t *seen[RW_CFG_KEYS_MAX] = {NULL};
    char buf[QUOTE_MAX + 8];
    yaml_node_pair_t *pair;

    assert(table->n_keys <= RW_CFG_KEYS_MAX);
    if (node->type != YAML_MAPPING_NODE) {
        return rw_cfg_fail(ctx, node->start_mark, RW_EINVAL, "%s: expected a mapping, got %s",
                           where, rw_cfg_describe(node, buf, sizeof(buf)));
    }
    for (pair = node->data.mapping.pairs.start; pair < node->data.mapping.pairs.top; pair++) {
        const yaml_node_t *knode = rw_cfg_node(ctx, pair->key);
        const struct rw_cfg_key *key = find_key(ctx, knode, table, where);
        size_t idx;

        if (key == NULL) {
            return ctx->err->code;
        }
        idx = (size_t)(key - table->keys);
        if (seen[idx] != NULL) {
            return rw_cfg_fail(ctx, knode->start_mark, RW_EINVAL,
                               "duplicate key '%s' in %s (first at %zu:%zu)", key->name, where,
                               seen[idx]->start_mark.line + 1, seen[idx]->start_mark.column + 1);
        }
        seen[idx] = knode;
        if (rw_cfg_set(ctx, key, rw_cfg_node(ctx, pair->value), obj) != RW_OK) {
            return ctx->err->code;
        }
    }
    return check_required(ctx, node, table, where, seen);
}

const yaml_node_t *
rw_cfg_find(const struct rw_cfg_ctx *ctx, const yaml_node_t *node, const char *key)
{
    yaml_node_pair_t *pair;

    if (node->type != YAML_MAPPING_NODE) {
        return NULL;
    }
    for (pair = node->data.mapping.pairs.start; pair < node->data.mapping.pairs.top; pair++) {
        const yaml_node_t *k = rw_cfg_node(ctx, pair->key);

        if (k->type == YAML_SCALAR_NODE && strcmp((const char *)k->data.scalar.value, key) == 0) {
            return rw_cfg_node(ctx, pair->value);
        }
    }
    return NULL;
}

const char *
rw_cfg_prefix(const char *key, char *buf, size_t size)
{
    if (key == NULL) {
        return "";
    }
    (void)snprintf(buf, size, "%s: ", key);
    return buf;
}

enum rw_rc
rw_cfg_check_name(struct rw_cfg_ctx *ctx, const char *key, const yaml_node_t *node,
                  const char *value)
{
    char buf[QUOTE_MAX + 8], pfx[64];
    size_t len = strlen(value);

    if (len <= RW_CFG_NAME_MAX && strspn(value, "abcdefghijklmnopqrstuvwxyz"
                                                "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                "0123456789._-") == len) {
        return RW_OK;
    }
    return rw_cfg_fail(ctx, node->start_mark, RW_EINVAL,
                       "%sinvalid name %s (letters, digits, '.', '_' and '-', at most %d)",
                       rw_cfg_prefix(key, pfx, sizeof(pfx)),
                       rw_cfg_quote(value, len, buf, sizeof(buf)), RW_CFG_NAME_MAX);
}

/*
 * rw_config_int.h: shared by the rw_config_*.c files only.
 *
 * rw_config.c        public entry points: read the file, parse, free
 * rw_config_walk.c   the schema-table walker over a libyaml document: messages with
 *                    positions, key suggestions, typed scalars
 * rw_config_schema.c one key table per section plus the small handlers
 * rw_config_secret.c credentials: password_file, password_env, inline password
 */
#ifndef RW_CONFIG_INT_H
#define RW_CONFIG_INT_H

#include <stddef.h>
#include <sys/types.h>
#include <yaml.h>

#include "rw_config.h"

#define RW_CFG_DEPTH_MAX   32   /* nesting of mappings and lists */
#define RW_CFG_STR_MAX     1024 /* bytes in any kept string */
#define RW_CFG_LIST_MAX    4096 /* entries in any list or named mapping */
#define RW_CFG_NAME_MAX    63   /* bytes in an endpoint, spoke or credentials name */
#define RW_CFG_VERSION_MAX 63   /* bytes in a version string */
#define RW_CFG_SUGGEST_MAX 2    /* edit distance under which a key is suggested */
#define RW_CFG_KEYS_MAX    24   /* keys in one schema table */

/* The state of one load; lives on the stack of rw_config_parse_failing(). */
struct rw_cfg_ctx {
    const char *name;     /* file name for messages */
    yaml_document_t *doc; /* borrowed */
    struct rw_config *cfg;
    unsigned flags;     /* RW_CONFIG_PRIVATE */
    int mode;           /* the file's permission bits, or -1 when unknown */
    long alloc_left;    /* allocations before the injected failure; < 0: none */
    struct rw_err *err; /* never NULL: the loader's own record */
};

enum rw_cfg_type {
    RW_CFG_STR,     /* char *, a non-empty scalar of at most RW_CFG_STR_MAX bytes */
    RW_CFG_BOOL,    /* int, true or false */
    RW_CFG_INT,     /* int64_t in [min, max] */
    RW_CFG_SECONDS, /* double in [min, max] */
    RW_CFG_ENUM,    /* int, the index of the value in choices */
    RW_CFG_FUNC,    /* handled by fn */
};

#define RW_CFG_REQUIRED  0x1u
#define RW_CFG_KEEP_NULL 0x2u /* RW_CFG_FUNC: call fn for an empty value too */

struct rw_cfg_key;

/* Checks a string value after it is stored; RW_OK or the error already recorded. */
typedef enum rw_rc rw_cfg_check_fn(struct rw_cfg_ctx *ctx, const char *key, const yaml_node_t *node,
                                   const char *value);
/* Handles one value into obj; RW_OK or the error already recorded. */
typedef enum rw_rc rw_cfg_func_fn(struct rw_cfg_ctx *ctx, const struct rw_cfg_key *key,
                                  const yaml_node_t *node, void *obj);

/* One row of a schema table: a key, its type, and where its value goes in obj. */
struct rw_cfg_key {
    const char *name;
    enum rw_cfg_type type;
    unsigned flags;
    size_t off;
    double min, max;
    const char *unit;           /* "seconds", "days"...: for messages, or NULL */
    const char *const *choices; /* RW_CFG_ENUM, NULL-terminated */
    rw_cfg_check_fn *check;     /* RW_CFG_STR, optional */
    rw_cfg_func_fn *fn;         /* RW_CFG_FUNC */
};

/* A schema table and the words messages use for the mapping it describes. */
struct rw_cfg_table {
    const struct rw_cfg_key *keys;
    size_t n_keys;
};

/* --- rw_config_walk.c --- */

/* Records "NAME:LINE:COL: message" at mark (0-based libyaml mark) and returns code. */
enum rw_rc rw_cfg_fail(struct rw_cfg_ctx *ctx, yaml_mark_t mark, enum rw_rc code, const char *fmt,
                       ...) RW_PRINTF(4, 5);

/* Records "NAME: out of memory" and returns RW_ENOMEM. */
enum rw_rc rw_cfg_nomem(struct rw_cfg_ctx *ctx);

/* calloc() that honours the injected failure; records the error itself. */
void *rw_cfg_calloc(struct rw_cfg_ctx *ctx, size_t n, size_t size);

/* strndup() that honours the injected failure; records the error itself. */
char *rw_cfg_strndup(struct rw_cfg_ctx *ctx, const char *s, size_t len);

/* Writes s as 'text' (cut, control characters replaced) into buf, for messages. */
const char *rw_cfg_quote(const char *s, size_t len, char *buf, size_t size);

/* Writes how node looks ("'ten'", "a mapping", "a list", "nothing") into buf. */
const char *rw_cfg_describe(const yaml_node_t *node, char *buf, size_t size);

/* 1 when node is a plain empty, "~" or "null" scalar. */
int rw_cfg_is_null(const yaml_node_t *node);

/*
 * The scalar's text (NUL-terminated by libyaml), or NULL after recording
 * "KEY: expected WHAT, got ..." (KEY may be NULL) for a list, a mapping or a NUL byte.
 */
const char *rw_cfg_scalar(struct rw_cfg_ctx *ctx, const yaml_node_t *node, const char *key,
                          const char *what);

/* The closest of n words to word within RW_CFG_SUGGEST_MAX edits, or NULL. */
const char *rw_cfg_suggest(const char *word, const char *const *words, size_t n);

/*
 * Walks mapping node against table, filling obj: refuses non-mappings, unknown keys
 * (with a suggestion), duplicate keys and missing required keys.  where names the
 * mapping in messages ("defaults", "endpoint 2").
 */
enum rw_rc rw_cfg_walk(struct rw_cfg_ctx *ctx, const yaml_node_t *node,
                       const struct rw_cfg_table *table, const char *where, void *obj);

/* The items of a list node, or an error naming where when node is not a list. */
enum rw_rc rw_cfg_list(struct rw_cfg_ctx *ctx, const yaml_node_t *node, const char *where,
                       yaml_node_item_t **items, size_t *n);

/*
 * Converts node by key's type into obj.  An empty value of an optional RW_CFG_FUNC key
 * means the key is absent.
 */
enum rw_rc rw_cfg_set(struct rw_cfg_ctx *ctx, const struct rw_cfg_key *key, const yaml_node_t *node,
                      void *obj);

/* The value of key in mapping node, or NULL when absent. */
const yaml_node_t *rw_cfg_find(const struct rw_cfg_ctx *ctx, const yaml_node_t *node,
                               const char *key);

/* Checks a name (endpoint, spoke, credentials): letters, digits, '.', '_', '-'. */
enum rw_rc rw_cfg_check_name(struct rw_cfg_ctx *ctx, const char *key, const yaml_node_t *node,
                             const char *value);

/* "KEY: " for messages, or "" when key is NULL; written into buf (64 bytes or more). */
const char *rw_cfg_prefix(const char *key, char *buf, size_t size);

/* The node with id, never NULL for ids taken from the document. */
const yaml_node_t *rw_cfg_node(const struct rw_cfg_ctx *ctx, int id);

/* --- rw_config_schema.c --- */

/* Fills ctx->cfg (already holding built-in defaults) from the document's root node. */
enum rw_rc rw_cfg_root(struct rw_cfg_ctx *ctx, const yaml_node_t *root);

/* Sets the built-in defaults in cfg; allocates the default strings. */
enum rw_rc rw_cfg_builtin(struct rw_cfg_ctx *ctx, struct rw_config *cfg);

/* Frees the members of a target (not the target itself). */
void rw_cfg_target_cleanup(struct rw_config_target *t);

/* --- rw_config_secret.c --- */

/* Fills cfg->creds from the `credentials:` mapping. */
enum rw_rc rw_cfg_credentials(struct rw_cfg_ctx *ctx, const yaml_node_t *node);

/* Overwrites len bytes at p with zeros in a way the compiler keeps. */
void rw_cfg_wipe(void *p, size_t len);

/* Wipes and frees a string; NULL does nothing. */
void rw_cfg_free_secret(char *s);

#endif

/*
 * Credentials: a username and exactly one password source.  A password_file is read
 * at load time and refused when others may read it; password_env must name a set,
 * non-empty variable; an inline password only in a file its owner alone may read.
 */
#include "rw_config_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define QUOTE_BUF 64

/* What one credentials mapping says, before its password is resolved. */
struct cred_src {
    char *username;
    char *password_file;
    char *password_env;
    char *password;
};

static const struct rw_cfg_key cred_keys[] = {
    {.name = "username",
     .type = RW_CFG_STR,
     .flags = RW_CFG_REQUIRED,
     .off = offsetof(struct cred_src, username)},
    {.name = "password_file", .type = RW_CFG_STR, .off = offsetof(struct cred_src, password_file)},
    {.name = "password_env", .type = RW_CFG_STR, .off = offsetof(struct cred_src, password_env)},
    {.name = "password", .type = RW_CFG_STR, .off = offsetof(struct cred_src, password)},
};
static const struct rw_cfg_table cred_table = {cred_keys, sizeof(cred_keys) / sizeof(cred_keys[0])};

void
rw_cfg_wipe(void *p, size_t len)
{
    volatile unsigned char *v = p;

    while (len-- > 0) {
        *v++ = 0;
    }
}

void
rw_cfg_free_secret(char *s)
{
    if (s != NULL) {
        rw_cfg_wipe(s, strlen(s));
        free(s);
    }
}

/* Reads at most RW_CONFIG_SECRET_MAX + 1 bytes of fd into buf; the count, or -1. */
static ssize_t
read_all(int fd, char *buf, size_t size)
{
    size_t got = 0;

    while (got < size) {
        ssize_t n = read(fd, buf + got, size - got);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return -1;
        }
        if (n == 0) {
            break;
        }
        got += (size_t)n;
    }
    return (ssize_t)got;
}

/* Checks what fstat() says of an open password file. */
static enum rw_rc
check_secret_file(struct rw_cfg_ctx *ctx, const yaml_node_t *at, const char *path, int fd)
{
    struct stat st;

    if (fstat(fd, &st) != 0) {
        return rw_cfg_fail(ctx, at->start_mark, RW_EINVAL, "cannot read password file '%s': %s",
                           path, strerror(errno));
    }
    if (!S_ISREG(st.st_mode)) {
        return rw_cfg_fail(ctx, at->start_mark, RW_EINVAL,
                           "password file '%s' is not a regular file", path);
    }
    if (st.st_mode & S_IROTH) {
        return rw_cfg_fail(ctx, at->start_mark, RW_EINVAL,
                           "password file '%s' is readable by others (mode %04o): chmod 600 it",
                           path, (unsigned)(st.st_mode & 07777));
    }
    return RW_OK;
}

/* Strips one trailing newline and checks what is left; the password's length or -1. */
static ssize_t
secret_text(struct rw_cfg_ctx *ctx, const yaml_node_t *at, const char *path, char *buf, ssize_t n)
{
    if (n > RW_CONFIG_SECRET_MAX) {
        rw_cfg_fail(ctx, at->start_mark, RW_EINVAL, "password file '%s' is larger than %d bytes",
                    path, RW_CONFIG_SECRET_MAX);
        return -1;
    }
    if (n > 0 && buf[n - 1] == '\n') {
        n--;
        if (n > 0 && buf[n - 1] == '\r') {
            n--;
        }
    }
    if (n == 0) {
        rw_cfg_fail(ctx, at->start_mark, RW_EINVAL, "password file '%s' is empty", path);
        return -1;
    }
    if (memchr(buf, '\0', (size_t)n) != NULL || memchr(buf, '\n', (size_t)n) != NULL) {
        rw_cfg_fail(ctx, at->start_mark, RW_EINVAL,
                    "password file '%s' holds a NUL byte or more than one line", path);
        return -1;
    }
    return n;
}

/*
 * Reads the password in path into *out (caller wipes and frees).  O_NONBLOCK so that a
 * FIFO named by mistake is refused by the regular-file check instead of hanging.
 */
static enum rw_rc
read_secret_file(struct rw_cfg_ctx *ctx, const yaml_node_t *at, const char *path, char **out)
{
    char buf[RW_CONFIG_SECRET_MAX + 1];
    ssize_t n = -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

    if (fd < 0) {
        return rw_cfg_fail(ctx, at->start_mark, RW_EINVAL, "cannot read password file '%s': %s",
                           path, strerror(errno));
    }
    if (check_secret_file(ctx, at, path, fd) != RW_OK) {
        goto fail;
    }
    n = read_all(fd, buf, sizeof(buf));
    if (n < 0) {
        rw_cfg_fail(ctx, at->start_mark, RW_EINVAL, "cannot read password file '%s': %s", path,
                    strerror(errno));
        goto fail;
    }
    n = secret_text(ctx, at, path, buf, n);
    if (n >= 0) {
        *out = rw_cfg_strndup(ctx, buf, (size_t)n);
    }
fail:
    rw_cfg_wipe(buf, sizeof(buf));
    close(fd);
    return ctx->err->code;
}

static enum rw_rc
env_secret(struct rw_cfg_ctx *ctx, const yaml_node_t *at, const char *var, char **out)
{
    const char *v = getenv(var);

    if (v == NULL) {
        return rw_cfg_fail(ctx, at->start_mark, RW_EINVAL, "environment variable '%s' is not set",
                           var);
    }
    if (v[0] == '\0' || strlen(v) > RW_CONFIG_SECRET_MAX) {
        return rw_cfg_fail(ctx, at->start_mark, RW_EINVAL,
                           "environment variable '%s' is empty or longer than %d bytes", var,
                           RW_CONFIG_SECRET_MAX);
    }
    *out = rw_cfg_strndup(ctx, v, strlen(v));
    return *out == NULL ? RW_ENOMEM : RW_OK;
}

static enum rw_rc
inline_secret(struct rw_cfg_ctx *ctx, const yaml_node_t *at, struct cred_src *src, char **out)
{
    if (!(ctx->flags & RW_CONFIG_PRIVATE) && ctx->mode >= 0) {
        return rw_cfg_fail(ctx, at->start_mark, RW_EINVAL,
                           "inline password in a file readable by group or others (mode %04o): "
                           "chmod 600 %s or use password_file",
                           (unsigned)ctx->mode, ctx->name);
    }
    if (!(ctx->flags & RW_CONFIG_PRIVATE)) {
        return rw_cfg_fail(ctx, at->start_mark, RW_EINVAL,
                           "inline password needs a file readable by its owner only: chmod 600 "
                           "it or use password_file");
    }
    *out = src->password;
    src->password = NULL;
    return RW_OK;
}

/* Picks the one password source of a credentials mapping and resolves it. */
static enum rw_rc
resolve(struct rw_cfg_ctx *ctx, const yaml_node_t *node, const char *where, struct cred_src *src,
        char **out)
{
    int n = (src->password_file != NULL) + (src->password_env != NULL) + (src->password != NULL);

    if (n != 1) {
        return rw_cfg_fail(ctx, node->start_mark, RW_EINVAL,
                           "%s: %s one of password_file, password_env or password", where,
                           n == 0 ? "missing" : "give only");
    }
    if (src->password_file != NULL) {
        return read_secret_file(ctx, rw_cfg_find(ctx, node, "password_file"), src->password_file,
                                out);
    }
    if (src->password_env != NULL) {
        return env_secret(ctx, rw_cfg_find(ctx, node, "password_env"), src->password_env, out);
    }
    return inline_secret(ctx, rw_cfg_find(ctx, node, "password"), src, out);
}

/* Fills one credentials entry from its name key and mapping value. */
static enum rw_rc
one_cred(struct rw_cfg_ctx *ctx, const yaml_node_t *knode, const yaml_node_t *value,
         struct rw_config_cred *cred)
{
    struct cred_src src = {NULL, NULL, NULL, NULL};
    char where[RW_CFG_NAME_MAX + 32];
    const char *name = rw_cfg_scalar(ctx, knode, NULL, "a credentials name");

    if (name == NULL || rw_cfg_check_name(ctx, NULL, knode, name) != RW_OK) {
        return ctx->err->code;
    }
    cred->name = rw_cfg_strndup(ctx, name, strlen(name));
    if (cred->name == NULL) {
        return RW_ENOMEM;
    }
    (void)snprintf(where, sizeof(where), "credentials '%s'", name);
    if (rw_cfg_walk(ctx, value, &cred_table, where, &src) == RW_OK &&
        resolve(ctx, value, where, &src, &cred->password) == RW_OK) {
        cred->username = src.username;
        src.username = NULL;
    }
    free(src.username);
    free(src.password_file);
    free(src.password_env);
    rw_cfg_free_secret(src.password);
    return ctx->err->code;
}

/* Refuses a credentials name used before, pointing at both. */
static enum rw_rc
check_dup_cred(struct rw_cfg_ctx *ctx, const yaml_node_pair_t *first, const yaml_node_pair_t *pair)
{
    const yaml_node_t *k = rw_cfg_node(ctx, pair->key);
    const yaml_node_pair_t *p;

    for (p = first; p < pair; p++) {
        const yaml_node_t *e = rw_cfg_node(ctx, p->key);

        if (strcmp((const char *)e->data.scalar.value, (const char *)k->data.scalar.value) == 0) {
            return rw_cfg_fail(ctx, k->start_mark, RW_EINVAL,
                               "duplicate credentials name '%s' (first at %zu:%zu)",
                               (const char *)k->data.scalar.value, e->start_mark.line + 1,
                               e->start_mark.column + 1);
        }
    }
    return RW_OK;
}

enum rw_rc
rw_cfg_credentials(struct rw_cfg_ctx *ctx, const yaml_node_t *node)
{
    struct rw_config *cfg = ctx->cfg;
    yaml_node_pair_t *start, *pair;
    char buf[QUOTE_BUF];
    size_t n;

    if (node->type != YAML_MAPPING_NODE) {
        return rw_cfg_fail(ctx, node->start_mark, RW_EINVAL,
                           "credentials: expected a mapping of names, got %s",
                           rw_cfg_describe(node, buf, sizeof(buf)));
    }
    start = node->data.mapping.pairs.start;
    n = (size_t)(node->data.mapping.pairs.top - start);
    if (n > RW_CFG_LIST_MAX) {
        return rw_cfg_fail(ctx, node->start_mark, RW_EINVAL, "credentials: more than %d entries",
                           RW_CFG_LIST_MAX);
    }
    cfg->creds = rw_cfg_calloc(ctx, n, sizeof(*cfg->creds));
    if (cfg->creds == NULL) {
        return RW_ENOMEM;
    }
    cfg->n_creds = n;
    for (pair = start; pair < node->data.mapping.pairs.top; pair++) {
        if (one_cred(ctx, rw_cfg_node(ctx, pair->key), rw_cfg_node(ctx, pair->value),
                     &cfg->creds[pair - start]) != RW_OK ||
            check_dup_cred(ctx, start, pair) != RW_OK) {
            return ctx->err->code;
        }
    }
    return RW_OK;
}

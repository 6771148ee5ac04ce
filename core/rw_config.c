/*
 * rw_config entry points: read the file (capped, mode noted for inline passwords),
 * refuse aliases and anchors in a first pass over libyaml's events, load the one
 * document, and hand it to the schema walker (rw_config_schema.c).
 */
#include "rw_config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rw_buf.h"
#include "rw_config_int.h"

#define READ_CHUNK 65536

/* Turns a libyaml parser error into one positioned line. */
static enum rw_rc
syntax_error(struct rw_cfg_ctx *ctx, const yaml_parser_t *p, const char *text)
{
    yaml_mark_t mark = p->problem_mark;
    size_t i;

    if (p->error == YAML_MEMORY_ERROR) {
        return rw_cfg_nomem(ctx);
    }
    if (p->error == YAML_READER_ERROR) {
        /* The reader reports an offset, not a mark: count the lines up to it. */
        mark.line = 0;
        mark.column = 0;
        for (i = 0; i < p->problem_offset; i++) {
            mark.column = text[i] == '\n' ? 0 : mark.column + 1;
            mark.line += text[i] == '\n';
        }
    }
    if (p->context != NULL) {
        return rw_cfg_fail(ctx, mark, RW_EPARSE, "%s %s at %zu:%zu", p->problem, p->context,
                           p->context_mark.line + 1, p->context_mark.column + 1);
    }
    return rw_cfg_fail(ctx, mark, RW_EPARSE, "%s", p->problem != NULL ? p->problem : "bad YAML");
}

/* Refuses one event: aliases, anchors, a second document, too deep nesting. */
static enum rw_rc
check_event(struct rw_cfg_ctx *ctx, const yaml_event_t *ev, int *depth, int *docs)
{
    const yaml_char_t *anchor = NULL;

    switch (ev->type) {
    case YAML_ALIAS_EVENT:
        return rw_cfg_fail(ctx, ev->start_mark, RW_EINVAL, "aliases (*%s) are not allowed",
                           (const char *)ev->data.alias.anchor);
    case YAML_SCALAR_EVENT:
        anchor = ev->data.scalar.anchor;
        break;
    case YAML_SEQUENCE_START_EVENT:
        anchor = ev->data.sequence_start.anchor;
        ++*depth;
        break;
    case YAML_MAPPING_START_EVENT:
        anchor = ev->data.mapping_start.anchor;
        ++*depth;
        break;
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        --*depth;
        break;
    case YAML_DOCUMENT_START_EVENT:
        if (++*docs > 1) {
            return rw_cfg_fail(ctx, ev->start_mark, RW_EINVAL, "only one YAML document allowed");
        }
        break;
    default:
        break;
    }
    if (anchor != NULL) {
        return rw_cfg_fail(ctx, ev->start_mark, RW_EINVAL, "anchors (&%s) are not allowed",
                           (const char *)anchor);
    }
    if (*depth > RW_CFG_DEPTH_MAX) {
        return rw_cfg_fail(ctx, ev->start_mark, RW_EINVAL, "nested deeper than %d levels",
                           RW_CFG_DEPTH_MAX);
    }
    return RW_OK;
}

/*
 * First pass over the events: libyaml's document loader resolves aliases silently,
 * so aliases and anchors are refused here, before any document is built.
 */
static enum rw_rc
scan(struct rw_cfg_ctx *ctx, const char *text, size_t len)
{
    yaml_parser_t p;
    yaml_event_t ev;
    int depth = 0, docs = 0, done = 0;

    if (!yaml_parser_initialize(&p)) {
        return rw_cfg_nomem(ctx);
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    while (!done) {
        if (!yaml_parser_parse(&p, &ev)) {
            syntax_error(ctx, &p, text);
            break;
        }
        done = ev.type == YAML_STREAM_END_EVENT;
        if (check_event(ctx, &ev, &depth, &docs) != RW_OK) {
            done = 1;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    return ctx->err->code;
}

/* Loads the one document, already scanned, into doc. */
static enum rw_rc
load_document(struct rw_cfg_ctx *ctx, const char *text, size_t len, yaml_document_t *doc)
{
    yaml_parser_t p;
    int ok;

    if (!yaml_parser_initialize(&p)) {
        return rw_cfg_nomem(ctx);
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    ok = yaml_parser_load(&p, doc);
    if (!ok) {
        syntax_error(ctx, &p, text);
    }
    yaml_parser_delete(&p);
    return ok ? RW_OK : ctx->err->code;
}

/* Builds the configuration from the document in ctx->doc. */
static enum rw_rc
build(struct rw_cfg_ctx *ctx)
{
    const yaml_node_t *root = yaml_document_get_root_node(ctx->doc);
    yaml_mark_t start = {0, 0, 0};

    if (root == NULL || rw_cfg_is_null(root)) {
        return rw_cfg_fail(ctx, root != NULL ? root->start_mark : start, RW_EINVAL,
                           "empty configuration");
    }
    ctx->cfg = rw_cfg_calloc(ctx, 1, sizeof(*ctx->cfg));
    if (ctx->cfg == NULL || rw_cfg_builtin(ctx, ctx->cfg) != RW_OK) {
        return ctx->err->code;
    }
    return rw_cfg_root(ctx, root);
}

/* Parses text with ctx prepared by the caller; *out gets the configuration. */
static enum rw_rc
parse(struct rw_cfg_ctx *ctx, const char *text, size_t len, struct rw_config **out)
{
    yaml_document_t doc;

    if (text == NULL) {
        /* libyaml refuses a NULL input even of length 0. */
        text = "";
        len = 0;
    }
    if (len > RW_CONFIG_MAX_BYTES) {
        return rw_err_set(ctx->err, RW_ETOOBIG, "%s: larger than %d bytes", ctx->name,
                          RW_CONFIG_MAX_BYTES);
    }
    if (scan(ctx, text, len) != RW_OK || load_document(ctx, text, len, &doc) != RW_OK) {
        return ctx->err->code;
    }
    ctx->doc = &doc;
    if (build(ctx) == RW_OK) {
        *out = ctx->cfg;
        ctx->cfg = NULL;
    }
    rw_config_free(ctx->cfg);
    ctx->cfg = NULL;
    /* The document holds the text of any inline password. */
    yaml_document_delete(&doc);
    return ctx->err->code;
}

/* Parses with the file's mode known (mode >= 0) or not (-1). */
static enum rw_rc
parse_mode(const char *name, const char *text, size_t len, unsigned flags, int mode, long fail_at,
           struct rw_config **out, struct rw_err *err)
{
    struct rw_err own;
    struct rw_cfg_ctx ctx;

    rw_err_clear(&own);
    memset(&ctx, 0, sizeof(ctx));
    ctx.name = name;
    ctx.flags = flags;
    ctx.mode = mode;
    ctx.alloc_left = fail_at > 0 ? fail_at : -1;
    ctx.err = &own;
    *out = NULL;
    if (parse(&ctx, text, len, out) != RW_OK) {
        return rw_err_set(err, own.code, "%s", own.msg);
    }
    return RW_OK;
}

enum rw_rc
rw_config_parse_failing(const char *name, const char *text, size_t len, unsigned flags,
                        long fail_at, struct rw_config **out, struct rw_err *err)
{
    return parse_mode(name, text, len, flags, -1, fail_at, out, err);
}

enum rw_rc
rw_config_parse(const char *name, const char *text, size_t len, unsigned flags,
                struct rw_config **out, struct rw_err *err)
{
    return parse_mode(name, text, len, flags, -1, 0, out, err);
}

/* Reads fd into buf, at most RW_CONFIG_MAX_BYTES. */
static enum rw_rc
read_fd(const char *path, int fd, struct rw_buf *buf, struct rw_err *err)
{
    char chunk[READ_CHUNK];
    ssize_t n;
    enum rw_rc rc = RW_OK;

    for (;;) {
        n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        rc = rw_buf_add(buf, chunk, (size_t)n);
        if (rc != RW_OK) {
            break;
        }
    }
    rw_cfg_wipe(chunk, sizeof(chunk));
    if (rc == RW_ETOOBIG) {
        return rw_err_set(err, rc, "%s: larger than %d bytes", path, RW_CONFIG_MAX_BYTES);
    }
    if (rc != RW_OK) {
        return rw_err_set(err, rc, "%s: out of memory", path);
    }
    if (n < 0) {
        return rw_err_set(err, RW_EINVAL, "%s: cannot read: %s", path, strerror(errno));
    }
    return RW_OK;
}

/* O_NONBLOCK: a FIFO is refused as "not a regular file" instead of blocking the open. */
enum rw_rc
rw_config_load(const char *path, struct rw_config **out, struct rw_err *err)
{
    struct rw_buf buf;
    struct stat st;
    enum rw_rc rc;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

    *out = NULL;
    rw_buf_init(&buf, RW_CONFIG_MAX_BYTES);
    if (fd < 0 || fstat(fd, &st) != 0) {
        rc = rw_err_set(err, RW_EINVAL, "%s: cannot read: %s", path, strerror(errno));
        goto fail;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = rw_err_set(err, RW_EINVAL, "%s: cannot read: not a regular file", path);
        goto fail;
    }
    rc = read_fd(path, fd, &buf, err);
    if (rc == RW_OK) {
        unsigned flags = (st.st_mode & (S_IRGRP | S_IROTH)) ? 0 : RW_CONFIG_PRIVATE;

        rc = parse_mode(path, rw_buf_str(&buf), rw_buf_len(&buf), flags, (int)(st.st_mode & 07777),
                        0, out, err);
    }
fail:
    if (buf.data != NULL) {
        rw_cfg_wipe(buf.data, buf.len);
    }
    rw_buf_free(&buf);
    if (fd >= 0) {
        close(fd);
    }
    return rc;
}

static const struct rw_config_target *
find_target(const struct rw_config_target *list, size_t n, const char *name)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (strcmp(list[i].name, name) == 0) {
            return &list[i];
        }
    }
    return NULL;
}

const struct rw_config_target *
rw_config_endpoint(const struct rw_config *cfg, const char *name)
{
    return find_target(cfg->endpoints, cfg->n_endpoints, name);
}

const struct rw_config_target *
rw_config_member(const struct rw_config *cfg, const char *name)
{
    if (cfg->hub != NULL && strcmp(cfg->hub->name, name) == 0) {
        return cfg->hub;
    }
    return find_target(cfg->spokes, cfg->n_spokes, name);
}

static void
free_targets(struct rw_config_target *list, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        rw_cfg_target_cleanup(&list[i]);
    }
    free(list);
}

static void
free_policy(struct rw_config_policy *p)
{
    size_t i;

    free(p->product);
    free(p->version_url);
    free(p->version_pointer);
    free(p->version_minimum);
    for (i = 0; i < p->n_compatible; i++) {
        free(p->compatible[i].hub);
        free(p->compatible[i].spoke);
    }
    free(p->compatible);
    free(p->known_spokes);
    for (i = 0; i < p->n_pins; i++) {
        free(p->pins[i]);
    }
    free(p->pins);
}

void
rw_config_free(struct rw_config *cfg)
{
    size_t i;

    if (cfg == NULL) {
        return;
    }
    for (i = 0; i < cfg->n_creds; i++) {
        free(cfg->creds[i].name);
        free(cfg->creds[i].username);
        rw_cfg_free_secret(cfg->creds[i].password);
    }
    free(cfg->creds);
    free_targets(cfg->endpoints, cfg->n_endpoints);
    if (cfg->hub != NULL) {
        rw_cfg_target_cleanup(cfg->hub);
        free(cfg->hub);
    }
    free_targets(cfg->spokes, cfg->n_spokes);
    free_policy(&cfg->policy);
    free(cfg->defaults.ca_file);
    free(cfg->agentx_socket);
    free(cfg->state_file);
    free(cfg);
}

/*
 * The schema: one key table per section of DESIGN.md's configuration, plus the
 * handlers for values that are more than a typed scalar.
 */
#include "rw_config_int.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NKEYS(a)       (sizeof(a) / sizeof((a)[0]))
#define QUOTE_BUF      64
#define COMPATIBLE_MAX 64 /* pairs in policy.version.compatible */
#define POLICY(f)      offsetof(struct rw_config_policy, f)
#define TARGET(f)      offsetof(struct rw_config_target, f)
#define CONFIG(f)      offsetof(struct rw_config, f)

#define SET(f) offsetof(struct rw_config_settings, f)

/* The setting keys, at base offset: shared by defaults, endpoints, the hub and spokes. */
#define SETTING_KEYS(base)                                                                         \
    {.name = "timeout",                                                                            \
     .type = RW_CFG_SECONDS,                                                                       \
     .off = (base) + SET(timeout),                                                                 \
     .min = 0.1,                                                                                   \
     .max = 3600,                                                                                  \
     .unit = "seconds"},                                                                           \
        {.name = "ca_file", .type = RW_CFG_STR, .off = (base) + SET(ca_file)},                     \
        {.name = "insecure", .type = RW_CFG_BOOL, .off = (base) + SET(insecure)},                  \
        {.name = "expand", .type = RW_CFG_BOOL, .off = (base) + SET(expand)},                      \
        {.name = "max_in_flight",                                                                  \
         .type = RW_CFG_INT,                                                                       \
         .off = (base) + SET(max_in_flight),                                                       \
         .min = 1,                                                                                 \
         .max = 64},                                                                               \
        {.name = "poll_interval",                                                                  \
         .type = RW_CFG_INT,                                                                       \
         .off = (base) + SET(poll_interval),                                                       \
         .min = 1,                                                                                 \
         .max = 86400,                                                                             \
         .unit = "seconds"},                                                                       \
    {                                                                                              \
        .name = "poll_jitter", .type = RW_CFG_INT, .off = (base) + SET(poll_jitter), .min = 0,     \
        .max = 50, .unit = "percent"                                                               \
    }

static const char *const kind_names[] = {"auto", "pdu", "server", NULL};
static const char *const version_rules[] = {"exact", "same-major", "same-minor", NULL};
static const char *const cert_rules[] = {"identical", "same-issuer", "pinned", "registered", NULL};

/* ---- checks on strings ---- */

static enum rw_rc
check_fingerprint(struct rw_cfg_ctx *ctx, const char *key, const yaml_node_t *node,
                  const char *value)
{
    char pfx[64];
    const char *p = value;
    char buf[QUOTE_BUF];
    size_t digits = 0, colons = 0;

    if (strncasecmp(p, "sha256:", 7) == 0) {
        p += 7;
    }
    for (; *p != '\0'; p++) {
        if (isxdigit((unsigned char)*p)) {
            digits++;
        } else if (*p == ':' && digits % 2 == 0 && digits > 0 && p[1] != '\0') {
            colons++;
        } else {
            break;
        }
    }
    if (*p == '\0' && digits == 64 && (colons == 0 || colons == 31)) {
        return RW_OK;
    }
    return rw_cfg_fail(ctx, node->start_mark, RW_EINVAL,
                       "%sexpected a SHA-256 fingerprint (64 hex digits, colons and 'sha256:' "
                       "optional), got %s",
                       rw_cfg_prefix(key, pfx, sizeof(pfx)),
                       rw_cfg_quote(value, strlen(value), buf, sizeof(buf)));
}

static enum rw_rc
check_regex(struct rw_cfg_ctx *ctx, const char *key, const yaml_node_t *node, const char *value)
{
    char pfx[64];
    char why[128];
    regex_t re;
    int rc = regcomp(&re, value, REG_EXTENDED | REG_NOSUB);

    if (rc == 0) {
        regfree(&re);
        return RW_OK;
    }
    regerror(rc, &re, why, sizeof(why));
    return rw_cfg_fail(ctx, node->start_mark, RW_EINVAL, "%sinvalid regular expression: %s",
                       rw_cfg_prefix(key, pfx, sizeof(pfx)), why);
}

static enum rw_rc
check_path(struct rw_cfg_ctx *ctx, const char *key, const yaml_node_t *node, const char *value)
{
    char pfx[64];
    char buf[QUOTE_BUF];

    if (value[0] == '/') {
        return RW_OK;
    }
    return rw_cfg_fail(
        ctx, node->start_mark, RW_EINVAL, "%sexpected a path starting with '/', got %s",
        rw_cfg_prefix(key, pfx, sizeof(pfx)), rw_cfg_quote(value, strlen(value), buf, sizeof(buf)));
}

static enum rw_rc
check_version(struct rw_cfg_ctx *ctx, const char *key, const yaml_node_t *node, const char *value)
{
    char pfx[64];
    char buf[QUOTE_BUF];
    size_t len = strlen(value), i;

    for (i = 0; i < len && len <= RW_CFG_VERSION_MAX; i++) {
        if (!isgraph((unsigned char)value[i])) {
            break;
        }
    }
    if (len > 0 && i == len) {
        return RW_OK;
    }
    return rw_cfg_fail(ctx, node->start_mark, RW_EINVAL,
                       "%sexpected a version such as \"3.1\" (at most %d characters, no spaces), "
                       "got %s",
                       rw_cfg_prefix(key, pfx, sizeof(pfx)), RW_CFG_VERSION_MAX,
                       rw_cfg_quote(value, len, buf, sizeof(buf)));
}

/* ---- endpoints, hub and spokes ---- */

static enum rw_rc
url_fn(struct rw_cfg_ctx *ctx, const struct rw_cfg_key *key, const yaml_node_t *node, void *obj)
{
    struct rw_config_target *t = obj;
    struct rw_err uerr;
    const char *s = rw_cfg_scalar(ctx, node, "url", "a URL");

    if (s == NULL) {
        return ctx->err->code;
    }
    rw_err_clear(&uerr);
    if (rw_url_parse(s, &t->url, &uerr) != RW_OK) {
        return rw_cfg_fail(ctx, node->start_mark, RW_EINVAL, "url: %s", uerr.msg);
    }
    t->url_text = rw_cfg_strndup(ctx, s, node->data.scalar.length);
    return t->url_text == NULL ? RW_ENOMEM : RW_OK;
}

static enum rw_rc
cred_fn(struct rw_cfg_ctx *ctx, const struct rw_cfg_key *key, const yaml_node_t *node, void *obj)
{
    struct rw_config_target *t = obj;
    const struct rw_config *cfg = ctx->cfg;
    const char *names[RW_CFG_LIST_MAX];
    const char *s = rw_cfg_scalar(ctx, node, "credentials", "a credentials name"), *near;
    char buf[QUOTE_BUF];
    size_t i;

    if (s == NULL) {
        return ctx->err->code;
    }
    for (i = 0; i < cfg->n_creds; i++) {
        if (strcmp(cfg->creds[i].name, s) == 0) {
            t->cred = &cfg->creds[i];
            return RW_OK;
        }
        names[i] = cfg->creds[i].name;
    }
    rw_cfg_quote(s, strlen(s), buf, sizeof(buf));
    near = rw_cfg_suggest(s, names, cfg->n_creds);
    if (near != NULL) {
        return rw_cfg_fail(ctx, node->start_mark, RW_EINVAL,
                           "unknown credentials %s (did you mean '%s'?)", buf, near);
    }
    return rw_cfg_fail(ctx, node->start_mark, RW_EINVAL,
                       "unknown credentials %s (not defined under credentials:)", buf);
}

/* kind comes first so that hub and spokes use the same table without it. */
static const struct rw_cfg_key target_keys[] = {
    {.name = "kind", .type = RW_CFG_ENUM, .off = TARGET(kind), .choices = kind_names},
    {.name = "name",
     .type = RW_CFG_STR,
     .flags = RW_CFG_REQUIRED,
     .off = TARGET(name),
     .check = rw_cfg_check_name},
    {.name = "url", .type = RW_CFG_FUNC, .flags = RW_CFG_REQUIRED, .fn = url_fn},
    {.name = "credentials", .type = RW_CFG_FUNC, .fn = cred_fn},
    {.name = "fingerprint",
     .type = RW_CFG_STR,
     .off = TARGET(fingerprint),
     .check = check_fingerprint},
    SETTING_KEYS(TARGET(set)),
};
static const struct rw_cfg_table endpoint_table = {target_keys, NKEYS(target_keys)};
static const struct rw_cfg_table member_table = {target_keys + 1, NKEYS(target_keys) - 1};

/* Walks one endpoint, hub or spoke mapping into t, starting from the defaults. */
static enum rw_rc
target_fill(struct rw_cfg_ctx *ctx, const yaml_node_t *node, const struct rw_cfg_table *table,
            const char *where, struct rw_config_target *t)
{
    const yaml_node_t *name;

    t->set = ctx->cfg->defaults;
    t->set.ca_file = NULL;
    if (ctx->cfg->defaults.ca_file != NULL) {
        t->set.ca_file =
            rw_cfg_strndup(ctx, ctx->cfg->defaults.ca_file, strlen(ctx->cfg->defaults.ca_file));
        if (t->set.ca_file == NULL) {
            return RW_ENOMEM;
        }
    }
    if (rw_cfg_walk(ctx, node, table, where, t) != RW_OK) {
        return ctx->err->code;
    }
    name = rw_cfg_find(ctx, node, "name");
    t->line = (int)name->start_mark.line + 1;
    t->column = (int)name->start_mark.column + 1;
    return RW_OK;
}

/* Refuses t when an earlier one of the n in list has the same name. */
static enum rw_rc
check_unique(struct rw_cfg_ctx *ctx, const struct rw_config_target *t,
             const struct rw_config_target *list, size_t n, const char *what)
{
    size_t i;
    yaml_mark_t mark = {0, (size_t)t->line - 1, (size_t)t->column - 1};

    for (i = 0; i < n; i++) {
        if (&list[i] != t && strcmp(list[i].name, t->name) == 0) {
            return rw_cfg_fail(ctx, mark, RW_EINVAL, "duplicate %s name '%s' (first at %d:%d)",
                               what, t->name, list[i].line, list[i].column);
        }
    }
    return RW_OK;
}

/* Fills an array of targets from a list node; *out and *n own what is filled so far. */
static enum rw_rc
target_list(struct rw_cfg_ctx *ctx, const yaml_node_t *node, const char *what,
            struct rw_config_target **out, size_t *n)
{
    const struct rw_cfg_table *table = *what == 'e' ? &endpoint_table : &member_table;
    yaml_node_item_t *items;
    size_t count, i;
    char where[32];

    if (rw_cfg_list(ctx, node, *what == 'e' ? "endpoints" : "spokes", &items, &count) != RW_OK) {
        return ctx->err->code;
    }
    *out = rw_cfg_calloc(ctx, count, sizeof(**out));
    if (*out == NULL) {
        return RW_ENOMEM;
    }
    *n = count;
    for (i = 0; i < count; i++) {
        (void)snprintf(where, sizeof(where), "%s %zu", what, i + 1);
        if (target_fill(ctx, rw_cfg_node(ctx, items[i]), table, where, &(*out)[i]) != RW_OK ||
            check_unique(ctx, &(*out)[i], *out, i, what) != RW_OK) {
            return ctx->err->code;
        }
    }
    return RW_OK;
}

static enum rw_rc
endpoints_fn(struct rw_cfg_ctx *ctx, const struct rw_cfg_key *key, const yaml_node_t *node,
             void *obj)
{
    struct rw_config *cfg = obj;

    return target_list(ctx, node, "endpoint", &cfg->endpoints, &cfg->n_endpoints);
}

static enum rw_rc
hub_fn(struct rw_cfg_ctx *ctx, const struct rw_cfg_key *key, const yaml_node_t *node, void *obj)
{
    struct rw_config *cfg = obj;

    cfg->hub = rw_cfg_calloc(ctx, 1, sizeof(*cfg->hub));
    if (cfg->hub == NULL) {
        return RW_ENOMEM;
    }
    return target_fill(ctx, node, &member_table, "hub", cfg->hub);
}

static enum rw_rc
spokes_fn(struct rw_cfg_ctx *ctx, const struct rw_cfg_key *key, const yaml_node_t *node, void *obj)
{
    struct rw_config *cfg = obj;
    size_t i;

    if (target_list(ctx, node, "spoke", &cfg->spokes, &cfg->n_spokes) != RW_OK) {
        return ctx->err->code;
    }
    for (i = 0; cfg->hub != NULL && i < cfg->n_spokes; i++) {
        if (check_unique(ctx, &cfg->spokes[i], cfg->hub, 1, "spoke") != RW_OK) {
            return ctx->err->code;
        }
    }
    return RW_OK;
}

/* ---- policy ---- */

/* Copies one version string of a compatible pair into *slot. */
static enum rw_rc
version_item(struct rw_cfg_ctx *ctx, int id, char **slot)
{
    const yaml_node_t *node = rw_cfg_node(ctx, id);
    const char *s = rw_cfg_scalar(ctx, node, "compatible", "a version string");

    if (s == NULL || check_version(ctx, "compatible", node, s) != RW_OK) {
        return ctx->err->code;
    }
    *slot = rw_cfg_strndup(ctx, s, node->data.scalar.length);
    return *slot == NULL ? RW_ENOMEM : RW_OK;
}

static enum rw_rc
compatible_fn(struct rw_cfg_ctx *ctx, const struct rw_cfg_key *key, const yaml_node_t *node,
              void *obj)
{
    struct rw_config_policy *p = obj;
    yaml_node_item_t *items;
    size_t n, i;
    char buf[QUOTE_BUF];

    if (rw_cfg_list(ctx, node, "compatible", &items, &n) != RW_OK) {
        return ctx->err->code;
    }
    if (n > COMPATIBLE_MAX) {
        return rw_cfg_fail(ctx, node->start_mark, RW_EINVAL, "compatible: more than %d pairs",
                           COMPATIBLE_MAX);
    }
    p->compatible = rw_cfg_calloc(ctx, n, sizeof(*p->compatible));
    if (p->compatible == NULL) {
        return RW_ENOMEM;
    }
    p->n_compatible = n;
    for (i = 0; i < n; i++) {
        const yaml_node_t *pair = rw_cfg_node(ctx, items[i]);
        yaml_node_item_t *two = pair->data.sequence.items.start;

        if (pair->type != YAML_SEQUENCE_NODE || pair->data.sequence.items.top - two != 2) {
            return rw_cfg_fail(ctx, pair->start_mark, RW_EINVAL,
                               "compatible entry %zu: expected a pair [hub, spoke], got %s", i + 1,
                               rw_cfg_describe(pair, buf, sizeof(buf)));
        }
        if (version_item(ctx, two[0], &p->compatible[i].hub) != RW_OK ||
            version_item(ctx, two[1], &p->compatible[i].spoke) != RW_OK) {
            return ctx->err->code;
        }
    }
    return RW_OK;
}

static enum rw_rc
pins_fn(struct rw_cfg_ctx *ctx, const struct rw_cfg_key *key, const yaml_node_t *node, void *obj)
{
    struct rw_config_policy *p = obj;
    yaml_node_item_t *items;
    size_t n, i;

    if (rw_cfg_list(ctx, node, "pins", &items, &n) != RW_OK) {
        return ctx->err->code;
    }
    p->pins = rw_cfg_calloc(ctx, n, sizeof(*p->pins));
    if (p->pins == NULL) {
        return RW_ENOMEM;
    }
    p->n_pins = n;
    for (i = 0; i < n; i++) {
        const yaml_node_t *item = rw_cfg_node(ctx, items[i]);
        const char *s = rw_cfg_scalar(ctx, item, "pins", "a fingerprint");

        if (s == NULL || check_fingerprint(ctx, "pins", item, s) != RW_OK) {
            return ctx->err->code;
        }
        p->pins[i] = rw_cfg_strndup(ctx, s, item->data.scalar.length);
        if (p->pins[i] == NULL) {
            return RW_ENOMEM;
        }
    }
    return RW_OK;
}

static const struct rw_cfg_key version_keys[] = {
    {.name = "url", .type = RW_CFG_STR, .off = POLICY(version_url), .check = check_path},
    {.name = "pointer", .type = RW_CFG_STR, .off = POLICY(version_pointer), .check = check_path},
    {.name = "rule", .type = RW_CFG_ENUM, .off = POLICY(version_rule), .choices = version_rules},
    {.name = "minimum", .type = RW_CFG_STR, .off = POLICY(version_minimum), .check = check_version},
    {.name = "compatible", .type = RW_CFG_FUNC, .fn = compatible_fn},
};
static const struct rw_cfg_table version_table = {version_keys, NKEYS(version_keys)};

static const struct rw_cfg_key cert_keys[] = {
    {.name = "rule", .type = RW_CFG_ENUM, .off = POLICY(cert_rule), .choices = cert_rules},
    {.name = "known_spokes", .type = RW_CFG_STR, .off = POLICY(known_spokes)},
    {.name = "pins", .type = RW_CFG_FUNC, .fn = pins_fn},
    {.name = "warning_days",
     .type = RW_CFG_INT,
     .off = POLICY(warning_days),
     .min = 0,
     .max = 3650,
     .unit = "days"},
    {.name = "critical_days",
     .type = RW_CFG_INT,
     .off = POLICY(critical_days),
     .min = 0,
     .max = 3650,
     .unit = "days"},
};
static const struct rw_cfg_table cert_table = {cert_keys, NKEYS(cert_keys)};

static enum rw_rc
version_fn(struct rw_cfg_ctx *ctx, const struct rw_cfg_key *key, const yaml_node_t *node, void *obj)
{
    return rw_cfg_walk(ctx, node, &version_table, "policy.version", obj);
}

/* Checks that span keys: warning before critical, pins present for rule pinned. */
static enum rw_rc
certificates_fn(struct rw_cfg_ctx *ctx, const struct rw_cfg_key *key, const yaml_node_t *node,
                void *obj)
{
    struct rw_config_policy *p = obj;
    const yaml_node_t *at;

    if (rw_cfg_walk(ctx, node, &cert_table, "policy.certificates", obj) != RW_OK) {
        return ctx->err->code;
    }
    if (p->warning_days < p->critical_days) {
        at = rw_cfg_find(ctx, node, "warning_days");
        return rw_cfg_fail(ctx, (at != NULL ? at : node)->start_mark, RW_EINVAL,
                           "warning_days (%lld) must not be below critical_days (%lld)",
                           (long long)p->warning_days, (long long)p->critical_days);
    }
    if (p->cert_rule == RW_CONFIG_CERT_PINNED && p->n_pins == 0) {
        at = rw_cfg_find(ctx, node, "rule");
        return rw_cfg_fail(ctx, at->start_mark, RW_EINVAL,
                           "rule pinned needs at least one fingerprint in pins");
    }
    return RW_OK;
}

static const struct rw_cfg_key policy_keys[] = {
    {.name = "product", .type = RW_CFG_STR, .off = POLICY(product), .check = check_regex},
    {.name = "version", .type = RW_CFG_FUNC, .fn = version_fn},
    {.name = "certificates", .type = RW_CFG_FUNC, .fn = certificates_fn},
    {.name = "confirm_data_loss", .type = RW_CFG_BOOL, .off = POLICY(confirm_data_loss)},
};
static const struct rw_cfg_table policy_table = {policy_keys, NKEYS(policy_keys)};

/* ---- top level ---- */

static const struct rw_cfg_key defaults_keys[] = {SETTING_KEYS(0)};
static const struct rw_cfg_table defaults_table = {defaults_keys, NKEYS(defaults_keys)};

static const struct rw_cfg_key snmp_keys[] = {
    {.name = "agentx_socket", .type = RW_CFG_STR, .off = CONFIG(agentx_socket)},
    {.name = "notifications", .type = RW_CFG_BOOL, .off = CONFIG(notifications)},
};
static const struct rw_cfg_table snmp_table = {snmp_keys, NKEYS(snmp_keys)};

static enum rw_rc
defaults_fn(struct rw_cfg_ctx *ctx, const struct rw_cfg_key *key, const yaml_node_t *node,
            void *obj)
{
    return rw_cfg_walk(ctx, node, &defaults_table, "defaults", &ctx->cfg->defaults);
}

static enum rw_rc
credentials_fn(struct rw_cfg_ctx *ctx, const struct rw_cfg_key *key, const yaml_node_t *node,
               void *obj)
{
    return rw_cfg_credentials(ctx, node);
}

static enum rw_rc
policy_fn(struct rw_cfg_ctx *ctx, const struct rw_cfg_key *key, const yaml_node_t *node, void *obj)
{
    return rw_cfg_walk(ctx, node, &policy_table, "policy", &ctx->cfg->policy);
}

static enum rw_rc
snmp_fn(struct rw_cfg_ctx *ctx, const struct rw_cfg_key *key, const yaml_node_t *node, void *obj)
{
    return rw_cfg_walk(ctx, node, &snmp_table, "snmp", ctx->cfg);
}

/*
 * The sections in the order they are processed: defaults and credentials before the
 * endpoints, hub and spokes that use them, whatever their order in the file.
 */
static const struct rw_cfg_key section_keys[] = {
    {.name = "defaults", .type = RW_CFG_FUNC, .fn = defaults_fn},
    {.name = "credentials", .type = RW_CFG_FUNC, .fn = credentials_fn},
    {.name = "endpoints", .type = RW_CFG_FUNC, .fn = endpoints_fn},
    {.name = "hub", .type = RW_CFG_FUNC, .fn = hub_fn},
    {.name = "spokes", .type = RW_CFG_FUNC, .fn = spokes_fn},
    {.name = "policy", .type = RW_CFG_FUNC, .fn = policy_fn},
    {.name = "snmp", .type = RW_CFG_FUNC, .fn = snmp_fn},
    {.name = "state_file", .type = RW_CFG_STR, .off = CONFIG(state_file)},
    {.name = "max_polls", .type = RW_CFG_INT, .off = CONFIG(max_polls), .min = 1, .max = 256},
};

#define N_SECTIONS NKEYS(section_keys)

/* First pass: remember each section's node (kept[] is indexed like section_keys). */
static enum rw_rc
keep_fn(struct rw_cfg_ctx *ctx, const struct rw_cfg_key *key, const yaml_node_t *node, void *obj)
{
    const yaml_node_t **kept = obj;

    kept[key->off] = node;
    return RW_OK;
}

enum rw_rc
rw_cfg_root(struct rw_cfg_ctx *ctx, const yaml_node_t *root)
{
    struct rw_cfg_key keep_keys[N_SECTIONS];
    struct rw_cfg_table keep_table = {keep_keys, N_SECTIONS};
    const yaml_node_t *kept[N_SECTIONS] = {NULL};
    size_t i;

    for (i = 0; i < N_SECTIONS; i++) {
        keep_keys[i] = (struct rw_cfg_key){.name = section_keys[i].name,
                                           .type = RW_CFG_FUNC,
                                           .flags = RW_CFG_KEEP_NULL,
                                           .off = i,
                                           .fn = keep_fn};
    }
    if (rw_cfg_walk(ctx, root, &keep_table, "the top level", kept) != RW_OK) {
        return ctx->err->code;
    }
    for (i = 0; i < N_SECTIONS; i++) {
        if (kept[i] != NULL && rw_cfg_set(ctx, &section_keys[i], kept[i], ctx->cfg) != RW_OK) {
            return ctx->err->code;
        }
    }
    return RW_OK;
}

/* Duplicates a built-in default string into *slot. */
static enum rw_rc
builtin_string(struct rw_cfg_ctx *ctx, char **slot, const char *value)
{
    *slot = rw_cfg_strndup(ctx, value, strlen(value));
    return *slot == NULL ? RW_ENOMEM : RW_OK;
}

enum rw_rc
rw_cfg_builtin(struct rw_cfg_ctx *ctx, struct rw_config *cfg)
{
    cfg->defaults.timeout = 10;
    cfg->defaults.insecure = 0;
    cfg->defaults.expand = 1;
    cfg->defaults.max_in_flight = 2;
    cfg->defaults.poll_interval = 60;
    cfg->defaults.poll_jitter = 10;
    cfg->policy.version_rule = RW_CONFIG_VERSION_EXACT;
    cfg->policy.cert_rule = RW_CONFIG_CERT_IDENTICAL;
    cfg->policy.warning_days = 30;
    cfg->policy.critical_days = 14;
    cfg->notifications = 1;
    /* Each poll in progress holds a TLS connection: ~100-130 KB with Debian's libcurl 7.88,
     * which makes an OpenSSL 3 context per connection.  16 keeps a 1,000-PDU daemon under
     * 32 MB (bench/daemon_rss.sh) and still polls 900 endpoints of 1 s polls a minute. */
    cfg->max_polls = 16;
    if (builtin_string(ctx, &cfg->policy.version_url, "/redfish/v1/Managers/{first}") != RW_OK ||
        builtin_string(ctx, &cfg->policy.version_pointer, "/FirmwareVersion") != RW_OK ||
        builtin_string(ctx, &cfg->policy.known_spokes, "/var/lib/rackwatch/known_spokes") !=
            RW_OK ||
        builtin_string(ctx, &cfg->agentx_socket, "/var/agentx/master") != RW_OK ||
        builtin_string(ctx, &cfg->state_file, "/var/lib/rackwatch/state.json") != RW_OK) {
        return RW_ENOMEM;
    }
    return RW_OK;
}

void
rw_cfg_target_cleanup(struct rw_config_target *t)
{
    free(t->name);
    free(t->url_text);
    free(t->fingerprint);
    free(t->set.ca_file);
}

#include "rw_version.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DIGITS_MAX 9 /* per component: 999999999 fits an unsigned long everywhere */

enum spec_kind {
    SPEC_ANY = 0,
    SPEC_PREFIX,
    SPEC_EXACT,
    SPEC_RANGE,
};

/* One side of a compatible-list entry (see the spec syntax in the header). */
struct version_spec {
    enum spec_kind kind;
    struct rw_version lo; /* PREFIX and EXACT use lo only */
    struct rw_version hi;
    char text[2 * RW_VERSION_TEXT_MAX];
};

struct spec_pair {
    struct version_spec hub;
    struct version_spec spoke;
};

struct rw_version_policy {
    enum rw_version_rule rule;
    int has_minimum;
    struct rw_version minimum;
    size_t ncompat;
    struct spec_pair compat[RW_VERSION_LIST_MAX];
};

static int
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int
is_pre_char(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '-';
}

/* Reads the dotted numeric components at *pp; NULL on success, else the reason. */
static const char *
parse_parts(const char **pp, struct rw_version *v)
{
    const char *p = *pp;

    for (;;) {
        unsigned long n = 0;
        int digits = 0;

        if (v->nparts == RW_VERSION_PARTS) {
            return "more than 4 numeric components";
        }
        for (; is_digit(*p); p++) {
            if (++digits > DIGITS_MAX) {
                return "a component has more than 9 digits";
            }
            n = n * 10 + (unsigned long)(*p - '0');
        }
        if (digits == 0) {
            return v->nparts == 0 ? "does not start with a number"
                                  : "empty or non-numeric component after '.'";
        }
        v->part[v->nparts++] = n;
        if (*p != '.') {
            break;
        }
        p++;
    }
    *pp = p;
    return NULL;
}

/* Reads the optional "-PRE" suffix, the rest of the string; NULL or the reason. */
static const char *
parse_pre(const char *p, struct rw_version *v)
{
    size_t len;

    if (*p == '\0') {
        return NULL;
    }
    if (*p != '-') {
        return is_space(*p) ? "white space inside the version" : "unexpected character";
    }
    p++;
    len = strlen(p);
    if (len == 0) {
        return "empty pre-release after '-'";
    }
    if (len >= sizeof(v->pre)) {
        return "pre-release longer than 31 characters";
    }
    for (size_t i = 0; i < len; i++) {
        if (!is_pre_char(p[i])) {
            return "pre-release may hold only letters, digits, '.' and '-'";
        }
    }
    memcpy(v->pre, p, len + 1);
    return NULL;
}

enum rw_rc
rw_version_parse(const char *text, struct rw_version *out, struct rw_err *err)
{
    struct rw_version v;
    const char *start, *end, *p, *why;
    size_t len;

    if (text == NULL) {
        (void)rw_err_set(err, RW_EPARSE, "version missing");
        return RW_EPARSE;
    }
    for (start = text; is_space(*start); start++) {
    }
    for (end = start + strlen(start); end > start && is_space(end[-1]); end--) {
    }
    len = (size_t)(end - start);
    if (len == 0) {
        return rw_err_set(err, RW_EPARSE, "version \"%s\": empty", text);
    }
    if (len >= RW_VERSION_TEXT_MAX) {
        return rw_err_set(err, RW_EPARSE, "version \"%.24s...\": longer than %d characters", start,
                          RW_VERSION_TEXT_MAX - 1);
    }
    memset(&v, 0, sizeof(v));
    memcpy(v.text, start, len);
    v.text[len] = '\0';
    p = v.text;
    if (*p == 'v' || *p == 'V') {
        p++;
    }
    why = parse_parts(&p, &v);
    if (why == NULL) {
        why = parse_pre(p, &v);
    }
    if (why != NULL) {
        (void)rw_err_set(err, RW_EPARSE, "version \"%s\": %s", v.text, why);
        return RW_EPARSE;
    }
    *out = v;
    return RW_OK;
}

/* Compares two digit runs of lengths na and nb, ignoring leading zeros. */
static int
digit_run_cmp(const char *a, size_t na, const char *b, size_t nb)
{
    int c;

    while (na > 1 && *a == '0') {
        a++;
        na--;
    }
    while (nb > 1 && *b == '0') {
        b++;
        nb--;
    }
    if (na != nb) {
        return na < nb ? -1 : 1;
    }
    c = memcmp(a, b, na);
    return (c > 0) - (c < 0);
}

/* Natural order of two pre-release strings: digit runs numerically, the rest bytewise. */
static int
pre_cmp(const char *a, const char *b)
{
    while (*a != '\0' && *b != '\0') {
        if (is_digit(*a) && is_digit(*b)) {
            size_t na = strspn(a, "0123456789"), nb = strspn(b, "0123456789");
            int c = digit_run_cmp(a, na, b, nb);

            if (c != 0) {
                return c;
            }
            a += na;
            b += nb;
            continue;
        }
        if (*a != *b) {
            return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
        }
        a++;
        b++;
    }
    return (*a != '\0') - (*b != '\0');
}

int
rw_version_cmp(const struct rw_version *a, const struct rw_version *b)
{
    for (int i = 0; i < RW_VERSION_PARTS; i++) {
        if (a->part[i] != b->part[i]) {
            return a->part[i] < b->part[i] ? -1 : 1;
        }
    }
    if (a->pre[0] == '\0' || b->pre[0] == '\0') {
        /* A release orders after its pre-releases. */
        return (a->pre[0] == '\0') - (b->pre[0] == '\0');
    }
    return pre_cmp(a->pre, b->pre);
}

const char *
rw_version_text(const struct rw_version *v)
{
    return v->text;
}

/* Compares v's first bound->nparts components with bound's: the prefix order. */
static int
prefix_cmp(const struct rw_version *v, const struct rw_version *bound)
{
    for (int i = 0; i < bound->nparts; i++) {
        if (v->part[i] != bound->part[i]) {
            return v->part[i] < bound->part[i] ? -1 : 1;
        }
    }
    return 0;
}

static int
spec_matches(const struct version_spec *spec, const struct rw_version *v)
{
    switch (spec->kind) {
    case SPEC_ANY:
        return 1;
    case SPEC_PREFIX:
        return prefix_cmp(v, &spec->lo) == 0;
    case SPEC_EXACT:
        return rw_version_cmp(v, &spec->lo) == 0;
    case SPEC_RANGE:
        return prefix_cmp(v, &spec->lo) >= 0 && prefix_cmp(v, &spec->hi) <= 0;
    }
    return 0;
}

/* Parses "LO-HI" (text already trimmed, dash at text + dash). */
static enum rw_rc
spec_parse_range(struct version_spec *spec, size_t dash, struct rw_err *err)
{
    char lo[RW_VERSION_TEXT_MAX * 2];
    struct rw_err local;

    rw_err_clear(&local);
    memcpy(lo, spec->text, dash);
    lo[dash] = '\0';
    if (rw_version_parse(lo, &spec->lo, &local) != RW_OK ||
        rw_version_parse(spec->text + dash + 1, &spec->hi, &local) != RW_OK) {
        return rw_err_set(err, RW_EPARSE, "version range \"%s\": %s", spec->text, local.msg);
    }
    if (spec->lo.pre[0] != '\0' || spec->hi.pre[0] != '\0') {
        return rw_err_set(err, RW_EPARSE, "version range \"%s\": ends take no pre-release",
                          spec->text);
    }
    if (prefix_cmp(&spec->lo, &spec->hi) > 0) {
        return rw_err_set(err, RW_EPARSE, "version range \"%s\": empty (low end above high end)",
                          spec->text);
    }
    spec->kind = SPEC_RANGE;
    return RW_OK;
}

static enum rw_rc
spec_parse(const char *text, struct version_spec *spec, struct rw_err *err)
{
    const char *start, *end, *dash;
    size_t len;

    memset(spec, 0, sizeof(*spec));
    if (text == NULL) {
        return rw_err_set(err, RW_EPARSE, "version spec missing");
    }
    for (start = text; is_space(*start); start++) {
    }
    for (end = start + strlen(start); end > start && is_space(end[-1]); end--) {
    }
    len = (size_t)(end - start);
    if (len >= sizeof(spec->text)) {
        return rw_err_set(err, RW_EPARSE, "version spec \"%.24s...\": too long", start);
    }
    memcpy(spec->text, start, len);
    spec->text[len] = '\0';
    if (strcmp(spec->text, "*") == 0) {
        spec->kind = SPEC_ANY;
        return RW_OK;
    }
    dash = strchr(spec->text, '-');
    if (dash != NULL && is_digit(dash[1])) {
        return spec_parse_range(spec, (size_t)(dash - spec->text), err);
    }
    if (rw_version_parse(spec->text, &spec->lo, err) != RW_OK) {
        return RW_EPARSE;
    }
    spec->kind = spec->lo.pre[0] != '\0' ? SPEC_EXACT : SPEC_PREFIX;
    return RW_OK;
}

static const char *const rule_names[] = {
    [RW_VERSION_EXACT] = "exact",           [RW_VERSION_SAME_MAJOR] = "same-major",
    [RW_VERSION_SAME_MINOR] = "same-minor", [RW_VERSION_ANY] = "any",
    [RW_VERSION_LISTED] = "listed",
};

#define RULE_COUNT (sizeof(rule_names) / sizeof(rule_names[0]))

const char *
rw_version_rule_name(enum rw_version_rule rule)
{
    if ((unsigned)rule >= RULE_COUNT) {
        return "?";
    }
    return rule_names[rule];
}

enum rw_rc
rw_version_policy_new(enum rw_version_rule rule, struct rw_version_policy **out, struct rw_err *err)
{
    struct rw_version_policy *policy;

    if ((unsigned)rule >= RULE_COUNT) {
        return rw_err_set(err, RW_EINVAL, "unknown version rule %d", (int)rule);
    }
    policy = calloc(1, sizeof(*policy));
    if (policy == NULL) {
        (void)rw_err_set(err, RW_ENOMEM, "out of memory for a version policy");
        return RW_ENOMEM;
    }
    policy->rule = rule;
    *out = policy;
    return RW_OK;
}

enum rw_rc
rw_version_policy_parse(const char *text, struct rw_version_policy **out, struct rw_err *err)
{
    static const char minimum[] = "minimum ";
    struct rw_version_policy *policy = NULL;

    if (text != NULL && strncmp(text, minimum, sizeof(minimum) - 1) == 0) {
        if (rw_version_policy_new(RW_VERSION_ANY, &policy, err) != RW_OK) {
            return RW_ENOMEM;
        }
        if (rw_version_policy_set_minimum(policy, text + sizeof(minimum) - 1, err) != RW_OK) {
            rw_version_policy_free(policy);
            return RW_EPARSE;
        }
        *out = policy;
        return RW_OK;
    }
    for (size_t i = 0; text != NULL && i < RULE_COUNT; i++) {
        if (strcmp(text, rule_names[i]) == 0) {
            return rw_version_policy_new((enum rw_version_rule)i, out, err);
        }
    }
    return rw_err_set(err, RW_EINVAL,
                      "unknown version policy \"%s\" (want exact, same-major, same-minor, "
                      "any, listed or minimum X.Y)",
                      text != NULL ? text : "");
}

void
rw_version_policy_free(struct rw_version_policy *policy)
{
    free(policy);
}

enum rw_rc
rw_version_policy_set_minimum(struct rw_version_policy *policy, const char *minimum,
                              struct rw_err *err)
{
    struct rw_version v;
    struct rw_err local;

    rw_err_clear(&local);
    if (rw_version_parse(minimum, &v, &local) != RW_OK) {
        return rw_err_set(err, RW_EPARSE, "minimum %s", local.msg);
    }
    policy->minimum = v;
    policy->has_minimum = 1;
    return RW_OK;
}

enum rw_rc
rw_version_policy_add_compatible(struct rw_version_policy *policy, const char *hub_spec,
                                 const char *spoke_spec, struct rw_err *err)
{
    struct spec_pair pair;
    struct rw_err local;

    if (policy->ncompat == RW_VERSION_LIST_MAX) {
        return rw_err_set(err, RW_ETOOBIG, "compatible list: more than %d entries",
                          RW_VERSION_LIST_MAX);
    }
    rw_err_clear(&local);
    if (spec_parse(hub_spec, &pair.hub, &local) != RW_OK) {
        return rw_err_set(err, RW_EPARSE, "compatible list, hub side: %s", local.msg);
    }
    if (spec_parse(spoke_spec, &pair.spoke, &local) != RW_OK) {
        return rw_err_set(err, RW_EPARSE, "compatible list, spoke side: %s", local.msg);
    }
    policy->compat[policy->ncompat++] = pair;
    return RW_OK;
}

/* The list entry that allows (hub, spoke), or NULL. */
static const struct spec_pair *
find_compatible(const struct rw_version_policy *policy, const struct rw_version *hub,
                const struct rw_version *spoke)
{
    for (size_t i = 0; i < policy->ncompat; i++) {
        const struct spec_pair *pair = &policy->compat[i];

        if (spec_matches(&pair->hub, hub) && spec_matches(&pair->spoke, spoke)) {
            return pair;
        }
    }
    return NULL;
}

/* The rule's complaint about (hub, spoke), or NULL when the rule allows them. */
static const char *
rule_complaint(enum rw_version_rule rule, const struct rw_version *hub,
               const struct rw_version *spoke)
{
    switch (rule) {
    case RW_VERSION_EXACT:
        return rw_version_cmp(hub, spoke) == 0 ? NULL : "policy exact requires the same version";
    case RW_VERSION_SAME_MAJOR:
        return hub->part[0] == spoke->part[0] ? NULL
                                              : "policy same-major requires the same major version";
    case RW_VERSION_SAME_MINOR:
        return hub->part[0] == spoke->part[0] && hub->part[1] == spoke->part[1]
                   ? NULL
                   : "policy same-minor requires the same major and minor version";
    case RW_VERSION_ANY:
        return NULL;
    case RW_VERSION_LISTED:
        break;
    }
    return "no entry of the compatible list allows this pair";
}

static void
verdict_set(struct rw_version_verdict *verdict, int compatible, const struct rw_version *hub,
            const struct rw_version *spoke, const char *what, const char *detail)
{
    verdict->compatible = compatible;
    /* A cut sentence is acceptable: it still starts with both versions. */
    if (snprintf(verdict->text, sizeof(verdict->text), "hub %s, spoke %s: %s%s", hub->text,
                 spoke->text, what, detail) < 0) {
        verdict->text[0] = '\0';
    }
}

static void
judge(const struct rw_version_policy *policy, const struct rw_version *hub,
      const struct rw_version *spoke, struct rw_version_verdict *verdict)
{
    char detail[4 * RW_VERSION_TEXT_MAX + 8];
    const struct spec_pair *pair;
    const char *complaint;

    if (policy->has_minimum && rw_version_cmp(spoke, &policy->minimum) < 0) {
        verdict_set(verdict, 0, hub, spoke, "the spoke is older than the minimum version ",
                    policy->minimum.text);
        return;
    }
    pair = find_compatible(policy, hub, spoke);
    if (pair != NULL) {
        if (snprintf(detail, sizeof(detail), "(%s, %s)", pair->hub.text, pair->spoke.text) < 0) {
            detail[0] = '\0';
        }
        verdict_set(verdict, 1, hub, spoke, "compatible by the list entry ", detail);
        return;
    }
    complaint = rule_complaint(policy->rule, hub, spoke);
    if (complaint != NULL) {
        verdict_set(verdict, 0, hub, spoke, complaint, "");
        return;
    }
    if (snprintf(detail, sizeof(detail), "policy %s%s%s)", rule_names[policy->rule],
                 policy->has_minimum ? ", minimum " : "",
                 policy->has_minimum ? policy->minimum.text : "") < 0) {
        detail[0] = '\0';
    }
    verdict_set(verdict, 1, hub, spoke, "compatible (", detail);
}

enum rw_rc
rw_version_check(const struct rw_version_policy *policy, const char *hub_version,
                 const char *spoke_version, struct rw_version_verdict *verdict, struct rw_err *err)
{
    struct rw_version hub, spoke;
    struct rw_err local;

    memset(&hub, 0, sizeof(hub));
    memset(&spoke, 0, sizeof(spoke));
    rw_err_clear(&local);
    if (rw_version_parse(hub_version, &hub, &local) != RW_OK) {
        return rw_err_set(err, RW_EPARSE, "hub %s", local.msg);
    }
    if (rw_version_parse(spoke_version, &spoke, &local) != RW_OK) {
        return rw_err_set(err, RW_EPARSE, "spoke %s", local.msg);
    }
    judge(policy, &hub, &spoke, verdict);
    return RW_OK;
}

/*
 * libFuzzer target for versions and version policies (core/rw_version.h).  The input is
 * lines: hub version, spoke version, policy text, minimum, then (hub spec, spoke spec)
 * pairs for the compatible list.  Ordering must be antisymmetric and reflexive, a check
 * either gives a verdict sentence or a one-line error, and nothing may crash or leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_input.h"
#include "rw_hubspoke.h"
#include "rw_version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_TEXT 160 /* longer than any version, to reach the length checks */

static int
sign(int v)
{
    return (v > 0) - (v < 0);
}

static void
check_order(const char *a_text, const char *b_text)
{
    struct rw_version a, b;

    if (rw_version_parse(a_text, &a, NULL) != RW_OK) {
        return;
    }
    if (rw_version_cmp(&a, &a) != 0 || strlen(rw_version_text(&a)) >= RW_VERSION_TEXT_MAX) {
        __builtin_trap();
    }
    if (rw_version_parse(b_text, &b, NULL) == RW_OK &&
        sign(rw_version_cmp(&a, &b)) != -sign(rw_version_cmp(&b, &a))) {
        __builtin_trap();
    }
}

/* A policy from the text, else a bare rule picked by a byte. */
static struct rw_version_policy *
make_policy(const char *text, unsigned pick)
{
    struct rw_version_policy *policy = NULL;

    if (rw_version_policy_parse(text, &policy, NULL) == RW_OK) {
        return policy;
    }
    if (rw_version_policy_new((enum rw_version_rule)(pick % 6), &policy, NULL) != RW_OK) {
        return NULL; /* rule 5 is not a rule: RW_EINVAL */
    }
    return policy;
}

static void
add_pairs(struct fuzz_cursor *c, struct rw_version_policy *policy)
{
    char hub[FUZZ_TEXT], spoke[FUZZ_TEXT];
    struct rw_err err;
    int n = 0;

    while (n++ < RW_VERSION_LIST_MAX + 4 && fuzz_line(c, hub, sizeof(hub))) {
        (void)fuzz_line(c, spoke, sizeof(spoke));
        rw_err_clear(&err);
        if (rw_version_policy_add_compatible(policy, hub, spoke, &err) != RW_OK &&
            (err.msg[0] == '\0' || strchr(err.msg, '\n') != NULL)) {
            __builtin_trap();
        }
    }
}

static void
check_pair(const struct rw_version_policy *policy, const char *hub, const char *spoke)
{
    struct rw_version_verdict verdict;
    struct rw_hubspoke_result res;
    struct rw_err err;

    rw_err_clear(&err);
    if (rw_version_check(policy, hub, spoke, &verdict, &err) == RW_OK) {
        if ((verdict.compatible != 0 && verdict.compatible != 1) || verdict.text[0] == '\0') {
            __builtin_trap();
        }
    } else if (err.msg[0] == '\0') {
        __builtin_trap();
    }
    rw_hubspoke_result_init(&res);
    rw_hubspoke_check_versions(policy, "hub:443", hub, "spoke:443", spoke, &res);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_cursor c = {data, size};
    char hub[FUZZ_TEXT], spoke[FUZZ_TEXT], rule[FUZZ_TEXT], minimum[FUZZ_TEXT];
    struct rw_version_policy *policy;
    unsigned pick = fuzz_byte(&c);

    (void)fuzz_line(&c, hub, sizeof(hub));
    (void)fuzz_line(&c, spoke, sizeof(spoke));
    (void)fuzz_line(&c, rule, sizeof(rule));
    (void)fuzz_line(&c, minimum, sizeof(minimum));
    check_order(hub, spoke);
    policy = make_policy(rule, pick);
    if (policy == NULL) {
        return 0;
    }
    if (minimum[0] != '\0') {
        (void)rw_version_policy_set_minimum(policy, minimum, NULL);
    }
    add_pairs(&c, policy);
    check_pair(policy, hub, spoke);
    rw_version_policy_free(policy);
    return 0;
}

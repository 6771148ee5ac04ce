/*
 * rw_version: software versions as hubs and spokes report them, and the policies that
 * say whether a hub and a spoke may run a given pair of versions.
 *
 * Version syntax (after leading and trailing white space is trimmed):
 *   [v|V] N[.N[.N[.N]]] [-PRE]
 * 1 to 4 numeric components of at most 9 digits each; an optional pre-release suffix
 * after '-' of 1 to 31 characters [A-Za-z0-9.-].  Examples: "3.1.2", "v3.1",
 * "2.4.0.1234", "3.1.2-rc1".  At most RW_VERSION_TEXT_MAX - 1 bytes once trimmed.
 *
 * Ordering: components compare numerically, a missing component counts as 0 (so
 * "3.1" == "3.1.0"); a pre-release orders below its release ("3.1.2-rc1" < "3.1.2");
 * two pre-releases compare piecewise, digit runs numerically ("rc2" < "rc10").
 *
 * Version specs, used by the compatible list:
 *   "*"        any version
 *   "3.1"      a prefix: every version whose first components are 3.1 (3.1, 3.1.0,
 *              3.1.7, 3.1.7-rc1, 3.1.2.4); "3.1.2" likewise matches 3.1.2.x
 *   "3.1.2-rc1" a version with a pre-release matches exactly that version
 *   "3.1-3.4"  a closed range of prefixes: every 3.1.x, 3.2.x, 3.3.x and 3.4.x (with
 *              their pre-releases); both ends are numeric (no pre-release) and the
 *              low end is not above the high end.  In a spec, a '-' followed by a
 *              digit always means a range.
 *
 * Policy: one rule, an optional minimum and an optional compatible list.
 *   rule exact       hub and spoke versions compare equal
 *   rule same-major  the first components are equal
 *   rule same-minor  the first two components are equal
 *   rule any         no rule (only the minimum and the list apply)
 *   rule listed      only pairs in the compatible list are compatible
 *   minimum X        the spoke's version must be at least X (checked first, always)
 *   compatible list  a (hub spec, spoke spec) pair that matches makes the versions
 *                    compatible whatever the rule says (the minimum still applies)
 */
#ifndef RW_VERSION_H
#define RW_VERSION_H

#include <stddef.h>

#include "rw_err.h"

#define RW_VERSION_PARTS    4
#define RW_VERSION_PRE_MAX  32
#define RW_VERSION_TEXT_MAX 64
#define RW_VERSION_LIST_MAX 64 /* entries in a compatible list */
#define RW_VERDICT_TEXT_MAX 256

/* A parsed version; a small value type, fields read only through the functions below. */
struct rw_version {
    unsigned long part[RW_VERSION_PARTS]; /* missing components are 0 */
    int nparts;                           /* 1..4, as written */
    char pre[RW_VERSION_PRE_MAX];         /* "" for a release */
    char text[RW_VERSION_TEXT_MAX];       /* the trimmed input, for messages */
};

enum rw_version_rule {
    RW_VERSION_EXACT = 0,
    RW_VERSION_SAME_MAJOR,
    RW_VERSION_SAME_MINOR,
    RW_VERSION_ANY,
    RW_VERSION_LISTED,
};

struct rw_version_policy;

struct rw_version_verdict {
    int compatible;                 /* 1 compatible, 0 not */
    char text[RW_VERDICT_TEXT_MAX]; /* one sentence naming both versions and the rule */
};

/*
 * Parses text (see the syntax above) into *out.  RW_EPARSE with a message naming the
 * string and what is wrong.  *out is written only on success.
 */
RW_MUSTCHECK enum rw_rc rw_version_parse(const char *text, struct rw_version *out,
                                         struct rw_err *err);

/* <0, 0, >0 as a orders before, equal to, after b (see the ordering above). */
int rw_version_cmp(const struct rw_version *a, const struct rw_version *b);

/* The version as the user wrote it, trimmed; borrowed from v. */
const char *rw_version_text(const struct rw_version *v);

/* The rule's name as in configuration: "exact", "same-major", ...; never NULL. */
const char *rw_version_rule_name(enum rw_version_rule rule);

/*
 * A new policy with rule and nothing else; the caller frees it with
 * rw_version_policy_free().  RW_EINVAL for an unknown rule, RW_ENOMEM.
 */
RW_MUSTCHECK enum rw_rc rw_version_policy_new(enum rw_version_rule rule,
                                              struct rw_version_policy **out, struct rw_err *err);

/*
 * A new policy from its configuration text: "exact", "same-major", "same-minor",
 * "any", "listed" or "minimum X[.Y[.Z]]" (rule any with that minimum).  RW_EINVAL for
 * an unknown rule, RW_EPARSE for a bad minimum; the caller frees *out.
 */
RW_MUSTCHECK enum rw_rc rw_version_policy_parse(const char *text, struct rw_version_policy **out,
                                                struct rw_err *err);

/* Frees policy; NULL does nothing. */
void rw_version_policy_free(struct rw_version_policy *policy);

/* Sets (or replaces) the spoke's minimum version.  RW_EPARSE for a bad version. */
RW_MUSTCHECK enum rw_rc rw_version_policy_set_minimum(struct rw_version_policy *policy,
                                                      const char *minimum, struct rw_err *err);

/*
 * Appends a (hub, spoke) pair of version specs to the compatible list.  RW_EPARSE for a
 * bad spec (the message names it), RW_ETOOBIG past RW_VERSION_LIST_MAX entries.
 */
RW_MUSTCHECK enum rw_rc rw_version_policy_add_compatible(struct rw_version_policy *policy,
                                                         const char *hub_spec,
                                                         const char *spoke_spec,
                                                         struct rw_err *err);

/*
 * Checks the versions the hub and the spoke reported against policy and writes the
 * verdict, e.g. "hub 3.2.0, spoke 3.1.4: policy exact requires the same version".
 * RW_EPARSE when either version does not parse (the message names which and the
 * string); *verdict is then left unchanged.
 */
RW_MUSTCHECK enum rw_rc rw_version_check(const struct rw_version_policy *policy,
                                         const char *hub_version, const char *spoke_version,
                                         struct rw_version_verdict *verdict, struct rw_err *err);

#endif

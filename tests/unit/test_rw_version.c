/* Unit tests for rw_version: parsing, ordering, specs and every policy. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rw_version.h"

struct parse_row {
    const char *input;
    enum rw_rc want_rc;
    const char *want; /* on success: "N.N.N.N/pre/text"; on failure: the message */
};

static void
describe(const struct rw_version *v, char *out, size_t len)
{
    (void)snprintf(out, len, "%lu.%lu.%lu.%lu/%s/%s", v->part[0], v->part[1], v->part[2],
                   v->part[3], v->pre, rw_version_text(v));
}

static void
test_parse_table(void **state)
{
    static const struct parse_row rows[] = {
        {"3.1.2", RW_OK, "3.1.2.0//3.1.2"},
        {"v3.1", RW_OK, "3.1.0.0//v3.1"},
        {"V3", RW_OK, "3.0.0.0//V3"},
        {"2.4.0.1234", RW_OK, "2.4.0.1234//2.4.0.1234"},
        {"3.1.2-rc1", RW_OK, "3.1.2.0/rc1/3.1.2-rc1"},
        {"  3.1.2 \n", RW_OK, "3.1.2.0//3.1.2"},
        {"\t10.20.30\t", RW_OK, "10.20.30.0//10.20.30"},
        {"0", RW_OK, "0.0.0.0//0"},
        {"999999999.0", RW_OK, "999999999.0.0.0//999999999.0"},
        {"1.0-alpha.1-x", RW_OK, "1.0.0.0/alpha.1-x/1.0-alpha.1-x"},
        {"007.08", RW_OK, "7.8.0.0//007.08"},
        {"", RW_EPARSE, "version \"\": empty"},
        {"   ", RW_EPARSE, "version \"   \": empty"},
        {"v", RW_EPARSE, "version \"v\": does not start with a number"},
        {"vv3", RW_EPARSE, "version \"vv3\": does not start with a number"},
        {"abc", RW_EPARSE, "version \"abc\": does not start with a number"},
        {".3", RW_EPARSE, "version \".3\": does not start with a number"},
        {"-1", RW_EPARSE, "version \"-1\": does not start with a number"},
        {"3.", RW_EPARSE, "version \"3.\": empty or non-numeric component after '.'"},
        {"3..1", RW_EPARSE, "version \"3..1\": empty or non-numeric component after '.'"},
        {"3.x", RW_EPARSE, "version \"3.x\": empty or non-numeric component after '.'"},
        {"1.2.3.4.5", RW_EPARSE, "version \"1.2.3.4.5\": more than 4 numeric components"},
        {"1234567890", RW_EPARSE, "version \"1234567890\": a component has more than 9 digits"},
        {"3.1-", RW_EPARSE, "version \"3.1-\": empty pre-release after '-'"},
        {"3.1 rc1", RW_EPARSE, "version \"3.1 rc1\": white space inside the version"},
        {"3,1", RW_EPARSE, "version \"3,1\": unexpected character"},
        {"3.1+build5", RW_EPARSE, "version \"3.1+build5\": unexpected character"},
        {"3.1.2rc1", RW_EPARSE, "version \"3.1.2rc1\": unexpected character"},
        {"3.1-rc 1", RW_EPARSE,
         "version \"3.1-rc 1\": pre-release may hold only letters, digits, '.' and '-'"},
        {"3.1-rc_1", RW_EPARSE,
         "version \"3.1-rc_1\": pre-release may hold only letters, digits, '.' and '-'"},
        {"3.1-abcdefghijklmnopqrstuvwxyz0123456", RW_EPARSE,
         "version \"3.1-abcdefghijklmnopqrstuvwxyz0123456\": pre-release longer than 31 "
         "characters"},
        {"1.1111111111111111111111111111111111111111111111111111111111111111", RW_EPARSE,
         "version \"1.1111111111111111111111...\": longer than 63 characters"},
        {"\xd9\xa3", RW_EPARSE, "version \"\xd9\xa3\": does not start with a number"},
    };
    char got[256];
    size_t i, ok = 0, bad = 0;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct rw_version v;
        struct rw_err err;
        enum rw_rc rc;

        rw_err_clear(&err);
        rc = rw_version_parse(rows[i].input, &v, &err);
        if (rc != rows[i].want_rc) {
            fail_msg("row %zu \"%s\": rc %s (%s)", i, rows[i].input, rw_rc_name(rc), err.msg);
        }
        if (rc == RW_OK) {
            describe(&v, got, sizeof(got));
            ok++;
        } else {
            (void)snprintf(got, sizeof(got), "%s", err.msg);
            bad++;
        }
        if (strcmp(got, rows[i].want) != 0) {
            fail_msg("row %zu \"%s\": got \"%s\" want \"%s\"", i, rows[i].input, got, rows[i].want);
        }
    }
    assert_true(bad >= ok);
}

static void
test_parse_null(void **state)
{
    struct rw_version v;
    struct rw_err err;

    (void)state;
    rw_err_clear(&err);
    assert_int_equal(rw_version_parse(NULL, &v, &err), RW_EPARSE);
    assert_string_equal(err.msg, "version missing");
}

struct cmp_row {
    const char *a, *b;
    int want;
};

static void
test_cmp_table(void **state)
{
    static const struct cmp_row rows[] = {
        {"3.1", "3.1.0", 0},
        {"3.1.0.0", "v3.1", 0},
        {"3.1.2", "3.1.10", -1},
        {"3.2", "3.1.9", 1},
        {"3.1.2-rc1", "3.1.2", -1},
        {"3.1.2", "3.1.2-rc1", 1},
        {"3.1.2-rc2", "3.1.2-rc10", -1},
        {"3.1.2-rc10", "3.1.2-rc2", 1},
        {"3.1.2-rc1", "3.1.2-rc1", 0},
        {"1.0-alpha", "1.0-beta", -1},
        {"1.0-alpha", "1.0-alpha.1", -1},
        {"1.0-rc01", "1.0-rc1", 0},
        {"2.4.0.1234", "2.4.0.999", 1},
        {"10", "9", 1},
        {"1.0-1", "1.0-a", -1},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct rw_version a, b;
        int got;

        assert_int_equal(rw_version_parse(rows[i].a, &a, NULL), RW_OK);
        assert_int_equal(rw_version_parse(rows[i].b, &b, NULL), RW_OK);
        got = rw_version_cmp(&a, &b);
        got = (got > 0) - (got < 0);
        if (got != rows[i].want) {
            fail_msg("row %zu: cmp(%s, %s) = %d, want %d", i, rows[i].a, rows[i].b, got,
                     rows[i].want);
        }
    }
}

struct check_row {
    const char *policy; /* rw_version_policy_parse text */
    const char *minimum;
    const char *compat_hub, *compat_spoke;
    const char *hub, *spoke;
    int want_compatible;
    const char *want_text;
};

static void
run_check_row(size_t i, const struct check_row *row)
{
    struct rw_version_policy *policy = NULL;
    struct rw_version_verdict verdict;
    struct rw_err err;

    rw_err_clear(&err);
    if (rw_version_policy_parse(row->policy, &policy, &err) != RW_OK) {
        fail_msg("row %zu: policy \"%s\": %s", i, row->policy, err.msg);
    }
    if (row->minimum != NULL) {
        assert_int_equal(rw_version_policy_set_minimum(policy, row->minimum, &err), RW_OK);
    }
    if (row->compat_hub != NULL) {
        assert_int_equal(
            rw_version_policy_add_compatible(policy, row->compat_hub, row->compat_spoke, &err),
            RW_OK);
    }
    if (rw_version_check(policy, row->hub, row->spoke, &verdict, &err) != RW_OK) {
        fail_msg("row %zu: check: %s", i, err.msg);
    }
    if (verdict.compatible != row->want_compatible || strcmp(verdict.text, row->want_text)) {
        fail_msg("row %zu: got %d \"%s\" want %d \"%s\"", i, verdict.compatible, verdict.text,
                 row->want_compatible, row->want_text);
    }
    rw_version_policy_free(policy);
}

static void
test_check_table(void **state)
{
    static const struct check_row rows[] = {
        {"exact", NULL, NULL, NULL, "3.2.0", "3.2.0", 1,
         "hub 3.2.0, spoke 3.2.0: compatible (policy exact)"},
        {"exact", NULL, NULL, NULL, "3.2", "v3.2.0", 1,
         "hub 3.2, spoke v3.2.0: compatible (policy exact)"},
        {"exact", NULL, NULL, NULL, "3.2.0", "3.1.4", 0,
         "hub 3.2.0, spoke 3.1.4: policy exact requires the same version"},
        {"exact", NULL, NULL, NULL, "3.2.0", "3.2.0-rc1", 0,
         "hub 3.2.0, spoke 3.2.0-rc1: policy exact requires the same version"},
        {"same-major", NULL, NULL, NULL, "3.2.0", "3.0.9", 1,
         "hub 3.2.0, spoke 3.0.9: compatible (policy same-major)"},
        {"same-major", NULL, NULL, NULL, "3.2.0", "4.0", 0,
         "hub 3.2.0, spoke 4.0: policy same-major requires the same major version"},
        {"same-minor", NULL, NULL, NULL, "3.2.0", "3.2.7-rc2", 1,
         "hub 3.2.0, spoke 3.2.7-rc2: compatible (policy same-minor)"},
        {"same-minor", NULL, NULL, NULL, "3.2.0", "3.3.0", 0,
         "hub 3.2.0, spoke 3.3.0: policy same-minor requires the same major and minor version"},
        {"minimum 3.1", NULL, NULL, NULL, "9.0", "3.1.0", 1,
         "hub 9.0, spoke 3.1.0: compatible (policy any, minimum 3.1)"},
        {"minimum 3.1", NULL, NULL, NULL, "3.2.0", "3.0.9", 0,
         "hub 3.2.0, spoke 3.0.9: the spoke is older than the minimum version 3.1"},
        {"minimum 3.1", NULL, NULL, NULL, "3.2.0", "3.1-rc1", 0,
         "hub 3.2.0, spoke 3.1-rc1: the spoke is older than the minimum version 3.1"},
        {"exact", "3.1", NULL, NULL, "3.0", "3.0", 0,
         "hub 3.0, spoke 3.0: the spoke is older than the minimum version 3.1"},
        {"same-major", "3.1", NULL, NULL, "3.4", "3.1.1", 1,
         "hub 3.4, spoke 3.1.1: compatible (policy same-major, minimum 3.1)"},
        {"exact", NULL, "3.1", "3.2", "3.1.4", "3.2.0", 1,
         "hub 3.1.4, spoke 3.2.0: compatible by the list entry (3.1, 3.2)"},
        {"exact", NULL, "3.1", "3.2", "3.1.4", "3.3.0", 0,
         "hub 3.1.4, spoke 3.3.0: policy exact requires the same version"},
        {"listed", NULL, "3.1-3.4", "*", "3.4.9", "1.0", 1,
         "hub 3.4.9, spoke 1.0: compatible by the list entry (3.1-3.4, *)"},
        {"listed", NULL, "3.1-3.4", "*", "3.5", "1.0", 0,
         "hub 3.5, spoke 1.0: no entry of the compatible list allows this pair"},
        {"listed", NULL, "3.1-3.4", "2.0", "3.0.9", "2.0", 0,
         "hub 3.0.9, spoke 2.0: no entry of the compatible list allows this pair"},
        {"listed", NULL, " 3.1.0-3.1.2 ", "3.1.2-rc1", "3.1.1.7", "3.1.2-rc1", 1,
         "hub 3.1.1.7, spoke 3.1.2-rc1: compatible by the list entry (3.1.0-3.1.2, 3.1.2-rc1)"},
        {"listed", NULL, "3.1", "3.1.2-rc1", "3.1", "3.1.2", 0,
         "hub 3.1, spoke 3.1.2: no entry of the compatible list allows this pair"},
        {"any", NULL, NULL, NULL, "1", "99", 1, "hub 1, spoke 99: compatible (policy any)"},
        {"minimum 3.1", NULL, "*", "*", "3.2.0", "3.0", 0,
         "hub 3.2.0, spoke 3.0: the spoke is older than the minimum version 3.1"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        run_check_row(i, &rows[i]);
    }
}

struct bad_policy_row {
    const char *policy;
    const char *hub_spec, *spoke_spec;
    enum rw_rc want_rc;
    const char *want_msg;
};

static void
test_bad_policy_table(void **state)
{
    static const struct bad_policy_row rows[] = {
        {"strict", NULL, NULL, RW_EINVAL,
         "unknown version policy \"strict\" (want exact, same-major, same-minor, any, listed "
         "or minimum X.Y)"},
        {"", NULL, NULL, RW_EINVAL,
         "unknown version policy \"\" (want exact, same-major, same-minor, any, listed or "
         "minimum X.Y)"},
        {"minimum ", NULL, NULL, RW_EPARSE, "minimum version \"\": empty"},
        {"minimum three", NULL, NULL, RW_EPARSE,
         "minimum version \"three\": does not start with a number"},
        {"exact", "3.4-3.1", "*", RW_EPARSE,
         "compatible list, hub side: version range \"3.4-3.1\": empty (low end above high end)"},
        {"exact", "3.1-3.4-rc1", "*", RW_EPARSE,
         "compatible list, hub side: version range \"3.1-3.4-rc1\": ends take no pre-release"},
        {"exact", "3.1-", "*", RW_EPARSE,
         "compatible list, hub side: version \"3.1-\": empty pre-release after '-'"},
        {"exact", "*", "3.x-4", RW_EPARSE,
         "compatible list, spoke side: version range \"3.x-4\": version \"3.x\": empty or "
         "non-numeric component after '.'"},
        {"exact", "*", "", RW_EPARSE, "compatible list, spoke side: version \"\": empty"},
        {"exact", "*", NULL, RW_EPARSE, "compatible list, spoke side: version spec missing"},
        {"exact", "**", "*", RW_EPARSE,
         "compatible list, hub side: version \"**\": does not start with a number"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct rw_version_policy *policy = NULL;
        struct rw_err err;
        enum rw_rc rc;

        rw_err_clear(&err);
        rc = rw_version_policy_parse(rows[i].policy, &policy, &err);
        if (rc == RW_OK && rows[i].hub_spec != NULL) {
            rc = rw_version_policy_add_compatible(policy, rows[i].hub_spec, rows[i].spoke_spec,
                                                  &err);
        }
        if (rc != rows[i].want_rc || strcmp(err.msg, rows[i].want_msg) != 0) {
            fail_msg("row %zu: rc %s \"%s\" want \"%s\"", i, rw_rc_name(rc), err.msg,
                     rows[i].want_msg);
        }
        rw_version_policy_free(policy);
    }
}

static void
test_check_unparsable(void **state)
{
    struct rw_version_policy *policy = NULL;
    struct rw_version_verdict verdict = {.compatible = 7};
    struct rw_err err;

    (void)state;
    rw_err_clear(&err);
    assert_int_equal(rw_version_policy_new(RW_VERSION_EXACT, &policy, &err), RW_OK);
    assert_int_equal(rw_version_check(policy, "banana", "3.1", &verdict, &err), RW_EPARSE);
    assert_string_equal(err.msg, "hub version \"banana\": does not start with a number");
    rw_err_clear(&err);
    assert_int_equal(rw_version_check(policy, "3.1", "", &verdict, &err), RW_EPARSE);
    assert_string_equal(err.msg, "spoke version \"\": empty");
    assert_int_equal(verdict.compatible, 7);
    rw_err_clear(&err);
    assert_int_equal(rw_version_policy_new((enum rw_version_rule)42, &policy, &err), RW_EINVAL);
    assert_string_equal(err.msg, "unknown version rule 42");
    assert_string_equal(rw_version_rule_name(RW_VERSION_SAME_MINOR), "same-minor");
    assert_string_equal(rw_version_rule_name((enum rw_version_rule)42), "?");
    rw_version_policy_free(policy);
}

static void
test_compatible_list_cap(void **state)
{
    struct rw_version_policy *policy = NULL;
    struct rw_err err;

    (void)state;
    rw_err_clear(&err);
    assert_int_equal(rw_version_policy_new(RW_VERSION_LISTED, &policy, &err), RW_OK);
    for (int i = 0; i < RW_VERSION_LIST_MAX; i++) {
        assert_int_equal(rw_version_policy_add_compatible(policy, "1", "1", &err), RW_OK);
    }
    assert_int_equal(rw_version_policy_add_compatible(policy, "1", "1", &err), RW_ETOOBIG);
    assert_string_equal(err.msg, "compatible list: more than 64 entries");
    rw_version_policy_free(policy);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_table),         cmocka_unit_test(test_parse_null),
        cmocka_unit_test(test_cmp_table),           cmocka_unit_test(test_check_table),
        cmocka_unit_test(test_bad_policy_table),    cmocka_unit_test(test_check_unparsable),
        cmocka_unit_test(test_compatible_list_cap),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

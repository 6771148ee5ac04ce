/* Unit tests for rs_index: stable table indexes that survive a restart. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "rs_index.h"

static void
tmp_path(char *out, size_t len, const char *name)
{
    (void)snprintf(out, len, "%s/rs_index_%ld_%s", RW_TEST_TMP_DIR, (long)getpid(), name);
}

static uint32_t
get(struct rs_index *idx, unsigned ns, const char *key)
{
    uint32_t value = 0;

    assert_int_equal(rs_index_get(idx, ns, key, &value, NULL), RW_OK);
    return value;
}

static void
test_allocation_per_namespace(void **state)
{
    struct rs_index *idx = NULL;
    char key[32];
    int i;

    (void)state;
    assert_int_equal(rs_index_new(&idx, NULL), RW_OK);
    assert_int_equal(get(idx, 0, "pdu-a1/1"), 1);
    assert_int_equal(get(idx, 0, "pdu-b1/1"), 2);
    assert_int_equal(get(idx, 1, "pdu-a1/1/AC1"), 1);
    assert_int_equal(get(idx, 0, "pdu-a1/1"), 1);
    assert_true(rs_index_dirty(idx));
    /* Enough keys to make the table grow several times. */
    for (i = 0; i < 5000; i++) {
        (void)snprintf(key, sizeof(key), "outlet/%d", i);
        assert_int_equal(get(idx, 2, key), (uint32_t)i + 1);
    }
    assert_int_equal(get(idx, 2, "outlet/17"), 18);
    rs_index_free(idx);
}

static void
test_save_and_reload_keeps_indexes(void **state)
{
    struct rs_index *idx = NULL, *again = NULL;
    char path[512];

    (void)state;
    tmp_path(path, sizeof(path), "roundtrip");
    assert_int_equal(rs_index_new(&idx, NULL), RW_OK);
    assert_int_equal(get(idx, 3, "a"), 1);
    assert_int_equal(get(idx, 3, "tab\there%and\nnewline"), 2);
    assert_int_equal(get(idx, 3, "c"), 3);
    assert_int_equal(rs_index_save(idx, path, NULL), RW_OK);
    assert_false(rs_index_dirty(idx));
    rs_index_free(idx);

    assert_int_equal(rs_index_new(&again, NULL), RW_OK);
    assert_int_equal(rs_index_load(again, path, NULL), RW_OK);
    assert_false(rs_index_dirty(again));
    assert_int_equal(get(again, 3, "c"), 3);
    assert_int_equal(get(again, 3, "tab\there%and\nnewline"), 2);
    /* A new key continues after the highest index, never reusing one. */
    assert_int_equal(get(again, 3, "d"), 4);
    assert_true(rs_index_dirty(again));
    rs_index_free(again);
    assert_int_equal(unlink(path), 0);
}

/* A registry of many keys is streamed out in chunks and reads back whole; a bad path is
 * refused with the file named and nothing left behind. */
static void
test_save_large_and_failures(void **state)
{
    struct rs_index *idx = NULL, *again = NULL;
    struct rw_err err;
    char path[512], key[64];
    uint32_t i;

    (void)state;
    tmp_path(path, sizeof(path), "large");
    assert_int_equal(rs_index_new(&idx, NULL), RW_OK);
    for (i = 1; i <= 20000; i++) {
        (void)snprintf(key, sizeof(key), "pdu-%05u/1/OA%u", i / 48, i);
        assert_int_equal(get(idx, 4, key), i);
    }
    assert_int_equal(rs_index_save(idx, path, NULL), RW_OK);
    assert_int_equal(rs_index_new(&again, NULL), RW_OK);
    assert_int_equal(rs_index_load(again, path, NULL), RW_OK);
    for (i = 1; i <= 20000; i += 997) {
        (void)snprintf(key, sizeof(key), "pdu-%05u/1/OA%u", i / 48, i);
        assert_int_equal(get(again, 4, key), i);
    }
    assert_false(rs_index_dirty(again));
    assert_int_equal(get(idx, 4, "new"), 20001);
    rw_err_clear(&err);
    assert_int_equal(rs_index_save(idx, RW_TEST_TMP_DIR "/no-such-dir/index", &err), RW_EINVAL);
    assert_string_equal(err.msg, RW_TEST_TMP_DIR "/no-such-dir/index: cannot create a temporary "
                                                 "file: No such file or directory");
    assert_true(rs_index_dirty(idx)); /* the mapping is still to be saved */
    rs_index_free(idx);
    rs_index_free(again);
    assert_int_equal(unlink(path), 0);
}

static void
test_missing_file_is_empty(void **state)
{
    struct rs_index *idx = NULL;

    (void)state;
    assert_int_equal(rs_index_new(&idx, NULL), RW_OK);
    assert_int_equal(rs_index_load(idx, RW_TEST_TMP_DIR "/no-such-index", NULL), RW_OK);
    assert_int_equal(get(idx, 0, "x"), 1);
    rs_index_free(idx);
}

struct bad_row {
    const char *text;
    const char *want_suffix;
};

static void
test_malformed_files(void **state)
{
    static const struct bad_row rows[] = {
        {"0\t1\n", ":1: expected NAMESPACE<TAB>INDEX<TAB>KEY"},
        {"0\t1\ta\nnonsense\n", ":2: expected NAMESPACE<TAB>INDEX<TAB>KEY"},
        {"x\t1\ta\n", ":1: bad namespace, index or key"},
        {"0\t0\ta\n", ":1: bad namespace, index or key"},
        {"0\t2147483648\ta\n", ":1: bad namespace, index or key"},
        {"32\t1\ta\n", ":1: bad namespace, index or key"},
        {"0\t1\t\n", ":1: bad namespace, index or key"},
        {"0\t1\tbad%zz\n", ":1: bad namespace, index or key"},
        {"0\t1\ta\n0\t2\ta\n", ":2: duplicate key"},
    };
    char path[512], want[700];
    size_t i;

    (void)state;
    tmp_path(path, sizeof(path), "bad");
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct rs_index *idx = NULL;
        struct rw_err err;
        FILE *f = fopen(path, "w");

        assert_non_null(f);
        assert_int_equal(fputs(rows[i].text, f) >= 0, 1);
        assert_int_equal(fclose(f), 0);
        rw_err_clear(&err);
        assert_int_equal(rs_index_new(&idx, NULL), RW_OK);
        (void)snprintf(want, sizeof(want), "%s%s", path, rows[i].want_suffix);
        if (rs_index_load(idx, path, &err) != RW_EPARSE || strcmp(err.msg, want) != 0) {
            fail_msg("row %zu: got \"%s\", want \"%s\"", i, err.msg, want);
        }
        rs_index_free(idx);
    }
    assert_int_equal(unlink(path), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_allocation_per_namespace),
        cmocka_unit_test(test_save_and_reload_keeps_indexes),
        cmocka_unit_test(test_save_large_and_failures),
        cmocka_unit_test(test_missing_file_is_empty),
        cmocka_unit_test(test_malformed_files),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

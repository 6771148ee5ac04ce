/* Unit tests for rs_text: the shared, reference-counted texts of the MIB tables' rows. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "rs_text.h"

struct set_row {
    const char *text;  /* NULL: set the field to NULL */
    size_t want_count; /* distinct texts in the pool afterwards */
};

/* Two fields set in turn: equal texts are shared, released texts leave the pool. */
static void
test_set_shares_and_releases(void **state)
{
    static const struct set_row rows[] = {
        {"OA1", 1},         /* a = OA1 */
        {"OA1", 1},         /* b = OA1, shared */
        {"OA2", 2},         /* a = OA2; b still holds OA1 */
        {"OA2", 1},         /* b = OA2: OA1 had no holder left */
        {NULL, 1},          /* a = NULL; b holds OA2 */
        {"", 1},            /* b = "": OA2 released */
        {"caf\xc3\xa9", 2}, /* a = UTF-8 text */
        {NULL, 1},          /* b = NULL: "" released */
    };
    struct rs_text_pool *pool = NULL;
    const char *fields[2] = {NULL, NULL};
    size_t i;

    (void)state;
    assert_int_equal(rs_text_pool_new(&pool, NULL), RW_OK);
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const char **dst = &fields[i % 2];

        assert_int_equal(rs_text_set(pool, dst, rows[i].text, NULL), RW_OK);
        if ((rows[i].text == NULL) != (*dst == NULL) ||
            (rows[i].text != NULL && strcmp(*dst, rows[i].text) != 0) ||
            rs_text_count(pool) != rows[i].want_count) {
            fail_msg("row %zu \"%s\": count %zu", i, rows[i].text != NULL ? rows[i].text : "NULL",
                     rs_text_count(pool));
        }
    }
    rs_text_release(pool, fields[0]);
    rs_text_release(pool, fields[1]);
    rs_text_release(pool, NULL);
    assert_int_equal(rs_text_count(pool), 0);
    rs_text_pool_free(pool);
    rs_text_pool_free(NULL);
}

/* Many texts (the bucket array grows) are found again and shared, not copied. */
static void
test_many_texts(void **state)
{
    enum {
        N = 5000
    };
    static const char *a[N], *b[N];
    struct rs_text_pool *pool = NULL;
    char text[32];
    int i;

    (void)state;
    assert_int_equal(rs_text_pool_new(&pool, NULL), RW_OK);
    for (i = 0; i < N; i++) {
        (void)snprintf(text, sizeof(text), "Outlet %d", i);
        assert_int_equal(rs_text_set(pool, &a[i], text, NULL), RW_OK);
    }
    for (i = 0; i < N; i++) {
        (void)snprintf(text, sizeof(text), "Outlet %d", i);
        assert_int_equal(rs_text_set(pool, &b[i], text, NULL), RW_OK);
        assert_ptr_equal(a[i], b[i]);
    }
    assert_int_equal(rs_text_count(pool), N);
    for (i = 0; i < N; i += 2) {
        rs_text_release(pool, a[i]);
        rs_text_release(pool, b[i]);
    }
    assert_int_equal(rs_text_count(pool), N / 2);
    assert_string_equal(a[N - 1], "Outlet 4999");
    /* The pool frees what is still held. */
    rs_text_pool_free(pool);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_shares_and_releases),
        cmocka_unit_test(test_many_texts),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

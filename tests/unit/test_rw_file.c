/* Unit tests for rw_file: capped reads and atomic replacement that never loses data. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "rw_file.h"

static void
tmp_path(char *out, size_t len, const char *name)
{
    (void)snprintf(out, len, "%s/rw_file_%ld_%s", RW_TEST_TMP_DIR, (long)getpid(), name);
}

static void
expect_contents(const char *path, const char *want)
{
    struct rw_buf buf;
    struct rw_err err;

    rw_err_clear(&err);
    rw_buf_init(&buf, 1 << 20);
    assert_int_equal(rw_file_read(path, &buf, &err), RW_OK);
    assert_string_equal(rw_buf_str(&buf), want);
    rw_buf_free(&buf);
}

static void
test_write_then_read(void **state)
{
    char path[512];
    struct rw_err err;
    struct stat st;

    (void)state;
    tmp_path(path, sizeof(path), "plain");
    rw_err_clear(&err);
    assert_int_equal(rw_file_write_atomic(path, "first\n", 6, 0600, &err), RW_OK);
    expect_contents(path, "first\n");
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(rw_file_write_atomic(path, "second\n", 7, 0644, &err), RW_OK);
    expect_contents(path, "second\n");
    assert_int_equal(unlink(path), 0);
}

static void
test_read_errors(void **state)
{
    char path[512], want[600];
    struct rw_buf buf;
    struct rw_err err;

    (void)state;
    tmp_path(path, sizeof(path), "missing");
    rw_err_clear(&err);
    rw_buf_init(&buf, 16);
    assert_int_equal(rw_file_read(path, &buf, &err), RW_EINVAL);
    (void)snprintf(want, sizeof(want), "%s: cannot read: No such file or directory", path);
    assert_string_equal(err.msg, want);

    tmp_path(path, sizeof(path), "big");
    assert_int_equal(rw_file_write_atomic(path, "0123456789abcdefXYZ", 19, 0600, &err), RW_OK);
    rw_err_clear(&err);
    assert_int_equal(rw_file_read(path, &buf, &err), RW_ETOOBIG);
    (void)snprintf(want, sizeof(want), "%s: file too large", path);
    assert_string_equal(err.msg, want);
    assert_int_equal(rw_buf_len(&buf), 0);
    assert_int_equal(unlink(path), 0);
}

static void
test_write_into_missing_dir(void **state)
{
    struct rw_err err;

    (void)state;
    rw_err_clear(&err);
    assert_int_equal(rw_file_write_atomic(RW_TEST_TMP_DIR "/no/such/dir/file", "x", 1, 0600, &err),
                     RW_EINVAL);
    assert_non_null(strstr(err.msg, "cannot create a temporary file: No such file or directory"));
}

/* A write that runs out of room (here: RLIMIT_FSIZE, as a full disk would) keeps the old file. */
static void
test_failed_write_keeps_old_file(void **state)
{
    char path[512], big[8192];
    struct rw_err err;
    struct rlimit old_limit, small = {.rlim_cur = 4096, .rlim_max = RLIM_INFINITY};

    (void)state;
    tmp_path(path, sizeof(path), "full");
    rw_err_clear(&err);
    assert_int_equal(rw_file_write_atomic(path, "precious\n", 9, 0600, &err), RW_OK);
    memset(big, 'x', sizeof(big));
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old_limit), 0);
    small.rlim_max = old_limit.rlim_max;
    assert_true(signal(SIGXFSZ, SIG_IGN) != SIG_ERR);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    assert_int_equal(rw_file_write_atomic(path, big, sizeof(big), 0600, &err), RW_EINVAL);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old_limit), 0);
    assert_non_null(strstr(err.msg, "cannot write: File too large"));
    expect_contents(path, "precious\n");
    assert_int_equal(unlink(path), 0);
}

/* Pieces make the same file; an abandoned or failed stream leaves the old one whole. */
static void
test_stream(void **state)
{
    char path[512], big[8192];
    struct rw_file_atomic file;
    struct rlimit old_limit, small = {.rlim_cur = 4096, .rlim_max = RLIM_INFINITY};
    struct rw_err err;

    (void)state;
    tmp_path(path, sizeof(path), "stream");
    rw_err_clear(&err);
    assert_int_equal(rw_file_atomic_open(&file, path, 0600, &err), RW_OK);
    assert_int_equal(rw_file_atomic_write(&file, "one ", 4), RW_OK);
    assert_int_equal(rw_file_atomic_write(&file, "", 0), RW_OK);
    assert_int_equal(rw_file_atomic_write(&file, "two\n", 4), RW_OK);
    assert_int_equal(rw_file_atomic_commit(&file, &err), RW_OK);
    expect_contents(path, "one two\n");

    assert_int_equal(rw_file_atomic_open(&file, path, 0600, &err), RW_OK);
    assert_int_equal(rw_file_atomic_write(&file, "half", 4), RW_OK);
    rw_file_atomic_abort(&file);
    expect_contents(path, "one two\n");

    memset(big, 'x', sizeof(big));
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old_limit), 0);
    small.rlim_max = old_limit.rlim_max;
    assert_true(signal(SIGXFSZ, SIG_IGN) != SIG_ERR);
    assert_int_equal(rw_file_atomic_open(&file, path, 0600, &err), RW_OK);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    assert_int_equal(rw_file_atomic_write(&file, big, sizeof(big)), RW_EINVAL);
    assert_int_equal(rw_file_atomic_write(&file, "more", 4), RW_EINVAL);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old_limit), 0);
    assert_int_equal(rw_file_atomic_commit(&file, &err), RW_EINVAL);
    assert_non_null(strstr(err.msg, "stream: cannot write: File too large"));
    expect_contents(path, "one two\n");
    assert_int_equal(unlink(path), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_then_read),
        cmocka_unit_test(test_read_errors),
        cmocka_unit_test(test_write_into_missing_dir),
        cmocka_unit_test(test_failed_write_keeps_old_file),
        cmocka_unit_test(test_stream),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

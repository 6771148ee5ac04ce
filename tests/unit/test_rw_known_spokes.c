/*
 * Unit tests for rw_known_spokes: parse errors with their exact messages, lookups and
 * edits, the text round trip, and the atomic write (the old file survives a failed one).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "rw_known_spokes.h"

#define TDIR RW_TEST_TMP_DIR "/rw_known_spokes"
#define FP1                                                                                        \
    "sha256:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:"  \
    "CC:DD:EE:FF"
#define FP2                                                                                        \
    "sha256:FF:EE:DD:CC:BB:AA:99:88:77:66:55:44:33:22:11:00:FF:EE:DD:CC:BB:AA:99:88:77:66:55:44:"  \
    "33:22:11:00"
#define FP1_LOOSE "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

struct parse_row {
    const char *text;
    enum rw_rc want_rc;
    const char *want; /* failure: the message; success: the entry count as text */
};

static void
check_parse_row(size_t i, const struct parse_row *row)
{
    struct rw_known_spokes *ks = NULL;
    struct rw_err err;
    char count[16];
    enum rw_rc rc;

    rw_err_clear(&err);
    rc = rw_known_spokes_parse(row->text, strlen(row->text), "ks", &ks, &err);
    if (rc != row->want_rc) {
        fail_msg("row %zu: rc %s (%s)", i, rw_rc_name(rc), err.msg);
    }
    if (rc == RW_OK) {
        (void)snprintf(count, sizeof(count), "%zu", rw_known_spokes_count(ks));
    }
    if (strcmp(rc == RW_OK ? count : err.msg, row->want) != 0) {
        fail_msg("row %zu: got \"%s\" want \"%s\"", i, rc == RW_OK ? count : err.msg, row->want);
    }
    rw_known_spokes_free(ks);
}

static void
test_parse_table(void **state)
{
    static const struct parse_row rows[] = {
        {"", RW_OK, "0"},
        {"# only a comment\n\n   \n", RW_OK, "0"},
        {"spoke1.example.net:443 " FP1 "\n", RW_OK, "1"},
        {"10.0.0.5:8443\t" FP1_LOOSE "\r\n[fd00::10]:443 " FP2, RW_OK, "2"},
        {"  # indented comment\n  host:1   " FP1 "   \n", RW_OK, "1"},
        {"host", RW_EPARSE, "ks:1: missing :port after the host"},
        {"# c\nhost " FP1, RW_EPARSE, "ks:2: missing :port after the host"},
        {"::1:443 " FP1, RW_EPARSE, "ks:1: IPv6 address must be in brackets, as in [::1]:443"},
        {"[::1:443 " FP1, RW_EPARSE, "ks:1: missing :port after the host"},
        {"[::1]443 " FP1, RW_EPARSE, "ks:1: missing :port after the host"},
        {"h:0 " FP1, RW_EPARSE, "ks:1: bad port (want 1 to 65535)"},
        {"h:65536 " FP1, RW_EPARSE, "ks:1: bad port (want 1 to 65535)"},
        {"h:https " FP1, RW_EPARSE, "ks:1: bad port (want 1 to 65535)"},
        {"h: " FP1, RW_EPARSE, "ks:1: bad port (want 1 to 65535)"},
        {":443 " FP1, RW_EPARSE, "ks:1: bad host name or address"},
        {"bad_host!:443 " FP1, RW_EPARSE, "ks:1: bad host name or address"},
        {"a..b:443 " FP1, RW_EPARSE, "ks:1: bad host name or address"},
        {"[zz]:443 " FP1, RW_EPARSE, "ks:1: bad host name or address"},
        {"h:443", RW_EPARSE, "ks:1: missing fingerprint after h:443"},
        {"H:443   \n", RW_EPARSE, "ks:1: missing fingerprint after h:443"},
        {"h:443 zz", RW_EPARSE, "ks:1: fingerprint \"zz\": 'z' is not a hex digit"},
        {"h:443 sha1:00", RW_EPARSE,
         "ks:1: fingerprint \"sha1:00\": unknown digest \"sha1\" (want sha256)"},
        {"h:443 0011", RW_EPARSE, "ks:1: fingerprint \"0011\": 4 hex digits, want 64 (SHA-256)"},
        {"h:443 " FP1 " trailing", RW_EPARSE, "ks:1: unexpected text after the fingerprint"},
        {"h:443 " FP1 " # comment", RW_EPARSE, "ks:1: unexpected text after the fingerprint"},
        {"# c\nh:443 " FP1 "\nH:443 " FP2, RW_EPARSE,
         "ks:3: duplicate entry for h:443 (first on line 2)"},
        {"[::1]:443 " FP1 "\n[0:0::1]:443 " FP2, RW_EPARSE,
         "ks:2: duplicate entry for [::1]:443 (first on line 1)"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        check_parse_row(i, &rows[i]);
    }
}

static void
test_parse_caps(void **state)
{
    static const char nul[] = "h:443 \0" FP1;
    struct rw_known_spokes *ks = NULL;
    struct rw_err err;
    char *text = malloc(RW_KNOWN_SPOKES_FILE_MAX + 2);

    (void)state;
    assert_non_null(text);
    memset(text, '#', 600);
    rw_err_clear(&err);
    assert_int_equal(rw_known_spokes_parse(text, 600, "ks", &ks, &err), RW_ETOOBIG);
    assert_string_equal(err.msg, "ks:1: line longer than 512 bytes");
    rw_err_clear(&err);
    assert_int_equal(rw_known_spokes_parse(nul, sizeof(nul) - 1, "ks", &ks, &err), RW_EPARSE);
    assert_string_equal(err.msg, "ks:1: NUL byte in the line");
    memset(text, '\n', 70000);
    rw_err_clear(&err);
    assert_int_equal(rw_known_spokes_parse(text, 70000, "ks", &ks, &err), RW_ETOOBIG);
    assert_string_equal(err.msg, "ks:65537: more than 65536 lines");
    memset(text, '\n', RW_KNOWN_SPOKES_FILE_MAX + 1);
    rw_err_clear(&err);
    assert_int_equal(rw_known_spokes_parse(text, RW_KNOWN_SPOKES_FILE_MAX + 1, "ks", &ks, &err),
                     RW_ETOOBIG);
    assert_string_equal(err.msg, "ks: larger than 1048576 bytes");
    free(text);
}

static void
test_edit_and_round_trip(void **state)
{
    static const char in[] = "# hub east\n"
                             "Spoke1.Example.NET:443 " FP1_LOOSE "\n"
                             "\n"
                             "[fd00:0::10]:8443 " FP1 "\r\n"
                             "  # keep me\n"
                             "10.0.0.5:443 " FP1 "\n";
    static const char want[] = "# hub east\n"
                               "spoke1.example.net:443 " FP2 "\n"
                               "\n"
                               "  # keep me\n"
                               "10.0.0.5:443 " FP1 "\n"
                               "[::1]:443 " FP2 "\n";
    struct rw_known_spokes *ks = NULL;
    struct rw_fingerprint fp1, fp2, got;
    int replaced = -1;
    char *out = NULL;

    (void)state;
    assert_int_equal(rw_fingerprint_parse(FP1, &fp1, NULL), RW_OK);
    assert_int_equal(rw_fingerprint_parse(FP2, &fp2, NULL), RW_OK);
    assert_int_equal(rw_known_spokes_parse(in, sizeof(in) - 1, "ks", &ks, NULL), RW_OK);
    assert_int_equal(rw_known_spokes_count(ks), 3);
    assert_true(rw_known_spokes_lookup(ks, "spoke1.example.net", 443, &got));
    assert_true(rw_fingerprint_equal(&got, &fp1));
    assert_true(rw_known_spokes_lookup(ks, "[fd00::10]", 8443, NULL));
    assert_true(rw_known_spokes_lookup(ks, "fd00:0:0::10", 8443, NULL));
    assert_false(rw_known_spokes_lookup(ks, "fd00::10", 443, NULL));
    assert_false(rw_known_spokes_lookup(ks, "bad host", 443, NULL));
    assert_false(rw_known_spokes_lookup(ks, NULL, 443, NULL));
    assert_int_equal(rw_known_spokes_set(ks, "SPOKE1.example.net", 443, &fp2, &replaced, NULL),
                     RW_OK);
    assert_int_equal(replaced, 1);
    assert_int_equal(rw_known_spokes_set(ks, "::1", 443, &fp2, &replaced, NULL), RW_OK);
    assert_int_equal(replaced, 0);
    assert_true(rw_known_spokes_remove(ks, "fd00::10", 8443));
    assert_false(rw_known_spokes_remove(ks, "fd00::10", 8443));
    assert_int_equal(rw_known_spokes_count(ks), 3);
    assert_string_equal(rw_known_spokes_entry(ks, 2, &got), "[::1]:443");
    assert_null(rw_known_spokes_entry(ks, 3, NULL));
    assert_int_equal(rw_known_spokes_format(ks, &out, NULL), RW_OK);
    assert_string_equal(out, want);
    free(out);
    rw_known_spokes_free(ks);
}

/* Regression (fuzz_rw_known_spokes): comments ending in several '\r' lost one '\r' per
 * save, so the file changed on every write.  Written text must parse back to itself. */
static void
test_format_fixed_point(void **state)
{
    static const struct {
        const char *in, *want;
    } rows[] = {
        {"#:7\r\r\r\r", "#:7\n"},
        {"# a\r\r\n  # b\rc\r\n", "# a\n  # b\rc\n"},
        {"#\r\r\nh:1 " FP1 "\r\n", "#\nh:1 " FP1 "\n"},
    };
    struct rw_known_spokes *ks = NULL, *again = NULL;
    char *out = NULL, *out2 = NULL;

    (void)state;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        assert_int_equal(rw_known_spokes_parse(rows[i].in, strlen(rows[i].in), "ks", &ks, NULL),
                         RW_OK);
        assert_int_equal(rw_known_spokes_format(ks, &out, NULL), RW_OK);
        assert_int_equal(rw_known_spokes_parse(out, strlen(out), "ks", &again, NULL), RW_OK);
        assert_int_equal(rw_known_spokes_format(again, &out2, NULL), RW_OK);
        if (strcmp(out, rows[i].want) != 0 || strcmp(out, out2) != 0) {
            fail_msg("row %zu: wrote \"%s\" then \"%s\"", i, out, out2);
        }
        free(out);
        free(out2);
        rw_known_spokes_free(ks);
        rw_known_spokes_free(again);
    }
}

static void
test_set_bad_input(void **state)
{
    struct rw_known_spokes *ks = NULL;
    struct rw_fingerprint fp;
    struct rw_err err;

    (void)state;
    memset(&fp, 0, sizeof(fp));
    assert_int_equal(rw_known_spokes_new(&ks, NULL), RW_OK);
    rw_err_clear(&err);
    assert_int_equal(rw_known_spokes_set(ks, "a b", 443, &fp, NULL, &err), RW_EINVAL);
    assert_string_equal(err.msg, "known spokes: bad host \"a b\" or port 443");
    rw_err_clear(&err);
    assert_int_equal(rw_known_spokes_set(ks, "h", 0, &fp, NULL, &err), RW_EINVAL);
    assert_string_equal(err.msg, "known spokes: bad host \"h\" or port 0");
    assert_int_equal(rw_known_spokes_count(ks), 0);
    rw_known_spokes_free(ks);
    rw_known_spokes_free(NULL);
}

static int
make_dir(void **state)
{
    (void)state;
    return system("rm -rf " TDIR " && mkdir -p " TDIR) == 0 ? 0 : -1;
}

/* The number of entries in TDIR, to see that no temporary file is left behind. */
static int
dir_entries(void)
{
    DIR *d = opendir(TDIR);
    struct dirent *e;
    int n = 0;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    }
    (void)closedir(d);
    return n;
}

static char *
slurp(const char *path)
{
    static char buf[8192];
    FILE *f = fopen(path, "r");
    size_t n;

    assert_non_null(f);
    n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    (void)fclose(f);
    return buf;
}

static void
test_save_and_load(void **state)
{
    static const char path[] = TDIR "/known";
    struct rw_known_spokes *ks = NULL, *back = NULL;
    struct rw_fingerprint fp;
    struct stat st;
    struct rw_err err;

    (void)state;
    assert_int_equal(rw_fingerprint_parse(FP1, &fp, NULL), RW_OK);
    rw_err_clear(&err);
    assert_int_equal(rw_known_spokes_load(path, 0, &ks, &err), RW_EINVAL);
    assert_string_equal(err.msg, TDIR "/known: No such file or directory");
    assert_int_equal(rw_known_spokes_load(path, RW_KNOWN_SPOKES_MISSING_OK, &ks, NULL), RW_OK);
    assert_int_equal(rw_known_spokes_count(ks), 0);
    assert_int_equal(rw_known_spokes_set(ks, "127.0.0.1", 8443, &fp, NULL, NULL), RW_OK);
    assert_int_equal(rw_known_spokes_save(ks, path, NULL), RW_OK);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0644);
    assert_string_equal(slurp(path), "127.0.0.1:8443 " FP1 "\n");
    assert_int_equal(dir_entries(), 1);
    assert_int_equal(rw_known_spokes_load(path, 0, &back, NULL), RW_OK);
    assert_true(rw_known_spokes_lookup(back, "127.0.0.1", 8443, NULL));
    rw_known_spokes_free(back);
    rw_err_clear(&err);
    assert_int_equal(rw_known_spokes_save(ks, TDIR "/none/known", &err), RW_EINVAL);
    assert_string_equal(err.msg, TDIR "/none/known: cannot create a temporary file: No such file "
                                      "or directory");
    rw_err_clear(&err);
    assert_int_equal(rw_known_spokes_load(TDIR, 0, &back, &err), RW_EINVAL);
    assert_string_equal(err.msg, TDIR ": Is a directory");
    rw_known_spokes_free(ks);
}

static void
test_load_too_big(void **state)
{
    static const char path[] = TDIR "/big";
    struct rw_known_spokes *ks = NULL;
    struct rw_err err;

    (void)state;
    assert_int_equal(system("head -c 1048577 /dev/zero | tr '\\0' '\\n' > " TDIR "/big"), 0);
    rw_err_clear(&err);
    assert_int_equal(rw_known_spokes_load(path, 0, &ks, &err), RW_ETOOBIG);
    assert_string_equal(err.msg, TDIR "/big: larger than 1048576 bytes");
    assert_int_equal(unlink(path), 0);
}

/*
 * A write that fails half-way (the file size limit stands in for a full disk) leaves
 * the previous file as it was and no temporary file.
 */
static void
test_failed_write_keeps_old_file(void **state)
{
    static const char path[] = TDIR "/known";
    struct rw_known_spokes *ks = NULL;
    struct rw_fingerprint fp;
    struct rlimit old, low;
    struct rw_err err;
    char host[32], before[8192];

    (void)state;
    (void)snprintf(before, sizeof(before), "%s", slurp(path));
    assert_int_equal(rw_fingerprint_parse(FP2, &fp, NULL), RW_OK);
    assert_int_equal(rw_known_spokes_new(&ks, NULL), RW_OK);
    for (int i = 0; i < 200; i++) {
        (void)snprintf(host, sizeof(host), "spoke%d.example", i);
        assert_int_equal(rw_known_spokes_set(ks, host, 443, &fp, NULL, NULL), RW_OK);
    }
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    low = old;
    low.rlim_cur = 4096;
    (void)signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &low), 0);
    rw_err_clear(&err);
    assert_int_equal(rw_known_spokes_save(ks, path, &err), RW_EINVAL);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    assert_string_equal(err.msg, TDIR "/known: cannot write: File too large");
    assert_string_equal(slurp(path), before);
    assert_int_equal(dir_entries(), 1);
    rw_known_spokes_free(ks);
}

/* A read-only directory (only meaningful when not root, who may write anyway). */
static void
test_read_only_dir(void **state)
{
    static const char path[] = TDIR "/ro/known";
    struct rw_known_spokes *ks = NULL;
    struct rw_err err;

    (void)state;
    if (geteuid() == 0) {
        skip();
    }
    assert_int_equal(system("mkdir -p " TDIR "/ro && echo '# old' > " TDIR "/ro/known && "
                            "chmod 0555 " TDIR "/ro"),
                     0);
    assert_int_equal(rw_known_spokes_new(&ks, NULL), RW_OK);
    rw_err_clear(&err);
    assert_int_equal(rw_known_spokes_save(ks, path, &err), RW_EINVAL);
    assert_string_equal(err.msg,
                        TDIR "/ro/known: cannot create a temporary file: Permission denied");
    assert_string_equal(slurp(path), "# old\n");
    assert_int_equal(system("chmod 0755 " TDIR "/ro"), 0);
    rw_known_spokes_free(ks);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_table),
        cmocka_unit_test(test_parse_caps),
        cmocka_unit_test(test_edit_and_round_trip),
        cmocka_unit_test(test_format_fixed_point),
        cmocka_unit_test(test_set_bad_input),
        cmocka_unit_test(test_save_and_load),
        cmocka_unit_test(test_load_too_big),
        cmocka_unit_test(test_failed_write_keeps_old_file),
        cmocka_unit_test(test_read_only_dir),
    };

    return cmocka_run_group_tests(tests, make_dir, NULL);
}

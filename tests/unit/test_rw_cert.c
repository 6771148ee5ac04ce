/*
 * Unit tests for rw_cert: fingerprint parsing and formatting, certificate facts and PEM
 * loading.  Certificates are made at test time with the openssl command into
 * RW_TEST_TMP_DIR/rw_cert.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "rw_cert.h"

#define TDIR RW_TEST_TMP_DIR "/rw_cert"

static const char canon[] = "sha256:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
                            "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF";

struct fp_row {
    const char *input;
    enum rw_rc want_rc;
    const char *want_msg; /* on failure */
};

static void
test_fingerprint_table(void **state)
{
    static const struct fp_row rows[] = {
        {canon, RW_OK, NULL},
        {"SHA256:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:"
         "99:aa:bb:cc:dd:ee:ff",
         RW_OK, NULL},
        {"00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF", RW_OK, NULL},
        {"sha256:00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF", RW_OK, NULL},
        {"00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:"
         "CC:DD:EE:FF",
         RW_OK, NULL},
        {"", RW_EPARSE, "fingerprint is empty"},
        {NULL, RW_EPARSE, "fingerprint is empty"},
        {"sha256:", RW_EPARSE, "fingerprint \"sha256:\": 0 hex digits, want 64 (SHA-256)"},
        {"0011", RW_EPARSE, "fingerprint \"0011\": 4 hex digits, want 64 (SHA-256)"},
        {"00112233445566778899aabbccddeeff00112233445566778899aabbccddeef", RW_EPARSE,
         "fingerprint \"00112233445566778899aabbccddeeff00112233445566778899aabbccddeef\": 63 "
         "hex digits, want 64 (SHA-256)"},
        {"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff0", RW_EPARSE,
         "fingerprint \"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff0\": "
         "65 hex digits, want 64 (SHA-256)"},
        {"00112233445566778899aabbccddeeff00112233445566778899aabbccddeefg", RW_EPARSE,
         "fingerprint \"00112233445566778899aabbccddeeff00112233445566778899aabbccddeefg\": "
         "'g' is not a hex digit"},
        {"sha1:00:11", RW_EPARSE,
         "fingerprint \"sha1:00:11\": unknown digest \"sha1\" (want sha256)"},
        {"md5:00:11", RW_EPARSE, "fingerprint \"md5:00:11\": unknown digest \"md5\" (want sha256)"},
        {" 00:11", RW_EPARSE, "fingerprint \" 00:11\": ' ' is not a hex digit"},
        {"00 11", RW_EPARSE, "fingerprint \"00 11\": ' ' is not a hex digit"},
        {"sha256:00\n11", RW_EPARSE, "fingerprint \"sha256:00\n11\": '?' is not a hex digit"},
        {"0x00", RW_EPARSE, "fingerprint \"0x00\": 'x' is not a hex digit"},
    };
    char text[RW_FINGERPRINT_TEXT_MAX];
    size_t ok = 0, bad = 0;

    (void)state;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct rw_fingerprint fp;
        struct rw_err err;
        enum rw_rc rc;

        rw_err_clear(&err);
        rc = rw_fingerprint_parse(rows[i].input, &fp, &err);
        if (rc != rows[i].want_rc) {
            fail_msg("row %zu: rc %s (%s)", i, rw_rc_name(rc), err.msg);
        }
        if (rc == RW_OK) {
            rw_fingerprint_format(&fp, text);
            if (strcmp(text, canon) != 0) {
                fail_msg("row %zu: normalised to %s", i, text);
            }
            ok++;
        } else {
            if (strcmp(err.msg, rows[i].want_msg) != 0) {
                fail_msg("row %zu: message \"%s\" want \"%s\"", i, err.msg, rows[i].want_msg);
            }
            bad++;
        }
    }
    assert_true(bad >= ok);
}

static void
test_fingerprint_equal(void **state)
{
    struct rw_fingerprint a, b;

    (void)state;
    assert_int_equal(rw_fingerprint_parse(canon, &a, NULL), RW_OK);
    assert_int_equal(rw_fingerprint_parse(canon + 7, &b, NULL), RW_OK);
    assert_true(rw_fingerprint_equal(&a, &b));
    b.sha256[31] ^= 1;
    assert_false(rw_fingerprint_equal(&a, &b));
}

/* Runs a shell command; the test fails when it does. */
static void
sh(const char *cmd)
{
    int rc = system(cmd);

    if (rc != 0) {
        fail_msg("command failed (%d): %s", rc, cmd);
    }
}

static char *
read_text(const char *path)
{
    static char buf[4096];
    FILE *f = fopen(path, "r");
    size_t n;

    assert_non_null(f);
    n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    (void)fclose(f);
    buf[strcspn(buf, "\n")] = '\0';
    return buf;
}

static int
make_certs(void **state)
{
    (void)state;
    sh("rm -rf " TDIR " && mkdir -p " TDIR " && cd " TDIR " && "
       "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 "
       "-subj '/CN=Test CA' -keyout ca.key -out ca.crt 2>/dev/null && "
       "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
       "-subj '/O=Rack, Inc./CN=localhost' -keyout leaf.key -out leaf.csr 2>/dev/null && "
       "printf 'subjectAltName=DNS:localhost,DNS:*.rack.example,IP:127.0.0.1,IP:::1,"
       "email:x@example.org\\n' > ext && "
       "openssl x509 -req -in leaf.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 "
       "-extfile ext -out leaf.crt 2>/dev/null && "
       "openssl x509 -in leaf.crt -noout -fingerprint -sha256 | sed 's/^.*=/sha256:/' > leaf.fp"
       " && cat leaf.crt ca.crt > chain.pem && "
       "for i in 1 2 3 4 5 6 7 8 9 10 11; do cat ca.crt; done > eleven.pem && "
       "head -c 102401 /dev/zero | tr '\\0' 'A' > big.pem && : > empty.pem && "
       "sed '3s/./%/' leaf.crt > broken.pem && "
       "(echo 'leading text'; cat leaf.key leaf.crt) > mixed.pem");
    return 0;
}

static void
test_load_leaf_facts(void **state)
{
    struct rw_cert_chain *chain = NULL;
    const struct rw_cert *leaf;
    enum rw_san_kind kind;
    struct rw_err err;

    (void)state;
    rw_err_clear(&err);
    assert_int_equal(rw_cert_chain_load_pem(TDIR "/chain.pem", &chain, &err), RW_OK);
    assert_int_equal(rw_cert_chain_count(chain), 2);
    leaf = rw_cert_chain_get(chain, 0);
    assert_string_equal(rw_cert_subject(leaf), "CN=localhost,O=Rack\\, Inc.");
    assert_string_equal(rw_cert_issuer(leaf), "CN=Test CA");
    assert_string_equal(rw_cert_subject(rw_cert_chain_get(chain, 1)), "CN=Test CA");
    assert_null(rw_cert_chain_get(chain, 2));
    assert_string_equal(rw_cert_fingerprint_text(leaf), read_text(TDIR "/leaf.fp"));
    assert_int_equal(rw_cert_not_after(leaf) - rw_cert_not_before(leaf), 30 * 86400);
    assert_true(rw_cert_days_left(leaf, rw_cert_not_before(leaf)) == 30.0);
    assert_true(rw_cert_days_left(leaf, rw_cert_not_after(leaf) + 43200) == -0.5);
    assert_int_equal(rw_cert_san_count(leaf), 4); /* the e-mail SAN is not kept */
    assert_string_equal(rw_cert_san(leaf, 0, &kind), "localhost");
    assert_int_equal(kind, RW_SAN_DNS);
    assert_string_equal(rw_cert_san(leaf, 1, NULL), "*.rack.example");
    assert_string_equal(rw_cert_san(leaf, 2, &kind), "127.0.0.1");
    assert_int_equal(kind, RW_SAN_IP);
    assert_string_equal(rw_cert_san(leaf, 3, NULL), "::1");
    assert_null(rw_cert_san(leaf, 4, NULL));
    assert_non_null(rw_cert_x509(leaf));
    rw_cert_chain_free(chain);
}

static void
test_matches_host(void **state)
{
    struct rw_cert_chain *chain = NULL;
    const struct rw_cert *leaf;

    (void)state;
    assert_int_equal(rw_cert_chain_load_pem(TDIR "/leaf.crt", &chain, NULL), RW_OK);
    leaf = rw_cert_chain_get(chain, 0);
    assert_true(rw_cert_matches_host(leaf, "localhost"));
    assert_true(rw_cert_matches_host(leaf, "LOCALHOST"));
    assert_true(rw_cert_matches_host(leaf, "pdu1.rack.example"));
    assert_false(rw_cert_matches_host(leaf, "a.b.rack.example"));
    assert_true(rw_cert_matches_host(leaf, "127.0.0.1"));
    assert_true(rw_cert_matches_host(leaf, "0:0::1"));
    assert_false(rw_cert_matches_host(leaf, "127.0.0.2"));
    assert_false(rw_cert_matches_host(leaf, "other.example"));
    assert_false(rw_cert_matches_host(leaf, ""));
    assert_false(rw_cert_matches_host(leaf, NULL));
    rw_cert_chain_free(chain);
}

struct load_row {
    const char *file;
    enum rw_rc want_rc;
    const char *want_msg; /* prefix of the message */
    size_t want_count;
};

static void
test_load_table(void **state)
{
    static const struct load_row rows[] = {
        {"leaf.crt", RW_OK, NULL, 1},
        {"mixed.pem", RW_OK, NULL, 1},
        {"ca.crt", RW_OK, NULL, 1},
        {"eleven.pem", RW_ETOOBIG, TDIR "/eleven.pem: more than 10 certificates", 0},
        {"big.pem", RW_ETOOBIG, TDIR "/big.pem: larger than 102400 bytes", 0},
        {"empty.pem", RW_EPARSE, TDIR "/empty.pem: no PEM certificate found", 0},
        {"leaf.key", RW_EPARSE, TDIR "/leaf.key: no PEM certificate found", 0},
        {"broken.pem", RW_EPARSE, TDIR "/broken.pem: certificate 1 is broken: ", 0},
        {"missing.pem", RW_EINVAL, TDIR "/missing.pem: No such file or directory", 0},
        {"", RW_EINVAL, TDIR "/: ", 0},
    };
    char path[512];

    (void)state;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct rw_cert_chain *chain = NULL;
        struct rw_err err;
        enum rw_rc rc;

        rw_err_clear(&err);
        (void)snprintf(path, sizeof(path), "%s/%s", TDIR, rows[i].file);
        rc = rw_cert_chain_load_pem(path, &chain, &err);
        if (rc != rows[i].want_rc ||
            (rc == RW_OK && rw_cert_chain_count(chain) != rows[i].want_count) ||
            (rc != RW_OK && strncmp(err.msg, rows[i].want_msg, strlen(rows[i].want_msg)))) {
            fail_msg("row %zu %s: rc %s \"%s\"", i, rows[i].file, rw_rc_name(rc), err.msg);
        }
        rw_cert_chain_free(chain);
    }
}

static void
test_chain_from_memory(void **state)
{
    static const char junk[] = "-----BEGIN CERTIFICATE-----\nnot base64\n";
    struct rw_cert_chain *chain = NULL;
    struct rw_err err;

    (void)state;
    rw_err_clear(&err);
    assert_int_equal(rw_cert_chain_from_pem("", 0, "mem", &chain, &err), RW_EPARSE);
    assert_string_equal(err.msg, "mem: no PEM certificate found");
    rw_err_clear(&err);
    assert_int_equal(rw_cert_chain_from_pem(junk, sizeof(junk) - 1, "mem", &chain, &err),
                     RW_EPARSE);
    assert_string_equal(err.msg, "mem: certificate 1 is broken: bad end line");
    rw_cert_chain_free(NULL);
    rw_cert_free(NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fingerprint_table), cmocka_unit_test(test_fingerprint_equal),
        cmocka_unit_test(test_load_leaf_facts),   cmocka_unit_test(test_matches_host),
        cmocka_unit_test(test_load_table),        cmocka_unit_test(test_chain_from_memory),
    };

    return cmocka_run_group_tests(tests, make_certs, NULL);
}

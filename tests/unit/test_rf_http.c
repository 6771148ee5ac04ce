/* Unit tests for rf_http: URLs, header lines, Retry-After, fingerprints, Redfish error
 * bodies and the classification of libcurl results and HTTP statuses. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rf_http.h"

struct url_row {
    const char *in;
    enum rw_rc rc;
    const char *want; /* the result, or the error message */
};

static const struct url_row base_rows[] = {
    {"https://10.1.0.10", RW_OK, "https://10.1.0.10:443"},
    {"https://BMC.Example.NET:8443/", RW_OK, "https://bmc.example.net:8443"},
    {"http://127.0.0.1:8000", RW_OK, "http://127.0.0.1:8000"},
    {"HTTPS://[::1]:9443", RW_OK, "https://[::1]:9443"},
    {"", RW_EINVAL, "empty URL"},
    {"ftp://host", RW_EINVAL, "URL 'ftp://host' must start with https:// or http://"},
    {"10.1.0.10", RW_EINVAL, "URL '10.1.0.10' must start with https:// or http://"},
    {"https://host/redfish/v1", RW_EINVAL,
     "URL 'https://host/redfish/v1' has a path; give scheme://host[:port]"},
    {"https://host/?a=1", RW_EINVAL, "URL 'https://host/?a=1' has a query or fragment"},
    {"https://host/#x", RW_EINVAL, "URL 'https://host/#x' has a query or fragment"},
    {"https://u:p@host", RW_EINVAL, "URL 'https://u:p@host': credentials belong in credentials:"},
    {"https://host:99999", RW_EINVAL,
     "bad URL 'https://host:99999': Port number was not a "
     "decimal number between 0 and 65535"},
    {"https://", RW_EINVAL, "bad URL 'https://': No host part in the URL"},
};

static void
test_base(void **state)
{
    struct rw_err err;
    char *out;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(base_rows) / sizeof(base_rows[0]); i++) {
        const struct url_row *r = &base_rows[i];
        enum rw_rc rc;

        rw_err_clear(&err);
        out = NULL;
        rc = rf_http_base(r->in, &out, &err);
        if (rc != r->rc) {
            fail_msg("row %zu '%s': rc %s, want %s (%s)", i, r->in, rw_rc_name(rc),
                     rw_rc_name(r->rc), err.msg);
        }
        if (strcmp(rc == RW_OK ? out : err.msg, r->want) != 0) {
            fail_msg("row %zu '%s': got '%s', want '%s'", i, r->in, rc == RW_OK ? out : err.msg,
                     r->want);
        }
        free(out);
    }
}

static const struct url_row path_rows[] = {
    {"/redfish/v1/", RW_OK, "/redfish/v1/"},
    {"/redfish/v1/Chassis?$expand=.($levels=1)", RW_OK, "/redfish/v1/Chassis?$expand=.($levels=1)"},
    {"/redfish/v1/Chassis/1/Power#/PowerControl/0", RW_OK, "/redfish/v1/Chassis/1/Power"},
    {"https://BMC:443/redfish/v1/SessionService/Sessions/7", RW_OK,
     "/redfish/v1/SessionService/Sessions/7"},
    {"https://bmc/redfish/v1/Systems?$skip=2", RW_OK, "/redfish/v1/Systems?$skip=2"},
    {"", RW_EINVAL, "empty reference"},
    {"redfish/v1", RW_EINVAL, "'redfish/v1' is not an absolute path or URL"},
    {"//evil/redfish/v1", RW_EINVAL, "'//evil/redfish/v1' is not an absolute path"},
    {"https://evil/redfish/v1", RW_EINVAL,
     "'https://evil/redfish/v1' is on another origin than https://bmc:443"},
    {"http://bmc/redfish/v1", RW_EINVAL,
     "'http://bmc/redfish/v1' is on another origin than https://bmc:443"},
    {"https://bmc:8443/x", RW_EINVAL,
     "'https://bmc:8443/x' is on another origin than https://bmc:443"},
    {"/a b", RW_EINVAL, "path '/a b' has a blank or non-ASCII byte"},
    {"/a\r\nX-Evil: 1", RW_EINVAL, "path '/a\r\nX-Evil: 1' has a blank or non-ASCII byte"},
    {"/caf\xc3\xa9", RW_EINVAL, "path '/caf\xc3\xa9' has a blank or non-ASCII byte"},
    {"ftp://bmc/x", RW_EINVAL, "'ftp://bmc/x' is not an absolute path or URL"},
};

static void
test_same_origin_path(void **state)
{
    struct rw_err err;
    char *out;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(path_rows) / sizeof(path_rows[0]); i++) {
        const struct url_row *r = &path_rows[i];
        enum rw_rc rc;

        rw_err_clear(&err);
        out = NULL;
        rc = rf_http_same_origin_path("https://bmc:443", r->in, &out, &err);
        if (rc != r->rc || strcmp(rc == RW_OK ? out : err.msg, r->want) != 0) {
            fail_msg("row %zu '%s': %s '%s', want %s '%s'", i, r->in, rw_rc_name(rc),
                     rc == RW_OK ? out : err.msg, rw_rc_name(r->rc), r->want);
        }
        free(out);
    }
}

static void
test_path_too_long(void **state)
{
    char path[RF_HTTP_PATH_MAX + 2];
    struct rw_err err;
    char *out = NULL;

    (void)state;
    memset(path, 'a', sizeof(path) - 1);
    path[0] = '/';
    path[sizeof(path) - 1] = '\0';
    rw_err_clear(&err);
    assert_int_equal(rf_http_same_origin_path("https://bmc:443", path, &out, &err), RW_EINVAL);
    assert_string_equal(err.msg, "path longer than 2048 bytes");
    assert_null(out);
}

struct hdr_row {
    const char *line;
    const char *name;
    int match;
    const char *value;
};

static const struct hdr_row hdr_rows[] = {
    {"X-Auth-Token: abc123\r\n", "X-Auth-Token", 1, "abc123"},
    {"x-auth-token:abc123", "X-Auth-Token", 1, "abc123"},
    {"Location:  /redfish/v1/SessionService/Sessions/1 \t\r\n", "Location", 1,
     "/redfish/v1/SessionService/Sessions/1"},
    {"Retry-After:\r\n", "Retry-After", 1, ""},
    {"X-Auth-Token-Extra: 1\r\n", "X-Auth-Token", 0, NULL},
    {"X-Auth-Toke: 1\r\n", "X-Auth-Token", 0, NULL},
    {"Location /x\r\n", "Location", 0, NULL},
    {"\r\n", "Location", 0, NULL},
    {"", "Location", 0, NULL},
    {"HTTP/1.1 201 Created\r\n", "Location", 0, NULL},
};

static void
test_header_is(void **state)
{
    const char *val;
    size_t vlen, i;
    int got;

    (void)state;
    for (i = 0; i < sizeof(hdr_rows) / sizeof(hdr_rows[0]); i++) {
        const struct hdr_row *r = &hdr_rows[i];

        got = rf_http_header_is(r->line, strlen(r->line), r->name, &val, &vlen);
        if (got != r->match) {
            fail_msg("row %zu '%s': match %d, want %d", i, r->line, got, r->match);
        }
        if (got && (vlen != strlen(r->value) || memcmp(val, r->value, vlen) != 0)) {
            fail_msg("row %zu '%s': value '%.*s', want '%s'", i, r->line, (int)vlen, val, r->value);
        }
    }
}

struct retry_row {
    const char *in;
    enum rw_rc rc;
    int64_t want;
};

/* now = Sun, 06 Nov 1994 08:49:37 GMT */
#define NOW 784111777

static const struct retry_row retry_rows[] = {
    {"0", RW_OK, 0},
    {"120", RW_OK, 120},
    {"3600", RW_OK, 3600},
    {"Sun, 06 Nov 1994 08:50:07 GMT", RW_OK, 30},
    {"Sunday, 06-Nov-94 08:49:47 GMT", RW_OK, 10},
    {"Sun Nov  6 08:49:42 1994", RW_OK, 5},
    {"Sun, 06 Nov 1994 08:00:00 GMT", RW_OK, 0},
    {"", RW_EPARSE, 0},
    {"soon", RW_EPARSE, 0},
    {"12abc", RW_EPARSE, 0},
    {"1.5", RW_EPARSE, 0},
    {"-1", RW_EPARSE, 0},
    {" 5", RW_EPARSE, 0},
    {"99999999999999999999", RW_EPARSE, 0},
    {"3601", RW_EINVAL, 0},
    {"Mon, 07 Nov 1994 08:49:37 GMT", RW_EINVAL, 0},
};

static void
test_retry_after(void **state)
{
    int64_t got;
    size_t i;
    enum rw_rc rc;

    (void)state;
    for (i = 0; i < sizeof(retry_rows) / sizeof(retry_rows[0]); i++) {
        const struct retry_row *r = &retry_rows[i];

        got = -7;
        rc = rf_http_retry_after(r->in, NOW, &got);
        if (rc != r->rc || (rc == RW_OK && got != r->want) || (rc != RW_OK && got != -7)) {
            fail_msg("row %zu '%s': %s %lld, want %s %lld", i, r->in, rw_rc_name(rc),
                     (long long)got, rw_rc_name(r->rc), (long long)r->want);
        }
    }
    assert_int_equal(rf_http_retry_after(NULL, NOW, &got), RW_EPARSE);
}

#define FP_HEX "0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789abcdef"
#define FP_COLONS                                                                                  \
    "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:"      \
    "AB:CD:EF"

static const struct url_row fp_rows[] = {
    {FP_HEX, RW_OK, "sha256:" FP_COLONS},
    {"sha256:" FP_COLONS, RW_OK, "sha256:" FP_COLONS},
    {"SHA256:" FP_HEX, RW_OK, "sha256:" FP_COLONS},
    {"", RW_EINVAL,
     "fingerprint '' is not a SHA-256 (64 hex digits, optionally sha256: and colons)"},
    {"sha256:", RW_EINVAL,
     "fingerprint 'sha256:' is not a SHA-256 (64 hex digits, optionally sha256: and colons)"},
    {"0123", RW_EINVAL,
     "fingerprint '0123' is not a SHA-256 (64 hex digits, optionally sha256: and colons)"},
    {FP_HEX "00", RW_EINVAL,
     "fingerprint '" FP_HEX "00' is not a SHA-256 (64 hex digits, optionally sha256: and colons)"},
    {FP_COLONS ":", RW_EINVAL,
     "fingerprint '" FP_COLONS
     ":' is not a SHA-256 (64 hex digits, optionally sha256: and colons)"},
    {"sha1:" FP_HEX, RW_EINVAL,
     "fingerprint 'sha1:" FP_HEX
     "' is not a SHA-256 (64 hex digits, optionally sha256: and colons)"},
    {"zz23456789abcdef0123456789ABCDEF0123456789abcdef0123456789abcdef", RW_EINVAL,
     "fingerprint 'zz23456789abcdef0123456789ABCDEF0123456789abcdef0123456789abcdef' is not a "
     "SHA-256 (64 hex digits, optionally sha256: and colons)"},
};

static void
test_fingerprint(void **state)
{
    unsigned char fp[RF_HTTP_FP_LEN];
    char text[RF_HTTP_FP_STR];
    struct rw_err err;
    size_t i;
    enum rw_rc rc;

    (void)state;
    for (i = 0; i < sizeof(fp_rows) / sizeof(fp_rows[0]); i++) {
        const struct url_row *r = &fp_rows[i];

        rw_err_clear(&err);
        rc = rf_http_parse_fingerprint(r->in, fp, &err);
        if (rc == RW_OK) {
            rf_http_format_fingerprint(fp, text);
        }
        if (rc != r->rc || strcmp(rc == RW_OK ? text : err.msg, r->want) != 0) {
            fail_msg("row %zu '%s': %s '%s', want '%s'", i, r->in, rw_rc_name(rc),
                     rc == RW_OK ? text : err.msg, r->want);
        }
    }
}

struct rferr_row {
    const char *body;
    const char *message;
    const char *id;
    int retry;
    int64_t retry_s;
};

static const struct rferr_row rferr_rows[] = {
    {"{\"error\":{\"code\":\"Base.1.8.GeneralError\",\"message\":\"A general error\","
     "\"@Message.ExtendedInfo\":[{\"MessageId\":\"Base.1.8.ResourceMissingAtURI\","
     "\"Message\":\"The resource at the URI /x was not found.\"}]}}",
     "The resource at the URI /x was not found.", "Base.1.8.ResourceMissingAtURI", 0, -1},
    {"{\"error\":{\"code\":\"Base.1.8.GeneralError\",\"message\":\"A general error\"}}",
     "A general error", "Base.1.8.GeneralError", 0, -1},
    {"{\"error\":{\"@Message.ExtendedInfo\":[{\"MessageId\":"
     "\"Base.1.13.ServiceTemporarilyUnavailable\",\"Message\":\"Retry in 7 seconds.\","
     "\"MessageArgs\":[\"7\"]}]}}",
     "Retry in 7 seconds.", "Base.1.13.ServiceTemporarilyUnavailable", 1, 7},
    {"{\"error\":{\"@Message.ExtendedInfo\":[{\"MessageId\":"
     "\"Base.1.13.ServiceTemporarilyUnavailable\",\"MessageArgs\":[\"soon\"]}]}}",
     "", "Base.1.13.ServiceTemporarilyUnavailable", 1, -1},
    {"{\"error\":{\"@Message.ExtendedInfo\":[\"x\"],\"message\":\"m\"}}", "m", "", 0, -1},
    {"{\"error\":\"flat\"}", "", "", 0, -1},
    {"{\"error\":{\"message\":42}}", "", "", 0, -1},
    {"[1,2]", "", "", 0, -1},
    {"not json", "", "", 0, -1},
    {"{\"error\":{\"message\":\"cut", "", "", 0, -1},
    {"", "", "", 0, -1},
    {"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", "", "", 0,
     -1},
};

static void
test_rferror(void **state)
{
    struct rf_http_rferror out;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rferr_rows) / sizeof(rferr_rows[0]); i++) {
        const struct rferr_row *r = &rferr_rows[i];

        rf_http_rferror_parse(r->body, strlen(r->body), &out);
        if (strcmp(out.message, r->message) != 0 || strcmp(out.message_id, r->id) != 0 ||
            out.retry != r->retry || out.retry_s != r->retry_s) {
            fail_msg("row %zu: '%s' '%s' %d %lld, want '%s' '%s' %d %lld", i, out.message,
                     out.message_id, out.retry, (long long)out.retry_s, r->message, r->id, r->retry,
                     (long long)r->retry_s);
        }
    }
    rf_http_rferror_parse(rferr_rows[0].body, strlen(rferr_rows[0].body), &out);
    assert_true(rf_http_rferror_is(&out, "ResourceMissingAtURI"));
    assert_false(rf_http_rferror_is(&out, "ResourceMissing"));
    rf_http_rferror_parse(rferr_rows[1].body, strlen(rferr_rows[1].body), &out);
    assert_true(rf_http_rferror_is(&out, "GeneralError"));
    /* Not NUL-terminated: only len bytes are read. */
    rf_http_rferror_parse("{\"error\":{\"message\":\"ok\"}}garbage", 26, &out);
    assert_string_equal(out.message, "ok");
}

struct curl_row {
    CURLcode code;
    enum rw_rc rc;
};

static const struct curl_row curl_rows[] = {
    {CURLE_OK, RW_OK},
    {CURLE_COULDNT_CONNECT, RW_ECONNECT},
    {CURLE_COULDNT_RESOLVE_HOST, RW_ECONNECT},
    {CURLE_GOT_NOTHING, RW_ECONNECT},
    {CURLE_RECV_ERROR, RW_ECONNECT},
    {CURLE_OPERATION_TIMEDOUT, RW_ETIMEOUT},
    {CURLE_PEER_FAILED_VERIFICATION, RW_ETLS},
    {CURLE_SSL_CONNECT_ERROR, RW_ETLS},
    {CURLE_SSL_CACERT_BADFILE, RW_ETLS},
    {CURLE_SSL_PINNEDPUBKEYNOTMATCH, RW_ETLS},
    {CURLE_FILESIZE_EXCEEDED, RW_ETOOBIG},
    {CURLE_WEIRD_SERVER_REPLY, RW_EPARSE},
    {CURLE_OUT_OF_MEMORY, RW_ENOMEM},
    {CURLE_URL_MALFORMAT, RW_EINVAL},
    {CURLE_UNSUPPORTED_PROTOCOL, RW_EINVAL},
    {CURLE_WRITE_ERROR, RW_ECONNECT},
    {(CURLcode)9999, RW_ECONNECT},
};

struct status_row {
    long status;
    enum rw_rc rc;
};

static const struct status_row status_rows[] = {
    {200, RW_OK},    {201, RW_OK},    {204, RW_OK},    {299, RW_OK},    {0, RW_EHTTP},
    {100, RW_EHTTP}, {199, RW_EHTTP}, {301, RW_EHTTP}, {307, RW_EHTTP}, {401, RW_EHTTP},
    {404, RW_EHTTP}, {503, RW_EHTTP}, {600, RW_EHTTP},
};

static void
test_classify(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(curl_rows) / sizeof(curl_rows[0]); i++) {
        if (rf_http_classify_curl(curl_rows[i].code) != curl_rows[i].rc) {
            fail_msg("row %zu: curl code %d gives %s, want %s", i, (int)curl_rows[i].code,
                     rw_rc_name(rf_http_classify_curl(curl_rows[i].code)),
                     rw_rc_name(curl_rows[i].rc));
        }
    }
    for (i = 0; i < sizeof(status_rows) / sizeof(status_rows[0]); i++) {
        if (rf_http_classify_status(status_rows[i].status) != status_rows[i].rc) {
            fail_msg("row %zu: status %ld", i, status_rows[i].status);
        }
    }
}

/* "Authorization: Basic" lines: RFC 7617's example, and the refusals. */
static void
test_basic_header(void **state)
{
    char big[1100];
    char *line = NULL;
    struct rw_err err;

    (void)state;
    rw_err_clear(&err);
    assert_int_equal(rf_http_basic_header("Aladdin", "open sesame", &line, &err), RW_OK);
    assert_string_equal(line, "Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    free(line);
    line = NULL;
    assert_int_equal(rf_http_basic_header("monitor", "", &line, &err), RW_OK);
    assert_string_equal(line, "Authorization: Basic bW9uaXRvcjo=");
    free(line);
    line = NULL;
    /* a colon in the password is fine: the first one ends the user */
    assert_int_equal(rf_http_basic_header("u", "a:b", &line, &err), RW_OK);
    assert_string_equal(line, "Authorization: Basic dTphOmI=");
    free(line);
    line = NULL;
    assert_int_equal(rf_http_basic_header("dom:ain", "pw", &line, &err), RW_EINVAL);
    assert_string_equal(err.msg, "a username for Basic authentication has no colon");
    assert_null(line);
    memset(big, 'p', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    rw_err_clear(&err);
    assert_int_equal(rf_http_basic_header("u", big, &line, &err), RW_EINVAL);
    assert_string_equal(err.msg, "username or password longer than 1024 bytes");
    assert_int_equal(rf_http_basic_header(big, "pw", &line, &err), RW_EINVAL);
    assert_null(line);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base),          cmocka_unit_test(test_same_origin_path),
        cmocka_unit_test(test_path_too_long), cmocka_unit_test(test_header_is),
        cmocka_unit_test(test_retry_after),   cmocka_unit_test(test_fingerprint),
        cmocka_unit_test(test_rferror),       cmocka_unit_test(test_classify),
        cmocka_unit_test(test_basic_header),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

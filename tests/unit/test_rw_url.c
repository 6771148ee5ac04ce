/* Unit tests for rw_url: configuration URLs and plugin -H hosts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rw_url.h"

struct url_row {
    const char *input;
    enum rw_rc want_rc;
    const char *want_text; /* formatted URL on success, the error message on failure */
};

static void
test_url_parse_table(void **state)
{
    static const struct url_row rows[] = {
        {"https://10.1.0.10", RW_OK, "https://10.1.0.10:443"},
        {"https://pdu-a1.example.net:8443", RW_OK, "https://pdu-a1.example.net:8443"},
        {"http://localhost", RW_OK, "http://localhost:80"},
        {"https://[fd00::10]", RW_OK, "https://[fd00::10]:443"},
        {"https://[::1]:8443/", RW_OK, "https://[::1]:8443"},
        {"https://hub.example.net.", RW_OK, "https://hub.example.net.:443"},
        {"https://spoke_1.lab", RW_OK, "https://spoke_1.lab:443"},
        {"", RW_EPARSE, "expected https://host[:port], got ''"},
        {"10.1.0.10", RW_EPARSE, "expected https://host[:port], got '10.1.0.10'"},
        {"ftp://host", RW_EPARSE, "unsupported scheme 'ftp' (use https or http)"},
        {"https://", RW_EPARSE, "missing host"},
        {"https://:443", RW_EPARSE, "missing host"},
        {"https://host:0", RW_EPARSE, "port 0 out of range 1-65535"},
        {"https://host:70000", RW_EPARSE, "port 70000 out of range 1-65535"},
        {"https://host:https", RW_EPARSE, "invalid port 'https'"},
        {"https://host:", RW_EPARSE, "invalid port ''"},
        {"https://fd00::10", RW_EPARSE, "IPv6 address must be in brackets: [fd00::10]"},
        {"https://[fd00::10", RW_EPARSE, "missing ']' after IPv6 address"},
        {"https://[fd00::zz]", RW_EPARSE, "invalid IPv6 address 'fd00::zz'"},
        {"https://[::1]x", RW_EPARSE, "unexpected 'x' after IPv6 address"},
        {"https://10.1.0.256", RW_EPARSE, "invalid IPv4 address '10.1.0.256'"},
        {"https://-bad.example", RW_EPARSE, "invalid host name '-bad.example'"},
        {"https://bad-.example", RW_EPARSE, "invalid host name 'bad-.example'"},
        {"https://a..b", RW_EPARSE, "invalid host name 'a..b'"},
        {"https://sp ace", RW_EPARSE, "invalid host name 'sp ace'"},
        {"https://host/redfish/v1", RW_EPARSE,
         "unexpected path '/redfish/v1': use scheme://host[:port]"},
        {"https://user:pw@host", RW_EPARSE,
         "credentials in the URL are not allowed (use credentials:)"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct rw_url url;
        struct rw_err err;
        char text[RW_URL_TEXT_MAX];
        enum rw_rc rc;
        const char *got;

        rw_err_clear(&err);
        rc = rw_url_parse(rows[i].input, &url, &err);
        got = rc == RW_OK ? rw_url_format(&url, text, sizeof(text)) : err.msg;
        if (rc != rows[i].want_rc || strcmp(got, rows[i].want_text) != 0) {
            fail_msg("row %zu \"%s\": rc %s, got \"%s\", want \"%s\"", i, rows[i].input,
                     rw_rc_name(rc), got, rows[i].want_text);
        }
    }
}

static void
test_url_long_host(void **state)
{
    char input[400];
    struct rw_url url;
    struct rw_err err;

    (void)state;
    memcpy(input, "https://", 8);
    memset(input + 8, 'a', 300);
    input[308] = '\0';
    rw_err_clear(&err);
    assert_int_equal(rw_url_parse(input, &url, &err), RW_EPARSE);
    assert_string_equal(err.msg, "host name longer than 253 characters");
}

static void
test_url_from_host(void **state)
{
    struct rw_url url;
    struct rw_err err;
    char text[RW_URL_TEXT_MAX];

    (void)state;
    rw_err_clear(&err);
    assert_int_equal(rw_url_from_host("::1", 8443, 1, &url, &err), RW_OK);
    assert_int_equal(url.host_type, RW_HOST_IPV6);
    assert_string_equal(rw_url_authority(&url, text, sizeof(text)), "[::1]:8443");
    assert_int_equal(rw_url_from_host("[fd00::1]", 443, 1, &url, &err), RW_OK);
    assert_string_equal(url.host, "fd00::1");
    assert_int_equal(rw_url_from_host("127.0.0.1", 443, 0, &url, &err), RW_OK);
    assert_int_equal(url.host_type, RW_HOST_IPV4);
    assert_string_equal(rw_url_format(&url, text, sizeof(text)), "http://127.0.0.1:443");
    assert_int_equal(rw_url_from_host("localhost", 443, 1, &url, &err), RW_OK);
    assert_int_equal(url.host_type, RW_HOST_DNS);

    assert_int_equal(rw_url_from_host("[]", 443, 1, &url, &err), RW_EPARSE);
    assert_string_equal(err.msg, "invalid IPv6 address '[]'");
    rw_err_clear(&err);
    assert_int_equal(rw_url_from_host("host", 0, 1, &url, &err), RW_EPARSE);
    assert_string_equal(err.msg, "port 0 out of range 1-65535");
    rw_err_clear(&err);
    assert_int_equal(rw_url_from_host("", 443, 1, &url, &err), RW_EPARSE);
    assert_string_equal(err.msg, "empty host name");
    rw_err_clear(&err);
    assert_int_equal(rw_url_from_host("a:b:c:g::", 443, 1, &url, &err), RW_EPARSE);
    assert_string_equal(err.msg, "invalid IPv6 address 'a:b:c:g::'");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_parse_table),
        cmocka_unit_test(test_url_long_host),
        cmocka_unit_test(test_url_from_host),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

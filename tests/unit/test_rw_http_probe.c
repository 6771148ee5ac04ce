/* Unit tests for rw_http_probe: classification of finished transfers, request set-up. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/x509_vfy.h>

#include "rw_http_probe.h"

#define N_ROWS(a) (sizeof(a) / sizeof((a)[0]))

struct classify_row {
    struct rw_http_outcome in;
    enum rw_rc want_rc;
    const char *want; /* "" for RW_OK */
};

static void
test_classify_table(void **state)
{
    static const struct classify_row rows[] = {
        {{.code = CURLE_OK, .status = 200}, RW_OK, ""},
        {{.code = CURLE_OK, .status = 404, .reason = "Not Found"}, RW_OK, ""},
        {{.code = CURLE_OK, .status = 301}, RW_OK, ""},
        {{.code = CURLE_OK, .status = 499}, RW_OK, ""},
        {{.code = CURLE_WRITE_ERROR, .status = 200, .body_capped = 1}, RW_OK, ""},
        {{.code = CURLE_OK, .status = 500}, RW_EHTTP, "HTTP 500 Internal Server Error"},
        {{.code = CURLE_OK, .status = 503, .reason = "Service Unavailable"},
         RW_EHTTP,
         "HTTP 503 Service Unavailable"},
        {{.code = CURLE_OK, .status = 503, .reason = "Busy"}, RW_EHTTP, "HTTP 503 Busy"},
        {{.code = CURLE_OK, .status = 599}, RW_EHTTP, "HTTP 599"},
        {{.code = CURLE_OK, .status = 0}, RW_ECONNECT, "no HTTP response"},
        {{.code = CURLE_WRITE_ERROR, .status = 200, .headers_capped = 1},
         RW_EHTTP,
         "response headers larger than 65536 bytes"},
        {{.code = CURLE_WRITE_ERROR, .errbuf = "Failure writing output"},
         RW_ECONNECT,
         "transfer failed: Failure writing output"},
        {{.code = CURLE_COULDNT_RESOLVE_HOST, .errbuf = "Could not resolve host: x"},
         RW_ECONNECT,
         "name not resolved"},
        {{.code = CURLE_COULDNT_CONNECT, .os_errno = ECONNREFUSED},
         RW_ECONNECT,
         "connection refused"},
        {{.code = CURLE_COULDNT_CONNECT, .os_errno = EHOSTUNREACH},
         RW_ECONNECT,
         "connection failed: No route to host"},
        {{.code = CURLE_COULDNT_CONNECT, .errbuf = "Failed to connect"},
         RW_ECONNECT,
         "connection failed: Failed to connect"},
        {{.code = CURLE_OPERATION_TIMEDOUT, .timeout_ms = 1998},
         RW_ETIMEOUT,
         "timed out after 2 s"},
        {{.code = CURLE_OPERATION_TIMEDOUT, .timeout_ms = 9999},
         RW_ETIMEOUT,
         "timed out after 10 s"},
        {{.code = CURLE_OPERATION_TIMEDOUT, .timeout_ms = 499},
         RW_ETIMEOUT,
         "timed out after 0.5 s"},
        {{.code = CURLE_PEER_FAILED_VERIFICATION, .verify_result = X509_V_ERR_CERT_HAS_EXPIRED},
         RW_ETLS,
         "TLS handshake failed: certificate has expired"},
        {{.code = CURLE_PEER_FAILED_VERIFICATION,
          .verify_result = X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY},
         RW_ETLS,
         "TLS handshake failed: unable to get local issuer certificate"},
        {{.code = CURLE_PEER_FAILED_VERIFICATION,
          .verify_result = X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT},
         RW_ETLS,
         "TLS handshake failed: self-signed certificate"},
        {{.code = CURLE_PEER_FAILED_VERIFICATION,
          .verify_result = 1,
          .host = "spoke.example",
          .errbuf = "SSL: no alternative certificate subject name matches target host name "
                    "'spoke.example'"},
         RW_ETLS,
         "TLS handshake failed: hostname mismatch (certificate not valid for 'spoke.example')"},
        {{.code = CURLE_PEER_FAILED_VERIFICATION,
          .verify_result = X509_V_ERR_HOSTNAME_MISMATCH,
          .host = "h"},
         RW_ETLS,
         "TLS handshake failed: hostname mismatch (certificate not valid for 'h')"},
        {{.code = CURLE_SSL_CONNECT_ERROR,
          .errbuf = "error:0A00010B:SSL routines::wrong version number"},
         RW_ETLS,
         "not TLS (a plain HTTP server?)"},
        {{.code = CURLE_SSL_CONNECT_ERROR, .errbuf = "tlsv1 alert internal error"},
         RW_ETLS,
         "TLS handshake failed: tlsv1 alert internal error"},
        {{.code = CURLE_SSL_CONNECT_ERROR}, RW_ETLS, "TLS handshake failed: SSL connect error"},
        {{.code = CURLE_SSL_CACERT_BADFILE, .errbuf = "error setting certificate file: x"},
         RW_EINVAL,
         "cannot use the CA file: error setting certificate file: x"},
        {{.code = CURLE_SSL_CERTPROBLEM, .errbuf = "could not load PEM client certificate"},
         RW_EINVAL,
         "cannot use the client certificate: could not load PEM client certificate"},
        {{.code = CURLE_GOT_NOTHING}, RW_ECONNECT, "connection closed without a response"},
        {{.code = CURLE_RECV_ERROR, .errbuf = "Connection reset by peer"},
         RW_ECONNECT,
         "connection lost: Connection reset by peer"},
        {{.code = CURLE_SEND_ERROR},
         RW_ECONNECT,
         "connection lost: Failed sending data to the peer"},
        {{.code = CURLE_OUT_OF_MEMORY}, RW_ENOMEM, "out of memory"},
        /* regression (hostile.*.header_line): libcurl's answer to a header line that never ends */
        {{.code = CURLE_OUT_OF_MEMORY, .status = 200},
         RW_EHTTP,
         "response header line too long (libcurl: out of memory)"},
        {{.code = CURLE_UNSUPPORTED_PROTOCOL}, RW_ECONNECT, "Unsupported protocol"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N_ROWS(rows); i++) {
        struct rw_err err;
        enum rw_rc rc;

        rw_err_clear(&err);
        rc = rw_http_classify(&rows[i].in, &err);
        if (rc != rows[i].want_rc || strcmp(err.msg, rows[i].want) != 0) {
            fail_msg("row %zu (curl %d, HTTP %ld): rc %s, got \"%s\", want \"%s\"", i,
                     (int)rows[i].in.code, rows[i].in.status, rw_rc_name(rc), err.msg,
                     rows[i].want);
        }
    }
}

struct prepare_row {
    const char *path;
    long timeout_ms;
    enum rw_rc want_rc;
    const char *want;
};

static void
test_prepare_table(void **state)
{
    static const struct prepare_row rows[] = {
        {"/redfish/v1/", 1000, RW_OK, ""},
        {"/a%20b?x=1", 1, RW_OK, ""},
        {"redfish", 1000, RW_EINVAL, "URL path must start with '/'"},
        {"", 1000, RW_EINVAL, "URL path must start with '/'"},
        {NULL, 1000, RW_EINVAL, "URL path must start with '/'"},
        {"/a b", 1000, RW_EINVAL,
         "URL path '/a b' holds a space, '#' or control character (percent-encode it)"},
        {"/a#b", 1000, RW_EINVAL,
         "URL path '/a#b' holds a space, '#' or control character (percent-encode it)"},
        {"/a\nb", 1000, RW_EINVAL,
         "URL path '/a\nb' holds a space, '#' or control character (percent-encode it)"},
        {"/", 0, RW_ETIMEOUT, "timed out before the request was sent"},
        {"/", -5, RW_ETIMEOUT, "timed out before the request was sent"},
    };
    struct rw_url url;
    size_t i;

    (void)state;
    assert_int_equal(rw_url_from_host("::1", 8443, 1, &url, NULL), RW_OK);
    for (i = 0; i < N_ROWS(rows); i++) {
        struct rw_http_probe_opts po = {
            .url = &url, .path = rows[i].path, .timeout_ms = rows[i].timeout_ms};
        struct rw_http_probe_state st;
        struct rw_err err;
        CURL *easy = curl_easy_init();
        enum rw_rc rc;

        assert_non_null(easy);
        rw_err_clear(&err);
        rc = rw_http_probe_prepare(easy, &po, &st, &err);
        if (rc != rows[i].want_rc || strcmp(err.msg, rows[i].want) != 0) {
            fail_msg("row %zu: rc %s, got \"%s\", want \"%s\"", i, rw_rc_name(rc), err.msg,
                     rows[i].want);
        }
        rw_http_probe_cleanup(&st);
        curl_easy_cleanup(easy);
    }
}

static void
test_prepare_builds_url(void **state)
{
    struct rw_url url;
    struct rw_http_probe_opts po = {.path = "/redfish/v1/", .timeout_ms = 100};
    struct rw_http_probe_state st;
    CURL *easy = curl_easy_init();

    (void)state;
    assert_non_null(easy);
    assert_int_equal(rw_url_from_host("[::1]", 8443, 1, &url, NULL), RW_OK);
    po.url = &url;
    assert_int_equal(rw_http_probe_prepare(easy, &po, &st, NULL), RW_OK);
    assert_string_equal(st.url, "https://[::1]:8443/redfish/v1/");
    assert_null(st.connect_to);
    rw_http_probe_cleanup(&st);

    po.sni = "spoke.example";
    assert_int_equal(rw_http_probe_prepare(easy, &po, &st, NULL), RW_OK);
    assert_string_equal(st.url, "https://spoke.example:8443/redfish/v1/");
    assert_non_null(st.connect_to);
    assert_string_equal(st.connect_to->data, "spoke.example:8443:[::1]:8443");
    assert_string_equal(st.host, "spoke.example");
    rw_http_probe_cleanup(&st);
    rw_http_probe_cleanup(&st); /* twice is harmless */
    curl_easy_cleanup(easy);
}

static int
setup_curl(void **state)
{
    (void)state;
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

static int
teardown_curl(void **state)
{
    (void)state;
    curl_global_cleanup();
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classify_table),
        cmocka_unit_test(test_prepare_table),
        cmocka_unit_test(test_prepare_builds_url),
    };

    return cmocka_run_group_tests(tests, setup_curl, teardown_curl);
}

/*
 * Unit tests for rw_hubspoke and rw_hubspoke_list: the five statuses and their wording,
 * stage ordering, expiry windows, HostName parsing, the identity/version reader, version
 * verdicts, the AggregationSources lister, and certificate policies on certificates made
 * here with OpenSSL.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "rw_hubspoke.h"
#include "rw_hubspoke_list.h"

/* ---- statuses ---- */

static void
test_status_names(void **state)
{
    static const char *const want[RW_SPOKE_STATUS_COUNT] = {
        "OK",
        "Not responding",
        "Hub/Spoke Versions Not Compatible",
        "Certificates Do Not Match",
        "Invalid Server or Versions Not Compatible",
    };
    enum rw_spoke_status s;
    size_t i;

    (void)state;
    for (i = 0; i < RW_SPOKE_STATUS_COUNT; i++) {
        assert_string_equal(rw_spoke_status_name((enum rw_spoke_status)i), want[i]);
        assert_int_equal(rw_spoke_status_parse(want[i], &s, NULL), RW_OK);
        assert_int_equal(s, (enum rw_spoke_status)i);
    }
    assert_string_equal(rw_spoke_status_name((enum rw_spoke_status)99), "Invalid status");
}

static void
test_status_parse_failures(void **state)
{
    static const char *const rows[] = {
        "",
        "ok",
        "Not Responding",
        "OK ",
        " OK",
        "Certificates do not match",
        "NOT RESPONDING",
        "Invalid Server",
        "Hub/Spoke Versions Not Compatible.",
    };
    enum rw_spoke_status s = RW_SPOKE_OK;
    struct rw_err err;
    size_t i;
    char want[RW_ERR_MSG_MAX];

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        rw_err_clear(&err);
        if (rw_spoke_status_parse(rows[i], &s, &err) != RW_EINVAL) {
            fail_msg("row %zu '%s': parsed", i, rows[i]);
        }
        (void)snprintf(want, sizeof(want), "'%s' is not a spoke status", rows[i]);
        assert_string_equal(err.msg, want);
    }
}

struct rule_row {
    const char *text;
    enum rw_rc want_rc;
    enum rw_cert_rule want;
};

static void
test_cert_rules(void **state)
{
    static const struct rule_row rows[] = {
        {"identical", RW_OK, RW_CERT_IDENTICAL},
        {"same-issuer", RW_OK, RW_CERT_SAME_ISSUER},
        {"pinned", RW_OK, RW_CERT_PINNED},
        {"registered", RW_OK, RW_CERT_REGISTERED},
        {"", RW_EINVAL, 0},
        {"Identical", RW_EINVAL, 0},
        {"same_issuer", RW_EINVAL, 0},
        {"pinned ", RW_EINVAL, 0},
        {"exact", RW_EINVAL, 0},
        {"registeredx", RW_EINVAL, 0},
    };
    enum rw_cert_rule rule;
    struct rw_err err;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        rw_err_clear(&err);
        if (rw_cert_rule_parse(rows[i].text, &rule, &err) != rows[i].want_rc) {
            fail_msg("row %zu '%s': %s", i, rows[i].text, err.msg);
        }
        if (rows[i].want_rc == RW_OK) {
            assert_int_equal(rule, rows[i].want);
            assert_string_equal(rw_cert_rule_name(rule), rows[i].text);
        } else {
            assert_non_null(strstr(err.msg, "unknown certificate policy"));
        }
    }
}

/* ---- stage order ---- */

struct order_row {
    enum rw_spoke_status seq[3];
    size_t n;
    enum rw_spoke_status want;
    const char *want_detail;
};

static void
test_stage_order(void **state)
{
    static const struct order_row rows[] = {
        {{RW_SPOKE_CERTS_MISMATCH, RW_SPOKE_NOT_RESPONDING}, 2, RW_SPOKE_NOT_RESPONDING, "1"},
        {{RW_SPOKE_NOT_RESPONDING, RW_SPOKE_CERTS_MISMATCH}, 2, RW_SPOKE_NOT_RESPONDING, "0"},
        {{RW_SPOKE_CERTS_MISMATCH, RW_SPOKE_VERSIONS_INCOMPATIBLE},
         2,
         RW_SPOKE_VERSIONS_INCOMPATIBLE,
         "1"},
        {{RW_SPOKE_VERSIONS_INCOMPATIBLE, RW_SPOKE_INVALID_SERVER},
         2,
         RW_SPOKE_VERSIONS_INCOMPATIBLE,
         "0"},
        {{RW_SPOKE_INVALID_SERVER, RW_SPOKE_VERSIONS_INCOMPATIBLE},
         2,
         RW_SPOKE_INVALID_SERVER,
         "0"},
        {{RW_SPOKE_CERTS_MISMATCH, RW_SPOKE_CERTS_MISMATCH}, 2, RW_SPOKE_CERTS_MISMATCH, "0"},
        {{RW_SPOKE_CERTS_MISMATCH, RW_SPOKE_INVALID_SERVER, RW_SPOKE_NOT_RESPONDING},
         3,
         RW_SPOKE_NOT_RESPONDING,
         "2"},
        {{RW_SPOKE_OK, RW_SPOKE_OK}, 2, RW_SPOKE_OK, ""},
        {{RW_SPOKE_OK, RW_SPOKE_CERTS_MISMATCH}, 2, RW_SPOKE_CERTS_MISMATCH, "1"},
    };
    struct rw_hubspoke_result res;
    size_t i, k;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        rw_hubspoke_result_init(&res);
        for (k = 0; k < rows[i].n; k++) {
            rw_hubspoke_fail(&res, rows[i].seq[k], "%zu", k);
        }
        if (res.status != rows[i].want || strcmp(res.detail, rows[i].want_detail) != 0) {
            fail_msg("row %zu: status %d detail '%s'", i, res.status, res.detail);
        }
    }
    rw_hubspoke_result_init(&res);
    assert_int_equal(res.time_s, -1);
    assert_true(isnan(res.spoke_days) && isnan(res.hub_days));
}

struct expiry_row {
    double days, warn, crit;
    enum rw_expiry want;
};

static void
test_expiry(void **state)
{
    static const struct expiry_row rows[] = {
        {300, 30, 14, RW_EXPIRY_OK},         {30, 30, 14, RW_EXPIRY_OK},
        {29.9, 30, 14, RW_EXPIRY_WARNING},   {14, 30, 14, RW_EXPIRY_WARNING},
        {13.99, 30, 14, RW_EXPIRY_CRITICAL}, {0.5, 0, 0, RW_EXPIRY_OK},
        {0, 30, 14, RW_EXPIRY_CRITICAL},     {-3, 0, 0, RW_EXPIRY_CRITICAL},
        {10, 30, 5, RW_EXPIRY_WARNING},      {NAN, 30, 14, RW_EXPIRY_OK},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        if (rw_hubspoke_expiry(rows[i].days, rows[i].warn, rows[i].crit) != rows[i].want) {
            fail_msg("row %zu: %g days (%g/%g)", i, rows[i].days, rows[i].warn, rows[i].crit);
        }
    }
}

/* ---- HostName ---- */

struct host_row {
    const char *text;
    enum rw_rc want_rc;
    const char *want_host;
    int want_port;
};

static void
test_hostname(void **state)
{
    static const struct host_row rows[] = {
        {"https://spoke1.example.net", RW_OK, "spoke1.example.net", 443},
        {"https://10.0.0.5:8443", RW_OK, "10.0.0.5", 8443},
        {"https://[fd00::10]:9443/", RW_OK, "fd00::10", 9443},
        {"10.0.0.5:8443", RW_OK, "10.0.0.5", 8443},
        {"[::1]:4443", RW_OK, "::1", 4443},
        {"spoke1", RW_OK, "spoke1", 443},
        {"fd00::10", RW_OK, "fd00::10", 443},
        {"", RW_EPARSE, NULL, 0},
        {"ftp://x", RW_EPARSE, NULL, 0},
        {"https://", RW_EPARSE, NULL, 0},
        {"host:99999", RW_EPARSE, NULL, 0},
        {"bad host", RW_EPARSE, NULL, 0},
        {"https://h:1/path/more", RW_EPARSE, NULL, 0},
        {"[::1", RW_EPARSE, NULL, 0},
    };
    struct rw_url url;
    struct rw_err err;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        rw_err_clear(&err);
        if (rw_hubspoke_hostname_parse(rows[i].text, &url, &err) != rows[i].want_rc) {
            fail_msg("row %zu '%s': %s", i, rows[i].text, err.msg);
        }
        if (rows[i].want_rc == RW_OK &&
            (strcmp(url.host, rows[i].want_host) != 0 || url.port != rows[i].want_port)) {
            fail_msg("row %zu '%s': host %s port %d", i, rows[i].text, url.host, url.port);
        }
    }
}

/* ---- the reader ---- */

#define ROOT_OK "{\"@odata.id\": \"/redfish/v1/\", \"Product\": \"Rack Power Manager\"}\n"
#define COLL_OK "{\"Members\": [{\"@odata.id\": \"/redfish/v1/Managers/1\"}]}"
#define MGR_OK  "{\"FirmwareVersion\": \"3.2.0\"}"
#define NOREPLY NULL

/* One GET's canned outcome. */
struct step {
    enum rw_rc rc;
    long status;
    const char *body;
};

struct reader_row {
    const char *product;     /* regex or NULL */
    const char *version_url; /* NULL default */
    const char *pointer;
    struct step steps[3];
    size_t n;
    enum rw_spoke_status want;
    const char *want_text; /* version on success, a piece of the detail on failure */
};

static const struct reader_row reader_rows[] = {
    {NULL,
     NULL,
     NULL,
     {{RW_OK, 200, ROOT_OK}, {RW_OK, 200, COLL_OK}, {RW_OK, 200, MGR_OK}},
     3,
     RW_SPOKE_OK,
     "3.2.0"},
    {"^Rack Power",
     NULL,
     NULL,
     {{RW_OK, 200, ROOT_OK}, {RW_OK, 200, COLL_OK}, {RW_OK, 200, MGR_OK}},
     3,
     RW_SPOKE_OK,
     "3.2.0"},
    {"Rackwatch",
     NULL,
     NULL,
     {{RW_OK, 200, "{\"RedfishVersion\": \"1.17.0\", \"Vendor\": \"Rackwatch\"}"},
      {RW_OK, 200, COLL_OK},
      {RW_OK, 200, MGR_OK}},
     3,
     RW_SPOKE_OK,
     "3.2.0"},
    {NULL,
     "/redfish/v1/UpdateService",
     "/Version",
     {{RW_OK, 200, ROOT_OK}, {RW_OK, 200, "{\"Version\": 4}"}},
     2,
     RW_SPOKE_OK,
     "4"},
    {NULL,
     NULL,
     "/Oem/Fw/1",
     {{RW_OK, 200, ROOT_OK},
      {RW_OK, 200, COLL_OK},
      {RW_OK, 200, "{\"Oem\":{\"Fw\":[\"a\",\"3.1\"]}}"}},
     3,
     RW_SPOKE_OK,
     "3.1"},
    {NULL, "", NULL, {{RW_OK, 200, ROOT_OK}}, 1, RW_SPOKE_OK, ""},
    /* failures */
    {NULL,
     NULL,
     NULL,
     {{RW_ECONNECT, 0, "connection refused"}},
     1,
     RW_SPOKE_NOT_RESPONDING,
     "spoke h:1: GET /redfish/v1/: connection refused"},
    {NULL,
     NULL,
     NULL,
     {{RW_ETIMEOUT, 0, "timed out after 2 s"}},
     1,
     RW_SPOKE_NOT_RESPONDING,
     "timed out"},
    {NULL,
     NULL,
     NULL,
     {{RW_EHTTP, 503, "HTTP 503 Service Unavailable"}},
     1,
     RW_SPOKE_NOT_RESPONDING,
     "HTTP 503"},
    {NULL,
     NULL,
     NULL,
     {{RW_EHTTP, 401, "HTTP 401 Unauthorized"}},
     1,
     RW_SPOKE_NOT_RESPONDING,
     "HTTP 401"},
    {NULL,
     NULL,
     NULL,
     {{RW_EHTTP, 404, "HTTP 404 Not Found"}},
     1,
     RW_SPOKE_INVALID_SERVER,
     "GET /redfish/v1/: HTTP 404"},
    {NULL,
     NULL,
     NULL,
     {{RW_OK, 200, "<html>hello</html>"}},
     1,
     RW_SPOKE_INVALID_SERVER,
     "/redfish/v1/ is not a JSON object"},
    {NULL,
     NULL,
     NULL,
     {{RW_OK, 200, "{\"@odata.id\": \"/redfish/v1/\""}},
     1,
     RW_SPOKE_INVALID_SERVER,
     "is not a JSON object"},
    {NULL,
     NULL,
     NULL,
     {{RW_OK, 200, "[1, 2]"}},
     1,
     RW_SPOKE_INVALID_SERVER,
     "is not a JSON object"},
    {NULL, NULL, NULL, {{RW_OK, 200, ""}}, 1, RW_SPOKE_INVALID_SERVER, "is not a JSON object"},
    {NULL, NULL, NULL, {{RW_OK, 200, "{} {}"}}, 1, RW_SPOKE_INVALID_SERVER, "is not a JSON object"},
    {NULL,
     NULL,
     NULL,
     {{RW_OK, 200, "{\"Name\": \"x\"}"}},
     1,
     RW_SPOKE_INVALID_SERVER,
     "is not a Redfish service root"},
    {"^Rack Power Manager$",
     NULL,
     NULL,
     {{RW_OK, 200, "{\"@odata.id\": \"/redfish/v1/\", \"Product\": \"Other\", \"Vendor\": \"V\"}"}},
     1,
     RW_SPOKE_INVALID_SERVER,
     "product 'Other' (vendor 'V') does not match /^Rack Power Manager$/"},
    {"x",
     NULL,
     NULL,
     {{RW_OK, 200, "{\"@odata.id\": \"/redfish/v1/\"}"}},
     1,
     RW_SPOKE_INVALID_SERVER,
     "product 'none' (vendor 'none')"},
    {NULL,
     NULL,
     NULL,
     {{RW_OK, 200, ROOT_OK}, {RW_OK, 200, "{\"Members\": []}"}},
     2,
     RW_SPOKE_INVALID_SERVER,
     "/redfish/v1/Managers has no members"},
    {NULL,
     NULL,
     NULL,
     {{RW_OK, 200, ROOT_OK}, {RW_OK, 200, "{\"Members\": [{\"@odata.id\": 5}]}"}},
     2,
     RW_SPOKE_INVALID_SERVER,
     "no usable @odata.id"},
    {NULL,
     NULL,
     NULL,
     {{RW_OK, 200, ROOT_OK}, {RW_OK, 200, "{\"Members\": [{\"@odata.id\": \"x y\"}]}"}},
     2,
     RW_SPOKE_INVALID_SERVER,
     "no usable @odata.id"},
    {NULL,
     NULL,
     NULL,
     {{RW_OK, 200, ROOT_OK}, {RW_OK, 200, COLL_OK}, {RW_OK, 200, "{}"}},
     3,
     RW_SPOKE_INVALID_SERVER,
     "/redfish/v1/Managers/1 has no version at /FirmwareVersion"},
    {NULL,
     NULL,
     NULL,
     {{RW_OK, 200, ROOT_OK}, {RW_OK, 200, COLL_OK}, {RW_OK, 200, "{\"FirmwareVersion\": {}}"}},
     3,
     RW_SPOKE_INVALID_SERVER,
     "is not a version string"},
    {NULL,
     NULL,
     NULL,
     {{RW_OK, 200, ROOT_OK}, {RW_OK, 200, COLL_OK}, {RW_OK, 200, "{\"FirmwareVersion\": \"\"}"}},
     3,
     RW_SPOKE_INVALID_SERVER,
     "is empty or too long"},
    {NULL,
     NULL,
     NULL,
     {{RW_OK, 200, ROOT_OK}, {RW_OK, 200, COLL_OK}, {RW_EHTTP, 404, "HTTP 404 Not Found"}},
     3,
     RW_SPOKE_INVALID_SERVER,
     "GET /redfish/v1/Managers/1: HTTP 404"},
    {NULL,
     NULL,
     NULL,
     {{RW_OK, 200, ROOT_OK}, {RW_ECONNECT, 0, "connection reset"}},
     2,
     RW_SPOKE_NOT_RESPONDING,
     "GET /redfish/v1/Managers: connection reset"},
    {NULL,
     NULL,
     NULL,
     {{RW_OK, 200, ROOT_OK}},
     1,
     RW_SPOKE_NOT_RESPONDING,
     "no answer to GET /redfish/v1/Managers in time"},
};

static void
run_reader_row(size_t i, const struct reader_row *row)
{
    regex_t re;
    struct rw_hubspoke_read_opts opts = {.product_text = row->product,
                                         .version_url = row->version_url,
                                         .version_pointer = row->pointer};
    struct rw_hubspoke_reader *reader = NULL;
    struct rw_hubspoke_result res;
    struct rw_hubspoke_reply reply;
    size_t k;

    if (row->product != NULL) {
        assert_int_equal(regcomp(&re, row->product, REG_EXTENDED | REG_NOSUB), 0);
        opts.product = &re;
    }
    assert_int_equal(rw_hubspoke_reader_new(&opts, &reader, NULL), RW_OK);
    for (k = 0; k < row->n; k++) {
        assert_non_null(rw_hubspoke_reader_next(reader));
        memset(&reply, 0, sizeof(reply));
        reply.rc = row->steps[k].rc;
        reply.status = row->steps[k].status;
        reply.msg = row->steps[k].rc != RW_OK ? row->steps[k].body : "";
        reply.body = row->steps[k].rc == RW_OK ? row->steps[k].body : "";
        reply.len = strlen(reply.body);
        rw_hubspoke_reader_feed(reader, &reply);
    }
    rw_hubspoke_result_init(&res);
    rw_hubspoke_reader_report(reader, "spoke", "h:1", &res);
    if (res.status != row->want) {
        fail_msg("row %zu: status %s, detail '%s'", i, rw_spoke_status_name(res.status),
                 res.detail);
    }
    if (row->want == RW_SPOKE_OK &&
        strcmp(rw_hubspoke_reader_version(reader), row->want_text) != 0) {
        fail_msg("row %zu: version '%s'", i, rw_hubspoke_reader_version(reader));
    }
    if (row->want != RW_SPOKE_OK && strstr(res.detail, row->want_text) == NULL) {
        fail_msg("row %zu: detail '%s' lacks '%s'", i, res.detail, row->want_text);
    }
    rw_hubspoke_reader_free(reader);
    if (row->product != NULL) {
        regfree(&re);
    }
}

static void
test_reader_table(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(reader_rows) / sizeof(reader_rows[0]); i++) {
        run_reader_row(i, &reader_rows[i]);
    }
}

static void
test_reader_bad_opts(void **state)
{
    struct rw_hubspoke_read_opts a = {.version_url = "redfish/v1"};
    struct rw_hubspoke_read_opts b = {.version_pointer = "FirmwareVersion"};
    struct rw_hubspoke_read_opts c = {.version_url = "/a b"};
    struct rw_hubspoke_reader *r = NULL;
    struct rw_err err;

    (void)state;
    rw_err_clear(&err);
    assert_int_equal(rw_hubspoke_reader_new(&a, &r, &err), RW_EINVAL);
    assert_string_equal(err.msg, "version URL 'redfish/v1' is not an absolute path");
    rw_err_clear(&err);
    assert_int_equal(rw_hubspoke_reader_new(&b, &r, &err), RW_EINVAL);
    assert_string_equal(err.msg, "version pointer 'FirmwareVersion' does not start with '/'");
    rw_err_clear(&err);
    assert_int_equal(rw_hubspoke_reader_new(&c, &r, &err), RW_EINVAL);
    assert_null(r);
    rw_hubspoke_reader_free(NULL);
}

/* ---- versions ---- */

struct version_row {
    const char *rule;
    const char *hub, *spoke;
    enum rw_spoke_status want;
    const char *want_text;
};

static void
test_versions(void **state)
{
    static const struct version_row rows[] = {
        {"exact", "3.2.0", "3.2", RW_SPOKE_OK, ""},
        {"same-major", "3.2.0", "3.1.4", RW_SPOKE_OK, ""},
        {"same-minor", "3.2.0", "3.2.9", RW_SPOKE_OK, ""},
        {"minimum 3.1", "3.2.0", "3.1.0", RW_SPOKE_OK, ""},
        {"exact", "3.2.0", "3.1.4", RW_SPOKE_VERSIONS_INCOMPATIBLE,
         "spoke s:1 runs 3.1.4, hub h:1 runs 3.2.0: policy exact"},
        {"same-major", "3.2.0", "4.0", RW_SPOKE_VERSIONS_INCOMPATIBLE, "runs 4.0"},
        {"same-minor", "3.2.0", "3.1.9", RW_SPOKE_VERSIONS_INCOMPATIBLE, "runs 3.1.9"},
        {"minimum 3.1", "3.2.0", "3.0.9", RW_SPOKE_VERSIONS_INCOMPATIBLE, "runs 3.0.9"},
        {"exact", "3.2.0", "banana", RW_SPOKE_INVALID_SERVER, "spoke s:1 reports version 'banana'"},
        {"exact", "3.2.0", "", RW_SPOKE_INVALID_SERVER, "spoke s:1 reports version ''"},
        {"exact", "x3", "3.2.0", RW_SPOKE_INVALID_SERVER, "hub h:1 reports version 'x3'"},
        {"exact", "3.2.0", "3.2.0.1.5", RW_SPOKE_INVALID_SERVER, "spoke s:1 reports"},
    };
    struct rw_version_policy *policy = NULL;
    struct rw_hubspoke_result res;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        assert_int_equal(rw_version_policy_parse(rows[i].rule, &policy, NULL), RW_OK);
        rw_hubspoke_result_init(&res);
        rw_hubspoke_check_versions(policy, "h:1", rows[i].hub, "s:1", rows[i].spoke, &res);
        if (res.status != rows[i].want || strstr(res.detail, rows[i].want_text) == NULL) {
            fail_msg("row %zu: %s '%s'", i, rw_spoke_status_name(res.status), res.detail);
        }
        assert_string_equal(res.version, rows[i].spoke);
        rw_version_policy_free(policy);
        policy = NULL;
    }
}

/* ---- the lister ---- */

#define SRC "/redfish/v1/AggregationService/AggregationSources"

struct list_row {
    struct step steps[5];
    size_t n;
    enum rw_rc want_rc;
    size_t want_count;
    const char *want; /* hostnames joined by ',' on success; a piece of the message else */
};

static const struct list_row list_rows[] = {
    {{{RW_OK, 200, "{\"Members\": []}"}}, 1, RW_OK, 0, ""},
    {{{RW_OK, 200,
       "{\"Members\": [{\"@odata.id\": \"" SRC "/1\", \"HostName\": \"https://a:1\"}, "
       "{\"@odata.id\": \"" SRC "/2\", \"HostName\": \"b\", \"Status\": {\"Health\": \"OK\"}}]}"}},
     1,
     RW_OK,
     2,
     "https://a:1,b"},
    {{{RW_OK, 200,
       "{\"Members\": [{\"@odata.id\": \"" SRC "/1\"}], \"Members@odata.nextLink\": \"" SRC
       "?skip=1\"}"},
      {RW_OK, 200, "{\"Members\": [{\"@odata.id\": \"" SRC "/2\"}]}"},
      {RW_OK, 200, "{\"HostName\": \"https://a:1\", \"Name\": \"east\"}"},
      {RW_OK, 200, "{\"HostName\": \"https://b:2\", \"Id\": \"2\"}"}},
     4,
     RW_OK,
     2,
     "https://a:1,https://b:2"},
    {{{RW_OK, 200, "{\"Members\": [{\"@odata.id\": \"" SRC "/1\"}]}"},
      {RW_OK, 200, "{\"Id\": \"1\"}"}},
     2,
     RW_OK,
     1,
     ""},
    /* failures */
    {{{RW_EHTTP, 404, "HTTP 404 Not Found"}}, 1, RW_EPARSE, 0, "GET " SRC ": HTTP 404 Not Found"},
    {{{RW_ECONNECT, 0, "connection refused"}}, 1, RW_ECONNECT, 0, "connection refused"},
    {{{RW_EHTTP, 503, "HTTP 503"}}, 1, RW_EHTTP, 0, "HTTP 503"},
    {{{RW_OK, 200, "{\"Name\": \"x\"}"}}, 1, RW_EPARSE, 0, "is not a collection"},
    {{{RW_OK, 200, "{\"Members\": [{}]}"}}, 1, RW_EPARSE, 0, "no usable @odata.id"},
    {{{RW_OK, 200, "not json"}}, 1, RW_EPARSE, 0, SRC " is not a JSON object"},
    {{{RW_OK, 200, "{\"Members\": [], \"Members@odata.nextLink\": \"http://evil/x\"}"}},
     1,
     RW_ETOOBIG,
     0,
     "unusable"},
    {{{RW_OK, 200, "{\"Members\": [{\"@odata.id\": \"" SRC "/1\"}]}"}, {RW_OK, 200, "[]"}},
     2,
     RW_EPARSE,
     1,
     SRC "/1 is not a JSON object"},
    {{{RW_OK, 200, "{\"Members\": [{\"@odata.id\": \"" SRC "/1\"}]}"}},
     1,
     RW_ETIMEOUT,
     1,
     "did not list"},
};

static void
run_list_row(size_t i, const struct list_row *row)
{
    struct rw_hubspoke_lister *l = NULL;
    struct rw_hubspoke_reply reply;
    char joined[1024] = "";
    const char *msg = NULL;
    enum rw_rc rc;
    size_t k;

    assert_int_equal(rw_hubspoke_lister_new(NULL, &l, NULL), RW_OK);
    for (k = 0; k < row->n; k++) {
        memset(&reply, 0, sizeof(reply));
        reply.rc = row->steps[k].rc;
        reply.status = row->steps[k].status;
        reply.msg = row->steps[k].rc != RW_OK ? row->steps[k].body : "";
        reply.body = row->steps[k].rc == RW_OK ? row->steps[k].body : "";
        reply.len = strlen(reply.body);
        rw_hubspoke_lister_feed(l, &reply);
    }
    rc = rw_hubspoke_lister_status(l, &msg);
    if (rc != row->want_rc || rw_hubspoke_lister_count(l) != row->want_count) {
        fail_msg("row %zu: %s count %zu '%s'", i, rw_rc_name(rc), rw_hubspoke_lister_count(l), msg);
    }
    for (k = 0; rc == RW_OK && k < rw_hubspoke_lister_count(l); k++) {
        (void)snprintf(joined + strlen(joined), sizeof(joined) - strlen(joined), "%s%.200s",
                       k > 0 ? "," : "", rw_hubspoke_lister_get(l, k)->hostname);
    }
    if ((rc == RW_OK && strcmp(joined, row->want) != 0) ||
        (rc != RW_OK && strstr(msg, row->want) == NULL)) {
        fail_msg("row %zu: '%s' / '%s'", i, joined, msg);
    }
    rw_hubspoke_lister_free(l);
}

static void
test_lister_table(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(list_rows) / sizeof(list_rows[0]); i++) {
        run_list_row(i, &list_rows[i]);
    }
}

static void
test_lister_view(void **state)
{
    struct rw_hubspoke_lister *l = NULL;
    struct rw_hubspoke_reply reply = {.rc = RW_OK, .status = 200};
    const struct rw_hubspoke_source *src;
    struct rw_err err;

    (void)state;
    rw_err_clear(&err);
    assert_int_equal(rw_hubspoke_lister_new("relative", &l, &err), RW_EINVAL);
    assert_string_equal(err.msg, "'relative' is not an absolute path");
    assert_int_equal(rw_hubspoke_lister_new(NULL, &l, NULL), RW_OK);
    assert_string_equal(rw_hubspoke_lister_next(l), SRC);
    reply.body = "{\"Members\": [{\"@odata.id\": \"" SRC "/7\", \"HostName\": \"h\", "
                 "\"Name\": \"spoke-east\", \"Status\": {\"Health\": \"Critical\", "
                 "\"State\": \"Enabled\"}}]}";
    reply.len = strlen(reply.body);
    rw_hubspoke_lister_feed(l, &reply);
    assert_null(rw_hubspoke_lister_next(l));
    src = rw_hubspoke_lister_get(l, 0);
    assert_non_null(src);
    assert_string_equal(src->name, "spoke-east");
    assert_string_equal(src->health, "Critical");
    assert_string_equal(src->state, "Enabled");
    assert_string_equal(src->path, SRC "/7");
    assert_null(rw_hubspoke_lister_get(l, 1));
    rw_hubspoke_lister_free(l);
    rw_hubspoke_lister_free(NULL);
}

static void
test_lister_page_cap(void **state)
{
    struct rw_hubspoke_lister *l = NULL;
    struct rw_hubspoke_reply reply = {.rc = RW_OK, .status = 200};
    const char *msg = NULL;
    int i;

    (void)state;
    reply.body = "{\"Members\": [], \"Members@odata.nextLink\": \"" SRC "?p\"}";
    reply.len = strlen(reply.body);
    assert_int_equal(rw_hubspoke_lister_new(NULL, &l, NULL), RW_OK);
    for (i = 0; i < RW_HUBSPOKE_PAGES_MAX + 5 && rw_hubspoke_lister_next(l) != NULL; i++) {
        rw_hubspoke_lister_feed(l, &reply);
    }
    assert_int_equal(i, RW_HUBSPOKE_PAGES_MAX);
    assert_int_equal(rw_hubspoke_lister_status(l, &msg), RW_ETOOBIG);
    assert_non_null(strstr(msg, "more than 64 pages"));
    rw_hubspoke_lister_free(l);
}

/* ---- certificates, made here ---- */

/* A self-signed EC certificate for cn, valid from now + from_days to now + to_days. */
static X509 *
make_cert(const char *cn, long from_days, long to_days)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();

    assert_non_null(key);
    assert_non_null(x);
    assert_non_null(name);
    assert_int_equal(
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0),
        1);
    assert_int_equal(X509_set_version(x, 2), 1);
    assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), 1), 1);
    assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), from_days * 86400L));
    assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), to_days * 86400L));
    assert_int_equal(X509_set_subject_name(x, name), 1);
    assert_int_equal(X509_set_issuer_name(x, name), 1);
    assert_int_equal(X509_set_pubkey(x, key), 1);
    assert_true(X509_sign(x, key, EVP_sha256()) > 0);
    X509_NAME_free(name);
    EVP_PKEY_free(key);
    return x;
}

/* A probe result that presented x (its own reference), verified ok, host matched. */
static void
result_with(struct rw_tls_result *res, X509 *x)
{
    struct rw_cert *cert = NULL;

    rw_tls_result_init(res);
    res->rc = RW_OK;
    res->host_match = 1;
    res->verify_code = 0;
    (void)snprintf(res->verify_text, sizeof(res->verify_text), "ok");
    assert_int_equal(rw_cert_chain_new(&res->chain, NULL), RW_OK);
    assert_int_equal(rw_cert_from_x509(x, &cert, NULL), RW_OK);
    assert_int_equal(rw_cert_chain_take(res->chain, cert, NULL), RW_OK);
}

struct cert_fixture {
    X509 *a, *b, *soon, *gone;
};

static int
cert_setup(void **state)
{
    struct cert_fixture *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    f->a = make_cert("hub.example", -1, 300);
    f->b = make_cert("spoke.example", -1, 300);
    f->soon = make_cert("soon.example", -1, 10);
    f->gone = make_cert("gone.example", -10, -1);
    *state = f;
    return 0;
}

static int
cert_teardown(void **state)
{
    struct cert_fixture *f = *state;

    X509_free(f->a);
    X509_free(f->b);
    X509_free(f->soon);
    X509_free(f->gone);
    free(f);
    return 0;
}

/* Judges hub x spoke under policy; returns the result in *res. */
static void
judge(const struct rw_cert_policy *policy, X509 *hub, X509 *spoke, struct rw_hubspoke_result *res)
{
    struct rw_tls_result h, s;

    result_with(&h, hub);
    result_with(&s, spoke);
    rw_hubspoke_result_init(res);
    rw_hubspoke_check_certs(policy, "h:1", &h, "s:2", "s", 2, &s, res);
    rw_tls_result_cleanup(&h);
    rw_tls_result_cleanup(&s);
}

static void
test_certs_identical(void **state)
{
    struct cert_fixture *f = *state;
    struct rw_cert_policy p = {.rule = RW_CERT_IDENTICAL, .warn_days = 30, .crit_days = 14};
    struct rw_hubspoke_result res;

    judge(&p, f->a, f->a, &res);
    assert_int_equal(res.status, RW_SPOKE_OK);
    assert_string_equal(res.spoke_fp, res.hub_fp);
    assert_int_equal(res.expiry, RW_EXPIRY_OK);
    assert_true(res.spoke_days > 299.0 && res.spoke_days <= 300.0);
    judge(&p, f->a, f->b, &res);
    assert_int_equal(res.status, RW_SPOKE_CERTS_MISMATCH);
    assert_non_null(strstr(res.detail, "spoke s:2 presents sha256:"));
    assert_non_null(strstr(res.detail, "(subject CN=spoke.example, issuer CN=spoke.example)"));
    assert_non_null(strstr(res.detail, "expected the hub's certificate: hub h:1 presents sha256:"));
    assert_non_null(strstr(res.detail, res.hub_fp));
    assert_non_null(strstr(res.detail, res.spoke_fp));
}

static void
test_certs_pinned_registered(void **state)
{
    struct cert_fixture *f = *state;
    struct rw_fingerprint pins[1];
    struct rw_known_spokes *ks = NULL;
    struct rw_cert_policy p = {
        .rule = RW_CERT_PINNED, .pins = pins, .n_pins = 1, .warn_days = 30, .crit_days = 14};
    struct rw_hubspoke_result res;

    judge(&p, f->a, f->a, &res); /* learn a's fingerprint from the result */
    assert_int_equal(rw_fingerprint_parse(res.spoke_fp, &pins[0], NULL), RW_OK);
    judge(&p, f->a, f->a, &res);
    assert_int_equal(res.status, RW_SPOKE_OK);
    judge(&p, f->a, f->b, &res);
    assert_int_equal(res.status, RW_SPOKE_CERTS_MISMATCH);
    assert_non_null(strstr(res.detail, "spoke s:2 presents"));
    assert_non_null(strstr(res.detail, "expected a pinned certificate"));
    judge(&p, f->b, f->a, &res);
    assert_non_null(strstr(res.detail, "hub h:1 presents"));

    p = (struct rw_cert_policy){
        .rule = RW_CERT_REGISTERED, .known_path = "ks", .warn_days = 30, .crit_days = 14};
    assert_int_equal(rw_known_spokes_new(&ks, NULL), RW_OK);
    p.known = ks;
    judge(&p, f->b, f->a, &res);
    assert_int_equal(res.status, RW_SPOKE_CERTS_MISMATCH);
    assert_non_null(strstr(res.detail, "spoke s:2 is not registered in ks"));
    assert_int_equal(rw_known_spokes_set(ks, "s", 2, &pins[0], NULL, NULL), RW_OK);
    judge(&p, f->b, f->a, &res);
    assert_int_equal(res.status, RW_SPOKE_OK);
    judge(&p, f->a, f->b, &res);
    assert_int_equal(res.status, RW_SPOKE_CERTS_MISMATCH);
    assert_non_null(strstr(res.detail, "as registered in ks"));
    rw_known_spokes_free(ks);
}

static void
test_certs_trust_and_expiry(void **state)
{
    struct cert_fixture *f = *state;
    struct rw_cert_policy p = {.rule = RW_CERT_SAME_ISSUER,
                               .ca_file = "ca.pem",
                               .check_host = 1,
                               .warn_days = 30,
                               .crit_days = 14};
    struct rw_tls_result h, s;
    struct rw_hubspoke_result res;

    result_with(&h, f->a);
    result_with(&s, f->soon);
    s.verify_code = 20;
    (void)snprintf(s.verify_text, sizeof(s.verify_text), "unable to get local issuer certificate");
    rw_hubspoke_result_init(&res);
    rw_hubspoke_check_certs(&p, "h:1", &h, "s:2", "s", 2, &s, &res);
    assert_int_equal(res.status, RW_SPOKE_CERTS_MISMATCH);
    assert_non_null(strstr(res.detail, "does not verify against ca.pem: unable to get local"));
    assert_int_equal(res.expiry, RW_EXPIRY_CRITICAL);
    assert_non_null(strstr(res.expiry_text, "spoke s:2 certificate expires in"));
    s.verify_code = 0;
    s.host_match = 0;
    rw_hubspoke_result_init(&res);
    rw_hubspoke_check_certs(&p, "h:1", &h, "s:2", "s", 2, &s, &res);
    assert_non_null(strstr(res.detail, "does not match the host name"));
    p.crit_days = 5;
    s.host_match = 1;
    rw_hubspoke_result_init(&res);
    rw_hubspoke_check_certs(&p, "h:1", &h, "s:2", "s", 2, &s, &res);
    assert_int_equal(res.status, RW_SPOKE_OK);
    assert_int_equal(res.expiry, RW_EXPIRY_WARNING);
    rw_tls_result_cleanup(&s);
    result_with(&s, f->gone);
    rw_hubspoke_result_init(&res);
    rw_hubspoke_check_certs(&p, "h:1", &h, "s:2", "s", 2, &s, &res);
    assert_int_equal(res.expiry, RW_EXPIRY_CRITICAL);
    assert_non_null(strstr(res.expiry_text, "spoke s:2 certificate expired"));
    assert_true(res.spoke_days < 0);
    p.ca_file = NULL;
    rw_hubspoke_result_init(&res);
    rw_hubspoke_check_certs(&p, "h:1", &h, "s:2", "s", 2, &s, &res);
    assert_string_equal(res.detail, "policy same-issuer needs a CA file to verify against");
    rw_tls_result_cleanup(&h);
    rw_tls_result_cleanup(&s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_names),
        cmocka_unit_test(test_status_parse_failures),
        cmocka_unit_test(test_cert_rules),
        cmocka_unit_test(test_stage_order),
        cmocka_unit_test(test_expiry),
        cmocka_unit_test(test_hostname),
        cmocka_unit_test(test_reader_table),
        cmocka_unit_test(test_reader_bad_opts),
        cmocka_unit_test(test_versions),
        cmocka_unit_test(test_lister_table),
        cmocka_unit_test(test_lister_view),
        cmocka_unit_test(test_lister_page_cap),
        cmocka_unit_test_setup_teardown(test_certs_identical, cert_setup, cert_teardown),
        cmocka_unit_test_setup_teardown(test_certs_pinned_registered, cert_setup, cert_teardown),
        cmocka_unit_test_setup_teardown(test_certs_trust_and_expiry, cert_setup, cert_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for rf_session: the login document and the reading of login replies; and the
 * argument checks of rf_client that need no server. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <curl/curl.h>

#include "rf_client.h"
#include "rf_session.h"

struct body_row {
    const char *user;
    const char *pass;
    enum rw_rc rc;
    const char *want;
};

static const struct body_row body_rows[] = {
    {"monitor", "s3cret", RW_OK, "{\"UserName\":\"monitor\",\"Password\":\"s3cret\"}"},
    {"a\"b", "c\\d/e\n", RW_OK, "{\"UserName\":\"a\\\"b\",\"Password\":\"c\\\\d/e\\n\"}"},
    {"u", "", RW_OK, "{\"UserName\":\"u\",\"Password\":\"\"}"},
    {NULL, "p", RW_EINVAL, "login needs a username and a password"},
    {"", "p", RW_EINVAL, "login needs a username and a password"},
    {"u", NULL, RW_EINVAL, "login needs a username and a password"},
};

static void
test_login_body(void **state)
{
    struct rw_err err;
    char *out;
    size_t i;
    enum rw_rc rc;

    (void)state;
    for (i = 0; i < sizeof(body_rows) / sizeof(body_rows[0]); i++) {
        const struct body_row *r = &body_rows[i];

        out = NULL;
        rw_err_clear(&err);
        rc = rf_session_login_body(r->user, r->pass, &out, &err);
        if (rc != r->rc || strcmp(rc == RW_OK ? out : err.msg, r->want) != 0) {
            fail_msg("row %zu: %s '%s', want '%s'", i, rw_rc_name(rc), rc == RW_OK ? out : err.msg,
                     r->want);
        }
        free(out);
    }
}

static void
test_login_body_too_long(void **state)
{
    char big[1100];
    struct rw_err err;
    char *out = NULL;

    (void)state;
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    rw_err_clear(&err);
    assert_int_equal(rf_session_login_body("u", big, &out, &err), RW_EINVAL);
    assert_string_equal(err.msg, "username or password longer than 1024 bytes");
    assert_null(out);
}

struct reply_row {
    long status;
    const char *token;
    const char *location;
    const char *body;
    enum rw_rc rc;
    const char *want_token; /* or the error message */
    const char *want_path;  /* NULL: none */
};

static const struct reply_row reply_rows[] = {
    {201, "tok1", "/redfish/v1/SessionService/Sessions/1", "", RW_OK, "tok1",
     "/redfish/v1/SessionService/Sessions/1"},
    {201, "tok2", "https://bmc:443/redfish/v1/SessionService/Sessions/2", NULL, RW_OK, "tok2",
     "/redfish/v1/SessionService/Sessions/2"},
    {204, "tok3", NULL, NULL, RW_OK, "tok3", NULL},
    {200, "tok4", NULL, "{\"@odata.id\":\"/redfish/v1/SessionService/Sessions/4\"}", RW_OK, "tok4",
     "/redfish/v1/SessionService/Sessions/4"},
    {201, "tok5", "https://evil:443/redfish/v1/SessionService/Sessions/5", NULL, RW_OK, "tok5",
     NULL},
    {201, "tok6", "", "{\"@odata.id\":\"/redfish/v1/SessionService/Sessions/6\"}", RW_OK, "tok6",
     "/redfish/v1/SessionService/Sessions/6"},
    {201, "tok7", NULL, "not json", RW_OK, "tok7", NULL},
    {201, "tok8", "Sessions/8", NULL, RW_OK, "tok8", NULL},
    {401, "tok", "/x", NULL, RW_EHTTP, "login answered HTTP 401", NULL},
    {202, "tok", "/x", NULL, RW_EHTTP, "login answered HTTP 202", NULL},
    {201, NULL, "/x", NULL, RW_EHTTP, "login reply has no X-Auth-Token", NULL},
    {201, "", "/x", NULL, RW_EHTTP, "login reply has a malformed X-Auth-Token", NULL},
    {201, "a b", "/x", NULL, RW_EHTTP, "login reply has a malformed X-Auth-Token", NULL},
    {201, "a\x01", "/x", NULL, RW_EHTTP, "login reply has a malformed X-Auth-Token", NULL},
};

static void
check_reply(size_t i, const struct reply_row *r)
{
    struct rw_err err;
    char *token = NULL, *path = NULL;
    enum rw_rc rc;

    rw_err_clear(&err);
    rc = rf_session_parse_reply("https://bmc:443", r->status, r->token, r->location, r->body,
                                r->body != NULL ? strlen(r->body) : 0, &token, &path, &err);
    if (rc != r->rc || strcmp(rc == RW_OK ? token : err.msg, r->want_token) != 0) {
        fail_msg("row %zu: %s '%s', want %s '%s'", i, rw_rc_name(rc), rc == RW_OK ? token : err.msg,
                 rw_rc_name(r->rc), r->want_token);
    }
    if (rc == RW_OK &&
        (r->want_path == NULL ? path != NULL : path == NULL || strcmp(path, r->want_path) != 0)) {
        fail_msg("row %zu: path '%s', want '%s'", i, path != NULL ? path : "(null)",
                 r->want_path != NULL ? r->want_path : "(null)");
    }
    free(token);
    free(path);
}

static void
test_parse_reply(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(reply_rows) / sizeof(reply_rows[0]); i++) {
        check_reply(i, &reply_rows[i]);
    }
}

static void
test_token_too_long(void **state)
{
    char token[RF_SESSION_TOKEN_MAX + 2];
    struct rw_err err;
    char *t = NULL, *p = NULL;

    (void)state;
    memset(token, 'a', sizeof(token) - 1);
    token[sizeof(token) - 1] = '\0';
    rw_err_clear(&err);
    assert_int_equal(
        rf_session_parse_reply("https://bmc:443", 201, token, NULL, NULL, 0, &t, &p, &err),
        RW_EHTTP);
    assert_string_equal(err.msg, "login reply has a malformed X-Auth-Token");
    token[RF_SESSION_TOKEN_MAX] = '\0';
    assert_int_equal(
        rf_session_parse_reply("https://bmc:443", 201, token, NULL, NULL, 0, &t, &p, &err), RW_OK);
    free(t);
    free(p);
}

struct add_row {
    const char *url;
    const char *user;
    const char *fp;
    int mif;
    enum rf_auth auth;
    enum rw_rc rc;
    const char *msg;
};

static const struct add_row add_rows[] = {
    {"https://bmc", "u", NULL, 0, RF_AUTH_SESSION, RW_OK, ""},
    {"http://127.0.0.1:8000", NULL, NULL, 0, RF_AUTH_NONE, RW_OK, ""},
    {"https://bmc", NULL, NULL, 0, RF_AUTH_SESSION, RW_EINVAL,
     "https://bmc:443: a username and a password are needed"},
    {"https://bmc", NULL, NULL, 0, RF_AUTH_BASIC, RW_EINVAL,
     "https://bmc:443: a username and a password are needed"},
    {"bmc", "u", NULL, 0, RF_AUTH_SESSION, RW_EINVAL,
     "URL 'bmc' must start with https:// or http://"},
    {"https://bmc", "u", "sha256:00", 0, RF_AUTH_SESSION, RW_EINVAL,
     "fingerprint 'sha256:00' is not a SHA-256 (64 hex digits, optionally sha256: and colons)"},
    {"https://bmc", "u", NULL, -1, RF_AUTH_SESSION, RW_EINVAL,
     "https://bmc:443: negative timeout, max_in_flight or retry setting"},
    {"https://bmc", "u", NULL, 0, (enum rf_auth)7, RW_EINVAL,
     "https://bmc:443: unknown auth mode 7"},
};

static void
check_add(struct rf_client *c, size_t i, const struct add_row *r)
{
    struct rf_service_opts o;
    struct rf_service *svc = NULL;
    struct rw_err err;
    enum rw_rc rc;

    rf_service_opts_init(&o);
    o.url = r->url;
    o.username = r->user;
    o.password = r->user != NULL ? "p" : NULL;
    o.fingerprint = r->fp;
    o.max_in_flight = r->mif;
    o.auth = r->auth;
    rw_err_clear(&err);
    rc = rf_client_add(c, &o, &svc, &err);
    if (rc != r->rc || strcmp(err.msg, r->msg) != 0) {
        fail_msg("row %zu '%s': %s '%s', want %s '%s'", i, r->url, rw_rc_name(rc), err.msg,
                 rw_rc_name(r->rc), r->msg);
    }
}

static void
on_done(const struct rf_result *res, void *ctx)
{
    int *n = ctx;

    (*n)++;
    assert_int_equal(res->rc, RW_ETIMEOUT);
    assert_string_equal(res->msg, "cancelled: client shut down");
    assert_int_equal(res->status, 0);
    assert_string_equal(res->body, "");
}

static void
test_client_add(void **state)
{
    struct rf_client *c = NULL;
    struct rf_service_opts o;
    struct rf_service *svc = NULL;
    struct rw_err err;
    size_t i;

    (void)state;
    rw_err_clear(&err);
    assert_int_equal(rf_client_new(NULL, &c, &err), RW_OK);
    for (i = 0; i < sizeof(add_rows) / sizeof(add_rows[0]); i++) {
        check_add(c, i, &add_rows[i]);
    }
    rf_service_opts_init(&o);
    o.url = "https://bmc:8443/";
    o.auth = RF_AUTH_NONE;
    assert_int_equal(rf_client_add(c, &o, &svc, &err), RW_OK);
    assert_string_equal(rf_service_base(svc), "https://bmc:8443");
    /* Paths are checked when queued; done never runs for a refused one. */
    assert_int_equal(rf_client_get(c, svc, "https://evil/x", on_done, NULL, &err), RW_EINVAL);
    assert_string_equal(err.msg, "'https://evil/x' is on another origin than https://bmc:8443");
    assert_int_equal(rf_client_pending(c), 0);
    assert_int_equal(rf_client_run(c, 0, &err), RW_OK);
    rf_client_free(c);
}

static void
test_free_completes_pending(void **state)
{
    struct rf_client *c = NULL;
    struct rf_service_opts o;
    struct rf_service *svc = NULL;
    struct rw_err err;
    int n = 0;

    (void)state;
    rw_err_clear(&err);
    assert_int_equal(rf_client_new(NULL, &c, &err), RW_OK);
    rf_service_opts_init(&o);
    o.url = "https://127.0.0.1:1";
    o.username = "u";
    o.password = "p";
    assert_int_equal(rf_client_add(c, &o, &svc, &err), RW_OK);
    assert_int_equal(rf_client_get(c, svc, "/redfish/v1/", on_done, &n, &err), RW_OK);
    assert_int_equal(rf_client_get(c, svc, "/redfish/v1/Chassis", on_done, &n, &err), RW_OK);
    assert_int_equal(rf_client_pending(c), 3); /* the login and the two GETs */
    assert_int_equal(n, 0);
    rf_client_free(c);
    assert_int_equal(n, 2);
}

static void
watch_none(void *ctx, int fd, int events)
{
    (void)ctx;
    (void)fd;
    (void)events;
}

static void
timer_none(void *ctx, long timeout_ms)
{
    (void)ctx;
    (void)timeout_ms;
}

static void
test_loop_misuse(void **state)
{
    struct rf_client *c = NULL;
    struct rf_service_opts o;
    struct rf_service *svc = NULL;
    struct rw_err err;
    int n = 0;

    (void)state;
    rw_err_clear(&err);
    assert_int_equal(rf_client_new(NULL, &c, &err), RW_OK);
    assert_int_equal(rf_client_set_loop(c, NULL, timer_none, NULL, &err), RW_EINVAL);
    assert_string_equal(err.msg, "rf_client_set_loop: a hook is NULL");
    rf_service_opts_init(&o);
    o.url = "https://127.0.0.1:1";
    o.auth = RF_AUTH_NONE;
    assert_int_equal(rf_client_add(c, &o, &svc, &err), RW_OK);
    assert_int_equal(rf_client_get(c, svc, "/redfish/v1/", on_done, &n, &err), RW_OK);
    rw_err_clear(&err);
    assert_int_equal(rf_client_set_loop(c, watch_none, timer_none, NULL, &err), RW_EINVAL);
    assert_string_equal(err.msg, "rf_client_set_loop: the client is already in use");
    rf_client_free(c);
    assert_int_equal(n, 1);

    assert_int_equal(rf_client_new(NULL, &c, &err), RW_OK);
    rw_err_clear(&err);
    assert_int_equal(rf_client_set_loop(c, watch_none, timer_none, NULL, &err), RW_OK);
    assert_int_equal(rf_client_run(c, 0, &err), RW_EINVAL);
    assert_string_equal(err.msg, "rf_client_run: the client runs in an event loop");
    rf_client_free(c);
}

static void
test_new_bad_opts(void **state)
{
    struct rf_client_opts co = {.max_total = -1};
    struct rf_client *c = NULL;
    struct rw_err err;

    (void)state;
    rw_err_clear(&err);
    assert_int_equal(rf_client_new(&co, &c, &err), RW_EINVAL);
    assert_string_equal(err.msg, "max_total must not be negative");
    assert_null(c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_body),  cmocka_unit_test(test_login_body_too_long),
        cmocka_unit_test(test_parse_reply), cmocka_unit_test(test_token_too_long),
        cmocka_unit_test(test_client_add),  cmocka_unit_test(test_free_completes_pending),
        cmocka_unit_test(test_loop_misuse), cmocka_unit_test(test_new_bad_opts),
    };
    int rc;

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        return 1;
    }
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}

/* Unit tests for rf_client_request(): the argument checks, and the completion of writes
 * that cannot reach their server (the transfers are set up for real against a closed port
 * on 127.0.0.1).  Writes against real servers: tests/integration/register.sh. */
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

struct arg_row {
    enum rf_method method;
    const char *path;
    const char *body;
    enum rw_rc rc;
    const char *msg;
};

static const struct arg_row arg_rows[] = {
    {RF_METHOD_POST, "/redfish/v1/x", "{}", RW_OK, ""},
    {RF_METHOD_PATCH, "/redfish/v1/x", "{\"a\":1}", RW_OK, ""},
    {RF_METHOD_DELETE, "/redfish/v1/x/1", NULL, RW_OK, ""},
    {RF_METHOD_GET, "/redfish/v1/", NULL, RW_OK, ""},
    {RF_METHOD_POST, "/redfish/v1/x", NULL, RW_EINVAL,
     "rf_client_request: POST and PATCH need a body"},
    {RF_METHOD_PATCH, "/redfish/v1/x", NULL, RW_EINVAL,
     "rf_client_request: POST and PATCH need a body"},
    {RF_METHOD_DELETE, "/redfish/v1/x", "{}", RW_EINVAL,
     "rf_client_request: GET and DELETE take no body"},
    {RF_METHOD_GET, "/redfish/v1/x", "{}", RW_EINVAL,
     "rf_client_request: GET and DELETE take no body"},
    {(enum rf_method)42, "/redfish/v1/x", NULL, RW_EINVAL, "rf_client_request: unknown method 42"},
    {RF_METHOD_POST, "https://evil/x", "{}", RW_EINVAL,
     "'https://evil/x' is on another origin than https://127.0.0.1:1"},
    {RF_METHOD_DELETE, "relative", NULL, RW_EINVAL, NULL},
};

struct outcome {
    int n;
    enum rw_rc rc;
    int had_location;
    char msg[RW_ERR_MSG_MAX];
};

static void
on_done(const struct rf_result *res, void *ctx)
{
    struct outcome *o = ctx;

    o->n++;
    o->rc = res->rc;
    o->had_location = res->location != NULL;
    (void)snprintf(o->msg, sizeof(o->msg), "%s", res->msg);
}

/* A client with one service on a closed port of 127.0.0.1. */
static void
new_client(enum rf_auth auth, struct rf_client **c, struct rf_service **svc)
{
    struct rf_service_opts o;
    struct rw_err err;

    rw_err_clear(&err);
    assert_int_equal(rf_client_new(NULL, c, &err), RW_OK);
    rf_service_opts_init(&o);
    o.url = "https://127.0.0.1:1";
    o.username = "u";
    o.password = "p";
    o.auth = auth;
    o.max_retries = -1;
    assert_int_equal(rf_client_add(*c, &o, svc, &err), RW_OK);
}

static void
test_request_args(void **state)
{
    struct rf_client *c = NULL;
    struct rf_service *svc = NULL;
    struct outcome out = {0};
    struct rw_err err;
    enum rw_rc rc;
    size_t i;
    int queued = 0;

    (void)state;
    new_client(RF_AUTH_BASIC, &c, &svc);
    for (i = 0; i < sizeof(arg_rows) / sizeof(arg_rows[0]); i++) {
        const struct arg_row *r = &arg_rows[i];

        rw_err_clear(&err);
        rc = rf_client_request(c, svc, r->method, r->path, r->body, on_done, &out, &err);
        queued += rc == RW_OK;
        if (rc != r->rc || (r->msg != NULL && strcmp(err.msg, r->msg) != 0)) {
            fail_msg("row %zu: %s '%s', want %s '%s'", i, rw_rc_name(rc), err.msg,
                     rw_rc_name(r->rc), r->msg != NULL ? r->msg : "(any)");
        }
    }
    assert_int_equal(rf_client_pending(c), queued);
    rw_err_clear(&err);
    assert_int_equal(rf_client_request(c, svc, RF_METHOD_POST, "/x", "{}", NULL, NULL, &err),
                     RW_EINVAL);
    assert_int_equal(rf_client_request(c, NULL, RF_METHOD_DELETE, "/x", NULL, on_done, &out, &err),
                     RW_EINVAL);
    assert_int_equal(rf_client_pending(c), queued);
    rf_client_free(c);
    assert_int_equal(out.n, queued);
}

/* Each method against a closed port: set up, sent, completed once with RW_ECONNECT. */
static void
test_write_refused(void **state)
{
    static const enum rf_method methods[] = {RF_METHOD_POST, RF_METHOD_PATCH, RF_METHOD_DELETE};
    struct rf_client *c = NULL;
    struct rf_service *svc = NULL;
    struct rw_err err;
    size_t i;

    (void)state;
    new_client(RF_AUTH_BASIC, &c, &svc);
    for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        struct outcome out = {0};
        const char *body = methods[i] == RF_METHOD_DELETE ? NULL : "{\"Password\":\"x\"}";

        rw_err_clear(&err);
        assert_int_equal(
            rf_client_request(c, svc, methods[i], "/redfish/v1/a", body, on_done, &out, &err),
            RW_OK);
        assert_int_equal(out.n, 0); /* never from inside the call */
        assert_int_equal(rf_client_run(c, rf_client_now_ms() + 10000, &err), RW_OK);
        if (out.n != 1 || out.rc != RW_ECONNECT || out.had_location || out.msg[0] == '\0') {
            fail_msg("method %zu: n %d, %s '%s'", i, out.n, rw_rc_name(out.rc), out.msg);
        }
    }
    rf_client_free(c);
}

/* With sessions, a write waits for the login; a failed login completes it with its reason. */
static void
test_write_login_fails(void **state)
{
    struct rf_client *c = NULL;
    struct rf_service *svc = NULL;
    struct outcome out = {0};
    struct rw_err err;

    (void)state;
    new_client(RF_AUTH_SESSION, &c, &svc);
    rw_err_clear(&err);
    assert_int_equal(
        rf_client_request(c, svc, RF_METHOD_POST, "/redfish/v1/a", "{}", on_done, &out, &err),
        RW_OK);
    assert_int_equal(rf_client_pending(c), 2); /* the login and the POST */
    assert_int_equal(rf_client_run(c, rf_client_now_ms() + 10000, &err), RW_OK);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.rc, RW_ECONNECT);
    assert_non_null(strstr(out.msg, "login to https://127.0.0.1:1 failed"));
    rf_client_free(c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_args),
        cmocka_unit_test(test_write_refused),
        cmocka_unit_test(test_write_login_fails),
    };
    int rc;

    (void)curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}

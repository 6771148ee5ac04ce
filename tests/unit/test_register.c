/*
 * Unit tests for the pure logic of rackwatch register (cli/register_logic.c): member
 * health, HostName matching, the POST body, reply paths, links, tasks and answers.  The
 * command is a program, not a library, so its logic file is compiled into this test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../cli/register_logic.c"

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct health_row {
    const char *body;
    enum cli_reg_health want;
    const char *msg;
};

static const struct health_row health_rows[] = {
    {"{\"Id\":\"1\"}", CLI_REG_HEALTHY, "no Status reported: present"},
    {"{\"Status\":{\"Health\":\"OK\",\"State\":\"Enabled\"}}", CLI_REG_HEALTHY,
     "Health OK, State Enabled"},
    {"{\"Status\":{\"Health\":\"OK\"}}", CLI_REG_HEALTHY, "Health OK, State (none)"},
    {"{\"Status\":{\"Health\":\"Critical\",\"Conditions\":[{\"Message\":\"cert refused\"}]}}",
     CLI_REG_CRITICAL, "cert refused"},
    {"{\"Status\":{\"Health\":\"Critical\"},\"@Message.ExtendedInfo\":[{\"Message\":\"m\"}]}",
     CLI_REG_CRITICAL, "m"},
    {"{\"Status\":{\"Health\":\"OK\",\"State\":\"Disabled\"}}", CLI_REG_CRITICAL,
     "Health OK, State Disabled"},
    {"{\"Status\":{\"State\":\"UnavailableOffline\"}}", CLI_REG_CRITICAL,
     "Health (none), State UnavailableOffline"},
    {"{\"Status\":{\"Health\":\"Warning\",\"State\":\"Enabled\"}}", CLI_REG_PENDING,
     "Health Warning, State Enabled"},
    {"{\"Status\":{\"Health\":\"OK\",\"State\":\"Starting\"}}", CLI_REG_PENDING,
     "Health OK, State Starting"},
    {"{\"Status\":{}}", CLI_REG_PENDING, "Health (none), State (none)"},
    {"{\"Status\":{\"Health\":7}}", CLI_REG_PENDING, "Health (none), State (none)"},
    {"", CLI_REG_BAD, "not a JSON object"},
    {"[1,2]", CLI_REG_BAD, "not a JSON object"},
    {"{\"Status\":", CLI_REG_BAD, "not a JSON object"},
    {"\"text\"", CLI_REG_BAD, "not a JSON object"},
};

static void
test_member_health(void **state)
{
    char msg[CLI_REG_MSG_MAX];
    size_t i;

    (void)state;
    for (i = 0; i < N(health_rows); i++) {
        const struct health_row *r = &health_rows[i];
        enum cli_reg_health got = cli_reg_member_health(r->body, strlen(r->body), msg, sizeof(msg));

        if (got != r->want || strcmp(msg, r->msg) != 0) {
            fail_msg("row %zu '%s': %d '%s', want %d '%s'", i, r->body, got, msg, r->want, r->msg);
        }
    }
}

struct server_row {
    const char *hostname;
    const char *url;
    int want;
};

static const struct server_row server_rows[] = {
    {"https://127.0.0.1:8443", "https://127.0.0.1:8443", 1},
    {"127.0.0.1:8443", "https://127.0.0.1:8443", 1},
    {"SPOKE1.example.net", "https://spoke1.example.net", 1},
    {"https://spoke1.example.net:443", "https://spoke1.example.net", 1},
    {"[0::1]:8443", "https://[::1]:8443", 1},
    {"https://[::1]:8443", "https://[::1]:8443", 1},
    {"https://127.0.0.1:8444", "https://127.0.0.1:8443", 0},
    {"127.0.0.1", "https://127.0.0.1:8443", 0},
    {"https://127.0.0.2:8443", "https://127.0.0.1:8443", 0},
    {"spoke2.example.net", "https://spoke1.example.net", 0},
    {"localhost:8443", "https://127.0.0.1:8443", 0},
    {"", "https://127.0.0.1:8443", 0},
    {"https://", "https://127.0.0.1:8443", 0},
    {"bad host!", "https://127.0.0.1:8443", 0},
    {"host:99999", "https://host:443", 0},
};

static void
test_same_server(void **state)
{
    struct rw_url url = {0};
    size_t i;

    (void)state;
    assert_int_equal(cli_reg_same_server(NULL, &url), 0);
    for (i = 0; i < N(server_rows); i++) {
        const struct server_row *r = &server_rows[i];

        assert_int_equal(rw_url_parse(r->url, &url, NULL), RW_OK);
        if (cli_reg_same_server(r->hostname, &url) != r->want) {
            fail_msg("row %zu: '%s' vs %s: want %d", i, r->hostname, r->url, r->want);
        }
    }
}

struct body_row {
    const char *host, *user, *pass, *conn;
    enum rw_rc rc;
    const char *want; /* the body, or the message */
};

static const struct body_row body_rows[] = {
    {"https://10.0.0.1:443", "admin", "s3cret", NULL, RW_OK,
     "{\"HostName\":\"https://10.0.0.1:443\",\"Name\":\"spoke-east\",\"UserName\":\"admin\","
     "\"Password\":\"s3cret\"}"},
    {"https://h:1", "a\"b", "p\\q", "/redfish/v1/AggregationService/ConnectionMethods/1", RW_OK,
     "{\"HostName\":\"https://h:1\",\"UserName\":\"a\\\"b\",\"Password\":\"p\\\\q\",\"Links\":{"
     "\"ConnectionMethod\":{\"@odata.id\":\"/redfish/v1/AggregationService/ConnectionMethods/"
     "1\"}}}"},
    {"https://h:1", "u", "", NULL, RW_OK,
     "{\"HostName\":\"https://h:1\",\"UserName\":\"u\",\"Password\":\"\"}"},
    {"", "u", "p", NULL, RW_EINVAL,
     "the registration needs a host name, a user name and a password"},
    {NULL, "u", "p", NULL, RW_EINVAL,
     "the registration needs a host name, a user name and a password"},
    {"h", "", "p", NULL, RW_EINVAL,
     "the registration needs a host name, a user name and a password"},
    {"h", "u", NULL, NULL, RW_EINVAL,
     "the registration needs a host name, a user name and a password"},
};

static void
test_post_body(void **state)
{
    struct rw_err err;
    char *out;
    size_t i;
    enum rw_rc rc;

    (void)state;
    for (i = 0; i < N(body_rows); i++) {
        const struct body_row *r = &body_rows[i];

        rw_err_clear(&err);
        /* The first row carries the spoke's configured name; the others none. */
        rc = cli_reg_post_body(r->host, i == 0 ? "spoke-east" : NULL, r->user, r->pass, r->conn,
                               &out, &err);
        if (rc != r->rc || strcmp(rc == RW_OK ? out : err.msg, r->want) != 0) {
            fail_msg("row %zu: %s '%s', want '%s'", i, rw_rc_name(rc), rc == RW_OK ? out : err.msg,
                     r->want);
        }
        assert_true(rc == RW_OK || out == NULL);
        cli_reg_wipe(out);
    }
}

static void
test_post_body_too_long(void **state)
{
    char big[CLI_REG_CRED_MAX + 2];
    struct rw_err err;
    char *out = NULL;

    (void)state;
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    rw_err_clear(&err);
    assert_int_equal(cli_reg_post_body("h", NULL, "u", big, NULL, &out, &err), RW_EINVAL);
    assert_string_equal(err.msg, "user name or password longer than 1024 bytes");
    assert_null(out);
    cli_reg_wipe(NULL);
}

struct path_row {
    const char *location;
    const char *body;
    int want;
    const char *path;
};

static const struct path_row path_rows[] = {
    {"/redfish/v1/AggregationService/AggregationSources/1", "", 1,
     "/redfish/v1/AggregationService/AggregationSources/1"},
    {"https://hub:443/redfish/v1/A/2", "", 1, "/redfish/v1/A/2"},
    {"http://hub/redfish/v1/A/3", "", 1, "/redfish/v1/A/3"},
    {NULL, "{\"@odata.id\":\"/redfish/v1/A/4\"}", 1, "/redfish/v1/A/4"},
    {"", "{\"@odata.id\":\"/redfish/v1/A/5\"}", 1, "/redfish/v1/A/5"},
    {"/redfish/v1/A/6", "{\"@odata.id\":\"/redfish/v1/A/7\"}", 1, "/redfish/v1/A/6"},
    {"relative/path", "{\"@odata.id\":\"/x\"}", 0, ""},
    {"//evil/x", "", 0, ""},
    {"https://hub", "", 0, ""},
    {"ftp://hub/x", "", 0, ""},
    {"/with space", "", 0, ""},
    {NULL, "", 0, ""},
    {NULL, "{\"@odata.id\":5}", 0, ""},
    {NULL, "{\"@odata.id\":\"x\"}", 0, ""},
    {NULL, "[\"/x\"]", 0, ""},
};

static void
test_reply_path(void **state)
{
    char out[CLI_REG_PATH_MAX], tiny[4];
    size_t i;
    int got;

    (void)state;
    for (i = 0; i < N(path_rows); i++) {
        const struct path_row *r = &path_rows[i];

        out[0] = '\0';
        got = cli_reg_reply_path(r->location, r->body, strlen(r->body), out, sizeof(out));
        if (got != r->want || (got && strcmp(out, r->path) != 0)) {
            fail_msg("row %zu: %d '%s', want %d '%s'", i, got, out, r->want, r->path);
        }
    }
    assert_int_equal(cli_reg_reply_path("/redfish/v1/x", "", 0, tiny, sizeof(tiny)), 0);
}

static void
test_links(void **state)
{
    static const char coll[] = "{\"Members\":[{\"@odata.id\":\"/redfish/v1/C/1\"},"
                               "{\"@odata.id\":\"/redfish/v1/C/2\"}]}";
    static const char svc[] = "{\"ConnectionMethods\":{\"@odata.id\":\"/redfish/v1/C\"},"
                              "\"Other\":\"/x\"}";
    char out[CLI_REG_PATH_MAX];

    (void)state;
    assert_int_equal(cli_reg_first_member(coll, strlen(coll), out, sizeof(out)), 1);
    assert_string_equal(out, "/redfish/v1/C/1");
    assert_int_equal(cli_reg_first_member("{\"Members\":[]}", 14, out, sizeof(out)), 0);
    assert_int_equal(cli_reg_first_member("{\"Members\":{}}", 14, out, sizeof(out)), 0);
    assert_int_equal(cli_reg_first_member("{\"Members\":[5]}", 15, out, sizeof(out)), 0);
    assert_int_equal(cli_reg_first_member("nope", 4, out, sizeof(out)), 0);
    assert_int_equal(cli_reg_link(svc, strlen(svc), "ConnectionMethods", out, sizeof(out)), 1);
    assert_string_equal(out, "/redfish/v1/C");
    assert_int_equal(cli_reg_link(svc, strlen(svc), "Other", out, sizeof(out)), 0);
    assert_int_equal(cli_reg_link(svc, strlen(svc), "Missing", out, sizeof(out)), 0);
    assert_int_equal(cli_reg_link("", 0, "ConnectionMethods", out, sizeof(out)), 0);
}

struct task_row {
    const char *body;
    int want;
    const char *msg;
};

static const struct task_row task_rows[] = {
    {"{\"TaskState\":\"Exception\",\"Messages\":[{\"Message\":\"spoke unreachable\"}]}", 1,
     "task Exception: spoke unreachable"},
    {"{\"TaskState\":\"Killed\"}", 1, "task Killed"},
    {"{\"TaskState\":\"Cancelled\",\"Messages\":[]}", 1, "task Cancelled"},
    {"{\"TaskState\":\"Completed\"}", 0, ""},
    {"{\"TaskState\":\"Running\"}", 0, ""},
    {"{\"TaskState\":3}", 0, ""},
    {"{\"Id\":\"1\"}", 0, ""},
    {"", 0, ""},
    {"{\"TaskState\":", 0, ""},
};

static void
test_task_failed(void **state)
{
    char msg[CLI_REG_MSG_MAX];
    size_t i;
    int got;

    (void)state;
    for (i = 0; i < N(task_rows); i++) {
        const struct task_row *r = &task_rows[i];

        msg[0] = '\0';
        got = cli_reg_task_failed(r->body, strlen(r->body), msg, sizeof(msg));
        if (got != r->want || strcmp(msg, r->msg) != 0) {
            fail_msg("row %zu: %d '%s', want %d '%s'", i, got, msg, r->want, r->msg);
        }
    }
}

struct answer_row {
    const char *line;
    int want;
};

static const struct answer_row answer_rows[] = {
    {"y\n", 1},       {"Y\n", 1},    {"yes\n", 1}, {" YeS \n", 1},      {"y", 1},    {"\n", 0},
    {"", 0},          {"n\n", 0},    {"no\n", 0},  {"yes please\n", 0}, {"yy\n", 0}, {"ye\n", 0},
    {"yesyesyes", 0}, {"sure\n", 0}, {"1\n", 0},   {"y y\n", 0},
};

static void
test_answers_and_worst(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < N(answer_rows); i++) {
        if (cli_reg_answer_yes(answer_rows[i].line) != answer_rows[i].want) {
            fail_msg("row %zu: '%s': want %d", i, answer_rows[i].line, answer_rows[i].want);
        }
    }
    assert_int_equal(cli_reg_worst(0, 1), 1);
    assert_int_equal(cli_reg_worst(2, 1), 2);
    assert_int_equal(cli_reg_worst(3, 0), 3);
    assert_int_equal(cli_reg_worst(0, 0), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_member_health), cmocka_unit_test(test_same_server),
        cmocka_unit_test(test_post_body),     cmocka_unit_test(test_post_body_too_long),
        cmocka_unit_test(test_reply_path),    cmocka_unit_test(test_links),
        cmocka_unit_test(test_task_failed),   cmocka_unit_test(test_answers_and_worst),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

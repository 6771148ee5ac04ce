/* Unit tests for rw_config: the YAML loader, its messages, defaults and secrets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "rw_config.h"

#define EXAMPLE    RW_TEST_DATA_DIR "/../../config/rackwatch.yaml.example"
#define FIXTURES   RW_TEST_DATA_DIR "/config"
#define HEX64      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define LONG_ERROR 1024 /* room for a message with a temporary path in it */
#define PATH_BUF   256

struct cfg_row {
    const char *text;
    size_t len; /* 0: strlen(text) */
    unsigned flags;
    enum rw_rc want_rc;
    const char *want_msg; /* NULL for success */
};

/* Success rows: each is a complete configuration that must load. */
static const struct cfg_row ok_rows[] = {
    {"state_file: /tmp/x.json\n", 0, 0, RW_OK, NULL},
    {"max_polls: 1\n", 0, 0, RW_OK, NULL},
    {"max_polls: 256\n", 0, 0, RW_OK, NULL},
    {"endpoints:\n", 0, 0, RW_OK, NULL},
    {"endpoints: []\nspokes: []\npolicy:\nsnmp: {}\n", 0, 0, RW_OK, NULL},
    {"defaults:\n  insecure: True\n  expand: FALSE\n  timeout: 0.1\n", 0, 0, RW_OK, NULL},
    {"endpoints:\n  - {name: a, url: \"https://[::1]:8443/\", kind: server}\n", 0, 0, RW_OK, NULL},
    {"endpoints:\n  - name: a\n    url: https://a\n    fingerprint: SHA256:" HEX64 "\n", 0, 0,
     RW_OK, NULL},
    {"endpoints:\n  - name: a\n    url: https://a\n    fingerprint: "
     "01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:"
     "cd:ef\n",
     0, 0, RW_OK, NULL},
    {"credentials:\n  bmc:\n    username: u\n    password: s3cret\n", 0, RW_CONFIG_PRIVATE, RW_OK,
     NULL},
    {"credentials:\n  bmc:\n    username: u\n    password_env: RW_TEST_PASSWORD\n", 0, 0, RW_OK,
     NULL},
    {"policy:\n  certificates:\n    rule: pinned\n    pins: [\"sha256:" HEX64 "\"]\n"
     "    warning_days: 14\n    critical_days: 14\n",
     0, 0, RW_OK, NULL},
    {"policy:\n  product: \"^(Rack|PDU) .*\"\n  version: {rule: same-minor, minimum: 3.1,\n"
     "    compatible: [[\"3.1\", \"3.2\"], [3.2, 3.3-rc1]]}\n  confirm_data_loss: true\n",
     0, 0, RW_OK, NULL},
};

/* Failure rows: the exact message, position included. */
static const struct cfg_row bad_rows[] = {
    {"", 0, 0, RW_EINVAL, "t.yaml:1:1: empty configuration"},
    {"# only a comment\n", 0, 0, RW_EINVAL, "t.yaml:1:1: empty configuration"},
    {"---\n", 0, 0, RW_EINVAL, "t.yaml:2:1: empty configuration"},
    {"- a\n", 0, 0, RW_EINVAL, "t.yaml:1:1: the top level: expected a mapping, got a list"},
    {"defaults:\n  timout: 5\n", 0, 0, RW_EINVAL,
     "t.yaml:2:3: unknown key 'timout' in defaults (did you mean 'timeout'?)"},
    {"frobnicate: 1\n", 0, 0, RW_EINVAL, "t.yaml:1:1: unknown key 'frobnicate' in the top level"},
    {"endpoint:\n  - name: a\n", 0, 0, RW_EINVAL,
     "t.yaml:1:1: unknown key 'endpoint' in the top level (did you mean 'endpoints'?)"},
    {"defaults:\n  timeout: ten\n", 0, 0, RW_EINVAL,
     "t.yaml:2:12: timeout: expected a number of seconds, got 'ten'"},
    {"defaults:\n  timeout: 0\n", 0, 0, RW_EINVAL,
     "t.yaml:2:12: timeout: '0' is out of range 0.1-3600 seconds"},
    {"defaults:\n  timeout: [1]\n", 0, 0, RW_EINVAL,
     "t.yaml:2:12: timeout: expected a number of seconds, got a list"},
    {"defaults:\n  max_in_flight: 100\n", 0, 0, RW_EINVAL,
     "t.yaml:2:18: max_in_flight: '100' is out of range 1-64"},
    {"defaults:\n  max_in_flight: 1.5\n", 0, 0, RW_EINVAL,
     "t.yaml:2:18: max_in_flight: expected a whole number, got '1.5'"},
    {"defaults:\n  max_in_flight: 99999999999999999999\n", 0, 0, RW_EINVAL,
     "t.yaml:2:18: max_in_flight: expected a whole number, got '99999999999999999999'"},
    {"defaults:\n  poll_interval: 0\n", 0, 0, RW_EINVAL,
     "t.yaml:2:18: poll_interval: '0' is out of range 1-86400 seconds"},
    {"defaults:\n  poll_interval: 1m\n", 0, 0, RW_EINVAL,
     "t.yaml:2:18: poll_interval: expected a whole number of seconds, got '1m'"},
    {"defaults:\n  insecure: yes\n", 0, 0, RW_EINVAL,
     "t.yaml:2:13: insecure: expected true or false, got 'yes' (yes/no/on/off are not booleans "
     "here)"},
    {"defaults:\n  insecure: 1\n", 0, 0, RW_EINVAL,
     "t.yaml:2:13: insecure: expected true or false, got '1'"},
    {"snmp:\n  notifications: off\n", 0, 0, RW_EINVAL,
     "t.yaml:2:18: notifications: expected true or false, got 'off' (yes/no/on/off are not "
     "booleans here)"},
    {"endpoints:\n  - name: a\n    url: https://a\n    insecure: \"\"\n", 0, 0, RW_EINVAL,
     "t.yaml:4:15: insecure: expected true or false, got ''"},
    {"endpoints:\n  - name: a\n    url: https://h\n    kind: pdux\n", 0, 0, RW_EINVAL,
     "t.yaml:4:11: kind: expected auto | pdu | server, got 'pdux' (did you mean 'pdu'?)"},
    {"endpoints:\n  - name: a\n", 0, 0, RW_EINVAL,
     "t.yaml:2:5: endpoint 1: missing required key 'url'"},
    {"endpoints:\n  - name: a\n    url: https://h\n  - name: b\n", 0, 0, RW_EINVAL,
     "t.yaml:4:5: endpoint 2: missing required key 'url'"},
    {"endpoints:\n  - url: https://h\n", 0, 0, RW_EINVAL,
     "t.yaml:2:5: endpoint 1: missing required key 'name'"},
    {"endpoints:\n  - name: a\n    url: ftp://h\n", 0, 0, RW_EINVAL,
     "t.yaml:3:10: url: unsupported scheme 'ftp' (use https or http)"},
    {"hub:\n  name: h\n  url: https://h/redfish/v1\n", 0, 0, RW_EINVAL,
     "t.yaml:3:8: url: unexpected path '/redfish/v1': use scheme://host[:port]"},
    {"endpoints:\n  - name: a\n    url: https://[fd00::1\n", 0, 0, RW_EINVAL,
     "t.yaml:3:10: url: missing ']' after IPv6 address"},
    {"endpoints:\n  - name: a\n    url:\n", 0, 0, RW_EINVAL,
     "t.yaml:3:9: url: expected https://host[:port], got ''"},
    {"endpoints:\n  - name: pdu-a1\n    url: https://a\n  - name: pdu-a1\n    url: https://b\n", 0,
     0, RW_EINVAL, "t.yaml:4:11: duplicate endpoint name 'pdu-a1' (first at 2:11)"},
    {"hub:\n  name: h\n  url: https://h\nspokes:\n  - name: h\n    url: https://s\n", 0, 0,
     RW_EINVAL, "t.yaml:5:11: duplicate spoke name 'h' (first at 2:9)"},
    {"credentials:\n  bmc:\n    username: u\n    password_env: RW_TEST_PASSWORD\nendpoints:\n"
     "  - name: a\n    url: https://a\n    credentials: bcm\n",
     0, 0, RW_EINVAL, "t.yaml:8:18: unknown credentials 'bcm' (did you mean 'bmc'?)"},
    {"endpoints:\n  - name: a\n    url: https://a\n    credentials: nobody\n", 0, 0, RW_EINVAL,
     "t.yaml:4:18: unknown credentials 'nobody' (not defined under credentials:)"},
    {"defaults:\n  timeout: 1\n  timeout: 2\n", 0, 0, RW_EINVAL,
     "t.yaml:3:3: duplicate key 'timeout' in defaults (first at 2:3)"},
    {"a: b: c\n", 0, 0, RW_EPARSE, "t.yaml:1:5: mapping values are not allowed in this context"},
    {"defaults:\n  timeout: \"10\n", 0, 0, RW_EPARSE,
     "t.yaml:3:1: found unexpected end of stream while scanning a quoted scalar at 2:12"},
    {"defaults:\n\ttimeout: 10\n", 0, 0, RW_EPARSE,
     "t.yaml:2:1: found character that cannot start any token while scanning for the next token "
     "at 2:1"},
    {"x: &a 1\n", 0, 0, RW_EINVAL, "t.yaml:1:4: anchors (&a) are not allowed"},
    {"defaults: *a\n", 0, 0, RW_EINVAL, "t.yaml:1:11: aliases (*a) are not allowed"},
    {"state_file: /a\n---\nstate_file: /b\n", 0, 0, RW_EINVAL,
     "t.yaml:2:1: only one YAML document allowed"},
    {"state_file: /a\0\n", 16, 0, RW_EPARSE, "t.yaml:1:15: control characters are not allowed"},
    {"state_file: \"a\\0b\"\n", 0, 0, RW_EINVAL, "t.yaml:1:13: state_file: NUL byte in value"},
    {"state_file:\n", 0, 0, RW_EINVAL, "t.yaml:1:12: state_file: expected a string, got nothing"},
    {"endpoints:\n  - name: a\n    url: https://a\n    kind: \"p\\x01\"\n", 0, 0, RW_EINVAL,
     "t.yaml:4:11: kind: expected auto | pdu | server, got 'p?'"},
    {"? [a]\n: 1\n", 0, 0, RW_EINVAL, "t.yaml:1:3: expected a key name, got a list"},
    {"a: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n", 0, 0, RW_EINVAL,
     "t.yaml:1:35: nested deeper than 32 levels"},
    {"credentials:\n  bmc:\n    username: u\n", 0, 0, RW_EINVAL,
     "t.yaml:3:5: credentials 'bmc': missing one of password_file, password_env or password"},
    {"credentials:\n  bmc:\n    username: u\n    password_env: RW_TEST_PASSWORD\n"
     "    password: x\n",
     0, RW_CONFIG_PRIVATE, RW_EINVAL,
     "t.yaml:3:5: credentials 'bmc': give only one of password_file, password_env or password"},
    {"credentials:\n  bmc:\n    username: u\n    password: secret\n", 0, 0, RW_EINVAL,
     "t.yaml:4:15: inline password needs a file readable by its owner only: chmod 600 it or use "
     "password_file"},
    {"credentials:\n  bmc:\n    username: u\n    password_env: RW_TEST_UNSET_VAR\n", 0, 0,
     RW_EINVAL, "t.yaml:4:19: environment variable 'RW_TEST_UNSET_VAR' is not set"},
    {"credentials:\n  bmc:\n    username: u\n    password_env: RW_TEST_EMPTY_VAR\n", 0, 0,
     RW_EINVAL,
     "t.yaml:4:19: environment variable 'RW_TEST_EMPTY_VAR' is empty or longer than 4096 bytes"},
    {"credentials:\n  bmc:\n    username: u\n    password_file: /nonexistent/pass\n", 0, 0,
     RW_EINVAL,
     "t.yaml:4:20: cannot read password file '/nonexistent/pass': No such file or directory"},
    {"credentials:\n  bmc:\n    password_env: RW_TEST_PASSWORD\n", 0, 0, RW_EINVAL,
     "t.yaml:3:5: credentials 'bmc': missing required key 'username'"},
    {"credentials:\n  bad name:\n    username: u\n    password_env: RW_TEST_PASSWORD\n", 0, 0,
     RW_EINVAL,
     "t.yaml:2:3: invalid name 'bad name' (letters, digits, '.', '_' and '-', at most 63)"},
    {"credentials:\n  a:\n    username: u\n    password_env: RW_TEST_PASSWORD\n  a:\n"
     "    username: v\n    password_env: RW_TEST_PASSWORD\n",
     0, 0, RW_EINVAL, "t.yaml:5:3: duplicate credentials name 'a' (first at 2:3)"},
    {"credentials: [a]\n", 0, 0, RW_EINVAL,
     "t.yaml:1:14: credentials: expected a mapping of names, got a list"},
    {"endpoints:\n  - name: a\n    url: https://a\n    fingerprint: sha256:abcd\n", 0, 0, RW_EINVAL,
     "t.yaml:4:18: fingerprint: expected a SHA-256 fingerprint (64 hex digits, colons and "
     "'sha256:' optional), got 'sha256:abcd'"},
    {"policy:\n  product: \"(\"\n", 0, 0, RW_EINVAL,
     "t.yaml:2:12: product: invalid regular expression: Unmatched ( or \\("},
    {"policy:\n  version:\n    rule: same-majr\n", 0, 0, RW_EINVAL,
     "t.yaml:3:11: rule: expected exact | same-major | same-minor, got 'same-majr' (did you mean "
     "'same-major'?)"},
    {"policy:\n  version:\n    compatible: [[\"3.1\"]]\n", 0, 0, RW_EINVAL,
     "t.yaml:3:18: compatible entry 1: expected a pair [hub, spoke], got a list"},
    {"policy:\n  version:\n    minimum: \"3 1\"\n", 0, 0, RW_EINVAL,
     "t.yaml:3:14: minimum: expected a version such as \"3.1\" (at most 63 characters, no "
     "spaces), got '3 1'"},
    {"policy:\n  version:\n    url: redfish/v1\n", 0, 0, RW_EINVAL,
     "t.yaml:3:10: url: expected a path starting with '/', got 'redfish/v1'"},
    {"policy:\n  certificates:\n    warning_days: 10\n", 0, 0, RW_EINVAL,
     "t.yaml:3:19: warning_days (10) must not be below critical_days (14)"},
    {"policy:\n  certificates:\n    rule: pinned\n", 0, 0, RW_EINVAL,
     "t.yaml:3:11: rule pinned needs at least one fingerprint in pins"},
    {"policy:\n  certificates:\n    pins: [nope]\n", 0, 0, RW_EINVAL,
     "t.yaml:3:12: pins: expected a SHA-256 fingerprint (64 hex digits, colons and 'sha256:' "
     "optional), got 'nope'"},
    {"policy:\n  certificates:\n    critical_days: -1\n", 0, 0, RW_EINVAL,
     "t.yaml:3:20: critical_days: '-1' is out of range 0-3650 days"},
    {"defaults: [1]\n", 0, 0, RW_EINVAL, "t.yaml:1:11: defaults: expected a mapping, got a list"},
    {"hub: 5\n", 0, 0, RW_EINVAL, "t.yaml:1:6: hub: expected a mapping, got '5'"},
    {"endpoints:\n  - name: \"bad\\nname\"\n    url: https://a\n", 0, 0, RW_EINVAL,
     "t.yaml:2:11: name: invalid name 'bad?name' (letters, digits, '.', '_' and '-', at most 63)"},
    {"endpoints: {a: 1}\n", 0, 0, RW_EINVAL,
     "t.yaml:1:12: endpoints: expected a list, got a mapping"},
    {"hub:\n  name: h\n  url: https://h\n  kind: pdu\n", 0, 0, RW_EINVAL,
     "t.yaml:4:3: unknown key 'kind' in hub"},
    {"endpoints:\n  - name: a\n    url: https://a\n    poll_jitter: 51\n", 0, 0, RW_EINVAL,
     "t.yaml:4:18: poll_jitter: '51' is out of range 0-50 percent"},
    {"max_polls: 0\n", 0, 0, RW_EINVAL, "t.yaml:1:12: max_polls: '0' is out of range 1-256"},
    {"max_polls: 257\n", 0, 0, RW_EINVAL, "t.yaml:1:12: max_polls: '257' is out of range 1-256"},
    {"max_polls: many\n", 0, 0, RW_EINVAL,
     "t.yaml:1:12: max_polls: expected a whole number, got 'many'"},
};

static int
setup_env(void **state)
{
    (void)state;
    setenv("RW_TEST_PASSWORD", "from-env", 1);
    setenv("RW_TEST_EMPTY_VAR", "", 1);
    unsetenv("RW_TEST_UNSET_VAR");
    setenv("RACKWATCH_BMC_PASSWORD", "bmc-pw", 1);
    setenv("RACKWATCH_HUB_PASSWORD", "hub-pw", 1);
    setenv("RACKWATCH_SPOKE_PASSWORD", "spoke-pw", 1);
    return 0;
}

/* Runs one row; fails with the row number and the input. */
static void
run_row(const char *table, size_t i, const struct cfg_row *row)
{
    struct rw_config *cfg = NULL;
    struct rw_err err;
    size_t len = row->len != 0 ? row->len : strlen(row->text);
    enum rw_rc rc;

    rw_err_clear(&err);
    rc = rw_config_parse("t.yaml", row->text, len, row->flags, &cfg, &err);
    if (rc != row->want_rc || (row->want_msg != NULL && strcmp(err.msg, row->want_msg) != 0) ||
        (row->want_msg == NULL && err.msg[0] != '\0')) {
        rw_config_free(cfg);
        fail_msg("%s row %zu \"%s\": rc %s, got \"%s\", want \"%s\"", table, i, row->text,
                 rw_rc_name(rc), err.msg, row->want_msg != NULL ? row->want_msg : "");
    }
    if ((rc == RW_OK) != (cfg != NULL) || strchr(err.msg, '\n') != NULL) {
        rw_config_free(cfg);
        fail_msg("%s row %zu: out %p with rc %s, or a message of several lines", table, i,
                 (void *)cfg, rw_rc_name(rc));
    }
    rw_config_free(cfg);
}

static void
test_config_table(void **state)
{
    size_t i;

    (void)state;
    assert_true(sizeof(bad_rows) / sizeof(bad_rows[0]) >= sizeof(ok_rows) / sizeof(ok_rows[0]));
    for (i = 0; i < sizeof(ok_rows) / sizeof(ok_rows[0]); i++) {
        run_row("ok", i, &ok_rows[i]);
    }
    for (i = 0; i < sizeof(bad_rows) / sizeof(bad_rows[0]); i++) {
        run_row("bad", i, &bad_rows[i]);
    }
}

/* Reads a whole file into a new string (test helper; aborts the test on failure). */
static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *text = calloc(1, RW_CONFIG_MAX_BYTES + 1);

    assert_non_null(f);
    assert_non_null(text);
    *len = fread(text, 1, RW_CONFIG_MAX_BYTES, f);
    (void)fclose(f);
    return text;
}

static void
test_config_example(void **state)
{
    struct rw_config *cfg = NULL;
    struct rw_err err;

    (void)state;
    rw_err_clear(&err);
    if (rw_config_load(EXAMPLE, &cfg, &err) != RW_OK) {
        fail_msg("example: %s", err.msg);
    }
    assert_int_equal(cfg->n_endpoints, 2);
    assert_int_equal(cfg->endpoints[0].kind, RW_CONFIG_KIND_PDU);
    assert_string_equal(cfg->endpoints[0].cred->password, "bmc-pw");
    assert_true(cfg->endpoints[0].set.timeout == 10);
    assert_true(cfg->endpoints[1].set.timeout == 20);
    assert_int_equal(cfg->endpoints[1].set.expand, 0);
    assert_int_equal(cfg->endpoints[1].url.port, 8443);
    assert_string_equal(cfg->endpoints[1].url.host, "fd00::17");
    assert_string_equal(cfg->hub->name, "hub-1");
    assert_string_equal(cfg->hub->cred->username, "admin");
    assert_int_equal(cfg->n_spokes, 2);
    assert_int_equal(cfg->spokes[1].set.poll_interval, 120);
    assert_string_equal(cfg->policy.product, "Rack Power Manager");
    assert_string_equal(cfg->policy.version_minimum, "3.1");
    assert_int_equal(cfg->policy.n_compatible, 1);
    assert_string_equal(cfg->policy.compatible[0].spoke, "3.2");
    assert_int_equal(cfg->policy.n_pins, 0);
    assert_int_equal(cfg->notifications, 1);
    assert_string_equal(cfg->state_file, "/var/lib/rackwatch/state.json");
    assert_int_equal(cfg->max_polls, 16);
    assert_ptr_equal(rw_config_endpoint(cfg, "server-7"), &cfg->endpoints[1]);
    assert_null(rw_config_endpoint(cfg, "nope"));
    assert_ptr_equal(rw_config_member(cfg, "hub-1"), cfg->hub);
    assert_ptr_equal(rw_config_member(cfg, "spoke-west"), &cfg->spokes[1]);
    assert_null(rw_config_member(cfg, "pdu-a1"));
    rw_config_free(cfg);
}

static void
test_config_builtin_defaults(void **state)
{
    struct rw_config *cfg = NULL;
    struct rw_err err;
    const struct rw_config_target *t;

    (void)state;
    rw_err_clear(&err);
    if (rw_config_load(FIXTURES "/minimal.yaml", &cfg, &err) != RW_OK) {
        fail_msg("minimal: %s", err.msg);
    }
    t = &cfg->endpoints[0];
    assert_true(t->set.timeout == 10);
    assert_null(t->set.ca_file);
    assert_int_equal(t->set.insecure, 0);
    assert_int_equal(t->set.expand, 1);
    assert_int_equal(t->set.max_in_flight, 2);
    assert_int_equal(t->set.poll_interval, 60);
    assert_int_equal(t->set.poll_jitter, 10);
    assert_int_equal(t->kind, RW_CONFIG_KIND_AUTO);
    assert_null(t->cred);
    assert_null(t->fingerprint);
    assert_int_equal(t->line, 3);
    assert_int_equal(t->column, 11);
    assert_null(cfg->hub);
    assert_int_equal(cfg->policy.version_rule, RW_CONFIG_VERSION_EXACT);
    assert_int_equal(cfg->policy.cert_rule, RW_CONFIG_CERT_IDENTICAL);
    assert_int_equal(cfg->policy.warning_days, 30);
    assert_int_equal(cfg->policy.critical_days, 14);
    assert_int_equal(cfg->policy.confirm_data_loss, 0);
    assert_null(cfg->policy.product);
    assert_string_equal(cfg->policy.version_url, "/redfish/v1/Managers/{first}");
    assert_string_equal(cfg->policy.version_pointer, "/FirmwareVersion");
    assert_string_equal(cfg->agentx_socket, "/var/agentx/master");
    rw_config_free(cfg);
}

static void
test_config_defaults_merge(void **state)
{
    struct rw_config *cfg = NULL;
    struct rw_err err;
    const struct rw_config_target *a, *b;

    (void)state;
    rw_err_clear(&err);
    if (rw_config_load(FIXTURES "/merge.yaml", &cfg, &err) != RW_OK) {
        fail_msg("merge: %s", err.msg);
    }
    a = &cfg->endpoints[0];
    b = &cfg->endpoints[1];
    assert_true(a->set.timeout == 5);
    assert_string_equal(a->set.ca_file, "/etc/rackwatch/ca.pem");
    assert_int_equal(a->set.max_in_flight, 3);
    assert_int_equal(a->set.poll_interval, 120);
    assert_int_equal(a->set.expand, 1);
    assert_true(b->set.timeout == 2.5);
    assert_string_equal(b->set.ca_file, "/etc/rackwatch/other-ca.pem");
    assert_int_equal(b->set.insecure, 1);
    assert_int_equal(b->set.max_in_flight, 4);
    assert_int_equal(b->set.expand, 0);
    assert_int_equal(b->set.poll_interval, 30);
    assert_int_equal(b->set.poll_jitter, 0);
    assert_int_equal(b->url.tls, 0);
    assert_int_equal(b->url.port, 8080);
    assert_string_equal(cfg->hub->set.ca_file, "/etc/rackwatch/ca.pem");
    assert_int_equal(cfg->hub->set.max_in_flight, 3);
    assert_int_equal(cfg->spokes[0].set.max_in_flight, 1);
    assert_true(cfg->spokes[0].set.timeout == 5);
    rw_config_free(cfg);
}

/* Loading a fixture fails with "PATH:LINE:COL: message". */
static void
test_config_fixture_errors(void **state)
{
    static const struct {
        const char *file, *want;
    } rows[] = {
        {"typo.yaml", ":6:5: unknown key 'tiemout' in endpoint 1 (did you mean 'timeout'?)"},
        {"duplicate.yaml", ":6:11: duplicate endpoint name 'pdu-a1' (first at 2:11)"},
        {"missing.yaml", ": cannot read: No such file or directory"},
        {"", ": cannot read: not a regular file"},
    };
    char path[PATH_BUF], want[LONG_ERROR];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct rw_config *cfg = (struct rw_config *)&path; /* must be reset to NULL */
        struct rw_err err;
        enum rw_rc rc;

        (void)snprintf(path, sizeof(path), "%s/%s", FIXTURES, rows[i].file);
        (void)snprintf(want, sizeof(want), "%s%s", path, rows[i].want);
        rw_err_clear(&err);
        rc = rw_config_load(path, &cfg, &err);
        if (rc != RW_EINVAL || cfg != NULL || strcmp(err.msg, want) != 0) {
            fail_msg("row %zu: rc %s, got \"%s\", want \"%s\"", i, rw_rc_name(rc), err.msg, want);
        }
    }
}

/* Writes text to dir/name with mode; returns the path in buf. */
static const char *
write_file(char *buf, size_t size, const char *name, const char *text, size_t len, mode_t mode)
{
    int fd;

    (void)snprintf(buf, size, "%s/config-%ld-%s", RW_TEST_TMP_DIR, (long)getpid(), name);
    unlink(buf);
    fd = open(buf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    assert_int_equal(chmod(buf, mode), 0);
    return buf;
}

/*
 * Loads a configuration whose one credentials entry reads password_file pass; the
 * configuration's own path goes into cfg_path.
 */
static enum rw_rc
load_with_password_file(const char *pass, char *cfg_path, struct rw_config **cfg,
                        struct rw_err *err)
{
    char text[LONG_ERROR];
    enum rw_rc rc;

    (void)snprintf(text, sizeof(text),
                   "credentials:\n  bmc:\n    username: u\n    password_file: %s\n", pass);
    write_file(cfg_path, PATH_BUF, "cfg.yaml", text, strlen(text), 0644);
    rw_err_clear(err);
    rc = rw_config_load(cfg_path, cfg, err);
    unlink(cfg_path);
    return rc;
}

static void
test_config_password_file(void **state)
{
    static const struct {
        const char *content;
        mode_t mode;
        enum rw_rc rc;
        const char *want; /* the password, or the message after "password file 'PATH' " */
    } rows[] = {
        {"pw1\n", 0600, RW_OK, "pw1"},
        {"pw2\r\n", 0640, RW_OK, "pw2"},
        {"pw3", 0400, RW_OK, "pw3"},
        {"pw 4 with spaces\n", 0660, RW_OK, "pw 4 with spaces"},
        {"pw5\n", 0644, RW_EINVAL, "is readable by others (mode 0644): chmod 600 it"},
        {"pw6\n", 0604, RW_EINVAL, "is readable by others (mode 0604): chmod 600 it"},
        {"\n", 0600, RW_EINVAL, "is empty"},
        {"", 0600, RW_EINVAL, "is empty"},
        {"two\nlines\n", 0600, RW_EINVAL, "holds a NUL byte or more than one line"},
    };
    char pass[PATH_BUF], cfg_path[PATH_BUF], want[LONG_ERROR], msg[LONG_ERROR];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct rw_config *cfg = NULL;
        struct rw_err err;
        enum rw_rc rc;

        write_file(pass, sizeof(pass), "pass", rows[i].content, strlen(rows[i].content),
                   rows[i].mode);
        rc = load_with_password_file(pass, cfg_path, &cfg, &err);
        if (rows[i].rc == RW_OK) {
            (void)snprintf(want, sizeof(want), "%s", rows[i].want);
        } else {
            (void)snprintf(want, sizeof(want), "%s:4:20: password file '%s' %s", cfg_path, pass,
                           rows[i].want);
        }
        (void)snprintf(msg, sizeof(msg), "%s", rc == RW_OK ? cfg->creds[0].password : err.msg);
        rw_config_free(cfg);
        unlink(pass);
        if (rc != rows[i].rc || strcmp(msg, want) != 0) {
            fail_msg("row %zu: rc %s, got \"%s\", want \"%s\"", i, rw_rc_name(rc), msg, want);
        }
    }
}

/* A missing password file names the file and the system's reason. */
static void
test_config_password_file_missing(void **state)
{
    char pass[PATH_BUF], cfg_path[PATH_BUF], want[LONG_ERROR];
    struct rw_config *cfg = NULL;
    struct rw_err err;

    (void)state;
    (void)snprintf(pass, sizeof(pass), "%s/config-%ld-absent", RW_TEST_TMP_DIR, (long)getpid());
    assert_int_equal(load_with_password_file(pass, cfg_path, &cfg, &err), RW_EINVAL);
    (void)snprintf(want, sizeof(want), "%s:4:20: cannot read password file '%s': %s", cfg_path,
                   pass, strerror(ENOENT));
    assert_string_equal(err.msg, want);
    assert_null(cfg);
    /* Not readable at all: only meaningful when not running as root. */
    if (geteuid() != 0) {
        write_file(pass, sizeof(pass), "pass", "pw\n", 3, 0000);
        assert_int_equal(load_with_password_file(pass, cfg_path, &cfg, &err), RW_EINVAL);
        (void)snprintf(want, sizeof(want), "%s:4:20: cannot read password file '%s': %s", cfg_path,
                       pass, strerror(EACCES));
        assert_string_equal(err.msg, want);
        unlink(pass);
    }
}

static void
test_config_password_file_too_big(void **state)
{
    char big[RW_CONFIG_SECRET_MAX + 2], pass[PATH_BUF], cfg_path[PATH_BUF], want[LONG_ERROR];
    struct rw_config *cfg = NULL;
    struct rw_err err;

    (void)state;
    memset(big, 'x', sizeof(big));
    write_file(pass, sizeof(pass), "bigpass", big, RW_CONFIG_SECRET_MAX + 1, 0600);
    assert_int_equal(load_with_password_file(pass, cfg_path, &cfg, &err), RW_EINVAL);
    (void)snprintf(want, sizeof(want), "%s:4:20: password file '%s' is larger than 4096 bytes",
                   cfg_path, pass);
    assert_string_equal(err.msg, want);
    /* A file of exactly the cap, its newline included, is fine. */
    big[RW_CONFIG_SECRET_MAX - 1] = '\n';
    write_file(pass, sizeof(pass), "bigpass", big, RW_CONFIG_SECRET_MAX, 0600);
    assert_int_equal(load_with_password_file(pass, cfg_path, &cfg, &err), RW_OK);
    assert_int_equal(strlen(cfg->creds[0].password), RW_CONFIG_SECRET_MAX - 1);
    rw_config_free(cfg);
    unlink(pass);
}

/* An inline password depends on the mode of the configuration file itself. */
static void
test_config_inline_password_mode(void **state)
{
    static const char text[] = "credentials:\n  bmc:\n    username: u\n    password: inline-pw\n";
    static const mode_t modes[] = {0644, 0640, 0604, 0600, 0400};
    char path[PATH_BUF], want[LONG_ERROR];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        struct rw_config *cfg = NULL;
        struct rw_err err;
        enum rw_rc rc;

        write_file(path, sizeof(path), "inline.yaml", text, strlen(text), modes[i]);
        rw_err_clear(&err);
        rc = rw_config_load(path, &cfg, &err);
        if (modes[i] & 044) {
            (void)snprintf(
                want, sizeof(want),
                "%s:4:15: inline password in a file readable by group or others (mode %04o): "
                "chmod 600 %s or use password_file",
                path, (unsigned)modes[i], path);
            assert_int_equal(rc, RW_EINVAL);
            assert_string_equal(err.msg, want);
        } else {
            assert_int_equal(rc, RW_OK);
            assert_string_equal(cfg->creds[0].password, "inline-pw");
        }
        rw_config_free(cfg);
        unlink(path);
    }
}

static void
test_config_env_password(void **state)
{
    static const char text[] = "credentials:\n  c:\n    username: u\n    password_env: RW_T_PW\n";
    struct rw_config *cfg = NULL;
    struct rw_err err;

    (void)state;
    setenv("RW_T_PW", "first", 1);
    assert_int_equal(rw_config_parse("t", text, strlen(text), 0, &cfg, &err), RW_OK);
    /* The password is a copy: changing the variable later changes nothing. */
    setenv("RW_T_PW", "second", 1);
    assert_string_equal(cfg->creds[0].password, "first");
    assert_string_equal(cfg->creds[0].username, "u");
    rw_config_free(cfg);
    unsetenv("RW_T_PW");
    rw_err_clear(&err);
    assert_int_equal(rw_config_parse("t", text, strlen(text), 0, &cfg, &err), RW_EINVAL);
    assert_null(cfg);
    assert_string_equal(err.msg, "t:4:19: environment variable 'RW_T_PW' is not set");
}

/* Configurations of exactly 1 MiB load; one byte more is refused, in memory and on disk. */
static void
test_config_size_cap(void **state)
{
    static const char tail[] = "state_file: /x\n";
    char *text = malloc(RW_CONFIG_MAX_BYTES + 2), path[PATH_BUF], want[LONG_ERROR];
    struct rw_config *cfg = NULL;
    struct rw_err err;
    size_t n = RW_CONFIG_MAX_BYTES - (sizeof(tail) - 1);

    (void)state;
    assert_non_null(text);
    memset(text, '\n', RW_CONFIG_MAX_BYTES + 1);
    text[0] = '#';
    memcpy(text + n, tail, sizeof(tail) - 1);
    assert_int_equal(rw_config_parse("t", text, RW_CONFIG_MAX_BYTES, 0, &cfg, &err), RW_OK);
    rw_config_free(cfg);
    memmove(text + 1, text, RW_CONFIG_MAX_BYTES);
    rw_err_clear(&err);
    assert_int_equal(rw_config_parse("t", text, RW_CONFIG_MAX_BYTES + 1, 0, &cfg, &err),
                     RW_ETOOBIG);
    assert_string_equal(err.msg, "t: larger than 1048576 bytes");
    write_file(path, sizeof(path), "big.yaml", text, RW_CONFIG_MAX_BYTES + 1, 0600);
    rw_err_clear(&err);
    assert_int_equal(rw_config_load(path, &cfg, &err), RW_ETOOBIG);
    assert_null(cfg);
    (void)snprintf(want, sizeof(want), "%s: larger than 1048576 bytes", path);
    assert_string_equal(err.msg, want);
    unlink(path);
    free(text);
}

/* A config that is a chain of aliases is refused before any expansion. */
static void
test_config_alias_bomb(void **state)
{
    static const char text[] = "a: &a [x, x, x, x, x, x, x, x, x]\n"
                               "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                               "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n";
    struct rw_config *cfg = NULL;
    struct rw_err err;

    (void)state;
    rw_err_clear(&err);
    assert_int_equal(rw_config_parse("t", text, strlen(text), 0, &cfg, &err), RW_EINVAL);
    assert_string_equal(err.msg, "t:1:4: anchors (&a) are not allowed");
    assert_null(cfg);
}

/* Fails each of the loader's allocations in turn: RW_ENOMEM every time, never a leak. */
static void
test_config_alloc_failure(void **state)
{
    struct rw_config *cfg = NULL;
    struct rw_err err;
    size_t len;
    char *text = slurp(EXAMPLE, &len);
    long n;
    enum rw_rc rc = RW_ENOMEM;

    (void)state;
    for (n = 1; rc == RW_ENOMEM && n < 10000; n++) {
        rw_err_clear(&err);
        rc = rw_config_parse_failing("t", text, len, 0, n, &cfg, &err);
        if (rc == RW_ENOMEM) {
            assert_null(cfg);
            assert_string_equal(err.msg, "t: out of memory");
        }
    }
    assert_int_equal(rc, RW_OK);
    assert_true(n > 40);
    rw_config_free(cfg);
    free(text);
}

static void
test_config_free_null(void **state)
{
    (void)state;
    rw_config_free(NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_table),
        cmocka_unit_test(test_config_example),
        cmocka_unit_test(test_config_builtin_defaults),
        cmocka_unit_test(test_config_defaults_merge),
        cmocka_unit_test(test_config_fixture_errors),
        cmocka_unit_test(test_config_password_file),
        cmocka_unit_test(test_config_password_file_missing),
        cmocka_unit_test(test_config_password_file_too_big),
        cmocka_unit_test(test_config_inline_password_mode),
        cmocka_unit_test(test_config_env_password),
        cmocka_unit_test(test_config_size_cap),
        cmocka_unit_test(test_config_alias_bomb),
        cmocka_unit_test(test_config_alloc_failure),
        cmocka_unit_test(test_config_free_null),
    };

    return cmocka_run_group_tests(tests, setup_env, NULL);
}

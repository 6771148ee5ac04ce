/* Unit tests for rw_pdu_eval: check_pdu's verdict on a model, table-driven. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rf_model.h"
#include "rf_snapshot.h"
#include "rw_pdu_eval.h"
#include "rw_plugin.h"

#define N_ROWS(a) (sizeof(a) / sizeof((a)[0]))

/* One three-phase PDU as the project's tests/data/pdu tree has it, cut down. */
static const char base_doc[] =
    "{\"endpoints\": [{\"name\": \"dev\", \"ok\": true, \"polled_at\": \"2026-11-23T19:20:00Z\","
    " \"pdus\": [{\"id\": \"1\", \"health\": \"OK\","
    "  \"inlets\": [{\"id\": \"AC1\", \"power_w\": 9961.3, \"current_a\": 14.82,"
    "    \"voltage_v\": 230.4, \"energy_kwh\": 48213.7, \"rated_current_a\": 32,"
    "    \"health\": \"OK\"}],"
    "  \"branches\": [{\"id\": \"A\", \"current_a\": 5.12, \"rated_current_a\": 16,"
    "    \"breaker_state\": \"Normal\", \"health\": \"OK\"},"
    "   {\"id\": \"C\", \"current_a\": 0, \"rated_current_a\": 16,"
    "    \"breaker_state\": \"Tripped\", \"health\": \"Critical\"}],"
    "  \"outlets\": [{\"id\": \"A1\", \"power_state\": \"On\", \"current_a\": 0.82,"
    "    \"power_w\": 184.6, \"rated_current_a\": 10, \"health\": \"OK\"},"
    "   {\"id\": \"A4\", \"power_state\": \"On\", \"health\": \"OK\"},"
    "   {\"id\": \"B2\", \"power_state\": \"Off\", \"current_a\": 0, \"power_w\": 0,"
    "    \"rated_current_a\": 10, \"health\": \"Warning\"}]}]}]}";

/* The same device, failed. */
static const char failed_doc[] = "{\"endpoints\": [{\"name\": \"dev\", \"ok\": false,"
                                 " \"error\": \"/redfish/v1/: connection refused\"}]}";

/* Two PDUs with one outlet each. */
static const char two_doc[] =
    "{\"endpoints\": [{\"name\": \"dev\", \"ok\": true, \"pdus\": ["
    " {\"id\": \"1\", \"outlets\": [{\"id\": \"A1\", \"power_w\": 10}]},"
    " {\"id\": \"2\", \"outlets\": [{\"id\": \"A1\", \"power_w\": 20}]}]}]}";

static const char no_pdu_doc[] = "{\"endpoints\": [{\"name\": \"dev\", \"ok\": true}]}";

static struct rf_snapshot *
load(const char *doc)
{
    struct rf_snapshot *snap = NULL;
    struct rw_err err;

    if (rf_snapshot_parse(doc, strlen(doc), &snap, &err) != RW_OK) {
        fail_msg("test document: %s", err.msg);
    }
    return snap;
}

/* A check from a row: one of each filter is enough for the table. */
struct row {
    const char *doc;
    enum rw_pdu_metric metric;
    const char *warn, *crit;
    const char *outlet, *branch, *expect, *pdu;
    bool ignore_health;
    enum rw_state want_state;
    const char *want; /* the whole output */
};

static void
row_check(const struct row *r, struct rw_pdu_check *chk)
{
    rw_pdu_check_init(chk);
    chk->metric = r->metric;
    chk->pdu = r->pdu;
    chk->ignore_health = r->ignore_health;
    if (r->warn != NULL) {
        assert_int_equal(rw_range_parse(r->warn, &chk->thr.warn, NULL), RW_OK);
    }
    if (r->crit != NULL) {
        assert_int_equal(rw_range_parse(r->crit, &chk->thr.crit, NULL), RW_OK);
    }
    if (r->outlet != NULL) {
        assert_int_equal(rw_pdu_add_outlet(chk, r->outlet, NULL), RW_OK);
    }
    if (r->branch != NULL) {
        assert_int_equal(rw_pdu_add_branch(chk, r->branch, NULL), RW_OK);
    }
    if (r->expect != NULL) {
        assert_int_equal(rw_pdu_add_expect(chk, r->expect, NULL), RW_OK);
    }
}

/* Runs chk on doc's endpoint; the whole formatted output into *text (caller frees). */
static enum rw_rc
run(const char *doc, const struct rw_pdu_check *chk, enum rw_state *state, char **text)
{
    struct rf_snapshot *snap = load(doc);
    struct rw_plugin_out out;
    struct rw_buf buf;
    struct rw_err err;
    enum rw_rc rc;

    rw_err_clear(&err);
    rw_plugin_out_init(&out, "PDU");
    rw_buf_init(&buf, 1 << 20);
    rc = rw_pdu_eval(chk, snap->endpoints[0], &out, state, &err);
    *text = NULL;
    if (rc == RW_OK && rw_plugin_format(*state, NULL, &out, &buf) == RW_OK) {
        *text = rw_buf_take(&buf);
    }
    rw_buf_free(&buf);
    rw_plugin_out_cleanup(&out);
    rf_snapshot_free(snap);
    return rc;
}

static const struct row rows[] = {
    /* 0: health alone: branch C is Critical, outlet B2 Warning */
    {base_doc, RW_PDU_METRIC_NONE, NULL, NULL, NULL, NULL, NULL, NULL, false, RW_STATE_CRITICAL,
     "PDU CRITICAL - branch C health Critical (breaker Tripped); outlet B2 health Warning\n"},
    {base_doc, RW_PDU_METRIC_NONE, NULL, NULL, NULL, NULL, NULL, NULL, true, RW_STATE_OK,
     "PDU OK - 1 PDU, health not checked\n"},
    {base_doc, RW_PDU_INLET_POWER, "9000", "12000", NULL, NULL, NULL, NULL, true, RW_STATE_WARNING,
     "PDU WARNING - inlet AC1 power 9961.3 W | AC1_power=9961.3W;9000;12000;0\n"
     "inlet AC1 power 9961.3 W: WARNING\n"},
    {base_doc, RW_PDU_INLET_CURRENT, NULL, "~:10", NULL, NULL, NULL, NULL, true, RW_STATE_CRITICAL,
     "PDU CRITICAL - inlet AC1 current 14.82 A | AC1_current=14.82A;;~:10;0;32\n"
     "inlet AC1 current 14.82 A: CRITICAL\n"},
    {base_doc, RW_PDU_INLET_VOLTAGE, "220:240", NULL, NULL, NULL, NULL, NULL, true, RW_STATE_OK,
     "PDU OK - inlet AC1 voltage 230.4 V; 1 PDU, health not checked | AC1_voltage=230.4V;220:240\n"
     "inlet AC1 voltage 230.4 V: OK\n"},
    {base_doc, RW_PDU_INLET_ENERGY, NULL, "@40000:50000", NULL, NULL, NULL, NULL, true,
     RW_STATE_CRITICAL,
     "PDU CRITICAL - inlet AC1 energy 48213.7 kWh | AC1_energy_kWh=48213.7;;@40000:50000;0\n"
     "inlet AC1 energy 48213.7 kWh: CRITICAL\n"},
    /* 6: a filter limits health to what it names */
    {base_doc, RW_PDU_BRANCH_CURRENT, "5", NULL, NULL, "A", NULL, NULL, false, RW_STATE_WARNING,
     "PDU WARNING - branch A current 5.12 A | A_current=5.12A;5;;0;16\n"
     "branch A current 5.12 A: WARNING\n"},
    {base_doc, RW_PDU_OUTLET_CURRENT, NULL, NULL, NULL, NULL, NULL, NULL, true, RW_STATE_OK,
     "PDU OK - current of 2 elements OK, highest 0.82 A (outlet A1); 1 PDU, health not checked | "
     "A1_current=0.82A;;;0;10 B2_current=0A;;;0;10\n"
     "outlet A1 current 0.82 A: OK\noutlet B2 current 0 A: OK\n"
     "current not reported by (left out): outlet A4\n"},
    {base_doc, RW_PDU_OUTLET_POWER, NULL, NULL, "A4", NULL, NULL, NULL, true, RW_STATE_UNKNOWN,
     "PDU UNKNOWN - outlet-power: no covered element reports power\n"
     "power not reported by (left out): outlet A4\n"},
    {base_doc, RW_PDU_LOAD_PERCENT, "40", NULL, NULL, NULL, NULL, NULL, true, RW_STATE_WARNING,
     "PDU WARNING - inlet AC1 load 46.3125 % | inlet_AC1_load=46.3125%;40;;0 "
     "branch_A_load=32%;40;;0 branch_C_load=0%;40;;0 outlet_A1_load=8.2%;40;;0 "
     "outlet_B2_load=0%;40;;0\n"
     "inlet AC1 load 46.3125 %: WARNING\nbranch A load 32 %: OK\nbranch C load 0 %: OK\n"
     "outlet A1 load 8.2 %: OK\noutlet B2 load 0 %: OK\n"
     "load not reported by (left out): outlet A4\n"},
    /* 10: expected states */
    {base_doc, RW_PDU_METRIC_NONE, NULL, NULL, NULL, NULL, "B2=On", NULL, true, RW_STATE_CRITICAL,
     "PDU CRITICAL - outlet B2 is Off, expected On\n"},
    {base_doc, RW_PDU_METRIC_NONE, NULL, NULL, NULL, NULL, "B2=OFF", NULL, true, RW_STATE_OK,
     "PDU OK - 1 PDU, health not checked, outlet states as expected\noutlet B2 is Off as "
     "expected\n"},
    {base_doc, RW_PDU_METRIC_NONE, NULL, NULL, NULL, NULL, "Z1=On", NULL, true, RW_STATE_UNKNOWN,
     "PDU UNKNOWN - no outlet 'Z1'\n"},
    /* 13: selection and failures */
    {base_doc, RW_PDU_OUTLET_POWER, NULL, NULL, "Z9", NULL, NULL, NULL, false, RW_STATE_UNKNOWN,
     "PDU UNKNOWN - no outlet 'Z9'\n"},
    {base_doc, RW_PDU_BRANCH_CURRENT, NULL, NULL, NULL, "Q", NULL, NULL, false, RW_STATE_UNKNOWN,
     "PDU UNKNOWN - no branch 'Q'\n"},
    {base_doc, RW_PDU_METRIC_NONE, NULL, NULL, NULL, NULL, NULL, "7", false, RW_STATE_UNKNOWN,
     "PDU UNKNOWN - no PDU '7'\n"},
    {no_pdu_doc, RW_PDU_INLET_POWER, NULL, NULL, NULL, NULL, NULL, NULL, false, RW_STATE_UNKNOWN,
     "PDU UNKNOWN - no rack PDU\n"},
    {failed_doc, RW_PDU_INLET_POWER, NULL, NULL, NULL, NULL, NULL, NULL, false, RW_STATE_CRITICAL,
     "PDU CRITICAL - /redfish/v1/: connection refused\n"},
    /* 18: several PDUs: labels and texts name the PDU */
    {two_doc, RW_PDU_OUTLET_POWER, NULL, "15", NULL, NULL, NULL, NULL, false, RW_STATE_CRITICAL,
     "PDU CRITICAL - PDU 2 outlet A1 power 20 W | 1_A1_power=10W;;15;0 2_A1_power=20W;;15;0\n"
     "PDU 1 outlet A1 power 10 W: OK\nPDU 2 outlet A1 power 20 W: CRITICAL\n"},
    {two_doc, RW_PDU_OUTLET_POWER, NULL, NULL, NULL, NULL, NULL, "2", false, RW_STATE_OK,
     "PDU OK - outlet A1 power 20 W; 1 PDU, health OK | A1_power=20W;;;0\n"
     "outlet A1 power 20 W: OK\n"},
};

static void
test_eval_table(void **state)
{
    struct rw_pdu_check chk;
    enum rw_state got;
    char *text;
    size_t i;

    (void)state;
    for (i = 0; i < N_ROWS(rows); i++) {
        row_check(&rows[i], &chk);
        if (run(rows[i].doc, &chk, &got, &text) != RW_OK || text == NULL) {
            fail_msg("row %zu: evaluation failed", i);
        }
        if (got != rows[i].want_state || strcmp(text, rows[i].want) != 0) {
            fail_msg("row %zu: state %d, output\n%s\nwant %d\n%s", i, got, text, rows[i].want_state,
                     rows[i].want);
        }
        free(text);
    }
}

static void
test_metric_names(void **state)
{
    static const struct {
        const char *name;
        enum rw_rc want_rc;
        enum rw_pdu_metric want;
    } names[] = {
        {"inlet-power", RW_OK, RW_PDU_INLET_POWER},
        {"inlet-current", RW_OK, RW_PDU_INLET_CURRENT},
        {"inlet-voltage", RW_OK, RW_PDU_INLET_VOLTAGE},
        {"inlet-energy", RW_OK, RW_PDU_INLET_ENERGY},
        {"branch-current", RW_OK, RW_PDU_BRANCH_CURRENT},
        {"outlet-current", RW_OK, RW_PDU_OUTLET_CURRENT},
        {"outlet-power", RW_OK, RW_PDU_OUTLET_POWER},
        {"load-percent", RW_OK, RW_PDU_LOAD_PERCENT},
        {"", RW_EINVAL, RW_PDU_METRIC_NONE},
        {"Inlet-Power", RW_EINVAL, RW_PDU_METRIC_NONE},
        {"inlet-power ", RW_EINVAL, RW_PDU_METRIC_NONE},
        {"power", RW_EINVAL, RW_PDU_METRIC_NONE},
        {"load-percent-x", RW_EINVAL, RW_PDU_METRIC_NONE},
        {"inlet", RW_EINVAL, RW_PDU_METRIC_NONE},
        {"outlet-state", RW_EINVAL, RW_PDU_METRIC_NONE},
        {"energy", RW_EINVAL, RW_PDU_METRIC_NONE},
    };
    enum rw_pdu_metric got;
    struct rw_err err;
    size_t i;

    (void)state;
    for (i = 0; i < N_ROWS(names); i++) {
        got = RW_PDU_METRIC_NONE;
        rw_err_clear(&err);
        if (rw_pdu_metric_parse(names[i].name, &got, &err) != names[i].want_rc ||
            got != names[i].want) {
            fail_msg("row %zu: '%s'", i, names[i].name);
        }
        if (names[i].want_rc == RW_OK) {
            assert_string_equal(rw_pdu_metric_name(got), names[i].name);
        } else {
            assert_non_null(strstr(err.msg, "unknown metric"));
        }
    }
    assert_string_equal(rw_pdu_metric_name(RW_PDU_METRIC_NONE), "");
}

static void
test_expect_table(void **state)
{
    static const struct {
        const char *text;
        enum rw_rc want_rc;
        const char *want_id;
        bool want_on;
        const char *want_msg;
    } exp[] = {
        {"A1=On", RW_OK, "A1", true, ""},
        {"B2=off", RW_OK, "B2", false, ""},
        {"x=y=ON", RW_OK, "x=y", true, ""},
        {"A1", RW_EINVAL, NULL, false, "'A1' is not ID=On or ID=Off"},
        {"=On", RW_EINVAL, NULL, false, "'=On' is not ID=On or ID=Off"},
        {"", RW_EINVAL, NULL, false, "'' is not ID=On or ID=Off"},
        {"A1=", RW_EINVAL, NULL, false, "'A1=': the state must be On or Off"},
        {"A1=Dim", RW_EINVAL, NULL, false, "'A1=Dim': the state must be On or Off"},
        {"A1=On ", RW_EINVAL, NULL, false, "'A1=On ': the state must be On or Off"},
    };
    struct rw_pdu_check chk;
    struct rw_err err;
    size_t i;

    (void)state;
    for (i = 0; i < N_ROWS(exp); i++) {
        rw_pdu_check_init(&chk);
        rw_err_clear(&err);
        if (rw_pdu_add_expect(&chk, exp[i].text, &err) != exp[i].want_rc) {
            fail_msg("row %zu: '%s': %s", i, exp[i].text, err.msg);
        }
        if (exp[i].want_rc != RW_OK) {
            assert_string_equal(err.msg, exp[i].want_msg);
            assert_int_equal(chk.n_expect, 0);
            continue;
        }
        assert_int_equal(chk.n_expect, 1);
        assert_string_equal(chk.expect[0].outlet, exp[i].want_id);
        assert_int_equal(chk.expect[0].on, exp[i].want_on);
    }
}

static void
test_limits(void **state)
{
    char id[RW_PDU_ID_MAX + 8];
    struct rw_pdu_check chk;
    struct rw_err err;
    size_t i;

    (void)state;
    rw_pdu_check_init(&chk);
    for (i = 0; i < RW_PDU_IDS_MAX; i++) {
        assert_int_equal(rw_pdu_add_outlet(&chk, "A1", NULL), RW_OK);
        assert_int_equal(rw_pdu_add_branch(&chk, "A", NULL), RW_OK);
        assert_int_equal(rw_pdu_add_expect(&chk, "A1=On", NULL), RW_OK);
    }
    rw_err_clear(&err);
    assert_int_equal(rw_pdu_add_outlet(&chk, "A1", &err), RW_EINVAL);
    assert_string_equal(err.msg, "at most 64 outlets");
    rw_err_clear(&err);
    assert_int_equal(rw_pdu_add_branch(&chk, "A", &err), RW_EINVAL);
    assert_string_equal(err.msg, "at most 64 branches");
    rw_err_clear(&err);
    assert_int_equal(rw_pdu_add_expect(&chk, "A1=On", &err), RW_EINVAL);
    assert_string_equal(err.msg, "at most 64 expected states");
    rw_pdu_check_init(&chk);
    rw_err_clear(&err);
    assert_int_equal(rw_pdu_add_outlet(&chk, "", &err), RW_EINVAL);
    assert_string_equal(err.msg, "empty outlet ID");
    rw_err_clear(&err);
    memset(id, 'x', sizeof(id));
    memcpy(id + RW_PDU_ID_MAX, "=On", 4);
    assert_int_equal(rw_pdu_add_expect(&chk, id, &err), RW_EINVAL);
    assert_string_equal(err.msg, "outlet ID longer than 127 bytes");
}

static void
test_validate_table(void **state)
{
    static const struct {
        enum rw_pdu_metric metric;
        bool warn, outlet, branch;
        const char *want; /* NULL: valid */
    } val[] = {
        {RW_PDU_METRIC_NONE, false, false, false, NULL},
        {RW_PDU_OUTLET_POWER, true, true, false, NULL},
        {RW_PDU_BRANCH_CURRENT, true, false, true, NULL},
        {RW_PDU_LOAD_PERCENT, true, true, true, NULL},
        {RW_PDU_METRIC_NONE, true, false, false, "-w/-c need --metric"},
        {RW_PDU_INLET_POWER, false, true, false,
         "--outlet goes with --metric outlet-current, outlet-power or load-percent"},
        {RW_PDU_OUTLET_CURRENT, false, false, true,
         "--branch goes with --metric branch-current or load-percent"},
        {RW_PDU_METRIC_NONE, false, true, false,
         "--outlet goes with --metric outlet-current, outlet-power or load-percent"},
    };
    struct rw_pdu_check chk;
    struct rw_err err;
    size_t i;

    (void)state;
    for (i = 0; i < N_ROWS(val); i++) {
        rw_pdu_check_init(&chk);
        chk.metric = val[i].metric;
        chk.thr.warn.set = val[i].warn;
        if (val[i].outlet) {
            assert_int_equal(rw_pdu_add_outlet(&chk, "A1", NULL), RW_OK);
        }
        if (val[i].branch) {
            assert_int_equal(rw_pdu_add_branch(&chk, "A", NULL), RW_OK);
        }
        rw_err_clear(&err);
        if ((rw_pdu_check_validate(&chk, &err) == RW_OK) != (val[i].want == NULL)) {
            fail_msg("row %zu: %s", i, err.msg);
        }
        if (val[i].want != NULL) {
            assert_string_equal(err.msg, val[i].want);
        }
    }
}

/* A PDU with n outlets, every one over the threshold: a verdict within the output caps. */
static void
test_large_pdu(void **state)
{
    struct rf_endpoint *ep = rf_endpoint_new();
    struct rw_plugin_out out;
    struct rw_pdu_check chk;
    enum rw_state st;
    struct rf_outlet *o;
    struct rf_pdu *pdu;
    struct rw_err err;
    char id[32];
    size_t i;

    (void)state;
    ep->ok = true;
    assert_int_equal(rf_pdu_add(ep, &pdu, NULL), RW_OK);
    assert_int_equal(rf_str_set(&pdu->id, "1", NULL), RW_OK);
    for (i = 0; i < RF_MEMBERS_MAX; i++) {
        assert_int_equal(rf_outlet_add(pdu, &o, NULL), RW_OK);
        (void)snprintf(id, sizeof(id), "outlet-%zu", i);
        assert_int_equal(rf_str_set(&o->id, id, NULL), RW_OK);
        o->current_a = i % 4 != 0 ? 3.5 : NAN;
    }
    rw_pdu_check_init(&chk);
    chk.metric = RW_PDU_OUTLET_CURRENT;
    assert_int_equal(rw_range_parse("1", &chk.thr.crit, NULL), RW_OK);
    rw_plugin_out_init(&out, "PDU");
    assert_int_equal(rw_pdu_eval(&chk, ep, &out, &st, &err), RW_OK);
    assert_int_equal(st, RW_STATE_CRITICAL);
    assert_non_null(strstr(rw_buf_str(&out.summary), "; and "));
    assert_non_null(strstr(rw_buf_str(&out.details), " more lines left out"));
    assert_non_null(strstr(rw_buf_str(&out.details), "perfdata of "));
    assert_non_null(strstr(rw_buf_str(&out.details), " and others"));
    rw_plugin_out_cleanup(&out);
    rf_endpoint_free(ep);
}

#ifndef __SANITIZE_ADDRESS__
/* Allocation failure, as test_rf_snapshot does it: every allocation of the evaluation
 * fails once; the result is RW_ENOMEM (state UNKNOWN) and nothing leaks. */
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void __libc_free(void *p);

static struct {
    bool armed;
    long countdown, live;
    bool failed;
} torture;

static bool
torture_fail(void)
{
    if (torture.armed && torture.countdown-- == 0) {
        torture.failed = true;
        return true;
    }
    return false;
}

void *
malloc(size_t size)
{
    void *p = torture_fail() ? NULL : __libc_malloc(size);

    torture.live += torture.armed && p != NULL;
    return p;
}

void *
calloc(size_t n, size_t size)
{
    void *p = torture_fail() ? NULL : __libc_calloc(n, size);

    torture.live += torture.armed && p != NULL;
    return p;
}

void *
realloc(void *old, size_t size)
{
    void *p = torture_fail() ? NULL : __libc_realloc(old, size);

    torture.live += torture.armed && p != NULL && old == NULL;
    return p;
}

void
free(void *p)
{
    torture.live -= torture.armed && p != NULL;
    __libc_free(p);
}

static void
test_allocation_failures(void **state)
{
    struct rf_snapshot *snap = load(base_doc);
    struct rw_plugin_out out;
    struct rw_pdu_check chk;
    enum rw_state st;
    enum rw_rc rc;
    long n;

    (void)state;
    row_check(&rows[9], &chk); /* load-percent: perfdata, details, the absent list */
    for (n = 0; n < 10000; n++) {
        rw_plugin_out_init(&out, "PDU");
        torture.armed = true;
        torture.countdown = n;
        torture.live = 0;
        torture.failed = false;
        rc = rw_pdu_eval(&chk, snap->endpoints[0], &out, &st, NULL);
        rw_plugin_out_cleanup(&out);
        torture.armed = false;
        if (torture.live != 0 || (torture.failed && (rc != RW_ENOMEM || st != RW_STATE_UNKNOWN))) {
            fail_msg("allocation %ld: %s, %ld blocks leaked", n, rw_rc_name(rc), torture.live);
        }
        if (!torture.failed) {
            break;
        }
    }
    assert_true(n > 3);
    rf_snapshot_free(snap);
}
#else
static void
test_allocation_failures(void **state)
{
    (void)state;
    print_message("skipped: AddressSanitizer owns malloc in this build\n");
    skip();
}
#endif

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eval_table),          cmocka_unit_test(test_metric_names),
        cmocka_unit_test(test_expect_table),        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_validate_table),      cmocka_unit_test(test_large_pdu),
        cmocka_unit_test(test_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * register_spoke: the steps of rackwatch register for one spoke -- its part of step 2,
 * then steps 4-9, or the --unregister and --update-cert paths (see register.h).
 */
#include "register_int.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "rf_config.h"
#include "rw_hubspoke_list.h"
#include "rw_known_spokes.h"

#define REG_POLL_MS 1000 /* between two looks at a task monitor or a new member */

/* The spoke's TLS handshake: its leaf's fingerprint; REG_GO or the exit code. */
static int
probe_spoke(struct reg_run *run, struct reg_spoke *sp)
{
    struct rw_tls_target target = {sp->t->url.host, sp->t->url.port, NULL, NULL};
    struct rw_tls_result res;
    struct rw_err err;
    int rc = CLI_EXIT_FAILED;

    rw_tls_result_init(&res);
    rw_err_clear(&err);
    if (rw_tls_probe_many(run->tls, &target, 1, run->timeout_ms, &res, &err) != RW_OK) {
        reg_fail("spoke %s: %s", sp->t->name, err.msg);
    } else if (res.rc != RW_OK || res.chain == NULL || rw_cert_chain_count(res.chain) == 0) {
        reg_fail("spoke %s (%s) does not answer HTTPS: %s", sp->t->name, sp->name,
                 res.rc != RW_OK ? res.err.msg : "no certificate");
    } else {
        const struct rw_cert *leaf = rw_cert_chain_get(res.chain, 0);

        sp->fp = *rw_cert_fingerprint(leaf);
        (void)snprintf(sp->fp_text, sizeof(sp->fp_text), "%s", rw_cert_fingerprint_text(leaf));
        rc = REG_GO;
    }
    rw_tls_result_cleanup(&res);
    return rc;
}

/* Step 2 for the spoke: TLS, then GET /redfish/v1/ with its own credentials and TLS
 * settings (the configuration's CA file or pin). */
static int
step_spoke_alive(struct reg_run *run, struct reg_spoke *sp)
{
    struct rf_service_opts svc;
    struct cli_reg_reply reply;
    struct rw_err err;
    int rc = probe_spoke(run, sp);

    rw_err_clear(&err);
    rf_config_service(sp->t, &svc);
    if (rc == REG_GO && rf_client_add(run->client, &svc, &sp->svc, &err) != RW_OK) {
        reg_fail("spoke %s: %s", sp->t->name, err.msg);
        rc = CLI_EXIT_FAILED;
    }
    if (rc != REG_GO) {
        return rc;
    }
    cli_reg_reply_init(&reply);
    if (cli_reg_call(run->client, sp->svc, RF_METHOD_GET, "/redfish/v1/", NULL, run->timeout_ms,
                     &reply) != RW_OK) {
        reg_fail("spoke %s (%s) does not answer HTTPS: GET /redfish/v1/: %s", sp->t->name, sp->name,
                 reply.msg);
        rc = CLI_EXIT_FAILED;
    } else {
        reg_ok("spoke %s (%s) answers HTTPS; its certificate is %s", sp->t->name, sp->name,
               sp->fp_text);
    }
    cli_reg_reply_cleanup(&reply);
    return rc;
}

/* Reads one server's product and version with a reader of opts into res. */
static void
read_identity(struct reg_run *run, struct rf_service *svc, const char *role, const char *name,
              const struct rw_hubspoke_read_opts *opts, struct rw_hubspoke_reader **reader,
              struct rw_hubspoke_result *res)
{
    struct rw_err err;

    rw_err_clear(&err);
    if (rw_hubspoke_reader_new(opts, reader, &err) != RW_OK) {
        rw_hubspoke_fail(res, RW_SPOKE_INVALID_SERVER, "%s %s: %s", role, name, err.msg);
        return;
    }
    cli_reg_read(run->client, svc, *reader, run->timeout_ms);
    rw_hubspoke_reader_report(*reader, role, name, res);
}

/* Step 4: product identity and version policy; REG_GO or the exit code. */
static int
step_versions(struct reg_run *run, struct reg_spoke *sp)
{
    struct rw_hubspoke_read_opts ro = {run->have_product ? &run->product : NULL,
                                       run->cfg->policy.product, run->cfg->policy.version_url,
                                       run->cfg->policy.version_pointer};
    struct rw_hubspoke_reader *hub = NULL, *spoke = NULL;
    struct rw_hubspoke_result res;
    int rc = REG_GO;

    rw_hubspoke_result_init(&res);
    read_identity(run, run->hub_svc, "hub", run->hub_name, &ro, &hub, &res);
    read_identity(run, sp->svc, "spoke", sp->name, &ro, &spoke, &res);
    if (res.status == RW_SPOKE_OK) {
        rw_hubspoke_check_versions(run->vpolicy, run->hub_name, rw_hubspoke_reader_version(hub),
                                   sp->name, rw_hubspoke_reader_version(spoke), &res);
    }
    if (res.status != RW_SPOKE_OK) {
        reg_fail("product and version: %s: %s", rw_spoke_status_name(res.status), res.detail);
        rc = res.status == RW_SPOKE_NOT_RESPONDING ? CLI_EXIT_FAILED : CLI_EXIT_SOME_FAILED;
    } else {
        reg_ok("product and version: %s%s hub %s, spoke %s: compatible",
               rw_hubspoke_reader_product(hub), rw_hubspoke_reader_product(hub)[0] ? "," : "",
               rw_hubspoke_reader_version(hub), rw_hubspoke_reader_version(spoke));
    }
    rw_hubspoke_reader_free(hub);
    rw_hubspoke_reader_free(spoke);
    return rc;
}

/* Lists the AggregationSources of svc into a new *lister; REG_GO or the exit code. */
static int
list_sources(struct reg_run *run, struct rf_service *svc, const char *role, const char *name,
             int missing_empty, struct rw_hubspoke_lister **lister)
{
    const char *msg = "";
    struct rw_err err;
    int missing = 0;

    rw_err_clear(&err);
    if (rw_hubspoke_lister_new(NULL, lister, &err) != RW_OK) {
        reg_fail("%s %s: %s", role, name, err.msg);
        return CLI_EXIT_FAILED;
    }
    if (cli_reg_list(run->client, svc, *lister, run->timeout_ms, missing_empty, &missing, &msg) !=
            RW_OK &&
        !missing) {
        reg_fail("%s %s: cannot list its AggregationSources: %s", role, name, msg);
        return CLI_EXIT_FAILED;
    }
    return REG_GO;
}

/* The data-loss warning, with up to 10 of the spoke's own spokes; 1 when allowed on. */
static int
warn_data_loss(const struct reg_run *run, const struct reg_spoke *sp,
               const struct rw_hubspoke_lister *lister)
{
    size_t i, n = rw_hubspoke_lister_count(lister);
    int allowed = run->opts->force || run->cfg->policy.confirm_data_loss;

    if (allowed) {
        reg_ok("spoke %s is itself a hub with %zu spoke(s) of its own: registering it replaces "
               "its database with hub %s's, and its own data is lost",
               sp->t->name, n, run->hub->name);
    } else {
        reg_fail("spoke %s is itself a hub with %zu spoke(s) of its own: registering it replaces "
                 "its database with hub %s's, and its own data is lost",
                 sp->t->name, n, run->hub->name);
    }
    for (i = 0; i < n && i < 10; i++) {
        reg_info("its spoke: %s", rw_hubspoke_lister_get(lister, i)->hostname);
    }
    if (allowed) {
        reg_info("going on: %s", run->opts->force ? "--force" : "policy.confirm_data_loss");
    } else {
        reg_info("to go on anyway: --force, or policy.confirm_data_loss: true");
    }
    return allowed;
}

/* Step 5: the data-loss guard; REG_GO or the exit code. */
static int
step_data_loss(struct reg_run *run, struct reg_spoke *sp)
{
    struct rw_hubspoke_lister *lister = NULL;
    int rc = list_sources(run, sp->svc, "spoke", sp->name, 1, &lister);

    if (rc == REG_GO && rw_hubspoke_lister_count(lister) == 0) {
        reg_ok("spoke %s has no spokes of its own: no data to lose", sp->t->name);
    } else if (rc == REG_GO && !warn_data_loss(run, sp, lister)) {
        rc = CLI_EXIT_SOME_FAILED;
    }
    rw_hubspoke_lister_free(lister);
    return rc;
}

/* Step 6: looks the spoke up among the hub's members (sp->member); REG_GO or exit. */
static int
find_member(struct reg_run *run, struct reg_spoke *sp)
{
    struct rw_hubspoke_lister *lister = NULL;
    size_t i;
    int rc = list_sources(run, run->hub_svc, "hub", run->hub_name, 0, &lister);

    sp->member[0] = '\0';
    for (i = 0; rc == REG_GO && i < rw_hubspoke_lister_count(lister); i++) {
        const struct rw_hubspoke_source *src = rw_hubspoke_lister_get(lister, i);

        if (cli_reg_same_server(src->hostname, &sp->t->url)) {
            (void)snprintf(sp->member, sizeof(sp->member), "%s", src->path);
            break;
        }
    }
    rw_hubspoke_lister_free(lister);
    return rc;
}

/* Links.ConnectionMethod to send: the hub's first ConnectionMethod, if it lists one. */
static int
connection_method(struct reg_run *run, char *out, size_t size)
{
    struct cli_reg_reply reply;
    char coll[CLI_REG_PATH_MAX];
    int found = 0;

    cli_reg_reply_init(&reply);
    if (cli_reg_call(run->client, run->hub_svc, RF_METHOD_GET, "/redfish/v1/AggregationService",
                     NULL, run->timeout_ms, &reply) == RW_OK &&
        cli_reg_link(rw_buf_str(&reply.body), rw_buf_len(&reply.body), "ConnectionMethods", coll,
                     sizeof(coll)) &&
        cli_reg_call(run->client, run->hub_svc, RF_METHOD_GET, coll, NULL, run->timeout_ms,
                     &reply) == RW_OK) {
        found = cli_reg_first_member(rw_buf_str(&reply.body), rw_buf_len(&reply.body), out, size);
    }
    cli_reg_reply_cleanup(&reply);
    return found;
}

/* Polls a task monitor until the hub has finished (bounded); reply holds the last answer. */
static int
wait_task(struct reg_run *run, const char *monitor, struct cli_reg_reply *reply)
{
    int64_t deadline = rf_client_now_ms() + run->wait_ms;
    char msg[CLI_REG_MSG_MAX];
    int n = 0;

    while (reply->rc == RW_OK && reply->status == 202) {
        if (rf_client_now_ms() >= deadline) {
            reg_fail("register: the hub's task %s did not finish within %ld s", monitor,
                     run->wait_ms / 1000);
            return CLI_EXIT_FAILED;
        }
        reg_wait("the hub is working on it (task monitor %s, look %d)", monitor, ++n);
        reg_sleep_ms(REG_POLL_MS);
        (void)cli_reg_call(run->client, run->hub_svc, RF_METHOD_GET, monitor, NULL, run->timeout_ms,
                           reply);
    }
    if (reply->rc != RW_OK) {
        reg_fail("register: task monitor %s: %s", monitor, reply->msg);
        return CLI_EXIT_FAILED;
    }
    if (cli_reg_task_failed(rw_buf_str(&reply->body), rw_buf_len(&reply->body), msg, sizeof(msg))) {
        reg_fail("register: the hub's %s", msg);
        return CLI_EXIT_FAILED;
    }
    return REG_GO;
}

/* What the POST (or its task) answered: the new member's path when it names one. */
static int
post_outcome(struct reg_run *run, struct reg_spoke *sp, struct cli_reg_reply *reply)
{
    char monitor[CLI_REG_PATH_MAX];
    int rc = REG_GO;

    if (reply->rc != RW_OK) {
        reg_fail("register: POST refused by hub %s: %s", run->hub->name, reply->msg);
        return CLI_EXIT_FAILED;
    }
    if (reply->status == 202) {
        if (!cli_reg_reply_path(reply->location, "", 0, monitor, sizeof(monitor))) {
            reg_fail("register: the hub answered 202 Accepted without a task monitor");
            return CLI_EXIT_FAILED;
        }
        rc = wait_task(run, monitor, reply);
    }
    /* A Location names the member; else a body that is the member (not a finished Task)
     * does; else the caller looks the member up by HostName. */
    if (rc == REG_GO && reply->location[0] == '\0' &&
        strstr(rw_buf_str(&reply->body), "\"TaskState\"") != NULL) {
        sp->member[0] = '\0';
    } else if (rc == REG_GO &&
               !cli_reg_reply_path(reply->location, rw_buf_str(&reply->body),
                                   rw_buf_len(&reply->body), sp->member, sizeof(sp->member))) {
        sp->member[0] = '\0';
    }
    return rc;
}

/* Step 7: POST the registration; REG_GO or the exit code. */
static int
step_post(struct reg_run *run, struct reg_spoke *sp)
{
    char conn[CLI_REG_PATH_MAX], *body = NULL;
    int has_conn = connection_method(run, conn, sizeof(conn));
    struct cli_reg_reply reply;
    struct rw_err err;
    int rc;

    rw_err_clear(&err);
    if (cli_reg_post_body(sp->url, sp->t->name, sp->t->cred->username, sp->t->cred->password,
                          has_conn ? conn : NULL, &body, &err) != RW_OK) {
        reg_fail("register: %s", err.msg);
        return CLI_EXIT_FAILED;
    }
    cli_reg_reply_init(&reply);
    (void)cli_reg_call(run->client, run->hub_svc, RF_METHOD_POST, RW_HUBSPOKE_SOURCES_DEFAULT, body,
                       run->timeout_ms, &reply);
    cli_reg_wipe(body);
    rc = post_outcome(run, sp, &reply);
    if (rc == REG_GO && sp->member[0] == '\0') {
        rc = find_member(run, sp);
    }
    if (rc == REG_GO && sp->member[0] == '\0') {
        reg_fail("register: the hub accepted the POST but lists no member for %s", sp->url);
        rc = CLI_EXIT_FAILED;
    }
    if (rc == REG_GO) {
        reg_ok("registered %s with hub %s as %s (HTTP %ld)%s%s", sp->t->name, run->hub->name,
               sp->member, reply.status, has_conn ? ", connection method " : "",
               has_conn ? conn : "");
    }
    cli_reg_reply_cleanup(&reply);
    return rc;
}

/* Step 8: reads the member back until the hub reports it healthy (bounded). */
static int
step_verify(struct reg_run *run, struct reg_spoke *sp)
{
    int64_t deadline = rf_client_now_ms() + run->wait_ms;
    enum cli_reg_health health = CLI_REG_PENDING;
    struct cli_reg_reply reply;
    char msg[CLI_REG_MSG_MAX] = "";
    int n = 0;

    cli_reg_reply_init(&reply);
    while (health == CLI_REG_PENDING || health == CLI_REG_BAD) {
        if (n > 0 && rf_client_now_ms() >= deadline) {
            break;
        }
        if (n++ > 0) {
            reg_wait("waiting for hub %s to report %s healthy: %s (look %d)", run->hub->name,
                     sp->t->name, msg, n);
            reg_sleep_ms(REG_POLL_MS);
        }
        if (cli_reg_call(run->client, run->hub_svc, RF_METHOD_GET, sp->member, NULL,
                         run->timeout_ms, &reply) != RW_OK) {
            (void)snprintf(msg, sizeof(msg), "GET %.100s: %.140s", sp->member, reply.msg);
            health = CLI_REG_BAD;
            continue;
        }
        health = cli_reg_member_health(rw_buf_str(&reply.body), rw_buf_len(&reply.body), msg,
                                       sizeof(msg));
    }
    cli_reg_reply_cleanup(&reply);
    if (health == CLI_REG_HEALTHY) {
        reg_ok("verified: hub %s reports %s: %s", run->hub->name, sp->member, msg);
        return REG_GO;
    }
    reg_fail("verify: hub %s reports %s %s: %s", run->hub->name, sp->member,
             health == CLI_REG_CRITICAL ? "Critical" : "not healthy in time", msg);
    return CLI_EXIT_FAILED;
}

/* Loads the known-spokes file (missing: empty); NULL after saying why. */
static struct rw_known_spokes *
known_load(const struct reg_run *run)
{
    struct rw_known_spokes *ks = NULL;
    struct rw_err err;

    rw_err_clear(&err);
    if (rw_known_spokes_load(run->cfg->policy.known_spokes, RW_KNOWN_SPOKES_MISSING_OK, &ks,
                             &err) != RW_OK) {
        reg_fail("known spokes: %s", err.msg);
        return NULL;
    }
    return ks;
}

/* Step 9 (and --update-cert): records the spoke's fingerprint; old and new are shown. */
static int
step_record(struct reg_run *run, struct reg_spoke *sp)
{
    struct rw_known_spokes *ks = known_load(run);
    const char *path = run->cfg->policy.known_spokes;
    struct rw_fingerprint old;
    char old_text[RW_FINGERPRINT_TEXT_MAX] = "(none)";
    struct rw_err err;
    int rc = CLI_EXIT_FAILED;

    if (ks == NULL) {
        return rc;
    }
    if (rw_known_spokes_lookup(ks, sp->t->url.host, sp->t->url.port, &old)) {
        rw_fingerprint_format(&old, old_text);
    }
    rw_err_clear(&err);
    if (run->opts->dry_run) {
        reg_ok("dry run: would record %s for %s in %s (old %s)", sp->fp_text, sp->name, path,
               old_text);
        rc = REG_GO;
    } else if (rw_known_spokes_set(ks, sp->t->url.host, sp->t->url.port, &sp->fp, NULL, &err) !=
                   RW_OK ||
               rw_known_spokes_save(ks, path, &err) != RW_OK) {
        reg_fail("known spokes: %s", err.msg);
    } else {
        reg_ok("recorded the certificate of %s in %s", sp->name, path);
        reg_info("old: %s", old_text);
        reg_info("new: %s", sp->fp_text);
        rc = REG_GO;
    }
    rw_known_spokes_free(ks);
    return rc;
}

/* Removes the spoke's known-spokes line, if it has one. */
static int
forget_spoke(struct reg_run *run, struct reg_spoke *sp)
{
    struct rw_known_spokes *ks = known_load(run);
    struct rw_err err;
    int rc = REG_GO;

    rw_err_clear(&err);
    if (ks == NULL) {
        return CLI_EXIT_FAILED;
    }
    if (rw_known_spokes_remove(ks, sp->t->url.host, sp->t->url.port)) {
        if (rw_known_spokes_save(ks, run->cfg->policy.known_spokes, &err) != RW_OK) {
            reg_fail("known spokes: %s", err.msg);
            rc = CLI_EXIT_FAILED;
        } else {
            reg_ok("removed %s from %s", sp->name, run->cfg->policy.known_spokes);
        }
    }
    rw_known_spokes_free(ks);
    return rc;
}

/* --unregister: DELETE the member, then its known-spokes line. */
static int
do_unregister(struct reg_run *run, struct reg_spoke *sp)
{
    struct cli_reg_reply reply;
    int rc = REG_GO;

    if (sp->member[0] == '\0') {
        reg_ok("spoke %s is not registered with hub %s: nothing to remove there", sp->t->name,
               run->hub->name);
    } else if (run->opts->dry_run) {
        reg_ok("dry run: would DELETE %s on hub %s", sp->member, run->hub->name);
        return CLI_EXIT_OK;
    } else if (!run->opts->yes && isatty(STDIN_FILENO) && !reg_ask("Unregister this spoke?")) {
        reg_fail("unregister: not confirmed");
        return CLI_EXIT_SOME_FAILED;
    } else {
        cli_reg_reply_init(&reply);
        if (cli_reg_call(run->client, run->hub_svc, RF_METHOD_DELETE, sp->member, NULL,
                         run->timeout_ms, &reply) != RW_OK) {
            reg_fail("unregister: DELETE %s: %s", sp->member, reply.msg);
            rc = CLI_EXIT_FAILED;
        } else {
            reg_ok("unregistered %s: hub %s deleted %s", sp->t->name, run->hub->name, sp->member);
        }
        cli_reg_reply_cleanup(&reply);
    }
    if (rc == REG_GO && !run->opts->dry_run) {
        rc = forget_spoke(run, sp);
    }
    return rc == REG_GO ? CLI_EXIT_OK : rc;
}

/* --update-cert: the spoke must be registered; then step 9 with old and new shown. */
static int
do_update_cert(struct reg_run *run, struct reg_spoke *sp)
{
    int rc;

    if (sp->member[0] == '\0') {
        reg_fail("update-cert: spoke %s is not registered with hub %s; register it first",
                 sp->t->name, run->hub->name);
        return CLI_EXIT_SOME_FAILED;
    }
    reg_ok("spoke %s is registered with hub %s as %s", sp->t->name, run->hub->name, sp->member);
    rc = step_record(run, sp);
    return rc == REG_GO ? CLI_EXIT_OK : rc;
}

/* Steps 7-9 once the checks have passed. */
static int
do_register(struct reg_run *run, struct reg_spoke *sp)
{
    int rc;

    if (run->opts->dry_run) {
        reg_ok("dry run: would POST {HostName: %s, UserName: %s, Password: (hidden)} to hub %s; "
               "nothing changed",
               sp->url, sp->t->cred->username, run->hub->name);
        return CLI_EXIT_OK;
    }
    if (!run->opts->yes && isatty(STDIN_FILENO) && !reg_ask("Register this spoke with the hub?")) {
        reg_fail("register: not confirmed");
        return CLI_EXIT_SOME_FAILED;
    }
    rc = step_post(run, sp);
    if (rc == REG_GO) {
        rc = step_verify(run, sp);
    }
    if (rc == REG_GO) {
        rc = step_record(run, sp);
    }
    return rc == REG_GO ? CLI_EXIT_OK : rc;
}

int
reg_spoke_run(struct reg_run *run, const struct rw_config_target *target)
{
    struct reg_spoke sp;
    int rc;

    memset(&sp, 0, sizeof(sp));
    sp.t = target;
    (void)rw_url_authority(&target->url, sp.name, sizeof(sp.name));
    (void)rw_url_format(&target->url, sp.url, sizeof(sp.url));
    (void)printf("spoke %s (%s):\n", target->name, sp.name);
    rc = step_spoke_alive(run, &sp);
    if (rc == REG_GO && !run->opts->unregister && !run->opts->update_cert) {
        rc = step_versions(run, &sp);
        if (rc == REG_GO) {
            rc = step_data_loss(run, &sp);
        }
    }
    if (rc == REG_GO) {
        rc = find_member(run, &sp);
    }
    if (rc != REG_GO) {
        return rc;
    }
    if (run->opts->unregister) {
        return do_unregister(run, &sp);
    }
    if (run->opts->update_cert) {
        return do_update_cert(run, &sp);
    }
    if (sp.member[0] != '\0') {
        reg_ok("spoke %s is already registered with hub %s as %s: nothing to do", target->name,
               run->hub->name, sp.member);
        return CLI_EXIT_OK;
    }
    reg_ok("spoke %s is not registered with hub %s yet", target->name, run->hub->name);
    return do_register(run, &sp);
}

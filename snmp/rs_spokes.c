#include "rs_spokes.h"

#include <math.h>
#include <poll.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rf_client.h"
#include "rs_scale.h"
#include "rs_table.h"
#include "rw_hubspoke.h"
#include "rw_known_spokes.h"
#include "rw_tls.h"
#include "rw_version.h"

#define RS_SPOKES_FIRST_SPREAD_MS 1000 /* the first round starts within this */
#define RS_SPOKES_ROUND_FACTOR    4    /* a round may take this many timeouts */
#define RS_SPOKES_OWNER           0    /* every row has the same owner: the module */
#define RS_SPOKE_ROLE_HUB         1    /* rwSpokeRole */
#define RS_SPOKE_ROLE_SPOKE       2
#define RS_SPOKES_VERSION_WIRE    64 /* rwSpokeVersion's SIZE */

#define N(array) (sizeof(array) / sizeof((array)[0]))

/* One rwSpokeTable row; strings owned by the row. */
struct spoke_row {
    struct rs_row_head head;
    char *name, *address, *detail, *product, *version;
    int32_t role, status, days_left, response_ms;
    struct rs_octets fingerprint;
    time_t status_since, last_check;
};

/* The policy of the configuration, compiled; owned by a set. */
struct policy {
    regex_t re;
    int have_re;
    char *product_text, *version_url, *version_pointer, *known_path;
    struct rw_version_policy *vpolicy;
    struct rw_fingerprint pins[RW_HUBSPOKE_PINS_MAX];
    size_t n_pins;
    struct rw_known_spokes *known;
    enum rw_cert_rule rule;
    double warn_days, crit_days;
    struct rw_hubspoke_read_opts ro;
};

struct set;

/* The hub or a spoke: its settings (copied from the configuration) and one round's state. */
struct server {
    struct set *set;
    char *name, *url_text, *ca_file;
    struct rw_url url;
    char auth[RW_URL_TEXT_MAX]; /* "host:port" for messages */
    int role, insecure;
    long timeout_ms;
    uint32_t index;
    struct rw_tls_ctx *tls_ctx;
    struct rf_service *svc; /* borrowed from the set's client */
    /* the round */
    struct rw_tls_probe *probe;
    int probe_fd;
    struct rs_timer tls_timer;
    struct rw_tls_result tls;
    struct rw_hubspoke_reader *reader;
    int64_t sent_ms;
    int root_in_flight;
    double time_s;
    int done;
};

/* What one configuration gives: replaced as a whole on reload. */
struct set {
    struct rs_spokes *spokes;
    struct server *servers; /* servers[0] is the hub when has_hub */
    size_t n;
    int has_hub;
    struct rf_client *client;
    struct rs_timer client_timer;
    struct policy pol;
    int64_t interval_ms;
    int64_t jitter_pct;
    int64_t round_ms;
};

struct rs_spokes {
    struct rs_spokes_opts opts;
    struct rs_table *table;
    struct set *set;
    struct rs_timer next, deadline;
    int running;  /* a round is in progress */
    int expiring; /* the round's deadline passed: nothing new starts */
    size_t pending;
    unsigned seed, generation;
    unsigned long rounds;
};

/* ---- the table ---- */

static const unsigned long spoke_oid[] = {RS_MIB_OBJECTS, 2};

#define COL(num, type, field)                                                                      \
    {                                                                                              \
        (num), (type), offsetof(struct spoke_row, field)                                           \
    }

static const struct rs_column spoke_columns[] = {
    COL(2, RS_COL_TEXT, name),
    COL(3, RS_COL_TEXT, address),
    COL(4, RS_COL_INT32, role),
    COL(5, RS_COL_INT32, status),
    COL(6, RS_COL_TEXT, detail),
    COL(7, RS_COL_TEXT, product),
    COL(8, RS_COL_TEXT, version),
    COL(9, RS_COL_OCTETS, fingerprint),
    COL(10, RS_COL_INT32, days_left),
    COL(11, RS_COL_INT32, response_ms),
    COL(12, RS_COL_DATETIME, status_since),
    COL(13, RS_COL_DATETIME, last_check),
};

static void
spoke_row_cleanup(void *data, void *ctx)
{
    struct spoke_row *row = data;

    (void)ctx;
    free(row->name);
    free(row->address);
    free(row->detail);
    free(row->product);
    free(row->version);
}

static const struct rs_table_def spoke_table = {
    "rwSpokeTable",           spoke_oid,         N(spoke_oid), 1, spoke_columns, N(spoke_columns),
    sizeof(struct spoke_row), spoke_row_cleanup,
};

/* ---- the Redfish client on the daemon's loop ---- */

static void
on_client_fd(void *ctx, int fd, short revents)
{
    struct set *set = ctx;
    int events = 0;

    events |= (revents & POLLIN) ? RF_EV_IN : 0;
    events |= (revents & POLLOUT) ? RF_EV_OUT : 0;
    events |= (revents & (POLLERR | POLLHUP | POLLNVAL)) ? RF_EV_ERR : 0;
    rf_client_on_fd(set->client, fd, events);
}

static void
client_watch(void *ctx, int fd, int events)
{
    struct set *set = ctx;
    short want = (short)(((events & RF_EV_IN) ? POLLIN : 0) | ((events & RF_EV_OUT) ? POLLOUT : 0));

    if (events == 0) {
        rs_loop_unwatch(set->spokes->opts.loop, fd);
        return;
    }
    if (rs_loop_watch(set->spokes->opts.loop, fd, want, on_client_fd, set, NULL) != RW_OK) {
        rw_log(set->spokes->opts.log, RW_LOG_ERR, "out of memory watching a hub/spoke connection");
    }
}

static void
client_timer_fired(void *ctx)
{
    struct set *set = ctx;

    rf_client_on_timer(set->client);
}

static void
client_timer(void *ctx, long timeout_ms)
{
    struct set *set = ctx;

    if (timeout_ms < 0) {
        rs_timer_disarm(set->spokes->opts.loop, &set->client_timer);
        return;
    }
    rs_timer_arm(set->spokes->opts.loop, &set->client_timer, timeout_ms);
}

/* ---- the policy ---- */

static enum rw_rc
dup_text(char **dst, const char *src, struct rw_err *err)
{
    *dst = NULL;
    if (src != NULL && (*dst = strdup(src)) == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    return RW_OK;
}

static void
policy_cleanup(struct policy *pol)
{
    if (pol->have_re) {
        regfree(&pol->re);
    }
    free(pol->product_text);
    free(pol->version_url);
    free(pol->version_pointer);
    free(pol->known_path);
    rw_version_policy_free(pol->vpolicy);
    rw_known_spokes_free(pol->known);
    memset(pol, 0, sizeof(*pol));
}

/* The version policy of the configuration: rule, minimum and compatible pairs. */
static enum rw_rc
version_policy(const struct rw_config_policy *p, struct policy *pol, struct rw_err *err)
{
    enum rw_version_rule rule =
        p->version_rule == RW_CONFIG_VERSION_SAME_MAJOR   ? RW_VERSION_SAME_MAJOR
        : p->version_rule == RW_CONFIG_VERSION_SAME_MINOR ? RW_VERSION_SAME_MINOR
                                                          : RW_VERSION_EXACT;
    size_t i;

    if (rw_version_policy_new(rule, &pol->vpolicy, err) != RW_OK ||
        (p->version_minimum != NULL &&
         rw_version_policy_set_minimum(pol->vpolicy, p->version_minimum, err) != RW_OK)) {
        return RW_EINVAL;
    }
    for (i = 0; i < p->n_compatible; i++) {
        if (rw_version_policy_add_compatible(pol->vpolicy, p->compatible[i].hub,
                                             p->compatible[i].spoke, err) != RW_OK) {
            return RW_EINVAL;
        }
    }
    return RW_OK;
}

/* The certificate policy: rule, pins, the known-spokes file (missing reads as empty). */
static enum rw_rc
cert_policy(const struct rw_config_policy *p, struct policy *pol, struct rw_err *err)
{
    size_t i;

    pol->rule = (enum rw_cert_rule)p->cert_rule; /* the same order, by design */
    pol->warn_days = (double)p->warning_days;
    pol->crit_days = (double)p->critical_days;
    if (p->n_pins > RW_HUBSPOKE_PINS_MAX) {
        return rw_err_set(err, RW_EINVAL, "policy: at most %d pins", RW_HUBSPOKE_PINS_MAX);
    }
    for (i = 0; i < p->n_pins; i++) {
        if (rw_fingerprint_parse(p->pins[i], &pol->pins[i], err) != RW_OK) {
            return RW_EINVAL;
        }
    }
    pol->n_pins = p->n_pins;
    if (dup_text(&pol->known_path, p->known_spokes, err) != RW_OK) {
        return RW_ENOMEM;
    }
    if (pol->rule == RW_CERT_REGISTERED &&
        rw_known_spokes_load(p->known_spokes, RW_KNOWN_SPOKES_MISSING_OK, &pol->known, err) !=
            RW_OK) {
        return err != NULL ? err->code : RW_EINVAL;
    }
    return RW_OK;
}

static enum rw_rc
policy_build(const struct rw_config_policy *p, struct policy *pol, struct rw_err *err)
{
    char why[128];
    int rc;

    if (dup_text(&pol->product_text, p->product, err) != RW_OK ||
        dup_text(&pol->version_url, p->version_url, err) != RW_OK ||
        dup_text(&pol->version_pointer, p->version_pointer, err) != RW_OK) {
        return RW_ENOMEM;
    }
    if (p->product != NULL) {
        rc = regcomp(&pol->re, p->product, REG_EXTENDED | REG_NOSUB);
        if (rc != 0) {
            (void)regerror(rc, &pol->re, why, sizeof(why));
            return rw_err_set(err, RW_EINVAL, "policy: invalid product regex '%s': %s", p->product,
                              why);
        }
        pol->have_re = 1;
    }
    pol->ro = (struct rw_hubspoke_read_opts){
        .product = pol->have_re ? &pol->re : NULL,
        .product_text = pol->product_text,
        .version_url = pol->version_url,
        .version_pointer = pol->version_pointer,
    };
    if (version_policy(p, pol, err) != RW_OK || cert_policy(p, pol, err) != RW_OK) {
        return err != NULL && err->code != RW_OK ? err->code : RW_EINVAL;
    }
    return RW_OK;
}

/* ---- servers and sets ---- */

static void
round_state_cleanup(struct rs_spokes *spokes, struct server *srv)
{
    if (srv->probe_fd >= 0) {
        rs_loop_unwatch(spokes->opts.loop, srv->probe_fd);
        srv->probe_fd = -1;
    }
    rs_timer_disarm(spokes->opts.loop, &srv->tls_timer);
    rw_tls_probe_free(srv->probe);
    srv->probe = NULL;
    rw_hubspoke_reader_free(srv->reader);
    srv->reader = NULL;
    rw_tls_result_cleanup(&srv->tls);
}

static void
server_cleanup(struct rs_spokes *spokes, struct server *srv)
{
    round_state_cleanup(spokes, srv);
    rw_tls_ctx_free(srv->tls_ctx);
    free(srv->name);
    free(srv->url_text);
    free(srv->ca_file);
}

static void set_free(struct set *set);

static void tls_expired(void *ctx);

/* The server's settings from target, its TLS context and its Redfish service. */
static enum rw_rc
server_setup(struct set *set, struct server *srv, const struct rw_config_target *target, int role,
             struct rw_err *err)
{
    struct rw_err e;
    struct rw_tls_config tcfg = {.ca_file = target->set.ca_file};
    struct rf_service_opts svc;
    char url[RW_URL_TEXT_MAX];

    rw_err_clear(&e);
    srv->set = set;
    srv->probe_fd = -1;
    srv->role = role;
    srv->url = target->url;
    srv->insecure = target->set.insecure;
    srv->timeout_ms = (long)(target->set.timeout * 1000.0);
    rs_timer_init(&srv->tls_timer, tls_expired, srv);
    rw_tls_result_init(&srv->tls);
    (void)rw_url_authority(&target->url, srv->auth, sizeof(srv->auth));
    if (dup_text(&srv->name, target->name, &e) != RW_OK ||
        dup_text(&srv->url_text, target->url_text, &e) != RW_OK ||
        dup_text(&srv->ca_file, target->set.ca_file, &e) != RW_OK ||
        rw_tls_ctx_new(&tcfg, &srv->tls_ctx, &e) != RW_OK) {
        return rw_err_set(err, e.code, "%s: %s", target->name, e.msg);
    }
    rf_service_opts_init(&svc);
    svc.url = rw_url_format(&target->url, url, sizeof(url));
    svc.auth = target->cred != NULL ? RF_AUTH_BASIC : RF_AUTH_NONE;
    svc.username = target->cred != NULL ? target->cred->username : NULL;
    svc.password = target->cred != NULL ? target->cred->password : NULL;
    svc.ca_file = target->set.ca_file;
    svc.insecure = target->set.insecure;
    svc.connect_timeout_ms = srv->timeout_ms;
    svc.timeout_ms = srv->timeout_ms;
    svc.max_in_flight = 1; /* a reader is sequential */
    svc.body_max = RW_HUBSPOKE_JSON_MAX;
    svc.max_retries = -1; /* a check reports what it saw, as the plugin does */
    if (rf_client_add(set->client, &svc, &srv->svc, &e) != RW_OK) {
        return rw_err_set(err, e.code, "%s: %s", target->name, e.msg);
    }
    return RW_OK;
}

/* The schedule: the smallest interval and largest jitter and timeout of the servers. */
static void
set_schedule(struct set *set, const struct rw_config *cfg)
{
    const struct rw_config_target *t;
    size_t i;

    set->interval_ms = INT64_MAX;
    for (i = 0; i < set->n; i++) {
        t = set->has_hub && i == 0 ? cfg->hub : &cfg->spokes[i - (size_t)set->has_hub];
        if (t->set.poll_interval * 1000 < set->interval_ms) {
            set->interval_ms = t->set.poll_interval * 1000;
        }
        if (t->set.poll_jitter > set->jitter_pct) {
            set->jitter_pct = t->set.poll_jitter;
        }
        if ((int64_t)set->servers[i].timeout_ms * RS_SPOKES_ROUND_FACTOR > set->round_ms) {
            set->round_ms = (int64_t)set->servers[i].timeout_ms * RS_SPOKES_ROUND_FACTOR;
        }
    }
}

static enum rw_rc
set_servers(struct set *set, const struct rw_config *cfg, struct rw_err *err)
{
    size_t i;

    set->has_hub = cfg->hub != NULL;
    set->servers = calloc(cfg->n_spokes + 1, sizeof(*set->servers));
    if (set->servers == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    for (i = 0; i < cfg->n_spokes + 1; i++) {
        set->servers[i].probe_fd = -1;
    }
    if (set->has_hub) {
        if (server_setup(set, &set->servers[0], cfg->hub, RS_SPOKE_ROLE_HUB, err) != RW_OK) {
            return RW_EINVAL;
        }
        set->n = 1;
    }
    for (i = 0; i < cfg->n_spokes; i++, set->n++) {
        if (server_setup(set, &set->servers[set->n], &cfg->spokes[i], RS_SPOKE_ROLE_SPOKE, err) !=
            RW_OK) {
            set->n++; /* cleaned up with the others */
            return RW_EINVAL;
        }
    }
    set_schedule(set, cfg);
    return RW_OK;
}

/* A new set from cfg, built aside so that a failure leaves the running one alone. */
static enum rw_rc
set_build(struct rs_spokes *spokes, const struct rw_config *cfg, struct set **out,
          struct rw_err *err)
{
    struct set *set = calloc(1, sizeof(*set));
    struct rf_client_opts copts = {.log = spokes->opts.log};
    enum rw_rc rc;

    *out = NULL;
    if (set == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    set->spokes = spokes;
    rs_timer_init(&set->client_timer, client_timer_fired, set);
    rc = policy_build(&cfg->policy, &set->pol, err);
    if (rc == RW_OK) {
        rc = rf_client_new(&copts, &set->client, err);
    }
    if (rc == RW_OK) {
        rc = rf_client_set_loop(set->client, client_watch, client_timer, set, err);
    }
    if (rc == RW_OK) {
        rc = set_servers(set, cfg, err);
    }
    if (rc != RW_OK) {
        set_free(set);
        return rc;
    }
    *out = set;
    return RW_OK;
}

/* Frees a set whose round is over (or was aborted): the client first, its requests
 * complete into readers that are freed after. */
static void
set_free(struct set *set)
{
    size_t i;

    if (set == NULL) {
        return;
    }
    rf_client_free(set->client);
    rs_timer_disarm(set->spokes->opts.loop, &set->client_timer);
    for (i = 0; set->servers != NULL && i < set->n; i++) {
        server_cleanup(set->spokes, &set->servers[i]);
    }
    free(set->servers);
    policy_cleanup(&set->pol);
    free(set);
}

/* ---- a round ---- */

static void round_finish(struct rs_spokes *spokes);

static void
server_done(struct server *srv)
{
    struct rs_spokes *spokes = srv->set->spokes;

    if (srv->done) {
        return;
    }
    srv->done = 1;
    spokes->pending--;
    if (spokes->pending == 0) {
        round_finish(spokes);
    }
}

static void read_next(struct server *srv);

/* A GET of the reader finished: feed it, then its next GET. */
static void
on_reply(const struct rf_result *res, void *ctx)
{
    struct server *srv = ctx;
    struct rs_spokes *spokes = srv->set->spokes;
    struct rw_hubspoke_reply reply = {.rc = res->rc,
                                      .status = res->status,
                                      .msg = res->msg,
                                      .body = res->body,
                                      .len = res->body_len};

    if (!spokes->running || srv->set != spokes->set || srv->done) {
        return; /* a dropped round's answer */
    }
    if (srv->root_in_flight && res->rc == RW_OK) {
        srv->time_s = (double)(rs_now_ms() - srv->sent_ms) / 1000.0;
    }
    srv->root_in_flight = 0;
    rw_hubspoke_reader_feed(srv->reader, &reply);
    read_next(srv);
}

/* Queues the reader's next GET; the server is done when the reader is. */
static void
read_next(struct server *srv)
{
    struct rw_hubspoke_reply reply;
    const char *path;
    struct rw_err err;

    while ((path = rw_hubspoke_reader_next(srv->reader)) != NULL) {
        if (srv->set->spokes->expiring) {
            break;
        }
        rw_err_clear(&err);
        srv->root_in_flight = strcmp(path, RW_HUBSPOKE_DEFAULT_ROOT) == 0;
        srv->sent_ms = rs_now_ms();
        if (rf_client_get(srv->set->client, srv->svc, path, on_reply, srv, &err) == RW_OK) {
            return;
        }
        srv->root_in_flight = 0;
        reply = (struct rw_hubspoke_reply){.rc = err.code, .msg = err.msg};
        rw_hubspoke_reader_feed(srv->reader, &reply);
    }
    server_done(srv);
}

/* The handshake is over (or failed): read the server when it completed. */
static void
tls_done(struct server *srv)
{
    struct rs_spokes *spokes = srv->set->spokes;

    if (srv->probe_fd >= 0) {
        rs_loop_unwatch(spokes->opts.loop, srv->probe_fd);
        srv->probe_fd = -1;
    }
    rs_timer_disarm(spokes->opts.loop, &srv->tls_timer);
    rw_tls_probe_take_result(srv->probe, &srv->tls);
    rw_tls_probe_free(srv->probe);
    srv->probe = NULL;
    if (srv->tls.rc != RW_OK || spokes->expiring) {
        server_done(srv);
        return;
    }
    read_next(srv);
}

static void on_tls_fd(void *ctx, int fd, short revents);

/* Watches the probe's current socket (a probe may move on to the next address). */
static void
tls_watch(struct server *srv)
{
    struct rs_loop *loop = srv->set->spokes->opts.loop;
    int fd = rw_tls_probe_fd(srv->probe);
    struct rw_err err;

    if (srv->probe_fd >= 0 && srv->probe_fd != fd) {
        rs_loop_unwatch(loop, srv->probe_fd);
    }
    srv->probe_fd = fd;
    rw_err_clear(&err);
    if (fd >= 0 &&
        rs_loop_watch(loop, fd, rw_tls_probe_events(srv->probe), on_tls_fd, srv, &err) != RW_OK) {
        rw_log(srv->set->spokes->opts.log, RW_LOG_ERR, "%s: %s", srv->name, err.msg);
        rw_tls_probe_expire(srv->probe, srv->timeout_ms);
        tls_done(srv);
    }
}

static void
on_tls_fd(void *ctx, int fd, short revents)
{
    struct server *srv = ctx;

    (void)fd;
    if (rw_tls_probe_step(srv->probe, revents)) {
        tls_done(srv);
        return;
    }
    tls_watch(srv);
}

static void
tls_expired(void *ctx)
{
    struct server *srv = ctx;

    if (srv->probe != NULL) {
        rw_tls_probe_expire(srv->probe, srv->timeout_ms);
        tls_done(srv);
    }
}

/* Starts one server's check: a new reader, the TLS probe. */
static void
server_start(struct rs_spokes *spokes, struct server *srv)
{
    struct rw_tls_target target = {.host = srv->url.host, .port = srv->url.port};
    struct rw_err err;

    round_state_cleanup(spokes, srv);
    rw_tls_result_init(&srv->tls);
    srv->done = 0;
    srv->time_s = -1.0;
    srv->root_in_flight = 0;
    rw_err_clear(&err);
    if (rw_hubspoke_reader_new(&srv->set->pol.ro, &srv->reader, &err) != RW_OK ||
        rw_tls_probe_start(srv->tls_ctx, &target, &srv->probe, &err) != RW_OK) {
        rw_log(spokes->opts.log, RW_LOG_ERR, "%s: cannot check: %s", srv->name, err.msg);
        srv->tls.rc = rw_err_set(&srv->tls.err, err.code, "%s", err.msg);
        server_done(srv);
        return;
    }
    if (rw_tls_probe_done(srv->probe)) {
        tls_done(srv);
        return;
    }
    rs_timer_arm(spokes->opts.loop, &srv->tls_timer, srv->timeout_ms);
    tls_watch(srv);
}

static void
round_start(void *ctx)
{
    struct rs_spokes *spokes = ctx;
    struct set *set = spokes->set;
    size_t i;

    if (set == NULL || set->n == 0 || spokes->running) {
        return;
    }
    spokes->running = 1;
    spokes->expiring = 0;
    spokes->pending = set->n + 1; /* held until every server has started */
    rs_timer_arm(spokes->opts.loop, &spokes->deadline, set->round_ms);
    for (i = 0; i < set->n; i++) {
        set->servers[i].done = 1; /* not started yet: server_done() ignores it */
    }
    for (i = 0; i < set->n && spokes->running; i++) {
        server_start(spokes, &set->servers[i]);
    }
    if (spokes->running) {
        spokes->pending--;
        if (spokes->pending == 0) {
            round_finish(spokes);
        }
    }
}

/* The round ran out of time: unfinished handshakes and requests end as timed out. */
static void
round_deadline(void *ctx)
{
    struct rs_spokes *spokes = ctx;
    struct set *set = spokes->set;
    size_t i;

    spokes->expiring = 1;
    for (i = 0; i < set->n && spokes->running; i++) {
        tls_expired(&set->servers[i]);
    }
    if (spokes->running) {
        rf_client_cancel(set->client, RW_ETIMEOUT, "the check took too long");
    }
    for (i = 0; i < set->n && spokes->running; i++) {
        server_done(&set->servers[i]);
    }
}

/* Drops a round in progress (reload, shutdown); its answers are ignored when they come. */
static void
round_abort(struct rs_spokes *spokes)
{
    size_t i;

    spokes->running = 0;
    rs_timer_disarm(spokes->opts.loop, &spokes->deadline);
    rs_timer_disarm(spokes->opts.loop, &spokes->next);
    for (i = 0; spokes->set != NULL && i < spokes->set->n; i++) {
        round_state_cleanup(spokes, &spokes->set->servers[i]);
    }
}

/* ---- verdicts ---- */

static void
classify_hub(const struct server *hub, struct rw_hubspoke_result *res)
{
    rw_hubspoke_result_init(res);
    if (hub->tls.rc != RW_OK) {
        rw_hubspoke_fail(res, RW_SPOKE_NOT_RESPONDING, "no TLS handshake: %s", hub->tls.err.msg);
    } else {
        rw_hubspoke_reader_report(hub->reader, "hub", hub->auth, res);
    }
}

/* As check_hubspoke: liveness, identity/version, certificates; hub NULL when it is not OK. */
static void
classify_spoke(const struct policy *pol, const struct server *hub, const struct server *srv,
               struct rw_hubspoke_result *res)
{
    const char *hub_version = hub != NULL ? rw_hubspoke_reader_version(hub->reader) : "";
    struct rw_cert_policy cp = {
        .rule = pol->rule,
        .pins = pol->pins,
        .n_pins = pol->n_pins,
        .known = pol->known,
        .known_path = pol->known_path,
        .ca_file = srv->insecure ? NULL : srv->ca_file,
        .check_host = !srv->insecure,
        .warn_days = pol->warn_days,
        .crit_days = pol->crit_days,
    };
    struct rw_tls_result none;

    rw_hubspoke_result_init(res);
    rw_tls_result_init(&none);
    if (srv->tls.rc != RW_OK) {
        rw_hubspoke_fail(res, RW_SPOKE_NOT_RESPONDING, "no TLS handshake: %s", srv->tls.err.msg);
        return;
    }
    if (rw_hubspoke_reader_transport_rc(srv->reader) == RW_ETLS) {
        rw_hubspoke_fail(res, RW_SPOKE_CERTS_MISMATCH, "its certificate is refused for HTTPS: %s",
                         srv->tls.verify_text);
    } else {
        rw_hubspoke_reader_report(srv->reader, "spoke", srv->auth, res);
        if (res->status == RW_SPOKE_OK && hub_version[0] != '\0') {
            rw_hubspoke_check_versions(pol->vpolicy, hub->auth, hub_version, srv->auth,
                                       rw_hubspoke_reader_version(srv->reader), res);
        }
    }
    rw_hubspoke_check_certs(&cp, hub != NULL ? hub->auth : "-", hub != NULL ? &hub->tls : &none,
                            srv->auth, srv->url.host, srv->url.port, &srv->tls, res);
}

/* ---- rows ---- */

/* Replaces *dst with a copy of src unless it is the same text already; RW_ENOMEM. */
static enum rw_rc
set_text(char **dst, const char *src, struct rw_err *err)
{
    char *copy;

    if (*dst != NULL && strcmp(*dst, src) == 0) {
        return RW_OK;
    }
    if ((copy = strdup(src)) == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    free(*dst);
    *dst = copy;
    return RW_OK;
}

/* Whole days left, rounded down, as a RackwatchSignedReading (NAN: not reported). */
static int32_t
days_reading(double days)
{
    return rs_signed_reading(floor(days), 1.0);
}

/* The facts of this check that stay until a later check has new ones. */
static enum rw_rc
row_facts(struct spoke_row *row, const struct server *srv, struct rw_err *err)
{
    const struct rw_cert *leaf =
        srv->tls.chain != NULL ? rw_cert_chain_get(srv->tls.chain, 0) : NULL;
    const char *product = srv->reader != NULL ? rw_hubspoke_reader_product(srv->reader) : "";
    const char *version = srv->reader != NULL ? rw_hubspoke_reader_version(srv->reader) : "";
    char cut[RS_SPOKES_VERSION_WIRE + 1];

    if (leaf != NULL) {
        memcpy(row->fingerprint.data, rw_cert_fingerprint(leaf)->sha256, RW_FINGERPRINT_LEN);
        row->fingerprint.len = RW_FINGERPRINT_LEN;
        row->days_left = days_reading(rw_cert_days_left(leaf, time(NULL)));
    }
    if (product[0] != '\0' && set_text(&row->product, product, err) != RW_OK) {
        return RW_ENOMEM;
    }
    (void)snprintf(cut, sizeof(cut), "%s", version);
    if (version[0] != '\0' && set_text(&row->version, cut, err) != RW_OK) {
        return RW_ENOMEM;
    }
    return RW_OK;
}

static void
notify(struct rs_spokes *spokes, uint32_t index, const struct spoke_row *row, int32_t old_status)
{
    struct rs_change change = {
        .kind = RS_CHANGE_SPOKE_STATUS,
        .indexes = {index},
        .n_indexes = 1,
        .old_value = old_status,
        .new_value = row->status,
        .text1 = row->name,
        .text2 = row->detail,
        .role = row->role,
    };

    if (spokes->opts.on_change != NULL) {
        spokes->opts.on_change(spokes->opts.ctx, &change);
    }
}

/* Writes one server's verdict into its row; notifies a changed status after the first. */
static enum rw_rc
row_update(struct rs_spokes *spokes, const struct server *srv, const struct rw_hubspoke_result *res,
           struct rw_err *err)
{
    int32_t status = (int32_t)res->status + 1; /* RackwatchSpokeStatus */
    const char *detail = res->status != RW_SPOKE_OK    ? res->detail
                         : res->expiry != RW_EXPIRY_OK ? res->expiry_text
                                                       : "";
    struct spoke_row *row;
    int32_t old;
    time_t now = time(NULL);

    if (rs_table_row(spokes->table, &srv->index, RS_SPOKES_OWNER, spokes->generation, (void **)&row,
                     err) != RW_OK) {
        return RW_ENOMEM;
    }
    old = row->status;
    row->role = srv->role;
    row->response_ms = srv->time_s >= 0.0 && res->status != RW_SPOKE_NOT_RESPONDING
                           ? (int32_t)lround(srv->time_s * 1000.0)
                           : -1;
    if (old == 0) {
        row->days_left = INT32_MIN;
    }
    if (set_text(&row->name, srv->name, err) != RW_OK ||
        set_text(&row->address, srv->url_text, err) != RW_OK ||
        set_text(&row->detail, detail, err) != RW_OK || row_facts(row, srv, err) != RW_OK) {
        return RW_ENOMEM;
    }
    row->last_check = now;
    if (old != status) {
        row->status = status;
        row->status_since = now;
        if (old != 0) {
            notify(spokes, srv->index, row, old);
        }
    }
    return RW_OK;
}

/* Every server classified and its row written; the next round scheduled. */
static void
round_finish(struct rs_spokes *spokes)
{
    struct set *set = spokes->set;
    struct rw_hubspoke_result res;
    const struct server *hub = NULL;
    struct rw_err err;
    size_t i;

    if (!spokes->running) {
        return;
    }
    spokes->running = 0;
    spokes->rounds++;
    rs_timer_disarm(spokes->opts.loop, &spokes->deadline);
    for (i = 0; i < set->n; i++) {
        const struct server *srv = &set->servers[i];

        rw_err_clear(&err);
        if (srv->role == RS_SPOKE_ROLE_HUB) {
            classify_hub(srv, &res);
            hub = res.status == RW_SPOKE_OK ? srv : NULL;
        } else {
            classify_spoke(&set->pol, hub, srv, &res);
        }
        if (row_update(spokes, srv, &res, &err) != RW_OK) {
            rw_log(spokes->opts.log, RW_LOG_ERR, "%s: row not updated: %s", srv->name, err.msg);
        }
    }
    rs_timer_arm(spokes->opts.loop, &spokes->next,
                 set->interval_ms + (set->jitter_pct > 0
                                         ? (int64_t)rand_r(&spokes->seed) %
                                               (set->interval_ms * set->jitter_pct / 100 + 1)
                                         : 0));
}

/* ---- configuration ---- */

/* Gives every server of set its index, keeps the rows of those already known, drops
 * the others' rows, and saves the registry when it grew. */
static enum rw_rc
set_rows(struct rs_spokes *spokes, struct set *set, const char *state_file, struct rw_err *err)
{
    char path[4096];
    struct spoke_row *row;
    size_t i;

    spokes->generation++;
    for (i = 0; i < set->n; i++) {
        if (rs_index_get(spokes->opts.index, RS_NS_SPOKE, set->servers[i].name,
                         &set->servers[i].index, err) != RW_OK) {
            return err != NULL ? err->code : RW_ENOMEM;
        }
        row = rs_table_find(spokes->table, &set->servers[i].index);
        if (row != NULL) {
            row->head.generation = spokes->generation;
        }
    }
    rs_table_sweep(spokes->table, RS_SPOKES_OWNER, spokes->generation);
    if (rs_index_dirty(spokes->opts.index)) {
        (void)snprintf(path, sizeof(path), "%s.indexes", state_file);
        if (rs_index_save(spokes->opts.index, path, err) != RW_OK) {
            rw_log(spokes->opts.log, RW_LOG_WARNING, "table indexes not saved: %s",
                   err != NULL ? err->msg : "");
        }
    }
    return RW_OK;
}

enum rw_rc
rs_spokes_configure(struct rs_spokes *spokes, const struct rw_config *cfg, struct rw_err *err)
{
    struct set *set = NULL;
    struct rw_err e;

    rw_err_clear(&e);
    if (set_build(spokes, cfg, &set, &e) != RW_OK) {
        return rw_err_set(err, e.code, "hub/spoke checks: %s", e.msg);
    }
    round_abort(spokes);
    set_free(spokes->set);
    spokes->set = set;
    if (set_rows(spokes, set, cfg->state_file, err) != RW_OK) {
        return err != NULL ? err->code : RW_ENOMEM;
    }
    if (set->n > 0) {
        rs_timer_arm(spokes->opts.loop, &spokes->next,
                     (int64_t)(rand_r(&spokes->seed) % RS_SPOKES_FIRST_SPREAD_MS));
    }
    return RW_OK;
}

enum rw_rc
rs_spokes_new(const struct rs_spokes_opts *opts, struct rs_spokes **out, struct rw_err *err)
{
    struct rs_spokes *spokes = calloc(1, sizeof(*spokes));

    *out = NULL;
    if (spokes == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory for the hub/spoke checks");
    }
    spokes->opts = *opts;
    spokes->seed = (unsigned)time(NULL) ^ ((unsigned)getpid() << 8);
    rs_timer_init(&spokes->next, round_start, spokes);
    rs_timer_init(&spokes->deadline, round_deadline, spokes);
    if (rs_table_new(&spoke_table, NULL, &spokes->table, err) != RW_OK) {
        free(spokes);
        return err != NULL ? err->code : RW_EINVAL;
    }
    *out = spokes;
    return RW_OK;
}

unsigned long
rs_spokes_rounds(const struct rs_spokes *spokes)
{
    return spokes->rounds;
}

void
rs_spokes_free(struct rs_spokes *spokes)
{
    if (spokes == NULL) {
        return;
    }
    round_abort(spokes);
    set_free(spokes->set);
    rs_table_free(spokes->table);
    free(spokes);
}

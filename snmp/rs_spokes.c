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
#include "rw_hubspoke_list.h"
#include "rw_known_spokes.h"
#include "rw_tls.h"
#include "rw_version.h"

#define RS_SPOKES_FIRST_SPREAD_MS 1000 /* the first round starts within this */
#define RS_SPOKES_ROUND_FACTOR    4    /* a round may take this many timeouts */
#define RS_SPOKES_OWNER           0    /* rows of the configured hub and spokes */
#define RS_SPOKES_OWNER_LISTED    1    /* rows of the spokes the hub lists */
#define RS_SPOKES_STARTS_MAX      64   /* listed spokes checked at once */
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
    char *name, *url_text, *ca_file; /* url_text: the row's address */
    struct rw_url url;
    char auth[RW_URL_TEXT_MAX]; /* "host:port" for messages */
    int role, insecure;
    long timeout_ms;
    uint32_t index;
    struct rw_tls_ctx *tls_ctx; /* owned unless borrowed_ctx (a listed spoke: the hub's) */
    int borrowed_ctx;
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
    int started; /* a listed spoke: checked in this round */
};

/* A spoke the hub lists: its server (the hub's settings) and the hub's view of it. */
struct listed {
    struct server srv;
    char *key;                     /* its index key: hub name + member path */
    struct rw_hubspoke_source src; /* from the latest listing */
    char *bad;                     /* why its HostName is unusable; NULL: probed */
};

/* A Redfish service of the set's client by URL: rf_client has no removal, so services of
 * listed spokes are reused when an address comes back. */
struct svc_entry {
    char *url;
    struct rf_service *svc;
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
    char *state_file;
    /* listing: a hub and no spokes configured, so the hub's AggregationSources are them */
    int listing;
    char *hub_user, *hub_pass;         /* the hub's credentials, also the listed spokes' */
    struct rw_hubspoke_lister *lister; /* the round's; NULL between rounds */
    int list_done;
    struct listed **listed; /* each allocated alone: loop callbacks hold their address */
    size_t n_listed;
    struct svc_entry *svcs;
    size_t n_svcs, cap_svcs;
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
    /* a listing round has two phases: 1 the hub and its list, 2 the listed spokes */
    int phase;
    struct rs_timer phase_timer;
    size_t next_start, active; /* phase 2: listed spokes started, and not done yet */
    int starting, holder;
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
    if (!srv->borrowed_ctx) {
        rw_tls_ctx_free(srv->tls_ctx);
    }
    free(srv->name);
    free(srv->url_text);
    free(srv->ca_file);
}

static void set_free(struct set *set);
static void listed_drop(struct set *set, struct listed **list, size_t n);

static void tls_expired(void *ctx);

/* How srv's Redfish service is reached: HTTP Basic with username, none without. */
static void
service_opts(struct rf_service_opts *svc, const struct server *srv, const char *url,
             const char *username, const char *password)
{
    rf_service_opts_init(svc);
    svc->url = url;
    svc->auth = username != NULL ? RF_AUTH_BASIC : RF_AUTH_NONE;
    svc->username = username;
    svc->password = password;
    svc->ca_file = srv->ca_file;
    svc->insecure = srv->insecure;
    svc->connect_timeout_ms = srv->timeout_ms;
    svc->timeout_ms = srv->timeout_ms;
    svc->max_in_flight = 1; /* a reader is sequential */
    svc->body_max = RW_HUBSPOKE_JSON_MAX;
    svc->max_retries = -1; /* a check reports what it saw, as the plugin does */
}

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
    service_opts(&svc, srv, rw_url_format(&target->url, url, sizeof(url)),
                 target->cred != NULL ? target->cred->username : NULL,
                 target->cred != NULL ? target->cred->password : NULL);
    /* a reader is sequential; the hub's lister runs beside its reader */
    svc.max_in_flight = set->listing && role == RS_SPOKE_ROLE_HUB ? 2 : 1;
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
    set->listing = set->has_hub && cfg->n_spokes == 0;
    if (set->listing && cfg->hub->cred != NULL &&
        (dup_text(&set->hub_user, cfg->hub->cred->username, err) != RW_OK ||
         dup_text(&set->hub_pass, cfg->hub->cred->password, err) != RW_OK)) {
        return RW_ENOMEM;
    }
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
    /* the hub may list thousands of spokes: no idle connection kept between rounds */
    struct rf_client_opts copts = {.log = spokes->opts.log,
                                   .close_idle = cfg->hub != NULL && cfg->n_spokes == 0};
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
        rc = dup_text(&set->state_file, cfg->state_file, err);
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
    listed_drop(set, set->listed, set->n_listed);
    free(set->listed);
    for (i = 0; i < set->n_svcs; i++) {
        free(set->svcs[i].url);
    }
    free(set->svcs);
    rw_hubspoke_lister_free(set->lister);
    for (i = 0; set->servers != NULL && i < set->n; i++) {
        server_cleanup(set->spokes, &set->servers[i]);
    }
    free(set->servers);
    policy_cleanup(&set->pol);
    if (set->hub_pass != NULL) {
        explicit_bzero(set->hub_pass, strlen(set->hub_pass));
    }
    free(set->hub_pass);
    free(set->hub_user);
    free(set->state_file);
    free(set);
}

/* ---- a round ---- */

static void round_finish(struct rs_spokes *spokes);
static void phase_end(struct rs_spokes *spokes);
static void fill_starts(struct rs_spokes *spokes);

static void
server_done(struct server *srv)
{
    struct rs_spokes *spokes = srv->set->spokes;

    if (srv->done) {
        return;
    }
    srv->done = 1;
    if (spokes->phase == 2) {
        spokes->active--; /* only listed spokes run in phase 2 */
    }
    spokes->pending--;
    if (spokes->pending == 0) {
        phase_end(spokes);
    } else if (spokes->phase == 2) {
        fill_starts(spokes);
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
    srv->started = 1;
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

/* ---- the hub's list of spokes (listing sets) ---- */

/* The i-th server of the phase running: the configured ones, then the listed spokes. */
static struct server *
phase_server(struct rs_spokes *spokes, size_t i)
{
    return spokes->phase == 2 ? &spokes->set->listed[i]->srv : &spokes->set->servers[i];
}

static void
list_finish(struct set *set)
{
    struct rs_spokes *spokes = set->spokes;

    if (set->list_done) {
        return;
    }
    set->list_done = 1;
    spokes->pending--;
    if (spokes->pending == 0) {
        phase_end(spokes);
    }
}

static void list_next(struct set *set);

static void
on_list_reply(const struct rf_result *res, void *ctx)
{
    struct set *set = ctx;
    struct rs_spokes *spokes = set->spokes;
    struct rw_hubspoke_reply reply = {.rc = res->rc,
                                      .status = res->status,
                                      .msg = res->msg,
                                      .body = res->body,
                                      .len = res->body_len};

    if (!spokes->running || set != spokes->set || set->list_done) {
        return; /* a dropped round's answer */
    }
    rw_hubspoke_lister_feed(set->lister, &reply);
    list_next(set);
}

/* Queues the lister's next GET on the hub's service; the listing is over when it is. */
static void
list_next(struct set *set)
{
    struct rw_hubspoke_reply reply;
    const char *path;
    struct rw_err err;

    while ((path = rw_hubspoke_lister_next(set->lister)) != NULL && !set->spokes->expiring) {
        rw_err_clear(&err);
        if (rf_client_get(set->client, set->servers[0].svc, path, on_list_reply, set, &err) ==
            RW_OK) {
            return;
        }
        reply = (struct rw_hubspoke_reply){.rc = err.code, .msg = err.msg};
        rw_hubspoke_lister_feed(set->lister, &reply);
    }
    list_finish(set);
}

/* Reads the hub's AggregationSources, beside the hub's own check. */
static void
list_start(struct set *set)
{
    struct rw_err err;

    rw_hubspoke_lister_free(set->lister);
    set->lister = NULL;
    rw_err_clear(&err);
    if (rw_hubspoke_lister_new(NULL, &set->lister, &err) != RW_OK) {
        rw_log(set->spokes->opts.log, RW_LOG_ERR, "%s: cannot list its spokes: %s",
               set->servers[0].name, err.msg);
        list_finish(set);
        return;
    }
    list_next(set);
}

/* RW_OK when this round read the hub's whole list; else why not (*msg borrowed). */
static enum rw_rc
list_status(const struct set *set, const char **msg)
{
    if (set->lister == NULL) {
        *msg = "out of memory";
        return RW_ENOMEM;
    }
    return rw_hubspoke_lister_status(set->lister, msg);
}

static void
listed_free(struct set *set, struct listed *l)
{
    if (l != NULL) {
        server_cleanup(set->spokes, &l->srv);
        free(l->key);
        free(l->bad);
        free(l);
    }
}

/* Frees the listed spokes of list (not the array); NULL entries are skipped. */
static void
listed_drop(struct set *set, struct listed **list, size_t n)
{
    size_t i;

    for (i = 0; list != NULL && i < n; i++) {
        listed_free(set, list[i]);
    }
}

/* The service of a listed spoke at url, with the hub's settings: reused when the set
 * already has one for url (rf_client cannot remove services). */
static enum rw_rc
listed_service(struct set *set, const struct server *hub, const char *url, struct rf_service **out,
               struct rw_err *err)
{
    struct rf_service_opts svc;
    struct svc_entry *grown;
    size_t i, cap;

    for (i = 0; i < set->n_svcs; i++) {
        if (strcmp(set->svcs[i].url, url) == 0) {
            *out = set->svcs[i].svc;
            return RW_OK;
        }
    }
    if (set->n_svcs == set->cap_svcs) {
        cap = set->cap_svcs == 0 ? 16 : set->cap_svcs * 2;
        grown = realloc(set->svcs, cap * sizeof(*grown));
        if (grown == NULL) {
            return rw_err_set(err, RW_ENOMEM, "out of memory");
        }
        set->svcs = grown;
        set->cap_svcs = cap;
    }
    service_opts(&svc, hub, url, set->hub_user, set->hub_pass);
    if (dup_text(&set->svcs[set->n_svcs].url, url, err) != RW_OK) {
        return RW_ENOMEM;
    }
    if (rf_client_add(set->client, &svc, out, err) != RW_OK) {
        free(set->svcs[set->n_svcs].url);
        return err != NULL ? err->code : RW_EINVAL;
    }
    set->svcs[set->n_svcs++].svc = *out;
    return RW_OK;
}

/* The server part of a listed spoke: the hub's TLS context, timeout and CA file. */
static enum rw_rc
listed_server(struct set *set, struct server *srv, const struct rw_hubspoke_source *src,
              struct rw_err *err)
{
    const struct server *hub = &set->servers[0];
    const char *name = src->name[0] != '\0'       ? src->name
                       : src->hostname[0] != '\0' ? src->hostname
                                                  : src->path;

    srv->set = set;
    srv->probe_fd = -1;
    srv->role = RS_SPOKE_ROLE_SPOKE;
    srv->insecure = hub->insecure;
    srv->timeout_ms = hub->timeout_ms;
    srv->tls_ctx = hub->tls_ctx;
    srv->borrowed_ctx = 1;
    srv->time_s = -1.0;
    srv->done = 1;
    rs_timer_init(&srv->tls_timer, tls_expired, srv);
    rw_tls_result_init(&srv->tls);
    if (dup_text(&srv->name, name, err) != RW_OK ||
        dup_text(&srv->ca_file, hub->ca_file, err) != RW_OK) {
        return RW_ENOMEM;
    }
    return RW_OK;
}

/* A listed spoke for src: its index (key: hub name + member path), its address
 * (host:port, or the HostName as written when it is unusable) and its service. */
static enum rw_rc
listed_new(struct set *set, const struct rw_hubspoke_source *src, struct listed **out,
           struct rw_err *err)
{
    const struct server *hub = &set->servers[0];
    struct listed *l = calloc(1, sizeof(*l));
    size_t klen = strlen(hub->name) + strlen(src->path) + 1;
    char url[RW_URL_TEXT_MAX], why[RW_HUBSPOKE_DETAIL_MAX] = "";
    struct rw_err herr;
    enum rw_rc rc;

    *out = NULL;
    if (l == NULL || listed_server(set, &l->srv, src, err) != RW_OK ||
        (l->key = malloc(klen)) == NULL) {
        listed_free(set, l);
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    (void)snprintf(l->key, klen, "%s%s", hub->name, src->path);
    rw_err_clear(&herr);
    if (rw_hubspoke_hostname_parse(src->hostname, &l->srv.url, &herr) != RW_OK) {
        (void)snprintf(why, sizeof(why), "the hub lists AggregationSource %s with %s", src->path,
                       herr.msg);
    } else {
        (void)rw_url_authority(&l->srv.url, l->srv.auth, sizeof(l->srv.auth));
    }
    rc = rs_index_get(set->spokes->opts.index, RS_NS_SPOKE, l->key, &l->srv.index, err);
    if (rc == RW_OK && why[0] != '\0') {
        rc = dup_text(&l->bad, why, err);
    }
    if (rc == RW_OK) {
        rc = dup_text(&l->srv.url_text, l->bad != NULL ? src->hostname : l->srv.auth, err);
    }
    if (rc == RW_OK && l->bad == NULL) {
        rc = listed_service(set, hub, rw_url_format(&l->srv.url, url, sizeof(url)), &l->srv.svc,
                            err);
    }
    if (rc != RW_OK) {
        listed_free(set, l);
        return rc;
    }
    *out = l;
    return RW_OK;
}

/* Takes the known listed spoke of src (same member, same HostName) out of the set's list. */
static struct listed *
listed_take(struct set *set, const struct rw_hubspoke_source *src)
{
    struct listed *l;
    size_t i;

    for (i = 0; i < set->n_listed; i++) {
        l = set->listed[i];
        if (l != NULL && strcmp(l->src.path, src->path) == 0 &&
            strcmp(l->src.hostname, src->hostname) == 0) {
            set->listed[i] = NULL;
            return l;
        }
    }
    return NULL;
}

/* 1 when list[0..n) has a spoke for the member at path (a hub listing it twice). */
static int
listed_has(struct listed *const *list, size_t n, const char *path)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (strcmp(list[i]->src.path, path) == 0) {
            return 1;
        }
    }
    return 0;
}

static void
save_indexes(struct rs_spokes *spokes, const struct set *set)
{
    char path[4096];
    struct rw_err err;

    if (!rs_index_dirty(spokes->opts.index)) {
        return;
    }
    rw_err_clear(&err);
    (void)snprintf(path, sizeof(path), "%s.indexes", set->state_file);
    if (rs_index_save(spokes->opts.index, path, &err) != RW_OK) {
        rw_log(spokes->opts.log, RW_LOG_WARNING, "table indexes not saved: %s", err.msg);
    }
}

/* Rows of members the hub no longer lists disappear; new indexes are saved. */
static void
list_rows(struct rs_spokes *spokes, struct set *set)
{
    struct spoke_row *row;
    size_t i;

    spokes->generation++;
    for (i = 0; i < set->n_listed; i++) {
        row = rs_table_find(spokes->table, &set->listed[i]->srv.index);
        if (row != NULL) {
            row->head.generation = spokes->generation;
        }
    }
    rs_table_sweep(spokes->table, RS_SPOKES_OWNER_LISTED, spokes->generation);
    save_indexes(spokes, set);
}

/* The round's listing becomes the set's listed spokes: known members keep their server,
 * new ones get one, the others go with their rows.  Out of memory keeps the old list. */
static void
list_apply(struct rs_spokes *spokes, struct set *set)
{
    size_t n = rw_hubspoke_lister_count(set->lister), i, k = 0, added = 0, gone = 0;
    struct listed **next = calloc(n > 0 ? n : 1, sizeof(*next));
    const struct rw_hubspoke_source *src;
    struct listed *l;
    struct rw_err err;

    if (next == NULL) {
        rw_log(spokes->opts.log, RW_LOG_ERR, "out of memory for the hub's list of spokes");
        return;
    }
    for (i = 0; i < n; i++) {
        src = rw_hubspoke_lister_get(set->lister, i);
        if (listed_has(next, k, src->path)) {
            continue;
        }
        if ((l = listed_take(set, src)) == NULL) {
            rw_err_clear(&err);
            if (listed_new(set, src, &l, &err) != RW_OK) {
                rw_log(spokes->opts.log, RW_LOG_ERR, "%s: spoke %s not checked: %s",
                       set->servers[0].name, src->path, err.msg);
            }
            added += l != NULL;
        }
        if (l != NULL) {
            l->src = *src;
            next[k++] = l;
        }
    }
    for (i = 0; i < set->n_listed; i++) {
        gone += set->listed[i] != NULL;
    }
    listed_drop(set, set->listed, set->n_listed);
    free(set->listed);
    set->listed = next;
    set->n_listed = k;
    if (added > 0 || gone > 0) {
        rw_log(spokes->opts.log, RW_LOG_INFO, "%s lists %zu spokes (%zu new, %zu gone)",
               set->servers[0].name, k, added, gone);
    }
    list_rows(spokes, set);
}

/*
 * Starts listed spokes while fewer than RS_SPOKES_STARTS_MAX are being checked, and once
 * every one has started (or the deadline passed) lets the phase end.  Not re-entered: a
 * check that ends at once is followed by the next start of the running loop.
 */
static void
fill_starts(struct rs_spokes *spokes)
{
    struct set *set = spokes->set;
    struct listed *l;

    if (spokes->starting) {
        return;
    }
    spokes->starting = 1;
    while (spokes->running && !spokes->expiring && spokes->next_start < set->n_listed &&
           spokes->active < RS_SPOKES_STARTS_MAX) {
        l = set->listed[spokes->next_start++];
        if (l->bad == NULL) {
            spokes->active++;
            spokes->pending++;
            server_start(spokes, &l->srv);
        }
    }
    spokes->starting = 0;
    if (spokes->running && spokes->holder &&
        (spokes->expiring || spokes->next_start == set->n_listed)) {
        spokes->holder = 0;
        spokes->pending--;
        if (spokes->pending == 0) {
            phase_end(spokes);
        }
    }
}

/* Phase 2, from the loop (not from inside a client callback): the listed spokes. */
static void
phase2_start(void *ctx)
{
    struct rs_spokes *spokes = ctx;
    struct set *set = spokes->set;
    size_t i;

    if (!spokes->running || spokes->phase != 2) {
        return;
    }
    list_apply(spokes, set);
    spokes->expiring = 0;
    spokes->pending = 1; /* the holder, released by fill_starts() */
    spokes->holder = 1;
    spokes->next_start = 0;
    spokes->active = 0;
    for (i = 0; i < set->n_listed; i++) {
        set->listed[i]->srv.done = 1;
        set->listed[i]->srv.started = 0;
    }
    rs_timer_arm(spokes->opts.loop, &spokes->deadline,
                 set->round_ms * (int64_t)(1 + set->n_listed / RS_SPOKES_STARTS_MAX));
    fill_starts(spokes);
}

/* Every check of the phase is over: with the hub's list read, the listed spokes next;
 * otherwise (their rows keep their last check) the round ends. */
static void
phase_end(struct rs_spokes *spokes)
{
    const char *msg;

    if (spokes->phase == 1 && spokes->set->listing && list_status(spokes->set, &msg) == RW_OK) {
        spokes->phase = 2;
        rs_timer_disarm(spokes->opts.loop, &spokes->deadline);
        rs_timer_arm(spokes->opts.loop, &spokes->phase_timer, 0);
        return;
    }
    round_finish(spokes);
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
    spokes->phase = 1;
    /* held until every server has started; the hub's listing counts as one more */
    spokes->pending = set->n + 1 + (set->listing ? 1 : 0);
    set->list_done = !set->listing;
    rs_timer_arm(spokes->opts.loop, &spokes->deadline, set->round_ms);
    for (i = 0; i < set->n; i++) {
        set->servers[i].done = 1; /* not started yet: server_done() ignores it */
    }
    for (i = 0; i < set->n && spokes->running; i++) {
        server_start(spokes, &set->servers[i]);
    }
    if (spokes->running && set->listing) {
        list_start(set);
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
    size_t i, n = spokes->phase == 2 ? set->n_listed : set->n;

    spokes->expiring = 1;
    for (i = 0; i < n && spokes->running; i++) {
        tls_expired(phase_server(spokes, i));
    }
    if (spokes->running) {
        rf_client_cancel(set->client, RW_ETIMEOUT, "the check took too long");
    }
    for (i = 0; i < n && spokes->running; i++) {
        server_done(phase_server(spokes, i));
    }
    if (spokes->running && spokes->phase == 1) {
        list_finish(set);
    } else if (spokes->running) {
        fill_starts(spokes); /* starts nothing more; ends the phase */
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
    rs_timer_disarm(spokes->opts.loop, &spokes->phase_timer);
    for (i = 0; spokes->set != NULL && i < spokes->set->n; i++) {
        round_state_cleanup(spokes, &spokes->set->servers[i]);
    }
    for (i = 0; spokes->set != NULL && i < spokes->set->n_listed; i++) {
        round_state_cleanup(spokes, &spokes->set->listed[i]->srv);
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

/* The detail column: the verdict's failure or expiry text, then the hub's view (NULL:
 * none) as check_hubspoke shows it. */
static void
row_detail(const struct rw_hubspoke_result *res, const char *view, char *buf, size_t len)
{
    const char *detail = res->status != RW_SPOKE_OK    ? res->detail
                         : res->expiry != RW_EXPIRY_OK ? res->expiry_text
                                                       : "";

    (void)snprintf(buf, len, "%s%s%s", detail, detail[0] != '\0' && view != NULL ? "; " : "",
                   view != NULL ? view : "");
}

/* Writes one server's verdict into its row (of owner); notifies a changed status after
 * the first.  view: the hub's view of a listed spoke, NULL otherwise. */
static enum rw_rc
row_update(struct rs_spokes *spokes, const struct server *srv, uint32_t owner,
           const struct rw_hubspoke_result *res, const char *view, struct rw_err *err)
{
    int32_t status = (int32_t)res->status + 1; /* RackwatchSpokeStatus */
    char detail[RW_HUBSPOKE_DETAIL_MAX + 128];
    struct spoke_row *row;
    int32_t old;
    time_t now = time(NULL);

    row_detail(res, view, detail, sizeof(detail));
    if (rs_table_row(spokes->table, &srv->index, owner, spokes->generation, (void **)&row, err) !=
        RW_OK) {
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

/* A listing hub whose list could not be read is not OK, as check_hubspoke judges it. */
static void
list_verdict(const struct set *set, const struct server *hub, struct rw_hubspoke_result *res)
{
    const char *msg = "";
    enum rw_rc rc;

    if (!set->listing) {
        return;
    }
    rc = list_status(set, &msg);
    if (rc != RW_OK) {
        rw_hubspoke_fail(res,
                         rc == RW_EPARSE || rc == RW_ETOOBIG ? RW_SPOKE_INVALID_SERVER
                                                             : RW_SPOKE_NOT_RESPONDING,
                         "hub %s: %s", hub->auth, msg);
    }
}

/* A listed spoke's verdict into its row: an unusable HostName is an invalid server; a
 * spoke the round had no time to start keeps its last check. */
static void
listed_row(struct rs_spokes *spokes, const struct set *set, const struct server *hub,
           const struct listed *l)
{
    struct rw_hubspoke_result res;
    char view[2 * RW_HUBSPOKE_HEALTH_MAX + 48];
    struct rw_err err;

    if (l->bad != NULL) {
        rw_hubspoke_result_init(&res);
        rw_hubspoke_fail(&res, RW_SPOKE_INVALID_SERVER, "%s", l->bad);
    } else if (l->srv.started) {
        classify_spoke(&set->pol, hub, &l->srv, &res);
    } else {
        return;
    }
    (void)snprintf(view, sizeof(view), "hub reports Health %s, State %s",
                   l->src.health[0] != '\0' ? l->src.health : "-",
                   l->src.state[0] != '\0' ? l->src.state : "-");
    rw_err_clear(&err);
    if (row_update(spokes, &l->srv, RS_SPOKES_OWNER_LISTED, &res, view, &err) != RW_OK) {
        rw_log(spokes->opts.log, RW_LOG_ERR, "%s: row not updated: %s", l->srv.name, err.msg);
    }
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
            list_verdict(set, srv, &res);
            hub = res.status == RW_SPOKE_OK ? srv : NULL;
        } else {
            classify_spoke(&set->pol, hub, srv, &res);
        }
        if (row_update(spokes, srv, RS_SPOKES_OWNER, &res, NULL, &err) != RW_OK) {
            rw_log(spokes->opts.log, RW_LOG_ERR, "%s: row not updated: %s", srv->name, err.msg);
        }
    }
    for (i = 0; spokes->phase == 2 && i < set->n_listed; i++) {
        listed_row(spokes, set, hub, set->listed[i]);
    }
    rs_timer_arm(spokes->opts.loop, &spokes->next,
                 set->interval_ms + (set->jitter_pct > 0
                                         ? (int64_t)rand_r(&spokes->seed) %
                                               (set->interval_ms * set->jitter_pct / 100 + 1)
                                         : 0));
}

/* ---- configuration ---- */

/* Gives every server of set its index, keeps the rows of those already known, drops
 * the others' rows (and the listed spokes' unless keep_listed), and saves the registry
 * when it grew. */
static enum rw_rc
set_rows(struct rs_spokes *spokes, struct set *set, int keep_listed, struct rw_err *err)
{
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
    if (!keep_listed) {
        rs_table_sweep(spokes->table, RS_SPOKES_OWNER_LISTED, spokes->generation);
    }
    save_indexes(spokes, set);
    return RW_OK;
}

enum rw_rc
rs_spokes_configure(struct rs_spokes *spokes, const struct rw_config *cfg, struct rw_err *err)
{
    struct set *set = NULL;
    struct rw_err e;
    int keep_listed;

    rw_err_clear(&e);
    if (set_build(spokes, cfg, &set, &e) != RW_OK) {
        return rw_err_set(err, e.code, "hub/spoke checks: %s", e.msg);
    }
    /* the same hub still listing its spokes: their rows stay until its next list */
    keep_listed = spokes->set != NULL && spokes->set->listing && set->listing &&
                  strcmp(spokes->set->servers[0].name, set->servers[0].name) == 0;
    round_abort(spokes);
    set_free(spokes->set);
    spokes->set = set;
    if (set_rows(spokes, set, keep_listed, err) != RW_OK) {
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
    rs_timer_init(&spokes->phase_timer, phase2_start, spokes);
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

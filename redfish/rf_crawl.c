#include "rf_crawl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rf_map.h"

enum job_type {
    J_ROOT,
    J_PEQ,
    J_PDUS,
    J_PDU,
    J_MAINS,
    J_BRANCHES,
    J_OUTLETS,
    J_INLET,
    J_BRANCH,
    J_OUTLET,
    J_METRICS,
    J_SYSTEMS,
    J_SYSTEM,
    J_CHASSIS,
    J_ENV,
    J_TMETRICS,
    J_SENSORS,
    J_SENSOR,
    J_POWER,
    J_THERMAL,
};

/* What each job type is: required or optional, a collection (and of what), per server. */
static const struct job_info {
    bool required;
    bool collection;
    bool server;          /* owner is a server index and the job counts in its stage */
    enum job_type member; /* a collection's member type; J_ROOT (unused) for the others */
} job_info[] = {
    [J_ROOT] = {true, false, false, J_ROOT},     [J_PEQ] = {true, false, false, J_ROOT},
    [J_PDUS] = {true, true, false, J_PDU},       [J_PDU] = {true, false, false, J_ROOT},
    [J_MAINS] = {true, true, false, J_INLET},    [J_BRANCHES] = {true, true, false, J_BRANCH},
    [J_OUTLETS] = {true, true, false, J_OUTLET}, [J_INLET] = {true, false, false, J_ROOT},
    [J_BRANCH] = {true, false, false, J_ROOT},   [J_OUTLET] = {true, false, false, J_ROOT},
    [J_METRICS] = {false, false, false, J_ROOT}, [J_SYSTEMS] = {true, true, false, J_SYSTEM},
    [J_SYSTEM] = {true, false, true, J_ROOT},    [J_CHASSIS] = {false, false, true, J_ROOT},
    [J_ENV] = {false, false, true, J_ROOT},      [J_TMETRICS] = {false, false, true, J_ROOT},
    [J_SENSORS] = {false, true, true, J_SENSOR}, [J_SENSOR] = {false, false, true, J_ROOT},
    [J_POWER] = {false, false, true, J_ROOT},    [J_THERMAL] = {false, false, true, J_ROOT},
};

struct job {
    char *uri;   /* the URI asked for; owned */
    char *plain; /* an expanded first page: the same URI without the query; owned */
    enum job_type type;
    size_t owner;   /* index of the PDU or server the answer belongs to */
    size_t slot;    /* index of the element in its list, or of the chassis */
    unsigned pages; /* pages of this collection read before this one */
    size_t members; /* members of this collection listed before this page */
};

/* A server's readings come in stages, each asked only while its reading is absent. */
enum stage {
    ST_SYSTEM,
    ST_CHASSIS,
    ST_NEW,  /* EnvironmentMetrics, ThermalMetrics */
    ST_OLD,  /* Power, Sensors */
    ST_LAST, /* Thermal */
    ST_DONE,
};

/* Source ranks: a lower rank wins; equal ranks go to the lower chassis index. */
enum {
    RANK_ENV = 0,
    RANK_POWER = 1,
    RANK_TMETRICS = 0,
    RANK_SENSOR = 1,
    RANK_THERMAL = 2
};
#define KEY_NONE ((size_t)-1)

struct srv_state {
    enum stage stage;
    size_t pending; /* jobs of the current stage not yet answered */
    struct rf_system_links sys;
    struct rf_chassis_links chassis[RF_CHASSIS_MAX];
    size_t power_key, temp_key; /* rank * RF_CHASSIS_MAX + chassis of the kept reading */
};

struct uriset {
    char **v;
    size_t cap, n;
};

struct rf_crawl {
    enum rf_kind kind;
    bool expand; /* ask collections with RF_EXPAND_QUERY */
    bool use_expand;
    bool done;
    bool failed;
    struct rf_endpoint *ep;
    struct job *queue;
    size_t q_head, q_len, q_cap;
    struct job *flight;
    size_t f_len, f_cap;
    struct srv_state *srv; /* parallel to ep->servers */
    size_t n_srv;
    struct uriset seen;
    int64_t requests;
    struct json_tokener *tok; /* one for every document of the crawl; made on first use */
};

static enum rw_rc advance(struct rf_crawl *c, size_t s, struct rw_err *err);

/* FNV-1a: the URIs are short and come from one device; nothing needs more. */
static size_t
uri_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;

    for (; *s != '\0'; s++) {
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    }
    return (size_t)h;
}

static bool
uriset_has(const struct uriset *set, const char *uri)
{
    size_t i;

    if (set->cap == 0) {
        return false;
    }
    for (i = uri_hash(uri) & (set->cap - 1); set->v[i] != NULL; i = (i + 1) & (set->cap - 1)) {
        if (strcmp(set->v[i], uri) == 0) {
            return true;
        }
    }
    return false;
}

static void
uriset_put(struct uriset *set, char *uri)
{
    size_t i = uri_hash(uri) & (set->cap - 1);

    while (set->v[i] != NULL) {
        i = (i + 1) & (set->cap - 1);
    }
    set->v[i] = uri;
    set->n++;
}

/* Adds a copy of uri; keeps the table at most half full. */
static enum rw_rc
uriset_add(struct uriset *set, const char *uri, struct rw_err *err)
{
    struct uriset bigger = {NULL, set->cap != 0 ? set->cap * 2 : 64, 0};
    char *copy = NULL;
    size_t i;

    if (uriset_has(set, uri)) {
        return RW_OK;
    }
    if ((set->n + 1) * 2 > set->cap) {
        bigger.v = calloc(bigger.cap, sizeof(*bigger.v));
        if (bigger.v == NULL) {
            return rw_err_set(err, RW_ENOMEM, "out of memory");
        }
        for (i = 0; i < set->cap; i++) {
            if (set->v[i] != NULL) {
                uriset_put(&bigger, set->v[i]);
            }
        }
        free(set->v);
        *set = bigger;
    }
    if (rf_str_set(&copy, uri, err) != RW_OK) {
        return RW_ENOMEM;
    }
    uriset_put(set, copy);
    return RW_OK;
}

static void
uriset_cleanup(struct uriset *set)
{
    size_t i;

    for (i = 0; i < set->cap; i++) {
        free(set->v[i]);
    }
    free(set->v);
    memset(set, 0, sizeof(*set));
}

static void
job_cleanup(struct job *job)
{
    free(job->uri);
    free(job->plain);
    job->uri = NULL;
    job->plain = NULL;
}

/*
 * Forgets every queued job and marks the crawl done, failed with msg unless msg is NULL.
 * In-flight jobs stay: the transport may still hold their URIs; their answers are ignored.
 */
static void
stop(struct rf_crawl *c, const char *msg)
{
    size_t i;

    if (msg != NULL && c->ep != NULL) {
        rf_endpoint_fail(c->ep, "%s", msg);
        c->failed = true;
    }
    for (i = c->q_head; i < c->q_len; i++) {
        job_cleanup(&c->queue[i]);
    }
    c->q_head = c->q_len = 0;
    c->done = true;
}

struct rf_crawl *
rf_crawl_new(enum rf_kind kind, bool use_expand)
{
    struct rf_crawl *c = calloc(1, sizeof(*c));
    struct job root = {NULL, NULL, J_ROOT, 0, 0, 0, 0};

    if (c == NULL) {
        return NULL;
    }
    c->kind = kind;
    c->use_expand = use_expand;
    c->ep = rf_endpoint_new();
    c->queue = calloc(16, sizeof(*c->queue));
    c->q_cap = 16;
    if (c->ep == NULL || c->queue == NULL || rf_str_set(&root.uri, "/redfish/v1/", NULL) != RW_OK) {
        rf_crawl_free(c);
        return NULL;
    }
    c->ep->kind = kind;
    c->queue[c->q_len++] = root;
    return c;
}

static void
srv_state_cleanup(struct srv_state *st)
{
    size_t i;

    rf_system_links_cleanup(&st->sys);
    for (i = 0; i < RF_CHASSIS_MAX; i++) {
        rf_chassis_links_cleanup(&st->chassis[i]);
    }
}

void
rf_crawl_free(struct rf_crawl *c)
{
    size_t i;

    if (c == NULL) {
        return;
    }
    stop(c, NULL);
    for (i = 0; i < c->f_len; i++) {
        job_cleanup(&c->flight[i]);
    }
    free(c->queue);
    free(c->flight);
    for (i = 0; i < c->n_srv; i++) {
        srv_state_cleanup(&c->srv[i]);
    }
    free(c->srv);
    uriset_cleanup(&c->seen);
    rf_endpoint_free(c->ep);
    if (c->tok != NULL) {
        json_tokener_free(c->tok);
    }
    free(c);
}

/* Appends job to the queue, taking its strings; frees them on failure. */
static enum rw_rc
enqueue(struct rf_crawl *c, struct job *job, struct rw_err *err)
{
    struct job *grown;
    size_t cap = c->q_cap * 2;

    if (c->q_len == c->q_cap) {
        grown = realloc(c->queue, cap * sizeof(*grown));
        if (grown == NULL) {
            job_cleanup(job);
            return rw_err_set(err, RW_ENOMEM, "out of memory");
        }
        c->queue = grown;
        c->q_cap = cap;
    }
    if (uriset_add(&c->seen, job->uri, err) != RW_OK) {
        job_cleanup(job);
        return RW_ENOMEM;
    }
    c->queue[c->q_len++] = *job;
    if (job_info[job->type].server) {
        c->srv[job->owner].pending++;
    }
    return RW_OK;
}

/* Queues a GET of uri for type; a collection's first page gets the expand query. */
static enum rw_rc
push(struct rf_crawl *c, enum job_type type, const char *uri, size_t owner, size_t slot,
     struct rw_err *err)
{
    struct job job = {NULL, NULL, type, owner, slot, 0, 0};
    char buf[RF_STR_MAX + sizeof(RF_EXPAND_QUERY) + 2];
    int len;

    if (job_info[type].collection && c->expand) {
        len = snprintf(buf, sizeof(buf), "%s%c%s", uri, strchr(uri, '?') != NULL ? '&' : '?',
                       RF_EXPAND_QUERY);
        if (len < 0 || (size_t)len >= sizeof(buf)) {
            return rw_err_set(err, RW_EINVAL, "URI too long");
        }
        if (rf_str_set(&job.plain, uri, err) != RW_OK) {
            return RW_ENOMEM;
        }
        uri = buf;
    }
    if (rf_str_set(&job.uri, uri, err) != RW_OK) {
        job_cleanup(&job);
        return RW_ENOMEM;
    }
    return enqueue(c, &job, err);
}

/* Sets *id to the last path segment of uri, the id an element has until its Id is read. */
static enum rw_rc
id_from_uri(char **id, const char *uri, struct rw_err *err)
{
    char seg[RF_STR_MAX + 1];
    size_t len = strlen(uri);
    const char *start;

    while (len > 0 && uri[len - 1] == '/') {
        len--;
    }
    start = uri + len;
    while (start > uri && start[-1] != '/') {
        start--;
    }
    len -= (size_t)(start - uri);
    memcpy(seg, start, len);
    seg[len] = '\0';
    return rf_str_set(id, len > 0 ? seg : NULL, err);
}

static enum rw_rc
add_server(struct rf_crawl *c, const char *uri, size_t *slot, struct rw_err *err)
{
    struct srv_state *grown;
    struct rf_server *srv = NULL;
    enum rw_rc rc = rf_server_add(c->ep, &srv, err);

    if (rc != RW_OK) {
        return rc;
    }
    grown = realloc(c->srv, c->ep->n_servers * sizeof(*grown));
    if (grown == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    c->srv = grown;
    memset(&c->srv[c->n_srv], 0, sizeof(*c->srv));
    c->srv[c->n_srv].power_key = KEY_NONE;
    c->srv[c->n_srv].temp_key = KEY_NONE;
    *slot = c->n_srv++;
    return id_from_uri(&srv->id, uri, err);
}

/* Makes room in the model for a member listed by the collection parent. */
static enum rw_rc
add_slot(struct rf_crawl *c, const struct job *parent, const char *uri, size_t *slot,
         struct rw_err *err)
{
    struct rf_pdu *pdu = NULL;
    struct rf_inlet *in = NULL;
    struct rf_branch *br = NULL;
    struct rf_outlet *out = NULL;
    enum rw_rc rc;

    switch (job_info[parent->type].member) {
    case J_PDU:
        *slot = c->ep->n_pdus;
        rc = rf_pdu_add(c->ep, &pdu, err);
        return rc != RW_OK ? rc : id_from_uri(&pdu->id, uri, err);
    case J_INLET:
        *slot = c->ep->pdus[parent->owner].n_inlets;
        rc = rf_inlet_add(&c->ep->pdus[parent->owner], &in, err);
        return rc != RW_OK ? rc : id_from_uri(&in->id, uri, err);
    case J_BRANCH:
        *slot = c->ep->pdus[parent->owner].n_branches;
        rc = rf_branch_add(&c->ep->pdus[parent->owner], &br, err);
        return rc != RW_OK ? rc : id_from_uri(&br->id, uri, err);
    case J_OUTLET:
        *slot = c->ep->pdus[parent->owner].n_outlets;
        rc = rf_outlet_add(&c->ep->pdus[parent->owner], &out, err);
        return rc != RW_OK ? rc : id_from_uri(&out->id, uri, err);
    case J_SYSTEM:
        return add_server(c, uri, slot, err);
    default:
        *slot = parent->slot; /* a sensor is no element; it keeps its chassis index */
        return RW_OK;
    }
}

/* A failure that the next poll may not meet: no connection, a time-out, or the service's
 * "busy" (the client words HTTP errors "HTTP <status>..."); not a 404 or a bad body. */
static bool
passing(enum rw_rc why, const char *msg)
{
    if (why == RW_ECONNECT || why == RW_ETIMEOUT) {
        return true;
    }
    if (why != RW_EHTTP) {
        return false;
    }
    /* 500, 502, 503, 504 and 429; not 501 (not implemented: it will not be). */
    if (strncmp(msg, "HTTP 50", 7) == 0) {
        return msg[7] != '\0' && strchr("0234", msg[7]) != NULL;
    }
    return strncmp(msg, "HTTP 429", 8) == 0;
}

/* An optional resource failed for a reason that passes: says which values a poller may
 * keep from its last poll rather than blank them for this one. */
static void
mark_passing(struct rf_crawl *c, const struct job *job)
{
    struct rf_server *srv;
    enum job_type t = job->type;

    if (t == J_METRICS && job->owner < c->ep->n_pdus) {
        c->ep->pdus[job->owner].metrics_failed = true;
        return;
    }
    if (!job_info[t].server || job->owner >= c->ep->n_servers) {
        return;
    }
    /* The reading the failed resource was asked for (a chassis: both). */
    srv = &c->ep->servers[job->owner];
    srv->power_failed |= t == J_CHASSIS || t == J_ENV || t == J_POWER;
    srv->temp_failed |=
        t == J_CHASSIS || t == J_TMETRICS || t == J_SENSORS || t == J_SENSOR || t == J_THERMAL;
}

/* Records a problem with job: an endpoint error for a required resource, else a note. */
static void
problem(struct rf_crawl *c, const struct job *job, enum rw_rc why, const char *msg)
{
    if (job_info[job->type].required) {
        rf_endpoint_fail(c->ep, "%s: %s", job->uri, msg);
        c->failed = true;
        return;
    }
    rf_note(c->ep, "%s: %s", job->uri, msg);
    if (passing(why, msg)) {
        mark_passing(c, job);
    }
}

/* Keeps v as the server's power or temperature when its source beats the one kept. */
static void
offer(struct rf_crawl *c, const struct job *job, bool power, size_t rank, double v)
{
    struct srv_state *st = &c->srv[job->owner];
    size_t key = rank * RF_CHASSIS_MAX + job->slot;
    size_t *kept = power ? &st->power_key : &st->temp_key;

    if (!rf_has(v) || key >= *kept) {
        return;
    }
    *kept = key;
    if (power) {
        c->ep->servers[job->owner].power_w = v;
    } else {
        c->ep->servers[job->owner].inlet_temp_c = v;
    }
}

/* False for a sensor job whose server already has an intake reading as good. */
static bool
needed(const struct rf_crawl *c, const struct job *job)
{
    if (job->type != J_SENSOR && job->type != J_SENSORS) {
        return true;
    }
    return (size_t)RANK_SENSOR * RF_CHASSIS_MAX + job->slot < c->srv[job->owner].temp_key;
}

static enum rw_rc
on_root(struct rf_crawl *c, const struct json_object *obj, struct rw_err *err)
{
    struct rf_root root = {0};
    bool pdus, servers;
    enum rw_rc rc = rf_map_root(obj, &root, c->ep, err);

    if (rc != RW_OK) {
        return rc;
    }
    pdus = root.power_equipment != NULL && c->kind != RF_KIND_SERVER;
    servers = root.systems != NULL && c->kind != RF_KIND_PDU;
    c->expand = c->use_expand && root.expand;
    if (c->kind == RF_KIND_PDU && !pdus) {
        rc = rw_err_set(err, RW_EINVAL, "the service root offers no PowerEquipment");
    } else if (c->kind == RF_KIND_SERVER && !servers) {
        rc = rw_err_set(err, RW_EINVAL, "the service root offers no Systems");
    } else if (!pdus && !servers) {
        rc = rw_err_set(err, RW_EINVAL,
                        "the service root offers neither PowerEquipment nor Systems");
    }
    if (rc == RW_OK && c->kind == RF_KIND_AUTO && pdus != servers) {
        c->ep->kind = pdus ? RF_KIND_PDU : RF_KIND_SERVER;
    }
    if (rc == RW_OK && pdus) {
        rc = push(c, J_PEQ, root.power_equipment, 0, 0, err);
    }
    if (rc == RW_OK && servers) {
        rc = push(c, J_SYSTEMS, root.systems, 0, 0, err);
    }
    rf_root_cleanup(&root);
    return rc;
}

static enum rw_rc
on_power_equipment(struct rf_crawl *c, const struct job *job, const struct json_object *obj,
                   struct rw_err *err)
{
    char *rack = NULL;
    enum rw_rc rc = rf_map_power_equipment(obj, &rack, c->ep, err);

    if (rc == RW_OK && rack == NULL) {
        rf_note(c->ep, "%s: no RackPDUs collection", job->uri);
    } else if (rc == RW_OK) {
        rc = push(c, J_PDUS, rack, 0, 0, err);
    }
    free(rack);
    return rc;
}

static enum rw_rc
on_pdu(struct rf_crawl *c, const struct job *job, const struct json_object *obj, struct rw_err *err)
{
    struct rf_pdu_links links = {0};
    enum rw_rc rc = rf_map_pdu(obj, &c->ep->pdus[job->owner], &links, c->ep, err);

    if (rc == RW_OK && links.mains != NULL) {
        rc = push(c, J_MAINS, links.mains, job->owner, 0, err);
    }
    if (rc == RW_OK && links.branches != NULL) {
        rc = push(c, J_BRANCHES, links.branches, job->owner, 0, err);
    }
    if (rc == RW_OK && links.outlets != NULL) {
        rc = push(c, J_OUTLETS, links.outlets, job->owner, 0, err);
    }
    if (rc == RW_OK && links.metrics != NULL) {
        rc = push(c, J_METRICS, links.metrics, job->owner, 0, err);
    }
    rf_pdu_links_cleanup(&links);
    return rc;
}

/* The single readings of a server's chassis resources. */
static enum rw_rc
on_value(struct rf_crawl *c, const struct job *job, const struct json_object *obj,
         struct rw_err *err)
{
    if (!json_object_is_type(obj, json_type_object)) {
        return rw_err_set(err, RW_EPARSE, "not a JSON object");
    }
    switch (job->type) {
    case J_ENV:
        offer(c, job, true, RANK_ENV, rf_map_environment_power(obj, c->ep));
        break;
    case J_POWER:
        offer(c, job, true, RANK_POWER, rf_map_power_consumed(obj, c->ep));
        break;
    case J_TMETRICS:
        offer(c, job, false, RANK_TMETRICS, rf_map_thermal_metrics_intake(obj, c->ep));
        break;
    case J_SENSOR:
        offer(c, job, false, RANK_SENSOR, rf_map_sensor_intake(obj, c->ep));
        break;
    default:
        offer(c, job, false, RANK_THERMAL, rf_map_thermal_intake(obj, c->ep));
        break;
    }
    return RW_OK;
}

static enum rw_rc on_collection(struct rf_crawl *c, const struct job *job,
                                const struct json_object *obj, struct rw_err *err);

/* Maps one answer into the model and queues what it leads to. */
static enum rw_rc
on_resource(struct rf_crawl *c, const struct job *job, const struct json_object *obj,
            struct rw_err *err)
{
    struct rf_pdu *pdu = job->owner < c->ep->n_pdus ? &c->ep->pdus[job->owner] : NULL;

    if (pdu == NULL && job->type >= J_PDU && job->type <= J_METRICS) {
        return rw_err_set(err, RW_EINVAL, "internal error: no PDU %zu", job->owner);
    }
    switch (job->type) {
    case J_ROOT:
        return on_root(c, obj, err);
    case J_PEQ:
        return on_power_equipment(c, job, obj, err);
    case J_PDU:
        return on_pdu(c, job, obj, err);
    case J_INLET:
        return rf_map_inlet(obj, &pdu->inlets[job->slot], c->ep, err);
    case J_BRANCH:
        return rf_map_branch(obj, &pdu->branches[job->slot], c->ep, err);
    case J_OUTLET:
        return rf_map_outlet(obj, &pdu->outlets[job->slot], c->ep, err);
    case J_METRICS:
        return rf_map_pdu_metrics(obj, pdu, c->ep, err);
    case J_SYSTEM:
        return rf_map_system(obj, &c->ep->servers[job->owner], &c->srv[job->owner].sys, c->ep, err);
    case J_CHASSIS:
        return rf_map_chassis(obj, &c->srv[job->owner].chassis[job->slot], c->ep, err);
    default:
        if (job_info[job->type].collection) {
            return on_collection(c, job, obj, err);
        }
        return on_value(c, job, obj, err);
    }
}

static enum rw_rc fail_job(struct rf_crawl *c, struct job *job, enum rw_rc why, const char *msg,
                           struct rw_err *err);

/* One member of a collection page: a slot in the model, then its GET or its inline body. */
static enum rw_rc
on_member(struct rf_crawl *c, const struct job *parent, const struct rf_member *m,
          struct rw_err *err)
{
    enum job_type type = job_info[parent->type].member;
    struct job tmp = {m->uri, NULL, type, parent->owner, 0, 0, 0};
    struct rw_err merr;
    enum rw_rc rc;

    if (type != J_SENSOR && uriset_has(&c->seen, m->uri)) {
        rf_note(c->ep, "%s: member %s listed twice", parent->uri, m->uri);
        return RW_OK;
    }
    rc = add_slot(c, parent, m->uri, &tmp.slot, err);
    if (rc == RW_OK && (type == J_PDU || type == J_SYSTEM)) {
        tmp.owner = tmp.slot;
    }
    if (rc != RW_OK || m->expanded == NULL) {
        return rc != RW_OK ? rc : push(c, type, m->uri, tmp.owner, tmp.slot, err);
    }
    rc = uriset_add(&c->seen, m->uri, err);
    rw_err_clear(&merr);
    rc = rc != RW_OK ? rc : on_resource(c, &tmp, m->expanded, &merr);
    if (rc != RW_OK && rc != RW_ENOMEM) {
        rc = fail_job(c, &tmp, rc, merr.msg, err);
    }
    if (rc == RW_OK && type == J_SYSTEM) {
        rc = advance(c, tmp.owner, err);
    }
    return rc == RW_ENOMEM ? rw_err_set(err, rc, "out of memory") : rc;
}

/* Queues the next page of a collection, unless it loops or passes the page cap. */
static enum rw_rc
next_page(struct rf_crawl *c, const struct job *job, const char *next, size_t members,
          struct rw_err *err)
{
    struct job page = {NULL, NULL, job->type, job->owner, job->slot, job->pages + 1, members};

    if (uriset_has(&c->seen, next)) {
        problem(c, job, RW_EPARSE, "Members@odata.nextLink leads back to a page already read");
        return RW_OK;
    }
    if (page.pages >= RF_CRAWL_PAGES_MAX) {
        problem(c, job, RW_ETOOBIG, "more than 64 pages of members; the rest is not read");
        return RW_OK;
    }
    if (rf_str_set(&page.uri, next, err) != RW_OK) {
        return RW_ENOMEM;
    }
    return enqueue(c, &page, err);
}

static enum rw_rc
on_collection(struct rf_crawl *c, const struct job *job, const struct json_object *obj,
              struct rw_err *err)
{
    struct rf_collection coll = {0};
    enum rw_rc rc = rf_map_collection(obj, &coll, c->ep, err);
    size_t i, room = RF_MEMBERS_MAX - job->members;

    for (i = 0; rc == RW_OK && i < coll.n && i < room; i++) {
        rc = on_member(c, job, &coll.v[i], err);
    }
    if (rc == RW_OK && coll.n > room) {
        problem(c, job, RW_ETOOBIG, "more than 4096 members; the rest is not read");
    } else if (rc == RW_OK && coll.next_link != NULL) {
        rc = next_page(c, job, coll.next_link, job->members + coll.n, err);
    }
    rf_collection_cleanup(&coll);
    return rc;
}

/* Queues the jobs of the server's current stage that concern chassis i. */
static enum rw_rc
stage_jobs(struct rf_crawl *c, size_t s, size_t i, struct rw_err *err)
{
    struct srv_state *st = &c->srv[s];
    struct rf_chassis_links *ch = &st->chassis[i];
    bool no_power = st->power_key == KEY_NONE, no_temp = st->temp_key == KEY_NONE;
    enum rw_rc rc = RW_OK;

    switch (st->stage) {
    case ST_CHASSIS:
        return i < st->sys.n_chassis ? push(c, J_CHASSIS, st->sys.chassis[i], s, i, err) : RW_OK;
    case ST_NEW:
        if (ch->environment != NULL) {
            rc = push(c, J_ENV, ch->environment, s, i, err);
        }
        return rc != RW_OK || ch->thermal_metrics == NULL
                   ? rc
                   : push(c, J_TMETRICS, ch->thermal_metrics, s, i, err);
    case ST_OLD:
        if (no_power && ch->power != NULL) {
            rc = push(c, J_POWER, ch->power, s, i, err);
        }
        return rc != RW_OK || !no_temp || ch->sensors == NULL
                   ? rc
                   : push(c, J_SENSORS, ch->sensors, s, i, err);
    case ST_LAST:
        return !no_temp || ch->thermal == NULL ? RW_OK : push(c, J_THERMAL, ch->thermal, s, i, err);
    default:
        return RW_OK;
    }
}

/* Moves a server to its next stage each time the current one has nothing pending. */
static enum rw_rc
advance(struct rf_crawl *c, size_t s, struct rw_err *err)
{
    enum rw_rc rc = RW_OK;
    size_t i;

    while (rc == RW_OK && c->srv[s].pending == 0 && c->srv[s].stage != ST_DONE) {
        c->srv[s].stage++;
        for (i = 0; rc == RW_OK && i < RF_CHASSIS_MAX; i++) {
            rc = stage_jobs(c, s, i, err);
        }
    }
    return rc;
}

/* A failed job: fall back from $expand once, else record the problem. */
static enum rw_rc
fail_job(struct rf_crawl *c, struct job *job, enum rw_rc why, const char *msg, struct rw_err *err)
{
    if (job->plain != NULL && why != RW_ETOOBIG) {
        c->expand = false;
        rf_note(c->ep, "%s: %s; reading collections without $expand", job->uri, msg);
        return push(c, job->type, job->plain, job->owner, job->slot, err);
    }
    problem(c, job, why, msg);
    if (job->type == J_ROOT) {
        stop(c, NULL);
    }
    return RW_OK;
}

/* The job was answered (well or not): its stage may be over. */
static enum rw_rc
finish(struct rf_crawl *c, struct job *job, struct rw_err *err)
{
    enum rw_rc rc = RW_OK;

    if (job_info[job->type].server && !c->done) {
        c->srv[job->owner].pending--;
        rc = advance(c, job->owner, err);
    }
    job_cleanup(job);
    return rc;
}

static void
check_done(struct rf_crawl *c)
{
    if (c->q_head == c->q_len && c->f_len == 0) {
        c->q_head = c->q_len = 0;
        c->done = true;
    }
}

/* Ends the handling of an answer: rc is how mapping went, msg why it failed. */
static enum rw_rc
settle(struct rf_crawl *c, struct job *job, enum rw_rc rc, const char *msg, struct rw_err *err)
{
    if (rc != RW_OK && rc != RW_ENOMEM) {
        rc = fail_job(c, job, rc, msg, err);
    }
    if (rc == RW_OK) {
        rc = finish(c, job, err);
    }
    job_cleanup(job);
    if (rc == RW_ENOMEM) {
        stop(c, "out of memory");
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    check_done(c);
    return rc;
}

/* Removes the in-flight job for uri into *job. */
static enum rw_rc
take_flight(struct rf_crawl *c, const char *uri, struct job *job, struct rw_err *err)
{
    size_t i;

    for (i = 0; uri != NULL && i < c->f_len; i++) {
        if (strcmp(c->flight[i].uri, uri) == 0) {
            *job = c->flight[i];
            c->flight[i] = c->flight[--c->f_len];
            return RW_OK;
        }
    }
    (void)rw_err_set(err, RW_EINVAL, "%s is not a request of this crawl",
                     uri != NULL ? uri : "(null)");
    return RW_EINVAL;
}

enum rw_rc
rf_crawl_feed(struct rf_crawl *c, const char *uri, const char *text, size_t len, struct rw_err *err)
{
    struct json_object *obj = NULL;
    struct rw_err perr;
    struct job job = {0};
    enum rw_rc rc = take_flight(c, uri, &job, err);

    if (rc != RW_OK || c->done) {
        job_cleanup(&job);
        return rc; /* a stopped crawl ignores answers still arriving */
    }
    rw_err_clear(&perr);
    if (c->tok == NULL) {
        c->tok = rf_json_tokener_new(); /* NULL: rf_json_parse_with() tries its own */
    }
    rc = rf_json_parse_with(c->tok, text, len, 0, false, &obj, &perr);
    if (rc == RW_OK) {
        rc = on_resource(c, &job, obj, &perr);
    }
    json_object_put(obj);
    return settle(c, &job, rc, perr.msg, err);
}

enum rw_rc
rf_crawl_fail(struct rf_crawl *c, const char *uri, enum rw_rc rc, const char *msg,
              struct rw_err *err)
{
    struct job job = {0};
    enum rw_rc trc = take_flight(c, uri, &job, err);

    if (trc != RW_OK || c->done) {
        job_cleanup(&job);
        return trc;
    }
    return settle(c, &job, rc == RW_OK || rc == RW_ENOMEM ? RW_EHTTP : rc,
                  msg != NULL ? msg : "failed", err);
}

/* Moves job to the in-flight list; *uri receives its URI. */
static enum rw_rc
to_flight(struct rf_crawl *c, struct job *job, const char **uri, struct rw_err *err)
{
    struct job *grown;
    size_t cap = c->f_cap != 0 ? c->f_cap * 2 : 8;

    if (c->f_len == c->f_cap) {
        grown = realloc(c->flight, cap * sizeof(*grown));
        if (grown == NULL) {
            job_cleanup(job);
            return rw_err_set(err, RW_ENOMEM, "out of memory");
        }
        c->flight = grown;
        c->f_cap = cap;
    }
    c->flight[c->f_len] = *job;
    *uri = c->flight[c->f_len++].uri;
    return RW_OK;
}

/* Forgets the queued jobs once the request cap is reached; in-flight ones still land. */
static void
drop_queue(struct rf_crawl *c)
{
    size_t i;

    if (!c->failed) {
        rf_endpoint_fail(c->ep, "stopped after %d requests", RF_CRAWL_REQUESTS_MAX);
        c->failed = true;
    }
    for (i = c->q_head; i < c->q_len; i++) {
        job_cleanup(&c->queue[i]);
    }
    c->q_head = c->q_len = 0;
}

enum rw_rc
rf_crawl_next(struct rf_crawl *c, const char **uris, size_t max, size_t *n, struct rw_err *err)
{
    struct job job;
    enum rw_rc rc = RW_OK;

    *n = 0;
    while (rc == RW_OK && !c->done && *n < max && c->q_head < c->q_len) {
        job = c->queue[c->q_head++];
        if (!needed(c, &job)) {
            rc = finish(c, &job, err);
        } else if (c->requests >= RF_CRAWL_REQUESTS_MAX) {
            job_cleanup(&job);
            drop_queue(c);
        } else {
            rc = to_flight(c, &job, &uris[*n], err);
            *n += rc == RW_OK;
            c->requests += rc == RW_OK;
        }
    }
    if (rc != RW_OK) {
        *n = 0;
        stop(c, "out of memory");
        return rc;
    }
    check_done(c);
    return RW_OK;
}

void
rf_crawl_cancel(struct rf_crawl *c, const char *msg)
{
    if (c != NULL && !c->done) {
        stop(c, msg != NULL ? msg : "cancelled");
    }
}

bool
rf_crawl_done(const struct rf_crawl *c)
{
    return c->done;
}

int64_t
rf_crawl_requests(const struct rf_crawl *c)
{
    return c->requests;
}

size_t
rf_crawl_in_flight(const struct rf_crawl *c)
{
    return c->f_len;
}

struct rf_endpoint *
rf_crawl_take(struct rf_crawl *c)
{
    struct rf_endpoint *ep = c->ep;

    if (!c->done || ep == NULL) {
        return NULL;
    }
    ep->ok = !c->failed && ep->error == NULL;
    ep->requests = c->requests;
    c->ep = NULL;
    return ep;
}

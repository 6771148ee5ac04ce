#include "rf_model.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The enumerated texts rf_word_set() shares: Resource.Health, PowerState and
 * BreakerState values of the Redfish schemas.  Read-only: model fields pointing here are
 * never written through, and text_free() leaves them alone.
 */
static const char *const shared_words[] = {
    "OK",         "Warning",     "Critical", "On",     "Off",
    "PoweringOn", "PoweringOff", "Paused",   "Normal", "Tripped",
};

#define N_SHARED_WORDS (sizeof(shared_words) / sizeof(shared_words[0]))

/* Frees a model text unless it is one of the shared words. */
static void
text_free(char *text)
{
    size_t i;

    for (i = 0; i < N_SHARED_WORDS; i++) {
        if (text == shared_words[i]) {
            return;
        }
    }
    free(text);
}

bool
rf_has(double v)
{
    return !isnan(v);
}

struct rf_endpoint *
rf_endpoint_new(void)
{
    struct rf_endpoint *ep = calloc(1, sizeof(*ep));

    if (ep == NULL) {
        return NULL;
    }
    ep->kind = RF_KIND_AUTO;
    ep->polled_at = -1;
    ep->duration_ms = -1;
    ep->requests = -1;
    return ep;
}

static void
strv_free(char **v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(v[i]);
    }
    free(v);
}

static void
lines_free(struct rf_lines *lines)
{
    size_t i;

    for (i = 0; i < lines->n; i++) {
        free(lines->v[i].line);
    }
    free(lines->v);
    lines->v = NULL;
    lines->n = 0;
}

void
rf_inlet_cleanup(struct rf_inlet *in)
{
    free(in->id);
    text_free(in->health);
    lines_free(&in->phase_voltage_v);
    lines_free(&in->phase_current_a);
    lines_free(&in->phase_power_w);
}

void
rf_branch_cleanup(struct rf_branch *br)
{
    free(br->id);
    text_free(br->breaker_state);
    text_free(br->health);
}

void
rf_outlet_cleanup(struct rf_outlet *out)
{
    free(out->id);
    free(out->name);
    text_free(out->power_state);
    text_free(out->health);
}

void
rf_pdu_cleanup(struct rf_pdu *pdu)
{
    size_t i;

    free(pdu->id);
    free(pdu->name);
    free(pdu->manufacturer);
    free(pdu->model);
    free(pdu->serial);
    free(pdu->firmware);
    text_free(pdu->health);
    for (i = 0; i < pdu->n_inlets; i++) {
        rf_inlet_cleanup(&pdu->inlets[i]);
    }
    for (i = 0; i < pdu->n_branches; i++) {
        rf_branch_cleanup(&pdu->branches[i]);
    }
    for (i = 0; i < pdu->n_outlets; i++) {
        rf_outlet_cleanup(&pdu->outlets[i]);
    }
    free(pdu->inlets);
    free(pdu->branches);
    free(pdu->outlets);
}

void
rf_server_cleanup(struct rf_server *srv)
{
    free(srv->id);
    free(srv->name);
    free(srv->manufacturer);
    free(srv->model);
    free(srv->serial);
    text_free(srv->power_state);
    text_free(srv->health);
    strv_free(srv->conditions, srv->n_conditions);
}

void
rf_endpoint_free(struct rf_endpoint *ep)
{
    size_t i;

    if (ep == NULL) {
        return;
    }
    free(ep->name);
    free(ep->url);
    free(ep->error);
    for (i = 0; i < ep->n_pdus; i++) {
        rf_pdu_cleanup(&ep->pdus[i]);
    }
    for (i = 0; i < ep->n_servers; i++) {
        rf_server_cleanup(&ep->servers[i]);
    }
    free(ep->pdus);
    free(ep->servers);
    strv_free(ep->notes, ep->n_notes);
    free(ep);
}

enum rw_rc
rf_str_set(char **dst, const char *src, struct rw_err *err)
{
    char *copy = NULL;
    size_t len;

    if (src != NULL) {
        len = strlen(src);
        if (len > RF_STR_MAX) {
            return rw_err_set(err, RW_EINVAL, "string of %zu bytes is over the %d-byte cap", len,
                              RF_STR_MAX);
        }
        copy = malloc(len + 1);
        if (copy == NULL) {
            return rw_err_set(err, RW_ENOMEM, "out of memory");
        }
        memcpy(copy, src, len + 1);
    }
    text_free(*dst);
    *dst = copy;
    return RW_OK;
}

enum rw_rc
rf_word_set(char **dst, const char *src, struct rw_err *err)
{
    size_t i;

    for (i = 0; src != NULL && i < N_SHARED_WORDS; i++) {
        if (strcmp(src, shared_words[i]) == 0) {
            text_free(*dst);
            /* Casting const away is safe: see shared_words. */
            *dst = (char *)shared_words[i];
            return RW_OK;
        }
    }
    return rf_str_set(dst, src, err);
}

enum rw_rc
rf_array_grow(void **v, size_t *n, size_t elem, void **out, struct rw_err *err)
{
    char *grown;

    /* The codes are returned as constants so that callers' analysis sees *out set on RW_OK. */
    if (*n >= RF_MEMBERS_MAX) {
        (void)rw_err_set(err, RW_ETOOBIG, "more than %d members", RF_MEMBERS_MAX);
        return RW_ETOOBIG;
    }
    grown = realloc(*v, (*n + 1) * elem);
    if (grown == NULL) {
        (void)rw_err_set(err, RW_ENOMEM, "out of memory");
        return RW_ENOMEM;
    }
    memset(grown + *n * elem, 0, elem);
    *v = grown;
    *out = grown + *n * elem;
    (*n)++;
    return RW_OK;
}

enum rw_rc
rf_pdu_add(struct rf_endpoint *ep, struct rf_pdu **out, struct rw_err *err)
{
    void *slot = NULL;
    enum rw_rc rc = rf_array_grow((void **)&ep->pdus, &ep->n_pdus, sizeof(**out), &slot, err);

    if (rc != RW_OK) {
        return rc;
    }
    *out = slot;
    (*out)->power_w = NAN;
    (*out)->energy_kwh = NAN;
    (*out)->temperature_c = NAN;
    return RW_OK;
}

enum rw_rc
rf_server_add(struct rf_endpoint *ep, struct rf_server **out, struct rw_err *err)
{
    void *slot = NULL;
    enum rw_rc rc = rf_array_grow((void **)&ep->servers, &ep->n_servers, sizeof(**out), &slot, err);

    if (rc != RW_OK) {
        return rc;
    }
    *out = slot;
    (*out)->power_w = NAN;
    (*out)->inlet_temp_c = NAN;
    return RW_OK;
}

enum rw_rc
rf_inlet_add(struct rf_pdu *pdu, struct rf_inlet **out, struct rw_err *err)
{
    void *slot = NULL;
    enum rw_rc rc = rf_array_grow((void **)&pdu->inlets, &pdu->n_inlets, sizeof(**out), &slot, err);

    if (rc != RW_OK) {
        return rc;
    }
    *out = slot;
    (*out)->voltage_v = NAN;
    (*out)->current_a = NAN;
    (*out)->power_w = NAN;
    (*out)->energy_kwh = NAN;
    (*out)->frequency_hz = NAN;
    (*out)->rated_current_a = NAN;
    return RW_OK;
}

enum rw_rc
rf_branch_add(struct rf_pdu *pdu, struct rf_branch **out, struct rw_err *err)
{
    void *slot = NULL;
    enum rw_rc rc =
        rf_array_grow((void **)&pdu->branches, &pdu->n_branches, sizeof(**out), &slot, err);

    if (rc != RW_OK) {
        return rc;
    }
    *out = slot;
    (*out)->current_a = NAN;
    (*out)->power_w = NAN;
    (*out)->rated_current_a = NAN;
    return RW_OK;
}

enum rw_rc
rf_outlet_add(struct rf_pdu *pdu, struct rf_outlet **out, struct rw_err *err)
{
    void *slot = NULL;
    enum rw_rc rc =
        rf_array_grow((void **)&pdu->outlets, &pdu->n_outlets, sizeof(**out), &slot, err);

    if (rc != RW_OK) {
        return rc;
    }
    *out = slot;
    (*out)->voltage_v = NAN;
    (*out)->current_a = NAN;
    (*out)->power_w = NAN;
    (*out)->energy_kwh = NAN;
    (*out)->rated_current_a = NAN;
    return RW_OK;
}

enum rw_rc
rf_lines_add(struct rf_lines *lines, const char *line, double value, struct rw_err *err)
{
    struct rf_line *grown;
    char *name = NULL;
    enum rw_rc rc;

    if (lines->n >= RF_LINES_MAX) {
        return rw_err_set(err, RW_ETOOBIG, "more than %d lines", RF_LINES_MAX);
    }
    rc = rf_str_set(&name, line, err);
    if (rc != RW_OK) {
        return rc;
    }
    grown = realloc(lines->v, (lines->n + 1) * sizeof(*grown));
    if (grown == NULL) {
        free(name);
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    lines->v = grown;
    grown[lines->n].line = name;
    grown[lines->n].value = value;
    lines->n++;
    return RW_OK;
}

double
rf_lines_get(const struct rf_lines *lines, const char *line)
{
    size_t i;

    if (lines == NULL) {
        return NAN;
    }
    for (i = 0; i < lines->n; i++) {
        if (strcmp(lines->v[i].line, line) == 0) {
            return lines->v[i].value;
        }
    }
    return NAN;
}

enum rw_rc
rf_strv_add(char ***v, size_t *n, size_t max, const char *text, struct rw_err *err)
{
    char **grown;
    char *copy = NULL;
    enum rw_rc rc;

    if (*n >= max) {
        return rw_err_set(err, RW_ETOOBIG, "more than %zu entries", max);
    }
    rc = rf_str_set(&copy, text, err);
    if (rc != RW_OK) {
        return rc;
    }
    grown = realloc(*v, (*n + 1) * sizeof(*grown));
    if (grown == NULL) {
        free(copy);
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    *v = grown;
    grown[(*n)++] = copy;
    return RW_OK;
}

static void format_line(char *out, size_t size, const char *fmt, va_list ap) RW_PRINTF(3, 0);

/* Formats into a capped buffer; control characters become spaces so it stays one line. */
static void
format_line(char *out, size_t size, const char *fmt, va_list ap)
{
    char *p;

    if (vsnprintf(out, size, fmt, ap) < 0) {
        out[0] = '\0';
    }
    for (p = out; *p != '\0'; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            *p = ' ';
        }
    }
}

void
rf_note(struct rf_endpoint *ep, const char *fmt, ...)
{
    char line[RF_STR_MAX + 1];
    va_list ap;

    if (ep == NULL || ep->n_notes >= RF_NOTES_MAX) {
        return;
    }
    va_start(ap, fmt);
    format_line(line, sizeof(line), fmt, ap);
    va_end(ap);
    /* A note is a diagnostic: losing one to a failed allocation changes no reading. */
    if (rf_strv_add(&ep->notes, &ep->n_notes, RF_NOTES_MAX, line, NULL) != RW_OK) {
        return;
    }
}

void
rf_endpoint_fail(struct rf_endpoint *ep, const char *fmt, ...)
{
    char line[RF_STR_MAX + 1];
    va_list ap;

    if (ep == NULL) {
        return;
    }
    ep->ok = false;
    if (ep->error != NULL) {
        return;
    }
    va_start(ap, fmt);
    format_line(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (rf_str_set(&ep->error, line, NULL) != RW_OK) {
        ep->error = NULL;
    }
}

const char *
rf_kind_name(enum rf_kind kind)
{
    switch (kind) {
    case RF_KIND_PDU:
        return "pdu";
    case RF_KIND_SERVER:
        return "server";
    case RF_KIND_AUTO:
    default:
        return "auto";
    }
}

enum rw_rc
rf_kind_parse(const char *name, enum rf_kind *out)
{
    static const enum rf_kind kinds[] = {RF_KIND_AUTO, RF_KIND_PDU, RF_KIND_SERVER};
    size_t i;

    for (i = 0; name != NULL && i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        if (strcmp(name, rf_kind_name(kinds[i])) == 0) {
            *out = kinds[i];
            return RW_OK;
        }
    }
    return RW_EINVAL;
}

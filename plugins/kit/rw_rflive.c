#include "rw_rflive.h"

#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "rf_client.h"
#include "rf_poll.h"

/* One live poll: the client, its service, the poll and its result. */
struct live {
    struct rf_client *client;
    struct rf_service *service;
    struct rf_poll *poll;
    struct rf_endpoint *result;
};

static void
on_polled(struct rf_endpoint *ep, void *ctx)
{
    struct live *lv = ctx;

    rf_endpoint_free(lv->result);
    lv->result = ep;
}

/* The service for -H/-p with the kit's TLS options and credentials. */
static void
service_opts(const struct rw_opts *opts, const char *url, long left_ms, struct rf_service_opts *svc)
{
    rf_service_opts_init(svc);
    svc->url = url;
    if (opts->creds.set) {
        svc->username = opts->creds.username;
        svc->password = opts->creds.password;
    } else {
        svc->auth = RF_AUTH_NONE;
    }
    svc->ca_file = opts->tls.cacert;
    svc->insecure = opts->tls.insecure;
    svc->connect_timeout_ms = left_ms;
    svc->timeout_ms = left_ms;
    svc->max_retries = -1; /* a plugin reports a 503 now; the next check is the retry */
}

/* Drives the poll until it ends or the -t deadline passes (the poll then fails). */
static enum rw_rc
drive(struct live *lv, const struct rw_opts *opts, struct rw_err *err)
{
    char why[96];
    enum rw_rc rc;

    rc = rf_client_run(lv->client, rf_client_now_ms() + rw_deadline_left_ms(&opts->deadline), err);
    if (rc == RW_ETIMEOUT || !rf_poll_finished(lv->poll)) {
        (void)snprintf(why, sizeof(why), "timed out after %g s", opts->timeout);
        rf_poll_cancel(lv->poll, why);
        rf_client_cancel(lv->client, RW_ETIMEOUT, why);
        rw_err_clear(err);
        return RW_OK;
    }
    return rc;
}

/* Ends the session the poll opened, bounded by what is left of the deadline. */
static void
logout(struct live *lv, const struct rw_opts *opts)
{
    long left = rw_deadline_left_ms(&opts->deadline);
    struct rw_err ignored;

    if (left <= 0) {
        return; /* the session times out on the device by itself */
    }
    rf_client_logout_all(lv->client);
    if (rf_client_run(lv->client,
                      rf_client_now_ms() +
                          (left < RW_RFLIVE_LOGOUT_MS ? left : RW_RFLIVE_LOGOUT_MS),
                      &ignored) != RW_OK) {
        rf_client_cancel(lv->client, RW_ETIMEOUT, "logout took too long");
    }
}

static enum rw_rc
poll_once(const struct rw_rfsrc_opts *src, const struct rw_opts *opts, enum rf_kind kind,
          struct rf_endpoint **out, struct rw_err *err)
{
    struct live lv = {NULL, NULL, NULL, NULL};
    struct rf_service_opts svc;
    struct rf_poll_opts popts;
    char url[RW_URL_TEXT_MAX];
    enum rw_rc rc;

    (void)rw_url_format(&src->url, url, sizeof(url));
    service_opts(opts, url, rw_deadline_left_ms(&opts->deadline), &svc);
    memset(&popts, 0, sizeof(popts));
    popts.name = src->hostname;
    popts.url = url;
    popts.kind = kind;
    popts.expand = true;
    rc = rf_client_new(NULL, &lv.client, err);
    if (rc == RW_OK) {
        rc = rf_client_add(lv.client, &svc, &lv.service, err);
    }
    if (rc == RW_OK) {
        rc = rf_poll_start(lv.client, lv.service, &popts, on_polled, &lv, &lv.poll, err);
    }
    if (rc == RW_OK) {
        rc = drive(&lv, opts, err);
    }
    if (rc == RW_OK && lv.result == NULL) {
        rc = rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    if (rc == RW_OK) {
        logout(&lv, opts);
    }
    rf_poll_free(lv.poll);
    rf_client_free(lv.client);
    *out = lv.result;
    return rc;
}

enum rw_rc
rw_rflive_poll(const struct rw_rfsrc_opts *src, const struct rw_opts *opts, enum rf_kind kind,
               struct rf_endpoint **out, struct rw_err *err)
{
    enum rw_rc rc;

    *out = NULL;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        return rw_err_set(err, RW_ENOMEM, "cannot initialise libcurl");
    }
    rc = poll_once(src, opts, kind, out, err);
    curl_global_cleanup();
    return rc;
}

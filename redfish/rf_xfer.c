/* rf_xfer: one HTTP transfer of the Redfish client (see rf_client_int.h). */
#include "rf_client_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "rw_log.h"

/* The shortest back-off, even when a device says "Retry-After: 0": never hammer. */
#define RF_RETRY_MIN_MS 100

/* Keeps val[0..vlen) in *slot (replacing an older one); 0 when out of memory. */
static int
set_slot(char **slot, const char *val, size_t vlen)
{
    char *copy;

    if (vlen > RF_HTTP_HEADER_MAX) {
        return 1; /* not one we can use: as if absent */
    }
    copy = malloc(vlen + 1);
    if (copy == NULL) {
        return 0;
    }
    memcpy(copy, val, vlen);
    copy[vlen] = '\0';
    free(*slot);
    *slot = copy;
    return 1;
}

/* Keeps the value of header name from line (a transfer's raw line) in *slot. */
static int
keep_header(const char *line, size_t len, const char *name, char **slot)
{
    const char *val;
    size_t vlen;

    return !rf_http_header_is(line, len, name, &val, &vlen) || set_slot(slot, val, vlen);
}

/* A Content-Length value over max (digits only; anything else is the parser's to refuse). */
static int
length_over(const char *value, size_t len, size_t max)
{
    uint64_t n = 0;
    size_t i;

    for (i = 0; i < len; i++) {
        if (value[i] < '0' || value[i] > '9') {
            return 0;
        }
        if (n > (UINT64_MAX - 9) / 10) {
            return 1;
        }
        n = n * 10 + (uint64_t)(value[i] - '0');
    }
    return len > 0 && n > max;
}

static void
forget_headers(struct rf_req *req)
{
    free(req->x_token);
    free(req->location);
    free(req->retry_after);
    req->x_token = NULL;
    req->location = NULL;
    req->retry_after = NULL;
}

/* Where the one header we keep that line may be goes, told by its first letter (any case);
 * NULL when none: most reply lines then cost one test, not three name comparisons. */
static char **
header_slot(struct rf_req *req, const char *line, size_t len, const char **name)
{
    switch (len > 0 ? line[0] | 0x20 : 0) {
    case 'x':
        *name = "X-Auth-Token";
        return &req->x_token;
    case 'l':
        *name = "Location";
        return &req->location;
    case 'r':
        *name = "Retry-After";
        return &req->retry_after;
    default:
        return NULL;
    }
}

enum rw_rc
rf_xfer_keep_header(struct rf_req *req, const char *name, size_t name_len, const char *value,
                    size_t value_len)
{
    const char *want = NULL;
    char **slot = header_slot(req, name, name_len, &want);

    if (slot == NULL) {
        /* The cap told before the body comes, as CURLOPT_MAXFILESIZE does for a transfer. */
        return name_len == 14 && strncasecmp(name, "Content-Length", 14) == 0 &&
                       length_over(value, value_len, req->ep->body_max)
                   ? RW_ETOOBIG
                   : RW_OK;
    }
    if (name_len != strlen(want) || strncasecmp(name, want, name_len) != 0) {
        return RW_OK; /* not one we keep */
    }
    return set_slot(slot, value, value_len) ? RW_OK : RW_ENOMEM;
}

/* CURLOPT_HEADERFUNCTION: caps the headers, keeps the few we read. */
static size_t
on_header(char *line, size_t size, size_t n, void *arg)
{
    struct rf_req *req = arg;
    size_t len = size * n;
    const char *name = NULL;
    char **slot;

    req->header_bytes += len;
    if (req->header_bytes > RF_HEADERS_MAX) {
        req->cut = RF_CUT_HEADERS;
        return 0;
    }
    if (len >= 5 && memcmp(line, "HTTP/", 5) == 0) {
        forget_headers(req); /* a new response (after a 100 Continue) */
    }
    slot = header_slot(req, line, len, &name);
    if (slot != NULL && !keep_header(line, len, name, slot)) {
        req->cut = RF_CUT_NOMEM;
        return 0;
    }
    return len;
}

/* CURLOPT_WRITEFUNCTION: the body cap for replies without (or lying in) Content-Length. */
static size_t
on_body(char *data, size_t size, size_t n, void *arg)
{
    struct rf_req *req = arg;
    enum rw_rc rc = rw_buf_add(&req->body, data, size * n);

    if (rc != RW_OK) {
        req->cut = rc == RW_ETOOBIG ? RF_CUT_BODY : RF_CUT_NOMEM;
        return 0;
    }
    return size * n;
}

/*
 * OpenSSL's certificate verification, replaced for pinned services: the usual chain check
 * (unless insecure), then the SHA-256 of the leaf against the pin.  It runs inside the
 * handshake, so a wrong server fails before any request (or credential) is sent.
 */
static int
verify_pinned(X509_STORE_CTX *store, void *arg)
{
    struct rf_service *ep = arg;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    X509 *leaf = X509_STORE_CTX_get0_cert(store);
    int ok = ep->insecure ? 1 : X509_verify_cert(store);

    if (ok <= 0) {
        return ok;
    }
    if (leaf == NULL || X509_digest(leaf, EVP_sha256(), md, &md_len) != 1 ||
        md_len != RF_HTTP_FP_LEN || memcmp(md, ep->pin, RF_HTTP_FP_LEN) != 0) {
        ep->pin_failed = 1;
        memcpy(ep->pin_seen, md, md_len == RF_HTTP_FP_LEN ? RF_HTTP_FP_LEN : 0);
        X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
        return 0;
    }
    return 1;
}

/* CURLOPT_SSL_CTX_FUNCTION: libcurl makes one SSL_CTX per new connection. */
static CURLcode
on_ssl_ctx(CURL *easy, void *ssl_ctx, void *arg)
{
    struct rf_service *ep = arg;

    (void)easy;
    ep->pin_failed = 0;
    SSL_CTX_set_cert_verify_callback(ssl_ctx, verify_pinned, ep);
    /* Verification must be able to fail the handshake even when insecure told libcurl
     * to set SSL_VERIFY_NONE. */
    SSL_CTX_set_verify(ssl_ctx, SSL_VERIFY_PEER, NULL);
    return CURLE_OK;
}

/* TLS options of ep; nonzero when one failed. */
static int
setup_tls(CURL *e, struct rf_service *ep)
{
    int bad = 0;

    bad |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, ep->insecure ? 0L : 1L) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, ep->insecure ? 0L : 2L) != CURLE_OK;
    if (ep->ca_file != NULL) {
        bad |= curl_easy_setopt(e, CURLOPT_CAINFO, ep->ca_file) != CURLE_OK;
    }
    /* Debian's libcurl has a built-in CA path, and with one set libcurl re-reads and decodes
     * the CA bundle on every new connection instead of keeping it cached: with the system
     * bundle a cold poll of 100 PDUs took 11-24 s and 180 MB, without it 1.1-1.5 s and
     * 29 MB (bench/poll.sh, SYSTEM_BUNDLE=1).  The bundle (CAINFO) alone verifies. */
    bad |= curl_easy_setopt(e, CURLOPT_CAPATH, NULL) != CURLE_OK;
    if (ep->has_pin) {
        bad |= curl_easy_setopt(e, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx) != CURLE_OK;
        bad |= curl_easy_setopt(e, CURLOPT_SSL_CTX_DATA, ep) != CURLE_OK;
    }
    return bad;
}

/* The options that point at this request; nonzero when one failed. */
static int
setup_pointers(CURL *e, struct rf_req *req)
{
    int bad = 0;

    bad |= curl_easy_setopt(e, CURLOPT_PRIVATE, req) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, req->errbuf) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_WRITEDATA, req) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_HEADERDATA, req) != CURLE_OK;
    return bad;
}

int
rf_xfer_setup_common(CURL *e, struct rf_service *ep)
{
    int bad = 0;

    bad |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, ep->connect_timeout_ms) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, ep->timeout_ms) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)ep->body_max) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_USERAGENT, ep->client->user_agent) != CURLE_OK;
    /* A prune in the shard's multi judges the kept connections (rf_conn.c) idle by libcurl's
     * clock, which stopped at their connect: not too old for us. */
    bad |= curl_easy_setopt(e, CURLOPT_MAXAGE_CONN, RF_CONN_MAXAGE_S) != CURLE_OK;
    return bad | setup_tls(e, ep);
}

/* The request headers: login and logout's own, a write's (built now, with the current
 * token), or the session's shared list. */
static int
setup_headers(CURL *e, struct rf_req *req)
{
    if (req->kind == RF_REQ_WRITE) {
        curl_slist_free_all(req->own_hdrs);
        req->own_hdrs = rf_session_write_hdrs(req->ep, req->post != NULL);
        if (req->own_hdrs == NULL) {
            return 1;
        }
    }
    if (req->own_hdrs != NULL) {
        return curl_easy_setopt(e, CURLOPT_HTTPHEADER, req->own_hdrs) != CURLE_OK;
    }
    req->hdrs = req->ep->hdrs;
    req->hdrs->refs++;
    return curl_easy_setopt(e, CURLOPT_HTTPHEADER, req->hdrs->list) != CURLE_OK;
}

/* The method line of req other than a GET: NULL for a plain POST. */
static const char *
custom_method(const struct rf_req *req)
{
    if (req->kind == RF_REQ_LOGOUT) {
        return "DELETE";
    }
    if (req->kind != RF_REQ_WRITE) {
        return NULL;
    }
    return req->method == RF_METHOD_PATCH    ? "PATCH"
           : req->method == RF_METHOD_DELETE ? "DELETE"
                                             : NULL;
}

/* Method and credentials of a new handle; nonzero when an option failed. */
static int
setup_method(CURL *e, struct rf_req *req)
{
    struct rf_service *ep = req->ep;
    const char *custom = custom_method(req);
    int bad = 0;

    if (req->post != NULL) {
        /* Not copied by libcurl: req->post lives as long as the transfer. */
        bad |= curl_easy_setopt(e, CURLOPT_POSTFIELDS, req->post) != CURLE_OK;
        bad |= curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(req->post)) != CURLE_OK;
    }
    if (custom != NULL) {
        bad |= curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, custom) != CURLE_OK;
    }
    if (ep->auth == RF_AUTH_BASIC) {
        bad |= curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC) != CURLE_OK;
        bad |= curl_easy_setopt(e, CURLOPT_USERNAME, ep->user) != CURLE_OK;
        bad |= curl_easy_setopt(e, CURLOPT_PASSWORD, ep->pass) != CURLE_OK;
    }
    return bad;
}

/* base + path as one URL, set on e (libcurl copies it); on the stack: this runs for every
 * request. */
static int
setup_url(CURL *e, struct rf_req *req)
{
    char url[RF_HTTP_PATH_MAX * 2 + 1];
    size_t blen = strlen(req->ep->base), plen = strlen(req->path);

    if (blen + plen >= sizeof(url)) {
        return 1;
    }
    memcpy(url, req->ep->base, blen);
    memcpy(url + blen, req->path, plen + 1);
    return curl_easy_setopt(e, CURLOPT_URL, url) != CURLE_OK;
}

enum rw_rc
rf_xfer_start(struct rf_req *req, struct rw_err *err)
{
    struct rf_service *ep = req->ep;
    CURLMcode mc;
    int bad = 0;

    if (ep->hdrs == NULL && rf_session_hdrs(ep, err) != RW_OK) {
        return RW_ENOMEM;
    }
    if (rf_loop_open(ep->shard, err) != RW_OK) {
        return RW_ENOMEM;
    }
    req->sess_gen = ep->sess_gen;
    if (req->kind == RF_REQ_GET) {
        return rf_conn_start(req, err);
    }
    req->easy = curl_easy_init();
    if (req->easy == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    bad = rf_xfer_setup_common(req->easy, ep) || setup_method(req->easy, req);
    /* Logins, logouts and writes are rare: their connection goes with them rather than
     * stay in the cache beside the kept ones, where libcurl would count it. */
    bad |= curl_easy_setopt(req->easy, CURLOPT_FORBID_REUSE, 1L) != CURLE_OK;
    if (bad || setup_pointers(req->easy, req) || setup_headers(req->easy, req) ||
        setup_url(req->easy, req)) {
        return rw_err_set(err, RW_ENOMEM, "cannot set up a transfer to %s%.100s", ep->base,
                          req->path);
    }
    mc = curl_multi_add_handle(ep->shard->multi, req->easy);
    if (mc != CURLM_OK) {
        return rw_err_set(err, mc == CURLM_OUT_OF_MEMORY ? RW_ENOMEM : RW_EINVAL,
                          "cannot start a transfer: %s", curl_multi_strerror(mc));
    }
    return RW_OK;
}

void
rf_xfer_release(struct rf_req *req)
{
    if (req->easy != NULL) {
        curl_easy_cleanup(req->easy);
        req->easy = NULL;
    }
}

void
rf_xfer_abort(struct rf_req *req)
{
    rf_conn_abort(req);
    if (req->easy != NULL && req->ep->shard->multi != NULL) {
        (void)curl_multi_remove_handle(req->ep->shard->multi, req->easy);
    }
}

void
rf_xfer_reset(struct rf_req *req)
{
    rf_xfer_release(req);
    rf_hdrs_unref(req->hdrs);
    req->hdrs = NULL;
    rw_buf_free(&req->body);
    forget_headers(req);
    req->header_bytes = 0;
    req->cut = RF_CUT_NONE;
    req->errbuf[0] = '\0';
}

/* The message and code of a transfer libcurl failed. */
static enum rw_rc
transport_error(struct rf_req *req, CURLcode code, char *msg, size_t size)
{
    struct rf_service *ep = req->ep;
    char seen[RF_HTTP_FP_STR];
    enum rw_rc rc = rf_http_classify_curl(code);

    if (req->cut == RF_CUT_BODY || code == CURLE_FILESIZE_EXCEEDED) {
        snprintf(msg, size, "body larger than %zu bytes", ep->body_max);
        return RW_ETOOBIG;
    }
    if (req->cut == RF_CUT_HEADERS) {
        snprintf(msg, size, "headers larger than %zu bytes", RF_HEADERS_MAX);
        return RW_ETOOBIG;
    }
    if (req->cut == RF_CUT_NOMEM) {
        snprintf(msg, size, "out of memory");
        return RW_ENOMEM;
    }
    if (code == CURLE_OUT_OF_MEMORY && req->header_bytes > 0) {
        /* libcurl before 8.6 reports a header line over its 100 KiB limit this way, once
         * a status line came: the server's fault (found by tests/integration/hostile) */
        snprintf(msg, size, "response header line too long (libcurl: out of memory)");
        return RW_ETOOBIG;
    }
    if (code == CURLE_UNSUPPORTED_PROTOCOL && strstr(req->errbuf, "HTTP/0.9") != NULL) {
        /* libcurl's words assume the reader knows HTTP/0.9; the operator wants to know
         * that something not speaking HTTP holds the port */
        snprintf(msg, size, "not an HTTP reply (no status line)");
        return RW_EPARSE;
    }
    if (rc == RW_ETLS && ep->has_pin && ep->pin_failed) {
        rf_http_format_fingerprint(ep->pin_seen, seen);
        snprintf(msg, size, "certificate %s does not match the pinned fingerprint", seen);
        return RW_ETLS;
    }
    snprintf(msg, size, "%s", req->errbuf[0] != '\0' ? req->errbuf : curl_easy_strerror(code));
    return rc;
}

/* The message of an HTTP error reply. */
static void
http_error(struct rf_req *req, long status, const struct rf_http_rferror *rf, char *msg,
           size_t size)
{
    if (status >= 300 && status <= 399) {
        snprintf(msg, size, "HTTP %ld: redirect to %.120s not followed", status,
                 req->location != NULL ? req->location : "(nowhere)");
    } else if (rf->message[0] != '\0') {
        snprintf(msg, size, "HTTP %ld: %s", status, rf->message);
    } else {
        snprintf(msg, size, "HTTP %ld", status);
    }
}

/* The wait before retrying req, in ms; -1 when the device asks for more than the cap. */
static int64_t
retry_delay(const struct rf_req *req, const struct rf_http_rferror *rf)
{
    int64_t secs = -1, ms;
    enum rw_rc rc = RW_EPARSE;

    if (req->retry_after != NULL) {
        rc = rf_http_retry_after(req->retry_after, time(NULL), &secs);
    }
    if (rc == RW_EINVAL) {
        return -1;
    }
    if (rc != RW_OK) {
        secs = rf->retry_s;
    }
    /* No usable hint: 1 s, 2 s, 4 s ... */
    ms = secs >= 0 ? secs * 1000 : (int64_t)1000 << (req->retries < 10 ? req->retries : 10);
    if (ms > req->ep->retry_cap_ms) {
        return secs >= 0 ? -1 : req->ep->retry_cap_ms;
    }
    return ms < RF_RETRY_MIN_MS ? RF_RETRY_MIN_MS : ms;
}

/* Queues req again after "busy, retry later" when its retries allow; 1 when it did. */
static int
retry_later(struct rf_req *req, long status, const struct rf_http_rferror *rf)
{
    struct rf_service *ep = req->ep;
    int64_t delay;

    if (status != 503 && status != 429 && !(status >= 500 && rf->retry)) {
        return 0;
    }
    if (req->retries >= ep->max_retries || req->kind == RF_REQ_LOGOUT) {
        return 0;
    }
    /* Full of sessions: waiting seconds will not help, and each try costs the device. */
    if (rf_http_rferror_is(rf, "SessionLimitExceeded")) {
        return 0;
    }
    delay = retry_delay(req, rf);
    if (delay < 0) {
        return 0;
    }
    rw_log(ep->client->log, RW_LOG_INFO, "%s%s: HTTP %ld, retry %d in %lld ms", ep->base, req->path,
           status, req->retries + 1, (long long)delay);
    req->retries++;
    rf_xfer_reset(req);
    /* The whole service waits: it said it is busy. */
    rf_sched_backoff(ep, rf_client_now_ms() + delay);
    rf_sched_push_front(ep, req);
    return 1;
}

/* A 401 on a session request: log in again (once) and replay; 1 when queued again. */
static int
replay_after_401(struct rf_req *req)
{
    struct rf_service *ep = req->ep;

    if (!rf_req_is_data(req) || ep->auth != RF_AUTH_SESSION || req->replayed) {
        return 0;
    }
    if (ep->sess == RF_SESS_READY && req->sess_gen == ep->sess_gen) {
        rw_log(ep->client->log, RW_LOG_NOTICE, "%s: session refused, logging in again", ep->base);
        rf_session_drop(ep);
    }
    req->replayed = 1;
    rf_xfer_reset(req);
    rf_sched_push_front(ep, req);
    return 1;
}

void
rf_xfer_finish(struct rf_req *req, CURLcode code)
{
    char msg[RW_ERR_MSG_MAX];
    long status = 0;
    enum rw_rc rc;

    if (code != CURLE_OK || req->cut != RF_CUT_NONE) {
        rc = transport_error(req, code, msg, sizeof(msg));
        rf_req_complete(req, rc, 0, msg);
        return;
    }
    if (req->easy != NULL) {
        (void)curl_easy_getinfo(req->easy, CURLINFO_RESPONSE_CODE, &status);
    }
    rf_xfer_status(req, status);
}

void
rf_xfer_status(struct rf_req *req, long status)
{
    char msg[RW_ERR_MSG_MAX];
    struct rf_http_rferror rf;

    if (rf_http_classify_status(status) == RW_OK) {
        rf_req_complete(req, RW_OK, status, "");
        return;
    }
    if (status == 401 && replay_after_401(req)) {
        return;
    }
    rf_http_rferror_parse(rw_buf_str(&req->body), rw_buf_len(&req->body), &rf);
    if (retry_later(req, status, &rf)) {
        return;
    }
    http_error(req, status, &rf, msg, sizeof(msg));
    rf_req_complete(req, RW_EHTTP, status, msg);
}

#include "rw_http_probe.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/x509.h>

/* ---- classification ---- */

/* The reason phrase, or a standard one for the 5xx codes servers commonly send bare. */
static const char *
reason_text(long status, const char *reason)
{
    if (reason != NULL && reason[0] != '\0') {
        return reason;
    }
    switch (status) {
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return "";
    }
}

static enum rw_rc
classify_response(const struct rw_http_outcome *o, struct rw_err *err)
{
    const char *reason = reason_text(o->status, o->reason);

    if (o->headers_capped) {
        return rw_err_set(err, RW_EHTTP, "response headers larger than %d bytes",
                          RW_HTTP_PROBE_HEADERS_MAX);
    }
    if (o->status <= 0) {
        return rw_err_set(err, RW_ECONNECT, "no HTTP response");
    }
    if (o->status >= 500) {
        return rw_err_set(err, RW_EHTTP, "HTTP %ld%s%s", o->status, reason[0] != '\0' ? " " : "",
                          reason);
    }
    return RW_OK;
}

/* A certificate verification failure: OpenSSL's reason, or curl's own host name check. */
static enum rw_rc
classify_verify(const struct rw_http_outcome *o, struct rw_err *err)
{
    const char *why = o->errbuf != NULL ? o->errbuf : "";

    /* curl checks the name itself and may leave verify_result at OK or "unspecified". */
    if (o->verify_result == X509_V_ERR_HOSTNAME_MISMATCH || strstr(why, "host name") != NULL ||
        strstr(why, "does not match target") != NULL) {
        return rw_err_set(err, RW_ETLS,
                          "TLS handshake failed: hostname mismatch (certificate not valid for "
                          "'%s')",
                          o->host != NULL ? o->host : "?");
    }
    if (o->verify_result != X509_V_OK) {
        return rw_err_set(err, RW_ETLS, "TLS handshake failed: %s",
                          X509_verify_cert_error_string(o->verify_result));
    }
    return rw_err_set(err, RW_ETLS, "TLS handshake failed: %s", why[0] != '\0' ? why : "?");
}

/* A handshake that broke before verification: not TLS at all, or a protocol failure. */
static enum rw_rc
classify_handshake(const struct rw_http_outcome *o, struct rw_err *err)
{
    const char *why = o->errbuf != NULL && o->errbuf[0] != '\0' ? o->errbuf : "SSL connect error";

    if (strstr(why, "wrong version number") != NULL || strstr(why, "packet length too long")) {
        return rw_err_set(err, RW_ETLS, "not TLS (a plain HTTP server?)");
    }
    if (o->verify_result != X509_V_OK) {
        return classify_verify(o, err);
    }
    return rw_err_set(err, RW_ETLS, "TLS handshake failed: %s", why);
}

static enum rw_rc
classify_connect(const struct rw_http_outcome *o, struct rw_err *err)
{
    if (o->os_errno == ECONNREFUSED) {
        return rw_err_set(err, RW_ECONNECT, "connection refused");
    }
    if (o->os_errno != 0) {
        return rw_err_set(err, RW_ECONNECT, "connection failed: %s", strerror(o->os_errno));
    }
    return rw_err_set(err, RW_ECONNECT, "connection failed: %s",
                      o->errbuf != NULL && o->errbuf[0] != '\0' ? o->errbuf : "?");
}

/* "2", "0.5", "10": the timeout in seconds, rounded to a tenth. */
static double
timeout_seconds(long ms)
{
    return (double)((ms + 50) / 100) / 10.0;
}

enum rw_rc
rw_http_classify(const struct rw_http_outcome *o, struct rw_err *err)
{
    const char *why =
        o->errbuf != NULL && o->errbuf[0] != '\0' ? o->errbuf : curl_easy_strerror(o->code);

    switch (o->code) {
    case CURLE_OK:
        return classify_response(o, err);
    case CURLE_WRITE_ERROR:
    case CURLE_FILESIZE_EXCEEDED:
        if (o->body_capped || o->headers_capped) {
            return classify_response(o, err);
        }
        return rw_err_set(err, RW_ECONNECT, "transfer failed: %s", why);
    case CURLE_COULDNT_RESOLVE_HOST:
        return rw_err_set(err, RW_ECONNECT, "name not resolved");
    case CURLE_COULDNT_CONNECT:
        return classify_connect(o, err);
    case CURLE_OPERATION_TIMEDOUT:
        return rw_err_set(err, RW_ETIMEOUT, "timed out after %g s", timeout_seconds(o->timeout_ms));
    case CURLE_PEER_FAILED_VERIFICATION:
        return classify_verify(o, err);
    case CURLE_SSL_CONNECT_ERROR:
        return classify_handshake(o, err);
    case CURLE_SSL_CACERT_BADFILE:
        return rw_err_set(err, RW_EINVAL, "cannot use the CA file: %s", why);
    case CURLE_SSL_CERTPROBLEM:
        return rw_err_set(err, RW_EINVAL, "cannot use the client certificate: %s", why);
    case CURLE_GOT_NOTHING:
        return rw_err_set(err, RW_ECONNECT, "connection closed without a response");
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
        return rw_err_set(err, RW_ECONNECT, "connection lost: %s", why);
    case CURLE_UNSUPPORTED_PROTOCOL:
        if (strstr(why, "HTTP/0.9") != NULL) {
            /* libcurl's words assume the reader knows HTTP/0.9 */
            return rw_err_set(err, RW_ECONNECT, "not an HTTP reply (no status line)");
        }
        return rw_err_set(err, RW_ECONNECT, "%s", why);
    case CURLE_OUT_OF_MEMORY:
        if (o->status != 0) {
            /* libcurl before 8.6 reports a header line over its 100 KiB limit this way, after
             * the status line: the server's fault, not ours (found by tests/integration/hostile) */
            return rw_err_set(err, RW_EHTTP,
                              "response header line too long (libcurl: out of memory)");
        }
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    default:
        return rw_err_set(err, RW_ECONNECT, "%s", why);
    }
}

/* ---- the transfer ---- */

/* Body bytes are counted and dropped; past the cap the transfer stops (a 0 return). */
static size_t
on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
    struct rw_http_probe_state *st = ctx;
    size_t n = size * nmemb;

    if (n > st->body_max - st->res.body_len ||
        (st->body != NULL && rw_buf_add(st->body, data, n) != RW_OK)) {
        /* over a cap: stop here; a kept body was freed by rw_buf_add, so it is not half */
        st->res.body_capped = 1;
        return 0;
    }
    st->res.body_len += n;
    return n;
}

/* Keeps the reason phrase of the last status line; stops past the header cap. */
static size_t
on_header(char *data, size_t size, size_t nmemb, void *ctx)
{
    struct rw_http_probe_state *st = ctx;
    size_t n = size * nmemb, len;
    const char *sp, *reason;

    st->header_bytes += n;
    if (st->header_bytes > RW_HTTP_PROBE_HEADERS_MAX) {
        st->headers_capped = 1;
        return 0;
    }
    if (n < 12 || memcmp(data, "HTTP/", 5) != 0 || (sp = memchr(data, ' ', n)) == NULL) {
        return n;
    }
    /* "HTTP/1.1 503 Service Unavailable\r\n": the reason follows the second space. */
    reason = memchr(sp + 1, ' ', n - (size_t)(sp + 1 - data));
    st->res.reason[0] = '\0';
    if (reason != NULL) {
        reason++;
        len = strcspn(reason, "\r\n");
        len = len < n - (size_t)(reason - data) ? len : n - (size_t)(reason - data);
        len = len < sizeof(st->res.reason) - 1 ? len : sizeof(st->res.reason) - 1;
        memcpy(st->res.reason, reason, len);
        st->res.reason[len] = '\0';
    }
    return n;
}

static enum rw_rc
check_path(const char *path, struct rw_err *err)
{
    const char *p;

    if (path == NULL || path[0] != '/') {
        return rw_err_set(err, RW_EINVAL, "URL path must start with '/'");
    }
    if (strlen(path) >= RW_HTTP_PROBE_PATH_MAX) {
        return rw_err_set(err, RW_EINVAL, "URL path longer than %d bytes",
                          RW_HTTP_PROBE_PATH_MAX - 1);
    }
    for (p = path; *p != '\0'; p++) {
        if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '#') {
            return rw_err_set(err, RW_EINVAL,
                              "URL path '%s' holds a space, '#' or control "
                              "character (percent-encode it)",
                              path);
        }
    }
    return RW_OK;
}

/* URL (on the SNI name when given) and, with SNI, where to really connect. */
static enum rw_rc
build_target(const struct rw_http_probe_opts *o, struct rw_http_probe_state *st, struct rw_err *err)
{
    char auth[RW_URL_TEXT_MAX], connect_to[2 * RW_URL_TEXT_MAX];

    (void)rw_url_authority(o->url, auth, sizeof(auth));
    if (o->sni == NULL) {
        (void)snprintf(st->host, sizeof(st->host), "%s", o->url->host);
        (void)snprintf(st->url, sizeof(st->url), "https://%s%s", auth, o->path);
        return RW_OK;
    }
    (void)snprintf(st->host, sizeof(st->host), "%s", o->sni);
    (void)snprintf(st->url, sizeof(st->url), "https://%s:%d%s", o->sni, o->url->port, o->path);
    /* CONNECT_TO "name:port:host:port": the name is sent and verified, host is dialled. */
    (void)snprintf(connect_to, sizeof(connect_to), "%s:%d:%s", o->sni, o->url->port, auth);
    st->connect_to = curl_slist_append(NULL, connect_to);
    if (st->connect_to == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    return RW_OK;
}

/* Applies the TLS settings; curl's defaults already verify peer and host. */
static CURLcode
set_tls(CURL *easy, const struct rw_http_probe_opts *o)
{
    CURLcode c = CURLE_OK;

    if (o->insecure) {
        c = curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
        c = c != CURLE_OK ? c : curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (c == CURLE_OK && o->cacert != NULL) {
        /* Only this file: the system directory must not vouch for the server as well. */
        c = curl_easy_setopt(easy, CURLOPT_CAINFO, o->cacert);
        c = c != CURLE_OK ? c : curl_easy_setopt(easy, CURLOPT_CAPATH, NULL);
    }
    if (c == CURLE_OK && o->client_cert != NULL) {
        c = curl_easy_setopt(easy, CURLOPT_SSLCERT, o->client_cert);
    }
    if (c == CURLE_OK && o->client_key != NULL) {
        c = curl_easy_setopt(easy, CURLOPT_SSLKEY, o->client_key);
    }
    return c;
}

static CURLcode
set_auth(CURL *easy, const struct rw_http_probe_opts *o)
{
    CURLcode c;

    if (o->username == NULL) {
        return CURLE_OK;
    }
    c = curl_easy_setopt(easy, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    c = c != CURLE_OK ? c : curl_easy_setopt(easy, CURLOPT_USERNAME, o->username);
    return c != CURLE_OK
               ? c
               : curl_easy_setopt(easy, CURLOPT_PASSWORD, o->password != NULL ? o->password : "");
}

static CURLcode
set_transfer(CURL *easy, struct rw_http_probe_state *st)
{
    CURLcode c = curl_easy_setopt(easy, CURLOPT_URL, st->url);

    c = c != CURLE_OK ? c : curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "https");
    c = c != CURLE_OK ? c : curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    c = c != CURLE_OK ? c : curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    c = c != CURLE_OK ? c : curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, st->timeout_ms);
    c = c != CURLE_OK ? c : curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, st->timeout_ms);
    c = c != CURLE_OK ? c : curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, st->errbuf);
    c = c != CURLE_OK ? c : curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
    c = c != CURLE_OK ? c : curl_easy_setopt(easy, CURLOPT_WRITEDATA, st);
    c = c != CURLE_OK ? c : curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
    c = c != CURLE_OK ? c : curl_easy_setopt(easy, CURLOPT_HEADERDATA, st);
    c = c != CURLE_OK ? c
                      : curl_easy_setopt(easy, CURLOPT_USERAGENT, "rackwatch/" RACKWATCH_VERSION);
    if (c == CURLE_OK && st->connect_to != NULL) {
        c = curl_easy_setopt(easy, CURLOPT_CONNECT_TO, st->connect_to);
    }
    return c;
}

enum rw_rc
rw_http_probe_prepare(CURL *easy, const struct rw_http_probe_opts *opts,
                      struct rw_http_probe_state *st, struct rw_err *err)
{
    CURLcode c;

    memset(st, 0, sizeof(*st));
    st->body_max = opts->body_max != 0 ? opts->body_max : RW_HTTP_PROBE_BODY_MAX;
    st->body = opts->body;
    st->timeout_ms = opts->timeout_ms;
    if (opts->timeout_ms <= 0) {
        return rw_err_set(err, RW_ETIMEOUT, "timed out before the request was sent");
    }
    if (check_path(opts->path, err) != RW_OK || build_target(opts, st, err) != RW_OK) {
        return err != NULL ? err->code : RW_EINVAL;
    }
    c = set_transfer(easy, st);
    c = c != CURLE_OK ? c : set_tls(easy, opts);
    c = c != CURLE_OK ? c : set_auth(easy, opts);
    if (c != CURLE_OK) {
        return rw_err_set(err, c == CURLE_OUT_OF_MEMORY ? RW_ENOMEM : RW_EINVAL,
                          "cannot set up the request: %s", curl_easy_strerror(c));
    }
    return RW_OK;
}

/* A curl time in microseconds as seconds; 0 when curl does not have it. */
static double
info_seconds(CURL *easy, CURLINFO what)
{
    curl_off_t us = 0;

    if (curl_easy_getinfo(easy, what, &us) != CURLE_OK || us < 0) {
        return 0.0;
    }
    return (double)us / 1e6;
}

enum rw_rc
rw_http_probe_finish(CURL *easy, CURLcode code, struct rw_http_probe_state *st,
                     struct rw_http_probe_result *res, struct rw_err *err)
{
    struct rw_http_outcome o = {.code = code};
    long os_errno = 0;
    double app;

    (void)curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &st->res.status);
    (void)curl_easy_getinfo(easy, CURLINFO_SSL_VERIFYRESULT, &o.verify_result);
    (void)curl_easy_getinfo(easy, CURLINFO_OS_ERRNO, &os_errno);
    st->res.total_s = info_seconds(easy, CURLINFO_TOTAL_TIME_T);
    st->res.connect_s = info_seconds(easy, CURLINFO_CONNECT_TIME_T);
    app = info_seconds(easy, CURLINFO_APPCONNECT_TIME_T);
    st->res.tls_s = app > st->res.connect_s ? app - st->res.connect_s : 0.0;
    *res = st->res;
    o.status = st->res.status;
    o.reason = st->res.reason;
    o.errbuf = st->errbuf;
    o.os_errno = (int)os_errno;
    o.timeout_ms = st->timeout_ms;
    o.host = st->host;
    o.body_capped = st->res.body_capped;
    o.headers_capped = st->headers_capped;
    return rw_http_classify(&o, err);
}

void
rw_http_probe_cleanup(struct rw_http_probe_state *st)
{
    curl_slist_free_all(st->connect_to);
    st->connect_to = NULL;
}

enum rw_rc
rw_http_probe(const struct rw_http_probe_opts *opts, struct rw_http_probe_result *res,
              struct rw_err *err)
{
    struct rw_http_probe_state st;
    CURL *easy = NULL;
    enum rw_rc rc;

    memset(&st, 0, sizeof(st));
    memset(res, 0, sizeof(*res));
    easy = curl_easy_init();
    if (easy == NULL) {
        rc = rw_err_set(err, RW_ENOMEM, "cannot create a curl handle");
        goto fail;
    }
    rc = rw_http_probe_prepare(easy, opts, &st, err);
    if (rc != RW_OK) {
        goto fail;
    }
    rc = rw_http_probe_finish(easy, curl_easy_perform(easy), &st, res, err);
fail:
    rw_http_probe_cleanup(&st);
    if (easy != NULL) {
        curl_easy_cleanup(easy);
    }
    return rc;
}

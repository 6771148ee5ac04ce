/*
 * rw_http_probe: one HTTPS exchange with a server -- TCP connect, TLS handshake verified
 * against a CA file or the system store, GET of a path -- timed, and its outcome
 * classified into an rw_rc and a cause a user can act on ("connection refused", "TLS
 * handshake failed: certificate has expired", "HTTP 503 Service Unavailable").
 *
 * rw_http_probe() runs the exchange with curl_easy_perform (plugins).  Event-loop code
 * reuses the parts: rw_http_probe_prepare() sets up an easy handle for a multi handle,
 * rw_http_probe_finish() reads the result once the transfer is done, and
 * rw_http_classify() maps any finished transfer to an rw_rc.
 *
 * Redirects are not followed; the body is read (dropped or kept), at most body_max bytes
 * (the transfer stops there, which still counts as a response); headers at most
 * RW_HTTP_PROBE_HEADERS_MAX bytes.  curl_global_init() is the caller's (main()'s) job.
 */
#ifndef RW_HTTP_PROBE_H
#define RW_HTTP_PROBE_H

#include <stddef.h>

#include <curl/curl.h>

#include "rw_buf.h"
#include "rw_err.h"
#include "rw_url.h"

#define RW_HTTP_PROBE_BODY_MAX    (1024 * 1024)
#define RW_HTTP_PROBE_HEADERS_MAX (64 * 1024)
#define RW_HTTP_PROBE_PATH_MAX    1024
#define RW_HTTP_REASON_MAX        64

/* What to probe; everything borrowed for the duration of the transfer. */
struct rw_http_probe_opts {
    const struct rw_url *url; /* host and port; the scheme is always https */
    const char *path;         /* "/redfish/v1/": starts with '/', printable, no space */
    long timeout_ms;          /* the whole exchange, connect included; must be > 0 */
    const char *cacert;       /* NULL: the system store */
    const char *sni;          /* NULL: the URL's host; else sent and verified instead */
    const char *client_cert;  /* NULL or PEM file */
    const char *client_key;
    int insecure;         /* 1: no certificate verification at all */
    const char *username; /* NULL: no authentication; else HTTP Basic */
    const char *password;
    size_t body_max;     /* 0: RW_HTTP_PROBE_BODY_MAX */
    struct rw_buf *body; /* NULL: the body is dropped; else appended here (borrowed; the
                            buffer's own cap applies too, and a body over either cap
                            leaves it freed and body_capped set) */
};

/* What a finished exchange tells; times in seconds, 0 for a phase not reached. */
struct rw_http_probe_result {
    long status;                     /* HTTP status, 0 when no response arrived */
    char reason[RW_HTTP_REASON_MAX]; /* the status line's reason phrase, may be "" */
    double total_s;
    double connect_s; /* from start until TCP connected */
    double tls_s;     /* the TLS handshake alone */
    size_t body_len;  /* bytes of body read (at most body_max) */
    int body_capped;  /* the body was longer than body_max */
};

/*
 * Per-transfer state for the curl callbacks (caller's storage, must not move while the
 * transfer runs).  Fields are private to this module.
 */
struct rw_http_probe_state {
    char url[RW_URL_TEXT_MAX + RW_HTTP_PROBE_PATH_MAX];
    char errbuf[CURL_ERROR_SIZE];
    struct curl_slist *connect_to; /* owned; freed by rw_http_probe_cleanup() */
    size_t header_bytes;
    int headers_capped;
    size_t body_max;
    struct rw_buf *body;
    long timeout_ms;
    char host[RW_HOST_MAX]; /* the name certificates are checked against */
    struct rw_http_probe_result res;
};

/* The facts classification needs about a finished transfer (borrowed strings). */
struct rw_http_outcome {
    CURLcode code;
    long status;        /* 0 when no response */
    const char *reason; /* reason phrase or NULL */
    const char *errbuf; /* CURLOPT_ERRORBUFFER contents or NULL */
    long verify_result; /* CURLINFO_SSL_VERIFYRESULT (an X509_V_ERR_* code) */
    int os_errno;       /* CURLINFO_OS_ERRNO */
    long timeout_ms;    /* the timeout that applied, for "timed out after N s" */
    const char *host;   /* the name the certificate was checked against, or NULL */
    int body_capped;    /* the transfer was stopped by the body cap */
    int headers_capped; /* ... or by the header cap */
};

/*
 * Classifies a finished transfer.  RW_OK for a response with status below 500.
 * RW_ECONNECT: name not resolved, connection refused or failed, closed without response.
 * RW_ETIMEOUT: "timed out after N s".  RW_ETLS: "TLS handshake failed: REASON" (the
 * OpenSSL verify reason, "hostname mismatch"...) or "not TLS (a plain HTTP server?)".
 * RW_EHTTP: "HTTP 503 Service Unavailable", oversized headers.  RW_EINVAL: unusable local
 * files (CA file, client certificate).  RW_ENOMEM.  The message is the cause alone; the
 * caller adds which server.
 */
RW_MUSTCHECK enum rw_rc rw_http_classify(const struct rw_http_outcome *o, struct rw_err *err);

/*
 * Sets up easy for a probe described by opts, with st as the callbacks' state (st is
 * initialised here).  RW_EINVAL for a bad path or timeout, RW_ENOMEM.  Whatever the
 * result, call rw_http_probe_cleanup(st) once the handle is done with.
 */
RW_MUSTCHECK enum rw_rc rw_http_probe_prepare(CURL *easy, const struct rw_http_probe_opts *opts,
                                              struct rw_http_probe_state *st, struct rw_err *err);

/* Reads times and status from easy after the transfer ended with code; classifies it. */
RW_MUSTCHECK enum rw_rc rw_http_probe_finish(CURL *easy, CURLcode code,
                                             struct rw_http_probe_state *st,
                                             struct rw_http_probe_result *res, struct rw_err *err);

/* Frees what st owns.  Safe on a zeroed or already cleaned-up st. */
void rw_http_probe_cleanup(struct rw_http_probe_state *st);

/*
 * One blocking probe.  *res is filled as far as the exchange got (times even on
 * failure); the return value and err are rw_http_classify()'s.
 */
RW_MUSTCHECK enum rw_rc rw_http_probe(const struct rw_http_probe_opts *opts,
                                      struct rw_http_probe_result *res, struct rw_err *err);

#endif

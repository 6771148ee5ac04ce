/*
 * rf_http: the small, pure pieces of the Redfish HTTP client, kept apart so that they
 * are tested without a server: base URLs and same-origin path resolution, header lines,
 * Retry-After, certificate fingerprints, Redfish error bodies and the mapping of libcurl
 * results onto rw_rc.
 *
 * Nothing here keeps state or does I/O.
 */
#ifndef RF_HTTP_H
#define RF_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <curl/curl.h>

#include "rw_err.h"

/* Longest path (with query) accepted for a request, and longest kept header value. */
#define RF_HTTP_PATH_MAX   2048
#define RF_HTTP_HEADER_MAX 1024

/* Longest Retry-After honoured, in seconds: a device asking for more is refused. */
#define RF_HTTP_RETRY_AFTER_MAX 3600

/* A SHA-256 fingerprint, and its text form "sha256:AB:CD:..." with the NUL. */
#define RF_HTTP_FP_LEN 32
#define RF_HTTP_FP_STR (7 + RF_HTTP_FP_LEN * 3)

/*
 * Checks an endpoint URL, "http(s)://host[:port]" with an optional trailing "/", and gives
 * its normalized base "scheme://host:port" (lower-case scheme and host, explicit port,
 * IPv6 host in brackets, no trailing slash) in *base_out; the caller frees it with free().
 * RW_EINVAL with a message naming the problem: empty, unparsable, other scheme, user
 * info, a path, a query or a fragment.  RW_ENOMEM.
 */
RW_MUSTCHECK enum rw_rc rf_http_base(const char *url, char **base_out, struct rw_err *err);

/*
 * Resolves ref, a Redfish reference, against base (as rf_http_base() gives it): an
 * absolute path ("/redfish/v1/Chassis?x=1") or an absolute URL of the same origin
 * (scheme, host and port equal).  Gives the path with its query in *path_out (caller
 * frees).  RW_EINVAL for another origin, a relative path, a network-path ("//host"),
 * spaces, control bytes or a path over RF_HTTP_PATH_MAX; RW_ENOMEM.
 */
RW_MUSTCHECK enum rw_rc rf_http_same_origin_path(const char *base, const char *ref, char **path_out,
                                                 struct rw_err *err);

/*
 * True when line[0..len) (one raw header line, CRLF included or not) is a header named
 * name (case-insensitive).  Then *val and *vlen point at its value inside line, with the
 * surrounding blanks and the CRLF trimmed.
 */
int rf_http_header_is(const char *line, size_t len, const char *name, const char **val,
                      size_t *vlen);

/*
 * Parses a Retry-After value: delay-seconds, or an HTTP-date compared with now (wall
 * clock, seconds since the epoch; a date in the past gives 0).  *delay_s is in
 * [0, RF_HTTP_RETRY_AFTER_MAX].  RW_EPARSE for anything else, RW_EINVAL for a delay
 * over the maximum.  *delay_s is written only on success.
 */
RW_MUSTCHECK enum rw_rc rf_http_retry_after(const char *value, time_t now, int64_t *delay_s);

/*
 * Parses a certificate SHA-256 fingerprint: 64 hexadecimal digits, optionally in pairs
 * separated by ':', optionally prefixed "sha256:" (any case), into out.  RW_EINVAL with a
 * message otherwise.
 */
RW_MUSTCHECK enum rw_rc
rf_http_parse_fingerprint(const char *text, unsigned char out[RF_HTTP_FP_LEN], struct rw_err *err);

/* Formats fp as "sha256:AB:CD:..." (upper case) into out. */
void rf_http_format_fingerprint(const unsigned char fp[RF_HTTP_FP_LEN], char out[RF_HTTP_FP_STR]);

/* What a Redfish error body says, as far as it says it. */
struct rf_http_rferror {
    char message[160];   /* error.@Message.ExtendedInfo[0].Message, else error.message; "" */
    char message_id[96]; /* the MessageId of that entry or error.code; "" */
    int retry;           /* the message asks to retry later (ServiceTemporarilyUnavailable) */
    int64_t retry_s;     /* seconds it names (its first MessageArgs), -1 when none */
};

/* True when e's MessageId is name in any registry version ("Base.1.8.<name>"). */
int rf_http_rferror_is(const struct rf_http_rferror *e, const char *name);

/*
 * Reads a Redfish error document (body, len bytes, need not be NUL-terminated) into out.
 * Anything that is not such a document leaves out empty ("" and retry 0); it never fails.
 * JSON depth is capped at 32.
 */
void rf_http_rferror_parse(const char *body, size_t len, struct rf_http_rferror *out);

/*
 * The rw_rc for a libcurl transfer result other than CURLE_OK: connection failures
 * (refused, DNS, reset, nothing received) RW_ECONNECT, timeouts RW_ETIMEOUT, TLS and
 * certificate failures RW_ETLS, size limits RW_ETOOBIG, protocol garbage RW_EPARSE,
 * out of memory RW_ENOMEM, a bad URL RW_EINVAL.  Unknown codes give RW_ECONNECT.
 */
enum rw_rc rf_http_classify_curl(CURLcode code);

/*
 * "Authorization: Basic ..." for user and pass (RFC 7617, UTF-8 as given) in *out (caller
 * wipes and frees: it holds the password).  RW_EINVAL when user holds a colon or either
 * is longer than 1 KiB; RW_ENOMEM.
 */
RW_MUSTCHECK enum rw_rc rf_http_basic_header(const char *user, const char *pass, char **out,
                                             struct rw_err *err);

/* The rw_rc for an HTTP status: RW_OK for 2xx, RW_EHTTP for all else (1xx, 3xx included). */
enum rw_rc rf_http_classify_status(long status);

#endif

/*
 * libFuzzer target for the HTTP header handling of the Redfish client (redfish/rf_http.h,
 * redfish/rf_session.h): the input is a reply as a server would send it, header lines up
 * to an empty line, then the body.  The headers the client keeps (X-Auth-Token, Location,
 * Retry-After) are picked out as rf_xfer's header callback does, then read as a login
 * reply, a Retry-After delay, a same-origin reference and a Redfish error body.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rf_http.h"
#include "rf_session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The headers kept, as rf_xfer keeps them: NUL-terminated copies, the last one wins. */
struct kept {
    char *token;
    char *location;
    char *retry_after;
};

static const char *const bases[] = {"https://127.0.0.1:443", "http://[::1]:8000",
                                    "https://bmc.example.net:8443"};
static const long statuses[] = {200, 201, 204, 302, 401, 503};

static void
keep(const char *line, size_t len, const char *name, char **slot)
{
    const char *val;
    size_t vlen;

    if (!rf_http_header_is(line, len, name, &val, &vlen) || vlen > RF_HTTP_HEADER_MAX) {
        return;
    }
    if (val < line || val + vlen > line + len) {
        __builtin_trap(); /* the value must lie inside the line */
    }
    free(*slot);
    *slot = strndup(val, vlen);
}

/* Reads header lines up to an empty one; returns where the body starts. */
static size_t
read_headers(const char *p, size_t n, struct kept *k)
{
    size_t at = 0;

    while (at < n) {
        const char *nl = memchr(p + at, '\n', n - at);
        size_t len = nl != NULL ? (size_t)(nl - (p + at)) + 1 : n - at;

        if (len <= 2 && (p[at] == '\n' || p[at] == '\r')) {
            return at + len;
        }
        keep(p + at, len, "X-Auth-Token", &k->token);
        keep(p + at, len, "Location", &k->location);
        keep(p + at, len, "Retry-After", &k->retry_after);
        at += len;
    }
    return n;
}

static void
check_path(const char *path)
{
    size_t i, n = strlen(path);

    if (n == 0 || path[0] != '/' || n > RF_HTTP_PATH_MAX) {
        __builtin_trap();
    }
    for (i = 0; i < n; i++) {
        if ((unsigned char)path[i] <= ' ' || path[i] == 0x7f) {
            __builtin_trap(); /* would reach the request line */
        }
    }
}

static void
check_login(const char *base, long status, const struct kept *k, const char *body, size_t blen)
{
    char *token = NULL, *path = NULL;
    struct rw_err err;

    rw_err_clear(&err);
    if (rf_session_parse_reply(base, status, k->token, k->location, body, blen, &token, &path,
                               &err) == RW_OK) {
        if (token == NULL || strlen(token) > RF_SESSION_TOKEN_MAX) {
            __builtin_trap();
        }
        if (path != NULL) {
            check_path(path);
        }
    } else if (err.msg[0] == '\0' || token != NULL) {
        __builtin_trap();
    }
    free(token);
    free(path);
}

static void
check_location(const char *base, const char *location)
{
    char *path = NULL, *other = NULL;

    if (rf_http_same_origin_path(base, location, &path, NULL) == RW_OK) {
        check_path(path);
    }
    if (rf_http_base(location, &other, NULL) == RW_OK && strchr(other, '/') == NULL) {
        __builtin_trap(); /* a base always has its "://" */
    }
    free(other);
    free(path);
}

static void
check_retry_after(const char *value)
{
    int64_t delay = -1;

    if (rf_http_retry_after(value, 1795000000, &delay) == RW_OK &&
        (delay < 0 || delay > RF_HTTP_RETRY_AFTER_MAX)) {
        __builtin_trap();
    }
}

static void
check_fingerprint(const char *text)
{
    unsigned char fp[RF_HTTP_FP_LEN], again[RF_HTTP_FP_LEN];
    char str[RF_HTTP_FP_STR];

    if (rf_http_parse_fingerprint(text, fp, NULL) != RW_OK) {
        return;
    }
    rf_http_format_fingerprint(fp, str);
    if (rf_http_parse_fingerprint(str, again, NULL) != RW_OK ||
        memcmp(fp, again, sizeof(fp)) != 0) {
        __builtin_trap();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kept k = {NULL, NULL, NULL};
    struct rf_http_rferror rf;
    const char *base, *text = (const char *)data;
    size_t body;
    long status;

    if (size < 1) {
        return 0;
    }
    base = bases[data[0] % 3];
    status = statuses[(data[0] >> 2) % 6];
    body = 1 + read_headers(text + 1, size - 1, &k);
    check_login(base, status, &k, text + body, size - body);
    if (k.location != NULL) {
        check_location(base, k.location);
    }
    if (k.retry_after != NULL) {
        check_retry_after(k.retry_after);
    }
    if (k.token != NULL) {
        check_fingerprint(k.token);
    }
    rf_http_rferror_parse(text + body, size - body, &rf);
    if (memchr(rf.message, '\0', sizeof(rf.message)) == NULL ||
        memchr(rf.message_id, '\0', sizeof(rf.message_id)) == NULL) {
        __builtin_trap();
    }
    (void)rf_http_rferror_is(&rf, "SessionLimitExceeded");
    free(k.token);
    free(k.location);
    free(k.retry_after);
    return 0;
}

#include "rf_http.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "rw_buf.h"
#include "rw_parse.h"

#define RF_JSON_DEPTH 32

/* Copies text[0..len) into a new string; NULL when out of memory. */
static char *
dup_n(const char *text, size_t len)
{
    char *copy = malloc(len + 1);

    if (copy != NULL) {
        memcpy(copy, text, len);
        copy[len] = '\0';
    }
    return copy;
}

static void
lower(char *s)
{
    for (; *s != '\0'; s++) {
        *s = (char)tolower((unsigned char)*s);
    }
}

/* The part of u, or NULL when absent or out of memory; caller frees with curl_free(). */
static char *
url_part(CURLU *u, CURLUPart what, unsigned int flags)
{
    char *part = NULL;

    if (curl_url_get(u, what, &part, flags) != CURLUE_OK) {
        return NULL;
    }
    return part;
}

/* "scheme://host:port" of a parsed URL into *out (caller frees); RW_EINVAL, RW_ENOMEM. */
static enum rw_rc
url_origin(CURLU *u, char **out, struct rw_err *err)
{
    char *scheme = url_part(u, CURLUPART_SCHEME, 0);
    char *host = url_part(u, CURLUPART_HOST, 0);
    char *port = url_part(u, CURLUPART_PORT, CURLU_DEFAULT_PORT);
    struct rw_buf buf;
    enum rw_rc rc = RW_OK;

    rw_buf_init(&buf, RF_HTTP_PATH_MAX);
    if (scheme == NULL || host == NULL || port == NULL) {
        rc = rw_err_set(err, RW_EINVAL, "URL lacks a scheme, host or port");
        goto fail;
    }
    lower(scheme);
    lower(host);
    if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
        rc = rw_err_set(err, RW_EINVAL, "URL scheme '%s' is not http or https", scheme);
        goto fail;
    }
    if (rw_buf_addf(&buf, "%s://%s:%s", scheme, host, port) != RW_OK) {
        rc = rw_err_set(err, RW_ENOMEM, "out of memory");
        goto fail;
    }
    *out = rw_buf_take(&buf);
    if (*out == NULL) {
        rc = rw_err_set(err, RW_ENOMEM, "out of memory");
    }
fail:
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    rw_buf_free(&buf);
    return rc;
}

/* Parses an absolute http(s) URL into a new handle in *out; RW_EINVAL, RW_ENOMEM. */
static enum rw_rc
url_parse(const char *url, CURLU **out, struct rw_err *err)
{
    CURLU *u = curl_url();
    CURLUcode uc;

    if (u == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    uc = curl_url_set(u, CURLUPART_URL, url, 0);
    if (uc != CURLUE_OK) {
        curl_url_cleanup(u);
        return rw_err_set(err, uc == CURLUE_OUT_OF_MEMORY ? RW_ENOMEM : RW_EINVAL,
                          "bad URL '%.100s': %s", url, curl_url_strerror(uc));
    }
    *out = u;
    return RW_OK;
}

/* RW_EINVAL when the endpoint URL has parts beyond scheme, host and port. */
static enum rw_rc
base_check_extras(CURLU *u, const char *url, struct rw_err *err)
{
    char *user = url_part(u, CURLUPART_USER, 0);
    char *path = url_part(u, CURLUPART_PATH, 0);
    char *query = url_part(u, CURLUPART_QUERY, 0);
    char *frag = url_part(u, CURLUPART_FRAGMENT, 0);
    enum rw_rc rc = RW_OK;

    if (user != NULL) {
        rc = rw_err_set(err, RW_EINVAL, "URL '%.100s': credentials belong in credentials:", url);
    } else if (path != NULL && strcmp(path, "/") != 0) {
        rc = rw_err_set(err, RW_EINVAL, "URL '%.100s' has a path; give scheme://host[:port]", url);
    } else if (query != NULL || frag != NULL) {
        rc = rw_err_set(err, RW_EINVAL, "URL '%.100s' has a query or fragment", url);
    }
    curl_free(user);
    curl_free(path);
    curl_free(query);
    curl_free(frag);
    return rc;
}

enum rw_rc
rf_http_base(const char *url, char **base_out, struct rw_err *err)
{
    CURLU *u = NULL;
    enum rw_rc rc;

    if (url == NULL || url[0] == '\0') {
        return rw_err_set(err, RW_EINVAL, "empty URL");
    }
    if (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0) {
        return rw_err_set(err, RW_EINVAL, "URL '%.100s' must start with https:// or http://", url);
    }
    rc = url_parse(url, &u, err);
    if (rc == RW_OK) {
        rc = base_check_extras(u, url, err);
    }
    if (rc == RW_OK) {
        rc = url_origin(u, base_out, err);
    }
    curl_url_cleanup(u);
    return rc;
}

/* RW_EINVAL unless path is "/..." of printable non-blank ASCII, not "//", within the cap. */
static enum rw_rc
path_check(const char *path, size_t len, struct rw_err *err)
{
    size_t i;

    if (len == 0 || path[0] != '/' || (len > 1 && path[1] == '/')) {
        return rw_err_set(err, RW_EINVAL, "'%.100s' is not an absolute path", path);
    }
    if (len > RF_HTTP_PATH_MAX) {
        return rw_err_set(err, RW_EINVAL, "path longer than %d bytes", RF_HTTP_PATH_MAX);
    }
    for (i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)path[i];

        if (ch <= 0x20 || ch >= 0x7f) {
            return rw_err_set(err, RW_EINVAL, "path '%.100s' has a blank or non-ASCII byte", path);
        }
    }
    return RW_OK;
}

/* Same origin as base?  Then the path and query of u in *path_out. */
static enum rw_rc
abs_url_path(const char *base, CURLU *u, const char *ref, char **path_out, struct rw_err *err)
{
    char *origin = NULL, *path = NULL, *query = NULL;
    struct rw_buf buf;
    enum rw_rc rc;

    rw_buf_init(&buf, RF_HTTP_PATH_MAX);
    rc = url_origin(u, &origin, err);
    if (rc != RW_OK) {
        goto fail;
    }
    if (origin == NULL || strcmp(origin, base) != 0) {
        rc = rw_err_set(err, RW_EINVAL, "'%.100s' is on another origin than %.100s", ref, base);
        goto fail;
    }
    path = url_part(u, CURLUPART_PATH, 0);
    query = url_part(u, CURLUPART_QUERY, 0);
    if (rw_buf_adds(&buf, path != NULL ? path : "/") != RW_OK ||
        (query != NULL && rw_buf_addf(&buf, "?%s", query) != RW_OK)) {
        rc = rw_err_set(err, RW_EINVAL, "path longer than %d bytes", RF_HTTP_PATH_MAX);
        goto fail;
    }
    rc = path_check(rw_buf_str(&buf), rw_buf_len(&buf), err);
    if (rc == RW_OK) {
        *path_out = rw_buf_take(&buf);
    }
fail:
    free(origin);
    curl_free(path);
    curl_free(query);
    rw_buf_free(&buf);
    return rc;
}

enum rw_rc
rf_http_same_origin_path(const char *base, const char *ref, char **path_out, struct rw_err *err)
{
    CURLU *u = NULL;
    size_t len;
    enum rw_rc rc;

    if (ref == NULL || ref[0] == '\0') {
        return rw_err_set(err, RW_EINVAL, "empty reference");
    }
    if (ref[0] == '/') {
        /* A fragment (a JSON pointer in some @odata.id) is never sent. */
        len = strcspn(ref, "#");
        rc = path_check(ref, len, err);
        if (rc == RW_OK) {
            *path_out = dup_n(ref, len);
            rc = *path_out != NULL ? RW_OK : rw_err_set(err, RW_ENOMEM, "out of memory");
        }
        return rc;
    }
    if (strncasecmp(ref, "http://", 7) != 0 && strncasecmp(ref, "https://", 8) != 0) {
        return rw_err_set(err, RW_EINVAL, "'%.100s' is not an absolute path or URL", ref);
    }
    rc = url_parse(ref, &u, err);
    if (rc == RW_OK) {
        rc = abs_url_path(base, u, ref, path_out, err);
    }
    curl_url_cleanup(u);
    return rc;
}

int
rf_http_header_is(const char *line, size_t len, const char *name, const char **val, size_t *vlen)
{
    size_t nlen = strlen(name);
    size_t start, end;

    if (len <= nlen || line[nlen] != ':' || strncasecmp(line, name, nlen) != 0) {
        return 0;
    }
    start = nlen + 1;
    end = len;
    while (start < end && (line[start] == ' ' || line[start] == '\t')) {
        start++;
    }
    while (end > start && strchr(" \t\r\n", line[end - 1]) != NULL) {
        end--;
    }
    *val = line + start;
    *vlen = end - start;
    return 1;
}

enum rw_rc
rf_http_retry_after(const char *value, time_t now, int64_t *delay_s)
{
    int64_t secs;
    time_t when;

    if (value == NULL || value[0] == '\0') {
        return RW_EPARSE;
    }
    if (isdigit((unsigned char)value[0])) {
        /* A number first: delay-seconds, or garbage such as "12abc"; never a date. */
        if (rw_parse_i64(value, 0, INT64_MAX, &secs) != RW_OK) {
            return RW_EPARSE;
        }
    } else {
        /* The three HTTP-date forms (RFC 9110 5.6.7); curl_getdate() knows them all. */
        when = curl_getdate(value, NULL);
        if (when == -1) {
            return RW_EPARSE;
        }
        secs = when > now ? (int64_t)(when - now) : 0;
    }
    if (secs > RF_HTTP_RETRY_AFTER_MAX) {
        return RW_EINVAL;
    }
    *delay_s = secs;
    return RW_OK;
}

static int
hex_val(int ch)
{
    if (ch >= '0' && ch <= '9') {
        return ch - '0';
    }
    ch = tolower(ch);
    if (ch >= 'a' && ch <= 'f') {
        return ch - 'a' + 10;
    }
    return -1;
}

enum rw_rc
rf_http_parse_fingerprint(const char *text, unsigned char out[RF_HTTP_FP_LEN], struct rw_err *err)
{
    unsigned char fp[RF_HTTP_FP_LEN];
    const char *p = text;
    size_t n = 0;
    int hi, lo;

    if (p == NULL) {
        return rw_err_set(err, RW_EINVAL, "empty fingerprint");
    }
    if (strncasecmp(p, "sha256:", 7) == 0) {
        p += 7;
    }
    while (*p != '\0' && n < RF_HTTP_FP_LEN) {
        hi = hex_val((unsigned char)p[0]);
        lo = hi < 0 ? -1 : hex_val((unsigned char)p[1]);
        if (lo < 0) {
            break;
        }
        fp[n++] = (unsigned char)(hi << 4 | lo);
        p += 2;
        if (*p == ':' && n < RF_HTTP_FP_LEN) {
            p++;
        }
    }
    if (n != RF_HTTP_FP_LEN || *p != '\0') {
        return rw_err_set(err, RW_EINVAL,
                          "fingerprint '%.120s' is not a SHA-256 (64 hex digits, "
                          "optionally sha256: and colons)",
                          text);
    }
    memcpy(out, fp, sizeof(fp));
    return RW_OK;
}

void
rf_http_format_fingerprint(const unsigned char fp[RF_HTTP_FP_LEN], char out[RF_HTTP_FP_STR])
{
    static const char digits[] = "0123456789ABCDEF";
    size_t i, o = 7;

    memcpy(out, "sha256:", 7);
    for (i = 0; i < RF_HTTP_FP_LEN; i++) {
        out[o++] = digits[fp[i] >> 4];
        out[o++] = digits[fp[i] & 0xf];
        out[o++] = i + 1 < RF_HTTP_FP_LEN ? ':' : '\0';
    }
}

/* Copies a JSON string member of obj into out (cut to size); "" when absent or not one. */
static void
copy_str(json_object *obj, const char *key, char *out, size_t size)
{
    json_object *val;

    if (json_object_object_get_ex(obj, key, &val) && json_object_is_type(val, json_type_string)) {
        snprintf(out, size, "%s", json_object_get_string(val));
    }
}

int
rf_http_rferror_is(const struct rf_http_rferror *e, const char *name)
{
    const char *dot = strrchr(e->message_id, '.');

    return strcmp(dot != NULL ? dot + 1 : e->message_id, name) == 0;
}

/* Reads ServiceTemporarilyUnavailable and its seconds argument from one message entry. */
static void
rferror_retry(json_object *entry, struct rf_http_rferror *out)
{
    json_object *args, *first;
    int64_t secs;

    if (!rf_http_rferror_is(out, "ServiceTemporarilyUnavailable")) {
        return;
    }
    out->retry = 1;
    if (entry != NULL && json_object_object_get_ex(entry, "MessageArgs", &args) &&
        json_object_is_type(args, json_type_array) && json_object_array_length(args) > 0) {
        first = json_object_array_get_idx(args, 0);
        if (json_object_is_type(first, json_type_string) &&
            rw_parse_i64(json_object_get_string(first), 0, RF_HTTP_RETRY_AFTER_MAX, &secs) ==
                RW_OK) {
            out->retry_s = secs;
        }
    }
}

/* Fills out from a parsed {"error": {...}} document. */
static void
rferror_from(json_object *root, struct rf_http_rferror *out)
{
    json_object *error, *ext, *entry = NULL;

    if (!json_object_object_get_ex(root, "error", &error) ||
        !json_object_is_type(error, json_type_object)) {
        return;
    }
    if (json_object_object_get_ex(error, "@Message.ExtendedInfo", &ext) &&
        json_object_is_type(ext, json_type_array) && json_object_array_length(ext) > 0) {
        entry = json_object_array_get_idx(ext, 0);
        if (!json_object_is_type(entry, json_type_object)) {
            entry = NULL;
        }
    }
    if (entry != NULL) {
        copy_str(entry, "Message", out->message, sizeof(out->message));
        copy_str(entry, "MessageId", out->message_id, sizeof(out->message_id));
    }
    if (out->message[0] == '\0') {
        copy_str(error, "message", out->message, sizeof(out->message));
    }
    if (out->message_id[0] == '\0') {
        copy_str(error, "code", out->message_id, sizeof(out->message_id));
    }
    rferror_retry(entry, out);
}

void
rf_http_rferror_parse(const char *body, size_t len, struct rf_http_rferror *out)
{
    json_tokener *tok;
    json_object *root;

    out->message[0] = '\0';
    out->message_id[0] = '\0';
    out->retry = 0;
    out->retry_s = -1;
    if (body == NULL || len == 0 || len > INT32_MAX) {
        return;
    }
    tok = json_tokener_new_ex(RF_JSON_DEPTH);
    if (tok == NULL) {
        return;
    }
    root = json_tokener_parse_ex(tok, body, (int)len);
    if (root != NULL && json_tokener_get_error(tok) == json_tokener_success) {
        rferror_from(root, out);
    }
    json_object_put(root);
    json_tokener_free(tok);
}

/* One row of the libcurl result table. */
struct curl_class {
    CURLcode code;
    enum rw_rc rc;
};

static const struct curl_class curl_classes[] = {
    {CURLE_COULDNT_RESOLVE_HOST, RW_ECONNECT},
    {CURLE_COULDNT_RESOLVE_PROXY, RW_ECONNECT},
    {CURLE_COULDNT_CONNECT, RW_ECONNECT},
    {CURLE_SEND_ERROR, RW_ECONNECT},
    {CURLE_RECV_ERROR, RW_ECONNECT},
    {CURLE_GOT_NOTHING, RW_ECONNECT},
    {CURLE_PARTIAL_FILE, RW_ECONNECT},
    {CURLE_OPERATION_TIMEDOUT, RW_ETIMEOUT},
    {CURLE_SSL_CONNECT_ERROR, RW_ETLS},
    {CURLE_PEER_FAILED_VERIFICATION, RW_ETLS},
    {CURLE_SSL_CACERT_BADFILE, RW_ETLS},
    {CURLE_SSL_CERTPROBLEM, RW_ETLS},
    {CURLE_SSL_CIPHER, RW_ETLS},
    {CURLE_SSL_ISSUER_ERROR, RW_ETLS},
    {CURLE_SSL_PINNEDPUBKEYNOTMATCH, RW_ETLS},
    {CURLE_SSL_CRL_BADFILE, RW_ETLS},
    {CURLE_SSL_SHUTDOWN_FAILED, RW_ETLS},
    {CURLE_SSL_INVALIDCERTSTATUS, RW_ETLS},
    {CURLE_USE_SSL_FAILED, RW_ETLS},
    {CURLE_FILESIZE_EXCEEDED, RW_ETOOBIG},
    {CURLE_WEIRD_SERVER_REPLY, RW_EPARSE},
    {CURLE_BAD_CONTENT_ENCODING, RW_EPARSE},
    {CURLE_HTTP2, RW_EPARSE},
    {CURLE_OUT_OF_MEMORY, RW_ENOMEM},
    {CURLE_URL_MALFORMAT, RW_EINVAL},
    {CURLE_UNSUPPORTED_PROTOCOL, RW_EINVAL},
};

enum rw_rc
rf_http_classify_curl(CURLcode code)
{
    size_t i;

    for (i = 0; i < sizeof(curl_classes) / sizeof(curl_classes[0]); i++) {
        if (curl_classes[i].code == code) {
            return curl_classes[i].rc;
        }
    }
    return code == CURLE_OK ? RW_OK : RW_ECONNECT;
}

enum rw_rc
rf_http_classify_status(long status)
{
    return status >= 200 && status <= 299 ? RW_OK : RW_EHTTP;
}

#define RF_BASIC_PREFIX   "Authorization: Basic "
#define RF_BASIC_CRED_MAX 1024

enum rw_rc
rf_http_basic_header(const char *user, const char *pass, char **out, struct rw_err *err)
{
    size_t ulen = strlen(user), plen = strlen(pass), plain_len = ulen + 1 + plen;
    size_t prefix = sizeof(RF_BASIC_PREFIX) - 1;
    unsigned char *plain;
    char *line;

    if (strchr(user, ':') != NULL) {
        return rw_err_set(err, RW_EINVAL, "a username for Basic authentication has no colon");
    }
    if (ulen > RF_BASIC_CRED_MAX || plen > RF_BASIC_CRED_MAX) {
        return rw_err_set(err, RW_EINVAL, "username or password longer than %d bytes",
                          RF_BASIC_CRED_MAX);
    }
    plain = malloc(plain_len);
    line = malloc(prefix + 4 * ((plain_len + 2) / 3) + 1);
    if (plain == NULL || line == NULL) {
        free(plain);
        free(line);
        return rw_err_set(err, RW_ENOMEM, "out of memory");
    }
    memcpy(plain, user, ulen);
    plain[ulen] = ':';
    memcpy(plain + ulen + 1, pass, plen);
    memcpy(line, RF_BASIC_PREFIX, prefix);
    (void)EVP_EncodeBlock((unsigned char *)line + prefix, plain, (int)plain_len);
    memset(plain, 0, plain_len);
    free(plain);
    *out = line;
    return RW_OK;
}

#include "rw_cert.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define NAME_MAX_LEN 1024 /* kept subject/issuer strings, bytes */
#define SAN_MAX      100  /* SANs kept per certificate */
#define SAN_TEXT_MAX 256

struct cert_san {
    enum rw_san_kind kind;
    char *value;
};

struct rw_cert {
    X509 *x509;
    char *subject;
    char *issuer;
    time_t not_before;
    time_t not_after;
    struct rw_fingerprint fp;
    char fp_text[RW_FINGERPRINT_TEXT_MAX];
    size_t nsans;
    struct cert_san sans[SAN_MAX];
};

struct rw_cert_chain {
    size_t count;
    struct rw_cert *certs[RW_CHAIN_MAX];
};

static int
hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Skips a "sha256:" prefix; RW_EPARSE when another digest name is given. */
static enum rw_rc
skip_digest_prefix(const char *text, const char **rest, struct rw_err *err)
{
    const char *colon = strchr(text, ':');
    const char *p;
    int named = 0;

    *rest = text;
    if (strncasecmp(text, "sha256:", 7) == 0) {
        *rest = text + 7;
        return RW_OK;
    }
    if (colon == NULL) {
        return RW_OK;
    }
    /* A word with letters beyond a-f before the colon names a digest ("sha1:"). */
    for (p = text; p < colon; p++) {
        int letter = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z');

        if (!letter && !(*p >= '0' && *p <= '9') && *p != '-') {
            return RW_OK;
        }
        named = named || (letter && hex_value(*p) < 0);
    }
    if (named) {
        return rw_err_set(err, RW_EPARSE,
                          "fingerprint \"%.80s\": unknown digest \"%.*s\" (want sha256)", text,
                          (int)(colon - text), text);
    }
    return RW_OK;
}

enum rw_rc
rw_fingerprint_parse(const char *text, struct rw_fingerprint *out, struct rw_err *err)
{
    struct rw_fingerprint fp;
    const char *p;
    size_t digits = 0;

    if (text == NULL || text[0] == '\0') {
        return rw_err_set(err, RW_EPARSE, "fingerprint is empty");
    }
    if (skip_digest_prefix(text, &p, err) != RW_OK) {
        return RW_EPARSE;
    }
    memset(&fp, 0, sizeof(fp));
    for (; *p != '\0'; p++) {
        int v = hex_value(*p);

        if (*p == ':') {
            continue;
        }
        if (v < 0) {
            return rw_err_set(err, RW_EPARSE, "fingerprint \"%.80s\": '%c' is not a hex digit",
                              text, *p >= 0x20 && *p < 0x7f ? *p : '?');
        }
        if (digits < 2 * RW_FINGERPRINT_LEN) {
            fp.sha256[digits / 2] |= (unsigned char)(digits % 2 == 0 ? v << 4 : v);
        }
        digits++;
    }
    if (digits != 2 * RW_FINGERPRINT_LEN) {
        return rw_err_set(err, RW_EPARSE,
                          "fingerprint \"%.80s\": %zu hex digits, want 64 (SHA-256)", text, digits);
    }
    *out = fp;
    return RW_OK;
}

void
rw_fingerprint_format(const struct rw_fingerprint *fp, char out[RW_FINGERPRINT_TEXT_MAX])
{
    static const char hex[] = "0123456789ABCDEF";
    char *p = out;

    memcpy(p, "sha256:", 7);
    p += 7;
    for (size_t i = 0; i < RW_FINGERPRINT_LEN; i++) {
        if (i > 0) {
            *p++ = ':';
        }
        *p++ = hex[fp->sha256[i] >> 4];
        *p++ = hex[fp->sha256[i] & 0xf];
    }
    *p = '\0';
}

int
rw_fingerprint_equal(const struct rw_fingerprint *a, const struct rw_fingerprint *b)
{
    return memcmp(a->sha256, b->sha256, sizeof(a->sha256)) == 0;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (m 1..12). */
static long
days_from_civil(long y, long m, long d)
{
    long era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static enum rw_rc
asn1_to_time(const ASN1_TIME *t, time_t *out, struct rw_err *err)
{
    struct tm tm;

    memset(&tm, 0, sizeof(tm));
    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1) {
        return rw_err_set(err, RW_EPARSE, "certificate has an unreadable validity date");
    }
    *out = (time_t)days_from_civil(tm.tm_year + 1900L, tm.tm_mon + 1L, tm.tm_mday) * 86400 +
           tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
    return RW_OK;
}

/* The name as an RFC 2253 string of at most NAME_MAX_LEN bytes; NULL on ENOMEM. */
static char *
name_text(const X509_NAME *name)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *text = NULL;
    char *data = NULL;
    long len;

    if (bio == NULL) {
        return NULL;
    }
    if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) < 0) {
        goto fail;
    }
    len = BIO_get_mem_data(bio, &data);
    if (len < 0) {
        goto fail;
    }
    if (len > NAME_MAX_LEN) {
        len = NAME_MAX_LEN;
    }
    text = malloc((size_t)len + 1);
    if (text != NULL) {
        memcpy(text, data, (size_t)len);
        text[len] = '\0';
    }
fail:
    BIO_free(bio);
    return text;
}

/* Copies len bytes of data as a string into *out; RW_ENOMEM. */
static enum rw_rc
dup_text(const void *data, size_t len, char **out)
{
    *out = malloc(len + 1);
    if (*out == NULL) {
        return RW_ENOMEM;
    }
    memcpy(*out, data, len);
    (*out)[len] = '\0';
    return RW_OK;
}

/* The SAN as text in *out, or *out NULL for malformed values (skipped); RW_ENOMEM. */
static enum rw_rc
san_text(const GENERAL_NAME *gn, enum rw_san_kind *kind, char **out)
{
    char buf[SAN_TEXT_MAX];
    const unsigned char *data;
    int len;

    *out = NULL;
    if (gn->type == GEN_DNS) {
        data = ASN1_STRING_get0_data(gn->d.dNSName);
        len = ASN1_STRING_length(gn->d.dNSName);
        if (len <= 0 || len >= SAN_TEXT_MAX || memchr(data, '\0', (size_t)len) != NULL) {
            return RW_OK;
        }
        *kind = RW_SAN_DNS;
        return dup_text(data, (size_t)len, out);
    }
    data = ASN1_STRING_get0_data(gn->d.iPAddress);
    len = ASN1_STRING_length(gn->d.iPAddress);
    if ((len != 4 && len != 16) ||
        inet_ntop(len == 4 ? AF_INET : AF_INET6, data, buf, sizeof(buf)) == NULL) {
        return RW_OK;
    }
    *kind = RW_SAN_IP;
    return dup_text(buf, strlen(buf), out);
}

/* Keeps the DNS and IP SANs, at most SAN_MAX of them. */
static enum rw_rc
collect_sans(struct rw_cert *cert, struct rw_err *err)
{
    GENERAL_NAMES *names = X509_get_ext_d2i(cert->x509, NID_subject_alt_name, NULL, NULL);
    enum rw_rc rc = RW_OK;
    int n = names != NULL ? sk_GENERAL_NAME_num(names) : 0;

    for (int i = 0; i < n && cert->nsans < SAN_MAX && rc == RW_OK; i++) {
        const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);
        struct cert_san *san = &cert->sans[cert->nsans];

        if (gn->type != GEN_DNS && gn->type != GEN_IPADD) {
            continue;
        }
        rc = san_text(gn, &san->kind, &san->value);
        if (san->value != NULL) {
            cert->nsans++;
        }
    }
    GENERAL_NAMES_free(names);
    return rc == RW_OK ? RW_OK : rw_err_set(err, rc, "out of memory for certificate names");
}

static enum rw_rc
fill_facts(struct rw_cert *cert, struct rw_err *err)
{
    unsigned int mdlen = 0;

    cert->subject = name_text(X509_get_subject_name(cert->x509));
    cert->issuer = name_text(X509_get_issuer_name(cert->x509));
    if (cert->subject == NULL || cert->issuer == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory for certificate names");
    }
    if (asn1_to_time(X509_get0_notBefore(cert->x509), &cert->not_before, err) != RW_OK ||
        asn1_to_time(X509_get0_notAfter(cert->x509), &cert->not_after, err) != RW_OK) {
        return RW_EPARSE;
    }
    if (X509_digest(cert->x509, EVP_sha256(), cert->fp.sha256, &mdlen) != 1 ||
        mdlen != RW_FINGERPRINT_LEN) {
        return rw_err_set(err, RW_EPARSE, "cannot compute the certificate's SHA-256");
    }
    rw_fingerprint_format(&cert->fp, cert->fp_text);
    return collect_sans(cert, err);
}

enum rw_rc
rw_cert_from_x509(struct x509_st *x509, struct rw_cert **out, struct rw_err *err)
{
    struct rw_cert *cert = calloc(1, sizeof(*cert));
    enum rw_rc rc;

    if (cert == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory for a certificate");
    }
    if (X509_up_ref(x509) != 1) {
        free(cert);
        return rw_err_set(err, RW_ENOMEM, "cannot reference the certificate");
    }
    cert->x509 = x509;
    rc = fill_facts(cert, err);
    if (rc != RW_OK) {
        rw_cert_free(cert);
        return rc;
    }
    *out = cert;
    return RW_OK;
}

void
rw_cert_free(struct rw_cert *cert)
{
    if (cert == NULL) {
        return;
    }
    for (size_t i = 0; i < cert->nsans; i++) {
        free(cert->sans[i].value);
    }
    free(cert->subject);
    free(cert->issuer);
    X509_free(cert->x509);
    free(cert);
}

const char *
rw_cert_subject(const struct rw_cert *cert)
{
    return cert->subject;
}

const char *
rw_cert_issuer(const struct rw_cert *cert)
{
    return cert->issuer;
}

time_t
rw_cert_not_before(const struct rw_cert *cert)
{
    return cert->not_before;
}

time_t
rw_cert_not_after(const struct rw_cert *cert)
{
    return cert->not_after;
}

double
rw_cert_days_left(const struct rw_cert *cert, time_t now)
{
    return (double)(cert->not_after - now) / 86400.0;
}

const struct rw_fingerprint *
rw_cert_fingerprint(const struct rw_cert *cert)
{
    return &cert->fp;
}

const char *
rw_cert_fingerprint_text(const struct rw_cert *cert)
{
    return cert->fp_text;
}

size_t
rw_cert_san_count(const struct rw_cert *cert)
{
    return cert->nsans;
}

const char *
rw_cert_san(const struct rw_cert *cert, size_t i, enum rw_san_kind *kind)
{
    if (i >= cert->nsans) {
        return NULL;
    }
    if (kind != NULL) {
        *kind = cert->sans[i].kind;
    }
    return cert->sans[i].value;
}

int
rw_cert_matches_host(const struct rw_cert *cert, const char *name)
{
    unsigned char addr[16];

    if (name == NULL || name[0] == '\0') {
        return 0;
    }
    if (inet_pton(AF_INET, name, addr) == 1 || inet_pton(AF_INET6, name, addr) == 1) {
        return X509_check_ip_asc(cert->x509, name, 0) == 1;
    }
    return X509_check_host(cert->x509, name, strlen(name), 0, NULL) == 1;
}

struct x509_st *
rw_cert_x509(const struct rw_cert *cert)
{
    return cert->x509;
}

enum rw_rc
rw_cert_chain_new(struct rw_cert_chain **out, struct rw_err *err)
{
    *out = calloc(1, sizeof(**out));
    if (*out == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory for a certificate chain");
    }
    return RW_OK;
}

void
rw_cert_chain_free(struct rw_cert_chain *chain)
{
    if (chain == NULL) {
        return;
    }
    for (size_t i = 0; i < chain->count; i++) {
        rw_cert_free(chain->certs[i]);
    }
    free(chain);
}

enum rw_rc
rw_cert_chain_take(struct rw_cert_chain *chain, struct rw_cert *cert, struct rw_err *err)
{
    if (chain->count == RW_CHAIN_MAX) {
        rw_cert_free(cert);
        return rw_err_set(err, RW_ETOOBIG, "more than %d certificates in a chain", RW_CHAIN_MAX);
    }
    chain->certs[chain->count++] = cert;
    return RW_OK;
}

size_t
rw_cert_chain_count(const struct rw_cert_chain *chain)
{
    return chain->count;
}

const struct rw_cert *
rw_cert_chain_get(const struct rw_cert_chain *chain, size_t i)
{
    return i < chain->count ? chain->certs[i] : NULL;
}

/* Reads the next certificate of bio into chain; *done at the end of the text. */
static enum rw_rc
read_one_pem(BIO *bio, struct rw_cert_chain *chain, const char *name, int *done, struct rw_err *err)
{
    X509 *x509;
    struct rw_cert *cert = NULL;
    const char *reason;
    unsigned long e;
    enum rw_rc rc;

    ERR_clear_error();
    x509 = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    if (x509 == NULL) {
        e = ERR_peek_last_error();
        if (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE) {
            ERR_clear_error();
            *done = 1;
            return RW_OK;
        }
        reason = ERR_reason_error_string(e);
        rc = rw_err_set(err, RW_EPARSE, "%s: certificate %zu is broken: %s", name, chain->count + 1,
                        reason != NULL ? reason : "unknown error");
        ERR_clear_error();
        return rc;
    }
    if (chain->count == RW_CHAIN_MAX) {
        X509_free(x509);
        return rw_err_set(err, RW_ETOOBIG, "%s: more than %d certificates", name, RW_CHAIN_MAX);
    }
    rc = rw_cert_from_x509(x509, &cert, err);
    X509_free(x509);
    if (rc != RW_OK) {
        return rc;
    }
    return rw_cert_chain_take(chain, cert, err);
}

enum rw_rc
rw_cert_chain_from_pem(const char *pem, size_t len, const char *name, struct rw_cert_chain **out,
                       struct rw_err *err)
{
    struct rw_cert_chain *chain = NULL;
    BIO *bio = NULL;
    enum rw_rc rc;
    int done = 0;

    if (len > RW_PEM_FILE_MAX) {
        return rw_err_set(err, RW_ETOOBIG, "%s: larger than %d bytes", name, RW_PEM_FILE_MAX);
    }
    rc = rw_cert_chain_new(&chain, err);
    if (rc != RW_OK) {
        return rc;
    }
    bio = BIO_new_mem_buf(pem, (int)len);
    if (bio == NULL) {
        rc = rw_err_set(err, RW_ENOMEM, "out of memory reading %s", name);
        goto fail;
    }
    while (!done) {
        rc = read_one_pem(bio, chain, name, &done, err);
        if (rc != RW_OK) {
            goto fail;
        }
    }
    if (chain->count == 0) {
        rc = rw_err_set(err, RW_EPARSE, "%s: no PEM certificate found", name);
        goto fail;
    }
    BIO_free(bio);
    *out = chain;
    return RW_OK;
fail:
    BIO_free(bio);
    rw_cert_chain_free(chain);
    return rc;
}

/* Reads at most max + 1 bytes of fd into a new buffer; *len is what was read. */
static enum rw_rc
read_capped(int fd, const char *path, size_t max, char **out, size_t *len, struct rw_err *err)
{
    char *buf = malloc(max + 1);
    size_t have = 0;

    if (buf == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory reading %s", path);
    }
    while (have <= max) {
        ssize_t n = read(fd, buf + have, max + 1 - have);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            free(buf);
            return rw_err_set(err, RW_EINVAL, "%s: %s", path, strerror(errno));
        }
        if (n == 0) {
            break;
        }
        have += (size_t)n;
    }
    *out = buf;
    *len = have;
    return RW_OK;
}

enum rw_rc
rw_cert_chain_load_pem(const char *path, struct rw_cert_chain **out, struct rw_err *err)
{
    char *text = NULL;
    size_t len = 0;
    enum rw_rc rc;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        return rw_err_set(err, RW_EINVAL, "%s: %s", path, strerror(errno));
    }
    rc = read_capped(fd, path, RW_PEM_FILE_MAX, &text, &len, err);
    (void)close(fd);
    if (rc == RW_OK) {
        rc = rw_cert_chain_from_pem(text, len, path, out, err);
    }
    free(text);
    return rc;
}

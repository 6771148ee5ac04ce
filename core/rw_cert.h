/*
 * rw_cert: facts about X.509 certificates (OpenSSL underneath): subject, issuer,
 * subject alternative names, validity, SHA-256 fingerprint; fingerprints as users
 * write them; PEM files; certificate chains.
 *
 * Fingerprint text form: "sha256:AB:CD:..." (32 upper-case hex pairs, colon separated).
 * Users may write it with or without the "sha256:" prefix (any case), with or without
 * colons, in any case: exactly 64 hex digits are required.
 */
#ifndef RW_CERT_H
#define RW_CERT_H

#include <stddef.h>
#include <time.h>

#include "rw_err.h"

#define RW_FINGERPRINT_LEN      32
#define RW_FINGERPRINT_TEXT_MAX 104 /* "sha256:" + 32 * 3 - 1 + NUL, rounded up */
#define RW_PEM_FILE_MAX         (100 * 1024)
#define RW_CHAIN_MAX            10

/* A SHA-256 fingerprint; a small value type. */
struct rw_fingerprint {
    unsigned char sha256[RW_FINGERPRINT_LEN];
};

enum rw_san_kind {
    RW_SAN_DNS = 0,
    RW_SAN_IP,
};

struct rw_cert;       /* one certificate with its facts, opaque */
struct rw_cert_chain; /* a list of at most RW_CHAIN_MAX certificates, leaf first */
struct x509_st;       /* OpenSSL's X509 */

/*
 * Parses a user-given fingerprint into *out (see the form above).  RW_EPARSE with a
 * message naming the text and what is wrong; *out is written only on success.
 */
RW_MUSTCHECK enum rw_rc rw_fingerprint_parse(const char *text, struct rw_fingerprint *out,
                                             struct rw_err *err);

/* Writes the canonical "sha256:AB:CD:..." form into out (RW_FINGERPRINT_TEXT_MAX bytes). */
void rw_fingerprint_format(const struct rw_fingerprint *fp, char out[RW_FINGERPRINT_TEXT_MAX]);

/* 1 when a and b are the same fingerprint, else 0. */
int rw_fingerprint_equal(const struct rw_fingerprint *a, const struct rw_fingerprint *b);

/*
 * A certificate from an OpenSSL X509: takes a reference of its own (the caller keeps
 * its reference).  The caller frees *out with rw_cert_free().  RW_ENOMEM, or RW_EPARSE
 * when the certificate cannot be encoded.
 */
RW_MUSTCHECK enum rw_rc rw_cert_from_x509(struct x509_st *x509, struct rw_cert **out,
                                          struct rw_err *err);

/* Frees cert; NULL does nothing. */
void rw_cert_free(struct rw_cert *cert);

/* The subject as a one-line RFC 2253 string (at most 1 KiB); borrowed from cert. */
const char *rw_cert_subject(const struct rw_cert *cert);

/* The issuer, as rw_cert_subject(). */
const char *rw_cert_issuer(const struct rw_cert *cert);

/* The start of the validity period (notBefore) as a time_t. */
time_t rw_cert_not_before(const struct rw_cert *cert);

/* The end of the validity period (notAfter) as a time_t. */
time_t rw_cert_not_after(const struct rw_cert *cert);

/* Fractional days from now until notAfter; negative once expired. */
double rw_cert_days_left(const struct rw_cert *cert, time_t now);

/* The SHA-256 fingerprint of the DER encoding; borrowed from cert. */
const struct rw_fingerprint *rw_cert_fingerprint(const struct rw_cert *cert);

/* The fingerprint in canonical text form; borrowed from cert. */
const char *rw_cert_fingerprint_text(const struct rw_cert *cert);

/* The number of DNS and IP subject alternative names (others are not kept). */
size_t rw_cert_san_count(const struct rw_cert *cert);

/*
 * The i-th SAN (i < rw_cert_san_count()): DNS name or IP address in text form
 * ("192.0.2.1", "::1"), borrowed from cert; its kind in *kind (may be NULL).
 */
const char *rw_cert_san(const struct rw_cert *cert, size_t i, enum rw_san_kind *kind);

/*
 * Checks the certificate against the name a user asked for: an IP literal with
 * X509_check_ip_asc, anything else as a DNS name with X509_check_host (wildcards as
 * OpenSSL allows them).  1 match, 0 no match.
 */
int rw_cert_matches_host(const struct rw_cert *cert, const char *name);

/* The OpenSSL certificate, borrowed from cert (for chain verification by callers). */
struct x509_st *rw_cert_x509(const struct rw_cert *cert);

/* An empty chain; the caller frees it with rw_cert_chain_free().  RW_ENOMEM. */
RW_MUSTCHECK enum rw_rc rw_cert_chain_new(struct rw_cert_chain **out, struct rw_err *err);

/* Frees the chain and every certificate in it; NULL does nothing. */
void rw_cert_chain_free(struct rw_cert_chain *chain);

/* Appends cert; the chain takes ownership, even on failure.  RW_ETOOBIG past RW_CHAIN_MAX. */
RW_MUSTCHECK enum rw_rc rw_cert_chain_take(struct rw_cert_chain *chain, struct rw_cert *cert,
                                           struct rw_err *err);

/* The number of certificates in chain. */
size_t rw_cert_chain_count(const struct rw_cert_chain *chain);

/* The i-th certificate (0 is the leaf), borrowed from chain; NULL when i is out of range. */
const struct rw_cert *rw_cert_chain_get(const struct rw_cert_chain *chain, size_t i);

/*
 * Loads every certificate of PEM text (len bytes, need not be NUL-terminated) into a
 * new chain in file order.  name is used in messages.  RW_ETOOBIG past RW_PEM_FILE_MAX
 * bytes or RW_CHAIN_MAX certificates, RW_EPARSE for text that holds no certificate or
 * a broken one; the caller frees *out.
 */
RW_MUSTCHECK enum rw_rc rw_cert_chain_from_pem(const char *pem, size_t len, const char *name,
                                               struct rw_cert_chain **out, struct rw_err *err);

/* As rw_cert_chain_from_pem() for the file at path (RW_EINVAL when unreadable). */
RW_MUSTCHECK enum rw_rc rw_cert_chain_load_pem(const char *path, struct rw_cert_chain **out,
                                               struct rw_err *err);

#endif

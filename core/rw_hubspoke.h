/*
 * rw_hubspoke: the status of a spoke in a hub/spoke rack power manager, in the product's
 * own words (DESIGN.md, "The hub/spoke model"), and the checks that decide it.  Shared by
 * the plugins, the daemon and the registration helper; it does no I/O of its own.
 *
 * A spoke gets exactly one status.  Checks may finish in any order (probes run
 * concurrently), so a result keeps the failure of the EARLIEST stage whatever the call
 * order: liveness (Not responding) before identity/version (Invalid Server..., Versions
 * Not Compatible) before certificates (Certificates Do Not Match).  Within a stage the
 * first failure recorded wins.
 *
 * Reading a server's identity and version is a small state machine, transport-agnostic:
 * rw_hubspoke_reader_next() says which path to GET, the caller fetches it (rf_client,
 * libcurl, anything) and hands the outcome to rw_hubspoke_reader_feed():
 *   GET /redfish/v1/            a JSON service root (@odata.id or RedfishVersion), whose
 *                               Product or Vendor matches the product regex when one is set
 *   GET COLLECTION              only when the version URL ends in "/{first}": its first
 *                               Members[] @odata.id
 *   GET VERSION URL             the version at a JSON pointer (a string, or a number)
 *
 * Caps: JSON bodies RW_HUBSPOKE_JSON_MAX bytes and RW_HUBSPOKE_JSON_DEPTH deep; kept
 * strings are cut to their fields' sizes.
 */
#ifndef RW_HUBSPOKE_H
#define RW_HUBSPOKE_H

#include <regex.h>
#include <stddef.h>

#include "rw_cert.h"
#include "rw_err.h"
#include "rw_known_spokes.h"
#include "rw_tls.h"
#include "rw_url.h"
#include "rw_version.h"

#define RW_HUBSPOKE_JSON_MAX        (1024 * 1024)
#define RW_HUBSPOKE_JSON_DEPTH      32
#define RW_HUBSPOKE_DETAIL_MAX      1024
#define RW_HUBSPOKE_NAME_MAX        128
#define RW_HUBSPOKE_PATH_MAX        512
#define RW_HUBSPOKE_DEFAULT_ROOT    "/redfish/v1/"
#define RW_HUBSPOKE_DEFAULT_VERSION "/redfish/v1/Managers/{first}"
#define RW_HUBSPOKE_DEFAULT_POINTER "/FirmwareVersion"
#define RW_HUBSPOKE_PINS_MAX        32

/* The five statuses; rw_spoke_status_name() gives the product's wording. */
enum rw_spoke_status {
    RW_SPOKE_OK = 0,
    RW_SPOKE_NOT_RESPONDING,
    RW_SPOKE_VERSIONS_INCOMPATIBLE,
    RW_SPOKE_CERTS_MISMATCH,
    RW_SPOKE_INVALID_SERVER,
};
#define RW_SPOKE_STATUS_COUNT 5

/* Certificate expiry against the warning and critical windows. */
enum rw_expiry {
    RW_EXPIRY_OK = 0,
    RW_EXPIRY_WARNING,
    RW_EXPIRY_CRITICAL,
};

/* Certificate policies (DESIGN.md); names as in configuration and on the command line. */
enum rw_cert_rule {
    RW_CERT_IDENTICAL = 0, /* hub and spoke present the same leaf (SHA-256) */
    RW_CERT_SAME_ISSUER,   /* both chains verify against the configured CA file */
    RW_CERT_PINNED,        /* each leaf is one of the pins */
    RW_CERT_REGISTERED,    /* the spoke's leaf is its entry in the known-spokes file */
};

/* What to check about certificates; everything borrowed for the call. */
struct rw_cert_policy {
    enum rw_cert_rule rule;
    const struct rw_fingerprint *pins; /* RW_CERT_PINNED */
    size_t n_pins;
    const struct rw_known_spokes *known; /* RW_CERT_REGISTERED */
    const char *known_path;              /* for messages */
    const char *ca_file; /* the chains were verified against it; NULL: chains not judged */
    int check_host;      /* 1: a leaf that does not match its host name fails */
    double warn_days;    /* expiry windows: fewer days left than these alert */
    double crit_days;
};

/* One spoke's verdict and the facts behind it (caller's storage; a value type). */
struct rw_hubspoke_result {
    enum rw_spoke_status status;
    char detail[RW_HUBSPOKE_DETAIL_MAX];          /* one sentence: server, expected, found */
    enum rw_expiry expiry;                        /* the worse of the two leaves */
    char expiry_text[RW_HUBSPOKE_DETAIL_MAX / 4]; /* "spoke certificate expires in 9.9 days" */
    double time_s;                                /* the spoke's response time, -1 unknown */
    double spoke_days;                            /* days left on the spoke's leaf; NAN unknown */
    double hub_days;                              /* on the hub's leaf; NAN unknown */
    char spoke_fp[RW_FINGERPRINT_TEXT_MAX];       /* "" unknown */
    char hub_fp[RW_FINGERPRINT_TEXT_MAX];
    char version[RW_VERSION_TEXT_MAX]; /* the spoke's version as read, "" unknown */
};

/* What a reader looks for; strings borrowed for the reader's life. */
struct rw_hubspoke_read_opts {
    const regex_t *product;      /* NULL: Product/Vendor not checked */
    const char *product_text;    /* the regex as written, for messages */
    const char *version_url;     /* NULL: RW_HUBSPOKE_DEFAULT_VERSION; "": no version read */
    const char *version_pointer; /* NULL: RW_HUBSPOKE_DEFAULT_POINTER */
};

/* What a GET brought back, for rw_hubspoke_reader_feed(); borrowed for the call. */
struct rw_hubspoke_reply {
    enum rw_rc rc;    /* RW_OK: a 2xx reply; else the transport's classification */
    long status;      /* the HTTP status, 0 when no reply came */
    const char *msg;  /* the transport's message when rc != RW_OK */
    const char *body; /* the body (need not be NUL-terminated) */
    size_t len;
};

struct rw_hubspoke_reader; /* opaque */
struct json_object;        /* json-c's */

/* 1 when path may be requested: starts with '/', printable ASCII without space, fits. */
int rw_hubspoke_path_ok(const char *path);

/*
 * Parses a whole JSON document of len bytes (white space may follow), at most
 * RW_HUBSPOKE_JSON_MAX bytes and RW_HUBSPOKE_JSON_DEPTH deep.  NULL when it is not JSON
 * (or out of memory); the caller releases the result with json_object_put().
 */
struct json_object *rw_hubspoke_json_parse(const char *body, size_t len);

/* The string member key of obj, or NULL (borrowed from obj). */
const char *rw_hubspoke_json_str(struct json_object *obj, const char *key);

/* The product's wording: "OK", "Not responding", ...; "Invalid status" out of range. */
const char *rw_spoke_status_name(enum rw_spoke_status status);

/* The status for its product wording (exact, case-sensitive).  RW_EINVAL otherwise. */
RW_MUSTCHECK enum rw_rc rw_spoke_status_parse(const char *text, enum rw_spoke_status *out,
                                              struct rw_err *err);

/* "identical", "same-issuer", "pinned", "registered". */
const char *rw_cert_rule_name(enum rw_cert_rule rule);

/* Parses a rule name.  RW_EINVAL naming the text and the choices. */
RW_MUSTCHECK enum rw_rc rw_cert_rule_parse(const char *text, enum rw_cert_rule *out,
                                           struct rw_err *err);

/* An OK result with no facts (times -1, days NAN).  Cannot fail. */
void rw_hubspoke_result_init(struct rw_hubspoke_result *res);

/*
 * Records a failure with its status (not RW_SPOKE_OK) and detail, unless the result
 * already holds a failure of the same or an earlier stage (see above).
 */
void rw_hubspoke_fail(struct rw_hubspoke_result *res, enum rw_spoke_status status, const char *fmt,
                      ...) RW_PRINTF(3, 4);

/* The expiry level of days left under the windows: below crit (or expired) CRITICAL. */
enum rw_expiry rw_hubspoke_expiry(double days, double warn_days, double crit_days);

/*
 * Judges the certificates hub and spoke presented (results of rw_tls_probe_many() whose
 * rc is RW_OK) under policy, and records in res: the fingerprints, days left, the
 * expiry level with its text, and RW_SPOKE_CERTS_MISMATCH with a detail naming both
 * servers (hub_name, spoke_name: "host:port"), the fingerprints found and expected,
 * subjects and issuers -- or the verification or host-name reason.  spoke_host and
 * spoke_port are the spoke's known-spokes key.  A side without a chain is not judged.
 */
void rw_hubspoke_check_certs(const struct rw_cert_policy *policy, const char *hub_name,
                             const struct rw_tls_result *hub, const char *spoke_name,
                             const char *spoke_host, int spoke_port,
                             const struct rw_tls_result *spoke, struct rw_hubspoke_result *res);

/*
 * Compares the versions read from hub and spoke under policy.  An unparsable spoke
 * version is RW_SPOKE_INVALID_SERVER; versions that break the policy are
 * RW_SPOKE_VERSIONS_INCOMPATIBLE with rw_version_check()'s verdict; an unparsable hub
 * version is reported as RW_SPOKE_INVALID_SERVER naming the hub.  res->version is set.
 */
void rw_hubspoke_check_versions(const struct rw_version_policy *policy, const char *hub_name,
                                const char *hub_version, const char *spoke_name,
                                const char *spoke_version, struct rw_hubspoke_result *res);

/*
 * Parses an AggregationSource's HostName as hubs write it -- "https://h:p", "h:p",
 * "[v6]:p", "h", "v6" -- into *out (port 443 unless written).  RW_EPARSE.
 */
RW_MUSTCHECK enum rw_rc rw_hubspoke_hostname_parse(const char *text, struct rw_url *out,
                                                   struct rw_err *err);

/*
 * A reader for one server; opts is borrowed for its life.  RW_EINVAL for a version URL
 * or pointer that is not an absolute path, RW_ENOMEM.  Free with rw_hubspoke_reader_free().
 */
RW_MUSTCHECK enum rw_rc rw_hubspoke_reader_new(const struct rw_hubspoke_read_opts *opts,
                                               struct rw_hubspoke_reader **out, struct rw_err *err);

/* Frees reader; NULL does nothing. */
void rw_hubspoke_reader_free(struct rw_hubspoke_reader *reader);

/* The path to GET next (borrowed from reader until the next feed), NULL once done. */
const char *rw_hubspoke_reader_next(const struct rw_hubspoke_reader *reader);

/*
 * The outcome of the GET of rw_hubspoke_reader_next().  A transport failure ends the
 * reader as not responding, except a 4xx other than 401/403, which (like a reply that is
 * not what the stage expects) ends it as an invalid server; otherwise it moves on.
 */
void rw_hubspoke_reader_feed(struct rw_hubspoke_reader *reader,
                             const struct rw_hubspoke_reply *reply);

/* The rw_rc of the transport failure that ended the reader, RW_OK if none. */
enum rw_rc rw_hubspoke_reader_transport_rc(const struct rw_hubspoke_reader *reader);

/*
 * The version read ("" when none or not yet) and the service root's Product ("" when
 * absent); borrowed from reader.
 */
const char *rw_hubspoke_reader_version(const struct rw_hubspoke_reader *reader);
const char *rw_hubspoke_reader_product(const struct rw_hubspoke_reader *reader);

/*
 * Records what the reader found about the server named name ("host:port", role "spoke"
 * or "hub" for the message) in res: RW_SPOKE_NOT_RESPONDING for a transport failure,
 * RW_SPOKE_INVALID_SERVER for the wrong software, RW_SPOKE_NOT_RESPONDING "no answer
 * within the deadline" for an unfinished reader; nothing when it read everything.
 */
void rw_hubspoke_reader_report(const struct rw_hubspoke_reader *reader, const char *role,
                               const char *name, struct rw_hubspoke_result *res);

#endif

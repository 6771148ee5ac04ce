/*
 * rw_config: the YAML configuration shared by the daemon, `rackwatch poll`,
 * `check_hubspoke --config` and `rackwatch register` (DESIGN.md, "Configuration (YAML)";
 * config/rackwatch.yaml.example documents every key).
 *
 * Keys are exact and unknown keys are errors.  Every error is one line
 * `FILE:LINE:COLUMN: what is wrong` (1-based, from the offending YAML node), or
 * `FILE: what is wrong` when there is no position (unreadable, too big, out of memory).
 * Codes: RW_EPARSE for YAML syntax, RW_ETOOBIG over RW_CONFIG_MAX_BYTES, RW_ENOMEM, and
 * RW_EINVAL for everything else (schema, values, unreadable files, secrets).
 *
 * A loaded configuration is one read-only tree: every pointer in it is owned by the
 * struct rw_config and borrowed by callers until rw_config_free().  Callers never
 * write to it.  `defaults:` are already merged into every endpoint, the hub and
 * every spoke.
 */
#ifndef RW_CONFIG_H
#define RW_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "rw_err.h"
#include "rw_url.h"

#define RW_CONFIG_MAX_BYTES  (1024 * 1024) /* larger files are refused */
#define RW_CONFIG_SECRET_MAX 4096          /* bytes in a password file */

/* rw_config_parse() flags. */
#define RW_CONFIG_PRIVATE 0x1u /* the text is readable by its owner only: inline passwords ok */

enum rw_config_kind {
    RW_CONFIG_KIND_AUTO = 0, /* decided by what the service root offers */
    RW_CONFIG_KIND_PDU,
    RW_CONFIG_KIND_SERVER,
};

enum rw_config_version_rule {
    RW_CONFIG_VERSION_EXACT = 0,
    RW_CONFIG_VERSION_SAME_MAJOR,
    RW_CONFIG_VERSION_SAME_MINOR,
};

enum rw_config_cert_rule {
    RW_CONFIG_CERT_IDENTICAL = 0,
    RW_CONFIG_CERT_SAME_ISSUER,
    RW_CONFIG_CERT_PINNED,
    RW_CONFIG_CERT_REGISTERED,
};

/* A named set of credentials; the password is read at load time. */
struct rw_config_cred {
    char *name;
    char *username;
    char *password; /* never logged; wiped by rw_config_free() */
};

/* The keys `defaults:` may set, also settable per endpoint, hub and spoke. */
struct rw_config_settings {
    double timeout;        /* seconds per request, 0.1-3600; default 10 */
    char *ca_file;         /* PEM bundle; NULL: the system store */
    int insecure;          /* 1 only when written out; default 0 */
    int expand;            /* use $expand when offered; default 1 */
    int64_t max_in_flight; /* requests at once, 1-64; default 2 */
    int64_t poll_interval; /* seconds between polls or probes, 1-86400; default 60 */
    int64_t poll_jitter;   /* percent of poll_interval added at random, 0-50; default 10 */
};

/* An endpoint, the hub or a spoke. */
struct rw_config_target {
    char *name;                        /* unique among endpoints, or among hub and spokes */
    char *url_text;                    /* as written */
    struct rw_url url;                 /* parsed */
    enum rw_config_kind kind;          /* endpoints only; RW_CONFIG_KIND_AUTO otherwise */
    const struct rw_config_cred *cred; /* NULL when none; points into rw_config.creds */
    char *fingerprint;                 /* certificate pin as written, or NULL */
    struct rw_config_settings set;     /* defaults merged */
    int line, column;                  /* where its name is written, 1-based */
};

/* A (hub, spoke) pair of version strings accepted as compatible. */
struct rw_config_version_pair {
    char *hub;
    char *spoke;
};

struct rw_config_policy {
    char *product;         /* POSIX extended regex on Product/Vendor; NULL: not checked */
    char *version_url;     /* default "/redfish/v1/Managers/{first}" */
    char *version_pointer; /* JSON pointer; default "/FirmwareVersion" */
    enum rw_config_version_rule version_rule;
    char *version_minimum; /* NULL when absent */
    struct rw_config_version_pair *compatible;
    size_t n_compatible;
    enum rw_config_cert_rule cert_rule;
    char *known_spokes; /* default "/var/lib/rackwatch/known_spokes" */
    char **pins;        /* fingerprints as written */
    size_t n_pins;
    int64_t warning_days;  /* default 30; never below critical_days */
    int64_t critical_days; /* default 14 */
    int confirm_data_loss; /* default 0 */
};

struct rw_config {
    struct rw_config_settings defaults;
    struct rw_config_cred *creds;
    size_t n_creds;
    struct rw_config_target *endpoints;
    size_t n_endpoints;
    struct rw_config_target *hub; /* NULL when there is no hub: section */
    struct rw_config_target *spokes;
    size_t n_spokes;
    struct rw_config_policy policy;
    char *agentx_socket; /* default "/var/agentx/master" */
    int notifications;   /* default 1 */
    char *state_file;    /* default "/var/lib/rackwatch/state.json" */
    int64_t max_polls;   /* rackwatchd: endpoints polled at once, 1-256; default 16 */
};

/*
 * Reads and checks the configuration file at path.  On success *out holds a new
 * configuration the caller frees with rw_config_free(); on failure *out is NULL and
 * err holds the one-line message.  Inline passwords are accepted only when the file
 * is readable by its owner alone.  Files over RW_CONFIG_MAX_BYTES are refused.
 */
RW_MUSTCHECK enum rw_rc rw_config_load(const char *path, struct rw_config **out,
                                       struct rw_err *err);

/*
 * As rw_config_load(), from len bytes of text in memory (not NUL-terminated; may hold
 * NUL bytes, which are refused).  name is used in messages in place of the file name.
 * flags: RW_CONFIG_PRIVATE when the text came from a file readable by its owner only.
 * Password files are read and environment variables consulted exactly as for a file.
 */
RW_MUSTCHECK enum rw_rc rw_config_parse(const char *name, const char *text, size_t len,
                                        unsigned flags, struct rw_config **out, struct rw_err *err);

/*
 * For allocation-failure tests: as rw_config_parse(), but the loader's fail_at-th own
 * allocation (1-based) fails as if memory ran out; 0 fails none.  Allocations inside
 * libyaml and regcomp() are not counted.
 */
RW_MUSTCHECK enum rw_rc rw_config_parse_failing(const char *name, const char *text, size_t len,
                                                unsigned flags, long fail_at,
                                                struct rw_config **out, struct rw_err *err);

/* Looks an endpoint up by name; NULL when there is none.  Borrowed from cfg. */
const struct rw_config_target *rw_config_endpoint(const struct rw_config *cfg, const char *name);

/* Looks the hub or a spoke up by name; NULL when there is none.  Borrowed from cfg. */
const struct rw_config_target *rw_config_member(const struct rw_config *cfg, const char *name);

/*
 * Frees cfg and everything it owns, wiping passwords first.  NULL does nothing.
 * (The loader wipes its own copies of the file text and password files; libyaml's
 * internal token buffers, which may have held an inline password, are freed unwiped.)
 */
void rw_config_free(struct rw_config *cfg);

#endif

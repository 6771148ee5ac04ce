/*
 * rw_hsargs: the option values the hub/spoke plugins share (check_spoke_cert,
 * check_spoke_version, check_hubspoke), parsed once with one wording of each error, so the
 * plugins' option handlers only say where a value goes.
 */
#ifndef RW_HSARGS_H
#define RW_HSARGS_H

#include <regex.h>
#include <stddef.h>

#include "rw_cert.h"
#include "rw_err.h"
#include "rw_hubspoke.h"
#include "rw_opts.h"
#include "rw_version.h"

#define RW_HSARGS_MAX_DAYS 36500.0 /* -w/-c in days: a century */

/* A hub host as -H takes it (DNS name, IPv4, IPv6 with or without brackets). */
RW_MUSTCHECK enum rw_rc rw_hsargs_host(const char *arg, struct rw_err *err);

/* A TCP port into *out: "'X' is not a port (1-65535)". */
RW_MUSTCHECK enum rw_rc rw_hsargs_port(const char *arg, int *out, struct rw_err *err);

/*
 * Compiles arg (POSIX extended) into *re, freeing a previous one when *have is set; *have
 * says whether *re holds a regex to regfree().
 */
RW_MUSTCHECK enum rw_rc rw_hsargs_regex(const char *arg, regex_t *re, int *have,
                                        struct rw_err *err);

/* An absolute path or JSON pointer (what names the kind in the message): starts with '/'. */
RW_MUSTCHECK enum rw_rc rw_hsargs_path(const char *arg, const char *what, struct rw_err *err);

/* exact, same-major or same-minor into *out; RW_EINVAL without a message otherwise. */
RW_MUSTCHECK enum rw_rc rw_hsargs_version_rule(const char *arg, enum rw_version_rule *out);

/* A version --minimum accepts (rw_version_parse's message otherwise). */
RW_MUSTCHECK enum rw_rc rw_hsargs_minimum(const char *arg, struct rw_err *err);

/* Appends a --pin fingerprint to pins[*n] (at most max of them). */
RW_MUSTCHECK enum rw_rc rw_hsargs_pin(const char *arg, struct rw_fingerprint *pins, size_t *n,
                                      size_t max, struct rw_err *err);

/* A number of days, 0 to RW_HSARGS_MAX_DAYS, into *out. */
RW_MUSTCHECK enum rw_rc rw_hsargs_days(const char *arg, double *out, struct rw_err *err);

/*
 * The values themselves.  A plugin's option context starts with a struct rw_hsvals, so
 * that the handlers below can sit in its option table; each plugin uses the part it
 * needs.  Strings are borrowed from argv (or the configuration); the regex is owned.
 */
struct rw_hsvals {
    const char *hub_host; /* --hub */
    int hub_port;         /* --hub-port */
    const char *product;  /* --product, the regex's text */
    regex_t product_re;
    int have_re; /* product_re holds a compiled regex */
    const char *version_url;
    const char *version_pointer;
    const char *minimum;
    struct rw_fingerprint pins[RW_HUBSPOKE_PINS_MAX];
    size_t n_pins;
    const char *known_path; /* --known-spokes */
    double warn_days;       /* -w */
    double crit_days;       /* -c */
};

/* Port 443, no regex, the given day thresholds, everything else empty. */
void rw_hsvals_init(struct rw_hsvals *hs, double warn_days, double crit_days);

/* Frees the regex; hs may then be initialized again. */
void rw_hsvals_cleanup(struct rw_hsvals *hs);

/* Compiles and keeps a product regex (from --product or a configuration). */
RW_MUSTCHECK enum rw_rc rw_hsvals_set_product(struct rw_hsvals *hs, const char *regex,
                                              struct rw_err *err);

/* Option handlers; ctx is (or starts with) a struct rw_hsvals. */
rw_opt_fn rw_hsargs_on_hub;
rw_opt_fn rw_hsargs_on_hub_port;
rw_opt_fn rw_hsargs_on_product;
rw_opt_fn rw_hsargs_on_version_url;
rw_opt_fn rw_hsargs_on_version_pointer;
rw_opt_fn rw_hsargs_on_minimum;
rw_opt_fn rw_hsargs_on_pin;
rw_opt_fn rw_hsargs_on_known;
rw_opt_fn rw_hsargs_on_warn;
rw_opt_fn rw_hsargs_on_crit;

#endif

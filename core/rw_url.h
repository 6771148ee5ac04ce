/*
 * rw_url: server addresses as users write them.
 *
 * Configuration URLs are `scheme://host[:port]` (https or http; an optional lone "/"),
 * with IPv6 literals in brackets.  Plugin -H values are a bare host: a DNS name, a dotted
 * IPv4 address, or an IPv6 literal with or without brackets.  Hosts are validated, never
 * resolved here.
 */
#ifndef RW_URL_H
#define RW_URL_H

#include <stddef.h>

#include "rw_err.h"

#define RW_HOST_MAX 254 /* a DNS name is at most 253 characters */

enum rw_host_type {
    RW_HOST_DNS = 0,
    RW_HOST_IPV4,
    RW_HOST_IPV6,
};

/* A parsed address; a small value type, copied freely. */
struct rw_url {
    int tls;                /* 1 for https, 0 for http */
    char host[RW_HOST_MAX]; /* without brackets */
    enum rw_host_type host_type;
    int port; /* as written, else 443 or 80 */
};

/*
 * Parses `scheme://host[:port][/]` into *out.  RW_EPARSE with a message naming what is
 * wrong ("unsupported scheme 'ftp'", "port 70000 out of range 1-65535", ...).  The message
 * does not repeat the input; callers prefix it with where the input came from.
 */
RW_MUSTCHECK enum rw_rc rw_url_parse(const char *text, struct rw_url *out, struct rw_err *err);

/*
 * Parses a bare host as given to -H (IPv6 brackets optional) with the given port and TLS
 * setting into *out.  RW_EPARSE for an invalid host.
 */
RW_MUSTCHECK enum rw_rc rw_url_from_host(const char *host, int port, int tls, struct rw_url *out,
                                         struct rw_err *err);

/* Writes "https://host:port" (IPv6 bracketed) into buf; returns buf.  Cut to len if needed. */
const char *rw_url_format(const struct rw_url *url, char *buf, size_t len);

/* Writes "host:port" (IPv6 bracketed), as in known-spokes files and messages; returns buf. */
const char *rw_url_authority(const struct rw_url *url, char *buf, size_t len);

/* Buffer size that always fits rw_url_format() and rw_url_authority(). */
#define RW_URL_TEXT_MAX (RW_HOST_MAX + 32)

#endif

/*
 * rw_tls: a TLS probe (OpenSSL).  It connects to host:port, runs the handshake within a
 * deadline and returns what the server presented: its leaf certificate and chain
 * WHATEVER the verification result, the verification result itself, and whether the
 * leaf matches the name asked for.  It never sends application data.
 *
 * Probes are non-blocking state machines, so one thread can run many of them from one
 * poll() loop: rw_tls_probe_start(), then rw_tls_probe_fd()/rw_tls_probe_events() into
 * a pollfd and rw_tls_probe_step() with its revents until it reports done, or
 * rw_tls_probe_expire() at the caller's deadline.  rw_tls_probe_many() is that loop for
 * N probes and one deadline; a single probe is rw_tls_probe_many() with N = 1.
 *
 * Name resolution: IP literals are used as they are (getaddrinfo() with AI_NUMERICHOST,
 * which never blocks).  A DNS name is handed to a short-lived detached thread that runs
 * getaddrinfo() with every signal blocked, so rw_tls_probe_start() returns at once and
 * the caller's loop never waits on DNS: while resolving, rw_tls_probe_fd() is an eventfd
 * with POLLIN that the thread signals, then the probe moves on to its sockets.  A probe
 * expired or freed while its thread still waits leaves the thread to free the answer
 * (the eventfd is the thread's until it is done, so no fd number is written after reuse);
 * rw_tls_probe_expire() ends it with "cannot resolve NAME: no answer within N ms".
 * The fd changes when resolution ends: callers re-read rw_tls_probe_fd() after each step.
 * A thread touches neither ctx nor the probe, and lives at most the resolver's own timeout
 * (resolv.conf's timeout x attempts x servers); the process may exit while one waits.
 * Programs that link this therefore use threads (rwcore links Threads::Threads).
 * Every address is tried in turn until one connects.
 *
 * System store (no CA file): a hashed certificate directory (SSL_CERT_DIR or OpenSSL's
 * default, /etc/ssl/certs on Debian) is searched lazily; OpenSSL's default paths, which
 * parse the whole bundle file, are used when SSL_CERT_FILE is set or no hash links exist.
 *
 * With TLS 1.3 a server that refuses the client certificate says so only after the
 * client's side of the handshake is complete: such a probe still reports RW_OK.
 *
 * Writes to a socket whose peer has gone can raise SIGPIPE: programs that probe set
 * SIGPIPE to SIG_IGN in main() (a library does not touch signal dispositions).
 */
#ifndef RW_TLS_H
#define RW_TLS_H

#include <poll.h>
#include <stddef.h>

#include "rw_cert.h"
#include "rw_err.h"

#define RW_TLS_VERIFY_TEXT_MAX 128
#define RW_TLS_HOST_MAX        256

/* Trust settings shared by many probes. */
struct rw_tls_config {
    const char *ca_file;     /* PEM bundle to verify against; NULL: the system store */
    const char *client_cert; /* PEM certificate to present; NULL: none */
    const char *client_key;  /* its key; NULL: in client_cert */
};

/* One server to probe; the strings are borrowed for the duration of the start call. */
struct rw_tls_target {
    const char *host;        /* IPv4, IPv6 (brackets allowed) or DNS name */
    int port;                /* 1..65535 */
    const char *sni;         /* NULL: host when a DNS name, none for IP literals; "": none */
    const char *verify_name; /* name the leaf must match; NULL: host */
};

struct rw_tls_result {
    enum rw_rc rc;               /* RW_OK: the handshake completed (whatever the verification) */
    struct rw_err err;           /* when rc != RW_OK: ECONNECT, ETIMEOUT, ETLS, EINVAL, ENOMEM */
    struct rw_cert_chain *chain; /* owned; as the peer sent it, leaf first; NULL if none */
    long verify_code;            /* X509_V_OK (0) or OpenSSL's verification error code */
    char verify_text[RW_TLS_VERIFY_TEXT_MAX]; /* OpenSSL's reason, "ok" for X509_V_OK */
    int host_match;      /* 1 the leaf matches verify_name, 0 not, -1 not checked */
    char protocol[16];   /* "TLSv1.3", "" before the handshake completed */
    char cipher[64];     /* the negotiated cipher suite */
    char address[64];    /* the address connected to, "" if none */
    double connect_ms;   /* time to the TCP connection, -1 if none */
    double handshake_ms; /* time to the end of the handshake from the start, -1 if none */
};

struct rw_tls_ctx;   /* an SSL_CTX with the trust settings; opaque */
struct rw_tls_probe; /* one probe in flight; opaque */

/*
 * A context for probes: loads the CA file (or the system store) and the client
 * certificate and key.  RW_EINVAL when a file is missing or unusable (the message names
 * it), RW_ENOMEM.  The caller frees *out with rw_tls_ctx_free() after its probes.
 */
RW_MUSTCHECK enum rw_rc rw_tls_ctx_new(const struct rw_tls_config *config, struct rw_tls_ctx **out,
                                       struct rw_err *err);

/* Frees ctx; NULL does nothing. */
void rw_tls_ctx_free(struct rw_tls_ctx *ctx);

/* Sets up result as empty (no chain, host_match -1); then rw_tls_result_cleanup() it. */
void rw_tls_result_init(struct rw_tls_result *result);

/* Frees what result owns and leaves it empty. */
void rw_tls_result_cleanup(struct rw_tls_result *result);

/*
 * Starts probing target: an IP literal's first connection begins at once, a DNS name's
 * resolution starts on its own thread (never blocking the caller).  Always gives a
 * probe in *out unless it returns RW_ENOMEM; a bad target (RW_EINVAL), a connection
 * refused at once or a resolver thread that cannot start (RW_ECONNECT) give a probe
 * that is already done with that result; a name that does not resolve ends the probe
 * with RW_ECONNECT "cannot resolve NAME: ..." at a later step.  ctx is borrowed until
 * rw_tls_probe_free().  The caller frees *out with rw_tls_probe_free().
 */
RW_MUSTCHECK enum rw_rc rw_tls_probe_start(struct rw_tls_ctx *ctx,
                                           const struct rw_tls_target *target,
                                           struct rw_tls_probe **out, struct rw_err *err);

/* The fd to poll (the resolver's eventfd, then the socket), -1 once done. */
int rw_tls_probe_fd(const struct rw_tls_probe *probe);

/* The poll() events the probe waits for (POLLIN and/or POLLOUT), 0 once done. */
short rw_tls_probe_events(const struct rw_tls_probe *probe);

/* 1 once the probe has its result, else 0. */
int rw_tls_probe_done(const struct rw_tls_probe *probe);

/*
 * Advances the probe after poll() reported revents on its fd.  Returns 1 when the probe
 * is done (the socket is then closed), 0 when it waits again.
 */
int rw_tls_probe_step(struct rw_tls_probe *probe, short revents);

/*
 * Ends an unfinished probe at its deadline: RW_ETIMEOUT with a message saying whether
 * name resolution, the TCP connection or the TLS handshake was waiting and for how long
 * (timeout_ms, as the caller's deadline was set).  No effect on a finished probe.
 */
void rw_tls_probe_expire(struct rw_tls_probe *probe, long timeout_ms);

/* The result, borrowed from the probe; complete once rw_tls_probe_done(). */
const struct rw_tls_result *rw_tls_probe_result(const struct rw_tls_probe *probe);

/*
 * Moves the result into *out (caller storage, then rw_tls_result_cleanup() it); the
 * probe keeps an empty result.
 */
void rw_tls_probe_take_result(struct rw_tls_probe *probe, struct rw_tls_result *out);

/* Frees probe (closing its socket); NULL does nothing. */
void rw_tls_probe_free(struct rw_tls_probe *probe);

/*
 * Sets pfds[i] (fd, events, revents 0) from probes[i] for one poll(); the fd is -1 for a
 * probe that is done.  Returns how many are still running.  Called again before each
 * poll(): a probe's fd changes as it goes (resolver, then each address it tries).
 */
size_t rw_tls_probe_pollfds(struct rw_tls_probe **probes, struct pollfd *pfds, size_t n);

/*
 * Runs n probes at once with one deadline of timeout_ms from the call (connect and
 * handshake together), writing results[i] for targets[i] (caller storage of n results,
 * each to be cleaned with rw_tls_result_cleanup()).  Returns RW_OK when every probe
 * ran, whatever its own result; RW_ENOMEM or RW_EINVAL (n == 0, timeout_ms < 1)
 * otherwise, with every result initialised anyway.
 */
RW_MUSTCHECK enum rw_rc rw_tls_probe_many(struct rw_tls_ctx *ctx,
                                          const struct rw_tls_target *targets, size_t n,
                                          long timeout_ms, struct rw_tls_result *results,
                                          struct rw_err *err);

#endif

#include "rw_tls.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

enum probe_state {
    ST_CONNECT = 0, /* waiting for the TCP connection */
    ST_RESOLVE,     /* waiting for the resolver thread (DNS names only) */
    ST_HANDSHAKE,   /* waiting for the TLS handshake */
    ST_DONE,
};

struct rw_tls_ctx {
    SSL_CTX *ssl_ctx;
};

/*
 * One DNS name being resolved by its own detached thread.  The probe and the thread each
 * hold a reference; whichever lets go last frees the job, so a probe may be expired or
 * freed while the thread still waits on DNS.  The eventfd belongs to the job, not to the
 * probe: it is closed only when both sides are done, so the thread never writes to an fd
 * number that the probe gave back and the process reused for another socket.
 */
struct resolve_job {
    pthread_mutex_t lock;
    int refs;                   /* under lock: 2 while probe and thread both hold it */
    int done;                   /* under lock: the answer below is in */
    int gai_rc;                 /* getaddrinfo()'s return */
    int gai_errno;              /* errno for EAI_SYSTEM */
    struct addrinfo *addrs;     /* owned by the job until the probe takes it */
    int efd;                    /* eventfd, readable once done */
    char host[RW_TLS_HOST_MAX]; /* the thread's own copies */
    char service[8];
};

struct rw_tls_probe {
    struct rw_tls_ctx *ctx;
    struct resolve_job *job; /* one reference, while resolving; NULL else */
    enum probe_state state;
    int fd;
    short events;
    SSL *ssl;
    struct addrinfo *addrs;     /* owned, from getaddrinfo */
    struct addrinfo *next_addr; /* the next address to try */
    int host_is_ip;
    char host[RW_TLS_HOST_MAX];        /* without brackets */
    char sni[RW_TLS_HOST_MAX];         /* "" for none */
    char verify_name[RW_TLS_HOST_MAX]; /* what the leaf must match */
    char label[RW_TLS_HOST_MAX + 16];  /* "host:port" or "[v6]:port", for messages */
    struct timespec t0;
    struct rw_err connect_err; /* the last failed address, reported when all fail */
    struct rw_tls_result result;
};

static double
ms_since(const struct timespec *t0)
{
    struct timespec now;

    (void)clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) * 1e3 + (double)(now.tv_nsec - t0->tv_nsec) / 1e6;
}

/* The newest OpenSSL error's reason, or fallback when the queue is empty. */
static const char *
ssl_reason(const char *fallback)
{
    const char *reason = ERR_reason_error_string(ERR_peek_last_error());

    return reason != NULL ? reason : fallback;
}

/* 1 when dir holds at least one OpenSSL hash link ("1a2b3c4d.0"). */
static int
has_hash_links(const char *dir)
{
    DIR *d = opendir(dir);
    const struct dirent *e;
    int found = 0;

    if (d == NULL) {
        return 0;
    }
    while (!found && (e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);

        found = len == 10 && strspn(e->d_name, "0123456789abcdef") == 8 &&
                strcmp(e->d_name + 8, ".0") == 0;
    }
    (void)closedir(d);
    return found;
}

/*
 * The system store.  A hashed directory (Debian's /etc/ssl/certs) is searched only for
 * the issuers a chain needs, where the default paths would also parse the whole bundle
 * file up front (some 50 ms and 1-2 MB for every context); the default paths remain
 * for systems without hash links and when SSL_CERT_FILE is set.
 */
static enum rw_rc
ctx_load_system_store(SSL_CTX *ssl_ctx, struct rw_err *err)
{
    const char *dir = getenv(X509_get_default_cert_dir_env());

    if (dir == NULL) {
        dir = X509_get_default_cert_dir();
    }
    if (getenv(X509_get_default_cert_file_env()) == NULL && has_hash_links(dir)) {
        if (SSL_CTX_load_verify_dir(ssl_ctx, dir) == 1) {
            return RW_OK;
        }
    }
    if (SSL_CTX_set_default_verify_paths(ssl_ctx) != 1) {
        return rw_err_set(err, RW_EINVAL, "cannot load the system CA store: %s",
                          ssl_reason("unknown error"));
    }
    return RW_OK;
}

static enum rw_rc
ctx_load_ca(SSL_CTX *ssl_ctx, const char *ca_file, struct rw_err *err)
{
    if (ca_file == NULL) {
        return ctx_load_system_store(ssl_ctx, err);
    }
    if (access(ca_file, R_OK) != 0) {
        return rw_err_set(err, RW_EINVAL, "CA file %s: %s", ca_file, strerror(errno));
    }
    if (SSL_CTX_load_verify_locations(ssl_ctx, ca_file, NULL) != 1) {
        return rw_err_set(err, RW_EINVAL, "CA file %s: %s", ca_file,
                          ssl_reason("no certificate found"));
    }
    return RW_OK;
}

static enum rw_rc
ctx_load_client(SSL_CTX *ssl_ctx, const char *cert, const char *key, struct rw_err *err)
{
    if (key != NULL && cert == NULL) {
        return rw_err_set(err, RW_EINVAL, "client key %s given without a client certificate", key);
    }
    if (cert == NULL) {
        return RW_OK;
    }
    if (key == NULL) {
        key = cert;
    }
    if (access(cert, R_OK) != 0 || access(key, R_OK) != 0) {
        return rw_err_set(err, RW_EINVAL, "client certificate %s or key %s: %s", cert, key,
                          strerror(errno));
    }
    if (SSL_CTX_use_certificate_chain_file(ssl_ctx, cert) != 1) {
        return rw_err_set(err, RW_EINVAL, "client certificate %s: %s", cert,
                          ssl_reason("unusable"));
    }
    if (SSL_CTX_use_PrivateKey_file(ssl_ctx, key, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ssl_ctx) != 1) {
        return rw_err_set(err, RW_EINVAL, "client key %s: %s", key, ssl_reason("unusable"));
    }
    return RW_OK;
}

enum rw_rc
rw_tls_ctx_new(const struct rw_tls_config *config, struct rw_tls_ctx **out, struct rw_err *err)
{
    struct rw_tls_ctx *ctx = calloc(1, sizeof(*ctx));
    enum rw_rc rc;

    if (ctx == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory for a TLS context");
    }
    ERR_clear_error();
    ctx->ssl_ctx = SSL_CTX_new(TLS_client_method());
    if (ctx->ssl_ctx == NULL) {
        rc = rw_err_set(err, RW_ENOMEM, "cannot create a TLS context: %s",
                        ssl_reason("out of memory"));
        goto fail;
    }
    /* Verification runs and its result is kept, but it never stops the handshake:
     * the probe must see the certificates of servers that fail it. */
    SSL_CTX_set_verify(ctx->ssl_ctx, SSL_VERIFY_NONE, NULL);
    rc = ctx_load_ca(ctx->ssl_ctx, config != NULL ? config->ca_file : NULL, err);
    if (rc == RW_OK && config != NULL) {
        rc = ctx_load_client(ctx->ssl_ctx, config->client_cert, config->client_key, err);
    }
    if (rc != RW_OK) {
        goto fail;
    }
    ERR_clear_error();
    *out = ctx;
    return RW_OK;
fail:
    ERR_clear_error();
    rw_tls_ctx_free(ctx);
    return rc;
}

void
rw_tls_ctx_free(struct rw_tls_ctx *ctx)
{
    if (ctx == NULL) {
        return;
    }
    SSL_CTX_free(ctx->ssl_ctx);
    free(ctx);
}

void
rw_tls_result_init(struct rw_tls_result *result)
{
    memset(result, 0, sizeof(*result));
    rw_err_clear(&result->err);
    result->rc = RW_OK;
    result->verify_code = -1;
    result->host_match = -1;
    result->connect_ms = -1;
    result->handshake_ms = -1;
}

void
rw_tls_result_cleanup(struct rw_tls_result *result)
{
    rw_cert_chain_free(result->chain);
    rw_tls_result_init(result);
}

/* Drops one reference to job; the last one frees it with its answer and eventfd. */
static void
job_release(struct resolve_job *job)
{
    int last;

    (void)pthread_mutex_lock(&job->lock);
    last = --job->refs == 0;
    (void)pthread_mutex_unlock(&job->lock);
    if (!last) {
        return;
    }
    if (job->addrs != NULL) {
        freeaddrinfo(job->addrs);
    }
    (void)close(job->efd);
    (void)pthread_mutex_destroy(&job->lock);
    free(job);
}

/*
 * The resolver thread: getaddrinfo() may block for the resolver's whole timeout, which
 * is why it runs here and not on the caller's loop.  It posts the answer, wakes the
 * probe through the eventfd and lets go of the job (freeing it if the probe is gone).
 */
static void *
resolver_main(void *arg)
{
    struct resolve_job *job = arg;
    struct addrinfo hints, *addrs = NULL;
    const uint64_t one = 1;
    int r, saved;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    r = getaddrinfo(job->host, job->service, &hints, &addrs);
    saved = errno;
    (void)pthread_mutex_lock(&job->lock);
    job->gai_rc = r;
    job->gai_errno = saved;
    job->addrs = r == 0 ? addrs : NULL;
    job->done = 1;
    (void)pthread_mutex_unlock(&job->lock);
    if (write(job->efd, &one, sizeof(one)) != (ssize_t)sizeof(one)) {
        /* Cannot happen: the fd is the job's own and one write never fills the counter. */
    }
    job_release(job);
    return NULL;
}

/* Closes the connection: a close_notify when the handshake completed, then the socket. */
static void
probe_close(struct rw_tls_probe *probe, int polite)
{
    if (probe->job != NULL) {
        job_release(probe->job);
        probe->job = NULL;
    }
    if (probe->ssl != NULL) {
        if (polite) {
            (void)SSL_shutdown(probe->ssl);
        }
        SSL_free(probe->ssl);
        probe->ssl = NULL;
    }
    if (probe->fd >= 0) {
        (void)close(probe->fd);
        probe->fd = -1;
    }
    ERR_clear_error();
}

/* Ends the probe with rc and a message (none for RW_OK). */
static void RW_PRINTF(3, 4)
    probe_finish(struct rw_tls_probe *probe, enum rw_rc rc, const char *fmt, ...)
{
    va_list ap;

    probe_close(probe, rc == RW_OK);
    probe->state = ST_DONE;
    probe->events = 0;
    probe->result.rc = rc;
    if (rc != RW_OK) {
        va_start(ap, fmt);
        (void)rw_err_setv(&probe->result.err, rc, fmt, ap);
        va_end(ap);
    }
}

/* 1 when name is made of DNS name characters only (never handed to a resolver else). */
static int
is_dns_name(const char *name)
{
    for (const char *p = name; *p != '\0'; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '.' || *p == '_')) {
            return 0;
        }
    }
    return name[0] != '.' && name[0] != '-';
}

/*
 * Copies host into probe->host without brackets; 0 when it is not a usable host,
 * 2 when it was bracketed (then it must be an IPv6 address), else 1.
 */
static int
copy_host(struct rw_tls_probe *probe, const char *host)
{
    size_t len = host != NULL ? strlen(host) : 0;
    int bracketed = len >= 2 && host[0] == '[' && host[len - 1] == ']';

    if (bracketed) {
        host++;
        len -= 2;
    }
    if (len == 0 || len >= sizeof(probe->host)) {
        return 0;
    }
    memcpy(probe->host, host, len);
    probe->host[len] = '\0';
    return bracketed ? 2 : 1;
}

/* Fills host, sni, verify_name and label from target; 0 for a bad target. */
static int
probe_setup_names(struct rw_tls_probe *probe, const struct rw_tls_target *target)
{
    unsigned char addr[sizeof(struct in6_addr)];
    int v6, copied = copy_host(probe, target->host);
    const char *sni, *verify;

    if (copied == 0 || target->port < 1 || target->port > 65535) {
        return 0;
    }
    v6 = inet_pton(AF_INET6, probe->host, addr) == 1;
    probe->host_is_ip = v6 || inet_pton(AF_INET, probe->host, addr) == 1;
    if ((copied == 2 && !v6) || (!probe->host_is_ip && !is_dns_name(probe->host))) {
        return 0;
    }
    sni = target->sni != NULL ? target->sni : (probe->host_is_ip ? "" : probe->host);
    verify = target->verify_name != NULL ? target->verify_name : probe->host;
    if (strlen(sni) >= sizeof(probe->sni) || strlen(verify) >= sizeof(probe->verify_name)) {
        return 0;
    }
    memcpy(probe->sni, sni, strlen(sni) + 1);
    memcpy(probe->verify_name, verify, strlen(verify) + 1);
    (void)snprintf(probe->label, sizeof(probe->label), v6 ? "[%s]:%d" : "%s:%d", probe->host,
                   target->port);
    return 1;
}

static void
probe_note_address(struct rw_tls_probe *probe, const struct addrinfo *ai)
{
    char host[INET6_ADDRSTRLEN];
    const void *addr;

    if (ai->ai_family == AF_INET6) {
        addr = &((const struct sockaddr_in6 *)(const void *)ai->ai_addr)->sin6_addr;
    } else {
        addr = &((const struct sockaddr_in *)(const void *)ai->ai_addr)->sin_addr;
    }
    if (inet_ntop(ai->ai_family, addr, host, sizeof(host)) == NULL) {
        host[0] = '\0';
    }
    (void)snprintf(probe->result.address, sizeof(probe->result.address), "%s", host);
}

static void probe_handshake(struct rw_tls_probe *probe);

/* Records why the current address failed, closes it; the next one is tried next. */
static void
probe_address_failed(struct rw_tls_probe *probe, int error)
{
    rw_err_clear(&probe->connect_err);
    if (probe->host_is_ip) {
        (void)rw_err_set(&probe->connect_err, RW_ECONNECT, "connect to %s: %s", probe->label,
                         strerror(error));
    } else {
        (void)rw_err_set(&probe->connect_err, RW_ECONNECT, "connect to %s (%s): %s", probe->label,
                         probe->result.address, strerror(error));
    }
    probe_close(probe, 0);
}

/* Starts a connection to the next address; ends the probe when none is left. */
static void
probe_connect_next(struct rw_tls_probe *probe)
{
    while (probe->next_addr != NULL) {
        const struct addrinfo *ai = probe->next_addr;

        probe->next_addr = ai->ai_next;
        probe_note_address(probe, ai);
        probe->fd =
            socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (probe->fd < 0) {
            probe_address_failed(probe, errno);
            continue;
        }
        if (connect(probe->fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            probe->result.connect_ms = ms_since(&probe->t0);
            probe_handshake(probe);
            return;
        }
        if (errno == EINPROGRESS) {
            probe->state = ST_CONNECT;
            probe->events = POLLOUT;
            return;
        }
        probe_address_failed(probe, errno);
    }
    probe_finish(probe, RW_ECONNECT, "%s", probe->connect_err.msg);
}

/* The peer's certificates, leaf first, as sent (at most RW_CHAIN_MAX). */
static enum rw_rc
collect_chain(struct rw_tls_probe *probe)
{
    X509 *leaf = SSL_get0_peer_certificate(probe->ssl);
    STACK_OF(X509) *sent = SSL_get_peer_cert_chain(probe->ssl);
    struct rw_cert *cert = NULL;
    enum rw_rc rc;
    int n = sent != NULL ? sk_X509_num(sent) : 0;

    if (leaf == NULL) {
        return RW_OK;
    }
    rc = rw_cert_chain_new(&probe->result.chain, &probe->result.err);
    if (rc == RW_OK) {
        rc = rw_cert_from_x509(leaf, &cert, &probe->result.err);
    }
    if (rc == RW_OK) {
        rc = rw_cert_chain_take(probe->result.chain, cert, &probe->result.err);
    }
    for (int i = 0; i < n && rc == RW_OK; i++) {
        X509 *x = sk_X509_value(sent, i);

        if (X509_cmp(x, leaf) == 0 || rw_cert_chain_count(probe->result.chain) == RW_CHAIN_MAX) {
            continue;
        }
        rc = rw_cert_from_x509(x, &cert, &probe->result.err);
        if (rc == RW_OK) {
            rc = rw_cert_chain_take(probe->result.chain, cert, &probe->result.err);
        }
    }
    return rc;
}

/* The handshake completed: keep what the server presented and how it verified. */
static void
probe_succeeded(struct rw_tls_probe *probe)
{
    struct rw_tls_result *res = &probe->result;
    const struct rw_cert *leaf;
    enum rw_rc rc;

    res->handshake_ms = ms_since(&probe->t0);
    res->verify_code = SSL_get_verify_result(probe->ssl);
    (void)snprintf(res->verify_text, sizeof(res->verify_text), "%s",
                   res->verify_code == X509_V_OK ? "ok"
                                                 : X509_verify_cert_error_string(res->verify_code));
    (void)snprintf(res->protocol, sizeof(res->protocol), "%s", SSL_get_version(probe->ssl));
    (void)snprintf(res->cipher, sizeof(res->cipher), "%s", SSL_get_cipher_name(probe->ssl));
    rc = collect_chain(probe);
    if (rc != RW_OK) {
        probe_finish(probe, rc, "%s", res->err.msg);
        return;
    }
    leaf = res->chain != NULL ? rw_cert_chain_get(res->chain, 0) : NULL;
    if (leaf != NULL) {
        res->host_match = rw_cert_matches_host(leaf, probe->verify_name);
    }
    probe_finish(probe, RW_OK, "%s", "");
}

/* Why the handshake failed, in OpenSSL's words where it has some. */
static const char *
handshake_error(int ssl_error, int saved_errno)
{
    if (ssl_error == SSL_ERROR_SSL) {
        return ssl_reason("protocol error");
    }
    if (ssl_error == SSL_ERROR_SYSCALL && ERR_peek_last_error() != 0) {
        return ssl_reason("system error");
    }
    if (ssl_error == SSL_ERROR_SYSCALL && saved_errno != 0) {
        return strerror(saved_errno);
    }
    return "connection closed by the server";
}

/* Runs the handshake as far as the socket allows. */
static void
probe_handshake(struct rw_tls_probe *probe)
{
    int r, e;

    probe->state = ST_HANDSHAKE;
    if (probe->ssl == NULL) {
        probe->ssl = SSL_new(probe->ctx->ssl_ctx);
        if (probe->ssl == NULL || SSL_set_fd(probe->ssl, probe->fd) != 1 ||
            (probe->sni[0] != '\0' && SSL_set_tlsext_host_name(probe->ssl, probe->sni) != 1)) {
            probe_finish(probe, RW_ENOMEM, "cannot set up TLS for %s", probe->label);
            return;
        }
        SSL_set_connect_state(probe->ssl);
    }
    ERR_clear_error();
    errno = 0;
    r = SSL_do_handshake(probe->ssl);
    if (r == 1) {
        probe_succeeded(probe);
        return;
    }
    e = SSL_get_error(probe->ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        probe->events = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
        return;
    }
    probe_finish(probe, RW_ETLS, "TLS handshake with %s failed: %s", probe->label,
                 handshake_error(e, errno));
}

/* Ends the probe for a name that does not resolve, in getaddrinfo()'s words. */
static void
probe_resolve_failed(struct rw_tls_probe *probe, int gai_rc, int gai_errno)
{
    probe_finish(probe, RW_ECONNECT, "cannot resolve %s: %s", probe->host,
                 gai_rc == EAI_SYSTEM ? strerror(gai_errno) : gai_strerror(gai_rc));
}

/* IP literals: getaddrinfo() with AI_NUMERICHOST never blocks, so no thread. */
static int
resolve_numeric(struct rw_tls_probe *probe, int port)
{
    struct addrinfo hints;
    char service[8];
    int r;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | AI_NUMERICHOST;
    (void)snprintf(service, sizeof(service), "%d", port);
    r = getaddrinfo(probe->host, service, &hints, &probe->addrs);
    if (r != 0) {
        probe->addrs = NULL;
        probe_resolve_failed(probe, r, errno);
        return 0;
    }
    probe->next_addr = probe->addrs;
    return 1;
}

/* A job for probe's host, not yet shared; NULL with errno set when it cannot be made. */
static struct resolve_job *
job_new(const struct rw_tls_probe *probe, int port)
{
    struct resolve_job *job = calloc(1, sizeof(*job));
    int r;

    if (job == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    job->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (job->efd < 0) {
        int saved = errno;

        free(job);
        errno = saved;
        return NULL;
    }
    r = pthread_mutex_init(&job->lock, NULL);
    if (r != 0) {
        (void)close(job->efd);
        free(job);
        errno = r;
        return NULL;
    }
    job->refs = 2;
    memcpy(job->host, probe->host, sizeof(job->host));
    (void)snprintf(job->service, sizeof(job->service), "%d", port);
    return job;
}

/*
 * Starts the detached resolver thread with every signal blocked, so that the caller's
 * handlers keep running on the caller's thread.  The mask is set around pthread_create()
 * (the thread inherits it) rather than by the thread itself, which would leave a window.
 */
static int
job_spawn(struct resolve_job *job)
{
    pthread_attr_t attr;
    sigset_t all, old;
    pthread_t tid;
    int r;

    r = pthread_attr_init(&attr);
    if (r != 0) {
        return r;
    }
    (void)sigfillset(&all);
    r = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (r == 0) {
        (void)pthread_sigmask(SIG_SETMASK, &all, &old);
        r = pthread_create(&tid, &attr, resolver_main, job);
        (void)pthread_sigmask(SIG_SETMASK, &old, NULL);
    }
    (void)pthread_attr_destroy(&attr);
    return r;
}

/* DNS names: hands the name to a resolver thread; the probe waits on the job's eventfd. */
static void
resolve_async(struct rw_tls_probe *probe, int port)
{
    struct resolve_job *job = job_new(probe, port);
    int r;

    if (job == NULL) {
        int saved = errno;

        /* Out of memory or of fds (EMFILE): like a socket() failure, not a bad name. */
        probe_finish(probe, saved == ENOMEM ? RW_ENOMEM : RW_ECONNECT, "cannot resolve %s: %s",
                     probe->host, strerror(saved));
        return;
    }
    r = job_spawn(job);
    if (r != 0) {
        job->refs = 1; /* no thread holds it */
        job_release(job);
        probe_finish(probe, RW_ECONNECT, "cannot resolve %s: %s", probe->host, strerror(r));
        return;
    }
    probe->job = job;
    probe->state = ST_RESOLVE;
    probe->events = POLLIN;
}

/* The resolver thread signalled: take its answer and connect to the first address. */
static void
probe_step_resolve(struct rw_tls_probe *probe)
{
    struct resolve_job *job = probe->job;
    int done, gai_rc, gai_errno;

    (void)pthread_mutex_lock(&job->lock);
    done = job->done;
    gai_rc = job->gai_rc;
    gai_errno = job->gai_errno;
    if (done) {
        probe->addrs = job->addrs;
        job->addrs = NULL;
    }
    (void)pthread_mutex_unlock(&job->lock);
    if (!done) {
        return; /* a spurious wake-up: keep waiting */
    }
    job_release(job);
    probe->job = NULL;
    if (gai_rc != 0) {
        probe_resolve_failed(probe, gai_rc, gai_errno);
        return;
    }
    probe->next_addr = probe->addrs;
    probe_connect_next(probe);
}

enum rw_rc
rw_tls_probe_start(struct rw_tls_ctx *ctx, const struct rw_tls_target *target,
                   struct rw_tls_probe **out, struct rw_err *err)
{
    struct rw_tls_probe *probe = calloc(1, sizeof(*probe));

    if (probe == NULL) {
        (void)rw_err_set(err, RW_ENOMEM, "out of memory for a TLS probe");
        return RW_ENOMEM;
    }
    probe->ctx = ctx;
    probe->fd = -1;
    rw_tls_result_init(&probe->result);
    rw_err_clear(&probe->connect_err);
    (void)clock_gettime(CLOCK_MONOTONIC, &probe->t0);
    *out = probe;
    if (!probe_setup_names(probe, target)) {
        probe_finish(probe, RW_EINVAL, "bad TLS target \"%.80s\" port %d",
                     target->host != NULL ? target->host : "", target->port);
        return RW_OK;
    }
    if (!probe->host_is_ip) {
        resolve_async(probe, target->port);
    } else if (resolve_numeric(probe, target->port)) {
        probe_connect_next(probe);
    }
    return RW_OK;
}

int
rw_tls_probe_fd(const struct rw_tls_probe *probe)
{
    if (probe->state == ST_RESOLVE) {
        return probe->job->efd;
    }
    return probe->state == ST_DONE ? -1 : probe->fd;
}

short
rw_tls_probe_events(const struct rw_tls_probe *probe)
{
    return probe->state == ST_DONE ? 0 : probe->events;
}

int
rw_tls_probe_done(const struct rw_tls_probe *probe)
{
    return probe->state == ST_DONE;
}

static void
probe_step_connect(struct rw_tls_probe *probe)
{
    int error = 0;
    socklen_t len = sizeof(error);

    if (getsockopt(probe->fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0) {
        error = errno;
    }
    if (error == EINPROGRESS) {
        return;
    }
    if (error != 0) {
        probe_address_failed(probe, error);
        probe_connect_next(probe);
        return;
    }
    probe->result.connect_ms = ms_since(&probe->t0);
    probe_handshake(probe);
}

int
rw_tls_probe_step(struct rw_tls_probe *probe, short revents)
{
    if (probe->state == ST_RESOLVE && revents != 0) {
        probe_step_resolve(probe);
    } else if (probe->state == ST_CONNECT && revents != 0) {
        probe_step_connect(probe);
    } else if (probe->state == ST_HANDSHAKE && revents != 0) {
        probe_handshake(probe);
    }
    return probe->state == ST_DONE;
}

void
rw_tls_probe_expire(struct rw_tls_probe *probe, long timeout_ms)
{
    if (probe->state == ST_RESOLVE) {
        probe_finish(probe, RW_ETIMEOUT, "cannot resolve %s: no answer within %ld ms", probe->host,
                     timeout_ms);
    } else if (probe->state == ST_CONNECT) {
        probe_finish(probe, RW_ETIMEOUT, "connect to %s: no answer within %ld ms", probe->label,
                     timeout_ms);
    } else if (probe->state == ST_HANDSHAKE) {
        probe_finish(probe, RW_ETIMEOUT, "TLS handshake with %s: no answer within %ld ms",
                     probe->label, timeout_ms);
    }
}

const struct rw_tls_result *
rw_tls_probe_result(const struct rw_tls_probe *probe)
{
    return &probe->result;
}

void
rw_tls_probe_take_result(struct rw_tls_probe *probe, struct rw_tls_result *out)
{
    *out = probe->result;
    rw_tls_result_init(&probe->result);
}

void
rw_tls_probe_free(struct rw_tls_probe *probe)
{
    if (probe == NULL) {
        return;
    }
    probe_close(probe, 0);
    if (probe->addrs != NULL) {
        freeaddrinfo(probe->addrs);
    }
    rw_cert_chain_free(probe->result.chain);
    free(probe);
}

/* Milliseconds left until deadline, rounded up so poll() never wakes early. */
static long
ms_left(const struct timespec *deadline)
{
    struct timespec now;
    long long ns;

    (void)clock_gettime(CLOCK_MONOTONIC, &now);
    ns = (long long)(deadline->tv_sec - now.tv_sec) * 1000000000LL +
         (deadline->tv_nsec - now.tv_nsec);
    return ns <= 0 ? 0 : (long)((ns + 999999) / 1000000);
}

/* Sets *deadline to timeout_ms from now on the monotonic clock. */
static void
deadline_in(struct timespec *deadline, long timeout_ms)
{
    (void)clock_gettime(CLOCK_MONOTONIC, deadline);
    deadline->tv_sec += timeout_ms / 1000;
    deadline->tv_nsec += (timeout_ms % 1000) * 1000000L;
    if (deadline->tv_nsec >= 1000000000L) {
        deadline->tv_sec++;
        deadline->tv_nsec -= 1000000000L;
    }
}

size_t
rw_tls_probe_pollfds(struct rw_tls_probe **probes, struct pollfd *pfds, size_t n)
{
    size_t running = 0;

    for (size_t i = 0; i < n; i++) {
        pfds[i].fd = rw_tls_probe_fd(probes[i]);
        pfds[i].events = rw_tls_probe_events(probes[i]);
        pfds[i].revents = 0;
        running += !rw_tls_probe_done(probes[i]);
    }
    return running;
}

/* Drives every probe until all are done or the deadline passed. */
static enum rw_rc
run_probes(struct rw_tls_probe **probes, struct pollfd *pfds, size_t n,
           const struct timespec *deadline, long timeout_ms, struct rw_err *err)
{
    while (rw_tls_probe_pollfds(probes, pfds, n) > 0) {
        long left = ms_left(deadline);
        int r;

        if (left == 0) {
            for (size_t i = 0; i < n; i++) {
                rw_tls_probe_expire(probes[i], timeout_ms);
            }
            break;
        }
        r = poll(pfds, (nfds_t)n, left > 86400000L ? 86400000 : (int)left);
        if (r < 0 && errno != EINTR) {
            return rw_err_set(err, errno == ENOMEM ? RW_ENOMEM : RW_EINVAL, "poll: %s",
                              strerror(errno));
        }
        for (size_t i = 0; i < n && r > 0; i++) {
            if (pfds[i].revents != 0) {
                (void)rw_tls_probe_step(probes[i], pfds[i].revents);
            }
        }
    }
    return RW_OK;
}

enum rw_rc
rw_tls_probe_many(struct rw_tls_ctx *ctx, const struct rw_tls_target *targets, size_t n,
                  long timeout_ms, struct rw_tls_result *results, struct rw_err *err)
{
    struct rw_tls_probe **probes = NULL;
    struct pollfd *pfds = NULL;
    struct timespec deadline;
    enum rw_rc rc = RW_OK;

    for (size_t i = 0; i < n; i++) {
        rw_tls_result_init(&results[i]);
    }
    if (n == 0 || timeout_ms < 1) {
        return rw_err_set(err, RW_EINVAL, "TLS probe: %zu targets, timeout %ld ms", n, timeout_ms);
    }
    deadline_in(&deadline, timeout_ms);
    probes = calloc(n, sizeof(*probes));
    pfds = calloc(n, sizeof(*pfds));
    if (probes == NULL || pfds == NULL) {
        rc = rw_err_set(err, RW_ENOMEM, "out of memory for %zu TLS probes", n);
        goto fail;
    }
    for (size_t i = 0; i < n && rc == RW_OK; i++) {
        rc = rw_tls_probe_start(ctx, &targets[i], &probes[i], err);
    }
    if (rc == RW_OK) {
        rc = run_probes(probes, pfds, n, &deadline, timeout_ms, err);
    }
    for (size_t i = 0; i < n && rc == RW_OK; i++) {
        rw_tls_probe_take_result(probes[i], &results[i]);
    }
fail:
    for (size_t i = 0; probes != NULL && i < n; i++) {
        rw_tls_probe_free(probes[i]);
    }
    free(probes);
    free(pfds);
    return rc;
}

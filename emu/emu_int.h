/*
 * emu_int.h: declarations shared by the modules of rackwatch-emu (emu/ only).
 *
 * One struct emu_opts holds the command line; one struct emu_ctx holds everything the
 * request threads share.  The mockup store and the session table are guarded by one
 * mutex, ctx->lock: every request touches them briefly, and faults (delays, slow
 * bodies) run outside it.
 */
#ifndef EMU_INT_H
#define EMU_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#define EMU_PROG          "rackwatch-emu"
#define EMU_LISTEN_MAX    8
#define EMU_ROOT          "/redfish/v1"
#define EMU_URI_MAX       1024          /* longest resource path kept */
#define EMU_BODY_MAX      (1024 * 1024) /* request bodies */
#define EMU_TOKEN_LEN     32            /* hex characters of a session token */
#define EMU_REGISTRY      "Base.1.8"    /* prefix of every MessageId */
#define EMU_EXPAND_LEVELS 3             /* the deepest $levels served */

struct emu_store;
struct emu_auth;

struct emu_opts {
    const char *mockup;
    const char *listen[EMU_LISTEN_MAX];
    size_t n_listen;
    const char *tls_cert;
    const char *tls_key;
    const char *user;
    const char *password; /* borrowed from argv, or emu_opts.password_buf */
    char *password_buf;   /* owned: read from --password-file */
    const char *password_file;
    int64_t session_limit;   /* sessions open at once */
    int64_t session_timeout; /* seconds idle before a session ends */
    int64_t page_size;       /* 0: collections are not paged unasked */
    int no_expand;
    const char *product;
    const char *vendor;
    const char *firmware;
    int64_t delay_ms;
    int64_t jitter_ms;
    double fail_rate;    /* 0..1 */
    int64_t http_status; /* 0: off */
    int bad_json;
    int drop;
    int64_t slow_body;          /* bytes per second, 0: off */
    int64_t huge_body;          /* bytes, 0: off */
    int64_t unauthorized_after; /* requests, 0: off */
    const char *access_log;
    const char *ready_file;
};

struct emu_ctx {
    const struct emu_opts *opts;
    pthread_mutex_t lock; /* guards store, auth and served */
    struct emu_store *store;
    struct emu_auth *auth;
    int64_t served; /* requests since the sessions were last forgotten */
    pthread_mutex_t log_lock;
    FILE *access_log;
    atomic_uint_fast64_t rnd; /* state of the fault dice */
};

/* A request as the handlers see it; every string is borrowed from libmicrohttpd. */
struct emu_request {
    const char *method;
    const char *path; /* decoded, without the query string */
    const char *top;  /* query parameters, NULL when absent */
    const char *skip;
    const char *expand;
    const char *unsupported; /* the first other $-parameter, NULL when none */
    const char *basic_user;  /* NULL when no Basic credentials came */
    const char *basic_pass;
    const char *token; /* X-Auth-Token, NULL when absent */
    const char *body;  /* NUL-terminated, NULL when empty */
    size_t body_len;
    int body_too_big;
};

/* An answer; body is owned (free()), the rest is inline. */
struct emu_reply {
    unsigned status;
    char *body;
    size_t len;
    char location[EMU_URI_MAX];
    char token[EMU_TOKEN_LEN + 1];
    const char *allow;        /* static text for the Allow header, or NULL */
    const char *content_type; /* static text; NULL: JSON */
    unsigned retry_after;     /* seconds for Retry-After, 0: none */
    int www_auth;             /* send WWW-Authenticate */
};

#endif

/*
 * rw_err: the error codes and the error record every fallible rackwatch function uses.
 *
 * A fallible function returns enum rw_rc (RW_OK == 0) and takes a struct rw_err *
 * (may be NULL) as its last argument.  The first error recorded wins, so the root
 * cause survives while callers add nothing over it.
 */
#ifndef RW_ERR_H
#define RW_ERR_H

#include <stdarg.h>

#define RW_MUSTCHECK    __attribute__((warn_unused_result))
#define RW_PRINTF(f, a) __attribute__((format(printf, f, a)))

enum rw_rc {
    RW_OK = 0,
    RW_ENOMEM,   /* an allocation failed */
    RW_EINVAL,   /* bad argument or configuration */
    RW_EPARSE,   /* malformed input: YAML, JSON, a number, a range */
    RW_ETOOBIG,  /* input over its cap */
    RW_ECONNECT, /* no connection: refused, unreachable, name not found */
    RW_ETIMEOUT, /* a deadline passed */
    RW_ETLS,     /* TLS handshake or certificate verification failed */
    RW_EHTTP,    /* the server answered with an HTTP error */
    RW_ESTALE,   /* data older than allowed, or missing */
};

#define RW_ERR_MSG_MAX 256

struct rw_err {
    enum rw_rc code;
    char msg[RW_ERR_MSG_MAX];
};

/* Resets err (may be NULL) to RW_OK with an empty message. */
void rw_err_clear(struct rw_err *err);

/*
 * Records code and the formatted message in err unless err already holds an error,
 * and returns code either way, so that `return rw_err_set(err, RW_EINVAL, ...)` reads
 * naturally.  A message longer than RW_ERR_MSG_MAX - 1 bytes is cut.
 */
enum rw_rc rw_err_set(struct rw_err *err, enum rw_rc code, const char *fmt, ...) RW_PRINTF(3, 4);

/* As rw_err_set(), with a va_list. */
enum rw_rc rw_err_setv(struct rw_err *err, enum rw_rc code, const char *fmt, va_list ap)
    RW_PRINTF(3, 0);

/* The code's name, "RW_OK", "RW_ENOMEM"..., for logs and tests; never NULL. */
const char *rw_rc_name(enum rw_rc code);

#endif

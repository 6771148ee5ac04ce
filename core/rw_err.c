#include "rw_err.h"

#include <stdio.h>

void
rw_err_clear(struct rw_err *err)
{
    if (err == NULL) {
        return;
    }
    err->code = RW_OK;
    err->msg[0] = '\0';
}

enum rw_rc
rw_err_setv(struct rw_err *err, enum rw_rc code, const char *fmt, va_list ap)
{
    if (err == NULL || err->code != RW_OK || code == RW_OK) {
        return code;
    }
    err->code = code;
    if (vsnprintf(err->msg, sizeof(err->msg), fmt, ap) < 0) {
        err->msg[0] = '\0';
    }
    return code;
}

enum rw_rc
rw_err_set(struct rw_err *err, enum rw_rc code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    code = rw_err_setv(err, code, fmt, ap);
    va_end(ap);
    return code;
}

const char *
rw_rc_name(enum rw_rc code)
{
    static const char *const names[] = {
        [RW_OK] = "RW_OK",
        [RW_ENOMEM] = "RW_ENOMEM",
        [RW_EINVAL] = "RW_EINVAL",
        [RW_EPARSE] = "RW_EPARSE",
        [RW_ETOOBIG] = "RW_ETOOBIG",
        [RW_ECONNECT] = "RW_ECONNECT",
        [RW_ETIMEOUT] = "RW_ETIMEOUT",
        [RW_ETLS] = "RW_ETLS",
        [RW_EHTTP] = "RW_EHTTP",
        [RW_ESTALE] = "RW_ESTALE",
    };

    if ((unsigned)code >= sizeof(names) / sizeof(names[0])) {
        return "RW_E?";
    }
    return names[code];
}

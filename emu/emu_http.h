/*
 * emu_http: the libmicrohttpd side: listeners, request bodies, headers, access log.
 */
#ifndef EMU_HTTP_H
#define EMU_HTTP_H

#include "emu_int.h"
#include "rw_err.h"

#define EMU_ADDR_MAX 80

/* One listening socket and the daemon serving it. */
struct emu_listener {
    struct MHD_Daemon *daemon;
    char addr[EMU_ADDR_MAX]; /* "127.0.0.1:8443" or "[::1]:8443", the bound port */
    int tls;
};

/*
 * Listens on spec ("HOST:PORT" or "[V6]:PORT"; port 0 picks a free one) and starts a
 * daemon answering through ctx (borrowed until emu_http_stop()).  key_pem and
 * cert_pem (NULL: plain HTTP) are borrowed for the daemon's life.  RW_EINVAL for a
 * spec out of shape, RW_ECONNECT when the socket cannot listen, RW_ETLS when the
 * daemon does not start (a bad key or certificate).
 */
RW_MUSTCHECK enum rw_rc emu_http_listen(struct emu_ctx *ctx, const char *spec, const char *key_pem,
                                        const char *cert_pem, struct emu_listener *out,
                                        struct rw_err *err);

/* Checks spec's shape without binding; RW_EINVAL with a message when it is wrong. */
RW_MUSTCHECK enum rw_rc emu_http_check_spec(const char *spec, struct rw_err *err);

/* Stops the daemon (waits for its threads) and closes the socket. */
void emu_http_stop(struct emu_listener *l);

#endif

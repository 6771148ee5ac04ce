/*
 * emu_auth: Basic credentials and the Redfish session table.
 *
 * Not thread-safe: callers hold ctx->lock.  Times are CLOCK_MONOTONIC seconds, passed
 * in so the table never reads a clock itself.
 */
#ifndef EMU_AUTH_H
#define EMU_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "emu_int.h"
#include "rw_err.h"

#define EMU_SESSIONS_MAX 1024 /* whatever --session-limit says */

struct emu_auth;

enum emu_auth_result {
    EMU_AUTH_OK = 0,
    EMU_AUTH_NONE, /* no credentials came */
    EMU_AUTH_BAD,  /* wrong credentials or an unknown or expired token */
    EMU_AUTH_LIMIT /* login refused: the session limit is reached */
};

/* Called with the Id of each session that ends on its own (timeout, forgetting). */
typedef void emu_auth_gone_fn(void *arg, const char *id);

/*
 * A new table (caller frees with emu_auth_free()).  user and password are borrowed
 * for the table's life; user NULL means any credentials are accepted.  limit is
 * capped at EMU_SESSIONS_MAX; timeout is in seconds.  NULL when out of memory.
 */
struct emu_auth *emu_auth_new(const char *user, const char *password, int64_t limit,
                              int64_t timeout, emu_auth_gone_fn *gone, void *gone_arg);

/* Frees the table; NULL is allowed. */
void emu_auth_free(struct emu_auth *auth);

/* True when requests need credentials (a user was configured). */
int emu_auth_required(const struct emu_auth *auth);

/*
 * Checks a request's credentials: a token (may be NULL) or Basic user and password
 * (may be NULL).  A known token is refreshed.  A token that is present but unknown is
 * EMU_AUTH_BAD even when no user is configured.
 */
enum emu_auth_result emu_auth_check(struct emu_auth *auth, const char *token, const char *user,
                                    const char *password, int64_t now);

/*
 * Opens a session with id (the caller's choice): writes its token into
 * token[EMU_TOKEN_LEN + 1].  EMU_AUTH_BAD for wrong credentials, EMU_AUTH_LIMIT when
 * full.
 */
enum emu_auth_result emu_auth_login(struct emu_auth *auth, const char *user, const char *password,
                                    const char *id, int64_t now, char *token);

/* Ends the session with id; false when there is none. */
int emu_auth_logout(struct emu_auth *auth, const char *id);

/* True when the session with this id is one of ours (open). */
int emu_auth_has(const struct emu_auth *auth, const char *id);

/* Ends the sessions idle past the timeout, calling gone for each. */
void emu_auth_expire(struct emu_auth *auth, int64_t now);

/* Ends every session, calling gone for each (a service that restarted). */
void emu_auth_forget_all(struct emu_auth *auth);

#endif

/*
 * rf_session: Redfish session login (DSP0266 "Session management"), the parts that need
 * no server: the login document and the reading of the login reply.  The client
 * (rf_client.h) drives the login, the replay after a 401 and the logout.
 */
#ifndef RF_SESSION_H
#define RF_SESSION_H

#include <stddef.h>

#include "rw_err.h"

/* Where sessions are created, on every Redfish service. */
#define RF_SESSION_PATH "/redfish/v1/SessionService/Sessions"

/* The longest token kept; a longer X-Auth-Token fails the login. */
#define RF_SESSION_TOKEN_MAX 1024

/*
 * Builds the login body {"UserName": user, "Password": pass} (JSON-escaped) into *out;
 * the caller wipes and frees it.  RW_EINVAL for NULL or empty user, NULL pass, or a
 * credential with a NUL-free length over 1 KiB; RW_ENOMEM.
 */
RW_MUSTCHECK enum rw_rc rf_session_login_body(const char *user, const char *pass, char **out,
                                              struct rw_err *err);

/*
 * Reads a login reply from base (rf_http_base() form): status must be 200, 201 or 204;
 * token (the X-Auth-Token header, may be NULL) must be present, printable and at most
 * RF_SESSION_TOKEN_MAX bytes.  The session's path comes from location (a relative path or
 * an absolute URL of the same origin), else from the body's "@odata.id"; none, or one on
 * another origin, gives *path_out NULL (the session cannot be deleted, which is not an
 * error).  *token_out and *path_out are the caller's to free.  RW_EHTTP for a status that
 * is not a success or a missing or bad token; RW_ENOMEM.
 */
RW_MUSTCHECK enum rw_rc rf_session_parse_reply(const char *base, long status, const char *token,
                                               const char *location, const char *body,
                                               size_t body_len, char **token_out, char **path_out,
                                               struct rw_err *err);

#endif

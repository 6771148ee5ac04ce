#include "emu_auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define EMU_ID_MAX 64

struct emu_session {
    char id[EMU_ID_MAX];
    char token[EMU_TOKEN_LEN + 1];
    int64_t last_used;
};

struct emu_auth {
    const char *user;
    const char *password;
    size_t limit;
    int64_t timeout;
    emu_auth_gone_fn *gone;
    void *gone_arg;
    size_t n;
    struct emu_session sessions[EMU_SESSIONS_MAX];
};

struct emu_auth *
emu_auth_new(const char *user, const char *password, int64_t limit, int64_t timeout,
             emu_auth_gone_fn *gone, void *gone_arg)
{
    struct emu_auth *auth = calloc(1, sizeof(*auth));

    if (auth == NULL) {
        return NULL;
    }
    auth->user = user;
    auth->password = password != NULL ? password : "";
    auth->limit = limit > 0 && limit < EMU_SESSIONS_MAX ? (size_t)limit : EMU_SESSIONS_MAX;
    auth->timeout = timeout;
    auth->gone = gone;
    auth->gone_arg = gone_arg;
    return auth;
}

void
emu_auth_free(struct emu_auth *auth)
{
    free(auth);
}

int
emu_auth_required(const struct emu_auth *auth)
{
    return auth->user != NULL;
}

/* Compares two strings in time that depends only on their lengths. */
static int
secret_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), i;
    unsigned char diff = la != lb;

    for (i = 0; i < la && i < lb; i++) {
        diff |= (unsigned char)(a[i] ^ b[i]);
    }
    return diff == 0;
}

/* True when user and password are the configured ones, or no user is configured. */
static int
creds_ok(const struct emu_auth *auth, const char *user, const char *password)
{
    if (auth->user == NULL) {
        return 1;
    }
    if (user == NULL || password == NULL) {
        return 0;
    }
    /* Both compared, so timing does not tell which one was wrong. */
    return secret_equal(user, auth->user) & secret_equal(password, auth->password);
}

/* Removes session i; calls gone when notify is set. */
static void
session_drop(struct emu_auth *auth, size_t i, int notify)
{
    char id[EMU_ID_MAX];

    memcpy(id, auth->sessions[i].id, sizeof(id));
    auth->sessions[i] = auth->sessions[auth->n - 1];
    auth->n--;
    if (notify && auth->gone != NULL) {
        auth->gone(auth->gone_arg, id);
    }
}

enum emu_auth_result
emu_auth_check(struct emu_auth *auth, const char *token, const char *user, const char *password,
               int64_t now)
{
    size_t i;

    emu_auth_expire(auth, now);
    if (token != NULL) {
        for (i = 0; i < auth->n; i++) {
            if (secret_equal(token, auth->sessions[i].token)) {
                auth->sessions[i].last_used = now;
                return EMU_AUTH_OK;
            }
        }
        return EMU_AUTH_BAD;
    }
    if (user == NULL) {
        return auth->user == NULL ? EMU_AUTH_OK : EMU_AUTH_NONE;
    }
    return creds_ok(auth, user, password) ? EMU_AUTH_OK : EMU_AUTH_BAD;
}

/* Fills token with EMU_TOKEN_LEN random hex digits; false when no randomness. */
static int
token_new(char *token)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char raw[EMU_TOKEN_LEN / 2];
    size_t i;

    if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) {
        return 0;
    }
    for (i = 0; i < sizeof(raw); i++) {
        token[2 * i] = hex[raw[i] >> 4];
        token[2 * i + 1] = hex[raw[i] & 15];
    }
    token[EMU_TOKEN_LEN] = '\0';
    return 1;
}

enum emu_auth_result
emu_auth_login(struct emu_auth *auth, const char *user, const char *password, const char *id,
               int64_t now, char *token)
{
    struct emu_session *s;

    emu_auth_expire(auth, now);
    if (!creds_ok(auth, user, password)) {
        return EMU_AUTH_BAD;
    }
    if (auth->n >= auth->limit || strlen(id) >= EMU_ID_MAX) {
        return EMU_AUTH_LIMIT;
    }
    s = &auth->sessions[auth->n];
    if (!token_new(s->token)) {
        return EMU_AUTH_LIMIT;
    }
    (void)snprintf(s->id, sizeof(s->id), "%s", id);
    s->last_used = now;
    auth->n++;
    memcpy(token, s->token, EMU_TOKEN_LEN + 1);
    return EMU_AUTH_OK;
}

int
emu_auth_logout(struct emu_auth *auth, const char *id)
{
    size_t i;

    for (i = 0; i < auth->n; i++) {
        if (strcmp(auth->sessions[i].id, id) == 0) {
            session_drop(auth, i, 0);
            return 1;
        }
    }
    return 0;
}

int
emu_auth_has(const struct emu_auth *auth, const char *id)
{
    size_t i;

    for (i = 0; i < auth->n; i++) {
        if (strcmp(auth->sessions[i].id, id) == 0) {
            return 1;
        }
    }
    return 0;
}

void
emu_auth_expire(struct emu_auth *auth, int64_t now)
{
    size_t i = 0;

    while (i < auth->n) {
        if (now - auth->sessions[i].last_used > auth->timeout) {
            session_drop(auth, i, 1);
        } else {
            i++;
        }
    }
}

void
emu_auth_forget_all(struct emu_auth *auth)
{
    while (auth->n > 0) {
        session_drop(auth, auth->n - 1, 1);
    }
}

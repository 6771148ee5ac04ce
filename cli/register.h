/*
 * register: the pieces of `rackwatch register` (issue 6; DESIGN.md, "The registration
 * helper").  cmd_register.c parses the options and runs the steps; register_steps.c holds
 * the steps 1-9; register_http.c turns the asynchronous Redfish client into the blocking
 * calls the steps make one after the other; register_logic.c is the pure logic (no I/O),
 * tested by tests/unit/test_register.c.
 *
 * Nothing here ever prints, logs or copies a password anywhere but into the one POST body
 * that carries it (which the client wipes when the request is freed).
 */
#ifndef CLI_REGISTER_H
#define CLI_REGISTER_H

#include <stddef.h>

#include "rf_client.h"
#include "rw_buf.h"
#include "rw_err.h"
#include "rw_url.h"

#define CLI_REG_PATH_MAX   512 /* a member or task monitor path kept */
#define CLI_REG_MSG_MAX    256 /* a hub's message kept */
#define CLI_REG_BODY_MAX   (1024 * 1024)
#define CLI_REG_CRED_MAX   1024 /* user name and password bytes in the POST body */
#define CLI_REG_HEALTH_MAX 64

/* The options of one run. */
struct cli_reg_opts {
    const char *config;
    const char *spoke; /* NULL: every spoke */
    int dry_run;
    int force;
    int yes;
    int unregister;
    int update_cert;
    int verbose;
};

/* Runs the steps for the options; prints each step; returns the exit code (CLI_EXIT_*). */
int cli_reg_run(const struct cli_reg_opts *opts);

/* What the hub says of a member. */
enum cli_reg_health {
    CLI_REG_HEALTHY = 0, /* Health OK (or no Status at all: its presence is enough) */
    CLI_REG_PENDING,     /* not yet: Warning, Starting, absent Health with a State ... */
    CLI_REG_CRITICAL,    /* Health Critical, or State Disabled/UnavailableOffline */
    CLI_REG_BAD,         /* not a JSON object */
};

/*
 * Judges a member document (body, len bytes) as the hub returned it.  Writes into msg
 * (size bytes) what the hub said: Status.Conditions[0].Message, else the first
 * @Message.ExtendedInfo Message, else "Health X, State Y".
 */
enum cli_reg_health cli_reg_member_health(const char *body, size_t len, char *msg, size_t size);

/*
 * 1 when hostname, an AggregationSource's HostName as hubs write it ("https://h:p", "h:p",
 * "h", "[v6]:p"), names the same server as url: host compared case-insensitively (IP
 * addresses by value), same port (443 when not written).  0 otherwise, or when it does
 * not parse.
 */
int cli_reg_same_server(const char *hostname, const struct rw_url *url);

/*
 * Builds the registration body {"HostName", "UserName", "Password"} plus
 * "Links": {"ConnectionMethod": {"@odata.id": conn}} when conn is not NULL into *out
 * (the caller wipes and frees it with cli_reg_wipe()).  RW_EINVAL for an empty host name
 * or user name, a NULL password or credentials over CLI_REG_CRED_MAX; RW_ENOMEM.
 */
RW_MUSTCHECK enum rw_rc cli_reg_post_body(const char *hostname, const char *name, const char *user,
                                          const char *password, const char *conn, char **out,
                                          struct rw_err *err);

/* Overwrites s with zeros and frees it; NULL does nothing. */
void cli_reg_wipe(char *s);

/*
 * The path of what a reply points at: its Location header (an absolute path, or an
 * absolute URL whose path is kept), else the body's "@odata.id".  Writes it into out
 * (size bytes) and returns 1; 0 when there is none, it does not fit or is not a path.
 */
int cli_reg_reply_path(const char *location, const char *body, size_t len, char *out, size_t size);

/*
 * The @odata.id of the first member of a collection document, into out (size bytes).
 * 1 when there is one, else 0.
 */
int cli_reg_first_member(const char *body, size_t len, char *out, size_t size);

/*
 * The @odata.id of the link named key of an object document ({"key": {"@odata.id": ..}})
 * into out (size bytes).  1 when there is one, else 0.
 */
int cli_reg_link(const char *body, size_t len, const char *key, char *out, size_t size);

/*
 * What a finished task says (a Task document): 1 when its TaskState is Exception, Killed
 * or Cancelled, with its first Messages[] Message (or the state) in msg; else 0.
 */
int cli_reg_task_failed(const char *body, size_t len, char *msg, size_t size);

/* The worse of two exit codes (0 < 1 < 2 < 3). */
int cli_reg_worst(int a, int b);

/* 1 for an answer that accepts ("y", "yes", any case, blanks around), else 0. */
int cli_reg_answer_yes(const char *line);

#endif

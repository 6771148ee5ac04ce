/* register_logic: the pure logic of rackwatch register (see register.h); no I/O. */
#include "register.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "rw_hubspoke.h"

/* A copy of s into out (size bytes); 0 when it does not fit or s is NULL. */
static int
copy_text(const char *s, char *out, size_t size)
{
    int n;

    if (s == NULL || size == 0) {
        return 0;
    }
    n = snprintf(out, size, "%s", s);
    return n >= 0 && (size_t)n < size;
}

/* The string at obj[key][sub] (sub NULL: obj[key]), borrowed; NULL when absent. */
static const char *
nested_str(struct json_object *obj, const char *key, const char *sub)
{
    struct json_object *v;

    if (obj == NULL || !json_object_object_get_ex(obj, key, &v)) {
        return NULL;
    }
    if (sub == NULL) {
        return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
    }
    return rw_hubspoke_json_str(v, sub);
}

/* The Message of the first entry of the array obj[key], borrowed; NULL when none. */
static const char *
first_message(struct json_object *obj, const char *key)
{
    struct json_object *arr;

    if (obj == NULL || !json_object_object_get_ex(obj, key, &arr) ||
        !json_object_is_type(arr, json_type_array) || json_object_array_length(arr) == 0) {
        return NULL;
    }
    return rw_hubspoke_json_str(json_object_array_get_idx(arr, 0), "Message");
}

/* What the hub said about a member, into msg. */
static void
health_message(struct json_object *doc, struct json_object *status, const char *health,
               const char *state, char *msg, size_t size)
{
    const char *text = first_message(status, "Conditions");

    if (text == NULL) {
        text = first_message(doc, "@Message.ExtendedInfo");
    }
    if (text != NULL) {
        (void)snprintf(msg, size, "%s", text);
    } else {
        (void)snprintf(msg, size, "Health %s, State %s", health != NULL ? health : "(none)",
                       state != NULL ? state : "(none)");
    }
}

enum cli_reg_health
cli_reg_member_health(const char *body, size_t len, char *msg, size_t size)
{
    struct json_object *doc = rw_hubspoke_json_parse(body, len), *status = NULL;
    const char *health, *state;
    enum cli_reg_health verdict;

    (void)snprintf(msg, size, "%s", "not a JSON object");
    if (doc == NULL || !json_object_is_type(doc, json_type_object)) {
        json_object_put(doc);
        return CLI_REG_BAD;
    }
    if (!json_object_object_get_ex(doc, "Status", &status)) {
        (void)snprintf(msg, size, "%s", "no Status reported: present");
        json_object_put(doc);
        return CLI_REG_HEALTHY;
    }
    health = rw_hubspoke_json_str(status, "Health");
    state = rw_hubspoke_json_str(status, "State");
    health_message(doc, status, health, state, msg, size);
    if ((health != NULL && strcmp(health, "Critical") == 0) ||
        (state != NULL &&
         (strcmp(state, "Disabled") == 0 || strcmp(state, "UnavailableOffline") == 0))) {
        verdict = CLI_REG_CRITICAL;
    } else if (health != NULL && strcmp(health, "OK") == 0 &&
               (state == NULL || strcmp(state, "Enabled") == 0)) {
        verdict = CLI_REG_HEALTHY;
    } else {
        verdict = CLI_REG_PENDING;
    }
    json_object_put(doc);
    return verdict;
}

/* 1 when two hosts of the same type name the same server. */
static int
same_host(const struct rw_url *a, const struct rw_url *b)
{
    unsigned char x[16], y[16];
    int af;

    if (a->host_type != b->host_type) {
        return 0;
    }
    if (a->host_type == RW_HOST_DNS) {
        return strcasecmp(a->host, b->host) == 0;
    }
    af = a->host_type == RW_HOST_IPV6 ? AF_INET6 : AF_INET;
    if (inet_pton(af, a->host, x) != 1 || inet_pton(af, b->host, y) != 1) {
        return 0;
    }
    return memcmp(x, y, af == AF_INET6 ? 16 : 4) == 0;
}

int
cli_reg_same_server(const char *hostname, const struct rw_url *url)
{
    struct rw_url member;

    if (hostname == NULL || hostname[0] == '\0' ||
        rw_hubspoke_hostname_parse(hostname, &member, NULL) != RW_OK) {
        return 0;
    }
    return same_host(&member, url) && member.port == url->port;
}

void
cli_reg_wipe(char *s)
{
    if (s != NULL) {
        /* volatile: the compiler may not drop the stores before free(). */
        volatile char *p = s;

        while (*p != '\0') {
            *p++ = '\0';
        }
        free(s);
    }
}

/* Adds "Links": {"ConnectionMethod": {"@odata.id": conn}} to doc; 0 when out of memory. */
static int
add_connection_method(struct json_object *doc, const char *conn)
{
    struct json_object *links = json_object_new_object(), *ref = json_object_new_object();

    if (links == NULL || ref == NULL) {
        json_object_put(links);
        json_object_put(ref);
        return 0;
    }
    if (json_object_object_add(ref, "@odata.id", json_object_new_string(conn)) != 0 ||
        json_object_object_add(links, "ConnectionMethod", ref) != 0) {
        json_object_put(links);
        return 0;
    }
    return json_object_object_add(doc, "Links", links) == 0;
}

enum rw_rc
cli_reg_post_body(const char *hostname, const char *name, const char *user, const char *password,
                  const char *conn, char **out, struct rw_err *err)
{
    struct json_object *doc;
    const char *text;
    enum rw_rc rc = RW_OK;

    *out = NULL;
    if (hostname == NULL || hostname[0] == '\0' || user == NULL || user[0] == '\0' ||
        password == NULL) {
        return rw_err_set(err, RW_EINVAL,
                          "the registration needs a host name, a user name and "
                          "a password");
    }
    if (strlen(user) > CLI_REG_CRED_MAX || strlen(password) > CLI_REG_CRED_MAX) {
        return rw_err_set(err, RW_EINVAL, "user name or password longer than %d bytes",
                          CLI_REG_CRED_MAX);
    }
    doc = json_object_new_object();
    if (doc == NULL ||
        json_object_object_add(doc, "HostName", json_object_new_string(hostname)) != 0 ||
        (name != NULL && json_object_object_add(doc, "Name", json_object_new_string(name)) != 0) ||
        json_object_object_add(doc, "UserName", json_object_new_string(user)) != 0 ||
        json_object_object_add(doc, "Password", json_object_new_string(password)) != 0 ||
        (conn != NULL && !add_connection_method(doc, conn))) {
        rc = rw_err_set(err, RW_ENOMEM, "out of memory");
        goto fail;
    }
    text = json_object_to_json_string_ext(doc,
                                          JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    *out = text != NULL ? strdup(text) : NULL;
    if (*out == NULL) {
        rc = rw_err_set(err, RW_ENOMEM, "out of memory");
    }
fail:
    /* json-c's own copy of the password is freed unwiped: nothing portable wipes it. */
    json_object_put(doc);
    return rc;
}

/* The path part of ref, an absolute path or an absolute http(s) URL; NULL otherwise. */
static const char *
path_of(const char *ref)
{
    const char *p;

    if (ref[0] == '/' && ref[1] != '/') {
        return ref;
    }
    if (strncasecmp(ref, "https://", 8) != 0 && strncasecmp(ref, "http://", 7) != 0) {
        return NULL;
    }
    p = strchr(ref + 8 - (ref[4] == ':'), '/');
    return p;
}

int
cli_reg_reply_path(const char *location, const char *body, size_t len, char *out, size_t size)
{
    struct json_object *doc;
    const char *path = NULL;
    int ok;

    if (location != NULL && location[0] != '\0') {
        path = path_of(location);
        return path != NULL && rw_hubspoke_path_ok(path) && copy_text(path, out, size);
    }
    doc = rw_hubspoke_json_parse(body, len);
    path = rw_hubspoke_json_str(doc, "@odata.id");
    ok = path != NULL && rw_hubspoke_path_ok(path) && copy_text(path, out, size);
    json_object_put(doc);
    return ok;
}

int
cli_reg_first_member(const char *body, size_t len, char *out, size_t size)
{
    struct json_object *doc = rw_hubspoke_json_parse(body, len), *members;
    const char *path = NULL;
    int ok;

    if (doc != NULL && json_object_object_get_ex(doc, "Members", &members) &&
        json_object_is_type(members, json_type_array) && json_object_array_length(members) > 0) {
        path = rw_hubspoke_json_str(json_object_array_get_idx(members, 0), "@odata.id");
    }
    ok = path != NULL && rw_hubspoke_path_ok(path) && copy_text(path, out, size);
    json_object_put(doc);
    return ok;
}

int
cli_reg_link(const char *body, size_t len, const char *key, char *out, size_t size)
{
    struct json_object *doc = rw_hubspoke_json_parse(body, len);
    const char *path = nested_str(doc, key, "@odata.id");
    int ok = path != NULL && rw_hubspoke_path_ok(path) && copy_text(path, out, size);

    json_object_put(doc);
    return ok;
}

int
cli_reg_task_failed(const char *body, size_t len, char *msg, size_t size)
{
    struct json_object *doc = rw_hubspoke_json_parse(body, len);
    const char *state = nested_str(doc, "TaskState", NULL), *text;
    int failed = state != NULL && (strcmp(state, "Exception") == 0 ||
                                   strcmp(state, "Killed") == 0 || strcmp(state, "Cancelled") == 0);

    if (failed) {
        text = first_message(doc, "Messages");
        (void)snprintf(msg, size, "task %s%s%s", state, text != NULL ? ": " : "",
                       text != NULL ? text : "");
    }
    json_object_put(doc);
    return failed;
}

int
cli_reg_worst(int a, int b)
{
    return a > b ? a : b;
}

int
cli_reg_answer_yes(const char *line)
{
    char word[8];
    size_t n = 0;

    while (*line == ' ' || *line == '\t') {
        line++;
    }
    while (*line != '\0' && !isspace((unsigned char)*line)) {
        if (n + 1 >= sizeof(word)) {
            return 0;
        }
        word[n++] = (char)tolower((unsigned char)*line++);
    }
    word[n] = '\0';
    while (*line != '\0' && isspace((unsigned char)*line)) {
        line++;
    }
    return *line == '\0' && (strcmp(word, "y") == 0 || strcmp(word, "yes") == 0);
}

#include "rw_url.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "rw_parse.h"

static int
is_dns_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

/* RFC 1123 host names: labels of 1-63 letters, digits, '-' (and '_', which exists in the
 * wild), not starting or ending with '-'; a trailing dot is allowed. */
static enum rw_rc
check_dns_name(const char *host, struct rw_err *err)
{
    size_t label = 0, i, len = strlen(host);

    if (len == 0) {
        return rw_err_set(err, RW_EPARSE, "empty host name");
    }
    if (len > RW_HOST_MAX - 1) {
        return rw_err_set(err, RW_EPARSE, "host name longer than %d characters", RW_HOST_MAX - 1);
    }
    for (i = 0; i < len; i++) {
        if (host[i] == '.') {
            if (label == 0 || host[i - 1] == '-') {
                return rw_err_set(err, RW_EPARSE, "invalid host name '%s'", host);
            }
            label = 0;
        } else if (!is_dns_char(host[i]) || (label == 0 && host[i] == '-') || ++label > 63) {
            return rw_err_set(err, RW_EPARSE, "invalid host name '%s'", host);
        }
    }
    if (label > 0 && host[len - 1] == '-') {
        return rw_err_set(err, RW_EPARSE, "invalid host name '%s'", host);
    }
    return RW_OK;
}

/* All digits and dots: meant as IPv4, so it must be a valid one ("10.1.0.256" is not). */
static int
looks_like_ipv4(const char *host)
{
    return host[0] != '\0' && strspn(host, "0123456789.") == strlen(host);
}

static enum rw_rc
classify_host(const char *host, struct rw_url *out, struct rw_err *err)
{
    unsigned char addr[16];

    if (strchr(host, ':') != NULL) {
        if (inet_pton(AF_INET6, host, addr) != 1) {
            return rw_err_set(err, RW_EPARSE, "invalid IPv6 address '%s'", host);
        }
        out->host_type = RW_HOST_IPV6;
    } else if (looks_like_ipv4(host)) {
        if (inet_pton(AF_INET, host, addr) != 1) {
            return rw_err_set(err, RW_EPARSE, "invalid IPv4 address '%s'", host);
        }
        out->host_type = RW_HOST_IPV4;
    } else {
        if (check_dns_name(host, err) != RW_OK) {
            return RW_EPARSE;
        }
        out->host_type = RW_HOST_DNS;
    }
    (void)snprintf(out->host, sizeof(out->host), "%s", host);
    return RW_OK;
}

enum rw_rc
rw_url_from_host(const char *host, int port, int tls, struct rw_url *out, struct rw_err *err)
{
    char bare[RW_HOST_MAX];
    size_t len = strlen(host);

    if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
        if (len - 2 >= sizeof(bare) || memchr(host + 1, ':', len - 2) == NULL) {
            return rw_err_set(err, RW_EPARSE, "invalid IPv6 address '%s'", host);
        }
        memcpy(bare, host + 1, len - 2);
        bare[len - 2] = '\0';
    } else if (len >= sizeof(bare)) {
        return rw_err_set(err, RW_EPARSE, "host name longer than %d characters", RW_HOST_MAX - 1);
    } else {
        memcpy(bare, host, len + 1);
    }
    if (port < 1 || port > 65535) {
        return rw_err_set(err, RW_EPARSE, "port %d out of range 1-65535", port);
    }
    out->tls = tls;
    out->port = port;
    return classify_host(bare, out, err);
}

/* Splits "host[:port]" or "[v6][:port]" (the part after "scheme://") into host and port. */
static enum rw_rc
split_authority(const char *auth, char *host, size_t host_len, const char **port,
                struct rw_err *err)
{
    const char *end;
    size_t len;

    *port = NULL;
    if (auth[0] == '[') {
        end = strchr(auth, ']');
        if (end == NULL) {
            return rw_err_set(err, RW_EPARSE, "missing ']' after IPv6 address");
        }
        end++;
        if (*end != '\0' && *end != ':') {
            return rw_err_set(err, RW_EPARSE, "unexpected '%c' after IPv6 address", *end);
        }
    } else {
        end = strchr(auth, ':');
        end = end != NULL ? end : auth + strlen(auth);
    }
    len = (size_t)(end - auth);
    if (len == 0) {
        return rw_err_set(err, RW_EPARSE, "missing host");
    }
    if (len >= host_len) {
        return rw_err_set(err, RW_EPARSE, "host name longer than %d characters", RW_HOST_MAX - 1);
    }
    memcpy(host, auth, len);
    host[len] = '\0';
    if (*end == ':') {
        *port = end + 1;
    }
    return RW_OK;
}

static enum rw_rc
parse_port_text(const char *text, int *port, struct rw_err *err)
{
    enum rw_rc rc = rw_parse_port(text, port);

    if (rc == RW_EINVAL) {
        return rw_err_set(err, RW_EPARSE, "port %s out of range 1-65535", text);
    }
    if (rc != RW_OK) {
        return rw_err_set(err, RW_EPARSE, "invalid port '%s'", text);
    }
    return RW_OK;
}

enum rw_rc
rw_url_parse(const char *text, struct rw_url *out, struct rw_err *err)
{
    char auth[RW_HOST_MAX + 16], host[RW_HOST_MAX + 2];
    const char *rest, *port_text;
    size_t len;
    int tls, port;

    if (strncmp(text, "https://", 8) == 0) {
        tls = 1;
        rest = text + 8;
    } else if (strncmp(text, "http://", 7) == 0) {
        tls = 0;
        rest = text + 7;
    } else {
        const char *sep = strstr(text, "://");

        if (sep == NULL) {
            return rw_err_set(err, RW_EPARSE, "expected https://host[:port], got '%s'", text);
        }
        return rw_err_set(err, RW_EPARSE, "unsupported scheme '%.*s' (use https or http)",
                          (int)(sep - text), text);
    }
    len = strcspn(rest, "/?#@");
    if (rest[len] == '@') {
        return rw_err_set(err, RW_EPARSE,
                          "credentials in the URL are not allowed (use credentials:)");
    }
    if ((rest[len] != '\0' && strcmp(rest + len, "/") != 0)) {
        return rw_err_set(err, RW_EPARSE, "unexpected path '%s': use scheme://host[:port]",
                          rest + len);
    }
    if (len >= sizeof(auth)) {
        return rw_err_set(err, RW_EPARSE, "host name longer than %d characters", RW_HOST_MAX - 1);
    }
    memcpy(auth, rest, len);
    auth[len] = '\0';
    if (auth[0] != '[' && strchr(auth, ':') != strrchr(auth, ':')) {
        return rw_err_set(err, RW_EPARSE, "IPv6 address must be in brackets: [%s]", auth);
    }
    if (split_authority(auth, host, sizeof(host), &port_text, err) != RW_OK) {
        return RW_EPARSE;
    }
    port = tls ? 443 : 80;
    if (port_text != NULL && parse_port_text(port_text, &port, err) != RW_OK) {
        return RW_EPARSE;
    }
    return rw_url_from_host(host, port, tls, out, err);
}

const char *
rw_url_authority(const struct rw_url *url, char *buf, size_t len)
{
    const char *open = url->host_type == RW_HOST_IPV6 ? "[" : "";
    const char *close = url->host_type == RW_HOST_IPV6 ? "]" : "";

    (void)snprintf(buf, len, "%s%s%s:%d", open, url->host, close, url->port);
    return buf;
}

const char *
rw_url_format(const struct rw_url *url, char *buf, size_t len)
{
    char auth[RW_URL_TEXT_MAX];

    (void)snprintf(buf, len, "%s://%s", url->tls ? "https" : "http",
                   rw_url_authority(url, auth, sizeof(auth)));
    return buf;
}

/*
 * rackwatch-poll-floor: the calibration program of bench/poll.sh (FLOOR=1).  The least a
 * poller can do for the same work as `rackwatch poll`: libcurl multi on one thread (its
 * socket API and epoll, as rackwatch), HTTP/1.1 kept alive over HTTPS with a CA file, at
 * most one request in flight per host, every body parsed by json-c (json_tokener_parse_ex,
 * the tree freed at once), for ROUNDS rounds.  Nothing of rackwatch is linked: libcurl,
 * json-c and libc only, so the difference is our own overhead.
 *
 * Usage: rackwatch-poll-floor [OPTIONS] -c CA_FILE BASES_FILE PATHS_FILE
 *
 *   BASES_FILE  one "https://host:port" a line, a host each
 *   PATHS_FILE  one absolute path a line: the resources fetched from every host, in order
 *   -r N        rounds (default 3)
 *   -m N        hosts per multi handle (default 32, as rackwatch's shards)
 *   -u          json-c validates UTF-8
 *   -H          send rackwatch's request headers (Accept, OData-Version, User-Agent)
 *   -U          with -H: the User-Agent in the header list, not CURLOPT_USERAGENT
 *   -B BYTES    CURLOPT_UPLOAD_BUFFERSIZE (libcurl copies each HTTPS request there)
 *   -A          a fresh body buffer per request, as a naive client
 *   -T          a json-c tokener per host (kept across rounds), not one for all
 *   -C          libcurl only connects (CURLOPT_CONNECT_ONLY); each GET is written with
 *               curl_easy_send and its reply read with curl_easy_recv, split at the blank
 *               line and Content-Length (enough for nginx's static replies), as rackwatch
 *               has done since it carries its GETs itself (redfish/rf_conn.c)
 *
 * Requests time out after 600 s, so that runs under valgrind complete.
 *
 * Per round on stdout: "floor round K: R requests (F failed), W s wall, C us CPU per
 * request, I instructions per request, peak RSS M KB".  Instructions are user-space ones
 * from perf_event_open(2), "-" when the kernel refuses.  Exit 0 when every request gave a
 * parsable 200, 1 otherwise, 2 on bad usage.  A benchmark tool, not installed.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/perf_event.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include <curl/curl.h>
#include <json-c/json.h>

#define FLOOR_MAX_FDS    65536
#define FLOOR_LINE_MAX   4096
#define FLOOR_BODY_MAX   (16 << 20)
#define FLOOR_JSON_DEPTH 32

struct floor_multi {
    CURLM *multi;
    int64_t due; /* monotonic ms when curl wants socket_action(TIMEOUT); -1 none */
};

struct floor_host {
    struct floor_multi *m;
    CURL *easy;
    const char *base;
    int next; /* index of the next path to fetch this round */
    char *body;
    size_t len, cap;
    json_tokener *tok; /* -T: this host's own tokener */
    int ready;         /* -C: connected; requests go through curl_easy_send/recv */
    int fd;            /* -C: the connection's socket once ready */
    const char *host;  /* -C: "host:port" for the Host header */
};

struct floor {
    int epfd;
    CURLM **fd_multi; /* which multi owns a socket, by fd */
    struct floor_multi *multis;
    int n_multis;
    struct floor_host *hosts;
    int n_hosts;
    char **bases;
    char **paths;
    int n_paths;
    struct curl_slist *hdrs;
    json_tokener *tok;
    int utf8, fresh_body, ua_in_list, tok_per_host, connect_only;
    struct floor_host **fd_host; /* -C: our own sockets, by fd */
    long upload_buffer;          /* CURLOPT_UPLOAD_BUFFERSIZE; 0: libcurl's default */
    long done, failed;
    char url[FLOOR_LINE_MAX * 2];
};

static int64_t
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Lines of path (trailing newline cut) into *out; the count, -1 on failure. */
static int
read_lines(const char *path, char ***out)
{
    FILE *f = fopen(path, "r");
    char line[FLOOR_LINE_MAX];
    char **v = NULL, **grown;
    int n = 0;

    if (f == NULL) {
        return -1;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        grown = line[0] != '\0' ? realloc(v, sizeof(*v) * (size_t)(n + 1)) : v;
        if (grown == NULL) {
            break;
        }
        v = grown;
        if (line[0] != '\0') {
            v[n++] = strdup(line);
        }
    }
    fclose(f);
    *out = v;
    return n;
}

static size_t
on_body(char *data, size_t size, size_t n, void *arg)
{
    struct floor_host *h = arg;
    size_t add = size * n, cap = h->cap;
    char *grown;

    if (h->len + add + 1 > FLOOR_BODY_MAX) {
        return 0;
    }
    if (h->len + add + 1 > cap) {
        while (cap < h->len + add + 1) {
            cap = cap > 0 ? cap * 2 : 4096;
        }
        grown = realloc(h->body, cap);
        if (grown == NULL) {
            return 0;
        }
        h->body = grown;
        h->cap = cap;
    }
    memcpy(h->body + h->len, data, add);
    h->len += add;
    return add;
}

/* CURLMOPT_SOCKETFUNCTION: the socket's interest in epoll. */
static int
on_socket(CURL *easy, curl_socket_t fd, int what, void *arg, void *sockp)
{
    struct floor *fl = arg;
    struct epoll_event ev = {0};
    struct floor_host *h = NULL;

    (void)sockp;
    if (fd < 0 || fd >= FLOOR_MAX_FDS) {
        return -1;
    }
    if (what == CURL_POLL_REMOVE) {
        (void)epoll_ctl(fl->epfd, EPOLL_CTL_DEL, fd, NULL);
        fl->fd_multi[fd] = NULL;
        return 0;
    }
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&h);
    ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0) | (what & CURL_POLL_OUT ? EPOLLOUT : 0);
    ev.data.fd = fd;
    /* A socket libcurl closed without a REMOVE left the set by itself: MOD then fails. */
    if (fl->fd_multi[fd] != NULL && epoll_ctl(fl->epfd, EPOLL_CTL_MOD, fd, &ev) == 0) {
        return 0;
    }
    fl->fd_multi[fd] = h->m->multi;
    if (epoll_ctl(fl->epfd, EPOLL_CTL_ADD, fd, &ev) == 0) {
        return 0;
    }
    return epoll_ctl(fl->epfd, EPOLL_CTL_MOD, fd, &ev);
}

/* CURLMOPT_TIMERFUNCTION. */
static int
on_timer(CURLM *multi, long ms, void *arg)
{
    struct floor_multi *m = arg;

    (void)multi;
    m->due = ms < 0 ? -1 : now_ms() + ms;
    return 0;
}

static int
easy_setup(struct floor *fl, struct floor_host *h)
{
    CURL *e = curl_easy_init();
    int bad;

    if (e == NULL) {
        return -1;
    }
    h->easy = e;
    bad = curl_easy_setopt(e, CURLOPT_PRIVATE, h) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_WRITEDATA, h) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_CAPATH, NULL) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 600000L) != CURLE_OK;
    if (fl->hdrs != NULL) {
        bad |= curl_easy_setopt(e, CURLOPT_HTTPHEADER, fl->hdrs) != CURLE_OK;
    }
    if (fl->upload_buffer > 0) {
        bad |= curl_easy_setopt(e, CURLOPT_UPLOAD_BUFFERSIZE, fl->upload_buffer) != CURLE_OK;
    }
    if (fl->hdrs != NULL && !fl->ua_in_list) {
        bad |= curl_easy_setopt(e, CURLOPT_USERAGENT, "rackwatch/0.1.0") != CURLE_OK;
    }
    return bad ? -1 : 0;
}

static int co_send(struct floor *fl, struct floor_host *h);

/* Starts h's next path; 0 when there is none left this round. */
static int
host_start(struct floor *fl, struct floor_host *h)
{
    if (h->next >= fl->n_paths) {
        return 0;
    }
    snprintf(fl->url, sizeof(fl->url), "%s%s", h->base, fl->paths[h->next++]);
    if (fl->fresh_body) {
        free(h->body);
        h->body = NULL;
        h->cap = 0;
    }
    h->len = 0;
    if (fl->connect_only && h->ready) {
        return co_send(fl, h);
    }
    if (fl->connect_only) {
        h->next--; /* sent once connected */
    }
    if (curl_easy_setopt(h->easy, CURLOPT_URL, fl->url) != CURLE_OK ||
        curl_multi_add_handle(h->m->multi, h->easy) != CURLM_OK) {
        fl->failed++;
        fl->done++;
        return host_start(fl, h);
    }
    return 1;
}

/* Parses h's body; 0 when it is a whole JSON document. */
static int
parse_body(struct floor *fl, struct floor_host *h)
{
    json_tokener *tok = fl->tok;
    json_object *root;
    int bad;

    if (fl->tok_per_host) {
        if (h->tok == NULL) {
            h->tok = json_tokener_new_ex(FLOOR_JSON_DEPTH);
        }
        tok = h->tok != NULL ? h->tok : fl->tok;
    }
    json_tokener_reset(tok);
    json_tokener_set_flags(tok, fl->utf8 ? JSON_TOKENER_VALIDATE_UTF8 : 0);
    root = json_tokener_parse_ex(tok, h->body != NULL ? h->body : "", (int)h->len);
    bad = root == NULL || json_tokener_get_error(tok) != json_tokener_success;
    json_object_put(root);
    return bad;
}

static void
drain(struct floor *fl, CURLM *multi)
{
    CURLMsg *msg;
    int left;
    struct floor_host *h = NULL;
    long status = 0;

    while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE) {
            continue;
        }
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&h);
        if (fl->connect_only) {
            curl_socket_t s = CURL_SOCKET_BAD;
            struct epoll_event ev = {0};

            curl_easy_getinfo(h->easy, CURLINFO_ACTIVESOCKET, &s);
            if (msg->data.result != CURLE_OK || s == CURL_SOCKET_BAD) {
                fprintf(stderr, "floor: %s: connect: %s\n", h->base,
                        curl_easy_strerror(msg->data.result));
                exit(1);
            }
            h->ready = 1;
            h->fd = (int)s;
            fl->fd_host[s] = h;
            ev.events = EPOLLIN;
            ev.data.fd = (int)s;
            if (epoll_ctl(fl->epfd, EPOLL_CTL_ADD, (int)s, &ev) != 0) {
                (void)epoll_ctl(fl->epfd, EPOLL_CTL_MOD, (int)s, &ev);
            }
            (void)host_start(fl, h);
            continue;
        }
        curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
        if (msg->data.result != CURLE_OK || status != 200 || parse_body(fl, h) != 0) {
            fl->failed++;
            if (fl->failed <= 3) {
                fprintf(stderr, "floor: %s: %s (HTTP %ld)\n", h->base,
                        curl_easy_strerror(msg->data.result), status);
            }
        }
        fl->done++;
        curl_multi_remove_handle(multi, h->easy);
        (void)host_start(fl, h);
    }
}

/* -C: the request of h's current path, written with curl_easy_send. */
static int
co_send(struct floor *fl, struct floor_host *h)
{
    char req[FLOOR_LINE_MAX * 2];
    const char *path = fl->paths[h->next - 1];
    size_t len, sent = 0;
    int n;

    n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\n", path, h->host,
                 fl->hdrs != NULL ? "Accept: application/json\r\nOData-Version: 4.0\r\n"
                                    "User-Agent: rackwatch/0.1.0\r\n"
                                  : "");
    len = (size_t)n;
    while (sent < len) {
        size_t now = 0;
        CURLcode rc = curl_easy_send(h->easy, req + sent, len - sent, &now);

        if (rc != CURLE_OK && rc != CURLE_AGAIN) {
            fprintf(stderr, "floor: %s: send: %s\n", h->base, curl_easy_strerror(rc));
            exit(1);
        }
        sent += now;
    }
    return 1;
}

/* -C: the reply complete in h->body? Then parse it and send the next request. */
static void
co_readable(struct floor *fl, struct floor_host *h)
{
    for (;;) {
        size_t got = 0;
        CURLcode rc;
        char *end;
        long clen, status;

        if (h->cap - h->len < 16384) {
            size_t cap = h->cap > 0 ? h->cap * 2 : 32768;
            char *grown = realloc(h->body, cap);

            if (grown == NULL) {
                fprintf(stderr, "floor: out of memory\n");
                exit(1);
            }
            h->body = grown;
            h->cap = cap;
        }
        rc = curl_easy_recv(h->easy, h->body + h->len, h->cap - h->len - 1, &got);
        if (rc == CURLE_AGAIN) {
            return;
        }
        if (rc != CURLE_OK || got == 0) {
            fprintf(stderr, "floor: %s: recv: %s\n", h->base, curl_easy_strerror(rc));
            exit(1);
        }
        h->len += got;
        h->body[h->len] = '\0';
        end = strstr(h->body, "\r\n\r\n");
        if (end == NULL) {
            continue;
        }
        {
            char *cl = strcasestr(h->body, "\ncontent-length:");
            size_t hdr = (size_t)(end + 4 - h->body);

            clen = cl != NULL ? strtol(cl + 16, NULL, 10) : 0;
            if (h->len < hdr + (size_t)clen) {
                continue;
            }
            status = strtol(h->body + 9, NULL, 10);
            memmove(h->body, h->body + hdr, (size_t)clen);
            h->len = (size_t)clen;
            if (status != 200 || parse_body(fl, h) != 0) {
                fl->failed++;
            }
            fl->done++;
            h->len = 0;
            (void)host_start(fl, h);
            return;
        }
    }
}

/* Earliest curl timer over the multis, as an epoll_wait() timeout. */
static int
wait_ms(const struct floor *fl, int64_t now)
{
    int64_t best = -1;
    int i;

    for (i = 0; i < fl->n_multis; i++) {
        int64_t due = fl->multis[i].due;

        if (due >= 0 && (best < 0 || due < best)) {
            best = due;
        }
    }
    if (best < 0) {
        return 1000;
    }
    return best <= now ? 0 : (int)(best - now);
}

static void
run_timers(struct floor *fl)
{
    int64_t now = now_ms();
    int i, running;

    for (i = 0; i < fl->n_multis; i++) {
        struct floor_multi *m = &fl->multis[i];

        if (m->due >= 0 && m->due <= now) {
            m->due = -1;
            curl_multi_socket_action(m->multi, CURL_SOCKET_TIMEOUT, 0, &running);
            drain(fl, m->multi);
        }
    }
}

static void
run_round(struct floor *fl)
{
    struct epoll_event evs[256];
    long total = (long)fl->n_hosts * fl->n_paths;
    int i, n, running;

    fl->done = fl->failed = 0;
    for (i = 0; i < fl->n_hosts; i++) {
        fl->hosts[i].next = 0;
        (void)host_start(fl, &fl->hosts[i]);
    }
    for (;;) {
        run_timers(fl);
        if (fl->done >= total) {
            break;
        }
        n = epoll_wait(fl->epfd, evs, 256, wait_ms(fl, now_ms()));
        for (i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            int flags = (evs[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
                        (evs[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
                        (evs[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
            CURLM *multi = fl->fd_multi[fd];

            if (fl->connect_only && fl->fd_host[fd] != NULL && multi == NULL) {
                co_readable(fl, fl->fd_host[fd]);
                continue;
            }
            if (multi != NULL) {
                curl_multi_socket_action(multi, fd, flags, &running);
                drain(fl, multi);
            }
        }
    }
}

/* A counter of user-space instructions of this process; -1 when refused. */
static int
insn_counter(void)
{
    struct perf_event_attr a;

    memset(&a, 0, sizeof(a));
    a.type = PERF_TYPE_HARDWARE;
    a.size = sizeof(a);
    a.config = PERF_COUNT_HW_INSTRUCTIONS;
    a.exclude_kernel = 1;
    a.exclude_hv = 1;
    return (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
}

static uint64_t
insn_read(int fd)
{
    uint64_t v = 0;

    if (fd < 0 || read(fd, &v, sizeof(v)) != (ssize_t)sizeof(v)) {
        return 0;
    }
    return v;
}

static double
cpu_s(struct rusage *ru)
{
    getrusage(RUSAGE_SELF, ru);
    return (double)ru->ru_utime.tv_sec + ru->ru_utime.tv_usec / 1e6 + ru->ru_stime.tv_sec +
           ru->ru_stime.tv_usec / 1e6;
}

static void
report_round(struct floor *fl, int round, int insn_fd)
{
    struct rusage ru;
    double c0 = cpu_s(&ru), c1;
    uint64_t i0 = insn_read(insn_fd), i1;
    int64_t t0 = now_ms(), t1;
    char insn[32] = "-";

    run_round(fl);
    t1 = now_ms();
    c1 = cpu_s(&ru);
    i1 = insn_read(insn_fd);
    if (insn_fd >= 0 && fl->done > 0) {
        snprintf(insn, sizeof(insn), "%.0f", (double)(i1 - i0) / (double)fl->done);
    }
    printf("floor round %d: %ld requests (%ld failed), %.3f s wall, %.1f us CPU per request, "
           "%s instructions per request, peak RSS %ld KB\n",
           round, fl->done, fl->failed, (double)(t1 - t0) / 1000.0,
           fl->done > 0 ? (c1 - c0) * 1e6 / (double)fl->done : 0.0, insn, ru.ru_maxrss);
    fflush(stdout);
}

static int
setup_multis(struct floor *fl, int per_multi)
{
    int i;

    fl->n_multis = (fl->n_hosts + per_multi - 1) / per_multi;
    fl->multis = calloc((size_t)fl->n_multis, sizeof(*fl->multis));
    fl->fd_multi = calloc(FLOOR_MAX_FDS, sizeof(*fl->fd_multi));
    fl->fd_host = calloc(FLOOR_MAX_FDS, sizeof(*fl->fd_host));
    if (fl->multis == NULL || fl->fd_multi == NULL) {
        return -1;
    }
    for (i = 0; i < fl->n_multis; i++) {
        CURLM *m = curl_multi_init();

        fl->multis[i].multi = m;
        fl->multis[i].due = -1;
        if (m == NULL || curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, on_socket) != CURLM_OK ||
            curl_multi_setopt(m, CURLMOPT_SOCKETDATA, fl) != CURLM_OK ||
            curl_multi_setopt(m, CURLMOPT_TIMERFUNCTION, on_timer) != CURLM_OK ||
            curl_multi_setopt(m, CURLMOPT_TIMERDATA, &fl->multis[i]) != CURLM_OK ||
            curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)per_multi) != CURLM_OK) {
            return -1;
        }
    }
    return 0;
}

static int
setup_hosts(struct floor *fl, const char *ca, int per_multi)
{
    int i;

    fl->hosts = calloc((size_t)fl->n_hosts, sizeof(*fl->hosts));
    if (fl->hosts == NULL || setup_multis(fl, per_multi) != 0) {
        return -1;
    }
    for (i = 0; i < fl->n_hosts; i++) {
        struct floor_host *h = &fl->hosts[i];

        h->base = fl->bases[i];
        h->m = &fl->multis[i / per_multi];
        if (easy_setup(fl, h) != 0 || curl_easy_setopt(h->easy, CURLOPT_CAINFO, ca) != CURLE_OK) {
            return -1;
        }
        h->host = strstr(h->base, "://") != NULL ? strstr(h->base, "://") + 3 : h->base;
        if (fl->connect_only) {
            (void)curl_easy_setopt(h->easy, CURLOPT_CONNECT_ONLY, 1L);
            (void)curl_easy_setopt(h->easy, CURLOPT_MAXAGE_CONN, 1000000L);
        }
    }
    return 0;
}

static int
usage(void)
{
    fprintf(stderr, "usage: rackwatch-poll-floor [-r ROUNDS] [-m HOSTS_PER_MULTI] [-u] [-H] [-U] "
                    "[-A] [-T] [-C] [-B BYTES] -c CA_FILE BASES_FILE PATHS_FILE\n");
    return 2;
}

static int
parse_args(int argc, char **argv, struct floor *fl, const char **ca, int *rounds, int *per)
{
    int opt;

    while ((opt = getopt(argc, argv, "c:r:m:B:uHAUTC")) != -1) {
        if (opt == 'c') {
            *ca = optarg;
        } else if (opt == 'r') {
            *rounds = (int)strtol(optarg, NULL, 10);
        } else if (opt == 'B') {
            fl->upload_buffer = strtol(optarg, NULL, 10);
        } else if (opt == 'm') {
            *per = (int)strtol(optarg, NULL, 10);
        } else if (opt == 'u') {
            fl->utf8 = 1;
        } else if (opt == 'C') {
            fl->connect_only = 1;
        } else if (opt == 'T') {
            fl->tok_per_host = 1;
        } else if (opt == 'A') {
            fl->fresh_body = 1;
        } else if (opt == 'H') {
            fl->hdrs = curl_slist_append(curl_slist_append(NULL, "Accept: application/json"),
                                         "OData-Version: 4.0");
        } else if (opt == 'U') {
            fl->ua_in_list = 1;
            fl->hdrs = curl_slist_append(fl->hdrs, "User-Agent: rackwatch/0.1.0");
        } else {
            return -1;
        }
    }
    if (*ca == NULL || argc - optind != 2 || *rounds < 1 || *per < 1) {
        return -1;
    }
    fl->n_hosts = read_lines(argv[optind], &fl->bases);
    fl->n_paths = read_lines(argv[optind + 1], &fl->paths);
    return fl->n_hosts > 0 && fl->n_paths > 0 ? 0 : -1;
}

int
main(int argc, char **argv)
{
    static struct floor fl;
    const char *ca = NULL;
    int rounds = 3, per = 32, r, insn_fd, bad = 0;

    if (parse_args(argc, argv, &fl, &ca, &rounds, &per) != 0) {
        return usage();
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        return 1;
    }
    fl.epfd = epoll_create1(EPOLL_CLOEXEC);
    fl.tok = json_tokener_new_ex(FLOOR_JSON_DEPTH);
    if (fl.epfd < 0 || fl.tok == NULL || setup_hosts(&fl, ca, per) != 0) {
        fprintf(stderr, "floor: setup failed\n");
        return 1;
    }
    insn_fd = insn_counter();
    for (r = 1; r <= rounds; r++) {
        report_round(&fl, r, insn_fd);
        bad |= fl.failed > 0;
    }
    /* The process ends here: the kernel takes the rest back. */
    return bad;
}

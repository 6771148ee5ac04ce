#include "rs_loop.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/library/large_fd_set.h>

/* A watched fd; slots are indexed by the fd itself so lookups during dispatch are O(1). */
struct watch {
    rs_fd_fn *cb;
    void *ctx;
    short events;
};

/* What one entry of the pass's pollfd array stands for. */
enum source {
    SOURCE_SNMP,
    SOURCE_WATCH,
};

struct rs_loop {
    struct watch *watches; /* indexed by fd; cb == NULL: not watched */
    int watch_cap;
    int watch_count;
    struct rs_timer *timers; /* armed timers, unsorted; the daemon has a handful */
    struct pollfd *pfds;     /* this pass's poll set */
    enum source *sources;
    int pfd_cap;
    netsnmp_large_fd_set snmp_fds;
};

int64_t
rs_now_ms(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

enum rw_rc
rs_loop_new(struct rs_loop **out, struct rw_err *err)
{
    struct rs_loop *loop = calloc(1, sizeof(*loop));

    *out = NULL;
    if (loop == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory creating the event loop");
    }
    netsnmp_large_fd_set_init(&loop->snmp_fds, FD_SETSIZE);
    *out = loop;
    return RW_OK;
}

void
rs_loop_free(struct rs_loop *loop)
{
    if (loop == NULL) {
        return;
    }
    netsnmp_large_fd_set_cleanup(&loop->snmp_fds);
    free(loop->watches);
    free(loop->pfds);
    free(loop->sources);
    free(loop);
}

/* Grows the fd-indexed watch table to hold fd. */
static enum rw_rc
grow_watches(struct rs_loop *loop, int fd, struct rw_err *err)
{
    int cap = loop->watch_cap != 0 ? loop->watch_cap : 64;
    struct watch *grown;

    while (cap <= fd) {
        cap *= 2;
    }
    grown = realloc(loop->watches, (size_t)cap * sizeof(*grown));
    if (grown == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory watching fd %d", fd);
    }
    memset(grown + loop->watch_cap, 0, (size_t)(cap - loop->watch_cap) * sizeof(*grown));
    loop->watches = grown;
    loop->watch_cap = cap;
    return RW_OK;
}

enum rw_rc
rs_loop_watch(struct rs_loop *loop, int fd, short events, rs_fd_fn *cb, void *ctx,
              struct rw_err *err)
{
    struct watch *slot;

    if (fd < 0 || cb == NULL) {
        return rw_err_set(err, RW_EINVAL, "cannot watch fd %d", fd);
    }
    if (fd >= loop->watch_cap && grow_watches(loop, fd, err) != RW_OK) {
        return RW_ENOMEM;
    }
    slot = &loop->watches[fd];
    if (slot->cb == NULL) {
        loop->watch_count++;
    }
    slot->cb = cb;
    slot->ctx = ctx;
    slot->events = events;
    return RW_OK;
}

void
rs_loop_unwatch(struct rs_loop *loop, int fd)
{
    if (fd < 0 || fd >= loop->watch_cap || loop->watches[fd].cb == NULL) {
        return;
    }
    loop->watches[fd].cb = NULL;
    loop->watch_count--;
}

void
rs_timer_init(struct rs_timer *timer, rs_timer_fn *cb, void *ctx)
{
    memset(timer, 0, sizeof(*timer));
    timer->cb = cb;
    timer->ctx = ctx;
}

void
rs_timer_disarm(struct rs_loop *loop, struct rs_timer *timer)
{
    struct rs_timer **link;

    if (!timer->armed) {
        return;
    }
    for (link = &loop->timers; *link != NULL; link = &(*link)->next) {
        if (*link == timer) {
            *link = timer->next;
            break;
        }
    }
    timer->armed = 0;
    timer->next = NULL;
}

void
rs_timer_arm(struct rs_loop *loop, struct rs_timer *timer, int64_t delay_ms)
{
    rs_timer_disarm(loop, timer);
    timer->due_ms = rs_now_ms() + (delay_ms > 0 ? delay_ms : 0);
    timer->armed = 1;
    timer->next = loop->timers;
    loop->timers = timer;
}

/* Fires every timer due by now.  A callback may re-arm itself: it then waits a pass. */
static void
run_due_timers(struct rs_loop *loop)
{
    int64_t now = rs_now_ms();
    struct rs_timer *timer;
    int fired;

    do {
        fired = 0;
        for (timer = loop->timers; timer != NULL; timer = timer->next) {
            if (timer->due_ms <= now) {
                rs_timer_disarm(loop, timer);
                timer->cb(timer->ctx);
                fired = 1;
                break; /* the list may have changed under us; rescan */
            }
        }
    } while (fired);
}

/* Milliseconds until the first armed timer, at most cap. */
static int
timer_wait_ms(const struct rs_loop *loop, int cap)
{
    int64_t now = rs_now_ms(), wait = cap;
    const struct rs_timer *timer;

    for (timer = loop->timers; timer != NULL; timer = timer->next) {
        if (timer->due_ms - now < wait) {
            wait = timer->due_ms - now;
        }
    }
    return wait < 0 ? 0 : (int)wait;
}

static enum rw_rc
reserve_pfds(struct rs_loop *loop, int need, struct rw_err *err)
{
    struct pollfd *pfds;
    enum source *sources;

    if (need <= loop->pfd_cap) {
        return RW_OK;
    }
    pfds = realloc(loop->pfds, (size_t)need * sizeof(*pfds));
    if (pfds == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory polling %d fds", need);
    }
    loop->pfds = pfds;
    sources = realloc(loop->sources, (size_t)need * sizeof(*sources));
    if (sources == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory polling %d fds", need);
    }
    loop->sources = sources;
    loop->pfd_cap = need;
    return RW_OK;
}

static void
add_pfd(struct rs_loop *loop, int *count, int fd, short events, enum source source)
{
    loop->pfds[*count].fd = fd;
    loop->pfds[*count].events = events;
    loop->pfds[*count].revents = 0;
    loop->sources[*count] = source;
    (*count)++;
}

/*
 * Builds this pass's poll set from Net-SNMP's fds and the watched ones; *wait_ms is
 * lowered to what Net-SNMP's own timers (retransmissions, AgentX pings) need.
 */
static enum rw_rc
build_poll_set(struct rs_loop *loop, int *count, int *wait_ms, struct rw_err *err)
{
    struct timeval tv = {.tv_sec = 0, .tv_usec = 0};
    int numfds = 0, block = 1, fd;

    NETSNMP_LARGE_FD_ZERO(&loop->snmp_fds);
    (void)snmp_select_info2(&numfds, &loop->snmp_fds, &tv, &block);
    if (!block) {
        int64_t snmp_ms = (int64_t)tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000;

        if (snmp_ms < *wait_ms) {
            *wait_ms = (int)snmp_ms;
        }
    }
    if (reserve_pfds(loop, numfds + loop->watch_count, err) != RW_OK) {
        return RW_ENOMEM;
    }
    *count = 0;
    for (fd = 0; fd < numfds; fd++) {
        if (NETSNMP_LARGE_FD_ISSET(fd, &loop->snmp_fds)) {
            add_pfd(loop, count, fd, POLLIN, SOURCE_SNMP);
        }
    }
    for (fd = 0; fd < loop->watch_cap; fd++) {
        if (loop->watches[fd].cb != NULL) {
            add_pfd(loop, count, fd, loop->watches[fd].events, SOURCE_WATCH);
        }
    }
    return RW_OK;
}

/* Hands the readable Net-SNMP fds to snmp_read2, or lets it time out its requests. */
static void
serve_snmp(struct rs_loop *loop, int count)
{
    int i, readable = 0;

    NETSNMP_LARGE_FD_ZERO(&loop->snmp_fds);
    for (i = 0; i < count; i++) {
        if (loop->sources[i] == SOURCE_SNMP && loop->pfds[i].revents != 0) {
            NETSNMP_LARGE_FD_SET(loop->pfds[i].fd, &loop->snmp_fds);
            readable = 1;
        }
    }
    if (readable) {
        snmp_read2(&loop->snmp_fds);
    } else {
        snmp_timeout();
    }
    run_alarms();
    netsnmp_check_outstanding_agent_requests();
}

/* Calls the callbacks of watched fds that are ready and still watched. */
static void
serve_watches(struct rs_loop *loop, int count)
{
    int i, fd;

    for (i = 0; i < count; i++) {
        fd = loop->pfds[i].fd;
        if (loop->sources[i] != SOURCE_WATCH || loop->pfds[i].revents == 0 ||
            fd >= loop->watch_cap || loop->watches[fd].cb == NULL) {
            continue;
        }
        loop->watches[fd].cb(loop->watches[fd].ctx, fd, loop->pfds[i].revents);
    }
}

enum rw_rc
rs_loop_run_once(struct rs_loop *loop, int max_wait_ms, struct rw_err *err)
{
    int count = 0, wait_ms, ready;

    wait_ms = timer_wait_ms(loop, max_wait_ms);
    if (build_poll_set(loop, &count, &wait_ms, err) != RW_OK) {
        return RW_ENOMEM;
    }
    ready = poll(loop->pfds, (nfds_t)count, wait_ms);
    if (ready < 0 && errno != EINTR) {
        return rw_err_set(err, RW_EINVAL, "poll: %s", strerror(errno));
    }
    serve_snmp(loop, ready > 0 ? count : 0);
    if (ready > 0) {
        serve_watches(loop, count);
    }
    run_due_timers(loop);
    return RW_OK;
}

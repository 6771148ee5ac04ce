/*
 * rs_loop: the daemon's one event loop.
 *
 * One thread, one poll(2) per pass over three kinds of sources: Net-SNMP's own file
 * descriptors (re-queried with snmp_select_info2 on every pass, so AgentX reconnects and
 * new sessions are picked up), file descriptors that other modules watch (libcurl's
 * sockets, the signalfd), and timers on CLOCK_MONOTONIC.  Nothing here blocks but poll().
 *
 * Callbacks run on the loop's thread.  A callback may watch, unwatch, arm and disarm
 * anything, including itself.
 */
#ifndef RS_LOOP_H
#define RS_LOOP_H

#include <stdint.h>

#include "rw_err.h"

struct rs_loop;

/* Called with the poll(2) revents of a watched fd. */
typedef void rs_fd_fn(void *ctx, int fd, short revents);

/* Called once when an armed timer is due; the timer is disarmed before the call. */
typedef void rs_timer_fn(void *ctx);

/* A timer lives in its owner's storage; the loop links it while armed. */
struct rs_timer {
    rs_timer_fn *cb;
    void *ctx;
    int64_t due_ms; /* monotonic milliseconds; meaningful while armed */
    int armed;
    struct rs_timer *next;
};

/* Creates a loop.  The caller frees it with rs_loop_free(). */
RW_MUSTCHECK enum rw_rc rs_loop_new(struct rs_loop **out, struct rw_err *err);

/* Frees the loop; watched fds are not closed (their owners close them). NULL is fine. */
void rs_loop_free(struct rs_loop *loop);

/*
 * Watches fd for events (POLLIN, POLLOUT or both); calling it again for the same fd
 * replaces events, cb and ctx.  RW_ENOMEM, RW_EINVAL for a negative fd.
 */
RW_MUSTCHECK enum rw_rc rs_loop_watch(struct rs_loop *loop, int fd, short events, rs_fd_fn *cb,
                                      void *ctx, struct rw_err *err);

/* Stops watching fd; nothing happens when it was not watched. */
void rs_loop_unwatch(struct rs_loop *loop, int fd);

/* Prepares a disarmed timer in the caller's storage. */
void rs_timer_init(struct rs_timer *timer, rs_timer_fn *cb, void *ctx);

/* Arms timer to fire in delay_ms (0: on the next pass); re-arming moves it. */
void rs_timer_arm(struct rs_loop *loop, struct rs_timer *timer, int64_t delay_ms);

/* Disarms timer; nothing happens when it is not armed. */
void rs_timer_disarm(struct rs_loop *loop, struct rs_timer *timer);

/* Milliseconds on CLOCK_MONOTONIC. */
int64_t rs_now_ms(void);

/*
 * Runs one pass: waits at most max_wait_ms (or less when a timer or Net-SNMP wants
 * it), then serves Net-SNMP, watched fds and due timers.  RW_OK, or the poll(2) error
 * other than EINTR.
 */
RW_MUSTCHECK enum rw_rc rs_loop_run_once(struct rs_loop *loop, int max_wait_ms, struct rw_err *err);

#endif

/*
 * rw_log: levelled logging through a sink that main() chooses.  Libraries never print;
 * they log through the struct rw_log their caller hands them (NULL: silent).
 */
#ifndef RW_LOG_H
#define RW_LOG_H

#include "rw_err.h"

enum rw_log_level {
    RW_LOG_ERR = 0,
    RW_LOG_WARNING,
    RW_LOG_NOTICE,
    RW_LOG_INFO,
    RW_LOG_DEBUG,
};

/* A sink receives one formatted line without its newline. */
typedef void rw_log_sink_fn(void *ctx, enum rw_log_level level, const char *line);

struct rw_log {
    enum rw_log_level level; /* messages above this level are dropped */
    rw_log_sink_fn *sink;
    void *ctx;
    const char *ident; /* program name, prefixed by the stderr sink */
};

/* Sets up log to write to stderr as "ident: level: message". */
void rw_log_init_stderr(struct rw_log *log, const char *ident, enum rw_log_level level);

/* Sets up log to write to syslog(3) under ident, facility daemon; opens the log. */
void rw_log_init_syslog(struct rw_log *log, const char *ident, enum rw_log_level level);

/* Logs one line at level; log may be NULL (nothing happens). */
void rw_log(const struct rw_log *log, enum rw_log_level level, const char *fmt, ...)
    RW_PRINTF(3, 4);

/* True when a message at level would be written; to skip building costly messages. */
int rw_log_enabled(const struct rw_log *log, enum rw_log_level level);

/* The level's lower-case name: "error", "warning", "notice", "info", "debug". */
const char *rw_log_level_name(enum rw_log_level level);

/* Parses a level name as rw_log_level_name() prints it.  RW_EINVAL for others. */
RW_MUSTCHECK enum rw_rc rw_log_level_parse(const char *name, enum rw_log_level *out);

#endif

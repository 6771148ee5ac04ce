#include "rw_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

static const char *const level_names[] = {"error", "warning", "notice", "info", "debug"};

const char *
rw_log_level_name(enum rw_log_level level)
{
    if ((unsigned)level >= sizeof(level_names) / sizeof(level_names[0])) {
        return "debug";
    }
    return level_names[level];
}

enum rw_rc
rw_log_level_parse(const char *name, enum rw_log_level *out)
{
    size_t i;

    for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
        if (strcmp(name, level_names[i]) == 0) {
            *out = (enum rw_log_level)i;
            return RW_OK;
        }
    }
    return RW_EINVAL;
}

static void
sink_stderr(void *ctx, enum rw_log_level level, const char *line)
{
    const struct rw_log *log = ctx;

    (void)fprintf(stderr, "%s: %s: %s\n", log->ident, rw_log_level_name(level), line);
}

static void
sink_syslog(void *ctx, enum rw_log_level level, const char *line)
{
    static const int priorities[] = {LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG};

    (void)ctx;
    syslog(priorities[level], "%s", line);
}

void
rw_log_init_stderr(struct rw_log *log, const char *ident, enum rw_log_level level)
{
    log->level = level;
    log->sink = sink_stderr;
    log->ctx = log;
    log->ident = ident;
}

void
rw_log_init_syslog(struct rw_log *log, const char *ident, enum rw_log_level level)
{
    log->level = level;
    log->sink = sink_syslog;
    log->ctx = NULL;
    log->ident = ident;
    openlog(ident, LOG_PID, LOG_DAEMON);
}

int
rw_log_enabled(const struct rw_log *log, enum rw_log_level level)
{
    return log != NULL && log->sink != NULL && level <= log->level;
}

void
rw_log(const struct rw_log *log, enum rw_log_level level, const char *fmt, ...)
{
    char line[1024];
    va_list ap;

    if (!rw_log_enabled(log, level)) {
        return;
    }
    va_start(ap, fmt);
    if (vsnprintf(line, sizeof(line), fmt, ap) < 0) {
        line[0] = '\0';
    }
    va_end(ap);
    log->sink(log->ctx, level, line);
}

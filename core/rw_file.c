#include "rw_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum rw_rc
rw_file_read(const char *path, struct rw_buf *buf, struct rw_err *err)
{
    char chunk[8192];
    ssize_t got;
    enum rw_rc rc = RW_OK;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        return rw_err_set(err, RW_EINVAL, "%s: cannot read: %s", path, strerror(errno));
    }
    while ((got = read(fd, chunk, sizeof(chunk))) != 0) {
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got < 0) {
            rc = rw_err_set(err, RW_EINVAL, "%s: cannot read: %s", path, strerror(errno));
            break;
        }
        rc = rw_buf_add(buf, chunk, (size_t)got);
        if (rc != RW_OK) {
            rc = rw_err_set(err, rc, "%s: %s", path,
                            rc == RW_ETOOBIG ? "file too large" : "out of memory");
            break;
        }
    }
    (void)close(fd);
    return rc;
}

static enum rw_rc
write_all(int fd, const char *data, size_t len)
{
    ssize_t done;

    while (len > 0) {
        done = write(fd, data, len);
        if (done < 0 && errno == EINTR) {
            continue;
        }
        if (done <= 0) {
            return RW_EINVAL;
        }
        data += done;
        len -= (size_t)done;
    }
    return RW_OK;
}

/* Flushes the directory that holds path, so that the rename survives a crash. */
static void
sync_parent(const char *path)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    int fd;

    if (slash == NULL) {
        (void)snprintf(dir, sizeof(dir), ".");
    } else {
        (void)snprintf(dir, sizeof(dir), "%.*s", (int)(slash == path ? 1 : slash - path), path);
    }
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        (void)close(fd);
    }
}

enum rw_rc
rw_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
                     struct rw_err *err)
{
    char tmp[PATH_MAX];
    int fd;

    if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp)) {
        return rw_err_set(err, RW_EINVAL, "%s: path too long", path);
    }
    fd = mkstemp(tmp);
    if (fd < 0) {
        return rw_err_set(err, RW_EINVAL, "%s: cannot create a temporary file: %s", path,
                          strerror(errno));
    }
    if (fchmod(fd, mode) != 0 || write_all(fd, data, len) != RW_OK || fsync(fd) != 0) {
        int saved = errno;

        (void)close(fd);
        (void)unlink(tmp);
        return rw_err_set(err, RW_EINVAL, "%s: cannot write: %s", path, strerror(saved));
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) {
        int saved = errno;

        (void)unlink(tmp);
        return rw_err_set(err, RW_EINVAL, "%s: cannot replace: %s", path, strerror(saved));
    }
    sync_parent(path);
    return RW_OK;
}

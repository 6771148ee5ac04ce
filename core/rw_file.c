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
rw_file_atomic_open(struct rw_file_atomic *file, const char *path, mode_t mode, struct rw_err *err)
{
    file->fd = -1;
    file->error = 0;
    if (snprintf(file->path, sizeof(file->path), "%s", path) >= (int)sizeof(file->path) ||
        snprintf(file->tmp, sizeof(file->tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(file->tmp)) {
        return rw_err_set(err, RW_EINVAL, "%s: path too long", path);
    }
    file->fd = mkstemp(file->tmp);
    if (file->fd < 0) {
        return rw_err_set(err, RW_EINVAL, "%s: cannot create a temporary file: %s", path,
                          strerror(errno));
    }
    if (fchmod(file->fd, mode) != 0) {
        file->error = errno;
    }
    return RW_OK;
}

enum rw_rc
rw_file_atomic_write(struct rw_file_atomic *file, const void *data, size_t len)
{
    const char *p = data;
    ssize_t done;

    while (file->error == 0 && len > 0) {
        done = write(file->fd, p, len);
        if (done < 0 && errno == EINTR) {
            continue;
        }
        if (done <= 0) {
            file->error = done < 0 ? errno : EIO;
            break;
        }
        p += done;
        len -= (size_t)done;
    }
    return file->error == 0 ? RW_OK : RW_EINVAL;
}

void
rw_file_atomic_abort(struct rw_file_atomic *file)
{
    if (file->fd >= 0) {
        (void)close(file->fd);
        (void)unlink(file->tmp);
        file->fd = -1;
    }
}

enum rw_rc
rw_file_atomic_commit(struct rw_file_atomic *file, struct rw_err *err)
{
    int fd = file->fd;

    file->fd = -1;
    if (file->error == 0 && fsync(fd) != 0) {
        file->error = errno;
    }
    if (close(fd) != 0 && file->error == 0) {
        file->error = errno;
    }
    if (file->error != 0) {
        (void)unlink(file->tmp);
        return rw_err_set(err, RW_EINVAL, "%s: cannot write: %s", file->path,
                          strerror(file->error));
    }
    if (rename(file->tmp, file->path) != 0) {
        file->error = errno;
        (void)unlink(file->tmp);
        return rw_err_set(err, RW_EINVAL, "%s: cannot replace: %s", file->path,
                          strerror(file->error));
    }
    sync_parent(file->path);
    return RW_OK;
}

enum rw_rc
rw_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
                     struct rw_err *err)
{
    struct rw_file_atomic file;

    if (rw_file_atomic_open(&file, path, mode, err) != RW_OK) {
        return RW_EINVAL;
    }
    if (rw_file_atomic_write(&file, data, len) != RW_OK) {
        rw_file_atomic_abort(&file);
        return rw_err_set(err, RW_EINVAL, "%s: cannot write: %s", path, strerror(file.error));
    }
    return rw_file_atomic_commit(&file, err);
}

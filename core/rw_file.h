/*
 * rw_file: whole-file reads with a cap, and atomic replacement.
 */
#ifndef RW_FILE_H
#define RW_FILE_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "rw_buf.h"
#include "rw_err.h"

/*
 * Reads the whole file at path into buf (initialised by the caller; its cap is the
 * limit).  RW_ETOOBIG when the file is larger than the cap, RW_EINVAL when it cannot
 * be opened or read (the message names the file and strerror), RW_ENOMEM.
 */
RW_MUSTCHECK enum rw_rc rw_file_read(const char *path, struct rw_buf *buf, struct rw_err *err);

/*
 * Replaces the file at path with len bytes of data, atomically: a temporary file in the
 * same directory is written, flushed to disk and renamed over path, then the directory
 * is flushed.  On any failure (disk full among them) the previous file is left exactly as
 * it was and the temporary file removed.  mode is the new file's permission bits.
 */
RW_MUSTCHECK enum rw_rc rw_file_write_atomic(const char *path, const void *data, size_t len,
                                             mode_t mode, struct rw_err *err);

/*
 * The same replacement written in pieces, for documents too large to hold whole (the
 * daemon's snapshot and index registry): rw_file_atomic_open(), any number of
 * rw_file_atomic_write(), then rw_file_atomic_commit() or rw_file_atomic_abort().
 * The struct is the caller's storage; nothing in it is to be read but error.
 */
struct rw_file_atomic {
    char path[PATH_MAX];
    char tmp[PATH_MAX];
    int fd;    /* the temporary file; -1 once committed or aborted */
    int error; /* errno of the first failed write, 0 when none failed */
};

/*
 * Creates the temporary file beside path with permission bits mode.  RW_EINVAL "PATH:
 * path too long" or "PATH: cannot create a temporary file: why"; nothing to undo then.
 */
RW_MUSTCHECK enum rw_rc rw_file_atomic_open(struct rw_file_atomic *file, const char *path,
                                            mode_t mode, struct rw_err *err);

/* Appends len bytes.  RW_EINVAL when this or an earlier write failed (errno in error). */
RW_MUSTCHECK enum rw_rc rw_file_atomic_write(struct rw_file_atomic *file, const void *data,
                                             size_t len);

/*
 * Flushes the file to disk and renames it over path, then flushes the directory.  On
 * failure — an earlier write's included — the temporary file is removed, the previous
 * file is left as it was, and RW_EINVAL says "PATH: cannot write: why" or "PATH: cannot
 * replace: why".
 */
RW_MUSTCHECK enum rw_rc rw_file_atomic_commit(struct rw_file_atomic *file, struct rw_err *err);

/* Removes the temporary file: the writer gave up, the previous file stays. */
void rw_file_atomic_abort(struct rw_file_atomic *file);

#endif

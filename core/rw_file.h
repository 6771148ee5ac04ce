/*
 * rw_file: whole-file reads with a cap, and atomic replacement.
 */
#ifndef RW_FILE_H
#define RW_FILE_H

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

#endif

/*
 * rw_known_spokes: the known-spokes file, the certificate registered for each spoke
 * (like ssh's known_hosts).  One entry a line:
 *
 *   host:port sha256:FINGERPRINT
 *
 * host is a DNS name, a dotted IPv4 address or a bracketed IPv6 address ("[::1]:443");
 * the fingerprint as rw_fingerprint_parse() reads it (written back in canonical form).
 * Blank lines and lines whose first non-blank character is '#' are comments; they are
 * kept, in place, when the file is written back.  Hosts compare case-insensitively
 * and IP addresses by value ("[0::1]" is "[::1]").  A host:port appears at most once.
 *
 * Caps: RW_KNOWN_SPOKES_FILE_MAX bytes a file, RW_KNOWN_SPOKES_LINE_MAX bytes a line.
 * Errors in a file are reported as "FILE:LINE: what is wrong" (the first one).
 */
#ifndef RW_KNOWN_SPOKES_H
#define RW_KNOWN_SPOKES_H

#include <stddef.h>

#include "rw_cert.h"
#include "rw_err.h"

#define RW_KNOWN_SPOKES_FILE_MAX (1024 * 1024)
#define RW_KNOWN_SPOKES_LINE_MAX 512
#define RW_KNOWN_SPOKES_HOST_MAX 254 /* a DNS name's 253 characters and the NUL */

/* rw_known_spokes_load() flags */
#define RW_KNOWN_SPOKES_MISSING_OK 0x1 /* a file that does not exist reads as empty */

struct rw_known_spokes;

/* An empty set; the caller frees it with rw_known_spokes_free().  RW_ENOMEM. */
RW_MUSTCHECK enum rw_rc rw_known_spokes_new(struct rw_known_spokes **out, struct rw_err *err);

/* Frees ks; NULL does nothing. */
void rw_known_spokes_free(struct rw_known_spokes *ks);

/*
 * Parses the text of a known-spokes file (len bytes, need not be NUL-terminated); name
 * is the FILE of the messages.  RW_EPARSE for a bad line, RW_ETOOBIG over the caps.
 * The caller frees *out.
 */
RW_MUSTCHECK enum rw_rc rw_known_spokes_parse(const char *text, size_t len, const char *name,
                                              struct rw_known_spokes **out, struct rw_err *err);

/*
 * Reads the file at path.  RW_EINVAL when it cannot be read ("PATH: reason"), unless
 * it does not exist and flags has RW_KNOWN_SPOKES_MISSING_OK; else as
 * rw_known_spokes_parse().  The caller frees *out.
 */
RW_MUSTCHECK enum rw_rc rw_known_spokes_load(const char *path, unsigned flags,
                                             struct rw_known_spokes **out, struct rw_err *err);

/*
 * Writes ks to path atomically: a temporary file in the same directory, written,
 * fsync'ed, mode 0644, renamed over path, and the directory fsync'ed.  On any failure
 * the previous file is left as it was and the temporary file is removed.  RW_EINVAL
 * with "PATH: reason".
 */
RW_MUSTCHECK enum rw_rc rw_known_spokes_save(const struct rw_known_spokes *ks, const char *path,
                                             struct rw_err *err);

/* The file's text as rw_known_spokes_save() writes it; the caller frees *out. */
RW_MUSTCHECK enum rw_rc rw_known_spokes_format(const struct rw_known_spokes *ks, char **out,
                                               struct rw_err *err);

/*
 * Looks up host:port (host bracketed or not).  1 and *fp (may be NULL) when there is an
 * entry, 0 when there is none or host is not a valid host.
 */
int rw_known_spokes_lookup(const struct rw_known_spokes *ks, const char *host, int port,
                           struct rw_fingerprint *fp);

/*
 * Adds the entry for host:port, or replaces its fingerprint; *replaced (may be NULL)
 * says which.  RW_EINVAL for a bad host or port, RW_ETOOBIG when the file would pass
 * its cap, RW_ENOMEM.
 */
RW_MUSTCHECK enum rw_rc rw_known_spokes_set(struct rw_known_spokes *ks, const char *host, int port,
                                            const struct rw_fingerprint *fp, int *replaced,
                                            struct rw_err *err);

/* Removes the entry for host:port; 1 when there was one, else 0. */
int rw_known_spokes_remove(struct rw_known_spokes *ks, const char *host, int port);

/* The number of entries (comments not counted). */
size_t rw_known_spokes_count(const struct rw_known_spokes *ks);

/*
 * The i-th entry in file order: its "host:port" key (borrowed from ks, in canonical
 * form) and fingerprint (may be NULL).  NULL when i is out of range.
 */
const char *rw_known_spokes_entry(const struct rw_known_spokes *ks, size_t i,
                                  struct rw_fingerprint *fp);

#endif

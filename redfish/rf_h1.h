/*
 * rf_h1: an incremental HTTP/1.1 response parser for the warm GET path, where libcurl
 * only connects and rackwatch reads the reply itself with curl_easy_recv.
 *
 * Pure: no I/O, no clock, no logging.  The caller feeds bytes as they arrive, in pieces
 * of any size; the parser reports the final response's header fields and dechunked body
 * through a sink and stops at the end of the message (RFC 9112 section 6.3).  A line that
 * lies wholly inside one feed is parsed in place; only a line split across two feeds is
 * copied into a heap buffer, capped by header_max, so a reply that arrives in one piece
 * costs no allocation.
 *
 * After any error the parser is spent: further feeds fail, and the caller only calls
 * rf_h1_free (and may rf_h1_init it again).
 */
#ifndef RF_H1_H
#define RF_H1_H

#include <stddef.h>
#include <stdint.h>

#include "rw_err.h"

enum rf_h1_phase {
    RF_H1_STATUS,      /* reading a status line (final or 1xx) */
    RF_H1_HEADERS,     /* reading header fields */
    RF_H1_BODY,        /* Content-Length body */
    RF_H1_CHUNK_SIZE,  /* chunk-size line, extensions ignored */
    RF_H1_CHUNK_DATA,  /* chunk data */
    RF_H1_CHUNK_END,   /* the CRLF after chunk data */
    RF_H1_TRAILERS,    /* trailer fields after the last chunk, dropped */
    RF_H1_UNTIL_CLOSE, /* no length: the body ends when the peer closes */
    RF_H1_DONE,        /* the response is complete */
};

/*
 * Where the final response goes (1xx responses are skipped and never reach it).  Either
 * callback may be NULL.  The pointers given to a callback are borrowed for the call only:
 * they point into the caller's feed or into the parser's line buffer.
 */
struct rf_h1_sink {
    /*
     * One header field: the name as sent (no colon), the value with the surrounding
     * SP/HTAB trimmed (may be empty).  Returning nonzero stops the parse: rf_h1_feed
     * then returns RW_EINVAL "stopped by the receiver".
     */
    int (*header)(void *arg, const char *name, size_t name_len, const char *value,
                  size_t value_len);
    /* Body bytes, dechunked, never empty; at most one call per chunk per feed.  Nonzero
     * stops the parse as above. */
    int (*body)(void *arg, const char *data, size_t len);
    void *arg;
};

/*
 * The parser, in the caller's storage.  Only the fields marked readable may be read;
 * none may be written except through the functions below.
 */
struct rf_h1 {
    enum rf_h1_phase phase; /* readable */
    int status;             /* readable: the final status code, 0 before its line */
    int keep_alive;         /* readable once DONE: the connection may carry another request */
    int64_t content_length; /* readable: -1 unknown (chunked or close-delimited); for HEAD,
                               204 and 304 the value sent, though no body follows */
    uint64_t body_bytes;    /* readable: body bytes delivered so far */

    /* private */
    size_t header_max;   /* cap on status line + fields (+ 1xx, trailers), line ends counted */
    size_t header_bytes; /* counted against header_max so far */
    uint64_t received;   /* every byte consumed, to tell "before the reply" at eof */
    uint64_t remaining;  /* bytes left in the Content-Length body or the current chunk */
    int64_t cl_value;    /* Content-Length as sent, when RF_H1_F_CL is set */
    int cur_status;      /* status of the response being read (may be a 1xx) */
    unsigned flags;      /* RF_H1_F_* in rf_h1.c */
    char *line;          /* partial line split across feeds; owned, NULL when unused */
    size_t line_len;
    size_t line_cap;
};

/*
 * Prepares p for one response.  header_max (> 0) caps the status line plus header fields,
 * the 1xx responses before them and the trailers, line ends included; 64 KiB is the
 * project default.  head_request: the request was HEAD, so no body follows.  Cannot fail;
 * allocates nothing.
 */
void rf_h1_init(struct rf_h1 *p, size_t header_max, int head_request);

/* Frees the partial line buffer; p may be rf_h1_init'ed again.  NULL does nothing. */
void rf_h1_free(struct rf_h1 *p);

/*
 * Consumes data[0..len) until the response is DONE or the data ends, and sets *used to the
 * bytes consumed: less than len only when DONE came first (the rest is not part of this
 * response; on a keep-alive connection it is the caller's protocol error).  A feed once
 * DONE consumes nothing.  sink may be NULL.  Returns:
 *   RW_OK       more data needed, or DONE (see rf_h1_done);
 *   RW_EPARSE   "not an HTTP reply (no status line)" when the first bytes are not
 *               "HTTP/", or "malformed HTTP reply: <what>" for the rest (bad status line,
 *               version other than 1.0/1.1, status outside 100..599, 101, bad header
 *               line, obsolete line folding, bad or conflicting Content-Length, a
 *               Transfer-Encoding other than chunked, bad chunk size, no CRLF after a
 *               chunk);
 *   RW_ETOOBIG  "headers larger than N bytes" (N = header_max);
 *   RW_EINVAL   "stopped by the receiver" (a sink callback returned nonzero), or
 *               "parser used after an error";
 *   RW_ENOMEM   "out of memory" (the partial line buffer).
 */
RW_MUSTCHECK enum rw_rc rf_h1_feed(struct rf_h1 *p, const char *data, size_t len, size_t *used,
                                   const struct rf_h1_sink *sink, struct rw_err *err);

/* True once the response is complete. */
int rf_h1_done(const struct rf_h1 *p);

/*
 * The peer closed the connection (recv returned 0).  RW_OK when that ends the response
 * (close-delimited body, which becomes DONE, or already DONE); else RW_EPARSE
 * "connection closed before the reply" (no byte yet), "connection closed in the reply's
 * headers", "connection closed after X of Y body bytes" or "connection closed in a
 * chunked body after X bytes".
 */
RW_MUSTCHECK enum rw_rc rf_h1_eof(struct rf_h1 *p, struct rw_err *err);

#endif

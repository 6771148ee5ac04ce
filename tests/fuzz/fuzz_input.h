/*
 * fuzz_input: cutting one libFuzzer input into the pieces a target needs.  Header-only
 * (static inline functions) because every fuzz_*.c is its own program; not a project module.
 *
 * A cursor walks the input; fuzz_line() takes the bytes up to the next '\n' as a C string
 * (an embedded NUL ends the string early, as it would for any C caller), fuzz_chunk()
 * takes the bytes up to the next FUZZ_SEP (or the end) as a counted byte range.
 */
#ifndef FUZZ_INPUT_H
#define FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Separates the bodies of a multi-reply input; seeds are written with it (bench/fuzz.sh). */
#define FUZZ_SEP     "\n=====\n"
#define FUZZ_SEP_LEN 7

struct fuzz_cursor {
    const uint8_t *p;
    size_t left;
};

/* Takes one byte (0 once the input is used up). */
static inline unsigned
fuzz_byte(struct fuzz_cursor *c)
{
    unsigned b = 0;

    if (c->left > 0) {
        b = c->p[0];
        c->p++;
        c->left--;
    }
    return b;
}

/*
 * Copies the next line (without its '\n') into out, cut to cap - 1 bytes, NUL-terminated.
 * Returns 0 when the input was already used up (out is then "").
 */
static inline int
fuzz_line(struct fuzz_cursor *c, char *out, size_t cap)
{
    const uint8_t *nl;
    size_t n, keep;

    out[0] = '\0';
    if (c->left == 0) {
        return 0;
    }
    nl = memchr(c->p, '\n', c->left);
    n = nl != NULL ? (size_t)(nl - c->p) : c->left;
    keep = n < cap - 1 ? n : cap - 1;
    memcpy(out, c->p, keep);
    out[keep] = '\0';
    c->p += n;
    c->left -= n;
    if (nl != NULL) {
        c->p++;
        c->left--;
    }
    return 1;
}

/* Where FUZZ_SEP starts in p[0..n), or NULL (memmem is not POSIX). */
static inline const uint8_t *
fuzz_find_sep(const uint8_t *p, size_t n)
{
    const uint8_t *at = p;
    size_t left = n;

    while (left >= FUZZ_SEP_LEN) {
        at = memchr(at, FUZZ_SEP[0], left - FUZZ_SEP_LEN + 1);
        if (at == NULL) {
            return NULL;
        }
        if (memcmp(at, FUZZ_SEP, FUZZ_SEP_LEN) == 0) {
            return at;
        }
        at++;
        left = n - (size_t)(at - p);
    }
    return NULL;
}

/* The next chunk up to FUZZ_SEP or the end, borrowed from the input.  0 when used up. */
static inline int
fuzz_chunk(struct fuzz_cursor *c, const char **chunk, size_t *len)
{
    const uint8_t *sep;

    if (c->left == 0) {
        return 0;
    }
    sep = fuzz_find_sep(c->p, c->left);
    *chunk = (const char *)c->p;
    *len = sep != NULL ? (size_t)(sep - c->p) : c->left;
    c->p += *len;
    c->left -= *len;
    if (sep != NULL) {
        c->p += FUZZ_SEP_LEN;
        c->left -= FUZZ_SEP_LEN;
    }
    return 1;
}

#endif

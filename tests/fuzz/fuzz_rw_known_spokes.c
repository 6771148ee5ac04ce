/*
 * libFuzzer target for the known-spokes file (core/rw_known_spokes.h): any bytes parse or
 * fail with a one-line message.  A file that parses must write back text that parses to
 * the same entries, writing is a fixed point, and every entry can be looked up, removed
 * and set again by its own key.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rw_known_spokes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Splits a "host:port" key at its last ':'; the host keeps its brackets. */
static int
split_key(const char *key, char *host, size_t cap, int *port)
{
    const char *colon = strrchr(key, ':');
    size_t n;

    if (colon == NULL || (size_t)(colon - key) >= cap) {
        return 0;
    }
    n = (size_t)(colon - key);
    memcpy(host, key, n);
    host[n] = '\0';
    *port = (int)strtol(colon + 1, NULL, 10);
    return 1;
}

/* Every entry is found under its own key, and survives a remove and set. */
static void
check_entries(struct rw_known_spokes *ks)
{
    char host[RW_KNOWN_SPOKES_HOST_MAX + 8];
    struct rw_fingerprint fp, found;
    size_t i, n = rw_known_spokes_count(ks);
    int port, replaced;

    for (i = 0; i < n; i++) {
        const char *key = rw_known_spokes_entry(ks, i, &fp);

        if (key == NULL || !split_key(key, host, sizeof(host), &port) ||
            !rw_known_spokes_lookup(ks, host, port, &found) || !rw_fingerprint_equal(&fp, &found)) {
            __builtin_trap();
        }
    }
    if (n > 0 && rw_known_spokes_entry(ks, 0, &fp) != NULL &&
        split_key(rw_known_spokes_entry(ks, 0, NULL), host, sizeof(host), &port)) {
        if (rw_known_spokes_remove(ks, host, port) != 1 ||
            rw_known_spokes_set(ks, host, port, &fp, &replaced, NULL) != RW_OK || replaced != 0 ||
            rw_known_spokes_count(ks) != n) {
            __builtin_trap();
        }
    }
}

static void
check_round_trip(const struct rw_known_spokes *ks)
{
    struct rw_known_spokes *again = NULL;
    char *text = NULL, *text2 = NULL;

    if (rw_known_spokes_format(ks, &text, NULL) != RW_OK) {
        return; /* out of memory only */
    }
    if (rw_known_spokes_parse(text, strlen(text), "again", &again, NULL) != RW_OK ||
        rw_known_spokes_count(again) != rw_known_spokes_count(ks)) {
        __builtin_trap(); /* what the writer writes, the reader must read */
    }
    if (rw_known_spokes_format(again, &text2, NULL) == RW_OK && strcmp(text, text2) != 0) {
        __builtin_trap();
    }
    free(text2);
    free(text);
    rw_known_spokes_free(again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rw_known_spokes *ks = NULL;
    struct rw_err err;

    rw_err_clear(&err);
    if (rw_known_spokes_parse((const char *)data, size, "fuzz", &ks, &err) != RW_OK) {
        if (ks != NULL || err.msg[0] == '\0' || strchr(err.msg, '\n') != NULL) {
            __builtin_trap();
        }
        return 0;
    }
    check_round_trip(ks);
    check_entries(ks);
    rw_known_spokes_free(ks);
    return 0;
}

/*
 * libFuzzer target for the snapshot reader (redfish/rf_snapshot.h rf_snapshot_parse), the
 * document plugins read with --state: any bytes parse or fail with a one-line message.
 * A document that parses is written back; that text must parse, and writing it again
 * must give the same text (the writer's output is a fixed point).  Every endpoint is
 * found by its name.  The first line is also read as an RFC 3339 time.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_input.h"
#include "rf_snapshot.h"
#include "rw_buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_OUT_MAX (RF_SNAPSHOT_MAX / 16) /* inputs are far smaller */

static void
check_round_trip(const struct rf_snapshot *snap)
{
    struct rf_snapshot *again = NULL;
    struct rw_buf one, two;

    rw_buf_init(&one, FUZZ_OUT_MAX);
    rw_buf_init(&two, FUZZ_OUT_MAX);
    if (rf_snapshot_format(snap->endpoints, snap->n, 0, &one, NULL) != RW_OK) {
        goto done; /* out of memory only */
    }
    if (rf_snapshot_parse(rw_buf_str(&one), rw_buf_len(&one), &again, NULL) != RW_OK ||
        again->n != snap->n) {
        __builtin_trap(); /* what the writer writes, the reader must read */
    }
    if (rf_snapshot_format(again->endpoints, again->n, 0, &two, NULL) == RW_OK &&
        (rw_buf_len(&one) != rw_buf_len(&two) ||
         memcmp(rw_buf_str(&one), rw_buf_str(&two), rw_buf_len(&one)) != 0)) {
        __builtin_trap();
    }
done:
    rf_snapshot_free(again);
    rw_buf_free(&one);
    rw_buf_free(&two);
}

static void
check_names(const struct rf_snapshot *snap)
{
    size_t i;

    for (i = 0; i < snap->n; i++) {
        const char *name = snap->endpoints[i]->name;

        if (name == NULL || rf_snapshot_find(snap, name) == NULL) {
            __builtin_trap(); /* name is required */
        }
    }
}

static void
check_time(struct fuzz_cursor *c)
{
    char text[96], out[32];
    int64_t t, again;

    (void)fuzz_line(c, text, sizeof(text));
    if (rf_time_parse(text, &t, NULL) != RW_OK) {
        return;
    }
    if (rf_time_format(t, out, sizeof(out), NULL) == RW_OK &&
        (rf_time_parse(out, &again, NULL) != RW_OK || again != t)) {
        __builtin_trap();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_cursor c = {data, size};
    struct rf_snapshot *snap = NULL;
    struct rw_err err;

    rw_err_clear(&err);
    if (rf_snapshot_parse((const char *)data, size, &snap, &err) == RW_OK) {
        check_names(snap);
        check_round_trip(snap);
        rf_snapshot_free(snap);
    } else if (snap != NULL || err.msg[0] == '\0' || strchr(err.msg, '\n') != NULL) {
        __builtin_trap();
    }
    check_time(&c);
    return 0;
}

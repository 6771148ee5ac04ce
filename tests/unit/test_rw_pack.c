/* Unit tests for rw_pack: deflated bytes in memory come back exactly, or fail cleanly. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rw_pack.h"

/* An outlet-like JSON run of n elements: repetitive, as a snapshot part is. */
static char *
outlets_text(size_t n, size_t *len)
{
    struct rw_buf buf;
    size_t i;

    rw_buf_init(&buf, 1 << 24);
    for (i = 0; i < n; i++) {
        assert_int_equal(
            rw_buf_addf(&buf,
                        "{ \"id\": \"O%zu\", \"name\": \"Outlet %zu\", \"power_state\": "
                        "\"On\", \"power_w\": %zu.25, \"energy_kwh\": %zu.125 }, ",
                        i, i, i * 7 % 1000, i * 13),
            RW_OK);
    }
    *len = rw_buf_len(&buf);
    return rw_buf_take(&buf);
}

static void
round_trip(const char *data, size_t len, const char *prefix)
{
    struct rw_pack *pack = NULL;
    struct rw_buf out;
    struct rw_err err;

    rw_err_clear(&err);
    assert_int_equal(rw_pack_new(data, len, &pack, &err), RW_OK);
    assert_int_equal(rw_pack_len(pack), len);
    rw_buf_init(&out, RW_PACK_MAX + strlen(prefix));
    assert_int_equal(rw_buf_adds(&out, prefix), RW_OK);
    assert_int_equal(rw_pack_unpack(pack, &out, &err), RW_OK);
    assert_int_equal(rw_buf_len(&out), strlen(prefix) + len);
    assert_memory_equal(rw_buf_str(&out), prefix, strlen(prefix));
    if (len > 0) {
        assert_memory_equal(rw_buf_str(&out) + strlen(prefix), data, len);
    }
    rw_buf_free(&out);
    rw_pack_free(pack);
}

static void
test_round_trips(void **state)
{
    size_t len;
    char *big = outlets_text(2000, &len); /* ~190 KB: many inflate windows */
    unsigned char noise[5000];
    size_t i;
    uint32_t x = 2463534242u;

    (void)state;
    round_trip("", 0, "");
    round_trip("x", 1, "kept: ");
    round_trip(big, len, "[");
    for (i = 0; i < sizeof(noise); i++) { /* xorshift: bytes that do not deflate */
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        noise[i] = (unsigned char)x;
    }
    round_trip((const char *)noise, sizeof(noise), "");
    free(big);
}

/* The point of the module: a 48-outlet part packs to a small fraction. */
static void
test_packs_small(void **state)
{
    size_t len;
    char *text = outlets_text(48, &len);
    struct rw_pack *pack = NULL;
    struct rw_err err;

    (void)state;
    rw_err_clear(&err);
    assert_int_equal(rw_pack_new(text, len, &pack, &err), RW_OK);
    assert_true(rw_pack_size(pack) * 3 < len);
    rw_pack_free(pack);
    free(text);
}

static void
test_too_big(void **state)
{
    struct rw_pack *pack = NULL;
    struct rw_err err;

    (void)state;
    rw_err_clear(&err);
    assert_int_equal(rw_pack_new("", (size_t)RW_PACK_MAX + 1, &pack, &err), RW_ETOOBIG);
    assert_null(pack);
    assert_string_equal(err.msg, "67108865 bytes do not fit in a pack (at most 67108864)");
}

/* A pack of n outlets' text; *len is the text's length. */
static struct rw_pack *
outlets_pack(size_t n, size_t *len)
{
    char *text = outlets_text(n, len);
    struct rw_pack *pack = NULL;

    assert_int_equal(rw_pack_new(text, *len, &pack, NULL), RW_OK);
    free(text);
    return pack;
}

/* Unpacking into a buffer whose cap is too small fails and frees it, as rw_buf does. */
static void
test_unpack_over_cap(void **state)
{
    size_t len;
    struct rw_pack *pack = outlets_pack(100, &len);
    struct rw_buf out;
    struct rw_err err;
    char want[128];

    (void)state;
    rw_err_clear(&err);
    rw_buf_init(&out, len - 1);
    assert_int_equal(rw_pack_unpack(pack, &out, &err), RW_ETOOBIG);
    (void)snprintf(want, sizeof(want), "%zu unpacked bytes do not fit in the buffer", len);
    assert_string_equal(err.msg, want);
    assert_int_equal(rw_buf_len(&out), 0);
    rw_pack_free(pack);
}

/* A damaged pack (its checksum, the block's last bytes) is refused; out is as it was. */
static void
test_damaged(void **state)
{
    size_t len;
    struct rw_pack *pack = outlets_pack(48, &len);
    struct rw_buf out;
    struct rw_err err;
    char want[128];

    (void)state;
    rw_err_clear(&err);
    ((unsigned char *)pack)[rw_pack_size(pack) - 1] ^= 0x5a;
    rw_buf_init(&out, 1 << 20);
    assert_int_equal(rw_buf_adds(&out, "before"), RW_OK);
    assert_int_equal(rw_pack_unpack(pack, &out, &err), RW_EPARSE);
    (void)snprintf(want, sizeof(want), "a pack of %zu bytes is damaged", len);
    assert_string_equal(err.msg, want);
    assert_string_equal(rw_buf_str(&out), "before");
    rw_buf_free(&out);
    rw_pack_free(pack);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trips), cmocka_unit_test(test_packs_small),
        cmocka_unit_test(test_too_big),     cmocka_unit_test(test_unpack_over_cap),
        cmocka_unit_test(test_damaged),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

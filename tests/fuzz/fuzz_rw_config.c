/*
 * libFuzzer target for the configuration loader: any bytes must give RW_OK with a
 * configuration, or an error with one line of message, and never a leak or a crash.
 * The first byte picks whether inline passwords are allowed.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rw_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rw_config *cfg = NULL;
    struct rw_err err;
    unsigned flags = 0;
    enum rw_rc rc;

    if (size > 0) {
        flags = (data[0] & 1) ? RW_CONFIG_PRIVATE : 0;
        data++;
        size--;
    }
    rw_err_clear(&err);
    rc = rw_config_parse("fuzz.yaml", (const char *)data, size, flags, &cfg, &err);
    if ((rc == RW_OK) != (cfg != NULL) || (rc != RW_OK && err.msg[0] == '\0') ||
        strchr(err.msg, '\n') != NULL) {
        __builtin_trap();
    }
    rw_config_free(cfg);
    return 0;
}

/* Fuzzes the Flink YAML loader (config/flink_yaml.c): any bytes either load
 * or are refused with OSSIO_ECONFIG, and loaded keys read back (explain also
 * derives the path-style default from the loaded endpoint: keys.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "fuzz.h"

static void check_key(const char *key, const char *value, ossio_config_source source, void *ud)
{
    (void)ud;
    if (key == NULL || value == NULL || source > OSSIO_SRC_SET) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ossio_config *cfg = ossio_config_new();
    if (cfg == NULL) {
        return 0;
    }
    ossio_status st = ossio__config_load_flink_mem(cfg, data, size, "fuzz.yaml");
    if (st != OSSIO_OK && st != OSSIO_ECONFIG && st != OSSIO_ENOMEM) {
        abort();
    }
    if (st != OSSIO_OK && ossio_config_error(cfg)[0] == '\0') {
        abort();
    }
    ossio_config_explain(cfg, check_key, NULL);
    ossio_config_free(cfg);
    return 0;
}

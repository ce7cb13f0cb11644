/* Fuzzes the core-site.xml loader (config/hadoop_xml.c): any bytes either
 * load or are refused with OSSIO_EXML / OSSIO_ECONFIG, never more. */
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
    ossio_status st = ossio__config_load_hadoop_mem(cfg, data, size, "fuzz.xml");
    if (st != OSSIO_OK && st != OSSIO_EXML && st != OSSIO_ECONFIG && st != OSSIO_ENOMEM) {
        abort();
    }
    if (st != OSSIO_OK && ossio_config_error(cfg)[0] == '\0') {
        abort(); /* every failure says why */
    }
    /* Whatever loaded must read back and explain without trouble. */
    ossio_config_explain(cfg, check_key, NULL);
    (void)ossio_config_get(cfg, "fs.oss.endpoint");
    ossio_config_free(cfg);
    return 0;
}

/* Every key's value parser: the input is a list of (key index, value) pairs
 * set with ossio_config_set(), then a client reads its settings from the
 * config (ossio_client_new: sizes, timeouts, booleans, the endpoint, DNS
 * servers, resolve overrides). A value is accepted or refused with
 * OSSIO_ECONFIG and a message; a client is made or refused with a message. */
/* The checks are the point of a fuzzer: keep assert() in release builds. */
#undef NDEBUG

#include <assert.h>
#include <ev.h>
#include <glob.h>
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "config/keys.h"
#include "fuzz.h"

static struct ev_loop *loop;
static char ca[512];

/* One CA certificate: loading the system's whole store per input would make
 * this target a few runs a second. An input may still set its own CA file. */
static void pick_ca(void)
{
    glob_t g;
    if (glob("/etc/ssl/certs/*.pem", 0, NULL, &g) == 0 && g.gl_pathc > 0) {
        snprintf(ca, sizeof(ca), "%s", g.gl_pathv[0]);
    }
    globfree(&g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (loop == NULL) {
        loop = ev_loop_new(EVFLAG_AUTO);
        pick_ca();
    }
    ossio_config *cfg = ossio_config_new();
    assert(cfg != NULL);
    if (ca[0]) {
        ossio_config_set(cfg, "fs.oss.connection.ca.file", ca);
    }
    size_t nkeys = ossio__key_count();
    size_t off = 0;
    char value[512];
    /* Pairs: key index byte, value up to the next NUL byte (or the end). */
    while (off < size) {
        const ossio__key *k = ossio__key_at(data[off++] % nkeys);
        size_t n = 0;
        while (off < size && data[off] != 0 && n < sizeof(value) - 1) {
            value[n++] = (char)data[off++];
        }
        off++;
        value[n] = '\0';
        ossio_status st = ossio_config_set(cfg, k->name, value);
        assert(st == OSSIO_OK || st == OSSIO_ECONFIG || st == OSSIO_EINVAL);
        if (st != OSSIO_OK) {
            assert(ossio_config_error(cfg)[0] != '\0');
        } else {
            const char *back = ossio_config_get(cfg, k->name);
            assert(back != NULL);
        }
    }
    ossio_client *cl = NULL;
    ossio_status st = ossio_client_new(&cl, cfg, loop);
    if (st == OSSIO_OK) {
        ossio_client_destroy(cl);
    } else {
        if (st != OSSIO_ECONFIG && st != OSSIO_ETLS && st != OSSIO_ENOMEM) {
            fprintf(stderr, "client_new: %s\n", ossio_status_name(st));
            assert(0);
        }
    }
    ossio_config_free(cfg);
    return 0;
}

/* Fuzzes the request URL parser (net/url.c): any bytes must either parse
 * into parts that satisfy its invariants or be refused with OSSIO_EINVAL. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "net/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s == NULL) {
        return 0;
    }
    memcpy(s, data, size);
    s[size] = '\0';
    ossio__url u;
    ossio_status st = ossio__url_parse(&u, s);
    if (st == OSSIO_OK) {
        if (u.host == NULL || u.host[0] == '\0' || u.target == NULL || u.target[0] != '/' ||
            u.port == 0 || u.authority == NULL || strlen(u.authority) < strlen(u.host)) {
            abort();
        }
        ossio__url_free(&u);
    } else if (st != OSSIO_EINVAL && st != OSSIO_ENOMEM) {
        abort();
    }
    free(s);
    return 0;
}

/* Fuzzes the ossio program's value parsers (cli/values.c): remote URIs,
 * numbers, sizes, byte ranges and escaped delimiters. Any bytes are either
 * refused (-1) or give values that satisfy each parser's contract. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s == NULL) {
        return 0;
    }
    memcpy(s, data, size);
    s[size] = '\0';

    uint64_t v = 0;
    if (cli_parse_uint(s, 10, 1000, &v) == 0 && (v < 10 || v > 1000)) {
        abort();
    }
    if (cli_parse_size(s, 100, UINT64_C(5) << 30, &v) == 0 &&
        (v < 100 || v > (UINT64_C(5) << 30))) {
        abort();
    }
    uint64_t off = 0;
    int64_t len = 0;
    if (cli_parse_range(s, &off, &len) == 0 &&
        (off > INT64_MAX || (len != -1 && (len < 1 || (uint64_t)len > INT64_MAX - off + 1)))) {
        abort();
    }
    char out[16];
    size_t n = 0;
    if (cli_parse_escapes(s, out, sizeof(out), &n) == 0 && (n == 0 || n > sizeof(out))) {
        abort();
    }
    char bucket[64];
    const char *key = NULL;
    if (cli_split_uri(s, bucket, sizeof(bucket), &key) == 0) {
        if (key == NULL || key < s || key > s + strlen(s) || strlen(bucket) >= sizeof(bucket) ||
            !cli_is_remote(s)) {
            abort();
        }
    }
    free(s);
    return 0;
}

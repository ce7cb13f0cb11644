/* Values on the command line, parsed without side effects: remote URIs,
 * numbers, sizes, byte ranges and escaped delimiters. Pure (fuzzed by
 * fuzz/fuzz_cli_values.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int is_alpha(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/* Any "scheme://" (RFC 3986 scheme) is a URI, not a local path, also when the
 * library will refuse it: the refusal is then the library's, in its words. */
int cli_is_remote(const char *s)
{
    if (!is_alpha(s[0])) {
        return 0;
    }
    size_t n = 1;
    while (is_alpha(s[n]) || (s[n] >= '0' && s[n] <= '9') || s[n] == '+' || s[n] == '-' ||
           s[n] == '.') {
        n++;
    }
    return strncmp(s + n, "://", 3) == 0;
}

int cli_split_uri(const char *uri, char *bucket, size_t bucket_len, const char **key)
{
    const char *p = strstr(uri, "://");
    if (!cli_is_remote(uri) || p == NULL) {
        return -1;
    }
    p += 3;
    size_t n = strcspn(p, "/");
    if (n == 0 || n >= bucket_len) {
        return -1;
    }
    memcpy(bucket, p, n);
    bucket[n] = '\0';
    *key = p[n] == '/' ? p + n + 1 : p + n;
    return 0;
}

int cli_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    if (s == NULL || *s < '0' || *s > '9') {
        return -1;
    }
    errno = 0;
    char *end = NULL;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max) {
        return -1;
    }
    *out = v;
    return 0;
}

int cli_parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    char num[32];
    size_t n = s != NULL ? strlen(s) : 0;
    if (n == 0 || n >= sizeof(num)) {
        return -1;
    }
    memcpy(num, s, n + 1);
    unsigned shift = 0;
    const char *units = "kmgt";
    const char *u = strchr(units, num[n - 1] | 0x20);
    if (n > 1 && u != NULL) {
        shift = 10 * (unsigned)(u - units + 1);
        num[n - 1] = '\0';
    }
    uint64_t v = 0;
    if (cli_parse_uint(num, 0, UINT64_MAX >> shift, &v) != 0) {
        return -1;
    }
    v <<= shift;
    if (v < min || v > max) {
        return -1;
    }
    *out = v;
    return 0;
}

int cli_parse_range(const char *s, uint64_t *off, int64_t *len)
{
    const char *dash = strchr(s, '-');
    if (dash == NULL || dash == s) {
        return -1;
    }
    char first[32];
    size_t n = (size_t)(dash - s);
    if (n >= sizeof(first)) {
        return -1;
    }
    memcpy(first, s, n);
    first[n] = '\0';
    uint64_t a = 0, b = 0;
    if (cli_parse_uint(first, 0, INT64_MAX, &a) != 0) {
        return -1;
    }
    *off = a;
    if (dash[1] == '\0') {
        *len = -1;
        return 0;
    }
    if (cli_parse_uint(dash + 1, a, INT64_MAX - 1, &b) != 0) {
        return -1;
    }
    *len = (int64_t)(b - a + 1);
    return 0;
}

static int hex_digit(char ch)
{
    return ch >= '0' && ch <= '9'   ? ch - '0'
           : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
           : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                    : -1;
}

int cli_parse_escapes(const char *s, char *out, size_t cap, size_t *len)
{
    size_t n = 0;
    while (*s != '\0') {
        char ch = *s++;
        if (ch == '\\') {
            switch (*s) {
            case 'n':
                ch = '\n';
                s++;
                break;
            case 'r':
                ch = '\r';
                s++;
                break;
            case 't':
                ch = '\t';
                s++;
                break;
            case '\\':
                ch = '\\';
                s++;
                break;
            case 'x': {
                int hi = hex_digit(s[1]), lo = hi >= 0 ? hex_digit(s[2]) : -1;
                if (lo < 0) {
                    return -1;
                }
                ch = (char)(hi * 16 + lo);
                s += 3;
                break;
            }
            default:
                return -1;
            }
        }
        if (n == cap) {
            return -1;
        }
        out[n++] = ch;
    }
    *len = n;
    return n > 0 ? 0 : -1;
}

/* Fuzzes the cursor's decimal and hex uint64 parsers and cross-checks every
 * outcome against strtoull() on the same leading digit run. */
/* The checks are the point of a fuzzer: keep assert() in release builds. */
#undef NDEBUG

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "util/cursor.h"

static size_t digit_run(const uint8_t *data, size_t size, int base)
{
    size_t n = 0;
    while (n < size && (base == 10 ? isdigit(data[n]) : isxdigit(data[n]))) {
        n++;
    }
    return n;
}

static void check(const uint8_t *data, size_t size, int base)
{
    ossio__cur c;
    uint64_t v = 42;
    ossio__cur_init(&c, data, size);
    bool ok = base == 10 ? ossio__cur_u64_dec(&c, &v) : ossio__cur_u64_hex(&c, &v);

    size_t run = digit_run(data, size, base);
    /* strtoull needs a NUL-terminated string of just the digits. */
    char *s = malloc(run + 1);
    assert(s);
    memcpy(s, data, run);
    s[run] = '\0';
    errno = 0;
    char *end = NULL;
    unsigned long long ref = strtoull(s, &end, base);
    int overflow = errno == ERANGE;
    free(s);

    if (run == 0 || overflow) {
        assert(!ok);
        assert(c.pos == 0);
        assert(v == 42);
    } else {
        assert(ok);
        assert(c.pos == run);
        assert(v == ref);
    }
    assert(c.pos <= c.len);

    if (base == 10) {
        uint64_t w = 42;
        bool whole = ossio__u64_dec(data, size, &w);
        assert(whole == (ok && run == size));
        assert(!whole || w == v);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check(data, size, 10);
    check(data, size, 16);
    return 0;
}

/* Drives a sequence of cursor operations chosen by the input over the rest of
 * the input, asserting bounds and "failure leaves the cursor unchanged". */
/* The checks are the point of a fuzzer: keep assert() in release builds. */
#undef NDEBUG

#include <assert.h>
#include <string.h>

#include "fuzz.h"
#include "util/cursor.h"

static void check_invariants(const ossio__cur *c, const uint8_t *data, size_t size)
{
    assert(c->p == data || size == 0);
    assert(c->len == size);
    assert(c->pos <= c->len);
    assert(ossio__cur_remaining(c) == c->len - c->pos);
}

static bool in_input(const uint8_t *p, size_t n, const uint8_t *data, size_t size)
{
    return n == 0 || (p >= data && n <= size && (size_t)(p - data) <= size - n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* First byte: how many op bytes follow; the rest is the cursor's input. */
    if (size == 0) {
        return 0;
    }
    size_t nops = data[0];
    if (nops > size - 1) {
        nops = size - 1;
    }
    const uint8_t *ops = data + 1;
    const uint8_t *in = data + 1 + nops;
    size_t in_len = size - 1 - nops;

    ossio__cur c;
    ossio__cur_init(&c, in, in_len);
    check_invariants(&c, in, in_len);

    for (size_t i = 0; i < nops; i++) {
        uint8_t op = ops[i];
        size_t before = c.pos;
        uint8_t b = 0;
        uint64_t v = 0;
        const uint8_t *p = NULL;
        size_t n = 0;
        bool ok;
        size_t arg = op >> 3;

        switch (op & 7) {
        case 0:
            ok = ossio__cur_peek(&c, &b);
            assert(c.pos == before);
            assert(ok == (before < in_len));
            assert(!ok || b == in[before]);
            break;
        case 1:
            ok = ossio__cur_take(&c, &b);
            assert(ok == (before < in_len));
            assert(c.pos == before + (ok ? 1 : 0));
            assert(!ok || b == in[before]);
            break;
        case 2:
            p = ossio__cur_take_n(&c, arg);
            assert((p != NULL) == (arg <= in_len - before));
            assert(c.pos == before + (p ? arg : 0));
            assert(!p || in_input(p, arg, in, in_len));
            break;
        case 3:
            ok = ossio__cur_skip(&c, arg);
            assert(ok == (arg <= in_len - before));
            assert(c.pos == before + (ok ? arg : 0));
            break;
        case 4: {
            static const char *const lits[] = {"", "\r\n", "HTTP/1.1", "0", "a", ":"};
            const char *lit = lits[arg % 6];
            size_t ln = strlen(lit);
            ok = ossio__cur_expect(&c, lit);
            assert(ok == (ln <= in_len - before && memcmp(in + before, lit, ln) == 0));
            assert(c.pos == before + (ok ? ln : 0));
            break;
        }
        case 5: {
            uint8_t delim = (uint8_t)(arg * 8 + '\n');
            ok = ossio__cur_take_until(&c, delim, &p, &n);
            if (ok) {
                assert(in_input(p, n + 1, in, in_len));
                assert(p == in + before);
                assert(p[n] == delim);
                assert(memchr(p, delim, n) == NULL);
                assert(c.pos == before + n + 1);
            } else {
                assert(c.pos == before);
                assert(before == in_len || memchr(in + before, delim, in_len - before) == NULL);
            }
            break;
        }
        case 6:
            ok = ossio__cur_u64_dec(&c, &v);
            assert(ok ? c.pos > before : c.pos == before);
            break;
        default:
            ok = ossio__cur_u64_hex(&c, &v);
            assert(ok ? c.pos > before : c.pos == before);
            break;
        }
        check_invariants(&c, in, in_len);
    }
    return 0;
}

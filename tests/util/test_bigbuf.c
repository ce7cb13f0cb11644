/* ossio__bigbuf_alloc: part-sized buffers start on a huge-page boundary (so
 * the kernel can back them with huge pages), small ones are plain, every
 * byte is usable and free() releases them (ASan checks both). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>

#include <cmocka.h>

#include "util/bigbuf.h"

static void t_part_sized_aligned(void **state)
{
    (void)state;
    size_t sizes[] = {2u << 20, 8u << 20, 100u << 20};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        uint8_t *p = ossio__bigbuf_alloc(sizes[i]);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % (2u << 20), 0);
        memset(p, 0xA5, sizes[i]);
        assert_int_equal(p[sizes[i] - 1], 0xA5);
        free(p);
    }
    /* Not whole huge pages: plain memory of exactly that size (ASan would
     * flag a write past it). */
    size_t odd[] = {(8u << 20) + 1, (5u << 20) + 12345};
    for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
        uint8_t *p = ossio__bigbuf_alloc(odd[i]);
        assert_non_null(p);
        memset(p, 0x5A, odd[i]);
        free(p);
    }
}

static void t_small_and_empty(void **state)
{
    (void)state;
    uint8_t *p = ossio__bigbuf_alloc(100);
    assert_non_null(p);
    memset(p, 1, 100);
    free(p);
    p = ossio__bigbuf_alloc(0);
    assert_non_null(p);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_part_sized_aligned),
        cmocka_unit_test(t_small_and_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

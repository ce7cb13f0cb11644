/* Unit tests for the pure part planning (src/transfer/part.c): upload part
 * sizes and counts, ranges covering the object exactly once, the combined
 * CRC-64 and the part-state count. No network, no loop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "transfer/part.h"

static void upload_part_size_raised_to_fit_10000(void **state)
{
    (void)state;
    uint64_t ps = 100 * 1024;
    assert_int_equal(ossio__upload_part_size(ps * 9999, ps), ps);
    assert_int_equal(ossio__upload_part_size(ps * 10000, ps), ps);
    uint64_t big = ps * 10000 + 1;
    uint64_t raised = ossio__upload_part_size(big, ps);
    assert_true(raised > ps);
    assert_true((big + raised - 1) / raised <= MAX_PARTS);
}

static void upload_count_single_up_to_threshold_or_part(void **state)
{
    (void)state;
    assert_int_equal(ossio__upload_part_count(0, 100, 0), 1);
    assert_int_equal(ossio__upload_part_count(100, 100, 0), 1);      /* one part */
    assert_int_equal(ossio__upload_part_count(1000, 100, 1000), 1);  /* threshold */
    assert_int_equal(ossio__upload_part_count(1001, 100, 1000), 11); /* 10 full + 1 */
    assert_int_equal(ossio__upload_part_count(101, 100, 0), 2);
}

/* Every byte of [first, size) in exactly one part, in order, none empty. */
static void spans_cover_exactly(void **state)
{
    (void)state;
    const uint64_t sizes[] = {1, 99, 100, 101, 1000, 12345};
    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        for (uint64_t first = 0; first <= 7; first += 7) {
            uint64_t size = sizes[k] + first;
            size_t n = ossio__download_rest_count(first, size, 100);
            uint64_t at = first;
            for (size_t i = 0; i < n; i++) {
                uint64_t off, len;
                ossio__part_span(first, size, 100, i, &off, &len);
                assert_int_equal(off, at);
                assert_true(len > 0 && len <= 100);
                at += len;
            }
            assert_int_equal(at, size);
        }
    }
    assert_int_equal(ossio__download_rest_count(50, 50, 100), 0);
    assert_int_equal(ossio__download_rest_count(50, 10, 100), 0); /* shorter than part 0 */
}

static void parts_crc_is_the_whole_crc(void **state)
{
    (void)state;
    uint8_t data[1000];
    for (size_t i = 0; i < sizeof(data); i++) {
        data[i] = (uint8_t)(i * 31 + 7);
    }
    part v[4];
    memset(v, 0, sizeof(v));
    const uint64_t lens[] = {1, 333, 600, 66};
    uint64_t off = 0;
    for (size_t i = 0; i < 4; i++) {
        v[i].off = off;
        v[i].len = lens[i];
        v[i].crc = ossio_crc64(0, data + off, (size_t)lens[i]);
        off += lens[i];
    }
    assert_int_equal(off, sizeof(data));
    assert_int_equal(ossio__parts_crc(v, 4), ossio_crc64(0, data, sizeof(data)));
    assert_int_equal(ossio__parts_crc(v, 1), v[0].crc);
    assert_int_equal(ossio__parts_crc(v, 0), 0);
}

static void count_state(void **state)
{
    (void)state;
    part v[5];
    memset(v, 0, sizeof(v));
    assert_int_equal(ossio__parts_count_state(v, 5, OSSIO__PART_IDLE), 5); /* zeroed is idle */
    v[1].state = OSSIO__PART_INFLIGHT;
    v[3].state = OSSIO__PART_DONE;
    v[4].state = OSSIO__PART_DONE;
    assert_int_equal(ossio__parts_count_state(v, 5, OSSIO__PART_IDLE), 2);
    assert_int_equal(ossio__parts_count_state(v, 5, OSSIO__PART_INFLIGHT), 1);
    assert_int_equal(ossio__parts_count_state(v, 5, OSSIO__PART_DONE), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(upload_part_size_raised_to_fit_10000),
        cmocka_unit_test(upload_count_single_up_to_threshold_or_part),
        cmocka_unit_test(spans_cover_exactly),
        cmocka_unit_test(parts_crc_is_the_whole_crc),
        cmocka_unit_test(count_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Part planning: how an object is cut into parts and how their CRC-64s
 * combine. Pure: no transfer, no loop (tests/transfer/test_part.c). */
#include "transfer/part.h"

#include "util/crc32.h"

uint64_t ossio__upload_part_size(uint64_t size, uint64_t part_size)
{
    if (size / part_size >= MAX_PARTS) {
        part_size = (size + MAX_PARTS - 1) / MAX_PARTS; /* never more than 10,000 parts */
    }
    return part_size;
}

size_t ossio__upload_part_count(uint64_t size, uint64_t part_size, uint64_t threshold)
{
    if (size <= threshold || size <= part_size) {
        return 1;
    }
    return (size_t)((size + part_size - 1) / part_size);
}

void ossio__part_span(uint64_t first, uint64_t size, uint64_t part_size, size_t i, uint64_t *off,
                      uint64_t *len)
{
    *off = first + (uint64_t)i * part_size;
    uint64_t left = size > *off ? size - *off : 0;
    *len = left < part_size ? left : part_size;
}

size_t ossio__download_rest_count(uint64_t first, uint64_t size, uint64_t part_size)
{
    uint64_t rest = size > first ? size - first : 0;
    return (size_t)((rest + part_size - 1) / part_size);
}

uint64_t ossio__parts_crc(const part *v, size_t n)
{
    uint64_t crc = 0;
    for (size_t i = 0; i < n; i++) {
        crc = i == 0 ? v[0].crc : ossio_crc64_combine(crc, v[i].crc, v[i].len);
    }
    return crc;
}

uint32_t ossio__parts_sum(const part *v, size_t n, int kind)
{
    uint32_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        sum = i == 0 ? v[0].sum
                     : ossio__crc32_combine((ossio__crc32_kind)kind, sum, v[i].sum, v[i].len);
    }
    return sum;
}

size_t ossio__parts_count_state(const part *v, size_t n, ossio__part_state state)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        k += v[i].state == state;
    }
    return k;
}

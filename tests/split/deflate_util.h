/* Compresses test texts with zlib, as gzip (.gz) or zlib (.deflate) streams.
 * Test code only. */
#ifndef OSSIO_TESTS_SPLIT_DEFLATE_UTIL_H
#define OSSIO_TESTS_SPLIT_DEFLATE_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <zlib.h>

/* Compresses |n| bytes into |out| (|cap| bytes, enough for them); returns the length. */
static size_t deflate_into(const uint8_t *in, size_t n, uint8_t *out, size_t cap, int gzip)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, gzip ? 15 + 16 : 15, 8, Z_DEFAULT_STRATEGY),
                     Z_OK);
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)n;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    size_t len = cap - zs.avail_out;
    deflateEnd(&zs);
    return len;
}

#endif /* OSSIO_TESTS_SPLIT_DEFLATE_UTIL_H */

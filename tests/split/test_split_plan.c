/* Split planning against hand-computed cases of Flink's
 * FileInputFormat.createInputSplits rules (docs/splits.md). Pure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "split/split.h"

#define MIB (UINT64_C(1) << 20)
#define GIB (UINT64_C(1) << 30)

typedef struct want {
    const char *uri;
    uint64_t start, length;
    int unsplittable;
} want;

static void check(const ossio_split_plan *plan, const want *w, size_t n)
{
    assert_int_equal(ossio_split_plan_count(plan), n);
    for (size_t i = 0; i < n; i++) {
        const ossio_split *s = ossio_split_plan_get(plan, i);
        assert_non_null(s);
        assert_int_equal(s->index, i);
        assert_string_equal(s->uri, w[i].uri);
        assert_int_equal(s->start, w[i].start);
        assert_int_equal(s->length, w[i].length);
        assert_int_equal(s->unsplittable, w[i].unsplittable);
    }
    assert_null(ossio_split_plan_get(plan, n));
}

static ossio_split_plan *one_file(uint64_t size)
{
    ossio_split_plan *p = ossio_split_plan_new();
    assert_int_equal(ossio_split_plan_add(p, "oss://b/f", size, "\"e\""), OSSIO_OK);
    return p;
}

/* 1 GiB, minNumSplits 3: maxSplitSize 357913942 > block, so 64 MiB splits; the
 * last 64 MiB is within 1.1 × 64 MiB and is the 16th split. */
static void t_gib_in_blocks(void **state)
{
    (void)state;
    ossio_split_plan *p = one_file(GIB);
    assert_int_equal(ossio_split_plan_compute(p, 3, 64 * MIB, 0), OSSIO_OK);
    assert_int_equal(ossio_split_plan_count(p), 16);
    for (size_t i = 0; i < 16; i++) {
        const ossio_split *s = ossio_split_plan_get(p, i);
        assert_int_equal(s->start, i * 64 * MIB);
        assert_int_equal(s->length, 64 * MIB);
        assert_int_equal(s->object_size, GIB);
        assert_string_equal(s->etag, "\"e\"");
    }
    ossio_split_plan_free(p);
}

/* 70 MiB <= (long)(64 MiB × 1.1f) = 73819752: one split; 71 MiB is more. */
static void t_discrepancy_rule(void **state)
{
    (void)state;
    ossio_split_plan *p = one_file(70 * MIB);
    assert_int_equal(ossio_split_plan_compute(p, 1, 64 * MIB, 0), OSSIO_OK);
    want w1[] = {{"oss://b/f", 0, 70 * MIB, 0}};
    check(p, w1, 1);
    ossio_split_plan_free(p);

    p = one_file(71 * MIB);
    assert_int_equal(ossio_split_plan_compute(p, 1, 64 * MIB, 0), OSSIO_OK);
    want w2[] = {{"oss://b/f", 0, 64 * MIB, 0}, {"oss://b/f", 64 * MIB, 7 * MIB, 0}};
    check(p, w2, 2);
    ossio_split_plan_free(p);

    /* The float product: (long)(10 × 1.1f) = 11, so 11 bytes stay one split, 12 do not. */
    p = one_file(11);
    assert_int_equal(ossio_split_plan_compute(p, 1, 10, 0), OSSIO_OK);
    want w3[] = {{"oss://b/f", 0, 11, 0}};
    check(p, w3, 1);
    ossio_split_plan_free(p);
    p = one_file(12);
    assert_int_equal(ossio_split_plan_compute(p, 1, 10, 0), OSSIO_OK);
    want w4[] = {{"oss://b/f", 0, 10, 0}, {"oss://b/f", 10, 2, 0}};
    check(p, w4, 2);
    ossio_split_plan_free(p);
}

/* 100 + 250 + 0 bytes, minNumSplits 4: maxSplitSize ceil(350 / 4) = 88, last
 * split up to (long)(88 × 1.1f) = 96; the empty file is one split (0, 0). */
static void t_several_files(void **state)
{
    (void)state;
    ossio_split_plan *p = ossio_split_plan_new();
    assert_int_equal(ossio_split_plan_add(p, "oss://b/d/a", 100, NULL), OSSIO_OK);
    assert_int_equal(ossio_split_plan_add(p, "oss://b/d/b", 250, "\"x\""), OSSIO_OK);
    assert_int_equal(ossio_split_plan_add(p, "oss://b/d/c", 0, NULL), OSSIO_OK);
    assert_int_equal(ossio_split_plan_compute(p, 4, 64 * MIB, 0), OSSIO_OK);
    want w[] = {{"oss://b/d/a", 0, 88, 0},  {"oss://b/d/a", 88, 12, 0},  {"oss://b/d/b", 0, 88, 0},
                {"oss://b/d/b", 88, 88, 0}, {"oss://b/d/b", 176, 74, 0}, {"oss://b/d/c", 0, 0, 0}};
    check(p, w, 6);
    assert_null(ossio_split_plan_get(p, 0)->etag);
    assert_string_equal(ossio_split_plan_get(p, 2)->etag, "\"x\"");
    assert_int_equal(ossio_split_plan_get(p, 5)->object_size, 0);
    /* Computing again replaces the splits. */
    assert_int_equal(ossio_split_plan_compute(p, 1, 64 * MIB, 0), OSSIO_OK);
    want w1[] = {{"oss://b/d/a", 0, 100, 0}, {"oss://b/d/b", 0, 250, 0}, {"oss://b/d/c", 0, 0, 0}};
    check(p, w1, 3);
    ossio_split_plan_free(p);
}

/* One compressed file makes every file of the input one whole split. */
static void t_compressed_input(void **state)
{
    (void)state;
    ossio_split_plan *p = ossio_split_plan_new();
    assert_int_equal(ossio_split_plan_add(p, "oss://b/d/a.txt", 1000, NULL), OSSIO_OK);
    assert_int_equal(ossio_split_plan_add(p, "oss://b/d/b.gz", 500, NULL), OSSIO_OK);
    assert_int_equal(ossio_split_plan_add(p, "oss://b/d/c.deflate", 0, NULL), OSSIO_OK);
    assert_int_equal(ossio_split_plan_compute(p, 8, 100, 0), OSSIO_OK);
    want w[] = {{"oss://b/d/a.txt", 0, 1000, 0},
                {"oss://b/d/b.gz", 0, 500, 1},
                {"oss://b/d/c.deflate", 0, 0, 1}};
    check(p, w, 3);
    ossio_split_plan_free(p);

    assert_int_equal(ossio__split_codec("oss://b/x.gz"), OSSIO__CODEC_ZLIB);
    assert_int_equal(ossio__split_codec("x.gzip"), OSSIO__CODEC_ZLIB);
    assert_int_equal(ossio__split_codec("oss://b/x.deflate"), OSSIO__CODEC_ZLIB);
    assert_int_equal(ossio__split_codec("x.xz"), OSSIO__CODEC_UNSUPPORTED);
    assert_int_equal(ossio__split_codec("x.bz2"), OSSIO__CODEC_UNSUPPORTED);
    assert_int_equal(ossio__split_codec("x.GZ"), OSSIO__CODEC_NONE); /* case-sensitive, as Flink */
    assert_int_equal(ossio__split_codec("oss://b/d.gz/x"), OSSIO__CODEC_NONE);
    assert_int_equal(ossio__split_codec("x.gz.txt"), OSSIO__CODEC_NONE);
    assert_int_equal(ossio__split_codec(NULL), OSSIO__CODEC_NONE);
}

/* minSplitSize 300 over maxSplitSize 100: 300-byte splits, last (long)(330.00001f) = 330. */
static void t_min_split_size(void **state)
{
    (void)state;
    ossio_split_plan *p = one_file(1000);
    assert_int_equal(ossio_split_plan_compute(p, 10, 64 * MIB, 300), OSSIO_OK);
    want w[] = {{"oss://b/f", 0, 300, 0},
                {"oss://b/f", 300, 300, 0},
                {"oss://b/f", 600, 300, 0},
                {"oss://b/f", 900, 100, 0}};
    check(p, w, 4);
    /* A minimum above the block size is lowered to the block size. */
    assert_int_equal(ossio_split_plan_compute(p, 1, 400, 1000), OSSIO_OK);
    want w2[] = {{"oss://b/f", 0, 400, 0}, {"oss://b/f", 400, 400, 0}, {"oss://b/f", 800, 200, 0}};
    check(p, w2, 3);
    ossio_split_plan_free(p);
}

static void t_invalid_and_names(void **state)
{
    (void)state;
    ossio_split_plan *p = one_file(10);
    assert_int_equal(ossio_split_plan_compute(p, 0, 64 * MIB, 0), OSSIO_EINVAL);
    assert_int_equal(ossio_split_plan_compute(p, 1, 0, 0), OSSIO_EINVAL);
    assert_int_equal(ossio_split_plan_compute(NULL, 1, 1, 0), OSSIO_EINVAL);
    assert_int_equal(ossio_split_plan_add(p, NULL, 1, NULL), OSSIO_EINVAL);
    assert_int_equal(ossio_split_plan_count(NULL), 0);
    assert_null(ossio_split_plan_get(NULL, 0));
    ossio_split_plan_free(p);
    ossio_split_plan_free(NULL);

    /* An empty plan computes to no splits. */
    p = ossio_split_plan_new();
    assert_int_equal(ossio_split_plan_compute(p, 4, 64 * MIB, 0), OSSIO_OK);
    assert_int_equal(ossio_split_plan_count(p), 0);
    ossio_split_plan_free(p);

    assert_true(ossio_split_accept_name("part-00000"));
    assert_true(ossio_split_accept_name("a_b.crc"));
    assert_false(ossio_split_accept_name("_SUCCESS"));
    assert_false(ossio_split_accept_name(".part-0.crc"));
    assert_false(ossio_split_accept_name(""));
    assert_false(ossio_split_accept_name(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_gib_in_blocks),  cmocka_unit_test(t_discrepancy_rule),
        cmocka_unit_test(t_several_files),  cmocka_unit_test(t_compressed_input),
        cmocka_unit_test(t_min_split_size), cmocka_unit_test(t_invalid_and_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

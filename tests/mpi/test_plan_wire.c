/* mpi/plan_wire.c: a split plan packed on rank 0 and unpacked on the others
 * must give every rank the very same splits; bytes that are not a whole
 * packed plan are refused. No MPI needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plan_wire.h"

/* Three objects (one without an ETag, one empty); with |gz| the second is
 * compressed, and then every object is one whole split (Flink's rule). */
static ossio_split_plan *sample(int gz)
{
    ossio_split_plan *plan = ossio_split_plan_new();
    assert_non_null(plan);
    assert_int_equal(ossio_split_plan_add(plan, "oss://b/dir/part-0", 1000000, "\"etag-0\""),
                     OSSIO_OK);
    assert_int_equal(
        ossio_split_plan_add(plan, gz ? "oss://b/dir/part-1.gz" : "oss://b/dir/part-1", 5000, NULL),
        OSSIO_OK);
    assert_int_equal(ossio_split_plan_add(plan, "oss://b/dir/empty", 0, "\"e\""), OSSIO_OK);
    assert_int_equal(ossio_split_plan_compute(plan, 7, 64 << 20, 1), OSSIO_OK);
    return plan;
}

static void round_trip(int gz)
{
    ossio_split_plan *plan = sample(gz);
    uint8_t *buf = NULL;
    size_t len = 0, n = 0;
    assert_int_equal(plan_wire_pack(plan, &buf, &len), 0);
    ossio_split *s = NULL;
    assert_int_equal(plan_wire_unpack(buf, len, &s, &n), 0);
    assert_int_equal(n, ossio_split_plan_count(plan));
    assert_true(gz ? n == 3 : n >= 7 + 1); /* the empty one is one split */
    int saw_gz = 0, saw_empty = 0, saw_etag = 0;
    for (size_t i = 0; i < n; i++) {
        const ossio_split *want = ossio_split_plan_get(plan, i);
        assert_int_equal(s[i].index, want->index);
        assert_string_equal(s[i].uri, want->uri);
        assert_int_equal(s[i].start, want->start);
        assert_int_equal(s[i].length, want->length);
        assert_int_equal(s[i].object_size, want->object_size);
        assert_int_equal(s[i].unsplittable, want->unsplittable);
        if (want->etag == NULL) {
            assert_null(s[i].etag);
        } else {
            assert_string_equal(s[i].etag, want->etag);
        }
        saw_gz |= s[i].unsplittable;
        saw_empty |= s[i].object_size == 0;
        saw_etag |= s[i].etag != NULL;
    }
    assert_true(saw_gz == gz && saw_empty && saw_etag);
    free(s);
    free(buf);
    ossio_split_plan_free(plan);
}

static void test_round_trip(void **state)
{
    (void)state;
    round_trip(0);
}

static void test_round_trip_compressed(void **state)
{
    (void)state;
    round_trip(1);
}

static void test_empty_plan(void **state)
{
    (void)state;
    ossio_split_plan *plan = ossio_split_plan_new();
    uint8_t *buf = NULL;
    size_t len = 0, n = 1;
    ossio_split *s = NULL;
    assert_int_equal(plan_wire_pack(plan, &buf, &len), 0);
    assert_int_equal(plan_wire_unpack(buf, len, &s, &n), 0);
    assert_int_equal(n, 0);
    free(s);
    free(buf);
    ossio_split_plan_free(plan);
}

static void test_refuses_damaged(void **state)
{
    (void)state;
    ossio_split_plan *plan = sample(1);
    uint8_t *buf = NULL;
    size_t len = 0, n = 0;
    ossio_split *s = NULL;
    assert_int_equal(plan_wire_pack(plan, &buf, &len), 0);
    for (size_t cut = 0; cut < len; cut++) {
        assert_int_equal(plan_wire_unpack(buf, cut, &s, &n), -1); /* every truncation */
    }
    uint8_t *longer = malloc(len + 1);
    memcpy(longer, buf, len);
    longer[len] = 'x';
    assert_int_equal(plan_wire_unpack(longer, len + 1, &s, &n), -1); /* trailing bytes */
    buf[0] ^= 1;
    assert_int_equal(plan_wire_unpack(buf, len, &s, &n), -1); /* not a plan */
    buf[0] ^= 1;
    /* A URI's terminating NUL overwritten: its length no longer holds. */
    size_t nul = strlen("SSOPLAN1") + 8 + 40 + strlen("oss://b/dir/part-0");
    assert_int_equal(buf[nul], 0);
    buf[nul] = 'y';
    assert_int_equal(plan_wire_unpack(buf, len, &s, &n), -1);
    free(longer);
    free(buf);
    ossio_split_plan_free(plan);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_round_trip_compressed),
        cmocka_unit_test(test_empty_plan),
        cmocka_unit_test(test_refuses_damaged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Tests for the request-body writers: exact bytes, escaping, refusal of what
 * XML 1.0 cannot carry, limits, and a round trip through the parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "xml_feed.h"

#define DECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

static void assert_buf(const ossio__buf *b, const char *want)
{
    assert_int_equal(b->len, strlen(want));
    assert_memory_equal(b->data, want, b->len);
}

static void test_complete_exact(void **state)
{
    (void)state;
    ossio__buf b;
    ossio__buf_init(&b, 1 << 20, OSSIO_EBODYSIZE);
    const ossio__xml_part_ref parts[] = {
        {1, "\"3349DC700140D7F86A0784842780****\"", 34, NULL, NULL},
        {2, "\"8EFDA8BE206636A695359836FE0A****\"", 34, "ChecksumCRC32C", "4waSgw=="},
        {10000, "a&b<c>'d\"", 9, NULL, NULL},
    };
    assert_int_equal(ossio__xml_write_complete(&b, parts, 3), OSSIO_OK);
    assert_buf(&b, DECL "<CompleteMultipartUpload>"
                        "<Part><PartNumber>1</PartNumber>"
                        "<ETag>&quot;3349DC700140D7F86A0784842780****&quot;</ETag></Part>"
                        "<Part><PartNumber>2</PartNumber>"
                        "<ETag>&quot;8EFDA8BE206636A695359836FE0A****&quot;</ETag>"
                        "<ChecksumCRC32C>4waSgw==</ChecksumCRC32C></Part>"
                        "<Part><PartNumber>10000</PartNumber>"
                        "<ETag>a&amp;b&lt;c&gt;&apos;d&quot;</ETag></Part>"
                        "</CompleteMultipartUpload>");
    size_t len = b.len;
    const ossio__xml_part_ref bad_order[] = {{2, "e", 1, NULL, NULL}, {2, "f", 1, NULL, NULL}};
    const ossio__xml_part_ref zero[] = {{0, "e", 1, NULL, NULL}};
    const ossio__xml_part_ref big[] = {{10001, "e", 1, NULL, NULL}};
    const ossio__xml_part_ref ctl[] = {{1, "e", 1, NULL, NULL}, {2, "e\x01", 2, NULL, NULL}};
    assert_int_equal(ossio__xml_write_complete(&b, bad_order, 2), OSSIO_EINVAL);
    assert_int_equal(ossio__xml_write_complete(&b, zero, 1), OSSIO_EINVAL);
    assert_int_equal(ossio__xml_write_complete(&b, big, 1), OSSIO_EINVAL);
    assert_int_equal(ossio__xml_write_complete(&b, ctl, 2), OSSIO_EINVAL);
    assert_int_equal(ossio__xml_write_complete(&b, parts, 0), OSSIO_EINVAL);
    assert_int_equal(b.len, len); /* unchanged by failures */
    ossio__buf_free(&b);

    ossio__buf small;
    ossio__buf_init(&small, 100, OSSIO_EBODYSIZE);
    assert_int_equal(ossio__xml_write_complete(&small, parts, 3), OSSIO_EBODYSIZE);
    assert_int_equal(small.len, 0);
    ossio__buf_free(&small);
}

static void test_delete_exact(void **state)
{
    (void)state;
    ossio__buf b;
    ossio__buf_init(&b, 1 << 20, OSSIO_EBODYSIZE);
    const ossio__xml_key keys[] = {
        {"a.txt", 5}, {"&<>\"'\r\n\t", 8}, {"\xE4\xB8\xAD/\xF0\x9F\x98\x80", 8}};
    assert_int_equal(ossio__xml_write_delete(&b, true, keys, 3), OSSIO_OK);
    assert_buf(&b, DECL "<Delete><Quiet>true</Quiet><Object><Key>a.txt</Key></Object>"
                        "<Object><Key>&amp;&lt;&gt;&quot;&apos;&#13;\n\t</Key></Object>"
                        "<Object><Key>\xE4\xB8\xAD/\xF0\x9F\x98\x80</Key></Object></Delete>");
    ossio__buf_reset(&b);
    assert_int_equal(ossio__xml_write_delete(&b, false, keys, 1), OSSIO_OK);
    assert_buf(&b, DECL "<Delete><Quiet>false</Quiet><Object><Key>a.txt</Key></Object></Delete>");
    ossio__buf_free(&b);
}

static void test_delete_refuses(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "a\x01",            /* control character */
        "a\0b",             /* NUL (length 3) */
        "\xC3",             /* truncated sequence */
        "\xC0\xAF",         /* overlong '/' */
        "\xE0\x80\xAF",     /* overlong */
        "\xED\xA0\x80",     /* surrogate */
        "\xEF\xBF\xBE",     /* U+FFFE */
        "\xEF\xBF\xBF",     /* U+FFFF */
        "\xF4\x90\x80\x80", /* above U+10FFFF */
        "\xFF",
        "\x80",
    };
    static const size_t lens[] = {2, 3, 1, 2, 3, 3, 3, 3, 4, 1, 1};
    ossio__buf b;
    ossio__buf_init(&b, 1 << 20, OSSIO_EBODYSIZE);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ossio__xml_key k = {bad[i], lens[i]};
        assert_int_equal(ossio__xml_write_delete(&b, true, &k, 1), OSSIO_EINVAL);
        assert_int_equal(b.len, 0);
        assert_int_equal(ossio__xml_escape(&b, bad[i], lens[i]), OSSIO_EINVAL);
        assert_int_equal(b.len, 0);
    }
    ossio__xml_key empty = {"", 0};
    assert_int_equal(ossio__xml_write_delete(&b, true, &empty, 1), OSSIO_EINVAL);
    assert_int_equal(ossio__xml_write_delete(&b, true, &empty, 0), OSSIO_EINVAL);
    /* Edge characters that are allowed. */
    ossio__xml_key ok = {"\xEF\xBF\xBD\xF4\x8F\xBF\xBF\xEE\x80\x80", 10};
    assert_int_equal(ossio__xml_write_delete(&b, true, &ok, 1), OSSIO_OK);
    ossio__buf_free(&b);
}

typedef struct keys_seen {
    size_t n;
    int mismatch;
    const ossio__xml_key *want;
} keys_seen;

static int seen_text(void *ud, size_t depth, const char *const *names, const char *text, size_t len)
{
    keys_seen *k = ud;
    if (ossio__xml_path_is(depth, names, "Delete", "Object", "Key", NULL)) {
        const ossio__xml_key *w = &k->want[k->n++];
        /* The parser turns the CR reference back into CR. */
        if (w->len != len || memcmp(w->key, text, len) != 0) {
            k->mismatch = 1;
        }
    }
    return 0;
}

static void test_delete_thousand_round_trip(void **state)
{
    (void)state;
    ossio__xml_key *keys = calloc(1001, sizeof *keys);
    char(*names)[32] = calloc(1001, sizeof *names);
    assert_non_null(keys);
    assert_non_null(names);
    for (int i = 0; i < 1001; i++) {
        int n = snprintf(names[i], sizeof names[i], "d/%d&<'\">\r%c", i, 'a' + i % 26);
        keys[i].key = names[i];
        keys[i].len = (size_t)n;
    }
    ossio__buf b;
    ossio__buf_init(&b, 1 << 20, OSSIO_EBODYSIZE);
    assert_int_equal(ossio__xml_write_delete(&b, true, keys, 1001), OSSIO_EINVAL);
    assert_int_equal(ossio__xml_write_delete(&b, true, keys, OSSIO__XML_DELETE_MAX), OSSIO_OK);
    keys_seen k = {0, 0, keys};
    ossio__xml_stream s;
    assert_int_equal(ossio__xml_stream_init(&s, seen_text, NULL, &k, NULL), OSSIO_OK);
    assert_int_equal(ossio__xml_stream_feed(&s, b.data, b.len), OSSIO_OK);
    assert_int_equal(ossio__xml_stream_finish(&s), OSSIO_OK);
    ossio__xml_stream_free(&s);
    assert_int_equal(k.n, 1000);
    assert_false(k.mismatch);
    ossio__buf_free(&b);
    free(keys);
    free(names);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_complete_exact),
        cmocka_unit_test(test_delete_exact),
        cmocka_unit_test(test_delete_refuses),
        cmocka_unit_test(test_delete_thousand_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

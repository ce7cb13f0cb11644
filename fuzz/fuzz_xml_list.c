/* Feeds the input to the ListBucketResult parser (V1/V2, encoding-type=url),
 * split as the first byte says; its low bit says url was requested. */
/* The checks are the point of a fuzzer: keep assert() in release builds. */
#undef NDEBUG

#include "fuzz.h"
#include "fuzz_xml_common.h"

static int on_object(void *ud, const ossio__xml_object *o)
{
    size_t *n = ud;
    assert(o->key_len <= fuzz_xml_limits.max_text);
    assert(o->key[o->key_len] == '\0');
    fuzz_touch(o->key, o->key_len);
    fuzz_touch(o->etag, strlen(o->etag));
    fuzz_touch(o->last_modified, strlen(o->last_modified));
    fuzz_touch(o->storage_class, strlen(o->storage_class));
    fuzz_touch(o->type, strlen(o->type));
    /* Stop after many entries, exercising the cancel path. */
    return ++*n > 1000;
}

static int on_prefix(void *ud, const char *prefix, size_t len)
{
    (void)ud;
    assert(prefix[len] == '\0');
    fuzz_touch(prefix, len);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    bool url = data[0] & 1;
    size_t split = data[0] >> 1;
    static const ossio__xml_list_callbacks cb = {on_object, on_prefix};
    size_t n = 0;
    ossio__xml_list_parser p;
    ossio_status st = ossio__xml_list_init(&p, &cb, &n, url, &fuzz_xml_limits);
    assert(st == OSSIO_OK);
    st = fuzz_xml_feed(&p.d, data + 1, size - 1, split);
    assert(p.d.arena.len <= OSSIO__XML_MAX_FIELDS * (fuzz_xml_limits.max_text + 1));
    if (st == OSSIO_OK) {
        st = ossio__xml_list_finish(&p);
        assert(st == OSSIO_OK || st == OSSIO_EXML);
        if (st == OSSIO_OK) {
            const ossio__xml_list_result *r = &p.result;
            fuzz_str(&r->name);
            fuzz_str(&r->prefix);
            fuzz_str(&r->delimiter);
            fuzz_str(&r->encoding_type);
            fuzz_str(&r->marker);
            fuzz_str(&r->next_marker);
            fuzz_str(&r->continuation_token);
            fuzz_str(&r->next_continuation_token);
            fuzz_str(&r->start_after);
        }
    }
    ossio__xml_list_free(&p);
    return 0;
}

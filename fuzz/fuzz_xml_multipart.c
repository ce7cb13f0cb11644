/* Feeds the input to a multipart-family parser chosen by the first byte
 * (uploads, parts, initiate, complete, copy, delete result), split as the
 * second byte says. */
/* The checks are the point of a fuzzer: keep assert() in release builds. */
#undef NDEBUG

#include "fuzz.h"
#include "fuzz_xml_common.h"

static int on_upload(void *ud, const ossio__xml_upload *u)
{
    (void)ud;
    assert(u->key[u->key_len] == '\0');
    fuzz_touch(u->key, u->key_len);
    fuzz_touch(u->upload_id, strlen(u->upload_id));
    fuzz_touch(u->initiated, strlen(u->initiated));
    return 0;
}

static int on_prefix(void *ud, const char *prefix, size_t len)
{
    (void)ud;
    fuzz_touch(prefix, len);
    return 0;
}

static int on_part(void *ud, const ossio__xml_part *pt)
{
    uint32_t *last = ud;
    assert(pt->number >= 1 && pt->number <= 10000);
    fuzz_touch(pt->etag, strlen(pt->etag));
    fuzz_touch(pt->last_modified, strlen(pt->last_modified));
    *last = pt->number;
    return 0;
}

static int on_deleted(void *ud, const char *key, size_t len)
{
    (void)ud;
    assert(key[len] == '\0');
    fuzz_touch(key, len);
    return 0;
}

static int on_del_error(void *ud, const char *key, size_t len, const char *code,
                        const char *message)
{
    (void)ud;
    fuzz_touch(key, len);
    fuzz_touch(code, strlen(code));
    fuzz_touch(message, strlen(message));
    return 0;
}

static void ok_or_xml(ossio_status st)
{
    assert(st == OSSIO_OK || st == OSSIO_EXML);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) {
        return 0;
    }
    unsigned which = data[0] % 6;
    size_t split = data[1];
    const uint8_t *in = data + 2;
    size_t len = size - 2;
    ossio_status st;

    if (which == 0) {
        static const ossio__xml_uploads_callbacks cb = {on_upload, on_prefix};
        ossio__xml_uploads_parser p;
        assert(ossio__xml_uploads_init(&p, &cb, NULL, data[0] & 0x80, &fuzz_xml_limits) ==
               OSSIO_OK);
        st = fuzz_xml_feed(&p.d, in, len, split);
        if (st == OSSIO_OK) {
            ok_or_xml(st = ossio__xml_uploads_finish(&p));
            if (st == OSSIO_OK) {
                fuzz_str(&p.result.next_key_marker);
                fuzz_str(&p.result.next_upload_id_marker);
            }
        }
        ossio__xml_uploads_free(&p);
    } else if (which == 1) {
        uint32_t last = 0;
        ossio__xml_parts_parser p;
        assert(ossio__xml_parts_init(&p, on_part, &last, &fuzz_xml_limits) == OSSIO_OK);
        st = fuzz_xml_feed(&p.d, in, len, split);
        if (st == OSSIO_OK) {
            ok_or_xml(ossio__xml_parts_finish(&p));
        }
        ossio__xml_parts_free(&p);
    } else if (which <= 4) {
        ossio__xml_result_parser p;
        ossio__xml_result_kind kind = which == 2   ? OSSIO__XML_INITIATE
                                      : which == 3 ? OSSIO__XML_COMPLETE
                                                   : OSSIO__XML_COPY;
        assert(ossio__xml_result_init(&p, kind, &fuzz_xml_limits) == OSSIO_OK);
        st = fuzz_xml_feed(&p.d, in, len, split);
        if (st == OSSIO_OK) {
            st = ossio__xml_result_finish(&p);
            assert(st == OSSIO_OK || st == OSSIO_EXML || st == OSSIO_EHTTP);
            if (st == OSSIO_OK) {
                assert(kind == OSSIO__XML_INITIATE ? p.result.upload_id.p != NULL
                                                   : p.result.etag.p != NULL);
                fuzz_str(&p.result.key);
                fuzz_str(&p.result.location);
            } else if (st == OSSIO_EHTTP) {
                assert(strlen(p.result.error.code) < sizeof p.result.error.code);
            }
        }
        ossio__xml_result_free(&p);
    } else {
        static const ossio__xml_delete_callbacks cb = {on_deleted, on_del_error};
        ossio__xml_delete_parser p;
        assert(ossio__xml_delete_init(&p, &cb, NULL, data[0] & 0x80, &fuzz_xml_limits) == OSSIO_OK);
        st = fuzz_xml_feed(&p.d, in, len, split);
        if (st == OSSIO_OK) {
            ok_or_xml(ossio__xml_delete_finish(&p));
        }
        ossio__xml_delete_free(&p);
    }
    return 0;
}

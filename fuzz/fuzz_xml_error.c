/* Feeds the input to the <Error> parser, split as the first byte says; also
 * reads it as the first bytes of a cut-off error body, and decodes it as an
 * x-oss-err header value. */
/* The checks are the point of a fuzzer: keep assert() in release builds. */
#undef NDEBUG

#include "fuzz.h"
#include "fuzz_xml_common.h"

static void check_error(const ossio__xml_error *e)
{
    assert(strlen(e->code) < sizeof e->code);
    assert(strlen(e->message) < sizeof e->message);
    assert(strlen(e->request_id) < sizeof e->request_id);
    assert(strlen(e->host_id) < sizeof e->host_id);
    assert(strlen(e->ec) < sizeof e->ec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    size_t split = data[0];
    const uint8_t *in = data + 1;
    size_t len = size - 1;

    ossio__xml_error e;
    ossio__xml_error_parser p;
    ossio_status st = ossio__xml_error_init(&p, &e, &fuzz_xml_limits);
    assert(st == OSSIO_OK);
    st = fuzz_xml_feed(&p.d, in, len, split);
    if (st == OSSIO_OK) {
        st = ossio__xml_error_finish(&p);
        assert(st == OSSIO_OK || st == OSSIO_EXML);
        if (st == OSSIO_OK) {
            check_error(&e);
        }
    }
    ossio__xml_error_free(&p);

    /* The same bytes as an error body cut at 64 KiB: the fields that closed. */
    memset(&e, 0, sizeof(e));
    st = ossio__xml_error_parse_prefix(&e, in, len);
    assert(st == OSSIO_OK || e.code[0] == '\0');
    check_error(&e);

    /* The same bytes as a header value: base64, then the same parser. */
    st = ossio__xml_error_from_header(&e, (const char *)in, len);
    assert(st == OSSIO_OK || st == OSSIO_EXML);
    check_error(&e);
    return 0;
}

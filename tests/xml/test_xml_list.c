/* Tests for the listing parsers: same entries for any split, namespace on or
 * off, encoding-type=url, strict numbers, and a 10,000-key listing streamed
 * in 4 KiB pieces within bounded memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "xml_feed.h"

static int on_object(void *ud, const ossio__xml_object *o)
{
    transcript *t = ud;
    tr_add(t, "obj [");
    tr_mem(t, o->key, o->key_len);
    tr_add(t, "] %s %s %llu %s %s\n", o->last_modified, o->etag, (unsigned long long)o->size,
           o->storage_class, o->type);
    return 0;
}

static int on_prefix(void *ud, const char *prefix, size_t len)
{
    transcript *t = ud;
    tr_add(t, "prefix [%.*s]\n", (int)len, prefix);
    return 0;
}

static const ossio__xml_list_callbacks list_cb = {on_object, on_prefix};

/* Parses |doc| split by |mode| into a transcript; returns the status. */
static ossio_status run_list(const char *doc, bool url, int mode, transcript *t)
{
    memset(t, 0, sizeof *t);
    ossio__xml_list_parser p;
    ossio_status st = ossio__xml_list_init(&p, &list_cb, t, url, NULL);
    assert_int_equal(st, OSSIO_OK);
    if (mode == 0) {
        st = ossio__xml_list_feed(&p, doc, strlen(doc));
    } else {
        st = feed_doc(&p.d, doc, strlen(doc), mode);
    }
    if (st == OSSIO_OK) {
        st = ossio__xml_list_finish(&p);
    }
    if (st == OSSIO_OK) {
        const ossio__xml_list_result *r = &p.result;
        tr_add(t, "truncated=%d keycount=%d/%llu\n", r->is_truncated, r->has_key_count,
               (unsigned long long)r->key_count);
        tr_str(t, "name", &r->name);
        tr_str(t, "prefix", &r->prefix);
        tr_str(t, "delimiter", &r->delimiter);
        tr_str(t, "enc", &r->encoding_type);
        tr_str(t, "marker", &r->marker);
        tr_str(t, "next_marker", &r->next_marker);
        tr_str(t, "ctoken", &r->continuation_token);
        tr_str(t, "next_ctoken", &r->next_continuation_token);
        tr_str(t, "start_after", &r->start_after);
    } else {
        assert_string_not_equal(ossio__xml_stream_error(&p.d.s), "");
    }
    ossio__xml_list_free(&p);
    return st;
}

/* Every split mode gives the transcript of a whole feed; returns it. */
static void check_all_modes(const char *doc, bool url, ossio_status want, transcript *out)
{
    transcript *t = malloc(sizeof *t);
    assert_non_null(t);
    assert_int_equal(run_list(doc, url, 0, out), want);
    for (int mode = 1; mode < FEED_MODES; mode++) {
        assert_int_equal(run_list(doc, url, mode, t), want);
        assert_int_equal(t->len, out->len);
        assert_memory_equal(t->buf, out->buf, t->len);
    }
    free(t);
}

#define V2_BODY                                                                                    \
    "<Name>bucket</Name><Prefix>dir/</Prefix><KeyCount>3</KeyCount><MaxKeys>1000</MaxKeys>"        \
    "<Delimiter>/</Delimiter><IsTruncated>true</IsTruncated>"                                      \
    "<ContinuationToken>c1</ContinuationToken>"                                                    \
    "<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>" \
    "<Contents><Key>dir/a.txt</Key><LastModified>2024-01-02T03:04:05.000Z</LastModified>"          \
    "<ETag>&quot;5B3C1A2E053D763E1B002CC607C5A0FE&quot;</ETag><Size>344606</Size>"                 \
    "<StorageClass>Standard</StorageClass><Type>Normal</Type>"                                     \
    "<Owner><ID>0022012</ID><DisplayName>u</DisplayName></Owner></Contents>"                       \
    "<Contents>\n  <Key>dir/&lt;b&amp;c&gt;</Key>\n  <Size>0</Size>\n  <Future>x</Future>\n"       \
    "</Contents>"                                                                                  \
    "<CommonPrefixes><Prefix>dir/sub/</Prefix></CommonPrefixes>"                                   \
    "<Contents><Key><![CDATA[dir/z]]></Key><ETag>\"e-2\"</ETag>"                                   \
    "<Size>18446744073709551615</Size></Contents>"                                                 \
    "<CommonPrefixes><Prefix>dir/sub2/</Prefix></CommonPrefixes>"                                  \
    "<Unknown><Deep><Key>ignored</Key></Deep></Unknown>"

static const char v2_expect[] =
    "obj [dir/a.txt] 2024-01-02T03:04:05.000Z \"5B3C1A2E053D763E1B002CC607C5A0FE\" 344606 "
    "Standard Normal\n"
    "obj [dir/<b&c>]   0  \n"
    "prefix [dir/sub/]\n"
    "obj [dir/z]  \"e-2\" 18446744073709551615  \n"
    "prefix [dir/sub2/]\n"
    "truncated=1 keycount=1/3\n"
    "name=[bucket]\nprefix=[dir/]\ndelimiter=[/]\nenc=absent\nmarker=absent\n"
    "next_marker=absent\nctoken=[c1]\n"
    "next_ctoken=[1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=]\nstart_after=absent\n";

static void test_v2_with_namespace(void **state)
{
    (void)state;
    transcript t;
    check_all_modes("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult "
                    "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" V2_BODY
                    "</ListBucketResult>\n",
                    false, OSSIO_OK, &t);
    assert_string_equal(t.buf, v2_expect);
}

static void test_v2_without_namespace(void **state)
{
    (void)state;
    transcript t;
    check_all_modes("<ListBucketResult>" V2_BODY "</ListBucketResult>", false, OSSIO_OK, &t);
    assert_string_equal(t.buf, v2_expect);
}

static void test_v1_markers(void **state)
{
    (void)state;
    transcript t;
    check_all_modes("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult>"
                    "<Name>b</Name><Prefix></Prefix><Marker>m0</Marker><MaxKeys>2</MaxKeys>"
                    "<Delimiter></Delimiter><IsTruncated>false</IsTruncated>"
                    "<NextMarker>k2</NextMarker>"
                    "<Contents><Key>k1</Key><Size>1</Size></Contents>"
                    "<Contents><Key>k2</Key><Size>2</Size></Contents></ListBucketResult>",
                    false, OSSIO_OK, &t);
    assert_string_equal(t.buf, "obj [k1]   1  \nobj [k2]   2  \n"
                               "truncated=0 keycount=0/0\nname=[b]\nprefix=[]\ndelimiter=[]\n"
                               "enc=absent\nmarker=[m0]\nnext_marker=[k2]\nctoken=absent\n"
                               "next_ctoken=absent\nstart_after=absent\n");
}

static const char url_doc[] =
    "<ListBucketResult><Name>b</Name><Prefix>a%2Fb%20</Prefix>"
    "<EncodingType>url</EncodingType><Delimiter>%2F</Delimiter>"
    "<StartAfter>x%2By</StartAfter><IsTruncated>false</IsTruncated>"
    "<Contents><Key>a%2Fb+c%25%E4%B8%AD%00z</Key><ETag>%41</ETag><Size>7</Size></Contents>"
    "<CommonPrefixes><Prefix>a%2Fd%2F</Prefix></CommonPrefixes>"
    "<NextContinuationToken>tok%2F</NextContinuationToken></ListBucketResult>";

static void test_encoding_type_url(void **state)
{
    (void)state;
    transcript t;
    check_all_modes(url_doc, false, OSSIO_OK, &t);
    /* Keys, prefixes and markers decoded ('+' is a space); ETag and token not. */
    static const char want[] =
        "obj [a/b c%\xE4\xB8\xAD\0z]  %41 7  \nprefix [a/d/]\n"
        "truncated=0 keycount=0/0\nname=[b]\nprefix=[a/b ]\ndelimiter=[/]\nenc=[url]\n"
        "marker=absent\nnext_marker=absent\nctoken=absent\nnext_ctoken=[tok%2F]\n"
        "start_after=[x+y]\n";
    assert_int_equal(t.len, sizeof want - 1);
    assert_memory_equal(t.buf, want, sizeof want - 1);
    /* The same document when the request asked for it. */
    transcript t2;
    check_all_modes(url_doc, true, OSSIO_OK, &t2);
    assert_memory_equal(t2.buf, want, sizeof want - 1);
}

static void test_encoding_type_url_errors(void **state)
{
    (void)state;
    transcript t;
    /* Declared after an undecoded entry: keys already delivered raw. */
    check_all_modes("<ListBucketResult><IsTruncated>false</IsTruncated>"
                    "<Contents><Key>a%2F</Key><Size>1</Size></Contents>"
                    "<EncodingType>url</EncodingType></ListBucketResult>",
                    false, OSSIO_EXML, &t);
    /* ...unless the request asked for url and keys were decoded all along. */
    check_all_modes("<ListBucketResult><IsTruncated>false</IsTruncated>"
                    "<Contents><Key>a%2F</Key><Size>1</Size></Contents>"
                    "<EncodingType>url</EncodingType></ListBucketResult>",
                    true, OSSIO_OK, &t);
    assert_non_null(strstr(t.buf, "obj [a/]"));
    /* Bad escapes. */
    check_all_modes("<ListBucketResult><EncodingType>url</EncodingType>"
                    "<Contents><Key>a%2</Key><Size>1</Size></Contents>"
                    "<IsTruncated>false</IsTruncated></ListBucketResult>",
                    false, OSSIO_EXML, &t);
    check_all_modes("<ListBucketResult><EncodingType>url</EncodingType><Prefix>%zz</Prefix>"
                    "<IsTruncated>false</IsTruncated></ListBucketResult>",
                    false, OSSIO_EXML, &t);
    /* An empty decoded key (found by fuzz_xml_list). */
    check_all_modes("<ListBucketResult><EncodingType>url</EncodingType>"
                    "<Contents><Key></Key><Size>1</Size></Contents>"
                    "<IsTruncated>false</IsTruncated></ListBucketResult>",
                    false, OSSIO_OK, &t);
    assert_non_null(strstr(t.buf, "obj []"));
    /* Without url, '%' and '+' are literal. */
    check_all_modes("<ListBucketResult><Contents><Key>a%2+</Key><Size>1</Size></Contents>"
                    "<IsTruncated>false</IsTruncated></ListBucketResult>",
                    false, OSSIO_OK, &t);
    assert_non_null(strstr(t.buf, "obj [a%2+]"));
}

static void test_strict_fields(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "<ListBucketResult><Contents><Key>k</Key><Size>1a</Size></Contents>"
        "<IsTruncated>false</IsTruncated></ListBucketResult>",
        "<ListBucketResult><Contents><Key>k</Key><Size>-1</Size></Contents>"
        "<IsTruncated>false</IsTruncated></ListBucketResult>",
        "<ListBucketResult><Contents><Key>k</Key><Size> 1</Size></Contents>"
        "<IsTruncated>false</IsTruncated></ListBucketResult>",
        "<ListBucketResult><Contents><Key>k</Key><Size>18446744073709551616</Size></Contents>"
        "<IsTruncated>false</IsTruncated></ListBucketResult>",
        "<ListBucketResult><Contents><Key>k</Key><Size></Size></Contents>"
        "<IsTruncated>false</IsTruncated></ListBucketResult>",
        "<ListBucketResult><Contents><Size>1</Size></Contents>"
        "<IsTruncated>false</IsTruncated></ListBucketResult>",
        "<ListBucketResult><Contents><Key>k</Key></Contents>"
        "<IsTruncated>false</IsTruncated></ListBucketResult>",
        "<ListBucketResult><IsTruncated>yes</IsTruncated></ListBucketResult>",
        "<ListBucketResult><Name>b</Name></ListBucketResult>",
        "<ListBucketResult><IsTruncated>false</IsTruncated><KeyCount>x</KeyCount>"
        "</ListBucketResult>",
        "<ListAllMyBucketsResult><IsTruncated>false</IsTruncated></ListAllMyBucketsResult>",
        "<Error><Code>NoSuchBucket</Code></Error>",
        "<ListBucketResult><IsTruncated>false</IsTruncated>",
        "",
    };
    transcript t;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        check_all_modes(bad[i], false, OSSIO_EXML, &t);
    }
    /* Empty listing. */
    check_all_modes("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>", false,
                    OSSIO_OK, &t);
}

static int stop_at_second(void *ud, const ossio__xml_object *o)
{
    int *n = ud;
    (void)o;
    return ++*n == 2;
}

static void test_callback_stops(void **state)
{
    (void)state;
    static const ossio__xml_list_callbacks cb = {stop_at_second, NULL};
    int n = 0;
    ossio__xml_list_parser p;
    assert_int_equal(ossio__xml_list_init(&p, &cb, &n, false, NULL), OSSIO_OK);
    static const char doc[] = "<ListBucketResult>"
                              "<Contents><Key>a</Key><Size>1</Size></Contents>"
                              "<Contents><Key>b</Key><Size>1</Size></Contents>"
                              "<Contents><Key>c</Key><Size>1</Size></Contents>";
    assert_int_equal(ossio__xml_list_feed(&p, doc, sizeof doc - 1), OSSIO_ECANCELED);
    assert_int_equal(n, 2);
    /* Sticky. */
    assert_int_equal(ossio__xml_list_feed(&p, "x", 1), OSSIO_ECANCELED);
    assert_int_equal(ossio__xml_list_finish(&p), OSSIO_ECANCELED);
    ossio__xml_list_free(&p);
}

/* ---- 10,000 keys streamed in 4 KiB pieces ---- */

typedef struct big_state {
    uint64_t count;
    uint64_t size_sum;
    uint64_t prefixes;
    int bad_order;
} big_state;

static int big_object(void *ud, const ossio__xml_object *o)
{
    big_state *b = ud;
    char want[64];
    snprintf(want, sizeof want, "data/part-%06llu.csv", (unsigned long long)b->count);
    if (strlen(want) != o->key_len || memcmp(want, o->key, o->key_len) != 0) {
        b->bad_order = 1;
    }
    b->size_sum += o->size;
    b->count++;
    return 0;
}

static int big_prefix(void *ud, const char *prefix, size_t len)
{
    big_state *b = ud;
    (void)prefix;
    (void)len;
    b->prefixes++;
    return 0;
}

typedef struct chunker {
    ossio__xml_list_parser *p;
    char buf[4096];
    size_t len;
    size_t max_fed;
    uint64_t total;
} chunker;

static void chunk_flush(chunker *c)
{
    assert_int_equal(ossio__xml_list_feed(c->p, c->buf, c->len), OSSIO_OK);
    c->total += c->len;
    c->len = 0;
    /* Bounded by the limits, not by the document. */
    const ossio__xml_stream *s = &c->p->d.s;
    assert_true(s->text.cap <= s->lim.max_text + 1);
    assert_true(s->text_peak <= 256); /* no element here has more text */
    assert_true(s->mem_peak <= 64 * 1024);
    assert_true(c->p->d.arena.cap <= 1024);
}

static void chunk_put(chunker *c, const char *s)
{
    size_t n = strlen(s);
    while (n > 0) {
        size_t k = sizeof c->buf - c->len < n ? sizeof c->buf - c->len : n;
        memcpy(c->buf + c->len, s, k);
        c->len += k;
        s += k;
        n -= k;
        if (c->len == sizeof c->buf) {
            chunk_flush(c);
        }
    }
}

static void test_ten_thousand_keys(void **state)
{
    (void)state;
    static const ossio__xml_list_callbacks cb = {big_object, big_prefix};
    big_state b = {0};
    ossio__xml_list_parser p;
    assert_int_equal(ossio__xml_list_init(&p, &cb, &b, false, NULL), OSSIO_OK);
    chunker *c = calloc(1, sizeof *c);
    assert_non_null(c);
    c->p = &p;
    chunk_put(c, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"http://"
                 "s3.amazonaws.com/doc/2006-03-01/\"><Name>bucket</Name><Prefix>data/</Prefix>"
                 "<KeyCount>10000</KeyCount><MaxKeys>10000</MaxKeys>"
                 "<IsTruncated>false</IsTruncated>");
    uint64_t want_sum = 0;
    for (unsigned i = 0; i < 10000; i++) {
        char entry[512];
        snprintf(entry, sizeof entry,
                 "\n  <Contents>\n    <Key>data/part-%06u.csv</Key>\n"
                 "    <LastModified>2024-05-01T12:00:00.000Z</LastModified>\n"
                 "    <ETag>\"%032x\"</ETag>\n    <Size>%u</Size>\n"
                 "    <StorageClass>Standard</StorageClass>\n    <Owner><ID>1</ID></Owner>\n"
                 "  </Contents>",
                 i, i * 2654435761u, i * 1000u);
        want_sum += (uint64_t)i * 1000u;
        chunk_put(c, entry);
    }
    chunk_put(c, "<CommonPrefixes><Prefix>data/x/</Prefix></CommonPrefixes></ListBucketResult>");
    chunk_flush(c);
    assert_true(c->total > 2 * 1024 * 1024); /* the document dwarfs the peak memory */
    assert_int_equal(ossio__xml_list_finish(&p), OSSIO_OK);
    assert_int_equal(b.count, 10000);
    assert_int_equal(b.prefixes, 1);
    assert_int_equal(b.size_sum, want_sum);
    assert_false(b.bad_order);
    assert_true(p.result.has_key_count);
    assert_int_equal(p.result.key_count, 10000);
    /* Expat allocates up front, not per entry. */
    assert_true(p.d.s.allocs < 100);
    ossio__xml_list_free(&p);
    free(c);
}

/* ---- ListMultipartUploads and ListParts ---- */

static int on_upload(void *ud, const ossio__xml_upload *u)
{
    transcript *t = ud;
    tr_add(t, "upload [%.*s] %s %s\n", (int)u->key_len, u->key, u->upload_id, u->initiated);
    return 0;
}

static ossio_status run_uploads(const char *doc, int mode, transcript *t)
{
    static const ossio__xml_uploads_callbacks cb = {on_upload, on_prefix};
    memset(t, 0, sizeof *t);
    ossio__xml_uploads_parser p;
    assert_int_equal(ossio__xml_uploads_init(&p, &cb, t, false, NULL), OSSIO_OK);
    ossio_status st = mode == 0 ? ossio__xml_uploads_feed(&p, doc, strlen(doc))
                                : feed_doc(&p.d, doc, strlen(doc), mode);
    if (st == OSSIO_OK) {
        st = ossio__xml_uploads_finish(&p);
    }
    if (st == OSSIO_OK) {
        tr_add(t, "truncated=%d\n", p.result.is_truncated);
        tr_str(t, "bucket", &p.result.bucket);
        tr_str(t, "next_key_marker", &p.result.next_key_marker);
        tr_str(t, "next_upload_id_marker", &p.result.next_upload_id_marker);
        tr_str(t, "prefix", &p.result.prefix);
    }
    ossio__xml_uploads_free(&p);
    return st;
}

static void test_uploads(void **state)
{
    (void)state;
    /* The local endpoint's shape (tests/endpoint/lib/multipart.js). */
    static const char doc[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListMultipartUploadsResult>"
        "<Bucket>b</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker>"
        "<NextKeyMarker>big/2</NextKeyMarker><NextUploadIdMarker>id2</NextUploadIdMarker>"
        "<Delimiter></Delimiter><Prefix>big/</Prefix><MaxUploads>2</MaxUploads>"
        "<IsTruncated>true</IsTruncated>"
        "<Upload><Key>big/1</Key><UploadId>id1</UploadId>"
        "<Initiated>2024-01-01T00:00:00.000Z</Initiated></Upload>"
        "<Upload><Key>big/2</Key><UploadId>id2</UploadId><StorageClass>Standard</StorageClass>"
        "<Initiated>2024-01-01T00:00:01.000Z</Initiated></Upload>"
        "</ListMultipartUploadsResult>";
    transcript t, t2;
    assert_int_equal(run_uploads(doc, 0, &t), OSSIO_OK);
    assert_string_equal(t.buf, "upload [big/1] id1 2024-01-01T00:00:00.000Z\n"
                               "upload [big/2] id2 2024-01-01T00:00:01.000Z\n"
                               "truncated=1\nbucket=[b]\nnext_key_marker=[big/2]\n"
                               "next_upload_id_marker=[id2]\nprefix=[big/]\n");
    for (int mode = 1; mode < FEED_MODES; mode++) {
        assert_int_equal(run_uploads(doc, mode, &t2), OSSIO_OK);
        assert_string_equal(t2.buf, t.buf);
    }
    assert_int_equal(run_uploads("<ListMultipartUploadsResult><IsTruncated>false</IsTruncated>"
                                 "<Upload><Key>k</Key></Upload></ListMultipartUploadsResult>",
                                 0, &t),
                     OSSIO_EXML);
    assert_int_equal(run_uploads("<ListMultipartUploadsResult><EncodingType>url</EncodingType>"
                                 "<NextKeyMarker>a%2Fb</NextKeyMarker>"
                                 "<IsTruncated>false</IsTruncated><Upload><Key>a%20b</Key>"
                                 "<UploadId>i</UploadId></Upload></ListMultipartUploadsResult>",
                                 0, &t),
                     OSSIO_OK);
    assert_non_null(strstr(t.buf, "upload [a b] i"));
    assert_non_null(strstr(t.buf, "next_key_marker=[a/b]"));
}

static int on_part(void *ud, const ossio__xml_part *pt)
{
    transcript *t = ud;
    tr_add(t, "part %u %s %llu %s %d/%llu\n", pt->number, pt->etag, (unsigned long long)pt->size,
           pt->last_modified, pt->has_crc64, (unsigned long long)pt->crc64);
    return 0;
}

static ossio_status run_parts(const char *doc, int mode, transcript *t)
{
    memset(t, 0, sizeof *t);
    ossio__xml_parts_parser p;
    assert_int_equal(ossio__xml_parts_init(&p, on_part, t, NULL), OSSIO_OK);
    ossio_status st = mode == 0 ? ossio__xml_parts_feed(&p, doc, strlen(doc))
                                : feed_doc(&p.d, doc, strlen(doc), mode);
    if (st == OSSIO_OK) {
        st = ossio__xml_parts_finish(&p);
    }
    if (st == OSSIO_OK) {
        tr_add(t, "truncated=%d next=%d/%llu\n", p.result.is_truncated, p.result.has_next_marker,
               (unsigned long long)p.result.next_part_number_marker);
        tr_str(t, "key", &p.result.key);
        tr_str(t, "upload_id", &p.result.upload_id);
    }
    ossio__xml_parts_free(&p);
    return st;
}

static void test_parts(void **state)
{
    (void)state;
    static const char doc[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListPartsResult>"
        "<Bucket>b</Bucket><Key>big</Key><UploadId>U1</UploadId>"
        "<PartNumberMarker>0</PartNumberMarker><NextPartNumberMarker>2</NextPartNumberMarker>"
        "<MaxParts>2</MaxParts><IsTruncated>true</IsTruncated>"
        "<Part><PartNumber>1</PartNumber><LastModified>2024-01-01T00:00:00.000Z</LastModified>"
        "<ETag>&quot;aa&quot;</ETag><HashCrc64ecma>18446744073709551615</HashCrc64ecma>"
        "<Size>5242880</Size></Part>"
        "<Part><PartNumber>10000</PartNumber><ETag>\"bb\"</ETag><Size>1</Size></Part>"
        "</ListPartsResult>";
    transcript t, t2;
    assert_int_equal(run_parts(doc, 0, &t), OSSIO_OK);
    assert_string_equal(t.buf,
                        "part 1 \"aa\" 5242880 2024-01-01T00:00:00.000Z 1/18446744073709551615\n"
                        "part 10000 \"bb\" 1  0/0\ntruncated=1 next=1/2\nkey=[big]\n"
                        "upload_id=[U1]\n");
    for (int mode = 1; mode < FEED_MODES; mode++) {
        assert_int_equal(run_parts(doc, mode, &t2), OSSIO_OK);
        assert_string_equal(t2.buf, t.buf);
    }
    static const char *const bad[] = {
        "<ListPartsResult><IsTruncated>false</IsTruncated><Part><PartNumber>0</PartNumber>"
        "<ETag>e</ETag><Size>1</Size></Part></ListPartsResult>",
        "<ListPartsResult><IsTruncated>false</IsTruncated><Part><PartNumber>10001</PartNumber>"
        "<ETag>e</ETag><Size>1</Size></Part></ListPartsResult>",
        "<ListPartsResult><IsTruncated>false</IsTruncated><Part><PartNumber>1</PartNumber>"
        "<Size>1</Size></Part></ListPartsResult>",
        "<ListPartsResult><IsTruncated>false</IsTruncated><Part><PartNumber>1</PartNumber>"
        "<ETag>e</ETag><Size>1</Size><HashCrc64ecma>x</HashCrc64ecma></Part></ListPartsResult>",
        "<ListPartsResult><IsTruncated>false</IsTruncated>"
        "<NextPartNumberMarker>-</NextPartNumberMarker></ListPartsResult>",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(run_parts(bad[i], 0, &t), OSSIO_EXML);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v2_with_namespace),
        cmocka_unit_test(test_v2_without_namespace),
        cmocka_unit_test(test_v1_markers),
        cmocka_unit_test(test_encoding_type_url),
        cmocka_unit_test(test_encoding_type_url_errors),
        cmocka_unit_test(test_strict_fields),
        cmocka_unit_test(test_callback_stops),
        cmocka_unit_test(test_ten_thousand_keys),
        cmocka_unit_test(test_uploads),
        cmocka_unit_test(test_parts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

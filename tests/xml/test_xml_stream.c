/* Tests for the streaming core: paths and text reach the callbacks for any
 * split, and hostile documents (DTDs, entities, depth, size) fail fast. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xml_feed.h"

static int rec_text(void *ud, size_t depth, const char *const *names, const char *text, size_t len)
{
    transcript *t = ud;
    for (size_t i = 0; i < depth; i++) {
        tr_add(t, "/%s", names[i]);
    }
    assert_int_equal(strlen(text), len);
    tr_add(t, "=[%s]\n", text);
    return 0;
}

static int rec_end(void *ud, size_t depth, const char *name)
{
    transcript *t = ud;
    tr_add(t, "end %zu %s\n", depth, name);
    return 0;
}

/* Runs the core over |doc| in |mode| with |lim|; the transcript in |t|. */
static ossio_status run(const char *doc, size_t len, int mode, const ossio__xml_limits *lim,
                        transcript *t)
{
    memset(t, 0, sizeof *t);
    ossio__xml_doc d; /* only its stream is used: feed_doc takes a doc */
    memset(&d, 0, sizeof d);
    ossio_status st = ossio__xml_stream_init(&d.s, rec_text, rec_end, t, lim);
    assert_int_equal(st, OSSIO_OK);
    if (mode == 0) {
        st = ossio__xml_stream_feed(&d.s, doc, len);
    } else {
        st = feed_doc(&d, doc, len, mode);
    }
    if (st == OSSIO_OK) {
        st = ossio__xml_stream_finish(&d.s);
    }
    if (st != OSSIO_OK) {
        assert_string_not_equal(ossio__xml_stream_error(&d.s), "");
        assert_int_equal(ossio__xml_stream_feed(&d.s, "x", 1), st); /* sticky */
    } else {
        assert_string_equal(ossio__xml_stream_error(&d.s), "");
        assert_int_equal(ossio__xml_stream_feed(&d.s, "x", 1), OSSIO_EINVAL);
    }
    assert_true(d.s.text.cap <= d.s.lim.max_text + 1);
    ossio__xml_stream_free(&d.s);
    return st;
}

static ossio_status run_str(const char *doc, const ossio__xml_limits *lim)
{
    transcript *t = malloc(sizeof *t);
    assert_non_null(t);
    ossio_status st = run(doc, strlen(doc), 0, lim, t);
    for (int mode = 1; mode < FEED_MODES; mode++) {
        assert_int_equal(run(doc, strlen(doc), mode, lim, t), st);
    }
    free(t);
    return st;
}

static void test_paths_and_text(void **state)
{
    (void)state;
    static const char doc[] = "<?xml version=\"1.0\"?>\n<R xmlns=\"urn:x\" a='1'>"
                              "<A>x&amp;y&#x4E2D;<!-- c --><![CDATA[<z>]]></A>\n"
                              "<B><C>1</C><D/></B><?pi data?></R>";
    transcript t, t2;
    assert_int_equal(run(doc, sizeof doc - 1, 0, NULL, &t), OSSIO_OK);
    assert_string_equal(t.buf, "/R/A=[x&y\xE4\xB8\xAD<z>]\nend 2 A\n"
                               "/R/B/C=[1]\nend 3 C\n/R/B/D=[]\nend 3 D\n/R/B=[]\nend 2 B\n"
                               "/R=[]\nend 1 R\n");
    for (int mode = 1; mode < FEED_MODES; mode++) {
        assert_int_equal(run(doc, sizeof doc - 1, mode, NULL, &t2), OSSIO_OK);
        assert_string_equal(t2.buf, t.buf);
    }
}

static void test_long_name_never_matches(void **state)
{
    (void)state;
    char doc[512];
    char name[100];
    memset(name, 'N', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    snprintf(doc, sizeof doc, "<R><%s>t</%s></R>", name, name);
    transcript t;
    assert_int_equal(run(doc, strlen(doc), 0, NULL, &t), OSSIO_OK);
    assert_string_equal(t.buf, "/R/=[t]\nend 2 \n/R=[]\nend 1 R\n");
}

static void test_dtd_and_entities_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        /* billion laughs */
        "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
        " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
        " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
        " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
        " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
        " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
        " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
        " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
        " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
        " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
        "]>\n<Error><Code>&lol9;</Code></Error>",
        /* external entity */
        "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
        "<Error><Code>&xxe;</Code></Error>",
        /* external DTD */
        "<!DOCTYPE Error SYSTEM \"http://example.com/e.dtd\"><Error/>",
        "<!DOCTYPE Error PUBLIC \"-//x//y\" \"e.dtd\"><Error/>",
        /* parameter entities */
        "<!DOCTYPE r [<!ENTITY % p SYSTEM \"http://example.com/p\"> %p;]><r/>",
        /* a bare DOCTYPE */
        "<!DOCTYPE Error><Error/>",
        /* entity references without a declaration */
        "<Error><Code>&xxe;</Code></Error>",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        clock_t t0 = clock();
        assert_int_equal(run_str(bad[i], NULL), OSSIO_EXML);
        assert_true(clock() - t0 < CLOCKS_PER_SEC); /* quickly, not after expanding */
    }
}

static void test_depth_limit(void **state)
{
    (void)state;
    char doc[1024];
    size_t n = 0;
    for (int i = 0; i < 16; i++) {
        n += (size_t)snprintf(doc + n, sizeof doc - n, "<a>");
    }
    for (int i = 0; i < 16; i++) {
        n += (size_t)snprintf(doc + n, sizeof doc - n, "</a>");
    }
    assert_int_equal(run_str(doc, NULL), OSSIO_OK);
    n = 0;
    for (int i = 0; i < 17; i++) {
        n += (size_t)snprintf(doc + n, sizeof doc - n, "<a>");
    }
    for (int i = 0; i < 17; i++) {
        n += (size_t)snprintf(doc + n, sizeof doc - n, "</a>");
    }
    assert_int_equal(run_str(doc, NULL), OSSIO_EXML);
    ossio__xml_limits lim = {.max_depth = 17};
    assert_int_equal(run_str(doc, &lim), OSSIO_OK);
    lim.max_depth = OSSIO__XML_DEPTH_CAP + 1;
    ossio__xml_stream s;
    assert_int_equal(ossio__xml_stream_init(&s, NULL, NULL, NULL, &lim), OSSIO_EINVAL);
    ossio__xml_stream_free(&s);

    /* A depth bomb streamed in 4 KiB pieces fails in the first piece. */
    char chunk[4096];
    for (size_t i = 0; i + 3 <= sizeof chunk; i += 3) {
        memcpy(chunk + i, "<a>", 3);
    }
    assert_int_equal(ossio__xml_stream_init(&s, NULL, NULL, NULL, NULL), OSSIO_OK);
    assert_int_equal(ossio__xml_stream_feed(&s, chunk, sizeof chunk / 3 * 3), OSSIO_EXML);
    assert_true(s.depth <= 16);
    ossio__xml_stream_free(&s);
}

static void test_text_limit(void **state)
{
    (void)state;
    size_t max = OSSIO__XML_DEFAULT_TEXT;
    char *doc = malloc(max + 64);
    assert_non_null(doc);
    memcpy(doc, "<R><K>", 6);
    memset(doc + 6, 'x', max);
    strcpy(doc + 6 + max, "</K></R>");
    assert_int_equal(run_str(doc, NULL), OSSIO_OK);
    memcpy(doc + 6 + max, "x</K></R>", 10);
    assert_int_equal(run_str(doc, NULL), OSSIO_EXML);
    /* Entities count after expansion. */
    ossio__xml_limits lim = {.max_text = 4};
    assert_int_equal(run_str("<R>&amp;&amp;&amp;&amp;</R>", &lim), OSSIO_OK);
    assert_int_equal(run_str("<R>&amp;&amp;&amp;&amp;&amp;</R>", &lim), OSSIO_EXML);
    /* Text before a child is dropped, so siblings do not add up. */
    assert_int_equal(run_str("<R>aaaa<A>bbbb</A>cccc<B>dddd</B>eeee</R>", &lim), OSSIO_OK);
    free(doc);
}

static void test_document_and_memory_limits(void **state)
{
    (void)state;
    ossio__xml_limits lim = {.max_doc = 20};
    assert_int_equal(run_str("<R><A>123456</A></R>", &lim), OSSIO_OK); /* exactly 20 */
    assert_int_equal(run_str("<R><A>1234567</A></R>", &lim), OSSIO_EXML);

    /* One huge start tag: expat would buffer all of it; the cap stops it. */
    size_t big = 4u << 20;
    char *doc = malloc(big + 16);
    assert_non_null(doc);
    memcpy(doc, "<R a=\"", 6);
    memset(doc + 6, 'v', big);
    ossio__xml_stream s;
    assert_int_equal(ossio__xml_stream_init(&s, NULL, NULL, NULL, NULL), OSSIO_OK);
    ossio_status st = OSSIO_OK;
    for (size_t off = 0; off < big + 6 && st == OSSIO_OK; off += 4096) {
        size_t n = big + 6 - off < 4096 ? big + 6 - off : 4096;
        st = ossio__xml_stream_feed(&s, doc + off, n);
    }
    assert_int_equal(st, OSSIO_EXML);
    assert_true(s.mem_peak <= OSSIO__XML_DEFAULT_MEM);
    assert_non_null(strstr(ossio__xml_stream_error(&s), "memory"));
    ossio__xml_stream_free(&s);
    free(doc);
}

static void test_incomplete_documents(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        " \n",
        "<?xml version=\"1.0\"?>",
        "<R>",
        "<R><A>x</A>",
        "<R></R><S/>",
        "<R></S>",
        "<R a='1' a='2'/>",
        "<R>\x01</R>",
        "<R>\xff</R>",
        "text",
        "<R></R>junk",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(run_str(bad[i], NULL), OSSIO_EXML);
    }
    assert_int_equal(run_str("<R/>\n  ", NULL), OSSIO_OK);
}

static int stop_text(void *ud, size_t depth, const char *const *names, const char *text, size_t len)
{
    (void)depth;
    (void)names;
    (void)text;
    (void)len;
    return ++*(int *)ud >= 2;
}

static void test_callback_stops(void **state)
{
    (void)state;
    int n = 0;
    ossio__xml_stream s;
    assert_int_equal(ossio__xml_stream_init(&s, stop_text, NULL, &n, NULL), OSSIO_OK);
    assert_int_equal(ossio__xml_stream_feed(&s, "<R><A/><B/><C/></R>", 19), OSSIO_ECANCELED);
    assert_int_equal(n, 2);
    assert_int_equal(ossio__xml_stream_finish(&s), OSSIO_ECANCELED);
    ossio__xml_stream_free(&s);
    ossio__xml_stream_free(&s); /* harmless twice */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paths_and_text),
        cmocka_unit_test(test_long_name_never_matches),
        cmocka_unit_test(test_dtd_and_entities_refused),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_text_limit),
        cmocka_unit_test(test_document_and_memory_limits),
        cmocka_unit_test(test_incomplete_documents),
        cmocka_unit_test(test_callback_stops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

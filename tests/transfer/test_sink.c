/* Unit tests for the download sinks (src/transfer/sink.c, sink_file.c):
 * positional writes into a buffer and a descriptor, the stream sink's
 * callback, the file sink's commit and discard, and which sink a setter
 * sequence selects. No network, no loop. */
#define _GNU_SOURCE /* mkdtemp, pread, fileno, strdup */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "transfer/sink.h"

static void buffer_sink_writes_at_offsets(void **state)
{
    (void)state;
    uint8_t buf[8];
    memset(buf, '.', sizeof(buf));
    ossio__sink s;
    ossio__sink_init(&s);
    s.buf = buf;
    s.cap = sizeof(buf);
    ossio__sink_select(&s, &ossio__sink_buffer);
    assert_ptr_equal(s.ops, &ossio__sink_buffer);
    assert_false(s.ops->ordered);
    assert_int_equal(s.ops->write(&s, 4, (const uint8_t *)"EFGH", 4), 0);
    assert_int_equal(s.ops->write(&s, 0, (const uint8_t *)"ABCD", 4), 0);
    assert_memory_equal(buf, "ABCDEFGH", 8);
    assert_int_equal(s.ops->write(&s, 6, (const uint8_t *)"xyz", 3), -1); /* past cap */
    assert_memory_equal(buf, "ABCDEFGH", 8);
    assert_true(s.ops->fits(&s, 8));
    assert_false(s.ops->fits(&s, 9));
    const char *why = NULL;
    assert_int_equal(s.ops->describe(&s, &why), OSSIO_EBODYSIZE);
    assert_string_equal(why, "the object does not fit the buffer");
    ossio_status st = OSSIO_OK;
    char detail[64] = "";
    s.ops->finish(&s, &st, detail, sizeof(detail));
    assert_int_equal(st, OSSIO_OK);
    ossio__sink_free(&s);
}

struct got {
    uint8_t bytes[32];
    size_t n;
    int stop_after;
};

static int collect(ossio_transfer *t, const uint8_t *data, size_t len, void *ud)
{
    struct got *g = ud;
    assert_ptr_equal(t, (ossio_transfer *)g);
    memcpy(g->bytes + g->n, data, len);
    g->n += len;
    return g->stop_after > 0 && g->n >= (size_t)g->stop_after ? 1 : 0;
}

static void stream_sink_calls_back_in_order(void **state)
{
    (void)state;
    struct got g = {.stop_after = 6};
    ossio__sink s;
    ossio__sink_init(&s);
    s.stream = collect;
    s.stream_ud = &g;
    s.owner = (ossio_transfer *)&g; /* the handle the callback gets */
    ossio__sink_select(&s, &ossio__sink_stream);
    assert_true(s.ops->ordered);
    assert_int_equal(s.ops->write(&s, 100, (const uint8_t *)"abc", 3), 0);
    assert_int_equal(s.ops->write(&s, 0, (const uint8_t *)"def", 3), 1); /* its stop */
    assert_int_equal(g.n, 6);
    assert_memory_equal(g.bytes, "abcdef", 6);
    ossio__sink_free(&s);
}

static void fd_sink_pwrites(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    assert_non_null(f);
    ossio__sink s;
    ossio__sink_init(&s);
    s.fd = fileno(f);
    ossio__sink_select(&s, &ossio__sink_fd);
    assert_true(s.ops->staged);
    assert_int_equal(s.ops->write(&s, 3, (const uint8_t *)"def", 3), 0);
    assert_int_equal(s.ops->write(&s, 0, (const uint8_t *)"abc", 3), 0);
    char back[7] = "";
    assert_int_equal(pread(fileno(f), back, 6, 0), 6);
    assert_string_equal(back, "abcdef");
    const char *why = NULL;
    assert_int_equal(s.ops->describe(&s, &why), OSSIO_EIO);
    ossio_status st = OSSIO_OK;
    char detail[64] = "";
    s.ops->finish(&s, &st, detail, sizeof(detail));
    assert_int_equal(st, OSSIO_OK);
    assert_true(fcntl(fileno(f), F_GETFD) >= 0); /* the caller's descriptor stays open */
    fclose(f);
    ossio__sink_free(&s);
}

static char *tmpdir_path(const char *name)
{
    char tmpl[] = "/tmp/ossio-sink-XXXXXX";
    char *dir = mkdtemp(tmpl);
    assert_non_null(dir);
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    assert_non_null(p);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* Success renames the temporary file over the path; failure removes it. */
static void file_sink_commits_or_discards(void **state)
{
    (void)state;
    for (int ok = 0; ok <= 1; ok++) {
        char *path = tmpdir_path("obj");
        ossio__sink s;
        ossio__sink_init(&s);
        s.path = strdup(path);
        ossio__sink_select(&s, &ossio__sink_file);
        assert_null(s.ops->open(&s));
        assert_non_null(s.tmp_path);
        char *tmp = strdup(s.tmp_path);
        assert_int_equal(s.ops->write(&s, 0, (const uint8_t *)"hello", 5), 0);
        ossio_status st = ok ? OSSIO_OK : OSSIO_EIO;
        char detail[128] = "";
        s.ops->finish(&s, &st, detail, sizeof(detail));
        assert_int_equal(st, ok ? OSSIO_OK : OSSIO_EIO);
        assert_int_equal(s.fd, -1); /* closed */
        struct stat sb;
        assert_int_equal(stat(tmp, &sb), -1); /* renamed or removed */
        assert_int_equal(stat(path, &sb), ok ? 0 : -1);
        if (ok) {
            assert_int_equal(sb.st_size, 5);
            unlink(path);
        }
        *strrchr(path, '/') = '\0';
        rmdir(path);
        free(tmp);
        free(path);
        ossio__sink_free(&s);
    }
}

static void file_sink_refuses_a_directory(void **state)
{
    (void)state;
    ossio__sink s;
    ossio__sink_init(&s);
    s.path = strdup("/tmp");
    ossio__sink_select(&s, &ossio__sink_file);
    assert_string_equal(s.ops->open(&s), "the destination is a directory");
    assert_int_equal(s.fd, -1);
    ossio__sink_free(&s);
}

/* The precedence the setters always had: stream over everything, file
 * over a descriptor or buffer, of those two the last set. */
static void selection_precedence(void **state)
{
    (void)state;
    ossio__sink s;
    ossio__sink_init(&s);
    assert_null(s.ops);
    ossio__sink_select(&s, &ossio__sink_fd);
    ossio__sink_select(&s, &ossio__sink_buffer);
    assert_ptr_equal(s.ops, &ossio__sink_buffer);
    ossio__sink_select(&s, &ossio__sink_fd);
    assert_ptr_equal(s.ops, &ossio__sink_fd);
    ossio__sink_select(&s, &ossio__sink_file);
    ossio__sink_select(&s, &ossio__sink_buffer);
    assert_ptr_equal(s.ops, &ossio__sink_file);
    ossio__sink_select(&s, &ossio__sink_stream);
    ossio__sink_select(&s, &ossio__sink_file);
    assert_ptr_equal(s.ops, &ossio__sink_stream);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buffer_sink_writes_at_offsets),
        cmocka_unit_test(stream_sink_calls_back_in_order),
        cmocka_unit_test(fd_sink_pwrites),
        cmocka_unit_test(file_sink_commits_or_discards),
        cmocka_unit_test(file_sink_refuses_a_directory),
        cmocka_unit_test(selection_precedence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

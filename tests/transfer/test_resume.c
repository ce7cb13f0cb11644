/* Download resume through the library (issue 14.5): parts reported durable
 * through ossio_transfer_set_part_done(), a pinned download that fetches
 * only what ossio_transfer_set_present() does not name, and a pin that
 * refuses another version of the object. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <unistd.h>

#include "transfer_support.h"

static uint8_t *blob;
static size_t blob_len = 6 * MIB + 777; /* 7 parts of 1 MiB, the last 777 bytes */
#define N_PARTS 7

typedef struct seen {
    unsigned objects, parts, bad;
    char etag[128];
    uint64_t size, crc;
    int has_crc;
    ossio_part_info got[N_PARTS + 1];
} seen;

static void on_part(ossio_transfer *t, const ossio_part_info *p, void *ud)
{
    seen *s = ud;
    if (p->number == 0) {
        s->objects++;
        const char *etag = ossio_transfer_etag(t);
        snprintf(s->etag, sizeof(s->etag), "%s", etag != NULL ? etag : "");
        s->size = ossio_transfer_size(t);
        s->has_crc = ossio_transfer_server_crc64(t, &s->crc);
        s->bad += etag == NULL || p->etag != NULL;
        return;
    }
    s->parts++;
    uint64_t off = (uint64_t)(p->number - 1) * MIB;
    s->bad += p->number > N_PARTS || p->offset != off || p->etag != NULL ||
              off + p->size > blob_len || p->crc64 != ossio_crc64(0, blob + off, (size_t)p->size);
    if (p->number <= N_PARTS) {
        s->got[p->number] = *p;
    }
}

static int temp_file(char *path, size_t cap)
{
    snprintf(path, cap, "/tmp/ossio-resume-%d-XXXXXX", (int)getpid());
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    return fd;
}

static void expect_file(int fd, const uint8_t *want, size_t len)
{
    uint8_t *back = malloc(len);
    assert_int_equal(pread(fd, back, len, 0), (ssize_t)len);
    assert_memory_equal(back, want, len);
    free(back);
}

/* A plain download to a descriptor: the object once (number 0), then every
 * part with its offset and CRC-64. */
static seen download_reporting(ossio_client *cl, const char *name, int fd)
{
    seen s;
    memset(&s, 0, sizeof(s));
    ossio_transfer *t;
    assert_int_equal(ossio_download_new(&t, cl, key_uri(name)), OSSIO_OK);
    assert_int_equal(ossio_transfer_to_fd(t, fd), OSSIO_OK);
    assert_int_equal(ossio_transfer_set_part_done(t, on_part, &s), OSSIO_OK);
    tres x = run(cl, t);
    OK(x);
    return s;
}

static void t_download_reports_parts(void **state)
{
    (void)state;
    ossio_client *cl = client(NULL, NULL);
    OK(upload_buffer(cl, "reported.bin", blob, blob_len));
    char path[128];
    int fd = temp_file(path, sizeof(path));
    seen s = download_reporting(cl, "reported.bin", fd);
    assert_int_equal(s.objects, 1);
    assert_int_equal(s.parts, N_PARTS);
    assert_int_equal(s.bad, 0);
    assert_int_equal(s.size, blob_len);
    assert_true(s.has_crc && s.crc == ossio_crc64(0, blob, blob_len));
    assert_true(s.etag[0] == '"');
    expect_file(fd, blob, blob_len);
    close(fd);
    unlink(path);
    ossio_client_destroy(cl);
}

/* Parts 1, 3 and 5 are in the file already: only the other four are fetched. */
static void t_pinned_fetches_only_missing(void **state)
{
    (void)state;
    ossio_client *cl = client(NULL, NULL);
    OK(upload_buffer(cl, "pinned.bin", blob, blob_len));
    char path[128];
    int fd = temp_file(path, sizeof(path));
    seen first = download_reporting(cl, "pinned.bin", fd);
    assert_int_equal(ftruncate(fd, 0), 0);
    ossio_part_info present[3];
    for (int i = 0; i < 3; i++) {
        present[i] = first.got[1 + 2 * i];
        assert_int_equal(
            pwrite(fd, blob + present[i].offset, present[i].size, (off_t)present[i].offset),
            (ssize_t)present[i].size);
    }
    seen again;
    memset(&again, 0, sizeof(again));
    ossio_transfer *t;
    assert_int_equal(ossio_download_new(&t, cl, key_uri("pinned.bin")), OSSIO_OK);
    assert_int_equal(ossio_transfer_set_present(t, present, 3), OSSIO_EINVAL); /* pin first */
    assert_int_equal(ossio_transfer_pin(t, first.etag, first.size, 1, first.crc), OSSIO_OK);
    assert_int_equal(ossio_transfer_set_present(t, present, 3), OSSIO_OK);
    assert_int_equal(ossio_transfer_to_fd(t, fd), OSSIO_OK);
    assert_int_equal(ossio_transfer_set_part_done(t, on_part, &again), OSSIO_OK);
    tres x = run(cl, t);
    OK(x);
    assert_int_equal(x.bytes, blob_len - 3 * MIB);
    assert_true(x.crc == ossio_crc64(0, blob, blob_len)); /* the whole object, verified */
    assert_int_equal(again.objects, 0);                   /* pinned: the caller knew it */
    assert_int_equal(again.parts, 4);
    assert_int_equal(again.bad, 0);
    expect_file(fd, blob, blob_len);
    close(fd);
    unlink(path);
    ossio_client_destroy(cl);
}

/* A present part whose CRC-64 is not the object's (the caller read back
 * damaged bytes) fails the whole-object check: every part is fetched again
 * and the file ends byte-exact. */
static void t_wrong_present_part_refetched(void **state)
{
    (void)state;
    ossio_client *cl = client(NULL, NULL);
    OK(upload_buffer(cl, "wrongpart.bin", blob, blob_len));
    char path[128];
    int fd = temp_file(path, sizeof(path));
    seen first = download_reporting(cl, "wrongpart.bin", fd);
    uint8_t damaged = blob[10] ^ 0x20;
    assert_int_equal(pwrite(fd, &damaged, 1, 10), 1);
    ossio_part_info present[2] = {first.got[1], first.got[2]};
    present[0].crc64 = ossio_crc64(0, blob, 10);
    present[0].crc64 = ossio_crc64(present[0].crc64, &damaged, 1);
    present[0].crc64 = ossio_crc64(present[0].crc64, blob + 11, MIB - 11);
    ossio_transfer *t;
    assert_int_equal(ossio_download_new(&t, cl, key_uri("wrongpart.bin")), OSSIO_OK);
    assert_int_equal(ossio_transfer_pin(t, first.etag, first.size, 1, first.crc), OSSIO_OK);
    assert_int_equal(ossio_transfer_set_present(t, present, 2), OSSIO_OK);
    ossio_transfer_to_fd(t, fd);
    tres x = run(cl, t);
    OK(x);
    assert_true(x.retries >= 1);
    assert_int_equal(x.bytes, blob_len); /* every part, the present ones included */
    expect_file(fd, blob, blob_len);
    close(fd);
    unlink(path);
    ossio_client_destroy(cl);
}

static tres pinned_run(ossio_client *cl, const char *name, int fd, const char *etag, uint64_t size,
                       const ossio_part_info *present, size_t n)
{
    ossio_transfer *t;
    assert_int_equal(ossio_download_new(&t, cl, key_uri(name)), OSSIO_OK);
    assert_int_equal(ossio_transfer_pin(t, etag, size, 0, 0), OSSIO_OK);
    assert_int_equal(ossio_transfer_set_present(t, present, n), OSSIO_OK);
    ossio_transfer_to_fd(t, fd);
    return run(cl, t);
}

/* Another version than the pinned one is refused, never mixed: another
 * ETag (If-Match fails), another size; also when every part is present
 * (the HEAD checks it). */
static void t_pin_refuses_another_version(void **state)
{
    (void)state;
    ossio_client *cl = client(NULL, NULL);
    OK(upload_buffer(cl, "changed.bin", blob, blob_len));
    char path[128];
    int fd = temp_file(path, sizeof(path));
    seen first = download_reporting(cl, "changed.bin", fd);
    ossio_part_info all[N_PARTS];
    for (int i = 0; i < N_PARTS; i++) {
        all[i] = first.got[i + 1];
    }
    tres x = pinned_run(cl, "changed.bin", fd, first.etag, first.size, all, N_PARTS);
    OK(x); /* all there and still the object's: nothing fetched */
    assert_int_equal(x.bytes, 0);
    x = pinned_run(cl, "changed.bin", fd, first.etag, first.size + 1, all, 0);
    assert_int_equal(x.st, OSSIO_ECHANGED);
    assert_non_null(strstr(x.detail, "size"));
    OK(upload_buffer(cl, "changed.bin", blob + 1, blob_len - 1)); /* replaced */
    x = pinned_run(cl, "changed.bin", fd, first.etag, first.size, all, 2);
    assert_int_equal(x.st, OSSIO_ECHANGED);
    assert_non_null(strstr(x.detail, "changed"));
    x = pinned_run(cl, "changed.bin", fd, first.etag, first.size, all, N_PARTS);
    assert_int_equal(x.st, OSSIO_ECHANGED);
    expect_file(fd, blob, 2 * MIB); /* the present parts are untouched */
    close(fd);
    unlink(path);
    ossio_client_destroy(cl);
}

/* Misuse is refused: a pin on an upload, a present part that is not a part
 * of this download's plan, a pinned stream sink. */
static void t_pin_misuse(void **state)
{
    (void)state;
    ossio_client *cl = client(NULL, NULL);
    OK(upload_buffer(cl, "misuse.bin", blob, blob_len));
    ossio_transfer *t;
    assert_int_equal(ossio_upload_new(&t, cl, key_uri("misuse.bin")), OSSIO_OK);
    assert_int_equal(ossio_transfer_pin(t, "\"x\"", 1, 0, 0), OSSIO_EINVAL);
    assert_int_equal(ossio_transfer_set_present(t, NULL, 0), OSSIO_EINVAL);
    ossio_transfer_free(t);
    assert_int_equal(ossio_download_new(&t, cl, key_uri("misuse.bin")), OSSIO_OK);
    assert_int_equal(ossio_transfer_pin(t, "", 1, 0, 0), OSSIO_EINVAL);
    assert_null(ossio_transfer_etag(t));
    assert_int_equal(ossio_transfer_server_crc64(t, NULL), 0);
    ossio_transfer_free(t);
    char path[128];
    int fd = temp_file(path, sizeof(path));
    seen first = download_reporting(cl, "misuse.bin", fd);
    ossio_part_info odd = first.got[2];
    odd.offset += 1;
    tres x = pinned_run(cl, "misuse.bin", fd, first.etag, first.size, &odd, 1);
    assert_int_equal(x.st, OSSIO_EINVAL);
    assert_non_null(strstr(x.detail, "part size"));
    collect c = {malloc(blob_len), 0, blob_len, 0};
    assert_int_equal(ossio_download_new(&t, cl, key_uri("misuse.bin")), OSSIO_OK);
    ossio_transfer_pin(t, first.etag, first.size, 0, 0);
    ossio_transfer_to_stream(t, collect_stream, &c);
    x = run(cl, t);
    assert_int_equal(x.st, OSSIO_EINVAL);
    free(c.buf);
    close(fd);
    unlink(path);
    ossio_client_destroy(cl);
}

int main(void)
{
    blob = malloc(blob_len);
    for (size_t i = 0; i < blob_len; i++) {
        blob[i] = (uint8_t)((i * 2654435761u) >> 11);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_download_reports_parts),
        cmocka_unit_test(t_pinned_fetches_only_missing),
        cmocka_unit_test(t_wrong_present_part_refetched),
        cmocka_unit_test(t_pin_refuses_another_version),
        cmocka_unit_test(t_pin_misuse),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    rc |= remove_own_prefix("transfer");
    free(blob);
    return rc;
}

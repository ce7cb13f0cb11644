/* Uploads streamed from files (ossio_op_set_body_file, file sources): the
 * bytes go out with pread as they are sent, so a file upload holds none of
 * the file in memory, a part cut by a fault is read and sent again, the
 * checksums each dialect announces are computed from the file first, and a
 * file that changes under the upload fails it with a named error. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "transfer_support.h"

static uint8_t *blob;
static const size_t blob_len = 6 * MIB + 777;
static char path[64];

static void write_file(const uint8_t *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
}

static tres upload_file(ossio_client *cl, const char *name, unsigned parallel)
{
    ossio_transfer *t;
    assert_int_equal(ossio_upload_new(&t, cl, key_uri(name)), OSSIO_OK);
    assert_int_equal(ossio_transfer_from_file(t, path), OSSIO_OK);
    ossio_transfer_set_parts(t, 0, parallel);
    return run(cl, t);
}

/* A single PutObject of the whole file (threshold above its size) and a
 * multipart upload of it: neither takes any memory from the budget (each
 * once held the whole part or object), and both read back byte-exact. */
static void t_file_uploads_hold_no_memory(void **state)
{
    (void)state;
    write_file(blob, blob_len);
    ossio_client *cl = client("fs.oss.multipart.upload.threshold", "16M");
    tres single = upload_file(cl, "single.bin", 4);
    OK(single);
    assert_int_equal(single.parts, 1);
    assert_true(single.crc == ossio_crc64(0, blob, blob_len));
    assert_int_equal(ossio_client_stat(cl, OSSIO_STAT_MEMORY_PEAK), 0);
    expect_object(cl, "single.bin", blob, blob_len);
    ossio_client_destroy(cl);

    cl = client(NULL, NULL); /* 1 MiB parts */
    tres multi = upload_file(cl, "multi.bin", 4);
    OK(multi);
    assert_int_equal(multi.parts, 7);
    assert_int_equal(ossio_client_stat(cl, OSSIO_STAT_MEMORY_PEAK), 0);
    expect_object(cl, "multi.bin", blob, blob_len);
    ossio_client_destroy(cl);
}

static void arm(const char *kind, const char *name, const char *match_extra, const char *extra)
{
    char f[1024];
    snprintf(f, sizeof(f),
             "{\"kind\":\"%s\",\"count\":1,%s\"match\":{\"path\":\"transfer/%d/%s\"%s}}", kind,
             extra, (int)getpid(), name, match_extra);
    assert_int_equal(control("POST", "/faults", f), 201);
}

static int fired(const char *name)
{
    char p[256];
    snprintf(p, sizeof(p), "transfer/%d/%s", (int)getpid(), name);
    int n = faults_fired(p);
    clear_faults(p);
    return n;
}

/* The three ways a file body goes out: h2 and HTTP/1.1 over TLS (read with
 * pread into the TLS buffer) and cleartext HTTP/1.1 (sendfile). */
static const char *const modes[] = {"h2", "h1-tls", "h1-sendfile"};

static ossio_client *mode_client(int mode, const char *threshold)
{
    char endpoint[128];
    snprintf(endpoint, sizeof(endpoint), "%s://localhost:%d", mode == 2 ? "http" : "https",
             ep_port(mode == 2 ? "HTTP" : "H2_TLS"));
    return client_with(NULL, "fs.oss.endpoint", endpoint, "fs.oss.accessKeyId", ep("ACCESS_KEY_ID"),
                       "fs.oss.accessKeySecret", ep("ACCESS_KEY_SECRET"),
                       "fs.oss.path.style.access", "true", "fs.oss.multipart.upload.threshold",
                       threshold, "fs.oss.multipart.upload.size", "1M", "fs.oss.http2.enabled",
                       mode == 0 ? "true" : "false", NULL);
}

/* A connection dropped in the middle of a part's body, a reset as it
 * arrives, and a 500 instead of an answer: the part is read from the file
 * again and re-sent, for each way a body goes out (a dropped connection
 * under sendfile is EPIPE or ECONNRESET there, never a SIGPIPE that would
 * end this program), for a multipart part and for a single PutObject. */
static void t_cut_bodies_are_read_again(void **state)
{
    (void)state;
    write_file(blob, blob_len);
    /* drop: the connection goes once 300000 bytes of part 3 arrived; reset:
     * the stream (h2) or connection (h1) is reset on its arrival */
    static const char *const kinds[] = {"drop", "reset", "internal"};
    static const char *const extras[] = {"\"after\":300000,", "\"after\":0,", ""};
    for (int mode = 0; mode < 3; mode++) {
        ossio_client *cl = mode_client(mode, "1M");
        for (int k = 0; k < 3; k++) {
            char name[64];
            snprintf(name, sizeof(name), "cut-%s-%s.bin", kinds[k], modes[mode]);
            arm(kinds[k], name, ",\"query\":\"partNumber=3\"", extras[k]);
            uint64_t sent = ossio_client_stat(cl, OSSIO_STAT_BYTES_SENT);
            tres up = upload_file(cl, name, 2);
            if (up.st != OSSIO_OK) {
                fail_msg("multipart under %s (%s): %s (%s)", kinds[k], modes[mode],
                         ossio_status_name(up.st), up.detail);
            }
            assert_int_equal(fired(name), 1);
            if (k == 0) { /* the part went twice: the cut attempt's bytes, then whole */
                assert_true(ossio_client_stat(cl, OSSIO_STAT_BYTES_SENT) - sent >=
                            blob_len + 300000);
            }
            expect_object(cl, name, blob, blob_len);
        }
        ossio_client_destroy(cl);
        cl = mode_client(mode, "16M");
        char name[64];
        snprintf(name, sizeof(name), "cut-single-%s.bin", modes[mode]);
        arm("drop", name, ",\"method\":\"PUT\"", "\"after\":1000000,");
        tres single = upload_file(cl, name, 1);
        OK(single);
        assert_int_equal(single.parts, 1);
        assert_int_equal(fired(name), 1);
        assert_true(ossio_client_stat(cl, OSSIO_STAT_BYTES_SENT) >= blob_len + 1000000);
        expect_object(cl, name, blob, blob_len);
        ossio_client_destroy(cl);
    }
}

/* The s3 dialect announces each body's CRC-32C, CRC-32 or MD5 before it:
 * computed from the file, verified by the endpoint's S3 mode. */
static void t_s3_checksums_of_file_bodies(void **state)
{
    (void)state;
    write_file(blob, blob_len);
    static const char *const sums[] = {"crc32c", "crc32", "md5"};
    char endpoint[128];
    snprintf(endpoint, sizeof(endpoint), "https://localhost:%d", ep_port("H2_TLS"));
    for (int i = 0; i < 3; i++) {
        for (int single = 0; single < 2; single++) {
            ossio_client *cl =
                client_with(NULL, "fs.oss.endpoint", endpoint, "fs.oss.accessKeyId",
                            ep("ACCESS_KEY_ID"), "fs.oss.accessKeySecret", ep("ACCESS_KEY_SECRET"),
                            "fs.oss.dialect", "s3", "fs.oss.region", ep("REGION"),
                            "fs.oss.path.style.access", "true", "fs.oss.multipart.upload.threshold",
                            single ? "16M" : "1M", "fs.oss.multipart.upload.size", "1M",
                            "fs.oss.s3.checksum", sums[i], "fs.oss.attempts.maximum", "1", NULL);
            char name[64];
            snprintf(name, sizeof(name), "s3-%s-%d.bin", sums[i], single);
            tres up = upload_file(cl, name, 4);
            if (up.st != OSSIO_OK) {
                fail_msg("%s (single %d): %s (%s)", sums[i], single, ossio_status_name(up.st),
                         up.detail);
            }
            assert_int_equal(up.parts, single ? 1 : 7);
            expect_object(cl, name, blob, blob_len);
            ossio_client_destroy(cl);
        }
    }
}

static void truncate_on_progress(ossio_transfer *t, uint64_t done, uint64_t total, void *ud)
{
    (void)t;
    (void)total;
    (void)ud;
    if (done >= MIB) {
        assert_int_equal(truncate(path, 2 * MIB), 0);
    }
}

/* The file shrinks once the first part is stored: the next part cannot be
 * read, the upload fails with OSSIO_EIO naming it, and is aborted. */
static void t_file_shrinking_mid_upload_is_named(void **state)
{
    (void)state;
    write_file(blob, blob_len);
    ossio_client *cl = client(NULL, NULL);
    ossio_transfer *t;
    assert_int_equal(ossio_upload_new(&t, cl, key_uri("shrinks.bin")), OSSIO_OK);
    assert_int_equal(ossio_transfer_from_file(t, path), OSSIO_OK);
    ossio_transfer_set_parts(t, 0, 1);
    tres x;
    memset(&x, 0, sizeof(x));
    ossio_transfer_set_progress(t, truncate_on_progress, NULL);
    assert_int_equal(ossio_transfer_submit(t, t_done, &x), OSSIO_OK);
    ossio_client_run(cl);
    assert_int_equal(x.done, 1);
    assert_int_equal(x.st, OSSIO_EIO);
    assert_non_null(strstr(x.detail, "reading the source failed"));
    assert_int_equal(list_uploads(cl, "shrinks.bin"), 0);
    assert_int_equal(head(cl, "shrinks.bin"), OSSIO_ENOTFOUND);
    ossio_client_destroy(cl);
}

typedef struct put_out {
    int done;
    ossio_status st;
    char detail[256];
} put_out;

static void put_done(ossio_op *op, const ossio_result *r, void *ud)
{
    (void)op;
    put_out *o = ud;
    o->done++;
    o->st = r->status;
    snprintf(o->detail, sizeof(o->detail), "%s", r->detail ? r->detail : "");
}

static put_out put_range(ossio_client *cl, const char *name, int fd, uint64_t off, uint64_t len)
{
    put_out o;
    memset(&o, 0, sizeof(o));
    ossio_op *op;
    assert_int_equal(ossio_op_new(&op, cl, OSSIO_OP_PUT, key_uri(name)), OSSIO_OK);
    assert_int_equal(ossio_op_set_body_file(op, fd, off, len), OSSIO_OK);
    assert_int_equal(ossio_op_submit(op, put_done, &o), OSSIO_OK);
    ossio_client_run(cl);
    assert_int_equal(o.done, 1);
    return o;
}

/* ossio_op_set_body_file: a range from an offset is what is stored; a range
 * past the file's end fails with OSSIO_EIO before anything is sent; bad
 * arguments are refused. */
static void t_op_body_file_ranges(void **state)
{
    (void)state;
    write_file(blob, blob_len);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    assert_true(fd >= 0);
    ossio_client *cl = client(NULL, NULL);
    put_out ok = put_range(cl, "range.bin", fd, 12345, 2 * MIB + 1);
    assert_int_equal(ok.st, OSSIO_OK);
    expect_object(cl, "range.bin", blob + 12345, 2 * MIB + 1);
    put_out empty = put_range(cl, "empty.bin", fd, blob_len, 0);
    assert_int_equal(empty.st, OSSIO_OK);
    expect_object(cl, "empty.bin", blob, 0);
    put_out past = put_range(cl, "past.bin", fd, blob_len - 10, 11);
    assert_int_equal(past.st, OSSIO_EIO);
    assert_non_null(strstr(past.detail, "file"));
    assert_int_equal(head(cl, "past.bin"), OSSIO_ENOTFOUND);

    ossio_op *op;
    assert_int_equal(ossio_op_new(&op, cl, OSSIO_OP_PUT, key_uri("bad.bin")), OSSIO_OK);
    assert_int_equal(ossio_op_set_body_file(op, -1, 0, 1), OSSIO_EINVAL);
    assert_int_equal(ossio_op_set_body_file(op, fd, UINT64_MAX - 1, 2), OSSIO_EINVAL);
    ossio_op_free(op);
    assert_int_equal(ossio_op_new(&op, cl, OSSIO_OP_GET, key_uri("bad.bin")), OSSIO_OK);
    assert_int_equal(ossio_op_set_body_file(op, fd, 0, 1), OSSIO_EINVAL); /* takes no body */
    ossio_op_free(op);
    close(fd);
    ossio_client_destroy(cl);
}

int main(void)
{
    blob = malloc(blob_len);
    for (size_t i = 0; i < blob_len; i++) {
        blob[i] = (uint8_t)((i * 2654435761u) >> 13);
    }
    snprintf(path, sizeof(path), "/tmp/ossio-file-body-%d", (int)getpid());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_file_uploads_hold_no_memory),
        cmocka_unit_test(t_cut_bodies_are_read_again),
        cmocka_unit_test(t_s3_checksums_of_file_bodies),
        cmocka_unit_test(t_file_shrinking_mid_upload_is_named),
        cmocka_unit_test(t_op_body_file_ranges),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    unlink(path);
    free(blob);
    return rc;
}

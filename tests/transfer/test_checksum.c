/* The s3 dialect's checksums end to end against the local endpoint, whose
 * S3 mode verifies x-amz-checksum-crc32c / -crc32 with an npm package (not
 * ossio's code): PutObject and a multipart upload accepted and echoed, a
 * body corrupted on its way in refused with BadDigest (OSSIO_ECHECKSUM), a
 * whole-object GET verified (a flipped byte fails), Content-MD5 as the md5
 * fallback, and what ossio_result.checksum and the object info report. */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <isa-l/crc.h>
#include <openssl/evp.h>

#include "transfer_support.h"

static uint8_t *blob;
static const size_t blob_len = 3 * MIB + 12345;

/* A client of the endpoint in the s3 dialect (SigV4), 1 MiB parts;
 * |type|: fs.oss.s3.checksum.type. */
static ossio_client *s3_client_typed(const char *checksum, const char *attempts, const char *type)
{
    char endpoint[128];
    snprintf(endpoint, sizeof(endpoint), "https://localhost:%d", ep_port("H2_TLS"));
    return client_with(NULL, "fs.oss.endpoint", endpoint, "fs.oss.accessKeyId", ep("ACCESS_KEY_ID"),
                       "fs.oss.accessKeySecret", ep("ACCESS_KEY_SECRET"), "fs.oss.dialect", "s3",
                       "fs.oss.region", ep("REGION"), "fs.oss.path.style.access", "true",
                       "fs.oss.multipart.upload.threshold", "1M", "fs.oss.multipart.upload.size",
                       "1M", "fs.oss.multipart.download.size", "1M", "fs.oss.s3.checksum", checksum,
                       "fs.oss.attempts.maximum", attempts, "fs.oss.s3.checksum.type", type, NULL);
}

static ossio_client *s3_client(const char *checksum, const char *attempts)
{
    return s3_client_typed(checksum, attempts, "full_object");
}

/* S3's header form of a CRC computed here with ISA-L directly. */
static void b64_of(uint32_t crc, char out[9])
{
    unsigned char be[4] = {(unsigned char)(crc >> 24), (unsigned char)(crc >> 16),
                           (unsigned char)(crc >> 8), (unsigned char)crc};
    EVP_EncodeBlock((unsigned char *)out, be, 4);
}

static uint32_t crc32c_of(const uint8_t *p, size_t n)
{
    return ~crc32_iscsi((unsigned char *)(uintptr_t)p, (int)n, 0xffffffffu);
}

typedef struct opout {
    int done;
    ossio_status st;
    char detail[512], code[64], checksum[16];
    char crc32c[32], crc32[32], type[32];
    uint64_t bytes;      /* transfers: bytes moved */
    char upload_id[256]; /* transfers: a kept upload's id */
} opout;

static void keep(char *dst, size_t cap, const char *s)
{
    snprintf(dst, cap, "%s", s != NULL ? s : "");
}

static void op_done(ossio_op *op, const ossio_result *r, void *ud)
{
    opout *o = ud;
    o->done++;
    o->st = r->status;
    keep(o->detail, sizeof(o->detail), r->detail);
    keep(o->code, sizeof(o->code), r->code);
    keep(o->checksum, sizeof(o->checksum), r->checksum);
    const ossio_object_info *info = ossio_op_object(op);
    if (info != NULL) {
        keep(o->crc32c, sizeof(o->crc32c), info->checksum_crc32c);
        keep(o->crc32, sizeof(o->crc32), info->checksum_crc32);
        keep(o->type, sizeof(o->type), info->checksum_type);
    }
}

static int sink(ossio_op *op, const uint8_t *d, size_t n, void *ud)
{
    (void)op;
    (void)d;
    *(size_t *)ud += n;
    return 0;
}

static opout run_op(ossio_client *cl, ossio_op_kind kind, const char *name, const uint8_t *body,
                    size_t len)
{
    opout o;
    memset(&o, 0, sizeof(o));
    size_t got = 0;
    ossio_op *op;
    assert_int_equal(ossio_op_new(&op, cl, kind, key_uri(name)), OSSIO_OK);
    if (kind == OSSIO_OP_PUT) {
        assert_int_equal(ossio_op_set_body(op, body, len), OSSIO_OK);
    }
    if (kind == OSSIO_OP_GET) {
        ossio_op_set_callbacks(op, sink, NULL, &got);
    }
    assert_int_equal(ossio_op_submit(op, op_done, &o), OSSIO_OK);
    ossio_client_run(cl);
    assert_int_equal(o.done, 1);
    if (kind == OSSIO_OP_GET && o.st == OSSIO_OK) {
        assert_int_equal(got, len);
    }
    return o;
}

static void arm_fault(const char *kind, int count, const char *name, const char *match_extra,
                      const char *extra)
{
    char f[1024];
    snprintf(f, sizeof(f),
             "{\"kind\":\"%s\",\"count\":%d%s,\"match\":{\"path\":\"/transfer/%d/%s\"%s}}", kind,
             count, extra, (int)getpid(), name, match_extra);
    assert_int_equal(control("POST", "/faults", f), 201);
}

static void drop_faults(const char *name)
{
    char path[256];
    snprintf(path, sizeof(path), "/faults?path=/transfer/%d/%s", (int)getpid(), name);
    (void)control("DELETE", path, NULL);
}

#define OPOK(o)                                                                                    \
    do {                                                                                           \
        if ((o).st != OSSIO_OK) {                                                                  \
            fail_msg("%s: %s (%s)", #o, ossio_status_name((o).st), (o).detail);                    \
        }                                                                                          \
    } while (0)

/* PutObject carries x-amz-checksum-crc32c; the endpoint verifies it and
 * echoes it; ossio compares the echo; HEAD and GET report and verify it. */
static void t_put_crc32c_verified(void **state)
{
    (void)state;
    ossio_client *cl = s3_client("crc32c", "3");
    size_t len = 200 * 1024 + 3;
    opout put = run_op(cl, OSSIO_OP_PUT, "put-crc32c", blob, len);
    OPOK(put);
    assert_string_equal(put.checksum, "crc32c");
    char want[9];
    b64_of(crc32c_of(blob, len), want);
    assert_string_equal(put.crc32c, want); /* the endpoint's echo */
    opout h = run_op(cl, OSSIO_OP_HEAD, "put-crc32c", NULL, 0);
    OPOK(h);
    assert_string_equal(h.crc32c, want);
    assert_string_equal(h.type, "FULL_OBJECT");
    assert_null(h.checksum[0] ? h.checksum : NULL); /* a HEAD compares nothing */
    opout g = run_op(cl, OSSIO_OP_GET, "put-crc32c", NULL, len);
    OPOK(g);
    assert_string_equal(g.checksum, "crc32c");
    ossio_client_destroy(cl);
}

/* fs.oss.s3.checksum=crc32 sends x-amz-checksum-crc32 instead. */
static void t_put_crc32_verified(void **state)
{
    (void)state;
    ossio_client *cl = s3_client("crc32", "3");
    size_t len = 100 * 1024 + 1;
    opout put = run_op(cl, OSSIO_OP_PUT, "put-crc32", blob, len);
    OPOK(put);
    assert_string_equal(put.checksum, "crc32");
    char want[9];
    b64_of(crc32_gzip_refl(0, blob, len), want);
    assert_string_equal(put.crc32, want);
    assert_string_equal(put.crc32c, "");
    opout g = run_op(cl, OSSIO_OP_GET, "put-crc32", NULL, len);
    OPOK(g);
    assert_string_equal(g.checksum, "crc32");
    ossio_client_destroy(cl);
}

/* A byte flipped on the way in (the endpoint's flip fault on the PUT):
 * every attempt is refused with BadDigest, the result is OSSIO_ECHECKSUM. */
static void t_put_corrupted_is_refused(void **state)
{
    (void)state;
    ossio_client *cl = s3_client("crc32c", "2");
    arm_fault("flip", 5, "put-bad", ",\"method\":\"PUT\"", "");
    opout put = run_op(cl, OSSIO_OP_PUT, "put-bad", blob, 64 * 1024);
    drop_faults("put-bad");
    assert_int_equal(put.st, OSSIO_ECHECKSUM);
    assert_string_equal(put.code, "BadDigest");
    assert_int_equal(head(cl, "put-bad"), OSSIO_ENOTFOUND); /* nothing was stored */
    /* Once: the retry sends it again and it is stored. */
    ossio_client_destroy(cl);
    cl = s3_client("crc32c", "3");
    arm_fault("flip", 1, "put-bad", ",\"method\":\"PUT\"", "");
    put = run_op(cl, OSSIO_OP_PUT, "put-bad", blob, 64 * 1024);
    drop_faults("put-bad");
    OPOK(put);
    assert_string_equal(put.checksum, "crc32c");
    ossio_client_destroy(cl);
}

/* A whole-object GET whose answer has a flipped byte and no CRC-64 (as from
 * AWS): the CRC32C of the received bytes differs from the server's. */
static void t_get_verifies(void **state)
{
    (void)state;
    ossio_client *cl = s3_client("crc32c", "1");
    size_t len = 150 * 1024;
    OPOK(run_op(cl, OSSIO_OP_PUT, "get-bad", blob, len));
    arm_fault("flip", 1, "get-bad", ",\"method\":\"GET\"", ",\"crc64\":false");
    opout g = run_op(cl, OSSIO_OP_GET, "get-bad", NULL, len);
    drop_faults("get-bad");
    assert_int_equal(g.st, OSSIO_ECHECKSUM);
    assert_string_equal(g.checksum, "crc32c");
    assert_non_null(strstr(g.detail, "CRC32C"));
    ossio_client_destroy(cl);
}

/* md5: Content-MD5 with the body, compared by the server. */
static void t_put_md5(void **state)
{
    (void)state;
    ossio_client *cl = s3_client("md5", "3");
    opout put = run_op(cl, OSSIO_OP_PUT, "put-md5", blob, 1000);
    OPOK(put);
    assert_string_equal(put.checksum, "md5");
    assert_string_equal(put.crc32c, "");
    ossio_client_destroy(cl);
}

static void tr_done(ossio_transfer *t, const ossio_result *r, void *ud)
{
    opout *o = ud;
    o->done++;
    o->st = r->status;
    keep(o->detail, sizeof(o->detail), r->detail);
    keep(o->code, sizeof(o->code), r->code);
    keep(o->checksum, sizeof(o->checksum), r->checksum);
    o->bytes = ossio_transfer_bytes(t);
    keep(o->upload_id, sizeof(o->upload_id), ossio_transfer_upload_id(t));
}

/* |resume|: the id of a kept upload to resume; |keep|: keep it on failure. */
static opout upload_with(ossio_client *cl, const char *name, size_t len, const char *resume,
                         int keep_on_failure)
{
    opout o;
    memset(&o, 0, sizeof(o));
    ossio_transfer *t;
    assert_int_equal(ossio_upload_new(&t, cl, key_uri(name)), OSSIO_OK);
    ossio_transfer_from_buffer(t, blob, len);
    ossio_transfer_set_parts(t, 0, 1);
    ossio_transfer_set_keep_on_failure(t, keep_on_failure);
    if (resume != NULL) {
        assert_int_equal(ossio_transfer_resume(t, resume), OSSIO_OK);
    }
    assert_int_equal(ossio_transfer_submit(t, tr_done, &o), OSSIO_OK);
    ossio_client_run(cl);
    assert_int_equal(o.done, 1);
    return o;
}

static opout upload(ossio_client *cl, const char *name, size_t len)
{
    return upload_with(cl, name, len, NULL, 0);
}

/* A multipart upload: each part's CRC32C verified by the endpoint, the
 * parts' checksums in Complete's XML checked against the stored parts, the
 * FULL_OBJECT CRC32C (combined from the parts') against all the bytes. */
static void t_multipart_verified(void **state)
{
    (void)state;
    ossio_client *cl = s3_client("crc32c", "3");
    opout up = upload(cl, "multi", blob_len);
    OPOK(up);
    assert_string_equal(up.checksum, "crc32c"); /* the Complete's echo */
    char want[9];
    b64_of(crc32c_of(blob, blob_len), want);
    opout h = run_op(cl, OSSIO_OP_HEAD, "multi", NULL, 0);
    OPOK(h);
    assert_string_equal(h.crc32c, want);
    assert_string_equal(h.type, "FULL_OBJECT");
    expect_object(cl, "multi", blob, blob_len);
    ossio_client_destroy(cl);
}

/* Part 2's body corrupted on every attempt: the upload fails with
 * OSSIO_ECHECKSUM (BadDigest) and is aborted. */
static void t_multipart_corrupted_part(void **state)
{
    (void)state;
    ossio_client *cl = s3_client("crc32c", "2");
    arm_fault("flip", 5, "multi-bad", ",\"method\":\"PUT\",\"query\":\"partNumber=2\"", "");
    opout up = upload(cl, "multi-bad", blob_len);
    drop_faults("multi-bad");
    assert_int_equal(up.st, OSSIO_ECHECKSUM);
    assert_string_equal(up.code, "BadDigest");
    assert_int_equal(list_uploads(cl, "multi-bad"), 0);
    assert_int_equal(head(cl, "multi-bad"), OSSIO_ENOTFOUND);
    ossio_client_destroy(cl);
}

/* The FULL_OBJECT CRC32C refused by the server at Complete (the endpoint's
 * value differs, as for a part corrupted at rest): OSSIO_ECHECKSUM, nothing
 * written, the upload aborted. */
static void t_multipart_full_object_refused(void **state)
{
    (void)state;
    ossio_client *cl = s3_client("crc32c", "2");
    arm_fault("flip", 5, "multi-full", ",\"method\":\"POST\",\"query\":\"uploadId\"", "");
    opout up = upload(cl, "multi-full", blob_len);
    drop_faults("multi-full");
    assert_int_equal(up.st, OSSIO_ECHECKSUM);
    assert_string_equal(up.code, "BadDigest");
    assert_int_equal(list_uploads(cl, "multi-full"), 0);
    assert_int_equal(head(cl, "multi-full"), OSSIO_ENOTFOUND);
    ossio_client_destroy(cl);
}

/* A resumed upload: the parts already stored are not sent again, but their
 * CRC32Cs (computed from the source) go in Complete's XML, where the
 * endpoint checks them against the stored parts, and in the FULL_OBJECT
 * value. */
static void t_resumed_multipart_verified(void **state)
{
    (void)state;
    ossio_client *cl = s3_client("crc32c", "2");
    arm_fault("internal", 50, "resumed", ",\"query\":\"partNumber=4\"", "");
    opout first = upload_with(cl, "resumed", blob_len, NULL, 1);
    drop_faults("resumed");
    assert_int_equal(first.st, OSSIO_ESERVER);
    assert_true(first.upload_id[0] != '\0');
    opout again = upload_with(cl, "resumed", blob_len, first.upload_id, 0);
    OPOK(again);
    assert_int_equal(again.bytes, blob_len - 3 * MIB); /* parts 1-3 were not sent again */
    assert_string_equal(again.checksum, "crc32c");
    char want[9];
    b64_of(crc32c_of(blob, blob_len), want);
    opout h = run_op(cl, OSSIO_OP_HEAD, "resumed", NULL, 0);
    OPOK(h);
    assert_string_equal(h.crc32c, want);
    ossio_client_destroy(cl);
}

static opout download(ossio_client *cl, const char *name, uint8_t *into, size_t cap)
{
    opout o;
    memset(&o, 0, sizeof(o));
    ossio_transfer *t;
    assert_int_equal(ossio_download_new(&t, cl, key_uri(name)), OSSIO_OK);
    ossio_transfer_to_buffer(t, into, cap);
    ossio_transfer_set_parts(t, 0, 4);
    assert_int_equal(ossio_transfer_submit(t, tr_done, &o), OSSIO_OK);
    ossio_client_run(cl);
    assert_int_equal(o.done, 1);
    return o;
}

/* A download in 1 MiB ranged parts: the parts' CRC32Cs, combined, against
 * the object's FULL_OBJECT value from part 0's answer. Then with part 0's
 * answer stripped of its CRC-64 (as from S3) and a byte of part 3 flipped
 * in both fetches: only the CRC32C can see it, and it fails. */
static void t_download_verified(void **state)
{
    (void)state;
    ossio_client *cl = s3_client("crc32c", "2");
    OPOK(upload(cl, "dl", blob_len));
    uint8_t *back = malloc(blob_len);
    opout d = download(cl, "dl", back, blob_len);
    OPOK(d);
    assert_string_equal(d.checksum, "crc32c");
    assert_memory_equal(back, blob, blob_len);
    arm_fault("flip", 2, "dl", ",\"method\":\"GET\",\"rangeStart\":0",
              ",\"offset\":1e15,\"crc64\":false"); /* flips nothing: no CRC-64 */
    arm_fault("flip", 2, "dl", ",\"method\":\"GET\",\"rangeStart\":2097152", "");
    d = download(cl, "dl", back, blob_len);
    drop_faults("dl");
    assert_int_equal(d.st, OSSIO_ECHECKSUM);
    assert_string_equal(d.checksum, "crc32c");
    assert_non_null(strstr(d.detail, "CRC32C"));
    free(back);
    ossio_client_destroy(cl);
}

/* fs.oss.s3.checksum.type=composite: no FULL_OBJECT; the server's COMPOSITE
 * value (the CRC32C of the parts' CRC32Cs, "-4") must equal ours. A
 * download cannot compare a composite value with bytes: the endpoint's
 * CRC-64 is what checks it. */
static void t_multipart_composite(void **state)
{
    (void)state;
    ossio_client *cl = s3_client_typed("crc32c", "2", "composite");
    opout up = upload(cl, "composite", blob_len);
    OPOK(up);
    assert_string_equal(up.checksum, "crc32c");
    /* Ours, from ISA-L directly: parts of 1 MiB, the last 12345 bytes. */
    uint8_t raw[16];
    for (size_t i = 0; i < 4; i++) {
        size_t len = i < 3 ? MIB : blob_len - 3 * MIB;
        uint32_t c = crc32c_of(blob + i * MIB, len);
        raw[4 * i] = (uint8_t)(c >> 24);
        raw[4 * i + 1] = (uint8_t)(c >> 16);
        raw[4 * i + 2] = (uint8_t)(c >> 8);
        raw[4 * i + 3] = (uint8_t)c;
    }
    char want[16];
    b64_of(crc32c_of(raw, sizeof(raw)), want);
    strcat(want, "-4");
    opout h = run_op(cl, OSSIO_OP_HEAD, "composite", NULL, 0);
    OPOK(h);
    assert_string_equal(h.crc32c, want);
    assert_string_equal(h.type, "COMPOSITE");
    uint8_t *back = malloc(blob_len);
    opout d = download(cl, "composite", back, blob_len);
    OPOK(d);
    assert_string_equal(d.checksum, "crc64");
    assert_memory_equal(back, blob, blob_len);
    free(back);
    ossio_client_destroy(cl);
}

int main(void)
{
    blob = malloc(blob_len);
    for (size_t i = 0; i < blob_len; i++) {
        blob[i] = (uint8_t)((i * 2654435761u) >> 11);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_put_crc32c_verified),
        cmocka_unit_test(t_put_crc32_verified),
        cmocka_unit_test(t_put_corrupted_is_refused),
        cmocka_unit_test(t_get_verifies),
        cmocka_unit_test(t_put_md5),
        cmocka_unit_test(t_multipart_verified),
        cmocka_unit_test(t_multipart_corrupted_part),
        cmocka_unit_test(t_download_verified),
        cmocka_unit_test(t_multipart_full_object_refused),
        cmocka_unit_test(t_resumed_multipart_verified),
        cmocka_unit_test(t_multipart_composite),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    rc |= remove_own_prefix("transfer");
    free(blob);
    return rc;
}

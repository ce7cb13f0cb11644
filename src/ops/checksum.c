/* The s3 dialect's checksums (ops/checksum.h): x-amz-checksum-crc32c (or
 * -crc32) with every buffer body, Content-MD5 as the fallback, checksum
 * mode on reads, the FULL_OBJECT type on multipart uploads; the answers'
 * echoes and whole-object values compared with ours. */
#include "ops/checksum.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ops/kind.h"
#include "util/crc32.h"
#include "util/file_sums.h"

/* Indexed by ossio__crc32_kind. */
static const char *const hdr_name[2] = {"x-amz-checksum-crc32c", "x-amz-checksum-crc32"};
static const char *const algo_name[2] = {"CRC32C", "CRC32"};
static const char *const checked_name[2] = {"crc32c", "crc32"};

int ossio__ops_sum_kind(const ossio__oss_settings *o)
{
    if (!o->s3) {
        return -1;
    }
    if (o->s3_checksum == OSSIO__SUM_CRC32C) {
        return OSSIO__CRC32C;
    }
    return o->s3_checksum == OSSIO__SUM_CRC32 ? OSSIO__CRC32 : -1;
}

/* A body whose bytes are known before it is sent: memory or a file. */
static int known_body(const ossio_op *op)
{
    return ossio__op_kind(op->kind)->sum == OSSIO__OP_SUM_BODY && !op->body_is_reader &&
           op->body_len >= 0;
}

/* A file body: its sums from one read, before its first byte goes out. */
static ossio_status file_prepare(ossio_op *op, const ossio__oss_settings *o, int kind)
{
    ossio__file_sums s = {
        .want_crc64 = !op->has_body_crc64,
        .crc32_kind = o->s3 && kind >= 0 && !op->has_sum_body ? kind : -1,
        .want_md5 = o->s3 && o->s3_checksum == OSSIO__SUM_MD5 && op->md5_body[0] == '\0',
    };
    if (!s.want_crc64 && s.crc32_kind < 0 && !s.want_md5) {
        return OSSIO_OK;
    }
    ossio_status st =
        ossio__file_sums_read(op->body_fd, op->body_file_off, (uint64_t)op->body_len, &s);
    if (st != OSSIO_OK) {
        return st;
    }
    if (s.want_crc64) {
        ossio__op_set_body_crc64(op, s.crc64);
    }
    if (s.crc32_kind >= 0) {
        ossio__op_set_body_sum(op, s.crc32);
    }
    if (s.want_md5) {
        snprintf(op->md5_body, sizeof(op->md5_body), "%s", s.md5_b64);
    }
    return OSSIO_OK;
}

ossio_status ossio__op_sum_prepare(ossio_op *op, const ossio__oss_settings *o)
{
    int kind = ossio__ops_sum_kind(o);
    if (known_body(op) && op->body_fd >= 0) {
        return file_prepare(op, o, kind);
    }
    if (!o->s3 || !known_body(op)) {
        return OSSIO_OK; /* a reader's bytes are known only once sent: no header can carry them */
    }
    size_t len = (size_t)op->body_len;
    if (kind >= 0 && !op->has_sum_body) {
        op->sum_body = ossio__crc32_update((ossio__crc32_kind)kind, 0, op->body, len);
        op->has_sum_body = 1;
    } else if (o->s3_checksum == OSSIO__SUM_MD5 && op->md5_body[0] == '\0') {
        unsigned char md5[16];
        unsigned int md5_len = 0;
        EVP_Digest(len ? op->body : (const uint8_t *)"", len, md5, &md5_len, EVP_md5(), NULL);
        EVP_EncodeBlock((unsigned char *)op->md5_body, md5, (int)md5_len);
    }
    return OSSIO_OK;
}

static ossio_status add(ossio__hdrs *h, const char *name, const char *value)
{
    return ossio__hdrs_add(h, name, strlen(name), value, strlen(value));
}

ossio_status ossio__op_sum_headers(const ossio_op *op, const ossio__oss_settings *o, ossio__hdrs *h)
{
    int kind = ossio__ops_sum_kind(o);
    char b64[9];
    ossio_status st = OSSIO_OK;
    switch ((ossio__op_sum_role)ossio__op_kind(op->kind)->sum) {
    case OSSIO__OP_SUM_BODY:
        if (kind >= 0 && op->has_sum_body && known_body(op)) {
            ossio__crc32_base64(op->sum_body, b64);
            st = add(h, hdr_name[kind], b64);
            if (st == OSSIO_OK) {
                st = add(h, "x-amz-sdk-checksum-algorithm", algo_name[kind]);
            }
        } else if (o->s3 && op->md5_body[0] && ossio__hdrs_get(h, "content-md5") == NULL) {
            st = add(h, "content-md5", op->md5_body);
        }
        break;
    case OSSIO__OP_SUM_READ:
        st = kind >= 0 ? add(h, "x-amz-checksum-mode", "ENABLED") : OSSIO_OK;
        break;
    case OSSIO__OP_SUM_INIT:
        if (kind >= 0) {
            st = add(h, "x-amz-checksum-algorithm", algo_name[kind]);
            if (st == OSSIO_OK && !o->s3_composite) {
                st = add(h, "x-amz-checksum-type", "FULL_OBJECT");
            }
        }
        break;
    case OSSIO__OP_SUM_COMPLETE:
        if (kind >= 0 && op->has_sum_object && !o->s3_composite) {
            ossio__crc32_base64(op->sum_object, b64);
            st = add(h, hdr_name[kind], b64);
            if (st == OSSIO_OK) {
                st = add(h, "x-amz-checksum-type", "FULL_OBJECT");
            }
        }
        break;
    default:
        break;
    }
    return st;
}

static void keep(const ossio_response *resp, const char *name, char *dst, size_t cap)
{
    const char *v = ossio_response_header(resp, name);
    dst[0] = '\0';
    if (v != NULL && strlen(v) < cap) {
        snprintf(dst, cap, "%s", v);
    }
}

void ossio__op_sum_answer(ossio_op *op, const ossio_response *resp)
{
    if (op->delivered > 0) {
        /* A resumed GET's ranged answer may carry no checksum (S3 sends
         * none for ranges): the first answer's value is the one to check. */
        return;
    }
    keep(resp, hdr_name[OSSIO__CRC32C], op->sum_crc32c, sizeof(op->sum_crc32c));
    keep(resp, hdr_name[OSSIO__CRC32], op->sum_crc32, sizeof(op->sum_crc32));
    keep(resp, "x-amz-checksum-type", op->sum_type, sizeof(op->sum_type));
    op->info.checksum_crc32c = op->sum_crc32c[0] ? op->sum_crc32c : NULL;
    op->info.checksum_crc32 = op->sum_crc32[0] ? op->sum_crc32 : NULL;
    op->info.checksum_type = op->sum_type[0] ? op->sum_type : NULL;
    /* A composite value ("<b64>-<parts>", COMPOSITE) is a checksum of the
     * parts' checksums: nothing the bytes alone can be compared with. */
    uint32_t v;
    op->sum_rx_kind = -1;
    if (strcasecmp(op->sum_type, "COMPOSITE") == 0) {
        return;
    }
    if (ossio__crc32_parse_base64(op->sum_crc32c, &v)) {
        op->sum_rx_kind = OSSIO__CRC32C;
    } else if (ossio__crc32_parse_base64(op->sum_crc32, &v)) {
        op->sum_rx_kind = OSSIO__CRC32;
    }
}

void ossio__op_sum_data(ossio_op *op, const uint8_t *data, size_t len)
{
    if (op->sum_rx_kind >= 0) {
        op->sum_rx = ossio__crc32_update((ossio__crc32_kind)op->sum_rx_kind, op->sum_rx, data, len);
    }
}

/* The answer's value of algorithm |kind|, if it sent a full-object one. */
static int answer_value(const ossio_op *op, int kind, uint32_t *v)
{
    return ossio__crc32_parse_base64(kind == OSSIO__CRC32C ? op->sum_crc32c : op->sum_crc32, v);
}

/* COMPOSITE: S3's checksum of the parts' checksums, "<b64>-<parts>", from
 * the parts' CRCs as Complete lists them. 0 if a part has none. */
static int composite(const ossio_op *op, int kind, char *out, size_t cap)
{
    uint32_t c = 0;
    for (size_t i = 0; i < op->n_parts; i++) {
        uint32_t s = op->parts[i].sum;
        unsigned char be[4] = {(unsigned char)(s >> 24), (unsigned char)(s >> 16),
                               (unsigned char)(s >> 8), (unsigned char)s};
        if (!op->parts[i].has_sum) {
            return 0;
        }
        c = ossio__crc32_update((ossio__crc32_kind)kind, c, be, 4);
    }
    char b64[9];
    ossio__crc32_base64(c, b64);
    snprintf(out, cap, "%s-%zu", b64, op->n_parts);
    return op->n_parts > 0;
}

/* Complete with fs.oss.s3.checksum.type=composite: the echo against ours. */
static int composite_check(ossio_op *op, int kind)
{
    const char *echo = kind == OSSIO__CRC32C ? op->sum_crc32c : op->sum_crc32;
    char ours[32];
    if (echo[0] == '\0' || strchr(echo, '-') == NULL || !composite(op, kind, ours, sizeof(ours))) {
        return 0;
    }
    op->checked = checked_name[kind];
    if (strcmp(echo, ours) != 0) {
        snprintf(op->out.detail, sizeof(op->out.detail),
                 "%s of the parts' checksums (%s) differs from %s (%.24s)", algo_name[kind], ours,
                 hdr_name[kind], echo);
        ossio__op_finish(op, OSSIO_ECHECKSUM, op->out.detail);
        return 1;
    }
    return 0;
}

static int mismatch(ossio_op *op, int kind, const char *what, uint32_t ours, uint32_t theirs)
{
    snprintf(op->out.detail, sizeof(op->out.detail), "%s %s (%08x) differs from %s (%08x)",
             algo_name[kind], what, ours, hdr_name[kind], theirs);
    op->checked = checked_name[kind];
    return 1;
}

int ossio__op_sum_check(ossio_op *op)
{
    const ossio__oss_settings *o = &ossio__cl_ops(op->cl)->oss;
    int kind = ossio__ops_sum_kind(o);
    uint32_t v = 0;
    switch ((ossio__op_sum_role)ossio__op_kind(op->kind)->sum) {
    case OSSIO__OP_SUM_BODY:
        if (kind >= 0 && op->has_sum_body && answer_value(op, kind, &v)) {
            if (v != op->sum_body && mismatch(op, kind, "of the uploaded data", op->sum_body, v)) {
                ossio__op_fail_or_retry(op, OSSIO_ECHECKSUM, op->out.detail);
                return 1;
            }
            op->checked = checked_name[kind];
        } else if (o->s3 && op->md5_body[0]) {
            op->checked = "md5"; /* a server that took it compared it */
        }
        return 0;
    case OSSIO__OP_SUM_READ:
        if (op->sum_rx_kind >= 0 && op->whole_object && ossio__op_kind(op->kind)->ranged &&
            answer_value(op, op->sum_rx_kind, &v)) {
            if (v != op->sum_rx &&
                mismatch(op, op->sum_rx_kind, "of the received data", op->sum_rx, v)) {
                ossio__op_finish(op, OSSIO_ECHECKSUM, op->out.detail);
                return 1;
            }
            op->checked = checked_name[op->sum_rx_kind];
        }
        return 0;
    case OSSIO__OP_SUM_COMPLETE:
        if (kind >= 0 && o->s3_composite) {
            return composite_check(op, kind);
        }
        if (kind >= 0 && op->has_sum_object && answer_value(op, kind, &v)) {
            if (v != op->sum_object && mismatch(op, kind, "of the parts", op->sum_object, v)) {
                ossio__op_finish(op, OSSIO_ECHECKSUM, op->out.detail);
                return 1;
            }
            op->checked = checked_name[kind];
        }
        return 0;
    default:
        return 0;
    }
}

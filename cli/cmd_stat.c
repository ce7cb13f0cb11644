/* ossio stat: an object's metadata from HeadObject. */
#include <stdio.h>

#include "cli.h"

typedef struct stat_state {
    cli *c;
    const char *uri;
} stat_state;

static void on_ok(ossio_op *op, void *ud)
{
    stat_state *s = ud;
    const ossio_object_info *info = ossio_op_object(op);
    if (info == NULL) {
        return;
    }
    char crc[24] = "";
    if (info->has_crc64) {
        snprintf(crc, sizeof(crc), "%llu", (unsigned long long)info->crc64);
    }
    if (s->c->json) {
        cli_json j;
        cli_json_begin(&j, stdout);
        cli_json_str(&j, "uri", s->uri);
        cli_json_u64(&j, "size", info->size);
        cli_json_str(&j, "etag", info->etag);
        cli_json_str(&j, "last_modified", info->last_modified);
        cli_json_str(&j, "content_type", info->content_type);
        cli_json_str(&j, "crc64", info->has_crc64 ? crc : NULL); /* a string: beyond 2^53 */
        /* The s3 dialect's x-amz-checksum-* headers, as the server sent them. */
        cli_json_str(&j, "checksum_crc32c", info->checksum_crc32c);
        cli_json_str(&j, "checksum_crc32", info->checksum_crc32);
        cli_json_str(&j, "checksum_type", info->checksum_type);
        cli_json_end(&j);
        fputc('\n', stdout);
        return;
    }
    printf("uri:            %s\n", s->uri);
    printf("size:           %llu\n", (unsigned long long)info->size);
    printf("etag:           %s\n", info->etag ? info->etag : "");
    printf("last-modified:  %s\n", info->last_modified ? info->last_modified : "");
    printf("content-type:   %s\n", info->content_type ? info->content_type : "");
    printf("crc64:          %s\n", info->has_crc64 ? crc : "(none)");
    /* Only the headers the server sent: an OSS answer has none of them. */
    if (info->checksum_crc32c != NULL) {
        printf("checksum-crc32c: %s\n", info->checksum_crc32c);
    }
    if (info->checksum_crc32 != NULL) {
        printf("checksum-crc32: %s\n", info->checksum_crc32);
    }
    if (info->checksum_type != NULL) {
        printf("checksum-type:  %s\n", info->checksum_type);
    }
}

static int run(cli *c, const cli_args *a)
{
    int rc = 0;
    if (a->npos < 1) {
        rc = cli_usage_error(c, "needs oss://bucket/key");
    }
    /* Several objects: one after the other, each reported; the first failure sets the code. */
    for (int i = 0; rc != CLI_EUSAGE && i < a->npos && !c->interrupted; i++) {
        ossio_op *op = NULL;
        stat_state s = {c, a->pos[i]};
        int r = cli_op_new(c, &op, OSSIO_OP_HEAD, a->pos[i]);
        if (r == 0) {
            r = cli_op_run(c, op, a->pos[i], on_ok, &s);
        }
        rc = rc != 0 ? rc : r;
    }
    return rc;
}

const cli_command cli_cmd_stat = {
    "stat",
    "stat oss://bucket/key...",
    "an object's size, ETag, last-modified, content type, CRC-64 and the s3 dialect's "
    "x-amz-checksum-* headers (HeadObject)",
    "",
    NULL,
    run,
};

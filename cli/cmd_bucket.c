/* ossio mb / rb: create and delete buckets (PutBucket, DeleteBucket). */
#include "cli.h"

static int run_kind(cli *c, const cli_args *a, ossio_op_kind kind)
{
    int rc = 0;
    if (a->npos < 1) {
        rc = cli_usage_error(c, "needs oss://bucket");
    }
    for (int i = 0; rc == 0 && i < a->npos; i++) {
        char bucket[64];
        const char *key = NULL;
        if (cli_split_uri(a->pos[i], bucket, sizeof(bucket), &key) != 0) {
            rc = cli_bad_uri(c, a->pos[i], "expected oss://bucket");
            break;
        }
        if (*key != '\0') {
            rc = cli_fail_status(c, a->pos[i], OSSIO_EBADURI, "expected oss://bucket");
            break;
        }
        ossio_op *op = NULL;
        rc = cli_op_new(c, &op, kind, a->pos[i]);
        if (rc == 0) {
            rc = cli_op_run(c, op, a->pos[i], NULL, NULL);
        }
        if (rc == 0 && c->json) {
            cli_json j;
            cli_json_begin(&j, stdout);
            cli_json_str(&j, "command", c->command->name);
            cli_json_str(&j, "bucket", bucket);
            cli_json_bool(&j, kind == OSSIO_OP_BUCKET_CREATE ? "created" : "deleted", 1);
            cli_json_end(&j);
            fputc('\n', stdout);
        }
    }
    return rc;
}

static int run_mb(cli *c, const cli_args *a)
{
    return run_kind(c, a, OSSIO_OP_BUCKET_CREATE);
}

static int run_rb(cli *c, const cli_args *a)
{
    return run_kind(c, a, OSSIO_OP_BUCKET_DELETE);
}

const cli_command cli_cmd_mb = {
    "mb", "mb oss://bucket...", "create buckets", "", NULL, run_mb,
};

const cli_command cli_cmd_rb = {
    "rb", "rb oss://bucket...", "delete buckets (they must be empty)", "", NULL, run_rb,
};

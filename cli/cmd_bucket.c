/* ossio mb / rb: create and delete buckets (PutBucket, DeleteBucket). */
#include "cli.h"

static const cli_opt opts[] = {{-1, 0, NULL, 0}};

static int run_kind(cli *c, int argc, char **argv, ossio_op_kind kind)
{
    cli_args a;
    int rc = cli_parse(c, opts, argc, argv, &a);
    if (rc != 0) {
        cli_args_free(&a);
        return rc < 0 ? CLI_OK : rc;
    }
    if (a.npos < 1) {
        rc = cli_usage_error(c, "needs oss://bucket");
    }
    for (int i = 0; rc == 0 && i < a.npos; i++) {
        char bucket[64];
        const char *key = NULL;
        if (cli_split_uri(a.pos[i], bucket, sizeof(bucket), &key) != 0 || *key != '\0') {
            rc = cli_fail_status(c, a.pos[i], OSSIO_EBADURI, "expected oss://bucket");
            break;
        }
        ossio_op *op = NULL;
        rc = cli_op_new(c, &op, kind, a.pos[i]);
        if (rc == 0) {
            rc = cli_op_run(c, op, a.pos[i], NULL, NULL);
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
    cli_args_free(&a);
    return rc;
}

static int run_mb(cli *c, int argc, char **argv)
{
    return run_kind(c, argc, argv, OSSIO_OP_BUCKET_CREATE);
}

static int run_rb(cli *c, int argc, char **argv)
{
    return run_kind(c, argc, argv, OSSIO_OP_BUCKET_DELETE);
}

const cli_command cli_cmd_mb = {
    "mb", "mb oss://bucket...", "create buckets", "", run_mb,
};

const cli_command cli_cmd_rb = {
    "rb", "rb oss://bucket...", "delete buckets (they must be empty)", "", run_rb,
};

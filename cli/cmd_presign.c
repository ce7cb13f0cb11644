/* ossio presign: a URL that performs one request on an object without
 * credentials, signed as the client signs (OSS V1, OSS V4, AWS SigV4). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

enum { OPT_EXPIRES, OPT_METHOD };

static const cli_opt opts[] = {
    {OPT_EXPIRES, 0, "expires", 1},
    {OPT_METHOD, 0, "method", 1},
    {-1, 0, NULL, 0},
};

static int run(cli *c, const cli_args *a)
{
    int rc = 0;
    uint64_t expires = 3600;
    const char *method = a->set[OPT_METHOD] ? a->val[OPT_METHOD] : "GET";
    if (a->npos != 1) {
        rc = cli_usage_error(c, "needs one oss://bucket/key");
    } else if (a->set[OPT_EXPIRES] &&
               cli_parse_uint(a->val[OPT_EXPIRES], 1, 604800, &expires) != 0) {
        rc = cli_usage_error(c, "--expires needs seconds from 1 to 604800 (7 days)");
    } else if (strcmp(method, "GET") != 0 && strcmp(method, "PUT") != 0 &&
               strcmp(method, "HEAD") != 0 && strcmp(method, "DELETE") != 0) {
        rc = cli_usage_error(c, "--method is GET, PUT, HEAD or DELETE");
    }
    ossio_client *cl = rc == 0 ? cli_client(c) : NULL;
    if (rc == 0 && cl == NULL) {
        rc = c->rc;
    }
    char *url = NULL;
    if (cl != NULL) {
        ossio_status st = ossio_presign(cl, method, a->pos[0], (int64_t)expires, &url);
        if (st != OSSIO_OK) {
            rc = cli_fail_status(c, a->pos[0], st, ossio_client_error(cl));
        }
    }
    if (url != NULL && c->json) {
        cli_json j;
        cli_json_begin(&j, stdout);
        cli_json_str(&j, "uri", a->pos[0]);
        cli_json_str(&j, "method", method);
        cli_json_u64(&j, "expires", (uint64_t)time(NULL) + expires);
        cli_json_str(&j, "url", url);
        cli_json_end(&j);
        fputc('\n', stdout);
    } else if (url != NULL) {
        printf("%s\n", url);
    }
    free(url);
    return rc;
}

const cli_command cli_cmd_presign = {
    "presign",
    "presign [--expires SECONDS] [--method GET|PUT] oss://bucket/key",
    "print a presigned URL (no request is made)",
    "  --expires S   validity in seconds, 1..604800 (default 3600)\n"
    "  --method M    GET (default), PUT, HEAD or DELETE; a PUT must send no Content-Type\n",
    opts,
    run,
};

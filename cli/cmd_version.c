/* ossio version: the library's version, each dependency's run-time version,
 * and whether HTTP/2 is available. */
#include <stdio.h>

#include "cli.h"

static int run(cli *c, const cli_args *a)
{
    (void)a;
    const char *const *deps = ossio_version_deps();
    /* HTTP/2 is nghttp2's: linked in, it is offered to every TLS server. */
    int h2 = ossio_version_dep("nghttp2") != NULL;
    if (c->json) {
        cli_json j, d;
        cli_json_begin(&j, stdout);
        cli_json_str(&j, "ossio", ossio_version());
        cli_json_key(&j, "deps");
        cli_json_begin(&d, stdout);
        for (size_t i = 0; deps[i] != NULL; i++) {
            cli_json_str(&d, deps[i], ossio_version_dep(deps[i]));
        }
        cli_json_end(&d);
        cli_json_bool(&j, "http2", h2);
        cli_json_end(&j);
        fputc('\n', stdout);
        return CLI_OK;
    }
    printf("ossio %s\n", ossio_version());
    for (size_t i = 0; deps[i] != NULL; i++) {
        printf("  %-12s %s\n", deps[i], ossio_version_dep(deps[i]));
    }
    printf("  %-12s %s\n", "http2", h2 ? "yes" : "no");
    return CLI_OK;
}

const cli_command cli_cmd_version = {
    "version", "version", "versions of ossio and its libraries, and HTTP/2 support", "", NULL, run,
};

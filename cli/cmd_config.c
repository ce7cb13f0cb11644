/* ossio config: the effective configuration, every key with its value and
 * where it came from; secrets masked by ossio_config_explain(). */
#include <stdio.h>

#include "cli.h"

static const char *source_name(ossio_config_source s)
{
    static const char *const names[] = {"default", "hadoop", "flink", "env", "set"};
    return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

typedef struct explain_state {
    cli *c;
    int n;
} explain_state;

static void on_key(const char *key, const char *value, ossio_config_source source, void *ud)
{
    explain_state *s = ud;
    if (s->c->json) {
        cli_json j;
        fputs(s->n++ ? "," : "", stdout);
        cli_json_begin(&j, stdout);
        cli_json_str(&j, "key", key);
        cli_json_str(&j, "value", value);
        cli_json_str(&j, "source", source_name(source));
        cli_json_end(&j);
    } else {
        printf("%-45s %-8s %s\n", key, source_name(source), value != NULL ? value : "");
    }
}

static int run(cli *c, const cli_args *a)
{
    (void)a;
    ossio_config *cfg = cli_config(c);
    if (cfg == NULL) {
        return c->rc;
    }
    explain_state s = {c, 0};
    if (c->json) {
        fputs("{\"command\":\"config\",\"keys\":[", stdout);
    } else if (!c->quiet) {
        printf("%-45s %-8s %s\n", "KEY", "SOURCE", "VALUE");
    }
    ossio_config_explain(cfg, on_key, &s);
    if (c->json) {
        fputs("]}\n", stdout);
    }
    ossio_config_free(cfg);
    return CLI_OK;
}

const cli_command cli_cmd_config = {
    "config",
    "config",
    "the effective configuration: each key, its source and value (secrets masked)",
    "",
    NULL,
    run,
};

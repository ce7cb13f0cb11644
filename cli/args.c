/* Command-line parsing for ossio: the global options (anywhere on the line),
 * and each command's own options (the values themselves: values.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Global options that take a value. */
static const char *const global_valued[] = {"--config", "-D", "--endpoint", "--resolve", NULL};

static int is_global_valued(const char *arg)
{
    for (size_t i = 0; global_valued[i] != NULL; i++) {
        if (strcmp(arg, global_valued[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

int cli_find_command(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            return i + 1 < argc ? i + 1 : argc;
        }
        if (argv[i][0] != '-' || argv[i][1] == '\0') {
            return i;
        }
        if (is_global_valued(argv[i])) {
            i++;
        }
    }
    return argc;
}

static int add_setting(cli *c, const char *key, const char *value)
{
    if (c->n_settings >= CLI_MAX_SETTINGS) {
        return cli_usage_error(c, "too many settings (at most %d)", CLI_MAX_SETTINGS);
    }
    c->settings[c->n_settings][0] = key;
    c->settings[c->n_settings][1] = value;
    c->n_settings++;
    return 0;
}

/* -D key=value: the key is kept in the argument itself, split at '='. */
static int define(cli *c, char *kv)
{
    char *eq = strchr(kv, '=');
    if (eq == NULL || eq == kv) {
        return cli_usage_error(c, "-D needs key=value, got '%s'", kv);
    }
    *eq = '\0';
    return add_setting(c, kv, eq + 1);
}

/* A global option at argv[*i] (value possibly attached after '='); 1 if it
 * was one, 0 if not, or CLI_EUSAGE. */
static int global_option(cli *c, int argc, char **argv, int *i)
{
    char *arg = argv[*i];
    if (strcmp(arg, "--json") == 0) {
        c->json = 1;
        return 1;
    }
    if (strcmp(arg, "-q") == 0 || strcmp(arg, "--quiet") == 0) {
        c->quiet = 1;
        return 1;
    }
    if (strcmp(arg, "-v") == 0 || strcmp(arg, "--verbose") == 0) {
        c->verbose++;
        return 1;
    }
    if (strcmp(arg, "-vv") == 0) {
        c->verbose += 2;
        return 1;
    }
    if (strcmp(arg, "--http1.1") == 0) {
        return add_setting(c, "fs.oss.http2.enabled", "false") == 0 ? 1 : CLI_EUSAGE;
    }
    char *value = NULL;
    const char *name = arg;
    char namebuf[32];
    if (strncmp(arg, "-D", 2) == 0 && arg[2] != '\0') {
        name = "-D";
        value = arg + 2;
    } else if (strncmp(arg, "--", 2) == 0 && strchr(arg, '=') != NULL) {
        size_t n = (size_t)(strchr(arg, '=') - arg);
        snprintf(namebuf, sizeof(namebuf), "%.*s", (int)(n < sizeof(namebuf) ? n : 0), arg);
        name = namebuf;
        value = arg + n + 1;
    }
    if (!is_global_valued(name)) {
        return 0;
    }
    if (value == NULL) {
        if (*i + 1 >= argc) {
            return cli_usage_error(c, "option '%s' needs a value", name);
        }
        value = argv[++*i];
    }
    int r = 0;
    if (strcmp(name, "--config") == 0) {
        c->config_file = value;
    } else if (strcmp(name, "-D") == 0) {
        r = define(c, value);
    } else if (strcmp(name, "--endpoint") == 0) {
        r = add_setting(c, "fs.oss.endpoint", value);
    } else {
        r = add_setting(c, "fs.oss.connection.resolve", value);
    }
    return r == 0 ? 1 : r;
}

static void print_help(const cli *c)
{
    const cli_command *cmd = c->command;
    printf("usage: %s %s\n\n%s\n", c->name, cmd->usage, cmd->summary);
    if (cmd->help != NULL && *cmd->help) {
        printf("\noptions:\n%s", cmd->help);
    }
    printf("\nglobal options: --config FILE, -D key=value, --endpoint URL, --resolve "
           "host:port:addr,\n  --http1.1, --json, -q, -v (see %s --help)\n",
           c->name);
}

static const cli_opt *find_short(const cli_opt *opts, char ch)
{
    for (; opts != NULL && opts->id >= 0; opts++) {
        if (opts->short_name == ch) {
            return opts;
        }
    }
    return NULL;
}

static const cli_opt *find_long(const cli_opt *opts, const char *name, size_t len)
{
    for (; opts != NULL && opts->id >= 0; opts++) {
        if (opts->long_name != NULL && strlen(opts->long_name) == len &&
            strncmp(opts->long_name, name, len) == 0) {
            return opts;
        }
    }
    return NULL;
}

/* A command option at argv[*i]: 0 done, or CLI_EUSAGE. */
static int command_option(cli *c, const cli_opt *opts, int argc, char **argv, int *i, cli_args *a)
{
    char *arg = argv[*i];
    if (arg[1] == '-') {
        const char *name = arg + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq != NULL ? (size_t)(eq - name) : strlen(name);
        const cli_opt *o = find_long(opts, name, len);
        if (o == NULL) {
            return cli_usage_error(c, "unknown option '%s'", arg);
        }
        a->set[o->id] = 1;
        if (o->has_value) {
            if (eq == NULL && *i + 1 >= argc) {
                return cli_usage_error(c, "option '--%s' needs a value", o->long_name);
            }
            a->val[o->id] = eq != NULL ? eq + 1 : argv[++*i];
        } else if (eq != NULL) {
            return cli_usage_error(c, "option '--%s' takes no value", o->long_name);
        }
        return 0;
    }
    /* Short options, combinable ("-rl"); a value may be attached ("-j8") or follow. */
    for (const char *p = arg + 1; *p; p++) {
        const cli_opt *o = find_short(opts, *p);
        if (o == NULL) {
            return cli_usage_error(c, "unknown option '-%c'", *p);
        }
        a->set[o->id] = 1;
        if (o->has_value) {
            if (p[1] != '\0') {
                a->val[o->id] = p + 1;
            } else if (*i + 1 < argc) {
                a->val[o->id] = argv[++*i];
            } else {
                return cli_usage_error(c, "option '-%c' needs a value", *p);
            }
            break;
        }
    }
    return 0;
}

int cli_parse(cli *c, const cli_opt *opts, int argc, char **argv, cli_args *a)
{
    memset(a, 0, sizeof(*a));
    a->pos = calloc((size_t)argc + 1, sizeof(char *));
    if (a->pos == NULL) {
        return CLI_EFAIL;
    }
    int help = 0, only_pos = 0;
    for (int i = 0; i < argc; i++) {
        char *arg = argv[i];
        if (only_pos || arg[0] != '-' || arg[1] == '\0') {
            a->pos[a->npos++] = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            only_pos = 1;
            continue;
        }
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            help = 1;
            continue;
        }
        int r = global_option(c, argc, argv, &i);
        if (r == 1) {
            continue;
        }
        if (r == 0) {
            r = command_option(c, opts, argc, argv, &i, a);
        }
        if (r != 0) {
            return r;
        }
    }
    if (help) {
        if (!c->silent) {
            print_help(c);
        }
        return -1;
    }
    return 0;
}

void cli_args_free(cli_args *a)
{
    free(a->pos);
    a->pos = NULL;
}

/* The main of a program made of commands (ossio, ossio-mpi): finds the
 * command, sets up the loop and SIGINT, runs it, exits with its code. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void usage(const cli_program *p, FILE *f)
{
    fprintf(f, "usage: %s%s [global options] <command> [options] [arguments]\n\ncommands:\n",
            p->launcher, p->name);
    for (size_t i = 0; i < p->n_commands; i++) {
        fprintf(f, "  %-9s %s\n", p->commands[i]->name, p->commands[i]->summary);
    }
    fprintf(f,
            "\nglobal options (anywhere on the line):\n"
            "  --config FILE          Flink configuration (flink-conf.yaml / config.yaml)\n"
            "  -D key=value           set any configuration key (fs.oss.*)\n"
            "  --endpoint URL         fs.oss.endpoint\n"
            "  --resolve host:port:addr  fs.oss.connection.resolve (as curl --resolve)\n"
            "  --http1.1              HTTP/1.1 only (fs.oss.http2.enabled=false)\n"
            "  --json                 JSON output: one document, or one object per line for ls\n"
            "  -q, --quiet            no progress bar, no per-key lines\n"
            "  -v, --verbose          log to stderr (-v info, -vv debug); never secrets\n"
            "  -h, --help             this help; '%s <command> --help' for a command\n"
            "\nconfiguration: built-in defaults < core-site.xml < Flink yaml (FLINK_CONF_DIR,\n"
            "--config) < environment (OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET, OSS_ENDPOINT,\n"
            "...; AWS_* too with fs.oss.dialect=s3, set anywhere) < -D, --endpoint, --resolve,\n"
            "--http1.1.\n"
            "\nexit codes: 0 ok, 1 operation failed, 2 usage, 3 not found, 4 access denied or\n"
            "signature, 5 configuration (no endpoint/credentials), 6 network/TLS, 130 "
            "interrupted.\n",
            p->name);
}

static void on_sigint(struct ev_loop *loop, ev_signal *w, int revents)
{
    (void)loop;
    (void)revents;
    cli *c = w->data;
    if (c->interrupted) {
        return; /* already canceling; completions are on their way */
    }
    c->interrupted = 1;
    if (c->on_interrupt != NULL) {
        c->on_interrupt(c);
    }
}

static const cli_command *find(const cli_program *p, const char *name)
{
    for (size_t i = 0; i < p->n_commands; i++) {
        if (strcmp(p->commands[i]->name, name) == 0) {
            return p->commands[i];
        }
    }
    return NULL;
}

/* Only global options on the line: --help, or nothing (a usage error). */
static int no_command(const cli_program *p, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            if (!p->silent) {
                usage(p, stdout);
            }
            return CLI_OK;
        }
    }
    if (!p->silent) {
        usage(p, stderr);
    }
    return CLI_EUSAGE;
}

/* Runs the command with every argument but its own name: global options
 * may stand before or after it. */
static int run_command(cli *c, int argc, char **argv, int k)
{
    char **args = calloc((size_t)argc, sizeof(char *));
    if (args == NULL) {
        return CLI_EFAIL;
    }
    int n = 0;
    for (int i = 1; i < argc; i++) {
        if (i != k) {
            args[n++] = argv[i];
        }
    }
    cli_args a;
    int rc = cli_parse(c, c->command->opts, n, args, &a);
    if (rc == 0) {
        rc = c->command->run(c, &a);
    } else if (rc < 0) {
        rc = CLI_OK; /* --help */
    }
    cli_args_free(&a);
    free(args);
    return rc;
}

int cli_main(const cli_program *p, int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN); /* a closed stdout is a write error, reported once */
    cli c;
    memset(&c, 0, sizeof(c));
    c.name = p->name;
    c.tag = p->tag != NULL ? p->tag : p->name;
    c.silent = p->silent;
    int k = cli_find_command(argc, argv);
    if (k >= argc) {
        return no_command(p, argc, argv);
    }
    c.command = find(p, argv[k]);
    if (c.command == NULL) {
        if (!p->silent) {
            fprintf(stderr, "%s: unknown command '%s' (see '%s --help')\n", c.tag, argv[k],
                    p->name);
        }
        return CLI_EUSAGE;
    }
    c.loop = ev_default_loop(0);
    ev_signal_init(&c.sigint, on_sigint, SIGINT);
    c.sigint.data = &c;
    ev_signal_start(c.loop, &c.sigint);
    ev_unref(c.loop); /* the watcher alone does not keep the loop running */

    int rc = run_command(&c, argc, argv, k);
    fflush(stdout);
    if (ferror(stdout) && rc == CLI_OK) {
        rc = cli_fail_status(&c, "-", OSSIO_EIO, "cannot write standard output");
    }
    ossio_client_destroy(c.client);
    ev_ref(c.loop);
    ev_signal_stop(c.loop, &c.sigint);
    ev_loop_destroy(c.loop);
    if (c.interrupted) {
        fprintf(stderr, "%s: %s: interrupted\n", c.tag, c.command->name);
        return CLI_EINTR;
    }
    return rc;
}

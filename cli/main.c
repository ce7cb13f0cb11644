/* ossio, the command-line program: finds the command, builds the
 * configuration and the client on a libev loop, handles SIGINT, exits with
 * the documented code. Commands live in cmd_*.c, one per file. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The command table: `ossio --help` lists it in this order. Later commands
 * (splits, count) are added here with their cmd_<name>.c. */
static const cli_command *const commands[] = {
    &cli_cmd_ls,     &cli_cmd_stat,  &cli_cmd_cat,     &cli_cmd_cp,     &cli_cmd_rm,
    &cli_cmd_mb,     &cli_cmd_rb,    &cli_cmd_presign, &cli_cmd_config, &cli_cmd_version,
    &cli_cmd_splits, &cli_cmd_count, &cli_cmd_bench,
};

static void usage(FILE *f)
{
    fprintf(f, "usage: ossio [global options] <command> [options] [arguments]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        fprintf(f, "  %-9s %s\n", commands[i]->name, commands[i]->summary);
    }
    fprintf(f, "\nglobal options (anywhere on the line):\n"
               "  --config FILE          Flink configuration (flink-conf.yaml / config.yaml)\n"
               "  -D key=value           set any configuration key (fs.oss.*)\n"
               "  --endpoint URL         fs.oss.endpoint\n"
               "  --resolve host:port:addr  fs.oss.connection.resolve (as curl --resolve)\n"
               "  --http1.1              HTTP/1.1 only (fs.oss.http2.enabled=false)\n"
               "  --json                 JSON output: one document, or one object per line for ls\n"
               "  -q, --quiet            no progress bar, no per-key lines\n"
               "  -v, --verbose          log to stderr (-v info, -vv debug); never secrets\n"
               "  -h, --help             this help; 'ossio <command> --help' for a command\n"
               "\nconfiguration: built-in defaults < core-site.xml < Flink yaml (FLINK_CONF_DIR,\n"
               "--config) < environment (OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET, OSS_ENDPOINT,\n"
               "...; AWS_* too with fs.oss.dialect=s3, set anywhere) < -D, --endpoint, --resolve,\n"
               "--http1.1.\n"
               "\nexit codes: 0 ok, 1 operation failed, 2 usage, 3 not found, 4 access denied or\n"
               "signature, 5 configuration (no endpoint/credentials), 6 network/TLS, 130 "
               "interrupted.\n");
}

ossio_config *cli_config(cli *c)
{
    ossio_config *cfg = ossio_config_new();
    if (cfg == NULL) {
        cli_fail_status(c, NULL, OSSIO_ENOMEM, NULL);
        return NULL;
    }
    ossio_status st = ossio_config_load_defaults(cfg);
    if (st == OSSIO_OK && c->config_file != NULL) {
        st = ossio_config_load_flink(cfg, c->config_file);
    }
    for (size_t i = 0; i < c->n_settings && st == OSSIO_OK; i++) {
        st = ossio_config_set(cfg, c->settings[i][0], c->settings[i][1]);
    }
    if (st != OSSIO_OK) {
        const char *why = ossio_config_error(cfg);
        cli_fail_status(c, c->config_file, st, why);
        if (c->rc != CLI_EUSAGE) {
            c->rc = CLI_ECONFIG;
        }
        ossio_config_free(cfg);
        return NULL;
    }
    return cfg;
}

static void on_log(ossio_log_level level, const char *msg, void *ud)
{
    (void)ud;
    static const char *const names[] = {"error", "warn", "info", "debug"};
    fprintf(stderr, "ossio: [%s] %s\n", names[level <= OSSIO_LOG_DEBUG ? level : 0], msg);
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

ossio_client *cli_client(cli *c)
{
    if (c->client != NULL) {
        return c->client;
    }
    ossio_config *cfg = cli_config(c);
    if (cfg == NULL) {
        return NULL;
    }
    ossio_status st = ossio_client_new(&c->client, cfg, c->loop);
    ossio_config_free(cfg);
    if (st != OSSIO_OK) {
        c->client = NULL;
        int rc = cli_fail_status(c, NULL, st, "cannot create the client");
        c->rc = st == OSSIO_ETLS ? CLI_ECONFIG : rc; /* the CA file or TLS settings */
        return NULL;
    }
    if (c->verbose > 0) {
        ossio_client_set_log(c->client, on_log, c->verbose > 1 ? OSSIO_LOG_DEBUG : OSSIO_LOG_INFO,
                             NULL);
    }
    return c->client;
}

void cli_run(cli *c)
{
    while (c->pending > 0 && !(c->interrupted && c->abandon_on_interrupt)) {
        ev_run(c->loop, EVRUN_ONCE);
    }
}

int cli_op_new(cli *c, ossio_op **op, ossio_op_kind kind, const char *uri)
{
    ossio_client *cl = cli_client(c);
    if (cl == NULL) {
        return c->rc;
    }
    ossio_status st = ossio_op_new(op, cl, kind, uri);
    if (st != OSSIO_OK) {
        return cli_fail_status(c, uri, st, ossio_client_error(cl));
    }
    return 0;
}

int cli_check_uri(cli *c, const char *uri)
{
    ossio_op *op = NULL;
    int rc = cli_op_new(c, &op, OSSIO_OP_LIST, uri);
    ossio_op_free(op);
    return rc;
}

int cli_bad_uri(cli *c, const char *uri, const char *expected)
{
    int rc = cli_check_uri(c, uri);
    return rc != 0 ? rc : cli_fail_status(c, uri, OSSIO_EBADURI, expected);
}

typedef struct op_wait {
    cli *c;
    const char *uri;
    void (*on_ok)(ossio_op *op, void *ud);
    void *ud;
    int rc;
} op_wait;

static void op_waited(ossio_op *op, const ossio_result *res, void *ud)
{
    op_wait *w = ud;
    w->c->pending--;
    if (res->status == OSSIO_ECANCELED && w->c->stopped_by_us) {
        w->rc = CLI_EFAIL; /* the caller reports why it stopped the op */
    } else if (res->status != OSSIO_OK) {
        w->rc = cli_fail(w->c, w->uri, res);
    } else if (w->on_ok != NULL) {
        w->on_ok(op, w->ud);
    }
}

static void cancel_op(cli *c)
{
    ossio_op_cancel(c->cmd_state);
}

int cli_op_run(cli *c, ossio_op *op, const char *uri, void (*on_ok)(ossio_op *op, void *ud),
               void *ud)
{
    op_wait w = {c, uri, on_ok, ud, 0};
    c->cmd_state = op;
    c->on_interrupt = cancel_op;
    c->pending++;
    ossio_op_submit(op, op_waited, &w);
    cli_run(c);
    c->on_interrupt = NULL;
    c->cmd_state = NULL;
    return c->interrupted ? CLI_EINTR : w.rc;
}

static const cli_command *find(const char *name)
{
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(commands[i]->name, name) == 0) {
            return commands[i];
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN); /* a closed stdout is a write error, reported once */
    cli c;
    memset(&c, 0, sizeof(c));
    int k = cli_find_command(argc, argv);
    if (k >= argc) {
        /* Only global options: --help or nothing. */
        for (int i = 1; i < argc; i++) {
            if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
                usage(stdout);
                return CLI_OK;
            }
        }
        usage(stderr);
        return CLI_EUSAGE;
    }
    c.command = find(argv[k]);
    if (c.command == NULL) {
        fprintf(stderr, "ossio: unknown command '%s' (see 'ossio --help')\n", argv[k]);
        return CLI_EUSAGE;
    }
    /* The command sees every argument but its own name: global options may
     * stand before or after it. */
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
    c.loop = ev_default_loop(0);
    ev_signal_init(&c.sigint, on_sigint, SIGINT);
    c.sigint.data = &c;
    ev_signal_start(c.loop, &c.sigint);
    ev_unref(c.loop); /* the watcher alone does not keep the loop running */

    cli_args a;
    int rc = cli_parse(&c, c.command->opts, n, args, &a);
    if (rc == 0) {
        rc = c.command->run(&c, &a);
    } else if (rc < 0) {
        rc = CLI_OK; /* --help */
    }
    cli_args_free(&a);
    free(args);
    fflush(stdout);
    if (ferror(stdout) && rc == CLI_OK) {
        rc = cli_fail_status(&c, "-", OSSIO_EIO, "cannot write standard output");
    }
    ossio_client_destroy(c.client);
    ev_ref(c.loop);
    ev_signal_stop(c.loop, &c.sigint);
    ev_loop_destroy(c.loop);
    if (c.interrupted) {
        fprintf(stderr, "ossio: %s: interrupted\n", c.command->name);
        return CLI_EINTR;
    }
    return rc;
}

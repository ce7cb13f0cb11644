/* The helpers every command shares: the configuration from the command
 * line, the client on the program's loop, running the loop, one operation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* HTTP/1.1 carries one exchange per connection: a command running |want|
 * transfers at once needs that many, or they queue behind the default 32.
 * A value any source set (-D, a file, the environment) is left alone. */
static ossio_status raise_connections(ossio_config *cfg, unsigned want)
{
    const char *key = "fs.oss.connection.maximum";
    const char *cur = ossio_config_get(cfg, key);
    if (want == 0 || ossio_config_source_of(cfg, key) != OSSIO_SRC_DEFAULT ||
        (cur != NULL && strtoul(cur, NULL, 10) >= want)) {
        return OSSIO_OK;
    }
    char v[16];
    snprintf(v, sizeof(v), "%u", want);
    return ossio_config_set(cfg, key, v);
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
    if (st == OSSIO_OK) {
        st = raise_connections(cfg, c->min_connections);
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
    const cli *c = ud;
    static const char *const names[] = {"error", "warn", "info", "debug"};
    fprintf(stderr, "%s: [%s] %s\n", c->tag, names[level <= OSSIO_LOG_DEBUG ? level : 0], msg);
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
                             c);
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

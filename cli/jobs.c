/* Transfers for cp and cat: a list of jobs (upload, download, server-side
 * copy, stdin, stdout) run up to N at once on the one loop, with one
 * aggregate progress bar, per-job error lines, and cancel on SIGINT. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

typedef struct job {
    cli_job_kind kind;
    char *src, *dst;
    uint64_t size;
    struct cli_jobs *js;
    ossio_transfer *t; /* while running */
    ossio_op *op;
    cli_stdin in;                   /* cp - : standard input into a push upload */
    uint64_t seen_done, seen_total; /* last progress, added into the bar */
    int write_failed;
    int running;
    FILE *out;            /* CLI_JOB_STDOUT: standard output ("-") or the FIFO/terminal named */
    cli_resume *resume;   /* cp --resume of a file upload */
    cli_dresume *dresume; /* cp --resume of a download */
} job;

struct cli_jobs {
    cli *c;
    job *v;
    size_t n, cap;
    size_t next, running;
    unsigned parallel;
    uint64_t bytes;
    cli_progress prog;
    cli_json json; /* the --json document */
    int resume;    /* cli_jobs_set_resume() */
    const char *resume_dir;
    uint64_t resume_part_size;  /* fs.oss.multipart.upload.size */
    uint64_t dresume_part_size; /* fs.oss.multipart.download.size */
};

cli_jobs *cli_jobs_new(cli *c, unsigned parallel)
{
    cli_jobs *js = calloc(1, sizeof(*js));
    if (js != NULL) {
        js->c = c;
        js->parallel = parallel > 0 ? parallel : 1;
    }
    return js;
}

int cli_jobs_add(cli_jobs *js, cli_job_kind kind, const char *src, const char *dst, uint64_t size)
{
    if (js->n == js->cap) {
        size_t cap = js->cap ? js->cap * 2 : 16;
        job *v = realloc(js->v, cap * sizeof(*v));
        if (v == NULL) {
            return -1;
        }
        js->v = v;
        js->cap = cap;
    }
    job *j = &js->v[js->n];
    memset(j, 0, sizeof(*j));
    j->kind = kind;
    j->src = strdup(src);
    j->dst = strdup(dst);
    j->size = size;
    if (j->src == NULL || j->dst == NULL) {
        free(j->src);
        free(j->dst);
        return -1;
    }
    js->n++;
    return 0;
}

void cli_jobs_set_resume(cli_jobs *js, const char *dir, uint64_t up_part, uint64_t down_part)
{
    js->resume = 1;
    js->resume_dir = dir;
    js->resume_part_size = up_part;
    js->dresume_part_size = down_part;
}

size_t cli_jobs_count(const cli_jobs *js)
{
    return js->n;
}

void cli_jobs_free(cli_jobs *js)
{
    if (js == NULL) {
        return;
    }
    for (size_t i = 0; i < js->n; i++) {
        free(js->v[i].src);
        free(js->v[i].dst);
    }
    free(js->v);
    free(js);
}

static const char *remote_of(const job *j)
{
    return j->kind == CLI_JOB_UPLOAD || j->kind == CLI_JOB_STDIN ? j->dst : j->src;
}

/* One entry of the --json "transfers" array. */
static void record(job *j, const ossio_result *res, uint64_t bytes)
{
    cli_jobs *js = j->js;
    if (!js->c->json) {
        return;
    }
    FILE *f = stdout;
    cli_json o;
    if (js->json.fields++ > 0) {
        fputc(',', f);
    }
    cli_json_begin(&o, f);
    cli_json_str(&o, "src", j->src);
    cli_json_str(&o, "dst", j->dst);
    cli_json_u64(&o, "bytes", bytes);
    cli_json_str(&o, "status", res->status == OSSIO_OK ? "ok" : ossio_status_name(res->status));
    cli_json_str(&o, "checksum", res->checksum); /* what was compared; null: nothing */
    if (res->status != OSSIO_OK) {
        cli_json_str(&o, "code", res->code);
        cli_json_str(&o, "message", res->code ? res->message : res->detail);
        cli_json_str(&o, "request_id", res->request_id);
    }
    cli_json_end(&o);
}

static void start_next(cli_jobs *js);

static void finish(job *j, const ossio_result *res, uint64_t bytes)
{
    cli_jobs *js = j->js;
    cli *c = js->c;
    j->running = 0;
    j->t = NULL;
    j->op = NULL;
    js->running--;
    c->pending--;
    js->bytes += bytes;
    js->prog.files_done++;
    js->prog.in_flight = (unsigned)js->running;
    char why[1200];
    int resume_says = (j->resume != NULL && cli_resume_end(j->resume, res, why, sizeof(why))) ||
                      (j->dresume != NULL && cli_dresume_end(j->dresume, res, why, sizeof(why)));
    cli_resume_free(j->resume);
    j->resume = NULL;
    cli_dresume_free(j->dresume);
    j->dresume = NULL;
    if (res->status != OSSIO_OK || resume_says) {
        cli_progress_finish(&js->prog); /* the error line goes below the bar */
        js->prog.drawn = 0;
        if (resume_says) {
            cli_fail_status(c, j->src, res->status != OSSIO_OK ? res->status : OSSIO_EIO, why);
        } else if (j->write_failed) {
            cli_fail_status(c, j->src, OSSIO_EIO,
                            j->out == stdout ? "cannot write standard output"
                                             : "cannot write the destination");
        } else if (j->in.failed) {
            cli_fail_status(c, j->dst, OSSIO_EIO, "cannot read standard input");
        } else {
            cli_fail(c, remote_of(j), res);
        }
    }
    record(j, res, bytes);
    cli_stdin_stop(&j->in);
    if (j->out != NULL && j->out != stdout) {
        fclose(j->out);
    }
    j->out = NULL;
    cli_progress_draw(&js->prog, 0);
    start_next(js);
}

static void on_transfer_done(ossio_transfer *t, const ossio_result *res, void *ud)
{
    finish(ud, res, ossio_transfer_bytes(t));
}

static void on_copy_done(ossio_op *op, const ossio_result *res, void *ud)
{
    job *j = ud;
    const ossio_object_info *info = ossio_op_object(op);
    uint64_t bytes =
        res->status == OSSIO_OK ? (info != NULL && info->size ? info->size : j->size) : 0;
    j->js->prog.done += bytes;
    finish(j, res, bytes);
}

static void on_progress(ossio_transfer *t, uint64_t done, uint64_t total, void *ud)
{
    job *j = ud;
    cli_progress *p = &j->js->prog;
    p->done += done - j->seen_done;
    if (total > j->seen_total) {
        p->total += total - j->seen_total;
        j->seen_total = total;
    }
    j->seen_done = done;
    p->parts = ossio_transfer_parts(t);
    cli_progress_draw(p, 0);
}

static int on_stream(ossio_transfer *t, const uint8_t *data, size_t len, void *ud)
{
    (void)t;
    job *j = ud;
    if (fwrite(data, 1, len, j->out) != len) {
        j->write_failed = 1;
        return 1;
    }
    return 0;
}

/* mkdir -p of |path|'s parent directories. */
static int make_parents(const char *path)
{
    char *p = strdup(path);
    if (p == NULL) {
        return -1;
    }
    for (char *s = strchr(p + 1, '/'); s != NULL; s = strchr(s + 1, '/')) {
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            free(p);
            return -1;
        }
        *s = '/';
    }
    free(p);
    return 0;
}

static void on_writable(ossio_transfer *t, void *ud)
{
    (void)t;
    job *j = ud;
    cli_stdin_resume(&j->in);
}

static void drop_resume(job *j)
{
    cli_resume_free(j->resume);
    j->resume = NULL;
    cli_dresume_free(j->dresume);
    j->dresume = NULL;
}

/* Sets up and submits |j|'s transfer or copy; a failure before submit is
 * reported at once. */
static ossio_status submit(job *j, char *why, size_t why_len)
{
    ossio_client *cl = j->js->c->client;
    ossio_status st;
    why[0] = '\0';
    if (j->kind == CLI_JOB_COPY) {
        st = ossio_op_new(&j->op, cl, OSSIO_OP_COPY, j->dst);
        if (st == OSSIO_OK) {
            st = ossio_op_set_copy_source(j->op, j->src);
        }
        if (st == OSSIO_OK) {
            return ossio_op_submit(j->op, on_copy_done, j);
        }
        snprintf(why, why_len, "%s", ossio_client_error(cl));
        ossio_op_free(j->op);
        return st;
    }
    int up = j->kind == CLI_JOB_UPLOAD || j->kind == CLI_JOB_STDIN;
    st = up ? ossio_upload_new(&j->t, cl, j->dst) : ossio_download_new(&j->t, cl, j->src);
    if (st != OSSIO_OK) {
        snprintf(why, why_len, "%s", ossio_client_error(cl));
        return st;
    }
    switch (j->kind) {
    case CLI_JOB_UPLOAD:
        st = ossio_transfer_from_file(j->t, j->src);
        if (st == OSSIO_OK && j->js->resume) {
            st = cli_resume_begin(&j->resume, j->js->c->loop, j->t, j->src, j->dst,
                                  j->js->resume_dir, j->js->resume_part_size, why, why_len);
        }
        break;
    case CLI_JOB_STDIN:
        st = ossio_transfer_from_push(j->t);
        ossio_transfer_set_writable(j->t, on_writable, j);
        (void)ossio_transfer_set_push_queue(j->t, 2); /* run at most 2 parts ahead */
        break;
    case CLI_JOB_DOWNLOAD:
        if (make_parents(j->dst) != 0) {
            snprintf(why, why_len, "cannot create the directories of %s: %s", j->dst,
                     strerror(errno));
            st = OSSIO_EIO;
        } else if (j->js->resume) {
            st = cli_dresume_begin(&j->dresume, j->js->c->loop, j->t, j->src, j->dst,
                                   j->js->resume_dir, j->js->dresume_part_size, why, why_len);
        } else {
            st = ossio_transfer_to_file(j->t, j->dst);
        }
        break;
    default:
        if (j->js->resume) {
            snprintf(why, why_len, "--resume downloads to a regular file only");
            st = OSSIO_EINVAL;
            break;
        }
        /* A FIFO or a terminal named as destination is written like standard
         * output (the library refuses paths it cannot seek). */
        j->out = strcmp(j->dst, "-") == 0 ? stdout : fopen(j->dst, "wb");
        if (j->out == NULL) {
            snprintf(why, why_len, "cannot open %s: %s", j->dst, strerror(errno));
            st = OSSIO_EIO;
        } else {
            st = ossio_transfer_to_stream(j->t, on_stream, j);
        }
        break;
    }
    if (st == OSSIO_OK) {
        ossio_transfer_set_progress(j->t, on_progress, j);
        st = ossio_transfer_submit(j->t, on_transfer_done, j);
        if (st == OSSIO_OK && j->kind == CLI_JOB_STDIN &&
            cli_stdin_start(&j->in, j->js->c->loop, j->t) != 0) {
            j->in.failed = 1;
            ossio_transfer_cancel(j->t); /* completes through on_transfer_done */
        }
        if (st != OSSIO_OK) {
            drop_resume(j);
        }
        return st;
    }
    ossio_transfer_free(j->t);
    j->t = NULL;
    drop_resume(j);
    return st;
}

static void start_next(cli_jobs *js)
{
    cli *c = js->c;
    while (!c->interrupted && js->running < js->parallel && js->next < js->n) {
        job *j = &js->v[js->next++];
        j->js = js;
        char why[600];
        ossio_status st = submit(j, why, sizeof(why));
        if (st != OSSIO_OK) {
            cli_fail_status(c, j->kind == CLI_JOB_UPLOAD ? j->src : remote_of(j), st, why);
            ossio_result res = {.status = st, .detail = why};
            record(j, &res, 0);
            continue;
        }
        j->running = 1;
        js->running++;
        c->pending++;
        js->prog.in_flight = (unsigned)js->running;
    }
}

static void cancel_all(cli *c)
{
    cli_jobs *js = c->cmd_state;
    for (size_t i = 0; i < js->next; i++) {
        job *j = &js->v[i];
        if (j->running && j->t != NULL) {
            ossio_transfer_cancel(j->t);
        } else if (j->running && j->op != NULL) {
            ossio_op_cancel(j->op);
        }
    }
}

int cli_jobs_run(cli_jobs *js)
{
    cli *c = js->c;
    if (cli_client(c) == NULL) {
        return c->rc;
    }
    int to_stdout = 0;
    for (size_t i = 0; i < js->n; i++) {
        to_stdout |= js->v[i].kind == CLI_JOB_STDOUT;
    }
    cli_progress_init(&js->prog, c, to_stdout);
    for (size_t i = 0; i < js->n; i++) {
        js->prog.total += js->v[i].size; /* known sizes up front; the rest as learnt */
        js->v[i].seen_total = js->v[i].size;
    }
    js->prog.files_total = (unsigned)js->n;
    if (c->json && !to_stdout) {
        fputs("{\"command\":", stdout);
        cli_json_string(stdout, c->command->name);
        fputs(",\"transfers\":[", stdout);
    }
    int json = c->json;
    c->json = json && !to_stdout; /* the object's bytes are the output */
    c->cmd_state = js;
    c->on_interrupt = cancel_all;
    double t0 = ev_time();
    start_next(js);
    cli_run(c);
    cli_progress_finish(&js->prog);
    if (c->json) {
        fprintf(stdout, "],\"bytes\":%llu,\"seconds\":%.3f}\n", (unsigned long long)js->bytes,
                ev_time() - t0);
    }
    c->json = json;
    c->on_interrupt = NULL;
    return c->interrupted ? CLI_EINTR : c->rc;
}

/*
 * flink_text: the job Flink users run on oss:// paths, done with ossio —
 *
 *   env.readTextFile("oss://…/data-m-00049").setParallelism(4)   → print, count
 *   dataSet.writeAsText("oss://…/data-m-00049.1")                → read back, count
 *
 * configured as Flink is: a flink-conf.yaml with fs.oss.endpoint,
 * fs.oss.accessKeyId and fs.oss.accessKeySecret.
 *
 *   flink_text --config flink-conf.yaml [-p 4] [--upload FILE] [--overwrite] oss://bucket/path/obj
 *
 * With --upload, FILE is first uploaded to the object. The output is written
 * in Flink's default mode, NO_OVERWRITE (an existing output fails with
 * OSSIO_EEXISTS), or OVERWRITE with --overwrite. Uses the public API only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ossio.h>

typedef struct row {
    unsigned split;
    size_t seq; /* arrival order within the split */
    char *text;
    size_t len;
} row;

typedef struct job {
    ossio_client *cl;
    row *rows;
    size_t n, cap;
    size_t splits;
    const char *protocol;
    ossio_status st;
    int failed;
} job;

static void fail(const char *what, const ossio_result *r)
{
    fprintf(stderr, "flink_text: %s: %s%s%s%s%s\n", what, ossio_strerror(r->status),
            r->code ? ": " : "", r->code ? r->code : "", r->detail && *r->detail ? ": " : "",
            r->detail ? r->detail : "");
}

/* ---- readTextFile ---- */

static int on_records(const ossio_split *s, const ossio_record *recs, size_t n, void *ud)
{
    job *j = ud;
    for (size_t i = 0; i < n; i++) {
        if (j->n == j->cap) {
            size_t cap = j->cap ? j->cap * 2 : 64;
            row *v = realloc(j->rows, cap * sizeof(*v));
            if (v == NULL) {
                return 1;
            }
            j->rows = v;
            j->cap = cap;
        }
        row *r = &j->rows[j->n];
        r->split = s->index;
        r->seq = j->n++;
        r->len = recs[i].len;
        r->text = malloc(recs[i].len + 1); /* records are ossio's until we return */
        if (r->text == NULL) {
            return 1;
        }
        memcpy(r->text, recs[i].data, recs[i].len);
        r->text[recs[i].len] = '\0';
    }
    return 0;
}

static void read_done(ossio_text_reader *r, const ossio_result *res, void *ud)
{
    job *j = ud;
    j->st = res->status;
    j->splits = ossio_text_reader_splits(r);
    j->protocol = res->protocol;
    if (res->status != OSSIO_OK) {
        fail("readTextFile", res);
    }
}

/* Split order, then arrival order: the order Flink's sources would emit them in. */
static int by_split(const void *a, const void *b)
{
    const row *x = a, *y = b;
    if (x->split != y->split) {
        return x->split < y->split ? -1 : 1;
    }
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void free_rows(job *j)
{
    for (size_t i = 0; i < j->n; i++) {
        free(j->rows[i].text);
    }
    free(j->rows);
    j->rows = NULL;
    j->n = j->cap = 0;
}

static int read_text(job *j, const char *uri, unsigned parallelism)
{
    ossio_text_reader *r;
    ossio_status st = ossio_text_reader_new(&r, j->cl, uri, parallelism);
    if (st != OSSIO_OK) {
        fprintf(stderr, "flink_text: %s: %s\n", uri, ossio_client_error(j->cl));
        return -1;
    }
    ossio_text_reader_set_callbacks(r, on_records, j);
    ossio_text_reader_submit(r, read_done, j);
    ossio_client_run(j->cl);
    if (j->st != OSSIO_OK) {
        return -1;
    }
    qsort(j->rows, j->n, sizeof(row), by_split);
    return 0;
}

/* ---- upload and writeAsText ---- */

static void upload_done(ossio_transfer *t, const ossio_result *res, void *ud)
{
    job *j = ud;
    j->st = res->status;
    if (res->status != OSSIO_OK) {
        fail("upload", res);
    } else {
        printf("   %llu bytes, CRC-64 %llu, %u part(s)\n",
               (unsigned long long)ossio_transfer_bytes(t),
               (unsigned long long)ossio_transfer_crc64(t), ossio_transfer_parts(t));
    }
}

static int upload(job *j, const char *file, const char *uri)
{
    ossio_transfer *t;
    if (ossio_upload_new(&t, j->cl, uri) != OSSIO_OK) {
        fprintf(stderr, "flink_text: %s: %s\n", uri, ossio_client_error(j->cl));
        return -1;
    }
    ossio_transfer_from_file(t, file);
    ossio_transfer_submit(t, upload_done, j);
    ossio_client_run(j->cl);
    return j->st == OSSIO_OK ? 0 : -1;
}

static void write_done(ossio_text_writer *w, const ossio_result *res, void *ud)
{
    job *j = ud;
    j->st = res->status;
    if (res->status != OSSIO_OK) {
        fail("writeAsText", res);
    } else {
        printf("   %llu records, %llu bytes, CRC-64 %llu\n",
               (unsigned long long)ossio_text_writer_records(w),
               (unsigned long long)ossio_text_writer_bytes(w),
               (unsigned long long)ossio_text_writer_crc64(w));
    }
}

static int write_text(job *j, const char *uri, ossio_write_mode mode)
{
    ossio_text_writer *w;
    if (ossio_text_writer_open(&w, j->cl, uri, mode) != OSSIO_OK) {
        fprintf(stderr, "flink_text: %s: %s\n", uri, ossio_client_error(j->cl));
        return -1;
    }
    for (size_t i = 0; i < j->n; i++) {
        ossio_status st;
        while ((st = ossio_text_writer_write(w, j->rows[i].text, j->rows[i].len)) == OSSIO_EAGAIN) {
            ossio_client_run(j->cl); /* the memory budget is full: let parts leave */
        }
        if (st != OSSIO_OK) {
            break; /* close reports the failure */
        }
    }
    ossio_text_writer_close(w, write_done, j);
    ossio_client_run(j->cl);
    return j->st == OSSIO_OK ? 0 : -1;
}

static int usage(void)
{
    fprintf(stderr, "usage: flink_text --config flink-conf.yaml [-p N] [--upload FILE] "
                    "[--overwrite] oss://bucket/path/object\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *conf = NULL, *file = NULL, *uri = NULL;
    unsigned parallelism = 4;
    ossio_write_mode mode = OSSIO_NO_OVERWRITE;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            conf = argv[++i];
        } else if (strcmp(argv[i], "--upload") == 0 && i + 1 < argc) {
            file = argv[++i];
        } else if (strcmp(argv[i], "--overwrite") == 0) {
            mode = OSSIO_OVERWRITE;
        } else if (strcmp(argv[i], "-p") == 0 && i + 1 < argc) {
            parallelism = (unsigned)atoi(argv[++i]);
        } else if (uri == NULL && argv[i][0] != '-') {
            uri = argv[i];
        } else {
            return usage();
        }
    }
    if (conf == NULL || uri == NULL || parallelism == 0) {
        return usage();
    }
    ossio_config *cfg = ossio_config_new();
    ossio_status st = ossio_config_load_flink(cfg, conf);
    if (st == OSSIO_OK) {
        st = ossio_config_load_env(cfg);
    }
    if (st != OSSIO_OK) {
        fprintf(stderr, "flink_text: %s: %s: %s\n", conf, ossio_strerror(st),
                ossio_config_error(cfg));
        ossio_config_free(cfg);
        return 1;
    }
    job j;
    memset(&j, 0, sizeof(j));
    st = ossio_client_new(&j.cl, cfg, NULL);
    ossio_config_free(cfg);
    if (st != OSSIO_OK) {
        fprintf(stderr, "flink_text: %s\n", ossio_strerror(st));
        return 1;
    }
    char out[2048];
    snprintf(out, sizeof(out), "%s.1", uri);
    int rc = 1;
    int step = 1;
    if (file != NULL) {
        printf("%d. upload %s -> %s\n", step++, file, uri);
        if (upload(&j, file, uri) != 0) {
            goto done;
        }
    }
    printf("%d. readTextFile(\"%s\"), parallelism %u\n", step++, uri, parallelism);
    if (read_text(&j, uri, parallelism) != 0) {
        goto done;
    }
    printf("   %zu splits; the rows, in split order:\n", j.splits);
    for (size_t i = 0; i < j.n; i++) {
        printf("   [split %u] %s\n", j.rows[i].split, j.rows[i].text);
    }
    printf("count = %zu\n", j.n);
    printf("%d. writeAsText(\"%s\")\n", step++, out);
    if (write_text(&j, out, mode) != 0) {
        goto done;
    }
    free_rows(&j);
    printf("%d. readTextFile(\"%s\"), parallelism %u\n", step++, out, parallelism);
    if (read_text(&j, out, parallelism) != 0) {
        goto done;
    }
    printf("count = %zu\n", j.n);
    printf("ossio: %s, %llu connection(s) opened, %llu requests, %llu bytes received, %llu bytes "
           "sent\n",
           j.protocol ? j.protocol : "?",
           (unsigned long long)ossio_client_stat(j.cl, OSSIO_STAT_CONNECTIONS_OPENED),
           (unsigned long long)ossio_client_stat(j.cl, OSSIO_STAT_REQUESTS_DONE),
           (unsigned long long)ossio_client_stat(j.cl, OSSIO_STAT_BYTES_RECEIVED),
           (unsigned long long)ossio_client_stat(j.cl, OSSIO_STAT_BYTES_SENT));
    rc = 0;
done:
    free_rows(&j);
    ossio_client_destroy(j.cl);
    return rc;
}

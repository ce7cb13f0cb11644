/* The operations the allocation-failure sweep runs (tests/alloc/): each
 * returns SC_OK, SC_NAMED (ended with a named error) or SC_WRONG (a wrong
 * answer, an unnamed status or something left behind). */
#include "scenarios.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char sc_last_detail[512];

/* Bookkeeping of one run. */
typedef struct run {
    int pending;
    ossio_status st;
    uint64_t crc;
    uint64_t n; /* entries, records, bytes: what the scenario counts */
    ossio_written written;
    ossio_client *cl;
    char detail[200];
} run;

static void note(run *r, const ossio_result *res)
{
    r->pending--;
    if (r->st == OSSIO_OK && res->status != OSSIO_OK) {
        r->st = res->status;
        snprintf(r->detail, sizeof(r->detail), "%s", res->detail ? res->detail : "");
    }
    if (res->status == OSSIO_OK && res->http_status >= 300) {
        r->st = OSSIO_EHTTP; /* an operation's server error */
    }
}

/* SC_NAMED for a status ossio can name, else SC_WRONG. */
static int named(ossio_status st, const char *what)
{
    if (ossio_status_name(st) == NULL) {
        fprintf(stderr, "%s: unnamed status %d\n", what, (int)st);
        return SC_WRONG;
    }
    return SC_NAMED;
}

/* ---- download: a multipart download into a buffer ---- */

static void on_transfer(ossio_transfer *t, const ossio_result *res, void *ud)
{
    run *r = ud;
    note(r, res);
    r->crc = ossio_transfer_crc64(t);
    r->n = ossio_transfer_bytes(t);
    r->written = res->written;
}

int sc_download(ossio_client *cl, const sc_fixture *fx)
{
    static uint8_t *buf;
    if (buf == NULL) {
        buf = malloc(fx->big_len); /* before arming: not the library's */
    }
    ossio_transfer *t = NULL;
    ossio_status st = ossio_download_new(&t, cl, fx->big_uri);
    if (st == OSSIO_OK) {
        st = ossio_transfer_to_buffer(t, buf, fx->big_len);
    }
    run r = {1, OSSIO_OK, 0, 0, 0};
    if (st == OSSIO_OK) {
        st = ossio_transfer_submit(t, on_transfer, &r);
    }
    if (st != OSSIO_OK) {
        ossio_transfer_free(t);
        return named(st, "download setup");
    }
    ossio_client_run(cl); /* a submitted transfer is freed by ossio after |done| */
    if (r.st != OSSIO_OK) {
        return named(r.st, "download");
    }
    if (r.n != fx->big_len || ossio_crc64(0, buf, fx->big_len) != fx->big_crc) {
        fprintf(stderr, "download: success with wrong bytes\n");
        return SC_WRONG;
    }
    return SC_OK;
}

/* ---- upload: a multipart upload from a buffer ---- */

int sc_upload(ossio_client *cl, const sc_fixture *fx)
{
    ossio_transfer *t = NULL;
    ossio_status st = ossio_upload_new(&t, cl, fx->up_uri);
    if (st == OSSIO_OK) {
        st = ossio_transfer_from_buffer(t, fx->big, fx->big_len);
    }
    run r = {1, OSSIO_OK, 0, 0, 0};
    if (st == OSSIO_OK) {
        st = ossio_transfer_submit(t, on_transfer, &r);
    }
    if (st != OSSIO_OK) {
        ossio_transfer_free(t);
        return named(st, "upload setup");
    }
    ossio_client_run(cl); /* a submitted transfer is freed by ossio after |done| */
    if (r.st != OSSIO_OK) {
        if (getenv("OSSIO_ALLOC_VERBOSE") != NULL) {
            fprintf(stderr, "upload: %s (%s), written %d\n", ossio_status_name(r.st), r.detail,
                    (int)r.written);
        }
        snprintf(sc_last_detail, sizeof(sc_last_detail), "%s", r.detail);
        return named(r.st, "upload");
    }
    return r.crc == fx->big_crc ? SC_OK : SC_WRONG;
}

/* ---- listing: every page of a prefix ---- */

static int on_entry(ossio_op *op, const ossio_list_entry *e, void *ud)
{
    (void)op;
    (void)e;
    ((run *)ud)->n++;
    return 0;
}

static void on_op(ossio_op *op, const ossio_result *res, void *ud)
{
    (void)op;
    note(ud, res);
}

int sc_list(ossio_client *cl, const sc_fixture *fx)
{
    ossio_op *op = NULL;
    ossio_status st = ossio_op_new(&op, cl, OSSIO_OP_LIST, fx->list_uri);
    if (st == OSSIO_OK) {
        st = ossio_op_set_list(op, NULL, 2, NULL);
    }
    run r = {1, OSSIO_OK, 0, 0, 0};
    if (st == OSSIO_OK) {
        ossio_op_set_callbacks(op, NULL, on_entry, &r);
        st = ossio_op_submit(op, on_op, &r);
    }
    if (st != OSSIO_OK) {
        ossio_op_free(op);
        return named(st, "list setup");
    }
    ossio_client_run(cl);
    if (r.st != OSSIO_OK) {
        return named(r.st, "list");
    }
    if (r.n != fx->list_count) {
        fprintf(stderr, "list: success with %llu entries, not %u\n", (unsigned long long)r.n,
                fx->list_count);
        return SC_WRONG;
    }
    return SC_OK;
}

/* ---- split read: plan a text object into splits, read every one ---- */

static int on_records(const ossio_split *sp, const ossio_record *recs, size_t n, void *ud)
{
    (void)sp;
    (void)recs;
    ((run *)ud)->n += n;
    return 0;
}

static void on_split(ossio_split_reader *rd, const ossio_result *res, void *ud)
{
    (void)rd;
    note(ud, res);
}

static void on_plan(ossio_split_plan *plan, const ossio_result *res, void *ud)
{
    run *r = ud;
    note(r, res);
    if (res->status != OSSIO_OK) {
        return;
    }
    for (size_t i = 0; i < ossio_split_plan_count(plan) && r->st == OSSIO_OK; i++) {
        ossio_split_reader *rd = NULL;
        ossio_status st = ossio_split_reader_new(&rd, r->cl, ossio_split_plan_get(plan, i));
        if (st == OSSIO_OK) {
            ossio_split_reader_set_callbacks(rd, on_records, r);
            st = ossio_split_reader_submit(rd, on_split, r);
        }
        if (st != OSSIO_OK) {
            ossio_split_reader_free(rd);
            r->st = st;
        } else {
            r->pending++;
        }
    }
    ossio_split_plan_free(plan);
}

int sc_split(ossio_client *cl, const sc_fixture *fx)
{
    run r = {1, OSSIO_OK, 0, 0, 0};
    r.cl = cl;
    ossio_status st = ossio_splits_plan(cl, fx->text_uri, 3, on_plan, &r);
    if (st != OSSIO_OK) {
        return named(st, "split plan");
    }
    ossio_client_run(cl);
    if (r.st != OSSIO_OK) {
        return named(r.st, "split read");
    }
    if (r.n != fx->text_lines) {
        fprintf(stderr, "split read: success with %llu records, not %u\n", (unsigned long long)r.n,
                fx->text_lines);
        return SC_WRONG;
    }
    return SC_OK;
}

/* ---- text write: records through a push upload ---- */

static void on_written(ossio_text_writer *w, const ossio_result *res, void *ud)
{
    run *r = ud;
    note(r, res);
    r->n = ossio_text_writer_bytes(w);
}

int sc_text_write(ossio_client *cl, const sc_fixture *fx)
{
    ossio_text_writer *w = NULL;
    ossio_status st = ossio_text_writer_open(&w, cl, fx->out_uri, OSSIO_OVERWRITE);
    if (st != OSSIO_OK) {
        return named(st, "text writer open");
    }
    char line[64];
    for (unsigned i = 0; i < fx->text_lines && st == OSSIO_OK; i++) {
        int len = snprintf(line, sizeof(line), "record %u of the allocation sweep", i);
        st = ossio_text_writer_write(w, line, (size_t)len);
    }
    run r = {1, OSSIO_OK, 0, 0, 0};
    ossio_status cst = ossio_text_writer_close(w, on_written, &r);
    ossio_client_run(cl);
    if (cst != OSSIO_OK || st != OSSIO_OK || r.st != OSSIO_OK) {
        return named(r.st != OSSIO_OK ? r.st : cst != OSSIO_OK ? cst : st, "text write");
    }
    return SC_OK;
}

/* Object operations end to end against the local endpoint, over HTTP/2 and
 * HTTP/1.1, signed with OSS V1, OSS V4 and AWS SigV4 (s3 dialect); errors
 * with the server's fields; faults retried to success or reported named. */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../transport/test_support.h"

typedef struct opres {
    int done;
    ossio_status st;
    int http;
    char code[64], request_id[64], host_id[256], ec[64], detail[512];
    unsigned retries;
    uint8_t *data;
    size_t len, cap;
    ossio_object_info info;
    char etag[128];
    char upload_id[256];
    int entries, prefixes;
    char first_key[256];
} opres;

static int op_data(ossio_op *op, const uint8_t *d, size_t n, void *ud)
{
    (void)op;
    opres *r = ud;
    if (r->len + n > r->cap) {
        r->cap = (r->len + n) * 2;
        r->data = realloc(r->data, r->cap);
    }
    memcpy(r->data + r->len, d, n);
    r->len += n;
    return 0;
}

static int op_entry(ossio_op *op, const ossio_list_entry *e, void *ud)
{
    (void)op;
    opres *r = ud;
    if (e->is_prefix) {
        r->prefixes++;
    } else {
        r->entries++;
    }
    if (r->first_key[0] == '\0') {
        snprintf(r->first_key, sizeof(r->first_key), "%s", e->key);
    }
    return 0;
}

static void op_done(ossio_op *op, const ossio_result *res, void *ud)
{
    opres *r = ud;
    r->done++;
    r->st = res->status;
    r->http = res->http_status;
    r->retries = res->retries;
    snprintf(r->code, sizeof(r->code), "%s", res->code ? res->code : "");
    snprintf(r->request_id, sizeof(r->request_id), "%s", res->request_id ? res->request_id : "");
    snprintf(r->host_id, sizeof(r->host_id), "%s", res->host_id ? res->host_id : "");
    snprintf(r->ec, sizeof(r->ec), "%s", res->ec ? res->ec : "");
    snprintf(r->detail, sizeof(r->detail), "%s", res->detail ? res->detail : "");
    const ossio_object_info *info = ossio_op_object(op);
    if (info != NULL) {
        r->info = *info;
        snprintf(r->etag, sizeof(r->etag), "%s", info->etag);
        r->info.etag = r->etag;
    }
    if (ossio_op_upload_id(op) != NULL) {
        snprintf(r->upload_id, sizeof(r->upload_id), "%s", ossio_op_upload_id(op));
    }
}

/* A client for one transport × signature combination. */
typedef struct combo {
    const char *name;
    const char *port; /* endpoint.env port name */
    const char *sig;  /* v1, v4, s3 */
    int vhost;        /* virtual-hosted <bucket>.oss.localhost instead of path-style */
    int list_v1;      /* fs.oss.list.version=1 */
} combo;

static ossio_client *client_for(const combo *c, const char *secret)
{
    char endpoint[128], pin[160];
    int vhost = c->vhost;
    snprintf(endpoint, sizeof(endpoint), "https://%s:%d", vhost ? ep("ENDPOINT_HOST") : "localhost",
             ep_port(c->port));
    /* <bucket>.oss.localhost is pinned to loopback, as users pin names with --resolve. */
    snprintf(pin, sizeof(pin), "%s.%s:%d:127.0.0.1", ep("BUCKET"), ep("ENDPOINT_HOST"),
             ep_port(c->port));
    int s3 = strcmp(c->sig, "s3") == 0;
    return client_with(NULL, "fs.oss.endpoint", endpoint, "fs.oss.accessKeyId", ep("ACCESS_KEY_ID"),
                       "fs.oss.accessKeySecret", secret ? secret : ep("ACCESS_KEY_SECRET"),
                       "fs.oss.signature.version", s3 ? "v1" : c->sig, "fs.oss.dialect",
                       s3 ? "s3" : "oss", "fs.oss.region", ep("REGION"), "fs.oss.path.style.access",
                       vhost ? "false" : "true", "fs.oss.connection.resolve", pin,
                       "fs.oss.list.version", c->list_v1 ? "1" : "2", NULL);
}

static char uri_buf[2048];
static const char *uri(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = snprintf(uri_buf, sizeof(uri_buf), "oss://%s/", ep("BUCKET"));
    vsnprintf(uri_buf + n, sizeof(uri_buf) - (size_t)n, fmt, ap);
    va_end(ap);
    return uri_buf;
}

/* Runs one operation to completion; |setup| may configure it. */
static opres run(ossio_client *cl, ossio_op_kind kind, const char *u,
                 void (*setup)(ossio_op *, void *), void *arg)
{
    opres r;
    memset(&r, 0, sizeof(r));
    ossio_op *op = NULL;
    ossio_status st = ossio_op_new(&op, cl, kind, u);
    if (st != OSSIO_OK) {
        r.done = 1;
        r.st = st;
        snprintf(r.detail, sizeof(r.detail), "%s", ossio_client_error(cl));
        return r;
    }
    ossio_op_set_callbacks(op, op_data, op_entry, &r);
    if (setup != NULL) {
        setup(op, arg);
    }
    assert_int_equal(ossio_op_submit(op, op_done, &r), OSSIO_OK);
    assert_int_equal(r.done, 0);
    ossio_client_run(cl);
    assert_int_equal(r.done, 1);
    return r;
}

#define OK(r)                                                                                      \
    do {                                                                                           \
        if ((r).st != OSSIO_OK) {                                                                  \
            fail_msg("%s: %s (%s)", #r, ossio_status_name((r).st), (r).detail);                    \
        }                                                                                          \
    } while (0)

static uint8_t blob[300 * 1024];

typedef struct body_arg {
    const void *p;
    size_t n;
} body_arg;
static void set_body(ossio_op *op, void *arg)
{
    body_arg *b = arg;
    ossio_op_set_body(op, b->p, b->n);
    ossio_op_set_header(op, "Content-Type", "application/octet-stream");
    ossio_op_set_header(op, "x-oss-meta-owner", "ossio-test");
}
static void set_range(ossio_op *op, void *arg)
{
    (void)arg;
    ossio_op_set_range(op, 1000, 5000);
}
static void set_delim(ossio_op *op, void *arg)
{
    (void)arg;
    ossio_op_set_list(op, "/", 2, NULL); /* 2 per page: exercises paging */
}
static void set_copy(ossio_op *op, void *arg)
{
    ossio_op_set_copy_source(op, arg);
}
typedef struct part_arg {
    const char *upload_id;
    uint32_t n;
    const void *p;
    size_t len;
    const char *etags[3];
} part_arg;
static void set_part(ossio_op *op, void *arg)
{
    part_arg *a = arg;
    ossio_op_set_upload(op, a->upload_id, a->n);
    if (a->p != NULL) {
        ossio_op_set_body(op, a->p, a->len);
    }
}
static void set_complete(ossio_op *op, void *arg)
{
    part_arg *a = arg;
    ossio_op_set_upload(op, a->upload_id, 0);
    for (uint32_t i = 0; i < a->n; i++) {
        ossio_op_add_part(op, i + 1, a->etags[i]);
    }
}
static void add_keys(ossio_op *op, void *arg)
{
    char **keys = arg;
    for (int i = 0; keys[i] != NULL; i++) {
        ossio_op_add_key(op, keys[i]);
    }
}

static void scenario(const combo *c)
{
    ossio_client *cl = client_for(c, NULL);
    char base[256];
    snprintf(base, sizeof(base), "ops/%d/%s/", (int)getpid(), c->name);
    char key[512], key2[512];
    snprintf(key, sizeof(key), "%sdir/a b+c~ü=&.bin", base);
    uint64_t want_crc = ossio_crc64(0, blob, sizeof(blob));

    body_arg body = {blob, sizeof(blob)};
    opres put = run(cl, OSSIO_OP_PUT, uri("%s", key), set_body, &body);
    OK(put);
    assert_int_equal(put.http, 200);
    assert_true(put.info.has_crc64);
    assert_true(put.info.crc64 == want_crc);

    opres head = run(cl, OSSIO_OP_HEAD, uri("%s", key), NULL, NULL);
    OK(head);
    assert_int_equal(head.info.size, sizeof(blob));
    assert_true(head.info.crc64 == want_crc);

    opres get = run(cl, OSSIO_OP_GET, uri("%s", key), NULL, NULL);
    OK(get);
    assert_int_equal(get.len, sizeof(blob));
    assert_memory_equal(get.data, blob, sizeof(blob));
    free(get.data);

    opres part = run(cl, OSSIO_OP_GET, uri("%s", key), set_range, NULL);
    OK(part);
    assert_int_equal(part.http, 206);
    assert_int_equal(part.len, 5000);
    assert_memory_equal(part.data, blob + 1000, 5000);
    assert_int_equal(part.info.size, sizeof(blob));
    free(part.data);

    snprintf(key2, sizeof(key2), "%sdir/copy.bin", base);
    char src[1200];
    snprintf(src, sizeof(src), "oss://%s/%s", ep("BUCKET"), key);
    opres copy = run(cl, OSSIO_OP_COPY, uri("%s", key2), set_copy, src);
    OK(copy);
    opres got2 = run(cl, OSSIO_OP_GET, uri("%s", key2), NULL, NULL);
    OK(got2);
    assert_int_equal(got2.len, sizeof(blob));
    free(got2.data);

    /* Multipart: 150 KB + 7 bytes, listed, completed, read back. */
    char mkey[512];
    snprintf(mkey, sizeof(mkey), "%smulti.bin", base);
    opres init = run(cl, OSSIO_OP_MULTIPART_INIT, uri("%s", mkey), NULL, NULL);
    OK(init);
    assert_true(init.upload_id[0] != '\0');
    part_arg pa = {init.upload_id, 1, blob, 150 * 1024, {NULL}};
    opres p1 = run(cl, OSSIO_OP_MULTIPART_PART, uri("%s", mkey), set_part, &pa);
    OK(p1);
    pa.n = 2;
    pa.p = blob + 150 * 1024;
    pa.len = 7;
    opres p2 = run(cl, OSSIO_OP_MULTIPART_PART, uri("%s", mkey), set_part, &pa);
    OK(p2);
    pa.p = NULL;
    opres lp = run(cl, OSSIO_OP_MULTIPART_LIST_PARTS, uri("%s", mkey), set_part, &pa);
    OK(lp);
    assert_int_equal(lp.entries, 2);
    part_arg ca = {init.upload_id, 2, NULL, 0, {p1.etag, p2.etag}};
    opres done = run(cl, OSSIO_OP_MULTIPART_COMPLETE, uri("%s", mkey), set_complete, &ca);
    OK(done);
    opres mget = run(cl, OSSIO_OP_GET, uri("%s", mkey), NULL, NULL);
    OK(mget);
    assert_int_equal(mget.len, 150 * 1024 + 7);
    assert_memory_equal(mget.data, blob, 150 * 1024 + 7);
    free(mget.data);

    /* Abort leaves nothing behind. */
    char akey[512];
    snprintf(akey, sizeof(akey), "%saborted.bin", base);
    opres ainit = run(cl, OSSIO_OP_MULTIPART_INIT, uri("%s", akey), NULL, NULL);
    OK(ainit);
    opres ups = run(cl, OSSIO_OP_MULTIPART_LIST_UPLOADS, uri("%s", akey), NULL, NULL);
    OK(ups);
    assert_int_equal(ups.entries, 1);
    part_arg aa = {ainit.upload_id, 0, NULL, 0, {NULL}};
    opres abort_ = run(cl, OSSIO_OP_MULTIPART_ABORT, uri("%s", akey), set_part, &aa);
    OK(abort_);
    opres ups2 = run(cl, OSSIO_OP_MULTIPART_LIST_UPLOADS, uri("%s", akey), NULL, NULL);
    OK(ups2);
    assert_int_equal(ups2.entries, 0);

    /* Listing with a delimiter, two keys per page. */
    opres list = run(cl, OSSIO_OP_LIST, uri("%s", base), set_delim, NULL);
    OK(list);
    assert_int_equal(list.entries, 1);  /* multi.bin */
    assert_int_equal(list.prefixes, 1); /* dir/ */

    /* Batch delete, then each is gone. */
    char *keys[] = {key, key2, mkey, NULL};
    opres del = run(cl, OSSIO_OP_DELETE_MANY, uri(""), add_keys, keys);
    OK(del);
    for (int i = 0; keys[i] != NULL; i++) {
        opres h = run(cl, OSSIO_OP_HEAD, uri("%s", keys[i]), NULL, NULL);
        assert_int_equal(h.st, OSSIO_ENOTFOUND);
        assert_int_equal(h.http, 404);
    }
    ossio_client_destroy(cl);
}

static const combo combos[] = {
    {"h2-v1", "H2_TLS", "v1", 0, 0},    {"h2-v4", "H2_TLS", "v4", 0, 0},
    {"h2-s3", "H2_TLS", "s3", 0, 0},    {"h1-v1", "H1_TLS", "v1", 0, 0},
    {"h1-v4", "H1_TLS", "v4", 0, 0},    {"h1-s3", "H1_TLS", "s3", 0, 0},
    {"vhost-v1", "H2_TLS", "v1", 1, 1}, {"vhost-v4", "H1_TLS", "v4", 1, 0},
};

static void t_every_operation(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(combos) / sizeof(combos[0]); i++) {
        scenario(&combos[i]);
    }
}

/* Keys that test every encoding rule, over Node's h2 port (nghttpx would
 * merge the '//'), with each signature scheme. */
static void t_odd_keys_round_trip(void **state)
{
    (void)state;
    const char *odd[] = {"a//b",    "sp ace", "plus+sign", "tilde~",           "ü/ñ/日本",
                         "pct%41%", "q?x#y",  "amp&eq=1",  "semi;colon,comma", "star*(paren)!'",
                         NULL};
    const char *sigs[] = {"v1", "v4", "s3"};
    for (int s = 0; s < 3; s++) {
        combo c = {"raw", "H2_TLS_RAW", sigs[s], 0, 0};
        ossio_client *cl = client_for(&c, NULL);
        char base[128];
        snprintf(base, sizeof(base), "ops/%d/odd-%s/", (int)getpid(), sigs[s]);
        for (int i = 0; odd[i] != NULL; i++) {
            char key[256];
            snprintf(key, sizeof(key), "%s%s", base, odd[i]);
            body_arg body = {odd[i], strlen(odd[i])};
            opres put = run(cl, OSSIO_OP_PUT, uri("%s", key), set_body, &body);
            if (put.st != OSSIO_OK) {
                fail_msg("%s PUT '%s': %s (%s)", sigs[s], odd[i], ossio_status_name(put.st),
                         put.detail);
            }
            opres get = run(cl, OSSIO_OP_GET, uri("%s", key), NULL, NULL);
            OK(get);
            assert_int_equal(get.len, strlen(odd[i]));
            assert_memory_equal(get.data, odd[i], get.len);
            free(get.data);
        }
        opres list = run(cl, OSSIO_OP_LIST, uri("%s", base), NULL, NULL);
        OK(list);
        assert_int_equal(list.entries, 10);
        ossio_client_destroy(cl);
    }
}

typedef struct many {
    int outstanding;
    int failed;
} many;

static void many_done(ossio_op *op, const ossio_result *res, void *ud)
{
    (void)op;
    many *m = ud;
    m->outstanding--;
    if (res->status != OSSIO_OK) {
        m->failed++;
    }
}

static void t_2500_keys_listed_and_deleted(void **state)
{
    (void)state;
    ossio_client *cl = client_for(&combos[0], NULL);
    enum { N = 2500 };
    char base[64];
    snprintf(base, sizeof(base), "ops/%d/many/", (int)getpid());
    static char keys[N][96];
    char *list[N + 1];
    many m = {0, 0};
    for (int i = 0; i < N; i++) {
        /* 50 "directories" of 50 keys each. */
        snprintf(keys[i], sizeof(keys[i]), "%sd%02d/k%04d", base, i % 50, i);
        list[i] = keys[i];
        ossio_op *op;
        assert_int_equal(ossio_op_new(&op, cl, OSSIO_OP_PUT, uri("%s", keys[i])), OSSIO_OK);
        ossio_op_set_body(op, keys[i], strlen(keys[i]));
        m.outstanding++;
        ossio_op_submit(op, many_done, &m);
    }
    list[N] = NULL;
    ossio_client_run(cl);
    assert_int_equal(m.outstanding, 0);
    assert_int_equal(m.failed, 0);
    opres all = run(cl, OSSIO_OP_LIST, uri("%s", base), NULL, NULL); /* 1000 per page */
    OK(all);
    assert_int_equal(all.entries, N);
    opres dirs =
        run(cl, OSSIO_OP_LIST, uri("%s", base), set_delim, NULL); /* 2 per page, 25 pages */
    OK(dirs);
    assert_int_equal(dirs.prefixes, 50);
    assert_int_equal(dirs.entries, 0);
    opres del = run(cl, OSSIO_OP_DELETE_MANY, uri(""), add_keys, list); /* 3 requests */
    OK(del);
    opres after = run(cl, OSSIO_OP_LIST, uri("%s", base), NULL, NULL);
    OK(after);
    assert_int_equal(after.entries, 0);
    ossio_client_destroy(cl);
}

static char warned[512];
static void warn_log(ossio_log_level level, const char *msg, void *ud)
{
    (void)ud;
    if (level == OSSIO_LOG_WARN) {
        snprintf(warned, sizeof(warned), "%s", msg);
    }
}

static int secret_shown;
static void explain_cb(const char *key, const char *value, ossio_config_source src, void *ud)
{
    (void)key;
    (void)src;
    if (strstr(value, (const char *)ud) != NULL) {
        secret_shown = 1;
    }
}

/* Hadoop core-site.xml < Flink yaml < set: the Flink secret must win over a
 * wrong one in core-site.xml, and the operation must succeed with it. */
static void t_config_sources_end_to_end(void **state)
{
    (void)state;
    char dir[] = "/tmp/ossio-cfg-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char core[300], flink[300];
    snprintf(core, sizeof(core), "%s/core-site.xml", dir);
    snprintf(flink, sizeof(flink), "%s/flink-conf.yaml", dir);
    FILE *f = fopen(core, "w");
    fprintf(f,
            "<?xml version=\"1.0\"?>\n<configuration>\n"
            "<property><name>fs.oss.accessKeySecret</name><value>wrong-secret</value></property>\n"
            "<property><name>fs.oss.connection.maximum</name><value>8</value></property>\n"
            "</configuration>\n");
    fclose(f);
    f = fopen(flink, "w");
    fprintf(f,
            "fs.oss.endpoint: https://localhost:%d\nfs.oss.accessKeyId: %s\n"
            "fs.oss.accessKeySecret: %s\nfs.oss.path.style.access: true\nfs.oss.endpiont: typo\n",
            ep_port("H2_TLS"), ep("ACCESS_KEY_ID"), ep("ACCESS_KEY_SECRET"));
    fclose(f);
    ossio_config *cfg = ossio_config_new();
    assert_int_equal(ossio_config_load_hadoop(cfg, core), OSSIO_OK);
    assert_int_equal(ossio_config_load_flink(cfg, flink), OSSIO_OK);
    assert_int_equal(ossio_config_set(cfg, "fs.oss.connection.ca.file", ep("CA_FILE")), OSSIO_OK);
    assert_int_equal(ossio_config_source_of(cfg, "fs.oss.accessKeySecret"), OSSIO_SRC_FLINK);
    assert_int_equal(ossio_config_source_of(cfg, "fs.oss.connection.maximum"), OSSIO_SRC_HADOOP);
    secret_shown = 0;
    ossio_config_explain(cfg, explain_cb, (void *)ep("ACCESS_KEY_SECRET"));
    assert_false(secret_shown);
    ossio_client *cl = NULL;
    assert_int_equal(ossio_client_new(&cl, cfg, NULL), OSSIO_OK);
    ossio_config_free(cfg);
    warned[0] = '\0';
    ossio_client_set_log(cl, warn_log, OSSIO_LOG_WARN, NULL);
    assert_non_null(strstr(warned, "fs.oss.endpiont"));
    assert_non_null(strstr(warned, "fs.oss.endpoint"));
    char key[128];
    snprintf(key, sizeof(key), "ops/%d/config.txt", (int)getpid());
    body_arg body = {"from config files", 17};
    opres put = run(cl, OSSIO_OP_PUT, uri("%s", key), set_body, &body);
    OK(put);
    opres get = run(cl, OSSIO_OP_GET, uri("%s", key), NULL, NULL);
    OK(get);
    assert_int_equal(get.len, 17);
    free(get.data);
    ossio_client_destroy(cl);
    unlink(core);
    unlink(flink);
    rmdir(dir);
}

static void t_bucket_create_and_delete(void **state)
{
    (void)state;
    ossio_client *cl = client_for(&combos[1], NULL);
    char bucket[64], u[160];
    snprintf(bucket, sizeof(bucket), "ossio-tmp-%d", (int)getpid());
    snprintf(u, sizeof(u), "oss://%s/", bucket);
    OK(run(cl, OSSIO_OP_BUCKET_CREATE, u, NULL, NULL));
    /* A PUT without a body stores an empty object (review finding: the CRC
     * check used to read a NULL body of length -1). */
    snprintf(u, sizeof(u), "oss://%s/empty", bucket);
    OK(run(cl, OSSIO_OP_PUT, u, NULL, NULL));
    OK(run(cl, OSSIO_OP_DELETE, u, NULL, NULL));
    snprintf(u, sizeof(u), "oss://%s/k", bucket);
    body_arg body = {"in a new bucket", 15};
    OK(run(cl, OSSIO_OP_PUT, u, set_body, &body));
    snprintf(u, sizeof(u), "oss://%s/", bucket);
    opres busy = run(cl, OSSIO_OP_BUCKET_DELETE, u, NULL, NULL); /* not empty */
    assert_int_not_equal(busy.st, OSSIO_OK);
    assert_string_equal(busy.code, "BucketNotEmpty");
    snprintf(u, sizeof(u), "oss://%s/k", bucket);
    OK(run(cl, OSSIO_OP_DELETE, u, NULL, NULL));
    snprintf(u, sizeof(u), "oss://%s/", bucket);
    OK(run(cl, OSSIO_OP_BUCKET_DELETE, u, NULL, NULL));
    snprintf(u, sizeof(u), "oss://%s/k", bucket);
    opres gone = run(cl, OSSIO_OP_HEAD, u, NULL, NULL);
    assert_int_equal(gone.st, OSSIO_ENOTFOUND);
    ossio_client_destroy(cl);
}

static void t_errors_carry_server_fields(void **state)
{
    (void)state;
    ossio_client *cl = client_for(&combos[0], "wrong-secret");
    opres r = run(cl, OSSIO_OP_GET, uri("ops/missing"), NULL, NULL);
    assert_int_equal(r.st, OSSIO_ESIGNATURE);
    assert_int_equal(r.http, 403);
    assert_string_equal(r.code, "SignatureDoesNotMatch");
    assert_int_equal(strlen(r.request_id), 24);
    assert_true(r.host_id[0] != '\0');
    assert_true(r.ec[0] != '\0');
    assert_null(strstr(r.detail, "wrong-secret"));
    assert_int_equal(r.retries, 0);
    ossio_client_destroy(cl);

    cl = client_for(&combos[1], NULL);
    opres nf = run(cl, OSSIO_OP_GET, uri("ops/%d/missing", (int)getpid()), NULL, NULL);
    assert_int_equal(nf.st, OSSIO_ENOTFOUND);
    assert_string_equal(nf.code, "NoSuchKey");
    opres hnf = run(cl, OSSIO_OP_HEAD, uri("ops/%d/missing", (int)getpid()), NULL, NULL);
    assert_int_equal(hnf.st, OSSIO_ENOTFOUND);
    assert_string_equal(hnf.code, "NoSuchKey"); /* decoded from x-oss-err */
    assert_true(hnf.ec[0] != '\0');
    ossio_client_destroy(cl);
}

static void t_user_mistakes(void **state)
{
    (void)state;
    ossio_client *cl = client_with(NULL, NULL); /* no endpoint, no credentials */
    ossio_op *op = NULL;
    assert_int_equal(ossio_op_new(&op, cl, OSSIO_OP_GET, "oss://bucket/key"), OSSIO_ENOENDPOINT);
    assert_string_equal(ossio_client_error(cl),
                        "Aliyun OSS endpoint should not be null or empty. Please set proper "
                        "endpoint with 'fs.oss.endpoint'.");
    assert_int_equal(ossio_op_new(&op, cl, OSSIO_OP_GET, "hdfs://bucket/key"), OSSIO_ESCHEME);
    assert_string_equal(ossio_client_error(cl),
                        "Could not find a file system implementation for scheme 'hdfs'.");
    assert_null(op);
    /* s3:// is not signed with OSS's scheme: the error says how to switch. */
    assert_int_equal(ossio_op_new(&op, cl, OSSIO_OP_GET, "s3://bucket/key"), OSSIO_ESCHEME);
    assert_non_null(strstr(ossio_client_error(cl), "fs.oss.dialect=s3"));
    assert_null(op);
    ossio_client_destroy(cl);
    /* The hint names the variables the dialect reads. */
    cl = client_with(NULL, "fs.oss.endpoint", "oss-cn-hangzhou.aliyuncs.com", NULL);
    assert_int_equal(ossio_op_new(&op, cl, OSSIO_OP_GET, "oss://bucket/key"), OSSIO_ENOCREDENTIALS);
    assert_non_null(strstr(ossio_client_error(cl), "OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET"));
    assert_null(strstr(ossio_client_error(cl), "AWS_"));
    ossio_client_destroy(cl);
    cl = client_with(NULL, "fs.oss.endpoint", "s3.amazonaws.com", "fs.oss.dialect", "s3", NULL);
    assert_int_equal(ossio_op_new(&op, cl, OSSIO_OP_GET, "s3://bucket/key"), OSSIO_ENOCREDENTIALS);
    assert_non_null(strstr(ossio_client_error(cl), "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"));
    assert_null(strstr(ossio_client_error(cl), "OSS_"));
    ossio_client_destroy(cl);
    cl = client_for(&combos[0], NULL);
    assert_int_equal(ossio_op_new(&op, cl, OSSIO_OP_GET, "oss://Bad_Bucket/key"), OSSIO_EBADBUCKET);
    assert_int_equal(ossio_op_new(&op, cl, OSSIO_OP_GET, "oss:///key"), OSSIO_EBADURI);
    assert_int_equal(ossio_op_new(&op, cl, OSSIO_OP_GET, "oss://bucket"), OSSIO_EBADURI);
    char long_uri[1200];
    int n = snprintf(long_uri, sizeof(long_uri), "oss://bucket/");
    memset(long_uri + n, 'k', 1024);
    long_uri[n + 1024] = '\0';
    assert_int_equal(ossio_op_new(&op, cl, OSSIO_OP_GET, long_uri), OSSIO_EKEYTOOLONG);
    ossio_client_destroy(cl);
}

static void arm_fault(const char *kind, int count, const char *path, const char *extra)
{
    char f[512];
    snprintf(f, sizeof(f), "{\"kind\":\"%s\",\"count\":%d,\"match\":{\"path\":\"%s\"}%s}", kind,
             count, path, extra ? extra : "");
    assert_int_equal(control("POST", "/faults", f), 201);
}

static void t_faults_retried_or_named(void **state)
{
    (void)state;
    const combo *c = &combos[0];
    ossio_client *cl = client_for(c, NULL);
    char key[256];
    snprintf(key, sizeof(key), "ops/%d/faulty.bin", (int)getpid());
    body_arg body = {blob, sizeof(blob)};
    OK(run(cl, OSSIO_OP_PUT, uri("%s", key), set_body, &body));

    const char *retried[] = {"slowdown", "internal", "skew"};
    for (int i = 0; i < 3; i++) {
        arm_fault(retried[i], 2, key, NULL);
        opres r = run(cl, OSSIO_OP_GET, uri("%s", key), NULL, NULL);
        if (r.st != OSSIO_OK) {
            fail_msg("%s: %s (%s)", retried[i], ossio_status_name(r.st), r.detail);
        }
        assert_int_equal(r.retries, 2);
        assert_int_equal(r.len, sizeof(blob));
        free(r.data);
        clear_faults(key);
    }
    /* Mid-body reset and truncation: resumed after the bytes already delivered. */
    const char *cuts[] = {"reset", "truncate"};
    for (int i = 0; i < 2; i++) {
        arm_fault(cuts[i], 1, key, ",\"after\":100000");
        opres r = run(cl, OSSIO_OP_GET, uri("%s", key), NULL, NULL);
        if (r.st != OSSIO_OK) {
            fail_msg("%s: %s (%s)", cuts[i], ossio_status_name(r.st), r.detail);
        }
        assert_int_equal(r.retries, 1);
        assert_int_equal(r.len, sizeof(blob));
        assert_memory_equal(r.data, blob, sizeof(blob));
        free(r.data);
        clear_faults(key);
    }
    /* One flipped byte: the whole-object CRC-64 catches it. */
    arm_fault("flip", 1, key, NULL);
    opres flip = run(cl, OSSIO_OP_GET, uri("%s", key), NULL, NULL);
    assert_int_equal(flip.st, OSSIO_ECHECKSUM);
    free(flip.data);
    clear_faults(key);
    /* Throttling that outlasts the attempts is reported, named. */
    ossio_client_destroy(cl);
    char endpoint[128];
    snprintf(endpoint, sizeof(endpoint), "https://localhost:%d", ep_port("H2_TLS"));
    cl = client_with(NULL, "fs.oss.endpoint", endpoint, "fs.oss.accessKeyId", ep("ACCESS_KEY_ID"),
                     "fs.oss.accessKeySecret", ep("ACCESS_KEY_SECRET"), "fs.oss.path.style.access",
                     "true", "fs.oss.attempts.maximum", "3", NULL);
    arm_fault("slowdown", 5, key, NULL);
    opres slow = run(cl, OSSIO_OP_GET, uri("%s", key), NULL, NULL);
    assert_int_equal(slow.st, OSSIO_ETHROTTLED);
    assert_string_equal(slow.code, "SlowDown");
    assert_int_equal(slow.retries, 2);
    clear_faults(key);
    ossio_client_destroy(cl);
}

int main(void)
{
    for (size_t i = 0; i < sizeof(blob); i++) {
        blob[i] = (uint8_t)((i * 131) ^ (i >> 9));
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_user_mistakes),
        cmocka_unit_test(t_every_operation),
        cmocka_unit_test(t_odd_keys_round_trip),
        cmocka_unit_test(t_2500_keys_listed_and_deleted),
        cmocka_unit_test(t_errors_carry_server_fields),
        cmocka_unit_test(t_bucket_create_and_delete),
        cmocka_unit_test(t_config_sources_end_to_end),
        cmocka_unit_test(t_faults_retried_or_named),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    rc |= remove_own_prefix("ops");
    return rc;
}

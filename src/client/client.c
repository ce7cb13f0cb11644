/* ossio_client: creation from a configuration, the owned or borrowed libev
 * loop, destruction (every pending completion fires with OSSIO_ECANCELED),
 * counters and the log callback. */
#include "client/client.h"

#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "ops/op.h"
#include "tls/tls.h"
#include "transport/conn.h"
#include "transport/write_soon.h"

/* The per-layer contexts (declared in each layer's header). The const is
 * dropped as strchr does: a layer's context is its own to change. */
ossio__transport *ossio__cl_tp(const ossio_client *cl)
{
    return (ossio__transport *)&cl->tp;
}

ossio__ops_ctx *ossio__cl_ops(const ossio_client *cl)
{
    return (ossio__ops_ctx *)&cl->ops;
}

ossio__xfer_ctx *ossio__cl_xfer(const ossio_client *cl)
{
    return (ossio__xfer_ctx *)&cl->xfer;
}

static char *dup_nonempty(const char *s)
{
    return s != NULL && *s ? strdup(s) : NULL;
}

/* The object-store settings. An unusable endpoint is not an error here: it
 * is reported by the first operation that needs it (ossio_op_new). */
static void read_oss_settings(ossio_client *cl, const ossio_config *cfg)
{
    ossio__oss_settings *o = &cl->ops.oss;
    o->ep_status = ossio__endpoint_parse(
        &o->ep, ossio_config_get(cfg, "fs.oss.endpoint"),
        ossio__config_bool(cfg, "fs.oss.connection.secure.enabled"), o->ep_msg, sizeof(o->ep_msg));
    o->access_key_id = dup_nonempty(ossio_config_get(cfg, "fs.oss.accessKeyId"));
    o->access_key_secret = dup_nonempty(ossio_config_get(cfg, "fs.oss.accessKeySecret"));
    o->security_token = dup_nonempty(ossio_config_get(cfg, "fs.oss.securityToken"));
    o->buffer_dir = dup_nonempty(ossio_config_get(cfg, "fs.oss.buffer.dir"));
    const char *sv = ossio_config_get(cfg, "fs.oss.signature.version");
    o->sig_v4 = sv != NULL && strcmp(sv, "v4") == 0;
    const char *dialect = ossio_config_get(cfg, "fs.oss.dialect");
    o->s3 = dialect != NULL && strcmp(dialect, "s3") == 0;
    const char *sum = ossio_config_get(cfg, "fs.oss.s3.checksum");
    static const char *const sums[] = {"crc32c", "crc32", "md5", "none"};
    o->s3_checksum = OSSIO__SUM_CRC32C;
    for (int i = 0; sum != NULL && i < 4; i++) {
        if (strcmp(sum, sums[i]) == 0) {
            o->s3_checksum = i;
        }
    }
    const char *type = ossio_config_get(cfg, "fs.oss.s3.checksum.type");
    o->s3_composite = type != NULL && strcmp(type, "composite") == 0;
    o->path_style = ossio__config_bool(cfg, "fs.oss.path.style.access");
    const char *region = ossio_config_get(cfg, "fs.oss.region");
    if (region != NULL && *region) {
        snprintf(o->region, sizeof(o->region), "%s", region);
    } else if (o->ep_status == OSSIO_OK) {
        ossio__endpoint_region(&o->ep, o->region, sizeof(o->region));
    }
    if (o->region[0] == '\0') {
        snprintf(o->region, sizeof(o->region), "%s", o->s3 ? "us-east-1" : "cn-hangzhou");
    }
    int64_t attempts = ossio__config_int(cfg, "fs.oss.attempts.maximum");
    o->attempts = attempts > 0 ? (unsigned)attempts : 10;
    int64_t paging = ossio__config_int(cfg, "fs.oss.paging.maximum");
    o->paging = paging > 0 && paging <= 1000 ? (uint32_t)paging : 1000;
    o->list_v1 = ossio__config_int(cfg, "fs.oss.list.version") == 1;
    /* Hadoop's download keys, with ossio's defaults (8 MiB, 16: keys.c). */
    o->download_part_size = (uint64_t)ossio__config_int(cfg, "fs.oss.multipart.download.size");
    o->download_parallel = (unsigned)ossio__config_int(cfg, "fs.oss.multipart.download.threads");
    o->upload_part_size = (uint64_t)ossio__config_int(cfg, "fs.oss.multipart.upload.size");
    o->upload_threshold = (uint64_t)ossio__config_int(cfg, "fs.oss.multipart.upload.threshold");
    o->upload_parallel = 8;
    o->hedging = ossio__config_bool(cfg, "fs.oss.multipart.download.hedging");
    o->memory_limit = (uint64_t)ossio__config_int(cfg, "fs.oss.memory.limit");
    o->block_size = (uint64_t)ossio__config_int(cfg, "fs.oss.block.size");
    o->split_min_size = (uint64_t)ossio__config_int(cfg, "fs.oss.split.min.size");
    o->split_record_max = (uint64_t)ossio__config_int(cfg, "fs.oss.split.record.maximum");
    if (o->download_part_size == 0) {
        o->download_part_size = 8u << 20;
    }
    if (o->download_parallel == 0) {
        o->download_parallel = 16;
    }
    if (o->upload_part_size < 100 * 1024) {
        o->upload_part_size = 100 * 1024;
    }
    o->rng = (uint64_t)(uintptr_t)cl ^ ((uint64_t)ev_time() * 1000003u) ^ 0x9e3779b97f4a7c15ull;
}

/* Unknown fs.oss.* keys that look like typos of known ones (fs.oss.endpiont). */
static void collect_typos(ossio_client *cl, const ossio_config *cfg)
{
    size_t n = ossio__config_count(cfg);
    for (size_t i = 0; i < n && cl->n_warnings < 4; i++) {
        const char *key = ossio__config_key_at(cfg, i);
        const char *hint = key != NULL ? ossio__config_typo_hint(key) : NULL;
        if (hint != NULL) {
            snprintf(cl->warnings[cl->n_warnings++], sizeof(cl->warnings[0]),
                     "unknown configuration key '%.80s' is ignored: did you mean '%.80s'?", key,
                     hint);
        }
    }
}

static ossio_status read_settings(ossio_client *cl, const ossio_config *cfg)
{
    read_oss_settings(cl, cfg);
    collect_typos(cl, cfg);
    ossio__settings *s = &cl->tp.set;
    s->max_conns = (size_t)ossio__config_int(cfg, "fs.oss.connection.maximum");
    s->connect_timeout =
        (double)ossio__config_int(cfg, "fs.oss.connection.establish.timeout") / 1e3;
    s->idle_timeout = (double)ossio__config_int(cfg, "fs.oss.connection.timeout") / 1e3;
    s->first_byte = (double)ossio__config_int(cfg, "fs.oss.request.first-byte.timeout") / 1e3;
    s->first_byte_slow =
        (double)ossio__config_int(cfg, "fs.oss.request.first-byte.timeout.slow") / 1e3;
    s->low_speed_limit = (double)ossio__config_int(cfg, "fs.oss.low-speed.limit");
    s->low_speed_time = (double)ossio__config_int(cfg, "fs.oss.low-speed.time") / 1e3;
    s->deadline = (double)ossio__config_int(cfg, "fs.oss.operation.deadline") / 1e3;
    s->conn_idle = (double)ossio__config_int(cfg, "fs.oss.connection.idle.timeout") / 1e3;
    s->addr_backoff = (double)ossio__config_int(cfg, "fs.oss.connection.address.backoff") / 1e3;
    s->h2 = ossio__config_bool(cfg, "fs.oss.http2.enabled");
    s->h2c = s->h2 && ossio__config_bool(cfg, "fs.oss.http2.cleartext");
    s->max_streams = (uint32_t)ossio__config_int(cfg, "fs.oss.http2.max.streams");
    s->stream_window = (uint32_t)ossio__config_int(cfg, "fs.oss.http2.stream.window");
    s->conn_window = (uint32_t)ossio__config_int(cfg, "fs.oss.http2.connection.window");
    s->max_header_bytes = (size_t)ossio__config_int(cfg, "fs.oss.response.header.maximum");
    s->expect_continue_min = (uint64_t)ossio__config_int(cfg, "fs.oss.http1.expect.continue");
    return OSSIO_OK;
}

/* Adds each "host:port:addr[,addr]" entry of the space- or ';'-separated list. */
static ossio_status add_overrides(ossio_client *cl, const char *list)
{
    char *copy = strdup(list);
    if (copy == NULL) {
        return OSSIO_ENOMEM;
    }
    ossio_status st = OSSIO_OK;
    char *save = NULL;
    for (char *tok = strtok_r(copy, " ;\t\n", &save); tok != NULL && st == OSSIO_OK;
         tok = strtok_r(NULL, " ;\t\n", &save)) {
        st = ossio__resolver_add_override(cl->tp.resolver, tok);
    }
    free(copy);
    return st == OSSIO_EINVAL ? OSSIO_ECONFIG : st;
}

ossio_status ossio_client_new(ossio_client **out, const ossio_config *cfg, struct ev_loop *loop)
{
    if (out == NULL) {
        return OSSIO_EINVAL;
    }
    *out = NULL;
    ossio_client *cl = calloc(1, sizeof(*cl));
    if (cl == NULL) {
        return OSSIO_ENOMEM;
    }
    ossio_config *empty = NULL;
    if (cfg == NULL) {
        cfg = empty = ossio_config_new();
        if (cfg == NULL) {
            free(cl);
            return OSSIO_ENOMEM;
        }
    }
    cl->xfer.cl = cl;
    ossio_status st = read_settings(cl, cfg);
    if (loop == NULL) {
        loop = ev_loop_new(EVFLAG_AUTO);
        cl->own_loop = 1;
        if (loop == NULL) {
            st = OSSIO_ENOMEM;
        }
    }
    cl->tp.loop = loop;
    if (st == OSSIO_OK) {
        ossio__defer_init(&cl->tp.defer, loop);
        ossio__write_soon_init(&cl->tp);
        ossio__resolver_opts ro;
        memset(&ro, 0, sizeof(ro));
        const char *servers = ossio__config_str(cfg, "fs.oss.dns.servers");
        ro.servers = *servers ? servers : NULL;
        ro.cache_max_ttl_s = (unsigned)ossio__config_int(cfg, "fs.oss.dns.cache.ttl");
        st = ossio__resolver_new(&cl->tp.resolver, loop, &ro);
    }
    if (st == OSSIO_OK) {
        st = add_overrides(cl, ossio__config_str(cfg, "fs.oss.connection.resolve"));
    }
    if (st == OSSIO_OK) {
        st = ossio__tls_ctx_new(
            &cl->tp.ssl_ctx, ossio__config_str(cfg, "fs.oss.connection.ca.file"),
            ossio__config_bool(cfg, "fs.oss.connection.ssl.insecure-skip-verify"), cl->tp.set.h2);
        if (st == OSSIO_OK) {
            SSL_CTX_sess_set_new_cb(cl->tp.ssl_ctx, ossio__conn_new_session);
        }
    }
    ossio_config_free(empty);
    if (st != OSSIO_OK) {
        ossio_client_destroy(cl);
        return st;
    }
    *out = cl;
    return OSSIO_OK;
}

ossio_status ossio_client_run(ossio_client *cl)
{
    if (cl == NULL || !cl->own_loop) {
        return OSSIO_EINVAL;
    }
    /* Idle keep-alive connections keep watchers on the loop: run while
     * requests are live, not until the loop has nothing to watch. */
    while (cl->tp.all != NULL || cl->ops.ops != NULL || cl->tp.defer.head != NULL) {
        ev_run(cl->tp.loop, EVRUN_ONCE);
    }
    return OSSIO_OK;
}

void ossio_client_destroy(ossio_client *cl)
{
    if (cl == NULL) {
        return;
    }
    cl->tp.destroying = 1;
    ossio__transfers_cancel_all(cl);
    ossio__ops_cancel_all(cl);
    ossio__transport_close(&cl->tp);
    if (cl->own_loop && cl->tp.loop != NULL) {
        ev_loop_destroy(cl->tp.loop);
    }
    free(cl->ops.oss.access_key_id);
    if (cl->ops.oss.access_key_secret != NULL) {
        OPENSSL_cleanse(cl->ops.oss.access_key_secret, strlen(cl->ops.oss.access_key_secret));
    }
    free(cl->ops.oss.access_key_secret);
    free(cl->ops.oss.security_token);
    free(cl->ops.oss.buffer_dir);
    free(cl);
}

void ossio_client_set_log(ossio_client *cl, ossio_log_cb cb, ossio_log_level max_level,
                          void *user_data)
{
    if (cl == NULL) {
        return;
    }
    cl->tp.log = cb;
    cl->tp.log_level = max_level;
    cl->tp.log_ud = user_data;
    for (int i = 0; i < cl->n_warnings; i++) {
        ossio__log(cl, OSSIO_LOG_WARN, "%s", cl->warnings[i]);
    }
    cl->n_warnings = 0;
}

const char *ossio_client_error(const ossio_client *cl)
{
    return cl != NULL ? cl->ops.error : "";
}

uint64_t ossio_client_stat(const ossio_client *cl, ossio_stat which)
{
    if (cl == NULL || (unsigned)which >= OSSIO__STAT_COUNT) {
        return 0;
    }
    return cl->tp.stats[which];
}

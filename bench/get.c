/* Ranged-GET throughput of ossio's transport, public low-level API only.
 *
 * Downloads --count ranged GETs of --part-size bytes each from one URL
 * (part i asks for `Range: bytes=o-(o+part-1)` with o = i*part mod
 * --object-size), keeping at most connections*streams requests in flight (a
 * new one is submitted from each completion callback). Body bytes are only
 * counted in on_data, never copied. Every request must end with status 206,
 * exactly part-size body bytes and the expected protocol ("h2", or
 * "http/1.1" with --http1.1); any failure makes the program exit 1.
 *
 *   get --url URL [--ca FILE] [--count N] [--part-size BYTES]
 *       [--object-size BYTES] [--connections C] [--streams S]
 *       [--h2c] [--http1.1] [--resolve HOST:PORT:ADDR] [--json]
 *
 * Sizes accept a K/M/G suffix (powers of 1024). The client uses its own loop
 * (ossio_client_new(loop NULL) + ossio_client_run()) with
 * fs.oss.connection.maximum = C and fs.oss.http2.max.streams = S.
 * Reports wall time (client creation to the end of ossio_client_run), GB/s
 * (1e9 B/s) and Gb/s of body bytes, client CPU seconds per GiB (getrusage
 * user+sys over the same span), peak RSS (ru_maxrss), the protocol and
 * OSSIO_STAT_CONNECTIONS_OPENED. Exit status: 0 ok, 1 a request or check
 * failed, 2 usage or setup error. A benchmark, never a pass/fail test:
 * see bench/README.md. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <ossio.h>

#include "measure.h"

#define GIB ((double)(UINT64_C(1) << 30))
#define MAX_ERRORS_SHOWN 10

typedef struct bench bench;

typedef struct part {
    bench *b;
    uint64_t index;
    uint64_t bytes;  /* counted in on_data */
    int http_status; /* from on_headers */
} part;

struct bench {
    ossio_client *cl;
    const char *url;
    const char *want_protocol;
    uint64_t count, part_size, object_size;
    uint64_t next; /* next part to submit */
    uint64_t done; /* parts completed */
    uint64_t in_flight, max_in_flight, peak_in_flight;
    uint64_t errors;
    uint64_t bytes; /* body bytes of successful parts */
    part *parts;
    const char *protocol_seen;
};

static void fail(bench *b, uint64_t index, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(bench *b, uint64_t index, const char *fmt, ...)
{
    b->errors++;
    if (b->errors <= MAX_ERRORS_SHOWN) {
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "get: part %" PRIu64 ": ", index);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
    } else if (b->errors == MAX_ERRORS_SHOWN + 1) {
        fprintf(stderr, "get: more errors not shown\n");
    }
}

static int on_headers(ossio_request *req, int http_status, const ossio_response *resp,
                      void *user_data)
{
    (void)req;
    (void)resp;
    part *p = user_data;
    p->http_status = http_status;
    return 0;
}

static int on_data(ossio_request *req, const uint8_t *data, size_t len, void *user_data)
{
    (void)req;
    (void)data;
    part *p = user_data;
    p->bytes += len;
    return 0;
}

static void on_done(ossio_request *req, const ossio_result *result, void *user_data);

static int submit_next(bench *b)
{
    uint64_t i = b->next++;
    part *p = &b->parts[i];
    p->b = b;
    p->index = i;
    uint64_t first = (i * b->part_size) % b->object_size;
    char range[64];
    snprintf(range, sizeof(range), "bytes=%" PRIu64 "-%" PRIu64, first, first + b->part_size - 1);

    ossio_request *req = NULL;
    ossio_status st = ossio_request_new(&req, b->cl, "GET", b->url);
    if (st != OSSIO_OK) {
        fail(b, i, "ossio_request_new: %s", ossio_strerror(st));
        return -1;
    }
    st = ossio_request_add_header(req, "Range", range);
    if (st != OSSIO_OK) {
        fail(b, i, "ossio_request_add_header: %s", ossio_strerror(st));
        ossio_request_free(req);
        return -1;
    }
    ossio_request_set_callbacks(req, on_headers, on_data, p);
    st = ossio_request_submit(req, on_done, p);
    if (st != OSSIO_OK) {
        fail(b, i, "ossio_request_submit: %s", ossio_strerror(st));
        ossio_request_free(req);
        return -1;
    }
    b->in_flight++;
    if (b->in_flight > b->peak_in_flight) {
        b->peak_in_flight = b->in_flight;
    }
    return 0;
}

static void on_done(ossio_request *req, const ossio_result *result, void *user_data)
{
    (void)req;
    part *p = user_data;
    bench *b = p->b;
    b->in_flight--;
    b->done++;
    if (result->status != OSSIO_OK) {
        fail(b, p->index, "%s (%s) after %" PRIu64 " body bytes", ossio_status_name(result->status),
             result->detail ? result->detail : "", p->bytes);
    } else if (result->http_status != 206 || p->http_status != 206) {
        fail(b, p->index, "HTTP status %d (headers callback saw %d), want 206", result->http_status,
             p->http_status);
    } else if (p->bytes != b->part_size || result->bytes_received != b->part_size) {
        fail(b, p->index, "%" PRIu64 " body bytes (result says %" PRIu64 "), want %" PRIu64,
             p->bytes, result->bytes_received, b->part_size);
    } else if (!result->protocol || strcmp(result->protocol, b->want_protocol) != 0) {
        fail(b, p->index, "protocol %s, want %s", result->protocol ? result->protocol : "(none)",
             b->want_protocol);
    } else {
        b->bytes += p->bytes;
    }
    if (result->protocol && !b->protocol_seen) {
        b->protocol_seen = strcmp(result->protocol, "h2") == 0 ? "h2" : "http/1.1";
    }
    /* Keep the window full; stop submitting after the first error. */
    while (b->errors == 0 && b->next < b->count && b->in_flight < b->max_in_flight) {
        if (submit_next(b) != 0) {
            break;
        }
    }
}

/* Parses a decimal count with an optional K/M/G suffix (powers of 1024). */
static int parse_size(const char *s, uint64_t *out)
{
    char *end = NULL;
    errno = 0;
    if (*s < '0' || *s > '9') {
        return -1;
    }
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s) {
        return -1;
    }
    unsigned shift = 0;
    if (*end == 'K' || *end == 'k') {
        shift = 10;
    } else if (*end == 'M' || *end == 'm') {
        shift = 20;
    } else if (*end == 'G' || *end == 'g') {
        shift = 30;
    }
    if (shift) {
        end++;
    }
    if (*end != '\0' || v > (UINT64_MAX >> shift)) {
        return -1;
    }
    *out = (uint64_t)v << shift;
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: get --url URL [--ca FILE] [--count N] [--part-size BYTES]\n"
                    "           [--object-size BYTES] [--connections C] [--streams S]\n"
                    "           [--h2c] [--http1.1] [--resolve HOST:PORT:ADDR] [--json]\n");
}

static int set(ossio_config *cfg, const char *key, const char *value)
{
    if (ossio_config_set(cfg, key, value) != OSSIO_OK) {
        fprintf(stderr, "get: %s\n", ossio_config_error(cfg));
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *url = NULL, *ca = NULL, *resolve = NULL;
    uint64_t count = 256, part_size = UINT64_C(8) << 20, object_size = UINT64_C(2) << 30;
    uint64_t conns = 2, streams = 8;
    int h2c = 0, http11 = 0, json = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has = i + 1 < argc;
        if (strcmp(a, "--json") == 0) {
            json = 1;
        } else if (strcmp(a, "--h2c") == 0) {
            h2c = 1;
        } else if (strcmp(a, "--http1.1") == 0) {
            http11 = 1;
        } else if (strcmp(a, "--url") == 0 && has) {
            url = argv[++i];
        } else if (strcmp(a, "--ca") == 0 && has) {
            ca = argv[++i];
        } else if (strcmp(a, "--resolve") == 0 && has) {
            resolve = argv[++i];
        } else if (strcmp(a, "--count") == 0 && has) {
            if (parse_size(argv[++i], &count) != 0 || count == 0) {
                usage();
                return 2;
            }
        } else if (strcmp(a, "--part-size") == 0 && has) {
            if (parse_size(argv[++i], &part_size) != 0 || part_size == 0) {
                usage();
                return 2;
            }
        } else if (strcmp(a, "--object-size") == 0 && has) {
            if (parse_size(argv[++i], &object_size) != 0 || object_size == 0) {
                usage();
                return 2;
            }
        } else if (strcmp(a, "--connections") == 0 && has) {
            if (parse_size(argv[++i], &conns) != 0 || conns == 0 || conns > 10000) {
                usage();
                return 2;
            }
        } else if (strcmp(a, "--streams") == 0 && has) {
            if (parse_size(argv[++i], &streams) != 0 || streams == 0 || streams > 100000) {
                usage();
                return 2;
            }
        } else {
            usage();
            return 2;
        }
    }
    if (!url || part_size > object_size || (h2c && http11)) {
        usage();
        return 2;
    }

    ossio_config *cfg = ossio_config_new();
    if (!cfg) {
        fprintf(stderr, "get: out of memory\n");
        return 2;
    }
    char num[32];
    int bad = 0;
    snprintf(num, sizeof(num), "%" PRIu64, conns);
    bad |= set(cfg, "fs.oss.connection.maximum", num);
    snprintf(num, sizeof(num), "%" PRIu64, streams);
    bad |= set(cfg, "fs.oss.http2.max.streams", num);
    if (ca) {
        bad |= set(cfg, "fs.oss.connection.ca.file", ca);
    }
    if (resolve) {
        bad |= set(cfg, "fs.oss.connection.resolve", resolve);
    }
    if (h2c) {
        bad |= set(cfg, "fs.oss.http2.cleartext", "true");
    }
    if (http11) {
        bad |= set(cfg, "fs.oss.http2.enabled", "false");
    }
    if (bad) {
        ossio_config_free(cfg);
        return 2;
    }

    bench b;
    memset(&b, 0, sizeof(b));
    b.url = url;
    b.want_protocol = http11 ? "http/1.1" : "h2";
    b.count = count;
    b.part_size = part_size;
    b.object_size = object_size;
    /* Over HTTP/1.1 a connection carries one request at a time. */
    b.max_in_flight = http11 ? conns : conns * streams;
    b.parts = calloc((size_t)count, sizeof(*b.parts));
    if (!b.parts) {
        fprintf(stderr, "get: out of memory\n");
        ossio_config_free(cfg);
        return 2;
    }

    double t0 = now_s(), c0 = cpu_s();
    ossio_status st = ossio_client_new(&b.cl, cfg, NULL);
    ossio_config_free(cfg);
    if (st != OSSIO_OK) {
        fprintf(stderr, "get: ossio_client_new: %s\n", ossio_strerror(st));
        free(b.parts);
        return 2;
    }
    while (b.errors == 0 && b.next < b.count && b.in_flight < b.max_in_flight) {
        if (submit_next(&b) != 0) {
            break;
        }
    }
    st = ossio_client_run(b.cl);
    double wall = now_s() - t0, cpu = cpu_s() - c0;
    uint64_t opened = ossio_client_stat(b.cl, OSSIO_STAT_CONNECTIONS_OPENED);
    uint64_t opened_h2 = ossio_client_stat(b.cl, OSSIO_STAT_CONNECTIONS_H2);
    uint64_t opened_h1 = ossio_client_stat(b.cl, OSSIO_STAT_CONNECTIONS_H1);
    uint64_t replayed = ossio_client_stat(b.cl, OSSIO_STAT_REQUESTS_REPLAYED);
    ossio_client_destroy(b.cl);
    free(b.parts);

    if (st != OSSIO_OK) {
        fprintf(stderr, "get: ossio_client_run: %s\n", ossio_strerror(st));
        b.errors++;
    }
    if (b.errors == 0 && b.done != b.count) {
        fprintf(stderr, "get: %" PRIu64 " of %" PRIu64 " parts completed\n", b.done, b.count);
        b.errors++;
    }

    double gbps = (double)b.bytes / wall / 1e9;
    double gib = (double)b.bytes / GIB;
    double cpu_per_gib = gib > 0 ? cpu / gib : 0.0;
    const char *proto = b.protocol_seen ? b.protocol_seen : "none";
    const char *transport = http11 ? (strncmp(url, "https:", 6) == 0 ? "http/1.1+tls" : "http/1.1")
                                   : (h2c ? "h2c" : "h2+tls");
    if (json) {
        printf(
            "{\"tool\":\"ossio\",\"ossio_version\":\"%s\",\"transport\":\"%s\",\"protocol\":\"%s\","
            "\"count\":%" PRIu64 ",\"part_size\":%" PRIu64 ",\"object_size\":%" PRIu64 ","
            "\"connections_max\":%" PRIu64 ",\"streams_max\":%" PRIu64
            ",\"peak_in_flight\":%" PRIu64 ","
            "\"bytes\":%" PRIu64 ",\"wall_s\":%.4f,\"gbps\":%.4f,\"gbitps\":%.3f,\"cpu_s\":%.4f,"
            "\"cpu_s_per_gib\":%.4f,\"peak_rss_mib\":%.1f,\"connections_opened\":%" PRIu64 ","
            "\"connections_h2\":%" PRIu64 ",\"connections_h1\":%" PRIu64
            ",\"requests_replayed\":%" PRIu64 ","
            "\"errors\":%" PRIu64 "}\n",
            ossio_version(), transport, proto, b.count, b.part_size, b.object_size, conns, streams,
            b.peak_in_flight, b.bytes, wall, gbps, gbps * 8, cpu, cpu_per_gib, peak_rss_mib(),
            opened, opened_h2, opened_h1, replayed, b.errors);
    } else {
        printf("tool                ossio %s\n", ossio_version());
        printf("transport           %s\n", transport);
        printf("protocol            %s\n", proto);
        printf("parts               %" PRIu64 " x %" PRIu64 " bytes (object %" PRIu64 ")\n",
               b.count, b.part_size, b.object_size);
        printf("in_flight_max       %" PRIu64 " (peak %" PRIu64 ")\n", b.max_in_flight,
               b.peak_in_flight);
        printf("bytes               %" PRIu64 "\n", b.bytes);
        printf("wall_s              %.4f\n", wall);
        printf("gbps                %.4f\n", gbps);
        printf("gbitps              %.3f\n", gbps * 8);
        printf("cpu_s               %.4f\n", cpu);
        printf("cpu_s_per_gib       %.4f\n", cpu_per_gib);
        printf("peak_rss_mib        %.1f\n", peak_rss_mib());
        printf("connections_opened  %" PRIu64 " (h2 %" PRIu64 ", http/1.1 %" PRIu64 ")\n", opened,
               opened_h2, opened_h1);
        printf("requests_replayed   %" PRIu64 "\n", replayed);
        printf("errors              %" PRIu64 "\n", b.errors);
    }
    return b.errors ? 1 : 0;
}

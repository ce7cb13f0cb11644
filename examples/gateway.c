/*
 * gateway: a small HTTP/1.1 server that serves objects to its own clients
 * by streaming them from the object store through ossio, on one libev loop
 * that both share (the server's loop is handed to ossio_client_new), with no
 * threads. GET /bucket/key and HEAD, a single Range, 404/403/502/503/504
 * from ossio's statuses, keep-alive and pipelining, GET /_stats (JSON
 * counters). Backpressure and cancellation: gateway_upstream.c's first comment.
 * Public API only; docs/gateway.md.
 *
 *   gateway [--config flink-conf.yaml] [-D key=value]... [--listen HOST:PORT]
 *           [--bound SIZE] [--chunk SIZE] [--max-clients N] [--idle-timeout SEC] [-v]
 *
 * Prints "gateway: listening on http://HOST:PORT" once it accepts (PORT 0
 * picks a free one). SIGINT or SIGTERM: every connection is closed, its
 * operations canceled, the client destroyed and the loop freed; exit 0.
 */
#define _GNU_SOURCE /* accept4, open_memstream */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gateway.h"

static void on_accept(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)revents;
    gateway *gw = w->data;
    for (;;) {
        if (gw->nconns >= gw->o.max_clients) {
            break; /* full: pause until a connection closes */
        }
        int fd = accept4(gw->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if ((errno == EMFILE || errno == ENFILE) && gw->nconns > 0) {
                break; /* out of descriptors: pause until a connection closes */
            }
            return; /* EAGAIN, or an aborted connection */
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        gw_conn_open(gw, fd);
    }
    ev_io_stop(loop, w);
    gw->accept_paused = 1;
}

void gw_conn_closed(gateway *gw)
{
    if (gw->accept_paused && gw->lfd >= 0) {
        gw->accept_paused = 0;
        ev_io_start(gw->loop, &gw->accept_w);
    }
}

char *gw_stats_json(gateway *gw, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (f == NULL) {
        return NULL;
    }
    const gw_counters *n = &gw->n;
    fprintf(f,
            "{\"connections\":%u,\"connections_total\":%" PRIu64 ",\"requests\":%" PRIu64
            ",\"responses_done\":%" PRIu64 ",\"ops_in_flight\":%" PRIu64 ",\"ops_started\":%" PRIu64
            ",\"ops_canceled\":%" PRIu64 ",\"clients_gone\":%" PRIu64
            ",\"upstream_failed\":%" PRIu64 ",\"crc_mismatches\":%" PRIu64
            ",\"bytes_fetched\":%" PRIu64 ",\"bytes_written\":%" PRIu64 ",\"peak_ahead\":%" PRIu64
            ",\"bound\":%" PRIu64 ",\"chunk\":%" PRIu64 ",\n",
            gw->nconns, n->connections_total, n->requests, n->responses_done, n->ops_in_flight,
            n->ops_started, n->ops_canceled, n->clients_gone, n->upstream_failed, n->crc_mismatches,
            n->bytes_fetched, n->bytes_written, n->peak_ahead, gw->o.bound, gw->o.chunk);
    /* ossio's own counters: an account of the store's side that does not rely on ours */
    fprintf(f,
            "\"ossio\":{\"bytes_received\":%" PRIu64 ",\"requests_done\":%" PRIu64
            ",\"connections_open\":%" PRIu64 "},\n\"conns\":[\n",
            ossio_client_stat(gw->cl, OSSIO_STAT_BYTES_RECEIVED),
            ossio_client_stat(gw->cl, OSSIO_STAT_REQUESTS_DONE),
            ossio_client_stat(gw->cl, OSSIO_STAT_CONNECTIONS_OPEN));
    unsigned listed = 0;
    for (gw_conn *c = gw_first_conn(gw); c != NULL && listed < 1000; listed++) {
        gw_conn_stats(c, f);
        c = gw_next_conn(c);
        fputs(c != NULL && listed + 1 < 1000 ? ",\n" : "\n", f);
    }
    fputs("]}\n", f);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static void on_signal(struct ev_loop *loop, ev_signal *w, int revents)
{
    (void)w;
    (void)revents;
    ev_break(loop, EVBREAK_ALL);
}

static int listen_on(const char *spec, char *shown, size_t shown_len)
{
    char host[64] = "127.0.0.1";
    const char *colon = strrchr(spec, ':');
    const char *port = colon ? colon + 1 : spec;
    if (colon != NULL && (size_t)(colon - spec) < sizeof(host)) {
        snprintf(host, sizeof(host), "%.*s", (int)(colon - spec), spec);
    }
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)atoi(port));
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
        fprintf(stderr, "gateway: --listen wants IPv4:PORT, got %s\n", spec);
        return -1;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    socklen_t al = sizeof(a);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 511) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &al) != 0) {
        perror("gateway: listen");
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    snprintf(shown, shown_len, "%s:%u", host, ntohs(a.sin_port));
    return fd;
}

/* "4M", "512K", "1048576" → bytes; 0 on a malformed value. */
static uint64_t parse_size(const char *s)
{
    char *end = NULL;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s) {
        return 0;
    }
    switch (*end) {
    case 'K':
    case 'k':
        v <<= 10;
        end++;
        break;
    case 'M':
    case 'm':
        v <<= 20;
        end++;
        break;
    case 'G':
    case 'g':
        v <<= 30;
        end++;
        break;
    default:
        break;
    }
    return *end == '\0' ? (uint64_t)v : 0;
}

static void on_log(ossio_log_level level, const char *msg, void *ud)
{
    (void)ud;
    fprintf(stderr, "ossio[%d]: %s\n", (int)level, msg);
}

static int usage(void)
{
    fprintf(stderr, "usage: gateway [--config flink-conf.yaml] [-D key=value]... "
                    "[--listen HOST:PORT] [--bound SIZE] [--chunk SIZE] [--max-clients N] "
                    "[--idle-timeout SEC] [-v]\n");
    return 2;
}

/* Command line into |gw->o| and |cfg|; the listen address into *listen. */
static int parse_args(int argc, char **argv, gateway *gw, ossio_config *cfg, const char **listen)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "-v") == 0) {
            gw->o.verbose = 1;
            continue;
        }
        if (v == NULL) {
            return usage();
        }
        i++;
        if (strcmp(a, "-D") == 0) {
            char key[256];
            const char *eq = strchr(v, '=');
            if (eq == NULL || (size_t)(eq - v) >= sizeof(key)) {
                return usage();
            }
            snprintf(key, sizeof(key), "%.*s", (int)(eq - v), v);
            if (ossio_config_set(cfg, key, eq + 1) != OSSIO_OK) {
                fprintf(stderr, "gateway: %s\n", ossio_config_error(cfg));
                return 2;
            }
        } else if (strcmp(a, "--config") == 0) {
            if (ossio_config_load_flink(cfg, v) != OSSIO_OK) {
                fprintf(stderr, "gateway: %s: %s\n", v, ossio_config_error(cfg));
                return 2;
            }
        } else if (strcmp(a, "--listen") == 0) {
            *listen = v;
        } else if (strcmp(a, "--bound") == 0) {
            gw->o.bound = parse_size(v);
        } else if (strcmp(a, "--chunk") == 0) {
            gw->o.chunk = parse_size(v);
        } else if (strcmp(a, "--max-clients") == 0) {
            gw->o.max_clients = (unsigned)atoi(v);
        } else if (strcmp(a, "--idle-timeout") == 0) {
            gw->o.idle_timeout = atof(v);
        } else {
            return usage();
        }
    }
    if (gw->o.chunk == 0 || gw->o.bound < gw->o.chunk || gw->o.max_clients == 0) {
        fprintf(stderr, "gateway: need 0 < --chunk <= --bound and --max-clients > 0\n");
        return 2;
    }
    return 0;
}

/* Closes every connection (canceling what they fetch), then the client. */
static void shut_down(gateway *gw, ev_signal *sigs, size_t nsigs)
{
    while (gw_first_conn(gw) != NULL) {
        gw_conn_close(gw_first_conn(gw));
    }
    ossio_client_destroy(gw->cl); /* canceled operations complete now: their records are freed */
    ev_io_stop(gw->loop, &gw->accept_w);
    close(gw->lfd);
    gw->lfd = -1;
    for (size_t i = 0; i < nsigs; i++) {
        ev_signal_stop(gw->loop, &sigs[i]);
    }
    ev_loop_destroy(gw->loop);
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN); /* sends use MSG_NOSIGNAL too; this covers ossio's sockets */
    gateway gw;
    memset(&gw, 0, sizeof(gw));
    gw.o.bound = 4u << 20;
    gw.o.chunk = 1u << 20;
    gw.o.max_clients = 1024;
    gw.o.idle_timeout = 60;
    const char *listen_spec = "127.0.0.1:8080";
    ossio_config *cfg = ossio_config_new();
    if (cfg == NULL) {
        return 1;
    }
    ossio_config_load_defaults(cfg); /* $FLINK_CONF_DIR, $HADOOP_CONF_DIR, OSS_* */
    int rc = parse_args(argc, argv, &gw, cfg, &listen_spec);
    const char *dialect = ossio_config_get(cfg, "fs.oss.dialect");
    gw.o.scheme = dialect != NULL && strcmp(dialect, "s3") == 0 ? "s3" : "oss";
    char shown[96];
    gw.lfd = rc == 0 ? listen_on(listen_spec, shown, sizeof(shown)) : -1;
    gw.loop = ev_default_loop(0);
    ossio_status st = OSSIO_ENOMEM;
    if (gw.lfd >= 0 && gw.loop != NULL) {
        st = ossio_client_new(&gw.cl, cfg, gw.loop); /* ossio adds its watchers to our loop */
    }
    ossio_config_free(cfg);
    if (st != OSSIO_OK) {
        if (rc == 0 && gw.lfd >= 0) {
            fprintf(stderr, "gateway: %s\n", ossio_strerror(st));
        }
        if (gw.lfd >= 0) {
            close(gw.lfd);
        }
        if (gw.loop != NULL) {
            ev_loop_destroy(gw.loop);
        }
        return rc != 0 ? rc : 1;
    }
    if (gw.o.verbose) {
        ossio_client_set_log(gw.cl, on_log, OSSIO_LOG_INFO, NULL);
    }
    ev_io_init(&gw.accept_w, on_accept, gw.lfd, EV_READ);
    gw.accept_w.data = &gw;
    ev_io_start(gw.loop, &gw.accept_w);
    ev_signal sigs[2];
    ev_signal_init(&sigs[0], on_signal, SIGINT);
    ev_signal_init(&sigs[1], on_signal, SIGTERM);
    ev_signal_start(gw.loop, &sigs[0]);
    ev_signal_start(gw.loop, &sigs[1]);
    printf("gateway: listening on http://%s (bound %" PRIu64 " bytes per client, %" PRIu64
           "-byte ranges)\n",
           shown, gw.o.bound, gw.o.chunk);
    fflush(stdout);

    ev_run(gw.loop, 0);

    shut_down(&gw, sigs, 2);
    if (gw.o.verbose) {
        fprintf(stderr, "gateway: stopped after %" PRIu64 " requests\n", gw.n.requests);
    }
    return 0;
}

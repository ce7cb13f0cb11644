/* The per-address part of `ossio bench`'s report: how the run's connections
 * and requests spread over the servers' addresses (ossio_client_addr_stat). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "cli.h"

void bench_addrs_collect(ossio_client *cl, bench_result *r)
{
    free(r->addrs);
    r->addrs = NULL;
    r->n_addrs = 0;
    size_t n = ossio_client_addr_count(cl);
    if (n == 0 || (r->addrs = calloc(n, sizeof(*r->addrs))) == NULL) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (ossio_client_addr_stat(cl, i, &r->addrs[r->n_addrs], sizeof(*r->addrs)) == OSSIO_OK) {
            r->n_addrs++;
        }
    }
}

void bench_addrs_text(FILE *f, const bench_result *r)
{
    for (size_t i = 0; i < r->n_addrs; i++) {
        const ossio_addr_stat *a = &r->addrs[i];
        fprintf(f,
                "address      %s (%s:%u): connections %" PRIu64 ", requests %" PRIu64
                ", %.1f MiB, failures %" PRIu64,
                a->address, a->host, (unsigned)a->port, a->connections_opened, a->requests,
                (double)a->bytes / (1 << 20), a->failures);
        if (a->set_aside) {
            fprintf(f, ", set aside for %.1f s", (double)a->set_aside_ms / 1e3);
        } else if (a->set_asides > 0) {
            fprintf(f, ", set aside %" PRIu64 " times", a->set_asides);
        }
        fputc('\n', f);
    }
}

void bench_addrs_json(FILE *f, cli_json *j, const bench_result *r)
{
    cli_json_key(j, "addresses");
    fputc('[', f);
    for (size_t i = 0; i < r->n_addrs; i++) {
        const ossio_addr_stat *a = &r->addrs[i];
        if (i > 0) {
            fputc(',', f);
        }
        cli_json o;
        cli_json_begin(&o, f);
        cli_json_str(&o, "address", a->address);
        cli_json_str(&o, "host", a->host);
        cli_json_u64(&o, "port", a->port);
        cli_json_bool(&o, "current", a->current);
        cli_json_u64(&o, "connections_opened", a->connections_opened);
        cli_json_u64(&o, "requests", a->requests);
        cli_json_u64(&o, "bytes", a->bytes);
        cli_json_u64(&o, "failures", a->failures);
        cli_json_u64(&o, "set_asides", a->set_asides);
        cli_json_bool(&o, "set_aside", a->set_aside);
        cli_json_u64(&o, "set_aside_ms", a->set_aside_ms);
        cli_json_end(&o);
    }
    fputc(']', f);
}

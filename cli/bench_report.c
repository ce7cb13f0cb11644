/* ossio bench's output: the text report, the --json document (schema in
 * docs/cli.md) and the --plot chart drawn by gnuplot from two data files. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define GIB ((double)(UINT64_C(1) << 30))

static const double quantiles[] = {0.5, 0.9, 0.99, 0.999};
static const char *const qnames[] = {"p50", "p90", "p99", "p99.9"};

static double gib_of(const bench_result *r)
{
    return (double)bench_total(r, 1) / GIB;
}

void bench_report_text(FILE *f, const bench_plan *p, const bench_result *r)
{
    uint64_t bytes = bench_total(r, 1), ops = bench_total(r, 0);
    double secs = r->seconds > 0 ? r->seconds : 1e-9;
    fprintf(f, "workload     %s %s, ", p->name, p->object != NULL ? p->object : p->base);
    if (p->set != NULL) {
        fprintf(f, "whole objects");
    } else if (p->object != NULL && !p->ranged) {
        fprintf(f, "whole object");
    } else {
        fprintf(f, "%s %" PRIu64, p->ranged ? "ranges of" : "size", p->size);
    }
    fprintf(f, ", part size %" PRIu64 ", concurrency %u\n", p->part_size, p->concurrency);
    if (r->ranks > 0) {
        fprintf(f, "ranks        %u (processes, concurrency %u each; figures of all of them)\n",
                r->ranks, p->concurrency);
    }
    if (p->set != NULL) {
        fprintf(f, "keys         %" PRIu64 " distinct read, of %" PRIu64 " %s %s\n", r->keys,
                p->set->n, p->set->from != NULL ? "in" : "listed under",
                p->set->from != NULL ? p->set->from : p->base);
    }
    fprintf(f, "elapsed      %.3f s\n", r->seconds);
    fprintf(f, "throughput   %.3f GB/s  %.3f Gb/s  (%" PRIu64 " bytes)\n",
            (double)bytes / secs / 1e9, (double)bytes * 8 / secs / 1e9, bytes);
    fprintf(f, "operations   %" PRIu64 "  %.1f ops/s\n", ops, (double)ops / secs);
    fprintf(f, "%-7s %8s %8s %10s %10s %10s %10s %10s %7s %7s\n", "kind", "ops", "ops/s", "p50 ms",
            "p90 ms", "p99 ms", "p99.9 ms", "max ms", "errors", "retries");
    for (int k = 0; k < BENCH_KINDS; k++) {
        const bench_stats *s = &r->kind[k];
        if (s->ops == 0) {
            continue;
        }
        fprintf(f, "%-7s %8" PRIu64 " %8.1f", bench_kind_name((bench_kind)k), s->ops,
                (double)s->ops / secs);
        for (size_t q = 0; q < 4; q++) {
            fprintf(f, " %10.3f", bench_hist_quantile(&s->lat, quantiles[q]) * 1e3);
        }
        fprintf(f, " %10.3f %7" PRIu64 " %7" PRIu64 "\n", s->lat.max_s * 1e3, s->errors,
                s->retries);
        for (int i = 0; i < s->n_status; i++) {
            fprintf(f, "  errors   %s: %" PRIu64 "\n", ossio_status_name(s->status[i]),
                    s->status_count[i]);
        }
    }
    if (r->kind[BENCH_LIST].ops > 0) {
        fprintf(f, "listed       %" PRIu64 " entries\n", r->list_entries);
    }
    double gib = gib_of(r);
    fprintf(f, "client CPU   %.3f s", r->cpu_s);
    if (gib > 0) {
        fprintf(f, "  %.3f s/GiB", r->cpu_s / gib);
    }
    fprintf(f, "\npeak RSS     %.1f MiB (the generated source: %.1f MiB)\n", r->peak_rss_mib,
            p->data != NULL ? (double)p->size / (1 << 20) : 0.0);
    fprintf(f,
            "protocol     %s, connections opened %" PRIu64 " (h2 %" PRIu64 ", http/1.1 %" PRIu64
            "), requests replayed %" PRIu64 "\n",
            r->protocol != NULL ? r->protocol : "none", r->conns_opened, r->conns_h2, r->conns_h1,
            r->replayed);
    bench_addrs_text(f, r);
}

static void json_stats(FILE *f, const bench_stats *s, double secs)
{
    cli_json o;
    cli_json_begin(&o, f);
    cli_json_u64(&o, "ops", s->ops);
    cli_json_num(&o, "ops_per_s", (double)s->ops / secs);
    cli_json_u64(&o, "bytes", s->bytes);
    cli_json_u64(&o, "errors", s->errors);
    cli_json_u64(&o, "retries", s->retries);
    cli_json_key(&o, "latency_ms");
    cli_json l;
    cli_json_begin(&l, f);
    for (size_t q = 0; q < 4; q++) {
        cli_json_num(&l, qnames[q], bench_hist_quantile(&s->lat, quantiles[q]) * 1e3);
    }
    cli_json_num(&l, "max", s->lat.max_s * 1e3);
    cli_json_num(&l, "mean", s->lat.n ? s->lat.sum_s / (double)s->lat.n * 1e3 : 0.0);
    cli_json_end(&l);
    cli_json_key(&o, "errors_by_status");
    cli_json e;
    cli_json_begin(&e, f);
    for (int i = 0; i < s->n_status; i++) {
        cli_json_u64(&e, ossio_status_name(s->status[i]), s->status_count[i]);
    }
    cli_json_end(&e);
    cli_json_end(&o);
}

void bench_report_json(FILE *f, const bench_plan *p, const bench_result *r)
{
    uint64_t bytes = bench_total(r, 1), ops = bench_total(r, 0);
    double secs = r->seconds > 0 ? r->seconds : 1e-9;
    double gib = gib_of(r);
    cli_json j;
    cli_json_begin(&j, f);
    cli_json_str(&j, "command", "bench");
    cli_json_str(&j, "workload", p->name);
    cli_json_str(&j, "object", p->object);
    cli_json_str(&j, "prefix", p->base);
    cli_json_u64(&j, "size", p->size);
    cli_json_u64(&j, "part_size", p->part_size);
    cli_json_u64(&j, "concurrency", p->concurrency);
    if (r->ranks > 0) {
        cli_json_u64(&j, "ranks", r->ranks);
    }
    if (p->set != NULL) {
        cli_json_u64(&j, "keys", r->keys);
        cli_json_u64(&j, "key_set", p->set->n);
        cli_json_str(&j, "keys_from", p->set->from);
    }
    cli_json_u64(&j, "count", p->count);
    cli_json_num(&j, "duration_limit", p->duration);
    cli_json_num(&j, "seconds", r->seconds);
    cli_json_u64(&j, "bytes", bytes);
    cli_json_num(&j, "gbps", (double)bytes / secs / 1e9);
    cli_json_num(&j, "gbitps", (double)bytes * 8 / secs / 1e9);
    cli_json_u64(&j, "ops", ops);
    cli_json_num(&j, "ops_per_s", (double)ops / secs);
    cli_json_u64(&j, "errors", bench_errors(r));
    uint64_t retries = 0;
    for (int k = 0; k < BENCH_KINDS; k++) {
        retries += r->kind[k].retries;
    }
    cli_json_u64(&j, "retries", retries);
    cli_json_key(&j, "kinds");
    cli_json kinds;
    cli_json_begin(&kinds, f);
    for (int k = 0; k < BENCH_KINDS; k++) {
        if (r->kind[k].ops > 0) {
            cli_json_key(&kinds, bench_kind_name((bench_kind)k));
            json_stats(f, &r->kind[k], secs);
        }
    }
    cli_json_end(&kinds);
    cli_json_u64(&j, "list_entries", r->list_entries);
    cli_json_num(&j, "cpu_s", r->cpu_s);
    cli_json_num(&j, "cpu_s_per_gib", gib > 0 ? r->cpu_s / gib : 0.0);
    cli_json_num(&j, "peak_rss_mib", r->peak_rss_mib);
    cli_json_num(&j, "source_mib", p->data != NULL ? (double)p->size / (1 << 20) : 0.0);
    cli_json_str(&j, "protocol", r->protocol);
    cli_json_u64(&j, "connections_opened", r->conns_opened);
    cli_json_u64(&j, "connections_h2", r->conns_h2);
    cli_json_u64(&j, "connections_h1", r->conns_h1);
    cli_json_u64(&j, "requests_replayed", r->replayed);
    bench_addrs_json(f, &j, r);
    cli_json_key(&j, "timeline");
    fputc('[', f);
    for (size_t i = 0; i < r->n_slots; i++) {
        fprintf(f, "%s[%.1f,%" PRIu64 ",%" PRIu64 "]", i ? "," : "", (double)(i + 1) * BENCH_SLOT_S,
                r->slot_bytes[i], r->slot_ops[i]);
    }
    fputc(']', f);
    cli_json_end(&j);
    fputc('\n', f);
}

/* The gnuplot script: two plots, one above the other. */
static const char plot_script[] =
    "set terminal pngcairo size 1000,900 noenhanced\n"
    "set output '%s'\n"
    "set multiplot layout 2,1\n"
    "set title 'throughput over time (%.1f s slots)'\n"
    "set xlabel 'seconds'\nset ylabel 'GB/s'\nset y2label 'ops/s'\nset y2tics\nset grid\n"
    "plot '%s' using 1:2 with steps title 'GB/s', '' using 1:3 axes x1y2 with steps title 'ops/s'\n"
    "set title 'latency distribution'\nunset y2label\nunset y2tics\n"
    "set xlabel 'latency ms'\nset ylabel 'fraction of operations at or below'\nset logscale x\n"
    "set yrange [0:1]\nset key bottom right\n"
    "plot for [i=0:%d] '%s' index i using 1:2 with steps title columnheader(1)\n"
    "unset multiplot\n";

static int have_gnuplot(void)
{
    return system("command -v gnuplot >/dev/null 2>&1") == 0;
}

int bench_plot(cli *c, const bench_result *r, const char *png)
{
    if (!have_gnuplot()) {
        return cli_fail_status(c, png, OSSIO_ENOTSUP,
                               "--plot needs gnuplot (Debian: apt-get install gnuplot-nox)");
    }
    char dir[] = "/tmp/ossio-plot-XXXXXX";
    if (mkdtemp(dir) == NULL) {
        return cli_fail_status(c, png, OSSIO_EIO, "cannot make a temporary directory");
    }
    char tl[64], lat[64], gp[64];
    snprintf(tl, sizeof(tl), "%s/timeline.dat", dir);
    snprintf(lat, sizeof(lat), "%s/latency.dat", dir);
    snprintf(gp, sizeof(gp), "%s/plot.gp", dir);
    FILE *f = fopen(tl, "w");
    FILE *g = fopen(lat, "w");
    FILE *s = fopen(gp, "w");
    int rc = f != NULL && g != NULL && s != NULL ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < r->n_slots; i++) {
        fprintf(f, "%.2f %.6f %.1f\n", (double)i * BENCH_SLOT_S,
                (double)r->slot_bytes[i] / BENCH_SLOT_S / 1e9,
                (double)r->slot_ops[i] / BENCH_SLOT_S);
    }
    if (rc == 0 && r->n_slots > 0) {
        fprintf(f, "%.2f 0 0\n", (double)r->n_slots * BENCH_SLOT_S);
    }
    int blocks = 0;
    for (int k = 0; rc == 0 && k < BENCH_KINDS; k++) {
        const bench_hist *h = &r->kind[k].lat;
        if (h->n == 0) {
            continue;
        }
        fprintf(g, "%s%s\n", blocks++ ? "\n\n" : "", bench_kind_name((bench_kind)k));
        uint64_t seen = 0;
        for (size_t b = 0; b < BENCH_HIST_BUCKETS; b++) {
            if (h->counts[b] == 0) {
                continue;
            }
            seen += h->counts[b];
            double q = (double)seen / (double)h->n;
            fprintf(g, "%.6f %.6f\n", bench_hist_quantile(h, q) * 1e3, q);
        }
    }
    if (rc == 0) {
        fprintf(s, plot_script, png, BENCH_SLOT_S, tl, blocks > 0 ? blocks - 1 : 0, lat);
    }
    rc |= f != NULL && fclose(f) != 0 ? -1 : 0;
    rc |= g != NULL && fclose(g) != 0 ? -1 : 0;
    rc |= s != NULL && fclose(s) != 0 ? -1 : 0;
    char cmd[160];
    snprintf(cmd, sizeof(cmd), "gnuplot %s 2>%s/err", gp, dir);
    int st = rc == 0 && blocks > 0 ? system(cmd) : -1;
    if (st != 0) {
        char why[200] = "no successful operation to plot";
        snprintf(cmd, sizeof(cmd), "%s/err", dir);
        FILE *e = fopen(cmd, "r");
        if (blocks > 0) {
            snprintf(why, sizeof(why), "gnuplot failed");
        }
        if (e != NULL && fgets(why, sizeof(why), e) != NULL) {
            why[strcspn(why, "\n")] = '\0';
        }
        if (e != NULL) {
            fclose(e);
        }
        rc = cli_fail_status(c, png, OSSIO_EIO, why);
    }
    unlink(tl);
    unlink(lat);
    unlink(gp);
    snprintf(cmd, sizeof(cmd), "%s/err", dir);
    unlink(cmd);
    rmdir(dir);
    return rc;
}

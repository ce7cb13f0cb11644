/* The progress bar of cp and cat: bytes, rate, ETA, files and transfers or
 * parts in flight, redrawn in place on stderr at most ten times a second. */
#include <stdio.h>
#include <unistd.h>

#include "cli.h"

void cli_progress_init(cli_progress *p, const cli *c, int stdout_used)
{
    *p = (cli_progress){0};
    p->on =
        !c->quiet && !c->json && isatty(STDERR_FILENO) && !(stdout_used && isatty(STDOUT_FILENO));
    p->start = ev_time();
}

/* "12.3 MiB" */
static void human(char *out, size_t len, double v)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    size_t u = 0;
    while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
        v /= 1024;
        u++;
    }
    snprintf(out, len, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
}

void cli_progress_draw(cli_progress *p, int force)
{
    if (!p->on) {
        return;
    }
    double now = ev_time();
    if (!force && now - p->last_draw < 0.1) {
        return;
    }
    p->last_draw = now;
    double secs = now - p->start;
    double rate = secs > 0 ? (double)p->done / secs : 0;
    char done[32], total[32], speed[32], eta[32] = "--:--";
    human(done, sizeof(done), (double)p->done);
    human(total, sizeof(total), (double)p->total);
    human(speed, sizeof(speed), rate);
    if (rate > 0 && p->total >= p->done) {
        unsigned long s = (unsigned long)((double)(p->total - p->done) / rate);
        snprintf(eta, sizeof(eta), "%lu:%02lu", s / 60, s % 60);
    }
    char bar[31];
    unsigned fill = p->total > 0 ? (unsigned)((double)p->done * 30 / (double)p->total) : 0;
    for (unsigned i = 0; i < 30; i++) {
        bar[i] = i < fill ? '#' : '.';
    }
    bar[30] = '\0';
    unsigned pct = p->total > 0 ? (unsigned)((double)p->done * 100 / (double)p->total) : 0;
    fprintf(stderr, "\r[%s] %3u%% %s / %s  %s/s  ETA %s", bar, pct > 100 ? 100 : pct, done, total,
            speed, eta);
    if (p->files_total > 1) {
        fprintf(stderr, "  files %u/%u  in flight %u", p->files_done, p->files_total, p->in_flight);
    } else if (p->parts > 1) {
        fprintf(stderr, "  parts %u", p->parts);
    }
    fputs("\033[K", stderr);
    fflush(stderr);
    p->drawn = 1;
}

void cli_progress_finish(cli_progress *p)
{
    if (p->on && p->drawn) {
        cli_progress_draw(p, 1);
        fputc('\n', stderr);
    }
}

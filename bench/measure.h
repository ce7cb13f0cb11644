/* What every benchmark measures about itself: wall time, CPU seconds
 * (getrusage user+sys) and peak RSS, as DESIGN.md's method asks. */
#ifndef OSSIO_BENCH_MEASURE_H
#define OSSIO_BENCH_MEASURE_H

#include <sys/resource.h>
#include <time.h>

static inline double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

static inline double peak_rss_mib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0; /* Linux: KiB */
}

#endif /* OSSIO_BENCH_MEASURE_H */

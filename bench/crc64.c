/* Benchmark of ossio_crc64() and ossio_crc64_combine(), public API only.
 *
 * Checks correctness first (check string; combine of the buffer's two halves
 * against the whole), then times R passes of ossio_crc64() over one buffer and
 * reports the median throughput, the process's CPU seconds per GiB hashed
 * (getrusage user+sys over the timed passes), peak RSS (ru_maxrss), and the
 * median rate of ossio_crc64_combine() calls for len2 = 8 MiB.
 *
 *   crc64 [--size MiB] [--reps R] [--file PATH] [--json]
 *
 * --file hashes the bytes of PATH instead of generated random bytes (used by
 * crc64-compare.sh so that the peer hashes the same data). GB/s is 1e9 bytes
 * per second. Exits 1 if a correctness check fails, 2 on a usage or I/O error.
 * A benchmark, never a pass/fail test: see bench/README.md. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <ossio.h>

#include "measure.h"

#define MIB ((size_t)1 << 20)
#define GIB ((double)(1u << 30))
#define COMBINE_LEN2 ((uint64_t)8 << 20)
#define COMBINE_MIN_SECONDS 0.25
#define MAX_REPS 1000

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/* splitmix64: fast, seeded, good enough to make the bytes incompressible. */
static void fill_random(unsigned char *buf, size_t len)
{
    uint64_t s = 0x6f7373696f2d6263u; /* fixed seed: same bytes every run */
    for (size_t i = 0; i < len; i += 8) {
        uint64_t z = (s += 0x9e3779b97f4a7c15u);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
        z ^= z >> 31;
        size_t n = len - i < 8 ? len - i : 8;
        memcpy(buf + i, &z, n);
    }
}

static unsigned char *load_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    long end;
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (end = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "crc64: %s: %s\n", path, strerror(errno));
        goto fail;
    }
    if (end == 0) {
        fprintf(stderr, "crc64: %s: empty file\n", path);
        goto fail;
    }
    *len = (size_t)end;
    buf = malloc(*len);
    if (buf == NULL) {
        fprintf(stderr, "crc64: out of memory\n");
        goto fail;
    }
    if (fread(buf, 1, *len, f) != *len) {
        fprintf(stderr, "crc64: %s: short read\n", path);
        goto fail;
    }
    fclose(f);
    return buf;
fail:
    free(buf);
    if (f != NULL) {
        fclose(f);
    }
    return NULL;
}

static int parse_count(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v == 0 || v > max) {
        return -1;
    }
    *out = v;
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: crc64 [--size MiB] [--reps R] [--file PATH] [--json]\n");
}

int main(int argc, char **argv)
{
    unsigned long size_mib = 256, reps = 5;
    const char *file = NULL;
    int json = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "--size") == 0 && i + 1 < argc) {
            if (parse_count(argv[++i], 1ul << 20, &size_mib) != 0) {
                usage();
                return 2;
            }
        } else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
            if (parse_count(argv[++i], MAX_REPS, &reps) != 0) {
                usage();
                return 2;
            }
        } else if (strcmp(argv[i], "--file") == 0 && i + 1 < argc) {
            file = argv[++i];
        } else {
            usage();
            return 2;
        }
    }

    size_t len;
    unsigned char *buf;
    if (file != NULL) {
        buf = load_file(file, &len);
        if (buf == NULL) {
            return 2;
        }
    } else {
        len = (size_t)size_mib * MIB;
        buf = malloc(len);
        if (buf == NULL) {
            fprintf(stderr, "crc64: cannot allocate %lu MiB\n", size_mib);
            return 2;
        }
        fill_random(buf, len);
    }

    /* Correctness before timing; also the untimed warm-up pass. */
    uint64_t check = ossio_crc64(0, "123456789", 9);
    if (check != UINT64_C(0x995dc9bbdf1939fa)) {
        fprintf(stderr, "crc64: check string gives 0x%016" PRIx64 ", want 0x995dc9bbdf1939fa\n",
                check);
        free(buf);
        return 1;
    }
    size_t half = len / 2;
    uint64_t crc_a = ossio_crc64(0, buf, half);
    uint64_t crc_b = ossio_crc64(0, buf + half, len - half);
    uint64_t crc_all = ossio_crc64(0, buf, len);
    uint64_t crc_comb = ossio_crc64_combine(crc_a, crc_b, (uint64_t)(len - half));
    if (crc_comb != crc_all) {
        fprintf(stderr,
                "crc64: combine(crc(A), crc(B), %zu) = 0x%016" PRIx64
                " but crc(A||B) = 0x%016" PRIx64 "\n",
                len - half, crc_comb, crc_all);
        free(buf);
        return 1;
    }

    /* ossio_crc64() throughput: R timed passes over the whole buffer. */
    double gbps[MAX_REPS];
    double cpu0 = cpu_s();
    for (unsigned long r = 0; r < reps; r++) {
        double t0 = now_s();
        uint64_t c = ossio_crc64(0, buf, len);
        double dt = now_s() - t0;
        if (c != crc_all) {
            fprintf(stderr, "crc64: pass %lu gave a different CRC\n", r);
            free(buf);
            return 1;
        }
        gbps[r] = (double)len / dt / 1e9;
    }
    double cpu_per_gib = (cpu_s() - cpu0) / ((double)len * (double)reps / GIB);
    double gbps_med = median(gbps, reps);

    /* ossio_crc64_combine() rate for len2 = 8 MiB; chained so each call depends
     * on the previous one and none can be skipped. */
    double cps[MAX_REPS];
    uint64_t acc = crc_a;
    for (unsigned long r = 0; r < reps; r++) {
        unsigned long calls = 0;
        double t0 = now_s(), dt;
        do {
            for (int k = 0; k < 1024; k++) {
                acc = ossio_crc64_combine(acc, crc_b, COMBINE_LEN2);
            }
            calls += 1024;
            dt = now_s() - t0;
        } while (dt < COMBINE_MIN_SECONDS);
        cps[r] = (double)calls / dt;
    }
    double cps_med = median(cps, reps);
    double rss = peak_rss_mib();

    const char *isal = ossio_version_dep("isa-l");
    if (isal == NULL) {
        isal = "unknown";
    }
    if (json) {
        printf("{\"tool\":\"ossio\",\"ossio_version\":\"%s\",\"isal_version\":\"%s\","
               "\"size_bytes\":%zu,\"reps\":%lu,\"crc64\":\"%" PRIu64 "\","
               "\"crc64_gbps_median\":%.3f,\"cpu_s_per_gib\":%.4f,"
               "\"combine_len2_bytes\":%" PRIu64 ",\"combine_calls_per_s_median\":%.0f,"
               "\"peak_rss_mib\":%.1f,\"combine_sink\":\"%016" PRIx64 "\"}\n",
               ossio_version(), isal, len, reps, crc_all, gbps_med, cpu_per_gib, COMBINE_LEN2,
               cps_med, rss, acc);
    } else {
        printf("ossio_version %s\n", ossio_version());
        printf("isal_version %s\n", isal);
        printf("size_bytes %zu\n", len);
        printf("reps %lu\n", reps);
        printf("crc64 %" PRIu64 "\n", crc_all);
        printf("crc64_gbps_median %.3f\n", gbps_med);
        printf("cpu_s_per_gib %.4f\n", cpu_per_gib);
        printf("combine_len2_bytes %" PRIu64 "\n", COMBINE_LEN2);
        printf("combine_calls_per_s_median %.0f\n", cps_med);
        printf("peak_rss_mib %.1f\n", rss);
        printf("combine_sink %016" PRIx64 "\n", acc);
    }
    free(buf);
    return 0;
}

/* Prints the CRC-64/ECMA-182 of files (or stdin) in the decimal form OSS uses
 * in x-oss-hash-crc64ecma, computed with ossio_crc64(); like md5sum. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <ossio.h>

static int sum(FILE *f, uint64_t *crc)
{
    static unsigned char buf[1 << 16];
    size_t n;
    *crc = 0;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
        *crc = ossio_crc64(*crc, buf, n);
    }
    return ferror(f) ? -1 : 0;
}

int main(int argc, char **argv)
{
    int rc = 0;
    uint64_t crc;
    if (argc < 2) {
        if (sum(stdin, &crc) != 0) {
            fprintf(stderr, "crc64sum: stdin: %s\n", strerror(errno));
            return 1;
        }
        printf("%" PRIu64 "  -\n", crc);
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (f == NULL || sum(f, &crc) != 0) {
            fprintf(stderr, "crc64sum: %s: %s\n", argv[i], strerror(errno));
            rc = 1;
        } else {
            printf("%" PRIu64 "  %s\n", crc, argv[i]);
        }
        if (f != NULL) {
            fclose(f);
        }
    }
    return rc;
}

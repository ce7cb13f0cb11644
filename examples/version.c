/* Prints the ossio version and the run-time version of each dependency;
 * the smallest program that links ossio. */
#include <stdio.h>
#include <string.h>

#include <ossio.h>

int main(void)
{
    printf("ossio %s\n", ossio_version());
    if (strcmp(ossio_version(), OSSIO_VERSION) != 0) {
        fprintf(stderr, "header %s does not match library %s\n", OSSIO_VERSION, ossio_version());
        return 1;
    }
    for (const char *const *name = ossio_version_deps(); *name; name++) {
        printf("  %-12s %s\n", *name, ossio_version_dep(*name));
    }
    return 0;
}

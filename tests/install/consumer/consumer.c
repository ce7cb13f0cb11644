/* Consumer of an installed ossio: checks the header, the library and the
 * version the build system expected all agree. */
#include <stdio.h>
#include <string.h>

#include <ossio.h>

int main(void)
{
    printf("ossio %s\n", ossio_version());
    if (strcmp(ossio_version(), OSSIO_VERSION) != 0 ||
        strcmp(OSSIO_VERSION, OSSIO_EXPECTED_VERSION) != 0) {
        fprintf(stderr, "version mismatch: library %s, header %s, expected %s\n", ossio_version(),
                OSSIO_VERSION, OSSIO_EXPECTED_VERSION);
        return 1;
    }
    return 0;
}

/* Fuzzes cp --resume's checkpoint parser (cli/checkpoint.c), fed bytes as
 * a damaged or hostile .ossio-ucp file would be: any input is refused with a
 * reason or parses into a checkpoint that formats back to the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cli_ucp u;
    char why[200];
    why[0] = '\0';
    if (cli_ucp_parse(&u, (const char *)data, size, why, sizeof(why)) != 0) {
        if (why[0] == '\0' || u.source != NULL || u.parts != NULL) {
            abort(); /* a refusal says why and holds nothing */
        }
        return 0;
    }
    for (size_t i = 1; i < u.n_parts; i++) {
        if (u.parts[i - 1].number >= u.parts[i].number) {
            abort();
        }
    }
    size_t len = 0;
    char *text = cli_ucp_format(&u, &len);
    if (text == NULL || len != size || memcmp(text, data, size) != 0) {
        abort(); /* the format is canonical: what parses is what was written */
    }
    free(text);
    cli_ucp_free(&u);
    return 0;
}

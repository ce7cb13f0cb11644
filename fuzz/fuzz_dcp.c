/* Fuzzes cp --resume's download checkpoint parser (cli/dcp.c), fed bytes as
 * a damaged or hostile .ossio-dcp file would be: any input is refused with a
 * reason or parses into a checkpoint that formats back to the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cli_dcp d;
    char why[200];
    why[0] = '\0';
    if (cli_dcp_parse(&d, (const char *)data, size, why, sizeof(why)) != 0) {
        if (why[0] == '\0' || d.source != NULL || d.parts != NULL) {
            abort(); /* a refusal says why and holds nothing */
        }
        return 0;
    }
    for (size_t i = 0; i < d.n_parts; i++) {
        const cli_dcp_part *p = &d.parts[i];
        uint64_t off = (uint64_t)(p->number - 1) * d.part_size;
        if ((i > 0 && d.parts[i - 1].number >= p->number) || p->size == 0 ||
            p->size > d.part_size || off >= d.size || p->size > d.size - off) {
            abort(); /* every part lies inside the object, in order */
        }
    }
    size_t len = 0;
    char *text = cli_dcp_format(&d, &len);
    if (text == NULL || len != size || memcmp(text, data, size) != 0) {
        abort(); /* the format is canonical: what parses is what was written */
    }
    free(text);
    cli_dcp_free(&d);
    return 0;
}

/* The libFuzzer entry point every fuzz target defines; replay_main.c calls it
 * for each corpus file when the target is built without libFuzzer. */
#ifndef OSSIO_FUZZ_H
#define OSSIO_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* OSSIO_FUZZ_H */

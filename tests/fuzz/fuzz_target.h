/* The libFuzzer entry point the fuzz targets define. replay.c runs a target
 * in `meson test` on a corpus and deterministic mutations of it; the same
 * target links with clang -fsanitize=fuzzer for coverage-guided runs
 * (docs/fuzzing.md). Returns 0 for an input it accepted, -1 otherwise. */
#ifndef EMU_TESTS_FUZZ_TARGET_H
#define EMU_TESTS_FUZZ_TARGET_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif

/*
 * fuzz.h - what the libFuzzer harnesses share.  Each harness defines
 * LLVMFuzzerTestOneInput; built with -fsanitize=fuzzer it is a fuzzer,
 * linked with replay.c it replays saved inputs (tests/regress) in every
 * build.  Invariants the harnesses check end in abort(), which both the
 * fuzzer and the replay test report.
 */
#ifndef CAPPLAN_FUZZ_H
#define CAPPLAN_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts with a message when COND is false. */
#define FUZZ_ASSERT(cond)                                                      \
  do {                                                                         \
    if (!(cond))                                                               \
      fuzz_fail(#cond, __FILE__, __LINE__);                                    \
  } while (0)

void fuzz_fail(const char *what, const char *file, int line);

#endif

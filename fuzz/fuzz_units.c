/*
 * fuzz_units.c - the quantity parser.  The first byte picks the kind; the
 * rest is the text.  Invariants: a parsed value is finite and never -0; an
 * error points inside (or just past) the text.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "units.h"

void fuzz_fail(const char *what, const char *file, int line) {
  fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
  abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  enum unit_kind kind = (enum unit_kind)(data[0] % 8);
  const char *text = (const char *)data + 1;
  size_t len = size - 1;
  double v = 0;
  unit_error err;
  if (units_parse(text, len, kind, "key", &v, &err) == 0) {
    FUZZ_ASSERT(isfinite(v));
    FUZZ_ASSERT(!(v == 0 && signbit(v)));
  } else {
    FUZZ_ASSERT(err.offset <= len);
    FUZZ_ASSERT(err.len >= 1);
    FUZZ_ASSERT(err.message[0] != '\0');
  }
  return 0;
}

/*
 * fuzz_units.c - the quantity parser.  The first byte picks the kind; the
 * rest is the text.  Invariants: a parsed value is finite and never -0; an
 * error points inside (or just past) the text; the same for the text read
 * as a range or distribution.
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
  enum unit_kind kind = (enum unit_kind)(data[0] % (UNIT_GROWTH + 1));
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
  /* The same text as a range or distribution: finite values, in order. */
  qdist q;
  if (units_is_dist(text, len)) {
    if (units_parse_dist(text, len, kind, "key", &q, &err) == 0) {
      FUZZ_ASSERT(q.n == 2 || q.n == 3);
      for (size_t i = 0; i < q.n; i++) {
        FUZZ_ASSERT(isfinite(q.v[i]));
        FUZZ_ASSERT(q.off[i] + q.len[i] <= len);
      }
    } else {
      FUZZ_ASSERT(err.offset <= len);
      FUZZ_ASSERT(err.len >= 1);
      FUZZ_ASSERT(err.message[0] != '\0');
    }
  }
  return 0;
}

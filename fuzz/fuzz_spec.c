/*
 * fuzz_spec.c - the spec loader on an in-memory buffer, with the
 * diagnostics rendered as the CLI would.  Invariants: a spec that loads
 * has no errors; a spec that does not has at least one.
 */
#include <stdio.h>
#include <stdlib.h>

#include "capplan.h"
#include "fuzz.h"

void fuzz_fail(const char *what, const char *file, int line) {
  fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
  abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  capplan_source *src =
      capplan_source_new("fuzz.yaml", (const char *)data, size);
  capplan_diags d;
  capplan_diags_init(&d, src);
  capplan_spec *spec = capplan_spec_load(src, NULL, &d);
  FUZZ_ASSERT(spec ? d.errors == 0 : d.errors > 0);
  capplan_graph *g = spec ? capplan_graph_build(spec, &d) : NULL;
  capplan_diags_sort(&d);
  capplan_buf out;
  capplan_buf_init(&out);
  capplan_diags_render(&d, true, &out);
  capplan_buf_release(&out);
  capplan_graph_free(g);
  capplan_spec_free(spec);
  capplan_diags_release(&d);
  capplan_source_free(src);
  return 0;
}

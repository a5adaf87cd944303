/*
 * fuzz_spec.c - the spec loader on an in-memory buffer, with the
 * model resolved from it and the diagnostics rendered as the CLI would.
 * Invariants: a spec (or model) that loads has no errors; one that does
 * not has at least one.
 */
#include <stdio.h>
#include <stdlib.h>

#include "capplan.h"
#include "fuzz.h"
#include "model.h"
#include "spec.h"
#include "workload.h"

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
  if (spec)
    workload_apply(spec, NULL, &d); /* `kind:` (workload.h) */
  capplan_model *m = spec && d.errors == 0 ? model_resolve(spec, &d) : NULL;
  FUZZ_ASSERT(m ? d.errors == 0 : !spec || d.errors > 0);
  capplan_diags_sort(&d);
  capplan_buf out;
  capplan_buf_init(&out);
  capplan_diags_render(&d, true, &out);
  capplan_buf_release(&out);
  model_free(m);
  capplan_spec_free(spec);
  capplan_diags_release(&d);
  capplan_source_free(src);
  return 0;
}

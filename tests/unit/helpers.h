/*
 * helpers.h - shared by the cmocka unit tests: run the pipeline on a YAML
 * string and find things in the result.
 */
#ifndef CAPPLAN_TEST_HELPERS_H
#define CAPPLAN_TEST_HELPERS_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "capplan.h"

/* The pipeline's result on TEXT; *D receives the diagnostics and must be
 * released by the caller, as must the returned source. */
typedef struct run_result {
  capplan_source *src;
  capplan_diags d;
  capplan_report *r;
} run_result;

static inline run_result run_yaml(const char *text) {
  run_result x;
  x.src = capplan_source_new("test.yaml", text, strlen(text));
  capplan_diags_init(&x.d, x.src);
  x.r = capplan_run(x.src, NULL, NULL, &x.d);
  return x;
}

static inline void run_free(run_result *x) {
  capplan_report_free(x->r);
  capplan_diags_release(&x->d);
  capplan_source_free(x->src);
}

/* Fails the test, showing every diagnostic, unless the run succeeded. */
static inline const capplan_report *expect_report(run_result *x) {
  if (!x->r) {
    capplan_buf b;
    capplan_buf_init(&b);
    capplan_diags_render(&x->d, false, &b);
    print_error("unexpected diagnostics:\n%s", b.data ? b.data : "");
    capplan_buf_release(&b);
    fail();
  }
  return x->r;
}

static inline const capplan_stage_result *stage(const capplan_report *r,
                                                const char *name) {
  for (size_t i = 0; i < r->n_stages; i++)
    if (!strcmp(r->stages[i].name, name))
      return &r->stages[i];
  print_error("no stage '%s' in the report\n", name);
  fail();
  return NULL;
}

/* True if some diagnostic's message contains NEEDLE. */
static inline int has_diag(const capplan_diags *d, const char *needle) {
  for (size_t i = 0; i < d->count; i++)
    if (strstr(d->items[i].message, needle))
      return 1;
  return 0;
}

static inline void expect_diag(const capplan_diags *d, const char *needle) {
  if (has_diag(d, needle))
    return;
  print_error("no diagnostic contains \"%s\"; got:\n", needle);
  for (size_t i = 0; i < d->count; i++)
    print_error("  %d:%d %s\n", d->items[i].loc.line, d->items[i].loc.col,
                d->items[i].message);
  fail();
}

/* |a - b| <= tol * max(1, |b|) */
static inline void expect_near(double a, double b, double tol) {
  double scale = fabs(b) > 1 ? fabs(b) : 1;
  if (fabs(a - b) <= tol * scale)
    return;
  print_error("expected %.17g, got %.17g\n", b, a);
  fail();
}

#endif

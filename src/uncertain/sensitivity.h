/*
 * sensitivity.h - one range at a time (SPEC.md section 8): each uncertain
 * input swung from its 5th to its 95th percentile with every other input
 * at its median, and the range each output then takes; largest swing of
 * the first output (cost) first: the bars of a tornado chart.  Private
 * to the library.
 */
#ifndef CAPPLAN_SENSITIVITY_H
#define CAPPLAN_SENSITIVITY_H

#include <stdbool.h>
#include <stddef.h>

#include "inputs.h"
#include "mc.h"
#include "plan.h"

/* The outputs a swing is measured on: one row each in sensitivity.c. */
#define SENS_OUTPUTS 2

typedef struct sens_item {
  const uinput *input;
  double lo, hi;              /* the input at p5 and p95 */
  double at_lo[SENS_OUTPUTS]; /* each output with the input at lo */
  double at_hi[SENS_OUTPUTS]; /* ... and at hi */
  double swing;               /* |at_hi - at_lo| of output 0 */
  bool failed;                /* a plan at lo or hi did not evaluate */
} sens_item;

typedef struct sens_result {
  const char *outputs[SENS_OUTPUTS]; /* "totals.cost_per_year", ... */
  const char *labels[SENS_OUTPUTS];  /* "cost/year", ... */
  enum fig_unit units[SENS_OUTPUTS];
  double base[SENS_OUTPUTS]; /* the plan at the medians */
  sens_item *items;          /* largest swing first */
  size_t n;
} sens_result;

/* Swings each ranged input of U over M at limits LIMITS.  Free with
 * sens_free() (accepts NULL). */
sens_result *sens_run(const capplan_model *m, const uinputs *u,
                      const check_limit *limits, size_t n_limits);
void sens_free(sens_result *s);

#endif

/*
 * report.h - what the pipeline runner produces: the model, the parameters
 * it was evaluated at, the plan, and (for 'explain') the working.  Every
 * renderer reads a report and nothing else.  Private to the library.
 */
#ifndef CAPPLAN_REPORT_H
#define CAPPLAN_REPORT_H

#include "model.h"
#include "plan.h"
#include "steps.h"

struct capplan_report {
  capplan_model *model;
  const params *p; /* the model's own parameters */
  plan *plan;
  steps *working;      /* NULL unless the run asked for it */
  check_limit *limits; /* plan_max_checks() of them */
  size_t n_limits;
  /* Uncertainty (uncertain/): the spec's ranges and the inputs a command
   * varies; Monte Carlo and sensitivity when asked (else NULL). */
  struct uinputs *inputs;
  struct mc_result *mc;
  struct sens_result *sens;
};

#endif

/*
 * uncertain.c - see uncertain.h.
 */
#include "uncertain.h"

#include <stdlib.h>

#include "format.h"
#include "inputs.h"
#include "mc.h"
#include "report.h"
#include "sensitivity.h"

void uncertain_run(capplan_report *r, const capplan_mc_opts *o,
                   capplan_diags *d) {
  if (!r->inputs || r->inputs->n_ranged == 0)
    return;
  mc_opts mo = {o->samples ? o->samples : UNCERTAIN_SAMPLES,
                o->seed,
                o->threads,
                o->confidence > 0 ? o->confidence : UNCERTAIN_CONFIDENCE,
                o->histogram,
                MC_AUTO};
  r->mc = mc_run(r->model, r->inputs, r->limits, r->n_limits, r->plan, &mo);
  const capplan_model *m = r->model;
  char a[FMT_SIZE], b[FMT_SIZE];
  if (r->mc->failed)
    capplan_diags_add(d, CAPPLAN_WARNING, m->stages_loc,
                      "narrow the ranges that reach so far; those trials "
                      "count as failing every check",
                      "%s of %s Monte Carlo trials drew inputs whose plan "
                      "has a figure no double holds",
                      fmt_count((double)r->mc->failed, a, sizeof a),
                      fmt_count((double)r->mc->samples, b, sizeof b));
  if (r->mc->infeasible)
    capplan_diags_add(d, CAPPLAN_WARNING, m->stages_loc,
                      "the figures count them as they are; see which stage "
                      "with 'capplan sweep'",
                      "%s of %s Monte Carlo trials have a stage that is "
                      "overloaded or cannot meet a constraint",
                      fmt_count((double)r->mc->infeasible, a, sizeof a),
                      fmt_count((double)r->mc->samples, b, sizeof b));
  if (o->sensitivity)
    r->sens = sens_run(r->model, r->inputs, r->limits, r->n_limits);
}

void uncertain_free(capplan_report *r) {
  uinputs_free(r->inputs);
  mc_free(r->mc);
  sens_free(r->sens);
}

bool uncertain_passed(const capplan_report *r) {
  return r->mc ? r->mc->passed : r->plan->passed;
}

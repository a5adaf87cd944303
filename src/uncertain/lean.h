/*
 * lean.h - plan_eval for Monte Carlo's inner loop: the same figures,
 * computed the same way (the same operations in the same order, through
 * the same functions: size_servers, capplan_ceil, avail_tails,
 * avail_share, avail_series), for the models most specs are: stand-alone
 * stages (no colocation group, cache tier, fallback or zones) with a
 * fixed or batch throughput model.  It writes only what Monte Carlo reads
 * from a plan: each stage's servers, GPUs, cost, latency, availability
 * and status, the totals and the checks; it keeps what does not vary
 * between trials; and it remembers k-of-n tails per pool in a table large
 * enough for the counts a million trials meet.
 *
 * A trial it cannot finish exactly as plan_eval would (a figure that
 * leaves the range a plan accepts) is handed back to plan_eval.  Monte
 * Carlo also checks its first trials against plan_eval, figure by
 * figure, and uses plan_eval alone if any differs (mc.c); so does a
 * model with a feature this file does not know.  Private to the library.
 */
#ifndef CAPPLAN_LEAN_H
#define CAPPLAN_LEAN_H

#include <stdbool.h>
#include <stddef.h>

#include "plan.h"

typedef struct lean lean;

/* A lean evaluator of M for one thread, or NULL when M has a feature it
 * does not handle.  Free with lean_free() (accepts NULL). */
lean *lean_new(const capplan_model *m);
void lean_free(lean *k);

/* Evaluates M at P into OUT's figures that Monte Carlo reads.  Returns
 * false when the trial needs plan_eval (OUT is then to be overwritten by
 * it). */
bool lean_eval(lean *k, const capplan_model *m, const params *p,
               const check_limit *limits, size_t n_limits, plan *out);

/* Whether A and B, evaluated from the same model and parameters, agree
 * bit for bit on every figure lean_eval writes. */
bool lean_same(const capplan_model *m, const plan *a, const plan *b);

#endif

/*
 * lean.h - plan_eval for Monte Carlo's inner loop, a block of trials at a
 * time: the same figures, computed the same way (the same operations in
 * the same order, through the same functions: capplan_ceil, avail_tails
 * and the small ones of availability.c), for the models most specs are:
 * stand-alone stages (no colocation group, cache tier, fallback or zones)
 * with a fixed or batch throughput model.
 *
 * A block is up to lean_block_len() trials.  The inputs that vary between
 * trials are named when the evaluator is made, by their addresses in a
 * parameter vector P; each has a column the caller fills with the
 * trial's values, and every other input is read from P, which must not
 * change while the evaluator lives (traffic given as a peak is taken
 * from it once, when it is made).  The evaluation
 * writes, per trial, only what Monte Carlo records: each stage's servers,
 * GPUs, cost, latency and availability, the totals, the checks passed and
 * whether a stage is overloaded, each in a column of its own (structure
 * of arrays: one loop per stage over the trials, with what the model
 * fixes decided once).  k-of-n tails are remembered per stage in a table
 * large enough for the counts a million trials meet (smaller when the
 * model has many stages).
 *
 * A trial it cannot finish exactly as plan_eval would (a figure that
 * leaves the range a plan accepts) is flagged LEAN_FALLBACK for plan_eval.
 * Monte Carlo also checks its first trials against plan_eval, figure by
 * figure (lean_matches), and uses plan_eval alone if any differs (mc.c);
 * so does a model with a feature this file does not know.  Private to the
 * library.
 */
#ifndef CAPPLAN_LEAN_H
#define CAPPLAN_LEAN_H

#include <stdbool.h>
#include <stddef.h>

#include "plan.h"

typedef struct lean lean;

/* What lean_block writes for each trial: per stage, then the totals. */
enum lean_fig {
  LF_SERVERS,
  LF_GPUS,
  LF_COST,
  LF_LATENCY,
  LF_AVAIL, /* pool.all.up, also the stage's effective.up (no fallback) */
  LF_STAGE_COUNT,
  LT_SERVERS = LF_STAGE_COUNT,
  LT_GPUS,
  LT_COST,
  LT_MONTH,
  LT_MILLION,
  LT_LATENCY,
  LT_ALL_UP,
  LT_REQ_UP,
  LF_COUNT
};

/* A trial's flags: plan_eval must evaluate it; a stage is overloaded;
 * check C passed (bit LEAN_PASSED << C). */
#define LEAN_FALLBACK 1u
#define LEAN_INFEASIBLE 2u
#define LEAN_PASSED 4u

/* A lean evaluator of M for one thread, or NULL when M has a feature it
 * does not handle.  It reads every input from P except the NV at the
 * addresses VARY[j] (fields of P), whose values come from column j; P
 * must outlive it, and only those fields of it may change.  Free with
 * lean_free() (accepts NULL). */
lean *lean_new(const capplan_model *m, const params *p, double *const *vary,
               size_t nv);
void lean_free(lean *k);

/* The most trials a block holds. */
size_t lean_block_len(const lean *k);

/* Column J of the varying inputs: lean_block_len() doubles. */
double *lean_column(lean *k, size_t j);

/* Evaluates trials 0 .. LEN - 1 from the columns (LIMITS: the model's
 * checks, at most 5).  Returns each trial's flags, LEN of them, which the
 * caller may amend for the trials it gives plan_eval. */
unsigned *lean_block(lean *k, size_t len, const check_limit *limits,
                     size_t n_limits);

/* Figure F of stage I (ignored for a total) over the block. */
double *lean_out(lean *k, enum lean_fig f, size_t i);

/* The trials the stage loop takes at a time: 4 (AVX2, where the CPU
 * has it), 2 (SSE2) or 1; lean_new picks the most there are.  Asks for
 * LANES (the tests try each) and returns what it got. */
unsigned lean_lanes(lean *k, unsigned lanes);

/* Whether trial T of the last block agrees with PL (plan_eval's, at the
 * same inputs) bit for bit on every figure and flag lean_block writes. */
bool lean_matches(const lean *k, size_t t, const plan *pl);

#endif

/*
 * mc.h - Monte Carlo over a plan (SPEC.md section 8, FORMULAS.md sections
 * 5 and 5b): each trial draws every uncertain input once, sets it
 * wherever it is used (inputs.h), evaluates the whole plan (plan.h:
 * ceilings, constraints, statuses, checks) and records every figure.
 *
 * Results are a function of (model, inputs, samples, seed) only: trial
 * i's draws depend on (seed, input, i), each thread evaluates whole
 * trials with its own parameters and plan, and every summary is computed
 * from the recorded figures in an order that does not depend on which
 * thread recorded them.  Quantiles are exact order statistics, never
 * estimates from bins.  Private to the library.
 */
#ifndef CAPPLAN_MC_H
#define CAPPLAN_MC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inputs.h"
#include "plan.h"

/* How a figure reads (the renderers' format rules, format.h). */
enum fig_unit {
  FU_COUNT,    /* servers, GPUs */
  FU_MONEY,    /* USD per year (or per month, per million requests) */
  FU_MS,       /* milliseconds */
  FU_FRACTION, /* an availability */
};

/* The summary of one figure over the trials that evaluated. */
typedef struct mc_summary {
  double mean, sd, stderr_mean;
  double p5, p50, p95;
  double se_p5, se_p50, se_p95; /* from the order statistics (5b) */
  double min, max;
} mc_summary;

#define MC_BINS 40
typedef struct mc_fig {
  const char *path;  /* "totals.cost_per_year", "stages.ranker.servers" */
  const char *label; /* for tables: "cost/year", "ranker servers" */
  enum fig_unit unit;
  double plan; /* the figure of the plan at the inputs' medians */
  mc_summary s;
  bool varies; /* not the same in every trial */
  /* A histogram for plots (the cost per year's, when mc_opts asks):
   * MC_BINS bins from lo to hi; trials below lo or above hi counted in the
   * end bins (lo, hi: p0.5 and p99.5). */
  bool has_hist;
  double hist_lo, hist_hi;
  size_t hist[MC_BINS];
} mc_fig;

typedef struct mc_check {
  const char *name; /* "cost", "latency", ... as the plan's checks */
  double p_pass;    /* share of all trials whose plan passes it */
  bool passed;      /* p_pass >= confidence */
} mc_check;

/* How the figures recorded by trial keep their numbers (mc.c): MC_AUTO
 * chooses; the others are for tests, and never change a result. */
enum mc_keep {
  MC_AUTO,
  MC_KEEP_ALL,      /* every trial's number, passed over after the run */
  MC_KEEP_NEAR,     /* only those near the ranks wanted, as they come */
  MC_KEEP_NEAR_NONE /* as MC_KEEP_NEAR with nothing near: always misses */
};

typedef struct mc_opts {
  size_t samples;
  uint64_t seed;
  unsigned threads; /* 0: one per core */
  double confidence;
  bool histogram;    /* the cost per year's histogram (for plots) */
  enum mc_keep keep; /* MC_AUTO but in tests */
} mc_opts;

typedef struct mc_result {
  size_t samples;
  uint64_t seed;
  double confidence;
  size_t evaluated;  /* trials whose plan evaluated */
  size_t failed;     /* trials with a figure no double holds: no figures */
  size_t infeasible; /* trials with a stage overloaded or unmet */
  mc_fig *figs;
  size_t n_figs;
  mc_check checks[5];
  size_t n_checks, checks_failed;
  bool passed;
  bool lean; /* the lean evaluator ran the trials (lean.h), else plan_eval */
  /* The figures recorded by trial kept only their numbers near the ranks
   * wanted (NEAR); a rank fell outside them, and the trials ran again
   * keeping every number (MISSED).  For tests. */
  bool near, missed;
  capplan_arena *arena;
} mc_result;

/* Runs Monte Carlo of M (its limits LIMITS) over the ranged inputs of U
 * with BASE the plan at the medians.  Never fails: a trial that cannot be
 * evaluated is counted in 'failed'.  Free with mc_free() (accepts NULL). */
mc_result *mc_run(const capplan_model *m, const uinputs *u,
                  const check_limit *limits, size_t n_limits, const plan *base,
                  const mc_opts *o);
void mc_free(mc_result *r);

/* The figure PATH of R, or NULL. */
const mc_fig *mc_find(const mc_result *r, const char *path);

/* Cores online, at least 1. */
unsigned mc_cores(void);

#endif

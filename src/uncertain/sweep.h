/*
 * sweep.h - what-if over one or two inputs (SPEC.md section 8): the plan
 * at evenly spaced (or, with --log, geometrically spaced) values of each,
 * every other input at its median; and --find, the largest value of the
 * first input that keeps a condition on a figure ('cost<=4M/year'),
 * found by bisection.  forecast.h grows the traffic month by month with
 * the same rows.  Private to the library.
 */
#ifndef CAPPLAN_SWEEP_H
#define CAPPLAN_SWEEP_H

#include <stdbool.h>
#include <stddef.h>

#include "capplan.h"
#include "inputs.h"
#include "mc.h"
#include "plan.h"

/* The figures of a plan a row of a sweep or a forecast shows, and a
 * --find condition names: one row each in sweep.c.  The p99 is
 * ROW_UNKNOWN when a stage on the path is overloaded (no steady state). */
enum {
  RF_SERVERS,
  RF_GPUS,
  RF_COST,
  RF_COST_MONTH,
  RF_LATENCY,
  RF_AVAILABILITY,
  RF_REQUESTS,
  RF_LATENCY_P99,
  RF_COUNT
};

/* A figure a row cannot have (the p99 of an overloaded plan). */
#define ROW_UNKNOWN (-1.0)

typedef struct row_fig {
  const char *key;   /* JSON's: "cost_per_year" */
  const char *label; /* table's: "cost/year" */
  const char *name;  /* --find's: "cost" */
  const char *kind;  /* capplan_quantity's kind of a --find limit */
  enum fig_unit unit;
  double (*get)(const plan *p);
} row_fig;

extern const row_fig ROW_FIGS[RF_COUNT];

/* One plan of a sweep or a forecast. */
typedef struct wrow {
  double x[2];          /* the inputs (sweep) or the month (forecast) */
  double traffic;       /* peak QPS */
  bool evaluated;       /* false: a figure no double holds */
  double fig[RF_COUNT]; /* in ROW_FIGS's units */
  bool check_passed[5];
  size_t checks_failed;
  bool overloaded; /* a stage overloaded or unmet */
} wrow;

/* Makes PL, after plan_for_trials(), compute the latency percentiles a
 * row shows: a sweep or a forecast has a few dozen plans, not thousands. */
void row_plan(plan *pl);

/* Evaluates M at P (limits LIMITS) into R's figures. */
void row_eval(const capplan_model *m, const params *p,
              const check_limit *limits, size_t n_limits, plan *pl, wrow *r);

typedef struct sweep_axis {
  const uinput *in;
  double from, to;
  size_t steps;
  bool log;
} sweep_axis;

/* --find: FIG COMPARISON LIMIT. */
typedef struct sweep_find {
  const char *text; /* as given */
  size_t fig;       /* index into ROW_FIGS */
  bool upper;       /* <= (else >=); < and > are the same to a bisection */
  double limit;
  /* Per value of the second input (one when there is none). */
  bool *found;
  double *value;      /* the largest value of the first input keeping it */
  double *at;         /* the figure there */
  bool *whole;        /* the whole range keeps it */
  bool *not_monotone; /* some point above the value keeps it again */
  double *second;     /* the second input's value (0 without one) */
} sweep_find;

struct capplan_sweep {
  const capplan_report *r;
  sweep_axis axis[2];
  size_t n_axes;
  wrow *rows; /* axis 0 fastest */
  size_t n_rows;
  bool has_find;
  sweep_find find;
  size_t n_find; /* values of the second input (or 1) */
  const char *check_names[5];
  size_t n_checks;
};

#endif

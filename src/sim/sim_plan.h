/*
 * sim_plan.h - a plan as a simulation (SPEC.md section 9): the adapter
 * from a resolved model and its evaluated plan to the simulator's network
 * (des.h), and the comparison of what the simulation measured with the
 * plan's analytic figures (FORMULAS.md sections 3, 3b and 9).
 *
 * Pure: no I/O, no globals.  Every stage is simulated as the plan sized
 * it - its slots after sizing (latency objectives included), its
 * balancer, its service time, its batches - so that where queueing theory
 * is exact the two agree, and where the plan approximates the difference
 * shows.  docs/simulation.md says what is modelled and how each spec key
 * becomes a simulator setting; capplan_simulate() (capplan.h) runs it.
 * Beside render in the layers: it reads reports and is read by the
 * renderers of the simulate view.
 */
#ifndef CAPPLAN_SIM_PLAN_H
#define CAPPLAN_SIM_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capplan.h"
#include "des.h"
#include "report.h"

/* The run length when neither requests nor a duration is asked for. */
#define SIM_PLAN_DEFAULT_REQUESTS 1000000ull
/* A batch that waits to fill (the batch kinds) times out after this many
 * times its mean filling time: below one batch in 20,000 (e^-10 for the
 * smallest batch, of two), and it bounds how long a batch can wait. */
#define SIM_PLAN_WINDOW_FACTOR 10.0

/* A figure is flagged when the analytic one lies outside the simulated
 * interval by more than this share of itself: the resolution of the
 * simulated percentiles (2^-10, simhist.h) and of the plan's grid. */
#define SIM_PLAN_RESOLUTION 1e-3

/* The network of a plan: the simulated stages in the model's topological
 * order (standby fallbacks, which no request visits while their primary
 * is up, are left out). */
typedef struct sim_plan {
  sim_input in;      /* its stages point into STAGES */
  sim_stage *stages; /* N of them */
  size_t n;
  size_t *model_of;   /* per simulated stage: its index in the model */
  long *sim_of;       /* per model stage: its simulated index, or -1 */
  size_t *parents;    /* storage of the stages' parent lists */
  double *plan_slots; /* per simulated stage: the plan's slots (c) */
} sim_plan;

/* Builds OUT for model M at parameters P, evaluated into PL, run as
 * OPTS asks (NULL: the defaults).  Returns 0, or -1 after adding to D
 * (located at the stage) each thing the simulator cannot take (more
 * than 2^26 slots in all, more than a million calls per visit, batches
 * of more than 2^20).  Release with sim_plan_release (also after -1). */
int sim_plan_build(const capplan_model *m, const params *p, const plan *pl,
                   const capplan_sim_opts *opts, sim_plan *out,
                   capplan_diags *d);
void sim_plan_release(sim_plan *sp);

/* ------------------------------------------------------ the comparison */

/* The figures compared, per stage and end to end. */
enum sim_fig {
  SIMF_MEAN, /* latency of a visit (a request, end to end), s */
  SIMF_P50,
  SIMF_P95,
  SIMF_P99,
  SIMF_P999,
  SIMF_UTIL,  /* busy slots over slots (stages) */
  SIMF_QUEUE, /* calls waiting, on average (stages) */
  SIMF_WAIT,  /* mean wait of a call before service, its batch's forming
                 included (the plan's queue wait_with_form), s (stages) */
  SIMF_RATE,  /* visits (requests, end to end) per second */
  SIMF_COUNT
};
/* The JSON key of each (the analytic report's names where it has them)
 * and the unit it is in. */
extern const char *const sim_fig_key[SIMF_COUNT];

/* One figure: simulated with its 95% interval, and the analytic one. */
typedef struct sim_cmp {
  bool has;   /* the figure applies (utilization has no end to end) */
  sim_ci sim; /* in the key's unit */
  bool known; /* the plan has it (a stable queue, a percentile on the
                 grid) */
  double analytic;
  double diff;  /* sim - analytic */
  bool has_rel; /* analytic != 0 */
  double rel;   /* diff / analytic */
  bool outside; /* known, an interval, and the analytic figure outside */
} sim_cmp;

enum sim_row_status {
  SIMROW_OK,
  SIMROW_OVERLOADED,  /* at or above capacity: no steady state */
  SIMROW_NO_TRAFFIC,  /* no visit measured */
  SIMROW_NOT_MEASURED /* the run stopped before any */
};
const char *sim_row_status_name(enum sim_row_status s);

typedef struct sim_row {
  long stage; /* model index; -1: end to end */
  enum sim_row_status status;
  uint64_t completed; /* visits (requests) measured */
  sim_cmp fig[SIMF_COUNT];
  double batch_mean; /* calls per batch, batching stages; else 0 */
  double lag1;       /* batch means: lag-1 autocorrelation (des.h) */
} sim_row;

/* What capplan_simulate() returns: the run, its network and the rows. */
struct capplan_simulation {
  const capplan_report *report; /* borrowed: must outlive this */
  capplan_sim_opts opts;        /* as run (defaults filled in) */
  sim_plan net;
  sim_result *res;
  sim_row *rows; /* net.n stages in topological order, then end to end */
  size_t n_rows;
  size_t overloaded; /* stages with SIMROW_OVERLOADED */
};

/* The rows of S from its result and its report's plan.  The plan's
 * scratch is used (latency_visit); its figures are unchanged. */
void sim_plan_compare(capplan_simulation *s);

#endif

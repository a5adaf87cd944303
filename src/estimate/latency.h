/*
 * latency.h - queues and latency percentiles inside a plan (SPEC.md
 * section 7, FORMULAS.md section 3b): each stage's queue at its real
 * server count, the end-to-end response distribution, and the servers a
 * percentile objective adds.  Phases of plan_eval (eval.c), built on the
 * leaves queueing.h and latdist.h.  Private to the estimator.
 */
#ifndef CAPPLAN_LATENCY_H
#define CAPPLAN_LATENCY_H

#include <float.h>
#include <math.h>

#include "plan.h"

/* Scratch for the distributions, allocated once per plan. */
struct latency_work *latency_work_new(const capplan_model *m);
void latency_work_free(struct latency_work *w);

/* The queue of stage I at its plan's servers, into its queue_plan (and
 * its status: overloaded at or above 100% of its slots). */
void latency_queue(const capplan_model *m, const params *p, plan *out,
                   size_t i);

/* Utilization from which a queue is overloaded: a queue within 1e-9 of
 * 100% is one whose wait no count of seconds bounds. */
#define LATENCY_RHO_OVERLOADED (1 - 1e-9)

/* Only whether each stage's queue is overloaded (at or above 100% of its
 * slots), into its status: what the other figures need when queues and
 * percentiles are off (plan.latency_on), at the cost of a division a
 * stage.  Stages of the fixed kind have had theirs from
 * latency_fixed_overloaded() as they (or their groups) were sized, and
 * stand-alone ones of the batch kind from latency_batch_overloaded()
 * (out->queue_later lists the others). */
void latency_status(const capplan_model *m, const params *p, plan *out);

/* Servers serving stage I: its pool's, or for a colocated stage its share
 * of the group's by server-equivalents. */
static inline double latency_stage_servers(const capplan_model *m,
                                           const plan *out, size_t i) {
  const stage_plan *s = &out->stage[i];
  long g = m->stage[i].group;
  if (g < 0)
    return s->pool.servers;
  const group_plan *gp = &out->group[g];
  return gp->equivalents > 0
             ? gp->pool.servers * s->equivalents / gp->equivalents
             : 0;
}

/* The same for stage S of the fixed kind (tp_fixed_queue) with inputs IN
 * on N > 0 servers, with a queue per server when RANDOM: queue_at's
 * figures, in its order (uncertain/lean.c repeats them); one request a
 * job, so its jobs are its load. */
static inline bool latency_fixed_overloaded(const stage_in *in,
                                            const stage_plan *s, double n,
                                            bool random) {
  double per =
      in->concurrency > 0 ? in->concurrency : s->tp.per_server * s->tp.latency;
  double x = (random ? per : n * per) + 1e-9, slots;
  if (x >= 1 && x < 4503599627370496.0) {
    slots = (double)(long long)x; /* capplan_floor, at least 1 */
  } else {
    slots = capplan_floor(x);
    if (slots < 1)
      slots = 1;
  }
  double u = (random ? s->load / n : s->load) * s->tp.latency / slots;
  /* !(u < RHO) || !isfinite(u): below RHO, only -Inf is not finite. */
  return !(u < LATENCY_RHO_OVERLOADED && u >= -DBL_MAX);
}

/* latency_fixed_overloaded() for a stand-alone stage whose servers run
 * at UTILIZATION = load / (n x per_server) (as size_stage computes it),
 * answering at once where that settles it.  With no concurrency given,
 * a queue of at least 100 slots' worth of work (q = per_server x latency,
 * times n for one shared queue) has floor(q + 1e-9) >= 0.99 q slots, so
 * its u is at most UTILIZATION / 0.99 but for a few roundings of 2^-53
 * each: at most 0.9 / 0.99 < 0.91 when 0 < UTILIZATION <= 0.9 (then
 * per_server, latency and the load are positive, and q <= 2^50 keeps
 * every product finite), below LATENCY_RHO_OVERLOADED: not overloaded,
 * the answer the full test gives. */
static inline bool latency_fixed_overloaded_at(const stage_in *in,
                                               const stage_plan *s, double n,
                                               bool random,
                                               double utilization) {
  if (!(in->concurrency > 0) && utilization > 0 && utilization <= 0.9) {
    double per = s->tp.per_server * s->tp.latency;
    double q = random ? per : n * per;
    if (q >= 100 && q <= 1125899906842624.0)
      return false;
  }
  return latency_fixed_overloaded(in, s, n, random);
}

/* The same for stage S of the batch kind (tp_batch_queue), stand-alone
 * on N > 0 servers: latency_status's figures, in its order (a job is a
 * batch, a slot each of a server's parallelism; the wait for a batch to
 * form does not enter). */
static inline bool latency_batch_overloaded(const stage_plan *s, double n,
                                            bool random) {
  double jobs = s->load / s->tp.batch;
  double slots = random ? capplan_floor(s->tp.parallelism + 1e-9)
                        : capplan_floor(n * s->tp.parallelism + 1e-9);
  if (slots < 1)
    slots = 1;
  double arrivals = random ? jobs / n : jobs;
  double u = arrivals * s->tp.latency / slots;
  return !(u < LATENCY_RHO_OVERLOADED) || !isfinite(u);
}

/* The servers percentile objectives add (sizing: latency): the smallest
 * count for a stage's own objective, then, for end-to-end objectives,
 * one server at a time where it buys the largest drop per dollar.  Writes
 * each stage's latency_added (its pool is resized by the caller) and
 * out->latency_unmet when an objective cannot be met. */
void latency_size(const capplan_model *m, const params *p, plan *out);

/* The end-to-end response: out->pct, pct_mean and pct_known. */
void latency_end_to_end(const capplan_model *m, const params *p, plan *out);

/* The response of one visit of stage I, as the end-to-end response adds
 * it: a batch forming, the wait and the service of each call, 'calls' in
 * parallel (the slowest) or in sequence, cache hits mixed in.  Its mean
 * and percentiles (seconds) into MEAN and PCT, for comparing with a
 * simulation, which measures visits ('capplan simulate').  Returns 0, or
 * -1 when the stage has none (no load, no steady state, a figure beyond
 * the grid).  GRID gets the grid step they were read on (their
 * resolution).  Uses OUT's scratch; OUT's figures are unchanged. */
int latency_visit(const capplan_model *m, const params *p, plan *out, size_t i,
                  double pct[PCT_COUNT], double *mean, double *grid);

#endif

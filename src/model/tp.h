/*
 * tp.h - throughput models: one small interface, one file per kind.
 *
 * A stage's servers are sized by what one server does (SPEC.md section 6):
 * a fixed qps_per_server, a batch served in a latency with some
 * parallelism, and later dynamic batching, a roofline and LLM serving.
 * Each kind lives in tp_<kind>.c and fills one tp_ops: how it is read from
 * a spec (resolve), what one server does at a given load (eval), and the
 * working of that (steps).  Adding a kind is a file and a row in tp.c's
 * table, not a branch in every module.
 */
#ifndef CAPPLAN_TP_H
#define CAPPLAN_TP_H

#include "model.h"
#include "steps.h"

struct spec_stage;

/* What a throughput model says about one server of a stage. */
typedef struct tp_out {
  double per_server;  /* requests/s at 100% utilization */
  double latency;     /* service time a request spends in the stage, s */
  double batch;       /* requests served together */
  double parallelism; /* batches (or requests) in flight per server */
} tp_out;

/* How one server's requests queue (FORMULAS.md section 3b): jobs - one
 * request, or a batch of them - wait for one of the server's `slots`,
 * each of which holds a job for `service` seconds on average, with
 * coefficient of variation `cs`.  Before that a request may wait for its
 * job to form: between 0 and `form` seconds (a batch filling), taken as
 * uniform.  The estimator builds the stage's queue from this, its server
 * count and its balancer (queueing.h). */
typedef struct tp_queue {
  double slots;   /* jobs one server serves at once (concurrency) */
  double job;     /* requests per job */
  double service; /* mean seconds a job holds a slot */
  double cs;      /* coefficient of variation of the service time */
  double form;    /* longest wait for a job to form, s; 0: none */
} tp_queue;

typedef struct tp_ops {
  const char *name; /* as JSON's "throughput_source" names it */
  /* Reads the kind's keys of ST (checked by the loader) into TP and IN;
   * HW is the stage's hardware (HW_NAME for messages).  Adds
   * diagnostics for what the kind cannot take. */
  void (*resolve)(const struct spec_stage *st, const hw_in *hw,
                  const char *hw_name, tp_model *tp, stage_in *in,
                  capplan_diags *d);
  /* One server at LOAD requests/s reaching the stage.  Pure. */
  void (*eval)(const tp_model *tp, const stage_in *in, const hw_in *hw,
               double load, tp_out *out);
  /* The queue of one server that receives RATE requests/s, given what
   * eval said (OUT).  Pure. */
  void (*queue)(const tp_model *tp, const stage_in *in, const hw_in *hw,
                const tp_out *out, double rate, tp_queue *q);
  /* The working of eval's figures, into L of S. */
  void (*steps)(const tp_model *tp, const stage_in *in, const hw_in *hw,
                const mstage *ms, const tp_out *out, steps *s, step_list *l);
} tp_ops;

/* The kind a stage's keys ask for. */
enum tp_kind tp_kind_of(const struct spec_stage *st);
const tp_ops *tp_ops_of(enum tp_kind kind);

extern const tp_ops tp_fixed_ops, tp_batch_ops;

#endif

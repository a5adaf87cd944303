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

#include "llm.h"
#include "model.h"
#include "steps.h"

struct spec_stage;

/* What a throughput model says about one server of a stage. */
typedef struct tp_out {
  /* What every evaluation reads, first (one cache line with the start of
   * the stage's plan after them, plan.h). */
  double per_server;  /* requests/s at 100% utilization */
  double latency;     /* service time a request spends in the stage, s */
  double batch;       /* requests served together */
  double parallelism; /* batches (or requests) in flight per server */
  /* The status of the model at this load (llm_status, batching_status):
   * 0, or why it has no answer (the stage is then unmet). */
  int status;
  bool unmet; /* an objective (slo.ttft, slo.tpot) cannot be met */
  /* The accelerator models (dynbatch, roofline, llm); 0 for the others. */
  double batch_time; /* s one batch holds an accelerator */
  /* The longest wait for a batch to close when the model fixes it (the
   * window, or the fill time at the stage's rate); < 0 when it follows
   * from the rate each server receives (tp_ops.queue's form). */
  double form;
  double rate;         /* requests/s the model was evaluated at */
  double busy;         /* accelerators busy on average (batching) */
  double accelerators; /* accelerators at the target utilization */
  int bound;           /* roofline_bound of a batch, llm_bound; -1: none */
  int limit;           /* what chose the batch (batching_limit, llm choice) */
  /* llm: the replicas a server holds, the time to the first token with
   * the wait for the decode step in flight, and every figure of one
   * replica at the chosen batch.  That last is kept where LLM points,
   * which the caller sets before an llm stage's eval (a plan holds one
   * for each llm stage only: 384 bytes the other kinds never touch). */
  double replicas_per_server;
  double ttft;
  llm_result *llm;
} tp_out;

/* How one server's requests queue (FORMULAS.md section 3b): jobs - one
 * request, or a batch of them - wait for one of the server's `slots`,
 * each of which holds a job for `service` seconds on average, with
 * coefficient of variation `cs`.  Before that a request may wait for its
 * job to form: between 0 and `form` seconds, uniform when a window closes
 * the batch, an Erlang mixture when arrivals fill it (`fill`).  The estimator
 * builds the stage's queue from this, its server count and its balancer
 * (queueing.h). */
typedef struct tp_queue {
  double slots;   /* jobs one server serves at once (concurrency) */
  double job;     /* requests per job */
  double service; /* mean seconds a job holds a slot */
  double cs;      /* coefficient of variation of the service time */
  double form;    /* longest wait for a job to form, s; 0: none */
  /* A batch that fills from its slot's Poisson arrivals: its size B (>= 2),
   * and the wait is the mixture over a request's place in the batch of
   * Erlang(B - 1 - place) times (latdist_add_fill), FORM its mean for the
   * first.  0: a window closes the batch, the wait uniform on [0, form]. */
  double fill;
  /* Each slot runs its own batcher that gathers the next batch while it
   * serves one (per-accelerator dynamic batching, FORMULAS.md 4b): no
   * queue beyond the wait for the batch in progress (form, uniform), and
   * the slots' utilization is `utilization`, the share of their capacity
   * in use, instead of arrivals x service / slots (which is 1 by
   * construction). */
  bool own_batcher;
  double utilization;
} tp_queue;

typedef struct tp_ops {
  const char *name; /* as JSON's "throughput_source" names it */
  /* Reads the kind's keys of ST (checked by the loader) into TP, IN and
   * G (the stage's accelerator inputs: its own for the kinds that
   * tp_reads_gpu, else the zeroed one every other stage shares, which
   * no kind writes); HW is the stage's hardware (HW_NAME for messages).
   * Adds diagnostics for what the kind cannot take.  The others read
   * G beside IN. */
  void (*resolve)(const struct spec_stage *st, const hw_in *hw,
                  const char *hw_name, tp_model *tp, stage_in *in, gpu_in *g,
                  capplan_diags *d);
  /* One server at LOAD requests/s reaching the stage.  Pure. */
  void (*eval)(const tp_model *tp, const stage_in *in, const gpu_in *g,
               const hw_in *hw, double load, tp_out *out);
  /* The queue of one server that receives RATE requests/s, given what
   * eval said (OUT).  Pure. */
  void (*queue)(const tp_model *tp, const stage_in *in, const gpu_in *g,
                const hw_in *hw, const tp_out *out, double rate, tp_queue *q);
  /* The working of eval's figures, into L of S. */
  void (*steps)(const tp_model *tp, const stage_in *in, const gpu_in *g,
                const hw_in *hw, const mstage *ms, const tp_out *out, steps *s,
                step_list *l);
} tp_ops;

/* Whether models of KIND read a stage's gpu_in (params.gpu). */
static inline bool tp_reads_gpu(enum tp_kind kind) {
  return kind == TP_DYNBATCH || kind == TP_ROOFLINE || kind == TP_LLM;
}

/* The kind a stage's keys ask for. */
enum tp_kind tp_kind_of(const struct spec_stage *st);
const tp_ops *tp_ops_of(enum tp_kind kind);

/* The fixed model's eval and queue (tp_fixed.c), inline: most stages
 * have it, and the evaluation calls them once per stage and evaluation,
 * where a call through the table costs more than their few stores.
 * A server serves qps_per_server with the stage's latency.  It runs
 * `concurrency` requests at once, each for `latency`; by Little's law
 * (FORMULAS.md section 7) a server serving qps_per_server with that
 * latency holds qps_per_server x latency of them, the default.  Service
 * times are taken as exponential (cs = 1, M/M/c) unless the stage gives
 * service_cv (FORMULAS.md section 3b). */
static inline void tp_fixed_eval(const stage_in *in, tp_out *out) {
  out->per_server = in->qps_per_server;
  out->latency = in->latency;
  out->batch = 1;
  out->parallelism = 1;
}
static inline void tp_fixed_queue(const stage_in *in, const tp_out *out,
                                  tp_queue *q) {
  q->slots =
      in->concurrency > 0 ? in->concurrency : out->per_server * out->latency;
  q->job = 1;
  q->service = out->latency;
  q->cs = in->service_cv >= 0 ? in->service_cv : 1;
  q->form = 0;
}
/* The batch model's queue (tp_batch.c), inline for the same reason: each
 * of a server's `parallelism` slots serves a batch in `latency`, a time
 * that hardly varies (cs = 0 unless the stage gives service_cv).  A
 * batch forms from the requests reaching its slot, RATE / parallelism a
 * second: the first of B waits (B - 1) / that rate for the last
 * (FORMULAS.md section 4b, the fill time). */
static inline void tp_batch_queue(const stage_in *in, const tp_out *out,
                                  double rate, tp_queue *q) {
  q->slots = out->parallelism;
  q->job = out->batch;
  q->service = out->latency;
  q->cs = in->service_cv >= 0 ? in->service_cv : 0;
  double per_slot = out->parallelism > 0 ? rate / out->parallelism : 0;
  q->form = out->batch > 1 && per_slot > 0 ? (out->batch - 1) / per_slot : 0;
  q->fill = q->form > 0 ? out->batch : 0;
}
/* The queue of one server of TP at RATE (tp_ops.queue), the fixed and
 * batch models without the call through the table. */
static inline void tp_queue_of(const tp_model *tp, const stage_in *in,
                               const gpu_in *g, const hw_in *hw,
                               const tp_out *out, double rate, tp_queue *q) {
  if (tp->kind == TP_FIXED)
    tp_fixed_queue(in, out, q);
  else if (tp->kind == TP_BATCH)
    tp_batch_queue(in, out, rate, q);
  else
    tp_ops_of(tp->kind)->queue(tp, in, g, hw, out, rate, q);
}
/* What one server of TP does at LOAD (tp_ops.eval), the fixed model
 * without the call through the table. */
static inline void tp_eval(const tp_model *tp, const stage_in *in,
                           const gpu_in *g, const hw_in *hw, double load,
                           tp_out *out) {
  if (tp->kind == TP_FIXED)
    tp_fixed_eval(in, out);
  else
    tp_ops_of(tp->kind)->eval(tp, in, g, hw, load, out);
}
/* The same into an OUT kept from one evaluation to the next, whose
 * batch and parallelism the caller set to 1 once if TP is fixed: the
 * fixed model's other figures follow from the inputs. */
static inline void tp_eval_again(const tp_model *tp, const stage_in *in,
                                 const gpu_in *g, const hw_in *hw, double load,
                                 tp_out *out) {
  if (tp->kind == TP_FIXED) {
    out->per_server = in->qps_per_server;
    out->latency = in->latency;
  } else {
    tp_ops_of(tp->kind)->eval(tp, in, g, hw, load, out);
  }
}

extern const tp_ops tp_fixed_ops, tp_batch_ops, tp_dynbatch_ops,
    tp_roofline_ops, tp_llm_ops;

/* The batching of a stage whose batch of b takes BASE + PER_ITEM x b, at
 * LOAD requests/s into its batcher, onto SLOTS accelerators a server, at
 * the stage's target utilization (FORMULAS.md 4b; tp_dynbatch.c): fills
 * OUT's per-server throughput, batch, batch time, form, busy and
 * accelerators.  Shared by the dynbatch and roofline kinds.  Pure. */
void tp_batching_eval(const tp_model *tp, const stage_in *in, const gpu_in *g,
                      double slots, double load, double base, double per_item,
                      tp_out *out);
/* The figures of a stage with per-accelerator `batching:` (the dynbatch
 * kind, or the roofline kind's `work:` with it) on SERVERS servers,
 * whatever count its sizing chose (headroom, N+k, an objective): batch,
 * batch time, latency, form, busy and accelerators (and a roofline's
 * bound) of OUT at OUT->rate over SERVERS x its slots.  Any other stage:
 * unchanged. */
void tp_batching_at(const tp_model *tp, const stage_in *in, const gpu_in *g,
                    const hw_in *hw, double servers, tp_out *out);
/* The queue of one such per-accelerator batcher at RATE requests/s into
 * a server (tp_ops.queue): the batch it gathers at RATE / slots, its
 * time, the wait for the batch in progress, and the share of its
 * capacity in use.  Returns whether Q was set (else the stage has no
 * per-accelerator batcher or no steady state there). */
bool tp_batching_own_queue(const tp_model *tp, const stage_in *in,
                           const gpu_in *g, const hw_in *hw, const tp_out *out,
                           double rate, tp_queue *q);
/* The line t(b) = *BASE + *PER_ITEM x b a stage's batcher is given at
 * LOAD requests/s: `batching: time:` for the dynbatch kind; for the
 * roofline kind the side of the roofline through the batch the batcher
 * forms (shared: LOAD x window within [1, max_batch]; per-accelerator:
 * max_batch, whose time is its capacity).  Pure. */
void tp_batching_line(const tp_model *tp, const stage_in *in, const gpu_in *g,
                      const hw_in *hw, double load, double *base,
                      double *per_item);
/* The roofline's time of a batch of B (FORMULAS.md 6), and its bound
 * (roofline_bound) into *BOUND; 0 when it has none. */
double tp_roofline_batch_time(const tp_model *tp, const stage_in *in,
                              const gpu_in *g, const hw_in *hw, double b,
                              int *bound);
/* The working of a batching stage (dynbatch and roofline with batching). */
void tp_batching_steps(const tp_model *tp, const stage_in *in, const gpu_in *g,
                       const hw_in *hw, const tp_out *out, steps *s,
                       step_list *l);
/* Accelerators per server for the accelerator models: the hardware's
 * GPUs, else its 'parallelism' (CPU hardware), at least 1. */
double tp_slots(const stage_in *in, const hw_in *hw);

#endif

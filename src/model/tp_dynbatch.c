/*
 * tp_dynbatch.c - dynamic batching on accelerators (SPEC.md section 6,
 * `batching:`; FORMULAS.md sections 4 and 4b), on the leaf module
 * batching.c.
 *
 * A batcher closes a batch when it holds max_batch requests or when its
 * first request has waited `window`; a batch of b holds one accelerator
 * for t(b) = base + per_item x b.  With one batcher shared by every
 * accelerator (the seed's reading, the default), the batch is
 * b = min(max_batch, max(1, rate x window)) at the stage's whole rate, and
 * rate x t(b) / b accelerators are busy: a server of N accelerators
 * serves N b / t(b) requests a second, so the target utilization sizes
 * the accelerators (seed: 5K/s, 10 ms, t(50) = 200 ms: 20 busy, 20 at a
 * 100% target, 21 at 95.24%).  With one batcher per accelerator, an
 * accelerator's capacity is max_batch / t(max_batch), and its batch the
 * steady state b = rate_a t(b) at the count the target needs.
 *
 * A request's time in the stage is its wait for the batch to close (the
 * window, or the fill time when max_batch comes first; for
 * per-accelerator batchers the batch in progress) plus t(b); the wait
 * for a free accelerator is the queue's (tp_ops.queue).  On CPU hardware
 * the "accelerators" are the server's `parallelism` (default 1).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "batching.h"
#include "format.h"
#include "spec.h"
#include "tp.h"

/* No max_batch: a batch as large as the traffic makes it (the schema's
 * largest max_batch). */
#define NO_LIMIT 1e6

static void resolve(const spec_stage *st, const hw_in *hw, const char *hw_name,
                    tp_model *tp, stage_in *in, gpu_in *g, capplan_diags *d) {
  (void)hw;
  (void)hw_name;
  (void)d;
  tp->kind = TP_DYNBATCH;
  tp->as.gpu.batching = true;
  tp->as.gpu.per_accelerator =
      st->batching->scope.s &&
      !strcmp(st->batching->scope.s, "per-accelerator");
  tp->as.gpu.dtype = DT_FP16;
  g->window = st->batching->window.v;
  g->max_batch = st->batching->max_batch.set ? st->batching->max_batch.v : 0;
  g->base = st->batching->time.base.v;
  g->per_item = st->batching->time.per_item.v;
  in->parallelism = st->more->parallelism.set ? st->more->parallelism.v : 1;
  in->batch = 1;
  in->latency = 0;
}

void tp_batching_eval(const tp_model *tp, const stage_in *in, const gpu_in *g,
                      double slots, double load, double base, double per_item,
                      tp_out *out) {
  double mb = g->max_batch > 0 ? g->max_batch : NO_LIMIT;
  out->parallelism = slots;
  out->rate = load;
  out->status = 0;
  out->unmet = false;
  out->bound = -1;
  out->limit = BATCHING_BY_WINDOW;
  out->replicas_per_server = 0;
  out->ttft = 0;
  if (!(load > 0)) {
    /* Nothing arrives: a batch of one would take t(1). */
    out->batch = 1;
    out->batch_time = base + per_item;
    out->per_server = out->batch_time > 0 ? slots / out->batch_time : 0;
    out->latency = out->batch_time;
    out->form = 0;
    out->busy = out->accelerators = 0;
    return;
  }
  batching_params bp = {load, g->window, mb,
                        base, per_item,  in->pol.utilization};
  batching_plan pl;
  batching_status s = tp->as.gpu.per_accelerator
                          ? batching_per_accelerator(&bp, &pl)
                          : batching_shared(&bp, &pl);
  if (s != BATCHING_OK) {
    out->status = (int)s;
    out->per_server = out->latency = out->batch = out->batch_time = 0;
    out->form = out->busy = out->accelerators = 0;
    return;
  }
  /* Shared: b / t(b) per accelerator at the batch the traffic forms.
   * Per-accelerator: full batches back to back, its capacity. */
  double cap_b = tp->as.gpu.per_accelerator ? mb : pl.batch;
  double cap_t =
      tp->as.gpu.per_accelerator ? base + per_item * mb : pl.batch_time;
  out->per_server = slots * cap_b / cap_t;
  out->batch = pl.batch;
  out->batch_time = pl.batch_time;
  out->latency = pl.batch_time;
  out->form = pl.close_wait_max;
  out->busy = pl.busy;
  out->accelerators = pl.accelerators;
  out->limit = (int)pl.limit;
}

static void eval(const tp_model *tp, const stage_in *in, const gpu_in *g,
                 const hw_in *hw, double load, tp_out *out) {
  tp_batching_eval(tp, in, g, tp_slots(in, hw), load, g->base, g->per_item,
                   out);
}

/* Per-accelerator batchers at LOAD requests/s over ACCELERATORS (whole,
 * >= 1) whose batch of b takes BASE + PER_ITEM x b, into PL. */
static batching_status per_accelerator_at(const gpu_in *g, double load,
                                          double accelerators, double base,
                                          double per_item, batching_plan *pl) {
  double mb = g->max_batch > 0 ? g->max_batch : NO_LIMIT;
  batching_params bp = {load, g->window, mb, base, per_item, 1};
  return batching_per_accelerator_at(&bp, accelerators, pl);
}

/* Whether TP has one batcher per accelerator (`batching:` with scope
 * per-accelerator, on its own or timed by `work:`). */
static bool own_batchers(const tp_model *tp) {
  return (tp->kind == TP_DYNBATCH || tp->kind == TP_ROOFLINE) &&
         tp->as.gpu.batching && tp->as.gpu.per_accelerator;
}

/* The time of a batch of B the batchers form: on the line for the
 * dynbatch kind; the roofline's own (whose bound goes to *BOUND) for
 * work, as its eval takes it (tp_roofline.c). */
static double batch_time_of(const tp_model *tp, const stage_in *in,
                            const gpu_in *g, const hw_in *hw,
                            const batching_plan *pl, int *bound) {
  if (tp->kind != TP_ROOFLINE)
    return pl->batch_time;
  return tp_roofline_batch_time(tp, in, g, hw, pl->batch, bound);
}

void tp_batching_at(const tp_model *tp, const stage_in *in, const gpu_in *g,
                    const hw_in *hw, double servers, tp_out *out) {
  if (!own_batchers(tp) || out->status != 0 || !(out->rate > 0) ||
      !(servers > 0))
    return;
  double n = floor(servers * out->parallelism + 1e-9);
  double base, per_item;
  tp_batching_line(tp, in, g, hw, out->rate, &base, &per_item);
  batching_plan pl;
  if (per_accelerator_at(g, out->rate, n < 1 ? 1 : n, base, per_item, &pl) !=
      BATCHING_OK)
    return;
  int bound = out->bound;
  out->batch = pl.batch;
  out->batch_time = out->latency = batch_time_of(tp, in, g, hw, &pl, &bound);
  out->bound = bound;
  out->form = pl.close_wait_max;
  out->busy = pl.busy;
  out->accelerators = pl.accelerators;
  out->limit = (int)pl.limit;
}

bool tp_batching_own_queue(const tp_model *tp, const stage_in *in,
                           const gpu_in *g, const hw_in *hw, const tp_out *out,
                           double rate, tp_queue *q) {
  if (!own_batchers(tp) || !(out->parallelism > 0) || !(rate > 0))
    return false;
  double base, per_item;
  tp_batching_line(tp, in, g, hw, out->rate, &base, &per_item);
  batching_plan pl;
  if (per_accelerator_at(g, rate / out->parallelism, 1, base, per_item, &pl) !=
      BATCHING_OK)
    return false;
  int bound = 0;
  q->own_batcher = true;
  q->utilization = pl.utilization;
  q->job = pl.batch;
  q->service = batch_time_of(tp, in, g, hw, &pl, &bound);
  q->form = pl.close_wait_max;
  return true;
}

/* Each accelerator serves one batch at a time for t(b), a time that
 * hardly varies; a request first waits for its batch to close (out->form,
 * FORMULAS.md 4b).  A per-accelerator batcher is figured at the RATE its
 * server receives (RATE / slots each): it waits for the batch in
 * progress and then its own, with no queue beyond that. */
static void queue(const tp_model *tp, const stage_in *in, const gpu_in *g,
                  const hw_in *hw, const tp_out *out, double rate,
                  tp_queue *q) {
  q->slots = out->parallelism;
  q->job = out->batch;
  q->service = out->batch_time;
  q->cs = in->service_cv >= 0 ? in->service_cv : 0;
  q->form = out->form > 0 ? out->form : 0;
  tp_batching_own_queue(tp, in, g, hw, out, rate, q);
}

/* The working of a batching stage (shared with tp_roofline.c). */
void tp_batching_steps(const tp_model *tp, const stage_in *in, const gpu_in *g,
                       const hw_in *hw, const tp_out *out, steps *s,
                       step_list *l) {
  char b[6][FMT_SIZE];
  bool per_acc = tp->as.gpu.per_accelerator;
  double mb = g->max_batch;
  const char *what = hw->gpus > 0 ? "GPU" : "slot";
  if (out->rate <= 0) {
    steps_say(s, l, "batch", "no traffic: a batch of 1");
    return;
  }
  if (!per_acc) {
    if (out->limit == BATCHING_BY_FILL)
      steps_say(s, l, "batch",
                "min(max_batch, QPS x window) = min(%s, %s x %s) = %s "
                "requests: full before the window ends",
                fmt_count(mb, b[0], FMT_SIZE),
                fmt_rate(out->rate, b[1], FMT_SIZE),
                fmt_ms(g->window, b[2], FMT_SIZE),
                fmt_number(out->batch, 2, b[3], FMT_SIZE));
    else
      steps_say(s, l, "batch",
                "max(1, QPS x window) = max(1, %s x %s) = %s requests%s",
                fmt_rate(out->rate, b[0], FMT_SIZE),
                fmt_ms(g->window, b[1], FMT_SIZE),
                fmt_number(out->batch, 2, b[2], FMT_SIZE),
                mb > 0 ? " (within max_batch)" : "");
  } else {
    steps_say(s, l, "batch",
              "one batcher per %s, each fed QPS / %s = %s/s; while one batch "
              "runs the next gathers: b = %s requests",
              what, fmt_count(out->accelerators, b[0], FMT_SIZE),
              fmt_rate(out->rate / out->accelerators, b[1], FMT_SIZE),
              fmt_number(out->batch, 2, b[2], FMT_SIZE));
  }
  if (tp->kind == TP_DYNBATCH)
    steps_say(s, l, "batch time", "base + per_item x b = %s + %s x %s = %s",
              fmt_ms(g->base, b[0], FMT_SIZE),
              fmt_ms(g->per_item, b[1], FMT_SIZE),
              fmt_number(out->batch, 2, b[2], FMT_SIZE),
              fmt_ms(out->batch_time, b[3], FMT_SIZE));
  double base, per_item;
  tp_batching_line(tp, in, g, hw, out->rate, &base, &per_item);
  if (per_acc && mb > 0)
    steps_say(s, l, "busy",
              "QPS x t(max_batch) / max_batch = %s x %s / %s = %s %ss' "
              "capacity in use (each works all the time: b = QPS_a x t(b))",
              fmt_rate(out->rate, b[0], FMT_SIZE),
              fmt_ms(base + per_item * mb, b[1], FMT_SIZE),
              fmt_count(mb, b[2], FMT_SIZE),
              fmt_number(out->busy, 2, b[3], FMT_SIZE), what);
  else if (per_acc)
    steps_say(s, l, "busy", "%s %ss' capacity in use",
              fmt_number(out->busy, 2, b[3], FMT_SIZE), what);
  else
    steps_say(s, l, "busy",
              "QPS x t(b) / b = %s x %s / %s = %s %ss busy on average",
              fmt_rate(out->rate, b[0], FMT_SIZE),
              fmt_ms(out->batch_time, b[1], FMT_SIZE),
              fmt_number(out->batch, 2, b[2], FMT_SIZE),
              fmt_number(out->busy, 2, b[3], FMT_SIZE), what);
  if (!per_acc)
    steps_say(s, l, "throughput",
              "b / t(b) x %ss per server = %s / %s x %s = %s QPS per server",
              what, fmt_number(out->batch, 2, b[0], FMT_SIZE),
              fmt_ms(out->batch_time, b[1], FMT_SIZE),
              fmt_count(out->parallelism, b[2], FMT_SIZE),
              fmt_rate(out->per_server, b[3], FMT_SIZE));
  else
    steps_say(s, l, "throughput",
              "full batches back to back: max_batch / t(max_batch) x %ss "
              "per server = %s QPS per server",
              what, fmt_rate(out->per_server, b[0], FMT_SIZE));
  const char *close =
      per_acc && out->limit == BATCHING_BY_STEADY ? "the batch in progress"
      : out->limit == BATCHING_BY_FILL ? "the fill time (b - 1) / QPS"
                                       : "the window";
  if (per_acc)
    steps_say(s, l, "latency",
              "wait for the batch to close (%s) + batch time = %s + %s = %s "
              "at most",
              close, fmt_ms(out->form, b[0], FMT_SIZE),
              fmt_ms(out->batch_time, b[1], FMT_SIZE),
              fmt_ms(out->form + out->batch_time, b[2], FMT_SIZE));
  else
    steps_say(s, l, "latency",
              "wait for the batch to close (%s) + batch time = %s + %s = %s "
              "(+ any wait for a free %s)",
              close, fmt_ms(out->form, b[0], FMT_SIZE),
              fmt_ms(out->batch_time, b[1], FMT_SIZE),
              fmt_ms(out->form + out->batch_time, b[2], FMT_SIZE), what);
  if (!per_acc && out->limit == BATCHING_BY_WINDOW && g->window > 0)
    steps_say(
        s, l, "",
        "(seed 004 counts the window as %s time too: %s / (%s + %s) = "
        "%s QPS per %s; capplan charges the batch time only, and the "
        "window adds to latency)",
        what, fmt_number(out->batch, 2, b[0], FMT_SIZE),
        fmt_ms(out->batch_time, b[1], FMT_SIZE),
        fmt_ms(g->window, b[2], FMT_SIZE),
        fmt_rate(out->batch / (out->batch_time + g->window), b[3], FMT_SIZE),
        what);
}

static void steps_of(const tp_model *tp, const stage_in *in, const gpu_in *g,
                     const hw_in *hw, const mstage *ms, const tp_out *out,
                     steps *s, step_list *l) {
  (void)ms;
  tp_batching_steps(tp, in, g, hw, out, s, l);
}

const tp_ops tp_dynbatch_ops = {"batching", resolve, eval, queue, steps_of};

/*
 * tp_roofline.c - the roofline throughput model (SPEC.md section 6,
 * `work:`; FORMULAS.md section 6), on the leaf module roofline.c.
 *
 * A batch of b items of `work` on one accelerator of the stage's
 * hardware takes
 *   t(b) = max(flops_per_item x b / (peak x mfu),
 *              (bytes_per_batch + bytes_per_item x b) / (bandwidth x mbu)),
 * compute-bound when the first term is the larger, memory-bound when the
 * second is (ties go to memory).  The peak is the hardware's dense FLOPS
 * at the work's dtype; mfu and mbu are the stage's, else the hardware's,
 * else roofline.h's defaults with their sources.
 *
 * The batch is a fixed `batch` (1 by default: each server runs one batch
 * per accelerator and a batch waits to fill, as in tp_batch.c), or formed
 * by `batching:` (tp_dynbatch.c) with t(b) from the roofline: the
 * roofline is linear on each side of its ridge, so the batcher is given
 * the line through t(b) at the batch it forms (shared) or at max_batch
 * (per-accelerator, whose capacity that is), and the batch time is then
 * taken from the roofline itself.
 */
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "roofline.h"
#include "spec.h"
#include "tp.h"

#define NO_LIMIT 1e6

/* The efficiency of a stage: its own, else its hardware's, else DEF. */
static double efficiency(const snum *own, double hw, double def) {
  if (own->set)
    return own->v;
  return hw > 0 ? hw : def;
}

static void resolve(const spec_stage *st, const hw_in *hw, const char *hw_name,
                    tp_model *tp, stage_in *in, gpu_in *g, capplan_diags *d) {
  const spec_work *w = st->work;
  tp->kind = TP_ROOFLINE;
  tp->as.gpu.batching = st->batching->set;
  tp->as.gpu.per_accelerator =
      st->batching->scope.s &&
      !strcmp(st->batching->scope.s, "per-accelerator");
  int dt = w->dtype.s ? dtype_parse(w->dtype.s) : DT_FP16;
  tp->as.gpu.dtype = dt < 0 ? DT_FP16 : (enum dtype)dt;
  g->flops_per_item = w->flops_per_item.v;
  g->bytes_per_batch = w->bytes_per_batch.v;
  g->bytes_per_item = w->bytes_per_item.v;
  g->window = st->batching->window.v;
  g->max_batch = st->batching->max_batch.set ? st->batching->max_batch.v : 0;
  in->batch = st->more->batch.set ? st->more->batch.v : 1;
  in->latency = 0;
  if (!hw)
    return;
  g->mfu = efficiency(&st->more->mfu, hw->mfu, ROOFLINE_DEFAULT_MFU);
  g->mbu = efficiency(&st->more->mbu, hw->mbu, ROOFLINE_DEFAULT_MBU);
  char help[320];
  if (hw->gpus <= 0) {
    snprintf(help, sizeof help,
             "'work' is timed on an accelerator; use catalog hardware such "
             "as 'l4', 'h100-sxm' or 'g6.xlarge' ('capplan catalog "
             "accelerators'), or give '%s' 'gpus' and 'accelerator'",
             hw_name);
    capplan_diags_add(d, CAPPLAN_ERROR, w->loc, help,
                      "'work' needs accelerator hardware, and '%s' has no "
                      "GPU",
                      hw_name);
    return;
  }
  const char *dn = dtype_name(tp->as.gpu.dtype);
  if (g->flops_per_item > 0 && hw->flops[tp->as.gpu.dtype] <= 0) {
    snprintf(help, sizeof help,
             "give its peak under 'hardware: %s: flops: {%s: ...}' (dense), "
             "name a catalog accelerator with 'accelerator:', or set the "
             "work's 'dtype' to one it has",
             hw_name, dn);
    capplan_diags_add(d, CAPPLAN_ERROR, w->flops_per_item.loc, help,
                      "hardware '%s' states no %s FLOPS for 'work'", hw_name,
                      dn);
  }
  if (g->bytes_per_batch + g->bytes_per_item > 0 && hw->mem_bw <= 0) {
    snprintf(help, sizeof help,
             "give 'memory_bandwidth' under 'hardware: %s:', or name a "
             "catalog accelerator with 'accelerator:'",
             hw_name);
    capplan_diags_add(d, CAPPLAN_ERROR, w->loc, help,
                      "hardware '%s' states no memory bandwidth for 'work'",
                      hw_name);
  }
}

/* The roofline of a batch of B on one accelerator (FORMULAS.md 6).  A
 * term with no work costs nothing, whatever the hardware's rate. */
static roofline_time time_of(const tp_model *tp, const gpu_in *g,
                             const hw_in *hw, double b) {
  double flops = g->flops_per_item * b;
  double bytes = g->bytes_per_batch + g->bytes_per_item * b;
  double peak = hw->flops[tp->as.gpu.dtype];
  roofline_hw rh = {flops > 0 ? peak : 1, bytes > 0 ? hw->mem_bw : 1, g->mfu,
                    g->mbu};
  roofline_time t;
  if (roofline_time_of(&rh, flops, bytes, &t) != ROOFLINE_OK)
    memset(&t, 0, sizeof t);
  return t;
}

double tp_roofline_batch_time(const tp_model *tp, const stage_in *in,
                              const gpu_in *g, const hw_in *hw, double b,
                              int *bound) {
  (void)in;
  roofline_time t = time_of(tp, g, hw, b);
  *bound = (int)t.bound;
  return t.seconds;
}

void tp_batching_line(const tp_model *tp, const stage_in *in, const gpu_in *g,
                      const hw_in *hw, double load, double *base,
                      double *per_item) {
  (void)in;
  if (tp->kind != TP_ROOFLINE) {
    *base = g->base;
    *per_item = g->per_item;
    return;
  }
  /* The line of the roofline through the batch the batcher will form
   * (shared: set by the window; per-accelerator: max_batch).  Each side
   * of the ridge is linear in b: memory (bytes_per_batch + bytes_per_item
   * b) / (bandwidth x mbu), compute flops_per_item b / (peak x mfu)
   * (FORMULAS.md 6). */
  double mb = g->max_batch > 0 ? g->max_batch : NO_LIMIT;
  double at = mb;
  if (!tp->as.gpu.per_accelerator) {
    at = load * g->window;
    at = at < 1 ? 1 : at > mb ? mb : at;
  }
  roofline_time t = time_of(tp, g, hw, at);
  *base = 0;
  if (t.bound == ROOFLINE_MEMORY) {
    *base = g->bytes_per_batch / (hw->mem_bw * g->mbu);
    *per_item = g->bytes_per_item / (hw->mem_bw * g->mbu);
  } else {
    *per_item = g->flops_per_item / (hw->flops[tp->as.gpu.dtype] * g->mfu);
  }
}

static void eval(const tp_model *tp, const stage_in *in, const gpu_in *g,
                 const hw_in *hw, double load, tp_out *out) {
  double slots = tp_slots(in, hw);
  if (tp->as.gpu.batching) {
    double base, per_item;
    tp_batching_line(tp, in, g, hw, load, &base, &per_item);
    tp_batching_eval(tp, in, g, slots, load, base, per_item, out);
    roofline_time t = time_of(tp, g, hw, out->batch);
    out->batch_time = out->latency = t.seconds;
    out->bound = (int)t.bound;
    return;
  }
  roofline_time t = time_of(tp, g, hw, in->batch);
  out->batch = in->batch;
  out->parallelism = slots;
  out->batch_time = out->latency = t.seconds;
  out->per_server = t.seconds > 0 ? slots * in->batch / t.seconds : 0;
  out->bound = (int)t.bound;
  out->rate = load;
  out->form = -1; /* a batch fills at the rate each server receives */
  out->busy = out->per_server > 0 ? load / (in->batch / t.seconds) : 0;
  out->accelerators = 0;
  out->status = t.seconds > 0 ? 0 : 1;
  out->unmet = false;
  out->limit = 0;
  out->replicas_per_server = 0;
  out->ttft = 0;
}

/* One batch per accelerator at a time, for t(b); a fixed batch fills
 * from the requests reaching its accelerator, (b - 1) / (RATE / slots)
 * for the first of them (FORMULAS.md 4b, the fill time). */
static void queue(const tp_model *tp, const stage_in *in, const gpu_in *g,
                  const hw_in *hw, const tp_out *out, double rate,
                  tp_queue *q) {
  q->slots = out->parallelism;
  q->job = out->batch;
  q->service = out->batch_time;
  q->cs = in->service_cv >= 0 ? in->service_cv : 0;
  double per_slot = out->parallelism > 0 ? rate / out->parallelism : 0;
  if (out->form >= 0) {
    q->form = out->form;
  } else {
    q->form = out->batch > 1 && per_slot > 0 ? (out->batch - 1) / per_slot : 0;
    q->fill = q->form > 0 ? out->batch : 0;
  }
  /* Per-accelerator batchers wait for the batch in progress and serve
   * their own, with no queue beyond that; their batch is the one each
   * gathers at the rate it receives, and their utilization the share of
   * their capacity in use (tp_dynbatch.c, FORMULAS.md 4b). */
  tp_batching_own_queue(tp, in, g, hw, out, rate, q);
}

static void steps_of(const tp_model *tp, const stage_in *in, const gpu_in *g,
                     const hw_in *hw, const mstage *ms, const tp_out *out,
                     steps *s, step_list *l) {
  (void)ms;
  char b[8][FMT_SIZE];
  double bt = out->batch;
  roofline_time t = time_of(tp, g, hw, bt);
  const char *dn = dtype_name(tp->as.gpu.dtype);
  if (g->flops_per_item > 0)
    steps_say(s, l, "compute",
              "FLOPs / (peak x mfu) = %s x %s / (%s %s x %s) = %s",
              fmt_number(bt, 2, b[0], FMT_SIZE),
              fmt_si(g->flops_per_item, "FLOP", b[1], FMT_SIZE),
              fmt_si(hw->flops[tp->as.gpu.dtype], "FLOPS", b[2], FMT_SIZE), dn,
              fmt_percent(g->mfu, b[3], FMT_SIZE),
              fmt_ms(t.compute_s, b[4], FMT_SIZE));
  if (g->bytes_per_batch + g->bytes_per_item > 0)
    steps_say(s, l, "memory",
              "bytes / (bandwidth x mbu) = (%s + %s x %s) / (%s x %s) = %s",
              fmt_si(g->bytes_per_batch, "B", b[0], FMT_SIZE),
              fmt_number(bt, 2, b[1], FMT_SIZE),
              fmt_si(g->bytes_per_item, "B", b[2], FMT_SIZE),
              fmt_si(hw->mem_bw, "B/s", b[3], FMT_SIZE),
              fmt_percent(g->mbu, b[4], FMT_SIZE),
              fmt_ms(t.memory_s, b[5], FMT_SIZE));
  steps_say(s, l, "batch time",
            "the larger: %s, %s-bound (mfu %s, mbu %s; by default 72%% and "
            "68.5%%, FlashAttention-2's and gpt-fast's A100 figures)",
            fmt_ms(t.seconds, b[0], FMT_SIZE), roofline_bound_name(t.bound),
            fmt_percent(g->mfu, b[1], FMT_SIZE),
            fmt_percent(g->mbu, b[2], FMT_SIZE));
  if (tp->as.gpu.batching) {
    tp_batching_steps(tp, in, g, hw, out, s, l);
    return;
  }
  /* The batch time with the digits that redo the throughput as shown
   * (issue 9): 1 / 0.337 ms is 2,967, not the 2,971 of 0.3366 ms. */
  double bs = fmt_shown_value(fmt_number(out->batch, 0, b[0], FMT_SIZE));
  double gpus = fmt_shown_value(fmt_count(out->parallelism, b[2], FMT_SIZE));
  fmt_rate(out->per_server, b[3], FMT_SIZE);
  for (int k = 0; k <= 6; k++) {
    double bts =
        fmt_shown_value(fmt_ms_extra(out->batch_time, k, b[1], FMT_SIZE));
    if (bts > 0 &&
        !strcmp(fmt_rate(bs / (bts / 1000) * gpus, b[4], FMT_SIZE), b[3]))
      break;
    if (k == 6)
      fmt_ms(out->batch_time, b[1], FMT_SIZE);
  }
  steps_say(s, l, "throughput",
            "batch / batch time x GPUs = %s / %s x %s = %s QPS per server",
            b[0], b[1], b[2], b[3]);
}

const tp_ops tp_roofline_ops = {"work", resolve, eval, queue, steps_of};

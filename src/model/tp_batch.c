/*
 * tp_batch.c - the batch throughput model: a server runs `parallelism`
 * batches of `batch` requests at once, each taking `latency`, so it serves
 * batch / latency x parallelism requests a second (FORMULAS.md section 1,
 * seed 004 "Typical Numbers Cheatsheet").
 *
 * Parallelism is given; or derived from the cores and what bounds the work
 * (`bound: cpu|memory|io`, seed 004's factors, catalog.c); or, on GPU
 * hardware, one batch per GPU (SPEC.md section 6: a server with four GPUs
 * runs four batches at once).  `bound` describes CPU cores and is refused
 * on GPU hardware, where the GPUs, not the cores, do the work.
 */
#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "format.h"
#include "schema.h"
#include "spec.h"
#include "tp.h"

static enum bound_kind bound_of(const char *s) {
  if (!s)
    return BOUND_NONE;
  if (!strcmp(s, "cpu"))
    return BOUND_CPU;
  if (!strcmp(s, "memory"))
    return BOUND_MEMORY;
  return BOUND_IO;
}

static const char *const bound_names[] = {"", "cpu", "memory", "io"};

static void resolve(const spec_stage *st, const hw_in *hw, const char *hw_name,
                    tp_model *tp, stage_in *in, gpu_in *g, capplan_diags *d) {
  (void)g;
  tp->kind = TP_BATCH;
  in->batch = st->more->batch.set ? st->more->batch.v
                                  : schema_key_get(SEC_STAGE, "batch")->def;
  in->parallelism = st->more->parallelism.set
                        ? st->more->parallelism.v
                        : schema_key_get(SEC_STAGE, "parallelism")->def;
  tp->as.batch.bound = bound_of(st->more->bound.s);
  /* Looked up once here, not by name on every evaluation. */
  tp->as.batch.per_core =
      tp->as.batch.bound != BOUND_NONE
          ? catalog_bound_factor(bound_names[tp->as.batch.bound])
          : 0;
  tp->as.batch.gpu_parallel =
      !st->more->parallelism.set && !st->more->bound.s && hw && hw->gpus > 1;
  if (!st->more->bound.s || !hw)
    return;
  if (hw->gpus > 0) {
    char help[256];
    snprintf(help, sizeof help,
             "'bound' derives parallelism from CPU cores; on GPU hardware "
             "each of the %g GPUs runs one batch, so remove 'bound' (or give "
             "'parallelism')",
             hw->gpus);
    capplan_diags_add(d, CAPPLAN_ERROR, st->more->bound.loc, help,
                      "'bound' does not apply to GPU hardware '%s'", hw_name);
    return;
  }
  if (hw->cores <= 0) {
    char help[192];
    snprintf(help, sizeof help,
             "add 'cores' to hardware '%s', or give 'parallelism' instead",
             hw_name);
    capplan_diags_add(d, CAPPLAN_ERROR, st->more->bound.loc, help,
                      "'bound' needs the cores of hardware '%s', which has "
                      "none",
                      hw_name);
  }
}

static double parallelism(const tp_model *tp, const stage_in *in,
                          const hw_in *hw) {
  if (tp->as.batch.bound != BOUND_NONE)
    return hw->cores * tp->as.batch.per_core;
  if (tp->as.batch.gpu_parallel)
    return hw->gpus;
  return in->parallelism;
}

static void eval(const tp_model *tp, const stage_in *in, const gpu_in *g,
                 const hw_in *hw, double load, tp_out *out) {
  (void)g;
  (void)load;
  out->batch = in->batch;
  out->parallelism = parallelism(tp, in, hw);
  out->per_server = in->batch / in->latency * out->parallelism;
  out->latency = in->latency;
}

/* The queue of one server (tp.h's tp_batch_queue says how). */
static void queue(const tp_model *tp, const stage_in *in, const gpu_in *g,
                  const hw_in *hw, const tp_out *out, double rate,
                  tp_queue *q) {
  (void)g;
  (void)tp;
  (void)hw;
  tp_batch_queue(in, out, rate, q);
}

static void steps_of(const tp_model *tp, const stage_in *in, const gpu_in *g,
                     const hw_in *hw, const mstage *ms, const tp_out *out,
                     steps *s, step_list *l) {
  (void)g;
  (void)in;
  (void)ms;
  char b[5][FMT_SIZE];
  double lo, per, hi;
  if (tp->as.batch.bound != BOUND_NONE &&
      catalog_bound_range(bound_names[tp->as.batch.bound], &lo, &per, &hi))
    steps_say(s, l, "parallelism",
              "%s cores x %s per core (%s-bound; seed 004: %g-%gx for 16 "
              "cores, %gx used) = %s",
              fmt_count(hw->cores, b[0], FMT_SIZE),
              fmt_number(per, 4, b[1], FMT_SIZE),
              bound_names[tp->as.batch.bound], lo * 16, hi * 16, per * 16,
              fmt_number(out->parallelism, 4, b[2], FMT_SIZE));
  else if (tp->as.batch.gpu_parallel)
    steps_say(s, l, "parallelism",
              "%s GPUs per server, one batch in flight on each = %s",
              fmt_count(hw->gpus, b[0], FMT_SIZE),
              fmt_number(out->parallelism, 4, b[1], FMT_SIZE));
  steps_say(s, l, "throughput",
            "batch / latency x parallelism = %s / %s x %s = %s QPS per "
            "server",
            fmt_number(out->batch, 0, b[0], FMT_SIZE),
            fmt_ms(out->latency, b[1], FMT_SIZE),
            fmt_number(out->parallelism, 4, b[2], FMT_SIZE),
            fmt_rate(out->per_server, b[3], FMT_SIZE));
  if (out->batch == 1)
    steps_say(s, l, "",
              "(one request per pass: the items a request scores "
              "together do not count as requests)");
}

const tp_ops tp_batch_ops = {"batch", resolve, eval, queue, steps_of};

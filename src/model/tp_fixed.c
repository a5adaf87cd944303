/*
 * tp_fixed.c - the fixed throughput model: qps_per_server as measured or
 * given (SPEC.md section 2; FORMULAS.md section 1).  The stage's latency
 * is the service time of one request.
 */
#include "format.h"
#include "spec.h"
#include "tp.h"

static void resolve(const spec_stage *st, const hw_in *hw, const char *hw_name,
                    tp_model *tp, stage_in *in, gpu_in *g, capplan_diags *d) {
  (void)g;
  (void)hw;
  (void)hw_name;
  (void)d;
  tp->kind = TP_FIXED;
  in->qps_per_server = st->qps_per_server.v;
}

static void eval(const tp_model *tp, const stage_in *in, const gpu_in *g,
                 const hw_in *hw, double load, tp_out *out) {
  (void)g;
  (void)tp;
  (void)hw;
  (void)load;
  tp_fixed_eval(in, out);
}

/* The queue of one server (tp.h's tp_fixed_queue says how). */
static void queue(const tp_model *tp, const stage_in *in, const gpu_in *g,
                  const hw_in *hw, const tp_out *out, double rate,
                  tp_queue *q) {
  (void)g;
  (void)tp;
  (void)hw;
  (void)rate;
  tp_fixed_queue(in, out, q);
}

static void steps_of(const tp_model *tp, const stage_in *in, const gpu_in *g,
                     const hw_in *hw, const mstage *ms, const tp_out *out,
                     steps *s, step_list *l) {
  (void)g;
  (void)tp;
  (void)in;
  (void)hw;
  char b[FMT_SIZE];
  if (ms->text.qps_per_server && (ms->inherits & MSTAGE_INHERITS_QPS))
    steps_say(s, l, "throughput",
              "qps_per_server: %s from kind %s, %s QPS per server at 100%% "
              "utilization",
              ms->text.qps_per_server, ms->workload,
              fmt_rate(out->per_server, b, sizeof b));
  else if (ms->text.qps_per_server)
    steps_say(s, l, "throughput",
              "qps_per_server: %s given, %s QPS per server at 100%% "
              "utilization",
              ms->text.qps_per_server, fmt_rate(out->per_server, b, sizeof b));
  else
    steps_say(s, l, "throughput",
              "qps_per_server: %s QPS per server at 100%% utilization",
              fmt_rate(out->per_server, b, sizeof b));
}

const tp_ops tp_fixed_ops = {"qps_per_server", resolve, eval, queue, steps_of};

/*
 * tp_llm.c - LLM serving with continuous batching (SPEC.md section 6,
 * `llm:`; FORMULAS.md section 6b), on the leaf module llm.c.
 *
 * A replica is `tp` GPUs of one server; a server of G GPUs holds
 * floor(G / tp) replicas (a p5.48xlarge's 8 H100s hold four of tp 2).  A
 * replica's memory, its largest batch, prefill and decode times, TTFT,
 * TPOT and requests per second are llm.c's, at the batch chosen thus:
 * the most sequences the KV cache holds (at most max_batch), then the
 * largest batch whose TPOT meets slo.tpot, then the largest whose TTFT
 * meets slo.ttft.  A server serves its replicas' requests a second.
 *
 * TTFT here adds to llm.c's (fixed work per request and the prefill of
 * one prompt) the wait for the decode step in flight when a request
 * arrives, half a step on average, when other sequences are decoding
 * (B > 1): an in-flight batching engine starts a prompt at the next step
 * (vLLM's scheduler runs prefills between steps).  Queueing for a free
 * sequence slot is the queue's (tp_ops.queue).
 *
 * A request's time in the stage is one figure, used for its latency on
 * the path, the queue's service time and the KV cache's count: the time
 * it holds its sequence slot, B / X(B) by Little's law = its share of a
 * prefill, t_pre(B) / B, then o decode steps at TPOT (llm.h).  TTFT's
 * fixed work and its wait for the step in flight are not in it: X, which
 * sizes the stage, charges the replica nothing for them (the host's work
 * overlaps the GPUs', and the step is other requests'), and a stage's
 * latency that counted time its throughput does not would make the queue
 * and the sizing disagree about the load (docs/decisions.md).
 *
 * The arithmetic runs at the weights' dtype; where the hardware states
 * no FLOPS for fp16 but does for bf16 (or the other way round) the other
 * is used: every part in the catalog that has both has them equal.  The
 * memory kept back is the stage's own memory_reserve, else vLLM's 10%
 * (llm.h), not the 20% of host memory (FORMULAS.md 6b).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "spec.h"
#include "tp.h"

#define SECONDS_PER_YEAR (CAPPLAN_HOURS_PER_YEAR * 3600.0)

static double efficiency(const snum *own, double hw, double def) {
  if (own->set)
    return own->v;
  return hw > 0 ? hw : def;
}

/* The dense peak of one GPU of HW for arithmetic at DT (see above). */
static double peak_of(const hw_in *hw, enum dtype dt) {
  double f = hw->flops[dt];
  if (f <= 0 && dt == DT_FP16)
    f = hw->flops[DT_BF16];
  if (f <= 0 && dt == DT_BF16)
    f = hw->flops[DT_FP16];
  return f;
}

/* llm.c's inputs for one replica of the stage on HW. */
static void inputs(const tp_model *tp, const gpu_in *x, const hw_in *hw,
                   llm_model *m, llm_gpu *g, llm_config *c) {
  *m = (llm_model){x->params,   x->active_params, x->layers,
                   x->hidden,   x->heads,         x->kv_heads,
                   x->head_dim, x->experts,       x->experts_active};
  double gpus = hw->gpus > 0 ? hw->gpus : 1;
  *g = (llm_gpu){peak_of(hw, tp->as.llm.dtype), hw->mem_bw,
                 hw->gpu_memory / gpus, hw->link_bw,
                 hw->cost_per_year / gpus / SECONDS_PER_YEAR};
  llm_config_init(c);
  c->weight_bytes = x->weight_bytes;
  c->kv_bytes = x->kv_bytes;
  c->prompt_tokens = x->prompt_tokens;
  c->output_tokens = x->output_tokens;
  c->tp = x->tp;
  c->max_batch = x->llm_max_batch;
  c->tpot_target = x->tpot_target;
  c->mfu = x->mfu;
  c->mbu = x->mbu;
  c->reserve = x->reserve;
}

/* The tp values from 1 to MAX that split M's heads evenly
 * (llm_tp_shards), as "1, 2, 4 or 8", into BUF. */
static void shard_list(const llm_model *m, double max, char *buf, size_t size) {
  double v[64];
  size_t n = 0;
  for (double t = 1; t <= max && n < 64; t++)
    if (llm_tp_shards(m, t))
      v[n++] = t;
  size_t at = 0;
  buf[0] = 0;
  for (size_t k = 0; k < n && at < size; k++) {
    int w = snprintf(buf + at, size - at, "%s%g",
                     k == 0       ? ""
                     : k + 1 == n ? " or "
                                  : ", ",
                     v[k]);
    if (w < 0)
      break;
    at += (size_t)w;
  }
}

/* The smallest tp >= FROM that splits M's heads evenly; 0 if none does
 * (tp can be at most the heads). */
static double shard_at_least(const llm_model *m, double from) {
  for (double t = from < 1 ? 1 : from; t <= m->heads; t++)
    if (llm_tp_shards(m, t))
      return t;
  return 0;
}

static void resolve(const spec_stage *st, const hw_in *hw, const char *hw_name,
                    tp_model *tp, stage_in *in, gpu_in *gi, capplan_diags *d) {
  const spec_llm *l = st->llm;
  gpu_in *x = gi;
  tp->kind = TP_LLM;
  int dt = l->dtype.s ? dtype_parse(l->dtype.s) : DT_FP16;
  tp->as.llm.dtype = dt < 0 ? DT_FP16 : (enum dtype)dt;
  int kv = l->kv_dtype.s ? dtype_parse(l->kv_dtype.s) : (int)tp->as.llm.dtype;
  tp->as.llm.kv_dtype = kv < 0 ? tp->as.llm.dtype : (enum dtype)kv;
  tp->as.llm.model = NULL;
  x->weight_bytes = dtype_bytes(tp->as.llm.dtype);
  x->kv_bytes = dtype_bytes(tp->as.llm.kv_dtype);
  x->prompt_tokens = l->prompt_tokens.v;
  x->output_tokens = l->output_tokens.set ? l->output_tokens.v : 1;
  x->tp = l->tp.set ? l->tp.v : 1;
  x->llm_max_batch = l->max_batch.set ? l->max_batch.v : LLM_DEFAULT_MAX_BATCH;
  x->reserve = st->pol->memory_reserve.set ? st->pol->memory_reserve.v
                                           : LLM_DEFAULT_RESERVE;
  in->batch = 1;
  in->latency = 0;
  char help[768];
  /* A model reads at most its context window at once: the prompt and
   * every token generated after it (SPEC.md 6, max_context).  Beyond it
   * the engine refuses the request (vLLM checks max_model_len), and the
   * KV cache and attention figures would describe a model that does not
   * exist. */
  double ctx = x->prompt_tokens + x->output_tokens;
  if (x->max_context > 0 && ctx > x->max_context) {
    char a[FMT_SIZE], b[FMT_SIZE], c[FMT_SIZE], w[FMT_SIZE], o[FMT_SIZE];
    const char *mn = l->model_name.s ? l->model_name.s : "the model";
    if (x->output_tokens < x->max_context)
      snprintf(help, sizeof help,
               "%s's window is %s tokens: use prompts of at most %s tokens "
               "with %s output tokens, or a model with a longer window "
               "('capplan catalog models' lists each one's max_context)",
               mn, fmt_count(x->max_context, w, sizeof w),
               fmt_count(x->max_context - x->output_tokens, o, sizeof o),
               fmt_count(x->output_tokens, c, sizeof c));
    else
      snprintf(help, sizeof help,
               "%s's window is %s tokens: generate fewer output tokens, or "
               "use a model with a longer window ('capplan catalog models' "
               "lists each one's max_context)",
               mn, fmt_count(x->max_context, w, sizeof w));
    capplan_diags_add(
        d, CAPPLAN_ERROR, l->prompt_tokens.set ? l->prompt_tokens.loc : l->loc,
        help,
        "stage '%s': prompt_tokens + output_tokens = %s + %s = %s exceed "
        "the context window of %s (%s tokens)",
        st->name.s ? st->name.s : "", fmt_count(x->prompt_tokens, a, sizeof a),
        fmt_count(x->output_tokens, b, sizeof b), fmt_count(ctx, c, sizeof c),
        mn, fmt_count(x->max_context, w, sizeof w));
    return;
  }
  if (x->output_tokens < 2 && x->tpot_target > 0)
    capplan_diags_add(
        d, CAPPLAN_WARNING,
        l->output_tokens.set ? l->output_tokens.loc : l->loc,
        "slo.tpot judges the stages that generate two or more tokens; "
        "bound this stage's time to its token with slo.ttft",
        "slo.tpot does not apply to stage '%s': with one output token "
        "there is no time per output token after the first",
        st->name.s ? st->name.s : "");
  if (!hw)
    return;
  x->mfu = efficiency(&st->more->mfu, hw->mfu, ROOFLINE_DEFAULT_MFU);
  x->mbu = efficiency(&st->more->mbu, hw->mbu, ROOFLINE_DEFAULT_MBU);
  const char *dn = dtype_name(tp->as.llm.dtype);
  if (hw->gpus <= 0 || hw->mem_bw <= 0 || hw->gpu_memory <= 0 ||
      peak_of(hw, tp->as.llm.dtype) <= 0) {
    const char *what = hw->gpus <= 0         ? "has no GPU"
                       : hw->mem_bw <= 0     ? "states no memory bandwidth"
                       : hw->gpu_memory <= 0 ? "states no GPU memory"
                                             : "states no FLOPS at the dtype";
    snprintf(help, sizeof help,
             "use catalog hardware such as 'h100-sxm' or 'p5.48xlarge' "
             "('capplan catalog accelerators|instances'), give '%s' an "
             "'accelerator:' from the catalog, or state its %s under "
             "'hardware:'",
             hw_name,
             hw->gpus <= 0 || hw->mem_bw <= 0 ? "memory_bandwidth and flops"
                                              : "flops");
    capplan_diags_add(d, CAPPLAN_ERROR,
                      st->hardware.s ? st->hardware.loc : l->loc, help,
                      "stage '%s' serves an LLM at %s on '%s', which %s",
                      st->name.s ? st->name.s : "", dn, hw_name, what);
    return;
  }
  if (x->tp > hw->gpus) {
    snprintf(help, sizeof help,
             "a replica's GPUs share one server: use an instance with %g or "
             "more GPUs (an 8-GPU one such as 'p5.48xlarge' holds %g "
             "replicas of tp %g), or lower 'tp'",
             x->tp, floor(8 / x->tp), x->tp);
    capplan_diags_add(d, CAPPLAN_ERROR, l->tp.loc, help,
                      "'tp' is %g, but '%s' has %g GPU%s per server", x->tp,
                      hw_name, hw->gpus, hw->gpus == 1 ? "" : "s");
    return;
  }
  llm_model dims = {x->params,   x->active_params, x->layers,
                    x->hidden,   x->heads,         x->kv_heads,
                    x->head_dim, x->experts,       x->experts_active};
  if (x->heads > 0 && x->kv_heads > 0 && !llm_tp_shards(&dims, x->tp)) {
    char list[128];
    shard_list(&dims, hw->gpus, list, sizeof list);
    snprintf(help, sizeof help,
             "tensor parallelism gives each GPU an equal share of the "
             "heads (vLLM and TensorRT-LLM refuse other sizes): on '%s' "
             "use tp %s",
             hw_name, list);
    capplan_diags_add(d, CAPPLAN_ERROR, l->tp.loc, help,
                      "'tp' is %g, but %s's %g attention heads (%g key-value "
                      "heads) do not split evenly over %g GPUs",
                      x->tp, l->model_name.s ? l->model_name.s : "the model",
                      x->heads, x->kv_heads, x->tp);
    return;
  }
  if (fmod(hw->gpus, x->tp) != 0) {
    double idle = fmod(hw->gpus, x->tp);
    snprintf(help, sizeof help, "a tp that divides %g (%s) uses them all",
             hw->gpus, hw->gpus == 8 ? "1, 2, 4 or 8" : "the GPUs per server");
    capplan_diags_add(d, CAPPLAN_WARNING, l->tp.loc, help,
                      "%g of the %g GPUs of each '%s' stay idle: %g replicas "
                      "of tp %g fit",
                      idle, hw->gpus, hw_name, floor(hw->gpus / x->tp), x->tp);
  }
  if (x->tp > 1 && hw->link_bw <= 0) {
    snprintf(help, sizeof help,
             "give 'interconnect' (GPU-to-GPU bandwidth) under 'hardware: "
             "%s:', or keep 'tp: 1'",
             hw_name);
    capplan_diags_add(d, CAPPLAN_ERROR, l->tp.loc, help,
                      "tensor parallelism on '%s' needs its interconnect "
                      "bandwidth, which it does not state",
                      hw_name);
    return;
  }
  if (x->params <= 0)
    return; /* the model is unknown: reported */
  llm_model m;
  llm_gpu g;
  llm_config c;
  inputs(tp, gi, hw, &m, &g, &c);
  llm_memory mem;
  llm_status s = llm_memory_of(&m, &g, &c, &mem);
  if (s != LLM_DOES_NOT_FIT && s != LLM_SEQUENCE_DOES_NOT_FIT)
    return;
  char w[FMT_SIZE], u[FMT_SIZE], per[FMT_SIZE], seq[FMT_SIZE];
  fmt_si(mem.weights_bytes, "B", w, sizeof w);
  fmt_si(mem.memory_usable, "B", u, sizeof u);
  fmt_si(g.memory, "B", per, sizeof per);
  /* The fewest GPUs whose usable memory holds the weights and one
   * sequence's cache. */
  double need = mem.weights_bytes + mem.kv_bytes_per_sequence;
  double usable = g.memory * (1 - c.reserve);
  double tp_min = shard_at_least(&m, ceil(need / usable));
  char raise[256] = "";
  if (tp_min > 0)
    snprintf(raise, sizeof raise,
             "raise 'tp' to %g (the fewest GPUs that hold it and split its "
             "%g heads evenly%s), or ",
             tp_min, x->heads,
             tp_min <= hw->gpus ? ""
             : tp_min <= 8      ? "; an 8-GPU server such as 'p5.48xlarge'"
                                : "; more than an 8-GPU server has: GPUs "
                                  "with more memory, 'capplan catalog "
                                  "instances'");
  if (s == LLM_DOES_NOT_FIT) {
    char fp8[96] = "";
    /* The same at one byte a weight, when that is smaller. */
    double tp8 = shard_at_least(&m, ceil((mem.weights_bytes / c.weight_bytes +
                                          mem.kv_bytes_per_sequence) /
                                         usable));
    if (c.weight_bytes > 1 && tp8 > x->tp)
      snprintf(fp8, sizeof fp8, ", which needs tp %g", tp8);
    snprintf(help, sizeof help,
             "a replica of tp %g has %g x %s x (1 - %g%% kept back) = %s; "
             "%suse smaller weights ('dtype: fp8'%s)",
             x->tp, x->tp, per, c.reserve * 100, u, raise, fp8);
    capplan_diags_add(d, CAPPLAN_ERROR, l->loc, help,
                      "stage '%s': the model's %s weights (%s) do not fit "
                      "in the memory of a replica on '%s' (%s)",
                      st->name.s ? st->name.s : "", dn, w, hw_name, u);
  } else {
    fmt_si(mem.kv_bytes_per_sequence, "B", seq, sizeof seq);
    char left[FMT_SIZE];
    fmt_si(mem.kv_memory, "B", left, sizeof left);
    if (tp_min > 0)
      snprintf(help, sizeof help,
               "fewer prompt or output tokens, a smaller 'kv_dtype', or 'tp' "
               "of %g (the fewest GPUs that hold it and split the %g heads "
               "evenly) leave room for it",
               tp_min, x->heads);
    else
      snprintf(help, sizeof help,
               "fewer prompt or output tokens or a smaller 'kv_dtype' leave "
               "room for it");
    capplan_diags_add(d, CAPPLAN_ERROR, l->loc, help,
                      "stage '%s': one sequence's KV cache (%s for %g tokens) "
                      "does not fit in the %s left beside the weights on '%s'",
                      st->name.s ? st->name.s : "", seq,
                      x->prompt_tokens + x->output_tokens, left, hw_name);
  }
}

/* TTFT at batch B: llm.c's (overhead and one prefill) and, when others
 * decode, half the step in flight (see the file comment). */
static double ttft_at(const llm_result *r) {
  /* With one output token llm.c's TTFT is already the time to it, the
   * whole B / X (llm.h). */
  return r->ttft + (r->has_tpot && r->batch > 1 ? r->decode.seconds / 2 : 0);
}

/* What chose the batch (tp_out.limit). */
enum { LIMIT_MAX_BATCH, LIMIT_KV, LIMIT_TPOT, LIMIT_TTFT };

static void eval(const tp_model *tp, const stage_in *in, const gpu_in *gi,
                 const hw_in *hw, double load, tp_out *out) {
  (void)in;
  llm_model m;
  llm_gpu g;
  llm_config c;
  inputs(tp, gi, hw, &m, &g, &c);
  out->rate = load;
  out->unmet = false;
  out->form = 0;
  out->busy = out->accelerators = 0;
  llm_result *r = out->llm;
  llm_status s = llm_evaluate(&m, &g, &c, r);
  out->limit = r->limit == LLM_LIMIT_KV_MEMORY ? LIMIT_KV
               : r->limit == LLM_LIMIT_TPOT    ? LIMIT_TPOT
                                               : LIMIT_MAX_BATCH;
  if (s == LLM_TPOT_UNMET) {
    out->unmet = true;
    s = LLM_OK;
  }
  double target = gi->ttft_target;
  if (s == LLM_OK && target > 0 && ttft_at(r) > target) {
    /* The largest batch whose TTFT meets the target: TTFT grows with the
     * batch (its decode step does), so bisect. */
    llm_memory mem = r->memory;
    llm_result t;
    double lo = 1, hi = r->batch;
    s = llm_at_batch(&m, &g, &c, 1, &t);
    if (s == LLM_OK && ttft_at(&t) > target) {
      out->unmet = true;
      hi = 1;
    }
    while (s == LLM_OK && hi - lo > 1) {
      double mid = floor(lo + (hi - lo) / 2);
      s = llm_at_batch(&m, &g, &c, mid, &t);
      if (ttft_at(&t) <= target)
        lo = mid;
      else
        hi = mid;
    }
    if (s == LLM_OK)
      s = llm_at_batch(&m, &g, &c, lo, r);
    r->memory = mem;
    out->limit = LIMIT_TTFT;
  }
  double rps = floor(hw->gpus / gi->tp);
  out->replicas_per_server = rps;
  out->parallelism = rps;
  out->status = (int)s;
  if (s != LLM_OK || rps < 1) {
    out->status = s != LLM_OK ? (int)s : (int)LLM_BAD_INPUT;
    out->per_server = out->latency = out->batch = out->batch_time = 0;
    out->ttft = 0;
    out->bound = -1;
    return;
  }
  out->batch = r->batch;
  out->batch_time = r->decode.seconds;
  out->bound = (int)r->bound;
  out->ttft = ttft_at(r);
  out->per_server = rps * r->requests_per_second;
  /* A server is rented whole: when its replicas leave GPUs idle (a tp
   * that does not divide them), its tokens carry the idle GPUs' cost and
   * are spread over all its GPUs.  llm.c's figures are one replica's. */
  double idle = hw->gpus / (rps * gi->tp);
  if (idle > 1) {
    r->output_tokens_per_second_per_gpu /= idle;
    r->usd_per_m_output *= idle;
    r->usd_per_m_input_split *= idle;
    r->usd_per_m_output_split *= idle;
  }
  /* The time a request holds its slot (see the file comment). */
  out->latency = r->slot_seconds;
}

/* A server holds replicas x B sequences at once, each request holding
 * one for B / X(B) seconds, the stage's latency. */
static void queue(const tp_model *tp, const stage_in *in, const gpu_in *gi,
                  const hw_in *hw, const tp_out *out, double rate,
                  tp_queue *q) {
  (void)gi;
  (void)tp;
  (void)hw;
  (void)rate;
  q->slots = out->replicas_per_server * out->batch;
  q->job = 1;
  q->service = out->latency;
  q->cs = in->service_cv >= 0 ? in->service_cv : 0;
  q->form = 0;
}

static void steps_of(const tp_model *tp, const stage_in *in, const gpu_in *gi,
                     const hw_in *hw, const mstage *ms, const tp_out *out,
                     steps *s, step_list *l) {
  (void)in;
  (void)ms;
  const gpu_in *x = gi;
  const llm_result *r = out->llm;
  const llm_memory *mem = &r->memory;
  char b[9][FMT_SIZE];
  const char *dn = dtype_name(tp->as.llm.dtype);
  const char *kn = dtype_name(tp->as.llm.kv_dtype);
  steps_say(s, l, "model",
            "%s: %sB parameters (%sB active), %g layers, %g heads, %g KV "
            "heads of %g%s",
            tp->as.llm.model ? tp->as.llm.model : "given",
            fmt_number(x->params / 1e9, 2, b[0], FMT_SIZE),
            fmt_number(x->active_params / 1e9, 2, b[1], FMT_SIZE), x->layers,
            x->heads, x->kv_heads, x->head_dim,
            tp->as.llm.model ? " ('capplan catalog models' names the sources)"
                             : "");
  steps_say(s, l, "weights", "params x bytes = %sB x %g (%s) = %s",
            fmt_number(x->params / 1e9, 2, b[0], FMT_SIZE), x->weight_bytes, dn,
            fmt_si(mem->weights_bytes, "B", b[1], FMT_SIZE));
  steps_say(s, l, "KV cache",
            "2 x layers x kv_heads x head_dim x bytes = 2 x %g x %g x %g x %g "
            "(%s) = %s per token; x (%s + %s) tokens = %s per sequence",
            x->layers, x->kv_heads, x->head_dim, x->kv_bytes, kn,
            fmt_bytes(mem->kv_bytes_per_token, b[0], FMT_SIZE),
            fmt_count(x->prompt_tokens, b[2], FMT_SIZE),
            fmt_count(x->output_tokens, b[3], FMT_SIZE),
            fmt_si(mem->kv_bytes_per_sequence, "B", b[1], FMT_SIZE));
  steps_say(s, l, "cache memory",
            "tp x GPU memory x (1 - %s kept back) - weights = %g x %s x %s - "
            "%s = %s: %s sequences%s",
            fmt_percent(x->reserve, b[0], FMT_SIZE), x->tp,
            fmt_si(hw->gpu_memory / hw->gpus, "B", b[1], FMT_SIZE),
            fmt_percent(1 - x->reserve, b[2], FMT_SIZE),
            fmt_si(mem->weights_bytes, "B", b[3], FMT_SIZE),
            fmt_si(mem->kv_memory, "B", b[4], FMT_SIZE),
            fmt_number(mem->max_concurrency, 0, b[5], FMT_SIZE),
            mem->limit == LLM_LIMIT_MAX_BATCH ? " (max_batch)" : "");
  static const char *const why[] = {"max_batch", "the KV cache's memory",
                                    "the largest meeting slo.tpot",
                                    "the largest meeting slo.ttft"};
  steps_say(s, l, "batch", "%s sequences decoded together: %s%s",
            fmt_number(out->batch, 0, b[0], FMT_SIZE),
            why[out->limit >= 0 && out->limit < 4 ? out->limit : 0],
            out->unmet ? " (even 1 misses the target: the stage is unmet)"
                       : "");
  steps_say(s, l, "prefill",
            "one prompt of %s tokens: max(compute %s, memory %s)%s = %s "
            "(%s-bound)",
            fmt_count(x->prompt_tokens, b[3], FMT_SIZE),
            fmt_ms(r->prefill.compute_s, b[0], FMT_SIZE),
            fmt_ms(r->prefill.memory_s, b[1], FMT_SIZE),
            r->prefill.comm_s > 0 ? " + all-reduces" : "",
            fmt_ms(r->prefill.seconds, b[2], FMT_SIZE),
            roofline_bound_name(r->prefill.bound));
  if (x->experts > 0)
    /* llm_weights_read: the shared weights and the experts touched. */
    steps_say(s, l, "experts",
              "%g a layer, %g a token: a decode step's %s tokens touch %g x "
              "(1 - (1 - %g/%g)^%s) = %s of them on average, so it reads %s "
              "of the %s of weights",
              x->experts, x->experts_active,
              fmt_number(out->batch, 0, b[0], FMT_SIZE), x->experts,
              x->experts_active, x->experts,
              fmt_number(out->batch, 0, b[1], FMT_SIZE),
              fmt_number(r->decode.experts_touched, 2, b[2], FMT_SIZE),
              fmt_si(r->decode.weights_read, "B", b[3], FMT_SIZE),
              fmt_si(mem->weights_bytes, "B", b[4], FMT_SIZE));
  steps_say(
      s, l, "decode step",
      "at batch %s, context %s: max(FLOPs / (tp x %s x mfu %s) = %s, "
      "bytes / (tp x %s x mbu %s) = %s)%s = %s",
      fmt_number(out->batch, 0, b[0], FMT_SIZE),
      fmt_number(x->prompt_tokens + x->output_tokens / 2, 1, b[8], FMT_SIZE),
      fmt_si(hw->flops[tp->as.llm.dtype] > 0 ? hw->flops[tp->as.llm.dtype]
             : hw->flops[DT_BF16] > 0        ? hw->flops[DT_BF16]
                                             : hw->flops[DT_FP16],
             "FLOPS", b[1], FMT_SIZE),
      fmt_percent(x->mfu, b[2], FMT_SIZE),
      fmt_ms(r->decode.compute_s, b[3], FMT_SIZE),
      fmt_si(hw->mem_bw, "B/s", b[4], FMT_SIZE),
      fmt_percent(x->mbu, b[5], FMT_SIZE),
      fmt_ms(r->decode.memory_s, b[6], FMT_SIZE),
      r->decode.comm_s > 0 ? " + all-reduces" : "",
      fmt_ms(r->decode.seconds, b[7], FMT_SIZE));
  if (r->has_tpot) {
    steps_say(s, l, "TTFT",
              "%s of work per request + prefill%s = %s (+ any wait for a "
              "free sequence slot)",
              fmt_ms(LLM_DEFAULT_REQUEST_OVERHEAD, b[1], FMT_SIZE),
              out->batch > 1 ? " + half the decode step in flight" : "",
              fmt_ms(out->ttft, b[0], FMT_SIZE));
    steps_say(s, l, "TPOT",
              "the decode step, stretched by the other sequences' prefills "
              "= %s",
              fmt_ms(r->tpot, b[0], FMT_SIZE));
  } else {
    steps_say(s, l, "TTFT",
              "one output token, out of the prefill of the %s prompts "
              "batched with it: %s of work per request + t_pre(B) = %s + %s "
              "= %s (+ any wait for a free sequence slot)",
              fmt_number(out->batch, 0, b[3], FMT_SIZE),
              fmt_ms(LLM_DEFAULT_REQUEST_OVERHEAD, b[1], FMT_SIZE), b[1],
              fmt_ms(r->prefill_batch.seconds, b[2], FMT_SIZE),
              fmt_ms(out->ttft, b[0], FMT_SIZE));
    steps_say(s, l, "TPOT",
              "not applicable: one output token, no time per token after "
              "the first%s",
              x->tpot_target > 0 ? " (slo.tpot does not limit the batch)" : "");
  }
  /* GPUs a server has beyond its replicas' (a tp that does not divide
   * them): the per-GPU and per-token figures charge them (eval). */
  double idle = hw->gpus - out->replicas_per_server * x->tp;
  if (idle > 0)
    steps_say(s, l, "replica",
              "X = B / (t_pre(B) + o x t_dec(B)) = %s / (%s + %g x %s) = %s "
              "requests/s (%s-bound)",
              fmt_number(out->batch, 0, b[0], FMT_SIZE),
              fmt_ms(r->prefill_batch.seconds, b[1], FMT_SIZE),
              x->output_tokens, fmt_ms(r->decode.seconds, b[2], FMT_SIZE),
              fmt_number_sig(r->requests_per_second, 2, b[3], FMT_SIZE),
              llm_bound_name(r->bound));
  else
    steps_say(
        s, l, "replica",
        "X = B / (t_pre(B) + o x t_dec(B)) = %s / (%s + %g x %s) = %s "
        "requests/s, %s output tokens/s per GPU (%s-bound)",
        fmt_number(out->batch, 0, b[0], FMT_SIZE),
        fmt_ms(r->prefill_batch.seconds, b[1], FMT_SIZE), x->output_tokens,
        fmt_ms(r->decode.seconds, b[2], FMT_SIZE),
        fmt_number_sig(r->requests_per_second, 2, b[3], FMT_SIZE),
        fmt_number(r->output_tokens_per_second_per_gpu, 0, b[4], FMT_SIZE),
        llm_bound_name(r->bound));
  steps_say(s, l, "throughput",
            "%g GPU%s per server / tp %g = %g replica%s x %s = %s QPS per "
            "server",
            hw->gpus, hw->gpus == 1 ? "" : "s", x->tp, out->replicas_per_server,
            out->replicas_per_server == 1 ? "" : "s",
            fmt_number_sig(r->requests_per_second, 2, b[0], FMT_SIZE),
            fmt_rate(out->per_server, b[1], FMT_SIZE));
  if (idle > 0)
    steps_say(
        s, l, "per GPU",
        "%s QPS x %g output tokens / %g GPUs (%g of them idle) = %s "
        "output tokens/s per GPU the server pays for",
        fmt_rate(out->per_server, b[0], FMT_SIZE), x->output_tokens, hw->gpus,
        idle,
        fmt_number(r->output_tokens_per_second_per_gpu, 0, b[1], FMT_SIZE));
  /* The prefill share and TPOT with the digits that redo the total as
   * shown (issue 9): a TPOT rounded to 0.01 ms is off by 1.5 ms after
   * 300 tokens. */
  double pre = r->prefill_batch.seconds / out->batch;
  fmt_ms(out->latency, b[2], FMT_SIZE);
  for (int k = 0; r->has_tpot && k <= 6; k++) {
    double t = fmt_shown_value(fmt_ms_extra(pre, k, b[0], FMT_SIZE)) +
               x->output_tokens *
                   fmt_shown_value(fmt_ms_extra(r->tpot, k, b[1], FMT_SIZE));
    if (!strcmp(fmt_ms(t / 1000, b[3], FMT_SIZE), b[2]))
      break;
    if (k == 6) {
      fmt_ms(pre, b[0], FMT_SIZE);
      fmt_ms(r->tpot, b[1], FMT_SIZE);
    }
  }
  if (r->has_tpot)
    steps_say(s, l, "latency",
              "a request holds its sequence slot B / X = t_pre(B) / B + o x "
              "TPOT = %s + %g x %s = %s to its last token (the queue's "
              "service time too; TTFT's fixed work and wait for the step in "
              "flight, which X does not charge, are not in it)",
              b[0], x->output_tokens, b[1], b[2]);
  else {
    /* Digits enough for the sum shown to give the total shown. */
    for (int k = 0; k <= 6; k++) {
      double t =
          fmt_shown_value(
              fmt_ms_extra(r->prefill_batch.seconds, k, b[0], FMT_SIZE)) +
          fmt_shown_value(fmt_ms_extra(r->decode.seconds, k, b[1], FMT_SIZE));
      if (!strcmp(fmt_ms(t / 1000, b[3], FMT_SIZE), b[2]))
        break;
    }
    steps_say(s, l, "latency",
              "a request holds its sequence slot B / X = t_pre(B) + t_dec(B) "
              "= %s + %s = %s, the B prompts' prefill and the decode step "
              "that yields its one token (the queue's service time too; "
              "TTFT's fixed work, which X does not charge, is not in it)",
              b[0], b[1], b[2]);
  }
  if (r->usd_per_m_output > 0 && idle > 0)
    steps_say(
        s, l, "per token",
        "at full load (every slot busy), a server's cost, its %g idle "
        "GPU%s included, / its replicas' output tokens = %s/hour / (%s "
        "output tokens/s x 3,600 s) x 1e6 = %s per million output tokens; its "
        "prefill time "
        "alone = %s per million input tokens",
        idle, idle == 1 ? "" : "s",
        fmt_money(hw->cost_per_year / CAPPLAN_HOURS_PER_YEAR, b[2], FMT_SIZE),
        fmt_count(round(out->per_server * x->output_tokens), b[3], FMT_SIZE),
        fmt_money(r->usd_per_m_output, b[0], FMT_SIZE),
        fmt_money(r->usd_per_m_input_split, b[1], FMT_SIZE));
  else if (r->usd_per_m_output > 0)
    steps_say(s, l, "per token",
              "at full load (every slot busy), a replica's cost / its output "
              "tokens = %s per million output tokens; its prefill time alone "
              "= %s per million input tokens",
              fmt_money(r->usd_per_m_output, b[0], FMT_SIZE),
              fmt_money(r->usd_per_m_input_split, b[1], FMT_SIZE));
}

const tp_ops tp_llm_ops = {"llm", resolve, eval, queue, steps_of};

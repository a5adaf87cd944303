/*
 * llm.c - see llm.h.
 *
 * Every formula is FORMULAS.md section 6b unless its comment says
 * otherwise.  Per replica of tp GPUs (peak F, bandwidth BW, memory M
 * each), W weight bytes, k KV bytes per token, p prompt and o output
 * tokens:
 *   M_kv     = tp M (1 - reserve) - W
 *   B_max    = min(max_batch, floor(M_kv / (k (p + o))))
 *   t_pre(n) = max(FLOPs_pre(n) / (tp F mfu), (W + n p k) / (tp BW mbu))
 *              + comm(n p tokens) + step_overhead
 *   t_dec(B) = max(FLOPs_dec(B) / (tp F mfu), (W + B k c) / (tp BW mbu))
 *              + comm(B tokens) + step_overhead,  c = p + o/2
 *   X(B)     = B / (t_pre(B) + o t_dec(B))   requests/s
 *   TPOT     = (B / X(B) - t_pre(B) / B) / o   (llm.h says why)
 */
#include "llm.h"

#include <math.h>
#include <string.h>

void llm_config_init(llm_config *c) {
  memset(c, 0, sizeof *c);
  c->weight_bytes = 2;
  c->kv_bytes = 2;
  c->act_bytes = 2;
  c->tp = 1;
  c->max_batch = LLM_DEFAULT_MAX_BATCH;
  c->mfu = ROOFLINE_DEFAULT_MFU;
  c->mbu = ROOFLINE_DEFAULT_MBU;
  c->reserve = LLM_DEFAULT_RESERVE;
  c->request_overhead = LLM_DEFAULT_REQUEST_OVERHEAD;
  c->step_overhead = LLM_DEFAULT_STEP_OVERHEAD;
  c->allreduce_latency = LLM_DEFAULT_ALLREDUCE_LATENCY;
}

/* ----------------------------------------------------------- checks */

static int pos(double x) {
  return isfinite(x) && x > 0;
}

static int nonneg(double x) {
  return isfinite(x) && x >= 0;
}

static int whole(double x) {
  return isfinite(x) && x >= 1 && x == floor(x);
}

/* A mixture of experts as llm_weights_read takes it: none stated (both
 * 0), or whole counts with 0 < k < E and params - active_params spread
 * over the E - k experts a token skips, which leaves the shared weights
 * (active_params less k experts) at or above 0: active / params >= k / E. */
static int experts_ok(const llm_model *m) {
  if (m->experts == 0 && m->experts_active == 0)
    return 1;
  double e = m->experts, k = m->experts_active;
  return whole(e) && whole(k) && k >= 1 && k < e && m->active_params > 0 &&
         m->active_params < m->params && m->active_params * e >= k * m->params;
}

static int model_ok(const llm_model *m) {
  return m && pos(m->params) && nonneg(m->active_params) &&
         m->active_params <= m->params && pos(m->layers) && pos(m->hidden) &&
         pos(m->heads) && pos(m->kv_heads) && pos(m->head_dim) && experts_ok(m);
}

static int config_ok(const llm_config *c) {
  return c && pos(c->weight_bytes) && pos(c->kv_bytes) && pos(c->act_bytes) &&
         nonneg(c->prompt_tokens) && isfinite(c->output_tokens) &&
         c->output_tokens >= 1 && whole(c->tp) && whole(c->max_batch) &&
         nonneg(c->tpot_target) && pos(c->mfu) && c->mfu <= 1 && pos(c->mbu) &&
         c->mbu <= 1 && nonneg(c->reserve) && c->reserve < 1 &&
         nonneg(c->request_overhead) && nonneg(c->step_overhead) &&
         nonneg(c->allreduce_latency);
}

static int gpu_ok(const llm_gpu *g, const llm_config *c) {
  return g && pos(g->peak_flops) && pos(g->mem_bw) && pos(g->memory) &&
         nonneg(g->usd_per_second) && nonneg(g->link_bw) &&
         (c->tp == 1 || g->link_bw > 0);
}

static int all_ok(const llm_model *m, const llm_gpu *g, const llm_config *c) {
  return model_ok(m) && config_ok(c) && gpu_ok(g, c);
}

static double active(const llm_model *m) {
  /* Mixture-of-experts: a token passes through active_params only. */
  return m->active_params > 0 ? m->active_params : m->params;
}

int llm_tp_shards(const llm_model *m, double tp) {
  if (!m || !whole(tp) || !whole(m->heads) || !whole(m->kv_heads))
    return 0;
  return fmod(m->heads, tp) == 0 &&
         (fmod(m->kv_heads, tp) == 0 || fmod(tp, m->kv_heads) == 0);
}

/* ----------------------------------------------------------- memory */

llm_status llm_weights_bytes(const llm_model *m, double weight_bytes,
                             double *out) {
  *out = 0;
  if (!model_ok(m) || !pos(weight_bytes))
    return LLM_BAD_INPUT;
  /* W = params x bytes(dtype). */
  double w = m->params * weight_bytes;
  if (!isfinite(w))
    return LLM_OUT_OF_RANGE;
  *out = w;
  return LLM_OK;
}

double llm_weights_read(const llm_model *m, double weights, double tokens,
                        double *touched) {
  *touched = 0;
  if (m->experts == 0 || tokens <= 0)
    return weights;
  /* E experts per layer, k taken by each token.  An expert's weights are
   * (params - active) / (E - k), since a token skips E - k of them, and
   * the shared weights (attention, embeddings, norms, routers) are the
   * active ones less k experts.  With tokens routed uniformly and
   * independently, an expert escapes one token with probability 1 - k/E
   * and all T of them with (1 - k/E)^T, so E (1 - (1 - k/E)^T) are read
   * on average (the occupancy of E cells by T draws of k).  At T = 1 that
   * is k (the active weights); past a few dozen tokens, every expert.
   * Uniform routing touches the most experts T tokens can: a skewed
   * router reads fewer, so this errs toward more bytes, a slower step. */
  double e = m->experts, k = m->experts_active;
  double per = (m->params - m->active_params) / (e - k);
  double shared = m->active_params - k * per;
  *touched = e * -expm1(tokens * log1p(-k / e));
  return weights * (shared + *touched * per) / m->params;
}

llm_status llm_kv_bytes_per_token(const llm_model *m, double kv_bytes,
                                  double *out) {
  *out = 0;
  if (!model_ok(m) || !pos(kv_bytes))
    return LLM_BAD_INPUT;
  /* k = 2 (K and V) x layers x kv_heads x head_dim x bytes(kv_dtype)
   * (FORMULAS.md 6 and 6b). */
  double k = 2 * m->layers * m->kv_heads * m->head_dim * kv_bytes;
  if (!isfinite(k))
    return LLM_OUT_OF_RANGE;
  *out = k;
  return LLM_OK;
}

llm_status llm_memory_of(const llm_model *m, const llm_gpu *g,
                         const llm_config *c, llm_memory *out) {
  memset(out, 0, sizeof *out);
  if (!all_ok(m, g, c))
    return LLM_BAD_INPUT;
  if (llm_weights_bytes(m, c->weight_bytes, &out->weights_bytes) != LLM_OK ||
      llm_kv_bytes_per_token(m, c->kv_bytes, &out->kv_bytes_per_token) !=
          LLM_OK) {
    memset(out, 0, sizeof *out);
    return LLM_OUT_OF_RANGE;
  }
  out->kv_bytes_per_sequence =
      out->kv_bytes_per_token * (c->prompt_tokens + c->output_tokens);
  /* M_kv = tp x M x (1 - reserve) - W; vLLM keeps 10% back by default.
   * Activations are left out (small beside the cache at serving batch
   * sizes). */
  out->memory_usable = c->tp * g->memory * (1 - c->reserve);
  out->kv_memory = out->memory_usable - out->weights_bytes;
  double v[] = {out->weights_bytes, out->kv_bytes_per_token,
                out->kv_bytes_per_sequence, out->memory_usable, out->kv_memory};
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
    if (!isfinite(v[i])) {
      memset(out, 0, sizeof *out);
      return LLM_OUT_OF_RANGE;
    }
  if (out->kv_memory <= 0)
    return LLM_DOES_NOT_FIT;
  /* B_max = min(max_batch, floor(M_kv / (k (p + o)))): a sequence's
   * cache at its end. */
  double fit = floor(out->kv_memory / out->kv_bytes_per_sequence);
  if (fit < c->max_batch) {
    out->max_concurrency = fit;
    out->limit = LLM_LIMIT_KV_MEMORY;
  } else {
    out->max_concurrency = c->max_batch;
    out->limit = LLM_LIMIT_MAX_BATCH;
  }
  if (out->max_concurrency < 1) {
    out->max_concurrency = 0;
    return LLM_SEQUENCE_DOES_NOT_FIT;
  }
  return LLM_OK;
}

/* ------------------------------------------------------------- time */

llm_status llm_allreduce_time(double bytes, double tp, double link_bw,
                              double latency, double *out) {
  *out = 0;
  if (!nonneg(bytes) || !whole(tp) || !nonneg(link_bw) || !nonneg(latency))
    return LLM_BAD_INPUT;
  if (tp == 1)
    return LLM_OK;
  if (link_bw <= 0)
    return LLM_BAD_INPUT;
  /* Ring all-reduce: each GPU sends and receives 2 (tp - 1) / tp of the
   * data, one direction of its links at a time (half the bidirectional
   * figure datasheets give), plus a fixed latency per operation. */
  double t = 2 * (tp - 1) / tp * bytes / (link_bw / 2) + latency;
  if (!isfinite(t))
    return LLM_OUT_OF_RANGE;
  *out = t;
  return LLM_OK;
}

/* Tensor parallelism (Megatron-LM, Shoeybi et al. 2019,
 * https://arxiv.org/abs/1909.08053, section 3): two all-reduces of the
 * activations per layer in a forward pass, after attention and after the
 * MLP, of tokens x hidden x act_bytes each. */
static double comm_time(const llm_model *m, const llm_gpu *g,
                        const llm_config *c, double tokens) {
  double one;
  if (llm_allreduce_time(tokens * m->hidden * c->act_bytes, c->tp, g->link_bw,
                         c->allreduce_latency, &one) != LLM_OK)
    return INFINITY; /* caught by the finiteness check of the caller */
  return 2 * m->layers * one;
}

static llm_status finish_step(const llm_model *m, const llm_gpu *g,
                              const llm_config *c, double flops, double bytes,
                              double tokens, llm_step *out) {
  roofline_hw hw = {c->tp * g->peak_flops, c->tp * g->mem_bw, c->mfu, c->mbu};
  roofline_time t;
  if (!isfinite(flops) || !isfinite(bytes) ||
      roofline_time_of(&hw, flops, bytes, &t) != ROOFLINE_OK) {
    memset(out, 0, sizeof *out);
    return LLM_OUT_OF_RANGE;
  }
  out->flops = flops;
  out->bytes = bytes;
  out->compute_s = t.compute_s;
  out->memory_s = t.memory_s;
  out->bound = t.bound;
  out->comm_s = comm_time(m, g, c, tokens);
  out->seconds = t.seconds + out->comm_s + c->step_overhead;
  if (!isfinite(out->seconds)) {
    memset(out, 0, sizeof *out);
    return LLM_OUT_OF_RANGE;
  }
  return LLM_OK;
}

llm_status llm_prefill_step(const llm_model *m, const llm_gpu *g,
                            const llm_config *c, double prompts,
                            llm_step *out) {
  memset(out, 0, sizeof *out);
  if (!all_ok(m, g, c) || !nonneg(prompts))
    return LLM_BAD_INPUT;
  double p = c->prompt_tokens, k, bytes;
  if (llm_kv_bytes_per_token(m, c->kv_bytes, &k) != LLM_OK ||
      llm_weights_bytes(m, c->weight_bytes, &bytes) != LLM_OK)
    return LLM_OUT_OF_RANGE;
  /* FLOPs per prompt: 2 x active_params per token, plus causal attention,
   * 2 x layers x p^2 x heads x head_dim (QK^T and PV are 2 p^2 d per
   * head each, halved by the mask; FlashAttention-2 paper section 4.1).
   * Bytes: the weights once for the whole batch of prompts (a mixture
   * of experts': those its prompts' tokens touch), and the cache
   * written. */
  double flops = prompts * (2 * active(m) * p +
                            2 * m->layers * p * p * m->heads * m->head_dim);
  double touched, read = llm_weights_read(m, bytes, prompts * p, &touched);
  llm_status s =
      finish_step(m, g, c, flops, read + prompts * p * k, prompts * p, out);
  if (s == LLM_OK) {
    out->weights_read = read;
    out->experts_touched = touched;
  }
  return s;
}

llm_status llm_decode_step(const llm_model *m, const llm_gpu *g,
                           const llm_config *c, double batch, llm_step *out) {
  memset(out, 0, sizeof *out);
  if (!all_ok(m, g, c) || !nonneg(batch))
    return LLM_BAD_INPUT;
  double ctx = c->prompt_tokens + c->output_tokens / 2, k, bytes;
  if (llm_kv_bytes_per_token(m, c->kv_bytes, &k) != LLM_OK ||
      llm_weights_bytes(m, c->weight_bytes, &bytes) != LLM_OK)
    return LLM_OUT_OF_RANGE;
  /* FLOPs per sequence: 2 x active_params, plus attention over the mean
   * context c, 4 x layers x c x heads x head_dim (QK^T and PV, 2 c d per
   * head each).  FORMULAS.md 6b leaves the attention term out; it is a
   * few percent at long contexts and large batches.  Bytes: the weights
   * (a mixture of experts': those the B tokens touch) and every
   * sequence's cache, W + B k c. */
  double flops =
      batch * (2 * active(m) + 4 * m->layers * ctx * m->heads * m->head_dim);
  double touched, read = llm_weights_read(m, bytes, batch, &touched);
  llm_status s =
      finish_step(m, g, c, flops, read + batch * k * ctx, batch, out);
  if (s == LLM_OK) {
    out->weights_read = read;
    out->experts_touched = touched;
  }
  return s;
}

/* ------------------------------------------------------- throughput */

llm_status llm_usd_per_m_tokens(double usd_per_second, double tokens_per_second,
                                double *out) {
  *out = 0;
  if (!pos(usd_per_second) || !pos(tokens_per_second))
    return LLM_BAD_INPUT;
  /* FORMULAS.md 6b: $ per 1M tokens = cost per second x 1e6 / tokens per
   * second. */
  double v = usd_per_second * 1e6 / tokens_per_second;
  if (!isfinite(v))
    return LLM_OUT_OF_RANGE;
  *out = v;
  return LLM_OK;
}

llm_status llm_at_batch(const llm_model *m, const llm_gpu *g,
                        const llm_config *c, double batch, llm_result *out) {
  memset(out, 0, sizeof *out);
  if (!all_ok(m, g, c) || !isfinite(batch) || batch < 1)
    return out->status = LLM_BAD_INPUT;
  llm_status s;
  out->batch = batch;
  if ((s = llm_prefill_step(m, g, c, 1, &out->prefill)) != LLM_OK ||
      (s = llm_prefill_step(m, g, c, batch, &out->prefill_batch)) != LLM_OK ||
      (s = llm_decode_step(m, g, c, batch, &out->decode)) != LLM_OK) {
    memset(out, 0, sizeof *out);
    return out->status = s;
  }
  double o = c->output_tokens, t_pre = out->prefill_batch.seconds,
         t_dec = out->decode.seconds;
  /* X(B) = 1 / (t_pre + o t_dec(B) / B) with the B prompts prefilled
   * together: B requests every t_pre(B) + o t_dec(B).  At B = 1 this is
   * FORMULAS.md 6b as written. */
  double cycle = t_pre + o * t_dec;
  if (!(cycle > 0)) {
    memset(out, 0, sizeof *out);
    return out->status = LLM_OUT_OF_RANGE;
  }
  out->requests_per_second = batch / cycle;
  out->output_tokens_per_second = out->requests_per_second * o;
  out->output_tokens_per_second_per_gpu = out->output_tokens_per_second / c->tp;
  /* TPOT: FORMULAS.md 6b stretches t_dec by the share of time spent in
   * prefill, t_dec / (1 - X t_pre); with the prefill X charges a request,
   * t_pre(B) / B, that is t_dec cycle / (o t_dec) = cycle / o, its own
   * prefill included.  Here only the prefills of the other B - 1
   * requests interrupt a request's decoding (its own comes before its
   * first token): each slot serves one request per cycle, so its
   * decoding spans the cycle less its own prefill,
   *   TPOT = (t_pre(B) + o t_dec(B) - t_pre(B) / B) / o,
   * FORMULAS.md's figure less t_pre(B) / (B o): t_dec for a lone
   * request (as measured, docs/validation.md), the same for large B. */
  out->prefill_share = t_pre / cycle;
  /* By Little's law each of the B slots holds a request B / X = cycle
   * seconds: its share of a prefill, then o steps at TPOT. */
  out->slot_seconds = cycle;
  /* TTFT without queueing: the fixed per-request work and a prefill. */
  out->ttft = c->request_overhead + out->prefill.seconds;
  out->has_tpot = o >= 2;
  if (out->has_tpot) {
    out->tpot = (cycle - t_pre / batch) / o;
  } else {
    /* One output token: no gap after it, so no TPOT.  The other B - 1
     * prefills of the cycle cannot stretch gaps that do not exist: the
     * B prompts are prefilled together (the file comment) and each
     * request's one token comes out of that prefill, so its time to
     * first token is the fixed work and t_pre(B), which at B = 1 is the
     * figure TensorRT-LLM's first-token latency (measured with one
     * output token) validates (docs/validation.md, docs/decisions.md). */
    out->tpot = 0;
    out->ttft = c->request_overhead + t_pre;
  }
  out->bound = out->decode.bound == ROOFLINE_COMPUTE ? LLM_BOUND_COMPUTE
                                                     : LLM_BOUND_BANDWIDTH;
  out->limit = LLM_LIMIT_MAX_BATCH;
  if (g->usd_per_second > 0) {
    /* FORMULAS.md 6b: $ per 1M output tokens = cost per second x 1e6 /
     * output tokens per second, the replica being tp GPUs. */
    double usd = c->tp * g->usd_per_second;
    if (llm_usd_per_m_tokens(usd, out->output_tokens_per_second,
                             &out->usd_per_m_output) != LLM_OK) {
      memset(out, 0, sizeof *out);
      return out->status = LLM_OUT_OF_RANGE;
    }
    /* The split: a request holds the replica t_pre(B) / B for its prompt
     * and o t_dec(B) / B for its output. */
    if (c->prompt_tokens > 0)
      out->usd_per_m_input_split =
          usd * (t_pre / batch) * 1e6 / c->prompt_tokens;
    out->usd_per_m_output_split = usd * (t_dec / batch) * 1e6;
  }
  double v[] = {out->requests_per_second,
                out->output_tokens_per_second,
                out->slot_seconds,
                out->tpot,
                out->ttft,
                out->usd_per_m_output,
                out->usd_per_m_input_split,
                out->usd_per_m_output_split};
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
    if (!isfinite(v[i]) || v[i] < 0) {
      memset(out, 0, sizeof *out);
      return out->status = LLM_OUT_OF_RANGE;
    }
  return out->status = LLM_OK;
}

llm_status llm_max_batch_for_tpot(const llm_model *m, const llm_gpu *g,
                                  const llm_config *c, double target,
                                  double b_max, double *out) {
  *out = 0;
  if (!all_ok(m, g, c) || !pos(target) || !whole(b_max))
    return LLM_BAD_INPUT;
  llm_result r;
  llm_status s = llm_at_batch(m, g, c, 1, &r);
  if (s != LLM_OK)
    return s;
  if (!r.has_tpot) { /* one output token: TPOT does not apply */
    *out = b_max;
    return LLM_OK;
  }
  if (r.tpot > target)
    return LLM_TPOT_UNMET;
  /* TPOT(B) = t_dec(B) + t_pre(B) (B - 1) / (B o) grows with B (both
   * terms do), so bisect on it. */
  double lo = 1, hi = b_max;
  if ((s = llm_at_batch(m, g, c, hi, &r)) != LLM_OK)
    return s;
  if (r.tpot <= target) {
    *out = hi;
    return LLM_OK;
  }
  while (hi - lo > 1) { /* tpot(lo) <= target < tpot(hi) */
    double mid = floor(lo + (hi - lo) / 2);
    if ((s = llm_at_batch(m, g, c, mid, &r)) != LLM_OK)
      return s;
    if (r.tpot <= target)
      lo = mid;
    else
      hi = mid;
  }
  *out = lo;
  return LLM_OK;
}

llm_status llm_evaluate(const llm_model *m, const llm_gpu *g,
                        const llm_config *c, llm_result *out) {
  memset(out, 0, sizeof *out);
  if (!all_ok(m, g, c))
    return out->status = LLM_BAD_INPUT;
  llm_memory mem;
  llm_status s = llm_memory_of(m, g, c, &mem);
  if (s != LLM_OK) {
    out->memory = mem;
    return out->status = s;
  }
  double b = mem.max_concurrency;
  llm_batch_limit limit = mem.limit;
  llm_status tpot_status = LLM_OK;
  if (c->tpot_target > 0) {
    double bt;
    s = llm_max_batch_for_tpot(m, g, c, c->tpot_target, b, &bt);
    if (s == LLM_TPOT_UNMET) {
      b = 1;
      limit = LLM_LIMIT_TPOT;
      tpot_status = LLM_TPOT_UNMET;
    } else if (s != LLM_OK) {
      return out->status = s;
    } else if (bt < b) {
      b = bt;
      limit = LLM_LIMIT_TPOT;
    }
  }
  if ((s = llm_at_batch(m, g, c, b, out)) != LLM_OK)
    return out->status = s;
  out->memory = mem;
  out->limit = limit;
  if (limit == LLM_LIMIT_KV_MEMORY)
    out->bound = LLM_BOUND_KV_MEMORY;
  return out->status = tpot_status;
}

const char *llm_status_name(llm_status s) {
  switch (s) {
  case LLM_OK:
    return "ok";
  case LLM_BAD_INPUT:
    return "bad input";
  case LLM_DOES_NOT_FIT:
    return "the weights do not fit";
  case LLM_SEQUENCE_DOES_NOT_FIT:
    return "one sequence's KV cache does not fit";
  case LLM_TPOT_UNMET:
    return "TPOT target missed at batch 1";
  case LLM_OUT_OF_RANGE:
    return "out of range";
  }
  return "unknown";
}

const char *llm_bound_name(llm_bound b) {
  switch (b) {
  case LLM_BOUND_COMPUTE:
    return "compute";
  case LLM_BOUND_BANDWIDTH:
    return "bandwidth";
  case LLM_BOUND_KV_MEMORY:
    return "kv-memory";
  }
  return "unknown";
}

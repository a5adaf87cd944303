/*
 * llm.h - LLM serving with continuous batching (FORMULAS.md section 6b):
 * memory, prefill and decode times, TTFT and TPOT, throughput and cost
 * per token of one replica of `tp` GPUs.  A leaf of the throughput
 * models: plain numbers in SI units (bytes, FLOP/s, bytes/s, seconds,
 * USD), no spec, no catalog, no output.
 *
 * Defaults (llm_config_init), each with its public source; none was
 * tuned on the rows docs/validation.md compares against:
 *   mfu 0.72, mbu 0.685         roofline.h (FlashAttention-2 paper;
 *                               gpt-fast's Llama-2-7B on A100-80GB)
 *   reserve 0.10                vLLM keeps 10% of GPU memory back
 *                               (gpu_memory_utilization 0.9,
 *                               https://docs.vllm.ai/en/latest/models/engine_args.html)
 *   max_batch 256               vLLM's max_num_seqs (same page)
 *   allreduce_latency 10 us     a 32-byte NCCL all-reduce between two
 *                               A100-SXM4-40GB over NVLink takes 10.14 us
 *                               (https://github.com/NVIDIA/nccl/issues/583)
 *   step_overhead 0             a fixed cost per forward pass is already
 *                               inside mbu, which was measured end to end
 *                               in tokens/s
 *   request_overhead 4 ms       fixed work per request before its first
 *                               token (setup, sampling): TensorRT-LLM's
 *                               v0.5 first-token latency on H100 at 128
 *                               input tokens is 7 ms for both LLaMA 7B and
 *                               GPT-J 6B where this model's prefill is
 *                               2.9 and 2.6 ms (docs/source/performance.md,
 *                               "Low Latency", H100 FP8 table); calibrated
 *                               on those H100 rows, not on the A100 rows
 *                               validated
 *
 * Modelling choices beyond FORMULAS.md 6b, each stated where it is used:
 * attention FLOPs count in decode as well as prefill; B prompts of a
 * batch are prefilled together (weights read once per batch, as
 * in-flight batching fuses them into steps that read the weights anyway);
 * TPOT is stretched only by the prefills of the other B - 1 requests.
 * FORMULAS.md's TPOT, t_dec / (1 - X t_pre) with t_pre the prefill time X
 * charges each request (t_pre(B) / B), equals B / (X o): the whole time a
 * request holds its slot spread over its o tokens, its own prefill
 * included.  That prefill comes before the first token and cannot
 * stretch the gaps between tokens, so this TPOT is FORMULAS.md's less
 * t_pre(B) / (B o): the same for large B, and t_dec, not t_dec +
 * t_pre / o, for a lone request, which is what the batch-1 TPOT rows of
 * ../oracles/llm_measured.csv measure (docs/validation.md).
 * Mixture-of-experts: FLOPs use active_params; a step reads the shared
 * weights and the experts its tokens touch (llm_weights_read), all of
 * them when the model does not state its experts.
 */
#ifndef CAPPLAN_LLM_H
#define CAPPLAN_LLM_H

#include "roofline.h"

#define LLM_DEFAULT_RESERVE 0.10
#define LLM_DEFAULT_MAX_BATCH 256
#define LLM_DEFAULT_ALLREDUCE_LATENCY 10e-6
#define LLM_DEFAULT_STEP_OVERHEAD 0.0
#define LLM_DEFAULT_REQUEST_OVERHEAD 4e-3

typedef enum llm_status {
  LLM_OK = 0,
  /* A figure is negative, not finite, or out of its domain (see each
   * field); nothing else is filled in. */
  LLM_BAD_INPUT,
  /* The weights do not fit in the replica's usable memory (M_kv <= 0):
   * weights_bytes, memory_usable and kv_memory are filled in. */
  LLM_DOES_NOT_FIT,
  /* The weights fit but not the cache of one sequence of
   * prompt + output tokens: the memory figures are filled in. */
  LLM_SEQUENCE_DOES_NOT_FIT,
  /* Even one sequence at a time misses the TPOT target: every figure is
   * filled in for batch 1. */
  LLM_TPOT_UNMET,
  /* A result would not be a finite number (absurd magnitudes). */
  LLM_OUT_OF_RANGE
} llm_status;

/* What limits throughput. */
typedef enum llm_bound {
  LLM_BOUND_COMPUTE,   /* the decode step's FLOP term */
  LLM_BOUND_BANDWIDTH, /* the decode step's byte term */
  LLM_BOUND_KV_MEMORY  /* the batch is capped by the KV cache's memory */
} llm_bound;

/* What chose the batch. */
typedef enum llm_batch_limit {
  LLM_LIMIT_MAX_BATCH, /* the configured max_batch */
  LLM_LIMIT_KV_MEMORY, /* floor(M_kv / KV per sequence) */
  LLM_LIMIT_TPOT       /* the largest batch meeting the TPOT target */
} llm_batch_limit;

/* The model's dimensions (SPEC.md 6: params, active_params, layers,
 * hidden, heads, kv_heads, head_dim). */
typedef struct llm_model {
  double params;        /* all weights, > 0 */
  double active_params; /* used per token (MoE); 0 means params */
  double layers, hidden, heads, kv_heads, head_dim; /* > 0 */
  /* Mixture of experts: experts per layer and those each token takes
   * (llm_weights_read); 0 and 0 for a dense model or one not stated. */
  double experts, experts_active;
} llm_model;

/* One GPU of the replica. */
typedef struct llm_gpu {
  double peak_flops; /* dense FLOP/s at the compute dtype, > 0 */
  double mem_bw;     /* bytes/s, > 0 */
  double memory;     /* bytes, > 0 */
  /* Interconnect bytes/s per GPU as datasheets quote it, both directions
   * together (A100 NVLink: 600 GB/s); a ring moves data one way, so it
   * uses half.  Needed (> 0) only when tp > 1. */
  double link_bw;
  double usd_per_second; /* price of one GPU-second; 0 = no cost figures */
} llm_gpu;

typedef struct llm_config {
  double weight_bytes;      /* per parameter: 2 fp16/bf16, 1 fp8/int8 */
  double kv_bytes;          /* per cached element */
  double act_bytes;         /* per activation element all-reduced (2) */
  double prompt_tokens;     /* p >= 0 */
  double output_tokens;     /* o >= 1 */
  double tp;                /* GPUs per replica, whole >= 1 */
  double max_batch;         /* concurrent sequences at most, whole >= 1 */
  double tpot_target;       /* s; 0 = none */
  double mfu, mbu;          /* in (0, 1] */
  double reserve;           /* share of GPU memory kept free, [0, 1) */
  double request_overhead;  /* s per request, counted in TTFT */
  double step_overhead;     /* s per forward pass (prefill or decode) */
  double allreduce_latency; /* s per all-reduce, tp > 1 */
} llm_config;

/* Every default above, fp16 weights, cache and activations, tp 1, no
 * TPOT target, and p = o = 0 (to be set). */
void llm_config_init(llm_config *c);

/* Memory of one replica (FORMULAS.md 6b). */
typedef struct llm_memory {
  double weights_bytes;         /* W = params x weight_bytes */
  double kv_bytes_per_token;    /* k = 2 x layers x kv_heads x head_dim x b */
  double kv_bytes_per_sequence; /* k (p + o) */
  double memory_usable;         /* tp x M x (1 - reserve) */
  double kv_memory;             /* M_kv = usable - W (negative: no fit) */
  double max_concurrency; /* B_max = min(max_batch, floor(M_kv / k(p+o))) */
  llm_batch_limit limit;  /* max_batch or KV memory */
} llm_memory;

/* One forward pass. */
typedef struct llm_step {
  double seconds;   /* max(compute, memory) + comm + overhead */
  double compute_s; /* FLOPs / (tp F mfu) */
  double memory_s;  /* bytes / (tp BW mbu) */
  double comm_s;    /* tensor-parallel all-reduces */
  double flops, bytes;
  double weights_read;    /* bytes of weights among BYTES */
  double experts_touched; /* per layer, on average; 0: a dense model */
  roofline_bound bound;   /* of the compute and memory terms */
} llm_step;

typedef struct llm_result {
  llm_status status;
  llm_memory memory;
  double batch;           /* B used for every figure below */
  llm_batch_limit limit;  /* what chose it */
  llm_bound bound;        /* what limits throughput */
  llm_step prefill;       /* one request alone, t_pre(1) */
  llm_step prefill_batch; /* the B prompts together, t_pre(B) */
  llm_step decode;        /* one decode step at B, t_dec(B) */
  double ttft; /* request_overhead + t_pre(1), no queueing (o >= 2) */
  /* t_dec(B) stretched by others' prefills; with one output token
   * there is no time per token after the first: has_tpot is 0, tpot 0,
   * a TPOT target does not constrain the batch, and ttft is the time to
   * that one token, request_overhead + t_pre(B) (the prompts of the
   * batch prefilled together; t_pre(1) at B = 1). */
  double tpot;
  int has_tpot;
  double requests_per_second; /* X(B) per replica */
  /* B / X(B) = t_pre(B) + o t_dec(B) = t_pre(B) / B + o TPOT: how long a
   * request holds its sequence slot (Little's law on B slots completing
   * X requests a second), from the start of its prefill to its last
   * token. */
  double slot_seconds;
  double output_tokens_per_second; /* X o per replica */
  /* X o / tp here; a stage on a server whose GPUs its replicas do not
   * all use spreads its tokens over every GPU it pays for (tp_llm.c). */
  double output_tokens_per_second_per_gpu;
  double prefill_share; /* of the replica's time, X t_pre(B) / B */
  /* USD per million tokens, when usd_per_second > 0 (else 0).
   * usd_per_m_output: the replica's whole cost over its output tokens
   * (FORMULAS.md 6b) at full load, every slot busy; a plan that runs
   * below that pays more per token (llm_usd_per_m_tokens at its own
   * rate).  The split pair charges each kind for the GPU time
   * of its own phase (prefill for input, decode for output); the two add
   * up to the whole cost. */
  double usd_per_m_output;
  double usd_per_m_input_split;
  double usd_per_m_output_split;
} llm_result;

/* USD per million tokens of USD_PER_SECOND spent on TOKENS_PER_SECOND
 * (FORMULAS.md 6b: cost per second x 1e6 / tokens per second), at
 * whatever load the rate is: the replica's at full load, or a stage's
 * cost per second over the tokens of its average load.  LLM_BAD_INPUT
 * unless both are finite and > 0 (*OUT = 0). */
llm_status llm_usd_per_m_tokens(double usd_per_second, double tokens_per_second,
                                double *out);

/* W and k. */
llm_status llm_weights_bytes(const llm_model *m, double weight_bytes,
                             double *out);

/* The bytes of weights a step reads when TOKENS tokens pass through the
 * layers, of WEIGHTS (llm_weights_bytes) in all, and into *TOUCHED the
 * experts a layer's tokens reach on average (0 for a dense model): all of
 * them for a dense model; for a mixture of experts, the shared weights
 * and the touched experts (llm.c). */
double llm_weights_read(const llm_model *m, double weights, double tokens,
                        double *touched);
llm_status llm_kv_bytes_per_token(const llm_model *m, double kv_bytes,
                                  double *out);

/* Whether TP GPUs can share the model's attention evenly (1) or not (0).
 * Tensor parallelism gives each GPU the same number of attention heads
 * (Megatron-LM, Shoeybi et al. 2019, https://arxiv.org/abs/1909.08053,
 * section 3), so tp must divide heads; the key-value heads are split the
 * same way, or copied when there are fewer than tp: kv_heads % tp == 0 or
 * tp % kv_heads == 0.  vLLM refuses other sizes (its attention layer
 * asserts both), as does TensorRT-LLM. */
int llm_tp_shards(const llm_model *m, double tp);

/* The replica's memory and B_max.  LLM_DOES_NOT_FIT when M_kv <= 0 and
 * LLM_SEQUENCE_DOES_NOT_FIT when B_max would be 0, with *OUT filled in
 * for the message. */
llm_status llm_memory_of(const llm_model *m, const llm_gpu *g,
                         const llm_config *c, llm_memory *out);

/* A ring all-reduce of BYTES over TP GPUs: 2 (tp - 1) / tp x bytes /
 * (link_bw / 2) + latency (Patarasuk and Yuan, "Bandwidth optimal
 * all-reduce algorithms for clusters of workstations", JPDC 69(2), 2009).
 * 0 for tp = 1. */
llm_status llm_allreduce_time(double bytes, double tp, double link_bw,
                              double latency, double *out);

/* Prefill of PROMPTS prompts of p tokens together, t_pre(n). */
llm_status llm_prefill_step(const llm_model *m, const llm_gpu *g,
                            const llm_config *c, double prompts, llm_step *out);
/* One decode step at batch B (mean context p + o/2), t_dec(B). */
llm_status llm_decode_step(const llm_model *m, const llm_gpu *g,
                           const llm_config *c, double batch, llm_step *out);

/* Every figure at a given batch B >= 1 (no memory check, no target):
 * the building block of llm_evaluate. */
llm_status llm_at_batch(const llm_model *m, const llm_gpu *g,
                        const llm_config *c, double batch, llm_result *out);

/* The largest whole B in [1, b_max] whose TPOT meets TARGET; TPOT grows
 * with B, so it is found by bisection.  LLM_TPOT_UNMET (*OUT = 0) when
 * even B = 1 misses it. */
llm_status llm_max_batch_for_tpot(const llm_model *m, const llm_gpu *g,
                                  const llm_config *c, double target,
                                  double b_max, double *out);

/* The whole model: memory and B_max, the batch (B_max, or the largest
 * meeting tpot_target), and every figure at it.  out->status repeats the
 * return value. */
llm_status llm_evaluate(const llm_model *m, const llm_gpu *g,
                        const llm_config *c, llm_result *out);

const char *llm_status_name(llm_status s);
const char *llm_bound_name(llm_bound b);

#endif

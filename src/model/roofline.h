/*
 * roofline.h - the roofline time of an operation on one accelerator
 * (FORMULAS.md section 6): a leaf of the throughput models, used by the
 * roofline stages (`work:`) and by the LLM model (llm.h).  Pure
 * arithmetic on plain numbers in SI units (FLOP, bytes, FLOP/s, bytes/s,
 * seconds): no spec, no catalog, no output.
 *
 * The efficiencies say how much of each roof real kernels reach:
 *   mfu (model FLOPs utilization) = achieved FLOP/s / peak FLOP/s
 *   mbu (model bandwidth utilization) = achieved bytes/s / peak bytes/s
 * Defaults, each from a public measurement on an A100 (never from the
 * rows docs/validation.md compares against):
 *   ROOFLINE_DEFAULT_MFU 0.72: FlashAttention-2 reaches 225 TFLOP/s of
 *     312 end to end in GPT-style training on A100-80GB (Dao, 2023,
 *     https://arxiv.org/abs/2307.08691, abstract and table 1): what
 *     well-tuned transformer GEMMs sustain.
 *   ROOFLINE_DEFAULT_MBU 0.685: gpt-fast decodes Llama-2-7B at batch 1 on
 *     A100-80GB at 104.9 tokens/s, i.e. 1,397.31 GB/s of the 2,039 GB/s
 *     peak (https://github.com/pytorch-labs/gpt-fast, README, "Benchmarks").
 */
#ifndef CAPPLAN_ROOFLINE_H
#define CAPPLAN_ROOFLINE_H

#define ROOFLINE_DEFAULT_MFU 0.72
#define ROOFLINE_DEFAULT_MBU 0.685

typedef enum roofline_status {
  ROOFLINE_OK = 0,
  /* An input is negative, not finite, or a rate or efficiency is not
   * positive (efficiencies above 1 are also refused). */
  ROOFLINE_BAD_INPUT,
  /* The time would not be a finite number (absurd magnitudes). */
  ROOFLINE_OUT_OF_RANGE,
  /* roofline_ridge_batch: the work is memory-bound at every batch size. */
  ROOFLINE_NO_RIDGE
} roofline_status;

typedef enum roofline_bound {
  ROOFLINE_COMPUTE, /* the FLOP term is the larger */
  ROOFLINE_MEMORY   /* the byte term is the larger (ties go to memory) */
} roofline_bound;

/* One accelerator as the roofline sees it. */
typedef struct roofline_hw {
  double peak_flops; /* dense FLOP/s at the dtype of the work */
  double mem_bw;     /* bytes/s of device memory */
  double mfu;        /* in (0, 1] */
  double mbu;        /* in (0, 1] */
} roofline_hw;

typedef struct roofline_time {
  double seconds;   /* max(compute, memory) */
  double compute_s; /* FLOPs / (peak_flops x mfu) */
  double memory_s;  /* bytes / (mem_bw x mbu) */
  roofline_bound bound;
} roofline_time;

/* The work of a batch of b items (SPEC.md section 6, `work:`):
 * FLOPs = flops_per_item x b, bytes = bytes_per_batch + bytes_per_item x b
 * (bytes_per_batch: what every batch reads once, e.g. the weights). */
typedef struct roofline_work {
  double flops_per_item;
  double bytes_per_batch;
  double bytes_per_item;
} roofline_work;

/* HW with the default efficiencies and the given roofs. */
roofline_hw roofline_hw_default(double peak_flops, double mem_bw);

/* Time of an operation of FLOPS and BYTES on HW:
 * max(FLOPs / (peak x mfu), bytes / (bandwidth x mbu)) and which term
 * binds (FORMULAS.md section 6).  On error *OUT is zeroed. */
roofline_status roofline_time_of(const roofline_hw *hw, double flops,
                                 double bytes, roofline_time *out);

/* Time of a batch of BATCH items of W on HW (BATCH >= 0; it need not be
 * whole, so a mean batch size may be passed). */
roofline_status roofline_batch_time(const roofline_hw *hw,
                                    const roofline_work *w, double batch,
                                    roofline_time *out);

/* The batch size at which the two terms of W are equal (the ridge point
 * in items): below it the batch is memory-bound, above compute-bound.
 * *OUT is 0 when the work is compute-bound at every size;
 * ROOFLINE_NO_RIDGE (with *OUT = 0) when it is memory-bound at every
 * size. */
roofline_status roofline_ridge_batch(const roofline_hw *hw,
                                     const roofline_work *w, double *out);

/* A short name of BOUND: "compute" or "memory". */
const char *roofline_bound_name(roofline_bound bound);

#endif

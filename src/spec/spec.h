/*
 * spec.h - the spec model: what the YAML said, checked value by value, with
 * the place each value came from.  Nothing is resolved here (names, hardware,
 * defaults): that is the graph's job.  Private to the library.
 */
#ifndef CAPPLAN_SPEC_H
#define CAPPLAN_SPEC_H

#include <stdbool.h>

#include "capplan.h"
#include "util.h"

typedef struct capplan_spec capplan_spec;

/* A number in base units (units.h) and where it was written.  PRESENT
 * says the key was written at all; SET that its value was also valid, so
 * an invalid value is reported once and never as a missing key. */
typedef struct snum {
  double v;
  const char *text; /* as written, for messages */
  /* A range or distribution (SPEC.md section 8), NULL for a single
   * value; V is then its median (uncertain/dist.h). */
  const struct dist *dist;
  capplan_loc loc;
  bool set, present; /* in the loc's padding: a stage holds dozens */
} snum;

/* A string; s is NULL when the key was absent. */
typedef struct sstr {
  const char *s;
  capplan_loc loc;
} sstr;

/* A name or a list of names (`after`). */
typedef struct snames {
  sstr *items;
  size_t n;
  capplan_loc loc;
  bool set;
} snames;

typedef struct spec_traffic {
  capplan_loc loc;
  bool set;
  snum qps, dau, requests_per_user, peak_to_average, average_qps;
  snum growth;     /* per month, compounded (forecast) */
  snum arrival_cv; /* of the times between arrivals (simulation) */
} spec_traffic;

/* Percentile latency objectives (SPEC.md section 7), end to end or on a
 * stage: p50, p95, p99, p999 in that order. */
typedef struct spec_pct_slo {
  snum latency_p50, latency_p95, latency_p99, latency_p999;
} spec_pct_slo;

typedef struct spec_slo {
  snum latency, availability;
  spec_pct_slo pct;
  snum ttft, tpot; /* LLM stages (SPEC.md section 6) */
} spec_slo;

/* A stage's own objectives ('slo:' of a stage). */
typedef struct spec_stage_slo {
  capplan_loc loc;
  bool set;
  spec_pct_slo pct;
} spec_stage_slo;

typedef struct spec_budget {
  snum cost, gpus, servers;
} spec_budget;

/* The settings stages, groups and defaults share, in the order of the
 * model's policy struct (model.h); one table of schema keys describes
 * them for every section that has them (schema.c). */
typedef struct spec_policy {
  snum utilization, headroom, redundancy, zones, survive_zone_loss,
      availability, stage_availability, zone_availability, memory_reserve,
      failover_utilization;
} spec_policy;

#define SPEC_POLICY_FIELDS 10

typedef struct spec_defaults {
  sstr hardware, balancer, sizing;
  spec_policy pol;
} spec_defaults;

typedef struct spec_group {
  sstr name;
  capplan_loc loc;
  spec_policy pol;
} spec_group;

/* Dense peak FLOPS per dtype of an accelerator (hardware.NAME.flops). */
typedef struct spec_flops {
  capplan_loc loc;
  bool set;
  snum fp32, tf32, bf16, fp16, fp8, int8, fp4; /* in enum dtype's order */
} spec_flops;

typedef struct spec_hardware {
  sstr name;
  capplan_loc loc;
  snum cores, memory, gpus, gpu_memory, cost, availability, memory_reserve;
  sstr description;
  /* Accelerator figures (SPEC.md section 6): a catalog accelerator the
   * server carries, and any of its figures overridden. */
  sstr accelerator;
  snum memory_bandwidth, interconnect, mfu, mbu;
  spec_flops flops;
} spec_hardware;

/* A cache tier in front of a stage (SPEC.md section 5). */
typedef struct spec_cache {
  capplan_loc loc;
  bool set;
  sstr hardware;
  snum qps_per_server, latency, memory, items, item_size, replicas;
} spec_cache;

/* Dynamic batching (SPEC.md section 6, FORMULAS.md section 4b). */
typedef struct spec_batching {
  capplan_loc loc;
  bool set;
  snum window, max_batch;
  sstr scope;
  struct spec_batch_time {
    capplan_loc loc;
    bool set;
    snum base, per_item;
  } time;
} spec_batching;

/* The roofline work of one item (SPEC.md section 6, FORMULAS.md 6). */
typedef struct spec_work {
  capplan_loc loc;
  bool set;
  snum flops_per_item, bytes_per_batch, bytes_per_item;
  sstr dtype;
} spec_work;

/* LLM serving (SPEC.md section 6, FORMULAS.md 6b).  'model' is a catalog
 * name (model_name) or a map of the model's dimensions (model). */
typedef struct spec_llm {
  capplan_loc loc;
  bool set;
  sstr model_name;
  struct spec_llm_model {
    capplan_loc loc;
    bool set;
    snum params, active_params, layers, hidden, heads, kv_heads, head_dim;
    snum max_context, experts, experts_active;
  } model;
  sstr dtype, kv_dtype;
  snum prompt_tokens, output_tokens, tp, max_batch;
} spec_llm;

/* The keys of a stage that most stages do not write (every one but
 * name, after, share, kind, hardware, latency and qps_per_server and the
 * sections), held like the optional sections: see spec_stage.more. */
typedef struct spec_stage_more {
  sstr description;
  sstr join;
  snum calls, cache_hit, stops;
  snum batch, parallelism;
  sstr bound;
  snum memory, items, item_size, replicas;
  sstr memory_on, calls_mode;
  snum concurrency, service_cv;
  sstr balancer, sizing;
  sstr service;  /* the service time's distribution (simulation) */
  snum mfu, mbu; /* efficiencies of work and llm */
  snum async;    /* true: off the request path */
  sstr colocate, fallback;
} spec_stage_more;

typedef struct spec_stage {
  capplan_loc loc; /* the stage's mapping */
  sstr name;
  const char *invalid_name; /* a name that failed validation, or NULL */
  snames after;
  snum share;
  sstr hardware;
  snum latency, qps_per_server;
  /* The optional sections, which most stages do not write.  Each points
   * at the stage's own, allocated in the spec's arena when the stage
   * writes the section, else at the shared zeroed instance (spec_no_cache
   * and the others below), which is never written: readers test ->set
   * with no NULL check, writers go through spec_stage_cache_mut() and its
   * siblings.  Held inline, they took 1,376 bytes of every stage. */
  const spec_cache *cache;
  const spec_stage_slo *slo;
  const spec_batching *batching;
  const spec_work *work;
  const spec_llm *llm;
  /* The other keys (spec_stage_more), likewise: its own once it writes
   * one of them (spec_stage_more_mut), else spec_no_more.  Held inline,
   * they took 784 bytes of every stage. */
  const spec_stage_more *more;
  /* The settings of 'settings' the stage gives itself: like the sections
   * above, its own when it writes one (spec_stage_pol_mut), else the
   * shared spec_no_policy.  Held inline, they took 400 bytes of every
   * stage. */
  const spec_policy *pol;
  sstr kind; /* a workload of the catalog (workload.h) */
  /* What `kind:` gave the stage (workload_apply): the workload, the keys
   * it filled and their sources, for explain and reports. */
  struct spec_inherited {
    const char *workload, *sources;
    bool latency, qps_per_server, hardware;
  } inherited;
} spec_stage;

struct capplan_spec {
  const capplan_source *src;
  capplan_arena *arena;
  snum version;
  sstr name, description;
  spec_traffic traffic;
  spec_slo slo;
  spec_budget budget;
  spec_defaults defaults;
  spec_group *groups;
  size_t n_groups;
  spec_hardware *hardware;
  size_t n_hardware;
  spec_stage *stages;
  size_t n_stages;
  capplan_loc stages_loc;
  bool kinds_applied; /* workload_apply() has run (workload.h) */
};

/* The sections of a stage that does not write them: all zero (->set
 * false), read-only, shared by every stage of every spec. */
extern const spec_cache spec_no_cache;
extern const spec_stage_slo spec_no_stage_slo;
extern const spec_batching spec_no_batching;
extern const spec_work spec_no_work;
extern const spec_llm spec_no_llm;
extern const spec_policy spec_no_policy;
extern const spec_stage_more spec_no_more;

/* Points ST's sections at the shared instances: a stage that writes none. */
void spec_stage_init(spec_stage *st);
/* ST's section to write into: the stage's own, allocated zeroed in SPEC's
 * arena on first use (the shared instance is never written). */
spec_cache *spec_stage_cache_mut(capplan_spec *spec, spec_stage *st);
spec_stage_slo *spec_stage_slo_mut(capplan_spec *spec, spec_stage *st);
spec_batching *spec_stage_batching_mut(capplan_spec *spec, spec_stage *st);
spec_work *spec_stage_work_mut(capplan_spec *spec, spec_stage *st);
spec_llm *spec_stage_llm_mut(capplan_spec *spec, spec_stage *st);
spec_policy *spec_stage_pol_mut(capplan_spec *spec, spec_stage *st);
spec_stage_more *spec_stage_more_mut(capplan_spec *spec, spec_stage *st);

/* capplan_spec_load(), but with PARTIAL a spec with errors is returned
 * too (NULL only when the YAML itself could not be read or the format
 * version is wrong), so the graph can report its errors in the same run.
 * A partial spec must never reach the estimator. */
capplan_spec *spec_load(const capplan_source *src, const capplan_limits *limits,
                        capplan_diags *d, bool partial);
/* A spec without errors: NULL (with every error in D) otherwise. */
capplan_spec *capplan_spec_load(const capplan_source *src,
                                const capplan_limits *limits, capplan_diags *d);
void capplan_spec_free(capplan_spec *spec);

/* Reads TEXT as the value of stage key NAME exactly as the loader reads
 * what a spec writes there (a range becomes a distribution and its median
 * the value), into OUT, placed at LOC.  False, with the error in D, if it
 * is not a valid value of the key. */
bool spec_read_stage_value(capplan_spec *spec, const char *name,
                           const char *text, capplan_loc loc, capplan_diags *d,
                           snum *out);

#endif

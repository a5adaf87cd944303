/*
 * model.h - the resolved model: the second step of the pipeline.
 *
 * Resolution (resolve.c) turns a checked spec into two things:
 *
 *   - the model: what does not vary between evaluations - names, the stage
 *     graph by index in topological order, hardware, colocation groups,
 *     each stage's throughput model kind and flags, and where each input
 *     was written (for messages and 'explain');
 *   - the parameter vector: every number an evaluation reads, in plain
 *     arrays of structs of doubles (no pointers), so that Monte Carlo,
 *     sweeps and sizing searches copy it, change a field and evaluate
 *     again without allocating.
 *
 * An evaluation (plan.h) is a pure function of (model, parameters).  Every
 * setting is resolved here once: a stage's own value, else its group's or
 * the defaults', else the schema's default (the inheritance chain of
 * schema.h).  The model owns its memory and never points into the spec,
 * which may be freed once the model is built.  Private to the library.
 */
#ifndef CAPPLAN_MODEL_H
#define CAPPLAN_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "capplan.h"
#include "catalog.h"
#include "figures.h"
#include "util.h"

typedef struct capplan_spec capplan_spec;

/* ------------------------------------------------------------- inputs */

/* The settings stages, groups and defaults share (one struct instead of
 * the same fields in seven places).  All are numbers an evaluation reads. */
typedef struct policy {
  double utilization;          /* target utilization of a server */
  double headroom;             /* extra capacity after sizing */
  double redundancy;           /* spare servers (N+k) */
  double zones;                /* failure zones the servers spread over */
  double survive_zone_loss;    /* 1: sized to lose a zone */
  double availability;         /* of one server */
  double stage_availability;   /* software, deploys: multiplies the stage */
  double zone_availability;    /* of one zone, when zones are modelled */
  double memory_reserve;       /* share of memory not for data */
  double failover_utilization; /* the most a server runs at in failure */
} policy;

/* Numeric inputs of the accelerator models (SPEC.md section 6): dynamic
 * batching (tp_dynbatch.c), the roofline of 'work' (tp_roofline.c) and
 * LLM serving (tp_llm.c).  Zero where a stage's model does not use them. */
typedef struct gpu_in {
  double window, max_batch; /* batching; max_batch 0: no limit */
  double base, per_item;    /* a batch of b takes base + per_item x b */
  double flops_per_item;    /* work */
  double bytes_per_batch, bytes_per_item;
  double mfu, mbu; /* efficiencies: stage, hardware, default */
  /* llm: the model's dimensions, the request, the replica */
  double params, active_params, layers, hidden, heads, kv_heads, head_dim;
  double experts, experts_active; /* mixture of experts; 0: dense */
  double max_context; /* tokens of the model's window; 0: not stated */
  double weight_bytes, kv_bytes; /* per parameter, per cached value */
  double prompt_tokens, output_tokens, tp, llm_max_batch, reserve;
  double ttft_target, tpot_target; /* slo.ttft, slo.tpot; 0: none */
} gpu_in;

/* Numeric inputs of one stage. */
typedef struct stage_in {
  double share, calls, cache_hit, stops;
  double latency;            /* service time of one request (or batch) */
  double qps_per_server;     /* fixed model */
  double batch, parallelism; /* batch model */
  double memory;             /* bytes of data, one copy; 0: none */
  double replicas;           /* copies of the data */
  double concurrency;        /* slots per server; 0: the model's */
  double service_cv;         /* of the service time; < 0: the model's */
  policy pol;
} stage_in;

/* Numeric inputs of a cache tier in front of a stage. */
typedef struct cache_in {
  double qps_per_server, latency, memory, replicas;
  policy pol;
} cache_in;

/* Numeric inputs of a server type. */
typedef struct hw_in {
  double cores, memory, gpus, gpu_memory;
  double cost_per_year; /* USD */
  double availability;  /* of one server; 0: not stated */
  /* One accelerator (catalog.h), where the hardware has them: dense peak
   * FLOP/s per dtype (0: not published), memory and link bandwidth in
   * bytes/s, and efficiencies (0: not stated). */
  double flops[DT_COUNT];
  double mem_bw, link_bw, mfu, mbu;
} hw_in;

typedef struct traffic_in {
  double qps;         /* peak requests/s into the entry stages */
  double average_qps; /* 0: unknown */
  double dau, requests_per_user, peak_to_average;
  double growth;     /* per month, compounded; read by forecasts only */
  double arrival_cv; /* of the times between arrivals; 1: Poisson */
} traffic_in;

/* The parameter vector: every number an evaluation reads.  Arrays are
 * indexed like the model's (stage, group, hardware in spec order). */
typedef struct params {
  traffic_in traffic;
  stage_in *stage;
  cache_in *cache; /* one per cache tier (mstage.cache_at), then a zeroed one */
  /* One per stage of an accelerator model (mstage.gpu_at), then a zeroed
   * one: 224 bytes the other stages do without (a 100,000-stage
   * model's 22 MB). */
  gpu_in *gpu;
  policy *group;
  hw_in *hw;
} params;

/* ------------------------------------------------------- the model */

/* Throughput models (SPEC.md section 6): one per stage, each in its own
 * file (tp_<kind>.c) behind the interface of tp.h. */
enum tp_kind {
  TP_FIXED,    /* qps_per_server given */
  TP_BATCH,    /* batch / latency x parallelism */
  TP_DYNBATCH, /* batching: with time (FORMULAS.md 4b) */
  TP_ROOFLINE, /* work:, a fixed batch or batching (FORMULAS.md 6) */
  TP_LLM,      /* llm: (FORMULAS.md 6b) */
  TP_KINDS
};

enum bound_kind { BOUND_NONE, BOUND_CPU, BOUND_MEMORY, BOUND_IO };

/* A stage's service-time distribution ('service'); SERVICE_AUTO: by its
 * coefficient of variation (exponential at 1, deterministic at 0, else
 * gamma), as the queues of the estimate assume (queueing.h). */
enum service_dist {
  SERVICE_AUTO,
  SERVICE_EXPONENTIAL,
  SERVICE_DETERMINISTIC,
  SERVICE_LOGNORMAL,
  SERVICE_GAMMA
};

/* The structural part of a throughput model: what its kind needs besides
 * the numbers in stage_in (cmark's node.h union pattern). */
typedef struct tp_model {
  enum tp_kind kind;
  union {
    struct {
      enum bound_kind bound; /* parallelism from cores x factor */
      double per_core;       /* that factor (catalog_bound_factor) */
      bool gpu_parallel;     /* parallelism from the hardware's GPUs */
    } batch;
    /* dynbatch and roofline */
    struct {
      bool batching;        /* a batcher forms the batches (else 'batch') */
      bool per_accelerator; /* one batcher per accelerator */
      enum dtype dtype;     /* roofline: the arithmetic's */
    } gpu;
    struct {
      enum dtype dtype, kv_dtype;
      const char *model; /* catalog name, or NULL for given dimensions */
    } llm;
  } as;
} tp_model;

/* Text as the spec wrote a value, for 'explain' ("qps_per_server: 1K");
 * NULL where the value was not written. */
typedef struct stage_text {
  const char *qps_per_server, *latency;
} stage_text;

/* A percentile objective: PCT (0..3: p50, p95, p99, p999) of the
 * response end to end (stage < 0) or of one invocation of a stage. */
typedef struct pct_limit {
  long stage;
  int pct;
  double limit; /* seconds */
  capplan_loc loc;
} pct_limit;

typedef struct mstage {
  const char *name;
  capplan_loc loc; /* the stage's name in the spec */
  enum service_dist service;
  size_t *parents; /* indices; in 'after' order */
  size_t n_parents;
  size_t hw;     /* index into model.hw */
  long group;    /* index into model.group, or -1 */
  long fallback; /* index of the stage that stands in, or -1 */
  bool join_any;
  bool standby; /* some stage's fallback: no flow of its own */
  bool async;   /* off the request path */
  bool calls_sequential;
  bool memory_on_gpu;   /* the memory constraint counts GPU memory */
  bool has_memory;      /* a memory constraint applies */
  bool has_cache;       /* a cache tier of its own (cache:) */
  bool random_balancer; /* a queue per server (else one shared queue) */
  bool size_latency;    /* percentile objectives add servers */
  /* Which policy fields the stage set itself (bit i for field i of
   * policy, in order), for 'explain' and warnings. */
  unsigned own;
  unsigned inherits; /* MSTAGE_INHERITS_*: the keys `kind:` gave */
  size_t cache_hw;
  size_t cache_at; /* its tier's place in params.cache (past the tiers: none) */
  size_t gpu_at;   /* its place in params.gpu (past them: the zeroed one) */
  tp_model tp;
  stage_text text;
  /* `kind:` (workload.h): the workload and the sources of the keys it
   * gave (INHERITS above); NULL without a kind. */
  const char *workload, *workload_sources;
} mstage;

enum {
  MSTAGE_INHERITS_LATENCY = 1u,
  MSTAGE_INHERITS_QPS = 2u,
  MSTAGE_INHERITS_HARDWARE = 4u
};

typedef struct mgroup {
  const char *name;
  capplan_loc loc; /* the first member's 'colocate' */
  size_t *members; /* in spec order */
  size_t n_members;
  size_t hw;
} mgroup;

typedef struct mhw {
  const char *name;
  const char *cost_text; /* the cost as a spec wrote it; NULL: catalog */
  bool from_catalog;
  /* Accelerator hardware (catalog.h): the accelerator it carries, where
   * its price came from, and whether no price was published. */
  const char *accelerator;
  const char *cost_source; /* "p5.48xlarge, https://..., read 2026-11-30" */
  bool no_price;
} mhw;

typedef struct capplan_model {
  capplan_arena *arena;
  const char *name, *description, *path;
  mstage *stage; /* in spec order */
  size_t n_stages;
  size_t n_caches; /* stages with a cache tier (has_cache) */
  size_t n_gpus;   /* stages of the dynbatch, roofline and llm kinds */
  size_t *order;   /* topological: parents first, spec order where free */
  mgroup *group;
  size_t n_groups;
  capplan_loc stages_loc; /* the 'stages' list */
  mhw *hw;
  size_t n_hw;
  /* Traffic as written, for 'explain' */
  const char *qps_text, *average_qps_text;
  bool traffic_from_dau, has_peak_to_average, has_average_qps;
  bool zones_modelled; /* some stage or group spreads over zones */
  /* Limits of the spec's slo and budget (has_* false when absent). */
  struct {
    bool has_latency, has_availability, has_cost, has_gpus, has_servers;
    double latency, availability, cost, gpus, servers;
    capplan_loc latency_loc, availability_loc, cost_loc, gpus_loc, servers_loc;
    /* LLM objectives (slo.ttft, slo.tpot), checked on llm stages. */
    bool has_ttft, has_tpot;
    double ttft, tpot;
    capplan_loc ttft_loc, tpot_loc;
  } limits;
  /* Percentile objectives (SPEC.md section 7): end to end, then each
   * stage's, in spec order. */
  pct_limit *pct_limits;
  size_t n_pct_limits;
  params base; /* the parameters as the spec gives them */
} capplan_model;

/* Resolves SPEC.  Returns NULL (every error in D) when it has errors;
 * warnings are added too.  Free with model_free(). */
capplan_model *model_resolve(const capplan_spec *spec, capplan_diags *d);
/* The same, naming hardware and models from CATALOG (NULL: the built-in
 * catalog, read when the spec names an entry of it).  The model does not
 * point into the catalog. */
capplan_model *model_resolve_with(const capplan_spec *spec,
                                  const capplan_catalog *catalog,
                                  capplan_diags *d);
void model_free(capplan_model *m);

/* Catalog accelerator or instance NAME of CAT as a server type (the
 * figures resolution gives it): false if CAT has no such entry.  For
 * 'calc'. */
bool model_catalog_hw(const capplan_catalog *cat, const char *name, hw_in *v);

/* The accelerator models' inputs of stage I in P (the zeroed one for a
 * stage of another model). */
static inline const gpu_in *stage_gpu(const capplan_model *m, const params *p,
                                      size_t i) {
  return &p->gpu[m->stage[i].gpu_at];
}

/* Parameter vectors shaped for M; params_copy copies every number. */
params *params_new(const capplan_model *m);
void params_copy(const capplan_model *m, params *dst, const params *src);
void params_free(params *p);

#endif

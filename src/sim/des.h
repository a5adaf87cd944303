/*
 * des.h - the discrete-event simulation of a serving plan (SPEC.md
 * section 9; FORMULAS.md sections 3, 3b, 4b and 9).  A pure library
 * module: it takes a network of stages by index and returns figures with
 * confidence intervals.  It knows nothing of specs, YAML or reports; the
 * adapter from a resolved plan to sim_input is sim_plan.c.
 *
 * What is modelled, the routing rules and how to read the intervals are
 * in docs/simulation.md.  In short:
 *   - requests arrive as a renewal process (Poisson when arrival_cv = 1)
 *     and visit stages along the network, given in topological order;
 *   - a visit makes `calls` invocations (in parallel, or one after the
 *     other), each answered by the stage's cache with probability
 *     `cache_hit` or else served by one slot of the stage's servers;
 *   - every slot serves one invocation at a time in FCFS order, its
 *     service time drawn from the stage's distribution; a batching stage
 *     serves batches instead (FORMULAS.md section 4b);
 *   - a request is done end to end when every non-async visit is done.
 * All times are seconds.
 */
#ifndef CAPPLAN_DES_H
#define CAPPLAN_DES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum sim_service {
  SIM_EXPONENTIAL = 0, /* cv is 1 whatever service_cv says */
  SIM_DETERMINISTIC,   /* cv is 0 */
  SIM_LOGNORMAL,       /* mean and service_cv */
  SIM_GAMMA            /* mean and service_cv */
} sim_service;

typedef enum sim_balancer {
  /* One FCFS queue in front of all servers x concurrency slots (M/G/c). */
  SIM_LEAST_LOADED = 0,
  /* Each invocation picks a server uniformly at random and waits in that
   * server's own FCFS queue for one of its concurrency slots. */
  SIM_RANDOM
} sim_balancer;

typedef enum sim_placement {
  /* One batcher for the stage; a closed batch goes to any free
   * accelerator (FORMULAS.md 4b "shared"). */
  SIM_BATCH_SHARED = 0,
  /* One batcher per accelerator (each invocation picks one uniformly);
   * a busy accelerator collects its next batch meanwhile (4b
   * "per-accelerator", Triton-style). */
  SIM_BATCH_PER_ACCELERATOR
} sim_placement;

/* Dynamic batching (FORMULAS.md 4b).  A batch closes when it holds
 * max_batch invocations or its first one has waited `window`; a batch of
 * b takes base + per_item x b on one accelerator (an accelerator is one
 * slot: servers x concurrency of them), drawn from the stage's service
 * distribution with that mean (use SIM_DETERMINISTIC for the 4b model). */
typedef struct sim_batching {
  bool enabled;
  double window;      /* seconds, >= 0 */
  uint32_t max_batch; /* >= 1 */
  double base;        /* seconds, >= 0 */
  double per_item;    /* seconds, >= 0 */
  sim_placement placement;
} sim_batching;

typedef struct sim_stage {
  const char *name; /* for messages only; may be NULL */

  /* Topology: parents are indices of earlier stages (the array is in
   * topological order).  No parents: an entry stage, fed by the arrivals. */
  const size_t *parents;
  size_t n_parents;
  /* With two or more parents: true waits for every parent the request
   * visits, then visits this stage once (fork-join); false visits it once
   * per arriving path (alternatives merge).  Ignored with fewer parents. */
  bool join_all;
  /* Probability of taking this branch, in [0, 1].  1: always taken (a
   * fork).  Below 1: the stage is one of its parent's alternatives, drawn
   * with one uniform among the siblings whose share is below 1 (when their
   * shares add up past 1 each is drawn on its own instead).  On a
   * join_all stage with two or more parents, one draw after the join. */
  double share;
  /* Invocations per visit, >= 0; a fraction is drawn as floor or ceil with
   * the right mean (2.5: 2 or 3, each half the time). */
  double calls;
  bool calls_sequential; /* one after the other instead of in parallel */
  double cache_hit;      /* probability per invocation, in [0, 1] */
  double hit_latency;    /* seconds a cache hit takes, >= 0 */
  double stops;          /* probability the request ends here, [0, 1] */
  bool async;            /* uses capacity; the response does not wait for it */

  /* Capacity. */
  uint32_t servers;     /* >= 1 */
  uint32_t concurrency; /* slots per server, >= 1 */
  sim_balancer balancer;

  /* Service time of one invocation (of one batch when batching). */
  sim_service service;
  double service_mean; /* seconds, >= 0 */
  double service_cv;   /* >= 0; for SIM_LOGNORMAL and SIM_GAMMA */

  sim_batching batching;
} sim_stage;

/* Progress of a run: FRACTION in [0, 1] of the work done.  Called at
 * most about 1,000 times per replication, and once with 1 at the end. */
typedef void (*sim_progress_fn)(double fraction, void *ctx);

typedef struct sim_input {
  const sim_stage *stages;
  size_t n_stages;

  double lambda;     /* arrivals per second, > 0 */
  double arrival_cv; /* of the inter-arrival times: 1 Poisson (default), 0
                        evenly spaced, else gamma */

  /* Length of each replication: exactly one of the two, > 0. */
  uint64_t requests; /* arrivals, warm-up included */
  double duration;   /* seconds of arrivals, warm-up included */
  /* Warm-up deleted at the start of each replication: requests (in
   * requests mode) or seconds (in duration mode).  Negative: the default
   * rule, a tenth of the replication. */
  double warmup;
  uint32_t replications; /* 0 or 1: one run, intervals by batch means */
  uint64_t seed;
  /* After the last measured arrival, keep requests arriving, unmeasured,
   * until every measured request is done (a cool-down).  The last
   * measured requests then see the same traffic as the others: a batch
   * that waits to fill (or for its window) would otherwise wait for
   * arrivals that never come.  false: arrivals stop there and the
   * requests in flight finish (the default). */
  bool cooldown;

  /* Safety bounds; 0 takes the default.  A replication stops, and the
   * stage is flagged overloaded, when invocations waiting at one stage
   * pass max_queue (default 1,000,000), or when requests in flight pass
   * max_in_flight (default 4,000,000). */
  uint64_t max_queue;
  uint64_t max_in_flight;

  sim_progress_fn progress; /* may be NULL */
  void *progress_ctx;
} sim_input;

/* A figure and its 95% confidence interval.  N is the number of sections
 * (replications, or batches of one run) the interval comes from; with
 * N < 2 there is no interval and lo == hi == value. */
typedef struct sim_ci {
  double value, lo, hi;
  uint32_t n;
} sim_ci;

typedef enum sim_status {
  SIM_OK = 0,
  /* Offered load at or above capacity (or a queue passed max_queue): the
   * figures describe a growing queue, not a steady state. */
  SIM_OVERLOADED,
  /* Nothing was measured (no visit after the warm-up). */
  SIM_NO_TRAFFIC,
  /* Nothing was measured because a safety bound stopped the run first
   * (sim_result.aborted; another stage is SIM_OVERLOADED). */
  SIM_NOT_MEASURED
} sim_status;

typedef struct sim_figures {
  sim_status status;
  uint64_t completed; /* visits (a stage) or requests (end to end) measured,
                         all replications */
  /* Latency of a visit (arrival at the stage, after any join, until its
   * last invocation is done) or of a request end to end. */
  sim_ci latency_mean, latency_p50, latency_p95, latency_p99, latency_p999;
  /* Visits (stage) or requests (end to end) per second. */
  sim_ci visit_rate;
  /* Stage only (0 end to end): */
  sim_ci invocation_rate; /* invocations reaching the servers per second */
  sim_ci utilization;     /* busy slots / slots, in [0, 1] */
  sim_ci offered_load;    /* work arriving / capacity; >= 1 is overload */
  sim_ci queue_mean;      /* invocations waiting (not in service), mean */
  sim_ci wait_mean;       /* seconds an invocation waits before service */
  sim_ci batch_mean;      /* invocations per batch (batching stages) */
  /* Batch means only (0 with replications): the lag-1 autocorrelation of
   * the batches' mean latencies.  Batch means assume nearly independent
   * batches; 20 independent ones give values within about +-0.4 (the
   * estimate's standard deviation is about 0.2), so above 0.4 the
   * intervals are likely too narrow and a longer run, or replications,
   * are needed.  A weak test: a small value proves nothing
   * (docs/simulation.md, "Reading the intervals"). */
  double batch_lag1;
} sim_figures;

typedef enum sim_interval_method {
  SIM_CI_REPLICATIONS = 0, /* sections are independent replications */
  SIM_CI_BATCH_MEANS       /* sections are 20 batches of one run */
} sim_interval_method;

typedef struct sim_result {
  size_t n_stages;
  sim_figures *stages; /* n_stages, in input order */
  sim_figures end_to_end;
  sim_interval_method method;
  uint32_t sections;     /* replications or batches behind the intervals */
  uint32_t replications; /* run */
  uint64_t requests;     /* arrivals simulated, all replications */
  uint64_t measured;     /* arrivals after the warm-up, all replications */
  uint64_t events;       /* events processed, all replications */
  double simulated_time; /* seconds of simulated clock, all replications */
  bool aborted;          /* a safety bound stopped a replication early */
} sim_result;

/* Fills IN with the defaults: no stages, lambda 0, arrival_cv 1, warm-up
 * by the default rule, one replication, seed 1. */
void sim_input_init(sim_input *in);
/* Fills S with the defaults of a stage: share 1, calls 1, 1 server of
 * concurrency 1, least-loaded, exponential service of mean 0. */
void sim_stage_init(sim_stage *s);

/* Runs the simulation.  Returns the result (free it with sim_result_free),
 * or NULL when IN is not valid, with the reason in ERR (ERR_SIZE bytes;
 * ERR may be NULL).  Deterministic: the same IN gives the same result,
 * bit for bit, on any machine (simrng.h).  No figure is NaN or Inf. */
sim_result *sim_run(const sim_input *in, char *err, size_t err_size);

/* NULL is safe. */
void sim_result_free(sim_result *r);

/* The 0.975 quantile of Student's t with DF degrees of freedom (DF >= 1),
 * the factor of a 95% interval. */
double sim_t975(uint32_t df);

#endif

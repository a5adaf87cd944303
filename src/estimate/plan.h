/*
 * plan.h - one evaluation of a model: every figure of the plan.
 *
 * plan_eval() is a pure function of (model, parameters, limits): no
 * allocation (the plan is allocated once by plan_new and reused), no I/O,
 * no globals, so Monte Carlo, sweeps and sizing searches can call it
 * millions of times.  Given a recorder (steps.h) it also writes the
 * working of every figure.  Whatever a plan cannot be (a stage with no
 * load, overloaded, a constraint it cannot meet) is a status per stage;
 * a figure that leaves the range of a double is recorded as a problem
 * for the caller to report, never as NaN or Inf in the output.
 * Private to the library.
 */
#ifndef CAPPLAN_PLAN_H
#define CAPPLAN_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "availability.h"
#include "model.h"
#include "steps.h"
#include "tp.h"

/* What a stage's plan is (SPEC.md sections 5 and 7). */
enum plan_status {
  PLAN_OK,
  PLAN_NO_LOAD,    /* nothing reaches it: no servers needed */
  PLAN_OVERLOADED, /* its servers run at or above 100% */
  PLAN_UNMET       /* a constraint cannot be met */
};
const char *plan_status_name(enum plan_status s);

/* The constraints a pool of servers is sized by (SPEC.md section 5): the
 * count is the largest of what each needs.  Latency (SPEC.md section 7)
 * adds servers to a pool already sized by the others. */
enum constraint {
  CON_THROUGHPUT,
  CON_MEMORY,
  CON_KV_CACHE,
  CON_LATENCY,
  CON_COUNT
};
const char *constraint_name(enum constraint c);

/* A pool of servers: a stand-alone stage, a colocation group or a cache
 * tier.  Counts are doubles holding whole numbers (exact below 2^53). */
typedef struct pool_plan {
  double by[CON_COUNT]; /* raw servers each constraint needs */
  unsigned applies;     /* bit c: constraint c applies */
  enum constraint binding;
  double raw;           /* the largest: what headroom and the ceiling take */
  double with_headroom; /* raw x (1 + headroom) */
  double ceiled;        /* the one ceiling (at least 1 for any load) */
  double servers;       /* after headroom, ceiling, zones and spares */
  double zone_extra;    /* servers added to survive losing a zone */
  double gpus, cost_per_year;
  double needed;      /* servers that must be up to carry the load (or,
                         more, to meet its own latency objective) */
  double needed_load; /* when latency raised NEEDED: what the load needs */
  double carry;       /* servers' worth of load at failover utilization */
  double calls;       /* calls a request makes to it, each to be served
                         (avail_pool; 1 for a group's pool) */
  double shards;      /* servers one copy of its data takes (0: no data);
                         from 2, the data counted per shard (avail_sharded) */
  double load_needed, load_carry; /* NEEDED and CARRY for the load (and
                                     latency) alone, the data left out */
  double utilization;             /* the load over what the servers can serve */
  avail all;         /* every server needed is up (k-of-n, zones, stage) */
  avail servers_all; /* the same from the servers alone: k-of-n or zones */
  avail req;         /* share of the load served (FORMULAS.md 2b) */
  double memory;     /* bytes of data x replicas; 0: none */
  double usable;     /* usable memory per server, bytes */
  avail_figs all_f;  /* nines and downtime of ALL (plan_derive) */
} pool_plan;

/* The latency percentiles a plan reports (SPEC.md section 7). */
enum pct { PCT_P50, PCT_P95, PCT_P99, PCT_P999, PCT_COUNT };
extern const double pct_level[PCT_COUNT];     /* 0.5, 0.95, 0.99, 0.999 */
extern const char *const pct_name[PCT_COUNT]; /* "p50", ... */

/* The queue a stage's requests wait in (FORMULAS.md section 3b). */
enum queue_model {
  QUEUE_NONE,  /* no load, or off every path that has one */
  QUEUE_MMC,   /* exponential service: M/M/c, exact */
  QUEUE_MGC,   /* general service: M/G/c by Allen-Cunneen */
  QUEUE_MDC,   /* constant service: M/D/c by Allen-Cunneen */
  QUEUE_BATCH, /* batches that form, then queue for a slot */
  QUEUE_GGC    /* arrivals other than Poisson: G/G/c by Allen-Cunneen */
};
const char *queue_model_name(enum queue_model q);

typedef struct queue_plan {
  enum queue_model model;
  bool random;         /* a queue per server (else one shared queue) */
  double servers;      /* serving the stage (a colocated stage: its share) */
  double slots;        /* the queue's c: all servers', or one server's */
  double server_slots; /* one server's slots as its model gives them */
  double arrivals;     /* jobs per second into that queue */
  double job;          /* requests per job */
  double service;      /* mean seconds a job holds a slot */
  double cs, ca;       /* variation of service and of arrivals */
  double form;         /* longest wait for a batch to form, s */
  double form_mean;    /* a request's mean wait for it to form, s */
  double fill;         /* batch size when arrivals fill it (tp_queue) */
  double utilization;  /* of the slots: arrivals x service / slots */
  /* A batcher per slot (tp_queue.own_batcher): utilization is the share
   * of the batchers' capacity in use, and no job waits beyond the batch
   * in progress (the form). */
  bool own_batcher;
  bool stable;              /* utilization < 1: the figures below hold */
  double p_wait, wait_mean; /* P(a job waits), its mean wait (s) */
  double wait_mmc;          /* M/M/c's mean wait before Allen-Cunneen */
  double wait_rate;         /* P(W > t) = p_wait exp(-wait_rate t) */
  double pct[PCT_COUNT];    /* response of one invocation, s */
  double mean;              /* its mean, s */
  /* A request's mean wait before its service starts: for its batch to
   * form, then in the queue (form_mean + wait_mean), s. */
  double wait_with_form;
} queue_plan;

/* A stage's cache tier: its pool, one of the plan's CACHES (NULL: the
 * stage has none), and the figures Monte Carlo reads of it in place
 * (mc.c), copied from the pool as each evaluation sizes it. */
typedef struct cache_plan {
  double servers, cost_per_year;
  pool_plan *pool;
} cache_plan;

typedef struct stage_plan {
  /* The figures every evaluation writes and reads first, together (they
   * share cache lines; the plan of a 20-stage model is evaluated about
   * half a million times a second). */
  enum plan_status status;
  bool critical;
  bool double_counted; /* join: any adds a request's paths more than once */
  double inflow;       /* requests reaching it per entry request */
  double outflow;      /* requests passed downstream per entry request */
  double load;         /* invocations per second reaching its servers */
  double latency;      /* its time on the request path, s */
  double form;         /* of which waiting for a batch to form, s */
  double latency_to;   /* slowest path from an entry to its end, s */
  double mean_latency; /* hits and misses mixed (a cache tier), s */
  double equivalents;  /* colocated: load / per-server throughput */
  double cache_load;   /* lookups per second reaching its cache tier */
  /* With the fallback standing in (else the stage's own figures). */
  avail effective, effective_req;
  pool_plan pool; /* its own servers; a colocated stage only its share */
  tp_out tp;      /* what one server does */
  queue_plan queue;
  double latency_added; /* servers added to meet a latency objective */
  /* The fewest servers that meet its own latency objectives (0: none):
   * availability's servers needed when more than the load needs
   * (FORMULAS.md section 2b). */
  double latency_needed;
  /* An llm stage's USD per million output tokens at the plan's average
   * load (plan_derive); -1 when there is none. */
  double usd_per_m_output_at_load;
  cache_plan cache;
  avail_figs effective_f; /* nines and downtime of EFFECTIVE */
} stage_plan;

typedef struct group_plan {
  double equivalents;    /* sum of its members' */
  double latency_added;  /* servers added to meet a member's or the
                            response's latency objective */
  double latency_needed; /* the fewest meeting a member's own objectives */
  double visit;          /* share of requests visiting its members (summed, so
                            at most one when they are on one path), capped at 1 */
  pool_plan pool;
} group_plan;

/* A limit to check and where it came from (the spec, or a flag of
 * 'capplan check' that tightened it). */
typedef struct check_limit {
  enum capplan_check_kind kind;
  long stage; /* a stage's percentile, or -1 */
  double limit;
  bool from_flag;
} check_limit;

/* A figure no double holds: the evaluation stopped there. */
enum plan_problem {
  PROBLEM_NONE,
  PROBLEM_FLOW,        /* requests per entry request */
  PROBLEM_LOAD,        /* a stage's load */
  PROBLEM_THROUGHPUT,  /* a server's throughput */
  PROBLEM_LATENCY,     /* the latency to a stage's end */
  PROBLEM_COST,        /* a stage's cost */
  PROBLEM_SERVERS,     /* more servers than a double counts exactly */
  PROBLEM_GPUS,        /* more GPUs than a double counts exactly */
  PROBLEM_GROUP_GPUS,  /* the same, for group problem_stage */
  PROBLEM_TOTAL_COUNT, /* the plan's servers or GPUs, all stages together */
  PROBLEM_TOTAL_COST,  /* the plan's total */
  PROBLEM_MODEL        /* a stage's throughput model has no answer */
};

/* Remembered k-of-n tails of one pool (eval.c): an evaluation that meets
 * the same (needed, servers, availability) again, as Monte Carlo and
 * sweeps do all the time, reuses them.  A cache only: the figures are
 * the same with or without it. */
#define PLAN_MEMO_SLOTS 16
typedef struct avail_memo {
  double m, n, a, c, kdown;
  avail all;
} avail_memo;

/* Remembered binomial weights of how many of a pool's zones are up
 * (eval.c's over_zones): they depend on the count of zones and a zone's
 * availability alone, and cost a few lgamma and exp calls each.  A
 * cache only, like avail_memo. */
#define PLAN_ZONE_TERMS 48
#define PLAN_ZONE_SLOTS 4
typedef struct zone_memo {
  double zones, a; /* the key; zones < 0: empty */
  size_t n;        /* the weights of zones, zones - 1, ... zones - n + 1 up */
  bool too_long;   /* more terms than PLAN_ZONE_TERMS: not kept */
  double w[PLAN_ZONE_TERMS];
} zone_memo;

typedef struct plan {
  /* traffic */
  double qps, average_qps;
  stage_plan *stage; /* in spec order */
  /* What only some stages have, one for each such stage, in spec order:
   * the llm stages' replica figures (stage_plan.tp.llm points there) and
   * the cache tiers (stage_plan.cache). */
  llm_result *llm;
  pool_plan *caches;
  group_plan *group;
  double servers, gpus, cost_per_year, cost_per_month;
  double cost_per_million; /* < 0 when the average rate is unknown */
  double latency;          /* of the critical path, s */
  size_t *critical;        /* stage indices, entry first */
  size_t n_critical;
  avail all; /* every stage can carry its full load */
  avail req; /* expected share of requests served */
  /* What a report states of them (plan_derive): nines and downtime, and
   * whether any figure of the plan is past the nines cap. */
  avail_figs all_f, req_f;
  bool above_cap;
  capplan_check *checks; /* room for every limit of the model */
  size_t n_checks, failed;
  /* The end-to-end response (SPEC.md section 7): its percentiles and
   * mean, when pct_known (every stage a request can visit is stable). */
  bool pct_known;
  double pct[PCT_COUNT], pct_mean;
  long unstable; /* a stage on the request path that is overloaded, or -1 */
  /* A latency objective sizing could not meet: the first such, its
   * stage (-1: end to end), percentile (-1: the search gave up) and the
   * floor it lies below (the percentile with no wait at all; 0 if
   * unknown). */
  bool latency_unmet;
  long unmet_stage;
  int unmet_pct;
  double unmet_floor;
  struct latency_work *lw; /* scratch of latency.c */
  /* Queues and percentiles are computed (the default); callers that
   * only need the other figures many times may turn them off. */
  bool latency_on;
  bool passed;
  size_t overloaded, unmet; /* stages with these statuses */
  enum plan_problem problem;
  size_t problem_stage; /* where the problem arose */
  /* The slowest path to each stage: its upstream on that path (itself
   * for an entry), the path's length in stages and its fifth stage from
   * the entry (for abbreviating long paths). */
  size_t *best, *path_len, *fifth;
  /* Per stage: its slowest path is the same whatever the figures (set by
   * plan_new, which fills best, path_len and fifth for it once). */
  bool *fixed_path;
  /* PLAN_MEMO_SLOTS per pool: stages, their cache tiers, then groups. */
  avail_memo *memo;
  /* Without them (one evaluation), PLAN_MEMO_SLOTS all pools share:
   * pools alike (a configuration repeated over many stages) meet the
   * same tails. */
  avail_memo shared[PLAN_MEMO_SLOTS];
  /* What depends on the model alone, listed once by plan_new so that an
   * evaluation visits only the stages a phase concerns: those whose
   * batch may take time to form (any kind but fixed and llm), and those
   * with a fallback, in spec order. */
  size_t *forms, n_forms;
  size_t *backed, n_backed;
  /* In topological order, the stages not standing by whose latency a
   * batch forming can move: those that may form and those after them. */
  size_t *after_forms, n_after_forms;
  /* The stages whose queue status (latency_status) waits for phase 4b:
   * all but those of the fixed kind and the stand-alone ones of the batch
   * kind, whose sizing (or their group's) gives it at once. */
  size_t *queue_later, n_queue_later;
  /* The places in topological order of the stages standing by (sized
   * after phase 2; the others as phase 1 reaches them). */
  size_t *standby_at, n_standby;
  /* The others in topological order, and their places in it. */
  size_t *live, *live_at, n_live;
  /* Per stage: of the fixed kind, not standing by, with no cache tier,
   * memory constraint, group or join: any (phases 1 and 3 test none of
   * them for it). */
  bool *plain;
  zone_memo *zone_w; /* PLAN_ZONE_SLOTS of them */
  size_t zone_next;  /* the slot a new key takes */
  /* Scratch of phase 4b: stages whose latency to their end may have
   * moved since it was last taken, those whose stamp is MOVED_AT. */
  size_t *moved, moved_at;
} plan;

/* A plan shaped for M.  Free with plan_free() (accepts NULL). */
plan *plan_new(const capplan_model *m);
void plan_free(plan *p);
/* Frees what only evaluating P needs (the latency work, the stage lists
 * of each phase, the memos), keeping every figure and the slowest paths:
 * for a plan that will only be read from now on, so that what reads it
 * (a report's tables) reuses that memory; a 100,000-stage plan's 25 MB.
 * P can no longer be evaluated; latency_visit makes the work it needs
 * again. */
void plan_settle(plan *p);
/* Lets P remember k-of-n tails between evaluations (for callers that
 * evaluate M many times: Monte Carlo, sweeps, searches). */
void plan_remember(const capplan_model *m, plan *p);
/* Sets P up for many evaluations: plan_remember, and queues and
 * percentiles only when one of M's objectives needs them (they cost
 * about a hundred times the rest of an evaluation). */
void plan_for_trials(const capplan_model *m, plan *p);

/* The checks a plan of M can hold: LIMITS' count is at most this. */
size_t plan_max_checks(const capplan_model *m);

/* Evaluates M at parameters P against LIMITS (N of them; may be NULL),
 * into OUT.  Returns 0, or -1 when a
 * figure left the range of a double (OUT->problem says which). */
int plan_eval(const capplan_model *m, const params *p,
              const check_limit *limits, size_t n_limits, plan *out);

/* The figures only a report states (nines, downtimes), derived once from
 * an evaluated plan: kept out of plan_eval, which Monte Carlo and sizing
 * searches call millions of times. */
void plan_derive(const capplan_model *m, const params *p, plan *out);

/* Records the working of every figure of OUT (evaluated from M and P)
 * into S: formats the plan's own figures, computes none. */
void plan_steps(const capplan_model *m, const params *p, const plan *out,
                steps *s);

/* Servers for RAW fractional servers: headroom, one ceiling, the zone
 * rule, spares (SPEC.md "Sizing and rounding").  *EXTRA gets the servers
 * the zone rule added.  Shared with 'calc servers'. */
double size_servers(double raw, double headroom, double redundancy,
                    double zones, bool survive, double *extra);

#endif

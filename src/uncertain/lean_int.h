/*
 * lean_int.h - the lean evaluator's insides (lean.c), shared with the
 * translation unit that compiles its stage loop for wider vector
 * registers (lean_avx2.c, through the template lean_simd.h).  Private to
 * those files.
 */
#ifndef CAPPLAN_LEAN_INT_H
#define CAPPLAN_LEAN_INT_H

#include "lean.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "figures.h"
#include "util.h"

#define SECONDS_PER_YEAR (CAPPLAN_HOURS_PER_YEAR * 3600.0)
/* k-of-n tails remembered per stage: MEMO (a power of two) for a small
 * model, fewer for a large one, so that a thread's tables stay within
 * MEMO_CELLS entries (6 MB) whatever the number of stages, and never
 * fewer than MEMO_MIN. */
#define MEMO 8192
#define MEMO_MIN 64
#define MEMO_CELLS ((size_t)1 << 17)
/* Trials a block holds at most: as many as Monte Carlo draws at a time
 * (mc.c), so that the per-block work (the figures recorded, the columns
 * filled) comes once a draw. */
#define BLOCK 256
/* Doubles of per-stage columns a block may take: a large model gets
 * shorter blocks, so that its columns stay within a few MB. */
#define BLOCK_CELLS ((size_t)1 << 18)

typedef struct memo_entry {
  double m, n, a, kdown;
  avail all;
} memo_entry;

/* An input as the loop reads it: P[t & MASK], MASK 0 for a constant (P
 * into the parameters), all ones for a column (P its first trial). */
typedef struct opnd {
  const double *p;
  size_t mask;
} opnd;

static inline double at(opnd o, size_t t) {
  return o.p[t & o.mask];
}

/* A field of a batch model's scratch inputs and the column it takes. */
typedef struct setter {
  double *to;
  const double *from;
} setter;

typedef struct lstage {
  size_t i; /* in the model */
  const mstage *ms;
  opnd share, stops, calls, cache_hit, concurrency;
  opnd fu, util, headroom, redundancy, avail, stage_avail, reserve;
  opnd memory, replicas, gpus, cost, hw_memory, hw_gpu_memory;
  opnd per_server, latency, parallelism; /* the throughput model's */
  /* A batch model: its inputs copied, the varying ones set per trial
   * (none: its figures once per block), its figures per trial. */
  stage_in *sin;
  hw_in *shw;
  setter *set;
  size_t n_set;
  double *tp_per_server, *tp_latency, *tp_parallelism;
  /* Some input other than the throughput model's varies: every input is
   * read as an operand (else the others are constants of the loop). */
  bool general;
  double *outflow, *latency_to; /* for the stages after it */
  double *out[LF_STAGE_COUNT];
  memo_entry *memo;
  size_t memo_mask; /* its entries less one */
} lstage;

struct lean {
  unsigned lanes; /* the stage loop's: 4 (AVX2), 2 (SSE2), 1 */
  const capplan_model *m;
  const params *p;
  size_t len; /* block length */
  size_t nv;
  double *cols; /* nv x len */
  lstage *st;   /* in topological order */
  size_t *pos;  /* model index -> position in st */
  opnd qps, dau, rpu, p2a, avg_qps;
  double *qps_t, *average_t; /* per trial */
  const double *qps_in;      /* the peak per trial: qps_t or a column */
  bool traffic_each;         /* else set once by lean_new */
  double *tot[LF_COUNT];     /* the totals (index >= LT_SERVERS) */
  unsigned *flags;
  double *arena; /* every column */
};

static inline double max2(double a, double b) {
  return a > b ? a : b;
}

static inline double min2(double a, double b) {
  return a < b ? a : b;
}

/* The small functions of the evaluation, here so that they inline into
 * the loop: each is the same code as the one named in eval.c (the
 * availability compositions are availability.h's own inline ones, the
 * ceiling figures.h's), and mc.c compares the first trials with
 * plan_eval's figure by figure, so a change there cannot pass unnoticed. */

/* needed() (eval.c): ceil(EQ - tolerance), at least 1 for any load. */
static inline double needed(double eq) {
  if (eq <= 0)
    return 0;
  double c = capplan_ceil(eq);
  return c < 1 ? 1 : c;
}

/* size_servers (eval.c) without zones (lean_new refuses them). */
static inline double servers_for(double raw, double headroom,
                                 double redundancy) {
  double n = capplan_ceil(raw * (1 + headroom));
  if (raw > 0 && n < 1)
    n = 1;
  return n + redundancy;
}

/* avail_tails through the stage's table, keyed by the counts (whole
 * numbers: through a signed conversion, one instruction, where they fit
 * in one; the table is left alone otherwise).  C, the stage's calls, is
 * the same in every trial (lean_new refuses a model where it varies), so
 * every entry of the stage's table was made with it. */
static inline void tails(memo_entry *memo, size_t mask, double m, double n,
                         double a, double c, avail *all, double *kdown) {
  if (!(m < 4e18 && n < 4e18)) {
    avail_tails(m, n, a, c, all, kdown);
    return;
  }
  size_t h = (size_t)(((uint64_t)(int64_t)m * 2654435761u +
                       (uint64_t)(int64_t)n * 40503u) &
                      mask);
  memo_entry *e = &memo[h];
  if (e->m == m && e->n == n && e->a == a) {
    *all = e->all;
    *kdown = e->kdown;
    return;
  }
  avail_tails(m, n, a, c, all, kdown);
  *e = (memo_entry){m, n, a, *kdown, *all};
}

/* tails() for the vector loop's lanes: counts at most 2^53 (the lanes'
 * own checks, so the conversions need no range check) and the
 * availability A the same in every trial (a constant of the loop, so
 * every entry of the stage's table was made with it). */
static inline void tails_lane(memo_entry *memo, size_t mask, double m, double n,
                              double a, double c, avail *all, double *kdown) {
  size_t h = (size_t)(((uint64_t)(int64_t)m * 2654435761u +
                       (uint64_t)(int64_t)n * 40503u) &
                      mask);
  memo_entry *e = &memo[h];
  if (e->m == m && e->n == n) {
    *all = e->all;
    *kdown = e->kdown;
    return;
  }
  avail_tails(m, n, a, c, all, kdown);
  *e = (memo_entry){m, n, a, *kdown, *all};
}

/* The inputs of a stage that are constants of its loop. */
typedef struct fixed_in {
  double share, stops, calls, cache_hit, concurrency, fu, util, headroom,
      redundancy, avail, stage_avail, reserve, memory, replicas, gpus, cost,
      hw_memory, hw_gpu_memory;
} fixed_in;

/* Stage S (phases 1, 3, 5 and its share of 6 and 7) for trial T;
 * GENERAL: every input an operand, else those of C constants (the
 * compiler makes a function of each, as GENERAL is a constant where it
 * is called); FIRST: no stage before it on the request path. */
static CAPPLAN_ALWAYS_INLINE void stage_one(lean *k, lstage *s,
                                            const fixed_in *c, size_t t,
                                            bool general, bool first) {
#define IN(f) (general ? at(s->f, t) : c->f)
  const mstage *ms = s->ms;
  double *t_lat = k->tot[LT_LATENCY];
  double *t_up = k->tot[LT_ALL_UP], *t_req = k->tot[LT_REQ_UP];
  /* The totals' down shares live in the columns of the month and the
   * million until the end (finish() writes those). */
  double *t_down = k->tot[LT_MONTH], *t_rdown = k->tot[LT_MILLION];
  /* Phase 1: flow, load, latency. */
  double inflow = ms->n_parents ? 0 : 1, slow = 0;
  for (size_t q = 0; q < ms->n_parents; q++) {
    const lstage *u = &k->st[k->pos[ms->parents[q]]];
    inflow =
        ms->join_any ? inflow + u->outflow[t] : max2(inflow, u->outflow[t]);
    slow = max2(slow, u->latency_to[t]);
  }
  double sin = IN(share) * inflow;
  s->outflow[t] = sin * (1 - IN(stops));
  double load = sin * IN(calls) * k->qps_in[t] * (1 - IN(cache_hit));
  double per_server = at(s->per_server, t), tlat = at(s->latency, t);
  double lat = ms->calls_sequential ? tlat * IN(calls) : tlat;
  s->out[LF_LATENCY][t] = lat;
  s->latency_to[t] = lat + slow;
  /* The figures plan_eval stops at: handed back to it (the columns the
   * stages after read are left finite). */
  if (!isfinite(sin) || !isfinite(load) || !isfinite(per_server * 1000) ||
      !isfinite(s->latency_to[t] * 1000))
    goto fallback;
  /* Phase 3: constraints, sizing, cost, availability. */
  double fu = IN(fu), util = IN(util);
  double carry = load / (per_server * fu);
  double need = needed(carry);
  double raw = 0, shards = 0, load_carry = carry, load_need = need;
  /* The same division when the two utilizations are the same (both 100%
   * by default). */
  double by_tp = util == fu ? carry : load / (per_server * util);
  if (by_tp > raw)
    raw = by_tp;
  if (ms->has_memory) {
    double memory = IN(memory) * IN(replicas);
    double usable = (ms->memory_on_gpu ? IN(hw_gpu_memory) : IN(hw_memory)) *
                    (1 - IN(reserve));
    double by_mem = memory / usable;
    double hold = IN(memory) / usable;
    if (hold > carry)
      carry = hold;
    if (needed(hold) > need)
      need = needed(hold);
    shards = needed(hold);
    /* size_pool: the largest count binds; throughput first on ties. */
    if (by_mem > raw)
      raw = by_mem;
  }
  double srv = servers_for(raw, IN(headroom), IN(redundancy));
  if (!(isfinite(load) && isfinite(srv) && srv <= CAPPLAN_MAX_EXACT))
    goto fallback;
  double gpus = srv * IN(gpus);
  if (gpus > CAPPLAN_MAX_EXACT)
    goto fallback;
  double cost = srv * IN(cost);
  s->out[LF_SERVERS][t] = srv;
  s->out[LF_GPUS][t] = gpus;
  s->out[LF_COST][t] = cost;
  /* eval.c: overloaded when load / (servers x per server) > 1 + 1e-9;
   * the division only where the capacity is within 1e-8 of the load
   * (below that bound the quotient is under 1 + 1e-9 whatever its
   * rounding). */
  double capacity = srv * per_server;
  bool over = false;
  if (srv > 0 && !(capacity >= load * (1 + 1e-8)))
    over = load / capacity > 1 + 1e-9;
  /* latency.c's latency_status: the queue of its slots at or above 100%
   * (tp_fixed.c's and tp_batch.c's queue, one request a job). */
  if (!over && load > 0 && srv > 0) {
    double cc = IN(concurrency);
    double qslots = cc > 0                    ? cc
                    : ms->tp.kind == TP_FIXED ? per_server * tlat
                                              : at(s->parallelism, t);
    double jobs = load / 1;
    double slots = ms->random_balancer ? capplan_floor(qslots + 1e-9)
                                       : capplan_floor(srv * qslots + 1e-9);
    if (slots < 1)
      slots = 1;
    double arrivals = ms->random_balancer ? jobs / srv : jobs;
    double u = arrivals * tlat / slots;
    if (!(u < 1 - 1e-9) || !isfinite(u))
      over = true;
  }
  k->flags[t] |= over ? LEAN_INFEASIBLE : 0;
  avail a_all, a_req;
  /* eval.c's size_stage: an asynchronous stage's calls are events. */
  double calls = ms->async ? 1 : IN(calls);
  if (need <= 0) {
    a_all = avail_of(1);
    a_req = avail_of(1);
  } else if (shards >= 2) { /* eval.c's pool_availability */
    avail_sharded(shards, srv, load_need, IN(avail), load_carry, calls, &a_all,
                  &a_req);
  } else {
    double kdown;
    tails(s->memo, s->memo_mask, need, srv, IN(avail), calls, &a_all, &kdown);
    a_req = avail_share(a_all, kdown, avail_load_pow(carry, need, calls));
  }
  double sa = IN(stage_avail);
  if (sa < 1) {
    a_all = avail_series(a_all, avail_of(sa));
    a_req = avail_series(a_req, avail_of(sa));
  }
  /* Phase 5: no fallback, so the stage's own. */
  s->out[LF_AVAIL][t] = a_all.up;
  /* Phase 6: totals, in topological order. */
  k->tot[LT_SERVERS][t] += srv;
  k->tot[LT_GPUS][t] += gpus;
  k->tot[LT_COST][t] += cost;
  if (!ms->async) {
    double visit = min2(1, sin);
    double misses = visit * (1 - IN(cache_hit));
    avail all = avail_series((avail){t_up[t], t_down[t]}, a_all);
    avail req = avail_series((avail){t_req[t], t_rdown[t]},
                             avail_down(misses * a_req.down));
    t_up[t] = all.up;
    t_down[t] = all.down;
    t_req[t] = req.up;
    t_rdown[t] = req.down;
    /* Phase 7: the latency of the critical path is its end's. */
    if (first || s->latency_to[t] > t_lat[t])
      t_lat[t] = s->latency_to[t];
  }
  return;
fallback:
  k->flags[t] |= LEAN_FALLBACK;
  s->outflow[t] = 0;
  s->latency_to[t] = 0;
#undef IN
}

/* stage_one for a stage that is not S->general, several trials at a time
 * from trial 0 (lean_simd.h): returns the trials done, the rest left to
 * stage_one.  lean_stage_avx2 only where the CPU has AVX2. */
size_t lean_stage_sse2(lean *k, lstage *s, const fixed_in *c, size_t len,
                       bool first);
/* The same for finish()'s figures of the totals (lean.c), without the
 * checks. */
size_t lean_finish_sse2(lean *k, size_t len);
size_t lean_finish_avx2(lean *k, size_t len);
size_t lean_stage_avx2(lean *k, lstage *s, const fixed_in *c, size_t len,
                       bool first);
/* Whether lean_stage_avx2 was compiled (x86-64, gcc or clang) and the CPU
 * runs it. */
bool lean_avx2_usable(void);

#endif

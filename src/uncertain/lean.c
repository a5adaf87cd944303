/*
 * lean.c - see lean.h.  Each step names the phase of estimate/eval.c it
 * follows; the operations are the same ones in the same order, so the
 * figures are the same doubles.
 */
#include "lean.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "figures.h"

#define SECONDS_PER_YEAR (CAPPLAN_HOURS_PER_YEAR * 3600.0)
#define MEMO 2048 /* k-of-n tails remembered per stage (a power of two) */

typedef struct memo_entry {
  double m, n, a, kdown;
  avail all;
} memo_entry;

struct lean {
  double *outflow, *latency_to; /* per stage */
  memo_entry *memo;             /* MEMO per stage */
};

lean *lean_new(const capplan_model *m) {
  /* Only what it repeats: no groups, tiers, fallbacks or zones; fixed and
   * batch throughput without batches that take time to form; checks on
   * none of the figures eval.c's later phases add (percentiles, LLM
   * objectives). */
  if (m->n_groups || m->n_pct_limits || m->limits.has_ttft ||
      m->limits.has_tpot)
    return NULL;
  for (size_t i = 0; i < m->n_stages; i++) {
    const mstage *s = &m->stage[i];
    if (s->group >= 0 || s->has_cache || s->fallback >= 0 || s->standby ||
        (s->tp.kind != TP_FIXED && s->tp.kind != TP_BATCH) ||
        (s->tp.kind == TP_BATCH && m->base.stage[i].batch > 1) ||
        m->base.stage[i].pol.zones > 1)
      return NULL;
  }
  lean *k = xcalloc(1, sizeof *k);
  k->outflow = xcalloc(m->n_stages + 1, sizeof(double));
  k->latency_to = xcalloc(m->n_stages + 1, sizeof(double));
  k->memo = xmalloc((m->n_stages + 1) * MEMO * sizeof(memo_entry));
  for (size_t i = 0; i < (m->n_stages + 1) * MEMO; i++)
    k->memo[i].m = -1; /* empty */
  return k;
}

void lean_free(lean *k) {
  if (!k)
    return;
  free(k->outflow);
  free(k->latency_to);
  free(k->memo);
  free(k);
}

static double max2(double a, double b) {
  return a > b ? a : b;
}

static double min2(double a, double b) {
  return a < b ? a : b;
}

/* The small functions of the evaluation, here so that they inline into
 * the loop: each is the same code as the one named (eval.c,
 * availability.c; the ceiling is figures.h's own inline one), and mc.c compares
 * the first trials with plan_eval's figure by figure, so a change there cannot
 * pass unnoticed. */

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

/* avail_of, avail_down, avail_series, avail_share (availability.c). */
static inline avail of(double a) {
  avail r = {a, 1 - a};
  return r;
}

static inline avail down_of(double d) {
  avail r = {1 - d, d};
  return r;
}

static inline avail series(avail x, avail y) {
  avail r = {x.up * y.up, x.down + y.down * x.up};
  return r;
}

static inline avail share(avail all, double kdown, double r) {
  if (r <= 0)
    return all;
  avail req;
  req.down = all.down - kdown / r;
  if (req.down < 0.5) {
    req.down = req.down > 0 ? req.down : all.down > 0 ? DBL_TRUE_MIN : 0;
    req.up = 1 - req.down;
  } else {
    req.up = all.up + kdown / r;
    req.up = req.up < 1 ? req.up : 1;
    req.down = 1 - req.up;
  }
  return req;
}

/* avail_tails through the stage's table. */
static inline void tails(memo_entry *memo, double m, double n, double a,
                         avail *all, double *kdown) {
  size_t h =
      (size_t)(((uint64_t)m * 2654435761u + (uint64_t)n * 40503u) & (MEMO - 1));
  memo_entry *e = &memo[h];
  if (e->m == m && e->n == n && e->a == a) {
    *all = e->all;
    *kdown = e->kdown;
    return;
  }
  avail_tails(m, n, a, all, kdown);
  *e = (memo_entry){m, n, a, *kdown, *all};
}

bool lean_eval(lean *k, const capplan_model *m, const params *p,
               const check_limit *limits, size_t n_limits, plan *out) {
  size_t n = m->n_stages;
  const traffic_in *t = &p->traffic;
  /* Traffic (eval.c, before phase 1). */
  double qps, average;
  if (m->traffic_from_dau) {
    average = t->dau * t->requests_per_user / 86400.0;
    qps = average * t->peak_to_average;
  } else {
    qps = t->qps;
    average = m->has_peak_to_average ? t->qps / t->peak_to_average : 0;
  }
  if (m->has_average_qps)
    average = t->average_qps;
  out->qps = qps;
  out->average_qps = average;

  double servers = 0, gpus = 0, cost = 0, latency = 0;
  bool any_end = false;
  avail all = {1, 0}, req = {1, 0};
  out->overloaded = out->unmet = 0;
  for (size_t o = 0; o < n; o++) {
    size_t i = m->order[o];
    const mstage *ms = &m->stage[i];
    const stage_in *in = &p->stage[i];
    const hw_in *hw = &p->hw[ms->hw];
    const policy *pol = &in->pol;
    stage_plan *s = &out->stage[i];
    pool_plan *pp = &s->pool;
    /* Phase 1: flow, load, latency. */
    double inflow = ms->n_parents ? 0 : 1, slow = 0;
    for (size_t q = 0; q < ms->n_parents; q++) {
      size_t u = ms->parents[q];
      inflow =
          ms->join_any ? inflow + k->outflow[u] : max2(inflow, k->outflow[u]);
      slow = max2(slow, k->latency_to[u]);
    }
    double sin = in->share * inflow;
    k->outflow[i] = sin * (1 - in->stops);
    double load = sin * in->calls * qps * (1 - in->cache_hit);
    tp_out tp;
    if (ms->tp.kind == TP_FIXED) {
      /* tp_fixed.c's eval: the numbers as given. */
      tp.per_server = in->qps_per_server;
      tp.latency = in->latency;
    } else {
      tp_ops_of(ms->tp.kind)->eval(&ms->tp, in, hw, load, &tp);
    }
    s->latency = ms->calls_sequential ? tp.latency * in->calls : tp.latency;
    k->latency_to[i] = s->latency + slow;
    /* The figures plan_eval stops at: handed back to it. */
    if (!isfinite(sin) || !isfinite(load) || !isfinite(tp.per_server * 1000) ||
        !isfinite(k->latency_to[i] * 1000))
      return false;
    /* Phase 3: constraints, sizing, cost, availability. */
    double carry = load / (tp.per_server * pol->failover_utilization);
    double need = needed(carry);
    double raw = 0;
    /* The same division when the two utilizations are the same (both
     * 100% by default). */
    double by_tp = pol->utilization == pol->failover_utilization
                       ? carry
                       : load / (tp.per_server * pol->utilization);
    if (by_tp > raw)
      raw = by_tp;
    if (ms->has_memory) {
      double memory = in->memory * in->replicas;
      double usable = (ms->memory_on_gpu ? hw->gpu_memory : hw->memory) *
                      (1 - pol->memory_reserve);
      double by_mem = memory / usable;
      double hold = in->memory / usable;
      if (hold > carry)
        carry = hold;
      if (needed(hold) > need)
        need = needed(hold);
      /* size_pool: the largest count binds; throughput first on ties. */
      if (by_mem > raw)
        raw = by_mem;
    }
    double srv = servers_for(raw, pol->headroom, pol->redundancy);
    if (!(isfinite(load) && isfinite(srv) && srv <= CAPPLAN_MAX_EXACT))
      return false;
    pp->servers = srv;
    pp->gpus = srv * hw->gpus;
    if (pp->gpus > CAPPLAN_MAX_EXACT)
      return false;
    pp->cost_per_year = srv * hw->cost_per_year;
    /* eval.c: overloaded when load / (servers x per server) > 1 + 1e-9;
     * the division only where the capacity is within 1e-8 of the load
     * (below that bound the quotient is under 1 + 1e-9 whatever its
     * rounding). */
    double capacity = srv * tp.per_server;
    bool over = false;
    if (srv > 0 && !(capacity >= load * (1 + 1e-8)))
      over = load / capacity > 1 + 1e-9;
    s->status = over ? PLAN_OVERLOADED : load > 0 ? PLAN_OK : PLAN_NO_LOAD;
    /* latency.c's latency_status: the queue of its slots at or above
     * 100% (tp_fixed.c's and tp_batch.c's queue, one request a job). */
    if (s->status == PLAN_OK && srv > 0) {
      double qslots = in->concurrency > 0       ? in->concurrency
                      : ms->tp.kind == TP_FIXED ? tp.per_server * tp.latency
                                                : tp.parallelism;
      double jobs = load / 1;
      bool random = ms->random_balancer;
      double slots = random ? capplan_floor(qslots + 1e-9)
                            : capplan_floor(srv * qslots + 1e-9);
      if (slots < 1)
        slots = 1;
      double arrivals = random ? jobs / srv : jobs;
      double u = arrivals * tp.latency / slots;
      if (!(u < 1 - 1e-9) || !isfinite(u))
        s->status = PLAN_OVERLOADED;
    }
    avail a_all, a_req;
    if (need <= 0) {
      a_all = of(1);
      a_req = of(1);
    } else {
      double kdown;
      tails(k->memo + i * MEMO, need, srv, pol->availability, &a_all, &kdown);
      a_req = share(a_all, kdown, carry);
    }
    if (pol->stage_availability < 1) {
      avail sa = of(pol->stage_availability);
      a_all = series(a_all, sa);
      a_req = series(a_req, sa);
    }
    /* Phase 5: no fallback, so the stage's own. */
    pp->all = a_all;
    s->effective = a_all;
    s->effective_req = a_req;
    /* Phase 6: totals, in topological order. */
    out->overloaded += s->status == PLAN_OVERLOADED;
    servers += srv;
    gpus += pp->gpus;
    cost += pp->cost_per_year;
    if (!ms->async) {
      double visit = min2(1, sin);
      double misses = visit * (1 - in->cache_hit);
      all = series(all, a_all);
      req = series(req, down_of(misses * a_req.down));
      /* Phase 7: the latency of the critical path is its end's. */
      if (!any_end || k->latency_to[i] > latency)
        latency = k->latency_to[i];
      any_end = true;
    }
  }
  out->servers = servers;
  out->gpus = gpus;
  out->cost_per_year = cost;
  out->all = all;
  out->req = req;
  out->cost_per_month = cost * CAPPLAN_HOURS_PER_MONTH / CAPPLAN_HOURS_PER_YEAR;
  out->cost_per_million = -1;
  if (average > 0)
    out->cost_per_million = cost / (average * SECONDS_PER_YEAR) * 1e6;
  if (servers > CAPPLAN_MAX_EXACT || gpus > CAPPLAN_MAX_EXACT ||
      !(isfinite(cost) && isfinite(servers) && isfinite(gpus) &&
        isfinite(out->cost_per_million)))
    return false;
  out->latency = latency;
  /* Phase 8: the checks. */
  out->n_checks = out->failed = 0;
  out->passed = true;
  for (size_t c = 0; c < n_limits; c++) {
    double actual = 0;
    bool upper = true;
    switch (limits[c].kind) {
    case CAPPLAN_CHECK_LATENCY:
      actual = latency * 1000;
      break;
    case CAPPLAN_CHECK_AVAILABILITY:
      actual = all.up;
      upper = false;
      break;
    case CAPPLAN_CHECK_COST:
      actual = cost;
      break;
    case CAPPLAN_CHECK_GPUS:
      actual = gpus;
      break;
    case CAPPLAN_CHECK_SERVERS:
      actual = servers;
      break;
    case CAPPLAN_CHECK_TTFT:
    case CAPPLAN_CHECK_TPOT:
    case CAPPLAN_CHECK_LATENCY_P50:
    case CAPPLAN_CHECK_LATENCY_P95:
    case CAPPLAN_CHECK_LATENCY_P99:
    case CAPPLAN_CHECK_LATENCY_P999:
      return false; /* lean_new refuses such models: plan_eval's */
    }
    capplan_check *ck = &out->checks[out->n_checks++];
    ck->kind = limits[c].kind;
    ck->actual = actual;
    ck->passed = upper ? actual <= limits[c].limit * (1 + 1e-9)
                       : actual >= limits[c].limit * (1 - 1e-12);
    if (!ck->passed) {
      out->passed = false;
      out->failed++;
    }
  }
  return true;
}

/* Bitwise equality, so that -0 and 0 differ and NaN equals itself. */
static bool same(double a, double b) {
  return !memcmp(&a, &b, sizeof a);
}

bool lean_same(const capplan_model *m, const plan *a, const plan *b) {
  for (size_t i = 0; i < m->n_stages; i++) {
    const stage_plan *x = &a->stage[i], *y = &b->stage[i];
    if (!same(x->pool.servers, y->pool.servers) ||
        !same(x->pool.gpus, y->pool.gpus) ||
        !same(x->pool.cost_per_year, y->pool.cost_per_year) ||
        !same(x->latency, y->latency) ||
        !same(x->pool.all.up, y->pool.all.up) ||
        !same(x->effective.up, y->effective.up) ||
        !same(x->effective.down, y->effective.down) ||
        !same(x->effective_req.up, y->effective_req.up) ||
        (x->status == PLAN_OVERLOADED) != (y->status == PLAN_OVERLOADED))
      return false;
  }
  if (!same(a->servers, b->servers) || !same(a->gpus, b->gpus) ||
      !same(a->cost_per_year, b->cost_per_year) ||
      !same(a->cost_per_month, b->cost_per_month) ||
      !same(a->cost_per_million, b->cost_per_million) ||
      !same(a->latency, b->latency) || !same(a->all.up, b->all.up) ||
      !same(a->all.down, b->all.down) || !same(a->req.up, b->req.up) ||
      !same(a->req.down, b->req.down) || a->n_checks != b->n_checks ||
      a->failed != b->failed || a->overloaded != b->overloaded ||
      a->unmet != b->unmet)
    return false;
  for (size_t c = 0; c < a->n_checks; c++)
    if (a->checks[c].passed != b->checks[c].passed ||
        !same(a->checks[c].actual, b->checks[c].actual))
      return false;
  return true;
}

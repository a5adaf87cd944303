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
#define BLOCK 64  /* trials a block holds at most */
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
} lstage;

struct lean {
  const capplan_model *m;
  const params *p;
  size_t len; /* block length */
  size_t nv;
  double *cols;   /* nv x len */
  double *vary_p; /* VARY as given, for lean_new's matching */
  lstage *st;     /* in topological order */
  size_t *pos;    /* model index -> position in st */
  opnd qps, dau, rpu, p2a, avg_qps;
  double *qps_t, *average_t; /* per trial */
  double *tot[LF_COUNT];     /* the totals (index >= LT_SERVERS) */
  unsigned *flags;
  double *arena; /* every column */
};

/* ------------------------------------------------------------ set-up */

static opnd operand(lean *k, double *const *vary, const double *field) {
  opnd o = {field, 0};
  /* The last input that sets the field wins, as when they are set in
   * order one after the other. */
  for (size_t j = 0; j < k->nv; j++)
    if (vary[j] == field) {
      o.p = k->cols + j * k->len;
      o.mask = SIZE_MAX;
    }
  return o;
}

/* Whether A lies within the object [BASE, BASE + SIZE). */
static bool within(const void *a, const void *base, size_t size) {
  const char *x = a, *b = base;
  return x >= b && x < b + size;
}

static bool refuses(const capplan_model *m) {
  /* Only what it repeats: no groups, tiers, fallbacks or zones; fixed and
   * batch throughput without batches that take time to form; checks on
   * none of the figures eval.c's later phases add (percentiles, LLM
   * objectives). */
  if (m->n_groups || m->n_pct_limits || m->limits.has_ttft ||
      m->limits.has_tpot || m->n_stages == 0)
    return true;
  for (size_t i = 0; i < m->n_stages; i++) {
    const mstage *s = &m->stage[i];
    if (s->group >= 0 || s->has_cache || s->fallback >= 0 || s->standby ||
        (s->tp.kind != TP_FIXED && s->tp.kind != TP_BATCH) ||
        (s->tp.kind == TP_BATCH && m->base.stage[i].batch > 1) ||
        m->base.stage[i].pol.zones > 1)
      return true;
  }
  return false;
}

lean *lean_new(const capplan_model *m, const params *p, double *const *vary,
               size_t nv) {
  if (refuses(m))
    return NULL;
  size_t n = m->n_stages;
  lean *k = xcalloc(1, sizeof *k);
  k->m = m;
  k->p = p;
  k->nv = nv;
  k->len = BLOCK_CELLS / (n * 16);
  k->len = k->len > BLOCK ? BLOCK : k->len < 1 ? 1 : k->len;
  size_t len = k->len;
  /* Columns: the inputs', per stage 2 + LF_STAGE_COUNT + 3, the totals',
   * two of traffic. */
  size_t cells = (nv + n * (2 + LF_STAGE_COUNT + 3) + LF_COUNT + 2) * len;
  k->arena = xcalloc(cells + 1, sizeof(double));
  double *next = k->arena;
  k->cols = next;
  next += nv * len;
  k->qps_t = next;
  next += len;
  k->average_t = next;
  next += len;
  for (int f = LT_SERVERS; f < LF_COUNT; f++, next += len)
    k->tot[f] = next;
  k->flags = xcalloc(len + 1, sizeof *k->flags);
  k->st = xcalloc(n, sizeof *k->st);
  k->pos = xcalloc(n, sizeof *k->pos);
  const traffic_in *tr = &p->traffic;
  k->qps = operand(k, vary, &tr->qps);
  k->dau = operand(k, vary, &tr->dau);
  k->rpu = operand(k, vary, &tr->requests_per_user);
  k->p2a = operand(k, vary, &tr->peak_to_average);
  k->avg_qps = operand(k, vary, &tr->average_qps);
  for (size_t o = 0; o < n; o++) {
    size_t i = m->order[o];
    lstage *s = &k->st[o];
    const stage_in *in = &p->stage[i];
    const hw_in *hw = &p->hw[m->stage[i].hw];
    const policy *pol = &in->pol;
    k->pos[i] = o;
    s->i = i;
    s->ms = &m->stage[i];
    s->share = operand(k, vary, &in->share);
    s->stops = operand(k, vary, &in->stops);
    s->calls = operand(k, vary, &in->calls);
    s->cache_hit = operand(k, vary, &in->cache_hit);
    s->concurrency = operand(k, vary, &in->concurrency);
    s->fu = operand(k, vary, &pol->failover_utilization);
    s->util = operand(k, vary, &pol->utilization);
    s->headroom = operand(k, vary, &pol->headroom);
    s->redundancy = operand(k, vary, &pol->redundancy);
    s->avail = operand(k, vary, &pol->availability);
    s->stage_avail = operand(k, vary, &pol->stage_availability);
    s->reserve = operand(k, vary, &pol->memory_reserve);
    s->memory = operand(k, vary, &in->memory);
    s->replicas = operand(k, vary, &in->replicas);
    s->gpus = operand(k, vary, &hw->gpus);
    s->cost = operand(k, vary, &hw->cost_per_year);
    s->hw_memory = operand(k, vary, &hw->memory);
    s->hw_gpu_memory = operand(k, vary, &hw->gpu_memory);
    s->outflow = next;
    next += len;
    s->latency_to = next;
    next += len;
    for (int f = 0; f < LF_STAGE_COUNT; f++, next += len)
      s->out[f] = next;
    s->tp_per_server = next;
    next += len;
    s->tp_latency = next;
    next += len;
    s->tp_parallelism = next;
    next += len;
    if (s->ms->tp.kind == TP_FIXED) {
      s->per_server = operand(k, vary, &in->qps_per_server);
      s->latency = operand(k, vary, &in->latency);
      s->parallelism = (opnd){s->tp_parallelism, 0}; /* not read */
    } else {
      /* The batch model's own eval on a copy of the inputs, the varying
       * ones set in it trial by trial. */
      s->sin = xmalloc(sizeof *s->sin);
      s->shw = xmalloc(sizeof *s->shw);
      *s->sin = *in;
      *s->shw = *hw;
      s->set = xmalloc((nv + 1) * sizeof *s->set);
      for (size_t j = 0; j < nv; j++) {
        double *to = NULL;
        if (within(vary[j], in, sizeof *in))
          to = (double *)((char *)s->sin +
                          ((const char *)vary[j] - (const char *)in));
        else if (within(vary[j], hw, sizeof *hw))
          to = (double *)((char *)s->shw +
                          ((const char *)vary[j] - (const char *)hw));
        if (to)
          s->set[s->n_set++] = (setter){to, k->cols + j * k->len};
      }
      size_t mask = s->n_set ? SIZE_MAX : 0;
      s->per_server = (opnd){s->tp_per_server, mask};
      s->latency = (opnd){s->tp_latency, mask};
      s->parallelism = (opnd){s->tp_parallelism, mask};
    }
    const opnd *rest[] = {&s->share,     &s->stops,       &s->calls,
                          &s->cache_hit, &s->concurrency, &s->fu,
                          &s->util,      &s->headroom,    &s->redundancy,
                          &s->avail,     &s->stage_avail, &s->reserve,
                          &s->memory,    &s->replicas,    &s->gpus,
                          &s->cost,      &s->hw_memory,   &s->hw_gpu_memory};
    for (size_t r = 0; r < ARRAY_LEN(rest); r++)
      s->general |= rest[r]->mask != 0;
    s->memo = xmalloc(MEMO * sizeof *s->memo);
    for (size_t e = 0; e < MEMO; e++)
      s->memo[e].m = -1; /* empty */
  }
  return k;
}

void lean_free(lean *k) {
  if (!k)
    return;
  for (size_t o = 0; o < k->m->n_stages; o++) {
    free(k->st[o].sin);
    free(k->st[o].shw);
    free(k->st[o].set);
    free(k->st[o].memo);
  }
  free(k->st);
  free(k->pos);
  free(k->flags);
  free(k->arena);
  free(k);
}

size_t lean_block_len(const lean *k) {
  return k->len;
}

double *lean_column(lean *k, size_t j) {
  return k->cols + j * k->len;
}

double *lean_out(lean *k, enum lean_fig f, size_t i) {
  return f >= LT_SERVERS ? k->tot[f] : k->st[k->pos[i]].out[f];
}

/* ------------------------------------------------------ the evaluation */

static inline double max2(double a, double b) {
  return a > b ? a : b;
}

static inline double min2(double a, double b) {
  return a < b ? a : b;
}

/* The small functions of the evaluation, here so that they inline into
 * the loop: each is the same code as the one named (eval.c,
 * availability.c; the ceiling is figures.h's own inline one), and mc.c
 * compares the first trials with plan_eval's figure by figure, so a
 * change there cannot pass unnoticed. */

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

/* Traffic (eval.c, before phase 1), for every trial. */
static void traffic(lean *k, size_t len) {
  const capplan_model *m = k->m;
  for (size_t t = 0; t < len; t++) {
    double qps, average;
    if (m->traffic_from_dau) {
      average = at(k->dau, t) * at(k->rpu, t) / 86400.0;
      qps = average * at(k->p2a, t);
    } else {
      qps = at(k->qps, t);
      average = m->has_peak_to_average ? qps / at(k->p2a, t) : 0;
    }
    if (m->has_average_qps)
      average = at(k->avg_qps, t);
    k->qps_t[t] = qps;
    k->average_t[t] = average;
  }
}

/* The batch model's figures (tp_batch.c's eval) for every trial, or once
 * when none of its inputs varies. */
static void batch_tp(lstage *s, const params *p, size_t len) {
  const hw_in *hw = s->n_set ? s->shw : &p->hw[s->ms->hw];
  const stage_in *in = s->n_set ? s->sin : &p->stage[s->i];
  size_t n = s->n_set ? len : 1;
  for (size_t t = 0; t < n; t++) {
    for (size_t j = 0; j < s->n_set; j++)
      *s->set[j].to = s->set[j].from[t];
    tp_out tp;
    tp_ops_of(TP_BATCH)->eval(&s->ms->tp, in, hw, 0, &tp);
    s->tp_per_server[t] = tp.per_server;
    s->tp_latency[t] = tp.latency;
    s->tp_parallelism[t] = tp.parallelism;
  }
}

#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

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
static ALWAYS_INLINE void stage_one(lean *k, lstage *s, const fixed_in *c,
                                    size_t t, bool general, bool first) {
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
  double load = sin * IN(calls) * k->qps_t[t] * (1 - IN(cache_hit));
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
  double raw = 0;
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
  if (need <= 0) {
    a_all = of(1);
    a_req = of(1);
  } else {
    double kdown;
    tails(s->memo, need, srv, IN(avail), &a_all, &kdown);
    a_req = share(a_all, kdown, carry);
  }
  double sa = IN(stage_avail);
  if (sa < 1) {
    a_all = series(a_all, of(sa));
    a_req = series(a_req, of(sa));
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
    avail all = series((avail){t_up[t], t_down[t]}, a_all);
    avail req =
        series((avail){t_req[t], t_rdown[t]}, down_of(misses * a_req.down));
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

#if defined(__GNUC__) && defined(__SSE2__)
#define LEAN_SIMD 1
/* Two trials at a time in the SSE2 registers every x86-64 has, through
 * the compiler's vector extensions: the same IEEE operations lane by
 * lane, so each lane's figures are stage_one's. */
#define W 2
typedef double vd __attribute__((vector_size(16)));
typedef long long vi __attribute__((vector_size(16)));

static inline vd vload(const double *p) {
  vd v;
  memcpy(&v, p, sizeof v);
  return v;
}

static inline void vstore(double *p, vd v) {
  memcpy(p, &v, sizeof v);
}

static inline vd vall(double x) {
  vd v = {0};
  return v + x;
}

/* M ? A : B, lane by lane (M all ones or all zeros). */
static inline vd vsel(vi m, vd a, vd b) {
  return (vd)((m & (vi)a) | (~m & (vi)b));
}

/* Finite lanes: x - x is 0 for a finite x, NaN for an infinite one. */
static inline vi vfinite(vd x) {
  return (x - x) == 0.0;
}

/* X rounded to the nearest whole number, for |X| < 2^51: the sum with
 * 1.5 x 2^52 has no bits below the units (the default rounding). */
static inline vd vround(vd x) {
  const double big = 6755399441055744.0;
  return (x + big) - big;
}

/* capplan_ceil (figures.h) lane by lane; *OK loses the lanes it cannot
 * take (x minus its tolerance outside (-1, 2^51), NaN). */
static inline vd vceil(vd x, vi *ok) {
  vd ax = (vd)((vi)x & 0x7FFFFFFFFFFFFFFFll);
  vd t = ax * CAPPLAN_CEIL_RELATIVE;
  t = vsel(t > CAPPLAN_CEIL_MAX, vall(CAPPLAN_CEIL_MAX), t);
  t = vsel(t > CAPPLAN_CEIL_TOLERANCE, t, vall(CAPPLAN_CEIL_TOLERANCE));
  vd y = x - t;
  *ok &= (y > -1.0) & (y < 2251799813685248.0);
  vd r = vround(y);
  vd c = vsel(r < y, r + 1, r);
  return vsel(c > 0.0, c, vall(0));
}

/* capplan_floor for |x| < 2^51 (*OK loses the other lanes). */
static inline vd vfloor(vd x, vi *ok) {
  *ok &= (x > -2251799813685248.0) & (x < 2251799813685248.0);
  vd r = vround(x);
  return vsel(r > x, r - 1, r);
}

/* needed() of each lane. */
static inline vd vneeded(vd eq, vi *ok) {
  /* A lane at or below 0 takes no ceiling; NaN must (and is lost). */
  vi fine = *ok;
  vd c = vceil(eq, &fine);
  *ok = (fine | (eq <= 0.0)) & *ok;
  c = vsel(c < 1.0, vall(1), c);
  return vsel(eq <= 0.0, vall(0), c);
}

static inline vd vat(opnd o, size_t t) {
  return o.mask ? vload(o.p + t) : vall(o.p[0]);
}

/* stage_one for W trials at a time from trial 0, for a stage whose only
 * varying inputs are its throughput model's (not S->general) and that
 * holds no data in memory.  A lane it cannot finish the same way (a
 * figure plan_eval stops at, a count past 2^51) is left to stage_one.
 * Returns the trials done. */
static size_t stage_simd(lean *k, lstage *s, const fixed_in *c, size_t len,
                         bool first) {
  const mstage *ms = s->ms;
  if (ms->has_memory)
    return 0;
  bool fixed = ms->tp.kind == TP_FIXED, random = ms->random_balancer;
  double *t_srv = k->tot[LT_SERVERS], *t_gpus = k->tot[LT_GPUS];
  double *t_cost = k->tot[LT_COST], *t_lat = k->tot[LT_LATENCY];
  double *t_up = k->tot[LT_ALL_UP], *t_req = k->tot[LT_REQ_UP];
  double *t_down = k->tot[LT_MONTH], *t_rdown = k->tot[LT_MILLION];
  double stops1 = 1 - c->stops, miss1 = 1 - c->cache_hit;
  double headroom1 = 1 + c->headroom;
  size_t t = 0;
  for (; t + W <= len; t += W) {
    /* Phase 1. */
    vd inflow = vall(ms->n_parents ? 0 : 1), slow = vall(0);
    for (size_t q = 0; q < ms->n_parents; q++) {
      const lstage *u = &k->st[k->pos[ms->parents[q]]];
      vd o = vload(u->outflow + t), l = vload(u->latency_to + t);
      inflow = ms->join_any ? inflow + o : vsel(inflow > o, inflow, o);
      slow = vsel(slow > l, slow, l);
    }
    vd sin = c->share * inflow;
    vd load = sin * c->calls * vload(k->qps_t + t) * miss1;
    vd ps = vat(s->per_server, t), tlat = vat(s->latency, t);
    vd lat = ms->calls_sequential ? tlat * c->calls : tlat;
    vd latto = lat + slow;
    vstore(s->outflow + t, sin * stops1);
    vstore(s->out[LF_LATENCY] + t, lat);
    vstore(s->latency_to + t, latto);
    vi ok = vfinite(sin) & vfinite(load) & vfinite(ps * 1000) &
            vfinite(latto * 1000);
    /* Phase 3. */
    vd carry = load / (ps * c->fu);
    vd need = vneeded(carry, &ok);
    vd by_tp = c->util == c->fu ? carry : load / (ps * c->util);
    vd raw = vsel(by_tp > 0.0, by_tp, vall(0));
    vd srv = vceil(raw * headroom1, &ok);
    srv = vsel((raw > 0.0) & (srv < 1.0), vall(1), srv) + c->redundancy;
    ok &= vfinite(load) & vfinite(srv) & (srv <= CAPPLAN_MAX_EXACT);
    vd gpus = srv * c->gpus;
    ok &= ~(gpus > CAPPLAN_MAX_EXACT);
    vd cost = srv * c->cost;
    vstore(s->out[LF_SERVERS] + t, srv);
    vstore(s->out[LF_GPUS] + t, gpus);
    vstore(s->out[LF_COST] + t, cost);
    vd capacity = srv * ps;
    vi over = (srv > 0.0) & ~(capacity >= load * (1 + 1e-8)) &
              (load / capacity > 1 + 1e-9);
    vi queue = ~over & (load > 0.0) & (srv > 0.0);
    vd qslots = c->concurrency > 0 ? vall(c->concurrency)
                : fixed            ? ps * tlat
                                   : vat(s->parallelism, t);
    vi fine = ok;
    vd slots = random ? vfloor(qslots + 1e-9, &fine)
                      : vfloor(srv * qslots + 1e-9, &fine);
    ok &= fine | ~queue;
    slots = vsel(slots < 1.0, vall(1), slots);
    vd arrivals = random ? load / srv : load;
    vd u = arrivals * tlat / slots;
    over |= queue & (~(u < 1 - 1e-9) | ~vfinite(u));
    /* The k-of-n tails and the share served, lane by lane. */
    double need_l[W], srv_l[W], carry_l[W];
    double up_l[W], down_l[W], rdown_l[W];
    long long ok_l[W], over_l[W];
    memcpy(need_l, &need, sizeof need_l);
    memcpy(srv_l, &srv, sizeof srv_l);
    memcpy(carry_l, &carry, sizeof carry_l);
    memcpy(ok_l, &ok, sizeof ok_l);
    memcpy(over_l, &over, sizeof over_l);
    for (size_t l = 0; l < W; l++) {
      up_l[l] = 1;
      down_l[l] = rdown_l[l] = 0;
      if (!ok_l[l])
        continue;
      avail a_all, a_req;
      if (need_l[l] <= 0) {
        a_all = of(1);
        a_req = of(1);
      } else {
        double kdown;
        tails(s->memo, need_l[l], srv_l[l], c->avail, &a_all, &kdown);
        a_req = share(a_all, kdown, carry_l[l]);
      }
      if (c->stage_avail < 1) {
        a_all = series(a_all, of(c->stage_avail));
        a_req = series(a_req, of(c->stage_avail));
      }
      up_l[l] = a_all.up;
      down_l[l] = a_all.down;
      rdown_l[l] = a_req.down;
      k->flags[t + l] |= over_l[l] ? LEAN_INFEASIBLE : 0;
    }
    vd up = vload(up_l), down = vload(down_l), rdown = vload(rdown_l);
    vstore(s->out[LF_AVAIL] + t, up);
    /* Phase 6 and 7, on the lanes done here. */
    vd x = vload(t_srv + t);
    vstore(t_srv + t, vsel(ok, x + srv, x));
    x = vload(t_gpus + t);
    vstore(t_gpus + t, vsel(ok, x + gpus, x));
    x = vload(t_cost + t);
    vstore(t_cost + t, vsel(ok, x + cost, x));
    if (!ms->async) {
      vd visit = vsel(1.0 < sin, vall(1), sin);
      vd misses = visit * miss1;
      vd tu = vload(t_up + t), td = vload(t_down + t);
      vstore(t_up + t, vsel(ok, tu * up, tu));
      vstore(t_down + t, vsel(ok, td + down * tu, td));
      vd d = misses * rdown;
      vd ru = vload(t_req + t), rd = vload(t_rdown + t);
      vstore(t_req + t, vsel(ok, ru * (1 - d), ru));
      vstore(t_rdown + t, vsel(ok, rd + d * ru, rd));
      vd tl = vload(t_lat + t);
      vd nl = first ? latto : vsel(latto > tl, latto, tl);
      vstore(t_lat + t, vsel(ok, nl, tl));
    }
    for (size_t l = 0; l < W; l++)
      if (!ok_l[l])
        stage_one(k, s, c, t + l, false, first);
  }
  return t;
}
#endif

/* Stage S for every trial of the block. */
static void stage_block(lean *k, lstage *s, size_t len, bool *any_end) {
  bool first = !*any_end;
  fixed_in c;
  memset(&c, 0, sizeof c);
  size_t t = 0;
  if (s->general) {
    for (; t < len; t++)
      stage_one(k, s, &c, t, true, first);
  } else {
    c.share = s->share.p[0];
    c.stops = s->stops.p[0];
    c.calls = s->calls.p[0];
    c.cache_hit = s->cache_hit.p[0];
    c.concurrency = s->concurrency.p[0];
    c.fu = s->fu.p[0];
    c.util = s->util.p[0];
    c.headroom = s->headroom.p[0];
    c.redundancy = s->redundancy.p[0];
    c.avail = s->avail.p[0];
    c.stage_avail = s->stage_avail.p[0];
    c.reserve = s->reserve.p[0];
    c.memory = s->memory.p[0];
    c.replicas = s->replicas.p[0];
    c.gpus = s->gpus.p[0];
    c.cost = s->cost.p[0];
    c.hw_memory = s->hw_memory.p[0];
    c.hw_gpu_memory = s->hw_gpu_memory.p[0];
#ifdef LEAN_SIMD
    t = stage_simd(k, s, &c, len, first);
#endif
    for (; t < len; t++)
      stage_one(k, s, &c, t, false, first);
  }
  if (!s->ms->async)
    *any_end = true;
}

/* The totals' last figures and the checks (phases 6 and 8). */
static void finish(lean *k, size_t len, const check_limit *limits,
                   size_t n_limits) {
  double *t_srv = k->tot[LT_SERVERS], *t_gpus = k->tot[LT_GPUS];
  double *t_cost = k->tot[LT_COST], *t_lat = k->tot[LT_LATENCY];
  double *t_up = k->tot[LT_ALL_UP];
  double *t_month = k->tot[LT_MONTH], *t_million = k->tot[LT_MILLION];
  for (size_t t = 0; t < len; t++) {
    double servers = t_srv[t], gpus = t_gpus[t], cost = t_cost[t];
    double average = k->average_t[t];
    t_month[t] = cost * CAPPLAN_HOURS_PER_MONTH / CAPPLAN_HOURS_PER_YEAR;
    double million = -1;
    if (average > 0)
      million = cost / (average * SECONDS_PER_YEAR) * 1e6;
    t_million[t] = million;
    if (servers > CAPPLAN_MAX_EXACT || gpus > CAPPLAN_MAX_EXACT ||
        !(isfinite(cost) && isfinite(servers) && isfinite(gpus) &&
          isfinite(million)))
      k->flags[t] |= LEAN_FALLBACK;
    for (size_t c = 0; c < n_limits; c++) {
      double actual = 0, limit = limits[c].limit;
      bool upper = true;
      switch (limits[c].kind) {
      case CAPPLAN_CHECK_LATENCY:
        actual = t_lat[t] * 1000;
        break;
      case CAPPLAN_CHECK_AVAILABILITY:
        actual = t_up[t];
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
        k->flags[t] |= LEAN_FALLBACK; /* lean_new refuses such models */
        continue;
      }
      bool passed =
          upper ? actual <= limit * (1 + 1e-9) : actual >= limit * (1 - 1e-12);
      k->flags[t] |= passed ? LEAN_PASSED << c : 0;
    }
  }
}

unsigned *lean_block(lean *k, size_t len, const check_limit *limits,
                     size_t n_limits) {
  if (len > k->len)
    len = k->len;
  memset(k->flags, 0, len * sizeof *k->flags);
  for (int f = LT_SERVERS; f < LF_COUNT; f++)
    memset(k->tot[f], 0, len * sizeof(double));
  for (size_t t = 0; t < len; t++)
    k->tot[LT_ALL_UP][t] = k->tot[LT_REQ_UP][t] = 1; /* {1, 0} */
  traffic(k, len);
  bool any_end = false;
  for (size_t o = 0; o < k->m->n_stages; o++) {
    lstage *s = &k->st[o];
    if (s->ms->tp.kind == TP_BATCH)
      batch_tp(s, k->p, len);
    stage_block(k, s, len, &any_end);
  }
  finish(k, len, limits, n_limits);
  return k->flags;
}

/* ------------------------------------------------------------- checks */

/* Bitwise equality, so that -0 and 0 differ and NaN equals itself. */
static bool same(double a, double b) {
  return !memcmp(&a, &b, sizeof a);
}

bool lean_matches(const lean *k, size_t t, const plan *pl) {
  unsigned f = k->flags[t];
  if (f & LEAN_FALLBACK)
    return true; /* plan_eval's own figures are taken */
  for (size_t o = 0; o < k->m->n_stages; o++) {
    const lstage *s = &k->st[o];
    const stage_plan *x = &pl->stage[s->i];
    if (!same(s->out[LF_SERVERS][t], x->pool.servers) ||
        !same(s->out[LF_GPUS][t], x->pool.gpus) ||
        !same(s->out[LF_COST][t], x->pool.cost_per_year) ||
        !same(s->out[LF_LATENCY][t], x->latency) ||
        !same(s->out[LF_AVAIL][t], x->pool.all.up) ||
        !same(s->out[LF_AVAIL][t], x->effective.up))
      return false;
  }
  double *const *tt = k->tot;
  if (!same(tt[LT_SERVERS][t], pl->servers) ||
      !same(tt[LT_GPUS][t], pl->gpus) ||
      !same(tt[LT_COST][t], pl->cost_per_year) ||
      !same(tt[LT_MONTH][t], pl->cost_per_month) ||
      !same(tt[LT_MILLION][t], pl->cost_per_million) ||
      !same(tt[LT_LATENCY][t], pl->latency) ||
      !same(tt[LT_ALL_UP][t], pl->all.up) ||
      !same(tt[LT_REQ_UP][t], pl->req.up))
    return false;
  if (((f & LEAN_INFEASIBLE) != 0) != (pl->overloaded + pl->unmet > 0))
    return false;
  for (size_t c = 0; c < pl->n_checks; c++)
    if (((f & (LEAN_PASSED << c)) != 0) != pl->checks[c].passed)
      return false;
  return true;
}

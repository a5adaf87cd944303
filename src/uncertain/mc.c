/*
 * mc.c - see mc.h.
 *
 * The figures are one table (FIGS below): a row per figure of a stage, a
 * cache tier, a group or the totals, with how to read it from a plan.  A
 * figure the plan gains later (a latency percentile) is a row.
 *
 * Each figure is recorded one of two ways, both exact:
 *   - counts (servers, GPUs) in a histogram of whole numbers per thread,
 *     merged by value;
 *   - every other figure in an array by trial index, which each thread
 *     fills for its own trials.
 * Means and standard deviations are summed in value order (counts) or
 * trial order (arrays), whichever thread made the trial, with the plan's
 * own figure subtracted first so that 99.9999% keeps its digits.  Order
 * statistics of an array come from a radix pass (a histogram of the
 * values' bit patterns, which sort like the values) and a selection
 * within the few bins that hold the ranks wanted.
 */
#include "mc.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "figures.h"

/* ------------------------------------------------------------ figures */

enum fig_scope { SC_STAGE, SC_CACHE, SC_GROUP, SC_TOTAL };

typedef struct fig_def {
  enum fig_scope scope;
  const char *name;  /* JSON's key: "servers", "cost_per_year" */
  const char *label; /* table's: "servers", "cost/year" */
  enum fig_unit unit;
  double (*get)(const capplan_model *m, const plan *p, size_t i);
  /* Whether the figure exists for element I (NULL: always). */
  bool (*applies)(const capplan_model *m, const plan *p, size_t i);
} fig_def;

static double st_servers(const capplan_model *m, const plan *p, size_t i) {
  (void)m;
  return p->stage[i].pool.servers;
}
static double st_gpus(const capplan_model *m, const plan *p, size_t i) {
  (void)m;
  return p->stage[i].pool.gpus;
}
static double st_cost(const capplan_model *m, const plan *p, size_t i) {
  (void)m;
  return p->stage[i].pool.cost_per_year;
}
static double st_latency(const capplan_model *m, const plan *p, size_t i) {
  (void)m;
  return p->stage[i].latency * 1000;
}
static double st_avail(const capplan_model *m, const plan *p, size_t i) {
  (void)m;
  return p->stage[i].effective.up;
}
static double ca_servers(const capplan_model *m, const plan *p, size_t i) {
  (void)m;
  return p->stage[i].cache.servers;
}
static double ca_cost(const capplan_model *m, const plan *p, size_t i) {
  (void)m;
  return p->stage[i].cache.cost_per_year;
}
static double gr_servers(const capplan_model *m, const plan *p, size_t i) {
  (void)m;
  return p->group[i].pool.servers;
}
static double gr_gpus(const capplan_model *m, const plan *p, size_t i) {
  (void)m;
  return p->group[i].pool.gpus;
}
static double gr_cost(const capplan_model *m, const plan *p, size_t i) {
  (void)m;
  return p->group[i].pool.cost_per_year;
}
static double gr_avail(const capplan_model *m, const plan *p, size_t i) {
  (void)m;
  return p->group[i].pool.all.up;
}
static double to_servers(const capplan_model *m, const plan *p, size_t i) {
  (void)m;
  (void)i;
  return p->servers;
}
static double to_gpus(const capplan_model *m, const plan *p, size_t i) {
  (void)m;
  (void)i;
  return p->gpus;
}
static double to_cost(const capplan_model *m, const plan *p, size_t i) {
  (void)m;
  (void)i;
  return p->cost_per_year;
}
static double to_month(const capplan_model *m, const plan *p, size_t i) {
  (void)m;
  (void)i;
  return p->cost_per_month;
}
static double to_million(const capplan_model *m, const plan *p, size_t i) {
  (void)m;
  (void)i;
  return p->cost_per_million;
}
static double to_latency(const capplan_model *m, const plan *p, size_t i) {
  (void)m;
  (void)i;
  return p->latency * 1000;
}
static double to_avail(const capplan_model *m, const plan *p, size_t i) {
  (void)m;
  (void)i;
  return p->all.up;
}
static double to_req(const capplan_model *m, const plan *p, size_t i) {
  (void)m;
  (void)i;
  return p->req.up;
}

static bool own_pool(const capplan_model *m, const plan *p, size_t i) {
  (void)p;
  return m->stage[i].group < 0;
}
static bool own_gpus(const capplan_model *m, const plan *p, size_t i) {
  return own_pool(m, p, i) && p->stage[i].pool.gpus > 0;
}
static bool on_path(const capplan_model *m, const plan *p, size_t i) {
  (void)p;
  return !m->stage[i].standby && !m->stage[i].async;
}
static bool has_cache(const capplan_model *m, const plan *p, size_t i) {
  (void)p;
  return m->stage[i].has_cache;
}
static bool group_gpus(const capplan_model *m, const plan *p, size_t i) {
  (void)m;
  return p->group[i].pool.gpus > 0;
}
static bool any_gpus(const capplan_model *m, const plan *p, size_t i) {
  (void)m;
  (void)i;
  return p->gpus > 0;
}
static bool has_million(const capplan_model *m, const plan *p, size_t i) {
  (void)m;
  (void)i;
  return p->cost_per_million >= 0;
}

static const fig_def FIGS[] = {
    {SC_STAGE, "servers", "servers", FU_COUNT, st_servers, own_pool},
    {SC_STAGE, "gpus", "GPUs", FU_COUNT, st_gpus, own_gpus},
    {SC_STAGE, "cost_per_year", "cost/year", FU_MONEY, st_cost, own_pool},
    {SC_STAGE, "latency_ms", "latency", FU_MS, st_latency, NULL},
    {SC_STAGE, "availability", "availability", FU_FRACTION, st_avail, on_path},
    {SC_CACHE, "servers", "servers", FU_COUNT, ca_servers, has_cache},
    {SC_CACHE, "cost_per_year", "cost/year", FU_MONEY, ca_cost, has_cache},
    {SC_GROUP, "servers", "servers", FU_COUNT, gr_servers, NULL},
    {SC_GROUP, "gpus", "GPUs", FU_COUNT, gr_gpus, group_gpus},
    {SC_GROUP, "cost_per_year", "cost/year", FU_MONEY, gr_cost, NULL},
    {SC_GROUP, "availability", "availability", FU_FRACTION, gr_avail, NULL},
    {SC_TOTAL, "servers", "servers", FU_COUNT, to_servers, NULL},
    {SC_TOTAL, "gpus", "GPUs", FU_COUNT, to_gpus, any_gpus},
    {SC_TOTAL, "cost_per_year", "cost/year", FU_MONEY, to_cost, NULL},
    {SC_TOTAL, "cost_per_month", "cost/month", FU_MONEY, to_month, NULL},
    {SC_TOTAL, "cost_per_million_requests", "cost per million requests",
     FU_MONEY, to_million, has_million},
    {SC_TOTAL, "latency_ms", "latency", FU_MS, to_latency, NULL},
    {SC_TOTAL, "availability", "availability (all up)", FU_FRACTION, to_avail,
     NULL},
    {SC_TOTAL, "request_availability", "requests served", FU_FRACTION, to_req,
     NULL},
};

/* One figure of this model: a row of FIGS for element INDEX. */
typedef struct fig_use {
  const fig_def *def;
  size_t index;
  bool count;     /* recorded in a histogram of whole numbers */
  double *values; /* by trial (other figures) */
} fig_use;

unsigned mc_cores(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (unsigned)n : 1;
}

/* ---------------------------------------------------------- histograms */

/* Whole numbers and how often each came: a window of counts where they
 * cluster, and the rest in an open-addressing table. */
typedef struct counts {
  double base;
  size_t cap;
  size_t *win;
  uint64_t *keys; /* the table: value bits + 1 (0: empty) */
  size_t *vals, tcap, tn;
} counts;

#define WINDOW_MAX ((size_t)1 << 20)

static void table_add(counts *c, double v, size_t n) {
  if (2 * (c->tn + 1) > c->tcap) {
    size_t cap = c->tcap ? 2 * c->tcap : 1024;
    uint64_t *keys = xcalloc(cap, sizeof *keys);
    size_t *vals = xcalloc(cap, sizeof *vals);
    for (size_t i = 0; i < c->tcap; i++) {
      if (!c->keys[i])
        continue;
      size_t h =
          (size_t)((c->keys[i] * 0x9E3779B97F4A7C15ull) >> 20) & (cap - 1);
      while (keys[h])
        h = (h + 1) & (cap - 1);
      keys[h] = c->keys[i];
      vals[h] = c->vals[i];
    }
    free(c->keys);
    free(c->vals);
    c->keys = keys;
    c->vals = vals;
    c->tcap = cap;
  }
  uint64_t k;
  memcpy(&k, &v, sizeof k);
  k += 1;
  size_t h = (size_t)((k * 0x9E3779B97F4A7C15ull) >> 20) & (c->tcap - 1);
  while (c->keys[h] && c->keys[h] != k)
    h = (h + 1) & (c->tcap - 1);
  if (!c->keys[h]) {
    c->keys[h] = k;
    c->tn++;
  }
  c->vals[h] += n;
}

static void counts_add(counts *c, double v) {
  double at = v - c->base;
  if (c->win && at >= 0 && at < (double)c->cap) {
    c->win[(size_t)at]++;
    return;
  }
  if (!c->win) {
    c->base = v;
    c->cap = 64;
    c->win = xcalloc(c->cap, sizeof(size_t));
    c->win[0] = 1;
    return;
  }
  /* Widen the window to take V, up to WINDOW_MAX; else the table. */
  double lo = v < c->base ? v : c->base;
  double hi = v >= c->base + (double)c->cap ? v + 1 : c->base + (double)c->cap;
  if (hi - lo > (double)WINDOW_MAX || v != floor(v)) {
    table_add(c, v, 1);
    return;
  }
  size_t cap = c->cap;
  while ((double)cap < hi - lo)
    cap *= 2;
  size_t *win = xcalloc(cap, sizeof *win);
  size_t shift = (size_t)(c->base - lo);
  memcpy(win + shift, c->win, c->cap * sizeof *win);
  free(c->win);
  c->win = win;
  c->base = lo;
  c->cap = cap;
  c->win[(size_t)(v - lo)]++;
}

static void counts_free(counts *c) {
  free(c->win);
  free(c->keys);
  free(c->vals);
}

/* A value and how often it came. */
typedef struct vc {
  double v;
  size_t n;
} vc;

static int cmp_vc(const void *a, const void *b) {
  double x = ((const vc *)a)->v, y = ((const vc *)b)->v;
  return x < y ? -1 : x > y;
}

/* The merged counts of figure F over threads C[0..T), in value order. */
static vc *merge_counts(counts *const *c, size_t t, size_t f, size_t *n) {
  size_t cap = 0;
  *n = 0;
  vc *out = NULL;
  for (size_t k = 0; k < t; k++) {
    const counts *x = &c[k][f];
    for (size_t i = 0; i < x->cap; i++)
      if (x->win[i]) {
        xgrow((void **)&out, &cap, *n + 1, sizeof *out);
        out[(*n)++] = (vc){x->base + (double)i, x->win[i]};
      }
    for (size_t i = 0; i < x->tcap; i++)
      if (x->keys[i]) {
        double v;
        uint64_t bits = x->keys[i] - 1;
        memcpy(&v, &bits, sizeof v);
        xgrow((void **)&out, &cap, *n + 1, sizeof *out);
        out[(*n)++] = (vc){v, x->vals[i]};
      }
  }
  if (*n)
    qsort(out, *n, sizeof *out, cmp_vc);
  size_t w = 0;
  for (size_t i = 0; i < *n; i++) {
    if (w && out[w - 1].v == out[i].v)
      out[w - 1].n += out[i].n;
    else
      out[w++] = out[i];
  }
  *n = w;
  return out;
}

/* ----------------------------------------------------- order statistics */

/* Bits of a double that sort as the double does. */
static uint64_t sort_key(double x) {
  uint64_t b;
  memcpy(&b, &x, sizeof b);
  return (b >> 63) ? ~b : b | 0x8000000000000000ull;
}

/* The K-th smallest (0-based) of X[0..N), by selection with a three-way
 * partition (many equal values cost nothing); X is reordered. */
static double select_kth(double *x, size_t n, size_t k) {
  size_t lo = 0, hi = n;
  while (hi - lo > 1) {
    double pivot = x[lo + (hi - lo) / 2];
    size_t lt = lo, i = lo, gt = hi;
    while (i < gt) {
      if (x[i] < pivot) {
        double t = x[lt];
        x[lt++] = x[i];
        x[i++] = t;
      } else if (x[i] > pivot) {
        double t = x[--gt];
        x[gt] = x[i];
        x[i] = t;
      } else {
        i++;
      }
    }
    if (k < lt)
      hi = lt;
    else if (k >= gt)
      lo = gt;
    else
      return pivot;
  }
  return x[lo];
}

#define RADIX_BINS ((size_t)1 << 16)

/* Order statistics of the N values of X (NaN: a failed trial, skipped;
 * M values remain) at the K ascending ranks RANKS, into OUT. */
static void order_stats(const double *x, size_t n, const size_t *ranks,
                        size_t k, double *out) {
  uint64_t kmin = UINT64_MAX, kmax = 0;
  for (size_t i = 0; i < n; i++) {
    if (x[i] != x[i])
      continue;
    uint64_t key = sort_key(x[i]);
    kmin = key < kmin ? key : kmin;
    kmax = key > kmax ? key : kmax;
  }
  unsigned shift = 0;
  while (((kmax - kmin) >> shift) >= RADIX_BINS)
    shift++;
  size_t *bins = xcalloc(RADIX_BINS, sizeof *bins);
  for (size_t i = 0; i < n; i++)
    if (x[i] == x[i])
      bins[(sort_key(x[i]) - kmin) >> shift]++;
  /* The bin of each rank and the rank within it. */
  size_t *bin_of = xmalloc(k * sizeof *bin_of);
  size_t *within = xmalloc(k * sizeof *within);
  size_t seen = 0, r = 0;
  for (size_t b = 0; b < RADIX_BINS && r < k; b++) {
    while (r < k && ranks[r] < seen + bins[b]) {
      bin_of[r] = b;
      within[r] = ranks[r] - seen;
      r++;
    }
    seen += bins[b];
  }
  /* The values of the bins wanted, each bin in a slice of one buffer. */
  size_t *start = xcalloc(RADIX_BINS, sizeof *start);
  unsigned char *wanted = xcalloc(RADIX_BINS, 1);
  size_t total = 0;
  for (size_t j = 0; j < k; j++)
    if (!wanted[bin_of[j]]) {
      wanted[bin_of[j]] = 1;
      start[bin_of[j]] = total;
      total += bins[bin_of[j]];
    }
  double *buf = xmalloc((total + 1) * sizeof *buf);
  size_t *fill = xcalloc(RADIX_BINS, sizeof *fill);
  for (size_t i = 0; i < n; i++) {
    if (x[i] != x[i])
      continue;
    size_t b = (sort_key(x[i]) - kmin) >> shift;
    if (wanted[b])
      buf[start[b] + fill[b]++] = x[i];
  }
  for (size_t j = 0; j < k; j++)
    out[j] = select_kth(buf + start[bin_of[j]], bins[bin_of[j]], within[j]);
  free(buf);
  free(fill);
  free(start);
  free(wanted);
  free(bin_of);
  free(within);
  free(bins);
}

/* The same from counts of values (PAIRS in value order, N of them). */
static void order_stats_counts(const vc *pairs, size_t n, const size_t *ranks,
                               size_t k, double *out) {
  size_t seen = 0, r = 0;
  for (size_t i = 0; i < n && r < k; i++) {
    while (r < k && ranks[r] < seen + pairs[i].n)
      out[r++] = pairs[i].v;
    seen += pairs[i].n;
  }
}

/* ------------------------------------------------------------ summary */

/* Quantile P of N sorted values by numpy's default ('linear', Hyndman
 * and Fan's type 7, as the peers compute theirs): x[h] with h = (n-1) p,
 * between the order statistics around it. */
static void quantile_ranks(size_t n, double p, size_t *lo, size_t *hi,
                           double *frac) {
  double h = (double)(n - 1) * p;
  double f = floor(h);
  *lo = (size_t)f;
  *hi = *lo + 1 < n ? *lo + 1 : *lo;
  *frac = h - f;
}

/* A distribution-free 95% interval for quantile P of N values: the
 * order statistics at n p -+ 1.96 sqrt(n p (1 - p)) (binomial; FORMULAS.md
 * section 5b). */
static void quantile_ci(size_t n, double p, size_t *lo, size_t *hi) {
  double c = (double)n * p, h = 1.959963984540054 * sqrt(c * (1 - p));
  double l = floor(c - h), u = ceil(c + h);
  *lo = l < 0 ? 0 : (size_t)l;
  *hi = u > (double)(n - 1) ? n - 1 : (size_t)u;
}

enum { NQ = 3 };
static const double QS[NQ] = {0.05, 0.5, 0.95};
#define HIST_LO 0.005
#define HIST_HI 0.995

static int cmp_size(const void *a, const void *b) {
  size_t x = *(const size_t *)a, y = *(const size_t *)b;
  return x < y ? -1 : x > y;
}

/* The ranks a summary needs, sorted and unique; returns how many. */
static size_t summary_ranks(size_t n, size_t *r) {
  size_t k = 0;
  for (int q = 0; q < NQ; q++) {
    double f;
    quantile_ranks(n, QS[q], &r[k], &r[k + 1], &f);
    quantile_ci(n, QS[q], &r[k + 2], &r[k + 3]);
    k += 4;
  }
  size_t a, b;
  double f;
  quantile_ranks(n, HIST_LO, &a, &b, &f);
  r[k++] = a;
  quantile_ranks(n, HIST_HI, &a, &b, &f);
  r[k++] = b;
  r[k++] = 0;
  r[k++] = n - 1;
  qsort(r, k, sizeof *r, cmp_size);
  size_t w = 0;
  for (size_t i = 0; i < k; i++)
    if (!w || r[w - 1] != r[i])
      r[w++] = r[i];
  return w;
}

static double stat_at(const size_t *r, const double *v, size_t k, size_t rank) {
  for (size_t i = 0; i < k; i++)
    if (r[i] == rank)
      return v[i];
  return 0;
}

/* Fills the quantiles of F->s from the order statistics V at ranks R. */
static void fill_quantiles(mc_fig *f, size_t n, const size_t *r,
                           const double *v, size_t k) {
  double *q[NQ] = {&f->s.p5, &f->s.p50, &f->s.p95};
  double *se[NQ] = {&f->s.se_p5, &f->s.se_p50, &f->s.se_p95};
  for (int j = 0; j < NQ; j++) {
    size_t lo, hi, a, b;
    double frac;
    quantile_ranks(n, QS[j], &lo, &hi, &frac);
    double x = stat_at(r, v, k, lo), y = stat_at(r, v, k, hi);
    *q[j] = x + frac * (y - x);
    quantile_ci(n, QS[j], &a, &b);
    *se[j] =
        (stat_at(r, v, k, b) - stat_at(r, v, k, a)) / (2 * 1.959963984540054);
  }
  f->s.min = stat_at(r, v, k, 0);
  f->s.max = stat_at(r, v, k, n - 1);
  size_t a, b;
  double frac;
  quantile_ranks(n, HIST_LO, &a, &b, &frac);
  f->hist_lo = stat_at(r, v, k, a);
  quantile_ranks(n, HIST_HI, &a, &b, &frac);
  f->hist_hi = stat_at(r, v, k, b);
  f->varies = f->s.min != f->s.max;
}

static void hist_add(mc_fig *f, double x, size_t n) {
  double w = (f->hist_hi - f->hist_lo) / MC_BINS;
  size_t b = 0;
  if (w > 0 && x > f->hist_lo) {
    double at = (x - f->hist_lo) / w;
    b = at >= MC_BINS ? MC_BINS - 1 : (size_t)at;
  }
  f->hist[b] += n;
}

/* Mean and deviation from sums of (x - s) and (x - s)^2, s the plan's
 * figure (so that 99.9999% keeps its digits). */
static void fill_moments(mc_fig *f, size_t n, double sum, double sq) {
  double d = sum / (double)n;
  f->s.mean = f->plan + d;
  double var = n > 1 ? (sq - sum * d) / (double)(n - 1) : 0;
  f->s.sd = var > 0 ? sqrt(var) : 0;
  f->s.stderr_mean = f->s.sd / sqrt((double)n);
}

/* ------------------------------------------------------------- worker */

#define BLOCK 256

typedef struct shared {
  const capplan_model *m;
  const uinputs *u;
  const check_limit *limits;
  size_t n_limits;
  const dist_tables *tables;
  uint64_t *keys; /* per ranged input */
  fig_use *figs;
  size_t n_figs;
  unsigned char *failed; /* per trial */
} shared;

typedef struct worker {
  const shared *sh;
  size_t first, last; /* trials [first, last) */
  counts *counts;     /* per figure (count figures only) */
  size_t pass[5], evaluated, failed, infeasible;
} worker;

static void *work(void *arg) {
  worker *w = arg;
  const shared *sh = w->sh;
  const capplan_model *m = sh->m;
  const uinputs *u = sh->u;
  size_t ni = u->n_ranged;
  params *p = params_new(m);
  params_copy(m, p, &m->base);
  plan *pl = plan_new(m);
  plan_remember(m, pl);
  /* Each target as a pointer into this thread's parameters. */
  size_t nt = 0;
  for (size_t k = 0; k < ni; k++)
    nt += u->items[k].n_targets;
  double **at = xmalloc((nt + 1) * sizeof *at);
  double *scale = xmalloc((nt + 1) * sizeof *scale);
  size_t *first_t = xmalloc((ni + 1) * sizeof *first_t);
  nt = 0;
  for (size_t k = 0; k < ni; k++) {
    first_t[k] = nt;
    for (size_t j = 0; j < u->items[k].n_targets; j++) {
      at[nt] = uinput_field(p, &u->items[k].targets[j]);
      scale[nt++] = u->items[k].targets[j].scale;
    }
  }
  first_t[ni] = nt;
  double *draws = xmalloc((ni * BLOCK + 1) * sizeof *draws);
  for (size_t b = w->first; b < w->last; b += BLOCK) {
    size_t len = w->last - b < BLOCK ? w->last - b : BLOCK;
    for (size_t k = 0; k < ni; k++)
      dist_fill(&u->items[k].d, sh->tables, sh->keys[k], b, len,
                draws + k * BLOCK);
    for (size_t t = 0; t < len; t++) {
      for (size_t k = 0; k < ni; k++) {
        double x = draws[k * BLOCK + t];
        for (size_t j = first_t[k]; j < first_t[k + 1]; j++)
          *at[j] = scale[j] == 1 ? x : x * scale[j];
      }
      size_t trial = b + t;
      if (plan_eval(m, p, sh->limits, sh->n_limits, pl) < 0) {
        w->failed++;
        sh->failed[trial] = 1;
        for (size_t f = 0; f < sh->n_figs; f++)
          if (!sh->figs[f].count)
            sh->figs[f].values[trial] = NAN;
        continue;
      }
      w->evaluated++;
      w->infeasible += pl->overloaded + pl->unmet > 0;
      for (size_t c = 0; c < pl->n_checks; c++)
        w->pass[c] += pl->checks[c].passed;
      for (size_t f = 0; f < sh->n_figs; f++) {
        const fig_use *fu = &sh->figs[f];
        double x = fu->def->get(m, pl, fu->index);
        if (fu->count)
          counts_add(&w->counts[f], x);
        else
          fu->values[trial] = x;
      }
    }
  }
  free(draws);
  free(at);
  free(scale);
  free(first_t);
  plan_free(pl);
  params_free(p);
  return NULL;
}

/* ---------------------------------------------------------------- run */

static const char *scope_name(enum fig_scope s) {
  static const char *const names[] = {"stages", "stages", "groups", "totals"};
  return names[s];
}

/* Figure DEF of element IDX, unless it does not apply. */
static void add_fig(mc_result *r, const capplan_model *m, const plan *base,
                    const fig_def *def, size_t idx, fig_use **uses, size_t *cap,
                    size_t *ucap) {
  if (def->applies && !def->applies(m, base, idx))
    return;
  capplan_buf path, label;
  capplan_buf_init(&path);
  capplan_buf_init(&label);
  capplan_buf_puts(&path, scope_name(def->scope));
  if (def->scope != SC_TOTAL) {
    const char *name =
        def->scope == SC_GROUP ? m->group[idx].name : m->stage[idx].name;
    capplan_buf_printf(&path, ".%s", name);
    capplan_buf_printf(&label, "%s%s%s ",
                       def->scope == SC_GROUP ? "group " : "", name,
                       def->scope == SC_CACHE ? ".cache" : "");
  }
  if (def->scope == SC_CACHE)
    capplan_buf_puts(&path, ".cache");
  capplan_buf_printf(&path, ".%s", def->name);
  capplan_buf_puts(&label, def->label);
  xgrow((void **)&r->figs, cap, r->n_figs + 1, sizeof(mc_fig));
  xgrow((void **)uses, ucap, r->n_figs + 1, sizeof(fig_use));
  mc_fig *f = &r->figs[r->n_figs];
  memset(f, 0, sizeof *f);
  f->path = arena_strdup(r->arena, path.data);
  f->label = arena_strdup(r->arena, label.data);
  f->unit = def->unit;
  f->plan = def->get(m, base, idx);
  (*uses)[r->n_figs] = (fig_use){def, idx, def->unit == FU_COUNT, NULL};
  r->n_figs++;
  capplan_buf_release(&path);
  capplan_buf_release(&label);
}

/* Every figure of the model: each stage's (its cache tier's first) in
 * topological order, each group's, then the totals. */
static void add_figs(mc_result *r, const capplan_model *m, const plan *base,
                     fig_use **uses) {
  size_t cap = 0, ucap = 0;
  for (size_t k = 0; k < m->n_stages; k++)
    for (int sc = SC_CACHE; sc >= SC_STAGE; sc--)
      for (size_t d = 0; d < ARRAY_LEN(FIGS); d++)
        if ((int)FIGS[d].scope == sc)
          add_fig(r, m, base, &FIGS[d], m->order[k], uses, &cap, &ucap);
  for (size_t g = 0; g < m->n_groups; g++)
    for (size_t d = 0; d < ARRAY_LEN(FIGS); d++)
      if (FIGS[d].scope == SC_GROUP)
        add_fig(r, m, base, &FIGS[d], g, uses, &cap, &ucap);
  for (size_t d = 0; d < ARRAY_LEN(FIGS); d++)
    if (FIGS[d].scope == SC_TOTAL)
      add_fig(r, m, base, &FIGS[d], 0, uses, &cap, &ucap);
}

mc_result *mc_run(const capplan_model *m, const uinputs *u,
                  const check_limit *limits, size_t n_limits, const plan *base,
                  const mc_opts *o) {
  mc_result *r = xcalloc(1, sizeof *r);
  r->arena = arena_new();
  r->samples = o->samples;
  r->seed = o->seed;
  r->confidence = o->confidence;
  size_t n = o->samples;
  fig_use *uses = NULL;
  add_figs(r, m, base, &uses);
  dist_tables *tables = xmalloc(sizeof *tables);
  dist_tables_init(tables);
  shared sh = {m, u, limits, n_limits, tables, NULL, uses, r->n_figs, NULL};
  sh.keys = xmalloc((u->n_ranged + 1) * sizeof *sh.keys);
  for (size_t k = 0; k < u->n_ranged; k++)
    sh.keys[k] = dist_key(o->seed, k);
  sh.failed = xcalloc(n + 1, 1);
  for (size_t f = 0; f < r->n_figs; f++)
    if (!uses[f].count)
      uses[f].values = xmalloc((n + 1) * sizeof(double));

  unsigned t = o->threads ? o->threads : mc_cores();
  if (t > n / BLOCK + 1)
    t = (unsigned)(n / BLOCK + 1);
  worker *ws = xcalloc(t, sizeof *ws);
  counts **cs = xmalloc(t * sizeof *cs);
  pthread_t *ids = xmalloc(t * sizeof *ids);
  for (unsigned k = 0; k < t; k++) {
    /* Whole blocks per thread, so every thread draws whole blocks. */
    size_t blocks = (n + BLOCK - 1) / BLOCK;
    ws[k].sh = &sh;
    ws[k].first = blocks * k / t * BLOCK;
    ws[k].last = blocks * (k + 1) / t * BLOCK;
    if (ws[k].last > n)
      ws[k].last = n;
    ws[k].counts = xcalloc(r->n_figs + 1, sizeof(counts));
    cs[k] = ws[k].counts;
  }
  bool threaded = t > 1;
  for (unsigned k = 1; k < t; k++)
    if (pthread_create(&ids[k], NULL, work, &ws[k]) != 0) {
      /* No thread: run its share here (the same trials, the same
       * result). */
      work(&ws[k]);
      ids[k] = 0;
      ws[k].sh = NULL;
    }
  work(&ws[0]);
  for (unsigned k = 1; k < t && threaded; k++)
    if (ws[k].sh)
      pthread_join(ids[k], NULL);
  size_t pass[5] = {0};
  for (unsigned k = 0; k < t; k++) {
    r->evaluated += ws[k].evaluated;
    r->failed += ws[k].failed;
    r->infeasible += ws[k].infeasible;
    for (size_t c = 0; c < 5; c++)
      pass[c] += ws[k].pass[c];
  }

  /* Checks: the share of all trials whose plan passes. */
  r->n_checks = base->n_checks;
  r->passed = true;
  for (size_t c = 0; c < base->n_checks; c++) {
    mc_check *k = &r->checks[c];
    k->name = base->checks[c].name;
    k->p_pass = n ? (double)pass[c] / (double)n : 0;
    k->passed = k->p_pass >= o->confidence * (1 - 1e-12);
    if (!k->passed) {
      r->passed = false;
      r->checks_failed++;
    }
  }

  /* Figures. */
  size_t ne = r->evaluated;
  size_t ranks[32];
  double stats[32];
  for (size_t f = 0; f < r->n_figs && ne > 0; f++) {
    mc_fig *fig = &r->figs[f];
    size_t k = summary_ranks(ne, ranks);
    fig->has_hist = true;
    if (uses[f].count) {
      size_t np;
      vc *pairs = merge_counts(cs, t, f, &np);
      order_stats_counts(pairs, np, ranks, k, stats);
      fill_quantiles(fig, ne, ranks, stats, k);
      double sum = 0, sq = 0;
      for (size_t i = 0; i < np; i++) {
        double d = pairs[i].v - fig->plan;
        sum += (double)pairs[i].n * d;
        sq += (double)pairs[i].n * d * d;
        hist_add(fig, pairs[i].v, pairs[i].n);
      }
      fill_moments(fig, ne, sum, sq);
      free(pairs);
    } else {
      const double *v = uses[f].values;
      order_stats(v, n, ranks, k, stats);
      fill_quantiles(fig, ne, ranks, stats, k);
      double sum = 0, sq = 0;
      for (size_t i = 0; i < n; i++) {
        if (sh.failed[i])
          continue;
        double d = v[i] - fig->plan;
        sum += d;
        sq += d * d;
        hist_add(fig, v[i], 1);
      }
      fill_moments(fig, ne, sum, sq);
    }
  }
  for (unsigned k = 0; k < t; k++) {
    for (size_t f = 0; f < r->n_figs; f++)
      counts_free(&cs[k][f]);
    free(cs[k]);
  }
  for (size_t f = 0; f < r->n_figs; f++)
    free(uses[f].values);
  free(uses);
  free(cs);
  free(ws);
  free(ids);
  free(sh.keys);
  free(sh.failed);
  free(tables);
  return r;
}

void mc_free(mc_result *r) {
  if (!r)
    return;
  free(r->figs);
  arena_free(r->arena);
  free(r);
}

const mc_fig *mc_find(const mc_result *r, const char *path) {
  for (size_t i = 0; i < r->n_figs; i++)
    if (!strcmp(r->figs[i].path, path))
      return &r->figs[i];
  return NULL;
}

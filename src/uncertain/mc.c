/*
 * mc.c - see mc.h.
 *
 * The figures are one table (FIGS below): a row per figure of a stage, a
 * cache tier, a group or the totals, with how to read it from a plan.  A
 * figure the plan gains later (a latency percentile) is a row.
 *
 * Each figure is recorded one of two ways, both exact:
 *   - counts (servers, GPUs, and figures whose values repeat) by value
 *     per thread, in a window of whole numbers or a hash table, merged
 *     by value;
 *   - every other figure by trial: its sort keys counted in bins (from
 *     the pilot's range), its moments summed chunk by chunk, and its
 *     values kept only in the bins near the ranks a summary wants (which
 *     the pilot foretells), as the trials come; or, when a plot's
 *     histogram reads every trial, in an array by trial index passed
 *     over after the run.  Should a rank fall outside the bins kept, the
 *     run starts again keeping every value: the result is the same.
 * Means and standard deviations are summed in value order (counts) or
 * trial order (chunk by chunk, each chunk's trials on one thread), with
 * the plan's own figure subtracted first so that 99.9999% keeps its
 * digits.  Order statistics by trial come from the bins (a histogram of
 * the values' bit patterns, which sort like the values) and a selection
 * within the few bins that hold the ranks wanted.
 */
/* mmap's anonymous maps and madvise (big_alloc), beyond POSIX 2008. */
#define _DEFAULT_SOURCE
#include "mc.h"

#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "figures.h"
#include "lean.h"
#include "mc_avx2.h"

/* ------------------------------------------------------------ figures */

enum fig_scope { SC_STAGE, SC_CACHE, SC_GROUP, SC_TOTAL };

/* A figure as a number of the plan times SCALE (1, or 1,000 for seconds
 * shown as milliseconds). */
typedef struct fig_def {
  enum fig_scope scope;
  const char *name;  /* JSON's key: "servers", "cost_per_year" */
  const char *label; /* table's: "servers", "cost/year" */
  enum fig_unit unit;
  const double *(*at)(const plan *p, size_t i);
  double scale;
  /* Whether the figure exists for element I (NULL: always). */
  bool (*applies)(const capplan_model *m, const plan *p, size_t i);
  int lean; /* the lean evaluator's column (enum lean_fig), or -1 */
} fig_def;

static const double *st_servers(const plan *p, size_t i) {
  return &p->stage[i].pool.servers;
}
static const double *st_gpus(const plan *p, size_t i) {
  return &p->stage[i].pool.gpus;
}
static const double *st_cost(const plan *p, size_t i) {
  return &p->stage[i].pool.cost_per_year;
}
static const double *st_latency(const plan *p, size_t i) {
  return &p->stage[i].latency;
}
/* The stage alone, as the report's "availability"; with its fallback,
 * as its "effective_availability". */
static const double *st_avail(const plan *p, size_t i) {
  return &p->stage[i].pool.all.up;
}
static const double *st_effective(const plan *p, size_t i) {
  return &p->stage[i].effective.up;
}
static const double *ca_servers(const plan *p, size_t i) {
  return &p->stage[i].cache.servers;
}
static const double *ca_cost(const plan *p, size_t i) {
  return &p->stage[i].cache.cost_per_year;
}
static const double *gr_servers(const plan *p, size_t i) {
  return &p->group[i].pool.servers;
}
static const double *gr_gpus(const plan *p, size_t i) {
  return &p->group[i].pool.gpus;
}
static const double *gr_cost(const plan *p, size_t i) {
  return &p->group[i].pool.cost_per_year;
}
static const double *gr_avail(const plan *p, size_t i) {
  return &p->group[i].pool.all.up;
}
static const double *to_servers(const plan *p, size_t i) {
  (void)i;
  return &p->servers;
}
static const double *to_gpus(const plan *p, size_t i) {
  (void)i;
  return &p->gpus;
}
static const double *to_cost(const plan *p, size_t i) {
  (void)i;
  return &p->cost_per_year;
}
static const double *to_month(const plan *p, size_t i) {
  (void)i;
  return &p->cost_per_month;
}
static const double *to_million(const plan *p, size_t i) {
  (void)i;
  return &p->cost_per_million;
}
static const double *to_latency(const plan *p, size_t i) {
  (void)i;
  return &p->latency;
}
static const double *to_avail(const plan *p, size_t i) {
  (void)i;
  return &p->all.up;
}
static const double *to_req(const plan *p, size_t i) {
  (void)i;
  return &p->req.up;
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
static bool backed_up(const capplan_model *m, const plan *p, size_t i) {
  return on_path(m, p, i) && m->stage[i].fallback >= 0;
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
    {SC_STAGE, "servers", "servers", FU_COUNT, st_servers, 1, own_pool,
     LF_SERVERS},
    {SC_STAGE, "gpus", "GPUs", FU_COUNT, st_gpus, 1, own_gpus, LF_GPUS},
    {SC_STAGE, "cost_per_year", "cost/year", FU_MONEY, st_cost, 1, own_pool,
     LF_COST},
    {SC_STAGE, "latency_ms", "latency", FU_MS, st_latency, 1000, NULL,
     LF_LATENCY},
    {SC_STAGE, "availability", "availability", FU_FRACTION, st_avail, 1,
     on_path, LF_AVAIL},
    {SC_STAGE, "effective_availability", "availability with fallback",
     FU_FRACTION, st_effective, 1, backed_up, LF_AVAIL},
    {SC_CACHE, "servers", "servers", FU_COUNT, ca_servers, 1, has_cache, -1},
    {SC_CACHE, "cost_per_year", "cost/year", FU_MONEY, ca_cost, 1, has_cache,
     -1},
    {SC_GROUP, "servers", "servers", FU_COUNT, gr_servers, 1, NULL, -1},
    {SC_GROUP, "gpus", "GPUs", FU_COUNT, gr_gpus, 1, group_gpus, -1},
    {SC_GROUP, "cost_per_year", "cost/year", FU_MONEY, gr_cost, 1, NULL, -1},
    {SC_GROUP, "availability", "availability", FU_FRACTION, gr_avail, 1, NULL,
     -1},
    {SC_TOTAL, "servers", "servers", FU_COUNT, to_servers, 1, NULL, LT_SERVERS},
    {SC_TOTAL, "gpus", "GPUs", FU_COUNT, to_gpus, 1, any_gpus, LT_GPUS},
    {SC_TOTAL, "cost_per_year", "cost/year", FU_MONEY, to_cost, 1, NULL,
     LT_COST},
    {SC_TOTAL, "cost_per_month", "cost/month", FU_MONEY, to_month, 1, NULL,
     LT_MONTH},
    {SC_TOTAL, "cost_per_million_requests", "cost per million requests",
     FU_MONEY, to_million, 1, has_million, LT_MILLION},
    {SC_TOTAL, "latency_ms", "latency", FU_MS, to_latency, 1000, NULL,
     LT_LATENCY},
    {SC_TOTAL, "availability", "availability (all up)", FU_FRACTION, to_avail,
     1, NULL, LT_ALL_UP},
    {SC_TOTAL, "request_availability", "requests served", FU_FRACTION, to_req,
     1, NULL, LT_REQ_UP},
};

/* How a recorded number becomes a figure: the same operations the plan
 * does (eval.c), each monotone, so the order statistics of the figure are
 * those of the numbers, mapped. */
enum map_kind { MAP_MUL, MAP_MONTH };
typedef struct fmap {
  enum map_kind kind;
  double c;
} fmap;

static inline double map_apply(fmap g, double x) {
  if (g.kind == MAP_MONTH) /* eval.c: a month is 730 of 8,760 hours */
    return x * CAPPLAN_HOURS_PER_MONTH / CAPPLAN_HOURS_PER_YEAR;
  return g.c == 1 ? x : x * g.c;
}

/* How a figure is recorded: the numbers of a count in a histogram, the
 * others by trial, or not at all when it follows from another figure
 * (a stage's GPUs and cost from its servers, the cost per month from the
 * cost per year). */
enum rec { REC_COUNT, REC_STORE, REC_DERIVED };

/* How a counted figure's trials are added, chosen from the pilot (each
 * falls back on counts_add for a value its way does not take): one value
 * repeated (CM_SAME), whole numbers in a window (CM_WINDOW), a few other
 * values in the table (CM_TABLE). */
enum count_mode { CM_SAME, CM_WINDOW, CM_TABLE };

typedef struct fig_use {
  const fig_def *def;
  size_t index;
  enum rec rec;
  enum count_mode mode; /* REC_COUNT: how its trials are counted */
  size_t src;           /* REC_DERIVED: the figure whose numbers it maps */
  fmap map;             /* the figure from the numbers recorded */
  double *values;       /* REC_STORE, keeping all: by trial */
  uint16_t *bin;        /* REC_STORE, keeping all: each trial's key_bin */
  struct store_sum *ss; /* REC_STORE: its summary on the way */
  double *pilot_sorted; /* REC_STORE: the pilot's values in order */
  size_t pilot_ok;      /* how many (the pilot's trials that evaluated) */
  /* REC_STORE: its order statistics at the ranks of summary_ranks,
   * selected once for every figure that reads them, and its own moments
   * (MO, taken in the same pass). */
  double stats[32];
  struct moments *mo;
  /* REC_STORE: the bins of its values' sort keys (key_bin), set from the
   * pilot's, and their counts over every trial (added as recorded). */
  uint64_t kbase;
  unsigned kshift;
  size_t *bins;
} fig_use;

/* ------------------------------------------------------ large arrays */

/* The arrays of figures recorded by trial (8 MB a figure for a million
 * trials) in 2 MB pages where the system gives them (Linux's transparent
 * huge pages on request): 4 KB pages cost a fault each as the threads
 * first write them, a fifth of the run's time.  N bytes, aligned, freed
 * by big_free(P, N); never NULL. */
#define HUGE_PAGE ((size_t)2 << 20)

static void *big_alloc(size_t n) {
#if defined(MADV_HUGEPAGE) && defined(MAP_ANONYMOUS)
  if (n >= HUGE_PAGE) {
    size_t len = (n + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    char *p = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED) {
      /* The map cut to LEN bytes from a 2 MB boundary. */
      size_t head = (HUGE_PAGE - (uintptr_t)p % HUGE_PAGE) % HUGE_PAGE;
      if (head)
        munmap(p, head);
      if (HUGE_PAGE - head)
        munmap(p + head + len, HUGE_PAGE - head);
      madvise(p + head, len, MADV_HUGEPAGE); /* a hint: may be refused */
      return p + head;
    }
  }
#endif
  return xmalloc(n);
}

static void big_free(void *p, size_t n) {
  if (!p)
    return;
#if defined(MADV_HUGEPAGE) && defined(MAP_ANONYMOUS)
  if (n >= HUGE_PAGE) {
    munmap(p, (n + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1));
    return;
  }
#endif
  free(p);
}

unsigned mc_cores(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (unsigned)n : 1;
}

/* Bits of a double that sort as the double does. */
static inline uint64_t sort_key(double x) {
  uint64_t b;
  memcpy(&b, &x, sizeof b);
  /* Negative: every bit flipped; else the sign bit set. */
  uint64_t neg = (uint64_t)0 - (b >> 63);
  return b ^ (neg | 0x8000000000000000ull);
}

/* ---------------------------------------------------------- histograms */

/* A table slot: a value's bits + 1 (0: empty) and its count, in one
 * line of the cache. */
typedef struct slot {
  uint64_t key;
  size_t n;
} slot;

/* Values and how often each came: whole numbers in a window of counts
 * where they cluster, the rest (or every value, TABLE_ONLY) in an
 * open-addressing table. */
typedef struct counts {
  double base;
  size_t cap;
  size_t *win;
  struct slot *table; /* value bits + 1 (0: empty) and count, side by side */
  size_t tcap, tn;
  unsigned tshift; /* 64 - log2(tcap): table_slot's shift */
  /* The value of the trials just before, while it repeats (a figure
   * that never changes costs one comparison a trial). */
  uint64_t last;
  size_t last_n;
  bool table_only; /* every value in the table (CM_TABLE) */
} counts;

#define WINDOW_MAX ((size_t)1 << 20)

/* A key's slot in a table of 2^(64 - SHIFT): Fibonacci hashing, the
 * product's top bits (which every bit of the key moves: the keys of whole
 * numbers differ only in their high bits). */
static inline size_t table_slot(uint64_t k, unsigned shift) {
  return (size_t)((k * 0x9E3779B97F4A7C15ull) >> shift);
}

static void table_add(counts *c, double v, size_t n) {
  if (2 * (c->tn + 1) > c->tcap) {
    size_t cap = c->tcap ? 2 * c->tcap : 1024;
    unsigned shift = c->tcap ? c->tshift - 1 : 64 - 10;
    slot *table = xcalloc(cap, sizeof *table);
    for (size_t i = 0; i < c->tcap; i++) {
      if (!c->table[i].key)
        continue;
      size_t h = table_slot(c->table[i].key, shift);
      while (table[h].key)
        h = (h + 1) & (cap - 1);
      table[h] = c->table[i];
    }
    free(c->table);
    c->table = table;
    c->tcap = cap;
    c->tshift = shift;
  }
  uint64_t k;
  memcpy(&k, &v, sizeof k);
  k += 1;
  size_t h = table_slot(k, c->tshift);
  while (c->table[h].key && c->table[h].key != k)
    h = (h + 1) & (c->tcap - 1);
  if (!c->table[h].key) {
    c->table[h].key = k;
    c->tn++;
  }
  c->table[h].n += n;
}

/* N more trials with the value V. */
/* V is a whole number below 2^52 in size (a cast, not floor(), which is
 * a call on a baseline x86-64 build). */
static bool whole(double v) {
  return fabs(v) < 4503599627370496.0 && (double)(long long)v == v;
}

static void counts_put(counts *c, double v, size_t n) {
  if (c->table_only) {
    table_add(c, v, n);
    return;
  }
  double at = v - c->base;
  if (c->win && at >= 0 && at < (double)c->cap && whole(v)) {
    c->win[(size_t)at] += n;
    return;
  }
  if (!whole(v) || !(fabs(v) < 1e15)) {
    table_add(c, v, n);
    return;
  }
  if (!c->win) {
    c->base = v;
    c->cap = 64;
    c->win = xcalloc(c->cap, sizeof(size_t));
    c->win[0] = n;
    return;
  }
  /* Widen the window to take V and the slots in use, up to WINDOW_MAX;
   * else the table.  The new window leaves its spare room on V's side:
   * below when V comes below, above when above. */
  size_t used = c->cap; /* one past the last slot in use */
  while (used > 0 && !c->win[used - 1])
    used--;
  double lo = v < c->base ? v : c->base;
  double top = c->base + (double)used;
  double hi = v + 1 > top ? v + 1 : top;
  if (hi - lo > (double)WINDOW_MAX) {
    table_add(c, v, n);
    return;
  }
  size_t cap = c->cap;
  while ((double)cap < hi - lo)
    cap *= 2;
  double base = v < c->base ? hi - (double)cap : lo;
  size_t *win = xcalloc(cap, sizeof *win);
  memcpy(win + (size_t)(c->base - base), c->win, used * sizeof *win);
  free(c->win);
  c->win = win;
  c->base = base;
  c->cap = cap;
  c->win[(size_t)(v - base)] += n;
}

static void counts_flush(counts *c) {
  if (c->last_n) {
    double v;
    memcpy(&v, &c->last, sizeof v);
    counts_put(c, v, c->last_n);
    c->last_n = 0;
  }
}

static inline void counts_add(counts *c, double v) {
  uint64_t bits;
  memcpy(&bits, &v, sizeof bits);
  if (bits == c->last) {
    c->last_n++;
    return;
  }
  if (c->last_n) {
    /* The value before: into its window slot here when it fits (the
     * common case for counts), else through counts_put. */
    double old;
    memcpy(&old, &c->last, sizeof old);
    double at = old - c->base;
    if (c->win && at >= 0 && at < (double)c->cap && (double)(size_t)at == at)
      c->win[(size_t)at] += c->last_n;
    else
      counts_put(c, old, c->last_n);
  }
  c->last = bits;
  c->last_n = 1;
}

/* Whether each of the N values of V has the bits BITS: eight at a time
 * through the compiler's vector extensions where it has them. */
static bool all_bits(const double *v, size_t n, uint64_t bits) {
  uint64_t diff = 0; /* the bits any value differs in */
  size_t i = 0;
#if defined(__GNUC__)
  typedef uint64_t v2u __attribute__((vector_size(16)));
  v2u d = {0, 0};
  for (; i + 8 <= n; i += 8) {
    v2u x[4];
    memcpy(x, v + i, sizeof x);
    d |= ((x[0] ^ bits) | (x[1] ^ bits)) | ((x[2] ^ bits) | (x[3] ^ bits));
  }
  diff = d[0] | d[1];
#endif
  for (; i < n; i++) {
    uint64_t x;
    memcpy(&x, &v[i], sizeof x);
    diff |= x ^ bits;
  }
  return diff == 0;
}

/* Adds the N values of V to C the way MODE says; SKIP (when not NULL)
 * flags the trials to leave out.  A loop per way, each with what it
 * reads held in locals. */
static void counts_add_block(counts *c, enum count_mode mode, const double *v,
                             size_t n, const unsigned *skip, bool avx2) {
  size_t t = 0;
  if (skip)
    for (; t < n; t++)
      if (!(skip[t] & LEAN_FALLBACK))
        counts_add(c, v[t]);
  if (mode == CM_SAME) {
    /* The whole block at once when every trial repeats the value. */
    if (t == 0 && c->last_n) {
      if (all_bits(v, n, c->last)) {
        c->last_n += n;
        return;
      }
    }
    for (; t < n; t++) {
      uint64_t bits;
      memcpy(&bits, &v[t], sizeof bits);
      if (bits == c->last && c->last_n)
        c->last_n++;
      else
        counts_add(c, v[t]);
    }
  } else if (mode == CM_WINDOW) {
    while (t < n) {
      size_t *win = c->win;
      double base = c->base, cap = (double)c->cap;
      if (avx2 && win)
        t += mc_window_avx2(v + t, n - t, base, cap, win);
      /* In the window when the offset is a whole number in [0, CAP). */
      for (; t < n && win; t++) {
        double at = v[t] - base;
        if (!(at >= 0 && at < cap))
          break;
        int64_t i = (int64_t)at; /* at < cap <= WINDOW_MAX */
        if ((double)i != at)
          break;
        win[i]++;
      }
      if (t < n)
        counts_add(c, v[t++]); /* may move the window */
    }
  } else {
    while (t < n) {
      slot *table = c->table;
      size_t mask = c->tcap - 1;
      unsigned shift = c->tshift;
      for (; t < n && table; t++) {
        uint64_t k;
        memcpy(&k, &v[t], sizeof k);
        k += 1;
        size_t h = table_slot(k, shift);
        while (table[h].key != k && table[h].key)
          h = (h + 1) & mask;
        if (!table[h].key)
          break; /* a new value */
        table[h].n++;
      }
      if (t < n)
        counts_add(c, v[t++]); /* may grow the table */
    }
  }
}

static void counts_free(counts *c) {
  free(c->win);
  free(c->table);
}

/* A value and how often it came. */
typedef struct vc {
  double v;
  size_t n;
} vc;

/* Sorts the N pairs of A by value: least significant byte first (a
 * radix sort of the values' sort keys), passing over the bytes every key
 * shares; TMP holds N pairs. */
static void sort_pairs(vc *a, vc *tmp, size_t n) {
  uint64_t all_or = 0, all_and = ~(uint64_t)0;
  for (size_t i = 0; i < n; i++) {
    uint64_t k = sort_key(a[i].v);
    all_or |= k;
    all_and &= k;
  }
  for (unsigned shift = 0; shift < 64; shift += 8) {
    if ((((all_or ^ all_and) >> shift) & 0xFF) == 0)
      continue; /* the same byte in every key */
    size_t count[257] = {0};
    for (size_t i = 0; i < n; i++)
      count[((sort_key(a[i].v) >> shift) & 0xFF) + 1]++;
    for (size_t b = 1; b < 257; b++)
      count[b] += count[b - 1];
    for (size_t i = 0; i < n; i++)
      tmp[count[(sort_key(a[i].v) >> shift) & 0xFF]++] = a[i];
    memcpy(a, tmp, n * sizeof *a);
  }
}

/* The merged counts of figure F over threads C[0..T), in value order. */
static vc *merge_counts(counts **c, size_t t, size_t f, size_t *n) {
  size_t cap = 0;
  *n = 0;
  vc *out = NULL;
  for (size_t k = 0; k < t; k++) {
    counts *x = &c[k][f];
    counts_flush(x);
    for (size_t i = 0; i < x->cap; i++)
      if (x->win[i]) {
        xgrow((void **)&out, &cap, *n + 1, sizeof *out);
        out[(*n)++] = (vc){x->base + (double)i, x->win[i]};
      }
    for (size_t i = 0; i < x->tcap; i++)
      if (x->table[i].key) {
        double v;
        uint64_t bits = x->table[i].key - 1;
        memcpy(&v, &bits, sizeof v);
        xgrow((void **)&out, &cap, *n + 1, sizeof *out);
        out[(*n)++] = (vc){v, x->table[i].n};
      }
  }
  if (*n) {
    vc *tmp = xmalloc(*n * sizeof *tmp);
    sort_pairs(out, tmp, *n);
    free(tmp);
  }
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

#define RADIX_BINS ((size_t)1 << 12)
_Static_assert(RADIX_BINS <= 65536, "a trial's bin is kept in 16 bits");

/* The bin of sort key KEY: its offset from BASE in units of 2^SHIFT,
 * keys below BASE in the first bin and those past the last bin in the
 * last (the bins come from the pilot's range; a wider run only fills the
 * end bins more). */
static inline size_t key_bin(uint64_t key, uint64_t base, unsigned shift) {
  uint64_t b = (key >= base ? key - base : 0) >> shift;
  return b < RADIX_BINS ? (size_t)b : RADIX_BINS - 1;
}

/* Sums of (G(x) - S) and its square over the values of a figure
 * (fill_moments): four partial sums a chunk, trial T's in lane T mod 4,
 * each in trial order, so that four trials are added at once; the lanes
 * then the chunks are added in a fixed order (store_finish). */
typedef struct moments {
  fmap g;
  double s, sum, sq;
} moments;

/* Trials a pass over a figure recorded by trial takes at a time: the
 * unit the threads share out, and that of the moments' partial sums,
 * added in chunk order so that no thread count changes them. */
#define CHUNK ((size_t)1 << 16)
/* Trials a thread draws and evaluates at a time: whole blocks make a
 * chunk, so a block never straddles two. */
#define BLOCK 256
_Static_assert(CHUNK % BLOCK == 0, "a chunk holds whole blocks");

/* What a chunk's pass gives: the moments' partial sums, the values of
 * the bins wanted (in trial order) and, for the plots, a histogram. */
typedef struct chunk_sums {
  double sum[4][MC_LANES], sq[4][MC_LANES]; /* per moment, per lane */
  double *got;
  size_t n_got, cap;
  size_t hist[MC_BINS];
} chunk_sums;

/* A figure recorded by trial on its way to its order statistics: the
 * moments taken in its pass (its own, then those of the figures that
 * follow from it), the bin of each rank wanted and the rank within it,
 * and each chunk's pass. */
typedef struct store_sum {
  size_t f;
  moments mo[4];
  size_t of[4], nmo;
  size_t bin_of[32], within[32], k;
  unsigned char *wanted; /* per bin */
  unsigned char *near;   /* per bin, keeping near: the values kept */
  chunk_sums *ch;
} store_sum;

/* Ranks R[0..K) (ascending) of the counts BINS: the bin of each and the
 * rank within it, and the bins wanted; returns the ranks placed. */
static size_t place_ranks(store_sum *ss, const size_t *bins, const size_t *r,
                          size_t k) {
  size_t seen = 0, j = 0;
  for (size_t b = 0; b < RADIX_BINS && j < k; b++) {
    while (j < k && r[j] < seen + bins[b]) {
      ss->bin_of[j] = b;
      ss->within[j] = r[j] - seen;
      ss->wanted[b] = 1;
      j++;
    }
    seen += bins[b];
  }
  return j;
}

/* One value V's differences from the moments' shifts S (through their
 * maps G; PLAIN: the first's is the identity) added to the sums A and
 * their squares to Q, moment by moment. */
static CAPPLAN_ALWAYS_INLINE void add_moments(double v, bool plain, size_t nmo,
                                              const fmap *g, const double *s,
                                              double *a, double *q) {
#pragma GCC unroll 4
  for (size_t m = 0; m < nmo; m++) {
    double dx = (plain && m == 0 ? v : map_apply(g[m], v)) - s[m];
    a[m] += dx;
    q[m] += dx * dx;
  }
}

/* The values kept of a pass (chunk_loop's): V, trial I's, appended to
 * GOT when its bin is WANTED; ROOM: GOT has room for it. */
typedef struct kept_values {
  double *got;
  size_t n_got, cap;
  bool room;
} kept_values;

static CAPPLAN_ALWAYS_INLINE void keep_value(kept_values *k, double v, size_t i,
                                             const uint16_t *bin,
                                             const unsigned char *wanted) {
  if (k->room) {
    /* Each value written, and counted only when kept (no branch to
     * mispredict on a fifth of them). */
    k->got[k->n_got] = v;
    k->n_got += wanted[bin[i]];
  } else if (wanted[bin[i]]) {
    if (k->n_got == k->cap)
      xgrow((void **)&k->got, &k->cap, k->n_got + 1, sizeof *k->got);
    k->got[k->n_got++] = v;
  }
}

/* Trial I's value V (chunk_loop's) into lane L of OUT's sums and K. */
static CAPPLAN_ALWAYS_INLINE void
lone_trial(double v, size_t l, size_t i, bool holes, bool plain, size_t nmo,
           const fmap *g, const double *s, const uint16_t *bin,
           const unsigned char *wanted, kept_values *k, chunk_sums *out) {
  if (holes && v != v)
    return;
  double a[4], q[4];
  for (size_t m = 0; m < nmo; m++) {
    a[m] = out->sum[m][l];
    q[m] = out->sq[m][l];
  }
  add_moments(v, plain, nmo, g, s, a, q);
  for (size_t m = 0; m < nmo; m++) {
    out->sum[m][l] = a[m];
    out->sq[m][l] = q[m];
  }
  keep_value(k, v, i, bin, wanted);
}

/* The pass over trials [LO, HI) of X (NaN: a failed trial, skipped;
 * HOLES: there may be some), whose bins are BIN, for SS into OUT: the
 * moments go on from OUT's sums (a chunk's trials come in order, in one
 * pass or block by block; X[I] is trial LANE0 + I's, which sets its lane),
 * and the values of the bins WANTED are kept.
 * PLAIN: the figure's numbers are its figures; NMO, a constant where
 * inlined, the moments taken (in locals, four trials a step, one in each
 * lane: OUT's would be reloaded after each store to the values kept). */
static CAPPLAN_ALWAYS_INLINE void
chunk_loop(const store_sum *ss, const double *x, const uint16_t *bin, size_t lo,
           size_t hi, size_t lane0, bool holes, bool plain, size_t nmo,
           const unsigned char *wanted, chunk_sums *out) {
  double s[4];
  fmap g[4];
  for (size_t m = 0; m < nmo; m++) {
    s[m] = ss->mo[m].s;
    g[m] = ss->mo[m].g;
  }
  kept_values k = {out->got, out->n_got, out->cap, hi - lo <= BLOCK};
  if (k.room && k.cap < k.n_got + (hi - lo))
    xgrow((void **)&k.got, &k.cap, k.n_got + (hi - lo), sizeof *k.got);
  /* Steps of four from the first trial of lane 0 [I, END); the trials
   * before and after, one at a time in OUT's sums. */
  size_t i = lo, end = hi;
  while (i < hi && (lane0 + i) % MC_LANES)
    i++;
  if (hi - i >= MC_LANES)
    end = hi - (lane0 + hi) % MC_LANES;
  else
    end = i = hi;
  for (size_t j = lo; j < i; j++)
    lone_trial(x[j], (lane0 + j) % MC_LANES, j, holes, plain, nmo, g, s, bin,
               wanted, &k, out);
  double a0[4], a1[4], a2[4], a3[4], q0[4], q1[4], q2[4], q3[4];
  for (size_t m = 0; m < nmo; m++) {
    a0[m] = out->sum[m][0], a1[m] = out->sum[m][1];
    a2[m] = out->sum[m][2], a3[m] = out->sum[m][3];
    q0[m] = out->sq[m][0], q1[m] = out->sq[m][1];
    q2[m] = out->sq[m][2], q3[m] = out->sq[m][3];
  }
  _Static_assert(MC_LANES == 4, "a step adds one trial to each lane");
  for (; i < end; i += MC_LANES) {
    double v[MC_LANES] = {x[i], x[i + 1], x[i + 2], x[i + 3]};
    if (!holes || v[0] == v[0])
      add_moments(v[0], plain, nmo, g, s, a0, q0);
    if (!holes || v[1] == v[1])
      add_moments(v[1], plain, nmo, g, s, a1, q1);
    if (!holes || v[2] == v[2])
      add_moments(v[2], plain, nmo, g, s, a2, q2);
    if (!holes || v[3] == v[3])
      add_moments(v[3], plain, nmo, g, s, a3, q3);
#pragma GCC unroll 4
    for (size_t l = 0; l < MC_LANES; l++)
      if (!holes || v[l] == v[l])
        keep_value(&k, v[l], i + l, bin, wanted);
  }
  for (size_t m = 0; m < nmo; m++) {
    out->sum[m][0] = a0[m], out->sum[m][1] = a1[m];
    out->sum[m][2] = a2[m], out->sum[m][3] = a3[m];
    out->sq[m][0] = q0[m], out->sq[m][1] = q1[m];
    out->sq[m][2] = q2[m], out->sq[m][3] = q3[m];
  }
  for (size_t j = end; j < hi; j++)
    lone_trial(x[j], (lane0 + j) % MC_LANES, j, holes, plain, nmo, g, s, bin,
               wanted, &k, out);
  out->got = k.got;
  out->n_got = k.n_got;
  out->cap = k.cap;
}

static void chunk_pass(const store_sum *ss, const double *x,
                       const uint16_t *bin, size_t lo, size_t hi, size_t lane0,
                       bool holes, const unsigned char *wanted,
                       chunk_sums *out) {
  /* The common case (a figure alone, its own numbers, no failed trial)
   * in a loop of its own; the others with their count of moments fixed. */
  bool plain = ss->mo[0].g.kind == MAP_MUL && ss->mo[0].g.c == 1;
  if (!holes && plain && ss->nmo == 1)
    chunk_loop(ss, x, bin, lo, hi, lane0, false, true, 1, wanted, out);
  else if (ss->nmo == 1)
    chunk_loop(ss, x, bin, lo, hi, lane0, holes, false, 1, wanted, out);
  else if (ss->nmo == 2)
    chunk_loop(ss, x, bin, lo, hi, lane0, holes, false, 2, wanted, out);
  else if (ss->nmo == 3)
    chunk_loop(ss, x, bin, lo, hi, lane0, holes, false, 3, wanted, out);
  else
    chunk_loop(ss, x, bin, lo, hi, lane0, holes, false, 4, wanted, out);
}

/* The order statistics of SS's figure (its bins BINS) from its chunks'
 * values, into OUT; its moments summed over the chunks, in order. */
static void store_finish(store_sum *ss, size_t n_chunks, const size_t *bins,
                         uint64_t base, unsigned shift, double *out) {
  for (size_t m = 0; m < ss->nmo; m++)
    for (size_t c = 0; c < n_chunks; c++) {
      const double *sum = ss->ch[c].sum[m], *sq = ss->ch[c].sq[m];
      ss->mo[m].sum += (sum[0] + sum[1]) + (sum[2] + sum[3]);
      ss->mo[m].sq += (sq[0] + sq[1]) + (sq[2] + sq[3]);
    }
  /* The values of the bins wanted, each bin in a slice of one buffer. */
  size_t *start = xcalloc(RADIX_BINS, sizeof *start);
  size_t *fill = xcalloc(RADIX_BINS, sizeof *fill);
  size_t total = 0;
  for (size_t b = 0; b < RADIX_BINS; b++)
    if (ss->wanted[b]) {
      start[b] = total;
      total += bins[b];
    }
  double *buf = xmalloc((total + 1) * sizeof *buf);
  for (size_t c = 0; c < n_chunks; c++)
    for (size_t i = 0; i < ss->ch[c].n_got; i++) {
      double v = ss->ch[c].got[i];
      size_t b = key_bin(sort_key(v), base, shift);
      if (ss->wanted[b]) /* kept near the ranks, not in their bins */
        buf[start[b] + fill[b]++] = v;
    }
  for (size_t j = 0; j < ss->k; j++)
    out[j] = select_kth(buf + start[ss->bin_of[j]], bins[ss->bin_of[j]],
                        ss->within[j]);
  free(buf);
  free(fill);
  free(start);
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

/* Quantile P of N sorted values: the inverse of the empirical
 * distribution (Hyndman and Fan's type 1), x[k] with k = ceil(n p) - 1,
 * the smallest value at least a share P of the trials reach.  Always a
 * value some trial's plan has (a p95 cost is a cost of whole servers, never
 * one between two plans), and a budget check passes at confidence P exactly
 * when the P-quantile is within it: the share counted in mc_run's checks is
 * n_pass / n >= P (1 - 1e-12), and the same tolerance is taken here.  The
 * peers read numpy's 'linear' (type 7) instead; the two differ by less
 * than one gap between neighbouring trials (docs/uncertainty.md). */
static size_t quantile_rank(size_t n, double p) {
  double c = ceil((double)n * p * (1 - 1e-12));
  if (c < 1)
    return 0;
  return c > (double)n ? n - 1 : (size_t)c - 1;
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

/* The ranks a summary of N trials needs, sorted and unique (with HIST,
 * those of a histogram's ends too); returns how many. */
static size_t summary_ranks(size_t n, bool hist, size_t *r) {
  size_t k = 0;
  for (int q = 0; q < NQ; q++) {
    r[k] = quantile_rank(n, QS[q]);
    quantile_ci(n, QS[q], &r[k + 1], &r[k + 2]);
    k += 3;
  }
  if (hist) {
    r[k++] = quantile_rank(n, HIST_LO);
    r[k++] = quantile_rank(n, HIST_HI);
  }
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

/* Fills the quantiles of F->s from the order statistics V at ranks R
 * (of the numbers recorded; G makes them the figure's). */
static void fill_quantiles(mc_fig *f, size_t n, const size_t *r,
                           const double *raw, size_t k, fmap g, bool hist) {
  double v[32];
  for (size_t i = 0; i < k; i++)
    v[i] = map_apply(g, raw[i]);
  double *q[NQ] = {&f->s.p5, &f->s.p50, &f->s.p95};
  double *se[NQ] = {&f->s.se_p5, &f->s.se_p50, &f->s.se_p95};
  for (int j = 0; j < NQ; j++) {
    size_t a, b;
    *q[j] = stat_at(r, v, k, quantile_rank(n, QS[j]));
    quantile_ci(n, QS[j], &a, &b);
    *se[j] =
        (stat_at(r, v, k, b) - stat_at(r, v, k, a)) / (2 * 1.959963984540054);
  }
  f->s.min = stat_at(r, v, k, 0);
  f->s.max = stat_at(r, v, k, n - 1);
  if (hist) {
    f->hist_lo = stat_at(r, v, k, quantile_rank(n, HIST_LO));
    f->hist_hi = stat_at(r, v, k, quantile_rank(n, HIST_HI));
  }
  f->varies = f->s.min != f->s.max;
}

/* Adds N trials at X to F's histogram; PER is MC_BINS over its span (0
 * for a figure without one). */
static size_t hist_bin(const mc_fig *f, double per, double x) {
  size_t b = 0;
  if (per > 0 && x > f->hist_lo) {
    double at = (x - f->hist_lo) * per;
    b = at >= MC_BINS ? MC_BINS - 1 : (size_t)at;
  }
  return b;
}

static void hist_add(mc_fig *f, double per, double x, size_t n) {
  f->hist[hist_bin(f, per, x)] += n;
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

/* Half the width of the window of shares around share P in which the
 * final rank at P is looked for, from M values (of ATTEMPTED trials, a
 * share FAIL of them failed) of a run of NE evaluated trials: 5 sigma of
 * the sample's share below a point, 5 of the whole run's, and 5 of the
 * share failed (which moves every rank), binomial (FORMULAS.md section
 * 5b), and two values.  A rank falls outside about once in two million
 * (normal tails at 5 sigma); then the trials run again keeping every
 * value. */
static double near_margin(double p, double m, double attempted, double fail,
                          double ne) {
  return 5 * sqrt(p * (1 - p) / m) + 5 * sqrt(p * (1 - p) / ne) +
         5 * sqrt(fail * (1 - fail) / attempted) + 2 / m;
}

/* The bins whose values a figure recorded by trial keeps, keeping near,
 * into NEAR: for each rank summary_ranks wants of the trials that will
 * evaluate (of N; HIST as it asks), at a share p of them, the bins of the
 * values at shares p -+ near_margin of the M values seen so far, whose
 * value at rank j is in bin BIN_AT(CTX, j). */
static void near_window(size_t (*bin_at)(const void *, size_t), const void *ctx,
                        size_t m, size_t attempted, size_t n, bool hist,
                        unsigned char *near) {
  double dm = (double)m, da = (double)attempted;
  double fail = 1 - dm / da, ne = (double)n * dm / da;
  size_t ranks[32];
  size_t k = summary_ranks(ne < 1 ? 1 : (size_t)ne, hist, ranks);
  memset(near, 0, RADIX_BINS);
  for (size_t j = 0; j < k; j++) {
    double p = ((double)ranks[j] + 0.5) / ne;
    p = p > 1 ? 1 : p;
    double d = near_margin(p, dm, da, fail, ne);
    double lo = floor((p - d) * dm), hi = ceil((p + d) * dm);
    size_t b0 = lo < 0 ? 0 : bin_at(ctx, (size_t)lo);
    size_t b1 = hi > dm - 1 ? RADIX_BINS - 1 : bin_at(ctx, (size_t)hi);
    memset(near + b0, 1, b1 + 1 - b0);
  }
}

/* bin_at over the pilot's values in order. */
typedef struct sorted_at {
  const fig_use *fu;
  const double *v;
} sorted_at;

static size_t sorted_bin(const void *ctx, size_t j) {
  const sorted_at *x = ctx;
  return key_bin(sort_key(x->v[j]), x->fu->kbase, x->fu->kshift);
}

/* bin_at over counts by bin, as their running sums CUM. */
static size_t counted_bin(const void *ctx, size_t j) {
  const size_t *cum = ctx;
  size_t lo = 0, hi = RADIX_BINS - 1; /* the first bin whose sum passes j */
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (cum[mid] > j)
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

/* ------------------------------------------------------------- worker */

/* Trials run first on one thread: they decide how each figure is
 * recorded (a function of the seed, not of the threads), and check the
 * lean evaluator against plan_eval. */
#define PILOT 2048
_Static_assert(PILOT % BLOCK == 0, "the trials after the pilot start a block");
#define CHECKED 64
/* A figure with at most this many values in the pilot is counted by
 * value; more, it is recorded by trial. */
#define FEW_VALUES 1024
/* Counted by value too when the pilot's repeats promise at most this
 * many values in the whole run (pilot_classes): a table of them stays in
 * the caches, where storing each trial and selecting would cost more. */
#define MANY_VALUES 4096.0

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
  bool use_lean;
  double *pilot; /* PILOT per figure, while deciding */
  /* Figures recorded by trial keep only their values near the ranks
   * wanted, summed as they come: each chunk's trials on one thread. */
  bool near;
  size_t n;  /* trials */
  bool hist; /* the cost's histogram asked for */
} shared;

typedef struct worker {
  const shared *sh;
  size_t first, last; /* trials [first, last) */
  counts *counts;     /* per figure (counted ones only) */
  size_t pass[5], evaluated, failed, infeasible;
  bool mismatch; /* the lean evaluator disagreed: plan_eval from here */
  bool started;  /* state below made */
  params *p;
  plan *pl;
  lean *lk;
  size_t nt;     /* targets of the ranged inputs */
  double **at;   /* per target: where it lives in P */
  double *scale; /* per target */
  size_t *input; /* per target: its input */
  double **tcol; /* per target: its column (the lean evaluator's or own) */
  size_t len;    /* trials a step evaluates (the lean block's length) */
  double **col;  /* per figure: its numbers over the step */
  double *own;   /* the columns when plan_eval runs every trial */
  unsigned *own_flags;
  const double **from; /* per figure: where its number is in PL */
  double *draws;
  /* Per ranged input, where its draws go: W's own, or straight into the
   * column of its one target (DIRECT, per target) when the evaluator
   * takes a whole block at a time and the target needs no scale. */
  double **fill;
  bool *direct;
  size_t **bins;       /* per figure recorded by trial: its keys' bins */
  uint16_t *block_bin; /* keeping near: a block's trials' bins */
  /* Keeping near, per figure recorded by trial: the bins whose values
   * it keeps now, and those it kept all along (narrow()). */
  unsigned char **near, **kept;
  size_t *cum; /* RADIX_BINS, for narrow() */
} worker;

/* Each figure's column: the lean evaluator's, or W's own. */
static void use_columns(worker *w) {
  const shared *sh = w->sh;
  for (size_t f = 0; f < sh->n_figs; f++) {
    const fig_use *fu = &sh->figs[f];
    w->col[f] = w->lk ? lean_out(w->lk, (enum lean_fig)fu->def->lean, fu->index)
                      : w->own + f * BLOCK;
  }
  for (size_t j = 0; j < w->nt; j++)
    w->tcol[j] =
        w->lk ? lean_column(w->lk, j) : w->own + (sh->n_figs + j) * BLOCK;
  w->len = w->lk ? lean_block_len(w->lk) : BLOCK;
  size_t ni = sh->u->n_ranged;
  for (size_t k = 0; k < ni; k++)
    w->fill[k] = w->draws + k * BLOCK;
  for (size_t j = 0; j < w->nt; j++) {
    const uinput *in = &sh->u->items[w->input[j]];
    w->direct[j] =
        w->lk && w->len == BLOCK && in->n_targets == 1 && w->scale[j] == 1;
    if (w->direct[j])
      w->fill[w->input[j]] = w->tcol[j];
  }
}

/* Whether the lean evaluator gives every figure of the model. */
static bool lean_covers(const shared *sh) {
  for (size_t f = 0; f < sh->n_figs; f++)
    if (sh->figs[f].def->lean < 0)
      return false;
  return true;
}

static void worker_start(worker *w) {
  const shared *sh = w->sh;
  const capplan_model *m = sh->m;
  const uinputs *u = sh->u;
  size_t ni = u->n_ranged;
  w->p = params_new(m);
  params_copy(m, w->p, &m->base);
  w->pl = plan_new(m);
  plan_for_trials(m, w->pl);
  /* Each target as a pointer into this thread's parameters. */
  size_t nt = 0;
  for (size_t k = 0; k < ni; k++)
    nt += u->items[k].n_targets;
  w->at = xmalloc((nt + 1) * sizeof *w->at);
  w->scale = xmalloc((nt + 1) * sizeof *w->scale);
  w->input = xmalloc((nt + 1) * sizeof *w->input);
  w->tcol = xmalloc((nt + 1) * sizeof *w->tcol);
  nt = 0;
  for (size_t k = 0; k < ni; k++)
    for (size_t j = 0; j < u->items[k].n_targets; j++) {
      w->at[nt] = uinput_field(w->p, &u->items[k].targets[j]);
      w->scale[nt] = u->items[k].targets[j].scale;
      w->input[nt++] = k;
    }
  w->nt = nt;
  w->lk = sh->use_lean && lean_covers(sh) ? lean_new(m, w->p, w->at, nt) : NULL;
  w->from = xmalloc((sh->n_figs + 1) * sizeof *w->from);
  for (size_t f = 0; f < sh->n_figs; f++)
    w->from[f] = sh->figs[f].def->at(w->pl, sh->figs[f].index);
  w->col = xmalloc((sh->n_figs + 1) * sizeof *w->col);
  w->own = xmalloc(((sh->n_figs + nt) * BLOCK + 1) * sizeof *w->own);
  w->own_flags = xmalloc(BLOCK * sizeof *w->own_flags);
  w->draws = xmalloc((ni * BLOCK + 1) * sizeof *w->draws);
  w->fill = xmalloc((ni + 1) * sizeof *w->fill);
  w->direct = xmalloc((nt + 1) * sizeof *w->direct);
  use_columns(w);
  w->block_bin = xmalloc(BLOCK * sizeof *w->block_bin);
  w->started = true;
}

static void worker_stop(worker *w) {
  if (!w->started)
    return;
  free(w->draws);
  free(w->fill);
  free(w->direct);
  free(w->block_bin);
  free(w->from);
  free(w->col);
  free(w->own);
  free(w->own_flags);
  free(w->at);
  free(w->scale);
  free(w->input);
  free(w->tcol);
  lean_free(w->lk);
  plan_free(w->pl);
  params_free(w->p);
  w->started = false;
}

/* Trial T of the step into PL by plan_eval, from the targets' columns;
 * its figures into the figures' columns.  Returns plan_eval's status and
 * the trial's flags in *FLAGS. */
static int plan_trial(worker *w, size_t t, unsigned *flags) {
  const shared *sh = w->sh;
  for (size_t j = 0; j < w->nt; j++)
    *w->at[j] = w->tcol[j][t];
  int rc = plan_eval(sh->m, w->p, sh->limits, sh->n_limits, w->pl);
  if (rc < 0)
    return rc;
  const plan *pl = w->pl;
  for (size_t f = 0; f < sh->n_figs; f++)
    w->col[f][t] = *w->from[f];
  unsigned fl = pl->overloaded + pl->unmet > 0 ? LEAN_INFEASIBLE : 0;
  for (size_t c = 0; c < pl->n_checks; c++)
    fl |= pl->checks[c].passed ? LEAN_PASSED << c : 0;
  *flags = fl;
  return rc;
}

/* Evaluates trials FIRST .. FIRST + LEN - 1 (LEN <= W->len) from the
 * draws at offset OFF of W's block; returns their flags, with
 * LEAN_FALLBACK on the trials that failed. */
static unsigned *evaluate(worker *w, size_t first, size_t off, size_t len) {
  const shared *sh = w->sh;
  for (size_t j = 0; j < w->nt; j++) {
    if (w->direct[j])
      continue; /* drawn into its column */
    const double *x = w->draws + w->input[j] * BLOCK + off;
    double *c = w->tcol[j], s = w->scale[j];
    if (s == 1)
      memcpy(c, x, len * sizeof *c);
    else
      for (size_t t = 0; t < len; t++)
        c[t] = x[t] * s;
  }
  unsigned *flags = w->own_flags;
  if (w->lk)
    flags = lean_block(w->lk, len, sh->limits, sh->n_limits);
  else
    for (size_t t = 0; t < len; t++)
      flags[t] = LEAN_FALLBACK;
  /* Past the trials checked, only those the lean evaluator left. */
  size_t checked = w->lk && first < CHECKED ? CHECKED - first : 0;
  for (size_t t = 0; t < len; t++) {
    if (t >= checked) {
      /* On to the next trial left, four at a time. */
      while (t + 4 <= len &&
             !((flags[t] | flags[t + 1] | flags[t + 2] | flags[t + 3]) &
               LEAN_FALLBACK))
        t += 4;
      while (t < len && !(flags[t] & LEAN_FALLBACK))
        t++;
      if (t == len)
        break;
    }
    bool left = (flags[t] & LEAN_FALLBACK) != 0;
    bool check = !left;
    if (check) {
      /* plan_eval's figures against the lean evaluator's; the first
       * difference sends every trial from here to plan_eval. */
      for (size_t j = 0; j < w->nt; j++)
        *w->at[j] = w->tcol[j][t];
      int rc = plan_eval(sh->m, w->p, sh->limits, sh->n_limits, w->pl);
      if (rc >= 0 && lean_matches(w->lk, t, w->pl))
        continue;
      w->mismatch = true;
      for (size_t u = t; u < len; u++)
        flags[u] |= LEAN_FALLBACK;
    }
    unsigned fl;
    flags[t] = plan_trial(w, t, &fl) < 0 ? LEAN_FALLBACK : fl;
  }
  return flags;
}

/* The bins of X[0..N) into BIN and counted in BINS, the trials FLAGS
 * marks failed (when not NULL) made NaN instead. */
static void bin_block(const fig_use *fu, double *x, size_t n,
                      const unsigned *flags, bool avx2, uint16_t *bin,
                      size_t *bins) {
  size_t t = 0;
  if (avx2 && !flags)
    t = mc_bins_avx2(x, n, fu->kbase, fu->kshift, RADIX_BINS, bin, bins);
  for (; t < n; t++) {
    if (flags && (flags[t] & LEAN_FALLBACK)) {
      x[t] = NAN;
      continue;
    }
    size_t at = key_bin(sort_key(x[t]), fu->kbase, fu->kshift);
    bin[t] = (uint16_t)at;
    bins[at]++;
  }
}

/* Trials FIRST .. FIRST + N - 1 of figure FU, their numbers C, kept by
 * trial for the pass after the run. */
static void record_all(fig_use *fu, const double *c, size_t first, size_t n,
                       const unsigned *flags, bool avx2, size_t *bins) {
  memcpy(fu->values + first, c, n * sizeof *c);
  bin_block(fu, fu->values + first, n, flags, avx2, fu->bin + first, bins);
}

/* The same summed as they come, only the values near the ranks kept:
 * the trials are the next of their chunk (a block never straddles two),
 * which this thread takes whole and in order.  C is the evaluator's
 * column: a failed trial's number becomes NaN there. */
static void record_near(fig_use *fu, double *c, uint16_t *bin, size_t first,
                        size_t n, const unsigned *flags, bool avx2,
                        const unsigned char *near, size_t *bins) {
  store_sum *ss = fu->ss;
  chunk_sums *out = &ss->ch[first / CHUNK];
  size_t t = 0;
  if (avx2 && !flags && first % MC_LANES == 0) {
    /* Four at a time, in one pass: bins, moments and values kept. */
    if (out->cap < out->n_got + n)
      xgrow((void **)&out->got, &out->cap, out->n_got + n, sizeof *out->got);
    mc_moments mo = {ss->nmo, {0}, {0}, {0}, out->sum, out->sq};
    _Static_assert(MC_LANES == 4, "the moments' lanes are mc_near_avx2's");
    for (size_t m = 0; m < ss->nmo; m++) {
      fmap g = ss->mo[m].g;
      mo.mul[m] = g.kind == MAP_MONTH ? CAPPLAN_HOURS_PER_MONTH : g.c;
      mo.div[m] = g.kind == MAP_MONTH ? CAPPLAN_HOURS_PER_YEAR : 1;
      mo.s[m] = ss->mo[m].s;
    }
    t = mc_near_avx2(c, n, fu->kbase, fu->kshift, RADIX_BINS, bins, &mo, near,
                     out->got, &out->n_got);
  }
  bin_block(fu, c + t, n - t, flags, false, bin, bins);
  chunk_pass(ss, c + t, bin, 0, n - t, first + t, flags != NULL, near, out);
}

/* Keeping near: after W's first NARROW_FIRST trials, and each time its
 * trials double, each figure recorded by trial keeps from then on only
 * the bins near the ranks by W's own trials so far (near_window over its
 * counts by bin, a sample growing past the pilot's, so ever fewer bins). */
#define NARROW_FIRST ((size_t)4096)
static void narrow(worker *w) {
  const shared *sh = w->sh;
  size_t attempted = w->evaluated + w->failed;
  for (size_t f = 0; f < sh->n_figs; f++) {
    if (!w->near[f])
      continue;
    size_t run = 0;
    for (size_t b = 0; b < RADIX_BINS; b++) {
      run += w->bins[f][b];
      w->cum[b] = run;
    }
    if (run == 0)
      continue;
    near_window(counted_bin, w->cum, run, attempted, sh->n, sh->hist,
                w->near[f]);
    for (size_t b = 0; b < RADIX_BINS; b++)
      w->kept[f][b] &= w->near[f][b];
  }
}

/* Adds the N trials' FLAGS to W's counts (infeasible, each check passed)
 * but for those flagged LEAN_FALLBACK, which it counts and returns.  A
 * trial's flags are bits 0 to 6 (2 + ARRAY_LEN(w->pass)): the product
 * with SPREAD puts bit B at bit 8B (no two of its terms meet below bit
 * 56), so one addition a trial counts them all, a byte each - in two
 * sums, even trials and odd, so that a byte holds at most 128 of the
 * N <= 256.  A block with a failed trial (rare: its other bits must not
 * count) is counted trial by trial. */
static size_t count_flags(worker *w, const unsigned *flags, size_t n) {
  _Static_assert(2 + ARRAY_LEN(((worker *)0)->pass) <= 7 && BLOCK <= 256,
                 "a block's flags counted in the bytes of two words");
  const uint64_t spread = 0x0002040810204081ull, low = 0x0101010101010101ull;
  uint64_t even = 0, odd = 0;
  size_t t = 0;
  for (; t + 2 <= n; t += 2) {
    even += ((uint64_t)(flags[t] & 0x7F) * spread) & low;
    odd += ((uint64_t)(flags[t + 1] & 0x7F) * spread) & low;
  }
  if (t < n)
    even += ((uint64_t)(flags[t] & 0x7F) * spread) & low;
  size_t failed = (even & 0xFF) + (odd & 0xFF);
  if (failed == 0) {
    w->infeasible += (even >> 8 & 0xFF) + (odd >> 8 & 0xFF);
    for (size_t c = 0; c < ARRAY_LEN(w->pass); c++)
      w->pass[c] +=
          (even >> (8 * (2 + c)) & 0xFF) + (odd >> (8 * (2 + c)) & 0xFF);
    return 0;
  }
  for (t = 0; t < n; t++) {
    unsigned f = flags[t];
    if (f & LEAN_FALLBACK)
      continue;
    w->infeasible += (f & LEAN_INFEASIBLE) != 0;
    for (size_t c = 0; c < ARRAY_LEN(w->pass); c++)
      w->pass[c] += (f >> (2 + c)) & 1;
  }
  return failed;
}

static void *work(void *arg) {
  worker *w = arg;
  const shared *sh = w->sh;
  const uinputs *u = sh->u;
  size_t ni = u->n_ranged;
  if (!w->started)
    worker_start(w);
  for (size_t b = w->first; b < w->last; b += BLOCK) {
    size_t len = w->last - b < BLOCK ? w->last - b : BLOCK;
    size_t done = b - w->first;
    if (sh->near && done >= NARROW_FIRST && (done & (done - 1)) == 0)
      narrow(w);
    if (w->lk && w->mismatch) { /* before the draws: they may go to it */
      lean_free(w->lk);
      w->lk = NULL;
      use_columns(w);
    }
    for (size_t k = 0; k < ni; k++)
      dist_fill(&u->items[k].d, sh->tables, sh->keys[k], b, len, w->fill[k]);
    for (size_t off = 0; off < len; off += w->len) {
      size_t n = len - off < w->len ? len - off : w->len;
      size_t first = b + off;
      if (w->lk && w->mismatch) {
        lean_free(w->lk);
        w->lk = NULL;
        use_columns(w);
        n = len - off < w->len ? len - off : w->len;
      }
      const unsigned *flags = evaluate(w, first, off, n);
      size_t failed = count_flags(w, flags, n);
      for (size_t t = 0; failed && t < n; t++)
        if (flags[t] & LEAN_FALLBACK)
          sh->failed[first + t] = 1;
      w->failed += failed;
      w->evaluated += n - failed;
      if (sh->pilot) {
        for (size_t f = 0; f < sh->n_figs; f++)
          memcpy(sh->pilot + f * PILOT + first, w->col[f], n * sizeof(double));
        continue;
      }
      for (size_t f = 0; f < sh->n_figs; f++) {
        fig_use *fu = &sh->figs[f];
        double *c = w->col[f];
        if (fu->rec == REC_STORE) {
          if (sh->near)
            record_near(fu, c, w->block_bin, first, n, failed ? flags : NULL,
                        sh->tables->avx2, w->near[f], w->bins[f]);
          else
            record_all(fu, c, first, n, failed ? flags : NULL, sh->tables->avx2,
                       w->bins[f]);
        } else if (fu->rec == REC_COUNT) {
          counts_add_block(&w->counts[f], fu->mode, c, n, failed ? flags : NULL,
                           sh->tables->avx2);
        }
      }
    }
  }
  if (w != arg || sh->pilot == NULL)
    worker_stop(w);
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
  fmap g = {MAP_MUL, def->scale};
  f->plan = map_apply(g, *def->at(base, idx));
  fig_use *fu = &(*uses)[r->n_figs];
  memset(fu, 0, sizeof *fu);
  fu->def = def;
  fu->index = idx;
  fu->rec = REC_STORE;
  fu->map = g;
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

/* Whether an uncertain input of U sets hardware HW's cost. */
static bool cost_varies(const uinputs *u, size_t hw) {
  for (size_t k = 0; k < u->n_ranged; k++)
    for (size_t j = 0; j < u->items[k].n_targets; j++) {
      const input_target *t = &u->items[k].targets[j];
      if (t->array == PA_HW && t->index == hw &&
          t->offset == offsetof(hw_in, cost_per_year))
        return true;
    }
  return false;
}

/* Whether an uncertain input of U sets some hardware's GPUs. */
static bool gpus_vary(const uinputs *u) {
  for (size_t k = 0; k < u->n_ranged; k++)
    for (size_t j = 0; j < u->items[k].n_targets; j++) {
      const input_target *t = &u->items[k].targets[j];
      if (t->array == PA_HW && t->offset == offsetof(hw_in, gpus))
        return true;
    }
  return false;
}

/* The one pool of M with GPUs, a stage's own, when no range sets a
 * number of GPUs: the total's GPUs are then that stage's, the other
 * pools adding exact zeros (eval.c's totals).  Else M->n_stages. */
static size_t only_gpu_stage(const capplan_model *m, const uinputs *u) {
  size_t only = m->n_stages;
  if (m->n_groups || gpus_vary(u))
    return only;
  for (size_t i = 0; i < m->n_stages; i++) {
    const mstage *s = &m->stage[i];
    if (s->has_cache && m->base.hw[s->cache_hw].gpus != 0)
      return m->n_stages;
    if (m->base.hw[s->hw].gpus != 0) {
      if (only < m->n_stages)
        return m->n_stages;
      only = i;
    }
  }
  return only;
}

/* The figure of scope SC and element IDX named NAME, or N. */
static size_t fig_index(const fig_use *uses, size_t n, enum fig_scope sc,
                        size_t idx, const char *name) {
  for (size_t f = 0; f < n; f++)
    if (uses[f].def->scope == sc && uses[f].index == idx &&
        !strcmp(uses[f].def->name, name))
      return f;
  return n;
}

/* Figures that follow from another by the plan's own product: a pool's
 * GPUs (servers x GPUs per server) and cost (servers x the price, when
 * no range sets the price), the total's GPUs when one stage has them all
 * (only_gpu_stage), and the cost per month. */
static void derive(fig_use *uses, size_t n, const capplan_model *m,
                   const uinputs *u) {
  for (size_t f = 0; f < n; f++) {
    fig_use *fu = &uses[f];
    const fig_def *d = fu->def;
    size_t src = n;
    double c = 0;
    if (d->scope == SC_TOTAL && !strcmp(d->name, "cost_per_month")) {
      src = fig_index(uses, n, SC_TOTAL, 0, "cost_per_year");
      if (src < n) {
        fu->rec = REC_DERIVED;
        fu->src = src;
        fu->map = (fmap){MAP_MONTH, 1};
      }
      continue;
    }
    size_t one = m->n_stages;
    if (d->scope == SC_TOTAL && !strcmp(d->name, "gpus") &&
        (one = only_gpu_stage(m, u)) < m->n_stages) {
      src = fig_index(uses, n, SC_STAGE, one, "servers");
      if (src < n) {
        fu->rec = REC_DERIVED;
        fu->src = src;
        fu->map = (fmap){MAP_MUL, m->base.hw[m->stage[one].hw].gpus};
      }
      continue;
    }
    if (d->scope == SC_TOTAL)
      continue;
    size_t hw = d->scope == SC_GROUP   ? m->group[fu->index].hw
                : d->scope == SC_CACHE ? m->stage[fu->index].cache_hw
                                       : m->stage[fu->index].hw;
    if (!strcmp(d->name, "gpus"))
      c = m->base.hw[hw].gpus;
    else if (!strcmp(d->name, "cost_per_year") && !cost_varies(u, hw))
      c = m->base.hw[hw].cost_per_year;
    else
      continue;
    src = fig_index(uses, n, d->scope, fu->index, "servers");
    if (src < n) {
      fu->rec = REC_DERIVED;
      fu->src = src;
      fu->map = (fmap){MAP_MUL, c};
    }
  }
}

/* What the pilot saw of a figure: its distinct values, how many of
 * them came once (F1) and twice (F2), and their span; for a count (whose
 * distinct values and repeats decide nothing) only its span, and
 * DISTINCT 1 or 2 as it varies.  The N values of V go in order into
 * SORTED, but for a count. */
typedef struct pilot_seen {
  size_t distinct, f1, f2;
  double lo, hi;
} pilot_seen;

static pilot_seen pilot_values(const double *v, size_t n, bool count,
                               double *sorted) {
  pilot_seen ps = {0, 0, 0, 0, 0};
  if (n == 0)
    return ps;
  if (count) {
    /* A count is counted whatever its values: only whether it varies and
     * its span matter (the window), not how often each came. */
    ps.lo = ps.hi = v[0];
    for (size_t i = 1; i < n; i++) {
      ps.lo = v[i] < ps.lo ? v[i] : ps.lo;
      ps.hi = v[i] > ps.hi ? v[i] : ps.hi;
    }
    ps.distinct = ps.lo == ps.hi ? 1 : 2;
    return ps;
  }
  size_t same = 1;
  while (same < n && v[same] == v[0])
    same++;
  if (same == n) { /* one value: most figures of a large model */
    ps.distinct = 1;
    ps.lo = ps.hi = v[0];
    ps.f1 = n == 1;
    ps.f2 = n == 2;
    memcpy(sorted, v, n * sizeof *v);
    return ps;
  }
  /* In value order by the radix sort of merge_counts (a model with
   * thousands of figures sorts thousands of pilots). */
  vc *s = xmalloc(2 * n * sizeof *s);
  for (size_t i = 0; i < n; i++)
    s[i] = (vc){v[i], 1};
  sort_pairs(s, s + n, n);
  for (size_t i = 0; i < n; i++)
    sorted[i] = s[i].v;
  ps.lo = s[0].v;
  ps.hi = s[n - 1].v;
  for (size_t i = 0, j; i < n; i = j) {
    for (j = i + 1; j < n && s[j].v == s[i].v; j++)
      ;
    ps.distinct++;
    ps.f1 += j - i == 1;
    ps.f2 += j - i == 2;
  }
  free(s);
  return ps;
}

/* The distinct values the whole run can be expected to take, from the
 * pilot's: Chao's lower bound, d + f1 (f1 - 1) / (2 (f2 + 1)) (Chao 1984,
 * "Nonparametric estimation of the number of classes in a population",
 * Scand. J. Statistics 11; the bias-corrected form), which grows without
 * bound as values stop repeating.  Only speed rides on it: a figure is
 * summarised the same from counts whatever their number. */
static double pilot_classes(pilot_seen ps) {
  double f1 = (double)ps.f1, f2 = (double)ps.f2;
  return (double)ps.distinct + f1 * (f1 - 1) / (2 * (f2 + 1));
}

/* The bins of a figure recorded by trial, from the N values of its pilot:
 * their range of sort keys with half its width again on each side, in
 * RADIX_BINS bins. */
static void store_bins(fig_use *fu, const double *v, size_t n) {
  uint64_t lo = UINT64_MAX, hi = 0;
  for (size_t i = 0; i < n; i++) {
    uint64_t key = sort_key(v[i]);
    lo = key < lo ? key : lo;
    hi = key > hi ? key : hi;
  }
  uint64_t w = n ? hi - lo : 0;
  uint64_t span = w > UINT64_MAX / 2 ? UINT64_MAX : 2 * w;
  fu->kbase = lo > w / 2 ? lo - w / 2 : 0;
  fu->kshift = 0;
  while ((span >> fu->kshift) >= RADIX_BINS)
    fu->kshift++;
}

/* Whether FU is the figure with a histogram: the cost per year. */
static bool is_hist_fig(const fig_use *fu) {
  return fu->def->scope == SC_TOTAL && !strcmp(fu->def->name, "cost_per_year");
}

/* Summarises figure F of R from its numbers (its own, or those of the
 * figure it follows from), in an order no thread count changes. */
static void summarise(mc_result *r, fig_use *uses, size_t f, vc **pairs,
                      size_t *np, bool hist) {
  mc_fig *fig = &r->figs[f];
  const fig_use *fu = &uses[f];
  size_t src = fu->rec == REC_DERIVED ? fu->src : f;
  fmap g = fu->map;
  size_t ne = r->evaluated;
  size_t ranks[32];
  double stats[32] = {0};
  size_t k = summary_ranks(ne, hist, ranks);
  /* The histogram plots draw, when asked for: the cost per year's. */
  fig->has_hist = hist && is_hist_fig(fu);
  double sum = 0, sq = 0, per = 0;
  if (uses[src].rec == REC_COUNT) {
    const vc *pv = pairs[src]; /* merged before (summarise_all) */
    order_stats_counts(pv, np[src], ranks, k, stats);
    fill_quantiles(fig, ne, ranks, stats, k, g, hist);
    if (fig->has_hist && fig->hist_hi > fig->hist_lo)
      per = MC_BINS / (fig->hist_hi - fig->hist_lo);
    for (size_t i = 0; i < np[src]; i++) {
      double x = map_apply(g, pv[i].v), dx = x - fig->plan;
      sum += (double)pv[i].n * dx;
      sq += (double)pv[i].n * dx * dx;
      if (fig->has_hist)
        hist_add(fig, per, x, pv[i].n);
    }
  } else {
    /* Its order statistics and moments came with its numbers' pass
     * (summarise_all), its histogram comes after (hist_pass). */
    fill_quantiles(fig, ne, ranks, uses[src].stats, k, g, hist);
    sum = fu->mo->sum;
    sq = fu->mo->sq;
  }
  fill_moments(fig, ne, sum, sq);
}

/* Items 0 .. N - 1 of a phase, shared out among threads: thread j of K
 * takes j, j + K, ... */
typedef struct items_job {
  void (*fn)(void *ctx, size_t item);
  void *ctx;
  size_t first, step, n;
} items_job;

static void *items_work(void *arg) {
  items_job *j = arg;
  for (size_t i = j->first; i < j->n; i += j->step)
    j->fn(j->ctx, i);
  return NULL;
}

/* FN(CTX, i) for i in [0, N) on up to T threads (this one among them);
 * each item's result is its own, so no thread count changes them. */
static void run_items(size_t n, size_t t, void (*fn)(void *, size_t),
                      void *ctx) {
  size_t k = t < 8 ? t : 8;
  k = k > n ? n : k;
  if (k == 0)
    return;
  items_job jobs[8];
  pthread_t ids[8];
  bool started[8] = {false};
  for (size_t i = 0; i < k; i++) {
    jobs[i] = (items_job){fn, ctx, i, k, n};
    if (i > 0)
      started[i] = pthread_create(&ids[i], NULL, items_work, &jobs[i]) == 0;
  }
  for (size_t i = 1; i < k; i++)
    if (!started[i])
      items_work(&jobs[i]);
  items_work(&jobs[0]);
  for (size_t i = 1; i < k; i++)
    if (started[i])
      pthread_join(ids[i], NULL);
}

typedef struct sum_ctx {
  mc_result *r;
  fig_use *uses;
  vc **pairs;
  size_t *np;
  const unsigned char *failed;
  store_sum *ss; /* the figures recorded by trial */
  size_t n_ss, n_chunks;
  const size_t *list; /* every figure, those reading every trial first */
  bool hist;          /* the histogram asked for (mc_opts) */
} sum_ctx;

/* Item I: chunk I % n_chunks of stored figure I / n_chunks. */
static void pass_item(void *arg, size_t i) {
  sum_ctx *x = arg;
  store_sum *ss = &x->ss[i / x->n_chunks];
  size_t c = i % x->n_chunks, n = x->r->samples;
  const fig_use *fu = &x->uses[ss->f];
  size_t hi = (c + 1) * CHUNK < n ? (c + 1) * CHUNK : n;
  chunk_pass(ss, fu->values, fu->bin, c * CHUNK, hi, 0, x->r->failed > 0,
             ss->wanted, &ss->ch[c]);
}

static void summary_item(void *arg, size_t i) {
  sum_ctx *x = arg;
  summarise(x->r, x->uses, x->list[i], x->pairs, x->np, x->hist);
}

/* Item I: the histogram of chunk I % n_chunks of stored figure
 * I / n_chunks, when it has one. */
static void hist_item(void *arg, size_t i) {
  sum_ctx *x = arg;
  store_sum *ss = &x->ss[i / x->n_chunks];
  const mc_fig *fig = &x->r->figs[ss->f];
  if (!fig->has_hist)
    return;
  size_t c = i % x->n_chunks, n = x->r->samples;
  size_t hi = (c + 1) * CHUNK < n ? (c + 1) * CHUNK : n;
  double per =
      fig->hist_hi > fig->hist_lo ? MC_BINS / (fig->hist_hi - fig->hist_lo) : 0;
  const double *v = x->uses[ss->f].values;
  fmap g = x->uses[ss->f].map;
  size_t *h = ss->ch[c].hist;
  if (x->r->failed == 0 && g.kind == MAP_MUL && g.c == 1) {
    /* Every trial, its numbers its figures. */
    for (size_t t = c * CHUNK; t < hi; t++)
      h[hist_bin(fig, per, v[t])]++;
    return;
  }
  for (size_t t = c * CHUNK; t < hi; t++)
    if (!x->failed[t])
      h[hist_bin(fig, per, map_apply(g, v[t]))]++;
}

/* Whether figure F's summary reads every trial (its numbers, or those
 * it follows from, recorded by trial). */
static bool by_trial(const fig_use *uses, size_t f) {
  size_t src = uses[f].rec == REC_DERIVED ? uses[f].src : f;
  return uses[src].rec == REC_STORE;
}

/* The summaries on the way of the figures of R recorded by trial, made
 * before the trials run (those keeping near sum as the trials come): each
 * with its own moments and those of the figures that follow from it
 * (derive() gives a figure at most two), and N_CHUNKS chunks' sums.  Sets
 * each figure's 'ss'; their number in *N. */
static store_sum *store_sums_new(const mc_result *r, fig_use *uses,
                                 size_t n_chunks, size_t *n) {
  store_sum *all = xcalloc(r->n_figs + 1, sizeof *all);
  *n = 0;
  for (size_t f = 0; f < r->n_figs; f++) {
    if (uses[f].rec != REC_STORE)
      continue;
    store_sum *ss = &all[(*n)++];
    ss->f = f;
    for (size_t d = 0; d < r->n_figs && ss->nmo < 4; d++)
      if (d == f || (uses[d].rec == REC_DERIVED && uses[d].src == f)) {
        ss->mo[ss->nmo] = (moments){uses[d].map, r->figs[d].plan, 0, 0};
        ss->of[ss->nmo++] = d;
      }
    ss->ch = xcalloc(n_chunks + 1, sizeof *ss->ch);
    uses[f].ss = ss;
  }
  return all;
}

static void store_sums_free(store_sum *all, size_t n, size_t n_chunks) {
  for (size_t i = 0; i < n; i++) {
    for (size_t c = 0; c < n_chunks; c++)
      free(all[i].ch[c].got);
    free(all[i].ch);
    free(all[i].wanted);
    free(all[i].near);
  }
  free(all);
}

/* Counted figures' merged counts first (figures that follow from them
 * read them); then, for the figures recorded by trial, the bins of the
 * ranks wanted and (keeping all) the passes over their trials, a chunk
 * an item; each figure's summary; and the histogram of one recorded by
 * trial: every item shared out among up to T threads, and summed in an
 * order no thread count changes.  Returns false, summarising nothing,
 * when NEAR and a rank's bin is not among those whose values were kept. */
static bool summarise_all(mc_result *r, fig_use *uses, counts **cs, size_t t,
                          const unsigned char *failed, vc **pairs, size_t *np,
                          store_sum *sums, size_t n_ss, size_t n_chunks,
                          bool near, bool hist) {
  size_t ranks[32];
  size_t k = summary_ranks(r->evaluated, hist, ranks);
  for (size_t i = 0; i < n_ss; i++) {
    store_sum *ss = &sums[i];
    ss->wanted = xcalloc(RADIX_BINS, 1);
    ss->k = place_ranks(ss, uses[ss->f].bins, ranks, k);
    for (size_t j = 0; near && j < ss->k; j++)
      if (!ss->near[ss->bin_of[j]])
        return false;
  }
  for (size_t f = 0; f < r->n_figs; f++)
    if (uses[f].rec == REC_COUNT)
      pairs[f] = merge_counts(cs, t, f, &np[f]);
  sum_ctx x = {r, uses, pairs, np, failed, sums, n_ss, n_chunks, NULL, hist};
  if (!near)
    run_items(n_ss * n_chunks, t, pass_item, &x);
  for (size_t i = 0; i < n_ss; i++) {
    store_sum *ss = &sums[i];
    fig_use *fu = &uses[ss->f];
    store_finish(ss, n_chunks, fu->bins, fu->kbase, fu->kshift, fu->stats);
    for (size_t m = 0; m < ss->nmo; m++) {
      uses[ss->of[m]].mo = xmalloc(sizeof(moments));
      *uses[ss->of[m]].mo = ss->mo[m];
    }
  }
  /* Every figure's summary, those that read every trial first. */
  size_t *list = xmalloc((r->n_figs + 1) * sizeof *list), nl = 0;
  for (size_t f = 0; f < r->n_figs; f++)
    if (by_trial(uses, f))
      list[nl++] = f;
  for (size_t f = 0; f < r->n_figs; f++)
    if (!by_trial(uses, f))
      list[nl++] = f;
  x.list = list;
  run_items(nl, t, summary_item, &x);
  if (!near)
    run_items(n_ss * n_chunks, t, hist_item, &x);
  for (size_t i = 0; i < n_ss; i++) {
    mc_fig *fig = &r->figs[sums[i].f];
    for (size_t c = 0; c < n_chunks && fig->has_hist; c++)
      for (size_t b = 0; b < MC_BINS; b++)
        fig->hist[b] += sums[i].ch[c].hist[b];
  }
  free(list);
  return true;
}

/* Whether the figures recorded by trial keep only their values near the
 * ranks wanted (KEEP, MC_AUTO: when each of the T threads takes at least
 * four chunks of the N_CHUNKS, so that none waits long on another; and
 * never when a plot's histogram reads every trial of one of them). */
static bool keep_near(enum mc_keep keep, const fig_use *uses, size_t n_figs,
                      bool hist, size_t n_chunks, size_t t) {
  bool any = false;
  for (size_t f = 0; f < n_figs; f++) {
    const fig_use *fu = &uses[f];
    size_t src = fu->rec == REC_DERIVED ? fu->src : f;
    any |= fu->rec == REC_STORE;
    if (hist && is_hist_fig(fu) && uses[src].rec == REC_STORE)
      return false;
  }
  if (!any || keep == MC_KEEP_ALL)
    return false;
  return keep != MC_AUTO || n_chunks >= 4 * t;
}

/* mc_run's trials and summaries, the figures recorded by trial keeping
 * their values the way KEEP says; NULL when they kept only those near the
 * ranks wanted and a rank fell outside them. */
static mc_result *run(const capplan_model *m, const uinputs *u,
                      const check_limit *limits, size_t n_limits,
                      const plan *base, const mc_opts *o, enum mc_keep keep) {
  mc_result *r = xcalloc(1, sizeof *r);
  r->arena = arena_new();
  r->samples = o->samples;
  r->seed = o->seed;
  r->confidence = o->confidence;
  size_t n = o->samples;
  fig_use *uses = NULL;
  add_figs(r, m, base, &uses);
  derive(uses, r->n_figs, m, u);
  dist_tables *tables = xmalloc(sizeof *tables);
  dist_tables_init(tables);
  shared sh = {m,    u,     limits,     n_limits,    tables,
               NULL, uses,  r->n_figs,  NULL,        true,
               NULL, false, o->samples, o->histogram};
  sh.keys = xmalloc((u->n_ranged + 1) * sizeof *sh.keys);
  for (size_t k = 0; k < u->n_ranged; k++)
    sh.keys[k] = dist_key(o->seed, k);
  sh.failed = xcalloc(n + 1, 1);

  unsigned t = o->threads ? o->threads : mc_cores();
  size_t pilot = n < PILOT ? n : PILOT;
  size_t rest_blocks = (n - pilot + BLOCK - 1) / BLOCK;
  if (t > rest_blocks)
    t = rest_blocks ? (unsigned)rest_blocks : 1;
  worker *ws = xcalloc(t, sizeof *ws);
  counts **cs = xmalloc(t * sizeof *cs);
  pthread_t *ids = xmalloc(t * sizeof *ids);
  for (unsigned k = 0; k < t; k++) {
    ws[k].sh = &sh;
    ws[k].counts = xcalloc(r->n_figs + 1, sizeof(counts));
    cs[k] = ws[k].counts;
    ws[k].bins = xcalloc(r->n_figs + 1, sizeof *ws[k].bins);
  }

  /* The pilot: the first trials on this thread, the lean evaluator
   * checked against plan_eval on its first CHECKED. */
  sh.pilot = xmalloc((r->n_figs * PILOT + 1) * sizeof(double));
  ws[0].first = 0;
  ws[0].last = pilot;
  work(&ws[0]);
  r->lean = ws[0].lk != NULL && !ws[0].mismatch;
  sh.use_lean = r->lean;
  for (size_t f = 0; f < r->n_figs; f++) {
    fig_use *fu = &uses[f];
    if (fu->rec == REC_DERIVED)
      continue;
    /* Counts whole numbers by value; others too when they take few. */
    const double *pv = sh.pilot + f * PILOT;
    size_t ok = 0;
    double *vals = xmalloc((pilot + 1) * sizeof *vals);
    for (size_t i = 0; i < pilot; i++)
      if (!sh.failed[i])
        vals[ok++] = pv[i];
    /* Whole numbers fall in a window of counts; other figures with few
     * values (an availability takes one per count of servers) cost a
     * hash a trial, cheaper than selecting among many equal values. */
    bool count = fu->def->unit == FU_COUNT;
    double *sorted = count ? NULL : xmalloc((ok + 1) * sizeof *sorted);
    pilot_seen seen = pilot_values(vals, ok, count, sorted);
    fu->rec = fu->def->unit == FU_COUNT || seen.distinct <= FEW_VALUES ||
                      pilot_classes(seen) <= MANY_VALUES
                  ? REC_COUNT
                  : REC_STORE;
    bool whole_all = true;
    for (size_t i = 0; i < ok && whole_all; i++)
      whole_all = whole(vals[i]) && fabs(vals[i]) < 1e15;
    /* A window only where the pilot's span leaves it room to spread. */
    fu->mode = seen.distinct <= 1 ? CM_SAME
               : whole_all && seen.hi - seen.lo < (double)(WINDOW_MAX / 4)
                   ? CM_WINDOW
                   : CM_TABLE;
    for (unsigned k = 0; k < t; k++)
      ws[k].counts[f].table_only = fu->mode == CM_TABLE;
    if (fu->rec == REC_STORE) {
      store_bins(fu, vals, ok);
      for (unsigned k = 0; k < t; k++)
        ws[k].bins[f] = xcalloc(RADIX_BINS, sizeof(size_t));
      fu->pilot_sorted = sorted;
      fu->pilot_ok = ok;
    } else {
      free(sorted);
    }
    free(vals);
  }
  size_t n_chunks = (n + CHUNK - 1) / CHUNK, n_ss;
  sh.near = keep_near(keep, uses, r->n_figs, o->histogram, n_chunks, t);
  r->near = sh.near;
  store_sum *sums = store_sums_new(r, uses, n_chunks, &n_ss);
  /* The pilot's values of a figure, in trial order (NaN where failed). */
  double *trial = xmalloc((pilot + 1) * sizeof *trial);
  uint16_t *pbin = xmalloc((pilot + 1) * sizeof *pbin);
  unsigned *flags = xmalloc((pilot + 1) * sizeof *flags);
  const unsigned *holes = NULL; /* FLAGS when a pilot trial failed */
  for (size_t i = 0; i < pilot; i++) {
    flags[i] = sh.failed[i] ? LEAN_FALLBACK : 0;
    holes = sh.failed[i] ? flags : holes;
  }
  for (size_t f = 0; f < r->n_figs; f++) {
    fig_use *fu = &uses[f];
    const double *pv = sh.pilot + f * PILOT;
    if (fu->rec == REC_COUNT) {
      for (size_t i = 0; i < pilot; i++)
        if (!sh.failed[i])
          counts_add(&ws[0].counts[f], pv[i]);
      continue;
    }
    if (fu->rec != REC_STORE)
      continue;
    /* The pilot's trials are the first of chunk 0, ws[0]'s. */
    memcpy(trial, pv, pilot * sizeof *trial);
    if (sh.near) {
      /* The bins near the ranks from the pilot's values in order, then
       * the pilot's trials recorded as any others. */
      fu->ss->near = xcalloc(RADIX_BINS, 1);
      if (keep != MC_KEEP_NEAR_NONE)
        near_window(sorted_bin, &(sorted_at){fu, fu->pilot_sorted},
                    fu->pilot_ok, pilot, n, o->histogram, fu->ss->near);
      record_near(fu, trial, pbin, 0, pilot, holes, false, fu->ss->near,
                  ws[0].bins[f]);
    } else {
      fu->values = big_alloc((n + 1) * sizeof(double));
      fu->bin = big_alloc((n + 1) * sizeof *fu->bin);
      record_all(fu, trial, 0, pilot, holes, false, ws[0].bins[f]);
    }
    free(fu->pilot_sorted);
    fu->pilot_sorted = NULL;
  }
  free(flags);
  free(pbin);
  free(trial);
  free(sh.pilot);
  sh.pilot = NULL;
  for (unsigned k = 0; k < t && sh.near; k++) {
    ws[k].near = xcalloc(r->n_figs + 1, sizeof *ws[k].near);
    ws[k].kept = xcalloc(r->n_figs + 1, sizeof *ws[k].kept);
    ws[k].cum = xmalloc(RADIX_BINS * sizeof *ws[k].cum);
    for (size_t f = 0; f < r->n_figs; f++)
      if (uses[f].rec == REC_STORE) {
        ws[k].near[f] = xmalloc(RADIX_BINS);
        ws[k].kept[f] = xmalloc(RADIX_BINS);
        memcpy(ws[k].near[f], uses[f].ss->near, RADIX_BINS);
        memcpy(ws[k].kept[f], uses[f].ss->near, RADIX_BINS);
      }
  }
  if (ws[0].lk && !r->lean) {
    lean_free(ws[0].lk);
    ws[0].lk = NULL;
    use_columns(&ws[0]);
  }

  /* The rest: whole blocks per thread; keeping near, whole chunks (the
   * pilot's among ws[0]'s). */
  for (unsigned k = 0; k < t; k++) {
    if (sh.near) {
      ws[k].first = n_chunks * k / t * CHUNK;
      ws[k].last = n_chunks * (k + 1) / t * CHUNK;
      ws[k].first = ws[k].first < pilot ? pilot : ws[k].first;
    } else {
      ws[k].first = pilot + rest_blocks * k / t * BLOCK;
      ws[k].last = pilot + rest_blocks * (k + 1) / t * BLOCK;
    }
    if (ws[k].last > n)
      ws[k].last = n;
    if (ws[k].first > ws[k].last)
      ws[k].first = ws[k].last;
  }
  bool *joined = xcalloc(t, sizeof *joined);
  for (unsigned k = 1; k < t; k++)
    if (pthread_create(&ids[k], NULL, work, &ws[k]) != 0) {
      work(&ws[k]); /* no thread: its trials here, the same result */
      joined[k] = true;
    }
  work(&ws[0]);
  for (unsigned k = 1; k < t; k++)
    if (!joined[k])
      pthread_join(ids[k], NULL);
  free(joined);
  size_t pass[5] = {0};
  for (unsigned k = 0; k < t; k++) {
    for (size_t f = 0; f < r->n_figs; f++) {
      if (!ws[k].bins[f])
        continue;
      if (!uses[f].bins)
        uses[f].bins = xcalloc(RADIX_BINS, sizeof(size_t));
      for (size_t b = 0; b < RADIX_BINS; b++)
        uses[f].bins[b] += ws[k].bins[f][b];
    }
    for (size_t f = 0; sh.near && f < r->n_figs; f++) {
      if (!ws[k].kept[f])
        continue;
      for (size_t b = 0; b < RADIX_BINS; b++)
        uses[f].ss->near[b] &= ws[k].kept[f][b];
      free(ws[k].near[f]);
      free(ws[k].kept[f]);
    }
    if (sh.near) {
      free(ws[k].near);
      free(ws[k].kept);
      free(ws[k].cum);
    }
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

  /* Figures: each summarised on its own (in an order no thread count
   * changes), the figures shared out among the threads. */
  vc **pairs = xcalloc(r->n_figs + 1, sizeof *pairs);
  size_t *np = xcalloc(r->n_figs + 1, sizeof *np);
  bool missed = r->evaluated > 0 &&
                !summarise_all(r, uses, cs, t, sh.failed, pairs, np, sums, n_ss,
                               n_chunks, sh.near, o->histogram);
  store_sums_free(sums, n_ss, n_chunks);
  for (size_t f = 0; f < r->n_figs; f++)
    free(pairs[f]);
  free(pairs);
  free(np);
  for (unsigned k = 0; k < t; k++) {
    for (size_t f = 0; f < r->n_figs; f++)
      counts_free(&cs[k][f]);
    free(cs[k]);
    for (size_t f = 0; f < r->n_figs; f++)
      free(ws[k].bins[f]);
    free(ws[k].bins);
  }
  for (size_t f = 0; f < r->n_figs; f++) {
    big_free(uses[f].values, (n + 1) * sizeof(double));
    big_free(uses[f].bin, (n + 1) * sizeof *uses[f].bin);
    free(uses[f].bins);
    free(uses[f].mo);
  }
  free(uses);
  free(cs);
  free(ws);
  free(ids);
  free(sh.keys);
  free(sh.failed);
  free(tables);
  if (missed) {
    mc_free(r);
    return NULL;
  }
  return r;
}

mc_result *mc_run(const capplan_model *m, const uinputs *u,
                  const check_limit *limits, size_t n_limits, const plan *base,
                  const mc_opts *o) {
  mc_result *r = run(m, u, limits, n_limits, base, o, o->keep);
  if (!r) { /* a rank outside the values kept near: every value, then */
    r = run(m, u, limits, n_limits, base, o, MC_KEEP_ALL);
    r->missed = true;
  }
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

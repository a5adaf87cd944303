/*
 * des.c - the discrete-event simulation engine (des.h; docs/simulation.md).
 *
 * One pass of event processing per replication.  The shape of the work:
 *
 *   arrival -> request -> visits of stages -> invocations -> slots
 *
 * The key economy: every slot serves in FCFS order, and invocations reach a
 * stage in time order (events are processed in time order), so when an
 * invocation arrives its start is already known: the earliest time one of
 * the slots is free (the Kiefer-Wolfowitz recursion for G/G/c; Kiefer and
 * Wolfowitz, "On the theory of queues with many servers", Trans. AMS 78,
 * 1955).  A min-heap of the slots' free times gives it in O(log c), and
 * the invocation's completion goes straight into the event heap: no queue
 * objects and no "service starts" events.  Batching stages hold real
 * queues, because a batch closes on a timer or on a count.
 *
 * Routing draws (stops, which alternative) are counter-based, a pure
 * function of (request key, stage, visit number), so a fork-join can count
 * in advance how many paths will reach it (pre-routing) and the live run
 * makes the same choices.  Statistics are kept per section (replication,
 * or batch of one run) and folded into the pooled figures as each section
 * ends, so memory does not grow with the number of requests.
 */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF /* same bits on every target: simrng.h */
#endif

#include "des.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simhist.h"
#include "simrng.h"
#include "util.h"

#define BATCH_SECTIONS                                                         \
  20 /* batch means with one replication (Schmeiser                            \
        1982: 10 to 30 batches) */
#define DEFAULT_MAX_QUEUE 1000000u
#define DEFAULT_MAX_IN_FLIGHT 4000000u
#define NONE UINT32_MAX

/* ---- events ----------------------------------------------------------- */

enum { EV_SERVED = 0, EV_HIT = 1, EV_BATCH = 2, EV_TIMER = 3 };
#define EV_SHIFT 30
#define EV_MASK ((1u << EV_SHIFT) - 1)

/* Ties in time go first in, first out (by SEQ), so equal times, common
 * with deterministic service, are ordered the same way everywhere. */
typedef struct ev {
  double t;
  uint32_t seq;
  uint32_t what; /* kind << 30 | index */
} ev;

typedef struct evheap {
  ev *a;
  size_t n, cap;
  uint32_t seq;
} evheap;

static inline int ev_before(const ev *x, const ev *y) {
  return x->t < y->t || (x->t == y->t && x->seq < y->seq);
}

static void evheap_push(evheap *h, double t, uint32_t kind, uint32_t idx) {
  if (h->n == h->cap)
    xgrow((void **)&h->a, &h->cap, h->n + 1, sizeof(ev));
  ev e = {t, h->seq++, kind << EV_SHIFT | idx};
  size_t i = h->n++;
  while (i > 0) {
    size_t p = (i - 1) / 2;
    if (!ev_before(&e, &h->a[p]))
      break;
    h->a[i] = h->a[p];
    i = p;
  }
  h->a[i] = e;
}

static ev evheap_pop(evheap *h) {
  ev top = h->a[0];
  ev last = h->a[--h->n];
  size_t n = h->n, i = 0;
  if (n == 0)
    return top;
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= n)
      break;
    if (c + 1 < n && ev_before(&h->a[c + 1], &h->a[c]))
      c++;
    if (!ev_before(&h->a[c], &last))
      break;
    h->a[i] = h->a[c];
    i = c;
  }
  h->a[i] = last;
  return top;
}

/* Replaces the smallest free time of the slot heap A (N slots) by V. */
static inline void slots_replace_top(double *a, uint32_t n, double v) {
  uint32_t i = 0;
  for (;;) {
    uint32_t c = 2 * i + 1;
    if (c >= n)
      break;
    if (c + 1 < n && a[c + 1] < a[c])
      c++;
    if (!(a[c] < v))
      break;
    a[i] = a[c];
    i = c;
  }
  a[i] = v;
}

/* ---- service-time sampling --------------------------------------------- */

typedef struct sampler {
  sim_service kind; /* DETERMINISTIC also for cv 0 */
  double shape;     /* gamma: 1 / cv^2 */
  double sigma;     /* lognormal: sqrt(ln(1 + cv^2)) */
  double half_var;  /* lognormal: sigma^2 / 2 */
} sampler;

static sampler sampler_make(sim_service kind, double cv) {
  sampler s = {kind, 0, 0, 0};
  if ((kind == SIM_GAMMA || kind == SIM_LOGNORMAL) && !(cv > 0))
    s.kind = SIM_DETERMINISTIC;
  if (s.kind == SIM_GAMMA)
    s.shape = 1 / (cv * cv);
  if (s.kind == SIM_LOGNORMAL) {
    /* Mean m and cv give sigma^2 = ln(1 + cv^2), mu = ln m - sigma^2 / 2
     * (the lognormal's moments). */
    double v = simrng_log(1 + cv * cv);
    s.sigma = sqrt(v);
    s.half_var = v / 2;
  }
  return s;
}

static inline double sample(const sampler *s, simrng *r, const simrng_zig *z,
                            double mean) {
  switch (s->kind) {
  case SIM_EXPONENTIAL:
    return mean * simrng_exp1_zig(r, z);
  case SIM_GAMMA:
    return mean * simrng_gamma(r, s->shape) / s->shape;
  case SIM_LOGNORMAL:
    return mean * simrng_exp(s->sigma * simrng_normal(r) - s->half_var);
  case SIM_DETERMINISTIC:
  default:
    return mean;
  }
}

/* ---- the network ------------------------------------------------------- */

typedef struct item {
  double arrival;
  uint32_t visit;
} item;

typedef struct batch {
  uint32_t stage, accel, n, next_free;
  item *items; /* max_batch of them */
} batch;

typedef struct accelq {
  item *a; /* ring buffer */
  size_t head, n, cap;
  int busy;
} accelq;

typedef struct stage_rt {
  const sim_stage *in;
  /* Children: forks always get a token; alternatives by a draw. */
  uint32_t *forks, n_forks;
  uint32_t *alts, n_alts;
  double *alt_cum; /* cumulative shares, or each share when !exclusive */
  int alt_exclusive;
  int sync;           /* join_all with two or more parents */
  int32_t sync_slot;  /* per-request counter of paths still to come */
  int32_t multi_slot; /* per-request visit counter, if visited many times */
  int random_routing; /* stops > 0 or alternatives */
  uint32_t calls_floor;
  double calls_frac;
  uint32_t slots;
  double *free_at; /* slot heap(s): one of `slots`, or one per server */
  sampler svc;
  uint64_t in_system; /* invocations here: waiting, batching or served */
  uint64_t bound;     /* in_system past this: overload */
  /* Batching. */
  int batching;
  uint32_t batch_free; /* free list of batch records */
  uint32_t open;       /* shared: the batch being filled, or NONE */
  double open_deadline;
  uint32_t accel_base; /* per-accelerator: first global accelerator id */
  double capacity;     /* invocations/s at full batches (offered load) */
} stage_rt;

/* ---- statistics -------------------------------------------------------- */

enum {
  M_MEAN,
  M_P50,
  M_P95,
  M_P99,
  M_P999,
  M_VRATE,
  M_IRATE,
  M_UTIL,
  M_OFFER,
  M_QUEUE,
  M_WAIT,
  M_BATCH,
  M_COUNT
};

typedef struct acc {
  uint64_t visits, invocations, batches, batch_items;
  double lat_sum, busy, wait;
  simhist *h; /* created on the first visit */
} acc;

typedef struct section {
  acc *st; /* n_stages, then end to end at [n_stages] */
  uint64_t admitted, outstanding;
  double t0, t1;
  int closed; /* no more arrivals will join it */
  struct section *next_free;
} section;

/* Welford's running mean and variance of the section estimates. */
typedef struct welford {
  double n, mean, m2;
} welford;

static void welford_add(welford *w, double x) {
  w->n += 1;
  double d = x - w->mean;
  w->mean += d / w->n;
  w->m2 += d * (x - w->mean);
}

/* ---- the simulation state ---------------------------------------------- */

typedef struct req {
  double arrival;
  uint64_t key;
  uint32_t live, sync_live;
  int32_t section;
  uint32_t next_free;
} req;

typedef struct visit {
  double start;
  uint32_t req, stage, pending, to_issue, index, next_free;
} visit;

typedef struct sim {
  const sim_input *in;
  size_t n;     /* stages */
  stage_rt *st; /* n + 1: [n] is the virtual root feeding entry stages */
  uint32_t n_sync, n_multi, stride;
  int any_random;
  sampler arrivals;

  simrng rng;
  simrng_zig zig;
  evheap heap;
  double now;
  uint64_t events, arrived;

  req *reqs;
  size_t reqs_cap, n_reqs;
  uint32_t req_free;
  uint64_t in_flight;
  uint32_t *extra; /* stride per request: join counters, visit counters */
  size_t extra_cap;

  visit *visits;
  size_t visits_cap, n_visits;
  uint32_t visit_free;

  batch *batches;
  size_t batches_cap, n_batches;

  accelq *accels;
  uint32_t *accel_stage; /* stage of each accelerator */
  uint32_t n_accels;

  /* Pre-routing scratch: paths reaching each stage. */
  uint32_t *tokens;

  /* Sections of the current replication. */
  uint32_t n_sections; /* in this replication */
  uint32_t cur_section;
  section **sec; /* n_sections: open or NULL */
  section *sec_free;
  uint64_t warm_n, measure_n; /* requests mode */
  uint64_t next_first;        /* first request of the next section */
  double warm_t, section_dt;  /* duration mode */

  /* Pooled over every finished section. */
  acc *pool;     /* n + 1 */
  welford *wf;   /* (n + 1) x M_COUNT */
  double *lag_x; /* batch means: (n + 1) x n_sections mean latencies */
  uint8_t *lag_have;
  double pool_time; /* seconds measured */
  uint64_t pool_admitted;
  uint32_t pool_sections;
  int *overloaded; /* n: a queue passed its bound */
  int abort;

  /* Progress. */
  double progress_next;

  /* Cool-down (sim_input.cooldown): arrivals go on, unmeasured, until
   * every section is finished. */
  int cooling;
  uint32_t sections_open;
} sim;

__attribute__((format(printf, 3, 4))) static void fail(char *err, size_t size,
                                                       const char *fmt, ...) {
  if (!err || size == 0)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, size, fmt, ap);
  va_end(ap);
}

void sim_input_init(sim_input *in) {
  memset(in, 0, sizeof *in);
  in->arrival_cv = 1;
  in->warmup = -1;
  in->replications = 1;
  in->seed = 1;
}

void sim_stage_init(sim_stage *s) {
  memset(s, 0, sizeof *s);
  s->join_all = true;
  s->share = 1;
  s->calls = 1;
  s->servers = 1;
  s->concurrency = 1;
  s->service = SIM_EXPONENTIAL;
  s->service_cv = 1;
}

/* A finite number within [LO, HI]. */
static int in_range(double x, double lo, double hi) {
  return x >= lo && x <= hi;
}

static const char *stage_name(const sim_stage *s) {
  return s->name ? s->name : "";
}

static int validate(const sim_input *in, char *err, size_t size) {
  if (!in || !in->stages || in->n_stages == 0) {
    fail(err, size, "no stages to simulate");
    return -1;
  }
  if (in->n_stages >= (1u << 28)) {
    fail(err, size, "too many stages to simulate: %zu", in->n_stages);
    return -1;
  }
  if (!in_range(in->lambda, 1e-300, 1e15)) {
    fail(err, size, "the arrival rate must be positive and finite");
    return -1;
  }
  if (!in_range(in->arrival_cv, 0, 1e3)) {
    fail(err, size, "arrival_cv must be in [0, 1000]");
    return -1;
  }
  if ((in->requests > 0) == (in->duration > 0)) {
    fail(err, size, "give either a number of requests or a duration");
    return -1;
  }
  if (in->requests == 0 && !in_range(in->duration, 1e-300, 1e15)) {
    fail(err, size, "the duration must be positive and finite");
    return -1;
  }
  if (in->requests >= ((uint64_t)1 << 53)) {
    fail(err, size, "at most 2^53 requests per replication");
    return -1;
  }
  if (in->warmup == in->warmup && in->warmup >= 0) {
    if (in->requests > 0 && !(in->warmup < (double)in->requests)) {
      fail(err, size, "the warm-up (%.0f requests) leaves none to measure",
           in->warmup);
      return -1;
    }
    if (in->requests == 0 && !(in->warmup < in->duration)) {
      fail(err, size, "the warm-up (%g s) leaves no time to measure",
           in->warmup);
      return -1;
    }
  } else if (in->warmup != in->warmup) {
    fail(err, size, "the warm-up is not a number");
    return -1;
  }
  uint64_t total_slots = 0;
  for (size_t i = 0; i < in->n_stages; i++) {
    const sim_stage *s = &in->stages[i];
    const char *nm = stage_name(s);
#define BAD(...)                                                               \
  do {                                                                         \
    char what[160];                                                            \
    snprintf(what, sizeof what, __VA_ARGS__);                                  \
    fail(err, size, "stage %zu ('%s'): %s", i, nm, what);                      \
    return -1;                                                                 \
  } while (0)
    if (s->n_parents && !s->parents)
      BAD("parents missing");
    for (size_t k = 0; k < s->n_parents; k++) {
      if (s->parents[k] >= i)
        BAD("parent %zu is not an earlier stage (stages go in topological "
            "order)",
            s->parents[k]);
      for (size_t j = 0; j < k; j++)
        if (s->parents[j] == s->parents[k])
          BAD("parent %zu is listed twice", s->parents[k]);
      if (in->stages[s->parents[k]].async && !s->async)
        BAD("follows async stage %zu, so it must be async too", s->parents[k]);
    }
    if (!in_range(s->share, 0, 1))
      BAD("share must be in [0, 1]");
    if (!in_range(s->calls, 0, 1e6))
      BAD("calls must be in [0, 1e6]");
    if (!in_range(s->cache_hit, 0, 1))
      BAD("cache_hit must be in [0, 1]");
    if (!in_range(s->hit_latency, 0, 1e9))
      BAD("hit_latency must be in [0, 1e9] s");
    if (!in_range(s->stops, 0, 1))
      BAD("stops must be in [0, 1]");
    if (s->servers < 1 || s->concurrency < 1)
      BAD("needs at least one server and one slot per server");
    total_slots += (uint64_t)s->servers * s->concurrency;
    if (total_slots > (1u << 26))
      BAD("more than 2^26 slots in all");
    if (s->service > SIM_GAMMA)
      BAD("unknown service distribution");
    if (s->balancer > SIM_RANDOM)
      BAD("unknown balancer");
    if (!in_range(s->service_mean, 0, 1e9))
      BAD("service time must be in [0, 1e9] s");
    if (!in_range(s->service_cv, 0, 1e3))
      BAD("service_cv must be in [0, 1000]");
    if (s->batching.enabled) {
      const sim_batching *b = &s->batching;
      if (!in_range(b->window, 0, 1e9))
        BAD("batch window must be in [0, 1e9] s");
      if (b->max_batch < 1 || b->max_batch > (1u << 20))
        BAD("max_batch must be in [1, 2^20]");
      if (!in_range(b->base, 0, 1e9) || !in_range(b->per_item, 0, 1e9))
        BAD("batch time must be in [0, 1e9] s");
      if (b->placement > SIM_BATCH_PER_ACCELERATOR)
        BAD("unknown batch placement");
    }
#undef BAD
  }
  return 0;
}

/* ---- setup ------------------------------------------------------------- */

static void build_routing(sim *S) {
  size_t n = S->n;
  const sim_stage *in = S->in->stages;
  /* Count children per parent (root = n). */
  uint32_t *nf = xcalloc(n + 1, sizeof(uint32_t));
  uint32_t *na = xcalloc(n + 1, sizeof(uint32_t));
  uint8_t *multi = xcalloc(n + 1, 1);
  for (size_t i = 0; i < n; i++) {
    stage_rt *r = &S->st[i];
    r->sync = in[i].join_all && in[i].n_parents >= 2;
    r->sync_slot = r->sync ? (int32_t)S->n_sync++ : -1;
    if (!r->sync) {
      if (in[i].n_parents >= 2)
        multi[i] = 1;
      for (size_t k = 0; k < in[i].n_parents; k++)
        if (multi[in[i].parents[k]])
          multi[i] = 1;
    }
    r->multi_slot = multi[i] ? (int32_t)S->n_multi++ : -1;
  }
  for (size_t i = 0; i < n; i++) {
    const sim_stage *s = &in[i];
    int fork = S->st[i].sync || s->share >= 1;
    int never = !S->st[i].sync && !(s->share > 0);
    if (never)
      continue;
    if (s->n_parents == 0) {
      (fork ? nf : na)[n]++;
      continue;
    }
    for (size_t k = 0; k < s->n_parents; k++)
      (fork ? nf : na)[s->parents[k]]++;
  }
  for (size_t p = 0; p <= n; p++) {
    S->st[p].forks = xmalloc((nf[p] ? nf[p] : 1) * sizeof(uint32_t));
    S->st[p].alts = xmalloc((na[p] ? na[p] : 1) * sizeof(uint32_t));
    S->st[p].alt_cum = xmalloc((na[p] ? na[p] : 1) * sizeof(double));
  }
  for (size_t i = 0; i < n; i++) {
    const sim_stage *s = &in[i];
    int fork = S->st[i].sync || s->share >= 1;
    if (!S->st[i].sync && !(s->share > 0))
      continue;
    size_t np = s->n_parents ? s->n_parents : 1;
    for (size_t k = 0; k < np; k++) {
      stage_rt *p = &S->st[s->n_parents ? s->parents[k] : n];
      if (fork)
        p->forks[p->n_forks++] = (uint32_t)i;
      else {
        p->alts[p->n_alts] = (uint32_t)i;
        p->alt_cum[p->n_alts] = s->share;
        p->n_alts++;
      }
    }
  }
  for (size_t p = 0; p <= n; p++) {
    stage_rt *r = &S->st[p];
    double sum = 0;
    for (uint32_t k = 0; k < r->n_alts; k++)
      sum += r->alt_cum[k];
    /* Alternatives whose shares add up to at most 1 exclude each other:
     * one uniform picks at most one of them.  Past 1 they cannot; each is
     * then drawn on its own, which keeps every child's share of the flow
     * (the analytic flow of SPEC.md section 2) but lets a request take
     * several of them. */
    r->alt_exclusive = sum <= 1 + 1e-12;
    if (r->alt_exclusive)
      for (uint32_t k = 1; k < r->n_alts; k++)
        r->alt_cum[k] += r->alt_cum[k - 1];
    r->random_routing = r->n_alts > 0 || (p < n && in[p].stops > 0) ||
                        (p < n && r->sync && in[p].share < 1);
    if (r->random_routing)
      S->any_random = 1;
  }
  S->stride = S->n_sync + S->n_multi;
  free(nf);
  free(na);
  free(multi);
}

static void build_stages(sim *S) {
  size_t n = S->n;
  S->st = xcalloc(n + 1, sizeof(stage_rt));
  for (size_t i = 0; i < n; i++) {
    stage_rt *r = &S->st[i];
    const sim_stage *s = &S->in->stages[i];
    r->in = s;
    double fl = floor(s->calls);
    r->calls_floor = (uint32_t)fl;
    r->calls_frac = s->calls - fl;
    r->slots = s->servers * s->concurrency;
    r->free_at = xcalloc(r->slots, sizeof(double));
    r->svc = sampler_make(s->service, s->service_cv);
    uint64_t maxq = S->in->max_queue ? S->in->max_queue : DEFAULT_MAX_QUEUE;
    r->batching = s->batching.enabled;
    r->open = NONE;
    r->batch_free = NONE;
    if (r->batching) {
      const sim_batching *b = &s->batching;
      r->bound = maxq + (uint64_t)r->slots * b->max_batch;
      double tmax = b->base + b->per_item * b->max_batch;
      r->capacity = tmax > 0 ? r->slots * (double)b->max_batch / tmax : 0;
      if (b->placement == SIM_BATCH_PER_ACCELERATOR) {
        r->accel_base = S->n_accels;
        S->n_accels += r->slots;
      }
    } else {
      r->bound = maxq + r->slots;
      r->capacity = s->service_mean > 0 ? r->slots / s->service_mean : 0;
    }
  }
  S->st[n].in = NULL;
  S->accels = xcalloc(S->n_accels ? S->n_accels : 1, sizeof(accelq));
  S->accel_stage = xcalloc(S->n_accels ? S->n_accels : 1, sizeof(uint32_t));
  for (size_t i = 0; i < n; i++)
    if (S->st[i].batching &&
        S->in->stages[i].batching.placement == SIM_BATCH_PER_ACCELERATOR)
      for (uint32_t k = 0; k < S->st[i].slots; k++)
        S->accel_stage[S->st[i].accel_base + k] = (uint32_t)i;
  build_routing(S);
}

/* ---- sections ---------------------------------------------------------- */

static section *section_get(sim *S) {
  section *x = S->sec_free;
  if (x) {
    S->sec_free = x->next_free;
  } else {
    x = xcalloc(1, sizeof *x);
    x->st = xcalloc(S->n + 1, sizeof(acc));
  }
  return x;
}

static double safe_div(double a, double b) {
  return b > 0 ? a / b : 0;
}

/* The per-section estimates of stage I (I == n: end to end). */
static void section_estimates(const sim *S, const acc *a, size_t i, double dt,
                              double *m, int *have) {
  for (int k = 0; k < M_COUNT; k++)
    have[k] = 0;
  if (a->visits > 0 && a->h) {
    m[M_MEAN] = a->lat_sum / (double)a->visits;
    m[M_P50] = simhist_quantile(a->h, 0.50);
    m[M_P95] = simhist_quantile(a->h, 0.95);
    m[M_P99] = simhist_quantile(a->h, 0.99);
    m[M_P999] = simhist_quantile(a->h, 0.999);
    for (int k = M_MEAN; k <= M_P999; k++)
      have[k] = 1;
  }
  if (dt > 0) {
    m[M_VRATE] = (double)a->visits / dt;
    have[M_VRATE] = 1;
    if (i < S->n) {
      const stage_rt *r = &S->st[i];
      m[M_IRATE] = (double)a->invocations / dt;
      double busy = a->busy / ((double)r->slots * dt);
      m[M_UTIL] = busy < 1 ? busy : 1;
      m[M_OFFER] = r->batching ? safe_div(m[M_IRATE], r->capacity)
                               : busy; /* lambda E[S] / c, measured */
      m[M_QUEUE] = a->wait / dt;
      have[M_IRATE] = have[M_UTIL] = have[M_OFFER] = have[M_QUEUE] = 1;
    }
  }
  if (i < S->n && a->invocations > 0) {
    m[M_WAIT] = a->wait / (double)a->invocations;
    have[M_WAIT] = 1;
  }
  if (a->batches > 0) {
    m[M_BATCH] = (double)a->batch_items / (double)a->batches;
    have[M_BATCH] = 1;
  }
}

static void acc_merge(acc *dst, const acc *src) {
  dst->visits += src->visits;
  dst->invocations += src->invocations;
  dst->batches += src->batches;
  dst->batch_items += src->batch_items;
  dst->lat_sum += src->lat_sum;
  dst->busy += src->busy;
  dst->wait += src->wait;
  if (src->h && src->h->count) {
    if (!dst->h) {
      dst->h = xmalloc(sizeof(simhist));
      simhist_init(dst->h);
    }
    simhist_merge(dst->h, src->h);
  }
}

static void acc_clear(acc *a) {
  simhist *h = a->h;
  memset(a, 0, sizeof *a);
  if (h)
    simhist_clear(h);
  a->h = h;
}

static void section_finish(sim *S, uint32_t j) {
  section *x = S->sec[j];
  S->sec[j] = NULL;
  double dt = x->t1 - x->t0;
  if (!(dt > 0))
    dt = 0;
  double m[M_COUNT];
  int have[M_COUNT];
  for (size_t i = 0; i <= S->n; i++) {
    acc *a = &x->st[i];
    section_estimates(S, a, i, dt, m, have);
    if (i == S->n && dt > 0) {
      /* End to end, the rate is of requests admitted (lambda). */
      m[M_VRATE] = (double)x->admitted / dt;
    }
    for (int k = 0; k < M_COUNT; k++)
      if (have[k])
        welford_add(&S->wf[i * M_COUNT + (size_t)k], m[k]);
    if (S->lag_x && have[M_MEAN]) {
      S->lag_x[i * S->n_sections + j] = m[M_MEAN];
      S->lag_have[i * S->n_sections + j] = 1;
    }
    acc_merge(&S->pool[i], a);
    acc_clear(a);
  }
  S->pool_time += dt;
  S->pool_admitted += x->admitted;
  S->pool_sections++;
  S->sections_open--;
  x->admitted = x->outstanding = 0;
  x->closed = 0;
  x->next_free = S->sec_free;
  S->sec_free = x;
}

static void section_close(sim *S, uint32_t j, double t1) {
  section *x = S->sec[j];
  if (!x || x->closed)
    return;
  x->t1 = t1;
  x->closed = 1;
  if (x->outstanding == 0)
    section_finish(S, j);
}

static void section_open(sim *S, uint32_t j, double t0) {
  section *x = section_get(S);
  x->t0 = t0;
  x->t1 = t0;
  x->closed = 0;
  S->sec[j] = x;
  S->sections_open++;
}

/* ---- requests and visits ----------------------------------------------- */

static uint32_t req_new(sim *S) {
  uint32_t i = S->req_free;
  if (i != NONE) {
    S->req_free = S->reqs[i].next_free;
  } else {
    if (S->n_reqs == S->reqs_cap) {
      xgrow((void **)&S->reqs, &S->reqs_cap, S->n_reqs + 1, sizeof(req));
      if (S->stride) {
        size_t need = S->reqs_cap * S->stride;
        xgrow((void **)&S->extra, &S->extra_cap, need, sizeof(uint32_t));
      }
    }
    i = (uint32_t)S->n_reqs++;
  }
  S->in_flight++;
  return i;
}

static uint32_t visit_new(sim *S) {
  uint32_t i = S->visit_free;
  if (i != NONE) {
    S->visit_free = S->visits[i].next_free;
    return i;
  }
  if (S->n_visits == S->visits_cap)
    xgrow((void **)&S->visits, &S->visits_cap, S->n_visits + 1, sizeof(visit));
  return (uint32_t)S->n_visits++;
}

static inline acc *acc_of(sim *S, const req *q, size_t stage) {
  return q->section >= 0 ? &S->sec[q->section]->st[stage] : NULL;
}

static void hist_add(acc *a, double x) {
  if (!a->h) {
    a->h = xmalloc(sizeof(simhist));
    simhist_init(a->h);
  }
  simhist_add(a->h, x);
}

static void request_finish(sim *S, uint32_t ri) {
  req *q = &S->reqs[ri];
  if (q->section >= 0) {
    uint32_t j = (uint32_t)q->section;
    section *x = S->sec[j];
    if (--x->outstanding == 0 && x->closed)
      section_finish(S, j);
  }
  q->next_free = S->req_free;
  S->req_free = ri;
  S->in_flight--;
}

static void overload(sim *S, size_t stage) {
  S->overloaded[stage] = 1;
  S->abort = 1;
}

/* Routing draws: (request key, stage, visit number << 32 | purpose). */
enum { DRAW_STOP = 0, DRAW_ALT = 1, DRAW_JOIN = 2, DRAW_EACH = 3 };

static inline double draw(uint64_t key, size_t stage, uint32_t k,
                          uint32_t purpose) {
  return simrng_hash_unit(key, stage, (uint64_t)k << 32 | purpose);
}

/* Calls DELIVER for each child that visit K of stage P sends the request
 * to (none if it stops there). */
#define FOR_EACH_ROUTE(S, p, key, k, DELIVER)                                  \
  do {                                                                         \
    const stage_rt *r_ = &(S)->st[p];                                          \
    if ((p) < (S)->n && r_->in->stops > 0 &&                                   \
        draw(key, p, k, DRAW_STOP) < r_->in->stops)                            \
      break;                                                                   \
    for (uint32_t f_ = 0; f_ < r_->n_forks; f_++) {                            \
      uint32_t child = r_->forks[f_];                                          \
      DELIVER;                                                                 \
    }                                                                          \
    if (r_->n_alts == 0)                                                       \
      break;                                                                   \
    if (r_->alt_exclusive) {                                                   \
      double u_ = draw(key, p, k, DRAW_ALT);                                   \
      for (uint32_t a_ = 0; a_ < r_->n_alts; a_++)                             \
        if (u_ < r_->alt_cum[a_]) {                                            \
          uint32_t child = r_->alts[a_];                                       \
          DELIVER;                                                             \
          break;                                                               \
        }                                                                      \
    } else {                                                                   \
      for (uint32_t a_ = 0; a_ < r_->n_alts; a_++)                             \
        if (draw(key, p, k, DRAW_EACH + a_) < r_->alt_cum[a_]) {               \
          uint32_t child = r_->alts[a_];                                       \
          DELIVER;                                                             \
        }                                                                      \
    }                                                                          \
  } while (0)

/* Does the join at sync stage S let the request in (its one share draw)? */
static inline int join_passes(const sim *S, uint64_t key, size_t s) {
  double share = S->st[s].in->share;
  return share >= 1 || draw(key, s, 0, DRAW_JOIN) < share;
}

/* Counts, for request Q, the paths that will reach each fork-join: the
 * same draws the run will make, in topological order. */
static void preroute(sim *S, uint32_t ri) {
  size_t n = S->n;
  uint64_t key = S->reqs[ri].key;
  uint32_t *tok = S->tokens;
  uint32_t *extra = &S->extra[(size_t)ri * S->stride];
  memset(tok, 0, n * sizeof(uint32_t));
  FOR_EACH_ROUTE(S, n, key, 0, tok[child]++);
  for (size_t s = 0; s < n; s++) {
    if (!tok[s])
      continue;
    const stage_rt *r = &S->st[s];
    uint32_t v = tok[s];
    if (r->sync) {
      extra[r->sync_slot] = tok[s];
      v = join_passes(S, key, s) ? 1 : 0;
    }
    for (uint32_t k = 0; k < v; k++)
      FOR_EACH_ROUTE(S, s, key, k, tok[child]++);
  }
  for (uint32_t m = 0; m < S->n_multi; m++)
    extra[S->n_sync + m] = 0;
}

static void issue(sim *S, uint32_t vi, double t);

static void visit_start(sim *S, uint32_t ri, size_t s, double t) {
  stage_rt *r = &S->st[s];
  req *q = &S->reqs[ri];
  uint32_t vi = visit_new(S);
  visit *v = &S->visits[vi];
  v->start = t;
  v->req = ri;
  v->stage = (uint32_t)s;
  v->index = 0;
  if (r->multi_slot >= 0)
    v->index = S->extra[(size_t)ri * S->stride + S->n_sync +
                        (uint32_t)r->multi_slot]++;
  uint32_t k = r->calls_floor;
  if (r->calls_frac > 0 && simrng_uniform(&S->rng) < r->calls_frac)
    k++;
  q->live++;
  if (!r->in->async)
    q->sync_live++;
  v->pending = k;
  if (k == 0) {
    /* Nothing to call: done now, through the heap so that nothing
     * recurses. */
    v->pending = 1;
    v->to_issue = 0;
    evheap_push(&S->heap, t, EV_HIT, vi);
    return;
  }
  if (r->in->calls_sequential) {
    v->to_issue = k - 1;
    issue(S, vi, t);
  } else {
    v->to_issue = 0;
    for (uint32_t c = 0; c < k && !S->abort; c++)
      issue(S, vi, t);
  }
}

/* A path of request RI reaches stage S at T. */
static void deliver(sim *S, uint32_t ri, uint32_t s, double t) {
  stage_rt *r = &S->st[s];
  if (r->sync) {
    uint32_t *left = &S->extra[(size_t)ri * S->stride + (uint32_t)r->sync_slot];
    if (--*left > 0)
      return;
    if (!join_passes(S, S->reqs[ri].key, s))
      return;
  }
  visit_start(S, ri, s, t);
}

static void visit_done(sim *S, uint32_t vi, double t) {
  visit v = S->visits[vi];
  S->visits[vi].next_free = S->visit_free;
  S->visit_free = vi;
  stage_rt *r = &S->st[v.stage];
  req *q = &S->reqs[v.req];
  acc *a = acc_of(S, q, v.stage);
  if (a) {
    double lat = t - v.start;
    a->visits++;
    a->lat_sum += lat;
    hist_add(a, lat);
  }
  if (r->random_routing || r->n_forks) {
    uint64_t key = q->key;
    FOR_EACH_ROUTE(S, v.stage, key, v.index, deliver(S, v.req, child, t));
    q = &S->reqs[v.req];
  }
  q->live--;
  if (!r->in->async && --q->sync_live == 0 && q->section >= 0) {
    acc *e = &S->sec[q->section]->st[S->n];
    double lat = t - q->arrival;
    e->visits++;
    e->lat_sum += lat;
    hist_add(e, lat);
  }
  if (q->live == 0)
    request_finish(S, v.req);
}

static void invocation_done(sim *S, uint32_t vi, double t) {
  visit *v = &S->visits[vi];
  if (--v->pending > 0) {
    if (v->to_issue > 0) {
      v->to_issue--;
      issue(S, vi, t);
    }
    return;
  }
  visit_done(S, vi, t);
}

/* ---- batching ---------------------------------------------------------- */

static uint32_t batch_new(sim *S, stage_rt *r, uint32_t stage) {
  uint32_t b = r->batch_free;
  if (b != NONE) {
    r->batch_free = S->batches[b].next_free;
  } else {
    if (S->n_batches == S->batches_cap)
      xgrow((void **)&S->batches, &S->batches_cap, S->n_batches + 1,
            sizeof(batch));
    b = (uint32_t)S->n_batches++;
    S->batches[b].items = xmalloc(r->in->batching.max_batch * sizeof(item));
  }
  S->batches[b].stage = stage;
  S->batches[b].n = 0;
  S->batches[b].accel = NONE;
  return b;
}

/* Batch B starts on an accelerator at START: its time, its statistics
 * and its completion event. */
static void batch_run(sim *S, uint32_t b, double start, double *end) {
  batch *x = &S->batches[b];
  stage_rt *r = &S->st[x->stage];
  const sim_batching *cfg = &r->in->batching;
  double mean = cfg->base + cfg->per_item * x->n;
  double d = sample(&r->svc, &S->rng, &S->zig, mean);
  *end = start + d;
  double share = d / x->n;
  for (uint32_t k = 0; k < x->n; k++) {
    const visit *v = &S->visits[x->items[k].visit];
    acc *a = acc_of(S, &S->reqs[v->req], x->stage);
    if (a) {
      a->busy += share;
      a->wait += start - x->items[k].arrival;
      if (k == 0) {
        a->batches++;
        a->batch_items += x->n;
      }
    }
  }
  evheap_push(&S->heap, *end, EV_BATCH, b);
}

/* Shared placement: the open batch of stage S closes at T and goes to the
 * accelerator free first (FCFS over batches). */
static void shared_close(sim *S, stage_rt *r, double t) {
  uint32_t b = r->open;
  r->open = NONE;
  double start = r->free_at[0] > t ? r->free_at[0] : t;
  double end;
  batch_run(S, b, start, &end);
  slots_replace_top(r->free_at, r->slots, end);
}

static void accel_dispatch(sim *S, stage_rt *r, uint32_t a, double t) {
  accelq *q = &S->accels[a];
  uint32_t stage = (uint32_t)(r - S->st);
  uint32_t b = batch_new(S, r, stage);
  batch *x = &S->batches[b];
  size_t take =
      q->n < r->in->batching.max_batch ? q->n : r->in->batching.max_batch;
  for (size_t k = 0; k < take; k++) {
    x->items[k] = q->a[q->head];
    q->head = (q->head + 1) % q->cap;
  }
  q->n -= take;
  x->n = (uint32_t)take;
  x->accel = a;
  q->busy = 1;
  double end;
  batch_run(S, b, t, &end);
}

/* Per-accelerator placement: accelerator A, idle at T, sends its queue
 * when it is full or its oldest item has waited the window, else sets a
 * timer for that moment. */
static void accel_consider(sim *S, stage_rt *r, uint32_t a, double t,
                           int timer_if_not_due) {
  accelq *q = &S->accels[a];
  if (q->busy || q->n == 0)
    return;
  double due = q->a[q->head].arrival + r->in->batching.window;
  if (q->n >= r->in->batching.max_batch || due <= t)
    accel_dispatch(S, r, a, t);
  else if (timer_if_not_due)
    evheap_push(&S->heap, due, EV_TIMER, (uint32_t)S->n + a);
}

static void batch_arrive(sim *S, stage_rt *r, uint32_t vi, double t) {
  const sim_batching *cfg = &r->in->batching;
  item it = {t, vi};
  if (cfg->placement == SIM_BATCH_SHARED) {
    if (r->open == NONE) {
      r->open = batch_new(S, r, (uint32_t)(r - S->st));
      r->open_deadline = t + cfg->window;
      if (cfg->window > 0)
        evheap_push(&S->heap, r->open_deadline, EV_TIMER,
                    (uint32_t)(r - S->st));
    }
    batch *x = &S->batches[r->open];
    x->items[x->n++] = it;
    if (x->n >= cfg->max_batch || !(cfg->window > 0))
      shared_close(S, r, t);
    return;
  }
  uint32_t a = r->accel_base;
  if (r->slots > 1)
    a += (uint32_t)(simrng_uniform(&S->rng) * r->slots);
  accelq *q = &S->accels[a];
  if (q->n == q->cap) {
    /* Grow the ring, unrolling it so that it starts at 0. */
    size_t old = q->cap;
    item *na = xmalloc((old ? 2 * old : 16) * sizeof(item));
    for (size_t k = 0; k < q->n; k++)
      na[k] = q->a[(q->head + k) % (old ? old : 1)];
    free(q->a);
    q->a = na;
    q->head = 0;
    q->cap = old ? 2 * old : 16;
  }
  q->a[(q->head + q->n) % q->cap] = it;
  q->n++;
  if (!q->busy) {
    if (q->n >= cfg->max_batch || !(cfg->window > 0))
      accel_dispatch(S, r, a, t);
    else if (q->n == 1)
      evheap_push(&S->heap, t + cfg->window, EV_TIMER, (uint32_t)S->n + a);
  }
}

static void batch_done(sim *S, uint32_t b, double t) {
  batch *x = &S->batches[b];
  stage_rt *r = &S->st[x->stage];
  uint32_t n = x->n, accel = x->accel;
  r->in_system -= n;
  for (uint32_t k = 0; k < n; k++)
    invocation_done(S, S->batches[b].items[k].visit, t);
  x = &S->batches[b];
  x->next_free = r->batch_free;
  r->batch_free = b;
  if (accel != NONE) {
    S->accels[accel].busy = 0;
    accel_consider(S, r, accel, t, 1);
  }
}

static void timer(sim *S, uint32_t id, double t) {
  if (id < S->n) {
    stage_rt *r = &S->st[id];
    if (r->open != NONE && r->open_deadline <= t)
      shared_close(S, r, t);
    return;
  }
  uint32_t a = id - (uint32_t)S->n;
  accel_consider(S, &S->st[S->accel_stage[a]], a, t, 0);
}

/* ---- invocations ------------------------------------------------------- */

/* One invocation of visit VI at T: the cache, a batcher, or a slot. */
static void issue(sim *S, uint32_t vi, double t) {
  const visit *v = &S->visits[vi];
  uint32_t s = v->stage;
  stage_rt *r = &S->st[s];
  const sim_stage *in = r->in;
  if (in->cache_hit > 0 && simrng_uniform(&S->rng) < in->cache_hit) {
    evheap_push(&S->heap, t + in->hit_latency, EV_HIT, vi);
    return;
  }
  acc *a = acc_of(S, &S->reqs[v->req], s);
  if (a)
    a->invocations++;
  if (++r->in_system > r->bound) {
    overload(S, s);
    return;
  }
  if (r->batching) {
    batch_arrive(S, r, vi, t);
    return;
  }
  double *heap = r->free_at;
  uint32_t n = r->slots;
  if (in->balancer == SIM_RANDOM && in->servers > 1) {
    uint32_t k = (uint32_t)(simrng_uniform(&S->rng) * in->servers);
    heap += (size_t)k * in->concurrency;
    n = in->concurrency;
  }
  double start = heap[0] > t ? heap[0] : t;
  double d = sample(&r->svc, &S->rng, &S->zig, in->service_mean);
  double end = start + d;
  if (n == 1)
    heap[0] = end;
  else
    slots_replace_top(heap, n, end);
  if (a) {
    a->busy += d;
    a->wait += start - t;
  }
  evheap_push(&S->heap, end, EV_SERVED, vi);
}

/* ---- one replication --------------------------------------------------- */

static double interarrival(sim *S) {
  return sample(&S->arrivals, &S->rng, &S->zig, 1 / S->in->lambda);
}

/* The first request number of section J (requests mode): the measured
 * requests split as evenly as whole numbers allow, J M / B without
 * overflow. */
static uint64_t section_first(const sim *S, uint64_t j) {
  uint64_t b = S->n_sections, M = S->measure_n;
  return S->warm_n + j * (M / b) + (j * (M % b)) / b;
}

/* The section request number I (requests mode) belongs to: -1 warm-up.
 * Request numbers only grow, so this moves on from the current one. */
static int32_t section_of_index(sim *S, uint64_t i) {
  if (i < S->warm_n)
    return -1;
  uint32_t j = S->cur_section == NONE ? 0 : S->cur_section;
  while (j + 1 < S->n_sections && i >= S->next_first) {
    j++;
    S->next_first = section_first(S, j + 1);
  }
  return (int32_t)j;
}

static int32_t section_of_time(const sim *S, double t) {
  if (t < S->warm_t)
    return -1;
  double x = (t - S->warm_t) / S->section_dt;
  uint32_t j = x < S->n_sections ? (uint32_t)x : S->n_sections - 1;
  return (int32_t)j;
}

static void progress(sim *S, uint32_t rep, double within) {
  if (!S->in->progress)
    return;
  double f = (rep + (within < 1 ? within : 1)) / S->in->replications;
  if (f >= S->progress_next) {
    S->in->progress(f, S->in->progress_ctx);
    S->progress_next = f + 0.001;
  }
}

/* The time section J of a duration-mode run ends. */
static double section_end_time(const sim *S, uint32_t j) {
  return j + 1 >= S->n_sections ? S->in->duration
                                : S->warm_t + (j + 1) * S->section_dt;
}

/* No more arrivals: the last section ends at the first arrival not
 * admitted (requests mode), or every section left ends on time (duration
 * mode, where sections with no arrival still count their time). */
static void arrivals_end(sim *S, double next) {
  if (S->in->requests) {
    if (S->cur_section != NONE)
      section_close(S, S->cur_section, next);
    return;
  }
  uint32_t j = S->cur_section;
  if (j == NONE) {
    j = 0;
    section_open(S, 0, S->warm_t);
  }
  for (;;) {
    section_close(S, j, section_end_time(S, j));
    if (++j >= S->n_sections)
      break;
    section_open(S, j, S->warm_t + j * S->section_dt);
  }
  S->cur_section = S->n_sections - 1;
}

static void admit(sim *S, uint64_t index, double t) {
  int32_t j = S->cooling        ? -1
              : S->in->requests ? section_of_index(S, index)
                                : section_of_time(S, t);
  if (j >= 0) {
    /* Open every section up to J, closing those before it. */
    while (S->cur_section == NONE || S->cur_section < (uint32_t)j) {
      uint32_t next = S->cur_section == NONE ? 0 : S->cur_section + 1;
      double t0 = S->in->requests ? t : S->warm_t + next * S->section_dt;
      /* In requests mode a section ends where the next begins, at this
       * arrival; in duration mode at its own end, which is the same. */
      if (S->cur_section != NONE)
        section_close(S, S->cur_section, t0);
      section_open(S, next, t0);
      S->cur_section = next;
    }
  }
  uint32_t ri = req_new(S);
  req *q = &S->reqs[ri];
  S->arrived++;
  q->arrival = t;
  q->live = q->sync_live = 0;
  q->section = j;
  q->key = S->any_random ? simrng_next(&S->rng) : 0;
  if (j >= 0) {
    section *x = S->sec[j];
    x->admitted++;
    x->outstanding++;
  }
  if (S->n_sync)
    preroute(S, ri);
  else if (S->n_multi)
    memset(&S->extra[(size_t)ri * S->stride], 0, S->stride * sizeof(uint32_t));
  FOR_EACH_ROUTE(S, S->n, q->key, 0, deliver(S, ri, child, t));
  q = &S->reqs[ri];
  if (q->live == 0)
    request_finish(S, ri); /* it visited nothing */
  if (S->in_flight > (S->in->max_in_flight ? S->in->max_in_flight
                                           : DEFAULT_MAX_IN_FLIGHT) ||
      S->n_visits >= EV_MASK) {
    /* Requests pile up without a stage queue passing its bound (a long
     * cache latency, say): stop, and blame the fullest stage. */
    size_t worst = 0;
    for (size_t s = 1; s < S->n; s++)
      if (S->st[s].in_system > S->st[worst].in_system)
        worst = s;
    overload(S, worst);
  }
}

static void reset_replication(sim *S, uint32_t rep) {
  if (rep == 0)
    simrng_stream(&S->rng, S->in->seed, 0);
  else
    simrng_jump(&S->rng);
  S->heap.n = 0;
  S->heap.seq = 0;
  S->now = 0;
  S->n_reqs = 0;
  S->req_free = NONE;
  S->in_flight = 0;
  S->n_visits = 0;
  S->visit_free = NONE;
  for (size_t s = 0; s < S->n; s++) {
    stage_rt *r = &S->st[s];
    memset(r->free_at, 0, r->slots * sizeof(double));
    r->in_system = 0;
    r->open = NONE;
    r->batch_free = NONE;
  }
  /* Batch records keep their item arrays; chain them back per stage. */
  for (size_t b = 0; b < S->n_batches; b++) {
    stage_rt *r = &S->st[S->batches[b].stage];
    S->batches[b].next_free = r->batch_free;
    r->batch_free = (uint32_t)b;
  }
  for (uint32_t a = 0; a < S->n_accels; a++) {
    S->accels[a].head = S->accels[a].n = 0;
    S->accels[a].busy = 0;
  }
  S->cur_section = NONE;
  S->cooling = 0;
  S->sections_open = 0;
  if (S->in->requests && S->n_sections)
    S->next_first = section_first(S, 1);
  for (uint32_t j = 0; j < S->n_sections; j++)
    S->sec[j] = NULL;
}

static void run_replication(sim *S, uint32_t rep) {
  const sim_input *in = S->in;
  reset_replication(S, rep);
  uint64_t index = 0;
  double next = interarrival(S);
  int arriving = 1;
  uint64_t tick = 0;
  for (;;) {
    if (arriving && !S->cooling) {
      if (in->requests ? index >= in->requests : next >= in->duration) {
        arrivals_end(S, next);
        if (in->cooldown)
          S->cooling = 1;
        else
          arriving = 0;
      }
    }
    if (S->cooling && S->sections_open == 0)
      break; /* every measured request is done */
    if (arriving && (S->heap.n == 0 || next < S->heap.a[0].t)) {
      S->now = next;
      admit(S, index, next);
      index++;
      S->events++;
      next += interarrival(S);
    } else if (S->heap.n > 0) {
      ev e = evheap_pop(&S->heap);
      S->now = e.t;
      S->events++;
      uint32_t idx = e.what & EV_MASK;
      switch (e.what >> EV_SHIFT) {
      case EV_SERVED:
        S->st[S->visits[idx].stage].in_system--;
        invocation_done(S, idx, e.t);
        break;
      case EV_HIT:
        invocation_done(S, idx, e.t);
        break;
      case EV_BATCH:
        batch_done(S, idx, e.t);
        break;
      default:
        timer(S, idx, e.t);
        break;
      }
    } else {
      break;
    }
    if (S->abort)
      break;
    if ((++tick & 4095) == 0)
      progress(S, rep,
               in->requests ? (double)index / (double)in->requests
                            : S->now / in->duration);
  }
  if (S->abort) {
    /* Fold what the open sections hold; their requests never finish. */
    for (uint32_t j = 0; j < S->n_sections; j++)
      if (S->sec[j]) {
        if (!S->sec[j]->closed)
          S->sec[j]->t1 = S->now;
        section_finish(S, j);
      }
  }
}

/* ---- results ----------------------------------------------------------- */

double sim_t975(uint32_t df) {
  /* Exact to 17 digits for 1..30 (computed from the regularized
   * incomplete beta function); above, Fisher's expansion in 1/df
   * (Abramowitz and Stegun 26.7.5), within 1e-7 of the true value. */
  static const double table[30] = {
      12.706204736174704, 4.3026527297494637, 3.1824463052837095,
      2.7764451051977943, 2.5705818356363155, 2.4469118511449699,
      2.3646242515927853, 2.3060041352041666, 2.2621571627982055,
      2.2281388519862747, 2.2009851600916398, 2.1788128296672288,
      2.1603686564627925, 2.1447866879178038, 2.1314495455597757,
      2.1199052992212546, 2.1098155778333171, 2.1009220402410385,
      2.0930240544083097, 2.0859634472658648, 2.0796138447276804,
      2.0738730679040261, 2.0686576104190486, 2.0638985616280258,
      2.0595385527532977, 2.0555294386428732, 2.0518305164802855,
      2.0484071417952451, 2.0452296421327043, 2.0422724563012383};
  if (df < 1)
    df = 1;
  if (df <= 30)
    return table[df - 1];
  double z = 1.959963984540054, n = df;
  double z2 = z * z, z3 = z2 * z, z5 = z3 * z2, z7 = z5 * z2, z9 = z7 * z2;
  return z + (z3 + z) / (4 * n) + (5 * z5 + 16 * z3 + 3 * z) / (96 * n * n) +
         (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * n * n * n) +
         (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) /
             (92160 * n * n * n * n);
}

static double finite_or_zero(double x) {
  return x == x && x <= 1e300 && x >= -1e300 ? x : 0;
}

/* The pooled VALUE with the interval of the section estimates behind W
 * (sectioning: Asmussen and Glynn, "Stochastic Simulation", 2007, III.5),
 * kept within [0, HI]. */
static sim_ci interval(double value, const welford *w, double hi_cap) {
  sim_ci c;
  c.value = finite_or_zero(value);
  if (c.value > hi_cap)
    c.value = hi_cap;
  c.n = (uint32_t)w->n;
  c.lo = c.hi = c.value;
  if (w->n >= 2) {
    double sd = sqrt(w->m2 > 0 ? w->m2 / (w->n - 1) : 0);
    double h = finite_or_zero(sim_t975(c.n - 1) * sd / sqrt(w->n));
    c.lo = c.value - h;
    c.hi = c.value + h;
  }
  if (c.lo < 0)
    c.lo = 0;
  if (c.hi > hi_cap)
    c.hi = hi_cap;
  return c;
}

/* The lag-1 autocorrelation of stage I's batch mean latencies, over the
 * consecutive pairs of batches that both have data; 0 when undefined. */
static double lag1(const sim *S, size_t i) {
  if (!S->lag_x)
    return 0;
  const double *x = &S->lag_x[i * S->n_sections];
  const uint8_t *h = &S->lag_have[i * S->n_sections];
  double sum = 0, n = 0;
  for (uint32_t j = 0; j < S->n_sections; j++)
    if (h[j]) {
      sum += x[j];
      n++;
    }
  if (n < 3)
    return 0;
  double mean = sum / n, num = 0, den = 0;
  for (uint32_t j = 0; j < S->n_sections; j++)
    if (h[j]) {
      den += (x[j] - mean) * (x[j] - mean);
      if (j + 1 < S->n_sections && h[j + 1])
        num += (x[j] - mean) * (x[j + 1] - mean);
    }
  /* Means that differ only by rounding (a deterministic stage that never
   * waits: every latency the same) have no correlation to speak of: a
   * spread below 1e-9 of the mean is taken as none. */
  if (den <= n * (1e-9 * mean) * (1e-9 * mean))
    return 0;
  double r = num / den;
  return r > 1 ? 1 : r < -1 ? -1 : r;
}

static void figures(const sim *S, size_t i, sim_figures *f) {
  const acc *a = &S->pool[i];
  const welford *w = &S->wf[i * M_COUNT];
  double dt = S->pool_time, inf = 1e300;
  memset(f, 0, sizeof *f);
  f->completed = a->visits;
  int have_lat = a->visits > 0 && a->h;
  f->latency_mean =
      interval(have_lat ? a->lat_sum / (double)a->visits : 0, &w[M_MEAN], inf);
  f->latency_p50 =
      interval(have_lat ? simhist_quantile(a->h, 0.50) : 0, &w[M_P50], inf);
  f->latency_p95 =
      interval(have_lat ? simhist_quantile(a->h, 0.95) : 0, &w[M_P95], inf);
  f->latency_p99 =
      interval(have_lat ? simhist_quantile(a->h, 0.99) : 0, &w[M_P99], inf);
  f->latency_p999 =
      interval(have_lat ? simhist_quantile(a->h, 0.999) : 0, &w[M_P999], inf);
  if (i == S->n) {
    f->visit_rate =
        interval(safe_div((double)S->pool_admitted, dt), &w[M_VRATE], inf);
  } else {
    const stage_rt *r = &S->st[i];
    f->visit_rate = interval(safe_div((double)a->visits, dt), &w[M_VRATE], inf);
    double irate = safe_div((double)a->invocations, dt);
    f->invocation_rate = interval(irate, &w[M_IRATE], inf);
    double busy = safe_div(a->busy, r->slots * dt);
    f->utilization = interval(busy, &w[M_UTIL], 1);
    f->offered_load = interval(
        r->batching ? safe_div(irate, r->capacity) : busy, &w[M_OFFER], inf);
    f->queue_mean = interval(safe_div(a->wait, dt), &w[M_QUEUE], inf);
    f->wait_mean =
        interval(safe_div(a->wait, (double)a->invocations), &w[M_WAIT], inf);
    f->batch_mean = interval(
        safe_div((double)a->batch_items, (double)a->batches), &w[M_BATCH], inf);
  }
  f->batch_lag1 = finite_or_zero(lag1(S, i));
  if (f->completed == 0)
    f->status = SIM_NO_TRAFFIC;
}

static sim_result *collect(sim *S) {
  sim_result *res = xcalloc(1, sizeof *res);
  res->n_stages = S->n;
  res->stages = xcalloc(S->n, sizeof(sim_figures));
  for (size_t i = 0; i < S->n; i++) {
    figures(S, i, &res->stages[i]);
    sim_figures *f = &res->stages[i];
    /* Overload: a queue passed its bound, or the measured work (or, with
     * batching, the measured invocations) reaches capacity. */
    if (S->overloaded[i] || f->offered_load.value >= 1)
      f->status = SIM_OVERLOADED;
  }
  figures(S, S->n, &res->end_to_end);
  if (S->abort) {
    for (size_t i = 0; i < S->n; i++)
      if (res->stages[i].status == SIM_NO_TRAFFIC)
        res->stages[i].status = SIM_NOT_MEASURED;
    if (res->end_to_end.status == SIM_NO_TRAFFIC)
      res->end_to_end.status = SIM_NOT_MEASURED;
  }
  for (size_t i = 0; i < S->n; i++)
    if (res->stages[i].status == SIM_OVERLOADED && !S->in->stages[i].async)
      res->end_to_end.status = SIM_OVERLOADED;
  res->method =
      S->in->replications > 1 ? SIM_CI_REPLICATIONS : SIM_CI_BATCH_MEANS;
  res->sections = S->pool_sections;
  res->aborted = S->abort != 0;
  return res;
}

/* ---- the run ----------------------------------------------------------- */

static void sim_free_state(sim *S) {
  if (S->st)
    for (size_t p = 0; p <= S->n; p++) {
      free(S->st[p].forks);
      free(S->st[p].alts);
      free(S->st[p].alt_cum);
      free(S->st[p].free_at);
    }
  free(S->st);
  free(S->heap.a);
  free(S->reqs);
  free(S->extra);
  free(S->visits);
  for (size_t b = 0; b < S->n_batches; b++)
    free(S->batches[b].items);
  free(S->batches);
  for (uint32_t a = 0; a < S->n_accels; a++)
    free(S->accels[a].a);
  free(S->accels);
  free(S->accel_stage);
  free(S->tokens);
  free(S->sec);
  while (S->sec_free) {
    section *x = S->sec_free;
    S->sec_free = x->next_free;
    for (size_t i = 0; i <= S->n; i++) {
      simhist_release(x->st[i].h);
      free(x->st[i].h);
    }
    free(x->st);
    free(x);
  }
  if (S->pool)
    for (size_t i = 0; i <= S->n; i++) {
      simhist_release(S->pool[i].h);
      free(S->pool[i].h);
    }
  free(S->pool);
  free(S->wf);
  free(S->lag_x);
  free(S->lag_have);
  free(S->overloaded);
}

sim_result *sim_run(const sim_input *in, char *err, size_t err_size) {
  if (validate(in, err, err_size) < 0)
    return NULL;
  sim S;
  memset(&S, 0, sizeof S);
  S.in = in;
  S.n = in->n_stages;
  simrng_zig_init(&S.zig);
  build_stages(&S);
  S.arrivals = sampler_make(in->arrival_cv == 1 ? SIM_EXPONENTIAL : SIM_GAMMA,
                            in->arrival_cv);
  S.tokens = xcalloc(S.n, sizeof(uint32_t));
  S.pool = xcalloc(S.n + 1, sizeof(acc));
  S.wf = xcalloc((S.n + 1) * M_COUNT, sizeof(welford));
  S.overloaded = xcalloc(S.n, sizeof(int));
  S.req_free = S.visit_free = NONE;

  uint32_t reps = in->replications > 1 ? in->replications : 1;
  if (in->requests) {
    S.warm_n = in->warmup >= 0 ? (uint64_t)in->warmup : in->requests / 10;
    S.measure_n = in->requests - S.warm_n;
    uint64_t b = reps > 1 ? 1 : BATCH_SECTIONS;
    S.n_sections = (uint32_t)(S.measure_n < b ? S.measure_n : b);
  } else {
    S.warm_t = in->warmup >= 0 ? in->warmup : in->duration / 10;
    S.n_sections = reps > 1 ? 1 : BATCH_SECTIONS;
    S.section_dt = (in->duration - S.warm_t) / S.n_sections;
  }
  S.sec = xcalloc(S.n_sections ? S.n_sections : 1, sizeof(section *));
  if (reps == 1 && S.n_sections) {
    S.lag_x = xcalloc((S.n + 1) * S.n_sections, sizeof(double));
    S.lag_have = xcalloc((S.n + 1) * S.n_sections, 1);
  }

  double simulated = 0;
  uint32_t done = 0;
  for (uint32_t rep = 0; rep < reps && !S.abort; rep++) {
    run_replication(&S, rep);
    simulated += S.now;
    done++;
  }
  sim_result *res = collect(&S);
  res->replications = done;
  res->requests = S.arrived;
  res->measured = S.pool_admitted;
  res->events = S.events;
  res->simulated_time = finite_or_zero(simulated);
  sim_free_state(&S);
  if (in->progress)
    in->progress(1, in->progress_ctx);
  return res;
}

void sim_result_free(sim_result *r) {
  if (!r)
    return;
  free(r->stages);
  free(r);
}

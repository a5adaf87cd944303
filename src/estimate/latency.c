/*
 * latency.c - queues and latency percentiles inside a plan (latency.h).
 *
 * A stage is one queue (FORMULAS.md section 3b, SPEC.md section 7): its
 * throughput model says what one server's queue looks like (tp.h's
 * tp_queue: slots, job size, service time and its variation, batch
 * forming); the balancer says whether all the servers share one queue
 * (least-loaded: c = servers x slots) or each keeps its own (random: c =
 * slots, fed 1/servers of the jobs).  Jobs arrive as a Poisson stream,
 * or as batches of B Poisson arrivals (Erlang-B gaps, ca = 1/sqrt(B)).
 * queueing.h gives the wait (exact M/M/c; Allen-Cunneen otherwise) and
 * the response quantiles.
 *
 * End to end, along the graph in topological order (latdist.h grids):
 * the time a request has spent when a stage finishes is the time its
 * upstream finished - the max of its parents for 'join: all' (fork-join,
 * product of CDFs, parents taken as independent; a parent only a share
 * v of the join's requests passed through contributes (1 - v) + v F),
 * the mix of them by
 * flow for 'join: any' - plus the stage's own response: a batch forming
 * (uniform), the queue's wait and service, 'calls: k' in parallel as the
 * max of k draws (in sequence as their sum), cache hits as a mixture.
 * The response ends where requests end: a stage's 'stops', a split
 * whose shares leave some requests at the stage, or a last stage.  Those
 * ends are mixed by the share of requests ending there; when their
 * shares add up to more than one (a fork whose branches never rejoin,
 * visited by the same request) they are combined as independent maxima
 * instead.  docs/queueing.md states what this assumes and measures it.
 */
#include "latency.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "latdist.h"
#include "queueing.h"
#include "specfun.h"
#include "tp.h"

const double pct_level[PCT_COUNT] = {0.5, 0.95, 0.99, 0.999};
const char *const pct_name[PCT_COUNT] = {"p50", "p95", "p99", "p999"};

const char *queue_model_name(enum queue_model q) {
  static const char *const names[] = {"none",  "M/M/c", "M/G/c",
                                      "M/D/c", "batch", "G/G/c"};
  return names[q];
}

/* Points of the end-to-end grid over the bound on p99.99: 1,024 keep the
 * percentiles within 0.1% of the exact ones in docs/queueing.md's
 * tandems, at half the cost of 2,048 (every operation is O(n)). */
#define GRID_POINTS 1024
/* The share of all mass the grid may leave beyond it (latdist.h). */
#define GRID_TAIL 1e-4
/* The share of all mass that putting parts on the grid may push past its
 * margin (grid_dt). */
#define GRID_SPREAD 1e-6
#define RHO_OVERLOADED LATENCY_RHO_OVERLOADED
/* The most end-to-end evaluations one sizing may spend (each is one pass
 * over the graph): past it the objective is reported as unmet. */
#define SIZING_EVALS 20000

/* The quantiles of a queue, remembered by all they depend on: every
 * field of the queue's record (a floor's copy with its wait taken out
 * differs from the queue) and the levels asked for.  A cache only: a hit
 * gives the bits a solve would. */
enum { QMEMO_BITS = 6, QMEMO_SLOTS = 1 << QMEMO_BITS };
typedef struct qmemo {
  mmc q;
  const double *levels; /* NULL: empty */
  int n, rc;
  double t[PCT_COUNT];
} qmemo;

/* A queue as mmc_init made it from its five inputs, remembered by them:
 * Erlang's recursion costs a step per slot. */
typedef struct imemo {
  double in[5]; /* lambda, mu, c, ca, cs */
  int rc;       /* mmc_init's; 2: empty */
  mmc q;
} imemo;

typedef struct latency_work {
  latdist_ctx *ctx;
  latdist **to;    /* per stage: time at its end, for a request there */
  size_t *pending; /* children on the path still to read to[i] */
  latdist **free;  /* distributions to reuse */
  size_t n_free;
  mmc *q;         /* per stage: its queue, when stable */
  double *weight; /* per stage: share of requests that end there */
  double *bound;  /* per stage: bound on the p99.99 to its end */
  double *depth;  /* per stage: most parts on the grid along a path to
                     its end (grid_dt) */
  double *added;  /* per stage, then group: servers added before
                     end-to-end sizing */
  /* A unit's queues while one more server is tried (unit_keep). */
  queue_plan *kept;
  mmc *kept_q;
  double kept_added;
  bool no_wait; /* evaluate as if no job ever waited (a floor) */
  /* Queues' quantiles (response_quantiles): a spec's stages often
   * repeat one configuration (a shard per partition, a copy per
   * region), and sizing tries the same counts again. */
  qmemo memo[QMEMO_SLOTS];
  imemo inits[QMEMO_SLOTS];
} latency_work;

/* W's grid context, made when first needed: its FFT tables cost a
 * million instructions, which a plan evaluated without percentiles (each
 * Monte Carlo thread's) never needs. */
static latdist_ctx *ctx_of(latency_work *w) {
  if (!w->ctx)
    w->ctx = latdist_ctx_new(GRID_POINTS, 1e-3, 8);
  return w->ctx;
}

latency_work *latency_work_new(const capplan_model *m) {
  latency_work *w = xcalloc(1, sizeof *w);
  size_t n = m->n_stages + 1;
  w->to = xcalloc(n, sizeof *w->to);
  w->pending = xcalloc(n, sizeof *w->pending);
  w->free = xcalloc(n + 8, sizeof *w->free);
  w->q = xcalloc(n, sizeof *w->q);
  w->weight = xcalloc(n, sizeof *w->weight);
  w->bound = xcalloc(n, sizeof *w->bound);
  w->depth = xcalloc(n, sizeof *w->depth);
  w->added = xcalloc(n + m->n_groups, sizeof *w->added);
  /* unit_keep holds the queues of one unit: a stage, or a group's
   * members; not one per stage (a 100,000-stage plan's 31 MB). */
  size_t unit = 1;
  for (size_t g = 0; g < m->n_groups; g++)
    if (m->group[g].n_members > unit)
      unit = m->group[g].n_members;
  for (size_t k = 0; k < QMEMO_SLOTS; k++)
    w->inits[k].rc = 2; /* empty */
  w->kept = xcalloc(unit, sizeof *w->kept);
  w->kept_q = xcalloc(unit, sizeof *w->kept_q);
  return w;
}

void latency_work_free(latency_work *w) {
  if (!w)
    return;
  latdist_ctx_free(w->ctx);
  free(w->to);
  free(w->pending);
  free(w->free);
  free(w->q);
  free(w->weight);
  free(w->bound);
  free(w->depth);
  free(w->added);
  free(w->kept);
  free(w->kept_q);
  free(w);
}

/* ------------------------------------------------------------ one stage */

/* The spacing of a grid that holds TOP, a bound on the p99.99, when a sum
 * of up to K parts put on the grid (forming, a wait, a service, each a
 * draw of 'calls') reaches it.  A part goes on the grid by linear
 * interpolation between the two nearest points (latdist.h), which moves
 * each bit of its mass left or right by less than one point, so a sum of
 * K parts may lie up to K points past where the exact sum does: a grid
 * that ended at TOP would leave beyond it part of an atom sitting at TOP
 * (two deterministic stages of 2 and 10 ms: a quarter of the mass), and
 * with it every percentile.  So the grid ends MARGIN points past TOP:
 * K, or for long sums the Hoeffding bound - the moves are independent,
 * of mean 0, each within an interval of one point, so the mass more than
 * m points past the exact sum is at most exp(-2 m^2 / K) (Hoeffding,
 * "Probability inequalities for sums of bounded random variables", JASA
 * 1963, theorem 2), GRID_SPREAD for m = sqrt(K ln(1 / GRID_SPREAD) / 2)
 * - and at most a quarter of the grid. */
static double grid_dt(double top, double k) {
  double margin = ceil(sqrt(k * log(1 / GRID_SPREAD) / 2));
  if (margin > k)
    margin = ceil(k);
  if (margin > (GRID_POINTS - 1) / 4)
    margin = (GRID_POINTS - 1) / 4;
  return top / (GRID_POINTS - 1 - margin);
}

/* Parts stage I puts on the grid along one path: forming, wait and
 * service, for each call in sequence (calls in parallel are a max of
 * draws, not a sum). */
static double stage_depth(const capplan_model *m, const params *p, size_t i) {
  double calls = p->stage[i].calls > 1 ? ceil(p->stage[i].calls) : 1;
  return 3 * (m->stage[i].calls_sequential ? calls : 1);
}

static double stage_servers(const capplan_model *m, const plan *out, size_t i) {
  return latency_stage_servers(m, out, i);
}

static bool on_path(const capplan_model *m, const plan *out, size_t i) {
  return !m->stage[i].standby && !m->stage[i].async && out->stage[i].inflow > 0;
}

/* OUT = A + the wait of a request for its batch to form (FORMULAS.md
 * section 4b): the Erlang mixture of a batch arrivals fill, or uniform
 * on [0, form] for one a window closes. */
static int add_forming(latdist *out, const latdist *a, const queue_plan *qp) {
  if (qp->fill >= 2)
    return latdist_add_fill(out, a, qp->fill, (qp->fill - 1) / qp->form);
  return latdist_add_uniform(out, a, qp->form);
}

/* The forming wait of QP at 1 - EPS: the first request's Erlang(B - 1)
 * quantile for a filled batch (the mixture's tail is below it), the
 * window for the rest. */
static double forming_bound(const queue_plan *qp, double eps) {
  if (qp->form <= 0)
    return 0;
  if (qp->fill >= 2) {
    double x = specfun_gamma_quantile(qp->fill - 1, 1 - eps);
    return x > 0 ? x * qp->form / (qp->fill - 1) : qp->form;
  }
  return qp->form;
}

/* The slot of QMEMO_SLOTS for the N doubles at X (and SEED): the top
 * bits of a multiplicative hash of their bits. */
static size_t memo_slot(const double *x, int n, uint64_t seed) {
  uint64_t h = seed;
  for (int k = 0; k < n; k++) {
    uint64_t b;
    memcpy(&b, &x[k], sizeof b);
    h = (h ^ b) * 0x9E3779B97F4A7C15u;
  }
  return (size_t)(h >> (64 - QMEMO_BITS));
}

/* mmc_init into Q, from W's memo when it has these inputs (the record
 * and the return value are mmc_init's to the bit). */
static int init_queue(latency_work *w, mmc *q, double lambda, double mu,
                      double c, double ca, double cs) {
  double in[5] = {lambda, mu, c, ca, cs};
  imemo *e = &w->inits[memo_slot(in, 5, 0)];
  if (e->rc != 2 && !memcmp(e->in, in, sizeof in)) {
    *q = e->q;
    return e->rc;
  }
  e->rc = mmc_init(q, lambda, mu, c, ca, cs);
  memcpy(e->in, in, sizeof in);
  e->q = *q;
  return e->rc;
}

/* Whether A and B hold the same figures, bit for bit (memcmp of the
 * records would read their padding).  Every field: one added to mmc
 * (queueing.h) belongs here too, which the size below is a reminder of. */
_Static_assert(sizeof(mmc) == 2 * 8 + 15 * sizeof(double),
               "same_queue compares every field of mmc: two enums (with "
               "their padding) and fifteen doubles");
static bool same_queue(const mmc *a, const mmc *b) {
  const double x[] = {a->lambda,    a->mu,        a->c,          a->ca,
                      a->cs,        a->a,         a->rho,        a->erlang_c,
                      a->p_wait,    a->theta,     a->wait_scale, a->wait_rate,
                      a->wait_mean, a->resp_mean, a->shape};
  const double y[] = {b->lambda,    b->mu,        b->c,          b->ca,
                      b->cs,        b->a,         b->rho,        b->erlang_c,
                      b->p_wait,    b->theta,     b->wait_scale, b->wait_rate,
                      b->wait_mean, b->resp_mean, b->shape};
  return a->status == b->status && a->service == b->service &&
         !memcmp(x, y, sizeof x);
}

/* The quantiles LEVELS (N of them) of a response: the forming wait of QP
 * plus the queue Q's response, into T.  Without forming, the queue's own
 * (mmc_response_quantiles, remembered in W); otherwise on a grid of its
 * own (scratch of W's context, returned after).  Returns 0, or -1 when
 * one cannot be had. */
static int response_quantiles(latency_work *w, const mmc *q,
                              const queue_plan *qp, const double *levels, int n,
                              double *t) {
  double form = qp->form;
  if (form <= 0 && n <= PCT_COUNT) {
    /* The queue's own quantiles: remembered (qmemo), the slot picked by
     * a multiplicative hash of what sets them (mmc_init's inputs, and the
     * wait a floor takes out). */
    double in[7] = {q->lambda, q->mu,     q->c,        q->ca,
                    q->cs,     q->p_wait, q->wait_rate};
    qmemo *e =
        &w->memo[memo_slot(in, 7, (uint64_t)(uintptr_t)levels + (uint64_t)n)];
    if (e->levels == levels && e->n == n && same_queue(&e->q, q)) {
      memcpy(t, e->t, (size_t)n * sizeof *t);
      return e->rc;
    }
    int rc = mmc_response_quantiles(q, levels, (size_t)n, t);
    e->q = *q;
    e->levels = levels;
    e->n = n;
    e->rc = rc;
    memcpy(e->t, t, (size_t)n * sizeof *t);
    return rc;
  }
  if (form <= 0)
    return mmc_response_quantiles(q, levels, (size_t)n, t);
  double hi = forming_bound(qp, 1e-7) + mmc_service_quantile(q, 1 - 1e-7);
  if (q->p_wait > 0)
    hi += latdist_exp_quantile(q->p_wait, q->wait_rate, 1 - 1e-7);
  size_t mark = latdist_ctx_mark(ctx_of(w));
  double dt = latdist_ctx_dt(ctx_of(w));
  int rc = -1;
  if (latdist_ctx_set_dt(ctx_of(w), grid_dt(hi, 3)) == LATDIST_OK) {
    latdist *d = latdist_take(ctx_of(w));
    rc = latdist_set_point(d, 0) == LATDIST_OK &&
                 add_forming(d, d, qp) >= LATDIST_OK &&
                 latdist_add_queue(d, d, q) >= LATDIST_OK
             ? 0
             : -1;
    for (int k = 0; k < n && rc == 0; k++)
      if (latdist_quantile(d, levels[k], &t[k]) != LATDIST_OK)
        rc = -1;
  }
  latdist_ctx_release(ctx_of(w), mark);
  latdist_ctx_set_dt(ctx_of(w), dt);
  return rc;
}

/* The queue of stage I on N servers, into QP (and W's mmc for it). */
static void queue_at(const capplan_model *m, const params *p, plan *out,
                     latency_work *w, size_t i, double n, queue_plan *qp) {
  const mstage *ms = &m->stage[i];
  const stage_in *in = &p->stage[i];
  const stage_plan *s = &out->stage[i];
  memset(qp, 0, sizeof *qp);
  qp->servers = n;
  qp->random = ms->random_balancer;
  qp->stable = true;
  if (s->load <= 0 || n <= 0)
    return; /* QUEUE_NONE: nothing waits */
  tp_queue tq = {0};
  tp_ops_of(ms->tp.kind)
      ->queue(&ms->tp, in, stage_gpu(m, p, i), &p->hw[ms->hw], &s->tp,
              s->load / n, &tq);
  qp->job = tq.job;
  qp->service = tq.service;
  qp->cs = tq.cs;
  qp->form = tq.form;
  /* The mean wait for the batch to form (FORMULAS.md 4b): uniform on
   * [0, form] when a window (or the batch in progress) closes it; when
   * arrivals at rate lambda fill a batch of B, the k-th request waits for
   * B - k more, (B - k) / lambda, of mean (B - 1) / (2 lambda) over
   * k = 1..B, and form is the fill time (B - 1) / lambda: form / 2 either
   * way. */
  qp->form_mean = tq.form / 2;
  qp->fill = tq.fill;
  /* The stream of requests into the queue: Poisson, but for an entry
   * stage whose traffic has another arrival_cv (SPEC.md section 9), which
   * its share and cache thin and a random balancer splits - a renewal
   * stream kept with probability q has squared variation q ca^2 + 1 - q
   * (Whitt, "The Queueing Network Analyzer", 1983, section 4.4).  Later
   * stages take Poisson arrivals (docs/queueing.md). */
  double ca2 = 1;
  if (ms->n_parents == 0 && !ms->standby && p->traffic.arrival_cv != 1) {
    double a = p->traffic.arrival_cv, q = in->share * (1 - in->cache_hit);
    ca2 = q * a * a + 1 - q;
    if (qp->random && n > 1)
      ca2 = 1 + (ca2 - 1) / n;
  }
  /* Batches of B arrivals come B gaps apart: squared variation ca^2 / B
   * (Erlang-B for Poisson arrivals, FORMULAS.md section 4b). */
  qp->ca = sqrt(tq.job > 1 ? ca2 / tq.job : ca2);
  qp->model = tq.job > 1 || tq.form > 0 ? QUEUE_BATCH
              : ca2 != 1                ? QUEUE_GGC
              : tq.cs == 1              ? QUEUE_MMC
              : tq.cs < 0.001           ? QUEUE_MDC
                                        : QUEUE_MGC;
  double jobs = s->load / tq.job;
  /* Whole slots: the shared queue's c rounds the servers' slots down
   * (10 servers of 7.5 slots hold 75); a server's own queue keeps the
   * whole slots it has, at least one. */
  double slots = qp->random ? capplan_floor(tq.slots + 1e-9)
                            : capplan_floor(n * tq.slots + 1e-9);
  if (slots < 1)
    slots = 1;
  qp->slots = slots;
  qp->server_slots = tq.slots;
  qp->arrivals = qp->random ? jobs / n : jobs;
  qp->own_batcher = tq.own_batcher;
  qp->utilization =
      tq.own_batcher ? tq.utilization : qp->arrivals * tq.service / slots;
  mmc *q = &w->q[i];
  if (!(qp->utilization < RHO_OVERLOADED) || !isfinite(qp->utilization)) {
    /* No steady state; the service alone is kept for the floor. */
    mmc_init(q, 0, 1 / tq.service, 1, 1, tq.cs > 10 ? 10 : tq.cs);
    qp->stable = false;
    return;
  }
  if (tq.own_batcher || slots > 1e12) {
    /* A batcher per slot waits for the batch in progress (the form) and
     * nothing else (FORMULAS.md 4b); past what Erlang's recursion is for
     * (queueing.h), so many slots below 100% that no job waits. */
    double cs = tq.cs;
    mmc_init(q, 0, 1 / tq.service, 1, 1, cs > 10 ? 10 : cs);
  } else if (init_queue(w, q, qp->arrivals, 1 / tq.service, slots, qp->ca,
                        tq.cs > 10 ? 10 : tq.cs) < 0) {
    mmc_init(q, 0, 1 / tq.service, 1, 1, tq.cs > 10 ? 10 : tq.cs);
    qp->stable = false;
    return;
  }
  qp->p_wait = q->p_wait;
  qp->wait_mean = q->wait_mean;
  /* M/M/c's mean wait, C / (c mu - lambda), which Allen-Cunneen scales. */
  qp->wait_mmc = q->erlang_c / q->theta;
  qp->wait_rate = q->wait_rate;
  /* Forming, then the queue (FORMULAS.md 4b: a request's latency is its
   * wait for the batch to close + any wait for a free slot + t(b)). */
  qp->wait_with_form = qp->form_mean + qp->wait_mean;
  qp->mean = qp->form_mean + q->resp_mean;
  if (response_quantiles(w, q, qp, pct_level, PCT_COUNT, qp->pct) < 0)
    qp->stable = false;
}

void latency_status(const capplan_model *m, const params *p, plan *out) {
  for (size_t k = 0; k < out->n_queue_later; k++) {
    size_t i = out->queue_later[k];
    const mstage *ms = &m->stage[i];
    stage_plan *s = &out->stage[i];
    if (s->status != PLAN_OK || s->load <= 0)
      continue;
    double n = stage_servers(m, out, i);
    if (n <= 0)
      continue;
    bool random = ms->random_balancer;
    bool over;
    if (ms->tp.kind == TP_FIXED) {
      over = latency_fixed_overloaded(&p->stage[i], s, n, random);
    } else {
      tp_queue tq = {0};
      tp_queue_of(&ms->tp, &p->stage[i], stage_gpu(m, p, i), &p->hw[ms->hw],
                  &s->tp, s->load / n, &tq);
      /* queue_at's figures, in its order (uncertain/lean.c repeats them) */
      double jobs = s->load / tq.job;
      double slots = random ? capplan_floor(tq.slots + 1e-9)
                            : capplan_floor(n * tq.slots + 1e-9);
      if (slots < 1)
        slots = 1;
      double arrivals = random ? jobs / n : jobs;
      double u =
          tq.own_batcher ? tq.utilization : arrivals * tq.service / slots;
      over = !(u < RHO_OVERLOADED) || !isfinite(u);
    }
    if (over)
      s->status = PLAN_OVERLOADED;
  }
}

void latency_queue(const capplan_model *m, const params *p, plan *out,
                   size_t i) {
  stage_plan *s = &out->stage[i];
  queue_at(m, p, out, out->lw, i, stage_servers(m, out, i), &s->queue);
  if (!s->queue.stable && s->status == PLAN_OK)
    s->status = PLAN_OVERLOADED;
}

/* ---------------------------------------------------------- end to end */

static latdist *take(latency_work *w) {
  return w->n_free ? w->free[--w->n_free] : latdist_take(ctx_of(w));
}

static void give(latency_work *w, latdist *d) {
  if (d)
    w->free[w->n_free++] = d;
}

/* Stage I's part of a request's time, bounded at 1 - EPS: forming, the
 * wait and the service, times the calls in sequence. */
static double part_bound(const capplan_model *m, const params *p,
                         const plan *out, const mmc *q, size_t i, double eps) {
  const stage_in *in = &p->stage[i];
  const queue_plan *qp = &out->stage[i].queue;
  double calls = in->calls > 1 ? in->calls : 1;
  double e = m->stage[i].calls_sequential ? eps : eps / calls;
  double b = forming_bound(qp, e) + mmc_service_quantile(q, 1 - e);
  if (q->p_wait > 0)
    b += latdist_exp_quantile(q->p_wait, q->wait_rate, 1 - e);
  if (m->stage[i].calls_sequential)
    b *= ceil(calls);
  if (m->stage[i].has_cache && p->cache[m->stage[i].cache_at].latency > b)
    b = p->cache[m->stage[i].cache_at].latency;
  return b;
}

/* OUT = the sum of K independent copies of R (K >= 1 whole), by
 * doubling. */
static int sum_copies(latency_work *w, latdist *out, const latdist *r,
                      double k) {
  latdist *pow2 = take(w);
  int rc = latdist_copy(pow2, r);
  bool first = true;
  while (rc >= 0 && k >= 1) {
    double half = floor(k / 2);
    if (k - 2 * half >= 1) {
      rc = first ? latdist_copy(out, pow2) : latdist_sum(out, out, pow2);
      first = false;
    }
    k = half;
    if (rc >= 0 && k >= 1)
      rc = latdist_sum(pow2, pow2, pow2);
  }
  give(w, pow2);
  return rc;
}

/* DST = UP + stage I's response (one visit: forming, the queue, calls,
 * cache hits).  UP_ZERO: UP is the point 0 (an entry stage).  Without
 * calls, a response is added in place, in O(n) for exponential and
 * constant service: forming by a sliding sum, the wait and service by
 * latdist_add_queue, a cache hit as a mixture with UP itself.  Calls
 * need the response alone (a max or a sum of draws), then one
 * convolution with UP unless UP is 0. */
static int add_stage(const capplan_model *m, const params *p, const plan *out,
                     latency_work *w, size_t i, latdist *dst, const latdist *up,
                     bool up_zero) {
  const mstage *ms = &m->stage[i];
  const stage_in *in = &p->stage[i];
  const queue_plan *qp = &out->stage[i].queue;
  const mmc *q = &w->q[i];
  mmc served; /* the same queue without its wait: the floor */
  if (w->no_wait) {
    served = *q;
    served.status = MMC_OK;
    served.p_wait = 0;
    served.wait_rate = 0;
    q = &served;
  }
  double hit_time = ms->has_cache ? p->cache[ms->cache_at].latency : 0;
  int rc;
  if (in->calls == 1) {
    if (qp->form > 0) {
      rc = add_forming(dst, up, qp);
      if (rc >= 0)
        rc = latdist_add_queue(dst, dst, q);
    } else {
      rc = latdist_add_queue(dst, up, q);
    }
    if (rc >= 0 && in->cache_hit > 0) {
      latdist *hit = take(w);
      rc = latdist_shift(hit, up, hit_time);
      if (rc >= 0)
        rc = latdist_mix(dst, in->cache_hit, hit, dst);
      give(w, hit);
    }
    return rc;
  }
  latdist *r = take(w);
  rc = latdist_set_point(r, 0);
  if (rc >= 0 && qp->form > 0)
    rc = add_forming(r, r, qp);
  if (rc >= 0)
    rc = latdist_add_queue(r, r, q);
  if (rc >= 0 && ms->calls_sequential) {
    double lo = floor(in->calls), f = in->calls - lo;
    latdist *a = take(w);
    rc = lo >= 1 ? sum_copies(w, a, r, lo) : latdist_set_point(a, 0);
    if (rc >= 0 && f > 0) {
      latdist *b = take(w);
      rc = latdist_sum(b, a, r);
      if (rc >= 0)
        rc = latdist_mix(a, 1 - f, a, b);
      give(w, b);
    }
    if (rc >= 0)
      rc = latdist_copy(r, a);
    give(w, a);
  } else if (rc >= 0) {
    rc = latdist_max_k(r, r, in->calls);
  }
  if (rc >= 0 && in->cache_hit > 0) {
    latdist *hit = take(w);
    rc = latdist_set_point(hit, hit_time);
    if (rc >= 0)
      rc = latdist_mix(r, in->cache_hit, hit, r);
    give(w, hit);
  }
  if (rc >= 0)
    rc = up_zero ? latdist_copy(dst, r) : latdist_sum(dst, up, r);
  give(w, r);
  return rc;
}

/* Share of the requests at stage I that end there: its stops, and what
 * its children on the path leave (all of it for a last stage). */
static double end_weight(const params *p, const plan *out, size_t i,
                         const double *taken) {
  const stage_plan *s = &out->stage[i];
  double leave = 1 - taken[i];
  return s->inflow * p->stage[i].stops + s->outflow * (leave > 0 ? leave : 0);
}

/* The end-to-end distribution (in W's context), or NULL when it cannot
 * be had. */
static const latdist *end_to_end(const capplan_model *m, const params *p,
                                 plan *out, latency_work *w) {
  bool product_, *product = &product_;
  size_t n = m->n_stages;
  /* Shares of each stage's outflow that its children on the path take,
   * and how many of them read its distribution. */
  double *taken = w->bound; /* reused below for the bounds */
  for (size_t i = 0; i < n; i++) {
    taken[i] = 0;
    w->pending[i] = 0;
  }
  for (size_t i = 0; i < n; i++) {
    if (!on_path(m, out, i))
      continue;
    const mstage *ms = &m->stage[i];
    for (size_t k = 0; k < ms->n_parents; k++) {
      size_t u = ms->parents[k];
      if (!on_path(m, out, u))
        continue;
      taken[u] += p->stage[i].share;
      w->pending[u]++;
    }
  }
  double total = 0;
  for (size_t i = 0; i < n; i++) {
    w->weight[i] = on_path(m, out, i) ? end_weight(p, out, i, taken) : 0;
    total += w->weight[i];
  }
  if (!(total > 0))
    return NULL;
  *product = total > 1 + 1e-9;

  /* The grid: a bound on the p99.99 by the union bound over every random
   * part (latdist.h), the slowest path's sum of the parts' bounds. */
  double parts = 0;
  for (size_t i = 0; i < n; i++)
    if (on_path(m, out, i))
      parts += 2 * (p->stage[i].calls > 1 ? ceil(p->stage[i].calls) : 1) + 1;
  double eps = GRID_TAIL / (parts > 1 ? parts : 1), top = 0;
  double *bound = w->bound, *depth = w->depth, deepest = 0;
  for (size_t k = 0; k < n; k++) {
    size_t i = m->order[k];
    if (!on_path(m, out, i)) {
      bound[i] = 0;
      depth[i] = 0;
      continue;
    }
    double up = 0, d = 0;
    for (size_t j = 0; j < m->stage[i].n_parents; j++) {
      size_t u = m->stage[i].parents[j];
      if (bound[u] > up)
        up = bound[u];
      if (depth[u] > d)
        d = depth[u];
    }
    depth[i] = d + stage_depth(m, p, i);
    if (depth[i] > deepest)
      deepest = depth[i];
    mmc served = w->q[i];
    if (w->no_wait) {
      served.p_wait = 0;
      served.wait_rate = 0;
    }
    bound[i] = up + part_bound(m, p, out, &served, i, eps);
    if (bound[i] > top)
      top = bound[i];
  }
  if (!(top > 0) || !isfinite(top) ||
      latdist_ctx_set_dt(ctx_of(w), grid_dt(top, deepest)) != LATDIST_OK)
    return NULL;
  w->n_free = 0;
  for (size_t i = 0; i < n; i++)
    w->to[i] = NULL;
  latdist *acc = latdist_take(ctx_of(w)), *tmp = latdist_take(ctx_of(w));
  double acc_w = 0;
  int rc = 0;
  for (size_t k = 0; k < n && rc >= 0; k++) {
    size_t i = m->order[k];
    if (!on_path(m, out, i))
      continue;
    const mstage *ms = &m->stage[i];
    /* When the request gets to the stage: its one parent's distribution
     * as it is, or the parents' combined into UP. */
    size_t seen = 0, only = 0;
    for (size_t j = 0; j < ms->n_parents; j++)
      if (w->to[ms->parents[j]]) {
        only = ms->parents[j];
        seen++;
      }
    latdist *up = NULL;
    const latdist *from;
    if (seen == 1) {
      from = w->to[only];
    } else {
      up = take(w);
      seen = 0;
      double flow = 0, most = 0;
      for (size_t j = 0; j < ms->n_parents; j++)
        if (w->to[ms->parents[j]] && out->stage[ms->parents[j]].outflow > most)
          most = out->stage[ms->parents[j]].outflow;
      for (size_t j = 0; j < ms->n_parents && rc >= 0; j++) {
        size_t u = ms->parents[j];
        if (!w->to[u])
          continue;
        double f = out->stage[u].outflow;
        if (ms->join_any) {
          if (seen == 0)
            rc = latdist_copy(up, w->to[u]);
          else
            rc = flow + f > 0 ? latdist_mix(up, flow / (flow + f), up, w->to[u])
                              : latdist_copy(up, w->to[u]);
        } else {
          /* A branch that a request at the join took with probability
           * v waits for it only then: its factor of the product of CDFs
           * is (1 - v) + v F, the mix of F with the point 0, as for the
           * ends below.  As the flow (eval.c: the join's inflow is its
           * largest parent's outflow), the largest branch is always
           * taken, and v = the branch's outflow / the largest. */
          double v = most > 0 && f < most ? f / most : 1;
          const latdist *branch = w->to[u];
          if (v < 1) {
            rc = latdist_set_point(tmp, 0);
            if (rc >= 0)
              rc = latdist_mix(tmp, v, w->to[u], tmp);
            branch = tmp;
          }
          if (rc >= 0)
            rc = seen == 0 ? latdist_copy(up, branch)
                           : latdist_max(up, up, branch);
        }
        flow += f;
        seen++;
      }
      if (rc >= 0 && seen == 0)
        rc = latdist_set_point(up, 0);
      from = up;
    }
    latdist *mine = take(w);
    if (rc >= 0)
      rc = add_stage(m, p, out, w, i, mine, from, seen == 0);
    give(w, up);
    for (size_t j = 0; j < ms->n_parents; j++) {
      size_t u = ms->parents[j];
      if (w->to[u] && --w->pending[u] == 0) {
        give(w, w->to[u]);
        w->to[u] = NULL;
      }
    }
    w->to[i] = mine;
    /* Where requests end here, into the end-to-end accumulator. */
    double wt = w->weight[i];
    if (rc >= 0 && wt > 0) {
      if (*product) {
        double v = wt < 1 ? wt : 1;
        rc = latdist_set_point(tmp, 0);
        if (rc >= 0)
          rc = latdist_mix(tmp, v, mine, tmp);
        if (rc >= 0)
          rc = acc_w > 0 ? latdist_max(acc, acc, tmp) : latdist_copy(acc, tmp);
      } else {
        rc = acc_w > 0 ? latdist_mix(acc, acc_w / (acc_w + wt), acc, mine)
                       : latdist_copy(acc, mine);
      }
      acc_w += wt;
    }
    if (w->pending[i] == 0) {
      give(w, w->to[i]);
      w->to[i] = NULL;
    }
  }
  return rc < 0 ? NULL : acc;
}

void latency_end_to_end(const capplan_model *m, const params *p, plan *out) {
  latency_work *w = out->lw;
  out->pct_known = false;
  out->unstable = -1;
  out->pct_mean = 0;
  for (int k = 0; k < PCT_COUNT; k++)
    out->pct[k] = 0;
  for (size_t k = 0; k < m->n_stages && !w->no_wait; k++) {
    size_t i = m->order[k];
    if (on_path(m, out, i) && !out->stage[i].queue.stable) {
      out->unstable = (long)i;
      return;
    }
  }
  const latdist *e = end_to_end(m, p, out, w);
  if (!e)
    return;
  latdist_summary sum;
  /* A percentile beyond the grid is never guessed; the mean may carry
   * the mass beyond (at most 1e-4, latdist.h) as a lower bound, off by
   * less than that mass times the grid's end. */
  if (latdist_summarize(e, &sum) < 0 || (sum.beyond & ~1u) != 0)
    return;
  out->pct[PCT_P50] = sum.p50;
  out->pct[PCT_P95] = sum.p95;
  out->pct[PCT_P99] = sum.p99;
  out->pct[PCT_P999] = sum.p999;
  out->pct_mean = sum.mean;
  out->pct_known = true;
}

int latency_visit(const capplan_model *m, const params *p, plan *out, size_t i,
                  double pct[PCT_COUNT], double *mean, double *grid) {
  const stage_plan *s = &out->stage[i];
  if (!out->latency_on || s->queue.model == QUEUE_NONE || !s->queue.stable)
    return -1;
  /* A settled plan (plan_settle) gave its work back: what follows needs
   * only the stage's own queue and a grid, made afresh once. */
  if (!out->lw)
    out->lw = latency_work_new(m);
  latency_work *w = out->lw;
  /* The stage's queue again, at the servers the plan settled on (sizing
   * tries other counts on the same scratch). */
  queue_plan qp;
  queue_at(m, p, out, w, i, s->queue.servers, &qp);
  if (!qp.stable)
    return -1;
  /* The grid: the union bound over this stage's random parts alone. */
  double calls = p->stage[i].calls > 1 ? ceil(p->stage[i].calls) : 1;
  double top = part_bound(m, p, out, &w->q[i], i, GRID_TAIL / (2 * calls + 1));
  if (!(top > 0) || !isfinite(top))
    return -1;
  double dt = latdist_ctx_dt(ctx_of(w));
  int rc = -1;
  latdist_summary sum;
  double spacing = grid_dt(top, stage_depth(m, p, i));
  if (latdist_ctx_set_dt(ctx_of(w), spacing) == LATDIST_OK) {
    w->n_free = 0;
    latdist *up = latdist_take(ctx_of(w)), *mine = latdist_take(ctx_of(w));
    /* As latency_end_to_end: a mean with mass beyond the grid is a
     * close lower bound; a percentile there is never guessed. */
    if (latdist_set_point(up, 0) == LATDIST_OK &&
        add_stage(m, p, out, w, i, mine, up, true) >= 0 &&
        latdist_summarize(mine, &sum) >= 0 && (sum.beyond & ~1u) == 0)
      rc = 0;
  }
  w->n_free = 0;
  latdist_ctx_set_dt(ctx_of(w), dt);
  if (rc < 0)
    return -1;
  *mean = sum.mean;
  *grid = spacing;
  pct[PCT_P50] = sum.p50;
  pct[PCT_P95] = sum.p95;
  pct[PCT_P99] = sum.p99;
  pct[PCT_P999] = sum.p999;
  return 0;
}

/* -------------------------------------------------------------- sizing */

/* Stage I's own objectives met by queue QP? */
static bool stage_meets(const capplan_model *m, size_t i,
                        const queue_plan *qp) {
  for (size_t k = 0; k < m->n_pct_limits; k++) {
    const pct_limit *l = &m->pct_limits[k];
    if (l->stage != (long)i)
      continue;
    if (!qp->stable || qp->pct[l->pct] > l->limit * (1 + 1e-9))
      return false;
  }
  return true;
}

/* Stage I runs a batcher per accelerator, whose batch follows the count
 * (tp_dynbatch.c). */
static bool own_batcher(const capplan_model *m, size_t i) {
  const tp_model *tp = &m->stage[i].tp;
  return (tp->kind == TP_DYNBATCH || tp->kind == TP_ROOFLINE) &&
         tp->as.gpu.batching && tp->as.gpu.per_accelerator;
}

/* Records an objective no count can meet, and the floor it is below. */
static void unmet(plan *out, long stage, int pct, double floor_s) {
  if (out->latency_unmet)
    return; /* the first is reported */
  out->latency_unmet = true;
  out->unmet_stage = stage;
  out->unmet_pct = pct;
  out->unmet_floor = floor_s;
}

/* A stage objective below what its service (and forming) take with no
 * wait at all: no count of servers meets it. */
static bool below_floor(const capplan_model *m, plan *out, size_t i) {
  const queue_plan *qp = &out->stage[i].queue;
  /* Per-accelerator batchers form smaller batches on more accelerators:
   * their response without a wait still falls as servers are added, so
   * the search alone says whether a count meets the objective. */
  if (own_batcher(m, i))
    return false;
  mmc served = out->lw->q[i];
  served.status = MMC_OK;
  served.p_wait = 0;
  served.wait_rate = 0;
  for (size_t k = 0; k < m->n_pct_limits; k++) {
    const pct_limit *l = &m->pct_limits[k];
    if (l->stage != (long)i)
      continue;
    double f;
    if (response_quantiles(out->lw, &served, qp, &pct_level[l->pct], 1, &f) ==
            0 &&
        f > l->limit * (1 + 1e-9)) {
      unmet(out, l->stage, l->pct, f);
      return true;
    }
  }
  return false;
}

/* What sizing grows (a unit): a stand-alone stage (U < n, the stage U)
 * or a colocation group (U = n + g), whose servers its members share by
 * server-equivalents (stage_servers), so one more server there shortens
 * every member's queue. */

/* Servers of colocated stage I when its group has COUNT. */
static double member_servers(const capplan_model *m, const plan *out, size_t i,
                             double count) {
  const group_plan *gp = &out->group[m->stage[i].group];
  return gp->equivalents > 0
             ? count * out->stage[i].equivalents / gp->equivalents
             : 0;
}

/* Unit U's servers now, with those sizing added so far. */
static double unit_count(const capplan_model *m, const plan *out, size_t u) {
  if (u < m->n_stages)
    return out->stage[u].pool.servers + out->stage[u].latency_added;
  const group_plan *gp = &out->group[u - m->n_stages];
  return gp->pool.servers + gp->latency_added;
}

/* The servers sizing has added to unit U so far. */
static double unit_added(const capplan_model *m, const plan *out, size_t u) {
  return u < m->n_stages ? out->stage[u].latency_added
                         : out->group[u - m->n_stages].latency_added;
}

/* The unit that serves stage I. */
static size_t unit_of(const capplan_model *m, size_t i) {
  long g = m->stage[i].group;
  return g < 0 ? i : m->n_stages + (size_t)g;
}

/* Stage I's servers when its unit has COUNT. */
static double servers_at(const capplan_model *m, const plan *out, size_t i,
                         double count) {
  return m->stage[i].group < 0 ? count : member_servers(m, out, i, count);
}

/* The smallest count of unit U from N0 up at which stage I's queue meets
 * its objectives, by doubling then bisection (the response falls as
 * servers are added); 0 when none up to 2^40 times N0 does. */
static double smallest_meeting(const capplan_model *m, const params *p,
                               plan *out, size_t i, double n0) {
  latency_work *w = out->lw;
  queue_plan qp;
  queue_at(m, p, out, w, i, servers_at(m, out, i, n0), &qp);
  if (stage_meets(m, i, &qp))
    return n0;
  double lo = n0, hi = n0;
  for (int k = 0; k < 40; k++) {
    hi = hi * 2;
    if (hi > CAPPLAN_MAX_EXACT)
      return 0;
    queue_at(m, p, out, w, i, servers_at(m, out, i, hi), &qp);
    if (stage_meets(m, i, &qp))
      break;
    lo = hi;
    if (k == 39)
      return 0;
  }
  while (hi - lo > 1) {
    double mid = floor((lo + hi) / 2);
    queue_at(m, p, out, w, i, servers_at(m, out, i, mid), &qp);
    if (stage_meets(m, i, &qp))
      hi = mid;
    else
      lo = mid;
  }
  return hi;
}

/* The end-to-end objectives' shortfall: the sum over those not met of
 * how far past the limit the percentile is, relative to the limit; -1
 * when the percentiles are unknown (a stage overloaded). */
static double shortfall(const capplan_model *m, const plan *out) {
  if (!out->pct_known)
    return -1;
  double s = 0;
  for (size_t k = 0; k < m->n_pct_limits; k++) {
    const pct_limit *l = &m->pct_limits[k];
    if (l->stage < 0 && out->pct[l->pct] > l->limit * (1 + 1e-9))
      s += out->pct[l->pct] / l->limit - 1;
  }
  return s;
}

/* Whether sizing may grow unit U: a stage on the request path with load
 * and no 'sizing: throughput'; a group when none of its members says
 * 'sizing: throughput' and one is on the path with load. */
static bool sizable(const capplan_model *m, const plan *out, size_t u) {
  if (u < m->n_stages)
    return m->stage[u].size_latency && m->stage[u].group < 0 &&
           on_path(m, out, u) && out->stage[u].load > 0;
  const mgroup *mg = &m->group[u - m->n_stages];
  bool any = false;
  for (size_t k = 0; k < mg->n_members; k++) {
    size_t i = mg->members[k];
    if (!m->stage[i].size_latency)
      return false;
    any = any || (on_path(m, out, i) && out->stage[i].load > 0);
  }
  return any;
}

/* Whether every queue unit U serves is stable. */
static bool unit_stable(const capplan_model *m, const plan *out, size_t u) {
  if (u < m->n_stages)
    return out->stage[u].queue.stable;
  const mgroup *mg = &m->group[u - m->n_stages];
  for (size_t k = 0; k < mg->n_members; k++) {
    const stage_plan *s = &out->stage[mg->members[k]];
    if (s->load > 0 && !s->queue.stable)
      return false;
  }
  return true;
}

/* The yearly price of one more server of unit U. */
static double unit_price(const capplan_model *m, const params *p, size_t u) {
  size_t hw = u < m->n_stages ? m->stage[u].hw : m->group[u - m->n_stages].hw;
  return p->hw[hw].cost_per_year;
}

/* Sets unit U to N servers for the sizing's trials: its added count and
 * the queues of the stages it serves. */
static void try_count(const capplan_model *m, const params *p, plan *out,
                      size_t u, double n) {
  if (u < m->n_stages) {
    stage_plan *s = &out->stage[u];
    s->latency_added = n - s->pool.servers;
    queue_at(m, p, out, out->lw, u, n, &s->queue);
    return;
  }
  size_t g = u - m->n_stages;
  const mgroup *mg = &m->group[g];
  group_plan *gp = &out->group[g];
  gp->latency_added = n - gp->pool.servers;
  for (size_t k = 0; k < mg->n_members; k++) {
    size_t i = mg->members[k];
    stage_plan *s = &out->stage[i];
    if (s->load > 0)
      queue_at(m, p, out, out->lw, i, member_servers(m, out, i, n), &s->queue);
  }
}

/* Keeps (KEEP) or puts back (!KEEP) the queues of the stages unit U
 * serves and its added count: a trial of one more server is undone
 * without computing the queues again. */
static void unit_keep(const capplan_model *m, plan *out, size_t u, bool keep) {
  latency_work *w = out->lw;
  const mgroup *mg = u < m->n_stages ? NULL : &m->group[u - m->n_stages];
  size_t count = mg ? mg->n_members : 1;
  for (size_t k = 0; k < count; k++) {
    size_t i = mg ? mg->members[k] : u;
    if (keep) {
      w->kept[k] = out->stage[i].queue;
      w->kept_q[k] = w->q[i];
    } else {
      out->stage[i].queue = w->kept[k];
      w->q[i] = w->kept_q[k];
    }
  }
  double *added = mg ? &out->group[u - m->n_stages].latency_added
                     : &out->stage[u].latency_added;
  if (keep)
    w->kept_added = *added;
  else
    *added = w->kept_added;
}

/* The count of unit U (now C) at which each queue it serves is below
 * 100%: a queue at utilization rho with C servers needs more than
 * C rho; then one at a time until all are stable. */
static void make_stable(const capplan_model *m, const params *p, plan *out,
                        size_t u) {
  const mgroup *mg = u < m->n_stages ? NULL : &m->group[u - m->n_stages];
  size_t count = mg ? mg->n_members : 1;
  double c = unit_count(m, out, u), next = c + 1;
  for (size_t k = 0; k < count; k++) {
    const stage_plan *s = &out->stage[mg ? mg->members[k] : u];
    if (s->load <= 0 || s->queue.stable)
      continue;
    double need = floor(c * s->queue.utilization) + 1;
    next = need > next ? need : next;
  }
  try_count(m, p, out, u, next);
  while (!unit_stable(m, out, u) && next < CAPPLAN_MAX_EXACT) {
    next += 1;
    try_count(m, p, out, u, next);
  }
}

void latency_size(const capplan_model *m, const params *p, plan *out) {
  size_t n = m->n_stages, units = n + m->n_groups;
  bool e2e = false;
  for (size_t i = 0; i < n; i++)
    out->stage[i].latency_added = out->stage[i].latency_needed = 0;
  for (size_t g = 0; g < m->n_groups; g++)
    out->group[g].latency_added = out->group[g].latency_needed = 0;
  out->latency_unmet = false;
  out->unmet_stage = -1;
  out->unmet_pct = -1;
  out->unmet_floor = 0;
  /* 1. Each stage's own objectives: exactly the smallest count of the
   * servers that serve it (its own, or its group's). */
  for (size_t k = 0; k < m->n_pct_limits; k++) {
    const pct_limit *l = &m->pct_limits[k];
    if (l->stage < 0) {
      e2e = true;
      continue;
    }
    size_t i = (size_t)l->stage, u = unit_of(m, i);
    if (!m->stage[i].size_latency || out->stage[i].load <= 0 ||
        (u >= n && !sizable(m, out, u)))
      continue;
    if (below_floor(m, out, i))
      continue;
    /* The fewest servers from what the load needs that meet it: those
     * that must be up for the objective (FORMULAS.md 2b), which spares
     * and headroom may exceed; the unit grows to them if it has fewer
     * (the response only falls as servers are added, so a unit that has
     * more meets it already). */
    double now = unit_count(m, out, u);
    double from =
        u < n ? out->stage[u].pool.needed : out->group[u - n].pool.needed;
    double fewest = smallest_meeting(m, p, out, i, from > 1 ? from : 1);
    if (fewest == 0) {
      unmet(out, l->stage, l->pct, 0);
      continue;
    }
    double *need = u < n ? &out->stage[u].latency_needed
                         : &out->group[u - n].latency_needed;
    if (fewest > *need)
      *need = fewest;
    /* The unit at its count again: the search left the scratch queues
     * at the counts it tried. */
    try_count(m, p, out, u, fewest > now ? fewest : now);
  }
  if (!e2e)
    return;
  /* The floor: the response with no wait anywhere.  An objective below
   * it is unmet whatever is added, so nothing is. */
  latency_work *w = out->lw;
  w->no_wait = true;
  latency_end_to_end(m, p, out);
  w->no_wait = false;
  /* No floor at these counts when a batcher per accelerator may grow
   * (below_floor): the search finds out. */
  bool floor_known = true;
  for (size_t i = 0; i < n; i++)
    if (own_batcher(m, i) && sizable(m, out, unit_of(m, i)))
      floor_known = false;
  if (out->pct_known && floor_known)
    for (size_t k = 0; k < m->n_pct_limits; k++) {
      const pct_limit *l = &m->pct_limits[k];
      if (l->stage < 0 && out->pct[l->pct] > l->limit * (1 + 1e-9)) {
        unmet(out, -1, l->pct, out->pct[l->pct]);
        return;
      }
    }
  bool any = false;
  for (size_t u = 0; u < units; u++) {
    w->added[u] = unit_added(m, out, u);
    any = any || sizable(m, out, u);
  }
  if (!any)
    return;
  /* 2. End to end: first every overloaded unit that may grow just past
   * 100%, then one server at a time where the objectives' shortfall
   * drops most per dollar, until they are met. */
  for (size_t u = 0; u < units; u++)
    if (sizable(m, out, u) && !unit_stable(m, out, u))
      make_stable(m, p, out, u);
  latency_end_to_end(m, p, out);
  double gap = shortfall(m, out);
  size_t evals = 1;
  while (gap != 0) {
    if (gap < 0 || evals >= SIZING_EVALS) {
      unmet(out, -1, -1, 0);
      break;
    }
    long best = -1;
    double best_rate = 0, best_gap = gap;
    for (size_t u = 0; u < units && evals < SIZING_EVALS; u++) {
      if (!sizable(m, out, u))
        continue;
      double c = unit_count(m, out, u);
      unit_keep(m, out, u, true);
      try_count(m, p, out, u, c + 1);
      latency_end_to_end(m, p, out);
      evals++;
      double g = shortfall(m, out);
      double cost = unit_price(m, p, u);
      double rate = g >= 0 ? (gap - g) / (cost > 0 ? cost : 1e-9) : 0;
      if (g >= 0 && g < gap && (best < 0 || rate > best_rate)) {
        best = (long)u;
        best_rate = rate;
        best_gap = g;
      }
      unit_keep(m, out, u, false);
    }
    if (best < 0) {
      unmet(out, -1, -1, 0);
      break;
    }
    try_count(m, p, out, (size_t)best, unit_count(m, out, (size_t)best) + 1);
    gap = best_gap;
  }
  if (out->latency_unmet) /* back to what the stages' own objectives add */
    for (size_t u = 0; u < units; u++) {
      double added = unit_added(m, out, u);
      if (added != w->added[u])
        try_count(m, p, out, u, unit_count(m, out, u) - added + w->added[u]);
    }
}

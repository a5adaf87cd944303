/*
 * sim_plan.c - a plan as a simulation, and the comparison of the two
 * (sim_plan.h).
 *
 * Each stage becomes a simulator stage with the numbers its plan was
 * worked out with (docs/simulation.md, "From a spec to the simulator"):
 * the queue of latency.c (its slots after sizing, its balancer, the job
 * its throughput model describes through tp_queue: one request, or a
 * batch that forms) and the routing of the graph (share, calls, cache
 * hits, stops, both joins, async).  Nothing is recomputed here that the
 * plan already knows, so the simulation checks the plan's queueing
 * assumptions and nothing else.
 */
#include "sim_plan.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "latency.h"
#include "util.h"

/* capplan.h: the options' defaults live with the adapter that reads
 * them. */
void capplan_sim_opts_init(capplan_sim_opts *o) {
  memset(o, 0, sizeof *o);
  o->requests = SIM_PLAN_DEFAULT_REQUESTS;
  o->warmup = -1;
  o->replications = 1;
  o->seed = 1;
}

/* The simulator's own bounds (des.c validate), checked here first so
 * that a plan beyond them is reported at its stage. */
#define MAX_SLOTS (1u << 26)
#define MAX_CALLS 1e6
#define MAX_BATCH (1u << 20)
#define MAX_WINDOW 1e9

const char *const sim_fig_key[SIMF_COUNT] = {"latency_mean_ms",
                                             "latency_p50_ms",
                                             "latency_p95_ms",
                                             "latency_p99_ms",
                                             "latency_p999_ms",
                                             "utilization",
                                             "queue_mean",
                                             "wait_with_forming_mean_ms",
                                             "qps"};

const char *sim_row_status_name(enum sim_row_status s) {
  static const char *const names[] = {"ok", "overloaded", "no-traffic",
                                      "not-measured"};
  return names[s];
}

/* The distribution a stage's service is drawn from: its 'service', else
 * by its coefficient of variation, as queueing.h shapes it. */
static sim_service service_of(enum service_dist d, double cs) {
  switch (d) {
  case SERVICE_EXPONENTIAL:
    return SIM_EXPONENTIAL;
  case SERVICE_DETERMINISTIC:
    return SIM_DETERMINISTIC;
  case SERVICE_LOGNORMAL:
    return SIM_LOGNORMAL;
  case SERVICE_GAMMA:
    return SIM_GAMMA;
  default:
    return cs == 1      ? SIM_EXPONENTIAL
           : cs < 0.001 ? SIM_DETERMINISTIC
                        : SIM_GAMMA;
  }
}

/* "cannot simulate stage 'x': its queue has 100,000,000 slots; the
 * simulator takes at most 67,108,864". */
static void too_big(capplan_diags *d, const mstage *ms, const char *help,
                    const char *what, double v, const char *unit, double most) {
  char a[FMT_SIZE], b[FMT_SIZE];
  capplan_diags_add(d, CAPPLAN_ERROR, ms->loc, help,
                    "cannot simulate stage '%s': %s %s %s; the simulator "
                    "takes at most %s",
                    ms->name, what, fmt_count(v, a, sizeof a), unit,
                    fmt_count(most, b, sizeof b));
}

/* Stage I's capacity and service, from its plan's queue, into S.
 * Returns the slots it takes, or -1 after a diagnostic. */
/* A `batching:` stage's own batcher (tp_dynbatch.c): its placement,
 * window, max_batch (none: the largest the simulator takes) and batch
 * time base + per_item x b - as the spec gives them, or for `work:` the
 * side of the roofline the estimator gives its batcher at the stage's
 * load (tp_batching_line) - so that the simulator forms batches from the
 * traffic as the estimate's model says they form (FORMULAS.md 4b)
 * instead of replaying the plan's mean batch. */
static void dynamic_batcher(const mstage *ms, const stage_in *in,
                            const gpu_in *g, const hw_in *hw, double load,
                            sim_stage *s) {
  double mb = g->max_batch >= 1 ? floor(g->max_batch) : MAX_BATCH;
  s->batching.enabled = true;
  s->batching.placement = ms->tp.as.gpu.per_accelerator
                              ? SIM_BATCH_PER_ACCELERATOR
                              : SIM_BATCH_SHARED;
  s->batching.max_batch = (uint32_t)(mb < MAX_BATCH ? mb : MAX_BATCH);
  s->batching.window = g->window < MAX_WINDOW ? g->window : MAX_WINDOW;
  double base, per_item;
  tp_batching_line(&ms->tp, in, g, hw, load, &base, &per_item);
  s->batching.base = base;
  s->batching.per_item = per_item;
  /* The balancer does not apply: the batcher picks the accelerator. */
  s->balancer = SIM_LEAST_LOADED;
}

static double capacity(const capplan_model *m, const plan *pl, size_t i,
                       const stage_in *in, const gpu_in *g, const hw_in *hw,
                       sim_stage *s, capplan_diags *d) {
  const mstage *ms = &m->stage[i];
  const stage_plan *sp = &pl->stage[i];
  const queue_plan *qp = &sp->queue;
  if (qp->model == QUEUE_NONE) {
    /* No call reaches its servers (no load, or all cache hits): one
     * slot that stays idle. */
    s->service_mean = sp->tp.latency;
    return 1;
  }
  /* The shared queue (least-loaded) is one queue of all its slots, so
   * one "server" of c slots is the same queue; a server's own queue
   * (random) keeps its slots, on the plan's servers (a colocated
   * stage's share rounded, at least one). */
  double servers = qp->random ? floor(qp->servers + 0.5) : 1;
  if (servers < 1)
    servers = 1;
  double slots = servers * qp->slots;
  if (!(slots <= MAX_SLOTS)) {
    too_big(d, ms,
            "simulate a smaller plan: fewer servers, or more work per "
            "slot; the estimate's queues take any count",
            "its queue has", slots, "slots", MAX_SLOTS);
    return -1;
  }
  s->servers = (uint32_t)servers;
  s->concurrency = (uint32_t)qp->slots;
  s->balancer = qp->random ? SIM_RANDOM : SIM_LEAST_LOADED;
  s->service = service_of(ms->service, qp->cs);
  s->service_mean = qp->service;
  s->service_cv = qp->cs;
  if (ms->tp.kind == TP_DYNBATCH ||
      (ms->tp.kind == TP_ROOFLINE && ms->tp.as.gpu.batching)) {
    dynamic_batcher(ms, in, g, hw, sp->tp.rate, s);
  } else if (qp->job > 1) {
    /* Jobs of several requests (tp_queue.job): a batch each slot fills
     * from its own arrivals, then serves in one service time.  A fixed
     * batch (tp_batch) waits to fill: the plan's forming time is the mean
     * time a slot takes to gather one, and the batch goes short only
     * after SIM_PLAN_WINDOW_FACTOR times that.  Any other kind's forming
     * time is what tp_queue says it is, the longest a job waits to form:
     * a batcher's window. */
    double b = floor(qp->job + 0.5);
    if (!(b <= MAX_BATCH)) {
      too_big(d, ms, "simulate smaller batches", "its batches hold", b,
              "requests", MAX_BATCH);
      return -1;
    }
    double w =
        ms->tp.kind == TP_BATCH ? SIM_PLAN_WINDOW_FACTOR * qp->form : qp->form;
    s->batching.enabled = true;
    s->batching.placement = SIM_BATCH_PER_ACCELERATOR;
    s->batching.max_batch = (uint32_t)b;
    s->batching.window = w < MAX_WINDOW ? w : MAX_WINDOW;
    s->batching.base = qp->service;
    s->batching.per_item = 0;
  }
  return slots;
}

int sim_plan_build(const capplan_model *m, const params *p, const plan *pl,
                   const capplan_sim_opts *opts, sim_plan *out,
                   capplan_diags *d) {
  memset(out, 0, sizeof *out);
  capplan_sim_opts o;
  if (opts)
    o = *opts;
  else
    capplan_sim_opts_init(&o);
  size_t nm = m->n_stages, n = 0, links = 0;
  out->sim_of = xmalloc((nm ? nm : 1) * sizeof(long));
  for (size_t i = 0; i < nm; i++) {
    out->sim_of[i] = -1;
    if (!m->stage[i].standby) {
      n++;
      links += m->stage[i].n_parents;
    }
  }
  out->stages = xcalloc(n ? n : 1, sizeof(sim_stage));
  out->model_of = xcalloc(n ? n : 1, sizeof(size_t));
  out->plan_slots = xcalloc(n ? n : 1, sizeof(double));
  out->parents = xcalloc(links ? links : 1, sizeof(size_t));
  int bad = 0;
  double total = 0;
  size_t used = 0;
  for (size_t k = 0; k < nm; k++) {
    size_t i = m->order[k];
    const mstage *ms = &m->stage[i];
    const stage_in *in = &p->stage[i];
    if (ms->standby)
      continue; /* no request reaches a fallback while its primary is up */
    size_t j = out->n++;
    out->sim_of[i] = (long)j;
    out->model_of[j] = i;
    sim_stage *s = &out->stages[j];
    sim_stage_init(s);
    s->name = ms->name;
    /* Parents come first in the model's order, and none is a standby
     * (resolve.c refuses 'after' a fallback). */
    s->parents = &out->parents[used];
    for (size_t q = 0; q < ms->n_parents; q++)
      out->parents[used + q] = (size_t)out->sim_of[ms->parents[q]];
    s->n_parents = ms->n_parents;
    used += ms->n_parents;
    s->join_all = !ms->join_any;
    s->share = in->share;
    s->calls = in->calls;
    s->calls_sequential = ms->calls_sequential;
    s->cache_hit = in->cache_hit;
    /* A hit takes the cache tier's latency (a constant, as in the
     * plan's end-to-end response), or no time without a tier. */
    s->hit_latency = ms->has_cache ? p->cache[ms->cache_at].latency : 0;
    s->stops = in->stops;
    s->async = ms->async;
    if (in->calls > MAX_CALLS) {
      too_big(d, ms, "simulate fewer calls per visit", "it makes", in->calls,
              "calls per visit", MAX_CALLS);
      bad = 1;
      continue;
    }
    double slots = capacity(m, pl, i, &p->stage[i], stage_gpu(m, p, i),
                            &p->hw[ms->hw], s, d);
    if (slots < 0) {
      bad = 1;
      continue;
    }
    out->plan_slots[j] = pl->stage[i].queue.slots;
    total += slots;
    if (!bad && total > MAX_SLOTS) {
      too_big(d, ms,
              "simulate a smaller plan; the estimate's queues take any count",
              "the stages up to this one have", total, "slots", MAX_SLOTS);
      bad = 1;
    }
  }
  sim_input *si = &out->in;
  sim_input_init(si);
  si->stages = out->stages;
  si->n_stages = out->n;
  si->lambda = pl->qps;
  si->arrival_cv = p->traffic.arrival_cv;
  if (o.duration > 0) {
    si->duration = o.duration;
  } else {
    si->requests = o.requests ? o.requests : SIM_PLAN_DEFAULT_REQUESTS;
  }
  si->warmup = o.warmup;
  si->replications = o.replications ? o.replications : 1;
  si->seed = o.seed;
  si->progress = o.progress;
  si->progress_ctx = o.progress_ctx;
  /* The last measured requests see the traffic the others saw: a batch
   * waiting to fill is filled by the arrivals after the run. */
  si->cooldown = true;
  return bad ? -1 : 0;
}

void sim_plan_release(sim_plan *sp) {
  if (!sp)
    return;
  free(sp->stages);
  free(sp->model_of);
  free(sp->sim_of);
  free(sp->parents);
  free(sp->plan_slots);
  memset(sp, 0, sizeof *sp);
}

/* ------------------------------------------------------ the comparison */

static void set(sim_cmp *c, sim_ci v, bool known, double analytic,
                double grid) {
  c->has = true;
  c->sim = v;
  c->known = known;
  c->analytic = known ? analytic : 0;
  if (!known)
    return;
  c->diff = v.value - analytic;
  c->has_rel = analytic != 0;
  c->rel = c->has_rel ? c->diff / analytic : 0;
  /* Outside by more than the resolution of either side (the simulated
   * percentiles' 1/1024; GRID, the analytic figure's where its grid
   * limits it), and never against an interval of no width (every section
   * measured the same, say a wait that never happened), which has no
   * spread to judge by. */
  double tol = SIM_PLAN_RESOLUTION * fabs(analytic);
  if (grid > tol)
    tol = grid;
  c->outside = v.n >= 2 && v.lo < v.hi &&
               (analytic < v.lo - tol || analytic > v.hi + tol);
}

static enum sim_row_status status_of(sim_status s) {
  switch (s) {
  case SIM_OVERLOADED:
    return SIMROW_OVERLOADED;
  case SIM_NO_TRAFFIC:
    return SIMROW_NO_TRAFFIC;
  case SIM_NOT_MEASURED:
    return SIMROW_NOT_MEASURED;
  default:
    return SIMROW_OK;
  }
}

/* The five latency figures of F, against the analytic MEAN and PCT. */
static void latencies(sim_row *row, const sim_figures *f, bool known,
                      double mean, const double *pct, double grid) {
  set(&row->fig[SIMF_MEAN], f->latency_mean, known, mean, 0);
  set(&row->fig[SIMF_P50], f->latency_p50, known, pct[PCT_P50], grid);
  set(&row->fig[SIMF_P95], f->latency_p95, known, pct[PCT_P95], grid);
  set(&row->fig[SIMF_P99], f->latency_p99, known, pct[PCT_P99], grid);
  set(&row->fig[SIMF_P999], f->latency_p999, known, pct[PCT_P999], grid);
}

void sim_plan_compare(capplan_simulation *s) {
  const capplan_report *r = s->report;
  const capplan_model *m = r->model;
  plan *pl = r->plan;
  const sim_plan *net = &s->net;
  const sim_result *res = s->res;
  s->n_rows = net->n + 1;
  s->rows = xcalloc(s->n_rows, sizeof(sim_row));
  s->overloaded = 0;
  bool path_overloaded = false;
  for (size_t j = 0; j < net->n; j++) {
    size_t i = net->model_of[j];
    const stage_plan *sp = &pl->stage[i];
    const queue_plan *qp = &sp->queue;
    const sim_figures *f = &res->stages[j];
    sim_row *row = &s->rows[j];
    row->stage = (long)i;
    row->completed = f->completed;
    row->status = status_of(f->status);
    bool queued = qp->model != QUEUE_NONE;
    /* The plan's word on overload stands whatever a finite run saw.  A
     * stage the plan keeps below 100% is overloaded only when its queue
     * passed the safety bound or the whole interval of its measured load
     * is at or above capacity: a short run of a stage at 99.5% often
     * measures 100.3%, and that is noise. */
    if (queued && !qp->stable && row->status == SIMROW_OK)
      row->status = SIMROW_OVERLOADED;
    else if (queued && qp->stable && row->status == SIMROW_OVERLOADED &&
             !res->aborted && f->offered_load.n >= 2 && f->offered_load.lo < 1)
      row->status = SIMROW_OK;
    if (row->status == SIMROW_OVERLOADED) {
      s->overloaded++;
      path_overloaded = path_overloaded || !m->stage[i].async;
    }
    double pct[PCT_COUNT] = {0, 0, 0, 0}, mean = 0, grid = 0;
    bool known = queued && qp->stable &&
                 latency_visit(m, r->p, pl, i, pct, &mean, &grid) == 0;
    /* A deterministic service time is a point mass the grid shares
     * between two points, so its percentiles read back up to two steps
     * off (a continuous distribution's, interpolated, far closer). */
    latencies(row, f, known, mean, pct, qp->model == QUEUE_MDC ? 2 * grid : 0);
    /* A batcher per accelerator works all the time by construction; the
     * plan's utilization is then the share of its capacity in use, which
     * is the simulation's offered load (docs/decisions.md). */
    const sim_batching *sb = &net->stages[j].batching;
    bool capacity_share = sb->enabled &&
                          sb->placement == SIM_BATCH_PER_ACCELERATOR &&
                          (m->stage[i].tp.kind == TP_DYNBATCH ||
                           m->stage[i].tp.kind == TP_ROOFLINE) &&
                          m->stage[i].tp.as.gpu.batching;
    set(&row->fig[SIMF_UTIL], capacity_share ? f->offered_load : f->utilization,
        true, queued ? qp->utilization : 0, 0);
    /* A call waits for its batch to form and then in the queue (the
     * plan's wait_with_form); Little's law gives the calls waiting from
     * the calls per second. */
    double wait = queued ? qp->wait_with_form : 0;
    bool stable = !queued || qp->stable;
    set(&row->fig[SIMF_QUEUE], f->queue_mean, stable, sp->load * wait, 0);
    set(&row->fig[SIMF_WAIT], f->wait_mean, stable, wait, 0);
    set(&row->fig[SIMF_RATE], f->visit_rate, true, pl->qps * sp->inflow, 0);
    row->batch_mean = net->stages[j].batching.enabled ? f->batch_mean.value : 0;
    row->lag1 = f->batch_lag1;
  }
  sim_row *e = &s->rows[net->n];
  const sim_figures *f = &res->end_to_end;
  e->stage = -1;
  e->completed = f->completed;
  e->status = status_of(f->status);
  /* Overloaded end to end exactly when a stage on the path is. */
  if (e->status == SIMROW_OVERLOADED && !path_overloaded && !res->aborted)
    e->status = SIMROW_OK;
  if (path_overloaded && e->status == SIMROW_OK)
    e->status = SIMROW_OVERLOADED;
  latencies(e, f, pl->pct_known, pl->pct_mean, pl->pct, 0);
  set(&e->fig[SIMF_RATE], f->visit_rate, true, pl->qps, 0);
  e->lag1 = f->batch_lag1;
}

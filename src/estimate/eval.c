/*
 * eval.c - (model, parameters) -> plan: the estimator core (see plan.h).
 *
 * Pure and deterministic: it reads the model and the parameter vector and
 * writes into a plan allocated beforehand; no allocation, no I/O, no
 * globals.  Each figure follows SPEC.md and FORMULAS.md; the comments name
 * the rule they apply.  The work goes in phases:
 *
 *   1. flow, load and latency along the graph, in topological order;
 *   2. the flow of fallback stages (their primaries' requests);
 *   3. each stand-alone stage: its throughput model, its constraints
 *      (throughput, memory), sizing, cost, availability; its cache tier
 *      (in phase 1's walk for the stages not standing by, the problem
 *      reported as if it came after phase 2);
 *   4. colocation groups: one pool for their members;
 *   4b. queues: each stage's at its servers; servers added for latency
 *      objectives; the end-to-end percentiles (latency.c);
 *   5. fallback pairs;
 *   6. totals, availability of the whole and of requests;
 *   7. the critical path;
 *   8. the checks.
 *
 * What depends on the model alone (which stages a phase concerns) is
 * listed once by plan_new, and a phase visits only those.
 */
#include <assert.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "latency.h"
#include "llm.h"
#include "plan.h"
#include "specfun.h"

#define SECONDS_PER_YEAR (CAPPLAN_HOURS_PER_YEAR * 3600.0)

/* The small steps every stage goes through are inline, at each place
 * they serve: a call costs about as much as their arithmetic, and the
 * compilers do not inline on their own a function used in several
 * places. */
#define STEP static CAPPLAN_ALWAYS_INLINE

const char *plan_status_name(enum plan_status s) {
  static const char *const names[] = {"ok", "no-load", "overloaded", "unmet"};
  return names[s];
}

const char *constraint_name(enum constraint c) {
  static const char *const names[] = {"throughput", "memory", "kv_cache",
                                      "latency"};
  return names[c];
}

plan *plan_new(const capplan_model *m) {
  plan *p = xcalloc(1, sizeof *p);
  size_t n = m->n_stages + 1;
  p->stage = xcalloc(n, sizeof(stage_plan));
  p->group = xcalloc(m->n_groups + 1, sizeof(group_plan));
  p->critical = xcalloc(n, sizeof(size_t));
  p->best = xcalloc(n, sizeof(size_t));
  p->path_len = xcalloc(n, sizeof(size_t));
  p->fifth = xcalloc(n, sizeof(size_t));
  p->checks = xcalloc(plan_max_checks(m), sizeof(capplan_check));
  p->lw = latency_work_new(m);
  p->latency_on = true;
  p->forms = xcalloc(n, sizeof(size_t));
  p->backed = xcalloc(n, sizeof(size_t));
  p->moved = xcalloc(n, sizeof(size_t));
  p->queue_later = xcalloc(n, sizeof(size_t));
  p->standby_at = xcalloc(n, sizeof(size_t));
  p->live = xcalloc(n, sizeof(size_t));
  p->live_at = xcalloc(n, sizeof(size_t));
  for (size_t k = 0; k < m->n_stages; k++)
    if (m->stage[m->order[k]].standby) {
      p->standby_at[p->n_standby++] = k;
    } else {
      p->live[p->n_live] = m->order[k];
      p->live_at[p->n_live++] = k;
    }
  p->plain = xcalloc(n, sizeof(bool));
  for (size_t i = 0; i < m->n_stages; i++) {
    const mstage *ms = &m->stage[i];
    p->plain[i] = !ms->standby && ms->tp.kind == TP_FIXED && !ms->has_cache &&
                  !ms->has_memory && ms->group < 0 && !ms->join_any;
  }
  /* The slowest paths that no figure can change: to a stage standing by
   * (itself: phases 1 and 2 do not walk to it), to an entry (itself), and
   * to a stage with one upstream whose own path is such. */
  p->fixed_path = xcalloc(n, sizeof(bool));
  for (size_t k = 0; k < m->n_stages; k++) {
    size_t i = m->order[k];
    const mstage *ms = &m->stage[i];
    if (ms->standby || ms->n_parents == 0) {
      p->fixed_path[i] = true;
      p->best[i] = i;
      p->path_len[i] = 1;
      p->fifth[i] = i;
    } else if (ms->n_parents == 1 && p->fixed_path[ms->parents[0]]) {
      size_t u = ms->parents[0], len = p->path_len[u] + 1;
      p->fixed_path[i] = true;
      p->best[i] = u;
      p->path_len[i] = len;
      p->fifth[i] = len == 5 ? i : p->fifth[u];
    }
  }
  for (size_t k = 0; k < PLAN_MEMO_SLOTS; k++)
    p->shared[k].m = -1; /* empty: no pool needs -1 servers */
  p->zone_w = xcalloc(PLAN_ZONE_SLOTS, sizeof(zone_memo));
  for (size_t k = 0; k < PLAN_ZONE_SLOTS; k++)
    p->zone_w[k].zones = -1; /* empty */
  size_t n_llm = 0, n_cache = 0;
  for (size_t i = 0; i < m->n_stages; i++) {
    n_llm += m->stage[i].tp.kind == TP_LLM;
    n_cache += m->stage[i].has_cache;
  }
  p->llm = xcalloc(n_llm + 1, sizeof(llm_result));
  p->caches = xcalloc(n_cache + 1, sizeof(pool_plan));
  n_llm = n_cache = 0;
  for (size_t i = 0; i < m->n_stages; i++) {
    enum tp_kind kind = m->stage[i].tp.kind;
    if (kind == TP_LLM)
      p->stage[i].tp.llm = &p->llm[n_llm++];
    if (m->stage[i].has_cache)
      p->stage[i].cache.pool = &p->caches[n_cache++];
    if (kind == TP_FIXED) /* for every evaluation (tp_eval_again) */
      p->stage[i].tp.batch = p->stage[i].tp.parallelism = 1;
    if (kind != TP_FIXED && kind != TP_LLM)
      p->forms[p->n_forms++] = i;
    if (m->stage[i].fallback >= 0)
      p->backed[p->n_backed++] = i;
    if (kind != TP_FIXED && (kind != TP_BATCH || m->stage[i].group >= 0))
      p->queue_later[p->n_queue_later++] = i;
  }
  /* In order, the stages a batch forming can move the latency of: those
   * that may form and those after them (not through a stage standing
   * by, whose latency the stages after it count as 0). */
  p->after_forms = xcalloc(n, sizeof(size_t));
  bool *moved = xcalloc(n, sizeof(bool));
  for (size_t k = 0; k < p->n_forms; k++)
    moved[p->forms[k]] = true;
  for (size_t k = 0; k < m->n_stages; k++) {
    size_t i = m->order[k];
    const mstage *ms = &m->stage[i];
    bool after = moved[i];
    for (size_t q = 0; q < ms->n_parents && !after; q++)
      after = moved[ms->parents[q]] && !m->stage[ms->parents[q]].standby;
    if (ms->standby || !after)
      continue;
    moved[i] = true;
    p->after_forms[p->n_after_forms++] = i;
  }
  free(moved);
  return p;
}

size_t plan_max_checks(const capplan_model *m) {
  return CAPPLAN_CHECK_LATENCY_P999 + 1 + m->n_pct_limits;
}

void plan_remember(const capplan_model *m, plan *p) {
  if (p->memo)
    return;
  size_t pools = 2 * m->n_stages + m->n_groups + 1;
  p->memo = xmalloc(pools * PLAN_MEMO_SLOTS * sizeof(avail_memo));
  for (size_t k = 0; k < pools * PLAN_MEMO_SLOTS; k++)
    p->memo[k].m = -1; /* empty: no pool needs -1 servers */
}

void plan_for_trials(const capplan_model *m, plan *p) {
  plan_remember(m, p);
  p->latency_on = m->n_pct_limits > 0;
}

/* The memo slots of pool K (stages, their cache tiers, groups), or those
 * every pool shares. */
STEP avail_memo *memo_of(plan *p, size_t k) {
  return p->memo ? &p->memo[k * PLAN_MEMO_SLOTS] : p->shared;
}

void plan_settle(plan *p) {
  free(p->memo);
  free(p->forms);
  free(p->backed);
  free(p->after_forms);
  free(p->queue_later);
  free(p->standby_at);
  free(p->fixed_path);
  free(p->live);
  free(p->live_at);
  free(p->plain);
  free(p->zone_w);
  free(p->moved);
  latency_work_free(p->lw);
  p->memo = NULL;
  p->forms = p->backed = p->after_forms = p->queue_later = NULL;
  p->standby_at = p->live = p->live_at = p->moved = NULL;
  p->fixed_path = p->plain = NULL;
  p->zone_w = NULL;
  p->lw = NULL;
}

void plan_free(plan *p) {
  if (!p)
    return;
  free(p->stage);
  free(p->llm);
  free(p->caches);
  free(p->group);
  free(p->critical);
  free(p->best);
  free(p->path_len);
  free(p->fifth);
  free(p->checks);
  plan_settle(p); /* the evaluation's scratch, if still held */
  free(p);
}

/* The larger and the smaller of two figures that are never NaN (fmax and
 * fmin are library calls that also handle NaN). */
static double max2(double a, double b) {
  return a > b ? a : b;
}

static double min2(double a, double b) {
  return a < b ? a : b;
}

/* Servers needed up to carry EQ servers' worth of load (FORMULAS.md
 * section 2b's m): ceil(EQ - 1e-9), at least 1 when there is load. */
STEP double needed(double eq) {
  if (capplan_ceil_fits(eq)) /* the common case first: one range test */
    return capplan_ceil_in_range(eq);
  return eq <= 0 ? 0 : capplan_ceil_at_least(eq, 1);
}

/* The zone rule of size_servers(): to survive the loss of one of Z zones
 * over which N servers spread evenly (sizes differ by at most one), the
 * smallest total whose other Z - 1 zones still hold N: total - ceil(total
 * / Z) >= N, that is total = ceil(N Z / (Z - 1)). */
static double zone_total(double n, double zones) {
  double a = n * zones, b = zones - 1;
  double total = floor(a / b);
  if (total * b < a)
    total += 1;
  return total;
}

/* The servers of N after headroom and the ceiling: the zone rule and
 * spares (size_servers' second half). */
static double zones_and_spares(double n, double redundancy, double zones,
                               bool survive, double *extra) {
  double total = n;
  if (survive && zones >= 2 && n > 0)
    total = zone_total(n, zones);
  *extra = total - n;
  return total + redundancy;
}

double size_servers(double raw, double headroom, double redundancy,
                    double zones, bool survive, double *extra) {
  double n = capplan_ceil(raw * (1 + headroom));
  /* The tolerance absorbs float noise above a whole number; it must not
   * size a real, if tiny, load at zero servers (m is at least 1). */
  if (raw > 0 && n < 1)
    n = 1;
  return zones_and_spares(n, redundancy, zones, survive, extra);
}

/* Sizes pool PP from its raw counts by[] (those in applies), under POL:
 * the largest count binds (SPEC.md section 5), then headroom, the one
 * ceiling, the zone rule and spares (size_servers, whose ceiling is
 * pp->ceiled: taken once). */
STEP void size_pool(pool_plan *pp, const policy *pol) {
  double raw = 0; /* never NaN, never below 0 */
  enum constraint binding = CON_THROUGHPUT;
  if (pp->applies == 1u << CON_THROUGHPUT) {
    /* The common pool: throughput alone. */
    double by = pp->by[CON_THROUGHPUT];
    if (by > 0)
      raw = by;
  } else {
    for (int c = 0; c < CON_COUNT; c++)
      if ((pp->applies & (1u << c)) && pp->by[c] > raw) {
        raw = pp->by[c];
        binding = (enum constraint)c;
      }
  }
  double with_headroom = raw * (1 + pol->headroom);
  /* Any load takes at least one server; none takes none (RAW 0 makes
   * WITH_HEADROOM 0 or NaN, whose ceiling is 0). */
  double ceiled = capplan_ceil_fits(with_headroom) /* then RAW > 0 */
                      ? capplan_ceil_in_range(with_headroom)
                      : raw > 0 ? capplan_ceil_at_least(with_headroom, 1) : 0;
  double total = ceiled;
  if (pol->zones >= 2 && pol->survive_zone_loss != 0 && ceiled > 0)
    total = zone_total(ceiled, pol->zones);
  pp->needed_load = 0; /* set again only if latency raises NEEDED */
  pp->raw = raw;
  pp->binding = binding;
  pp->with_headroom = with_headroom;
  pp->ceiled = ceiled;
  pp->zone_extra = total - ceiled;
  pp->servers = total + pol->redundancy; /* zones_and_spares() */
}

/* A and 1 - A that add up to one: the smaller keeps its digits (it was
 * summed from small terms), the larger is one minus it. */
static avail normalized(avail a) {
  if (a.down < 0.5) {
    a.down = a.down > 0 ? a.down : 0;
    a.up = 1 - a.down;
  } else {
    a.up = a.up > 0 ? a.up : 0;
    a.down = 1 - a.up;
  }
  return a;
}

/* The servers in the J smallest of Z zones holding N servers evenly:
 * the worst J zones that can be up. */
static double zone_servers(double n, double zones, double j) {
  double q = floor(n / zones), r = n - q * zones;
  double extra = j - (zones - r);
  return j * q + (extra > 0 ? extra : 0);
}

/* Availability of pool PP (FORMULAS.md sections 2 and 2b): every needed
 * server up (k-of-n), and the share of load served; with zones, summed
 * over how many of the Z zones are up (binomial in Z, each zone up with
 * zone_availability); times the stage's own availability. */
/* avail_tails for (M, N, A, C), from MEMO (PLAN_MEMO_SLOTS entries, may
 * be NULL) when it holds them. */
STEP void tails(double m, double n, double a, double c, avail_memo *memo,
                avail *all, double *kdown) {
  if (memo) {
    /* Whole counts below 2^53: the signed casts are exact, and cheaper
     * than unsigned ones on x86-64.  The slot is the top bits of a
     * multiplicative hash of both (m 31 + n put every pool with m = n
     * in one slot of 16). */
    _Static_assert(PLAN_MEMO_SLOTS == 16, "four bits of slot");
    unsigned long long h =
        ((unsigned long long)(long long)m * 0x9E3779B97F4A7C15ull +
         (unsigned long long)(long long)n) *
        0xC2B2AE3D27D4EB4Full;
    avail_memo *e = &memo[h >> 60];
    if (e->m == m && e->n == n && e->a == a && e->c == c) {
      *all = e->all;
      *kdown = e->kdown;
      return;
    }
    avail_tails(m, n, a, c, all, kdown);
    *e = (avail_memo){m, n, a, c, *kdown, *all};
    return;
  }
  avail_tails(m, n, a, c, all, kdown);
}

/* Pool PP (under POL, its k-of-n tails remembered in MEMO, may be NULL)
 * when only the J worst of its zones are up: every needed server up (X)
 * and the share of load served (Y); with STAGE, times the stage's own
 * availability, which zones do not touch. */
static void zone_conditional(const pool_plan *pp, const policy *pol,
                             avail_memo *memo, double j, bool stage, avail *x,
                             avail *y) {
  if (pp->needed <= 0) {
    *x = *y = avail_of(1);
  } else {
    double kdown;
    tails(pp->needed, zone_servers(pp->servers, pol->zones, j),
          pol->availability, pp->calls, memo, x, &kdown);
    *y = avail_share(*x, kdown,
                     avail_load_pow(pp->carry, pp->needed, pp->calls));
  }
  if (stage && pol->stage_availability < 1) {
    avail s = avail_of(pol->stage_availability);
    *x = avail_series(*x, s);
    *y = avail_series(*y, s);
  }
}

/* Pool PP summed over how many of its POL->zones are up (binomial, each
 * zone up with zone_availability; FORMULAS.md 2b), into ALL and REQ.
 * With a fallback FP (under FPOL, over the same zones), the pair: a zone
 * outage takes servers from both at once, so each term is the pair of
 * the two pools' figures given those zones, their servers failing
 * independently - not two independent figures multiplied, which would
 * count a zone's loss as if it could hit only one of them.  A pool alone
 * leaves its stage's own availability to the caller. */
/* The weight of each count of zones up, for ZONES zones each up with
 * probability A: binomial, from all up down to where the rest weigh less
 * than 1e-30 - from OUT's memo, computed into it on a miss (the same
 * calls on the same figures, so the same weights); NULL when more terms
 * than it keeps are needed. */
static double zone_weight(double zones, double j, double lz, double lq) {
  return exp(specfun_lgamma(zones + 1) - specfun_lgamma(j + 1) -
             specfun_lgamma(zones - j + 1) + j * lz + (zones - j) * lq);
}

static const zone_memo *zone_weights(plan *out, double zones, double a) {
  for (size_t k = 0; k < PLAN_ZONE_SLOTS; k++) {
    const zone_memo *e = &out->zone_w[k];
    if (e->zones == zones && e->a == a)
      return e->too_long ? NULL : e;
  }
  zone_memo *e = &out->zone_w[out->zone_next++ % PLAN_ZONE_SLOTS];
  double lz = log(a), lq = log1p(-a);
  e->zones = zones;
  e->a = a;
  e->n = 0;
  e->too_long = false;
  for (double j = zones; j >= 0; j--) {
    double w = zone_weight(zones, j, lz, lq);
    if (w < 1e-30 && j < zones * a)
      break; /* the rest weigh less still */
    if (e->n == PLAN_ZONE_TERMS) {
      e->too_long = true;
      return NULL;
    }
    e->w[e->n++] = w;
  }
  return e;
}

/* Pool PP summed over how many of its POL->zones are up (binomial, each
 * zone up with zone_availability; FORMULAS.md 2b), into ALL and REQ.
 * With a fallback FP (under FPOL, over the same zones), the pair: a zone
 * outage takes servers from both at once, so each term is the pair of
 * the two pools' figures given those zones, their servers failing
 * independently - not two independent figures multiplied, which would
 * count a zone's loss as if it could hit only one of them.  A pool alone
 * leaves its stage's own availability to the caller.  PM and FM remember
 * the two pools' k-of-n tails (may be NULL); OUT, the weights. */
static void over_zones(plan *out, const pool_plan *pp, const policy *pol,
                       avail_memo *pm, const pool_plan *fp, const policy *fpol,
                       avail_memo *fm, avail *all, avail *req) {
  double z = pol->zone_availability, Z = pol->zones;
  const zone_memo *zw = zone_weights(out, Z, z);
  double lz = zw ? 0 : log(z), lq = zw ? 0 : log1p(-z), total = 0;
  avail a = {0, 0}, r = {0, 0};
  size_t k = 0;
  for (double j = Z; j >= 0; j--, k++) {
    double w;
    if (zw) {
      if (k == zw->n)
        break;
      w = zw->w[k];
    } else {
      w = zone_weight(Z, j, lz, lq);
      if (w < 1e-30 && j < Z * z)
        break; /* the rest weigh less still */
    }
    total += w;
    avail x, y;
    zone_conditional(pp, pol, pm, j, fp != NULL, &x, &y);
    if (fp) {
      avail xf, yf;
      zone_conditional(fp, fpol, fm, j, true, &xf, &yf);
      x = avail_parallel(x, xf);
      y = avail_parallel(y, yf);
    }
    a.up += w * x.up;
    a.down += w * x.down;
    r.up += w * y.up;
    r.down += w * y.down;
  }
  /* The weights sum to one but for rounding. */
  a.up /= total;
  a.down /= total;
  r.up /= total;
  r.down /= total;
  *all = normalized(a);
  *req = normalized(r);
}

STEP void pool_availability(plan *out, pool_plan *pp, const policy *pol,
                            avail_memo *memo) {
  if (pp->needed <= 0) {
    pp->all = avail_of(1);
    pp->req = avail_of(1);
  } else if (pol->zones > 1) {
    over_zones(out, pp, pol, memo, NULL, NULL, NULL, &pp->all, &pp->req);
  } else if (pp->shards >= 2) {
    /* Data in shards, each on its own servers: per shard (FORMULAS.md
     * section 8's shards, 2b's figures; docs/decisions.md "Replicated
     * shards"). */
    avail_sharded(pp->shards, pp->servers, pp->load_needed, pol->availability,
                  pp->load_carry, pp->calls, &pp->all, &pp->req);
  } else {
    double kdown;
    tails(pp->needed, pp->servers, pol->availability, pp->calls, memo, &pp->all,
          &kdown);
    pp->req = avail_share(pp->all, kdown,
                          avail_load_pow(pp->carry, pp->needed, pp->calls));
  }
  pp->servers_all = pp->all;
  if (pol->stage_availability < 1) {
    avail s = avail_of(pol->stage_availability);
    pp->all = avail_series(pp->all, s);
    pp->req = avail_series(pp->req, s);
  }
}

/* Usable memory of one server of HW (FORMULAS.md section 8). */
static double usable_memory(const hw_in *hw, bool gpu, const policy *pol) {
  return (gpu ? hw->gpu_memory : hw->memory) * (1 - pol->memory_reserve);
}

/* Whether stage I's figures so far are finite; else the first that is
 * not, as OUT's problem.  (isfinite() of each product: per server and
 * latency are checked as the report prints them, in ms and per ms.) */
static bool finite_figures(plan *out, size_t i) {
  const stage_plan *s = &out->stage[i];
  enum plan_problem what = PROBLEM_NONE;
  if (s->tp.status != 0)
    what = PROBLEM_MODEL;
  else if (!isfinite(s->inflow))
    what = PROBLEM_FLOW;
  else if (!isfinite(s->load))
    what = PROBLEM_LOAD;
  else if (!isfinite(s->tp.per_server * 1000))
    what = PROBLEM_THROUGHPUT;
  else if (!isfinite(s->latency_to * 1000))
    what = PROBLEM_LATENCY;
  else
    return true;
  out->problem = what;
  out->problem_stage = i;
  return false;
}

/* The figures finite_figures() checks, summed: a sum is finite only
 * when each term is (an infinity or a NaN carries through it), so a
 * finite sum (and no model status) settles that every one is; a sum
 * that is not (a figure is not, or the sum overflowed) sends the caller
 * to all_finite() for the first stage that fails. */
STEP double finite_terms(const stage_plan *s) {
  /* The inflow needs no term: the load is its product with calls, QPS
   * and the misses' share, which an infinite or NaN inflow makes infinite
   * or NaN whatever they are (Inf x 0 is NaN). */
  return s->load + s->tp.per_server * 1000 + s->latency_to * 1000;
}

/* finite_figures() of every stage, in order: the first that fails. */
static bool all_finite(const capplan_model *m, plan *out) {
  for (size_t k = 0; k < m->n_stages; k++)
    if (!finite_figures(out, m->order[k]))
      return false;
  return true;
}

static bool too_big(plan *out, size_t i, double servers, double load) {
  if (isfinite(load) && isfinite(servers) && servers <= CAPPLAN_MAX_EXACT)
    return false;
  out->problem = PROBLEM_SERVERS;
  out->problem_stage = i;
  return true;
}

/* too_big() for a stage's own pool, whose load the finite checks of
 * phases 1 and 2 settle before any sizing problem is reported (a
 * non-finite load is reported as such first): the count alone, finite
 * and exact. */
STEP bool too_many(plan *out, size_t i, double servers) {
  if (servers >= -DBL_MAX && servers <= CAPPLAN_MAX_EXACT)
    return false;
  out->problem = PROBLEM_SERVERS;
  out->problem_stage = i;
  return true;
}

/* The slowest path to the start of stage I: its upstream on that path
 * (the first listed wins ties), the path's length and fifth stage, and
 * its latency (SPEC.md: the largest latency to the end of an upstream). */
static double slowest_upstream(const capplan_model *m, plan *out, size_t i) {
  const mstage *ms = &m->stage[i];
  const stage_plan *st = out->stage;
  double slow = 0;
  size_t best = i, len = 1, fifth = i;
  for (size_t q = 0; q < ms->n_parents; q++) {
    size_t u = ms->parents[q];
    double up = st[u].latency_to;
    if (q == 0 || up > st[best].latency_to)
      best = u;
    slow = max2(slow, up);
  }
  if (out->fixed_path[i])
    return slow;
  if (ms->n_parents) {
    len = out->path_len[best] + 1;
    fifth = len == 5 ? i : out->fifth[best];
  }
  out->best[i] = best;
  out->path_len[i] = len;
  out->fifth[i] = fifth;
  return slow;
}

/* slowest_upstream() and, in the same walk over the upstreams, the
 * requests reaching stage I per entry request (phase 1, SPEC.md "Flow and
 * load": the largest of theirs, or their sum for join: any) into
 * *INFLOW. */
STEP double upstream_flow(const capplan_model *m, plan *out, size_t i,
                          double *inflow) {
  const mstage *ms = &m->stage[i];
  const stage_plan *st = out->stage;
  if (!ms->n_parents) {
    *inflow = 1; /* its path is itself, from plan_new */
    return 0;
  }
  /* The first upstream outside the loop (most stages have one). */
  size_t best = ms->parents[0];
  double o = st[best].outflow;
  double slow = max2(0, st[best].latency_to);
  double in = ms->join_any ? 0 + o : max2(0, o);
  for (size_t q = 1; q < ms->n_parents; q++) {
    size_t u = ms->parents[q];
    double up = st[u].latency_to;
    in = ms->join_any ? in + st[u].outflow : max2(in, st[u].outflow);
    if (up > st[best].latency_to)
      best = u;
    slow = max2(slow, up);
  }
  if (!out->fixed_path[i]) {
    size_t len = out->path_len[best] + 1;
    out->best[i] = best;
    out->path_len[i] = len;
    out->fifth[i] = len == 5 ? i : out->fifth[best];
  }
  *inflow = in;
  return slow;
}

/* Stage I's time on the request path: its model's service time and the
 * wait for its batch to form (s->form); calls in sequence wait for each
 * other, in parallel once.  Then its latency to its end, after SLOW. */
STEP void stage_latency(const capplan_model *m, const params *p, plan *out,
                        size_t i, double slow, bool plain) {
  const mstage *ms = &m->stage[i];
  const stage_in *in = &p->stage[i];
  stage_plan *s = &out->stage[i];
  double own = s->tp.latency + s->form;
  s->latency = ms->calls_sequential ? own * in->calls : own;
  s->latency_to = s->latency + slow;
  s->mean_latency = s->latency;
  if (!plain && ms->has_cache)
    s->mean_latency = in->cache_hit * p->cache[ms->cache_at].latency +
                      (1 - in->cache_hit) * s->latency;
}

/* The fallback of stage I: its path is I's with its own latency in
 * place of I's (phase 2). */
static void fallback_latency(const capplan_model *m, const params *p, plan *out,
                             size_t i) {
  size_t fi = (size_t)m->stage[i].fallback;
  const stage_plan *pr = &out->stage[i];
  stage_plan *f = &out->stage[fi];
  const stage_in *fin = &p->stage[fi];
  double own = f->tp.latency + f->form;
  f->latency = m->stage[fi].calls_sequential ? own * fin->calls : own;
  f->latency_to =
      max2(f->latency_to, pr->latency_to - pr->latency + f->latency);
  f->mean_latency = f->latency;
}

/* Phase 4b: the wait for a batch to form (FORMULAS.md 4b), now that the
 * servers are known: a batch that fills from the requests reaching one
 * server waits longer the fewer requests each receives (tp_ops.queue's
 * form, at the rate of one server); a batcher with a window waits for
 * the window.  It counts on the request path, so the latencies along the
 * graph are taken again when any stage waits.  Returns whether one did. */
static bool forming(const capplan_model *m, const params *p, plan *out,
                    bool *moved_finite) {
  bool any = false;
  /* A stage's latency moved in this call when its stamp is this one: no
   * stamps to clear afterwards. */
  size_t at = ++out->moved_at;
  /* Stages of the fixed and llm kinds wait for no batch: their form
   * stays the 0 of phases 1 and 2. */
  for (size_t k = 0; k < out->n_forms; k++) {
    size_t i = out->forms[k];
    const mstage *ms = &m->stage[i];
    stage_plan *s = &out->stage[i];
    /* Requests served one by one wait for no batch (a short cut: this
     * runs on every evaluation). */
    if (ms->tp.kind == TP_BATCH && s->tp.batch <= 1) {
      s->form = 0;
      continue;
    }
    double servers =
        ms->group >= 0 ? out->group[ms->group].pool.servers : s->pool.servers;
    double rate = servers > 0 ? s->load / servers : 0;
    /* Per-accelerator batchers (`batching:` alone or timed by `work:`):
     * their batch at the count chosen. */
    if (ms->group < 0)
      tp_batching_at(&ms->tp, &p->stage[i], stage_gpu(m, p, i), &p->hw[ms->hw],
                     servers, &s->tp);
    tp_queue q = {0};
    tp_queue_of(&ms->tp, &p->stage[i], stage_gpu(m, p, i), &p->hw[ms->hw],
                &s->tp, rate, &q);
    s->form = s->load > 0 && q.form > 0 ? q.form : 0;
    any = any || s->form > 0;
    out->moved[i] = at; /* its latency may have changed */
  }
  if (!any)
    return false;
  /* The latencies again, of the stages whose own latency or an
   * upstream's moved (only stages downstream of one that may form can):
   * the others' are what they were, from the same figures.  A stage
   * standing by is off the path: the stages after it count its latency
   * as 0, and its own follows from its primaries' below. */
  for (size_t k = 0; k < out->n_backed; k++)
    out->stage[m->stage[out->backed[k]].fallback].latency_to = 0;
  double sum = 0;
  for (size_t k = 0; k < out->n_after_forms; k++) {
    size_t i = out->after_forms[k];
    const mstage *ms = &m->stage[i];
    bool moved = out->moved[i] == at;
    for (size_t q = 0; q < ms->n_parents && !moved; q++)
      moved = out->moved[ms->parents[q]] == at;
    if (moved) {
      double slow = slowest_upstream(m, out, i);
      stage_plan *s = &out->stage[i];
      /* A stage of a kind that waits for no batch keeps its own latency
       * (its form stays 0): only its latency to its end moves. */
      if (ms->tp.kind == TP_FIXED || ms->tp.kind == TP_LLM)
        s->latency_to = s->latency + slow;
      else
        stage_latency(m, p, out, i, slow, false);
      sum += s->latency_to * 1000;
      out->moved[i] = at;
    }
  }
  for (size_t k = 0; k < out->n_backed; k++) {
    size_t i = out->backed[k];
    fallback_latency(m, p, out, i);
    sum += out->stage[m->stage[i].fallback].latency_to * 1000;
  }
  *moved_finite = isfinite(sum);
  return true;
}

/* Phase 3: one stand-alone stage (or a colocated stage's share). */
STEP bool size_stage(const capplan_model *m, const params *p, plan *out,
                     size_t i, bool plain) {
  const mstage *ms = &m->stage[i];
  const stage_in *in = &p->stage[i];
  stage_plan *s = &out->stage[i];
  const policy *pol = &in->pol;
  pool_plan *pp = &s->pool;
  /* In locals, each stored once: the stores to the plan could alias the
   * inputs, which the compiler would otherwise read again after each. */
  const double load = s->load, per_server = s->tp.per_server;
  enum plan_status status = load > 0 ? PLAN_OK : PLAN_NO_LOAD;
  /* An llm objective no batch meets (never a fixed stage's). */
  if (!plain && load > 0 && s->tp.unmet)
    status = PLAN_UNMET;
  unsigned applies = 1u << CON_THROUGHPUT;
  if (!plain && ms->tp.kind == TP_LLM) {
    /* The KV cache (SPEC.md section 5): each request holds a sequence's
     * cache for B / X(B) seconds, so by Little's law the load keeps
     * load x B / X(B) of them at once; the servers whose replicas' caches
     * hold them, B_max each: load / per-server throughput x B / B_max
     * (equal to the throughput count at 100% when the cache chose B). */
    const llm_result *r = s->tp.llm;
    double b_max = r->memory.max_concurrency;
    applies |= 1u << CON_KV_CACHE;
    pp->by[CON_KV_CACHE] = b_max > 0 && per_server > 0
                               ? load / per_server * (r->batch / b_max)
                               : 0;
  }
  double eq = load / per_server;
  double carry = load / (per_server * pol->failover_utilization);
  double need = needed(carry);
  if (!plain && ms->has_memory) {
    /* The data's shards, and the load's own count for them
     * (avail_sharded); a stage without data keeps plan_new's 0 shards. */
    pp->load_carry = carry;
    pp->load_needed = need;
    double usable = usable_memory(&p->hw[ms->hw], ms->memory_on_gpu, pol);
    double memory = in->memory * in->replicas;
    pp->memory = memory;
    pp->usable = usable;
    applies |= 1u << CON_MEMORY;
    pp->by[CON_MEMORY] = memory / usable;
    /* One copy of the data must fit on the servers that are up; a
     * server down takes its shard's requests with it. */
    double hold = in->memory / usable;
    if (hold > carry)
      carry = hold;
    if (needed(hold) > need)
      need = needed(hold);
    pp->shards = needed(hold); /* servers one copy takes: its shards */
  }
  s->equivalents = eq;
  pp->applies = applies;
  pp->carry = carry;
  /* A request needs each of its calls served; an asynchronous stage's
   * calls are events of their own, which no request waits for. */
  pp->calls = ms->async ? 1 : in->calls;
  pp->needed = need;
  if (!plain && ms->group >= 0) {
    s->status = status;
    pp->by[CON_THROUGHPUT] = eq;
    pp->raw = eq;
    return !too_big(out, i, eq, load);
  }
  pp->by[CON_THROUGHPUT] = load / (per_server * pol->utilization);
  size_pool(pp, pol);
  const double servers = pp->servers;
  if (too_many(out, i, servers)) {
    s->status = status;
    return false;
  }
  const hw_in *hw = &p->hw[ms->hw];
  double gpus = servers * hw->gpus;
  pp->gpus = gpus;
  if (gpus > CAPPLAN_MAX_EXACT) {
    s->status = status;
    out->problem = PROBLEM_GPUS;
    out->problem_stage = i;
    return false;
  }
  pp->cost_per_year = servers * hw->cost_per_year;
  double utilization = servers > 0 ? load / (servers * per_server) : 0;
  pp->utilization = utilization;
  if (utilization > 1 + 1e-9)
    status = PLAN_OVERLOADED;
  /* Its queue status now, with its figures at hand (latency_status():
   * nothing after this changes them for a stand-alone stage of the fixed
   * or the batch kind). */
  else if (!out->latency_on && status == PLAN_OK && servers > 0 &&
           ((plain || ms->tp.kind == TP_FIXED)
                ? latency_fixed_overloaded_at(in, s, servers,
                                              ms->random_balancer, utilization)
                : ms->tp.kind == TP_BATCH &&
                      latency_batch_overloaded(s, servers,
                                               ms->random_balancer)))
    status = PLAN_OVERLOADED;
  s->status = status;
  pool_availability(out, pp, pol, memo_of(out, i));
  /* Phase 5's starting point, while the figures are at hand. */
  s->effective = pp->all;
  s->effective_req = pp->req;

  /* A cache tier in front (SPEC.md section 5): every lookup reaches it,
   * hits and misses; sized by its throughput and its working set. */
  if (!plain && ms->has_cache) {
    const cache_in *ci = &p->cache[ms->cache_at];
    const hw_in *chw = &p->hw[ms->cache_hw];
    pool_plan *cp = s->cache.pool;
    cp->applies = 1u << CON_THROUGHPUT;
    cp->by[CON_THROUGHPUT] =
        s->cache_load / (ci->qps_per_server * ci->pol.utilization);
    cp->carry =
        s->cache_load / (ci->qps_per_server * ci->pol.failover_utilization);
    cp->calls = ms->async ? 1 : p->stage[i].calls; /* as the stage's */
    cp->needed = needed(cp->carry);
    cp->shards = 0;
    if (ci->memory > 0) {
      cp->load_carry = cp->carry;
      cp->load_needed = cp->needed;
      cp->memory = ci->memory * ci->replicas;
      cp->usable = usable_memory(chw, false, &ci->pol);
      cp->applies |= 1u << CON_MEMORY;
      cp->by[CON_MEMORY] = cp->memory / cp->usable;
      double hold = ci->memory / cp->usable;
      if (hold > cp->carry)
        cp->carry = hold;
      if (needed(hold) > cp->needed)
        cp->needed = needed(hold);
      cp->shards = needed(hold);
    }
    size_pool(cp, &ci->pol);
    s->cache.servers = cp->servers;
    if (too_big(out, i, cp->servers, s->cache_load))
      return false;
    cp->gpus = cp->servers * chw->gpus;
    cp->cost_per_year = cp->servers * chw->cost_per_year;
    s->cache.cost_per_year = cp->cost_per_year;
    cp->utilization = cp->servers > 0
                          ? s->cache_load / (cp->servers * ci->qps_per_server)
                          : 0;
    pool_availability(out, cp, &ci->pol, memo_of(out, m->n_stages + i));
  }
  return true;
}

/* Phase 4b: stage I's pool grows by the servers latency.c added for its
 * objectives (SPEC.md section 7, servers_by.latency). */
static void add_latency_servers(const capplan_model *m, const params *p,
                                plan *out, size_t i) {
  stage_plan *s = &out->stage[i];
  pool_plan *pp = &s->pool;
  const hw_in *hw = &p->hw[m->stage[i].hw];
  pp->servers += s->latency_added;
  pp->applies |= 1u << CON_LATENCY;
  pp->by[CON_LATENCY] = pp->servers;
  pp->binding = CON_LATENCY;
  pp->gpus = pp->servers * hw->gpus;
  pp->cost_per_year = pp->servers * hw->cost_per_year;
  pp->utilization = s->load / (pp->servers * s->tp.per_server);
  pool_availability(out, pp, &p->stage[i].pol, memo_of(out, i));
  s->status = s->queue.stable ? PLAN_OK : PLAN_OVERLOADED;
}

/* Phase 4b: the servers that must be up rise to M, the fewest meeting
 * the stage's (or a member's) own latency objective (FORMULAS.md 2b):
 * the all-up figure counts M; the requests served keep the load's count,
 * since servers that carry the load serve every request, if slower. */
static void need_for_latency(plan *out, pool_plan *pp, const policy *pol,
                             avail_memo *memo, double m) {
  if (m <= pp->needed)
    return;
  avail req = pp->req;
  pp->needed_load = pp->needed;
  pp->needed = m;
  if (m > pp->load_needed)
    pp->load_needed = m;
  pool_availability(out, pp, pol, memo);
  pp->req = req;
}

/* Phase 4b: group GI's pool grows by the servers latency.c added for a
 * member's or the response's objectives; its members share them. */
static void add_group_latency_servers(const capplan_model *m, const params *p,
                                      plan *out, size_t gi) {
  const mgroup *mg = &m->group[gi];
  const hw_in *hw = &p->hw[mg->hw];
  group_plan *gp = &out->group[gi];
  pool_plan *pp = &gp->pool;
  pp->servers += gp->latency_added;
  pp->applies |= 1u << CON_LATENCY;
  pp->by[CON_LATENCY] = pp->servers;
  pp->binding = CON_LATENCY;
  pp->gpus = pp->servers * hw->gpus;
  pp->cost_per_year = pp->servers * hw->cost_per_year;
  pp->utilization = gp->equivalents / pp->servers;
  pool_availability(out, pp, &p->group[gi], memo_of(out, 2 * m->n_stages + gi));
  for (size_t k = 0; k < mg->n_members; k++) {
    stage_plan *s = &out->stage[mg->members[k]];
    s->pool.all = pp->all;
    s->pool.req = pp->req;
    s->pool.utilization = pp->utilization;
    if (s->status == PLAN_OK || s->status == PLAN_OVERLOADED)
      s->status = s->queue.stable && pp->utilization <= 1 + 1e-9
                      ? PLAN_OK
                      : PLAN_OVERLOADED;
  }
}

/* Phase 4: a colocation group (SPEC.md "Colocation"): server-equivalents
 * add; the group is one pool, sized and available as one. */
static bool size_group(const capplan_model *m, const params *p, plan *out,
                       size_t gi) {
  const mgroup *mg = &m->group[gi];
  const policy *pol = &p->group[gi];
  const hw_in *hw = &p->hw[mg->hw];
  group_plan *gp = &out->group[gi];
  pool_plan *pp = &gp->pool;
  double eq = 0, carry = 0, memory = 0, one_copy = 0;
  bool any_memory = false;
  for (size_t k = 0; k < mg->n_members; k++) {
    size_t i = mg->members[k];
    const stage_plan *s = &out->stage[i];
    eq += s->equivalents;
    carry += s->equivalents / pol->failover_utilization;
    if (m->stage[i].has_memory) {
      any_memory = true;
      memory += s->pool.memory;
      one_copy += p->stage[i].memory;
    }
  }
  gp->equivalents = eq;
  pp->applies = 1u << CON_THROUGHPUT;
  pp->by[CON_THROUGHPUT] = eq / pol->utilization;
  pp->carry = carry;
  pp->calls = 1; /* members' calls differ: the share of their load */
  pp->needed = needed(carry);
  pp->shards = 0;
  if (any_memory) {
    pp->load_carry = carry;
    pp->load_needed = pp->needed;
    pp->memory = memory;
    pp->usable = usable_memory(hw, m->stage[mg->members[0]].memory_on_gpu, pol);
    pp->applies |= 1u << CON_MEMORY;
    pp->by[CON_MEMORY] = memory / pp->usable;
    double hold = one_copy / pp->usable;
    if (hold > pp->carry)
      pp->carry = hold;
    if (needed(hold) > pp->needed)
      pp->needed = needed(hold);
    pp->shards = needed(hold);
  }
  size_pool(pp, pol);
  if (too_big(out, mg->members[0], pp->servers, eq))
    return false;
  pp->gpus = pp->servers * hw->gpus;
  if (pp->gpus > CAPPLAN_MAX_EXACT) {
    out->problem = PROBLEM_GROUP_GPUS;
    out->problem_stage = gi;
    return false;
  }
  pp->cost_per_year = pp->servers * hw->cost_per_year;
  pp->utilization = pp->servers > 0 ? eq / pp->servers : 0;
  pool_availability(out, pp, pol, memo_of(out, 2 * m->n_stages + gi));
  for (size_t k = 0; k < mg->n_members; k++) {
    stage_plan *s = &out->stage[mg->members[k]];
    s->pool.all = s->effective = pp->all;
    s->pool.req = s->effective_req = pp->req;
    s->pool.utilization = pp->utilization;
    if (pp->utilization > 1 + 1e-9 && s->status == PLAN_OK)
      s->status = PLAN_OVERLOADED;
    /* Its queue status now, as for a stand-alone stage (size_stage). */
    else if (!out->latency_on && m->stage[mg->members[k]].tp.kind == TP_FIXED &&
             s->status == PLAN_OK) {
      double n = latency_stage_servers(m, out, mg->members[k]);
      if (n > 0 &&
          latency_fixed_overloaded(&p->stage[mg->members[k]], s, n,
                                   m->stage[mg->members[k]].random_balancer))
        s->status = PLAN_OVERLOADED;
    }
  }
  return true;
}

/* Phase 8: one check.  Relative tolerance 1e-9: a sum of float latencies
 * that equals the budget passes. */
static void check(plan *out, const check_limit *l, double actual, bool known,
                  const char *stage) {
  static const struct {
    const char *name, *unit;
    bool upper;
  } kinds[] = {
      [CAPPLAN_CHECK_LATENCY] = {"latency", "ms", true},
      [CAPPLAN_CHECK_AVAILABILITY] = {"availability", "fraction", false},
      [CAPPLAN_CHECK_COST] = {"cost", "USD/year", true},
      [CAPPLAN_CHECK_GPUS] = {"gpus", "gpus", true},
      [CAPPLAN_CHECK_SERVERS] = {"servers", "servers", true},
      [CAPPLAN_CHECK_TTFT] = {"ttft", "ms", true},
      [CAPPLAN_CHECK_TPOT] = {"tpot", "ms", true},
      [CAPPLAN_CHECK_LATENCY_P50] = {"latency_p50", "ms", true},
      [CAPPLAN_CHECK_LATENCY_P95] = {"latency_p95", "ms", true},
      [CAPPLAN_CHECK_LATENCY_P99] = {"latency_p99", "ms", true},
      [CAPPLAN_CHECK_LATENCY_P999] = {"latency_p999", "ms", true},
  };
  capplan_check *k = &out->checks[out->n_checks++];
  k->kind = l->kind;
  k->stage = stage;
  k->known = known;
  k->name = kinds[l->kind].name;
  k->unit = kinds[l->kind].unit;
  k->source = l->from_flag ? "flag" : "spec";
  k->upper = kinds[l->kind].upper;
  k->limit = l->limit;
  k->actual = actual;
  k->margin = k->upper ? l->limit - actual : actual - l->limit;
  k->margin_pct = l->limit > 0 ? k->margin / l->limit * 100 : 0;
  k->passed = k->upper ? actual <= l->limit * (1 + 1e-9)
                       : actual >= l->limit * (1 - 1e-12);
  if (!known) {
    k->passed = false;
    k->margin = k->margin_pct = 0;
  }
  if (!k->passed) {
    out->passed = false;
    out->failed++;
  }
}

/* Phase 6's figures so far: sums in locals (the same additions in the
 * same order), and the critical path's last stage (phase 7). */
typedef struct totals {
  double servers, gpus, cost;
  size_t overloaded, unmet, end;
  avail all, req;
} totals;

/* Phase 6 for stage I, into T; PLAIN as for flow_and_size. */
STEP void total_stage(const capplan_model *m, const params *p, plan *out,
                      size_t i, totals *t, bool plain) {
  const mstage *ms = &m->stage[i];
  const stage_plan *s = &out->stage[i];
  if (s->status >= PLAN_OVERLOADED) { /* rare: one test for both */
    t->overloaded += s->status == PLAN_OVERLOADED;
    t->unmet += s->status == PLAN_UNMET;
  }
  if (!plain && ms->has_cache) {
    t->servers += s->cache.pool->servers;
    t->gpus += s->cache.pool->gpus;
    t->cost += s->cache.pool->cost_per_year;
  }
  if (plain || ms->group < 0) {
    t->servers += s->pool.servers;
    t->gpus += s->pool.gpus;
    t->cost += s->pool.cost_per_year;
  }
  if ((!plain && ms->standby) || ms->async)
    return;
  /* 7. The critical path ends at the stage that finishes last.  Ties
   * go to the stage first in order (and first in 'after'), so the path
   * is deterministic.  Fallbacks and asynchronous stages are off the
   * request path. */
  size_t n = m->n_stages;
  if (t->end == n || s->latency_to > out->stage[t->end].latency_to)
    t->end = i;
  double visit = min2(1, s->inflow);
  double misses = visit * (1 - p->stage[i].cache_hit);
  if (plain || ms->group < 0)
    t->all = avail_series(t->all, s->effective);
  if (!plain && ms->group >= 0 && ms->fallback < 0)
    out->group[ms->group].visit += misses;
  else
    t->req = avail_series(t->req, avail_down(misses * s->effective_req.down));
  if (!plain && ms->has_cache) {
    t->all = avail_series(t->all, s->cache.pool->all);
    t->req = avail_series(t->req, avail_down(visit * s->cache.pool->req.down));
  }
}

/* Phase 1 for stage I, not standing by: its flow, load, model and
 * latency (adding its figures to *SUM and its model's status to
 * *STATUS); then, with SIZE, phase 3 for it (size_stage).  Returns
 * false when sizing failed.  PLAIN (out->plain[i], a constant at each
 * place it is inlined) leaves out the tests such a stage would fail. */
STEP bool flow_and_size(const capplan_model *m, const params *p, plan *out,
                        size_t i, double qps, double *sum, int *status,
                        bool size, bool plain) {
  const mstage *ms = &m->stage[i];
  const stage_in *in = &p->stage[i];
  stage_plan *s = &out->stage[i];
  double inflow;
  double slow = upstream_flow(m, out, i, &inflow);
  s->inflow = in->share * inflow;
  s->outflow = s->inflow * (1 - in->stops);
  if (!plain && ms->join_any) /* else it stays false */
    s->double_counted = inflow > 1 + 1e-9;
  double invocations = s->inflow * in->calls * qps;
  s->load = invocations * (1 - in->cache_hit);
  if (!plain && ms->has_cache) /* else it stays 0 */
    s->cache_load = invocations;
  if (plain) {
    /* tp_eval_again of the fixed kind */
    s->tp.per_server = in->qps_per_server;
    s->tp.latency = in->latency;
  } else {
    tp_eval_again(&ms->tp, in, stage_gpu(m, p, i), &p->hw[ms->hw], s->load,
                  &s->tp);
  }
  s->form = 0;
  stage_latency(m, p, out, i, slow, plain);
  if (!plain) /* the fixed kind's status stays 0 */
    *status |= s->tp.status;
  *sum += finite_terms(s);
  return !size || size_stage(m, p, out, i, plain);
}

int plan_eval(const capplan_model *m, const params *p,
              const check_limit *limits, size_t n_limits, plan *out) {
  assert(out->lw); /* not settled (plan_settle) */
  size_t n = m->n_stages;
  const traffic_in *t = &p->traffic;
  /* No memset of the plan: every figure an evaluation can write is
   * written on every evaluation, and those it never writes for this model
   * (a cache tier a stage does not have, a memory constraint that does not
   * apply) stay zero from plan_new.  A 20-stage plan is evaluated about a
   * million times a second; clearing it would take a good share of that. */
  out->servers = out->gpus = out->cost_per_year = out->cost_per_month = 0;
  out->latency = 0;
  out->n_critical = out->n_checks = out->failed = 0;
  out->overloaded = out->unmet = 0;
  out->problem = PROBLEM_NONE;
  out->passed = true;

  /* Traffic (FORMULAS.md section 7). */
  if (m->traffic_from_dau) {
    out->average_qps = t->dau * t->requests_per_user / 86400.0;
    out->qps = out->average_qps * t->peak_to_average;
  } else {
    out->qps = t->qps;
    out->average_qps = m->has_peak_to_average ? t->qps / t->peak_to_average : 0;
  }
  if (m->has_average_qps)
    out->average_qps = t->average_qps;

  /* 1. Flow, load and latency (SPEC.md "Flow and load"), in topological
   * order so that every upstream figure is known.  Each stage also keeps
   * its upstream on the slowest path (the first listed wins ties). */
  const double qps = out->qps; /* in a local: the stores below may alias */
  double sum = 0;              /* finite_terms() of every stage */
  int status = 0;              /* their models' statuses, or'ed */
  /* The first stage sizing failed on (its place in order; n: none). */
  size_t fail_at = n, fail_stage = 0;
  enum plan_problem fail = PROBLEM_NONE;
  for (size_t q = 0; q < out->n_standby; q++) {
    /* Phase 2 gives it the largest flow of the stages it backs up; until
     * then the stages after it see none (set before the loop below, as
     * no stage before it in order reads them). */
    size_t i = m->order[out->standby_at[q]];
    stage_plan *s = &out->stage[i];
    s->critical = false; /* its path is itself, from plan_new */
    s->inflow = s->outflow = s->load = s->latency_to = 0;
  }
  /* The list in locals: a store to a count (a path's) could be one to
   * them, which the loop would read again after each. */
  const size_t n_live = out->n_live, *live = out->live;
  for (size_t q = 0; q < n_live; q++) {
    size_t i = live[q];
    out->stage[i].critical = false;
    /* 3, for a stage not standing by, now that its flow is known: the
     * first that cannot be sized is reported after the finite checks
     * below, and after any stage standing by before it in order that
     * cannot be either, as if sizing had waited for them. */
    bool sized = out->plain[i] ? flow_and_size(m, p, out, i, qps, &sum, &status,
                                               fail_at == n, true)
                               : flow_and_size(m, p, out, i, qps, &sum, &status,
                                               fail_at == n, false);
    if (!sized) {
      fail_at = out->live_at[q];
      fail = out->problem;
      fail_stage = out->problem_stage;
    }
  }

  /* 2. A fallback takes its primary's requests while the primary is down:
   * it is sized for the largest inflow among the stages it backs up, and
   * its path is the primary's with its own latency in place of the
   * primary's.  It is not on the normal request path. */
  for (size_t k = 0; k < out->n_backed; k++) {
    size_t i = out->backed[k];
    const mstage *ms = &m->stage[i];
    size_t fi = (size_t)ms->fallback;
    const stage_plan *pr = &out->stage[i];
    stage_plan *f = &out->stage[fi];
    const stage_in *fin = &p->stage[fi];
    const mstage *fm = &m->stage[fi];
    f->inflow = max2(f->inflow, pr->inflow);
    f->outflow = f->inflow;
    f->load = f->inflow * fin->calls * (1 - fin->cache_hit) * qps;
    tp_eval_again(&fm->tp, fin, stage_gpu(m, p, fi), &p->hw[fm->hw], f->load,
                  &f->tp);
    f->form = 0;
    fallback_latency(m, p, out, i);
  }

  /* Figures that left the range of a double stop here, by name: the first
   * such stage (those after it follow from it).  Stages standing by have
   * their figures now; the others' were summed in phase 1. */
  for (size_t k = 0; k < out->n_backed; k++) {
    const stage_plan *f = &out->stage[m->stage[out->backed[k]].fallback];
    status |= f->tp.status;
    sum += finite_terms(f);
  }
  if ((status != 0 || !isfinite(sum)) && !all_finite(m, out))
    return -1;

  /* 3. Stand-alone stages: constraints, sizing, cost, availability (the
   * others in phase 1); the first in order that cannot be stops here. */
  for (size_t q = 0; q < out->n_standby && out->standby_at[q] < fail_at; q++)
    if (!size_stage(m, p, out, m->order[out->standby_at[q]], false))
      return -1;
  if (fail_at < n) {
    out->problem = fail;
    out->problem_stage = fail_stage;
    return -1;
  }

  /* 4. Colocation groups. */
  for (size_t gi = 0; gi < m->n_groups; gi++)
    if (!size_group(m, p, out, gi))
      return -1;

  /* 4b. The wait for batches to form, on the request path. */
  /* Only latencies moved, each to a sum checked at once (a sum is
   * finite only when each term is): the figures checked before stand. */
  bool moved_finite = true;
  if (forming(m, p, out, &moved_finite) && !moved_finite && !all_finite(m, out))
    return -1;

  /* 4b. Queues and percentiles (SPEC.md section 7). */
  if (out->latency_on) {
    for (size_t i = 0; i < n; i++)
      latency_queue(m, p, out, i);
    if (m->n_pct_limits) {
      latency_size(m, p, out);
      for (size_t i = 0; i < n; i++)
        if (out->stage[i].latency_added > 0) {
          add_latency_servers(m, p, out, i);
          if (too_big(out, i, out->stage[i].pool.servers, 0))
            return -1;
        }
      for (size_t gi = 0; gi < m->n_groups; gi++)
        if (out->group[gi].latency_added > 0) {
          add_group_latency_servers(m, p, out, gi);
          if (too_big(out, m->group[gi].members[0], out->group[gi].pool.servers,
                      0))
            return -1;
          if (out->group[gi].pool.gpus > CAPPLAN_MAX_EXACT) {
            out->problem = PROBLEM_GROUP_GPUS;
            out->problem_stage = gi;
            return -1;
          }
        }
      /* Figures of the final counts: batches per accelerator, their
       * wait on the request path (once, if any count grew). */
      bool grew = false;
      for (size_t i = 0; i < n; i++)
        grew = grew || out->stage[i].latency_added > 0;
      if (grew)
        forming(m, p, out, &moved_finite);
      for (size_t i = 0; i < n; i++)
        if (m->stage[i].group < 0)
          need_for_latency(out, &out->stage[i].pool, &p->stage[i].pol,
                           memo_of(out, i), out->stage[i].latency_needed);
      for (size_t gi = 0; gi < m->n_groups; gi++) {
        group_plan *gp = &out->group[gi];
        if (gp->latency_needed <= gp->pool.needed)
          continue;
        need_for_latency(out, &gp->pool, &p->group[gi],
                         memo_of(out, 2 * n + gi), gp->latency_needed);
        for (size_t k = 0; k < m->group[gi].n_members; k++)
          out->stage[m->group[gi].members[k]].pool.all = gp->pool.all;
      }
    }
    latency_end_to_end(m, p, out);
  } else {
    latency_status(m, p, out);
  }

  /* 5. Fallback pairs (FORMULAS.md section 2, redundant alternatives):
   * the pair is down only when both are, 1 - (1 - A)(1 - A_fallback).
   * Sizing set each stage's EFFECTIVE to its pool's figures; servers
   * added for latency objectives change those. */
  if (out->latency_on && m->n_pct_limits)
    for (size_t i = 0; i < n; i++) {
      stage_plan *s = &out->stage[i];
      s->effective = s->pool.all;
      s->effective_req = s->pool.req;
    }
  for (size_t k = 0; k < out->n_backed; k++) {
    size_t i = out->backed[k];
    stage_plan *s = &out->stage[i];
    size_t fi = (size_t)m->stage[i].fallback;
    const stage_plan *f = &out->stage[fi];
    const policy *pol = &p->stage[i].pol, *fpol = &p->stage[fi].pol;
    if (m->stage[i].group < 0 && m->stage[fi].group < 0 && pol->zones > 1 &&
        fpol->zones == pol->zones &&
        fpol->zone_availability == pol->zone_availability)
      over_zones(out, &s->pool, pol, memo_of(out, i), &f->pool, fpol,
                 memo_of(out, fi), &s->effective, &s->effective_req);
    else {
      s->effective = avail_parallel(s->pool.all, f->pool.all);
      s->effective_req = avail_parallel(s->pool.req, f->pool.req);
    }
  }

  /* 6. Totals.  Every stage can carry its full load: the product over
   * what every request needs, stand-alone stages (each with its fallback),
   * groups and cache tiers in series.  Requests served: each stage sheds
   * its share of the requests that visit it (FORMULAS.md 2b), weighted by
   * the share of requests that visit it (a traffic split or a cache hit
   * spares the others).  Fallbacks count inside their pairs only,
   * asynchronous stages not at all.  A group is one pool, so it counts
   * once: for the requests visiting any of its members, which is their
   * visits summed (exact for members on disjoint branches) and at most
   * all (exact for members along one path; in between, it counts a
   * request that visits two members twice, on the safe side). */
  /* Sums in locals (the same additions in the same order), and the
   * critical path's last stage found in the same walk (phase 7). */
  totals tot = {0, 0, 0, 0, 0, n, {1, 0}, {1, 0}};
  for (size_t gi = 0; gi < m->n_groups; gi++)
    out->group[gi].visit = 0;
  for (size_t k = 0; k < n; k++) {
    size_t i = m->order[k];
    if (out->plain[i])
      total_stage(m, p, out, i, &tot, true);
    else
      total_stage(m, p, out, i, &tot, false);
  }
  double servers = tot.servers, gpus = tot.gpus, cost = tot.cost;
  size_t overloaded = tot.overloaded, unmet = tot.unmet, end = tot.end;
  avail all = tot.all, req = tot.req;
  for (size_t gi = 0; gi < m->n_groups; gi++) {
    const group_plan *gp = &out->group[gi];
    servers += gp->pool.servers;
    gpus += gp->pool.gpus;
    cost += gp->pool.cost_per_year;
    all = avail_series(all, gp->pool.all);
    double visit = min2(1, gp->visit);
    req = avail_series(req, avail_down(visit * gp->pool.req.down));
  }
  out->servers = servers;
  out->gpus = gpus;
  out->cost_per_year = cost;
  out->overloaded = overloaded;
  out->unmet = unmet;
  out->all = all;
  out->req = req;
  /* A month is 730 of the year's 8,760 hours (SPEC.md money units). */
  out->cost_per_month =
      out->cost_per_year * CAPPLAN_HOURS_PER_MONTH / CAPPLAN_HOURS_PER_YEAR;
  out->cost_per_million = -1;
  if (out->average_qps > 0)
    out->cost_per_million =
        out->cost_per_year / (out->average_qps * SECONDS_PER_YEAR) * 1e6;
  /* Each stage and group counts exactly; their sum must too. */
  if (out->servers > CAPPLAN_MAX_EXACT || out->gpus > CAPPLAN_MAX_EXACT) {
    out->problem = PROBLEM_TOTAL_COUNT;
    return -1;
  }
  if (!(isfinite(out->cost_per_year) && isfinite(out->servers) &&
        isfinite(out->gpus) && isfinite(out->cost_per_million))) {
    out->problem = PROBLEM_TOTAL_COST;
    return -1;
  }

  /* 7. The critical path: from the stage that finishes last (found
   * above) back through the slowest upstream each time. */
  if (end < n) {
    out->latency = out->stage[end].latency_to;
    size_t len = out->path_len[end];
    size_t v = end;
    for (size_t k = len; k-- > 0; v = out->best[v]) {
      out->critical[k] = v;
      out->stage[v].critical = true;
    }
    out->n_critical = len;
  }

  /* 8. Checks, in the order of 'kind'. */
  for (size_t k = 0; k < n_limits; k++) {
    double actual = 0;
    bool known = true;
    switch (limits[k].kind) {
    case CAPPLAN_CHECK_LATENCY:
      actual = out->latency * 1000;
      break;
    case CAPPLAN_CHECK_AVAILABILITY:
      actual = out->all.up;
      break;
    case CAPPLAN_CHECK_COST:
      actual = out->cost_per_year;
      break;
    case CAPPLAN_CHECK_GPUS:
      actual = out->gpus;
      break;
    case CAPPLAN_CHECK_SERVERS:
      actual = out->servers;
      break;
    case CAPPLAN_CHECK_TTFT:
    case CAPPLAN_CHECK_TPOT:
      /* The slowest llm stage's (on the request path or not). */
      for (size_t i = 0; i < n; i++)
        if (m->stage[i].tp.kind == TP_LLM && out->stage[i].load > 0 &&
            (limits[k].kind == CAPPLAN_CHECK_TTFT ||
             out->stage[i].tp.llm->has_tpot)) {
          const tp_out *to = &out->stage[i].tp;
          actual = max2(actual,
                        (limits[k].kind == CAPPLAN_CHECK_TTFT ? to->ttft
                                                              : to->llm->tpot) *
                            1000);
        }
      break;
    case CAPPLAN_CHECK_LATENCY_P50:
    case CAPPLAN_CHECK_LATENCY_P95:
    case CAPPLAN_CHECK_LATENCY_P99:
    case CAPPLAN_CHECK_LATENCY_P999: {
      int q = (int)(limits[k].kind - CAPPLAN_CHECK_LATENCY_P50);
      const queue_plan *qp =
          limits[k].stage >= 0 ? &out->stage[limits[k].stage].queue : NULL;
      known = qp ? qp->stable && out->latency_on
                 : out->pct_known && out->latency_on;
      actual = known ? (qp ? qp->pct[q] : out->pct[q]) * 1000 : 0;
      break;
    }
    }
    check(out, &limits[k], actual, known,
          limits[k].stage >= 0 ? m->stage[limits[k].stage].name : NULL);
  }
  return 0;
}

/* An llm stage's USD per million output tokens at the plan's average
 * load, what its tokens cost over a year (FORMULAS.md 6b's formula,
 * llm_usd_per_m_tokens, on the stage's cost per year and the output
 * tokens of its share of the average rate: load x average QPS / peak
 * QPS, o tokens each); -1 with no price, no average rate, no load, or for
 * a colocated stage, whose cost is its group's. */
static double usd_per_m_output_at_load(const capplan_model *m, const params *p,
                                       const plan *pl, size_t i) {
  const stage_plan *s = &pl->stage[i];
  if (m->stage[i].tp.kind != TP_LLM || m->stage[i].group >= 0 ||
      !(pl->qps > 0) || !(pl->average_qps > 0) || !(s->load > 0))
    return -1;
  double tokens =
      s->load * (pl->average_qps / pl->qps) * stage_gpu(m, p, i)->output_tokens;
  double usd = s->pool.cost_per_year / (CAPPLAN_HOURS_PER_YEAR * 3600.0);
  double v;
  return llm_usd_per_m_tokens(usd, tokens, &v) == LLM_OK ? v : -1;
}

void plan_derive(const capplan_model *m, const params *p, plan *out) {
  for (size_t i = 0; i < m->n_stages; i++)
    out->stage[i].usd_per_m_output_at_load =
        usd_per_m_output_at_load(m, p, out, i);
  bool cap = false;
  for (size_t i = 0; i < m->n_stages; i++) {
    stage_plan *s = &out->stage[i];
    s->pool.all_f = avail_figs_of(s->pool.all);
    s->effective_f = avail_figs_of(s->effective);
    if (m->stage[i].has_cache) {
      s->cache.pool->all_f = avail_figs_of(s->cache.pool->all);
      cap = cap || s->cache.pool->all_f.above_cap;
    }
    if (m->stage[i].group < 0)
      cap = cap || s->effective_f.above_cap;
  }
  for (size_t g = 0; g < m->n_groups; g++) {
    pool_plan *pp = &out->group[g].pool;
    pp->all_f = avail_figs_of(pp->all);
    cap = cap || pp->all_f.above_cap;
  }
  out->all_f = avail_figs_of(out->all);
  out->req_f = avail_figs_of(out->req);
  out->above_cap = cap || out->all_f.above_cap || out->req_f.above_cap;
}

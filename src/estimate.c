/*
 * estimate.c - resolved graph -> report: the estimator core.
 *
 * Pure and deterministic: it reads the graph, allocates the report and
 * does nothing else (no I/O, no globals).  Each figure follows SPEC.md
 * section 2 and FORMULAS.md; the comments name the rule they apply.
 * Impossible figures (a load that overflows, more servers than a double
 * counts exactly) end in a diagnostic, never in NaN or Inf.
 *
 * The work goes in phases: flow along the graph, the flow of fallback
 * stages, sizing and availability per stage, colocation groups, fallback
 * pairs, totals and the critical path, and last the checks.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "availability.h"
#include "format.h"
#include "graph.h"

#define SECONDS_PER_YEAR (CAPPLAN_HOURS_PER_YEAR * 3600.0)

double capplan_nines(double unavailability) {
  avail a = {1 - unavailability, unavailability};
  return avail_nines(a);
}

/* SPEC.md "Sizing and rounding": one ceiling, at the end, with a
 * tolerance so that 0.56 x 20,000 / 400 = 28.000000000000004 gives 28.
 * The tolerance is 1e-9 up to 1,000 and 1e-12 of the figure above: the
 * noise of a double is relative, and at 10^7 servers an absolute 1e-9
 * is below the spacing of doubles (1.9e-9), so noise bought a server.
 * It stops at 0.5 so that the ceiling of a whole number is that number
 * (at 10^12, 1e-12 of it would be a whole server). */
double capplan_ceil_tolerance(double x) {
  return fmax(CAPPLAN_CEIL_TOLERANCE,
              fmin(CAPPLAN_CEIL_MAX, fabs(x) * CAPPLAN_CEIL_RELATIVE));
}

double capplan_ceil(double x) {
  double c = ceil(x - capplan_ceil_tolerance(x));
  return c > 0 ? c : 0;
}

/* Servers needed up at full utilization (FORMULAS.md section 2's m):
 * ceil(load / qps_per_server - 1e-9), at least 1 when there is load. */
static double needed(double server_equivalents) {
  if (server_equivalents <= 0)
    return 0;
  double m = capplan_ceil(server_equivalents);
  return m < 1 ? 1 : m;
}

/* Servers for RAW fractional servers:
 *   n = ceil(raw x (1 + headroom) - 1e-9)            SPEC.md sizing
 * (at least 1 for any load) and, to survive the loss of one of Z zones over
 * which the servers are spread evenly (zone sizes differ by at most one), the
 * smallest total whose other Z-1 zones still hold n: total - ceil(total / Z) >=
 * n, that is total = ceil(n Z / (Z - 1)).  Spares (N+k) come last.  *EXTRA gets
 * the servers the zone rule added. */
static double size_servers(double raw, double headroom, double redundancy,
                           double zones, bool survive, double *extra) {
  double n = capplan_ceil(raw * (1 + headroom));
  /* The tolerance absorbs float noise above a whole number; it must not
   * size a real, if tiny, load at zero servers (m is at least 1). */
  if (raw > 0 && n < 1)
    n = 1;
  double total = n;
  if (survive && zones >= 2 && n > 0) {
    double a = n * zones, b = zones - 1;
    total = floor(a / b);
    if (total * b < a)
      total += 1;
  }
  *extra = total - n;
  return total + redundancy;
}

static const char **names_of(capplan_arena *A, const capplan_graph *g,
                             const size_t *idx, size_t n) {
  const char **v = arena_array(A, n ? n : 1, sizeof(char *));
  for (size_t i = 0; i < n; i++)
    v[i] = arena_strdup(A, g->nodes[idx[i]].name);
  return v;
}

/* Traffic (FORMULAS.md section 7): peak = dau x requests/day / 86,400 x
 * peak_to_average; the average drops the peak factor. */
static void traffic(const spec_traffic *t, capplan_report *r) {
  double p2a = t->peak_to_average.set ? t->peak_to_average.v : 1;
  if (t->dau.set) {
    r->dau = t->dau.v;
    r->requests_per_user_per_day = t->requests_per_user.v;
    r->peak_to_average = p2a;
    r->average_qps = t->dau.v * t->requests_per_user.v / 86400.0;
    r->qps = r->average_qps * p2a;
  } else {
    r->qps = t->qps.v;
    if (t->peak_to_average.set) {
      r->peak_to_average = p2a;
      r->average_qps = r->qps / p2a;
    }
  }
  if (t->average_qps.set)
    r->average_qps = t->average_qps.v;
}

/* Every figure a stage reports, in its reported unit, must be finite: the
 * input bounds keep most of them so, but flows that merge ('join: any')
 * add up along every path, and a lattice of joins doubles them at each
 * step.  Returns false, with a diagnostic naming the stage and the figure,
 * when one is not. */
static bool finite_stage(capplan_diags *d, const gnode *nd,
                         const capplan_stage_result *s) {
  const struct {
    double v;
    const char *what, *why;
  } figs[] = {
      {s->inflow, "flow (requests per entry request)",
       "'join: any' adds the flows of all the paths that merge; fewer "
       "merging paths keep it in range"},
      {s->qps, "load", "check 'qps', 'calls' and the flow into it"},
      {s->qps_per_server * 1000, "throughput per server",
       "check 'qps_per_server', or 'batch', 'latency' and 'parallelism'"},
      {s->latency_to * 1000, "latency to its end",
       "check the latencies along its slowest path"},
      {s->cost_per_year, "cost", "check the 'cost' of its hardware"},
  };
  for (size_t i = 0; i < sizeof figs / sizeof figs[0]; i++) {
    if (isfinite(figs[i].v))
      continue;
    capplan_diags_add(d, CAPPLAN_ERROR, nd->st->name.loc, figs[i].why,
                      "stage '%s': its %s is too large to represent", nd->name,
                      figs[i].what);
    return false;
  }
  return true;
}

/* GPUS (servers x the hardware's GPUs) of a stage or a group, named by
 * WHO at LOC: more than 2^53 is an error, as for servers. */
static bool too_many_gpus(capplan_diags *d, capplan_loc loc, const char *who,
                          double gpus) {
  if (gpus <= CAPPLAN_MAX_EXACT)
    return false;
  char n[FMT_SIZE];
  capplan_diags_add(d, CAPPLAN_ERROR, loc,
                    "fewer servers, or hardware with fewer GPUs per server, "
                    "keep the count exact",
                    "%s needs %s GPUs, more than capplan can count exactly "
                    "(2^53)",
                    who, fmt_count(gpus, n, sizeof n));
  return true;
}

static bool too_big(capplan_diags *d, const gnode *nd, double servers,
                    double load) {
  if (isfinite(load) && isfinite(servers) && servers <= CAPPLAN_MAX_EXACT)
    return false;
  char help[256];
  snprintf(help, sizeof help,
           "check 'qps', 'calls' and 'qps_per_server' (or 'batch', "
           "'latency' and 'parallelism'): the load is %.3g/s",
           load);
  capplan_diags_add(d, CAPPLAN_ERROR, nd->st->name.loc, help,
                    "stage '%s' needs more servers than capplan can count "
                    "exactly (2^53)",
                    nd->name);
  return true;
}

/* The figures of one stage that do not depend on other stages. */
static void copy_settings(capplan_arena *A, const capplan_graph *g,
                          const gnode *nd, capplan_stage_result *s) {
  s->name = arena_strdup(A, nd->name);
  s->hardware = arena_strdup(A, nd->hw->name);
  s->group = nd->group >= 0 ? arena_strdup(A, g->groups[nd->group].name) : NULL;
  s->after = names_of(A, g, nd->parents, nd->n_parents);
  s->n_after = nd->n_parents;
  s->join_any = nd->join_any;
  s->share = nd->share;
  s->calls = nd->calls;
  s->cache_hit = nd->cache_hit;
  s->stops = nd->stops;
  s->tp_source = nd->tp;
  s->batch = nd->batch;
  s->parallelism = nd->parallelism;
  s->qps_per_server = nd->qps_per_server;
  s->utilization = nd->utilization;
  s->headroom = nd->headroom;
  s->redundancy = nd->redundancy;
  s->zones = nd->zones;
  s->survive_zone_loss = nd->survive_zone_loss;
  s->server_availability = nd->availability;
  s->latency = nd->latency;
  s->standby = nd->standby;
  s->async = nd->async;
  s->fallback =
      nd->fallback >= 0 ? arena_strdup(A, g->nodes[nd->fallback].name) : NULL;
}

/* Checks against the spec's slo and budget, each tightened (never
 * loosened) by a command-line limit. */
typedef struct checker {
  capplan_report *r;
  capplan_diags *d;
} checker;

static void check(checker *c, enum capplan_check_kind kind, const char *name,
                  const char *unit, bool upper, const snum *spec_limit,
                  const capplan_limit *flag, double scale, double actual) {
  bool from_flag = flag && flag->set;
  if (!spec_limit->set && !from_flag)
    return;
  double limit = spec_limit->set ? spec_limit->v * scale : 0;
  const char *source = "spec";
  if (from_flag) {
    double f = flag->value * scale;
    bool tighter = !spec_limit->set || (upper ? f < limit : f > limit);
    if (tighter) {
      limit = f;
      source = "flag";
    } else if (f != limit) {
      capplan_check shown = {kind, name, unit, "spec", upper, 0, 0, 0, true};
      char fv[FMT_SIZE], sv[FMT_SIZE];
      fmt_check_value(&shown, f, true, fv, sizeof fv);
      fmt_check_value(&shown, limit, true, sv, sizeof sv);
      capplan_diags_add(c->d, CAPPLAN_WARNING, spec_limit->loc,
                        "a command-line limit can only tighten the spec's",
                        "the command-line limit on %s (%s) is looser than "
                        "the spec's (%s), which applies",
                        name, fv, sv);
    }
  }
  capplan_report *r = c->r;
  capplan_check *k = &r->checks[r->n_checks++];
  k->kind = kind;
  k->name = name;
  k->unit = unit;
  k->source = source;
  k->upper = upper;
  k->limit = limit;
  k->actual = actual;
  k->margin = upper ? limit - actual : actual - limit;
  /* Relative tolerance 1e-9: a sum of float latencies that equals the
   * budget passes. */
  k->passed =
      upper ? actual <= limit * (1 + 1e-9) : actual >= limit * (1 - 1e-12);
  if (!k->passed)
    r->passed = false;
}

capplan_report *capplan_estimate(const capplan_graph *g,
                                 const capplan_check_opts *opts,
                                 capplan_diags *d) {
  const capplan_spec *spec = g->spec;
  size_t n = g->n;
  size_t errors = d->errors;
  capplan_report *r = xcalloc(1, sizeof *r);
  capplan_arena *A = arena_new();
  r->arena = A;
  r->spec_name = arena_strdup(A, spec->name.s);
  r->spec_path = arena_strdup(A, spec->src->path);
  r->description = arena_strdup(A, spec->description.s);
  r->cost_per_million = -1;
  traffic(&spec->traffic, r);

  r->n_stages = n;
  r->stages = arena_array(A, n ? n : 1, sizeof(capplan_stage_result));
  size_t *rank = xcalloc(n + 1, sizeof(size_t));
  for (size_t k = 0; k < n; k++)
    rank[g->order[k]] = k;
#define RES(i) (&r->stages[rank[i]])

  /* 1. Flow, load and latency (SPEC.md "Flow and load"), in topological
   * order so every upstream figure is known.  Fallbacks come later. */
  for (size_t k = 0; k < n; k++) {
    const gnode *nd = &g->nodes[g->order[k]];
    capplan_stage_result *s = &r->stages[k];
    copy_settings(A, g, nd, s);
    if (nd->standby)
      continue;
    double in = nd->n_parents ? 0 : 1, slow = 0;
    for (size_t p = 0; p < nd->n_parents; p++) {
      const capplan_stage_result *up = RES(nd->parents[p]);
      in = nd->join_any ? in + up->outflow : fmax(in, up->outflow);
      slow = fmax(slow, up->latency_to);
    }
    s->inflow = nd->share * in;
    s->outflow = s->inflow * (1 - nd->stops);
    s->qps = s->inflow * nd->calls * (1 - nd->cache_hit) * r->qps;
    /* An async stage's path is timed like any other, but only async
     * stages follow it (graph.c), so no request path includes it. */
    s->latency_to = nd->latency + slow;
  }

  /* 2. A fallback takes its primary's requests while the primary is down:
   * it is sized for the largest inflow among the stages it backs up, and
   * its path is the primary's with its own latency in place of the
   * primary's.  It is not on the normal request path. */
  for (size_t i = 0; i < n; i++) {
    const gnode *nd = &g->nodes[i];
    if (nd->fallback < 0)
      continue;
    const capplan_stage_result *p = RES(i);
    capplan_stage_result *f = RES((size_t)nd->fallback);
    const gnode *fn = &g->nodes[nd->fallback];
    f->inflow = fmax(f->inflow, p->inflow);
    f->outflow = f->inflow;
    f->qps = f->inflow * fn->calls * (1 - fn->cache_hit) * r->qps;
    f->latency_to =
        fmax(f->latency_to, p->latency_to - p->latency + fn->latency);
  }

  /* Figures that left the range of a double stop here, by name: the
   * first such stage is reported (those after it follow from it). */
  bool ok = true;
  for (size_t k = 0; k < n && ok; k++)
    ok = finite_stage(d, &g->nodes[g->order[k]], &r->stages[k]);

  /* 3. Sizing (SPEC.md "Sizing and rounding") and availability
   * (FORMULAS.md section 2, k-of-n) of stand-alone stages.  A colocated
   * stage reports its server-equivalents at 100%; its group is sized in
   * phase 4. */
  for (size_t k = 0; k < n && ok; k++) {
    const gnode *nd = &g->nodes[g->order[k]];
    capplan_stage_result *s = &r->stages[k];
    double eq = s->qps / nd->qps_per_server;
    s->servers_needed = needed(eq);
    if (nd->group >= 0) {
      s->servers_raw = eq;
      ok = !too_big(d, nd, eq, s->qps);
      continue;
    }
    s->servers_raw = s->qps / (nd->qps_per_server * nd->utilization);
    s->servers = size_servers(s->servers_raw, nd->headroom, nd->redundancy,
                              nd->zones, nd->survive_zone_loss, &s->zone_extra);
    if (too_big(d, nd, s->servers, s->qps)) {
      ok = false;
      continue;
    }
    s->gpus = s->servers * nd->hw->gpus;
    char who[FMT_SIZE * 4];
    snprintf(who, sizeof who, "stage '%s'", nd->name);
    if (too_many_gpus(d, nd->st->name.loc, who, s->gpus)) {
      ok = false;
      continue;
    }
    s->cost_per_year = s->servers * nd->hw->cost_per_year;
    /* A stage without load is never needed: k-of-n with m = 0 is 1. */
    avail a = avail_k_of_n(s->servers_needed, s->servers, nd->availability);
    s->availability = a.up;
    s->unavailability = a.down;
  }

  /* 4. Colocation groups (SPEC.md "Colocation"): server-equivalents add,
   *   group servers = ceil(sum / utilization x (1 + headroom) - 1e-9)
   *                   + redundancy,
   * with the zone rule of size_servers(); the group is one k-of-n pool. */
  r->n_groups = g->n_groups;
  r->groups = arena_array(A, g->n_groups ? g->n_groups : 1,
                          sizeof(capplan_group_result));
  for (size_t gi = 0; gi < g->n_groups && ok; gi++) {
    const ggroup *gg = &g->groups[gi];
    capplan_group_result *gr = &r->groups[gi];
    gr->name = arena_strdup(A, gg->name);
    gr->hardware = arena_strdup(A, gg->hw->name);
    gr->stages = names_of(A, g, gg->members, gg->n_members);
    gr->n_stages = gg->n_members;
    gr->utilization = gg->utilization;
    gr->headroom = gg->headroom;
    gr->redundancy = gg->redundancy;
    gr->zones = gg->zones;
    gr->survive_zone_loss = gg->survive_zone_loss;
    gr->server_availability = gg->availability;
    double sum = 0;
    for (size_t m = 0; m < gg->n_members; m++)
      sum += RES(gg->members[m])->servers_raw;
    gr->servers_raw = sum / gg->utilization;
    gr->servers =
        size_servers(gr->servers_raw, gg->headroom, gg->redundancy, gg->zones,
                     gg->survive_zone_loss, &gr->zone_extra);
    if (too_big(d, &g->nodes[gg->members[0]], gr->servers, sum)) {
      ok = false;
      continue;
    }
    gr->gpus = gr->servers * gg->hw->gpus;
    char who[FMT_SIZE * 4];
    snprintf(who, sizeof who, "group '%s'", gg->name);
    if (too_many_gpus(d, g->nodes[gg->members[0]].st->colocate.loc, who,
                      gr->gpus)) {
      ok = false;
      continue;
    }
    gr->cost_per_year = gr->servers * gg->hw->cost_per_year;
    gr->servers_needed = needed(sum);
    avail a = avail_k_of_n(gr->servers_needed, gr->servers, gg->availability);
    gr->availability = a.up;
    gr->unavailability = a.down;
    for (size_t m = 0; m < gg->n_members; m++) {
      capplan_stage_result *s = RES(gg->members[m]);
      s->availability = a.up;
      s->unavailability = a.down;
      s->zone_extra = 0; /* the group's figure; members own no servers */
    }
  }

  /* 5. Fallback pairs (FORMULAS.md section 2, redundant alternatives):
   * the pair is down only when both are, 1 - (1 - A)(1 - A_fallback). */
  for (size_t k = 0; k < n; k++) {
    capplan_stage_result *s = &r->stages[k];
    avail a = {s->availability, s->unavailability};
    const gnode *nd = &g->nodes[g->order[k]];
    if (nd->fallback >= 0) {
      const capplan_stage_result *f = RES((size_t)nd->fallback);
      avail b = {f->availability, f->unavailability};
      a = avail_parallel(a, b);
    }
    s->effective_availability = a.up;
    s->effective_unavailability = a.down;
  }

  /* 6. Totals.  Availability is the product over what every request
   * needs: the stand-alone stages, each with its fallback, and the groups
   * (stages in series).  Fallbacks count inside their pairs only, and
   * asynchronous stages not at all. */
  avail total = {1, 0};
  for (size_t k = 0; k < n; k++) {
    const capplan_stage_result *s = &r->stages[k];
    if (s->group)
      continue;
    r->servers += s->servers;
    r->gpus += s->gpus;
    r->cost_per_year += s->cost_per_year;
    if (!s->standby && !s->async) {
      avail a = {s->effective_availability, s->effective_unavailability};
      total = avail_series(total, a);
    }
  }
  for (size_t gi = 0; gi < r->n_groups; gi++) {
    const capplan_group_result *gr = &r->groups[gi];
    r->servers += gr->servers;
    r->gpus += gr->gpus;
    r->cost_per_year += gr->cost_per_year;
    avail a = {gr->availability, gr->unavailability};
    total = avail_series(total, a);
  }
  r->availability = total.up;
  r->unavailability = total.down;
  r->downtime_minutes_per_year = total.down * CAPPLAN_MINUTES_PER_YEAR;
  r->downtime_minutes_per_month = total.down * CAPPLAN_MINUTES_PER_MONTH;
  /* A month is 730 of the year's 8,760 hours (SPEC.md money units). */
  r->cost_per_month =
      r->cost_per_year * CAPPLAN_HOURS_PER_MONTH / CAPPLAN_HOURS_PER_YEAR;
  if (r->average_qps > 0)
    r->cost_per_million =
        r->cost_per_year / (r->average_qps * SECONDS_PER_YEAR) * 1e6;
  /* Each stage and group counts exactly; their sum must too. */
  if (d->errors == errors && ok &&
      (r->servers > CAPPLAN_MAX_EXACT || r->gpus > CAPPLAN_MAX_EXACT)) {
    char num[FMT_SIZE];
    bool srv = r->servers > CAPPLAN_MAX_EXACT;
    capplan_diags_add(
        d, CAPPLAN_ERROR, spec->stages_loc,
        "each stage fits, but not their sum; fewer or smaller stages keep "
        "it exact",
        "the plan needs %s %s in all, more than capplan can count exactly "
        "(2^53)",
        fmt_count(srv ? r->servers : r->gpus, num, sizeof num),
        srv ? "servers" : "GPUs");
  }
  if (d->errors == errors &&
      !(isfinite(r->cost_per_year) && isfinite(r->servers) &&
        isfinite(r->gpus) && isfinite(r->cost_per_million)))
    capplan_diags_add(d, CAPPLAN_ERROR, (capplan_loc){0, 0, 0},
                      "check the 'cost' of the hardware and the traffic",
                      "the plan's total cost is too large to represent");

  /* 7. The critical path: the stage that finishes last, then back through
   * the slowest upstream each time.  Ties go to the stage first in order
   * (and first in 'after'), so the path is deterministic.  Fallbacks and
   * asynchronous stages are off the request path. */
  size_t end = n;
  for (size_t k = 0; k < n; k++) {
    size_t i = g->order[k];
    if (g->nodes[i].standby || g->nodes[i].async)
      continue;
    if (end == n || RES(i)->latency_to > RES(end)->latency_to)
      end = i;
  }
  if (end < n) {
    r->latency = RES(end)->latency_to;
    size_t len = 0;
    size_t *path = xmalloc(n * sizeof(size_t));
    for (size_t v = end;;) {
      path[len++] = v;
      const gnode *nd = &g->nodes[v];
      if (!nd->n_parents)
        break;
      size_t best = nd->parents[0];
      for (size_t p = 1; p < nd->n_parents; p++)
        if (RES(nd->parents[p])->latency_to > RES(best)->latency_to)
          best = nd->parents[p];
      v = best;
    }
    r->n_critical = len;
    r->critical_path = arena_array(A, len, sizeof(char *));
    for (size_t k = 0; k < len; k++) {
      capplan_stage_result *s = RES(path[len - 1 - k]);
      r->critical_path[k] = s->name;
      s->critical = true;
    }
    free(path);
  }

  /* 8. Checks. */
  r->passed = true;
  r->checks = arena_array(A, 5, sizeof(capplan_check));
  capplan_check_opts none;
  memset(&none, 0, sizeof none);
  if (!opts)
    opts = &none;
  checker c = {r, d};
  check(&c, CAPPLAN_CHECK_LATENCY, "latency", "ms", true, &spec->slo.latency,
        &opts->max_latency, 1000, r->latency * 1000);
  check(&c, CAPPLAN_CHECK_AVAILABILITY, "availability", "fraction", false,
        &spec->slo.availability, &opts->min_availability, 1, r->availability);
  check(&c, CAPPLAN_CHECK_COST, "cost", "USD/year", true, &spec->budget.cost,
        &opts->max_cost, 1, r->cost_per_year);
  check(&c, CAPPLAN_CHECK_GPUS, "gpus", "gpus", true, &spec->budget.gpus,
        &opts->max_gpus, 1, r->gpus);
  check(&c, CAPPLAN_CHECK_SERVERS, "servers", "servers", true,
        &spec->budget.servers, &opts->max_servers, 1, r->servers);
#undef RES

  free(rank);
  if (d->errors > errors) {
    capplan_report_free(r);
    return NULL;
  }
  return r;
}

void capplan_report_free(capplan_report *r) {
  if (!r)
    return;
  arena_free(r->arena);
  free(r);
}

capplan_report *capplan_run(const capplan_source *src,
                            const capplan_limits *limits,
                            const capplan_check_opts *opts, capplan_diags *d) {
  /* A spec with errors still goes through the graph checks, so that one
   * run reports every error; it never reaches the estimator. */
  size_t errors = d->errors;
  capplan_spec *spec = spec_load(src, limits, d, true);
  if (!spec)
    return NULL;
  capplan_graph *g = capplan_graph_build(spec, d);
  capplan_report *r =
      g && d->errors == errors ? capplan_estimate(g, opts, d) : NULL;
  capplan_graph_free(g);
  capplan_spec_free(spec);
  return r;
}

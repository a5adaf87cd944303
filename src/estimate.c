/*
 * estimate.c - resolved graph -> report: the estimator core.
 *
 * Pure and deterministic: it reads the graph, allocates the report and
 * does nothing else (no I/O, no globals).  Each figure follows SPEC.md
 * section 2 and FORMULAS.md; the comments name the rule they apply.
 * Impossible figures (a load that overflows, more servers than a double
 * counts exactly) end in a diagnostic, never in NaN or Inf.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "availability.h"
#include "graph.h"

/* Counts above 2^53 are no longer exact in a double. */
#define MAX_EXACT 9007199254740992.0
#define SECONDS_PER_YEAR (CAPPLAN_HOURS_PER_YEAR * 3600.0)

/* SPEC.md "Sizing and rounding": one ceiling, at the end, with a 1e-9
 * tolerance so that 0.56 x 20,000 / 400 = 28.000000000000004 gives 28. */
static double ceil_tol(double x) {
  double c = ceil(x - CAPPLAN_CEIL_TOLERANCE);
  return c > 0 ? c : 0;
}

/* Servers needed up at full utilization (FORMULAS.md section 2's m):
 * ceil(load / qps_per_server - 1e-9), at least 1 when there is load. */
static double needed(double server_equivalents) {
  if (server_equivalents <= 0)
    return 0;
  double m = ceil_tol(server_equivalents);
  return m < 1 ? 1 : m;
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

static bool too_big(capplan_diags *d, const gnode *nd, double servers,
                    double load) {
  if (isfinite(load) && isfinite(servers) && servers <= MAX_EXACT)
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

static void add_check(capplan_report *r, enum capplan_check_kind kind,
                      const char *name, const char *unit, bool upper,
                      double limit, double actual) {
  capplan_check *c = &r->checks[r->n_checks++];
  c->kind = kind;
  c->name = name;
  c->unit = unit;
  c->upper = upper;
  c->limit = limit;
  c->actual = actual;
  /* Relative tolerance 1e-9: a sum of float latencies that equals the
   * budget passes. */
  c->passed =
      upper ? actual <= limit * (1 + 1e-9) : actual >= limit * (1 - 1e-12);
  if (!c->passed)
    r->passed = false;
}

capplan_report *capplan_estimate(const capplan_graph *g, capplan_diags *d) {
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
  double *outflow = xcalloc(n + 1, sizeof(double));
  double *latency_to = xcalloc(n + 1, sizeof(double));
  size_t *rank = xcalloc(n + 1, sizeof(size_t));

  /* Flow, load and throughput (SPEC.md "Flow and load"), in topological
   * order so every upstream outflow is known. */
  for (size_t k = 0; k < n; k++) {
    size_t i = g->order[k];
    const gnode *nd = &g->nodes[i];
    capplan_stage_result *s = &r->stages[k];
    rank[i] = k;
    double in = nd->n_parents ? 0 : 1, slow = 0;
    for (size_t p = 0; p < nd->n_parents; p++) {
      double o = outflow[nd->parents[p]];
      in = nd->join_any ? in + o : (o > in ? o : in);
      if (latency_to[nd->parents[p]] > slow)
        slow = latency_to[nd->parents[p]];
    }
    s->inflow = nd->share * in;
    s->outflow = s->inflow * (1 - nd->stops);
    outflow[i] = s->outflow;
    s->qps = s->inflow * nd->calls * (1 - nd->cache_hit) * r->qps;
    s->latency = nd->latency;
    s->latency_to = nd->latency + slow;
    latency_to[i] = s->latency_to;

    s->name = arena_strdup(A, nd->name);
    s->hardware = arena_strdup(A, nd->hw->name);
    s->group =
        nd->group >= 0 ? arena_strdup(A, g->groups[nd->group].name) : NULL;
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
    s->server_availability = nd->availability;

    /* Sizing (SPEC.md "Sizing and rounding"):
     *   raw     = load / (qps_per_server x utilization)
     *   servers = ceil(raw x (1 + headroom) - 1e-9) + redundancy
     * A colocated stage reports its server-equivalents at 100%; its group
     * is sized below. */
    double eq = s->qps / nd->qps_per_server;
    s->servers_needed = needed(eq);
    if (nd->group >= 0) {
      s->servers_raw = eq;
      if (too_big(d, nd, eq, s->qps))
        continue;
    } else {
      s->servers_raw = s->qps / (nd->qps_per_server * nd->utilization);
      s->servers =
          ceil_tol(s->servers_raw * (1 + nd->headroom)) + nd->redundancy;
      if (too_big(d, nd, s->servers, s->qps))
        continue;
      s->gpus = s->servers * nd->hw->gpus;
      s->cost_per_year = s->servers * nd->hw->cost_per_year;
      /* k-of-n availability (FORMULAS.md section 2); a stage without load
       * is never needed. */
      avail a = avail_k_of_n(s->servers_needed, s->servers, nd->availability);
      s->availability = a.up;
      s->unavailability = a.down;
    }
  }

  /* Colocation groups (SPEC.md "Colocation"): server-equivalents add,
   *   group servers = ceil(sum / utilization x (1 + headroom) - 1e-9)
   *                   + redundancy,
   * and the group is one k-of-n pool. */
  r->n_groups = g->n_groups;
  r->groups = arena_array(A, g->n_groups ? g->n_groups : 1,
                          sizeof(capplan_group_result));
  for (size_t gi = 0; gi < g->n_groups; gi++) {
    const ggroup *gg = &g->groups[gi];
    capplan_group_result *gr = &r->groups[gi];
    gr->name = arena_strdup(A, gg->name);
    gr->hardware = arena_strdup(A, gg->hw->name);
    gr->stages = names_of(A, g, gg->members, gg->n_members);
    gr->n_stages = gg->n_members;
    gr->utilization = gg->utilization;
    gr->headroom = gg->headroom;
    gr->redundancy = gg->redundancy;
    gr->server_availability = gg->availability;
    double sum = 0;
    for (size_t m = 0; m < gg->n_members; m++)
      sum += r->stages[rank[gg->members[m]]].servers_raw;
    gr->servers_raw = sum / gg->utilization;
    gr->servers =
        ceil_tol(gr->servers_raw * (1 + gg->headroom)) + gg->redundancy;
    if (too_big(d, &g->nodes[gg->members[0]], gr->servers, sum))
      continue;
    gr->gpus = gr->servers * gg->hw->gpus;
    gr->cost_per_year = gr->servers * gg->hw->cost_per_year;
    gr->servers_needed = needed(sum);
    avail a = avail_k_of_n(gr->servers_needed, gr->servers, gg->availability);
    gr->availability = a.up;
    gr->unavailability = a.down;
    for (size_t m = 0; m < gg->n_members; m++) {
      capplan_stage_result *s = &r->stages[rank[gg->members[m]]];
      s->availability = a.up;
      s->unavailability = a.down;
    }
  }

  /* Totals: stand-alone stages plus groups; availability is the product
   * over them (FORMULAS.md section 2, stages in series). */
  avail total = {1, 0};
  for (size_t k = 0; k < n; k++) {
    const capplan_stage_result *s = &r->stages[k];
    if (s->group)
      continue;
    r->servers += s->servers;
    r->gpus += s->gpus;
    r->cost_per_year += s->cost_per_year;
    avail a = {s->availability, s->unavailability};
    total = avail_series(total, a);
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
  /* A month is 730 of the year's 8,760 hours (SPEC.md money units). */
  r->cost_per_month =
      r->cost_per_year * CAPPLAN_HOURS_PER_MONTH / CAPPLAN_HOURS_PER_YEAR;
  if (r->average_qps > 0)
    r->cost_per_million =
        r->cost_per_year / (r->average_qps * SECONDS_PER_YEAR) * 1e6;
  if (d->errors == errors &&
      !(isfinite(r->cost_per_year) && isfinite(r->servers) &&
        isfinite(r->gpus) && isfinite(r->cost_per_million)))
    capplan_diags_add(d, CAPPLAN_ERROR, (capplan_loc){0, 0, 0},
                      "check the 'cost' of the hardware and the traffic",
                      "the plan's total cost is too large to represent");

  /* The critical path: the stage that finishes last, then back through
   * the slowest upstream each time.  Ties go to the stage first in order
   * (and first in 'after'), so the path is deterministic. */
  if (n > 0) {
    size_t end = g->order[0];
    for (size_t k = 1; k < n; k++)
      if (latency_to[g->order[k]] > latency_to[end])
        end = g->order[k];
    r->latency = latency_to[end];
    size_t len = 0;
    size_t *path = xmalloc(n * sizeof(size_t));
    for (size_t v = end;;) {
      path[len++] = v;
      const gnode *nd = &g->nodes[v];
      if (!nd->n_parents)
        break;
      size_t best = nd->parents[0];
      for (size_t p = 1; p < nd->n_parents; p++)
        if (latency_to[nd->parents[p]] > latency_to[best])
          best = nd->parents[p];
      v = best;
    }
    r->n_critical = len;
    r->critical_path = arena_array(A, len, sizeof(char *));
    for (size_t k = 0; k < len; k++) {
      size_t v = path[len - 1 - k];
      r->critical_path[k] = r->stages[rank[v]].name;
      r->stages[rank[v]].critical = true;
    }
    free(path);
  }

  /* Checks against the spec's slo and budget blocks. */
  r->passed = true;
  r->checks = arena_array(A, 5, sizeof(capplan_check));
  if (spec->slo.latency.set)
    add_check(r, CAPPLAN_CHECK_LATENCY, "latency", "ms", true,
              spec->slo.latency.v * 1000, r->latency * 1000);
  if (spec->slo.availability.set)
    add_check(r, CAPPLAN_CHECK_AVAILABILITY, "availability", "fraction", false,
              spec->slo.availability.v, r->availability);
  if (spec->budget.cost.set)
    add_check(r, CAPPLAN_CHECK_COST, "cost", "USD/year", true,
              spec->budget.cost.v, r->cost_per_year);
  if (spec->budget.gpus.set)
    add_check(r, CAPPLAN_CHECK_GPUS, "gpus", "gpus", true, spec->budget.gpus.v,
              r->gpus);
  if (spec->budget.servers.set)
    add_check(r, CAPPLAN_CHECK_SERVERS, "servers", "servers", true,
              spec->budget.servers.v, r->servers);

  free(outflow);
  free(latency_to);
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
                            const capplan_limits *limits, capplan_diags *d) {
  /* A spec with errors still goes through the graph checks, so that one
   * run reports every error; it never reaches the estimator. */
  size_t errors = d->errors;
  capplan_spec *spec = spec_load(src, limits, d, true);
  if (!spec)
    return NULL;
  capplan_graph *g = capplan_graph_build(spec, d);
  capplan_report *r = g && d->errors == errors ? capplan_estimate(g, d) : NULL;
  capplan_graph_free(g);
  capplan_spec_free(spec);
  return r;
}

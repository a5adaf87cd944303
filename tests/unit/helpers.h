/*
 * helpers.h - shared by the cmocka unit tests: run the pipeline on a YAML
 * string and find things in the result.
 */
#ifndef CAPPLAN_TEST_HELPERS_H
#define CAPPLAN_TEST_HELPERS_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capplan.h"
#include "report.h"

/* A flat view of a report for assertions: each stage's figures under the
 * names the JSON report gives them, read from the model and the plan. */
typedef struct tstage {
  const char *name, *hardware, *group, *fallback;
  const char *after[16];
  size_t n_after;
  enum tp_kind tp_source;
  double inflow, outflow, qps, qps_per_server, parallelism, batch;
  double servers_raw, servers, gpus, cost_per_year, zone_extra;
  double latency, latency_to, servers_needed;
  double availability, unavailability, effective_availability;
  double request_availability;
  bool critical, standby, async;
  const stage_plan *plan;
} tstage;

typedef struct tgroup {
  const char *name;
  double servers_raw, servers, gpus, cost_per_year, availability;
  size_t n_stages;
  double zone_extra;
} tgroup;

typedef struct treport {
  tstage *stages; /* in topological order, like the JSON report */
  size_t n_stages;
  tgroup *groups;
  size_t n_groups;
  double servers, gpus, cost_per_year, cost_per_month, cost_per_million;
  double latency, average_qps, qps;
  double availability, unavailability, downtime_minutes_per_year;
  double request_availability;
  const char *critical_path[64];
  size_t n_critical;
  const capplan_check *checks;
  size_t n_checks;
  bool passed;
  const capplan_report *report;
} treport;

/* The pipeline's result on TEXT; *D receives the diagnostics and must be
 * released by the caller, as must the returned source. */
typedef struct run_result {
  capplan_source *src;
  capplan_diags d;
  capplan_report *r;
  treport *view;
} run_result;

static inline run_result run_yaml(const char *text) {
  run_result x;
  x.src = capplan_source_new("test.yaml", text, strlen(text));
  capplan_diags_init(&x.d, x.src);
  x.r = capplan_run(x.src, NULL, &x.d);
  x.view = NULL;
  return x;
}

static inline void run_free(run_result *x) {
  if (x->view) {
    free(x->view->stages);
    free(x->view->groups);
    free(x->view);
  }
  capplan_report_free(x->r);
  capplan_diags_release(&x->d);
  capplan_source_free(x->src);
}

static inline treport *view_of(const capplan_report *r) {
  const capplan_model *m = r->model;
  const plan *pl = r->plan;
  treport *v = calloc(1, sizeof *v);
  v->report = r;
  v->n_stages = m->n_stages;
  v->stages = calloc(m->n_stages + 1, sizeof(tstage));
  for (size_t k = 0; k < m->n_stages; k++) {
    size_t i = m->order[k];
    const mstage *ms = &m->stage[i];
    const stage_plan *s = &pl->stage[i];
    tstage *t = &v->stages[k];
    t->plan = s;
    t->name = ms->name;
    t->hardware = m->hw[ms->hw].name;
    t->group = ms->group >= 0 ? m->group[ms->group].name : NULL;
    t->fallback = ms->fallback >= 0 ? m->stage[ms->fallback].name : NULL;
    for (size_t q = 0; q < ms->n_parents && q < 16; q++)
      t->after[t->n_after++] = m->stage[ms->parents[q]].name;
    t->tp_source = ms->tp.kind;
    t->inflow = s->inflow;
    t->outflow = s->outflow;
    t->qps = s->load;
    t->qps_per_server = s->tp.per_server;
    t->parallelism = s->tp.parallelism;
    t->batch = s->tp.batch;
    t->servers_raw = ms->group >= 0 ? s->equivalents : s->pool.raw;
    if (ms->group < 0) {
      t->servers = s->pool.servers;
      t->gpus = s->pool.gpus;
      t->cost_per_year = s->pool.cost_per_year;
      t->zone_extra = s->pool.zone_extra;
    }
    t->latency = s->latency;
    t->latency_to = s->latency_to;
    t->servers_needed = s->pool.needed;
    t->availability = s->pool.all.up;
    t->unavailability = s->pool.all.down;
    t->effective_availability = s->effective.up;
    t->request_availability = s->pool.req.up;
    t->critical = s->critical;
    t->standby = ms->standby;
    t->async = ms->async;
  }
  v->n_groups = m->n_groups;
  v->groups = calloc(m->n_groups + 1, sizeof(tgroup));
  for (size_t g = 0; g < m->n_groups; g++) {
    const pool_plan *pp = &pl->group[g].pool;
    v->groups[g] = (tgroup){
        m->group[g].name,  pp->raw,    pp->servers,           pp->gpus,
        pp->cost_per_year, pp->all.up, m->group[g].n_members, pp->zone_extra};
  }
  v->servers = pl->servers;
  v->gpus = pl->gpus;
  v->cost_per_year = pl->cost_per_year;
  v->cost_per_month = pl->cost_per_month;
  v->cost_per_million = pl->cost_per_million;
  v->latency = pl->latency;
  v->average_qps = pl->average_qps;
  v->qps = pl->qps;
  v->availability = pl->all.up;
  v->unavailability = pl->all.down;
  v->downtime_minutes_per_year = pl->all.down * CAPPLAN_MINUTES_PER_YEAR;
  v->request_availability = pl->req.up;
  for (size_t k = 0; k < pl->n_critical && k < 64; k++)
    v->critical_path[v->n_critical++] = m->stage[pl->critical[k]].name;
  v->checks = pl->checks;
  v->n_checks = pl->n_checks;
  v->passed = pl->passed;
  return v;
}

/* Fails the test, showing every diagnostic, unless the run succeeded. */
static inline const treport *expect_report(run_result *x) {
  if (!x->r) {
    capplan_buf b;
    capplan_buf_init(&b);
    capplan_diags_render(&x->d, false, &b);
    print_error("unexpected diagnostics:\n%s", b.data ? b.data : "");
    capplan_buf_release(&b);
    fail();
  }
  if (!x->view)
    x->view = view_of(x->r);
  return x->view;
}

static inline const tstage *stage(const treport *r, const char *name) {
  for (size_t i = 0; i < r->n_stages; i++)
    if (!strcmp(r->stages[i].name, name))
      return &r->stages[i];
  print_error("no stage '%s' in the report\n", name);
  fail();
  return NULL;
}

/* True if some diagnostic's message contains NEEDLE. */
static inline int has_diag(const capplan_diags *d, const char *needle) {
  for (size_t i = 0; i < d->count; i++)
    if (strstr(d->items[i].message, needle))
      return 1;
  return 0;
}

static inline void expect_diag(const capplan_diags *d, const char *needle) {
  if (has_diag(d, needle))
    return;
  print_error("no diagnostic contains \"%s\"; got:\n", needle);
  for (size_t i = 0; i < d->count; i++)
    print_error("  %d:%d %s\n", d->items[i].loc.line, d->items[i].loc.col,
                d->items[i].message);
  fail();
}

/* |a - b| <= tol * max(1, |b|) */
static inline void expect_near(double a, double b, double tol) {
  double scale = fabs(b) > 1 ? fabs(b) : 1;
  if (fabs(a - b) <= tol * scale)
    return;
  print_error("expected %.17g, got %.17g\n", b, a);
  fail();
}

#endif

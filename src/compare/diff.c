/*
 * diff.c - compares two reports: what a change to a spec does to servers,
 * GPUs, cost, latency and availability, stage by stage and in total.
 *
 * Pure, like the estimator.  Either side may come from a spec or from a
 * JSON report written earlier (read_json.c); JSON reports carry numbers
 * rounded to 12 significant digits, so figures that agree to 1e-9 count as
 * the same.  The gates (--max-increase, --max-increase-pct) make a diff a
 * CI check.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "capplan.h"
#include "report.h"
#include "strmap.h"
#include "util.h"

static bool same(double a, double b) {
  double scale = fmax(fabs(a), fabs(b));
  return fabs(a - b) <= 1e-9 * (scale > 1e-300 ? scale : 1e-300);
}

static bool same_values(const capplan_diff_values *a,
                        const capplan_diff_values *b) {
  return same(a->servers, b->servers) && same(a->gpus, b->gpus) &&
         same(a->cost_per_year, b->cost_per_year) &&
         same(a->latency, b->latency) && same(a->availability, b->availability);
}

capplan_plan_rows *capplan_plan_rows_of(const capplan_report *r) {
  const capplan_model *m = r->model;
  const plan *pl = r->plan;
  capplan_plan_rows *rows = xcalloc(1, sizeof *rows);
  rows->arena = arena_new();
  rows->name = arena_strdup(rows->arena, m->name);
  rows->path = arena_strdup(rows->arena, m->path);
  rows->rows = arena_array(rows->arena, 2 * m->n_stages + m->n_groups + 1,
                           sizeof(capplan_diff_row_in));
  for (size_t k = 0; k < m->n_stages; k++) {
    size_t i = m->order[k];
    const mstage *ms = &m->stage[i];
    const stage_plan *s = &pl->stage[i];
    if (ms->has_cache) {
      capplan_diff_row_in *c = &rows->rows[rows->n_rows++];
      capplan_buf name;
      capplan_buf_init(&name);
      capplan_buf_printf(&name, "%s.cache", ms->name);
      c->name = arena_strdup(rows->arena, name.data);
      capplan_buf_release(&name);
      c->v = (capplan_diff_values){
          s->cache.pool->servers, s->cache.pool->gpus,
          s->cache.pool->cost_per_year,
          r->p->cache[r->model->stage[i].cache_at].latency,
          s->cache.pool->all.up};
    }
    capplan_diff_row_in *row = &rows->rows[rows->n_rows++];
    row->name = arena_strdup(rows->arena, ms->name);
    /* A colocated stage owns no servers: its group's row has them. */
    row->colocated = ms->group >= 0;
    if (!row->colocated) {
      row->v.servers = s->pool.servers;
      row->v.gpus = s->pool.gpus;
      row->v.cost_per_year = s->pool.cost_per_year;
    }
    row->v.latency = s->latency;
    row->v.availability = s->effective.up;
  }
  for (size_t g = 0; g < m->n_groups; g++) {
    const pool_plan *pp = &pl->group[g].pool;
    capplan_diff_row_in *row = &rows->rows[rows->n_rows++];
    row->name = arena_strdup(rows->arena, m->group[g].name);
    row->group = true;
    row->v = (capplan_diff_values){pp->servers, pp->gpus, pp->cost_per_year, 0,
                                   pp->all.up};
  }
  rows->total = (capplan_diff_values){pl->servers, pl->gpus, pl->cost_per_year,
                                      pl->latency, pl->all.up};
  return rows;
}

void capplan_plan_rows_free(capplan_plan_rows *rows) {
  if (!rows)
    return;
  arena_free(rows->arena);
  free(rows);
}

/* One figure's change, computed here so that every renderer shows the
 * same one (SPEC.md section 1, diff). */
static capplan_diff_change change_of(double base, double head) {
  capplan_diff_change c;
  c.delta = head - base;
  c.has_pct = base != 0;
  c.pct = c.has_pct ? c.delta / base * 100 : 0;
  return c;
}

static capplan_diff_changes changes_of(const capplan_diff_values *b,
                                       const capplan_diff_values *h) {
  capplan_diff_changes c;
  c.servers = change_of(b->servers, h->servers);
  c.gpus = change_of(b->gpus, h->gpus);
  c.cost_per_year = change_of(b->cost_per_year, h->cost_per_year);
  c.latency = change_of(b->latency, h->latency);
  c.availability = change_of(b->availability, h->availability);
  return c;
}

static void add_row(capplan_diff *d, const char *name, bool group,
                    bool colocated, const capplan_diff_values *base,
                    const capplan_diff_values *head) {
  capplan_diff_row *row = &d->rows[d->n_rows++];
  row->name = arena_strdup(d->arena, name);
  row->group = group;
  row->colocated = colocated;
  if (base)
    row->base = *base;
  if (head)
    row->head = *head;
  if (!base) {
    row->status = CAPPLAN_DIFF_ADDED;
    d->added++;
  } else if (!head) {
    row->status = CAPPLAN_DIFF_REMOVED;
    d->removed++;
  } else if (same_values(base, head)) {
    row->status = CAPPLAN_DIFF_SAME;
  } else {
    row->status = CAPPLAN_DIFF_CHANGED;
    d->changed++;
  }
  row->change = changes_of(&row->base, &row->head);
}

capplan_diff *capplan_diff_plans(const capplan_plan_rows *base,
                                 const capplan_plan_rows *head,
                                 const capplan_diff_opts *opts) {
  capplan_diff *d = xcalloc(1, sizeof *d);
  d->arena = arena_new();
  d->base.name = arena_strdup(d->arena, base->name);
  d->base.path = arena_strdup(d->arena, base->path);
  d->base.from_report = base->from_report;
  d->head.name = arena_strdup(d->arena, head->name);
  d->head.path = arena_strdup(d->arena, head->path);
  d->head.from_report = head->from_report;
  d->rows = arena_array(d->arena, base->n_rows + head->n_rows + 1,
                        sizeof(capplan_diff_row));

  /* Stages: HEAD's order, then the ones HEAD removed, in BASE's order;
   * then groups the same way.  Stage and group names may coincide, so
   * each kind has its own index. */
  for (int group = 0; group < 2; group++) {
    strmap in_base, in_head;
    strmap_init(&in_base);
    strmap_init(&in_head);
    for (size_t i = 0; i < base->n_rows; i++)
      if (base->rows[i].group == group)
        strmap_put(&in_base, base->rows[i].name, i, NULL);
    for (size_t i = 0; i < head->n_rows; i++) {
      const capplan_diff_row_in *h = &head->rows[i];
      if (h->group != group)
        continue;
      strmap_put(&in_head, h->name, i, NULL);
      size_t b;
      bool found = strmap_get(&in_base, h->name, &b);
      add_row(d, h->name, h->group, h->colocated,
              found ? &base->rows[b].v : NULL, &h->v);
    }
    for (size_t i = 0; i < base->n_rows; i++) {
      const capplan_diff_row_in *b = &base->rows[i];
      if (b->group != group || strmap_get(&in_head, b->name, NULL))
        continue;
      add_row(d, b->name, b->group, b->colocated, &b->v, NULL);
    }
    strmap_release(&in_base);
    strmap_release(&in_head);
  }

  d->base_total = base->total;
  d->head_total = head->total;
  d->total_change = changes_of(&d->base_total, &d->head_total);

  /* Gates on the growth of the yearly cost. */
  d->passed = true;
  /* Totals that agree to 1e-9 did not grow: a JSON side carries 12
   * significant digits, which at $1e16/year is thousands of dollars. */
  double hc = d->head_total.cost_per_year, bc = d->base_total.cost_per_year;
  double grew = same(hc, bc) ? 0 : hc - bc;
  d->cost_change = grew;
  d->cost_change_pct = bc > 0 ? grew / bc * 100 : 0;
  if (opts && opts->max_increase.set) {
    capplan_diff_gate *g = &d->gates[d->n_gates++];
    g->name = "max_increase";
    g->unit = "USD/year";
    g->limit = opts->max_increase.value;
    g->actual = grew;
    g->defined = true;
    g->passed = grew <= g->limit * (1 + 1e-12) + 1e-9;
    d->passed = d->passed && g->passed;
  }
  if (opts && opts->max_increase_pct.set) {
    capplan_diff_gate *g = &d->gates[d->n_gates++];
    g->name = "max_increase_pct";
    g->unit = "percent";
    g->limit = opts->max_increase_pct.value;
    double b = d->base_total.cost_per_year;
    g->defined = b > 0;
    /* Growth from nothing is unbounded: it passes only if nothing grew. */
    g->actual = g->defined ? grew / b * 100 : 0;
    g->passed =
        g->defined ? g->actual <= g->limit * (1 + 1e-12) + 1e-9 : grew <= 0;
    d->passed = d->passed && g->passed;
  }
  return d;
}

void capplan_diff_free(capplan_diff *diff) {
  if (!diff)
    return;
  arena_free(diff->arena);
  free(diff);
}

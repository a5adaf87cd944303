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

static capplan_diff_values stage_values(const capplan_stage_result *s) {
  capplan_diff_values v;
  /* A colocated stage owns no servers: its group's row has them. */
  v.servers = s->group ? 0 : s->servers;
  v.gpus = s->group ? 0 : s->gpus;
  v.cost_per_year = s->group ? 0 : s->cost_per_year;
  v.latency = s->latency;
  v.availability = s->effective_availability;
  return v;
}

static capplan_diff_values group_values(const capplan_group_result *g) {
  capplan_diff_values v;
  v.servers = g->servers;
  v.gpus = g->gpus;
  v.cost_per_year = g->cost_per_year;
  v.latency = 0;
  v.availability = g->availability;
  return v;
}

static capplan_diff_values total_values(const capplan_report *r) {
  capplan_diff_values v;
  v.servers = r->servers;
  v.gpus = r->gpus;
  v.cost_per_year = r->cost_per_year;
  v.latency = r->latency;
  v.availability = r->availability;
  return v;
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
}

capplan_diff *capplan_diff_reports(const capplan_report *base,
                                   const capplan_report *head,
                                   bool base_from_report, bool head_from_report,
                                   const capplan_diff_opts *opts) {
  capplan_diff *d = xcalloc(1, sizeof *d);
  d->arena = arena_new();
  d->base.name = arena_strdup(d->arena, base->spec_name);
  d->base.path = arena_strdup(d->arena, base->spec_path);
  d->base.from_report = base_from_report;
  d->head.name = arena_strdup(d->arena, head->spec_name);
  d->head.path = arena_strdup(d->arena, head->spec_path);
  d->head.from_report = head_from_report;
  size_t cap =
      base->n_stages + head->n_stages + base->n_groups + head->n_groups + 1;
  d->rows = arena_array(d->arena, cap, sizeof(capplan_diff_row));

  /* Stages: HEAD's order, then the ones HEAD removed, in BASE's order. */
  strmap in_base, in_head;
  strmap_init(&in_base);
  strmap_init(&in_head);
  for (size_t i = 0; i < base->n_stages; i++)
    strmap_put(&in_base, base->stages[i].name, i, NULL);
  for (size_t i = 0; i < head->n_stages; i++) {
    const capplan_stage_result *h = &head->stages[i];
    strmap_put(&in_head, h->name, i, NULL);
    capplan_diff_values hv = stage_values(h);
    size_t b;
    if (strmap_get(&in_base, h->name, &b)) {
      capplan_diff_values bv = stage_values(&base->stages[b]);
      add_row(d, h->name, false, h->group != NULL, &bv, &hv);
    } else {
      add_row(d, h->name, false, h->group != NULL, NULL, &hv);
    }
  }
  for (size_t i = 0; i < base->n_stages; i++) {
    const capplan_stage_result *b = &base->stages[i];
    if (strmap_get(&in_head, b->name, NULL))
      continue;
    capplan_diff_values bv = stage_values(b);
    add_row(d, b->name, false, b->group != NULL, &bv, NULL);
  }
  strmap_release(&in_base);
  strmap_release(&in_head);

  /* Groups, the same way (few: a linear search is enough). */
  for (size_t i = 0; i < head->n_groups; i++) {
    const capplan_group_result *h = &head->groups[i];
    capplan_diff_values hv = group_values(h);
    const capplan_group_result *b = NULL;
    for (size_t k = 0; k < base->n_groups && !b; k++)
      if (!strcmp(base->groups[k].name, h->name))
        b = &base->groups[k];
    capplan_diff_values bv = b ? group_values(b) : hv;
    add_row(d, h->name, true, false, b ? &bv : NULL, &hv);
  }
  for (size_t k = 0; k < base->n_groups; k++) {
    const capplan_group_result *b = &base->groups[k];
    bool kept = false;
    for (size_t i = 0; i < head->n_groups && !kept; i++)
      kept = !strcmp(head->groups[i].name, b->name);
    if (kept)
      continue;
    capplan_diff_values bv = group_values(b);
    add_row(d, b->name, true, false, &bv, NULL);
  }

  d->base_total = total_values(base);
  d->head_total = total_values(head);

  /* Gates on the growth of the yearly cost. */
  d->passed = true;
  /* Totals that agree to 1e-9 did not grow: a JSON side carries 12
   * significant digits, which at $1e16/year is thousands of dollars. */
  double hc = d->head_total.cost_per_year, bc = d->base_total.cost_per_year;
  double grew = same(hc, bc) ? 0 : hc - bc;
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

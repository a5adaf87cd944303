/*
 * render_csv.c - the report and the diff as CSV for spreadsheets: a header
 * row, one row per stage (and group), and a total row.
 *
 * RFC 4180: lines end in CRLF; a field with a comma or a quote is quoted,
 * with quotes doubled; control characters in names are shown as escapes
 * (\x0d), so no field holds a line break.  Numbers are plain (no thousands
 * separators), in the unit the column names, rounded to 12 significant
 * digits like the JSON report; a figure that does not apply is empty.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mc.h"
#include "render.h"
#include "render_uncertain.h"
#include "util.h"

/* Appends S as a field: control characters (line breaks too) as visible
 * escapes (text_escape), so the only CR LF in the output end rows; quoted
 * when it holds a comma or a quote. */
static void field(capplan_buf *out, const char *s, bool first) {
  if (!first)
    capplan_buf_putc(out, ',');
  if (!s)
    return;
  capplan_buf safe;
  capplan_buf_init(&safe);
  size_t n = strlen(s);
  const char *t = s;
  if (text_plain_prefix(s, n, 0) < n) {
    text_escape(&safe, s, n, 0);
    t = safe.data;
  }
  if (!strpbrk(t, ",\"")) {
    capplan_buf_puts(out, t);
    capplan_buf_release(&safe);
    return;
  }
  capplan_buf_putc(out, '"');
  for (; *t; t++) {
    if (*t == '"')
      capplan_buf_putc(out, '"');
    capplan_buf_putc(out, *t);
  }
  capplan_buf_putc(out, '"');
  capplan_buf_release(&safe);
}

static void number(capplan_buf *out, double v) {
  char buf[64];
  if (!isfinite(v) || v == 0)
    v = 0;
  snprintf(buf, sizeof buf, "%.12g", v);
  field(out, buf, false);
}

static void end_row(capplan_buf *out) {
  capplan_buf_puts(out, "\r\n");
}

/* One row of the report's table: a stage, a cache tier or a group. */
typedef struct csv_row {
  const char *kind, *name, *hardware, *group, *after;
  bool has_qps, has_servers;
  double qps, qps_per_server;
  const policy *pol;
  double raw;
  const pool_plan *pool;
  bool has_latency;
  double latency, latency_to;
  avail all, req;     /* the pool's own */
  avail eff, eff_req; /* with a stage's fallback; the pool's own without */
  const char *binding, *critical;
  const queue_plan *queue;      /* a stage's; NULL for tiers and groups */
  const capplan_report *report; /* for Monte Carlo's columns */
  const char *prefix;           /* of its figures' paths */
} csv_row;

/* The queue columns: its model and utilization, and the response
 * percentiles (empty without a steady state). */
static void queue_fields(capplan_buf *out, const queue_plan *q) {
  if (!q || q->model == QUEUE_NONE) {
    for (int k = 0; k < 2 + PCT_COUNT; k++)
      field(out, NULL, false);
    return;
  }
  field(out, queue_model_name(q->model), false);
  number(out, q->utilization);
  for (int k = 0; k < PCT_COUNT; k++)
    if (q->stable)
      number(out, q->pct[k] * 1000);
    else
      field(out, NULL, false);
}

/* The Monte Carlo columns of the row whose figures are under PREFIX
 * (render_uncertain.h); none without Monte Carlo. */
static void mc_cells(capplan_buf *out, const capplan_report *r,
                     const char *prefix) {
  size_t n = render_uncertain_csv_columns(r, (size_t)-1, NULL, 0);
  for (size_t i = 0; i + 1 < n; i++) {
    double v;
    if (render_uncertain_csv_value(r, prefix, i, &v))
      number(out, v);
    else
      field(out, NULL, false);
  }
  if (n)
    field(out, NULL, false); /* p_pass: check rows only */
}

static void row_out(capplan_buf *out, const csv_row *r) {
  field(out, r->kind, true);
  field(out, r->name, false);
  field(out, r->hardware, false);
  field(out, r->group, false);
  field(out, r->after, false);
  if (r->has_qps) {
    number(out, r->qps);
    number(out, r->qps_per_server);
  } else {
    field(out, NULL, false);
    field(out, NULL, false);
  }
  number(out, r->pol->utilization);
  number(out, r->pol->headroom);
  number(out, r->pol->redundancy);
  number(out, r->raw);
  if (r->has_servers) {
    number(out, r->pool->servers);
    number(out, r->pool->gpus);
  } else {
    field(out, NULL, false);
    field(out, NULL, false);
  }
  if (r->has_latency) {
    number(out, r->latency * 1000);
    number(out, r->latency_to * 1000);
  } else {
    field(out, NULL, false);
    field(out, NULL, false);
  }
  if (r->has_servers)
    number(out, r->pool->cost_per_year);
  else
    field(out, NULL, false);
  number(out, r->all.up);
  number(out, r->req.up);
  number(out, r->eff.up);
  number(out, r->eff_req.up);
  field(out, r->binding, false);
  field(out, r->critical, false);
  queue_fields(out, r->queue);
  mc_cells(out, r->report, r->prefix);
  end_row(out);
}

void render_csv_report(const void *subject, const capplan_render_opts *opts,
                       capplan_buf *out) {
  (void)opts;
  const capplan_report *r = subject;
  const capplan_model *m = r->model;
  const plan *pl = r->plan;
  static const char *const head[] = {"kind",
                                     "name",
                                     "hardware",
                                     "group",
                                     "after",
                                     "qps",
                                     "qps_per_server",
                                     "utilization",
                                     "headroom",
                                     "redundancy",
                                     "servers_raw",
                                     "servers",
                                     "gpus",
                                     "latency_ms",
                                     "latency_to_ms",
                                     "cost_per_year",
                                     "availability",
                                     "request_availability",
                                     "effective_availability",
                                     "effective_request_availability",
                                     "binding",
                                     "critical",
                                     "queue",
                                     "queue_utilization",
                                     "latency_p50_ms",
                                     "latency_p95_ms",
                                     "latency_p99_ms",
                                     "latency_p999_ms"};
  for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
    field(out, head[i], i == 0);
  char col[64];
  for (size_t i = 0; i < render_uncertain_csv_columns(r, i, col, sizeof col);
       i++)
    field(out, col, false);
  end_row(out);
  for (size_t k = 0; k < m->n_stages; k++) {
    size_t i = m->order[k];
    const mstage *ms = &m->stage[i];
    const stage_plan *s = &pl->stage[i];
    bool grouped = ms->group >= 0;
    capplan_buf after;
    capplan_buf_init(&after);
    for (size_t q = 0; q < ms->n_parents; q++)
      capplan_buf_printf(&after, "%s%s", q ? " " : "",
                         m->stage[ms->parents[q]].name);
    if (ms->has_cache) {
      capplan_buf name;
      capplan_buf_init(&name);
      capplan_buf_printf(&name, "%s.cache", ms->name);
      const cache_in *ci = &r->p->cache[r->model->stage[i].cache_at];
      csv_row c = {"cache",
                   name.data,
                   m->hw[ms->cache_hw].name,
                   NULL,
                   after.data ? after.data : "",
                   true,
                   true,
                   s->cache_load,
                   ci->qps_per_server,
                   &ci->pol,
                   s->cache.pool->raw,
                   s->cache.pool,
                   true,
                   ci->latency,
                   s->latency_to - s->latency + ci->latency,
                   s->cache.pool->all,
                   s->cache.pool->req,
                   s->cache.pool->all,
                   s->cache.pool->req,
                   constraint_name(s->cache.pool->binding),
                   "false",
                   NULL,
                   r,
                   NULL};
      capplan_buf prefix;
      capplan_buf_init(&prefix);
      capplan_buf_printf(&prefix, "stages.%s.cache", ms->name);
      c.prefix = prefix.data;
      row_out(out, &c);
      capplan_buf_release(&prefix);
      capplan_buf_release(&name);
    }
    csv_row c = {"stage",
                 ms->name,
                 render_stage_hw(m, i),
                 render_stage_group(m, i),
                 after.data ? after.data : "",
                 true,
                 !grouped,
                 s->load,
                 s->tp.per_server,
                 &r->p->stage[i].pol,
                 render_stage_raw(m, pl, i),
                 &s->pool,
                 true,
                 s->latency,
                 s->latency_to,
                 s->pool.all,
                 s->pool.req,
                 s->effective,
                 s->effective_req,
                 grouped ? NULL : constraint_name(s->pool.binding),
                 s->critical ? "true" : "false",
                 pl->latency_on ? &s->queue : NULL,
                 r,
                 NULL};
    capplan_buf prefix;
    capplan_buf_init(&prefix);
    capplan_buf_printf(&prefix, "stages.%s", ms->name);
    c.prefix = prefix.data;
    row_out(out, &c);
    capplan_buf_release(&prefix);
    capplan_buf_release(&after);
  }
  for (size_t g = 0; g < m->n_groups; g++) {
    const mgroup *mg = &m->group[g];
    const pool_plan *pp = &pl->group[g].pool;
    csv_row c = {"group",
                 mg->name,
                 m->hw[mg->hw].name,
                 mg->name,
                 NULL,
                 false,
                 true,
                 0,
                 0,
                 &r->p->group[g],
                 pp->raw,
                 pp,
                 false,
                 0,
                 0,
                 pp->all,
                 pp->req,
                 pp->all,
                 pp->req,
                 constraint_name(pp->binding),
                 NULL,
                 NULL,
                 r,
                 NULL};
    capplan_buf prefix;
    capplan_buf_init(&prefix);
    capplan_buf_printf(&prefix, "groups.%s", mg->name);
    c.prefix = prefix.data;
    row_out(out, &c);
    capplan_buf_release(&prefix);
  }
  field(out, "total", true);
  field(out, m->name, false);
  for (int i = 0; i < 9; i++)
    field(out, NULL, false);
  number(out, pl->servers);
  number(out, pl->gpus);
  field(out, NULL, false);
  number(out, pl->latency * 1000);
  number(out, pl->cost_per_year);
  /* The system's figures count the fallbacks already: the same in both
   * pairs of columns. */
  number(out, pl->all.up);
  number(out, pl->req.up);
  number(out, pl->all.up);
  number(out, pl->req.up);
  field(out, NULL, false);
  field(out, NULL, false);
  field(out, NULL, false);
  field(out, NULL, false);
  for (int k = 0; k < PCT_COUNT; k++)
    if (pl->latency_on && pl->pct_known)
      number(out, pl->pct[k] * 1000);
    else
      field(out, NULL, false);
  mc_cells(out, r, "totals");
  end_row(out);
  /* Monte Carlo's checks: the share of trials that pass each, in the
   * last column. */
  size_t cols = sizeof head / sizeof head[0] +
                render_uncertain_csv_columns(r, (size_t)-1, NULL, 0);
  for (size_t c = 0; r->mc && c < r->mc->n_checks; c++) {
    field(out, "check", true);
    field(out, r->mc->checks[c].name, false);
    for (size_t i = 2; i + 1 < cols; i++)
      field(out, NULL, false);
    number(out, r->mc->checks[c].p_pass);
    end_row(out);
  }
}

static const char *const status_names[] = {"unchanged", "changed", "added",
                                           "removed"};

/* BASE, HEAD and their change DELTA (diff.c's), each empty when its side
 * is absent; SCALE converts all three (seconds to ms). */
static void triple(capplan_buf *out, bool has_base, bool has_head, double base,
                   double head, double delta, double scale) {
  base *= scale;
  head *= scale;
  if (has_base)
    number(out, base);
  else
    field(out, NULL, false);
  if (has_head)
    number(out, head);
  else
    field(out, NULL, false);
  if (has_base && has_head)
    number(out, delta * scale);
  else
    field(out, NULL, false);
}

static void diff_line(capplan_buf *out, const char *kind, const char *name,
                      const char *status, bool has_base, bool has_head,
                      bool servers, bool latency, const capplan_diff_values *b,
                      const capplan_diff_values *h,
                      const capplan_diff_changes *c) {
  field(out, kind, true);
  field(out, name, false);
  field(out, status, false);
  const struct {
    double b, h;
    const capplan_diff_change *c;
  } money[3] = {{b->servers, h->servers, &c->servers},
                {b->gpus, h->gpus, &c->gpus},
                {b->cost_per_year, h->cost_per_year, &c->cost_per_year}};
  for (int i = 0; i < 3; i++)
    if (servers)
      triple(out, has_base, has_head, money[i].b, money[i].h, money[i].c->delta,
             1);
    else
      triple(out, false, false, 0, 0, 0, 1);
  if (servers && has_base && has_head && c->cost_per_year.has_pct)
    number(out, c->cost_per_year.pct);
  else
    field(out, NULL, false);
  if (latency)
    triple(out, has_base, has_head, b->latency, h->latency, c->latency.delta,
           1000);
  else
    triple(out, false, false, 0, 0, 0, 1);
  triple(out, has_base, has_head, b->availability, h->availability,
         c->availability.delta, 1);
  end_row(out);
}

void render_csv_diff(const void *subject, const capplan_render_opts *opts,
                     capplan_buf *out) {
  (void)opts;
  const capplan_diff *d = subject;
  static const char *const head[] = {"kind",
                                     "name",
                                     "status",
                                     "base_servers",
                                     "head_servers",
                                     "delta_servers",
                                     "base_gpus",
                                     "head_gpus",
                                     "delta_gpus",
                                     "base_cost_per_year",
                                     "head_cost_per_year",
                                     "delta_cost_per_year",
                                     "delta_cost_pct",
                                     "base_latency_ms",
                                     "head_latency_ms",
                                     "delta_latency_ms",
                                     "base_availability",
                                     "head_availability",
                                     "delta_availability"};
  for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
    field(out, head[i], i == 0);
  end_row(out);
  for (size_t i = 0; i < d->n_rows; i++) {
    const capplan_diff_row *row = &d->rows[i];
    diff_line(out, row->group ? "group" : "stage", row->name,
              status_names[row->status], row->status != CAPPLAN_DIFF_ADDED,
              row->status != CAPPLAN_DIFF_REMOVED, !row->colocated, !row->group,
              &row->base, &row->head, &row->change);
  }
  diff_line(out, "total", "", "", true, true, true, true, &d->base_total,
            &d->head_total, &d->total_change);
}

/*
 * render_table.c - the report, its checks and a diff as terminal tables
 * (the default format).
 *
 * Figures follow the rules of format.h.  Colour (bold headers, green and
 * red check results) only when the caller asks for it.  On a terminal the
 * tables fit its width: the columns that matter least are left out first,
 * and a note names them (texttable.h's column model).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "render.h"
#include "render_uncertain.h"
#include "texttable.h"
#include "util.h"

#define GREEN "\033[32m"
#define RED "\033[31m" /* same length as GREEN: cells stay aligned */
#define BOLD "\033[1m"
#define OFF "\033[0m"

/* Renders T within the width OPTS allow, with a note on the columns it
 * had to leave out. */
static void fit(const ttable *t, const capplan_render_opts *opts,
                const char *indent, capplan_buf *out) {
  capplan_buf dropped;
  capplan_buf_init(&dropped);
  tt_render_fit(t, opts->color, indent, opts->width, &dropped, out);
  if (dropped.len)
    capplan_buf_printf(out,
                       "(left out to fit %zu columns: %s; --wide shows "
                       "them)\n",
                       opts->width, dropped.data);
  capplan_buf_release(&dropped);
}

/* format.h's _n functions as texttable.h's figure functions (tt_fig_fn):
 * the table writes their text straight into its own (no buffer, no
 * copy, no scan), and copies a text it has written before. */
static size_t f_count(double a, double b, char *buf) {
  (void)b;
  return fmt_count_n(a, buf);
}
static size_t f_rate(double a, double b, char *buf) {
  (void)b;
  return fmt_rate_n(a, buf);
}
static size_t f_raw(double a, double b, char *buf) {
  (void)b;
  return fmt_raw_n(a, buf);
}
static size_t f_ms(double a, double b, char *buf) {
  (void)b;
  return fmt_ms_n(a, buf);
}
static size_t f_money(double a, double b, char *buf) {
  (void)b;
  return fmt_money_n(a, buf);
}
static size_t f_percent(double a, double b, char *buf) {
  (void)b;
  return fmt_percent_n(a, buf);
}
static size_t f_small_percent(double a, double b, char *buf) {
  (void)b;
  return fmt_small_percent_n(a, buf);
}
static size_t f_small_ms(double a, double b, char *buf) {
  (void)b;
  return fmt_small_ms_n(a, buf);
}
static size_t f_downtime(double a, double b, char *buf) {
  (void)b;
  return fmt_downtime_n(a, buf);
}
/* A: up, B: down */
static size_t f_availability(double a, double b, char *buf) {
  return fmt_availability_n(a, b, buf);
}
/* A: the nines, B: 1 past the cap */
static size_t f_nines(double a, double b, char *buf) {
  return fmt_nines_n(a, b != 0, buf);
}

#define FIG(t, fn, a) tt_cell_fig((t), (fn), (a), 0)

static void pool_cells(ttable *t, const pool_plan *pp, double latency) {
  FIG(t, f_raw, pp->raw);
  FIG(t, f_count, pp->servers);
  if (pp->gpus > 0)
    FIG(t, f_count, pp->gpus);
  else
    tt_cell(t, "-");
  FIG(t, f_ms, latency);
  FIG(t, f_money, pp->cost_per_year);
}

static void stage_table(const capplan_report *r,
                        const capplan_render_opts *opts, capplan_buf *out) {
  const capplan_model *m = r->model;
  const plan *pl = r->plan;
  char b[9][FMT_SIZE];
  ttable *t = tt_new(11, "llrrrrrrrll");
  tt_reserve(t, m->n_stages + 2); /* header, stages, total; caches grow it */
  static const int prio[] = {0, 5, 6, 3, 2, 9, 7, 7, 9, 4, 4};
  for (size_t c = 0; c < 11; c++)
    tt_priority(t, c, prio[c]);
  tt_row(t, TT_HEADER);
  const char *head[] = {"stage",     "hardware",
                        "QPS",       "QPS/server",
                        "raw",       "servers",
                        "GPUs",      "latency",
                        "cost/year", m->n_groups ? "group" : "",
                        "bound by"};
  for (size_t c = 0; c < 11; c++)
    tt_cell(t, head[c]);
  for (size_t k = 0; k < m->n_stages; k++) {
    size_t i = m->order[k];
    const mstage *ms = &m->stage[i];
    const stage_plan *s = &pl->stage[i];
    const char *group = render_stage_group(m, i);
    if (ms->has_cache) {
      char name[FMT_SIZE * 2];
      snprintf(name, sizeof name, "%s.cache", ms->name);
      tt_row(t, TT_PLAIN);
      tt_cell(t, name);
      tt_cell(t, m->hw[ms->cache_hw].name);
      FIG(t, f_rate, s->cache_load);
      FIG(t, f_rate, r->p->cache[r->model->stage[i].cache_at].qps_per_server);
      pool_cells(t, s->cache.pool,
                 r->p->cache[r->model->stage[i].cache_at].latency);
      tt_cell(t, "");
      tt_cell(t, s->cache.pool->binding != CON_THROUGHPUT
                     ? constraint_name(s->cache.pool->binding)
                     : "");
    }
    tt_row(t, TT_PLAIN);
    tt_cell(t, ms->name);
    tt_cell(t, render_stage_hw(m, i));
    FIG(t, f_rate, s->load);
    FIG(t, f_rate, s->tp.per_server);
    if (group) {
      FIG(t, f_raw, s->equivalents);
      tt_cell(t, "-");
      tt_cell(t, "-");
      FIG(t, f_ms, s->latency);
      tt_cell(t, "-");
    } else {
      pool_cells(t, &s->pool, s->latency);
    }
    tt_cell(t, group ? group : "");
    tt_cell(t, !group && s->pool.binding != CON_THROUGHPUT
                   ? constraint_name(s->pool.binding)
                   : "");
  }
  tt_row(t, TT_BOLD);
  tt_cell(t, "total");
  for (size_t c = 0; c < 4; c++)
    tt_cell(t, "");
  tt_cell(t, fmt_count(pl->servers, b[0], FMT_SIZE));
  tt_cell(t, pl->gpus > 0 ? fmt_count(pl->gpus, b[1], FMT_SIZE) : "-");
  tt_cell(t, fmt_ms(pl->latency, b[2], FMT_SIZE));
  tt_cell(t, fmt_money(pl->cost_per_year, b[3], FMT_SIZE));
  tt_cell(t, "");
  tt_cell(t, "");
  fit(t, opts, "", out);
  tt_free(t);
}

static void group_table(const capplan_report *r,
                        const capplan_render_opts *opts, capplan_buf *out) {
  const capplan_model *m = r->model;
  char b[6][FMT_SIZE];
  ttable *t = tt_new(8, "lllrrrrl");
  static const int prio[] = {0, 5, 3, 2, 9, 7, 9, 4};
  for (size_t c = 0; c < 8; c++)
    tt_priority(t, c, prio[c]);
  tt_row(t, TT_HEADER);
  const char *head[] = {"group",   "hardware", "stages",    "raw",
                        "servers", "GPUs",     "cost/year", "bound by"};
  for (size_t c = 0; c < 8; c++)
    tt_cell(t, head[c]);
  for (size_t g = 0; g < m->n_groups; g++) {
    const mgroup *mg = &m->group[g];
    const pool_plan *pp = &r->plan->group[g].pool;
    capplan_buf members;
    capplan_buf_init(&members);
    for (size_t k = 0; k < mg->n_members; k++)
      capplan_buf_printf(&members, "%s%s", k ? ", " : "",
                         m->stage[mg->members[k]].name);
    tt_row(t, TT_PLAIN);
    tt_cell(t, mg->name);
    tt_cell(t, m->hw[mg->hw].name);
    tt_cell(t, members.data);
    tt_cell(t, fmt_raw(pp->raw, b[0], FMT_SIZE));
    tt_cell(t, fmt_count(pp->servers, b[1], FMT_SIZE));
    tt_cell(t, pp->gpus > 0 ? fmt_count(pp->gpus, b[2], FMT_SIZE) : "-");
    tt_cell(t, fmt_money(pp->cost_per_year, b[3], FMT_SIZE));
    tt_cell(t,
            pp->binding != CON_THROUGHPUT ? constraint_name(pp->binding) : "");
    capplan_buf_release(&members);
  }
  fit(t, opts, "", out);
  tt_free(t);
}

/* One row of the availability table: how many servers must be up of how
 * many, one server's availability, every needed server up (and its nines
 * and downtime a year), the share of requests served, and notes. */
static void avail_row(ttable *t, const char *name, const pool_plan *pp,
                      double server, avail all, const avail_figs *f, avail req,
                      const char *note) {
  tt_row(t, TT_PLAIN);
  tt_cell(t, name);
  /* "N of M", both counts written in place (TT_ROOM holds two) */
  char *upof = tt_room(t);
  size_t n = tt_fig_at(t, f_count, pp->needed, 0, upof);
  memcpy(upof + n, " of ", 4);
  n += 4;
  n += tt_fig_at(t, f_count, pp->servers, 0, upof + n);
  tt_cell_n(t, n);
  FIG(t, f_percent, server);
  tt_cell_fig(t, f_availability, all.up, all.down);
  tt_cell_fig(t, f_nines, f->nines, f->above_cap);
  FIG(t, f_downtime, f->down_year_min);
  tt_cell_fig(t, f_availability, req.up, req.down);
  tt_cell(t, note);
}

/* Availability of every stand-alone stage, cache tier and group, and of
 * the system (FORMULAS.md sections 2 and 2b). */
static void availability_table(const capplan_report *r,
                               const capplan_render_opts *opts,
                               capplan_buf *out) {
  const capplan_model *m = r->model;
  const plan *pl = r->plan;
  char b[6][FMT_SIZE];
  ttable *t = tt_new(8, "lrrrrrrl");
  tt_reserve(t, m->n_stages + m->n_groups + 2);
  static const int prio[] = {0, 5, 4, 9, 6, 7, 9, 3};
  for (size_t c = 0; c < 8; c++)
    tt_priority(t, c, prio[c]);
  tt_row(t, TT_HEADER);
  const char *head[] = {"availability", "up of",     "server",   "all up",
                        "nines",        "down/year", "requests", "notes"};
  for (size_t c = 0; c < 8; c++)
    tt_cell(t, head[c]);
  for (size_t k = 0; k < m->n_stages; k++) {
    size_t i = m->order[k];
    const mstage *ms = &m->stage[i];
    const stage_plan *s = &pl->stage[i];
    const policy *pol = &r->p->stage[i].pol;
    if (ms->has_cache) {
      char name[FMT_SIZE * 2];
      snprintf(name, sizeof name, "%s.cache", ms->name);
      avail_row(t, name, s->cache.pool,
                r->p->cache[r->model->stage[i].cache_at].pol.availability,
                s->cache.pool->all, &s->cache.pool->all_f, s->cache.pool->req,
                "");
    }
    if (ms->group >= 0)
      continue;
    capplan_buf note;
    capplan_buf_init(&note);
    if (pol->zones > 1)
      capplan_buf_printf(&note, "%g zones", pol->zones);
    if (s->pool.zone_extra > 0)
      capplan_buf_printf(&note, ", +%s to survive losing one",
                         fmt_count(s->pool.zone_extra, b[0], FMT_SIZE));
    if (ms->fallback >= 0)
      capplan_buf_printf(
          &note, "%sfalls back to %s; %s without it", note.len ? "; " : "",
          m->stage[ms->fallback].name,
          fmt_availability(s->pool.all.up, s->pool.all.down, b[0], FMT_SIZE));
    if (ms->standby)
      capplan_buf_printf(&note, "%sfallback, not on the request path",
                         note.len ? "; " : "");
    if (ms->async)
      capplan_buf_printf(&note, "%sasync: gates no request",
                         note.len ? "; " : "");
    if (pol->zones > 1 && s->pool.servers < pol->zones)
      capplan_buf_printf(&note, "%sfewer servers than zones",
                         note.len ? "; " : "");
    if (pol->stage_availability < 1)
      capplan_buf_printf(&note, "%sx %s stage", note.len ? "; " : "",
                         fmt_percent(pol->stage_availability, b[0], FMT_SIZE));
    avail_row(t, ms->name, &s->pool, pol->availability, s->effective,
              &s->effective_f, s->effective_req, note.data ? note.data : "");
    capplan_buf_release(&note);
  }
  for (size_t g = 0; g < m->n_groups; g++) {
    const policy *gp = &r->p->group[g];
    const pool_plan *pp = &pl->group[g].pool;
    char name[FMT_SIZE * 2], note[FMT_SIZE * 2] = "";
    snprintf(name, sizeof name, "group %s", m->group[g].name);
    if (gp->zones > 1)
      snprintf(note, sizeof note, "%g zones%s%s%s", gp->zones,
               pp->zone_extra > 0 ? ", +" : "",
               pp->zone_extra > 0 ? fmt_count(pp->zone_extra, b[0], FMT_SIZE)
                                  : "",
               pp->zone_extra > 0 ? " to survive losing one" : "");
    avail_row(t, name, pp, gp->availability, pp->all, &pp->all_f, pp->req,
              note);
  }
  tt_row(t, TT_BOLD);
  tt_cell(t, "system");
  tt_cell(t, "");
  tt_cell(t, "");
  tt_cell(t, fmt_availability(pl->all.up, pl->all.down, b[0], FMT_SIZE));
  tt_cell(t, fmt_nines(pl->all_f.nines, pl->all_f.above_cap, b[1], FMT_SIZE));
  tt_cell(t, fmt_downtime(pl->all_f.down_year_min, b[2], FMT_SIZE));
  tt_cell(t, fmt_availability(pl->req.up, pl->req.down, b[3], FMT_SIZE));
  tt_cell(t, "stages in series");
  fit(t, opts, "", out);
  tt_free(t);
  capplan_buf_puts(out, "all up: every stage can carry its full load; "
                        "requests: the share of requests served\n");
  if (!m->zones_modelled)
    capplan_buf_puts(out, "zone outages are left out: no stage sets "
                          "'zones'\n");
  if (pl->above_cap)
    capplan_buf_printf(out,
                       "past %d nines, correlated failures no spec models "
                       "(regions, deploys) dominate: figures show as >%d\n",
                       CAPPLAN_NINES_CAP, CAPPLAN_NINES_CAP);
}

/* The queue of every stage with load and the end-to-end percentiles
 * (SPEC.md section 7). */
static void queue_table(const capplan_report *r,
                        const capplan_render_opts *opts, capplan_buf *out) {
  const capplan_model *m = r->model;
  const plan *pl = r->plan;
  char b[9][FMT_SIZE];
  ttable *t = tt_new(10, "llrrrrrrrr");
  tt_reserve(t, m->n_stages + 2);
  static const int prio[] = {0, 6, 7, 3, 5, 5, 2, 4, 1, 4};
  for (size_t c = 0; c < 10; c++)
    tt_priority(t, c, prio[c]);
  tt_row(t, TT_HEADER);
  const char *head[] = {"latency", "queue", "slots", "busy", "P(wait)",
                        "wait",    "p50",   "p95",   "p99",  "p999"};
  for (size_t c = 0; c < 10; c++)
    tt_cell(t, head[c]);
  for (size_t k = 0; k < m->n_stages; k++) {
    size_t i = m->order[k];
    const queue_plan *q = &pl->stage[i].queue;
    if (q->model == QUEUE_NONE)
      continue;
    tt_row(t, TT_PLAIN);
    tt_cell(t, m->stage[i].name);
    tt_cell(t, queue_model_name(q->model));
    char *slots = tt_room(t);
    size_t n = tt_fig_at(t, f_count, q->slots, 0, slots);
    if (q->random) {
      memcpy(slots + n, "/server", 7);
      n += 7;
    }
    tt_cell_n(t, n);
    FIG(t, f_percent, q->utilization);
    if (!q->stable) {
      tt_cell(t, "overloaded");
      for (int c = 0; c < 5; c++)
        tt_cell(t, "-");
      continue;
    }
    FIG(t, f_small_percent, q->p_wait);
    FIG(t, f_small_ms, q->wait_mean);
    for (int c = 0; c < PCT_COUNT; c++)
      FIG(t, f_ms, q->pct[c]);
  }
  tt_row(t, TT_BOLD);
  tt_cell(t, "end to end");
  for (int c = 0; c < 5; c++)
    tt_cell(t, "");
  for (int c = 0; c < PCT_COUNT; c++)
    tt_cell(t, pl->pct_known ? fmt_ms(pl->pct[c], b[4 + c], FMT_SIZE) : "-");
  fit(t, opts, "", out);
  tt_free(t);
  if (!pl->pct_known && pl->unstable >= 0)
    capplan_buf_printf(out,
                       "no end-to-end percentiles: '%s' runs at or above "
                       "100%% of its slots, where a queue grows without "
                       "bound\n",
                       m->stage[pl->unstable].name);
}

/* One row per check: pass or FAIL, the check, the plan's figure, the
 * comparison and the limit; with DETAIL also the margin and where the
 * limit came from ('capplan check'). */
static void check_rows(ttable *t, const plan *pl, bool color, bool detail) {
  char a[FMT_SIZE], l[FMT_SIZE], mg[2 * FMT_SIZE];
  for (size_t i = 0; i < pl->n_checks; i++) {
    const capplan_check *c = &pl->checks[i];
    tt_row(t, TT_PLAIN);
    if (color)
      tt_cell_raw(t, c->passed ? GREEN "pass" OFF : RED "FAIL" OFF);
    else
      tt_cell(t, c->passed ? "pass" : "FAIL");
    if (c->stage) {
      char nm[2 * FMT_SIZE];
      snprintf(nm, sizeof nm, "%s %s", c->stage, c->name);
      tt_cell(t, nm);
    } else {
      tt_cell(t, c->name);
    }
    tt_cell(t, fmt_check_actual(c, a, FMT_SIZE));
    tt_cell(t, c->upper ? "<=" : ">=");
    tt_cell(t, fmt_check_value(c, c->limit, true, l, FMT_SIZE));
    if (detail) {
      tt_cell(t, fmt_check_margin(c, mg, sizeof mg));
      tt_cell(t, strcmp(c->source, "flag") ? "spec" : check_flag(c));
    }
  }
}

static void check_table(const capplan_report *r, bool color, capplan_buf *out) {
  ttable *t = tt_new(5, "llrlr");
  check_rows(t, r->plan, color, false);
  capplan_buf_puts(out, color ? BOLD "checks" OFF "\n" : "checks\n");
  tt_render(t, false, "  ", out);
  tt_free(t);
}

void render_table_report(const void *subject, const capplan_render_opts *opts,
                         capplan_buf *out) {
  const capplan_report *r = subject;
  const capplan_model *m = r->model;
  const plan *pl = r->plan;
  const traffic_in *tr = &r->p->traffic;
  bool color = opts->color;
  char b[4][FMT_SIZE];
  if (color)
    capplan_buf_puts(out, BOLD);
  text_puts(out, m->name);
  if (color)
    capplan_buf_puts(out, OFF);
  if (m->description) {
    capplan_buf_puts(out, ": ");
    text_puts(out, m->description);
  }
  capplan_buf_printf(out, "\ntraffic: %s QPS at peak",
                     fmt_rate(pl->qps, b[0], FMT_SIZE));
  if (pl->average_qps > 0)
    capplan_buf_printf(out, ", %s on average",
                       fmt_rate(pl->average_qps, b[1], FMT_SIZE));
  if (m->traffic_from_dau)
    capplan_buf_printf(out, " (%s DAU x %s/day / 86,400 x %s)",
                       fmt_number_sig(tr->dau, 2, b[2], FMT_SIZE),
                       fmt_rate(tr->requests_per_user, b[3], FMT_SIZE),
                       fmt_number(tr->peak_to_average, 2, b[0], FMT_SIZE));
  capplan_buf_puts(out, "\n");
  render_uncertain_note(r, out);
  capplan_buf_puts(out, "\n");

  stage_table(r, opts, out);
  if (m->n_groups) {
    capplan_buf_putc(out, '\n');
    group_table(r, opts, out);
  }

  capplan_buf note;
  capplan_buf_init(&note);
  render_model_notes(r, "", &note);
  if (note.len) {
    capplan_buf_putc(out, '\n');
    capplan_buf_put(out, note.data, note.len);
  }
  capplan_buf_release(&note);

  capplan_buf_puts(out, "\ncritical path: ");
  const char **names = xmalloc((pl->n_critical + 1) * sizeof(char *));
  for (size_t k = 0; k < pl->n_critical; k++)
    names[k] = m->stage[pl->critical[k]].name;
  fmt_path(out, names, pl->n_critical, " -> ", text_puts);
  free(names);
  capplan_buf_printf(out, " (%s)\n", fmt_ms(pl->latency, b[0], FMT_SIZE));
  capplan_buf_printf(out, "cost: %s/year, %s/month",
                     fmt_money(pl->cost_per_year, b[0], FMT_SIZE),
                     fmt_money(pl->cost_per_month, b[1], FMT_SIZE));
  if (pl->cost_per_million >= 0)
    capplan_buf_printf(out, ", %s per million requests",
                       fmt_money(pl->cost_per_million, b[2], FMT_SIZE));
  capplan_buf_puts(out, " (8,760 h/year, 730 h/month)\n\n");
  if (pl->latency_on) {
    queue_table(r, opts, out);
    capplan_buf_putc(out, '\n');
  }
  availability_table(r, opts, out);

  if (pl->n_checks) {
    capplan_buf_putc(out, '\n');
    check_table(r, color, out);
  }
  /* Ranges: Monte Carlo and sensitivity (render_uncertain.h); with them,
   * the checks pass or fail on Monte Carlo. */
  render_uncertain_table(r, opts, out);
  if (pl->n_checks) {
    size_t failed = r->mc ? r->mc->checks_failed : pl->failed;
    char sum[FMT_SIZE];
    capplan_buf_printf(
        out, "%s%s%s%s\n", r->mc ? "\n" : "",
        color ? (failed ? RED : GREEN) : "",
        fmt_checks_summary(failed, pl->n_checks, sum, sizeof sum),
        color ? OFF : "");
  }
}

/* ------------------------------------------------------------ check */

/* 'capplan check': each check with its limit, the actual figure, the
 * margin and where the limit came from. */
void render_table_check(const void *subject, const capplan_render_opts *opts,
                        capplan_buf *out) {
  const capplan_report *r = subject;
  const plan *pl = r->plan;
  bool color = opts->color;
  if (color)
    capplan_buf_puts(out, BOLD);
  text_puts(out, r->model->name);
  if (color)
    capplan_buf_puts(out, OFF);
  capplan_buf_puts(out, " (");
  text_puts(out, r->model->path);
  capplan_buf_puts(out, "): ");
  char sum[FMT_SIZE];
  size_t failed = r->mc ? r->mc->checks_failed : pl->failed;
  capplan_buf_printf(out, "%s%s%s\n\n", color ? (failed ? RED : GREEN) : "",
                     fmt_checks_summary(failed, pl->n_checks, sum, sizeof sum),
                     color ? OFF : "");
  ttable *t = tt_new(7, "llrlrrl");
  tt_row(t, TT_HEADER);
  const char *head[] = {"",      "check",  "actual",    "",
                        "limit", "margin", "limit from"};
  for (size_t c = 0; c < 7; c++)
    tt_cell(t, head[c]);
  check_rows(t, pl, color, true);
  tt_render(t, color, "", out);
  tt_free(t);
  render_uncertain_checks(r, opts, out);
}

/* ------------------------------------------------------------- diff */

/* "30" when both sides agree, "200 -> 250 (+50)" when not; one side
 * only for added and removed rows.  KIND as fmt_diff_change. */
static void diff_cell(enum capplan_diff_status status, double base, double head,
                      const capplan_diff_change *c, char kind, char *buf,
                      size_t size) {
  if (status == CAPPLAN_DIFF_ADDED)
    fmt_diff_value(kind, head, buf, size);
  else if (status == CAPPLAN_DIFF_REMOVED)
    fmt_diff_value(kind, base, buf, size);
  else
    fmt_diff_change(kind, base, head, c->delta, c->pct, c->has_pct, "->", buf,
                    size);
}

static const char *status_name(const capplan_diff_row *row) {
  static const char *const names[] = {"same", "changed", "added", "removed"};
  return names[row->status];
}

void render_table_diff(const void *subject, const capplan_render_opts *opts,
                       capplan_buf *out) {
  const capplan_diff *d = subject;
  bool color = opts->color;
  text_puts(out, d->base.path);
  capplan_buf_printf(out, " (%s) -> ", d->base.from_report ? "report" : "spec");
  text_puts(out, d->head.path);
  capplan_buf_printf(out, " (%s)\n", d->head.from_report ? "report" : "spec");
  capplan_buf_printf(out, "%zu changed, %zu added, %zu removed\n\n", d->changed,
                     d->added, d->removed);
  char cell[5][5 * FMT_SIZE];
  ttable *t = tt_new(7, "llrrrrr");
  tt_row(t, TT_HEADER);
  const char *head[] = {"stage",     "change",  "servers",     "GPUs",
                        "cost/year", "latency", "availability"};
  for (size_t c = 0; c < 7; c++)
    tt_cell(t, head[c]);
  for (size_t i = 0; i < d->n_rows; i++) {
    const capplan_diff_row *row = &d->rows[i];
    char name[FMT_SIZE * 2];
    snprintf(name, sizeof name, "%s%s", row->group ? "group " : "", row->name);
    tt_row(t, row->status == CAPPLAN_DIFF_SAME ? TT_DIM : TT_PLAIN);
    tt_cell(t, name);
    tt_cell(t, status_name(row));
    if (row->colocated) {
      tt_cell(t, "grouped");
      tt_cell(t, "-");
      tt_cell(t, "-");
    } else {
      diff_cell(row->status, row->base.servers, row->head.servers,
                &row->change.servers, 'c', cell[0], sizeof cell[0]);
      diff_cell(row->status, row->base.gpus, row->head.gpus, &row->change.gpus,
                'c', cell[1], sizeof cell[1]);
      diff_cell(row->status, row->base.cost_per_year, row->head.cost_per_year,
                &row->change.cost_per_year, 'm', cell[2], sizeof cell[2]);
      tt_cell(t, cell[0]);
      tt_cell(t, cell[1]);
      tt_cell(t, cell[2]);
    }
    if (row->group) {
      tt_cell(t, "-");
    } else {
      diff_cell(row->status, row->base.latency, row->head.latency,
                &row->change.latency, 't', cell[3], sizeof cell[3]);
      tt_cell(t, cell[3]);
    }
    diff_cell(row->status, row->base.availability, row->head.availability,
              &row->change.availability, 'a', cell[4], sizeof cell[4]);
    tt_cell(t, cell[4]);
  }
  const capplan_diff_values *tb = &d->base_total, *th = &d->head_total;
  const capplan_diff_changes *tc = &d->total_change;
  tt_row(t, TT_BOLD);
  tt_cell(t, "total");
  tt_cell(t, "");
  diff_cell(CAPPLAN_DIFF_CHANGED, tb->servers, th->servers, &tc->servers, 'c',
            cell[0], sizeof cell[0]);
  diff_cell(CAPPLAN_DIFF_CHANGED, tb->gpus, th->gpus, &tc->gpus, 'c', cell[1],
            sizeof cell[1]);
  diff_cell(CAPPLAN_DIFF_CHANGED, tb->cost_per_year, th->cost_per_year,
            &tc->cost_per_year, 'm', cell[2], sizeof cell[2]);
  diff_cell(CAPPLAN_DIFF_CHANGED, tb->latency, th->latency, &tc->latency, 't',
            cell[3], sizeof cell[3]);
  diff_cell(CAPPLAN_DIFF_CHANGED, tb->availability, th->availability,
            &tc->availability, 'a', cell[4], sizeof cell[4]);
  for (size_t c = 0; c < 5; c++)
    tt_cell(t, cell[c]);
  tt_render(t, color, "", out);
  tt_free(t);

  if (!d->n_gates)
    return;
  capplan_buf_puts(out, color ? "\n" BOLD "gates" OFF "\n" : "\ngates\n");
  ttable *g = tt_new(5, "llrlr");
  char a[2 * FMT_SIZE], l[2 * FMT_SIZE];
  for (size_t i = 0; i < d->n_gates; i++) {
    const capplan_diff_gate *gate = &d->gates[i];
    bool money = !strcmp(gate->unit, "USD/year");
    tt_row(g, TT_PLAIN);
    if (color)
      tt_cell_raw(g, gate->passed ? GREEN "pass" OFF : RED "FAIL" OFF);
    else
      tt_cell(g, gate->passed ? "pass" : "FAIL");
    tt_cell(g, money ? "cost increase" : "cost increase in percent");
    char x[FMT_SIZE];
    if (money) {
      snprintf(a, sizeof a, "%s/year",
               fmt_delta_money(gate->actual, x, sizeof x));
      snprintf(l, sizeof l, "%s/year", fmt_money(gate->limit, x, sizeof x));
    } else if (gate->defined) {
      fmt_number(gate->actual, 2, x, sizeof x);
      snprintf(a, sizeof a, "%s%s%%", gate->actual > 0 ? "+" : "", x);
      snprintf(l, sizeof l, "%s%%", fmt_number(gate->limit, 2, x, sizeof x));
    } else {
      snprintf(a, sizeof a, "n/a (base cost is $0)");
      snprintf(l, sizeof l, "%s%%", fmt_number(gate->limit, 2, x, sizeof x));
    }
    tt_cell(g, a);
    tt_cell(g, "<=");
    tt_cell(g, l);
  }
  tt_render(g, false, "  ", out);
  tt_free(g);
}

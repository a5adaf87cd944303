/*
 * render_markdown.c - GitHub-flavoured markdown for pull-request comments
 * and $GITHUB_STEP_SUMMARY (docs/ci.md).
 *
 * Each view starts with one summary line (pass or fail first), then
 * tables; failed checks are in bold, unchanged stages of a diff fold away
 * in a <details> block.  GitHub refuses comments much past 65,536
 * characters, so output is capped at 60,000: rows are dropped from the end
 * of the long tables until it fits, and a note says how many and where to
 * find them all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "render.h"
#include "render_uncertain.h"
#include "util.h"

#define MD_CAP 60000

/* Appends S with the characters markdown would read as markup escaped,
 * and control characters (line breaks too) as visible escapes (\x0a,
 * text_escape), so free text stays inside its table cell and cannot act
 * on a terminal that shows the raw text. */
static void esc(capplan_buf *out, const char *s) {
  size_t n = s ? strlen(s) : 0, i = 0;
  while (i < n) {
    size_t plain = text_plain_prefix(s + i, n - i, 0);
    for (size_t k = 0; k < plain; k++) {
      if (strchr("\\`*_[]<>|#~", s[i + k]))
        capplan_buf_putc(out, '\\');
      capplan_buf_putc(out, s[i + k]);
    }
    i += plain;
    if (i < n)
      i += text_escape_one(out, s + i, n - i);
  }
}

static const char *mark(bool passed) {
  return passed ? "\xe2\x9c\x85" : "\xe2\x9d\x8c"; /* check mark, cross */
}

/* ---------------------------------------------------------- report */

static void check_rows(const plan *pl, capplan_buf *out) {
  if (!pl->n_checks)
    return;
  capplan_buf_puts(out, "\n| | check | actual | limit | margin |\n"
                        "|:-:|:--|--:|--:|--:|\n");
  for (size_t i = 0; i < pl->n_checks; i++) {
    const capplan_check *c = &pl->checks[i];
    char a[FMT_SIZE], l[FMT_SIZE], m[2 * FMT_SIZE];
    const char *b = c->passed ? "" : "**";
    fmt_check_actual(c, a, sizeof a);
    fmt_check_value(c, c->limit, true, l, sizeof l);
    fmt_check_margin(c, m, sizeof m);
    char nm[2 * FMT_SIZE];
    snprintf(nm, sizeof nm, "%s%s%s", c->stage ? c->stage : "",
             c->stage ? " " : "", c->name);
    capplan_buf_printf(out, "| %s | %s", mark(c->passed), b);
    esc(out, nm);
    capplan_buf_printf(out, "%s | %s%s%s | %s %s%s | %s%s%s |\n", b, b, a, b,
                       c->upper ? "\xe2\x89\xa4" : "\xe2\x89\xa5", l,
                       strcmp(c->source, "flag") ? "" : " (flag)", b, m, b);
  }
}

static void heading(const capplan_report *r, capplan_buf *out) {
  const plan *pl = r->plan;
  /* With ranges, the checks pass or fail on Monte Carlo. */
  size_t failed = r->mc ? r->mc->checks_failed : pl->failed;
  capplan_buf_puts(out, "### ");
  if (pl->n_checks)
    capplan_buf_printf(out, "%s ", mark(!failed));
  esc(out, r->model->name);
  char b[FMT_SIZE];
  if (!pl->n_checks)
    capplan_buf_printf(out, ": %s/year\n",
                       fmt_money(pl->cost_per_year, b, sizeof b));
  else
    capplan_buf_printf(out, ": %s\n",
                       fmt_checks_summary(failed, pl->n_checks, b, sizeof b));
}

/* One row of the stage table for pool PP (or a colocated stage). */
static void pool_row(capplan_buf *out, const char *name, const char *hw,
                     double qps, double per_server, const pool_plan *pp,
                     const char *group, double latency, const char *p99,
                     avail all, avail req) {
  char b[8][FMT_SIZE];
  capplan_buf_puts(out, "| ");
  esc(out, name);
  capplan_buf_puts(out, " | ");
  esc(out, hw);
  capplan_buf_printf(out, " | %s | %s | ", fmt_rate(qps, b[0], FMT_SIZE),
                     fmt_rate(per_server, b[1], FMT_SIZE));
  if (group) {
    capplan_buf_puts(out, "group ");
    esc(out, group);
    capplan_buf_puts(out, " | | ");
  } else {
    capplan_buf_printf(
        out, "%s%s%s | %s | ", fmt_count(pp->servers, b[2], FMT_SIZE),
        pp->binding != CON_THROUGHPUT ? " by " : "",
        pp->binding != CON_THROUGHPUT ? constraint_name(pp->binding) : "",
        pp->gpus > 0 ? fmt_count(pp->gpus, b[3], FMT_SIZE) : "\xe2\x80\x93");
  }
  capplan_buf_printf(out, "%s | %s | %s | %s | %s |\n",
                     fmt_ms(latency, b[4], FMT_SIZE), p99,
                     group ? "" : fmt_money(pp->cost_per_year, b[5], FMT_SIZE),
                     fmt_availability(all.up, all.down, b[6], FMT_SIZE),
                     fmt_availability(req.up, req.down, b[7], FMT_SIZE));
}

/* The report with at most MAX_ROWS stage rows. */
static void report_md(const capplan_report *r, size_t max_rows,
                      capplan_buf *out) {
  const capplan_model *m = r->model;
  const plan *pl = r->plan;
  char b[8][FMT_SIZE];
  heading(r, out);
  if (m->description) {
    capplan_buf_putc(out, '\n');
    esc(out, m->description);
    capplan_buf_putc(out, '\n');
  }
  capplan_buf_printf(
      out,
      "\n**%s/year** (%s/month) \xc2\xb7 **%s servers**, %s GPUs \xc2\xb7 "
      "**%s** critical path \xc2\xb7 **%s** available (down %s/year) "
      "\xc2\xb7 **%s** of requests served\n",
      fmt_money(pl->cost_per_year, b[0], FMT_SIZE),
      fmt_money(pl->cost_per_month, b[1], FMT_SIZE),
      fmt_count(pl->servers, b[2], FMT_SIZE),
      fmt_count(pl->gpus, b[3], FMT_SIZE), fmt_ms(pl->latency, b[4], FMT_SIZE),
      fmt_availability(pl->all.up, pl->all.down, b[5], FMT_SIZE),
      fmt_downtime(pl->all_f.down_year_min, b[6], FMT_SIZE),
      fmt_availability(pl->req.up, pl->req.down, b[7], FMT_SIZE));

  capplan_buf_puts(out, "\n| stage | hardware | QPS | QPS/server | servers "
                        "| GPUs | latency | p99 | cost/year | all up | "
                        "requests |\n"
                        "|:--|:--|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
  size_t shown = m->n_stages < max_rows ? m->n_stages : max_rows;
  for (size_t k = 0; k < shown; k++) {
    size_t i = m->order[k];
    const mstage *ms = &m->stage[i];
    const stage_plan *s = &pl->stage[i];
    if (ms->has_cache) {
      char name[FMT_SIZE * 2];
      snprintf(name, sizeof name, "%s.cache", ms->name);
      pool_row(out, name, m->hw[ms->cache_hw].name, s->cache_load,
               r->p->cache[r->model->stage[i].cache_at].qps_per_server,
               s->cache.pool, NULL,
               r->p->cache[r->model->stage[i].cache_at].latency, "",
               s->cache.pool->all, s->cache.pool->req);
    }
    const queue_plan *q = &s->queue;
    char p99[FMT_SIZE] = "\xe2\x80\x93";
    if (pl->latency_on && q->model != QUEUE_NONE)
      snprintf(p99, sizeof p99, "%s",
               q->stable ? fmt_ms(q->pct[PCT_P99], b[0], FMT_SIZE)
                         : "overloaded");
    pool_row(out, ms->name, render_stage_hw(m, i), s->load, s->tp.per_server,
             &s->pool, render_stage_group(m, i), s->latency, p99, s->effective,
             s->effective_req);
  }
  if (shown < m->n_stages)
    capplan_buf_printf(out,
                       "| \xe2\x80\xa6 %zu more stages | | | | | | | | | | "
                       "|\n",
                       m->n_stages - shown);
  capplan_buf_printf(
      out,
      "| **total** | | | | **%s** | **%s** | **%s** | **%s** | **%s** | "
      "**%s** | **%s** |\n",
      fmt_count(pl->servers, b[0], FMT_SIZE),
      fmt_count(pl->gpus, b[1], FMT_SIZE), fmt_ms(pl->latency, b[2], FMT_SIZE),
      pl->latency_on && pl->pct_known ? fmt_ms(pl->pct[PCT_P99], b[6], FMT_SIZE)
                                      : "\xe2\x80\x93",
      fmt_money(pl->cost_per_year, b[3], FMT_SIZE),
      fmt_availability(pl->all.up, pl->all.down, b[4], FMT_SIZE),
      fmt_availability(pl->req.up, pl->req.down, b[5], FMT_SIZE));
  /* A stage's row counts its fallback; its own pool's figure is said
   * here, so 'all up' is not read as the stage's alone. */
  size_t fallbacks = 0;
  for (size_t k = 0; k < shown; k++) {
    size_t i = m->order[k];
    const mstage *ms = &m->stage[i];
    const pool_plan *own = &pl->stage[i].pool;
    if (ms->fallback < 0)
      continue;
    capplan_buf_puts(out, fallbacks++ ? "; " : "\nWith fallbacks counted: ");
    esc(out, ms->name);
    capplan_buf_puts(out, " falls back to ");
    esc(out, m->stage[ms->fallback].name);
    capplan_buf_printf(
        out, " (%s all up without it)",
        fmt_availability(own->all.up, own->all.down, b[0], FMT_SIZE));
  }
  if (fallbacks)
    capplan_buf_puts(out, ".\n");

  if (m->n_groups) {
    capplan_buf_puts(out, "\n| group | hardware | stages | servers | GPUs | "
                          "cost/year | all up | requests |\n"
                          "|:--|:--|:--|--:|--:|--:|--:|--:|\n");
    for (size_t g = 0; g < m->n_groups; g++) {
      const mgroup *mg = &m->group[g];
      const pool_plan *pp = &pl->group[g].pool;
      capplan_buf_puts(out, "| ");
      esc(out, mg->name);
      capplan_buf_puts(out, " | ");
      esc(out, m->hw[mg->hw].name);
      capplan_buf_puts(out, " | ");
      for (size_t k = 0; k < mg->n_members; k++) {
        capplan_buf_puts(out, k ? ", " : "");
        esc(out, m->stage[mg->members[k]].name);
      }
      capplan_buf_printf(
          out, " | %s%s%s | %s | %s | %s | %s |\n",
          fmt_count(pp->servers, b[0], FMT_SIZE),
          pp->binding != CON_THROUGHPUT ? " by " : "",
          pp->binding != CON_THROUGHPUT ? constraint_name(pp->binding) : "",
          pp->gpus > 0 ? fmt_count(pp->gpus, b[1], FMT_SIZE) : "\xe2\x80\x93",
          fmt_money(pp->cost_per_year, b[2], FMT_SIZE),
          fmt_availability(pp->all.up, pp->all.down, b[3], FMT_SIZE),
          fmt_availability(pp->req.up, pp->req.down, b[4], FMT_SIZE));
    }
  }
  check_rows(pl, out);
  if (max_rows >= m->n_stages) {
    /* Batches and LLM replicas (the notes of the table format). */
    capplan_buf note;
    capplan_buf_init(&note);
    render_model_notes(r, "- ", &note);
    if (note.len) {
      capplan_buf_putc(out, '\n');
      capplan_buf_put(out, note.data, note.len);
    }
    capplan_buf_release(&note);
  }
  render_uncertain_markdown(r, out);
  capplan_buf_printf(out, "\n<sub>capplan %s \xc2\xb7 `", CAPPLAN_VERSION);
  esc(out, m->path);
  capplan_buf_puts(out, "` \xc2\xb7 critical path: ");
  const char **names = xmalloc((pl->n_critical + 1) * sizeof(char *));
  for (size_t k = 0; k < pl->n_critical; k++)
    names[k] = m->stage[pl->critical[k]].name;
  fmt_path(out, names, pl->n_critical, " \xe2\x86\x92 ", esc);
  free(names);
  capplan_buf_puts(out, " \xc2\xb7 8,760 h/year, 730 h/month \xc2\xb7 "
                        "all up: every stage carries its full load; "
                        "requests: the share served");
  if (!m->zones_modelled)
    capplan_buf_puts(out, " \xc2\xb7 zone outages left out");
  capplan_buf_puts(out, "</sub>\n");
}

/* Renders with as many rows as fit under MD_CAP: the whole thing if it
 * fits, else the largest row count that does (found by bisection; each
 * attempt renders only the rows it keeps). */
typedef void (*rows_fn)(const void *what, size_t max_rows, capplan_buf *out);

static void capped(const void *what, size_t total_rows, rows_fn fn,
                   const char *unit, capplan_buf *out) {
  capplan_buf full;
  capplan_buf_init(&full);
  fn(what, total_rows, &full);
  if (full.len <= MD_CAP) {
    capplan_buf_put(out, full.data, full.len);
    capplan_buf_release(&full);
    return;
  }
  capplan_buf_release(&full);
  char note[256];
  size_t lo = 0, hi = total_rows;
  while (lo < hi) {
    size_t mid = lo + (hi - lo + 1) / 2;
    capplan_buf try;
    capplan_buf_init(&try);
    fn(what, mid, &try);
    bool fits = try.len + sizeof note <= MD_CAP;
    capplan_buf_release(&try);
    if (fits)
      lo = mid;
    else
      hi = mid - 1;
  }
  capplan_buf part;
  capplan_buf_init(&part);
  fn(what, lo, &part);
  snprintf(note, sizeof note,
           "\n> **Note:** output cut to stay under %d characters: %zu of %zu "
           "%s shown. `--format json` has them all.\n",
           MD_CAP, lo, total_rows, unit);
  /* Even with no rows it may not fit (very long names): cut the text. */
  if (part.len + strlen(note) > MD_CAP) {
    size_t cut = MD_CAP - strlen(note);
    while (cut > 0 && part.data[cut - 1] != '\n')
      cut--;
    part.len = cut;
  }
  capplan_buf_put(out, part.data ? part.data : "", part.len);
  capplan_buf_puts(out, note);
  capplan_buf_release(&part);
}

static void report_rows(const void *what, size_t max_rows, capplan_buf *out) {
  report_md(what, max_rows, out);
}

void render_markdown_report(const void *subject,
                            const capplan_render_opts *opts, capplan_buf *out) {
  (void)opts;
  const capplan_report *r = subject;
  capped(r, r->model->n_stages, report_rows, "stages", out);
}

void render_markdown_check(const void *subject, const capplan_render_opts *opts,
                           capplan_buf *out) {
  (void)opts;
  const capplan_report *r = subject;
  heading(r, out);
  capplan_buf_puts(out, "\n`");
  esc(out, r->model->path);
  capplan_buf_puts(out, "`\n");
  check_rows(r->plan, out);
  render_uncertain_markdown(r, out);
}

/* ------------------------------------------------------------ diff */

/* One figure of a diff row: "200 \u2192 250 (+50)" or, unchanged, "200";
 * a removed row's old figure struck through. */
static void cell(capplan_buf *out, const capplan_diff_row *row, double base,
                 double head, const capplan_diff_change *c, char kind) {
  char b[4 * FMT_SIZE];
  if (row->status == CAPPLAN_DIFF_ADDED)
    capplan_buf_puts(out, fmt_diff_value(kind, head, b, sizeof b));
  else if (row->status == CAPPLAN_DIFF_REMOVED)
    capplan_buf_printf(out, "~~%s~~", fmt_diff_value(kind, base, b, sizeof b));
  else
    capplan_buf_puts(out,
                     fmt_diff_change(kind, base, head, c->delta, c->pct,
                                     c->has_pct, "\xe2\x86\x92", b, sizeof b));
}

static void diff_row(const capplan_diff_row *row, bool status,
                     capplan_buf *out) {
  capplan_buf_puts(out, "| ");
  if (row->group)
    capplan_buf_puts(out, "group ");
  esc(out, row->name);
  if (status)
    capplan_buf_printf(out, " | %s",
                       row->status == CAPPLAN_DIFF_ADDED     ? "added"
                       : row->status == CAPPLAN_DIFF_REMOVED ? "removed"
                                                             : "changed");
  capplan_buf_puts(out, " | ");
  if (row->colocated) {
    capplan_buf_puts(out, "in group | | | ");
  } else {
    cell(out, row, row->base.servers, row->head.servers, &row->change.servers,
         'c');
    capplan_buf_puts(out, " | ");
    cell(out, row, row->base.gpus, row->head.gpus, &row->change.gpus, 'c');
    capplan_buf_puts(out, " | ");
    cell(out, row, row->base.cost_per_year, row->head.cost_per_year,
         &row->change.cost_per_year, 'm');
    capplan_buf_puts(out, " | ");
  }
  if (!row->group)
    cell(out, row, row->base.latency, row->head.latency, &row->change.latency,
         't');
  capplan_buf_puts(out, " | ");
  cell(out, row, row->base.availability, row->head.availability,
       &row->change.availability, 'a');
  capplan_buf_puts(out, " |\n");
}

static void diff_md(const capplan_diff *d, size_t max_rows, capplan_buf *out) {
  char b[6][FMT_SIZE];
  const capplan_diff_changes *tc = &d->total_change;
  double cost_delta = tc->cost_per_year.delta;
  capplan_buf_printf(out, "### %s%scapplan diff: ",
                     d->n_gates ? mark(d->passed) : "", d->n_gates ? " " : "");
  if (cost_delta == 0) {
    capplan_buf_puts(out, "no change in cost");
  } else {
    fmt_change_pct(tc->cost_per_year.pct, tc->cost_per_year.has_pct, b[1],
                   FMT_SIZE);
    capplan_buf_printf(out, "cost %s/year%s%s%s",
                       fmt_delta_money(cost_delta, b[0], FMT_SIZE),
                       b[1][0] ? " (" : "", b[1], b[1][0] ? ")" : "");
  }
  if (d->n_gates && !d->passed)
    capplan_buf_puts(out, ", over the limit");
  capplan_buf_puts(out, "\n\n`");
  esc(out, d->base.path);
  capplan_buf_puts(out, "` \xe2\x86\x92 `");
  esc(out, d->head.path);
  capplan_buf_printf(out, "` \xc2\xb7 %zu changed, %zu added, %zu removed\n",
                     d->changed, d->added, d->removed);

  /* Totals: one row per figure. */
  const capplan_diff_values *tb = &d->base_total, *th = &d->head_total;
  capplan_buf_puts(out, "\n| | base | head | change |\n|:--|--:|--:|--:|\n");
  const struct {
    const char *label;
    double base, head;
    const capplan_diff_change *c;
    char kind;
  } figs[] = {
      {"cost/year", tb->cost_per_year, th->cost_per_year, &tc->cost_per_year,
       'm'},
      {"servers", tb->servers, th->servers, &tc->servers, 'c'},
      {"GPUs", tb->gpus, th->gpus, &tc->gpus, 'c'},
      {"latency", tb->latency, th->latency, &tc->latency, 't'},
      {"availability", tb->availability, th->availability, &tc->availability,
       'a'},
  };
  for (size_t i = 0; i < sizeof figs / sizeof figs[0]; i++) {
    char bv[FMT_SIZE], hv[FMT_SIZE], dv[FMT_SIZE], pv[FMT_SIZE];
    double base = figs[i].base, head = figs[i].head;
    switch (figs[i].kind) {
    case 'm':
      fmt_money(base, bv, sizeof bv);
      fmt_money(head, hv, sizeof hv);
      fmt_delta_money(figs[i].c->delta, dv, sizeof dv);
      break;
    case 'c':
      fmt_count(base, bv, sizeof bv);
      fmt_count(head, hv, sizeof hv);
      fmt_delta_count(figs[i].c->delta, dv, sizeof dv);
      break;
    case 't':
      fmt_ms(base, bv, sizeof bv);
      fmt_ms(head, hv, sizeof hv);
      fmt_delta_ms(figs[i].c->delta, dv, sizeof dv);
      break;
    default:
      fmt_availability(base, 1 - base, bv, sizeof bv);
      fmt_availability(head, 1 - head, hv, sizeof hv);
      fmt_delta_pp(figs[i].c->delta, dv, sizeof dv);
      break;
    }
    fmt_change_pct(figs[i].c->pct, figs[i].c->has_pct, pv, sizeof pv);
    bool bold = i == 0 && cost_delta != 0;
    capplan_buf_printf(out, "| %s | %s | %s | %s%s%s%s%s%s |\n", figs[i].label,
                       bv, hv, bold ? "**" : "", dv,
                       figs[i].kind != 'a' && pv[0] && head != base ? " (" : "",
                       figs[i].kind != 'a' && head != base ? pv : "",
                       figs[i].kind != 'a' && pv[0] && head != base ? ")" : "",
                       bold ? "**" : "");
  }

  /* Changed, added and removed rows; unchanged ones fold away. */
  size_t shown = 0, moved = d->changed + d->added + d->removed;
  if (moved) {
    capplan_buf_puts(out, "\n| stage | change | servers | GPUs | cost/year | "
                          "latency | availability |\n"
                          "|:--|:--|--:|--:|--:|--:|--:|\n");
    for (size_t i = 0; i < d->n_rows && shown < max_rows; i++)
      if (d->rows[i].status != CAPPLAN_DIFF_SAME) {
        diff_row(&d->rows[i], true, out);
        shown++;
      }
    if (shown < moved)
      capplan_buf_printf(out, "| \xe2\x80\xa6 %zu more | | | | | | |\n",
                         moved - shown);
  }
  size_t same = d->n_rows - moved;
  if (same) {
    capplan_buf_printf(out,
                       "\n<details><summary>%zu unchanged</summary>\n\n"
                       "| stage | servers | GPUs | cost/year | latency | "
                       "availability |\n|:--|--:|--:|--:|--:|--:|\n",
                       same);
    size_t listed = 0;
    for (size_t i = 0; i < d->n_rows && shown < max_rows; i++)
      if (d->rows[i].status == CAPPLAN_DIFF_SAME) {
        diff_row(&d->rows[i], false, out);
        shown++;
        listed++;
      }
    if (listed < same)
      capplan_buf_printf(out, "| \xe2\x80\xa6 %zu more | | | | | |\n",
                         same - listed);
    capplan_buf_puts(out, "\n</details>\n");
  }

  if (d->n_gates) {
    capplan_buf_puts(out, "\n| | gate | actual | limit |\n|:-:|:--|--:|--:|\n");
    for (size_t i = 0; i < d->n_gates; i++) {
      const capplan_diff_gate *g = &d->gates[i];
      const char *bo = g->passed ? "" : "**";
      if (!strcmp(g->unit, "USD/year")) {
        fmt_delta_money(g->actual, b[0], FMT_SIZE);
        fmt_money(g->limit, b[1], FMT_SIZE);
        capplan_buf_printf(out,
                           "| %s | %scost increase%s | %s%s/year%s | "
                           "\xe2\x89\xa4 %s/year |\n",
                           mark(g->passed), bo, bo, bo, b[0], bo, b[1]);
      } else {
        fmt_number(g->limit, 2, b[1], FMT_SIZE);
        if (g->defined)
          snprintf(b[2], FMT_SIZE, "%s%s%%", g->actual > 0 ? "+" : "",
                   fmt_number(g->actual, 2, b[0], FMT_SIZE));
        else
          snprintf(b[2], FMT_SIZE, "n/a (base cost $0)");
        capplan_buf_printf(out,
                           "| %s | %scost increase in percent%s | %s%s%s | "
                           "\xe2\x89\xa4 %s%% |\n",
                           mark(g->passed), bo, bo, bo, b[2], bo, b[1]);
      }
    }
  }
  capplan_buf_printf(out, "\n<sub>capplan %s</sub>\n", CAPPLAN_VERSION);
}

static void diff_rows(const void *what, size_t max_rows, capplan_buf *out) {
  diff_md(what, max_rows, out);
}

void render_markdown_diff(const void *subject, const capplan_render_opts *opts,
                          capplan_buf *out) {
  (void)opts;
  const capplan_diff *d = subject;
  capped(d, d->n_rows, diff_rows, "rows", out);
}

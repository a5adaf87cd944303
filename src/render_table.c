/*
 * render_table.c - the report as a terminal table (the default format).
 *
 * Figures follow the rules of format.h.  Colour (bold headers, green and
 * red check results) only when the caller asks for it.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "render.h"
#include "texttable.h"
#include "util.h"

#define GREEN "\033[32m"
#define RED "\033[31m" /* same length as GREEN: cells stay aligned */
#define BOLD "\033[1m"
#define OFF "\033[0m"

static void stage_table(const capplan_report *r, bool color, capplan_buf *out) {
  char b[9][FMT_SIZE];
  bool groups = r->n_groups > 0;
  ttable *t = tt_new(10, "llrrrrrrrl");
  tt_row(t, TT_HEADER);
  const char *head[] = {
      "stage",   "hardware", "QPS",     "QPS/server", "raw",
      "servers", "GPUs",     "latency", "cost/year",  groups ? "group" : ""};
  for (size_t c = 0; c < 10; c++)
    tt_cell(t, head[c]);
  for (size_t k = 0; k < r->n_stages; k++) {
    const capplan_stage_result *s = &r->stages[k];
    tt_row(t, TT_PLAIN);
    tt_cell(t, s->name);
    tt_cell(t, s->hardware);
    tt_cell(t, fmt_rate(s->qps, b[0], FMT_SIZE));
    tt_cell(t, fmt_rate(s->qps_per_server, b[1], FMT_SIZE));
    tt_cell(t, fmt_raw(s->servers_raw, b[2], FMT_SIZE));
    if (s->group) {
      tt_cell(t, "-");
      tt_cell(t, "-");
    } else {
      tt_cell(t, fmt_count(s->servers, b[3], FMT_SIZE));
      tt_cell(t, s->gpus > 0 ? fmt_count(s->gpus, b[4], FMT_SIZE) : "-");
    }
    tt_cell(t, fmt_ms(s->latency, b[5], FMT_SIZE));
    tt_cell(t, s->group ? "-" : fmt_money(s->cost_per_year, b[6], FMT_SIZE));
    tt_cell(t, s->group ? s->group : "");
  }
  tt_row(t, TT_BOLD);
  tt_cell(t, "total");
  for (size_t c = 0; c < 4; c++)
    tt_cell(t, "");
  tt_cell(t, fmt_count(r->servers, b[0], FMT_SIZE));
  tt_cell(t, r->gpus > 0 ? fmt_count(r->gpus, b[1], FMT_SIZE) : "-");
  tt_cell(t, fmt_ms(r->latency, b[2], FMT_SIZE));
  tt_cell(t, fmt_money(r->cost_per_year, b[3], FMT_SIZE));
  tt_cell(t, "");
  tt_render(t, color, "", out);
  tt_free(t);
}

static void group_table(const capplan_report *r, bool color, capplan_buf *out) {
  char b[6][FMT_SIZE];
  ttable *t = tt_new(7, "lllrrrr");
  tt_row(t, TT_HEADER);
  const char *head[] = {"group",   "hardware", "stages",   "raw",
                        "servers", "GPUs",     "cost/year"};
  for (size_t c = 0; c < 7; c++)
    tt_cell(t, head[c]);
  for (size_t g = 0; g < r->n_groups; g++) {
    const capplan_group_result *gr = &r->groups[g];
    capplan_buf members;
    capplan_buf_init(&members);
    for (size_t m = 0; m < gr->n_stages; m++)
      capplan_buf_printf(&members, "%s%s", m ? ", " : "", gr->stages[m]);
    tt_row(t, TT_PLAIN);
    tt_cell(t, gr->name);
    tt_cell(t, gr->hardware);
    tt_cell(t, members.data);
    tt_cell(t, fmt_raw(gr->servers_raw, b[0], FMT_SIZE));
    tt_cell(t, fmt_count(gr->servers, b[1], FMT_SIZE));
    tt_cell(t, gr->gpus > 0 ? fmt_count(gr->gpus, b[2], FMT_SIZE) : "-");
    tt_cell(t, fmt_money(gr->cost_per_year, b[3], FMT_SIZE));
    capplan_buf_release(&members);
  }
  tt_render(t, color, "", out);
  tt_free(t);
}

/* Availability of every stand-alone stage and group, and the system's
 * (FORMULAS.md section 2): how many servers must be up of how many, one
 * server's availability, the stage's, its nines and downtime a year. */
static void availability_table(const capplan_report *r, bool color,
                               capplan_buf *out) {
  char b[6][FMT_SIZE];
  ttable *t = tt_new(7, "lrrrrrl");
  tt_row(t, TT_HEADER);
  const char *head[] = {"availability", "up of",     "server", "stage",
                        "nines",        "down/year", "notes"};
  for (size_t c = 0; c < 7; c++)
    tt_cell(t, head[c]);
  for (size_t k = 0; k < r->n_stages; k++) {
    const capplan_stage_result *s = &r->stages[k];
    if (s->group)
      continue;
    capplan_buf note;
    capplan_buf_init(&note);
    if (s->zones > 1)
      capplan_buf_printf(&note, "%g zones", s->zones);
    if (s->zone_extra > 0)
      capplan_buf_printf(&note, ", +%s to survive losing one",
                         fmt_count(s->zone_extra, b[0], FMT_SIZE));
    if (s->fallback)
      capplan_buf_printf(
          &note, "%sfalls back to %s (alone %s)", note.len ? "; " : "",
          s->fallback,
          fmt_availability(s->availability, s->unavailability, b[0], FMT_SIZE));
    if (s->standby)
      capplan_buf_printf(&note, "%sfallback, not on the request path",
                         note.len ? "; " : "");
    if (s->async)
      capplan_buf_printf(&note, "%sasync: gates no request",
                         note.len ? "; " : "");
    if (s->zones > 1 && s->servers < s->zones)
      capplan_buf_printf(&note, "%sfewer servers than zones",
                         note.len ? "; " : "");
    char upof[2 * FMT_SIZE];
    snprintf(upof, sizeof upof, "%s of %s",
             fmt_count(s->servers_needed, b[1], FMT_SIZE),
             fmt_count(s->servers, b[2], FMT_SIZE));
    tt_row(t, TT_PLAIN);
    tt_cell(t, s->name);
    tt_cell(t, upof);
    tt_cell(t, fmt_percent(s->server_availability, b[3], FMT_SIZE));
    tt_cell(t, fmt_availability(s->effective_availability,
                                s->effective_unavailability, b[4], FMT_SIZE));
    tt_cell(t, fmt_nines(s->effective_unavailability, b[5], FMT_SIZE));
    tt_cell(t,
            fmt_downtime(s->effective_unavailability * CAPPLAN_MINUTES_PER_YEAR,
                         b[0], FMT_SIZE));
    tt_cell(t, note.data ? note.data : "");
    capplan_buf_release(&note);
  }
  for (size_t g = 0; g < r->n_groups; g++) {
    const capplan_group_result *gr = &r->groups[g];
    char name[FMT_SIZE * 2], upof[2 * FMT_SIZE], note[FMT_SIZE * 2] = "";
    snprintf(name, sizeof name, "group %s", gr->name);
    snprintf(upof, sizeof upof, "%s of %s",
             fmt_count(gr->servers_needed, b[1], FMT_SIZE),
             fmt_count(gr->servers, b[2], FMT_SIZE));
    if (gr->zones > 1)
      snprintf(note, sizeof note, "%g zones%s%s%s", gr->zones,
               gr->zone_extra > 0 ? ", +" : "",
               gr->zone_extra > 0 ? fmt_count(gr->zone_extra, b[0], FMT_SIZE)
                                  : "",
               gr->zone_extra > 0 ? " to survive losing one" : "");
    tt_row(t, TT_PLAIN);
    tt_cell(t, name);
    tt_cell(t, upof);
    tt_cell(t, fmt_percent(gr->server_availability, b[3], FMT_SIZE));
    tt_cell(t, fmt_availability(gr->availability, gr->unavailability, b[4],
                                FMT_SIZE));
    tt_cell(t, fmt_nines(gr->unavailability, b[5], FMT_SIZE));
    tt_cell(t, fmt_downtime(gr->unavailability * CAPPLAN_MINUTES_PER_YEAR, b[0],
                            FMT_SIZE));
    tt_cell(t, note);
  }
  tt_row(t, TT_BOLD);
  tt_cell(t, "system");
  tt_cell(t, "");
  tt_cell(t, "");
  tt_cell(t,
          fmt_availability(r->availability, r->unavailability, b[4], FMT_SIZE));
  tt_cell(t, fmt_nines(r->unavailability, b[5], FMT_SIZE));
  tt_cell(t, fmt_downtime(r->downtime_minutes_per_year, b[0], FMT_SIZE));
  tt_cell(t, "stages in series");
  tt_render(t, color, "", out);
  tt_free(t);
}

/* One row per check: pass or FAIL, the check, the plan's figure, the
 * comparison and the limit; with DETAIL also the margin and where the
 * limit came from ('capplan check'). */
static void check_rows(ttable *t, const capplan_report *r, bool color,
                       bool detail) {
  char a[FMT_SIZE], l[FMT_SIZE], m[2 * FMT_SIZE];
  for (size_t i = 0; i < r->n_checks; i++) {
    const capplan_check *c = &r->checks[i];
    tt_row(t, TT_PLAIN);
    if (color)
      tt_cell_raw(t, c->passed ? GREEN "pass" OFF : RED "FAIL" OFF);
    else
      tt_cell(t, c->passed ? "pass" : "FAIL");
    tt_cell(t, c->name);
    tt_cell(t, fmt_check_actual(c, a, FMT_SIZE));
    tt_cell(t, c->upper ? "<=" : ">=");
    tt_cell(t, fmt_check_value(c, c->limit, true, l, FMT_SIZE));
    if (detail) {
      tt_cell(t, fmt_check_margin(c, m, sizeof m));
      tt_cell(t, strcmp(c->source, "flag") ? "spec" : check_flag(c));
    }
  }
}

static void check_table(const capplan_report *r, bool color, capplan_buf *out) {
  ttable *t = tt_new(5, "llrlr");
  check_rows(t, r, color, false);
  capplan_buf_puts(out, color ? BOLD "checks" OFF "\n" : "checks\n");
  tt_render(t, false, "  ", out);
  tt_free(t);
}

void render_table(const capplan_report *r, const capplan_render_opts *opts,
                  capplan_buf *out) {
  bool color = opts->color;
  char b[4][FMT_SIZE];
  if (color)
    capplan_buf_puts(out, BOLD);
  text_puts(out, r->spec_name);
  if (color)
    capplan_buf_puts(out, OFF);
  if (r->description) {
    capplan_buf_puts(out, ": ");
    text_puts(out, r->description);
  }
  capplan_buf_printf(out, "\ntraffic: %s QPS at peak",
                     fmt_rate(r->qps, b[0], FMT_SIZE));
  if (r->average_qps > 0)
    capplan_buf_printf(out, ", %s on average",
                       fmt_rate(r->average_qps, b[1], FMT_SIZE));
  if (r->dau > 0)
    capplan_buf_printf(out, " (%s DAU x %s/day / 86,400 x %s)",
                       fmt_number_sig(r->dau, 2, b[2], FMT_SIZE),
                       fmt_rate(r->requests_per_user_per_day, b[3], FMT_SIZE),
                       fmt_number(r->peak_to_average, 2, b[0], FMT_SIZE));
  capplan_buf_puts(out, "\n\n");

  stage_table(r, color, out);
  if (r->n_groups) {
    capplan_buf_putc(out, '\n');
    group_table(r, color, out);
  }

  capplan_buf_puts(out, "\ncritical path: ");
  fmt_path(out, r->critical_path, r->n_critical, " -> ", text_puts);
  capplan_buf_printf(out, " (%s)\n", fmt_ms(r->latency, b[0], FMT_SIZE));
  capplan_buf_printf(out, "cost: %s/year, %s/month",
                     fmt_money(r->cost_per_year, b[0], FMT_SIZE),
                     fmt_money(r->cost_per_month, b[1], FMT_SIZE));
  if (r->cost_per_million >= 0)
    capplan_buf_printf(out, ", %s per million requests",
                       fmt_money(r->cost_per_million, b[2], FMT_SIZE));
  capplan_buf_puts(out, " (8,760 h/year, 730 h/month)\n\n");
  availability_table(r, color, out);

  if (r->n_checks) {
    capplan_buf_putc(out, '\n');
    check_table(r, color, out);
    size_t failed = 0;
    for (size_t i = 0; i < r->n_checks; i++)
      failed += !r->checks[i].passed;
    char sum[FMT_SIZE];
    capplan_buf_printf(out, "%s%s%s\n", color ? (failed ? RED : GREEN) : "",
                       fmt_checks_summary(failed, r->n_checks, sum, sizeof sum),
                       color ? OFF : "");
  }
}

/* ------------------------------------------------------------ check */

/* 'capplan check': each check with its limit, the actual figure, the
 * margin and where the limit came from. */
void render_table_check(const capplan_report *r,
                        const capplan_render_opts *opts, capplan_buf *out) {
  bool color = opts->color;
  size_t failed = 0;
  for (size_t i = 0; i < r->n_checks; i++)
    failed += !r->checks[i].passed;
  if (color)
    capplan_buf_puts(out, BOLD);
  text_puts(out, r->spec_name);
  if (color)
    capplan_buf_puts(out, OFF);
  capplan_buf_puts(out, " (");
  text_puts(out, r->spec_path);
  capplan_buf_puts(out, "): ");
  char sum[FMT_SIZE];
  capplan_buf_printf(out, "%s%s%s\n\n", color ? (failed ? RED : GREEN) : "",
                     fmt_checks_summary(failed, r->n_checks, sum, sizeof sum),
                     color ? OFF : "");
  ttable *t = tt_new(7, "llrlrrl");
  tt_row(t, TT_HEADER);
  const char *head[] = {"",      "check",  "actual",    "",
                        "limit", "margin", "limit from"};
  for (size_t c = 0; c < 7; c++)
    tt_cell(t, head[c]);
  check_rows(t, r, color, true);
  tt_render(t, color, "", out);
  tt_free(t);
}

/* ------------------------------------------------------------- diff */

/* "30" when both sides agree, "200 -> 250 (+50)" when not; one side
 * only for added and removed rows.  KIND as fmt_diff_change. */
static void diff_cell(const capplan_diff_row *row, double base, double head,
                      char kind, char *buf, size_t size) {
  if (row->status == CAPPLAN_DIFF_ADDED)
    fmt_diff_value(kind, head, buf, size);
  else if (row->status == CAPPLAN_DIFF_REMOVED)
    fmt_diff_value(kind, base, buf, size);
  else
    fmt_diff_change(kind, base, head, "->", buf, size);
}

static const char *status_name(const capplan_diff_row *row) {
  switch (row->status) {
  case CAPPLAN_DIFF_SAME:
    return "same";
  case CAPPLAN_DIFF_CHANGED:
    return "changed";
  case CAPPLAN_DIFF_ADDED:
    return "added";
  case CAPPLAN_DIFF_REMOVED:
    return "removed";
  }
  return "";
}

void render_table_diff(const capplan_diff *d, const capplan_render_opts *opts,
                       capplan_buf *out) {
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
      diff_cell(row, row->base.servers, row->head.servers, 'c', cell[0],
                sizeof cell[0]);
      diff_cell(row, row->base.gpus, row->head.gpus, 'c', cell[1],
                sizeof cell[1]);
      diff_cell(row, row->base.cost_per_year, row->head.cost_per_year, 'm',
                cell[2], sizeof cell[2]);
      tt_cell(t, cell[0]);
      tt_cell(t, cell[1]);
      tt_cell(t, cell[2]);
    }
    if (row->group) {
      tt_cell(t, "-");
    } else {
      diff_cell(row, row->base.latency, row->head.latency, 't', cell[3],
                sizeof cell[3]);
      tt_cell(t, cell[3]);
    }
    diff_cell(row, row->base.availability, row->head.availability, 'a', cell[4],
              sizeof cell[4]);
    tt_cell(t, cell[4]);
  }
  capplan_diff_row total = {"total",       false,
                            false,         CAPPLAN_DIFF_CHANGED,
                            d->base_total, d->head_total};
  tt_row(t, TT_BOLD);
  tt_cell(t, "total");
  tt_cell(t, "");
  diff_cell(&total, total.base.servers, total.head.servers, 'c', cell[0],
            sizeof cell[0]);
  diff_cell(&total, total.base.gpus, total.head.gpus, 'c', cell[1],
            sizeof cell[1]);
  diff_cell(&total, total.base.cost_per_year, total.head.cost_per_year, 'm',
            cell[2], sizeof cell[2]);
  diff_cell(&total, total.base.latency, total.head.latency, 't', cell[3],
            sizeof cell[3]);
  diff_cell(&total, total.base.availability, total.head.availability, 'a',
            cell[4], sizeof cell[4]);
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
    if (money) {
      char x[FMT_SIZE];
      snprintf(a, sizeof a, "%s/year",
               fmt_delta_money(gate->actual, x, sizeof x));
      snprintf(l, sizeof l, "%s/year", fmt_money(gate->limit, x, sizeof x));
    } else if (gate->defined) {
      char x[FMT_SIZE];
      fmt_number(gate->actual, 2, x, sizeof x);
      snprintf(a, sizeof a, "%s%s%%", gate->actual > 0 ? "+" : "", x);
      snprintf(l, sizeof l, "%s%%", fmt_number(gate->limit, 2, x, sizeof x));
    } else {
      char x[FMT_SIZE];
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

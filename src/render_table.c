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
    tt_cell(t, fmt_number(s->servers_raw, 2, b[2], FMT_SIZE));
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
    tt_cell(t, fmt_number(gr->servers_raw, 2, b[0], FMT_SIZE));
    tt_cell(t, fmt_count(gr->servers, b[1], FMT_SIZE));
    tt_cell(t, gr->gpus > 0 ? fmt_count(gr->gpus, b[2], FMT_SIZE) : "-");
    tt_cell(t, fmt_money(gr->cost_per_year, b[3], FMT_SIZE));
    capplan_buf_release(&members);
  }
  tt_render(t, color, "", out);
  tt_free(t);
}

/* A check's figure in the unit users read it in; LIMIT says it is the
 * limit, which shows as the user wrote it (99.95%, not 99.950%). */
static char *check_value(const capplan_check *c, double v, bool limit,
                         char *buf) {
  switch (c->kind) {
  case CAPPLAN_CHECK_LATENCY:
    return fmt_ms(v / 1000, buf, FMT_SIZE);
  case CAPPLAN_CHECK_AVAILABILITY: {
    if (limit) {
      char n[FMT_SIZE];
      snprintf(buf, FMT_SIZE, "%s%%", fmt_number(v * 100, 8, n, sizeof n));
    } else {
      fmt_availability(v, 1 - v, buf, FMT_SIZE);
    }
    return buf;
  }
  case CAPPLAN_CHECK_COST: {
    char m[FMT_SIZE];
    snprintf(buf, FMT_SIZE, "%s/year", fmt_money(v, m, sizeof m));
    return buf;
  }
  case CAPPLAN_CHECK_GPUS:
  case CAPPLAN_CHECK_SERVERS:
    return fmt_count(v, buf, FMT_SIZE);
  }
  return buf;
}

static void check_table(const capplan_report *r, bool color, capplan_buf *out) {
  char a[FMT_SIZE], l[FMT_SIZE];
  ttable *t = tt_new(5, "llrlr");
  for (size_t i = 0; i < r->n_checks; i++) {
    const capplan_check *c = &r->checks[i];
    tt_row(t, TT_PLAIN);
    if (color)
      tt_cell(t, c->passed ? GREEN "pass" OFF : RED "FAIL" OFF);
    else
      tt_cell(t, c->passed ? "pass" : "FAIL");
    tt_cell(t, c->name);
    tt_cell(t, check_value(c, c->actual, false, a));
    tt_cell(t, c->upper ? "<=" : ">=");
    tt_cell(t, check_value(c, c->limit, true, l));
  }
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
  capplan_buf_puts(out, r->spec_name);
  if (color)
    capplan_buf_puts(out, OFF);
  if (r->description)
    capplan_buf_printf(out, ": %s", r->description);
  capplan_buf_printf(out, "\ntraffic: %s QPS at peak",
                     fmt_rate(r->qps, b[0], FMT_SIZE));
  if (r->average_qps > 0)
    capplan_buf_printf(out, ", %s on average",
                       fmt_rate(r->average_qps, b[1], FMT_SIZE));
  if (r->dau > 0)
    capplan_buf_printf(out, " (%s DAU x %s/day / 86,400 x %s)",
                       fmt_count(r->dau, b[2], FMT_SIZE),
                       fmt_rate(r->requests_per_user_per_day, b[3], FMT_SIZE),
                       fmt_number(r->peak_to_average, 2, b[0], FMT_SIZE));
  capplan_buf_puts(out, "\n\n");

  stage_table(r, color, out);
  if (r->n_groups) {
    capplan_buf_putc(out, '\n');
    group_table(r, color, out);
  }

  capplan_buf_puts(out, "\ncritical path: ");
  for (size_t i = 0; i < r->n_critical; i++)
    capplan_buf_printf(out, "%s%s", i ? " -> " : "", r->critical_path[i]);
  capplan_buf_printf(out, " (%s)\n", fmt_ms(r->latency, b[0], FMT_SIZE));
  capplan_buf_printf(out, "cost: %s/year, %s/month",
                     fmt_money(r->cost_per_year, b[0], FMT_SIZE),
                     fmt_money(r->cost_per_month, b[1], FMT_SIZE));
  if (r->cost_per_million >= 0)
    capplan_buf_printf(out, ", %s per million requests",
                       fmt_money(r->cost_per_million, b[2], FMT_SIZE));
  capplan_buf_puts(out, " (8,760 h/year, 730 h/month)\n");
  capplan_buf_printf(
      out, "availability: %s, down %s/year\n",
      fmt_availability(r->availability, r->unavailability, b[0], FMT_SIZE),
      fmt_downtime(r->downtime_minutes_per_year, b[1], FMT_SIZE));

  if (r->n_checks) {
    capplan_buf_putc(out, '\n');
    check_table(r, color, out);
    size_t failed = 0;
    for (size_t i = 0; i < r->n_checks; i++)
      failed += !r->checks[i].passed;
    if (failed)
      capplan_buf_printf(out, "%s%zu of %zu checks failed%s\n",
                         color ? RED : "", failed, r->n_checks,
                         color ? OFF : "");
    else
      capplan_buf_printf(out, "%sall %zu checks passed%s\n", color ? GREEN : "",
                         r->n_checks, color ? OFF : "");
  }
}

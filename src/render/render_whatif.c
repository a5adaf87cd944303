/*
 * render_whatif.c - sweeps and forecasts as a table, markdown and CSV (one
 * row per point or month), and as SVG line charts.  JSON's are in
 * render_json.c.  The rows' figures follow format.h, as the report's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forecast.h"
#include "format.h"
#include "plot_svg.h"
#include "render.h"
#include "render_uncertain.h"
#include "texttable.h"
#include "util.h"

#define BOLD "\033[1m"
#define GREEN "\033[32m"
#define RED "\033[31m"
#define OFF "\033[0m"

/* The figures a row shows, in order (all of ROW_FIGS but the month's
 * cost, which is the year's over twelve). */
static const size_t SHOWN[] = {RF_SERVERS, RF_GPUS,        RF_COST,
                               RF_LATENCY, RF_LATENCY_P99, RF_AVAILABILITY,
                               RF_REQUESTS};

/* One row's cells: its inputs (or month and QPS) come first. */
static void row_cells(ttable *t, const wrow *rw, size_t n_checks, bool color) {
  char b[FMT_SIZE];
  if (!rw->evaluated) {
    tt_cell(t, "(a figure no double holds)");
    for (size_t i = 1; i < ARRAY_LEN(SHOWN) + n_checks; i++)
      tt_cell(t, "");
    return;
  }
  for (size_t i = 0; i < ARRAY_LEN(SHOWN); i++) {
    const row_fig *f = &ROW_FIGS[SHOWN[i]];
    if (rw->fig[SHOWN[i]] == ROW_UNKNOWN)
      tt_cell(t, "unbounded");
    else
      tt_cell(t, ufmt(f->unit, rw->fig[SHOWN[i]], false, b, sizeof b));
  }
  for (size_t c = 0; c < n_checks; c++) {
    if (color)
      tt_cell_raw(t, rw->check_passed[c] ? GREEN "pass" OFF : RED "FAIL" OFF);
    else
      tt_cell(t, rw->check_passed[c] ? "pass" : "FAIL");
  }
}

static ttable *rows_table(size_t lead, const char *const *lead_names,
                          const char *const *checks, size_t n_checks) {
  size_t cols = lead + ARRAY_LEN(SHOWN) + n_checks;
  char align[32];
  for (size_t c = 0; c < cols && c < sizeof align - 1; c++)
    align[c] = c >= lead + ARRAY_LEN(SHOWN) ? 'l' : 'r';
  align[cols < sizeof align - 1 ? cols : sizeof align - 1] = '\0';
  ttable *t = tt_new(cols, align);
  tt_row(t, TT_HEADER);
  for (size_t c = 0; c < lead; c++)
    tt_cell(t, lead_names[c]);
  for (size_t i = 0; i < ARRAY_LEN(SHOWN); i++)
    tt_cell(t, ROW_FIGS[SHOWN[i]].label);
  for (size_t c = 0; c < n_checks; c++)
    tt_cell(t, checks[c]);
  return t;
}

/* "the largest traffic.qps keeping cost <= $4,000,000/year: ..." */
static void find_text(const capplan_sweep *s, size_t j, capplan_buf *out) {
  const sweep_find *f = &s->find;
  const row_fig *rf = &ROW_FIGS[f->fig];
  const uinput *in = s->axis[0].in;
  char v[FMT_SIZE], lim[2 * FMT_SIZE], at[2 * FMT_SIZE], y[FMT_SIZE];
  /* Money per what the figure is per. */
  const char *per = f->fig == RF_COST         ? "/year"
                    : f->fig == RF_COST_MONTH ? "/month"
                                              : "";
  ufmt(rf->unit, f->limit, false, lim, sizeof lim);
  strcat(lim, per);
  capplan_buf_printf(out, "the largest %s keeping %s %s %s", in->path, rf->name,
                     f->upper ? "<=" : ">=", lim);
  if (s->n_axes > 1) {
    uinput_format(s->axis[1].in, f->second[j], y, sizeof y);
    capplan_buf_printf(out, " (%s = %s)", s->axis[1].in->path, y);
  }
  if (!f->found[j]) {
    capplan_buf_puts(out, ": none from the range's start on\n");
    return;
  }
  uinput_format(in, f->value[j], v, sizeof v);
  ufmt(rf->unit, f->at[j], false, at, sizeof at);
  strcat(at, per);
  capplan_buf_printf(out, ": %s%s (%s %s)\n", v,
                     f->whole[j] ? ", the whole range" : "", rf->name, at);
  if (f->not_monotone[j])
    capplan_buf_printf(out,
                       "  note: some steps above it keep the condition "
                       "again; %s is not monotone in %s\n",
                       rf->name, in->path);
}

static void sweep_header(const capplan_sweep *s, capplan_buf *out, bool md) {
  const capplan_model *m = s->r->model;
  char a[FMT_SIZE], b[FMT_SIZE];
  if (md)
    capplan_buf_puts(out, "### ");
  text_puts(out, m->name);
  capplan_buf_puts(out, ": sweep of ");
  for (size_t k = 0; k < s->n_axes; k++) {
    const sweep_axis *ax = &s->axis[k];
    uinput_format(ax->in, ax->from, a, sizeof a);
    uinput_format(ax->in, ax->to, b, sizeof b);
    capplan_buf_printf(out, "%s%s from %s to %s (%zu %s steps)",
                       k ? " and " : "", ax->in->path, a, b, ax->steps,
                       ax->log ? "geometric" : "even");
  }
  capplan_buf_puts(out, "; every other input as the spec gives it (a range "
                        "at its median)\n");
}

void render_table_sweep(const void *subject, const capplan_render_opts *opts,
                        capplan_buf *out) {
  const capplan_sweep *s = subject;
  sweep_header(s, out, false);
  capplan_buf_putc(out, '\n');
  const char *lead[2] = {s->axis[0].in->path,
                         s->n_axes > 1 ? s->axis[1].in->path : ""};
  /* The second input first: the rows are grouped by it. */
  const char *names[2] = {s->n_axes > 1 ? lead[1] : lead[0], lead[0]};
  ttable *t = rows_table(s->n_axes, names, s->check_names, s->n_checks);
  char b[2][FMT_SIZE];
  for (size_t k = 0; k < s->n_rows; k++) {
    const wrow *rw = &s->rows[k];
    tt_row(t, TT_PLAIN);
    if (s->n_axes > 1) {
      uinput_format(s->axis[1].in, rw->x[1], b[1], FMT_SIZE);
      tt_cell(t, b[1]);
    }
    uinput_format(s->axis[0].in, rw->x[0], b[0], FMT_SIZE);
    tt_cell(t, b[0]);
    row_cells(t, rw, s->n_checks, opts->color);
  }
  tt_render_fit(t, opts->color, "", opts->width, NULL, out);
  tt_free(t);
  if (s->has_find) {
    capplan_buf_putc(out, '\n');
    for (size_t j = 0; j < s->n_find; j++) {
      capplan_buf_puts(out, "find: ");
      find_text(s, j, out);
    }
  }
}

static void forecast_header(const capplan_forecast *f, capplan_buf *out,
                            bool md) {
  char g[FMT_SIZE];
  if (md)
    capplan_buf_puts(out, "### ");
  text_puts(out, f->r->model->name);
  capplan_buf_printf(out,
                     ": forecast at %s/month traffic growth, compounded; "
                     "every range at its median\n",
                     fmt_percent(f->growth, g, sizeof g));
}

/* "cost first fails in month 7; latency holds through month 24". */
static void first_fails(const capplan_forecast *f, capplan_buf *out) {
  size_t last = f->n_rows - 1;
  for (size_t c = 0; c < f->n_checks; c++) {
    if (f->first_fail[c] == FORECAST_NEVER)
      capplan_buf_printf(out, "%s: holds through month %zu\n",
                         f->check_names[c], last);
    else if (f->first_fail[c] == 0)
      capplan_buf_printf(out, "%s: fails already (month 0)\n",
                         f->check_names[c]);
    else
      capplan_buf_printf(out, "%s: first fails in month %zu\n",
                         f->check_names[c], f->first_fail[c]);
  }
}

void render_table_forecast(const void *subject, const capplan_render_opts *opts,
                           capplan_buf *out) {
  const capplan_forecast *f = subject;
  forecast_header(f, out, false);
  capplan_buf_putc(out, '\n');
  const char *lead[] = {"month", "QPS"};
  ttable *t = rows_table(2, lead, f->check_names, f->n_checks);
  char b[2][FMT_SIZE];
  for (size_t k = 0; k < f->n_rows; k++) {
    const wrow *rw = &f->rows[k];
    tt_row(t, TT_PLAIN);
    tt_cell(t, fmt_count(rw->x[0], b[0], FMT_SIZE));
    tt_cell(t, fmt_rate(rw->traffic, b[1], FMT_SIZE));
    row_cells(t, rw, f->n_checks, opts->color);
  }
  tt_render_fit(t, opts->color, "", opts->width, NULL, out);
  tt_free(t);
  if (f->n_checks) {
    capplan_buf_putc(out, '\n');
    first_fails(f, out);
  }
}

/* ------------------------------------------------------------ markdown */

static void md_row(capplan_buf *out, const wrow *rw, size_t n_checks) {
  char b[FMT_SIZE];
  for (size_t i = 0; i < ARRAY_LEN(SHOWN); i++)
    capplan_buf_printf(out, " %s |",
                       rw->evaluated
                           ? ufmt(ROW_FIGS[SHOWN[i]].unit, rw->fig[SHOWN[i]],
                                  false, b, sizeof b)
                           : "");
  for (size_t c = 0; c < n_checks; c++)
    capplan_buf_printf(out, " %s |",
                       rw->check_passed[c] ? "\xe2\x9c\x85" : "\xe2\x9d\x8c");
  capplan_buf_putc(out, '\n');
}

static void md_head(capplan_buf *out, const char *const *lead, size_t n_lead,
                    const char *const *checks, size_t n_checks) {
  capplan_buf_puts(out, "\n|");
  for (size_t c = 0; c < n_lead; c++)
    capplan_buf_printf(out, " %s |", lead[c]);
  for (size_t i = 0; i < ARRAY_LEN(SHOWN); i++)
    capplan_buf_printf(out, " %s |", ROW_FIGS[SHOWN[i]].label);
  for (size_t c = 0; c < n_checks; c++)
    capplan_buf_printf(out, " %s |", checks[c]);
  capplan_buf_puts(out, "\n|");
  for (size_t c = 0; c < n_lead + ARRAY_LEN(SHOWN); c++)
    capplan_buf_puts(out, "--:|");
  for (size_t c = 0; c < n_checks; c++)
    capplan_buf_puts(out, ":-:|");
  capplan_buf_putc(out, '\n');
}

void render_markdown_sweep(const void *subject, const capplan_render_opts *opts,
                           capplan_buf *out) {
  (void)opts;
  const capplan_sweep *s = subject;
  sweep_header(s, out, true);
  const char *lead[2] = {s->n_axes > 1 ? s->axis[1].in->path
                                       : s->axis[0].in->path,
                         s->axis[0].in->path};
  md_head(out, lead, s->n_axes, s->check_names, s->n_checks);
  char b[FMT_SIZE];
  for (size_t k = 0; k < s->n_rows; k++) {
    const wrow *rw = &s->rows[k];
    capplan_buf_puts(out, "|");
    if (s->n_axes > 1) {
      uinput_format(s->axis[1].in, rw->x[1], b, sizeof b);
      capplan_buf_printf(out, " %s |", b);
    }
    uinput_format(s->axis[0].in, rw->x[0], b, sizeof b);
    capplan_buf_printf(out, " %s |", b);
    md_row(out, rw, s->n_checks);
  }
  if (s->has_find) {
    capplan_buf_putc(out, '\n');
    for (size_t j = 0; j < s->n_find; j++) {
      capplan_buf_puts(out, "- **find**: ");
      find_text(s, j, out);
    }
  }
}

void render_markdown_forecast(const void *subject,
                              const capplan_render_opts *opts,
                              capplan_buf *out) {
  (void)opts;
  const capplan_forecast *f = subject;
  forecast_header(f, out, true);
  const char *lead[] = {"month", "QPS"};
  md_head(out, lead, 2, f->check_names, f->n_checks);
  char b[2][FMT_SIZE];
  for (size_t k = 0; k < f->n_rows; k++) {
    const wrow *rw = &f->rows[k];
    capplan_buf_printf(out, "| %s | %s |", fmt_count(rw->x[0], b[0], FMT_SIZE),
                       fmt_rate(rw->traffic, b[1], FMT_SIZE));
    md_row(out, rw, f->n_checks);
  }
  if (f->n_checks) {
    capplan_buf_putc(out, '\n');
    first_fails(f, out);
  }
}

/* ----------------------------------------------------------------- CSV */

static void csv_num(capplan_buf *out, double v) {
  if (v == 0)
    v = 0;
  capplan_buf_printf(out, ",%.12g", v);
}

/* A header field: names and paths hold no comma or quote, but a stage
 * name in a path may hold anything a spec allows; quote when needed. */
static void csv_field(capplan_buf *out, const char *s, bool first) {
  if (!first)
    capplan_buf_putc(out, ',');
  capplan_buf safe;
  capplan_buf_init(&safe);
  text_puts(&safe, s);
  const char *t = safe.data ? safe.data : "";
  if (!strpbrk(t, ",\"")) {
    capplan_buf_puts(out, t);
  } else {
    capplan_buf_putc(out, '"');
    for (; *t; t++) {
      if (*t == '"')
        capplan_buf_putc(out, '"');
      capplan_buf_putc(out, *t);
    }
    capplan_buf_putc(out, '"');
  }
  capplan_buf_release(&safe);
}

static void csv_head(capplan_buf *out, const char *const *lead, size_t n_lead,
                     const char *const *checks, size_t n_checks) {
  for (size_t c = 0; c < n_lead; c++)
    csv_field(out, lead[c], c == 0);
  for (size_t f = 0; f < RF_COUNT; f++)
    csv_field(out, ROW_FIGS[f].key, false);
  for (size_t c = 0; c < n_checks; c++) {
    char name[64];
    snprintf(name, sizeof name, "%s_passed", checks[c]);
    csv_field(out, name, false);
  }
  csv_field(out, "evaluated", false);
  capplan_buf_puts(out, "\r\n");
}

static void csv_row(capplan_buf *out, const wrow *rw, size_t n_checks) {
  for (size_t f = 0; f < RF_COUNT; f++) {
    if (rw->evaluated && rw->fig[f] != ROW_UNKNOWN)
      csv_num(out, rw->fig[f]);
    else
      capplan_buf_putc(out, ',');
  }
  for (size_t c = 0; c < n_checks; c++)
    capplan_buf_puts(out, rw->check_passed[c] ? ",true" : ",false");
  capplan_buf_puts(out, rw->evaluated ? ",true\r\n" : ",false\r\n");
}

void render_csv_sweep(const void *subject, const capplan_render_opts *opts,
                      capplan_buf *out) {
  (void)opts;
  const capplan_sweep *s = subject;
  const char *lead[2] = {s->axis[0].in->path,
                         s->n_axes > 1 ? s->axis[1].in->path : ""};
  csv_head(out, lead, s->n_axes, s->check_names, s->n_checks);
  for (size_t k = 0; k < s->n_rows; k++) {
    const wrow *rw = &s->rows[k];
    capplan_buf_printf(out, "%.12g", rw->x[0]);
    if (s->n_axes > 1)
      csv_num(out, rw->x[1]);
    csv_row(out, rw, s->n_checks);
  }
}

void render_csv_forecast(const void *subject, const capplan_render_opts *opts,
                         capplan_buf *out) {
  (void)opts;
  const capplan_forecast *f = subject;
  const char *lead[] = {"month", "qps"};
  csv_head(out, lead, 2, f->check_names, f->n_checks);
  for (size_t k = 0; k < f->n_rows; k++) {
    const wrow *rw = &f->rows[k];
    capplan_buf_printf(out, "%.12g", rw->x[0]);
    csv_num(out, rw->traffic);
    csv_row(out, rw, f->n_checks);
  }
}

/* --------------------------------------------------------------- plots */

static enum plot_fmt pfmt(enum fig_unit u) {
  switch (u) {
  case FU_MONEY:
    return PF_MONEY;
  case FU_MS:
    return PF_MS;
  case FU_FRACTION:
    return PF_PERCENT;
  case FU_COUNT:
    break;
  }
  return PF_NUMBER;
}

static enum plot_fmt input_fmt(const uinput *in) {
  switch (in->key->unit) {
  case UNIT_MONEY:
    return PF_MONEY;
  case UNIT_DURATION:
    return PF_MS;
  case UNIT_FRACTION:
  case UNIT_GROWTH:
    return PF_PERCENT;
  default:
    return PF_NUMBER;
  }
}

/* The plan's check of KIND, or NULL. */
static const capplan_check *check_of(const plan *pl,
                                     enum capplan_check_kind kind) {
  for (size_t i = 0; i < pl->n_checks; i++)
    if (pl->checks[i].kind == kind)
      return &pl->checks[i];
  return NULL;
}

void capplan_plot_sweep(const capplan_sweep *s, capplan_buf *out) {
  size_t fig = s->has_find ? s->find.fig : RF_COST;
  const row_fig *rf = &ROW_FIGS[fig];
  size_t n1 = s->axis[0].steps, nser = s->n_axes > 1 ? s->axis[1].steps : 1;
  plot_series *ser = xcalloc(nser, sizeof *ser);
  double *xs = xcalloc(s->n_rows + 1, sizeof *xs);
  double *ys = xcalloc(s->n_rows + 1, sizeof *ys);
  char(*names)[2 * FMT_SIZE + 128] = xcalloc(nser, sizeof *names);
  size_t used = 0, ns = 0;
  for (size_t k = 0; k < s->n_rows; k++) {
    const wrow *rw = &s->rows[k];
    if (k == 0 || (s->n_axes > 1 && rw->x[1] != s->rows[k - 1].x[1])) {
      if (ns == nser)
        break;
      plot_series *p = &ser[ns++];
      p->x = xs + used;
      p->y = ys + used;
      if (s->n_axes > 1) {
        char v[FMT_SIZE];
        uinput_format(s->axis[1].in, rw->x[1], v, sizeof v);
        snprintf(names[ns - 1], sizeof names[0], "%s = %s", s->axis[1].in->path,
                 v);
        p->name = names[ns - 1];
      }
    }
    if (!rw->evaluated || rw->fig[fig] == ROW_UNKNOWN)
      continue;
    xs[used] = rw->x[0];
    ys[used++] = rw->fig[fig];
    ser[ns - 1].n++;
  }
  (void)n1;
  plot_mark marks[2];
  size_t nm = 0;
  char lbl[2][2 * FMT_SIZE], b[FMT_SIZE];
  if (s->has_find) {
    snprintf(lbl[0], sizeof lbl[0], "%s %s %s", rf->name,
             s->find.upper ? "<=" : ">=",
             plot_number(pfmt(rf->unit), s->find.limit, b, sizeof b));
    marks[nm++] = (plot_mark){s->find.limit, lbl[0], true};
  } else {
    const capplan_check *c = check_of(s->r->plan, CAPPLAN_CHECK_COST);
    if (c) {
      snprintf(lbl[0], sizeof lbl[0], "budget %s",
               plot_number(PF_MONEY, c->limit, b, sizeof b));
      marks[nm++] = (plot_mark){c->limit, lbl[0], true};
    }
  }
  char title[256], sub[256];
  snprintf(title, sizeof title, "%s: %s vs %s", s->r->model->name, rf->label,
           s->axis[0].in->path);
  snprintf(sub, sizeof sub, "other inputs at their medians");
  if (s->has_find && s->find.found[0]) {
    char v[FMT_SIZE], w[FMT_SIZE];
    uinput_format(s->axis[0].in, s->find.value[0], v, sizeof v);
    snprintf(sub, sizeof sub, "largest %s keeping %s: %s", s->axis[0].in->path,
             s->find.text, v);
    if (s->n_axes > 1) {
      size_t len = strlen(sub);
      uinput_format(s->axis[1].in, s->find.second[0], w, sizeof w);
      snprintf(sub + len, sizeof sub - len, " (at %s = %s)",
               s->axis[1].in->path, w);
    }
  }
  /* The value --find found, for the first line. */
  plot_mark found[1];
  size_t nf = 0;
  char fl[2 * FMT_SIZE];
  if (s->has_find && s->find.found[0] && !s->find.whole[0]) {
    uinput_format(s->axis[0].in, s->find.value[0], b, sizeof b);
    snprintf(fl, sizeof fl, "found %s", b);
    found[nf++] = (plot_mark){s->find.value[0], fl, false};
  }
  plot_line pl = {title,
                  sub,
                  s->axis[0].in->path,
                  rf->label,
                  input_fmt(s->axis[0].in),
                  pfmt(rf->unit),
                  s->axis[0].log,
                  ser,
                  ns,
                  marks,
                  nm,
                  found,
                  nf};
  plot_line_svg(&pl, out);
  free(ser);
  free(xs);
  free(ys);
  free(names);
}

void capplan_plot_forecast(const capplan_forecast *f, capplan_buf *out) {
  double *xs = xcalloc(f->n_rows + 1, sizeof *xs);
  double *ys = xcalloc(f->n_rows + 1, sizeof *ys);
  size_t n = 0;
  for (size_t k = 0; k < f->n_rows; k++)
    if (f->rows[k].evaluated) {
      xs[n] = f->rows[k].x[0];
      ys[n++] = f->rows[k].fig[RF_COST];
    }
  plot_series ser = {NULL, xs, ys, n};
  plot_mark marks[1];
  size_t nm = 0;
  char lbl[2 * FMT_SIZE], b[FMT_SIZE], title[256], sub[256], g[FMT_SIZE];
  const capplan_check *c = check_of(f->r->plan, CAPPLAN_CHECK_COST);
  if (c) {
    snprintf(lbl, sizeof lbl, "budget %s",
             plot_number(PF_MONEY, c->limit, b, sizeof b));
    marks[nm++] = (plot_mark){c->limit, lbl, true};
  }
  snprintf(title, sizeof title, "%s: cost per year as traffic grows",
           f->r->model->name);
  snprintf(sub, sizeof sub, "%s/month growth, compounded",
           fmt_percent(f->growth, g, sizeof g));
  plot_mark over[1];
  size_t no = 0;
  char ol[FMT_SIZE];
  for (size_t k = 0; k < f->n_checks; k++)
    if (c && f->r->plan->checks[k].kind == CAPPLAN_CHECK_COST &&
        f->first_fail[k] != FORECAST_NEVER) {
      size_t len = strlen(sub);
      snprintf(sub + len, sizeof sub - len,
               " \xc2\xb7 over budget from month %zu", f->first_fail[k]);
      snprintf(ol, sizeof ol, "month %zu", f->first_fail[k]);
      over[no++] = (plot_mark){(double)f->first_fail[k], ol, true};
    }
  plot_line pl = {title, sub,  "month", "cost per year", PF_NUMBER, PF_MONEY,
                  false, &ser, 1,       marks,           nm,        over,
                  no};
  plot_line_svg(&pl, out);
  free(xs);
  free(ys);
}

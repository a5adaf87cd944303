/*
 * render_uncertain.c - see render_uncertain.h.
 *
 * Figures follow format.h's rules; a summary of trials may be a fraction
 * of a server (the 5th percentile of 33 and 34 servers is 33.4), so
 * counts there take one decimal.  Figures that are the same in every
 * trial are left out of the tables (JSON keeps them all), and a line
 * says how many.
 */
#include "render_uncertain.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "plot_svg.h"
#include "render.h"
#include "sensitivity.h"
#include "texttable.h"
#include "util.h"

#define BOLD "\033[1m"
#define GREEN "\033[32m"
#define RED "\033[31m"
#define OFF "\033[0m"

char *ufmt(enum fig_unit u, double x, bool stat, char *buf, size_t size) {
  switch (u) {
  case FU_COUNT:
    return stat ? fmt_number(x, 1, buf, size) : fmt_count(x, buf, size);
  case FU_MONEY:
    return fmt_money(x, buf, size);
  case FU_MS:
    return fmt_ms(x / 1000, buf, size);
  case FU_FRACTION:
    /* A figure kept as its up share alone: one that rounded to exactly 1
     * was above the cap of nines like the plan's, not "100.00%" (an
     * availability that is exactly 1 is above it too). */
    return fmt_availability(x, x < 1 ? 1 - x : 1e-300, buf, size);
  }
  return fmt_number(x, 2, buf, size);
}

char *ufmt_se(enum fig_unit u, double se, char *buf, size_t size) {
  char v[FMT_SIZE];
  switch (u) {
  case FU_COUNT:
    fmt_number_sig(se, 2, v, sizeof v);
    break;
  case FU_MONEY:
    fmt_money(se, v, sizeof v);
    break;
  case FU_MS:
    fmt_ms(se / 1000, v, sizeof v);
    break;
  case FU_FRACTION: {
    char p[FMT_SIZE];
    snprintf(v, sizeof v, "%s pp", fmt_number_sig(se * 100, 2, p, sizeof p));
    break;
  }
  }
  snprintf(buf, size, "\xc2\xb1%s", v);
  return buf;
}

void uinput_ends(const uinput *in, char b[][FMT_SIZE]) {
  uinput_format(in, dist_quantile_in(&in->d, 0.05), b[0], FMT_SIZE);
  uinput_format(in, in->point, b[1], FMT_SIZE);
  uinput_format(in, dist_quantile_in(&in->d, 0.95), b[2], FMT_SIZE);
}

const char *uinput_shape(const uinput *in) {
  const dist *d = &in->d;
  if (d->interval)
    return d->shape == SHAPE_LOGNORMAL ? "lognormal (90% interval)"
                                       : "normal (90% interval)";
  return dist_shape_name(d->shape);
}

bool uncertain_shown(const mc_fig *f) {
  return f->varies || !strncmp(f->path, "totals.", 7);
}

size_t uncertain_left_out(const mc_result *mc) {
  size_t n = 0;
  for (size_t i = 0; i < mc->n_figs; i++)
    n += !uncertain_shown(&mc->figs[i]);
  return n;
}

void render_uncertain_note(const capplan_report *r, capplan_buf *out) {
  if (!r->inputs || !r->inputs->n_ranged)
    return;
  char n[FMT_SIZE];
  capplan_buf_printf(out,
                     "inputs: %s range%s, each at its median in the plan "
                     "below (the median plan)",
                     fmt_count((double)r->inputs->n_ranged, n, sizeof n),
                     r->inputs->n_ranged == 1 ? "" : "s");
  if (r->mc)
    capplan_buf_puts(out, "; Monte Carlo after it");
  capplan_buf_putc(out, '\n');
}

/* The trials line: how many, the seed, what failed. */
static void trials_line(const mc_result *mc, capplan_buf *out) {
  char a[FMT_SIZE], b[FMT_SIZE], c[FMT_SIZE], d[FMT_SIZE];
  capplan_buf_printf(out,
                     "trials: %s (seed %llu); %s evaluated, %s failed (a "
                     "figure no double holds), %s with a stage overloaded "
                     "or unmet\n",
                     fmt_count((double)mc->samples, a, sizeof a),
                     (unsigned long long)mc->seed,
                     fmt_count((double)mc->evaluated, b, sizeof b),
                     fmt_count((double)mc->failed, c, sizeof c),
                     fmt_count((double)mc->infeasible, d, sizeof d));
}

static void inputs_table(const capplan_report *r,
                         const capplan_render_opts *opts, capplan_buf *out) {
  const uinputs *u = r->inputs;
  ttable *t = tt_new(6, "lllrrr");
  static const int prio[] = {0, 4, 3, 5, 0, 5};
  for (size_t c = 0; c < 6; c++)
    tt_priority(t, c, prio[c]);
  tt_row(t, TT_HEADER);
  const char *head[] = {"range", "as written", "distribution",
                        "p5",    "median",     "p95"};
  for (size_t c = 0; c < 6; c++)
    tt_cell(t, head[c]);
  char b[3][FMT_SIZE];
  for (size_t k = 0; k < u->n_ranged; k++) {
    const uinput *in = &u->items[k];
    tt_row(t, TT_PLAIN);
    tt_cell(t, in->path);
    tt_cell(t, in->text);
    tt_cell(t, uinput_shape(in));
    uinput_ends(in, b);
    tt_cell(t, b[0]);
    tt_cell(t, b[1]);
    tt_cell(t, b[2]);
  }
  tt_render_fit(t, opts->color, "", opts->width, NULL, out);
  tt_free(t);
}

static void figures_table(const mc_result *mc, const capplan_render_opts *opts,
                          capplan_buf *out) {
  ttable *t = tt_new(7, "lrrrrrr");
  static const int prio[] = {0, 4, 5, 0, 0, 0, 3};
  for (size_t c = 0; c < 7; c++)
    tt_priority(t, c, prio[c]);
  tt_row(t, TT_HEADER);
  const char *head[] = {"figure", "plan", "mean",          "p5",
                        "p50",    "p95",  "\xc2\xb1stderr"};
  for (size_t c = 0; c < 7; c++)
    tt_cell(t, head[c]);
  char b[6][FMT_SIZE];
  for (size_t i = 0; i < mc->n_figs; i++) {
    const mc_fig *f = &mc->figs[i];
    if (!uncertain_shown(f))
      continue;
    bool total = !strncmp(f->path, "totals.", 7);
    tt_row(t, total ? TT_BOLD : TT_PLAIN);
    char label[2 * FMT_SIZE];
    snprintf(label, sizeof label, "%s%s", total ? "total " : "", f->label);
    tt_cell(t, label);
    tt_cell(t, ufmt(f->unit, f->plan, false, b[0], FMT_SIZE));
    tt_cell(t, ufmt(f->unit, f->s.mean, true, b[1], FMT_SIZE));
    tt_cell(t, ufmt(f->unit, f->s.p5, true, b[2], FMT_SIZE));
    tt_cell(t, ufmt(f->unit, f->s.p50, true, b[3], FMT_SIZE));
    tt_cell(t, ufmt(f->unit, f->s.p95, true, b[4], FMT_SIZE));
    tt_cell(t, ufmt_se(f->unit, f->s.stderr_mean, b[5], FMT_SIZE));
  }
  tt_render_fit(t, opts->color, "", opts->width, NULL, out);
  tt_free(t);
}

/* The checks on Monte Carlo: the share of trials that pass each. */
static void checks_table(const capplan_report *r, bool color,
                         capplan_buf *out) {
  const mc_result *mc = r->mc;
  char conf[FMT_SIZE];
  fmt_percent(mc->confidence, conf, sizeof conf);
  capplan_buf_printf(out, "%schecks at %s confidence%s\n", color ? BOLD : "",
                     conf, color ? OFF : "");
  ttable *t = tt_new(5, "llrll");
  for (size_t c = 0; c < mc->n_checks; c++) {
    const mc_check *k = &mc->checks[c];
    const capplan_check *pc = &r->plan->checks[c];
    char p[FMT_SIZE], lim[FMT_SIZE], what[3 * FMT_SIZE];
    tt_row(t, TT_PLAIN);
    if (color)
      tt_cell_raw(t, k->passed ? GREEN "pass" OFF : RED "FAIL" OFF);
    else
      tt_cell(t, k->passed ? "pass" : "FAIL");
    tt_cell(t, k->name);
    snprintf(what, sizeof what, "%s %s", fmt_percent(k->p_pass, p, sizeof p),
             "of trials");
    tt_cell(t, what);
    snprintf(what, sizeof what, "keep %s %s", pc->upper ? "<=" : ">=",
             fmt_check_value(pc, pc->limit, true, lim, sizeof lim));
    tt_cell(t, what);
    snprintf(what, sizeof what, "(needs %s)", conf);
    tt_cell(t, what);
  }
  tt_render(t, false, "  ", out);
  tt_free(t);
}

static void sens_table(const capplan_report *r, const capplan_render_opts *opts,
                       capplan_buf *out) {
  const sens_result *s = r->sens;
  capplan_buf_printf(out,
                     "\n%ssensitivity%s: each range from p5 to p95, the "
                     "others at their medians; largest swing first\n",
                     opts->color ? BOLD : "", opts->color ? OFF : "");
  ttable *t = tt_new(7, "lrrrrrr");
  tt_row(t, TT_HEADER);
  char h[4][2 * FMT_SIZE];
  snprintf(h[0], sizeof h[0], "%s at p5", s->labels[0]);
  snprintf(h[1], sizeof h[1], "at p95");
  snprintf(h[2], sizeof h[2], "%s at p5 - p95", s->labels[1]);
  snprintf(h[3], sizeof h[3], "at p95");
  const char *head[] = {"range", "p5", "p95", h[0], h[1], "swing", h[2]};
  for (size_t c = 0; c < 7; c++)
    tt_cell(t, head[c]);
  char b[7][FMT_SIZE];
  for (size_t k = 0; k < s->n; k++) {
    const sens_item *it = &s->items[k];
    tt_row(t, TT_PLAIN);
    tt_cell(t, it->input->path);
    uinput_format(it->input, it->lo, b[0], FMT_SIZE);
    tt_cell(t, b[0]);
    uinput_format(it->input, it->hi, b[1], FMT_SIZE);
    tt_cell(t, b[1]);
    if (it->failed) {
      tt_cell(t, "(does not evaluate)");
      tt_cell(t, "");
      tt_cell(t, "");
      tt_cell(t, "");
      continue;
    }
    tt_cell(t, ufmt(s->units[0], it->at_lo[0], false, b[2], FMT_SIZE));
    tt_cell(t, ufmt(s->units[0], it->at_hi[0], false, b[3], FMT_SIZE));
    tt_cell(t, ufmt(s->units[0], it->swing, false, b[4], FMT_SIZE));
    snprintf(b[6], FMT_SIZE, "%s - %s",
             ufmt(s->units[1], it->at_lo[1], false, b[5], FMT_SIZE),
             ufmt(s->units[1], it->at_hi[1], false, b[2], FMT_SIZE));
    tt_cell(t, b[6]);
  }
  tt_render_fit(t, opts->color, "", opts->width, NULL, out);
  tt_free(t);
}

void render_uncertain_checks(const capplan_report *r,
                             const capplan_render_opts *opts,
                             capplan_buf *out) {
  if (!r->mc || !r->mc->n_checks)
    return;
  char a[FMT_SIZE];
  capplan_buf_printf(out,
                     "\nthe plan above is at every range's median; over %s "
                     "Monte Carlo trials (seed %llu):\n",
                     fmt_count((double)r->mc->samples, a, sizeof a),
                     (unsigned long long)r->mc->seed);
  checks_table(r, opts->color, out);
}

void render_uncertain_table(const capplan_report *r,
                            const capplan_render_opts *opts, capplan_buf *out) {
  if (!r->inputs || !r->inputs->n_ranged)
    return;
  bool color = opts->color;
  capplan_buf_printf(out, "\n%suncertainty%s: the plan's inputs as ranges\n",
                     color ? BOLD : "", color ? OFF : "");
  inputs_table(r, opts, out);
  const mc_result *mc = r->mc;
  if (mc) {
    capplan_buf_putc(out, '\n');
    figures_table(mc, opts, out);
    size_t constant = uncertain_left_out(mc);
    trials_line(mc, out);
    if (constant)
      capplan_buf_printf(out,
                         "figures the same in every trial are left out "
                         "(%zu; JSON has them)\n",
                         constant);
    if (mc->n_checks) {
      capplan_buf_putc(out, '\n');
      checks_table(r, color, out);
    }
  }
  if (r->sens)
    sens_table(r, opts, out);
}

/* ------------------------------------------------------------ markdown */

/* Appends S with markdown's markup characters escaped (as the report's). */
static void md_esc(capplan_buf *out, const char *s) {
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

void render_uncertain_markdown(const capplan_report *r, capplan_buf *out) {
  if (!r->inputs || !r->inputs->n_ranged)
    return;
  const uinputs *u = r->inputs;
  const mc_result *mc = r->mc;
  char b[6][FMT_SIZE];
  capplan_buf_puts(out, "\n#### Uncertainty\n\nThe plan above is at every "
                        "range's median (the median plan).\n\n"
                        "| range | as written | distribution | p5 | median "
                        "| p95 |\n|:--|:--|:--|--:|--:|--:|\n");
  for (size_t k = 0; k < u->n_ranged; k++) {
    const uinput *in = &u->items[k];
    capplan_buf_puts(out, "| ");
    md_esc(out, in->path);
    capplan_buf_puts(out, " | ");
    md_esc(out, in->text);
    uinput_ends(in, b);
    capplan_buf_printf(out, " | %s | %s | %s | %s |\n", uinput_shape(in), b[0],
                       b[1], b[2]);
  }
  if (mc) {
    capplan_buf_printf(
        out,
        "\nMonte Carlo: %s trials (seed %llu), %s evaluated, %s failed, %s "
        "with a stage overloaded or unmet.\n\n"
        "| figure | plan | mean | p5 | p50 | p95 | \xc2\xb1stderr |\n"
        "|:--|--:|--:|--:|--:|--:|--:|\n",
        fmt_count((double)mc->samples, b[0], FMT_SIZE),
        (unsigned long long)mc->seed,
        fmt_count((double)mc->evaluated, b[1], FMT_SIZE),
        fmt_count((double)mc->failed, b[2], FMT_SIZE),
        fmt_count((double)mc->infeasible, b[3], FMT_SIZE));
    for (size_t i = 0; i < mc->n_figs; i++) {
      const mc_fig *f = &mc->figs[i];
      if (!uncertain_shown(f))
        continue;
      bool total = !strncmp(f->path, "totals.", 7);
      capplan_buf_puts(out, total ? "| **total " : "| ");
      md_esc(out, f->label);
      capplan_buf_printf(out, "%s | %s | %s | %s | %s | %s | %s |\n",
                         total ? "**" : "",
                         ufmt(f->unit, f->plan, false, b[0], FMT_SIZE),
                         ufmt(f->unit, f->s.mean, true, b[1], FMT_SIZE),
                         ufmt(f->unit, f->s.p5, true, b[2], FMT_SIZE),
                         ufmt(f->unit, f->s.p50, true, b[3], FMT_SIZE),
                         ufmt(f->unit, f->s.p95, true, b[4], FMT_SIZE),
                         ufmt_se(f->unit, f->s.stderr_mean, b[5], FMT_SIZE));
    }
    size_t constant = uncertain_left_out(mc);
    if (constant)
      capplan_buf_printf(out,
                         "\n<sub>%zu figures the same in every trial are left "
                         "out; `--format json` has them.</sub>\n",
                         constant);
    if (mc->n_checks) {
      fmt_percent(mc->confidence, b[0], FMT_SIZE);
      capplan_buf_printf(out, "\n| | check | share of trials that pass | needs "
                              "|\n|:-:|:--|--:|--:|\n");
      for (size_t c = 0; c < mc->n_checks; c++) {
        const mc_check *k = &mc->checks[c];
        capplan_buf_printf(out, "| %s | %s | %s | %s |\n",
                           k->passed ? "\xe2\x9c\x85" : "\xe2\x9d\x8c", k->name,
                           fmt_percent(k->p_pass, b[1], FMT_SIZE), b[0]);
      }
    }
  }
  const sens_result *s = r->sens;
  if (s) {
    capplan_buf_printf(out,
                       "\nSensitivity: each range from p5 to p95, the others "
                       "at their medians.\n\n| range | p5 | p95 | %s at p5 "
                       "| at p95 | swing | %s |\n"
                       "|:--|--:|--:|--:|--:|--:|--:|\n",
                       s->labels[0], s->labels[1]);
    for (size_t k = 0; k < s->n; k++) {
      const sens_item *it = &s->items[k];
      capplan_buf_puts(out, "| ");
      md_esc(out, it->input->path);
      uinput_format(it->input, it->lo, b[0], FMT_SIZE);
      uinput_format(it->input, it->hi, b[1], FMT_SIZE);
      if (it->failed) {
        capplan_buf_printf(out, " | %s | %s | | | | |\n", b[0], b[1]);
        continue;
      }
      capplan_buf_printf(
          out, " | %s | %s | %s | %s | %s | %s \xe2\x80\x93 ", b[0], b[1],
          ufmt(s->units[0], it->at_lo[0], false, b[2], FMT_SIZE),
          ufmt(s->units[0], it->at_hi[0], false, b[3], FMT_SIZE),
          ufmt(s->units[0], it->swing, false, b[4], FMT_SIZE),
          ufmt(s->units[1], it->at_lo[1], false, b[5], FMT_SIZE));
      capplan_buf_printf(
          out, "%s |\n",
          ufmt(s->units[1], it->at_hi[1], false, b[0], FMT_SIZE));
    }
  }
}

/* ----------------------------------------------------------------- CSV */

static const char *const CSV_FIGS[] = {
    "servers",    "gpus",         "cost_per_year",
    "latency_ms", "availability", "effective_availability"};
static const char *const CSV_STATS[] = {"mean", "p5", "p50", "p95", "stderr"};

size_t render_uncertain_csv_columns(const capplan_report *r, size_t i,
                                    char *buf, size_t size) {
  size_t n = r->mc ? ARRAY_LEN(CSV_FIGS) * ARRAY_LEN(CSV_STATS) + 1 : 0;
  if (i >= n)
    return n;
  if (i + 1 == n)
    snprintf(buf, size, "p_pass");
  else
    snprintf(buf, size, "%s_%s", CSV_FIGS[i / ARRAY_LEN(CSV_STATS)],
             CSV_STATS[i % ARRAY_LEN(CSV_STATS)]);
  return n;
}

bool render_uncertain_csv_value(const capplan_report *r, const char *prefix,
                                size_t i, double *v) {
  const mc_result *mc = r->mc;
  size_t per = ARRAY_LEN(CSV_STATS);
  if (!mc || !prefix || i >= ARRAY_LEN(CSV_FIGS) * per)
    return false;
  char path[512];
  snprintf(path, sizeof path, "%s.%s", prefix, CSV_FIGS[i / per]);
  const mc_fig *f = mc_find(mc, path);
  if (!f)
    return false;
  const double stats[] = {f->s.mean, f->s.p5, f->s.p50, f->s.p95,
                          f->s.stderr_mean};
  *v = stats[i % per];
  return true;
}

/* ------------------------------------------------------------- explain */

void render_uncertain_working(const capplan_report *r, steps *s, step_list *l) {
  const uinputs *u = r->inputs;
  char b[6][FMT_SIZE];
  for (size_t k = 0; k < u->n_ranged; k++) {
    const uinput *in = &u->items[k];
    const dist *d = &in->d;
    uinput_format(in, in->point, b[0], FMT_SIZE);
    uinput_format(in, dist_mean(d), b[1], FMT_SIZE);
    switch (d->shape) {
    case SHAPE_LOGNORMAL:
      steps_say(s, l, "range",
                "%s: '%s', a 90%% interval with both ends positive, is "
                "lognormal (FORMULAS.md 5): mu = (ln low + ln high) / 2 = "
                "%.6f, sigma = (ln high - ln low) / (2 x 1.6448536) = %.6f; "
                "median e^mu = %s (the plan's value), mean e^(mu + "
                "sigma^2/2) = %s",
                in->path, in->text, d->a, d->b, b[0], b[1]);
      break;
    case SHAPE_NORMAL:
      if (d->interval)
        steps_say(s, l, "range",
                  "%s: '%s', a 90%% interval reaching 0 or below, is normal "
                  "(FORMULAS.md 5): mean (low + high) / 2 = %s, sd (high - "
                  "low) / (2 x 1.6448536) = %s; median %s (the plan's value)",
                  in->path, in->text, b[0],
                  (uinput_format(in, d->b, b[2], FMT_SIZE), b[2]), b[0]);
      else
        steps_say(s, l, "range",
                  "%s: '%s' is normal with mean %s and sd %s; median %s (the "
                  "plan's value)",
                  in->path, in->text, b[0],
                  (uinput_format(in, d->b, b[2], FMT_SIZE), b[2]), b[0]);
      break;
    case SHAPE_UNIFORM:
      steps_say(s, l, "range",
                "%s: '%s' is uniform between its ends; median %s (the "
                "plan's value), mean %s",
                in->path, in->text, b[0], b[1]);
      break;
    case SHAPE_TRIANGULAR:
      steps_say(s, l, "range",
                "%s: '%s' is triangular (low, mode, high); median %s (the "
                "plan's value), mean (low + mode + high) / 3 = %s",
                in->path, in->text, b[0], b[1]);
      break;
    case SHAPE_COUNT:
      break;
    }
    if (d->may_leave) {
      char range[128];
      schema_describe_range(in->key, range, sizeof range);
      double inside = 1 - (isfinite(d->lo) ? dist_cdf(d, d->lo) : 0) -
                      (isfinite(d->hi) ? 1 - dist_cdf(d, d->hi) : 0);
      steps_say(s, l, "",
                "a draw outside what '%s' takes (%s) is drawn "
                "again: %s of the distribution is cut off",
                in->key->name, range, fmt_percent(1 - inside, b[3], FMT_SIZE));
    }
    steps_say(s, l, "",
              "one draw per trial, used wherever %s is used (%zu "
              "place%s in the plan)",
              in->path, in->n_targets, in->n_targets == 1 ? "" : "s");
  }
  steps_say(s, l, "Monte Carlo",
            "each trial draws every range once, from a stream that depends "
            "only on the seed, the range and the trial (the same on any "
            "thread), and evaluates the whole plan: ceilings, constraints, "
            "statuses and checks. 'estimate' runs 10,000 trials with seed 1 "
            "(--samples, --seed); p5, p50 and p95 are exact order "
            "statistics, and a check passes when at least --confidence "
            "(95%%) of trials pass it");
}

/* --------------------------------------------------------------- plots */

static enum plot_fmt plot_fmt_of(enum fig_unit u) {
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

/* The plan's check of KIND, or NULL. */
static const capplan_check *check_of(const plan *pl,
                                     enum capplan_check_kind kind) {
  for (size_t i = 0; i < pl->n_checks; i++)
    if (pl->checks[i].kind == kind)
      return &pl->checks[i];
  return NULL;
}

int capplan_plot_report(const capplan_report *r, bool tornado,
                        capplan_buf *out) {
  char b[4][FMT_SIZE], title[256], sub[256];
  const capplan_check *budget = check_of(r->plan, CAPPLAN_CHECK_COST);
  plot_mark marks[4];
  size_t nm = 0;
  if (tornado) {
    const sens_result *s = r->sens;
    if (!s || !s->n)
      return -1;
    plot_bar *bars = xcalloc(s->n, sizeof *bars);
    char(*notes)[2 * FMT_SIZE + 8] = xcalloc(s->n, sizeof *notes);
    for (size_t k = 0; k < s->n; k++) {
      const sens_item *it = &s->items[k];
      uinput_format(it->input, it->lo, b[0], FMT_SIZE);
      uinput_format(it->input, it->hi, b[1], FMT_SIZE);
      snprintf(notes[k], sizeof notes[k], "%s \xe2\x80\x93 %s", b[0], b[1]);
      bars[k] = (plot_bar){it->input->path, notes[k],
                           it->failed ? s->base[0] : it->at_lo[0],
                           it->failed ? s->base[0] : it->at_hi[0]};
    }
    if (budget) {
      snprintf(b[2], FMT_SIZE, "budget %s",
               plot_number(PF_MONEY, budget->limit, b[3], FMT_SIZE));
      marks[nm++] = (plot_mark){budget->limit, b[2], true};
    }
    snprintf(title, sizeof title, "%s: what moves the cost", r->model->name);
    snprintf(sub, sizeof sub,
             "each range from p5 to p95, the others at their medians");
    plot_tornado t = {title, sub,  "cost per year", PF_MONEY, s->base[0],
                      bars,  s->n, marks,           nm};
    plot_tornado_svg(&t, out);
    free(bars);
    free(notes);
    return 0;
  }
  const mc_result *mc = r->mc;
  const mc_fig *f = mc ? mc_find(mc, "totals.cost_per_year") : NULL;
  if (!f || !mc->evaluated || !f->has_hist)
    return -1;
  const char *q[] = {"p5", "p50", "p95"};
  double at[] = {f->s.p5, f->s.p50, f->s.p95};
  char ql[3][2 * FMT_SIZE];
  for (int k = 0; k < 3; k++) {
    snprintf(ql[k], sizeof ql[k], "%s %s", q[k],
             plot_number(PF_MONEY, at[k], b[0], FMT_SIZE));
    marks[nm++] = (plot_mark){at[k], ql[k], false};
  }
  char lim[2 * FMT_SIZE];
  snprintf(sub, sizeof sub, "%s trials, seed %llu",
           fmt_count((double)mc->samples, b[0], FMT_SIZE),
           (unsigned long long)mc->seed);
  if (budget) {
    snprintf(lim, sizeof lim, "budget %s",
             plot_number(PF_MONEY, budget->limit, b[1], FMT_SIZE));
    marks[nm++] = (plot_mark){budget->limit, lim, true};
    for (size_t c = 0; c < mc->n_checks; c++)
      if (r->plan->checks[c].kind == CAPPLAN_CHECK_COST) {
        size_t len = strlen(sub);
        snprintf(sub + len, sizeof sub - len, " \xc2\xb7 P(within budget) %s",
                 fmt_percent(mc->checks[c].p_pass, b[2], FMT_SIZE));
      }
  }
  snprintf(title, sizeof title, "%s: cost per year", r->model->name);
  plot_hist h = {title,
                 sub,
                 "cost per year (the end bins hold the 0.5% beyond each)",
                 PF_MONEY,
                 f->hist_lo,
                 f->hist_hi,
                 f->hist,
                 MC_BINS,
                 marks,
                 nm};
  (void)plot_fmt_of;
  plot_hist_svg(&h, out);
  return 0;
}

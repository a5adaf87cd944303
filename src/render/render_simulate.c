/*
 * render_simulate.c - 'capplan simulate' as a table, JSON and CSV: what
 * was simulated, then per figure the simulated value with its 95%
 * interval, the analytic one beside it and the difference, flagged where
 * the analytic figure lies outside the interval (SPEC.md section 9).
 *
 * The figures are sim_plan.c's (sim_row); nothing is computed here but
 * units.  JSON keys are the analytic report's (latency_p99_ms, ...), with
 * the intervals, the analytic figures and the differences in objects of
 * the same keys (docs/simulate.schema.json).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "render.h"
#include "sim_plan.h"
#include "texttable.h"
#include "util.h"

/* What each figure is called in the table, and how it is shown. */
enum fig_kind { K_MS, K_SHARE, K_NUMBER, K_RATE };
static const struct {
  const char *label;
  enum fig_kind kind;
} figs[SIMF_COUNT] = {{"mean", K_MS},      {"p50", K_MS},   {"p95", K_MS},
                      {"p99", K_MS},       {"p99.9", K_MS}, {"busy", K_SHARE},
                      {"queue", K_NUMBER}, {"wait", K_MS},  {"QPS", K_RATE}};

/* ------------------------------------------------------------ numbers */

/* Decimals that show V with 4 significant digits (0 to 6), judged on V
 * rounded to them (0.99996 shows as 1.000, not 1.0000). */
static int decimals_for(double v) {
  char r[FMT_SIZE];
  snprintf(r, sizeof r, "%.3e", fabs(v));
  double a = strtod(r, NULL);
  if (!(a > 0))
    return 0;
  int d = 3 - (int)floor(log10(a));
  return d < 0 ? 0 : d > 6 ? 6 : d;
}

/* V with D decimals exactly, thousands separators in the whole part. */
static char *fixed(double v, int d, char *buf, size_t size) {
  char raw[FMT_SIZE];
  if (!isfinite(v))
    v = 0;
  snprintf(raw, sizeof raw, "%.*f", d, v);
  if (!strcmp(raw, "-0") ||
      (raw[0] == '-' && strspn(raw + 1, "0.") == strlen(raw + 1)))
    memmove(raw, raw + 1, strlen(raw)); /* no "-0.00" */
  const char *p = raw;
  size_t o = 0;
  if (*p == '-' && o + 1 < size)
    buf[o++] = *p++;
  size_t whole = strcspn(p, ".");
  for (size_t k = 0; k < whole && o + 2 < size; k++) {
    buf[o++] = p[k];
    size_t left = whole - k - 1;
    if (left > 0 && left % 3 == 0)
      buf[o++] = ',';
  }
  for (const char *q = p + whole; *q && o + 1 < size; q++)
    buf[o++] = *q;
  buf[o] = '\0';
  return buf;
}

/* The figure's unit scale (seconds shown as ms, shares as percent). */
static double scale(enum fig_kind k) {
  return k == K_MS ? 1000 : k == K_SHARE ? 100 : 1;
}

static int decimals(enum fig_kind k, double shown) {
  if (k == K_SHARE)
    return 2;
  if (k == K_RATE && fabs(shown) >= 100)
    return 0;
  return decimals_for(shown);
}

static const char *suffix(enum fig_kind k) {
  return k == K_MS ? " ms" : k == K_SHARE ? "%" : "";
}

static void value_cell(ttable *t, enum fig_kind k, double v) {
  char n[FMT_SIZE], b[FMT_SIZE];
  double s = v * scale(k);
  snprintf(b, sizeof b, "%s%s", fixed(s, decimals(k, s), n, sizeof n),
           suffix(k));
  tt_cell(t, b);
}

/* "101.0 - 101.4", in the value's decimals. */
static void interval_cell(ttable *t, enum fig_kind k, const sim_ci *c) {
  if (c->n < 2) {
    tt_cell(t, "-");
    return;
  }
  double s = scale(k);
  int d = decimals(k, c->value * s);
  char lo[FMT_SIZE], hi[FMT_SIZE], b[2 * FMT_SIZE + 8];
  snprintf(b, sizeof b, "%s - %s", fixed(c->lo * s, d, lo, sizeof lo),
           fixed(c->hi * s, d, hi, sizeof hi));
  tt_cell(t, b);
}

/* Whether V shows as 0 in the table (value_cell's decimals). */
static bool shown_zero(enum fig_kind k, double v) {
  char raw[FMT_SIZE];
  double s = v * scale(k);
  snprintf(raw, sizeof raw, "%.*f", decimals(k, s), fabs(s));
  return strtod(raw, NULL) == 0;
}

/* Whether C's simulated and analytic figures both show as 0: a wait
 * never seen in the simulation against one the plan puts at nanoseconds.
 * Their relative difference (-100%, or none) says nothing the output
 * resolves, so the table shows '-' and JSON and CSV leave it out; the
 * absolute difference stays in JSON and CSV. */
static bool both_shown_zero(enum fig_kind k, const sim_cmp *c) {
  return k != K_SHARE && c->known && shown_zero(k, c->sim.value) &&
         shown_zero(k, c->analytic);
}

/* Whether C has a relative difference worth giving. */
static bool has_relative(enum fig_kind k, const sim_cmp *c) {
  return c->known && c->has_rel && !both_shown_zero(k, c);
}

/* The difference: relative, or in points for a share, or in the unit
 * when the analytic figure is 0, the simulated one shows as 0 (the ratio
 * is -100% however small the analytic figure) or the ratio would pass
 * 1,000% (a wait the plan puts at nearly nothing); '-' when both figures
 * show as 0. */
static void difference_cell(ttable *t, enum fig_kind k, const sim_cmp *c,
                            bool *zeros) {
  char n[FMT_SIZE], b[FMT_SIZE];
  if (!c->known) {
    tt_cell(t, NULL);
    return;
  }
  if (both_shown_zero(k, c)) {
    tt_cell(t, "-");
    *zeros = true;
    return;
  }
  if (k == K_SHARE) {
    double pp = c->diff * 100;
    snprintf(b, sizeof b, "%s%s pp", pp >= 0 ? "+" : "",
             fixed(pp, 2, n, sizeof n));
  } else if (c->has_rel && fabs(c->rel) < 9.995 &&
             !shown_zero(k, c->sim.value)) {
    double pct = c->rel * 100;
    snprintf(b, sizeof b, "%s%s%%", pct >= 0 ? "+" : "",
             fixed(pct, fabs(pct) < 10 ? 2 : 1, n, sizeof n));
  } else {
    double s = c->diff * scale(k);
    snprintf(b, sizeof b, "%s%s%s", s >= 0 ? "+" : "",
             fixed(s, decimals(k, s), n, sizeof n), suffix(k));
  }
  tt_cell(t, b);
}

/* ------------------------------------------------------------ table */

static const char *stage_name(const capplan_simulation *s, const sim_row *r) {
  return r->stage < 0 ? "end to end" : s->report->model->stage[r->stage].name;
}

static const char *service_name(sim_service k) {
  static const char *const names[] = {"exponential", "deterministic",
                                      "lognormal", "gamma"};
  return names[k];
}

/* The plan's balancer; a batching stage's calls pick a slot (PER_SLOT). */
static const char *balancer_name(const sim_stage *st, const char *per_slot) {
  if (st->batching.enabled && st->batching.placement == SIM_BATCH_SHARED)
    return "one batcher";
  return st->batching.enabled         ? per_slot
         : st->balancer == SIM_RANDOM ? "random"
                                      : "least-loaded";
}

/* What was run: the run's length, traffic, warm-up and intervals. */
static void header(const capplan_simulation *s, capplan_buf *out) {
  const capplan_model *m = s->report->model;
  const sim_input *in = &s->net.in;
  const sim_result *res = s->res;
  char a[FMT_SIZE], b[FMT_SIZE], c[FMT_SIZE];
  text_puts(out, m->name); /* escaped: a spec's text */
  capplan_buf_puts(out, ": simulation of ");
  if (in->replications > 1)
    capplan_buf_printf(out, "%u replications of ", in->replications);
  if (in->requests)
    capplan_buf_printf(out, "%s requests",
                       fmt_count((double)in->requests, a, sizeof a));
  else
    capplan_buf_printf(out, "%s s of traffic",
                       fmt_number(in->duration, 3, a, sizeof a));
  capplan_buf_printf(out, ", seed %llu\n", (unsigned long long)in->seed);
  capplan_buf_printf(out, "traffic: %s QPS, ",
                     fmt_rate(in->lambda, a, sizeof a));
  if (in->arrival_cv == 1)
    capplan_buf_puts(out, "Poisson arrivals\n");
  else if (in->arrival_cv == 0)
    capplan_buf_puts(out, "arrivals evenly spaced\n");
  else
    capplan_buf_printf(out, "gaps between arrivals of cv %s (gamma)\n",
                       fmt_number(in->arrival_cv, 3, b, sizeof b));
  const char *each = in->replications > 1 ? " of each replication" : "";
  if (in->requests) {
    double w =
        in->warmup >= 0 ? floor(in->warmup) : floor((double)in->requests / 10);
    capplan_buf_printf(out, "warm-up: the first %s requests%s deleted; ",
                       fmt_count(w, a, sizeof a), each);
  } else {
    double w = in->warmup >= 0 ? in->warmup : in->duration / 10;
    capplan_buf_printf(out, "warm-up: the first %s s%s deleted; ",
                       fmt_number(w, 3, a, sizeof a), each);
  }
  if (res->method == SIM_CI_REPLICATIONS)
    capplan_buf_printf(out, "95%% intervals from %u replications\n",
                       res->sections);
  else
    capplan_buf_printf(out, "95%% intervals from %u batch means\n",
                       res->sections);
  capplan_buf_printf(
      out, "measured: %s requests; %s events over %s s simulated%s\n\n",
      fmt_count((double)res->measured, a, sizeof a),
      fmt_count((double)res->events, b, sizeof b),
      fmt_number(res->simulated_time, 2, c, sizeof c),
      res->aborted ? " (stopped early)" : "");
}

/* Each stage as simulated: its queue, slots, balancer, service, batch. */
static void setup_table(const capplan_simulation *s,
                        const capplan_render_opts *opts, capplan_buf *out) {
  const capplan_report *r = s->report;
  ttable *t = tt_new(7, "llrllll");
  tt_row(t, TT_HEADER);
  const char *head[] = {"stage",   "queue",   "slots", "balancer",
                        "service", "batches", "status"};
  for (size_t c = 0; c < 7; c++)
    tt_cell(t, head[c]);
  char b[4][FMT_SIZE], cell[4 * FMT_SIZE];
  for (size_t j = 0; j < s->net.n; j++) {
    const sim_row *row = &s->rows[j];
    const sim_stage *st = &s->net.stages[j];
    const queue_plan *qp = &r->plan->stage[row->stage].queue;
    tt_row(t, TT_PLAIN);
    if (st->async) {
      snprintf(cell, sizeof cell, "%s (async)", st->name);
      tt_cell(t, cell);
    } else {
      tt_cell(t, st->name);
    }
    tt_cell(t, queue_model_name(qp->model));
    tt_cell(t,
            fmt_count((double)st->servers * st->concurrency, b[0], FMT_SIZE));
    tt_cell(t, balancer_name(st, "per slot"));
    if (st->batching.enabled && st->batching.per_item > 0)
      snprintf(cell, sizeof cell, "%s, %s + %s x b", service_name(st->service),
               fmt_ms(st->batching.base, b[1], FMT_SIZE),
               fmt_ms(st->batching.per_item, b[2], FMT_SIZE));
    else if (st->service == SIM_LOGNORMAL || st->service == SIM_GAMMA)
      snprintf(cell, sizeof cell, "%s, %s, cv %s", service_name(st->service),
               fmt_ms(st->service_mean, b[1], FMT_SIZE),
               fmt_number(st->service_cv, 3, b[2], FMT_SIZE));
    else
      snprintf(cell, sizeof cell, "%s, %s", service_name(st->service),
               fmt_ms(st->service_mean, b[1], FMT_SIZE));
    tt_cell(t, cell);
    if (st->batching.enabled) {
      /* A fixed batch waits to fill; another kind's goes at its window. */
      if (r->model->stage[row->stage].tp.kind == TP_BATCH)
        snprintf(cell, sizeof cell, "fills to %s, mean %s",
                 fmt_count(st->batching.max_batch, b[2], FMT_SIZE),
                 fmt_number(row->batch_mean, 2, b[3], FMT_SIZE));
      else if (st->batching.max_batch >= (1u << 20)) /* no max_batch */
        snprintf(cell, sizeof cell, "in %s, mean %s",
                 fmt_ms(st->batching.window, b[1], FMT_SIZE),
                 fmt_number(row->batch_mean, 2, b[3], FMT_SIZE));
      else
        snprintf(cell, sizeof cell, "up to %s in %s, mean %s",
                 fmt_count(st->batching.max_batch, b[2], FMT_SIZE),
                 fmt_ms(st->batching.window, b[1], FMT_SIZE),
                 fmt_number(row->batch_mean, 2, b[3], FMT_SIZE));
      tt_cell(t, cell);
    } else {
      tt_cell(t, "-");
    }
    tt_cell(t, sim_row_status_name(row->status));
  }
  tt_render(t, opts->color, "", out);
  tt_free(t);
}

static void figure_rows(ttable *t, const capplan_simulation *s,
                        const sim_row *row, bool *flagged, bool *zeros) {
  bool first = true;
  char n[FMT_SIZE];
  for (int k = 0; k < SIMF_COUNT; k++) {
    const sim_cmp *c = &row->fig[k];
    if (!c->has)
      continue;
    tt_row(t, TT_PLAIN);
    tt_cell(t, first ? stage_name(s, row) : NULL);
    first = false;
    tt_cell(t, figs[k].label);
    value_cell(t, figs[k].kind, c->sim.value);
    interval_cell(t, figs[k].kind, &c->sim);
    if (c->known)
      value_cell(t, figs[k].kind, c->analytic);
    else
      tt_cell(t, "-");
    difference_cell(t, figs[k].kind, c, zeros);
    tt_cell(t, c->outside ? "*" : NULL);
    *flagged = *flagged || c->outside;
  }
  tt_row(t, TT_DIM);
  tt_cell(t, NULL);
  tt_cell(t, row->stage < 0 ? "requests" : "visits");
  tt_cell(t, fmt_count((double)row->completed, n, sizeof n));
}

void render_table_simulate(const void *subject, const capplan_render_opts *opts,
                           capplan_buf *out) {
  const capplan_simulation *s = subject;
  header(s, out);
  setup_table(s, opts, out);
  capplan_buf_putc(out, '\n');
  ttable *t = tt_new(7, "llrrrrl");
  tt_row(t, TT_HEADER);
  const char *head[] = {"stage",    "figure",     "simulated", "95% interval",
                        "analytic", "difference", ""};
  for (size_t c = 0; c < 7; c++)
    tt_cell(t, head[c]);
  bool flagged = false, zeros = false;
  figure_rows(t, s, &s->rows[s->n_rows - 1], &flagged, &zeros);
  for (size_t j = 0; j + 1 < s->n_rows; j++)
    figure_rows(t, s, &s->rows[j], &flagged, &zeros);
  tt_render(t, opts->color, "", out);
  tt_free(t);
  capplan_buf_puts(
      out, "\nanalytic: the plan's queues, as 'capplan estimate' works them "
           "out; a stage's\nlatency is one visit (its calls, cache hits and "
           "batch forming included), where\nestimate's queue table gives "
           "one call; queue and wait are per call, the wait\nwith any batch "
           "forming (estimate's queue wait_with_forming_mean_ms)\n");
  if (zeros)
    capplan_buf_puts(out, "- both figures show as 0: no relative "
                          "difference\n");
  if (flagged)
    capplan_buf_puts(out, "* the analytic figure lies outside the "
                          "simulation's 95% interval\n");
}

/* ------------------------------------------------------------- JSON */

/* A small JSON writer with the report's rules (render_json.c,
 * docs/report.md): numbers rounded to 12 significant digits, strings
 * escaped so that no control character or stray byte gets through, keys
 * in a fixed order, two spaces per level, arrays of strings on one
 * line.  Its own here, so that this view needs nothing of another's. */
typedef struct jw {
  capplan_buf *out;
  int depth;
  bool empty[8]; /* per level: no member yet */
} jw;

/* V rounded to 12 significant digits, as JSON text: whole numbers below
 * 1e12 as they are, never -0, never NaN or Inf (0 stands in). */
static void j_number_text(double v, char buf[32]) {
  if (!isfinite(v) || v == 0) {
    strcpy(buf, "0");
    return;
  }
  if (fabs(v) < 1e12 && v == floor(v)) {
    snprintf(buf, 32, "%.0f", v);
    return;
  }
  char g[64];
  snprintf(g, sizeof g, "%.12g", v);
  double r = strtod(g, NULL);
  if (r == floor(r) && fabs(r) < 1e12)
    snprintf(buf, 32, "%.0f", r == 0 ? 0 : r);
  else
    snprintf(buf, 32, "%1.15g", r);
}

/* S as a JSON string: quote and backslash escaped; \b \f \n \r \t by
 * name; other C0 controls, DEL and the C1 controls as \u escapes; a byte
 * that is not UTF-8 as U+FFFD (JSON text is UTF-8, docs/security.md). */
static void j_string_text(capplan_buf *b, const char *s) {
  capplan_buf_putc(b, '"');
  size_t n = strlen(s), i = 0;
  while (i < n) {
    size_t plain = text_plain_prefix(s + i, n - i, 0);
    for (size_t k = 0; k < plain; k++) {
      if (s[i + k] == '"' || s[i + k] == '\\')
        capplan_buf_putc(b, '\\');
      capplan_buf_putc(b, s[i + k]);
    }
    i += plain;
    if (i >= n)
      break;
    unsigned char c = (unsigned char)s[i];
    const char *named = c == '\b'   ? "\\b"
                        : c == '\f' ? "\\f"
                        : c == '\n' ? "\\n"
                        : c == '\r' ? "\\r"
                        : c == '\t' ? "\\t"
                                    : NULL;
    capplan_buf esc;
    capplan_buf_init(&esc);
    size_t used = text_escape_one(&esc, s + i, n - i);
    if (named)
      capplan_buf_puts(b, named);
    else if (esc.len == 6) /* \u0085: C1, the same escape in JSON */
      capplan_buf_put(b, esc.data, esc.len);
    else if (c < 0x80) /* C0, DEL */
      capplan_buf_printf(b, "\\u%04x", (unsigned)c);
    else /* not UTF-8 */
      capplan_buf_puts(b, "\\ufffd");
    capplan_buf_release(&esc);
    i += used;
  }
  capplan_buf_putc(b, '"');
}

/* Starts member KEY (NULL: an array element) of the current level. */
static void j_member(jw *w, const char *key) {
  capplan_buf_puts(w->out, w->empty[w->depth] ? "\n" : ",\n");
  w->empty[w->depth] = false;
  for (int k = 0; k < w->depth; k++)
    capplan_buf_puts(w->out, "  ");
  if (key) {
    j_string_text(w->out, key);
    capplan_buf_puts(w->out, ": ");
  }
}

static void j_begin(jw *w, const char *key, char c) {
  if (w->depth > 0)
    j_member(w, key);
  capplan_buf_putc(w->out, c);
  w->empty[++w->depth] = true;
}

static void j_end(jw *w, char c) {
  if (!w->empty[w->depth--]) {
    capplan_buf_putc(w->out, '\n');
    for (int k = 0; k < w->depth; k++)
      capplan_buf_puts(w->out, "  ");
  }
  capplan_buf_putc(w->out, c);
}

static void j_num(jw *w, const char *key, double v) {
  char b[32];
  j_number_text(v, b);
  j_member(w, key);
  capplan_buf_puts(w->out, b);
}

/* A count exactly, whatever its size (a seed may pass 2^53, where a
 * double and the 12 significant digits of the other numbers round it). */
static void j_count(jw *w, const char *key, uint64_t v) {
  j_member(w, key);
  capplan_buf_printf(w->out, "%llu", (unsigned long long)v);
}

static void j_str(jw *w, const char *key, const char *s) {
  j_member(w, key);
  if (s)
    j_string_text(w->out, s);
  else
    capplan_buf_puts(w->out, "null");
}

static void j_null(jw *w, const char *key) {
  j_member(w, key);
  capplan_buf_puts(w->out, "null");
}

static void j_bool(jw *w, const char *key, bool v) {
  j_member(w, key);
  capplan_buf_puts(w->out, v ? "true" : "false");
}

/* The figure K in its key's unit. */
static double in_unit(int k, double v) {
  return figs[k].kind == K_MS ? v * 1000 : v;
}

/* Which of a figure's numbers an object of the row holds. */
enum part { P_LOW, P_HIGH, P_ANALYTIC, P_DIFF, P_REL };

/* One object of ROW's figures: KEY: the PART of each, or null. */
static void part_json(jw *w, const char *name, const sim_row *row,
                      enum part part) {
  j_begin(w, name, '{');
  for (int k = 0; k < SIMF_COUNT; k++) {
    const sim_cmp *c = &row->fig[k];
    if (!c->has)
      continue;
    bool have = part <= P_HIGH  ? c->sim.n >= 2
                : part == P_REL ? has_relative(figs[k].kind, c)
                                : c->known;
    double v = part == P_LOW        ? in_unit(k, c->sim.lo)
               : part == P_HIGH     ? in_unit(k, c->sim.hi)
               : part == P_ANALYTIC ? in_unit(k, c->analytic)
               : part == P_DIFF     ? in_unit(k, c->diff)
                                    : c->rel;
    if (have)
      j_num(w, sim_fig_key[k], v);
    else
      j_null(w, sim_fig_key[k]);
  }
  j_end(w, '}');
}

static void row_json(jw *w, const char *key, const capplan_simulation *s,
                     const sim_row *row) {
  j_begin(w, key, '{');
  if (row->stage >= 0) {
    size_t j = (size_t)s->net.sim_of[row->stage];
    const sim_stage *st = &s->net.stages[j];
    const queue_plan *qp = &s->report->plan->stage[row->stage].queue;
    j_str(w, "name", st->name);
    j_str(w, "status", sim_row_status_name(row->status));
    j_bool(w, "async", st->async);
    j_begin(w, "simulated_as", '{');
    j_str(w, "queue", queue_model_name(qp->model));
    j_num(w, "servers", qp->servers);
    j_num(w, "slots", (double)st->servers * st->concurrency);
    j_str(w, "balancer", balancer_name(st, "per-slot"));
    j_str(w, "service", service_name(st->service));
    j_num(w, "service_ms", st->service_mean * 1000);
    j_num(w, "service_cv",
          st->service == SIM_EXPONENTIAL     ? 1
          : st->service == SIM_DETERMINISTIC ? 0
                                             : st->service_cv);
    if (st->batching.enabled) {
      j_begin(w, "batch", '{');
      j_num(w, "size", st->batching.max_batch);
      j_num(w, "timeout_ms", st->batching.window * 1000);
      j_num(w, "mean_size", row->batch_mean);
      j_end(w, '}');
    } else {
      j_null(w, "batch");
    }
    j_end(w, '}');
  } else {
    j_str(w, "status", sim_row_status_name(row->status));
  }
  j_count(w, "completed", row->completed);
  for (int k = 0; k < SIMF_COUNT; k++)
    if (row->fig[k].has)
      j_num(w, sim_fig_key[k], in_unit(k, row->fig[k].sim.value));
  j_num(w, "interval_sections", row->fig[SIMF_RATE].sim.n);
  part_json(w, "interval_low", row, P_LOW);
  part_json(w, "interval_high", row, P_HIGH);
  part_json(w, "analytic", row, P_ANALYTIC);
  part_json(w, "difference", row, P_DIFF);
  part_json(w, "relative_difference", row, P_REL);
  /* The keys flagged, on one line as the report writes lists of names. */
  j_member(w, "outside_interval");
  capplan_buf_putc(w->out, '[');
  bool first = true;
  for (int k = 0; k < SIMF_COUNT; k++)
    if (row->fig[k].has && row->fig[k].outside) {
      capplan_buf_puts(w->out, first ? "" : ", ");
      j_string_text(w->out, sim_fig_key[k]);
      first = false;
    }
  capplan_buf_putc(w->out, ']');
  if (s->res->method == SIM_CI_BATCH_MEANS)
    j_num(w, "batch_lag1", row->lag1);
  j_end(w, '}');
}

void render_json_simulate(const void *subject, const capplan_render_opts *opts,
                          capplan_buf *out) {
  (void)opts;
  const capplan_simulation *s = subject;
  const capplan_model *m = s->report->model;
  const sim_input *in = &s->net.in;
  const sim_result *res = s->res;
  jw w = {out, 0, {true}};
  j_begin(&w, NULL, '{');
  j_str(&w, "schema_version", CAPPLAN_REPORT_SCHEMA_VERSION);
  j_begin(&w, "tool", '{');
  j_str(&w, "name", "capplan");
  j_str(&w, "version", CAPPLAN_VERSION);
  j_end(&w, '}');
  j_str(&w, "kind", "simulation");
  j_begin(&w, "spec", '{');
  j_str(&w, "name", m->name);
  j_str(&w, "path", m->path);
  j_end(&w, '}');
  j_begin(&w, "simulation", '{');
  j_num(&w, "qps", in->lambda);
  j_num(&w, "arrival_cv", in->arrival_cv);
  if (in->requests) {
    j_count(&w, "requests", in->requests);
    j_null(&w, "duration_s");
    j_num(&w, "warmup_requests",
          in->warmup >= 0 ? floor(in->warmup)
                          : floor((double)in->requests / 10));
  } else {
    j_null(&w, "requests");
    j_num(&w, "duration_s", in->duration);
    j_num(&w, "warmup_s", in->warmup >= 0 ? in->warmup : in->duration / 10);
  }
  j_num(&w, "replications", in->replications);
  j_count(&w, "seed", in->seed);
  j_str(&w, "interval_method",
        res->method == SIM_CI_REPLICATIONS ? "replications" : "batch-means");
  j_num(&w, "interval_sections", res->sections);
  j_num(&w, "confidence", 0.95);
  j_count(&w, "requests_simulated", res->requests);
  j_count(&w, "requests_measured", res->measured);
  j_count(&w, "events", res->events);
  j_num(&w, "simulated_s", res->simulated_time);
  j_bool(&w, "stopped_early", res->aborted);
  j_end(&w, '}');
  j_begin(&w, "stages", '[');
  for (size_t j = 0; j + 1 < s->n_rows; j++)
    row_json(&w, NULL, s, &s->rows[j]);
  j_end(&w, ']');
  row_json(&w, "totals", s, &s->rows[s->n_rows - 1]);
  j_end(&w, '}');
  capplan_buf_putc(out, '\n');
}

/* -------------------------------------------------------------- CSV */

/* CSV by render_csv.c's rules (RFC 4180): a field with a comma or a quote
 * quoted, quotes doubled; control characters shown as escapes, so no
 * field holds a line break; numbers plain, 12 significant digits; rows
 * end in CRLF. */
static void csv_field(capplan_buf *out, const char *s, bool first) {
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

static void csv_number(capplan_buf *out, double v) {
  char buf[64];
  snprintf(buf, sizeof buf, "%.12g", isfinite(v) && v != 0 ? v : 0.0);
  csv_field(out, buf, false);
}

static void csv_opt(capplan_buf *out, bool have, double v) {
  if (have)
    csv_number(out, v);
  else
    csv_field(out, NULL, false);
}

void render_csv_simulate(const void *subject, const capplan_render_opts *opts,
                         capplan_buf *out) {
  (void)opts;
  const capplan_simulation *s = subject;
  static const char *const cols[] = {"stage",           "status",
                                     "figure",          "simulated",
                                     "ci_low",          "ci_high",
                                     "sections",        "analytic",
                                     "difference",      "relative_difference",
                                     "outside_interval"};
  for (size_t c = 0; c < ARRAY_LEN(cols); c++)
    csv_field(out, cols[c], c == 0);
  capplan_buf_puts(out, "\r\n");
  for (size_t n = 0; n < s->n_rows; n++) {
    /* End to end first, as in the table. */
    const sim_row *row = &s->rows[n == 0 ? s->n_rows - 1 : n - 1];
    const char *name = row->stage < 0 ? "(end to end)" : stage_name(s, row);
    for (int k = 0; k < SIMF_COUNT; k++) {
      const sim_cmp *c = &row->fig[k];
      if (!c->has)
        continue;
      csv_field(out, name, true);
      csv_field(out, sim_row_status_name(row->status), false);
      csv_field(out, sim_fig_key[k], false);
      csv_number(out, in_unit(k, c->sim.value));
      csv_opt(out, c->sim.n >= 2, in_unit(k, c->sim.lo));
      csv_opt(out, c->sim.n >= 2, in_unit(k, c->sim.hi));
      csv_number(out, c->sim.n);
      csv_opt(out, c->known, in_unit(k, c->analytic));
      csv_opt(out, c->known, in_unit(k, c->diff));
      csv_opt(out, has_relative(figs[k].kind, c), c->rel);
      csv_field(out, c->outside ? "true" : "false", false);
      capplan_buf_puts(out, "\r\n");
    }
    csv_field(out, name, true);
    csv_field(out, sim_row_status_name(row->status), false);
    csv_field(out, "completed", false);
    csv_number(out, (double)row->completed);
    for (int c = 0; c < 7; c++)
      csv_field(out, NULL, false);
    capplan_buf_puts(out, "\r\n");
  }
}

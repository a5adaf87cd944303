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
#include <cJSON.h>
#include <math.h>
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

/* The difference: relative, or in points for a share, or in the unit
 * when the analytic figure is 0 or the ratio would pass 1,000% (a wait
 * the plan puts at nearly nothing). */
static void difference_cell(ttable *t, enum fig_kind k, const sim_cmp *c) {
  char n[FMT_SIZE], b[FMT_SIZE];
  if (!c->known) {
    tt_cell(t, NULL);
    return;
  }
  if (k == K_SHARE) {
    double pp = c->diff * 100;
    snprintf(b, sizeof b, "%s%s pp", pp >= 0 ? "+" : "",
             fixed(pp, 2, n, sizeof n));
  } else if (c->has_rel && fabs(c->rel) < 9.995) {
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
    if (st->service == SIM_LOGNORMAL || st->service == SIM_GAMMA)
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
                        const sim_row *row, bool *flagged) {
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
    difference_cell(t, figs[k].kind, c);
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
  bool flagged = false;
  figure_rows(t, s, &s->rows[s->n_rows - 1], &flagged);
  for (size_t j = 0; j + 1 < s->n_rows; j++)
    figure_rows(t, s, &s->rows[j], &flagged);
  tt_render(t, opts->color, "", out);
  tt_free(t);
  capplan_buf_puts(out, "\nanalytic: the plan's queues, as 'capplan estimate' "
                        "works them out; a stage's\nlatency is one visit "
                        "(its calls, cache hits and batch forming included)\n");
  if (flagged)
    capplan_buf_puts(out, "* the analytic figure lies outside the "
                          "simulation's 95% interval\n");
}

/* ------------------------------------------------------------- JSON */

/* A count exactly, whatever its size (a seed may pass 2^53, where a
 * double and the 12 significant digits of the other numbers would round
 * it). */
static void count_json(cJSON *o, const char *key, uint64_t v) {
  char b[32];
  snprintf(b, sizeof b, "%llu", (unsigned long long)v);
  cJSON_AddItemToObject(o, key, cJSON_CreateRaw(b));
}

/* The figure K of C in its key's unit. */
static double in_unit(int k, double v) {
  return figs[k].kind == K_MS ? v * 1000 : v;
}

static cJSON *row_json(const capplan_simulation *s, const sim_row *row) {
  cJSON *o = cJSON_CreateObject();
  if (row->stage >= 0) {
    size_t j = (size_t)s->net.sim_of[row->stage];
    const sim_stage *st = &s->net.stages[j];
    const queue_plan *qp = &s->report->plan->stage[row->stage].queue;
    render_json_str(o, "name", st->name);
    render_json_str(o, "status", sim_row_status_name(row->status));
    cJSON_AddItemToObject(o, "async", cJSON_CreateBool(st->async));
    cJSON *q = cJSON_AddObjectToObject(o, "simulated_as");
    render_json_str(q, "queue", queue_model_name(qp->model));
    render_json_num(q, "servers", qp->servers);
    render_json_num(q, "slots", (double)st->servers * st->concurrency);
    render_json_str(q, "balancer", balancer_name(st, "per-slot"));
    render_json_str(q, "service", service_name(st->service));
    render_json_num(q, "service_ms", st->service_mean * 1000);
    render_json_num(q, "service_cv",
                    st->service == SIM_EXPONENTIAL     ? 1
                    : st->service == SIM_DETERMINISTIC ? 0
                                                       : st->service_cv);
    if (st->batching.enabled) {
      cJSON *b = cJSON_AddObjectToObject(q, "batch");
      render_json_num(b, "size", st->batching.max_batch);
      render_json_num(b, "timeout_ms", st->batching.window * 1000);
      render_json_num(b, "mean_size", row->batch_mean);
    } else {
      cJSON_AddItemToObject(q, "batch", cJSON_CreateNull());
    }
  } else {
    render_json_str(o, "status", sim_row_status_name(row->status));
  }
  count_json(o, "completed", row->completed);
  for (int k = 0; k < SIMF_COUNT; k++)
    if (row->fig[k].has)
      render_json_num(o, sim_fig_key[k], in_unit(k, row->fig[k].sim.value));
  render_json_num(o, "interval_sections", row->fig[SIMF_RATE].sim.n);
  cJSON *lo = cJSON_AddObjectToObject(o, "interval_low");
  cJSON *hi = cJSON_AddObjectToObject(o, "interval_high");
  cJSON *an = cJSON_AddObjectToObject(o, "analytic");
  cJSON *df = cJSON_AddObjectToObject(o, "difference");
  cJSON *rel = cJSON_AddObjectToObject(o, "relative_difference");
  cJSON *outside = cJSON_AddArrayToObject(o, "outside_interval");
  for (int k = 0; k < SIMF_COUNT; k++) {
    const sim_cmp *c = &row->fig[k];
    if (!c->has)
      continue;
    const char *key = sim_fig_key[k];
    if (c->sim.n >= 2) {
      render_json_num(lo, key, in_unit(k, c->sim.lo));
      render_json_num(hi, key, in_unit(k, c->sim.hi));
    } else {
      cJSON_AddItemToObject(lo, key, cJSON_CreateNull());
      cJSON_AddItemToObject(hi, key, cJSON_CreateNull());
    }
    if (c->known) {
      render_json_num(an, key, in_unit(k, c->analytic));
      render_json_num(df, key, in_unit(k, c->diff));
    } else {
      cJSON_AddItemToObject(an, key, cJSON_CreateNull());
      cJSON_AddItemToObject(df, key, cJSON_CreateNull());
    }
    if (c->known && c->has_rel)
      render_json_num(rel, key, c->rel);
    else
      cJSON_AddItemToObject(rel, key, cJSON_CreateNull());
    if (c->outside)
      cJSON_AddItemToArray(outside, cJSON_CreateString(key));
  }
  if (s->res->method == SIM_CI_BATCH_MEANS)
    render_json_num(o, "batch_lag1", row->lag1);
  return o;
}

void render_json_simulate(const void *subject, const capplan_render_opts *opts,
                          capplan_buf *out) {
  (void)opts;
  const capplan_simulation *s = subject;
  const capplan_model *m = s->report->model;
  const sim_input *in = &s->net.in;
  const sim_result *res = s->res;
  cJSON *o = cJSON_CreateObject();
  render_json_tool(o);
  render_json_str(o, "kind", "simulation");
  cJSON *spec = cJSON_AddObjectToObject(o, "spec");
  render_json_str(spec, "name", m->name);
  render_json_str(spec, "path", m->path);
  cJSON *run = cJSON_AddObjectToObject(o, "simulation");
  render_json_num(run, "qps", in->lambda);
  render_json_num(run, "arrival_cv", in->arrival_cv);
  if (in->requests) {
    count_json(run, "requests", in->requests);
    cJSON_AddItemToObject(run, "duration_s", cJSON_CreateNull());
    render_json_num(run, "warmup_requests",
                    in->warmup >= 0 ? floor(in->warmup)
                                    : floor((double)in->requests / 10));
  } else {
    cJSON_AddItemToObject(run, "requests", cJSON_CreateNull());
    render_json_num(run, "duration_s", in->duration);
    render_json_num(run, "warmup_s",
                    in->warmup >= 0 ? in->warmup : in->duration / 10);
  }
  render_json_num(run, "replications", in->replications);
  count_json(run, "seed", in->seed);
  render_json_str(run, "interval_method",
                  res->method == SIM_CI_REPLICATIONS ? "replications"
                                                     : "batch-means");
  render_json_num(run, "interval_sections", res->sections);
  render_json_num(run, "confidence", 0.95);
  count_json(run, "requests_simulated", res->requests);
  count_json(run, "requests_measured", res->measured);
  count_json(run, "events", res->events);
  render_json_num(run, "simulated_s", res->simulated_time);
  cJSON_AddItemToObject(run, "stopped_early", cJSON_CreateBool(res->aborted));
  cJSON *stages = cJSON_AddArrayToObject(o, "stages");
  for (size_t j = 0; j + 1 < s->n_rows; j++)
    cJSON_AddItemToArray(stages, row_json(s, &s->rows[j]));
  cJSON_AddItemToObject(o, "totals", row_json(s, &s->rows[s->n_rows - 1]));
  render_json_emit(o, out);
}

/* -------------------------------------------------------------- CSV */

static void csv_opt(capplan_buf *out, bool have, double v) {
  if (have)
    render_csv_number(out, v);
  else
    render_csv_field(out, NULL, false);
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
    render_csv_field(out, cols[c], c == 0);
  render_csv_end_row(out);
  for (size_t n = 0; n < s->n_rows; n++) {
    /* End to end first, as in the table. */
    const sim_row *row = &s->rows[n == 0 ? s->n_rows - 1 : n - 1];
    const char *name = row->stage < 0 ? "(end to end)" : stage_name(s, row);
    for (int k = 0; k < SIMF_COUNT; k++) {
      const sim_cmp *c = &row->fig[k];
      if (!c->has)
        continue;
      render_csv_field(out, name, true);
      render_csv_field(out, sim_row_status_name(row->status), false);
      render_csv_field(out, sim_fig_key[k], false);
      render_csv_number(out, in_unit(k, c->sim.value));
      csv_opt(out, c->sim.n >= 2, in_unit(k, c->sim.lo));
      csv_opt(out, c->sim.n >= 2, in_unit(k, c->sim.hi));
      render_csv_number(out, c->sim.n);
      csv_opt(out, c->known, in_unit(k, c->analytic));
      csv_opt(out, c->known, in_unit(k, c->diff));
      csv_opt(out, c->known && c->has_rel, c->rel);
      render_csv_field(out, c->outside ? "true" : "false", false);
      render_csv_end_row(out);
    }
    render_csv_field(out, name, true);
    render_csv_field(out, sim_row_status_name(row->status), false);
    render_csv_field(out, "completed", false);
    render_csv_number(out, (double)row->completed);
    for (int c = 0; c < 7; c++)
      render_csv_field(out, NULL, false);
    render_csv_end_row(out);
  }
}

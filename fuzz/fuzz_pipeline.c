/*
 * fuzz_pipeline.c - the whole pipeline: the runner every command uses,
 * every renderer of every view (explain included, with its working), and
 * the JSON report read back and diffed with the plan it came from.
 * Also a short simulation of the plan, in every format of its view.
 * Invariants: every figure is finite (so no format can print NaN or Inf);
 * the JSON report reads back; a plan and its own JSON diff as unchanged.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capplan.h"
#include "fuzz.h"
#include "report.h"
#include "sim_plan.h"

void fuzz_fail(const char *what, const char *file, int line) {
  fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
  abort();
}

#define FIN(x) FUZZ_ASSERT(isfinite(x))

static void finite_avail(avail a) {
  FIN(a.up);
  FIN(a.down);
  FUZZ_ASSERT(a.up >= 0 && a.up <= 1 && a.down >= 0 && a.down <= 1);
}

static void finite_pool(const pool_plan *pp) {
  for (int c = 0; c < CON_COUNT; c++)
    FIN(pp->by[c]);
  FIN(pp->raw);
  FIN(pp->servers);
  FIN(pp->gpus);
  FIN(pp->cost_per_year);
  FIN(pp->needed);
  FIN(pp->utilization);
  finite_avail(pp->all);
  finite_avail(pp->req);
}

/* Every figure of the plan is finite: the renderers print nothing else,
 * so no NaN or Inf can reach any format. */
static void finite_plan(const capplan_report *r) {
  const plan *pl = r->plan;
  FIN(pl->qps);
  FIN(pl->average_qps);
  FIN(pl->servers);
  FIN(pl->gpus);
  FIN(pl->cost_per_year);
  FIN(pl->cost_per_month);
  FIN(pl->cost_per_million);
  FIN(pl->latency);
  finite_avail(pl->all);
  finite_avail(pl->req);
  for (size_t i = 0; i < r->model->n_stages; i++) {
    const stage_plan *s = &pl->stage[i];
    FIN(s->inflow);
    FIN(s->load);
    FIN(s->tp.per_server);
    FIN(s->latency);
    FIN(s->latency_to);
    FIN(s->mean_latency);
    FIN(s->equivalents);
    finite_pool(&s->pool);
    if (s->cache.pool)
      finite_pool(s->cache.pool);
    finite_avail(s->effective);
    finite_avail(s->effective_req);
  }
  for (size_t g = 0; g < r->model->n_groups; g++)
    finite_pool(&pl->group[g].pool);
  for (size_t i = 0; i < pl->n_checks; i++) {
    FIN(pl->checks[i].limit);
    FIN(pl->checks[i].actual);
    FIN(pl->checks[i].margin);
  }
}

/* A short simulation of the plan, when it is cheap (few stages, few
 * calls): it runs or says why not, every figure is finite, and every
 * format renders. */
static void simulate(const capplan_report *r, const capplan_source *src) {
  if (r->model->n_stages > 50)
    return;
  for (size_t i = 0; i < r->model->n_stages; i++)
    if (r->p->stage[i].calls > 16)
      return;
  capplan_sim_opts so;
  capplan_sim_opts_init(&so);
  so.requests = 300;
  capplan_diags sd;
  capplan_diags_init(&sd, src);
  capplan_simulation *s = capplan_simulate(r, &so, &sd);
  FUZZ_ASSERT(s ? sd.errors == 0 : sd.errors > 0);
  if (s) {
    for (size_t k = 0; k < s->n_rows; k++)
      for (int f = 0; f < SIMF_COUNT; f++) {
        const sim_cmp *c = &s->rows[k].fig[f];
        FIN(c->sim.value);
        FIN(c->sim.lo);
        FIN(c->sim.hi);
        FIN(c->analytic);
        FIN(c->diff);
        FIN(c->rel);
      }
    for (int f = 0; f < CAPPLAN_FORMAT_COUNT; f++) {
      if (!capplan_format_supported(CAPPLAN_VIEW_SIMULATE,
                                    (enum capplan_format)f, NULL))
        continue;
      capplan_buf out;
      capplan_buf_init(&out);
      FUZZ_ASSERT(capplan_render(CAPPLAN_VIEW_SIMULATE, (enum capplan_format)f,
                                 s, NULL, &out) == 0);
      capplan_buf_release(&out);
    }
  }
  capplan_simulation_free(s);
  capplan_diags_release(&sd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  capplan_source *src =
      capplan_source_new("fuzz.yaml", (const char *)data, size);
  capplan_diags d;
  capplan_diags_init(&d, src);
  /* A spec with ranges also runs a small Monte Carlo, on one thread. */
  capplan_mc_opts mc = {true, 64, 1, 1, 0, true, false};
  capplan_run_opts ro = {NULL, NULL, true, NULL};
  capplan_report *r = capplan_run_uncertain(src, &ro, &mc, NULL, 0, &d);
  FUZZ_ASSERT(r ? d.errors == 0 : d.errors > 0);
  if (r) {
    finite_plan(r);
    capplan_render_opts opts[3] = {
        {false, 0, NULL}, {true, 80, NULL}, {false, 40, NULL}};
    for (int v = 0; v < CAPPLAN_VIEW_COUNT; v++) {
      if (v == CAPPLAN_VIEW_DIFF || v == CAPPLAN_VIEW_SWEEP ||
          v == CAPPLAN_VIEW_FORECAST || v == CAPPLAN_VIEW_SIMULATE)
        continue; /* other subjects: below */
      for (int f = 0; f < CAPPLAN_FORMAT_COUNT; f++) {
        if (!capplan_format_supported((enum capplan_view)v,
                                      (enum capplan_format)f, NULL))
          continue;
        for (int o = 0; o < 3; o++) {
          capplan_buf out;
          capplan_buf_init(&out);
          FUZZ_ASSERT(capplan_render((enum capplan_view)v,
                                     (enum capplan_format)f, r, &opts[o],
                                     &out) == 0);
          capplan_buf_release(&out);
        }
      }
    }
    /* A forecast, a sweep with --find, and the plots, in every format. */
    capplan_buf err, help, svg;
    capplan_buf_init(&err);
    capplan_buf_init(&help);
    capplan_buf_init(&svg);
    capplan_forecast *fc = capplan_forecast_run(r, 3, &err, &help);
    if (fc) {
      capplan_plot_forecast(fc, &svg);
      for (int f = 0; f < CAPPLAN_FORMAT_COUNT; f++) {
        if (!capplan_format_supported(CAPPLAN_VIEW_FORECAST,
                                      (enum capplan_format)f, NULL))
          continue;
        capplan_buf out;
        capplan_buf_init(&out);
        FUZZ_ASSERT(capplan_render(CAPPLAN_VIEW_FORECAST,
                                   (enum capplan_format)f, fc, NULL,
                                   &out) == 0);
        capplan_buf_release(&out);
      }
    }
    capplan_forecast_free(fc);
    capplan_plot_report(r, false, &svg);
    capplan_plot_report(r, true, &svg);
    const char *qps = "traffic.qps";
    capplan_diags sd;
    capplan_diags_init(&sd, src);
    capplan_report *sr = capplan_run_uncertain(src, &ro, NULL, &qps, 1, &sd);
    if (sr) {
      capplan_sweep_set set = {qps, "1..1M"};
      capplan_sweep_opts so = {&set, 1, 5, false, "cost<=1M/year"};
      capplan_sweep *sw = capplan_sweep_run(sr, &so, &err, &help);
      FUZZ_ASSERT(sw != NULL);
      capplan_plot_sweep(sw, &svg);
      for (int f = 0; f < CAPPLAN_FORMAT_COUNT; f++) {
        if (!capplan_format_supported(CAPPLAN_VIEW_SWEEP,
                                      (enum capplan_format)f, NULL))
          continue;
        capplan_buf out;
        capplan_buf_init(&out);
        FUZZ_ASSERT(capplan_render(CAPPLAN_VIEW_SWEEP, (enum capplan_format)f,
                                   sw, NULL, &out) == 0);
        capplan_buf_release(&out);
      }
      capplan_sweep_free(sw);
    }
    capplan_report_free(sr);
    capplan_diags_release(&sd);
    capplan_buf_release(&err);
    capplan_buf_release(&help);
    capplan_buf_release(&svg);
    /* explain of one stage */
    if (r->model->n_stages) {
      capplan_render_opts one = {false, 0, r->model->stage[0].name};
      capplan_buf out;
      capplan_buf_init(&out);
      FUZZ_ASSERT(capplan_render(CAPPLAN_VIEW_EXPLAIN, CAPPLAN_FORMAT_TABLE, r,
                                 &one, &out) == 0);
      capplan_buf_release(&out);
    }
    simulate(r, src);
    /* The JSON report reads back, and diffs as unchanged. */
    capplan_buf json;
    capplan_buf_init(&json);
    capplan_render(CAPPLAN_VIEW_REPORT, CAPPLAN_FORMAT_JSON, r, NULL, &json);
    capplan_source *js = capplan_source_new("fuzz.json", json.data, json.len);
    capplan_diags jd;
    capplan_diags_init(&jd, js);
    FUZZ_ASSERT(capplan_source_is_report(js));
    capplan_plan_rows *back = capplan_report_read_json(js, &jd);
    FUZZ_ASSERT(back != NULL);
    capplan_plan_rows *mine = capplan_plan_rows_of(r);
    capplan_diff_opts gates = {{true, 0}, {true, 0}};
    capplan_diff *df = capplan_diff_plans(mine, back, &gates);
    FUZZ_ASSERT(df->changed == 0 && df->added == 0 && df->removed == 0);
    FUZZ_ASSERT(df->passed);
    for (int f = 0; f < CAPPLAN_FORMAT_COUNT; f++) {
      capplan_buf out;
      capplan_buf_init(&out);
      capplan_render(CAPPLAN_VIEW_DIFF, (enum capplan_format)f, df, &opts[0],
                     &out);
      capplan_buf_release(&out);
    }
    capplan_diff_free(df);
    capplan_plan_rows_free(mine);
    capplan_plan_rows_free(back);
    capplan_diags_release(&jd);
    capplan_source_free(js);
    capplan_buf_release(&json);
  }
  capplan_buf out;
  capplan_buf_init(&out);
  capplan_diags_sort(&d);
  capplan_diags_render(&d, false, &out);
  capplan_buf_release(&out);
  capplan_report_free(r);
  capplan_diags_release(&d);
  capplan_source_free(src);
  return 0;
}

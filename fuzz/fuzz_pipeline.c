/*
 * fuzz_pipeline.c - the whole pipeline: load, graph, estimate, every
 * renderer of every view, and the JSON report read back and diffed with
 * the report it came from.  Invariants: every figure is finite (so no
 * format can print NaN or Inf); the JSON report reads back; a report and
 * its own JSON diff as unchanged.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capplan.h"
#include "fuzz.h"

void fuzz_fail(const char *what, const char *file, int line) {
  fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
  abort();
}

/* Every figure of the report is finite: the renderers print nothing
 * else, so no NaN or Inf can reach any format. */
static void finite_report(const capplan_report *r) {
#define FIN(x) FUZZ_ASSERT(isfinite(x))
  FIN(r->qps);
  FIN(r->average_qps);
  FIN(r->servers);
  FIN(r->gpus);
  FIN(r->cost_per_year);
  FIN(r->cost_per_month);
  FIN(r->cost_per_million);
  FIN(r->latency);
  FIN(r->availability);
  FIN(r->unavailability);
  FIN(r->downtime_minutes_per_year);
  for (size_t i = 0; i < r->n_stages; i++) {
    const capplan_stage_result *s = &r->stages[i];
    FIN(s->inflow);
    FIN(s->qps);
    FIN(s->qps_per_server);
    FIN(s->servers_raw);
    FIN(s->servers);
    FIN(s->gpus);
    FIN(s->cost_per_year);
    FIN(s->latency_to);
    FIN(s->servers_needed);
    FIN(s->availability);
    FIN(s->effective_availability);
    FIN(s->effective_unavailability);
    FUZZ_ASSERT(s->availability >= 0 && s->availability <= 1);
  }
  for (size_t i = 0; i < r->n_groups; i++) {
    FIN(r->groups[i].servers_raw);
    FIN(r->groups[i].servers);
    FIN(r->groups[i].availability);
  }
  for (size_t i = 0; i < r->n_checks; i++) {
    FIN(r->checks[i].limit);
    FIN(r->checks[i].actual);
    FIN(r->checks[i].margin);
  }
#undef FIN
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  capplan_source *src =
      capplan_source_new("fuzz.yaml", (const char *)data, size);
  capplan_diags d;
  capplan_diags_init(&d, src);
  capplan_report *r = capplan_run(src, NULL, NULL, &d);
  FUZZ_ASSERT(r ? d.errors == 0 : d.errors > 0);
  if (r) {
    finite_report(r);
    capplan_render_opts opts[2] = {{false}, {true}};
    capplan_buf json;
    capplan_buf_init(&json);
    for (int f = CAPPLAN_FORMAT_TABLE; f <= CAPPLAN_FORMAT_CSV; f++) {
      capplan_buf out;
      capplan_buf_init(&out);
      FUZZ_ASSERT(
          capplan_render(r, (enum capplan_format)f, &opts[f == 0], &out) == 0);
      capplan_render_check(r, (enum capplan_format)f, &opts[0], &out);
      if (f == CAPPLAN_FORMAT_JSON)
        capplan_render(r, CAPPLAN_FORMAT_JSON, &opts[0], &json);
      capplan_buf_release(&out);
    }
    /* The JSON report reads back, and diffs as unchanged. */
    capplan_source *js = capplan_source_new("fuzz.json", json.data, json.len);
    capplan_diags jd;
    capplan_diags_init(&jd, js);
    FUZZ_ASSERT(capplan_source_is_report(js));
    capplan_report *back = capplan_report_read_json(js, &jd);
    FUZZ_ASSERT(back != NULL);
    capplan_diff_opts gates = {{true, 0}, {true, 0}};
    capplan_diff *df = capplan_diff_reports(r, back, false, true, &gates);
    FUZZ_ASSERT(df->changed == 0 && df->added == 0 && df->removed == 0);
    FUZZ_ASSERT(df->passed);
    for (int f = CAPPLAN_FORMAT_TABLE; f <= CAPPLAN_FORMAT_CSV; f++) {
      capplan_buf out;
      capplan_buf_init(&out);
      capplan_render_diff(df, (enum capplan_format)f, &opts[0], &out);
      capplan_buf_release(&out);
    }
    capplan_diff_free(df);
    capplan_report_free(back);
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

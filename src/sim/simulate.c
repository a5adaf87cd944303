/*
 * simulate.c - capplan_simulate() (capplan.h): a report's plan through
 * the discrete-event simulator (des.h) by way of the adapter
 * (sim_plan.h), then the warnings a reader of the figures needs: stages
 * that never settle, a run its safety bounds stopped, batch means too
 * correlated to trust their intervals.  Pure: diagnostics go to the
 * caller's list.
 */
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "sim_plan.h"
#include "util.h"

/* Batch means whose lag-1 autocorrelation passes this are likely too
 * short for their interval (des.h sim_figures.batch_lag1). */
#define LAG1_WARN 0.4
/* Stages named in one warning before the rest are counted. */
#define NAMED 5

/* "'a', 'b' and 'c'"; past NAMED stages, "'a', ..., 'e' and 3 more". */
static void name_list(const capplan_simulation *s, capplan_buf *out) {
  const capplan_model *m = s->report->model;
  size_t k = 0, total = s->overloaded;
  size_t shown = total > NAMED ? NAMED : total;
  for (size_t j = 0; j + 1 < s->n_rows && k < shown; j++) {
    if (s->rows[j].status != SIMROW_OVERLOADED)
      continue;
    const char *sep = k == 0                             ? ""
                      : k + 1 == shown && total == shown ? " and "
                                                         : ", ";
    capplan_buf_printf(out, "%s'%s'", sep, m->stage[s->rows[j].stage].name);
    k++;
  }
  if (total > shown)
    capplan_buf_printf(out, " and %zu more", total - shown);
}

static void warn_overloaded(const capplan_simulation *s, capplan_diags *d) {
  if (!s->overloaded)
    return;
  const capplan_model *m = s->report->model;
  capplan_loc where = {0, 0, 0};
  for (size_t j = 0; j + 1 < s->n_rows; j++)
    if (s->rows[j].status == SIMROW_OVERLOADED) {
      where = m->stage[s->rows[j].stage].loc;
      break;
    }
  capplan_buf names, run;
  capplan_buf_init(&names);
  capplan_buf_init(&run);
  name_list(s, &names);
  char n[FMT_SIZE];
  const sim_input *in = &s->net.in;
  if (in->requests)
    capplan_buf_printf(&run, "%s requests",
                       fmt_count((double)in->requests, n, sizeof n));
  else
    capplan_buf_printf(&run, "%s s of traffic",
                       fmt_number(in->duration, 3, n, sizeof n));
  bool one = s->overloaded == 1;
  const char *e2e = s->rows[s->n_rows - 1].status == SIMROW_OVERLOADED
                        ? " (and the end to end)"
                        : "";
  capplan_diags_add(
      d, CAPPLAN_WARNING, where,
      "a longer run gives larger figures; leave headroom ('utilization: "
      "80%'), or give a percentile objective ('slo: {latency_p99: 200ms}') "
      "and capplan adds the servers it needs",
      "%s %s %s at or above 100%% of %s slots: %s queue%s grow%s for as "
      "long as the simulation runs, so %s figures%s describe this run of "
      "%s, not a steady state",
      one ? "stage" : "stages", names.data, one ? "runs" : "run",
      one ? "its" : "their", one ? "its" : "their", one ? "" : "s",
      one ? "s" : "", one ? "its" : "their", e2e, run.data);
  capplan_buf_release(&names);
  capplan_buf_release(&run);
}

static void warnings(const capplan_simulation *s, capplan_diags *d) {
  warn_overloaded(s, d);
  const sim_result *res = s->res;
  capplan_loc none = {0, 0, 0};
  if (res->aborted) {
    char a[FMT_SIZE];
    capplan_diags_add(
        d, CAPPLAN_WARNING, none,
        "the stages marked 'overloaded' cannot keep up; give them servers",
        "the simulation stopped early, after %s requests: a queue passed "
        "the simulator's safety bound (1,000,000 calls waiting at a stage, "
        "or 4,000,000 requests in flight); the figures are those measured "
        "until then",
        fmt_count((double)res->requests, a, sizeof a));
  }
  const sim_row *e = &s->rows[s->n_rows - 1];
  if (res->method == SIM_CI_BATCH_MEANS && e->status == SIMROW_OK &&
      e->fig[SIMF_MEAN].sim.n >= 2 && e->lag1 > LAG1_WARN)
    capplan_diags_add(
        d, CAPPLAN_WARNING, none,
        "run longer (--requests 10M), or use independent replications "
        "(--replications 10)",
        "the batch means of the end-to-end latency are correlated (lag-1 "
        "autocorrelation %.2f): its intervals are likely too narrow",
        e->lag1);
}

capplan_simulation *capplan_simulate(const capplan_report *r,
                                     const capplan_sim_opts *opts,
                                     capplan_diags *d) {
  capplan_simulation *s = xcalloc(1, sizeof *s);
  s->report = r;
  if (opts)
    s->opts = *opts;
  else
    capplan_sim_opts_init(&s->opts);
  if (!s->opts.replications)
    s->opts.replications = 1;
  if (!(s->opts.duration > 0)) {
    s->opts.duration = 0;
    if (!s->opts.requests)
      s->opts.requests = SIM_PLAN_DEFAULT_REQUESTS;
  } else {
    s->opts.requests = 0;
  }
  if (sim_plan_build(r->model, r->p, r->plan, &s->opts, &s->net, d) < 0) {
    capplan_simulation_free(s);
    return NULL;
  }
  char err[256] = "";
  s->res = sim_run(&s->net.in, err, sizeof err);
  if (!s->res) {
    capplan_loc none = {0, 0, 0};
    capplan_diags_add(d, CAPPLAN_ERROR, none, NULL,
                      "cannot simulate this plan: %s", err);
    capplan_simulation_free(s);
    return NULL;
  }
  sim_plan_compare(s);
  warnings(s, d);
  return s;
}

void capplan_simulation_free(capplan_simulation *s) {
  if (!s)
    return;
  sim_plan_release(&s->net);
  sim_result_free(s->res);
  free(s->rows);
  free(s);
}

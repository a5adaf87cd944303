/*
 * forecast.c - see forecast.h.
 *
 * Month m multiplies the traffic the spec gives (its peak QPS, or its
 * daily users, and its average QPS) by (1 + growth)^m; the plan is
 * evaluated from scratch each month, so every ceiling, constraint and
 * check follows the traffic.
 */
#include "forecast.h"

#include <math.h>
#include <stdlib.h>

#include "report.h"

capplan_forecast *capplan_forecast_run(const capplan_report *r, size_t months,
                                       capplan_buf *err, capplan_buf *help) {
  const capplan_model *m = r->model;
  const traffic_in *t0 = &m->base.traffic;
  if (t0->growth == 0) {
    capplan_buf_printf(err, "'%s' has no traffic growth to forecast with",
                       m->path);
    capplan_buf_puts(help, "add 'growth: 5%/month' (or '60%/year') under "
                           "'traffic:'");
    return NULL;
  }
  capplan_forecast *f = xcalloc(1, sizeof *f);
  f->r = r;
  f->growth = t0->growth;
  f->n_checks = r->plan->n_checks;
  for (size_t c = 0; c < f->n_checks; c++) {
    f->check_names[c] = r->plan->checks[c].name;
    f->first_fail[c] = FORECAST_NEVER;
  }
  f->rows = xcalloc(months + 1, sizeof *f->rows);
  params *p = params_new(m);
  params_copy(m, p, &m->base);
  plan *pl = plan_new(m);
  plan_for_trials(m, pl);
  row_plan(pl);
  for (size_t k = 0; k <= months; k++) {
    /* (1 + g)^k from log1p, so that small rates keep their digits. */
    double grow = exp((double)k * log1p(f->growth));
    p->traffic.qps = t0->qps * grow;
    p->traffic.dau = t0->dau * grow;
    p->traffic.average_qps = t0->average_qps * grow;
    wrow *rw = &f->rows[f->n_rows++];
    rw->x[0] = (double)k;
    row_eval(m, p, r->limits, r->n_limits, pl, rw);
    for (size_t c = 0; c < f->n_checks; c++)
      if (!rw->check_passed[c] && f->first_fail[c] == FORECAST_NEVER)
        f->first_fail[c] = k;
  }
  plan_free(pl);
  params_free(p);
  return f;
}

void capplan_forecast_free(capplan_forecast *f) {
  if (!f)
    return;
  free(f->rows);
  free(f);
}

bool capplan_forecast_passed(const capplan_forecast *f) {
  for (size_t c = 0; c < f->n_checks; c++)
    if (f->first_fail[c] != FORECAST_NEVER)
      return false;
  return true;
}

/*
 * sensitivity.c - see sensitivity.h.
 */
#include "sensitivity.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double out_cost(const plan *p) {
  return p->cost_per_year;
}

static double out_latency(const plan *p) {
  return p->latency * 1000;
}

/* The outputs, in order; the first sorts the bars. */
static const struct {
  const char *path, *label;
  enum fig_unit unit;
  double (*get)(const plan *p);
} OUTPUTS[SENS_OUTPUTS] = {
    {"totals.cost_per_year", "cost/year", FU_MONEY, out_cost},
    {"totals.latency_ms", "latency", FU_MS, out_latency},
};

/* The P-quantile of IN's distribution as it is drawn (within the key's
 * bounds). */
static double swing_end(const uinput *in, double p) {
  return dist_quantile_in(&in->d, p);
}

static int by_swing(const void *a, const void *b) {
  const sens_item *x = a, *y = b;
  if (x->failed != y->failed)
    return x->failed ? 1 : -1;
  if (x->swing != y->swing)
    return x->swing > y->swing ? -1 : 1;
  return x->input < y->input ? -1 : x->input > y->input;
}

sens_result *sens_run(const capplan_model *m, const uinputs *u,
                      const check_limit *limits, size_t n_limits) {
  sens_result *s = xcalloc(1, sizeof *s);
  s->items = xcalloc(u->n_ranged + 1, sizeof *s->items);
  params *p = params_new(m);
  params_copy(m, p, &m->base);
  plan *pl = plan_new(m);
  plan_for_trials(m, pl);
  for (size_t o = 0; o < SENS_OUTPUTS; o++) {
    s->outputs[o] = OUTPUTS[o].path;
    s->labels[o] = OUTPUTS[o].label;
    s->units[o] = OUTPUTS[o].unit;
  }
  if (plan_eval(m, p, limits, n_limits, pl) == 0)
    for (size_t o = 0; o < SENS_OUTPUTS; o++)
      s->base[o] = OUTPUTS[o].get(pl);
  for (size_t k = 0; k < u->n_ranged; k++) {
    const uinput *in = &u->items[k];
    sens_item *it = &s->items[s->n++];
    it->input = in;
    it->lo = swing_end(in, 0.05);
    it->hi = swing_end(in, 0.95);
    for (int side = 0; side < 2; side++) {
      uinput_set(in, p, side ? it->hi : it->lo);
      double *to = side ? it->at_hi : it->at_lo;
      if (plan_eval(m, p, limits, n_limits, pl) < 0) {
        it->failed = true;
        memset(to, 0, SENS_OUTPUTS * sizeof *to);
        continue;
      }
      for (size_t o = 0; o < SENS_OUTPUTS; o++)
        to[o] = OUTPUTS[o].get(pl);
    }
    uinput_set(in, p, in->point);
    it->swing = it->failed ? 0 : fabs(it->at_hi[0] - it->at_lo[0]);
  }
  qsort(s->items, s->n, sizeof *s->items, by_swing);
  plan_free(pl);
  params_free(p);
  return s;
}

void sens_free(sens_result *s) {
  if (!s)
    return;
  free(s->items);
  free(s);
}

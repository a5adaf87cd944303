/*
 * sweep.c - see sweep.h.
 *
 * --find bisects on the first input between the last step that keeps the
 * condition and the first that does not (over the whole range when the
 * ends disagree), until the two are neighbouring doubles or whole numbers
 * apart for a whole-number key: the ceilings make figures step functions
 * of an input, and a step's edge is what a user asks for ("the most QPS
 * that fits the budget").  Steps that keep the condition again above the
 * value found are flagged: the figure is not monotone in the input.
 */
#include "sweep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

static double rf_servers(const plan *p) {
  return p->servers;
}
static double rf_gpus(const plan *p) {
  return p->gpus;
}
static double rf_cost(const plan *p) {
  return p->cost_per_year;
}
static double rf_month(const plan *p) {
  return p->cost_per_month;
}
static double rf_latency(const plan *p) {
  return p->latency * 1000;
}
static double rf_avail(const plan *p) {
  return p->all.up;
}
static double rf_req(const plan *p) {
  return p->req.up;
}
static double rf_p99(const plan *p) {
  return p->latency_on && p->pct_known ? p->pct[PCT_P99] * 1000 : ROW_UNKNOWN;
}

const row_fig ROW_FIGS[RF_COUNT] = {
    [RF_SERVERS] = {"servers", "servers", "servers", "count", FU_COUNT,
                    rf_servers},
    [RF_GPUS] = {"gpus", "GPUs", "gpus", "count", FU_COUNT, rf_gpus},
    [RF_COST] = {"cost_per_year", "cost/year", "cost", "money", FU_MONEY,
                 rf_cost},
    [RF_COST_MONTH] = {"cost_per_month", "cost/month", "cost_per_month",
                       "money", FU_MONEY, rf_month},
    [RF_LATENCY] = {"latency_ms", "latency", "latency", "duration", FU_MS,
                    rf_latency},
    [RF_AVAILABILITY] = {"availability", "all up", "availability", "fraction",
                         FU_FRACTION, rf_avail},
    [RF_REQUESTS] = {"request_availability", "requests", "requests", "fraction",
                     FU_FRACTION, rf_req},
    [RF_LATENCY_P99] = {"latency_p99_ms", "p99", "latency_p99", "duration",
                        FU_MS, rf_p99},
};

void row_plan(plan *pl) {
  pl->latency_on = true;
}

void row_eval(const capplan_model *m, const params *p,
              const check_limit *limits, size_t n_limits, plan *pl, wrow *r) {
  r->evaluated = plan_eval(m, p, limits, n_limits, pl) == 0;
  r->traffic = pl->qps;
  if (!r->evaluated) {
    memset(r->fig, 0, sizeof r->fig);
    memset(r->check_passed, 0, sizeof r->check_passed);
    r->checks_failed = n_limits;
    return;
  }
  for (size_t f = 0; f < RF_COUNT; f++)
    r->fig[f] = ROW_FIGS[f].get(pl);
  for (size_t c = 0; c < pl->n_checks; c++)
    r->check_passed[c] = pl->checks[c].passed;
  r->checks_failed = pl->failed;
  r->overloaded = pl->overloaded + pl->unmet > 0;
}

/* ------------------------------------------------------------- parsing */

/* Reads AXIS's range from TEXT in its key's unit. */
static int parse_range(sweep_axis *ax, const char *text, bool log,
                       capplan_buf *err, capplan_buf *help) {
  const schema_key *k = ax->in->key;
  qdist q;
  unit_error ue;
  if (!units_is_dist(text, strlen(text))) {
    capplan_buf_printf(err, "'--set %s=%s' needs a range, FROM..TO",
                       ax->in->path, text);
    capplan_buf_printf(help, "e.g. --set %s=%s..%s", ax->in->path,
                       schema_example(k), schema_example(k));
    return -1;
  }
  if (units_parse_dist(text, strlen(text), k->unit, k->name, &q, &ue) < 0 ||
      q.kind != DIST_INTERVAL) {
    capplan_buf_printf(err, "'--set %s': %s", ax->in->path,
                       q.kind != DIST_INTERVAL ? "a sweep takes FROM..TO"
                                               : ue.message);
    if (ue.help[0])
      capplan_buf_puts(help, ue.help);
    return -1;
  }
  for (size_t i = 0; i < 2; i++)
    if (!schema_in_range(k, q.v[i])) {
      char range[128];
      schema_describe_range(k, range, sizeof range);
      capplan_buf_printf(err, "'--set %s': '%s' must be %s, got '%.*s'",
                         ax->in->path, k->name, range, (int)q.len[i],
                         text + q.off[i]);
      return -1;
    }
  if (log && !(q.v[0] > 0)) {
    capplan_buf_printf(err, "'--set %s': --log needs a range above 0",
                       ax->in->path);
    capplan_buf_puts(help, "geometric steps multiply; start above zero");
    return -1;
  }
  ax->from = q.v[0];
  ax->to = q.v[1];
  ax->log = log;
  return 0;
}

/* The value of step I of AXIS. */
static double step_value(const sweep_axis *ax, size_t i) {
  if (i == 0)
    return ax->from;
  if (i + 1 == ax->steps)
    return ax->to;
  double t = (double)i / (double)(ax->steps - 1);
  double x = ax->log ? ax->from * pow(ax->to / ax->from, t)
                     : ax->from + t * (ax->to - ax->from);
  if (ax->in->key->flags & SF_INTEGER)
    x = floor(x + 0.5);
  return x;
}

/* Parses --find's "NAME OP VALUE". */
static int parse_find(sweep_find *f, const char *text, capplan_buf *err,
                      capplan_buf *help) {
  f->text = text;
  size_t n = strcspn(text, "<>=");
  const char *op = text + n;
  char name[64];
  snprintf(name, sizeof name, "%.*s", (int)(n < 63 ? n : 63), text);
  size_t len = strlen(name);
  while (len && name[len - 1] == ' ')
    name[--len] = '\0';
  const char *names[RF_COUNT];
  bool known = false;
  for (size_t i = 0; i < RF_COUNT; i++) {
    names[i] = ROW_FIGS[i].name;
    if (!strcmp(name, ROW_FIGS[i].name) || !strcmp(name, ROW_FIGS[i].key)) {
      f->fig = i;
      known = true;
    }
  }
  if (!*op || !(op[0] == '<' || op[0] == '>')) {
    capplan_buf_printf(err,
                       "'--find %s' needs a comparison: NAME<=VALUE or "
                       "NAME>=VALUE",
                       text);
    capplan_buf_puts(help, "e.g. --find 'cost<=4M/year' or --find "
                           "'availability>=99.9%'");
    return -1;
  }
  if (!known) {
    const char *best = closest_word(name, names, RF_COUNT);
    capplan_buf_printf(err, "'--find' names no figure of the plan: '%s'%s%s%s",
                       name, best ? " (did you mean '" : "", best ? best : "",
                       best ? "'?)" : "");
    capplan_buf_puts(help, "figures: servers, gpus, cost, cost_per_month, "
                           "latency, availability, requests, latency_p99");
    return -1;
  }
  f->upper = op[0] == '<';
  const char *v = op + 1 + (op[1] == '=');
  while (*v == ' ')
    v++;
  /* Money may leave out its '$' ('cost<=4M/year'). */
  capplan_buf val;
  capplan_buf_init(&val);
  const row_fig *rf = &ROW_FIGS[f->fig];
  if (rf->unit == FU_MONEY && *v != '$')
    capplan_buf_putc(&val, '$');
  capplan_buf_puts(&val, v);
  char key[80];
  snprintf(key, sizeof key, "--find %s", rf->name);
  int rc = capplan_quantity(val.data, rf->kind, key, &f->limit, err, help);
  capplan_buf_release(&val);
  if (rf->unit == FU_MS)
    f->limit *= 1000; /* a duration is read in seconds; the figure is ms */
  return rc;
}

/* ---------------------------------------------------------------- run */

static bool keeps(const sweep_find *f, const wrow *r) {
  if (!r->evaluated)
    return false;
  double x = r->fig[f->fig];
  if (x == ROW_UNKNOWN)
    return false; /* an unbounded p99 keeps no limit */
  /* The checks' tolerance: a figure equal to its limit keeps it. */
  return f->upper ? x <= f->limit * (1 + 1e-9) : x >= f->limit * (1 - 1e-12);
}

/* The largest value of axis 0 in [LO, HI] that keeps F, LO keeping it
 * and HI not: bisection with the second input at P's value. */
static double bisect(const capplan_report *rp, const sweep_axis *ax,
                     const sweep_find *f, params *p, plan *pl, double lo,
                     double hi) {
  const capplan_model *m = rp->model;
  bool whole = (ax->in->key->flags & SF_INTEGER) != 0;
  wrow r;
  for (int i = 0; i < 2000; i++) {
    double mid = ax->log ? sqrt(lo) * sqrt(hi) : lo + (hi - lo) / 2;
    if (whole)
      mid = floor(mid);
    if (!(mid > lo && mid < hi))
      break; /* neighbours: LO is the answer */
    uinput_set(ax->in, p, mid);
    row_eval(m, p, rp->limits, rp->n_limits, pl, &r);
    if (keeps(f, &r))
      lo = mid;
    else
      hi = mid;
  }
  return lo;
}

capplan_sweep *capplan_sweep_run(const capplan_report *r,
                                 const capplan_sweep_opts *o, capplan_buf *err,
                                 capplan_buf *help) {
  const capplan_model *m = r->model;
  capplan_sweep *s = xcalloc(1, sizeof *s);
  s->r = r;
  s->n_axes = o->n_sets;
  size_t n_steps = o->steps ? o->steps : 11;
  for (size_t a = 0; a < o->n_sets; a++) {
    sweep_axis *ax = &s->axis[a];
    ax->in = r->inputs ? uinputs_find(r->inputs, o->sets[a].path) : NULL;
    if (!ax->in) {
      capplan_buf_printf(err, "'%s' is not an input of this run",
                         o->sets[a].path);
      capplan_sweep_free(s);
      return NULL;
    }
    ax->steps = n_steps;
    if (parse_range(ax, o->sets[a].range, o->log, err, help) < 0) {
      capplan_sweep_free(s);
      return NULL;
    }
  }
  if (o->find) {
    s->has_find = true;
    if (parse_find(&s->find, o->find, err, help) < 0) {
      capplan_sweep_free(s);
      return NULL;
    }
  }
  s->n_checks = r->plan->n_checks;
  for (size_t c = 0; c < s->n_checks; c++)
    s->check_names[c] = r->plan->checks[c].name;

  size_t n1 = s->axis[0].steps, n2 = s->n_axes > 1 ? s->axis[1].steps : 1;
  s->rows = xcalloc(n1 * n2, sizeof *s->rows);
  params *p = params_new(m);
  params_copy(m, p, &m->base);
  plan *pl = plan_new(m);
  plan_for_trials(m, pl);
  row_plan(pl);
  for (size_t j = 0; j < n2; j++) {
    if (s->n_axes > 1)
      uinput_set(s->axis[1].in, p, step_value(&s->axis[1], j));
    for (size_t i = 0; i < n1; i++) {
      double x = step_value(&s->axis[0], i);
      /* Whole-number steps may repeat: keep one. */
      if (i && x == s->rows[s->n_rows - 1].x[0] &&
          (s->n_axes < 2 ||
           s->rows[s->n_rows - 1].x[1] == step_value(&s->axis[1], j)))
        continue;
      uinput_set(s->axis[0].in, p, x);
      wrow *rw = &s->rows[s->n_rows++];
      rw->x[0] = x;
      rw->x[1] = s->n_axes > 1 ? step_value(&s->axis[1], j) : 0;
      row_eval(m, p, r->limits, r->n_limits, pl, rw);
    }
  }

  if (s->has_find) {
    sweep_find *f = &s->find;
    s->n_find = n2;
    f->found = xcalloc(n2, sizeof(bool));
    f->value = xcalloc(n2, sizeof(double));
    f->at = xcalloc(n2, sizeof(double));
    f->whole = xcalloc(n2, sizeof(bool));
    f->not_monotone = xcalloc(n2, sizeof(bool));
    f->second = xcalloc(n2, sizeof(double));
    for (size_t j = 0; j < n2; j++) {
      if (s->n_axes > 1)
        f->second[j] = step_value(&s->axis[1], j);
      /* The rows of this value of the second input. */
      const wrow *first = NULL;
      size_t cnt = 0;
      for (size_t k = 0; k < s->n_rows; k++)
        if (s->n_axes < 2 || s->rows[k].x[1] == step_value(&s->axis[1], j)) {
          if (!first)
            first = &s->rows[k];
          cnt++;
        }
      if (s->n_axes > 1)
        uinput_set(s->axis[1].in, p, step_value(&s->axis[1], j));
      /* The last step keeping it before the first that does not. */
      size_t last_ok = cnt, first_bad = cnt;
      for (size_t k = 0; k < cnt; k++) {
        if (keeps(f, &first[k])) {
          if (first_bad == cnt)
            last_ok = k;
        } else if (first_bad == cnt) {
          first_bad = k;
        }
      }
      if (last_ok == cnt) {
        f->found[j] = false; /* not even the first step keeps it */
        continue;
      }
      f->found[j] = true;
      if (first_bad == cnt) {
        f->whole[j] = true;
        f->value[j] = first[cnt - 1].x[0];
        f->at[j] = first[cnt - 1].fig[f->fig];
        continue;
      }
      for (size_t k = first_bad; k < cnt; k++)
        if (keeps(f, &first[k]))
          f->not_monotone[j] = true;
      double v = bisect(r, &s->axis[0], f, p, pl, first[last_ok].x[0],
                        first[first_bad].x[0]);
      wrow at;
      uinput_set(s->axis[0].in, p, v);
      row_eval(m, p, r->limits, r->n_limits, pl, &at);
      f->value[j] = v;
      f->at[j] = at.fig[f->fig];
    }
  }
  plan_free(pl);
  params_free(p);
  return s;
}

void capplan_sweep_free(capplan_sweep *s) {
  if (!s)
    return;
  free(s->rows);
  free(s->find.found);
  free(s->find.value);
  free(s->find.at);
  free(s->find.whole);
  free(s->find.not_monotone);
  free(s->find.second);
  free(s);
}

bool capplan_sweep_passed(const capplan_sweep *s) {
  if (!s->has_find)
    return true;
  for (size_t j = 0; j < s->n_find; j++)
    if (!s->find.found[j])
      return false;
  return true;
}

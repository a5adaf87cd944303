/*
 * working.c - the working behind every figure of a plan (plan_steps in
 * plan.h), in the order of seed 004's "Interview-Ready Template": where a
 * stage's load comes from, what one server does, each constraint's count,
 * headroom, the one ceiling, zones and spares, GPUs, cost with the period
 * converted, latency and availability; then the groups, the totals and
 * the checks.
 *
 * Every number here is a figure the evaluation stored in the plan (or an
 * input), formatted by the rules of format.h: this file computes nothing,
 * so 'explain' and 'estimate' cannot disagree.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "plan.h"

typedef struct wk {
  const capplan_model *m;
  const params *p;
  const plan *pl;
  steps *s;
} wk;

static const char *plural(double n) {
  return n == 1 ? "" : "s";
}

/* A working line shows the numbers it used (issue 9): a reader who redoes
 * it from the numbers printed gets the result printed.  Where an
 * operand's usual rounding would not, the helpers below give it more
 * decimals, the fewest that do, up to EXTRA_MAX. */
enum { EXTRA_MAX = 8 };

static double num_of(const char *s) {
  return fmt_shown_value(s);
}

/* A percentage as the reader takes it: "20%" is 0.2. */
static double pct_shown(double fraction) {
  char b[FMT_SIZE];
  return num_of(fmt_percent(fraction, b, sizeof b)) / 100;
}

/* Whether V, as fmt_raw_extra shows it with E more decimals, reads
 * WANT. */
static bool raw_reads(double v, int e, const char *want) {
  char b[FMT_SIZE];
  return !strcmp(fmt_raw_extra(v, e, b, sizeof b), want);
}

/* The extra decimals of pool PP's raw figures, for "raw x (1 +
 * headroom)" to read as the figure with headroom shows. */
static int raw_extra(const pool_plan *pp, const policy *pol) {
  char want[FMT_SIZE], b[FMT_SIZE];
  fmt_raw(pp->with_headroom, want, sizeof want);
  double h = pct_shown(pol->headroom);
  for (int e = 0; e <= EXTRA_MAX; e++)
    if (raw_reads(num_of(fmt_raw_extra(pp->raw, e, b, sizeof b)) * (1 + h), 0,
                  want))
      return e;
  return 0;
}

/* The extra decimals of the rates NUM and DEN for "NUM / (DEN x MUL)"
 * to read as V does with E more decimals (fmt_raw_extra). */
static int quotient_extra(double num, double den, double mul, double v, int e) {
  char want[FMT_SIZE], a[FMT_SIZE], b[FMT_SIZE];
  fmt_raw_extra(v, e, want, sizeof want);
  for (int k = 0; k <= EXTRA_MAX; k++) {
    double d = num_of(fmt_rate_extra(den, k, b, sizeof b)) * mul;
    if (d > 0 &&
        raw_reads(num_of(fmt_rate_extra(num, k, a, sizeof a)) / d, e, want))
      return k;
  }
  return 0;
}

/* A money figure per year, and how the spec's own period converts:
 * "$17,520/year (a100: $2/hour x 8,760 h)".  It shows the digits it
 * takes for N of it to make TOTAL as shown (fmt_money_price). */
static void hw_cost(const mhw *hw, double cost_per_year, double n, double total,
                    char *buf, size_t size) {
  char m[FMT_SIZE];
  fmt_money_price(cost_per_year, n, total, m, sizeof m);
  const char *t = hw->cost_text;
  if (!t) {
    snprintf(buf, size, "%s/year (%s, catalog)", m, hw->name);
    return;
  }
  const char *per = strchr(t, '/');
  const char *how = "";
  if (per &&
      (!strcmp(per, "/hour") || !strcmp(per, "/h") || !strcmp(per, "/hr")))
    how = " x 8,760 h";
  else if (per && (!strcmp(per, "/month") || !strcmp(per, "/mo")))
    how = " x 12 months (730 h each)";
  else if (per && (!strcmp(per, "/day") || !strcmp(per, "/d")))
    how = " x 365 days";
  if (*how)
    snprintf(buf, size, "%s/year (%s: %s%s)", m, hw->name, t, how);
  else
    snprintf(buf, size, "%s/year (%s: %s)", m, hw->name, t);
}

/* The slowest path from an entry stage to the end of stage I, as "a 20 +
 * b 20", its first and last five stages past 12.  The path follows the
 * plan's best[], so each call costs at most a dozen steps however long
 * the path. */
static void path_to(const wk *x, size_t i, capplan_buf *out) {
  const plan *pl = x->pl;
  size_t n = pl->path_len[i], show[12], k = 0;
  if (n > 12) {
    for (size_t v = pl->fifth[i], j = 0; j < 5; j++, v = pl->best[v])
      show[4 - j] = v; /* the first five, from the entry */
    k = 5;
  }
  size_t tail = n > 12 ? 5 : n;
  for (size_t v = i, j = 0; j < tail; j++, v = pl->best[v])
    show[k + tail - 1 - j] = v;
  k += tail;
  char b[FMT_SIZE];
  for (size_t j = 0; j < k; j++) {
    if (n > 12 && j == 5)
      capplan_buf_printf(out, " + ... (%s stages) ...",
                         fmt_count((double)(n - 10), b, sizeof b));
    fmt_number(pl->stage[show[j]].latency * 1000, 3, b, sizeof b);
    capplan_buf_printf(out, "%s%s %s", j ? " + " : "",
                       x->m->stage[show[j]].name, b);
  }
}

/* Where the stage's requests come from: its flow per entry request. */
static void flow(const wk *x, size_t i, step_list *l) {
  const mstage *ms = &x->m->stage[i];
  const stage_in *in = &x->p->stage[i];
  const stage_plan *s = &x->pl->stage[i];
  char b[6][FMT_SIZE];
  capplan_buf t;
  capplan_buf_init(&t);
  if (ms->standby) {
    capplan_buf_printf(&t,
                       "fallback for the stages that name it: their "
                       "largest flow, %s per entry request",
                       fmt_number(s->inflow, 6, b[0], FMT_SIZE));
  } else if (!ms->n_parents) {
    capplan_buf_printf(&t, "entry stage: each request enters here (flow 1)");
  } else if (ms->n_parents == 1) {
    size_t u = ms->parents[0];
    capplan_buf_printf(&t, "after %s, which passes on %s per entry request",
                       x->m->stage[u].name,
                       fmt_number(x->pl->stage[u].outflow, 6, b[0], FMT_SIZE));
  } else {
    capplan_buf_printf(&t, "%s of ", ms->join_any ? "sum" : "largest");
    size_t shown = ms->n_parents > 8 ? 8 : ms->n_parents;
    for (size_t q = 0; q < shown; q++) {
      size_t u = ms->parents[q];
      capplan_buf_printf(
          &t, "%s%s %s", q ? ", " : "", x->m->stage[u].name,
          fmt_number(x->pl->stage[u].outflow, 6, b[0], FMT_SIZE));
    }
    if (shown < ms->n_parents)
      capplan_buf_printf(&t, " and %zu more", ms->n_parents - shown);
    double in_flow = in->share > 0 ? s->inflow / in->share : 0;
    capplan_buf_printf(&t, " (join: %s) = %s",
                       ms->join_any ? "any, paths merge"
                                    : "all, waits for "
                                      "each",
                       fmt_number(in_flow, 6, b[1], FMT_SIZE));
  }
  steps_say(x->s, l, "flow", "%s", t.data);
  capplan_buf_release(&t);
  double in_flow = ms->n_parents && in->share > 0 ? s->inflow / in->share
                   : ms->standby                  ? s->inflow
                                                  : 1;
  double share = ms->standby ? 1 : in->share;
  double rest = num_of(fmt_number(in_flow, 6, b[1], FMT_SIZE)) *
                pct_shown(share) *
                num_of(fmt_number(in->calls, 6, b[3], FMT_SIZE)) *
                (1 - pct_shown(in->cache_hit));
  fmt_rate(s->load, b[5], FMT_SIZE);
  for (int e = 0; e <= EXTRA_MAX; e++) {
    char got[FMT_SIZE];
    fmt_rate_extra(x->pl->qps, e, b[0], FMT_SIZE);
    if (!strcmp(fmt_rate(num_of(b[0]) * rest, got, sizeof got), b[5]))
      break;
    if (e == EXTRA_MAX)
      fmt_rate(x->pl->qps, b[0], FMT_SIZE);
  }
  steps_say(x->s, l, "load",
            "%s QPS x %s flow x %s share x %s call%s x (1 - %s cache hit) = "
            "%s QPS",
            b[0], b[1], fmt_percent(share, b[2], FMT_SIZE), b[3],
            in->calls == 1 ? "" : "s",
            fmt_percent(in->cache_hit, b[4], FMT_SIZE), b[5]);
  if (in->stops > 0)
    steps_say(x->s, l, "stops",
              "answers %s itself: passes on %s x (1 - %s) = %s",
              fmt_percent(in->stops, b[0], FMT_SIZE),
              fmt_number(s->inflow, 6, b[1], FMT_SIZE),
              fmt_percent(in->stops, b[2], FMT_SIZE),
              fmt_number(s->outflow, 6, b[3], FMT_SIZE));
  if (s->double_counted)
    steps_say(x->s, l, "",
              "(join: any adds the flows of paths that merge; a request "
              "that took both is counted twice)");
}

/* The memory constraint (FORMULAS.md section 8). */
static void memory_step(const wk *x, const pool_plan *pp, double one_copy,
                        double replicas, const char *where, const policy *pol,
                        step_list *l) {
  char b[6][FMT_SIZE];
  (void)one_copy;
  steps_say(
      x->s, l, "memory", "%s x %s replica%s / (%s %s x (1 - %s reserve)) = %s",
      fmt_bytes(one_copy, b[0], FMT_SIZE),
      fmt_number(replicas, 0, b[1], FMT_SIZE), plural(replicas),
      fmt_bytes(pp->usable / (1 - pol->memory_reserve), b[2], FMT_SIZE), where,
      fmt_percent(pol->memory_reserve, b[3], FMT_SIZE),
      fmt_raw_extra(pp->by[CON_MEMORY], raw_extra(pp, pol), b[4], FMT_SIZE));
}

/* Which of the constraints sizing starts from binds (latency adds
 * servers afterwards: queue_steps). */
static void binding_step(const wk *x, const pool_plan *pp, const policy *pol,
                         step_list *l) {
  unsigned applies = pp->applies & ~(1u << CON_LATENCY);
  if ((applies & (applies - 1)) == 0)
    return; /* only one constraint */
  char b[FMT_SIZE];
  capplan_buf t;
  capplan_buf_init(&t);
  capplan_buf_printf(&t, "the largest of");
  const char *sep = " ";
  int binding = CON_THROUGHPUT, e = raw_extra(pp, pol);
  for (int c = 0; c < CON_COUNT; c++) {
    if (!(applies & (1u << c)))
      continue;
    capplan_buf_printf(&t, "%s%s %s", sep, constraint_name((enum constraint)c),
                       fmt_raw_extra(pp->by[c], e, b, sizeof b));
    sep = ", ";
    if (pp->by[c] > pp->by[binding])
      binding = c;
  }
  capplan_buf_printf(&t, ": %s binds",
                     constraint_name((enum constraint)binding));
  steps_say(x->s, l, "binding", "%s", t.data);
  capplan_buf_release(&t);
}

/* Headroom, the ceiling, zones and spares of pool PP (before the
 * servers ADDED for latency). */
static void sizing(const wk *x, const pool_plan *pp, const policy *pol,
                   double added, step_list *l) {
  double servers = pp->servers - added;
  char b[4][FMT_SIZE];
  double zones = pol->zones, redundancy = pol->redundancy;
  steps_say(x->s, l, "headroom", "%s x (1 + %s) = %s",
            fmt_raw_extra(pp->raw, raw_extra(pp, pol), b[0], FMT_SIZE),
            fmt_percent(pol->headroom, b[1], FMT_SIZE),
            fmt_raw(pp->with_headroom, b[2], FMT_SIZE));
  char arg[2 * FMT_SIZE];
  if (pp->with_headroom > 0 && capplan_ceil(pp->with_headroom) < 1)
    steps_say(x->s, l, "ceiling", "ceil(%s) = 0, but a load needs a server: 1",
              fmt_ceil_arg(pp->with_headroom,
                           fmt_number_sig(pp->with_headroom, 6, b[0], FMT_SIZE),
                           arg, sizeof arg));
  else
    steps_say(x->s, l, "ceiling", "ceil(%s) = %s (one ceiling, at the end)",
              fmt_ceil_arg(pp->with_headroom,
                           fmt_raw(pp->with_headroom, b[0], FMT_SIZE), arg,
                           sizeof arg),
              fmt_count(pp->ceiled, b[1], FMT_SIZE));
  if (pol->survive_zone_loss != 0 && zones > 1)
    steps_say(x->s, l, "zones",
              "%g zones, survive losing one: ceil(%s x %g / %g) = %s (+%s)",
              zones, fmt_count(pp->ceiled, b[0], FMT_SIZE), zones, zones - 1,
              fmt_count(pp->ceiled + pp->zone_extra, b[1], FMT_SIZE),
              fmt_count(pp->zone_extra, b[2], FMT_SIZE));
  else if (zones > 1)
    steps_say(x->s, l, "zones", "spread evenly over %g zones", zones);
  steps_say(x->s, l, "redundancy", "%s + %s spare = %s server%s",
            fmt_count(pp->ceiled + pp->zone_extra, b[0], FMT_SIZE),
            fmt_count(redundancy, b[1], FMT_SIZE),
            fmt_count(servers, b[2], FMT_SIZE), plural(servers));
}

static void money(const wk *x, size_t hw, const pool_plan *pp, step_list *l) {
  const mhw *h = &x->m->hw[hw];
  const hw_in *v = &x->p->hw[hw];
  char b[3][FMT_SIZE], c[3 * FMT_SIZE];
  if (v->gpus > 0)
    steps_say(x->s, l, "GPUs", "%s server%s x %s GPU%s = %s GPU%s",
              fmt_count(pp->servers, b[0], FMT_SIZE), plural(pp->servers),
              fmt_count(v->gpus, b[1], FMT_SIZE), plural(v->gpus),
              fmt_count(pp->gpus, b[2], FMT_SIZE), plural(pp->gpus));
  else
    steps_say(x->s, l, "GPUs", "none (%s has no GPU)", h->name);
  hw_cost(h, v->cost_per_year, pp->servers, pp->cost_per_year, c, sizeof c);
  steps_say(x->s, l, "cost", "%s x %s = %s/year",
            fmt_count(pp->servers, b[0], FMT_SIZE), c,
            fmt_money(pp->cost_per_year, b[1], FMT_SIZE));
}

/* Availability of pool PP: k-of-n, zones, the stage's own, and the share
 * of requests served. */
static void availability(const wk *x, const pool_plan *pp, const policy *pol,
                         step_list *l) {
  char b[7][FMT_SIZE];
  if (pp->needed == 0) {
    steps_say(x->s, l, "availability", "no load, so never needed: 100%%");
    return;
  }
  /* The servers' figure, then the stage's own availability times it:
   * each line's numbers give its result. */
  bool own = pol->stage_availability < 1;
  char tail[3 * FMT_SIZE];
  snprintf(tail, sizeof tail, " (%s nines, down %s/year)",
           fmt_nines(pp->all_f.nines, pp->all_f.above_cap, b[4], FMT_SIZE),
           fmt_downtime(pp->all_f.down_year_min, b[5], FMT_SIZE));
  fmt_availability(pp->servers_all.up, pp->servers_all.down, b[6], FMT_SIZE);
  if (pol->zones > 1)
    steps_say(x->s, l, "availability",
              "%s of %s server%s must be up, each %s, over %g zones each "
              "%s: %s%s",
              fmt_count(pp->needed, b[0], FMT_SIZE),
              fmt_count(pp->servers, b[1], FMT_SIZE), plural(pp->servers),
              fmt_percent(pol->availability, b[2], FMT_SIZE), pol->zones,
              fmt_percent(pol->zone_availability, b[3], FMT_SIZE), b[6],
              own ? "" : tail);
  else if (pp->shards >= 2)
    steps_say(x->s, l, "availability",
              "data in %s shards, each on servers of its own among the %s, "
              "each %s: every shard needs one of its servers up, and %s of "
              "the %s must be up to carry the load: %s%s",
              fmt_count(pp->shards, b[0], FMT_SIZE),
              fmt_count(pp->servers, b[1], FMT_SIZE),
              fmt_percent(pol->availability, b[2], FMT_SIZE),
              fmt_count(pp->load_needed, b[3], FMT_SIZE), b[1], b[6],
              own ? "" : tail);
  else
    steps_say(x->s, l, "availability",
              "%s of %s server%s must be up, each %s: k-of-n %s%s",
              fmt_count(pp->needed, b[0], FMT_SIZE),
              fmt_count(pp->servers, b[1], FMT_SIZE), plural(pp->servers),
              fmt_percent(pol->availability, b[2], FMT_SIZE), b[6],
              own ? "" : tail);
  if (own)
    steps_say(x->s, l, "",
              "x %s stage availability (software and deploys) = %s%s",
              fmt_percent(pol->stage_availability, b[0], FMT_SIZE),
              fmt_availability(pp->all.up, pp->all.down, b[1], FMT_SIZE), tail);
  if (pp->needed_load > 0 && pp->needed_load < pp->needed)
    steps_say(x->s, l, "",
              "(%s carry the load; %s meet the latency objective, so %s must "
              "be up; the requests served below count the %s)",
              fmt_count(pp->needed_load, b[0], FMT_SIZE),
              fmt_count(pp->needed, b[1], FMT_SIZE), b[1], b[0]);
  if (pp->shards >= 2 && pol->zones <= 1)
    steps_say(x->s, l, "requests",
              "servers up carry min(1, k / %s) of the load, and a call finds "
              "its shard up unless all of the shard's servers are down%s%s%s: "
              "%s of requests served",
              fmt_raw(pp->load_carry, b[0], FMT_SIZE),
              pp->calls != 1 ? "; a request's " : "",
              pp->calls != 1 ? fmt_raw(pp->calls, b[1], FMT_SIZE) : "",
              pp->calls != 1 ? " calls each to be served" : "",
              fmt_availability(pp->req.up, pp->req.down, b[2], FMT_SIZE));
  else if (pp->calls != 1)
    steps_say(x->s, l, "requests",
              "servers up carry min(1, k / %s) of the load; a request needs "
              "each of its %s calls served: E[min(1, k / %s)^%s] = %s of "
              "requests served",
              fmt_raw(pp->carry, b[0], FMT_SIZE),
              fmt_raw(pp->calls, b[1], FMT_SIZE), b[0], b[1],
              fmt_availability(pp->req.up, pp->req.down, b[2], FMT_SIZE));
  else
    steps_say(x->s, l, "requests",
              "servers up carry min(1, k / %s) of the load: %s of requests "
              "served",
              fmt_raw(pp->carry, b[0], FMT_SIZE),
              fmt_availability(pp->req.up, pp->req.down, b[1], FMT_SIZE));
}

/* The stage's queue (FORMULAS.md sections 3 and 3b): how its slots and
 * arrivals were counted, the wait, and the percentiles. */
static void queue_steps(const wk *x, size_t i, step_list *l) {
  const stage_plan *s = &x->pl->stage[i];
  const queue_plan *q = &s->queue;
  const stage_in *in = &x->p->stage[i];
  char b[8][FMT_SIZE], jobs[FMT_SIZE], service[FMT_SIZE], rho[FMT_SIZE];
  if (!x->pl->latency_on || q->model == QUEUE_NONE)
    return;
  /* The digits of jobs/s and service for "rho = jobs/s x service / c" to
   * read as rho does. */
  fmt_percent(q->utilization, rho, sizeof rho);
  for (int k = 0; k <= EXTRA_MAX; k++) {
    fmt_rate_extra(q->arrivals, k, jobs, sizeof jobs);
    fmt_ms_extra(q->service, k, service, sizeof service);
    if (!strcmp(fmt_percent(num_of(jobs) * num_of(service) / 1000 / q->slots,
                            b[0], FMT_SIZE),
                rho))
      break;
    if (k == EXTRA_MAX) {
      fmt_rate(q->arrivals, jobs, sizeof jobs);
      fmt_ms(q->service, service, sizeof service);
    }
  }
  if (q->random)
    steps_say(x->s, l, "queue",
              "balancer random: each of %s servers is its own queue of %s "
              "slot%s, fed %s jobs/s",
              fmt_raw(q->servers, b[0], FMT_SIZE),
              fmt_count(q->slots, b[1], FMT_SIZE), plural(q->slots), jobs);
  else
    steps_say(x->s, l, "queue",
              "balancer least-loaded: one queue, c = floor(%s servers x %s "
              "slots) = %s, fed %s jobs/s",
              fmt_floor_operand(q->servers,
                                fmt_shown_value(fmt_number(q->server_slots, 4,
                                                           b[1], FMT_SIZE)),
                                q->slots, b[0], FMT_SIZE),
              b[1], fmt_count(q->slots, b[2], FMT_SIZE), jobs);
  if (in->concurrency <= 0 && q->job == 1)
    steps_say(x->s, l, "",
              "(slots per server by Little's law: qps_per_server x latency)");
  /* The forming wait as latency.c's add_forming takes it (FORMULAS.md
   * 4b, docs/queueing.md): an Erlang mixture for a batch arrivals fill,
   * uniform for one a window closes. */
  if (q->own_batcher) {
    /* FORMULAS.md 4b per-accelerator; docs/decisions.md. */
    double cap = q->server_slots > 0 ? s->tp.per_server / q->server_slots : 0;
    steps_say(x->s, l, "",
              "(a batcher per slot: a job is the batch of %s gathered while "
              "the batch in progress runs; a request waits for that one, "
              "uniform up to %s, then its own)",
              fmt_number(q->job, 2, b[0], FMT_SIZE),
              fmt_ms(q->form, b[1], FMT_SIZE));
    steps_say(x->s, l, "utilization",
              "share of capacity = QPS / (c x max_batch / t(max_batch)) = "
              "%s / (%s x %s) = %s (the slots themselves work all the time)",
              fmt_rate(s->load, b[2], FMT_SIZE),
              fmt_count(q->slots, b[3], FMT_SIZE),
              fmt_rate(cap, b[4], FMT_SIZE), rho);
    if (!q->stable) {
      steps_say(x->s, l, "",
                "at or above 100%% no batch within max_batch keeps up: the "
                "backlog grows without bound (status overloaded)");
      return;
    }
    steps_say(x->s, l, "wait",
              "none beyond the batch in progress: stable below 100%% of "
              "capacity");
  } else if (q->job > 1 && q->fill >= 2 && q->form > 0)
    steps_say(x->s, l, "",
              "(a job is a batch of %s that arrivals fill at %s/s: the k-th "
              "request waits for %s - k more, an Erlang mixture of mean %s; "
              "the first waits %s on average; batch gaps have cv "
              "1/sqrt(%s))",
              fmt_count(q->job, b[0], FMT_SIZE),
              fmt_rate((q->fill - 1) / q->form, b[1], FMT_SIZE), b[0],
              fmt_ms(q->form_mean, b[2], FMT_SIZE),
              fmt_ms(q->form, b[3], FMT_SIZE), b[0]);
  else if (q->job > 1)
    steps_say(x->s, l, "",
              "(a job is a batch of %s; a request waits up to %s for the "
              "batcher to close its batch, taken as uniform; batch gaps have "
              "cv 1/sqrt(%s))",
              fmt_count(q->job, b[0], FMT_SIZE),
              fmt_ms(q->form, b[1], FMT_SIZE), b[0]);
  if (q->own_batcher) {
    /* the utilization and wait said above */
  } else {
    steps_say(x->s, l, "utilization",
              "rho = jobs/s x service / c = %s x %s / %s = %s", jobs, service,
              fmt_count(q->slots, b[2], FMT_SIZE), rho);
  }
  if (!q->stable) {
    steps_say(x->s, l, "",
              "at or above 100%% the queue grows without bound: no "
              "percentile exists (status overloaded)");
    return;
  }
  if (q->own_batcher)
    ; /* no queue beyond the batch in progress, said above */
  else if (q->model == QUEUE_MMC)
    steps_say(x->s, l, "wait",
              "Erlang C: P(wait) = %s; mean wait = C / (c mu - lambda) = %s",
              fmt_small_percent(q->p_wait, b[0], FMT_SIZE),
              fmt_small_ms(q->wait_mean, b[1], FMT_SIZE));
  else
    steps_say(x->s, l, "wait",
              "Erlang C: P(wait) = %s; Allen-Cunneen mean wait = M/M/c's x "
              "(ca^2 + cs^2)/2 = %s x (%s^2 + %s^2)/2 = %s",
              fmt_small_percent(q->p_wait, b[0], FMT_SIZE),
              fmt_small_ms(q->wait_mmc, b[4], FMT_SIZE),
              fmt_number(q->ca, 3, b[1], FMT_SIZE),
              fmt_number(q->cs, 3, b[2], FMT_SIZE),
              fmt_small_ms(q->wait_mean, b[3], FMT_SIZE));
  if (q->form > 0)
    steps_say(x->s, l, "with forming",
              "mean wait before service = forming %s + queue %s = %s (what "
              "'capplan simulate' compares as the wait)",
              fmt_small_ms(q->form_mean, b[0], FMT_SIZE),
              fmt_small_ms(q->wait_mean, b[1], FMT_SIZE),
              fmt_small_ms(q->wait_with_form, b[2], FMT_SIZE));
  steps_say(x->s, l, "percentiles",
            "response = %swait + service: p50 %s, p95 %s, p99 %s, p999 %s",
            q->form > 0 ? "forming + " : "",
            fmt_ms(q->pct[PCT_P50], b[0], FMT_SIZE),
            fmt_ms(q->pct[PCT_P95], b[1], FMT_SIZE),
            fmt_ms(q->pct[PCT_P99], b[2], FMT_SIZE),
            fmt_ms(q->pct[PCT_P999], b[3], FMT_SIZE));
  if (s->latency_added > 0)
    steps_say(x->s, l, "for latency",
              "%s + %s for the latency objectives = %s servers",
              fmt_count(s->pool.servers - s->latency_added, b[0], FMT_SIZE),
              fmt_count(s->latency_added, b[1], FMT_SIZE),
              fmt_count(s->pool.servers, b[2], FMT_SIZE));
}

/* What `kind:` gave the stage and where the figures come from
 * (workload.h). */
static void workload_step(const wk *x, size_t i, step_list *l) {
  const mstage *ms = &x->m->stage[i];
  capplan_buf t;
  capplan_buf_init(&t);
  capplan_buf_printf(&t, "kind: %s", ms->workload);
  const char *sep = " inherits ";
  if (ms->inherits & MSTAGE_INHERITS_LATENCY) {
    capplan_buf_printf(&t, "%slatency %s", sep, ms->text.latency);
    sep = ", ";
  }
  if (ms->inherits & MSTAGE_INHERITS_QPS) {
    capplan_buf_printf(&t, "%sqps_per_server %s", sep, ms->text.qps_per_server);
    sep = ", ";
  }
  if (ms->inherits & MSTAGE_INHERITS_HARDWARE) {
    capplan_buf_printf(&t, "%shardware %s", sep, x->m->hw[ms->hw].name);
    sep = ", ";
  }
  if (!ms->inherits)
    capplan_buf_puts(&t, " gives nothing the stage does not set itself");
  if (ms->workload_sources && *ms->workload_sources)
    capplan_buf_printf(&t, " (%s)", ms->workload_sources);
  steps_say(x->s, l, "workload", "%s", t.data);
  capplan_buf_release(&t);
}

static void stage_section(const wk *x, size_t i) {
  const capplan_model *m = x->m;
  const mstage *ms = &m->stage[i];
  const stage_in *in = &x->p->stage[i];
  const stage_plan *s = &x->pl->stage[i];
  step_list *l = &x->s->stage[i];
  char b[6][FMT_SIZE];
  flow(x, i, l);
  if (ms->workload)
    workload_step(x, i, l);
  tp_ops_of(ms->tp.kind)
      ->steps(&ms->tp, in, stage_gpu(m, x->p, i), &x->p->hw[ms->hw], ms, &s->tp,
              x->s, l);
  const pool_plan *pp = &s->pool;
  if (ms->group >= 0) {
    int k = quotient_extra(s->load, s->tp.per_server, 1, s->equivalents, 0);
    steps_say(x->s, l, "servers",
              "%s / %s = %s server-equivalents at 100%%, sized with group %s",
              fmt_rate_extra(s->load, k, b[0], FMT_SIZE),
              fmt_rate_extra(s->tp.per_server, k, b[1], FMT_SIZE),
              fmt_raw(s->equivalents, b[2], FMT_SIZE),
              m->group[ms->group].name);
  } else {
    int e = raw_extra(pp, &in->pol);
    int k = quotient_extra(s->load, s->tp.per_server,
                           pct_shown(in->pol.utilization),
                           pp->by[CON_THROUGHPUT], e);
    steps_say(x->s, l, "raw servers", "%s / (%s x %s utilization) = %s",
              fmt_rate_extra(s->load, k, b[0], FMT_SIZE),
              fmt_rate_extra(s->tp.per_server, k, b[1], FMT_SIZE),
              fmt_percent(in->pol.utilization, b[2], FMT_SIZE),
              fmt_raw_extra(pp->by[CON_THROUGHPUT], e, b[3], FMT_SIZE));
    if (pp->applies & (1u << CON_MEMORY))
      memory_step(x, pp, in->memory, in->replicas,
                  ms->memory_on_gpu ? "GPU memory" : "memory", &in->pol, l);
    if (pp->applies & (1u << CON_KV_CACHE)) {
      const llm_result *r = s->tp.llm;
      steps_say(x->s, l, "KV cache",
                "%s QPS x %s s per sequence (B / X) / (%s sequences x %g "
                "replica%s per server) = %s",
                fmt_rate(s->load, b[0], FMT_SIZE),
                fmt_number_sig(r->requests_per_second > 0
                                   ? r->batch / r->requests_per_second
                                   : 0,
                               3, b[1], FMT_SIZE),
                fmt_number(r->memory.max_concurrency, 0, b[2], FMT_SIZE),
                s->tp.replicas_per_server, plural(s->tp.replicas_per_server),
                fmt_raw(pp->by[CON_KV_CACHE], b[3], FMT_SIZE));
    }
    binding_step(x, pp, &in->pol, l);
    sizing(x, pp, &in->pol, s->latency_added, l);
    if (s->latency_added <= 0)
      money(x, ms->hw, pp, l);
  }
  if (s->form > 0 && (ms->tp.kind == TP_BATCH || s->tp.form < 0)) {
    /* A fixed batch fills from the requests reaching one of its slots
     * (FORMULAS.md 4b): the first waits for the other batch - 1. */
    double servers =
        ms->group >= 0 ? x->pl->group[ms->group].pool.servers : pp->servers;
    double per_slot = s->load / servers / s->tp.parallelism;
    /* The digits that redo both steps, the wait's first. */
    double batch = num_of(fmt_number(s->tp.batch, 0, b[0], FMT_SIZE));
    double div = num_of(fmt_count(servers, b[2], FMT_SIZE)) *
                 num_of(fmt_number(s->tp.parallelism, 4, b[3], FMT_SIZE));
    fmt_ms(s->form, b[5], FMT_SIZE);
    int kr = 0, kl = 0;
    for (int k = 0; k <= EXTRA_MAX; k++) {
      double r = num_of(fmt_rate_extra(per_slot, k, b[4], FMT_SIZE));
      if (r > 0 && !strcmp(fmt_ms((batch - 1) / r, b[1], FMT_SIZE), b[5])) {
        kr = k;
        break;
      }
    }
    fmt_rate_extra(per_slot, kr, b[4], FMT_SIZE);
    for (int k = 0; k <= EXTRA_MAX && div > 0; k++) {
      char got[FMT_SIZE];
      double v = num_of(fmt_rate_extra(s->load, k, b[1], FMT_SIZE)) / div;
      if (!strcmp(fmt_rate_extra(v, kr, got, sizeof got), b[4])) {
        kl = k;
        break;
      }
    }
    steps_say(x->s, l, "batch fill",
              "a batch of %s fills from %s / %s servers / %s = %s requests/s "
              "per slot: the first waits (%s - 1) / %s = %s",
              b[0], fmt_rate_extra(s->load, kl, b[1], FMT_SIZE), b[2], b[3],
              b[4], b[0], b[4], b[5]);
  }
  capplan_buf lat;
  capplan_buf_init(&lat);
  if (ms->standby) {
    capplan_buf_printf(&lat, "%s, only while the stage it backs up is down",
                       fmt_ms(s->latency, b[0], FMT_SIZE));
  } else {
    capplan_buf_printf(&lat, "%s of its own; slowest path to its end: ",
                       fmt_ms(s->latency, b[0], FMT_SIZE));
    path_to(x, i, &lat);
    capplan_buf_printf(&lat, " = %s", fmt_ms(s->latency_to, b[1], FMT_SIZE));
  }
  if (ms->async)
    capplan_buf_printf(&lat, " (async: off the request path, no request "
                             "waits for it)");
  steps_say(x->s, l, "latency", "%s", lat.data);
  capplan_buf_release(&lat);
  queue_steps(x, i, l);
  if (ms->group < 0 && s->latency_added > 0)
    money(x, ms->hw, pp, l);
  if (ms->calls_sequential && in->calls != 1)
    steps_say(x->s, l, "", "(calls in sequence: %s x %s)",
              fmt_number(in->calls, 6, b[0], FMT_SIZE),
              fmt_ms(s->tp.latency, b[1], FMT_SIZE));
  if (ms->group >= 0) {
    steps_say(x->s, l, "availability", "that of group %s, one pool",
              m->group[ms->group].name);
  } else {
    availability(x, pp, &in->pol, l);
    if (ms->async)
      steps_say(x->s, l, "", "(async: its availability gates no request)");
    if (ms->fallback >= 0) {
      const char *f = m->stage[ms->fallback].name;
      steps_say(
          x->s, l, "fallback",
          "%s stands in while it is down: 1 - (1 - A)(1 - A_%s) = %s", f, f,
          fmt_availability(s->effective.up, s->effective.down, b[0], FMT_SIZE));
    }
  }
  if (ms->has_cache) {
    const cache_in *ci = &x->p->cache[ms->cache_at];
    const pool_plan *cp = s->cache.pool;
    int e = raw_extra(cp, &ci->pol);
    int k = quotient_extra(s->cache_load, ci->qps_per_server,
                           pct_shown(ci->pol.utilization),
                           cp->by[CON_THROUGHPUT], e);
    steps_say(x->s, l, "cache",
              "%s lookups/s (every invocation) / (%s x %s utilization) = %s",
              fmt_rate_extra(s->cache_load, k, b[0], FMT_SIZE),
              fmt_rate_extra(ci->qps_per_server, k, b[1], FMT_SIZE),
              fmt_percent(ci->pol.utilization, b[2], FMT_SIZE),
              fmt_raw_extra(cp->by[CON_THROUGHPUT], e, b[3], FMT_SIZE));
    if (cp->applies & (1u << CON_MEMORY))
      memory_step(x, cp, ci->memory, ci->replicas, "memory", &ci->pol, l);
    binding_step(x, cp, &ci->pol, l);
    sizing(x, cp, &ci->pol, 0, l);
    money(x, ms->cache_hw, cp, l);
    steps_say(x->s, l, "mean latency", "%s hits x %s + %s misses x %s = %s",
              fmt_percent(in->cache_hit, b[0], FMT_SIZE),
              fmt_ms(ci->latency, b[1], FMT_SIZE),
              fmt_percent(1 - in->cache_hit, b[2], FMT_SIZE),
              fmt_ms(s->latency, b[3], FMT_SIZE),
              fmt_ms(s->mean_latency, b[4], FMT_SIZE));
    availability(x, cp, &ci->pol, l);
    steps_say(x->s, l, "cache tier", "%s server%s, %s GPU%s, %s/year",
              fmt_count(cp->servers, b[0], FMT_SIZE), plural(cp->servers),
              fmt_count(cp->gpus, b[1], FMT_SIZE), plural(cp->gpus),
              fmt_money(cp->cost_per_year, b[2], FMT_SIZE));
  }
  if (ms->group >= 0)
    steps_summary(x->s, l, "%s server-equivalents in group %s",
                  fmt_raw(s->equivalents, b[0], FMT_SIZE),
                  m->group[ms->group].name);
  else
    steps_summary(x->s, l, "%s server%s, %s GPU%s, %s/year",
                  fmt_count(pp->servers, b[0], FMT_SIZE), plural(pp->servers),
                  fmt_count(pp->gpus, b[1], FMT_SIZE), plural(pp->gpus),
                  fmt_money(pp->cost_per_year, b[2], FMT_SIZE));
}

static void group_section(const wk *x, size_t gi) {
  const mgroup *mg = &x->m->group[gi];
  const policy *pol = &x->p->group[gi];
  const group_plan *gp = &x->pl->group[gi];
  const pool_plan *pp = &gp->pool;
  step_list *l = &x->s->group[gi];
  char b[4][FMT_SIZE];
  /* The digits of each line's figures, from the headroom line back: the
   * raw servers, the server-equivalents they come from, their terms. */
  int e = raw_extra(pp, pol), eq = 0, terms = 0;
  double u = pct_shown(pol->utilization);
  fmt_raw_extra(pp->by[CON_THROUGHPUT], e, b[2], FMT_SIZE);
  for (int k = 0; k <= EXTRA_MAX; k++)
    if (u > 0 &&
        raw_reads(num_of(fmt_raw_extra(gp->equivalents, k, b[0], FMT_SIZE)) / u,
                  e, b[2])) {
      eq = k;
      break;
    }
  fmt_raw_extra(gp->equivalents, eq, b[1], FMT_SIZE);
  for (int k = 0; k <= EXTRA_MAX && mg->n_members <= 8; k++) {
    double sum = 0;
    for (size_t j = 0; j < mg->n_members; j++)
      sum += num_of(fmt_raw_extra(x->pl->stage[mg->members[j]].equivalents, k,
                                  b[0], FMT_SIZE));
    if (raw_reads(sum, eq, b[1])) {
      terms = k;
      break;
    }
  }
  capplan_buf t;
  capplan_buf_init(&t);
  for (size_t k = 0; k < mg->n_members; k++) {
    size_t i = mg->members[k];
    if (k < 8)
      capplan_buf_printf(
          &t, "%s%s %s", k ? " + " : "", x->m->stage[i].name,
          fmt_raw_extra(x->pl->stage[i].equivalents, terms, b[0], FMT_SIZE));
    else if (k == 8)
      capplan_buf_printf(&t, " + %zu more", mg->n_members - 8);
  }
  capplan_buf_printf(&t, " = %s server-equivalents (they add)", b[1]);
  steps_say(x->s, l, "members", "%s", t.data);
  capplan_buf_release(&t);
  steps_say(x->s, l, "raw servers", "%s / %s utilization = %s", b[1],
            fmt_percent(pol->utilization, b[0], FMT_SIZE), b[2]);
  if (pp->applies & (1u << CON_MEMORY))
    steps_say(x->s, l, "memory", "%s of data with replicas / %s usable = %s",
              fmt_bytes(pp->memory, b[0], FMT_SIZE),
              fmt_bytes(pp->usable, b[1], FMT_SIZE),
              fmt_raw(pp->by[CON_MEMORY], b[2], FMT_SIZE));
  binding_step(x, pp, pol, l);
  sizing(x, pp, pol, gp->latency_added, l);
  if (gp->latency_added > 0)
    steps_say(x->s, l, "for latency",
              "%s + %s for the latency objectives = %s servers (its members "
              "share them by server-equivalents)",
              fmt_count(pp->servers - gp->latency_added, b[0], FMT_SIZE),
              fmt_count(gp->latency_added, b[1], FMT_SIZE),
              fmt_count(pp->servers, b[2], FMT_SIZE));
  money(x, mg->hw, pp, l);
  availability(x, pp, pol, l);
  steps_summary(x->s, l, "%s server%s, %s GPU%s, %s/year",
                fmt_count(pp->servers, b[0], FMT_SIZE), plural(pp->servers),
                fmt_count(pp->gpus, b[1], FMT_SIZE), plural(pp->gpus),
                fmt_money(pp->cost_per_year, b[2], FMT_SIZE));
}

static void traffic(const wk *x) {
  const capplan_model *m = x->m;
  const traffic_in *t = &x->p->traffic;
  const plan *pl = x->pl;
  step_list *l = &x->s->traffic;
  char b[5][FMT_SIZE];
  if (m->traffic_from_dau) {
    /* The average with the digits that give the peak as shown. */
    char avg[FMT_SIZE], got[FMT_SIZE];
    double p2a = num_of(fmt_number(t->peak_to_average, 4, b[1], FMT_SIZE));
    fmt_rate(pl->qps, b[2], FMT_SIZE);
    for (int k = 0; k <= EXTRA_MAX; k++) {
      fmt_rate_extra(pl->average_qps, k, avg, sizeof avg);
      if (!strcmp(fmt_rate(num_of(avg) * p2a, got, sizeof got), b[2]))
        break;
      if (k == EXTRA_MAX)
        fmt_rate(pl->average_qps, avg, sizeof avg);
    }
    steps_say(x->s, l, "average",
              "dau x requests per user / 86,400 s = %s x %s / 86,400 = %s QPS",
              fmt_number_sig(t->dau, 2, b[0], FMT_SIZE),
              fmt_number(t->requests_per_user, 4, b[3], FMT_SIZE), avg);
    steps_say(x->s, l, "peak", "average x peak_to_average = %s x %s = %s QPS",
              avg, b[1], b[2]);
    return;
  }
  steps_say(x->s, l, "peak", "qps: %s given = %s QPS into the entry stages",
            m->qps_text ? m->qps_text : fmt_rate(t->qps, b[1], FMT_SIZE),
            fmt_rate(pl->qps, b[0], FMT_SIZE));
  if (m->has_average_qps)
    steps_say(x->s, l, "average", "average_qps: %s given = %s QPS",
              m->average_qps_text ? m->average_qps_text : "",
              fmt_rate(pl->average_qps, b[0], FMT_SIZE));
  else if (pl->average_qps > 0)
    steps_say(x->s, l, "average", "peak / peak_to_average = %s / %s = %s QPS",
              fmt_rate(pl->qps, b[0], FMT_SIZE),
              fmt_number(t->peak_to_average, 4, b[1], FMT_SIZE),
              fmt_rate(pl->average_qps, b[2], FMT_SIZE));
}

/* "30 + 6 + 200 = 236", over what owns servers; long sums abbreviated. */
static void sum_line(const wk *x, const char *label, int kind) {
  const capplan_model *m = x->m;
  const plan *pl = x->pl;
  capplan_buf t;
  capplan_buf_init(&t);
  char b[FMT_SIZE];
  size_t terms = 0;
  for (size_t k = 0; k < m->n_stages + m->n_groups; k++) {
    const pool_plan *pools[2] = {NULL, NULL};
    if (k < m->n_stages) {
      size_t i = m->order[k];
      if (m->stage[i].has_cache)
        pools[0] = pl->stage[i].cache.pool;
      if (m->stage[i].group < 0)
        pools[1] = &pl->stage[i].pool;
    } else {
      pools[1] = &pl->group[k - m->n_stages].pool;
    }
    for (int q = 0; q < 2; q++) {
      if (!pools[q])
        continue;
      double v = kind == 0   ? pools[q]->servers
                 : kind == 1 ? pools[q]->gpus
                             : pools[q]->cost_per_year;
      if (terms < 8)
        capplan_buf_printf(&t, "%s%s", terms ? " + " : "",
                           kind == 2 ? fmt_money(v, b, sizeof b)
                                     : fmt_count(v, b, sizeof b));
      terms++;
    }
  }
  if (terms > 8)
    capplan_buf_printf(&t, " + ... (%zu terms)", terms);
  double total = kind == 0   ? pl->servers
                 : kind == 1 ? pl->gpus
                             : pl->cost_per_year;
  if (terms > 1)
    capplan_buf_printf(&t, " = %s",
                       kind == 2 ? fmt_money(total, b, sizeof b)
                                 : fmt_count(total, b, sizeof b));
  if (kind == 2)
    capplan_buf_puts(&t, "/year");
  steps_say(x->s, &x->s->totals, label, "%s", t.data ? t.data : "");
  capplan_buf_release(&t);
}

static void totals(const wk *x) {
  const capplan_model *m = x->m;
  const plan *pl = x->pl;
  step_list *l = &x->s->totals;
  char b[6][FMT_SIZE];
  sum_line(x, "servers", 0);
  sum_line(x, "GPUs", 1);
  sum_line(x, "cost", 2);
  steps_say(x->s, l, "per month", "%s/year x 730 / 8,760 h = %s/month",
            fmt_money(pl->cost_per_year, b[0], FMT_SIZE),
            fmt_money(pl->cost_per_month, b[1], FMT_SIZE));
  if (pl->cost_per_million >= 0) {
    /* The average with the digits that give the cost as shown. */
    double year = num_of(fmt_money(pl->cost_per_year, b[0], FMT_SIZE));
    fmt_money(pl->cost_per_million, b[2], FMT_SIZE);
    for (int k = 0; k <= EXTRA_MAX; k++) {
      double q = num_of(fmt_rate_extra(pl->average_qps, k, b[1], FMT_SIZE));
      if (q > 0 &&
          !strcmp(fmt_money(year / (q * 31536000) * 1e6, b[3], FMT_SIZE), b[2]))
        break;
      if (k == EXTRA_MAX)
        fmt_rate(pl->average_qps, b[1], FMT_SIZE);
    }
    steps_say(x->s, l, "per request",
              "%s/year / (%s QPS x 31,536,000 s) x 1M = %s per million "
              "requests",
              b[0], b[1], b[2]);
  }
  capplan_buf t;
  capplan_buf_init(&t);
  const char **names = xmalloc((pl->n_critical + 1) * sizeof(char *));
  for (size_t k = 0; k < pl->n_critical; k++)
    names[k] = m->stage[pl->critical[k]].name;
  fmt_path(&t, names, pl->n_critical, " -> ", NULL);
  free(names);
  steps_say(x->s, l, "critical path",
            "%s = %s (the slowest path; stages on other paths overlap with "
            "it)",
            t.data ? t.data : "", fmt_ms(pl->latency, b[0], FMT_SIZE));
  capplan_buf_release(&t);
  if (pl->latency_on && pl->pct_known)
    steps_say(x->s, l, "percentiles",
              "end to end (sum along paths, max over fork-joins, mixed where "
              "requests end): p50 %s, p95 %s, p99 %s, p999 %s",
              fmt_ms(pl->pct[PCT_P50], b[0], FMT_SIZE),
              fmt_ms(pl->pct[PCT_P95], b[1], FMT_SIZE),
              fmt_ms(pl->pct[PCT_P99], b[2], FMT_SIZE),
              fmt_ms(pl->pct[PCT_P999], b[3], FMT_SIZE));
  else if (pl->latency_on && pl->unstable >= 0)
    steps_say(x->s, l, "percentiles", "none end to end: stage %s is overloaded",
              m->stage[pl->unstable].name);
  steps_say(x->s, l, "availability",
            "product over stages and groups (in series) = %s (%s nines, down "
            "%s/year)",
            fmt_availability(pl->all.up, pl->all.down, b[0], FMT_SIZE),
            fmt_nines(pl->all_f.nines, pl->all_f.above_cap, b[1], FMT_SIZE),
            fmt_downtime(pl->all_f.down_year_min, b[2], FMT_SIZE));
  steps_say(x->s, l, "requests",
            "product over stand-alone stages and groups (a group once, "
            "for the requests visiting any of its members) of (1 - share "
            "of requests visiting it x share it sheds) = %s of requests "
            "served (%s nines)",
            fmt_availability(pl->req.up, pl->req.down, b[0], FMT_SIZE),
            fmt_nines(pl->req_f.nines, pl->req_f.above_cap, b[1], FMT_SIZE));
  steps_summary(x->s, l, "%s servers, %s GPUs, %s/year, %s, %s available",
                fmt_count(pl->servers, b[0], FMT_SIZE),
                fmt_count(pl->gpus, b[1], FMT_SIZE),
                fmt_money(pl->cost_per_year, b[2], FMT_SIZE),
                fmt_ms(pl->latency, b[3], FMT_SIZE),
                fmt_availability(pl->all.up, pl->all.down, b[4], FMT_SIZE));
  for (size_t i = 0; i < pl->n_checks; i++) {
    const capplan_check *c = &pl->checks[i];
    char a[FMT_SIZE], lim[FMT_SIZE], mg[2 * FMT_SIZE];
    fmt_check_actual(c, a, FMT_SIZE);
    fmt_check_value(c, c->limit, true, lim, FMT_SIZE);
    const char *nm =
        c->stage ? steps_fmt(x->s, "%s %s", c->stage, c->name) : c->name;
    steps_say(x->s, &x->s->checks, nm, "%s: %s %s %s, margin %s",
              c->passed ? "pass" : "FAIL", a, c->upper ? "<=" : ">=", lim,
              fmt_check_margin(c, mg, sizeof mg));
  }
}

void plan_steps(const capplan_model *m, const params *p, const plan *out,
                steps *s) {
  wk x = {m, p, out, s};
  traffic(&x);
  for (size_t k = 0; k < m->n_stages; k++)
    stage_section(&x, m->order[k]);
  for (size_t gi = 0; gi < m->n_groups; gi++)
    group_section(&x, gi);
  totals(&x);
}

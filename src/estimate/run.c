/*
 * run.c - the pipeline runner every command uses: source -> spec ->
 * model -> plan (-> working), with every diagnostic of every step in one
 * list.
 *
 * A spec with errors still goes through resolution, so that one run
 * reports every error; it never reaches the evaluation.  What an
 * evaluation finds (a figure no double holds, a request counted twice by
 * a merge) comes back as data in the plan and becomes a diagnostic here,
 * so that the estimator itself stays pure.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "inputs.h"
#include "report.h"
#include "spec.h"
#include "uncertain.h"
#include "workload.h"

/* The limits to check: the spec's slo and budget, each tightened (never
 * loosened) by a command-line limit; a looser one is a warning. */
static void merge_limits(const capplan_model *m, const capplan_check_opts *opts,
                         capplan_report *r, capplan_diags *d) {
  capplan_check_opts none;
  memset(&none, 0, sizeof none);
  if (!opts)
    opts = &none;
  /* slo.ttft and slo.tpot judge llm stages; with none they judge nothing. */
  bool llm = false, tpot = false;
  for (size_t i = 0; i < m->n_stages; i++) {
    llm = llm || m->stage[i].tp.kind == TP_LLM;
    /* TPOT exists only after a first token (tp_llm.c warns per stage). */
    tpot = tpot || (m->stage[i].tp.kind == TP_LLM &&
                    stage_gpu(m, r->p, i)->output_tokens >= 2);
  }
  const capplan_limit no_flag = {false, 0};
  struct {
    bool has;
    capplan_loc loc;
    const char *name;
  } llm_slo[] = {{m->limits.has_ttft, m->limits.ttft_loc, "ttft"},
                 {m->limits.has_tpot, m->limits.tpot_loc, "tpot"}};
  for (size_t i = 0; i < 2; i++)
    if (llm_slo[i].has && !llm)
      capplan_diags_add(d, CAPPLAN_WARNING, llm_slo[i].loc,
                        "it applies to stages with 'llm:'; remove it, or "
                        "give a stage 'llm:'",
                        "'slo.%s' has no llm stage to judge", llm_slo[i].name);
  struct {
    enum capplan_check_kind kind;
    const char *name;
    bool upper, has;
    double spec;
    capplan_loc loc;
    const capplan_limit *flag;
    double scale;
  } all[7 + PCT_COUNT] = {
      {CAPPLAN_CHECK_LATENCY, "latency", true, m->limits.has_latency,
       m->limits.latency, m->limits.latency_loc, &opts->max_latency, 1000},
      {CAPPLAN_CHECK_AVAILABILITY, "availability", false,
       m->limits.has_availability, m->limits.availability,
       m->limits.availability_loc, &opts->min_availability, 1},
      {CAPPLAN_CHECK_COST, "cost", true, m->limits.has_cost, m->limits.cost,
       m->limits.cost_loc, &opts->max_cost, 1},
      {CAPPLAN_CHECK_GPUS, "gpus", true, m->limits.has_gpus, m->limits.gpus,
       m->limits.gpus_loc, &opts->max_gpus, 1},
      {CAPPLAN_CHECK_SERVERS, "servers", true, m->limits.has_servers,
       m->limits.servers, m->limits.servers_loc, &opts->max_servers, 1},
      {CAPPLAN_CHECK_TTFT, "ttft", true, m->limits.has_ttft && llm,
       m->limits.ttft, m->limits.ttft_loc, &no_flag, 1000},
      {CAPPLAN_CHECK_TPOT, "tpot", true, m->limits.has_tpot && tpot,
       m->limits.tpot, m->limits.tpot_loc, &no_flag, 1000},
  };
  /* End-to-end percentiles (SPEC.md section 7), then each stage's. */
  static const char *const pct_names[PCT_COUNT] = {
      "latency_p50", "latency_p95", "latency_p99", "latency_p999"};
  for (int k = 0; k < PCT_COUNT; k++) {
    size_t i = 7 + (size_t)k;
    all[i].kind = (enum capplan_check_kind)(CAPPLAN_CHECK_LATENCY_P50 + k);
    all[i].name = pct_names[k];
    all[i].upper = true;
    all[i].has = false;
    all[i].flag = &opts->max_latency_p[k];
    all[i].scale = 1000;
    for (size_t j = 0; j < m->n_pct_limits; j++)
      if (m->pct_limits[j].stage < 0 && m->pct_limits[j].pct == k) {
        all[i].has = true;
        all[i].spec = m->pct_limits[j].limit;
        all[i].loc = m->pct_limits[j].loc;
      }
  }
  r->limits = xcalloc(plan_max_checks(m), sizeof(check_limit));
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
    bool from_flag = all[i].flag->set;
    if (!all[i].has && !from_flag)
      continue;
    double limit = all[i].has ? all[i].spec * all[i].scale : 0;
    bool tighter = false;
    if (from_flag) {
      double f = all[i].flag->value * all[i].scale;
      tighter = !all[i].has || (all[i].upper ? f < limit : f > limit);
      if (tighter) {
        limit = f;
      } else if (f != limit) {
        capplan_check shown = {.kind = all[i].kind,
                               .name = all[i].name,
                               .unit = "",
                               .source = "spec",
                               .upper = all[i].upper,
                               .known = true,
                               .passed = true};
        char fv[FMT_SIZE], sv[FMT_SIZE];
        fmt_check_value(&shown, f, true, fv, sizeof fv);
        fmt_check_value(&shown, limit, true, sv, sizeof sv);
        capplan_diags_add(d, CAPPLAN_WARNING, all[i].loc,
                          "a command-line limit can only tighten the spec's",
                          "the command-line limit on %s (%s) is looser than "
                          "the spec's (%s), which applies",
                          all[i].name, fv, sv);
      }
    }
    check_limit *l = &r->limits[r->n_limits++];
    l->kind = all[i].kind;
    l->stage = -1;
    l->limit = limit;
    l->from_flag = tighter;
  }
  for (size_t j = 0; j < m->n_pct_limits; j++) {
    const pct_limit *pl = &m->pct_limits[j];
    if (pl->stage < 0)
      continue;
    check_limit *l = &r->limits[r->n_limits++];
    l->kind = (enum capplan_check_kind)(CAPPLAN_CHECK_LATENCY_P50 + pl->pct);
    l->stage = pl->stage;
    l->limit = pl->limit * 1000;
    l->from_flag = false;
  }
}

/* A figure that left the range of a double, as the evaluation found it. */
static void report_problem(const capplan_model *m, const plan *pl,
                           capplan_diags *d) {
  bool group = pl->problem == PROBLEM_GROUP_GPUS;
  const char *name = group || pl->problem == PROBLEM_TOTAL_COUNT ||
                             pl->problem == PROBLEM_TOTAL_COST
                         ? ""
                         : m->stage[pl->problem_stage].name;
  capplan_loc loc = group || pl->problem == PROBLEM_TOTAL_COUNT ||
                            pl->problem == PROBLEM_TOTAL_COST
                        ? m->stages_loc
                        : m->stage[pl->problem_stage].loc;
  const char *what = NULL, *why = NULL;
  switch (pl->problem) {
  case PROBLEM_NONE:
    return;
  case PROBLEM_FLOW:
    what = "flow (requests per entry request)";
    why = "'join: any' adds the flows of all the paths that merge; fewer "
          "merging paths keep it in range";
    break;
  case PROBLEM_LOAD:
    what = "load";
    why = "check 'qps', 'calls' and the flow into it";
    break;
  case PROBLEM_THROUGHPUT:
    what = "throughput per server";
    why = "check 'qps_per_server', or 'batch', 'latency' and 'parallelism'";
    break;
  case PROBLEM_LATENCY:
    what = "latency to its end";
    why = "check the latencies along its slowest path";
    break;
  case PROBLEM_COST:
    what = "cost";
    why = "check the 'cost' of its hardware";
    break;
  case PROBLEM_SERVERS: {
    char help[256];
    snprintf(help, sizeof help,
             "check 'qps', 'calls' and 'qps_per_server' (or 'batch', "
             "'latency' and 'parallelism'): the load is %.3g/s",
             pl->stage[pl->problem_stage].load);
    capplan_diags_add(d, CAPPLAN_ERROR, loc, help,
                      "stage '%s' needs more servers than capplan can count "
                      "exactly (2^53)",
                      name);
    return;
  }
  case PROBLEM_GPUS:
  case PROBLEM_GROUP_GPUS: {
    const pool_plan *pp = group ? &pl->group[pl->problem_stage].pool
                                : &pl->stage[pl->problem_stage].pool;
    char n[FMT_SIZE];
    capplan_diags_add(d, CAPPLAN_ERROR,
                      group ? m->group[pl->problem_stage].loc : loc,
                      "fewer servers, or hardware with fewer GPUs per server, "
                      "keep the count exact",
                      "%s '%s' needs %s GPUs, more than capplan can count "
                      "exactly (2^53)",
                      group ? "group" : "stage",
                      group ? m->group[pl->problem_stage].name : name,
                      fmt_count(pp->gpus, n, sizeof n));
    return;
  }
  case PROBLEM_TOTAL_COUNT: {
    char n[FMT_SIZE];
    bool srv = pl->servers > CAPPLAN_MAX_EXACT;
    capplan_diags_add(
        d, CAPPLAN_ERROR, m->stages_loc,
        "each stage fits, but not their sum; fewer or smaller stages keep "
        "it exact",
        "the plan needs %s %s in all, more than capplan can count exactly "
        "(2^53)",
        fmt_count(srv ? pl->servers : pl->gpus, n, sizeof n),
        srv ? "servers" : "GPUs");
    return;
  }
  case PROBLEM_TOTAL_COST:
    capplan_diags_add(d, CAPPLAN_ERROR, (capplan_loc){0, 0, 0},
                      "check the 'cost' of the hardware and the traffic",
                      "the plan's total cost is too large to represent");
    return;
  case PROBLEM_MODEL:
    what = "throughput model";
    why = "check its 'batching', 'work' or 'llm' figures and its "
          "hardware's ('capplan explain' shows the working)";
    capplan_diags_add(d, CAPPLAN_ERROR, loc, why,
                      "stage '%s': its %s has no answer at this load", name,
                      what);
    return;
  }
  capplan_diags_add(d, CAPPLAN_ERROR, loc, why,
                    "stage '%s': its %s is too large to represent", name, what);
}

/* LLM stages that miss slo.ttft or slo.tpot even one request at a time
 * (their checks fail; this says where and why). */
/* slo.latency keeps the seeds' meaning, a budget on the service times
 * along the slowest path (SPEC.md section 7); when it passes while the
 * response's p99 with queueing is above it, a reader who took it for a
 * tail bound would be misled, so the warning says both. */
static void latency_budget_warning(const capplan_model *m, const plan *pl,
                                   capplan_diags *d) {
  if (!pl->latency_on || !pl->pct_known)
    return;
  for (size_t k = 0; k < m->n_pct_limits; k++)
    if (m->pct_limits[k].stage < 0)
      return; /* an end-to-end percentile objective bounds the tail */
  for (size_t c = 0; c < pl->n_checks; c++) {
    const capplan_check *ck = &pl->checks[c];
    if (ck->kind != CAPPLAN_CHECK_LATENCY || !ck->passed ||
        !(pl->pct[PCT_P99] * 1000 > ck->limit * (1 + 1e-9)))
      continue;
    char lim[FMT_SIZE], path[FMT_SIZE], p99[FMT_SIZE], help[160];
    fmt_ms(ck->limit / 1000, lim, sizeof lim);
    fmt_ms(pl->latency, path, sizeof path);
    fmt_ms(pl->pct[PCT_P99], p99, sizeof p99);
    snprintf(help, sizeof help,
             "to bound the tail as well, add 'latency_p99: %.6gms' to 'slo' "
             "and capplan sizes for it",
             ck->limit);
    capplan_diags_add(d, CAPPLAN_WARNING,
                      m->limits.has_latency ? m->limits.latency_loc
                                            : (capplan_loc){0, 0, 0},
                      help,
                      "the latency objective of %s bounds the service times "
                      "along the slowest path (%s); with queueing, the "
                      "response's p99 is %s",
                      lim, path, p99);
  }
}

/* A plan with no stage on the request path (every stage asynchronous or
 * a fallback) has no latency and gates no request: its 0 ms and its
 * availability say nothing of a request, so a warning says why. */
static void no_path_warning(const capplan_model *m, const plan *pl,
                            capplan_diags *d) {
  if (pl->n_critical || !m->n_stages)
    return;
  capplan_diags_add(d, CAPPLAN_WARNING, m->stage[0].loc,
                    "leave 'async: true' off the stages a request waits on",
                    "no stage is on the request path: every stage is "
                    "asynchronous or a fallback, so the plan's latency is 0 "
                    "and its availability gates no request");
}

static void llm_warnings(const capplan_model *m, const plan *pl,
                         capplan_diags *d) {
  for (size_t i = 0; i < m->n_stages; i++) {
    const stage_plan *s = &pl->stage[i];
    if (m->stage[i].tp.kind != TP_LLM || s->status != PLAN_UNMET)
      continue;
    char a[FMT_SIZE], t[FMT_SIZE];
    capplan_diags_add(d, CAPPLAN_WARNING, m->stage[i].loc,
                      "faster hardware, a larger 'tp', smaller weights "
                      "('dtype: fp8') or fewer prompt tokens bring it closer",
                      "stage '%s' misses its LLM objectives even one "
                      "request at a time (TTFT %s, TPOT %s)",
                      m->stage[i].name, fmt_ms(s->tp.ttft, a, sizeof a),
                      s->tp.llm->has_tpot ? fmt_ms(s->tp.llm->tpot, t, sizeof t)
                                          : "n/a");
  }
}

/* The branch of a split that stage I lies on: the nearest stage up its
 * chain of single parents that takes a share below 100% of its one
 * parent (itself, or one whose traffic reaches I whole), or -1. */
static long split_branch(const capplan_model *m, const params *p, size_t i) {
  size_t cur = i;
  for (size_t k = 0; k <= m->n_stages; k++) {
    const mstage *ms = &m->stage[cur];
    if (ms->n_parents != 1 || ms->standby)
      return -1;
    if (p->stage[cur].share < 1)
      return (long)cur;
    cur = ms->parents[0];
  }
  return -1;
}

/* Warns when 'join: all' stage J waits for two or more branches of one
 * split, whose shares (children of one stage below 100%) add up to
 * SUM[fork] <= 100%. */
static void split_join_warning(const capplan_model *m, const params *p,
                               const plan *pl, const double *sum, size_t j,
                               capplan_diags *d) {
  const mstage *ms = &m->stage[j];
  if (ms->join_any || ms->n_parents < 2 || ms->standby)
    return;
  for (size_t a = 0; a < ms->n_parents; a++) {
    long ha = split_branch(m, p, ms->parents[a]);
    if (ha < 0)
      continue;
    size_t fork = m->stage[ha].parents[0];
    if (sum[fork] > 1 + 1e-9 || !(p->stage[ha].share > 0))
      continue;
    /* The parents of J on other branches of the same split. */
    capplan_buf names, shares;
    capplan_buf_init(&names);
    capplan_buf_init(&shares);
    size_t found = 0;
    double total = 0, inflow = pl->stage[j].inflow;
    long seen[8];
    for (size_t q = a; q < ms->n_parents; q++) {
      long h = split_branch(m, p, ms->parents[q]);
      if (h < 0 || m->stage[h].parents[0] != fork || !(p->stage[h].share > 0))
        continue;
      bool again = false;
      for (size_t k = 0; k < found && k < 8; k++)
        again = again || seen[k] == h;
      if (again)
        continue;
      if (found < 8)
        seen[found] = h;
      found++;
      char pct[FMT_SIZE];
      capplan_buf_printf(&names, "%s'%s'", found > 1 ? ", " : "",
                         m->stage[ms->parents[q]].name);
      capplan_buf_printf(&shares, "%s%s", found > 1 ? " + " : "",
                         fmt_percent(p->stage[h].share, pct, sizeof pct));
      total += p->stage[h].share;
    }
    if (found >= 2) {
      char lg[FMT_SIZE], tt[FMT_SIZE];
      capplan_buf help;
      capplan_buf_init(&help);
      capplan_buf_printf(
          &help,
          "a split sends each request down one branch (as 'capplan simulate' "
          "does); if that is what the spec means, merge those branches with "
          "'join: any' (in a stage of their own when '%s' also waits for "
          "others): their traffic then adds up and each request waits for "
          "its own branch only",
          ms->name);
      capplan_diags_add(
          d, CAPPLAN_WARNING, ms->loc, help.data,
          "stage '%s' waits ('join: all') for %s, on branches of '%s' whose "
          "shares split its traffic (%s = %s): 'join: all' takes their "
          "requests to go down several of them together, so '%s' gets its "
          "largest parent's traffic (%s of the requests), not the branches' "
          "sum, and its requests wait for the slower branches too",
          ms->name, names.data, m->stage[fork].name, shares.data,
          fmt_percent(total, tt, sizeof tt), ms->name,
          fmt_percent(inflow, lg, sizeof lg));
      capplan_buf_release(&help);
    }
    capplan_buf_release(&names);
    capplan_buf_release(&shares);
    if (found >= 2)
      return; /* one warning a join */
  }
}

/* What the plan says a user should know (SPEC.md section 5, flow sanity):
 * sibling shares above 100%, and merges that count a request twice. */
static void flow_warnings(const capplan_model *m, const params *p,
                          const plan *pl, capplan_diags *d) {
  for (size_t i = 0; i < m->n_stages; i++) {
    const mstage *ms = &m->stage[i];
    if (!pl->stage[i].double_counted)
      continue;
    capplan_buf names;
    capplan_buf_init(&names);
    for (size_t q = 0; q < ms->n_parents && q < 6; q++)
      capplan_buf_printf(&names, "%s'%s'", q ? ", " : "",
                         m->stage[ms->parents[q]].name);
    if (ms->n_parents > 6)
      capplan_buf_puts(&names, ", ...");
    char fl[FMT_SIZE];
    capplan_diags_add(
        d, CAPPLAN_WARNING, ms->loc,
        "'join: any' merges alternative paths; a request that takes two of "
        "them is counted twice.  Use 'join: all' if the request waits for "
        "both, or 'share' to split the traffic between them",
        "stage '%s' receives %s requests per entry request through %s: "
        "'join: any' counts a request that took several of them more than "
        "once",
        ms->name, fmt_number(pl->stage[i].inflow, 4, fl, sizeof fl),
        names.data);
    capplan_buf_release(&names);
  }
  /* Children of one stage that split its traffic (share below 100%). */
  double *sum = xcalloc(m->n_stages + 1, sizeof(double));
  size_t *count = xcalloc(m->n_stages + 1, sizeof(size_t));
  for (size_t i = 0; i < m->n_stages; i++) {
    const mstage *ms = &m->stage[i];
    if (ms->n_parents != 1 || p->stage[i].share >= 1)
      continue;
    sum[ms->parents[0]] += p->stage[i].share;
    count[ms->parents[0]]++;
  }
  for (size_t u = 0; u < m->n_stages; u++) {
    if (count[u] < 2 || sum[u] <= 1 + 1e-9)
      continue;
    capplan_buf names;
    capplan_buf_init(&names);
    size_t listed = 0;
    for (size_t i = 0; i < m->n_stages && listed < 6; i++) {
      const mstage *ms = &m->stage[i];
      if (ms->n_parents == 1 && ms->parents[0] == u && p->stage[i].share < 1)
        capplan_buf_printf(&names, "%s'%s'", listed++ ? ", " : "", ms->name);
    }
    char pct[FMT_SIZE];
    capplan_diags_add(d, CAPPLAN_WARNING, m->stage[u].loc,
                      "shares below 100% split the traffic between "
                      "branches; they should add up to 100% or less",
                      "the stages after '%s' take shares that add up to %s: "
                      "%s",
                      m->stage[u].name, fmt_percent(sum[u], pct, sizeof pct),
                      names.data);
    capplan_buf_release(&names);
  }
  /* A 'join: all' over branches of one split (FORMULAS-free: SPEC.md
   * section 2's flow rule).  Shares that add up to 100% or less split
   * the traffic, each request taking one branch as 'capplan simulate'
   * sends it; the flow rule takes the join's inflow as the largest
   * branch's and its latency as the slowest branch, as if a request
   * went down all of them.  Which one the spec means, shares do not say
   * (features of 30% and 40% of requests may overlap): a warning names
   * the stages, what capplan assumes and how to say the other
   * (docs/decisions.md). */
  for (size_t j = 0; j < m->n_stages; j++)
    split_join_warning(m, p, pl, sum, j, d);
  free(sum);
  free(count);
}

/* Whether a passing percentile check speaks for stage I (its own, or an
 * end-to-end one): then a busy queue is the plan's choice, not news. */
static bool covered(const plan *pl, const char *stage) {
  for (size_t k = 0; k < pl->n_checks; k++) {
    const capplan_check *c = &pl->checks[k];
    if (CAPPLAN_CHECK_IS_PCT(c->kind) && c->passed &&
        (!c->stage || c->stage == stage))
      return true;
  }
  return false;
}

/* What the queues say a user should know (SPEC.md section 7): a stage at
 * or above 100% of its slots, one above 90%, and an objective no count
 * of servers meets. */
static void queue_warnings(const capplan_model *m, const plan *pl,
                           capplan_diags *d) {
  if (!pl->latency_on)
    return;
  char u[FMT_SIZE], c[FMT_SIZE], t[FMT_SIZE];
  /* Each of the first few by name; the rest in one line, so a large spec
   * at 100% everywhere does not bury its other messages. */
  enum { NAMED = 5 };
  size_t over = 0, busy = 0;
  for (size_t k = 0; k < m->n_stages; k++) {
    size_t i = m->order[k];
    const mstage *ms = &m->stage[i];
    const queue_plan *q = &pl->stage[i].queue;
    if (q->model == QUEUE_NONE)
      continue;
    bool hot =
        q->stable && capplan_busy(q->utilization) && !covered(pl, ms->name);
    if ((!q->stable && ++over > NAMED) || (hot && ++busy > NAMED))
      continue;
    if (q->stable && !hot)
      continue; /* nothing to say: no figures to format */
    fmt_percent(q->utilization, u, sizeof u);
    fmt_count(q->slots, c, sizeof c);
    if (!q->stable && ms->group >= 0) {
      char help[256];
      snprintf(help, sizeof help,
               "leave headroom in group '%s' ('groups: {%s: {utilization: "
               "80%%}}'), or give a percentile objective ('slo: "
               "{latency_p99: 200ms}') and capplan adds the servers the "
               "group needs",
               m->group[ms->group].name, m->group[ms->group].name);
      capplan_diags_add(d, CAPPLAN_WARNING, ms->loc, help,
                        "stage '%s' runs at %s of its %s slots: its queue "
                        "grows without bound, so it has no latency "
                        "percentiles",
                        ms->name, u, c);
    } else if (!q->stable)
      capplan_diags_add(
          d, CAPPLAN_WARNING, ms->loc,
          "leave headroom ('utilization: 80%'), or give the stage its own "
          "percentile objective ('slo: {latency_p99: 200ms}' under it; an "
          "end-to-end one leaves out async stages) and capplan adds the "
          "servers it needs",
          "stage '%s' runs at %s of its %s slots: its queue grows without "
          "bound, so it has no latency percentiles",
          ms->name, u, c);
    else if (hot)
      capplan_diags_add(d, CAPPLAN_WARNING, ms->loc,
                        "waits grow steeply above 90%; a percentile "
                        "objective sizes for the tail",
                        "stage '%s' runs at %s of its %s slots (p99 %s)",
                        ms->name, u, c, fmt_ms(q->pct[PCT_P99], t, sizeof t));
  }
  if (over > NAMED)
    capplan_diags_add(d, CAPPLAN_WARNING, m->stages_loc,
                      "leave headroom in 'defaults' ('utilization: 80%')",
                      "%s more stages run at or above 100%% of their slots",
                      fmt_count((double)(over - NAMED), c, sizeof c));
  if (busy > NAMED)
    capplan_diags_add(d, CAPPLAN_WARNING, m->stages_loc,
                      "waits grow steeply above 90%",
                      "%s more stages run above 90%% of their slots",
                      fmt_count((double)(busy - NAMED), c, sizeof c));
  if (!pl->latency_unmet)
    return;
  capplan_loc at = m->stages_loc;
  const pct_limit *l = NULL;
  for (size_t k = 0; k < m->n_pct_limits; k++)
    if (m->pct_limits[k].stage == pl->unmet_stage &&
        (pl->unmet_pct < 0 || m->pct_limits[k].pct == pl->unmet_pct)) {
      l = &m->pct_limits[k];
      at = l->loc;
      break;
    }
  const char *who =
      pl->unmet_stage >= 0 ? m->stage[pl->unmet_stage].name : NULL;
  if (l && pl->unmet_floor > 0)
    capplan_diags_add(
        d, CAPPLAN_WARNING, at,
        "shorter or steadier service times (a lower 'service_cv') lower "
        "the floor; or relax the objective",
        "no count of servers meets latency_%s of %s%s%s: with no queueing "
        "at all it is %s",
        pct_name[l->pct], fmt_ms(l->limit, t, sizeof t),
        who ? " on stage " : " end to end", who ? who : "",
        fmt_ms(pl->unmet_floor, u, sizeof u));
  else
    capplan_diags_add(d, CAPPLAN_WARNING, at,
                      "relax the objective, or add servers by hand "
                      "('headroom')",
                      "sizing for the latency objectives%s%s stopped "
                      "without meeting them",
                      who ? " of stage " : "", who ? who : "");
}

capplan_report *capplan_run(const capplan_source *src,
                            const capplan_run_opts *opts, capplan_diags *d) {
  return capplan_run_uncertain(src, opts, NULL, NULL, 0, d);
}

capplan_report *capplan_run_uncertain(const capplan_source *src,
                                      const capplan_run_opts *opts,
                                      const capplan_mc_opts *mc,
                                      const char *const *paths, size_t n_paths,
                                      capplan_diags *d) {
  capplan_run_opts none;
  memset(&none, 0, sizeof none);
  if (!opts)
    opts = &none;
  size_t errors = d->errors;
  capplan_spec *spec = spec_load(src, opts->limits, d, true);
  if (!spec)
    return NULL;
  workload_apply(spec, opts->catalog, d); /* `kind:` (workload.h) */
  capplan_model *m = model_resolve_with(spec, opts->catalog, d);
  /* The inputs that vary (ranges, a sweep's paths), while the spec is at
   * hand (uncertain/inputs.h). */
  struct uinputs *inputs =
      m && d->errors == errors
          ? uinputs_collect(spec, m, opts->catalog, paths, n_paths, d)
          : NULL;
  capplan_spec_free(spec);
  if (!m || d->errors > errors) {
    model_free(m);
    uinputs_free(inputs);
    return NULL;
  }
  capplan_report *r = xcalloc(1, sizeof *r);
  r->inputs = inputs;
  r->model = m;
  r->p = &m->base;
  merge_limits(m, opts->check, r, d);
  r->plan = plan_new(m);
  if (plan_eval(m, r->p, r->limits, r->n_limits, r->plan) < 0) {
    report_problem(m, r->plan, d);
    capplan_report_free(r);
    return NULL;
  }
  plan_derive(m, r->p, r->plan);
  flow_warnings(m, r->p, r->plan, d);
  queue_warnings(m, r->plan, d);
  llm_warnings(m, r->plan, d);
  latency_budget_warning(m, r->plan, d);
  no_path_warning(m, r->plan, d);
  if (mc && mc->run)
    uncertain_run(r, mc, d);
  if (opts->working) {
    r->working = steps_new(m->n_stages, m->n_groups);
    plan_steps(m, r->p, r->plan, r->working);
  }
  /* From here on the plan is only read: what rendering it allocates
   * takes the place of the evaluation's scratch. */
  plan_settle(r->plan);
  return r;
}

void capplan_report_free(capplan_report *r) {
  if (!r)
    return;
  steps_free(r->working);
  uncertain_free(r);
  plan_free(r->plan);
  free(r->limits);
  model_free(r->model);
  free(r);
}

bool capplan_report_passed(const capplan_report *r) {
  return uncertain_passed(r);
}

size_t capplan_report_checks(const capplan_report *r) {
  return r->plan->n_checks;
}

const char *capplan_report_stage(const capplan_report *r, size_t i) {
  return i < r->model->n_stages ? r->model->stage[i].name : NULL;
}

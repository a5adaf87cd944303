/*
 * lean.c - see lean.h.  Each step names the phase of estimate/eval.c it
 * follows; the operations are the same ones in the same order, so the
 * figures are the same doubles.
 */
#include "lean_int.h"

/* ------------------------------------------------------------ set-up */

static opnd operand(lean *k, double *const *vary, const double *field) {
  opnd o = {field, 0};
  /* The last input that sets the field wins, as when they are set in
   * order one after the other. */
  for (size_t j = 0; j < k->nv; j++)
    if (vary[j] == field) {
      o.p = k->cols + j * k->len;
      o.mask = SIZE_MAX;
    }
  return o;
}

/* Whether A lies within the object [BASE, BASE + SIZE). */
static bool within(const void *a, const void *base, size_t size) {
  const char *x = a, *b = base;
  return x >= b && x < b + size;
}

static bool refuses(const capplan_model *m, const params *p,
                    double *const *vary, size_t nv) {
  /* Only what it repeats: no groups, tiers, fallbacks or zones; fixed and
   * batch throughput without batches that take time to form; checks on
   * none of the figures eval.c's later phases add (percentiles, LLM
   * objectives); a stage's calls the same in every trial (its table of
   * tails is kept for one count of calls). */
  if (m->n_groups || m->n_pct_limits || m->limits.has_ttft ||
      m->limits.has_tpot || m->n_stages == 0)
    return true;
  for (size_t i = 0; i < m->n_stages; i++) {
    const mstage *s = &m->stage[i];
    if (s->group >= 0 || s->has_cache || s->fallback >= 0 || s->standby ||
        (s->tp.kind != TP_FIXED && s->tp.kind != TP_BATCH) ||
        (s->tp.kind == TP_BATCH && m->base.stage[i].batch > 1) ||
        m->base.stage[i].pol.zones > 1)
      return true;
    for (size_t j = 0; j < nv; j++)
      if (vary[j] == &p->stage[i].calls)
        return true;
  }
  return false;
}

lean *lean_new(const capplan_model *m, const params *p, double *const *vary,
               size_t nv) {
  if (refuses(m, p, vary, nv))
    return NULL;
  size_t n = m->n_stages;
  lean *k = xcalloc(1, sizeof *k);
  k->m = m;
  k->p = p;
  k->nv = nv;
  lean_lanes(k, 4);
  k->len = BLOCK_CELLS / (n * 16);
  k->len = k->len > BLOCK ? BLOCK : k->len < 1 ? 1 : k->len;
  size_t len = k->len;
  /* Columns: the inputs', per stage 2 + LF_STAGE_COUNT + 3, the totals',
   * two of traffic. */
  size_t cells = (nv + n * (2 + LF_STAGE_COUNT + 3) + LF_COUNT + 2) * len;
  k->arena = xcalloc(cells + 1, sizeof(double));
  double *next = k->arena;
  k->cols = next;
  next += nv * len;
  k->qps_t = next;
  next += len;
  k->average_t = next;
  next += len;
  for (int f = LT_SERVERS; f < LF_COUNT; f++, next += len)
    k->tot[f] = next;
  k->flags = xcalloc(len + 1, sizeof *k->flags);
  k->st = xcalloc(n, sizeof *k->st);
  k->pos = xcalloc(n, sizeof *k->pos);
  size_t memo_len = MEMO;
  while (memo_len > MEMO_MIN && memo_len * n > MEMO_CELLS)
    memo_len /= 2;
  const traffic_in *tr = &p->traffic;
  k->qps = operand(k, vary, &tr->qps);
  k->dau = operand(k, vary, &tr->dau);
  k->rpu = operand(k, vary, &tr->requests_per_user);
  k->p2a = operand(k, vary, &tr->peak_to_average);
  k->avg_qps = operand(k, vary, &tr->average_qps);
  /* Traffic given as a peak alone takes no work a block: the peak's own
   * column (or its value in every trial) and no average. */
  k->traffic_each =
      m->traffic_from_dau || m->has_peak_to_average || m->has_average_qps;
  k->qps_in = k->qps_t;
  if (!k->traffic_each) {
    if (k->qps.mask)
      k->qps_in = k->qps.p;
    else
      for (size_t t = 0; t < len; t++)
        k->qps_t[t] = k->qps.p[0];
    memset(k->average_t, 0, len * sizeof(double));
  }
  for (size_t o = 0; o < n; o++) {
    size_t i = m->order[o];
    lstage *s = &k->st[o];
    const stage_in *in = &p->stage[i];
    const hw_in *hw = &p->hw[m->stage[i].hw];
    const policy *pol = &in->pol;
    k->pos[i] = o;
    s->i = i;
    s->ms = &m->stage[i];
    s->share = operand(k, vary, &in->share);
    s->stops = operand(k, vary, &in->stops);
    s->calls = operand(k, vary, &in->calls);
    s->cache_hit = operand(k, vary, &in->cache_hit);
    s->concurrency = operand(k, vary, &in->concurrency);
    s->fu = operand(k, vary, &pol->failover_utilization);
    s->util = operand(k, vary, &pol->utilization);
    s->headroom = operand(k, vary, &pol->headroom);
    s->redundancy = operand(k, vary, &pol->redundancy);
    s->avail = operand(k, vary, &pol->availability);
    s->stage_avail = operand(k, vary, &pol->stage_availability);
    s->reserve = operand(k, vary, &pol->memory_reserve);
    s->memory = operand(k, vary, &in->memory);
    s->replicas = operand(k, vary, &in->replicas);
    s->gpus = operand(k, vary, &hw->gpus);
    s->cost = operand(k, vary, &hw->cost_per_year);
    s->hw_memory = operand(k, vary, &hw->memory);
    s->hw_gpu_memory = operand(k, vary, &hw->gpu_memory);
    s->outflow = next;
    next += len;
    s->latency_to = next;
    next += len;
    for (int f = 0; f < LF_STAGE_COUNT; f++, next += len)
      s->out[f] = next;
    s->tp_per_server = next;
    next += len;
    s->tp_latency = next;
    next += len;
    s->tp_parallelism = next;
    next += len;
    if (s->ms->tp.kind == TP_FIXED) {
      s->per_server = operand(k, vary, &in->qps_per_server);
      s->latency = operand(k, vary, &in->latency);
      s->parallelism = (opnd){s->tp_parallelism, 0}; /* not read */
    } else {
      /* The batch model's own eval on a copy of the inputs, the varying
       * ones set in it trial by trial. */
      s->sin = xmalloc(sizeof *s->sin);
      s->shw = xmalloc(sizeof *s->shw);
      *s->sin = *in;
      *s->shw = *hw;
      s->set = xmalloc((nv + 1) * sizeof *s->set);
      for (size_t j = 0; j < nv; j++) {
        double *to = NULL;
        if (within(vary[j], in, sizeof *in))
          to = (double *)((char *)s->sin +
                          ((const char *)vary[j] - (const char *)in));
        else if (within(vary[j], hw, sizeof *hw))
          to = (double *)((char *)s->shw +
                          ((const char *)vary[j] - (const char *)hw));
        if (to)
          s->set[s->n_set++] = (setter){to, k->cols + j * k->len};
      }
      size_t mask = s->n_set ? SIZE_MAX : 0;
      s->per_server = (opnd){s->tp_per_server, mask};
      s->latency = (opnd){s->tp_latency, mask};
      s->parallelism = (opnd){s->tp_parallelism, mask};
    }
    const opnd *rest[] = {&s->share,     &s->stops,       &s->calls,
                          &s->cache_hit, &s->concurrency, &s->fu,
                          &s->util,      &s->headroom,    &s->redundancy,
                          &s->avail,     &s->stage_avail, &s->reserve,
                          &s->memory,    &s->replicas,    &s->gpus,
                          &s->cost,      &s->hw_memory,   &s->hw_gpu_memory};
    for (size_t r = 0; r < ARRAY_LEN(rest); r++)
      s->general |= rest[r]->mask != 0;
    s->memo_mask = memo_len - 1;
    s->memo = xmalloc(memo_len * sizeof *s->memo);
    for (size_t e = 0; e < memo_len; e++) /* empty: no count is -1 */
      s->memo[e] = (memo_entry){-1, -1, 0, 0, {1, 0}};
  }
  return k;
}

void lean_free(lean *k) {
  if (!k)
    return;
  for (size_t o = 0; o < k->m->n_stages; o++) {
    free(k->st[o].sin);
    free(k->st[o].shw);
    free(k->st[o].set);
    free(k->st[o].memo);
  }
  free(k->st);
  free(k->pos);
  free(k->flags);
  free(k->arena);
  free(k);
}

size_t lean_block_len(const lean *k) {
  return k->len;
}

double *lean_column(lean *k, size_t j) {
  return k->cols + j * k->len;
}

double *lean_out(lean *k, enum lean_fig f, size_t i) {
  return f >= LT_SERVERS ? k->tot[f] : k->st[k->pos[i]].out[f];
}

/* Traffic (eval.c, before phase 1), for every trial. */
static void traffic(lean *k, size_t len) {
  const capplan_model *m = k->m;
  if (!k->traffic_each)
    return;
  for (size_t t = 0; t < len; t++) {
    double qps, average;
    if (m->traffic_from_dau) {
      average = at(k->dau, t) * at(k->rpu, t) / 86400.0;
      qps = average * at(k->p2a, t);
    } else {
      qps = at(k->qps, t);
      average = m->has_peak_to_average ? qps / at(k->p2a, t) : 0;
    }
    if (m->has_average_qps)
      average = at(k->avg_qps, t);
    k->qps_t[t] = qps;
    k->average_t[t] = average;
  }
}

/* The batch model's figures (tp_batch.c's eval) for every trial, or once
 * when none of its inputs varies. */
static void batch_tp(lstage *s, const params *p, size_t len) {
  const hw_in *hw = s->n_set ? s->shw : &p->hw[s->ms->hw];
  const stage_in *in = s->n_set ? s->sin : &p->stage[s->i];
  size_t n = s->n_set ? len : 1;
  for (size_t t = 0; t < n; t++) {
    for (size_t j = 0; j < s->n_set; j++)
      *s->set[j].to = s->set[j].from[t];
    tp_out tp;
    /* The batch model reads no gpu_in: the zeroed one past them. */
    tp_ops_of(TP_BATCH)->eval(&s->ms->tp, in, &p->gpu[s->ms->gpu_at], hw, 0,
                              &tp);
    s->tp_per_server[t] = tp.per_server;
    s->tp_latency[t] = tp.latency;
    s->tp_parallelism[t] = tp.parallelism;
  }
}

#if defined(__GNUC__) && defined(__SSE2__)
#define LEAN_SIMD 1
/* Two trials at a time in the SSE2 registers every x86-64 has. */
#define LEAN_W 2
#define LEAN_SIMD_FN lean_stage_sse2
#define LEAN_FINISH_FN lean_finish_sse2
#include "lean_simd.h"
#endif

unsigned lean_lanes(lean *k, unsigned lanes) {
  unsigned most = 1;
#ifdef LEAN_SIMD
  most = lean_avx2_usable() ? 4 : 2;
#endif
  k->lanes = lanes >= 4 && most >= 4 ? 4 : lanes >= 2 && most >= 2 ? 2 : 1;
  return k->lanes;
}

/* Stage S for every trial of the block. */
static void stage_block(lean *k, lstage *s, size_t len, bool *any_end) {
  bool first = !*any_end;
  fixed_in c;
  memset(&c, 0, sizeof c);
  size_t t = 0;
  if (s->general) {
    for (; t < len; t++)
      stage_one(k, s, &c, t, true, first);
  } else {
    c.share = s->share.p[0];
    c.stops = s->stops.p[0];
    c.calls = s->calls.p[0];
    c.cache_hit = s->cache_hit.p[0];
    c.concurrency = s->concurrency.p[0];
    c.fu = s->fu.p[0];
    c.util = s->util.p[0];
    c.headroom = s->headroom.p[0];
    c.redundancy = s->redundancy.p[0];
    c.avail = s->avail.p[0];
    c.stage_avail = s->stage_avail.p[0];
    c.reserve = s->reserve.p[0];
    c.memory = s->memory.p[0];
    c.replicas = s->replicas.p[0];
    c.gpus = s->gpus.p[0];
    c.cost = s->cost.p[0];
    c.hw_memory = s->hw_memory.p[0];
    c.hw_gpu_memory = s->hw_gpu_memory.p[0];
#ifdef LEAN_SIMD
    /* A request's calls, each to be served, take a power of the load
     * (avail_load_pow) a trial: stage_one's. */
    bool one_call = c.calls == 1 || s->ms->async;
    if (k->lanes == 4 && one_call)
      t = lean_stage_avx2(k, s, &c, len, first);
    else if (k->lanes == 2 && one_call)
      t = lean_stage_sse2(k, s, &c, len, first);
#endif
    for (; t < len; t++)
      stage_one(k, s, &c, t, false, first);
  }
  if (!s->ms->async)
    *any_end = true;
}

/* The totals' last figures and the checks (phases 6 and 8). */
static void finish(lean *k, size_t len, const check_limit *limits,
                   size_t n_limits) {
  double *t_srv = k->tot[LT_SERVERS], *t_gpus = k->tot[LT_GPUS];
  double *t_cost = k->tot[LT_COST], *t_lat = k->tot[LT_LATENCY];
  double *t_up = k->tot[LT_ALL_UP];
  double *t_month = k->tot[LT_MONTH], *t_million = k->tot[LT_MILLION];
  size_t t = 0;
#ifdef LEAN_SIMD
  if (k->lanes == 4)
    t = lean_finish_avx2(k, len);
  else if (k->lanes == 2)
    t = lean_finish_sse2(k, len);
#endif
  for (; t < len; t++) {
    double servers = t_srv[t], gpus = t_gpus[t], cost = t_cost[t];
    double average = k->average_t[t];
    t_month[t] = cost * CAPPLAN_HOURS_PER_MONTH / CAPPLAN_HOURS_PER_YEAR;
    double million = -1;
    if (average > 0)
      million = cost / (average * SECONDS_PER_YEAR) * 1e6;
    t_million[t] = million;
    /* One sum for the finite checks: an infinity or NaN carries through
     * it (an overflow of the sum alone only hands the trial to
     * plan_eval, whose figures are the same). */
    double sum = cost + servers + gpus + million;
    if (servers > CAPPLAN_MAX_EXACT || gpus > CAPPLAN_MAX_EXACT ||
        sum - sum != 0)
      k->flags[t] |= LEAN_FALLBACK;
  }
  for (t = 0; n_limits && t < len; t++) {
    double servers = t_srv[t], gpus = t_gpus[t], cost = t_cost[t];
    for (size_t c = 0; c < n_limits; c++) {
      double actual = 0, limit = limits[c].limit;
      bool upper = true;
      switch (limits[c].kind) {
      case CAPPLAN_CHECK_LATENCY:
        actual = t_lat[t] * 1000;
        break;
      case CAPPLAN_CHECK_AVAILABILITY:
        actual = t_up[t];
        upper = false;
        break;
      case CAPPLAN_CHECK_COST:
        actual = cost;
        break;
      case CAPPLAN_CHECK_GPUS:
        actual = gpus;
        break;
      case CAPPLAN_CHECK_SERVERS:
        actual = servers;
        break;
      case CAPPLAN_CHECK_TTFT:
      case CAPPLAN_CHECK_TPOT:
      case CAPPLAN_CHECK_LATENCY_P50:
      case CAPPLAN_CHECK_LATENCY_P95:
      case CAPPLAN_CHECK_LATENCY_P99:
      case CAPPLAN_CHECK_LATENCY_P999:
        k->flags[t] |= LEAN_FALLBACK; /* lean_new refuses such models */
        continue;
      }
      bool passed =
          upper ? actual <= limit * (1 + 1e-9) : actual >= limit * (1 - 1e-12);
      k->flags[t] |= passed ? LEAN_PASSED << c : 0;
    }
  }
}

unsigned *lean_block(lean *k, size_t len, const check_limit *limits,
                     size_t n_limits) {
  if (len > k->len)
    len = k->len;
  memset(k->flags, 0, len * sizeof *k->flags);
  for (int f = LT_SERVERS; f < LF_COUNT; f++)
    memset(k->tot[f], 0, len * sizeof(double));
  for (size_t t = 0; t < len; t++)
    k->tot[LT_ALL_UP][t] = k->tot[LT_REQ_UP][t] = 1; /* {1, 0} */
  traffic(k, len);
  bool any_end = false;
  for (size_t o = 0; o < k->m->n_stages; o++) {
    lstage *s = &k->st[o];
    if (s->ms->tp.kind == TP_BATCH)
      batch_tp(s, k->p, len);
    stage_block(k, s, len, &any_end);
  }
  finish(k, len, limits, n_limits);
  return k->flags;
}

/* ------------------------------------------------------------- checks */

/* Bitwise equality, so that -0 and 0 differ and NaN equals itself. */
static bool same(double a, double b) {
  return !memcmp(&a, &b, sizeof a);
}

bool lean_matches(const lean *k, size_t t, const plan *pl) {
  unsigned f = k->flags[t];
  if (f & LEAN_FALLBACK)
    return true; /* plan_eval's own figures are taken */
  for (size_t o = 0; o < k->m->n_stages; o++) {
    const lstage *s = &k->st[o];
    const stage_plan *x = &pl->stage[s->i];
    if (!same(s->out[LF_SERVERS][t], x->pool.servers) ||
        !same(s->out[LF_GPUS][t], x->pool.gpus) ||
        !same(s->out[LF_COST][t], x->pool.cost_per_year) ||
        !same(s->out[LF_LATENCY][t], x->latency) ||
        !same(s->out[LF_AVAIL][t], x->pool.all.up) ||
        !same(s->out[LF_AVAIL][t], x->effective.up))
      return false;
  }
  double *const *tt = k->tot;
  if (!same(tt[LT_SERVERS][t], pl->servers) ||
      !same(tt[LT_GPUS][t], pl->gpus) ||
      !same(tt[LT_COST][t], pl->cost_per_year) ||
      !same(tt[LT_MONTH][t], pl->cost_per_month) ||
      !same(tt[LT_MILLION][t], pl->cost_per_million) ||
      !same(tt[LT_LATENCY][t], pl->latency) ||
      !same(tt[LT_ALL_UP][t], pl->all.up) ||
      !same(tt[LT_REQ_UP][t], pl->req.up))
    return false;
  if (((f & LEAN_INFEASIBLE) != 0) != (pl->overloaded + pl->unmet > 0))
    return false;
  for (size_t c = 0; c < pl->n_checks; c++)
    if (((f & (LEAN_PASSED << c)) != 0) != pl->checks[c].passed)
      return false;
  return true;
}

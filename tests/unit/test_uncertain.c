/*
 * test_uncertain.c - unit tests of src/uncertain/: where inputs land in
 * the parameters (inputs.c), Monte Carlo (mc.c, lean.c), sensitivity,
 * sweeps and forecasts.
 *
 * References, each computed here from first principles:
 *   - the peers' model (FORMULAS.md section 5b): closed-form mean of the
 *     cost without ceilings, 3,776,841.2, from E[X] = e^(mu + sigma^2/2);
 *     with capplan's ceilings, E[ceil(X)] = sum over k >= 0 of
 *     P(X > k), each servers count X being lognormal (a ratio of
 *     independent lognormals): so the mean with ceilings is exact to the
 *     series' truncation, and Monte Carlo's mean must fall within its
 *     own standard error of it (4 of them);
 *   - exact quantiles: the same draws replayed trial by trial through
 *     plan_eval, sorted, and read as the inverse of their distribution
 *     (type 1): each a value some trial has, and a budget at the p95 is
 *     the smallest that 95% of the trials keep;
 *   - the standard error: the spread of the means of independent seeds.
 */
#include "helpers.h"

#include "dist.h"
#include "forecast.h"
#include "inputs.h"
#include "lean.h"
#include "mc.h"
#include "mc_avx2.h"
#include "sensitivity.h"
#include "sweep.h"

static const char *const PEER =
    "capplan: 1\n"
    "name: peer\n"
    "traffic: {qps: 20K to 40K}\n"
    "budget: {cost: $4M/year}\n"
    "hardware:\n"
    "  web: {cost: $3000/year}\n"
    "  gpu-box: {gpus: 1, cost: $17520/year}\n"
    "stages:\n"
    "  - {name: frontend, hardware: web, latency: 10ms,\n"
    "     qps_per_server: 500 to 2K, headroom: 20%}\n"
    "  - {name: gpu, hardware: gpu-box, latency: 50ms,\n"
    "     qps_per_server: 100 to 200}\n";

/* A report of TEXT with Monte Carlo as asked. */
static capplan_report *run_mc(const char *text, size_t samples, uint64_t seed,
                              unsigned threads, capplan_source **src,
                              capplan_diags *d) {
  *src = capplan_source_new("t.yaml", text, strlen(text));
  capplan_diags_init(d, *src);
  capplan_mc_opts mc = {true, samples, seed, threads, 0, true, false};
  capplan_report *r = capplan_run_uncertain(*src, NULL, &mc, NULL, 0, d);
  if (!r) {
    capplan_buf b;
    capplan_buf_init(&b);
    capplan_diags_render(d, false, &b);
    fail_msg("%s", b.data);
  }
  return r;
}

static void done(capplan_report *r, capplan_source *src, capplan_diags *d) {
  capplan_report_free(r);
  capplan_diags_release(d);
  capplan_source_free(src);
}

/* ------------------------------------------------------------- inputs */

/* A range in 'defaults' reaches every stage that inherits it, and the
 * cache tier that copies its stage's policy; a stage's own value keeps
 * it out.  items x item_size lands as a product. */
static void test_targets(void **state) {
  (void)state;
  const char *spec =
      "capplan: 1\n"
      "traffic: {qps: 10K}\n"
      "defaults: {headroom: 10% to 30%}\n"
      "stages:\n"
      "  - {name: a, latency: 10ms, qps_per_server: 1K, cache_hit: 50%,\n"
      "     cache: {qps_per_server: 20K, latency: 1ms}}\n"
      "  - {name: b, latency: 10ms, qps_per_server: 1K, headroom: 5%}\n"
      "  - {name: c, latency: 10ms, qps_per_server: 1K,\n"
      "     items: 1M to 4M, item_size: 1KB}\n";
  capplan_source *src;
  capplan_diags d;
  capplan_report *r = run_mc(spec, 100, 1, 1, &src, &d);
  const uinputs *u = r->inputs;
  assert_int_equal(u->n_ranged, 2);
  const uinput *h = uinputs_find(u, "defaults.headroom");
  assert_non_null(h);
  /* stage a, its cache tier, stage c: not b (its own 5%). */
  assert_int_equal(h->n_targets, 3);
  for (size_t k = 0; k < h->n_targets; k++) {
    assert_true(h->targets[k].scale == 1);
    assert_true(h->targets[k].array == PA_STAGE ||
                h->targets[k].array == PA_CACHE);
    assert_true(h->targets[k].array == PA_CACHE || h->targets[k].index != 1);
  }
  const uinput *it = uinputs_find(u, "stages.c.items");
  assert_non_null(it);
  assert_int_equal(it->n_targets, 1);
  assert_true(fabs(it->targets[0].scale - 1000) < 1e-9);
  assert_true(it->targets[0].offset == offsetof(stage_in, memory));
  /* The median is the model's value: sqrt(1M x 4M) items of 1KB. */
  assert_true(fabs(r->p->stage[2].memory - 2e6 * 1000) < 1e-3);
  done(r, src, &d);
}

/* Named inputs: written or inherited, with suggestions for typos and
 * errors for limits. */
static void test_named(void **state) {
  (void)state;
  capplan_source *src = capplan_source_new("t.yaml", PEER, strlen(PEER));
  capplan_diags d;
  capplan_diags_init(&d, src);
  const char *paths[] = {"stages.gpu.headroom", "traffic.qps"};
  capplan_report *r = capplan_run_uncertain(src, NULL, NULL, paths, 2, &d);
  assert_non_null(r);
  const uinput *h = uinputs_find(r->inputs, "stages.gpu.headroom");
  assert_non_null(h);
  assert_true(h->point == 0); /* inherited: the schema's 0% */
  assert_int_equal(h->n_targets, 1);
  capplan_report_free(r);
  capplan_diags_release(&d);
  capplan_diags_init(&d, src);
  const char *typo[] = {"stages.gpu.qps_per_sever"};
  assert_null(capplan_run_uncertain(src, NULL, NULL, typo, 1, &d));
  expect_diag(&d, "unknown input 'stages.gpu.qps_per_sever'");
  assert_non_null(d.items[0].help);
  assert_non_null(
      strstr(d.items[0].help, "did you mean 'stages.gpu.qps_per_server'"));
  capplan_diags_release(&d);
  capplan_diags_init(&d, src);
  const char *limit[] = {"budget.cost"};
  assert_null(capplan_run_uncertain(src, NULL, NULL, limit, 1, &d));
  expect_diag(&d, "is a limit, not an input");
  capplan_diags_release(&d);
  capplan_source_free(src);
}

/* ------------------------------------------------------------ accuracy */

/* E[ceil(X)] for X lognormal (MU, SIGMA): sum over k >= 0 of P(X > k). */
static double mean_ceil(double mu, double sigma) {
  double sum = 1; /* P(X > 0) */
  for (double k = 1; k < 1e6; k++) {
    double p = 0.5 * erfc((log(k) - mu) / (sigma * sqrt(2.0)));
    sum += p;
    if (p < 1e-17 && k > exp(mu))
      break;
  }
  return sum;
}

static void test_peer_mean(void **state) {
  (void)state;
  /* The ranges' parameters, FORMULAS.md section 5. */
  double z = DIST_Z95;
  double mq = (log(2e4) + log(4e4)) / 2, sq = (log(4e4) - log(2e4)) / (2 * z);
  double m1 = (log(500) + log(2000)) / 2, s1 = (log(2000) - log(500)) / (2 * z);
  double m2 = (log(100) + log(200)) / 2, s2 = (log(200) - log(100)) / (2 * z);
  /* Without ceilings: E[q] (1.2 x 3000 E[1/ps1] + 17520 E[1/ps2]). */
  double eq = exp(mq + sq * sq / 2);
  double closed = eq * (1.2 * 3000 * exp(-m1 + s1 * s1 / 2) +
                        17520 * exp(-m2 + s2 * s2 / 2));
  assert_true(fabs(closed - 3776841.2) < 0.1);
  /* With capplan's ceilings: servers = ceil(q / ps1 x 1.2), GPUs =
   * ceil(q / ps2) (the ceiling's tolerance of 1e-9 moves no probability
   * a double can show); each ratio is lognormal. */
  double servers = mean_ceil(mq - m1 + log(1.2), sqrt(sq * sq + s1 * s1));
  double gpus = mean_ceil(mq - m2, sqrt(sq * sq + s2 * s2));
  double want = 3000 * servers + 17520 * gpus;
  assert_true(want > closed);
  capplan_source *src;
  capplan_diags d;
  capplan_report *r = run_mc(PEER, 400000, 1, 0, &src, &d);
  const mc_fig *cost = mc_find(r->mc, "totals.cost_per_year");
  const mc_fig *gp = mc_find(r->mc, "totals.gpus");
  assert_non_null(cost);
  if (fabs(cost->s.mean - want) > 4 * cost->s.stderr_mean)
    fail_msg("mean %.1f, reference %.1f, stderr %.1f", cost->s.mean, want,
             cost->s.stderr_mean);
  assert_true(fabs(gp->s.mean - gpus) < 4 * gp->s.stderr_mean);
  /* The ceilings' effect is there and about a half server each. */
  assert_true(cost->s.mean - closed > 5000 && cost->s.mean - closed < 16000);
  /* The stderr is sd / sqrt(n). */
  assert_true(fabs(cost->s.stderr_mean - cost->s.sd / sqrt(400000.0)) <
              1e-9 * cost->s.sd);
  assert_true(r->mc->lean);
  assert_int_equal(r->mc->failed, 0);
  done(r, src, &d);
}

/* The reported standard error is what the means of independent runs
 * spread by: 40 seeds of 2,000 trials; their standard deviation within
 * 30% of the median reported stderr (the sd of 40 draws is itself within
 * about 11% of the truth). */
static void test_stderr(void **state) {
  (void)state;
  double means[40], se = 0;
  for (int k = 0; k < 40; k++) {
    capplan_source *src;
    capplan_diags d;
    capplan_report *r = run_mc(PEER, 2000, (uint64_t)k + 100, 1, &src, &d);
    const mc_fig *f = mc_find(r->mc, "totals.cost_per_year");
    means[k] = f->s.mean;
    se += f->s.stderr_mean / 40;
    done(r, src, &d);
  }
  double m = 0, v = 0;
  for (int k = 0; k < 40; k++)
    m += means[k] / 40;
  for (int k = 0; k < 40; k++)
    v += (means[k] - m) * (means[k] - m) / 39;
  double sd = sqrt(v);
  if (sd < 0.7 * se || sd > 1.3 * se)
    fail_msg("means spread by %.1f, stderr says %.1f", sd, se);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* The share of the N sorted values at most X. */
static double share_within(const double *sorted, size_t n, double x) {
  size_t k = 0;
  while (k < n && sorted[k] <= x)
    k++;
  return (double)k / (double)n;
}

/* The P-quantile by its definition, not by a rank formula: the smallest of
 * the values that at least a share P of them do not exceed. */
static double quantile(const double *sorted, size_t n, double p) {
  for (size_t i = 0; i < n; i++)
    if (share_within(sorted, n, sorted[i]) >= p)
      return sorted[i];
  return sorted[n - 1];
}

/* The same draws replayed through plan_eval: Monte Carlo's quantiles are
 * exactly the inverse of the distribution of the sorted figures, for
 * figures counted by value in a window (servers) and in a table (the
 * cost, whose values the pilot sees repeat), one recorded by trial (the
 * requests served, which varies with the load), and ones that follow
 * from others (GPUs, the total's GPUs that one stage has, cost per
 * month); a budget just below the p95
 * cost is kept by fewer than 95% of the trials. */
static void test_exact_quantiles(void **state) {
  (void)state;
  const size_t n = 5003; /* not a whole number of blocks */
  capplan_source *src;
  capplan_diags d;
  capplan_report *r = run_mc(PEER, n, 7, 2, &src, &d);
  const capplan_model *m = r->model;
  const uinputs *u = r->inputs;
  dist_tables t;
  dist_tables_init(&t);
  double *draws = malloc(u->n_ranged * n * sizeof *draws);
  for (size_t k = 0; k < u->n_ranged; k++)
    dist_fill(&u->items[k].d, &t, dist_key(7, k), 0, n, draws + k * n);
  const char *paths[] = {"totals.cost_per_year", "stages.frontend.servers",
                         "stages.gpu.gpus",      "totals.cost_per_month",
                         "totals.availability",  "totals.request_availability",
                         "totals.gpus"};
  enum { NF = 7 };
  double *vals[NF];
  for (size_t f = 0; f < NF; f++)
    vals[f] = malloc(n * sizeof(double));
  params *p = params_new(m);
  params_copy(m, p, &m->base);
  plan *pl = plan_new(m);
  for (size_t i = 0; i < n; i++) {
    for (size_t k = 0; k < u->n_ranged; k++)
      uinput_set(&u->items[k], p, draws[k * n + i]);
    assert_int_equal(plan_eval(m, p, r->limits, r->n_limits, pl), 0);
    vals[0][i] = pl->cost_per_year;
    vals[1][i] = pl->stage[0].pool.servers;
    vals[2][i] = pl->stage[1].pool.gpus;
    vals[3][i] = pl->cost_per_month;
    vals[4][i] = pl->all.up;
    vals[5][i] = pl->req.up;
    vals[6][i] = pl->gpus;
  }
  for (size_t f = 0; f < NF; f++) {
    const mc_fig *fig = mc_find(r->mc, paths[f]);
    assert_non_null(fig);
    double sum = 0;
    for (size_t i = 0; i < n; i++)
      sum += vals[f][i];
    qsort(vals[f], n, sizeof(double), cmp_double);
    double want[] = {quantile(vals[f], n, 0.05), quantile(vals[f], n, 0.5),
                     quantile(vals[f], n, 0.95)};
    double got[] = {fig->s.p5, fig->s.p50, fig->s.p95};
    for (int q = 0; q < 3; q++)
      if (got[q] != want[q])
        fail_msg("%s quantile %d: %.17g, want %.17g", paths[f], q, got[q],
                 want[q]);
    assert_true(fig->s.min == vals[f][0] && fig->s.max == vals[f][n - 1]);
    if (f == 0) { /* the cost: every quantile is some plan's cost */
      assert_true(share_within(vals[f], n, fig->s.p95) >= 0.95);
      assert_true(share_within(vals[f], n, nextafter(fig->s.p95, 0)) < 0.95);
    }
    assert_true(fabs(fig->s.mean - sum / (double)n) <=
                1e-12 * fabs(sum / (double)n));
  }
  for (size_t f = 0; f < NF; f++)
    free(vals[f]);
  free(draws);
  plan_free(pl);
  params_free(p);
  done(r, src, &d);
}

/* A factor in [0.5, 2) from the generator W. */
static double nudge(uint64_t *w) {
  *w = *w * 6364136223846793005ull + 1442695040888963407ull;
  return 0.5 + (double)(*w >> 11) * 0x1p-53 * 1.5;
}

/* Trials of which 4.5% fail (servers past what capplan sizes), for the
 * figures recorded by trial with holes (servers that never fail: the
 * availability of 10^11 servers takes long to sum). */
static const char *const FAILING =
    "capplan: 1\n"
    "name: failing\n"
    "traffic: {qps: 1K to 1e14}\n"
    "hardware:\n"
    "  web: {cost: $3000/year, availability: 100%}\n"
    "stages:\n"
    "  - {name: web, hardware: web, latency: 10ms,\n"
    "     qps_per_server: 0.001 to 0.01}\n";

/* Whether A and B summarise every figure and check the same, bit for
 * bit (histograms aside). */
static void same_result(const mc_result *a, const mc_result *b) {
  assert_int_equal(a->n_figs, b->n_figs);
  assert_int_equal(a->evaluated, b->evaluated);
  assert_int_equal(a->failed, b->failed);
  assert_int_equal(a->infeasible, b->infeasible);
  for (size_t f = 0; f < a->n_figs; f++) {
    const mc_summary *x = &a->figs[f].s, *y = &b->figs[f].s;
    if (memcmp(x, y, sizeof *x) != 0)
      fail_msg("%s: mean %.17g p50 %.17g se_p95 %.17g against %.17g %.17g "
               "%.17g",
               a->figs[f].path, x->mean, x->p50, x->se_p95, y->mean, y->p50,
               y->se_p95);
    assert_true(a->figs[f].varies == b->figs[f].varies);
  }
  for (size_t c = 0; c < a->n_checks; c++)
    assert_true(a->checks[c].p_pass == b->checks[c].p_pass);
}

/* The figures recorded by trial give the same summaries whether they
 * keep every value for a pass after the trials, or only those near the
 * ranks wanted as the trials come (summed a chunk at a time on whichever
 * thread), or keep none near (every rank misses, and the run starts
 * again keeping all); with and without failed trials.  Without the
 * histogram, one thread over 263,144 trials (five chunks) keeps near;
 * asked for the cost's histogram, it keeps all and has it. */
static void test_keep_near(void **state) {
  (void)state;
  const char *specs[] = {PEER, FAILING};
  for (size_t sp = 0; sp < 2; sp++) {
    capplan_source *src;
    capplan_diags d;
    capplan_report *r = run_mc(specs[sp], 3000, 5, 1, &src, &d);
    mc_opts o = {4 * 65536 + 1000, 11, 1, 0.95, false, MC_KEEP_ALL};
    mc_result *all =
        mc_run(r->model, r->inputs, r->limits, r->n_limits, r->plan, &o);
    assert_false(all->near);
    assert_false(all->missed);
    if (sp == 1)
      assert_true(all->failed > all->samples / 50);
    else
      assert_int_equal(all->failed, 0);
    struct {
      enum mc_keep keep;
      unsigned threads;
      bool near, missed;
    } runs[] = {{MC_AUTO, 1, true, false},
                {MC_KEEP_NEAR, 3, true, false},
                {MC_KEEP_NEAR, 2, true, false},
                {MC_KEEP_NEAR_NONE, 2, false, true},
                {MC_AUTO, 3, false, false}}; /* 5 chunks for 3 threads */
    for (size_t k = 0; k < sizeof runs / sizeof runs[0]; k++) {
      o.keep = runs[k].keep;
      o.threads = runs[k].threads;
      mc_result *x =
          mc_run(r->model, r->inputs, r->limits, r->n_limits, r->plan, &o);
      if (x->near != runs[k].near || x->missed != runs[k].missed)
        fail_msg("spec %zu run %zu: near %d missed %d", sp, k, x->near,
                 x->missed);
      same_result(x, all);
      mc_free(x);
    }
    /* The histogram: only when asked for, and then from every value. */
    const mc_fig *cost = mc_find(all, "totals.cost_per_year");
    assert_false(cost->has_hist);
    o.keep = MC_AUTO;
    o.threads = 1;
    o.histogram = true;
    mc_result *h =
        mc_run(r->model, r->inputs, r->limits, r->n_limits, r->plan, &o);
    assert_false(h->near);
    same_result(h, all);
    cost = mc_find(h, "totals.cost_per_year");
    assert_true(cost->has_hist);
    size_t in_hist = 0;
    for (size_t b = 0; b < MC_BINS; b++)
      in_hist += cost->hist[b];
    assert_int_equal(in_hist, h->evaluated);
    mc_free(h);
    mc_free(all);
    done(r, src, &d);
  }
}

/* The lean evaluator gives plan_eval's figures bit for bit on every spec
 * of specs/ it takes, at parameters moved at random, a block of trials
 * at a time (blocks of one trial, and of many), with the stage loop
 * taking 1, 2 and 4 trials at a time: the traffic and each stage's
 * throughput and latency vary (the loop with the rest held constant, in
 * vector lanes), and with each stage's headroom too (every input an
 * operand). */
static void test_lean_matches(void **state) {
  (void)state;
  const char *specs[] = {"youtube",
                         "xgboost",
                         "dnn-no-batching",
                         "dnn-dynamic-batching",
                         "embedding-shards",
                         "fanout-dag",
                         "event-pipeline",
                         "gpu-multi",
                         "load-balancing",
                         "inference-cache",
                         "gallery-ads",
                         "gallery-fraud",
                         "gallery-feed-ranking",
                         "gallery-model-serving",
                         "gallery-rag-chatbot",
                         "gallery-ecommerce",
                         "cached-stage",
                         "colocation",
                         "resilient-ranking"};
  size_t taken = 0, compared = 0;
  for (size_t s = 0; s < sizeof specs / sizeof specs[0]; s++) {
    char path[256];
    snprintf(path, sizeof path, "%s/specs/%s.yaml", CAPPLAN_SOURCE_DIR,
             specs[s]);
    capplan_diags d;
    capplan_diags_init(&d, NULL);
    capplan_source *src = capplan_source_read(path, NULL, &d);
    assert_non_null(src);
    capplan_report *r = capplan_run(src, NULL, &d);
    assert_non_null(r);
    const capplan_model *m = r->model;
    params *p = params_new(m);
    params_copy(m, p, &m->base);
    /* The fields that vary: traffic, then three per stage (the third,
     * the headroom, in the second pass only). */
    double **vary = xmalloc((1 + 3 * m->n_stages) * sizeof *vary);
    for (int pass = 0; pass < 2; pass++) {
      size_t nv = 0;
      vary[nv++] = &p->traffic.qps;
      for (size_t i = 0; i < m->n_stages; i++) {
        vary[nv++] = &p->stage[i].qps_per_server;
        vary[nv++] = &p->stage[i].latency;
        if (pass == 1)
          vary[nv++] = &p->stage[i].pol.headroom;
      }
      lean *k = lean_new(m, p, vary, nv);
      if (!k)
        break;
      taken += pass == 0;
      plan *b = plan_new(m);
      uint64_t w = 12345;
      size_t lens[] = {1, lean_block_len(k), 7};
      unsigned lanes[] = {4, 2, 1};
      for (int round = 0; round < 9; round++) {
        size_t len = lens[round % 3];
        lean_lanes(k, lanes[round / 3]);
        for (size_t t = 0; t < len; t++)
          for (size_t j = 0; j < nv; j++)
            lean_column(k, j)[t] = *vary[j] * nudge(&w);
        unsigned *flags = lean_block(k, len, r->limits, r->n_limits);
        for (size_t t = 0; t < len; t++) {
          /* The same trial through plan_eval: the fields set, the rest
           * as the model holds them. */
          double keep[1024];
          assert_true(nv <= 1024);
          for (size_t j = 0; j < nv; j++) {
            keep[j] = *vary[j];
            *vary[j] = lean_column(k, j)[t];
          }
          int rc = plan_eval(m, p, r->limits, r->n_limits, b);
          for (size_t j = 0; j < nv; j++)
            *vary[j] = keep[j];
          if (flags[t] & LEAN_FALLBACK)
            continue;
          compared++;
          if (rc < 0 || !lean_matches(k, t, b))
            fail_msg("%s: trial %zu of a block of %zu (%u lanes, pass %d) "
                     "differs from plan_eval",
                     specs[s], t, len, lanes[round / 3], pass);
        }
      }
      plan_free(b);
      lean_free(k);
    }
    free(vary);
    params_free(p);
    capplan_report_free(r);
    capplan_diags_release(&d);
    capplan_source_free(src);
  }
  assert_true(taken >= 8);
  assert_true(compared >= 2000);
}

/* A stage's calls a request (a fan-out each call of which must be
 * served): the lean evaluator takes it when the calls are the same in
 * every trial, and then agrees with plan_eval on the first trials (else
 * Monte Carlo would have dropped it); calls that vary send every trial
 * to plan_eval, since its table of tails is kept for one count. */
static void test_lean_calls(void **state) {
  (void)state;
  const char *fixed = "capplan: 1\ntraffic: {qps: 500 to 2K}\nstages:\n"
                      "  - {name: f, latency: 1ms, qps_per_server: 1K, "
                      "availability: 99%, calls: 3}\n";
  const char *ranged = "capplan: 1\ntraffic: {qps: 500 to 2K}\nstages:\n"
                       "  - {name: f, latency: 1ms, qps_per_server: 1K, "
                       "availability: 99%, calls: 2 to 4}\n";
  capplan_source *src;
  capplan_diags d;
  capplan_report *r = run_mc(fixed, 20000, 1, 1, &src, &d);
  assert_true(r->mc->lean);
  const mc_fig *req = mc_find(r->mc, "totals.request_availability");
  const mc_fig *all = mc_find(r->mc, "totals.availability");
  assert_non_null(req);
  assert_non_null(all);
  /* With three calls a request, losing a server loses more requests
   * than the load's share: requests served sit near "all up". */
  assert_true(req->s.mean > all->s.mean && req->s.mean < 1);
  done(r, src, &d);
  r = run_mc(ranged, 2000, 1, 1, &src, &d);
  assert_false(r->mc->lean);
  done(r, src, &d);
}

/* lean_matches tells a figure that differs: a trial's servers moved by
 * one after the block was evaluated. */
static void test_lean_mismatch(void **state) {
  (void)state;
  char path[256];
  snprintf(path, sizeof path, "%s/specs/youtube.yaml", CAPPLAN_SOURCE_DIR);
  capplan_diags d;
  capplan_diags_init(&d, NULL);
  capplan_source *src = capplan_source_read(path, NULL, &d);
  capplan_report *r = capplan_run(src, NULL, &d);
  assert_non_null(r);
  const capplan_model *m = r->model;
  params *p = params_new(m);
  params_copy(m, p, &m->base);
  double *vary[] = {&p->traffic.qps};
  lean *k = lean_new(m, p, vary, 1);
  assert_non_null(k);
  lean_column(k, 0)[0] = p->traffic.qps;
  unsigned *flags = lean_block(k, 1, r->limits, r->n_limits);
  assert_false(flags[0] & LEAN_FALLBACK);
  plan *b = plan_new(m);
  assert_true(plan_eval(m, p, r->limits, r->n_limits, b) >= 0);
  assert_true(lean_matches(k, 0, b));
  lean_out(k, LF_SERVERS, 0)[0] += 1;
  assert_false(lean_matches(k, 0, b));
  lean_out(k, LF_SERVERS, 0)[0] -= 1;
  lean_out(k, LT_REQ_UP, 0)[0] = nextafter(lean_out(k, LT_REQ_UP, 0)[0], 0);
  assert_false(lean_matches(k, 0, b));
  plan_free(b);
  lean_free(k);
  params_free(p);
  capplan_report_free(r);
  capplan_diags_release(&d);
  capplan_source_free(src);
}

/* ---------------------------------------------------- what-if commands */

static void test_sensitivity(void **state) {
  (void)state;
  capplan_source *src;
  capplan_diags d;
  capplan_report *r = run_mc(PEER, 100, 1, 1, &src, &d);
  const sens_result *s = r->sens;
  assert_non_null(s);
  assert_int_equal(s->n, 3);
  /* Largest swing of cost first: the traffic and the GPU throughput
   * reach the GPUs; the front end's servers are cheap. */
  assert_string_equal(s->items[2].input->path,
                      "stages.frontend.qps_per_server");
  for (size_t k = 0; k + 1 < s->n; k++)
    assert_true(s->items[k].swing >= s->items[k + 1].swing);
  /* Each end is the plan with that input at its p5 or p95. */
  const sens_item *q = NULL;
  for (size_t k = 0; k < s->n; k++)
    if (!strcmp(s->items[k].input->path, "traffic.qps"))
      q = &s->items[k];
  assert_true(fabs(q->lo - 20000) < 1e-6 && fabs(q->hi - 40000) < 1e-6);
  params *p = params_new(r->model);
  params_copy(r->model, p, &r->model->base);
  plan *pl = plan_new(r->model);
  p->traffic.qps = q->hi;
  assert_int_equal(plan_eval(r->model, p, NULL, 0, pl), 0);
  assert_true(pl->cost_per_year == q->at_hi[0]);
  plan_free(pl);
  params_free(p);
  done(r, src, &d);
}

/* --find: the value found keeps the condition, the next double up does
 * not (the step of a ceiling). */
static void test_sweep_find(void **state) {
  (void)state;
  const char *spec = "capplan: 1\n"
                     "traffic: {qps: 30K}\n"
                     "budget: {cost: $1M/year}\n"
                     "stages:\n"
                     "  - {name: web, latency: 10ms, qps_per_server: 1K}\n";
  capplan_source *src = capplan_source_new("t.yaml", spec, strlen(spec));
  capplan_diags d;
  capplan_diags_init(&d, src);
  const char *path = "traffic.qps";
  capplan_report *r = capplan_run_uncertain(src, NULL, NULL, &path, 1, &d);
  assert_non_null(r);
  capplan_sweep_set set = {path, "1K..1M"};
  capplan_sweep_opts o = {&set, 1, 7, false, "cost<=1M/year"};
  capplan_buf err, help;
  capplan_buf_init(&err);
  capplan_buf_init(&help);
  capplan_sweep *s = capplan_sweep_run(r, &o, &err, &help);
  assert_non_null(s);
  assert_true(s->find.found[0]);
  double v = s->find.value[0];
  /* cpu-medium at $3,000/year: 333 servers fit $1M, so 333 x 1K QPS
   * (and the ceiling's tolerance, 1e-9 of a server: 1e-6 QPS more). */
  assert_true(v >= 333000 && v < 333000 + 2e-6);
  params *p = params_new(r->model);
  params_copy(r->model, p, &r->model->base);
  plan *pl = plan_new(r->model);
  p->traffic.qps = v;
  plan_eval(r->model, p, NULL, 0, pl);
  assert_true(pl->cost_per_year <= 1e6);
  p->traffic.qps = nextafter(v, 1e300);
  plan_eval(r->model, p, NULL, 0, pl);
  assert_true(pl->cost_per_year > 1e6);
  assert_int_equal(s->n_rows, 7);
  assert_true(capplan_sweep_passed(s));
  capplan_sweep_free(s);
  /* A condition nothing keeps; a figure the plan does not have. */
  o.find = "cost<=1K/year";
  s = capplan_sweep_run(r, &o, &err, &help);
  assert_false(capplan_sweep_passed(s));
  capplan_sweep_free(s);
  o.find = "latency_p42<=150ms";
  assert_null(capplan_sweep_run(r, &o, &err, &help));
  /* A latency limit is read in ms, as the figure is: 1 s keeps every
   * step's latency, 1 ms none. */
  o.find = "latency<=1s";
  s = capplan_sweep_run(r, &o, &err, &help);
  assert_true(capplan_sweep_passed(s));
  capplan_sweep_free(s);
  o.find = "latency<=1ms";
  s = capplan_sweep_run(r, &o, &err, &help);
  assert_false(capplan_sweep_passed(s));
  capplan_sweep_free(s);
  plan_free(pl);
  params_free(p);
  capplan_buf_release(&err);
  capplan_buf_release(&help);
  capplan_report_free(r);
  capplan_diags_release(&d);
  capplan_source_free(src);
}

static void test_forecast(void **state) {
  (void)state;
  const char *spec = "capplan: 1\n"
                     "traffic: {qps: 10K, growth: 10%/month}\n"
                     "budget: {servers: 15}\n"
                     "stages:\n"
                     "  - {name: web, latency: 10ms, qps_per_server: 1K}\n";
  run_result x = run_yaml(spec);
  assert_non_null(x.r);
  capplan_buf err, help;
  capplan_buf_init(&err);
  capplan_buf_init(&help);
  capplan_forecast *f = capplan_forecast_run(x.r, 12, &err, &help);
  assert_non_null(f);
  assert_int_equal(f->n_rows, 13);
  for (size_t k = 0; k <= 12; k++) {
    double want = 10000 * pow(1.1, (double)k);
    assert_true(fabs(f->rows[k].traffic - want) < 1e-9 * want);
  }
  /* 10K x 1.1^k > 15K from k = 5 (16,105 QPS: 17 servers). */
  assert_int_equal(f->first_fail[0], 5);
  assert_false(capplan_forecast_passed(f));
  capplan_forecast_free(f);
  capplan_buf_release(&err);
  capplan_buf_release(&help);
  run_free(&x);
}

/* A double's bits in an order that sorts as the double does, and its
 * bin: mc.c's sort_key and key_bin, written again from their definition. */
static size_t ref_bin(double x, uint64_t base, unsigned shift, size_t nbins) {
  uint64_t b;
  memcpy(&b, &x, sizeof b);
  uint64_t key = b >> 63 ? ~b : b | 0x8000000000000000ull;
  uint64_t at = (key >= base ? key - base : 0) >> shift;
  return at < nbins ? (size_t)at : nbins - 1;
}

/* The AVX2 recording gives each trial the bin and the count mc.c's loops
 * give (values below, inside and past the bins' range, negative, -0,
 * tiny and huge), and counts a window's whole numbers until the first
 * group of four holding one that is not (a fraction, one outside, NaN). */
static void test_record_avx2(void **state) {
  (void)state;
  dist_tables t;
  dist_tables_init(&t);
  enum { N = 4003, NB = 4096 };
  static double v[N];
  static uint16_t bin[N];
  static size_t bins[NB], want[NB];
  uint64_t w = 42;
  for (size_t i = 0; i < N; i++) {
    w = w * 6364136223846793005ull + 1442695040888963407ull;
    double u = (double)(w >> 11) * 0x1p-53;
    v[i] = i % 97 == 0   ? -u * 1e6
           : i % 89 == 0 ? (i % 2 ? -0.0 : 0.0)
           : i % 83 == 0 ? 1e-300 * u
           : i % 79 == 0 ? 1e300 * u
                         : 1e5 + 2e5 * u;
  }
  /* Bins over 1e5 .. 3e5 with a quarter of that again on each side (the
   * ends take the rest), then over every value from -1e6 up. */
  double one = 1e5, three = 3e5, most = -1e6;
  uint64_t lo, hi, low;
  memcpy(&lo, &one, sizeof lo);
  memcpy(&hi, &three, sizeof hi);
  memcpy(&low, &most, sizeof low);
  lo |= 0x8000000000000000ull;
  hi |= 0x8000000000000000ull;
  uint64_t bases[2] = {lo - (hi - lo) / 4, ~low};
  for (int r = 0; r < 2; r++) {
    uint64_t base = bases[r], span = r ? UINT64_MAX - base : (hi - lo) * 3 / 2;
    unsigned shift = 0;
    while ((span >> shift) >= NB)
      shift++;
    memset(bins, 0, sizeof bins);
    memset(want, 0, sizeof want);
    size_t took = mc_bins_avx2(v, N, base, shift, NB, bin, bins);
    if (!t.avx2) {
      assert_int_equal(took, 0);
      return;
    }
    assert_int_equal(took, N / 4 * 4);
    for (size_t i = 0; i < took; i++) {
      size_t b = ref_bin(v[i], base, shift, NB);
      if (bin[i] != b)
        fail_msg("value %zu (%.17g): bin %u, not %zu", i, v[i], bin[i], b);
      want[b]++;
    }
    assert_memory_equal(bins, want, sizeof bins);
    if (r == 0) /* both ends were reached */
      assert_true(want[0] > 0 && want[NB - 1] > 0);
    else /* the negative values spread over bins of their own */
      assert_true(want[0] > 0 && want[1] + want[2] + want[3] > 0);
  }

  /* A window of 64 from 10: whole numbers in it, then 20.5. */
  double x[40];
  size_t win[64] = {0}, ref[64] = {0};
  for (size_t i = 0; i < 40; i++)
    x[i] = 10 + (double)(i * 7 % 64);
  x[33] = 20.5;
  assert_int_equal(mc_window_avx2(x, 40, 10, 64, win), 32);
  for (size_t i = 0; i < 32; i++)
    ref[(size_t)(x[i] - 10)]++;
  assert_memory_equal(win, ref, sizeof win);
  double edge[][4] = {{10, 74, 11, 12}, {9, 10, 11, 12}, {10, NAN, 11, 12}};
  for (size_t e = 0; e < 3; e++)
    assert_int_equal(mc_window_avx2(edge[e], 4, 10, 64, win), 0);
  double neg0[4] = {-0.0, 0, 63, 1};
  size_t w0[64] = {0};
  assert_int_equal(mc_window_avx2(neg0, 4, 0, 64, w0), 4);
  assert_true(w0[0] == 2 && w0[63] == 1 && w0[1] == 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_targets),
      cmocka_unit_test(test_named),
      cmocka_unit_test(test_peer_mean),
      cmocka_unit_test(test_stderr),
      cmocka_unit_test(test_exact_quantiles),
      cmocka_unit_test(test_keep_near),
      cmocka_unit_test(test_lean_matches),
      cmocka_unit_test(test_lean_calls),
      cmocka_unit_test(test_lean_mismatch),
      cmocka_unit_test(test_sensitivity),
      cmocka_unit_test(test_sweep_find),
      cmocka_unit_test(test_forecast),
      cmocka_unit_test(test_record_avx2),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

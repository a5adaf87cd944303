/*
 * test_latency.c - queues and percentiles inside a plan (SPEC.md section
 * 7, FORMULAS.md section 3b): each stage's queue at its server count,
 * the end-to-end distribution (sums along paths, fork-join maxima, calls
 * in parallel, stops as mixtures), sizing to a percentile objective, and
 * overload as a status.
 *
 * The references are exact results computed here, independently of the
 * code under test: the M/M/1 tandem's sojourn time is the sum of two
 * independent exponentials (Burke's theorem) whose CDF is the
 * hypoexponential one; a fork-join of lightly loaded stages is the max of
 * independent service times; sizing for one stage is checked against
 * queueing.h's exact Erlang C search, and one server fewer must fail.
 */
#include "helpers.h"

#include "latdist.h"
#include "latency.h"
#include "queueing.h"

/* The Q-quantile of an increasing CDF F on [0, hi], by bisection. */
static double solve(double (*f)(double, const double *), const double *a,
                    double q, double hi) {
  double lo = 0;
  for (int k = 0; k < 200; k++) {
    double mid = (lo + hi) / 2;
    if (f(mid, a) < q)
      lo = mid;
    else
      hi = mid;
  }
  return (lo + hi) / 2;
}

/* Sum of exponentials of rates a[0] != a[1]. */
static double hypoexp_cdf(double t, const double *a) {
  double r1 = a[0], r2 = a[1];
  return 1 - (r2 * exp(-r1 * t) - r1 * exp(-r2 * t)) / (r2 - r1);
}

/* Max of exponentials of rates a[0], a[1], shifted by a[2]. */
static double max_exp_cdf(double t, const double *a) {
  double x = t - a[2];
  return x <= 0 ? 0 : (1 - exp(-a[0] * x)) * (1 - exp(-a[1] * x));
}

/* Max of a[1] exponentials of rate a[0]. */
static double max_k_cdf(double t, const double *a) {
  return pow(1 - exp(-a[0] * t), a[1]);
}

/* 60% end after an exponential of rate a[0]; the rest go on to one of
 * rate a[1]. */
static double stops_cdf(double t, const double *a) {
  return 0.6 * (1 - exp(-a[0] * t)) + 0.4 * hypoexp_cdf(t, a);
}

static void expect_rel(double got, double want, double tol) {
  if (fabs(got - want) > tol * fabs(want)) {
    print_error("got %.12g, want %.12g (tolerance %g relative)\n", got, want,
                tol);
    fail();
  }
}

/* The acceptance: an M/M/1 tandem's end-to-end p99 equals the
 * exact hypoexponential value within 1%.  Stage a: mu = 100/s, b: mu =
 * 200/s, one slot each (qps_per_server x latency = 1), lambda = 50/s:
 * sojourn rates 50 and 150. */
static void test_tandem(void **state) {
  (void)state;
  run_result x = run_yaml("capplan: 1\ntraffic: {qps: 50}\nstages:\n"
                          "  - {name: a, latency: 10ms, qps_per_server: 100}\n"
                          "  - {name: b, latency: 5ms, qps_per_server: 200}\n");
  const treport *r = expect_report(&x);
  const plan *pl = r->report->plan;
  assert_true(pl->pct_known);
  const queue_plan *qa = &stage(r, "a")->plan->queue;
  assert_int_equal(qa->model, QUEUE_MMC);
  assert_true(qa->slots == 1);
  expect_rel(qa->utilization, 0.5, 1e-12);
  /* M/M/1: the response is exponential of rate mu - lambda. */
  expect_rel(qa->pct[PCT_P99], log(100) / 50, 1e-9);
  double rates[2] = {50, 150};
  for (int k = 0; k < PCT_COUNT; k++) {
    double want = solve(hypoexp_cdf, rates, pct_level[k], 10);
    expect_rel(pl->pct[k], want, 0.01);
  }
  /* tighter than the 1% the issue asks: the grid's error at p99 */
  expect_rel(pl->pct[PCT_P99], solve(hypoexp_cdf, rates, 0.99, 10), 0.002);
  expect_rel(pl->pct_mean, 1.0 / 50 + 1.0 / 150, 1e-6);
  run_free(&x);
}

/* Fork-join of two lightly loaded entry stages (no one waits) into a
 * constant-time join: max of independent exponentials + the join. */
static void test_fork_join(void **state) {
  (void)state;
  run_result x = run_yaml(
      "capplan: 1\ntraffic: {qps: 1}\nstages:\n"
      "  - {name: a, after: [], latency: 10ms, qps_per_server: 1K}\n"
      "  - {name: b, after: [], latency: 40ms, qps_per_server: 1K}\n"
      "  - {name: j, after: [a, b], latency: 2ms, qps_per_server: 10K,\n"
      "     service_cv: 0}\n");
  const treport *r = expect_report(&x);
  const plan *pl = r->report->plan;
  assert_true(pl->pct_known);
  double a[3] = {100, 25, 0.002};
  for (int k = 0; k < PCT_COUNT; k++)
    expect_rel(pl->pct[k], solve(max_exp_cdf, a, pct_level[k], 10), 0.005);
  run_free(&x);
}

/* A fork-join whose branch a[1] is taken by a share a[2] of requests:
 * exponentials of rates a[0] (always) and a[1], then the constant a[3];
 * the join waits for the second branch only when it was taken, so its
 * factor is (1 - a[2]) + a[2] F (independent branches). */
static double share_join_cdf(double t, const double *a) {
  double x = t - a[3];
  if (x <= 0)
    return 0;
  return (1 - exp(-a[0] * x)) * (1 - a[2] + a[2] * (1 - exp(-a[1] * x)));
}

/* share on a fork-join branch: only that share of requests waits for it
 * (the simulator measures the same, docs/queueing.md).  The slow branch
 * taken by half, the fast one by half, the slow one by 40%. */
static void test_fork_join_share(void **state) {
  (void)state;
  static const struct {
    const char *yaml;
    double a[4];
  } cases[] = {
      {"  - {name: a, after: [], latency: 10ms, qps_per_server: 1K}\n"
       "  - {name: b, after: [], latency: 40ms, qps_per_server: 1K,\n"
       "     share: 50%}\n",
       {100, 25, 0.5, 0.002}},
      {"  - {name: a, after: [], latency: 10ms, qps_per_server: 1K,\n"
       "     share: 50%}\n"
       "  - {name: b, after: [], latency: 40ms, qps_per_server: 1K}\n",
       {25, 100, 0.5, 0.002}},
      {"  - {name: a, after: [], latency: 10ms, qps_per_server: 1K}\n"
       "  - {name: b, after: [], latency: 40ms, qps_per_server: 1K,\n"
       "     share: 40%}\n",
       {100, 25, 0.4, 0.002}},
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "capplan: 1\ntraffic: {qps: 1}\nstages:\n%s"
             "  - {name: j, after: [a, b], latency: 2ms, qps_per_server: "
             "10K,\n     service_cv: 0}\n",
             cases[c].yaml);
    run_result x = run_yaml(yaml);
    const treport *r = expect_report(&x);
    const plan *pl = r->report->plan;
    assert_true(pl->pct_known);
    for (int k = 0; k < PCT_COUNT; k++)
      expect_rel(pl->pct[k],
                 solve(share_join_cdf, cases[c].a, pct_level[k], 10), 0.005);
    /* the mean: E max(X, Y) = 1/a + 1/b - 1/(a + b) */
    const double *a = cases[c].a;
    double both = 1 / a[0] + 1 / a[1] - 1 / (a[0] + a[1]);
    expect_rel(pl->pct_mean, a[3] + (1 - a[2]) / a[0] + a[2] * both, 0.002);
    run_free(&x);
  }
}

/* calls: 8 in parallel - fan-out's tail amplification - is the max of
 * eight draws; in sequence, their sum (Erlang-8). */
static void test_calls(void **state) {
  (void)state;
  run_result x = run_yaml("capplan: 1\ntraffic: {qps: 1}\nstages:\n"
                          "  - {name: s, latency: 10ms, qps_per_server: 1K,\n"
                          "     calls: 8}\n");
  const treport *r = expect_report(&x);
  double a[2] = {100, 8};
  for (int k = 0; k < PCT_COUNT; k++)
    expect_rel(r->report->plan->pct[k], solve(max_k_cdf, a, pct_level[k], 10),
               0.005);
  run_free(&x);

  /* Erlang-8 of rate 100: mean 80 ms exactly. */
  x = run_yaml("capplan: 1\ntraffic: {qps: 1}\nstages:\n"
               "  - {name: s, latency: 10ms, qps_per_server: 1K,\n"
               "     calls: 8, calls_mode: sequential}\n");
  r = expect_report(&x);
  expect_rel(r->report->plan->pct_mean, 0.080, 1e-6);
  run_free(&x);
}

/* Requests that stop end there: the response is a mixture by where
 * requests end. */
static void test_stops(void **state) {
  (void)state;
  run_result x = run_yaml("capplan: 1\ntraffic: {qps: 1}\nstages:\n"
                          "  - {name: c, latency: 10ms, qps_per_server: 1K,\n"
                          "     stops: 60%}\n"
                          "  - {name: d, latency: 5ms, qps_per_server: 2K}\n");
  const treport *r = expect_report(&x);
  double a[2] = {100, 200};
  for (int k = 0; k < PCT_COUNT; k++)
    expect_rel(r->report->plan->pct[k], solve(stops_cdf, a, pct_level[k], 10),
               0.005);
  run_free(&x);
}

/* Two stages of constant service and no wait to speak of: the end-to-end
 * time is the sum of the two constants, an atom at the grid's bound.  Put
 * on the grid, each constant splits between two points, so the sum may
 * lie up to two points past the bound (2 + 10 ms: a quarter of the mass);
 * the grid must reach past it, or every percentile is lost.  Pairs whose
 * constants fall on grid points (1 + 10, 5 + 10) and pairs that do not. */
static void test_deterministic_tandem(void **state) {
  (void)state;
  static const struct {
    const char *a, *b;
    double sum;
  } cases[] = {
      {"2ms", "10ms", 0.012}, {"1ms", "10ms", 0.011}, {"5ms", "10ms", 0.015},
      {"3ms", "7ms", 0.010},  {"10ms", "2ms", 0.012}, {"0.7ms", "13ms", 0.0137},
      {"2ms", "2ms", 0.004},
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    char yaml[512];
    snprintf(yaml, sizeof yaml,
             "capplan: 1\ntraffic: {qps: 1}\nstages:\n"
             "  - {name: a, latency: %s, qps_per_server: 1K, service_cv: 0}\n"
             "  - {name: b, latency: %s, qps_per_server: 1K, service_cv: 0}\n",
             cases[c].a, cases[c].b);
    run_result x = run_yaml(yaml);
    const treport *r = expect_report(&x);
    const plan *pl = r->report->plan;
    assert_int_equal(stage(r, "a")->plan->queue.model, QUEUE_MDC);
    assert_true(pl->pct_known);
    /* an atom is resolved to about one grid step (1/1,000 of the bound) */
    for (int k = 0; k < PCT_COUNT; k++)
      expect_rel(pl->pct[k], cases[c].sum, 0.003);
    /* the mean is exact; the waits at 1 QPS add about 1 us (M/D/1 at
     * 0.1%: rho D / 2 (1 - rho)) */
    expect_rel(pl->pct_mean, cases[c].sum, 1e-4);
    run_free(&x);
  }
}

/* Sizing to one stage's own p99: exactly the smallest server count,
 * which queueing.h's exact search confirms; one fewer misses. */
static void test_size_one_stage(void **state) {
  (void)state;
  run_result x = run_yaml("capplan: 1\ntraffic: {qps: 10K}\nstages:\n"
                          "  - {name: s, latency: 20ms, qps_per_server: 1K,\n"
                          "     slo: {latency_p99: 93ms}}\n");
  const treport *r = expect_report(&x);
  const stage_plan *s = stage(r, "s")->plan;
  /* 20 slots per server (Little's law); the smallest c with p99 <= 93 ms
   * for lambda = 10K/s, mu = 50/s, exponential service. */
  double c = mmc_servers_for(10000, 50, 1, 1, 0.99, 0.093);
  double servers = ceil(c / 20);
  assert_true(s->pool.servers == servers);
  assert_true(s->latency_added == servers - 10);
  assert_int_equal(s->pool.binding, CON_LATENCY);
  assert_true(s->queue.pct[PCT_P99] <= 0.093);
  /* one server fewer has (n - 1) x 20 slots and misses (or has no
   * steady state at all) */
  mmc q;
  if (mmc_init(&q, 10000, 50, (servers - 1) * 20, 1, 1) == 0)
    assert_true(mmc_response_quantile(&q, 0.99) > 0.093);
  assert_true(r->passed);
  run_free(&x);

  /* With two spares the objective is met without adding servers, but the
   * servers that must be up are still those that meet it (FORMULAS.md
   * 2b), not the 10 the load needs: all up is P(K >= 11 of 12), while
   * the requests served keep the load's 10. */
  x = run_yaml("capplan: 1\ntraffic: {qps: 10K}\nstages:\n"
               "  - {name: s, latency: 20ms, qps_per_server: 1K,\n"
               "     redundancy: 2, slo: {latency_p99: 93ms}}\n");
  r = expect_report(&x);
  s = stage(r, "s")->plan;
  assert_true(s->pool.servers == 12);
  assert_true(s->latency_added == 0);
  assert_true(s->latency_needed == servers);
  assert_true(s->pool.needed == servers);
  double a = 0.999, up = pow(a, 12) + 12 * pow(a, 11) * (1 - a);
  expect_rel(s->pool.all.up, up, 1e-12);
  /* requests: E[min(1, K / 10)] over K ~ Bin(12, a) */
  double served = 0;
  for (int k = 0; k <= 12; k++) {
    double pk = exp(lgamma(13) - lgamma(k + 1) - lgamma(13 - k) + k * log(a) +
                    (12 - k) * log1p(-a));
    served += pk * (k >= 10 ? 1 : k / 10.0);
  }
  expect_rel(s->pool.req.up, served, 1e-12);
  run_free(&x);
}

/* A colocated stage's own p99: its servers are its share of the group's
 * (half here: two members of 10 server-equivalents each), so the group
 * grows to exactly the smallest count whose share meets it - checked
 * against queueing.h's exact search as for one stage - and one fewer
 * misses.  With 'sizing: throughput' on a member the group stays. */
static void test_size_colocated(void **state) {
  (void)state;
#define COLOCATED(A_EXTRA)                                                     \
  "capplan: 1\ntraffic: {qps: 10K}\ngroups: {pool: {}}\nstages:\n"             \
  "  - {name: a, latency: 20ms, qps_per_server: 1K, colocate: pool,\n"         \
  "     slo: {latency_p99: 93ms}" A_EXTRA "}\n"                                \
  "  - {name: b, after: [], latency: 20ms, qps_per_server: 1K,\n"              \
  "     colocate: pool}\n"
  run_result x = run_yaml(COLOCATED(""));
  const treport *r = expect_report(&x);
  const plan *pl = r->report->plan;
  const group_plan *gp = &pl->group[0];
  /* a's slots: floor(G x 10/20 servers x 20 slots), so G = ceil(c / 10)
   * for the smallest c with p99 <= 93 ms at lambda 10K/s, mu 50/s. */
  double c = mmc_servers_for(10000, 50, 1, 1, 0.99, 0.093);
  double g = ceil(c / 10);
  assert_true(g > 20);
  assert_true(gp->pool.servers == g);
  assert_true(gp->latency_added == g - 20);
  assert_int_equal(gp->pool.binding, CON_LATENCY);
  /* and all g must be up for a's objective (FORMULAS.md 2b) */
  assert_true(gp->latency_needed == g);
  assert_true(gp->pool.needed == g);
  const stage_plan *a = stage(r, "a")->plan, *b = stage(r, "b")->plan;
  assert_true(a->queue.stable && b->queue.stable);
  assert_true(a->queue.slots == (g - 1) * 10 + 10); /* g x 10 */
  assert_true(a->queue.pct[PCT_P99] <= 0.093);
  assert_int_equal(a->status, PLAN_OK);
  assert_int_equal(b->status, PLAN_OK);
  mmc q;
  if (mmc_init(&q, 10000, 50, (g - 1) * 10, 1, 1) == 0)
    assert_true(mmc_response_quantile(&q, 0.99) > 0.093);
  assert_true(pl->servers == g);
  assert_true(r->passed);
  run_free(&x);

  x = run_yaml(COLOCATED(", sizing: throughput"));
#undef COLOCATED
  r = expect_report(&x);
  gp = &r->report->plan->group[0];
  assert_true(gp->pool.servers == 20);
  assert_true(gp->latency_added == 0);
  assert_false(r->passed);
  run_free(&x);
}

/* An end-to-end objective behind a group at 100%: the group is made
 * stable first (one server past its load), and the result meets the
 * objective. */
static void test_size_group_end_to_end(void **state) {
  (void)state;
  run_result x = run_yaml(
      "capplan: 1\ntraffic: {qps: 10K}\nslo: {latency_p99: 80ms}\n"
      "groups: {pool: {}}\nstages:\n"
      "  - {name: front, latency: 5ms, qps_per_server: 2K, sizing: "
      "throughput, utilization: 80%}\n"
      "  - {name: a, latency: 5ms, qps_per_server: 1K, colocate: pool}\n"
      "  - {name: b, latency: 5ms, qps_per_server: 2K, colocate: pool}\n");
  const treport *r = expect_report(&x);
  const plan *pl = r->report->plan;
  assert_true(pl->group[0].pool.servers > 15);
  assert_true(stage(r, "a")->plan->queue.stable);
  assert_true(pl->pct_known);
  assert_true(pl->pct[PCT_P99] <= 0.080);
  assert_true(r->passed);
  run_free(&x);
}

/* The example: 10K QPS on 10 servers of 1K at 20 ms fills all 200
 * slots: overloaded, no percentile, a warning naming the stage; a p99
 * objective with sizing turned off fails with no figure.  One more slot
 * (201) is stable but still waits a long time at the p99. */
static void test_overload(void **state) {
  (void)state;
  run_result x = run_yaml("capplan: 1\ntraffic: {qps: 10K}\n"
                          "slo: {latency: 25ms, latency_p99: 150ms}\n"
                          "defaults: {sizing: throughput}\nstages:\n"
                          "  - {name: api, latency: 20ms, "
                          "qps_per_server: 1K}\n");
  const treport *r = expect_report(&x);
  const stage_plan *s = stage(r, "api")->plan;
  assert_int_equal(s->status, PLAN_OVERLOADED);
  assert_false(s->queue.stable);
  assert_false(r->report->plan->pct_known);
  assert_int_equal(r->n_checks, 2);
  assert_true(r->checks[0].passed); /* slo.latency keeps its meaning */
  assert_false(r->checks[1].passed);
  assert_false(r->checks[1].known);
  bool named = false;
  for (size_t i = 0; i < x.d.count; i++)
    named = named || (x.d.items[i].severity == CAPPLAN_WARNING &&
                      strstr(x.d.items[i].message, "'api' runs at 100%"));
  assert_true(named);
  run_free(&x);

  /* 201 slots: rho = 200/201, the wait's p99 near 90 ms */
  mmc q;
  assert_int_equal(mmc_init(&q, 10000, 50, 201, 1, 1), 0);
  double w99 = mmc_wait_quantile(&q, 0.99);
  assert_true(w99 > 0.085 && w99 < 0.095);
  x = run_yaml("capplan: 1\ntraffic: {qps: 10K}\nstages:\n"
               "  - {name: api, latency: 20ms, qps_per_server: 1K,\n"
               "     concurrency: 20.1}\n");
  r = expect_report(&x);
  s = stage(r, "api")->plan;
  assert_true(s->queue.slots == 201);
  assert_true(s->queue.stable);
  expect_rel(s->queue.pct[PCT_P99], mmc_response_quantile(&q, 0.99), 1e-12);
  run_free(&x);
}

/* Stages whose queues are the same (one configuration repeated) share
 * remembered percentiles, bit for bit what each would solve alone; a
 * stage differing in any input (here its slots) has its own.  The 70
 * stages cycle through seven configurations, more than fill the memo's
 * slots with collisions. */
static void test_repeated_queues(void **state) {
  (void)state;
  capplan_buf y;
  capplan_buf_init(&y);
  capplan_buf_puts(&y, "capplan: 1\ntraffic: {qps: 10K}\nstages:\n");
  for (int k = 0; k < 70; k++)
    capplan_buf_printf(&y,
                       "  - {name: s%d, latency: %dms, qps_per_server: 1K, "
                       "concurrency: %g}\n",
                       k, 10 + k % 7, 12.0 + k % 7);
  run_result x = run_yaml(y.data);
  capplan_buf_release(&y);
  const treport *r = expect_report(&x);
  for (int k = 0; k < 70; k++) {
    char name[16];
    snprintf(name, sizeof name, "s%d", k);
    const stage_plan *s = stage(r, name)->plan;
    assert_true(s->queue.stable);
    mmc q;
    assert_int_equal(
        mmc_init(&q, 10000, 1 / ((10 + k % 7) * 1e-3), s->queue.slots, 1, 1),
        0);
    double alone[PCT_COUNT];
    assert_int_equal(mmc_response_quantiles(&q, pct_level, PCT_COUNT, alone),
                     0);
    for (int l = 0; l < PCT_COUNT; l++)
      assert_true(s->queue.pct[l] == alone[l]);
    if (k >= 7) {
      snprintf(name, sizeof name, "s%d", k - 7);
      const stage_plan *t = stage(r, name)->plan;
      assert_memory_equal(s->queue.pct, t->queue.pct, sizeof s->queue.pct);
    }
  }
  run_free(&x);
}

/* latency_fixed_overloaded_at's short cut gives the full test's answer:
 * over a grid of loads, per-server rates, latencies and counts around its
 * bounds (utilization 0.9, 100 slots' worth of work), with one queue and
 * a queue per server, with and without a concurrency. */
static void test_fixed_overloaded_at(void **state) {
  (void)state;
  static const double loads[] = {1,      99,  100,    101, 450,
                                 899.99, 900, 900.01, 1e4, 1e6};
  static const double pss[] = {1, 10, 99.5, 100, 1000, 1e5};
  static const double lats[] = {1e-6, 1e-3, 0.0995, 0.1, 1, 2.5};
  static const double ns[] = {1, 2, 3, 10, 1000};
  static const double concs[] = {0, 50};
  size_t cut = 0, under = 0, bad = 0;
  for (size_t a = 0; a < sizeof loads / sizeof loads[0]; a++)
    for (size_t b = 0; b < sizeof pss / sizeof pss[0]; b++)
      for (size_t c = 0; c < sizeof lats / sizeof lats[0]; c++)
        for (size_t d = 0; d < sizeof ns / sizeof ns[0]; d++)
          for (size_t e = 0; e < 2; e++)
            for (int random = 0; random <= 1; random++) {
              stage_in in = {0};
              stage_plan s = {0};
              in.concurrency = concs[e];
              s.load = loads[a];
              s.tp.per_server = pss[b];
              s.tp.latency = lats[c];
              double n = ns[d], u = s.load / (n * s.tp.per_server);
              bool full = latency_fixed_overloaded(&in, &s, n, random);
              bool at = latency_fixed_overloaded_at(&in, &s, n, random, u);
              double per = s.tp.per_server * s.tp.latency;
              double q = random ? per : n * per;
              bool short_cut =
                  in.concurrency == 0 && u > 0 && u <= 0.9 && q >= 100;
              cut += short_cut;
              under += short_cut && !full;
              if (at != full) {
                print_error("load %g, %g/s, %g s, %g servers, random %d, "
                            "concurrency %g: %d, want %d\n",
                            s.load, s.tp.per_server, s.tp.latency, n, random,
                            in.concurrency, at, full);
                bad++;
              }
            }
  assert_int_equal(bad, 0);
  assert_true(cut > 100 && under == cut); /* it was taken, and is right */
  /* A load the slots cannot carry at a utilization of 0.9: the short
   * cut does not apply (1.8 slots' worth of work) and the test says
   * overloaded (floor(1.8 + 1e-9) = 1 slot for 0.9 x 1.8 s of work). */
  stage_in in = {0};
  stage_plan s = {0};
  s.load = 0.9;
  s.tp.per_server = 1;
  s.tp.latency = 1.8;
  assert_true(latency_fixed_overloaded_at(&in, &s, 1, false, 0.9));
}

/* Without queues and percentiles (plan.latency_on false, as Monte Carlo
 * and sweeps evaluate) every stage's status is the one the queues give:
 * at a sweep of loads across the overload of stages of each kind (one
 * queue and a queue per server, a concurrency, small and large counts of
 * slots, a group, batches) and at high utilizations, the two plans agree
 * on every status, count and availability. */
static void test_lean_status(void **state) {
  (void)state;
  static const char *const specs[] = {
      "capplan: 1\ntraffic: {qps: 1K}\n"
      "defaults: {utilization: 95%, headroom: 0}\nstages:\n"
      "  - {name: a, latency: 20ms, qps_per_server: 1K}\n"
      "  - {name: b, latency: 1ms, qps_per_server: 150, balancer: random}\n"
      "  - {name: c, latency: 250ms, qps_per_server: 10, concurrency: 3}\n"
      "  - {name: d, latency: 5ms, qps_per_server: 20K}\n"
      "  - {name: e, latency: 60ms, batch: 8, parallelism: 2}\n"
      "  - {name: f, latency: 2ms, qps_per_server: 900, colocate: g}\n"
      "  - {name: h, latency: 30ms, qps_per_server: 40, colocate: g}\n",
      "capplan: 1\ntraffic: {qps: 1K}\n"
      "defaults: {utilization: 100%, headroom: 0, balancer: random}\n"
      "stages:\n"
      "  - {name: a, latency: 90ms, qps_per_server: 1.1K}\n"
      "  - {name: b, latency: 0.5s, qps_per_server: 3}\n"
      "  - {name: c, latency: 15ms, bound: cpu}\n",
  };
  size_t compared = 0, over = 0;
  for (size_t k = 0; k < sizeof specs / sizeof specs[0]; k++) {
    run_result x = run_yaml(specs[k]);
    const treport *r = expect_report(&x);
    const capplan_model *m = x.r->model;
    params *p = params_new(m);
    params_copy(m, p, x.r->p);
    plan *lean = plan_new(m), *full = plan_new(m);
    plan_remember(m, lean);
    lean->latency_on = false;
    double qps = p->traffic.qps;
    for (int j = 0; j < 400; j++) {
      p->traffic.qps = qps * (0.5 + j * 0.01);
      int a = plan_eval(m, p, x.r->limits, x.r->n_limits, lean);
      int b = plan_eval(m, p, x.r->limits, x.r->n_limits, full);
      assert_int_equal(a, b);
      if (a < 0)
        continue;
      for (size_t i = 0; i < m->n_stages; i++) {
        const stage_plan *sl = &lean->stage[i], *sf = &full->stage[i];
        if (sl->status != sf->status)
          print_error("spec %zu, qps %g, stage %s: %s, want %s\n", k,
                      p->traffic.qps, m->stage[i].name,
                      plan_status_name(sl->status),
                      plan_status_name(sf->status));
        assert_int_equal(sl->status, sf->status);
        assert_true(sl->pool.servers == sf->pool.servers);
        assert_true(sl->pool.all.down == sf->pool.all.down);
        over += sl->status == PLAN_OVERLOADED;
        compared++;
      }
      assert_true(lean->cost_per_year == full->cost_per_year);
      assert_true(lean->req.down == full->req.down);
    }
    (void)r;
    plan_free(lean);
    plan_free(full);
    params_free(p);
    run_free(&x);
  }
  assert_true(compared > 3000);
  assert_true(over > 50 && over < compared); /* both statuses were met */
}

/* With sizing on, the same objective is met by adding servers; an
 * objective below the service times' own p99 is met by none. */
static void test_size_end_to_end(void **state) {
  (void)state;
  run_result x = run_yaml("capplan: 1\ntraffic: {qps: 10K}\n"
                          "slo: {latency_p99: 150ms}\nstages:\n"
                          "  - {name: api, latency: 20ms, qps_per_server: 1K}\n"
                          "  - {name: db, latency: 5ms, qps_per_server: 4K}\n");
  const treport *r = expect_report(&x);
  const plan *pl = r->report->plan;
  assert_true(r->passed);
  assert_true(pl->pct[PCT_P99] <= 0.150);
  assert_false(pl->latency_unmet);
  /* api, at 100%, gained at least the server that makes it stable; db
   * (3 servers for 2.5 servers' worth) was stable already */
  assert_true(stage(r, "api")->plan->latency_added >= 1);
  assert_true(stage(r, "db")->plan->queue.stable);
  run_free(&x);

  x = run_yaml("capplan: 1\ntraffic: {qps: 10K}\n"
               "slo: {latency_p99: 50ms}\nstages:\n"
               "  - {name: api, latency: 20ms, qps_per_server: 1K}\n");
  r = expect_report(&x);
  pl = r->report->plan;
  assert_true(pl->latency_unmet);
  /* exponential 20 ms: p99 = 20 ms x ln 100 = 92.1 ms with no wait */
  expect_rel(pl->unmet_floor, 0.020 * log(100), 0.005);
  assert_true(stage(r, "api")->plan->latency_added == 0);
  assert_false(r->passed);
  run_free(&x);
}

/* The random balancer: each server its own queue, fed 1/n of the load. */
static void test_random_balancer(void **state) {
  (void)state;
  run_result x = run_yaml("capplan: 1\ntraffic: {qps: 900}\nstages:\n"
                          "  - {name: s, latency: 10ms, qps_per_server: 100,\n"
                          "     balancer: random, redundancy: 1}\n");
  const treport *r = expect_report(&x);
  const queue_plan *q = &stage(r, "s")->plan->queue;
  assert_true(q->random);
  assert_true(q->slots == 1);
  expect_rel(q->arrivals, 90, 1e-12);
  /* M/M/1 at rho 0.9: response exponential of rate 100 - 90 */
  expect_rel(q->pct[PCT_P99], log(100) / 10, 1e-9);
  run_free(&x);
}

/* Erlang(j) survival at X summed over j = 1 .. B - 1, over B: the share
 * of requests still waiting for their batch of B to fill after x / rate
 * (a Poisson series, apart from the incomplete gamma the estimator
 * uses). */
static double fill_sf(int b, double x) {
  double term = exp(-x), cum = 0, sf = 0;
  for (int j = 1; j < b; j++) {
    cum += term;
    sf += cum;
    term *= x / j;
  }
  return sf / b;
}

static double fill_quantile(int b, double rate, double p) {
  double lo = 0, hi = 100 * b / rate;
  for (int i = 0; i < 200; i++) {
    double mid = (lo + hi) / 2;
    if (fill_sf(b, rate * mid) > 1 - p)
      lo = mid;
    else
      hi = mid;
  }
  return (lo + hi) / 2;
}

/* A batch stage: jobs are batches; a request waits for its batch to
 * fill from its slot's Poisson arrivals: the k-th of B waits for B - k
 * more (FORMULAS.md 4b), an Erlang mixture whose mean is half the first
 * one's (B - 1) / rate.  With a batch of 0.1 ms the queue hardly waits,
 * so the percentiles are the mixture's plus the batch. */
static void test_batch_forming(void **state) {
  (void)state;
  run_result x = run_yaml("capplan: 1\ntraffic: {qps: 100}\nstages:\n"
                          "  - {name: g, latency: 0.1ms, batch: 4,\n"
                          "     parallelism: 1, utilization: 50%}\n");
  const treport *r = expect_report(&x);
  const stage_plan *s = stage(r, "g")->plan;
  const queue_plan *q = &s->queue;
  assert_int_equal(q->model, QUEUE_BATCH);
  assert_true(q->job == 4);
  assert_true(q->fill == 4);
  assert_true(s->pool.servers == 1);
  /* 100 requests/s on one slot: the first of 4 waits 3 / 100 s */
  expect_rel(q->form, 3.0 / 100, 1e-12);
  /* batches arrive at 25/s on one slot of 0.1 ms */
  expect_rel(q->utilization, 25 * 1e-4, 1e-12);
  expect_rel(q->mean, 0.015 + q->wait_mean + 1e-4, 1e-9);
  static const int lv[] = {PCT_P50, PCT_P95, PCT_P99, PCT_P999};
  static const double ps[] = {0.5, 0.95, 0.99, 0.999};
  for (size_t k = 0; k < ARRAY_LEN(ps); k++) {
    double want = fill_quantile(4, 100, ps[k]) + 1e-4;
    /* the wait of a batch for the slot (p_wait 0.25%) moves them less
     * than the grid's resolution, 0.1% of the range */
    expect_near(q->pct[lv[k]], want, 3e-4);
  }
  run_free(&x);
}

/* The mean wait for a batch to form is the plan's own figure (queue
 * form_mean), and so is the mean wait before service with it
 * (wait_with_form), which 'capplan simulate' compares.  References,
 * worked here: a batch of B = 4 filled at 100/s, the k-th request waits
 * (4 - k) / 100 s: mean (3 + 2 + 1 + 0) / 4 / 100 = 15 ms; a window of
 * 10 ms that closes a batch (50 requests < max_batch), uniform on
 * [0, 10 ms]: mean 5 ms (FORMULAS.md 4b). */
static void test_forming_mean(void **state) {
  (void)state;
  run_result x =
      run_yaml("capplan: 1\ntraffic: {qps: 100}\nstages:\n"
               "  - {name: g, latency: 0.1ms, batch: 4,\n"
               "     parallelism: 1, utilization: 50%}\n"
               "  - name: w\n"
               "    hardware: gpu-v100\n"
               "    after: [g]\n"
               "    batching: {window: 10ms, max_batch: 64, time: {base: 1ms, "
               "per_item: 0.1ms}}\n");
  const treport *r = expect_report(&x);
  const queue_plan *g = &stage(r, "g")->plan->queue;
  double fill_mean = (3.0 + 2 + 1 + 0) / 4 / 100;
  expect_rel(g->form_mean, fill_mean, 1e-12);
  expect_rel(g->wait_with_form, fill_mean + g->wait_mean, 1e-12);
  expect_rel(g->mean, g->wait_with_form + g->service, 1e-9);
  const queue_plan *w = &stage(r, "w")->plan->queue;
  assert_int_equal(w->model, QUEUE_BATCH);
  expect_rel(w->form, 0.010, 1e-12);
  expect_rel(w->form_mean, 0.005, 1e-12);
  expect_rel(w->wait_with_form, 0.005 + w->wait_mean, 1e-12);
  assert_true(w->wait_with_form > w->wait_mean);
  run_free(&x);
}

/* One visit of a stage, as 'capplan simulate' measures it: calls in
 * parallel are the max of the draws (CDF^k), a cache hit a mixture; the
 * plan's own figures stay as they were. */
static void test_visit(void **state) {
  (void)state;
  run_result x = run_yaml("capplan: 1\ntraffic: {qps: 1}\nstages:\n"
                          "  - {name: s, latency: 10ms, qps_per_server: 1K,\n"
                          "     calls: 8}\n"
                          "  - {name: h, latency: 10ms, qps_per_server: 1K,\n"
                          "     cache_hit: 50%}\n");
  const treport *r = expect_report(&x);
  plan *pl = r->report->plan;
  const capplan_model *m = r->report->model;
  double before[PCT_COUNT];
  memcpy(before, pl->pct, sizeof before);
  double pct[PCT_COUNT], mean, grid;
  assert_int_equal(latency_visit(m, r->report->p, pl, 0, pct, &mean, &grid), 0);
  /* the grid's step, a small share of the figures read on it */
  assert_true(grid > 0 && grid < 0.01 * pct[PCT_P99]);
  double a[2] = {100, 8};
  for (int k = 0; k < PCT_COUNT; k++)
    expect_rel(pct[k], solve(max_k_cdf, a, pct_level[k], 10), 0.005);
  /* E[max of 8 Exp(100)] = H_8 / 100. */
  expect_rel(
      mean,
      (1 + 1. / 2 + 1. / 3 + 1. / 4 + 1. / 5 + 1. / 6 + 1. / 7 + 1. / 8) / 100,
      0.002);
  /* Half the calls take no time: the median is 0 or nearly, the p99 the
   * exponential's 98th percentile. */
  assert_int_equal(latency_visit(m, r->report->p, pl, 1, pct, &mean, &grid), 0);
  expect_rel(mean, 0.005, 1e-3);
  expect_rel(pct[PCT_P99], -log(0.02) / 100, 0.005);
  assert_true(pct[PCT_P50] < 1e-4);
  for (int k = 0; k < PCT_COUNT; k++)
    assert_true(pl->pct[k] == before[k]);
  run_free(&x);
  /* An overloaded stage has none. */
  x = run_yaml("capplan: 1\ntraffic: {qps: 1K}\nstages:\n"
               "  - {name: s, latency: 10ms, qps_per_server: 1K}\n");
  r = expect_report(&x);
  assert_int_equal(latency_visit(r->report->model, r->report->p,
                                 r->report->plan, 0, pct, &mean, &grid),
                   -1);
  run_free(&x);
}

/* traffic.arrival_cv: the entry stage's queue takes it (Allen-Cunneen,
 * thinned by share and cache, split by a random balancer); the next
 * stage keeps Poisson arrivals. */
static void test_arrival_cv(void **state) {
  (void)state;
  run_result x = run_yaml("capplan: 1\ntraffic: {qps: 320, arrival_cv: 2}\n"
                          "stages:\n"
                          "  - {name: a, latency: 10ms, qps_per_server: 100,\n"
                          "     utilization: 80%}\n"
                          "  - {name: b, latency: 10ms, qps_per_server: 100,\n"
                          "     utilization: 80%}\n");
  const treport *r = expect_report(&x);
  const queue_plan *qa = &stage(r, "a")->plan->queue;
  const queue_plan *qb = &stage(r, "b")->plan->queue;
  assert_int_equal(qa->model, QUEUE_GGC);
  assert_int_equal(qb->model, QUEUE_MMC);
  expect_rel(qa->ca, 2, 1e-12);
  mmc q;
  assert_int_equal(mmc_init(&q, 320, 100, 4, 1, 1), 0);
  expect_rel(qb->wait_mean, q.wait_mean, 1e-12);
  expect_rel(qa->wait_mean, q.wait_mean * (4 + 1) / 2, 1e-12);
  assert_string_equal(queue_model_name(qa->model), "G/G/c");
  run_free(&x);
  /* Half the traffic, 40% of it from a cache: kept with q = 0.3, so
   * ca^2 = 0.3 x 4 + 0.7 = 1.9; a random balancer over 4 servers splits
   * that to 1 + 0.9 / 4. */
  x = run_yaml("capplan: 1\ntraffic: {qps: 1K, arrival_cv: 2}\nstages:\n"
               "  - {name: a, latency: 10ms, qps_per_server: 100,\n"
               "     share: 50%, cache_hit: 40%, balancer: random,\n"
               "     concurrency: 1, utilization: 75%}\n");
  r = expect_report(&x);
  qa = &stage(r, "a")->plan->queue;
  assert_true(qa->servers == 4);
  expect_rel(qa->ca * qa->ca, 1 + 0.9 / 4, 1e-12);
  run_free(&x);
}

/* 'service' sets the variation the queues take: deterministic is M/D/c
 * whatever the model's default, exponential M/M/c (even for a batch,
 * whose default is constant), lognormal keeps service_cv. */
static void test_service_key(void **state) {
  (void)state;
  run_result x =
      run_yaml("capplan: 1\ntraffic: {qps: 100}\nstages:\n"
               "  - {name: d, latency: 10ms, qps_per_server: 200,\n"
               "     service: deterministic}\n"
               "  - {name: e, latency: 10ms, batch: 1, parallelism: 4,\n"
               "     service: exponential}\n"
               "  - {name: l, latency: 10ms, qps_per_server: 200,\n"
               "     service: lognormal, service_cv: 0.5}\n");
  const treport *r = expect_report(&x);
  assert_int_equal(stage(r, "d")->plan->queue.model, QUEUE_MDC);
  assert_int_equal(stage(r, "e")->plan->queue.model, QUEUE_MMC);
  assert_int_equal(stage(r, "l")->plan->queue.model, QUEUE_MGC);
  expect_rel(stage(r, "l")->plan->queue.cs, 0.5, 1e-12);
  assert_int_equal(r->report->model->stage[2].service, SERVICE_LOGNORMAL);
  run_free(&x);
  x = run_yaml("capplan: 1\ntraffic: {qps: 100}\nstages:\n"
               "  - {name: d, latency: 10ms, qps_per_server: 200,\n"
               "     service: deterministic, service_cv: 0.2}\n");
  assert_null(x.r);
  expect_diag(&x.d, "stage 'd' has service_cv 0.2 but deterministic service");
  run_free(&x);
}

/* latdist's uniform: mean exact, quantiles linear. */
static void test_uniform(void **state) {
  (void)state;
  latdist_ctx *ctx = latdist_ctx_new(1024, 1e-4, 2);
  latdist *d = latdist_take(ctx);
  assert_int_equal(latdist_set_uniform(d, 0.01, 0.03), LATDIST_OK);
  double mean, t;
  assert_int_equal(latdist_mean(d, &mean), LATDIST_OK);
  expect_rel(mean, 0.02, 1e-12);
  assert_int_equal(latdist_quantile(d, 0.25, &t), LATDIST_OK);
  expect_rel(t, 0.015, 0.01);
  assert_int_equal(latdist_set_uniform(d, 0.03, 0.01), LATDIST_EINVAL);
  /* adding a uniform in O(n) equals the FFT convolution with it, for
   * widths below and above a few grid steps */
  latdist *a = latdist_take(ctx), *u = latdist_take(ctx);
  latdist *x = latdist_take(ctx), *y = latdist_take(ctx);
  const double widths[] = {0.5e-4, 2.5e-4, 0.0137, 0.05, 0.2};
  for (size_t k = 0; k < sizeof widths / sizeof widths[0]; k++) {
    assert_int_equal(latdist_set_service(a, LATDIST_GAMMA, 0.02, 0.5), 0);
    assert_int_equal(latdist_add_uniform(x, a, widths[k]), LATDIST_OK);
    assert_int_equal(latdist_set_uniform(u, 0, widths[k]), LATDIST_OK);
    assert_int_equal(latdist_sum(y, a, u) >= 0, 1);
    const double *px = latdist_masses(x), *py = latdist_masses(y);
    for (size_t i = 0; i < 1024; i++)
      assert_true(fabs(px[i] - py[i]) < 1e-12);
    assert_true(fabs(latdist_beyond(x) - latdist_beyond(y)) < 1e-12);
  }
  latdist_ctx_free(ctx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_tandem),
      cmocka_unit_test(test_fork_join),
      cmocka_unit_test(test_fork_join_share),
      cmocka_unit_test(test_calls),
      cmocka_unit_test(test_stops),
      cmocka_unit_test(test_deterministic_tandem),
      cmocka_unit_test(test_size_one_stage),
      cmocka_unit_test(test_size_colocated),
      cmocka_unit_test(test_size_group_end_to_end),
      cmocka_unit_test(test_overload),
      cmocka_unit_test(test_repeated_queues),
      cmocka_unit_test(test_fixed_overloaded_at),
      cmocka_unit_test(test_lean_status),
      cmocka_unit_test(test_size_end_to_end),
      cmocka_unit_test(test_random_balancer),
      cmocka_unit_test(test_batch_forming),
      cmocka_unit_test(test_forming_mean),
      cmocka_unit_test(test_uniform),
      cmocka_unit_test(test_visit),
      cmocka_unit_test(test_arrival_cv),
      cmocka_unit_test(test_service_key),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

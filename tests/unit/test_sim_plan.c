/*
 * test_sim_plan.c - 'capplan simulate' from a spec: the adapter from a
 * plan to the simulator (sim_plan.c), the comparison with the analytic
 * figures and capplan_simulate()'s warnings and refusals, and its
 * accuracy against queueing theory through the whole pipeline (spec ->
 * model -> plan -> simulation), not the engine alone (test_sim.c does
 * that):
 *   - the public Erlang C oracle (tests/data/erlang_c.csv, a copy of
 *     ../shared/oracles/erlang_c.csv): the plan's M/M/c figures equal
 *     its rows, and the simulation's mean and p99 agree with them;
 *   - an M/M/1 tandem against its exact hypoexponential distribution
 *     (Burke's theorem);
 *   - a fork-join against its product-of-CDFs value (the plan's, an
 *     upper bound) and its exact mean (Flatto and Hahn 1984);
 *   - deterministic service against M/D/c's exact mean wait (Crommelin
 *     1932, as Tijms, "A First Course in Stochastic Models", 2003, gives
 *     it) and Pollaczek-Khinchine for one server.
 *
 *   test_sim_plan          the default run, short enough for every build
 *   test_sim_plan --slow   2M customers per case (ctest unit.sim_plan_slow)
 *
 * A comparison passes when the simulated figure is within a relative
 * tolerance of theory, or theory lies inside the simulated 95% interval
 * widened to a family-wise level (test_sim.c's rule: 99.9% per
 * comparison for --slow, 99.99% for the shorter default run).  With
 * CAPPLAN_SIM_TABLE=1 each comparison prints a row (docs/simulation.md's
 * tables through the CLI).  Every run has a fixed seed.
 */
#include "helpers.h"

#include <complex.h>

#include "sim_plan.h"

#ifndef CAPPLAN_TEST_DATA
#define CAPPLAN_TEST_DATA "tests/data"
#endif

static int slow_mode;

static int table_rows(void) {
  const char *e = getenv("CAPPLAN_SIM_TABLE");
  return e && *e == '1';
}

/* t(q, 19) / t(0.975, 19) for the 20 batch means of a run: q = 0.9995
 * (--slow) or 0.99995 (default), from Student's t (test_sim.c's table). */
static double widen(uint32_t n) {
  assert_int_equal(n, 20);
  return (slow_mode ? 3.883405853 : 4.897461589) / 2.093024054408;
}

static int agrees(const sim_ci *v, double ref, double rel, int *in95) {
  *in95 = v->n >= 2 && ref >= v->lo && ref <= v->hi;
  if (fabs(v->value - ref) <= rel * fabs(ref))
    return 1;
  if (v->n < 2)
    return 0;
  double w = widen(v->n);
  return ref >= v->value - w * (v->value - v->lo) &&
         ref <= v->value + w * (v->hi - v->value);
}

/* Prints times in ms (a WHAT naming a share prints it as it is). */
static void expect_agree(const char *what, const sim_ci *v, double ref,
                         double rel) {
  int in95;
  int ok = agrees(v, ref, rel, &in95);
  double k = strstr(what, "busy") ? 1 : 1000;
  if (table_rows() || !ok)
    print_message("| %s | %.6g | %.6g [%.6g, %.6g] | %+.2f%% | %s | %s |\n",
                  what, ref * k, v->value * k, v->lo * k, v->hi * k,
                  ref != 0 ? 100 * (v->value / ref - 1) : 0,
                  in95 ? "yes" : "no", ok ? "pass" : "FAIL");
  if (!ok)
    fail();
}

static void expect_rel(double got, double want, double tol) {
  if (fabs(got - want) > tol * fabs(want)) {
    print_error("got %.12g, want %.12g (tolerance %g relative)\n", got, want,
                tol);
    fail();
  }
}

/* A spec run through the pipeline and simulated. */
typedef struct simrun {
  run_result x;
  capplan_diags d;
  capplan_simulation *s;
} simrun;

static void simulate_yaml(simrun *sr, const char *yaml, uint64_t requests,
                          uint64_t seed) {
  sr->x = run_yaml(yaml);
  expect_report(&sr->x);
  capplan_sim_opts o;
  capplan_sim_opts_init(&o);
  o.requests = requests;
  o.seed = seed;
  capplan_diags_init(&sr->d, sr->x.src);
  sr->s = capplan_simulate(sr->x.r, &o, &sr->d);
  if (!sr->s) {
    capplan_buf b;
    capplan_buf_init(&b);
    capplan_diags_render(&sr->d, false, &b);
    print_error("capplan_simulate failed:\n%s", b.data ? b.data : "");
    capplan_buf_release(&b);
    fail();
  }
}

static void simrun_free(simrun *sr) {
  capplan_simulation_free(sr->s);
  capplan_diags_release(&sr->d);
  run_free(&sr->x);
}

static const sim_row *row_of(const simrun *sr, const char *name) {
  const capplan_simulation *s = sr->s;
  if (!name)
    return &s->rows[s->n_rows - 1];
  for (size_t j = 0; j + 1 < s->n_rows; j++)
    if (!strcmp(s->report->model->stage[s->rows[j].stage].name, name))
      return &s->rows[j];
  print_error("no simulated stage '%s'\n", name);
  fail();
  return NULL;
}

static const sim_stage *sim_stage_of(const simrun *sr, const char *name) {
  const capplan_simulation *s = sr->s;
  for (size_t j = 0; j < s->net.n; j++)
    if (!strcmp(s->net.stages[j].name, name))
      return &s->net.stages[j];
  print_error("no simulated stage '%s'\n", name);
  fail();
  return NULL;
}

/* Every figure finite, every interval around its value. */
static void expect_sane(const capplan_simulation *s) {
  for (size_t j = 0; j < s->n_rows; j++)
    for (int k = 0; k < SIMF_COUNT; k++) {
      const sim_cmp *c = &s->rows[j].fig[k];
      assert_true(isfinite(c->sim.value) && isfinite(c->sim.lo) &&
                  isfinite(c->sim.hi) && isfinite(c->analytic) &&
                  isfinite(c->diff) && isfinite(c->rel));
      assert_true(c->sim.lo <= c->sim.value && c->sim.value <= c->sim.hi);
    }
}

/* ---- theory ------------------------------------------------------------- */

typedef struct erlang_row {
  int c;
  double mu, lambda, rho, p_wait, wq_mean, r_mean, wq_p99, wq_p999, r_p99;
} erlang_row;

/* The oracle's rows (FORMULAS.md section 3: mu = 100/s). */
static size_t read_oracle(erlang_row *rows, size_t cap) {
  FILE *f = fopen(CAPPLAN_TEST_DATA "/erlang_c.csv", "r");
  if (!f) {
    print_error("cannot read %s\n", CAPPLAN_TEST_DATA "/erlang_c.csv");
    fail();
  }
  char line[512];
  size_t n = 0;
  assert_non_null(fgets(line, sizeof line, f)); /* header */
  while (n < cap && fgets(line, sizeof line, f)) {
    erlang_row *r = &rows[n];
    if (sscanf(line, "%d,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf", &r->c, &r->mu,
               &r->lambda, &r->rho, &r->p_wait, &r->wq_mean, &r->r_mean,
               &r->wq_p99, &r->wq_p999, &r->r_p99) == 10)
      n++;
  }
  fclose(f);
  return n;
}

/* Hypoexponential quantile: P(T > t) = sum_i A_i e^(-r_i t), A_i =
 * prod_{j != i} r_j / (r_j - r_i), distinct rates; by bisection. */
static double hypoexp_quantile(const double *rates, int n, double p) {
  double lo = 0, hi = 200 / rates[0];
  for (int it = 0; it < 200; it++) {
    double t = (lo + hi) / 2, tail = 0;
    for (int i = 0; i < n; i++) {
      double a = 1;
      for (int j = 0; j < n; j++)
        if (j != i)
          a *= rates[j] / (rates[j] - rates[i]);
      tail += a * exp(-rates[i] * t);
    }
    if (tail > 1 - p)
      lo = t;
    else
      hi = t;
  }
  return (lo + hi) / 2;
}

/* The exact mean wait of M/D/c with offered load a = lambda D < c
 * (Crommelin 1932; Tijms 2003): E[Lq] = sum_{k=1}^{c-1} 1 / (1 - z_k) +
 * (a^2 - c (c - 1)) / (2 (c - a)), where z_k are the roots of z^c =
 * e^{a (z - 1)} inside the unit circle other than 1, found by the
 * contraction z = w_k e^{a (z - 1) / c}, w_k = e^{2 pi i k / c}; then
 * Wq = E[Lq] / lambda.  For c = 1 it is Pollaczek-Khinchine. */
static double mdc_wait(int c, double lambda, double d) {
  double a = lambda * d, sum = 0;
  for (int k = 1; k < c; k++) {
    double complex w = cexp(2 * 3.14159265358979323846 * I * k / c), z = 0;
    for (int it = 0; it < 100000; it++) {
      double complex next = w * cexp(a * (z - 1) / c);
      if (cabs(next - z) < 1e-15) {
        z = next;
        break;
      }
      z = next;
    }
    sum += creal(1 / (1 - z));
  }
  return (sum + (a * a - c * (c - 1)) / (2 * (c - a))) / lambda;
}

static uint64_t length(uint64_t fast) {
  return slow_mode ? 2000000 : fast;
}

/* ---- accuracy ----------------------------------------------------------- */

static void test_erlang_c_oracle(void **state) {
  (void)state;
  erlang_row rows[32];
  size_t n = read_oracle(rows, 32);
  assert_int_equal(n, 20);
  for (size_t i = 0; i < n; i++) {
    const erlang_row *o = &rows[i];
    /* One server of c slots, each serving at mu (qps_per_server x
     * latency = c in flight): the plan's queue is M/M/c. */
    char yaml[512];
    snprintf(yaml, sizeof yaml,
             "capplan: 1\ntraffic: {qps: %.17g}\nstages:\n"
             "  - {name: s, latency: %.17gs, qps_per_server: %.17g}\n",
             o->lambda, 1 / o->mu, o->c * o->mu);
    /* The default run simulates the rows below 0.92 (heavy traffic
     * needs millions of customers to settle: the slow run and test_sim
     * do those); every row's analytic figures are checked. */
    bool run = slow_mode || o->rho < 0.92;
    simrun sr;
    simulate_yaml(&sr, yaml,
                  run ? length(o->rho > 0.85 ? 600000 : 200000) : 2000,
                  2000 + i);
    const sim_row *s = row_of(&sr, "s"), *e = row_of(&sr, NULL);
    assert_true(sr.s->net.stages[0].servers * sr.s->net.stages[0].concurrency ==
                (uint32_t)o->c);
    assert_int_equal(sr.s->net.stages[0].service, SIM_EXPONENTIAL);
    /* The plan's figures are the oracle's. */
    expect_rel(e->fig[SIMF_MEAN].analytic, o->r_mean, 1e-6);
    expect_rel(e->fig[SIMF_P99].analytic, o->r_p99, 1e-3);
    expect_rel(s->fig[SIMF_P99].analytic, o->r_p99, 1e-3);
    expect_rel(s->fig[SIMF_WAIT].analytic, o->wq_mean, 1e-9);
    expect_rel(s->fig[SIMF_UTIL].analytic, o->rho, 1e-12);
    if (run) {
      expect_sane(sr.s);
      char what[64];
      snprintf(what, sizeof what, "M/M/%d rho %.2f mean", o->c, o->rho);
      expect_agree(what, &e->fig[SIMF_MEAN].sim, o->r_mean, 0.01);
      snprintf(what, sizeof what, "M/M/%d rho %.2f p99", o->c, o->rho);
      expect_agree(what, &e->fig[SIMF_P99].sim, o->r_p99, 0.01);
      snprintf(what, sizeof what, "M/M/%d rho %.2f busy", o->c, o->rho);
      expect_agree(what, &s->fig[SIMF_UTIL].sim, o->rho, 0.01);
      assert_int_equal(e->status, SIMROW_OK);
    }
    simrun_free(&sr);
  }
}

static void test_tandem(void **state) {
  (void)state;
  /* lambda = 50 through M/M/1 stages of mu = 100, 80, 125: the sojourns
   * are independent Exp(mu_i - lambda), the end to end hypoexponential
   * with rates 50, 30, 75 (Burke 1956; Reich 1957). */
  simrun sr;
  simulate_yaml(&sr,
                "capplan: 1\ntraffic: {qps: 50}\nstages:\n"
                "  - {name: a, latency: 10ms, qps_per_server: 100}\n"
                "  - {name: b, latency: 12.5ms, qps_per_server: 80}\n"
                "  - {name: c, latency: 8ms, qps_per_server: 125}\n",
                length(300000), 7);
  expect_sane(sr.s);
  static const double rates[3] = {50, 30, 75};
  const sim_row *e = row_of(&sr, NULL);
  double mean = 1. / 50 + 1. / 30 + 1. / 75;
  static const double ps[] = {0.5, 0.95, 0.99, 0.999};
  static const int figs[] = {SIMF_P50, SIMF_P95, SIMF_P99, SIMF_P999};
  expect_agree("tandem mean", &e->fig[SIMF_MEAN].sim, mean, 0.01);
  expect_rel(e->fig[SIMF_MEAN].analytic, mean, 1e-6);
  for (int k = 0; k < 4; k++) {
    double q = hypoexp_quantile(rates, 3, ps[k]);
    char what[48];
    snprintf(what, sizeof what, "tandem p%g", ps[k] * 100);
    expect_agree(what, &e->fig[figs[k]].sim, q, ps[k] > 0.99 ? 0.02 : 0.01);
    /* The plan's grid holds it to within 0.5%. */
    expect_rel(e->fig[figs[k]].analytic, q, 0.005);
  }
  /* Each stage alone: p99 = ln 100 / (mu - lambda). */
  static const char *const names[] = {"a", "b", "c"};
  for (int i = 0; i < 3; i++) {
    char what[48];
    snprintf(what, sizeof what, "tandem stage %s p99", names[i]);
    expect_agree(what, &row_of(&sr, names[i])->fig[SIMF_P99].sim,
                 log(100) / rates[i], 0.01);
  }
  simrun_free(&sr);
}

static void test_fork_join(void **state) {
  (void)state;
  /* Two entry stages, both M/M/1 at rho = 0.5 (mu = 100), joined by a
   * stage of a constant 1 ms with room for everything (no wait): the
   * response is max(T_a, T_b) + 1 ms.  The plan takes the branches as
   * independent, P(max <= t) = F(t)^2, quantile -ln(1 - sqrt(p)) /
   * theta; its exact mean is (12 - rho) / 8 / theta (Flatto and Hahn
   * 1984), below the independent 1.5 / theta: both branches see the same
   * arrivals, so their times are positively associated and the product
   * is an upper bound, loose at the median, tight in the tail. */
  simrun sr;
  simulate_yaml(&sr,
                "capplan: 1\ntraffic: {qps: 50}\nstages:\n"
                "  - {name: a, after: [], latency: 10ms, "
                "qps_per_server: 100}\n"
                "  - {name: b, after: [], latency: 10ms, "
                "qps_per_server: 100}\n"
                "  - {name: j, after: [a, b], join: all, latency: 1ms,\n"
                "     qps_per_server: 1M, concurrency: 1000,\n"
                "     service: deterministic}\n",
                length(300000), 11);
  expect_sane(sr.s);
  const sim_stage *j = sim_stage_of(&sr, "j");
  assert_true(j->join_all);
  assert_int_equal(j->n_parents, 2);
  assert_int_equal(j->service, SIM_DETERMINISTIC);
  double theta = 50, rho = 0.5;
  const sim_row *e = row_of(&sr, NULL);
  /* The plan: the product of CDFs. */
  static const double ps[] = {0.5, 0.95, 0.99, 0.999};
  static const int figs[] = {SIMF_P50, SIMF_P95, SIMF_P99, SIMF_P999};
  for (int k = 0; k < 4; k++) {
    double q = -log(1 - sqrt(ps[k])) / theta + 0.001;
    expect_rel(e->fig[figs[k]].analytic, q, 0.005);
  }
  expect_rel(e->fig[SIMF_MEAN].analytic, 1.5 / theta + 0.001, 0.002);
  /* The simulation: the exact mean, below the plan's. */
  expect_agree("fork-join mean (Flatto-Hahn)", &e->fig[SIMF_MEAN].sim,
               (12 - rho) / 8 / theta + 0.001, 0.01);
  assert_true(e->fig[SIMF_MEAN].sim.hi < e->fig[SIMF_MEAN].analytic);
  assert_true(e->fig[SIMF_P50].sim.hi < e->fig[SIMF_P50].analytic);
  /* In the tail the bound is tight: p99 within 2.5% of it. */
  if (table_rows())
    print_message(
        "| fork-join p99 | product %.6g | %.6g [%.6g, %.6g] |\n",
        e->fig[SIMF_P99].analytic * 1000, e->fig[SIMF_P99].sim.value * 1000,
        e->fig[SIMF_P99].sim.lo * 1000, e->fig[SIMF_P99].sim.hi * 1000);
  assert_true(fabs(e->fig[SIMF_P99].rel) < 0.025);
  /* Every request visits the join once, when both branches are done. */
  expect_rel((double)row_of(&sr, "j")->completed, (double)e->completed, 1e-12);
  simrun_free(&sr);
}

static void test_deterministic_service(void **state) {
  (void)state;
  /* 'service: deterministic' at 10 ms: M/D/1 (Pollaczek-Khinchine) and
   * M/D/c against Crommelin's exact mean wait.  The plan takes Allen-
   * Cunneen's half of the M/M/c wait: exact for one server, a few
   * percent low for several (measured, docs/simulation.md). */
  static const struct {
    int c;
    double rho;
  } cases[] = {{1, 0.8}, {4, 0.8}, {16, 0.9}};
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    int c = cases[k].c;
    double lam = cases[k].rho * c * 100;
    char yaml[512];
    snprintf(yaml, sizeof yaml,
             "capplan: 1\ntraffic: {qps: %.17g}\nstages:\n"
             "  - {name: s, latency: 10ms, qps_per_server: %d,\n"
             "     service: deterministic}\n",
             lam, c * 100);
    simrun sr;
    simulate_yaml(&sr, yaml, length(400000), 30 + k);
    expect_sane(sr.s);
    assert_int_equal(sr.s->net.stages[0].service, SIM_DETERMINISTIC);
    const sim_row *s = row_of(&sr, "s");
    double exact = mdc_wait(c, lam, 0.01);
    if (c == 1)
      expect_rel(exact, cases[k].rho / (2 * 100 * (1 - cases[k].rho)), 1e-12);
    char what[48];
    snprintf(what, sizeof what, "M/D/%d rho %.1f wait (exact)", c,
             cases[k].rho);
    expect_agree(what, &s->fig[SIMF_WAIT].sim, exact, 0.02);
    snprintf(what, sizeof what, "M/D/%d rho %.1f mean (exact)", c,
             cases[k].rho);
    expect_agree(what, &s->fig[SIMF_MEAN].sim, exact + 0.01, 0.01);
    /* The plan's wait: exact for c = 1, within 5% below for more. */
    double ac = s->fig[SIMF_WAIT].analytic;
    if (c == 1)
      expect_rel(ac, exact, 1e-9);
    else
      assert_true(ac < exact && ac > 0.95 * exact);
    /* Nobody is faster than the service time. */
    assert_true(s->fig[SIMF_P50].sim.value >= 0.01 * (1 - 1e-3));
    simrun_free(&sr);
  }
}

/* ---- the adapter -------------------------------------------------------- */

/* Every spec key that shapes the simulation reaches its stage. */
static void test_mapping(void **state) {
  (void)state;
  simrun sr;
  simulate_yaml(
      &sr,
      "capplan: 1\n"
      "traffic: {qps: 100, arrival_cv: 1.5}\n"
      "groups: {shared: {}}\n"
      "stages:\n"
      "  - {name: api, latency: 2ms, qps_per_server: 1K, fallback: spare}\n"
      "  - {name: spare, latency: 5ms, qps_per_server: 1K}\n"
      "  - {name: left, after: api, share: 30%, latency: 10ms,\n"
      "     qps_per_server: 200, calls: 2.5, calls_mode: sequential,\n"
      "     service: lognormal, service_cv: 2}\n"
      "  - {name: right, after: api, share: 50%, latency: 10ms,\n"
      "     qps_per_server: 200, cache_hit: 40%, stops: 10%,\n"
      "     cache: {qps_per_server: 10K, latency: 1ms}}\n"
      "  - {name: merge, after: [left, right], join: any, latency: 5ms,\n"
      "     qps_per_server: 400, balancer: random, concurrency: 2,\n"
      "     utilization: 50%}\n"
      "  - {name: gpu, after: merge, latency: 40ms, batch: 8,\n"
      "     parallelism: 2, utilization: 50%}\n"
      "  - {name: log, after: api, async: true, latency: 1ms,\n"
      "     qps_per_server: 1K, colocate: shared}\n"
      "  - {name: audit, after: api, async: true, latency: 1ms,\n"
      "     qps_per_server: 1K, colocate: shared}\n",
      20000, 3);
  expect_sane(sr.s);
  const capplan_simulation *s = sr.s;
  assert_int_equal(s->net.n, 7); /* the standby is left out */
  assert_int_equal(s->n_rows, 8);
  assert_true(s->net.in.lambda == 100);
  assert_true(s->net.in.arrival_cv == 1.5);
  assert_true(s->net.in.cooldown);
  assert_int_equal(s->net.in.requests, 20000);
  const sim_stage *left = sim_stage_of(&sr, "left");
  assert_true(left->share == 0.3 && left->calls == 2.5 &&
              left->calls_sequential);
  assert_int_equal(left->service, SIM_LOGNORMAL);
  assert_true(left->service_cv == 2);
  assert_int_equal(left->n_parents, 1);
  const sim_stage *right = sim_stage_of(&sr, "right");
  assert_true(right->cache_hit == 0.4 && right->stops == 0.1);
  assert_true(right->hit_latency == 0.001);
  const sim_stage *merge = sim_stage_of(&sr, "merge");
  assert_false(merge->join_all);
  assert_int_equal(merge->balancer, SIM_RANDOM);
  /* load 100 x (0.3 x 1 + 0.5 x 0.9) = 75/s at 400 x 50% per server:
   * 1 server of 2 slots. */
  assert_int_equal(merge->servers, 1);
  assert_int_equal(merge->concurrency, 2);
  /* A batch of 8 per slot, filled from the slot's own arrivals, timing
   * out after ten times its mean filling time; one service per batch. */
  const sim_stage *gpu = sim_stage_of(&sr, "gpu");
  const queue_plan *qp =
      &sr.x.r->plan->stage[s->net.model_of[gpu - s->net.stages]].queue;
  assert_true(gpu->batching.enabled);
  assert_int_equal(gpu->batching.placement, SIM_BATCH_PER_ACCELERATOR);
  assert_int_equal(gpu->batching.max_batch, 8);
  assert_true(gpu->batching.base == 0.04 && gpu->batching.per_item == 0);
  expect_rel(gpu->batching.window, SIM_PLAN_WINDOW_FACTOR * qp->form, 1e-12);
  assert_int_equal(gpu->service, SIM_DETERMINISTIC);
  assert_true((double)gpu->servers * gpu->concurrency == qp->slots);
  const sim_stage *log_stage = sim_stage_of(&sr, "log");
  assert_true(log_stage->async);
  /* The async stages are off the end to end; the rest are measured. */
  for (size_t j = 0; j + 1 < s->n_rows; j++)
    assert_true(s->rows[j].completed > 0);
  /* Batches fill: every batch holds 8. */
  expect_rel(row_of(&sr, "gpu")->batch_mean, 8, 1e-12);
  simrun_free(&sr);
}

/* calls in parallel: a visit is the slowest of its calls, the plan's
 * CDF^k (latency_visit), which the simulation matches exactly when the
 * stage barely queues. */
static void test_visit_figures(void **state) {
  (void)state;
  simrun sr;
  simulate_yaml(&sr,
                "capplan: 1\ntraffic: {qps: 10}\nstages:\n"
                "  - {name: s, latency: 10ms, qps_per_server: 10K,\n"
                "     calls: 4}\n",
                length(200000), 5);
  const sim_row *s = row_of(&sr, "s");
  static const int figs[] = {SIMF_P50, SIMF_P95, SIMF_P99, SIMF_P999};
  for (int k = 0; k < 4; k++) {
    char what[32];
    snprintf(what, sizeof what, "calls 4 %s", sim_fig_key[figs[k]]);
    expect_agree(what, &s->fig[figs[k]].sim, s->fig[figs[k]].analytic,
                 k == 3 ? 0.02 : 0.01);
  }
  /* E[max of 4 Exp(100)] = (1 + 1/2 + 1/3 + 1/4) / 100. */
  expect_agree("calls 4 mean", &s->fig[SIMF_MEAN].sim, 0.0208333333333, 0.01);
  simrun_free(&sr);
}

/* A batch that fills at low load: each request waits for the rest of its
 * batch, (b - 1) / (2 lambda_a) on average - the plan's forming time
 * over two. */
static void test_batch_forming(void **state) {
  (void)state;
  simrun sr;
  simulate_yaml(&sr,
                "capplan: 1\ntraffic: {qps: 100}\nstages:\n"
                "  - {name: g, latency: 20ms, batch: 10, parallelism: 4,\n"
                "     concurrency: 4, utilization: 10%}\n",
                length(200000), 9);
  const sim_row *g = row_of(&sr, "g");
  const queue_plan *qp = &sr.x.r->plan->stage[0].queue;
  double slots = qp->slots, lam_a = 100 / slots;
  expect_rel(qp->form, 9 / lam_a, 1e-12);
  expect_agree("batch forming wait", &g->fig[SIMF_WAIT].sim, 4.5 / lam_a, 0.01);
  expect_rel(g->batch_mean, 10, 1e-12);
  simrun_free(&sr);
}

/* A `batching:` stage runs its own batcher: the placement its scope says,
 * the spec's window, max_batch and t(b) = base + per_item x b, so batches
 * form from the traffic (FORMULAS.md 4b) instead of replaying the plan's
 * mean batch on one slot each. */
static void test_dynamic_batcher(void **state) {
  (void)state;
  simrun sr;
  /* The seed's shared batcher: 5K/s, 10 ms window, 200 ms a batch, no
   * max_batch; a batch holds its first request and the window's
   * arrivals, 1 + 50 on average. */
  simulate_yaml(&sr,
                "capplan: 1\ntraffic: {qps: 5K}\nstages:\n"
                "  - {name: dnn, hardware: gpu-v100, utilization: 95.24%,\n"
                "     batching: {window: 10ms, time: {base: 200ms}}}\n",
                20000, 7);
  const sim_stage *st = sim_stage_of(&sr, "dnn");
  assert_true(st->batching.enabled);
  assert_int_equal(st->batching.placement, SIM_BATCH_SHARED);
  assert_true(st->batching.window == 0.010);
  assert_true(st->batching.base == 0.2 && st->batching.per_item == 0);
  assert_true(st->batching.max_batch >= 1000);
  assert_true((double)st->servers * st->concurrency == 21);
  const sim_row *r = row_of(&sr, "dnn");
  assert_true(fabs(r->batch_mean - 51) < 1);
  /* 20 x 50 / 51 of 21 accelerators busy, within a point. */
  assert_true(fabs(r->fig[SIMF_UTIL].sim.value - 5000 * 0.2 / 51 / 21) < 0.01);
  simrun_free(&sr);
  /* Per-accelerator at half its capacity (docs/decisions.md): 24 GPUs,
   * b = 7.14 at 208/s each, 48.18% of 432/s in use. */
  simulate_yaml(&sr,
                "capplan: 1\ntraffic: {qps: 5K}\nstages:\n"
                "  - {name: dnn, hardware: gpu-v100, utilization: 50%,\n"
                "     batching: {window: 5ms, max_batch: 64,\n"
                "                scope: per-accelerator,\n"
                "                time: {base: 20ms, per_item: 2ms}}}\n",
                20000, 7);
  st = sim_stage_of(&sr, "dnn");
  assert_int_equal(st->batching.placement, SIM_BATCH_PER_ACCELERATOR);
  assert_int_equal(st->batching.max_batch, 64);
  assert_true(st->batching.window == 0.005);
  assert_true(st->batching.base == 0.02 && st->batching.per_item == 0.002);
  assert_true((double)st->servers * st->concurrency == 24);
  r = row_of(&sr, "dnn");
  assert_int_equal(r->status, SIMROW_OK);
  /* Batches near the fixed point, not capped at it. */
  assert_true(fabs(r->batch_mean - 50.0 / 7) < 0.5);
  /* The plan's share of capacity against the simulation's offered load. */
  expect_rel(r->fig[SIMF_UTIL].analytic, 5000.0 / 24 * 0.148 / 64, 1e-9);
  assert_true(fabs(r->fig[SIMF_UTIL].sim.value - r->fig[SIMF_UTIL].analytic) <
              0.02);
  simrun_free(&sr);
}

/* `work:` with `batching:` is simulated like a `batching:` stage: its
 * own batchers on the estimate's count, given the line of the roofline
 * the estimator gives them (memory-bound here: base = 200 MB and
 * per_item = 10 MB over 300 GB/s x mbu), so batches form from the
 * traffic, not the plan's mean batch replayed with a fixed time.  At
 * 5K/s on 3 L4s each gathers b = rate_a base / (1 - rate_a per_item). */
static void test_work_batcher(void **state) {
  (void)state;
  simrun sr;
  simulate_yaml(&sr,
                "capplan: 1\ntraffic: {qps: 5K}\nstages:\n"
                "  - name: enc\n"
                "    hardware: l4\n"
                "    utilization: 50%\n"
                "    slo: {latency_p99: 2.15ms}\n"
                "    work: {flops_per_item: 2GFLOP, bytes_per_batch: 200MB,\n"
                "           bytes_per_item: 10MB}\n"
                "    batching: {window: 0.1ms, max_batch: 64,\n"
                "               scope: per-accelerator}\n",
                length(100000), 7);
  const sim_stage *st = sim_stage_of(&sr, "enc");
  double bw = 300e9 * 0.685, base = 200e6 / bw, per_item = 10e6 / bw;
  assert_true(st->batching.enabled);
  assert_int_equal(st->batching.placement, SIM_BATCH_PER_ACCELERATOR);
  assert_int_equal(st->batching.max_batch, 64);
  assert_true(st->batching.window == 0.0001);
  expect_rel(st->batching.base, base, 1e-12);
  expect_rel(st->batching.per_item, per_item, 1e-12);
  assert_true((double)st->servers * st->concurrency == 3);
  const sim_row *r = row_of(&sr, "enc");
  assert_int_equal(r->status, SIMROW_OK);
  /* The batch a batcher gathers is a random one around the fixed point
   * (b - 1 requests besides the first that waits, roughly); its mean
   * within half a request of it. */
  double ra = 5000.0 / 3, b = ra * base / (1 - ra * per_item);
  assert_true(fabs(r->batch_mean - b) < 0.5);
  /* The plan's share of capacity is the simulation's offered load. */
  expect_rel(r->fig[SIMF_UTIL].analytic, ra * (base + 64 * per_item) / 64,
             1e-9);
  assert_true(fabs(r->fig[SIMF_UTIL].sim.value - r->fig[SIMF_UTIL].analytic) <
              0.01);
  /* The mean visit within 2% of the plan's (it was twice it when the
   * stage was replayed as fixed batches of the mean size). */
  expect_agree("work batcher mean", &r->fig[SIMF_MEAN].sim,
               r->fig[SIMF_MEAN].analytic, 0.02);
  simrun_free(&sr);
}

/* ---- run, warnings, refusals -------------------------------------------- */

static void render_all(const capplan_simulation *s, capplan_buf *json) {
  for (int f = 0; f < CAPPLAN_FORMAT_COUNT; f++) {
    if (!capplan_format_supported(CAPPLAN_VIEW_SIMULATE, (enum capplan_format)f,
                                  NULL))
      continue;
    capplan_buf out;
    capplan_buf_init(&out);
    assert_int_equal(capplan_render(CAPPLAN_VIEW_SIMULATE,
                                    (enum capplan_format)f, s, NULL, &out),
                     0);
    assert_null(strstr(out.data, "nan"));
    assert_null(strstr(out.data, "inf"));
    if (f == CAPPLAN_FORMAT_JSON)
      capplan_buf_put(json, out.data, out.len);
    capplan_buf_release(&out);
  }
}

static void test_determinism(void **state) {
  (void)state;
  const char *yaml = "capplan: 1\ntraffic: {qps: 300}\nstages:\n"
                     "  - {name: a, latency: 10ms, qps_per_server: 100,\n"
                     "     utilization: 80%, service_cv: 0.5}\n"
                     "  - {name: b, latency: 3ms, qps_per_server: 1K,\n"
                     "     calls: 3, cache_hit: 20%}\n";
  capplan_buf j1, j2, j3;
  capplan_buf_init(&j1);
  capplan_buf_init(&j2);
  capplan_buf_init(&j3);
  simrun a, b, c;
  simulate_yaml(&a, yaml, 20000, 42);
  simulate_yaml(&b, yaml, 20000, 42);
  simulate_yaml(&c, yaml, 20000, 43);
  render_all(a.s, &j1);
  render_all(b.s, &j2);
  render_all(c.s, &j3);
  assert_string_equal(j1.data, j2.data);
  assert_true(strcmp(j1.data, j3.data) != 0);
  assert_non_null(strstr(j1.data, "\"kind\": \"simulation\""));
  simrun_free(&a);
  simrun_free(&b);
  simrun_free(&c);
  capplan_buf_release(&j1);
  capplan_buf_release(&j2);
  capplan_buf_release(&j3);
}

/* A stage at 100% never settles: it is simulated for the run's length,
 * marked overloaded, with no analytic latency and a warning. */
static void test_overloaded(void **state) {
  (void)state;
  simrun sr;
  simulate_yaml(&sr,
                "capplan: 1\ntraffic: {qps: 1K}\nstages:\n"
                "  - {name: full, latency: 10ms, qps_per_server: 100}\n"
                "  - {name: fine, latency: 1ms, qps_per_server: 2K}\n",
                20000, 1);
  expect_sane(sr.s);
  const sim_row *full = row_of(&sr, "full"), *e = row_of(&sr, NULL);
  assert_int_equal(full->status, SIMROW_OVERLOADED);
  assert_int_equal(e->status, SIMROW_OVERLOADED);
  assert_int_equal(row_of(&sr, "fine")->status, SIMROW_OK);
  assert_false(full->fig[SIMF_P99].known);
  assert_false(e->fig[SIMF_MEAN].known);
  assert_true(full->fig[SIMF_UTIL].known);
  assert_int_equal(sr.s->overloaded, 1);
  expect_diag(&sr.d, "stage 'full' runs at or above 100% of its slots");
  expect_diag(&sr.d, "not a steady state");
  assert_int_equal(sr.d.errors, 0);
  capplan_buf j;
  capplan_buf_init(&j);
  render_all(sr.s, &j);
  capplan_buf_release(&j);
  simrun_free(&sr);
  /* Just below 100% in the plan: a short run often measures a little
   * above capacity, which is noise, not overload. */
  for (uint64_t seed = 1; seed <= 5; seed++) {
    simulate_yaml(&sr,
                  "capplan: 1\ntraffic: {qps: 19.9K}\nstages:\n"
                  "  - {name: busy, latency: 10ms, qps_per_server: 20K}\n",
                  2000, seed);
    assert_int_equal(row_of(&sr, "busy")->status, SIMROW_OK);
    assert_int_equal(row_of(&sr, NULL)->status, SIMROW_OK);
    assert_false(has_diag(&sr.d, "not a steady state"));
    simrun_free(&sr);
  }
  /* Far above: the queue passes the safety bound, the run stops early
   * and says so; what was measured is still reported. */
  simulate_yaml(&sr,
                "capplan: 1\ntraffic: {qps: 1M}\nstages:\n"
                "  - {name: slow, latency: 1s, qps_per_server: 1K,\n"
                "     utilization: 100%, concurrency: 1}\n",
                3000000, 1);
  expect_sane(sr.s);
  assert_true(sr.s->res->aborted);
  expect_diag(&sr.d, "the simulation stopped early");
  simrun_free(&sr);
}

static void test_refusals(void **state) {
  (void)state;
  /* More slots than the simulator holds: refused at the stage. */
  run_result x =
      run_yaml("capplan: 1\ntraffic: {qps: 1T}\nstages:\n"
               "  - {name: huge, latency: 1s, qps_per_server: 1K}\n");
  expect_report(&x);
  capplan_diags d;
  capplan_diags_init(&d, x.src);
  capplan_simulation *s = capplan_simulate(x.r, NULL, &d);
  assert_null(s);
  expect_diag(&d, "cannot simulate stage 'huge': its queue has");
  assert_int_equal(d.items[0].loc.line, 4);
  capplan_diags_release(&d);
  run_free(&x);
  /* Too many calls per visit. */
  x = run_yaml("capplan: 1\ntraffic: {qps: 1}\nstages:\n"
               "  - {name: fan, latency: 1ms, qps_per_server: 1B,\n"
               "     calls: 2M}\n");
  expect_report(&x);
  capplan_diags_init(&d, x.src);
  assert_null(capplan_simulate(x.r, NULL, &d));
  expect_diag(&d, "cannot simulate stage 'fan': it makes 2,000,000 calls");
  capplan_diags_release(&d);
  run_free(&x);
}

int main(int argc, char **argv) {
  slow_mode = argc > 1 && !strcmp(argv[1], "--slow");
  const struct CMUnitTest fast[] = {
      cmocka_unit_test(test_erlang_c_oracle),
      cmocka_unit_test(test_tandem),
      cmocka_unit_test(test_fork_join),
      cmocka_unit_test(test_deterministic_service),
      cmocka_unit_test(test_mapping),
      cmocka_unit_test(test_visit_figures),
      cmocka_unit_test(test_batch_forming),
      cmocka_unit_test(test_dynamic_batcher),
      cmocka_unit_test(test_work_batcher),
      cmocka_unit_test(test_determinism),
      cmocka_unit_test(test_overloaded),
      cmocka_unit_test(test_refusals),
  };
  const struct CMUnitTest slow[] = {
      cmocka_unit_test(test_erlang_c_oracle),
      cmocka_unit_test(test_tandem),
      cmocka_unit_test(test_fork_join),
      cmocka_unit_test(test_deterministic_service),
  };
  return slow_mode ? cmocka_run_group_tests(slow, NULL, NULL)
                   : cmocka_run_group_tests(fast, NULL, NULL);
}

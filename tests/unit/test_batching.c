/*
 * test_batching.c - dynamic batching (src/model/batching.c) against
 * FORMULAS.md sections 4 and 4b: the seed check both ways round, exact
 * rounding of the accelerator count, both placements of the batcher, the
 * queue against the M/M/c references of FORMULAS.md section 3, and the
 * batch-size distribution and latency percentiles against a simulation of
 * the batcher run here (Poisson arrivals from a fixed seed).
 */
#include "helpers.h"

#include <stdlib.h>

#include "batching.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------ the seed */

static void test_seed_check(void **state) {
  (void)state;
  /* FORMULAS.md 4 and 4b: 5K QPS, 10 ms window, 200 ms per batch of 50;
   * t(b) written as 4 ms per item or as a fixed 200 ms. */
  static const struct {
    double base, per_item;
  } times[] = {{0, 4e-3}, {0.2, 0}};
  for (size_t i = 0; i < ARRAY_LEN(times); i++) {
    batching_params p = {5000, 0.010, 1000, times[i].base, times[i].per_item,
                         1.0};
    batching_plan r;
    assert_int_equal(batching_shared(&p, &r), BATCHING_OK);
    expect_near(r.batch, 50, 1e-12);
    expect_near(r.batch_time, 0.2, 1e-12);
    expect_near(r.batches_per_second, 100, 1e-12);
    expect_near(r.busy, 20, 1e-12);
    /* 20 at a 100% target: no margin at all, so the queue of batches has
     * no finite wait. */
    assert_true(r.accelerators == 20);
    assert_int_equal(r.latency_status, BATCHING_SATURATED);
    assert_true(r.latency_mean == 0);
    assert_int_equal(r.limit, BATCHING_BY_WINDOW);
    expect_near(r.close_wait_max, 0.010, 1e-12);
    /* 21 at 95.2% (20/21): the seed's count, for a better reason. */
    p.target_utilization = 20.0 / 21;
    assert_int_equal(batching_shared(&p, &r), BATCHING_OK);
    assert_true(r.accelerators == 21);
    expect_near(r.utilization, 20.0 / 21, 1e-12);
    assert_int_equal(r.latency_status, BATCHING_OK);
    /* Batches close every ~10.2 ms (cv^2 = 1 / 51^2): nearly regular,
     * so they hardly queue; latency ~ 5.1 ms + 200 ms. */
    expect_near(r.batch_arrival_cv2, 1.0 / (51.0 * 51.0), 1e-9);
    assert_true(r.queue_wait_mean >= 0 && r.queue_wait_mean < 1e-3);
    expect_near(r.close_wait_mean, 0.010 * 52 / 2 / 51, 1e-12);
    expect_near(r.latency_mean,
                r.close_wait_mean + r.queue_wait_mean + r.batch_time, 1e-15);
    /* A printed 95.2% is slightly below 20/21: 22, not 21. */
    p.target_utilization = 0.952;
    assert_int_equal(batching_shared(&p, &r), BATCHING_OK);
    assert_true(r.accelerators == 22);
  }
}

static void test_accelerators_for(void **state) {
  (void)state;
  static const struct {
    double busy, target, n;
  } rows[] = {
      {20, 1, 20},          {20, 20.0 / 21, 21}, {20, 0.952, 22},
      {20.000001, 1, 21},   {0, 0.8, 1},         {0.3, 1, 1},
      {19.99999999, 1, 20}, {7, 0.7, 10},        {1e6, 0.5, 2e6},
      {3.0000000001, 1, 3}, /* 3.3e-11 relative: float noise */
      {3.00000001, 1, 4},   /* 3.3e-9 relative: a real excess */
  };
  for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
    double n;
    assert_int_equal(
        batching_accelerators_for(rows[i].busy, rows[i].target, &n),
        BATCHING_OK);
    if (n != rows[i].n) {
      print_error("row %zu: busy %.17g target %.17g: %g, expected %g\n", i,
                  rows[i].busy, rows[i].target, n, rows[i].n);
      fail();
    }
  }
  double n;
  assert_int_equal(batching_accelerators_for(1, 0, &n), BATCHING_BAD_INPUT);
  assert_int_equal(batching_accelerators_for(1, 1.01, &n), BATCHING_BAD_INPUT);
  assert_int_equal(batching_accelerators_for(-1, 1, &n), BATCHING_BAD_INPUT);
  assert_int_equal(batching_accelerators_for(1e308, 1e-10, &n),
                   BATCHING_OUT_OF_RANGE);
}

static void test_shared_cases(void **state) {
  (void)state;
  /* Capped: 5K/s would gather 50 in 10 ms but max_batch is 32, full after
   * 31 more arrivals, 6.2 ms. */
  batching_params p = {5000, 0.010, 32, 0.010, 1e-3, 0.8};
  batching_plan r;
  assert_int_equal(batching_shared(&p, &r), BATCHING_OK);
  assert_true(r.batch == 32);
  assert_int_equal(r.limit, BATCHING_BY_FILL);
  expect_near(r.close_wait_max, 31.0 / 5000, 1e-12);
  expect_near(r.batch_time, 0.042, 1e-12);
  expect_near(r.busy, 5000 * 0.042 / 32, 1e-12);
  assert_true(r.accelerators == ceil(5000 * 0.042 / 32 / 0.8));
  /* A filled batch closes at S ~ Gamma(31, 5000) (< 10 ms almost
   * surely), plus the wait for the next arrival: cv^2 ~ 1/32. */
  expect_near(r.batch_arrival_cv2, 1.0 / 32, 2e-3);
  /* Sparse: 50/s into a 10 ms window gathers 0.5: batches of 1 that wait
   * the whole window. */
  batching_params q = {50, 0.010, 64, 0.005, 0.001, 1};
  assert_int_equal(batching_shared(&q, &r), BATCHING_OK);
  assert_true(r.batch == 1);
  expect_near(r.close_wait_max, 0.010, 1e-12);
  expect_near(r.busy, 50 * 0.006, 1e-12);
  assert_true(r.accelerators == 1);
  /* Arrival-weighted mean close wait, exact for an unbounded batch:
   * w (mu + 2) / (2 (1 + mu)), mu = 0.5. */
  expect_near(r.close_wait_mean, 0.010 * 2.5 / 3, 1e-12);
  /* max_batch 2 has its own closed form: the first waits min(w, Exp),
   * E = (1 - e^-mu) / L, the second 0; per request / (2 - e^-mu). */
  batching_params two = {200, 0.010, 2, 0, 1e-3, 1};
  assert_int_equal(batching_shared(&two, &r), BATCHING_OK);
  double e = exp(-2.0);
  expect_near(r.close_wait_mean, (1 - e) / 200 / (2 - e), 1e-12);
  /* No window: every request is its own batch, sent at once. */
  batching_params now = {100, 0, 8, 0.002, 0.001, 0.5};
  assert_int_equal(batching_shared(&now, &r), BATCHING_OK);
  assert_true(r.batch == 1 && r.close_wait_max == 0 && r.close_wait_mean == 0);
  expect_near(r.batch_arrival_cv2, 1, 1e-12); /* Poisson batches */
  assert_true(r.accelerators == 1);
  /* M/D/1 at rho = 0.3: Pollaczek-Khinchine rho D / (2 (1 - rho)) is what
   * Allen-Cunneen gives for c = 1. */
  expect_near(r.queue_wait_mean, 0.3 * 0.003 / (2 * 0.7), 1e-12);
}

static void test_per_accelerator(void **state) {
  (void)state;
  static const struct {
    batching_params p;
    double n, batch;
    batching_limit limit;
  } rows[] = {
      /* 1,000/s, t(b) = 10 ms + 1 ms b, max 32: one accelerator carries
       * 32 / 42 ms = 761.9/s.  n = ceil(1000 / 761.9) = 2, and each at
       * 500/s settles at b = 500 x 0.010 / (1 - 0.5) = 10, t = 20 ms. */
      {{1000, 0.002, 32, 0.010, 0.001, 1}, 2, 10, BATCHING_BY_STEADY},
      /* At an 80% target: ceil(1000 / (761.9 x 0.8)) = 2 as well. */
      {{1000, 0.002, 32, 0.010, 0.001, 0.8}, 2, 10, BATCHING_BY_STEADY},
      /* At 60%: ceil(1000 / 457.1) = 3; each at 333.3/s:
       * b = 3.333 / 0.6667 = 5. */
      {{1000, 0.002, 32, 0.010, 0.001, 0.6}, 3, 5, BATCHING_BY_STEADY},
      /* A long window gathers more than the steady state: 100 ms at
       * 500/s is 50, capped at 32. */
      {{1000, 0.100, 32, 0.010, 0.001, 1}, 2, 32, BATCHING_BY_FILL},
      /* 20 ms gathers 10 at 500/s against a steady 10/(1-.5)... with
       * base 1 ms: steady 1, window 10. */
      {{1000, 0.020, 32, 0.001, 0.001, 1}, 2, 10, BATCHING_BY_WINDOW},
  };
  for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
    batching_plan r;
    assert_int_equal(batching_per_accelerator(&rows[i].p, &r), BATCHING_OK);
    if (r.accelerators != rows[i].n || fabs(r.batch - rows[i].batch) > 1e-9 ||
        r.limit != rows[i].limit) {
      print_error("row %zu: n %g b %.17g limit %d\n", i, r.accelerators,
                  r.batch, (int)r.limit);
      fail();
    }
    double lam_a = rows[i].p.rate / r.accelerators;
    expect_near(r.batch_time, rows[i].p.base + rows[i].p.per_item * r.batch,
                1e-12);
    /* The share of the capacity in use, lambda_a t(max) / max; the
     * accelerator is always working in the steady state, b = lambda_a
     * t(b). */
    double big = rows[i].p.max_batch;
    expect_near(r.utilization,
                lam_a * (rows[i].p.base + rows[i].p.per_item * big) / big,
                1e-12);
    if (r.limit == BATCHING_BY_STEADY)
      expect_near(lam_a * r.batch_time, r.batch, 1e-12);
    expect_near(r.latency_mean, r.close_wait_mean + r.batch_time, 1e-15);
  }
  /* The seed per accelerator: 5K/s, 200 ms per 50 (base 0, 4 ms each),
   * max 50: 250/s each at best, so 20 at 100% and 21 at 20/21. */
  batching_params s = {5000, 0.010, 50, 0, 0.004, 1};
  batching_plan r;
  assert_int_equal(batching_per_accelerator(&s, &r), BATCHING_OK);
  assert_true(r.accelerators == 20);
  s.target_utilization = 20.0 / 21;
  assert_int_equal(batching_per_accelerator(&s, &r), BATCHING_OK);
  assert_true(r.accelerators == 21);
}

/* A batcher per accelerator is busy all the time by construction (b =
 * lambda_a t(b)) yet stable while that fixed point lies within
 * max_batch: its utilization is the share of its capacity in use, and
 * it is saturated only past max_batch / t(max_batch). */
static void test_per_accelerator_stable(void **state) {
  (void)state;
  /* 5K/s, 5 ms window, max 64, t(b) = 20 ms + 2 ms b, at a 50% target:
   * one accelerator carries 64 / 148 ms = 432.4/s, so n = ceil(5000 /
   * 216.2) = 24; each at 208.3/s settles at b = 4.1667 / 0.5833 = 7.1429,
   * t = 34.286 ms; utilization 208.3 / 432.4 = 48.18%. */
  batching_params p = {5000, 0.005, 64, 0.020, 0.002, 0.5};
  batching_plan r;
  assert_int_equal(batching_per_accelerator(&p, &r), BATCHING_OK);
  assert_true(r.accelerators == 24);
  expect_near(r.batch, 50.0 / 7, 1e-12);
  expect_near(r.batch_time, 0.020 + 0.002 * 50.0 / 7, 1e-12);
  expect_near(r.utilization, 5000.0 / 24 * 0.148 / 64, 1e-12);
  expect_near(r.busy, 5000.0 * 0.148 / 64, 1e-9);
  assert_int_equal(r.latency_status, BATCHING_OK);
  /* The wait for the batch in progress, uniform on [0, t(b)], then t(b). */
  expect_near(r.close_wait_max, r.batch_time, 1e-15);
  expect_near(r.close_wait_mean, r.batch_time / 2, 1e-15);
  expect_near(r.latency_mean, 1.5 * r.batch_time, 1e-15);
  assert_true(r.queue_wait_mean == 0);
  /* On 25 (a count an objective chose): the batch of 25, not of 24. */
  assert_int_equal(batching_per_accelerator_at(&p, 25, &r), BATCHING_OK);
  expect_near(r.batch, 200.0 * 0.020 / (1 - 200.0 * 0.002), 1e-12);
  expect_near(r.utilization, 200.0 * 0.148 / 64, 1e-12);
  /* Capacity 40 / t(40) = 40 / 100 ms = 400/s: 399/s is stable with
   * b = 7.98 / 0.202 = 39.50 <= 40; 400/s has no fixed point below 40. */
  batching_params c = {399, 0, 40, 0.020, 0.002, 1};
  assert_int_equal(batching_per_accelerator_at(&c, 1, &r), BATCHING_OK);
  assert_int_equal(r.latency_status, BATCHING_OK);
  expect_near(r.batch, 399 * 0.020 / (1 - 399 * 0.002), 1e-9);
  expect_near(r.utilization, 399.0 / 400, 1e-12);
  c.rate = 400;
  assert_int_equal(batching_per_accelerator_at(&c, 1, &r), BATCHING_OK);
  assert_int_equal(r.latency_status, BATCHING_SATURATED);
  assert_true(r.batch == 40);
  c.rate = 800; /* two accelerators at 400/s each */
  assert_int_equal(batching_per_accelerator_at(&c, 2, &r), BATCHING_OK);
  assert_int_equal(r.latency_status, BATCHING_SATURATED);
  assert_int_equal(batching_per_accelerator_at(&c, 3, &r), BATCHING_OK);
  assert_int_equal(r.latency_status, BATCHING_OK);
  /* A count that is not a whole number >= 1. */
  assert_int_equal(batching_per_accelerator_at(&c, 0, &r), BATCHING_BAD_INPUT);
  assert_int_equal(batching_per_accelerator_at(&c, 2.5, &r),
                   BATCHING_BAD_INPUT);
}

/* ------------------------------------------------------------ queue */

static void test_queue_wait(void **state) {
  (void)state;
  /* FORMULAS.md 3 (Octave qsmmm): lambda 9, mu 5: c = 2 -> C = 0.852632,
   * R = 1.052632; c = 4 -> C = 0.128534, R = 0.211685.  Allen-Cunneen
   * with ca^2 = cs^2 = 1 is M/M/c exactly. */
  static const struct {
    double c, p_wait, response;
  } rows[] = {{2, 0.852632, 1.052632}, {4, 0.128534, 0.211685}};
  for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
    batching_queue q;
    assert_int_equal(batching_queue_wait(9, 0.2, rows[i].c, 1, 1, &q),
                     BATCHING_OK);
    expect_near(q.p_wait, rows[i].p_wait, 1e-6);
    expect_near(q.wait_mean + 0.2, rows[i].response, 1e-6);
    expect_near(q.offered, 1.8, 1e-12);
    /* The tail's mean matches the mean: p_wait / rate = wait_mean. */
    expect_near(q.p_wait / q.tail_rate, q.wait_mean, 1e-12);
  }
  /* M/D/c: half the M/M/c wait; D/D/c: none. */
  batching_queue mm, md, dd;
  batching_queue_wait(9, 0.2, 2, 1, 1, &mm);
  batching_queue_wait(9, 0.2, 2, 1, 0, &md);
  batching_queue_wait(9, 0.2, 2, 0, 0, &dd);
  expect_near(md.wait_mean, mm.wait_mean / 2, 1e-12);
  assert_true(dd.wait_mean == 0 && dd.tail_rate == 0);
  /* Overload and bad counts. */
  batching_queue q;
  assert_int_equal(batching_queue_wait(10, 0.2, 2, 1, 1, &q),
                   BATCHING_SATURATED);
  assert_true(q.wait_mean == 0);
  assert_int_equal(batching_queue_wait(9, 0.2, 2.5, 1, 1, &q),
                   BATCHING_BAD_INPUT);
  assert_int_equal(batching_queue_wait(9, 0.2, 0, 1, 1, &q),
                   BATCHING_BAD_INPUT);
  assert_int_equal(batching_queue_wait(9, -0.2, 2, 1, 1, &q),
                   BATCHING_BAD_INPUT);
  /* Many servers stay accurate: 10,000 servers at 99% load. */
  assert_int_equal(batching_queue_wait(9900, 1, 10000, 1, 1, &q), BATCHING_OK);
  assert_true(q.p_wait > 0 && q.p_wait < 1 && isfinite(q.wait_mean));
}

/* ----------------------------------------------------- distribution */

static void test_size_distribution(void **state) {
  (void)state;
  static const batching_params rows[] = {
      {5000, 0.010, 1000, 0, 0.004, 1}, /* mu 50, uncapped */
      {5000, 0.010, 32, 0, 0.004, 1},   /* mu 50, capped at 32 */
      {300, 0.010, 8, 0, 0.004, 1},     /* mu 3 */
      {300, 0.010, 1, 0, 0.004, 1},     /* max_batch 1 */
      {300, 0, 8, 0, 0.004, 1},         /* no window */
  };
  for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
    double sum = 0, m1 = 0, m2 = 0, mean, var;
    for (double n = 1; n <= rows[i].max_batch; n++) {
      double pr;
      assert_int_equal(batching_size_pmf(&rows[i], n, &pr), BATCHING_OK);
      assert_true(pr >= 0 && pr <= 1);
      sum += pr, m1 += n * pr, m2 += n * n * pr;
    }
    assert_int_equal(batching_size_moments(&rows[i], &mean, &var), BATCHING_OK);
    expect_near(sum, 1, 1e-12);
    expect_near(mean, m1, 1e-10);
    expect_near(var, m2 - m1 * m1, 1e-8);
  }
  /* Uncapped: N = 1 + Poisson(mu), mean 51 and variance 50. */
  double mean, var, pr;
  batching_size_moments(&rows[0], &mean, &var);
  expect_near(mean, 51, 1e-10);
  expect_near(var, 50, 1e-8);
  /* Outside 1..max_batch, and not whole: probability 0. */
  batching_size_pmf(&rows[1], 33, &pr);
  assert_true(pr == 0);
  batching_size_pmf(&rows[1], 2.5, &pr);
  assert_true(pr == 0);
  /* Capped at 32 with mu = 50: nearly every batch is full. */
  batching_size_pmf(&rows[1], 32, &pr);
  assert_true(pr > 0.99);
}

/* A simulation of the shared batcher: Poisson arrivals (xorshift64*),
 * a batch opened by its first request and closed at window or max_batch,
 * batches served first come first served by SERVERS accelerators. */
typedef struct sim {
  uint64_t s;
} sim;

static double sim_uniform(sim *g) {
  g->s ^= g->s >> 12;
  g->s ^= g->s << 25;
  g->s ^= g->s >> 27;
  uint64_t x = g->s * 2685821657736338717ULL;
  return ((double)(x >> 11) + 0.5) / 9007199254740992.0;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Latencies of N requests into LAT (sorted on return). */
static void simulate(const batching_params *p, int servers, size_t n,
                     double *lat) {
  sim g = {0x9E3779B97F4A7C15ULL};
  double *arr = malloc(n * sizeof *arr);
  double *free_at = calloc((size_t)servers, sizeof *free_at);
  assert_non_null(arr);
  assert_non_null(free_at);
  double t = 0;
  for (size_t i = 0; i < n; i++) {
    t += -log(sim_uniform(&g)) / p->rate;
    arr[i] = t;
  }
  size_t i = 0;
  while (i < n) {
    double open = arr[i], close = open + p->window;
    size_t j = i + 1;
    while (j < n && j - i < (size_t)p->max_batch && arr[j] <= close)
      j++;
    if (j - i == (size_t)p->max_batch)
      close = arr[j - 1]; /* full: closes with its last request */
    int k = 0;
    for (int s = 1; s < servers; s++)
      if (free_at[s] < free_at[k])
        k = s;
    double start = close > free_at[k] ? close : free_at[k];
    double done = start + p->base + p->per_item * (double)(j - i);
    free_at[k] = done;
    for (size_t r = i; r < j; r++)
      lat[r] = done - arr[r];
    i = j;
  }
  free(arr);
  free(free_at);
  qsort(lat, n, sizeof *lat, cmp_double);
}

static void test_latency_quantiles_vs_simulation(void **state) {
  (void)state;
  static const struct {
    batching_params p;
    int servers;
    double tol; /* relative, on each percentile */
  } rows[] = {
      /* Exact model (ample accelerators): sampling error only. */
      {{5000, 0.010, 1000, 0, 0.004, 1}, 40, 0.01},
      {{5000, 0.010, 32, 0.010, 0.001, 1}, 40, 0.01},
      {{300, 0.010, 8, 0.005, 0.001, 1}, 20, 0.01},
      {{100, 0.004, 4, 0.002, 0.0005, 1}, 20, 0.01},
      /* The seed at 21 accelerators: nearly regular batches. */
      {{5000, 0.010, 1000, 0, 0.004, 1}, 21, 0.02},
      /* A real queue (0.75 per accelerator, Allen-Cunneen): looser. */
      {{300, 0.010, 8, 0.005, 0.001, 1}, 2, 0.15},
      {{300, 0.010, 8, 0.005, 0.001, 1}, 1, 0.15},
      {{600, 0.004, 16, 0.002, 0.0005, 1}, 1, 0.15},
  };
  const double qs[] = {0.5, 0.9, 0.99};
  const size_t n = 400000;
  double *lat = malloc(n * sizeof *lat);
  assert_non_null(lat);
  for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
    simulate(&rows[i].p, rows[i].servers, n, lat);
    for (size_t k = 0; k < ARRAY_LEN(qs); k++) {
      double model;
      assert_int_equal(
          batching_latency_quantile(&rows[i].p, rows[i].servers, qs[k], &model),
          BATCHING_OK);
      double simq = lat[(size_t)(qs[k] * (double)n)];
      if (getenv("CAPPLAN_TEST_VERBOSE"))
        print_message("row %zu q %.2f: model %.6f s, simulation %.6f s\n", i,
                      qs[k], model, simq);
      if (fabs(model - simq) > rows[i].tol * simq) {
        print_error("row %zu q %.2f: model %.6g s, simulation %.6g s\n", i,
                    qs[k], model, simq);
        free(lat);
        fail();
      }
      /* The CDF at the quantile is the probability asked for. */
      double f;
      assert_int_equal(
          batching_latency_cdf(&rows[i].p, rows[i].servers, model, &f),
          BATCHING_OK);
      assert_true(f >= qs[k] - 1e-9);
    }
  }
  free(lat);
}

static void test_latency_edges(void **state) {
  (void)state;
  double x, f;
  /* max_batch 1 and no queue: every request takes exactly t(1). */
  batching_params one = {100, 0.010, 1, 0.003, 0.001, 1};
  assert_int_equal(batching_latency_quantile(&one, 50, 0.99, &x), BATCHING_OK);
  expect_near(x, 0.004, 1e-9);
  /* The CDF is a CDF: 0 before the fastest batch, 1 after the slowest. */
  batching_params p = {300, 0.010, 8, 0.005, 0.001, 1};
  batching_latency_cdf(&p, 20, 0.0059, &f);
  assert_true(f == 0);
  batching_latency_cdf(&p, 20, 10, &f);
  expect_near(f, 1, 1e-12);
  double prev = 0;
  for (double y = 0.005; y < 0.03; y += 0.0005) {
    batching_latency_cdf(&p, 2, y, &f);
    assert_true(f >= prev - 1e-12 && f <= 1);
    prev = f;
  }
  /* Saturated (1,000/s in batches of ~8 taking 13 ms: 1.6 accelerators
   * of work on one) and bad inputs. */
  batching_params busy = {1000, 0.010, 8, 0.005, 0.001, 1};
  assert_int_equal(batching_latency_quantile(&busy, 1, 0.5, &x),
                   BATCHING_SATURATED);
  assert_int_equal(batching_latency_quantile(&p, 2, 1, &x), BATCHING_BAD_INPUT);
  assert_int_equal(batching_latency_quantile(&p, 2.5, 0.5, &x),
                   BATCHING_BAD_INPUT);
}

static void test_bad_inputs(void **state) {
  (void)state;
  static const batching_params bad[] = {
      {0, 0.01, 8, 0, 0.001, 1},      {-1, 0.01, 8, 0, 0.001, 1},
      {NAN, 0.01, 8, 0, 0.001, 1},    {100, -0.01, 8, 0, 0.001, 1},
      {100, 0.01, 0.5, 0, 0.001, 1},  {100, 0.01, 8, -1, 0.001, 1},
      {100, 0.01, 8, 0, INFINITY, 1}, {100, 0.01, 8, 0, 0.001, 0},
      {100, 0.01, 8, 0, 0.001, 1.5},  {100, INFINITY, 8, 0, 0.001, 1},
  };
  for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
    batching_plan r;
    r.batch = 42;
    assert_int_equal(batching_shared(&bad[i], &r), BATCHING_BAD_INPUT);
    assert_true(r.batch == 0);
    assert_int_equal(batching_per_accelerator(&bad[i], &r), BATCHING_BAD_INPUT);
  }
  /* Absurd but finite magnitudes: a status, never Inf or NaN. */
  batching_params huge = {1e300, 1e300, 1e300, 1e300, 1e300, 1e-300};
  batching_plan r;
  batching_status s = batching_shared(&huge, &r);
  assert_true(s == BATCHING_OUT_OF_RANGE);
  s = batching_per_accelerator(&huge, &r);
  assert_true(s == BATCHING_OUT_OF_RANGE);
  /* Large but sane: a million requests per second into 1 ms batches of at
   * most 4,096, every figure finite. */
  batching_params big = {1e6, 0.001, 4096, 0.001, 1e-6, 0.9};
  assert_int_equal(batching_shared(&big, &r), BATCHING_OK);
  assert_true(isfinite(r.latency_mean) && r.accelerators >= 1);
  double x;
  assert_int_equal(batching_latency_quantile(&big, r.accelerators, 0.99, &x),
                   BATCHING_OK);
  assert_true(isfinite(x) && x > 0);
  assert_string_equal(batching_status_name(BATCHING_SATURATED), "saturated");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_seed_check),
      cmocka_unit_test(test_accelerators_for),
      cmocka_unit_test(test_shared_cases),
      cmocka_unit_test(test_per_accelerator),
      cmocka_unit_test(test_per_accelerator_stable),
      cmocka_unit_test(test_queue_wait),
      cmocka_unit_test(test_size_distribution),
      cmocka_unit_test(test_latency_quantiles_vs_simulation),
      cmocka_unit_test(test_latency_edges),
      cmocka_unit_test(test_bad_inputs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_availability.c - k-of-n, series and parallel availability against
 * FORMULAS.md section 2 and seed 000 "Availability", plus large-n
 * stability.  The n = 20,000 reference was computed exactly with rational
 * arithmetic (Python fractions: the sum of C(n,k) a^k (1-a)^(n-k) for
 * k < m, a = 999/1000) and printed to 40 digits.  The share of requests
 * served with several calls a request is checked against the binomial
 * sum done term by term in long double.
 */
#include "helpers.h"

#include "availability.h"

static void test_seed_figures(void **state) {
  (void)state;
  /* Downtime per year = (1 - A) x 525,600 minutes. */
  expect_near(avail_of(0.999).down * 525600 / 60, 8.76, 1e-9);  /* h */
  expect_near(avail_of(0.9999).down * 525600, 52.56, 1e-9);     /* min */
  expect_near(avail_of(0.99999).down * 525600, 5.256, 1e-9);    /* min */
  expect_near(avail_of(0.99).down * 525600 / 1440, 3.65, 1e-9); /* days */
  /* Three 99.9% in series = 99.7003%; two 99% in parallel = 99.99%. */
  avail s = avail_series(avail_series(avail_of(0.999), avail_of(0.999)),
                         avail_of(0.999));
  expect_near(s.up, 0.997002999, 1e-15);
  expect_near(s.down, 0.002997001, 1e-12);
  avail p = avail_parallel(avail_of(0.99), avail_of(0.99));
  expect_near(p.up, 0.9999, 1e-15);
  expect_near(p.down, 0.0001, 1e-12);
  expect_near(avail_nines(avail_of(0.999)), 3, 1e-12);
  expect_near(avail_nines(p), 4, 1e-9);
}

static void test_k_of_n_small(void **state) {
  (void)state;
  /* 2 of 3 at 90%: 3 x 0.81 x 0.1 + 0.729 = 0.972. */
  avail a = avail_k_of_n(2, 3, 0.9);
  expect_near(a.up, 0.972, 1e-14);
  expect_near(a.down, 0.028, 1e-13);
  /* 1 of 1 is the server itself; n of n is a^n. */
  expect_near(avail_k_of_n(1, 1, 0.999).up, 0.999, 1e-15);
  expect_near(avail_k_of_n(200, 200, 0.999).up, 0.8186488294786357055602,
              1e-13);
  /* 1 of 2 is the parallel pair. */
  expect_near(avail_k_of_n(1, 2, 0.99).up, 0.9999, 1e-14);
  expect_near(avail_k_of_n(1, 2, 0.99).down, 1e-4, 1e-12);
}

static void test_k_of_n_edges(void **state) {
  (void)state;
  avail a = avail_k_of_n(0, 0, 0.999); /* nothing needed: certain */
  assert_true(a.up == 1 && a.down == 0);
  a = avail_k_of_n(5, 4, 0.999); /* more needed than exist */
  assert_true(a.up == 0 && a.down == 1);
  a = avail_k_of_n(3, 3, 1.0);
  assert_true(a.up == 1 && a.down == 0);
}

/* n = 20,000 servers at 99.9%, m = 19,950 needed: the answer is within
 * 5e-9 of 1, and both A and 1 - A must keep their digits. */
static void test_k_of_n_large(void **state) {
  (void)state;
  avail a = avail_k_of_n(19950, 20000, 0.999);
  expect_near(a.down, 4.715463591254338486567937938420156658349e-9, 1e-10);
  expect_near(a.up, 1 - 4.715463591254338486567937938420156658349e-9, 1e-15);
  expect_near(a.up + a.down, 1, 1e-14);
  assert_true(isfinite(a.up) && isfinite(a.down));
}

/* Up and down add to one over a sweep of sizes, and availability falls as
 * more servers must be up. */
static void test_k_of_n_consistency(void **state) {
  (void)state;
  const double ns[] = {1, 7, 100, 1000, 20000, 1e6};
  for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
    double n = ns[i], prev = 2;
    for (double m = 1; m <= n; m += n > 100 ? n / 50 : 1) {
      avail a = avail_k_of_n(floor(m), n, 0.999);
      if (fabs(a.up + a.down - 1) > 1e-12 || a.up > prev + 1e-15) {
        print_error("n=%g m=%g: up %.17g down %.17g prev %.17g\n", n, floor(m),
                    a.up, a.down, prev);
        fail();
      }
      prev = a.up;
    }
  }
}

/* Pools beyond some 10^11 servers use the normal approximation: at the
 * mean, half; well below it, certain; the two figures still add to 1. */
static void test_k_of_n_huge(void **state) {
  (void)state;
  double n = 1e12, mean = n * 0.999;
  avail mid = avail_k_of_n(mean + 0.5, n, 0.999);
  expect_near(mid.up, 0.5, 1e-9);
  avail safe = avail_k_of_n(mean - 1e6, n, 0.999); /* 31 sigma below */
  assert_true(safe.up == 1 && safe.down > 0 && safe.down < 1e-200);
  avail hard = avail_k_of_n(mean + 1e6, n, 0.999);
  assert_true(hard.up < 1e-200 && hard.down == 1);
}

/* E[min(1, K / r)^c], K ~ Bin(n, a), by summing every term directly in
 * long double from the log of each binomial probability: the reference
 * for avail_pool's share of requests served with C calls a request. */
static long double brute_share(double n, double a, double r, double c) {
  long double sum = 0;
  for (double k = 0; k <= n; k++) {
    long double lp = lgammal((long double)n + 1) - lgammal((long double)k + 1) -
                     lgammal((long double)(n - k) + 1) +
                     (long double)k * logl((long double)a) +
                     (long double)(n - k) * log1pl(-(long double)a);
    long double x = k >= r ? 1 : powl((long double)k / r, (long double)c);
    sum += expl(lp) * x;
  }
  return sum;
}

/* The share of requests served when each request makes C calls and
 * needs each served (FORMULAS.md 2b, with the fan-out): against the
 * direct sum, on the three ways avail_tails takes (the walk from the
 * all-up term; Loader's method when many failures are expected; every
 * server needed beyond the pool), whole and fractional C, and C = 1
 * giving the share of the load as before. */
static void test_calls_share(void **state) {
  (void)state;
  const struct {
    double m, n, a, r, c;
  } cases[] = {
      {4, 4, 0.999, 3.6, 50},    /* specs/fanout-dag.yaml's feature lookups */
      {4, 4, 0.999, 3.6, 1},     /* the load's share */
      {1, 2, 0.999, 0.8, 10},    /* one needed: only k = 0 below it */
      {25, 30, 0.95, 24.2, 2.5}, /* a fractional count of calls */
      {9, 10, 0.9, 8.5, 0.5},    /* fewer calls than requests */
      {1380, 2000, 0.7, 1379.5, 3}, /* n q = 600: Loader's method */
      {1380, 2000, 0.7, 1379.5, 1},
      {700, 2000, 0.3, 699.2, 7}, /* Loader's, the peak below m */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    avail all, req;
    avail_pool(cases[i].m, cases[i].n, cases[i].a, cases[i].r, cases[i].c, &all,
               &req);
    double want =
        (double)brute_share(cases[i].n, cases[i].a, cases[i].r, cases[i].c);
    if (fabs(req.up - want) > 1e-12 ||
        fabs(req.down - (1 - want)) > 1e-12 * (1 - want) + 1e-15)
      fail_msg("case %zu: share %.17g, want %.17g", i, req.up, want);
    expect_near(req.up + req.down, 1, 1e-15);
  }
  /* The fan-out only loses requests: each call must be served. */
  avail all, one, fifty;
  avail_pool(4, 4, 0.999, 3.6, 1, &all, &one);
  avail_pool(4, 4, 0.999, 3.6, 50, &all, &fifty);
  assert_true(fifty.down > 5 * one.down && fifty.down >= all.down * 0.999);
  /* More needed than the pool holds: every k is below m, the sum is
   * E[(K / (m - 1))^c] (c = 2: (n a q + (n a)^2) / 6^2). */
  double kdown;
  avail_tails(7, 5, 0.9, 2, &all, &kdown);
  expect_near(kdown, (5 * 0.9 * 0.1 + 4.5 * 4.5) / 36, 1e-14);
  /* A billion calls a request (the most a spec may give): no power
   * overflows, and any server down loses every request. */
  avail_pool(4, 4, 0.999, 3.6, 1e9, &all, &fifty);
  expect_near(fifty.up, pow(0.999, 4), 1e-15);
  assert_true(fifty.down > 0 && fifty.down < 0.005);
  avail_pool(1380, 2000, 0.7, 1379.5, 1e9, &all, &fifty);
  assert_true(fifty.up >= 0 && fifty.up <= all.up * (1 + 1e-12) &&
              fifty.up + fifty.down > 1 - 1e-12);
  avail_tails(7, 5, 0.9, 1, &all, &kdown);
  expect_near(kdown, 4.5, 1e-15);
}

/* Data in shards, each on servers of its own (docs/decisions.md
 * "Replicated shards"): a shard on r servers is lost with probability
 * q^r; every shard must be up, a call needs its own.  With no load the
 * figures are the data's alone, in closed form. */
static void test_sharded(void **state) {
  (void)state;
  double q = 1 - 0.999; /* as the function takes it */
  avail all, req;
  /* 10 shards, 2 copies each (20 servers); the down shares to 1e-12 of
   * themselves (1 - (1 - q^2)^10 without cancellation: -expm1). */
  avail_sharded(10, 20, 0, 0.999, 0, 1, &all, &req);
  expect_near(all.up, pow(1 - q * q, 10), 1e-15);
  assert_true(fabs(all.down + expm1(10 * log1p(-q * q))) < 1e-12 * all.down);
  assert_true(fabs(req.down - q * q) < 1e-12 * q * q);
  /* 17 servers: 7 shards on two, 3 on one. */
  avail_sharded(10, 17, 0, 0.999, 0, 1, &all, &req);
  expect_near(all.up, pow(1 - q, 3) * pow(1 - q * q, 7), 1e-15);
  double d = (3 * q + 7 * q * q) / 10;
  assert_true(fabs(req.down - d) < 1e-12 * d);
  /* Four calls a request, each to a shard of its own. */
  avail_sharded(10, 17, 0, 0.999, 0, 4, &all, &req);
  expect_near(req.up, pow(1 - (3 * q + 7 * q * q) / 10, 4), 1e-15);
  /* One copy per shard: the shards are the servers, all up is n of n. */
  avail_sharded(10, 10, 0, 0.999, 0, 1, &all, &req);
  expect_near(all.up, avail_k_of_n(10, 10, 0.999).up, 1e-15);
  assert_true(fabs(req.down - q) < 1e-12 * q);
  /* With load: the k-of-n figure and the load's share times the data's
   * (8 of 20 carrying 7.5 servers' worth). */
  avail load, served;
  avail_pool(8, 20, 0.999, 7.5, 1, &load, &served);
  avail_sharded(10, 20, 8, 0.999, 7.5, 1, &all, &req);
  expect_near(all.up, load.up * pow(1 - q * q, 10), 1e-15);
  expect_near(req.up, served.up * (1 - q * q), 1e-15);
  /* Fewer servers than shards: some shard has none. */
  avail_sharded(10, 9, 0, 0.999, 0, 1, &all, &req);
  assert_true(all.up == 0 && all.down == 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_seed_figures),
      cmocka_unit_test(test_k_of_n_small),
      cmocka_unit_test(test_k_of_n_edges),
      cmocka_unit_test(test_k_of_n_large),
      cmocka_unit_test(test_k_of_n_consistency),
      cmocka_unit_test(test_k_of_n_huge),
      cmocka_unit_test(test_calls_share),
      cmocka_unit_test(test_sharded),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_latdist.c - latency distributions on a grid (FORMULAS.md section
 * 3b) against exact distributions: an M/M/1 tandem's response is a sum of
 * independent exponentials of rates mu_i - lambda (Burke's theorem and
 * Reich's independence of sojourn times), so hypoexponential, or Erlang
 * when the rates are equal; the max of independent exponentials and a
 * mixture have closed-form CDFs; deterministic service plus an M/M/1
 * wait has the closed-form quantile d + ln(rho / (1 - p)) / (mu - lambda).
 * Grids are chosen by the rule of latdist.h (dt from the union bound on
 * the p99.99).  Quantile tolerances: 0.5% at n = 1024, the figure;
 * 0.05% at n = 4096.
 */
#include "helpers.h"

#include "latdist.h"
#include "queueing.h"
#include "util.h"

/* |got - want| <= tol |want| */
static void expect_rel(double got, double want, double tol) {
  if (fabs(got - want) <= tol * fabs(want))
    return;
  print_error("expected %.17g, got %.17g (relative error %.3g)\n", want, got,
              fabs(got - want) / fabs(want));
  fail();
}

/* The t with SF(t) = 1 - p for a decreasing survival function, by
 * bisection to double precision. */
typedef double (*sf_fn)(double t, const void *arg);

static double exact_quantile(sf_fn sf, const void *arg, double p) {
  double lo = 0, hi = 1e-3;
  while (sf(hi, arg) > 1 - p)
    hi *= 2;
  for (int i = 0; i < 200 && hi - lo > 1e-16 * hi; i++) {
    double mid = (lo + hi) / 2;
    if (sf(mid, arg) > 1 - p)
      lo = mid;
    else
      hi = mid;
  }
  return (lo + hi) / 2;
}

typedef struct rates {
  int k;
  double r[10];
} rates;

/* Hypoexponential survival, sum_i prod_{j != i} r_j / (r_j - r_i)
 * e^{-r_i t}, in long double (the rates below are far apart). */
static double hypo_sf(double t, const void *arg) {
  const rates *x = arg;
  long double s = 0;
  for (int i = 0; i < x->k; i++) {
    long double c = 1;
    for (int j = 0; j < x->k; j++)
      if (j != i)
        c *= (long double)x->r[j] / ((long double)x->r[j] - x->r[i]);
    s += c * expl(-(long double)x->r[i] * t);
  }
  return (double)s;
}

/* Erlang survival: e^{-r t} sum_{i<k} (r t)^i / i! */
static double erlang_sf(double t, const void *arg) {
  const rates *x = arg;
  long double s = 0, term = 1, rt = (long double)x->r[0] * t;
  for (int i = 0; i < x->k; i++) {
    s += term;
    term *= rt / (i + 1);
  }
  return (double)(s * expl(-rt));
}

/* An M/M/1 tandem of K stages, arrival rate LAMBDA, service rates MU:
 * each stage's wait (atom 1 - rho at 0, rate mu - lambda) and service
 * (rate mu), added by the O(n) recursion or built apart and convolved by
 * FFT. */
static latdist *tandem(latdist_ctx *c, int k, double lambda, const double *mu,
                       int fft) {
  latdist *acc = latdist_take(c);
  latdist *w = latdist_take(c), *s = latdist_take(c);
  for (int i = 0; i < k; i++) {
    double rho = lambda / mu[i];
    if (fft) {
      assert_int_equal(latdist_set_exp(w, rho, mu[i] - lambda), 0);
      assert_int_equal(
          latdist_set_service(s, LATDIST_EXPONENTIAL, 1 / mu[i], 1), 0);
      assert_int_equal(latdist_sum(w, w, s), 0);
      assert_int_equal(latdist_sum(acc, acc, w), 0);
    } else {
      assert_int_equal(latdist_add_exp(acc, acc, rho, mu[i] - lambda), 0);
      assert_int_equal(latdist_add_exp(acc, acc, 1, mu[i]), 0);
    }
  }
  return acc;
}

/* The grid rule of latdist.h for that tandem: 2K parts, each at
 * 1 - 1e-4 / 2K. */
static double tandem_dt(int k, double lambda, const double *mu, size_t n) {
  double u = 0, p = 1 - 1e-4 / (2 * k);
  for (int i = 0; i < k; i++)
    u += latdist_exp_quantile(lambda / mu[i], mu[i] - lambda, p) +
         latdist_service_quantile(LATDIST_EXPONENTIAL, 1 / mu[i], 1, p);
  return u / (double)(n - 1);
}

static void test_tandem(void **state) {
  (void)state;
  static const int stages[] = {2, 5, 10};
  static const size_t ns[] = {1024, 4096};
  static const double tol[] = {5e-3, 5e-4};
  static const double ps[] = {0.5, 0.99, 0.999};
  double lambda = 50;
  for (size_t ni = 0; ni < ARRAY_LEN(ns); ni++)
    for (size_t si = 0; si < ARRAY_LEN(stages); si++)
      for (int equal = 0; equal < 2; equal++)
        for (int fft = 0; fft < 2; fft++) {
          int k = stages[si];
          double mu[10];
          rates x = {k, {0}};
          for (int i = 0; i < k; i++) {
            mu[i] = equal ? 100 : 60 + 40.0 * i;
            x.r[i] = mu[i] - lambda;
          }
          latdist_ctx *c =
              latdist_ctx_new(ns[ni], tandem_dt(k, lambda, mu, ns[ni]), 4);
          latdist *t = tandem(c, k, lambda, mu, fft);
          for (size_t j = 0; j < ARRAY_LEN(ps); j++) {
            double got,
                want = exact_quantile(equal ? erlang_sf : hypo_sf, &x, ps[j]);
            assert_int_equal(latdist_quantile(t, ps[j], &got), LATDIST_OK);
            expect_rel(got, want, tol[ni]);
          }
          /* the mean is exact: sum of 1 / (mu_i - lambda) */
          double mean, want = 0;
          for (int i = 0; i < k; i++)
            want += 1 / x.r[i];
          assert_int_equal(latdist_mean(t, &mean), LATDIST_OK);
          expect_rel(mean, want, 1e-12);
          assert_true(latdist_beyond(t) < 1e-4);
          latdist_ctx_free(c);
        }
}

typedef struct two {
  double a, b, w;
} two;

static double max_sf(double t, const void *arg) {
  const two *x = arg;
  return 1 - (-expm1(-x->a * t)) * (-expm1(-x->b * t));
}

static double mix_sf(double t, const void *arg) {
  const two *x = arg;
  return x->w * exp(-x->a * t) + (1 - x->w) * exp(-x->b * t);
}

static const double probs[] = {0.5, 0.95, 0.99, 0.999};

/* A fork-join of two exponential branches: P(max <= t) = F_a F_b. */
static void test_fork_join(void **state) {
  (void)state;
  two x = {10, 25, 0};
  size_t n = 1024;
  double p = 1 - 1e-4 / 2;
  double u =
      fmax(latdist_exp_quantile(1, x.a, p), latdist_exp_quantile(1, x.b, p));
  latdist_ctx *c = latdist_ctx_new(n, u / (double)(n - 1), 0);
  latdist *a = latdist_take(c), *b = latdist_take(c), *m = latdist_take(c);
  latdist_set_exp(a, 1, x.a);
  latdist_set_exp(b, 1, x.b);
  assert_int_equal(latdist_max(m, a, b), LATDIST_OK);
  for (size_t j = 0; j < ARRAY_LEN(probs); j++) {
    double got;
    assert_int_equal(latdist_quantile(m, probs[j], &got), LATDIST_OK);
    expect_rel(got, exact_quantile(max_sf, &x, probs[j]), 5e-3);
  }
  /* E[max] = 1/a + 1/b - 1/(a + b), from the grid */
  double mean;
  latdist_mean(m, &mean);
  expect_rel(mean, 1 / x.a + 1 / x.b - 1 / (x.a + x.b), 1e-3);
  /* max with itself in place equals max_k with k = 2 */
  latdist *k2 = latdist_take(c);
  latdist_max_k(k2, a, 2);
  latdist_max(a, a, a);
  for (size_t i = 0; i < n; i++)
    expect_near(latdist_masses(a)[i], latdist_masses(k2)[i], 1e-15);
  latdist_ctx_free(c);
}

/* The max of k independent exponentials (`calls: k`): its p-quantile is
 * -ln(1 - p^(1/k)) / rate. */
static void test_max_k(void **state) {
  (void)state;
  static const double ks[] = {1, 3, 10, 100};
  double rate = 20;
  size_t n = 1024;
  for (size_t i = 0; i < ARRAY_LEN(ks); i++) {
    double u = latdist_exp_quantile(1, rate, 1 - 1e-4 / ks[i]);
    latdist_ctx *c = latdist_ctx_new(n, u / (double)(n - 1), 0);
    latdist *a = latdist_take(c), *m = latdist_take(c);
    latdist_set_exp(a, 1, rate);
    assert_int_equal(latdist_max_k(m, a, ks[i]), LATDIST_OK);
    for (size_t j = 0; j < ARRAY_LEN(probs); j++) {
      double got;
      assert_int_equal(latdist_quantile(m, probs[j], &got), LATDIST_OK);
      expect_rel(got, -log1p(-pow(probs[j], 1 / ks[i])) / rate, 5e-3);
    }
    latdist_ctx_free(c);
  }
  /* k = 0 is no call at all; k = 1 changes nothing */
  latdist_ctx *c = latdist_ctx_new(64, 0.01, 0);
  latdist *a = latdist_take(c), *m = latdist_take(c);
  latdist_set_exp(a, 1, 20);
  latdist_max_k(m, a, 0);
  assert_true(latdist_masses(m)[0] == 1 && latdist_beyond(m) == 0);
  latdist_max_k(m, a, 1);
  for (size_t i = 0; i < 64; i++)
    expect_near(latdist_masses(m)[i], latdist_masses(a)[i], 1e-15);
  latdist_ctx_free(c);
}

/* A cache: a hit (rate 1000/s) with probability 0.8, else a miss (20/s). */
static void test_mixture(void **state) {
  (void)state;
  two x = {1000, 20, 0.8};
  size_t n = 1024;
  double u = latdist_exp_quantile(1, x.b, 1 - 1e-4);
  latdist_ctx *c = latdist_ctx_new(n, u / (double)(n - 1), 0);
  latdist *a = latdist_take(c), *b = latdist_take(c), *m = latdist_take(c);
  latdist_set_exp(a, 1, x.a);
  latdist_set_exp(b, 1, x.b);
  assert_int_equal(latdist_mix(m, x.w, a, b), LATDIST_OK);
  /* p50 lies inside the hits' narrow peak, a few grid cells wide: the
   * grid's resolution there is dt, not 0.5% */
  static const double ps[] = {0.9, 0.95, 0.99, 0.999};
  for (size_t j = 0; j < ARRAY_LEN(ps); j++) {
    double got;
    assert_int_equal(latdist_quantile(m, ps[j], &got), LATDIST_OK);
    expect_rel(got, exact_quantile(mix_sf, &x, ps[j]), 5e-3);
  }
  double got;
  latdist_quantile(m, 0.5, &got);
  expect_near(got, exact_quantile(mix_sf, &x, 0.5), latdist_ctx_dt(c));
  double mean;
  assert_int_equal(latdist_mean(m, &mean), LATDIST_OK);
  expect_rel(mean, 0.8 / 1000 + 0.2 / 20, 1e-14);
  latdist_ctx_free(c);
}

/* The wait for a batch of B that Poisson arrivals at RATE fill: 0 with
 * weight 1/B, else Erlang(j, RATE) for j = 1 .. B - 1, each 1/B; the
 * survival of Erlang(j) at x = RATE t summed as a Poisson series, apart
 * from the incomplete gamma functions latdist_add_fill uses. */
typedef struct fill_arg {
  int b;
  double rate;
} fill_arg;

static double fill_sf(double t, const void *arg) {
  const fill_arg *f = arg;
  double x = f->rate * t, term = exp(-x), cum = 0, sf = 0;
  for (int j = 1; j < f->b; j++) {
    cum += term; /* P(Poisson(x) <= j - 1) = Erlang(j)'s survival */
    sf += cum;
    term *= x / j;
  }
  return sf / f->b;
}

static void test_fill(void **state) {
  (void)state;
  static const int bs[] = {2, 4, 8, 64};
  static const double ps[] = {0.9, 0.95, 0.99, 0.999};
  for (size_t k = 0; k < ARRAY_LEN(bs); k++) {
    fill_arg f = {bs[k], 100};
    size_t n = 1024;
    double shift = 0.005;
    double u = shift + exact_quantile(fill_sf, &f, 1 - 1e-7);
    latdist_ctx *c = latdist_ctx_new(n, u / (double)(n - 1), 0);
    latdist *a = latdist_take(c);
    latdist_set_point(a, shift);
    assert_int_equal(latdist_add_fill(a, a, f.b, f.rate), LATDIST_OK);
    for (size_t j = 0; j < ARRAY_LEN(ps); j++) {
      double got;
      assert_int_equal(latdist_quantile(a, ps[j], &got), LATDIST_OK);
      expect_rel(got, shift + exact_quantile(fill_sf, &f, ps[j]), 5e-3);
    }
    /* the median, to the grid's resolution (for B = 2 it is the edge of
     * the atom at 0, where any value between the neighbours is right) */
    if (f.b > 2) {
      double got;
      latdist_quantile(a, 0.5, &got);
      expect_near(got, shift + exact_quantile(fill_sf, &f, 0.5),
                  latdist_ctx_dt(c));
    }
    double mean;
    assert_int_equal(latdist_mean(a, &mean), LATDIST_OK);
    expect_rel(mean, shift + (f.b - 1) / (2 * f.rate), 1e-12);
    assert_true(latdist_beyond(a) < 1e-6);
    /* the whole mass is there once, and the lower quantiles (read from
     * the bottom) hold too */
    double cdf;
    assert_int_equal(latdist_cdf(a, u, &cdf), LATDIST_OK);
    expect_near(cdf, 1, 1e-6);
    static const double lows[] = {0.3, 0.4};
    for (size_t j = 0; j < ARRAY_LEN(lows); j++) {
      if (1 - fill_sf(1e-12, &f) >= lows[j])
        continue; /* inside the atom at 0 */
      double lo;
      assert_int_equal(latdist_quantile(a, lows[j], &lo), LATDIST_OK);
      expect_near(lo, shift + exact_quantile(fill_sf, &f, lows[j]),
                  latdist_ctx_dt(c));
    }
    /* the uniform of the same mean has no such tail: p99.9 well below */
    latdist *uni = latdist_take(c);
    latdist_set_uniform(uni, 0, (f.b - 1) / f.rate);
    double u999, f999;
    latdist_quantile(uni, 0.999, &u999);
    latdist_quantile(a, 0.999, &f999);
    assert_true(f999 - shift > 1.2 * u999);
    assert_int_equal(latdist_add_fill(a, a, 2.5, 100), LATDIST_EINVAL);
    assert_int_equal(latdist_add_fill(a, a, 1, 100), LATDIST_EINVAL);
    assert_int_equal(latdist_add_fill(a, a, 4, 0), LATDIST_EINVAL);
    latdist_ctx_free(c);
  }
}

/* Deterministic service d plus an M/M/1 wait: T = d + W, whose
 * p-quantile is d + ln(rho / (1 - p)) / (mu - lambda) above 1 - rho. */
static void test_deterministic_plus_wait(void **state) {
  (void)state;
  double d = 0.0123, lambda = 80, mu = 100, rho = lambda / mu;
  static const size_t ns[] = {1024, 4096};
  static const double tol[] = {5e-3, 5e-4};
  for (size_t ni = 0; ni < ARRAY_LEN(ns); ni++) {
    size_t n = ns[ni];
    double u = d + latdist_exp_quantile(rho, mu - lambda, 1 - 1e-4);
    latdist_ctx *c = latdist_ctx_new(n, u / (double)(n - 1), 0);
    latdist *t = latdist_take(c), *t2 = latdist_take(c);
    assert_int_equal(latdist_set_service(t, LATDIST_DETERMINISTIC, d, 0), 0);
    assert_int_equal(latdist_add_exp(t, t, rho, mu - lambda), 0);
    /* the same by a shift of the wait */
    latdist_set_exp(t2, rho, mu - lambda);
    assert_int_equal(latdist_shift(t2, t2, d), 0);
    for (size_t j = 0; j < ARRAY_LEN(probs); j++) {
      double want = d + log(rho / (1 - probs[j])) / (mu - lambda), got;
      assert_int_equal(latdist_quantile(t, probs[j], &got), LATDIST_OK);
      expect_rel(got, want, tol[ni]);
      assert_int_equal(latdist_quantile(t2, probs[j], &got), LATDIST_OK);
      expect_rel(got, want, tol[ni]);
    }
    /* below 1 - rho the answer is d itself, to within the grid's reach
     * of an atom */
    double got;
    latdist_quantile(t, 0.1, &got);
    expect_near(got, d, latdist_ctx_dt(c));
    double mean;
    latdist_mean(t, &mean);
    expect_rel(mean, d + rho / (mu - lambda), 1e-14);
    latdist_ctx_free(c);
  }
}

/* Gamma, lognormal and deterministic services on the grid: mass 1, the
 * mean exact (the discretization keeps it), quantiles near the exact. */
static void test_services(void **state) {
  (void)state;
  static const struct {
    latdist_shape shape;
    double cv;
  } cases[] = {{LATDIST_GAMMA, 0.5},     {LATDIST_GAMMA, 2},
               {LATDIST_GAMMA, 0.1},     {LATDIST_LOGNORMAL, 0.5},
               {LATDIST_LOGNORMAL, 2},   {LATDIST_DETERMINISTIC, 0},
               {LATDIST_EXPONENTIAL, 1}, {LATDIST_GAMMA, 1}};
  double mean = 0.02;
  size_t n = 4096;
  for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
    /* a wide grid for the mass and the mean (to the 1 - 1e-13 quantile,
     * past which the heaviest tail here holds 1e-9 of the mean), then the
     * grid rule's for the quantiles */
    for (int wide = 1; wide >= 0; wide--) {
      double u = latdist_service_quantile(cases[i].shape, mean, cases[i].cv,
                                          wide ? 1 - 1e-13 : 1 - 1e-4);
      latdist_ctx *c = latdist_ctx_new(n, 1.5 * u / (double)(n - 1), 0);
      latdist *s = latdist_take(c);
      assert_int_equal(
          latdist_set_service(s, cases[i].shape, mean, cases[i].cv), 0);
      const double *m = latdist_masses(s);
      double total = latdist_beyond(s), first = 0;
      for (size_t j = 0; j < n; j++) {
        assert_true(m[j] >= 0);
        total += m[j];
        first += (double)j * m[j];
      }
      expect_near(total, 1, 1e-12);
      if (wide) {
        /* the discretization keeps the mean */
        expect_rel(first * latdist_ctx_dt(c), mean, 1e-8);
      } else if (cases[i].shape != LATDIST_DETERMINISTIC) {
        for (size_t j = 0; j < ARRAY_LEN(probs); j++) {
          double got, want = latdist_service_quantile(cases[i].shape, mean,
                                                      cases[i].cv, probs[j]);
          assert_int_equal(latdist_quantile(s, probs[j], &got), LATDIST_OK);
          /* within 0.2% or one grid step (cv 2 puts the median in the
           * first few cells) */
          assert_true(fabs(got - want) <= fmax(2e-3 * want, latdist_ctx_dt(c)));
        }
      }
      latdist_ctx_free(c);
    }
  }
  /* the service quantiles themselves */
  expect_rel(latdist_service_quantile(LATDIST_LOGNORMAL, 1, 1, 0.5),
             exp(-log(2.0) / 2), 1e-14);
  expect_rel(latdist_service_quantile(LATDIST_GAMMA, 0.01, 0.5, 0.99),
             10.045117514831615375 / 400, 1e-13);
  expect_rel(latdist_service_quantile(LATDIST_EXPONENTIAL, 2, 1, 0.99),
             -2 * log(0.01), 1e-15);
}

/* A stage of an M/G/c queue on the grid (Allen-Cunneen wait + service,
 * convolved) against the closed form of queueing.h, built by hand and by
 * latdist_add_queue. */
static void test_stage_matches_queueing(void **state) {
  (void)state;
  static const double cases[][5] = {
      /* lambda, mu, c, ca, cs */
      {320, 100, 4, 1, 0.5}, {90, 100, 1, 1, 2},  {1440, 100, 16, 0.5, 0.3},
      {320, 100, 4, 1, 1},   {320, 100, 4, 1, 0}, {700, 100, 8, 2, 0},
  };
  for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
    const double *k = cases[i];
    mmc q;
    assert_int_equal(mmc_init(&q, k[0], k[1], k[2], k[3], k[4]), 0);
    size_t n = 4096;
    double p = 1 - 1e-4 / 2;
    latdist_shape shape = k[4] == 0   ? LATDIST_DETERMINISTIC
                          : k[4] == 1 ? LATDIST_EXPONENTIAL
                                      : LATDIST_GAMMA;
    double u = latdist_exp_quantile(q.p_wait, q.wait_rate, p) +
               latdist_service_quantile(shape, 1 / k[1], k[4], p);
    latdist_ctx *c = latdist_ctx_new(n, u / (double)(n - 1), 0);
    latdist *t = latdist_take(c), *t2 = latdist_take(c);
    latdist_set_service(t, shape, 1 / k[1], k[4]);
    latdist_add_exp(t, t, q.p_wait, q.wait_rate);
    assert_int_equal(latdist_add_queue(t2, t2, &q), LATDIST_OK);
    for (size_t j = 0; j < ARRAY_LEN(probs); j++) {
      double want = mmc_response_quantile(&q, probs[j]);
      /* 0.2%, or one grid step where an atom (deterministic service)
       * sits at the quantile */
      double tol = fmax(2e-3 * want, k[4] == 0 ? latdist_ctx_dt(c) : 0);
      const latdist *ds[] = {t, t2};
      for (int d = 0; d < 2; d++) {
        double got;
        assert_int_equal(latdist_quantile(ds[d], probs[j], &got), LATDIST_OK);
        if (fabs(got - want) > tol)
          print_error("case %zu p %g: %.9g vs %.9g\n", i, probs[j], got, want);
        assert_true(fabs(got - want) <= tol);
      }
    }
    double mean;
    latdist_mean(t2, &mean);
    expect_rel(mean, q.resp_mean, 1e-13);
    latdist_ctx_free(c);
  }
  /* a queue that is not ok is refused */
  mmc bad;
  mmc_init(&bad, 500, 100, 4, 1, 1);
  latdist_ctx *c = latdist_ctx_new(64, 0.01, 0);
  latdist *t = latdist_take(c);
  assert_int_equal(latdist_add_queue(t, t, &bad), LATDIST_EINVAL);
  latdist_ctx_free(c);
}

/* The O(n) recursion and the shift are the FFT convolution's equals. */
static void test_consistency(void **state) {
  (void)state;
  size_t n = 256;
  latdist_ctx *c = latdist_ctx_new(n, 0.001, 0);
  latdist *a = latdist_take(c), *w = latdist_take(c);
  latdist *x = latdist_take(c), *y = latdist_take(c);
  latdist_set_service(a, LATDIST_LOGNORMAL, 0.05, 0.8);
  latdist_set_exp(w, 0.7, 30);
  latdist_sum(x, a, w);
  latdist_add_exp(y, a, 0.7, 30);
  for (size_t i = 0; i < n; i++)
    expect_near(latdist_masses(x)[i], latdist_masses(y)[i], 1e-15);
  expect_near(latdist_beyond(x), latdist_beyond(y), 1e-14);
  assert_true(latdist_beyond(x) > 1e-4); /* the test reaches the edge */
  latdist *pt = latdist_take(c);
  latdist_set_point(pt, 0.0317);
  latdist_sum(x, a, pt);
  latdist_shift(y, a, 0.0317);
  for (size_t i = 0; i < n; i++)
    expect_near(latdist_masses(x)[i], latdist_masses(y)[i], 1e-15);
  expect_near(latdist_beyond(x), latdist_beyond(y), 1e-14);
  /* a shift past the grid moves everything beyond it */
  latdist_shift(y, a, 1);
  assert_true(latdist_masses(y)[0] == 0);
  expect_near(latdist_beyond(y), 1, 1e-14);
  latdist_ctx_free(c);
}

/* Quantiles past the grid say so; the lower bound is the grid's end. */
static void test_beyond(void **state) {
  (void)state;
  size_t n = 16;
  double dt = 0.1;
  latdist_ctx *c = latdist_ctx_new(n, dt, 0);
  latdist *a = latdist_take(c), *m = latdist_take(c);
  latdist_set_exp(a, 1, 1); /* mean 1 on a grid ending at 1.55 */
  expect_near(latdist_beyond(a), exp(-1.5) * (1 - exp(-0.1)) / 0.1, 1e-15);
  double t;
  assert_int_equal(latdist_quantile(a, 0.5, &t), LATDIST_OK);
  expect_near(t, log(2), 0.01);
  assert_int_equal(latdist_quantile(a, 0.99, &t), LATDIST_BEYOND);
  expect_near(t, ((double)n - 0.5) * dt, 1e-15);
  latdist_summary s;
  assert_int_equal(latdist_summarize(a, &s), LATDIST_BEYOND);
  assert_true(s.beyond == (1u << 2 | 1u << 3 | 1u << 4)); /* p95 on */
  expect_near(s.mean, 1, 1e-15);                          /* exact */
  /* a max has its mean from the grid: with mass beyond it is a bound */
  latdist_max_k(m, a, 2);
  double mean;
  assert_int_equal(latdist_mean(m, &mean), LATDIST_BEYOND);
  assert_true(mean < 1.5);
  double f;
  assert_int_equal(latdist_cdf(a, 10, &f), LATDIST_BEYOND);
  expect_near(f, 1 - latdist_beyond(a), 1e-15);
  assert_int_equal(latdist_cdf(a, 0.5, &f), LATDIST_OK);
  expect_near(f, 1 - exp(-0.5), 0.01);
  latdist_ctx_free(c);
}

static void test_pool(void **state) {
  (void)state;
  latdist_ctx *c = latdist_ctx_new(32, 0.01, 2);
  assert_int_equal(latdist_ctx_n(c), 32);
  latdist *a = latdist_take(c);
  size_t mark = latdist_ctx_mark(c);
  latdist *b = latdist_take(c);
  latdist *extra[20];
  for (int i = 0; i < 20; i++)
    extra[i] = latdist_take(c); /* the pool grows */
  assert_true(extra[19] != NULL && extra[19] != a);
  latdist_ctx_release(c, mark);
  assert_true(latdist_take(c) == b); /* reused, and reset */
  assert_true(latdist_masses(b)[0] == 1 && latdist_beyond(b) == 0);
  assert_int_equal(latdist_ctx_set_dt(c, 0.02), 0);
  expect_near(latdist_ctx_dt(c), 0.02, 0);
  assert_true(latdist_take(c) == a); /* a new grid starts the pool over */
  latdist_ctx_free(c);
  latdist_ctx_free(NULL);
}

static void test_invalid(void **state) {
  (void)state;
  assert_null(latdist_ctx_new(1000, 0.01, 0)); /* not a power of two */
  assert_null(latdist_ctx_new(8, 0.01, 0));
  assert_null(latdist_ctx_new(64, 0, 0));
  assert_null(latdist_ctx_new(64, NAN, 0));
  assert_null(latdist_ctx_new(64, INFINITY, 0));
  latdist_ctx *c = latdist_ctx_new(64, 0.01, 0);
  latdist_ctx *o = latdist_ctx_new(64, 0.01, 0);
  latdist *a = latdist_take(c), *b = latdist_take(o);
  assert_int_equal(latdist_sum(a, a, b), LATDIST_EINVAL);
  assert_int_equal(latdist_max(a, b, a), LATDIST_EINVAL);
  assert_int_equal(latdist_mix(a, 0.5, a, b), LATDIST_EINVAL);
  assert_int_equal(latdist_set_point(a, -1), LATDIST_EINVAL);
  assert_int_equal(latdist_set_point(a, NAN), LATDIST_EINVAL);
  assert_int_equal(latdist_set_exp(a, 1.5, 1), LATDIST_EINVAL);
  assert_int_equal(latdist_set_exp(a, 0.5, 0), LATDIST_EINVAL);
  assert_int_equal(latdist_add_exp(a, a, 0.5, NAN), LATDIST_EINVAL);
  assert_int_equal(latdist_set_service(a, LATDIST_GAMMA, 0, 1), LATDIST_EINVAL);
  assert_int_equal(latdist_set_service(a, LATDIST_GAMMA, 1, -1),
                   LATDIST_EINVAL);
  assert_int_equal(latdist_set_service(a, (latdist_shape)9, 1, 1),
                   LATDIST_EINVAL);
  assert_int_equal(latdist_shift(a, a, -0.1), LATDIST_EINVAL);
  assert_int_equal(latdist_max_k(a, a, -1), LATDIST_EINVAL);
  assert_int_equal(latdist_mix(a, 2, a, a), LATDIST_EINVAL);
  assert_int_equal(latdist_ctx_set_dt(c, -1), LATDIST_EINVAL);
  double t;
  assert_int_equal(latdist_quantile(a, 1, &t), LATDIST_EINVAL);
  assert_int_equal(latdist_quantile(a, NAN, &t), LATDIST_EINVAL);
  assert_int_equal(latdist_cdf(a, NAN, &t), LATDIST_EINVAL);
  assert_true(latdist_service_quantile(LATDIST_GAMMA, 1, 1, 1) == -1);
  assert_true(latdist_exp_quantile(0.5, -1, 0.9) == -1);
  assert_true(latdist_exp_quantile(0.05, 1, 0.9) == 0); /* atom at 0 */
  latdist_ctx_free(c);
  latdist_ctx_free(o);
}

/* Extreme rates and grids: every mass finite and >= 0, total 1. */
static void test_finite(void **state) {
  (void)state;
  static const double dts[] = {1e-12, 1e-3, 1e6};
  static const double rates_[] = {1e-300, 1e-6, 1, 1e6, 1e300};
  for (size_t i = 0; i < ARRAY_LEN(dts); i++) {
    latdist_ctx *c = latdist_ctx_new(64, dts[i], 0);
    latdist *a = latdist_take(c), *b = latdist_take(c);
    for (size_t j = 0; j < ARRAY_LEN(rates_); j++) {
      assert_int_equal(latdist_set_exp(a, 0.5, rates_[j]), 0);
      assert_int_equal(latdist_add_exp(b, a, 1, rates_[j]), 0);
      latdist_sum(b, b, a);
      latdist_max_k(b, b, 7.5);
      latdist_set_service(a, LATDIST_LOGNORMAL, 1 / rates_[j], 3);
      latdist_mix(b, 0.3, a, b);
      latdist_set_service(a, LATDIST_GAMMA, 1 / rates_[j], 0.3);
      latdist_max(b, a, b);
      const latdist *ds[] = {a, b};
      for (size_t d = 0; d < 2; d++) {
        double total = latdist_beyond(ds[d]);
        for (size_t k = 0; k < 64; k++) {
          double m = latdist_masses(ds[d])[k];
          assert_true(isfinite(m) && m >= 0);
          total += m;
        }
        expect_near(total, 1, 1e-9);
        latdist_summary s;
        latdist_summarize(ds[d], &s);
        assert_true(isfinite(s.mean) && isfinite(s.p50) && isfinite(s.p999));
      }
    }
    latdist_ctx_free(c);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_tandem),
      cmocka_unit_test(test_fork_join),
      cmocka_unit_test(test_max_k),
      cmocka_unit_test(test_mixture),
      cmocka_unit_test(test_fill),
      cmocka_unit_test(test_deterministic_plus_wait),
      cmocka_unit_test(test_services),
      cmocka_unit_test(test_stage_matches_queueing),
      cmocka_unit_test(test_consistency),
      cmocka_unit_test(test_beyond),
      cmocka_unit_test(test_pool),
      cmocka_unit_test(test_invalid),
      cmocka_unit_test(test_finite),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_specfun.c - the special functions under the queueing code against
 * mpmath at 50 digits (tests/unit/ref_queueing.py prints every table
 * here), plus their edges: arguments where a naive formula loses its
 * digits, and inputs outside the domain.
 */
/* signgam, to see specfun_lgamma leave it alone. */
#define _DEFAULT_SOURCE
#include "helpers.h"

#include <math.h>

#include "specfun.h"
#include "util.h"

/* |got - want| <= tol |want|; an exact 0 must be exactly 0 */
static void expect_rel(double got, double want, double tol) {
  if (want == 0 ? got == 0 : fabs(got - want) <= tol * fabs(want))
    return;
  print_error("expected %.17g, got %.17g (relative error %.3g)\n", want, got,
              want == 0 ? fabs(got) : fabs(got - want) / fabs(want));
  fail();
}

static const struct {
  double k, x, log_pois, p, q;
} gamma_rows[] = {
    {0.25, 0.01, -1.0630207100752096755, 0.34818645276048404784,
     0.65181354723951595216},
    {0.25, 1.2, -1.0561477743796981468, 0.94927300164845875163,
     0.050726998351541248366},
    {0.5, 0.3, -0.78120416452772278137, 0.56142197391900013648,
     0.43857802608099986352},
    {1.0, 3.0, -1.9013877113318903086, 0.95021293163213605702,
     0.049787068367863942979},
    {2.5, 7.0, -3.3361982297087909621, 0.98439058389973308527,
     0.015609416100266914735},
    {4.0, 0.5, -6.4506425525877268573, 0.0017516225562908236521,
     0.99824837744370917635},
    {100.0, 90.0, -3.7584085225369834632, 0.1582209891864301681,
     0.8417790108135698319},
    {100.0, 130.0, -6.9859305100052481369, 0.99724959163269347372,
     0.002750408367306526277},
    {10000.0, 9800.0, -7.5511902277205787458, 0.022207543813969693862,
     0.97779245618603030614},
    {10000.0, 10100.0, -6.0208085208452661832, 0.8413487504471796224,
     0.1586512495528203776},
    {1000000.0, 1001000.0, -8.3263608119869763178, 0.84134478636834029163,
     0.15865521363165970837},
    {3.7, 3.7, -1.5955737136099052919, 0.56917293524719540917,
     0.43082706475280459083},
};

static void test_gamma(void **state) {
  (void)state;
  for (size_t i = 0; i < ARRAY_LEN(gamma_rows); i++) {
    double k = gamma_rows[i].k, x = gamma_rows[i].x;
    /* an absolute error in a log is a relative error in the probability;
     * at k = 1e6 the direct k ln x - x - lgamma(k+1) would miss by 1e-9 */
    expect_near(specfun_log_pois(k, x), gamma_rows[i].log_pois, 2e-15);
    expect_rel(specfun_gamma_p(k, x), gamma_rows[i].p, 2e-14);
    expect_rel(specfun_gamma_q(k, x), gamma_rows[i].q, 2e-14);
    double p, q;
    specfun_gamma_pq(k, x, &p, &q);
    expect_rel(p, gamma_rows[i].p, 2e-14);
    expect_rel(q, gamma_rows[i].q, 2e-14);
  }
  /* x = 0 and the Poisson edges */
  assert_true(specfun_gamma_p(2, 0) == 0 && specfun_gamma_q(2, 0) == 1);
  assert_true(specfun_log_pois(0, 0) == 0);
  expect_rel(specfun_log_pois(0, 3), -3, 1e-16);
  assert_true(specfun_log_pois(2, 0) < -1e300);
  /* the series itself: k = 0 gives e^x */
  expect_rel(specfun_gamma_series(0, 0.5), exp(0.5), 1e-15);
}

static const struct {
  double k, y, want;
} kummer_rows[] = {
    {0.25, 0.5, 0.67668076131583495077},
    {0.25, 30.0, 0.0085551002793088502564},
    {0.25, 500.0, 0.00050075263954682191382}, /* asymptotic series */
    {2.0, 3.0, 0.45550823741508087622},
    {4.0, 200.0, 0.019702985}, /* asymptotic, terminates */
    {11.1, 40.0, 0.22063958260560956278},
    {100.0, 150.0, 0.40096307807372451329},   /* Poisson sum, large k */
    {100.0, 1000.0, 0.090984340632371747385}, /* asymptotic, large k */
    {3.5, 100000.0, 0.000034999125013124934375},
};

static void test_kummer(void **state) {
  (void)state;
  for (size_t i = 0; i < ARRAY_LEN(kummer_rows); i++)
    expect_rel(specfun_kummer1(kummer_rows[i].k, kummer_rows[i].y),
               kummer_rows[i].want, 1e-14);
  assert_true(specfun_kummer1(2, 0) == 1);
  /* k = 1: (1 - e^-y) / y exactly */
  expect_rel(specfun_kummer1(1, 7), -expm1(-7.0) / 7, 4e-15);
}

static void test_normal(void **state) {
  (void)state;
  static const double rows[][2] = {
      {-3.0, 0.99865010196836990547},
      {-0.5, 0.69146246127401310364},
      {0.0, 0.5},
      {1.2, 0.11506967022170827665},
      {5.0, 2.8665157187919391167e-7},
      {10.0, 7.619853024160526066e-24},
      {30.0, 4.9067139271481870595e-198},
  };
  for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
    /* erfc(z / sqrt 2): rounding z / sqrt 2 alone moves the result by
     * about z^2 x 1e-16 relative in the far tail */
    double z = rows[i][0];
    expect_rel(specfun_norm_q(z), rows[i][1], 2e-15 * (1 + z * z));
    if (rows[i][0] != 0)
      expect_near(specfun_norm_q_inv(rows[i][1]), rows[i][0], 1e-13);
  }
  assert_true(specfun_norm_q_inv(0.5) == 0);
}

static void test_gamma_quantile(void **state) {
  (void)state;
  static const double rows[][3] = {
      {0.25, 0.5, 0.043673802352873410367},
      {0.25, 0.999, 4.3764442578866864192},
      {2.0, 0.01, 0.14855474025326594931},
      {4.0, 0.99, 10.045117514831615375},
      {100.0, 0.5, 99.666864919315488744},
      {10000.0, 0.999, 10311.875224539537939},
  };
  for (size_t i = 0; i < ARRAY_LEN(rows); i++)
    expect_rel(specfun_gamma_quantile(rows[i][0], rows[i][1]), rows[i][2],
               1e-13);
  /* k = 1 is the exponential */
  expect_rel(specfun_gamma_quantile(1, 0.99), -log(0.01), 1e-14);
}

static void test_phi(void **state) {
  (void)state;
  assert_true(specfun_phi(0) == 1);
  expect_rel(specfun_phi(1e-300), 1, 1e-16);
  expect_rel(specfun_phi(2), (1 - exp(-2.0)) / 2, 1e-15);
  expect_rel(specfun_phi(1e300), 1e-300, 1e-15);
  assert_true(specfun_phi(INFINITY) == 0);
  /* 1 - phi(x) ~ x/2 - x^2/6 near 0, where (x - 1 + e^-x)/x cancels */
  expect_rel(specfun_one_minus_phi(1e-8), 5e-9 - 1e-16 / 6, 1e-15);
  expect_rel(specfun_one_minus_phi(0.5), (0.5 - 1 + exp(-0.5)) / 0.5, 1e-14);
  expect_rel(specfun_one_minus_phi(3), (3 - 1 + exp(-3.0)) / 3, 1e-15);
  assert_true(specfun_one_minus_phi(0) == 0);
}

/* g(t) = 1 - t^2 / 4 falls through 0 at t = 2 */
static double parabola(double t, void *arg, double *dg) {
  (void)arg;
  *dg = -t / 2;
  return 1 - t * t / 4;
}

/* never reaches 0 */
static double never(double t, void *arg, double *dg) {
  (void)arg;
  (void)t;
  *dg = 0;
  return 1;
}

static void test_root(void **state) {
  (void)state;
  double t = 0;
  assert_int_equal(specfun_root_decreasing(parabola, NULL, 0.01, &t), 0);
  expect_rel(t, 2, 1e-14);
  assert_int_equal(specfun_root_decreasing(parabola, NULL, 1e6, &t), 0);
  expect_rel(t, 2, 1e-14);
  assert_int_equal(specfun_root_decreasing(never, NULL, 1, &t), -1);
  /* From a point below the root, whatever the first guess: too low (the
   * bracket grows from it), too high, on it, or not above LO at all;
   * the derivative at the end is g'(2) = -1. */
  static const double guesses[] = {1.1, 1.999, 2, 2.5, 1e3, 0.5, -1};
  for (size_t k = 0; k < ARRAY_LEN(guesses); k++) {
    double dg = 0;
    assert_int_equal(
        specfun_root_decreasing_from(parabola, NULL, 1, guesses[k], &t, &dg),
        0);
    expect_rel(t, 2, 1e-14);
    expect_rel(dg, -1, 1e-6);
  }
  double dg = 0;
  assert_int_equal(specfun_root_decreasing_at(parabola, NULL, 0.01, &t, &dg),
                   0);
  expect_rel(t, 2, 1e-14);
  expect_rel(dg, -1, 1e-6);
  assert_int_equal(specfun_root_decreasing_from(never, NULL, 1, 2, &t, &dg),
                   -1);
}

static void test_invalid(void **state) {
  (void)state;
  double p, q;
  assert_true(specfun_gamma_p(0, 1) == -1);
  assert_true(specfun_gamma_q(-1, 1) == -1);
  assert_true(specfun_gamma_p(1, -1) == -1);
  assert_true(specfun_gamma_q(1, NAN) == -1);
  assert_true(specfun_gamma_p(INFINITY, 1) == -1);
  specfun_gamma_pq(1, NAN, &p, &q);
  assert_true(p == -1 && q == -1);
  assert_true(specfun_gamma_p(2, INFINITY) == 1);
  assert_true(specfun_gamma_q(2, INFINITY) == 0);
  assert_true(specfun_gamma_series(1, 5) == -1); /* x >= k + 1 */
  assert_true(specfun_kummer1(0, 1) == -1);
  assert_true(specfun_kummer1(1, -1) == -1);
  assert_true(specfun_kummer1(1, INFINITY) == 0);
  assert_true(specfun_norm_q(NAN) == -1);
  assert_true(specfun_norm_q_inv(0) == -1);
  assert_true(specfun_norm_q_inv(1) == -1);
  assert_true(specfun_norm_q_inv(NAN) == -1);
  assert_true(specfun_gamma_quantile(1, 1) == -1);
  assert_true(specfun_gamma_quantile(0, 0.5) == -1);
  assert_true(specfun_phi(-1) == -1);
  assert_true(specfun_one_minus_phi(NAN) == -1);
  assert_true(specfun_log_pois(NAN, 1) < -1e300);
  assert_true(specfun_log_pois(1, INFINITY) < -1e300);
}

/* ln |Gamma|: ln sqrt(pi), ln(2 sqrt(pi)) (Gamma(-1/2) = -2 sqrt(pi),
 * whose sign lgamma would write to signgam) and ln 9!, without touching
 * signgam, which other threads' lgamma calls would race on. */
static void test_lgamma(void **state) {
  (void)state;
  signgam = 7;
  expect_rel(specfun_lgamma(0.5), 0.57236494292470008707, 1e-15);
  expect_rel(specfun_lgamma(-0.5), 1.2655121234846453965, 1e-15);
  expect_rel(specfun_lgamma(10), 12.801827480081469611, 1e-15);
  assert_int_equal(signgam, 7);
  assert_true(specfun_lgamma(3.7) == lgamma(3.7));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_lgamma),         cmocka_unit_test(test_gamma),
      cmocka_unit_test(test_kummer),         cmocka_unit_test(test_normal),
      cmocka_unit_test(test_gamma_quantile), cmocka_unit_test(test_phi),
      cmocka_unit_test(test_root),           cmocka_unit_test(test_invalid),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_dist.c - unit tests of ranges and distributions: the parser of
 * what a spec writes (units_parse_dist, src/spec/units.c) and the
 * distributions and generator (src/uncertain/dist.c).
 *
 * References: FORMULAS.md section 5 ('10 to 50' is lognormal with
 * mu = 3.107304, sigma = 0.489234, median 22.360680, mean 25.203407);
 * the moments of the normal, uniform and triangular distributions; e^x
 * of the C library for the table-driven exponential.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first. */
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dist.h"
#include "units.h"

/* ------------------------------------------------------------- parsing */

struct good_dist {
  const char *text;
  enum unit_kind kind;
  enum dist_kind want;
  size_t n;
  double v[3];
};

static const struct good_dist good[] = {
    {"10 to 50", UNIT_RATE, DIST_INTERVAL, 2, {10, 50, 0}},
    {"10K..50K", UNIT_RATE, DIST_INTERVAL, 2, {1e4, 5e4, 0}},
    {"10K .. 50K", UNIT_RATE, DIST_INTERVAL, 2, {1e4, 5e4, 0}},
    {"10 to 50K", UNIT_RATE, DIST_INTERVAL, 2, {10, 5e4, 0}},
    {"500 to 2K", UNIT_RATE, DIST_INTERVAL, 2, {500, 2000, 0}},
    {"10ms to 1s", UNIT_DURATION, DIST_INTERVAL, 2, {0.01, 1, 0}},
    {"10 to 50ms", UNIT_DURATION, DIST_INTERVAL, 2, {0.01, 0.05, 0}},
    {"$2 to $3/hour", UNIT_MONEY, DIST_INTERVAL, 2, {17520, 26280, 0}},
    {"2 to $3/hour", UNIT_MONEY, DIST_INTERVAL, 2, {17520, 26280, 0}},
    {"60 to 80%", UNIT_FRACTION, DIST_INTERVAL, 2, {0.6, 0.8, 0}},
    {"-5 to 5", UNIT_NUMBER, DIST_INTERVAL, 2, {-5, 5, 0}},
    {"normal(30K, 5K)", UNIT_RATE, DIST_NORMAL, 2, {3e4, 5e3, 0}},
    {"normal(30,000, 5,000)", UNIT_RATE, DIST_NORMAL, 2, {3e4, 5e3, 0}},
    {"normal(20, 5ms)", UNIT_DURATION, DIST_NORMAL, 2, {0.02, 0.005, 0}},
    {"uniform(10K, 50K)", UNIT_COUNT, DIST_UNIFORM, 2, {1e4, 5e4, 0}},
    {"triangular(10K, 20K, 50K)",
     UNIT_RATE,
     DIST_TRIANGULAR,
     3,
     {1e4, 2e4, 5e4}},
    {"  1GB to 2GB  ", UNIT_BYTES, DIST_INTERVAL, 2, {1e9, 2e9, 0}},
};

static void test_parse_good(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    const struct good_dist *c = &good[i];
    qdist q;
    unit_error err;
    assert_true(units_is_dist(c->text, strlen(c->text)));
    int rc =
        units_parse_dist(c->text, strlen(c->text), c->kind, "key", &q, &err);
    if (rc != 0)
      fail_msg("'%s': %s", c->text, err.message);
    assert_int_equal(q.kind, c->want);
    assert_int_equal(q.n, c->n);
    for (size_t k = 0; k < c->n; k++)
      if (fabs(q.v[k] - c->v[k]) > 1e-12 * fabs(c->v[k]))
        fail_msg("'%s' value %zu: got %.17g, want %.17g", c->text, k, q.v[k],
                 c->v[k]);
  }
}

struct bad_dist {
  const char *text;
  enum unit_kind kind;
  const char *want; /* in the message or the help */
  size_t offset, len;
};

static const struct bad_dist bad[] = {
    {"50K to 10K", UNIT_RATE, "inverted range", 0, 10},
    {"10K..10K", UNIT_RATE, "empty range", 0, 8},
    {"10ms to 5GB", UNIT_DURATION, "takes a duration", 9, 2},
    {"10 to 50", UNIT_DURATION, "needs a unit", 0, 2},
    {"10ms to", UNIT_DURATION, "missing", 7, 1},
    {"1 to 2 to 3", UNIT_COUNT, "more than two values", 0, 11},
    {"normal(30K)", UNIT_RATE, "takes 2 values", 0, 11},
    {"normal(30K, 0)", UNIT_RATE, "standard deviation", 12, 1},
    {"normal(30K, -5K)", UNIT_RATE, "standard deviation", 12, 3},
    {"normel(1, 2)", UNIT_RATE, "did you mean 'normal'", 0, 6},
    {"lognormal(1, 2)", UNIT_RATE, "90% interval", 0, 9},
    {"uniform(5, 1)", UNIT_COUNT, "inverted", 0, 13},
    {"triangular(1, 5, 3)", UNIT_COUNT, "mode outside", 14, 1},
    {"triangular(3, 3, 3)", UNIT_COUNT, "empty", 0, 19},
    {"normal(1, 2", UNIT_COUNT, "closing", 10, 1},
    {"uniform(100,200)", UNIT_COUNT, "got 1", 0, 16},
};

static void test_parse_bad(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    const struct bad_dist *c = &bad[i];
    qdist q;
    unit_error err;
    int rc =
        units_parse_dist(c->text, strlen(c->text), c->kind, "key", &q, &err);
    if (rc == 0)
      fail_msg("'%s' parsed", c->text);
    if (!strstr(err.message, c->want) && !strstr(err.help, c->want))
      fail_msg("'%s': '%s' / '%s' lacks '%s'", c->text, err.message, err.help,
               c->want);
    if (err.offset != c->offset || err.len != c->len)
      fail_msg("'%s': span %zu+%zu, want %zu+%zu", c->text, err.offset, err.len,
               c->offset, c->len);
  }
}

/* Single values are not distributions; a single-value parse still
 * refuses a range, by name. */
static void test_not_dist(void **state) {
  (void)state;
  const char *plain[] = {"30K", "1.5s", "$2/hour", "60%", "1e3"};
  for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
    assert_false(units_is_dist(plain[i], strlen(plain[i])));
  double v;
  unit_error err;
  assert_int_equal(units_parse("1..2", 4, UNIT_COUNT, "k", &v, &err), -1);
  assert_non_null(strstr(err.message, "not a range"));
}

/* ------------------------------------------------------- distributions */

static dist dist_text(const char *text, enum unit_kind kind) {
  qdist q;
  unit_error err;
  if (units_parse_dist(text, strlen(text), kind, "key", &q, &err))
    fail_msg("'%s': %s", text, err.message);
  return dist_of(&q);
}

/* FORMULAS.md section 5, to the six decimals it gives. */
static void test_formulas_ten_to_fifty(void **state) {
  (void)state;
  dist d = dist_text("10 to 50", UNIT_RATE);
  assert_int_equal(d.shape, SHAPE_LOGNORMAL);
  assert_true(fabs(d.a - 3.107304) < 5e-7);
  assert_true(fabs(d.b - 0.489234) < 5e-7);
  assert_true(fabs(dist_median(&d) - 22.360680) < 5e-7);
  assert_true(fabs(dist_mean(&d) - 25.203407) < 5e-7);
  /* The interval is the distribution's 5th and 95th percentiles. */
  assert_true(fabs(dist_quantile(&d, 0.05) - 10) < 1e-9);
  assert_true(fabs(dist_quantile(&d, 0.95) - 50) < 1e-9);
  assert_true(fabs(dist_cdf(&d, 50) - 0.95) < 1e-12);
  /* A range reaching zero or below is normal with the same 90%. */
  dist n = dist_text("-10 to 30", UNIT_NUMBER);
  assert_int_equal(n.shape, SHAPE_NORMAL);
  assert_true(fabs(n.a - 10) < 1e-12);
  assert_true(fabs(n.b - 20 / DIST_Z95) < 1e-12);
  assert_true(fabs(dist_quantile(&n, 0.95) - 30) < 1e-9);
  dist z = dist_text("0 to 10", UNIT_NUMBER);
  assert_int_equal(z.shape, SHAPE_NORMAL);
}

struct moments {
  const char *text;
  double median, mean, sd;
};

/* Closed forms: normal (m, s); uniform ((a+b)/2, (b-a)/sqrt 12);
 * triangular (mean (a+m+b)/3, variance (a^2+m^2+b^2-am-ab-mb)/18, median
 * from the side of the mode holding half the mass). */
static const struct moments moments[] = {
    {"normal(30, 5)", 30, 30, 5},
    {"uniform(10, 50)", 30, 30, 11.547005383792516},
    {"triangular(0, 0, 1)", 0.29289321881345254, 1.0 / 3, 0.23570226039551584},
    {"triangular(10, 20, 50)", 25.505102572168219, 80.0 / 3,
     8.4983658559879765},
};

static void test_moments(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof moments / sizeof moments[0]; i++) {
    const struct moments *c = &moments[i];
    dist d = dist_text(c->text, UNIT_NUMBER);
    if (fabs(dist_median(&d) - c->median) > 1e-12 * fabs(c->median) + 1e-15 ||
        fabs(dist_mean(&d) - c->mean) > 1e-12 * c->mean ||
        fabs(dist_sd(&d) - c->sd) > 1e-12 * c->sd)
      fail_msg("%s: median %.17g mean %.17g sd %.17g", c->text, dist_median(&d),
               dist_mean(&d), dist_sd(&d));
    /* The quantile function inverts the CDF. */
    for (double p = 0.01; p < 1; p += 0.07)
      assert_true(fabs(dist_cdf(&d, dist_quantile(&d, p)) - p) < 1e-9);
  }
}

/* ----------------------------------------------------------- generator */

static void test_exp(void **state) {
  (void)state;
  dist_tables t;
  dist_tables_init(&t);
  double worst = 0;
  for (double x = -745; x < 710; x += 0.0137) {
    double want = exp(x), got = dist_exp(&t, x);
    if (want == 0 || !isfinite(want)) {
      assert_true(got == want);
      continue;
    }
    double ulp = nextafter(want, INFINITY) - want;
    double err = fabs(got - want) / ulp;
    if (err > worst)
      worst = err;
  }
  if (worst > 2)
    fail_msg("dist_exp is %.2f ulp from exp", worst);
  assert_true(dist_exp(&t, 0) == 1);
}

/* The AVX2 exponentials are dist_exp's bit for bit, four lanes at a
 * time, and stop at a group of four with a lane outside (-700, 700).
 * (On a CPU without AVX2 the tables say so and nothing is compared.) */
static void test_exp_avx2(void **state) {
  (void)state;
  dist_tables t;
  dist_tables_init(&t);
  if (!t.avx2) {
    assert_false(dist_avx2_usable());
    return;
  }
  enum { N = 4096 };
  static double x[N], y[N];
  for (size_t i = 0; i < N; i++)
    x[i] = y[i] = -699.9 + 1399.8 * (double)i / (N - 1) +
                  (i % 7 ? 1e-3 * (double)(i % 13) : -0.0);
  bool in;
  assert_int_equal(dist_exp_avx2(t.two, y, N, 0, DBL_MAX, &in), N);
  assert_true(in);
  for (size_t i = 0; i < N; i++)
    if (memcmp(&y[i], &(double){dist_exp(&t, x[i])}, sizeof y[i]))
      fail_msg("lane %zu: e^%.17g is %.17g, not %.17g", i, x[i], y[i],
               dist_exp(&t, x[i]));
  double z[8] = {0, 1, -1, 2, 0.5, 700, 3, 4};
  assert_int_equal(dist_exp_avx2(t.two, z, 8, 0, DBL_MAX, &in), 4);
  assert_true(z[5] == 700); /* left alone */
  assert_true(in);
  double w[4] = {0, 1, 2, 3}; /* e^3 is past a bound of 20 */
  assert_int_equal(dist_exp_avx2(t.two, w, 4, 1, 20, &in), 4);
  assert_false(in);
}

/* The AVX2 normal deviates are dist_normal_at's bit for bit, scaled and
 * shifted the same way, from any first trial, the lanes that leave a
 * layer's rectangle (about 1.2%) included: each stretch of 20,000 has
 * draws in the tail beyond R, which none of the rectangles holds.  A
 * count that is not a multiple of four leaves the rest. */
static void test_normal_avx2(void **state) {
  (void)state;
  dist_tables t;
  dist_tables_init(&t);
  if (!t.avx2) {
    assert_int_equal(dist_normal_avx2(&t, 1, 0, 8, 0, 1, (double[8]){0}), 0);
    return;
  }
  enum { N = 20000 };
  static double y[N];
  const uint64_t firsts[] = {0, 1, 12345, (uint64_t)1 << 40};
  for (size_t f = 0; f < sizeof firsts / sizeof firsts[0]; f++) {
    uint64_t key = dist_key(7, f), first = firsts[f];
    double a = 3.25, b = 0.4 + 0.1 * (double)f;
    assert_int_equal(dist_normal_avx2(&t, key, first, N, a, b, y), N);
    size_t outside = 0;
    for (size_t i = 0; i < N; i++) {
      double z = dist_normal_at(&t, key, first + i);
      outside += fabs(z) > t.zx[1]; /* the tail: never a rectangle's */
      double want = a + b * z;
      if (memcmp(&y[i], &want, sizeof want))
        fail_msg("trial %zu: %.17g, not %.17g", (size_t)(first + i), y[i],
                 want);
    }
    assert_true(outside > 0);
  }
  assert_int_equal(dist_normal_avx2(&t, 1, 0, 7, 0, 1, y), 4);
}

/* A million standard normal deviates: mean 0 and variance 1 within five
 * standard errors, the share beyond 1.6448536 (5%) and beyond R (the
 * ziggurat's tail, 2.58e-4 two-sided) within five binomial standard
 * errors, and symmetric. */
static void test_normal(void **state) {
  (void)state;
  dist_tables t;
  dist_tables_init(&t);
  const size_t n = 1000000;
  uint64_t key = dist_key(1, 0);
  double sum = 0, sq = 0, above = 0, tail = 0, neg = 0;
  for (size_t i = 0; i < n; i++) {
    double z = dist_normal_at(&t, key, i);
    assert_true(isfinite(z));
    sum += z;
    sq += z * z;
    above += z > DIST_Z95;
    tail += fabs(z) > 3.6541528853610088;
    neg += z < 0;
  }
  double mean = sum / (double)n, var = sq / (double)n - mean * mean;
  assert_true(fabs(mean) < 5 / sqrt((double)n));
  assert_true(fabs(var - 1) < 5 * sqrt(2.0 / (double)n));
  double p = above / (double)n, pt = tail / (double)n;
  assert_true(fabs(p - 0.05) < 5 * sqrt(0.05 * 0.95 / (double)n));
  double want_tail = erfc(3.6541528853610088 / sqrt(2.0));
  assert_true(fabs(pt - want_tail) < 5 * sqrt(want_tail / (double)n));
  assert_true(fabs(neg / (double)n - 0.5) < 5 * sqrt(0.25 / (double)n));
}

/* Trial i's draw does not depend on where a block starts, on the other
 * inputs, or on anything but (seed, input, trial). */
static void test_counter_based(void **state) {
  (void)state;
  dist_tables t;
  dist_tables_init(&t);
  dist d = dist_text("20K to 40K", UNIT_RATE);
  uint64_t key = dist_key(7, 2);
  double whole[1000], part[300];
  dist_fill(&d, &t, key, 0, 1000, whole);
  dist_fill(&d, &t, key, 517, 300, part);
  for (size_t i = 0; i < 300; i++)
    assert_true(part[i] == whole[517 + i]);
  assert_true(dist_key(7, 2) == key);
  assert_true(dist_key(7, 3) != key && dist_key(8, 2) != key);
}

/* Draws of '20K to 40K' have 5% below 20K and 5% above 40K, and the
 * median of the distribution. */
static void test_lognormal_draws(void **state) {
  (void)state;
  dist_tables t;
  dist_tables_init(&t);
  dist d = dist_text("20K to 40K", UNIT_RATE);
  const size_t n = 200000;
  double *x = malloc(n * sizeof *x);
  dist_fill(&d, &t, dist_key(1, 0), 0, n, x);
  size_t lo = 0, hi = 0, below_median = 0;
  double med = dist_median(&d);
  for (size_t i = 0; i < n; i++) {
    lo += x[i] < 20000;
    hi += x[i] > 40000;
    below_median += x[i] < med;
  }
  double se = sqrt(0.05 * 0.95 / (double)n);
  assert_true(fabs((double)lo / (double)n - 0.05) < 5 * se);
  assert_true(fabs((double)hi / (double)n - 0.05) < 5 * se);
  assert_true(fabs((double)below_median / (double)n - 0.5) <
              5 * sqrt(0.25 / (double)n));
  free(x);
}

/* Truncated to the key's bounds: a fraction drawn from normal(90%, 10%)
 * stays within [0, 1], and the mass inside is reported. */
static void test_bounds(void **state) {
  (void)state;
  dist_tables t;
  dist_tables_init(&t);
  dist d = dist_text("normal(90%, 10%)", UNIT_FRACTION);
  double inside = dist_bound(&d, 0, true, 1, false);
  assert_true(fabs(inside - (0.5 + 0.5 * erf(1 / sqrt(2.0)) -
                             0.5 * erfc(9 / sqrt(2.0)))) < 1e-12);
  assert_true(d.may_leave);
  double x[20000];
  dist_fill(&d, &t, dist_key(3, 1), 0, 20000, x);
  size_t at_top = 0;
  for (size_t i = 0; i < 20000; i++) {
    assert_true(x[i] > 0 && x[i] <= 1);
    at_top += x[i] == 1;
  }
  assert_int_equal(at_top, 0); /* drawn again, not clamped */
  dist l = dist_text("20K to 40K", UNIT_RATE);
  assert_true(dist_bound(&l, 0, true, 1e15, false) == 1);
  assert_false(l.may_leave);
}

/* The quantiles of a distribution cut to its key's range are those of
 * what is drawn: normal(100, 100) above 0 loses Phi(-1) = 15.87% below
 * 0, so its median is 100 + 100 Phi^-1(Phi(-1) + 0.5 (1 - Phi(-1))) =
 * 120.0174 (Python's statistics.NormalDist), not 100; p5 16.0957, p95
 * 272.7185.  The draws agree, and an uncut distribution keeps its own. */
static void test_quantiles_as_drawn(void **state) {
  (void)state;
  dist_tables t;
  dist_tables_init(&t);
  dist d = dist_text("normal(100, 100)", UNIT_RATE);
  dist_bound(&d, 0, true, 1e15, false);
  assert_true(d.may_leave);
  const double p[] = {0.05, 0.5, 0.95};
  const double want[] = {16.095664758572028, 120.01736861668911,
                         272.71848288214375};
  static double x[40000];
  dist_fill(&d, &t, dist_key(5, 2), 0, 40000, x);
  for (int k = 0; k < 3; k++) {
    double q = dist_quantile_in(&d, p[k]);
    if (fabs(q - want[k]) > 1e-6 * want[k])
      fail_msg("p%g: %.10g, want %.10g", 100 * p[k], q, want[k]);
    size_t below = 0;
    for (size_t i = 0; i < 40000; i++)
      below += x[i] <= q;
    /* within 4 standard errors of a binomial share */
    double share = (double)below / 40000;
    assert_true(fabs(share - p[k]) < 4 * sqrt(p[k] * (1 - p[k]) / 40000));
  }
  dist l = dist_text("20K to 40K", UNIT_RATE);
  dist_bound(&l, 0, true, 1e15, false);
  assert_true(dist_quantile_in(&l, 0.05) == dist_quantile(&l, 0.05));
  assert_true(dist_quantile_in(&l, 0.5) == dist_median(&l));
}

/* traffic.growth: a share per period compounded to a month of 730
 * hours (SPEC.md section 8): 60%/year is 1.6^(1/12) - 1 a month. */
static void test_growth(void **state) {
  (void)state;
  const struct {
    const char *text;
    double want;
  } ok[] = {
      {"5%/month", 0.05},
      {"0.05/month", 0.05},
      {"60%/year", 0.03994410769050427},
      {"-5%/month", -0.05},
      {"1%/week", 0.044184874547900765},
  };
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    double v;
    unit_error err;
    if (units_parse(ok[i].text, strlen(ok[i].text), UNIT_GROWTH, "growth", &v,
                    &err))
      fail_msg("'%s': %s", ok[i].text, err.message);
    if (fabs(v - ok[i].want) > 1e-12)
      fail_msg("'%s': %.15g, want %.15g", ok[i].text, v, ok[i].want);
  }
  double v;
  unit_error err;
  assert_true(units_parse("5%/month", 8, UNIT_GROWTH, "g", &v, &err) == 0 &&
              v == 0.05);
  const char *wrong[] = {"5%", "5%/fortnight", "-100%/month", "5ms/month"};
  for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++)
    assert_int_equal(
        units_parse(wrong[i], strlen(wrong[i]), UNIT_GROWTH, "g", &v, &err),
        -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse_good),
      cmocka_unit_test(test_parse_bad),
      cmocka_unit_test(test_not_dist),
      cmocka_unit_test(test_formulas_ten_to_fifty),
      cmocka_unit_test(test_moments),
      cmocka_unit_test(test_exp),
      cmocka_unit_test(test_exp_avx2),
      cmocka_unit_test(test_normal_avx2),
      cmocka_unit_test(test_normal),
      cmocka_unit_test(test_counter_based),
      cmocka_unit_test(test_lognormal_draws),
      cmocka_unit_test(test_bounds),
      cmocka_unit_test(test_quantiles_as_drawn),
      cmocka_unit_test(test_growth),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_queueing.c - Erlang B/C and the M/M/c queue (FORMULAS.md sections
 * 3 and 3b) against: every row of the public oracle
 * ../shared/oracles/erlang_c.csv (copied below, mu = 100/s, times in
 * seconds) to 1e-9 relative; the Octave `queueing` package's qsmmm test
 * values; closed forms (the M/M/2 at theta = mu, M/M/1 near rho = 1,
 * Pollaczek-Khinchine for M/G/1); mpmath at 50 digits for c up to 1e7 and
 * for gamma service (tests/unit/ref_queueing.py prints those tables); and
 * brute force for the server counts.
 */
#include "helpers.h"

#include "queueing.h"
#include "util.h"

/* |got - want| <= tol |want|; an exact 0 must be exactly 0 */
static void expect_rel(double got, double want, double tol) {
  if (want == 0 ? got == 0 : fabs(got - want) <= tol * fabs(want))
    return;
  print_error("expected %.17g, got %.17g (relative error %.3g)\n", want, got,
              want == 0 ? fabs(got) : fabs(got - want) / fabs(want));
  fail();
}

/* erlang_c.csv: c, mu, lambda, rho, p_wait, wq_mean_s, r_mean_s, wq_p99_s,
 * wq_p999_s, r_p99_s */
static const double oracle[][10] = {
    {1, 100, 50, 0.5, 0.5, 0.01, 0.02, 0.0782404601085629, 0.124292161968444,
     0.0921034037197619},
    {1, 100, 70, 0.7, 0.7, 0.0233333333333333, 0.0333333333333333,
     0.141616508068312, 0.218369344501447, 0.15350567286627},
    {1, 100, 80, 0.8, 0.8, 0.04, 0.05, 0.219101331733694, 0.334230586383396,
     0.230258509299405},
    {1, 100, 90, 0.9, 0.9, 0.09, 0.1, 0.449980967033026, 0.680239476332431,
     0.46051701859881},
    {1, 100, 95, 0.95, 0.95, 0.19, 0.2, 0.910775378320108, 1.37129239691892,
     0.921034037197619},
    {4, 100, 200, 0.5, 0.173913043478261, 0.000869565217391304,
     0.0108695652173913, 0.0142798516558942, 0.0257927771208644,
     0.0476424843762136},
    {4, 100, 280, 0.7, 0.428654318232537, 0.00357211931860448,
     0.0135721193186045, 0.0313172143009083, 0.050505423409192,
     0.0549255749640952},
    {4, 100, 320, 0.8, 0.596432471787405, 0.00745540589734256,
     0.0174554058973426, 0.0511047616842251, 0.0798870753466507,
     0.0689320374888301},
    {4, 100, 360, 0.9, 0.787753264295363, 0.0196938316073841,
     0.0296938316073841, 0.109164995786406, 0.166729623111257,
     0.121931674361991},
    {4, 100, 380, 0.95, 0.891418995177674, 0.0445709497588837,
     0.0545709497588836, 0.224511473833363, 0.339640728483065,
     0.235668651365811},
    {16, 100, 800, 0.5, 0.00901880974215197, 1.127351217769e-05,
     0.0100112735121777, 0, 0.00274914045966817, 0.0460645775810298},
    {16, 100, 1120, 0.7, 0.129675792072511, 0.000270157900151065,
     0.0102701579001511, 0.00533844236533453, 0.0101354946424055,
     0.0463872604534845},
    {16, 100, 1280, 0.8, 0.304883912930017, 0.000952762227906303,
     0.0109527622279063, 0.0106792062431797, 0.0178747846587861,
     0.0473495157487263},
    {16, 100, 1440, 0.9, 0.59134339387239, 0.00369589621170244,
     0.0136958962117024, 0.0254988237148475, 0.0398899805460602,
     0.0526983460108446},
    {16, 100, 1520, 0.95, 0.780192462248371, 0.00975240577810464,
     0.0197524057781046, 0.054461944284062, 0.0832442579464876,
     0.0721660562507586},
    {64, 100, 3200, 0.5, 4.26371615185746e-07, 1.33241129745546e-10,
     0.0100000001332411, 0, 0, 0.0460517019974202},
    {64, 100, 4480, 0.7, 0.00441255189017661, 2.29820410946698e-06,
     0.0100022982041095, 0, 0.000773152698960242, 0.0460541260450841},
    {64, 100, 5120, 0.8, 0.0560563755536358, 4.3794043401278e-05,
     0.0100437940434013, 0.00134669749817739, 0.00314559210207898,
     0.0460990947808199},
    {64, 100, 5760, 0.9, 0.310663316532959, 0.000485411432082749,
     0.0104854114320827, 0.00536894476448922, 0.00896673397229242,
     0.0466110641685713},
    {64, 100, 6080, 0.95, 0.588010931909982, 0.00183753416221869,
     0.0118375341622187, 0.0127317513950481, 0.0199273298106545,
     0.0484203625326758},
};

static void test_oracle(void **state) {
  (void)state;
  for (size_t i = 0; i < ARRAY_LEN(oracle); i++) {
    const double *r = oracle[i];
    mmc q;
    assert_int_equal(mmc_init(&q, r[2], r[1], r[0], 1, 1), 0);
    expect_rel(q.rho, r[3], 1e-15);
    expect_rel(q.p_wait, r[4], 1e-9);
    expect_rel(erlang_c(r[0], r[2] / r[1]), r[4], 1e-9);
    expect_rel(q.wait_mean, r[5], 1e-9);
    expect_rel(q.resp_mean, r[6], 1e-9);
    expect_rel(mmc_wait_quantile(&q, 0.99), r[7], 1e-9);
    expect_rel(mmc_wait_quantile(&q, 0.999), r[8], 1e-9);
    expect_rel(mmc_response_quantile(&q, 0.99), r[9], 1e-9);
  }
}

/* Octave `queueing` package, qsmmm's own test: lambda 9, mu 5.  The
 * exact values are C = 81/95 for c = 2, and R = C / (c mu - lambda) +
 * 1/mu. */
static void test_octave_qsmmm(void **state) {
  (void)state;
  mmc q;
  assert_int_equal(mmc_init(&q, 9, 5, 2, 1, 1), 0);
  expect_near(q.p_wait, 0.852632, 5e-7);
  expect_near(q.resp_mean, 1.052632, 5e-7);
  expect_rel(q.p_wait, 81.0 / 95, 1e-15);
  expect_rel(q.resp_mean, 81.0 / 95 + 0.2, 1e-15);
  assert_int_equal(mmc_init(&q, 9, 5, 4, 1, 1), 0);
  expect_near(q.p_wait, 0.128534, 5e-7);
  expect_near(q.resp_mean, 0.211685, 5e-7);
  expect_near(q.rho, 0.45, 1e-15);
}

/* Erlang B and C for c up to 1e7, against mpmath's pois(c; a) / P(N <= c);
 * C = -1 where a >= c. */
static const double big_rows[][4] = {
    {1e6, 999000, 0.00028742137577686792424, 0.22330339029134409079},
    {1e6, 998000, 0.000055094424859434571139, 0.026810144766080868253},
    {1e6, 995000, 1.4258222583020131643e-9, 2.8516437074825492244e-7},
    {1e6, 990000, 5.4995431265267091859e-26, 5.4995431265267091859e-24},
    {1e6, 1e6, 0.00079746030685556101375, -1},
    {1e6, 1.2e6, 0.16667083308336832607, -1},
    {1e7, 9.99e6, 8.4786654261983156611e-7, 0.00084714899160252425105},
    {2000, 1900.5, 0.00069726566950590326781, 0.013831184897002988154},
    {201, 200, 0.051307215301371716912, 0.915757440709777305},
};

static void test_large_c(void **state) {
  (void)state;
  for (size_t i = 0; i < ARRAY_LEN(big_rows); i++) {
    expect_rel(erlang_b(big_rows[i][0], big_rows[i][1]), big_rows[i][2], 1e-12);
    expect_rel(erlang_c(big_rows[i][0], big_rows[i][1]), big_rows[i][3], 1e-12);
  }
  /* the windowed start agrees with the whole recursion from B_0 = 1 */
  long double inv = 1;
  for (double k = 1; k <= 1e6; k++)
    inv = 1 + inv * k / 999500.0L;
  expect_rel(erlang_b(1e6, 999500), (double)(1 / inv), 1e-12);
  /* far above the load B underflows: returned as exactly 0 */
  assert_true(erlang_b(1e6, 5e5) == 0);
  assert_true(erlang_c(1e7, 10) == 0);
  /* a queue of a million slots at 99.9% */
  mmc q;
  assert_int_equal(mmc_init(&q, 999000 * 10.0, 10, 1e6, 1, 1), 0);
  expect_rel(q.p_wait, 0.22330339029134409079, 1e-12);
  double r99 = mmc_response_quantile(&q, 0.99);
  expect_rel(mmc_response_sf(&q, r99), 0.01, 1e-12);
}

/* Small cases of Erlang B worked by hand: B(1, a) = a / (1 + a),
 * B(2, 1) = 1/5, B(0, a) = 1. */
static void test_erlang_b_small(void **state) {
  (void)state;
  expect_rel(erlang_b(1, 3), 0.75, 1e-15);
  expect_rel(erlang_b(2, 1), 0.2, 1e-15);
  assert_true(erlang_b(0, 5) == 1);
  assert_true(erlang_b(3, 0) == 0);
  /* M/M/1: C = rho */
  expect_rel(erlang_c(1, 0.3), 0.3, 1e-15);
}

/* The M/M/c response time without the stable form: (1 - C) e^-mu t +
 * C (theta e^-mu t - mu e^-theta t) / (theta - mu), in long double, for
 * theta far from mu. */
static double textbook_sf(double c_wait, double mu, double theta, double t) {
  long double es = expl(-(long double)mu * t);
  long double two = ((long double)theta * es -
                     (long double)mu * expl(-(long double)theta * t)) /
                    ((long double)theta - mu);
  return (double)((1 - c_wait) * es + c_wait * two);
}

static void test_response_exponential(void **state) {
  (void)state;
  static const double cases[][3] = {
      {50, 100, 1}, /* theta = 50 < mu */
      {9, 5, 4},    /* theta = 11 > mu */
      {1120, 100, 16},
      {6080, 100, 64},
  };
  static const double ps[] = {0.001, 0.1, 0.5, 0.9, 0.99, 0.999, 0.999999};
  for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
    mmc q;
    assert_int_equal(mmc_init(&q, cases[i][0], cases[i][1], cases[i][2], 1, 1),
                     0);
    for (double t = 0.001; t < 2; t *= 1.7)
      expect_rel(mmc_response_sf(&q, t),
                 textbook_sf(q.p_wait, q.mu, q.theta, t), 1e-13);
    for (size_t j = 0; j < ARRAY_LEN(ps); j++) {
      double t = mmc_response_quantile(&q, ps[j]);
      if (ps[j] >= 0.5)
        expect_rel(textbook_sf(q.p_wait, q.mu, q.theta, t), 1 - ps[j], 1e-12);
      else
        expect_rel(1 - textbook_sf(q.p_wait, q.mu, q.theta, t), ps[j], 1e-12);
      expect_rel(mmc_response_cdf(&q, t), ps[j], 1e-12);
    }
  }
}

/* theta = mu: lambda 1, mu 1, c 2 has C = 1/3 and theta = 1, where the
 * textbook form divides 0 by 0; there P(T > t) = e^-t (1 + t/3). */
static void test_theta_equals_mu(void **state) {
  (void)state;
  mmc q;
  assert_int_equal(mmc_init(&q, 1, 1, 2, 1, 1), 0);
  assert_true(q.theta == q.mu);
  expect_rel(q.p_wait, 1.0 / 3, 1e-15);
  for (double t = 0.01; t < 40; t *= 1.9)
    expect_rel(mmc_response_sf(&q, t), exp(-t) * (1 + t / 3), 1e-14);
  double t99 = mmc_response_quantile(&q, 0.99);
  expect_rel(exp(-t99) * (1 + t99 / 3), 0.01, 1e-12);
  /* and next to it, on either side, the same to first order */
  mmc lo, hi;
  assert_int_equal(mmc_init(&lo, 1 - 1e-9, 1, 2, 1, 1), 0);
  assert_int_equal(mmc_init(&hi, 1 + 1e-9, 1, 2, 1, 1), 0);
  expect_rel(mmc_response_quantile(&lo, 0.99), t99, 1e-8);
  expect_rel(mmc_response_quantile(&hi, 0.99), t99, 1e-8);
}

/* rho just below 1: the M/M/1 response is exponential of rate mu - lambda
 * (the form above reduces to it), however small that rate. */
static void test_rho_near_one(void **state) {
  (void)state;
  static const double eps[] = {1e-3, 1e-6, 1e-9, 1e-12};
  for (size_t i = 0; i < ARRAY_LEN(eps); i++) {
    mmc q;
    double lambda = 100 * (1 - eps[i]);
    assert_int_equal(mmc_init(&q, lambda, 100, 1, 1, 1), 0);
    double theta = 100 - lambda;
    expect_rel(q.p_wait, lambda / 100, 1e-13);
    expect_rel(q.resp_mean, 1 / theta, 1e-9);
    expect_rel(mmc_response_quantile(&q, 0.99), -log1p(-0.99) / theta, 1e-9);
    expect_rel(mmc_response_quantile(&q, 0.5), log(2) / theta, 1e-9);
    /* four servers at the same load: finite, ordered */
    assert_int_equal(mmc_init(&q, 4 * lambda, 100, 4, 1, 1), 0);
    double w = mmc_wait_quantile(&q, 0.999),
           r = mmc_response_quantile(&q, 0.999);
    assert_true(isfinite(w) && isfinite(r) && r > w && w > 0);
  }
}

static void test_overload(void **state) {
  (void)state;
  /* issue 11's case: 10K qps on 200 slots of 20 ms is exactly 100% busy */
  mmc q;
  assert_int_equal(mmc_init(&q, 10000, 50, 200, 1, 1), -1);
  assert_int_equal(q.status, MMC_OVERLOADED);
  assert_true(q.rho == 1 && q.p_wait == 1 && q.wait_mean == 0);
  assert_true(mmc_response_quantile(&q, 0.99) == -1);
  assert_true(mmc_wait_quantile(&q, 0.5) == -1);
  assert_true(mmc_response_sf(&q, 1) == -1);
  assert_true(mmc_wait_cdf(&q, 1) == -1);
  /* the service alone is still known */
  expect_rel(mmc_service_quantile(&q, 0.99), -log(0.01) / 50, 1e-14);
  /* one more slot: C = 0.9158 and a p99 wait of ln(91.6) / 50 = 90 ms */
  assert_int_equal(mmc_init(&q, 10000, 50, 201, 1, 1), 0);
  expect_rel(q.p_wait, 0.915757440709777305, 1e-12);
  expect_rel(mmc_wait_quantile(&q, 0.99), log(0.915757440709777305 / 0.01) / 50,
             1e-12);
  expect_near(mmc_wait_quantile(&q, 0.99), 0.0904, 1e-4);
  assert_int_equal(mmc_init(&q, 300, 100, 2, 1, 1), -1);
  assert_int_equal(q.status, MMC_OVERLOADED);
  expect_rel(q.rho, 1.5, 1e-15);
}

/* Allen-Cunneen (FORMULAS.md section 3b): for M/G/1 it is the
 * Pollaczek-Khinchine mean, Wq = lambda E[S^2] / (2 (1 - rho)). */
static void test_allen_cunneen(void **state) {
  (void)state;
  static const double cs[] = {0, 0.5, 1, 2};
  for (size_t i = 0; i < ARRAY_LEN(cs); i++) {
    mmc q;
    assert_int_equal(mmc_init(&q, 50, 100, 1, 1, cs[i]), 0);
    double es2 = 1e-4 * (1 + cs[i] * cs[i]);
    expect_rel(q.wait_mean, 50 * es2 / (2 * 0.5), 1e-14);
  }
  /* the tail keeps the M/M/c shape scaled to the mean */
  mmc m, g;
  assert_int_equal(mmc_init(&m, 320, 100, 4, 1, 1), 0);
  assert_int_equal(mmc_init(&g, 320, 100, 4, 0.5, 0.5), 0);
  expect_rel(g.wait_scale, 0.25, 1e-15);
  expect_rel(g.p_wait, m.p_wait, 1e-15);
  expect_rel(g.wait_mean, 0.25 * m.wait_mean, 1e-14);
  expect_rel(mmc_wait_quantile(&g, 0.99), 0.25 * mmc_wait_quantile(&m, 0.99),
             1e-14);
  expect_rel(mmc_wait_sf(&g, 0.01), m.p_wait * exp(-m.theta / 0.25 * 0.01),
             1e-14);
  /* ca = cs = 0: nobody waits, the response is the service time */
  assert_int_equal(mmc_init(&g, 320, 100, 4, 0, 0), 0);
  assert_true(g.p_wait == 0 && g.wait_mean == 0);
  assert_true(mmc_wait_quantile(&g, 0.999) == 0);
  expect_rel(mmc_response_quantile(&g, 0.999), 0.01, 1e-15);
  expect_rel(g.erlang_c, m.erlang_c, 1e-15);
}

/* Deterministic service: T = 1/mu + W. */
static void test_deterministic(void **state) {
  (void)state;
  mmc q;
  assert_int_equal(mmc_init(&q, 80, 100, 1, 1, 0), 0);
  assert_int_equal(q.service, MMC_SERVICE_DETERMINISTIC);
  expect_rel(mmc_response_quantile(&q, 0.99),
             0.01 + mmc_wait_quantile(&q, 0.99), 1e-15);
  /* p below 1 - C: the wait is 0 and the response exactly 1/mu */
  expect_rel(mmc_response_quantile(&q, 0.1), 0.01, 1e-15);
  assert_true(mmc_response_sf(&q, 0.0099) == 1);
  expect_rel(mmc_response_sf(&q, 0.02), 0.8 * exp(-q.wait_rate * 0.01), 1e-14);
  expect_rel(mmc_response_cdf(&q, 0.02), 1 - 0.8 * exp(-q.wait_rate * 0.01),
             1e-14);
  expect_rel(mmc_service_quantile(&q, 0.999), 0.01, 1e-15);
}

/* Gamma service: P(T > t) against mpmath's quadrature of the convolution
 * (lambda, mu, c, ca, cs, t, P(T > t)). */
static const double gamma_rows[][7] = {
    {50, 100, 1, 1, 0.5, 0.03, 0.11150040736557157875},
    {50, 100, 1, 1, 0.5, 0.08, 0.0020282681830912009306},
    {80, 100, 1, 0.3, 2, 0.002, 0.89025026548386548883},
    {80, 100, 1, 0.3, 2, 0.5, 0.0068120686585626233976},
    {95, 100, 1, 1, 0.7, 0.4, 0.069417616904456318153},
    {398, 100, 4, 1, 0.3, 0.05, 0.85396879857416421818},
    {60, 100, 2, 1, 1.5, 0.09, 0.0046038221682798702302},
    {10, 100, 1, 0.3, 0.1, 0.0125, 0.013672887179971462979},
    {90000, 100, 1000, 1, 0.5, 0.02, 0.042380542857455598558},
    {388000, 100, 4000, 1, 2, 0.2, 0.00049212214426941297884},
    {160, 1000, 1, 1, 0.25, 0.004, 0.0015148778503626589575},
};

static void test_response_gamma(void **state) {
  (void)state;
  for (size_t i = 0; i < ARRAY_LEN(gamma_rows); i++) {
    const double *r = gamma_rows[i];
    mmc q;
    assert_int_equal(mmc_init(&q, r[0], r[1], r[2], r[3], r[4]), 0);
    assert_int_equal(q.service, MMC_SERVICE_GAMMA);
    expect_rel(mmc_response_sf(&q, r[5]), r[6], 1e-12);
    expect_rel(mmc_response_cdf(&q, r[5]), 1 - r[6], 1e-12);
    static const double ps[] = {0.05, 0.5, 0.95, 0.99, 0.999};
    for (size_t j = 0; j < ARRAY_LEN(ps); j++) {
      double t = mmc_response_quantile(&q, ps[j]);
      if (ps[j] >= 0.5)
        expect_rel(mmc_response_sf(&q, t), 1 - ps[j], 1e-12);
      else
        expect_rel(mmc_response_cdf(&q, t), ps[j], 1e-12);
      /* above the service's own quantile, and the wait's */
      assert_true(t >= mmc_service_quantile(&q, ps[j]));
      assert_true(t >= mmc_wait_quantile(&q, ps[j]));
    }
  }
  /* cs = 0.5 is a gamma of shape 4: its quantile is gamma's */
  mmc q;
  assert_int_equal(mmc_init(&q, 50, 100, 1, 1, 0.5), 0);
  expect_rel(q.shape, 4, 1e-15);
  expect_rel(mmc_service_quantile(&q, 0.99), 10.045117514831615375 / 400,
             1e-13);
}

/* Brute force: the first c from the stability limit whose quantile (by
 * the root finder, a different path from the search's survival test)
 * meets the target. */
static double brute_response(double lambda, double mu, double ca, double cs,
                             double p, double t) {
  for (double c = floor(lambda / mu) + 1; c < 1e5; c++) {
    mmc q;
    mmc_init(&q, lambda, mu, c, ca, cs);
    if (mmc_response_quantile(&q, p) <= t)
      return c;
  }
  return 0;
}

static void test_servers_for(void **state) {
  (void)state;
  static const double cases[][6] = {
      /* lambda, mu, ca, cs, p, t */
      {900, 100, 1, 1, 0.99, 0.2},     {900, 100, 1, 1, 0.99, 0.1},
      {900, 100, 1, 1, 0.99, 0.05},    {900, 100, 1, 1, 0.99, 0.047},
      {900, 100, 1, 0.5, 0.99, 0.03},  {900, 100, 1, 0.5, 0.999, 0.05},
      {900, 100, 1, 0, 0.999, 0.0105}, {900, 100, 1, 0, 0.999, 0.02},
      {50, 100, 0.5, 2, 0.95, 0.1},    {10000, 50, 1, 1, 0.99, 0.15},
      {10000, 50, 1, 1, 0.999, 0.14},  {0, 100, 1, 1, 0.99, 0.05},
      {35000, 1, 1, 1, 0.5, 0.7},
  };
  for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
    const double *k = cases[i];
    double c = mmc_servers_for(k[0], k[1], k[2], k[3], k[4], k[5]);
    double b = brute_response(k[0], k[1], k[2], k[3], k[4], k[5]);
    if (c != b)
      print_error("case %zu: search %.0f, brute force %.0f\n", i, c, b);
    assert_true(c == b && c > 0);
  }
  /* exactly at the boundary: a target a hair above the quantile of c
   * servers gives c, a hair below gives c + 1 */
  mmc q;
  double c = mmc_servers_for(900, 100, 1, 1, 0.99, 0.06);
  mmc_init(&q, 900, 100, c, 1, 1);
  double t = mmc_response_quantile(&q, 0.99);
  assert_true(mmc_servers_for(900, 100, 1, 1, 0.99, t * (1 + 1e-10)) == c);
  assert_true(mmc_servers_for(900, 100, 1, 1, 0.99, t * (1 - 1e-10)) == c + 1);
  /* below the service time's own p99 (46 ms) no count can do it */
  assert_true(mmc_servers_for(900, 100, 1, 1, 0.99, 0.046) == 0);
  assert_true(mmc_servers_for(900, 100, 1, 0, 0.99, 0.0099) == 0);
  /* a target just above the service's p99 needs many, but finitely many */
  double many = mmc_servers_for(900, 100, 1, 1, 0.99, 0.04606);
  assert_true(many > 9 && many < 1000);
}

static void test_servers_for_wait(void **state) {
  (void)state;
  static const double cases[][6] = {
      {900, 100, 1, 1, 0.99, 0.001},
      {900, 100, 1, 1, 0.99, 0},
      {900, 100, 0.5, 2, 0.9, 0.01},
      {10000, 50, 1, 1, 0.99, 0.05},
  };
  for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
    const double *k = cases[i];
    double c = mmc_servers_for_wait(k[0], k[1], k[2], k[3], k[4], k[5]);
    double b = 0;
    for (double n = floor(k[0] / k[1]) + 1; n < 1e5 && b == 0; n++) {
      mmc q;
      mmc_init(&q, k[0], k[1], n, k[2], k[3]);
      if (mmc_wait_quantile(&q, k[4]) <= k[5])
        b = n;
    }
    assert_true(c == b && c > 0);
  }
  static const double means[] = {0.1, 0.01, 1e-4, 1e-9};
  for (size_t i = 0; i < ARRAY_LEN(means); i++) {
    double c = mmc_servers_for_wait_mean(900, 100, 1, 1, means[i]);
    double b = 0;
    for (double n = 10; n < 1e5 && b == 0; n++) {
      mmc q;
      mmc_init(&q, 900, 100, n, 1, 1);
      if (q.wait_mean <= means[i])
        b = n;
    }
    assert_true(c == b && c > 0);
  }
}

static void test_servers_for_random(void **state) {
  (void)state;
  static const double cases[][7] = {
      /* lambda, mu, slots, ca, cs, p, t */
      {900, 100, 1, 1, 1, 0.99, 0.1},
      {900, 100, 4, 1, 1, 0.99, 0.06},
      {900, 100, 4, 2, 0.5, 0.95, 0.03},
  };
  for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
    const double *k = cases[i];
    double n = mmc_servers_for_random(k[0], k[1], k[2], k[3], k[4], k[5], k[6]);
    double b = 0;
    for (double m = floor(k[0] / (k[1] * k[2])) + 1; m < 1e5 && b == 0; m++) {
      mmc q;
      mmc_init(&q, k[0] / m, k[1], k[2], sqrt(1 + (k[3] * k[3] - 1) / m), k[4]);
      if (mmc_response_quantile(&q, k[5]) <= k[6])
        b = m;
    }
    assert_true(n == b && n > 0);
    /* a shared queue never needs more slots than independent ones */
    assert_true(mmc_servers_for(k[0], k[1], k[3], k[4], k[5], k[6]) <=
                n * k[2]);
  }
}

/* Whitt's linking equation: M/M/c departs Poisson (Burke), M/D/1 at
 * rho 0.8 gives 1 - 0.64 = 0.36, and a c-server station damps the
 * service's part by sqrt(c). */
static void test_departure_ca(void **state) {
  (void)state;
  mmc q;
  mmc_init(&q, 320, 100, 4, 1, 1);
  expect_rel(mmc_departure_ca(&q), 1, 1e-15);
  mmc_init(&q, 80, 100, 1, 1, 0);
  expect_rel(mmc_departure_ca(&q), 0.6, 1e-15);
  mmc_init(&q, 320, 100, 4, 0.5, 2);
  expect_rel(mmc_departure_ca(&q),
             sqrt(1 + 0.36 * (0.25 - 1) + 0.64 * (4 - 1) / 2), 1e-15);
  mmc_init(&q, 0, 100, 4, 0, 0); /* no load: departures keep the arrivals' */
  assert_true(mmc_departure_ca(&q) == 0);
  mmc_init(&q, 99, 100, 1, 10, 10);
  assert_true(mmc_departure_ca(&q) == 10); /* capped */
  mmc_init(&q, 500, 100, 4, 1, 1);
  assert_true(mmc_departure_ca(&q) == -1);
}

static void test_invalid(void **state) {
  (void)state;
  assert_true(erlang_b(-1, 1) == -1);
  assert_true(erlang_b(1.5, 1) == -1);
  assert_true(erlang_b(1, -1) == -1);
  assert_true(erlang_b(1, NAN) == -1);
  assert_true(erlang_b(1, INFINITY) == -1);
  assert_true(erlang_b(INFINITY, 1) == -1);
  assert_true(erlang_b(2e15, 1) == -1);
  assert_true(erlang_c(2, 2) == -1);
  assert_true(erlang_c(2, 3) == -1);
  assert_true(erlang_c(0, 0.5) == -1);
  static const double bad[][5] = {
      {-1, 100, 1, 1, 1},       {NAN, 100, 1, 1, 1},
      {10, 0, 1, 1, 1},         {10, -5, 1, 1, 1},
      {10, INFINITY, 1, 1, 1},  {10, 100, 0, 1, 1},
      {10, 100, 2.5, 1, 1},     {10, 100, NAN, 1, 1},
      {10, 100, 1, -1, 1},      {10, 100, 1, 1, 11},
      {10, 100, 1, NAN, 1},     {INFINITY, 100, 1, 1, 1},
      {1e300, 1e-300, 1, 1, 1},
  };
  for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
    mmc q;
    assert_int_equal(
        mmc_init(&q, bad[i][0], bad[i][1], bad[i][2], bad[i][3], bad[i][4]),
        -1);
    assert_int_equal(q.status, MMC_INVALID);
    assert_true(q.p_wait == 0 && q.wait_mean == 0 && q.rho == 0);
    assert_true(mmc_wait_quantile(&q, 0.5) == -1);
    assert_true(mmc_service_quantile(&q, 0.5) == -1);
  }
  mmc q;
  mmc_init(&q, 50, 100, 1, 1, 1);
  static const double badp[] = {0, 1, -0.5, 2, NAN};
  for (size_t i = 0; i < ARRAY_LEN(badp); i++) {
    assert_true(mmc_wait_quantile(&q, badp[i]) == -1);
    assert_true(mmc_response_quantile(&q, badp[i]) == -1);
    assert_true(mmc_service_quantile(&q, badp[i]) == -1);
    assert_true(mmc_servers_for(50, 100, 1, 1, badp[i], 1) == -1);
  }
  assert_true(mmc_response_sf(&q, NAN) == -1);
  assert_true(mmc_response_sf(&q, -1) == 1);
  assert_true(mmc_response_sf(&q, INFINITY) == 0);
  assert_true(mmc_response_cdf(&q, 0) == 0);
  assert_true(mmc_wait_sf(&q, -1) == 1);
  assert_true(mmc_wait_sf(NULL, 1) == -1);
  assert_true(mmc_servers_for(50, 100, 1, 1, 0.9, -1) == -1);
  assert_true(mmc_servers_for(50, 100, 1, 1, 0.9, INFINITY) == -1);
  assert_true(mmc_servers_for(50, 0, 1, 1, 0.9, 1) == -1);
  assert_true(mmc_servers_for_wait(50, 100, 1, 1, 0.9, NAN) == -1);
  assert_true(mmc_servers_for_wait_mean(50, 100, -1, 1, 1) == -1);
  assert_true(mmc_servers_for_random(50, 100, 0, 1, 1, 0.9, 1) == -1);
  assert_true(mmc_servers_for_random(50, 100, 1.5, 1, 1, 0.9, 1) == -1);
}

/* Nothing returns NaN or infinity over a sweep of extreme inputs. */
static void test_finite(void **state) {
  (void)state;
  static const double lambdas[] = {0, 1e-300, 1e-3, 50, 99.999999, 1e6};
  static const double cs[] = {0, 1e-4, 0.01, 0.5, 1, 3, 10};
  static const double cc[] = {1, 2, 1e4, 1e15};
  static const double ts[] = {0, 1e-300, 1e-6, 0.01, 1, 1e6, 1e300};
  for (size_t i = 0; i < ARRAY_LEN(lambdas); i++)
    for (size_t j = 0; j < ARRAY_LEN(cs); j++)
      for (size_t k = 0; k < ARRAY_LEN(cc); k++) {
        mmc q;
        mmc_init(&q, lambdas[i], 100, cc[k], 1, cs[j]);
        double vals[] = {q.a,
                         q.rho,
                         q.p_wait,
                         q.wait_mean,
                         q.resp_mean,
                         q.wait_rate,
                         mmc_wait_quantile(&q, 0.999),
                         mmc_response_quantile(&q, 0.999),
                         mmc_response_quantile(&q, 1e-9),
                         mmc_service_quantile(&q, 0.5)};
        for (size_t v = 0; v < ARRAY_LEN(vals); v++)
          assert_true(isfinite(vals[v]));
        for (size_t t = 0; t < ARRAY_LEN(ts); t++) {
          double s = mmc_response_sf(&q, ts[t]);
          double f = mmc_response_cdf(&q, ts[t]);
          assert_true(isfinite(s) && isfinite(f));
          assert_true(q.status != MMC_OK ||
                      (s >= 0 && s <= 1 && f >= 0 && f <= 1));
        }
      }
}

/* mmc_response_quantiles, the quantiles a stage reports together, agree
 * with mmc_response_quantile one at a time: the first exactly (the same
 * solve), the others to 1e-13 relative (the same root by another path),
 * over exponential, gamma and constant service, one to 10^4 slots and
 * light to heavy load; and with the oracle's p99.  Levels that do not
 * rise, or lie below the median, are solved each on its own. */
static void test_response_quantiles(void **state) {
  (void)state;
  static const double levels[][4] = {{0.5, 0.95, 0.99, 0.999},
                                     {0.9, 0.99, 0.9999, 0.999999},
                                     {0.1, 0.5, 0.99, 0.5},
                                     {0.99, 0.99, 0.3, 1e-6}};
  static const double cs[] = {1, 0.2, 0.5, 2, 5, 0};
  static const double c_of[] = {1, 2, 7, 100, 1e4};
  static const double rho[] = {0.001, 0.3, 0.8, 0.98, 0.9999};
  size_t solved = 0;
  for (size_t a = 0; a < ARRAY_LEN(cs); a++)
    for (size_t b = 0; b < ARRAY_LEN(c_of); b++)
      for (size_t r = 0; r < ARRAY_LEN(rho); r++) {
        mmc q;
        double c = c_of[b], mu = 1000;
        if (mmc_init(&q, rho[r] * c * mu, mu, c, 1, cs[a]) < 0)
          continue;
        for (size_t l = 0; l < ARRAY_LEN(levels); l++) {
          double t[4];
          assert_int_equal(mmc_response_quantiles(&q, levels[l], 4, t), 0);
          for (int k = 0; k < 4; k++) {
            double one = mmc_response_quantile(&q, levels[l][k]);
            if (k == 0)
              assert_true(t[0] == one);
            else
              expect_rel(t[k], one, 1e-13);
          }
          solved++;
        }
      }
  assert_true(solved == ARRAY_LEN(cs) * ARRAY_LEN(c_of) * ARRAY_LEN(rho) *
                            ARRAY_LEN(levels));
  for (size_t i = 0; i < ARRAY_LEN(oracle); i++) {
    mmc q;
    assert_int_equal(
        mmc_init(&q, oracle[i][2], oracle[i][1], oracle[i][0], 1, 1), 0);
    double t[3];
    static const double lv[3] = {0.5, 0.95, 0.99};
    assert_int_equal(mmc_response_quantiles(&q, lv, 3, t), 0);
    expect_rel(t[2], oracle[i][9], 1e-9);
  }
  mmc q;
  assert_int_equal(mmc_init(&q, 500, 100, 8, 1, 1), 0);
  static const double bad[2] = {0.5, 1};
  double t[2];
  assert_int_equal(mmc_response_quantiles(&q, bad, 2, t), -1);
  assert_int_equal(mmc_init(&q, 900, 100, 8, 1, 1), -1); /* overloaded */
  assert_int_equal(mmc_response_quantiles(&q, bad, 1, t), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_oracle),
      cmocka_unit_test(test_octave_qsmmm),
      cmocka_unit_test(test_large_c),
      cmocka_unit_test(test_erlang_b_small),
      cmocka_unit_test(test_response_exponential),
      cmocka_unit_test(test_response_quantiles),
      cmocka_unit_test(test_theta_equals_mu),
      cmocka_unit_test(test_rho_near_one),
      cmocka_unit_test(test_overload),
      cmocka_unit_test(test_allen_cunneen),
      cmocka_unit_test(test_deterministic),
      cmocka_unit_test(test_response_gamma),
      cmocka_unit_test(test_servers_for),
      cmocka_unit_test(test_servers_for_wait),
      cmocka_unit_test(test_servers_for_random),
      cmocka_unit_test(test_departure_ca),
      cmocka_unit_test(test_invalid),
      cmocka_unit_test(test_finite),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

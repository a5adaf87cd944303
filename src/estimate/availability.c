/*
 * availability.c - see availability.h.
 *
 * k-of-n (FORMULAS.md section 2): A = sum_{k=m..n} C(n,k) a^k (1-a)^(n-k).
 * The binomial probability of the peak term of each tail is computed with
 * Loader's saddle-point form (C. Loader, "Fast and Accurate Computation of
 * Binomial Probabilities", 2000), which stays accurate when n is large and
 * lgamma differences would cancel; the rest of each tail follows from the
 * ratio of consecutive terms, summed outward until the terms no longer
 * change the sum.  Each tail is a sum of positive terms, so neither A nor
 * 1 - A suffers cancellation.
 */
#include "availability.h"

#include "figures.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>

#include "specfun.h"

#define CAPPLAN_PI 3.14159265358979323846

/* log(n!) - log(sqrt(2 pi n) (n/e)^n): the error of Stirling's formula. */
static double stirlerr(double n) {
  const double S0 = 1.0 / 12, S1 = 1.0 / 360, S2 = 1.0 / 1260, S3 = 1.0 / 1680,
               S4 = 1.0 / 1188;
  if (n <= 15)
    return specfun_lgamma(n + 1) - (n + 0.5) * log(n) + n -
           0.5 * log(2 * CAPPLAN_PI);
  double nn = n * n;
  if (n > 500)
    return (S0 - S1 / nn) / n;
  if (n > 80)
    return (S0 - (S1 - S2 / nn) / nn) / n;
  if (n > 35)
    return (S0 - (S1 - (S2 - S3 / nn) / nn) / nn) / n;
  return (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / n;
}

/* x log(x / np) + np - x, without cancellation when x is near np. */
static double bd0(double x, double np) {
  if (fabs(x - np) < 0.1 * (x + np)) {
    double v = (x - np) / (x + np);
    double s = (x - np) * v, ej = 2 * x * v;
    v = v * v;
    for (int j = 1; j < 1000; j++) {
      ej *= v;
      double s1 = s + ej / (2 * j + 1);
      if (s1 == s)
        return s1;
      s = s1;
    }
    return s;
  }
  return x * log(x / np) + np - x;
}

/* log of the binomial probability of k successes in n trials, p = a,
 * q = 1 - a (passed separately so q keeps its digits). */
static double log_pmf(double k, double n, double a, double q) {
  if (k == 0)
    return n * log1p(-a);
  if (k == n)
    return n * log(a);
  double lc = stirlerr(n) - stirlerr(k) - stirlerr(n - k) - bd0(k, n * a) -
              bd0(n - k, n * q);
  double lf = log(2 * CAPPLAN_PI) + log(k) + log1p(-k / n);
  return lc - 0.5 * lf;
}

/* The weight of term K in tail_sum: 1 for C = 0, else (K / HI)^C. */
static double tail_weight(double k, double hi, double c) {
  return c == 0 ? 1 : pow(k / hi, c);
}

/* Sum of the terms k = lo..hi, each times tail_weight(k, HI, C), relative
 * to the term at `peak` (inside the range, where the terms are largest),
 * walking both ways by the ratio t(k+1)/t(k) = (n-k)/(k+1) * a/q. */
static double tail_sum(double lo, double hi, double peak, double n, double a,
                       double q, double c) {
  const double eps = 1e-18;
  const long max_steps = 100000000L;
  double odds = a / q;
  double sum = tail_weight(peak, hi, c), t = 1;
  long steps = 0;
  for (double k = peak; k < hi && steps < max_steps; k++, steps++) {
    t *= (n - k) / (k + 1) * odds;
    double x = t * tail_weight(k + 1, hi, c);
    sum += x;
    if (x < eps * sum)
      break;
  }
  t = 1;
  for (double k = peak; k > lo && steps < max_steps; k--, steps++) {
    t *= k / (n - k + 1) / odds;
    double x = t * tail_weight(k - 1, hi, c);
    sum += x;
    if (x < eps * sum)
      break;
  }
  return sum;
}

/* Pools so large that summing terms would take long (a standard deviation
 * of servers up above 10,000, which needs some 10^11 servers at 99.9%) use
 * the normal approximation with continuity correction; its error, below
 * 1e-4 there, is far under what such a figure means. */
#define NORMAL_SIGMA 1e4

/* A term's weight in KDOWN (avail_tails) for M needed, C calls: K itself
 * for the common C = 1, else (K / (M - 1))^C, at most 1 below M (no
 * power of a large count overflows). */
static double weight(double k, double m, double c) {
  if (c == 1)
    return k;
  return m < 2 ? 0 : pow(k / (m - 1), c); /* below m = 1 only k = 0 */
}

/* sum_{k=0}^{M-1} (k / (M - 1))^C P(K = k), K ~ Bin(N, A), by Loader's
 * method for the peak term of the tail below M (as avail_k_of_n) and its
 * walk; for the pools where avail_k_of_n takes the normal approximation,
 * the sum for C = 1 over M - 1: every k that weighs is within a few
 * standard deviations of M there, a relative error of about C sigma / M,
 * under 1e-6 for calls in the hundreds (docs/decisions.md). */
static double kdown_pow(double m, double n, double a, double c) {
  double q = 1 - a;
  if (m < 2)
    return 0; /* only k = 0, whose weight is 0 */
  if (sqrt(n * a * q) > NORMAL_SIGMA)
    return n * a * avail_k_of_n(m - 1, n - 1, a).down / (m - 1);
  double mode = floor((n + 1) * a);
  if (mode > n)
    mode = n;
  double peak = mode < m - 1 ? mode : m - 1;
  if (peak < 1)
    peak = 1;
  return exp(log_pmf(peak, n, a, q)) * tail_sum(0, m - 1, peak, n, a, q, c);
}

/* E[(K / (M - 1))^C] over every k <= N < M: the peak term by Loader's
 * method and the walk both ways (kdown_pow's, to N). */
static double kdown_mean_pow(double m, double n, double a, double c) {
  double q = 1 - a, mode = floor((n + 1) * a);
  double peak = mode > n ? n : mode < 1 ? 1 : mode;
  if (n < 1)
    return 0;
  return exp(log_pmf(peak, n, a, q)) * tail_sum(0, n, peak, n, a, q, c) *
         pow(n / (m - 1), c);
}

avail avail_k_of_n(double m, double n, double a) {
  avail r = {1, 0};
  if (m <= 0)
    return r;
  if (m > n || a <= 0) {
    r.up = 0;
    r.down = 1;
    return r;
  }
  if (a >= 1)
    return r;
  double q = 1 - a;
  double sigma = sqrt(n * a * q);
  if (sigma > NORMAL_SIGMA) {
    double z = (m - 0.5 - n * a) / (sigma * sqrt(2.0));
    r.up = 0.5 * erfc(z);
    r.down = 0.5 * erfc(-z);
    return r;
  }
  double mode = floor((n + 1) * a);
  if (mode > n)
    mode = n;
  double peak_up = mode > m ? mode : m;
  double peak_down = mode < m - 1 ? mode : m - 1;
  r.up = exp(log_pmf(peak_up, n, a, q)) * tail_sum(m, n, peak_up, n, a, q, 0);
  r.down = exp(log_pmf(peak_down, n, a, q)) *
           tail_sum(0, m - 1, peak_down, n, a, q, 0);
  if (r.up > 1)
    r.up = 1;
  if (r.down > 1)
    r.down = 1;
  return r;
}

/* avail_tails' direct walk: the terms t_k = C(n,k) a^k q^(n-k) from
 * k = n down, t_{k-1} = t_k k / (n - k + 1) (q / a), summed into the upper
 * tail (k >= m) and the lower one (k < m, and sum k t_k for the request
 * share) until they no longer change the sums.  Starting from t_n = a^n
 * keeps every term a product of moderate factors: used when a^n does not
 * underflow and few failures are expected (n q small), so the walk is
 * short. */
#define WALK_MAX_FAILURES 400.0

static bool walk_tails(double m, double n, double a, double q, double c,
                       avail *all, double *kdown) {
  double log_top = n * log1p(-q);
  if (log_top < -600 || n * q > WALK_MAX_FAILURES)
    return false;
  const double eps = 1e-18;
  double t = exp(log_top), up = 0, down = 0, kd = 0, odds = q / a;
  double mode = floor((n + 1) * a);
  for (double k = n; k >= 0; k--) {
    if (k >= m) {
      up += t;
    } else {
      down += t;
      kd += weight(k, m, c) * t;
      if (k < mode && t < eps * down)
        break; /* past the peak, the rest add nothing */
    }
    if (k == 0)
      break;
    t *= k / (n - k + 1) * odds;
  }
  /* Each tail was summed from its own terms, so both keep their digits;
   * their sum is one up to rounding. */
  all->up = up < 1 ? up : 1;
  all->down = down < 1 ? down : 1;
  *kdown = kd;
  return true;
}

void avail_tails(double m, double n, double a, double c, avail *all,
                 double *kdown) {
  *kdown = 0;
  if (m <= 0 || (a >= 1 && m <= n)) {
    *all = avail_of(1);
    return;
  }
  if (m > n || a <= 0) {
    all->up = 0;
    all->down = 1;
    /* Every k is below m: the whole mean for c = 1, else E[weight(K)]
     * (a >= 1 leaves K = n, a <= 0 K = 0). */
    *kdown = c == 1   ? n * a
             : a >= 1 ? weight(n, m, c)
             : a <= 0 ? 0
                      : kdown_mean_pow(m, n, a, c);
    return;
  }
  double q = 1 - a;
  if (!walk_tails(m, n, a, q, c, all, kdown)) {
    /* Many expected failures: Loader's method for each tail, and for
     * c = 1, sum_{k<m} k P(K = k) = n a P(K' <= m - 2), K' ~ Bin(n - 1,
     * a), by k C(n,k) a^k = n a C(n-1,k-1) a^(k-1). */
    *all = avail_k_of_n(m, n, a);
    if (c != 1)
      *kdown = kdown_pow(m, n, a, c);
    else
      *kdown = m > 1 ? n * a * avail_k_of_n(m - 1, n - 1, a).down : 0;
  }
  /* Servers that can fail leave a chance, however small, that too few are
   * up: one below what a double holds stays the smallest positive one, so
   * that no format shows such a pool as 100% (docs/decisions.md). */
  if (!(all->down > 0))
    all->down = DBL_TRUE_MIN;
}

double avail_load_pow_any(double r, double m, double c) {
  return c == 1 || !(r > 0) || m < 2 ? r : pow(r / (m - 1), c);
}

void avail_pool(double m, double n, double a, double r, double c, avail *all,
                avail *req) {
  double kdown;
  avail_tails(m, n, a, c, all, &kdown);
  *req = avail_share(*all, kdown, avail_load_pow(r, m, c));
}

void avail_sharded(double shards, double n, double m, double a, double carry,
                   double c, avail *all, avail *req) {
  /* The load: k-of-n and its share, as avail_pool. */
  avail load, served;
  avail_pool(m, n, a, carry, c, &load, &served);
  /* The data: N = S b + e, e shards on b + 1 servers and S - e on b; a
   * shard on r servers is lost with probability q^r. */
  double q = 1 - a, b = floor(n / shards), e = n - shards * b;
  double d0 = pow(q, b), d1 = pow(q, b + 1);
  /* Every shard up: a product, in logs so that 1 - 1e-12 keeps its
   * digits (e < S, so no zero times an infinite log). */
  double lu = (shards - e) * log1p(-d0) + (e > 0 ? e * log1p(-d1) : 0);
  avail data = {exp(lu), -expm1(lu)};
  /* A call finds its shard up but for the shards' mean down share; a
   * request's C calls each must: (1 - d)^C. */
  double d = ((shards - e) * d0 + (e > 0 ? e * d1 : 0)) / shards;
  double lr = c * log1p(-d);
  avail reach = {exp(lr), -expm1(lr)};
  *all = avail_series(load, data);
  *req = avail_series(served, reach);
}

double avail_nines(avail x) {
  if (x.down <= 1e-300)
    return 300;
  return -log10(x.down);
}

avail_figs avail_figs_of(avail x) {
  double n = avail_nines(x);
  avail_figs f;
  f.above_cap = n > CAPPLAN_NINES_CAP;
  f.nines = f.above_cap ? CAPPLAN_NINES_CAP : n;
  f.down_year_min = x.down * CAPPLAN_MINUTES_PER_YEAR;
  f.down_month_min = x.down * CAPPLAN_MINUTES_PER_MONTH;
  return f;
}

/* AS 241 (Wichura 1988, Applied Statistics 37:477-484), PPND16: rational
 * approximations in three regions, relative accuracy about 1e-16. */
double normal_quantile(double p) {
  double q = p - 0.5, r, x;
  if (fabs(q) <= 0.425) {
    r = 0.180625 - q * q;
    return q *
           (((((((2509.0809287301226727 * r + 33430.575583588128105) * r +
                 67265.770927008700853) *
                    r +
                45921.953931549871457) *
                   r +
               13731.693765509461125) *
                  r +
              1971.5909503065514427) *
                 r +
             133.14166789178437745) *
                r +
            3.387132872796366608) /
           (((((((5226.495278852545925 * r + 28729.085735721942674) * r +
                 39307.89580009271061) *
                    r +
                21213.794301586595867) *
                   r +
               5394.1960214247511077) *
                  r +
              687.1870074920579083) *
                 r +
             42.313330701600911252) *
                r +
            1.0);
  }
  r = q < 0 ? p : 1 - p;
  r = sqrt(-log(r));
  if (r <= 5) {
    r -= 1.6;
    x = (((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r +
              0.24178072517745061177) *
                 r +
             1.27045825245236838258) *
                r +
            3.64784832476320460504) *
               r +
           5.7694972214606914055) *
              r +
          4.6303378461565452959) *
             r +
         1.42343711074968357734) /
        (((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r +
              0.0151986665636164571966) *
                 r +
             0.14810397642748007459) *
                r +
            0.68976733498510000455) *
               r +
           1.6763848301838038494) *
              r +
          2.05319162663775882187) *
             r +
         1.0);
  } else {
    r -= 5;
    x = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r +
              0.0012426609473880784386) *
                 r +
             0.026532189526576123093) *
                r +
            0.29656057182850489123) *
               r +
           1.7848265399172913358) *
              r +
          5.4637849111641143699) *
             r +
         6.6579046435011037772) /
        (((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r +
              1.8463183175100546818e-5) *
                 r +
             7.868691311456132591e-4) *
                r +
            0.0148753612908506148525) *
               r +
           0.13692988092273580531) *
              r +
          0.59983220655588793769) *
             r +
         1.0);
  }
  return q < 0 ? -x : x;
}

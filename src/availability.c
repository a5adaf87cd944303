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

#include <math.h>

#define CAPPLAN_PI 3.14159265358979323846

/* log(n!) - log(sqrt(2 pi n) (n/e)^n): the error of Stirling's formula. */
static double stirlerr(double n) {
  const double S0 = 1.0 / 12, S1 = 1.0 / 360, S2 = 1.0 / 1260, S3 = 1.0 / 1680,
               S4 = 1.0 / 1188;
  if (n <= 15)
    return lgamma(n + 1) - (n + 0.5) * log(n) + n - 0.5 * log(2 * CAPPLAN_PI);
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

/* Sum of the terms k = lo..hi relative to the term at `peak` (inside the
 * range, where the terms are largest), walking both ways by the ratio
 * t(k+1)/t(k) = (n-k)/(k+1) * a/q. */
static double tail_sum(double lo, double hi, double peak, double n, double a,
                       double q) {
  const double eps = 1e-18;
  const long max_steps = 100000000L;
  double odds = a / q;
  double sum = 1, t = 1;
  long steps = 0;
  for (double k = peak; k < hi && steps < max_steps; k++, steps++) {
    t *= (n - k) / (k + 1) * odds;
    sum += t;
    if (t < eps * sum)
      break;
  }
  t = 1;
  for (double k = peak; k > lo && steps < max_steps; k--, steps++) {
    t *= k / (n - k + 1) / odds;
    sum += t;
    if (t < eps * sum)
      break;
  }
  return sum;
}

/* Pools so large that summing terms would take long (a standard deviation
 * of servers up above 10,000, which needs some 10^11 servers at 99.9%) use
 * the normal approximation with continuity correction; its error, below
 * 1e-4 there, is far under what such a figure means. */
#define NORMAL_SIGMA 1e4

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
  r.up = exp(log_pmf(peak_up, n, a, q)) * tail_sum(m, n, peak_up, n, a, q);
  r.down =
      exp(log_pmf(peak_down, n, a, q)) * tail_sum(0, m - 1, peak_down, n, a, q);
  if (r.up > 1)
    r.up = 1;
  if (r.down > 1)
    r.down = 1;
  return r;
}

avail avail_of(double a) {
  avail r = {a, 1 - a};
  return r;
}

avail avail_series(avail x, avail y) {
  avail r = {x.up * y.up, x.down + y.down * x.up};
  return r;
}

avail avail_parallel(avail x, avail y) {
  avail r = {x.up + y.up * x.down, x.down * y.down};
  return r;
}

double avail_nines(avail x) {
  if (x.down <= 1e-300)
    return 300;
  return -log10(x.down);
}

/*
 * specfun.c - see specfun.h.  Leaf of the estimator's queueing code:
 * queueing.c and latdist.c call these; nothing here knows about plans.
 */
/* lgamma_r (glibc's and the BSDs' re-entrant lgamma), beyond ISO C. */
#define _DEFAULT_SOURCE
#include "specfun.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>

#define SPECFUN_PI 3.14159265358979323846
#define LN_SQRT_2PI 0.91893853320467274178

double specfun_lgamma(double x) {
  int sign; /* lgamma would write it to the global signgam */
  return lgamma_r(x, &sign);
}
/* A relative change below this ends a series: past double precision. */
#define SERIES_EPS 1e-17
/* Enough terms for k up to about 1e8 near x = k (about 9 sqrt(k)). */
#define SERIES_MAX 10000000

/* ln Gamma(k + 1) - ln(sqrt(2 pi k) (k / e)^k): the error of Stirling's
 * formula, k > 0.  The asymptotic series (A & S 6.1.41) above 15, where
 * its first five terms leave less than 1e-17; directly below, where
 * lgamma is small enough to keep the absolute error near 1e-15. */
static double stirlerr(double k) {
  const double s0 = 1.0 / 12, s1 = 1.0 / 360, s2 = 1.0 / 1260, s3 = 1.0 / 1680,
               s4 = 1.0 / 1188;
  if (k <= 15)
    return specfun_lgamma(k + 1) - (k + 0.5) * log(k) + k - LN_SQRT_2PI;
  double kk = k * k;
  return (s0 - (s1 - (s2 - (s3 - s4 / kk) / kk) / kk) / kk) / k;
}

/* k ln(k / x) + x - k >= 0, the deviance term of Loader's form, without
 * the cancellation of the direct formula when k and x are close: with
 * v = (k - x) / (k + x) it is (k - x) v + 2k (v^3/3 + v^5/5 + ...). */
static double bd0(double k, double x) {
  if (fabs(k - x) < 0.1 * (k + x)) {
    double v = (k - x) / (k + x);
    double s = (k - x) * v;
    double ej = 2 * k * v;
    double vv = v * v;
    for (int j = 1; j < 1000; j++) {
      ej *= vv;
      double s1 = s + ej / (2 * j + 1);
      if (s1 == s)
        return s1;
      s = s1;
    }
    return s;
  }
  return k * log(k / x) + x - k;
}

double specfun_log_pois(double k, double x) {
  if (!(k >= 0) || !(x >= 0) || isinf(k) || isinf(x))
    return -1e308;
  if (x == 0)
    return k == 0 ? 0 : -1e308;
  if (k == 0)
    return -x;
  return -stirlerr(k) - bd0(k, x) - 0.5 * log(2 * SPECFUN_PI * k);
}

double specfun_gamma_series(double k, double x) {
  if (!(k >= 0) || !(x >= 0) || !(x < k + 1) || isinf(k))
    return -1;
  double term = 1, sum = 1;
  for (long n = 1; n < SERIES_MAX; n++) {
    term *= x / (k + (double)n);
    sum += term;
    if (term < SERIES_EPS * sum)
      break;
  }
  return sum;
}

/* Q(k, x) for x >= k + 1 by the continued fraction of A & S 6.5.31,
 * Gamma(k, x) = e^-x x^k / (x + 1 - k - 1(1 - k) / (x + 3 - k - ...)),
 * evaluated forward with the modified Lentz method. */
static double gamma_q_cf(double k, double x) {
  const double tiny = 1e-300;
  double b = x + 1 - k;
  double c = 1 / tiny;
  double d = 1 / b;
  double h = d;
  for (long i = 1; i < SERIES_MAX; i++) {
    double an = -(double)i * ((double)i - k);
    b += 2;
    d = an * d + b;
    if (fabs(d) < tiny)
      d = tiny;
    c = b + an / c;
    if (fabs(c) < tiny)
      c = tiny;
    d = 1 / d;
    double del = d * c;
    h *= del;
    if (fabs(del - 1) < 1e-16)
      break;
  }
  /* e^-x x^k / Gamma(k) = k * pois(k, x) */
  return exp(specfun_log_pois(k, x)) * k * h;
}

void specfun_gamma_pq(double k, double x, double *p, double *q) {
  if (!(k > 0) || isinf(k) || !(x >= 0)) {
    *p = *q = -1;
  } else if (isinf(x)) {
    *p = 1;
    *q = 0;
  } else if (x == 0) {
    *p = 0;
    *q = 1;
  } else if (x < k + 1) {
    *p = exp(specfun_log_pois(k, x)) * specfun_gamma_series(k, x);
    if (*p > 1)
      *p = 1;
    *q = 1 - *p;
  } else {
    *q = gamma_q_cf(k, x);
    if (*q > 1)
      *q = 1;
    *p = 1 - *q;
  }
}

double specfun_gamma_p(double k, double x) {
  if (!(k > 0) || isinf(k) || !(x >= 0))
    return -1;
  if (isinf(x))
    return 1;
  if (x == 0)
    return 0;
  if (x < k + 1)
    return exp(specfun_log_pois(k, x)) * specfun_gamma_series(k, x);
  double q = gamma_q_cf(k, x);
  return q >= 1 ? 0 : 1 - q;
}

double specfun_gamma_q(double k, double x) {
  if (!(k > 0) || isinf(k) || !(x >= 0))
    return -1;
  if (isinf(x))
    return 0;
  if (x == 0)
    return 1;
  if (x >= k + 1)
    return gamma_q_cf(k, x);
  double p = exp(specfun_log_pois(k, x)) * specfun_gamma_series(k, x);
  return p >= 1 ? 0 : 1 - p;
}

double specfun_kummer1(double k, double y) {
  if (!(k > 0) || !(y >= 0) || isinf(k))
    return -1;
  if (isinf(y))
    return 0;
  if (y == 0)
    return 1;
  if (y >= 2 * fabs(k - 1) + 120) {
    /* A & S 13.5.1 with a = 1, b = k + 1, z = -y:
     * 1F1(1; k + 1; -y) ~ (k / y) sum_n (1 - k)_n y^-n, plus a term of
     * order e^-y.  Here each ratio |1 - k + n| / y stays below 1/2 for
     * the 60 terms that reach 1e-17, so the truncation is harmless. */
    double term = 1, sum = 1;
    for (int n = 0; n < 200; n++) {
      term *= (1 - k + n) / y;
      sum += term;
      if (fabs(term) < SERIES_EPS * fabs(sum))
        break;
    }
    return k / y * sum;
  }
  /* sum_n pois(n, y) k / (k + n), outward from the mode so that nothing
   * underflows before the terms that matter. */
  double m = floor(y);
  double pm = exp(specfun_log_pois(m, y));
  double sum = pm * k / (k + m);
  double pn = pm;
  for (double n = m + 1; n < m + SERIES_MAX; n++) {
    pn *= y / n;
    double t = pn * k / (k + n);
    sum += t;
    if (t < SERIES_EPS * sum)
      break;
  }
  pn = pm;
  for (double n = m; n > 0; n--) {
    pn *= n / y;
    double t = pn * k / (k + n - 1);
    sum += t;
    if (t < SERIES_EPS * sum)
      break;
  }
  return sum;
}

double specfun_norm_q(double z) {
  if (isnan(z))
    return -1;
  return 0.5 * erfc(z / 1.41421356237309504880);
}

/* log Q(z) and the derivative of it, -pdf(z) / Q(z), for Newton. */
static double log_norm_q(double z, double *dlog) {
  double q = specfun_norm_q(z);
  double pdf = exp(-0.5 * z * z - LN_SQRT_2PI);
  if (q < DBL_MIN) {
    /* Beyond z ~ 37 Q underflows: Mills' ratio, Q ~ pdf / z. */
    *dlog = -z;
    return -0.5 * z * z - LN_SQRT_2PI - log(z);
  }
  *dlog = -pdf / q;
  return log(q);
}

double specfun_norm_q_inv(double q) {
  if (!(q > 0 && q < 1))
    return -1;
  if (q == 0.5)
    return 0;
  if (q > 0.5)
    return -specfun_norm_q_inv(1 - q); /* exact: 1 - q for q >= 1/2 */
  /* A & S 26.2.23 (|error| < 4.5e-4), then Newton on log Q. */
  double t = sqrt(-2 * log(q));
  double z =
      t - (2.515517 + 0.802853 * t + 0.010328 * t * t) /
              (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);
  double lq = log(q);
  for (int i = 0; i < 50; i++) {
    double d;
    double f = log_norm_q(z, &d) - lq;
    double step = f / d;
    z -= step;
    if (fabs(step) <= 1e-15 * (fabs(z) + 1e-300))
      break;
  }
  return z;
}

double specfun_phi(double x) {
  if (x == 0)
    return 1;
  if (!(x > 0) || isinf(x))
    return isinf(x) ? 0 : -1;
  return -expm1(-x) / x;
}

double specfun_one_minus_phi(double x) {
  if (!(x >= 0))
    return -1;
  if (isinf(x))
    return 1;
  if (x < 1) {
    /* sum_{j>=1} (-1)^(j+1) x^j / (j+1)!: alternating, |terms| falling */
    double term = 1, sum = 0;
    for (int j = 1; j < 40; j++) {
      term *= -x / (j + 1);
      sum -= term;
      if (fabs(term) < SERIES_EPS * sum)
        break;
    }
    return sum;
  }
  return (x + expm1(-x)) / x;
}

/* Safeguarded Newton inside [LO, HI] with g(LO) > 0 > g(HI) = GHI and
 * g'(HI) = DG: from HI, whose derivative is known, each step kept
 * inside the bracket, bisecting whenever a step leaves it or does not
 * halve the last.  The root into *T, and into *DG_AT the derivative at
 * the last point evaluated (next to the root). */
static void newton_in(specfun_fn g, void *arg, double lo, double hi, double ghi,
                      double dg, double *t, double *dg_at) {
  double x = hi, gx = ghi, dgx = dg;
  double last = hi - lo;
  for (int it = 0; it < 400; it++) {
    double next;
    double step = 0;
    int newton = dgx < 0 && isfinite(dgx);
    if (newton) {
      step = gx / dgx;
      next = x - step;
      newton = next > lo && next < hi && fabs(step) <= 0.5 * last;
    }
    if (!newton) {
      next = 0.5 * (lo + hi);
      step = x - next;
    }
    last = fabs(step);
    if (last <= 1e-15 * next || hi - lo <= 4 * DBL_EPSILON * hi || next == x) {
      *t = next;
      *dg_at = dgx;
      return;
    }
    x = next;
    gx = g(x, arg, &dgx);
    if (gx == 0) {
      *t = x;
      *dg_at = dgx;
      return;
    }
    if (gx > 0)
      lo = x;
    else
      hi = x;
  }
  *t = 0.5 * (lo + hi);
  *dg_at = dgx;
}

/* Brackets the root above BASE (g(BASE) > 0, or BASE = 0) by trying
 * T0 > BASE and then doubling its distance from BASE (T0, 2 T0, 4 T0,
 * ... from 0), then newton_in. */
static int root_above(specfun_fn g, void *arg, double base, double t0,
                      bool guess, double *t, double *dg_at) {
  double dg = 0, lo = base, hi = t0;
  double ghi = g(hi, arg, &dg);
  /* A guess as good as the answer (a tail that is exactly exponential):
   * its Newton step is below the tolerance newton_in stops at.  Taken
   * as it is, since rounding may put it on either side of the root, and
   * from the wrong side each Newton step would land outside the bracket
   * and the bracket would be halved fifty times. */
  if (guess && dg < 0 && isfinite(dg) && fabs(ghi / dg) <= 1e-15 * t0) {
    *t = t0 - ghi / dg;
    *dg_at = dg;
    return 0;
  }
  while (ghi > 0) {
    lo = hi;
    hi = base + 2 * (hi - base);
    if (hi > 1e300)
      return -1;
    ghi = g(hi, arg, &dg);
  }
  if (ghi == 0) {
    *t = hi;
    *dg_at = dg;
    return 0;
  }
  newton_in(g, arg, lo, hi, ghi, dg, t, dg_at);
  return 0;
}

int specfun_root_decreasing(specfun_fn g, void *arg, double t0, double *t) {
  double dg_at;
  return specfun_root_decreasing_at(g, arg, t0, t, &dg_at);
}

int specfun_root_decreasing_at(specfun_fn g, void *arg, double t0, double *t,
                               double *dg_at) {
  if (!(t0 > 0) || isinf(t0))
    t0 = 1;
  return root_above(g, arg, 0, t0, false, t, dg_at);
}

int specfun_root_decreasing_from(specfun_fn g, void *arg, double lo, double t0,
                                 double *t, double *dg_at) {
  if (!(lo >= 0) || !isfinite(lo))
    lo = 0;
  if (!(t0 > lo) || isinf(t0))
    t0 = lo > 0 ? 2 * lo : 1;
  return root_above(g, arg, lo, t0, true, t, dg_at);
}

typedef struct gq_arg {
  double k, p;
} gq_arg;

/* log Q(k, x) - log(1 - p), or log p - log P(k, x) below the median;
 * the derivative from the density x^(k-1) e^-x / Gamma(k). */
static double gamma_quantile_g(double x, void *argp, double *dg) {
  const gq_arg *a = argp;
  double dens = exp(specfun_log_pois(a->k, x) + log(a->k) - log(x));
  if (a->p >= 0.5) {
    double q = specfun_gamma_q(a->k, x);
    if (q < 1e-300) {
      *dg = 0;
      return log(1e-300) - log1p(-a->p);
    }
    *dg = -dens / q;
    return log(q) - log1p(-a->p);
  }
  double pp = specfun_gamma_p(a->k, x);
  if (pp < 1e-300) {
    *dg = 0;
    return log(a->p) - log(1e-300);
  }
  *dg = -dens / pp;
  return log(a->p) - log(pp);
}

double specfun_gamma_quantile(double k, double p) {
  if (!(k > 0) || isinf(k) || !(p > 0 && p < 1))
    return -1;
  /* Wilson-Hilferty: (x / k)^(1/3) is nearly normal, mean 1 - 1/(9k),
   * variance 1/(9k); a start only, so clamp it positive. */
  double z = specfun_norm_q_inv(1 - p);
  double v = 1 / (9 * k);
  double w = 1 - v + z * sqrt(v);
  double x0 = w > 0.1 ? k * w * w * w : k * 1e-3 + 1e-3;
  gq_arg arg = {k, p};
  double x;
  if (specfun_root_decreasing(gamma_quantile_g, &arg, x0, &x) < 0)
    return -1;
  return x;
}

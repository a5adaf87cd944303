/*
 * queueing.c - see queueing.h.  The estimator calls these for every stage
 * and every candidate server count, so nothing here allocates and every
 * figure is a closed form or a short, bounded iteration.
 */
#include "queueing.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "specfun.h"

/* Counts above this are not whole numbers we can step through. */
#define MAX_SERVERS 1e15
/* Below this service CV the service is taken as deterministic: a gamma of
 * shape above 1e6 costs thousands of series terms per evaluation, and its
 * quantiles are within z * cs < 0.4% of the mean. */
#define CS_DETERMINISTIC 1e-3
/* A wait scale below this is no wait at all (its mean would be below
 * 1e-15 of the M/M/c one). */
#define SCALE_NONE 1e-15

static int whole(double c) {
  return c >= 0 && c <= MAX_SERVERS && c == floor(c);
}

double erlang_b(double c, double a) {
  if (!whole(c) || !(a >= 0) || isinf(a))
    return -1;
  if (c == 0)
    return 1;
  if (a == 0)
    return 0;
  /* B = pois(c; a) / P(N <= c) for N ~ Poisson(a), and P(N <= c) >= 1/2
   * when c >= a, so B <= 2 pois(c; a): far above the load the answer is
   * below 1e-300 (returned as 0) without stepping through the counts. */
  if (c >= a && specfun_log_pois(c, a) < -691.5)
    return 0;
  /* Start at k0 with B = 1, an upper bound, so 1/B errs by a factor in
   * (0, 1]: each step multiplies that relative error by 1 - B_k <= k/a
   * (B_k >= 1 - k/a: the carried load a (1 - B) cannot exceed k), and
   * the product over k0 < k <= min(c, a) is at most
   * exp(-sum (a - k)/a) = e^-50 once sum (a - k) reaches 50 a. */
  double m = c < a ? c : a;
  double x_lo = a - m;
  double k0 = floor(a - sqrt(x_lo * x_lo + 100 * a)) - 1;
  if (k0 < 0)
    k0 = 0;
  double inv = 1; /* 1 / B_k0 */
  for (double k = k0 + 1; k <= c; k++) {
    inv = 1 + inv * k / a;
    if (inv > 1e300)
      return 0;
  }
  return 1 / inv;
}

double erlang_c(double c, double a) {
  if (!whole(c) || c < 1 || !(a >= 0) || !(a < c))
    return -1;
  double b = erlang_b(c, a);
  if (b <= 0)
    return b < 0 ? -1 : 0;
  return c * b / (c - a + a * b);
}

int mmc_init(mmc *q, double lambda, double mu, double c, double ca, double cs) {
  memset(q, 0, sizeof *q);
  q->status = MMC_INVALID;
  q->shape = 1;
  if (!(lambda >= 0) || isinf(lambda) || !(mu > 0) || isinf(mu) || !whole(c) ||
      c < 1 || !(ca >= 0 && ca <= 10) || !(cs >= 0 && cs <= 10))
    return -1;
  double a = lambda / mu;
  if (isinf(a))
    return -1;
  q->lambda = lambda;
  q->mu = mu;
  q->c = c;
  q->ca = ca;
  q->cs = cs;
  q->a = a;
  q->rho = a / c;
  q->wait_scale = (ca * ca + cs * cs) / 2;
  if (cs == 1) {
    q->service = MMC_SERVICE_EXPONENTIAL;
  } else if (cs < CS_DETERMINISTIC) {
    q->service = MMC_SERVICE_DETERMINISTIC;
  } else {
    q->service = MMC_SERVICE_GAMMA;
    q->shape = 1 / (cs * cs);
  }
  if (!(a < c)) {
    q->status = MMC_OVERLOADED;
    q->erlang_c = 1;
    q->p_wait = 1;
    return -1;
  }
  q->theta = c * mu - lambda;
  if (!(q->theta > 0)) { /* a < c but c mu - lambda rounded to 0 */
    q->status = MMC_OVERLOADED;
    q->erlang_c = 1;
    q->p_wait = 1;
    return -1;
  }
  q->erlang_c = erlang_c(c, a);
  /* FORMULAS.md section 3b: Allen-Cunneen scales the wait's time axis. */
  if (q->wait_scale >= SCALE_NONE && q->erlang_c > 0) {
    q->p_wait = q->erlang_c;
    q->wait_rate = q->theta / q->wait_scale;
    q->wait_mean = q->p_wait / q->wait_rate;
  }
  q->resp_mean = q->wait_mean + 1 / mu;
  q->status = MMC_OK;
  return 0;
}

static int ok(const mmc *q) {
  return q && q->status == MMC_OK;
}

static int prob_ok(double p) {
  return p > 0 && p < 1;
}

double mmc_wait_sf(const mmc *q, double t) {
  if (!ok(q) || isnan(t))
    return -1;
  if (t < 0)
    return 1;
  if (q->p_wait == 0)
    return 0;
  return q->p_wait * exp(-q->wait_rate * t);
}

double mmc_wait_cdf(const mmc *q, double t) {
  double s = mmc_wait_sf(q, t);
  return s < 0 ? -1 : 1 - s;
}

double mmc_wait_quantile(const mmc *q, double p) {
  if (!ok(q) || !prob_ok(p))
    return -1;
  if (!(q->p_wait > 1 - p))
    return 0;
  return (log(q->p_wait) - log1p(-p)) / q->wait_rate;
}

/* The response time's survival S, CDF F and density f at t > 0.  F is
 * left at 0 unless asked for: a quantile above the median reads only S
 * and f, and F costs an expm1 or a gamma series at every Newton step. */
typedef struct resp_point {
  double sf, cdf, pdf;
} resp_point;

/* Exponential service: FORMULAS.md section 3 with the wait's rate r in
 * place of theta.  With m = min(r, mu) and d = |r - mu| both cases
 * r >= mu and r < mu read e^-mu t + p mu t e^-m t phi(d t), and the
 * density (the derivative, term by term) (1 - p) mu e^-mu t +
 * p r mu t e^-m t phi(d t); nothing overflows. */
static resp_point resp_exponential(const mmc *q, double t, int want_cdf) {
  double mu = q->mu, r = q->wait_rate, pw = q->p_wait;
  double es = exp(-mu * t);
  double j = 0;
  if (pw > 0) {
    /* with r >= mu, e^-m t is e^-mu t, already at hand */
    double em = r < mu ? exp(-r * t) : es;
    j = mu * t * em * specfun_phi(fabs(r - mu) * t);
  }
  resp_point x;
  x.sf = es + pw * j;
  x.pdf = (1 - pw) * mu * es + pw * r * j;
  x.cdf = 0;
  if (!want_cdf)
    return x;
  /* F = F_S - p J: direct near 0, where 1 - S would lose the digits */
  x.cdf = x.sf < 0.5 ? 1 - x.sf : -expm1(-mu * t) - pw * j;
  if (x.cdf < 0)
    x.cdf = 0;
  return x;
}

/* Gamma service of shape k and rate beta = k mu.  T = W + S with
 * P(T > t) = Q(k, x) + p J(t), x = beta t, and
 * J(t) = int_0^t f_S(u) e^{-r (t - u)} du (the waiters' part beyond the
 * service's own tail).  Expanding e^{r u} and integrating term by term:
 *   r <= beta: J = pois(k, x) sum_n (y^n / (k+1)...(k+n)), y = (1 - r/beta) x
 *              = e^{-r t} (1 - r/beta)^{-k} P(k, y),
 *   r > beta:  J = pois(k, x) 1F1(1; k+1; -y), y = (r/beta - 1) x,
 * all sums of positive terms (specfun.h).  The density is
 * (1 - p) f_S(t) + p r J(t), since J' = f_S - r J. */
static double resp_gamma_j(const mmc *q, double t) {
  double k = q->shape, beta = k * q->mu, r = q->wait_rate;
  double x = beta * t;
  double lp = specfun_log_pois(k, x);
  if (r <= beta) {
    double rr = 1 - r / beta;
    double y = rr * x;
    if (y < k + 1)
      return exp(lp) * specfun_gamma_series(k, y);
    return exp(-r * t - k * log(rr)) * specfun_gamma_p(k, y);
  }
  return exp(lp) * specfun_kummer1(k, (r / beta - 1) * x);
}

static resp_point resp_gamma(const mmc *q, double t, int want_cdf) {
  double k = q->shape, beta = k * q->mu, x = beta * t;
  double pw = q->p_wait;
  resp_point y;
  double sq = specfun_gamma_q(k, x), sp = want_cdf ? specfun_gamma_p(k, x) : 0;
  /* f_S = beta x^(k-1) e^-x / Gamma(k); in logs, so that x near 0 with
   * k < 1 gives a large number, never 0 * inf */
  double fs = beta * exp(specfun_log_pois(k, x) + log(k) - log(x));
  if (fs > DBL_MAX)
    fs = DBL_MAX;
  double j = pw > 0 ? resp_gamma_j(q, t) : 0;
  y.sf = sq + pw * j;
  y.cdf = sp - pw * j;
  if (y.cdf < 0)
    y.cdf = 0;
  y.pdf = (1 - pw) * fs + pw * q->wait_rate * j;
  return y;
}

static resp_point resp_at(const mmc *q, double t, int want_cdf) {
  if (q->service == MMC_SERVICE_GAMMA)
    return resp_gamma(q, t, want_cdf);
  return resp_exponential(q, t, want_cdf);
}

double mmc_response_sf(const mmc *q, double t) {
  if (!ok(q) || isnan(t))
    return -1;
  if (t <= 0)
    return 1;
  if (isinf(t))
    return 0;
  if (q->service == MMC_SERVICE_DETERMINISTIC) {
    double d = 1 / q->mu;
    return t < d ? 1 : mmc_wait_sf(q, t - d);
  }
  double s = resp_at(q, t, 0).sf;
  return s > 1 ? 1 : s;
}

double mmc_response_cdf(const mmc *q, double t) {
  if (!ok(q) || isnan(t))
    return -1;
  if (t <= 0)
    return 0;
  if (isinf(t))
    return 1;
  if (q->service == MMC_SERVICE_DETERMINISTIC)
    return 1 - mmc_response_sf(q, t);
  double f = resp_at(q, t, 1).cdf;
  return f > 1 ? 1 : f;
}

/* g(t) for the root finder: log S(t) - log(1 - p) when p >= 1/2, else
 * log p - log F(t); both fall with t.  Logs keep the Newton steps
 * well scaled far in the tail. */
typedef struct quantile_arg {
  const mmc *q;
  double p;
  double log_target; /* log(1 - p), or log p below the median: fixed */
} quantile_arg;

static double quantile_g(double t, void *argp, double *dg) {
  const quantile_arg *arg = argp;
  const mmc *q = arg->q;
  int upper = arg->p >= 0.5;
  resp_point x = resp_at(q, t, !upper);
  const double floor_ = 1e-300;
  if (upper) {
    if (x.sf < floor_) {
      *dg = 0;
      return log(floor_) - arg->log_target;
    }
    *dg = -x.pdf / x.sf;
    return log(x.sf) - arg->log_target;
  }
  if (x.cdf < floor_) {
    *dg = 0;
    return arg->log_target - log(floor_);
  }
  *dg = -x.pdf / x.cdf;
  return arg->log_target - log(x.cdf);
}

static double solve_quantile(const mmc *q, double p, int service_only) {
  /* The service alone: the queue with nothing waiting. */
  mmc q0;
  if (service_only) {
    q0 = *q;
    q0.p_wait = 0;
    q = &q0;
  }
  quantile_arg arg = {q, p, p >= 0.5 ? log1p(-p) : log(p)};
  double t0 = service_only ? 1 / q->mu : q->resp_mean;
  double t;
  if (specfun_root_decreasing(quantile_g, &arg, t0, &t) < 0)
    return -1;
  return t;
}

int mmc_response_quantiles(const mmc *q, const double *p, size_t n, double *t) {
  if (!ok(q))
    return -1;
  double p_prev = 0, dg_prev = 0;
  for (size_t k = 0; k < n; k++) {
    if (!prob_ok(p[k]))
      return -1;
    if (q->service == MMC_SERVICE_DETERMINISTIC) {
      t[k] = 1 / q->mu + mmc_wait_quantile(q, p[k]);
      continue;
    }
    quantile_arg arg = {q, p[k], p[k] >= 0.5 ? log1p(-p[k]) : log(p[k])};
    /* Past an upper quantile t_prev, the tail falls at about its hazard
     * h = f/S there (-g'): S(u) ~ S(t_prev) e^{-h (u - t_prev)} reaches
     * 1 - p at t_prev + (log(1 - p_prev) - log(1 - p)) / h.  That guess
     * is tried first, above t_prev, which brackets the root from below
     * (S(t_prev) = 1 - p_prev > 1 - p); a few Newton steps finish. */
    int rc;
    if (k > 0 && p_prev >= 0.5 && p[k] > p_prev && dg_prev < 0 &&
        isfinite(dg_prev)) {
      double guess = t[k - 1] + (log1p(-p_prev) - arg.log_target) / -dg_prev;
      rc = specfun_root_decreasing_from(quantile_g, &arg, t[k - 1], guess,
                                        &t[k], &dg_prev);
    } else {
      rc = specfun_root_decreasing_at(quantile_g, &arg, q->resp_mean, &t[k],
                                      &dg_prev);
    }
    if (rc < 0)
      return -1;
    p_prev = p[k];
  }
  return 0;
}

double mmc_response_quantile(const mmc *q, double p) {
  if (!ok(q) || !prob_ok(p))
    return -1;
  if (q->service == MMC_SERVICE_DETERMINISTIC)
    return 1 / q->mu + mmc_wait_quantile(q, p);
  return solve_quantile(q, p, 0);
}

double mmc_service_quantile(const mmc *q, double p) {
  if (!q || (q->status != MMC_OK && q->status != MMC_OVERLOADED) || !prob_ok(p))
    return -1;
  switch (q->service) {
  case MMC_SERVICE_DETERMINISTIC:
    return 1 / q->mu;
  case MMC_SERVICE_EXPONENTIAL:
    return -log1p(-p) / q->mu;
  case MMC_SERVICE_GAMMA:
    break;
  }
  return solve_quantile(q, p, 1);
}

double mmc_departure_ca(const mmc *q) {
  if (!ok(q))
    return -1;
  /* queueing.h: Whitt's linking equation */
  double r2 = q->rho * q->rho;
  double cd2 = 1 + (1 - r2) * (q->ca * q->ca - 1) +
               r2 * (q->cs * q->cs - 1) / sqrt(q->c);
  if (cd2 < 0)
    cd2 = 0; /* only by rounding: the formula is >= 0 for ca, cs >= 0 */
  double cd = sqrt(cd2);
  return cd > 10 ? 10 : cd;
}

/* ---- sizing ---------------------------------------------------------- */

/* Whether a queue with this count meets the target: 1, 0. */
typedef int (*meets_fn)(double c, const void *arg);

typedef struct target {
  double lambda, mu, ca, cs, p, t, slots;
} target;

/* The smallest whole c >= C_MIN with MEETS(c), for a MEETS that is false
 * then true as c grows: doubling steps find a count that meets, then
 * bisection the first one.  0 when none does up to MAX_SERVERS. */
static double smallest(double c_min, meets_fn meets, const void *arg) {
  if (meets(c_min, arg))
    return c_min;
  double lo = c_min, step = 1, hi = c_min + 1;
  while (!meets(hi, arg)) {
    lo = hi;
    step *= 2;
    hi = c_min + step;
    if (hi > MAX_SERVERS)
      return 0;
  }
  while (hi - lo > 1) {
    double mid = floor(lo + (hi - lo) / 2);
    if (meets(mid, arg))
      hi = mid;
    else
      lo = mid;
  }
  return hi;
}

static int meets_response(double c, const void *argp) {
  const target *g = argp;
  mmc q;
  if (mmc_init(&q, g->lambda, g->mu, c, g->ca, g->cs) < 0)
    return 0;
  return mmc_response_sf(&q, g->t) <= 1 - g->p;
}

static int meets_wait(double c, const void *argp) {
  const target *g = argp;
  mmc q;
  if (mmc_init(&q, g->lambda, g->mu, c, g->ca, g->cs) < 0)
    return 0;
  return mmc_wait_sf(&q, g->t) <= 1 - g->p;
}

static int meets_wait_mean(double c, const void *argp) {
  const target *g = argp;
  mmc q;
  if (mmc_init(&q, g->lambda, g->mu, c, g->ca, g->cs) < 0)
    return 0;
  return q.wait_mean <= g->t;
}

static int meets_random(double n, const void *argp) {
  const target *g = argp;
  double ca2 = 1 + (g->ca * g->ca - 1) / n;
  mmc q;
  if (mmc_init(&q, g->lambda / n, g->mu, g->slots, sqrt(ca2), g->cs) < 0)
    return 0;
  return mmc_response_sf(&q, g->t) <= 1 - g->p;
}

/* The inputs mmc_init accepts, checked once with c = 1. */
static int inputs_ok(double lambda, double mu, double ca, double cs) {
  mmc q;
  mmc_init(&q, lambda, mu, 1, ca, cs);
  return q.status != MMC_INVALID;
}

/* Whether the service time alone meets the response target: if not, no
 * number of servers can. */
static int service_meets(double mu, double cs, double p, double t) {
  mmc q;
  mmc_init(&q, 0, mu, 1, 1, cs); /* no load: the response is the service */
  return mmc_response_sf(&q, t) <= 1 - p;
}

double mmc_servers_for(double lambda, double mu, double ca, double cs, double p,
                       double t_target) {
  if (!inputs_ok(lambda, mu, ca, cs) || !prob_ok(p) || !(t_target >= 0) ||
      isinf(t_target))
    return -1;
  if (!service_meets(mu, cs, p, t_target))
    return 0;
  target g = {lambda, mu, ca, cs, p, t_target, 0};
  return smallest(floor(lambda / mu) + 1, meets_response, &g);
}

double mmc_servers_for_wait(double lambda, double mu, double ca, double cs,
                            double p, double t_target) {
  if (!inputs_ok(lambda, mu, ca, cs) || !prob_ok(p) || !(t_target >= 0) ||
      isinf(t_target))
    return -1;
  target g = {lambda, mu, ca, cs, p, t_target, 0};
  return smallest(floor(lambda / mu) + 1, meets_wait, &g);
}

double mmc_servers_for_wait_mean(double lambda, double mu, double ca, double cs,
                                 double t_target) {
  if (!inputs_ok(lambda, mu, ca, cs) || !(t_target >= 0) || isinf(t_target))
    return -1;
  target g = {lambda, mu, ca, cs, 0.5, t_target, 0};
  return smallest(floor(lambda / mu) + 1, meets_wait_mean, &g);
}

double mmc_servers_for_random(double lambda, double mu, double slots, double ca,
                              double cs, double p, double t_target) {
  if (!inputs_ok(lambda, mu, ca, cs) || !whole(slots) || slots < 1 ||
      !prob_ok(p) || !(t_target >= 0) || isinf(t_target))
    return -1;
  if (!service_meets(mu, cs, p, t_target))
    return 0;
  target g = {lambda, mu, ca, cs, p, t_target, slots};
  return smallest(floor(lambda / (mu * slots)) + 1, meets_random, &g);
}

/*
 * batching.c - see batching.h.
 *
 * Sizing follows FORMULAS.md sections 4 and 4b as written.  The latency
 * distribution uses one model throughout: Poisson arrivals at rate L; a
 * batch opens with its first request at time 0 and closes at
 * T = min(window, S), S the arrival time of the (max_batch - 1)-th later
 * request (S ~ Gamma(max_batch - 1, L)); K ~ Poisson(mu = L x window)
 * requests arrive in the window.  Every expectation over K or S below
 * reduces to Poisson tails, i.e. regularized incomplete gamma functions,
 * using k P(K=k) = mu P(K=k-1):
 *   sum_{k<c} k P(K=k)   = mu P(K <= c-2)
 *   sum_{k<c} k^2 P(K=k) = mu^2 P(K <= c-3) + mu P(K <= c-2)
 *   int_0^w P(Pois(L t) = k) dt = P(K >= k+1) / L
 * so no figure needs a sum over batch sizes.
 */
#include "batching.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "specfun.h"

/* Relative excess over a whole number still read as that number. */
#define COUNT_TOL 1e-9
/* Largest count of servers the Erlang recursion will walk. */
#define MAX_SERVERS 1e7
/* Points of the midpoint rule for the queue convolution, and of the grid
 * on which the no-queue CDF is tabulated for it. */
#define CONV_POINTS 2048
#define GRID_POINTS 2048

/* ------------------------------------------------- incomplete gamma */

/* Regularized incomplete gamma functions P(a, x) (lower) and Q(a, x) =
 * 1 - P (upper), each computed directly so neither loses its digits: the
 * power series for x < a + 1 and Legendre's continued fraction (modified
 * Lentz) above, as in Press et al., Numerical Recipes, 3rd ed., 6.2. */
static void gamma_pq(double a, double x, double *p, double *q) {
  if (!(x > 0)) {
    *p = 0, *q = 1;
    return;
  }
  if (!isfinite(x)) {
    *p = 1, *q = 0;
    return;
  }
  double lp = a * log(x) - x - specfun_lgamma(a);
  if (lp < -800) { /* the leading factor underflows: a 0/1 answer */
    int below = x < a;
    *p = below ? 0 : 1, *q = below ? 1 : 0;
    return;
  }
  if (x < a + 1) {
    double ap = a, del = 1 / a, sum = del;
    for (long i = 0; i < 100000000L; i++) {
      ap += 1;
      del *= x / ap;
      sum += del;
      if (fabs(del) < fabs(sum) * DBL_EPSILON)
        break;
    }
    double v = sum * exp(lp);
    *p = v > 1 ? 1 : v;
    *q = 1 - *p;
    return;
  }
  const double tiny = 1e-300;
  double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
  for (long i = 1; i < 100000000L; i++) {
    double an = -(double)i * ((double)i - a);
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
    if (fabs(del - 1) < DBL_EPSILON)
      break;
  }
  double v = exp(lp) * h;
  *q = v > 1 ? 1 : v;
  *p = 1 - *q;
}

/* P(K <= j), K ~ Poisson(mu); j is floored. */
static double pois_cdf(double j, double mu) {
  j = floor(j);
  if (j < 0)
    return 0;
  if (mu <= 0)
    return 1;
  double p, q;
  gamma_pq(j + 1, mu, &p, &q);
  return q;
}

/* P(K >= m), K ~ Poisson(mu); m is a whole number. */
static double pois_tail(double m, double mu) {
  if (m <= 0)
    return 1;
  if (mu <= 0)
    return 0;
  double p, q;
  gamma_pq(m, mu, &p, &q);
  return p;
}

/* P(Gamma(shape, 1) <= x), i.e. P(S <= x / L) for S ~ Gamma(shape, L). */
static double gamma_cdf(double shape, double x) {
  if (shape <= 0)
    return 1;
  double p, q;
  gamma_pq(shape, x, &p, &q);
  return p;
}

/* E[min(K, c)] and E[min(K, c)^2] for K ~ Poisson(mu), whole c >= 0. */
static void min_moments(double mu, double c, double *m1, double *m2) {
  if (c <= 0 || mu <= 0) {
    *m1 = 0, *m2 = 0;
    return;
  }
  double tail = pois_tail(c, mu);
  double c2 = pois_cdf(c - 2, mu), c3 = pois_cdf(c - 3, mu);
  *m1 = mu * c2 + c * tail;
  *m2 = mu * mu * c3 + mu * c2 + c * c * tail;
}

/* ----------------------------------------------------------- checks */

static int finite_nonneg(double x) {
  return isfinite(x) && x >= 0;
}

static int params_ok(const batching_params *p, int need_target) {
  if (!p || !isfinite(p->rate) || p->rate <= 0 || !finite_nonneg(p->window) ||
      !isfinite(p->max_batch) || p->max_batch < 1 || !finite_nonneg(p->base) ||
      !finite_nonneg(p->per_item))
    return 0;
  if (need_target && !(isfinite(p->target_utilization) &&
                       p->target_utilization > 0 && p->target_utilization <= 1))
    return 0;
  return 1;
}

static int whole_count(double n) {
  return isfinite(n) && n >= 1 && n == floor(n) && n <= MAX_SERVERS;
}

static int all_finite(const double *v, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!isfinite(v[i]))
      return 0;
  return 1;
}

/* -------------------------------------------------------- counting */

batching_status batching_accelerators_for(double busy, double target,
                                          double *n) {
  *n = 0;
  if (!finite_nonneg(busy) || !isfinite(target) || target <= 0 || target > 1)
    return BATCHING_BAD_INPUT;
  /* Smallest whole n with busy / n <= target; an excess of up to 1e-9
   * relative is float noise (20 / (20/21) = 21.000000000000004). */
  double x = busy / target;
  if (!isfinite(x))
    return BATCHING_OUT_OF_RANGE;
  double v = ceil(x - x * COUNT_TOL);
  *n = v < 1 ? 1 : v;
  return BATCHING_OK;
}

/* ------------------------------------------------------------ queue */

batching_status batching_queue_wait(double arrival, double service,
                                    double servers, double ca2, double cs2,
                                    batching_queue *out) {
  memset(out, 0, sizeof *out);
  if (!finite_nonneg(arrival) || !finite_nonneg(service) ||
      !whole_count(servers) || !finite_nonneg(ca2) || !finite_nonneg(cs2))
    return BATCHING_BAD_INPUT;
  double a = arrival * service;
  if (!isfinite(a))
    return BATCHING_OUT_OF_RANGE;
  out->offered = a;
  if (a >= servers)
    return BATCHING_SATURATED;
  if (a == 0)
    return BATCHING_OK; /* nothing arrives, or service is instant */
  /* Erlang B by the stable recursion, then Erlang C (FORMULAS.md 3). */
  double b = 1;
  for (double k = 1; k <= servers; k++)
    b = a * b / (k + a * b);
  double rho = a / servers;
  double c = b / (1 - rho * (1 - b));
  /* M/M/c: Wq = C / (c mu - lambda) = C x service / (c - a). */
  double wq_mmc = c * service / (servers - a);
  /* Allen-Cunneen (FORMULAS.md 3): scale by (ca^2 + cs^2) / 2. */
  double wq = wq_mmc * (ca2 + cs2) / 2;
  out->p_wait = c;
  out->wait_mean = wq;
  out->tail_rate = wq > 0 ? c / wq : 0;
  double v[] = {c, wq, out->tail_rate};
  if (!all_finite(v, 3)) {
    memset(out, 0, sizeof *out);
    return BATCHING_OUT_OF_RANGE;
  }
  return BATCHING_OK;
}

/* --------------------------------------------------- shared batcher */

/* Moments of the batch-opening model: E[N], Var[N], the arrival-weighted
 * mean wait for the close, and the squared cv of the time between
 * closings, I = T + Exp(L). */
typedef struct open_model {
  double mu, mean_n, var_n, wait_mean, cv2;
} open_model;

static void open_model_of(const batching_params *p, open_model *m) {
  double lam = p->rate, mu = lam * p->window, big = floor(p->max_batch);
  m->mu = mu;
  /* m_ = min(K, M - 1): the requests that join the first one. */
  double e1, e2;
  min_moments(mu, big - 1, &e1, &e2);
  m->mean_n = 1 + e1;
  double var = e2 - e1 * e1;
  m->var_n = var > 0 ? var : 0;
  /* Sum of the waits in one batch: the first waits T and the others
   * T - S_j, which sums to int_0^T A(t) dt; its mean is
   * sum_{j=1}^{M-1} j P(K >= j) / L = E[m_(m_ + 1)] / (2 L). */
  m->wait_mean = (e2 + e1) / (2 * lam) / m->mean_n;
  /* E[T] = E[min(K, M-1)] / L, E[T^2] = E[m'(m' - 1)] / L^2 with
   * m' = min(K, M) (integrating P(T > t) = P(A(t) <= M - 2)). */
  double f1, f2;
  min_moments(mu, big, &f1, &f2);
  double et = e1 / lam, et2 = (f2 - f1) / (lam * lam);
  double vt = et2 - et * et;
  if (vt < 0)
    vt = 0;
  double ei = et + 1 / lam, vi = vt + 1 / (lam * lam);
  m->cv2 = vi / (ei * ei);
}

batching_status batching_shared(const batching_params *p, batching_plan *out) {
  memset(out, 0, sizeof *out);
  if (!params_ok(p, 1))
    return BATCHING_BAD_INPUT;
  double lam = p->rate, big = floor(p->max_batch);
  /* FORMULAS.md 4: b = min(max_batch, max(1, lambda x window)). */
  double gathered = lam * p->window;
  double b = gathered > 1 ? gathered : 1;
  int filled = b >= big;
  if (filled)
    b = big;
  out->batch = b;
  out->limit = filled ? BATCHING_BY_FILL : BATCHING_BY_WINDOW;
  /* FORMULAS.md 4b: t(b) = base + per_item x b; busy = lambda t(b) / b. */
  out->batch_time = p->base + p->per_item * b;
  out->batches_per_second = lam / b;
  out->busy = lam * out->batch_time / b;
  if (!isfinite(gathered) || !isfinite(out->busy)) {
    memset(out, 0, sizeof *out);
    return BATCHING_OUT_OF_RANGE;
  }
  batching_status s = batching_accelerators_for(
      out->busy, p->target_utilization, &out->accelerators);
  if (s != BATCHING_OK) {
    memset(out, 0, sizeof *out);
    return s;
  }
  out->utilization = out->busy / out->accelerators;
  /* FORMULAS.md 4b: the batch closes at the window, or at the fill time
   * (b - 1) / lambda when it fills first. */
  out->close_wait_max = filled ? (b - 1) / lam : p->window;
  open_model m;
  open_model_of(p, &m);
  out->close_wait_mean = m.wait_mean;
  out->batch_arrival_cv2 = m.cv2;
  batching_queue q;
  out->latency_status =
      batching_queue_wait(out->batches_per_second, out->batch_time,
                          out->accelerators, m.cv2, 0, &q);
  if (out->latency_status == BATCHING_OK) {
    out->queue_wait_mean = q.wait_mean;
    out->latency_mean =
        out->close_wait_mean + out->queue_wait_mean + out->batch_time;
  } else if (out->latency_status != BATCHING_SATURATED) {
    out->latency_status = BATCHING_OUT_OF_RANGE; /* beyond 1e7 servers */
  }
  double v[] = {out->batch,        out->batch_time,        out->busy,
                out->accelerators, out->close_wait_max,    out->close_wait_mean,
                out->latency_mean, out->batch_arrival_cv2, out->utilization};
  if (!all_finite(v, sizeof v / sizeof v[0])) {
    memset(out, 0, sizeof *out);
    return BATCHING_OUT_OF_RANGE;
  }
  return BATCHING_OK;
}

/* ------------------------------------------ per-accelerator batchers */

batching_status batching_per_accelerator_at(const batching_params *p,
                                            double accelerators,
                                            batching_plan *out) {
  memset(out, 0, sizeof *out);
  if (!params_ok(p, 0) || !whole_count(accelerators))
    return BATCHING_BAD_INPUT;
  double big = floor(p->max_batch), n = accelerators, lam_a = p->rate / n;
  double t_big = p->base + p->per_item * big;
  if (!isfinite(lam_a * t_big) || !isfinite(lam_a * p->window)) {
    memset(out, 0, sizeof *out);
    return BATCHING_OUT_OF_RANGE;
  }
  out->accelerators = n;
  /* FORMULAS.md 4b: a busy accelerator gathers its next batch while it
   * works, b = lambda_a t(b), i.e. lambda_a base / (1 - lambda_a
   * per_item); at least what the window gathers (and 1), at most
   * max_batch.  Such a batcher is busy all the time whenever the steady
   * batch exceeds the window's (lambda_a t(b) / b = 1 by construction),
   * and it is stable as long as that fixed point lies within max_batch,
   * i.e. lambda_a t(max_batch) < max_batch (under a backlog its batch
   * grows towards max_batch and drains it).  Its utilization is
   * therefore the share of its capacity in use, lambda_a / (max_batch /
   * t(max_batch)) (docs/decisions.md). */
  double slack = 1 - lam_a * p->per_item;
  double steady = slack > 0 ? lam_a * p->base / slack : big;
  double window = lam_a * p->window;
  double b = 1;
  out->limit = BATCHING_BY_WINDOW;
  if (window > b)
    b = window;
  if (steady > b) {
    b = steady;
    out->limit = BATCHING_BY_STEADY;
  }
  if (b >= big) {
    b = big;
    out->limit = steady >= big ? BATCHING_BY_STEADY : BATCHING_BY_FILL;
  }
  out->batch = b;
  out->batch_time = p->base + p->per_item * b;
  out->batches_per_second = lam_a / b;
  out->utilization = t_big > 0 ? lam_a * t_big / big : 0;
  out->busy = out->utilization * n;
  /* The first request of a batch waits for the close: the window, the
   * fill time, or (steady) the batch in progress, t(b).  Poisson arrivals
   * see that wait's residual uniform on [0, close_wait_max] (PASTA), so
   * its mean is half of it. */
  if (out->limit == BATCHING_BY_STEADY)
    out->close_wait_max = out->batch_time;
  else if (out->limit == BATCHING_BY_FILL)
    out->close_wait_max = (b - 1) / lam_a;
  else
    out->close_wait_max = p->window;
  out->close_wait_mean = out->close_wait_max / 2;
  if (out->utilization >= 1) {
    /* No fixed point within max_batch: the backlog grows. */
    out->latency_status = BATCHING_SATURATED;
  } else {
    out->queue_wait_mean = 0;
    out->latency_mean = out->close_wait_mean + out->batch_time;
    out->latency_status = BATCHING_OK;
  }
  double v[] = {out->batch,        out->batch_time,     out->busy,
                out->accelerators, out->close_wait_max, out->latency_mean,
                out->utilization};
  if (!all_finite(v, sizeof v / sizeof v[0])) {
    memset(out, 0, sizeof *out);
    return BATCHING_OUT_OF_RANGE;
  }
  return BATCHING_OK;
}

batching_status batching_per_accelerator(const batching_params *p,
                                         batching_plan *out) {
  memset(out, 0, sizeof *out);
  if (!params_ok(p, 1))
    return BATCHING_BAD_INPUT;
  double lam = p->rate, big = floor(p->max_batch);
  /* Capacity of one accelerator: full batches back to back,
   * max_batch / t(max_batch).  The count is the fewest n with
   * lambda / (n u) within it (FORMULAS.md 4b: the fewest n whose b fits
   * max_batch at the target utilization). */
  double t_big = p->base + p->per_item * big;
  double need = lam * t_big / big;
  if (!isfinite(need) || !isfinite(lam * p->window))
    return BATCHING_OUT_OF_RANGE;
  double n;
  batching_status s =
      batching_accelerators_for(need, p->target_utilization, &n);
  if (s != BATCHING_OK)
    return s;
  if (n > MAX_SERVERS)
    return BATCHING_OUT_OF_RANGE;
  return batching_per_accelerator_at(p, n, out);
}

/* ---------------------------------------------------- distribution */

batching_status batching_size_pmf(const batching_params *p, double n,
                                  double *prob) {
  *prob = 0;
  if (!params_ok(p, 0) || !isfinite(n))
    return BATCHING_BAD_INPUT;
  double big = floor(p->max_batch), mu = p->rate * p->window;
  if (!isfinite(mu))
    return BATCHING_OUT_OF_RANGE;
  if (n != floor(n) || n < 1 || n > big)
    return BATCHING_OK;
  if (big == 1) {
    *prob = 1;
    return BATCHING_OK;
  }
  if (n == big) { /* every later arrival past max_batch - 1 */
    *prob = pois_tail(big - 1, mu);
    return BATCHING_OK;
  }
  double k = n - 1; /* P(K = k) */
  if (mu <= 0)
    *prob = k == 0 ? 1 : 0;
  else
    *prob = exp(k * log(mu) - mu - specfun_lgamma(k + 1));
  return BATCHING_OK;
}

batching_status batching_size_moments(const batching_params *p, double *mean,
                                      double *var) {
  *mean = 0, *var = 0;
  if (!params_ok(p, 0))
    return BATCHING_BAD_INPUT;
  if (!isfinite(p->rate * p->window))
    return BATCHING_OUT_OF_RANGE;
  open_model m;
  open_model_of(p, &m);
  if (!isfinite(m.mean_n) || !isfinite(m.var_n))
    return BATCHING_OUT_OF_RANGE;
  *mean = m.mean_n, *var = m.var_n;
  return BATCHING_OK;
}

/* The latency model of one call: the batch-opening model plus the queue
 * of batches for the accelerators. */
typedef struct lat_model {
  const batching_params *p;
  double lam, w, big, mu, mean_n, tail_b;
  double p_wait, tail_rate; /* queue: P(W > t) = p_wait exp(-rate t) */
  /* The no-queue CDF tabulated on [grid_lo, grid_lo + GRID_POINTS x
   * grid_step] for the convolution (0 below, 1 above). */
  double grid_lo, grid_step, grid[GRID_POINTS + 1];
} lat_model;

/* P(close wait + t(N) <= y) for a random request (arrival-weighted). */
static double cdf_no_queue(const lat_model *m, double y) {
  const batching_params *p = m->p;
  double base = p->base, per = p->per_item, w = m->w, mu = m->mu;
  double big = m->big;
  if (big == 1) /* alone, sent at once */
    return y >= base + per ? 1 : 0;
  /* Batches closed by the window, K = k <= M - 2 (N = k + 1): the first
   * request waits w, the other k uniformly in [0, w].  Request weight of
   * size k + 1 is (k + 1) P(K = k) / E[N]: 1 for the first, k for the
   * rest, each crossing y at t_k + wait with t_k = base + per (k + 1). */
  double kmax = big - 2, k1, k2;
  if (per > 0) {
    /* k <= k1: t_k <= y - w (all of the batch done); k1 < k <= k2:
     * y - w < t_k < y (the later arrivals partly). */
    double a1 = (y - w - base) / per - 1, a2 = (y - base) / per - 1;
    k1 = a1 >= kmax ? kmax : floor(a1);
    k2 = a2 >= kmax + 1 ? kmax : ceil(a2) - 1;
  } else {
    k1 = y - w >= base ? kmax : -1;
    k2 = y > base ? kmax : -1;
  }
  if (k1 < -1)
    k1 = -1;
  if (k2 < k1)
    k2 = k1;
  double sum = 0;
  if (k1 >= 0) /* sum_{k<=k1} P(K=k) (1 + k) */
    sum += pois_cdf(k1, mu) + mu * pois_cdf(k1 - 1, mu);
  if (k2 > k1 && w > 0) {
    /* sum_{k1<k<=k2} P(K=k) k (y - base - per (k+1)) / w */
    double s1 = mu * (pois_cdf(k2 - 1, mu) - pois_cdf(k1 - 1, mu));
    double s2 = mu * mu * (pois_cdf(k2 - 2, mu) - pois_cdf(k1 - 2, mu)) + s1;
    sum += ((y - base - per) * s1 - per * s2) / w;
  }
  /* Filled batches, N = M, closing at S <= w: the first request waits S,
   * the last 0, the M - 2 between them V S with V uniform. */
  double z = y - (base + per * big);
  if (m->tail_b > 0 && z >= 0) {
    double zc = z < w ? z : w;
    double g1 = gamma_cdf(big - 1, m->lam * zc); /* P(S <= z') */
    sum += g1 + m->tail_b + (big - 2) * g1;
    if (big >= 3 && z < w) /* (M-2) z E[1/S; z < S <= w] */
      sum += z * m->lam *
             (gamma_cdf(big - 2, m->lam * w) - gamma_cdf(big - 2, m->lam * z));
  }
  double v = sum / m->mean_n;
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/* The no-queue CDF by linear interpolation in the grid. */
static double cdf_grid(const lat_model *m, double y) {
  double i = (y - m->grid_lo) / m->grid_step;
  if (!(i > 0))
    return i == 0 ? m->grid[0] : 0;
  if (i >= GRID_POINTS)
    return 1;
  double f = floor(i);
  size_t k = (size_t)f;
  return m->grid[k] + (i - f) * (m->grid[k + 1] - m->grid[k]);
}

static double cdf_with_queue(const lat_model *m, double x) {
  double g = cdf_no_queue(m, x);
  if (m->p_wait <= 0 || m->tail_rate <= 0 || x <= 0)
    return (1 - m->p_wait) * g;
  /* P(V + Q <= x) with Q = 0 w.p. 1 - C, else Exp(rate): the second part
   * is int_0^x rate e^{-rate q} G(x - q) dq; with u = 1 - e^{-rate q}
   * it is int_0^U G(x - q(u)) du, U = 1 - e^{-rate x}, by the midpoint
   * rule on the tabulated G (monotone, so the error is at most its jumps
   * over the points: about 1e-3 of F in the worst case, far less when
   * batches take many sizes). */
  double big_u = -expm1(-m->tail_rate * x), h = big_u / CONV_POINTS, acc = 0;
  for (int i = 0; i < CONV_POINTS; i++) {
    double u = (i + 0.5) * h;
    double q = -log1p(-u) / m->tail_rate;
    acc += cdf_grid(m, x - q);
  }
  double v = (1 - m->p_wait) * g + m->p_wait * acc * h;
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/* Tabulate the no-queue CDF over the range that holds all but ~1e-300 of
 * its mass: batch sizes within mu +- 40 sqrt(mu) + 40, waits up to the
 * window. */
static void grid_of(lat_model *m) {
  const batching_params *p = m->p;
  double spread = 40 * sqrt(m->mu) + 40;
  double n_lo = 1 + (m->mu - spread > 0 ? floor(m->mu - spread) : 0);
  double n_hi = 1 + m->mu + spread;
  if (n_lo > m->big)
    n_lo = m->big;
  if (n_hi > m->big)
    n_hi = m->big;
  double lo = p->base + p->per_item * n_lo;
  double hi = p->base + p->per_item * n_hi + p->window;
  if (!(hi > lo))
    hi = lo + 1e-12 * (lo > 1 ? lo : 1);
  m->grid_lo = lo;
  m->grid_step = (hi - lo) / GRID_POINTS;
  for (int i = 0; i <= GRID_POINTS; i++)
    m->grid[i] = cdf_no_queue(m, lo + i * m->grid_step);
}

static batching_status lat_model_of(const batching_params *p,
                                    double accelerators, lat_model *m) {
  memset(m, 0, sizeof *m);
  if (!params_ok(p, 0) || !whole_count(accelerators))
    return BATCHING_BAD_INPUT;
  if (!isfinite(p->rate * p->window) ||
      !isfinite(p->base + p->per_item * floor(p->max_batch)))
    return BATCHING_OUT_OF_RANGE;
  open_model o;
  open_model_of(p, &o);
  m->p = p;
  m->lam = p->rate;
  m->w = p->window;
  m->big = floor(p->max_batch);
  m->mu = o.mu;
  m->mean_n = o.mean_n;
  m->tail_b = m->big >= 2 ? pois_tail(m->big - 1, o.mu) : 0;
  /* The queue of batches: rate / E[N], mean service E[t(N)], service
   * cv^2 = per_item^2 Var[N] / E[t(N)]^2, arrival cv^2 exact. */
  double service = p->base + p->per_item * o.mean_n;
  double cs2 = service > 0
                   ? p->per_item * p->per_item * o.var_n / (service * service)
                   : 0;
  batching_queue q;
  batching_status s = batching_queue_wait(p->rate / o.mean_n, service,
                                          accelerators, o.cv2, cs2, &q);
  if (s != BATCHING_OK)
    return s;
  m->p_wait = q.wait_mean > 0 ? q.p_wait : 0;
  m->tail_rate = q.tail_rate;
  if (!isfinite(m->mean_n) || !isfinite(m->tail_b))
    return BATCHING_OUT_OF_RANGE;
  if (m->p_wait > 0)
    grid_of(m);
  return BATCHING_OK;
}

batching_status batching_latency_cdf(const batching_params *p,
                                     double accelerators, double x,
                                     double *prob) {
  *prob = 0;
  if (!isfinite(x))
    return BATCHING_BAD_INPUT;
  lat_model m;
  batching_status s = lat_model_of(p, accelerators, &m);
  if (s != BATCHING_OK)
    return s;
  *prob = cdf_with_queue(&m, x);
  return BATCHING_OK;
}

batching_status batching_latency_quantile(const batching_params *p,
                                          double accelerators, double q,
                                          double *x) {
  *x = 0;
  if (!isfinite(q) || q <= 0 || q >= 1)
    return BATCHING_BAD_INPUT;
  lat_model m;
  batching_status s = lat_model_of(p, accelerators, &m);
  if (s != BATCHING_OK)
    return s;
  /* Bracket: below the fastest batch nothing is done; above the slowest
   * batch after the longest close and the queue's q-quantile everything
   * is (FORMULAS.md 3: ln(C / (1 - q)) / rate for the wait). */
  double lo = p->base + p->per_item;
  double hi = p->base + p->per_item * m.big + p->window;
  if (m.p_wait > 1 - q && m.tail_rate > 0)
    hi += log(m.p_wait / (1 - q)) / m.tail_rate;
  if (hi <= lo)
    hi = lo + 1e-12;
  if (!isfinite(hi))
    return BATCHING_OUT_OF_RANGE;
  /* Widen until the bracket holds q (the queue bound is approximate). */
  for (int i = 0; i < 200 && cdf_with_queue(&m, hi) < q; i++)
    hi = lo + 2 * (hi - lo);
  if (!isfinite(hi) || cdf_with_queue(&m, hi) < q)
    return BATCHING_OUT_OF_RANGE;
  if (cdf_with_queue(&m, lo) >= q) {
    *x = lo;
    return BATCHING_OK;
  }
  /* Bisection: F is monotone but may jump (the first requests of batches
   * of each size finish together), so nothing faster is safe. */
  for (int i = 0; i < 200 && hi - lo > 1e-9 * hi; i++) {
    double mid = lo + (hi - lo) / 2;
    if (cdf_with_queue(&m, mid) >= q)
      hi = mid;
    else
      lo = mid;
  }
  *x = hi;
  return BATCHING_OK;
}

const char *batching_status_name(batching_status s) {
  switch (s) {
  case BATCHING_OK:
    return "ok";
  case BATCHING_BAD_INPUT:
    return "bad input";
  case BATCHING_SATURATED:
    return "saturated";
  case BATCHING_OUT_OF_RANGE:
    return "out of range";
  }
  return "unknown";
}

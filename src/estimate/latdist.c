/*
 * latdist.c - see latdist.h.  The estimator builds the end-to-end
 * response of a plan from these operations many times per run, so the
 * context owns every buffer and the operations only read and write them.
 */
#include "latdist.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "queueing.h"
#include "specfun.h"
#include "util.h"

#define LATDIST_PI 3.14159265358979323846
/* Grid masses below this are not computed (they are set to 0). */
#define MASS_NEGLIGIBLE 1e-18
/* Masses below this are stored as 0: they are far below the FFT's
 * rounding (about 1e-17 of the largest mass), and subnormal numbers would
 * slow every later transform by a factor of ten or more. */
#define MASS_TINY 1e-250

struct latdist {
  latdist_ctx *ctx;
  double *p;     /* n masses */
  double beyond; /* mass past the last point */
  double mean;   /* exact mean, when mean_exact */
  int mean_exact;
};

struct latdist_ctx {
  size_t n;    /* grid points */
  size_t nfft; /* 2n: linear convolution of two n-point arrays */
  double dt;
  /* twiddles by stage: the stage of half-length h holds e^{-i pi j / h},
   * j < h, at offset h - 1 (nfft - 1 values in all), so each stage reads
   * its own contiguously */
  double *twr, *twi;
  uint32_t *rev;   /* bit reversal of 0 .. nfft-1 */
  double *zr, *zi; /* nfft complex values, split */
  double *s1, *s2; /* n + 2 doubles each */
  latdist *spare;  /* for latdist_add_queue's service */
  latdist **pool;
  size_t pool_len; /* distributions allocated */
  size_t pool_cap; /* slots in pool[] */
  size_t used;     /* distributions handed out */
};

/* ---- context and pool -------------------------------------------------- */

static latdist *dist_alloc(latdist_ctx *c) {
  latdist *d = xmalloc(sizeof *d);
  d->ctx = c;
  d->p = xmalloc(c->n * sizeof(double));
  return d;
}

static void pool_grow(latdist_ctx *c, size_t want) {
  if (want <= c->pool_len)
    return;
  xgrow((void **)&c->pool, &c->pool_cap, want, sizeof(latdist *));
  while (c->pool_len < want)
    c->pool[c->pool_len++] = dist_alloc(c);
}

latdist_ctx *latdist_ctx_new(size_t n, double dt, size_t pool) {
  if (n < 16 || n > ((size_t)1 << 22) || (n & (n - 1)) != 0 || !(dt > 0) ||
      isinf(dt))
    return NULL;
  latdist_ctx *c = xcalloc(1, sizeof *c);
  c->n = n;
  c->nfft = 2 * n;
  c->dt = dt;
  size_t nf = c->nfft;
  c->twr = xmalloc(nf * sizeof(double));
  c->twi = xmalloc(nf * sizeof(double));
  for (size_t h = 1; h < nf; h <<= 1)
    for (size_t j = 0; j < h; j++) {
      double ang = LATDIST_PI * (double)j / (double)h;
      c->twr[h - 1 + j] = cos(ang);
      c->twi[h - 1 + j] = -sin(ang);
    }
  c->rev = xmalloc(nf * sizeof(uint32_t));
  unsigned bits = 0;
  while (((size_t)1 << bits) < nf)
    bits++;
  for (size_t i = 0; i < nf; i++) {
    uint32_t r = 0;
    for (unsigned b = 0; b < bits; b++)
      if (i & ((size_t)1 << b))
        r |= (uint32_t)1 << (bits - 1 - b);
    c->rev[i] = r;
  }
  c->zr = xmalloc(nf * sizeof(double));
  c->zi = xmalloc(nf * sizeof(double));
  c->s1 = xmalloc((n + 2) * sizeof(double));
  c->s2 = xmalloc((n + 2) * sizeof(double));
  c->spare = dist_alloc(c);
  pool_grow(c, pool);
  return c;
}

void latdist_ctx_free(latdist_ctx *c) {
  if (!c)
    return;
  for (size_t i = 0; i < c->pool_len; i++) {
    free(c->pool[i]->p);
    free(c->pool[i]);
  }
  free(c->pool);
  free(c->spare->p);
  free(c->spare);
  free(c->twr);
  free(c->twi);
  free(c->rev);
  free(c->zr);
  free(c->zi);
  free(c->s1);
  free(c->s2);
  free(c);
}

size_t latdist_ctx_n(const latdist_ctx *c) {
  return c ? c->n : 0;
}

double latdist_ctx_dt(const latdist_ctx *c) {
  return c ? c->dt : 0;
}

int latdist_ctx_set_dt(latdist_ctx *c, double dt) {
  if (!c || !(dt > 0) || isinf(dt))
    return LATDIST_EINVAL;
  c->dt = dt;
  c->used = 0;
  return LATDIST_OK;
}

static void set_zero_point(latdist *d) {
  memset(d->p, 0, d->ctx->n * sizeof(double));
  d->p[0] = 1;
  d->beyond = 0;
  d->mean = 0;
  d->mean_exact = 1;
}

latdist *latdist_take(latdist_ctx *c) {
  if (c->used == c->pool_len)
    pool_grow(c, c->pool_len ? 2 * c->pool_len : 8);
  latdist *d = c->pool[c->used++];
  set_zero_point(d);
  return d;
}

size_t latdist_ctx_mark(const latdist_ctx *c) {
  return c->used;
}

void latdist_ctx_release(latdist_ctx *c, size_t mark) {
  if (mark < c->used)
    c->used = mark;
}

/* ---- FFT --------------------------------------------------------------- */

/* H butterflies of one FFT stage: u += w v, v = u - w v (old u).  The
 * arrays never overlap, which restrict tells the compiler so that it can
 * vectorize the loop. */
static void butterflies(double *restrict ur, double *restrict ui,
                        double *restrict vr, double *restrict vi,
                        const double *restrict wr, const double *restrict wi,
                        size_t h) {
  for (size_t j = 0; j < h; j++) {
    double xr = vr[j] * wr[j] - vi[j] * wi[j];
    double xi = vr[j] * wi[j] + vi[j] * wr[j];
    vr[j] = ur[j] - xr;
    vi[j] = ui[j] - xi;
    ur[j] += xr;
    ui[j] += xi;
  }
}

/* In-place radix-2 decimation-in-time FFT of the nfft points (RE, IM).
 * Called with the two arrays swapped it computes the unscaled inverse
 * (swapping real and imaginary parts is conjugation times i). */
static void fft(const latdist_ctx *c, double *re, double *im) {
  size_t nf = c->nfft;
  for (size_t i = 0; i < nf; i++) {
    size_t j = c->rev[i];
    if (i < j) {
      double t = re[i];
      re[i] = re[j];
      re[j] = t;
      t = im[i];
      im[i] = im[j];
      im[j] = t;
    }
  }
  /* half-lengths 1 and 2 together: twiddles 1 and -i, no products */
  for (size_t i = 0; i < nf; i += 4) {
    double ar = re[i] + re[i + 1], ai = im[i] + im[i + 1];
    double br = re[i] - re[i + 1], bi = im[i] - im[i + 1];
    double cr = re[i + 2] + re[i + 3], ci = im[i + 2] + im[i + 3];
    double dr = re[i + 2] - re[i + 3], di = im[i + 2] - im[i + 3];
    re[i] = ar + cr;
    im[i] = ai + ci;
    re[i + 2] = ar - cr;
    im[i + 2] = ai - ci;
    /* (dr + i di) (-i) = di - i dr */
    re[i + 1] = br + di;
    im[i + 1] = bi - dr;
    re[i + 3] = br - di;
    im[i + 3] = bi + dr;
  }
  for (size_t h = 4; h < nf; h <<= 1)
    for (size_t i = 0; i < nf; i += 2 * h)
      butterflies(re + i, im + i, re + i + h, im + i + h, c->twr + h - 1,
                  c->twi + h - 1, h);
}

/* ---- checks ------------------------------------------------------------ */

static int same_ctx(const latdist *out, const latdist *a, const latdist *b) {
  if (!out || !a || a->ctx != out->ctx)
    return 0;
  return !b || b->ctx == out->ctx;
}

static int prob(double w) {
  return w >= 0 && w <= 1;
}

/* The exact mean of OUT, when both parts had one. */
static void mean_of_sum(latdist *out, const latdist *a, const latdist *b) {
  out->mean_exact = a->mean_exact && b->mean_exact;
  out->mean = out->mean_exact ? a->mean + b->mean : 0;
}

/* ---- building ---------------------------------------------------------- */

int latdist_set_point(latdist *out, double t) {
  if (!out || !(t >= 0) || isinf(t))
    return LATDIST_EINVAL;
  size_t n = out->ctx->n;
  double x = t / out->ctx->dt;
  memset(out->p, 0, n * sizeof(double));
  out->beyond = 0;
  if (x >= (double)n) {
    out->beyond = 1;
  } else {
    size_t j = (size_t)x;
    double f = x - (double)j;
    out->p[j] = 1 - f;
    if (j + 1 < n)
      out->p[j + 1] = f;
    else
      out->beyond = f;
  }
  out->mean = t;
  out->mean_exact = 1;
  return LATDIST_OK;
}

/* x = rate dt; the masses of the exp(W, RATE) variable are
 *   m_0 = 1 - W phi(x),   m_i = W (1 - q)^2 / x q^(i-1)   (i >= 1),
 * q = e^-x, the second differences of its stop-loss function
 * W e^{-rate t} / rate; the mass past lag l is W phi(x) q^l. */
/* L(t) = E[(t - X)^+] of the uniform on [a, b]: 0 left of a, a parabola
 * across, t - (a + b)/2 right of b.  Its second differences / dt are the
 * grid masses (latdist.h), so the mean stays exact. */
static double uniform_l(double a, double b, double t) {
  if (t <= a)
    return 0;
  if (t >= b)
    return t - (a + b) / 2;
  return (t - a) * (t - a) / (2 * (b - a));
}

int latdist_set_uniform(latdist *out, double a, double b) {
  if (!out || !(a >= 0) || !(b >= a) || isinf(b))
    return LATDIST_EINVAL;
  size_t n = out->ctx->n;
  double dt = out->ctx->dt;
  if (b - a < 1e-9 * dt)
    return latdist_set_point(out, (a + b) / 2);
  memset(out->p, 0, n * sizeof(double));
  size_t lo = (size_t)fmin(a / dt, (double)n),
         hi = (size_t)fmin(b / dt + 2, (double)n);
  lo = lo > 0 ? lo - 1 : 0;
  for (size_t i = lo; i < hi; i++) {
    double t = (double)i * dt;
    double m = (uniform_l(a, b, t - dt) - 2 * uniform_l(a, b, t) +
                uniform_l(a, b, t + dt)) /
               dt;
    out->p[i] = m > MASS_TINY ? m : 0;
  }
  double t1 = (double)(n - 1) * dt, t2 = (double)n * dt;
  double beyond = 1 - (uniform_l(a, b, t2) - uniform_l(a, b, t1)) / dt;
  out->beyond = beyond < 0 ? 0 : beyond > 1 ? 1 : beyond;
  out->mean = (a + b) / 2;
  out->mean_exact = 1;
  return LATDIST_OK;
}

/* The stop-loss E[(t - X)+] of the fill wait X (latdist_add_fill) for a
 * batch of B at RATE.  With x = RATE t, a = B - 1 and Y_k ~ Gamma(k, 1):
 * X is 0 with weight 1/B, so E[(t - X)+] = t/B + the integral of the
 * continuous part's CDF, (1/B) sum_{j=1..a} P(j, x) = (x Q(a, x) + a
 * P(a + 1, x)) / B (the sum telescopes: d/dx of the right side is
 * Q(a, x), the mixture's density times B / RATE).  Integrating once more,
 * with E[min(x, Y_a)^2] = a (a + 1) P(a + 2, x) + x^2 Q(a, x) and
 * E[(x - Y_{a+1})+] = x P(a + 1, x) - (a + 1) P(a + 2, x):
 *   E[(t - X)+] = t/B + (x^2 Q(a, x) / 2 + a x P(a + 1, x)
 *                        - a (a + 1) P(a + 2, x) / 2) / (B RATE).
 * It tends to t - a / (2 RATE), t less the mean. */
static double fill_l(double b, double rate, double t) {
  if (t <= 0)
    return 0;
  double a = b - 1, x = rate * t;
  double q = specfun_gamma_q(a, x), p1 = specfun_gamma_p(a + 1, x),
         p2 = specfun_gamma_p(a + 2, x);
  return t / b +
         (x * x * q / 2 + a * x * p1 - a * (a + 1) * p2 / 2) / (b * rate);
}

int latdist_add_fill(latdist *out, const latdist *a, double b, double rate) {
  if (!same_ctx(out, a, NULL) || !(b >= 2) || b != floor(b) || b > 1e6 ||
      !(rate > 0) || isinf(rate))
    return LATDIST_EINVAL;
  latdist_ctx *c = out->ctx;
  size_t n = c->n;
  double dt = c->dt;
  size_t mark = latdist_ctx_mark(c);
  latdist *f = latdist_take(c);
  memset(f->p, 0, n * sizeof(double));
  /* Past the mean + 12 deviations + 40 of the first request's Erlang(B-1)
   * (in units of 1 / RATE) no mass is left to count. */
  double top = (b - 1 + 12 * sqrt(b - 1) + 40) / rate;
  size_t hi = (size_t)fmin(top / dt + 2, (double)n);
  /* At point i: L((i - 1) dt), L(i dt), L((i + 1) dt); L is 0 at and
   * below 0. */
  double l_prev = 0, l_here = 0, l_next = 0;
  for (size_t i = 0; i < hi; i++) {
    l_prev = l_here;
    l_here = l_next;
    l_next = fill_l(b, rate, (double)(i + 1) * dt);
    double m = (l_prev - 2 * l_here + l_next) / dt;
    f->p[i] = m > MASS_TINY ? m : 0;
  }
  double t1 = (double)(n - 1) * dt, t2 = (double)n * dt;
  double beyond = 1 - (fill_l(b, rate, t2) - fill_l(b, rate, t1)) / dt;
  f->beyond = beyond < 0 ? 0 : beyond > 1 ? 1 : beyond;
  f->mean = (b - 1) / (2 * rate);
  f->mean_exact = 1;
  int rc = latdist_sum(out, a, f);
  latdist_ctx_release(c, mark);
  return rc;
}

int latdist_add_uniform(latdist *out, const latdist *a, double w) {
  if (!same_ctx(out, a, NULL) || !(w >= 0) || isinf(w))
    return LATDIST_EINVAL;
  latdist_ctx *c = out->ctx;
  size_t n = c->n;
  double dt = c->dt;
  if (w < 1e-9 * dt)
    return latdist_copy(out, a);
  /* The uniform's masses u_j, j = 0 .. last (those past the grid are
   * beyond it); every one is k = dt / w but for a few at its ends. */
  double last_d = ceil(w / dt) + 1;
  size_t last = last_d < (double)(n - 1) ? (size_t)last_d : n - 1;
  double k = dt / w;
  size_t ends[8];
  double extra[8];
  size_t n_ends = 0;
  for (size_t j = 0; j <= last; j++) {
    double t = (double)j * dt;
    double u = (uniform_l(0, w, t - dt) - 2 * uniform_l(0, w, t) +
                uniform_l(0, w, t + dt)) /
               dt;
    if (fabs(u - k) > 1e-15 * k && n_ends < 8) {
      ends[n_ends] = j;
      extra[n_ends++] = u - k;
    }
    /* the interior is exactly k: skip it */
    if (j == 1 && last > 6 && (double)(j + 3) * dt < w)
      j = (size_t)floor(w / dt) - 2;
  }
  /* prefix sums of a: s[i + 1] = a_0 + .. + a_i (c->s1 holds n + 2) */
  double *s = c->s1, *res = c->s2;
  s[0] = 0;
  for (size_t i = 0; i < n; i++)
    s[i + 1] = s[i] + a->p[i];
  double in_a = s[n];
  for (size_t i = 0; i < n; i++) {
    size_t lo = i >= last ? i - last : 0; /* a_lo .. a_i, j = i - idx */
    double v = k * (s[i + 1] - s[lo]);
    for (size_t e = 0; e < n_ends; e++)
      if (ends[e] <= i)
        v += extra[e] * a->p[i - ends[e]];
    res[i] = v > MASS_TINY ? v : 0;
  }
  double in_out = 0;
  for (size_t i = 0; i < n; i++) {
    out->p[i] = res[i];
    in_out += res[i];
  }
  double beyond = a->beyond + in_a - in_out;
  out->beyond = beyond > 0 ? (beyond < 1 ? beyond : 1) : 0;
  out->mean = a->mean + w / 2;
  out->mean_exact = a->mean_exact;
  return LATDIST_OK;
}

typedef struct exp_kernel {
  double m0, k1, q, tail; /* tail: W phi(x) */
} exp_kernel;

static exp_kernel exp_kernel_of(double w, double rate, double dt) {
  exp_kernel k;
  double x = rate * dt;
  double omq = -expm1(-x);
  k.q = exp(-x);
  k.tail = w * specfun_phi(x);
  k.m0 = (1 - w) + w * specfun_one_minus_phi(x);
  k.k1 = w * omq * (omq / x);
  return k;
}

int latdist_set_exp(latdist *out, double w, double rate) {
  if (!out || !prob(w) || !(rate > 0) || isinf(rate))
    return LATDIST_EINVAL;
  size_t n = out->ctx->n;
  exp_kernel k = exp_kernel_of(w, rate, out->ctx->dt);
  out->p[0] = k.m0;
  double m = k.k1;
  for (size_t i = 1; i < n; i++) {
    if (m < MASS_TINY)
      m = 0;
    out->p[i] = m;
    m *= k.q;
  }
  out->beyond = k.tail * exp(-rate * out->ctx->dt * (double)(n - 1));
  out->mean = w / rate;
  out->mean_exact = 1;
  return LATDIST_OK;
}

int latdist_add_exp(latdist *out, const latdist *a, double w, double rate) {
  if (!same_ctx(out, a, NULL) || !prob(w) || !(rate > 0) || isinf(rate))
    return LATDIST_EINVAL;
  size_t n = out->ctx->n;
  exp_kernel k = exp_kernel_of(w, rate, out->ctx->dt);
  /* y_i = m0 a_i + k1 s_i with s_i = sum_{j>=1} q^(j-1) a_{i-j}, that is
   * s_0 = 0, s_i = a_{i-1} + q s_{i-1}; the mass pushed past the grid is
   * sum_i a_i W phi(x) q^(n-1-i) = W phi(x) s_n.  In place: a_{i-1} is
   * read before y_{i-1} overwrites it, via prev. */
  double s = 0, prev = 0;
  for (size_t i = 0; i < n; i++) {
    s = prev + k.q * s;
    prev = a->p[i];
    double v = k.m0 * prev + k.k1 * s;
    out->p[i] = v > MASS_TINY ? v : 0;
  }
  s = prev + k.q * s;
  double beyond = a->beyond + k.tail * s;
  out->beyond = beyond > 1 ? 1 : beyond;
  out->mean_exact = a->mean_exact;
  out->mean = a->mean_exact ? a->mean + w / rate : 0;
  return LATDIST_OK;
}

/* The lower and upper stop-loss functions of a service time at t >= 0:
 * L(t) = E[(t - X)^+] and H(t) = E[(X - t)^+] = L(t) + mean - t.  The
 * grid masses are their second differences / dt (latdist.h), L where
 * it is small (left of the mean) and H where it is (right of it), so
 * neither loses its digits to the linear part. */
typedef struct service {
  latdist_shape shape;
  double mean, k, beta; /* gamma: shape and rate */
  double mu_l, sigma;   /* lognormal: log-mean and log-sd */
} service;

static void stoploss(const service *s, double t, double *l, double *h) {
  if (t <= 0) {
    *l = 0;
    *h = s->mean - (t < 0 ? t : 0);
    return;
  }
  if (s->shape == LATDIST_GAMMA) {
    /* E[X; X > t] = (k/beta) Q(k+1, x), Q(k+1, x) = Q(k, x) + pois(k, x) */
    double x = s->beta * t, p, q; /* x may overflow: written with t */
    specfun_gamma_pq(s->k, x, &p, &q);
    double kp = s->k * exp(specfun_log_pois(s->k, x)) / s->beta;
    *h = (s->mean - t) * q + kp;
    *l = (t - s->mean) * p + kp;
  } else {
    /* lognormal: E[X; X > t] = mean Q(z - sigma), z = (ln t - mu_l)/sigma */
    double z = (log(t) - s->mu_l) / s->sigma;
    *h = s->mean * specfun_norm_q(z - s->sigma) - t * specfun_norm_q(z);
    *l = t * specfun_norm_q(-z) - s->mean * specfun_norm_q(s->sigma - z);
  }
  if (*h < 0)
    *h = 0;
  if (*l < 0)
    *l = 0;
}

static double stoploss_h(const service *s, double t) {
  double l, h;
  stoploss(s, t, &l, &h);
  return h;
}

static double stoploss_l(const service *s, double t) {
  double l, h;
  stoploss(s, t, &l, &h);
  return l;
}

int latdist_set_service(latdist *out, latdist_shape shape, double mean,
                        double cv) {
  if (!out || !(mean > 0) || isinf(mean) || !(cv >= 0 && cv <= 10))
    return LATDIST_EINVAL;
  switch (shape) {
  case LATDIST_DETERMINISTIC:
    return latdist_set_point(out, mean);
  case LATDIST_EXPONENTIAL:
    return latdist_set_exp(out, 1, 1 / mean);
  case LATDIST_GAMMA:
    if (cv < 1e-3)
      return latdist_set_point(out, mean);
    if (cv == 1)
      return latdist_set_exp(out, 1, 1 / mean);
    break;
  case LATDIST_LOGNORMAL:
    if (cv == 0)
      return latdist_set_point(out, mean);
    break;
  default:
    return LATDIST_EINVAL;
  }
  service s = {shape, mean, 0, 0, 0, 0};
  if (shape == LATDIST_GAMMA) {
    s.k = 1 / (cv * cv);
    s.beta = s.k / mean;
  } else {
    double s2 = log1p(cv * cv);
    s.sigma = sqrt(s2);
    s.mu_l = log(mean) - s2 / 2;
  }
  latdist_ctx *c = out->ctx;
  size_t n = c->n;
  double dt = c->dt;
  double cut = MASS_NEGLIGIBLE * dt / 2;
  memset(out->p, 0, n * sizeof(double));
  /* The points that can carry a mass above MASS_NEGLIGIBLE: m_i <=
   * L((i+1) dt) / dt on the left and <= 2 H((i-1) dt) / dt on the right,
   * and L rises, H falls, so bisection finds both ends. */
  size_t lo = 0, hi = n; /* first i with L(i dt) > cut */
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (stoploss_l(&s, (double)mid * dt) > cut)
      hi = mid;
    else
      lo = mid + 1;
  }
  size_t i_lo = lo > 0 ? lo - 1 : 0;
  lo = 0;
  hi = n + 1; /* first j with H(j dt) <= cut */
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (stoploss_h(&s, (double)mid * dt) <= cut)
      hi = mid;
    else
      lo = mid + 1;
  }
  size_t i_hi = lo + 1 < n ? lo + 1 : n - 1; /* last mass computed */
  /* s1[j] = L, s2[j] = H at (i_lo - 1 + j) dt */
  double *lv = c->s1, *hv = c->s2;
  size_t count = i_hi - i_lo + 3;
  for (size_t j = 0; j < count && j < n + 2; j++) {
    double t = ((double)(i_lo + j) - 1) * dt;
    stoploss(&s, t, &lv[j], &hv[j]);
  }
  for (size_t i = i_lo; i <= i_hi; i++) {
    size_t j = i - i_lo + 1;
    double m;
    if ((double)(i + 1) * dt <= mean)
      m = (lv[j - 1] - 2 * lv[j] + lv[j + 1]) / dt;
    else
      m = (hv[j - 1] - 2 * hv[j] + hv[j + 1]) / dt;
    out->p[i] = m > MASS_TINY ? m : 0;
  }
  /* beyond = (H((n-1) dt) - H(n dt)) / dt, the average survival over the
   * last cell; = 1 - (L(n dt) - L((n-1) dt)) / dt when the grid ends left
   * of the mean, where H would be the mean minus a hair */
  double b = 0;
  if (i_hi + 1 >= n) {
    double t1 = (double)(n - 1) * dt, t2 = (double)n * dt;
    if (t2 <= mean)
      b = 1 - (stoploss_l(&s, t2) - stoploss_l(&s, t1)) / dt;
    else
      b = (stoploss_h(&s, t1) - stoploss_h(&s, t2)) / dt;
    b = b < 0 ? 0 : b > 1 ? 1 : b;
  }
  out->beyond = b;
  out->mean = mean;
  out->mean_exact = 1;
  return LATDIST_OK;
}

/* ---- combining --------------------------------------------------------- */

int latdist_sum(latdist *out, const latdist *a, const latdist *b) {
  if (!same_ctx(out, a, b))
    return LATDIST_EINVAL;
  latdist_ctx *c = out->ctx;
  size_t n = c->n, nf = c->nfft;
  double *zr = c->zr, *zi = c->zi;
  /* Both real sequences in one complex transform: z = a + i b. */
  memcpy(zr, a->p, n * sizeof(double));
  memcpy(zi, b->p, n * sizeof(double));
  memset(zr + n, 0, (nf - n) * sizeof(double));
  memset(zi + n, 0, (nf - n) * sizeof(double));
  fft(c, zr, zi);
  /* With Z = A + i B, A_k = (Z_k + conj Z_{-k}) / 2 and B_k = (Z_k -
   * conj Z_{-k}) / 2i, so A_k B_k = (Z_k^2 - conj(Z_{-k})^2) / 4i; the
   * product is Hermitian, so only half of it is computed. */
  for (size_t k = 0; k <= nf / 2; k++) {
    size_t km = (nf - k) & (nf - 1);
    double ar = zr[k], ai = zi[k];
    double br = zr[km], bi = zi[km];
    double dr = ar * ar - ai * ai - (br * br - bi * bi);
    double di = 2 * ar * ai + 2 * br * bi;
    /* D / 4i = (di - i dr) / 4 */
    zr[k] = di / 4;
    zi[k] = -dr / 4;
    if (km != k) {
      zr[km] = di / 4;
      zi[km] = dr / 4;
    }
  }
  fft(c, zi, zr); /* the inverse */
  double scale = 1 / (double)nf;
  double over = 0;
  for (size_t j = 0; j < n; j++) {
    double v = zr[j] * scale;
    out->p[j] = v > MASS_TINY ? v : 0;
  }
  for (size_t j = n; j < nf; j++) {
    double v = zr[j] * scale;
    if (v > MASS_TINY)
      over += v;
  }
  double ba = a->beyond, bb = b->beyond;
  double beyond = ba + bb - ba * bb + over;
  mean_of_sum(out, a, b);
  out->beyond = beyond > 1 ? 1 : beyond;
  return LATDIST_OK;
}

int latdist_add_queue(latdist *out, const latdist *a, const mmc *q) {
  if (!same_ctx(out, a, NULL) || !q || q->status != MMC_OK)
    return LATDIST_EINVAL;
  int rc = LATDIST_OK;
  if (q->p_wait > 0)
    rc = latdist_add_exp(out, a, q->p_wait, q->wait_rate);
  else
    rc = latdist_copy(out, a);
  if (rc != LATDIST_OK)
    return rc;
  switch (q->service) {
  case MMC_SERVICE_EXPONENTIAL:
    return latdist_add_exp(out, out, 1, q->mu);
  case MMC_SERVICE_DETERMINISTIC:
    return latdist_shift(out, out, 1 / q->mu);
  case MMC_SERVICE_GAMMA:
    break;
  }
  latdist *s = out->ctx->spare;
  rc = latdist_set_service(s, LATDIST_GAMMA, 1 / q->mu, q->cs);
  return rc != LATDIST_OK ? rc : latdist_sum(out, out, s);
}

int latdist_shift(latdist *out, const latdist *a, double t) {
  if (!same_ctx(out, a, NULL) || !(t >= 0) || isinf(t))
    return LATDIST_EINVAL;
  size_t n = out->ctx->n;
  double x = t / out->ctx->dt;
  double beyond = a->beyond;
  int exact = a->mean_exact;
  double mean = a->mean + t;
  if (x >= (double)n) {
    for (size_t i = 0; i < n; i++) {
      beyond += a->p[i];
      out->p[i] = 0;
    }
  } else {
    size_t j = (size_t)x;
    double f = x - (double)j;
    /* a_i lands at i + j (weight 1 - f) and i + j + 1 (weight f) */
    size_t start = j + 1 >= n ? 0 : n - j - 1;
    for (size_t i = start; i < n; i++) {
      if (i + j >= n)
        beyond += (1 - f) * a->p[i];
      if (i + j + 1 >= n)
        beyond += f * a->p[i];
    }
    /* out_i = (1 - f) a_{i-j} + f a_{i-j-1}, from the top so that an
     * in-place shift reads each a before overwriting it */
    for (size_t i = n; i-- > 0;) {
      double v = 0;
      if (i >= j)
        v += (1 - f) * a->p[i - j];
      if (i >= j + 1)
        v += f * a->p[i - j - 1];
      out->p[i] = v;
    }
  }
  out->beyond = beyond > 1 ? 1 : beyond;
  out->mean_exact = exact;
  out->mean = exact ? mean : 0;
  return LATDIST_OK;
}

/* S[i] = P(X > (i + 1/2) dt) on the grid's reading: beyond + the masses
 * above i. */
static void survival(const latdist *d, double *s) {
  size_t n = d->ctx->n;
  double acc = d->beyond;
  for (size_t i = n; i-- > 0;) {
    s[i] = acc;
    acc += d->p[i];
  }
}

/* Masses from a survival function S (S[-1] = 1). */
static void from_survival(latdist *out, const double *s) {
  size_t n = out->ctx->n;
  double prev = 1;
  for (size_t i = 0; i < n; i++) {
    double m = prev - s[i];
    out->p[i] = m > MASS_TINY ? m : 0;
    prev = s[i];
  }
  out->beyond = s[n - 1] < 0 ? 0 : s[n - 1];
  out->mean_exact = 0;
  out->mean = 0;
}

int latdist_max(latdist *out, const latdist *a, const latdist *b) {
  if (!same_ctx(out, a, b))
    return LATDIST_EINVAL;
  latdist_ctx *c = out->ctx;
  size_t n = c->n;
  survival(a, c->s1);
  survival(b, c->s2);
  /* P(max > t) = 1 - (1 - Sa)(1 - Sb) = Sa + Sb - Sa Sb */
  for (size_t i = 0; i < n; i++)
    c->s1[i] = c->s1[i] + c->s2[i] - c->s1[i] * c->s2[i];
  from_survival(out, c->s1);
  return LATDIST_OK;
}

int latdist_max_k(latdist *out, const latdist *a, double k) {
  if (!same_ctx(out, a, NULL) || !(k >= 0) || k > 1e9)
    return LATDIST_EINVAL;
  if (k == 0)
    return latdist_set_point(out, 0);
  latdist_ctx *c = out->ctx;
  size_t n = c->n;
  survival(a, c->s1);
  /* P(max of k > t) = 1 - (1 - S)^k */
  for (size_t i = 0; i < n; i++) {
    double s = c->s1[i];
    c->s1[i] = s >= 1 ? 1 : -expm1(k * log1p(-s));
  }
  from_survival(out, c->s1);
  return LATDIST_OK;
}

int latdist_mix(latdist *out, double w, const latdist *a, const latdist *b) {
  if (!same_ctx(out, a, b) || !prob(w))
    return LATDIST_EINVAL;
  size_t n = out->ctx->n;
  for (size_t i = 0; i < n; i++)
    out->p[i] = w * a->p[i] + (1 - w) * b->p[i];
  int exact = a->mean_exact && b->mean_exact;
  double mean = exact ? w * a->mean + (1 - w) * b->mean : 0;
  out->beyond = w * a->beyond + (1 - w) * b->beyond;
  out->mean_exact = exact;
  out->mean = mean;
  return LATDIST_OK;
}

int latdist_copy(latdist *out, const latdist *a) {
  if (!same_ctx(out, a, NULL))
    return LATDIST_EINVAL;
  if (out != a) {
    memcpy(out->p, a->p, out->ctx->n * sizeof(double));
    out->beyond = a->beyond;
    out->mean = a->mean;
    out->mean_exact = a->mean_exact;
  }
  return LATDIST_OK;
}

/* ---- reading ----------------------------------------------------------- */

double latdist_beyond(const latdist *d) {
  return d ? d->beyond : 0;
}

const double *latdist_masses(const latdist *d) {
  return d ? d->p : NULL;
}

int latdist_quantile(const latdist *d, double p, double *t) {
  if (!d || !t || !(p > 0 && p < 1))
    return LATDIST_EINVAL;
  size_t n = d->ctx->n;
  double dt = d->ctx->dt;
  double end = ((double)n - 0.5) * dt;
  /* Point i's cumulative mass is the CDF at (i + 1/2) dt; within
   * ((i - 1/2) dt, (i + 1/2) dt] the CDF rises linearly by m_i. */
  if (p >= 0.5) {
    /* from the top, on the survival, which keeps the tail's digits */
    double q = 1 - p;
    double s = d->beyond;
    if (s > q) {
      *t = end;
      return LATDIST_BEYOND;
    }
    for (size_t i = n; i-- > 0;) {
      double below = s + d->p[i]; /* survival at (i - 1/2) dt */
      if (below > q) {
        double x = ((double)i - 0.5 + (below - q) / d->p[i]) * dt;
        *t = x > 0 ? x : 0;
        return LATDIST_OK;
      }
      s = below;
    }
    *t = 0;
    return LATDIST_OK;
  }
  double f = 0;
  for (size_t i = 0; i < n; i++) {
    double upto = f + d->p[i];
    if (upto >= p && d->p[i] > 0) {
      double x = ((double)i - 0.5 + (p - f) / d->p[i]) * dt;
      *t = x > 0 ? x : 0;
      return LATDIST_OK;
    }
    f = upto;
  }
  *t = end;
  return LATDIST_BEYOND;
}

int latdist_cdf(const latdist *d, double t, double *f) {
  if (!d || !f || isnan(t))
    return LATDIST_EINVAL;
  size_t n = d->ctx->n;
  double dt = d->ctx->dt;
  if (t < 0) {
    *f = 0;
    return LATDIST_OK;
  }
  double end = ((double)n - 0.5) * dt;
  double acc = 0;
  if (t >= end) {
    for (size_t i = 0; i < n; i++)
      acc += d->p[i];
    *f = acc > 1 ? 1 : acc;
    return t == end ? LATDIST_OK : LATDIST_BEYOND;
  }
  double x = t / dt + 0.5; /* t lies in point floor(x)'s cell */
  size_t k = (size_t)x;
  for (size_t i = 0; i < k; i++)
    acc += d->p[i];
  acc += d->p[k] * (x - (double)k);
  *f = acc > 1 ? 1 : acc;
  return LATDIST_OK;
}

int latdist_mean(const latdist *d, double *mean) {
  if (!d || !mean)
    return LATDIST_EINVAL;
  if (d->mean_exact) {
    *mean = d->mean;
    return LATDIST_OK;
  }
  size_t n = d->ctx->n;
  double dt = d->ctx->dt;
  double acc = 0;
  for (size_t i = 0; i < n; i++)
    acc += (double)i * d->p[i];
  double end = (double)n * dt;
  double m = acc * dt + d->beyond * end; /* the mass beyond is >= end */
  *mean = m;
  if (2 * d->beyond * end > 1e-6 * m)
    return LATDIST_BEYOND;
  return LATDIST_OK;
}

int latdist_summarize(const latdist *d, latdist_summary *s) {
  if (!d || !s)
    return LATDIST_EINVAL;
  const double ps[4] = {0.5, 0.95, 0.99, 0.999};
  double *out[4] = {&s->p50, &s->p95, &s->p99, &s->p999};
  s->beyond = 0;
  if (latdist_mean(d, &s->mean) == LATDIST_BEYOND)
    s->beyond |= 1u;
  for (unsigned i = 0; i < 4; i++)
    if (latdist_quantile(d, ps[i], out[i]) == LATDIST_BEYOND)
      s->beyond |= 1u << (i + 1);
  return s->beyond ? LATDIST_BEYOND : LATDIST_OK;
}

/* ---- choosing the grid ------------------------------------------------- */

double latdist_service_quantile(latdist_shape shape, double mean, double cv,
                                double p) {
  if (!(mean > 0) || isinf(mean) || !(cv >= 0 && cv <= 10) || !(p > 0 && p < 1))
    return -1;
  switch (shape) {
  case LATDIST_DETERMINISTIC:
    return mean;
  case LATDIST_EXPONENTIAL:
    return -mean * log1p(-p);
  case LATDIST_GAMMA: {
    if (cv < 1e-3)
      return mean;
    double k = 1 / (cv * cv);
    double x = specfun_gamma_quantile(k, p);
    return x < 0 ? -1 : x * mean / k;
  }
  case LATDIST_LOGNORMAL: {
    if (cv == 0)
      return mean;
    double s2 = log1p(cv * cv);
    double z = specfun_norm_q_inv(1 - p);
    double t = exp(log(mean) - s2 / 2 + sqrt(s2) * z);
    return t > DBL_MAX ? DBL_MAX : t;
  }
  }
  return -1;
}

double latdist_exp_quantile(double w, double rate, double p) {
  if (!prob(w) || !(rate > 0) || isinf(rate) || !(p > 0 && p < 1))
    return -1;
  if (!(w > 1 - p))
    return 0;
  return (log(w) - log1p(-p)) / rate;
}

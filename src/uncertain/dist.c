/*
 * dist.c - see dist.h.
 *
 * Parameters of a range: FORMULAS.md section 5.  The generator is
 * counter-based (FORMULAS.md section 5b): word j of trial i of input k is
 * SplitMix64's output function applied to key_k + (256 i + j) x gamma
 * (G. Steele, D. Lea, C. Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014), so any trial's draws can be made without
 * the ones before it.  Normal deviates come from Marsaglia and Tsang's
 * ziggurat with 256 layers ("The Ziggurat Method for Generating Random
 * Variables", J. Stat. Software 5(8), 2000), taking the layer and the
 * uniform from separate bits (Doornik, "An Improved Ziggurat Method",
 * 2005).  e^x for lognormal draws is a table of 2^(j/256) and a degree-4
 * polynomial (as in Tang, "Table-driven implementation of the exponential
 * function", ACM TOMS 15(2), 1989): within 2 units in the last place, and
 * a fraction of the time of the C library's exp(), which the draws of a
 * million trials would otherwise spend most of their time in.
 */
#include "dist.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "availability.h"

#define GAMMA DIST_GAMMA
#define WORDS_PER_TRIAL DIST_WORDS_PER_TRIAL
/* Marsaglia and Tsang's R for 256 layers: the start of the tail. */
#define ZIG_R 3.6541528853610088
#define SQRT_PI_2 1.2533141373155002512 /* sqrt(pi / 2) */

static uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * DIST_MIX1;
  z = (z ^ (z >> 27)) * DIST_MIX2;
  return z ^ (z >> 31);
}

const char *dist_shape_name(enum dist_shape s) {
  static const char *const names[] = {"lognormal", "normal", "uniform",
                                      "triangular"};
  return names[s];
}

dist dist_of(const qdist *q) {
  dist d;
  memset(&d, 0, sizeof d);
  d.lo = d.in_lo = -DBL_MAX; /* no bounds, but never an infinite draw */
  d.hi = d.in_hi = DBL_MAX;
  switch (q->kind) {
  case DIST_INTERVAL:
    d.interval = true;
    if (q->v[0] > 0) {
      d.shape = SHAPE_LOGNORMAL;
      d.a = (log(q->v[0]) + log(q->v[1])) / 2;
      d.b = (log(q->v[1]) - log(q->v[0])) / (2 * DIST_Z95);
    } else {
      d.shape = SHAPE_NORMAL;
      d.a = (q->v[0] + q->v[1]) / 2;
      d.b = (q->v[1] - q->v[0]) / (2 * DIST_Z95);
    }
    break;
  case DIST_NORMAL:
    d.shape = SHAPE_NORMAL;
    d.a = q->v[0];
    d.b = q->v[1];
    break;
  case DIST_UNIFORM:
    d.shape = SHAPE_UNIFORM;
    d.a = q->v[0];
    d.b = q->v[1];
    break;
  case DIST_TRIANGULAR:
    d.shape = SHAPE_TRIANGULAR;
    d.a = q->v[0];
    d.b = q->v[1];
    d.c = q->v[2];
    break;
  }
  return d;
}

/* The standard normal CDF. */
static double phi(double z) {
  return 0.5 * erfc(-z / sqrt(2.0));
}

double dist_cdf(const dist *d, double x) {
  switch (d->shape) {
  case SHAPE_LOGNORMAL:
    return x <= 0 ? 0 : phi((log(x) - d->a) / d->b);
  case SHAPE_NORMAL:
    return phi((x - d->a) / d->b);
  case SHAPE_UNIFORM:
    return x <= d->a ? 0 : x >= d->b ? 1 : (x - d->a) / (d->b - d->a);
  case SHAPE_TRIANGULAR: {
    double a = d->a, m = d->b, b = d->c;
    if (x <= a)
      return 0;
    if (x >= b)
      return 1;
    if (x <= m)
      return (x - a) * (x - a) / ((b - a) * (m - a));
    return 1 - (b - x) * (b - x) / ((b - a) * (b - m));
  }
  case SHAPE_COUNT:
    break;
  }
  return 0;
}

double dist_quantile(const dist *d, double p) {
  switch (d->shape) {
  case SHAPE_LOGNORMAL:
    return exp(d->a + d->b * normal_quantile(p));
  case SHAPE_NORMAL:
    return d->a + d->b * normal_quantile(p);
  case SHAPE_UNIFORM:
    return d->a + p * (d->b - d->a);
  case SHAPE_TRIANGULAR: {
    /* The inverse of the CDF above, on each side of the mode. */
    double a = d->a, m = d->b, b = d->c;
    if (p <= (m - a) / (b - a))
      return a + sqrt(p * (b - a) * (m - a));
    return b - sqrt((1 - p) * (b - a) * (b - m));
  }
  case SHAPE_COUNT:
    break;
  }
  return 0;
}

double dist_median(const dist *d) {
  switch (d->shape) {
  case SHAPE_LOGNORMAL:
    return exp(d->a);
  case SHAPE_NORMAL:
    return d->a;
  case SHAPE_UNIFORM:
    return d->a + (d->b - d->a) / 2;
  case SHAPE_TRIANGULAR:
    return dist_quantile(d, 0.5);
  case SHAPE_COUNT:
    break;
  }
  return 0;
}

double dist_mean(const dist *d) {
  switch (d->shape) {
  case SHAPE_LOGNORMAL:
    return exp(d->a + d->b * d->b / 2);
  case SHAPE_NORMAL:
    return d->a;
  case SHAPE_UNIFORM:
    return (d->a + d->b) / 2;
  case SHAPE_TRIANGULAR:
    return (d->a + d->b + d->c) / 3;
  case SHAPE_COUNT:
    break;
  }
  return 0;
}

double dist_sd(const dist *d) {
  switch (d->shape) {
  case SHAPE_LOGNORMAL: {
    double s2 = d->b * d->b;
    return sqrt(expm1(s2)) * exp(d->a + s2 / 2);
  }
  case SHAPE_NORMAL:
    return d->b;
  case SHAPE_UNIFORM:
    return (d->b - d->a) / sqrt(12.0);
  case SHAPE_TRIANGULAR: {
    double a = d->a, m = d->b, b = d->c;
    return sqrt((a * a + m * m + b * b - a * m - a * b - m * b) / 18);
  }
  case SHAPE_COUNT:
    break;
  }
  return 0;
}

double dist_quantile_in(const dist *d, double p) {
  if (!d->may_leave)
    return dist_quantile(d, p);
  /* Inverse transform within the bounds: F^-1(F(lo) + p (F(hi) - F(lo))). */
  double flo = d->lo > -DBL_MAX && isfinite(d->lo) ? dist_cdf(d, d->lo) : 0;
  double fhi = d->hi < DBL_MAX && isfinite(d->hi) ? dist_cdf(d, d->hi) : 1;
  double x = dist_quantile(d, flo + p * (fhi - flo));
  return x < d->in_lo ? d->in_lo : x > d->in_hi ? d->in_hi : x;
}

double dist_bound(dist *d, double lo, bool lo_open, double hi, bool hi_open) {
  d->lo = lo;
  d->hi = hi;
  d->lo_open = lo_open;
  d->hi_open = hi_open;
  d->in_lo = lo_open ? nextafter(lo, HUGE_VAL) : lo;
  d->in_hi = hi_open ? nextafter(hi, -HUGE_VAL) : hi;
  if (!isfinite(d->in_lo))
    d->in_lo = -DBL_MAX;
  if (!isfinite(d->in_hi))
    d->in_hi = DBL_MAX;
  /* The mass inside: continuous distributions put none on an end. */
  double below = isfinite(lo) ? dist_cdf(d, lo) : 0;
  double above = isfinite(hi) ? 1 - dist_cdf(d, hi) : 0;
  d->may_leave = below > 0 || above > 0;
  double inside = 1 - below - above;
  return inside > 0 ? inside : 0;
}

/* ---------------------------------------------------------- generator */

uint64_t dist_key(uint64_t seed, size_t k) {
  return mix(mix(seed ^ 0x6A09E667F3BCC909ull) + (uint64_t)(k + 1) * GAMMA);
}

void dist_tables_init(dist_tables *t) {
  /* Each layer has the area V of the base strip (the rectangle under
   * f(R) to R, plus the tail): zx[i+1] = f^-1(f(zx[i]) + V / zx[i]). */
  double fr = exp(-ZIG_R * ZIG_R / 2);
  double v = ZIG_R * fr + SQRT_PI_2 * erfc(ZIG_R / sqrt(2.0));
  t->zx[0] = v / fr;
  t->zx[1] = ZIG_R;
  t->zf[0] = fr; /* unused: the base strip takes the tail instead */
  t->zf[1] = fr;
  for (size_t i = 1; i < DIST_ZIG_LAYERS; i++) {
    double y = t->zf[i] + v / t->zx[i];
    t->zx[i + 1] = y < 1 ? sqrt(-2 * log(y)) : 0;
    t->zf[i + 1] = y < 1 ? y : 1;
  }
  t->zx[DIST_ZIG_LAYERS] = 0;
  t->zf[DIST_ZIG_LAYERS] = 1;
  for (size_t j = 0; j < DIST_EXP_TABLE; j++)
    t->two[j] = exp2((double)j / DIST_EXP_TABLE);
  t->avx2 = dist_avx2_usable();
}

/* ln 2 / 256 in two parts: the high part has 32 significant bits, so
 * its product with k (|k| < 2^21) is exact (fdlibm's ln2_hi, ln2_lo). */
#define LN2_HI (6.93147180369123816490e-01 / DIST_EXP_TABLE)
#define LN2_LO (1.90821492927058770002e-10 / DIST_EXP_TABLE)
#define INV_LN2_N (DIST_EXP_TABLE / 0.69314718055994530942)

/* e^X for -700 < X < 700: k = round(X 256 / ln 2), read from the low
 * bits of a sum with 1.5 x 2^52; X = k ln2 / 256 + r, |r| <= ln2 / 512;
 * e^X = 2^(k >> 8) 2^((k & 255) / 256) e^r, e^r - 1 by its Taylor series
 * to r^4 (the next term is below 4e-17 of the result).  The polynomial
 * is evaluated in two halves (Estrin) for a shorter chain of products. */
static inline double exp_in(const dist_tables *t, double x) {
  const double shift = 6755399441055744.0; /* 1.5 x 2^52 */
  double kd = x * INV_LN2_N + shift;
  uint64_t bits, sbits;
  memcpy(&bits, &kd, sizeof bits);
  memcpy(&sbits, &shift, sizeof sbits);
  int64_t k = (int64_t)(bits - sbits);
  kd -= shift;
  double r = x - kd * LN2_HI - kd * LN2_LO;
  double r2 = r * r;
  double p = r + r2 * ((0.5 + r * (1.0 / 6)) + r2 * (1.0 / 24));
  int64_t e = k >> 8; /* floor(k / 256): an arithmetic shift */
  uint64_t ebits = (uint64_t)(e + 1023) << 52;
  double scale;
  memcpy(&scale, &ebits, sizeof scale);
  double s = t->two[k & (DIST_EXP_TABLE - 1)] * scale;
  return s + s * p;
}

double dist_exp(const dist_tables *t, double x) {
  if (!(x > -700 && x < 700))
    return exp(x);
  return exp_in(t, x);
}

/* Word J of trial TRIAL of stream KEY. */
static uint64_t word(uint64_t key, uint64_t trial, unsigned j) {
  return mix(key + (trial * WORDS_PER_TRIAL + j) * GAMMA);
}

/* A uniform in (0, 1) from the top 53 bits of W. */
static double unit(uint64_t w) {
  return ((double)(w >> 11) + 0.5) * 0x1p-53;
}

static double normal_slow(const dist_tables *t, uint64_t key, uint64_t trial,
                          unsigned *j, uint64_t w);

/* A standard normal deviate from the words of (KEY, TRIAL) from *J on.
 * Layer from bits 0-7, sign from bit 8, the uniform from bits 12-63.
 * Inside the layer's rectangle (98.8% of draws) it is one word and a
 * product; the rest takes normal_slow. */
static inline double normal_from(const dist_tables *t, uint64_t key,
                                 uint64_t trial, unsigned *j) {
  uint64_t w = word(key, trial, (*j)++);
  unsigned i = (unsigned)(w & 0xFF);
  double x = (double)(w >> 12) * 0x1p-52 * t->zx[i];
  if (x < t->zx[i + 1])
    return (w & 0x100) ? -x : x;
  return normal_slow(t, key, trial, j, w);
}

/* The wedges and the tail, from word W (already taken) on. */
static double normal_slow(const dist_tables *t, uint64_t key, uint64_t trial,
                          unsigned *j, uint64_t w) {
  for (bool first = true; *j <= WORDS_PER_TRIAL; first = false) {
    if (!first) {
      if (*j >= WORDS_PER_TRIAL)
        break;
      w = word(key, trial, (*j)++);
    }
    unsigned i = (unsigned)(w & 0xFF);
    double u = (double)(w >> 12) * 0x1p-52;
    double x = u * t->zx[i];
    double sign = (w & 0x100) ? -1.0 : 1.0;
    if (x < t->zx[i + 1])
      return sign * x;
    if (*j >= WORDS_PER_TRIAL)
      break;
    if (i == 0) {
      /* The tail beyond R (Marsaglia, 1964). */
      for (;;) {
        if (*j + 2 > WORDS_PER_TRIAL)
          return 0;
        double a = -log(unit(word(key, trial, (*j)++))) / ZIG_R;
        double b = -log(unit(word(key, trial, (*j)++)));
        if (b + b > a * a)
          return sign * (ZIG_R + a);
      }
    }
    /* The wedge between the rectangle and the curve. */
    double y =
        t->zf[i] + unit(word(key, trial, (*j)++)) * (t->zf[i + 1] - t->zf[i]);
    if (y < exp(-x * x / 2))
      return sign * x;
  }
  return 0;
}

double dist_normal_at(const dist_tables *t, uint64_t key, uint64_t trial) {
  unsigned j = 0;
  return normal_from(t, key, trial, &j);
}

double dist_uniform_at(uint64_t key, uint64_t trial) {
  return unit(word(key, trial, 0));
}

static bool inside(const dist *d, double x) {
  return x >= d->in_lo && x <= d->in_hi;
}

/* One draw of D in trial TRIAL, from word *J on. */
static double draw(const dist *d, const dist_tables *t, uint64_t key,
                   uint64_t trial, unsigned *j) {
  switch (d->shape) {
  case SHAPE_LOGNORMAL:
    return dist_exp(t, d->a + d->b * normal_from(t, key, trial, j));
  case SHAPE_NORMAL:
    return d->a + d->b * normal_from(t, key, trial, j);
  case SHAPE_UNIFORM: {
    double u = unit(word(key, trial, (*j)++));
    return d->a + u * (d->b - d->a);
  }
  case SHAPE_TRIANGULAR: {
    double u = unit(word(key, trial, (*j)++));
    double a = d->a, m = d->b, b = d->c;
    if (u <= (m - a) / (b - a))
      return a + sqrt(u * (b - a) * (m - a));
    return b - sqrt((1 - u) * (b - a) * (b - m));
  }
  case SHAPE_COUNT:
    break;
  }
  return 0;
}

/* The draw of trial TRIAL: drawn again while outside the bounds. */
static double draw_bounded(const dist *d, const dist_tables *t, uint64_t key,
                           uint64_t trial) {
  unsigned j = 0;
  double x = draw(d, t, key, trial, &j);
  while (!inside(d, x) && j < WORDS_PER_TRIAL)
    x = draw(d, t, key, trial, &j);
  return inside(d, x) ? x : dist_median(d);
}

void dist_fill(const dist *d, const dist_tables *t, uint64_t key,
               uint64_t first, size_t n, double *out) {
  if (d->shape == SHAPE_LOGNORMAL) {
    /* The common case in two tight loops (the normal deviates, then their
     * exponentials); a draw outside the bounds (none when the
     * distribution lies inside them, as almost all do) takes the general
     * path. */
    size_t done =
        t->avx2 ? dist_normal_avx2(t, key, first, n, d->a, d->b, out) : 0;
    for (size_t i = done; i < n; i++) {
      unsigned j = 0;
      out[i] = d->a + d->b * normal_from(t, key, first + i, &j);
    }
    bool in = false; /* the first DONE all inside the bounds */
    done = t->avx2 ? dist_exp_avx2(t->two, out, n, d->in_lo, d->in_hi, &in) : 0;
    for (size_t i = done; i < n; i++)
      out[i] = out[i] > -700 && out[i] < 700 ? exp_in(t, out[i]) : exp(out[i]);
    for (size_t i = in ? done : 0; i < n; i++)
      if (!inside(d, out[i]))
        out[i] = draw_bounded(d, t, key, first + i);
    return;
  }
  for (size_t i = 0; i < n; i++)
    out[i] = draw_bounded(d, t, key, first + i);
}

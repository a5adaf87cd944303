/*
 * simrng.c - random streams and variates for the simulator (simrng.h).
 *
 * Everything here is a pure function of the state it is given, and uses
 * only IEEE-exact operations (+ - * / sqrt, frexp, ldexp, integer
 * conversions): the bits are the same on every conforming machine.
 */
#if defined(__clang__)
/* clang may fuse a * b + c into one FMA on targets that have it, which
 * changes the last bit; gcc in ISO C mode (-std=c11) never does. */
#pragma STDC FP_CONTRACT OFF
#endif

#include "simrng.h"

#include <float.h>
#include <math.h>

uint64_t simrng_splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

/* Two rounds of the splitmix64 finalizer over the three words: every
 * input bit reaches every output bit, so neighbouring (A, B) pairs give
 * unrelated draws. */
uint64_t simrng_hash(uint64_t key, uint64_t a, uint64_t b) {
  uint64_t x = key ^ (a * 0xd1b54a32d192ed03u);
  uint64_t h = simrng_splitmix64(&x);
  x = h ^ (b * 0xaef17502108ef2d9u);
  return simrng_splitmix64(&x);
}

double simrng_hash_unit(uint64_t key, uint64_t a, uint64_t b) {
  return (double)(simrng_hash(key, a, b) >> 11) * 0x1p-53;
}

void simrng_jump(simrng *r) {
  /* The jump polynomial of xoshiro256 for 2^128 steps (Blackman and
   * Vigna, prng.di.unimi.it). */
  static const uint64_t jump[4] = {0x180ec6d33cfd0abau, 0xd5a61266f0c9392cu,
                                   0xa9582618e03fc9aau, 0x39abdc4529b1661cu};
  uint64_t t[4] = {0, 0, 0, 0};
  for (int i = 0; i < 4; i++)
    for (int b = 0; b < 64; b++) {
      if (jump[i] & ((uint64_t)1 << b))
        for (int k = 0; k < 4; k++)
          t[k] ^= r->s[k];
      (void)simrng_next(r);
    }
  for (int k = 0; k < 4; k++)
    r->s[k] = t[k];
  r->has_spare = 0;
}

void simrng_stream(simrng *r, uint64_t seed, uint64_t replication) {
  uint64_t x = seed;
  for (int k = 0; k < 4; k++)
    r->s[k] = simrng_splitmix64(&x);
  /* splitmix64 is a bijection of its counter, so four consecutive
   * outputs are never all zero (the one state xoshiro cannot leave). */
  r->has_spare = 0;
  r->spare = 0;
  for (uint64_t i = 0; i < replication; i++)
    simrng_jump(r);
}

/* ln 2 split so that k * LN2_HI is exact for |k| < 2^20 (its low 21 bits
 * are zero), the classic Cody-Waite reduction. */
static const double LN2_HI = 0x1.62e42feep-1;
static const double LN2_LO = 0x1.a39ef35793c76p-33;

double simrng_log(double x) {
  if (!(x > 0))
    return -745.1332191019412; /* log of the smallest subnormal */
  if (x > DBL_MAX)
    return 709.782712893384; /* log of DBL_MAX: no Inf out */
  int e;
  double m = frexp(x, &e); /* x = m 2^e, m in [1/2, 1), exact */
  if (m < 0x1.6a09e667f3bcdp-1) {
    /* Keep m in [sqrt(1/2), sqrt(2)), where the series below is short. */
    m *= 2;
    e -= 1;
  }
  /* log m = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.1716:
   * 2 (s + s^3/3 + s^5/5 + ...); eleven terms reach 2^-55 relative.
   * m - 1 is exact (Sterbenz). */
  double f = m - 1;
  double s = f / (2 + f);
  double z = s * s;
  static const double inv_odd[11] = {1,        1.0 / 3,  1.0 / 5,  1.0 / 7,
                                     1.0 / 9,  1.0 / 11, 1.0 / 13, 1.0 / 15,
                                     1.0 / 17, 1.0 / 19, 1.0 / 21};
  double r = 0;
  for (int i = 10; i >= 1; i--)
    r = (r + inv_odd[i]) * z; /* z/3 + z^2/5 + ... + z^10/21 */
  double lm = 2 * s + 2 * s * r;
  double k = (double)e;
  return k * LN2_HI + (lm + k * LN2_LO);
}

double simrng_exp(double x) {
  if (x > 709.782712893384)
    return DBL_MAX;
  if (x < -708.3964185322641) /* below this e^x is subnormal */
    return 0;
  if (x != x)
    return 0;
  /* x = k ln 2 + r, |r| <= ln2 / 2 (+ rounding), then e^r by its Taylor
   * series to r^14 / 14! (< 2^-60 relative) and an exact scaling by 2^k. */
  double t = x * 1.4426950408889634; /* 1 / ln 2 */
  long k = (long)(t < 0 ? t - 0.5 : t + 0.5);
  double kd = (double)k;
  double r = (x - kd * LN2_HI) - kd * LN2_LO;
  static const double inv_fact[15] = {1,
                                      1,
                                      1.0 / 2,
                                      1.0 / 6,
                                      1.0 / 24,
                                      1.0 / 120,
                                      1.0 / 720,
                                      1.0 / 5040,
                                      1.0 / 40320,
                                      1.0 / 362880,
                                      1.0 / 3628800,
                                      1.0 / 39916800,
                                      1.0 / 479001600,
                                      1.0 / 6227020800.0,
                                      1.0 / 87178291200.0};
  double p = inv_fact[14];
  for (int i = 13; i >= 0; i--)
    p = p * r + inv_fact[i];
  return ldexp(p, (int)k);
}

/* The right edge of the base layer and the area of each layer for 256
 * layers of e^-x (Marsaglia and Tsang 2000, section 4). */
#define ZIG_R 7.69711747013104972
#define ZIG_V 3.9496598225815571993e-3

void simrng_zig_init(simrng_zig *z) {
  /* Layer 0 is the base: [0, R] under e^-R plus the tail, as one strip
   * of width q = V / e^-R.  Layers 1..255 go up from it with right edges
   * x_255 = R > x_254 > ... > x_1 > x_0 = 0, each of area V:
   * x_(i-1) = -log(V / x_i + e^(-x_i)). */
  double x = ZIG_R, fr = simrng_exp(-ZIG_R);
  double q = ZIG_V / fr;
  z->k[0] = (uint64_t)(ZIG_R / q * 0x1p53);
  z->w[0] = q * 0x1p-53;
  z->f[0] = 1;
  z->w[255] = x * 0x1p-53;
  z->f[255] = fr;
  for (int i = 254; i >= 1; i--) {
    double lower = -simrng_log(ZIG_V / x + simrng_exp(-x));
    z->k[i + 1] = (uint64_t)(lower / x * 0x1p53);
    x = lower;
    z->w[i] = x * 0x1p-53;
    z->f[i] = simrng_exp(-x);
  }
  z->k[1] = 0; /* the top layer reaches x_0 = 0: never inside at once */
}

double simrng_exp1_zig(simrng *r, const simrng_zig *z) {
  for (;;) {
    uint64_t u = simrng_next(r);
    unsigned i = (unsigned)(u & 255);
    uint64_t j = u >> 11;
    double x = (double)j * z->w[i];
    if (j < z->k[i])
      return x;
    if (i == 0) /* the tail: memoryless, so R plus a fresh exponential */
      return ZIG_R + simrng_exp1(r);
    /* The wedge between the layer's rectangle and the curve. */
    if (z->f[i] + simrng_uniform(r) * (z->f[i - 1] - z->f[i]) < simrng_exp(-x))
      return x;
  }
}

double simrng_normal(simrng *r) {
  if (r->has_spare) {
    r->has_spare = 0;
    return r->spare;
  }
  double u, v, s;
  do {
    u = 2 * simrng_uniform(r) - 1;
    v = 2 * simrng_uniform(r) - 1;
    s = u * u + v * v;
  } while (s >= 1 || s == 0);
  double f = sqrt(-2 * simrng_log(s) / s);
  r->spare = v * f;
  r->has_spare = 1;
  return u * f;
}

double simrng_gamma(simrng *r, double k) {
  if (!(k > 0))
    return 0;
  if (k < 1) {
    /* Gamma(k) = Gamma(k + 1) U^(1/k) (Marsaglia and Tsang, section 6). */
    double g = simrng_gamma(r, k + 1);
    return g * simrng_exp(simrng_log(simrng_uniform_pos(r)) / k);
  }
  double d = k - 1.0 / 3, c = 1 / sqrt(9 * d);
  for (;;) {
    double z, v;
    do {
      z = simrng_normal(r);
      v = 1 + c * z;
    } while (v <= 0);
    v = v * v * v;
    double u = simrng_uniform_pos(r);
    double z2 = z * z;
    if (u < 1 - 0.0331 * z2 * z2)
      return d * v;
    if (simrng_log(u) < 0.5 * z2 + d * (1 - v + simrng_log(v)))
      return d * v;
  }
}

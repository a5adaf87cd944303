/*
 * dist_avx2.c - normal deviates (dist.c's normal_from, inside a layer's
 * rectangle) and the exponentials of lognormal draws (dist.c's exp_in)
 * four at a time in AVX2 registers, for the CPUs that have them: the same
 * IEEE operations lane by lane (built with -mavx2 and no FMA, as
 * lean_avx2.c), so each lane's value is exp_in's.  CMakeLists.txt builds
 * it so on x86-64 with gcc or clang (CAPPLAN_AVX2); dist_tables_init
 * asks dist_avx2_usable() once.  Elsewhere the functions are stubs no
 * caller reaches.
 */
#include "dist.h"

#include <stdbool.h>
#include <string.h>

#if defined(CAPPLAN_AVX2)
#include <immintrin.h>

typedef double v4d __attribute__((vector_size(32)));
typedef long long v4i __attribute__((vector_size(32)));
typedef unsigned long long v4u __attribute__((vector_size(32)));

bool dist_avx2_usable(void) {
  return __builtin_cpu_supports("avx2");
}

size_t dist_normal_avx2(const dist_tables *t, uint64_t key, uint64_t first,
                        size_t n, double a, double b, double *out) {
  /* Word 0 of four trials in a row: the counters step by
   * DIST_WORDS_PER_TRIAL x DIST_GAMMA (mod 2^64) from trial to trial. */
  const uint64_t step = (uint64_t)DIST_WORDS_PER_TRIAL * DIST_GAMMA;
  v4u z = {0, step, 2 * step, 3 * step};
  z += key + first * step;
  const double two52 = 4503599627370496.0; /* 2^52 */
  uint64_t bits52;
  memcpy(&bits52, &two52, sizeof bits52);
  size_t i = 0;
  for (; i + 4 <= n; i += 4, z += 4 * step) {
    /* dist.c's mix(), lane by lane. */
    v4u w = (z ^ (z >> 30)) * DIST_MIX1;
    w = (w ^ (w >> 27)) * DIST_MIX2;
    w ^= w >> 31;
    /* normal_from: the layer from bits 0-7, the sign from bit 8, the
     * uniform from bits 12-63 (a 52-bit whole number: its double is the
     * bits under 2^52's exponent, less 2^52, exactly). */
    v4i layer = (v4i)(w & 0xFF);
    v4d u = (v4d)((w >> 12) | bits52) - two52;
    v4d edge = _mm256_i64gather_pd(t->zx, (__m256i)layer, 8);
    v4d next = _mm256_i64gather_pd(t->zx + 1, (__m256i)layer, 8);
    v4d x = u * 0x1p-52 * edge;
    v4i in = x < next;
    x = (v4d)((v4u)x ^ ((w & 0x100) << 55));
    v4d v = a + b * x;
    memcpy(out + i, &v, sizeof v);
    if (_mm256_movemask_pd((__m256d)in) != 0xF) {
      /* Outside a layer's rectangle (1.2% of draws): the wedges and the
       * tail, one trial at a time. */
      for (size_t l = 0; l < 4; l++)
        if (!in[l])
          out[i + l] = a + b * dist_normal_at(t, key, first + i + l);
    }
  }
  return i;
}

size_t dist_exp_avx2(const double *two, double *x, size_t n, double lo_bound,
                     double hi_bound, bool *inside) {
  /* The constants of dist.c's exp_in (see there for the method). */
  const double shift = 6755399441055744.0; /* 1.5 x 2^52 */
  const double inv = DIST_EXP_TABLE / 0.69314718055994530942;
  const double hi = 6.93147180369123816490e-01 / DIST_EXP_TABLE;
  const double lo = 1.90821492927058770002e-10 / DIST_EXP_TABLE;
  uint64_t sbits;
  memcpy(&sbits, &shift, sizeof sbits);
  size_t i = 0;
  v4i in_bounds = {-1, -1, -1, -1};
  for (; i + 4 <= n; i += 4) {
    v4d v;
    memcpy(&v, x + i, sizeof v);
    /* Lanes outside (-700, 700) (and NaN) are left to exp_in's caller. */
    v4i in = (v > -700.0) & (v < 700.0);
    if (_mm256_movemask_pd((__m256d)in) != 0xF)
      break;
    v4d kd = v * inv + shift;
    v4i k = (v4i)kd - (long long)sbits;
    kd -= shift;
    v4d r = v - kd * hi - kd * lo;
    v4d r2 = r * r;
    v4d p = r + r2 * ((0.5 + r * (1.0 / 6)) + r2 * (1.0 / 24));
    /* floor(k / 256) by a logical shift of k + 2^19 (|k| < 2^18). */
    v4i e = (v4i)(((v4u)(k + 524288)) >> 8) - 2048;
    v4d scale = (v4d)((e + 1023) << 52);
    v4d t = _mm256_i64gather_pd(two, (__m256i)(k & (DIST_EXP_TABLE - 1)), 8);
    v4d s = t * scale;
    v4d out = s + s * p;
    memcpy(x + i, &out, sizeof out);
    in_bounds &= (out >= lo_bound) & (out <= hi_bound);
  }
  *inside = _mm256_movemask_pd((__m256d)in_bounds) == 0xF;
  return i;
}
#else
bool dist_avx2_usable(void) {
  return false;
}

size_t dist_normal_avx2(const dist_tables *t, uint64_t key, uint64_t first,
                        size_t n, double a, double b, double *out) {
  (void)t;
  (void)key;
  (void)first;
  (void)n;
  (void)a;
  (void)b;
  (void)out;
  return 0;
}

size_t dist_exp_avx2(const double *two, double *x, size_t n, double lo,
                     double hi, bool *inside) {
  (void)two;
  (void)x;
  (void)n;
  (void)lo;
  (void)hi;
  *inside = false;
  return 0;
}
#endif

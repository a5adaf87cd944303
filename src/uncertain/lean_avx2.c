/*
 * lean_avx2.c - the lean evaluator's stage loop four trials at a time in
 * AVX2 registers (the template lean_simd.h), for the CPUs that have them.
 * CMakeLists.txt builds this file alone with -mavx2 (and CAPPLAN_AVX2) on
 * x86-64 with gcc or clang; lean.c asks lean_avx2_usable() once and runs
 * the SSE2 loop on a CPU without AVX2.  Elsewhere the functions are stubs
 * no caller reaches.
 */
#include "lean_int.h"

#include <stddef.h>

#if defined(CAPPLAN_AVX2)
#include <immintrin.h>

#define LEAN_W 4
#define LEAN_SIMD_FN lean_stage_avx2
#define LEAN_FINISH_FN lean_finish_avx2
/* vblendvpd: the lanes of A where M is set, else B's. */
#define LEAN_BLENDV(b, a, m) ((vd)_mm256_blendv_pd((b), (a), (__m256d)(m)))
/* vmovmskpd: the lanes' sign bits. */
#define LEAN_MOVEMASK(m) _mm256_movemask_pd((__m256d)(m))
#define LEAN_GATHER 1

/* tails_lane's table lookup for four lanes at once: counts M and N
 * whole, in [0, 2^52) (so that adding 2^52 leaves each as the low bits
 * of its double), the hash's low 32 bits from 32-bit products (all the
 * mask keeps).  Returns false, *UP.. untouched, unless every lane's
 * entry holds its counts. */
static inline bool lean_gather(const memo_entry *memo, size_t mask, __m256d m,
                               __m256d n, __m256d *up, __m256d *down,
                               __m256d *kdown) {
  const __m256d two52 = _mm256_set1_pd(4503599627370496.0);
  __m256i mi = _mm256_sub_epi64(_mm256_castpd_si256(_mm256_add_pd(m, two52)),
                                _mm256_castpd_si256(two52));
  __m256i ni = _mm256_sub_epi64(_mm256_castpd_si256(_mm256_add_pd(n, two52)),
                                _mm256_castpd_si256(two52));
  __m256i h =
      _mm256_add_epi64(_mm256_mul_epu32(mi, _mm256_set1_epi64x(2654435761ll)),
                       _mm256_mul_epu32(ni, _mm256_set1_epi64x(40503)));
  h = _mm256_and_si256(h, _mm256_set1_epi64x((long long)mask));
  /* An entry is six doubles: m, n, a, kdown, up, down. */
  _Static_assert(sizeof(memo_entry) == 6 * sizeof(double) &&
                     offsetof(memo_entry, kdown) == 3 * sizeof(double) &&
                     offsetof(memo_entry, all.up) == 4 * sizeof(double) &&
                     offsetof(memo_entry, all.down) == 5 * sizeof(double),
                 "a table entry as lean_gather reads it");
  __m256i at =
      _mm256_add_epi64(_mm256_slli_epi64(h, 2), _mm256_slli_epi64(h, 1));
  const double *base = &memo[0].m;
  __m256d em = _mm256_i64gather_pd(base, at, 8);
  __m256d en = _mm256_i64gather_pd(base + 1, at, 8);
  __m256d hit = _mm256_and_pd(_mm256_cmp_pd(em, m, _CMP_EQ_OQ),
                              _mm256_cmp_pd(en, n, _CMP_EQ_OQ));
  if (_mm256_movemask_pd(hit) != 0xF)
    return false;
  *kdown = _mm256_i64gather_pd(base + 3, at, 8);
  *up = _mm256_i64gather_pd(base + 4, at, 8);
  *down = _mm256_i64gather_pd(base + 5, at, 8);
  return true;
}
#include "lean_simd.h"

bool lean_avx2_usable(void) {
  return __builtin_cpu_supports("avx2");
}
#else
size_t lean_stage_avx2(lean *k, lstage *s, const fixed_in *c, size_t len,
                       bool first) {
  (void)k;
  (void)s;
  (void)c;
  (void)len;
  (void)first;
  return 0;
}

size_t lean_finish_avx2(lean *k, size_t len) {
  (void)k;
  (void)len;
  return 0;
}

bool lean_avx2_usable(void) {
  return false;
}
#endif

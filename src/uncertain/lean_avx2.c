/*
 * lean_avx2.c - the lean evaluator's stage loop four trials at a time in
 * AVX2 registers (the template lean_simd.h), for the CPUs that have them.
 * CMakeLists.txt builds this file alone with -mavx2 (and CAPPLAN_AVX2) on
 * x86-64 with gcc or clang; lean.c asks lean_avx2_usable() once and runs
 * the SSE2 loop on a CPU without AVX2.  Elsewhere the functions are stubs
 * no caller reaches.
 */
#include "lean_int.h"

#if defined(CAPPLAN_AVX2)
#include <immintrin.h>

#define LEAN_W 4
#define LEAN_SIMD_FN lean_stage_avx2
/* vblendvpd: the lanes of A where M is set, else B's. */
#define LEAN_BLENDV(b, a, m) ((vd)_mm256_blendv_pd((b), (a), (__m256d)(m)))
/* vmovmskpd: the lanes' sign bits. */
#define LEAN_MOVEMASK(m) _mm256_movemask_pd((__m256d)(m))
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

bool lean_avx2_usable(void) {
  return false;
}
#endif

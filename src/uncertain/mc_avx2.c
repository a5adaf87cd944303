/*
 * mc_avx2.c - the recording of Monte Carlo's figures (mc.c) four trials
 * at a time in AVX2 registers, for the CPUs that have them: a stored
 * figure's bins (and, keeping near, its moments and the values kept) and
 * a counted figure's window, the same counts and sums as mc.c's loops
 * trial by trial.  CMakeLists.txt builds it with -mavx2 (and
 * CAPPLAN_AVX2) on x86-64 with gcc or clang; mc.c calls it only where
 * dist_avx2_usable().  Elsewhere the functions are stubs that take no
 * trial.
 */
#include "mc_avx2.h"

#include <stdbool.h>
#include <string.h>

#if defined(CAPPLAN_AVX2)
#include <immintrin.h>

typedef double v4d __attribute__((vector_size(32)));
typedef long long v4i __attribute__((vector_size(32)));
typedef unsigned long long v4u __attribute__((vector_size(32)));

/* The bins of V[0..4): mc.c's sort_key (negative values' bits all
 * flipped, others' sign bit set), then key_bin (the offset from BASE, 0
 * below it, in units of 2^SHIFT, at most bin LAST). */
static inline v4u bins4(const double *v, uint64_t base, unsigned shift,
                        uint64_t last) {
  const v4u sign = {1ull << 63, 1ull << 63, 1ull << 63, 1ull << 63};
  v4u b;
  memcpy(&b, v, sizeof b);
  v4u key = b ^ ((0 - (b >> 63)) | sign);
  v4u at = (v4u)((v4i)(key >= base) & (v4i)(key - base)) >> shift;
  v4u top = {last, last, last, last};
  return (v4u)((v4i)(at < top) & (v4i)at) | (v4u)((v4i)(at >= top) & (v4i)top);
}

size_t mc_bins_avx2(const double *v, size_t n, uint64_t base, unsigned shift,
                    size_t nbins, uint16_t *bin, size_t *bins) {
  size_t t = 0;
  for (; t + 4 <= n; t += 4) {
    v4u at = bins4(v + t, base, shift, nbins - 1);
    for (int l = 0; l < 4; l++) {
      bin[t + (size_t)l] = (uint16_t)at[l];
      bins[at[l]]++;
    }
  }
  return t;
}

/* mc_near_avx2's loop; PLAIN (a constant where inlined): one moment of
 * the numbers themselves (no factor, no divisor). */
static inline __attribute__((always_inline)) size_t
near_loop(const double *v, size_t n, uint64_t base, unsigned shift,
          size_t nbins, size_t *bins, const mc_moments *mo, bool plain,
          const unsigned char *wanted, double *got, size_t *n_got) {
  size_t nmo = plain ? 1 : mo->n, k = *n_got;
  v4d sum[4], sq[4];
  for (size_t m = 0; m < nmo; m++) {
    memcpy(&sum[m], mo->sum[m], sizeof sum[m]);
    memcpy(&sq[m], mo->sq[m], sizeof sq[m]);
  }
  size_t t = 0;
  for (; t + 4 <= n; t += 4) {
    v4d x;
    memcpy(&x, v + t, sizeof x);
    v4u at = bins4(v + t, base, shift, nbins - 1);
    /* Each moment's differences in lanes (the same operations, each
     * rounded as mc.c's), added to the lanes' sums (V[0] is lane 0's). */
    for (size_t m = 0; m < nmo; m++) {
      v4d y = x;
      if (!plain && mo->mul[m] != 1)
        y = y * mo->mul[m];
      if (!plain && mo->div[m] != 1)
        y = y / mo->div[m];
      v4d dx = y - mo->s[m];
      sum[m] += dx;
      sq[m] += dx * dx;
    }
#pragma GCC unroll 4
    for (int l = 0; l < 4; l++) {
      bins[at[l]]++;
      got[k] = x[l];
      k += wanted[at[l]];
    }
  }
  for (size_t m = 0; m < nmo; m++) {
    memcpy(mo->sum[m], &sum[m], sizeof sum[m]);
    memcpy(mo->sq[m], &sq[m], sizeof sq[m]);
  }
  *n_got = k;
  return t;
}

size_t mc_near_avx2(const double *v, size_t n, uint64_t base, unsigned shift,
                    size_t nbins, size_t *bins, const mc_moments *mo,
                    const unsigned char *wanted, double *got, size_t *n_got) {
  if (mo->n == 1 && mo->mul[0] == 1 && mo->div[0] == 1)
    return near_loop(v, n, base, shift, nbins, bins, mo, true, wanted, got,
                     n_got);
  return near_loop(v, n, base, shift, nbins, bins, mo, false, wanted, got,
                   n_got);
}

size_t mc_window_avx2(const double *v, size_t n, double base, double cap,
                      size_t *win) {
  const double two52 = 4503599627370496.0; /* 2^52 */
  uint64_t bits52;
  memcpy(&bits52, &two52, sizeof bits52);
  size_t t = 0;
  for (; t + 4 <= n; t += 4) {
    v4d x;
    memcpy(&x, v + t, sizeof x);
    v4d at = x - base;
    /* In [0, CAP) and whole: adding 2^52 leaves no fraction, so taking
     * it away again gives AT back only for a whole number, whose value
     * is then the low bits of the sum. */
    v4d sum = at + two52;
    v4i in = (at >= 0.0) & (at < cap) & ((sum - two52) == at);
    if (_mm256_movemask_pd((__m256d)in) != 0xF)
      break;
    v4u i = (v4u)sum - bits52;
    win[i[0]]++;
    win[i[1]]++;
    win[i[2]]++;
    win[i[3]]++;
  }
  return t;
}
#else
size_t mc_bins_avx2(const double *v, size_t n, uint64_t base, unsigned shift,
                    size_t nbins, uint16_t *bin, size_t *bins) {
  (void)v;
  (void)n;
  (void)base;
  (void)shift;
  (void)nbins;
  (void)bin;
  (void)bins;
  return 0;
}

size_t mc_near_avx2(const double *v, size_t n, uint64_t base, unsigned shift,
                    size_t nbins, size_t *bins, const mc_moments *mo,
                    const unsigned char *wanted, double *got, size_t *n_got) {
  (void)v;
  (void)n;
  (void)base;
  (void)shift;
  (void)nbins;
  (void)bins;
  (void)mo;
  (void)wanted;
  (void)got;
  (void)n_got;
  return 0;
}

size_t mc_window_avx2(const double *v, size_t n, double base, double cap,
                      size_t *win) {
  (void)v;
  (void)n;
  (void)base;
  (void)cap;
  (void)win;
  return 0;
}
#endif

/*
 * mc_avx2.h - Monte Carlo's recording four trials at a time (mc_avx2.c),
 * private to mc.c.  Each function takes the first trials, a multiple of
 * four, and returns how many it took; mc.c's own loops take the rest.
 * Only where dist_avx2_usable().
 */
#ifndef CAPPLAN_MC_AVX2_H
#define CAPPLAN_MC_AVX2_H

#include <stddef.h>
#include <stdint.h>

/* Each of V[0..N)'s bin (mc.c's key_bin of its sort key, BASE and SHIFT,
 * NBINS bins) into BIN and counted in BINS. */
size_t mc_bins_avx2(const double *v, size_t n, uint64_t base, unsigned shift,
                    size_t nbins, uint16_t *bin, size_t *bins);

/* A stored figure's moments on their way (mc.c's chunk_loop): N of them,
 * each summing (x MUL / DIV - S) and its square, as mc.c's maps round
 * (a factor or divisor of 1 is left out, as it changes nothing). */
/* The moments' partial sums a chunk: trial T's in lane T mod MC_LANES. */
#define MC_LANES 4

typedef struct mc_moments {
  size_t n;
  double mul[4], div[4], s[4];
  /* N x MC_LANES each, per moment its lanes, each added to in order */
  double (*sum)[MC_LANES], (*sq)[MC_LANES];
} mc_moments;

/* Each of V[0..N)'s bin counted in BINS as mc_bins_avx2 counts it, its
 * moments added to MO's lanes (V[0] is lane 0's), and each value whose
 * bin is WANTED appended to GOT
 * at *N_GOT (room for N more). */
size_t mc_near_avx2(const double *v, size_t n, uint64_t base, unsigned shift,
                    size_t nbins, size_t *bins, const mc_moments *mo,
                    const unsigned char *wanted, double *got, size_t *n_got);

/* V[0..) counted in the window WIN of CAP slots from BASE while each is
 * a whole number in it (CAP at most 2^20). */
size_t mc_window_avx2(const double *v, size_t n, double base, double cap,
                      size_t *win);

#endif

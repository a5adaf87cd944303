/*
 * dist.h - the distributions of uncertain inputs (SPEC.md section 8,
 * FORMULAS.md sections 5 and 5b): what a spec's range stands for, its
 * median, mean, quantiles and CDF, and draws from a counter-based
 * generator.
 *
 * The first step below the spec: the loader turns what a spec wrote
 * (units.h's qdist) into a dist and takes its median as the spec's point
 * value.  Monte Carlo (mc.h) draws from it.  Pure functions, no state: a
 * draw is a function of (seed, input, trial) only, so trial i gives the
 * same value whichever thread runs it (FORMULAS.md section 5b).
 */
#ifndef CAPPLAN_DIST_H
#define CAPPLAN_DIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "units.h"

/* z of the 95th percentile of the standard normal, Phi^-1(0.95): a 90%
 * interval 'a to b' spans mu +- 1.6448536 sigma (FORMULAS.md section 5). */
#define DIST_Z95 1.6448536269514722

enum dist_shape {
  SHAPE_LOGNORMAL,  /* a, b: mu and sigma of ln X */
  SHAPE_NORMAL,     /* a, b: mean and standard deviation */
  SHAPE_UNIFORM,    /* a, b: low and high */
  SHAPE_TRIANGULAR, /* a, b, c: low, mode, high */
  SHAPE_COUNT
};

typedef struct dist {
  enum dist_shape shape;
  bool interval; /* written as a 90% interval 'low to high' */
  double a, b, c;
  /* The key's bounds: a draw outside them is drawn again (the
   * distribution truncated to what the key accepts). */
  double lo, hi;
  bool lo_open, hi_open;
  bool may_leave;      /* some of the distribution lies outside the bounds */
  double in_lo, in_hi; /* the bounds as closed ones: in_lo <= x <= in_hi */
} dist;

/* What Q (as a spec wrote it) stands for (FORMULAS.md section 5): an
 * interval 'a to b' is lognormal when 0 < a (mu = (ln a + ln b) / 2,
 * sigma = (ln b - ln a) / (2 x 1.6448536)), else normal with mean
 * (a + b) / 2 and sd (b - a) / (2 x 1.6448536).  No bounds (see
 * dist_bound). */
dist dist_of(const qdist *q);
/* Truncates D to [LO, HI] (either end open).  Returns the probability
 * the untruncated distribution puts inside them. */
double dist_bound(dist *d, double lo, bool lo_open, double hi, bool hi_open);

/* "lognormal", "normal", "uniform", "triangular". */
const char *dist_shape_name(enum dist_shape s);

/* The untruncated distribution's median, mean, standard deviation,
 * P-quantile (0 < P < 1) and CDF at X. */
double dist_median(const dist *d);
double dist_mean(const dist *d);
double dist_sd(const dist *d);
double dist_quantile(const dist *d, double p);
double dist_cdf(const dist *d, double x);
/* The P-quantile of D as it is drawn: cut to its bounds (dist_bound) when
 * some of it lies outside them, else dist_quantile's.  The spec's point
 * value is its median (P = 0.5), and reports show its p5 and p95. */
double dist_quantile_in(const dist *d, double p);

/* The tables a draw needs (ziggurat layers of the normal, powers of two
 * for exp), computed once per run by dist_tables_init: constants, no
 * state. */
#define DIST_ZIG_LAYERS 256
#define DIST_EXP_TABLE 256
typedef struct dist_tables {
  double zx[DIST_ZIG_LAYERS + 1]; /* layer edges, zx[1] = R, zx[256] = 0 */
  double zf[DIST_ZIG_LAYERS + 1]; /* exp(-zx^2 / 2) */
  double two[DIST_EXP_TABLE];     /* 2^(j / 256) */
  bool avx2;                      /* dist_exp_avx2 runs here */
} dist_tables;

void dist_tables_init(dist_tables *t);

/* e^X[i] (dist.c's exp_in, bit for bit) in place, four at a time from
 * i = 0 while each of the four lies in (-700, 700); returns how many it
 * took, and in *INSIDE whether each of those lies in [LO, HI].  TWO:
 * dist_tables.two.  Only where dist_avx2_usable(). */
size_t dist_exp_avx2(const double *two, double *x, size_t n, double lo,
                     double hi, bool *inside);
/* A + B x the standard normal deviate of trials FIRST, FIRST + 1, ... of
 * stream KEY (dist_normal_at's, bit for bit) into OUT, four at a time;
 * returns how many it took (N rounded down to a multiple of four).  Only
 * where dist_avx2_usable(). */
size_t dist_normal_avx2(const dist_tables *t, uint64_t key, uint64_t first,
                        size_t n, double a, double b, double *out);
bool dist_avx2_usable(void);

/* The counter-based generator (dist.c): word J of trial I of a stream
 * with key K is mix(K + (DIST_WORDS_PER_TRIAL I + J) DIST_GAMMA), mix
 * being SplitMix64's output function with the multipliers DIST_MIX1 and
 * DIST_MIX2. */
#define DIST_GAMMA 0x9E3779B97F4A7C15ull
#define DIST_WORDS_PER_TRIAL 256
#define DIST_MIX1 0xBF58476D1CE4E5B9ull
#define DIST_MIX2 0x94D049BB133111EBull

/* The stream of input K (0, 1, ...) under SEED. */
uint64_t dist_key(uint64_t seed, size_t k);

/* Draws of D for trials FIRST .. FIRST + N - 1 of the stream KEY into
 * OUT: each a function of (KEY, trial) only.  Never NaN or infinite; a
 * draw that stays outside the bounds after 255 tries (a chance below
 * 2^-255 for a distribution the loader accepts) is the median. */
void dist_fill(const dist *d, const dist_tables *t, uint64_t key,
               uint64_t first, size_t n, double *out);

/* A standard normal deviate, a uniform in (0, 1), and e^X, from the
 * generator's words of trial TRIAL (for the tests of the generator). */
double dist_normal_at(const dist_tables *t, uint64_t key, uint64_t trial);
double dist_uniform_at(uint64_t key, uint64_t trial);
double dist_exp(const dist_tables *t, double x);

#endif

/*
 * simhist.h - a streaming histogram of non-negative durations for the
 * simulator's percentiles (src/sim/des.c): log-linear buckets in the style
 * of HdrHistogram, 512 per power of two, allocated one power of two at a
 * time as values reach it.
 *
 * Error bound (docs/simulation.md, "Percentiles"): a value x in
 * [2^-40, 2^40) seconds falls in a bucket [L, L + w) with w = 2^e / 512
 * and L >= 2^e, and a quantile is reported as the middle of the bucket
 * holding the order statistic, so the reported value is within
 * w / 2 / L <= 1/1024 (0.0977%) of the sample quantile.  Values below
 * 2^-40 s (about 1 ps) count as 0; values from 2^40 s on (about 35,000
 * years) fall into one overflow bucket reported as the largest value seen.
 * Memory: 80 pointers plus 4 KiB per power of two that holds a value.
 */
#ifndef CAPPLAN_SIMHIST_H
#define CAPPLAN_SIMHIST_H

#include <stdint.h>

#define SIMHIST_SUB_BITS 9
#define SIMHIST_SUB (1 << SIMHIST_SUB_BITS) /* buckets per power of two */
#define SIMHIST_MIN_EXP (-40)               /* 2^-40 s: the smallest bucket */
#define SIMHIST_OCTAVES 80                  /* up to 2^40 s */

typedef struct simhist {
  uint64_t *oct[SIMHIST_OCTAVES]; /* NULL until a value lands there */
  uint64_t oct_count[SIMHIST_OCTAVES];
  uint64_t zero;  /* values below 2^-40 */
  uint64_t over;  /* values from 2^40 on */
  uint64_t count; /* all values */
  double min, max;
} simhist;

/* An empty histogram; release it with simhist_release. */
void simhist_init(simhist *h);
/* Frees the buckets; H is empty and usable again.  NULL is safe. */
void simhist_release(simhist *h);
/* Empties H, keeping its buckets allocated for reuse. */
void simhist_clear(simhist *h);
/* Counts X (seconds); negative values count as 0. */
void simhist_add(simhist *h, double x);
/* Adds every count of SRC to DST. */
void simhist_merge(simhist *dst, const simhist *src);
/* The P-quantile (0 < P <= 1): the middle of the bucket of the
 * ceil(P n)-th smallest value, kept within [min, max].  0 when empty. */
double simhist_quantile(const simhist *h, double p);

#endif

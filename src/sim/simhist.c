/*
 * simhist.c - log-linear histogram of durations (simhist.h has the error
 * bound).  A bucket index is read straight from the bits of the double:
 * the exponent picks the power of two, the top 9 bits of the mantissa the
 * bucket within it, so adding a value costs no logarithm.
 */
#include "simhist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void simhist_init(simhist *h) {
  memset(h, 0, sizeof *h);
}

void simhist_release(simhist *h) {
  if (!h)
    return;
  for (int i = 0; i < SIMHIST_OCTAVES; i++)
    free(h->oct[i]);
  simhist_init(h);
}

void simhist_clear(simhist *h) {
  for (int i = 0; i < SIMHIST_OCTAVES; i++)
    if (h->oct[i] && h->oct_count[i]) {
      memset(h->oct[i], 0, SIMHIST_SUB * sizeof(uint64_t));
      h->oct_count[i] = 0;
    }
  h->zero = h->over = h->count = 0;
  h->min = h->max = 0;
}

void simhist_add(simhist *h, double x) {
  if (!(x > 0))
    x = 0;
  if (h->count == 0 || x < h->min)
    h->min = x;
  if (h->count == 0 || x > h->max)
    h->max = x;
  h->count++;
  uint64_t bits;
  memcpy(&bits, &x, sizeof bits);
  int e = (int)((bits >> 52) & 0x7ff) - 1023; /* x in [2^e, 2^(e+1)) */
  int o = e - SIMHIST_MIN_EXP;
  if (o < 0) {
    h->zero++; /* also 0 itself and subnormals */
    return;
  }
  if (o >= SIMHIST_OCTAVES) {
    h->over++;
    return;
  }
  if (!h->oct[o])
    h->oct[o] = xcalloc(SIMHIST_SUB, sizeof(uint64_t));
  h->oct[o][(bits >> (52 - SIMHIST_SUB_BITS)) & (SIMHIST_SUB - 1)]++;
  h->oct_count[o]++;
}

void simhist_merge(simhist *dst, const simhist *src) {
  if (src->count == 0)
    return;
  for (int o = 0; o < SIMHIST_OCTAVES; o++) {
    if (!src->oct_count[o])
      continue;
    if (!dst->oct[o])
      dst->oct[o] = xcalloc(SIMHIST_SUB, sizeof(uint64_t));
    for (int j = 0; j < SIMHIST_SUB; j++)
      dst->oct[o][j] += src->oct[o][j];
    dst->oct_count[o] += src->oct_count[o];
  }
  if (dst->count == 0 || src->min < dst->min)
    dst->min = src->min;
  if (dst->count == 0 || src->max > dst->max)
    dst->max = src->max;
  dst->zero += src->zero;
  dst->over += src->over;
  dst->count += src->count;
}

static double clamp(const simhist *h, double v) {
  return v < h->min ? h->min : v > h->max ? h->max : v;
}

double simhist_quantile(const simhist *h, double p) {
  if (h->count == 0)
    return 0;
  if (!(p > 0))
    return h->min;
  if (p >= 1)
    return h->max;
  /* The rank of the sample quantile, 1-based: ceil(p n), at least 1.
   * p n is exact enough: n < 2^53. */
  double pn = p * (double)h->count;
  uint64_t rank = (uint64_t)ceil(pn);
  if (rank < 1)
    rank = 1;
  if (rank > h->count)
    rank = h->count;
  uint64_t seen = h->zero;
  if (rank <= seen)
    return clamp(h, 0);
  for (int o = 0; o < SIMHIST_OCTAVES; o++) {
    if (seen + h->oct_count[o] < rank) {
      seen += h->oct_count[o];
      continue;
    }
    for (int j = 0; j < SIMHIST_SUB; j++) {
      seen += h->oct[o][j];
      if (seen >= rank) {
        /* The middle of [2^e (1 + j/512), 2^e (1 + (j+1)/512)). */
        double mid = ldexp(1 + (j + 0.5) / SIMHIST_SUB, o + SIMHIST_MIN_EXP);
        return clamp(h, mid);
      }
    }
  }
  return h->max; /* in the overflow bucket */
}

/*
 * availability.h - k-of-n availability, series and parallel composition,
 * nines and downtime (FORMULAS.md section 2, seed 000 "Availability").
 *
 * Results carry both A and 1 - A, each computed without cancellation, so
 * that 0.999999999 keeps its nines and 1e-12 keeps its digits.
 */
#ifndef CAPPLAN_AVAILABILITY_H
#define CAPPLAN_AVAILABILITY_H

#include <float.h>

typedef struct avail {
  double up;   /* A */
  double down; /* 1 - A, accurate even when A is within 1e-16 of 1 */
} avail;

/* P(at least M of N independent servers are up), each up with probability
 * A.  M <= 0 is certain; M > N is impossible.  Stable for N in the
 * millions: the binomial terms are summed in log space outward from the
 * largest, and the smaller tail gives the other figure. */
avail avail_k_of_n(double m, double n, double a);

/* A pool of N servers each up with probability A, M of them needed, R
 * servers' worth of load (M = ceil(R)), C calls a request (a stage's
 * `calls`, 1 else): ALL = P(at least M up), the k-of-n figure; REQ =
 * E[min(1, K / R)^C], the share of requests served when a request needs
 * each of its calls served and the pool sheds min(1, K / R) of them at
 * random (FORMULAS.md section 2b; C = 1: the share of the load served).
 * One pass over the binomial terms for both: from the all-up term when
 * few failures are expected (the common case, a few multiplications),
 * else by Loader's method as avail_k_of_n. */
void avail_pool(double m, double n, double a, double r, double c, avail *all,
                avail *req);
/* avail_pool in two parts, for callers that keep the first: ALL and
 * KDOWN = sum over k < M of k P(K = k) (C = 1), else of (k / (M - 1))^C
 * P(K = k), which depend on (M, N, A, C) only; then avail_share(ALL,
 * KDOWN, avail_load_pow(R, M, C)). */
void avail_tails(double m, double n, double a, double c, avail *all,
                 double *kdown);

/* What avail_share divides KDOWN by, for R servers' worth of load, M
 * needed and C calls: R itself when C is 1 (the common case, inline), R
 * is not positive or M < 2; else (R / (M - 1))^C, as KDOWN's terms are
 * weighed (no power of a large count overflows; a huge one makes the
 * share of a short pool 0, as it should). */
double avail_load_pow_any(double r, double m, double c);
static inline double avail_load_pow(double r, double m, double c) {
  return c == 1 ? r : avail_load_pow_any(r, m, c);
}

/* A pool whose data is split into SHARDS shards (2 or more, whole: the
 * servers one copy takes), its N servers (whole) holding them shard by
 * shard, as even as can be: N mod SHARDS shards on one server more than
 * the rest, each server up with probability A.  Two conditions, taken as
 * independent: each shard has a server up (the data), and M of the N
 * servers are up to carry CARRY servers' worth of load (the k-of-n
 * figure, C calls a request as avail_pool; M and CARRY the load's, the
 * data left out).  ALL = both hold; REQ = the share of requests served:
 * the load's share, times each call finding its shard up (the shards'
 * down shares averaged, the C calls' shards taken as independent).
 * docs/decisions.md "Replicated shards". */
void avail_sharded(double shards, double n, double m, double a, double carry,
                   double c, avail *all, avail *req);

/* The small compositions below are inline: an evaluation takes several
 * per stage, and a call costs as much as their arithmetic. */
/* The share served from avail_tails' figures and R = avail_load_pow(r,
 * m, c) (r servers' worth of load, c calls a request): E[min(1, K /
 * r)^c] = P(K >= m) + sum_{k<m} P(k) (k / r)^c (k < m <= r), the sum
 * being KDOWN / R; its complement P(K < m) - KDOWN / R keeps its digits
 * when small. */
static inline avail avail_share(avail all, double kdown, double r) {
  if (r <= 0)
    return all;
  avail req;
  req.down = all.down - kdown / r;
  if (req.down < 0.5) {
    /* Positive whenever every server can be down (avail_tails). */
    req.down = req.down > 0 ? req.down : all.down > 0 ? DBL_TRUE_MIN : 0;
    req.up = 1 - req.down;
  } else {
    req.up = all.up + kdown / r;
    req.up = req.up < 1 ? req.up : 1;
    req.down = 1 - req.up;
  }
  return req;
}

/* Both figures of a single probability A. */
static inline avail avail_of(double a) {
  avail r = {a, 1 - a};
  return r;
}
/* The same from the down share D, which keeps a D too small to move
 * 1 - D (a share of requests past the cap of nines stays above 0). */
static inline avail avail_down(double d) {
  avail r = {1 - d, d};
  return r;
}
/* Everything needed: the product (series). */
static inline avail avail_series(avail x, avail y) {
  avail r = {x.up * y.up, x.down + y.down * x.up};
  return r;
}
/* One of two suffices (redundant alternatives): 1 - (1-x)(1-y). */
static inline avail avail_parallel(avail x, avail y) {
  /* x.up and x.down are each accurate but their sum may pass one by a
   * rounding; so may this one. */
  avail r = {x.up + y.up * x.down, x.down * y.down};
  if (r.up > 1)
    r.up = 1;
  return r;
}

/* The p-quantile of the standard normal distribution, for 0 < p < 1
 * (Wichura's algorithm AS 241, about 16 digits). */
double normal_quantile(double p);

/* -log10(1 - A): 99.9% has 3 nines. */
double avail_nines(avail x);

#include <stdbool.h>

/* What a report states of an availability (FORMULAS.md section 2b): its
 * nines, capped at CAPPLAN_NINES_CAP (figures.h) with a flag past it,
 * and the downtime it allows a year and a month (8,760 and 730 hours). */
typedef struct avail_figs {
  double nines;
  bool above_cap;
  double down_year_min, down_month_min;
} avail_figs;
avail_figs avail_figs_of(avail x);

#endif

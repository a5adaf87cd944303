/*
 * availability.h - k-of-n availability, series and parallel composition,
 * nines and downtime (FORMULAS.md section 2, seed 000 "Availability").
 *
 * Results carry both A and 1 - A, each computed without cancellation, so
 * that 0.999999999 keeps its nines and 1e-12 keeps its digits.
 */
#ifndef CAPPLAN_AVAILABILITY_H
#define CAPPLAN_AVAILABILITY_H

typedef struct avail {
  double up;   /* A */
  double down; /* 1 - A, accurate even when A is within 1e-16 of 1 */
} avail;

/* P(at least M of N independent servers are up), each up with probability
 * A.  M <= 0 is certain; M > N is impossible.  Stable for N in the
 * millions: the binomial terms are summed in log space outward from the
 * largest, and the smaller tail gives the other figure. */
avail avail_k_of_n(double m, double n, double a);

/* Both figures of a single probability A. */
avail avail_of(double a);
/* Everything needed: the product (series). */
avail avail_series(avail x, avail y);
/* One of two suffices (redundant alternatives): 1 - (1-x)(1-y). */
avail avail_parallel(avail x, avail y);

/* The p-quantile of the standard normal distribution, for 0 < p < 1
 * (Wichura's algorithm AS 241, about 16 digits). */
double normal_quantile(double p);

/* -log10(1 - A): 99.9% has 3 nines. */
double avail_nines(avail x);

#endif

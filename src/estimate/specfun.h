/*
 * specfun.h - the special functions the queueing and latency-distribution
 * modules need (queueing.c, latdist.c): Poisson and gamma probabilities
 * that keep their digits for large arguments, the normal tail, and a
 * safeguarded root finder for decreasing functions.  Leaf module: no
 * knowledge of specs or plans, no allocation, no state.
 *
 * Every function returns a finite number for every input it documents;
 * outside that domain it returns -1 (all results here are >= 0).
 */
#ifndef CAPPLAN_SPECFUN_H
#define CAPPLAN_SPECFUN_H

/* ln |Gamma(x)|, as lgamma, without lgamma's write of its sign to the
 * global signgam (a race when Monte Carlo's threads evaluate plans). */
double specfun_lgamma(double x);

/* ln(x^k e^-x / Gamma(k+1)) for k >= 0, x > 0: the log of the Poisson
 * probability of k (k may be fractional: the gamma density up to a
 * factor).  Loader's saddle-point form (C. Loader, "Fast and Accurate
 * Computation of Binomial Probabilities", 2000), accurate to about 1e-15
 * absolute when the result is above -700 even for k and x near 1e7,
 * where k ln x - x - lgamma(k + 1) would lose ten digits.  -1e308 for
 * x = 0 < k (probability 0); 0 for k = x = 0. */
double specfun_log_pois(double k, double x);

/* The regularized incomplete gamma functions P(k, x) = gamma(k, x) /
 * Gamma(k) and Q = 1 - P, for k > 0, x >= 0 (the CDF and survival of a
 * gamma variable of shape k and rate 1 at x).  Series for x < k + 1,
 * continued fraction otherwise (Abramowitz & Stegun 6.5.29 and 6.5.31),
 * each summed until it stops changing; the smaller of P and Q is computed
 * directly, so both keep about 14 significant digits.  Cost grows like
 * sqrt(k) near x = k: keep k <= 1e6. */
double specfun_gamma_p(double k, double x);
double specfun_gamma_q(double k, double x);

/* The p-quantile of the gamma distribution of shape k > 0 and rate 1:
 * the x with P(k, x) = p, 0 < p < 1, by the root finder below on
 * log Q(k, x) - log(1 - p) (log(p) - log P for p < 1/2), from the
 * Wilson-Hilferty start.  -1 on bad input. */
double specfun_gamma_quantile(double k, double p);

/* Both P(k, x) and Q(k, x) from one series or continued fraction. */
void specfun_gamma_pq(double k, double x, double *p, double *q);

/* sum_{n>=0} x^n / ((k+1)(k+2)...(k+n)) for k >= 0 and 0 <= x < k + 1,
 * the series of P(k, x) = pois(k, x) * this (A & S 6.5.29). */
double specfun_gamma_series(double k, double x);

/* E[k / (k + N)] for N ~ Poisson(y), k > 0, y >= 0: the confluent
 * hypergeometric function 1F1(1; k + 1; -y) written as a sum of positive
 * terms (Kummer's transformation, A & S 13.1.27); the asymptotic series
 * (A & S 13.5.1) when y is large. */
double specfun_kummer1(double k, double y);

/* Upper tail of the standard normal distribution, Q(z) = P(Z > z), from
 * erfc, accurate in both tails. */
double specfun_norm_q(double z);
/* Its inverse: the z with Q(z) = q, 0 < q < 1 (Newton on log Q from the
 * Abramowitz & Stegun 26.2.23 start; about 15 digits). */
double specfun_norm_q_inv(double q);

/* (1 - e^-x) / x, with value 1 at x = 0: the stable form FORMULAS.md
 * section 3 names phi.  Any finite x >= 0. */
double specfun_phi(double x);
/* 1 - phi(x) = (x - 1 + e^-x) / x without cancellation near 0. */
double specfun_one_minus_phi(double x);

/* A decreasing function g of t >= 0 and its derivative, for the root
 * finder: returns g(t) and stores g'(t) (<= 0) in *dg. */
typedef double (*specfun_fn)(double t, void *arg, double *dg);

/* The t >= 0 with g(t) = 0 for a decreasing continuous g with g(0) > 0
 * (or g(0^+) > 0): brackets by doubling from T0 > 0, then Newton steps
 * kept inside the bracket, bisecting whenever a step leaves it or does
 * not halve it.  Converges to about 1e-14 relative.  Returns 0 and stores
 * the root in *t, or -1 when no sign change is found below 1e300. */
int specfun_root_decreasing(specfun_fn g, void *arg, double t0, double *t);
/* The same, storing also g' at the last point evaluated (next to the
 * root) in *DG_AT. */
int specfun_root_decreasing_at(specfun_fn g, void *arg, double t0, double *t,
                               double *dg_at);
/* The same for a root known to lie above LO >= 0 (g(LO) > 0), trying T0 >
 * LO first (a good guess saves the doubling) and then doubling its
 * distance from LO. */
int specfun_root_decreasing_from(specfun_fn g, void *arg, double lo, double t0,
                                 double *t, double *dg_at);

#endif

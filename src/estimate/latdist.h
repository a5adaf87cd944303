/*
 * latdist.h - latency distributions on a grid, for the end-to-end
 * percentiles of a multi-stage plan (FORMULAS.md section 3b, SPEC.md
 * section 7): the sum along a path (convolution), the max over fork-join
 * branches (product of CDFs, branches independent), `calls: k` in
 * parallel (CDF^k), cache hits and stops (mixtures), constant shifts,
 * service times of a given mean and coefficient of variation, and queue
 * waits with their atom at zero; then the mean and quantiles.
 *
 * A leaf of the estimator: it knows distributions, not stages.  It is
 * built to be evaluated many times: one context, allocated once, owns the
 * FFT tables, the scratch space and a pool of distributions; no operation
 * allocates (the pool grows only the first time it is drawn deeper).
 *
 * The grid.  A distribution is n masses at 0, dt, ..., (n-1) dt plus the
 * mass beyond the grid, which is tracked, never dropped.  A continuous
 * time is put on the grid by linear interpolation of its mass between the
 * two nearest points (equivalently, the second difference of its
 * stop-loss function E[(X - t)^+]), which keeps the mean exact and makes
 * every sum of discretized parts mean-exact too; the k-th grid point's
 * cumulative mass stands for the CDF at (k + 1/2) dt, and quantiles
 * interpolate linearly between those.  Accuracy: O(dt^2) in smooth parts,
 * about dt where the distribution has an atom (a deterministic time).
 *
 * Choosing the grid (the estimator's rule): dt = U / (n - 1), where U is
 * an upper bound on the end-to-end p99.99 - for instance the union bound:
 * with K random parts in the whole plan (a stage's wait and service are
 * two; `calls: k` counts k times), U = the largest over paths of the sum
 * of each part's quantile at 1 - 1e-4 / K (latdist_service_quantile,
 * latdist_exp_quantile), since then P(any part exceeds its share) <= 1e-4
 * and no path can.  Every intermediate result is below the final one, so
 * then at most 1e-4 of any distribution lies beyond the grid and p50 to
 * p999 are on it.  An estimator may tighten dt after one evaluation to
 * 1.25 x the measured p99.99 / (n - 1) while latdist_beyond() stays below
 * 1e-4.  Since putting a part on the grid moves its mass by less than
 * one point either way, a sum of K parts may sit up to K points past
 * the exact one: an atom at U would spill past a grid that ends there,
 * so the grid should reach a few points further (the estimator's margin,
 * latency.c grid_dt).  A quantile that falls beyond the grid is never
 * guessed: it returns LATDIST_BEYOND.
 *
 * Every function returns LATDIST_OK (0), LATDIST_BEYOND (a figure lies
 * beyond the grid: the value stored is only a lower bound) or
 * LATDIST_EINVAL (-1: bad argument, or distributions of another context;
 * nothing is written).  No NaN or infinity is ever stored.
 */
#ifndef CAPPLAN_LATDIST_H
#define CAPPLAN_LATDIST_H

#include <stddef.h>

enum { LATDIST_OK = 0, LATDIST_BEYOND = 1, LATDIST_EINVAL = -1 };

typedef enum latdist_shape {
  LATDIST_DETERMINISTIC = 0, /* always the mean */
  LATDIST_EXPONENTIAL,       /* cv = 1 (cv is ignored) */
  LATDIST_GAMMA,             /* shape 1/cv^2; deterministic when cv < 1e-3 */
  LATDIST_LOGNORMAL          /* sigma^2 = ln(1 + cv^2); cv = 0: deterministic */
} latdist_shape;

typedef struct latdist_ctx latdist_ctx;
typedef struct latdist latdist;

/* A context for grids of N points spaced DT seconds apart: N a power of
 * two from 16 to 2^22, DT > 0.  POOL distributions are allocated now (more
 * on demand).  NULL on invalid arguments.  Free with latdist_ctx_free. */
latdist_ctx *latdist_ctx_new(size_t n, double dt, size_t pool);
/* Frees the context and every distribution it handed out; NULL is safe. */
void latdist_ctx_free(latdist_ctx *ctx);
size_t latdist_ctx_n(const latdist_ctx *ctx);
double latdist_ctx_dt(const latdist_ctx *ctx);
/* A new spacing (> 0) for the next evaluation: returns every distribution
 * to the pool, since their masses were for the old grid. */
int latdist_ctx_set_dt(latdist_ctx *ctx, double dt);

/* A distribution from the pool (a point mass at 0 until set); owned by
 * the context, valid until released.  Never NULL: the pool grows. */
latdist *latdist_take(latdist_ctx *ctx);
/* The pool's level, and a return to it: every distribution taken since
 * MARK goes back (e.g. keep the services, redo the waits). */
size_t latdist_ctx_mark(const latdist_ctx *ctx);
void latdist_ctx_release(latdist_ctx *ctx, size_t mark);

/* ---- building ---------------------------------------------------------
 * OUT may be the same distribution as any input. */

/* The constant T >= 0. */
int latdist_set_point(latdist *out, double t);
/* Uniform on [A, B], 0 <= A <= B (a batch forming: the wait of a request
 * for the rest of its batch).  B = A: the point A. */
int latdist_set_uniform(latdist *out, double a, double b);
/* A + the uniform on [0, W], W >= 0, independent, in O(n): the uniform's
 * grid masses are one constant but for a few at its ends, so the
 * convolution is a sliding sum plus those few terms (a batch forming). */
int latdist_add_uniform(latdist *out, const latdist *a, double w);
/* A + the wait of a request for the rest of a batch of B (whole, >= 2)
 * that arrivals fill at RATE > 0 a second: a request is equally likely
 * any place of its batch, and the k-th of B waits for B - k more
 * arrivals, an Erlang(B - k, RATE) time, so the wait is the mixture of
 * Erlang(0 .. B - 1) with weights 1/B.  Its mean is (B - 1) / (2 RATE),
 * as the uniform's on [0, (B - 1) / RATE], but its tail is the first
 * request's Erlang(B - 1).  One convolution with A. */
int latdist_add_fill(latdist *out, const latdist *a, double b, double rate);
/* A service time of mean MEAN > 0 and coefficient of variation CV >= 0
 * (<= 10) of the given shape.  Gamma and lognormal evaluate incomplete
 * gamma or erfc at each grid point they cover (build once, keep, reuse). */
int latdist_set_service(latdist *out, latdist_shape shape, double mean,
                        double cv);
/* The wait of a queue: 0 with probability 1 - W, otherwise exponential of
 * rate RATE > 0 (0 <= W <= 1).  From an M/M/c or Allen-Cunneen queue
 * (queueing.h): W = p_wait, RATE = wait_rate.  W = 1: an exponential. */
int latdist_set_exp(latdist *out, double w, double rate);

/* A + B, independent: FFT convolution (two transforms of 2n points),
 * truncated to the grid with the overflow added to the mass beyond. */
int latdist_sum(latdist *out, const latdist *a, const latdist *b);
/* A + the latdist_set_exp(W, RATE) variable, in O(n) and exactly (the
 * exponential's grid masses are geometric, so the convolution is a
 * first-order recursion).  A stage with exponential service: add its wait
 * and then its service this way, no FFT. */
int latdist_add_exp(latdist *out, const latdist *a, double w, double rate);
/* A + the response time of one queue of queueing.h (its wait, then its
 * service in the shape that module assumes: exponential, deterministic
 * or gamma of cv cs): O(n) for exponential and deterministic service,
 * one service build and one FFT convolution for gamma (build the service
 * once with latdist_set_service and use latdist_add_exp + latdist_sum to
 * keep it across evaluations).  LATDIST_EINVAL if Q is not MMC_OK. */
struct mmc;
int latdist_add_queue(latdist *out, const latdist *a, const struct mmc *q);
/* A + T for a constant T >= 0 (split between two grid points). */
int latdist_shift(latdist *out, const latdist *a, double t);
/* max(A, B), independent (fork-join): P(max <= t) = F_A(t) F_B(t),
 * computed on the survival functions so the tail keeps its digits. */
int latdist_max(latdist *out, const latdist *a, const latdist *b);
/* The max of K >= 0 independent draws of A (`calls: k` in parallel):
 * F^K, as -expm1(K log1p(-S)) on the survival S.  K = 0 gives 0;
 * K need not be whole. */
int latdist_max_k(latdist *out, const latdist *a, double k);
/* W A + (1 - W) B, 0 <= W <= 1 (a cache hit with probability W). */
int latdist_mix(latdist *out, double w, const latdist *a, const latdist *b);
int latdist_copy(latdist *out, const latdist *a);

/* ---- reading ---------------------------------------------------------- */

/* The mass beyond the grid's last point. */
double latdist_beyond(const latdist *d);
/* The masses at the grid points (n of them, read-only). */
const double *latdist_masses(const latdist *d);
/* The p-quantile, 0 < p < 1, in seconds: LATDIST_BEYOND (with *T the
 * grid's end, a lower bound) when more than 1 - p of the mass lies beyond
 * it. */
int latdist_quantile(const latdist *d, double p, double *t);
/* P(X <= t): LATDIST_BEYOND (with *F a lower bound) past the grid. */
int latdist_cdf(const latdist *d, double t, double *f);
/* The mean: exact (up to rounding) for anything built without max and
 * max_k; otherwise from the grid, with LATDIST_BEYOND (and a lower bound)
 * when the mass beyond could move it by more than 1e-6 relative (judged
 * as 2 x beyond x the grid's end, right for tails no heavier than
 * exponential). */
int latdist_mean(const latdist *d, double *mean);

/* The figures SPEC.md section 7 reports. */
typedef struct latdist_summary {
  double mean, p50, p95, p99, p999;
  /* bit i set (mean, p50, p95, p99, p999 in that order) when that figure
   * lies beyond the grid and holds only a lower bound */
  unsigned beyond;
} latdist_summary;
int latdist_summarize(const latdist *d, latdist_summary *s);

/* ---- choosing the grid ------------------------------------------------ */

/* The p-quantile of a service time (0 < p < 1), for the union bound
 * above.  -1 on bad input. */
double latdist_service_quantile(latdist_shape shape, double mean, double cv,
                                double p);
/* The p-quantile of the latdist_set_exp(W, RATE) variable. */
double latdist_exp_quantile(double w, double rate, double p);

#endif

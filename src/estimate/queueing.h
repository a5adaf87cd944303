/*
 * queueing.h - Erlang B and C, the M/M/c queue and its Allen-Cunneen
 * extension to general arrivals and service: probability of waiting, mean
 * wait and response, wait and response-time distributions and quantiles,
 * and the smallest server count meeting a latency target.  FORMULAS.md
 * sections 3 and 3b; SPEC.md section 7.
 *
 * A leaf of the estimator: it knows queues, not specs or plans.  A stage
 * of a plan is one queue of c = servers x concurrency slots each serving
 * at mu = 1 / latency when its balancer is least-loaded, or `servers`
 * independent queues of `concurrency` slots when it is random
 * (mmc_servers_for_random).  All times are in seconds, rates per second.
 *
 * The model (docs/queueing.md measures its error against a simulation):
 * - ca = cs = 1: the M/M/c queue, exact (Poisson arrivals, exponential
 *   service, FCFS, one shared queue).
 * - Otherwise Allen-Cunneen: the probability of waiting stays Erlang C,
 *   the mean wait is the M/M/c one times s = (ca^2 + cs^2) / 2, and the
 *   wait keeps the M/M/c shape scaled to that mean: P(W > t) =
 *   C exp(-theta t / s).  When s = 0 (ca = cs = 0) nobody waits.  This is
 *   an approximation: exact in mean for M/M/c and M/G/1; against
 *   simulation, within 10% in mean wait for M/G/c at 80% load or more
 *   and within 13% at the response p99 (docs/queueing.md).
 * - The service time has mean 1/mu and coefficient of variation cs, and
 *   is taken as exponential when cs = 1, deterministic when cs < 0.001
 *   (the quantile error of that is below 0.4%), and gamma-distributed with
 *   shape 1/cs^2 otherwise.  The response time is wait + service with the
 *   two independent (exact for M/M/c FCFS).
 *
 * No function returns NaN or infinity.  Scalar functions return -1 for
 * invalid input or a queue that is not stable (every valid result is
 * >= 0); mmc_init returns -1 and leaves a defined state.
 */
#ifndef CAPPLAN_QUEUEING_H
#define CAPPLAN_QUEUEING_H

#include <stddef.h>

/* Erlang B, the blocking probability of c servers offered a Erlangs
 * (c a whole number >= 0, a >= 0), by the recursion of FORMULAS.md
 * section 3, B_k = a B_{k-1} / (k + a B_{k-1}), run on 1/B_k =
 * 1 + (k/a) / B_{k-1}.  Each step scales the relative error of the start
 * by 1 - B_k, so the recursion need not start at k = 0: it starts where
 * the neglected factors have shrunk the error of the start value B = 1
 * below e^-50, about 10 sqrt(a) below min(c, a), and it
 * stops once B < 1e-300 (returned as 0), about 37 sqrt(a) above a.  Cost:
 * at most about c - a + 50 sqrt(a) steps of one multiply and one divide
 * (c = 1e6 at 95% load: 60,000 steps, ~0.2 ms); exact to about 1e-12
 * relative.  -1 on invalid input. */
double erlang_b(double c, double a);

/* Erlang C, the probability that an arrival waits in M/M/c:
 * C = c B / (c - a + a B) (FORMULAS.md section 3, without the
 * cancellation of 1 - rho (1 - B)).  -1 when a >= c (no steady state) or
 * the input is invalid. */
double erlang_c(double c, double a);

typedef enum mmc_status {
  MMC_OK = 0,
  MMC_INVALID = 1,   /* an input out of its domain; every figure is 0 */
  MMC_OVERLOADED = 2 /* rho >= 1: a and rho are set, p_wait = 1, means 0 */
} mmc_status;

typedef enum mmc_service {
  MMC_SERVICE_EXPONENTIAL = 0, /* cs = 1 */
  MMC_SERVICE_DETERMINISTIC,   /* cs < 0.001 */
  MMC_SERVICE_GAMMA            /* otherwise, shape 1/cs^2 */
} mmc_service;

/* One queue.  Filled by mmc_init; read-only afterwards. */
typedef struct mmc {
  mmc_status status;
  double lambda;     /* arrival rate */
  double mu;         /* service rate of one server (slot) */
  double c;          /* servers (slots) */
  double ca, cs;     /* coefficients of variation of arrivals and service */
  double a;          /* offered load lambda / mu, Erlangs */
  double rho;        /* utilization a / c */
  double erlang_c;   /* M/M/c probability of waiting */
  double p_wait;     /* P(W > 0): erlang_c, or 0 when wait_scale = 0 */
  double theta;      /* c mu - lambda, the M/M/c wait's decay rate */
  double wait_scale; /* s = (ca^2 + cs^2) / 2, Allen-Cunneen's factor */
  double wait_rate;  /* theta / s: P(W > t) = p_wait exp(-wait_rate t); 0
                        when nobody waits */
  double wait_mean;  /* s C / theta */
  double resp_mean;  /* wait_mean + 1 / mu */
  mmc_service service;
  double shape; /* the gamma service's shape 1/cs^2 (1 if exponential) */
} mmc;

/* Fills *Q for arrival rate LAMBDA >= 0, service rate MU > 0, C >= 1 a
 * whole number (<= 1e15), CA and CS in [0, 10].  Returns 0, or -1 with
 * q->status MMC_INVALID (all figures 0) or MMC_OVERLOADED (rho >= 1). */
int mmc_init(mmc *q, double lambda, double mu, double c, double ca, double cs);

/* P(W > t) and P(W <= t) of the wait in queue, t any finite time (the
 * wait is >= 0 with an atom 1 - p_wait at 0).  -1 if Q is not ok. */
double mmc_wait_sf(const mmc *q, double t);
double mmc_wait_cdf(const mmc *q, double t);
/* The p-quantile of the wait, 0 < p < 1: ln(p_wait / (1 - p)) /
 * wait_rate when p_wait > 1 - p, else exactly 0 (FORMULAS.md section 3).
 * -1 if Q is not ok or P is out of range. */
double mmc_wait_quantile(const mmc *q, double p);

/* P(T > t) and P(T <= t) of the response time T = W + service.  For
 * exponential service the stable form of FORMULAS.md section 3,
 * P(T > t) = e^-mu t + p_wait mu t e^-m t phi(|r - mu| t), r = wait_rate,
 * m = min(r, mu), phi(x) = -expm1(-x)/x, which holds at r = mu.  For
 * gamma service P(T > t) = Q(k, beta t) + p_wait J(t), J the convolution
 * of the service density with e^-r t, in closed form by incomplete-gamma
 * and Kummer functions (docs/queueing.md).  -1 if Q is not ok. */
double mmc_response_sf(const mmc *q, double t);
double mmc_response_cdf(const mmc *q, double t);
/* The p-quantile of the response time, 0 < p < 1: the root of
 * P(T > t) = 1 - p (or P(T <= t) = p for p < 1/2, which keeps the
 * digits), bracketed and solved by safeguarded Newton to about 1e-14
 * relative (1e-12 guaranteed); closed form for deterministic service.
 * -1 if Q is not ok or P is out of range. */
double mmc_response_quantile(const mmc *q, double p);
/* The quantiles at N levels P (each as mmc_response_quantile) into T,
 * for less work when the levels rise (0.5, 0.95, 0.99, 0.999): each
 * upper quantile brackets the next from below and gives it a starting
 * point from its tail.  The first is mmc_response_quantile's exactly;
 * the others agree with it to the root finder's tolerance.  Returns 0,
 * or -1 as mmc_response_quantile. */
int mmc_response_quantiles(const mmc *q, const double *p, size_t n, double *t);
/* The p-quantile of the service time alone (the limit of the response
 * quantile as c grows).  -1 on bad input. */
double mmc_service_quantile(const mmc *q, double p);

/* The smallest c (slots of one shared queue) whose response p-quantile is
 * <= T_TARGET, for the queue of mmc_init(lambda, mu, c, ca, cs): the test
 * is P(T > t_target) <= 1 - p, evaluated exactly at each count, with a
 * doubling then a bisection search over c (the response quantile falls
 * as c grows), so there is no off-by-one.  Returns 0 when no count can
 * meet the target (t_target below the service time's own p-quantile, or
 * above 1e15 servers needed), -1 on invalid input. */
double mmc_servers_for(double lambda, double mu, double ca, double cs, double p,
                       double t_target);
/* The same for a target on the wait's p-quantile (t_target >= 0). */
double mmc_servers_for_wait(double lambda, double mu, double ca, double cs,
                            double p, double t_target);
/* The same for a target on the mean wait (t_target >= 0; add 1/mu for a
 * mean-response target). */
double mmc_servers_for_wait_mean(double lambda, double mu, double ca, double cs,
                                 double t_target);
/* The coefficient of variation of the departures of Q, the arrivals of
 * the stage after it: Whitt's linking equation for a station of c
 * servers, cd^2 = 1 + (1 - rho^2)(ca^2 - 1) + rho^2 (cs^2 - 1) / sqrt(c)
 * (W. Whitt, "The Queueing Network Analyzer", Bell System Technical
 * Journal 62(9), 1983).  1 for M/M/c; capped at 10, mmc_init's limit.
 * Feeding it to the next stage's ca cut the error of a 3-stage tandem's
 * end-to-end mean from 8-12% to 2-4% against simulation
 * (docs/queueing.md).  -1 if Q is not ok. */
double mmc_departure_ca(const mmc *q);

/* The random balancer: the smallest number n of servers, each its own
 * queue of SLOTS slots fed lambda / n, whose response p-quantile is <=
 * T_TARGET.  Random splitting of a renewal stream of SCV ca^2 into n
 * gives each part 1 + (ca^2 - 1) / n (Whitt 1983, above, on splitting);
 * Poisson stays Poisson.  0 and -1 as
 * mmc_servers_for. */
double mmc_servers_for_random(double lambda, double mu, double slots, double ca,
                              double cs, double p, double t_target);

#endif

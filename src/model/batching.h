/*
 * batching.h - dynamic batching on accelerators (FORMULAS.md sections 4
 * and 4b): batch size, accelerators, and the latency a request sees.  A
 * leaf of the throughput models: plain numbers in SI units (requests/s,
 * seconds), no spec, no catalog, no output.
 *
 * A batch of b requests holds one accelerator for t(b) = base +
 * per_item x b.  Two placements of the batcher:
 *
 *   shared           one batcher in front of every accelerator closes a
 *                    batch when it holds max_batch requests or when its
 *                    first request has waited `window`, and hands it to
 *                    any free accelerator (the seed's reading);
 *   per-accelerator  one batcher per accelerator (Triton-style), each fed
 *                    rate / n; a busy accelerator gathers its next batch
 *                    while it works.
 *
 * Two descriptions of the batch size are used, and each figure says
 * which:
 *   - the planning size of FORMULAS.md, b = min(max_batch, max(1, rate x
 *     window)), for sizing (it reproduces the seed exactly);
 *   - the distribution of the size under Poisson arrivals: a batch is
 *     opened by its first request, and the requests arriving in the next
 *     `window` join it up to max_batch, so N = 1 + min(max_batch - 1, K)
 *     with K ~ Poisson(rate x window).  Its mean is up to one request
 *     above b; percentiles use it.
 */
#ifndef CAPPLAN_BATCHING_H
#define CAPPLAN_BATCHING_H

typedef enum batching_status {
  BATCHING_OK = 0,
  /* A figure is negative or not finite, rate <= 0, max_batch < 1, the
   * target utilization is outside (0, 1], a probability outside (0, 1),
   * or a count of accelerators is not a whole number >= 1. */
  BATCHING_BAD_INPUT,
  /* The accelerators cannot keep up (offered load >= their count), so a
   * wait for a free accelerator has no finite value. */
  BATCHING_SATURATED,
  /* A result would not be a finite number (absurd magnitudes). */
  BATCHING_OUT_OF_RANGE
} batching_status;

typedef struct batching_params {
  double rate;      /* requests/s into the batcher (all of them) */
  double window;    /* s a batch waits for more after its first request */
  double max_batch; /* largest batch; a whole number >= 1 */
  double base;      /* s, fixed part of a batch's time */
  double per_item;  /* s per request in the batch */
  double target_utilization; /* of the accelerators, in (0, 1] */
} batching_params;

/* Where the planning batch size came from. */
typedef enum batching_limit {
  BATCHING_BY_WINDOW, /* rate x window (or 1): the window closes it */
  BATCHING_BY_FILL,   /* max_batch: it fills before the window ends */
  BATCHING_BY_STEADY  /* per-accelerator: gathered while the last ran */
} batching_limit;

typedef struct batching_plan {
  double batch;              /* planning size b (see the file comment) */
  double batch_time;         /* t(b) = base + per_item x b */
  double batches_per_second; /* per accelerator for per-accelerator */
  /* Shared: accelerators busy on average, rate t(b) / b.
   * Per-accelerator: the accelerators' worth of capacity in use, rate x
   * t(max_batch) / max_batch (see batching_per_accelerator_at). */
  double busy;
  double accelerators; /* n at the target utilization */
  double utilization;  /* busy / n */
  batching_limit limit;
  /* The wait of the batch's first request for it to close, the longest
   * any request waits: the window, the fill time (b - 1) / rate when
   * max_batch is reached first, or (per-accelerator, steady) t(b). */
  double close_wait_max;
  /* The mean of that wait over all requests (arrival-weighted).  Shared:
   * exact under Poisson arrivals with the size distribution above.
   * Per-accelerator: half of close_wait_max (the residual of the batch in
   * progress, uniform under Poisson arrivals). */
  double close_wait_mean;
  /* Shared: squared coefficient of variation of the time between batch
   * closings under Poisson arrivals (feeds the queue below). */
  double batch_arrival_cv2;
  /* Mean wait of a batch for a free accelerator.  Shared: Allen-Cunneen
   * on batches (service cv 0); per-accelerator: 0, the wait for the busy
   * accelerator being the gathering itself.  Valid when latency_status
   * is BATCHING_OK. */
  double queue_wait_mean;
  /* close_wait_mean + queue_wait_mean + batch_time. */
  double latency_mean;
  /* BATCHING_OK; BATCHING_SATURATED when n accelerators at the target
   * carry the load with no margin (target 100%), the queue then having no
   * finite mean; BATCHING_OUT_OF_RANGE past 1e7 accelerators.  Unless
   * OK, queue_wait_mean and latency_mean are 0. */
  batching_status latency_status;
} batching_plan;

/* The smallest whole n >= 1 with busy / n <= target, rounded exactly: a
 * relative excess of up to 1e-9 over a whole number is taken as float
 * noise (20 / (20/21) is 21, not 22), anything more is not. */
batching_status batching_accelerators_for(double busy, double target,
                                          double *n);

/* The shared batcher (FORMULAS.md 4b "shared"): b, t(b), busy
 * accelerators, n at the target, and the latency parts.  Seed: 5K/s, 10
 * ms window, t(50) = 200 ms -> b = 50, 20 busy, 20 at 100% and 21 at
 * 20/21.  On BATCHING_BAD_INPUT or BATCHING_OUT_OF_RANGE *OUT is zeroed;
 * a saturated queue is reported in out->latency_status, not here. */
batching_status batching_shared(const batching_params *p, batching_plan *out);

/* Per-accelerator batchers (FORMULAS.md 4b "per-accelerator"): n is the
 * fewest accelerators each of which, at rate / (n x target), still has a
 * steady-state batch within max_batch, i.e. rate / (n x target) <=
 * max_batch / t(max_batch).  Then at rate_a = rate / n:
 *   b = rate_a x base / (1 - rate_a x per_item)   (steady state),
 * at least rate_a x window and 1, at most max_batch. */
batching_status batching_per_accelerator(const batching_params *p,
                                         batching_plan *out);
/* The same batchers on a given count of ACCELERATORS (a whole number
 * >= 1; the target utilization is not used), e.g. a count an objective
 * raised.  utilization is the share of a batcher's capacity in use,
 * rate_a / (max_batch / t(max_batch)), and busy that times n (the
 * accelerators' worth of capacity in use): a batcher whose steady batch
 * exceeds the window's keeps its accelerator busy all the time at any
 * load, by b = rate_a t(b).  A request waits for the batch in progress
 * (uniform on [0, close_wait_max] under Poisson arrivals) and then for
 * its own, t(b); no queue beyond that (queue_wait_mean 0).
 * latency_status is BATCHING_SATURATED when no fixed point lies within
 * max_batch (utilization >= 1). */
batching_status batching_per_accelerator_at(const batching_params *p,
                                            double accelerators,
                                            batching_plan *out);

/* Waiting for a free server. */
typedef struct batching_queue {
  double offered;   /* a = arrival rate x service time, in servers */
  double p_wait;    /* Erlang C: probability of waiting (M/M/c) */
  double wait_mean; /* Allen-Cunneen mean wait */
  /* The wait's tail as used by the percentiles: P(W > t) = p_wait x
   * exp(-tail_rate x t) (the M/M/c shape scaled to the Allen-Cunneen
   * mean, FORMULAS.md 3b); 0 when there is no wait. */
  double tail_rate;
} batching_queue;

/* G/G/c by Allen-Cunneen (FORMULAS.md section 3): Wq ~ Wq(M/M/c) x (ca2 +
 * cs2) / 2, with Erlang C from the stable Erlang B recursion.  ARRIVAL
 * in 1/s, SERVICE in s (mean), SERVERS a whole number >= 1, CA2 and CS2
 * the squared coefficients of variation of inter-arrival and service
 * times (cs2 = 0 for batches of a fixed time, M/D/c-like).  Exact for
 * M/M/c (ca2 = cs2 = 1).  BATCHING_SATURATED when arrival x service >=
 * servers (only out->offered is set); *OUT is zeroed on other errors.
 * SERVERS is at most 1e7. */
batching_status batching_queue_wait(double arrival, double service,
                                    double servers, double ca2, double cs2,
                                    batching_queue *out);

/* The batch-size distribution of the shared batcher (the file comment):
 * P(N = n) for whole n in 1..max_batch (0 elsewhere). */
batching_status batching_size_pmf(const batching_params *p, double n,
                                  double *prob);
/* E[N] = 1 + E[min(max_batch - 1, K)] and Var[N]. */
batching_status batching_size_moments(const batching_params *p, double *mean,
                                      double *var);

/* P(latency <= X) for a request through the shared batcher onto
 * ACCELERATORS accelerators, and its inverse.  The latency is the wait
 * for the request's own batch to close (the first request waits until
 * the close, later ones less: uniform over the window given the count,
 * or over the fill time when max_batch is reached), plus the batch's wait
 * for an accelerator, plus t(N) for its own batch size N.  Everything is
 * exact under Poisson arrivals except the accelerator queue, which is
 * batching_queue_wait on batches (rate / E[N], mean service E[t(N)],
 * service cv from Var[N], batch-arrival cv exact) with its exponential
 * tail, taken independent of the request's own wait.  For per-accelerator
 * batchers call it with rate / n and one accelerator.  The target
 * utilization is not used.  BATCHING_SATURATED when the accelerators
 * cannot keep up. */
batching_status batching_latency_cdf(const batching_params *p,
                                     double accelerators, double x,
                                     double *prob);
/* The Q-quantile (0 < Q < 1) of that latency, to 1e-9 relative. */
batching_status batching_latency_quantile(const batching_params *p,
                                          double accelerators, double q,
                                          double *x);

const char *batching_status_name(batching_status s);

#endif

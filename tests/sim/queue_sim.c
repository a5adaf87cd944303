/*
 * queue_sim.c - a test-only simulator of FCFS queues, to measure the
 * error of the analytic queueing model (src/estimate/queueing.c and
 * latdist.c) until `capplan simulate` exists; docs/queueing.md quotes its
 * tables.  Not part of ctest: it runs for minutes.
 *
 * What it simulates, exactly (no approximation beyond sampling):
 * - M/G/c FCFS with Poisson arrivals, c identical servers taking the next
 *   customer in arrival order, and service times gamma-distributed with
 *   mean 1/mu and coefficient of variation cs (cs = 0 deterministic):
 *   each arrival starts at max(its arrival, the earliest free server),
 *   kept in a min-heap of free times (the Kiefer-Wolfowitz recursion).
 * - a tandem of such queues: stage i+1's arrivals are stage i's
 *   departures, in the order they happen.
 * - servers with their own queues behind a least-loaded balancer
 *   (join the shortest queue), against the shared queue that models it.
 * Estimates come from independent replications (each its own seed)
 * after a deleted warm-up, with 95% confidence intervals from the
 * replications' spread (Student t), as FORMULAS.md section 9 asks.
 *
 *   build/tests/queue_sim [customers per replication] [replications]
 *                         [all|speed|mgc|tandem|balancer]
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "latdist.h"
#include "queueing.h"

/* ---- random numbers ------------------------------------------------------
 * xoshiro256** (Blackman and Vigna, "Scrambled linear pseudorandom number
 * generators", 2021), seeded through splitmix64 so that each replication's
 * stream depends on its seed alone. */

typedef struct rng {
  uint64_t s[4];
} rng;

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

static void rng_seed(rng *r, uint64_t seed) {
  for (int i = 0; i < 4; i++)
    r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(rng *r) {
  uint64_t *s = r->s;
  uint64_t out = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return out;
}

/* uniform on (0, 1), never 0 or 1 */
static double rng_unif(rng *r) {
  return ((double)(rng_next(r) >> 11) + 0.5) * 0x1.0p-53;
}

static double rng_normal(rng *r) {
  /* Box-Muller */
  return sqrt(-2 * log(rng_unif(r))) * cos(6.283185307179586 * rng_unif(r));
}

/* Gamma of shape k and scale 1: Marsaglia and Tsang, "A simple method for
 * generating gamma variables" (2000); for k < 1, G(k+1) U^(1/k). */
static double rng_gamma(rng *r, double k) {
  if (k < 1)
    return rng_gamma(r, k + 1) * pow(rng_unif(r), 1 / k);
  double d = k - 1.0 / 3, c = 1 / sqrt(9 * d);
  for (;;) {
    double x = rng_normal(r), v = 1 + c * x;
    if (v <= 0)
      continue;
    v = v * v * v;
    double u = rng_unif(r);
    if (log(u) < 0.5 * x * x + d - d * v + d * log(v))
      return d * v;
  }
}

/* A service time of mean 1/mu and coefficient of variation cs. */
typedef struct service {
  double mean, cs, k;
} service;

static service service_of(double mu, double cs) {
  service s = {1 / mu, cs, cs > 0 ? 1 / (cs * cs) : 0};
  return s;
}

static double service_draw(const service *s, rng *r) {
  if (s->cs == 0)
    return s->mean;
  if (s->cs == 1)
    return -s->mean * log(rng_unif(r));
  return s->mean / s->k * rng_gamma(r, s->k);
}

/* ---- one FCFS stage ------------------------------------------------------ */

/* A min-heap of the c servers' free times. */
typedef struct heap {
  double *v;
  size_t n;
} heap;

static void heap_replace_min(heap *h, double x) {
  size_t i = 0;
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    double mv = x;
    if (l < h->n && h->v[l] < mv) {
      m = l;
      mv = h->v[l];
    }
    if (r < h->n && h->v[r] < mv)
      m = r;
    if (m == i)
      break;
    h->v[i] = h->v[m];
    i = m;
  }
  h->v[i] = x;
}

/* Customers ORDER[0..n) arrive at ARRIVE[order[j]] (nondecreasing in j)
 * at a stage of C servers; DEPART[id] and WAIT[id] receive their times. */
static void stage_run(size_t n, const size_t *order, const double *arrive,
                      size_t c, const service *s, rng *r, double *depart,
                      double *wait, heap *h) {
  h->n = c;
  for (size_t i = 0; i < c; i++)
    h->v[i] = 0;
  for (size_t j = 0; j < n; j++) {
    size_t id = order[j];
    double a = arrive[id];
    double start = h->v[0] > a ? h->v[0] : a;
    double d = start + service_draw(s, r);
    if (wait)
      wait[id] = start - a;
    depart[id] = d;
    heap_replace_min(h, d);
  }
}

/* ---- statistics ---------------------------------------------------------- */

/* The k-th smallest of x[0..n) (0-based), reordering x: Wirth's
 * selection ("Algorithms + Data Structures = Programs", 1976), on signed
 * indices so that j may step below 0. */
static double select_kth(double *x, size_t n, size_t kk) {
  ptrdiff_t l = 0, r = (ptrdiff_t)n - 1, k = (ptrdiff_t)kk;
  while (l < r) {
    double pivot = x[k];
    ptrdiff_t i = l, j = r;
    do {
      while (x[i] < pivot)
        i++;
      while (pivot < x[j])
        j--;
      if (i <= j) {
        double t = x[i];
        x[i] = x[j];
        x[j] = t;
        i++;
        j--;
      }
    } while (i <= j);
    if (j < k)
      l = i;
    if (k < i)
      r = j;
  }
  return x[k];
}

/* The p-quantile of x[0..n) as the order statistic ceil(n p). */
static double quantile(double *x, size_t n, double p) {
  size_t k = (size_t)ceil((double)n * p);
  return select_kth(x, n, k > 0 ? k - 1 : 0);
}

/* Student's t at 97.5% for DF degrees of freedom (DF <= 30), else the
 * normal's 1.96. */
static double t975(size_t df) {
  static const double t[] = {0,     12.706, 4.303, 3.182, 2.776, 2.571, 2.447,
                             2.365, 2.306,  2.262, 2.228, 2.201, 2.179, 2.160,
                             2.145, 2.131,  2.120, 2.110, 2.101, 2.093, 2.086,
                             2.080, 2.074,  2.069, 2.064, 2.060, 2.056, 2.052,
                             2.048, 2.045,  2.042};
  return df <= 30 ? t[df] : 1.96;
}

/* Mean and 95% half-width over replications. */
typedef struct estimate {
  double mean, half;
} estimate;

static estimate estimate_of(const double *x, size_t r) {
  double m = 0, v = 0;
  for (size_t i = 0; i < r; i++)
    m += x[i];
  m /= (double)r;
  for (size_t i = 0; i < r; i++)
    v += (x[i] - m) * (x[i] - m);
  estimate e = {m, r > 1 ? t975(r - 1) * sqrt(v / (double)(r - 1) / (double)r)
                         : 0};
  return e;
}

/* ---- the experiments ----------------------------------------------------- */

typedef struct buffers {
  double *arrive, *depart, *wait, *resp, *tmp;
  size_t *order;
  heap h;
} buffers;

enum { FIG_WAIT_MEAN, FIG_MEAN, FIG_P50, FIG_P99, FIG_P999, N_FIG };

/* One replication of a K-stage tandem (K = 1: a single queue): stage i
 * has C[i] servers of rate MU[i] and service CV CS[i]; arrivals Poisson of
 * rate LAMBDA.  Stores the figures of the customers after WARM. */
static void replicate(size_t n, size_t warm, double lambda, int k,
                      const double *mu, const double *c, const double *cs,
                      uint64_t seed, buffers *b, double *fig) {
  rng r;
  rng_seed(&r, seed);
  double t = 0;
  for (size_t i = 0; i < n; i++) {
    t += -log(rng_unif(&r)) / lambda;
    b->arrive[i] = t;
    b->order[i] = i;
  }
  memcpy(b->tmp, b->arrive, n * sizeof(double)); /* the original arrivals */
  double wait_sum = 0;
  for (int s = 0; s < k; s++) {
    service sv = service_of(mu[s], cs[s]);
    stage_run(n, b->order, b->arrive, (size_t)c[s], &sv, &r, b->depart,
              s == 0 ? b->wait : NULL, &b->h);
    if (s == 0)
      for (size_t i = warm; i < n; i++)
        wait_sum += b->wait[i];
    /* the next stage sees the departures in time order: a stable sort of
     * the ids by departure time (insertion from the previous order, which
     * is nearly sorted) */
    for (size_t j = 0; j < n; j++)
      b->arrive[j] = b->depart[j];
    for (size_t j = 1; j < n; j++) {
      size_t id = b->order[j];
      size_t i = j;
      while (i > 0 && b->arrive[b->order[i - 1]] > b->arrive[id]) {
        b->order[i] = b->order[i - 1];
        i--;
      }
      b->order[i] = id;
    }
  }
  size_t m = n - warm;
  double sum = 0;
  for (size_t i = warm; i < n; i++) {
    b->resp[i - warm] = b->depart[i] - b->tmp[i];
    sum += b->resp[i - warm];
  }
  fig[FIG_WAIT_MEAN] = wait_sum / (double)m;
  fig[FIG_MEAN] = sum / (double)m;
  fig[FIG_P50] = quantile(b->resp, m, 0.5);
  fig[FIG_P99] = quantile(b->resp, m, 0.99);
  fig[FIG_P999] = quantile(b->resp, m, 0.999);
}

static void run(size_t n, size_t warm, size_t reps, double lambda, int k,
                const double *mu, const double *c, const double *cs,
                uint64_t seed0, buffers *b, estimate *out) {
  double fig[N_FIG][64];
  for (size_t r = 0; r < reps; r++) {
    double f[N_FIG];
    replicate(n, warm, lambda, k, mu, c, cs, seed0 + 1000003 * r, b, f);
    for (int i = 0; i < N_FIG; i++)
      fig[i][r] = f[i];
  }
  for (int i = 0; i < N_FIG; i++)
    out[i] = estimate_of(fig[i], reps);
}

static double err_pct(double model, estimate sim) {
  return 100 * (model - sim.mean) / sim.mean;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void single_queues(size_t n, size_t warm, size_t reps, buffers *b) {
  static const double css[] = {0, 0.5, 1, 2};
  static const double rhos[] = {0.5, 0.8, 0.95};
  static const double cc[] = {1, 4, 16};
  double mu = 100; /* 10 ms mean service */
  printf("\n## M/G/c: Allen-Cunneen vs simulation\n\n");
  printf("| c | rho | cs | mean wait ms: model | sim | err %% | mean resp "
         "ms: model | sim | err %% | p99 resp ms: model | sim | err %% |\n");
  printf("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
  uint64_t seed = 1;
  for (size_t ci = 0; ci < 3; ci++)
    for (size_t ri = 0; ri < 3; ri++)
      for (size_t si = 0; si < 4; si++) {
        double c = cc[ci], rho = rhos[ri], cs = css[si];
        double lambda = rho * c * mu;
        mmc q;
        mmc_init(&q, lambda, mu, c, 1, cs);
        estimate e[N_FIG];
        run(n, warm, reps, lambda, 1, &mu, &c, &cs, seed, b, e);
        seed += 7919;
        double p99 = mmc_response_quantile(&q, 0.99);
        printf("| %.0f | %.2f | %.1f | %.4g | %.4g ± %.2g | %+.1f | %.3f | "
               "%.3f ± %.3f | %+.1f | %.2f | %.2f ± %.2f | %+.1f |\n",
               c, rho, cs, q.wait_mean * 1e3, e[FIG_WAIT_MEAN].mean * 1e3,
               e[FIG_WAIT_MEAN].half * 1e3,
               q.wait_mean > 0 ? err_pct(q.wait_mean, e[FIG_WAIT_MEAN]) : 0,
               q.resp_mean * 1e3, e[FIG_MEAN].mean * 1e3,
               e[FIG_MEAN].half * 1e3, err_pct(q.resp_mean, e[FIG_MEAN]),
               p99 * 1e3, e[FIG_P99].mean * 1e3, e[FIG_P99].half * 1e3,
               err_pct(p99, e[FIG_P99]));
        fflush(stdout);
      }
}

/* The end-to-end model of a tandem: each stage's Allen-Cunneen wait plus
 * its gamma service, summed on a grid of 4096 points (latdist.h's rule).
 * With LINK, stage i+1's ca is stage i's departure CV by Whitt's linking
 * equation (mmc_departure_ca); without, every stage sees Poisson
 * arrivals. */
static void tandem_model(int k, double lambda, const double *mu,
                         const double *c, const double *cs, int link,
                         double *fig) {
  mmc q[8];
  double ca = 1, u = 0, pp = 1 - 1e-4 / (2 * k);
  for (int s = 0; s < k; s++) {
    mmc_init(&q[s], lambda, mu[s], c[s], ca, cs[s]);
    u += latdist_exp_quantile(q[s].p_wait, q[s].wait_rate, pp) +
         latdist_service_quantile(LATDIST_GAMMA, 1 / mu[s], cs[s], pp);
    if (link)
      ca = mmc_departure_ca(&q[s]);
  }
  latdist_ctx *ctx = latdist_ctx_new(4096, u / 4095, 4);
  latdist *acc = latdist_take(ctx), *sv = latdist_take(ctx);
  for (int s = 0; s < k; s++) {
    latdist_add_exp(acc, acc, q[s].p_wait, q[s].wait_rate);
    latdist_set_service(sv, LATDIST_GAMMA, 1 / mu[s], cs[s]);
    latdist_sum(acc, acc, sv);
  }
  latdist_summary sm;
  latdist_summarize(acc, &sm);
  fig[FIG_MEAN] = sm.mean;
  fig[FIG_P50] = sm.p50;
  fig[FIG_P99] = sm.p99;
  fig[FIG_P999] = sm.p999;
  latdist_ctx_free(ctx);
}

static void tandems(size_t n, size_t warm, size_t reps, buffers *b) {
  static const struct {
    const char *name;
    double lambda, mu[3], c[3], cs[3];
  } cases[] = {
      {"M/M/1 x3, rho 0.8", 80, {100, 100, 100}, {1, 1, 1}, {1, 1, 1}},
      {"M/M/1, rho 0.5 / 0.8 / 0.9",
       80,
       {160, 100, 88.8888888889},
       {1, 1, 1},
       {1, 1, 1}},
      {"c = 4 x3, rho 0.8, cs 0.5",
       320,
       {100, 100, 100},
       {4, 4, 4},
       {0.5, 0.5, 0.5}},
      {"c = 4 x3, rho 0.8, cs 2", 320, {100, 100, 100}, {4, 4, 4}, {2, 2, 2}},
      {"c 1/16/4, rho 0.9/0.8/0.95, cs 0/1/2",
       90,
       {100, 100.0 * 90 / 1280, 100.0 * 90 / 380},
       {1, 16, 4},
       {0, 1, 2}},
  };
  printf("\n## 3-stage tandem: independent stages vs simulation\n\n");
  printf("| tandem | model | mean ms | p50 ms | p99 ms | p99.9 ms |\n");
  printf("|---|---|--:|--:|--:|--:|\n");
  uint64_t seed = 424242;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    estimate e[N_FIG];
    run(n, warm, reps, cases[i].lambda, 3, cases[i].mu, cases[i].c, cases[i].cs,
        seed, b, e);
    seed += 104729;
    printf("| %s | simulation | %.2f ± %.2f | %.2f ± %.2f | %.2f ± %.2f | "
           "%.2f ± %.2f |\n",
           cases[i].name, e[FIG_MEAN].mean * 1e3, e[FIG_MEAN].half * 1e3,
           e[FIG_P50].mean * 1e3, e[FIG_P50].half * 1e3, e[FIG_P99].mean * 1e3,
           e[FIG_P99].half * 1e3, e[FIG_P999].mean * 1e3,
           e[FIG_P999].half * 1e3);
    for (int link = 0; link < 2; link++) {
      double f[N_FIG];
      tandem_model(3, cases[i].lambda, cases[i].mu, cases[i].c, cases[i].cs,
                   link, f);
      printf("| | %s | %.2f (%+.1f%%) | %.2f (%+.1f%%) | %.2f (%+.1f%%) | "
             "%.2f (%+.1f%%) |\n",
             link ? "QNA-linked ca" : "Poisson at each stage",
             f[FIG_MEAN] * 1e3, err_pct(f[FIG_MEAN], e[FIG_MEAN]),
             f[FIG_P50] * 1e3, err_pct(f[FIG_P50], e[FIG_P50]),
             f[FIG_P99] * 1e3, err_pct(f[FIG_P99], e[FIG_P99]),
             f[FIG_P999] * 1e3, err_pct(f[FIG_P999], e[FIG_P999]));
    }
    fflush(stdout);
  }
}

/* ---- least-loaded vs one shared queue ------------------------------------
 * SPEC.md section 7 models `balancer: least-loaded` as one shared M/M/c
 * queue of servers x slots.  The real thing is join-the-shortest-queue:
 * each server has its own FCFS queue and `slots` servers, and an arrival
 * goes to the server with the fewest requests present (ties: the first
 * after a random start).  `random` is modelled exactly (Poisson thinning)
 * as independent M/M/slots queues of lambda / servers. */

typedef struct dheap {
  double *v;
  size_t n, cap;
} dheap;

static void dheap_push(dheap *h, double x) {
  if (h->n == h->cap) {
    h->cap = h->cap ? 2 * h->cap : 64;
    h->v = realloc(h->v, h->cap * sizeof(double));
    if (!h->v) {
      fprintf(stderr, "queue_sim: out of memory\n");
      exit(1);
    }
  }
  size_t i = h->n++;
  while (i > 0 && h->v[(i - 1) / 2] > x) {
    h->v[i] = h->v[(i - 1) / 2];
    i = (i - 1) / 2;
  }
  h->v[i] = x;
}

static void dheap_pop(dheap *h) {
  heap t = {h->v, --h->n};
  if (h->n > 0)
    heap_replace_min(&t, h->v[h->n]);
}

static void jsq_replicate(size_t n, size_t warm, double lambda, size_t servers,
                          size_t slots, double mu, uint64_t seed, buffers *b,
                          double *fig) {
  rng r;
  rng_seed(&r, seed);
  service sv = service_of(mu, 1);
  double free_[64 * 64];
  dheap present[64];
  memset(present, 0, sizeof present);
  for (size_t i = 0; i < servers * slots; i++)
    free_[i] = 0;
  double t = 0, sum = 0;
  for (size_t i = 0; i < n; i++) {
    t += -log(rng_unif(&r)) / lambda;
    size_t best = 0, best_n = (size_t)-1;
    size_t start = (size_t)(rng_unif(&r) * (double)servers);
    for (size_t k = 0; k < servers; k++) {
      size_t j = (start + k) % servers;
      while (present[j].n > 0 && present[j].v[0] <= t)
        dheap_pop(&present[j]);
      if (present[j].n < best_n) {
        best = j;
        best_n = present[j].n;
      }
    }
    heap h = {free_ + best * slots, slots};
    double begin = h.v[0] > t ? h.v[0] : t;
    double d = begin + service_draw(&sv, &r);
    heap_replace_min(&h, d);
    dheap_push(&present[best], d);
    if (i >= warm) {
      b->resp[i - warm] = d - t;
      sum += d - t;
    }
  }
  for (size_t j = 0; j < servers; j++)
    free(present[j].v);
  size_t m = n - warm;
  fig[FIG_MEAN] = sum / (double)m;
  fig[FIG_P50] = quantile(b->resp, m, 0.5);
  fig[FIG_P99] = quantile(b->resp, m, 0.99);
  fig[FIG_P999] = quantile(b->resp, m, 0.999);
}

static void balancers(size_t n, size_t warm, size_t reps, buffers *b) {
  static const double shapes[][2] = {{4, 1}, {16, 1}, {4, 4}, {16, 4}};
  static const double rhos[] = {0.8, 0.95};
  double mu = 100;
  printf("\n## least-loaded (join the shortest queue) vs one shared queue"
         "\n\n");
  printf("| servers x slots | rho | p99 ms: shared M/M/c | random M/M/slots | "
         "simulated least-loaded | shared err %% | mean ms: shared | "
         "simulated | err %% |\n");
  printf("|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
  uint64_t seed = 777;
  for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
    for (size_t j = 0; j < 2; j++) {
      double servers = shapes[i][0], slots = shapes[i][1];
      double lambda = rhos[j] * servers * slots * mu;
      mmc shared, split;
      mmc_init(&shared, lambda, mu, servers * slots, 1, 1);
      mmc_init(&split, lambda / servers, mu, slots, 1, 1);
      double fig[N_FIG][64];
      for (size_t r = 0; r < reps; r++) {
        double f[N_FIG];
        jsq_replicate(n, warm, lambda, (size_t)servers, (size_t)slots, mu,
                      seed + 7777 * r, b, f);
        for (int k = 0; k < N_FIG; k++)
          fig[k][r] = f[k];
      }
      seed += 31337;
      estimate p99 = estimate_of(fig[FIG_P99], reps);
      estimate mean = estimate_of(fig[FIG_MEAN], reps);
      double q = mmc_response_quantile(&shared, 0.99);
      printf("| %.0f x %.0f | %.2f | %.2f | %.2f | %.2f ± %.2f | %+.1f | "
             "%.3f | %.3f ± %.3f | %+.1f |\n",
             servers, slots, rhos[j], q * 1e3,
             mmc_response_quantile(&split, 0.99) * 1e3, p99.mean * 1e3,
             p99.half * 1e3, err_pct(q, p99), shared.resp_mean * 1e3,
             mean.mean * 1e3, mean.half * 1e3, err_pct(shared.resp_mean, mean));
      fflush(stdout);
    }
}

/* FORMULAS.md section 9's speed reference: M/M/8 at 80%. */
static void speed(size_t n, buffers *b) {
  double mu = 100, c = 8, cs = 1, f[N_FIG];
  double t0 = now();
  replicate(n, 0, 0.8 * 8 * mu, 1, &mu, &c, &cs, 99, b, f);
  double t = now() - t0;
  printf("\nM/M/8 at 80%%: %zu customers in %.2f s, %.0f customers/s "
         "(statistics included)\n",
         n, t, (double)n / t);
}

int main(int argc, char **argv) {
  size_t n = argc > 1 ? (size_t)atof(argv[1]) : 2000000;
  size_t reps = argc > 2 ? (size_t)atoi(argv[2]) : 10;
  const char *only = argc > 3 ? argv[3] : "all";
  if (n < 1000 || reps < 2 || reps > 64) {
    fprintf(stderr, "usage: queue_sim [customers >= 1000] [replications "
                    "2..64] [all|speed|mgc|tandem|balancer]\n");
    return 2;
  }
  size_t warm = n / 10;
  buffers b;
  b.arrive = malloc(n * sizeof(double));
  b.depart = malloc(n * sizeof(double));
  b.wait = malloc(n * sizeof(double));
  b.resp = malloc(n * sizeof(double));
  b.tmp = malloc(n * sizeof(double));
  b.order = malloc(n * sizeof(size_t));
  b.h.v = malloc(64 * sizeof(double));
  if (!b.arrive || !b.depart || !b.wait || !b.resp || !b.tmp || !b.order ||
      !b.h.v) {
    fprintf(stderr, "queue_sim: out of memory\n");
    return 1;
  }
  printf("%zu customers per replication (the first %zu deleted as warm-up), "
         "%zu replications; ± is the 95%% confidence half-width\n",
         n, warm, reps);
  double t0 = now();
  if (!strcmp(only, "all") || !strcmp(only, "speed"))
    speed(n, &b);
  if (!strcmp(only, "all") || !strcmp(only, "mgc"))
    single_queues(n, warm, reps, &b);
  if (!strcmp(only, "all") || !strcmp(only, "tandem"))
    tandems(n, warm, reps, &b);
  if (!strcmp(only, "all") || !strcmp(only, "balancer"))
    balancers(n, warm, reps, &b);
  printf("\ntotal %.0f s\n", now() - t0);
  free(b.arrive);
  free(b.depart);
  free(b.wait);
  free(b.resp);
  free(b.tmp);
  free(b.order);
  free(b.h.v);
  return 0;
}

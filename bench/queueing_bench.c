/*
 * queueing_bench.c - what the queueing core costs (src/estimate/queueing.c
 * and latdist.c): Erlang C for large counts, one FFT convolution, and a
 * 20-stage chain evaluated as the estimator would, at n = 1024 and 4096.
 * Measured, never asserted; nothing here runs in CI.  Times are the
 * thread's CPU time, so a shared machine's waits for a core do not
 * count; each figure is the fastest of many short batches, with the
 * median beside it.
 *
 *   cmake --build build --target queueing_bench && build/queueing_bench
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "latdist.h"
#include "queueing.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

#define BATCHES 61

typedef void (*work_fn)(void *arg);

/* Seconds per call: the minimum and the median over BATCHES batches of
 * REPS calls. */
static void timeit(const char *what, work_fn f, void *arg, int reps) {
  double t[BATCHES];
  for (int b = 0; b < BATCHES; b++) {
    double t0 = now();
    for (int r = 0; r < reps; r++)
      f(arg);
    t[b] = (now() - t0) / reps;
  }
  qsort(t, BATCHES, sizeof t[0], cmp);
  printf("%-44s %10.2f us %10.2f us\n", what, t[0] * 1e6, t[BATCHES / 2] * 1e6);
}

/* ---- Erlang C ---------------------------------------------------------- */

typedef struct erlang_arg {
  double c, rho, sink;
} erlang_arg;

static void run_erlang(void *p) {
  erlang_arg *x = p;
  x->sink += erlang_c(x->c, x->rho * x->c);
}

/* ---- one stage of a plan ---------------------------------------------- */

#define STAGES 20

typedef struct chain_arg {
  latdist_ctx *ctx;
  latdist *service[STAGES]; /* built once, kept across evaluations */
  latdist *a, *b, *out;
  mmc q[STAGES];
  int general; /* gamma services (FFT) or exponential (O(n) recursion) */
  latdist_summary s;
} chain_arg;

static void run_conv(void *p) {
  chain_arg *x = p;
  latdist_sum(x->out, x->a, x->b);
}

/* One evaluation of a 20-stage chain: every stage's wait (which changes
 * with its server count) and service, summed along the path, then the
 * summary figures. */
static void run_chain(void *p) {
  chain_arg *x = p;
  latdist_set_point(x->out, 0);
  for (int i = 0; i < STAGES; i++) {
    latdist_add_exp(x->out, x->out, x->q[i].p_wait, x->q[i].wait_rate);
    if (x->general)
      latdist_sum(x->out, x->out, x->service[i]);
    else
      latdist_add_exp(x->out, x->out, 1, x->q[i].mu);
  }
  latdist_summarize(x->out, &x->s);
}

static void run_build_service(void *p) {
  chain_arg *x = p;
  latdist_set_service(x->a, LATDIST_GAMMA, 1.0 / x->q[0].mu, 0.5);
}

static void run_servers_for(void *p) {
  erlang_arg *x = p;
  x->sink += mmc_servers_for(x->rho * x->c * 100, 100, 1, 1, 0.99, 0.05);
}

static void bench_chain(size_t n) {
  chain_arg x = {0};
  /* stages of 10 to 48 ms service, 4 to 64 slots, 60% to 90% busy */
  double u = 0;
  for (int i = 0; i < STAGES; i++) {
    double mu = 1 / (0.01 + 0.002 * i);
    double c = (double)(4 << (i % 5));
    double rho = 0.6 + 0.015 * i;
    mmc_init(&x.q[i], rho * c * mu, mu, c, 1, 0.5);
    /* the union bound of latdist.h: 40 parts at 1 - 1e-4 / 40 */
    double pp = 1 - 1e-4 / (2 * STAGES);
    u += latdist_exp_quantile(x.q[i].p_wait, x.q[i].wait_rate, pp) +
         latdist_service_quantile(LATDIST_GAMMA, 1 / mu, 0.5, pp);
  }
  x.ctx = latdist_ctx_new(n, u / (double)(n - 1), 2 * STAGES + 4);
  for (int i = 0; i < STAGES; i++) {
    x.service[i] = latdist_take(x.ctx);
    latdist_set_service(x.service[i], LATDIST_GAMMA, 1 / x.q[i].mu, 0.5);
  }
  x.a = latdist_take(x.ctx);
  x.b = latdist_take(x.ctx);
  x.out = latdist_take(x.ctx);
  latdist_set_service(x.a, LATDIST_GAMMA, 0.02, 0.5);
  latdist_set_service(x.b, LATDIST_LOGNORMAL, 0.03, 1);
  char what[80];
  snprintf(what, sizeof what, "n=%zu one FFT convolution", n);
  timeit(what, run_conv, &x, 20);
  snprintf(what, sizeof what, "n=%zu build a gamma service (cv 0.5)", n);
  timeit(what, run_build_service, &x, 5);
  x.general = 1;
  snprintf(what, sizeof what, "n=%zu 20-stage chain, gamma services", n);
  timeit(what, run_chain, &x, 2);
  printf("    end to end: mean %.1f ms, p50 %.1f, p99 %.1f, p999 %.1f ms "
         "(beyond the grid: %.1e)\n",
         x.s.mean * 1e3, x.s.p50 * 1e3, x.s.p99 * 1e3, x.s.p999 * 1e3,
         latdist_beyond(x.out));
  x.general = 0;
  snprintf(what, sizeof what, "n=%zu 20-stage chain, exponential services", n);
  timeit(what, run_chain, &x, 20);
  latdist_ctx_free(x.ctx);
}

int main(void) {
  printf("%-44s %13s %13s\n", "", "fastest", "median");
  static const double cs[] = {1e3, 1e6, 1e7};
  static const double rhos[] = {0.95, 0.999};
  for (size_t i = 0; i < 3; i++)
    for (size_t j = 0; j < 2; j++) {
      erlang_arg x = {cs[i], rhos[j], 0};
      char what[80];
      snprintf(what, sizeof what, "erlang_c c=%.0e rho=%g", cs[i], rhos[j]);
      timeit(what, run_erlang, &x, cs[i] > 1e5 ? 3 : 200);
    }
  erlang_arg s = {1000, 0.9, 0};
  timeit("mmc_servers_for 90K qps, 10 ms, p99 50 ms", run_servers_for, &s, 3);
  bench_chain(1024);
  bench_chain(4096);
  return 0;
}

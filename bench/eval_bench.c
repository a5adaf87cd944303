/*
 * eval_bench.c - evaluations per second of one resolved model on one core:
 * the figure Monte Carlo, sweeps and sizing searches multiply.  Measured,
 * never asserted (bench/README.md).
 *
 *   build/eval_bench [SPEC] [SECONDS] [MODES]
 *
 * SPEC defaults to bench/specs/twenty.yaml, SECONDS to 3, MODES to "both":
 * "full" times only the evaluation with queues and percentiles, "lean"
 * only the one without (handy under perf record).  SECONDS written as
 * "=N" runs exactly N evaluations in one round instead (for instruction
 * counts under callgrind, which the machine's load does not change).
 *
 * The spec is read and resolved once; then the plan is evaluated again and
 * again at the spec's parameters, with one input nudged each time (so no
 * evaluation can be skipped as a repeat), and the loop reports the median
 * of five timed rounds.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capplan.h"
#include "report.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : "bench/specs/twenty.yaml";
  double seconds = argc > 2 ? atof(argv[2]) : 3;
  bool counted = argc > 2 && argv[2][0] == '=';
  long fixed = counted ? atol(argv[2] + 1) : 0;
  const char *modes = argc > 3 ? argv[3] : "both";
  capplan_diags d;
  capplan_diags_init(&d, NULL);
  capplan_source *src = capplan_source_read(path, NULL, &d);
  capplan_report *r = src ? capplan_run(src, NULL, &d) : NULL;
  if (!r) {
    capplan_buf b;
    capplan_buf_init(&b);
    d.src = src;
    capplan_diags_render(&d, false, &b);
    fprintf(stderr, "%s", b.data ? b.data : "cannot read the spec\n");
    return 2;
  }
  const capplan_model *m = r->model;
  params *p = params_new(m);
  params_copy(m, p, &m->base);
  plan *pl = plan_new(m);
  plan_remember(m, pl);
  double base_qps = p->traffic.qps;
  printf("%s: %zu stages, %zu groups\n", path, m->n_stages, m->n_groups);
  /* Twice: with every stage's queue and the end-to-end percentiles (what
   * 'estimate' computes), and without them (what a Monte Carlo run that
   * needs no percentile asks for, plan.latency_on = false). */
  for (int mode = 0; mode < 2; mode++) {
    if ((mode == 0 && strcmp(modes, "lean") == 0) ||
        (mode == 1 && strcmp(modes, "full") == 0))
      continue;
    pl->latency_on = mode == 0;
    double rates[5];
    long total = 0;
    if (counted) {
      for (long n = 0; n < fixed; n++) {
        p->traffic.qps = base_qps * (1 + (double)(n % 1024) * 1e-4);
        if (plan_eval(m, p, r->limits, r->n_limits, pl) < 0)
          return 3;
      }
      printf("%ld evaluations %s\n", fixed,
             mode == 0 ? "with queues and percentiles" : "without them");
      continue;
    }
    for (int round = 0; round < 5; round++) {
      long n = 0;
      double t0 = now(), t;
      do {
        for (int k = 0; k < 100; k++, n++) {
          p->traffic.qps = base_qps * (1 + (double)(n % 1024) * 1e-4);
          if (plan_eval(m, p, r->limits, r->n_limits, pl) < 0)
            return 3;
        }
        t = now() - t0;
      } while (t < seconds / 10);
      rates[round] = (double)n / t;
      total += n;
    }
    qsort(rates, 5, sizeof rates[0], cmp);
    printf("%s: evaluations per second (one core, median of 5 rounds): "
           "%.0f\n",
           mode == 0 ? "with queues and percentiles" : "without them",
           rates[2]);
    printf("  rounds: %.0f %.0f %.0f %.0f %.0f; %ld evaluations; %.0f ns "
           "each\n",
           rates[0], rates[1], rates[2], rates[3], rates[4], total,
           1e9 / rates[2]);
  }
  plan_free(pl);
  params_free(p);
  capplan_report_free(r);
  capplan_source_free(src);
  capplan_diags_release(&d);
  return 0;
}

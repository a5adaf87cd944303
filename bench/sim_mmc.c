/*
 * sim_mmc.c - the simulator's side of the SimPy comparison
 * (bench/sim_vs_simpy.sh): one M/M/c stage through the library's public
 * entry point, sim_run(), timed with a monotonic clock around that call
 * only, as ../shared/peers/simpy_mmc.py times its own run.
 *
 *   sim_mmc [N] [--c 8] [--mu 100] [--rho 0.8] [--seed 1] [--warmup W]
 *
 * Prints the same key=value lines as the peer script: mean and p99
 * response (seconds), customers/s and events/s.  A benchmark, never a
 * test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "des.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  unsigned long long n = 200000, seed = 1;
  double c = 8, mu = 100, rho = 0.8, warmup = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--c") && v)
      c = atof(argv[++i]);
    else if (!strcmp(a, "--mu") && v)
      mu = atof(argv[++i]);
    else if (!strcmp(a, "--rho") && v)
      rho = atof(argv[++i]);
    else if (!strcmp(a, "--seed") && v)
      seed = strtoull(argv[++i], NULL, 10);
    else if (!strcmp(a, "--warmup") && v)
      warmup = atof(argv[++i]);
    else if (a[0] != '-')
      n = strtoull(a, NULL, 10);
    else {
      fprintf(stderr, "usage: sim_mmc [N] [--c C] [--mu MU] [--rho RHO] "
                      "[--seed S] [--warmup W]\n");
      return 2;
    }
  }
  sim_stage st;
  sim_stage_init(&st);
  st.servers = (uint32_t)c;
  st.service = SIM_EXPONENTIAL;
  st.service_mean = 1 / mu;
  sim_input in;
  sim_input_init(&in);
  in.stages = &st;
  in.n_stages = 1;
  in.lambda = rho * c * mu;
  in.requests = n;
  in.warmup = warmup;
  in.seed = seed;

  char err[200];
  double t0 = now();
  sim_result *r = sim_run(&in, err, sizeof err);
  double wall = now() - t0;
  if (!r) {
    fprintf(stderr, "sim_mmc: %s\n", err);
    return 2;
  }
  printf("engine=capplan-des c=%g mu=%g rho=%g lambda=%g n=%llu warmup=%g "
         "seed=%llu\n",
         c, mu, rho, in.lambda, n, warmup, seed);
  printf("sim_time_s=%.6g completed=%llu\n", r->simulated_time,
         (unsigned long long)r->end_to_end.completed);
  printf("r_mean_s=%.6g r_p99_s=%.6g\n", r->end_to_end.latency_mean.value,
         r->end_to_end.latency_p99.value);
  printf("wall_s=%.4f events=%llu events_per_s=%.0f customers_per_s=%.0f\n",
         wall, (unsigned long long)r->events, (double)r->events / wall,
         (double)n / wall);
  sim_result_free(r);
  return 0;
}

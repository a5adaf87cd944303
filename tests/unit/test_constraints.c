/*
 * test_constraints.c - Core v2's figures: capacity as constraints (memory,
 * cache tiers), every GPU of a server counted, request-weighted
 * availability with zones and stage availability (FORMULAS.md sections 2b
 * and 8, SPEC.md sections 5 and 6), flow warnings, sequential calls, and
 * the evaluation as a pure function of the parameter vector.
 *
 * Where a closed form is not obvious the test computes its own reference
 * by brute force (enumerating every up/down state of a small pool).
 */
#include "helpers.h"

#include <stdlib.h>

#define HEAD "capplan: 1\ntraffic: {qps: 5K}\nstages:\n"

/* FORMULAS.md section 8: 1B items x 512 B = 512 GB on 64 GB servers with
 * a 20% reserve (51.2 GB usable) -> 10 servers by memory alone. */
static void test_memory(void **state) {
  (void)state;
  run_result x = run_yaml(HEAD "  - {name: idx, hardware: cpu-medium, "
                               "latency: 2ms, qps_per_server: 2K, items: 1B, "
                               "item_size: 512B}\n");
  const treport *r = expect_report(&x);
  const stage_plan *s = stage(r, "idx")->plan;
  expect_near(s->pool.by[CON_THROUGHPUT], 2.5, 1e-12);
  expect_near(s->pool.by[CON_MEMORY], 10, 1e-12);
  assert_int_equal(s->pool.binding, CON_MEMORY);
  assert_true(s->pool.servers == 10);
  expect_near(s->pool.usable, 51.2e9, 1e-12);
  /* A server down takes its tenth of the data with it. */
  expect_near(s->pool.req.up, 0.999, 1e-12);
  run_free(&x);

  /* Replicas multiply the data; a reserve of 50% halves what is usable;
   * 'memory' is the same as items x item_size. */
  x = run_yaml(HEAD "  - {name: idx, hardware: cpu-medium, latency: 2ms, "
                    "qps_per_server: 2K, memory: 512GB, replicas: 2, "
                    "memory_reserve: 50%}\n");
  r = expect_report(&x);
  expect_near(stage(r, "idx")->plan->pool.by[CON_MEMORY], 32, 1e-12);
  assert_true(stage(r, "idx")->servers == 32);
  run_free(&x);

  /* Throughput binds when it needs more. */
  x = run_yaml(HEAD "  - {name: idx, latency: 2ms, qps_per_server: 100, "
                    "memory: 100GB}\n");
  r = expect_report(&x);
  assert_int_equal(stage(r, "idx")->plan->pool.binding, CON_THROUGHPUT);
  assert_true(stage(r, "idx")->servers == 50);
  run_free(&x);

  /* GPU memory by default on GPU hardware; host memory on request. */
  x = run_yaml(HEAD "  - {name: g, hardware: gpu-4xa100, latency: 10ms, "
                    "qps_per_server: 1M, memory: 400GB}\n"
                    "  - {name: h, hardware: gpu-4xa100, latency: 10ms, "
                    "qps_per_server: 1M, memory: 400GB, memory_on: host}\n");
  r = expect_report(&x);
  /* 400 / (160 x 0.8) = 3.125 -> 4;  400 / (256 x 0.8) = 1.95 -> 2 */
  assert_true(stage(r, "g")->servers == 4);
  assert_true(stage(r, "h")->servers == 2);
  run_free(&x);

  x = run_yaml("capplan: 1\ntraffic: {qps: 5K}\n"
               "hardware: {box: {cost: $1/hour}}\nstages:\n"
               "  - {name: a, hardware: box, latency: 1ms, qps_per_server: "
               "1K, memory: 1GB}\n"
               "  - {name: b, latency: 1ms, qps_per_server: 1K, items: 5}\n"
               "  - {name: c, latency: 1ms, qps_per_server: 1K, replicas: "
               "2}\n");
  assert_null(x.r);
  expect_diag(&x.d, "keeps data in host memory, but hardware 'box' states "
                    "none");
  expect_diag(&x.d, "'items' needs 'item_size'");
  expect_diag(&x.d, "'replicas' needs 'memory' or 'items'");
  run_free(&x);
}

/* SPEC.md section 6: four GPUs run four batches at once.  Batch 128 in
 * 50 ms at 50K QPS on gpu-4xa100 -> 5 servers and 20 GPUs (the issue's
 * check; one batch per server would have given 20 servers, 80 GPUs). */
static void test_gpu_parallel(void **state) {
  (void)state;
  run_result x = run_yaml("capplan: 1\ntraffic: {qps: 50K}\nstages:\n"
                          "  - {name: r, hardware: gpu-4xa100, batch: 128, "
                          "latency: 50ms}\n"
                          "  - {name: p, hardware: gpu-4xa100, batch: 128, "
                          "latency: 50ms, parallelism: 1, after: []}\n");
  const treport *r = expect_report(&x);
  expect_near(stage(r, "r")->parallelism, 4, 0);
  expect_near(stage(r, "r")->qps_per_server, 10240, 1e-12);
  assert_true(stage(r, "r")->servers == 5);
  assert_true(stage(r, "r")->gpus == 20);
  /* parallelism says otherwise: one batch per server. */
  assert_true(stage(r, "p")->servers == 20);
  assert_true(stage(r, "p")->gpus == 80);
  run_free(&x);
}

/* A cache tier (SPEC.md section 5; seed 000: 80% hits at 1 ms, misses at
 * 100 ms -> 20.8 ms on average).  The tier takes every lookup; the stage's
 * servers only the misses. */
static void test_cache_tier(void **state) {
  (void)state;
  run_result x = run_yaml(
      "capplan: 1\ntraffic: {qps: 10K}\nstages:\n"
      "  - {name: m, latency: 100ms, qps_per_server: 100, cache_hit: 80%, "
      "cache: {qps_per_server: 4K, latency: 1ms, memory: 100GB}}\n");
  const treport *r = expect_report(&x);
  const stage_plan *s = stage(r, "m")->plan;
  expect_near(s->load, 2000, 1e-12);
  expect_near(s->cache_load, 10000, 1e-12);
  expect_near(s->mean_latency, 0.0208, 1e-12);
  expect_near(s->latency, 0.1, 1e-12); /* the path keeps the miss path */
  assert_true(s->pool.servers == 20);
  /* lookups: 10K / 4K = 2.5; data: 100 / 51.2 = 1.95 -> throughput. */
  expect_near(s->cache.pool->by[CON_THROUGHPUT], 2.5, 1e-12);
  expect_near(s->cache.pool->by[CON_MEMORY], 100 / 51.2, 1e-12);
  assert_true(s->cache.pool->servers == 3);
  assert_true(r->servers == 23);
  assert_true(r->cost_per_year == 23 * 3000);
  run_free(&x);

  x = run_yaml("capplan: 1\ntraffic: {qps: 10K}\nstages:\n"
               "  - {name: m, latency: 1ms, qps_per_server: 100, cache: "
               "{qps_per_server: 4K, latency: 1ms}}\n");
  assert_null(x.r);
  expect_diag(&x.d, "a cache tier needs 'cache_hit'");
  run_free(&x);
}

/* P(at least M of the pool up) and E[min(1, K / R)] by enumerating every
 * up/down state of N servers spread over Z zones (zone z holds the
 * servers i with i % Z == z... sized evenly), each zone up with ZA, each
 * server with A.  Small pools only. */
static void brute(int n, int zones, double za, double a, int m, double r,
                  double *all, double *req) {
  *all = *req = 0;
  for (int zm = 0; zm < (1 << zones); zm++) {
    double pz = 1;
    for (int z = 0; z < zones; z++)
      pz *= (zm >> z & 1) ? za : 1 - za;
    for (int sm = 0; sm < (1 << n); sm++) {
      double ps = 1;
      int k = 0;
      for (int i = 0; i < n; i++) {
        bool zone_up = (zm >> (i % zones)) & 1;
        bool up = (sm >> i) & 1;
        ps *= up ? a : 1 - a;
        k += up && zone_up;
      }
      *all += pz * ps * (k >= m);
      *req += pz * ps * (k >= r ? 1 : k / r);
    }
  }
}

/* FORMULAS.md section 2b: availability over zones and of requests.  The
 * model puts the worst zones up (the smallest), which is exact when
 * zones hold the same number of servers: 6 servers over 3 zones. */
static void test_zone_availability(void **state) {
  (void)state;
  run_result x = run_yaml("capplan: 1\ntraffic: {qps: 3500}\nstages:\n"
                          "  - {name: s, latency: 1ms, qps_per_server: 1K, "
                          "redundancy: 2, zones: 3, zone_availability: 99%, "
                          "availability: 95%}\n");
  const treport *r = expect_report(&x);
  const stage_plan *s = stage(r, "s")->plan;
  assert_true(s->pool.servers == 6);
  assert_true(s->pool.needed == 4);
  double all, req;
  brute(6, 3, 0.99, 0.95, 4, 3.5, &all, &req);
  expect_near(s->pool.all.up, all, 1e-12);
  expect_near(s->pool.req.up, req, 1e-12);
  expect_near(s->pool.all.down, 1 - all, 1e-9);
  run_free(&x);

  /* Without zones: k-of-n, and the request share by enumeration. */
  x = run_yaml("capplan: 1\ntraffic: {qps: 3500}\nstages:\n"
               "  - {name: s, latency: 1ms, qps_per_server: 1K, redundancy: "
               "3, availability: 90%}\n");
  r = expect_report(&x);
  s = stage(r, "s")->plan;
  brute(7, 1, 1, 0.9, 4, 3.5, &all, &req);
  expect_near(s->pool.all.up, all, 1e-12);
  expect_near(s->pool.req.up, req, 1e-12);
  run_free(&x);

  /* A stage's own availability multiplies both. */
  x = run_yaml("capplan: 1\ntraffic: {qps: 1K}\nstages:\n"
               "  - {name: s, latency: 1ms, qps_per_server: 1K, redundancy: "
               "1, stage_availability: 99.95%}\n");
  r = expect_report(&x);
  s = stage(r, "s")->plan;
  double up2 = 1 - 0.001 * 0.001;
  expect_near(s->pool.all.up, up2 * 0.9995, 1e-12);
  run_free(&x);
}

/* The YouTube figures the issue names: 78.97% all up, 99.7003% of
 * requests (three stages each shedding 0.1%: 0.999^3). */
static void test_request_availability(void **state) {
  (void)state;
  run_result x = run_yaml("capplan: 1\ntraffic: {qps: 30K}\n"
                          "hardware: {a100: {gpus: 1, cost: $2/hour}}\n"
                          "stages:\n"
                          "  - {name: c, latency: 20ms, qps_per_server: 1K}\n"
                          "  - {name: l, latency: 20ms, qps_per_server: 5K}\n"
                          "  - {name: d, hardware: a100, latency: 60ms, "
                          "qps_per_server: 150}\n");
  const treport *r = expect_report(&x);
  expect_near(r->availability, pow(0.999, 236), 1e-12);
  expect_near(r->request_availability, pow(0.999, 3), 1e-12);
  expect_near(stage(r, "d")->availability, pow(0.999, 200), 1e-12);
  expect_near(stage(r, "d")->request_availability, 0.999, 1e-12);
  run_free(&x);

  /* A traffic split: a branch that 20% of requests take weighs 20%. */
  x = run_yaml("capplan: 1\ntraffic: {qps: 1K}\nstages:\n"
               "  - {name: a, latency: 1ms, qps_per_server: 1K}\n"
               "  - {name: b, after: a, share: 20%, latency: 1ms, "
               "qps_per_server: 1K, availability: 90%}\n");
  r = expect_report(&x);
  expect_near(r->request_availability, 0.999 * (1 - 0.2 * 0.1), 1e-12);
  run_free(&x);

  /* A group is one pool and counts once: two members along one path
   * (every request visits both) shed the group's share once, so the
   * requests served are never fewer than "all up"; two members on
   * disjoint halves of the traffic add their visits (one in all). */
  x = run_yaml(
      "capplan: 1\ntraffic: {qps: 1K}\ngroups: {g: {}}\n"
      "stages:\n"
      "  - {name: a, latency: 1ms, qps_per_server: 2K, colocate: g}\n"
      "  - {name: b, latency: 1ms, qps_per_server: 2K, colocate: g}\n");
  r = expect_report(&x);
  const pool_plan *gp = &r->report->plan->group[0].pool;
  assert_true(gp->servers == 1);
  expect_near(r->request_availability, 0.999, 1e-12);
  expect_near(r->request_availability, gp->req.up, 1e-15);
  assert_true(r->request_availability >= r->availability);
  run_free(&x);
  x = run_yaml("capplan: 1\ntraffic: {qps: 1K}\ngroups: {g: {}}\n"
               "stages:\n"
               "  - {name: e, latency: 1ms, qps_per_server: 100K}\n"
               "  - {name: a, after: e, share: 50%, latency: 1ms, "
               "qps_per_server: 2K, colocate: g}\n"
               "  - {name: b, after: e, share: 50%, latency: 1ms, "
               "qps_per_server: 2K, colocate: g}\n");
  r = expect_report(&x);
  expect_near(r->request_availability, 0.999 * 0.999, 1e-12);
  run_free(&x);

  /* Fan-out: 2 calls a request to 2 servers at 99% carrying 1.8
   * servers' worth: both up serve every call; one up serves 1 / 1.8 of
   * them, and a request needs both of its calls, so (1 / 1.8)^2 of the
   * requests; none up, none.  The load's share, 1 call a request, is
   * 0.9801 + 0.0198 / 1.8.  An asynchronous stage's calls are events no
   * request waits for: the load's share. */
#define FAN(extra)                                                             \
  "capplan: 1\ntraffic: {qps: 900}\nstages:\n"                                 \
  "  - {name: f, latency: 1ms, qps_per_server: 1K, availability: 99%, "        \
  "calls: 2" extra "}\n"
  x = run_yaml(FAN(""));
  r = expect_report(&x);
  double both = 0.99 * 0.99, one = 2 * 0.99 * 0.01;
  expect_near(stage(r, "f")->request_availability, both + one / (1.8 * 1.8),
              1e-14);
  expect_near(r->request_availability, both + one / (1.8 * 1.8), 1e-14);
  expect_near(r->availability, both, 1e-14);
  run_free(&x);
  x = run_yaml(FAN(", async: true"));
#undef FAN
  r = expect_report(&x);
  expect_near(stage(r, "f")->request_availability, both + one / 1.8, 1e-14);
  run_free(&x);
}

/* A memory-bound stage's data in shards on servers of their own: 1B
 * items x 512 B on cpu-medium is 10 servers a copy; with 2 replicas, 20
 * servers, each shard on two.  All up: each shard keeps a copy, (1 -
 * q^2)^10 (k-of-n over 20 interchangeable servers gave past 9 nines);
 * requests: a lookup finds its shard, 1 - q^2.  One copy: a server down
 * takes its shard's requests, 1 - q (the load's share 99.92% before). */
static void test_replicated_shards(void **state) {
  (void)state;
  run_result x = run_yaml("capplan: 1\ntraffic: {qps: 5K}\nstages:\n"
                          "  - {name: e, hardware: cpu-medium, latency: 2ms, "
                          "qps_per_server: 2K, items: 1B, item_size: 512B, "
                          "replicas: 2}\n");
  const treport *r = expect_report(&x);
  double q = 0.001;
  assert_true(stage(r, "e")->servers == 20);
  expect_near(r->availability, pow(1 - q * q, 10), 1e-14);
  expect_near(r->request_availability, 1 - q * q, 1e-14);
  run_free(&x);
  x = run_yaml("capplan: 1\ntraffic: {qps: 5K}\nstages:\n"
               "  - {name: e, hardware: cpu-medium, latency: 2ms, "
               "qps_per_server: 2K, items: 1B, item_size: 512B}\n");
  r = expect_report(&x);
  expect_near(r->availability, pow(1 - q, 10), 1e-14);
  expect_near(r->request_availability, 1 - q, 1e-14);
  run_free(&x);
}

/* A stage and its fallback over the same 3 zones: a zone outage takes
 * servers from both, so the pair's availability is summed over the zone
 * states (each pool's servers failing independently within them), here
 * against brute-force enumeration of every zone and server: the primary's
 * 6 servers (4 needed) and the fallback's 3 (2 needed), server i of each
 * in zone i mod 3.  The independent product would be far off. */
static void pair_brute(double za, double a, double *all) {
  *all = 0;
  for (int zm = 0; zm < 8; zm++) {
    double pz = 1;
    for (int z = 0; z < 3; z++)
      pz *= (zm >> z & 1) ? za : 1 - za;
    for (int sm = 0; sm < (1 << 9); sm++) {
      double ps = 1;
      int k1 = 0, k2 = 0;
      for (int i = 0; i < 9; i++) {
        bool up = (sm >> i) & 1, zone_up = (zm >> (i < 6 ? i % 3 : i - 6)) & 1;
        ps *= up ? a : 1 - a;
        if (i < 6)
          k1 += up && zone_up;
        else
          k2 += up && zone_up;
      }
      *all += pz * ps * (k1 >= 4 || k2 >= 2);
    }
  }
}

static void test_fallback_zones(void **state) {
  (void)state;
  run_result x = run_yaml(
      "capplan: 1\ntraffic: {qps: 3500}\n"
      "defaults: {zones: 3, zone_availability: 99%, availability: 95%}\n"
      "stages:\n"
      "  - {name: p, latency: 1ms, qps_per_server: 1K, redundancy: 2, "
      "fallback: f}\n"
      "  - {name: f, latency: 1ms, qps_per_server: 2K, redundancy: 1}\n");
  const treport *r = expect_report(&x);
  const stage_plan *p = stage(r, "p")->plan, *f = stage(r, "f")->plan;
  assert_true(p->pool.servers == 6 && p->pool.needed == 4);
  assert_true(f->pool.servers == 3 && f->pool.needed == 2);
  double all;
  pair_brute(0.99, 0.95, &all);
  expect_near(p->effective.up, all, 1e-12);
  expect_near(p->effective.down, 1 - all, 1e-12);
  /* as if independent: 1 - (1 - A_p)(1 - A_f), wrong by far more */
  double indep = 1 - p->pool.all.down * f->pool.all.down;
  assert_true(fabs(indep - all) > 1e-4);
  run_free(&x);
}

/* failover_utilization: servers may run hotter while others are down, so
 * fewer must be up. */
static void test_failover(void **state) {
  (void)state;
  run_result x = run_yaml("capplan: 1\ntraffic: {qps: 9K}\nstages:\n"
                          "  - {name: s, latency: 1ms, qps_per_server: 1K, "
                          "utilization: 60%}\n"
                          "  - {name: t, latency: 1ms, qps_per_server: 1K, "
                          "utilization: 60%, failover_utilization: 90%, "
                          "after: []}\n");
  const treport *r = expect_report(&x);
  assert_true(stage(r, "s")->servers == 15);
  assert_true(stage(r, "s")->servers_needed == 9);
  assert_true(stage(r, "t")->servers_needed == 10);
  run_free(&x);
}

/* calls in sequence multiply the latency; in parallel it counts once. */
static void test_calls_mode(void **state) {
  (void)state;
  run_result x = run_yaml(HEAD "  - {name: p, latency: 10ms, "
                               "qps_per_server: 1K, calls: 3}\n"
                               "  - {name: q, latency: 10ms, "
                               "qps_per_server: 1K, calls: 3, calls_mode: "
                               "sequential}\n");
  const treport *r = expect_report(&x);
  expect_near(stage(r, "p")->latency, 0.010, 1e-12);
  expect_near(stage(r, "q")->latency, 0.030, 1e-12);
  expect_near(r->latency, 0.040, 1e-12);
  assert_true(stage(r, "q")->servers == 15); /* the load is the same */
  run_free(&x);
}

/* Flow sanity: shares that add up past 100%, and a fork merged again with
 * join: any, get warnings naming the stages. */
static void test_flow_warnings(void **state) {
  (void)state;
  run_result x = run_yaml(
      "capplan: 1\ntraffic: {qps: 1K}\ndefaults: {utilization: 80%}\n"
      "stages:\n"
      "  - {name: a, latency: 1ms, qps_per_server: 1K}\n"
      "  - {name: b, after: a, share: 70%, latency: 1ms, qps_per_server: 1K}\n"
      "  - {name: c, after: a, share: 60%, latency: 1ms, qps_per_server: 1K}\n"
      "  - {name: d, after: a, latency: 1ms, qps_per_server: 1K}\n"
      "  - {name: e, after: a, latency: 1ms, qps_per_server: 1K}\n"
      "  - {name: f, after: [d, e], join: any, latency: 1ms, "
      "qps_per_server: 1K}\n");
  expect_report(&x);
  assert_int_equal(x.d.warnings, 2);
  expect_diag(&x.d, "the stages after 'a' take shares that add up to 130%");
  expect_diag(&x.d, "stage 'f' receives 2 requests per entry request");
  run_free(&x);
}

/* Resolve once, evaluate many: the evaluation reads only the parameter
 * vector, so changing it and evaluating again gives the new plan, and
 * going back gives the old one exactly. */
static void test_evaluate_many(void **state) {
  (void)state;
  run_result x = run_yaml("capplan: 1\ntraffic: {qps: 30K}\nstages:\n"
                          "  - {name: a, latency: 20ms, qps_per_server: 1K}\n"
                          "  - {name: b, latency: 20ms, qps_per_server: 5K, "
                          "redundancy: 1}\n");
  expect_report(&x);
  const capplan_model *m = x.r->model;
  params *p = params_new(m);
  params_copy(m, p, &m->base);
  plan *pl = plan_new(m);
  assert_int_equal(plan_eval(m, p, NULL, 0, pl), 0);
  double servers = pl->servers, all_up = pl->all.up;
  assert_true(servers == 37);
  p->traffic.qps = 60000;
  assert_int_equal(plan_eval(m, p, NULL, 0, pl), 0);
  assert_true(pl->servers == 73);
  p->traffic.qps = 30000;
  assert_int_equal(plan_eval(m, p, NULL, 0, pl), 0);
  assert_true(pl->servers == servers);
  assert_true(pl->all.up == all_up);
  /* A stage with no load: a status, not an error. */
  p->stage[0].share = 0;
  p->stage[1].share = 0;
  assert_int_equal(plan_eval(m, p, NULL, 0, pl), 0);
  assert_int_equal(pl->stage[0].status, PLAN_NO_LOAD);
  assert_true(pl->servers == 1); /* b's spare */
  plan_free(pl);
  params_free(p);
  run_free(&x);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_memory),
      cmocka_unit_test(test_gpu_parallel),
      cmocka_unit_test(test_cache_tier),
      cmocka_unit_test(test_zone_availability),
      cmocka_unit_test(test_request_availability),
      cmocka_unit_test(test_replicated_shards),
      cmocka_unit_test(test_fallback_zones),
      cmocka_unit_test(test_failover),
      cmocka_unit_test(test_calls_mode),
      cmocka_unit_test(test_flow_warnings),
      cmocka_unit_test(test_evaluate_many),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

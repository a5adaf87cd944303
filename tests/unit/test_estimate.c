/*
 * test_estimate.c - the estimator against the reference values of
 * FORMULAS.md section 1 and the rules of SPEC.md section 2 (flow and load,
 * sizing and rounding, colocation, latency path, checks).
 */
#include "helpers.h"

/* FORMULAS.md section 1, "YouTube cascade": 30 + 6 + 200 GPUs = 236
 * machines; 100 ms against 150 ms; 200 x $2/h x 8,760 = $3,504,000. */
static void test_youtube(void **state) {
  (void)state;
  run_result x = run_yaml("capplan: 1\n"
                          "traffic: {qps: 30K}\n"
                          "slo: {latency: 150ms}\n"
                          "budget: {cost: $4M/year}\n"
                          "hardware: {a100: {gpus: 1, cost: $2/hour}}\n"
                          "stages:\n"
                          "  - {name: candidates, latency: 20ms, "
                          "qps_per_server: 1K}\n"
                          "  - {name: light-ranker, latency: 20ms, "
                          "qps_per_server: 5K}\n"
                          "  - {name: deep-ranker, hardware: a100, "
                          "latency: 60ms, qps_per_server: 150}\n");
  const treport *r = expect_report(&x);
  assert_true(stage(r, "candidates")->servers == 30);
  assert_true(stage(r, "light-ranker")->servers == 6);
  assert_true(stage(r, "deep-ranker")->servers == 200);
  assert_true(stage(r, "deep-ranker")->gpus == 200);
  assert_true(stage(r, "deep-ranker")->cost_per_year == 3504000);
  assert_true(r->servers == 236);
  assert_true(r->gpus == 200);
  assert_true(r->cost_per_year == 3612000); /* + 36 x $3K cpu-medium */
  assert_true(r->cost_per_month == 301000);
  expect_near(r->latency, 0.100, 1e-12);
  assert_int_equal(r->n_critical, 3);
  assert_string_equal(r->critical_path[0], "candidates");
  assert_string_equal(r->critical_path[2], "deep-ranker");
  assert_int_equal(r->n_checks, 2);
  assert_true(r->checks[0].passed && r->checks[1].passed);
  assert_true(r->passed);
  /* SPEC.md section 3's example: 0.999^200 and 0.999^236. */
  expect_near(stage(r, "deep-ranker")->availability, pow(0.999, 200), 1e-12);
  expect_near(r->availability, pow(0.999, 236), 1e-12);
  expect_near(r->downtime_minutes_per_year, (1 - pow(0.999, 236)) * 525600,
              1e-9);
  run_free(&x);
}

/* FORMULAS.md section 1, "XGBoost": 10 ms, 16 cores CPU-bound at 12x ->
 * 1,200 QPS/server; 30K QPS -> 25 servers; +20% -> 30; x $3K = $90K. */
static void test_xgboost(void **state) {
  (void)state;
  run_result x = run_yaml("capplan: 1\n"
                          "traffic: {qps: 30K}\n"
                          "defaults: {headroom: 20%}\n"
                          "stages:\n"
                          "  - {name: xgboost, hardware: cpu-medium, "
                          "latency: 10ms, bound: cpu}\n");
  const treport *r = expect_report(&x);
  const tstage *s = stage(r, "xgboost");
  assert_int_equal(s->tp_source, TP_BATCH);
  expect_near(s->parallelism, 12, 1e-15);
  expect_near(s->qps_per_server, 1200, 1e-12);
  expect_near(s->servers_raw, 25, 1e-12);
  assert_true(s->servers == 30);
  assert_true(s->cost_per_year == 90000);
  run_free(&x);
}

/* FORMULAS.md section 1, "DNN, no dynamic batching": 5K QPS, 50 ms per
 * request on one GPU -> 20 QPS/GPU -> 250 GPUs x $10K = $2.5M/yr. */
static void test_dnn_no_batching(void **state) {
  (void)state;
  run_result x = run_yaml("capplan: 1\n"
                          "traffic: {qps: 5K}\n"
                          "stages:\n"
                          "  - {name: dnn, hardware: gpu-v100, latency: "
                          "50ms}\n");
  const treport *r = expect_report(&x);
  const tstage *s = stage(r, "dnn");
  expect_near(s->qps_per_server, 20, 1e-12);
  assert_true(s->servers == 250);
  assert_true(s->gpus == 250);
  assert_true(s->cost_per_year == 2500000);
  run_free(&x);
}

/* FORMULAS.md section 1, "DNN, dynamic batching", the seed's reading: 50
 * requests per batch, the 10 ms window counted as GPU time with the
 * 200 ms batch -> 50 / 0.21 s = 238 QPS/GPU -> 21 GPUs ($210K/yr); the
 * exact model of section 4 (200 ms of GPU time) gives 250 -> 20. */
static void test_dnn_batching(void **state) {
  (void)state;
  run_result x = run_yaml("capplan: 1\n"
                          "traffic: {qps: 5K}\n"
                          "stages:\n"
                          "  - {name: seed, hardware: gpu-v100, latency: "
                          "210ms, batch: 50}\n"
                          "  - {name: exact, hardware: gpu-v100, latency: "
                          "200ms, batch: 50, after: []}\n");
  const treport *r = expect_report(&x);
  expect_near(stage(r, "seed")->qps_per_server, 50 / 0.21, 1e-12);
  assert_true(stage(r, "seed")->servers == 21);
  assert_true(stage(r, "seed")->cost_per_year == 210000);
  expect_near(stage(r, "exact")->qps_per_server, 250, 1e-12);
  assert_true(stage(r, "exact")->servers == 20);
  run_free(&x);
}

/* FORMULAS.md section 1, "Cache": 50K QPS at a 60% hit rate -> 20K QPS
 * reach the stage; the request still continues downstream. */
static void test_cache(void **state) {
  (void)state;
  run_result x = run_yaml("capplan: 1\n"
                          "traffic: {qps: 50K}\n"
                          "stages:\n"
                          "  - {name: model, latency: 10ms, "
                          "qps_per_server: 1K, cache_hit: 60%}\n"
                          "  - {name: after-cache, latency: 1ms, "
                          "qps_per_server: 10K}\n");
  const treport *r = expect_report(&x);
  expect_near(stage(r, "model")->qps, 20000, 1e-12);
  assert_true(stage(r, "model")->servers == 20);
  expect_near(stage(r, "after-cache")->qps, 50000, 1e-12);
  run_free(&x);
}

/* FORMULAS.md section 1, "Collocation": stage 1 serves 1K QPS/server at
 * 80% CPU (1.25K at 100%), stage 2 5K at 100%.  Independent: 30 + 6 = 36;
 * colocated on servers run at 100%: 24 + 6 = 30. */
static void test_colocation(void **state) {
  (void)state;
  run_result a = run_yaml("capplan: 1\n"
                          "traffic: {qps: 30K}\n"
                          "stages:\n"
                          "  - {name: s1, latency: 20ms, qps_per_server: "
                          "1250, utilization: 80%}\n"
                          "  - {name: s2, latency: 20ms, qps_per_server: "
                          "5K}\n");
  const treport *r = expect_report(&a);
  assert_true(stage(r, "s1")->servers == 30);
  assert_true(stage(r, "s2")->servers == 6);
  assert_true(r->servers == 36);
  run_free(&a);

  run_result b = run_yaml("capplan: 1\n"
                          "traffic: {qps: 30K}\n"
                          "groups: {shared: {utilization: 100%}}\n"
                          "stages:\n"
                          "  - {name: s1, latency: 20ms, qps_per_server: "
                          "1250, colocate: shared}\n"
                          "  - {name: s2, latency: 20ms, qps_per_server: "
                          "5K, colocate: shared}\n");
  r = expect_report(&b);
  expect_near(stage(r, "s1")->servers_raw, 24, 1e-12);
  expect_near(stage(r, "s2")->servers_raw, 6, 1e-12);
  assert_string_equal(stage(r, "s1")->group, "shared");
  assert_true(stage(r, "s1")->servers == 0); /* the group owns servers */
  assert_int_equal(r->n_groups, 1);
  assert_true(r->groups[0].servers == 30);
  assert_int_equal(r->groups[0].n_stages, 2);
  assert_true(r->groups[0].cost_per_year == 90000);
  assert_true(r->servers == 30);
  assert_true(r->cost_per_year == 90000);
  /* The pool needs all 30 up: 0.999^30. */
  expect_near(r->availability, pow(0.999, 30), 1e-12);
  run_free(&b);
}

/* FORMULAS.md section 1, "Load balancing": 10 servers x 100 req/s give
 * 1,000 req/s of capacity, so 1,000 req/s needs exactly 10. */
static void test_load_balancing(void **state) {
  (void)state;
  run_result x = run_yaml("capplan: 1\ntraffic: {qps: 1000}\nstages:\n"
                          "  - {name: web, latency: 10ms, "
                          "qps_per_server: 100}\n");
  assert_true(expect_report(&x)->stages[0].servers == 10);
  run_free(&x);
}

/* FORMULAS.md section 1, "Daily volume": 10B events/day = 115,741/s. */
static void test_daily_volume(void **state) {
  (void)state;
  run_result x = run_yaml("capplan: 1\ntraffic: {qps: 10B/day}\nstages:\n"
                          "  - {name: ingest, latency: 1ms, "
                          "qps_per_server: 1K}\n");
  const treport *r = expect_report(&x);
  expect_near(r->qps, 1e10 / 86400, 1e-15);
  assert_true(round(r->qps) == 115741);
  assert_true(r->stages[0].servers == 116);
  run_free(&x);
}

/* DAU-based traffic (FORMULAS.md section 7): 500M x 20/day / 86,400 x 3
 * at peak; the average (without the factor) gives cost per million. */
static void test_dau(void **state) {
  (void)state;
  run_result x = run_yaml("capplan: 1\n"
                          "traffic: {dau: 500M, requests_per_user: 20/day, "
                          "peak_to_average: 3}\n"
                          "stages:\n"
                          "  - {name: api, latency: 10ms, qps_per_server: "
                          "1K}\n");
  const treport *r = expect_report(&x);
  expect_near(r->average_qps, 500e6 * 20 / 86400, 1e-12);
  expect_near(r->qps, 500e6 * 20 / 86400 * 3, 1e-12);
  assert_true(r->stages[0].servers == 348); /* 347.22 -> 348 */
  double requests_per_year = r->average_qps * 8760 * 3600;
  expect_near(r->cost_per_million, 348 * 3000.0 / requests_per_year * 1e6,
              1e-12);
  run_free(&x);
}

/* SPEC.md "Sizing and rounding": one ceiling with a 1e-9 tolerance, so a
 * float product a hair above a whole number does not add a server. */
static void test_rounding_edges(void **state) {
  (void)state;
  static const struct {
    const char *yaml;
    double servers;
  } cases[] = {
      /* 0.56 x 20,000 / 400 = 28.000000000000004 in doubles -> 28 */
      {"capplan: 1\ntraffic: {qps: 20K}\nstages:\n"
       "  - {name: a, latency: 1ms, qps_per_server: 400, share: 56%}\n",
       28},
      /* 0.1 x 3 / 0.3 = 1.0000000000000002 -> 1 */
      {"capplan: 1\ntraffic: {qps: 0.1}\nstages:\n"
       "  - {name: a, latency: 1ms, qps_per_server: 0.3, calls: 3}\n",
       1},
      /* 30,000 / 1,200 x 1.2 = 30.000000000000004 -> 30 */
      {"capplan: 1\ntraffic: {qps: 30K}\ndefaults: {headroom: 20%}\n"
       "stages:\n  - {name: a, latency: 1ms, qps_per_server: 1200}\n",
       30},
      /* a real fraction above a whole number still rounds up */
      {"capplan: 1\ntraffic: {qps: 30001}\nstages:\n"
       "  - {name: a, latency: 1ms, qps_per_server: 1K}\n",
       31},
      /* utilization divides before the ceiling: 30K / (1K x 0.8) = 37.5 */
      {"capplan: 1\ntraffic: {qps: 30K}\nstages:\n"
       "  - {name: a, latency: 1ms, qps_per_server: 1K, utilization: "
       "80%}\n",
       38},
      /* redundancy is added after the ceiling: 30 + 2 */
      {"capplan: 1\ntraffic: {qps: 30K}\nstages:\n"
       "  - {name: a, latency: 1ms, qps_per_server: 1K, redundancy: 2}\n",
       32},
      /* a positive load, however small, needs a server */
      {"capplan: 1\ntraffic: {qps: 1e-12}\nstages:\n"
       "  - {name: a, latency: 1ms, qps_per_server: 1K}\n",
       1},
      /* no load: no servers (plus redundancy) */
      {"capplan: 1\ntraffic: {qps: 30K}\nstages:\n"
       "  - {name: a, latency: 1ms, qps_per_server: 1K, cache_hit: 100%}\n",
       0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    run_result x = run_yaml(cases[i].yaml);
    const treport *r = expect_report(&x);
    if (r->stages[0].servers != cases[i].servers) {
      print_error("case %zu: expected %g servers, got %g (raw %.17g)\n", i,
                  cases[i].servers, r->stages[0].servers,
                  r->stages[0].servers_raw);
      fail();
    }
    run_free(&x);
  }
}

/* SPEC.md "Flow and load" on a DAG with a split, a fan-out, a stop and
 * both joins:
 *   entry (stops 25%) -> a (share 20%), b (share 80%, calls 3)
 *   any-join of a and b: 0.2 x 0.75 + 0.8 x 0.75 = 0.75
 *   all-join of a and b: max(0.15, 0.6) = 0.6 */
static void test_flow(void **state) {
  (void)state;
  run_result x = run_yaml(
      "capplan: 1\ntraffic: {qps: 10K}\nstages:\n"
      "  - {name: entry, latency: 5ms, qps_per_server: 1K, stops: 25%}\n"
      "  - {name: a, latency: 10ms, qps_per_server: 1K, share: 20%}\n"
      "  - {name: b, latency: 30ms, qps_per_server: 1K, share: 80%, "
      "calls: 3, after: entry}\n"
      "  - {name: merge, latency: 1ms, qps_per_server: 1K, after: [a, b], "
      "join: any}\n"
      "  - {name: wait, latency: 2ms, qps_per_server: 1K, after: [a, b]}\n");
  const treport *r = expect_report(&x);
  expect_near(stage(r, "entry")->qps, 10000, 1e-12);
  expect_near(stage(r, "entry")->outflow, 0.75, 1e-15);
  expect_near(stage(r, "a")->qps, 10000 * 0.75 * 0.2, 1e-12);
  expect_near(stage(r, "b")->inflow, 0.6, 1e-15);
  expect_near(stage(r, "b")->qps, 10000 * 0.6 * 3, 1e-12); /* calls */
  expect_near(stage(r, "b")->outflow, 0.6, 1e-15); /* calls do not pass */
  expect_near(stage(r, "merge")->qps, 7500, 1e-9);
  expect_near(stage(r, "wait")->qps, 6000, 1e-9);
  /* Latency: the slowest path entry -> b -> wait = 5 + 30 + 2 ms. */
  expect_near(r->latency, 0.037, 1e-12);
  assert_int_equal(r->n_critical, 3);
  assert_string_equal(r->critical_path[1], "b");
  assert_string_equal(r->critical_path[2], "wait");
  assert_true(stage(r, "b")->critical);
  assert_false(stage(r, "a")->critical);
  run_free(&x);
}

/* Checks (SPEC.md section 1): a failed limit fails the report. */
static void test_checks(void **state) {
  (void)state;
  run_result x = run_yaml("capplan: 1\ntraffic: {qps: 30K}\n"
                          "slo: {latency: 10ms, availability: 99.9%}\n"
                          "budget: {cost: $50K/year, gpus: 0, servers: 30}\n"
                          "stages:\n  - {name: a, latency: 20ms, "
                          "qps_per_server: 1K}\n");
  const treport *r = expect_report(&x);
  assert_int_equal(r->n_checks, 5);
  assert_string_equal(r->checks[0].name, "latency");
  assert_false(r->checks[0].passed); /* 20 ms > 10 ms */
  assert_string_equal(r->checks[1].name, "availability");
  assert_false(r->checks[1].passed); /* 0.999^30 < 99.9% */
  assert_false(r->checks[1].upper);
  assert_string_equal(r->checks[2].name, "cost");
  assert_false(r->checks[2].passed); /* $90K > $50K */
  assert_true(r->checks[3].passed);  /* 0 GPUs <= 0 */
  assert_true(r->checks[4].passed);  /* 30 servers <= 30 */
  assert_false(r->passed);
  run_free(&x);
}

/* Figures too large to count exactly become a diagnostic naming the
 * stage, never Inf or NaN in a report. */
static void test_overflow(void **state) {
  (void)state;
  /* Inputs within their bounds whose product is not. */
  run_result x = run_yaml("capplan: 1\ntraffic: {qps: 1e15}\nstages:\n"
                          "  - {name: huge, latency: 1ms, qps_per_server: "
                          "1e-3, calls: 1e9}\n");
  assert_null(x.r);
  expect_diag(&x.d, "stage 'huge' needs more servers");
  run_free(&x);

  /* Merging paths double the flow at each diamond of 'join: any'. */
  capplan_buf y;
  capplan_buf_init(&y);
  capplan_buf_puts(&y, "capplan: 1\ntraffic: {qps: 1}\nstages:\n"
                       "  - {name: s0, latency: 1ms, qps_per_server: 1e15}\n");
  for (int i = 1; i < 1100; i++)
    capplan_buf_printf(&y,
                       "  - {name: a%d, after: s%d, latency: 1ms, "
                       "qps_per_server: 1e15}\n"
                       "  - {name: b%d, after: s%d, latency: 1ms, "
                       "qps_per_server: 1e15}\n"
                       "  - {name: s%d, after: [a%d, b%d], join: any, "
                       "latency: 1ms, qps_per_server: 1e15}\n",
                       i, i - 1, i, i - 1, i, i, i);
  run_result z = run_yaml(y.data);
  assert_null(z.r);
  assert_int_equal(z.d.errors, 1); /* the first stage only */
  capplan_buf_release(&y);
  run_free(&z);
}

/* The same spec gives the same report, byte for byte. */
static void test_deterministic(void **state) {
  (void)state;
  const char *yaml = "capplan: 1\ntraffic: {qps: 1K}\nstages:\n"
                     "  - {name: z, latency: 1ms, qps_per_server: 10, "
                     "after: []}\n"
                     "  - {name: y, latency: 1ms, qps_per_server: 10, "
                     "after: []}\n"
                     "  - {name: x, latency: 1ms, qps_per_server: 10, "
                     "after: [z, y]}\n";
  capplan_buf out[2];
  for (int k = 0; k < 2; k++) {
    run_result x = run_yaml(yaml);
    capplan_buf_init(&out[k]);
    expect_report(&x);
    capplan_render(CAPPLAN_VIEW_REPORT, CAPPLAN_FORMAT_JSON, x.r, NULL,
                   &out[k]);
    run_free(&x);
  }
  assert_string_equal(out[0].data, out[1].data);
  capplan_buf_release(&out[0]);
  capplan_buf_release(&out[1]);
}

/* Zones (docs/spec.md "Availability"): spread evenly over Z zones, the
 * smallest total whose other Z - 1 zones hold the n servers needed is
 * ceil(n Z / (Z - 1)); spares come after. */
static void test_zones(void **state) {
  (void)state;
  static const struct {
    double qps, zones;
    const char *survive;
    double servers, extra;
  } cases[] = {
      {100, 3, "true", 150, 50}, /* 50 + 50 + 50: lose one, 100 left */
      {11, 3, "true", 17, 6},    /* 6 + 6 + 5: lose 6, 11 left */
      {10, 4, "true", 14, 4},    /* 4 + 4 + 3 + 3: lose 4, 10 left */
      {10, 2, "true", 20, 10},   /* two zones: double */
      {100, 3, "false", 100, 0}, /* spread, not resized */
      {0.5, 3, "true", 2, 1},    /* 1 server needed: 1 + 1 */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char yaml[512];
    snprintf(yaml, sizeof yaml,
             "capplan: 1\ntraffic: {qps: %g}\nstages:\n"
             "  - {name: a, latency: 1ms, qps_per_server: 1, zones: %g, "
             "survive_zone_loss: %s, redundancy: 1}\n",
             cases[i].qps, cases[i].zones, cases[i].survive);
    run_result x = run_yaml(yaml);
    const tstage *s = &expect_report(&x)->stages[0];
    if (s->servers != cases[i].servers + 1 || s->zone_extra != cases[i].extra) {
      print_error("case %zu: expected %g (+%g), got %g (+%g)\n", i,
                  cases[i].servers + 1, cases[i].extra, s->servers,
                  s->zone_extra);
      fail();
    }
    run_free(&x);
  }
  /* A group follows its own zone settings. */
  run_result g = run_yaml("capplan: 1\ntraffic: {qps: 30K}\n"
                          "groups: {pool: {zones: 3, survive_zone_loss: "
                          "true}}\nstages:\n"
                          "  - {name: a, latency: 1ms, qps_per_server: 1250, "
                          "colocate: pool}\n"
                          "  - {name: b, latency: 1ms, qps_per_server: 5K, "
                          "colocate: pool}\n");
  const treport *r = expect_report(&g);
  assert_true(r->groups[0].servers == 45); /* 30 -> 45 */
  assert_true(r->groups[0].zone_extra == 15);
  run_free(&g);
}

/* A fallback (FORMULAS.md section 2, redundant alternatives): the pair is
 * down only when both are; the fallback is sized for its primary's
 * requests and stays off the latency path. */
static void test_fallback(void **state) {
  (void)state;
  run_result x = run_yaml("capplan: 1\ntraffic: {qps: 1K}\nstages:\n"
                          "  - {name: front, latency: 10ms, "
                          "qps_per_server: 1K}\n"
                          "  - {name: ranker, latency: 50ms, "
                          "qps_per_server: 100, fallback: popular, "
                          "share: 50%}\n"
                          "  - {name: popular, latency: 1ms, "
                          "qps_per_server: 100, availability: 99%}\n"
                          "  - {name: blend, latency: 2ms, "
                          "qps_per_server: 1K}\n");
  const treport *r = expect_report(&x);
  const tstage *rk = stage(r, "ranker");
  const tstage *pop = stage(r, "popular");
  const tstage *bl = stage(r, "blend");
  assert_true(pop->standby);
  assert_string_equal(rk->fallback, "popular");
  /* blend follows ranker, passing over the fallback listed between. */
  assert_int_equal(bl->n_after, 1);
  assert_string_equal(bl->after[0], "ranker");
  /* Sized for the ranker's 500 requests/s: 5 servers. */
  expect_near(pop->qps, 500, 1e-12);
  assert_true(pop->servers == 5);
  /* Pair: 1 - (1 - 0.999^5)(1 - 0.99^5). */
  double a = pow(0.999, 5), b = pow(0.99, 5);
  expect_near(rk->effective_availability, 1 - (1 - a) * (1 - b), 1e-14);
  expect_near(r->availability,
              pow(0.999, 1) * (1 - (1 - a) * (1 - b)) * pow(0.999, 1), 1e-14);
  /* Off the critical path: front -> ranker -> blend = 62 ms. */
  expect_near(r->latency, 0.062, 1e-12);
  assert_false(pop->critical);
  run_free(&x);

  run_result e = run_yaml("capplan: 1\ntraffic: {qps: 1K}\nstages:\n"
                          "  - {name: a, latency: 1ms, fallback: b}\n"
                          "  - {name: b, latency: 1ms, fallback: a}\n"
                          "  - {name: c, latency: 1ms, after: b}\n"
                          "  - {name: d, latency: 1ms, fallback: d}\n"
                          "  - {name: e, latency: 1ms, fallback: nope}\n");
  assert_null(e.r);
  expect_diag(&e.d, "stage 'a' is a fallback and cannot have one");
  expect_diag(&e.d, "stage 'c' is after 'b', which is a fallback");
  expect_diag(&e.d, "stage 'd' falls back to itself");
  expect_diag(&e.d, "stage 'e' falls back to unknown stage 'nope'");
  run_free(&e);
}

/* An async stage is sized for its load but is off the request path: no
 * latency on the critical path, no part in the system's availability. */
static void test_async(void **state) {
  (void)state;
  run_result x = run_yaml("capplan: 1\ntraffic: {qps: 1K}\nstages:\n"
                          "  - {name: front, latency: 10ms, "
                          "qps_per_server: 1K}\n"
                          "  - {name: events, async: true, calls: 10, "
                          "latency: 500ms, qps_per_server: 2K}\n"
                          "  - {name: agg, async: true, latency: 1s, "
                          "qps_per_server: 5K}\n"
                          "  - {name: blend, latency: 2ms, "
                          "qps_per_server: 1K}\n");
  const treport *r = expect_report(&x);
  const tstage *ev = stage(r, "events");
  const tstage *agg = stage(r, "agg");
  const tstage *bl = stage(r, "blend");
  assert_true(ev->async && agg->async && !bl->async);
  /* Sized like any stage: 10 calls x 1,000 QPS / 2,000 = 5 servers;
   * calls do not carry downstream, so agg sees 1,000 QPS: 1 server. */
  expect_near(ev->qps, 10000, 1e-9);
  assert_true(ev->servers == 5 && agg->servers == 1);
  /* agg follows events (the async stage listed before it); blend passes
   * over both to follow front. */
  assert_string_equal(agg->after[0], "events");
  assert_int_equal(bl->n_after, 1);
  assert_string_equal(bl->after[0], "front");
  /* The async path is timed (10 + 500 + 1,000 ms) but is not critical. */
  expect_near(agg->latency_to, 1.51, 1e-12);
  expect_near(r->latency, 0.012, 1e-12);
  assert_int_equal(r->n_critical, 2);
  assert_false(ev->critical || agg->critical);
  /* Availability: front and blend only, 0.999 each. */
  expect_near(r->availability, 0.999 * 0.999, 1e-14);
  assert_true(r->servers == 1 + 5 + 1 + 1);
  run_free(&x);

  run_result e = run_yaml("capplan: 1\ntraffic: {qps: 1K}\nstages:\n"
                          "  - {name: a, async: true, latency: 1ms}\n"
                          "  - {name: b, latency: 1ms, after: a}\n"
                          "  - {name: c, latency: 1ms, fallback: d, "
                          "after: []}\n"
                          "  - {name: d, latency: 1ms, async: true}\n");
  assert_null(e.r);
  expect_diag(&e.d, "stage 'b' is after 'a', which is async");
  expect_diag(&e.d, "fallback stage 'd' cannot be async");
  run_free(&e);
}

/* 'capplan check' limits tighten the spec's, never loosen them. */
static void test_check_limits(void **state) {
  (void)state;
  const char *yaml = "capplan: 1\ntraffic: {qps: 30K}\n"
                     "slo: {latency: 50ms}\nbudget: {cost: $100K/year}\n"
                     "stages:\n  - {name: a, latency: 20ms, "
                     "qps_per_server: 1K}\n";
  capplan_source *src = capplan_source_new("c.yaml", yaml, strlen(yaml));
  capplan_diags d;
  capplan_diags_init(&d, src);
  capplan_check_opts o;
  memset(&o, 0, sizeof o);
  o.max_cost.set = true;
  o.max_cost.value = 80000; /* tighter than the spec's $100K: applies */
  o.max_latency.set = true;
  o.max_latency.value = 0.1; /* looser than 50 ms: ignored, warned */
  o.max_servers.set = true;
  o.max_servers.value = 29; /* new */
  capplan_run_opts ro = {NULL, &o, false, NULL};
  capplan_report *rep = capplan_run(src, &ro, &d);
  assert_non_null(rep);
  treport *r = view_of(rep);
  assert_int_equal(r->n_checks, 3);
  assert_string_equal(r->checks[0].name, "latency");
  assert_true(r->checks[0].limit == 50);
  assert_string_equal(r->checks[0].source, "spec");
  assert_true(r->checks[0].margin == 30);
  assert_string_equal(r->checks[1].name, "cost");
  assert_true(r->checks[1].limit == 80000);
  assert_string_equal(r->checks[1].source, "flag");
  assert_false(r->checks[1].passed); /* $90K > $80K */
  assert_true(r->checks[1].margin == -10000);
  assert_string_equal(r->checks[2].name, "servers");
  assert_false(r->checks[2].passed); /* 30 > 29 */
  /* the limit's warning, and the queue's: 30 servers run at 100% */
  assert_int_equal(d.warnings, 2);
  expect_diag(&d,
              "limit on latency (100 ms) is looser than the spec's (50 ms)");
  expect_diag(&d, "stage 'a' runs at 100% of its 600 slots");
  free(r->stages);
  free(r->groups);
  free(r);
  capplan_report_free(rep);
  capplan_diags_release(&d);
  capplan_source_free(src);
}

/* 'join: all' over branches of one split (shares adding up to 100% or
 * less) warns, naming the join and the branches; it keeps SPEC.md's
 * flow (the largest parent's, 50%), and 'join: any' sums them (100%)
 * without the warning.  Branches every request takes, or shares adding
 * up to more than 100% (not a split), do not warn. */
static void test_split_join(void **state) {
  (void)state;
  static const char *const head =
      "capplan: 1\ntraffic: {qps: 1K}\nstages:\n"
      "  - {name: gw, latency: 1ms, qps_per_server: 1M}\n";
  static const struct {
    const char *a, *b, *join;
    bool warns;
    double inflow;
  } rows[] = {
      {"50%", "50%", "", true, 0.5},
      {"50%", "50%", ", join: any", false, 1.0},
      {"30%", "100%", "", false, 1.0},
      {"60%", "60%", "", false, 0.6},
  };
  for (size_t k = 0; k < ARRAY_LEN(rows); k++) {
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "%s"
             "  - {name: a, after: gw, share: %s, latency: 10ms, "
             "qps_per_server: 1M}\n"
             "  - {name: b, after: gw, share: %s, latency: 10ms, "
             "qps_per_server: 1M}\n"
             "  - {name: j, after: [a, b]%s, latency: 1ms, "
             "qps_per_server: 1M}\n",
             head, rows[k].a, rows[k].b, rows[k].join);
    run_result x = run_yaml(yaml);
    const tstage *j = stage(expect_report(&x), "j");
    expect_near(j->plan->inflow, rows[k].inflow, 1e-12);
    int warned = has_diag(&x.d, "stage 'j' waits ('join: all') for 'a', 'b', "
                                "on branches of 'gw'");
    if (warned != rows[k].warns) {
      print_error("row %zu: warned %d\n", k, warned);
      fail();
    }
    run_free(&x);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_youtube),
      cmocka_unit_test(test_xgboost),
      cmocka_unit_test(test_dnn_no_batching),
      cmocka_unit_test(test_dnn_batching),
      cmocka_unit_test(test_cache),
      cmocka_unit_test(test_colocation),
      cmocka_unit_test(test_load_balancing),
      cmocka_unit_test(test_daily_volume),
      cmocka_unit_test(test_dau),
      cmocka_unit_test(test_rounding_edges),
      cmocka_unit_test(test_flow),
      cmocka_unit_test(test_checks),
      cmocka_unit_test(test_overflow),
      cmocka_unit_test(test_deterministic),
      cmocka_unit_test(test_zones),
      cmocka_unit_test(test_fallback),
      cmocka_unit_test(test_async),
      cmocka_unit_test(test_check_limits),
      cmocka_unit_test(test_split_join),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_calc_infra.c - the infrastructure topics of 'capplan calc'
 * (src/calc/calc_infra.c): kafka, cdn and shards, run in-process.
 *
 * Reference values: seed 004's event pipeline ("Data Pipeline Patterns":
 * 10B events a day = 115,741 a second, 300K+ at peak, 90 days kept ~ 1
 * trillion events, ~100 TB: 90 TB at 100 B an event); seed 000's
 * sharding ("Intel Database Sharding": 500M records on 100 nodes of 5M,
 * 5K inserts/s a node -> 500K/s) and replication ("AMD Primary-Replica
 * Replication": 100K queries/s, 95% reads, 20K a node -> 1 primary and 5
 * replicas) and its 10M concurrent streams ("Video Streaming Platform").
 * The other figures are worked by hand in the comments of each row.
 */
#include "helpers.h"

#include "calc.h"

/* Runs TOPIC with ARGV's name/value pairs; NULL with the error in ERR. */
static capplan_calc *run(const char *topic, const char *const *argv,
                         capplan_buf *err) {
  capplan_calc_arg args[16];
  size_t n = 0;
  for (; argv[2 * n]; n++) {
    args[n].name = argv[2 * n];
    args[n].values = &argv[2 * n + 1];
    args[n].n_values = 1;
  }
  return capplan_calc_run(topic, args, n, err);
}

static double result_of(const capplan_calc *c, const char *name) {
  for (size_t i = 0; i < c->n_results; i++)
    if (!strcmp(c->results[i].name, name))
      return c->results[i].value;
  print_error("no result '%s'\n", name);
  fail();
  return 0;
}

static bool has_result(const capplan_calc *c, const char *name) {
  for (size_t i = 0; i < c->n_results; i++)
    if (!strcmp(c->results[i].name, name))
      return true;
  return false;
}

/* A step's result text, found by its label. */
static const char *step_result(const capplan_calc *c, const char *label) {
  const steps *w = c->working;
  for (size_t i = 0; i < w->totals.n; i++)
    if (!strcmp(w->totals.items[i].label, label))
      return w->totals.items[i].result;
  print_error("no step '%s'\n", label);
  fail();
  return "";
}

enum { MAX_ARGS = 24, MAX_CHECKS = 10 };

typedef struct check {
  const char *name;
  double want, tol; /* relative tolerance; 0 for exact */
} check;

typedef struct calc_case {
  const char *what, *topic;
  const char *argv[MAX_ARGS]; /* name, value, ..., NULL */
  check checks[MAX_CHECKS];   /* up to the first NULL name */
} calc_case;

static const calc_case cases[] = {
    /* Seed 004: 10B/day is 115,741/s; kept 90 days, 9e11 events ("~1
     * trillion") of 100 B, 90 TB in one copy ("~100TB"); 300K/s peak x
     * 100 B = 30 MB/s, 3 partitions at 10 MB/s. */
    {"seed 004 pipeline",
     "kafka",
     {"events", "10B/day", "peak", "300K", "size", "100B", "retention", "90d",
      "replication", "1", NULL},
     {{"average_events_per_second", 1e10 / 86400, 1e-12},
      {"ingress_bytes_per_second", 3e7, 1e-12},
      {"partitions", 3, 0},
      {"events_kept", 9e11, 1e-12},
      {"storage_bytes", 9e13, 1e-12},
      {"network_in_bytes_per_second", 3e7, 1e-12},
      {"network_out_bytes_per_second", 3e7, 1e-12}}},
    /* By default three copies (seed 000) and 7 days: 30 MB/s x 604,800 s
     * x 3 = 54.432 TB; in 90 MB/s, out 30 x (1 + 3 - 1) = 90 MB/s. */
    {"kafka defaults",
     "kafka",
     {"events", "300K", "size", "100B", NULL},
     {{"storage_bytes", 3e7 * 604800 * 3, 1e-12},
      {"network_in_bytes_per_second", 9e7, 1e-12},
      {"network_out_bytes_per_second", 9e7, 1e-12},
      {"partitions", 3, 0}}},
    /* 300K/s x 1 KB = 300 MB/s: 30 partitions for producers, 300K / 5K =
     * 60 for consumers -> 60.  Disk: 300 MB/s x 604,800 s x 3 = 544.32 TB
     * / (10 TB x 50%) = 108.864 -> 109.  Out: 300 MB/s x (2 + 3 - 1) =
     * 1.2 GB/s / (1.25 GB/s x 50%) = 1.92 -> 2.  Brokers 109 (disk). */
    {"kafka disk-bound",
     "kafka",
     {"events", "300K", "size", "1KB", "consumer-rate", "5K", "consumers", "2",
      "retention", "7d", "disk", "10TB", "nic", "10Gbit/s", "utilization",
      "50%", NULL},
     {{"partitions", 60, 0},
      {"storage_bytes", 5.4432e14, 1e-12},
      {"network_out_bytes_per_second", 1.2e9, 1e-12},
      {"brokers_disk", 109, 0},
      {"brokers_network", 2, 0},
      {"brokers", 109, 0}}},
    /* 1M/s x 1 KB = 1 GB/s kept 1 h x 3 = 10.8 TB / 10 TB -> 2 brokers;
     * out 1 GB/s x (3 + 3 - 1) = 5 GB/s / 1.25 GB/s = 4 -> 4 (network). */
    {"kafka network-bound",
     "kafka",
     {"events", "1M", "size", "1KB", "consumers", "3", "retention", "1h",
      "disk", "10TB", "nic", "10Gbit/s", NULL},
     {{"brokers_disk", 2, 0}, {"brokers_network", 4, 0}, {"brokers", 4, 0}}},
    /* Tiny: 1 broker by disk and network, but three copies need 3. */
    {"kafka replication floor",
     "kafka",
     {"events", "1K", "size", "100B", "disk", "1TB", "nic", "1Gbit/s", NULL},
     {{"brokers_disk", 1, 0}, {"brokers_network", 1, 0}, {"brokers", 3, 0}}},
    /* Seed 000: 10M concurrent streams; at 5 Mbit/s, 6.25 TB/s (50
     * Tbit/s); 5% misses 312.5 GB/s; a month of 2,628,000 s is 16.425 EB
     * = 16,425,000,000 GB through CloudFront's tiers: 10,000 x 0.085 +
     * 40,000 x 0.08 + 100,000 x 0.06 + 350,000 x 0.04 + 524,000 x 0.03 +
     * 4,096,000 x 0.025 = $142,170 for the first 5,120,000 GB, and
     * 16,419,880,000 x 0.02 = $328,397,600: $328,539,770 a month. */
    {"seed 000 streams",
     "cdn",
     {"streams", "10M", "bitrate", "5Mbit/s", "hit-rate", "95%", NULL},
     {{"egress_bytes_per_second", 6.25e12, 1e-12},
      {"egress_bits_per_second", 5e13, 1e-12},
      {"origin_bytes_per_second", 3.125e11, 1e-12},
      {"bytes_per_month", 1.6425e19, 1e-12},
      {"bytes_per_year", 1.971e20, 1e-12},
      {"cost_per_month", 328539770, 1e-12},
      {"cost_per_year", 328539770.0 * 12, 1e-12}}},
    /* 100 x 1 Mbit/s = 12.5 MB/s, 32,850 GB a month: 10,000 x $0.085 +
     * 22,850 x $0.08 = $2,678. */
    {"cdn first tiers",
     "cdn",
     {"streams", "100", "bitrate", "1Mbit/s", NULL},
     {{"bytes_per_month", 3.285e13, 1e-12},
      {"cost_per_month", 2678, 1e-12},
      {"cost_per_year", 2678.0 * 12, 1e-12}}},
    /* 1,000 x 8 Mbit/s = 1 GB/s at peak, 0.5 GB/s on average; a month
     * 1.314 PB = 1,314,000 GB x $0.02 = $26,280; a year $315,360. */
    {"cdn peak and price",
     "cdn",
     {"streams", "1000", "bitrate", "8Mbit/s", "peak", "2", "price", "$0.02/GB",
      NULL},
     {{"egress_bytes_per_second", 1e9, 1e-12},
      {"bytes_per_month", 1.314e15, 1e-12},
      {"cost_per_month", 26280, 1e-12},
      {"cost_per_year", 315360, 1e-12}}},
    /* Seed 000 (AMD): 100K x 95% = 95K reads / 20K = 4.75 -> 5 replicas
     * beside the primary that takes the 5K writes: 6 nodes. */
    {"seed 000 replicas",
     "shards",
     {"qps", "100K", "read-share", "95%", "node-reads", "20K", NULL},
     {{"reads_per_second", 95000, 1e-12},
      {"writes_per_second", 5000, 1e-9},
      {"shards", 1, 0},
      {"replicas", 5, 0},
      {"nodes", 6, 0}}},
    /* Seed 000 (Intel): 500M records / 5M = 100 shards; 500K inserts/s /
     * 5K a node = 100 too. */
    {"seed 000 shards",
     "shards",
     {"records", "500M", "per-shard", "5M", "writes", "500K", "node-writes",
      "5K", NULL},
     {{"shards_records", 100, 0},
      {"shards_writes", 100, 0},
      {"shards", 100, 0},
      {"replicas", 0, 0},
      {"nodes", 100, 0}}},
    /* 10 TB / 2 TB = 5 shards (writes: 10K / 8K -> 2); a shard reads 20K
     * and writes 2K/s, which take 25% of a replica: 20K / (10K x 75%) =
     * 2.67 -> 3 replicas, 5 x (1 + 3) = 20 nodes. */
    {"shards writes on replicas",
     "shards",
     {"data", "10TB", "node-storage", "2TB", "reads", "100K", "writes", "10K",
      "node-reads", "10K", "node-writes", "8K", NULL},
     {{"shards_data", 5, 0},
      {"shards_writes", 2, 0},
      {"shards", 5, 0},
      {"replicas", 3, 0},
      {"nodes", 20, 0}}},
    /* docs/examples.md: seed 000's load with each replica applying the
     * 5K writes at 10K a node: 95K / (20K x (1 - 5K / 10K)) = 9.5 -> 10
     * replicas; the writes fit one shard: 11 nodes. */
    {"seed 000 replicas applying writes",
     "shards",
     {"reads", "95K", "writes", "5K", "node-reads", "20K", "node-writes", "10K",
      NULL},
     {{"shards_writes", 1, 0}, {"replicas", 10, 0}, {"nodes", 11, 0}}},
    /* The same without --node-writes (the seed's reading): 20K / 10K = 2
     * replicas, 15 nodes. */
    {"shards seed reading",
     "shards",
     {"data", "10TB", "node-storage", "2TB", "reads", "100K", "writes", "10K",
      "node-reads", "10K", NULL},
     {{"shards", 5, 0}, {"replicas", 2, 0}, {"nodes", 15, 0}}},
};

static void test_cases(void **state) {
  (void)state;
  for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
    const calc_case *k = &cases[i];
    capplan_buf err;
    capplan_buf_init(&err);
    capplan_calc *c = run(k->topic, k->argv, &err);
    if (!c)
      print_error("%s: %s\n", k->what, err.data ? err.data : "");
    capplan_buf_release(&err);
    assert_non_null(c);
    for (size_t j = 0; j < MAX_CHECKS && k->checks[j].name; j++) {
      const check *ck = &k->checks[j];
      double got = result_of(c, ck->name);
      double tol = ck->tol * fabs(ck->want);
      if (!(fabs(got - ck->want) <= tol)) {
        print_error("%s: %s = %.17g, want %.17g\n", k->what, ck->name, got,
                    ck->want);
        fail();
      }
    }
    capplan_calc_free(c);
  }
}

/* The working names the constraint that binds, and figures not asked for
 * are left out rather than reported as 0. */
static void test_binding(void **state) {
  (void)state;
  capplan_buf err;
  capplan_buf_init(&err);
  const char *disk[] = {"events", "300K", "size",     "1KB", "disk",
                        "10TB",   "nic",  "10Gbit/s", NULL};
  capplan_calc *c = run("kafka", disk, &err);
  assert_non_null(c);
  assert_non_null(strstr(step_result(c, "brokers"), "set by disk"));
  capplan_calc_free(c);
  const char *net[] = {"events", "1M",        "size", "1KB",  "consumers",
                       "3",      "retention", "1h",   "disk", "10TB",
                       "nic",    "10Gbit/s",  NULL};
  c = run("kafka", net, &err);
  assert_non_null(c);
  assert_non_null(strstr(step_result(c, "brokers"), "set by network"));
  capplan_calc_free(c);
  const char *cons[] = {"events",        "300K", "size", "100B",
                        "consumer-rate", "5K",   NULL};
  c = run("kafka", cons, &err);
  assert_non_null(c);
  assert_string_equal(step_result(c, "partitions"),
                      "60 partitions, set by the consumers");
  assert_false(has_result(c, "brokers"));
  assert_false(has_result(c, "brokers_disk"));
  capplan_calc_free(c);
  const char *cdn[] = {"streams", "10M", "bitrate", "5Mbit/s", NULL};
  c = run("cdn", cdn, &err);
  assert_non_null(c);
  assert_false(has_result(c, "origin_bytes_per_second"));
  capplan_calc_free(c);
  const char *sh[] = {"data", "10TB",      "node-storage", "2TB", "records",
                      "1B",   "per-shard", "100M",         NULL};
  c = run("shards", sh, &err);
  assert_non_null(c);
  assert_string_equal(step_result(c, "shards"),
                      "10 shards, set by the records");
  assert_false(has_result(c, "reads_per_second"));
  capplan_calc_free(c);
  capplan_buf_release(&err);
}

/* Bad input: each is refused with what is wrong. */
static void test_errors(void **state) {
  (void)state;
  static const struct {
    const char *topic;
    const char *argv[16];
    const char *says;
  } bad[] = {
      {"kafka", {"events", "300K", NULL}, "--events and --size are required"},
      {"kafka",
       {"events", "300K", "peak", "100K", "size", "1KB", NULL},
       "below the average"},
      {"kafka",
       {"events", "300K", "size", "1KB", "disk", "1TB", "utilization", "0%",
        NULL},
       "--utilization must be more than 0%"},
      {"kafka", {"events", "300K", "size", "10"}, "needs a unit"},
      {"cdn", {"streams", "10M", NULL}, "--streams and --bitrate are required"},
      {"cdn",
       {"streams", "10M", "bitrate", "5Mbit/s", "peak", "0.5", NULL},
       "--peak must be between 1 and 1e6"},
      {"cdn", {"streams", "10M", "bitrate", "5MB", NULL}, "takes a bandwidth"},
      {"cdn",
       {"streams", "10M", "bitrate", "5Mbit/s", "price", "$0.02", NULL},
       "takes a price per amount of data"},
      {"shards", {NULL}, "give --data with --node-storage"},
      {"shards",
       {"data", "10TB", NULL},
       "--data and --node-storage go together"},
      {"shards",
       {"records", "1B", NULL},
       "--records and --per-shard go together"},
      {"shards",
       {"qps", "100K", "read-share", "95%", "reads", "1K", NULL},
       "not both"},
      {"shards", {"qps", "100K", NULL}, "--qps and --read-share go together"},
      {"shards",
       {"qps", "100K", "read-share", "95%", NULL},
       "the reads need --node-reads"},
      {"shards",
       {"qps", "100K", "read-share", "100%", "node-reads", "20K", "node-writes",
        "5K", NULL},
       "--node-writes needs writes"},
      {"shards",
       {"reads", "1K", "writes", "10K", "node-reads", "1K", "node-writes", "5K",
        NULL},
       "fill a node"},
  };
  for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
    capplan_buf err;
    capplan_buf_init(&err);
    capplan_calc *c = run(bad[i].topic, bad[i].argv, &err);
    if (c || !err.data || !strstr(err.data, bad[i].says)) {
      print_error("case %zu (%s): got '%s', want '%s'\n", i, bad[i].topic,
                  err.data ? err.data : "(accepted)", bad[i].says);
      fail();
    }
    capplan_calc_free(c);
    capplan_buf_release(&err);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cases),
      cmocka_unit_test(test_binding),
      cmocka_unit_test(test_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

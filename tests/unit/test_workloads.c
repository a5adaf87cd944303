/*
 * test_workloads.c - the workload catalog (catalog/workloads.yaml,
 * workload.h): lookup and the figures seed 004 gives, every figure's
 * source, a --catalog file's workloads; and `kind:` in a spec: what a
 * stage inherits (as the same range a spec would write), what it
 * overrides, and unknown names.
 */
#include "helpers.h"

#include "catalog.h"
#include "dist.h"
#include "inputs.h"
#include "model.h"
#include "spec.h"
#include "workload.h"

static capplan_catalog *builtin(void) {
  capplan_buf err;
  capplan_buf_init(&err);
  capplan_catalog *c = catalog_builtin(&err);
  if (!c)
    print_error("%s\n", err.data ? err.data : "");
  capplan_buf_release(&err);
  assert_non_null(c);
  return c;
}

/* Seed 004's ballparks as the catalog holds them: name, field, low,
 * typical (0: none), high, in base units. */
static const struct {
  const char *name;
  size_t field;
  double low, typical, high;
} seed_figures[] = {
    {"redis", WL_LATENCY, 0.1e-3, 0, 1e-3},
    {"redis", WL_THROUGHPUT, 50e3, 100e3, 100e3},
    {"faiss-1m", WL_LATENCY, 2e-3, 0, 5e-3},
    {"faiss-1m", WL_THROUGHPUT, 2e3, 0, 8e3}, /* 1/5ms x 10, 1/2ms x 16 */
    {"faiss-100m", WL_LATENCY, 10e-3, 0, 20e-3},
    {"faiss-100m", WL_THROUGHPUT, 500, 1e3, 2e3},
    {"logistic-regression", WL_THROUGHPUT, 10e3, 0, 10e3},
    {"logistic-regression", WL_QPS_PER_SERVER, 100e3, 120e3, 160e3},
    {"xgboost", WL_LATENCY, 5e-3, 10e-3, 10e-3},
    {"xgboost", WL_THROUGHPUT, 1e3, 1.2e3, 3.2e3}, /* Example 1: 1,200 */
    {"xgboost-single", WL_THROUGHPUT, 1e3, 5e3, 5e3},
    {"bert-base", WL_THROUGHPUT, 100, 0, 500},
    {"dnn-100m", WL_LATENCY, 5e-3, 0, 20e-3},
    {"dnn-1b", WL_LATENCY, 50e-3, 0, 200e-3},
    {"dnn-1b", WL_THROUGHPUT, 50, 0, 100},
    {"llm", WL_LATENCY, 0.5, 0, 2},
    {"llm", WL_THROUGHPUT, 10, 0, 50},
    {"postgres-read", WL_THROUGHPUT, 19e3, 0, 20e3}, /* 100K x 95% / 5 */
    {"postgres-write", WL_THROUGHPUT, 5e3, 0, 10e3},
    {"kafka-broker", WL_THROUGHPUT, 100e3, 0, 1e6},
    {"kafka-broker", WL_LATENCY, 5e-3, 0, 5e-3},
    {"s3-get", WL_THROUGHPUT, 5.5e3, 0, 5.5e3},
};

static void test_catalog_lookup(void **state) {
  (void)state;
  capplan_catalog *c = builtin();
  size_t n;
  const wl_entry *list = workload_list(c, &n);
  assert_int_equal(n, 14);
  for (size_t i = 0; i < ARRAY_LEN(seed_figures); i++) {
    const wl_entry *e = workload_find(c, seed_figures[i].name);
    assert_non_null(e);
    const wl_range *r = &e->f[seed_figures[i].field];
    assert_true(r->set);
    expect_near(r->v[WL_LOW], seed_figures[i].low, 1e-12);
    expect_near(r->v[WL_HIGH], seed_figures[i].high, 1e-12);
    assert_int_equal(r->has[WL_TYPICAL], seed_figures[i].typical > 0);
    if (seed_figures[i].typical > 0)
      expect_near(r->v[WL_TYPICAL], seed_figures[i].typical, 1e-12);
  }
  size_t n_hw;
  const hw_entry *hw = catalog_hardware(&n_hw);
  for (size_t i = 0; i < n; i++) {
    const wl_entry *e = &list[i];
    /* Complete, every figure sourced, a server's throughput known. */
    assert_non_null(e->description);
    assert_non_null(e->per);
    assert_non_null(workload_server_range(e));
    for (size_t f = 0; f < WL_FIELDS; f++) {
      if (!e->f[f].set)
        continue;
      assert_true(e->f[f].source >= 0);
      const wl_source *s = &e->sources[e->f[f].source];
      assert_true((s->seed && s->section) || (s->url && s->read));
    }
    /* The hardware is a seed server; per GPU is per server only on a
     * one-GPU server, per core needs qps_per_server. */
    const hw_entry *h = NULL;
    for (size_t k = 0; e->hardware && k < n_hw; k++)
      if (!strcmp(hw[k].name, e->hardware))
        h = &hw[k];
    assert_true(!e->hardware || h);
    if (!strcmp(e->per, "gpu"))
      assert_true(h && h->gpus == 1);
    if (!strcmp(e->per, "core"))
      assert_true(e->f[WL_QPS_PER_SERVER].set && h && h->gpus == 0);
  }
  assert_null(workload_find(c, "xgbost"));
  assert_null(workload_find(c, NULL));
  /* The text a stage inherits. */
  char text[128];
  workload_range_text(workload_server_range(workload_find(c, "xgboost")), text,
                      sizeof text);
  assert_string_equal(text, "triangular(1K, 1.2K, 3.2K)");
  workload_range_text(&workload_find(c, "faiss-100m")->f[WL_LATENCY], text,
                      sizeof text);
  assert_string_equal(text, "10ms to 20ms");
  workload_range_text(&workload_find(c, "kafka-broker")->f[WL_LATENCY], text,
                      sizeof text);
  assert_string_equal(text, "5ms");
  workload_range_text(
      workload_server_range(workload_find(c, "logistic-regression")), text,
      sizeof text);
  assert_string_equal(text, "triangular(100K, 120K, 160K)");
  capplan_catalog_free(c);
}

/* Loads YAML and applies its kinds with the built-in catalog. */
typedef struct loaded {
  capplan_source *src;
  capplan_diags d;
  capplan_spec *spec;
} loaded;

static loaded load(const char *yaml) {
  loaded l;
  l.src = capplan_source_new("test.yaml", yaml, strlen(yaml));
  capplan_diags_init(&l.d, l.src);
  l.spec = capplan_spec_load(l.src, NULL, &l.d);
  if (l.spec)
    workload_apply(l.spec, NULL, &l.d);
  return l;
}

static void unload(loaded *l) {
  capplan_spec_free(l->spec);
  capplan_diags_release(&l->d);
  capplan_source_free(l->src);
}

static const spec_stage *spec_stage_named(const capplan_spec *s,
                                          const char *name) {
  for (size_t i = 0; i < s->n_stages; i++)
    if (!strcmp(s->stages[i].name.s, name))
      return &s->stages[i];
  fail();
  return NULL;
}

/* The same distribution, value for value. */
static void expect_same_snum(const snum *a, const snum *b) {
  assert_true(a->set && b->set && a->present && b->present);
  assert_true(a->v == b->v);
  assert_string_equal(a->text, b->text);
  assert_non_null(a->dist);
  assert_non_null(b->dist);
  assert_int_equal(a->dist->shape, b->dist->shape);
  assert_int_equal(a->dist->interval, b->dist->interval);
  assert_true(a->dist->a == b->dist->a && a->dist->b == b->dist->b &&
              a->dist->c == b->dist->c);
  assert_true(a->dist->lo == b->dist->lo && a->dist->hi == b->dist->hi);
}

static const char *two_rankers =
    "capplan: 1\n"
    "traffic: {qps: 30K}\n"
    "stages:\n"
    "  - name: inherited\n"
    "    kind: xgboost\n"
    "  - name: written\n"
    "    hardware: cpu-medium\n"
    "    latency: triangular(5ms, 10ms, 10ms)\n"
    "    qps_per_server: triangular(1K, 1.2K, 3.2K)\n";

static void test_inheritance(void **state) {
  (void)state;
  loaded l = load(two_rankers);
  assert_non_null(l.spec);
  assert_int_equal(l.d.errors, 0);
  const spec_stage *a = spec_stage_named(l.spec, "inherited");
  const spec_stage *b = spec_stage_named(l.spec, "written");
  /* Exactly what the spec would hold had it written the ranges. */
  expect_same_snum(&a->latency, &b->latency);
  expect_same_snum(&a->qps_per_server, &b->qps_per_server);
  assert_int_equal(a->qps_per_server.dist->shape, SHAPE_TRIANGULAR);
  /* The point value is the median: b - sqrt((b - a)(b - m) / 2) for a
   * mode below the middle = 3200 - sqrt(2200 x 2000 / 2) = 1716.7603. */
  expect_near(a->qps_per_server.v, 3200 - sqrt(2200.0 * 2000 / 2), 1e-12);
  expect_near(a->qps_per_server.v, 1716.7603, 1e-7);
  assert_string_equal(a->hardware.s, "cpu-medium");
  assert_true(a->inherited.latency && a->inherited.qps_per_server &&
              a->inherited.hardware);
  assert_string_equal(a->inherited.workload, "xgboost");
  assert_non_null(strstr(a->inherited.sources, "seed 004"));
  assert_false(b->inherited.workload != NULL);
  unload(&l);

  /* Through the pipeline: the same plan, and the inherited ranges are
   * uncertain inputs of Monte Carlo like the written ones. */
  run_result x = run_yaml(two_rankers);
  const treport *r = expect_report(&x);
  const tstage *ia = stage(r, "inherited"), *wa = stage(r, "written");
  expect_near(ia->qps_per_server, 1716.7603, 1e-7);
  assert_true(ia->servers == wa->servers && ia->latency == wa->latency);
  assert_true(ia->servers == ceil(30000 / (3200 - sqrt(2200.0 * 2000 / 2))));
  const uinputs *u = x.r->inputs;
  assert_non_null(u);
  assert_int_equal(u->n_ranged, 4);
  assert_non_null(uinputs_find(u, "stages.inherited.qps_per_server"));
  assert_non_null(uinputs_find(u, "stages.inherited.latency"));
  const mstage *ms = &x.r->model->stage[0];
  assert_string_equal(ms->workload, "xgboost");
  assert_int_equal(ms->inherits, MSTAGE_INHERITS_LATENCY | MSTAGE_INHERITS_QPS |
                                     MSTAGE_INHERITS_HARDWARE);
  run_free(&x);
}

static void test_override(void **state) {
  (void)state;
  loaded l = load("capplan: 1\n"
                  "traffic: {qps: 1K}\n"
                  "stages:\n"
                  "  - name: own-qps\n"
                  "    kind: xgboost\n"
                  "    qps_per_server: 2K\n"
                  "  - name: own-latency\n"
                  "    kind: bert-base\n"
                  "    latency: 15ms\n"
                  "  - name: own-model\n"
                  "    kind: xgboost\n"
                  "    batch: 1\n"
                  "    parallelism: 12\n"
                  "  - name: own-hardware\n"
                  "    kind: redis\n"
                  "    hardware: cpu-large\n"
                  "  - name: no-hardware\n"
                  "    kind: s3-get\n");
  assert_non_null(l.spec);
  assert_int_equal(l.d.errors, 0);
  const spec_stage *s = spec_stage_named(l.spec, "own-qps");
  assert_true(s->qps_per_server.v == 2000 && !s->qps_per_server.dist);
  assert_false(s->inherited.qps_per_server);
  assert_true(s->inherited.latency && s->latency.dist);
  s = spec_stage_named(l.spec, "own-latency");
  assert_true(s->latency.v == 0.015 && !s->latency.dist);
  assert_false(s->inherited.latency);
  assert_true(s->inherited.qps_per_server);
  /* bert-base's 100 to 500 per one-GPU server: lognormal, median
   * sqrt(100 x 500) = 223.6068. */
  expect_near(s->qps_per_server.v, sqrt(100.0 * 500), 1e-12);
  assert_string_equal(s->hardware.s, "gpu-v100");
  s = spec_stage_named(l.spec, "own-model");
  assert_false(s->qps_per_server.present);
  assert_false(s->inherited.qps_per_server);
  assert_true(s->inherited.latency);
  s = spec_stage_named(l.spec, "own-hardware");
  assert_string_equal(s->hardware.s, "cpu-large");
  assert_false(s->inherited.hardware);
  /* Redis's figures are for cpu-medium: said, not refused. */
  assert_int_equal(l.d.warnings, 1);
  expect_diag(&l.d, "stage 'own-hardware' inherits qps_per_server from kind "
                    "'redis', whose figures are for 'cpu-medium', but runs "
                    "on 'cpu-large'");
  s = spec_stage_named(l.spec, "no-hardware");
  assert_null(s->hardware.s);
  assert_true(s->qps_per_server.v == 5500 && !s->qps_per_server.dist);
  unload(&l);
}

static void test_unknown(void **state) {
  (void)state;
  static const struct {
    const char *kind, *message;
  } cases[] = {
      {"xgbost", "stage 'x' has unknown kind 'xgbost' (did you mean "
                 "'xgboost'?)"},
      {"faiss", "stage 'x' has unknown kind 'faiss' (did you mean "
                "'faiss-1m'?)"},
      {"zzzzzz", "stage 'x' has unknown kind 'zzzzzz'"},
  };
  for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
    char yaml[256];
    snprintf(yaml, sizeof yaml,
             "capplan: 1\ntraffic: {qps: 1K}\nstages:\n  - name: x\n"
             "    kind: %s\n",
             cases[i].kind);
    run_result x = run_yaml(yaml);
    assert_null(x.r);
    assert_int_equal(x.d.errors, 1);
    expect_diag(&x.d, cases[i].message);
    assert_int_equal(x.d.items[0].loc.line, 5);
    assert_int_equal(x.d.items[0].loc.col, 11);
    if (i == 2)
      assert_null(strstr(x.d.items[0].message, "did you mean"));
    run_free(&x);
  }
  /* Not a name at all: the loader refuses it. */
  run_result x = run_yaml("capplan: 1\ntraffic: {qps: 1K}\nstages:\n"
                          "  - name: x\n    kind: XGBoost\n");
  assert_null(x.r);
  expect_diag(&x.d, "invalid workload name 'XGBoost'");
  run_free(&x);
  /* Resolving a spec whose kinds were never applied is refused, not
   * sized on a latency of 0. */
  const char *text = "capplan: 1\ntraffic: {qps: 1K}\nstages:\n"
                     "  - name: x\n    kind: xgboost\n";
  capplan_source *src = capplan_source_new("t.yaml", text, strlen(text));
  capplan_diags d;
  capplan_diags_init(&d, src);
  capplan_spec *spec = capplan_spec_load(src, NULL, &d);
  assert_non_null(spec);
  assert_null(model_resolve(spec, &d));
  expect_diag(&d, "stage 'x' has kind 'xgboost', whose figures were not "
                  "applied");
  capplan_spec_free(spec);
  capplan_diags_release(&d);
  capplan_source_free(src);
  /* Without a kind, latency is still required. */
  x = run_yaml("capplan: 1\ntraffic: {qps: 1K}\nstages:\n"
               "  - name: x\n    qps_per_server: 1K\n");
  assert_null(x.r);
  expect_diag(&x.d, "has no 'latency'");
  run_free(&x);
}

static void test_catalog_file(void **state) {
  (void)state;
  const char *good = "capplan-catalog: 1\n"
                     "workloads:\n"
                     "  xgboost:\n"
                     "    throughput: {low: 2K, high: 4K}\n"
                     "  my-model:\n"
                     "    description: our ranker, load-tested\n"
                     "    hardware: cpu-large\n"
                     "    per: server\n"
                     "    latency: {low: 3ms, typical: 4ms, high: 8ms}\n"
                     "    throughput: {low: 3K, high: 3K}\n";
  capplan_source *src = capplan_source_new("mine.yaml", good, strlen(good));
  capplan_diags d;
  capplan_diags_init(&d, src);
  capplan_catalog *c = capplan_catalog_load(src, NULL, &d);
  assert_non_null(c);
  assert_int_equal(d.count, 0);
  const wl_entry *e = workload_find(c, "xgboost");
  assert_true(e->f[WL_THROUGHPUT].v[WL_LOW] == 2000);
  assert_int_equal(e->f[WL_THROUGHPUT].source, -1);
  assert_string_equal(e->f[WL_THROUGHPUT].file, "mine.yaml");
  assert_true(e->f[WL_LATENCY].source >= 0); /* kept, with its source */
  assert_non_null(workload_find(c, "my-model"));
  /* A spec resolved with it inherits the file's figures. */
  const char *spec_text = "capplan: 1\ntraffic: {qps: 1K}\nstages:\n"
                          "  - name: a\n    kind: my-model\n";
  capplan_source *spec_src =
      capplan_source_new("s.yaml", spec_text, strlen(spec_text));
  capplan_diags sd;
  capplan_diags_init(&sd, spec_src);
  capplan_run_opts opts = {NULL, NULL, false, c};
  capplan_report *r = capplan_run(spec_src, &opts, &sd);
  assert_non_null(r);
  assert_true(r->p->stage[0].qps_per_server == 3000);
  capplan_report_free(r);
  capplan_diags_release(&sd);
  capplan_source_free(spec_src);
  capplan_catalog_free(c);
  capplan_diags_release(&d);
  capplan_source_free(src);

  const char *bad = "capplan-catalog: 1\n"
                    "workloads:\n"
                    "  new-one:\n"
                    "    latency: {low: 5ms, high: 2ms}\n"
                    "    throughput: {low: 1K, hight: 2K}\n"
                    "  half:\n"
                    "    per: server\n"
                    "    latency: {low: 1ms, high: 2ms}\n"
                    "  odd:\n"
                    "    per: rack\n"
                    "    latency: {low: 1GB, high: 2ms}\n";
  src = capplan_source_new("bad.yaml", bad, strlen(bad));
  capplan_diags_init(&d, src);
  assert_null(capplan_catalog_load(src, NULL, &d));
  expect_diag(&d, "'latency' is out of order");
  expect_diag(&d, "unknown key 'hight' in a range (did you mean 'high'?)");
  expect_diag(&d, "workload 'half' has no 'throughput'");
  expect_diag(&d, "unknown 'per' value 'rack'");
  for (size_t i = 0; i < d.count; i++)
    assert_int_equal(d.items[i].severity, CAPPLAN_ERROR);
  capplan_diags_release(&d);
  capplan_source_free(src);
}

/* The `sources:` reader the workloads share with the accelerators,
 * instances and models (catalog_read_sources): each kind keeps its own
 * keys and figures.  A key written twice in a catalog file - `sources`,
 * a figure, a dtype of `flops`, a section - is an error at the second,
 * never a silent override (a second `sources:` once wrote past the
 * first's array). */
static void test_sources(void **state) {
  (void)state;
  const char *good = "capplan-catalog: 1\n"
                     "accelerators:\n"
                     "  t4:\n"
                     "    price: $0.6/hour\n"
                     "    sources:\n"
                     "      - {url: https://a, read: 2026-01-01, fields: []}\n"
                     "      - {url: https://c, read: 2026-01-01, "
                     "fields: [price]}\n"
                     "workloads:\n"
                     "  redis:\n"
                     "    latency: {low: 1ms, high: 3ms}\n"
                     "    sources:\n"
                     "      - {seed: \"004\", section: a, fields: []}\n"
                     "      - {url: https://d, read: 2026-01-01, "
                     "fields: [latency]}\n";
  capplan_source *src = capplan_source_new("good.yaml", good, strlen(good));
  capplan_diags d;
  capplan_diags_init(&d, src);
  capplan_catalog *c = capplan_catalog_load(src, NULL, &d);
  assert_non_null(c);
  assert_int_equal(d.count, 0);
  /* After the built-in entry's own sources. */
  const cat_entry *t4 = catalog_find(c, CAT_ACCELERATOR, "t4");
  assert_true(t4->n_sources >= 2);
  size_t base = t4->n_sources - 2;
  assert_string_equal(t4->sources[base].url, "https://a");
  assert_string_equal(t4->sources[base + 1].url, "https://c");
  assert_int_equal(t4->f[ACC_PRICE].source, (long)(base + 1));
  const wl_entry *redis = workload_find(c, "redis");
  assert_true(redis->n_sources >= 2);
  base = redis->n_sources - 2;
  assert_string_equal(redis->sources[base].seed, "004");
  assert_string_equal(redis->sources[base + 1].url, "https://d");
  assert_int_equal(redis->f[WL_LATENCY].source, (long)(base + 1));
  capplan_catalog_free(c);
  capplan_diags_release(&d);
  capplan_source_free(src);

  const char *twice = "capplan-catalog: 1\n"
                      "accelerators:\n"
                      "  t4:\n"
                      "    price: $0.6/hour\n"
                      "    price: $0.7/hour\n"
                      "    flops: {fp16: 65TFLOPS, fp16: 60TFLOPS}\n"
                      "    sources:\n"
                      "      - {url: https://a, read: 2026-01-01, "
                      "url: https://b}\n"
                      "    sources:\n"
                      "      - {url: https://c, read: 2026-01-01}\n"
                      "workloads:\n"
                      "  redis:\n"
                      "    latency: {low: 1ms, high: 3ms, low: 2ms}\n"
                      "    sources:\n"
                      "      - {seed: \"004\", section: a, fields: []}\n"
                      "    sources:\n"
                      "      - {url: https://d, read: 2026-01-01}\n"
                      "accelerators: {}\n";
  src = capplan_source_new("twice.yaml", twice, strlen(twice));
  capplan_diags_init(&d, src);
  assert_null(capplan_catalog_load(src, NULL, &d));
  expect_diag(&d, "duplicate key 'price' in accelerator 't4'");
  expect_diag(&d, "duplicate key 'fp16' in 'flops'");
  expect_diag(&d, "duplicate key 'url' in a source");
  expect_diag(&d, "duplicate key 'sources' in accelerator 't4'");
  expect_diag(&d, "duplicate key 'low' in a range");
  expect_diag(&d, "duplicate key 'sources' in workload 'redis'");
  expect_diag(&d, "duplicate key 'accelerators' in the catalog file");
  assert_int_equal(d.count, 7);
  capplan_diags_release(&d);
  capplan_source_free(src);

  const char *bad = "capplan-catalog: 1\n"
                    "accelerators:\n"
                    "  t4:\n"
                    "    price: $0.6/hour\n"
                    "    sources:\n"
                    "      - {seed: \"004\", ield: [], fields: [flops]}\n"
                    "workloads:\n"
                    "  redis:\n"
                    "    latency: {low: 1ms, high: 3ms}\n"
                    "    sources:\n"
                    "      - {url: http://e, ield: [], fields: [flops]}\n";
  src = capplan_source_new("bad.yaml", bad, strlen(bad));
  capplan_diags_init(&d, src);
  assert_null(capplan_catalog_load(src, NULL, &d));
  /* An accelerator's source is a page: no seed, and told of the url and
   * of the date; "flops" names its every flops.X. */
  expect_diag(&d, "unknown key 'seed' in a source");
  expect_diag(&d, "unknown key 'ield' in a source (did you mean 'fields'?)");
  expect_diag(&d, "a source needs an https 'url'");
  expect_diag(&d, "a source needs the date it was 'read'");
  /* A workload's may be a seed; no suggestion from a part of a key. */
  expect_diag(&d, "a source needs an https 'url' or a 'seed'");
  expect_diag(&d, "unknown key 'ield' in a source");
  expect_diag(&d, "a source names unknown field 'flops'");
  assert_int_equal(d.count, 7);
  capplan_diags_release(&d);
  capplan_source_free(src);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_catalog_lookup), cmocka_unit_test(test_inheritance),
      cmocka_unit_test(test_override),       cmocka_unit_test(test_unknown),
      cmocka_unit_test(test_catalog_file),   cmocka_unit_test(test_sources),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

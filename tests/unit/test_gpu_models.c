/*
 * test_gpu_models.c - the accelerator models wired into specs: the
 * catalog (built-in and --catalog files), `batching:`, `work:` and
 * `llm:` stages, the batch stage's fill time, slo.ttft and slo.tpot, and
 * the calc topics on the same functions.
 *
 * Reference values: FORMULAS.md 4b's seed check (5K QPS, 10 ms window,
 * 200 ms per batch of 50: 20 accelerators at 100%, 21 at 20/21); issue
 * 10's batch of 64 at 1,667 requests/s per GPU waiting 38 ms to fill;
 * FORMULAS.md 6's Llama-2-7B on A100-80GB at batch 1, at least 6.61 ms a
 * token; the catalog's own figures (the files under catalog/).  The LLM stage's
 * figures are checked against llm.c called directly, which
 * test_llm.c and test_llm_validation.c check against published ones.
 */
#include "helpers.h"

#include "calc.h"
#include "catalog.h"
#include "llm.h"
#include "tp.h"

/* ------------------------------------------------------------ catalog */

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

static void test_catalog_builtin(void **state) {
  (void)state;
  capplan_catalog *c = builtin();
  assert_int_equal(c->n[CAT_ACCELERATOR], 11);
  assert_true(c->n[CAT_INSTANCE] >= 6);
  assert_int_equal(c->n[CAT_MODEL], 11);
  /* Every figure of every entry names a source with an https URL and a
   * read date, or is one no public source gives. */
  for (int k = 0; k < CAT_KINDS; k++)
    for (size_t i = 0; i < c->n[k]; i++) {
      const cat_entry *e = &c->e[k][i];
      for (size_t f = 0; f < cat_n_fields((enum cat_kind)k); f++) {
        if (!e->f[f].set)
          continue;
        if (e->f[f].source < 0)
          print_error("%s.%s has no source\n", e->name,
                      cat_field_key((enum cat_kind)k, f));
        assert_true(e->f[f].source >= 0);
        const cat_source *s = &e->sources[e->f[f].source];
        assert_true(!strncmp(s->url, "https://", 8));
        assert_non_null(s->read);
        assert_true((e->not_published >> f & 1) == 0);
      }
    }
  const cat_entry *h = catalog_find(c, CAT_ACCELERATOR, "h100-sxm");
  assert_non_null(h);
  double v;
  /* Dense, decimal: 3.35 TB/s, 989.4 TFLOPS, $6.88 an hour. */
  assert_true(cat_get(h, ACC_MEMORY_BANDWIDTH, &v) && v == 3.35e12);
  assert_true(cat_get(h, ACC_FLOPS + DT_BF16, &v) && v == 989.4e12);
  assert_true(cat_get(h, ACC_PRICE, &v));
  expect_near(v, 6.88 * 8760, 1e-12);
  assert_false(cat_get(h, ACC_FLOPS + DT_FP4, &v));
  const cat_entry *a10g = catalog_find(c, CAT_ACCELERATOR, "a10g");
  assert_true(a10g->not_published >> (ACC_FLOPS + DT_FP16) & 1);
  assert_true(catalog_find(c, CAT_ACCELERATOR, "mi300x")->not_published >>
                  ACC_PRICE &
              1);
  const cat_entry *p5 = catalog_find(c, CAT_INSTANCE, "p5.48xlarge");
  assert_non_null(p5);
  assert_string_equal(p5->accelerator, "h100-sxm");
  assert_true(cat_get(p5, INST_ACCELERATORS, &v) && v == 8);
  const cat_entry *m = catalog_find(c, CAT_MODEL, "llama-3.1-8b");
  assert_true(cat_get(m, MOD_KV_HEADS, &v) && v == 8);
  assert_null(catalog_find(c, CAT_MODEL, "llama-3.1-8B"));
  capplan_catalog_free(c);
}

/* A --catalog file: an override keeps the other figures and the new
 * price's place; a new entry must be complete; errors are located. */
static void test_catalog_file(void **state) {
  (void)state;
  const char *good = "capplan-catalog: 1\n"
                     "accelerators:\n"
                     "  h100-sxm:\n"
                     "    price: $2.10/hour\n"
                     "  my-gpu:\n"
                     "    memory: 32GB\n"
                     "    memory_bandwidth: 1TB/s\n"
                     "    flops: {fp16: 100TFLOPS}\n"
                     "instances:\n"
                     "  big.box: {accelerator: my-gpu, accelerators: 4, "
                     "price: $4/hour}\n";
  capplan_source *src = capplan_source_new("mine.yaml", good, strlen(good));
  capplan_diags d;
  capplan_diags_init(&d, src);
  capplan_catalog *c = capplan_catalog_load(src, NULL, &d);
  assert_non_null(c);
  assert_int_equal(d.count, 0);
  const cat_entry *h = catalog_find(c, CAT_ACCELERATOR, "h100-sxm");
  double v;
  assert_true(cat_get(h, ACC_PRICE, &v));
  expect_near(v, 2.10 * 8760, 1e-12);
  assert_int_equal(h->f[ACC_PRICE].source, -1);
  assert_string_equal(h->f[ACC_PRICE].file, "mine.yaml");
  assert_int_equal(h->f[ACC_PRICE].loc.line, 4);
  assert_true(cat_get(h, ACC_MEMORY_BANDWIDTH, &v) && v == 3.35e12);
  assert_true(h->f[ACC_MEMORY_BANDWIDTH].source >= 0);
  assert_non_null(catalog_find(c, CAT_INSTANCE, "big.box"));
  capplan_catalog_free(c);
  capplan_diags_release(&d);
  capplan_source_free(src);

  const char *bad = "capplan-catalog: 1\n"
                    "accelerators:\n"
                    "  x1:\n"
                    "    memory: 32GB\n"
                    "    bandwidth: 1TB/s\n"
                    "instances:\n"
                    "  y.1: {accelerator: x2, accelerators: 2}\n"
                    "models:\n"
                    "  m: {params: 7GB}\n";
  src = capplan_source_new("bad.yaml", bad, strlen(bad));
  capplan_diags_init(&d, src);
  assert_null(capplan_catalog_load(src, NULL, &d));
  expect_diag(&d, "unknown key 'bandwidth' in accelerator 'x1' (did you "
                  "mean 'memory_bandwidth'?)");
  expect_diag(&d, "new accelerator 'x1' has no 'memory_bandwidth'");
  expect_diag(&d, "instance 'y.1' names unknown accelerator 'x2'");
  expect_diag(&d, "'params' takes a count, not a size in bytes");
  for (size_t i = 0; i < d.count; i++)
    assert_true(d.items[i].loc.line > 0);
  capplan_diags_release(&d);
  capplan_source_free(src);
}

/* ---------------------------------------------------------- batching */

/* The seed's batching at TARGET utilization, with EXTRA batching keys. */
static run_result run_seed(const char *target, const char *extra) {
  char text[1024];
  snprintf(text, sizeof text,
           "capplan: 1\n"
           "traffic: {qps: 5K}\n"
           "stages:\n"
           "  - name: dnn\n"
           "    hardware: gpu-v100\n"
           "    utilization: %s\n"
           "    batching: {window: 10ms, time: {base: 200ms}%s}\n",
           target, extra);
  return run_yaml(text);
}

static void test_seed_batching(void **state) {
  (void)state;
  /* FORMULAS.md 4b: b = 50, 20 accelerators busy; 20 at 100%, 21 at
   * 20/21; a request waits the 10 ms window, then 200 ms. */
  static const struct {
    const char *target;
    double gpus;
  } rows[] = {{"100%", 20}, {"95.24%", 21}, {"80%", 25}};
  for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
    run_result x = run_seed(rows[i].target, "");
    const treport *r = expect_report(&x);
    const tstage *s = stage(r, "dnn");
    assert_true(s->tp_source == TP_DYNBATCH);
    expect_near(s->batch, 50, 1e-12);
    expect_near(s->plan->tp.busy, 20, 1e-12);
    expect_near(s->gpus, rows[i].gpus, 0);
    expect_near(s->latency, 0.210, 1e-12);
    expect_near(s->plan->form, 0.010, 1e-12);
    run_free(&x);
  }
  /* max_batch 32 fills first: (32 - 1) / 5,000 = 6.2 ms, 31.25 busy. */
  run_result x = run_seed("100%", ", max_batch: 32");
  const tstage *s = stage(expect_report(&x), "dnn");
  expect_near(s->batch, 32, 1e-12);
  expect_near(s->plan->form, 31.0 / 5000, 1e-12);
  expect_near(s->gpus, 32, 0);
  run_free(&x);
}

/* Per-accelerator batchers: capacity max_batch / t(max_batch) each;
 * 5K/s with t(b) = 20 ms + 2 ms x b and max_batch 50: 50 / 120 ms = 416.7
 * a second each, 12 at 100%; each then gathers b = rate_a x 20 ms / (1 -
 * rate_a x 2 ms) at rate_a = 416.7: 47.6. */
static void test_per_accelerator(void **state) {
  (void)state;
  run_result x =
      run_yaml("capplan: 1\n"
               "traffic: {qps: 5K}\n"
               "stages:\n"
               "  - name: dnn\n"
               "    hardware: gpu-v100\n"
               "    batching: {window: 1ms, max_batch: 50, scope: "
               "per-accelerator,\n"
               "               time: {base: 20ms, per_item: 2ms}}\n");
  const tstage *s = stage(expect_report(&x), "dnn");
  expect_near(s->qps_per_server, 50 / 0.120, 1e-12);
  expect_near(s->gpus, 12, 0);
  double ra = 5000.0 / 12;
  expect_near(s->batch, ra * 0.020 / (1 - ra * 0.002), 1e-12);
  /* The first request waits for the batch in progress, t(b). */
  expect_near(s->plan->form, s->plan->tp.batch_time, 1e-12);
  run_free(&x);
}

/* Issue 10: a batch of 64 at 1,667 requests/s per GPU waits (64 - 1) /
 * 1,667 = 38 ms to fill, which a batch stage's latency now counts. */
static void test_batch_fill(void **state) {
  (void)state;
  run_result x = run_yaml("capplan: 1\n"
                          "traffic: {qps: 5K}\n"
                          "stages:\n"
                          "  - name: dnn\n"
                          "    hardware: gpu-v100\n"
                          "    batch: 64\n"
                          "    latency: 38.4ms\n");
  const tstage *s = stage(expect_report(&x), "dnn");
  expect_near(s->gpus, 3, 0);
  double per_gpu = 5000.0 / 3;
  expect_near(s->plan->form, 63 / per_gpu, 1e-12);
  assert_true(s->plan->form > 0.0377 && s->plan->form < 0.0379);
  expect_near(s->latency, 0.0384 + 63 / per_gpu, 1e-12);
  run_free(&x);
  /* A batch of 1 waits for nothing. */
  x = run_yaml("capplan: 1\ntraffic: {qps: 5K}\nstages:\n"
               "  - {name: dnn, hardware: gpu-v100, latency: 10ms}\n");
  s = stage(expect_report(&x), "dnn");
  expect_near(s->latency, 0.010, 1e-12);
  run_free(&x);
}

/* ----------------------------------------------------------- roofline */

static void test_roofline(void **state) {
  (void)state;
  /* On an L4 (121 TFLOPS fp16, 300 GB/s): 20 GFLOP and 2 MB an item,
   * 400 MB a batch.  A fixed batch of 8: compute 8 x 20e9 / (121e12 x
   * 0.72) = 1.837 ms, memory (400e6 + 16e6) / (300e9 x 0.685) = 2.024 ms:
   * memory-bound, 8 / 2.024 ms per GPU. */
  run_result x = run_yaml("capplan: 1\n"
                          "traffic: {qps: 2K}\n"
                          "stages:\n"
                          "  - name: r\n"
                          "    hardware: l4\n"
                          "    batch: 8\n"
                          "    work: {flops_per_item: 20GFLOP, "
                          "bytes_per_batch: 400MB, bytes_per_item: 2MB}\n");
  const tstage *s = stage(expect_report(&x), "r");
  double t = (400e6 + 16e6) / (300e9 * ROOFLINE_DEFAULT_MBU);
  expect_near(s->plan->tp.batch_time, t, 1e-12);
  assert_int_equal(s->plan->tp.bound, ROOFLINE_MEMORY);
  expect_near(s->qps_per_server, 8 / t, 1e-12);
  run_free(&x);
  /* The same work batched by a window: 2K/s x 20 ms = 40 items, now
   * compute-bound (40 x 20e9 / (121e12 x 0.72) = 9.18 ms against 6.73). */
  x = run_yaml("capplan: 1\n"
               "traffic: {qps: 2K}\n"
               "stages:\n"
               "  - name: r\n"
               "    hardware: l4\n"
               "    batching: {window: 20ms}\n"
               "    mfu: 50%\n"
               "    work: {flops_per_item: 20GFLOP, bytes_per_batch: 400MB, "
               "bytes_per_item: 2MB}\n");
  s = stage(expect_report(&x), "r");
  expect_near(s->batch, 40, 1e-12);
  expect_near(s->plan->tp.batch_time, 40 * 20e9 / (121e12 * 0.5), 1e-12);
  assert_int_equal(s->plan->tp.bound, ROOFLINE_COMPUTE);
  expect_near(s->latency, 0.020 + s->plan->tp.batch_time, 1e-12);
  run_free(&x);
}

/* `work:` with per-accelerator batchers whose count a p99 objective
 * raises: every figure is the final count's (FORMULAS.md 4b), as for a
 * `batching:` stage.  On an L4 (300 GB/s) 200 MB a batch and 10 MB an
 * item are memory-bound at any batch (compute 2 GFLOP an item is far
 * below): t(b) = (200e6 + 10e6 b) / (300e9 x mbu), a line.  At n GPUs
 * each gathers b = rate_a base / (1 - rate_a per_item), rate_a = 5K / n,
 * and a request waits for the batch in progress (up to t(b)) then t(b):
 * p99 about 1.99 t(b), 2.205 ms at n = 2 and 2.108 ms at n = 3 (the
 * throughput needs 1), so 2.15 ms takes 3. */
static void test_roofline_per_accelerator_count(void **state) {
  (void)state;
  run_result x = run_yaml("capplan: 1\n"
                          "traffic: {qps: 5K}\n"
                          "stages:\n"
                          "  - name: enc\n"
                          "    hardware: l4\n"
                          "    utilization: 50%\n"
                          "    slo: {latency_p99: 2.15ms}\n"
                          "    work: {flops_per_item: 2GFLOP, bytes_per_batch: "
                          "200MB, bytes_per_item: 10MB}\n"
                          "    batching: {window: 0.1ms, max_batch: 64, scope: "
                          "per-accelerator}\n");
  const tstage *s = stage(expect_report(&x), "enc");
  expect_near(s->gpus, 3, 0);
  double bw = 300e9 * ROOFLINE_DEFAULT_MBU;
  double base = 200e6 / bw, per_item = 10e6 / bw, ra = 5000.0 / 3;
  double b = ra * base / (1 - ra * per_item), t = base + per_item * b;
  expect_near(s->batch, b, 1e-9);
  expect_near(s->plan->tp.batch_time, t, 1e-9);
  assert_int_equal(s->plan->tp.bound, ROOFLINE_MEMORY);
  /* The wait for the batch in progress, t(b), on the request path... */
  expect_near(s->plan->form, t, 1e-9);
  expect_near(s->latency, 2 * t, 1e-9);
  /* ...and in the queue the percentiles come from. */
  const queue_plan *q = &s->plan->queue;
  assert_true(q->own_batcher);
  expect_near(q->job, b, 1e-9);
  expect_near(q->service, t, 1e-9);
  expect_near(q->form, t, 1e-9);
  /* 5K/s over 3 x 64 / t(64) of capacity */
  expect_near(q->utilization, 5000.0 / 3 * (base + per_item * 64) / 64, 1e-9);
  assert_true(q->pct[PCT_P99] <= 0.00215);
  run_free(&x);
}

/* ---------------------------------------------------------------- llm */

static const char *const chat =
    "capplan: 1\n"
    "traffic: {qps: 40}\n"
    "slo: {ttft: 1s, tpot: 50ms}\n"
    "stages:\n"
    "  - name: chat\n"
    "    hardware: p5en.48xlarge\n"
    "    llm: {model: llama-3.1-70b, prompt_tokens: 1500, output_tokens: 300,\n"
    "          tp: 4}\n";

static void test_llm_stage(void **state) {
  (void)state;
  run_result x = run_yaml(chat);
  const treport *r = expect_report(&x);
  const tstage *s = stage(r, "chat");
  const tp_out *t = &s->plan->tp;
  /* The same replica through llm.c directly: Llama 3.1 70B (catalog
   * dimensions), H200 (141 GB, 4.8 TB/s, 989.4 TFLOPS, 900 GB/s). */
  llm_model m = {70.55e9, 70.55e9, 80, 8192, 64, 8, 128, 0, 0};
  llm_gpu g = {989.4e12, 4.8e12, 141e9, 900e9, 63.296 * 8760 / 8 / 31536000};
  llm_config c;
  llm_config_init(&c);
  c.prompt_tokens = 1500, c.output_tokens = 300, c.tp = 4;
  c.tpot_target = 0.050;
  llm_result want;
  assert_int_equal(llm_evaluate(&m, &g, &c, &want), LLM_OK);
  expect_near(t->batch, want.batch, 0);
  expect_near(t->llm->tpot, want.tpot, 1e-12);
  assert_true(t->llm->tpot <= 0.050);
  /* Two replicas of tp 4 in an 8-GPU instance. */
  expect_near(t->replicas_per_server, 2, 0);
  expect_near(s->qps_per_server, 2 * want.requests_per_second, 1e-12);
  expect_near(s->servers_raw, 40 / (2 * want.requests_per_second), 1e-12);
  /* TTFT: llm.c's plus half the decode step in flight. */
  expect_near(t->ttft, want.ttft + want.decode.seconds / 2, 1e-12);
  /* The time a request holds its slot, B / X(B). */
  expect_near(s->latency, want.slot_seconds, 1e-12);
  /* Checks: slo.ttft and slo.tpot on the stage's figures. */
  assert_int_equal(r->n_checks, 2);
  expect_near(r->checks[0].actual, t->ttft * 1000, 1e-12);
  expect_near(r->checks[1].actual, t->llm->tpot * 1000, 1e-12);
  assert_true(r->passed);
  /* KV cache: the batch is below what the cache holds, so it does not
   * bind. */
  const pool_plan *pp = &s->plan->pool;
  assert_true(pp->applies & (1u << CON_KV_CACHE));
  assert_true(pp->by[CON_KV_CACHE] < pp->by[CON_THROUGHPUT]);
  expect_near(pp->by[CON_KV_CACHE],
              pp->by[CON_THROUGHPUT] * want.batch / want.memory.max_concurrency,
              1e-12);
  run_free(&x);
}

static void test_llm_errors(void **state) {
  (void)state;
  /* 141 GB of fp16 weights on one 80 GB H100: a clear error naming the
   * memory, where the llm is. */
  run_result x = run_yaml("capplan: 1\n"
                          "traffic: {qps: 4}\n"
                          "stages:\n"
                          "  - name: chat\n"
                          "    hardware: h100-sxm\n"
                          "    llm: {model: llama-3.1-70b, prompt_tokens: "
                          "100, output_tokens: 10}\n");
  assert_null(x.r);
  expect_diag(&x.d, "weights (141.1 GB) do not fit in the memory of a "
                    "replica on 'h100-sxm' (72 GB)");
  assert_int_equal(x.d.items[0].loc.line, 6);
  run_free(&x);
  /* fp8 weights (70.55 GB) fit in 72 GB. */
  x = run_yaml("capplan: 1\n"
               "traffic: {qps: 4}\n"
               "stages:\n"
               "  - name: chat\n"
               "    hardware: h100-sxm\n"
               "    llm: {model: llama-3.1-70b, dtype: fp8, prompt_tokens: "
               "100, output_tokens: 10}\n");
  expect_report(&x);
  run_free(&x);
  /* An objective no batch meets: the stage is unmet, its check fails. */
  x = run_yaml("capplan: 1\n"
               "traffic: {qps: 4}\n"
               "slo: {tpot: 1ms}\n"
               "stages:\n"
               "  - name: chat\n"
               "    hardware: h100-sxm\n"
               "    llm: {model: llama-3.1-8b, prompt_tokens: 100, "
               "output_tokens: 10}\n");
  const treport *r = expect_report(&x);
  assert_int_equal(stage(r, "chat")->plan->status, PLAN_UNMET);
  assert_false(r->passed);
  expect_diag(&x.d, "misses its LLM objectives");
  run_free(&x);
}

/* A spec's hardware may name a catalog accelerator (its figures, and its
 * price per GPU), override a catalog entry's price, and hold dots. */
static void test_spec_hardware(void **state) {
  (void)state;
  run_result x = run_yaml("capplan: 1\n"
                          "traffic: {qps: 10}\n"
                          "hardware:\n"
                          "  my.box: {accelerator: h100-sxm, gpus: 2}\n"
                          "  h200-sxm: {cost: $3/hour}\n"
                          "stages:\n"
                          "  - name: a\n"
                          "    hardware: my.box\n"
                          "    llm: {model: llama-3.1-8b, prompt_tokens: 100, "
                          "output_tokens: 10}\n"
                          "  - name: b\n"
                          "    hardware: h200-sxm\n"
                          "    llm: {model: llama-3.1-8b, prompt_tokens: 100, "
                          "output_tokens: 10}\n");
  const treport *r = expect_report(&x);
  const tstage *a = stage(r, "a"), *b = stage(r, "b");
  expect_near(a->cost_per_year / a->servers, 2 * 6.88 * 8760, 1e-12);
  expect_near(a->plan->tp.replicas_per_server, 2, 0);
  expect_near(b->cost_per_year / b->servers, 3 * 8760.0, 1e-12);
  run_free(&x);
}

/* --------------------------------------------------------------- calc */

static capplan_calc *calc(const char *topic, const char *const *argv,
                          size_t n) {
  capplan_calc_arg args[16];
  for (size_t i = 0; i < n; i++) {
    args[i].name = argv[2 * i];
    args[i].values = &argv[2 * i + 1];
    args[i].n_values = 1;
  }
  capplan_buf err;
  capplan_buf_init(&err);
  capplan_calc *c = capplan_calc_run(topic, args, n, &err);
  if (!c)
    print_error("calc %s: %s\n", topic, err.data ? err.data : "");
  capplan_buf_release(&err);
  assert_non_null(c);
  return c;
}

static double result_of(const capplan_calc *c, const char *name) {
  for (size_t i = 0; i < c->n_results; i++)
    if (!strcmp(c->results[i].name, name))
      return c->results[i].value;
  print_error("no result '%s'\n", name);
  fail();
  return 0;
}

static void test_calc_topics(void **state) {
  (void)state;
  /* FORMULAS.md 6: Llama-2-7B's 13.48 GB at 2,039 GB/s >= 6.61 ms. */
  const char *roof[] = {"bytes",         "13.48GB", "gpu",
                        "a100-sxm-80gb", "mbu",     "100%"};
  capplan_calc *c = calc("roofline", roof, 3);
  expect_near(result_of(c, "seconds"), 13.48e9 / 2039e9, 1e-12);
  assert_true(result_of(c, "seconds") >= 0.00661);
  capplan_calc_free(c);
  /* FORMULAS.md 6: Llama-3.1-8B fp16, 128 KiB a token, 0.125 GiB per
   * 1,024 tokens. */
  const char *kv[] = {"model", "llama-3.1-8b", "tokens", "1024"};
  c = calc("kv-cache", kv, 2);
  assert_true(result_of(c, "bytes_per_token") == 131072);
  assert_true(result_of(c, "bytes_per_sequence") == 0.125 * 1073741824.0);
  capplan_calc_free(c);
  /* calc llm gives the figures of the llm stage on the same hardware. */
  const char *llm[] = {"model",  "llama-3.1-70b",
                       "gpu",    "p5en.48xlarge",
                       "prompt", "1500",
                       "output", "300",
                       "tp",     "4",
                       "tpot",   "50ms"};
  c = calc("llm", llm, 6);
  run_result x = run_yaml(chat);
  const tstage *s = stage(expect_report(&x), "chat");
  expect_near(result_of(c, "batch"), s->batch, 0);
  expect_near(result_of(c, "ttft"), s->plan->tp.ttft, 1e-12);
  expect_near(result_of(c, "tpot"), s->plan->tp.llm->tpot, 1e-12);
  run_free(&x);
  capplan_calc_free(c);
}

/* calc batch advises a spec that gives its own figures, latency with the
 * window included (issue 10: it used to advise one that left it out). */
static void test_calc_batch_advice(void **state) {
  (void)state;
  const char *args[] = {"qps", "5K", "window", "10ms", "time", "200ms"};
  capplan_calc *c = calc("batch", args, 3);
  const char *note = c->working->notes.items[0].text;
  const char *start = strstr(note, "'batching: ");
  assert_non_null(start);
  const char *end = strchr(start + 1, '\'');
  char spec[512];
  snprintf(spec, sizeof spec,
           "capplan: 1\ntraffic: {qps: 5K}\nstages:\n"
           "  - name: dnn\n    hardware: gpu-v100\n    %.*s\n",
           (int)(end - start - 1), start + 1);
  run_result x = run_yaml(spec);
  const tstage *s = stage(expect_report(&x), "dnn");
  expect_near(s->gpus, result_of(c, "gpus"), 0);
  expect_near(s->latency, result_of(c, "latency"), 1e-12);
  run_free(&x);
  capplan_calc_free(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_catalog_builtin),
      cmocka_unit_test(test_catalog_file),
      cmocka_unit_test(test_seed_batching),
      cmocka_unit_test(test_per_accelerator),
      cmocka_unit_test(test_batch_fill),
      cmocka_unit_test(test_roofline),
      cmocka_unit_test(test_roofline_per_accelerator_count),
      cmocka_unit_test(test_llm_stage),
      cmocka_unit_test(test_llm_errors),
      cmocka_unit_test(test_spec_hardware),
      cmocka_unit_test(test_calc_topics),
      cmocka_unit_test(test_calc_batch_advice),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

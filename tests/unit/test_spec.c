/*
 * test_spec.c - the spec loader: values in base units, the spec's name,
 * anchors and aliases, duplicate keys, YAML errors with positions, and
 * the input limits.
 */
#include "helpers.h"

#include "spec.h"

typedef struct loaded {
  capplan_source *src;
  capplan_diags d;
  capplan_spec *spec;
} loaded;

static loaded load(const char *path, const char *yaml,
                   const capplan_limits *lim) {
  loaded l;
  l.src = capplan_source_new(path, yaml, strlen(yaml));
  capplan_diags_init(&l.d, l.src);
  l.spec = capplan_spec_load(l.src, lim, &l.d);
  return l;
}

static void unload(loaded *l) {
  capplan_spec_free(l->spec);
  capplan_diags_release(&l->d);
  capplan_source_free(l->src);
}

#define MINI "capplan: 1\ntraffic: {qps: 30K}\n"

static void test_values(void **state) {
  (void)state;
  loaded l = load("dir/my-spec.yaml",
                  MINI "slo: {latency: 150ms, availability: 99.95%}\n"
                       "budget: {cost: $4M/year}\n"
                       "stages:\n"
                       "  - name: a\n"
                       "    latency: 20ms\n"
                       "    qps_per_server: 1.5K\n"
                       "    share: 60%\n"
                       "    after: []\n",
                  NULL);
  assert_non_null(l.spec);
  assert_string_equal(l.spec->name.s, "my-spec"); /* from the file name */
  assert_true(l.spec->traffic.qps.v == 30000);
  assert_true(l.spec->slo.latency.v == 0.15);
  assert_true(l.spec->slo.availability.v == 0.9995);
  assert_true(l.spec->budget.cost.v == 4e6);
  assert_int_equal(l.spec->n_stages, 1);
  const spec_stage *st = &l.spec->stages[0];
  assert_true(st->latency.v == 0.02);
  assert_true(st->qps_per_server.v == 1500);
  assert_true(st->share.v == 0.6);
  assert_true(st->after.set);
  assert_int_equal(st->after.n, 0);
  assert_int_equal(st->latency.loc.line, 7);
  assert_int_equal(st->latency.loc.col, 14);
  unload(&l);

  l = load("-", MINI "stages: [{name: a, latency: 1ms}]\n", NULL);
  assert_string_equal(l.spec->name.s, "stdin");
  unload(&l);
}

static bool all_zero(const void *p, size_t n) {
  const unsigned char *b = p;
  for (size_t i = 0; i < n; i++)
    if (b[i])
      return false;
  return true;
}

/* A stage that writes no optional section reads the shared unset ones;
 * one that writes a section has its own, and the shared ones stay zero. */
static void test_sections(void **state) {
  (void)state;
  loaded l = load("a.yaml",
                  MINI "stages:\n"
                       "  - {name: plain, latency: 2ms}\n"
                       "  - name: cached\n"
                       "    latency: 2ms\n"
                       "    cache_hit: 80%\n"
                       "    cache: {qps_per_server: 50K, latency: 1ms}\n"
                       "    slo: {latency_p99: 30ms}\n"
                       "  - name: gpu\n"
                       "    batching: {window: 5ms, time: {base: 20ms}}\n"
                       "  - name: llm\n"
                       "    llm: {model: llama-3.1-8b, prompt_tokens: 1500,\n"
                       "          output_tokens: 300}\n"
                       "  - name: roof\n"
                       "    work: {flops_per_item: 2GFLOP}\n",
                  NULL);
  assert_non_null(l.spec);
  assert_int_equal(l.spec->n_stages, 5);
  const spec_stage *st = l.spec->stages;
  assert_ptr_equal(st[0].cache, &spec_no_cache);
  assert_ptr_equal(st[0].slo, &spec_no_stage_slo);
  assert_ptr_equal(st[0].batching, &spec_no_batching);
  assert_ptr_equal(st[0].work, &spec_no_work);
  assert_ptr_equal(st[0].llm, &spec_no_llm);
  assert_false(st[0].cache->set || st[0].slo->set || st[0].batching->set ||
               st[0].work->set || st[0].llm->set);
  assert_ptr_not_equal(st[1].cache, &spec_no_cache);
  assert_true(st[1].cache->set && st[1].cache->qps_per_server.v == 50000);
  assert_true(st[1].slo->set && st[1].slo->pct.latency_p99.v == 0.03);
  assert_ptr_equal(st[1].batching, &spec_no_batching);
  assert_true(st[2].batching->set && st[2].batching->time.base.v == 0.02);
  assert_ptr_equal(st[2].cache, &spec_no_cache);
  assert_true(st[3].llm->set);
  assert_string_equal(st[3].llm->model_name.s, "llama-3.1-8b");
  assert_true(st[4].work->set && st[4].work->flops_per_item.v == 2e9);
  assert_ptr_equal(st[4].llm, &spec_no_llm);
  unload(&l);
  /* Loading wrote nothing into the shared ones. */
  assert_true(all_zero(&spec_no_cache, sizeof spec_no_cache));
  assert_true(all_zero(&spec_no_stage_slo, sizeof spec_no_stage_slo));
  assert_true(all_zero(&spec_no_batching, sizeof spec_no_batching));
  assert_true(all_zero(&spec_no_work, sizeof spec_no_work));
  assert_true(all_zero(&spec_no_llm, sizeof spec_no_llm));
}

static void test_aliases(void **state) {
  (void)state;
  loaded l = load("a.yaml",
                  MINI "x-common: &lat 20ms\n"
                       "stages: [{name: a, latency: *lat}]\n",
                  NULL);
  /* x-common is an unknown key: aliases work, unknown keys do not. */
  assert_null(l.spec);
  expect_diag(&l.d, "unknown key 'x-common'");
  unload(&l);

  l = load("a.yaml",
           MINI "stages:\n"
                "  - {name: a, latency: &lat 20ms}\n"
                "  - {name: b, latency: *lat}\n",
           NULL);
  assert_non_null(l.spec);
  assert_true(l.spec->stages[1].latency.v == 0.02);
  unload(&l);
}

static void test_errors_have_places(void **state) {
  (void)state;
  loaded l = load("e.yaml",
                  MINI "stages:\n"
                       "  - name: a\n"
                       "    latency: 20ms\n"
                       "    latency: 30ms\n"
                       "    sharee: 50%\n",
                  NULL);
  assert_null(l.spec);
  assert_int_equal(l.d.errors, 2);
  expect_diag(&l.d, "duplicate key 'latency' in stage 'a'");
  expect_diag(&l.d, "unknown key 'sharee' in stage 'a' (did you mean "
                    "'share'?)");
  capplan_diags_sort(&l.d);
  assert_int_equal(l.d.items[0].loc.line, 6);
  assert_int_equal(l.d.items[0].loc.col, 5);
  assert_int_equal(l.d.items[1].loc.line, 7);
  unload(&l);

  /* An unclosed bracket is reported where it opens, not where YAML
   * noticed (the end of the file). */
  l = load("s.yaml", MINI "stages: [a, b\n", NULL);
  assert_null(l.spec);
  expect_diag(&l.d, "this '[' is never closed");
  assert_int_equal(l.d.items[0].loc.line, 3);
  assert_int_equal(l.d.items[0].loc.col, 9);
  unload(&l);

  /* Other syntax errors keep libyaml's words. */
  l = load("s.yaml", MINI "stages: *\n", NULL);
  assert_null(l.spec);
  expect_diag(&l.d, "invalid YAML");
  unload(&l);
}

static void test_limits(void **state) {
  (void)state;
  capplan_limits lim = capplan_limits_default();
  lim.max_depth = 4;
  loaded l = load("d.yaml", MINI "stages: [[[[[1]]]]]\n", &lim);
  assert_null(l.spec);
  expect_diag(&l.d, "the spec nests too deeply");
  unload(&l);

  lim = capplan_limits_default();
  lim.max_stages = 2;
  l = load("n.yaml",
           MINI "stages: [{name: a, latency: 1ms}, {name: b, latency: 1ms}, "
                "{name: c, latency: 1ms}]\n",
           &lim);
  assert_null(l.spec);
  expect_diag(&l.d, "too many stages");
  unload(&l);

  /* Billion laughs: nine levels of ten aliases would expand to 1e9
   * nodes; it is refused by the node limit without expanding anything. */
  capplan_buf y;
  capplan_buf_init(&y);
  capplan_buf_puts(&y, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
  for (int i = 1; i < 10; i++)
    capplan_buf_printf(&y,
                       "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, "
                       "*a%d, *a%d, *a%d]\n",
                       i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1,
                       i - 1, i - 1, i - 1);
  l = load("laughs.yaml", y.data, NULL);
  assert_null(l.spec);
  expect_diag(&l.d, "too many YAML nodes");
  unload(&l);
  capplan_buf_release(&y);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_values),  cmocka_unit_test(test_sections),
      cmocka_unit_test(test_aliases), cmocka_unit_test(test_errors_have_places),
      cmocka_unit_test(test_limits),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

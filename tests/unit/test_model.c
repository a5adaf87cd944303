/*
 * test_model.c - resolution of a spec into the model: `after` resolution
 * and defaults, join kinds, deterministic topological order, cycles,
 * hardware resolution, throughput models, settings inherited from groups
 * and defaults, and colocation groups (SPEC.md sections 2, 5 and 6).
 */
#include "helpers.h"

#include <stdlib.h>

#include "model.h"
#include "spec.h"
#include "tp.h"

typedef struct built {
  capplan_source *src;
  capplan_diags d;
  capplan_spec *spec;
  capplan_model *g;
} built;

static built build(const char *yaml) {
  built b;
  b.src = capplan_source_new("test.yaml", yaml, strlen(yaml));
  capplan_diags_init(&b.d, b.src);
  b.spec = capplan_spec_load(b.src, NULL, &b.d);
  b.g = b.spec ? model_resolve(b.spec, &b.d) : NULL;
  return b;
}

static void release(built *b) {
  model_free(b->g);
  capplan_spec_free(b->spec);
  capplan_diags_release(&b->d);
  capplan_source_free(b->src);
}

static const capplan_model *expect_graph(built *b) {
  if (!b->g) {
    capplan_buf out;
    capplan_buf_init(&out);
    capplan_diags_render(&b->d, false, &out);
    print_error("unexpected diagnostics:\n%s", out.data ? out.data : "");
    capplan_buf_release(&out);
    fail();
  }
  return b->g;
}

static const char *hw_name(const capplan_model *g, size_t i) {
  return g->hw[g->stage[i].hw].name;
}

static const hw_in *hw_of(const capplan_model *g, size_t i) {
  return &g->base.hw[g->stage[i].hw];
}

/* What one server of stage I does, by its throughput model. */
static tp_out tp_of(const capplan_model *g, size_t i) {
  tp_out out;
  const mstage *ms = &g->stage[i];
  tp_ops_of(ms->tp.kind)
      ->eval(&ms->tp, &g->base.stage[i], stage_gpu(g, &g->base, i), hw_of(g, i),
             0, &out);
  return out;
}

/* The names of the stages in topological order, comma-separated. */
static void expect_order(const capplan_model *g, const char *want) {
  capplan_buf s;
  capplan_buf_init(&s);
  for (size_t k = 0; k < g->n_stages; k++)
    capplan_buf_printf(&s, "%s%s", k ? "," : "", g->stage[g->order[k]].name);
  if (strcmp(s.data, want)) {
    print_error("order: expected %s, got %s\n", want, s.data);
    fail();
  }
  capplan_buf_release(&s);
}

#define HEAD "capplan: 1\ntraffic: {qps: 1K}\nstages:\n"
#define STAGE(extra) "  - {latency: 1ms, qps_per_server: 100, " extra "}\n"

static void test_default_after(void **state) {
  (void)state;
  built b = build(HEAD STAGE("name: a") STAGE("name: b") STAGE("name: c"));
  const capplan_model *g = expect_graph(&b);
  assert_int_equal(g->stage[0].n_parents, 0);
  assert_int_equal(g->stage[1].n_parents, 1);
  assert_int_equal(g->stage[1].parents[0], 0);
  assert_int_equal(g->stage[2].parents[0], 1);
  expect_order(g, "a,b,c");
  release(&b);
}

static void test_order_and_joins(void **state) {
  (void)state;
  /* A stage listed before its upstream moves after it; otherwise spec
   * order is kept, so the order is deterministic. */
  built b = build(HEAD STAGE("name: x, after: [z, y], join: any")
                      STAGE("name: z, after: []") STAGE("name: y, after: []")
                          STAGE("name: w, after: x"));
  const capplan_model *g = expect_graph(&b);
  expect_order(g, "z,y,x,w");
  assert_true(g->stage[0].join_any);
  assert_int_equal(g->stage[0].n_parents, 2);
  assert_false(g->stage[3].join_any);
  release(&b);

  /* A wide fan-out and fan-in. */
  b = build(HEAD STAGE("name: root") STAGE("name: b1, after: root")
                STAGE("name: b2, after: root") STAGE("name: b3, after: root")
                    STAGE("name: sink, after: [b3, b1, b2]"));
  g = expect_graph(&b);
  expect_order(g, "root,b1,b2,b3,sink");
  assert_false(g->stage[4].join_any); /* join: all by default */
  release(&b);
}

static void test_cycles(void **state) {
  (void)state;
  /* Through default links: a after c, b after a, c after b. */
  built b =
      build(HEAD STAGE("name: a, after: c") STAGE("name: b") STAGE("name: c"));
  assert_null(b.g);
  expect_diag(&b.d, "stages form a cycle: a -> b -> c -> a");
  release(&b);

  /* Two separate cycles are both reported; a stage downstream of one is
   * not reported again. */
  b = build(HEAD STAGE("name: p, after: q") STAGE("name: q, after: p")
                STAGE("name: r, after: s") STAGE("name: s, after: r")
                    STAGE("name: t, after: s"));
  assert_null(b.g);
  expect_diag(&b.d, "p -> q -> p");
  expect_diag(&b.d, "r -> s -> r");
  assert_int_equal(b.d.errors, 2);
  release(&b);
}

static void test_link_errors(void **state) {
  (void)state;
  built b = build(HEAD STAGE("name: candidates") STAGE("name: ranker, after: "
                                                       "candidate")
                      STAGE("name: self, after: self")
                          STAGE("name: twice, after: [candidates, "
                                "candidates]") STAGE("name: ranker"));
  assert_null(b.g);
  expect_diag(&b.d, "stage 'ranker' is after unknown stage 'candidate' "
                    "(did you mean 'candidates'?)");
  expect_diag(&b.d, "stage 'self' is after itself");
  expect_diag(&b.d, "'after' lists 'candidates' twice");
  expect_diag(&b.d, "duplicate stage name 'ranker'");
  assert_int_equal(b.d.errors, 4);
  release(&b);
}

static void test_hardware(void **state) {
  (void)state;
  /* A catalog entry keeps its other fields when the spec overrides one;
   * a new entry needs a cost; defaults.hardware applies to the rest. */
  built b = build("capplan: 1\ntraffic: {qps: 1K}\n"
                  "defaults: {hardware: cpu-large}\n"
                  "hardware:\n"
                  "  gpu-a100: {cost: $2/hour}\n"
                  "  tpu: {cost: $1K/month, gpus: 8, cores: 96}\n"
                  "stages:\n" STAGE("name: a, hardware: gpu-a100")
                      STAGE("name: b, hardware: tpu") STAGE("name: c"));
  const capplan_model *g = expect_graph(&b);
  assert_string_equal(hw_name(g, 0), "gpu-a100");
  assert_true(hw_of(g, 0)->cost_per_year == 17520);
  assert_true(hw_of(g, 0)->gpus == 1);
  assert_true(hw_of(g, 0)->cores == 32);
  assert_true(hw_of(g, 1)->cost_per_year == 12000);
  assert_true(hw_of(g, 1)->gpus == 8);
  assert_string_equal(hw_name(g, 2), "cpu-large");
  release(&b);

  b = build("capplan: 1\ntraffic: {qps: 1K}\nhardware: {tpu: {gpus: 8}}\n"
            "stages:\n" STAGE("name: a, hardware: tpu")
                STAGE("name: b, hardware: gpu-a10"));
  assert_null(b.g);
  expect_diag(&b.d, "hardware 'tpu' is not in the catalog and has no 'cost'");
  expect_diag(&b.d, "unknown hardware 'gpu-a10' (did you mean 'gpu-a100'?)");
  release(&b);

  /* With no defaults.hardware, stages run on cpu-medium (seed 004). */
  b = build(HEAD STAGE("name: a"));
  assert_string_equal(hw_name(expect_graph(&b), 0), "cpu-medium");
  release(&b);
}

/* Parallelism from cores and bound (seed 004 factors: 12/16 per core for
 * CPU-bound, 6/16 memory-bound, 100/16 I/O-bound). */
static void test_bound(void **state) {
  (void)state;
  built b = build(HEAD "  - {name: c, latency: 10ms, bound: cpu}\n"
                       "  - {name: m, latency: 10ms, bound: memory, "
                       "hardware: cpu-large}\n"
                       "  - {name: i, latency: 10ms, bound: io, hardware: "
                       "cpu-small}\n");
  const capplan_model *g = expect_graph(&b);
  assert_true(tp_of(g, 0).parallelism == 12);
  assert_true(tp_of(g, 1).parallelism == 12); /* 32 x 6/16 */
  assert_true(tp_of(g, 2).parallelism == 25); /* 4 x 100/16 */
  expect_near(tp_of(g, 0).per_server, 1200, 1e-12);
  release(&b);

  /* 'bound' is about CPU cores: refused on GPU hardware (SPEC.md 6). */
  b = build("capplan: 1\ntraffic: {qps: 1K}\n"
            "hardware: {gpu: {gpus: 1, cost: $1/hour}}\nstages:\n"
            "  - {name: a, latency: 10ms, bound: cpu, hardware: gpu}\n");
  assert_null(b.g);
  expect_diag(&b.d, "'bound' does not apply to GPU hardware 'gpu'");
  release(&b);

  b = build("capplan: 1\ntraffic: {qps: 1K}\n"
            "hardware: {box: {cost: $1/hour}}\nstages:\n"
            "  - {name: a, latency: 10ms, bound: cpu, hardware: box}\n");
  assert_null(b.g);
  expect_diag(&b.d, "'bound' needs the cores of hardware 'box'");
  release(&b);
}

static void test_groups(void **state) {
  (void)state;
  built b = build("capplan: 1\ntraffic: {qps: 1K}\n"
                  "defaults: {headroom: 10%}\n"
                  "groups: {pool: {utilization: 90%}}\n"
                  "stages:\n" STAGE("name: a, colocate: pool") STAGE("name: b")
                      STAGE("name: c, colocate: pool, "
                            "utilization: 50%"));
  const capplan_model *g = expect_graph(&b);
  assert_int_equal(g->n_groups, 1);
  assert_string_equal(g->group[0].name, "pool");
  assert_int_equal(g->group[0].n_members, 2);
  assert_true(g->base.group[0].utilization == 0.9);
  assert_true(g->base.group[0].headroom == 0.1);        /* from defaults */
  assert_true(g->base.stage[2].pol.utilization == 0.9); /* the group's */
  assert_true(g->base.stage[1].pol.utilization == 1);   /* default */
  assert_true(g->base.stage[1].pol.headroom == 0.1);    /* defaults' */
  assert_int_equal(g->stage[1].group, -1);
  /* A warning: c's own utilization does not apply. */
  assert_int_equal(b.d.warnings, 1);
  expect_diag(&b.d, "whose 'utilization' applies instead");
  release(&b);

  /* Settings for a group no stage joins are an error: most often the
   * group's name is misspelt and its settings would silently not apply. */
  b = build("capplan: 1\ntraffic: {qps: 1K}\n"
            "groups: {shard: {utilization: 80%}}\n"
            "stages:\n" STAGE("name: a, colocate: shared"));
  assert_null(b.g);
  expect_diag(&b.d, "group 'shard' has no stages (did you mean 'shared'?)");
  release(&b);

  b = build(HEAD STAGE("name: a, colocate: pool")
                STAGE("name: b, colocate: pool, hardware: gpu-v100"));
  assert_null(b.g);
  expect_diag(&b.d, "stage 'b' runs on 'gpu-v100' but group 'pool' runs on "
                    "'cpu-medium'");
  release(&b);
}

/* A 100,000-stage chain: no recursion, linear work, the right order. */
static void test_long_chain(void **state) {
  (void)state;
  capplan_buf y;
  capplan_buf_init(&y);
  capplan_buf_puts(&y, HEAD);
  const size_t n = 100000;
  for (size_t i = 0; i < n; i++)
    capplan_buf_printf(&y,
                       "  - {name: s%zu, latency: 1us, qps_per_server: "
                       "1M}\n",
                       i);
  built b = build(y.data);
  const capplan_model *g = expect_graph(&b);
  assert_int_equal(g->n_stages, n);
  for (size_t k = 0; k < n; k++)
    assert_int_equal(g->order[k], k);
  release(&b);
  capplan_buf_release(&y);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_default_after),
      cmocka_unit_test(test_order_and_joins),
      cmocka_unit_test(test_cycles),
      cmocka_unit_test(test_link_errors),
      cmocka_unit_test(test_hardware),
      cmocka_unit_test(test_bound),
      cmocka_unit_test(test_groups),
      cmocka_unit_test(test_long_chain),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_llm_stage.c - an `llm:` stage in a plan (src/model/tp_llm.c on
 * llm.c): one time per request for its latency on the path, its queue's
 * service time and its percentiles (B / X(B), the time a request holds
 * its sequence slot), and its cost per million output tokens both at full
 * load (FORMULAS.md 6b) and at the plan's average load.
 *
 * The spec is the LLM stage of specs/gallery-rag-chatbot.yaml alone:
 * Llama 3.1 8B fp16 on an A100 SXM 40GB at $2/hour, 1,500 prompt and 200
 * output tokens, slo.tpot 50 ms; 1M users x 5 requests a day at 3x peak
 * (173.6 QPS at peak, 57.87 on average), 20% headroom and one spare:
 * 46 GPUs, $805,920 a year.
 */
#include "helpers.h"

#include <cJSON.h>

#include "llm.h"

#define SECONDS_PER_YEAR 31536000.0

static const char *const rag_llm =
    "capplan: 1\n"
    "traffic: {dau: 1M, requests_per_user: 5/day, peak_to_average: 3}\n"
    "slo: {tpot: 50ms}\n"
    "defaults: {headroom: 20%, redundancy: 1}\n"
    "hardware:\n"
    "  gpu-a100: {accelerator: a100-sxm-40gb, cost: $2/hour}\n"
    "stages:\n"
    "  - name: llm\n"
    "    hardware: gpu-a100\n"
    "    llm: {model: llama-3.1-8b, prompt_tokens: 1500, output_tokens: 200}\n";

/* Stage LLM's index in the model. */
static size_t index_of(const capplan_report *r, const char *name) {
  for (size_t i = 0; i < r->model->n_stages; i++)
    if (!strcmp(r->model->stage[i].name, name))
      return i;
  fail_msg("no stage '%s'", name);
  return 0;
}

/* Whether R's table report holds TEXT. */
static bool table_says(const capplan_report *r, const char *text) {
  capplan_buf b;
  capplan_buf_init(&b);
  assert_int_equal(
      capplan_render(CAPPLAN_VIEW_REPORT, CAPPLAN_FORMAT_TABLE, r, NULL, &b),
      0);
  bool found = strstr(b.data, text) != NULL;
  capplan_buf_release(&b);
  return found;
}

/* R's JSON report, parsed (free with cJSON_Delete), and its first
 * stage's "llm" object in *LLM. */
static cJSON *report_json(const capplan_report *r, const cJSON **llm) {
  capplan_buf b;
  capplan_buf_init(&b);
  assert_int_equal(
      capplan_render(CAPPLAN_VIEW_REPORT, CAPPLAN_FORMAT_JSON, r, NULL, &b), 0);
  cJSON *j = cJSON_Parse(b.data);
  capplan_buf_release(&b);
  assert_non_null(j);
  const cJSON *st = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "stages"), 0);
  *llm = cJSON_GetObjectItem(st, "llm");
  assert_non_null(*llm);
  return j;
}

static void test_one_time_per_request(void **state) {
  (void)state;
  run_result x = run_yaml(rag_llm);
  const treport *v = expect_report(&x);
  const tstage *s = stage(v, "llm");
  const tp_out *t = &s->plan->tp;
  const llm_result *l = t->llm;
  const queue_plan *q = &s->plan->queue;
  /* The figures docs/examples.md prints for this stage. */
  expect_near(t->batch, 47, 0);
  expect_near(s->servers, 46, 0);
  /* The time a request holds its slot: B / X(B), Little's law. */
  double hold = t->batch / l->requests_per_second;
  expect_near(l->slot_seconds, hold, 1e-12);
  assert_true(fabs(hold - 10.030) < 0.0005);
  /* One figure for the stage's latency (the critical path) and its
   * queue's service time. */
  expect_near(s->latency, hold, 1e-12);
  expect_near(q->service, hold, 1e-12);
  expect_near(v->latency, hold, 1e-12);
  /* Little's law per server, as explain states it: throughput x latency
   * = the slots a server has (replicas x B). */
  expect_near(t->per_server * s->latency, t->replicas_per_server * t->batch,
              1e-12);
  /* Its decomposition: its share of a prefill, then o steps at TPOT. */
  expect_near(s->latency, l->prefill_batch.seconds / t->batch + 200 * l->tpot,
              1e-12);
  /* At 80.5% of 2,162 slots nobody waits to speak of, so the constant
   * service is every percentile of the stage, and the end to end of a
   * one-stage plan is the stage's (to the 0.1% of the grid it is taken
   * on; TTFT + 199 x TPOT would be 0.34% below): all equal to the
   * critical path's latency. */
  assert_true(q->stable && q->p_wait < 1e-4);
  assert_true(x.r->plan->pct_known);
  for (int k = 0; k < PCT_COUNT; k++) {
    expect_near(q->pct[k], s->latency, 1e-9);
    expect_near(x.r->plan->pct[k], v->latency, 1e-3);
  }
  run_free(&x);
}

static void test_cost_per_token_at_load(void **state) {
  (void)state;
  run_result x = run_yaml(rag_llm);
  const treport *v = expect_report(&x);
  const tstage *s = stage(v, "llm");
  const llm_result *l = s->plan->tp.llm;
  size_t i = index_of(x.r, "llm");
  /* Full load (FORMULAS.md 6b): a replica's cost per second over its
   * output tokens per second, every slot busy: $0.59. */
  expect_near(l->usd_per_m_output,
              2.0 / 3600 * 1e6 / l->output_tokens_per_second, 1e-12);
  assert_true(fabs(l->usd_per_m_output - 0.5929) < 0.0005);
  /* At the plan's load: the stage's cost per year over the output tokens
   * of a year at the average rate, $805,920 / (57.87 x 200 x 31,536,000)
   * x 1e6 = $2.21, beside the plan's $476.67 per million requests. */
  expect_near(s->cost_per_year, 805920, 1e-12);
  expect_near(v->average_qps, 1e6 * 5 / 86400, 1e-12);
  double at = x.r->plan->stage[i].usd_per_m_output_at_load;
  expect_near(at, 805920 / (v->average_qps * 200 * SECONDS_PER_YEAR) * 1e6,
              1e-12);
  assert_true(fabs(at - 2.208) < 0.0005);
  /* It is the cost per million requests over the tokens of a request
   * when the stage is the plan's only cost. */
  expect_near(at, v->cost_per_million / 200, 1e-12);

  /* The report says which is which. */
  assert_true(table_says(x.r, "$0.59 per million output tokens at full "
                              "load, $2.21 at the average load"));
  const cJSON *lj;
  cJSON *j = report_json(x.r, &lj);
  expect_near(
      cJSON_GetObjectItem(lj, "cost_per_million_output_tokens")->valuedouble,
      l->usd_per_m_output, 1e-12);
  expect_near(cJSON_GetObjectItem(lj, "cost_per_million_output_tokens_at_load")
                  ->valuedouble,
              at, 1e-12);
  cJSON_Delete(j);
  run_free(&x);

  /* Without an average rate (qps only) there is no figure at load. */
  x = run_yaml("capplan: 1\n"
               "traffic: {qps: 100}\n"
               "hardware:\n"
               "  gpu-a100: {accelerator: a100-sxm-40gb, cost: $2/hour}\n"
               "stages:\n"
               "  - name: llm\n"
               "    hardware: gpu-a100\n"
               "    llm: {model: llama-3.1-8b, prompt_tokens: 1500,\n"
               "          output_tokens: 200}\n");
  expect_report(&x);
  assert_true(x.r->plan->stage[0].usd_per_m_output_at_load < 0);
  assert_true(x.r->plan->stage[0].tp.llm->usd_per_m_output > 0);
  run_free(&x);
}

/* A spec of one llm stage on HW with the llm section LLM. */
static run_result run_llm(const char *hw, const char *llm) {
  char text[1024];
  snprintf(text, sizeof text,
           "capplan: 1\n"
           "traffic: {qps: 10}\n"
           "stages:\n"
           "  - name: chat\n"
           "    hardware: %s\n"
           "    llm: %s\n",
           hw, llm);
  return run_yaml(text);
}

/* prompt + output tokens beyond the model's window (catalog max_context
 * or the spec's own) is an error; exactly the window is not. */
static void test_context_window(void **state) {
  (void)state;
  static const struct {
    const char *llm;
    int error;
  } cases[] = {
      {"{model: llama-2-7b, prompt_tokens: 30000, output_tokens: 2000}", 1},
      {"{model: llama-2-7b, prompt_tokens: 3000, output_tokens: 1097}", 1},
      {"{model: llama-2-7b, prompt_tokens: 3000, output_tokens: 1096}", 0},
      {"{model: llama-3.1-8b, prompt_tokens: 30000, output_tokens: 2000}", 0},
      {"{model: {params: 7B, layers: 32, hidden: 4096, heads: 32, "
       "kv_heads: 32, head_dim: 128, max_context: 2048}, prompt_tokens: "
       "2000, output_tokens: 49}",
       1},
      {"{model: {params: 7B, layers: 32, hidden: 4096, heads: 32, "
       "kv_heads: 32, head_dim: 128, max_context: 2048}, prompt_tokens: "
       "2000, output_tokens: 48}",
       0},
      {"{model: {params: 7B, layers: 32, hidden: 4096, heads: 32, "
       "kv_heads: 32, head_dim: 128}, prompt_tokens: 30000, "
       "output_tokens: 2000}",
       0},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    run_result x = run_llm("h100-sxm", cases[k].llm);
    if (cases[k].error) {
      assert_null(x.r);
      expect_diag(&x.d, "exceed the context window");
    } else {
      expect_report(&x);
      assert_false(has_diag(&x.d, "context window"));
    }
    run_free(&x);
  }
}

/* tp must split the model's heads evenly (an error naming the valid tp
 * values); a tp that does not divide the server's GPUs charges the idle
 * ones to the tokens: Llama 2 13B (40 heads) at tp 5 on a p5.48xlarge
 * ($55.04/hour, 8 H100s) is one replica a server, 3 GPUs idle. */
static void test_tp_heads_and_idle_gpus(void **state) {
  (void)state;
  run_result x = run_llm("p5.48xlarge", "{model: llama-3.1-70b, "
                                        "prompt_tokens: 1000, "
                                        "output_tokens: 200, tp: 3}");
  assert_null(x.r);
  expect_diag(&x.d, "64 attention heads (8 key-value heads) do not split");
  run_free(&x);

  static const struct {
    double tp, replicas;
  } cases[] = {{5, 1}, {4, 2}, {8, 1}};
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    char llm[160];
    snprintf(llm, sizeof llm,
             "{model: llama-2-13b, prompt_tokens: 1000, output_tokens: 200, "
             "tp: %g}",
             cases[k].tp);
    x = run_llm("p5.48xlarge", llm);
    const treport *v = expect_report(&x);
    const tp_out *t = &stage(v, "chat")->plan->tp;
    const llm_result *l = t->llm;
    expect_near(t->replicas_per_server, cases[k].replicas, 0);
    double tokens = t->per_server * 200; /* a server's, at full load */
    expect_near(l->output_tokens_per_second_per_gpu, tokens / 8, 1e-12);
    expect_near(l->usd_per_m_output, 55.04 / 3600 * 1e6 / tokens, 1e-9);
    /* The split still adds up to the whole cost per request. */
    expect_near(l->usd_per_m_input_split * 1000 / 1e6 +
                    l->usd_per_m_output_split * 200 / 1e6,
                l->usd_per_m_output * 200 / 1e6, 1e-9);
    run_free(&x);
  }
}

/* One output token in a plan: h100-sxm, Llama 3.1 8B, 500 prompt tokens,
 * 100 QPS.  slo.tpot does not apply (a warning, no check, the batch is
 * not cut to 2 by a TPOT that does not exist); the latency on the path
 * and the queue's service time are B / X = t_pre(B) + t_dec(B); TTFT is
 * the fixed work and t_pre(B), the prefill its token comes out of; JSON
 * keeps tpot_ms as null. */
static void test_one_output_token(void **state) {
  (void)state;
  run_result x = run_yaml("capplan: 1\n"
                          "traffic: {qps: 100}\n"
                          "slo: {tpot: 20ms}\n"
                          "stages:\n"
                          "  - name: chat\n"
                          "    hardware: h100-sxm\n"
                          "    llm: {model: llama-3.1-8b, prompt_tokens: 500, "
                          "output_tokens: 1}\n");
  const treport *v = expect_report(&x);
  expect_diag(&x.d, "slo.tpot does not apply to stage 'chat'");
  const tstage *s = stage(v, "chat");
  const tp_out *t = &s->plan->tp;
  const llm_result *l = t->llm;
  assert_int_equal(l->has_tpot, 0);
  expect_near(t->batch, 256, 0);
  expect_near(s->latency, l->slot_seconds, 1e-12);
  expect_near(s->plan->queue.service, l->slot_seconds, 1e-12);
  expect_near(l->slot_seconds, l->prefill_batch.seconds + l->decode.seconds,
              1e-12);
  expect_near(t->ttft, LLM_DEFAULT_REQUEST_OVERHEAD + l->prefill_batch.seconds,
              1e-12);
  for (size_t k = 0; k < x.r->n_limits; k++)
    assert_int_not_equal(x.r->limits[k].kind, CAPPLAN_CHECK_TPOT);
  assert_true(table_says(x.r, "TPOT n/a"));
  const cJSON *lj;
  cJSON *j = report_json(x.r, &lj);
  const cJSON *tp = cJSON_GetObjectItem(lj, "tpot_ms");
  assert_non_null(tp);
  assert_true(cJSON_IsNull(tp));
  cJSON_Delete(j);
  run_free(&x);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_one_time_per_request),
      cmocka_unit_test(test_cost_per_token_at_load),
      cmocka_unit_test(test_context_window),
      cmocka_unit_test(test_tp_heads_and_idle_gpus),
      cmocka_unit_test(test_one_output_token),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

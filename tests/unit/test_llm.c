/*
 * test_llm.c - the LLM serving model (src/model/llm.c) against the
 * reference values of FORMULAS.md sections 6 and 6b and the KV-cache
 * table of Hugging Face's Llama 3.1 post
 * (https://huggingface.co/blog/llama31, "Inference Memory Requirements"),
 * plus hand-computed cases for every other figure: memory and B_max, the
 * model that does not fit, tensor-parallel all-reduces, prefill and
 * decode, throughput, TPOT (against FORMULAS.md 6b's shorthand) and the
 * batch a TPOT target allows, the time a request holds its slot, cost per
 * token, mixture-of-experts, and bad inputs.
 *
 * Model dimensions are the models' public configs: Llama 2 7B 6.74e9
 * parameters, 32 layers, 32 (KV) heads of 128; Llama 3.1 8B 8.03e9, 32
 * layers, 32 heads, 8 KV heads; 70B 70.55e9, 80 layers, 64 heads, 8 KV
 * heads; 405B 126 layers, 8 KV heads; Mixtral 8x7B 46.7e9 (12.9e9
 * active), 32 layers, 32 heads, 8 KV heads.  GPUs: A100 SXM 80GB, 312
 * TFLOP/s dense fp16, 2,039 GB/s, NVLink 600 GB/s.
 */
#include "helpers.h"

#include "llm.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define GIB 1073741824.0

static const llm_model llama2_7b = {6.74e9, 0, 32, 4096, 32, 32, 128, 0, 0};
static const llm_model llama31_8b = {8.03e9, 0, 32, 4096, 32, 8, 128, 0, 0};
static const llm_model llama31_70b = {70.55e9, 0, 80, 8192, 64, 8, 128, 0, 0};
static const llm_model llama31_405b = {405.85e9, 0,   126, 16384, 128,
                                       8,        128, 0,   0};
static const llm_model mixtral = {46.7e9, 12.9e9, 32, 4096, 32, 8, 128, 0, 0};
static const llm_gpu a100_80 = {312e12, 2039e9, 80e9, 600e9, 0};

/* A configuration with no efficiency loss and no overheads: the plain
 * roofline of FORMULAS.md 6, for hand-checked figures. */
static llm_config plain(double p, double o) {
  llm_config c;
  llm_config_init(&c);
  c.mfu = c.mbu = 1;
  c.request_overhead = 0;
  c.allreduce_latency = 0;
  c.prompt_tokens = p;
  c.output_tokens = o;
  return c;
}

/* ------------------------------------------------ reference values */

static void test_llama2_7b_decode_floor(void **state) {
  (void)state;
  /* FORMULAS.md 6 and 6b: Llama-2-7B fp16 on A100-80GB at batch 1:
   * >= 6.61 ms per token (13.5 GB of weights / 2.039 TB/s). */
  double w;
  assert_int_equal(llm_weights_bytes(&llama2_7b, 2, &w), LLM_OK);
  expect_near(w, 13.48e9, 1e-12);
  llm_config c = plain(0, 1);
  llm_step s;
  assert_int_equal(llm_decode_step(&llama2_7b, &a100_80, &c, 1, &s), LLM_OK);
  assert_true(s.seconds >= 6.61e-3);
  expect_near(s.memory_s, 6.611e-3, 2e-4);
  assert_int_equal(s.bound, ROOFLINE_MEMORY);
  /* The defaults can only add time. */
  llm_config d;
  llm_config_init(&d);
  d.output_tokens = 1;
  llm_step sd;
  assert_int_equal(llm_decode_step(&llama2_7b, &a100_80, &d, 1, &sd), LLM_OK);
  expect_near(sd.seconds, s.seconds / ROOFLINE_DEFAULT_MBU, 1e-12);
}

static void test_llama31_8b_kv(void **state) {
  (void)state;
  /* FORMULAS.md 6 and 6b: 32 layers x 8 KV heads x 128 x 2 (K, V) x 2
   * bytes = 128 KiB per token = 0.125 GiB per 1K tokens. */
  double k;
  assert_int_equal(llm_kv_bytes_per_token(&llama31_8b, 2, &k), LLM_OK);
  assert_true(k == 131072);
  assert_true(k * 1024 / GIB == 0.125);
}

static void test_hf_blog_kv_table(void **state) {
  (void)state;
  /* https://huggingface.co/blog/llama31, KV cache in FP16, GB:
   *          1k tokens  16k tokens  128k tokens
   *   8B     0.125      1.95        15.62
   *   70B    0.313      4.88        39.06
   *   405B   0.984      15.38       123.05
   * The table is reproduced with 1k = 1,024 tokens, 16k = 16,000 and
   * 128k = 128,000, in GiB (16,384 tokens would give 2.00 for 8B; no
   * other reading reproduces every cell).  The 405B row is twice the
   * fp16 figure: it is reproduced with 4-byte elements, and fp16 gives
   * half of it (0.492, 7.69, 61.52), a slip a reader points out in the
   * post's comments. */
  static const struct {
    const llm_model *m;
    double kv_bytes, tokens, published, unit; /* unit: the last digit */
  } rows[] = {
      {&llama31_8b, 2, 1024, 0.125, 0.001},
      {&llama31_8b, 2, 16000, 1.95, 0.01},
      {&llama31_8b, 2, 128000, 15.62, 0.01},
      {&llama31_70b, 2, 1024, 0.313, 0.001},
      {&llama31_70b, 2, 16000, 4.88, 0.01},
      {&llama31_70b, 2, 128000, 39.06, 0.01},
      {&llama31_405b, 4, 1024, 0.984, 0.001},
      {&llama31_405b, 4, 16000, 15.38, 0.01},
      {&llama31_405b, 4, 128000, 123.05, 0.01},
  };
  for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
    double k;
    assert_int_equal(llm_kv_bytes_per_token(rows[i].m, rows[i].kv_bytes, &k),
                     LLM_OK);
    double gib = k * rows[i].tokens / GIB;
    /* Within half a unit of the printed last digit (15.625 prints as
     * 15.62 in the post). */
    if (fabs(gib - rows[i].published) > rows[i].unit / 2 + 1e-9) {
      print_error("row %zu: %.6f GiB, published %g\n", i, gib,
                  rows[i].published);
      fail();
    }
  }
  double k16;
  llm_kv_bytes_per_token(&llama31_405b, 2, &k16);
  expect_near(k16 * 128000 / GIB, 61.5234375, 1e-12);
}

/* ----------------------------------------------------------- memory */

static void test_memory_and_max_batch(void **state) {
  (void)state;
  /* Llama 3.1 8B fp16 on one A100-80GB, 1,500 + 300 tokens: usable 72 GB
   * (10% reserve), W = 16.06 GB, M_kv = 55.94 GB, 1,800 x 128 KiB =
   * 235.9 MB per sequence -> 237 fit, below max_batch 256. */
  llm_config c;
  llm_config_init(&c);
  c.prompt_tokens = 1500, c.output_tokens = 300;
  llm_memory m;
  assert_int_equal(llm_memory_of(&llama31_8b, &a100_80, &c, &m), LLM_OK);
  expect_near(m.memory_usable, 72e9, 1e-12);
  expect_near(m.weights_bytes, 16.06e9, 1e-12);
  expect_near(m.kv_memory, 55.94e9, 1e-12);
  expect_near(m.kv_bytes_per_sequence, 1800 * 131072.0, 1e-12);
  assert_true(m.max_concurrency == 237);
  assert_int_equal(m.limit, LLM_LIMIT_KV_MEMORY);
  /* With max_batch 64 the configuration binds instead. */
  c.max_batch = 64;
  assert_int_equal(llm_memory_of(&llama31_8b, &a100_80, &c, &m), LLM_OK);
  assert_true(m.max_concurrency == 64);
  assert_int_equal(m.limit, LLM_LIMIT_MAX_BATCH);
}

static void test_does_not_fit(void **state) {
  (void)state;
  /* Llama 3.1 70B fp16 (141.1 GB) on one 80 GB GPU: 72 GB usable, 69.1 GB
   * short.  The figures for the message are filled in. */
  llm_config c;
  llm_config_init(&c);
  c.prompt_tokens = 1500, c.output_tokens = 300;
  llm_result r;
  assert_int_equal(llm_evaluate(&llama31_70b, &a100_80, &c, &r),
                   LLM_DOES_NOT_FIT);
  assert_int_equal(r.status, LLM_DOES_NOT_FIT);
  expect_near(r.memory.weights_bytes, 141.1e9, 1e-12);
  expect_near(r.memory.memory_usable, 72e9, 1e-12);
  expect_near(r.memory.kv_memory, 72e9 - 141.1e9, 1e-12);
  assert_true(r.output_tokens_per_second == 0 && r.batch == 0);
  assert_string_equal(llm_status_name(r.status), "the weights do not fit");
  /* Two GPUs: 144 GB usable, 2.9 GB of cache, 1,800 x 320 KiB = 589.8 MB
   * per sequence: 4 fit. */
  c.tp = 2;
  assert_int_equal(llm_evaluate(&llama31_70b, &a100_80, &c, &r), LLM_OK);
  assert_true(r.memory.max_concurrency == 4 && r.batch == 4);
  assert_int_equal(r.bound, LLM_BOUND_KV_MEMORY);
  assert_int_equal(r.limit, LLM_LIMIT_KV_MEMORY);
  /* A 100K-token conversation does not fit in 2.9 GB (32.8 GB needed). */
  c.prompt_tokens = 99000, c.output_tokens = 1000;
  assert_int_equal(llm_evaluate(&llama31_70b, &a100_80, &c, &r),
                   LLM_SEQUENCE_DOES_NOT_FIT);
  expect_near(r.memory.kv_bytes_per_sequence, 100000 * 327680.0, 1e-12);
  assert_true(r.memory.max_concurrency == 0);
}

/* ------------------------------------------------------------- time */

static void test_allreduce(void **state) {
  (void)state;
  static const struct {
    double bytes, tp, link, lat, seconds;
  } rows[] = {
      /* Ring: 2 (tp-1)/tp x bytes over one direction (300 of 600 GB/s). */
      {10240, 2, 600e9, 0, 10240 / 300e9},
      {10240, 2, 600e9, 10e-6, 10240 / 300e9 + 10e-6},
      {1e9, 8, 600e9, 0, 2 * 7.0 / 8 * 1e9 / 300e9},
      {1e9, 1, 600e9, 10e-6, 0}, /* one GPU: nothing to reduce */
  };
  for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
    double t;
    assert_int_equal(llm_allreduce_time(rows[i].bytes, rows[i].tp, rows[i].link,
                                        rows[i].lat, &t),
                     LLM_OK);
    expect_near(t, rows[i].seconds, 1e-12);
  }
  double t;
  assert_int_equal(llm_allreduce_time(1, 2, 0, 0, &t), LLM_BAD_INPUT);
  assert_int_equal(llm_allreduce_time(1, 1.5, 1, 0, &t), LLM_BAD_INPUT);
}

static void test_steps_by_hand(void **state) {
  (void)state;
  /* Llama 2 7B, p = 2,048, tp 2 with the defaults except overheads. */
  llm_config c;
  llm_config_init(&c);
  c.prompt_tokens = 2048, c.output_tokens = 128, c.tp = 2;
  c.request_overhead = 0;
  const double L = 32, h = 4096, hd = 32 * 128.0, k = 524288, W = 13.48e9;
  const double F = 2 * 312e12 * ROOFLINE_DEFAULT_MFU;
  const double BW = 2 * 2039e9 * ROOFLINE_DEFAULT_MBU;
  /* Prefill of 3 prompts: FLOPs 3 (2 N p + 2 L p^2 heads head_dim); bytes
   * W + 3 p k; two all-reduces per layer of 3 p h 2 bytes. */
  llm_step s;
  assert_int_equal(llm_prefill_step(&llama2_7b, &a100_80, &c, 3, &s), LLM_OK);
  double fl = 3 * (2 * 6.74e9 * 2048 + 2 * L * 2048.0 * 2048 * hd);
  double by = W + 3 * 2048 * k;
  double comm = 2 * L * (3 * 2048 * h * 2 / 300e9 + 10e-6);
  expect_near(s.flops, fl, 1e-12);
  expect_near(s.bytes, by, 1e-12);
  expect_near(s.comm_s, comm, 1e-12);
  expect_near(s.seconds, fmax(fl / F, by / BW) + comm, 1e-12);
  assert_int_equal(s.bound, ROOFLINE_COMPUTE);
  /* Decode at B = 16, context c = 2,048 + 64: FLOPs B (2 N + 4 L c
   * heads head_dim), bytes W + B k c. */
  assert_int_equal(llm_decode_step(&llama2_7b, &a100_80, &c, 16, &s), LLM_OK);
  double ctx = 2048 + 64;
  fl = 16 * (2 * 6.74e9 + 4 * L * ctx * hd);
  by = W + 16 * k * ctx;
  comm = 2 * L * (16 * h * 2 / 300e9 + 10e-6);
  expect_near(s.seconds, fmax(fl / F, by / BW) + comm, 1e-12);
  assert_int_equal(s.bound, ROOFLINE_MEMORY);
  /* A per-step overhead adds to each pass once. */
  llm_step t;
  c.step_overhead = 1e-3;
  llm_decode_step(&llama2_7b, &a100_80, &c, 16, &t);
  expect_near(t.seconds, s.seconds + 1e-3, 1e-12);
}

static void test_throughput_tpot_ttft(void **state) {
  (void)state;
  llm_config c;
  llm_config_init(&c);
  c.prompt_tokens = 512, c.output_tokens = 256;
  llm_gpu g = a100_80;
  g.usd_per_second = 2.0 / 3600; /* $2 per GPU-hour */
  for (double b = 1; b <= 256; b *= 4) {
    llm_result r;
    assert_int_equal(llm_at_batch(&llama31_8b, &g, &c, b, &r), LLM_OK);
    double tp = r.prefill_batch.seconds, td = r.decode.seconds;
    double cycle = tp + 256 * td;
    /* X(B) = B / (t_pre(B) + o t_dec(B)): FORMULAS.md 6b with the
     * prompts of a batch prefilled together. */
    expect_near(r.requests_per_second, b / cycle, 1e-12);
    expect_near(r.output_tokens_per_second_per_gpu, b / cycle * 256, 1e-12);
    /* TPOT: the cycle less the request's own prefill, per token. */
    expect_near(r.tpot, (cycle - tp / b) / 256, 1e-12);
    expect_near(r.tpot, td + tp * (b - 1) / (b * 256), 1e-12);
    expect_near(r.prefill_share, tp / cycle, 1e-12);
    /* TTFT without queueing: 4 ms of fixed work and a lone prefill. */
    expect_near(r.ttft, LLM_DEFAULT_REQUEST_OVERHEAD + r.prefill.seconds,
                1e-15);
    /* Cost: the whole replica over its output tokens, and the split by
     * phase, whose two parts add up to the cost of a request. */
    double usd = 2.0 / 3600;
    expect_near(r.usd_per_m_output, usd * 1e6 / (b / cycle * 256), 1e-12);
    double per_request = r.usd_per_m_input_split * 512 / 1e6 +
                         r.usd_per_m_output_split * 256 / 1e6;
    expect_near(per_request, usd * cycle / b, 1e-12);
    assert_true(r.usd_per_m_input_split < r.usd_per_m_output_split);
  }
  /* A lone request decodes at t_dec. */
  llm_result one;
  llm_at_batch(&llama31_8b, &g, &c, 1, &one);
  expect_near(one.tpot, one.decode.seconds, 1e-15);
  /* No price: no cost figures. */
  llm_at_batch(&llama31_8b, &a100_80, &c, 8, &one);
  assert_true(one.usd_per_m_output == 0 && one.usd_per_m_input_split == 0);
}

static void test_tpot_against_formulas_6b(void **state) {
  (void)state;
  /* FORMULAS.md 6b: TPOT ~ t_dec / (1 - X t_pre).  With t_pre the
   * prefill X charges a request, t_pre(B) / B, that is B / (X o), the
   * time a request holds its slot over its o tokens, its own prefill
   * included; llm.c leaves that prefill out (it precedes the first
   * token): TPOT = FORMULAS.md's - t_pre(B) / (B o), t_dec alone. */
  static const llm_gpu a100_40 = {312e12, 1555e9, 40e9, 600e9, 0};
  llm_config c;
  llm_config_init(&c);
  c.prompt_tokens = 1500, c.output_tokens = 200;
  static const double batches[] = {1, 2, 8, 47, 89};
  for (size_t i = 0; i < ARRAY_LEN(batches); i++) {
    double b = batches[i];
    llm_result r;
    assert_int_equal(llm_at_batch(&llama31_8b, &a100_40, &c, b, &r), LLM_OK);
    double td = r.decode.seconds, x = r.requests_per_second;
    double tp = r.prefill_batch.seconds / b;
    double f = td / (1 - x * tp);
    expect_near(f, b / (x * 200), 1e-12);
    expect_near(r.slot_seconds, b / x, 1e-12);
    expect_near(r.slot_seconds, 200 * f, 1e-12);
    expect_near(r.tpot, f - tp / 200, 1e-12);
    expect_near(r.slot_seconds, tp + 200 * r.tpot, 1e-12);
    /* The two part by at most 1/B of FORMULAS.md's figure. */
    assert_true(r.tpot < f && (f - r.tpot) / f <= 1 / b);
    if (b == 1) {
      expect_near(r.tpot, td, 1e-15);
      expect_near(f, td + r.prefill.seconds / 200, 1e-12);
    }
  }
  /* specs/gallery-rag-chatbot.yaml's replica, Llama 3.1 8B on an A100
   * 40GB at batch 47 (its slo.tpot's): t_dec 24.33 ms, X 4.686/s and a
   * compute-bound prefill of 109.86 ms, the same alone or per prompt of
   * the batch.  FORMULAS.md's shorthand gives 24.33 / (1 - 4.686 x
   * 0.10986) = 50.15 ms = 10,030 ms / 200; the request's own prefill
   * taken out, 50.15 - 109.86 / 200 = 49.60 ms. */
  llm_result r;
  assert_int_equal(llm_at_batch(&llama31_8b, &a100_40, &c, 47, &r), LLM_OK);
  double tp = r.prefill_batch.seconds / 47;
  expect_near(tp, r.prefill.seconds, 1e-9);
  const struct {
    const char *what;
    double got, want, tol;
  } figs[] = {
      {"t_dec", r.decode.seconds, 24.33e-3, 0.005e-3},
      {"X", r.requests_per_second, 4.686, 0.0005},
      {"t_pre", tp, 109.86e-3, 0.005e-3},
      {"FORMULAS.md TPOT", r.decode.seconds / (1 - r.requests_per_second * tp),
       50.15e-3, 0.005e-3},
      {"TPOT", r.tpot, 49.60e-3, 0.005e-3},
      {"slot", r.slot_seconds, 10.030, 0.0005},
  };
  for (size_t i = 0; i < ARRAY_LEN(figs); i++)
    if (!(fabs(figs[i].got - figs[i].want) <= figs[i].tol)) {
      print_error("%s: %.6g, expected %.6g\n", figs[i].what, figs[i].got,
                  figs[i].want);
      fail();
    }
}

static void test_usd_per_m_tokens(void **state) {
  (void)state;
  /* FORMULAS.md 6b: cost per second x 1e6 / tokens per second.  $2 an
   * hour over 937 tokens/s is $0.593 per million; the same GPUs at a
   * quarter of that rate cost four times as much a token. */
  double v;
  assert_int_equal(llm_usd_per_m_tokens(2.0 / 3600, 937, &v), LLM_OK);
  expect_near(v, 2.0 / 3600 * 1e6 / 937, 1e-12);
  assert_true(fabs(v - 0.5929) < 0.0001);
  double q;
  assert_int_equal(llm_usd_per_m_tokens(2.0 / 3600, 937 / 4.0, &q), LLM_OK);
  expect_near(q, 4 * v, 1e-12);
  static const double bad[][2] = {{0, 1},  {1, 0},   {-1, 1},
                                  {1, -1}, {NAN, 1}, {1, INFINITY}};
  for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
    v = 1;
    assert_int_equal(llm_usd_per_m_tokens(bad[i][0], bad[i][1], &v),
                     LLM_BAD_INPUT);
    assert_true(v == 0);
  }
  assert_int_equal(llm_usd_per_m_tokens(1e300, 1e-300, &v), LLM_OUT_OF_RANGE);
  assert_true(v == 0);
}

static void test_tpot_target(void **state) {
  (void)state;
  llm_config c;
  llm_config_init(&c);
  c.prompt_tokens = 1500, c.output_tokens = 300;
  static const double targets[] = {0.012, 0.015, 0.020, 0.030};
  for (size_t i = 0; i < ARRAY_LEN(targets); i++) {
    double b;
    assert_int_equal(
        llm_max_batch_for_tpot(&llama31_8b, &a100_80, &c, targets[i], 237, &b),
        LLM_OK);
    llm_result r, next;
    llm_at_batch(&llama31_8b, &a100_80, &c, b, &r);
    assert_true(r.tpot <= targets[i]);
    if (b < 237) { /* the largest: one more misses */
      llm_at_batch(&llama31_8b, &a100_80, &c, b + 1, &next);
      assert_true(next.tpot > targets[i]);
    }
    /* llm_evaluate picks the same batch, labelled as the TPOT's. */
    c.tpot_target = targets[i];
    assert_int_equal(llm_evaluate(&llama31_8b, &a100_80, &c, &r), LLM_OK);
    assert_true(r.batch == b);
    assert_int_equal(r.limit, b < 237 ? LLM_LIMIT_TPOT : LLM_LIMIT_KV_MEMORY);
    c.tpot_target = 0;
  }
  /* 5 ms is beyond this GPU even alone (16 GB of weights take 11.5 ms). */
  double b;
  assert_int_equal(
      llm_max_batch_for_tpot(&llama31_8b, &a100_80, &c, 0.005, 237, &b),
      LLM_TPOT_UNMET);
  c.tpot_target = 0.005;
  llm_result r;
  assert_int_equal(llm_evaluate(&llama31_8b, &a100_80, &c, &r), LLM_TPOT_UNMET);
  assert_true(r.batch == 1 && r.tpot > 0.005 && isfinite(r.tpot));
}

static void test_bound(void **state) {
  (void)state;
  /* Short prompts at a large batch are compute-bound; a small batch is
   * bandwidth-bound; a batch capped by the cache says so. */
  llm_config c = plain(16, 16);
  c.max_batch = 1024;
  c.reserve = 0.10;
  llm_result r;
  assert_int_equal(llm_at_batch(&llama31_8b, &a100_80, &c, 1024, &r), LLM_OK);
  assert_int_equal(r.bound, LLM_BOUND_COMPUTE);
  assert_int_equal(llm_at_batch(&llama31_8b, &a100_80, &c, 4, &r), LLM_OK);
  assert_int_equal(r.bound, LLM_BOUND_BANDWIDTH);
  assert_string_equal(llm_bound_name(LLM_BOUND_KV_MEMORY), "kv-memory");
}

static void test_moe(void **state) {
  (void)state;
  /* Mixtral 8x7B: FLOPs from the 12.9B active parameters, bytes from all
   * 46.7B (93.4 GB in fp16: two A100-80GB). */
  llm_config c = plain(100, 100);
  c.tp = 2;
  llm_step s;
  assert_int_equal(llm_decode_step(&mixtral, &a100_80, &c, 8, &s), LLM_OK);
  double ctx = 150;
  expect_near(s.flops, 8 * (2 * 12.9e9 + 4 * 32 * ctx * 32 * 128), 1e-12);
  expect_near(s.bytes, 93.4e9 + 8 * 131072 * ctx, 1e-12);
  /* A dense model of the same size does 46.7/12.9 the arithmetic. */
  llm_model dense = mixtral;
  dense.active_params = 0;
  llm_step d;
  llm_decode_step(&dense, &a100_80, &c, 8, &d);
  assert_true(d.flops > 3 * s.flops);
  expect_near(d.bytes, s.bytes, 1e-15);
}

/* Mixtral 8x7B with its experts stated (8, 2 a token): a decode step
 * reads the shared weights and the experts its B tokens touch, E (1 -
 * (1 - k/E)^B) on average; at batch 1 the active weights, at batch 8
 * 8 (1 - 0.75^8) = 7.1990966796875 experts, past a few dozen all. */
static void test_moe_experts(void **state) {
  (void)state;
  llm_config c = plain(100, 100);
  c.tp = 2;
  llm_model m = mixtral;
  m.experts = 8, m.experts_active = 2;
  double per = (46.7e9 - 12.9e9) / 6, shared = 12.9e9 - 2 * per;
  llm_step s;
  assert_int_equal(llm_decode_step(&m, &a100_80, &c, 1, &s), LLM_OK);
  expect_near(s.experts_touched, 2, 1e-15);
  expect_near(s.weights_read, 2 * 12.9e9, 1e-12);
  expect_near(s.bytes, 2 * 12.9e9 + 131072 * 150.0, 1e-12);
  assert_int_equal(llm_decode_step(&m, &a100_80, &c, 8, &s), LLM_OK);
  expect_near(s.experts_touched, 7.1990966796875, 1e-14);
  expect_near(s.weights_read, 2 * (shared + 7.1990966796875 * per), 1e-12);
  assert_int_equal(llm_decode_step(&m, &a100_80, &c, 256, &s), LLM_OK);
  expect_near(s.weights_read, 93.4e9, 1e-12);
  /* A prompt's 100 tokens touch every expert; fewer bytes at batch 1
   * than the dense reading, so a faster step when memory-bound. */
  assert_int_equal(llm_prefill_step(&m, &a100_80, &c, 1, &s), LLM_OK);
  expect_near(s.weights_read, 93.4e9, 1e-10);
  llm_step all;
  assert_int_equal(llm_decode_step(&mixtral, &a100_80, &c, 1, &all), LLM_OK);
  assert_int_equal(llm_decode_step(&m, &a100_80, &c, 1, &s), LLM_OK);
  assert_true(s.memory_s < 0.3 * all.memory_s);
  assert_true(all.experts_touched == 0 && all.weights_read == 93.4e9);
  /* Experts that do not fit the parameters are refused. */
  llm_model bad = m;
  bad.experts_active = 3; /* 3/8 of 46.7B is more than 12.9B active */
  assert_int_equal(llm_decode_step(&bad, &a100_80, &c, 1, &s), LLM_BAD_INPUT);
  bad = m;
  bad.experts_active = 8;
  assert_int_equal(llm_decode_step(&bad, &a100_80, &c, 1, &s), LLM_BAD_INPUT);
  bad = m;
  bad.experts_active = 0;
  assert_int_equal(llm_decode_step(&bad, &a100_80, &c, 1, &s), LLM_BAD_INPUT);
  bad = m;
  bad.active_params = 0;
  assert_int_equal(llm_decode_step(&bad, &a100_80, &c, 1, &s), LLM_BAD_INPUT);
}

/* llm_weights_read's count of experts touched, E (1 - (1 - k/E)^B),
 * against the routing it assumes, simulated: each of B tokens takes k
 * distinct experts of E uniformly; the mean number touched over 20,000
 * batches is within 1% (its standard error is below 0.1%). */
static void test_experts_touched(void **state) {
  (void)state;
  const struct {
    double e, k, b;
  } rows[] = {{8, 2, 1}, {8, 2, 3}, {8, 2, 8}, {8, 2, 32}, {64, 6, 16}};
  uint64_t x = 88172645463325252ull; /* xorshift64 */
  for (size_t r = 0; r < ARRAY_LEN(rows); r++) {
    size_t e = (size_t)rows[r].e, k = (size_t)rows[r].k;
    size_t b = (size_t)rows[r].b, batches = 20000, total = 0;
    for (size_t n = 0; n < batches; n++) {
      unsigned char hit[64] = {0};
      for (size_t t = 0; t < b; t++) {
        unsigned char mine[64] = {0};
        for (size_t j = 0; j < k;) {
          x ^= x << 13, x ^= x >> 7, x ^= x << 17;
          size_t pick = (size_t)(x % e);
          if (!mine[pick]) {
            mine[pick] = hit[pick] = 1;
            j++;
          }
        }
      }
      for (size_t i = 0; i < e; i++)
        total += hit[i];
    }
    llm_model m = mixtral;
    m.experts = rows[r].e, m.experts_active = rows[r].k;
    m.active_params = m.params * rows[r].k / rows[r].e + 1e9;
    double touched;
    llm_weights_read(&m, 1, rows[r].b, &touched);
    double sim = (double)total / (double)batches;
    if (fabs(sim - touched) > 0.01 * touched)
      fail_msg("E %g k %g B %g: %.4f touched, simulated %.4f", rows[r].e,
               rows[r].k, rows[r].b, touched, sim);
  }
}

static void test_bad_inputs(void **state) {
  (void)state;
  llm_config c;
  llm_config_init(&c);
  c.prompt_tokens = 100, c.output_tokens = 100;
  llm_result r;
  llm_model m = llama31_8b;
  m.kv_heads = 0;
  assert_int_equal(llm_evaluate(&m, &a100_80, &c, &r), LLM_BAD_INPUT);
  m = llama31_8b;
  m.active_params = 9e9; /* more active than there are */
  assert_int_equal(llm_evaluate(&m, &a100_80, &c, &r), LLM_BAD_INPUT);
  llm_config bad = c;
  bad.output_tokens = 0;
  assert_int_equal(llm_evaluate(&llama31_8b, &a100_80, &bad, &r),
                   LLM_BAD_INPUT);
  bad = c, bad.tp = 1.5;
  assert_int_equal(llm_evaluate(&llama31_8b, &a100_80, &bad, &r),
                   LLM_BAD_INPUT);
  bad = c, bad.mfu = 0;
  assert_int_equal(llm_evaluate(&llama31_8b, &a100_80, &bad, &r),
                   LLM_BAD_INPUT);
  bad = c, bad.reserve = 1;
  assert_int_equal(llm_evaluate(&llama31_8b, &a100_80, &bad, &r),
                   LLM_BAD_INPUT);
  bad = c, bad.prompt_tokens = NAN;
  assert_int_equal(llm_evaluate(&llama31_8b, &a100_80, &bad, &r),
                   LLM_BAD_INPUT);
  bad = c, bad.tp = 2; /* tensor parallel without a link */
  llm_gpu nolink = a100_80;
  nolink.link_bw = 0;
  assert_int_equal(llm_evaluate(&llama31_8b, &nolink, &bad, &r), LLM_BAD_INPUT);
  assert_int_equal(llm_at_batch(&llama31_8b, &a100_80, &c, 0.5, &r),
                   LLM_BAD_INPUT);
  /* Absurd but finite: a status, never Inf or NaN. */
  llm_model huge = {1e300, 0, 1e300, 1e300, 1e300, 1e300, 1e300, 0, 0};
  llm_gpu g = {1e300, 1e300, 1e300, 1e300, 0};
  llm_status s = llm_evaluate(&huge, &g, &c, &r);
  assert_true(s == LLM_OUT_OF_RANGE);
  assert_true(isfinite(r.tpot) && isfinite(r.memory.kv_memory));
  llm_step st;
  assert_int_equal(llm_decode_step(&huge, &g, &c, 1e300, &st),
                   LLM_OUT_OF_RANGE);
  assert_true(st.seconds == 0);
}

/* Tensor parallelism splits the heads evenly: tp divides heads, and
 * kv_heads % tp == 0 or tp % kv_heads == 0 (vLLM's checks). */
static void test_tp_shards(void **state) {
  (void)state;
  static const struct {
    double heads, kv_heads, tp;
    int ok;
  } cases[] = {
      {64, 8, 1, 1},   {64, 8, 2, 1},  {64, 8, 4, 1},   {64, 8, 8, 1},
      {64, 8, 16, 1},  {64, 8, 3, 0},  {64, 8, 6, 0},   {64, 8, 128, 0},
      {40, 40, 5, 1},  {40, 40, 8, 1}, {40, 40, 3, 0},  {28, 4, 7, 0},
      {28, 4, 2, 1},   {28, 4, 28, 1}, {128, 8, 12, 0}, {128, 8, 16, 1},
      {32, 8, 1.5, 0},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    llm_model m = llama31_8b;
    m.heads = cases[k].heads, m.kv_heads = cases[k].kv_heads;
    if (llm_tp_shards(&m, cases[k].tp) != cases[k].ok)
      fail_msg("heads %g, kv_heads %g, tp %g: want %d", cases[k].heads,
               cases[k].kv_heads, cases[k].tp, cases[k].ok);
  }
}

/* One output token: no TPOT (has_tpot 0, tpot 0), a TPOT target does
 * not limit the batch, and TTFT is the time to that token, the fixed
 * work + t_pre(B) (t_pre(1) at batch 1).  Two tokens keep the usual
 * figures. */
static void test_one_output_token(void **state) {
  (void)state;
  llm_config c = plain(500, 1);
  c.tpot_target = 20e-3;
  llm_result r;
  assert_int_equal(llm_evaluate(&llama31_8b, &a100_80, &c, &r), LLM_OK);
  assert_int_equal(r.has_tpot, 0);
  expect_near(r.tpot, 0, 0);
  expect_near(r.batch, LLM_DEFAULT_MAX_BATCH, 0); /* not cut by the target */
  assert_int_equal(r.limit, LLM_LIMIT_MAX_BATCH);
  expect_near(r.slot_seconds, r.prefill_batch.seconds + r.decode.seconds,
              1e-12);
  expect_near(r.ttft, c.request_overhead + r.prefill_batch.seconds, 1e-12);
  double b;
  assert_int_equal(
      llm_max_batch_for_tpot(&llama31_8b, &a100_80, &c, 1e-9, 64, &b), LLM_OK);
  expect_near(b, 64, 0);
  /* At batch 1 as well. */
  assert_int_equal(llm_at_batch(&llama31_8b, &a100_80, &c, 1, &r), LLM_OK);
  expect_near(r.ttft, c.request_overhead + r.prefill.seconds, 1e-12);
  /* Two output tokens: TPOT is back, and a tight target cuts the batch. */
  c.output_tokens = 2;
  assert_int_equal(llm_evaluate(&llama31_8b, &a100_80, &c, &r), LLM_OK);
  assert_int_equal(r.has_tpot, 1);
  assert_true(r.tpot > 0 && r.tpot <= 20e-3);
  assert_int_equal(r.limit, LLM_LIMIT_TPOT);
  expect_near(r.ttft, c.request_overhead + r.prefill.seconds, 1e-12);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_llama2_7b_decode_floor),
      cmocka_unit_test(test_llama31_8b_kv),
      cmocka_unit_test(test_hf_blog_kv_table),
      cmocka_unit_test(test_memory_and_max_batch),
      cmocka_unit_test(test_does_not_fit),
      cmocka_unit_test(test_allreduce),
      cmocka_unit_test(test_steps_by_hand),
      cmocka_unit_test(test_throughput_tpot_ttft),
      cmocka_unit_test(test_tpot_against_formulas_6b),
      cmocka_unit_test(test_usd_per_m_tokens),
      cmocka_unit_test(test_tpot_target),
      cmocka_unit_test(test_bound),
      cmocka_unit_test(test_moe),
      cmocka_unit_test(test_moe_experts),
      cmocka_unit_test(test_experts_touched),
      cmocka_unit_test(test_bad_inputs),
      cmocka_unit_test(test_tp_shards),
      cmocka_unit_test(test_one_output_token),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

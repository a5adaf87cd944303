/*
 * test_roofline.c - the roofline time of an operation (src/model/
 * roofline.c) against FORMULAS.md section 6: which term binds, the batch
 * form of `work:`, the ridge point, and bad inputs that must come back as
 * a status rather than NaN or Inf.
 */
#include "helpers.h"

#include "roofline.h"

/* A100-80GB SXM: 312 TFLOP/s dense fp16, 2,039 GB/s. */
static const roofline_hw a100_plain = {312e12, 2039e9, 1, 1};

static void test_time_of_table(void **state) {
  (void)state;
  static const struct {
    double flops, bytes, mfu, mbu, seconds;
    roofline_bound bound;
  } rows[] = {
      /* Llama-2-7B fp16 decode at batch 1: 13.48 GB of weights bind
       * (FORMULAS.md 6: >= 6.61 ms). */
      {2 * 6.74e9, 13.48e9, 1, 1, 13.48e9 / 2039e9, ROOFLINE_MEMORY},
      /* The same FLOPs at batch 256 with the same bytes: 11.06 ms of
       * compute against 6.61 ms of memory. */
      {256 * 2 * 6.74e9, 13.48e9, 1, 1, 256 * 2 * 6.74e9 / 312e12,
       ROOFLINE_COMPUTE},
      /* Efficiencies divide their own term only. */
      {312e12, 1e9, 0.5, 1, 2.0, ROOFLINE_COMPUTE},
      {1e9, 2039e9, 1, 0.5, 2.0, ROOFLINE_MEMORY},
      /* A tie is memory-bound, by definition. */
      {312e12, 2039e9, 1, 1, 1.0, ROOFLINE_MEMORY},
      /* Nothing to do takes no time. */
      {0, 0, 1, 1, 0, ROOFLINE_MEMORY},
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    roofline_hw hw = a100_plain;
    hw.mfu = rows[i].mfu, hw.mbu = rows[i].mbu;
    roofline_time t;
    assert_int_equal(roofline_time_of(&hw, rows[i].flops, rows[i].bytes, &t),
                     ROOFLINE_OK);
    expect_near(t.seconds, rows[i].seconds, 1e-12);
    assert_int_equal(t.bound, rows[i].bound);
    expect_near(t.seconds, fmax(t.compute_s, t.memory_s), 1e-15);
  }
}

static void test_llama2_7b_batch1_reference(void **state) {
  (void)state;
  /* FORMULAS.md 6 and 6b: Llama-2-7B fp16 on A100-80GB (2,039 GB/s) at
   * batch 1 takes at least 6.61 ms per token. */
  roofline_time t;
  assert_int_equal(roofline_time_of(&a100_plain, 2 * 6.74e9, 6.74e9 * 2, &t),
                   ROOFLINE_OK);
  assert_true(t.seconds >= 6.61e-3);
  expect_near(t.seconds * 1e3, 6.611, 1e-3);
  assert_string_equal(roofline_bound_name(t.bound), "memory");
  /* With the default efficiencies it is slower, never faster. */
  roofline_hw hw = roofline_hw_default(312e12, 2039e9);
  roofline_time d;
  assert_int_equal(roofline_time_of(&hw, 2 * 6.74e9, 6.74e9 * 2, &d),
                   ROOFLINE_OK);
  expect_near(d.seconds, t.seconds / ROOFLINE_DEFAULT_MBU, 1e-12);
}

static void test_batch_work(void **state) {
  (void)state;
  /* work: {flops_per_item: 2 GFLOP, bytes_per_batch: 1 GB,
   * bytes_per_item: 10 MB}: FLOPs = 2e9 b, bytes = 1e9 + 1e7 b. */
  roofline_work w = {2e9, 1e9, 1e7};
  static const struct {
    double batch, seconds;
    roofline_bound bound;
  } rows[] = {
      {1, (1e9 + 1e7) / 2039e9, ROOFLINE_MEMORY},
      {64, (1e9 + 64e7) / 2039e9, ROOFLINE_MEMORY},
      {1000, 2e12 / 312e12, ROOFLINE_COMPUTE},
      {0, 1e9 / 2039e9, ROOFLINE_MEMORY}, /* an empty batch reads weights */
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    roofline_time t;
    assert_int_equal(roofline_batch_time(&a100_plain, &w, rows[i].batch, &t),
                     ROOFLINE_OK);
    expect_near(t.seconds, rows[i].seconds, 1e-12);
    assert_int_equal(t.bound, rows[i].bound);
  }
  /* The ridge: 2e9 b / 312e12 = (1e9 + 1e7 b) / 2039e9. */
  double b;
  assert_int_equal(roofline_ridge_batch(&a100_plain, &w, &b), ROOFLINE_OK);
  double expect = (1e9 / 2039e9) / (2e9 / 312e12 - 1e7 / 2039e9);
  expect_near(b, expect, 1e-12);
  roofline_time lo, hi;
  roofline_batch_time(&a100_plain, &w, b * 0.99, &lo);
  roofline_batch_time(&a100_plain, &w, b * 1.01, &hi);
  assert_int_equal(lo.bound, ROOFLINE_MEMORY);
  assert_int_equal(hi.bound, ROOFLINE_COMPUTE);
  /* Memory-bound at every size: 1 FLOP per 1 MB item. */
  roofline_work thin = {1, 0, 1e6};
  assert_int_equal(roofline_ridge_batch(&a100_plain, &thin, &b),
                   ROOFLINE_NO_RIDGE);
  assert_true(b == 0);
  /* Compute-bound at every size: nothing read per batch. */
  roofline_work fat = {1e12, 0, 1};
  assert_int_equal(roofline_ridge_batch(&a100_plain, &fat, &b), ROOFLINE_OK);
  assert_true(b == 0);
}

static void test_bad_inputs(void **state) {
  (void)state;
  roofline_time t;
  roofline_hw bad[] = {
      {0, 2039e9, 1, 1},        {312e12, 0, 1, 1},
      {312e12, 2039e9, 0, 1},   {312e12, 2039e9, 1, 0},
      {312e12, 2039e9, 1.5, 1}, {NAN, 2039e9, 1, 1},
      {312e12, INFINITY, 1, 1},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    t.seconds = 42;
    assert_int_equal(roofline_time_of(&bad[i], 1, 1, &t), ROOFLINE_BAD_INPUT);
    assert_true(t.seconds == 0);
  }
  assert_int_equal(roofline_time_of(&a100_plain, -1, 1, &t),
                   ROOFLINE_BAD_INPUT);
  assert_int_equal(roofline_time_of(&a100_plain, 1, NAN, &t),
                   ROOFLINE_BAD_INPUT);
  roofline_work w = {1, 1, 1};
  assert_int_equal(roofline_batch_time(&a100_plain, &w, -1, &t),
                   ROOFLINE_BAD_INPUT);
  /* Finite inputs whose product overflows: a status, not Inf. */
  roofline_hw tiny = {1e-300, 1e-300, 1e-300, 1e-300};
  assert_int_equal(roofline_time_of(&tiny, 1e300, 1, &t),
                   ROOFLINE_OUT_OF_RANGE);
  roofline_work huge = {1e300, 0, 0};
  assert_int_equal(roofline_batch_time(&a100_plain, &huge, 1e300, &t),
                   ROOFLINE_OUT_OF_RANGE);
  assert_true(t.seconds == 0 && isfinite(t.compute_s));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_time_of_table),
      cmocka_unit_test(test_llama2_7b_batch1_reference),
      cmocka_unit_test(test_batch_work),
      cmocka_unit_test(test_bad_inputs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

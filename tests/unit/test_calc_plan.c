/*
 * test_calc_plan.c - the calc topics of calc_plan.c (training, ab,
 * autoscale) and what qps, storage and bandwidth gained with them, run
 * in-process through capplan_calc_run() as the CLI runs them.
 *
 * Reference values: issue 15's checks (7B parameters x 2T tokens on an
 * A100 at 40% MFU = 186,966 GPU-hours; a 1% relative lift on a 5%
 * baseline needs about 2,996,700 users per arm, the 2,996,695 of calc
 * sample-size); the autoscale curve's averages worked by hand below from
 * its closed forms.
 */
#include "helpers.h"

#include "calc.h"

/* Runs TOPIC on N pairs of option name and value in ARGV (a NULL value:
 * a flag); NULL with the error in ERR when it fails. */
static capplan_calc *try_calc(const char *topic, const char *const *argv,
                              size_t n, capplan_buf *err) {
  capplan_calc_arg args[16];
  assert_true(n <= 16);
  for (size_t i = 0; i < n; i++) {
    args[i].name = argv[2 * i];
    args[i].values = &argv[2 * i + 1];
    args[i].n_values = argv[2 * i + 1] ? 1 : 0;
  }
  return capplan_calc_run(topic, args, n, err);
}

static capplan_calc *calc(const char *topic, const char *const *argv,
                          size_t n) {
  capplan_buf err;
  capplan_buf_init(&err);
  capplan_calc *c = try_calc(topic, argv, n, &err);
  if (!c)
    print_error("calc %s: %s\n", topic, err.data ? err.data : "");
  capplan_buf_release(&err);
  assert_non_null(c);
  return c;
}

/* TOPIC fails on ARGV with a message holding WANT. */
static void calc_fails(const char *topic, const char *const *argv, size_t n,
                       const char *want) {
  capplan_buf err;
  capplan_buf_init(&err);
  capplan_calc *c = try_calc(topic, argv, n, &err);
  if (c || !err.data || !strstr(err.data, want))
    print_error("calc %s: expected an error with '%s', got '%s'\n", topic, want,
                err.data ? err.data : "(none)");
  capplan_calc_free(c);
  assert_null(c);
  assert_non_null(err.data);
  assert_non_null(strstr(err.data, want));
  capplan_buf_release(&err);
}

static bool has_result(const capplan_calc *c, const char *name) {
  for (size_t i = 0; i < c->n_results; i++)
    if (!strcmp(c->results[i].name, name))
      return true;
  return false;
}

static double result_of(const capplan_calc *c, const char *name) {
  for (size_t i = 0; i < c->n_results; i++)
    if (!strcmp(c->results[i].name, name))
      return c->results[i].value;
  print_error("no result '%s'\n", name);
  fail();
  return 0;
}

/* The result of a step of the working labelled LABEL. */
static const char *step_result(const capplan_calc *c, const char *label) {
  const steps *w = c->working;
  for (size_t i = 0; i < w->totals.n; i++)
    if (w->totals.items[i].label && !strcmp(w->totals.items[i].label, label))
      return w->totals.items[i].result;
  print_error("no step '%s'\n", label);
  fail();
  return NULL;
}

/* ------------------------------------------------------------ training */

/* 6 x 7e9 x 2e12 / (312e12 x 0.4) / 3,600 = 186,965.8 GPU-hours (issue
 * 15), from the catalog's A100 (bf16 dense 312 TFLOPS) or a given peak. */
static void test_training_reference(void **state) {
  (void)state;
  const double want = 6 * 7e9 * 2e12 / (312e12 * 0.4) / 3600;
  expect_near(want, 186965.811965812, 1e-12);
  const char *cat[] = {"params",        "7B",  "tokens", "2T", "gpu",
                       "a100-sxm-80gb", "mfu", "40%"};
  capplan_calc *c = calc("training", cat, 4);
  expect_near(result_of(c, "flops"), 8.4e22, 1e-15);
  expect_near(result_of(c, "gpu_hours"), want, 1e-12);
  assert_true(floor(result_of(c, "gpu_hours") + 0.5) == 186966);
  assert_non_null(strstr(step_result(c, "GPU-hours"), "186,966 GPU-hours"));
  /* The catalog's price of the A100 80 GB: $3.4309 an hour. */
  expect_near(result_of(c, "cost"), want * 3.4309, 1e-9);
  assert_false(has_result(c, "gpu_hours_paid"));
  capplan_calc_free(c);
  /* The default MFU is 40%, and --peak stands for the catalog. */
  const char *peak[] = {"params", "7B", "tokens", "2T", "peak", "312TFLOPS"};
  c = calc("training", peak, 3);
  expect_near(result_of(c, "gpu_hours"), want, 1e-12);
  assert_false(has_result(c, "cost")); /* no price given */
  capplan_calc_free(c);
}

/* GPUs, a deadline, scaling efficiency, a given price, another dtype. */
static void test_training_cluster(void **state) {
  (void)state;
  const double h = 6 * 7e9 * 2e12 / (312e12 * 0.4) / 3600;
  const char *a[] = {"params",        "7B",     "tokens", "2T",       "gpu",
                     "a100-sxm-40gb", "gpus",   "1024",   "deadline", "30d",
                     "price",         "$2/hour"};
  capplan_calc *c = calc("training", a, 6);
  expect_near(result_of(c, "seconds"), h * 3600 / 1024, 1e-12);
  /* 186,965.8 / 720 h = 259.7: 260 GPUs. */
  assert_true(result_of(c, "gpus_for_deadline") == 260);
  expect_near(result_of(c, "cost"), h * 2, 1e-12);
  capplan_calc_free(c);
  /* At 90% scaling every GPU-hour costs 1/0.9 of one: 207,739.8 paid,
   * 288.5 GPUs for 30 days -> 289. */
  const char *s[] = {"params",  "7B",  "tokens",   "2T",  "peak", "312TFLOPS",
                     "scaling", "90%", "deadline", "30d", "gpus", "1000"};
  c = calc("training", s, 6);
  expect_near(result_of(c, "gpu_hours"), h, 1e-12);
  expect_near(result_of(c, "gpu_hours_paid"), h / 0.9, 1e-12);
  assert_true(result_of(c, "gpus_for_deadline") == 289);
  expect_near(result_of(c, "seconds"), h / 0.9 * 3600 / 1000, 1e-12);
  capplan_calc_free(c);
  /* An instance: its price divided by its 8 GPUs, $21.957642 / 8. */
  const char *inst[] = {"params", "7B", "tokens", "2T", "gpu", "p4d.24xlarge"};
  c = calc("training", inst, 3);
  expect_near(result_of(c, "gpu_hours"), h, 1e-12);
  expect_near(result_of(c, "cost"), h * 21.957642 / 8, 1e-9);
  capplan_calc_free(c);
  /* fp32 on the A100 is 19.5 TFLOPS: 16x the hours of bf16. */
  const char *f[] = {"params",        "7B",    "tokens", "2T", "gpu",
                     "a100-sxm-80gb", "dtype", "fp32"};
  c = calc("training", f, 4);
  expect_near(result_of(c, "gpu_hours"), h * 16, 1e-12);
  capplan_calc_free(c);
}

static void test_training_errors(void **state) {
  (void)state;
  const char *no_tokens[] = {"params", "7B", "gpu", "a100-sxm-80gb"};
  calc_fails("training", no_tokens, 2, "--params and --tokens are required");
  const char *both[] = {"params", "7B",       "tokens", "2T",
                        "gpu",    "h100-sxm", "peak",   "1PFLOPS"};
  calc_fails("training", both, 4, "give --gpu NAME");
  const char *neither[] = {"params", "7B", "tokens", "2T"};
  calc_fails("training", neither, 2, "give --gpu NAME");
  const char *unknown[] = {"params", "7B", "tokens", "2T", "gpu", "a1000"};
  calc_fails("training", unknown, 3, "no accelerator or instance named");
  const char *fp8[] = {"params",        "7B",    "tokens", "2T", "gpu",
                       "a100-sxm-80gb", "dtype", "fp8"};
  calc_fails("training", fp8, 4, "states no fp8 FLOPS");
  const char *mfu[] = {"params", "7B",      "tokens", "2T",
                       "peak",   "1PFLOPS", "mfu",    "0%"};
  calc_fails("training", mfu, 4, "--mfu and --scaling must be above 0%");
  const char *whole[] = {"params", "7.5", "tokens", "2T", "peak", "1PFLOPS"};
  calc_fails("training", whole, 3, "takes a whole number");
}

/* ------------------------------------------------------------------ ab */

static void test_ab_reference(void **state) {
  (void)state;
  const char *ss[] = {"baseline", "5%", "mde", "1%", "relative", NULL};
  capplan_calc *s = calc("sample-size", ss, 3);
  /* sample-size's figure, unchanged by the sharing with ab. */
  assert_true(result_of(s, "per_group") == 2996695);
  const char *ab[] = {"baseline", "5%", "mde", "1%",
                      "relative", NULL, "dau", "500M"};
  capplan_calc *c = calc("ab", ab, 4);
  assert_true(result_of(c, "per_arm") == result_of(s, "per_group"));
  assert_true(result_of(c, "total") == 2 * 2996695);
  /* Rounded up from 2,996,694.43; "about 2,996,700" to the hundred. */
  double exact = result_of(c, "per_arm_exact");
  assert_true(exact > 2996694 && exact < 2996695);
  assert_non_null(strstr(step_result(c, "per arm"), "(about 2,996,700)"));
  /* 500M users a day at 1%, 10%, 50%: 5M, 50M and 250M a day. */
  expect_near(result_of(c, "days_at_1pct"), 2996695 / 5e6, 1e-12);
  expect_near(result_of(c, "days_at_10pct"), 2996695 / 5e7, 1e-12);
  expect_near(result_of(c, "days_at_50pct"), 2996695 / 2.5e8, 1e-12);
  /* floor(500M x 7 / (2 x 2,996,695)) = floor(583.98). */
  assert_true(result_of(c, "experiments") == 583);
  capplan_calc_free(c);
  capplan_calc_free(s);
}

/* The smallest effect inverts the sample size: the effect found for N
 * users per arm needs exactly N users again. */
static void test_ab_smallest_effect(void **state) {
  (void)state;
  const char *ab[] = {"baseline", "5%",         "mde", "1%",       "dau",
                      "10M",      "allocation", "5%",  "duration", "14d"};
  capplan_calc *c = calc("ab", ab, 5);
  double n = 10e6 * 0.05 * 14; /* 7M per arm */
  double d = result_of(c, "mde_absolute");
  expect_near(result_of(c, "mde_relative"), d / 0.05, 1e-12);
  expect_near(result_of(c, "days"), result_of(c, "per_arm") / 5e5, 1e-12);
  /* d ~ z sqrt(2 p (1 - p) / n) for a small d. */
  expect_near(d, 2.801585 * sqrt(2 * 0.05 * 0.95 / n), 0.01);
  capplan_calc_free(c);
  char mde[64];
  snprintf(mde, sizeof mde, "%.17g", d);
  const char *back[] = {"baseline", "5%", "mde", mde};
  c = calc("ab", back, 2);
  expect_near(result_of(c, "per_arm_exact"), n, 1e-9);
  capplan_calc_free(c);
}

static void test_ab_errors(void **state) {
  (void)state;
  const char *big[] = {"baseline", "5%", "mde",        "1%",
                       "dau",      "1M", "allocation", "60%"};
  calc_fails("ab", big, 4, "at most 50%");
  const char *no_dau[] = {"baseline", "5%", "mde", "1%", "allocation", "1%"};
  calc_fails("ab", no_dau, 3, "need --dau");
  const char *p0[] = {"baseline", "0%", "mde", "1%"};
  calc_fails("ab", p0, 2, "strictly between 0% and 100%");
  const char *no_mde[] = {"baseline", "5%"};
  calc_fails("ab", no_mde, 1, "--baseline and --mde are required");
  /* Too few users for one experiment in the duration: none fit. */
  const char *few[] = {"baseline", "5%",  "mde", "1%",       "relative",
                       NULL,       "dau", "1M",  "duration", "1d"};
  capplan_calc *c = calc("ab", few, 5);
  assert_true(result_of(c, "experiments") == 0);
  capplan_calc_free(c);
  /* 99.9% can rise by at most 0.1 point: with 1 user per arm no rise
   * below 100% is detectable, and no effect is reported. */
  const char *top[] = {"baseline", "99.9%",      "mde", "0.05%",    "dau",
                       "100",      "allocation", "1%",  "duration", "1d"};
  c = calc("ab", top, 5);
  assert_false(has_result(c, "mde_absolute"));
  assert_false(has_result(c, "mde_relative"));
  assert_true(has_result(c, "days"));
  capplan_calc_free(c);
}

/* ----------------------------------------------------------- autoscale */

/* Hand-worked averages.  At peak-to-average 2 the curve is 500 (1 + cos
 * theta) QPS over servers of 100: ceil(5 (1 + cos theta)) servers, whose
 * mean over a day is sum over j = 0..9 of P(5 (1 + cos theta) > j) =
 * sum acos(j / 5 - 1) / pi = 5.5 (the terms of j and 10 - j add to 1).
 * With --min 3 it is 3 + sum over j = 3..9 = 3 + 5.5 - 1 - 1.5 = 6
 * (acos(-0.8) + acos(-0.6) = 1.5 pi).  The minute steps take the larger
 * load of each minute, a little above the continuous mean. */
static void test_autoscale_hand(void **state) {
  (void)state;
  const char *flat[] = {"qps", "1000", "per-server", "100", "peak", "1"};
  capplan_calc *c = calc("autoscale", flat, 3);
  assert_true(result_of(c, "servers_at_peak") == 10);
  assert_true(result_of(c, "servers_average") == 10);
  assert_true(result_of(c, "saving") == 0);
  capplan_calc_free(c);
  const char *two[] = {"qps",  "1000", "per-server", "100",
                       "peak", "2",    "price",      "$3K/year"};
  c = calc("autoscale", two, 4);
  expect_near(result_of(c, "average_qps"), 500, 1e-9);
  assert_true(result_of(c, "servers_at_peak") == 10);
  assert_true(result_of(c, "servers_max") == 10);
  assert_true(result_of(c, "servers_min") == 1);
  double mean = result_of(c, "servers_average");
  assert_true(mean >= 5.5 && mean < 5.52);
  expect_near(result_of(c, "saving"), 1 - mean / 10, 1e-12);
  expect_near(result_of(c, "cost_at_peak_per_year"), 30000, 1e-12);
  expect_near(result_of(c, "cost_following_per_year"), mean * 3000, 1e-12);
  expect_near(result_of(c, "saving_per_year"), (10 - mean) * 3000, 1e-12);
  capplan_calc_free(c);
  const char *floor3[] = {"qps",  "1000", "per-server", "100",
                          "peak", "2",    "min",        "3"};
  c = calc("autoscale", floor3, 4);
  mean = result_of(c, "servers_average");
  assert_true(mean >= 6 && mean < 6.02);
  assert_true(result_of(c, "servers_min") == 3);
  capplan_calc_free(c);
}

/* The lag's headroom is the steepest rise times the lag.  A sinusoid
 * from trough T to peak P rises at most (P - T) / 2 x 2 pi / 86,400 a
 * second; at r = 1.5, T = P (2 / 1.5 - 1) = P / 3.  For r = 8/3 the
 * shape is ((1 + cos theta) / 2)^2 (its mean 3/8), whose slope
 * (1 + cos theta) sin theta / 2 peaks at cos theta = 1/2: 3 sqrt(3) / 8. */
static void test_autoscale_lag(void **state) {
  (void)state;
  const double w = 2 * 3.14159265358979323846 / 86400;
  const char *sine[] = {"qps",  "1000", "per-server", "100",
                        "peak", "1.5",  "lag",        "10min"};
  capplan_calc *c = calc("autoscale", sine, 4);
  expect_near(result_of(c, "average_qps"), 1000 / 1.5, 1e-9);
  expect_near(result_of(c, "headroom_qps"), 1000 * (2.0 / 3) / 2 * w * 600,
              1e-6);
  /* At the peak the fleet carries the headroom: ceil(1,014.5 / 100). */
  assert_true(result_of(c, "servers_max") == 11);
  assert_true(result_of(c, "servers_at_peak") == 10);
  capplan_calc_free(c);
  const char *pow2[] = {"qps",  "30K",  "per-server",
                        "1200", "peak", "2.6666666666666667",
                        "lag",  "5min"};
  c = calc("autoscale", pow2, 4);
  expect_near(result_of(c, "average_qps"), 30000 * 3.0 / 8, 1e-9);
  expect_near(result_of(c, "headroom_qps"), 30000 * 3 * sqrt(3) / 8 * w * 300,
              1e-6);
  assert_non_null(strstr(step_result(c, "daily curve"), "k = 2,"));
  capplan_calc_free(c);
  /* No lag sees more than the whole swing: at r = 2 the trough is 0, so
   * a lag of 1,000 days carries the peak again (2,000 QPS: 20 servers). */
  const char *long_lag[] = {"qps",  "1000", "per-server", "100",
                            "peak", "2",    "lag",        "1000d"};
  c = calc("autoscale", long_lag, 4);
  expect_near(result_of(c, "headroom_qps"), 1000, 1e-12);
  assert_true(result_of(c, "servers_max") == 20);
  assert_true(result_of(c, "saving") < 0); /* costs more than at peak */
  capplan_calc_free(c);
  /* Seed 004's pipeline: 300K at peak on 115K, r = 2.6; the mean of the
   * curve is the peak / r whatever k the model solves for. */
  const char *seed[] = {"qps", "300K", "per-server", "10K", "peak", "2.6"};
  c = calc("autoscale", seed, 3);
  expect_near(result_of(c, "average_qps"), 300000 / 2.6, 1e-9);
  capplan_calc_free(c);
}

static void test_autoscale_errors(void **state) {
  (void)state;
  const char *low[] = {"qps", "1000", "per-server", "100", "peak", "0.5"};
  calc_fails("autoscale", low, 3, "must be between 1 and 10");
  const char *high[] = {"qps", "1000", "per-server", "100", "peak", "11"};
  calc_fails("autoscale", high, 3, "must be between 1 and 10");
  const char *cap[] = {"qps",  "1000", "per-server", "100",
                       "peak", "2",    "max",        "8"};
  calc_fails("autoscale", cap, 4, "--max 8 is below the 10 servers");
  const char *order[] = {"qps", "1000", "per-server", "100", "peak",
                         "2",   "min",  "5",          "max", "4"};
  calc_fails("autoscale", order, 5, "--max must be at least --min");
  const char *missing[] = {"qps", "1000", "peak", "2"};
  calc_fails("autoscale", missing, 2, "are required");
  const char *u0[] = {"qps",  "1000", "per-server",  "100",
                      "peak", "2",    "utilization", "0%"};
  calc_fails("autoscale", u0, 4, "--utilization must be more than 0%");
}

/* -------------------------------------- qps, storage, bandwidth gains */

static void test_gains(void **state) {
  (void)state;
  /* 300K at peak over 3 = 100K average; x 86,400 / 500M = 17.28. */
  const char *q[] = {"dau", "500M", "qps", "300K", "peak", "3"};
  capplan_calc *c = calc("qps", q, 3);
  expect_near(result_of(c, "per_user_per_day"), 17.28, 1e-12);
  expect_near(result_of(c, "average_qps"), 1e5, 1e-12);
  capplan_calc_free(c);
  /* The reverse of FORMULAS.md 7's 500M x 20/day: 115,740.7 QPS. */
  const char *q2[] = {"dau", "500M", "qps", "115740.74074074074"};
  c = calc("qps", q2, 2);
  expect_near(result_of(c, "per_user_per_day"), 20, 1e-12);
  capplan_calc_free(c);
  const char *qbad[] = {"dau", "500M", "qps", "1K", "per-user", "3/day"};
  calc_fails("qps", qbad, 3, "--qps goes with --dau alone");
  const char *qnodau[] = {"qps", "1K"};
  calc_fails("qps", qnodau, 1, "--qps goes with --dau alone");
  /* 1 PB a year kept a year, three copies: 3 PB. */
  const char *s[] = {"bytes", "1PB/year",    "retention",
                     "1y",    "replication", "3"};
  c = calc("storage", s, 3);
  expect_near(result_of(c, "bytes"), 3e15, 1e-12);
  expect_near(result_of(c, "bytes_per_day"), 1e15 / 365, 1e-12);
  capplan_calc_free(c);
  const char *s2[] = {"bytes", "1PB/year", "size", "1KB", "retention", "1y"};
  calc_fails("storage", s2, 3, "not both");
  const char *s3[] = {"bytes", "1PB/year"};
  calc_fails("storage", s3, 1, "--retention is required");
  /* 1 GB/s for a 730-hour month at $0.09/GB: 2,628,000 GB, $236,520. */
  const char *bw[] = {"qps", "50K", "size", "20KB", "price", "$0.09/GB"};
  c = calc("bandwidth", bw, 3);
  expect_near(result_of(c, "bytes_per_month"), 2.628e15, 1e-12);
  expect_near(result_of(c, "cost_per_month"), 236520, 1e-12);
  expect_near(result_of(c, "cost_per_year"), 12 * 236520, 1e-12);
  capplan_calc_free(c);
  /* A binary unit is a binary unit: $1/GiB. */
  const char *gib[] = {"qps", "1", "size", "1GiB", "price", "$1/GiB"};
  c = calc("bandwidth", gib, 3);
  expect_near(result_of(c, "cost_per_month"), 2628000, 1e-12);
  capplan_calc_free(c);
  const char *nod[] = {"qps", "50K", "size", "20KB", "price", "0.09/GB"};
  calc_fails("bandwidth", nod, 3, "takes a price per amount of data");
  const char *unit[] = {"qps", "50K", "size", "20KB", "price", "$0.09/parsec"};
  calc_fails("bandwidth", unit, 3, "takes a price per amount of data");
  const char *zero[] = {"qps", "50K", "size", "20KB", "price", "$0/GB"};
  calc_fails("bandwidth", zero, 3, "takes a price per amount of data");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_training_reference),
      cmocka_unit_test(test_training_cluster),
      cmocka_unit_test(test_training_errors),
      cmocka_unit_test(test_ab_reference),
      cmocka_unit_test(test_ab_smallest_effect),
      cmocka_unit_test(test_ab_errors),
      cmocka_unit_test(test_autoscale_hand),
      cmocka_unit_test(test_autoscale_lag),
      cmocka_unit_test(test_autoscale_errors),
      cmocka_unit_test(test_gains),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

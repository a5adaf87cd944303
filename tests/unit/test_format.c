/*
 * test_format.c - the number formats of human-readable output (format.h,
 * docs/output.md), including the seed's downtime figures.
 */
#include "helpers.h"

#include <stdlib.h>

#include "format.h"

typedef char *(*fmt_fn)(double, char *, size_t);

static void check(fmt_fn f, double v, const char *want) {
  char buf[FMT_SIZE];
  const char *got = f(v, buf, sizeof buf);
  if (strcmp(got, want)) {
    print_error("%.17g: expected \"%s\", got \"%s\"\n", v, want, got);
    fail();
  }
}

static void test_counts_and_rates(void **state) {
  (void)state;
  check(fmt_count, 0, "0");
  check(fmt_count, -0.0, "0");
  check(fmt_count, 30, "30");
  check(fmt_count, 999, "999");
  check(fmt_count, 1000, "1,000");
  check(fmt_count, 3504000, "3,504,000");
  check(fmt_count, 1e15, "1,000,000,000,000,000");
  check(fmt_rate, 30000, "30,000");
  check(fmt_rate, 1e10 / 86400, "115,741"); /* seed: 10B/day */
  check(fmt_rate, 238.0952380952, "238");
  check(fmt_rate, 12.5, "12.5");
  check(fmt_rate, 1.005, "1");
  check(fmt_rate, 0.00417, "0.00417");
  check(fmt_rate, 0.5, "0.5");
}

static void test_money_time_percent(void **state) {
  (void)state;
  check(fmt_money, 3504000, "$3,504,000");
  check(fmt_money, 1000, "$1,000");
  check(fmt_money, 999.5, "$999.50");
  check(fmt_money, 0.96, "$0.96");
  check(fmt_money, 0.5, "$0.50");
  check(fmt_money, 0, "$0");
  check(fmt_ms, 0.1, "100 ms");
  check(fmt_ms, 0.02, "20 ms");
  check(fmt_ms, 0.0125, "12.5 ms");
  check(fmt_ms, 0.00025, "0.25 ms");
  check(fmt_ms, 1.5, "1,500 ms");
  check(fmt_percent, 0.8, "80%");
  check(fmt_percent, 0.125, "12.5%");
  check(fmt_percent, 1, "100%");
}

static void test_availability_and_downtime(void **state) {
  (void)state;
  char buf[FMT_SIZE];
  assert_string_equal(
      fmt_availability(0.997002999, 0.002997001, buf, sizeof buf), "99.70%");
  assert_string_equal(fmt_availability(0.9999, 0.0001, buf, sizeof buf),
                      "99.990%");
  assert_string_equal(fmt_availability(0.789687, 0.210313, buf, sizeof buf),
                      "78.97%");
  assert_string_equal(fmt_availability(1 - 1e-15, 1e-15, buf, sizeof buf),
                      ">99.9999999%");
  /* Seed 000: 99.9% -> 8.76 h, 99.99% -> 52.56 min, 99.999% -> 5.26 min,
   * 99% -> 3.65 days (per year). */
  check(fmt_downtime, 0.001 * 525600, "8.76 h");
  check(fmt_downtime, 0.0001 * 525600, "52.56 min");
  check(fmt_downtime, 0.00001 * 525600, "5.26 min");
  check(fmt_downtime, 0.01 * 525600, "3.65 days");
  check(fmt_downtime, 0.5, "30.00 s");
}

static void test_number(void **state) {
  (void)state;
  char buf[FMT_SIZE];
  assert_string_equal(fmt_number(1234567.891, 2, buf, sizeof buf),
                      "1,234,567.89");
  assert_string_equal(fmt_number(-1234.5, 2, buf, sizeof buf), "-1,234.5");
  assert_string_equal(fmt_number(24.0, 2, buf, sizeof buf), "24");
  assert_string_equal(fmt_number(-0.001, 2, buf, sizeof buf), "0");
}

/* fmt_number's fast path (integer arithmetic instead of printf) writes
 * exactly what "%.*f" writes, trailing zeros dropped: checked on a million
 * values of every magnitude the tables print, halves and near-halves
 * included. */
static void test_number_matches_printf(void **state) {
  (void)state;
  unsigned long long x = 88172645463325252ULL; /* xorshift64 */
  char got[FMT_SIZE], want[FMT_SIZE];
  for (int i = 0; i < 1000000; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    double mant = (double)(x >> 11) / 9007199254740992.0; /* [0, 1) */
    int e = (int)(x % 15) - 6;
    double v = mant * pow(10, e);
    if (i % 7 == 0)
      v = round(v * 1000) / 1000 + 0.0005; /* halves at 3 decimals */
    if (i % 11 == 0)
      v = -v;
    int d = (int)(x % 11);
    fmt_number(v, d, got, sizeof got);
    /* the reference: printf, zeros and point dropped, digits grouped */
    snprintf(want, sizeof want, "%.*f", d, v == 0 ? 0 : v);
    if (strchr(want, '.')) {
      size_t n = strlen(want);
      while (want[n - 1] == '0')
        want[--n] = '\0';
      if (want[n - 1] == '.')
        want[--n] = '\0';
    }
    if (!strcmp(want, "-0"))
      strcpy(want, "0");
    /* compare digits with the thousands separators taken out */
    char plain[FMT_SIZE];
    size_t k = 0;
    for (const char *c = got; *c; c++)
      if (*c != ',')
        plain[k++] = *c;
    plain[k] = '\0';
    if (strcmp(plain, want)) {
      print_error("v=%.17g d=%d: got %s, printf %s\n", v, d, got, want);
      fail();
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_number_matches_printf),
      cmocka_unit_test(test_counts_and_rates),
      cmocka_unit_test(test_money_time_percent),
      cmocka_unit_test(test_availability_and_downtime),
      cmocka_unit_test(test_number),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

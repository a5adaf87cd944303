/*
 * test_units.c - unit tests of the quantity parser (src/units.c).
 *
 * Two tables drive the tests: well-formed quantities with the value they
 * normalise to in base units, and malformed ones with a substring of the
 * diagnostic and the span it must underline.  Each kind has its own test
 * function over both tables.  Reference values come from SPEC.md
 * "Quantities and units" (K=1e3, M=1e6, B=1e9, T=1e12; a month is 730
 * hours and a year 8,760; money is kept in USD per year).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first. */
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"

#define KEY "field"

/* Exact decimal inputs are compared with ==; values divided by a period
 * with this relative tolerance. */
#define REL_TOL 1e-12

enum cmp { EXACT, REL };

struct good_case {
  const char *text;
  enum unit_kind kind;
  double want;
  enum cmp cmp;
};

struct bad_case {
  const char *text;
  enum unit_kind kind;
  const char *want; /* must occur in err.message or err.help */
  size_t offset, len;
};

static const double HOUR = 3600.0;
static const double DAY = 86400.0;
static const double YEAR = 8760.0 * 3600.0;

/* The micro sign U+00B5 and the Greek small letter mu U+03BC in UTF-8. */
#define MICRO_SIGN "\xc2\xb5"
#define GREEK_MU "\xce\xbc"

static const struct good_case good[] = {
    /* counts: multipliers K M B T, digit groups, exponents */
    {"30000", UNIT_COUNT, 30000.0, EXACT},
    {"30K", UNIT_COUNT, 30000.0, EXACT},
    {"30k", UNIT_COUNT, 30000.0, EXACT},
    {"1.5M", UNIT_COUNT, 1500000.0, EXACT},
    {"500M", UNIT_COUNT, 500e6, EXACT},
    {"10B", UNIT_COUNT, 1e10, EXACT},
    {"1T", UNIT_COUNT, 1e12, EXACT},
    {"30_000", UNIT_COUNT, 30000.0, EXACT},
    {"30,000", UNIT_COUNT, 30000.0, EXACT},
    {"1,000,000", UNIT_COUNT, 1e6, EXACT},
    {"1e6", UNIT_COUNT, 1e6, EXACT},
    {"017", UNIT_COUNT, 17.0, EXACT}, /* leading zeros are decimal (YAML 1.2) */
    {"1E3", UNIT_COUNT, 1000.0, EXACT},
    {"2.5e-3K", UNIT_COUNT, 2.5, EXACT},
    {".5", UNIT_COUNT, 0.5, EXACT},
    {"5.", UNIT_COUNT, 5.0, EXACT},
    {"0", UNIT_COUNT, 0.0, EXACT},
    {"-3", UNIT_COUNT, -3.0, EXACT}, /* range checks happen elsewhere */
    {"+7", UNIT_COUNT, 7.0, EXACT},
    {"  42  ", UNIT_COUNT, 42.0, EXACT},
    {"30 K", UNIT_COUNT, 30000.0, EXACT},
    {"1.234567K", UNIT_COUNT, 1234.567, EXACT},
    {"99.9K", UNIT_COUNT, 99900.0, EXACT},
    {"1e-310", UNIT_COUNT, 1e-310, EXACT}, /* subnormal, still finite */

    /* numbers: a dimensionless factor, optionally with x */
    {"12x", UNIT_NUMBER, 12.0, EXACT},
    {"12", UNIT_NUMBER, 12.0, EXACT},
    {"3x", UNIT_NUMBER, 3.0, EXACT},
    {"1.5x", UNIT_NUMBER, 1.5, EXACT},
    {"1K", UNIT_NUMBER, 1000.0, EXACT},

    /* rates: per second, a bare number is per second */
    {"30K", UNIT_RATE, 30000.0, EXACT},
    {"0.5", UNIT_RATE, 0.5, EXACT},
    {"30K/s", UNIT_RATE, 30000.0, REL},
    {"30K / s", UNIT_RATE, 30000.0, REL},
    {"10B/day", UNIT_RATE, 1e10 / 86400.0, REL},
    {"10B/d", UNIT_RATE, 1e10 / 86400.0, REL},
    {"1K/min", UNIT_RATE, 1000.0 / 60.0, REL},
    {"1M/h", UNIT_RATE, 1e6 / 3600.0, REL},
    {"3.6K/hour", UNIT_RATE, 1.0, REL},
    {"7/week", UNIT_RATE, 7.0 / (7.0 * 86400.0), REL},

    /* daily rates: per day, a bare number is per day */
    {"20/day", UNIT_DAILY, 20.0, REL},
    {"2/hour", UNIT_DAILY, 48.0, REL},
    {"20", UNIT_DAILY, 20.0, EXACT},
    {"3/h", UNIT_DAILY, 72.0, REL},
    {"1.5/d", UNIT_DAILY, 1.5, REL},
    {"1/week", UNIT_DAILY, 1.0 / 7.0, REL},

    /* durations: seconds, a unit is required */
    {"20ms", UNIT_DURATION, 0.02, EXACT},
    {"20 ms", UNIT_DURATION, 0.02, EXACT},
    {"500us", UNIT_DURATION, 0.0005, EXACT},
    {"500" MICRO_SIGN "s", UNIT_DURATION, 0.0005, EXACT},
    {"500" GREEK_MU "s", UNIT_DURATION, 0.0005, EXACT},
    {"250ns", UNIT_DURATION, 250e-9, EXACT},
    {"1.5s", UNIT_DURATION, 1.5, EXACT},
    {"1sec", UNIT_DURATION, 1.0, EXACT},
    {"1e-3s", UNIT_DURATION, 0.001, EXACT},
    {"2min", UNIT_DURATION, 120.0, EXACT},
    {"1.5min", UNIT_DURATION, 90.0, EXACT},
    {"1h", UNIT_DURATION, 3600.0, EXACT},
    {"2hr", UNIT_DURATION, 7200.0, EXACT},
    {"0.3h", UNIT_DURATION, 1080.0, EXACT},
    /* 1.1 hours is exactly 3960 s, but the parser multiplies the rounded
     * 1.1 by 3600 after strtod() and returns 3960.0000000000005. */
    {"1.1h", UNIT_DURATION, 3960.0, EXACT},
    {"1d", UNIT_DURATION, 86400.0, EXACT},
    {"1day", UNIT_DURATION, 86400.0, EXACT},
    /* Every period money takes is a duration too, and msec and the like
     * (issue 9: 'hour' and 'msec' were refused). */
    {"20msec", UNIT_DURATION, 0.02, EXACT},
    {"500usec", UNIT_DURATION, 0.0005, EXACT},
    {"250nsec", UNIT_DURATION, 250e-9, EXACT},
    {"2second", UNIT_DURATION, 2.0, EXACT},
    {"2minute", UNIT_DURATION, 120.0, EXACT},
    {"1hour", UNIT_DURATION, 3600.0, EXACT},
    {"1.5 hour", UNIT_DURATION, 5400.0, EXACT},
    {"1week", UNIT_DURATION, 604800.0, EXACT},
    {"1mo", UNIT_DURATION, 730 * 3600.0, EXACT},
    {"1month", UNIT_DURATION, 730 * 3600.0, EXACT},
    {"1y", UNIT_DURATION, 8760 * 3600.0, EXACT},
    {"1yr", UNIT_DURATION, 8760 * 3600.0, EXACT},
    {"1year", UNIT_DURATION, 8760 * 3600.0, EXACT},

    /* fractions: 60% or 0.6 */
    {"60%", UNIT_FRACTION, 0.6, EXACT},
    {"0.6", UNIT_FRACTION, 0.6, EXACT},
    {"99.9%", UNIT_FRACTION, 0.999, EXACT}, /* exponent shifted first */
    {"99.99%", UNIT_FRACTION, 0.9999, EXACT},
    {"100%", UNIT_FRACTION, 1.0, EXACT},
    {"0.5%", UNIT_FRACTION, 0.005, EXACT},
    {"12.5 %", UNIT_FRACTION, 0.125, EXACT},
    {"0%", UNIT_FRACTION, 0.0, EXACT},
    {"0", UNIT_FRACTION, 0.0, EXACT},
    {"1", UNIT_FRACTION, 1.0, EXACT},

    /* money: USD per year; a month is 730 h, a year 8,760 h */
    {"$3K/year", UNIT_MONEY, 3000.0, REL},
    {"$2/hour", UNIT_MONEY, 17520.0, REL},
    {"$2/h", UNIT_MONEY, 17520.0, REL},
    {"$2/hr", UNIT_MONEY, 17520.0, REL},
    {"$250/month", UNIT_MONEY, 3000.0, REL},
    {"$250/mo", UNIT_MONEY, 3000.0, REL},
    {"$1.5K/month", UNIT_MONEY, 18000.0, REL},
    {"$12/day", UNIT_MONEY, 12.0 * 365.0, REL},
    {"$100/week", UNIT_MONEY, 100.0 * 8760.0 / 168.0, REL},
    {"$0.35/hour", UNIT_MONEY, 0.35 * 8760.0, REL},
    {"$1M/y", UNIT_MONEY, 1e6, REL},
    {"-$3K/year", UNIT_MONEY, -3000.0, REL},

    /* bytes: B is a byte here, K M G T P decimal, Ki Mi Gi Ti Pi binary */
    {"64GB", UNIT_BYTES, 64e9, EXACT},
    {"40GiB", UNIT_BYTES, 40.0 * 1024 * 1024 * 1024, EXACT},
    {"1.5TB", UNIT_BYTES, 1.5e12, EXACT},
    {"100B", UNIT_BYTES, 100.0, EXACT},
    {"8KB", UNIT_BYTES, 8000.0, EXACT},
    {"250MB", UNIT_BYTES, 250e6, EXACT},
    {"2PB", UNIT_BYTES, 2e15, EXACT},
    {"1.5KiB", UNIT_BYTES, 1536.0, EXACT},
    {"512MiB", UNIT_BYTES, 512.0 * 1024 * 1024, EXACT},
    {"1 TiB", UNIT_BYTES, 1024.0 * 1024 * 1024 * 1024, EXACT},

    /* FLOP counts, FLOP rates and bandwidths (SPEC.md section 6) */
    {"2GFLOP", UNIT_FLOP, 2e9, EXACT},
    {"14.5TFLOP", UNIT_FLOP, 14.5e12, EXACT},
    {"14e9", UNIT_FLOP, 14e9, EXACT},
    {"3 kFLOP", UNIT_FLOP, 3000.0, EXACT},
    {"1EFLOP", UNIT_FLOP, 1e18, EXACT},
    {"989TFLOPS", UNIT_FLOPS, 989e12, EXACT},
    {"989.4TFLOPS", UNIT_FLOPS, 989.4e12, EXACT},
    {"312 TFLOP/s", UNIT_FLOPS, 312e12, EXACT},
    {"1.979PFLOPS", UNIT_FLOPS, 1.979e15, EXACT},
    {"3.35TB/s", UNIT_BANDWIDTH, 3.35e12, EXACT},
    {"2039GB/s", UNIT_BANDWIDTH, 2039e9, EXACT},
    {"900 GB/s", UNIT_BANDWIDTH, 900e9, EXACT},
    {"400Gbit/s", UNIT_BANDWIDTH, 50e9, EXACT},
    {"1GiB/s", UNIT_BANDWIDTH, 1073741824.0, EXACT},
    {"3.6TB/hour", UNIT_BANDWIDTH, 1e9, REL},
};

static const struct bad_case bad[] = {
    /* counts */
    {"", UNIT_COUNT, "is empty", 0, 1},
    {"   ", UNIT_COUNT, "is empty", 3, 1},
    {"fast", UNIT_COUNT, "expects a number, not 'fast'", 0, 4},
    {"nan", UNIT_COUNT, "expects a number", 0, 3},
    {"inf", UNIT_COUNT, "expects a number", 0, 3},
    {"-", UNIT_COUNT, "expects a number", 0, 1},
    {"$3K/year", UNIT_COUNT, "not money", 0, 8},
    {"30m", UNIT_COUNT, "did you mean 'M'?", 2, 1},
    {"500M/day", UNIT_COUNT, "not a rate", 4, 4},
    {"1,5", UNIT_COUNT, "misplaced ','", 1, 1}, /* no decimal comma */
    {"1,0000", UNIT_COUNT, "misplaced ','", 1, 1},
    {"1.5.5", UNIT_COUNT, "unexpected '.5'", 3, 2},
    {"12 34", UNIT_COUNT, "unexpected '34'", 3, 2},
    {"0x10", UNIT_COUNT, "hexadecimal", 0, 4},
    {"0o17", UNIT_COUNT, "octal", 0, 4},
    {"0b101", UNIT_COUNT, "binary", 0, 5},
    {"1e400", UNIT_COUNT, "out of range", 0, 5},
    {"5GB", UNIT_COUNT, "not a size in bytes", 1, 2},
    {"5%", UNIT_COUNT, "not a fraction", 1, 1},
    {"12x", UNIT_COUNT, "not a factor", 2, 1},
    {"500M / day", UNIT_COUNT, "not a rate", 5, 5}, /* from the '/' */
    {"-1e400", UNIT_COUNT, "out of range", 1, 5},
    {"1e-400", UNIT_COUNT, "too small", 0, 6}, /* underflow is no zero */

    /* numbers */
    {"12X", UNIT_NUMBER, "did you mean 'x'?", 2, 1},
    {"3x/s", UNIT_NUMBER, "not a rate", 2, 2},

    /* rates */
    {"20ms", UNIT_RATE, "not a duration", 2, 2},
    {"10B/fortnight", UNIT_RATE, "unknown period 'fortnight'", 4, 9},
    {"10B/days", UNIT_RATE, "did you mean 'day'?", 4, 4},
    {"10/", UNIT_RATE, "without a period", 2, 1},
    {"5%/s", UNIT_RATE, "not a fraction", 1, 1},
    {"$5/s", UNIT_RATE, "not money", 0, 4},
    {"1e308K", UNIT_RATE, "out of range", 0, 5},
    {"20 per day", UNIT_RATE, "use '/'", 3, 3},

    /* daily rates */
    {"20/fortnight", UNIT_DAILY, "unknown period", 3, 9},
    {"2GB/day", UNIT_DAILY, "not a size in bytes", 1, 2},

    /* durations */
    {"", UNIT_DURATION, "is empty", 0, 1},
    {"20", UNIT_DURATION, "needs a unit", 0, 2},
    {"5GB", UNIT_DURATION, "a size in bytes", 1, 2},
    {"20 millis", UNIT_DURATION, "did you mean 'ms'?", 3, 6},
    {"  20 millis", UNIT_DURATION, "unknown unit 'millis'", 5, 6},
    {"2hours", UNIT_DURATION, "did you mean 'h'?", 1, 5},
    {"20MS", UNIT_DURATION, "did you mean 'ms'?", 2, 2},
    {"5m", UNIT_DURATION, "did you mean 'min'?", 1, 1},
    {"10ms..50ms", UNIT_DURATION, "range", 0, 10},
    {"10ms to 50ms", UNIT_DURATION, "range", 0, 12},
    {"20ms/s", UNIT_DURATION, "not a rate", 4, 2},
    {"1e400s", UNIT_DURATION, "out of range", 0, 5},
    {"1e-400s", UNIT_DURATION, "too small", 0, 6},

    /* fractions */
    {"60", UNIT_FRACTION, "'60%'", 0, 2},
    {"1.5", UNIT_FRACTION, "above 1", 0, 3},
    {"5%/s", UNIT_FRACTION, "not a rate", 2, 2},
    {"60K", UNIT_FRACTION, "not a count", 2, 1},
    {"60pct", UNIT_FRACTION, "did you mean '%'?", 2, 3},

    /* money */
    {"$3K", UNIT_MONEY, "needs a period", 0, 3},
    {"3000/year", UNIT_MONEY, "takes money", 0, 9},
    {"$2/hours", UNIT_MONEY, "did you mean 'hour'?", 3, 5},
    {"$5GB/year", UNIT_MONEY, "not a size in bytes", 2, 2},
    {"$", UNIT_MONEY, "expects a number", 0, 1},

    /* bytes */
    {"64", UNIT_BYTES, "needs a unit", 0, 2},
    {"64gb", UNIT_BYTES, "did you mean 'GB'?", 2, 2},
    {"64G", UNIT_BYTES, "did you mean 'GB'?", 2, 1},
    {"64 bytes", UNIT_BYTES, "did you mean 'B'?", 3, 5},
    {"10ms", UNIT_BYTES, "not a duration", 2, 2},
    {"64GB/s", UNIT_BYTES, "not a rate", 4, 2},
    {"2GFLOP/s", UNIT_FLOP, "not a FLOP rate", 1, 7},
    {"2GFLOPS", UNIT_FLOP, "not a FLOP rate", 1, 6},
    {"2Gflop", UNIT_FLOP, "did you mean 'GFLOP'?", 1, 5},
    {"20ms", UNIT_FLOP, "not a duration", 2, 2},
    {"989", UNIT_FLOPS, "needs a unit", 0, 3},
    {"989TB/s", UNIT_FLOPS, "not a size in bytes", 3, 2},
    {"989TFLOPS/s", UNIT_FLOPS, "not a rate", 9, 2},
    {"3.35", UNIT_BANDWIDTH, "needs a unit", 0, 4},
    {"3.35TB", UNIT_BANDWIDTH, "not a size in bytes", 4, 2},
    {"400Gbit", UNIT_BANDWIDTH, "not bits", 3, 4},
    {"3TB/fortnight", UNIT_BANDWIDTH, "unknown period", 4, 9},
    {"3Tb/s", UNIT_BANDWIDTH, "did you mean 'TB'?", 1, 2},
    {"10TFLOPS", UNIT_BANDWIDTH, "not a FLOP rate", 2, 6},
};

#define N_GOOD (sizeof good / sizeof good[0])
#define N_BAD (sizeof bad / sizeof bad[0])

static const enum unit_kind all_kinds[] = {
    UNIT_COUNT,    UNIT_NUMBER,   UNIT_RATE,      UNIT_DAILY,
    UNIT_DURATION, UNIT_FRACTION, UNIT_MONEY,     UNIT_BYTES,
    UNIT_FLOP,     UNIT_FLOPS,    UNIT_BANDWIDTH,
};

static bool close_enough(double got, const struct good_case *c) {
  if (c->cmp == EXACT)
    return got == c->want;
  return fabs(got - c->want) <= REL_TOL * fabs(c->want);
}

/* Parses one good case; prints what is wrong and returns false on a
 * mismatch so that every failing case in a table is named. */
static bool check_good(const struct good_case *c) {
  double got = NAN;
  unit_error err;
  memset(&err, 0, sizeof err);
  int rc = units_parse(c->text, strlen(c->text), c->kind, KEY, &got, &err);
  if (rc != 0) {
    print_error("'%s' as %s: rejected: %s (%s)\n", c->text,
                units_kind_name(c->kind), err.message, err.help);
    return false;
  }
  if (!isfinite(got) || !close_enough(got, c)) {
    print_error("'%s' as %s: got %.17g, want %.17g\n", c->text,
                units_kind_name(c->kind), got, c->want);
    return false;
  }
  return true;
}

/* Parses one bad case: it must fail, say C->want, name the key and
 * underline C->offset..C->offset+C->len. */
static bool check_bad(const struct bad_case *c) {
  double got = 12345.0;
  unit_error err;
  memset(&err, 0, sizeof err);
  int rc = units_parse(c->text, strlen(c->text), c->kind, KEY, &got, &err);
  if (rc != -1) {
    print_error("'%s' as %s: accepted as %.17g (rc %d)\n", c->text,
                units_kind_name(c->kind), got, rc);
    return false;
  }
  bool ok = true;
  if (!strstr(err.message, c->want) && !strstr(err.help, c->want)) {
    print_error("'%s' as %s: want \"%s\" in: %s (%s)\n", c->text,
                units_kind_name(c->kind), c->want, err.message, err.help);
    ok = false;
  }
  if (!strstr(err.message, "'" KEY "'")) {
    print_error("'%s' as %s: the message does not name the key: %s\n", c->text,
                units_kind_name(c->kind), err.message);
    ok = false;
  }
  if (err.offset != c->offset || err.len != c->len) {
    print_error("'%s' as %s: span %zu+%zu, want %zu+%zu\n", c->text,
                units_kind_name(c->kind), err.offset, err.len, c->offset,
                c->len);
    ok = false;
  }
  /* The caret may sit one past the end (a missing part), never further. */
  if (err.offset + err.len > strlen(c->text) + 1) {
    print_error("'%s' as %s: span %zu+%zu is past the end\n", c->text,
                units_kind_name(c->kind), err.offset, err.len);
    ok = false;
  }
  return ok;
}

/* Runs every case of KIND in both tables, then fails if any did. */
static void run_kind(enum unit_kind kind) {
  size_t n_good = 0, n_bad = 0, n_failed = 0;
  for (size_t i = 0; i < N_GOOD; i++)
    if (good[i].kind == kind) {
      n_good++;
      if (!check_good(&good[i]))
        n_failed++;
    }
  for (size_t i = 0; i < N_BAD; i++)
    if (bad[i].kind == kind) {
      n_bad++;
      if (!check_bad(&bad[i]))
        n_failed++;
    }
  /* Every kind has cases in both tables. */
  assert_true(n_good > 0);
  assert_true(n_bad > 0);
  assert_int_equal(n_failed, 0);
}

static void test_count(void **state) {
  (void)state;
  run_kind(UNIT_COUNT);
}

static void test_number(void **state) {
  (void)state;
  run_kind(UNIT_NUMBER);
}

static void test_rate(void **state) {
  (void)state;
  run_kind(UNIT_RATE);
}

static void test_daily(void **state) {
  (void)state;
  run_kind(UNIT_DAILY);
}

static void test_duration(void **state) {
  (void)state;
  run_kind(UNIT_DURATION);
}

static void test_fraction(void **state) {
  (void)state;
  run_kind(UNIT_FRACTION);
}

static void test_money(void **state) {
  (void)state;
  run_kind(UNIT_MONEY);
}

static void test_bytes(void **state) {
  (void)state;
  run_kind(UNIT_BYTES);
}

/* "-0" is zero, never negative zero, whatever the kind. */
static void test_flop(void **state) {
  (void)state;
  run_kind(UNIT_FLOP);
}

static void test_flops(void **state) {
  (void)state;
  run_kind(UNIT_FLOPS);
}

static void test_bandwidth(void **state) {
  (void)state;
  run_kind(UNIT_BANDWIDTH);
}

static void test_negative_zero(void **state) {
  static const struct {
    const char *text;
    enum unit_kind kind;
  } zeros[] = {
      {"-0", UNIT_COUNT},      {"-0", UNIT_NUMBER},
      {"-0", UNIT_RATE},       {"-0", UNIT_DAILY},
      {"-0ms", UNIT_DURATION}, {"-0", UNIT_FRACTION},
      {"-0%", UNIT_FRACTION},  {"$-0/year", UNIT_MONEY},
      {"-0GB", UNIT_BYTES},    {"-0.0K", UNIT_COUNT},
      {"-0/day", UNIT_RATE},   {"-$0/hour", UNIT_MONEY},
  };
  (void)state;
  for (size_t i = 0; i < sizeof zeros / sizeof zeros[0]; i++) {
    double got = NAN;
    unit_error err;
    int rc = units_parse(zeros[i].text, strlen(zeros[i].text), zeros[i].kind,
                         KEY, &got, &err);
    bool ok = rc == 0 && got == 0.0 && !signbit(got);
    if (!ok)
      print_error("'%s' as %s: rc %d, got %g\n", zeros[i].text,
                  units_kind_name(zeros[i].kind), rc, got);
    assert_true(ok);
  }
}

/* A subnormal is finite and accepted as it is, not flushed to zero. */
static void test_subnormal(void **state) {
  double got = 0;
  unit_error err;
  (void)state;
  assert_int_equal(units_parse("1e-310", 6, UNIT_COUNT, KEY, &got, &err), 0);
  assert_true(isfinite(got));
  assert_true(got > 0 && got < DBL_MIN);
  assert_int_equal(fpclassify(got), FP_SUBNORMAL);
}

/* TEXT need not be NUL-terminated: only LEN bytes are read, and offsets
 * count from TEXT even when leading blanks are skipped. */
static void test_length_bounded(void **state) {
  static const char buf[] = {'3', '0', 'K', 'x', 'y', 'z'};
  static const char ms[] = {'2', '0', 'm', 's', 'x', 'y'};
  double got = 0;
  unit_error err;
  (void)state;
  assert_int_equal(units_parse(buf, 3, UNIT_COUNT, KEY, &got, &err), 0);
  assert_true(got == 30000.0);
  assert_int_equal(units_parse(ms, 4, UNIT_DURATION, KEY, &got, &err), 0);
  assert_true(got == 0.02);
  assert_int_equal(units_parse(ms, 6, UNIT_DURATION, KEY, &got, &err), -1);
  assert_int_equal(err.offset, 2);
  assert_int_equal(err.len, 4);
}

/* A plain number and a duration in ms read exactly as strtod() reads the
 * same digits (the fast path for mantissas of up to 15 digits and powers
 * of ten up to 22, and strtod beyond): 200,000 random texts of 1 to 19
 * digits, a point anywhere, exponents from -30 to 30, halfway cases of
 * 17 digits included. */
static void test_matches_strtod(void **state) {
  (void)state;
  unsigned long long x = 0x9E3779B97F4A7C15ULL; /* xorshift64 */
  for (int i = 0; i < 200000; i++) {
    char text[64], ref[64];
    size_t n = 0;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    int digits = 1 + (int)(x % 19);
    int point = (int)((x >> 8) % (unsigned long long)(digits + 1));
    int e = (int)((x >> 16) % 61) - 30;
    unsigned long long y = x;
    for (int k = 0; k < digits; k++) {
      if (k == point && k > 0)
        text[n++] = '.';
      y = y * 6364136223846793005ULL + 1442695040888963407ULL;
      text[n++] = (char)('0' + (k == 0 ? 1 + (y >> 33) % 9 : (y >> 33) % 10));
    }
    if (i % 4 == 0) { /* a decimal halfway between two doubles, often */
      n = 0;
      n += (size_t)snprintf(text, sizeof text, "%.16e",
                            (double)(x >> 11) * 0x1p-30);
      text[n - 4] = '\0'; /* drop the exponent, keep 17 digits */
      n = strlen(text);
      memcpy(text + n, "5", 2);
      n++;
    }
    bool ms = i % 3 == 0;
    int wrote = snprintf(text + n, sizeof text - n, "e%d%s", e, ms ? "ms" : "");
    assert_true(wrote > 0);
    snprintf(ref, sizeof ref, "%.*se%d", (int)n, text, e - (ms ? 3 : 0));
    double got = 0, want = strtod(ref, NULL);
    unit_error err;
    int rc = units_parse(text, strlen(text), ms ? UNIT_DURATION : UNIT_NUMBER,
                         KEY, &got, &err);
    if (rc != 0 || memcmp(&got, &want, sizeof got)) {
      print_error("%s: got %.17g (rc %d), strtod %.17g\n", text, got, rc, want);
      fail();
    }
  }
}

/* The quick path (units_parse_quick, which units_parse takes first) gives
 * what the lexer's path gives, bit for bit: 100,000 random texts of 1 to
 * 17 digits, a point anywhere, and a unit, each read as written and with
 * 'e0' before its unit, which only the lexer reads. */
static void test_quick_matches_lexer(void **state) {
  (void)state;
  static const struct {
    const char *unit;
    enum unit_kind kind;
  } forms[] = {
      {"", UNIT_NUMBER},       {"x", UNIT_NUMBER},    {"K", UNIT_COUNT},
      {"B", UNIT_COUNT},       {"T", UNIT_RATE},      {"k", UNIT_DAILY},
      {"ms", UNIT_DURATION},   {"us", UNIT_DURATION}, {"min", UNIT_DURATION},
      {"year", UNIT_DURATION}, {"%", UNIT_FRACTION},  {"", UNIT_FRACTION},
      {"GB", UNIT_BYTES},      {"KiB", UNIT_BYTES},   {"PiB", UNIT_BYTES},
  };
  unsigned long long x = 0x2545F4914F6CDD1DULL; /* xorshift64 */
  size_t quick = 0;
  for (int i = 0; i < 100000; i++) {
    char text[64], slow[64];
    size_t n = 0;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    int digits = 1 + (int)(x % 17);
    int point = (int)((x >> 8) % (unsigned long long)(digits + 2));
    unsigned long long y = x;
    for (int k = 0; k < digits; k++) {
      if (k == point)
        text[n++] = '.';
      y = y * 6364136223846793005ULL + 1442695040888963407ULL;
      text[n++] = (char)('0' + (y >> 33) % 10);
    }
    size_t f = (size_t)((x >> 20) % (sizeof forms / sizeof forms[0]));
    snprintf(slow, sizeof slow, "%.*se0%s", (int)n, text, forms[f].unit);
    snprintf(text + n, sizeof text - n, "%s", forms[f].unit);
    double a = 0, b = 0, c = 0;
    unit_error e1, e2;
    int ra = units_parse(text, strlen(text), forms[f].kind, KEY, &a, &e1);
    int rb = units_parse(slow, strlen(slow), forms[f].kind, KEY, &b, &e2);
    bool q = units_parse_quick(text, strlen(text), forms[f].kind, &c);
    quick += q;
    if (ra != rb || (ra == 0 && memcmp(&a, &b, sizeof a)) ||
        (q && (ra != 0 || memcmp(&a, &c, sizeof a)))) {
      print_error("%s: %.17g (rc %d, quick %d %.17g), %s: %.17g (rc %d)\n",
                  text, a, ra, q, c, slow, b, rb);
      fail();
    }
  }
  assert_true(quick > 50000); /* the quick path was the one tested */
}

static void test_period_seconds(void **state) {
  static const struct {
    const char *name;
    double seconds;
  } periods[] = {
      {"s", 1.0},
      {"sec", 1.0},
      {"min", 60.0},
      {"h", 3600.0},
      {"hr", 3600.0},
      {"hour", 3600.0},
      {"d", 86400.0},
      {"day", 86400.0},
      {"week", 7 * 86400.0},
      {"mo", 730 * 3600.0},
      {"month", 730 * 3600.0},
      {"y", 8760 * 3600.0},
      {"year", 8760 * 3600.0},
      {"fortnight", 0},
      {"days", 0},
      {"", 0},
  };
  (void)state;
  for (size_t i = 0; i < sizeof periods / sizeof periods[0]; i++) {
    const char *name = periods[i].name;
    double got = units_period_seconds(name, strlen(name));
    if (got != periods[i].seconds)
      print_error("period '%s': got %.17g, want %.17g\n", name, got,
                  periods[i].seconds);
    assert_true(got == periods[i].seconds);
  }
  /* Only LEN bytes count: "hour" cut to 1 byte is "h". */
  assert_true(units_period_seconds("hour", 1) == HOUR);
  assert_true(units_period_seconds("day", 3) == DAY);
  assert_true(units_period_seconds("year", 4) == YEAR);
}

/* Names, examples and base units exist for every kind, and each example
 * parses as its own kind. */
static void test_kind_strings(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof all_kinds / sizeof all_kinds[0]; i++) {
    enum unit_kind kind = all_kinds[i];
    const char *name = units_kind_name(kind);
    const char *example = units_kind_example(kind);
    const char *base = units_base_unit(kind);
    assert_non_null(name);
    assert_non_null(example);
    assert_non_null(base);
    assert_true(strlen(name) > 0);
    assert_true(strlen(example) > 0);
    assert_true(strlen(base) > 0);
    double got = NAN;
    unit_error err;
    int rc = units_parse(example, strlen(example), kind, KEY, &got, &err);
    if (rc != 0)
      print_error("example '%s' of %s: %s\n", example, name, err.message);
    assert_int_equal(rc, 0);
    assert_true(isfinite(got));
  }
  assert_string_equal(units_kind_name(UNIT_BYTES), "a size in bytes");
  assert_string_equal(units_kind_name(UNIT_DURATION), "a duration");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_count),
      cmocka_unit_test(test_number),
      cmocka_unit_test(test_rate),
      cmocka_unit_test(test_daily),
      cmocka_unit_test(test_duration),
      cmocka_unit_test(test_fraction),
      cmocka_unit_test(test_money),
      cmocka_unit_test(test_bytes),
      cmocka_unit_test(test_flop),
      cmocka_unit_test(test_flops),
      cmocka_unit_test(test_bandwidth),
      cmocka_unit_test(test_negative_zero),
      cmocka_unit_test(test_subnormal),
      cmocka_unit_test(test_length_bounded),
      cmocka_unit_test(test_matches_strtod),
      cmocka_unit_test(test_quick_matches_lexer),
      cmocka_unit_test(test_period_seconds),
      cmocka_unit_test(test_kind_strings),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

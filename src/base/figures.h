/*
 * figures.h - constants every layer states the same way, and the check
 * type the estimator fills and the renderers print.  Private to the
 * library.
 */
#ifndef CAPPLAN_FIGURES_H
#define CAPPLAN_FIGURES_H

#include <math.h>
#include <stdbool.h>

/* Constants the report states (FORMULAS.md section 1, SPEC.md units). */
#define CAPPLAN_HOURS_PER_YEAR 8760.0
#define CAPPLAN_HOURS_PER_MONTH 730.0
#define CAPPLAN_MINUTES_PER_YEAR 525600.0
#define CAPPLAN_MINUTES_PER_MONTH 43800.0
#define CAPPLAN_DEFAULT_AVAILABILITY 0.999
/* The most nines capplan states (FORMULAS.md section 2b): past it,
 * correlated causes that no spec models (a region, a bad deploy, a
 * configuration push) dominate, so more digits would be false precision.
 * Figures past it print as ">9" nines and ">99.9999999%". */
#define CAPPLAN_NINES_CAP 9
/* Defaults a spec need not state (docs/decisions.md).  A zone's
 * availability: a cloud's single-instance SLO bounds it from below, since
 * a zone outage takes every instance in it down. */
#define CAPPLAN_DEFAULT_ZONE_AVAILABILITY 0.999
#define CAPPLAN_ZONE_AVAILABILITY_SOURCE                                       \
  "https://cloud.google.com/compute/sla (read 2026-11-30): a single "          \
  "instance >= 99.9%; a zone is at least as available as one instance in it"
/* Share of a server's memory kept from data (runtime, OS, fragmentation;
 * vLLM's default gpu_memory_utilization of 0.9 keeps 10% on GPUs). */
#define CAPPLAN_DEFAULT_MEMORY_RESERVE 0.2
#define CAPPLAN_CEIL_TOLERANCE 1e-9 /* the tolerance's floor */
#define CAPPLAN_CEIL_RELATIVE 1e-12 /* its share of X above 1,000 */
#define CAPPLAN_CEIL_MAX 0.5        /* its ceiling */
/* The tolerance keeps float noise above a whole number
 * (28.000000000000004) from buying a server: 1e-9 up to 1,000, then
 * 1e-12 of X (the noise of a double grows with it), and at most 0.5
 * (from 5e11 on), so the ceiling never drops a server's worth of load. */
static inline double capplan_ceil_tolerance(double x) {
  double t = fabs(x) * CAPPLAN_CEIL_RELATIVE; /* one instruction */
  if (t > CAPPLAN_CEIL_MAX)
    t = CAPPLAN_CEIL_MAX;
  return t > CAPPLAN_CEIL_TOLERANCE ? t : CAPPLAN_CEIL_TOLERANCE;
}
/* floor() of X, for the whole numbers an evaluation counts: by
 * truncation below 2^52, which needs no library call on a baseline x86-64
 * build (an evaluation takes it several times per stage); larger ones,
 * and NaN, through the library's. */
double capplan_floor_slow(double x);
static inline double capplan_floor(double x) {
  /* The counts it takes are not negative: there truncation is floor. */
  if (x >= 0 && x < 4503599627370496.0)
    return (double)(long long)x;
  if (x > -4503599627370496.0 && x < 0) {
    double c = (double)(long long)x;
    return c > x ? c - 1 : c;
  }
  return capplan_floor_slow(x);
}
/* The one ceiling of sizing (SPEC.md "Sizing and rounding") for the
 * counts sizing takes, CAPPLAN_CEIL_TOLERANCE < X <= 4e11: ceil(x - t)
 * with t = capplan_ceil_tolerance(x), at least 1.  There the tolerance
 * lies below its cap of 0.5 and below X (so X - t is positive), and
 * X - t below 2^52: no test but the ceiling's own. */
static inline double capplan_ceil_in_range(double x) {
  double y = x - (x * CAPPLAN_CEIL_RELATIVE > CAPPLAN_CEIL_TOLERANCE
                      ? x * CAPPLAN_CEIL_RELATIVE
                      : CAPPLAN_CEIL_TOLERANCE);
  double c = (double)(long long)y;
  return c < y ? c + 1 : c; /* at least 1 */
}
static inline bool capplan_ceil_fits(double x) {
  return x > CAPPLAN_CEIL_TOLERANCE && x <= 4e11;
}
/* The same for any X: ceil(x - t), never below 0; or LO (0 or 1) where
 * that is 0, for the counts that are at least one server.  Inline:
 * sizing takes it a few times per stage and evaluation. */
static inline double capplan_ceil_at_least(double x, double lo) {
  if (capplan_ceil_fits(x))
    return capplan_ceil_in_range(x);
  /* capplan_ceil_tolerance(x) without its branches: they differ only
   * for a NaN X, and then Y is NaN either way. */
  double t = fabs(x) * CAPPLAN_CEIL_RELATIVE;
  t = t < CAPPLAN_CEIL_MAX ? t : CAPPLAN_CEIL_MAX;
  t = t > CAPPLAN_CEIL_TOLERANCE ? t : CAPPLAN_CEIL_TOLERANCE;
  double y = x - t;
  if (y > 0 && y < 4503599627370496.0) {
    double c = (double)(long long)y;
    return c < y ? c + 1 : c; /* at least 1 */
  }
  /* From 2^52 on every double is whole; at or below 0 (and NaN) the
   * ceiling is 0. */
  return y >= 4503599627370496.0 ? y : lo;
}
double capplan_ceil_slow(double y);
static inline double capplan_ceil(double x) {
  return capplan_ceil_at_least(x, 0);
}
/* A queue busier than this share of its slots gets a warning (SPEC.md
 * section 7, "above 90%").  "Above" with a relative tolerance, as the
 * ceilings above: a stage sized to exactly 90% computes as
 * 0.9000000000000001 and must not warn. */
#define CAPPLAN_BUSY_WARN 0.9
static inline bool capplan_busy(double utilization) {
  return utilization > CAPPLAN_BUSY_WARN * (1 + CAPPLAN_CEIL_TOLERANCE);
}
/* Counts above 2^53 are no longer exact in a double: no server or GPU
 * count capplan reports is larger. */
#define CAPPLAN_MAX_EXACT 9007199254740992.0

enum capplan_check_kind {
  CAPPLAN_CHECK_LATENCY,
  CAPPLAN_CHECK_AVAILABILITY,
  CAPPLAN_CHECK_COST,
  CAPPLAN_CHECK_GPUS,
  CAPPLAN_CHECK_SERVERS,
  CAPPLAN_CHECK_TTFT, /* slo.ttft: the slowest llm stage's, ms */
  CAPPLAN_CHECK_TPOT, /* slo.tpot: the slowest llm stage's, ms */
  /* Percentiles of the response (SPEC.md section 7), end to end or of a
   * stage, in the order of enum pct (plan.h). */
  CAPPLAN_CHECK_LATENCY_P50,
  CAPPLAN_CHECK_LATENCY_P95,
  CAPPLAN_CHECK_LATENCY_P99,
  CAPPLAN_CHECK_LATENCY_P999
};
#define CAPPLAN_CHECK_IS_PCT(k) ((k) >= CAPPLAN_CHECK_LATENCY_P50)

/* A limit, the plan's figure and the verdict. */
typedef struct capplan_check {
  enum capplan_check_kind kind;
  const char *name;   /* "latency", "availability", "cost", "gpus", ... */
  const char *unit;   /* "ms", "fraction", "USD/year", "gpus", "servers" */
  const char *source; /* "spec" or "flag" */
  const char *stage;  /* the stage a percentile is of; NULL: end to end */
  bool upper;         /* actual must be <= limit (else >= limit) */
  /* False when the plan has no such figure (a percentile of an
   * overloaded stage): the check fails and ACTUAL is 0. */
  bool known;
  double limit, actual;
  double margin;     /* how far inside the limit; negative when past it */
  double margin_pct; /* the margin in percent of the limit (limit > 0) */
  bool passed;
} capplan_check;

#endif

/*
 * units.h - quantities with units: 30K, 10B/day, 20ms, 60%, $2/hour, 64GB.
 *
 * The parser normalises every quantity to one base unit per kind (below) and
 * rejects a unit that does not fit the kind the caller expects, so that
 * `latency: 5GB` is an error rather than a number (SPEC.md "Quantities and
 * units").
 */
#ifndef CAPPLAN_UNITS_H
#define CAPPLAN_UNITS_H

#include <stddef.h>

enum unit_kind {
  UNIT_COUNT,    /* 500M: a number of things; K M B T multipliers */
  UNIT_NUMBER,   /* 12, 12x, 3x: a dimensionless factor */
  UNIT_RATE,     /* 30K, 30K/s, 10B/day: per second (bare = per second) */
  UNIT_DAILY,    /* 20/day, 2/hour: per day (bare = per day) */
  UNIT_DURATION, /* 20ms, 1.5s, 2min: seconds; a unit is required */
  UNIT_FRACTION, /* 60% or 0.6: a fraction in [0, 1] */
  UNIT_MONEY,    /* $3K/year, $2/hour, $250/month: USD per year */
  UNIT_BYTES,    /* 64GB, 40GiB, 100B: bytes; a unit is required */
  UNIT_FLOP,     /* 2GFLOP, 14e9: floating-point operations (a count) */
  UNIT_FLOPS,    /* 989TFLOPS, 312 TFLOP/s: FLOP per second; unit required */
  UNIT_BANDWIDTH /* 3.35TB/s, 400Gbit/s: bytes per second; unit required */
};

/* Why a quantity was rejected: a message naming KEY, a hint on how to write
 * it, and the byte span within the text to underline. */
typedef struct unit_error {
  char message[192];
  char help[160];
  size_t offset, len;
} unit_error;

/* Parses TEXT (LEN bytes, need not be NUL-terminated) as a quantity of
 * KIND for the spec key KEY.  Returns 0 and stores the value in base units
 * in *OUT (never NaN, never infinite, never -0), or -1 and fills *ERR. */
int units_parse(const char *text, size_t len, enum unit_kind kind,
                const char *key, double *out, unit_error *err);

/* "a duration", "a fraction", ... for messages and docs. */
const char *units_kind_name(enum unit_kind kind);
/* An example of a well-formed quantity of KIND, e.g. "20ms". */
const char *units_kind_example(enum unit_kind kind);
/* The unit of the normalised value: "s", "1/s", "USD/year", ... */
const char *units_base_unit(enum unit_kind kind);

/* Seconds in the period named NAME (s, min, h, day, week, month, year and
 * their spellings), or 0 if NAME is not a period. */
double units_period_seconds(const char *name, size_t len);

/* Parses TEXT as a quantity of KIND, one of "count", "number", "rate",
 * "daily", "duration", "fraction", "money", "bytes", "flop", "flops",
 * "bandwidth" (docs/spec.md, units), into base units: per second, seconds,
 * a fraction, USD per year, bytes, FLOP, FLOP per second, bytes per
 * second.
 * Returns 0, or -1 with what is wrong (naming NAME) in ERR and how to fix
 * it in HELP (either may be NULL).  For command-line values. */
struct capplan_buf;
int capplan_quantity(const char *text, const char *kind, const char *name,
                     double *out, struct capplan_buf *err,
                     struct capplan_buf *help);

#endif

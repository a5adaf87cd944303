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

#include <stdbool.h>
#include <stddef.h>

enum unit_kind {
  UNIT_COUNT,     /* 500M: a number of things; K M B T multipliers */
  UNIT_NUMBER,    /* 12, 12x, 3x: a dimensionless factor */
  UNIT_RATE,      /* 30K, 30K/s, 10B/day: per second (bare = per second) */
  UNIT_DAILY,     /* 20/day, 2/hour: per day (bare = per day) */
  UNIT_DURATION,  /* 20ms, 1.5s, 2min: seconds; a unit is required */
  UNIT_FRACTION,  /* 60% or 0.6: a fraction in [0, 1] */
  UNIT_MONEY,     /* $3K/year, $2/hour, $250/month: USD per year */
  UNIT_BYTES,     /* 64GB, 40GiB, 100B: bytes; a unit is required */
  UNIT_FLOP,      /* 2GFLOP, 14e9: floating-point operations (a count) */
  UNIT_FLOPS,     /* 989TFLOPS, 312 TFLOP/s: FLOP per second; unit required */
  UNIT_BANDWIDTH, /* 3.35TB/s, 400Gbit/s: bytes per second; unit required */
  UNIT_GROWTH     /* 5%/month, 60%/year: compounded growth per month */
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

/* True, with the value in *OUT, when TEXT (LEN bytes, untrimmed) is the
 * common quantity of KIND that units_parse reads at once: digits with at
 * most one '.' and a unit of letters or '%' ('1ms', '3K', '60%').  Such a
 * text is never a distribution, and *OUT is what units_parse gives.
 * False for anything else, which units_parse then reads. */
bool units_parse_quick(const char *text, size_t len, enum unit_kind kind,
                       double *out);

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

/* ------------------------------------------------ ranges and distributions */

/* A quantity given as a distribution (SPEC.md section 8): a 90% interval
 * 'a to b' or 'a..b', or normal(m, sd), uniform(a, b), triangular(a, mode,
 * b).  The parser checks the form and each value's unit; the distribution
 * it stands for (lognormal or normal for an interval, FORMULAS.md section
 * 5) and its median come from dist.h. */
enum dist_kind {
  DIST_INTERVAL,  /* a to b: lognormal when 0 < a, else normal */
  DIST_NORMAL,    /* normal(mean, sd) */
  DIST_UNIFORM,   /* uniform(a, b) */
  DIST_TRIANGULAR /* triangular(a, mode, b) */
};

typedef struct qdist {
  enum dist_kind kind;
  size_t n;              /* values written: 2, or 3 for triangular */
  double v[3];           /* in base units, in the order written */
  size_t off[3], len[3]; /* each value's span within the text */
} qdist;

/* True if TEXT (LEN bytes) is written as a distribution rather than a
 * single quantity: it holds ' to ' or '..', or starts with normal(,
 * uniform( or triangular(. */
int units_is_dist(const char *text, size_t len);

/* Parses TEXT as a distribution of quantities of KIND for the key KEY
 * (each value unit-checked like a single quantity; a bare number that
 * needs a unit takes the one of the value after it: '10 to 50ms' is 10ms
 * to 50ms, while '500 to 2K' is 500 to 2,000).
 * Checks the form only: an empty or inverted interval, a standard
 * deviation that is not positive, a mode outside its ends.  Returns 0,
 * or -1 with *ERR filled (offsets within TEXT). */
int units_parse_dist(const char *text, size_t len, enum unit_kind kind,
                     const char *key, qdist *out, unit_error *err);

#endif

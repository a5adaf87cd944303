/*
 * format.h - how numbers look in human-readable output.
 *
 * One rule per kind of figure, shared by every text renderer so that the
 * same figure reads the same everywhere (docs/output.md states the rules):
 *   counts      whole, with thousands separators: 3,504,000
 *   rates       >= 100 whole; >= 1 up to 2 decimals; below 1, 3 significant
 *   money       >= $1,000 whole dollars; below, cents: $0.96; below ten
 *               cents, 2 significant digits: $0.0082
 *   durations   in ms: >= 100 whole; below, up to 2 decimals: 0.25 ms
 *   percentages up to 2 decimals: 80%, 12.5%
 *   availability  enough decimals for 2 significant digits of downtime
 * Each function writes into BUF (of SIZE bytes) and returns BUF.
 */
#ifndef CAPPLAN_FORMAT_H
#define CAPPLAN_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

#include "capplan.h"
#include "figures.h"

enum { FMT_SIZE = 64 };

char *fmt_count(double v, char *buf, size_t size);
char *fmt_rate(double v, char *buf, size_t size);
char *fmt_money(double v, char *buf, size_t size);
char *fmt_ms(double seconds, char *buf, size_t size);
char *fmt_percent(double fraction, char *buf, size_t size);
/* What snprintf(buf, size, "%.12g", v) writes, without printf's
 * floating-point path for 1e-11 <= |v| < 1e11 (the JSON report's
 * numbers; checked against printf in test_format.c). */
char *fmt_g12(double v, char *buf, size_t size);
/* A small share or time that is not zero shows as below the last digit
 * shown ("<0.01%", "<0.001 ms") rather than as 0 or as a run of zeros:
 * a queue's probability of waiting and its mean wait. */
char *fmt_small_percent(double fraction, char *buf, size_t size);
char *fmt_small_ms(double seconds, char *buf, size_t size);
/* Availability from its down fraction (1 - A), e.g. "99.70%". */
char *fmt_availability(double up, double down, char *buf, size_t size);
/* Availability with SIG significant digits of its downtime, trailing
 * zeros dropped: 99.7003% (3 x 99.9% in series), 99.99%. */
char *fmt_availability_sig(double up, double down, int sig, char *buf,
                           size_t size);
/* Bytes in decimal and binary units: "90 TB (81.85 TiB)"; with PER
 * after each unit: "1 GB/s (953.67 MiB/s)". */
char *fmt_bytes(double bytes, char *buf, size_t size);
char *fmt_bytes_per(double bytes, const char *per, char *buf, size_t size);

/* NINES with 2 decimals, or ">N" (N the cap, figures.h) when the figure
 * is past the cap (avail_figs, availability.h, says). */
char *fmt_nines(double nines, bool above_cap, char *buf, size_t size);
/* Minutes per year as "8.76 h", "52.56 min", "3.65 days". */
char *fmt_downtime(double minutes, char *buf, size_t size);
/* Signed changes: "+50", "-3", "0"; "+$876,000", "-$12.50"; and a change
 * in percent, "+25%", "-3.2%" ("" without one: the base was 0). */
char *fmt_delta_count(double d, char *buf, size_t size);
char *fmt_delta_money(double d, char *buf, size_t size);
char *fmt_delta_ms(double seconds, char *buf, size_t size);
char *fmt_change_pct(double pct, bool has_pct, char *buf, size_t size);
/* A change of availability in percentage points: "-3.87 pp". */
char *fmt_delta_pp(double d, char *buf, size_t size);
/* One figure of a diff, by KIND: 'c'ount, 'm'oney, 't'ime (seconds),
 * 'a'vailability.  fmt_diff_value formats one side; fmt_diff_change both:
 * "200" when they print alike, else "200 ARROW 250 (+50, +25%)" with the
 * change diff.c computed (no percent for availability, whose change is in
 * points). */
char *fmt_diff_value(char kind, double v, char *buf, size_t size);
char *fmt_diff_change(char kind, double base, double head, double delta,
                      double pct, bool has_pct, const char *arrow, char *buf,
                      size_t size);

/* A check's figure as users read it: "150 ms", "99.95%",
 * "$4,000,000/year", "200".  A LIMIT shows as written (99.95%, not
 * 99.950%); an actual availability shows its downtime's digits. */
char *fmt_check_value(const capplan_check *c, double v, bool limit, char *buf,
                      size_t size);
/* The actual figure of C as fmt_check_value shows it, with digits added,
 * up to 15 significant, while a failed check would otherwise show the
 * same number as its limit ("99.8999% >= 99.9%", not "99.90% >= 99.9%"). */
char *fmt_check_actual(const capplan_check *c, char *buf, size_t size);
/* A check's margin with its sign and its share of the limit:
 * "50 ms (33.3%)", "-$612,000/year (-20.4%)", "-21.03 pp". */
char *fmt_check_margin(const capplan_check *c, char *buf, size_t size);
/* The command-line flag that sets a check's limit: "--max-cost". */
const char *check_flag(const capplan_check *c);

/* Appends the N names of PATH joined by ARROW; a path of more than 12
 * stages shows its first 5 and last 5 with the count between, so a
 * 100,000-stage chain takes one short line.  Markdown callers pass ESC to
 * escape names (NULL appends them as they are). */
void fmt_path(capplan_buf *out, const char *const *path, size_t n,
              const char *arrow, void (*esc)(capplan_buf *, const char *));

/* The same figures written into BUF of at least FMT_SIZE bytes (32 for
 * fmt_g12_n), returning their length: the tables and the JSON report
 * write them straight into their own text (texttable.h's tt_room), with
 * no copy and no strlen.  Each writes what its fmt_ function above
 * writes, plain ASCII. */
size_t fmt_count_n(double v, char *buf);
size_t fmt_rate_n(double v, char *buf);
size_t fmt_money_n(double v, char *buf);
size_t fmt_ms_n(double seconds, char *buf);
size_t fmt_percent_n(double fraction, char *buf);
size_t fmt_small_percent_n(double fraction, char *buf);
size_t fmt_small_ms_n(double seconds, char *buf);
size_t fmt_availability_n(double up, double down, char *buf);
size_t fmt_nines_n(double nines, bool above_cap, char *buf);
size_t fmt_downtime_n(double minutes, char *buf);
size_t fmt_raw_n(double v, char *buf);
size_t fmt_g12_n(double v, char *buf);

/* Fractional servers: up to 2 decimals, below 1 three significant
 * digits (0.0174, not 0.02), so a working redone from them gives what
 * it shows. */
char *fmt_raw(double v, char *buf, size_t size);

/* fmt_rate, fmt_ms and fmt_raw with EXTRA more decimals: the digits a
 * working adds to an operand whose usual rounding would not give the
 * line's result (issue 9: "the numbers line must be the numbers used"). */
char *fmt_rate_extra(double v, int extra, char *buf, size_t size);
char *fmt_ms_extra(double seconds, int extra, char *buf, size_t size);
char *fmt_raw_extra(double v, int extra, char *buf, size_t size);

/* The number a formatted figure S shows, for redoing a working from it:
 * its sign, digits, point and exponent, without separators, units or a
 * leading '$' ("$4,000,000/year" is 4e6, "-1.5 ms" -1.5); 0 without one. */
double fmt_shown_value(const char *s);

/* The operand V of a working "floor(V x FACTOR) = TARGET" (the slots of
 * a shared queue, FACTOR and TARGET as shown): V with the fewest
 * decimals, from 2, for which the product of the numbers shown floors
 * to TARGET; a whole V as fmt_count writes it.  1.4286 servers of 100
 * slots holding 142 show as 1.4286, where 1.43 would give 143. */
char *fmt_floor_operand(double v, double factor, double target, char *buf,
                        size_t size);

/* The PRICE of a working "N x PRICE = TOTAL": fmt_money's, but a price
 * that is not whole dollars shows its cents, and more decimals (up to
 * 12) while N times the price shown would not show as TOTAL does:
 * 260 x $24,043.572 = $6,251,329, where $24,044 would give $6,251,440. */
char *fmt_money_price(double price, double n, double total, char *buf,
                      size_t size);

/* What the sizing ceiling takes off X (capplan_ceil_tolerance), after
 * SHOWN, the way a working writes it: "28 - 1e-9", "1,234,567.5 x (1 -
 * 1e-12)", "1,000,000,000,000 - 0.5". */
char *fmt_ceil_arg(double x, const char *shown, char *buf, size_t size);

/* "all 5 checks passed", "2 of 5 checks failed", "the check passed". */
char *fmt_checks_summary(size_t failed, size_t n, char *buf, size_t size);

/* A number with up to DECIMALS decimals, trailing zeros dropped, and
 * thousands separators in the whole part; from 2^53 on, where a double
 * no longer holds every whole number, 15 significant digits and an
 * exponent: 1.0e27 (so also in counts and money). */
char *fmt_number(double v, int decimals, char *buf, size_t size);
/* fmt_number, with more decimals for a value below 1 so that it shows 3
 * significant digits (at most 20 decimals): a working that puts a tiny
 * figure in shows it, 0.000001, never 0. */
char *fmt_number_sig(double v, int decimals, char *buf, size_t size);

/* V with a decimal prefix before UNIT, as datasheets write it: "989.4
 * TFLOPS", "3.35 TB/s", "2 GFLOP" (up to 2 decimals, 1 from 100 on). */
char *fmt_si(double v, const char *unit, char *buf, size_t size);

#endif

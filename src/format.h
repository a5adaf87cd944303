/*
 * format.h - how numbers look in human-readable output.
 *
 * One rule per kind of figure, shared by every text renderer so that the
 * same figure reads the same everywhere (docs/output.md states the rules):
 *   counts      whole, with thousands separators: 3,504,000
 *   rates       >= 100 whole; >= 1 up to 2 decimals; below 1, 3 significant
 *   money       >= $1,000 whole dollars; below, cents: $0.96
 *   durations   in ms: >= 100 whole; below, up to 2 decimals: 0.25 ms
 *   percentages up to 2 decimals: 80%, 12.5%
 *   availability  enough decimals for 2 significant digits of downtime
 * Each function writes into BUF (of SIZE bytes) and returns BUF.
 */
#ifndef CAPPLAN_FORMAT_H
#define CAPPLAN_FORMAT_H

#include <stddef.h>

enum { FMT_SIZE = 64 };

char *fmt_count(double v, char *buf, size_t size);
char *fmt_rate(double v, char *buf, size_t size);
char *fmt_money(double v, char *buf, size_t size);
char *fmt_ms(double seconds, char *buf, size_t size);
char *fmt_percent(double fraction, char *buf, size_t size);
/* Availability from its down fraction (1 - A), e.g. "99.70%". */
char *fmt_availability(double up, double down, char *buf, size_t size);
/* Minutes per year as "8.76 h", "52.56 min", "3.65 days". */
char *fmt_downtime(double minutes, char *buf, size_t size);
/* A number with up to DECIMALS decimals, trailing zeros dropped, and
 * thousands separators in the whole part. */
char *fmt_number(double v, int decimals, char *buf, size_t size);

#endif

/*
 * plot_svg.h - charts as plain SVG 1.1, written by capplan itself (no
 * plotting library, no script, no font file): a histogram with its
 * percentiles marked, a line chart with a limit line, and a tornado of
 * horizontal bars.  Each takes plain arrays, so Monte Carlo, sensitivity,
 * sweeps and forecasts share them.  Text from a spec (names, paths) is
 * escaped for XML.
 */
#ifndef CAPPLAN_PLOT_SVG_H
#define CAPPLAN_PLOT_SVG_H

#include <stdbool.h>
#include <stddef.h>

#include "capplan.h"

/* How an axis writes its numbers. */
enum plot_fmt {
  PF_NUMBER,  /* 12, 1.5K, 2M */
  PF_MONEY,   /* $1.2M per year */
  PF_MS,      /* 150 ms */
  PF_PERCENT, /* 99.9% */
};

/* A vertical (histogram, tornado) or horizontal (line chart) marker. */
typedef struct plot_mark {
  double at;
  const char *label;
  bool limit; /* a budget or SLO: drawn red and dashed */
} plot_mark;

typedef struct plot_hist {
  const char *title, *subtitle, *xlabel;
  enum plot_fmt xfmt;
  double lo, hi; /* the bins span [lo, hi] evenly */
  const size_t *counts;
  size_t n_bins;
  const plot_mark *marks;
  size_t n_marks;
} plot_hist;

typedef struct plot_series {
  const char *name; /* legend; NULL for a single series */
  const double *x, *y;
  size_t n;
} plot_series;

typedef struct plot_line {
  const char *title, *subtitle, *xlabel, *ylabel;
  enum plot_fmt xfmt, yfmt;
  bool xlog;
  const plot_series *series;
  size_t n_series;
  const plot_mark *marks; /* horizontal lines (limits) */
  size_t n_marks;
  const plot_mark *vmarks; /* vertical lines (a value found) */
  size_t n_vmarks;
} plot_line;

typedef struct plot_bar {
  const char *label; /* the input */
  const char *note;  /* its range, "20K - 40K" */
  double lo, hi;     /* the output with the input at each end */
} plot_bar;

typedef struct plot_tornado {
  const char *title, *subtitle, *xlabel;
  enum plot_fmt xfmt;
  double base;          /* the output with every input at its median */
  const plot_bar *bars; /* largest first: drawn from the top */
  size_t n_bars;
  const plot_mark *marks;
  size_t n_marks;
} plot_tornado;

void plot_hist_svg(const plot_hist *p, capplan_buf *out);
void plot_line_svg(const plot_line *p, capplan_buf *out);
void plot_tornado_svg(const plot_tornado *p, capplan_buf *out);

/* A number as an axis of format F writes it: "$3.5M", "150 ms". */
char *plot_number(enum plot_fmt f, double v, char *buf, size_t size);

#endif

/*
 * plot_svg.c - see plot_svg.h.
 *
 * Every chart is 800 x 480 user units: a title and a subtitle on top, the
 * plot area below with axes, ticks at "nice" steps (1, 2, 2.5 or 5 times
 * a power of ten; Heckbert, "Nice numbers for graph labels", Graphics
 * Gems, 1990), and markers as vertical or horizontal lines with their
 * labels.  Numbers are written with %.6g, so a chart's bytes do not
 * depend on the platform beyond its C library's printf.
 */
#include "plot_svg.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

#define W 800.0
#define H 480.0
#define TOP 78.0
#define BOTTOM 62.0
#define RIGHT 36.0
#define FONT "font-family=\"sans-serif\""
#define INK "#222"
#define GRID "#ddd"
#define BAR "#4e79a7"
#define HIGH "#f28e2b"
#define LIMIT "#d62728"
#define MARK "#555"

static const char *const PALETTE[] = {"#4e79a7", "#f28e2b", "#59a14f",
                                      "#e15759", "#76b7b2", "#b07aa1",
                                      "#edc948", "#9c755f"};

/* Appends S escaped for XML text and attributes. */
static void xml(capplan_buf *out, const char *s) {
  capplan_buf safe;
  capplan_buf_init(&safe);
  text_puts(&safe, s ? s : "");
  for (const char *p = safe.data ? safe.data : ""; *p; p++) {
    switch (*p) {
    case '&':
      capplan_buf_puts(out, "&amp;");
      break;
    case '<':
      capplan_buf_puts(out, "&lt;");
      break;
    case '>':
      capplan_buf_puts(out, "&gt;");
      break;
    case '"':
      capplan_buf_puts(out, "&quot;");
      break;
    default:
      capplan_buf_putc(out, *p);
    }
  }
  capplan_buf_release(&safe);
}

/* %.6g without an exponent for the sizes of a chart. */
static void num(capplan_buf *out, double v) {
  if (!isfinite(v))
    v = 0;
  if (fabs(v) < 1e-9)
    v = 0;
  capplan_buf_printf(out, "%.6g", v);
}

static void text(capplan_buf *out, double x, double y, const char *anchor,
                 int size, const char *weight, const char *fill,
                 const char *s) {
  capplan_buf_puts(out, "<text x=\"");
  num(out, x);
  capplan_buf_puts(out, "\" y=\"");
  num(out, y);
  capplan_buf_printf(out,
                     "\" text-anchor=\"%s\" font-size=\"%d\" "
                     "font-weight=\"%s\" fill=\"%s\" " FONT ">",
                     anchor, size, weight, fill);
  xml(out, s);
  capplan_buf_puts(out, "</text>\n");
}

static void line(capplan_buf *out, double x1, double y1, double x2, double y2,
                 const char *stroke, double width, bool dashed) {
  capplan_buf_puts(out, "<line x1=\"");
  num(out, x1);
  capplan_buf_puts(out, "\" y1=\"");
  num(out, y1);
  capplan_buf_puts(out, "\" x2=\"");
  num(out, x2);
  capplan_buf_puts(out, "\" y2=\"");
  num(out, y2);
  capplan_buf_printf(out, "\" stroke=\"%s\" stroke-width=\"", stroke);
  num(out, width);
  capplan_buf_printf(out, "\"%s/>\n",
                     dashed ? " stroke-dasharray=\"6 4\"" : "");
}

static void rect(capplan_buf *out, double x, double y, double w, double h,
                 const char *fill) {
  capplan_buf_puts(out, "<rect x=\"");
  num(out, x);
  capplan_buf_puts(out, "\" y=\"");
  num(out, y);
  capplan_buf_puts(out, "\" width=\"");
  num(out, w > 0 ? w : 0);
  capplan_buf_puts(out, "\" height=\"");
  num(out, h > 0 ? h : 0);
  capplan_buf_printf(out, "\" fill=\"%s\"/>\n", fill);
}

/* A label along the left edge, read from the bottom up. */
static void y_label(capplan_buf *out, double y, const char *s) {
  capplan_buf_puts(out, "<text x=\"18\" y=\"");
  num(out, y);
  capplan_buf_puts(out, "\" text-anchor=\"middle\" font-size=\"13\" fill=\"" INK
                        "\" " FONT " transform=\"rotate(-90 18 ");
  num(out, y);
  capplan_buf_puts(out, ")\">");
  xml(out, s);
  capplan_buf_puts(out, "</text>\n");
}

static void begin(capplan_buf *out, const char *title, const char *subtitle) {
  capplan_buf_puts(out,
                   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                   "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"800\" "
                   "height=\"480\" viewBox=\"0 0 800 480\">\n");
  capplan_buf_puts(out, "<title>");
  xml(out, title);
  capplan_buf_puts(out, "</title>\n");
  rect(out, 0, 0, W, H, "#ffffff");
  text(out, W / 2, 30, "middle", 18, "bold", INK, title);
  if (subtitle)
    text(out, W / 2, 52, "middle", 13, "normal", "#444", subtitle);
}

static void end(capplan_buf *out) {
  capplan_buf_puts(out, "</svg>\n");
}

char *plot_number(enum plot_fmt f, double v, char *buf, size_t size) {
  char n[48];
  if (fabs(v) < 1e-12)
    v = 0; /* a tick at -0 or at float noise around 0 */
  double a = fabs(v);
  const char *unit = "";
  double s = v;
  if (f == PF_MONEY || f == PF_NUMBER) {
    if (a >= 1e12) {
      s = v / 1e12;
      unit = "T";
    } else if (a >= 1e9) {
      s = v / 1e9;
      unit = "B";
    } else if (a >= 1e6) {
      s = v / 1e6;
      unit = "M";
    } else if (a >= 1e4) {
      s = v / 1e3;
      unit = "K";
    }
  }
  switch (f) {
  case PF_MONEY:
    snprintf(n, sizeof n, "%.4g", fabs(s));
    snprintf(buf, size, "%s$%s%s", v < 0 ? "-" : "", n, unit);
    break;
  case PF_NUMBER:
    snprintf(buf, size, "%.4g%s", s, unit);
    break;
  case PF_MS:
    snprintf(buf, size, "%.4g ms", v);
    break;
  case PF_PERCENT:
    snprintf(buf, size, "%.6g%%", v * 100);
    break;
  }
  return buf;
}

/* Ticks over [LO, HI]: about six at a nice step. */
static double nice_step(double lo, double hi) {
  double span = hi - lo;
  if (!(span > 0))
    return 1;
  double raw = span / 6, p = pow(10, floor(log10(raw)));
  double f = raw / p;
  double nice = f < 1.5 ? 1 : f < 2.25 ? 2 : f < 3.5 ? 2.5 : f < 7.5 ? 5 : 10;
  return nice * p;
}

/* A linear (or log) map of [lo, hi] onto [a, b]. */
typedef struct axis {
  double lo, hi, a, b;
  bool log;
} axis;

static double to(const axis *x, double v) {
  if (x->log) {
    double l = log(x->lo), h = log(x->hi);
    double t = v > 0 ? (log(v) - l) / (h - l) : 0;
    return x->a + t * (x->b - x->a);
  }
  if (!(x->hi > x->lo))
    return (x->a + x->b) / 2;
  return x->a + (v - x->lo) / (x->hi - x->lo) * (x->b - x->a);
}

/* Widens [lo, hi] to hold V. */
static void hold(double *lo, double *hi, double v) {
  if (!isfinite(v))
    return;
  if (v < *lo)
    *lo = v;
  if (v > *hi)
    *hi = v;
}

/* A range with room around it; a single value gets some width. */
static void pad(double *lo, double *hi, double share) {
  double span = *hi - *lo;
  if (!(span > 0)) {
    double m = fabs(*lo) > 0 ? fabs(*lo) * 0.05 : 1;
    *lo -= m;
    *hi += m;
    return;
  }
  *lo -= span * share;
  *hi += span * share;
}

/* Vertical grid lines and numbers along the bottom. */
static void x_ticks(capplan_buf *out, const axis *x, enum plot_fmt f,
                    double top, double bottom) {
  char b[48];
  if (x->log) {
    for (double d = pow(10, floor(log10(x->lo))); d <= x->hi * 1.0001; d *= 10)
      for (int k = 1; k <= 9; k += (k == 1 ? 1 : 3)) {
        double v = d * k;
        if (v < x->lo * 0.9999 || v > x->hi * 1.0001)
          continue;
        double px = to(x, v);
        line(out, px, top, px, bottom, GRID, 1, false);
        text(out, px, bottom + 18, "middle", 12, "normal", INK,
             plot_number(f, v, b, sizeof b));
      }
    return;
  }
  double step = nice_step(x->lo, x->hi);
  for (double t = ceil(x->lo / step) * step; t <= x->hi + step * 1e-9;
       t += step) {
    double v = fabs(t) < step * 1e-9 ? 0 : t;
    double px = to(x, v);
    line(out, px, top, px, bottom, GRID, 1, false);
    text(out, px, bottom + 18, "middle", 12, "normal", INK,
         plot_number(f, v, b, sizeof b));
  }
}

static void y_ticks(capplan_buf *out, const axis *y, enum plot_fmt f,
                    double left, double right) {
  char b[48];
  double step = nice_step(y->lo, y->hi);
  for (double t = ceil(y->lo / step) * step; t <= y->hi + step * 1e-9;
       t += step) {
    double v = fabs(t) < step * 1e-9 ? 0 : t;
    double py = to(y, v);
    line(out, left, py, right, py, GRID, 1, false);
    text(out, left - 8, py + 4, "end", 12, "normal", INK,
         plot_number(f, v, b, sizeof b));
  }
}

/* A label on a white ground, so that lines under it do not cross it
 * (about 7 units a character at 12 points). */
static void label(capplan_buf *out, double x, double y, const char *anchor,
                  const char *color, const char *s) {
  double w = 7.2 * (double)utf8_width(s, strlen(s)) + 6;
  double left = !strcmp(anchor, "start") ? x - 3
                : !strcmp(anchor, "end") ? x - w + 3
                                         : x - w / 2;
  capplan_buf_puts(out, "<rect x=\"");
  num(out, left);
  capplan_buf_puts(out, "\" y=\"");
  num(out, y - 12);
  capplan_buf_puts(out, "\" width=\"");
  num(out, w);
  capplan_buf_puts(out, "\" height=\"16\" fill=\"#ffffff\" "
                        "fill-opacity=\"0.85\"/>\n");
  text(out, x, y, anchor, 12, "bold", color, s);
}

/* Vertical markers with their labels stacked from FIRST down. */
static void v_marks(capplan_buf *out, const axis *x, const plot_mark *m,
                    size_t n, double top, double bottom, double first) {
  for (size_t i = 0; i < n; i++) {
    double px = to(x, m[i].at);
    const char *color = m[i].limit ? LIMIT : MARK;
    line(out, px, top, px, bottom, color, m[i].limit ? 2 : 1.5, true);
  }
  for (size_t i = 0; i < n; i++) {
    double px = to(x, m[i].at);
    bool right = px < (x->a + x->b) / 2;
    label(out, right ? px + 5 : px - 5, first + 16 * (double)i,
          right ? "start" : "end", m[i].limit ? LIMIT : MARK, m[i].label);
  }
}

void plot_hist_svg(const plot_hist *p, capplan_buf *out) {
  begin(out, p->title, p->subtitle);
  double left = 80, right = W - RIGHT, top = TOP, bottom = H - BOTTOM;
  double lo = p->lo, hi = p->hi;
  for (size_t i = 0; i < p->n_marks; i++)
    hold(&lo, &hi, p->marks[i].at);
  pad(&lo, &hi, 0.04);
  axis x = {lo, hi, left, right, false};
  size_t most = 1;
  for (size_t i = 0; i < p->n_bins; i++)
    if (p->counts[i] > most)
      most = p->counts[i];
  axis y = {0, (double)most * 1.15, bottom, top, false};
  x_ticks(out, &x, p->xfmt, top, bottom);
  y_ticks(out, &y, PF_NUMBER, left, right);
  double w = (p->hi - p->lo) / (double)(p->n_bins ? p->n_bins : 1);
  for (size_t i = 0; i < p->n_bins; i++) {
    double x0 = to(&x, p->lo + w * (double)i);
    double x1 = to(&x, p->lo + w * (double)(i + 1));
    double y0 = to(&y, (double)p->counts[i]);
    rect(out, x0 + 0.5, y0, x1 - x0 - 1, bottom - y0, BAR);
  }
  line(out, left, bottom, right, bottom, INK, 1, false);
  line(out, left, top, left, bottom, INK, 1, false);
  v_marks(out, &x, p->marks, p->n_marks, top, bottom, top + 14);
  text(out, (left + right) / 2, H - 18, "middle", 13, "normal", INK, p->xlabel);
  y_label(out, (top + bottom) / 2, "trials");
  end(out);
}

void plot_line_svg(const plot_line *p, capplan_buf *out) {
  begin(out, p->title, p->subtitle);
  double left = 90, right = W - RIGHT, top = TOP, bottom = H - BOTTOM;
  double xlo = HUGE_VAL, xhi = -HUGE_VAL, ylo = HUGE_VAL, yhi = -HUGE_VAL;
  for (size_t s = 0; s < p->n_series; s++)
    for (size_t i = 0; i < p->series[s].n; i++) {
      hold(&xlo, &xhi, p->series[s].x[i]);
      hold(&ylo, &yhi, p->series[s].y[i]);
    }
  for (size_t i = 0; i < p->n_marks; i++)
    hold(&ylo, &yhi, p->marks[i].at);
  if (xlo > xhi)
    xlo = xhi = 0;
  if (ylo > yhi)
    ylo = yhi = 0;
  if (ylo > 0 && ylo < (yhi - ylo) * 0.5)
    ylo = 0; /* start at zero when it is near */
  pad(&ylo, &yhi, 0.06);
  bool xlog = p->xlog && xlo > 0;
  if (!xlog)
    pad(&xlo, &xhi, 0.02);
  axis x = {xlo, xhi, left, right, xlog};
  axis y = {ylo, yhi, bottom, top, false};
  x_ticks(out, &x, p->xfmt, top, bottom);
  y_ticks(out, &y, p->yfmt, left, right);
  line(out, left, bottom, right, bottom, INK, 1, false);
  line(out, left, top, left, bottom, INK, 1, false);
  for (size_t i = 0; i < p->n_marks; i++) {
    double py = to(&y, p->marks[i].at);
    const char *color = p->marks[i].limit ? LIMIT : MARK;
    line(out, left, py, right, py, color, 2, true);
    label(out, right - 4, py - 6, "end", color, p->marks[i].label);
  }
  /* Named series get a legend at the top left; marks' labels below it. */
  size_t named = 0;
  for (size_t s = 0; s < p->n_series; s++)
    named += p->series[s].name != NULL;
  v_marks(out, &x, p->vmarks, p->n_vmarks, top, bottom,
          top + 14 + (named ? 16 * (double)named + 8 : 0));
  if (named) {
    size_t longest = 0;
    for (size_t s = 0; s < p->n_series; s++)
      if (p->series[s].name) {
        size_t w = utf8_width(p->series[s].name, strlen(p->series[s].name));
        longest = w > longest ? w : longest;
      }
    capplan_buf_puts(out, "<rect x=\"");
    num(out, left + 6);
    capplan_buf_puts(out, "\" y=\"");
    num(out, top + 2);
    capplan_buf_puts(out, "\" width=\"");
    num(out, 40 + 7.2 * (double)longest);
    capplan_buf_puts(out, "\" height=\"");
    num(out, 16 * (double)named + 6);
    capplan_buf_puts(out, "\" fill=\"#ffffff\" fill-opacity=\"0.9\" "
                          "stroke=\"#ddd\"/>\n");
  }
  for (size_t s = 0; s < p->n_series; s++) {
    const plot_series *ser = &p->series[s];
    const char *color = PALETTE[s % ARRAY_LEN(PALETTE)];
    capplan_buf_printf(out,
                       "<polyline fill=\"none\" stroke=\"%s\" "
                       "stroke-width=\"2.5\" points=\"",
                       color);
    for (size_t i = 0; i < ser->n; i++) {
      num(out, to(&x, ser->x[i]));
      capplan_buf_putc(out, ',');
      num(out, to(&y, ser->y[i]));
      capplan_buf_putc(out, i + 1 < ser->n ? ' ' : '"');
    }
    if (!ser->n)
      capplan_buf_putc(out, '"');
    capplan_buf_puts(out, "/>\n");
    if (ser->n <= 60)
      for (size_t i = 0; i < ser->n; i++) {
        capplan_buf_puts(out, "<circle cx=\"");
        num(out, to(&x, ser->x[i]));
        capplan_buf_puts(out, "\" cy=\"");
        num(out, to(&y, ser->y[i]));
        capplan_buf_printf(out, "\" r=\"3\" fill=\"%s\"/>\n", color);
      }
    if (ser->name) {
      double ly = top + 16 + 16 * (double)s;
      line(out, left + 12, ly - 4, left + 32, ly - 4, color, 3, false);
      text(out, left + 38, ly, "start", 12, "normal", INK, ser->name);
    }
  }
  text(out, (left + right) / 2, H - 18, "middle", 13, "normal", INK, p->xlabel);
  y_label(out, (top + bottom) / 2, p->ylabel);
  end(out);
}

void plot_tornado_svg(const plot_tornado *p, capplan_buf *out) {
  begin(out, p->title, p->subtitle);
  /* Room on the left for the longest label (about 7 units a character
   * at 12 points), at most a third of the width. */
  size_t longest = 0;
  for (size_t i = 0; i < p->n_bars; i++) {
    size_t n = utf8_width(p->bars[i].label, strlen(p->bars[i].label));
    if (n > longest)
      longest = n;
  }
  double left = 24 + 7.0 * (double)longest;
  if (left < 120)
    left = 120;
  if (left > W / 3)
    left = W / 3;
  double right = W - RIGHT - 60, top = TOP + 10, bottom = H - BOTTOM;
  double lo = p->base, hi = p->base;
  for (size_t i = 0; i < p->n_bars; i++) {
    hold(&lo, &hi, p->bars[i].lo);
    hold(&lo, &hi, p->bars[i].hi);
  }
  for (size_t i = 0; i < p->n_marks; i++)
    hold(&lo, &hi, p->marks[i].at);
  /* Room at each end for the numbers written beside the bars. */
  pad(&lo, &hi, 0.16);
  axis x = {lo, hi, left, right, false};
  x_ticks(out, &x, p->xfmt, top, bottom);
  double rows = (double)(p->n_bars ? p->n_bars : 1);
  double pitch = (bottom - top) / rows;
  double h = pitch * 0.6 < 34 ? pitch * 0.6 : 34;
  char b[2][48];
  for (size_t i = 0; i < p->n_bars; i++) {
    const plot_bar *bar = &p->bars[i];
    double cy = top + pitch * ((double)i + 0.5);
    double base = to(&x, p->base);
    double xl = to(&x, bar->lo), xh = to(&x, bar->hi);
    /* The part below the median plan blue, above it orange. */
    double a = xl < xh ? xl : xh, z = xl < xh ? xh : xl;
    if (a < base)
      rect(out, a, cy - h / 2, (z < base ? z : base) - a, h, BAR);
    if (z > base)
      rect(out, a > base ? a : base, cy - h / 2, z - (a > base ? a : base), h,
           HIGH);
    text(out, left - 10, cy - (bar->note ? 2 : -4), "end", 12, "bold", INK,
         bar->label);
    if (bar->note)
      text(out, left - 10, cy + 12, "end", 11, "normal", "#555", bar->note);
    plot_number(p->xfmt, bar->lo, b[0], sizeof b[0]);
    plot_number(p->xfmt, bar->hi, b[1], sizeof b[1]);
    bool lo_left = bar->lo <= bar->hi;
    text(out, a - 4, cy + 4, "end", 11, "normal", INK, lo_left ? b[0] : b[1]);
    text(out, z + 4, cy + 4, "start", 11, "normal", INK, lo_left ? b[1] : b[0]);
  }
  double base = to(&x, p->base);
  line(out, base, top - 8, base, bottom, INK, 1.5, false);
  plot_number(p->xfmt, p->base, b[0], sizeof b[0]);
  char lbl[96];
  snprintf(lbl, sizeof lbl, "median plan %s", b[0]);
  text(out, base, top - 12, "middle", 12, "bold", INK, lbl);
  for (size_t i = 0; i < p->n_marks; i++) {
    double px = to(&x, p->marks[i].at);
    line(out, px, top, px, bottom, p->marks[i].limit ? LIMIT : MARK, 2, true);
    text(out, px + 4, bottom - 6, "start", 12, "bold",
         p->marks[i].limit ? LIMIT : MARK, p->marks[i].label);
  }
  line(out, left, bottom, right, bottom, INK, 1, false);
  text(out, (left + right) / 2, H - 18, "middle", 13, "normal", INK, p->xlabel);
  end(out);
}

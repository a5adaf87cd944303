/*
 * format.c - the number formats of format.h.
 */
#include "format.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Inserts thousands separators into the digits of S (which may start with
 * '-' and contain a '.'), in place; S must have room. */
static void group_digits(char *s, size_t size) {
  char *p = s + (*s == '-');
  size_t whole = strcspn(p, ".");
  size_t commas = whole > 3 ? (whole - 1) / 3 : 0;
  size_t len = strlen(s);
  if (!commas || len + commas + 1 > size)
    return;
  memmove(p + whole + commas, p + whole, strlen(p + whole) + 1);
  char *src = p + whole - 1, *dst = p + whole + commas - 1;
  for (size_t k = 0; k < whole; k++) {
    *dst-- = *src--;
    if (k % 3 == 2 && k + 1 < whole)
      *dst-- = ',';
  }
}

static const double pow10d[] = {1,    1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
static const unsigned long long pow10u[] = {1ULL,
                                            10ULL,
                                            100ULL,
                                            1000ULL,
                                            10000ULL,
                                            100000ULL,
                                            1000000ULL,
                                            10000000ULL,
                                            100000000ULL,
                                            1000000000ULL,
                                            10000000000ULL,
                                            100000000000ULL,
                                            1000000000000ULL,
                                            10000000000000ULL,
                                            100000000000000ULL,
                                            1000000000000000ULL};

/* A (>= 0) x 10^D rounded to the nearest whole number in *K, the digits
 * "%.*f" writes, when integer arithmetic is sure of them.  10^D (D up to
 * 22) is exact and the product below 2^52 is correctly rounded, so it
 * lies on the same side of every half as the exact one, or on the half
 * itself: only then (give or take a margin) does printf decide.  Tables
 * and the JSON report print millions of these. */
static bool scaled(double a, int d, unsigned long long *k) {
  if (d < 0 || d > 22 || !(a * pow10d[d] < 4e15))
    return false;
  double r = a * pow10d[d], fl = floor(r), frac = r - fl;
  if (fabs(frac - 0.5) < 1e-6)
    return false;
  *k = (unsigned long long)fl + (frac > 0.5);
  return true;
}

/* Two digits at a time: "00" to "99". */
static const char pairs[] = "00010203040506070809101112131415161718192021"
                            "22232425262728293031323334353637383940414243"
                            "44454647484950515253545556575859606162636465"
                            "66676869707172737475767778798081828384858687"
                            "888990919293949596979899";

/* The four digits of X < 10^4 at P: two pairs, X / 100 in 32 bits. */
static inline void put4(char *p, uint32_t x) {
  uint32_t hi = x / 100;
  memcpy(p, pairs + 2 * hi, 2);
  memcpy(p + 2, pairs + 2 * (x - 100 * hi), 2);
}

/* Writes the N digits of X (X < 10^N; leading zeros written) so that
 * they end at END: eight at a time split off in 64 bits, then four and
 * two at a time in 32, where division is cheaper, each group unrolled. */
static CAPPLAN_ALWAYS_INLINE void digits_back(char *end, unsigned long long x,
                                              int n) {
  for (; n >= 8; n -= 8) {
    uint32_t lo = (uint32_t)(x % 100000000u);
    x /= 100000000u;
    end -= 8;
    put4(end, lo / 10000);
    put4(end + 4, lo % 10000);
  }
  uint32_t y = (uint32_t)x;
  if (n >= 4) {
    end -= 4;
    put4(end, y % 10000);
    y /= 10000;
    n -= 4;
  }
  if (n >= 2) {
    end -= 2;
    memcpy(end, pairs + 2 * (y % 100), 2);
    y /= 100;
    n -= 2;
  }
  if (n)
    end[-1] = (char)('0' + y);
}

/* Writes K / 10^D with D decimals (D up to 15) into BUF (of at least 32
 * bytes), '-' first when NEG; STRIP drops the decimals' trailing zeros
 * (and a bare point), GROUP puts thousands separators in the whole part.
 * Returns the length.  K below 4e15 takes at most 25 characters: 16
 * digits, 5 separators, a leading 0, the point and the sign.  The
 * length is known before a digit is written, so the digits go straight
 * to their place. */
static size_t put_scaled(char *buf, bool neg, unsigned long long k, int d,
                         bool strip, bool group) {
  if (strip) {
    while (d >= 4 && k % 10000 == 0) {
      k /= 10000;
      d -= 4;
    }
    while (d > 0 && k % 10 == 0) {
      k /= 10;
      d--;
    }
  }
  unsigned long long whole = k, frac = 0;
  if (d > 0) {
    whole = k / pow10u[d];
    frac = k % pow10u[d];
  }
  int nd = 1; /* digits of the whole part */
  while (nd < 16 && whole >= pow10u[nd])
    nd++;
  size_t len = (size_t)neg + (size_t)nd + (group ? (size_t)(nd - 1) / 3 : 0) +
               (d > 0 ? 1 + (size_t)d : 0);
  char *end = buf + len;
  buf[len] = '\0';
  if (d > 0) {
    digits_back(end, frac, d);
    end -= d;
    *--end = '.';
  }
  if (group)
    for (; nd > 3; nd -= 3) {
      digits_back(end, whole % 1000, 3);
      end -= 3;
      *--end = ',';
      whole /= 1000;
    }
  digits_back(end, whole, nd);
  if (neg)
    buf[0] = '-';
  return len;
}

/* What snprintf(buf, size, "%.*f", d, v) writes (a negative V keeps its
 * '-' however it rounds), by integer arithmetic when scaled() is sure of
 * the digits; returns the length. */
static size_t fixed(double v, int d, char *buf, size_t size) {
  unsigned long long k;
  if (size < 32 || d > 12 || !scaled(fabs(v), d, &k)) {
    snprintf(buf, size, "%.*f", d, v);
    return strlen(buf);
  }
  return put_scaled(buf, v < 0, k, d, false, false);
}

/* fmt_g12 below 0.1: %.12g of 1e-11 <= A < 0.1 (V's magnitude) and its
 * length, or 0 when printf must decide.  The exponent X of the 12 digits, once
 * rounded, picks the style: from -4 on, fixed with 11 - X decimals, else
 * d.ddddddddddde-XX, trailing zeros dropped in both. */
static size_t g12_small(double v, double a, char *buf) {
  static const double tiny[] = {1e-11, 1e-10, 1e-9, 1e-8, 1e-7, 1e-6,
                                1e-5,  1e-4,  1e-3, 1e-2, 1e-1};
  /* X from the table of the doubles nearest the powers of ten, which
   * may be off by one next to a power: the digits settle it. */
  int x = -2;
  while (x > -11 && a < tiny[x + 11])
    x--;
  unsigned long long k = 0;
  for (int tries = 0; tries < 3; tries++) {
    if (11 - x > 22 || !scaled(a, 11 - x, &k))
      return 0;
    if (k < 100000000000ULL)
      x--; /* fewer than 12 digits: X is lower */
    else if (k > 1000000000000ULL)
      x++; /* more than 12: higher */
    else
      break;
  }
  if (k < 100000000000ULL || k > 1000000000000ULL)
    return 0;
  if (k == 1000000000000ULL) { /* rounded up to the next power */
    k = 100000000000ULL;
    x++;
  }
  if (x >= -4)
    return put_scaled(buf, v < 0, k, 11 - x, true, false);
  char d[12];
  for (int i = 11; i >= 0; i--) {
    d[i] = (char)('0' + k % 10);
    k /= 10;
  }
  int last = 11;
  while (last > 0 && d[last] == '0')
    last--;
  size_t o = 0;
  if (v < 0)
    buf[o++] = '-';
  buf[o++] = d[0];
  if (last > 0) {
    buf[o++] = '.';
    memcpy(buf + o, d + 1, (size_t)last);
    o += (size_t)last;
  }
  buf[o++] = 'e';
  buf[o++] = '-';
  buf[o++] = (char)('0' + -x / 10);
  buf[o++] = (char)('0' + -x % 10);
  buf[o] = '\0';
  return o;
}

size_t fmt_g12_n(double v, char *buf) {
  static const double p10[] = {0.1, 1,   1e1, 1e2, 1e3,  1e4, 1e5,
                               1e6, 1e7, 1e8, 1e9, 1e10, 1e11};
  double a = fabs(v);
  /* A whole number of up to 12 digits is its digits (the JSON report's
   * counts); -0 and 0 go printf's way ("-0"). */
  if (a >= 1 && a < 1e12 && a == floor(a)) {
    unsigned long long u = (unsigned long long)a;
    int nd = 1;
    while (nd < 12 && u >= pow10u[nd])
      nd++;
    size_t len = (size_t)(v < 0) + (size_t)nd;
    buf[0] = '-'; /* a digit takes its place for V > 0 */
    digits_back(buf + len, u, nd);
    buf[len] = '\0';
    return len;
  }
  if (a >= 1e-11 && a < 0.1) {
    size_t n = g12_small(v, a, buf);
    if (n)
      return n;
  }
  if (!(a >= 0.1 && a < 1e11)) {
    snprintf(buf, 32, "%.12g", v);
    return strlen(buf);
  }
  /* e = floor(log10(a)), exact against the table */
  int e = -1;
  while (e < 10 && a >= p10[e + 2])
    e++;
  /* %.12g keeps 12 significant digits: 11 - e decimals, then drops the
   * trailing zeros and a bare point.  Rounding up to the next power of
   * ten adds a digit that is a zero, dropped the same way. */
  unsigned long long k;
  if (!scaled(a, 11 - e, &k)) {
    snprintf(buf, 32, "%.12g", v);
    return strlen(buf);
  }
  return put_scaled(buf, v < 0, k, 11 - e, true, false);
}

char *fmt_g12(double v, char *buf, size_t size) {
  if (size >= 32)
    fmt_g12_n(v, buf);
  else
    snprintf(buf, size, "%.12g", v);
  return buf;
}

/* V of 2^53 or more as 15 significant digits and an exponent, the way a
 * spec writes one: 1.0e27, 1.23456789012345e20.  A double holds about 16
 * digits, and past 2^53 not even every whole number, so the full digits
 * would show noise: $1e15 x 1e12 printed as $1,000,...,013,287,555,072. */
static char *sci(double v, char *buf, size_t size) {
  char m[40];
  snprintf(m, sizeof m, "%.14e", v);
  char *e = strchr(m, 'e');
  int exp = atoi(e + 1);
  *e = '\0';
  size_t n = strlen(m);
  while (n > 0 && m[n - 1] == '0')
    m[--n] = '\0';
  if (n > 0 && m[n - 1] == '.')
    strcpy(m + n, "0"); /* 1.0e27: a decimal says it is rounded */
  snprintf(buf, size, "%se%d", m, exp);
  return buf;
}

/* The room number_n writes into: 16 digits, the point and 20 decimals
 * that printf may write, 5 separators, the sign and the NUL fit. */
enum { NUM_ROOM = 48 };

/* fmt_number into BUF of NUM_ROOM bytes; returns the length. */
static size_t number_n(double v, int decimals, char *buf) {
  if (v == 0 || !isfinite(v))
    v = 0; /* no "-0"; non-finite figures never reach here */
  if (fabs(v) >= CAPPLAN_MAX_EXACT)
    return strlen(sci(v, buf, NUM_ROOM));
  unsigned long long k;
  if (v == floor(v)) /* the common case: no decimals to print */
    return put_scaled(buf, v < 0, (unsigned long long)fabs(v), 0, false, true);
  if (decimals <= 12 && scaled(fabs(v), decimals, &k))
    /* "-0.00" shows as 0 */
    return put_scaled(buf, v < 0 && k != 0, k, decimals, true, true);
  fixed(v, decimals, buf, NUM_ROOM);
  if (strchr(buf, '.')) {
    size_t n = strlen(buf);
    while (n > 0 && buf[n - 1] == '0')
      buf[--n] = '\0';
    if (n > 0 && buf[n - 1] == '.')
      buf[--n] = '\0';
  }
  if (!strcmp(buf, "-0"))
    strcpy(buf, "0");
  group_digits(buf, NUM_ROOM);
  return strlen(buf);
}

/* TMP, written by one of the _n formats, into BUF of SIZE bytes (less
 * than FMT_SIZE: what fits). */
static char *copy_out(const char *tmp, char *buf, size_t size) {
  if (!size)
    return buf;
  size_t n = strlen(tmp);
  n = n < size ? n : size - 1;
  memcpy(buf, tmp, n);
  buf[n] = '\0';
  return buf;
}

char *fmt_number(double v, int decimals, char *buf, size_t size) {
  if (size >= NUM_ROOM) {
    number_n(v, decimals, buf);
    return buf;
  }
  char tmp[NUM_ROOM];
  number_n(v, decimals, tmp);
  return copy_out(tmp, buf, size);
}

/* floor(log10(A) + EPS) for A > 0 and EPS 0 or a tolerance up to 1e-9.
 * Where A is more than 1e-7 (relative) from every power of ten, the
 * table of powers settles it: log10(A) is then at least 4e-8 from a
 * whole number, far more than log10's error (an ulp) and EPS together,
 * and the table's entries (the doubles nearest 10^e) are within an ulp
 * of the powers.  Next to a power, or out of the table, log10 decides
 * as before. */
static int floor_log10(double a, double eps) {
  static const double p10[] = {1e-20, 1e-19, 1e-18, 1e-17, 1e-16, 1e-15, 1e-14,
                               1e-13, 1e-12, 1e-11, 1e-10, 1e-9,  1e-8,  1e-7,
                               1e-6,  1e-5,  1e-4,  1e-3,  1e-2,  1e-1,  1,
                               1e1,   1e2,   1e3,   1e4,   1e5,   1e6,   1e7,
                               1e8,   1e9,   1e10,  1e11,  1e12,  1e13,  1e14,
                               1e15,  1e16,  1e17,  1e18,  1e19,  1e20};
  if (a >= 1e-20 && a < 1e20) {
    int e = 0; /* p10[e + 20] <= a < p10[e + 21] */
    while (a < p10[e + 20])
      e--;
    while (a >= p10[e + 21])
      e++;
    if (a > p10[e + 20] * (1 + 1e-7) && a < p10[e + 21] * (1 - 1e-7))
      return e;
  }
  return (int)floor(log10(a) + eps);
}

char *fmt_number_sig(double v, int decimals, char *buf, size_t size) {
  double a = fabs(v);
  if (a > 0 && a < 1) {
    int d = 2 - (int)floor(log10(a));
    if (d > decimals)
      decimals = d > 20 ? 20 : d;
  }
  return fmt_number(v, decimals, buf, size);
}

size_t fmt_count_n(double v, char *buf) {
  return number_n(round(v), 0, buf);
}

char *fmt_count(double v, char *buf, size_t size) {
  return fmt_number(round(v), 0, buf, size);
}

/* Decimals that show 3 significant digits of a value below 1. */
static int sig3(double v) {
  if (v <= 0)
    return 0;
  int d = 2 - floor_log10(v, 0);
  return d < 0 ? 0 : d > 12 ? 12 : d;
}

static size_t rate_n(double v, int extra, char *buf) {
  double a = fabs(v);
  int dec = a >= 100 ? 0 : a >= 1 ? 2 : sig3(a);
  return number_n(v, dec + extra, buf);
}

size_t fmt_rate_n(double v, char *buf) {
  return rate_n(v, 0, buf);
}

char *fmt_rate(double v, char *buf, size_t size) {
  return fmt_rate_extra(v, 0, buf, size);
}

char *fmt_rate_extra(double v, int extra, char *buf, size_t size) {
  if (size >= NUM_ROOM) {
    rate_n(v, extra, buf);
    return buf;
  }
  char tmp[NUM_ROOM];
  rate_n(v, extra, tmp);
  return copy_out(tmp, buf, size);
}

/* The decimals money of magnitude A shows. */
static int money_decimals(double a) {
  int dec = a >= 1000 ? 0 : 2;
  /* Below ten cents, two significant digits: a cost per million
   * requests of $0.0082 is not "$0.01" (issue 9). */
  if (a > 0 && a < 0.1) {
    dec = 1 - floor_log10(a, 0);
    dec = dec > 12 ? 12 : dec;
  }
  return dec;
}

size_t fmt_money_n(double v, char *buf) {
  buf[0] = '$';
  size_t n = 1 + number_n(v, money_decimals(fabs(v)), buf + 1);
  if (fabs(v) < 1000 && buf[n - 2] == '.') {
    buf[n++] = '0'; /* cents always have two digits */
    buf[n] = '\0';
  }
  return n;
}

char *fmt_money(double v, char *buf, size_t size) {
  if (size >= FMT_SIZE) {
    fmt_money_n(v, buf);
    return buf;
  }
  char tmp[FMT_SIZE];
  fmt_money_n(v, tmp);
  return copy_out(tmp, buf, size);
}

static size_t ms_n(double seconds, int extra, char *buf) {
  double ms = seconds * 1000;
  size_t n = number_n(ms,
                      (fabs(ms) >= 100 ? 0
                       : fabs(ms) >= 1 ? 2
                                       : sig3(fabs(ms))) +
                          extra,
                      buf);
  memcpy(buf + n, " ms", 4);
  return n + 3;
}

size_t fmt_ms_n(double seconds, char *buf) {
  return ms_n(seconds, 0, buf);
}

char *fmt_ms(double seconds, char *buf, size_t size) {
  return fmt_ms_extra(seconds, 0, buf, size);
}

char *fmt_ms_extra(double seconds, int extra, char *buf, size_t size) {
  if (size >= FMT_SIZE) {
    ms_n(seconds, extra, buf);
    return buf;
  }
  char tmp[FMT_SIZE];
  ms_n(seconds, extra, tmp);
  return copy_out(tmp, buf, size);
}

size_t fmt_percent_n(double fraction, char *buf) {
  size_t n = number_n(fraction * 100, 2, buf);
  memcpy(buf + n, "%", 2);
  return n + 1;
}

char *fmt_percent(double fraction, char *buf, size_t size) {
  if (size >= FMT_SIZE) {
    fmt_percent_n(fraction, buf);
    return buf;
  }
  char tmp[FMT_SIZE];
  fmt_percent_n(fraction, tmp);
  return copy_out(tmp, buf, size);
}

size_t fmt_small_percent_n(double fraction, char *buf) {
  if (fraction > 0 && fraction < 0.00005) {
    memcpy(buf, "<0.01%", sizeof "<0.01%");
    return sizeof "<0.01%" - 1;
  }
  return fmt_percent_n(fraction, buf);
}

char *fmt_small_percent(double fraction, char *buf, size_t size) {
  if (size >= FMT_SIZE) {
    fmt_small_percent_n(fraction, buf);
    return buf;
  }
  char tmp[FMT_SIZE];
  fmt_small_percent_n(fraction, tmp);
  return copy_out(tmp, buf, size);
}

size_t fmt_small_ms_n(double seconds, char *buf) {
  if (seconds > 0 && seconds < 0.0000005) {
    memcpy(buf, "<0.001 ms", sizeof "<0.001 ms");
    return sizeof "<0.001 ms" - 1;
  }
  return fmt_ms_n(seconds, buf);
}

char *fmt_small_ms(double seconds, char *buf, size_t size) {
  if (size >= FMT_SIZE) {
    fmt_small_ms_n(seconds, buf);
    return buf;
  }
  char tmp[FMT_SIZE];
  fmt_small_ms_n(seconds, tmp);
  return copy_out(tmp, buf, size);
}

size_t fmt_availability_n(double up, double down, char *buf) {
  double pct_down = down * 100;
  int dec = 2;
  if (down > 0 && down < 1e-9) { /* past the cap */
    memcpy(buf, ">99.9999999%", sizeof ">99.9999999%");
    return sizeof ">99.9999999%" - 1;
  }
  if (pct_down > 0) {
    /* The tolerance keeps float noise (0.0999999999999 for 0.1) from
     * asking for one more decimal. */
    dec = 1 - floor_log10(pct_down, 1e-9);
    dec = dec < 2 ? 2 : dec > 10 ? 10 : dec;
  }
  size_t n = fixed(up * 100, dec, buf, NUM_ROOM);
  memcpy(buf + n, "%", 2);
  return n + 1;
}

char *fmt_availability(double up, double down, char *buf, size_t size) {
  if (size >= FMT_SIZE) {
    fmt_availability_n(up, down, buf);
    return buf;
  }
  char tmp[FMT_SIZE];
  fmt_availability_n(up, down, tmp);
  return copy_out(tmp, buf, size);
}

size_t fmt_downtime_n(double minutes, char *buf) {
  const char *unit = " min";
  size_t ul = 4;
  double v = minutes;
  if (minutes >= 2 * 24 * 60) {
    v = minutes / (24 * 60);
    unit = " days";
    ul = 5;
  } else if (minutes >= 120) {
    v = minutes / 60;
    unit = " h";
    ul = 2;
  } else if (minutes < 1) {
    v = minutes * 60;
    unit = " s";
    ul = 2;
    if (v > 0 && v < 0.005) { /* down, but for less than it shows */
      memcpy(buf, "<0.01 s", sizeof "<0.01 s");
      return sizeof "<0.01 s" - 1;
    }
  }
  size_t n = fixed(v, 2, buf, NUM_ROOM);
  memcpy(buf + n, unit, ul + 1);
  return n + ul;
}

char *fmt_downtime(double minutes, char *buf, size_t size) {
  if (size >= FMT_SIZE) {
    fmt_downtime_n(minutes, buf);
    return buf;
  }
  char tmp[FMT_SIZE];
  fmt_downtime_n(minutes, tmp);
  return copy_out(tmp, buf, size);
}

/* Prefixes the sign of D to the formatted magnitude in TMP. */
static char *signed_text(double d, const char *tmp, char *buf, size_t size) {
  if (d == 0 || !strcmp(tmp, "0") || !strcmp(tmp, "$0"))
    snprintf(buf, size, "%s", tmp);
  else
    snprintf(buf, size, "%c%s", d < 0 ? '-' : '+', tmp);
  return buf;
}

char *fmt_delta_count(double d, char *buf, size_t size) {
  char tmp[FMT_SIZE];
  return signed_text(d, fmt_count(fabs(d), tmp, sizeof tmp), buf, size);
}

char *fmt_delta_money(double d, char *buf, size_t size) {
  char tmp[FMT_SIZE];
  return signed_text(d, fmt_money(fabs(d), tmp, sizeof tmp), buf, size);
}

char *fmt_delta_ms(double seconds, char *buf, size_t size) {
  char tmp[FMT_SIZE];
  fmt_ms(fabs(seconds), tmp, sizeof tmp);
  return signed_text(seconds, tmp, buf, size);
}

char *fmt_change_pct(double p, bool has_pct, char *buf, size_t size) {
  if (!has_pct) {
    snprintf(buf, size, "%s", "");
    return buf;
  }
  char tmp[FMT_SIZE];
  fmt_number(fabs(p), fabs(p) >= 10 ? 1 : 2, tmp, sizeof tmp);
  if (!strcmp(tmp, "0")) {
    snprintf(buf, size, "0%%");
    return buf;
  }
  snprintf(buf, size, "%c%s%%", p < 0 ? '-' : '+', tmp);
  return buf;
}

char *fmt_diff_value(char kind, double v, char *buf, size_t size) {
  switch (kind) {
  case 'c':
    return fmt_count(v, buf, size);
  case 'm':
    return fmt_money(v, buf, size);
  case 't':
    return fmt_ms(v, buf, size);
  default:
    return fmt_availability(v, 1 - v, buf, size);
  }
}

char *fmt_diff_change(char kind, double base, double head, double delta,
                      double pct, bool has_pct, const char *arrow, char *buf,
                      size_t size) {
  char b[FMT_SIZE], h[FMT_SIZE], d[FMT_SIZE], p[FMT_SIZE];
  fmt_diff_value(kind, base, b, sizeof b);
  fmt_diff_value(kind, head, h, sizeof h);
  if (!strcmp(b, h)) {
    snprintf(buf, size, "%s", h);
    return buf;
  }
  if (kind == 'c')
    fmt_delta_count(delta, d, sizeof d);
  else if (kind == 'm')
    fmt_delta_money(delta, d, sizeof d);
  else if (kind == 't')
    fmt_delta_ms(delta, d, sizeof d);
  else
    fmt_delta_pp(delta, d, sizeof d);
  fmt_change_pct(pct, has_pct, p, sizeof p);
  if (kind != 'a' && p[0])
    snprintf(buf, size, "%s %s %s (%s, %s)", b, arrow, h, d, p);
  else
    snprintf(buf, size, "%s %s %s (%s)", b, arrow, h, d);
  return buf;
}

char *fmt_delta_pp(double d, char *buf, size_t size) {
  char num[FMT_SIZE];
  /* At least 2 decimals, more for small changes: 3 significant digits. */
  double pp = fabs(d) * 100;
  int dec = pp > 0 ? 2 - (int)floor(log10(pp)) : 2;
  fmt_number(pp, dec < 2 ? 2 : dec > 12 ? 12 : dec, num, sizeof num);
  if (!strcmp(num, "0"))
    snprintf(buf, size, "0 pp");
  else
    snprintf(buf, size, "%c%s pp", d < 0 ? '-' : '+', num);
  return buf;
}

char *fmt_check_value(const capplan_check *c, double v, bool limit, char *buf,
                      size_t size) {
  char m[FMT_SIZE];
  switch (c->kind) {
  case CAPPLAN_CHECK_LATENCY:
  case CAPPLAN_CHECK_LATENCY_P50:
  case CAPPLAN_CHECK_LATENCY_P95:
  case CAPPLAN_CHECK_LATENCY_P99:
  case CAPPLAN_CHECK_LATENCY_P999:
  case CAPPLAN_CHECK_TTFT:
  case CAPPLAN_CHECK_TPOT:
    return fmt_ms(v / 1000, buf, size);
  case CAPPLAN_CHECK_AVAILABILITY:
    if (limit) {
      snprintf(buf, size, "%s%%", fmt_number(v * 100, 8, m, sizeof m));
      return buf;
    }
    return fmt_availability(v, 1 - v, buf, size);
  case CAPPLAN_CHECK_COST:
    snprintf(buf, size, "%s/year", fmt_money(v, m, sizeof m));
    return buf;
  case CAPPLAN_CHECK_GPUS:
  case CAPPLAN_CHECK_SERVERS:
    return fmt_count(v, buf, size);
  }
  return buf;
}

/* C's figure V with EXTRA more decimals than fmt_check_value shows. */
static char *check_value_digits(const capplan_check *c, double v, int extra,
                                char *buf, size_t size) {
  char m[FMT_SIZE];
  double a = fabs(v);
  switch (c->kind) {
  case CAPPLAN_CHECK_LATENCY: /* v in ms, as fmt_ms shows it */
  case CAPPLAN_CHECK_LATENCY_P50:
  case CAPPLAN_CHECK_LATENCY_P95:
  case CAPPLAN_CHECK_LATENCY_P99:
  case CAPPLAN_CHECK_LATENCY_P999:
  case CAPPLAN_CHECK_TTFT:
  case CAPPLAN_CHECK_TPOT:
    fmt_number(v, (a >= 100 ? 0 : a >= 1 ? 2 : sig3(a)) + extra, m, sizeof m);
    snprintf(buf, size, "%s ms", m);
    return buf;
  case CAPPLAN_CHECK_AVAILABILITY:
    return fmt_availability_sig(v, 1 - v, 2 + extra, buf, size);
  case CAPPLAN_CHECK_COST: {
    /* Cents first, then fractions of a cent; cents have two digits. */
    int dec = a >= 1000 ? (extra < 2 ? 2 : extra) : 2 + extra;
    fmt_number(v, dec, m, sizeof m);
    const char *dot = strchr(m, '.');
    if (dot && strlen(dot) == 2)
      strcat(m, "0");
    snprintf(buf, size, "$%s/year", m);
    return buf;
  }
  case CAPPLAN_CHECK_GPUS:
  case CAPPLAN_CHECK_SERVERS:
    return fmt_number(v, extra, buf, size);
  }
  return buf;
}

char *fmt_check_actual(const capplan_check *c, char *buf, size_t size) {
  char l[FMT_SIZE];
  if (!c->known) {
    snprintf(buf, size, "unbounded");
    return buf;
  }
  fmt_check_value(c, c->actual, false, buf, size);
  double limit =
      fmt_shown_value(fmt_check_value(c, c->limit, true, l, sizeof l));
  if (c->passed) {
    /* A latency's margin is shown to 0.01 ms below 100: the actual gets
     * the digits that make limit - actual (or actual - limit) the margin
     * shown ("120.86 ms <= 200 ms, margin +79.14 ms", not "121 ms"). */
    bool ms = c->kind == CAPPLAN_CHECK_LATENCY ||
              c->kind == CAPPLAN_CHECK_TTFT || c->kind == CAPPLAN_CHECK_TPOT ||
              (c->kind >= CAPPLAN_CHECK_LATENCY_P50 &&
               c->kind <= CAPPLAN_CHECK_LATENCY_P999);
    char want[FMT_SIZE], got[FMT_SIZE];
    if (!ms)
      return buf;
    fmt_delta_ms(c->margin / 1000, want, sizeof want);
    for (int extra = 1; extra <= 6; extra++) {
      double a = fmt_shown_value(buf);
      double m = c->upper ? limit - a : a - limit;
      if (!strcmp(fmt_delta_ms(m / 1000, got, sizeof got), want))
        break;
      check_value_digits(c, c->actual, extra, buf, size);
    }
    return buf;
  }
  /* A failed check's figure differs from its limit by more than the
   * checks' tolerance (1e-9 relative), so 15 significant digits always
   * tell them apart. */
  for (int extra = 1; extra <= 15 && fmt_shown_value(buf) == limit; extra++)
    check_value_digits(c, c->actual, extra, buf, size);
  return buf;
}

char *fmt_check_margin(const capplan_check *c, char *buf, size_t size) {
  char v[FMT_SIZE], p[2 * FMT_SIZE] = "";
  if (!c->known) {
    snprintf(buf, size, "-");
    return buf;
  }
  switch (c->kind) {
  case CAPPLAN_CHECK_LATENCY:
  case CAPPLAN_CHECK_LATENCY_P50:
  case CAPPLAN_CHECK_LATENCY_P95:
  case CAPPLAN_CHECK_LATENCY_P99:
  case CAPPLAN_CHECK_LATENCY_P999:
  case CAPPLAN_CHECK_TTFT:
  case CAPPLAN_CHECK_TPOT:
    fmt_delta_ms(c->margin / 1000, v, sizeof v);
    break;
  case CAPPLAN_CHECK_AVAILABILITY:
    return fmt_delta_pp(c->margin, buf, size);
  case CAPPLAN_CHECK_COST: {
    char m[FMT_SIZE];
    snprintf(v, sizeof v, "%s/year", fmt_delta_money(c->margin, m, sizeof m));
    break;
  }
  case CAPPLAN_CHECK_GPUS:
  case CAPPLAN_CHECK_SERVERS:
    fmt_delta_count(c->margin, v, sizeof v);
    break;
  }
  if (c->limit > 0) {
    char n[FMT_SIZE];
    double pct = c->margin_pct;
    fmt_number(fabs(pct), 1, n, sizeof n);
    snprintf(p, sizeof p, " (%s%s%%)", pct < 0 && strcmp(n, "0") ? "-" : "", n);
  }
  snprintf(buf, size, "%s%s", v, p);
  return buf;
}

const char *check_flag(const capplan_check *c) {
  switch (c->kind) {
  case CAPPLAN_CHECK_LATENCY:
    return "--max-latency";
  case CAPPLAN_CHECK_AVAILABILITY:
    return "--min-availability";
  case CAPPLAN_CHECK_COST:
    return "--max-cost";
  case CAPPLAN_CHECK_GPUS:
    return "--max-gpus";
  case CAPPLAN_CHECK_SERVERS:
    return "--max-servers";
  case CAPPLAN_CHECK_LATENCY_P50:
    return "--max-latency-p50";
  case CAPPLAN_CHECK_LATENCY_P95:
    return "--max-latency-p95";
  case CAPPLAN_CHECK_LATENCY_P99:
    return "--max-latency-p99";
  case CAPPLAN_CHECK_LATENCY_P999:
    return "--max-latency-p999";
  case CAPPLAN_CHECK_TTFT:
  case CAPPLAN_CHECK_TPOT:
    return ""; /* no flag: the spec's slo only */
  }
  return "";
}

void fmt_path(capplan_buf *out, const char *const *path, size_t n,
              const char *arrow, void (*esc)(capplan_buf *, const char *)) {
  if (n == 0) /* every stage off the request path (run.c warns) */
    capplan_buf_puts(out, "none");
  for (size_t i = 0; i < n; i++) {
    if (n > 12 && i == 5) {
      char c[FMT_SIZE];
      capplan_buf_printf(out, "%s... %s stages in all ...", arrow,
                         fmt_count((double)n, c, sizeof c));
      i = n - 5;
    }
    if (i)
      capplan_buf_puts(out, arrow);
    if (esc)
      esc(out, path[i]);
    else
      capplan_buf_puts(out, path[i]);
  }
}

size_t fmt_nines_n(double n, bool above_cap, char *buf) {
  if (above_cap)
    return (size_t)snprintf(buf, FMT_SIZE, ">%d", CAPPLAN_NINES_CAP);
  return number_n(n, 2, buf);
}

char *fmt_nines(double n, bool above_cap, char *buf, size_t size) {
  if (size >= FMT_SIZE) {
    fmt_nines_n(n, above_cap, buf);
    return buf;
  }
  char tmp[FMT_SIZE];
  fmt_nines_n(n, above_cap, tmp);
  return copy_out(tmp, buf, size);
}

char *fmt_availability_sig(double up, double down, int sig, char *buf,
                           size_t size) {
  double pct_down = down * 100;
  int dec = 2;
  if (down > 0 && down < 1e-9) /* as fmt_availability */
    return fmt_availability(up, down, buf, size);
  if (pct_down > 0)
    dec = sig - 1 - (int)floor(log10(pct_down) + 1e-9);
  dec = dec < 0 ? 0 : dec > 12 ? 12 : dec;
  char num[FMT_SIZE];
  snprintf(num, sizeof num, "%.*f", dec, up * 100);
  if (strchr(num, '.')) {
    size_t n = strlen(num);
    while (n > 0 && num[n - 1] == '0')
      num[--n] = '\0';
    if (n > 0 && num[n - 1] == '.')
      num[--n] = '\0';
  }
  snprintf(buf, size, "%s%%", num);
  return buf;
}

char *fmt_bytes(double bytes, char *buf, size_t size) {
  return fmt_bytes_per(bytes, "", buf, size);
}

char *fmt_bytes_per(double bytes, const char *per, char *buf, size_t size) {
  static const char *const dec[] = {"B", "KB", "MB", "GB", "TB", "PB", "EB"};
  static const char *const bin[] = {"B",   "KiB", "MiB", "GiB",
                                    "TiB", "PiB", "EiB"};
  int d = 0, b = 0;
  double vd = bytes, vb = bytes;
  while (vd >= 1000 && d < 6) {
    vd /= 1000;
    d++;
  }
  while (vb >= 1024 && b < 6) {
    vb /= 1024;
    b++;
  }
  char n1[FMT_SIZE], n2[FMT_SIZE];
  fmt_number(vd, 2, n1, sizeof n1);
  fmt_number(vb, 2, n2, sizeof n2);
  if (d == 0)
    snprintf(buf, size, "%s B%s", n1, per);
  else
    snprintf(buf, size, "%s %s%s (%s %s%s)", n1, dec[d], per, n2, bin[b], per);
  return buf;
}

static size_t raw_n(double v, int extra, char *buf) {
  /* Below 1, 3 significant digits: a working that redoes 0.0174 x (1 +
   * 20%) from "0.02" gets 0.024, not the 0.0208 it shows as "0.02"
   * (issue 9).  Past what 20 decimals show, the figure says so. */
  double a = fabs(v);
  int dec = 2;
  if (a > 0 && a < 1)
    dec = 2 - floor_log10(a, 0);
  dec += extra;
  if (a > 0 && a < 5e-21) {
    static const char below[] = "<0.00000000000000000001";
    memcpy(buf, below, sizeof below);
    return sizeof below - 1;
  }
  return number_n(v, dec > 20 ? 20 : dec, buf);
}

size_t fmt_raw_n(double v, char *buf) {
  return raw_n(v, 0, buf);
}

char *fmt_raw(double v, char *buf, size_t size) {
  return fmt_raw_extra(v, 0, buf, size);
}

char *fmt_raw_extra(double v, int extra, char *buf, size_t size) {
  if (size >= FMT_SIZE) {
    raw_n(v, extra, buf);
    return buf;
  }
  char tmp[FMT_SIZE];
  raw_n(v, extra, tmp);
  return copy_out(tmp, buf, size);
}

double fmt_shown_value(const char *s) {
  char d[FMT_SIZE];
  size_t n = 0;
  while (*s && !(*s >= '0' && *s <= '9') && *s != '.' && *s != '-')
    s++;
  if (*s == '-')
    d[n++] = *s++;
  for (; *s && n + 1 < sizeof d; s++) {
    if (*s == ',')
      continue;
    if ((*s >= '0' && *s <= '9') || *s == '.')
      d[n++] = *s;
    else if (*s == 'e' && n > 0 &&
             (s[1] == '-' || s[1] == '+' || (s[1] >= '0' && s[1] <= '9'))) {
      d[n++] = *s++;
      d[n++] = *s; /* the exponent's sign or first digit */
    } else
      break;
  }
  d[n] = '\0';
  double v = strtod(d, NULL);
  return isfinite(v) ? v : 0;
}

char *fmt_floor_operand(double v, double factor, double target, char *buf,
                        size_t size) {
  if (v == floor(v))
    return fmt_number(v, 0, buf, size);
  for (int dec = 2; dec <= 12; dec++) {
    fmt_number(v, dec, buf, size);
    /* The reader's exact product; 1e-9 of it keeps float noise (0.29 x
     * 100 = 28.999999999999996) from taking a slot off. */
    double p = fmt_shown_value(buf) * factor;
    if (floor(p + 1e-9 * fmax(1, fabs(p))) == target)
      break;
  }
  return buf;
}

/* PRICE as money with DEC decimals, cents always with two digits. */
static char *money_dec(double price, int dec, char *buf, size_t size) {
  char num[FMT_SIZE];
  fmt_number(price, dec, num, sizeof num);
  const char *dot = strchr(num, '.');
  if (dot && strlen(dot) == 2)
    strcat(num, "0");
  char tmp[FMT_SIZE + 1] = "$";
  memcpy(tmp + 1, num, strlen(num) + 1);
  return copy_out(tmp, buf, size);
}

char *fmt_money_price(double price, double n, double total, char *buf,
                      size_t size) {
  double a = fabs(price);
  if (a >= CAPPLAN_MAX_EXACT || fabs(total) >= CAPPLAN_MAX_EXACT)
    return fmt_money(price, buf, size);
  char want[FMT_SIZE], got[FMT_SIZE];
  fmt_money(total, want, sizeof want);
  /* Whole dollars show whole; a price with cents shows them, and more
   * decimals while N x the price shown misses TOTAL as shown. */
  int dec = money_decimals(a);
  if (dec == 0 && fabs(price - round(price)) >= 0.005)
    dec = 2;
  for (;;) {
    money_dec(price, dec, buf, size);
    if (!strcmp(fmt_money(n * fmt_shown_value(buf), got, sizeof got), want) ||
        dec >= 12)
      return buf;
    dec = dec < 2 ? 2 : dec + 1;
  }
}

char *fmt_ceil_arg(double x, const char *shown, char *buf, size_t size) {
  double tol = capplan_ceil_tolerance(x);
  if (tol == CAPPLAN_CEIL_TOLERANCE)
    snprintf(buf, size, "%s - 1e-9", shown);
  else if (tol == CAPPLAN_CEIL_MAX)
    snprintf(buf, size, "%s - 0.5", shown);
  else
    snprintf(buf, size, "%s x (1 - 1e-12)", shown);
  return buf;
}

char *fmt_checks_summary(size_t failed, size_t n, char *buf, size_t size) {
  if (n == 1)
    snprintf(buf, size, "the check %s", failed ? "failed" : "passed");
  else if (failed)
    snprintf(buf, size, "%zu of %zu checks failed", failed, n);
  else
    snprintf(buf, size, "all %zu checks passed", n);
  return buf;
}

char *fmt_si(double v, const char *unit, char *buf, size_t size) {
  static const char *const prefix[] = {"", "K", "M", "G", "T", "P", "E"};
  int p = 0;
  double x = v;
  while (x >= 1000 && p < 6) {
    x /= 1000;
    p++;
  }
  char n[FMT_SIZE];
  fmt_number(x, x >= 100 ? 1 : 2, n, sizeof n);
  snprintf(buf, size, "%s %s%s", n, prefix[p], unit);
  return buf;
}

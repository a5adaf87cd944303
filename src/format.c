/*
 * format.c - the number formats of format.h.
 */
#include "format.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

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

char *fmt_number(double v, int decimals, char *buf, size_t size) {
  if (v == 0 || !isfinite(v))
    v = 0; /* no "-0"; non-finite figures never reach here */
  snprintf(buf, size, "%.*f", decimals, v);
  if (strchr(buf, '.')) {
    size_t n = strlen(buf);
    while (n > 0 && buf[n - 1] == '0')
      buf[--n] = '\0';
    if (n > 0 && buf[n - 1] == '.')
      buf[--n] = '\0';
  }
  if (!strcmp(buf, "-0"))
    strcpy(buf, "0");
  group_digits(buf, size);
  return buf;
}

char *fmt_count(double v, char *buf, size_t size) {
  return fmt_number(round(v), 0, buf, size);
}

/* Decimals that show 3 significant digits of a value below 1. */
static int sig3(double v) {
  if (v <= 0)
    return 0;
  int d = 2 - (int)floor(log10(v));
  return d < 0 ? 0 : d > 12 ? 12 : d;
}

char *fmt_rate(double v, char *buf, size_t size) {
  double a = fabs(v);
  int dec = a >= 100 ? 0 : a >= 1 ? 2 : sig3(a);
  return fmt_number(v, dec, buf, size);
}

char *fmt_money(double v, char *buf, size_t size) {
  char num[FMT_SIZE];
  fmt_number(v, fabs(v) >= 1000 ? 0 : 2, num, sizeof num);
  if (fabs(v) < 1000 && strchr(num, '.') && strlen(strchr(num, '.')) == 2)
    strcat(num, "0"); /* cents always have two digits */
  snprintf(buf, size, "$%s", num);
  return buf;
}

char *fmt_ms(double seconds, char *buf, size_t size) {
  double ms = seconds * 1000;
  char num[FMT_SIZE];
  fmt_number(ms,
             fabs(ms) >= 100 ? 0
             : fabs(ms) >= 1 ? 2
                             : sig3(fabs(ms)),
             num, sizeof num);
  snprintf(buf, size, "%s ms", num);
  return buf;
}

char *fmt_percent(double fraction, char *buf, size_t size) {
  char num[FMT_SIZE];
  fmt_number(fraction * 100, 2, num, sizeof num);
  snprintf(buf, size, "%s%%", num);
  return buf;
}

char *fmt_availability(double up, double down, char *buf, size_t size) {
  double pct_down = down * 100;
  int dec = 2;
  if (pct_down > 0 && pct_down < 1e-10) {
    snprintf(buf, size, ">99.9999999999%%");
    return buf;
  }
  if (pct_down > 0) {
    dec = 1 - (int)floor(log10(pct_down));
    dec = dec < 2 ? 2 : dec > 10 ? 10 : dec;
  }
  snprintf(buf, size, "%.*f%%", dec, up * 100);
  return buf;
}

char *fmt_downtime(double minutes, char *buf, size_t size) {
  char num[FMT_SIZE];
  const char *unit = "min";
  double v = minutes;
  if (minutes >= 2 * 24 * 60) {
    v = minutes / (24 * 60);
    unit = "days";
  } else if (minutes >= 120) {
    v = minutes / 60;
    unit = "h";
  } else if (minutes < 1) {
    v = minutes * 60;
    unit = "s";
  }
  snprintf(num, sizeof num, "%.2f", v);
  snprintf(buf, size, "%s %s", num, unit);
  return buf;
}

/*
 * units.c - the quantity parser (SPEC.md "Quantities and units").
 *
 * A quantity is lexed into [$] number [unit] [/period] and then interpreted
 * for the kind the spec key expects.  Decimal scaling (K, M, %, GB, ...) is
 * applied to the decimal exponent before the one strtod() call, so "99.9%"
 * gives exactly the double nearest 0.999 and "1.5M" exactly 1500000: the
 * values users type are represented as well as a double can.  Division by a
 * period (10B/day) is the only rounding step after that.
 */
#include "units.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

enum { SECONDS_PER_HOUR = 3600 };

typedef struct lexed {
  bool dollar;
  bool negative;
  char digits[80];   /* mantissa digits with at most one '.', no sign */
  long exponent;     /* written exponent (1e6 -> 6) */
  size_t num_off, num_len;
  const char *unit;  /* suffix right after the number, may be empty */
  size_t unit_off, unit_len;
  bool slash;
  const char *period;
  size_t period_off, period_len;
} lexed;

static const struct period {
  const char *name;
  double seconds;
} periods[] = {
    {"s", 1},
    {"sec", 1},
    {"second", 1},
    {"min", 60},
    {"minute", 60},
    {"h", SECONDS_PER_HOUR},
    {"hr", SECONDS_PER_HOUR},
    {"hour", SECONDS_PER_HOUR},
    {"d", 24.0 * SECONDS_PER_HOUR},
    {"day", 24.0 * SECONDS_PER_HOUR},
    {"week", 7 * 24.0 * SECONDS_PER_HOUR},
    /* A month is 730 hours and a year 8,760 (SPEC.md money units). */
    {"mo", 730.0 * SECONDS_PER_HOUR},
    {"month", 730.0 * SECONDS_PER_HOUR},
    {"y", 8760.0 * SECONDS_PER_HOUR},
    {"yr", 8760.0 * SECONDS_PER_HOUR},
    {"year", 8760.0 * SECONDS_PER_HOUR},
};

double units_period_seconds(const char *name, size_t len) {
  for (size_t i = 0; i < ARRAY_LEN(periods); i++)
    if (strlen(periods[i].name) == len && !memcmp(periods[i].name, name, len))
      return periods[i].seconds;
  return 0;
}

/* Units after the number.  `pow10` is a decimal shift (exact), `factor` a
 * binary one (KiB = 1024). */
struct unit {
  const char *name;
  enum unit_class { UC_MULT, UC_TIMES, UC_DURATION, UC_BYTES, UC_PERCENT } cls;
  int pow10;
  double factor;
};

static const struct unit multipliers[] = {
    {"K", UC_MULT, 3, 1}, {"k", UC_MULT, 3, 1},  {"M", UC_MULT, 6, 1},
    {"B", UC_MULT, 9, 1}, {"T", UC_MULT, 12, 1}, {"x", UC_TIMES, 0, 1},
};

static const struct unit durations[] = {
    {"ns", UC_DURATION, -9, 1},     {"us", UC_DURATION, -6, 1},
    {"\xc2\xb5s", UC_DURATION, -6, 1}, /* micro sign */
    {"\xce\xbcs", UC_DURATION, -6, 1}, /* Greek mu */
    {"ms", UC_DURATION, -3, 1},     {"s", UC_DURATION, 0, 1},
    {"sec", UC_DURATION, 0, 1},     {"min", UC_DURATION, 0, 60},
    {"h", UC_DURATION, 0, 3600},    {"hr", UC_DURATION, 0, 3600},
    {"d", UC_DURATION, 0, 86400},   {"day", UC_DURATION, 0, 86400},
};

static const struct unit bytes[] = {
    {"B", UC_BYTES, 0, 1},
    {"KB", UC_BYTES, 3, 1},
    {"MB", UC_BYTES, 6, 1},
    {"GB", UC_BYTES, 9, 1},
    {"TB", UC_BYTES, 12, 1},
    {"PB", UC_BYTES, 15, 1},
    {"KiB", UC_BYTES, 0, 1024.0},
    {"MiB", UC_BYTES, 0, 1024.0 * 1024},
    {"GiB", UC_BYTES, 0, 1024.0 * 1024 * 1024},
    {"TiB", UC_BYTES, 0, 1024.0 * 1024 * 1024 * 1024},
    {"PiB", UC_BYTES, 0, 1024.0 * 1024 * 1024 * 1024 * 1024},
};

static const struct unit percent[] = {{"%", UC_PERCENT, -2, 1}};

static const struct unit *find_unit(const struct unit *table, size_t n,
                                    const char *s, size_t len) {
  for (size_t i = 0; i < n; i++)
    if (strlen(table[i].name) == len && !memcmp(table[i].name, s, len))
      return &table[i];
  return NULL;
}

const char *units_kind_name(enum unit_kind kind) {
  switch (kind) {
  case UNIT_COUNT:
    return "a count";
  case UNIT_NUMBER:
    return "a number";
  case UNIT_RATE:
    return "a rate";
  case UNIT_DAILY:
    return "a daily rate";
  case UNIT_DURATION:
    return "a duration";
  case UNIT_FRACTION:
    return "a fraction";
  case UNIT_MONEY:
    return "money per period";
  case UNIT_BYTES:
    return "a size in bytes";
  }
  return "a quantity";
}

const char *units_kind_example(enum unit_kind kind) {
  switch (kind) {
  case UNIT_COUNT:
    return "500M";
  case UNIT_NUMBER:
    return "12";
  case UNIT_RATE:
    return "30K";
  case UNIT_DAILY:
    return "20/day";
  case UNIT_DURATION:
    return "20ms";
  case UNIT_FRACTION:
    return "60%";
  case UNIT_MONEY:
    return "$3K/year";
  case UNIT_BYTES:
    return "64GB";
  }
  return "1";
}

const char *units_base_unit(enum unit_kind kind) {
  switch (kind) {
  case UNIT_COUNT:
  case UNIT_NUMBER:
    return "1";
  case UNIT_RATE:
    return "1/s";
  case UNIT_DAILY:
    return "1/day";
  case UNIT_DURATION:
    return "s";
  case UNIT_FRACTION:
    return "fraction";
  case UNIT_MONEY:
    return "USD/year";
  case UNIT_BYTES:
    return "bytes";
  }
  return "1";
}

static int fail(unit_error *err, size_t off, size_t len, const char *help,
                const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

static int fail(unit_error *err, size_t off, size_t len, const char *help,
                const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
  snprintf(err->help, sizeof err->help, "%s", help ? help : "");
  err->offset = off;
  err->len = len ? len : 1;
  return -1;
}

static bool is_unit_char(unsigned char c) {
  return isalpha(c) || c == '%' || c >= 0x80;
}

/* True if exactly three digits start at I (a thousands group). */
static bool is_group(const char *text, size_t len, size_t i) {
  for (size_t k = 0; k < 3; k++)
    if (i + k >= len || !isdigit((unsigned char)text[i + k]))
      return false;
  return i + 3 >= len || !isdigit((unsigned char)text[i + 3]);
}

/* Splits TEXT into its parts.  Returns 0 or -1 with *ERR filled. */
static int lex(const char *text, size_t len, size_t base, const char *key,
               lexed *q, unit_error *err) {
  size_t i = 0;
  memset(q, 0, sizeof *q);
  if (i < len && text[i] == '$') {
    q->dollar = true;
    i++;
  }
  if (i < len && (text[i] == '+' || text[i] == '-')) {
    q->negative = text[i] == '-';
    i++;
  }
  if (!q->dollar && i < len && text[i] == '$') {
    q->dollar = true;
    i++;
  }
  q->num_off = base + i;
  size_t nd = 0;
  bool any_digit = false, dot = false;
  while (i < len) {
    char c = text[i];
    if (isdigit((unsigned char)c)) {
      if (nd + 2 >= sizeof q->digits)
        return fail(err, q->num_off, len - i, NULL,
                    "'%s' has a number with too many digits", key);
      q->digits[nd++] = c;
      any_digit = true;
    } else if ((c == '_' || c == ',') && !dot && any_digit &&
               is_group(text, len, i + 1)) {
      /* a digit group separator: 30_000 or 30,000 (never 1,5) */
    } else if (c == '.' && !dot && !(i + 1 < len && text[i + 1] == '.')) {
      dot = true;
      q->digits[nd++] = '.';
    } else {
      break;
    }
    i++;
  }
  if (!any_digit) {
    size_t span = len - (q->num_off - base);
    return fail(err, q->num_off, span, NULL, "'%s' expects a number, not '%.*s'",
                key, (int)span, text + (q->num_off - base));
  }
  /* An exponent: e or E, an optional sign, digits.  A following letter
   * that is not part of an exponent is left for the unit. */
  if (i < len && (text[i] == 'e' || text[i] == 'E')) {
    size_t j = i + 1;
    bool neg = false;
    if (j < len && (text[j] == '+' || text[j] == '-')) {
      neg = text[j] == '-';
      j++;
    }
    if (j < len && isdigit((unsigned char)text[j])) {
      long e = 0;
      while (j < len && isdigit((unsigned char)text[j])) {
        if (e < 100000)
          e = e * 10 + (text[j] - '0');
        j++;
      }
      q->exponent = neg ? -e : e;
      i = j;
    }
  }
  q->num_len = base + i - q->num_off;
  while (i < len && text[i] == ' ')
    i++;
  q->unit = text + i;
  q->unit_off = base + i;
  while (i < len && is_unit_char((unsigned char)text[i]))
    i++;
  q->unit_len = base + i - q->unit_off;
  while (i < len && text[i] == ' ')
    i++;
  if (i < len && text[i] == '/') {
    q->slash = true;
    i++;
    while (i < len && text[i] == ' ')
      i++;
    q->period = text + i;
    q->period_off = base + i;
    while (i < len && isalpha((unsigned char)text[i]))
      i++;
    q->period_len = base + i - q->period_off;
    if (!q->period_len)
      return fail(err, q->period_off, 1,
                  "periods: s, min, h, day, week, month, year",
                  "'%s' has a '/' without a period after it", key);
  }
  while (i < len && text[i] == ' ')
    i++;
  if (i < len)
    return fail(err, base + i, len - i, NULL,
                "unexpected '%.*s' in '%s'", (int)(len - i), text + i, key);
  return 0;
}

/* The decimal value of the mantissa times 10^shift times FACTOR. */
static double lexed_value(const lexed *q, int shift, double factor) {
  char buf[128];
  long e = q->exponent + shift;
  snprintf(buf, sizeof buf, "%s%se%ld", q->negative ? "-" : "", q->digits, e);
  return strtod(buf, NULL) * factor;
}

static const char *class_name(enum unit_class c) {
  switch (c) {
  case UC_MULT:
  case UC_TIMES:
    return "a count";
  case UC_DURATION:
    return "a duration";
  case UC_BYTES:
    return "a size in bytes";
  case UC_PERCENT:
    return "a fraction";
  }
  return "a quantity";
}

/* What a unit that is wrong for KIND would have meant, or NULL. */
static const struct unit *any_unit(const char *s, size_t n) {
  const struct unit *u = find_unit(durations, ARRAY_LEN(durations), s, n);
  if (!u)
    u = find_unit(bytes, ARRAY_LEN(bytes), s, n);
  if (!u)
    u = find_unit(percent, ARRAY_LEN(percent), s, n);
  if (!u)
    u = find_unit(multipliers, ARRAY_LEN(multipliers), s, n);
  return u;
}

static const char *kind_units_help(enum unit_kind kind) {
  switch (kind) {
  case UNIT_COUNT:
    return "counts take the multipliers K (thousand), M (million), "
           "B (billion) and T (trillion), e.g. '500M'";
  case UNIT_NUMBER:
    return "write a plain number such as '12' or '12x'";
  case UNIT_RATE:
    return "write a rate such as '30K' (per second), '1K/min' or '10B/day'";
  case UNIT_DAILY:
    return "write a rate per user such as '20/day' or '2/hour'";
  case UNIT_DURATION:
    return "write a duration such as '20ms', '1.5s', '500us' or '2min'";
  case UNIT_FRACTION:
    return "write a fraction such as '60%' or '0.6'";
  case UNIT_MONEY:
    return "write money with a period, such as '$2/hour', '$250/month' or "
           "'$3K/year'";
  case UNIT_BYTES:
    return "write a size such as '64GB', '40GiB' or '1.5TB'";
  }
  return NULL;
}

/* Suggests a unit of the expected kind close to the one written. */
static int unknown_unit(const lexed *q, enum unit_kind kind, const char *key,
                        unit_error *err) {
  const char *names[32];
  size_t n = 0;
  const struct unit *tables[3] = {NULL, NULL, NULL};
  size_t sizes[3] = {0, 0, 0};
  switch (kind) {
  case UNIT_DURATION:
    tables[0] = durations;
    sizes[0] = ARRAY_LEN(durations);
    break;
  case UNIT_BYTES:
    tables[0] = bytes;
    sizes[0] = ARRAY_LEN(bytes);
    break;
  case UNIT_FRACTION:
    tables[0] = percent;
    sizes[0] = 1;
    break;
  default:
    tables[0] = multipliers;
    sizes[0] = ARRAY_LEN(multipliers) - (kind == UNIT_NUMBER ? 0 : 1);
    break;
  }
  for (size_t t = 0; t < 3; t++)
    for (size_t i = 0; i < sizes[t] && n < ARRAY_LEN(names); i++)
      names[n++] = tables[t][i].name;
  char word[64];
  snprintf(word, sizeof word, "%.*s", (int)q->unit_len, q->unit);
  const char *best = NULL;
  /* A case slip (20MS, 64gb, 30m) is the most common typo. */
  for (size_t i = 0; i < n && !best; i++)
    if (strlen(names[i]) == q->unit_len &&
        !strncasecmp(names[i], q->unit, q->unit_len))
      best = names[i];
  if (!best)
    best = closest_word(word, names, n);
  char help[160];
  if (best)
    snprintf(help, sizeof help, "did you mean '%s'? %s", best,
             kind_units_help(kind));
  else
    snprintf(help, sizeof help, "%s", kind_units_help(kind));
  return fail(err, q->unit_off, q->unit_len, help, "unknown unit '%s' in '%s'",
              word, key);
}

static int wrong_kind(const lexed *q, enum unit_kind kind, const char *key,
                      const char *got, size_t off, size_t len,
                      unit_error *err) {
  (void)q;
  return fail(err, off, len, kind_units_help(kind), "'%s' takes %s, not %s",
              key, units_kind_name(kind), got);
}

/* Parses the period after '/' into seconds, or fails. */
static int period_of(const lexed *q, const char *key, double *seconds,
                     unit_error *err) {
  *seconds = units_period_seconds(q->period, q->period_len);
  if (*seconds > 0)
    return 0;
  const char *names[ARRAY_LEN(periods)];
  for (size_t i = 0; i < ARRAY_LEN(periods); i++)
    names[i] = periods[i].name;
  char word[64];
  snprintf(word, sizeof word, "%.*s", (int)q->period_len, q->period);
  const char *best = closest_word(word, names, ARRAY_LEN(periods));
  char help[160];
  snprintf(help, sizeof help, "%s%s%speriods: s, min, h, day, week, month, year",
           best ? "did you mean '" : "", best ? best : "", best ? "'? " : "");
  return fail(err, q->period_off, q->period_len, help,
              "unknown period '%s' in '%s'", word, key);
}

int units_parse(const char *text, size_t len, enum unit_kind kind,
                const char *key, double *out, unit_error *err) {
  size_t base = 0;
  while (len > 0 && isspace((unsigned char)text[0])) {
    text++;
    len--;
    base++;
  }
  while (len > 0 && isspace((unsigned char)text[len - 1]))
    len--;
  char help[160];
  snprintf(help, sizeof help, "%s", kind_units_help(kind));
  if (len == 0)
    return fail(err, base, 1, help, "'%s' is empty", key);

  /* Ranges (10ms..50ms, 10ms to 50ms) are planned; say so clearly. */
  for (size_t i = 0; i + 1 < len; i++) {
    bool dots = text[i] == '.' && text[i + 1] == '.';
    bool to = i + 4 <= len && !memcmp(text + i, " to ", 4);
    if (dots || to) {
      snprintf(help, sizeof help,
               "give a single value such as '%s'; ranges (90%% intervals) "
               "are not supported yet",
               units_kind_example(kind));
      return fail(err, base, len, help, "'%s' is a range, '%.*s'", key,
                  (int)len, text);
    }
  }

  lexed q;
  if (lex(text, len, base, key, &q, err) < 0)
    return -1;

  const struct unit *u = NULL;
  bool has_unit = q.unit_len > 0;
  if (q.dollar && kind != UNIT_MONEY)
    return wrong_kind(&q, kind, key, "money", base, len, err);

  double v = 0;
  switch (kind) {
  case UNIT_COUNT:
  case UNIT_NUMBER:
  case UNIT_RATE:
  case UNIT_DAILY:
  case UNIT_MONEY: {
    if (kind == UNIT_MONEY && !q.dollar)
      return fail(err, base, len, help, "'%s' takes money, such as '$3K/year'",
                  key);
    if (has_unit) {
      u = find_unit(multipliers, ARRAY_LEN(multipliers), q.unit, q.unit_len);
      if (u && u->cls == UC_TIMES && kind != UNIT_NUMBER)
        u = NULL;
      if (!u) {
        const struct unit *other = any_unit(q.unit, q.unit_len);
        if (other && other->cls != UC_MULT && other->cls != UC_TIMES)
          return wrong_kind(&q, kind, key, class_name(other->cls), q.unit_off,
                            q.unit_len, err);
        return unknown_unit(&q, kind, key, err);
      }
    }
    v = lexed_value(&q, u ? u->pow10 : 0, 1);
    if (kind == UNIT_COUNT || kind == UNIT_NUMBER) {
      if (q.slash)
        return wrong_kind(&q, kind, key, "a rate", q.period_off - 1,
                          q.period_len + 1, err);
      break;
    }
    double sec = 0;
    if (q.slash && period_of(&q, key, &sec, err) < 0)
      return -1;
    if (kind == UNIT_RATE) {
      if (q.slash)
        v /= sec;
    } else if (kind == UNIT_DAILY) {
      if (q.slash)
        v = v * 86400.0 / sec;
    } else {
      if (!q.slash) {
        snprintf(help, sizeof help,
                 "say per what: '%.*s/hour', '%.*s/month' or '%.*s/year'",
                 (int)len, text, (int)len, text, (int)len, text);
        return fail(err, base, len, help, "'%s' needs a period", key);
      }
      /* Money is kept per year: 8,760 hours (SPEC.md money units). */
      v = v * (8760.0 * SECONDS_PER_HOUR) / sec;
    }
    break;
  }
  case UNIT_DURATION:
  case UNIT_BYTES: {
    const struct unit *table = kind == UNIT_DURATION ? durations : bytes;
    size_t n = kind == UNIT_DURATION ? ARRAY_LEN(durations) : ARRAY_LEN(bytes);
    if (!has_unit) {
      if (q.slash)
        return wrong_kind(&q, kind, key, "a rate", base, len, err);
      return fail(err, base, len, help, "'%s' needs a unit", key);
    }
    u = find_unit(table, n, q.unit, q.unit_len);
    if (!u) {
      const struct unit *other = any_unit(q.unit, q.unit_len);
      /* 'B' is a byte in a bytes field and a billion elsewhere. */
      if (other && !(kind == UNIT_BYTES && other->cls == UC_MULT))
        return wrong_kind(&q, kind, key, class_name(other->cls), q.unit_off,
                          q.unit_len, err);
      return unknown_unit(&q, kind, key, err);
    }
    if (q.slash)
      return wrong_kind(&q, kind, key, "a rate", q.period_off - 1,
                        q.period_len + 1, err);
    v = lexed_value(&q, u->pow10, u->factor);
    break;
  }
  case UNIT_FRACTION: {
    if (q.slash)
      return wrong_kind(&q, kind, key, "a rate", q.period_off - 1,
                        q.period_len + 1, err);
    if (has_unit) {
      u = find_unit(percent, 1, q.unit, q.unit_len);
      if (!u) {
        const struct unit *other = any_unit(q.unit, q.unit_len);
        if (other)
          return wrong_kind(&q, kind, key, class_name(other->cls), q.unit_off,
                            q.unit_len, err);
        return unknown_unit(&q, kind, key, err);
      }
      v = lexed_value(&q, -2, 1);
    } else {
      v = lexed_value(&q, 0, 1);
      if (v > 1) {
        snprintf(help, sizeof help, "write '%.*s%%' for a percentage, or a "
                                    "fraction between 0 and 1",
                 (int)len, text);
        return fail(err, base, len, help,
                    "'%s' is a fraction, but '%.*s' is above 1", key, (int)len,
                    text);
      }
    }
    break;
  }
  }
  if (!isfinite(v))
    return fail(err, q.num_off, q.num_len, "use a value within the range of a "
                                           "double, about 1e308",
                "'%s' is too large: '%.*s'", key, (int)len, text);
  if (v == 0)
    v = 0; /* no negative zero */
  *out = v;
  return 0;
}

/*
 * units.c - the quantity parser (SPEC.md "Quantities and units").
 *
 * A quantity is lexed into [$] number [unit] [/period] and then interpreted
 * for the kind the spec key expects.  Exactness: decimal scaling (K, M, %,
 * ms, GB) moves the decimal exponent, and whole-number factors (60 s in a
 * minute, 1,024 in a KiB, 8,760 hours in a year) multiply the decimal digits
 * exactly, all before the one strtod() call.  So "99.9%" is exactly the
 * double nearest 0.999, "1.1h" is exactly 3960 s and "$2/hour" 17,520 a
 * year.  Only a division that leaves a fraction (10B/day per second, money
 * per week) rounds a second time.
 */
#include "units.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

enum { MAX_DIGITS = 40 };

typedef struct lexed {
  bool dollar;
  bool negative;
  char digits[MAX_DIGITS + 2]; /* mantissa digits, at most one '.' */
  long exponent;               /* written exponent (1e6 -> 6) */
  size_t num_off, num_len;
  const char *unit; /* suffix right after the number, may be empty */
  size_t unit_off, unit_len;
  bool slash;
  size_t slash_off;
  const char *period;
  size_t period_off, period_len;
} lexed;

/* Periods in whole seconds: a month is 730 hours and a year 8,760 (SPEC.md
 * money units). */
static const struct period {
  const char *name;
  uint64_t seconds;
} periods[] = {
    {"s", 1},           {"sec", 1},      {"second", 1},    {"min", 60},
    {"minute", 60},     {"h", 3600},     {"hr", 3600},     {"hour", 3600},
    {"d", 86400},       {"day", 86400},  {"week", 604800}, {"mo", 2628000},
    {"month", 2628000}, {"y", 31536000}, {"yr", 31536000}, {"year", 31536000},
};

static uint64_t period_seconds(const char *name, size_t len) {
  for (size_t i = 0; i < ARRAY_LEN(periods); i++)
    if (strlen(periods[i].name) == len && !memcmp(periods[i].name, name, len))
      return periods[i].seconds;
  return 0;
}

double units_period_seconds(const char *name, size_t len) {
  return (double)period_seconds(name, len);
}

/* Units after the number: a decimal shift (exact) and a whole factor
 * (applied exactly to the digits). */
struct unit {
  const char *name;
  enum unit_class {
    UC_MULT,
    UC_TIMES,
    UC_DURATION,
    UC_BYTES,
    UC_PERCENT,
    UC_FLOP,  /* a count of floating-point operations */
    UC_FLOPS, /* FLOP per second */
    UC_BITS   /* bits, for bandwidth (divided by 8) */
  } cls;
  int pow10;
  uint64_t factor;
};

#define KIB 1024ull
static const struct unit multipliers[] = {
    {"K", UC_MULT, 3, 1}, {"k", UC_MULT, 3, 1},  {"M", UC_MULT, 6, 1},
    {"B", UC_MULT, 9, 1}, {"T", UC_MULT, 12, 1}, {"x", UC_TIMES, 0, 1},
};

/* Every spelling of a period that money takes after its '/' is a
 * duration too (latency: 1hour as cost: $2/hour), with the usual short
 * forms of the small units (msec). */
static const struct unit durations[] = {
    {"ns", UC_DURATION, -9, 1},         {"nsec", UC_DURATION, -9, 1},
    {"us", UC_DURATION, -6, 1},         {"usec", UC_DURATION, -6, 1},
    {"\xc2\xb5s", UC_DURATION, -6, 1}, /* micro sign */
    {"\xce\xbcs", UC_DURATION, -6, 1}, /* Greek mu */
    {"ms", UC_DURATION, -3, 1},         {"msec", UC_DURATION, -3, 1},
    {"s", UC_DURATION, 0, 1},           {"sec", UC_DURATION, 0, 1},
    {"second", UC_DURATION, 0, 1},      {"min", UC_DURATION, 0, 60},
    {"minute", UC_DURATION, 0, 60},     {"h", UC_DURATION, 0, 3600},
    {"hr", UC_DURATION, 0, 3600},       {"hour", UC_DURATION, 0, 3600},
    {"d", UC_DURATION, 0, 86400},       {"day", UC_DURATION, 0, 86400},
    {"week", UC_DURATION, 0, 604800},   {"mo", UC_DURATION, 0, 2628000},
    {"month", UC_DURATION, 0, 2628000}, {"y", UC_DURATION, 0, 31536000},
    {"yr", UC_DURATION, 0, 31536000},   {"year", UC_DURATION, 0, 31536000},
};

static const struct unit bytes[] = {
    {"B", UC_BYTES, 0, 1},
    {"KB", UC_BYTES, 3, 1},
    {"MB", UC_BYTES, 6, 1},
    {"GB", UC_BYTES, 9, 1},
    {"TB", UC_BYTES, 12, 1},
    {"PB", UC_BYTES, 15, 1},
    {"KiB", UC_BYTES, 0, KIB},
    {"MiB", UC_BYTES, 0, KIB *KIB},
    {"GiB", UC_BYTES, 0, KIB *KIB *KIB},
    {"TiB", UC_BYTES, 0, KIB *KIB *KIB *KIB},
    {"PiB", UC_BYTES, 0, KIB *KIB *KIB *KIB *KIB},
};

static const struct unit percent[] = {{"%", UC_PERCENT, -2, 1}};

/* Operations and their rates (SPEC.md section 6): decimal prefixes as
 * datasheets print them ("989 TFLOPS"), FLOP/s also spelt with a slash. */
static const struct unit flop_units[] = {
    {"FLOP", UC_FLOP, 0, 1},   {"KFLOP", UC_FLOP, 3, 1},
    {"kFLOP", UC_FLOP, 3, 1},  {"MFLOP", UC_FLOP, 6, 1},
    {"GFLOP", UC_FLOP, 9, 1},  {"TFLOP", UC_FLOP, 12, 1},
    {"PFLOP", UC_FLOP, 15, 1}, {"EFLOP", UC_FLOP, 18, 1},
};
static const struct unit flops_units[] = {
    {"FLOPS", UC_FLOPS, 0, 1},   {"KFLOPS", UC_FLOPS, 3, 1},
    {"kFLOPS", UC_FLOPS, 3, 1},  {"MFLOPS", UC_FLOPS, 6, 1},
    {"GFLOPS", UC_FLOPS, 9, 1},  {"TFLOPS", UC_FLOPS, 12, 1},
    {"PFLOPS", UC_FLOPS, 15, 1}, {"EFLOPS", UC_FLOPS, 18, 1},
};
/* Bits for link bandwidths (400Gbit/s): decimal, 8 to a byte. */
static const struct unit bit_units[] = {
    {"bit", UC_BITS, 0, 1},  {"Kbit", UC_BITS, 3, 1}, {"kbit", UC_BITS, 3, 1},
    {"Mbit", UC_BITS, 6, 1}, {"Gbit", UC_BITS, 9, 1}, {"Tbit", UC_BITS, 12, 1},
};

static const struct unit *find_unit(const struct unit *table, size_t n,
                                    const char *s, size_t len) {
  /* Byte by byte, without strlen and memcmp calls: the first byte rules
   * out most names, and every quantity of a spec looks its unit up. */
  for (size_t i = 0; i < n; i++) {
    const char *name = table[i].name;
    size_t k = 0;
    while (k < len && name[k] && name[k] == s[k])
      k++;
    if (k == len && !name[k])
      return &table[i];
  }
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
  case UNIT_FLOP:
    return "a FLOP count";
  case UNIT_FLOPS:
    return "a FLOP rate";
  case UNIT_BANDWIDTH:
    return "a bandwidth";
  case UNIT_GROWTH:
    return "a growth rate";
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
  case UNIT_FLOP:
    return "2GFLOP";
  case UNIT_FLOPS:
    return "989TFLOPS";
  case UNIT_BANDWIDTH:
    return "3.35TB/s";
  case UNIT_GROWTH:
    return "5%/month";
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
  case UNIT_FLOP:
    return "FLOP";
  case UNIT_FLOPS:
    return "FLOP/s";
  case UNIT_BANDWIDTH:
    return "bytes/s";
  case UNIT_GROWTH:
    return "per month";
  }
  return "1";
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
  case UNIT_FLOP:
    return "write operations such as '2GFLOP', '14.5TFLOP' or '14e9'";
  case UNIT_FLOPS:
    return "write a rate such as '989TFLOPS' or '312 TFLOP/s' (dense)";
  case UNIT_BANDWIDTH:
    return "write a bandwidth such as '3.35TB/s', '900GB/s' or "
           "'400Gbit/s'";
  case UNIT_GROWTH:
    return "write a growth rate with its period, such as '5%/month' or "
           "'60%/year'";
  }
  return "";
}

#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static int
fail(unit_error *err, size_t off, size_t len, const char *help, const char *fmt,
     ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
  snprintf(err->help, sizeof err->help, "%s", help ? help : "");
  err->offset = off;
  err->len = len ? len : 1;
  return -1;
}

/* isspace of the C locale (capplan never sets another), without its
 * table's call: every quantity is trimmed. */
static bool is_space(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r');
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

/* Splits TEXT (trimmed; BASE is its offset in the scalar) into its parts.
 * Returns 0, or -1 with *ERR filled. */
static int lex(const char *text, size_t len, size_t base, const char *key,
               enum unit_kind kind, lexed *q, unit_error *err) {
  size_t i = 0;
  memset(q, 0, sizeof *q);
  for (int k = 0; k < 2; k++) {
    if (i < len && text[i] == '$' && !q->dollar) {
      q->dollar = true;
      i++;
    } else if (i < len && (text[i] == '+' || text[i] == '-') && !q->negative) {
      q->negative = text[i] == '-';
      i++;
    }
  }
  size_t start = i, nd = 0;
  bool any_digit = false, dot = false;
  while (i < len) {
    char c = text[i];
    if (isdigit((unsigned char)c)) {
      if (nd >= MAX_DIGITS) {
        size_t end = i;
        while (end < len &&
               (isdigit((unsigned char)text[end]) || text[end] == '.' ||
                text[end] == '_' || text[end] == ','))
          end++;
        return fail(
            err, base + start, end - start, "use an exponent, e.g. '1.5e30'",
            "'%s' has a number with more than %d digits", key, MAX_DIGITS);
      }
      /* Leading zeros carry nothing and would waste the digit budget. */
      if (!(c == '0' && !dot && nd == 0))
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
  if (nd == 0 || !strcmp(q->digits, "."))
    strcpy(q->digits, "0");
  q->num_off = base + start;
  if (!any_digit) {
    size_t span = len > start ? len - start : 0;
    size_t off = span ? base + start : base + (len ? len - 1 : 0);
    char help[192];
    snprintf(help, sizeof help, "%s", kind_units_help(kind));
    return fail(err, off, span, help, "'%s' expects a number, not '%.*s'", key,
                (int)len, text);
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
  if (i < len && (text[i] == ',' || text[i] == '_') && i + 1 < len &&
      isdigit((unsigned char)text[i + 1]))
    return fail(err, base + i, 1,
                "the decimal point is '.'; ',' and '_' only group thousands, "
                "as in 30,000",
                "'%s' has a misplaced '%c' in '%.*s'", key, text[i], (int)len,
                text);
  while (i < len && text[i] == ' ')
    i++;
  q->unit = text + i;
  q->unit_off = base + i;
  while (i < len && is_unit_char((unsigned char)text[i]))
    i++;
  q->unit_len = base + i - q->unit_off;
  /* 0x1F, 0o17, 0b101: YAML 1.2 spellings that capplan does not take
   * (a count in hexadecimal is more likely a typo than intended). */
  if (q->unit_len == 1 && strchr("xob", q->unit[0]) && i < len &&
      isxdigit((unsigned char)text[i]) && !strcmp(q->digits, "0")) {
    const char *base_name = q->unit[0] == 'x'   ? "hexadecimal"
                            : q->unit[0] == 'o' ? "octal"
                                                : "binary";
    return fail(err, q->num_off, len - (q->num_off - base),
                "write the number in decimal", "'%s' is %s, '%.*s'", key,
                base_name, (int)len, text);
  }
  if (q->unit_len == 3 && !memcmp(q->unit, "per", 3)) {
    char help[96];
    snprintf(help, sizeof help, "write a rate with '/', e.g. '%s'",
             units_kind_example(kind == UNIT_DAILY ? UNIT_DAILY : UNIT_RATE));
    return fail(err, q->unit_off, 3, help, "'%s' says 'per'; use '/'", key);
  }
  while (i < len && text[i] == ' ')
    i++;
  if (i < len && text[i] == '/') {
    q->slash = true;
    q->slash_off = base + i;
    i++;
    while (i < len && text[i] == ' ')
      i++;
    q->period = text + i;
    q->period_off = base + i;
    while (i < len && isalpha((unsigned char)text[i]))
      i++;
    q->period_len = base + i - q->period_off;
    if (!q->period_len)
      return fail(err, q->slash_off, 1,
                  "periods: s, min, h, day, week, month, year",
                  "'%s' has a '/' without a period after it", key);
  }
  while (i < len && text[i] == ' ')
    i++;
  if (i < len)
    return fail(err, base + i, len - i, NULL, "unexpected '%.*s' in '%s'",
                (int)(len - i), text + i, key);
  return 0;
}

/* Powers of ten that are exact doubles (10^22 is the last). */
static const double exact_p10[] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* The mantissa of Q times MUL (exactly, on its decimal digits) times
 * 10^SHIFT, through one strtod(), then divided by DIV. */
static double lexed_value(const lexed *q, int shift, uint64_t mul,
                          uint64_t div) {
  /* Digits without the point, and how many of them are decimals. */
  char d[MAX_DIGITS + 24];
  size_t n = 0, frac = 0;
  bool after_dot = false;
  for (const char *p = q->digits; *p; p++) {
    if (*p == '.') {
      after_dot = true;
      continue;
    }
    d[n++] = *p;
    frac += after_dot;
  }
  /* Schoolbook multiplication by MUL, right to left; MUL < 2^51 and a
   * digit times it plus the carry stays far below 2^64. */
  uint64_t carry = 0;
  for (size_t k = n; k-- > 0;) {
    uint64_t v = (uint64_t)(d[k] - '0') * mul + carry;
    d[k] = (char)('0' + v % 10);
    carry = v / 10;
  }
  char head[24];
  size_t h = 0;
  while (carry) {
    head[h++] = (char)('0' + carry % 10);
    carry /= 10;
  }
  char buf[MAX_DIGITS + 64];
  size_t b = 0;
  if (q->negative)
    buf[b++] = '-';
  while (h)
    buf[b++] = head[--h];
  memcpy(buf + b, d, n);
  b += n;
  /* "e" and the exponent, as "%ld" writes it */
  long e = q->exponent + shift - (long)frac;
  char ed[24];
  size_t en = 0;
  unsigned long ue = e < 0 ? (unsigned long)(-(e + 1)) + 1 : (unsigned long)e;
  do {
    ed[en++] = (char)('0' + ue % 10);
    ue /= 10;
  } while (ue);
  buf[b++] = 'e';
  if (e < 0)
    buf[b++] = '-';
  while (en)
    buf[b++] = ed[--en];
  buf[b] = '\0';
  /* A mantissa of at most 15 digits and a power of ten up to 22 are both
   * exact doubles, so one multiplication or division, correctly rounded,
   * gives what strtod() gives (Clinger, "How to read floating point
   * numbers accurately", PLDI 1990): the common quantity, '1ms' or '3K',
   * without strtod's general path. */
  size_t first = q->negative ? 1 : 0, end = b - 1;
  while (buf[end] != 'e')
    end--;
  if (end - first <= 15 && e >= -22 && e <= 22) {
    uint64_t m = 0;
    for (size_t k = first; k < end; k++)
      m = m * 10 + (uint64_t)(buf[k] - '0');
    double v = e < 0 ? (double)m / exact_p10[-e] : (double)m * exact_p10[e];
    if (q->negative)
      v = -v;
    return div > 1 ? v / (double)div : v;
  }
  double v = strtod(buf, NULL);
  return div > 1 ? v / (double)div : v;
}

/* True if the mantissa is not zero (to tell underflow from a real 0). */
static bool nonzero(const lexed *q) {
  for (const char *p = q->digits; *p; p++)
    if (*p >= '1' && *p <= '9')
      return true;
  return false;
}

static const char *class_name(enum unit_class c) {
  switch (c) {
  case UC_MULT:
    return "a count";
  case UC_TIMES:
    return "a factor ('x')";
  case UC_DURATION:
    return "a duration";
  case UC_BYTES:
    return "a size in bytes";
  case UC_PERCENT:
    return "a fraction";
  case UC_FLOP:
    return "a FLOP count";
  case UC_FLOPS:
    return "a FLOP rate";
  case UC_BITS:
    return "bits";
  }
  return "a quantity";
}

/* What a unit that is wrong for the expected kind would have meant. */
static const struct unit *any_unit(const char *s, size_t n) {
  const struct unit *u = find_unit(durations, ARRAY_LEN(durations), s, n);
  if (!u)
    u = find_unit(bytes, ARRAY_LEN(bytes), s, n);
  if (!u)
    u = find_unit(percent, ARRAY_LEN(percent), s, n);
  if (!u)
    u = find_unit(multipliers, ARRAY_LEN(multipliers), s, n);
  if (!u)
    u = find_unit(flop_units, ARRAY_LEN(flop_units), s, n);
  if (!u)
    u = find_unit(flops_units, ARRAY_LEN(flops_units), s, n);
  if (!u)
    u = find_unit(bit_units, ARRAY_LEN(bit_units), s, n);
  return u;
}

/* Spellings people write that capplan does not accept, with the unit
 * they mean; a suggestion from here beats one by edit distance. */
static const struct alias {
  const char *written, *meant;
  int bytes; /* 1 if the alias is for a bytes field, 0 for others */
} aliases[] = {
    {"msec", "ms", 0},   {"millis", "ms", 0},  {"milliseconds", "ms", 0},
    {"usec", "us", 0},   {"micros", "us", 0},  {"nsec", "ns", 0},
    {"secs", "s", 0},    {"seconds", "s", 0},  {"second", "s", 0},
    {"mins", "min", 0},  {"minute", "min", 0}, {"minutes", "min", 0},
    {"m", "min", 0},     {"hour", "h", 0},     {"hours", "h", 0},
    {"hrs", "h", 0},     {"days", "d", 0},     {"thousand", "K", 0},
    {"million", "M", 0}, {"mn", "M", 0},       {"billion", "B", 0},
    {"bn", "B", 0},      {"G", "B", 0},        {"g", "B", 0},
    {"pct", "%", 0},     {"percent", "%", 0},  {"Gb", "GB", 1},
    {"Mb", "MB", 1},     {"Kb", "KB", 1},      {"Tb", "TB", 1},
    {"G", "GB", 1},      {"M", "MB", 1},       {"K", "KB", 1},
    {"T", "TB", 1},      {"bytes", "B", 1},
};

/* Suggests a unit of the expected kind close to the one written. */
static int unknown_unit(const lexed *q, enum unit_kind kind, const char *key,
                        unit_error *err) {
  const struct unit *table;
  size_t n;
  switch (kind) {
  case UNIT_DURATION:
    table = durations;
    n = ARRAY_LEN(durations);
    break;
  case UNIT_BYTES:
    table = bytes;
    n = ARRAY_LEN(bytes);
    break;
  case UNIT_FRACTION:
  case UNIT_GROWTH:
    table = percent;
    n = 1;
    break;
  case UNIT_FLOP:
    table = flop_units;
    n = ARRAY_LEN(flop_units);
    break;
  case UNIT_FLOPS:
    table = flops_units;
    n = ARRAY_LEN(flops_units);
    break;
  case UNIT_BANDWIDTH:
    table = bytes;
    n = ARRAY_LEN(bytes);
    break;
  default:
    table = multipliers;
    n = ARRAY_LEN(multipliers) - (kind == UNIT_NUMBER ? 0 : 1);
    break;
  }
  const char *names[32];
  _Static_assert(ARRAY_LEN(durations) <= ARRAY_LEN(names) &&
                     ARRAY_LEN(bytes) <= ARRAY_LEN(names) &&
                     ARRAY_LEN(multipliers) <= ARRAY_LEN(names),
                 "every unit table fits the names of a suggestion");
  for (size_t i = 0; i < n; i++)
    names[i] = table[i].name;
  char word[64];
  snprintf(word, sizeof word, "%.*s", (int)q->unit_len, q->unit);
  const char *best = NULL;
  for (size_t i = 0; i < ARRAY_LEN(aliases) && !best; i++) {
    const struct alias *al = &aliases[i];
    if (al->bytes != (kind == UNIT_BYTES) || strcmp(al->written, word))
      continue;
    /* Only suggest what the field accepts ('min' is no count unit). */
    for (size_t k = 0; k < n; k++)
      if (!strcmp(names[k], al->meant))
        best = al->meant;
  }
  /* A case slip (20MS, 64gb) is the next most common typo. */
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

static int wrong_kind(enum unit_kind kind, const char *key, const char *got,
                      size_t off, size_t len, unit_error *err) {
  return fail(err, off, len, kind_units_help(kind), "'%s' takes %s, not %s",
              key, units_kind_name(kind), got);
}

/* The span of "/period", for messages that reject it. */
static int rate_not_allowed(const lexed *q, enum unit_kind kind,
                            const char *key, unit_error *err) {
  return wrong_kind(kind, key, "a rate", q->slash_off,
                    q->period_off + q->period_len - q->slash_off, err);
}

/* Seconds in the period after '/', or fails with a suggestion. */
static int period_of(const lexed *q, const char *key, uint64_t *seconds,
                     unit_error *err) {
  *seconds = period_seconds(q->period, q->period_len);
  if (*seconds > 0)
    return 0;
  const char *names[ARRAY_LEN(periods)];
  for (size_t i = 0; i < ARRAY_LEN(periods); i++)
    names[i] = periods[i].name;
  char word[64];
  snprintf(word, sizeof word, "%.*s", (int)q->period_len, q->period);
  size_t wl = strlen(word);
  if (wl > 1 && word[wl - 1] == 's' &&
      period_seconds(word, wl - 1) > 0) /* hours, days, ... */
    word[wl - 1] = '\0';
  const char *best =
      strlen(word) < wl ? word : closest_word(word, names, ARRAY_LEN(names));
  char help[160];
  snprintf(help, sizeof help,
           "%s%s%speriods: s, min, h, day, week, month, year",
           best ? "did you mean '" : "", best ? best : "", best ? "'? " : "");
  return fail(err, q->period_off, q->period_len, help,
              "unknown period '%.*s' in '%s'", (int)q->period_len, q->period,
              key);
}

static uint64_t gcd(uint64_t a, uint64_t b) {
  while (b) {
    uint64_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/* FLOP counts, FLOP rates and bandwidths (SPEC.md section 6).  A FLOP
 * count may be a bare number; a rate needs its unit: 'TFLOPS' or
 * 'TFLOP/s', and for a bandwidth a byte or bit unit per period. */
static int parse_compute(const lexed *q, enum unit_kind kind, const char *key,
                         const char *text, size_t len, size_t base, double *v,
                         unit_error *err) {
  bool has_unit = q->unit_len > 0;
  if (!has_unit && kind == UNIT_FLOP) {
    if (q->slash)
      return rate_not_allowed(q, kind, key, err);
    *v = lexed_value(q, 0, 1, 1);
    return 0;
  }
  if (!has_unit) {
    char help[160];
    snprintf(help, sizeof help, "add a unit: %s",
             kind == UNIT_FLOPS ? "'TFLOPS' for 10^12 a second"
                                : "'GB/s', 'TB/s' or 'Gbit/s'");
    return fail(err, base, len, help, "'%s' needs a unit", key);
  }
  const struct unit *u = NULL;
  if (kind == UNIT_FLOP || kind == UNIT_FLOPS) {
    u = find_unit(flop_units, ARRAY_LEN(flop_units), q->unit, q->unit_len);
    if (u && kind == UNIT_FLOP && !q->slash) {
      *v = lexed_value(q, u->pow10, 1, 1);
      return 0;
    }
    if (u && kind == UNIT_FLOP)
      return wrong_kind(kind, key, "a FLOP rate", q->unit_off,
                        q->period_off + q->period_len - q->unit_off, err);
    if (u) { /* TFLOP/s */
      uint64_t sec;
      if (period_of(q, key, &sec, err) < 0)
        return -1;
      *v = lexed_value(q, u->pow10, 1, sec);
      return 0;
    }
    u = find_unit(flops_units, ARRAY_LEN(flops_units), q->unit, q->unit_len);
    if (u && kind == UNIT_FLOP)
      return wrong_kind(kind, key, "a FLOP rate", q->unit_off, q->unit_len,
                        err);
    if (u && q->slash)
      return rate_not_allowed(q, kind, key, err);
    if (u) {
      *v = lexed_value(q, u->pow10, 1, 1);
      return 0;
    }
  } else {
    u = find_unit(bytes, ARRAY_LEN(bytes), q->unit, q->unit_len);
    if (!u)
      u = find_unit(bit_units, ARRAY_LEN(bit_units), q->unit, q->unit_len);
    if (u && !q->slash)
      return fail(err, q->unit_off, q->unit_len,
                  "a bandwidth is bytes or bits per second, e.g. '3.35TB/s'",
                  "'%s' takes a bandwidth, not %s", key,
                  u->cls == UC_BITS ? "bits" : "a size in bytes");
    if (u) {
      uint64_t sec;
      if (period_of(q, key, &sec, err) < 0)
        return -1;
      *v = lexed_value(q, u->pow10, u->factor,
                       sec * (u->cls == UC_BITS ? 8 : 1));
      return 0;
    }
  }
  const struct unit *other = any_unit(q->unit, q->unit_len);
  if (other && !(kind == UNIT_BANDWIDTH && other->cls == UC_MULT))
    return wrong_kind(kind, key, class_name(other->cls), q->unit_off,
                      q->unit_len, err);
  (void)text;
  return unknown_unit(q, kind, key, err);
}

/* The common quantity, digits with at most one '.' and a unit of letters
 * or '%' right after them ('1ms', '3K', '0.5', '60%', '64GB'), read
 * without the lexer (units.h): into *OUT and true, or false for anything
 * else, which units_parse then reads the long way (errors included).  The
 * digits times the unit's factor stay below 2^53 and the power of ten
 * within 10^22, so both are exact doubles and one multiplication or
 * division, correctly rounded, is what lexed_value() and strtod() give
 * (Clinger, "How to read floating point numbers accurately", PLDI 1990):
 * the value is the same bit for bit. */
bool units_parse_quick(const char *text, size_t len, enum unit_kind kind,
                       double *out) {
  uint64_t m = 0;
  size_t i = 0, nd = 0;
  int frac = 0;
  bool dot = false;
  for (; i < len; i++) {
    unsigned char c = (unsigned char)text[i];
    if (c >= '0' && c <= '9') {
      if (nd == 15)
        return false;
      m = m * 10 + (uint64_t)(c - '0');
      nd++;
      frac += dot;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (nd == 0)
    return false;
  const char *unit = text + i;
  size_t ulen = len - i;
  /* An 'e' may start an exponent: the lexer's business. */
  if (ulen && (unit[0] == 'e' || unit[0] == 'E'))
    return false;
  for (; i < len; i++) {
    unsigned char c = (unsigned char)text[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '%'))
      return false;
  }
  int pow10 = 0;
  uint64_t factor = 1;
  const struct unit *u = NULL;
  switch (kind) {
  case UNIT_COUNT:
  case UNIT_NUMBER:
  case UNIT_RATE:
  case UNIT_DAILY: /* bare: per day, or per second; no conversion */
    if (ulen) {
      u = find_unit(multipliers, ARRAY_LEN(multipliers), unit, ulen);
      if (!u || (u->cls == UC_TIMES && kind != UNIT_NUMBER))
        return false;
    }
    break;
  case UNIT_DURATION:
    if (!ulen || !(u = find_unit(durations, ARRAY_LEN(durations), unit, ulen)))
      return false;
    break;
  case UNIT_BYTES:
    if (!ulen || !(u = find_unit(bytes, ARRAY_LEN(bytes), unit, ulen)))
      return false;
    break;
  case UNIT_FRACTION:
    if (ulen && !(u = find_unit(percent, 1, unit, ulen)))
      return false;
    break;
  default:
    return false;
  }
  if (u) {
    pow10 = u->pow10;
    factor = u->factor;
  }
  if (m > (1ull << 53) / factor)
    return false;
  m *= factor;
  int e = pow10 - frac;
  if (e < -22 || e > 22)
    return false;
  double v = e < 0 ? (double)m / exact_p10[-e] : (double)m * exact_p10[e];
  if (kind == UNIT_FRACTION && !u && v > 1)
    return false; /* an error, worded by the long way */
  *out = v;
  return true;
}

int units_parse(const char *text, size_t len, enum unit_kind kind,
                const char *key, double *out, unit_error *err) {
  size_t base = 0;
  while (len > 0 && is_space(text[0])) {
    text++;
    len--;
    base++;
  }
  while (len > 0 && is_space(text[len - 1]))
    len--;
  if (units_parse_quick(text, len, kind, out))
    return 0;
  char help[192];
  /* snprintf's "%s" without its cost: every quantity of a spec passes
   * here, and the help is for the few that fail. */
  const char *kh = kind_units_help(kind);
  size_t khn = strlen(kh) < sizeof help - 1 ? strlen(kh) : sizeof help - 1;
  memcpy(help, kh, khn);
  help[khn] = '\0';
  if (len == 0)
    return fail(err, base, 1, help, "'%s' is empty", key);

  /* A range (10ms..50ms, 10ms to 50ms) is a distribution, which only a
   * spec's inputs take (units_parse_dist); say so clearly. */
  for (size_t i = 0; i + 1 < len; i++) {
    bool dots = text[i] == '.' && text[i + 1] == '.';
    bool to = i + 4 <= len && !memcmp(text + i, " to ", 4);
    if (dots || to) {
      snprintf(help, sizeof help, "give a single value such as '%s'",
               units_kind_example(kind));
      return fail(err, base, len, help,
                  "'%s' takes a single value, not a range ('%.*s')", key,
                  (int)len, text);
    }
  }

  lexed q;
  if (lex(text, len, base, key, kind, &q, err) < 0)
    return -1;
  if (q.dollar && kind != UNIT_MONEY)
    return wrong_kind(kind, key, "money", base, len, err);

  const struct unit *u = NULL;
  bool has_unit = q.unit_len > 0;
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
        return wrong_kind(kind, key, class_name(u->cls), q.unit_off, q.unit_len,
                          err);
      if (!u) {
        const struct unit *other = any_unit(q.unit, q.unit_len);
        if (other && other->cls != UC_MULT)
          return wrong_kind(kind, key, class_name(other->cls), q.unit_off,
                            q.unit_len, err);
        return unknown_unit(&q, kind, key, err);
      }
    }
    int shift = u ? u->pow10 : 0;
    if (kind == UNIT_COUNT || kind == UNIT_NUMBER) {
      if (q.slash)
        return rate_not_allowed(&q, kind, key, err);
      v = lexed_value(&q, shift, 1, 1);
      break;
    }
    uint64_t sec = 1;
    if (q.slash && period_of(&q, key, &sec, err) < 0)
      return -1;
    if (kind == UNIT_MONEY && !q.slash) {
      snprintf(help, sizeof help,
               "say per what: '%.*s/hour', '%.*s/month' or '%.*s/year'",
               (int)len, text, (int)len, text, (int)len, text);
      return fail(err, base, len, help, "'%s' needs a period", key);
    }
    /* Scale by TO / SEC, TO being the seconds of the period the kind is
     * kept in: 1 for rates (per second), a day, or a year for money. */
    uint64_t to = kind == UNIT_RATE ? 1 : kind == UNIT_DAILY ? 86400 : 31536000;
    if (!q.slash)
      sec = kind == UNIT_MONEY ? to : kind == UNIT_DAILY ? 86400 : 1;
    uint64_t g = gcd(to, sec);
    v = lexed_value(&q, shift, to / g, sec / g);
    break;
  }
  case UNIT_DURATION:
  case UNIT_BYTES: {
    const struct unit *table = kind == UNIT_DURATION ? durations : bytes;
    size_t n = kind == UNIT_DURATION ? ARRAY_LEN(durations) : ARRAY_LEN(bytes);
    if (!has_unit) {
      if (q.slash)
        return rate_not_allowed(&q, kind, key, err);
      if (kind == UNIT_DURATION)
        snprintf(help, sizeof help,
                 "add a unit: '%.*sms' for milliseconds, '%.*ss' for "
                 "seconds",
                 (int)len, text, (int)len, text);
      else
        snprintf(help, sizeof help, "add a unit: '%.*sGB', '%.*sGiB', ...",
                 (int)len, text, (int)len, text);
      return fail(err, base, len, help, "'%s' needs a unit", key);
    }
    u = find_unit(table, n, q.unit, q.unit_len);
    if (!u) {
      const struct unit *other = any_unit(q.unit, q.unit_len);
      /* 'B' is a byte in a bytes field and a billion elsewhere. */
      if (other && !(kind == UNIT_BYTES && other->cls == UC_MULT))
        return wrong_kind(kind, key, class_name(other->cls), q.unit_off,
                          q.unit_len, err);
      return unknown_unit(&q, kind, key, err);
    }
    if (q.slash)
      return rate_not_allowed(&q, kind, key, err);
    v = lexed_value(&q, u->pow10, u->factor, 1);
    break;
  }
  case UNIT_FLOP:
  case UNIT_FLOPS:
  case UNIT_BANDWIDTH:
    if (parse_compute(&q, kind, key, text, len, base, &v, err) < 0)
      return -1;
    break;
  case UNIT_GROWTH: {
    /* A share per period, compounded to a month of 730 hours:
     * (1 + g)^(month / period) - 1, so 60%/year is 3.99%/month and
     * 5%/month stays exactly 5%. */
    if (has_unit) {
      u = find_unit(percent, 1, q.unit, q.unit_len);
      if (!u)
        return unknown_unit(&q, kind, key, err);
    }
    if (!q.slash)
      return fail(err, base, len, help,
                  "'%s' needs a period, such as '%.*s/month'", key, (int)len,
                  text);
    uint64_t sec;
    if (period_of(&q, key, &sec, err) < 0)
      return -1;
    double g = lexed_value(&q, has_unit ? -2 : 0, 1, 1);
    if (!(g > -1))
      return fail(err, base, len, help,
                  "'%s' cannot shrink by 100%% or more: '%.*s'", key, (int)len,
                  text);
    v = sec == 2628000 ? g : expm1(log1p(g) * 2628000.0 / (double)sec);
    break;
  }
  case UNIT_FRACTION: {
    if (q.slash)
      return rate_not_allowed(&q, kind, key, err);
    if (has_unit) {
      u = find_unit(percent, 1, q.unit, q.unit_len);
      if (!u) {
        const struct unit *other = any_unit(q.unit, q.unit_len);
        if (other)
          return wrong_kind(kind, key, class_name(other->cls), q.unit_off,
                            q.unit_len, err);
        return unknown_unit(&q, kind, key, err);
      }
      v = lexed_value(&q, -2, 1, 1);
    } else {
      v = lexed_value(&q, 0, 1, 1);
      if (isfinite(v) && v > 1) {
        snprintf(help, sizeof help,
                 "write '%.*s%%' for a percentage, or a fraction between 0 "
                 "and 1",
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
    return fail(err, q.num_off, q.num_len,
                "use a value within the range of a double, about 1e308",
                "'%s' is out of range: '%.*s'", key, (int)len, text);
  if (v == 0 && nonzero(&q))
    return fail(err, q.num_off, q.num_len,
                "use a value within the range of a double, above about "
                "1e-308",
                "'%s' is too small to represent: '%.*s'", key, (int)len, text);
  if (v == 0)
    v = 0; /* no negative zero */
  *out = v;
  return 0;
}

int capplan_quantity(const char *text, const char *kind, const char *name,
                     double *out, capplan_buf *err, capplan_buf *help) {
  static const struct {
    const char *name;
    enum unit_kind kind;
  } kinds[] = {
      {"count", UNIT_COUNT},         {"number", UNIT_NUMBER},
      {"rate", UNIT_RATE},           {"daily", UNIT_DAILY},
      {"duration", UNIT_DURATION},   {"fraction", UNIT_FRACTION},
      {"money", UNIT_MONEY},         {"bytes", UNIT_BYTES},
      {"flop", UNIT_FLOP},           {"flops", UNIT_FLOPS},
      {"bandwidth", UNIT_BANDWIDTH}, {"count", UNIT_COUNT},
      {"number", UNIT_NUMBER},       {"rate", UNIT_RATE},
      {"daily", UNIT_DAILY},         {"duration", UNIT_DURATION},
      {"fraction", UNIT_FRACTION},   {"money", UNIT_MONEY},
      {"bytes", UNIT_BYTES},         {"growth", UNIT_GROWTH},
  };
  for (size_t i = 0; i < ARRAY_LEN(kinds); i++) {
    if (strcmp(kinds[i].name, kind))
      continue;
    unit_error ue;
    if (units_parse(text, strlen(text), kinds[i].kind, name, out, &ue) == 0)
      return 0;
    if (err)
      capplan_buf_puts(err, ue.message);
    if (help && ue.help[0])
      capplan_buf_puts(help, ue.help);
    return -1;
  }
  if (err)
    capplan_buf_printf(err, "unknown quantity kind '%s'", kind);
  return -1;
}

/* ------------------------------------------------ ranges and distributions */

/* Where a distribution's text splits (units_parse_dist). */
static size_t find_to(const char *text, size_t len) {
  for (size_t i = 0; i + 3 <= len; i++)
    if (!memcmp(text + i, " to", 3) && (i + 3 == len || text[i + 3] == ' '))
      return i;
  return len;
}

static size_t find_dots(const char *text, size_t len) {
  for (size_t i = 0; i + 1 < len; i++)
    if (text[i] == '.' && text[i + 1] == '.')
      return i;
  return len;
}

static const struct dist_form {
  const char *name;
  enum dist_kind kind;
  size_t arity;
  const char *args;
} dist_forms[] = {
    {"normal", DIST_NORMAL, 2, "mean, sd"},
    {"uniform", DIST_UNIFORM, 2, "low, high"},
    {"triangular", DIST_TRIANGULAR, 3, "low, mode, high"},
};

#define DIST_HELP                                                              \
  "distributions: 'low to high' (a 90% interval), normal(mean, sd), "          \
  "uniform(low, high), triangular(low, mode, high)"

/* The length of the word of letters at the start of TEXT. */
static size_t word_len(const char *text, size_t len) {
  size_t i = 0;
  /* isalpha of the C locale (capplan never sets another) */
  while (i < len && (((unsigned char)text[i] | 0x20) >= 'a' &&
                     ((unsigned char)text[i] | 0x20) <= 'z'))
    i++;
  return i;
}

int units_is_dist(const char *text, size_t len) {
  while (len > 0 && is_space(text[0])) {
    text++;
    len--;
  }
  if (find_to(text, len) < len || find_dots(text, len) < len)
    return 1;
  size_t w = word_len(text, len);
  return w > 0 && w < len && text[w] == '(';
}

/* One value: TEXT[OFF, OFF + LEN) trimmed; its suffix (the unit and period
 * after the number) starts SUFFIX bytes in, or equals LEN when it has
 * none; DOLLAR says it starts with '$'. */
typedef struct part {
  size_t off, len, suffix;
  bool dollar;
} part;

static part make_part(const char *text, size_t off, size_t len,
                      enum unit_kind kind) {
  while (len > 0 && isspace((unsigned char)text[off])) {
    off++;
    len--;
  }
  while (len > 0 && isspace((unsigned char)text[off + len - 1]))
    len--;
  part p = {off, len, len, false};
  lexed q;
  unit_error ignored;
  if (len && lex(text + off, len, 0, "", kind, &q, &ignored) == 0) {
    p.dollar = q.dollar;
    if (q.unit_len)
      p.suffix = q.unit_off;
    else if (q.slash)
      p.suffix = q.slash_off;
  }
  return p;
}

/* Parses part P of TEXT; a bare number that needs a unit takes the '$'
 * and suffix of FROM (NULL: none).  Errors point within P. */
static int parse_part(const char *text, const part *p, const part *from,
                      enum unit_kind kind, const char *key, double *out,
                      unit_error *err) {
  char buf[256];
  size_t n = 0;
  if (p->len == 0)
    return fail(err, p->off, 1, DIST_HELP,
                "'%s' has a range with a value missing", key);
  bool borrow = from && p->suffix == p->len && from->suffix < from->len &&
                p->len + from->len + 1 < sizeof buf;
  /* A bare number that is a valid value stays what it is ('500 to 2K' is
   * 500 to 2,000); one that needs a unit takes it ('10 to 50ms'). */
  if (borrow && units_parse(text + p->off, p->len, kind, key, out, err) == 0)
    return 0;
  if (borrow) {
    if (from->dollar && !p->dollar)
      buf[n++] = '$';
    memcpy(buf + n, text + p->off, p->len);
    n += p->len;
    memcpy(buf + n, text + from->off + from->suffix, from->len - from->suffix);
    n += from->len - from->suffix;
    if (units_parse(buf, n, kind, key, out, err) == 0)
      return 0;
    err->offset = p->off;
    err->len = p->len ? p->len : 1;
    return -1;
  }
  if (units_parse(text + p->off, p->len, kind, key, out, err) < 0) {
    err->offset += p->off;
    return -1;
  }
  return 0;
}

/* The values of the function form NAME(args) at TEXT. */
static int parse_function(const char *text, size_t len, enum unit_kind kind,
                          const char *key, qdist *out, unit_error *err) {
  size_t w = word_len(text, len);
  const struct dist_form *form = NULL;
  for (size_t i = 0; i < ARRAY_LEN(dist_forms); i++)
    if (strlen(dist_forms[i].name) == w && !memcmp(dist_forms[i].name, text, w))
      form = &dist_forms[i];
  if (!form) {
    const char *names[ARRAY_LEN(dist_forms)];
    for (size_t i = 0; i < ARRAY_LEN(dist_forms); i++)
      names[i] = dist_forms[i].name;
    char word[32];
    snprintf(word, sizeof word, "%.*s", (int)(w < 31 ? w : 31), text);
    if (!strcmp(word, "lognormal"))
      return fail(err, 0, w,
                  "write its 90% interval, 'low to high': with both ends "
                  "positive it is lognormal",
                  "'%s' takes a lognormal as a 90%% interval, not "
                  "lognormal(...)",
                  key);
    const char *best = closest_word(word, names, ARRAY_LEN(names));
    char help[256];
    snprintf(help, sizeof help, "%s%s%s%s", best ? "did you mean '" : "",
             best ? best : "", best ? "'? " : "", DIST_HELP);
    return fail(err, 0, w, help, "unknown distribution '%s' in '%s'", word,
                key);
  }
  if (text[len - 1] != ')')
    return fail(err, len - 1, 1, "close the list of values with ')'",
                "'%s' has no closing ')' in '%.*s'", key, (int)len, text);
  /* Arguments split at ", " or at a comma not starting a group of three
   * digits (30,000 is one number). */
  part parts[4];
  size_t np = 0, start = w + 1, end = len - 1;
  for (size_t i = start; i <= end; i++) {
    bool sep = i == end;
    if (!sep && text[i] == ',')
      sep = (i + 1 < end && text[i + 1] == ' ') || !is_group(text, end, i + 1);
    if (!sep)
      continue;
    if (np == ARRAY_LEN(parts))
      break;
    parts[np++] = make_part(text, start, i - start, kind);
    start = i + 1;
  }
  if (np != form->arity || (np == ARRAY_LEN(parts))) {
    char help[192];
    snprintf(help, sizeof help,
             "write %s(%s), values separated by ', ' (a comma and a space)",
             form->name, form->args);
    return fail(err, 0, len, help, "'%s': %s takes %zu values (%s), got %zu",
                key, form->name, form->arity, form->args, np);
  }
  out->kind = form->kind;
  out->n = np;
  for (size_t k = 0; k < np; k++) {
    /* A bare number takes the unit of the next value that has one. */
    const part *from = NULL;
    for (size_t j = k + 1; j < np && !from; j++)
      if (parts[j].suffix < parts[j].len)
        from = &parts[j];
    if (!from)
      for (size_t j = k; j-- > 0 && !from;)
        if (parts[j].suffix < parts[j].len)
          from = &parts[j];
    if (parse_part(text, &parts[k], from, kind, key, &out->v[k], err) < 0)
      return -1;
    out->off[k] = parts[k].off;
    out->len[k] = parts[k].len;
  }
  return 0;
}

/* Checks the shape of a parsed distribution. */
static int check_shape(const char *text, size_t len, const char *key,
                       const qdist *q, unit_error *err) {
  switch (q->kind) {
  case DIST_INTERVAL:
  case DIST_UNIFORM:
    if (q->v[0] == q->v[1])
      return fail(err, 0, len,
                  "give a single value, or two different ends (the low end "
                  "first)",
                  "'%s' is an empty range: '%.*s' has the same value at both "
                  "ends",
                  key, (int)len, text);
    if (q->v[0] > q->v[1]) {
      char help[256];
      snprintf(help, sizeof help, "write the low end first: '%.*s' then '%.*s'",
               (int)q->len[1], text + q->off[1], (int)q->len[0],
               text + q->off[0]);
      return fail(err, 0, len, help,
                  "'%s' is an inverted range: '%.*s' starts above where it "
                  "ends",
                  key, (int)len, text);
    }
    return 0;
  case DIST_NORMAL:
    if (!(q->v[1] > 0))
      return fail(err, q->off[1], q->len[1],
                  "the standard deviation is the spread around the mean: "
                  "give a positive value",
                  "'%s' has a standard deviation that is not positive in "
                  "'%.*s'",
                  key, (int)len, text);
    return 0;
  case DIST_TRIANGULAR:
    if (!(q->v[0] < q->v[2]))
      return fail(err, 0, len,
                  "write triangular(low, mode, high) with low below high",
                  "'%s' is an %s triangular distribution: '%.*s'", key,
                  q->v[0] == q->v[2] ? "empty" : "inverted", (int)len, text);
    if (q->v[1] < q->v[0] || q->v[1] > q->v[2])
      return fail(err, q->off[1], q->len[1],
                  "the mode (most likely value) lies between low and high",
                  "'%s' has a mode outside its ends in '%.*s'", key, (int)len,
                  text);
    return 0;
  }
  return 0;
}

int units_parse_dist(const char *text, size_t len, enum unit_kind kind,
                     const char *key, qdist *out, unit_error *err) {
  memset(out, 0, sizeof *out);
  size_t base = 0;
  while (len > 0 && isspace((unsigned char)text[0])) {
    text++;
    len--;
    base++;
  }
  while (len > 0 && isspace((unsigned char)text[len - 1]))
    len--;
  int rc;
  size_t w = word_len(text, len);
  if (w > 0 && w < len && text[w] == '(') {
    rc = parse_function(text, len, kind, key, out, err);
  } else {
    size_t at = find_to(text, len), skip = 3;
    if (at == len) {
      at = find_dots(text, len);
      skip = 2;
    }
    if (at == len) {
      rc = fail(err, 0, len ? len : 1, DIST_HELP,
                "'%s' is not a range or a distribution", key);
    } else {
      part a = make_part(text, 0, at, kind);
      part b = make_part(text, at + skip, len - at - skip, kind);
      size_t more = find_to(text + b.off, b.len);
      if (more == b.len)
        more = find_dots(text + b.off, b.len);
      out->kind = DIST_INTERVAL;
      out->n = 2;
      if (more < b.len)
        rc = fail(err, 0, len, "a range has two ends: 'low to high'",
                  "'%s' has more than two values in the range '%.*s'", key,
                  (int)len, text);
      else if ((rc = parse_part(text, &a, &b, kind, key, &out->v[0], err)) == 0)
        rc = parse_part(text, &b, NULL, kind, key, &out->v[1], err);
      out->off[0] = a.off;
      out->len[0] = a.len;
      out->off[1] = b.off;
      out->len[1] = b.len;
    }
  }
  if (rc == 0)
    rc = check_shape(text, len, key, out, err);
  if (rc < 0) {
    err->offset += base;
    return -1;
  }
  for (size_t k = 0; k < out->n; k++)
    out->off[k] += base;
  return 0;
}

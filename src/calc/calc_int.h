/*
 * calc_int.h - what a 'capplan calc' topic is written with.
 *
 * Private to src/calc: the parsed options of one run (calc_ctx), the
 * helpers that read them and record the working (steps: label, formula,
 * numbers, result), and the short number formats the working prints.
 * calc.c parses the options and owns the topic table; a topic file
 * (calc_*.c) holds topics and hands them over as a calc_topic_set.
 */
#ifndef CAPPLAN_CALC_INT_H
#define CAPPLAN_CALC_INT_H

#include <stdarg.h>
#include <stdbool.h>

#include "calc.h"
#include "format.h"

enum { MAX_OPTS = CALC_MAX_OPTIONS, CALC_MAX_RESULTS = 32 };

typedef capplan_calc_topic ctopic;
typedef struct calc_ctx calc_ctx;

struct calc_ctx {
  const ctopic *t;
  capplan_calc *c;
  capplan_buf *err;
  bool has[MAX_OPTS];
  double v[MAX_OPTS];         /* in base units */
  const char *text[MAX_OPTS]; /* as typed */
  double *list;
  size_t n_list;
  double k, n;   /* k-of-n */
  double period; /* of a downtime, in seconds */
};

/* Whether option NAME was given; its value in base units (DFLT when not
 * given); its text as typed (NULL when not given). */
bool calc_has(const calc_ctx *x, const char *name);
double calc_val(const calc_ctx *x, const char *name, double dflt);
const char *calc_text(const calc_ctx *x, const char *name);

/* A string in the run's arena. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
char *
calc_str(calc_ctx *x, const char *fmt, ...);

/* A step of the working: the formula, the numbers put in, the result. */
void calc_work(calc_ctx *x, const char *label, char *formula, char *numbers,
               char *result);
void calc_note(calc_ctx *x, char *text);
/* A figure of the answer, in base units (at most CALC_MAX_RESULTS). */
void calc_result(calc_ctx *x, const char *name, const char *unit, double v);

/* Says what is wrong with the options; returns -1 for the topic to return. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
int
calc_fail(calc_ctx *x, const char *fmt, ...);

/* Short names for the formats, one buffer each (eight in turn). */
typedef struct calc_nb {
  char s[8][FMT_SIZE];
  int i;
} calc_nb;
char *calc_nb_next(calc_nb *b);
#define COUNT(b, v) fmt_count(v, calc_nb_next(b), FMT_SIZE)
#define RATE(b, v) fmt_rate(v, calc_nb_next(b), FMT_SIZE)
/* A rate with K more decimals (fmt_rate_extra). */
#define RATE_X(b, v, k) fmt_rate_extra(v, k, calc_nb_next(b), FMT_SIZE)
/* A number with D decimals, more if it is below 1 (3 significant digits):
 * the working shows the numbers it used (issue 9). */
#define NUM(b, v, d) fmt_number_sig(v, d, calc_nb_next(b), FMT_SIZE)
#define MONEY(b, v) fmt_money(v, calc_nb_next(b), FMT_SIZE)
#define MS(b, v) fmt_ms(v, calc_nb_next(b), FMT_SIZE)
#define PCT(b, v) fmt_percent(v, calc_nb_next(b), FMT_SIZE)
#define AVAIL(b, up, down)                                                     \
  fmt_availability_sig(up, down, 4, calc_nb_next(b), FMT_SIZE)

/* A topic file's topics, in the order 'capplan calc' lists them. */
typedef struct calc_topic_set {
  const ctopic *topics;
  size_t n;
} calc_topic_set;

/* ------------------------------------------- shared by the topic files */

struct capplan_catalog;
struct hw_in;
/* The built-in catalog, or NULL after calc_fail(); free with
 * capplan_catalog_free(). */
struct capplan_catalog *calc_catalog(calc_ctx *x);
/* Catalog accelerator or instance NAME into *HW; 0, or -1 after
 * calc_fail() naming the catalog. */
int calc_hw(calc_ctx *x, const struct capplan_catalog *cat, const char *name,
            struct hw_in *hw);

/* A two-proportion test (FORMULAS.md section 7): the rates, the z values,
 * the variance term, the users per group before and after rounding up. */
typedef struct calc_ab_size {
  double p1, p2, alpha, power, za, zb, var;
  double exact, n;
} calc_ab_size;
/* Reads the options baseline, mde, relative, alpha and power of X, records
 * the working of the users per group and fills *S; 0, or -1 after
 * calc_fail().  The topics sample-size and ab. */
int calc_sample_size_of(calc_ctx *x, calc_ab_size *s);

/* The topics of calc_plan.c: training, ab, autoscale. */
extern const calc_topic_set calc_plan_topics;

/* The topics of calc_infra.c: kafka, cdn, shards. */
extern const calc_topic_set calc_infra_topics;

#endif

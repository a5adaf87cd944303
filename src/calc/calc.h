/*
 * calc.h - 'capplan calc TOPIC': interview one-liners with their working.
 *
 * Each topic takes options in the units of specs, computes its answer
 * with the model's and the estimator's own functions (sizing, k-of-n,
 * throughput models), and records the working as steps.  Private to the
 * library; the CLI parses the options (cli.c) from calc_topics().
 */
#ifndef CAPPLAN_CALC_H
#define CAPPLAN_CALC_H

#include "capplan.h"
#include "steps.h"

/* ---------------------------------------------------------------- calc */

/* 'capplan calc TOPIC': interview one-liners with their working. */
/* An option of a topic: its kind is a quantity kind of capplan_quantity
 * ("rate", "duration", ...), or "flag" (no value), "list" (several
 * fractions), "k-of-n", "bound", "downtime" (a duration per period). */
typedef struct capplan_calc_option {
  const char *name; /* without the leading -- */
  const char *kind;
  const char *value_name; /* NULL for a flag */
  const char *help;
} capplan_calc_option;

enum { CALC_MAX_OPTIONS = 12 };

struct calc_ctx;

typedef struct capplan_calc_topic {
  const char *name, *summary, *usage, *example;
  capplan_calc_option options[CALC_MAX_OPTIONS]; /* up to the first NULL */
  const char *positional; /* the option a bare value stands for, or NULL */
  int (*run)(struct calc_ctx *x);
} capplan_calc_topic;

/* The number of topics, and topic I of them in the order 'capplan calc'
 * lists them (NULL past the last). */
size_t capplan_calc_n_topics(void);
const capplan_calc_topic *capplan_calc_topic_at(size_t i);
/* The number of options of T. */
size_t capplan_calc_n_options(const capplan_calc_topic *t);

/* An option as given: --NAME and its values (NAME NULL for a bare value). */
typedef struct capplan_calc_arg {
  const char *name;
  const char *const *values;
  size_t n_values;
} capplan_calc_arg;

typedef struct capplan_calc_value {
  const char *name, *unit;
  double value; /* in base units: per second, seconds, USD, bytes, ... */
} capplan_calc_value;

typedef struct capplan_calc {
  const char *topic;
  capplan_calc_arg *inputs; /* as given, in order */
  size_t n_inputs;
  capplan_calc_value *results;
  size_t n_results;
  /* The working: steps (label, formula, numbers, result) in
   * working->totals, notes in working->notes (steps.h). */
  steps *working;
  struct capplan_arena *arena;
} capplan_calc;

/* Runs TOPIC on ARGS (pure).  Returns NULL with what is wrong in ERR (an
 * unknown topic or option, a missing or malformed value).  Free with
 * capplan_calc_free(). */
capplan_calc *capplan_calc_run(const char *topic, const capplan_calc_arg *args,
                               size_t n, capplan_buf *err);
void capplan_calc_free(capplan_calc *c);
/* Appends the working as text (CAPPLAN_FORMAT_TABLE) or JSON.  Returns 0,
 * or -1 for another format. */
int capplan_render_calc(const capplan_calc *c, enum capplan_format format,
                        capplan_buf *out);

/* The working as text. */
void render_calc_text(const capplan_calc *c, capplan_buf *out);
/* Inputs, results and steps as JSON (render_json.c). */
void render_json_calc(const capplan_calc *c, capplan_buf *out);

#endif

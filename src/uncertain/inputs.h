/*
 * inputs.h - the inputs an evaluation varies: every range of a spec
 * (Monte Carlo, sensitivity) and every input a command names (a sweep's
 * --set PATH, a forecast's traffic), each with where it lands in the
 * parameter vector (model.h).
 *
 * Where a value of the spec lands is found by asking resolution itself:
 * the input is set to two other values, the spec resolved again, and the
 * parameters that moved are its targets, each the value times a constant
 * (1 for most; item_size for 'items').  So one draw per input reaches
 * every place the input is used (a 'defaults' setting in every stage that
 * inherits it, a stage's policy in its cache tier), with no list of
 * copies to keep in step with resolve.c; an input that moves a parameter
 * in any other way, or changes the model's structure, is refused by name.
 * Runs between resolution and the evaluation (estimate/run.c), while the
 * spec is still at hand.  Private to the library.
 */
#ifndef CAPPLAN_INPUTS_H
#define CAPPLAN_INPUTS_H

#include <stdbool.h>
#include <stddef.h>

#include "dist.h"
#include "model.h"
#include "schema.h"

/* The arrays of the parameter vector. */
enum params_array {
  PA_TRAFFIC,
  PA_STAGE,
  PA_CACHE,
  PA_GROUP,
  PA_HW,
  PA_GPU,
  PA_COUNT
};

/* One number of the parameter vector an input sets: the input's value
 * times SCALE. */
typedef struct input_target {
  enum params_array array;
  size_t index;  /* element of the array (0 for traffic) */
  size_t offset; /* bytes from the element's start to the double */
  double scale;
} input_target;

typedef struct uinput {
  const char *path; /* "traffic.qps", "stages.ranker.latency" */
  const char *text; /* as the spec wrote it; NULL when the spec has none */
  capplan_loc loc;  /* where the spec wrote it (line 0: nowhere) */
  const schema_key *key;
  bool ranged; /* a range or distribution: D holds it */
  dist d;
  double point; /* the value the model holds (a range's median) */
  input_target *targets;
  size_t n_targets;
} uinput;

typedef struct uinputs {
  uinput *items; /* ranges in spec order, then named inputs in order */
  size_t n, n_ranged;
  capplan_arena *arena;
} uinputs;

/* The ranged inputs of SPEC (resolved with CATALOG, NULL for the built-in
 * one) and the inputs PATHS name (N_PATHS of them,
 * may be 0), with their targets in M's parameters.  SPEC is changed and
 * restored while probing.  Returns NULL with errors in D (an unknown path,
 * with a suggestion; an input that cannot vary), or the list (empty when
 * the spec has no range and no path was named).  Free with
 * uinputs_free() (accepts NULL). */
uinputs *uinputs_collect(capplan_spec *spec, const capplan_model *m,
                         const capplan_catalog *catalog,
                         const char *const *paths, size_t n_paths,
                         capplan_diags *d);
void uinputs_free(uinputs *u);

/* The input named PATH, or NULL. */
const uinput *uinputs_find(const uinputs *u, const char *path);

/* Where target T lives in P. */
double *uinput_field(params *p, const input_target *t);
/* Sets every target of IN in P from the value X. */
void uinput_set(const uinput *in, params *p, double x);

/* Formats X (base units) as IN's key is written ("30K", "20ms"). */
void uinput_format(const uinput *in, double x, char *buf, size_t size);

#endif

/*
 * steps.h - the working behind every figure, recorded by the estimator.
 *
 * An evaluation given a recorder writes, next to each figure it computes,
 * the step that produced it: a label, the formula, the numbers put in,
 * the result and a note.  'explain' and 'calc' print these records; they
 * never compute a figure themselves (ARCHITECTURE.md, "the estimator owns
 * every figure").  Numbers are formatted by the rules of format.h, so the
 * working reads like the table.  A NULL recorder costs nothing: Monte
 * Carlo and sizing searches evaluate without one.
 */
#ifndef CAPPLAN_STEPS_H
#define CAPPLAN_STEPS_H

#include <stddef.h>

#include "capplan.h"
#include "util.h"

typedef struct step {
  const char *label;   /* "raw servers" */
  const char *formula; /* "load / (QPS per server x utilization)", or NULL */
  const char *text;    /* the numbers put in, or a statement */
  const char *result;  /* "30", or NULL for a statement */
  const char *note;    /* "(one ceiling, at the end)", or NULL */
} step;

typedef struct step_list {
  step *items;
  size_t n, cap;
  const char *summary; /* the section's result line, or NULL */
} step_list;

/* The working of one evaluation, by section. */
typedef struct steps {
  capplan_arena *arena;
  step_list traffic;
  step_list *stage; /* per stage, in spec order */
  size_t n_stages;
  step_list *group;
  size_t n_groups;
  step_list totals;
  step_list checks;
  step_list notes; /* calc's notes */
} steps;

/* A recorder for a plan of N_STAGES stages and N_GROUPS groups.  Free
 * with steps_free() (accepts NULL). */
steps *steps_new(size_t n_stages, size_t n_groups);
void steps_free(steps *s);

/* A string formatted into the recorder's arena. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
char *
steps_fmt(steps *s, const char *fmt, ...);

/* Appends a step; FORMULA, RESULT and NOTE may be NULL.  The strings
 * must live as long as S (steps_fmt's do). */
void steps_add(steps *s, step_list *l, const char *label, const char *formula,
               const char *text, const char *result, const char *note);

/* Appends a statement: LABEL and a formatted TEXT. */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
void steps_say(steps *s, step_list *l, const char *label, const char *fmt,
               ...);

/* Sets the section's one-line result. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
void steps_summary(steps *s, step_list *l, const char *fmt, ...);

#endif

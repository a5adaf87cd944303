/*
 * steps.c - the recorder of the working (see steps.h).
 */
#include "steps.h"

#include <stdarg.h>
#include <stdlib.h>

steps *steps_new(size_t n_stages, size_t n_groups) {
  steps *s = xcalloc(1, sizeof *s);
  s->arena = arena_new();
  s->n_stages = n_stages;
  s->n_groups = n_groups;
  s->stage = arena_array(s->arena, n_stages ? n_stages : 1, sizeof(step_list));
  s->group = arena_array(s->arena, n_groups ? n_groups : 1, sizeof(step_list));
  return s;
}

void steps_free(steps *s) {
  if (!s)
    return;
  arena_free(s->arena);
  free(s);
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 0)))
#endif
static char *
vfmt(steps *s, const char *fmt, va_list ap) {
  capplan_buf b;
  capplan_buf_init(&b);
  capplan_buf_vprintf(&b, fmt, ap);
  char *r = arena_strdup(s->arena, b.data ? b.data : "");
  capplan_buf_release(&b);
  return r;
}

char *steps_fmt(steps *s, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *r = vfmt(s, fmt, ap);
  va_end(ap);
  return r;
}

void steps_add(steps *s, step_list *l, const char *label, const char *formula,
               const char *text, const char *result, const char *note) {
  if (l->n == l->cap) {
    size_t cap = l->cap ? 2 * l->cap : 16;
    step *items = arena_array(s->arena, cap, sizeof(step));
    for (size_t i = 0; i < l->n; i++)
      items[i] = l->items[i];
    l->items = items;
    l->cap = cap;
  }
  step *st = &l->items[l->n++];
  st->label = label;
  st->formula = formula;
  st->text = text;
  st->result = result;
  st->note = note;
}

void steps_say(steps *s, step_list *l, const char *label, const char *fmt,
               ...) {
  va_list ap;
  va_start(ap, fmt);
  char *text = vfmt(s, fmt, ap);
  va_end(ap);
  steps_add(s, l, label, NULL, text, NULL, NULL);
}

void steps_summary(steps *s, step_list *l, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  l->summary = vfmt(s, fmt, ap);
  va_end(ap);
}

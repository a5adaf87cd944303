/*
 * render_explain.c - 'capplan explain': the working the estimator
 * recorded for every figure (working.c), laid out for reading.
 *
 * This file prints steps; it computes nothing.  Sections come in the
 * order of the plan: traffic, each stage in topological order, each
 * group, the totals and the checks.  Text fits 80 columns (steps wrap at
 * spaces under their label); markdown puts each section in a two-column
 * table.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "render.h"
#include "render_uncertain.h"

#define WIDTH 80
#define LABEL 16 /* two spaces, "critical path", and a space */

typedef struct ex {
  bool md;
  capplan_buf *out;
} ex;

/* Formats FMT into T with the spec's text in it (names, values as
 * written) escaped; T is never left NULL. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 0)))
#endif
static void
safe_vprintf(capplan_buf *t, const char *fmt, va_list ap) {
  capplan_buf raw;
  capplan_buf_init(&raw);
  capplan_buf_vprintf(&raw, fmt, ap);
  text_escape(t, raw.data ? raw.data : "", raw.len, 0);
  capplan_buf_release(&raw);
  if (!t->data)
    capplan_buf_puts(t, "");
}

/* Appends one step: LABEL, then TEXT wrapped at spaces to fit 80
 * columns, continuation lines indented under the text.  In markdown, a
 * table row. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void
line(ex *x, const char *label, const char *fmt, ...) {
  capplan_buf t;
  capplan_buf_init(&t);
  va_list ap;
  va_start(ap, fmt);
  safe_vprintf(&t, fmt, ap);
  va_end(ap);
  const char *s = t.data ? t.data : "";
  if (x->md) {
    capplan_buf_printf(x->out, "| %s | ", label);
    for (; *s; s++) {
      if (*s == '|') /* would end the cell */
        capplan_buf_putc(x->out, '\\');
      capplan_buf_putc(x->out, *s);
    }
    capplan_buf_puts(x->out, " |\n");
    capplan_buf_release(&t);
    return;
  }
  size_t room = WIDTH - LABEL;
  bool first = true;
  while (*s) {
    size_t len = strlen(s);
    size_t take = len;
    if (utf8_width(s, len) > room) {
      /* The last space that keeps the line within the room. */
      size_t best = 0, w = 0;
      for (size_t i = 0; i < len && w <= room; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80)
          w++;
        if (s[i] == ' ' && w <= room + 1)
          best = i;
      }
      take = best ? best : len;
    }
    capplan_buf_printf(x->out, "  %-*s %.*s\n", LABEL - 3, first ? label : "",
                       (int)take, s);
    s += take;
    while (*s == ' ')
      s++;
    first = false;
  }
  capplan_buf_release(&t);
}

static void heading(ex *x, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void heading(ex *x, const char *fmt, ...) {
  capplan_buf t;
  capplan_buf_init(&t);
  va_list ap;
  va_start(ap, fmt);
  safe_vprintf(&t, fmt, ap);
  va_end(ap);
  if (x->md)
    capplan_buf_printf(x->out, "\n### %s\n\n| step | working |\n|:--|:--|\n",
                       t.data);
  else
    capplan_buf_printf(x->out, "\n== %s ==\n", t.data);
  capplan_buf_release(&t);
}

/* The one-line result that closes a section (tests compare it with the
 * JSON report). */
static void result(ex *x, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void result(ex *x, const char *fmt, ...) {
  capplan_buf t;
  capplan_buf_init(&t);
  va_list ap;
  va_start(ap, fmt);
  safe_vprintf(&t, fmt, ap);
  va_end(ap);
  if (x->md)
    capplan_buf_printf(x->out, "\n**=> %s**\n", t.data);
  else
    capplan_buf_printf(x->out, "  => %s\n", t.data);
  capplan_buf_release(&t);
}

/* Appends the steps of L, then its result line. */
static void section(ex *x, const step_list *l) {
  for (size_t k = 0; k < l->n; k++) {
    const step *st = &l->items[k];
    if (st->result)
      line(x, st->label, "%s = %s%s%s", st->text, st->result,
           st->note ? " " : "", st->note ? st->note : "");
    else
      line(x, st->label, "%s", st->text);
  }
  if (l->summary)
    result(x, "%s", l->summary);
}

static void explain(const capplan_report *r, const capplan_render_opts *opts,
                    bool md, capplan_buf *out) {
  const capplan_model *m = r->model;
  const steps *w = r->working;
  ex x = {md, out};
  if (!w) /* a report run without the working: nothing to show */
    return;
  capplan_buf_puts(out, md ? "## " : "");
  text_puts(out, m->name);
  capplan_buf_puts(out, ": how each figure is worked out\n");
  heading(&x, "traffic");
  section(&x, &w->traffic);
  /* Ranges: how each became a distribution (render_uncertain.h). */
  if (r->inputs && r->inputs->n_ranged && !opts->stage) {
    steps *u = steps_new(0, 0);
    render_uncertain_working(r, u, &u->notes);
    heading(&x, "ranges");
    section(&x, &u->notes);
    steps_free(u);
  }
  for (size_t k = 0; k < m->n_stages; k++) {
    size_t i = m->order[k];
    if (opts->stage && strcmp(m->stage[i].name, opts->stage))
      continue;
    heading(&x, "%s (%s)", m->stage[i].name, render_stage_hw(m, i));
    section(&x, &w->stage[i]);
    if (opts->stage && m->stage[i].group >= 0) {
      size_t g = (size_t)m->stage[i].group;
      heading(&x, "group %s (%s)", m->group[g].name,
              m->hw[m->group[g].hw].name);
      section(&x, &w->group[g]);
    }
  }
  if (opts->stage)
    return;
  for (size_t g = 0; g < m->n_groups; g++) {
    heading(&x, "group %s (%s)", m->group[g].name, m->hw[m->group[g].hw].name);
    section(&x, &w->group[g]);
  }
  heading(&x, "totals");
  section(&x, &w->totals);
  if (!w->checks.n)
    return;
  heading(&x, "checks");
  section(&x, &w->checks);
}

void render_explain_text(const void *subject, const capplan_render_opts *opts,
                         capplan_buf *out) {
  explain(subject, opts, false, out);
}

void render_explain_markdown(const void *subject,
                             const capplan_render_opts *opts,
                             capplan_buf *out) {
  explain(subject, opts, true, out);
}

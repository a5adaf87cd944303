/*
 * render_calc.c - the working of 'capplan calc' as text; --json is in
 * render_json.c.
 */
#include <string.h>

#include "calc.h"
#include "util.h"

/* The working as text: each step's formula, its numbers, its result,
 * aligned under one another.  Values are quoted as given on the command
 * line, so every line is escaped (text_escape). */
void render_calc_text(const capplan_calc *c, capplan_buf *out) {
  const step_list *l = &c->working->totals;
  size_t w = 0;
  for (size_t i = 0; i < l->n; i++)
    if (strlen(l->items[i].label) > w)
      w = strlen(l->items[i].label);
  for (size_t i = 0; i < l->n; i++) {
    const step *s = &l->items[i];
    if (!s->formula) {
      /* A statement of the working (a throughput model's steps, as
       * 'explain' shows them): its label and its text. */
      capplan_buf_printf(out, "%-*s : ", (int)w, s->label);
      text_puts(out, s->text);
      capplan_buf_putc(out, '\n');
      continue;
    }
    capplan_buf_printf(out, "%-*s = ", (int)w, s->label);
    text_puts(out, s->formula);
    capplan_buf_putc(out, '\n');
    if (s->text && *s->text) {
      capplan_buf_printf(out, "%-*s = ", (int)w, "");
      text_puts(out, s->text);
      capplan_buf_putc(out, '\n');
    }
    capplan_buf_printf(out, "%-*s = ", (int)w, "");
    text_puts(out, s->result);
    capplan_buf_putc(out, '\n');
  }
  const step_list *n = &c->working->notes;
  for (size_t i = 0; i < n->n; i++) {
    capplan_buf_puts(out, "\nnote: ");
    text_puts(out, n->items[i].text);
    capplan_buf_putc(out, '\n');
  }
}

int capplan_render_calc(const capplan_calc *c, enum capplan_format format,
                        capplan_buf *out) {
  if (format == CAPPLAN_FORMAT_TABLE)
    render_calc_text(c, out);
  else if (format == CAPPLAN_FORMAT_JSON)
    render_json_calc(c, out);
  else
    return -1;
  return 0;
}

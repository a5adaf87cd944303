/*
 * texttable.c - see texttable.h.
 */
#include "texttable.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

typedef struct trow {
  char **cells;
  int style;
} trow;

struct ttable {
  size_t ncols;
  char *align;
  int *priority;
  trow *rows;
  size_t n, cap;
};

ttable *tt_new(size_t ncols, const char *align) {
  ttable *t = xcalloc(1, sizeof *t);
  t->ncols = ncols;
  t->align = xstrdup(align);
  t->priority = xcalloc(ncols, sizeof(int));
  return t;
}

void tt_free(ttable *t) {
  if (!t)
    return;
  for (size_t r = 0; r < t->n; r++) {
    for (size_t c = 0; c < t->ncols; c++)
      free(t->rows[r].cells[c]);
    free(t->rows[r].cells);
  }
  free(t->rows);
  free(t->align);
  free(t->priority);
  free(t);
}

void tt_row(ttable *t, int style) {
  xgrow((void **)&t->rows, &t->cap, t->n + 1, sizeof(trow));
  t->rows[t->n].cells = xcalloc(t->ncols, sizeof(char *));
  t->rows[t->n].style = style;
  t->n++;
}

void tt_cell(ttable *t, const char *text) {
  trow *r = &t->rows[t->n - 1];
  for (size_t c = 0; c < t->ncols; c++)
    if (!r->cells[c]) {
      r->cells[c] = xstrdup(text ? text : "");
      return;
    }
}

void tt_priority(ttable *t, size_t col, int priority) {
  t->priority[col] = priority;
}

void tt_render(const ttable *t, bool color, const char *indent,
               capplan_buf *out) {
  tt_render_fit(t, color, indent, 0, NULL, out);
}

void tt_render_fit(const ttable *t, bool color, const char *indent,
                   size_t width, capplan_buf *dropped, capplan_buf *out) {
  size_t *w = xcalloc(t->ncols, sizeof(size_t));
  bool *used = xcalloc(t->ncols, sizeof(bool));
  for (size_t r = 0; r < t->n; r++)
    for (size_t c = 0; c < t->ncols; c++) {
      const char *s = t->rows[r].cells[c];
      size_t cw = s ? utf8_width(s, strlen(s)) : 0;
      if (cw > w[c])
        w[c] = cw;
      /* The header alone does not keep a column. */
      if (t->rows[r].style != TT_HEADER && s && *s)
        used[c] = true;
    }
  /* Leave out columns, lowest priority first (the rightmost among
   * equals), until the table fits. */
  for (;;) {
    size_t total = strlen(indent), cols = 0;
    for (size_t c = 0; c < t->ncols; c++)
      if (used[c]) {
        total += w[c] + (cols ? 2 : 0);
        cols++;
      }
    if (!width || total <= width)
      break;
    size_t drop = t->ncols;
    for (size_t c = 0; c < t->ncols; c++)
      if (used[c] && t->priority[c] > 0 &&
          (drop == t->ncols || t->priority[c] <= t->priority[drop]))
        drop = c;
    if (drop == t->ncols)
      break; /* nothing more may go */
    used[drop] = false;
    if (dropped) {
      const char *h =
          t->n && t->rows[0].style == TT_HEADER ? t->rows[0].cells[drop] : NULL;
      capplan_buf_printf(dropped, "%s%s", dropped->len ? ", " : "",
                         h && *h ? h : "?");
    }
  }
  for (size_t r = 0; r < t->n; r++) {
    const trow *row = &t->rows[r];
    capplan_buf line;
    capplan_buf_init(&line);
    capplan_buf_puts(&line, indent);
    if (color && (row->style == TT_BOLD || row->style == TT_HEADER))
      capplan_buf_puts(&line, "\033[1m");
    if (color && row->style == TT_DIM)
      capplan_buf_puts(&line, "\033[2m");
    bool first = true;
    for (size_t c = 0; c < t->ncols; c++) {
      if (!used[c])
        continue;
      const char *s = row->cells[c] ? row->cells[c] : "";
      size_t pad = w[c] - utf8_width(s, strlen(s));
      if (!first)
        capplan_buf_puts(&line, "  ");
      first = false;
      if (t->align[c] == 'r')
        for (size_t k = 0; k < pad; k++)
          capplan_buf_putc(&line, ' ');
      capplan_buf_puts(&line, s);
      if (t->align[c] != 'r')
        for (size_t k = 0; k < pad; k++)
          capplan_buf_putc(&line, ' ');
    }
    /* No trailing blanks: golden files and terminals both prefer it. */
    while (line.len > 0 && line.data[line.len - 1] == ' ')
      line.data[--line.len] = '\0';
    if (color && row->style != TT_PLAIN)
      capplan_buf_puts(&line, "\033[0m");
    capplan_buf_put(out, line.data ? line.data : "", line.len);
    capplan_buf_putc(out, '\n');
    capplan_buf_release(&line);
  }
  free(w);
  free(used);
}

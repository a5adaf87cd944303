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
  trow *rows;
  size_t n, cap;
};

ttable *tt_new(size_t ncols, const char *align) {
  ttable *t = xcalloc(1, sizeof *t);
  t->ncols = ncols;
  t->align = xstrdup(align);
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
  free(t);
}

void tt_row(ttable *t, int style) {
  xgrow((void **)&t->rows, &t->cap, t->n + 1, sizeof(trow));
  t->rows[t->n].cells = xcalloc(t->ncols, sizeof(char *));
  t->rows[t->n].style = style;
  t->n++;
}

/* Stores S (owned) as the next cell of the current row. */
static void put_cell(ttable *t, char *s) {
  trow *r = &t->rows[t->n - 1];
  for (size_t c = 0; c < t->ncols; c++)
    if (!r->cells[c]) {
      r->cells[c] = s;
      return;
    }
  free(s);
}

void tt_cell(ttable *t, const char *text) {
  capplan_buf b;
  capplan_buf_init(&b);
  text_puts(&b, text);
  put_cell(t, b.data ? b.data : xstrdup(""));
}

void tt_cell_raw(ttable *t, const char *text) {
  put_cell(t, xstrdup(text ? text : ""));
}

/* Columns S takes on a terminal: its characters, less the colour codes
 * (ESC [ ... m, and any other CSI sequence), which take none.  Cells from
 * tt_cell() hold no ESC of their own: text_escape() showed it as \x1b. */
static size_t display_width(const char *s) {
  size_t w = 0;
  for (size_t i = 0; s[i]; i++) {
    if (s[i] == '\033' && s[i + 1] == '[') {
      i += 2;
      while (s[i] && !(s[i] >= 0x40 && s[i] <= 0x7E))
        i++;
      if (!s[i])
        break;
      continue;
    }
    if (((unsigned char)s[i] & 0xC0) != 0x80)
      w++;
  }
  return w;
}

void tt_render(const ttable *t, bool color, const char *indent,
               capplan_buf *out) {
  size_t *w = xcalloc(t->ncols, sizeof(size_t));
  bool *used = xcalloc(t->ncols, sizeof(bool));
  for (size_t r = 0; r < t->n; r++)
    for (size_t c = 0; c < t->ncols; c++) {
      const char *s = t->rows[r].cells[c];
      size_t cw = s ? display_width(s) : 0;
      if (cw > w[c])
        w[c] = cw;
      /* The header alone does not keep a column. */
      if (t->rows[r].style != TT_HEADER && s && *s)
        used[c] = true;
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
      size_t pad = w[c] - display_width(s);
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

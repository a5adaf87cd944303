/*
 * texttable.c - see texttable.h.
 */
#include "texttable.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

typedef struct trow {
  const char **cells;
  size_t *width; /* each cell's width in characters, measured once */
  size_t filled; /* cells given so far */
  int style;
} trow;

struct ttable {
  size_t ncols;
  char *align;
  int *priority;
  trow *rows;
  size_t n, cap;
  capplan_arena *arena; /* the cells: a 100,000-row table is 2M of them */
};

ttable *tt_new(size_t ncols, const char *align) {
  ttable *t = xcalloc(1, sizeof *t);
  t->ncols = ncols;
  t->align = xstrdup(align);
  t->priority = xcalloc(ncols, sizeof(int));
  t->arena = arena_new();
  return t;
}

void tt_free(ttable *t) {
  if (!t)
    return;
  free(t->rows);
  free(t->align);
  free(t->priority);
  arena_free(t->arena);
  free(t);
}

void tt_row(ttable *t, int style) {
  xgrow((void **)&t->rows, &t->cap, t->n + 1, sizeof(trow));
  t->rows[t->n].cells = arena_array(t->arena, t->ncols, sizeof(char *));
  t->rows[t->n].width = arena_array(t->arena, t->ncols, sizeof(size_t));
  t->rows[t->n].filled = 0;
  t->rows[t->n].style = style;
  t->n++;
}

/* Columns S takes on a terminal: its characters (UTF-8 code points),
 * less the colour codes (ESC [ ... m, and any other CSI sequence), which
 * take none.  Cells from tt_cell() hold no ESC of their own:
 * text_escape() showed it as \x1b. */
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

/* Stores S (a copy is made) as the next cell of the current row; WIDTH
 * is its display width, or SIZE_MAX to measure it. */
static void put_cell(ttable *t, const char *s, size_t len, size_t width) {
  trow *r = &t->rows[t->n - 1];
  if (r->filled == t->ncols)
    return;
  size_t c = r->filled++;
  r->cells[c] = arena_strndup(t->arena, s, len);
  r->width[c] = width != SIZE_MAX ? width : display_width(r->cells[c]);
}

/* The display width of S (N bytes) when it is plain printable ASCII
 * (the common cell: a number, a name), else SIZE_MAX. */
static size_t ascii_width(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7F)
      return SIZE_MAX;
  return n;
}

void tt_cell(ttable *t, const char *text) {
  if (!text)
    text = "";
  size_t n = strlen(text);
  size_t w = ascii_width(text, n);
  if (w != SIZE_MAX || text_plain_prefix(text, n, 0) == n) {
    put_cell(t, text, n, w); /* nothing to escape: the common case */
    return;
  }
  capplan_buf b;
  capplan_buf_init(&b);
  text_puts(&b, text);
  put_cell(t, b.data ? b.data : "", b.len, SIZE_MAX);
  capplan_buf_release(&b);
}

void tt_cell_raw(ttable *t, const char *text) {
  put_cell(t, text ? text : "", text ? strlen(text) : 0, SIZE_MAX);
}

static void spaces(capplan_buf *out, size_t n) {
  static const char blank[] = "                                ";
  while (n > 0) {
    size_t k = n < sizeof blank - 1 ? n : sizeof blank - 1;
    capplan_buf_put(out, blank, k);
    n -= k;
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
      size_t cw = s ? t->rows[r].width[c] : 0;
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
  size_t last = t->ncols; /* the last column shown */
  for (size_t c = 0; c < t->ncols; c++)
    if (used[c])
      last = c;
  for (size_t r = 0; r < t->n; r++) {
    const trow *row = &t->rows[r];
    capplan_buf_puts(out, indent);
    if (color && (row->style == TT_BOLD || row->style == TT_HEADER))
      capplan_buf_puts(out, "\033[1m");
    if (color && row->style == TT_DIM)
      capplan_buf_puts(out, "\033[2m");
    /* Blanks are held back until something follows them, so no line
     * ends in blanks: golden files and terminals both prefer it. */
    size_t pending = 0;
    bool first = true;
    for (size_t c = 0; c < t->ncols; c++) {
      if (!used[c])
        continue;
      const char *s = row->cells[c] ? row->cells[c] : "";
      size_t pad = w[c] - (row->cells[c] ? row->width[c] : 0);
      if (!first)
        pending += 2;
      first = false;
      if (t->align[c] == 'r')
        pending += pad;
      if (*s) {
        spaces(out, pending);
        pending = 0;
        capplan_buf_puts(out, s);
      }
      if (t->align[c] != 'r' && c != last)
        pending += pad;
    }
    if (color && row->style != TT_PLAIN)
      capplan_buf_puts(out, "\033[0m");
    capplan_buf_putc(out, '\n');
  }
  free(w);
  free(used);
}

/*
 * texttable.c - see texttable.h.
 */
#include "texttable.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* A cell is one byte: its length, which is also its width for plain
 * printable ASCII (a figure, most names).  Its bytes follow those of the
 * cells before it in the table's text (row by row, left to right), so
 * no offset is kept.  A cell that is longer, or whose width differs
 * (UTF-8, colour codes), is ODD, and its length and width are the next
 * entry of the odd cells, taken in the same order.  A 100,000-stage
 * report's tables hold a million cells each: a byte, not eight, each,
 * is 7 MB less memory to touch a table.  A cell never given is empty
 * (0), which is how it shows. */
enum { ODD = 255 };
typedef struct odd_cell {
  uint32_t len, width;
} odd_cell;

/* The cells live in two flat arrays, the rows' one after another: a
 * 100,000-row table is a million cells, and one allocation of each kind
 * keeps them compact.  Each column's width and whether a row other than
 * the header fills it are kept as cells arrive. */
struct ttable {
  size_t ncols;
  char *align;
  int *priority;
  size_t *colw;   /* the widest cell of each column */
  bool *used;     /* a cell outside the header fills the column */
  int *style;     /* of each row */
  uint8_t *cells; /* n rows x ncols: lengths, or ODD */
  uint8_t *row;   /* the current row's cells */
  odd_cell *odd;  /* the ODD cells' lengths and widths, in order */
  size_t n_odd, cap_odd;
  bool header; /* the current row is a TT_HEADER */
  size_t n, cap, filled;
  size_t max_len;        /* the longest cell in bytes */
  capplan_buf text;      /* the cells' bytes, one after another */
  struct fig_memo *memo; /* tt_fig_at's, made at its first figure */
};

/* A figure's text, kept by its function and arguments (tt_fig_at). */
enum { FIG_TEXT = 48, FIG_MEMO = 256 };
typedef struct fig_memo {
  tt_fig_fn fn; /* NULL: empty */
  uint64_t a, b;
  size_t len;
  char text[FIG_TEXT];
} fig_memo;

ttable *tt_new(size_t ncols, const char *align) {
  ttable *t = xcalloc(1, sizeof *t);
  t->ncols = ncols;
  t->align = xstrdup(align);
  t->priority = xcalloc(ncols, sizeof(int));
  t->colw = xcalloc(ncols, sizeof(size_t));
  t->used = xcalloc(ncols, sizeof(bool));
  capplan_buf_init(&t->text);
  return t;
}

void tt_free(ttable *t) {
  if (!t)
    return;
  free(t->style);
  free(t->cells);
  free(t->odd);
  free(t->memo);
  free(t->align);
  free(t->priority);
  free(t->colw);
  free(t->used);
  capplan_buf_release(&t->text);
  free(t);
}

void tt_reserve(ttable *t, size_t rows) {
  if (rows <= t->cap)
    return;
  t->cap = rows;
  t->style = xrealloc(t->style, t->cap * sizeof(int));
  t->cells = xrealloc(t->cells, t->cap * (t->ncols ? t->ncols : 1));
}

void tt_row(ttable *t, int style) {
  if (t->n == t->cap) {
    t->cap = t->cap ? 2 * t->cap : 16;
    t->style = xrealloc(t->style, t->cap * sizeof(int));
    t->cells = xrealloc(t->cells, t->cap * (t->ncols ? t->ncols : 1));
  }
  t->row = &t->cells[t->n * t->ncols];
  memset(t->row, 0, t->ncols);
  t->style[t->n] = style;
  t->header = style == TT_HEADER;
  t->filled = 0;
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

/* Bytes kept free after the last cell's (put_cell, tt_cell). */
enum { TEXT_SLACK = 16, SHORT_CELL = 48 };

/* Records the length LEN and width WIDTH of cell C of the current row,
 * whose bytes are (or are about to be) the text's last, and what they
 * do to the table's widths. */
static CAPPLAN_ALWAYS_INLINE void set_cell(ttable *t, size_t c, size_t len,
                                           size_t width) {
  if (len == width && len < ODD) {
    t->row[c] = (uint8_t)len;
  } else {
    if (t->n_odd == t->cap_odd) {
      t->cap_odd = t->cap_odd ? 2 * t->cap_odd : 16;
      t->odd = xrealloc(t->odd, t->cap_odd * sizeof *t->odd);
    }
    t->odd[t->n_odd].len = (uint32_t)len;
    t->odd[t->n_odd].width = (uint32_t)width;
    t->n_odd++;
    t->row[c] = ODD;
  }
  if (len > t->max_len)
    t->max_len = len;
  if (width > t->colw[c])
    t->colw[c] = width;
  /* The header alone does not keep a column. */
  if (!t->header && len)
    t->used[c] = true;
}

/* Stores S (a copy is made) as the next cell of the current row; WIDTH
 * is its display width, or SIZE_MAX to measure it. */
static void put_cell(ttable *t, const char *s, size_t len, size_t width) {
  if (t->filled == t->ncols || !t->n)
    return;
  size_t c = t->filled++;
  if (width == SIZE_MAX) {
    char *z = xstrndup(s, len);
    width = display_width(z);
    free(z);
  }
  if (len > UINT32_MAX)
    len = UINT32_MAX; /* no cell is 4 GB */
  if (width > UINT32_MAX)
    width = UINT32_MAX;
  set_cell(t, c, len, width);
  capplan_buf *b = &t->text;
  /* With TEXT_SLACK bytes after it, so tt_render_fit may copy a cell
   * eight bytes at a time. */
  memcpy(capplan_buf_reserve(b, len + TEXT_SLACK), s, len);
  b->len += len;
}

void tt_cell(ttable *t, const char *text) {
  if (!text)
    text = "";
  if (t->filled == t->ncols || !t->n)
    return;
  /* The common cell, a number or a name: short, plain printable ASCII,
   * whose width is its length.  It is copied as it is checked, into
   * room taken once; anything else takes the general way below. */
  capplan_buf *b = &t->text;
  char *d = capplan_buf_reserve(b, SHORT_CELL + TEXT_SLACK);
  size_t n = 0;
  for (unsigned char c; (c = (unsigned char)text[n]) != 0; n++) {
    if (c < 0x20 || c >= 0x7F || n == SHORT_CELL)
      goto general;
    d[n] = (char)c;
  }
  b->len += n;
  set_cell(t, t->filled++, n, n);
  return;
general:
  n += strlen(text + n);
  if (text_plain_prefix(text, n, 0) == n) {
    put_cell(t, text, n, SIZE_MAX); /* nothing to escape */
    return;
  }
  capplan_buf e;
  capplan_buf_init(&e);
  text_puts(&e, text);
  put_cell(t, e.data ? e.data : "", e.len, SIZE_MAX);
  capplan_buf_release(&e);
}

char *tt_room(ttable *t) {
  return capplan_buf_reserve(&t->text, TT_ROOM + TEXT_SLACK);
}

/* tt_cell_n's work, inline in tt_cell_fig too. */
static CAPPLAN_ALWAYS_INLINE void cell_n(ttable *t, size_t n) {
  if (t->filled == t->ncols || !t->n)
    return;
  t->text.len += n;
  set_cell(t, t->filled++, n, n);
}

void tt_cell_n(ttable *t, size_t n) {
  cell_n(t, n);
}

/* tt_fig_at's work, inline in tt_cell_fig too. */
static CAPPLAN_ALWAYS_INLINE size_t fig_at(ttable *t, tt_fig_fn fn, double a,
                                           double b, char *at) {
  if (!t->memo)
    t->memo = xcalloc(FIG_MEMO, sizeof *t->memo);
  uint64_t ka, kb;
  memcpy(&ka, &a, sizeof ka);
  memcpy(&kb, &b, sizeof kb);
  /* the top 8 bits of a multiplicative hash: 256 slots */
  uint64_t h = (ka ^ (kb * 0xC2B2AE3D27D4EB4FULL) ^ (uint64_t)(uintptr_t)fn) *
               0x9E3779B97F4A7C15ULL;
  fig_memo *e = &t->memo[h >> 56];
  if (e->fn == fn && e->a == ka && e->b == kb) {
    memcpy(at, e->text, FIG_TEXT); /* the room holds TT_ROOM bytes */
    return e->len;
  }
  size_t n = fn(a, b, at);
  if (n < FIG_TEXT) {
    e->fn = fn;
    e->a = ka;
    e->b = kb;
    e->len = n;
    memcpy(e->text, at, n);
  }
  return n;
}

size_t tt_fig_at(ttable *t, tt_fig_fn fn, double a, double b, char *at) {
  return fig_at(t, fn, a, b, at);
}

void tt_cell_fig(ttable *t, tt_fig_fn fn, double a, double b) {
  cell_n(t, fig_at(t, fn, a, b, tt_room(t)));
}

void tt_cell_raw(ttable *t, const char *text) {
  put_cell(t, text ? text : "", text ? strlen(text) : 0, SIZE_MAX);
}

void tt_priority(ttable *t, size_t col, int priority) {
  t->priority[col] = priority;
}

void tt_render(const ttable *t, bool color, const char *indent,
               capplan_buf *out) {
  tt_render_fit(t, color, indent, 0, NULL, out);
}

/* The bytes of cell C of the first row ("" when never given). */
static const char *first_row_text(const ttable *t, size_t c, size_t *len) {
  size_t off = 0, o = 0;
  for (size_t k = 0; k <= c; k++) {
    *len = t->cells[k] == ODD ? t->odd[o++].len : t->cells[k];
    if (k < c)
      off += *len;
  }
  return *len ? t->text.data + off : "";
}

void tt_render_fit(const ttable *t, bool color, const char *indent,
                   size_t width, capplan_buf *dropped, capplan_buf *out) {
  bool *used = xmalloc((t->ncols ? t->ncols : 1) * sizeof(bool));
  const size_t *w = t->colw;
  if (t->ncols)
    memcpy(used, t->used, t->ncols * sizeof(bool));
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
      size_t hl = 0;
      const char *h = t->n && t->style[0] == TT_HEADER
                          ? first_row_text(t, drop, &hl)
                          : NULL;
      capplan_buf_printf(dropped, "%s%.*s", dropped->len ? ", " : "",
                         h && hl ? (int)hl : 1, h && hl ? h : "?");
    }
  }
  size_t last = t->ncols;                /* the last column shown */
  size_t line_max = strlen(indent) + 16; /* colour codes and the newline */
  for (size_t c = 0; c < t->ncols; c++)
    if (used[c]) {
      last = c;
      line_max += w[c] + 2;
    }
  /* Each line is put together in LINE (its widest is known) and
   * appended in one piece. */
  size_t max_bytes = t->max_len; /* a cell's bytes may exceed its width */
  /* The line starts as blanks and is blanked again after each row, so
   * the blanks between cells cost nothing but a count; cells are copied
   * eight bytes at a time, from the text's slack (put_cell) into the
   * line's (COPY_SLACK), and the bytes copied past a cell blanked. */
  enum { COPY_SLACK = 8 };
  size_t line_size = line_max + t->ncols * max_bytes + COPY_SLACK;
  char *line = xmalloc(line_size);
  memset(line, ' ', line_size);
  size_t ilen = strlen(indent);
  /* What each column shown adds before and after its cell: the two
   * blanks that part it from the one before, and its padding, before a
   * right-aligned cell, after a left-aligned one but the last. */
  uint8_t *sep = xmalloc(t->ncols ? t->ncols : 1);
  uint8_t *pad_before = xmalloc(t->ncols ? t->ncols : 1);
  uint8_t *pad_after = xmalloc(t->ncols ? t->ncols : 1);
  for (size_t c = 0, shown = 0; c < t->ncols; c++) {
    sep[c] = used[c] && shown++ ? 2 : 0;
    pad_before[c] = t->align[c] == 'r';
    pad_after[c] = t->align[c] != 'r' && c != last;
  }
  size_t off = 0; /* of the next cell's bytes in the text */
  size_t o = 0;   /* the next ODD cell's entry */
  for (size_t r = 0; r < t->n; r++) {
    int style = t->style[r];
    size_t k = 0;
    memcpy(line, indent, ilen);
    k += ilen;
    if (color && (style == TT_BOLD || style == TT_HEADER)) {
      memcpy(line + k, "\033[1m", 4);
      k += 4;
    }
    if (color && style == TT_DIM) {
      memcpy(line + k, "\033[2m", 4);
      k += 4;
    }
    /* Blanks are held back until something follows them, so no line
     * ends in blanks: golden files and terminals both prefer it. */
    size_t pending = 0;
    const uint8_t *row = &t->cells[r * t->ncols];
    for (size_t c = 0; c < t->ncols; c++) {
      size_t len = row[c], cw = len;
      if (len == ODD) {
        len = t->odd[o].len;
        cw = t->odd[o++].width;
      }
      size_t at = off;
      off += len;
      if (!used[c])
        continue;
      size_t pad = w[c] - cw;
      pending += sep[c];
      if (pad_before[c])
        pending += pad;
      if (len) {
        k += pending; /* blanks already */
        pending = 0;
        const char *src = t->text.data + at;
        if (len <= SHORT_CELL) {
          for (size_t i = 0; i < len; i += 8)
            memcpy(line + k + i, src + i, 8);
          memcpy(line + k + len, "        ", 8); /* what came past it */
        } else {
          memcpy(line + k, src, len);
        }
        k += len;
      }
      if (pad_after[c])
        pending += pad;
    }
    if (color && style != TT_PLAIN) {
      memcpy(line + k, "\033[0m", 4);
      k += 4;
    }
    line[k++] = '\n';
    capplan_buf_put(out, line, k);
    memset(line, ' ', k + COPY_SLACK);
  }
  free(line);
  free(sep);
  free(pad_before);
  free(pad_after);
  free(used);
}

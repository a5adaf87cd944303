/*
 * diag.c - the diagnostics list and its compiler-style rendering.
 *
 * Every module reports problems by appending to a capplan_diags list; only
 * the CLI decides where the rendered text goes.  The format follows gcc and
 * jq (SPEC.md section 4):
 *
 *   specs/web.yaml:12:12: error: stage 'db' is after unknown stage 'cache'
 *      12 |     after: cache
 *         |            ^~~~~
 *         = help: ...
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void capplan_diags_init(capplan_diags *d, const capplan_source *src) {
  memset(d, 0, sizeof(*d));
  d->src = src;
}

void capplan_diags_release(capplan_diags *d) {
  for (size_t i = 0; i < d->count; i++) {
    free(d->items[i].message);
    free(d->items[i].help);
  }
  free(d->items);
  d->items = NULL;
  d->count = d->cap = d->errors = d->warnings = 0;
}

void capplan_diags_add(capplan_diags *d, enum capplan_severity sev,
                       capplan_loc loc, const char *help, const char *fmt,
                       ...) {
  xgrow((void **)&d->items, &d->cap, d->count + 1, sizeof(capplan_diag));
  capplan_diag *g = &d->items[d->count];
  capplan_buf b;
  capplan_buf_init(&b);
  va_list ap;
  va_start(ap, fmt);
  capplan_buf_vprintf(&b, fmt, ap);
  va_end(ap);
  g->severity = sev;
  g->loc = loc;
  g->message = b.data ? b.data : xstrdup("");
  g->help = help ? xstrdup(help) : NULL;
  g->seq = d->count;
  d->count++;
  if (sev == CAPPLAN_ERROR)
    d->errors++;
  else
    d->warnings++;
}

static int diag_cmp(const void *pa, const void *pb) {
  const capplan_diag *a = pa, *b = pb;
  /* Diagnostics without a place come after those with one. */
  int la = a->loc.line ? a->loc.line : __INT_MAX__;
  int lb = b->loc.line ? b->loc.line : __INT_MAX__;
  if (la != lb)
    return la < lb ? -1 : 1;
  if (a->loc.col != b->loc.col)
    return a->loc.col < b->loc.col ? -1 : 1;
  return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void capplan_diags_sort(capplan_diags *d) {
  if (d->count > 1)
    qsort(d->items, d->count, sizeof(capplan_diag), diag_cmp);
}

/* Byte offsets of the starts of lines; a line ends at \n, \r\n or \r. */
typedef struct line_index {
  size_t *start;
  size_t n;
} line_index;

/* The starts of the first UPTO lines (fewer if the source has fewer):
 * what the diagnostics quote, without reading a large spec to its end
 * when they point near its top. */
static line_index index_lines(const capplan_source *src, size_t upto) {
  line_index ix = {NULL, 0};
  size_t cap = 0;
  xgrow((void **)&ix.start, &cap, 1, sizeof(size_t));
  ix.start[ix.n++] = 0;
  const char *t = src->text;
  /* Most specs end their lines with \n alone: then memchr finds each
   * end (a 10 MB spec's warning on its last line costs a scan of it). */
  if (!memchr(t, '\r', src->len)) {
    for (const char *e;
         ix.n < upto && (e = memchr(t + ix.start[ix.n - 1], '\n',
                                    src->len - ix.start[ix.n - 1]));) {
      xgrow((void **)&ix.start, &cap, ix.n + 1, sizeof(size_t));
      ix.start[ix.n++] = (size_t)(e - t) + 1;
    }
    return ix;
  }
  for (size_t i = 0; i < src->len && ix.n < upto; i++) {
    char c = t[i];
    if (c == '\r' && i + 1 < src->len && t[i + 1] == '\n')
      i++;
    else if (c != '\n' && c != '\r')
      continue;
    xgrow((void **)&ix.start, &cap, ix.n + 1, sizeof(size_t));
    ix.start[ix.n++] = i + 1;
  }
  return ix;
}

/* Byte length of line L (1-based) without its line break. */
static size_t line_len(const capplan_source *src, const line_index *ix,
                       size_t l) {
  size_t b = ix->start[l - 1];
  size_t e = b;
  while (e < src->len && src->text[e] != '\n' && src->text[e] != '\r')
    e++;
  return e - b;
}

/* Appends LINE with control characters (other than tab) and bytes that
 * are not UTF-8 shown as escapes (\x1b), so a NUL, an escape sequence or
 * stray Latin-1 in a hostile spec cannot garble the terminal. */
static void put_source_line(capplan_buf *out, const char *line, size_t n) {
  text_escape(out, line, n, TEXT_KEEP_TAB);
}

#define C_BOLD "\033[1m"
#define C_RED "\033[1;31m"
#define C_MAGENTA "\033[1;35m"
#define C_GREEN "\033[1;32m"
#define C_CYAN "\033[1;36m"
#define C_OFF "\033[0m"

static void render_one(const capplan_diags *d, const line_index *ix,
                       const capplan_diag *g, bool color, capplan_buf *out) {
  const capplan_source *src = d->src;
  const char *sev = g->severity == CAPPLAN_ERROR ? "error" : "warning";
  const char *sev_color = g->severity == CAPPLAN_ERROR ? C_RED : C_MAGENTA;
  bool placed = src && g->loc.line > 0 && (size_t)g->loc.line <= ix->n;

  if (color)
    capplan_buf_puts(out, C_BOLD);
  /* The path, the message and the help quote the command line and the
   * spec: they are escaped like any outside text. */
  if (src)
    text_puts(out, src->path);
  else
    capplan_buf_puts(out, "capplan");
  if (src && placed)
    capplan_buf_printf(out, ":%d:%d", g->loc.line, g->loc.col);
  capplan_buf_putc(out, ':');
  if (color)
    capplan_buf_puts(out, C_OFF);
  capplan_buf_printf(out, " %s%s:%s ", color ? sev_color : "", sev,
                     color ? C_OFF : "");
  text_puts(out, g->message);
  capplan_buf_putc(out, '\n');

  if (placed) {
    size_t l = (size_t)g->loc.line;
    const char *line = src->text + ix->start[l - 1];
    size_t n = line_len(src, ix, l);
    /* A very long line shows as a window of WINDOW characters around the
     * caret, marked with "..." at the cut ends. */
    enum { WINDOW = 120 };
    int col = g->loc.col, span = g->loc.len;
    bool cut_left = false, cut_right = false;
    if (utf8_width(line, n) > WINDOW) {
      int skip = col > WINDOW / 3 ? col - WINDOW / 3 : 0;
      size_t i = 0;
      for (int c = 0; c < skip && i < n; c++) {
        i++;
        while (i < n && ((unsigned char)line[i] & 0xC0) == 0x80)
          i++;
      }
      cut_left = skip > 0;
      line += i;
      n -= i;
      col -= skip;
      size_t j = 0;
      for (int c = 0; c < WINDOW && j < n; c++) {
        j++;
        while (j < n && ((unsigned char)line[j] & 0xC0) == 0x80)
          j++;
      }
      cut_right = j < n;
      n = j;
      if (col + span - 1 > WINDOW)
        span = WINDOW - col + 1;
    }
    char gutter[32];
    int gw = snprintf(gutter, sizeof gutter, "%5d", g->loc.line);
    capplan_buf_printf(out, "%s | %s", gutter, cut_left ? "..." : "");
    put_source_line(out, line, n);
    capplan_buf_puts(out, cut_right ? "...\n" : "\n");
    capplan_buf_printf(out, "%*s | %s", gw, "", cut_left ? "   " : "");
    /* Walk to the column (counted in characters), copying tabs so the
     * caret lines up under the source in any terminal, and as many
     * blanks as an escaped character takes (\x1b: four). */
    size_t i = 0;
    for (int c = 1; c < col && i < n; c++) {
      if (line[i] == '\t') {
        capplan_buf_putc(out, '\t');
        i++;
        continue;
      }
      size_t plain = text_plain_prefix(line + i, n - i, 0);
      size_t step = 1, shown = 1;
      if (plain) {
        while (i + step < n && ((unsigned char)line[i + step] & 0xC0) == 0x80)
          step++;
      } else {
        capplan_buf esc;
        capplan_buf_init(&esc);
        step = text_escape_one(&esc, line + i, n - i);
        shown = esc.len;
        capplan_buf_release(&esc);
      }
      for (size_t k = 0; k < shown; k++)
        capplan_buf_putc(out, ' ');
      i += step;
    }
    if (color)
      capplan_buf_puts(out, C_GREEN);
    capplan_buf_putc(out, '^');
    for (int k = 1; k < span; k++)
      capplan_buf_putc(out, '~');
    if (color)
      capplan_buf_puts(out, C_OFF);
    capplan_buf_putc(out, '\n');
    if (g->help) {
      capplan_buf_printf(out, "%*s = %shelp:%s ", gw, "", color ? C_CYAN : "",
                         color ? C_OFF : "");
      text_puts(out, g->help);
      capplan_buf_putc(out, '\n');
    }
  } else if (g->help) {
    capplan_buf_printf(out, "  = %shelp:%s ", color ? C_CYAN : "",
                       color ? C_OFF : "");
    text_puts(out, g->help);
    capplan_buf_putc(out, '\n');
  }
}

void capplan_diags_render(const capplan_diags *d, bool color,
                          capplan_buf *out) {
  line_index ix = {NULL, 0};
  size_t last = 0; /* the last line a diagnostic quotes */
  for (size_t i = 0; i < d->count; i++)
    if (d->items[i].loc.line > 0 && (size_t)d->items[i].loc.line > last)
      last = (size_t)d->items[i].loc.line;
  if (d->src)
    ix = index_lines(d->src, last);
  for (size_t i = 0; i < d->count; i++)
    render_one(d, &ix, &d->items[i], color, out);
  free(ix.start);
}

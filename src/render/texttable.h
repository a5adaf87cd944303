/*
 * texttable.h - aligned text tables for the human-readable renderers.
 *
 * Cells are copied, and escaped (text_escape): a cell never carries a
 * control character from a spec.  Widths count characters (UTF-8 code
 * points), so a name with non-ASCII letters still lines up, and colour
 * codes count for nothing, so a coloured cell lines up too.
 */
#ifndef CAPPLAN_TEXTTABLE_H
#define CAPPLAN_TEXTTABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "capplan.h"

typedef struct ttable ttable;

/* A table of NCOLS columns; ALIGN holds 'l' or 'r' per column. */
ttable *tt_new(size_t ncols, const char *align);
void tt_free(ttable *t);
/* Makes room for ROWS rows in all, so a table whose size is known is
 * not copied as it grows (a 100,000-stage report's tables). */
void tt_reserve(ttable *t, size_t rows);
/* Starts a row.  A TT_HEADER row is bold and does not by itself keep a
 * column; TT_BOLD is for totals. */
enum { TT_PLAIN = 0, TT_BOLD = 1, TT_DIM = 2, TT_HEADER = 3 };
void tt_row(ttable *t, int style);
/* Appends a cell to the current row (NULL is an empty cell). */
void tt_cell(ttable *t, const char *text);
/* A cell written in place: tt_room gives room for TT_ROOM bytes at the
 * end of the table's text, the caller writes the cell there (a figure
 * from format.h's _n functions, plain printable ASCII, so its width is
 * its length) and tt_cell_n appends it with its length.  No copy, no
 * scan: a 100,000-stage report's tables hold two million figures. */
enum { TT_ROOM = 128 };
char *tt_room(ttable *t);
void tt_cell_n(ttable *t, size_t len);
/* A figure cell: FN writes the text of figure A (B a second argument, 0
 * if none) at BUF, plain printable ASCII, and returns its length.  The
 * table keeps the texts it was given last by FN, A and B (their bits),
 * and copies one that comes again instead of calling FN: a report's
 * tables show the same figures row after row (a stage's 99.9% servers,
 * a count of 2, stages alike).  tt_fig_at writes the text at AT (room
 * from tt_room) and returns its length, for a cell of several. */
typedef size_t (*tt_fig_fn)(double a, double b, char *buf);
size_t tt_fig_at(ttable *t, tt_fig_fn fn, double a, double b, char *at);
void tt_cell_fig(ttable *t, tt_fig_fn fn, double a, double b);
/* The same for text of capplan's own that may hold colour codes, which
 * are kept as they are. */
void tt_cell_raw(ttable *t, const char *text);
/* Appends the table; a column that only the header fills is dropped. */
void tt_render(const ttable *t, bool color, const char *indent,
               capplan_buf *out);
/* The column model for narrow terminals: PRIORITY says which columns go
 * first when the table must fit (lower first; 0, the default, never). */
void tt_priority(ttable *t, size_t col, int priority);
/* tt_render within WIDTH characters (0: no limit): columns are left out,
 * lowest priority first, until the widest line fits.  The headers of the
 * columns left out are appended to DROPPED (may be NULL), ", "-joined. */
void tt_render_fit(const ttable *t, bool color, const char *indent,
                   size_t width, capplan_buf *dropped, capplan_buf *out);

#endif

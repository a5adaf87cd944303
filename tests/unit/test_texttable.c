/*
 * test_texttable.c - aligned text tables (texttable.h): figure cells
 * written in place and copied when they come again, cells whose width
 * is not their length (UTF-8, colour codes) or that are long, and the
 * columns left out to fit a width.
 */
#include "helpers.h"

#include "format.h"
#include "texttable.h"
#include "util.h"

static size_t f_ms(double a, double b, char *buf) {
  (void)b;
  return fmt_ms_n(a, buf);
}

static size_t f_count(double a, double b, char *buf) {
  (void)b;
  return fmt_count_n(a, buf);
}

static size_t f_availability(double a, double b, char *buf) {
  return fmt_availability_n(a, b, buf);
}

/* Renders T and frees it; the caller frees the text. */
static char *render(ttable *t, size_t width, capplan_buf *dropped) {
  capplan_buf out;
  capplan_buf_init(&out);
  tt_render_fit(t, false, "", width, dropped, &out);
  tt_free(t);
  return out.data ? out.data : xstrdup("");
}

/* A table of figure cells (tt_cell_fig, tt_fig_at) renders as the same
 * table of their fmt_ texts given with tt_cell: 3,000 rows of figures
 * that recur (the texts kept and copied) and figures that do not, so
 * that the kept texts are also displaced. */
static void test_figures_match_text_cells(void **state) {
  (void)state;
  ttable *a = tt_new(4, "lrrr"), *b = tt_new(4, "lrrr");
  tt_row(a, TT_HEADER);
  tt_row(b, TT_HEADER);
  const char *head[] = {"stage", "up of", "latency", "all up"};
  for (int c = 0; c < 4; c++) {
    tt_cell(a, head[c]);
    tt_cell(b, head[c]);
  }
  for (int i = 0; i < 3000; i++) {
    char name[32], x[FMT_SIZE], y[FMT_SIZE], upof[2 * FMT_SIZE + 4];
    snprintf(name, sizeof name, "s%d", i);
    double servers = i % 3 == 0 ? 2 : i, needed = i % 5 ? 1 : i / 2;
    double ms = i % 4 ? 0.001 * (i % 7) : 1e-6 * i;
    double down = i % 2 ? 0.001 : 1.0 / (i + 7);
    tt_row(a, TT_PLAIN);
    tt_row(b, TT_PLAIN);
    tt_cell(a, name);
    tt_cell(b, name);
    char *at = tt_room(a);
    size_t n = tt_fig_at(a, f_count, needed, 0, at);
    memcpy(at + n, " of ", 4);
    n += 4;
    n += tt_fig_at(a, f_count, servers, 0, at + n);
    tt_cell_n(a, n);
    snprintf(upof, sizeof upof, "%s of %s", fmt_count(needed, x, sizeof x),
             fmt_count(servers, y, sizeof y));
    tt_cell(b, upof);
    tt_cell_fig(a, f_ms, ms, 0);
    tt_cell(b, fmt_ms(ms, x, sizeof x));
    tt_cell_fig(a, f_availability, 1 - down, down);
    tt_cell(b, fmt_availability(1 - down, down, x, sizeof x));
  }
  char *ra = render(a, 0, NULL), *rb = render(b, 0, NULL);
  assert_string_equal(ra, rb);
  free(ra);
  free(rb);
}

/* Cells whose width is not their length, or that are long, line up by
 * their width, among plain ones, in any column, and the header of a
 * column left out is named. */
static void test_odd_cells(void **state) {
  (void)state;
  ttable *t = tt_new(3, "lrl");
  tt_row(t, TT_HEADER);
  tt_cell(t, "name");
  tt_cell(t, "n");
  tt_cell(t, "notes");
  tt_row(t, TT_PLAIN);
  tt_cell(t, "caf\xc3\xa9"); /* 5 bytes, 4 wide */
  tt_cell(t, "1");
  tt_cell_raw(t, "\033[32mok\033[0m");
  tt_row(t, TT_PLAIN);
  tt_cell(t, "ab");
  tt_cell(t, "22");
  tt_cell(t, "x");
  char long_name[301];
  memset(long_name, 'n', 300);
  long_name[300] = '\0';
  tt_row(t, TT_PLAIN);
  tt_cell(t, "c");
  tt_cell(t, "333");
  tt_cell(t, long_name);
  char *got = render(t, 0, NULL);
  char want[1024];
  snprintf(want, sizeof want,
           "name    n  notes\n"
           "caf\xc3\xa9    1  \033[32mok\033[0m\n"
           "ab     22  x\n"
           "c     333  %s\n",
           long_name);
  assert_string_equal(got, want);
  free(got);

  t = tt_new(3, "lrl");
  tt_priority(t, 2, 1);
  tt_row(t, TT_HEADER);
  tt_cell(t, "name");
  tt_cell(t, "caf\xc3\xa9s"); /* an ODD header */
  tt_cell(t, "notes");
  tt_row(t, TT_PLAIN);
  tt_cell(t, "a");
  tt_cell(t, "1");
  tt_cell(t, "a long note");
  capplan_buf dropped;
  capplan_buf_init(&dropped);
  got = render(t, 12, &dropped);
  assert_string_equal(got, "name  caf\xc3\xa9s\n"
                           "a         1\n");
  assert_string_equal(dropped.data, "notes");
  free(got);
  capplan_buf_release(&dropped);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_figures_match_text_cells),
      cmocka_unit_test(test_odd_cells),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

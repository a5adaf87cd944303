/*
 * test_diag.c - compiler-style rendering of diagnostics (SPEC.md section
 * 4): file:line:col, the source line, a caret under the span, the help
 * line; ordering by position; hostile bytes in the source line.
 */
#include "helpers.h"
#include "util.h"

static void render(capplan_diags *d, const char *want) {
  capplan_buf b;
  capplan_buf_init(&b);
  capplan_diags_sort(d);
  capplan_diags_render(d, false, &b);
  if (strcmp(b.data ? b.data : "", want)) {
    print_error("expected:\n%s\ngot:\n%s\n", want, b.data ? b.data : "");
    fail();
  }
  capplan_buf_release(&b);
}

static void test_caret(void **state) {
  (void)state;
  const char *text = "stages:\n  - name: db\n    after: cache\n";
  capplan_source *src =
      capplan_source_new("specs/web.yaml", text, strlen(text));
  capplan_diags d;
  capplan_diags_init(&d, src);
  capplan_loc loc = {3, 12, 5};
  capplan_diags_add(&d, CAPPLAN_ERROR, loc, "did you mean 'caches'?",
                    "stage '%s' is after unknown stage '%s'", "db", "cache");
  render(&d, "specs/web.yaml:3:12: error: stage 'db' is after unknown stage "
             "'cache'\n"
             "    3 |     after: cache\n"
             "      |            ^~~~~\n"
             "      = help: did you mean 'caches'?\n");
  assert_int_equal(d.errors, 1);
  capplan_diags_release(&d);
  capplan_source_free(src);
}

static void test_order_and_no_place(void **state) {
  (void)state;
  const char *text = "a: 1\nb: 2\n";
  capplan_source *src = capplan_source_new("x.yaml", text, strlen(text));
  capplan_diags d;
  capplan_diags_init(&d, src);
  capplan_loc nowhere = {0, 0, 0}, l2 = {2, 1, 1}, l1 = {1, 4, 1};
  capplan_diags_add(&d, CAPPLAN_ERROR, nowhere, NULL, "whole file");
  capplan_diags_add(&d, CAPPLAN_WARNING, l2, NULL, "second");
  capplan_diags_add(&d, CAPPLAN_ERROR, l1, NULL, "first");
  render(&d, "x.yaml:1:4: error: first\n"
             "    1 | a: 1\n"
             "      |    ^\n"
             "x.yaml:2:1: warning: second\n"
             "    2 | b: 2\n"
             "      | ^\n"
             "x.yaml: error: whole file\n");
  assert_int_equal(d.errors, 2);
  assert_int_equal(d.warnings, 1);
  capplan_diags_release(&d);
  capplan_source_free(src);

  /* Without a source: the program's name stands in for the file. */
  capplan_diags_init(&d, NULL);
  capplan_diags_add(&d, CAPPLAN_ERROR, nowhere, "check the path",
                    "cannot open '%s'", "nope.yaml");
  render(&d, "capplan: error: cannot open 'nope.yaml'\n"
             "  = help: check the path\n");
  capplan_diags_release(&d);
}

static void test_hostile_lines(void **state) {
  (void)state;
  /* CRLF endings, an escape sequence and a multi-byte character before
   * the column: the caret must still sit under the right character and no
   * control byte may reach the terminal. */
  const char text[] = "a: 1\r\nname: \033[2J\xc3\xa9x: 5\r\n";
  capplan_source *src = capplan_source_new("c.yaml", text, sizeof text - 1);
  capplan_diags d;
  capplan_diags_init(&d, src);
  capplan_loc loc = {2, 12, 1}; /* the 'x' */
  capplan_diags_add(&d, CAPPLAN_ERROR, loc, NULL, "here");
  render(&d, "c.yaml:2:12: error: here\n"
             "    2 | name: \\x1b[2J\xc3\xa9x: 5\n"
             "      |               ^\n");
  capplan_diags_release(&d);
  capplan_source_free(src);
}

/* Text from outside (issue 9, item 1): every C0 control, DEL, the C1
 * controls and bytes that are not UTF-8 become visible escapes; other
 * UTF-8 and backslashes stay as they are. */
static void test_text_escape(void **state) {
  (void)state;
  static const struct {
    const char *in, *want;
    unsigned flags;
  } cases[] = {
      {"plain-name_1", "plain-name_1", 0},
      {"\033[31mRED\033[0m", "\\x1b[31mRED\\x1b[0m", 0},
      {"a\rb\nc\td\a", "a\\x0db\\x0ac\\x09d\\x07", 0},
      {"a\tb", "a\tb", TEXT_KEEP_TAB},
      {"del\x7f", "del\\x7f", 0},
      {"csi\xc2\x9b"
       "2J nel\xc2\x85",
       "csi\\u009b2J nel\\u0085", 0},
      {"nbsp\xc2\xa0 caf\xc3\xa9 \xe2\x86\x92",
       "nbsp\xc2\xa0 caf\xc3\xa9 \xe2\x86\x92", 0},
      {"latin1 caf\xe9", "latin1 caf\\xe9", 0},
      {"cut \xe2\x86", "cut \\xe2\\x86", 0},
      {"overlong \xc0\xaf", "overlong \\xc0\\xaf", 0},
      {"back\\slash \\x1b", "back\\slash \\x1b", 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    capplan_buf b;
    capplan_buf_init(&b);
    text_escape(&b, cases[i].in, strlen(cases[i].in), cases[i].flags);
    assert_string_equal(b.data ? b.data : "", cases[i].want);
    capplan_buf_release(&b);
  }
}

/* The path, the message and the help of a diagnostic quote outside text
 * too. */
static void test_escaped_message(void **state) {
  (void)state;
  const char text[] = "a: 1\n";
  capplan_source *src =
      capplan_source_new("e\033]0;t\a.yaml", text, sizeof text - 1);
  capplan_diags d;
  capplan_diags_init(&d, src);
  capplan_loc loc = {1, 1, 1};
  capplan_diags_add(&d, CAPPLAN_ERROR, loc, "try '\033[2J'", "bad '%s'",
                    "x\rfake");
  render(&d, "e\\x1b]0;t\\x07.yaml:1:1: error: bad 'x\\x0dfake'\n"
             "    1 | a: 1\n"
             "      | ^\n"
             "      = help: try '\\x1b[2J'\n");
  capplan_diags_release(&d);
  capplan_source_free(src);
}

/* A line longer than 120 characters shows as a window around the caret,
 * with "..." where it is cut, and the caret still under its character. */
static void test_long_line(void **state) {
  (void)state;
  char text[512];
  memset(text, 'a', 400);
  text[300] = 'X';
  text[400] = '\n';
  text[401] = '\0';
  capplan_source *src = capplan_source_new("l.yaml", text, strlen(text));
  capplan_diags d;
  capplan_diags_init(&d, src);
  capplan_loc loc = {1, 301, 1};
  capplan_diags_add(&d, CAPPLAN_ERROR, loc, NULL, "here");
  capplan_buf b;
  capplan_buf_init(&b);
  capplan_diags_render(&d, false, &b);
  /* Line 2 of the output: gutter, "...", 120 characters, "...". */
  const char *src_line = strchr(b.data, '\n') + 1;
  const char *caret_line = strchr(src_line, '\n') + 1;
  const char *x = strchr(src_line, 'X');
  const char *caret = strchr(caret_line, '^');
  assert_non_null(x);
  assert_non_null(caret);
  assert_int_equal(x - src_line, caret - caret_line);
  assert_true(strstr(src_line, "| ...aaa") != NULL);
  assert_true(strstr(src_line, "aaa...\n") != NULL);
  assert_true(strchr(caret_line, '\n') - caret_line < 140);
  capplan_buf_release(&b);
  capplan_diags_release(&d);
  capplan_source_free(src);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_caret),
      cmocka_unit_test(test_order_and_no_place),
      cmocka_unit_test(test_hostile_lines),
      cmocka_unit_test(test_text_escape),
      cmocka_unit_test(test_escaped_message),
      cmocka_unit_test(test_long_line),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * render.c - picks the renderer for a view and a format.
 */
#include "render.h"

#include <string.h>

#include "util.h"

static const char *const format_names[] = {"table", "json", "markdown", "csv"};

static const struct {
  enum capplan_view view;
  enum capplan_format format;
  report_fn report;
  diff_fn diff;
} renderers[] = {
    {CAPPLAN_VIEW_REPORT, CAPPLAN_FORMAT_TABLE, render_table, NULL},
    {CAPPLAN_VIEW_REPORT, CAPPLAN_FORMAT_JSON, render_json, NULL},
    {CAPPLAN_VIEW_REPORT, CAPPLAN_FORMAT_MARKDOWN, render_markdown, NULL},
    {CAPPLAN_VIEW_REPORT, CAPPLAN_FORMAT_CSV, render_csv, NULL},
    {CAPPLAN_VIEW_CHECK, CAPPLAN_FORMAT_TABLE, render_table_check, NULL},
    {CAPPLAN_VIEW_CHECK, CAPPLAN_FORMAT_JSON, render_json_check, NULL},
    {CAPPLAN_VIEW_CHECK, CAPPLAN_FORMAT_MARKDOWN, render_markdown_check, NULL},
    {CAPPLAN_VIEW_DIFF, CAPPLAN_FORMAT_TABLE, NULL, render_table_diff},
    {CAPPLAN_VIEW_DIFF, CAPPLAN_FORMAT_JSON, NULL, render_json_diff},
    {CAPPLAN_VIEW_DIFF, CAPPLAN_FORMAT_MARKDOWN, NULL, render_markdown_diff},
    {CAPPLAN_VIEW_DIFF, CAPPLAN_FORMAT_CSV, NULL, render_csv_diff},
};

int capplan_format_parse(const char *name, enum capplan_format *out) {
  if (!strcmp(name, "text")) { /* explain's name for the table format */
    *out = CAPPLAN_FORMAT_TABLE;
    return 0;
  }
  for (size_t i = 0; i < ARRAY_LEN(format_names); i++)
    if (!strcmp(format_names[i], name)) {
      *out = (enum capplan_format)i;
      return 0;
    }
  return -1;
}

bool capplan_format_supported(enum capplan_view view,
                              enum capplan_format format, const char **names) {
  bool found = false;
  for (size_t i = 0; i < ARRAY_LEN(renderers); i++)
    found =
        found || (renderers[i].view == view && renderers[i].format == format);
  if (names)
    *names = view == CAPPLAN_VIEW_CHECK ? "table, json or markdown"
                                        : "table, json, markdown or csv";
  return found;
}

static int find(enum capplan_view view, enum capplan_format format) {
  for (size_t i = 0; i < ARRAY_LEN(renderers); i++)
    if (renderers[i].view == view && renderers[i].format == format)
      return (int)i;
  return -1;
}

int capplan_render(const capplan_report *r, enum capplan_format format,
                   const capplan_render_opts *opts, capplan_buf *out) {
  capplan_render_opts none = {false};
  int i = find(CAPPLAN_VIEW_REPORT, format);
  if (i < 0)
    return -1;
  renderers[i].report(r, opts ? opts : &none, out);
  return 0;
}

int capplan_render_check(const capplan_report *r, enum capplan_format format,
                         const capplan_render_opts *opts, capplan_buf *out) {
  capplan_render_opts none = {false};
  int i = find(CAPPLAN_VIEW_CHECK, format);
  if (i < 0)
    return -1;
  renderers[i].report(r, opts ? opts : &none, out);
  return 0;
}

int capplan_render_diff(const capplan_diff *d, enum capplan_format format,
                        const capplan_render_opts *opts, capplan_buf *out) {
  capplan_render_opts none = {false};
  int i = find(CAPPLAN_VIEW_DIFF, format);
  if (i < 0)
    return -1;
  renderers[i].diff(d, opts ? opts : &none, out);
  return 0;
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

/*
 * render.c - the registry of renderers: which (view, format) pairs exist
 * and the function for each.
 */
#include "render.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

static const char *const format_names[CAPPLAN_FORMAT_COUNT] = {
    "table", "json", "markdown", "csv"};

static const struct {
  enum capplan_view view;
  enum capplan_format format;
  render_fn fn;
} registry[] = {
    {CAPPLAN_VIEW_REPORT, CAPPLAN_FORMAT_TABLE, render_table_report},
    {CAPPLAN_VIEW_REPORT, CAPPLAN_FORMAT_JSON, render_json_report},
    {CAPPLAN_VIEW_REPORT, CAPPLAN_FORMAT_MARKDOWN, render_markdown_report},
    {CAPPLAN_VIEW_REPORT, CAPPLAN_FORMAT_CSV, render_csv_report},
    {CAPPLAN_VIEW_CHECK, CAPPLAN_FORMAT_TABLE, render_table_check},
    {CAPPLAN_VIEW_CHECK, CAPPLAN_FORMAT_JSON, render_json_check},
    {CAPPLAN_VIEW_CHECK, CAPPLAN_FORMAT_MARKDOWN, render_markdown_check},
    {CAPPLAN_VIEW_EXPLAIN, CAPPLAN_FORMAT_TABLE, render_explain_text},
    {CAPPLAN_VIEW_EXPLAIN, CAPPLAN_FORMAT_MARKDOWN, render_explain_markdown},
    {CAPPLAN_VIEW_DIFF, CAPPLAN_FORMAT_TABLE, render_table_diff},
    {CAPPLAN_VIEW_DIFF, CAPPLAN_FORMAT_JSON, render_json_diff},
    {CAPPLAN_VIEW_DIFF, CAPPLAN_FORMAT_MARKDOWN, render_markdown_diff},
    {CAPPLAN_VIEW_DIFF, CAPPLAN_FORMAT_CSV, render_csv_diff},
    {CAPPLAN_VIEW_SIMULATE, CAPPLAN_FORMAT_TABLE, render_table_simulate},
    {CAPPLAN_VIEW_SIMULATE, CAPPLAN_FORMAT_JSON, render_json_simulate},
    {CAPPLAN_VIEW_SIMULATE, CAPPLAN_FORMAT_CSV, render_csv_simulate},
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

static render_fn find(enum capplan_view view, enum capplan_format format) {
  for (size_t i = 0; i < ARRAY_LEN(registry); i++)
    if (registry[i].view == view && registry[i].format == format)
      return registry[i].fn;
  return NULL;
}

bool capplan_format_supported(enum capplan_view view,
                              enum capplan_format format, const char **names) {
  if (names) {
    /* "table, json or markdown": the view's formats, from the registry. */
    static char lists[CAPPLAN_VIEW_COUNT][96];
    char *l = lists[view];
    if (!l[0]) {
      size_t n = 0, k = 0;
      for (size_t f = 0; f < CAPPLAN_FORMAT_COUNT; f++)
        n += find(view, (enum capplan_format)f) != NULL;
      for (size_t f = 0; f < CAPPLAN_FORMAT_COUNT; f++) {
        if (!find(view, (enum capplan_format)f))
          continue;
        const char *name =
            view == CAPPLAN_VIEW_EXPLAIN && f == 0 ? "text" : format_names[f];
        size_t len = strlen(l);
        snprintf(l + len, sizeof lists[0] - len, "%s%s",
                 k == 0       ? ""
                 : k + 1 == n ? " or "
                              : ", ",
                 name);
        k++;
      }
    }
    *names = l;
  }
  return find(view, format) != NULL;
}

int capplan_render(enum capplan_view view, enum capplan_format format,
                   const void *subject, const capplan_render_opts *opts,
                   capplan_buf *out) {
  capplan_render_opts none;
  memset(&none, 0, sizeof none);
  render_fn fn = find(view, format);
  if (!fn)
    return -1;
  if (view == CAPPLAN_VIEW_EXPLAIN && opts && opts->stage) {
    const capplan_report *r = subject;
    bool found = false;
    for (size_t i = 0; i < r->model->n_stages && !found; i++)
      found = !strcmp(r->model->stage[i].name, opts->stage);
    if (!found)
      return -1;
  }
  fn(subject, opts ? opts : &none, out);
  return 0;
}

const char *render_stage_hw(const capplan_model *m, size_t i) {
  return m->hw[m->stage[i].hw].name;
}

const char *render_stage_group(const capplan_model *m, size_t i) {
  long g = m->stage[i].group;
  return g >= 0 ? m->group[g].name : NULL;
}

double render_stage_raw(const capplan_model *m, const plan *pl, size_t i) {
  return m->stage[i].group >= 0 ? pl->stage[i].equivalents
                                : pl->stage[i].pool.raw;
}

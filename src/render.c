/*
 * render.c - picks the renderer for a format.
 */
#include "render.h"

#include <string.h>

#include "util.h"

static const struct {
  const char *name;
  enum capplan_format format;
  render_fn fn;
} renderers[] = {
    {"table", CAPPLAN_FORMAT_TABLE, render_table},
    {"json", CAPPLAN_FORMAT_JSON, render_json},
};

int capplan_format_parse(const char *name, enum capplan_format *out) {
  for (size_t i = 0; i < ARRAY_LEN(renderers); i++)
    if (!strcmp(renderers[i].name, name)) {
      *out = renderers[i].format;
      return 0;
    }
  return -1;
}

int capplan_render(const capplan_report *r, enum capplan_format format,
                   const capplan_render_opts *opts, capplan_buf *out) {
  capplan_render_opts none = {false};
  for (size_t i = 0; i < ARRAY_LEN(renderers); i++)
    if (renderers[i].format == format) {
      renderers[i].fn(r, opts ? opts : &none, out);
      return 0;
    }
  return -1;
}

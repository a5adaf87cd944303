/*
 * source.c - reading a spec into memory, within the input-size limit.
 *
 * The only file I/O in the library.  A spec larger than the limit is
 * rejected before it is parsed, so a hostile file costs at most the limit.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

capplan_limits capplan_limits_default(void) {
  capplan_limits l;
  l.max_input_bytes = 16u << 20;
  l.max_depth = 64;
  l.max_nodes = 4u << 20;
  l.max_aliases = 1000;
  l.max_stages = 200000;
  l.max_name_len = 128;
  l.max_string_len = 4096;
  return l;
}

capplan_source *capplan_source_new(const char *path, const char *text,
                                   size_t len) {
  capplan_source *s = xcalloc(1, sizeof *s);
  s->path = xstrdup(path);
  s->text = xstrndup(text, len);
  s->len = len;
  return s;
}

void capplan_source_free(capplan_source *src) {
  if (!src)
    return;
  free(src->path);
  free(src->text);
  free(src);
}

capplan_source *capplan_source_read(const char *path,
                                    const capplan_limits *limits,
                                    capplan_diags *d) {
  capplan_limits deflim = capplan_limits_default();
  if (!limits)
    limits = &deflim;
  const capplan_loc nowhere = {0, 0, 0};
  bool is_stdin = !strcmp(path, "-");
  FILE *f = is_stdin ? stdin : fopen(path, "rb");
  if (!f) {
    capplan_diags_add(d, CAPPLAN_ERROR, nowhere,
                      errno == ENOENT ? "check the path, or give '-' to read "
                                        "the spec from standard input"
                                      : NULL,
                      "cannot open '%s': %s", path, strerror(errno));
    return NULL;
  }
  char *buf = NULL;
  size_t len = 0, cap = 0;
  bool too_big = false;
  for (;;) {
    xgrow((void **)&buf, &cap, len + 65536 + 1, 1);
    size_t n = fread(buf + len, 1, cap - len - 1, f);
    len += n;
    if (len > limits->max_input_bytes) {
      too_big = true;
      break;
    }
    if (n == 0)
      break;
  }
  int err = ferror(f) ? errno : 0;
  if (!is_stdin)
    fclose(f);
  if (err || too_big) {
    if (too_big) {
      char help[128];
      snprintf(help, sizeof help, "a spec may be at most %zu bytes (%zu MiB)",
               limits->max_input_bytes, limits->max_input_bytes >> 20);
      capplan_diags_add(d, CAPPLAN_ERROR, nowhere, help, "'%s' is too large",
                        path);
    } else {
      capplan_diags_add(d, CAPPLAN_ERROR, nowhere, NULL, "cannot read '%s': %s",
                        is_stdin ? "stdin" : path, strerror(err));
    }
    free(buf);
    return NULL;
  }
  buf[len] = '\0';
  capplan_source *s = xcalloc(1, sizeof *s);
  s->path = xstrdup(path);
  s->text = buf;
  s->len = len;
  return s;
}

/*
 * source.c - reading a spec into memory, within the input-size limit.
 *
 * The only file I/O in the library.  A spec larger than the limit is
 * rejected before it is parsed, so a hostile file costs at most the limit.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"
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

int capplan_limits_parse(const char *settings, capplan_limits *limits,
                         capplan_buf *err) {
  static const struct {
    const char *name, *kind;
    double min, max;
  } names[] = {
      {"input", "bytes", 1, 1 << 30},  {"depth", "count", 2, 100000},
      {"nodes", "count", 1, 1e9},      {"aliases", "count", 0, 1e9},
      {"stages", "count", 1, 1e8},     {"name", "bytes", 1, 1 << 20},
      {"string", "bytes", 1, 1 << 30},
  };
  const char *p = settings;
  while (*p) {
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    const char *eq = memchr(p, '=', len);
    size_t k = 0;
    while (eq && k < ARRAY_LEN(names) &&
           !(strlen(names[k].name) == (size_t)(eq - p) &&
             !memcmp(names[k].name, p, (size_t)(eq - p))))
      k++;
    if (!eq || k == ARRAY_LEN(names)) {
      capplan_buf_printf(err,
                         "unknown limit '%.*s' (limits: input, depth, nodes, "
                         "aliases, stages, name, string)",
                         (int)(eq ? (size_t)(eq - p) : len), p);
      return -1;
    }
    char value[64];
    snprintf(value, sizeof value, "%.*s", (int)(len - (size_t)(eq - p) - 1),
             eq + 1);
    /* Sizes may be plain numbers of bytes or carry a unit (32MiB). */
    double v;
    bool plain =
        !strcmp(names[k].kind, "bytes") &&
        capplan_quantity(value, "count", names[k].name, &v, NULL, NULL) == 0;
    if (!plain && capplan_quantity(value, names[k].kind, names[k].name, &v, err,
                                   NULL) < 0)
      return -1;
    if (v != floor(v) || v < names[k].min || v > names[k].max) {
      capplan_buf_printf(err, "limit '%s' must be a whole number from %g to %g",
                         names[k].name, names[k].min, names[k].max);
      return -1;
    }
    switch (k) {
    case 0:
      limits->max_input_bytes = (size_t)v;
      break;
    case 1:
      limits->max_depth = (int)v;
      break;
    case 2:
      limits->max_nodes = (size_t)v;
      break;
    case 3:
      limits->max_aliases = (size_t)v;
      break;
    case 4:
      limits->max_stages = (size_t)v;
      break;
    case 5:
      limits->max_name_len = (size_t)v;
      break;
    default:
      limits->max_string_len = (size_t)v;
      break;
    }
    p = end ? end + 1 : p + len;
  }
  return 0;
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
      char help[160];
      snprintf(help, sizeof help,
               "an input (spec or report) may be at most %zu bytes "
               "(CAPPLAN_LIMITS=input=32MiB "
               "raises it)",
               limits->max_input_bytes);
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

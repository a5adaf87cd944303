/*
 * read_json.c - a JSON report written earlier, read back for 'diff'.
 *
 * With render_json.c, the only files that include cJSON.h.  The reader
 * takes what diff compares (names, servers, GPUs, cost, latency,
 * availability) and checks that it is there and well-typed; unknown keys
 * are ignored, as the report's contract says (docs/report.md), and a
 * report of another major schema version is refused.
 */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

typedef struct reader {
  const capplan_source *src;
  capplan_diags *d;
  capplan_arena *arena;
  bool failed;
} reader;

static const capplan_loc nowhere = {0, 0, 0};

static void bad(reader *rd, const char *path, const char *what) {
  capplan_diags_add(rd->d, CAPPLAN_ERROR, nowhere,
                    "write the report again with 'capplan estimate --format "
                    "json'",
                    "report field '%s' %s", path, what);
  rd->failed = true;
}

/* A number at KEY of O; NULL_OK lets JSON null stand for 0. */
static double num(reader *rd, const cJSON *o, const char *key,
                  const char *where, bool null_ok) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
  char path[160];
  snprintf(path, sizeof path, "%s%s%s", where, *where ? "." : "", key);
  if (cJSON_IsNumber(v))
    return v->valuedouble;
  if (null_ok && cJSON_IsNull(v))
    return 0;
  bad(rd, path, v ? "is not a number" : "is missing");
  return 0;
}

static const char *text(reader *rd, const cJSON *o, const char *key,
                        const char *where, bool null_ok) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
  if (cJSON_IsString(v))
    return arena_strdup(rd->arena, v->valuestring);
  if (null_ok && (!v || cJSON_IsNull(v)))
    return NULL;
  char path[160];
  snprintf(path, sizeof path, "%s%s%s", where, *where ? "." : "", key);
  bad(rd, path, v ? "is not a string" : "is missing");
  return NULL;
}

/* Parses SRC as JSON; NULL (with a placed diagnostic) if it is not. */
static cJSON *parse(const capplan_source *src, capplan_diags *d) {
  const char *end = NULL;
  cJSON *root = cJSON_ParseWithLengthOpts(src->text, src->len, &end, false);
  if (root)
    return root;
  size_t off = end && end >= src->text ? (size_t)(end - src->text) : 0;
  capplan_loc l = {1, 1, 1};
  size_t line_start = 0;
  for (size_t i = 0; i < off && i < src->len; i++)
    if (src->text[i] == '\n') {
      l.line++;
      line_start = i + 1;
    }
  l.col = (int)utf8_width(src->text + line_start, off - line_start) + 1;
  /* Nothing but blanks after the error: the text stops mid-report. */
  bool early = true;
  for (size_t i = off; i < src->len && early; i++)
    early = src->text[i] == ' ' || src->text[i] == '\n' ||
            src->text[i] == '\r' || src->text[i] == '\t';
  capplan_diags_add(d, CAPPLAN_ERROR, early ? nowhere : l,
                    "a report is the output of 'capplan estimate --format "
                    "json'; write it again",
                    early ? "the report ends early: it is cut short"
                          : "invalid JSON in a report");
  return NULL;
}

bool capplan_source_is_report(const capplan_source *src) {
  size_t i = 0;
  if (src->len >= 3 && !memcmp(src->text, "\xEF\xBB\xBF", 3))
    i = 3;
  while (i < src->len && (src->text[i] == ' ' || src->text[i] == '\t' ||
                          src->text[i] == '\n' || src->text[i] == '\r'))
    i++;
  if (i >= src->len || src->text[i] != '{')
    return false;
  cJSON *root = cJSON_ParseWithLength(src->text, src->len);
  if (!root) /* a damaged report still says what it is */
    return strstr(src->text + i, "\"schema_version\"") != NULL;
  const cJSON *tool = cJSON_GetObjectItemCaseSensitive(root, "tool");
  const cJSON *name = cJSON_GetObjectItemCaseSensitive(tool, "name");
  bool is = cJSON_IsString(
                cJSON_GetObjectItemCaseSensitive(root, "schema_version")) &&
            cJSON_IsString(name) && !strcmp(name->valuestring, "capplan");
  cJSON_Delete(root);
  return is;
}

/* Reads one row's figures from O (a stage or group of the report). */
static void read_values(reader *rd, const cJSON *o, const char *where,
                        bool optional_servers, bool has_latency,
                        capplan_diff_values *v) {
  v->servers = num(rd, o, "servers", where, optional_servers);
  v->gpus = num(rd, o, "gpus", where, optional_servers);
  v->cost_per_year = num(rd, o, "cost_per_year", where, optional_servers);
  v->latency = has_latency ? num(rd, o, "latency_ms", where, false) / 1000 : 0;
  v->availability = num(rd, o, "availability", where, false);
}

capplan_plan_rows *capplan_report_read_json(const capplan_source *src,
                                            capplan_diags *d) {
  cJSON *root = parse(src, d);
  if (!root)
    return NULL;
  capplan_plan_rows *r = xcalloc(1, sizeof *r);
  r->arena = arena_new();
  r->from_report = true;
  reader rd = {src, d, r->arena, false};

  const char *version = text(&rd, root, "schema_version", "", false);
  if (version && strtol(version, NULL, 10) != 1) {
    capplan_diags_add(d, CAPPLAN_ERROR, nowhere,
                      "write the report again with this capplan, or compare "
                      "it with the capplan that wrote it",
                      "the report has schema_version '%s'; this capplan "
                      "reads version 1.x",
                      version);
    rd.failed = true;
  }
  if (rd.failed)
    goto out;

  const cJSON *spec = cJSON_GetObjectItemCaseSensitive(root, "spec");
  r->name = text(&rd, spec, "name", "spec", false);
  r->path = arena_strdup(r->arena, src->path);
  (void)text(&rd, spec, "description", "spec", true);

  const cJSON *stages = cJSON_GetObjectItemCaseSensitive(root, "stages");
  if (!cJSON_IsArray(stages)) {
    bad(&rd, "stages", stages ? "is not a list" : "is missing");
    goto out;
  }
  const cJSON *groups = cJSON_GetObjectItemCaseSensitive(root, "groups");
  if (groups && !cJSON_IsArray(groups))
    bad(&rd, "groups", "is not a list");
  size_t n_groups =
      cJSON_IsArray(groups) ? (size_t)cJSON_GetArraySize(groups) : 0;
  size_t cap = 2 * (size_t)cJSON_GetArraySize(stages) + n_groups + 1;
  r->rows = arena_array(r->arena, cap, sizeof(capplan_diff_row_in));
  size_t i = 0;
  const cJSON *s;
  cJSON_ArrayForEach(s, stages) {
    char where[48];
    snprintf(where, sizeof where, "stages[%zu]", i++);
    const char *name = text(&rd, s, "name", where, false);
    const char *group = text(&rd, s, "group", where, true);
    const cJSON *cache = cJSON_GetObjectItemCaseSensitive(s, "cache");
    if (cJSON_IsObject(cache)) {
      char cw[64];
      snprintf(cw, sizeof cw, "%s.cache", where);
      capplan_diff_row_in *c = &r->rows[r->n_rows++];
      capplan_buf cname;
      capplan_buf_init(&cname);
      capplan_buf_printf(&cname, "%s.cache", name ? name : "");
      c->name = arena_strdup(r->arena, cname.data);
      capplan_buf_release(&cname);
      read_values(&rd, cache, cw, false, true, &c->v);
    }
    capplan_diff_row_in *row = &r->rows[r->n_rows++];
    row->name = name ? name : "";
    row->colocated = group != NULL;
    read_values(&rd, s, where, group != NULL, true, &row->v);
    if (group)
      row->v.servers = row->v.gpus = row->v.cost_per_year = 0;
    /* Reports without fallbacks may lack the effective figure. */
    if (cJSON_GetObjectItemCaseSensitive(s, "effective_availability"))
      row->v.availability = num(&rd, s, "effective_availability", where, false);
  }
  i = 0;
  const cJSON *g;
  if (cJSON_IsArray(groups))
    cJSON_ArrayForEach(g, groups) {
      char where[48];
      snprintf(where, sizeof where, "groups[%zu]", i++);
      capplan_diff_row_in *row = &r->rows[r->n_rows++];
      const char *name = text(&rd, g, "name", where, false);
      row->name = name ? name : "";
      row->group = true;
      read_values(&rd, g, where, false, false, &row->v);
    }

  const cJSON *t = cJSON_GetObjectItemCaseSensitive(root, "totals");
  if (!cJSON_IsObject(t)) {
    bad(&rd, "totals", t ? "is not an object" : "is missing");
    goto out;
  }
  read_values(&rd, t, "totals", false, true, &r->total);

out:
  cJSON_Delete(root);
  if (rd.failed) {
    capplan_plan_rows_free(r);
    return NULL;
  }
  return r;
}

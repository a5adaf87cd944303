/*
 * render_json.c - the report as JSON (SPEC.md section 3), the format CI
 * reads.  The only file that includes cJSON.h.
 *
 * Numbers are JSON numbers in the unit their key names, rounded to 12
 * significant digits so that float noise (0.30000000000000004) never
 * reaches a golden file or a diff; the schema is docs/report.schema.json.
 * Keys come in a fixed order; the printer indents by two spaces.
 */
#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "util.h"

/* V rounded to 12 significant digits, never -0 (and never NaN or Inf: the
 * estimator guarantees finite figures; 0 stands in if one slips). */
static double round12(double v) {
  if (!isfinite(v) || v == 0)
    return 0;
  char buf[64];
  snprintf(buf, sizeof buf, "%.12g", v);
  double r = strtod(buf, NULL);
  return r == 0 ? 0 : r;
}

static void num(cJSON *o, const char *key, double v) {
  cJSON_AddItemToObject(o, key, cJSON_CreateNumber(round12(v)));
}

static void str(cJSON *o, const char *key, const char *s) {
  cJSON_AddItemToObject(o, key, s ? cJSON_CreateString(s) : cJSON_CreateNull());
}

static cJSON *names(const char *const *v, size_t n) {
  cJSON *a = cJSON_CreateArray();
  for (size_t i = 0; i < n; i++)
    cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
  return a;
}

static cJSON *stage_json(const capplan_stage_result *s) {
  cJSON *o = cJSON_CreateObject();
  str(o, "name", s->name);
  str(o, "hardware", s->hardware);
  cJSON_AddItemToObject(o, "after", names(s->after, s->n_after));
  str(o, "join", s->join_any ? "any" : "all");
  str(o, "group", s->group);
  num(o, "inflow", s->inflow);
  num(o, "share", s->share);
  num(o, "calls", s->calls);
  num(o, "cache_hit", s->cache_hit);
  num(o, "stops", s->stops);
  num(o, "qps", s->qps);
  str(o, "throughput_source",
      s->tp_source == CAPPLAN_TP_BATCH ? "batch" : "qps_per_server");
  if (s->tp_source == CAPPLAN_TP_BATCH) {
    num(o, "batch", s->batch);
    num(o, "parallelism", s->parallelism);
  }
  num(o, "qps_per_server", s->qps_per_server);
  num(o, "utilization", s->utilization);
  num(o, "headroom", s->headroom);
  num(o, "redundancy", s->redundancy);
  num(o, "servers_raw", s->servers_raw);
  if (s->group) {
    cJSON_AddItemToObject(o, "servers", cJSON_CreateNull());
    cJSON_AddItemToObject(o, "gpus", cJSON_CreateNull());
    cJSON_AddItemToObject(o, "cost_per_year", cJSON_CreateNull());
  } else {
    num(o, "servers", s->servers);
    num(o, "gpus", s->gpus);
    num(o, "cost_per_year", s->cost_per_year);
  }
  num(o, "latency_ms", s->latency * 1000);
  num(o, "latency_to_ms", s->latency_to * 1000);
  cJSON_AddItemToObject(o, "critical", cJSON_CreateBool(s->critical));
  num(o, "server_availability", s->server_availability);
  num(o, "servers_needed", s->servers_needed);
  num(o, "availability", s->availability);
  return o;
}

static cJSON *group_json(const capplan_group_result *g) {
  cJSON *o = cJSON_CreateObject();
  str(o, "name", g->name);
  str(o, "hardware", g->hardware);
  cJSON_AddItemToObject(o, "stages", names(g->stages, g->n_stages));
  num(o, "utilization", g->utilization);
  num(o, "headroom", g->headroom);
  num(o, "redundancy", g->redundancy);
  num(o, "servers_raw", g->servers_raw);
  num(o, "servers", g->servers);
  num(o, "gpus", g->gpus);
  num(o, "cost_per_year", g->cost_per_year);
  num(o, "server_availability", g->server_availability);
  num(o, "servers_needed", g->servers_needed);
  num(o, "availability", g->availability);
  return o;
}

static cJSON *report_json(const capplan_report *r) {
  cJSON *o = cJSON_CreateObject();
  str(o, "schema_version", CAPPLAN_REPORT_SCHEMA_VERSION);
  cJSON *tool = cJSON_AddObjectToObject(o, "tool");
  str(tool, "name", "capplan");
  str(tool, "version", CAPPLAN_VERSION);
  cJSON *spec = cJSON_AddObjectToObject(o, "spec");
  str(spec, "name", r->spec_name);
  str(spec, "path", r->spec_path);
  str(spec, "description", r->description);

  cJSON *as = cJSON_AddObjectToObject(o, "assumptions");
  num(as, "hours_per_year", CAPPLAN_HOURS_PER_YEAR);
  num(as, "hours_per_month", CAPPLAN_HOURS_PER_MONTH);
  str(as, "currency", "USD");
  num(as, "default_server_availability", CAPPLAN_DEFAULT_AVAILABILITY);
  num(as, "ceiling_tolerance", CAPPLAN_CEIL_TOLERANCE);

  cJSON *tr = cJSON_AddObjectToObject(o, "traffic");
  num(tr, "qps", r->qps);
  if (r->average_qps > 0)
    num(tr, "average_qps", r->average_qps);
  else
    cJSON_AddItemToObject(tr, "average_qps", cJSON_CreateNull());
  if (r->dau > 0) {
    num(tr, "dau", r->dau);
    num(tr, "requests_per_user_per_day", r->requests_per_user_per_day);
  }
  if (r->peak_to_average > 0)
    num(tr, "peak_to_average", r->peak_to_average);

  cJSON *stages = cJSON_AddArrayToObject(o, "stages");
  for (size_t i = 0; i < r->n_stages; i++)
    cJSON_AddItemToArray(stages, stage_json(&r->stages[i]));
  cJSON *groups = cJSON_AddArrayToObject(o, "groups");
  for (size_t i = 0; i < r->n_groups; i++)
    cJSON_AddItemToArray(groups, group_json(&r->groups[i]));

  cJSON *t = cJSON_AddObjectToObject(o, "totals");
  num(t, "servers", r->servers);
  num(t, "gpus", r->gpus);
  num(t, "cost_per_year", r->cost_per_year);
  num(t, "cost_per_month", r->cost_per_month);
  if (r->cost_per_million >= 0)
    num(t, "cost_per_million_requests", r->cost_per_million);
  else
    cJSON_AddItemToObject(t, "cost_per_million_requests", cJSON_CreateNull());
  num(t, "latency_ms", r->latency * 1000);
  cJSON_AddItemToObject(t, "critical_path",
                        names(r->critical_path, r->n_critical));
  num(t, "availability", r->availability);
  num(t, "unavailability", r->unavailability);
  num(t, "downtime_minutes_per_year", r->downtime_minutes_per_year);

  cJSON *checks = cJSON_AddArrayToObject(o, "checks");
  for (size_t i = 0; i < r->n_checks; i++) {
    const capplan_check *c = &r->checks[i];
    cJSON *ck = cJSON_CreateObject();
    str(ck, "name", c->name);
    str(ck, "comparison", c->upper ? "<=" : ">=");
    num(ck, "limit", c->limit);
    num(ck, "actual", c->actual);
    str(ck, "unit", c->unit);
    cJSON_AddItemToObject(ck, "passed", cJSON_CreateBool(c->passed));
    cJSON_AddItemToArray(checks, ck);
  }
  cJSON_AddItemToObject(o, "passed", cJSON_CreateBool(r->passed));
  return o;
}

/* Prints V with two-space indentation; leaves print as cJSON prints
 * them, so strings are escaped and numbers formatted by one library. */
static void print(const cJSON *v, int depth, capplan_buf *out) {
  bool obj = cJSON_IsObject(v), arr = cJSON_IsArray(v);
  if (!obj && !arr) {
    char *s = cJSON_PrintUnformatted(v);
    capplan_buf_puts(out, s ? s : "null");
    cJSON_free(s);
    return;
  }
  const cJSON *kid = v->child;
  if (!kid) {
    capplan_buf_puts(out, obj ? "{}" : "[]");
    return;
  }
  /* Short lists of names stay on one line: ["a", "b"]. */
  bool inline_strings = arr;
  for (const cJSON *k = kid; k && inline_strings; k = k->next)
    inline_strings = cJSON_IsString(k);
  if (inline_strings) {
    capplan_buf_putc(out, '[');
    for (const cJSON *k = kid; k; k = k->next) {
      print(k, depth + 1, out);
      if (k->next)
        capplan_buf_puts(out, ", ");
    }
    capplan_buf_putc(out, ']');
    return;
  }
  capplan_buf_puts(out, obj ? "{\n" : "[\n");
  for (const cJSON *k = kid; k; k = k->next) {
    for (int i = 0; i <= depth; i++)
      capplan_buf_puts(out, "  ");
    if (obj) {
      cJSON *key = cJSON_CreateString(k->string);
      print(key, depth + 1, out);
      cJSON_Delete(key);
      capplan_buf_puts(out, ": ");
    }
    print(k, depth + 1, out);
    capplan_buf_puts(out, k->next ? ",\n" : "\n");
  }
  for (int i = 0; i < depth; i++)
    capplan_buf_puts(out, "  ");
  capplan_buf_putc(out, obj ? '}' : ']');
}

void render_json(const capplan_report *r, const capplan_render_opts *opts,
                 capplan_buf *out) {
  (void)opts;
  cJSON *o = report_json(r);
  print(o, 0, out);
  capplan_buf_putc(out, '\n');
  cJSON_Delete(o);
}

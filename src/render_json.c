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
#include <limits.h>
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
  if (fabs(v) < 1e12 && v == floor(v))
    return v; /* whole numbers below 1e12 have at most 12 digits */
  char buf[64];
  snprintf(buf, sizeof buf, "%.12g", v);
  double r = strtod(buf, NULL);
  return r == 0 ? 0 : r;
}

/* V as JSON text: round12(V) as cJSON would print it (integers in int
 * range as %d, others as %1.15g), but with one snprintf in the common
 * case instead of cJSON's print, scan and compare: the 100,000-stage
 * report writes four million numbers. */
static void json_number(double v, char buf[32]) {
  if (!isfinite(v) || v == 0) {
    strcpy(buf, "0");
    return;
  }
  if (fabs(v) < 1e12 && v == floor(v)) {
    if (fabs(v) <= INT_MAX)
      snprintf(buf, 32, "%d", (int)v);
    else
      snprintf(buf, 32, "%.0f", v);
    return;
  }
  if (fabs(v) < 1e11) {
    /* Below 1e11, %.12g writes fixed notation, or an exponent below -4,
     * exactly as %1.15g writes the rounded value (a decimal of at most 15
     * digits survives the trip through a double); rounding up to 1e11
     * (an exponent) takes the long way. */
    snprintf(buf, 32, "%.12g", v);
    if (!strstr(buf, "e+"))
      return;
  }
  double r = round12(v);
  if (r == floor(r) && fabs(r) <= INT_MAX)
    snprintf(buf, 32, "%d", (int)r);
  else
    snprintf(buf, 32, "%1.15g", r);
}

static void num(cJSON *o, const char *key, double v) {
  char buf[32];
  json_number(v, buf);
  cJSON_AddItemToObject(o, key, cJSON_CreateRaw(buf));
}

/* S as a JSON string.  cJSON escapes the C0 controls but writes DEL,
 * the C1 controls and bytes that are not UTF-8 as they are; here DEL and
 * C1 are \u escapes too, so no raw control character reaches a terminal
 * that shows the JSON, and a stray byte becomes U+FFFD, since JSON text
 * is UTF-8 (docs/security.md).  Other text comes out as cJSON writes it:
 * the same escapes, lower-case hex. */
static cJSON *json_string(const char *s) {
  capplan_buf b;
  capplan_buf_init(&b);
  capplan_buf_putc(&b, '"');
  size_t n = strlen(s), i = 0;
  while (i < n) {
    size_t plain = text_plain_prefix(s + i, n - i, 0);
    for (size_t k = 0; k < plain; k++) {
      if (s[i + k] == '"' || s[i + k] == '\\')
        capplan_buf_putc(&b, '\\');
      capplan_buf_putc(&b, s[i + k]);
    }
    i += plain;
    if (i >= n)
      break;
    unsigned char c = (unsigned char)s[i];
    const char *named = c == '\b'   ? "\\b"
                        : c == '\f' ? "\\f"
                        : c == '\n' ? "\\n"
                        : c == '\r' ? "\\r"
                        : c == '\t' ? "\\t"
                                    : NULL;
    capplan_buf esc;
    capplan_buf_init(&esc);
    size_t used = text_escape_one(&esc, s + i, n - i);
    if (named)
      capplan_buf_puts(&b, named);
    else if (esc.len == 6) /* \u0085: C1, the same escape in JSON */
      capplan_buf_put(&b, esc.data, esc.len);
    else if (c < 0x80) /* C0, DEL */
      capplan_buf_printf(&b, "\\u%04x", (unsigned)c);
    else /* not UTF-8 */
      capplan_buf_puts(&b, "\\ufffd");
    capplan_buf_release(&esc);
    i += used;
  }
  capplan_buf_putc(&b, '"');
  cJSON *item = cJSON_CreateRaw(b.data);
  capplan_buf_release(&b);
  return item;
}

static void str(cJSON *o, const char *key, const char *s) {
  cJSON_AddItemToObject(o, key, s ? json_string(s) : cJSON_CreateNull());
}

static cJSON *names(const char *const *v, size_t n) {
  cJSON *a = cJSON_CreateArray();
  for (size_t i = 0; i < n; i++)
    cJSON_AddItemToArray(a, json_string(v[i]));
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
  num(o, "zones", s->zones);
  cJSON_AddItemToObject(o, "survive_zone_loss",
                        cJSON_CreateBool(s->survive_zone_loss));
  num(o, "zone_extra_servers", s->zone_extra);
  str(o, "fallback", s->fallback);
  cJSON_AddItemToObject(o, "standby", cJSON_CreateBool(s->standby));
  cJSON_AddItemToObject(o, "async", cJSON_CreateBool(s->async));
  num(o, "server_availability", s->server_availability);
  num(o, "servers_needed", s->servers_needed);
  num(o, "availability", s->availability);
  num(o, "effective_availability", s->effective_availability);
  num(o, "nines", capplan_nines(s->effective_unavailability));
  num(o, "downtime_minutes_per_year",
      s->effective_unavailability * CAPPLAN_MINUTES_PER_YEAR);
  num(o, "downtime_minutes_per_month",
      s->effective_unavailability * CAPPLAN_MINUTES_PER_MONTH);
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
  num(o, "zones", g->zones);
  cJSON_AddItemToObject(o, "survive_zone_loss",
                        cJSON_CreateBool(g->survive_zone_loss));
  num(o, "zone_extra_servers", g->zone_extra);
  num(o, "server_availability", g->server_availability);
  num(o, "servers_needed", g->servers_needed);
  num(o, "availability", g->availability);
  num(o, "nines", capplan_nines(g->unavailability));
  num(o, "downtime_minutes_per_year",
      g->unavailability * CAPPLAN_MINUTES_PER_YEAR);
  num(o, "downtime_minutes_per_month",
      g->unavailability * CAPPLAN_MINUTES_PER_MONTH);
  return o;
}

static cJSON *checks_json(const capplan_report *r) {
  cJSON *checks = cJSON_CreateArray();
  for (size_t i = 0; i < r->n_checks; i++) {
    const capplan_check *c = &r->checks[i];
    cJSON *ck = cJSON_CreateObject();
    str(ck, "name", c->name);
    str(ck, "comparison", c->upper ? "<=" : ">=");
    num(ck, "limit", c->limit);
    num(ck, "actual", c->actual);
    num(ck, "margin", c->margin);
    str(ck, "unit", c->unit);
    str(ck, "source", c->source);
    cJSON_AddItemToObject(ck, "passed", cJSON_CreateBool(c->passed));
    cJSON_AddItemToArray(checks, ck);
  }
  return checks;
}

static void tool_json(cJSON *o) {
  str(o, "schema_version", CAPPLAN_REPORT_SCHEMA_VERSION);
  cJSON *tool = cJSON_AddObjectToObject(o, "tool");
  str(tool, "name", "capplan");
  str(tool, "version", CAPPLAN_VERSION);
}

/* Appends TEXT, compact JSON as cJSON prints it, indented by two spaces
 * per level starting at DEPTH; arrays of strings stay on one line, as
 * ["a", "b"].  One pass, no allocation: this is what keeps the JSON of
 * 100,000 stages fast. */
static void reindent(const char *text, int depth, capplan_buf *out) {
  int level = depth;
  for (const char *p = text; *p; p++) {
    char c = *p;
    if (c == '"') {
      const char *q = p + 1;
      while (*q && *q != '"')
        q += (*q == '\\' && q[1]) ? 2 : 1;
      capplan_buf_put(out, p, (size_t)(q - p) + (*q ? 1 : 0));
      p = *q ? q : q - 1;
      continue;
    }
    if (c == '{' || c == '[') {
      char close = c == '{' ? '}' : ']';
      if (p[1] == close) { /* {} and [] */
        capplan_buf_putc(out, c);
        capplan_buf_putc(out, close);
        p++;
        continue;
      }
      if (c == '[' && p[1] == '"') {
        /* A list of strings: keep it on one line. */
        const char *q = p + 1;
        bool strings = true;
        while (*q && *q != ']' && strings) {
          if (*q != '"') {
            strings = false;
            break;
          }
          q++;
          while (*q && *q != '"')
            q += (*q == '\\' && q[1]) ? 2 : 1;
          if (*q)
            q++;
          if (*q == ',')
            q++;
        }
        if (strings && *q == ']') {
          for (const char *k = p; k <= q; k++) {
            capplan_buf_putc(out, *k);
            if (*k == ',')
              capplan_buf_putc(out, ' ');
            if (*k == '"') { /* copy the string whole */
              const char *e = k + 1;
              while (*e && *e != '"')
                e += (*e == '\\' && e[1]) ? 2 : 1;
              capplan_buf_put(out, k + 1, (size_t)(e - k));
              k = e;
            }
          }
          p = q;
          continue;
        }
      }
      capplan_buf_putc(out, c);
      capplan_buf_putc(out, '\n');
      level++;
      for (int i = 0; i < level; i++)
        capplan_buf_puts(out, "  ");
      continue;
    }
    if (c == '}' || c == ']') {
      capplan_buf_putc(out, '\n');
      level--;
      for (int i = 0; i < level; i++)
        capplan_buf_puts(out, "  ");
      capplan_buf_putc(out, c);
      continue;
    }
    if (c == ',') {
      capplan_buf_puts(out, ",\n");
      for (int i = 0; i < level; i++)
        capplan_buf_puts(out, "  ");
      continue;
    }
    capplan_buf_putc(out, c);
    if (c == ':')
      capplan_buf_putc(out, ' ');
  }
}

/* Prints O compact, re-indents it at DEPTH into OUT, and frees O. */
static void emit(cJSON *o, int depth, capplan_buf *out) {
  char *s = cJSON_PrintUnformatted(o);
  reindent(s ? s : "null", depth, out);
  cJSON_free(s);
  cJSON_Delete(o);
}

/* The report is written one part at a time (one stage at a time), so the
 * cJSON trees stay small whatever the number of stages. */
void render_json(const capplan_report *r, const capplan_render_opts *opts,
                 capplan_buf *out) {
  (void)opts;
  cJSON *head = cJSON_CreateObject();
  tool_json(head);
  cJSON *spec = cJSON_AddObjectToObject(head, "spec");
  str(spec, "name", r->spec_name);
  str(spec, "path", r->spec_path);
  str(spec, "description", r->description);
  cJSON *as = cJSON_AddObjectToObject(head, "assumptions");
  num(as, "hours_per_year", CAPPLAN_HOURS_PER_YEAR);
  num(as, "hours_per_month", CAPPLAN_HOURS_PER_MONTH);
  str(as, "currency", "USD");
  num(as, "default_server_availability", CAPPLAN_DEFAULT_AVAILABILITY);
  num(as, "ceiling_tolerance", CAPPLAN_CEIL_TOLERANCE);
  cJSON *tr = cJSON_AddObjectToObject(head, "traffic");
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
  /* The head's closing brace is left off: the arrays follow. */
  capplan_buf head_text;
  capplan_buf_init(&head_text);
  emit(head, 0, &head_text);
  head_text.data[--head_text.len] = '\0'; /* drop the closing brace */
  while (head_text.len && head_text.data[head_text.len - 1] == '\n')
    head_text.data[--head_text.len] = '\0';
  capplan_buf_put(out, head_text.data, head_text.len);
  capplan_buf_release(&head_text);

  capplan_buf_puts(out, ",\n  \"stages\": [");
  for (size_t i = 0; i < r->n_stages; i++) {
    capplan_buf_puts(out, i ? ",\n    " : "\n    ");
    emit(stage_json(&r->stages[i]), 2, out);
  }
  capplan_buf_puts(out, r->n_stages ? "\n  ],\n  \"groups\": ["
                                    : "],\n  \"groups\": [");
  for (size_t i = 0; i < r->n_groups; i++) {
    capplan_buf_puts(out, i ? ",\n    " : "\n    ");
    emit(group_json(&r->groups[i]), 2, out);
  }
  capplan_buf_puts(out, r->n_groups ? "\n  ],\n" : "],\n");

  cJSON *tail = cJSON_CreateObject();
  cJSON *t = cJSON_AddObjectToObject(tail, "totals");
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
  num(t, "nines", capplan_nines(r->unavailability));
  num(t, "downtime_minutes_per_year", r->downtime_minutes_per_year);
  num(t, "downtime_minutes_per_month", r->downtime_minutes_per_month);
  cJSON_AddItemToObject(tail, "checks", checks_json(r));
  cJSON_AddItemToObject(tail, "passed", cJSON_CreateBool(r->passed));
  /* The tail's opening brace is dropped: it continues the report. */
  capplan_buf tail_text;
  capplan_buf_init(&tail_text);
  emit(tail, 0, &tail_text);
  const char *body = tail_text.data + 2; /* after "{\n" */
  capplan_buf_puts(out, body);
  capplan_buf_putc(out, '\n');
  capplan_buf_release(&tail_text);
}

/* 'capplan check --format json' (docs/check.schema.json). */
void render_json_check(const capplan_report *r, const capplan_render_opts *opts,
                       capplan_buf *out) {
  (void)opts;
  cJSON *o = cJSON_CreateObject();
  tool_json(o);
  str(o, "kind", "check");
  cJSON *spec = cJSON_AddObjectToObject(o, "spec");
  str(spec, "name", r->spec_name);
  str(spec, "path", r->spec_path);
  cJSON_AddItemToObject(o, "checks", checks_json(r));
  cJSON_AddItemToObject(o, "passed", cJSON_CreateBool(r->passed));
  emit(o, 0, out);
  capplan_buf_putc(out, '\n');
}

static cJSON *values_json(const capplan_diff_values *v, bool with_latency,
                          bool with_servers) {
  cJSON *o = cJSON_CreateObject();
  if (with_servers) {
    num(o, "servers", v->servers);
    num(o, "gpus", v->gpus);
    num(o, "cost_per_year", v->cost_per_year);
  }
  if (with_latency)
    num(o, "latency_ms", v->latency * 1000);
  num(o, "availability", v->availability);
  return o;
}

static cJSON *delta_json(const capplan_diff_values *b,
                         const capplan_diff_values *h, bool with_latency,
                         bool with_servers) {
  capplan_diff_values d = {h->servers - b->servers, h->gpus - b->gpus,
                           h->cost_per_year - b->cost_per_year,
                           h->latency - b->latency,
                           h->availability - b->availability};
  return values_json(&d, with_latency, with_servers);
}

/* HEAD over BASE in percent; null when BASE is 0. */
static void pct(cJSON *o, const char *key, double base, double head) {
  if (base != 0)
    num(o, key, (head - base) / base * 100);
  else
    cJSON_AddItemToObject(o, key, cJSON_CreateNull());
}

static const char *const status_names[] = {"unchanged", "changed", "added",
                                           "removed"};

/* 'capplan diff --format json' (docs/diff.schema.json). */
void render_json_diff(const capplan_diff *d, const capplan_render_opts *opts,
                      capplan_buf *out) {
  (void)opts;
  cJSON *o = cJSON_CreateObject();
  tool_json(o);
  str(o, "kind", "diff");
  const capplan_diff_side *sides[2] = {&d->base, &d->head};
  const char *side_names[2] = {"base", "head"};
  for (int k = 0; k < 2; k++) {
    cJSON *sd = cJSON_AddObjectToObject(o, side_names[k]);
    str(sd, "name", sides[k]->name);
    str(sd, "path", sides[k]->path);
    str(sd, "source", sides[k]->from_report ? "report" : "spec");
  }
  cJSON *sum = cJSON_AddObjectToObject(o, "summary");
  num(sum, "changed", (double)d->changed);
  num(sum, "added", (double)d->added);
  num(sum, "removed", (double)d->removed);
  num(sum, "unchanged",
      (double)(d->n_rows - d->changed - d->added - d->removed));
  cJSON *rows = cJSON_AddArrayToObject(o, "rows");
  for (size_t i = 0; i < d->n_rows; i++) {
    const capplan_diff_row *row = &d->rows[i];
    cJSON *x = cJSON_CreateObject();
    str(x, "name", row->name);
    str(x, "kind", row->group ? "group" : "stage");
    cJSON_AddItemToObject(x, "colocated", cJSON_CreateBool(row->colocated));
    str(x, "status", status_names[row->status]);
    bool lat = !row->group, srv = !row->colocated;
    bool has_base = row->status != CAPPLAN_DIFF_ADDED;
    bool has_head = row->status != CAPPLAN_DIFF_REMOVED;
    cJSON_AddItemToObject(x, "base",
                          has_base ? values_json(&row->base, lat, srv)
                                   : cJSON_CreateNull());
    cJSON_AddItemToObject(x, "head",
                          has_head ? values_json(&row->head, lat, srv)
                                   : cJSON_CreateNull());
    cJSON_AddItemToObject(x, "delta",
                          has_base && has_head
                              ? delta_json(&row->base, &row->head, lat, srv)
                              : cJSON_CreateNull());
    cJSON_AddItemToArray(rows, x);
  }
  cJSON *t = cJSON_AddObjectToObject(o, "totals");
  cJSON_AddItemToObject(t, "base", values_json(&d->base_total, true, true));
  cJSON_AddItemToObject(t, "head", values_json(&d->head_total, true, true));
  cJSON_AddItemToObject(t, "delta",
                        delta_json(&d->base_total, &d->head_total, true, true));
  cJSON *p = cJSON_AddObjectToObject(t, "delta_pct");
  pct(p, "servers", d->base_total.servers, d->head_total.servers);
  pct(p, "gpus", d->base_total.gpus, d->head_total.gpus);
  pct(p, "cost_per_year", d->base_total.cost_per_year,
      d->head_total.cost_per_year);
  pct(p, "latency_ms", d->base_total.latency, d->head_total.latency);
  cJSON *gates = cJSON_AddArrayToObject(o, "gates");
  for (size_t i = 0; i < d->n_gates; i++) {
    const capplan_diff_gate *g = &d->gates[i];
    cJSON *x = cJSON_CreateObject();
    str(x, "name", g->name);
    num(x, "limit", g->limit);
    if (g->defined)
      num(x, "actual", g->actual);
    else
      cJSON_AddItemToObject(x, "actual", cJSON_CreateNull());
    str(x, "unit", g->unit);
    cJSON_AddItemToObject(x, "passed", cJSON_CreateBool(g->passed));
    cJSON_AddItemToArray(gates, x);
  }
  cJSON_AddItemToObject(o, "passed", cJSON_CreateBool(d->passed));
  emit(o, 0, out);
  capplan_buf_putc(out, '\n');
}

/* 'capplan calc TOPIC --json': the inputs as given, the results in base
 * units, and the steps of the working. */
void render_json_calc(const capplan_calc *c, capplan_buf *out) {
  cJSON *o = cJSON_CreateObject();
  tool_json(o);
  str(o, "kind", "calc");
  str(o, "topic", c->topic);
  cJSON *in = cJSON_AddObjectToObject(o, "inputs");
  for (size_t i = 0; i < c->n_inputs; i++) {
    const capplan_calc_arg *a = &c->inputs[i];
    if (a->n_values == 0)
      cJSON_AddItemToObject(in, a->name, cJSON_CreateTrue());
    else if (a->n_values == 1)
      str(in, a->name, a->values[0]);
    else
      cJSON_AddItemToObject(in, a->name, names(a->values, a->n_values));
  }
  cJSON *res = cJSON_AddObjectToObject(o, "results");
  for (size_t i = 0; i < c->n_results; i++)
    num(res, c->results[i].name, c->results[i].value);
  cJSON *units = cJSON_AddObjectToObject(o, "units");
  for (size_t i = 0; i < c->n_results; i++)
    str(units, c->results[i].name, c->results[i].unit);
  cJSON *steps = cJSON_AddArrayToObject(o, "steps");
  for (size_t i = 0; i < c->n_steps; i++) {
    const capplan_calc_step *s = &c->steps[i];
    cJSON *x = cJSON_CreateObject();
    str(x, "label", s->label);
    str(x, "formula", s->formula);
    str(x, "numbers", s->numbers);
    str(x, "result", s->result);
    cJSON_AddItemToArray(steps, x);
  }
  cJSON_AddItemToObject(o, "notes", names(c->notes, c->n_notes));
  emit(o, 0, out);
  capplan_buf_putc(out, '\n');
}

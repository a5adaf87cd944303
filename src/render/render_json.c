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

#include "calc.h"
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

static void null(cJSON *o, const char *key) {
  cJSON_AddItemToObject(o, key, cJSON_CreateNull());
}

static void flag(cJSON *o, const char *key, bool v) {
  cJSON_AddItemToObject(o, key, cJSON_CreateBool(v));
}

/* Nines of an unavailability, capped (figures.h) with a flag past it. */
static void nines(cJSON *o, const char *key, double down) {
  double n = capplan_nines(down);
  num(o, key, n > CAPPLAN_NINES_CAP ? CAPPLAN_NINES_CAP : n);
  if (n > CAPPLAN_NINES_CAP) {
    char k[64];
    snprintf(k, sizeof k, "%s_above_cap", key);
    flag(o, k, true);
  }
}

/* The raw count each constraint needs (SPEC.md section 5), and which
 * binds. */
static void constraints_json(cJSON *o, const pool_plan *pp) {
  cJSON *by = cJSON_AddObjectToObject(o, "servers_by");
  for (int c = 0; c < CON_COUNT; c++)
    if (pp->applies & (1u << c))
      num(by, constraint_name((enum constraint)c), pp->by[c]);
  str(o, "binding", constraint_name(pp->binding));
}

static void memory_json(cJSON *o, const pool_plan *pp) {
  if (!(pp->applies & (1u << CON_MEMORY)))
    return;
  num(o, "memory_bytes", pp->memory);
  num(o, "usable_memory_bytes_per_server", pp->usable);
}

static cJSON *cache_json(const capplan_report *r, size_t i) {
  const capplan_model *m = r->model;
  const cache_in *ci = &r->p->cache[i];
  const stage_plan *s = &r->plan->stage[i];
  const pool_plan *cp = &s->cache;
  cJSON *o = cJSON_CreateObject();
  str(o, "hardware", m->hw[m->stage[i].cache_hw].name);
  num(o, "qps", s->cache_load);
  num(o, "qps_per_server", ci->qps_per_server);
  num(o, "latency_ms", ci->latency * 1000);
  num(o, "servers_raw", cp->raw);
  constraints_json(o, cp);
  memory_json(o, cp);
  num(o, "servers", cp->servers);
  num(o, "gpus", cp->gpus);
  num(o, "cost_per_year", cp->cost_per_year);
  num(o, "servers_needed", cp->needed);
  num(o, "availability", cp->all.up);
  num(o, "request_availability", cp->req.up);
  return o;
}

/* The stage's queue (SPEC.md section 7); percentiles null when it has
 * no steady state. */
static cJSON *queue_json(const stage_plan *s) {
  const queue_plan *q = &s->queue;
  cJSON *o = cJSON_CreateObject();
  str(o, "model", queue_model_name(q->model));
  str(o, "balancer", q->random ? "random" : "least-loaded");
  num(o, "servers", q->servers);
  num(o, "slots", q->slots);
  num(o, "job_size", q->job);
  num(o, "service_ms", q->service * 1000);
  num(o, "service_cv", q->cs);
  num(o, "batch_forming_ms", q->form * 1000);
  num(o, "utilization", q->utilization);
  flag(o, "stable", q->stable);
  static const char *const keys[PCT_COUNT] = {
      "latency_p50_ms", "latency_p95_ms", "latency_p99_ms", "latency_p999_ms"};
  if (q->stable) {
    num(o, "p_wait", q->p_wait);
    num(o, "wait_mean_ms", q->wait_mean * 1000);
    num(o, "latency_mean_ms", q->mean * 1000);
    for (int k = 0; k < PCT_COUNT; k++)
      num(o, keys[k], q->pct[k] * 1000);
  } else {
    null(o, "p_wait");
    null(o, "wait_mean_ms");
    null(o, "latency_mean_ms");
    for (int k = 0; k < PCT_COUNT; k++)
      null(o, keys[k]);
  }
  num(o, "servers_added_for_latency", s->latency_added);
  return o;
}

static cJSON *stage_json(const capplan_report *r, size_t i) {
  const capplan_model *m = r->model;
  const mstage *ms = &m->stage[i];
  const stage_in *in = &r->p->stage[i];
  const stage_plan *s = &r->plan->stage[i];
  const pool_plan *pp = &s->pool;
  bool grouped = ms->group >= 0;
  cJSON *o = cJSON_CreateObject();
  str(o, "name", ms->name);
  str(o, "hardware", render_stage_hw(m, i));
  cJSON *after = cJSON_AddArrayToObject(o, "after");
  for (size_t q = 0; q < ms->n_parents; q++)
    cJSON_AddItemToArray(after,
                         cJSON_CreateString(m->stage[ms->parents[q]].name));
  str(o, "join", ms->join_any ? "any" : "all");
  str(o, "group", render_stage_group(m, i));
  str(o, "status", plan_status_name(s->status));
  num(o, "inflow", s->inflow);
  num(o, "share", in->share);
  num(o, "calls", in->calls);
  if (ms->calls_sequential)
    str(o, "calls_mode", "sequential");
  num(o, "cache_hit", in->cache_hit);
  num(o, "stops", in->stops);
  num(o, "qps", s->load);
  str(o, "throughput_source", tp_ops_of(ms->tp.kind)->name);
  if (ms->tp.kind == TP_BATCH) {
    num(o, "batch", s->tp.batch);
    num(o, "parallelism", s->tp.parallelism);
  }
  num(o, "qps_per_server", s->tp.per_server);
  num(o, "utilization", in->pol.utilization);
  num(o, "headroom", in->pol.headroom);
  num(o, "redundancy", in->pol.redundancy);
  num(o, "servers_raw", render_stage_raw(m, r->plan, i));
  if (grouped) {
    null(o, "servers");
    null(o, "gpus");
    null(o, "cost_per_year");
  } else {
    constraints_json(o, pp);
    memory_json(o, pp);
    num(o, "servers", pp->servers);
    num(o, "gpus", pp->gpus);
    num(o, "cost_per_year", pp->cost_per_year);
  }
  num(o, "latency_ms", s->latency * 1000);
  if (ms->has_cache)
    num(o, "mean_latency_ms", s->mean_latency * 1000);
  num(o, "latency_to_ms", s->latency_to * 1000);
  flag(o, "critical", s->critical);
  num(o, "zones", in->pol.zones);
  flag(o, "survive_zone_loss", in->pol.survive_zone_loss != 0);
  num(o, "zone_extra_servers", grouped ? 0 : pp->zone_extra);
  str(o, "fallback", ms->fallback >= 0 ? m->stage[ms->fallback].name : NULL);
  flag(o, "standby", ms->standby);
  flag(o, "async", ms->async);
  num(o, "server_availability", in->pol.availability);
  num(o, "stage_availability", in->pol.stage_availability);
  num(o, "servers_needed", pp->needed);
  num(o, "availability", pp->all.up);
  num(o, "request_availability", pp->req.up);
  num(o, "effective_availability", s->effective.up);
  num(o, "effective_request_availability", s->effective_req.up);
  nines(o, "nines", s->effective.down);
  num(o, "downtime_minutes_per_year",
      s->effective.down * CAPPLAN_MINUTES_PER_YEAR);
  num(o, "downtime_minutes_per_month",
      s->effective.down * CAPPLAN_MINUTES_PER_MONTH);
  if (ms->has_cache)
    cJSON_AddItemToObject(o, "cache", cache_json(r, i));
  if (r->plan->latency_on && s->queue.model != QUEUE_NONE)
    cJSON_AddItemToObject(o, "queue", queue_json(s));
  return o;
}

static cJSON *group_json(const capplan_report *r, size_t g) {
  const capplan_model *m = r->model;
  const mgroup *mg = &m->group[g];
  const policy *pol = &r->p->group[g];
  const pool_plan *pp = &r->plan->group[g].pool;
  cJSON *o = cJSON_CreateObject();
  str(o, "name", mg->name);
  str(o, "hardware", m->hw[mg->hw].name);
  cJSON *st = cJSON_AddArrayToObject(o, "stages");
  for (size_t k = 0; k < mg->n_members; k++)
    cJSON_AddItemToArray(st, cJSON_CreateString(m->stage[mg->members[k]].name));
  num(o, "utilization", pol->utilization);
  num(o, "headroom", pol->headroom);
  num(o, "redundancy", pol->redundancy);
  num(o, "servers_raw", pp->raw);
  constraints_json(o, pp);
  memory_json(o, pp);
  num(o, "servers", pp->servers);
  num(o, "gpus", pp->gpus);
  num(o, "cost_per_year", pp->cost_per_year);
  num(o, "zones", pol->zones);
  flag(o, "survive_zone_loss", pol->survive_zone_loss != 0);
  num(o, "zone_extra_servers", pp->zone_extra);
  num(o, "server_availability", pol->availability);
  num(o, "servers_needed", pp->needed);
  num(o, "availability", pp->all.up);
  num(o, "request_availability", pp->req.up);
  nines(o, "nines", pp->all.down);
  num(o, "downtime_minutes_per_year", pp->all.down * CAPPLAN_MINUTES_PER_YEAR);
  num(o, "downtime_minutes_per_month",
      pp->all.down * CAPPLAN_MINUTES_PER_MONTH);
  return o;
}

static cJSON *checks_json(const plan *pl) {
  cJSON *checks = cJSON_CreateArray();
  for (size_t i = 0; i < pl->n_checks; i++) {
    const capplan_check *c = &pl->checks[i];
    cJSON *ck = cJSON_CreateObject();
    str(ck, "name", c->name);
    if (c->stage)
      str(ck, "stage", c->stage);
    str(ck, "comparison", c->upper ? "<=" : ">=");
    num(ck, "limit", c->limit);
    if (c->known) {
      num(ck, "actual", c->actual);
      num(ck, "margin", c->margin);
    } else {
      null(ck, "actual");
      null(ck, "margin");
    }
    str(ck, "unit", c->unit);
    str(ck, "source", c->source);
    flag(ck, "passed", c->passed);
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
void render_json_report(const void *subject, const capplan_render_opts *opts,
                        capplan_buf *out) {
  (void)opts;
  const capplan_report *r = subject;
  const capplan_model *m = r->model;
  const plan *pl = r->plan;
  const traffic_in *tin = &r->p->traffic;
  cJSON *head = cJSON_CreateObject();
  tool_json(head);
  cJSON *spec = cJSON_AddObjectToObject(head, "spec");
  str(spec, "name", m->name);
  str(spec, "path", m->path);
  str(spec, "description", m->description);
  cJSON *as = cJSON_AddObjectToObject(head, "assumptions");
  num(as, "hours_per_year", CAPPLAN_HOURS_PER_YEAR);
  num(as, "hours_per_month", CAPPLAN_HOURS_PER_MONTH);
  str(as, "currency", "USD");
  num(as, "default_server_availability", CAPPLAN_DEFAULT_AVAILABILITY);
  num(as, "ceiling_tolerance", CAPPLAN_CEIL_TOLERANCE);
  num(as, "default_memory_reserve", CAPPLAN_DEFAULT_MEMORY_RESERVE);
  num(as, "nines_cap", CAPPLAN_NINES_CAP);
  flag(as, "zone_outages_modelled", m->zones_modelled);
  num(as, "default_zone_availability", CAPPLAN_DEFAULT_ZONE_AVAILABILITY);
  str(as, "default_zone_availability_source", CAPPLAN_ZONE_AVAILABILITY_SOURCE);
  cJSON *tr = cJSON_AddObjectToObject(head, "traffic");
  num(tr, "qps", pl->qps);
  if (pl->average_qps > 0)
    num(tr, "average_qps", pl->average_qps);
  else
    null(tr, "average_qps");
  if (m->traffic_from_dau) {
    num(tr, "dau", tin->dau);
    num(tr, "requests_per_user_per_day", tin->requests_per_user);
  }
  if (m->traffic_from_dau || m->has_peak_to_average)
    num(tr, "peak_to_average", tin->peak_to_average);
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
  for (size_t k = 0; k < m->n_stages; k++) {
    capplan_buf_puts(out, k ? ",\n    " : "\n    ");
    emit(stage_json(r, m->order[k]), 2, out);
  }
  capplan_buf_puts(out, m->n_stages ? "\n  ],\n  \"groups\": ["
                                    : "],\n  \"groups\": [");
  for (size_t g = 0; g < m->n_groups; g++) {
    capplan_buf_puts(out, g ? ",\n    " : "\n    ");
    emit(group_json(r, g), 2, out);
  }
  capplan_buf_puts(out, m->n_groups ? "\n  ],\n" : "],\n");

  cJSON *tail = cJSON_CreateObject();
  cJSON *t = cJSON_AddObjectToObject(tail, "totals");
  num(t, "servers", pl->servers);
  num(t, "gpus", pl->gpus);
  num(t, "cost_per_year", pl->cost_per_year);
  num(t, "cost_per_month", pl->cost_per_month);
  if (pl->cost_per_million >= 0)
    num(t, "cost_per_million_requests", pl->cost_per_million);
  else
    null(t, "cost_per_million_requests");
  num(t, "latency_ms", pl->latency * 1000);
  if (pl->latency_on) {
    static const char *const keys[PCT_COUNT] = {
        "latency_p50_ms", "latency_p95_ms", "latency_p99_ms",
        "latency_p999_ms"};
    if (pl->pct_known)
      num(t, "latency_mean_ms", pl->pct_mean * 1000);
    else
      null(t, "latency_mean_ms");
    for (int k = 0; k < PCT_COUNT; k++)
      if (pl->pct_known)
        num(t, keys[k], pl->pct[k] * 1000);
      else
        null(t, keys[k]);
  }
  cJSON *cp = cJSON_AddArrayToObject(t, "critical_path");
  for (size_t k = 0; k < pl->n_critical; k++)
    cJSON_AddItemToArray(cp,
                         cJSON_CreateString(m->stage[pl->critical[k]].name));
  num(t, "availability", pl->all.up);
  num(t, "unavailability", pl->all.down);
  nines(t, "nines", pl->all.down);
  num(t, "downtime_minutes_per_year", pl->all.down * CAPPLAN_MINUTES_PER_YEAR);
  num(t, "downtime_minutes_per_month",
      pl->all.down * CAPPLAN_MINUTES_PER_MONTH);
  num(t, "request_availability", pl->req.up);
  num(t, "request_unavailability", pl->req.down);
  nines(t, "request_nines", pl->req.down);
  cJSON_AddItemToObject(tail, "checks", checks_json(pl));
  flag(tail, "passed", pl->passed);
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
void render_json_check(const void *subject, const capplan_render_opts *opts,
                       capplan_buf *out) {
  (void)opts;
  const capplan_report *r = subject;
  cJSON *o = cJSON_CreateObject();
  tool_json(o);
  str(o, "kind", "check");
  cJSON *spec = cJSON_AddObjectToObject(o, "spec");
  str(spec, "name", r->model->name);
  str(spec, "path", r->model->path);
  cJSON_AddItemToObject(o, "checks", checks_json(r->plan));
  flag(o, "passed", r->plan->passed);
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
void render_json_diff(const void *subject, const capplan_render_opts *opts,
                      capplan_buf *out) {
  (void)opts;
  const capplan_diff *d = subject;
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
  cJSON *working = cJSON_AddArrayToObject(o, "steps");
  const step_list *l = &c->working->totals;
  for (size_t i = 0; i < l->n; i++) {
    const step *s = &l->items[i];
    cJSON *x = cJSON_CreateObject();
    str(x, "label", s->label);
    str(x, "formula", s->formula);
    str(x, "numbers", s->text);
    str(x, "result", s->result);
    cJSON_AddItemToArray(working, x);
  }
  cJSON *notes = cJSON_AddArrayToObject(o, "notes");
  for (size_t i = 0; i < c->working->notes.n; i++)
    cJSON_AddItemToArray(notes,
                         cJSON_CreateString(c->working->notes.items[i].text));
  emit(o, 0, out);
  capplan_buf_putc(out, '\n');
}

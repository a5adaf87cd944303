/*
 * render_json.c - the report as JSON (SPEC.md section 3), the format CI
 * reads, and the JSON of check, diff and calc.
 *
 * Numbers are JSON numbers in the unit their key names, rounded to 12
 * significant digits so that float noise (0.30000000000000004) never
 * reaches a golden file or a diff; the schema is docs/report.schema.json.
 * Keys come in a fixed order, two spaces per level, arrays of strings on
 * one line.  The text is written as it goes (a small streaming writer,
 * no tree): a 100,000-stage report writes four million numbers, and
 * building and re-printing a tree of them cost several times the rest of
 * the run (bench/README.md).
 */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calc.h"
#include "forecast.h"
#include "format.h"
#include "mc.h"
#include "render.h"
#include "sensitivity.h"
#include "util.h"
#include "workload.h"

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
static size_t json_number(double v, char buf[32]) {
  if (!isfinite(v) || v == 0) {
    strcpy(buf, "0");
    return 1;
  }
  double a = fabs(v);
  if (a < 1e11 || (a < 1e12 && v == floor(v))) {
    /* A whole number below 1e12 is its digits, what %d (or %.0f)
     * writes.  Below 1e11, %.12g writes fixed notation, or an exponent
     * below -4, exactly as %1.15g writes the rounded value (a decimal of
     * at most 15 digits survives the trip through a double); rounding
     * up to 1e11 (an exponent) takes the long way. */
    size_t n = fmt_g12_n(v, buf);
    /* an exponent with a '+' is only ever "1e+11", sign aside */
    if (n < 3 || buf[n - 3] != '+')
      return n;
  }
  double r = round12(v);
  if (r == floor(r) && fabs(r) <= INT_MAX)
    snprintf(buf, 32, "%d", (int)r);
  else
    snprintf(buf, 32, "%1.15g", r);
  return strlen(buf);
}

/* ------------------------------------------------------------ writer */

/* A JSON writer: OUT, the nesting depth, and whether the current object
 * or array has had a member yet. */
/* A number's text, kept for the next time the same double comes. */
typedef struct jw_memo {
  uint64_t bits; /* of the double */
  uint32_t len;  /* 0: the entry is empty (no number's text is) */
  char text[32];
} jw_memo;
enum { JW_MEMO = 64 };

typedef struct jw {
  capplan_buf *out;
  int depth;
  bool empty[32];
  /* The texts of the numbers written last, by their bits (num): a report
   * writes the same figure again and again (a stage's availability and
   * its effective one, the 99.9% of its servers, its requests and its
   * effective requests; a row of stages alike), and the text costs a
   * fraction of writing it anew.  A direct-mapped table: the newest
   * number takes its slot. */
  jw_memo memo[JW_MEMO];
} jw;

static void indent(jw *w, int level) {
  static const char spaces[] = "                                ";
  int n = 2 * level;
  while (n > 0) {
    int k = n < (int)sizeof spaces - 1 ? n : (int)sizeof spaces - 1;
    capplan_buf_put(w->out, spaces, (size_t)k);
    n -= k;
  }
}

/* Blanks for an indent, read whole: member_start copies all 32 for any
 * indent up to 32, one fixed-size copy instead of a call. */
static const char blanks[] = "                                ";
#define BLANKS (sizeof blanks - 1)

/* Starts a member (KEY NULL in an array) whose value takes N bytes: the
 * separator, the new line and the indent, "KEY": , put together in place
 * in room for all of it and for fixed-size copies to run past its end.
 * Returns the line, the value's place in it in *AT; the caller copies
 * the value there and commits AT + N bytes (member_number,
 * member_value: one append when it fits a line, the common case). */
static CAPPLAN_ALWAYS_INLINE char *
member_start(jw *w, const char *key, size_t klen, size_t n, size_t *at) {
  size_t pad = 2 * (size_t)w->depth;
  bool first = w->empty[w->depth];
  w->empty[w->depth] = false;
  size_t need = 2 + pad + klen + 4 + n + BLANKS;
  char *line = capplan_buf_reserve(w->out, need);
  size_t k = 0;
  if (!first)
    line[k++] = ',';
  line[k++] = '\n';
  if (pad <= BLANKS)
    memcpy(line + k, blanks, BLANKS);
  else
    memset(line + k, ' ', pad);
  k += pad;
  if (key) {
    line[k++] = '"';
    memcpy(line + k, key, klen);
    k += klen;
    line[k++] = '"';
    line[k++] = ':';
    line[k++] = ' ';
  }
  *at = k;
  return line;
}

/* A number's member: VALUE is num's buffer of 32 bytes, copied whole
 * (one fixed-size copy), of which N are the number. */
static CAPPLAN_ALWAYS_INLINE void member_number(jw *w, const char *key,
                                                size_t klen,
                                                const char value[32],
                                                size_t n) {
  size_t at;
  char *line = member_start(w, key, klen, n, &at); /* room past: BLANKS */
  memcpy(line + at, value, 32);
  capplan_buf_commit(w->out, at + n);
}

/* A member and its value: with KEY's length, which the compiler knows when KEY
 * is a literal (keys are ours: plain ASCII), and so copies the key, and a
 * literal value, in a few fixed-size moves. */
static CAPPLAN_ALWAYS_INLINE void member_value(jw *w, const char *key,
                                               const char *value, size_t n) {
  size_t at;
  char *line = member_start(w, key, key ? strlen(key) : 0, n, &at);
  memcpy(line + at, value, n);
  capplan_buf_commit(w->out, at + n);
}

static CAPPLAN_ALWAYS_INLINE void member(jw *w, const char *key) {
  member_value(w, key, "", 0);
}

/* Opens an object ('{') or an array ('['), as member KEY of the current
 * one (KEY NULL: an array element; DEPTH 0: the document). */
static void begin(jw *w, const char *key, char c) {
  if (w->depth > 0 || key)
    member(w, key);
  capplan_buf_putc(w->out, c);
  w->empty[++w->depth] = true;
}

static void end(jw *w, char c) {
  if (!w->empty[w->depth--]) {
    capplan_buf_putc(w->out, '\n');
    indent(w, w->depth);
  }
  capplan_buf_putc(w->out, c);
}

static CAPPLAN_ALWAYS_INLINE void num(jw *w, const char *key, double v) {
  uint64_t bits;
  memcpy(&bits, &v, sizeof bits);
  jw_memo *e = &w->memo[(bits * 0x9E3779B97F4A7C15ULL) >> 58]; /* 6 bits */
  if (e->bits != bits || !e->len) {
    e->len = (uint32_t)json_number(v, e->text);
    e->bits = bits;
  }
  member_number(w, key, key ? strlen(key) : 0, e->text, e->len);
}

/* S as a JSON string.  DEL and the C1 controls are \u escapes like the C0
 * ones, so no raw control character reaches a terminal that shows the
 * JSON, and a byte that is not UTF-8 becomes U+FFFD, since JSON text is
 * UTF-8 (docs/security.md).  Escapes are lower-case hex. */
static void string(capplan_buf *b, const char *s) {
  /* The common string (a stage's name): printable ASCII with nothing to
   * escape, written in one piece. */
  size_t n = 0;
  for (unsigned char c; (c = (unsigned char)s[n]) != 0; n++)
    if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\')
      break;
  if (!s[n]) {
    char *p = capplan_buf_reserve(b, n + 2);
    p[0] = '"';
    memcpy(p + 1, s, n);
    p[n + 1] = '"';
    capplan_buf_commit(b, n + 2);
    return;
  }
  capplan_buf_putc(b, '"');
  n = strlen(s);
  size_t i = 0;
  while (i < n) {
    size_t plain = text_plain_prefix(s + i, n - i, 0);
    size_t from = i;
    for (size_t k = 0; k < plain; k++)
      if (s[i + k] == '"' || s[i + k] == '\\') {
        capplan_buf_put(b, s + from, i + k - from);
        capplan_buf_putc(b, '\\');
        from = i + k;
      }
    capplan_buf_put(b, s + from, i + plain - from);
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
      capplan_buf_puts(b, named);
    else if (esc.len == 6) /* \u0085: C1, the same escape in JSON */
      capplan_buf_put(b, esc.data, esc.len);
    else if (c < 0x80) /* C0, DEL */
      capplan_buf_printf(b, "\\u%04x", (unsigned)c);
    else /* not UTF-8 */
      capplan_buf_puts(b, "\\ufffd");
    capplan_buf_release(&esc);
    i += used;
  }
  capplan_buf_putc(b, '"');
}

static CAPPLAN_ALWAYS_INLINE void null(jw *w, const char *key) {
  member_value(w, key, "null", 4);
}

static CAPPLAN_ALWAYS_INLINE void str(jw *w, const char *key, const char *s) {
  if (!s) {
    null(w, key);
    return;
  }
  member(w, key);
  string(w->out, s);
}

static CAPPLAN_ALWAYS_INLINE void flag(jw *w, const char *key, bool v) {
  member_value(w, key, v ? "true" : "false", v ? 4 : 5);
}

/* A list of strings, on one line: ["a", "b"]. */
static void names(jw *w, const char *key, const char *const *v, size_t n) {
  member(w, key);
  capplan_buf_putc(w->out, '[');
  for (size_t i = 0; i < n; i++) {
    if (i)
      capplan_buf_puts(w->out, ", ");
    string(w->out, v[i]);
  }
  capplan_buf_putc(w->out, ']');
}

/* The names of stages given by index. */
static void stage_names(jw *w, const char *key, const capplan_model *m,
                        const size_t *idx, size_t n) {
  member(w, key);
  capplan_buf_putc(w->out, '[');
  for (size_t i = 0; i < n; i++) {
    if (i)
      capplan_buf_puts(w->out, ", ");
    string(w->out, m->stage[idx[i]].name);
  }
  capplan_buf_putc(w->out, ']');
}

/* The nines and downtimes of an availability (plan_derive), the nines
 * capped with a flag past the cap; PREFIX names them ("" or
 * "request_"). */
static void figs(jw *w, const char *prefix, const avail_figs *f,
                 bool downtime) {
  char k[64];
  size_t pl = strlen(prefix) < 32 ? strlen(prefix) : 32; /* ours: short */
  memcpy(k, prefix, pl);
  memcpy(k + pl, "nines", sizeof "nines");
  num(w, k, f->nines);
  if (f->above_cap) {
    memcpy(k + pl, "nines_above_cap", sizeof "nines_above_cap");
    flag(w, k, true);
  }
  if (downtime) {
    num(w, "downtime_minutes_per_year", f->down_year_min);
    num(w, "downtime_minutes_per_month", f->down_month_min);
  }
}

/* The raw count each constraint needs (SPEC.md section 5), and which
 * binds. */
static void constraints_json(jw *w, const pool_plan *pp) {
  begin(w, "servers_by", '{');
  for (int c = 0; c < CON_COUNT; c++)
    if (pp->applies & (1u << c))
      num(w, constraint_name((enum constraint)c), pp->by[c]);
  end(w, '}');
  str(w, "binding", constraint_name(pp->binding));
}

static void memory_json(jw *w, const pool_plan *pp) {
  if (!(pp->applies & (1u << CON_MEMORY)))
    return;
  num(w, "memory_bytes", pp->memory);
  num(w, "usable_memory_bytes_per_server", pp->usable);
}

static void cache_json(jw *w, const capplan_report *r, size_t i) {
  const capplan_model *m = r->model;
  const cache_in *ci = &r->p->cache[r->model->stage[i].cache_at];
  const stage_plan *s = &r->plan->stage[i];
  const pool_plan *cp = s->cache.pool;
  begin(w, "cache", '{');
  str(w, "hardware", m->hw[m->stage[i].cache_hw].name);
  num(w, "qps", s->cache_load);
  num(w, "qps_per_server", ci->qps_per_server);
  num(w, "latency_ms", ci->latency * 1000);
  num(w, "servers_raw", cp->raw);
  constraints_json(w, cp);
  memory_json(w, cp);
  num(w, "servers", cp->servers);
  num(w, "gpus", cp->gpus);
  num(w, "cost_per_year", cp->cost_per_year);
  num(w, "servers_needed", cp->needed);
  num(w, "availability", cp->all.up);
  num(w, "request_availability", cp->req.up);
  end(w, '}');
}

static const char *const pct_keys[PCT_COUNT] = {
    "latency_p50_ms", "latency_p95_ms", "latency_p99_ms", "latency_p999_ms"};

/* The stage's queue (SPEC.md section 7); percentiles null when it has
 * no steady state. */
static void queue_json(jw *w, const stage_plan *s) {
  const queue_plan *q = &s->queue;
  begin(w, "queue", '{');
  str(w, "model", queue_model_name(q->model));
  str(w, "balancer", q->random ? "random" : "least-loaded");
  num(w, "servers", q->servers);
  num(w, "slots", q->slots);
  num(w, "job_size", q->job);
  num(w, "service_ms", q->service * 1000);
  num(w, "service_cv", q->cs);
  num(w, "batch_forming_ms", q->form * 1000);
  num(w, "batch_forming_mean_ms", q->form_mean * 1000);
  num(w, "utilization", q->utilization);
  flag(w, "stable", q->stable);
  if (q->stable) {
    num(w, "p_wait", q->p_wait);
    num(w, "wait_mean_ms", q->wait_mean * 1000);
    num(w, "wait_with_forming_mean_ms", q->wait_with_form * 1000);
    num(w, "latency_mean_ms", q->mean * 1000);
    for (int k = 0; k < PCT_COUNT; k++)
      num(w, pct_keys[k], q->pct[k] * 1000);
  } else {
    null(w, "p_wait");
    null(w, "wait_mean_ms");
    null(w, "wait_with_forming_mean_ms");
    null(w, "latency_mean_ms");
    for (int k = 0; k < PCT_COUNT; k++)
      null(w, pct_keys[k]);
  }
  num(w, "servers_added_for_latency", s->latency_added);
  end(w, '}');
}

/* The figures of an llm stage (SPEC.md section 6). */
static void llm_json(jw *w, const capplan_report *r, size_t i) {
  const mstage *ms = &r->model->stage[i];
  const gpu_in *gi = stage_gpu(r->model, r->p, i);
  const stage_plan *s = &r->plan->stage[i];
  const tp_out *t = &s->tp;
  const llm_result *l = t->llm;
  static const char *const limits[] = {"max_batch", "kv_cache", "tpot", "ttft"};
  begin(w, "llm", '{');
  str(w, "model", ms->tp.as.llm.model);
  str(w, "dtype", dtype_name(ms->tp.as.llm.dtype));
  str(w, "kv_dtype", dtype_name(ms->tp.as.llm.kv_dtype));
  num(w, "prompt_tokens", gi->prompt_tokens);
  num(w, "output_tokens", gi->output_tokens);
  num(w, "weights_bytes", l->memory.weights_bytes);
  num(w, "kv_bytes_per_token", l->memory.kv_bytes_per_token);
  num(w, "kv_bytes_per_sequence", l->memory.kv_bytes_per_sequence);
  num(w, "max_concurrency", l->memory.max_concurrency);
  num(w, "batch", t->batch);
  str(w, "batch_limit", limits[t->limit >= 0 && t->limit < 4 ? t->limit : 0]);
  num(w, "prefill_ms", l->prefill.seconds * 1000);
  num(w, "decode_step_ms", l->decode.seconds * 1000);
  num(w, "ttft_ms", t->ttft * 1000);
  if (l->has_tpot)
    num(w, "tpot_ms", l->tpot * 1000);
  else /* one output token: no time per token after the first */
    null(w, "tpot_ms");
  num(w, "requests_per_second_per_replica", l->requests_per_second);
  num(w, "output_tokens_per_second_per_gpu",
      l->output_tokens_per_second_per_gpu);
  num(w, "replicas_per_server", t->replicas_per_server);
  num(w, "replicas",
      ms->group >= 0 ? 0 : s->pool.servers * t->replicas_per_server);
  num(w, "gpus_per_replica", gi->tp);
  num(w, "cost_per_million_output_tokens", l->usd_per_m_output);
  double at = s->usd_per_m_output_at_load;
  if (at > 0)
    num(w, "cost_per_million_output_tokens_at_load", at);
  else
    null(w, "cost_per_million_output_tokens_at_load");
  num(w, "cost_per_million_input_tokens", l->usd_per_m_input_split);
  str(w, "bound", llm_bound_name(l->bound));
  num(w, "mfu", gi->mfu);
  num(w, "mbu", gi->mbu);
  flag(w, "unmet", t->unmet);
  end(w, '}');
}

static void stage_json(jw *w, const capplan_report *r, size_t i) {
  const capplan_model *m = r->model;
  const mstage *ms = &m->stage[i];
  const stage_in *in = &r->p->stage[i];
  const gpu_in *gi = stage_gpu(r->model, r->p, i);
  const stage_plan *s = &r->plan->stage[i];
  const pool_plan *pp = &s->pool;
  bool grouped = ms->group >= 0;
  begin(w, NULL, '{');
  str(w, "name", ms->name);
  str(w, "hardware", render_stage_hw(m, i));
  if (m->hw[ms->hw].accelerator)
    str(w, "accelerator", m->hw[ms->hw].accelerator);
  if (ms->workload) { /* `kind:` (workload.h) */
    begin(w, "workload", '{');
    str(w, "name", ms->workload);
    const char *keys[3];
    size_t n = 0;
    if (ms->inherits & MSTAGE_INHERITS_LATENCY)
      keys[n++] = "latency";
    if (ms->inherits & MSTAGE_INHERITS_QPS)
      keys[n++] = "qps_per_server";
    if (ms->inherits & MSTAGE_INHERITS_HARDWARE)
      keys[n++] = "hardware";
    names(w, "inherited", keys, n);
    str(w, "sources", ms->workload_sources);
    end(w, '}');
  }
  stage_names(w, "after", m, ms->parents, ms->n_parents);
  str(w, "join", ms->join_any ? "any" : "all");
  str(w, "group", render_stage_group(m, i));
  str(w, "status", plan_status_name(s->status));
  num(w, "inflow", s->inflow);
  num(w, "share", in->share);
  num(w, "calls", in->calls);
  if (ms->calls_sequential)
    str(w, "calls_mode", "sequential");
  num(w, "cache_hit", in->cache_hit);
  num(w, "stops", in->stops);
  num(w, "qps", s->load);
  str(w, "throughput_source", tp_ops_of(ms->tp.kind)->name);
  if (ms->tp.kind == TP_BATCH) {
    num(w, "batch", s->tp.batch);
    num(w, "parallelism", s->tp.parallelism);
    num(w, "fill_ms", s->form * 1000);
  }
  if (ms->tp.kind == TP_DYNBATCH || ms->tp.kind == TP_ROOFLINE) {
    num(w, "batch", s->tp.batch);
    num(w, "parallelism", s->tp.parallelism);
    num(w, "batch_time_ms", s->tp.batch_time * 1000);
    num(w, "fill_ms", s->form * 1000);
    if (ms->tp.kind == TP_ROOFLINE) {
      str(w, "bound", roofline_bound_name((roofline_bound)s->tp.bound));
      str(w, "dtype", dtype_name(ms->tp.as.gpu.dtype));
      num(w, "mfu", gi->mfu);
      num(w, "mbu", gi->mbu);
    } else {
      null(w, "bound");
    }
    if (ms->tp.as.gpu.batching) {
      str(w, "batching_scope",
          ms->tp.as.gpu.per_accelerator ? "per-accelerator" : "shared");
      num(w, "accelerators_busy", s->tp.busy);
    }
  }
  if (ms->tp.kind == TP_LLM)
    llm_json(w, r, i);
  num(w, "qps_per_server", s->tp.per_server);
  num(w, "utilization", in->pol.utilization);
  num(w, "headroom", in->pol.headroom);
  num(w, "redundancy", in->pol.redundancy);
  num(w, "servers_raw", render_stage_raw(m, r->plan, i));
  if (grouped) {
    null(w, "servers");
    null(w, "gpus");
    null(w, "cost_per_year");
  } else {
    constraints_json(w, pp);
    memory_json(w, pp);
    num(w, "servers", pp->servers);
    num(w, "gpus", pp->gpus);
    num(w, "cost_per_year", pp->cost_per_year);
  }
  num(w, "latency_ms", s->latency * 1000);
  if (ms->has_cache)
    num(w, "mean_latency_ms", s->mean_latency * 1000);
  num(w, "latency_to_ms", s->latency_to * 1000);
  flag(w, "critical", s->critical);
  num(w, "zones", in->pol.zones);
  flag(w, "survive_zone_loss", in->pol.survive_zone_loss != 0);
  num(w, "zone_extra_servers", grouped ? 0 : pp->zone_extra);
  str(w, "fallback", ms->fallback >= 0 ? m->stage[ms->fallback].name : NULL);
  flag(w, "standby", ms->standby);
  flag(w, "async", ms->async);
  num(w, "server_availability", in->pol.availability);
  num(w, "stage_availability", in->pol.stage_availability);
  num(w, "servers_needed", pp->needed);
  num(w, "availability", pp->all.up);
  num(w, "request_availability", pp->req.up);
  num(w, "effective_availability", s->effective.up);
  num(w, "effective_request_availability", s->effective_req.up);
  figs(w, "", &s->effective_f, true);
  if (ms->has_cache)
    cache_json(w, r, i);
  if (r->plan->latency_on && s->queue.model != QUEUE_NONE)
    queue_json(w, s);
  end(w, '}');
}

static void group_json(jw *w, const capplan_report *r, size_t g) {
  const capplan_model *m = r->model;
  const mgroup *mg = &m->group[g];
  const policy *pol = &r->p->group[g];
  const pool_plan *pp = &r->plan->group[g].pool;
  begin(w, NULL, '{');
  str(w, "name", mg->name);
  str(w, "hardware", m->hw[mg->hw].name);
  stage_names(w, "stages", m, mg->members, mg->n_members);
  num(w, "utilization", pol->utilization);
  num(w, "headroom", pol->headroom);
  num(w, "redundancy", pol->redundancy);
  num(w, "servers_raw", pp->raw);
  constraints_json(w, pp);
  memory_json(w, pp);
  num(w, "servers", pp->servers);
  num(w, "servers_added_for_latency", r->plan->group[g].latency_added);
  num(w, "gpus", pp->gpus);
  num(w, "cost_per_year", pp->cost_per_year);
  num(w, "zones", pol->zones);
  flag(w, "survive_zone_loss", pol->survive_zone_loss != 0);
  num(w, "zone_extra_servers", pp->zone_extra);
  num(w, "server_availability", pol->availability);
  num(w, "servers_needed", pp->needed);
  num(w, "availability", pp->all.up);
  num(w, "request_availability", pp->req.up);
  figs(w, "", &pp->all_f, true);
  end(w, '}');
}

static void checks_json(jw *w, const plan *pl) {
  begin(w, "checks", '[');
  for (size_t i = 0; i < pl->n_checks; i++) {
    const capplan_check *c = &pl->checks[i];
    begin(w, NULL, '{');
    str(w, "name", c->name);
    if (c->stage)
      str(w, "stage", c->stage);
    str(w, "comparison", c->upper ? "<=" : ">=");
    num(w, "limit", c->limit);
    if (c->known) {
      num(w, "actual", c->actual);
      num(w, "margin", c->margin);
    } else {
      null(w, "actual");
      null(w, "margin");
    }
    str(w, "unit", c->unit);
    str(w, "source", c->source);
    flag(w, "passed", c->passed);
    end(w, '}');
  }
  end(w, ']');
}

/* Opens the document and writes what every one starts with. */
static void head(jw *w, capplan_buf *out) {
  w->out = out;
  w->depth = 0;
  w->empty[0] = true;
  memset(w->memo, 0, sizeof w->memo);
  begin(w, NULL, '{');
  str(w, "schema_version", CAPPLAN_REPORT_SCHEMA_VERSION);
  begin(w, "tool", '{');
  str(w, "name", "capplan");
  str(w, "version", CAPPLAN_VERSION);
  end(w, '}');
}

static void finish(jw *w) {
  end(w, '}');
  capplan_buf_putc(w->out, '\n');
}

/* ---------------------------------------------------------- uncertainty */

/* One range: what the spec wrote and what it stands for (dist.h). */
static void range_json(jw *w, const uinput *in) {
  const dist *d = &in->d;
  begin(w, NULL, '{');
  str(w, "path", in->path);
  str(w, "written", in->text);
  str(w, "distribution", dist_shape_name(d->shape));
  flag(w, "interval", d->interval);
  switch (d->shape) {
  case SHAPE_LOGNORMAL:
    num(w, "mu", d->a);
    num(w, "sigma", d->b);
    break;
  case SHAPE_NORMAL:
    num(w, "mean", d->a);
    num(w, "sd", d->b);
    break;
  case SHAPE_UNIFORM:
    num(w, "low", d->a);
    num(w, "high", d->b);
    break;
  case SHAPE_TRIANGULAR:
    num(w, "low", d->a);
    num(w, "mode", d->b);
    num(w, "high", d->c);
    break;
  case SHAPE_COUNT:
    break;
  }
  num(w, "median", in->point);
  num(w, "mean_of_distribution", dist_mean(d));
  num(w, "p5", dist_quantile_in(d, 0.05));
  num(w, "p95", dist_quantile_in(d, 0.95));
  flag(w, "truncated", d->may_leave);
  num(w, "targets", (double)in->n_targets);
  end(w, '}');
}

/* SPEC.md section 8: the ranges, every figure's summary over the trials
 * (keyed by its path), the checks' chance of passing, and sensitivity. */
static void uncertainty_json(jw *w, const capplan_report *r) {
  const uinputs *u = r->inputs;
  const mc_result *mc = r->mc;
  begin(w, "uncertainty", '{');
  str(w, "plan", "median");
  begin(w, "inputs", '[');
  for (size_t k = 0; k < u->n_ranged; k++)
    range_json(w, &u->items[k]);
  end(w, ']');
  if (mc) {
    num(w, "samples", (double)mc->samples);
    num(w, "seed", (double)mc->seed);
    num(w, "confidence", mc->confidence);
    num(w, "evaluated", (double)mc->evaluated);
    num(w, "failed", (double)mc->failed);
    num(w, "infeasible", (double)mc->infeasible);
    begin(w, "outputs", '{');
    for (size_t i = 0; i < mc->n_figs; i++) {
      const mc_fig *f = &mc->figs[i];
      begin(w, f->path, '{');
      num(w, "plan", f->plan);
      num(w, "mean", f->s.mean);
      num(w, "p5", f->s.p5);
      num(w, "p50", f->s.p50);
      num(w, "p95", f->s.p95);
      num(w, "stderr", f->s.stderr_mean);
      num(w, "sd", f->s.sd);
      num(w, "min", f->s.min);
      num(w, "max", f->s.max);
      begin(w, "quantile_stderr", '{');
      num(w, "p5", f->s.se_p5);
      num(w, "p50", f->s.se_p50);
      num(w, "p95", f->s.se_p95);
      end(w, '}');
      end(w, '}');
    }
    end(w, '}');
    begin(w, "checks", '[');
    for (size_t c = 0; c < mc->n_checks; c++) {
      begin(w, NULL, '{');
      str(w, "name", mc->checks[c].name);
      num(w, "p_pass", mc->checks[c].p_pass);
      flag(w, "passed", mc->checks[c].passed);
      end(w, '}');
    }
    end(w, ']');
  }
  const sens_result *s = r->sens;
  if (s) {
    begin(w, "sensitivity", '[');
    for (size_t k = 0; k < s->n; k++) {
      const sens_item *it = &s->items[k];
      begin(w, NULL, '{');
      str(w, "path", it->input->path);
      num(w, "low", it->lo);
      num(w, "high", it->hi);
      flag(w, "evaluated", !it->failed);
      for (size_t q = 0; q < SENS_OUTPUTS; q++) {
        begin(w, s->outputs[q], '{');
        num(w, "at_low", it->at_lo[q]);
        num(w, "at_high", it->at_hi[q]);
        num(w, "swing", fabs(it->at_hi[q] - it->at_lo[q]));
        end(w, '}');
      }
      end(w, '}');
    }
    end(w, ']');
  }
  end(w, '}');
}

void render_json_report(const void *subject, const capplan_render_opts *opts,
                        capplan_buf *out) {
  (void)opts;
  const capplan_report *r = subject;
  const capplan_model *m = r->model;
  const plan *pl = r->plan;
  const traffic_in *tin = &r->p->traffic;
  jw w;
  head(&w, out);
  begin(&w, "spec", '{');
  str(&w, "name", m->name);
  str(&w, "path", m->path);
  str(&w, "description", m->description);
  end(&w, '}');
  begin(&w, "assumptions", '{');
  num(&w, "hours_per_year", CAPPLAN_HOURS_PER_YEAR);
  num(&w, "hours_per_month", CAPPLAN_HOURS_PER_MONTH);
  str(&w, "currency", "USD");
  num(&w, "default_server_availability", CAPPLAN_DEFAULT_AVAILABILITY);
  num(&w, "ceiling_tolerance", CAPPLAN_CEIL_TOLERANCE);
  num(&w, "default_memory_reserve", CAPPLAN_DEFAULT_MEMORY_RESERVE);
  num(&w, "nines_cap", CAPPLAN_NINES_CAP);
  flag(&w, "zone_outages_modelled", m->zones_modelled);
  num(&w, "default_zone_availability", CAPPLAN_DEFAULT_ZONE_AVAILABILITY);
  str(&w, "default_zone_availability_source", CAPPLAN_ZONE_AVAILABILITY_SOURCE);
  end(&w, '}');
  begin(&w, "traffic", '{');
  num(&w, "qps", pl->qps);
  if (pl->average_qps > 0)
    num(&w, "average_qps", pl->average_qps);
  else
    null(&w, "average_qps");
  if (m->traffic_from_dau) {
    num(&w, "dau", tin->dau);
    num(&w, "requests_per_user_per_day", tin->requests_per_user);
  }
  if (m->traffic_from_dau || m->has_peak_to_average)
    num(&w, "peak_to_average", tin->peak_to_average);
  end(&w, '}');

  begin(&w, "stages", '[');
  for (size_t k = 0; k < m->n_stages; k++)
    stage_json(&w, r, m->order[k]);
  end(&w, ']');
  begin(&w, "groups", '[');
  for (size_t g = 0; g < m->n_groups; g++)
    group_json(&w, r, g);
  end(&w, ']');

  begin(&w, "totals", '{');
  num(&w, "servers", pl->servers);
  num(&w, "gpus", pl->gpus);
  num(&w, "cost_per_year", pl->cost_per_year);
  num(&w, "cost_per_month", pl->cost_per_month);
  if (pl->cost_per_million >= 0)
    num(&w, "cost_per_million_requests", pl->cost_per_million);
  else
    null(&w, "cost_per_million_requests");
  num(&w, "latency_ms", pl->latency * 1000);
  if (pl->latency_on) {
    if (pl->pct_known)
      num(&w, "latency_mean_ms", pl->pct_mean * 1000);
    else
      null(&w, "latency_mean_ms");
    for (int k = 0; k < PCT_COUNT; k++)
      if (pl->pct_known)
        num(&w, pct_keys[k], pl->pct[k] * 1000);
      else
        null(&w, pct_keys[k]);
  }
  stage_names(&w, "critical_path", m, pl->critical, pl->n_critical);
  num(&w, "availability", pl->all.up);
  num(&w, "unavailability", pl->all.down);
  figs(&w, "", &pl->all_f, true);
  num(&w, "request_availability", pl->req.up);
  num(&w, "request_unavailability", pl->req.down);
  figs(&w, "request_", &pl->req_f, false);
  end(&w, '}');
  checks_json(&w, pl);
  if (r->inputs && r->inputs->n_ranged)
    uncertainty_json(&w, r);
  flag(&w, "passed", capplan_report_passed(r));
  finish(&w);
}

/* 'capplan check --format json' (docs/check.schema.json). */
void render_json_check(const void *subject, const capplan_render_opts *opts,
                       capplan_buf *out) {
  (void)opts;
  const capplan_report *r = subject;
  jw w;
  head(&w, out);
  str(&w, "kind", "check");
  begin(&w, "spec", '{');
  str(&w, "name", r->model->name);
  str(&w, "path", r->model->path);
  end(&w, '}');
  checks_json(&w, r->plan);
  if (r->inputs && r->inputs->n_ranged)
    uncertainty_json(&w, r);
  flag(&w, "passed", capplan_report_passed(r));
  finish(&w);
}

static void values_json(jw *w, const char *key, const capplan_diff_values *v,
                        bool with_latency, bool with_servers) {
  begin(w, key, '{');
  if (with_servers) {
    num(w, "servers", v->servers);
    num(w, "gpus", v->gpus);
    num(w, "cost_per_year", v->cost_per_year);
  }
  if (with_latency)
    num(w, "latency_ms", v->latency * 1000);
  num(w, "availability", v->availability);
  end(w, '}');
}

static void delta_json(jw *w, const char *key, const capplan_diff_changes *c,
                       bool with_latency, bool with_servers) {
  capplan_diff_values d = {c->servers.delta, c->gpus.delta,
                           c->cost_per_year.delta, c->latency.delta,
                           c->availability.delta};
  values_json(w, key, &d, with_latency, with_servers);
}

/* A change in percent; null when its base was 0. */
static void pct(jw *w, const char *key, const capplan_diff_change *c) {
  if (c->has_pct)
    num(w, key, c->pct);
  else
    null(w, key);
}

static const char *const status_names[] = {"unchanged", "changed", "added",
                                           "removed"};

/* 'capplan diff --format json' (docs/diff.schema.json). */
void render_json_diff(const void *subject, const capplan_render_opts *opts,
                      capplan_buf *out) {
  (void)opts;
  const capplan_diff *d = subject;
  jw w;
  head(&w, out);
  str(&w, "kind", "diff");
  const capplan_diff_side *sides[2] = {&d->base, &d->head};
  const char *side_names[2] = {"base", "head"};
  for (int k = 0; k < 2; k++) {
    begin(&w, side_names[k], '{');
    str(&w, "name", sides[k]->name);
    str(&w, "path", sides[k]->path);
    str(&w, "source", sides[k]->from_report ? "report" : "spec");
    end(&w, '}');
  }
  begin(&w, "summary", '{');
  num(&w, "changed", (double)d->changed);
  num(&w, "added", (double)d->added);
  num(&w, "removed", (double)d->removed);
  num(&w, "unchanged",
      (double)(d->n_rows - d->changed - d->added - d->removed));
  end(&w, '}');
  begin(&w, "rows", '[');
  for (size_t i = 0; i < d->n_rows; i++) {
    const capplan_diff_row *row = &d->rows[i];
    begin(&w, NULL, '{');
    str(&w, "name", row->name);
    str(&w, "kind", row->group ? "group" : "stage");
    flag(&w, "colocated", row->colocated);
    str(&w, "status", status_names[row->status]);
    bool lat = !row->group, srv = !row->colocated;
    bool has_base = row->status != CAPPLAN_DIFF_ADDED;
    bool has_head = row->status != CAPPLAN_DIFF_REMOVED;
    if (has_base)
      values_json(&w, "base", &row->base, lat, srv);
    else
      null(&w, "base");
    if (has_head)
      values_json(&w, "head", &row->head, lat, srv);
    else
      null(&w, "head");
    if (has_base && has_head)
      delta_json(&w, "delta", &row->change, lat, srv);
    else
      null(&w, "delta");
    end(&w, '}');
  }
  end(&w, ']');
  begin(&w, "totals", '{');
  values_json(&w, "base", &d->base_total, true, true);
  values_json(&w, "head", &d->head_total, true, true);
  delta_json(&w, "delta", &d->total_change, true, true);
  begin(&w, "delta_pct", '{');
  pct(&w, "servers", &d->total_change.servers);
  pct(&w, "gpus", &d->total_change.gpus);
  pct(&w, "cost_per_year", &d->total_change.cost_per_year);
  pct(&w, "latency_ms", &d->total_change.latency);
  end(&w, '}');
  end(&w, '}');
  begin(&w, "gates", '[');
  for (size_t i = 0; i < d->n_gates; i++) {
    const capplan_diff_gate *g = &d->gates[i];
    begin(&w, NULL, '{');
    str(&w, "name", g->name);
    num(&w, "limit", g->limit);
    if (g->defined)
      num(&w, "actual", g->actual);
    else
      null(&w, "actual");
    str(&w, "unit", g->unit);
    flag(&w, "passed", g->passed);
    end(&w, '}');
  }
  end(&w, ']');
  flag(&w, "passed", d->passed);
  finish(&w);
}

/* 'capplan calc TOPIC --json': the inputs as given, the results in base
 * units, and the steps of the working. */
void render_json_calc(const capplan_calc *c, capplan_buf *out) {
  jw w;
  head(&w, out);
  str(&w, "kind", "calc");
  str(&w, "topic", c->topic);
  begin(&w, "inputs", '{');
  for (size_t i = 0; i < c->n_inputs; i++) {
    const capplan_calc_arg *a = &c->inputs[i];
    if (a->n_values == 0)
      flag(&w, a->name, true);
    else if (a->n_values == 1)
      str(&w, a->name, a->values[0]);
    else
      names(&w, a->name, a->values, a->n_values);
  }
  end(&w, '}');
  begin(&w, "results", '{');
  for (size_t i = 0; i < c->n_results; i++)
    num(&w, c->results[i].name, c->results[i].value);
  end(&w, '}');
  begin(&w, "units", '{');
  for (size_t i = 0; i < c->n_results; i++)
    str(&w, c->results[i].name, c->results[i].unit);
  end(&w, '}');
  begin(&w, "steps", '[');
  const step_list *l = &c->working->totals;
  for (size_t i = 0; i < l->n; i++) {
    const step *st = &l->items[i];
    begin(&w, NULL, '{');
    str(&w, "label", st->label);
    str(&w, "formula", st->formula);
    str(&w, "numbers", st->text);
    str(&w, "result", st->result);
    end(&w, '}');
  }
  end(&w, ']');
  member(&w, "notes");
  capplan_buf_putc(w.out, '[');
  for (size_t i = 0; i < c->working->notes.n; i++) {
    if (i)
      capplan_buf_puts(w.out, ", ");
    string(w.out, c->working->notes.items[i].text);
  }
  capplan_buf_putc(w.out, ']');
  finish(&w);
}

/* One catalog entry: its figures in base units with the text, unit and
 * source of each, the fields no public source gives, and its sources. */
static void catalog_entry_json(jw *w, enum cat_kind kind, const cat_entry *e) {
  begin(w, NULL, '{');
  str(w, "name", e->name);
  str(w, "description", e->description);
  if (kind == CAT_INSTANCE) {
    str(w, "provider", e->provider);
    str(w, "region", e->region);
    str(w, "accelerator", e->accelerator);
  }
  size_t nf = cat_n_fields(kind);
  const char **gaps = xcalloc(nf + 1, sizeof *gaps);
  size_t n_gaps = 0;
  begin(w, "fields", '{');
  for (size_t i = 0; i < nf; i++) {
    const cat_field *f = &e->f[i];
    if ((e->not_published >> i) & 1)
      gaps[n_gaps++] = cat_field_key(kind, i);
    if (!f->set)
      continue;
    begin(w, cat_field_key(kind, i), '{');
    num(w, "value", f->v);
    str(w, "unit", cat_field_unit(kind, i));
    str(w, "as_written", f->text);
    if (f->source >= 0)
      num(w, "source", (double)f->source);
    else
      null(w, "source");
    char where[512];
    snprintf(where, sizeof where, "%s:%d", f->file ? f->file : "", f->loc.line);
    str(w, "written_at", where);
    end(w, '}');
  }
  end(w, '}');
  names(w, "not_published", gaps, n_gaps);
  free(gaps);
  begin(w, "sources", '[');
  for (size_t k = 0; k < e->n_sources; k++) {
    begin(w, NULL, '{');
    str(w, "url", e->sources[k].url);
    str(w, "read", e->sources[k].read);
    str(w, "note", e->sources[k].note);
    end(w, '}');
  }
  end(w, ']');
  end(w, '}');
}

void render_json_catalog(const capplan_catalog *c, enum cat_kind kind,
                         const cat_entry *e, capplan_buf *out) {
  jw w;
  head(&w, out);
  str(&w, "kind", "catalog");
  str(&w, "catalog", cat_kind_name(kind, true));
  begin(&w, "entries", '[');
  for (size_t i = 0; i < c->n[kind]; i++)
    if (!e || &c->e[kind][i] == e)
      catalog_entry_json(&w, kind, &c->e[kind][i]);
  end(&w, ']');
  finish(&w);
}

/* The workloads (workload.h): each figure's low, typical and high in base
 * units and as written, with its source; sources are pages or seeds. */
static void workload_json(jw *w, const wl_entry *e) {
  begin(w, NULL, '{');
  str(w, "name", e->name);
  str(w, "description", e->description);
  str(w, "hardware", e->hardware);
  str(w, "per", e->per);
  begin(w, "fields", '{');
  static const char *const pts[WL_POINTS] = {"low", "typical", "high"};
  for (size_t i = 0; i < WL_FIELDS; i++) {
    const wl_range *r = &e->f[i];
    if (!r->set)
      continue;
    begin(w, workload_field_key(i), '{');
    for (size_t p = 0; p < WL_POINTS; p++)
      if (r->has[p])
        num(w, pts[p], r->v[p]);
      else
        null(w, pts[p]);
    str(w, "unit", i == WL_LATENCY ? "s" : "1/s");
    begin(w, "as_written", '{');
    for (size_t p = 0; p < WL_POINTS; p++)
      if (r->has[p])
        str(w, pts[p], r->text[p]);
    end(w, '}');
    if (r->source >= 0)
      num(w, "source", (double)r->source);
    else
      null(w, "source");
    char where[512];
    snprintf(where, sizeof where, "%s:%d", r->file ? r->file : "", r->loc.line);
    str(w, "written_at", where);
    end(w, '}');
  }
  end(w, '}');
  const wl_range *server = workload_server_range(e);
  if (server) {
    char text[256];
    workload_range_text(server, text, sizeof text);
    str(w, "qps_per_server_as_spec", text);
  }
  begin(w, "sources", '[');
  for (size_t k = 0; k < e->n_sources; k++) {
    const wl_source *s = &e->sources[k];
    begin(w, NULL, '{');
    if (s->seed) {
      str(w, "seed", s->seed);
      str(w, "section", s->section);
    } else {
      str(w, "url", s->url);
      str(w, "read", s->read);
    }
    str(w, "note", s->note);
    end(w, '}');
  }
  end(w, ']');
  end(w, '}');
}

void render_json_workloads(const capplan_catalog *c, const wl_entry *e,
                           capplan_buf *out) {
  jw w;
  head(&w, out);
  str(&w, "kind", "catalog");
  str(&w, "catalog", "workloads");
  begin(&w, "entries", '[');
  size_t n;
  const wl_entry *list = workload_list(c, &n);
  for (size_t i = 0; i < n; i++)
    if (!e || &list[i] == e)
      workload_json(&w, &list[i]);
  end(&w, ']');
  finish(&w);
}

/* The seed's server types (catalog.c): each figure in base units, all
 * from one source, seed 004's table of server configurations. */
void render_json_hardware(const hw_entry *only, capplan_buf *out) {
  jw w;
  head(&w, out);
  str(&w, "kind", "catalog");
  str(&w, "catalog", "hardware");
  str(&w, "default", CATALOG_DEFAULT_HARDWARE);
  begin(&w, "entries", '[');
  size_t n;
  const hw_entry *hw = catalog_hardware(&n);
  static const char *const keys[] = {"cores", "memory", "gpus", "gpu_memory",
                                     "cost_per_year"};
  static const char *const units[] = {"1", "bytes", "1", "bytes", "USD/year"};
  for (size_t i = 0; i < n; i++) {
    if (only && &hw[i] != only)
      continue;
    const double v[] = {hw[i].cores, hw[i].memory, hw[i].gpus, hw[i].gpu_memory,
                        hw[i].cost_per_year};
    begin(&w, NULL, '{');
    str(&w, "name", hw[i].name);
    str(&w, "description", hw[i].description);
    begin(&w, "fields", '{');
    for (size_t k = 0; k < ARRAY_LEN(keys); k++) {
      begin(&w, keys[k], '{');
      num(&w, "value", v[k]);
      str(&w, "unit", units[k]);
      end(&w, '}');
    }
    end(&w, '}');
    begin(&w, "sources", '[');
    begin(&w, NULL, '{');
    str(&w, "seed", "004");
    str(&w, "section", "Typical Numbers Cheatsheet, 1. Server Configurations");
    str(&w, "note", "the interview notes capplan began from");
    end(&w, '}');
    end(&w, ']');
    end(&w, '}');
  }
  end(&w, ']');
  finish(&w);
}

/* ------------------------------------------------- sweep and forecast */

/* The figures, checks and status of one row of a sweep or a forecast,
 * into the object open in W (which holds its inputs or its month). */
static void row_json(jw *w, const wrow *rw, const char *const *checks,
                     size_t n_checks) {
  flag(w, "evaluated", rw->evaluated);
  num(w, "qps", rw->traffic);
  for (size_t f = 0; f < RF_COUNT; f++) {
    if (rw->evaluated && rw->fig[f] != ROW_UNKNOWN)
      num(w, ROW_FIGS[f].key, rw->fig[f]);
    else
      null(w, ROW_FIGS[f].key);
  }
  flag(w, "overloaded", rw->overloaded);
  begin(w, "checks", '[');
  for (size_t c = 0; c < n_checks; c++) {
    begin(w, NULL, '{');
    str(w, "name", checks[c]);
    flag(w, "passed", rw->check_passed[c]);
    end(w, '}');
  }
  end(w, ']');
  flag(w, "passed", rw->evaluated && rw->checks_failed == 0);
}

static void whatif_head(jw *w, capplan_buf *out, const capplan_report *r,
                        const char *kind) {
  head(w, out);
  str(w, "kind", kind);
  begin(w, "spec", '{');
  str(w, "name", r->model->name);
  str(w, "path", r->model->path);
  end(w, '}');
}

void render_json_sweep(const void *subject, const capplan_render_opts *opts,
                       capplan_buf *out) {
  (void)opts;
  const capplan_sweep *s = subject;
  jw w;
  whatif_head(&w, out, s->r, "sweep");
  begin(&w, "inputs", '[');
  for (size_t k = 0; k < s->n_axes; k++) {
    const sweep_axis *ax = &s->axis[k];
    begin(&w, NULL, '{');
    str(&w, "path", ax->in->path);
    num(&w, "from", ax->from);
    num(&w, "to", ax->to);
    num(&w, "steps", (double)ax->steps);
    flag(&w, "log", ax->log);
    num(&w, "spec_value", ax->in->point);
    end(&w, '}');
  }
  end(&w, ']');
  begin(&w, "points", '[');
  for (size_t k = 0; k < s->n_rows; k++) {
    const wrow *rw = &s->rows[k];
    begin(&w, NULL, '{');
    begin(&w, "inputs", '{');
    num(&w, s->axis[0].in->path, rw->x[0]);
    if (s->n_axes > 1)
      num(&w, s->axis[1].in->path, rw->x[1]);
    end(&w, '}');
    row_json(&w, rw, s->check_names, s->n_checks);
    end(&w, '}');
  }
  end(&w, ']');
  if (s->has_find) {
    const sweep_find *f = &s->find;
    begin(&w, "find", '{');
    str(&w, "condition", f->text);
    str(&w, "figure", ROW_FIGS[f->fig].key);
    str(&w, "comparison", f->upper ? "<=" : ">=");
    num(&w, "limit", f->limit);
    str(&w, "input", s->axis[0].in->path);
    begin(&w, "results", '[');
    for (size_t j = 0; j < s->n_find; j++) {
      begin(&w, NULL, '{');
      if (s->n_axes > 1)
        num(&w, s->axis[1].in->path, f->second[j]);
      flag(&w, "found", f->found[j]);
      if (f->found[j]) {
        num(&w, "value", f->value[j]);
        num(&w, "figure", f->at[j]);
        flag(&w, "whole_range", f->whole[j]);
        flag(&w, "monotone", !f->not_monotone[j]);
      } else {
        null(&w, "value");
      }
      end(&w, '}');
    }
    end(&w, ']');
    end(&w, '}');
  }
  flag(&w, "passed", capplan_sweep_passed(s));
  finish(&w);
}

void render_json_forecast(const void *subject, const capplan_render_opts *opts,
                          capplan_buf *out) {
  (void)opts;
  const capplan_forecast *f = subject;
  jw w;
  whatif_head(&w, out, f->r, "forecast");
  num(&w, "growth_per_month", f->growth);
  num(&w, "months", (double)(f->n_rows - 1));
  begin(&w, "rows", '[');
  for (size_t k = 0; k < f->n_rows; k++) {
    begin(&w, NULL, '{');
    num(&w, "month", f->rows[k].x[0]);
    row_json(&w, &f->rows[k], f->check_names, f->n_checks);
    end(&w, '}');
  }
  end(&w, ']');
  begin(&w, "first_failure", '[');
  for (size_t c = 0; c < f->n_checks; c++) {
    begin(&w, NULL, '{');
    str(&w, "name", f->check_names[c]);
    if (f->first_fail[c] == FORECAST_NEVER)
      null(&w, "month");
    else
      num(&w, "month", (double)f->first_fail[c]);
    end(&w, '}');
  }
  end(&w, ']');
  flag(&w, "passed", capplan_forecast_passed(f));
  finish(&w);
}

/*
 * graph.c - the picture of a plan (graph.h): nodes, edges, clusters and
 * their labels, built from a report for every graph renderer and the
 * HTML report.  It formats the plan's figures and computes none, except
 * how a join's load splits over its incoming edges (below).
 */
#include "graph.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "render.h"
#include "util.h"

#define DOT "\xc2\xb7" /* the middle dot between parts of a label */

char *graph_short_rate(double v, char *buf, size_t size) {
  static const char suffix[] = "KMBT";
  double a = fabs(v);
  if (a < 1000 || !isfinite(v))
    return fmt_rate(v, buf, size);
  int k = -1;
  while (a >= 999.5 && k < 3) {
    a /= 1000;
    v /= 1000;
    k++;
  }
  char num[FMT_SIZE];
  /* Three significant digits, trailing zeros dropped: 1.23M, 30K. */
  int dec = a >= 99.95 ? 0 : a >= 9.995 ? 1 : 2;
  fmt_number(v, dec, num, sizeof num);
  snprintf(buf, size, "%s%c", num, suffix[k]);
  return buf;
}

/* Appends a formatted line to L (cut at GRAPH_LINE bytes, on a UTF-8
 * boundary). */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
add_line(glabel *l, const char *fmt, ...) {
  if (l->n >= GRAPH_MAX_LINES)
    return;
  va_list ap;
  va_start(ap, fmt);
  capplan_buf b;
  capplan_buf_init(&b);
  capplan_buf_vprintf(&b, fmt, ap);
  va_end(ap);
  size_t n = b.len < GRAPH_LINE - 1 ? b.len : GRAPH_LINE - 1;
  while (n > 0 && n < b.len && ((unsigned char)b.data[n] & 0xC0) == 0x80)
    n--;
  memcpy(l->line[l->n], b.data ? b.data : "", n);
  l->line[l->n][n] = '\0';
  l->n++;
  capplan_buf_release(&b);
}

/* "a100 · 200 servers · 200 GPUs · by memory". */
static void pool_line(glabel *l, const char *hw, const pool_plan *pp) {
  char s[FMT_SIZE], gp[FMT_SIZE], gpus[2 * FMT_SIZE] = "", by[64] = "";
  fmt_count(pp->servers, s, sizeof s);
  if (pp->gpus > 0)
    snprintf(gpus, sizeof gpus, " " DOT " %s GPU%s",
             fmt_count(pp->gpus, gp, sizeof gp), pp->gpus == 1 ? "" : "s");
  if (pp->binding != CON_THROUGHPUT)
    snprintf(by, sizeof by, " " DOT " by %s", constraint_name(pp->binding));
  add_line(l, "%s " DOT " %s server%s%s%s", hw, s, pp->servers == 1 ? "" : "s",
           gpus, by);
}

static void stage_label(const capplan_report *r, size_t i, glabel *l) {
  const capplan_model *m = r->model;
  const mstage *ms = &m->stage[i];
  const stage_plan *s = &r->plan->stage[i];
  char q[FMT_SIZE], t[FMT_SIZE], e[FMT_SIZE];
  add_line(l, "%s", ms->name);
  if (ms->group >= 0)
    add_line(l, "uses %s of the group's servers",
             fmt_raw(s->equivalents, e, sizeof e));
  else
    pool_line(l, render_stage_hw(m, i), &s->pool);
  fmt_rate(s->load, q, sizeof q);
  fmt_ms(s->latency, t, sizeof t);
  if (ms->standby)
    add_line(l, "standby: %s QPS " DOT " %s", q, t);
  else if (ms->async)
    add_line(l, "async " DOT " %s QPS " DOT " %s", q, t);
  else
    add_line(l, "%s QPS " DOT " %s", q, t);
  if (s->status == PLAN_OVERLOADED || s->status == PLAN_UNMET)
    add_line(l, "status: %s", plan_status_name(s->status));
}

static void cache_label(const capplan_report *r, size_t i, glabel *l) {
  const capplan_model *m = r->model;
  const mstage *ms = &m->stage[i];
  const stage_plan *s = &r->plan->stage[i];
  char h[FMT_SIZE], t[FMT_SIZE];
  add_line(l, "%s.cache", ms->name);
  pool_line(l, m->hw[ms->cache_hw].name, s->cache.pool);
  add_line(
      l, "hit %s " DOT " %s",
      fmt_percent(r->p->stage[i].cache_hit, h, sizeof h),
      fmt_ms(r->p->cache[r->model->stage[i].cache_at].latency, t, sizeof t));
}

static size_t add_node(graph *g, size_t *cap, enum gnode_kind kind,
                       size_t stage) {
  xgrow((void **)&g->node, cap, g->n_nodes + 1, sizeof(gnode));
  gnode *n = &g->node[g->n_nodes];
  memset(n, 0, sizeof *n);
  n->kind = kind;
  n->stage = stage;
  n->group = -1;
  return g->n_nodes++;
}

static void add_edge(graph *g, size_t *cap, size_t from, size_t to, double qps,
                     unsigned flags) {
  xgrow((void **)&g->edge, cap, g->n_edges + 1, sizeof(gedge));
  gedge *e = &g->edge[g->n_edges++];
  memset(e, 0, sizeof *e);
  e->from = from;
  e->to = to;
  e->qps = qps;
  e->flags = flags;
  if (flags & GE_FALLBACK) {
    snprintf(e->label, sizeof e->label, "fallback");
  } else if (qps >= 0) {
    char q[FMT_SIZE];
    snprintf(e->label, sizeof e->label, "%s QPS",
             graph_short_rate(qps, q, sizeof q));
  }
}

graph *graph_build(const capplan_report *r) {
  const capplan_model *m = r->model;
  const plan *pl = r->plan;
  graph *g = xcalloc(1, sizeof *g);
  g->report = r;
  size_t ncap = 0, ecap = 0;
  size_t n = m->n_stages;
  size_t *stage_node = xcalloc(n + 1, sizeof(size_t));
  size_t *cache_node = xcalloc(n + 1, sizeof(size_t));
  /* Position on the critical path plus one; 0: not on it. */
  size_t *crit = xcalloc(n + 1, sizeof(size_t));
  for (size_t k = 0; k < pl->n_critical; k++)
    crit[pl->critical[k]] = k + 1;

  char b[4][FMT_SIZE];
  size_t traffic = add_node(g, &ncap, GN_TRAFFIC, 0);
  add_line(&g->node[traffic].label, "traffic");
  add_line(&g->node[traffic].label, "%s QPS at peak",
           fmt_rate(pl->qps, b[0], FMT_SIZE));
  g->node[traffic].critical = pl->n_critical > 0;

  for (size_t i = 0; i < n; i++) {
    const mstage *ms = &m->stage[i];
    const stage_plan *s = &pl->stage[i];
    if (ms->has_cache) {
      cache_node[i] = add_node(g, &ncap, GN_CACHE, i);
      gnode *c = &g->node[cache_node[i]];
      c->critical = crit[i] > 0;
      c->async = ms->async;
      c->problem = s->cache.pool->utilization >= 1;
      cache_label(r, i, &c->label);
    }
    stage_node[i] = add_node(g, &ncap, GN_STAGE, i);
    gnode *sn = &g->node[stage_node[i]];
    sn->group = ms->group;
    sn->critical = crit[i] > 0;
    sn->async = ms->async;
    sn->standby = ms->standby;
    sn->problem = s->status == PLAN_OVERLOADED || s->status == PLAN_UNMET;
    stage_label(r, i, &sn->label);
  }

  /* Flows, in topological order so that edges come out in a stable,
   * readable order.  An edge carries the calls its target receives
   * through it: the target's invocations (its cache tier's lookups when
   * it has one).  A join on 'all' waits for every input, so each edge
   * carries all of them; a join on 'any' takes each input's requests, so
   * its invocations split in proportion to the inputs' outflows (the
   * sum in eval.c's flow step). */
  for (size_t k = 0; k < n; k++) {
    size_t i = m->order[k];
    const mstage *ms = &m->stage[i];
    const stage_plan *s = &pl->stage[i];
    if (ms->standby)
      continue;
    size_t target = ms->has_cache ? cache_node[i] : stage_node[i];
    double total = ms->has_cache ? s->cache_load : s->load;
    unsigned async = ms->async ? GE_ASYNC : 0;
    if (ms->n_parents == 0) {
      unsigned c = crit[i] == 1 ? GE_CRITICAL : 0;
      add_edge(g, &ecap, traffic, target, total, async | c);
    }
    double sum = 0;
    for (size_t q = 0; q < ms->n_parents; q++)
      sum += pl->stage[ms->parents[q]].outflow;
    for (size_t q = 0; q < ms->n_parents; q++) {
      size_t u = ms->parents[q];
      double qps = total;
      if (ms->join_any)
        qps = sum > 0 ? total * pl->stage[u].outflow / sum : 0;
      unsigned c =
          crit[i] && crit[u] && crit[u] + 1 == crit[i] ? GE_CRITICAL : 0;
      add_edge(g, &ecap, stage_node[u], target, qps, async | c);
    }
    if (ms->has_cache)
      add_edge(g, &ecap, cache_node[i], stage_node[i], s->load,
               async | (crit[i] ? GE_CRITICAL : 0));
  }
  for (size_t i = 0; i < n; i++)
    if (m->stage[i].fallback >= 0)
      add_edge(g, &ecap, stage_node[i],
               stage_node[(size_t)m->stage[i].fallback], -1, GE_FALLBACK);

  g->n_clusters = m->n_groups;
  g->cluster = xcalloc(m->n_groups + 1, sizeof(gcluster));
  for (size_t c = 0; c < m->n_groups; c++) {
    gcluster *cl = &g->cluster[c];
    cl->group = c;
    add_line(&cl->label, "group %s", m->group[c].name);
    pool_line(&cl->label, m->hw[m->group[c].hw].name, &pl->group[c].pool);
  }

  snprintf(g->title, sizeof g->title, "%s", m->name ? m->name : "");
  snprintf(
      g->subtitle, sizeof g->subtitle,
      "%s/year " DOT " %s servers " DOT " %s GPUs " DOT " %s critical path",
      fmt_money(pl->cost_per_year, b[0], FMT_SIZE),
      fmt_count(pl->servers, b[1], FMT_SIZE),
      fmt_count(pl->gpus, b[2], FMT_SIZE), fmt_ms(pl->latency, b[3], FMT_SIZE));
  free(stage_node);
  free(cache_node);
  free(crit);
  return g;
}

void graph_free(graph *g) {
  if (!g)
    return;
  free(g->node);
  free(g->edge);
  free(g->cluster);
  free(g);
}

void xml_puts(capplan_buf *out, const char *s) {
  size_t n = s ? strlen(s) : 0, i = 0;
  while (i < n) {
    size_t plain = text_plain_prefix(s + i, n - i, 0);
    size_t start = i;
    for (size_t k = i; k < i + plain; k++) {
      const char *ent = s[k] == '&'    ? "&amp;"
                        : s[k] == '<'  ? "&lt;"
                        : s[k] == '>'  ? "&gt;"
                        : s[k] == '"'  ? "&quot;"
                        : s[k] == '\'' ? "&#39;"
                                       : NULL;
      if (!ent)
        continue;
      capplan_buf_put(out, s + start, k - start);
      capplan_buf_puts(out, ent);
      start = k + 1;
    }
    capplan_buf_put(out, s + start, i + plain - start);
    i += plain;
    if (i < n)
      i += text_escape_one(out, s + i, n - i);
  }
}

/* Advance widths of DejaVu Sans, in 1/2048 em, for ' ' to '~'. */
static const unsigned short glyph_width[95] = {
    651,  821,  942,  1716, 1303, 1946, 1597, 563,  799,  799,  1024, 1716,
    651,  739,  651,  690,  1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303,
    1303, 1303, 690,  690,  1716, 1716, 1716, 1087, 2048, 1401, 1405, 1430,
    1577, 1294, 1178, 1587, 1540, 604,  604,  1343, 1141, 1767, 1532, 1612,
    1235, 1612, 1423, 1300, 1251, 1499, 1401, 2025, 1403, 1251, 1403, 799,
    690,  799,  1716, 1024, 1024, 1255, 1300, 1126, 1300, 1260, 721,  1300,
    1298, 569,  569,  1186, 569,  1995, 1298, 1253, 1300, 1300, 842,  1067,
    803,  1298, 1212, 1675, 1212, 1212, 1075, 1303, 690,  1303, 1716};

double graph_text_width(const char *s, double size, bool bold) {
  double units = 0;
  size_t n = s ? strlen(s) : 0;
  for (size_t i = 0; i < n;) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c < 0x7f) {
      units += glyph_width[c - 0x20];
      i++;
      continue;
    }
    /* One character of any other kind: the middle dot is narrow, the
     * rest are taken as one em (escapes of control bytes are four ASCII
     * characters, about an em and a half). */
    size_t len = 1;
    while (i + len < n && ((unsigned char)s[i + len] & 0xC0) == 0x80)
      len++;
    units += c == 0xc2 && len == 2 && (unsigned char)s[i + 1] == 0xb7 ? 651
             : c < 0x80                                               ? 3000
                                                                      : 2048;
    i += len;
  }
  return units / 2048.0 * size * (bold ? 1.1 : 1.0);
}

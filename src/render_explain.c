/*
 * render_explain.c - 'capplan explain': every figure of the report with
 * the working that produced it.
 *
 * Each stage follows the order of seed 004's "Interview-Ready Template":
 * where its load comes from, the throughput of one server with the numbers
 * put in, raw servers, utilization, headroom, the one ceiling, redundancy,
 * GPUs, cost with the period converted, latency, availability.  Then the
 * groups, the totals, the checks and the critical path.  Every figure is
 * the report's, formatted by the same rules as the table (format.h), so
 * explain and estimate cannot disagree; values are quoted as the spec
 * wrote them where that helps ("qps_per_server: 1K").  Text fits 80
 * columns; markdown puts each stage in a two-column table.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "format.h"
#include "graph.h"
#include "render.h"

#define WIDTH 80
#define LABEL 16 /* two spaces, "critical path", and a space */

typedef struct ex {
  const capplan_graph *g;
  const capplan_report *r;
  bool md;
  capplan_buf *out;
  size_t *rank;               /* report index of each graph node */
  size_t *best, *len, *fifth; /* slowest paths (slowest_paths) */
} ex;

/* Formats FMT into T with the spec's text in it (names, values as
 * written) escaped; T is never left NULL. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 0)))
#endif
static void
safe_vprintf(capplan_buf *t, const char *fmt, va_list ap) {
  capplan_buf raw;
  capplan_buf_init(&raw);
  capplan_buf_vprintf(&raw, fmt, ap);
  text_escape(t, raw.data ? raw.data : "", raw.len, 0);
  capplan_buf_release(&raw);
  if (!t->data)
    capplan_buf_puts(t, "");
}

/* Appends one step: LABEL, then TEXT wrapped at spaces to fit 80
 * columns, continuation lines indented under the text.  In markdown, a
 * table row. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void
step(ex *x, const char *label, const char *fmt, ...) {
  capplan_buf t;
  capplan_buf_init(&t);
  va_list ap;
  va_start(ap, fmt);
  safe_vprintf(&t, fmt, ap);
  va_end(ap);
  const char *s = t.data;
  if (x->md) {
    capplan_buf_printf(x->out, "| %s | ", label);
    for (; *s; s++) {
      if (*s == '|') /* would end the cell */
        capplan_buf_putc(x->out, '\\');
      capplan_buf_putc(x->out, *s);
    }
    capplan_buf_puts(x->out, " |\n");
    capplan_buf_release(&t);
    return;
  }
  size_t room = WIDTH - LABEL;
  bool first = true;
  while (*s) {
    size_t len = strlen(s);
    size_t take = len;
    if (utf8_width(s, len) > room) {
      /* The last space that keeps the line within the room. */
      size_t best = 0, w = 0;
      for (size_t i = 0; i < len && w <= room; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80)
          w++;
        if (s[i] == ' ' && w <= room + 1)
          best = i;
      }
      take = best ? best : len;
    }
    capplan_buf_printf(x->out, "  %-*s %.*s\n", LABEL - 3, first ? label : "",
                       (int)take, s);
    s += take;
    while (*s == ' ')
      s++;
    first = false;
  }
  capplan_buf_release(&t);
}

static void heading(ex *x, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void heading(ex *x, const char *fmt, ...) {
  capplan_buf t;
  capplan_buf_init(&t);
  va_list ap;
  va_start(ap, fmt);
  safe_vprintf(&t, fmt, ap);
  va_end(ap);
  if (x->md)
    capplan_buf_printf(x->out, "\n### %s\n\n| step | working |\n|:--|:--|\n",
                       t.data);
  else
    capplan_buf_printf(x->out, "\n== %s ==\n", t.data);
  capplan_buf_release(&t);
}

/* The one-line result that closes a section (tests compare it with the
 * JSON report). */
static void result(ex *x, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void result(ex *x, const char *fmt, ...) {
  capplan_buf t;
  capplan_buf_init(&t);
  va_list ap;
  va_start(ap, fmt);
  safe_vprintf(&t, fmt, ap);
  va_end(ap);
  if (x->md)
    capplan_buf_printf(x->out, "\n**=> %s**\n", t.data);
  else
    capplan_buf_printf(x->out, "  => %s\n", t.data);
  capplan_buf_release(&t);
}

static const char *plural(double n) {
  return n == 1 ? "" : "s";
}

/* A money figure per year, and how the spec's own period converts:
 * "$17,520/year ($2/hour x 8,760 h)". */
static void hw_cost(const ghw *hw, char *buf, size_t size) {
  char m[FMT_SIZE];
  fmt_money(hw->cost_per_year, m, sizeof m);
  const char *t = hw->cost_text;
  if (!t) {
    snprintf(buf, size, "%s/year (%s, catalog)", m, hw->name);
    return;
  }
  const char *per = strchr(t, '/');
  const char *how = "";
  if (per &&
      (!strcmp(per, "/hour") || !strcmp(per, "/h") || !strcmp(per, "/hr")))
    how = " x 8,760 h";
  else if (per && (!strcmp(per, "/month") || !strcmp(per, "/mo")))
    how = " x 12 months (730 h each)";
  else if (per && (!strcmp(per, "/day") || !strcmp(per, "/d")))
    how = " x 365 days";
  if (*how)
    snprintf(buf, size, "%s/year (%s: %s%s)", m, hw->name, t, how);
  else
    snprintf(buf, size, "%s/year (%s: %s)", m, hw->name, t);
}

/* The slowest path from an entry stage to the end of node I, as "a 20 +
 * b 20 = 40 ms", its first and last five stages past 12.  The path
 * follows best[], so each call costs at most a dozen steps however long
 * the path (a 100,000-stage chain explains in linear time). */
static void path_to(ex *x, size_t i, capplan_buf *out) {
  size_t n = x->len[i], show[12], k = 0;
  if (n > 12) {
    for (size_t v = x->fifth[i], m = 0; m < 5; m++, v = x->best[v])
      show[4 - m] = v; /* the first five, from the entry */
    k = 5;
  }
  size_t tail = n > 12 ? 5 : n;
  for (size_t v = i, m = 0; m < tail; m++, v = x->best[v])
    show[k + tail - 1 - m] = v;
  k += tail;
  char b[FMT_SIZE];
  for (size_t m = 0; m < k; m++) {
    if (n > 12 && m == 5)
      capplan_buf_printf(out, " + ... (%s stages) ...",
                         fmt_count((double)(n - 10), b, sizeof b));
    const capplan_stage_result *s = &x->r->stages[x->rank[show[m]]];
    fmt_number(s->latency * 1000, 3, b, sizeof b);
    capplan_buf_printf(out, "%s%s %s", m ? " + " : "", s->name, b);
  }
}

/* For every node, in topological order: the upstream on its slowest path
 * (the first listed wins ties, as in the estimator's critical path), the
 * path's length in stages, and its fifth stage from the entry. */
static void slowest_paths(ex *x) {
  const capplan_graph *g = x->g;
  for (size_t k = 0; k < g->n; k++) {
    size_t i = g->order[k];
    const gnode *nd = &g->nodes[i];
    if (!nd->n_parents) {
      x->best[i] = i;
      x->len[i] = 1;
      x->fifth[i] = i; /* unused until the path has five stages */
      continue;
    }
    size_t best = nd->parents[0];
    for (size_t p = 1; p < nd->n_parents; p++)
      if (x->r->stages[x->rank[nd->parents[p]]].latency_to >
          x->r->stages[x->rank[best]].latency_to)
        best = nd->parents[p];
    x->best[i] = best;
    x->len[i] = x->len[best] + 1;
    x->fifth[i] = x->len[i] == 5 ? i : x->fifth[best];
  }
}

/* Where the stage's requests come from: its flow per entry request. */
static void flow(ex *x, const gnode *nd, const capplan_stage_result *s) {
  char b[6][FMT_SIZE];
  capplan_buf t;
  capplan_buf_init(&t);
  if (nd->standby) {
    capplan_buf_printf(&t,
                       "fallback for the stages that name it: their "
                       "largest flow, %s per entry request",
                       fmt_number(s->inflow, 6, b[0], FMT_SIZE));
  } else if (!nd->n_parents) {
    capplan_buf_printf(&t, "entry stage: each request enters here (flow 1)");
  } else if (nd->n_parents == 1) {
    const capplan_stage_result *up = &x->r->stages[x->rank[nd->parents[0]]];
    capplan_buf_printf(&t, "after %s, which passes on %s per entry request",
                       up->name, fmt_number(up->outflow, 6, b[0], FMT_SIZE));
  } else {
    capplan_buf_printf(&t, "%s of ", nd->join_any ? "sum" : "largest");
    size_t shown = nd->n_parents > 8 ? 8 : nd->n_parents;
    for (size_t p = 0; p < shown; p++) {
      const capplan_stage_result *up = &x->r->stages[x->rank[nd->parents[p]]];
      capplan_buf_printf(&t, "%s%s %s", p ? ", " : "", up->name,
                         fmt_number(up->outflow, 6, b[0], FMT_SIZE));
    }
    if (shown < nd->n_parents)
      capplan_buf_printf(&t, " and %zu more", nd->n_parents - shown);
    double in = s->share > 0 ? s->inflow / s->share : 0;
    capplan_buf_printf(&t, " (join: %s) = %s",
                       nd->join_any ? "any, paths merge"
                                    : "all, waits for "
                                      "each",
                       fmt_number(in, 6, b[1], FMT_SIZE));
  }
  step(x, "flow", "%s", t.data);
  capplan_buf_release(&t);
  double in = nd->n_parents && s->share > 0 ? s->inflow / s->share
              : nd->standby                 ? s->inflow
                                            : 1;
  step(x, "load",
       "%s QPS x %s flow x %s share x %s call%s x (1 - %s cache hit) = %s QPS",
       fmt_rate(x->r->qps, b[0], FMT_SIZE), fmt_number(in, 6, b[1], FMT_SIZE),
       fmt_percent(nd->standby ? 1 : s->share, b[2], FMT_SIZE),
       fmt_number(s->calls, 6, b[3], FMT_SIZE), s->calls == 1 ? "" : "s",
       fmt_percent(s->cache_hit, b[4], FMT_SIZE),
       fmt_rate(s->qps, b[5], FMT_SIZE));
  if (s->stops > 0)
    step(x, "stops", "answers %s itself: passes on %s x (1 - %s) = %s",
         fmt_percent(s->stops, b[0], FMT_SIZE),
         fmt_number(s->inflow, 6, b[1], FMT_SIZE),
         fmt_percent(s->stops, b[2], FMT_SIZE),
         fmt_number(s->outflow, 6, b[3], FMT_SIZE));
}

static void throughput(ex *x, const gnode *nd, const capplan_stage_result *s) {
  char b[5][FMT_SIZE];
  const spec_stage *st = nd->st;
  if (s->tp_source == CAPPLAN_TP_QPS_PER_SERVER) {
    step(x, "throughput",
         "qps_per_server: %s given, %s QPS per server at 100%% utilization",
         st->qps_per_server.text, fmt_rate(s->qps_per_server, b[0], FMT_SIZE));
    return;
  }
  double lo, per, hi;
  if (st->bound.s && catalog_bound_range(st->bound.s, &lo, &per, &hi))
    step(x, "parallelism",
         "%s cores x %s per core (%s-bound; seed 004: %g-%gx for 16 cores, "
         "%gx used) = %s",
         fmt_count(nd->hw->cores, b[0], FMT_SIZE),
         fmt_number(per, 4, b[1], FMT_SIZE), st->bound.s, lo * 16, hi * 16,
         per * 16, fmt_number(s->parallelism, 4, b[2], FMT_SIZE));
  step(x, "throughput",
       "batch / latency x parallelism = %s / %s x %s = %s QPS per server",
       fmt_number(s->batch, 0, b[0], FMT_SIZE),
       fmt_ms(s->latency, b[1], FMT_SIZE),
       fmt_number(s->parallelism, 4, b[2], FMT_SIZE),
       fmt_rate(s->qps_per_server, b[3], FMT_SIZE));
  if (s->batch == 1)
    step(x, "",
         "(one request per pass: the items a request scores "
         "together do not count as requests)");
}

/* Sizing from RAW fractional servers: headroom, ceiling, zones, spares. */
static void sizing(ex *x, double raw, double headroom, double redundancy,
                   double zones, bool survive, double zone_extra,
                   double servers) {
  char b[4][FMT_SIZE];
  double with = raw * (1 + headroom);
  double n = servers - redundancy - zone_extra;
  step(x, "headroom", "%s x (1 + %s) = %s", fmt_raw(raw, b[0], FMT_SIZE),
       fmt_percent(headroom, b[1], FMT_SIZE), fmt_raw(with, b[2], FMT_SIZE));
  char arg[2 * FMT_SIZE];
  if (with > 0 && capplan_ceil(with) < 1)
    step(x, "ceiling", "ceil(%s) = 0, but a load needs a server: 1",
         fmt_ceil_arg(with, fmt_number(with, 6, b[0], FMT_SIZE), arg,
                      sizeof arg));
  else
    step(x, "ceiling", "ceil(%s) = %s (one ceiling, at the end)",
         fmt_ceil_arg(with, fmt_number(with, 2, b[0], FMT_SIZE), arg,
                      sizeof arg),
         fmt_count(n, b[1], FMT_SIZE));
  if (survive && zones > 1)
    step(x, "zones",
         "%g zones, survive losing one: ceil(%s x %g / %g) = %s (+%s)", zones,
         fmt_count(n, b[0], FMT_SIZE), zones, zones - 1,
         fmt_count(n + zone_extra, b[1], FMT_SIZE),
         fmt_count(zone_extra, b[2], FMT_SIZE));
  else if (zones > 1)
    step(x, "zones", "spread evenly over %g zones", zones);
  step(x, "redundancy", "%s + %s spare = %s server%s",
       fmt_count(n + zone_extra, b[0], FMT_SIZE),
       fmt_count(redundancy, b[1], FMT_SIZE),
       fmt_count(servers, b[2], FMT_SIZE), plural(servers));
}

static void money_steps(ex *x, const ghw *hw, double servers, double gpus,
                        double cost) {
  char b[3][FMT_SIZE], c[3 * FMT_SIZE];
  if (hw->gpus > 0)
    step(x, "GPUs", "%s server%s x %s GPU%s = %s GPU%s",
         fmt_count(servers, b[0], FMT_SIZE), plural(servers),
         fmt_count(hw->gpus, b[1], FMT_SIZE), plural(hw->gpus),
         fmt_count(gpus, b[2], FMT_SIZE), plural(gpus));
  else
    step(x, "GPUs", "none (%s has no GPU)", hw->name);
  hw_cost(hw, c, sizeof c);
  step(x, "cost", "%s x %s = %s/year", fmt_count(servers, b[0], FMT_SIZE), c,
       fmt_money(cost, b[1], FMT_SIZE));
}

static void availability_step(ex *x, double needed, double n, double server,
                              double up, double down) {
  char b[6][FMT_SIZE];
  if (needed == 0) {
    step(x, "availability", "no load, so never needed: 100%%");
    return;
  }
  step(x, "availability",
       "%s of %s server%s must be up, each %s: k-of-n %s (%s nines, down "
       "%s/year)",
       fmt_count(needed, b[0], FMT_SIZE), fmt_count(n, b[1], FMT_SIZE),
       plural(n), fmt_percent(server, b[2], FMT_SIZE),
       fmt_availability(up, down, b[3], FMT_SIZE),
       fmt_nines(down, b[4], FMT_SIZE),
       fmt_downtime(down * CAPPLAN_MINUTES_PER_YEAR, b[5], FMT_SIZE));
}

static void stage_section(ex *x, size_t i) {
  const gnode *nd = &x->g->nodes[i];
  const capplan_stage_result *s = &x->r->stages[x->rank[i]];
  char b[6][FMT_SIZE];
  heading(x, "%s (%s)", s->name, s->hardware);
  flow(x, nd, s);
  throughput(x, nd, s);
  if (s->group) {
    step(x, "servers",
         "%s / %s = %s server-equivalents at 100%%, sized "
         "with group %s",
         fmt_rate(s->qps, b[0], FMT_SIZE),
         fmt_rate(s->qps_per_server, b[1], FMT_SIZE),
         fmt_raw(s->servers_raw, b[2], FMT_SIZE), s->group);
  } else {
    step(x, "raw servers", "%s / (%s x %s utilization) = %s",
         fmt_rate(s->qps, b[0], FMT_SIZE),
         fmt_rate(s->qps_per_server, b[1], FMT_SIZE),
         fmt_percent(s->utilization, b[2], FMT_SIZE),
         fmt_raw(s->servers_raw, b[3], FMT_SIZE));
    sizing(x, s->servers_raw, s->headroom, s->redundancy, s->zones,
           s->survive_zone_loss, s->zone_extra, s->servers);
    money_steps(x, nd->hw, s->servers, s->gpus, s->cost_per_year);
  }
  capplan_buf lat;
  capplan_buf_init(&lat);
  if (nd->standby) {
    capplan_buf_printf(&lat, "%s, only while the stage it backs up is down",
                       fmt_ms(s->latency, b[0], FMT_SIZE));
  } else {
    capplan_buf_printf(&lat, "%s of its own; slowest path to its end: ",
                       fmt_ms(s->latency, b[0], FMT_SIZE));
    path_to(x, i, &lat);
    capplan_buf_printf(&lat, " = %s", fmt_ms(s->latency_to, b[1], FMT_SIZE));
  }
  if (nd->async)
    capplan_buf_printf(&lat, " (async: off the request path, no request "
                             "waits for it)");
  step(x, "latency", "%s", lat.data);
  capplan_buf_release(&lat);
  if (s->group) {
    step(x, "availability", "that of group %s, one pool", s->group);
  } else {
    availability_step(x, s->servers_needed, s->servers, s->server_availability,
                      s->availability, s->unavailability);
    if (s->async)
      step(x, "", "(async: its availability gates no request)");
    if (s->fallback)
      step(x, "fallback",
           "%s stands in while it is down: 1 - (1 - A)(1 - "
           "A_%s) = %s",
           s->fallback, s->fallback,
           fmt_availability(s->effective_availability,
                            s->effective_unavailability, b[0], FMT_SIZE));
  }
  if (s->group)
    result(x, "%s server-equivalents in group %s",
           fmt_raw(s->servers_raw, b[0], FMT_SIZE), s->group);
  else
    result(x, "%s server%s, %s GPU%s, %s/year",
           fmt_count(s->servers, b[0], FMT_SIZE), plural(s->servers),
           fmt_count(s->gpus, b[1], FMT_SIZE), plural(s->gpus),
           fmt_money(s->cost_per_year, b[2], FMT_SIZE));
}

static void group_section(ex *x, size_t gi) {
  const ggroup *gg = &x->g->groups[gi];
  const capplan_group_result *gr = &x->r->groups[gi];
  char b[4][FMT_SIZE];
  heading(x, "group %s (%s)", gr->name, gr->hardware);
  capplan_buf t;
  capplan_buf_init(&t);
  double sum = 0;
  for (size_t m = 0; m < gg->n_members; m++) {
    const capplan_stage_result *s = &x->r->stages[x->rank[gg->members[m]]];
    sum += s->servers_raw;
    if (m < 8)
      capplan_buf_printf(&t, "%s%s %s", m ? " + " : "", s->name,
                         fmt_number(s->servers_raw, 2, b[0], FMT_SIZE));
    else if (m == 8)
      capplan_buf_printf(&t, " + %zu more", gg->n_members - 8);
  }
  capplan_buf_printf(&t, " = %s server-equivalents (they add)",
                     fmt_number(sum, 2, b[0], FMT_SIZE));
  step(x, "members", "%s", t.data);
  capplan_buf_release(&t);
  step(x, "raw servers", "%s / %s utilization = %s",
       fmt_number(sum, 2, b[0], FMT_SIZE),
       fmt_percent(gr->utilization, b[1], FMT_SIZE),
       fmt_number(gr->servers_raw, 2, b[2], FMT_SIZE));
  sizing(x, gr->servers_raw, gr->headroom, gr->redundancy, gr->zones,
         gr->survive_zone_loss, gr->zone_extra, gr->servers);
  money_steps(x, gg->hw, gr->servers, gr->gpus, gr->cost_per_year);
  availability_step(x, gr->servers_needed, gr->servers, gr->server_availability,
                    gr->availability, gr->unavailability);
  result(x, "%s server%s, %s GPU%s, %s/year",
         fmt_count(gr->servers, b[0], FMT_SIZE), plural(gr->servers),
         fmt_count(gr->gpus, b[1], FMT_SIZE), plural(gr->gpus),
         fmt_money(gr->cost_per_year, b[2], FMT_SIZE));
}

/* "30 + 6 + 200 = 236", over what owns servers; long sums abbreviated. */
static void sum_line(ex *x, const char *label, int kind) {
  const capplan_report *r = x->r;
  capplan_buf t;
  capplan_buf_init(&t);
  char b[FMT_SIZE];
  size_t terms = 0;
  for (size_t k = 0; k < r->n_stages + r->n_groups; k++) {
    double v;
    if (k < r->n_stages) {
      if (r->stages[k].group)
        continue;
      v = kind == 0   ? r->stages[k].servers
          : kind == 1 ? r->stages[k].gpus
                      : r->stages[k].cost_per_year;
    } else {
      const capplan_group_result *g = &r->groups[k - r->n_stages];
      v = kind == 0 ? g->servers : kind == 1 ? g->gpus : g->cost_per_year;
    }
    if (terms < 8)
      capplan_buf_printf(&t, "%s%s", terms ? " + " : "",
                         kind == 2 ? fmt_money(v, b, sizeof b)
                                   : fmt_count(v, b, sizeof b));
    terms++;
  }
  if (terms > 8)
    capplan_buf_printf(&t, " + ... (%zu terms)", terms);
  double total = kind == 0   ? r->servers
                 : kind == 1 ? r->gpus
                             : r->cost_per_year;
  if (terms > 1)
    capplan_buf_printf(&t, " = %s",
                       kind == 2 ? fmt_money(total, b, sizeof b)
                                 : fmt_count(total, b, sizeof b));
  if (kind == 2)
    capplan_buf_puts(&t, "/year");
  step(x, label, "%s", t.data);
  capplan_buf_release(&t);
}

static void traffic(ex *x) {
  const capplan_report *r = x->r;
  const spec_traffic *t = &x->g->spec->traffic;
  char b[5][FMT_SIZE];
  if (r->dau > 0) {
    step(x, "average",
         "dau x requests per user / 86,400 s = %s x %s / "
         "86,400 = %s QPS",
         fmt_number_sig(r->dau, 2, b[0], FMT_SIZE),
         fmt_number(r->requests_per_user_per_day, 4, b[1], FMT_SIZE),
         fmt_rate(r->average_qps, b[2], FMT_SIZE));
    step(x, "peak", "average x peak_to_average = %s x %s = %s QPS",
         fmt_rate(r->average_qps, b[0], FMT_SIZE),
         fmt_number(r->peak_to_average, 4, b[1], FMT_SIZE),
         fmt_rate(r->qps, b[2], FMT_SIZE));
  } else {
    step(x, "peak", "qps: %s given = %s QPS into the entry stages", t->qps.text,
         fmt_rate(r->qps, b[0], FMT_SIZE));
    if (t->average_qps.set)
      step(x, "average", "average_qps: %s given = %s QPS", t->average_qps.text,
           fmt_rate(r->average_qps, b[0], FMT_SIZE));
    else if (r->average_qps > 0)
      step(x, "average", "peak / peak_to_average = %s / %s = %s QPS",
           fmt_rate(r->qps, b[0], FMT_SIZE),
           fmt_number(r->peak_to_average, 4, b[1], FMT_SIZE),
           fmt_rate(r->average_qps, b[2], FMT_SIZE));
  }
}

static void totals(ex *x) {
  const capplan_report *r = x->r;
  char b[6][FMT_SIZE];
  heading(x, "totals");
  sum_line(x, "servers", 0);
  sum_line(x, "GPUs", 1);
  sum_line(x, "cost", 2);
  step(x, "per month", "%s/year x 730 / 8,760 h = %s/month",
       fmt_money(r->cost_per_year, b[0], FMT_SIZE),
       fmt_money(r->cost_per_month, b[1], FMT_SIZE));
  if (r->cost_per_million >= 0)
    step(x, "per request",
         "%s/year / (%s QPS x 31,536,000 s) x 1M = %s per "
         "million requests",
         fmt_money(r->cost_per_year, b[0], FMT_SIZE),
         fmt_rate(r->average_qps, b[1], FMT_SIZE),
         fmt_money(r->cost_per_million, b[2], FMT_SIZE));
  capplan_buf t;
  capplan_buf_init(&t);
  fmt_path(&t, r->critical_path, r->n_critical, " -> ", NULL);
  step(x, "critical path",
       "%s = %s (the slowest path; stages on other "
       "paths overlap with it)",
       t.data, fmt_ms(r->latency, b[0], FMT_SIZE));
  capplan_buf_release(&t);
  step(x, "availability",
       "product over stages and groups (in series) = %s (%s nines, down "
       "%s/year)",
       fmt_availability(r->availability, r->unavailability, b[0], FMT_SIZE),
       fmt_nines(r->unavailability, b[1], FMT_SIZE),
       fmt_downtime(r->downtime_minutes_per_year, b[2], FMT_SIZE));
  result(x, "%s servers, %s GPUs, %s/year, %s, %s available",
         fmt_count(r->servers, b[0], FMT_SIZE),
         fmt_count(r->gpus, b[1], FMT_SIZE),
         fmt_money(r->cost_per_year, b[2], FMT_SIZE),
         fmt_ms(r->latency, b[3], FMT_SIZE),
         fmt_availability(r->availability, r->unavailability, b[4], FMT_SIZE));
  if (!r->n_checks)
    return;
  heading(x, "checks");
  for (size_t i = 0; i < r->n_checks; i++) {
    const capplan_check *c = &r->checks[i];
    char m[2 * FMT_SIZE];
    step(x, c->name, "%s: %s %s %s, margin %s", c->passed ? "pass" : "FAIL",
         fmt_check_actual(c, b[0], FMT_SIZE), c->upper ? "<=" : ">=",
         fmt_check_value(c, c->limit, true, b[1], FMT_SIZE),
         fmt_check_margin(c, m, sizeof m));
  }
}

int capplan_explain(const capplan_graph *g, const capplan_report *r,
                    const char *stage, enum capplan_format format,
                    capplan_buf *out) {
  size_t only = g->n;
  if (stage) {
    for (size_t i = 0; i < g->n && only == g->n; i++)
      if (!strcmp(g->nodes[i].name, stage))
        only = i;
    if (only == g->n)
      return -1;
  }
  ex x = {g, r, format == CAPPLAN_FORMAT_MARKDOWN, out, NULL, NULL, NULL, NULL};
  x.rank = xmalloc((g->n + 1) * sizeof(size_t));
  for (size_t k = 0; k < g->n; k++)
    x.rank[g->order[k]] = k;
  x.best = xmalloc((g->n + 1) * sizeof(size_t));
  x.len = xmalloc((g->n + 1) * sizeof(size_t));
  x.fifth = xmalloc((g->n + 1) * sizeof(size_t));
  slowest_paths(&x);
  capplan_buf_puts(out, x.md ? "## " : "");
  text_puts(out, r->spec_name);
  capplan_buf_puts(out, ": how each figure is worked out\n");
  heading(&x, "traffic");
  traffic(&x);
  if (stage) {
    stage_section(&x, only);
    if (g->nodes[only].group >= 0)
      group_section(&x, (size_t)g->nodes[only].group);
  } else {
    for (size_t k = 0; k < g->n; k++)
      stage_section(&x, g->order[k]);
    for (size_t gi = 0; gi < g->n_groups; gi++)
      group_section(&x, gi);
    totals(&x);
  }
  free(x.rank);
  free(x.best);
  free(x.len);
  free(x.fifth);
  return 0;
}

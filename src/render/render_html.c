/*
 * render_html.c - 'estimate --format html': the plan as one
 * self-contained page for a browser, a CI artifact or an e-mail.
 *
 * Everything is inline: the CSS in a <style> element, the graph as an
 * <svg> element (graph_svg, the drawing of 'capplan graph --format svg'),
 * the charts as HTML with widths in percent.  No script, no font, no
 * image or style sheet is fetched, so the page reads the same offline and
 * with scripts off.  The order is the order of a reader's questions: does
 * it pass, what does it cost, what does the system look like, where does
 * the money go, where does the time go, how available is it; then the
 * tables with every figure.  With ranges, how sure the plan is follows
 * the checks: Monte Carlo's verdict, the cost's distribution, every
 * figure's p5, p50 and p95.  Every text from a spec goes through
 * xml_puts (HTML entities on top of text_escape's control-character
 * escapes).  Figures are formatted by format.h's rules, like every other
 * renderer's.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "graph.h"
#include "render.h"
#include "render_uncertain.h"
#include "sensitivity.h"
#include "util.h"

/* Past these the page keeps to the largest rows and says where the rest
 * are: a browser shows 2,000 table rows well, not 200,000. */
enum {
  MAX_TABLE_ROWS = 2000,
  MAX_COST_BARS = 25,
  MAX_PATH_ROWS = 40,
  MAX_GRAPH_NODES = 400
};

static const char css[] =
    ":root{--fg:#1f2328;--muted:#57606a;--line:#d0d7de;--bg:#ffffff;"
    "--soft:#f6f8fa;--ok:#1a7f37;--bad:#cf222e;--bar:#0969da;"
    "--group:#8250df;--cache:#bf8700}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:var(--bg);color:var(--fg);"
    "font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',"
    "Helvetica,Arial,sans-serif}\n"
    "main{max-width:1120px;margin:0 auto;padding:24px 28px 40px}\n"
    "h1{font-size:26px;margin:0 0 4px}\n"
    "h2{font-size:19px;margin:36px 0 6px;padding-bottom:4px;"
    "border-bottom:1px solid var(--line)}\n"
    "p{margin:6px 0}\n"
    ".lead{color:var(--muted);margin:0 0 10px}\n"
    ".note{color:var(--muted);font-size:13px}\n"
    ".verdict{display:inline-block;font-weight:600;padding:3px 12px;"
    "border-radius:14px;margin:6px 0 4px}\n"
    ".pass{color:var(--ok)}.fail{color:var(--bad)}\n"
    ".verdict.pass{background:#dafbe1}.verdict.fail{background:#ffebe9}\n"
    ".verdict.none{background:var(--soft);color:var(--muted)}\n"
    ".cards{display:grid;grid-template-columns:repeat(auto-fit,"
    "minmax(190px,1fr));gap:12px;margin:16px 0 4px}\n"
    ".card{border:1px solid var(--line);border-radius:8px;padding:10px 14px;"
    "background:var(--soft)}\n"
    ".card .k{font-size:12px;text-transform:uppercase;letter-spacing:.04em;"
    "color:var(--muted)}\n"
    ".card .v{font-size:23px;font-weight:650;margin:2px 0}\n"
    ".card .s{font-size:13px;color:var(--muted)}\n"
    ".card.bad{border-color:var(--bad);background:#fff5f5}\n"
    "table{border-collapse:collapse;width:100%;font-size:13.5px;"
    "margin:8px 0}\n"
    "th,td{padding:5px 8px;border-bottom:1px solid var(--line);"
    "text-align:left;vertical-align:top}\n"
    "th{background:var(--soft);font-weight:600;white-space:nowrap}\n"
    "td.n,th.n{text-align:right;white-space:nowrap;"
    "font-variant-numeric:tabular-nums}\n"
    "tr.total td{font-weight:650;border-top:2px solid var(--line)}\n"
    "tr.sum td{font-weight:650}\n"
    "tr.sub td:first-child{padding-left:22px}\n"
    ".figure{overflow-x:auto;border:1px solid var(--line);border-radius:8px;"
    "padding:8px;margin:10px 0}\n"
    ".figure svg{display:block;max-width:100%;height:auto;margin:0 auto}\n"
    ".chart{display:grid;grid-template-columns:minmax(120px,max-content) 1fr "
    "max-content;gap:5px 12px;align-items:center;margin:12px 0;"
    "font-size:13.5px}\n"
    ".chart .lbl{white-space:nowrap;overflow:hidden;text-overflow:ellipsis;"
    "max-width:280px}\n"
    ".chart .val{text-align:right;white-space:nowrap;"
    "font-variant-numeric:tabular-nums}\n"
    ".track{position:relative;height:18px;background:var(--soft);"
    "border-radius:3px}\n"
    ".fill{position:absolute;top:0;bottom:0;border-radius:3px;"
    "background:var(--bar);min-width:2px}\n"
    ".fill.group{background:var(--group)}.fill.cache{background:var(--cache)}"
    "\n.fill.crit{background:var(--bad)}.fill.weak{background:var(--bad)}\n"
    ".fill.ok{background:var(--ok)}.fill.warn{background:#bf8700}\n"
    ".limit{position:absolute;top:-3px;bottom:-3px;border-left:2px dashed "
    "var(--fg)}\n"
    ".kind{font-size:11px;color:var(--muted);margin-left:4px}\n"
    ".swatch{display:inline-block;width:10px;height:10px;border-radius:2px;"
    "margin:0 4px 0 10px;vertical-align:baseline}\n"
    "footer{margin-top:36px;color:var(--muted);font-size:12.5px;"
    "border-top:1px solid var(--line);padding-top:10px}\n"
    "code{font-size:12.5px;background:var(--soft);padding:1px 4px;"
    "border-radius:4px}\n"
    "@media print{.figure{break-inside:avoid}main{max-width:none}}\n";

static void put(capplan_buf *out, const char *s) {
  xml_puts(out, s);
}

/* A number as a CSS percentage, 0 to 100, two decimals. */
static void pct(capplan_buf *out, double part, double whole) {
  double p = whole > 0 ? 100 * part / whole : 0;
  p = p < 0 ? 0 : p > 100 ? 100 : p;
  capplan_buf_printf(out, "%.2f%%", p);
}

static void card(capplan_buf *out, const char *key, const char *value,
                 const char *sub, bool bad) {
  capplan_buf_printf(out,
                     "<div class=\"card%s\"><div class=\"k\">%s</div>"
                     "<div class=\"v\">",
                     bad ? " bad" : "", key);
  put(out, value);
  capplan_buf_puts(out, "</div><div class=\"s\">");
  put(out, sub);
  capplan_buf_puts(out, "</div></div>\n");
}

static const capplan_check *find_check(const plan *pl,
                                       enum capplan_check_kind kind) {
  for (size_t i = 0; i < pl->n_checks; i++)
    if (pl->checks[i].kind == kind)
      return &pl->checks[i];
  return NULL;
}

/* The answer first: the verdict and five cards. */
static void summary(const capplan_report *r, capplan_buf *out) {
  const capplan_model *m = r->model;
  const plan *pl = r->plan;
  char b[8][FMT_SIZE], sub[4 * FMT_SIZE];
  capplan_buf_puts(out, "<header>\n<h1>");
  put(out, m->name);
  capplan_buf_puts(out, "</h1>\n");
  if (m->description) {
    capplan_buf_puts(out, "<p class=\"lead\">");
    put(out, m->description);
    capplan_buf_puts(out, "</p>\n");
  }
  const mc_result *mc = r->mc;
  if (mc && mc->n_checks) {
    /* With ranges the verdict is Monte Carlo's, as the exit code is. */
    capplan_buf_printf(
        out, "<div class=\"verdict %s\">%s %s at %s confidence</div>\n",
        mc->passed ? "pass" : "fail",
        mc->passed ? "\xe2\x9c\x93" : "\xe2\x9c\x97",
        fmt_checks_summary(mc->checks_failed, mc->n_checks, b[0], FMT_SIZE),
        fmt_percent(mc->confidence, b[1], FMT_SIZE));
  } else if (pl->n_checks)
    capplan_buf_printf(
        out, "<div class=\"verdict %s\">%s %s</div>\n",
        pl->failed ? "fail" : "pass",
        pl->failed ? "\xe2\x9c\x97" : "\xe2\x9c\x93",
        fmt_checks_summary(pl->failed, pl->n_checks, b[0], FMT_SIZE));
  else
    capplan_buf_puts(out, "<div class=\"verdict none\">no budget or SLO to "
                          "check</div>\n");
  capplan_buf_puts(out, "</header>\n<section class=\"cards\">\n");

  const capplan_check *c = find_check(pl, CAPPLAN_CHECK_COST);
  fmt_money(pl->cost_per_year, b[0], FMT_SIZE);
  if (pl->cost_per_million >= 0)
    snprintf(sub, sizeof sub,
             "a year \xc2\xb7 %s/month \xc2\xb7 %s per million requests",
             fmt_money(pl->cost_per_month, b[1], FMT_SIZE),
             fmt_money(pl->cost_per_million, b[2], FMT_SIZE));
  else
    snprintf(sub, sizeof sub, "a year \xc2\xb7 %s/month",
             fmt_money(pl->cost_per_month, b[1], FMT_SIZE));
  if (c) {
    size_t n = strlen(sub);
    snprintf(sub + n, sizeof sub - n, " \xc2\xb7 budget %s",
             fmt_check_value(c, c->limit, true, b[3], FMT_SIZE));
  }
  const mc_fig *fc =
      mc && mc->evaluated ? mc_find(mc, "totals.cost_per_year") : NULL;
  if (fc && fc->varies) {
    size_t n = strlen(sub);
    snprintf(sub + n, sizeof sub - n, " \xc2\xb7 90%% of trials %s to %s",
             fmt_money(fc->s.p5, b[4], FMT_SIZE),
             fmt_money(fc->s.p95, b[5], FMT_SIZE));
  }
  card(out, "cost", b[0], sub, c && !c->passed);

  const capplan_check *cs = find_check(pl, CAPPLAN_CHECK_SERVERS);
  const capplan_check *cg = find_check(pl, CAPPLAN_CHECK_GPUS);
  fmt_count(pl->servers, b[0], FMT_SIZE);
  snprintf(sub, sizeof sub, "%s GPU%s", fmt_count(pl->gpus, b[1], FMT_SIZE),
           pl->gpus == 1 ? "" : "s");
  card(out, "servers", b[0], sub, (cs && !cs->passed) || (cg && !cg->passed));

  c = find_check(pl, CAPPLAN_CHECK_LATENCY);
  fmt_ms(pl->latency, b[0], FMT_SIZE);
  if (c)
    snprintf(sub, sizeof sub, "critical path \xc2\xb7 SLO %s",
             fmt_check_value(c, c->limit, true, b[1], FMT_SIZE));
  else
    snprintf(sub, sizeof sub, "critical path, no queueing");
  card(out, "latency", b[0], sub, c && !c->passed);

  /* The figure the availability check reads (every stage up) leads;
   * the share of requests served follows. */
  c = find_check(pl, CAPPLAN_CHECK_AVAILABILITY);
  fmt_availability(pl->all.up, pl->all.down, b[0], FMT_SIZE);
  snprintf(sub, sizeof sub,
           "with every stage up \xc2\xb7 %s of requests served",
           fmt_availability(pl->req.up, pl->req.down, b[1], FMT_SIZE));
  if (c) {
    size_t n = strlen(sub);
    snprintf(sub + n, sizeof sub - n, " \xc2\xb7 SLO %s",
             fmt_check_value(c, c->limit, true, b[2], FMT_SIZE));
  }
  card(out, "availability", b[0], sub, c && !c->passed);

  fmt_rate(pl->qps, b[0], FMT_SIZE);
  strcat(b[0], " QPS");
  if (pl->average_qps > 0)
    snprintf(sub, sizeof sub, "at peak \xc2\xb7 %s QPS on average",
             fmt_rate(pl->average_qps, b[1], FMT_SIZE));
  else
    snprintf(sub, sizeof sub, "at peak");
  card(out, "traffic", b[0], sub, false);
  capplan_buf_puts(out, "</section>\n");
}

static void checks(const capplan_report *r, capplan_buf *out) {
  const plan *pl = r->plan;
  if (!pl->n_checks)
    return;
  capplan_buf_puts(out, r->mc ? "<h2 id=\"checks\">Checks on the median "
                                "plan</h2>\n"
                              : "<h2 id=\"checks\">Checks</h2>\n");
  capplan_buf_puts(out, "<table>\n<tr><th>"
                        "</th><th>check</th><th class=\"n\">plan</th>"
                        "<th class=\"n\">limit</th><th class=\"n\">margin"
                        "</th><th>from</th></tr>\n");
  for (size_t i = 0; i < pl->n_checks; i++) {
    const capplan_check *c = &pl->checks[i];
    char a[FMT_SIZE], l[FMT_SIZE], mg[2 * FMT_SIZE];
    fmt_check_actual(c, a, sizeof a);
    fmt_check_value(c, c->limit, true, l, sizeof l);
    fmt_check_margin(c, mg, sizeof mg);
    capplan_buf_printf(
        out,
        "<tr><td class=\"%s\"><b>%s</b></td><td>%s</td><td class=\"n\">%s"
        "</td><td class=\"n\">%s %s</td><td class=\"n\">%s</td><td>%s</td>"
        "</tr>\n",
        c->passed ? "pass" : "fail", c->passed ? "pass" : "FAIL", c->name, a,
        c->upper ? "\xe2\x89\xa4" : "\xe2\x89\xa5", l, mg,
        strcmp(c->source, "flag") ? "spec" : check_flag(c));
  }
  capplan_buf_puts(out, "</table>\n");
}

/* An SVG document (plot_svg.h's) inline in the page: without its XML
 * declaration, which HTML does not take, and without the namespace
 * attribute, which HTML gives an inline <svg> itself (the page names no
 * address at all, tests/check_html.py). */
static void inline_svg(const capplan_buf *svg, capplan_buf *out) {
  static const char ns[] = " xmlns=\"http://www.w3.org/2000/svg\"";
  const char *s = svg->data ? svg->data : "";
  if (!strncmp(s, "<?xml", 5)) {
    const char *end = strstr(s, "?>");
    s = end ? end + 2 : s;
    while (*s == '\n')
      s++;
  }
  capplan_buf_puts(out, "<div class=\"figure\">\n");
  const char *tag_end = strchr(s, '>'), *at = strstr(s, ns);
  if (at && tag_end && at < tag_end) {
    capplan_buf_put(out, s, (size_t)(at - s));
    s = at + sizeof ns - 1;
  }
  capplan_buf_puts(out, s);
  capplan_buf_puts(out, "</div>\n");
}

/* The checks on Monte Carlo: the share of trials that keep each. */
static void uncertain_checks(const capplan_report *r, capplan_buf *out) {
  const mc_result *mc = r->mc;
  char b[3][FMT_SIZE];
  capplan_buf_puts(out, "<table>\n<tr><th></th><th>check</th><th "
                        "class=\"n\">trials that keep it</th><th "
                        "class=\"n\">limit</th><th class=\"n\">needs"
                        "</th></tr>\n");
  for (size_t c = 0; c < mc->n_checks; c++) {
    const mc_check *k = &mc->checks[c];
    const capplan_check *pc = &r->plan->checks[c];
    capplan_buf_printf(
        out,
        "<tr><td class=\"%s\"><b>%s</b></td><td>%s</td><td class=\"n\">%s"
        "</td><td class=\"n\">%s %s</td><td class=\"n\">%s</td></tr>\n",
        k->passed ? "pass" : "fail", k->passed ? "pass" : "FAIL", k->name,
        fmt_percent(k->p_pass, b[0], FMT_SIZE),
        pc->upper ? "\xe2\x89\xa4" : "\xe2\x89\xa5",
        fmt_check_value(pc, pc->limit, true, b[1], FMT_SIZE),
        fmt_percent(mc->confidence, b[2], FMT_SIZE));
  }
  capplan_buf_puts(out, "</table>\n");
}

/* The ranges and the distributions they stand for. */
static void uncertain_inputs(const capplan_report *r, capplan_buf *out) {
  const uinputs *u = r->inputs;
  char b[3][FMT_SIZE];
  capplan_buf_puts(out, "<table>\n<tr><th>range</th><th>as written</th>"
                        "<th>distribution</th><th class=\"n\">p5</th><th "
                        "class=\"n\">median</th><th class=\"n\">p95</th>"
                        "</tr>\n");
  for (size_t k = 0; k < u->n_ranged; k++) {
    const uinput *in = &u->items[k];
    uinput_ends(in, b);
    capplan_buf_puts(out, "<tr><td>");
    put(out, in->path);
    capplan_buf_puts(out, "</td><td>");
    put(out, in->text);
    capplan_buf_printf(out,
                       "</td><td>%s</td><td class=\"n\">%s</td><td "
                       "class=\"n\">%s</td><td class=\"n\">%s</td></tr>\n",
                       uinput_shape(in), b[0], b[1], b[2]);
  }
  capplan_buf_puts(out, "</table>\n");
}

/* Every figure that varies (and the totals) over the trials. */
static void uncertain_figures(const mc_result *mc, capplan_buf *out) {
  char b[6][FMT_SIZE];
  size_t constant = uncertain_left_out(mc);
  bool first_total = true;
  capplan_buf_puts(out, "<table>\n<tr><th>figure</th><th class=\"n\">plan"
                        "</th><th class=\"n\">mean</th><th class=\"n\">p5"
                        "</th><th class=\"n\">p50</th><th class=\"n\">p95"
                        "</th><th class=\"n\">\xc2\xb1stderr</th></tr>\n");
  for (size_t i = 0; i < mc->n_figs; i++) {
    const mc_fig *f = &mc->figs[i];
    if (!uncertain_shown(f))
      continue;
    /* The totals close the table: a rule above the first, all bold. */
    bool total = !strncmp(f->path, "totals.", 7);
    capplan_buf_printf(out, "<tr%s><td>%s",
                       !total        ? ""
                       : first_total ? " class=\"total\""
                                     : " class=\"sum\"",
                       total ? "total " : "");
    first_total = first_total && !total;
    put(out, f->label);
    capplan_buf_printf(
        out,
        "</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td "
        "class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
        "<td class=\"n\">%s</td></tr>\n",
        ufmt(f->unit, f->plan, false, b[0], FMT_SIZE),
        ufmt(f->unit, f->s.mean, true, b[1], FMT_SIZE),
        ufmt(f->unit, f->s.p5, true, b[2], FMT_SIZE),
        ufmt(f->unit, f->s.p50, true, b[3], FMT_SIZE),
        ufmt(f->unit, f->s.p95, true, b[4], FMT_SIZE),
        ufmt_se(f->unit, f->s.stderr_mean, b[5], FMT_SIZE));
  }
  capplan_buf_puts(out, "</table>\n");
  fmt_count((double)mc->samples, b[0], FMT_SIZE);
  fmt_count((double)mc->evaluated, b[1], FMT_SIZE);
  fmt_count((double)mc->failed, b[2], FMT_SIZE);
  fmt_count((double)mc->infeasible, b[3], FMT_SIZE);
  capplan_buf_printf(out,
                     "<p class=\"note\">%s trials (seed %llu): %s "
                     "evaluated, %s failed (a figure no double holds), %s "
                     "with a stage overloaded or unmet.",
                     b[0], (unsigned long long)mc->seed, b[1], b[2], b[3]);
  if (constant)
    capplan_buf_printf(out,
                       " Figures the same in every trial are left out (%zu; "
                       "the JSON report has them).",
                       constant);
  capplan_buf_puts(out, "</p>\n");
}

/* Ranges (SPEC.md section 8): how sure the plan is.  The answer first (the
 * cost's 90% interval and each check's chance), then the cost's
 * distribution as --plot draws it, the ranges, every figure over the
 * trials and, with --sensitivity, what moves the cost. */
static void uncertainty(const capplan_report *r, capplan_buf *out) {
  if (!r->inputs || !r->inputs->n_ranged)
    return;
  const mc_result *mc = r->mc;
  char b[4][FMT_SIZE];
  capplan_buf_puts(out, "<h2 id=\"uncertainty\">How sure: the ranges</h2>"
                        "\n<p class=\"lead\">");
  capplan_buf_printf(out,
                     "The spec gives %s input%s as a range; every figure "
                     "above is the plan with each at its median.",
                     fmt_count((double)r->inputs->n_ranged, b[0], FMT_SIZE),
                     r->inputs->n_ranged == 1 ? "" : "s");
  const mc_fig *f =
      mc && mc->evaluated ? mc_find(mc, "totals.cost_per_year") : NULL;
  if (f)
    capplan_buf_printf(out,
                       " Over %s trials the cost is <b>%s</b> to <b>%s</b> "
                       "a year in 90%% of them (median %s).",
                       fmt_count((double)mc->samples, b[0], FMT_SIZE),
                       fmt_money(f->s.p5, b[1], FMT_SIZE),
                       fmt_money(f->s.p95, b[2], FMT_SIZE),
                       fmt_money(f->s.p50, b[3], FMT_SIZE));
  capplan_buf_puts(out, "</p>\n");
  if (mc && mc->n_checks)
    uncertain_checks(r, out);
  capplan_buf svg;
  capplan_buf_init(&svg);
  if (f && capplan_plot_report(r, false, &svg) == 0)
    inline_svg(&svg, out);
  capplan_buf_release(&svg);
  uncertain_inputs(r, out);
  if (mc)
    uncertain_figures(mc, out);
  if (r->sens && r->sens->n) {
    capplan_buf_init(&svg);
    if (capplan_plot_report(r, true, &svg) == 0) {
      capplan_buf_puts(out, "<h3>What moves the cost</h3>\n<p class=\"note\">"
                            "Each range from its p5 to its p95, the others "
                            "at their medians; largest swing first.</p>\n");
      inline_svg(&svg, out);
    }
    capplan_buf_release(&svg);
  }
}

static void picture(const capplan_report *r, capplan_buf *out) {
  capplan_buf_puts(out, "<h2 id=\"graph\">The system</h2>\n");
  graph *g = graph_build(r);
  if (g->n_nodes > MAX_GRAPH_NODES) {
    capplan_buf_printf(out,
                       "<p class=\"note\">The graph has %zu nodes, too many "
                       "to read on a page: <code>capplan graph SPEC "
                       "--format svg</code> draws it.</p>\n",
                       g->n_nodes);
    graph_free(g);
    return;
  }
  capplan_buf_puts(
      out, "<p class=\"lead\">Requests flow from the top; each box is a "
           "stage with its hardware, servers, load and latency, each arrow "
           "the requests per second along it.  The red path is the slowest "
           "one, which sets the latency.</p>\n<div class=\"figure\">\n");
  glayout *l = graph_layout(g);
  graph_svg(g, l, false, out);
  glayout_free(g, l);
  graph_free(g);
  capplan_buf_puts(out, "</div>\n");
}

/* One pool of servers that costs money: a stand-alone stage, a cache tier
 * or a colocation group. */
typedef struct pool_ref {
  const char *name, *kind; /* kind: "stage", "cache tier", "group" */
  const pool_plan *pp;
  size_t order;
} pool_ref;

static int pool_cmp(const void *pa, const void *pb) {
  const pool_ref *a = pa, *b = pb;
  double ca = a->pp->cost_per_year, cb = b->pp->cost_per_year;
  if (ca != cb)
    return ca > cb ? -1 : 1;
  return a->order < b->order ? -1 : a->order > b->order;
}

static pool_ref *pools(const capplan_report *r, capplan_arena *a,
                       size_t *count) {
  const capplan_model *m = r->model;
  const plan *pl = r->plan;
  pool_ref *p =
      arena_array(a, 2 * m->n_stages + m->n_groups + 1, sizeof(pool_ref));
  size_t n = 0;
  for (size_t k = 0; k < m->n_stages; k++) {
    size_t i = m->order[k];
    const mstage *ms = &m->stage[i];
    if (ms->has_cache) {
      size_t len = strlen(ms->name) + 8;
      char *name = arena_alloc(a, len);
      snprintf(name, len, "%s.cache", ms->name);
      p[n] = (pool_ref){name, "cache tier", pl->stage[i].cache.pool, n};
      n++;
    }
    if (ms->group < 0) {
      p[n] = (pool_ref){ms->name, "stage", &pl->stage[i].pool, n};
      n++;
    }
  }
  for (size_t g = 0; g < m->n_groups; g++) {
    p[n] = (pool_ref){m->group[g].name, "group", &pl->group[g].pool, n};
    n++;
  }
  *count = n;
  return p;
}

static void cost_chart(const capplan_report *r, capplan_buf *out) {
  const plan *pl = r->plan;
  capplan_arena *a = arena_new();
  size_t n;
  pool_ref *p = pools(r, a, &n);
  qsort(p, n, sizeof *p, pool_cmp);
  char b[4][FMT_SIZE];
  capplan_buf_puts(out, "<h2 id=\"cost\">Where the money goes</h2>\n");
  capplan_buf_printf(
      out,
      "<p class=\"lead\">Cost a year of each pool of servers, largest first, "
      "%s/year in all.<span class=\"swatch\" style=\"background:#0969da\">"
      "</span>stage<span class=\"swatch\" style=\"background:#bf8700\">"
      "</span>cache tier<span class=\"swatch\" style=\"background:#8250df\">"
      "</span>colocation group</p>\n<div class=\"chart\">\n",
      fmt_money(pl->cost_per_year, b[0], FMT_SIZE));
  double top = n ? p[0].pp->cost_per_year : 0;
  size_t shown = n < MAX_COST_BARS ? n : MAX_COST_BARS;
  for (size_t k = 0; k < shown; k++) {
    const pool_plan *pp = p[k].pp;
    capplan_buf_puts(out, "<div class=\"lbl\">");
    put(out, p[k].name);
    capplan_buf_printf(out,
                       "<span class=\"kind\">%s</span></div><div "
                       "class=\"track\"><div class=\"fill%s\" style=\"width:",
                       p[k].kind,
                       !strcmp(p[k].kind, "group")   ? " group"
                       : !strcmp(p[k].kind, "stage") ? ""
                                                     : " cache");
    pct(out, pp->cost_per_year, top);
    snprintf(b[3], FMT_SIZE, "%s", "");
    if (pp->gpus > 0)
      snprintf(b[3], FMT_SIZE, ", %s GPUs",
               fmt_count(pp->gpus, b[2], FMT_SIZE));
    capplan_buf_printf(out,
                       "\"></div></div><div class=\"val\">%s <span "
                       "class=\"note\">(",
                       fmt_money(pp->cost_per_year, b[0], FMT_SIZE));
    pct(out, pp->cost_per_year, pl->cost_per_year);
    capplan_buf_printf(out, ", %s server%s%s)</span></div>\n",
                       fmt_count(pp->servers, b[1], FMT_SIZE),
                       pp->servers == 1 ? "" : "s", b[3]);
  }
  capplan_buf_puts(out, "</div>\n");
  if (shown < n) {
    double rest = 0;
    for (size_t k = shown; k < n; k++)
      rest += p[k].pp->cost_per_year;
    capplan_buf_printf(out,
                       "<p class=\"note\">%zu more pools cost %s/year "
                       "together; the stage table has each.</p>\n",
                       n - shown, fmt_money(rest, b[0], FMT_SIZE));
  }
  arena_free(a);
}

/* One bar of the latency chart: from START for LEN seconds, on a scale
 * of SCALE seconds, with the SLO's limit (LIMIT seconds, when above 0)
 * marked. */
static void latency_bar(capplan_buf *out, const char *name, double start,
                        double len, double scale, double limit,
                        const char *cls) {
  char b[FMT_SIZE];
  capplan_buf_puts(out, "<div class=\"lbl\">");
  put(out, name);
  capplan_buf_puts(out, "</div><div class=\"track\"><div class=\"fill");
  capplan_buf_puts(out, cls);
  capplan_buf_puts(out, "\" style=\"left:");
  pct(out, start, scale);
  capplan_buf_puts(out, ";width:");
  pct(out, len, scale);
  capplan_buf_puts(out, "\"></div>");
  if (limit > 0) {
    capplan_buf_puts(out, "<div class=\"limit\" style=\"left:");
    pct(out, limit, scale);
    capplan_buf_puts(out, "\"></div>");
  }
  capplan_buf_printf(out, "</div><div class=\"val\">%s</div>\n",
                     fmt_ms(len, b, sizeof b));
}

static void latency_chart(const capplan_report *r, capplan_buf *out) {
  const capplan_model *m = r->model;
  const plan *pl = r->plan;
  const capplan_check *slo = find_check(pl, CAPPLAN_CHECK_LATENCY);
  char b[3][FMT_SIZE];
  capplan_buf_puts(out, "<h2 id=\"latency\">Latency along the critical "
                        "path</h2>\n");
  if (!pl->n_critical) {
    capplan_buf_puts(out, "<p class=\"note\">No stage is on the request "
                          "path.</p>\n");
    return;
  }
  capplan_buf_printf(out,
                     "<p class=\"lead\">The slowest path from the traffic to "
                     "a last stage, %s in all: each bar starts where the "
                     "stage before it ends.",
                     fmt_ms(pl->latency, b[0], FMT_SIZE));
  if (slo)
    capplan_buf_printf(out, " The dashed line is the SLO, %s%s.",
                       fmt_check_value(slo, slo->limit, true, b[1], FMT_SIZE),
                       slo->passed ? "" : ", which the path breaks");
  capplan_buf_puts(out, "</p>\n<div class=\"chart\">\n");
  /* The check holds its limit in milliseconds (eval.c's check kinds). */
  double limit = slo ? slo->limit / 1000 : 0, scale = pl->latency;
  if (limit > scale)
    scale = limit;
  scale *= 1.02;
  size_t n = pl->n_critical;
  double at = 0;
  for (size_t k = 0; k < n; k++) {
    size_t i = pl->critical[k];
    double len = pl->stage[i].latency;
    if (n > MAX_PATH_ROWS && k == MAX_PATH_ROWS / 2) {
      /* The middle of a long path as one bar. */
      size_t last = n - MAX_PATH_ROWS / 2;
      double mid = 0;
      for (size_t j = k; j < last; j++)
        mid += pl->stage[pl->critical[j]].latency;
      char name[64];
      snprintf(name, sizeof name, "\xe2\x80\xa6 %zu stages", last - k);
      latency_bar(out, name, at, mid, scale, limit, " crit");
      at += mid;
      k = last - 1;
      continue;
    }
    latency_bar(out, m->stage[i].name, at, len, scale, limit, " crit");
    at += len;
  }
  latency_bar(out, "critical path", 0, pl->latency, scale, limit,
              slo && !slo->passed ? " weak" : " ok");
  capplan_buf_puts(out, "</div>\n<p class=\"note\">Service times as the "
                        "spec gives them (no queueing); stages off the "
                        "path run in parallel with it and add nothing.</p>\n");
}

/* Each stage's queue and the end-to-end percentiles (SPEC.md section 7):
 * how busy each queue runs, its chance of waiting and its response
 * percentiles, the overloaded ones in red. */
static void tail_latency(const capplan_report *r, capplan_buf *out) {
  const capplan_model *m = r->model;
  const plan *pl = r->plan;
  char b[8][FMT_SIZE];
  if (!pl->latency_on)
    return;
  capplan_buf_puts(out, "<h2 id=\"tail\">Queueing and tail latency</h2>\n");
  if (pl->pct_known)
    capplan_buf_printf(
        out,
        "<p class=\"lead\">Queueing included, a request takes <b>%s</b> at "
        "the median and <b>%s</b> at the 99th percentile (p95 %s, p99.9 "
        "%s).</p>\n",
        fmt_ms(pl->pct[PCT_P50], b[0], FMT_SIZE),
        fmt_ms(pl->pct[PCT_P99], b[1], FMT_SIZE),
        fmt_ms(pl->pct[PCT_P95], b[2], FMT_SIZE),
        fmt_ms(pl->pct[PCT_P999], b[3], FMT_SIZE));
  else if (pl->unstable >= 0) {
    capplan_buf_puts(out, "<p class=\"lead\">No percentile end to end: "
                          "<b>");
    put(out, m->stage[pl->unstable].name);
    capplan_buf_puts(out, "</b> runs at or above 100% of its slots, where a "
                          "queue grows without bound.</p>\n");
  }
  capplan_buf_puts(out,
                   "<table>\n<tr><th>stage</th><th>queue</th><th "
                   "class=\"n\">slots</th><th class=\"n\">busy</th><th></th>"
                   "<th "
                   "class=\"n\">P(wait)</th><th class=\"n\">p50</th>"
                   "<th class=\"n\">p99</th><th class=\"n\">p99.9"
                   "</th></tr>\n");
  size_t rows = 0;
  for (size_t k = 0; k < m->n_stages && rows < MAX_TABLE_ROWS; k++) {
    size_t i = m->order[k];
    const queue_plan *q = &pl->stage[i].queue;
    if (q->model == QUEUE_NONE)
      continue;
    rows++;
    capplan_buf_puts(out, "<tr><td>");
    put(out, m->stage[i].name);
    double u = q->utilization < 1 ? q->utilization : 1;
    capplan_buf_printf(out,
                       "</td><td>%s</td><td class=\"n\">%s</td><td "
                       "class=\"n\">%s</td><td style=\"min-width:140px\">"
                       "<div class=\"track\"><div class=\"fill%s\" "
                       "style=\"width:",
                       queue_model_name(q->model),
                       fmt_count(q->slots, b[0], FMT_SIZE),
                       fmt_percent(q->utilization, b[1], FMT_SIZE),
                       !q->stable                     ? " weak"
                       : capplan_busy(q->utilization) ? " warn"
                                                      : " ok");
    pct(out, u, 1);
    capplan_buf_puts(out, "\"></div></div></td>");
    if (q->stable)
      capplan_buf_printf(out,
                         "<td class=\"n\">%s</td><td class=\"n\">%s</td><td "
                         "class=\"n\">%s</td><td class=\"n\">%s</td></tr>\n",
                         fmt_small_percent(q->p_wait, b[2], FMT_SIZE),
                         fmt_ms(q->pct[PCT_P50], b[3], FMT_SIZE),
                         fmt_ms(q->pct[PCT_P99], b[4], FMT_SIZE),
                         fmt_ms(q->pct[PCT_P999], b[5], FMT_SIZE));
    else
      capplan_buf_puts(out, "<td class=\"n\" colspan=\"4\">overloaded: "
                            "no steady state</td></tr>\n");
  }
  capplan_buf_puts(out, "</table>\n<p class=\"note\">One queue per stage "
                        "at its real server count; end to end, the sum "
                        "along each path, the max over a fork-join, mixed "
                        "where requests end (docs/queueing.md).</p>\n");
}

/* Notes on a stage's availability, as the table report words them. */
static void avail_note(const capplan_report *r, size_t i, capplan_buf *note) {
  const capplan_model *m = r->model;
  const mstage *ms = &m->stage[i];
  const stage_plan *s = &r->plan->stage[i];
  const policy *pol = &r->p->stage[i].pol;
  char b[FMT_SIZE];
  if (pol->zones > 1)
    capplan_buf_printf(note, "%g zones", pol->zones);
  if (s->pool.zone_extra > 0)
    capplan_buf_printf(note, ", +%s to survive losing one",
                       fmt_count(s->pool.zone_extra, b, sizeof b));
  if (ms->fallback >= 0) {
    capplan_buf_printf(note, "%sfalls back to ", note->len ? "; " : "");
    capplan_buf_puts(note, m->stage[ms->fallback].name);
    capplan_buf_printf(
        note, "; %s without it",
        fmt_availability(s->pool.all.up, s->pool.all.down, b, sizeof b));
  }
  if (ms->standby)
    capplan_buf_printf(note, "%sfallback, not on the request path",
                       note->len ? "; " : "");
  if (ms->async)
    capplan_buf_printf(note, "%sasync: gates no request",
                       note->len ? "; " : "");
}

static void avail_row(capplan_buf *out, const char *name, const char *kind,
                      const pool_plan *pp, avail all, const avail_figs *f,
                      avail req, const char *note, bool weakest) {
  char b[6][FMT_SIZE];
  capplan_buf_puts(out, "<tr><td>");
  put(out, name);
  if (kind)
    capplan_buf_printf(out, "<span class=\"kind\">%s</span>", kind);
  capplan_buf_printf(out,
                     "</td><td class=\"n\">%s of %s</td><td class=\"n\">%s"
                     "</td><td style=\"min-width:140px\"><div class=\"track\">"
                     "<div class=\"fill%s\" style=\"width:",
                     fmt_count(pp->needed, b[0], FMT_SIZE),
                     fmt_count(pp->servers, b[1], FMT_SIZE),
                     fmt_availability(all.up, all.down, b[2], FMT_SIZE),
                     weakest ? " weak" : " ok");
  pct(out, f->nines, CAPPLAN_NINES_CAP);
  capplan_buf_printf(
      out,
      "\"></div></div></td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
      "<td class=\"n\">%s</td><td class=\"note\">",
      fmt_nines(f->nines, f->above_cap, b[3], FMT_SIZE),
      fmt_downtime(f->down_year_min, b[4], FMT_SIZE),
      fmt_availability(req.up, req.down, b[5], FMT_SIZE));
  put(out, note);
  capplan_buf_puts(out, "</td></tr>\n");
}

static void availability(const capplan_report *r, capplan_buf *out) {
  const capplan_model *m = r->model;
  const plan *pl = r->plan;
  char b[4][FMT_SIZE];
  /* The weakest pool: the most downtime with every server needed up. */
  double worst = -1;
  for (size_t i = 0; i < m->n_stages; i++) {
    const stage_plan *s = &pl->stage[i];
    if (m->stage[i].group < 0 && !m->stage[i].standby &&
        s->effective.down > worst)
      worst = s->effective.down;
    if (m->stage[i].has_cache && s->cache.pool->all.down > worst)
      worst = s->cache.pool->all.down;
  }
  for (size_t g = 0; g < m->n_groups; g++)
    if (pl->group[g].pool.all.down > worst)
      worst = pl->group[g].pool.all.down;

  capplan_buf_puts(out, "<h2 id=\"availability\">Availability</h2>\n");
  capplan_buf_printf(
      out,
      "<p class=\"lead\">With every stage up: <b>%s</b> (down %s a year). "
      "Of requests served: <b>%s</b>, as a stage with some servers down "
      "still serves some.  The bars show nines (up to %d); the red one is "
      "the weakest pool.</p>\n",
      fmt_availability(pl->all.up, pl->all.down, b[0], FMT_SIZE),
      fmt_downtime(pl->all_f.down_year_min, b[1], FMT_SIZE),
      fmt_availability(pl->req.up, pl->req.down, b[2], FMT_SIZE),
      CAPPLAN_NINES_CAP);
  capplan_buf_puts(out,
                   "<table>\n<tr><th>pool</th><th class=\"n\">up of"
                   "</th><th class=\"n\">all up</th><th></th><th "
                   "class=\"n\">nines</th><th class=\"n\">down/year</th><th "
                   "class=\"n\">requests</th><th>notes</th></tr>\n");
  size_t rows = 0;
  for (size_t k = 0; k < m->n_stages && rows < MAX_TABLE_ROWS; k++) {
    size_t i = m->order[k];
    const mstage *ms = &m->stage[i];
    const stage_plan *s = &pl->stage[i];
    if (ms->has_cache) {
      size_t len = strlen(ms->name) + 8;
      char *name = xmalloc(len);
      snprintf(name, len, "%s.cache", ms->name);
      avail_row(out, name, "cache tier", s->cache.pool, s->cache.pool->all,
                &s->cache.pool->all_f, s->cache.pool->req, "",
                s->cache.pool->all.down == worst);
      free(name);
      rows++;
    }
    if (ms->group >= 0)
      continue;
    capplan_buf note;
    capplan_buf_init(&note);
    avail_note(r, i, &note);
    avail_row(out, ms->name, NULL, &s->pool, s->effective, &s->effective_f,
              s->effective_req, note.data ? note.data : "",
              !ms->standby && s->effective.down == worst);
    capplan_buf_release(&note);
    rows++;
  }
  for (size_t g = 0; g < m->n_groups && rows < MAX_TABLE_ROWS; g++) {
    const pool_plan *pp = &pl->group[g].pool;
    avail_row(out, m->group[g].name, "group", pp, pp->all, &pp->all_f, pp->req,
              "", pp->all.down == worst);
    rows++;
  }
  capplan_buf_printf(
      out,
      "<tr class=\"total\"><td>system</td><td></td><td class=\"n\">%s</td>"
      "<td></td><td class=\"n\">%s</td><td class=\"n\">%s</td><td "
      "class=\"n\">%s</td><td class=\"note\">stages in series</td></tr>\n"
      "</table>\n",
      fmt_availability(pl->all.up, pl->all.down, b[0], FMT_SIZE),
      fmt_nines(pl->all_f.nines, pl->all_f.above_cap, b[1], FMT_SIZE),
      fmt_downtime(pl->all_f.down_year_min, b[2], FMT_SIZE),
      fmt_availability(pl->req.up, pl->req.down, b[3], FMT_SIZE));
  if (rows < m->n_stages + m->n_groups && rows >= MAX_TABLE_ROWS)
    capplan_buf_printf(out,
                       "<p class=\"note\">The first %d pools are shown; "
                       "<code>--format json</code> has them all.</p>\n",
                       MAX_TABLE_ROWS);
  capplan_buf_puts(out, "<p class=\"note\">All up: every stage can carry its "
                        "full load.  Requests: the expected share of "
                        "requests served.");
  if (!m->zones_modelled)
    capplan_buf_puts(out, "  Zone outages are left out: no stage sets "
                          "<code>zones</code>.");
  capplan_buf_puts(out, "</p>\n");
}

/* One row of the stage table. */
static void stage_row(capplan_buf *out, const char *name, bool sub,
                      const char *hw, double qps, double per_server,
                      const pool_plan *pp, const char *group, double latency) {
  char b[6][FMT_SIZE];
  capplan_buf_printf(out, "<tr%s><td>", sub ? " class=\"sub\"" : "");
  put(out, name);
  capplan_buf_puts(out, "</td><td>");
  put(out, hw);
  capplan_buf_printf(out, "</td><td class=\"n\">%s</td><td class=\"n\">%s</td>",
                     fmt_rate(qps, b[0], FMT_SIZE),
                     fmt_rate(per_server, b[1], FMT_SIZE));
  if (group) {
    capplan_buf_puts(out, "<td class=\"n\" colspan=\"2\">in group ");
    put(out, group);
    capplan_buf_printf(out, "</td><td class=\"n\">%s</td><td></td>",
                       fmt_ms(latency, b[4], FMT_SIZE));
  } else {
    capplan_buf_printf(
        out,
        "<td class=\"n\">%s%s%s</td><td class=\"n\">%s</td><td "
        "class=\"n\">%s</td><td class=\"n\">%s</td>",
        fmt_count(pp->servers, b[2], FMT_SIZE),
        pp->binding != CON_THROUGHPUT ? " by " : "",
        pp->binding != CON_THROUGHPUT ? constraint_name(pp->binding) : "",
        pp->gpus > 0 ? fmt_count(pp->gpus, b[3], FMT_SIZE) : "\xe2\x80\x93",
        fmt_ms(latency, b[4], FMT_SIZE),
        fmt_money(pp->cost_per_year, b[5], FMT_SIZE));
  }
  capplan_buf_puts(out, "</tr>\n");
}

static void stage_table(const capplan_report *r, capplan_buf *out) {
  const capplan_model *m = r->model;
  const plan *pl = r->plan;
  char b[4][FMT_SIZE];
  capplan_buf_puts(out, "<h2 id=\"stages\">Stages</h2>\n<table>\n<tr><th>"
                        "stage</th><th>hardware</th><th class=\"n\">QPS</th>"
                        "<th class=\"n\">QPS/server</th><th class=\"n\">"
                        "servers</th><th class=\"n\">GPUs</th><th "
                        "class=\"n\">latency</th><th class=\"n\">cost/year"
                        "</th></tr>\n");
  size_t shown = m->n_stages < MAX_TABLE_ROWS ? m->n_stages : MAX_TABLE_ROWS;
  for (size_t k = 0; k < shown; k++) {
    size_t i = m->order[k];
    const mstage *ms = &m->stage[i];
    const stage_plan *s = &pl->stage[i];
    stage_row(out, ms->name, false, render_stage_hw(m, i), s->load,
              s->tp.per_server, &s->pool, render_stage_group(m, i), s->latency);
    if (ms->has_cache) {
      size_t len = strlen(ms->name) + 8;
      char *name = xmalloc(len);
      snprintf(name, len, "%s.cache", ms->name);
      stage_row(out, name, true, m->hw[ms->cache_hw].name, s->cache_load,
                r->p->cache[r->model->stage[i].cache_at].qps_per_server,
                s->cache.pool, NULL,
                r->p->cache[r->model->stage[i].cache_at].latency);
      free(name);
    }
  }
  capplan_buf_printf(
      out,
      "<tr class=\"total\"><td>total</td><td></td><td></td><td></td><td "
      "class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
      "<td class=\"n\">%s</td></tr>\n</table>\n",
      fmt_count(pl->servers, b[0], FMT_SIZE),
      fmt_count(pl->gpus, b[1], FMT_SIZE), fmt_ms(pl->latency, b[2], FMT_SIZE),
      fmt_money(pl->cost_per_year, b[3], FMT_SIZE));
  if (shown < m->n_stages)
    capplan_buf_printf(out,
                       "<p class=\"note\">%zu of %zu stages are shown; "
                       "<code>--format json</code> has them all.</p>\n",
                       shown, m->n_stages);
  if (!m->n_groups)
    return;
  capplan_buf_puts(out, "<h2 id=\"groups\">Colocation groups</h2>\n<table>\n"
                        "<tr><th>group</th><th>hardware</th><th>stages</th>"
                        "<th class=\"n\">servers</th><th class=\"n\">GPUs"
                        "</th><th class=\"n\">cost/year</th></tr>\n");
  for (size_t g = 0; g < m->n_groups && g < MAX_TABLE_ROWS; g++) {
    const mgroup *mg = &m->group[g];
    const pool_plan *pp = &pl->group[g].pool;
    capplan_buf_puts(out, "<tr><td>");
    put(out, mg->name);
    capplan_buf_puts(out, "</td><td>");
    put(out, m->hw[mg->hw].name);
    capplan_buf_puts(out, "</td><td>");
    for (size_t k = 0; k < mg->n_members && k < MAX_TABLE_ROWS; k++) {
      capplan_buf_puts(out, k ? ", " : "");
      put(out, m->stage[mg->members[k]].name);
    }
    capplan_buf_printf(
        out,
        "</td><td class=\"n\">%s%s%s</td><td class=\"n\">%s</td><td "
        "class=\"n\">%s</td></tr>\n",
        fmt_count(pp->servers, b[0], FMT_SIZE),
        pp->binding != CON_THROUGHPUT ? " by " : "",
        pp->binding != CON_THROUGHPUT ? constraint_name(pp->binding) : "",
        pp->gpus > 0 ? fmt_count(pp->gpus, b[1], FMT_SIZE) : "\xe2\x80\x93",
        fmt_money(pp->cost_per_year, b[2], FMT_SIZE));
  }
  capplan_buf_puts(out, "</table>\n");
}

static void footer(const capplan_report *r, capplan_buf *out) {
  const capplan_model *m = r->model;
  const plan *pl = r->plan;
  capplan_buf_printf(out, "<footer>capplan %s \xc2\xb7 <code>",
                     CAPPLAN_VERSION);
  put(out, m->path);
  capplan_buf_puts(out, "</code> \xc2\xb7 critical path: ");
  const char **names = xmalloc((pl->n_critical + 1) * sizeof(char *));
  for (size_t k = 0; k < pl->n_critical; k++)
    names[k] = m->stage[pl->critical[k]].name;
  fmt_path(out, names, pl->n_critical, " \xe2\x86\x92 ", xml_puts);
  free(names);
  capplan_buf_puts(out, " \xc2\xb7 8,760 hours a year, 730 a month \xc2\xb7 "
                        "every figure with its working: <code>capplan "
                        "explain</code></footer>\n");
}

void render_html_report(const void *subject, const capplan_render_opts *opts,
                        capplan_buf *out) {
  (void)opts;
  const capplan_report *r = subject;
  capplan_buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
                        "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
                        "content=\"width=device-width, initial-scale=1\">\n");
  capplan_buf_printf(out,
                     "<meta name=\"generator\" content=\"capplan %s\">\n"
                     "<title>",
                     CAPPLAN_VERSION);
  put(out, r->model->name);
  capplan_buf_printf(out,
                     " \xc2\xb7 capplan plan</title>\n<style>\n%s</style>"
                     "\n</head>\n<body>\n<main>\n",
                     css);
  summary(r, out);
  checks(r, out);
  uncertainty(r, out);
  picture(r, out);
  cost_chart(r, out);
  latency_chart(r, out);
  tail_latency(r, out);
  availability(r, out);
  stage_table(r, out);
  footer(r, out);
  capplan_buf_puts(out, "</main>\n</body>\n</html>\n");
}

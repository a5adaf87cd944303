/*
 * render_graph_mermaid.c - 'capplan graph --format mermaid': the plan's
 * graph as a Mermaid flowchart, which GitHub and GitLab draw where a
 * pull request or a wiki page holds it in a ```mermaid block.
 *
 * The same nodes, labels and marks as the SVG (graph.c): thick red edges
 * on the critical path, dotted edges into async stages and to fallbacks,
 * cylinders for cache tiers, subgraphs for colocation groups.  Node and
 * subgraph names are n0, n1, ... and g0, g1, ... (never a spec's text);
 * labels are quoted, with every character Mermaid or HTML would read as
 * markup written as an entity code (#35; #quot; #lt; ...).  The grammar
 * used is the subset tests/check_mermaid.py checks.
 */
#include <stdio.h>
#include <string.h>

#include "graph.h"
#include "render.h"
#include "util.h"

/* Appends S for a quoted Mermaid label: control characters as visible
 * escapes (text_escape), and the characters that end a label or start
 * markup as Mermaid's entity codes. */
static void esc(capplan_buf *out, const char *s) {
  size_t n = s ? strlen(s) : 0, i = 0;
  while (i < n) {
    size_t plain = text_plain_prefix(s + i, n - i, 0);
    for (size_t k = i; k < i + plain; k++) {
      char c = s[k];
      if (strchr("\"#&<>`|\\;%", c))
        capplan_buf_printf(out, "#%d;", (int)(unsigned char)c);
      else
        capplan_buf_putc(out, c);
    }
    i += plain;
    if (i < n) {
      /* The escape's backslash must not reach Mermaid as one. */
      capplan_buf e;
      capplan_buf_init(&e);
      i += text_escape_one(&e, s + i, n - i);
      esc(out, e.data);
      capplan_buf_release(&e);
    }
  }
}

static void label(capplan_buf *out, const glabel *l) {
  capplan_buf_putc(out, '"');
  for (size_t k = 0; k < l->n; k++) {
    if (k == 0) {
      capplan_buf_puts(out, "<b>");
      esc(out, l->line[k]);
      capplan_buf_puts(out, "</b>");
    } else {
      capplan_buf_puts(out, "<br/>");
      esc(out, l->line[k]);
    }
  }
  capplan_buf_putc(out, '"');
}

static void node(const gnode *n, size_t i, const char *indent,
                 capplan_buf *out) {
  const char *open = "[", *close = "]";
  if (n->kind == GN_TRAFFIC) {
    open = "([";
    close = "])";
  } else if (n->kind == GN_CACHE) {
    open = "[(";
    close = ")]";
  }
  capplan_buf_printf(out, "%sn%zu%s", indent, i, open);
  label(out, &n->label);
  capplan_buf_printf(out, "%s\n", close);
}

/* "class n1,n4 critical" for the nodes that have a mark. */
static void class_line(const graph *g, capplan_buf *out, const char *cls,
                       bool (*has)(const gnode *)) {
  size_t k = 0;
  for (size_t i = 0; i < g->n_nodes; i++) {
    if (!has(&g->node[i]))
      continue;
    capplan_buf_printf(out, "%sn%zu", k ? "," : "  class ", i);
    k++;
  }
  if (k)
    capplan_buf_printf(out, " %s\n", cls);
}

static bool is_traffic(const gnode *n) {
  return n->kind == GN_TRAFFIC;
}
static bool is_cache(const gnode *n) {
  return n->kind == GN_CACHE;
}
static bool is_standby(const gnode *n) {
  return n->standby;
}
static bool is_async(const gnode *n) {
  return n->async && n->kind == GN_STAGE;
}
static bool is_problem(const gnode *n) {
  return n->problem;
}
static bool is_critical(const gnode *n) {
  return n->critical;
}

/* "linkStyle 0,3 STYLE" for the edges with FLAG. */
static void link_style(const graph *g, capplan_buf *out, unsigned flag,
                       const char *style) {
  size_t k = 0;
  for (size_t e = 0; e < g->n_edges; e++) {
    if (!(g->edge[e].flags & flag))
      continue;
    capplan_buf_printf(out, "%s%zu", k ? "," : "  linkStyle ", e);
    k++;
  }
  if (k)
    capplan_buf_printf(out, " %s\n", style);
}

void render_graph_mermaid(const void *subject, const capplan_render_opts *opts,
                          capplan_buf *out) {
  (void)opts;
  graph *g = graph_build(subject);
  /* The title in the front matter, as a YAML string in double quotes:
   * the label escapes keep quotes and backslashes out of it. */
  capplan_buf_puts(out, "---\ntitle: \"");
  esc(out, g->title);
  capplan_buf_puts(out, " \xc2\xb7 ");
  esc(out, g->subtitle);
  capplan_buf_puts(out, "\"\n---\nflowchart TD\n");
  for (size_t c = 0; c < g->n_clusters; c++) {
    capplan_buf_printf(out, "  subgraph g%zu[", c);
    label(out, &g->cluster[c].label);
    capplan_buf_puts(out, "]\n");
    for (size_t i = 0; i < g->n_nodes; i++)
      if (g->node[i].kind == GN_STAGE && g->node[i].group == (long)c)
        node(&g->node[i], i, "    ", out);
    capplan_buf_puts(out, "  end\n");
  }
  for (size_t i = 0; i < g->n_nodes; i++)
    if (g->node[i].kind != GN_STAGE || g->node[i].group < 0)
      node(&g->node[i], i, "  ", out);
  for (size_t e = 0; e < g->n_edges; e++) {
    const gedge *ge = &g->edge[e];
    const char *arrow = ge->flags & GE_CRITICAL                ? "==>"
                        : ge->flags & (GE_ASYNC | GE_FALLBACK) ? "-.->"
                                                               : "-->";
    capplan_buf_printf(out, "  n%zu %s|\"", ge->from, arrow);
    esc(out, ge->label);
    capplan_buf_printf(out, "\"| n%zu\n", ge->to);
  }
  capplan_buf_puts(out,
                   "  classDef traffic fill:#ddf4ff,stroke:#54aeff\n"
                   "  classDef cache fill:#fff8c5,stroke:#d4a72c\n"
                   "  classDef standby fill:#f6f8fa,stroke-dasharray:5 3\n"
                   "  classDef async stroke-dasharray:5 3\n"
                   "  classDef problem fill:#ffebe9\n"
                   "  classDef critical stroke:#cf222e,stroke-width:2px\n");
  class_line(g, out, "traffic", is_traffic);
  class_line(g, out, "cache", is_cache);
  class_line(g, out, "standby", is_standby);
  class_line(g, out, "async", is_async);
  class_line(g, out, "problem", is_problem);
  class_line(g, out, "critical", is_critical);
  for (size_t c = 0; c < g->n_clusters; c++)
    capplan_buf_printf(out,
                       "  style g%zu fill:#fbefff,stroke:#8250df,"
                       "stroke-dasharray:6 4\n",
                       c);
  link_style(g, out, GE_CRITICAL, "stroke:#cf222e,stroke-width:2.4px");
  link_style(g, out, GE_FALLBACK, "stroke:#9a6700");
  graph_free(g);
}

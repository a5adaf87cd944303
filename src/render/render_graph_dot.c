/*
 * render_graph_dot.c - 'capplan graph --format dot': the plan's graph in
 * Graphviz's DOT language, for 'dot -Tsvg' or any tool that reads DOT.
 *
 * The same nodes, labels and marks as the SVG (graph.c): the critical
 * path in red, async edges and fallbacks dashed, cache tiers as
 * cylinders, colocation groups as clusters.  Node names are n0, n1, ...
 * (a spec's text never becomes an identifier); every label is an
 * HTML-like label, whose text is XML-escaped (xml_puts), so nothing in a
 * spec can end a string or add an attribute.
 */
#include <stdio.h>
#include <string.h>

#include "graph.h"
#include "render.h"
#include "util.h"

#define FONT "Helvetica"

/* Label lines: the first in bold, the others smaller and grey (a status
 * line in red). */
static void label(capplan_buf *out, const glabel *l, const char *muted) {
  capplan_buf_putc(out, '<');
  for (size_t k = 0; k < l->n; k++) {
    bool status = !strncmp(l->line[k], "status:", 7);
    if (k == 0) {
      capplan_buf_puts(out, "<b>");
      xml_puts(out, l->line[k]);
      capplan_buf_puts(out, "</b>");
      continue;
    }
    capplan_buf_printf(out, "<br/><font point-size=\"9\" color=\"%s\">",
                       status ? "#cf222e" : muted);
    xml_puts(out, l->line[k]);
    capplan_buf_puts(out, "</font>");
  }
  capplan_buf_putc(out, '>');
}

static void node(const gnode *n, size_t i, const char *indent,
                 capplan_buf *out) {
  const char *shape = "box", *fill = "#ffffff", *color = "#8c959f";
  char style[48] = "rounded,filled";
  if (n->kind == GN_TRAFFIC) {
    shape = "oval";
    fill = "#ddf4ff";
    color = "#54aeff";
    snprintf(style, sizeof style, "filled");
  } else if (n->kind == GN_CACHE) {
    shape = "cylinder";
    fill = "#fff8c5";
    color = "#d4a72c";
    snprintf(style, sizeof style, "filled");
  } else if (n->standby) {
    fill = "#f6f8fa";
  }
  if (n->problem)
    fill = "#ffebe9";
  if (n->async || n->standby)
    strcat(style, ",dashed");
  if (n->critical)
    color = "#cf222e";
  capplan_buf_printf(out,
                     "%sn%zu [shape=%s, style=\"%s\", fillcolor=\"%s\", "
                     "color=\"%s\"%s, label=",
                     indent, i, shape, style, fill, color,
                     n->critical ? ", penwidth=2" : "");
  label(out, &n->label, "#57606a");
  capplan_buf_puts(out, "];\n");
}

void render_graph_dot(const void *subject, const capplan_render_opts *opts,
                      capplan_buf *out) {
  (void)opts;
  graph *g = graph_build(subject);
  capplan_buf_puts(out, "// capplan graph (render with: dot -Tsvg)\n"
                        "digraph capplan {\n"
                        "  graph [rankdir=TB, labelloc=t, labeljust=l, "
                        "fontname=\"" FONT "\", fontsize=13, nodesep=0.3, "
                        "ranksep=0.45, label=<<b>");
  xml_puts(out, g->title);
  capplan_buf_puts(out, "</b><br/><font point-size=\"10\" color=\"#57606a\">");
  xml_puts(out, g->subtitle);
  capplan_buf_puts(out, "</font>>];\n"
                        "  node [fontname=\"" FONT
                        "\", fontsize=12, margin=\"0.15,0.06\"];\n"
                        "  edge [fontname=\"" FONT
                        "\", fontsize=9, color=\"#8c959f\", "
                        "fontcolor=\"#57606a\", arrowsize=0.7];\n");
  for (size_t c = 0; c < g->n_clusters; c++) {
    capplan_buf_printf(out,
                       "  subgraph cluster_%zu {\n"
                       "    style=\"rounded,dashed,filled\"; "
                       "fillcolor=\"#fbefff\"; color=\"#8250df\"; "
                       "fontcolor=\"#8250df\"; fontsize=12; label=",
                       c);
    label(out, &g->cluster[c].label, "#8250df");
    capplan_buf_puts(out, ";\n");
    for (size_t i = 0; i < g->n_nodes; i++)
      if (g->node[i].kind == GN_STAGE && g->node[i].group == (long)c)
        node(&g->node[i], i, "    ", out);
    capplan_buf_puts(out, "  }\n");
  }
  for (size_t i = 0; i < g->n_nodes; i++)
    if (g->node[i].kind != GN_STAGE || g->node[i].group < 0)
      node(&g->node[i], i, "  ", out);
  for (size_t e = 0; e < g->n_edges; e++) {
    const gedge *ge = &g->edge[e];
    bool crit = ge->flags & GE_CRITICAL, fb = ge->flags & GE_FALLBACK;
    capplan_buf_printf(out, "  n%zu -> n%zu [", ge->from, ge->to);
    if (crit)
      capplan_buf_puts(out, "color=\"#cf222e\", fontcolor=\"#cf222e\", "
                            "penwidth=2.4, ");
    if (fb)
      capplan_buf_puts(out, "color=\"#9a6700\", fontcolor=\"#9a6700\", ");
    if (fb || (ge->flags & GE_ASYNC))
      capplan_buf_puts(out, "style=dashed, ");
    capplan_buf_puts(out, "label=<");
    xml_puts(out, ge->label);
    capplan_buf_puts(out, ">];\n");
  }
  capplan_buf_puts(out, "}\n");
  graph_free(g);
}

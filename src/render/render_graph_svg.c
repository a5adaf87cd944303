/*
 * render_graph_svg.c - 'capplan graph --format svg': the plan's graph
 * drawn with capplan's own layout (graph_layout.c), no Graphviz needed.
 * graph_svg() also draws the graph of the HTML report.
 *
 * What the drawing says (its legend repeats it): the critical path in
 * red, async stages and fallbacks dashed, cache tiers as yellow
 * cylinders, colocation groups as purple boxes around their stages,
 * overloaded or unmet stages in red.  Attributes rather than CSS, so any
 * SVG reader (librsvg, browsers, image viewers) shows the same picture.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "graph.h"
#include "render.h"
#include "util.h"

#define C_TEXT "#1f2328"
#define C_MUTED "#57606a"
#define C_LINE "#8c959f"
#define C_CRIT "#cf222e"
#define C_FALLBACK "#9a6700"
#define C_GROUP "#8250df"
#define FONT "DejaVu Sans, Verdana, Helvetica, Arial, sans-serif"

#define TITLE_BLOCK 46.0
#define LEGEND_ROW 18.0
#define MIN_WIDTH 320.0

/* A coordinate with one decimal.  Without printf where it can: a large
 * drawing has millions of them, and printf's conversion of a double was
 * most of the time its SVG took. */
static void num(capplan_buf *out, double v) {
  double r = round(v * 10);
  if (!(fabs(r) < 1e15)) {
    capplan_buf_printf(out, "%.1f", v + 0.0);
    return;
  }
  long long t = (long long)r;
  char buf[32], *p = buf + sizeof buf;
  bool neg = t < 0;
  unsigned long long u = neg ? (unsigned long long)-t : (unsigned long long)t;
  *--p = (char)('0' + u % 10);
  *--p = '.';
  u /= 10;
  do {
    *--p = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  if (neg)
    *--p = '-';
  capplan_buf_put(out, p, (size_t)(buf + sizeof buf - p));
}

static void defs(capplan_buf *out) {
  static const struct {
    const char *id, *color;
  } markers[] = {{"cp-arrow", C_LINE},
                 {"cp-arrow-crit", C_CRIT},
                 {"cp-arrow-fb", C_FALLBACK}};
  capplan_buf_puts(out, "<defs>");
  for (size_t i = 0; i < ARRAY_LEN(markers); i++)
    capplan_buf_printf(out,
                       "<marker id=\"%s\" viewBox=\"0 0 10 10\" refX=\"9\" "
                       "refY=\"5\" markerWidth=\"9\" markerHeight=\"9\" "
                       "markerUnits=\"userSpaceOnUse\" orient=\"auto\">"
                       "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"%s\"/>"
                       "</marker>",
                       markers[i].id, markers[i].color);
  capplan_buf_puts(out, "</defs>\n");
}

static void text_line(capplan_buf *out, double x, double y, double size,
                      bool bold, const char *fill, const char *s) {
  capplan_buf_puts(out, "<text x=\"");
  num(out, x);
  capplan_buf_puts(out, "\" y=\"");
  num(out, y);
  capplan_buf_printf(out, "\" font-size=\"%g\"%s fill=\"%s\">", size,
                     bold ? " font-weight=\"bold\"" : "", fill);
  xml_puts(out, s);
  capplan_buf_puts(out, "</text>");
}

static void cluster(const graph *g, const glayout *l, size_t c,
                    capplan_buf *out) {
  const gbox *b = &l->cluster_box[c];
  if (b->w <= 0)
    return;
  capplan_buf_puts(out, "<g class=\"cluster\"><title>");
  xml_puts(out, g->cluster[c].label.line[0]);
  capplan_buf_puts(out, "</title><rect x=\"");
  num(out, b->x);
  capplan_buf_puts(out, "\" y=\"");
  num(out, b->y);
  capplan_buf_puts(out, "\" width=\"");
  num(out, b->w);
  capplan_buf_puts(out, "\" height=\"");
  num(out, b->h);
  capplan_buf_puts(out, "\" rx=\"10\" fill=\"#fbefff\" stroke=\"" C_GROUP
                        "\" stroke-dasharray=\"6 4\"/></g>\n");
}

/* A group's label, drawn over the edges that enter its stages from
 * above, on the group's own colour. */
static void cluster_label(const graph *g, const glayout *l, size_t c,
                          capplan_buf *out) {
  const gbox *b = &l->cluster_box[c];
  if (b->w <= 0)
    return;
  const glabel *lb = &g->cluster[c].label;
  double tw = 0;
  for (size_t k = 0; k < lb->n; k++) {
    double w = graph_text_width(lb->line[k],
                                k ? GRAPH_FONT_TEXT : GRAPH_FONT_TITLE, !k);
    tw = w > tw ? w : tw;
  }
  capplan_buf_puts(out, "<g class=\"cluster-label\"><rect x=\"");
  num(out, b->x + 6);
  capplan_buf_puts(out, "\" y=\"");
  num(out, b->y + 4);
  capplan_buf_puts(out, "\" width=\"");
  num(out, tw + 8);
  capplan_buf_puts(out, "\" height=\"");
  num(out, GRAPH_TITLE_H + (double)(lb->n - 1) * GRAPH_LINE_H + 2);
  capplan_buf_puts(out, "\" rx=\"3\" fill=\"#fbefff\"/>");
  double y = b->y + 6 + 12;
  for (size_t k = 0; k < lb->n; k++) {
    text_line(out, b->x + 10, y, k ? GRAPH_FONT_TEXT : GRAPH_FONT_TITLE, !k,
              C_GROUP, lb->line[k]);
    y += k ? GRAPH_LINE_H : GRAPH_TITLE_H;
  }
  capplan_buf_puts(out, "</g>\n");
}

static void edge(const graph *g, const glayout *l, size_t e, capplan_buf *out) {
  const gedge *ge = &g->edge[e];
  const gpoint *p = l->path[e];
  size_t n = l->n_path[e];
  bool crit = ge->flags & GE_CRITICAL, fb = ge->flags & GE_FALLBACK;
  bool dashed = fb || (ge->flags & GE_ASYNC);
  capplan_buf_puts(out, "<path d=\"M");
  num(out, p[0].x);
  capplan_buf_putc(out, ',');
  num(out, p[0].y);
  /* Curves between layers (vertical tangents at both ends), straight
   * lines through the bands a long edge crosses. */
  for (size_t k = 1; k < n; k++) {
    if (k % 2 == 1) {
      double ym = (p[k - 1].y + p[k].y) / 2;
      capplan_buf_puts(out, " C");
      num(out, p[k - 1].x);
      capplan_buf_putc(out, ',');
      num(out, ym);
      capplan_buf_putc(out, ' ');
      num(out, p[k].x);
      capplan_buf_putc(out, ',');
      num(out, ym);
      capplan_buf_putc(out, ' ');
    } else {
      capplan_buf_puts(out, " L");
    }
    num(out, p[k].x);
    capplan_buf_putc(out, ',');
    num(out, p[k].y);
  }
  capplan_buf_printf(out,
                     "\" fill=\"none\" stroke=\"%s\" stroke-width=\"%s\"%s "
                     "marker-end=\"url(#%s)\"/>\n",
                     crit ? C_CRIT
                     : fb ? C_FALLBACK
                          : C_LINE,
                     crit ? "2.4" : "1.3",
                     dashed ? " stroke-dasharray=\"5 4\"" : "",
                     crit ? "cp-arrow-crit"
                     : fb ? "cp-arrow-fb"
                          : "cp-arrow");
}

static void edge_label(const graph *g, const glayout *l, size_t e,
                       capplan_buf *out) {
  const gedge *ge = &g->edge[e];
  if (!ge->label[0])
    return;
  bool crit = ge->flags & GE_CRITICAL;
  /* On a white ground, so the edge does not run through the text. */
  double w = graph_text_width(ge->label, GRAPH_FONT_EDGE, crit) + 6;
  double h = GRAPH_FONT_EDGE + 4;
  capplan_buf_puts(out, "<rect x=\"");
  num(out, l->label_at[e].x - w / 2);
  capplan_buf_puts(out, "\" y=\"");
  num(out, l->label_at[e].y - h / 2);
  capplan_buf_puts(out, "\" width=\"");
  num(out, w);
  capplan_buf_puts(out, "\" height=\"");
  num(out, h);
  capplan_buf_puts(out, "\" rx=\"3\" fill=\"#ffffff\" "
                        "fill-opacity=\"0.9\"/><text x=\"");
  num(out, l->label_at[e].x);
  capplan_buf_puts(out, "\" y=\"");
  num(out, l->label_at[e].y + GRAPH_FONT_EDGE * 0.35);
  capplan_buf_printf(
      out, "\" font-size=\"%g\" text-anchor=\"middle\"%s fill=\"%s\">",
      GRAPH_FONT_EDGE, crit ? " font-weight=\"bold\"" : "",
      crit                        ? C_CRIT
      : (ge->flags & GE_FALLBACK) ? C_FALLBACK
                                  : C_MUTED);
  xml_puts(out, ge->label);
  capplan_buf_puts(out, "</text>\n");
}

static void node(const graph *g, const glayout *l, size_t i, capplan_buf *out) {
  const gnode *n = &g->node[i];
  const gbox *b = &l->box[i];
  const char *fill = "#ffffff", *stroke = C_LINE, *width = "1";
  const char *dash = "";
  if (n->kind == GN_TRAFFIC) {
    fill = "#ddf4ff";
    stroke = "#54aeff";
  } else if (n->kind == GN_CACHE) {
    fill = "#fff8c5";
    stroke = "#d4a72c";
  } else if (n->standby) {
    fill = "#f6f8fa";
  }
  if (n->problem)
    fill = "#ffebe9";
  if (n->async || n->standby)
    dash = " stroke-dasharray=\"5 3\"";
  if (n->critical) {
    stroke = C_CRIT;
    width = "2";
  }
  /* data-box: the box, for tests that check nothing overlaps. */
  capplan_buf_puts(out, "<g class=\"node\" data-box=\"");
  num(out, b->x);
  capplan_buf_putc(out, ' ');
  num(out, b->y);
  capplan_buf_putc(out, ' ');
  num(out, b->w);
  capplan_buf_putc(out, ' ');
  num(out, b->h);
  capplan_buf_puts(out, "\"><title>");
  xml_puts(out, n->label.line[0]);
  capplan_buf_puts(out, "</title>");
  double top = b->y;
  if (n->kind == GN_CACHE) {
    /* A cylinder: the body, then the top's ellipse over it. */
    double ry = GRAPH_CACHE_RY, rx = b->w / 2;
    capplan_buf_puts(out, "<path d=\"M");
    num(out, b->x);
    capplan_buf_putc(out, ',');
    num(out, b->y + ry);
    capplan_buf_puts(out, " A");
    num(out, rx);
    capplan_buf_putc(out, ',');
    num(out, ry);
    capplan_buf_puts(out, " 0 0 0 ");
    num(out, b->x + b->w);
    capplan_buf_putc(out, ',');
    num(out, b->y + ry);
    capplan_buf_puts(out, " L");
    num(out, b->x + b->w);
    capplan_buf_putc(out, ',');
    num(out, b->y + b->h - ry);
    capplan_buf_puts(out, " A");
    num(out, rx);
    capplan_buf_putc(out, ',');
    num(out, ry);
    capplan_buf_puts(out, " 0 0 1 ");
    num(out, b->x);
    capplan_buf_putc(out, ',');
    num(out, b->y + b->h - ry);
    capplan_buf_printf(out,
                       " Z\" fill=\"%s\" stroke=\"%s\" "
                       "stroke-width=\"%s\"%s/><ellipse cx=\"",
                       fill, stroke, width, dash);
    num(out, b->x + rx);
    capplan_buf_puts(out, "\" cy=\"");
    num(out, b->y + ry);
    capplan_buf_puts(out, "\" rx=\"");
    num(out, rx);
    capplan_buf_puts(out, "\" ry=\"");
    num(out, ry);
    capplan_buf_printf(out,
                       "\" fill=\"%s\" stroke=\"%s\" stroke-width=\"%s\"/>",
                       fill, stroke, width);
    top += 2 * ry;
  } else {
    capplan_buf_puts(out, "<rect x=\"");
    num(out, b->x);
    capplan_buf_puts(out, "\" y=\"");
    num(out, b->y);
    capplan_buf_puts(out, "\" width=\"");
    num(out, b->w);
    capplan_buf_puts(out, "\" height=\"");
    num(out, b->h);
    capplan_buf_puts(out, "\" rx=\"");
    num(out, n->kind == GN_TRAFFIC ? b->h / 2 : 6);
    capplan_buf_printf(out,
                       "\" fill=\"%s\" stroke=\"%s\" stroke-width=\"%s\"%s/>",
                       fill, stroke, width, dash);
  }
  capplan_buf_puts(out, "<g text-anchor=\"middle\">");
  double y = top + GRAPH_PAD_Y + 12;
  for (size_t k = 0; k < n->label.n; k++) {
    bool status = k == 3 || !strncmp(n->label.line[k], "status:", 7);
    text_line(out, b->x + b->w / 2, y, k ? GRAPH_FONT_TEXT : GRAPH_FONT_TITLE,
              !k || status,
              status ? C_CRIT
              : k    ? C_MUTED
                     : C_TEXT,
              n->label.line[k]);
    y += k ? GRAPH_LINE_H : GRAPH_TITLE_H;
  }
  capplan_buf_puts(out, "</g></g>\n");
}

/* The legend: a sample of each kind of mark the drawing uses, in rows
 * that fit WIDTH; with DRAW false it only measures.  Returns its height. */
static double legend(const graph *g, double width, double y, bool draw,
                     capplan_buf *out) {
  bool async = false, fallback = false, cache = false;
  for (size_t e = 0; e < g->n_edges; e++) {
    async = async || (g->edge[e].flags & GE_ASYNC);
    fallback = fallback || (g->edge[e].flags & GE_FALLBACK);
  }
  for (size_t i = 0; i < g->n_nodes; i++)
    cache = cache || g->node[i].kind == GN_CACHE;
  struct {
    bool show;
    const char *mark, *text;
  } items[] = {
      {true,
       "<line x1=\"0\" y1=\"0\" x2=\"22\" y2=\"0\" stroke=\"" C_CRIT
       "\" stroke-width=\"2.4\"/>",
       "critical path"},
      {async,
       "<line x1=\"0\" y1=\"0\" x2=\"22\" y2=\"0\" stroke=\"" C_LINE
       "\" stroke-width=\"1.3\" stroke-dasharray=\"5 4\"/>",
       "async (gates no request)"},
      {fallback,
       "<line x1=\"0\" y1=\"0\" x2=\"22\" y2=\"0\" stroke=\"" C_FALLBACK
       "\" stroke-width=\"1.3\" stroke-dasharray=\"5 4\"/>",
       "fallback (stands in when its primary is down)"},
      {cache,
       "<rect x=\"4\" y=\"-6\" width=\"14\" height=\"12\" rx=\"3\" "
       "fill=\"#fff8c5\" stroke=\"#d4a72c\"/>",
       "cache tier"},
      {g->n_clusters > 0,
       "<rect x=\"2\" y=\"-6\" width=\"18\" height=\"12\" rx=\"3\" "
       "fill=\"#fbefff\" stroke=\"" C_GROUP "\" stroke-dasharray=\"4 2\"/>",
       "colocation group (shared servers)"},
  };
  double x = 16, row = 0;
  if (draw)
    capplan_buf_puts(out, "<g class=\"legend\" font-size=\"10\">");
  for (size_t k = 0; k < ARRAY_LEN(items); k++) {
    if (!items[k].show)
      continue;
    double w = 28 + graph_text_width(items[k].text, 10, false);
    if (x > 16 && x + w > width - 8) {
      x = 16;
      row++;
    }
    if (draw) {
      capplan_buf_puts(out, "<g transform=\"translate(");
      num(out, x);
      capplan_buf_putc(out, ',');
      num(out, y + 10 + row * LEGEND_ROW);
      capplan_buf_printf(out,
                         ")\">%s<text x=\"28\" y=\"3.5\" fill=\"" C_MUTED
                         "\">%s</text></g>",
                         items[k].mark, items[k].text);
    }
    x += w + 22;
  }
  if (draw)
    capplan_buf_puts(out, "</g>\n");
  return (row + 1) * LEGEND_ROW + 8;
}

void graph_svg(const graph *g, const glayout *l, bool standalone,
               capplan_buf *out) {
  double top = standalone ? TITLE_BLOCK : 0;
  double w = l->width > MIN_WIDTH ? l->width : MIN_WIDTH;
  if (standalone) {
    double tw = 32 + graph_text_width(g->title, 15, true);
    double sw = 32 + graph_text_width(g->subtitle, 11, false);
    w = tw > w ? tw : w;
    w = sw > w ? sw : w;
  }
  w = ceil(w);
  double legend_h = legend(g, w, 0, false, out);
  double h = top + l->height + legend_h;
  if (standalone) {
    capplan_buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                          "<svg xmlns=\"http://www.w3.org/2000/svg\" "
                          "width=\"");
    num(out, w);
    capplan_buf_puts(out, "\" height=\"");
    num(out, h);
    capplan_buf_putc(out, '"');
  } else {
    /* In a page: as wide as the column allows, up to a third larger
     * than drawn, so the labels stay readable. */
    capplan_buf_puts(out, "<svg class=\"graph\" style=\"width:100%;max-width:");
    num(out, ceil(w * 4 / 3));
    capplan_buf_puts(out, "px\"");
  }
  capplan_buf_puts(out, " viewBox=\"0 0 ");
  num(out, w);
  capplan_buf_putc(out, ' ');
  num(out, h);
  capplan_buf_puts(out, "\" font-family=\"" FONT "\" role=\"img\">\n<title>");
  xml_puts(out, g->title);
  capplan_buf_puts(out, ": ");
  xml_puts(out, g->subtitle);
  capplan_buf_puts(out, "</title>\n");
  defs(out);
  capplan_buf_puts(out, "<rect width=\"100%\" height=\"100%\" "
                        "fill=\"#ffffff\"/>\n");
  if (standalone) {
    text_line(out, 16, 24, 15, true, C_TEXT, g->title);
    text_line(out, 16, 40, 11, false, C_MUTED, g->subtitle);
    capplan_buf_puts(out, "\n<g transform=\"translate(0,");
    num(out, top);
    capplan_buf_puts(out, ")\">\n");
  }
  for (size_t c = 0; c < g->n_clusters; c++)
    cluster(g, l, c, out);
  for (size_t e = 0; e < g->n_edges; e++)
    edge(g, l, e, out);
  for (size_t i = 0; i < g->n_nodes; i++)
    node(g, l, i, out);
  for (size_t c = 0; c < g->n_clusters; c++)
    cluster_label(g, l, c, out);
  for (size_t e = 0; e < g->n_edges; e++)
    edge_label(g, l, e, out);
  if (standalone)
    capplan_buf_puts(out, "</g>\n");
  legend(g, w, top + l->height, true, out);
  capplan_buf_puts(out, "</svg>\n");
}

void render_graph_svg(const void *subject, const capplan_render_opts *opts,
                      capplan_buf *out) {
  (void)opts;
  graph *g = graph_build(subject);
  glayout *l = graph_layout(g);
  graph_svg(g, l, true, out);
  glayout_free(g, l);
  graph_free(g);
}

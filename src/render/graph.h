/*
 * graph.h - the plan as a picture: nodes, edges and clusters built from a
 * report, and capplan's own layered layout of them.
 *
 * One graph (graph_build) feeds every picture - the DOT, Mermaid and SVG
 * renderers of 'capplan graph' and the HTML report - so they all show the
 * same nodes, the same labels and the same critical path:
 *
 *   traffic -> entry stages -> ... ; a stage with a cache tier is reached
 *   through its tier (lookups in, misses out); a fallback hangs off its
 *   primary by a dashed edge; colocation groups are clusters.
 *
 * The layout (graph_layout) is a layered drawing (Sugiyama, Tagawa and
 * Toda 1981, "Methods for visual understanding of hierarchical system
 * structures", IEEE SMC 11(2)): layers by longest path from the sources,
 * dummy nodes on edges that span layers, barycentre ordering in a few
 * down and up sweeps, then x positions relaxed towards each node's
 * neighbours without breaking the order.  A group is one block that keeps
 * the same x in every layer it spans, so no other node falls inside its
 * box.  Text widths are estimated from a table of glyph widths.
 * Private to the library.
 */
#ifndef CAPPLAN_GRAPH_H
#define CAPPLAN_GRAPH_H

#include <stdbool.h>
#include <stddef.h>

#include "capplan.h"
#include "report.h"

enum gnode_kind { GN_TRAFFIC, GN_STAGE, GN_CACHE };

enum {
  GE_CRITICAL = 1u << 0, /* on the critical path */
  GE_ASYNC = 1u << 1,    /* into an async stage: gates no request */
  GE_FALLBACK = 1u << 2  /* primary to the stage that stands in for it */
};

enum { GRAPH_MAX_LINES = 4, GRAPH_LINE = 192 };

/* A node's label: a title line (the name) and detail lines, as plain text
 * that may hold anything a spec holds; each format escapes it. */
typedef struct glabel {
  char line[GRAPH_MAX_LINES][GRAPH_LINE];
  size_t n;
} glabel;

typedef struct gnode {
  enum gnode_kind kind;
  size_t stage;  /* GN_STAGE, GN_CACHE: the stage's index in the model */
  long group;    /* GN_STAGE: its colocation group, or -1 */
  bool critical; /* on the critical path */
  bool async, standby, problem; /* problem: overloaded or unmet */
  glabel label;
} gnode;

typedef struct gedge {
  size_t from, to; /* node indices */
  double qps;      /* requests per second along it; < 0: none shown */
  unsigned flags;  /* GE_* */
  char label[48];
} gedge;

typedef struct gcluster {
  size_t group; /* index into the model's groups */
  glabel label;
} gcluster;

typedef struct graph {
  const capplan_report *report;
  gnode *node; /* traffic first, then stages and tiers in spec order */
  size_t n_nodes;
  gedge *edge;
  size_t n_edges;
  gcluster *cluster;
  size_t n_clusters;
  char title[GRAPH_LINE];    /* the spec's name */
  char subtitle[GRAPH_LINE]; /* cost, servers, GPUs, latency */
} graph;

/* The picture of R.  Free with graph_free() (accepts NULL). */
graph *graph_build(const capplan_report *r);
void graph_free(graph *g);

/* A rate in a few characters: 150, 2.5, 30K, 1.23M (3 significant digits
 * from 1,000 on), for edge labels. */
char *graph_short_rate(double v, char *buf, size_t size);

/* ------------------------------------------------------------- layout */

typedef struct gpoint {
  double x, y;
} gpoint;

typedef struct gbox {
  double x, y, w, h; /* top-left corner and size */
} gbox;

/* Where everything goes, in pixels (y grows downwards). */
typedef struct glayout {
  gbox *box;         /* per node of the graph */
  gbox *cluster_box; /* per cluster */
  gpoint **path;     /* per edge: its points, source to target */
  size_t *n_path;
  gpoint *label_at; /* per edge: the centre of its label */
  double width, height;
} glayout;

/* Font sizes the layout measures with and the SVG draws with. */
#define GRAPH_FONT_TITLE 13.0
#define GRAPH_FONT_TEXT 11.0
#define GRAPH_FONT_EDGE 10.0
/* A box's inner padding, the height of its title line and of each other
 * line, and the depth of a cylinder's top (a cache tier). */
#define GRAPH_PAD_Y 7.0
#define GRAPH_TITLE_H 16.0
#define GRAPH_LINE_H 14.0
#define GRAPH_CACHE_RY 6.0

/* Estimated width in pixels of S set in a sans-serif face at SIZE (bold
 * a little wider): a table of DejaVu Sans advance widths for ASCII, one
 * em for anything else. */
double graph_text_width(const char *s, double size, bool bold);

/* Lays G out.  Free with glayout_free() (accepts NULL). */
glayout *graph_layout(const graph *g);
void glayout_free(const graph *g, glayout *l);

/* Appends the SVG drawing of G laid out as L.  STANDALONE writes an XML
 * declaration and the SVG namespace (a file of its own); otherwise the
 * element is for inline use in HTML. */
void graph_svg(const graph *g, const glayout *l, bool standalone,
               capplan_buf *out);

/* Appends S escaped for XML and HTML text and attribute values: & < > "
 * ' as entities, control characters and bytes that are not UTF-8 as
 * visible escapes (text_escape). */
void xml_puts(capplan_buf *out, const char *s);

#endif

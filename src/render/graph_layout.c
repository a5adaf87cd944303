/*
 * graph_layout.c - capplan's own layered layout of a plan's graph
 * (graph.h), so that 'capplan graph --format svg' and the HTML report
 * draw without Graphviz.
 *
 * The steps are those of Sugiyama, Tagawa and Toda (1981):
 *   1. layers: the longest path from the traffic node (a cycle, which a
 *      fallback edge can close, is broken at the lowest node index);
 *   2. dummy vertices on every edge that spans more than one layer, so
 *      long edges take part in ordering and get a lane of their own;
 *   3. order within layers: barycentre of the neighbours in the layer
 *      above (down sweeps) or below (up sweeps), eight sweeps, keeping the
 *      order with the fewest crossings; a colocation group's members stay
 *      together, and groups keep one order in every layer;
 *   4. x positions: each node (a group is one block, at the same x in
 *      every layer it spans) moves towards the mean x of its neighbours,
 *      as far as its left and right neighbours in each of its layers
 *      allow, in alternating sweeps (a Gauss-Seidel relaxation of the
 *      quadratic objective of Gansner et al. 1993, "A technique for
 *      drawing directed graphs", IEEE TSE 19(3), section 4, with edges
 *      between dummies weighted higher so long edges run straight);
 *   5. edges leave and enter at ports spread along the boxes' sides in the
 *      order of their other ends, and each label takes the first of a few
 *      places along its edge that overlaps no node and no other label.
 * Everything is deterministic: ties are broken by index.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "util.h"

enum {
  SWEEPS = 8,
  RELAX_ROUNDS = 40,
  /* Past these sizes the costly refinements are left out: the picture of
   * a 100,000-stage spec is a reference, not a diagram to read. */
  MAX_DUMMIES = 20000,
  MAX_CROSSING_SEGMENTS = 3000,
  MAX_LABEL_CHECK = 2000
};

#define MARGIN 16.0
#define PAD_X 10.0
#define GAP_NODE 30.0
#define GAP_DUMMY 14.0
#define GAP_IN_GROUP 18.0
#define DUMMY_W 10.0
#define LAYER_GAP 58.0
#define CLUSTER_PAD 10.0

typedef struct vert {
  long node; /* graph node, or -1 for a dummy */
  size_t layer, pos;
  double w, h;
  long cluster;  /* its group's cluster, or -1 */
  size_t item;   /* its item in the x assignment */
  double offset; /* from its item's centre */
  double key;    /* barycentre in the current sweep */
} vert;

typedef struct seg {
  size_t a, b; /* vertices in adjacent layers, a above b */
  double weight;
} seg;

typedef struct item {
  double w, x;
  long cluster;  /* -1: a single vertex */
  size_t lo, hi; /* layers it spans */
} item;

typedef struct lay {
  const graph *g;
  vert *v;
  size_t nv, vcap;
  seg *s;
  size_t ns, scap;
  size_t **chain; /* per edge: its vertices, source to target */
  size_t *chain_len;
  size_t n_layers;
  size_t **layer; /* vertices of each layer, in order */
  size_t *layer_n;
  size_t **up, **down; /* per vertex: neighbours above and below */
  size_t *n_up, *n_down;
} lay;

static size_t add_vert(lay *L, long node, size_t layer, double w, double h,
                       long cluster) {
  xgrow((void **)&L->v, &L->vcap, L->nv + 1, sizeof(vert));
  vert *v = &L->v[L->nv];
  memset(v, 0, sizeof *v);
  v->node = node;
  v->layer = layer;
  v->w = w;
  v->h = h;
  v->cluster = cluster;
  return L->nv++;
}

static void add_seg(lay *L, size_t a, size_t b, double weight) {
  xgrow((void **)&L->s, &L->scap, L->ns + 1, sizeof(seg));
  L->s[L->ns++] = (seg){a, b, weight};
}

/* The size of node N's box. */
static void node_size(const gnode *n, double *w, double *h) {
  double tw = 0;
  for (size_t k = 0; k < n->label.n; k++) {
    double lw = graph_text_width(n->label.line[k],
                                 k ? GRAPH_FONT_TEXT : GRAPH_FONT_TITLE, !k);
    tw = tw > lw ? tw : lw;
  }
  *w = ceil(tw + 2 * PAD_X);
  *h = 2 * GRAPH_PAD_Y + GRAPH_TITLE_H +
       (double)(n->label.n ? n->label.n - 1 : 0) * GRAPH_LINE_H;
  if (n->kind == GN_CACHE)
    *h += 2 * GRAPH_CACHE_RY;
  if (n->kind == GN_TRAFFIC)
    *w += *h / 2;
}

static double label_height(const glabel *l) {
  return GRAPH_TITLE_H + (double)(l->n ? l->n - 1 : 0) * GRAPH_LINE_H;
}

static double label_width(const glabel *l) {
  double tw = 0;
  for (size_t k = 0; k < l->n; k++) {
    double lw = graph_text_width(l->line[k],
                                 k ? GRAPH_FONT_TEXT : GRAPH_FONT_TITLE, !k);
    tw = tw > lw ? tw : lw;
  }
  return tw;
}

/* 1. Layers by longest path over a topological order (Kahn's; ties by
 * index; a cycle broken at its lowest remaining node). */
static size_t *assign_layers(const graph *g, size_t *n_layers) {
  size_t n = g->n_nodes;
  size_t *indeg = xcalloc(n + 1, sizeof(size_t));
  size_t *topo = xcalloc(n + 1, sizeof(size_t));
  size_t *rank = xcalloc(n + 1, sizeof(size_t));
  size_t *layer = xcalloc(n + 1, sizeof(size_t));
  bool *done = xcalloc(n + 1, sizeof(bool));
  /* Out-edges by node, in edge order (CSR). */
  size_t *start = xcalloc(n + 2, sizeof(size_t));
  size_t *outs = xcalloc(g->n_edges + 1, sizeof(size_t));
  for (size_t e = 0; e < g->n_edges; e++) {
    indeg[g->edge[e].to]++;
    start[g->edge[e].from + 1]++;
  }
  for (size_t i = 0; i < n; i++)
    start[i + 1] += start[i];
  size_t *fill = xcalloc(n + 1, sizeof(size_t));
  for (size_t e = 0; e < g->n_edges; e++) {
    size_t f = g->edge[e].from;
    outs[start[f] + fill[f]++] = e;
  }
  /* A queue in index order: a min-heap would be exact, but the sources
   * appear in index order and a FIFO keeps spec order among them. */
  size_t *queue = xcalloc(n + 1, sizeof(size_t));
  size_t head = 0, tail = 0, placed = 0, next_free = 0;
  for (size_t i = 0; i < n; i++)
    if (!indeg[i])
      queue[tail++] = i;
  while (placed < n) {
    if (head == tail) {
      while (next_free < n && done[next_free])
        next_free++;
      size_t v = next_free;
      indeg[v] = 0;
      queue[tail++] = v;
    }
    size_t v = queue[head++];
    if (done[v])
      continue;
    done[v] = true;
    rank[v] = placed;
    topo[placed++] = v;
    for (size_t k = start[v]; k < start[v + 1]; k++) {
      size_t t = g->edge[outs[k]].to;
      if (!done[t] && indeg[t] > 0 && --indeg[t] == 0)
        queue[tail++] = t;
    }
  }
  size_t top = 0;
  for (size_t k = 0; k < n; k++) {
    size_t v = topo[k];
    for (size_t j = start[v]; j < start[v + 1]; j++) {
      size_t t = g->edge[outs[j]].to;
      if (rank[t] > rank[v] && layer[t] < layer[v] + 1)
        layer[t] = layer[v] + 1;
    }
    top = layer[v] > top ? layer[v] : top;
  }
  *n_layers = n ? top + 1 : 0;
  free(indeg);
  free(topo);
  free(rank);
  free(done);
  free(start);
  free(outs);
  free(fill);
  free(queue);
  return layer;
}

static void build_adjacency(lay *L) {
  L->n_up = xcalloc(L->nv + 1, sizeof(size_t));
  L->n_down = xcalloc(L->nv + 1, sizeof(size_t));
  L->up = xcalloc(L->nv + 1, sizeof(size_t *));
  L->down = xcalloc(L->nv + 1, sizeof(size_t *));
  for (size_t k = 0; k < L->ns; k++) {
    L->n_down[L->s[k].a]++;
    L->n_up[L->s[k].b]++;
  }
  for (size_t i = 0; i < L->nv; i++) {
    L->up[i] = xcalloc(L->n_up[i] + 1, sizeof(size_t));
    L->down[i] = xcalloc(L->n_down[i] + 1, sizeof(size_t));
    L->n_up[i] = L->n_down[i] = 0;
  }
  for (size_t k = 0; k < L->ns; k++) {
    size_t a = L->s[k].a, b = L->s[k].b;
    L->down[a][L->n_down[a]++] = k;
    L->up[b][L->n_up[b]++] = k;
  }
}

/* The first visit of a depth-first walk from the sources along the edges
 * in their order: the initial order within each layer, which keeps
 * chains together. */
static void initial_order(lay *L) {
  size_t *seen = xcalloc(L->nv + 1, sizeof(size_t)); /* visit + 1 */
  size_t *stack = xcalloc(L->nv + 1, sizeof(size_t));
  size_t *next = xcalloc(L->nv + 1, sizeof(size_t));
  size_t visit = 0;
  for (size_t root = 0; root < L->nv; root++) {
    if (seen[root] || L->n_up[root])
      continue;
    size_t sp = 0;
    stack[sp++] = root;
    seen[root] = ++visit;
    while (sp) {
      size_t v = stack[sp - 1];
      if (next[v] < L->n_down[v]) {
        size_t w = L->s[L->down[v][next[v]++]].b;
        if (!seen[w]) {
          seen[w] = ++visit;
          stack[sp++] = w;
        }
      } else {
        sp--;
      }
    }
  }
  for (size_t v = 0; v < L->nv; v++)
    if (!seen[v])
      seen[v] = ++visit; /* on a cycle only: after the rest */
  for (size_t v = 0; v < L->nv; v++)
    L->v[v].key = (double)seen[v];
  free(seen);
  free(stack);
  free(next);
}

/* Orders vertices of a layer by (unit key, cluster, own key, index):
 * a group's members share their unit's key and so stay together. */
typedef struct sort_ent {
  size_t v;
  double unit_key, own_key;
  long cluster;
} sort_ent;

static int ent_cmp(const void *pa, const void *pb) {
  const sort_ent *a = pa, *b = pb;
  if (a->unit_key != b->unit_key)
    return a->unit_key < b->unit_key ? -1 : 1;
  if (a->cluster != b->cluster)
    return a->cluster < b->cluster ? -1 : 1;
  if (a->own_key != b->own_key)
    return a->own_key < b->own_key ? -1 : 1;
  return a->v < b->v ? -1 : a->v > b->v;
}

/* Sorts layer l by the vertices' keys, with each group's members as one
 * unit at the mean of their keys. */
static void sort_layer(lay *L, size_t l, size_t n_clusters, sort_ent *ents,
                       double *csum, size_t *ccount) {
  size_t n = L->layer_n[l];
  for (size_t c = 0; c < n_clusters; c++) {
    csum[c] = 0;
    ccount[c] = 0;
  }
  for (size_t k = 0; k < n; k++) {
    const vert *v = &L->v[L->layer[l][k]];
    if (v->cluster >= 0) {
      csum[v->cluster] += v->key;
      ccount[v->cluster]++;
    }
  }
  for (size_t k = 0; k < n; k++) {
    size_t vi = L->layer[l][k];
    const vert *v = &L->v[vi];
    ents[k].v = vi;
    ents[k].own_key = v->key;
    ents[k].cluster = v->cluster;
    ents[k].unit_key = v->cluster >= 0
                           ? csum[v->cluster] / (double)ccount[v->cluster]
                           : v->key;
  }
  qsort(ents, n, sizeof *ents, ent_cmp);
  for (size_t k = 0; k < n; k++) {
    L->layer[l][k] = ents[k].v;
    L->v[ents[k].v].pos = k;
  }
}

/* Crossings between layers l and l+1 (pairs of segments whose ends are in
 * opposite orders). */
static size_t crossings(const lay *L) {
  size_t total = 0;
  for (size_t i = 0; i < L->ns; i++)
    for (size_t j = i + 1; j < L->ns; j++) {
      const seg *a = &L->s[i], *b = &L->s[j];
      if (L->v[a->a].layer != L->v[b->a].layer)
        continue;
      long d1 = (long)L->v[a->a].pos - (long)L->v[b->a].pos;
      long d2 = (long)L->v[a->b].pos - (long)L->v[b->b].pos;
      if ((d1 < 0 && d2 > 0) || (d1 > 0 && d2 < 0))
        total++;
    }
  return total;
}

/* 3. Barycentre sweeps, keeping the best order seen. */
static void order_layers(lay *L, size_t n_clusters) {
  size_t maxn = 0;
  for (size_t l = 0; l < L->n_layers; l++)
    maxn = L->layer_n[l] > maxn ? L->layer_n[l] : maxn;
  sort_ent *ents = xcalloc(maxn + 1, sizeof(sort_ent));
  double *csum = xcalloc(n_clusters + 1, sizeof(double));
  size_t *ccount = xcalloc(n_clusters + 1, sizeof(size_t));
  for (size_t l = 0; l < L->n_layers; l++)
    sort_layer(L, l, n_clusters, ents, csum, ccount);
  bool count = L->ns <= MAX_CROSSING_SEGMENTS;
  size_t best = count ? crossings(L) : 0;
  size_t *best_pos = xcalloc(L->nv + 1, sizeof(size_t));
  for (size_t v = 0; v < L->nv; v++)
    best_pos[v] = L->v[v].pos;
  for (int sweep = 0; sweep < SWEEPS && (!count || best > 0); sweep++) {
    bool downward = sweep % 2 == 0;
    for (size_t st = 1; st < L->n_layers; st++) {
      size_t l = downward ? st : L->n_layers - 1 - st;
      for (size_t k = 0; k < L->layer_n[l]; k++) {
        size_t vi = L->layer[l][k];
        vert *v = &L->v[vi];
        size_t nn = downward ? L->n_up[vi] : L->n_down[vi];
        size_t *nb = downward ? L->up[vi] : L->down[vi];
        if (!nn) {
          v->key = (double)v->pos;
          continue;
        }
        double sum = 0;
        for (size_t j = 0; j < nn; j++) {
          const seg *s = &L->s[nb[j]];
          sum += (double)L->v[downward ? s->a : s->b].pos;
        }
        /* A small pull towards the current place breaks ties stably. */
        v->key = sum / (double)nn + 1e-6 * (double)v->pos;
      }
      sort_layer(L, l, n_clusters, ents, csum, ccount);
    }
    if (count) {
      size_t c = crossings(L);
      if (c < best) {
        best = c;
        for (size_t v = 0; v < L->nv; v++)
          best_pos[v] = L->v[v].pos;
      }
    } else {
      for (size_t v = 0; v < L->nv; v++)
        best_pos[v] = L->v[v].pos;
    }
  }
  for (size_t v = 0; v < L->nv; v++) {
    L->v[v].pos = best_pos[v];
    L->layer[L->v[v].layer][best_pos[v]] = v;
  }
  free(best_pos);
  free(ents);
  free(csum);
  free(ccount);
}

/* Items of the x assignment and their order in each layer: a vertex
 * outside any group is an item; a group is one item in every layer from
 * its first to its last member, so nothing else lands inside its box. */
typedef struct xplan {
  item *it;
  size_t n_items;
  size_t **row; /* per layer: items in order */
  size_t *row_n;
} xplan;

static double sep(const item *a, const item *b, size_t ia, size_t ib,
                  const size_t *dummy_item) {
  bool thin = dummy_item[ia] || dummy_item[ib];
  return (a->w + b->w) / 2 + (thin ? GAP_DUMMY : GAP_NODE);
}

static void assign_x(lay *L, const graph *g, xplan *xp, double *cluster_w,
                     double *cluster_label_w) {
  size_t nc = g->n_clusters;
  /* Items: one per cluster first, then one per free vertex. */
  xp->it = xcalloc(nc + L->nv + 1, sizeof(item));
  size_t *dummy_item = xcalloc(nc + L->nv + 1, sizeof(size_t));
  for (size_t c = 0; c < nc; c++) {
    xp->it[c].cluster = (long)c;
    xp->it[c].lo = (size_t)-1;
    xp->it[c].hi = 0;
  }
  xp->n_items = nc;
  for (size_t vi = 0; vi < L->nv; vi++) {
    vert *v = &L->v[vi];
    if (v->cluster >= 0) {
      item *c = &xp->it[v->cluster];
      v->item = (size_t)v->cluster;
      c->lo = v->layer < c->lo ? v->layer : c->lo;
      c->hi = v->layer > c->hi ? v->layer : c->hi;
      continue;
    }
    item *it = &xp->it[xp->n_items];
    it->cluster = -1;
    it->w = v->w;
    it->lo = it->hi = v->layer;
    dummy_item[xp->n_items] = v->node < 0;
    v->item = xp->n_items++;
  }
  /* Member offsets within each layer, and each group's width. */
  for (size_t c = 0; c < nc; c++)
    cluster_w[c] = cluster_label_w[c];
  for (size_t l = 0; l < L->n_layers; l++) {
    size_t k = 0;
    while (k < L->layer_n[l]) {
      long c = L->v[L->layer[l][k]].cluster;
      if (c < 0) {
        k++;
        continue;
      }
      size_t end = k;
      double total = 0;
      while (end < L->layer_n[l] && L->v[L->layer[l][end]].cluster == c) {
        total += L->v[L->layer[l][end]].w + (end > k ? GAP_IN_GROUP : 0);
        end++;
      }
      double at = -total / 2;
      for (size_t j = k; j < end; j++) {
        vert *v = &L->v[L->layer[l][j]];
        v->offset = at + v->w / 2;
        at += v->w + GAP_IN_GROUP;
      }
      cluster_w[c] = total > cluster_w[c] ? total : cluster_w[c];
      k = end;
    }
  }
  for (size_t c = 0; c < nc; c++)
    xp->it[c].w = cluster_w[c] + 2 * CLUSTER_PAD;

  /* Rows: each layer's items in order; a group with no member in a layer
   * it spans takes the place its members have in the nearest layer above
   * (as a share of the row). */
  xp->row = xcalloc(L->n_layers + 1, sizeof(size_t *));
  xp->row_n = xcalloc(L->n_layers + 1, sizeof(size_t));
  double *share = xcalloc(nc + 1, sizeof(double));
  bool *in_row = xcalloc(nc + 1, sizeof(bool));
  for (size_t l = 0; l < L->n_layers; l++) {
    xp->row[l] = xcalloc(L->layer_n[l] + nc + 1, sizeof(size_t));
    for (size_t c = 0; c < nc; c++)
      in_row[c] = false;
    size_t n = 0;
    for (size_t k = 0; k < L->layer_n[l]; k++) {
      const vert *v = &L->v[L->layer[l][k]];
      if (v->cluster >= 0) {
        if (in_row[v->cluster])
          continue;
        in_row[v->cluster] = true;
        share[v->cluster] =
            ((double)k + 0.5) / (double)(L->layer_n[l] ? L->layer_n[l] : 1);
      }
      xp->row[l][n++] = v->item;
    }
    for (size_t c = 0; c < nc; c++) {
      const item *ci = &xp->it[c];
      if (in_row[c] || ci->lo > l || ci->hi < l)
        continue;
      size_t at = (size_t)floor(share[c] * (double)n + 0.5);
      at = at > n ? n : at;
      memmove(&xp->row[l][at + 1], &xp->row[l][at], (n - at) * sizeof(size_t));
      xp->row[l][at] = c;
      n++;
    }
    xp->row_n[l] = n;
  }
  free(share);
  free(in_row);

  /* Left-packed start: every item as far left as the items before it in
   * each of its rows allow (repeated, as groups couple rows). */
  for (int pass = 0; pass < 100; pass++) {
    bool moved = false;
    for (size_t l = 0; l < L->n_layers; l++)
      for (size_t k = 0; k < xp->row_n[l]; k++) {
        size_t ii = xp->row[l][k];
        item *it = &xp->it[ii];
        double want = it->w / 2;
        if (k) {
          size_t pi = xp->row[l][k - 1];
          double s = xp->it[pi].x + sep(&xp->it[pi], it, pi, ii, dummy_item);
          want = s > want ? s : want;
        }
        if (want > it->x + 1e-9) {
          it->x = want;
          moved = true;
        }
      }
    if (!moved)
      break;
  }

  /* Where each item sits in each of its rows, for its neighbours. */
  size_t **slot = xcalloc(xp->n_items + 1, sizeof(size_t *));
  for (size_t ii = 0; ii < xp->n_items; ii++)
    slot[ii] = xcalloc(
        xp->it[ii].hi >= xp->it[ii].lo ? xp->it[ii].hi - xp->it[ii].lo + 1 : 1,
        sizeof(size_t));
  for (size_t l = 0; l < L->n_layers; l++)
    for (size_t k = 0; k < xp->row_n[l]; k++) {
      item *it = &xp->it[xp->row[l][k]];
      slot[xp->row[l][k]][l - it->lo] = k;
    }
  /* Vertices of each item (CSR), for the pull of their neighbours. */
  size_t *vstart = xcalloc(xp->n_items + 2, sizeof(size_t));
  size_t *vlist = xcalloc(L->nv + 1, sizeof(size_t));
  for (size_t vi = 0; vi < L->nv; vi++)
    vstart[L->v[vi].item + 1]++;
  for (size_t ii = 0; ii < xp->n_items; ii++)
    vstart[ii + 1] += vstart[ii];
  size_t *vfill = xcalloc(xp->n_items + 1, sizeof(size_t));
  for (size_t vi = 0; vi < L->nv; vi++) {
    size_t ii = L->v[vi].item;
    vlist[vstart[ii] + vfill[ii]++] = vi;
  }
  free(vfill);

  for (int round = 0; round < RELAX_ROUNDS; round++) {
    bool rightward = round % 2 == 1;
    bool downward = (round / 2) % 2 == 0;
    for (size_t st = 0; st < L->n_layers; st++) {
      size_t l = downward ? st : L->n_layers - 1 - st;
      for (size_t s = 0; s < xp->row_n[l]; s++) {
        size_t k = rightward ? xp->row_n[l] - 1 - s : s;
        size_t ii = xp->row[l][k];
        item *it = &xp->it[ii];
        if (it->lo != l)
          continue; /* a group moves once, from its first row */
        double sum = 0, wsum = 0;
        for (size_t j = vstart[ii]; j < vstart[ii + 1]; j++) {
          size_t vi = vlist[j];
          const vert *v = &L->v[vi];
          for (int dir = 0; dir < 2; dir++) {
            size_t nn = dir ? L->n_down[vi] : L->n_up[vi];
            size_t *nb = dir ? L->down[vi] : L->up[vi];
            for (size_t q = 0; q < nn; q++) {
              const seg *sg = &L->s[nb[q]];
              size_t ui = dir ? sg->b : sg->a;
              const vert *u = &L->v[ui];
              if (u->item == ii)
                continue;
              double ux = xp->it[u->item].x + u->offset;
              sum += sg->weight * (ux - v->offset);
              wsum += sg->weight;
            }
          }
        }
        if (wsum <= 0)
          continue;
        double want = sum / wsum, lo = -INFINITY, hi = INFINITY;
        for (size_t r = it->lo; r <= it->hi; r++) {
          size_t at = slot[ii][r - it->lo];
          if (at > 0) {
            size_t pi = xp->row[r][at - 1];
            double b = xp->it[pi].x + sep(&xp->it[pi], it, pi, ii, dummy_item);
            lo = b > lo ? b : lo;
          }
          if (at + 1 < xp->row_n[r]) {
            size_t ni = xp->row[r][at + 1];
            double b = xp->it[ni].x - sep(it, &xp->it[ni], ii, ni, dummy_item);
            hi = b < hi ? b : hi;
          }
        }
        if (lo > hi)
          continue;
        it->x = want < lo ? lo : want > hi ? hi : want;
      }
    }
  }
  for (size_t ii = 0; ii < xp->n_items; ii++)
    free(slot[ii]);
  free(slot);
  free(vstart);
  free(vlist);
  free(dummy_item);
}

/* A point of the cubic from P to Q with vertical tangents, at T. */
static gpoint curve_at(gpoint p, gpoint q, double t) {
  double ym = (p.y + q.y) / 2, s = 1 - t;
  double a = s * s * s + 3 * s * s * t, b = 3 * s * t * t + t * t * t;
  gpoint r;
  r.x = p.x * a + q.x * b;
  r.y = p.y * s * s * s + 3 * s * s * t * ym + 3 * s * t * t * ym +
        t * t * t * q.y;
  return r;
}

static bool overlaps(const gbox *a, const gbox *b) {
  return a->x < b->x + b->w && b->x < a->x + a->w && a->y < b->y + b->h &&
         b->y < a->y + a->h;
}

typedef struct port_ent {
  size_t e;
  double x;
} port_ent;

static int port_cmp(const void *pa, const void *pb) {
  const port_ent *a = pa, *b = pb;
  if (a->x != b->x)
    return a->x < b->x ? -1 : 1;
  return a->e < b->e ? -1 : a->e > b->e;
}

/* Spreads the ends of node N's edges (outgoing when OUT; their indices
 * are EDGES[0..N_EDGES)) along its bottom or top side, in the order of
 * the x of each edge's other end. */
static void spread_ports(const graph *g, const lay *L, const glayout *out,
                         size_t n, bool outgoing, const size_t *edges,
                         size_t n_edges, double *port, port_ent *ents) {
  size_t k = 0;
  for (size_t q = 0; q < n_edges; q++) {
    size_t e = edges[q];
    size_t len = L->chain_len[e];
    size_t other = outgoing ? L->chain[e][1] : L->chain[e][len - 2];
    const vert *ov = &L->v[other];
    double x = ov->node >= 0 ? out->box[ov->node].x + out->box[ov->node].w / 2
                             : out->path[e][outgoing ? 1 : len - 2].x;
    ents[k].e = e;
    ents[k].x = x;
    k++;
  }
  if (!k)
    return;
  qsort(ents, k, sizeof *ents, port_cmp);
  const gbox *b = &out->box[n];
  /* The rounded ends of a pill and the curve of a cylinder take a little
   * of each side. */
  double inset = g->node[n].kind == GN_TRAFFIC ? b->h / 2 : 6;
  double span = b->w - 2 * inset;
  for (size_t j = 0; j < k; j++)
    port[ents[j].e] = b->x + inset + span * ((double)j + 1) / ((double)k + 1);
}

glayout *graph_layout(const graph *g) {
  glayout *out = xcalloc(1, sizeof *out);
  size_t nn = g->n_nodes, ne = g->n_edges, nc = g->n_clusters;
  out->box = xcalloc(nn + 1, sizeof(gbox));
  out->cluster_box = xcalloc(nc + 1, sizeof(gbox));
  out->path = xcalloc(ne + 1, sizeof(gpoint *));
  out->n_path = xcalloc(ne + 1, sizeof(size_t));
  out->label_at = xcalloc(ne + 1, sizeof(gpoint));
  if (!nn) {
    out->width = out->height = 2 * MARGIN;
    return out;
  }

  lay L;
  memset(&L, 0, sizeof L);
  L.g = g;
  size_t *layer_of = assign_layers(g, &L.n_layers);
  for (size_t i = 0; i < nn; i++) {
    double w, h;
    node_size(&g->node[i], &w, &h);
    add_vert(&L, (long)i, layer_of[i], w, h,
             g->node[i].kind == GN_STAGE ? g->node[i].group : -1);
  }
  /* 2. Chains of dummies on long edges, within a budget. */
  size_t dummies = 0;
  L.chain = xcalloc(ne + 1, sizeof(size_t *));
  L.chain_len = xcalloc(ne + 1, sizeof(size_t));
  for (size_t e = 0; e < ne; e++) {
    size_t a = g->edge[e].from, b = g->edge[e].to;
    size_t la = layer_of[a], lb = layer_of[b];
    size_t span = lb > la ? lb - la : 0;
    if (span > 1 && dummies + span - 1 > MAX_DUMMIES)
      span = 0; /* drawn straight, outside the ordering */
    size_t len = span > 1 ? span + 1 : 2;
    L.chain[e] = xcalloc(len, sizeof(size_t));
    L.chain_len[e] = len;
    L.chain[e][0] = a;
    L.chain[e][len - 1] = b;
    for (size_t k = 1; k + 1 < len; k++)
      L.chain[e][k] = add_vert(&L, -1, la + k, DUMMY_W, 0, -1);
    if (span > 1)
      dummies += span - 1;
    if (span >= 1)
      for (size_t k = 0; k + 1 < len; k++) {
        bool da = L.v[L.chain[e][k]].node < 0,
             db = L.v[L.chain[e][k + 1]].node < 0;
        add_seg(&L, L.chain[e][k], L.chain[e][k + 1],
                da && db   ? 4.0
                : da || db ? 2.0
                           : 1.0);
      }
  }
  build_adjacency(&L);
  initial_order(&L);
  L.layer = xcalloc(L.n_layers + 1, sizeof(size_t *));
  L.layer_n = xcalloc(L.n_layers + 1, sizeof(size_t));
  for (size_t v = 0; v < L.nv; v++)
    L.layer_n[L.v[v].layer]++;
  for (size_t l = 0; l < L.n_layers; l++) {
    L.layer[l] = xcalloc(L.layer_n[l] + 1, sizeof(size_t));
    L.layer_n[l] = 0;
  }
  for (size_t v = 0; v < L.nv; v++) {
    size_t l = L.v[v].layer;
    L.layer[l][L.layer_n[l]++] = v;
  }
  order_layers(&L, nc);

  /* 4. x positions. */
  double *cluster_w = xcalloc(nc + 1, sizeof(double));
  double *cluster_lw = xcalloc(nc + 1, sizeof(double));
  for (size_t c = 0; c < nc; c++)
    cluster_lw[c] = ceil(label_width(&g->cluster[c].label));
  xplan xp;
  memset(&xp, 0, sizeof xp);
  assign_x(&L, g, &xp, cluster_w, cluster_lw);
  double left = INFINITY;
  for (size_t ii = 0; ii < xp.n_items; ii++)
    if (xp.it[ii].lo <= xp.it[ii].hi) {
      double x0 = xp.it[ii].x - xp.it[ii].w / 2;
      left = x0 < left ? x0 : left;
    }
  double shift = MARGIN - (isfinite(left) ? left : 0);

  /* y positions: each layer a band as tall as its tallest box, with room
   * above for the labels of groups that start in it. */
  double *band_top = xcalloc(L.n_layers + 1, sizeof(double));
  double *band_h = xcalloc(L.n_layers + 1, sizeof(double));
  double *room_above = xcalloc(L.n_layers + 1, sizeof(double));
  double *room_below = xcalloc(L.n_layers + 1, sizeof(double));
  for (size_t v = 0; v < L.nv; v++) {
    size_t l = L.v[v].layer;
    band_h[l] = L.v[v].h > band_h[l] ? L.v[v].h : band_h[l];
  }
  for (size_t c = 0; c < nc; c++) {
    const item *ci = &xp.it[c];
    if (ci->lo > ci->hi)
      continue;
    double need = label_height(&g->cluster[c].label) + CLUSTER_PAD + 4;
    room_above[ci->lo] = need > room_above[ci->lo] ? need : room_above[ci->lo];
    room_below[ci->hi] = CLUSTER_PAD;
  }
  double y = MARGIN;
  for (size_t l = 0; l < L.n_layers; l++) {
    y += room_above[l];
    band_top[l] = y;
    y += band_h[l] + room_below[l];
    if (l + 1 < L.n_layers)
      y += LAYER_GAP;
  }
  double right = 0;
  for (size_t i = 0; i < nn; i++) {
    const vert *v = &L.v[i];
    gbox *b = &out->box[i];
    b->w = v->w;
    b->h = v->h;
    b->x = xp.it[v->item].x + v->offset + shift - v->w / 2;
    b->y = band_top[v->layer] + (band_h[v->layer] - v->h) / 2;
    right = b->x + b->w > right ? b->x + b->w : right;
  }
  for (size_t c = 0; c < nc; c++) {
    const item *ci = &xp.it[c];
    gbox *b = &out->cluster_box[c];
    if (ci->lo > ci->hi)
      continue;
    b->w = ci->w;
    b->x = ci->x + shift - ci->w / 2;
    b->y = band_top[ci->lo] - room_above[ci->lo] + 4;
    b->h = band_top[ci->hi] + band_h[ci->hi] + room_below[ci->hi] - b->y;
    right = b->x + b->w > right ? b->x + b->w : right;
  }

  /* 5. Paths: out of the bottom of the source, through each dummy's band
   * straight down, into the top of the target. */
  for (size_t e = 0; e < ne; e++) {
    size_t len = L.chain_len[e];
    out->n_path[e] = 2 + 2 * (len - 2);
    out->path[e] = xcalloc(out->n_path[e], sizeof(gpoint));
    for (size_t k = 1; k + 1 < len; k++) {
      const vert *d = &L.v[L.chain[e][k]];
      double x = xp.it[d->item].x + shift;
      out->path[e][2 * k - 1] = (gpoint){x, band_top[d->layer]};
      out->path[e][2 * k] = (gpoint){x, band_top[d->layer] + band_h[d->layer]};
      right = x > right ? x : right;
    }
  }
  double *port_out = xcalloc(ne + 1, sizeof(double));
  double *port_in = xcalloc(ne + 1, sizeof(double));
  port_ent *ents = xcalloc(ne + 1, sizeof(port_ent));
  /* Ends first at the centres, so that ports can sort by them. */
  for (size_t e = 0; e < ne; e++) {
    const gbox *a = &out->box[g->edge[e].from], *b = &out->box[g->edge[e].to];
    out->path[e][0] = (gpoint){a->x + a->w / 2, a->y + a->h};
    out->path[e][out->n_path[e] - 1] = (gpoint){b->x + b->w / 2, b->y};
  }
  /* Each node's outgoing and incoming edges (CSR), in edge order. */
  size_t *ostart = xcalloc(nn + 2, sizeof(size_t));
  size_t *istart = xcalloc(nn + 2, sizeof(size_t));
  size_t *olist = xcalloc(ne + 1, sizeof(size_t));
  size_t *ilist = xcalloc(ne + 1, sizeof(size_t));
  for (size_t e = 0; e < ne; e++) {
    ostart[g->edge[e].from + 1]++;
    istart[g->edge[e].to + 1]++;
  }
  for (size_t i = 0; i < nn; i++) {
    ostart[i + 1] += ostart[i];
    istart[i + 1] += istart[i];
  }
  size_t *ofill = xcalloc(nn + 1, sizeof(size_t));
  size_t *ifill = xcalloc(nn + 1, sizeof(size_t));
  for (size_t e = 0; e < ne; e++) {
    size_t f = g->edge[e].from, t = g->edge[e].to;
    olist[ostart[f] + ofill[f]++] = e;
    ilist[istart[t] + ifill[t]++] = e;
  }
  for (size_t i = 0; i < nn; i++) {
    spread_ports(g, &L, out, i, true, olist + ostart[i],
                 ostart[i + 1] - ostart[i], port_out, ents);
    spread_ports(g, &L, out, i, false, ilist + istart[i],
                 istart[i + 1] - istart[i], port_in, ents);
  }
  free(ostart);
  free(istart);
  free(olist);
  free(ilist);
  free(ofill);
  free(ifill);
  for (size_t e = 0; e < ne; e++) {
    out->path[e][0].x = port_out[e];
    out->path[e][out->n_path[e] - 1].x = port_in[e];
  }
  free(ents);
  free(port_out);
  free(port_in);

  /* Labels: on the edge's first curve when its source has no more
   * outgoing edges than its target has incoming ones, else on its last;
   * at the first of a few places that overlaps nothing placed so far. */
  size_t *outdeg = xcalloc(nn + 1, sizeof(size_t));
  size_t *indeg = xcalloc(nn + 1, sizeof(size_t));
  for (size_t e = 0; e < ne; e++) {
    outdeg[g->edge[e].from]++;
    indeg[g->edge[e].to]++;
  }
  /* The groups' labels are drawn over edges: keep edge labels off them. */
  gbox *placed = xcalloc(ne + nc + 1, sizeof(gbox));
  size_t n_placed = 0;
  for (size_t c = 0; c < nc; c++) {
    const gbox *cb = &out->cluster_box[c];
    if (cb->w <= 0)
      continue;
    placed[n_placed++] = (gbox){cb->x + 6, cb->y + 4, cluster_lw[c] + 8,
                                label_height(&g->cluster[c].label) + 2};
  }
  bool check = nn + ne <= MAX_LABEL_CHECK;
  static const double ts[] = {0.5, 0.35, 0.65, 0.22, 0.78};
  for (size_t e = 0; e < ne; e++) {
    const gedge *ge = &g->edge[e];
    size_t np = out->n_path[e];
    if (!ge->label[0])
      continue;
    double lw = graph_text_width(ge->label, GRAPH_FONT_EDGE,
                                 (ge->flags & GE_CRITICAL) != 0) +
                6;
    double lh = GRAPH_FONT_EDGE + 4;
    bool first = outdeg[ge->from] <= indeg[ge->to];
    gpoint chosen = {0, 0};
    bool found = false;
    for (int side = 0; side < 2 && !found; side++) {
      bool use_first = side == 0 ? first : !first;
      gpoint p = use_first ? out->path[e][0] : out->path[e][np - 2];
      gpoint q = use_first ? out->path[e][1] : out->path[e][np - 1];
      for (size_t t = 0; t < ARRAY_LEN(ts) && !found; t++) {
        gpoint c = curve_at(p, q, ts[t]);
        if (side == 0 && t == 0)
          chosen = c;
        if (!check) {
          found = true;
          chosen = c;
          break;
        }
        gbox lb = {c.x - lw / 2, c.y - lh / 2, lw, lh};
        bool clash = false;
        for (size_t k = 0; k < n_placed && !clash; k++)
          clash = overlaps(&lb, &placed[k]);
        for (size_t k = 0; k < nn && !clash; k++)
          clash = overlaps(&lb, &out->box[k]);
        if (!clash) {
          found = true;
          chosen = c;
        }
      }
    }
    out->label_at[e] = chosen;
    placed[n_placed++] = (gbox){chosen.x - lw / 2, chosen.y - lh / 2, lw, lh};
    double r = chosen.x + lw / 2;
    right = r > right ? r : right;
  }
  free(placed);
  free(outdeg);
  free(indeg);

  out->width = ceil(right + MARGIN);
  out->height = ceil(y + MARGIN);

  for (size_t e = 0; e < ne; e++)
    free(L.chain[e]);
  free(L.chain);
  free(L.chain_len);
  for (size_t v = 0; v < L.nv; v++) {
    free(L.up[v]);
    free(L.down[v]);
  }
  free(L.up);
  free(L.down);
  free(L.n_up);
  free(L.n_down);
  for (size_t l = 0; l < L.n_layers; l++) {
    free(L.layer[l]);
    free(xp.row[l]);
  }
  free(L.layer);
  free(L.layer_n);
  free(xp.row);
  free(xp.row_n);
  free(xp.it);
  free(L.v);
  free(L.s);
  free(layer_of);
  free(cluster_w);
  free(cluster_lw);
  free(band_top);
  free(band_h);
  free(room_above);
  free(room_below);
  return out;
}

void glayout_free(const graph *g, glayout *l) {
  if (!l)
    return;
  for (size_t e = 0; g && e < g->n_edges; e++)
    free(l->path[e]);
  free(l->path);
  free(l->n_path);
  free(l->label_at);
  free(l->box);
  free(l->cluster_box);
  free(l);
}

/*
 * yaml_tree.c - libyaml events to a ynode tree (see yaml_tree.h).
 *
 * Collections under construction live on an explicit stack, so depth costs
 * heap, not C stack, and the depth limit is checked before it grows.
 */
#include "yaml_tree.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "util.h"

/* The tree's memory: blocks taken from the front, never cleared, since
 * every byte handed out is written at once (a node, its children's
 * pointers, a scalar's text).  A 100,000-stage spec makes 700,000 nodes;
 * the general arena cleared each and paid a call for each. */
typedef struct yblock {
  struct yblock *next;
  size_t size;
  max_align_t data[];
} yblock;

typedef struct ypool {
  yblock *head;
  char *base; /* the head's data */
  size_t used, size;
} ypool;

enum { YBLOCK_BYTES = 64 * 1024 };

struct ytree {
  ynode *root;
  ypool pool;
};

/* A collection's node with what only its building needs: the nodes under
 * it with aliases expanded (a scalar counts 1), saturated. */
typedef struct ycoll {
  ynode node;
  size_t weight;
} ycoll;

static void pool_free(ypool *p) {
  for (yblock *b = p->head; b;) {
    yblock *next = b->next;
    free(b);
    b = next;
  }
  p->head = NULL;
}

/* pool_take when the head block has no room for N bytes. */
static void *pool_grow(ypool *p, size_t n) {
  size_t size = n > YBLOCK_BYTES / 2 ? n : YBLOCK_BYTES;
  if (size > SIZE_MAX - sizeof(yblock))
    size = SIZE_MAX - sizeof(yblock); /* xmalloc reports it */
  yblock *b = xmalloc(sizeof(yblock) + size);
  b->size = size;
  if (p->head && size > YBLOCK_BYTES) {
    /* A large block goes behind the head, whose room stays. */
    b->next = p->head->next;
    p->head->next = b;
    return b->data;
  }
  b->next = p->head;
  p->head = b;
  p->base = (char *)b->data;
  p->size = size;
  p->used = n;
  return p->base;
}

/* N bytes of P at a multiple of ALIGN (a power of two, at most
 * max_align_t's); inline, as it runs for every event. */
static inline void *pool_take(ypool *p, size_t n, size_t align) {
  size_t at = (p->used + align - 1) & ~(align - 1);
  if (at <= p->size && p->size - at >= n) {
    p->used = at + n;
    return p->base + at;
  }
  return pool_grow(p, n);
}

/* An open collection; its children so far are kids[first..] of the
 * builder's one stack of children, the open collections' one after
 * another, so no collection allocates until it closes. */
typedef struct frame {
  ycoll *node;
  size_t first;
  char *anchor; /* registered when the collection closes */
} frame;

typedef struct anchor {
  char *name;
  ynode *node;
} anchor;

typedef struct builder {
  const capplan_source *src;
  const capplan_limits *lim;
  capplan_diags *d;
  ypool pool;
  frame *stack;
  size_t depth, stack_cap;
  ynode **kids; /* the open collections' children (frame) */
  size_t n_kids, kids_cap;
  anchor *anchors;
  size_t n_anchors, anchors_cap;
  size_t aliases;
  ynode *root;
  int documents;
  bool failed;
} builder;

static capplan_loc mark_loc(yaml_mark_t m) {
  capplan_loc l = {(int)m.line + 1, (int)m.column + 1, 1};
  return l;
}

/* Line and column of byte OFFSET, for reader errors (which give bytes). */
static capplan_loc offset_loc(const capplan_source *src, size_t offset) {
  capplan_loc l = {1, 1, 1};
  size_t line_start = 0;
  if (offset > src->len)
    offset = src->len;
  for (size_t i = 0; i < offset; i++) {
    if (src->text[i] == '\n') {
      l.line++;
      line_start = i + 1;
    }
  }
  l.col = (int)utf8_width(src->text + line_start, offset - line_start) + 1;
  return l;
}

static size_t sat_add(size_t a, size_t b) {
  return a > (size_t)-1 - b ? (size_t)-1 : a + b;
}

/* Turns a libyaml error into a message about the user's text: where the
 * problem started (an unclosed bracket is reported where it opens), what
 * is wrong, and how to fix it; libyaml's own words go in the help. */
static void report_parser_error(builder *b, const yaml_parser_t *p) {
  const char *prob = p->problem ? p->problem : "unknown error";
  const char *ctx = p->context ? p->context : "";
  if (p->error == YAML_READER_ERROR) {
    capplan_loc l = offset_loc(b->src, p->problem_offset);
    if (p->problem_value == 0 && strstr(prob, "control characters"))
      capplan_diags_add(b->d, CAPPLAN_ERROR, l,
                        "remove the NUL byte; a spec is plain UTF-8 text",
                        "the spec contains a NUL byte");
    else
      capplan_diags_add(b->d, CAPPLAN_ERROR, l,
                        "remove the character; a spec is plain UTF-8 text",
                        "the spec contains a character YAML does not allow "
                        "(%s)",
                        prob);
    return;
  }
  if (p->error == YAML_MEMORY_ERROR) {
    capplan_diags_add(b->d, CAPPLAN_ERROR, (capplan_loc){0, 0, 0}, NULL,
                      "out of memory while parsing YAML");
    return;
  }
  capplan_loc at = mark_loc(p->problem_mark);
  capplan_loc open = mark_loc(p->context_mark);
  size_t off = p->problem_mark.index;
  char help[256];
  if (strstr(ctx, "flow sequence") || strstr(ctx, "flow mapping")) {
    bool seq = strstr(ctx, "sequence") != NULL;
    snprintf(
        help, sizeof help,
        "close it with '%c'; YAML found %s on line %d instead", seq ? ']' : '}',
        strstr(prob, "expected ','") ? "something else" : "the end", at.line);
    capplan_diags_add(b->d, CAPPLAN_ERROR, open, help,
                      "this '%c' is never closed", seq ? '[' : '{');
  } else if (strstr(ctx, "quoted scalar")) {
    capplan_diags_add(b->d, CAPPLAN_ERROR, open,
                      strstr(prob, "escape")
                          ? "inside double quotes a backslash starts an "
                            "escape; use single quotes or write \\\\"
                          : "close the quote on the same value",
                      strstr(prob, "escape") ? "invalid escape in a quoted "
                                               "value"
                                             : "this quote is never closed");
  } else if (strstr(prob, "cannot start any token") && off < b->src->len &&
             b->src->text[off] == '\t') {
    capplan_diags_add(b->d, CAPPLAN_ERROR, at,
                      "YAML indents with spaces only; replace the tab",
                      "a tab is used for indentation");
  } else if (strstr(prob, "mapping values are not allowed")) {
    capplan_diags_add(b->d, CAPPLAN_ERROR, at,
                      "a value cannot contain ': '; quote it, or put the key "
                      "on a line of its own",
                      "unexpected ':' after a value");
  } else if (strstr(prob, "did not find expected key") ||
             strstr(prob, "did not find expected '-' indicator")) {
    snprintf(help, sizeof help,
             "indent every key of one mapping (or item of one list) by the "
             "same number of spaces as on line %d",
             open.line);
    capplan_diags_add(b->d, CAPPLAN_ERROR, at, help,
                      "this line's indentation does not match the %s above it",
                      strstr(prob, "'-'") ? "list" : "keys");
  } else {
    if (*ctx)
      snprintf(help, sizeof help, "%s at line %d, column %d", ctx, open.line,
               open.col);
    capplan_diags_add(b->d, CAPPLAN_ERROR, at, *ctx ? help : NULL,
                      "invalid YAML: %s", prob);
  }
}

static size_t weight_of(const ynode *n) {
  return n->kind == YN_SCALAR ? 1 : ((const ycoll *)n)->weight;
}

static void fail_at(builder *b, capplan_loc l, const char *help,
                    const char *msg) {
  capplan_diags_add(b->d, CAPPLAN_ERROR, l, help, "%s", msg);
  b->failed = true;
}

/* Adds a finished node to the open collection, or makes it the root. */
static void attach(builder *b, ynode *n) {
  if (b->depth == 0) {
    b->root = n;
    return;
  }
  if (b->n_kids == b->kids_cap)
    xgrow((void **)&b->kids, &b->kids_cap, b->n_kids + 1, sizeof(ynode *));
  b->kids[b->n_kids++] = n;
}

static void define_anchor(builder *b, const yaml_char_t *name, ynode *n) {
  if (!name)
    return;
  xgrow((void **)&b->anchors, &b->anchors_cap, b->n_anchors + 1,
        sizeof(anchor));
  b->anchors[b->n_anchors].name = xstrdup((const char *)name);
  b->anchors[b->n_anchors].node = n;
  b->n_anchors++;
}

static ynode *find_anchor(const builder *b, const char *name) {
  /* The latest definition wins (YAML allows redefining an anchor). */
  for (size_t i = b->n_anchors; i-- > 0;)
    if (!strcmp(b->anchors[i].name, name))
      return b->anchors[i].node;
  return NULL;
}

static void check_weight(builder *b, const ycoll *c) {
  const ynode *n = &c->node;
  if (c->weight > b->lim->max_nodes) {
    char help[192];
    snprintf(help, sizeof help,
             "a spec may have at most %zu nodes with aliases expanded; remove "
             "the nested aliases (CAPPLAN_LIMITS=nodes=N raises it)",
             b->lim->max_nodes);
    fail_at(b, n->loc, help, "the spec expands to too many YAML nodes");
  }
}

static void on_event(builder *b, const yaml_event_t *e) {
  switch (e->type) {
  case YAML_DOCUMENT_START_EVENT:
    if (++b->documents > 1)
      fail_at(b, mark_loc(e->start_mark), "put each spec in its own file",
              "the file holds more than one YAML document");
    break;
  case YAML_SCALAR_EVENT: {
    /* The text right after its node: one take, and read together. */
    size_t len = e->data.scalar.length;
    ynode *n = pool_take(&b->pool, sizeof *n + len + 1, _Alignof(ynode));
    char *text = (char *)(n + 1);
    n->loc = mark_loc(e->start_mark);
    n->kind = YN_SCALAR;
    n->kids = NULL;
    n->n = 0;
    n->len = len;
    memcpy(text, e->data.scalar.value, n->len);
    text[n->len] = '\0';
    n->text = text;
    n->plain = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    n->quoted = e->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                e->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    if (e->end_mark.line == e->start_mark.line &&
        e->end_mark.column > e->start_mark.column)
      n->loc.len = (int)(e->end_mark.column - e->start_mark.column);
    if (n->len > b->lim->max_string_len) {
      char help[160];
      snprintf(help, sizeof help,
               "values may be at most %zu bytes long (CAPPLAN_LIMITS=string=N "
               "raises it)",
               b->lim->max_string_len);
      fail_at(b, n->loc, help, "a value in the spec is too long");
      break;
    }
    define_anchor(b, e->data.scalar.anchor, n);
    attach(b, n);
    break;
  }
  case YAML_SEQUENCE_START_EVENT:
  case YAML_MAPPING_START_EVENT: {
    if (b->depth >= (size_t)b->lim->max_depth) {
      char help[160];
      snprintf(help, sizeof help,
               "a spec may nest at most %d levels deep (CAPPLAN_LIMITS=depth=N "
               "raises it)",
               b->lim->max_depth);
      fail_at(b, mark_loc(e->start_mark), help, "the spec nests too deeply");
      break;
    }
    ycoll *c = pool_take(&b->pool, sizeof *c, _Alignof(ycoll));
    ynode *n = &c->node;
    n->loc = mark_loc(e->start_mark);
    n->kind = e->type == YAML_SEQUENCE_START_EVENT ? YN_SEQ : YN_MAP;
    n->plain = n->quoted = false;
    n->text = NULL;
    n->len = 0;
    c->weight = 1;
    xgrow((void **)&b->stack, &b->stack_cap, b->depth + 1, sizeof(frame));
    frame *f = &b->stack[b->depth++];
    f->node = c;
    f->first = b->n_kids;
    const yaml_char_t *a = e->type == YAML_SEQUENCE_START_EVENT
                               ? e->data.sequence_start.anchor
                               : e->data.mapping_start.anchor;
    f->anchor = a ? xstrdup((const char *)a) : NULL;
    break;
  }
  case YAML_SEQUENCE_END_EVENT:
  case YAML_MAPPING_END_EVENT: {
    frame *f = &b->stack[--b->depth];
    ycoll *c = f->node;
    ynode *n = &c->node;
    /* No kids yet at all (an empty collection first): no array to
     * offset into. */
    ynode **kids = b->kids ? b->kids + f->first : NULL;
    n->n = b->n_kids - f->first;
    n->kids = pool_take(&b->pool, (n->n ? n->n : 1) * sizeof(ynode *),
                        _Alignof(ynode *));
    if (n->n)
      memcpy(n->kids, kids, n->n * sizeof(ynode *));
    for (size_t i = 0; i < n->n; i++)
      c->weight = sat_add(c->weight, weight_of(kids[i]));
    b->n_kids = f->first;
    if (f->anchor)
      define_anchor(b, (const yaml_char_t *)f->anchor, n);
    free(f->anchor);
    check_weight(b, c);
    attach(b, n);
    break;
  }
  case YAML_ALIAS_EVENT: {
    const char *name = (const char *)e->data.alias.anchor;
    ynode *target = find_anchor(b, name);
    if (++b->aliases > b->lim->max_aliases) {
      char help[160];
      snprintf(help, sizeof help,
               "a spec may use at most %zu aliases (CAPPLAN_LIMITS=aliases=N "
               "raises it)",
               b->lim->max_aliases);
      fail_at(b, mark_loc(e->start_mark), help,
              "the spec uses too many YAML aliases");
      break;
    }
    if (!target) {
      char msg[192];
      snprintf(msg, sizeof msg, "alias '*%.64s' has no anchor before it", name);
      capplan_loc l = mark_loc(e->start_mark);
      l.len = 1 + (int)utf8_width(name, strlen(name));
      fail_at(b, l,
              "mark an earlier value with '&name' to refer to it as '*name'",
              msg);
      break;
    }
    attach(b, target);
    break;
  }
  default:
    break;
  }
}

ytree *ytree_parse(const capplan_source *src, const capplan_limits *limits,
                   capplan_diags *d) {
  builder b;
  memset(&b, 0, sizeof b);
  b.src = src;
  b.lim = limits;
  b.d = d;

  /* Text must be UTF-8: libyaml would also take UTF-16, and it reports
   * bad bytes after the fact; checking first points at the byte. */
  size_t valid = utf8_valid_prefix(src->text, src->len);
  if (valid < src->len) {
    unsigned char c = (unsigned char)src->text[valid];
    bool utf16 = valid == 0 && src->len >= 2 &&
                 ((c == 0xFF && (unsigned char)src->text[1] == 0xFE) ||
                  (c == 0xFE && (unsigned char)src->text[1] == 0xFF));
    capplan_diags_add(d, CAPPLAN_ERROR, offset_loc(src, valid),
                      utf16 ? "save the file as UTF-8"
                            : "save the file as UTF-8; a byte like this "
                              "often comes from Latin-1 or Windows-1252 text",
                      utf16 ? "the spec is UTF-16 text"
                            : "byte 0x%02X is not valid UTF-8",
                      c);
    pool_free(&b.pool);
    return NULL;
  }

  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser)) {
    capplan_diags_add(d, CAPPLAN_ERROR, (capplan_loc){0, 0, 0}, NULL,
                      "cannot initialise the YAML parser");
    pool_free(&b.pool);
    return NULL;
  }
  yaml_parser_set_input_string(&parser, (const unsigned char *)src->text,
                               src->len);
  for (bool done = false; !done && !b.failed;) {
    yaml_event_t e;
    if (!yaml_parser_parse(&parser, &e)) {
      report_parser_error(&b, &parser);
      b.failed = true;
      break;
    }
    done = e.type == YAML_STREAM_END_EVENT;
    on_event(&b, &e);
    yaml_event_delete(&e);
  }
  yaml_parser_delete(&parser);

  for (size_t i = 0; i < b.depth; i++)
    free(b.stack[i].anchor);
  free(b.stack);
  free(b.kids);
  for (size_t i = 0; i < b.n_anchors; i++)
    free(b.anchors[i].name);
  free(b.anchors);
  if (b.failed) {
    pool_free(&b.pool);
    return NULL;
  }
  ytree *t = xcalloc(1, sizeof *t);
  t->root = b.root;
  t->pool = b.pool;
  return t;
}

const ynode *ytree_root(const ytree *t) {
  return t->root;
}

void ytree_free(ytree *t) {
  if (!t)
    return;
  pool_free(&t->pool);
  free(t);
}

const char *ynode_kind_name(const ynode *n) {
  switch (n->kind) {
  case YN_MAP:
    return "a mapping";
  case YN_SEQ:
    return "a list";
  case YN_SCALAR:
    return ynode_is_null(n) ? "nothing (null)" : "a value";
  }
  return "a value";
}

/*
 * yaml_tree.h - a YAML document as a small tree of nodes with positions.
 *
 * The only module that sees libyaml.  It builds its own tree from parser
 * events (not libyaml's document API) so it can bound what a hostile file
 * may cost: nesting depth, node count with aliases expanded, alias count.
 * Aliases become shared references to the anchored node; no copy is made.
 */
#ifndef CAPPLAN_YAML_TREE_H
#define CAPPLAN_YAML_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "capplan.h"

enum ynode_kind { YN_SCALAR, YN_SEQ, YN_MAP };

/* 48 bytes: a 100,000-stage spec holds 700,000 of them.  The fields are
 * ordered so, and the kind is a byte, to leave no padding. */
typedef struct ynode {
  capplan_loc loc;    /* where the node starts; len spans a one-line scalar */
  unsigned char kind; /* an enum ynode_kind */
  bool plain;         /* an unquoted scalar */
  bool quoted;        /* a single- or double-quoted scalar */
  const char *text;   /* scalar value, NUL-terminated */
  size_t len;
  /* Children: a sequence's items, or a mapping's keys and values
   * alternating (key 0, value 0, key 1, ...); n counts entries in kids. */
  struct ynode **kids;
  size_t n;
} ynode;

typedef struct ytree ytree;

/* Parses the single document in SRC.  Returns NULL after appending
 * diagnostics on a syntax error, a breached limit, or several documents.
 * An empty stream gives a tree whose root is NULL. */
ytree *ytree_parse(const capplan_source *src, const capplan_limits *limits,
                   capplan_diags *d);
const ynode *ytree_root(const ytree *t);
void ytree_free(ytree *t);

/* A plain scalar that YAML reads as null: empty, ~, null, Null, NULL. */
bool ynode_is_null(const ynode *n);
/* "a mapping", "a list", "a string", "null" - for messages. */
const char *ynode_kind_name(const ynode *n);

#endif

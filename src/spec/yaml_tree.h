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

/* A plain scalar that YAML reads as null: empty, ~, null, Null, NULL.
 * Inline: the loader asks it of every key and value. */
static inline bool ynode_is_null(const ynode *n) {
  if (n->kind != YN_SCALAR || !n->plain)
    return false;
  if (n->len == 0)
    return true;
  /* Most values are not null: the length and one byte tell (every null
   * is 1 or 4 bytes and starts so; 'name', a key of every stage, too).
   * The text holds a NUL after its LEN bytes, so comparing four bytes is
   * strcmp's answer. */
  if (n->len == 1)
    return n->text[0] == '~';
  if (n->len != 4)
    return false;
  const char *t = n->text;
  if (t[0] == 'n')
    return t[1] == 'u' && t[2] == 'l' && t[3] == 'l';
  if (t[0] != 'N')
    return false;
  return (t[1] == 'u' && t[2] == 'l' && t[3] == 'l') ||
         (t[1] == 'U' && t[2] == 'L' && t[3] == 'L');
}

/* "a mapping", "a list", "a string", "null" - for messages. */
const char *ynode_kind_name(const ynode *n);

#endif

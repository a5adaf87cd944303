/*
 * schema.h - the spec format as one table.
 *
 * Each key of each section is listed once with its type, unit kind, bounds,
 * default and a line of help.  The loader validates against this table, the
 * graph takes its fallback defaults from it, and docs/spec.md is generated
 * from it (tools/gen_spec_doc.c, checked by a test), so they never disagree.
 */
#ifndef CAPPLAN_SCHEMA_H
#define CAPPLAN_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "units.h"

enum skey_type {
  SK_QTY,     /* a quantity of `unit` kind, stored in an snum */
  SK_BOOL,    /* true or false, stored in an snum as 1 or 0 */
  SK_STRING,  /* free text, stored in an sstr */
  SK_NAME,    /* an identifier [a-z0-9_-]+, stored in an sstr */
  SK_ENUM,    /* one of `choices`, stored in an sstr */
  SK_NAMES,   /* a name or a list of names, stored in an snames */
  SK_SECTION, /* a nested mapping with its own section */
  SK_MAP,     /* a mapping of names to entries of a section */
  SK_LIST     /* a list of entries of a section */
};

enum {
  SF_REQUIRED = 1u << 0,
  SF_INTEGER = 1u << 1,  /* a whole number */
  SF_MIN_OPEN = 1u << 2, /* value > min (else >= min) */
  SF_MAX_OPEN = 1u << 3, /* value < max (else <= max) */
  SF_OR_NAME = 1u << 4   /* SK_SECTION: a catalog name may stand instead */
};

enum schema_section_id {
  SEC_TOP,
  SEC_TRAFFIC,
  SEC_SLO,
  SEC_BUDGET,
  SEC_DEFAULTS,
  SEC_GROUP,
  SEC_HARDWARE,
  SEC_HW_FLOPS, /* hardware.NAME.flops */
  SEC_STAGE,
  SEC_CACHE,
  SEC_BATCHING,   /* stages[].batching */
  SEC_BATCH_TIME, /* stages[].batching.time */
  SEC_WORK,       /* stages[].work */
  SEC_LLM,        /* stages[].llm */
  SEC_LLM_MODEL,  /* stages[].llm.model */
  SEC_STAGE_SLO,  /* a stage's own percentile objectives */
  SEC_POLICY,     /* the settings shared by defaults, groups and stages */
  SEC_COUNT
};

typedef struct schema_key {
  const char *name;
  enum skey_type type;
  enum unit_kind unit;
  unsigned flags;
  double min, max;
  const char *choices;            /* SK_ENUM: "all|any" */
  enum schema_section_id section; /* SK_SECTION, SK_MAP, SK_LIST */
  size_t offset;                  /* where the value is stored */
  double def;                     /* built-in default of a quantity */
  const char *def_text;           /* the default as docs show it */
  const char *help;
  const char *example; /* a typical value; NULL: the unit kind's example */
} schema_key;

typedef struct schema_section {
  const char *path;  /* "traffic", "stages[]", "hardware.NAME" */
  const char *title; /* for messages: "stage", "hardware", ... */
  const schema_key *keys;
  size_t n_keys;
  const char *help;
  /* Sections that take the policy keys (SEC_POLICY) store them in a
   * spec_policy at this offset; SCHEMA_NO_POLICY for the others. */
  size_t policy_offset;
  /* A stage: at that offset is a pointer to its spec_policy, the shared
   * read-only spec_no_policy until the stage writes one (spec.h), so a
   * writer makes it the stage's own first (spec_stage_pol_mut). */
  bool policy_by_pointer;
  /* A stage: its keys whose offset is MORE_FROM or past it are held in
   * the spec_stage_more the pointer at MORE_AT points to, at the offset
   * less MORE_FROM (the shared spec_no_more until the stage writes one,
   * spec.h: a writer makes it the stage's own first).  SIZE_MAX: none. */
  size_t more_at, more_from;
} schema_section;

#define SCHEMA_NO_POLICY ((size_t)-1)

const schema_section *schema_section_get(enum schema_section_id id);
const schema_key *schema_key_find(const schema_section *s, const char *name);
/* Keys a section accepts: its own, then the policy keys if it takes them.
 * Index I runs over both (0 <= I < schema_n_keys). */
static inline size_t schema_n_keys(const schema_section *s);
static inline const schema_key *schema_key_at(const schema_section *s,
                                              size_t i);
/* The index of NAME among schema_key_at()'s keys, or -1. */
long schema_key_index(const schema_section *s, const char *name);
/* Where key I of S is stored, given the section's struct at BASE. */
static inline void *schema_key_field(const schema_section *s, size_t i,
                                     void *base);

/* The policy keys (SEC_POLICY), which the three above append to a
 * section's own; inline, since a walk over every key of 100,000 stages
 * calls them millions of times. */
extern const schema_key schema_policy_keys[];
extern const size_t schema_n_policy_keys;

static inline size_t schema_n_keys(const schema_section *s) {
  return s->n_keys +
         (s->policy_offset != SCHEMA_NO_POLICY ? schema_n_policy_keys : 0);
}

static inline const schema_key *schema_key_at(const schema_section *s,
                                              size_t i) {
  return i < s->n_keys ? &s->keys[i] : &schema_policy_keys[i - s->n_keys];
}

static inline void *schema_key_field(const schema_section *s, size_t i,
                                     void *base) {
  if (i < s->n_keys) {
    size_t off = s->keys[i].offset;
    if (off >= s->more_from)
      return *(char *const *)((char *)base + s->more_at) + (off - s->more_from);
    return (char *)base + off;
  }
  char *pol = (char *)base + s->policy_offset;
  if (s->policy_by_pointer)
    pol = *(char *const *)pol;
  return pol + schema_policy_keys[i - s->n_keys].offset;
}
/* The key named NAME in section ID; aborts if absent (a programming
 * error, caught by every test). */
const schema_key *schema_key_get(enum schema_section_id id, const char *name);

/* A typical value of K for messages and docs ("250", "20ms"). */
const char *schema_example(const schema_key *k);
/* Describes the bounds of K ("more than 0 and at most 100%"), into BUF. */
void schema_describe_range(const schema_key *k, char *buf, size_t size);
/* Formats V (base units) the way a user writes a K value ("60%", "20ms"). */
void schema_format_value(const schema_key *k, double v, char *buf, size_t size);
/* True if V lies within K's bounds (and is whole when K wants that). */
int schema_in_range(const schema_key *k, double v);

#endif

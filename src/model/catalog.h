/*
 * catalog.h - built-in hardware: the seed's six servers and the
 * parallelism factors of seed 004 (catalog.c), and the catalog of
 * accelerators, cloud instances and LLMs in the YAML files under catalog/,
 * every number of which names its public source (catalog_file.c;
 * docs/catalog.md).
 *
 * The YAML files are embedded in the library at build time
 * (cmake/embed_catalog.cmake), so capplan reads the same catalog from
 * any directory and needs no installed data.  A catalog file given with
 * --catalog has the same shape and adds entries or overrides fields of
 * the built-in ones.
 */
#ifndef CAPPLAN_CATALOG_H
#define CAPPLAN_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#include "capplan.h"
#include "util.h"

typedef struct hw_entry {
  const char *name;
  double cores;  /* 0 if unknown */
  double memory; /* bytes */
  double gpus;
  double gpu_memory;    /* bytes, all GPUs together */
  double cost_per_year; /* USD */
  double availability;  /* of one server; 0 if not stated */
  const char *description;
} hw_entry;

/* The built-in server types, in catalog order. */
const hw_entry *catalog_hardware(size_t *count);
/* The hardware stages use when neither they nor defaults name one. */
#define CATALOG_DEFAULT_HARDWARE "cpu-medium"

/* Effective parallelism per core for a stage bound by "cpu", "memory" or
 * "io"; 0 for anything else. */
double catalog_bound_factor(const char *bound);
/* The same, with the range seed 004 gives (per core); false if BOUND is
 * not one of the three. */
bool catalog_bound_range(const char *bound, double *low, double *used,
                         double *high);

/* ------------------------------------------------------------- dtypes */

/* Number formats of weights, caches and arithmetic (SPEC.md section 6). */
enum dtype {
  DT_FP32,
  DT_TF32,
  DT_BF16,
  DT_FP16,
  DT_FP8,
  DT_INT8,
  DT_FP4,
  DT_COUNT
};
const char *dtype_name(enum dtype t);
/* The dtype named S, or -1. */
int dtype_parse(const char *s);
/* Bytes one value takes in memory (tf32 is stored as fp32; fp4 is half
 * a byte). */
double dtype_bytes(enum dtype t);
/* "fp32|tf32|bf16|fp16|fp8|int8|fp4", for the schema's choices. */
#define DTYPE_CHOICES "fp32|tf32|bf16|fp16|fp8|int8|fp4"

/* ------------------------------------------- accelerators, instances */

enum cat_kind { CAT_ACCELERATOR, CAT_INSTANCE, CAT_MODEL, CAT_KINDS };

/* Numeric fields of each kind, in the order the catalog shows them. */
enum {
  ACC_MEMORY,
  ACC_MEMORY_BANDWIDTH,
  ACC_FLOPS, /* + enum dtype: flops.fp32 ... flops.fp4 */
  ACC_INTERCONNECT = ACC_FLOPS + DT_COUNT,
  ACC_PRICE,
  ACC_MFU,
  ACC_MBU,
  ACC_FIELDS
};
enum { INST_ACCELERATORS, INST_CORES, INST_MEMORY, INST_PRICE, INST_FIELDS };
enum {
  MOD_PARAMS,
  MOD_ACTIVE_PARAMS,
  MOD_LAYERS,
  MOD_HIDDEN,
  MOD_HEADS,
  MOD_KV_HEADS,
  MOD_HEAD_DIM,
  MOD_INTERMEDIATE,
  MOD_VOCAB,
  MOD_MAX_CONTEXT,
  MOD_EXPERTS,
  MOD_EXPERTS_ACTIVE,
  MOD_FIELDS
};
#define CAT_MAX_FIELDS ACC_FIELDS

/* Where a figure was read: a public page (url, and the date it was read)
 * or, for a workload (workload.h), an interview seed under shared/seeds
 * (seed "004", section); with a note. */
typedef struct cat_source {
  const char *url, *read, *seed, *section, *note;
} cat_source;

/* One number of an entry and where it came from: a source of the entry
 * (SOURCE >= 0), and the file and line it was written on. */
typedef struct cat_field {
  bool set;
  bool given;       /* written, even if not valid (not reported as missing) */
  double v;         /* base units (units.h) */
  const char *text; /* as written: "3.35TB/s" */
  long source;      /* index into the entry's sources, or -1 */
  const char *file; /* "catalog/accelerators.yaml", or a --catalog file */
  capplan_loc loc;
} cat_field;

typedef struct cat_entry {
  const char *name, *description;
  const char *provider, *region, *accelerator; /* instances */
  cat_field f[CAT_MAX_FIELDS];
  cat_source *sources;
  size_t n_sources;
  /* Bit i: field i is left out because no public source gives it
   * (`not_published:`; docs/catalog.md, Gaps). */
  unsigned long not_published;
  const char *file; /* where the entry was first defined */
  capplan_loc loc;
} cat_entry;

/* The catalog: built-in entries, then any from a --catalog file. */
struct capplan_catalog {
  capplan_arena *arena;
  cat_entry *e[CAT_KINDS];
  size_t n[CAT_KINDS], cap[CAT_KINDS];
  /* Workloads (workload.h), from the files' `workloads:` sections. */
  struct wl_entry *wl;
  size_t n_wl, cap_wl;
};

/* The key of field I of KIND ("memory", "flops.fp16"); NULL past the
 * last.  What unit kind it takes (units.h). */
const char *cat_field_key(enum cat_kind kind, size_t i);
size_t cat_n_fields(enum cat_kind kind);
/* The base unit field I of KIND is kept in ("bytes", "FLOP/s", ...). */
const char *cat_field_unit(enum cat_kind kind, size_t i);
/* "accelerators", "instances", "models" and the singular. */
const char *cat_kind_name(enum cat_kind kind, bool plural);

/* Catalog names: lower-case letters, digits, '-', '_' and '.' (cloud
 * instances such as p5.48xlarge, models such as llama-3.1-8b); not
 * starting with a dot. */
bool catalog_valid_name(const char *s, size_t len);

/* The `sources:` list of one kind of entry: which keys a source may
 * have, which figures its `fields` may name, and the help its errors
 * give. */
typedef struct cat_source_rules {
  /* The keys a source may have, in the order the help lists them: some
   * of url, read, seed, section, fields and note.  With "seed", a source
   * is a page (url, read) or a seed (seed, section); without, a page. */
  const char *const *keys;
  size_t n_keys;
  const char *const *fields; /* the names `fields` may list */
  size_t n_fields;
  bool key_parts;          /* see catalog_unknown_key() */
  const char *list_help;   /* for `sources` not a list */
  const char *item_help;   /* for a source not a mapping */
  const char *fields_help; /* for `fields` not a list */
  const char *field_help;  /* for `fields` naming an unknown figure */
} cat_source_rules;

struct ynode;

/* Reads the `sources:` list V of an entry by rules R: each source is
 * appended to the *N_SOURCES of *SOURCES (a new array in ARENA; a second
 * `sources:` of an entry adds to the first) and its `fields` list to
 * *FLISTS (NULL where it has none or not a list).  Errors go to D. */
void catalog_read_sources(const cat_source_rules *r, const struct ynode *v,
                          capplan_arena *arena, capplan_diags *d,
                          cat_source **sources, size_t *n_sources,
                          const struct ynode ***flists);

/* An error at KEY, unknown in WHERE ("a source", "accelerator 't4'"),
 * suggesting the closest of the N keys NAMES and listing them all in
 * the help; PARTS: failing a close one, a key that contains KEY
 * ('memory_bandwidth' for 'bandwidth'). */
/* Whether key K of mapping MAP repeats an earlier key; if so, an error
 * at it naming WHERE ("accelerator 'h100-sxm'") and the first's line.
 * YAML keys are unique, so a repeat is a mistake, never an override. */
bool catalog_duplicate_key(capplan_diags *d, const struct ynode *map, size_t k,
                           const char *where);
void catalog_unknown_key(capplan_diags *d, const struct ynode *key,
                         const char *const *names, size_t n, const char *where,
                         bool parts);

/* The entry named NAME, or NULL. */
const cat_entry *catalog_find(const capplan_catalog *c, enum cat_kind kind,
                              const char *name);
/* Whether field I of E is set, and its value in *V. */
bool cat_get(const cat_entry *e, size_t i, double *v);

/* The built-in catalog (the files under catalog/, embedded).  Returns NULL with
 * what is wrong in ERR if the embedded files do not load, which the tests
 * rule out.  Free with capplan_catalog_free(). */
capplan_catalog *catalog_builtin(capplan_buf *err);

/* An embedded catalog file: its path in the source tree and its lines
 * (generated into the build by cmake/embed_catalog.cmake). */
typedef struct catalog_embedded {
  const char *path;
  const char *const *lines; /* each ends in a newline */
  size_t n_lines;
} catalog_embedded;
const catalog_embedded *catalog_embedded_files(size_t *count);

#endif

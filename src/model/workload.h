/*
 * workload.h - the workload catalog: typical latency and throughput of the
 * operations a planner sizes (key-value lookups, ANN search, model
 * inference, databases, brokers, object storage), as ranges with the
 * hardware each assumes and the source of every figure (catalog/
 * workloads.yaml, docs/catalog.md "Workloads"); and `kind: NAME`, by
 * which a stage inherits them.
 *
 * Part of the catalog (catalog.h): the `workloads:` section of a catalog
 * file is read here, into the same capplan_catalog, and a --catalog file
 * may add or override workloads as it does accelerators.  workload_apply()
 * runs between loading a spec and resolving it: it writes the inherited
 * figures into the spec's stages exactly as if the spec had written them,
 * so a range becomes an uncertain input like any other.
 */
#ifndef CAPPLAN_WORKLOAD_H
#define CAPPLAN_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "capplan.h"
#include "catalog.h"

struct ynode;
struct capplan_spec;

/* The figures of a workload, in the order the catalog shows them. */
enum { WL_LATENCY, WL_THROUGHPUT, WL_QPS_PER_SERVER, WL_FIELDS };
/* The three points of a range. */
enum { WL_LOW, WL_TYPICAL, WL_HIGH, WL_POINTS };

/* Where a figure was read: a public page (url, read) or an interview
 * seed under shared/seeds (seed "004", section); read by the catalog's
 * own reader of `sources:` (catalog.h). */
typedef cat_source wl_source;

/* One figure as a range: low and high always, typical where a source
 * names one.  V in base units (seconds, per second). */
typedef struct wl_range {
  bool set;
  bool has[WL_POINTS];
  double v[WL_POINTS];
  const char *text[WL_POINTS]; /* as written: "10ms" */
  long source;                 /* index into the entry's sources, or -1 */
  const char *file;            /* the catalog file it was written in */
  capplan_loc loc;
} wl_range;

typedef struct wl_entry {
  const char *name, *description;
  const char *hardware; /* the server the figures assume; NULL: none */
  const char *per;      /* "server", "core", "gpu" or "prefix" */
  wl_range f[WL_FIELDS];
  wl_source *sources;
  size_t n_sources;
  const char *file; /* where the entry was first defined */
  capplan_loc loc;
} wl_entry;

/* "latency", "throughput", "qps_per_server". */
const char *workload_field_key(size_t i);

/* Reads the `workloads:` mapping MAP of catalog file FILE into C, merged
 * over the entries it has (a known name overrides the fields given; a
 * new one must be complete).  BUILTIN: every figure must name a source.
 * Errors go to D. */
void workload_load(capplan_catalog *c, const char *file,
                   const struct ynode *map, capplan_diags *d, bool builtin);
/* Frees the workloads of C (capplan_catalog_free calls it). */
void workload_release(capplan_catalog *c);

/* The workloads of C, in catalog order. */
const wl_entry *workload_list(const capplan_catalog *c, size_t *count);
/* The workload named NAME, or NULL. */
const wl_entry *workload_find(const capplan_catalog *c, const char *name);
/* The range of one server's throughput: qps_per_server where the entry
 * gives it, else its throughput (per server, per one-GPU server or per
 * prefix).  NULL if neither is set. */
const wl_range *workload_server_range(const wl_entry *e);
/* R as a spec writes a range: "5ms to 10ms", "triangular(1K, 1.2K, 3.2K)",
 * or one value when low equals high. */
void workload_range_text(const wl_range *r, char *buf, size_t size);

/* Applies `kind:` of every stage of SPEC: the stage inherits the
 * workload's latency and qps_per_server (as ranges) and its hardware,
 * each only where the stage gives none (a stage that chooses its own
 * throughput model, with batch, parallelism, bound, batching, work or
 * llm, keeps it).  Unknown names are errors at the `kind:` value with a
 * suggestion.  CAT NULL: the built-in catalog, read only when some stage
 * has a kind. */
void workload_apply(struct capplan_spec *spec, const capplan_catalog *cat,
                    capplan_diags *d);

#endif

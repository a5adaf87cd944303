/*
 * graph.h - the resolved stage graph: the second step of the pipeline.
 *
 * Every name is resolved to an index, every stage has its hardware and its
 * effective settings (stage, else group or defaults, else the schema's
 * default), colocation groups are formed, and the stages are put in a
 * deterministic topological order.  What the estimator reads is here and
 * nowhere else.  Private to the library.
 */
#ifndef CAPPLAN_GRAPH_H
#define CAPPLAN_GRAPH_H

#include <stdbool.h>
#include <stddef.h>

#include "spec.h"

typedef struct ghw {
  const char *name;
  double cores, memory, gpus, gpu_memory, cost_per_year;
  double availability;   /* 0 if neither catalog nor spec states it */
  const char *cost_text; /* the cost as the spec wrote it; NULL: catalog */
} ghw;

typedef struct gnode {
  const spec_stage *st;
  const char *name;
  size_t *parents; /* indices in spec order */
  size_t n_parents;
  bool join_any;
  const ghw *hw;
  long group; /* index into groups, or -1 */
  double share, calls, cache_hit, stops;
  double latency;
  enum capplan_throughput_source tp;
  double batch, parallelism, qps_per_server;
  double utilization, headroom, redundancy;
  double availability; /* of one server */
  double zones;        /* failure zones the servers are spread over */
  bool survive_zone_loss;
  long fallback; /* index of the stage that stands in, or -1 */
  bool standby;  /* some stage's fallback: no flow of its own */
  bool async;    /* off the request path: no latency, no gating */
} gnode;

typedef struct ggroup {
  const char *name;
  size_t *members; /* in spec order */
  size_t n_members;
  const ghw *hw;
  double utilization, headroom, redundancy, availability;
  double zones;
  bool survive_zone_loss;
} ggroup;

struct capplan_graph {
  const capplan_spec *spec;
  capplan_arena *arena;
  gnode *nodes; /* in spec order */
  size_t n;
  size_t *order; /* topological order: parents before children, and spec
                    order wherever the dependencies allow */
  ggroup *groups;
  size_t n_groups;
  ghw *hw;
  size_t n_hw;
};

#endif

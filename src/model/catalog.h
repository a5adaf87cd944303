/*
 * catalog.h - built-in hardware and the parallelism factors of seed 004.
 */
#ifndef CAPPLAN_CATALOG_H
#define CAPPLAN_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

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

#endif

/*
 * catalog.c - the built-in hardware catalog.
 *
 * Source: seed 004, "Typical Numbers Cheatsheet", table "1. Server
 * Configurations" (cores, memory, GPU memory, cost per year), and its
 * remark "Common interview default: 16-core CPU server ($3K/year)", which
 * makes cpu-medium the default.  Sizes are decimal (GB = 1e9 bytes) as the
 * seed writes them.  No availability is stated: stages fall back to
 * defaults.availability, else 99.9%.
 */
#include "catalog.h"

#include <string.h>

#include "util.h"

#define GB 1e9

static const hw_entry catalog[] = {
    {"cpu-small", 4, 16 * GB, 0, 0, 1000, 0,
     "small CPU server: development, small services"},
    {"cpu-medium", 16, 64 * GB, 0, 0, 3000, 0,
     "medium CPU server: production inference, XGBoost"},
    {"cpu-large", 32, 128 * GB, 0, 0, 6000, 0,
     "large CPU server: high-throughput services"},
    {"gpu-v100", 16, 64 * GB, 1, 16 * GB, 10000, 0,
     "one V100 GPU with 16 cores: ML inference"},
    {"gpu-a100", 32, 128 * GB, 1, 40 * GB, 18000, 0,
     "one A100 GPU with 32 cores: training, large inference"},
    {"gpu-4xa100", 64, 256 * GB, 4, 160 * GB, 60000, 0,
     "four A100 GPUs with 64 cores: distributed training"},
};

const hw_entry *catalog_hardware(size_t *count) {
  *count = ARRAY_LEN(catalog);
  return catalog;
}

/* Seed 004, "4. Parallelism Factors", for a 16-core server: CPU-bound
 * 10-16x (its XGBoost example uses 12x), memory-bound 4-8x (midpoint 6x),
 * I/O-bound 100-1000x (its ANN example derives 100x).  Per core: divided
 * by 16, so other core counts scale linearly. */
static const struct {
  const char *name;
  double low, used, high; /* for 16 cores */
} bounds[] = {
    {"cpu", 10, 12, 16},
    {"memory", 4, 6, 8},
    {"io", 100, 100, 1000},
};

bool catalog_bound_range(const char *bound, double *low, double *used,
                         double *high) {
  for (size_t i = 0; i < ARRAY_LEN(bounds); i++)
    if (!strcmp(bound, bounds[i].name)) {
      *low = bounds[i].low / 16;
      *used = bounds[i].used / 16;
      *high = bounds[i].high / 16;
      return true;
    }
  return false;
}

double catalog_bound_factor(const char *bound) {
  double low, used, high;
  return catalog_bound_range(bound, &low, &used, &high) ? used : 0;
}

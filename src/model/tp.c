/*
 * tp.c - the table of throughput models (see tp.h).
 */
#include "tp.h"

#include "spec.h"

static const tp_ops *const kinds[TP_KINDS] = {
    [TP_FIXED] = &tp_fixed_ops,
    [TP_BATCH] = &tp_batch_ops,
};

enum tp_kind tp_kind_of(const spec_stage *st) {
  /* The loader has already refused keys of two kinds together. */
  return st->qps_per_server.present ? TP_FIXED : TP_BATCH;
}

const tp_ops *tp_ops_of(enum tp_kind kind) {
  return kinds[kind];
}

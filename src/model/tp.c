/*
 * tp.c - the table of throughput models (see tp.h).
 */
#include "tp.h"

#include "spec.h"

static const tp_ops *const kinds[TP_KINDS] = {
    [TP_FIXED] = &tp_fixed_ops,       [TP_BATCH] = &tp_batch_ops,
    [TP_DYNBATCH] = &tp_dynbatch_ops, [TP_ROOFLINE] = &tp_roofline_ops,
    [TP_LLM] = &tp_llm_ops,
};

enum tp_kind tp_kind_of(const spec_stage *st) {
  /* The loader has already refused keys of two kinds together. */
  if (st->llm->set)
    return TP_LLM;
  if (st->work->set)
    return TP_ROOFLINE;
  if (st->batching->set)
    return TP_DYNBATCH;
  return st->qps_per_server.present ? TP_FIXED : TP_BATCH;
}

const tp_ops *tp_ops_of(enum tp_kind kind) {
  return kinds[kind];
}

double tp_slots(const stage_in *in, const hw_in *hw) {
  if (hw->gpus > 0)
    return hw->gpus;
  return in->parallelism > 0 ? in->parallelism : 1;
}

/*
 * roofline.c - see roofline.h.
 *
 * The roofline model (Williams, Waterman and Patterson, "Roofline: an
 * insightful visual performance model for multicore architectures",
 * CACM 52(4), 2009) as FORMULAS.md section 6 states it: an operation takes
 * as long as the slower of its arithmetic and its memory traffic, each at
 * the achieved fraction of its roof.
 */
#include "roofline.h"

#include <math.h>
#include <string.h>

static int nonneg(double x) {
  return isfinite(x) && x >= 0;
}

static int hw_ok(const roofline_hw *hw) {
  return hw && isfinite(hw->peak_flops) && hw->peak_flops > 0 &&
         isfinite(hw->mem_bw) && hw->mem_bw > 0 && isfinite(hw->mfu) &&
         hw->mfu > 0 && hw->mfu <= 1 && isfinite(hw->mbu) && hw->mbu > 0 &&
         hw->mbu <= 1;
}

roofline_hw roofline_hw_default(double peak_flops, double mem_bw) {
  roofline_hw hw = {peak_flops, mem_bw, ROOFLINE_DEFAULT_MFU,
                    ROOFLINE_DEFAULT_MBU};
  return hw;
}

roofline_status roofline_time_of(const roofline_hw *hw, double flops,
                                 double bytes, roofline_time *out) {
  memset(out, 0, sizeof *out);
  if (!hw_ok(hw) || !nonneg(flops) || !nonneg(bytes))
    return ROOFLINE_BAD_INPUT;
  /* FORMULAS.md section 6: max(FLOPs / (peak x mfu), bytes / (bw x mbu)). */
  double c = flops / (hw->peak_flops * hw->mfu);
  double m = bytes / (hw->mem_bw * hw->mbu);
  if (!isfinite(c) || !isfinite(m))
    return ROOFLINE_OUT_OF_RANGE;
  out->compute_s = c;
  out->memory_s = m;
  out->bound = c > m ? ROOFLINE_COMPUTE : ROOFLINE_MEMORY;
  out->seconds = c > m ? c : m;
  return ROOFLINE_OK;
}

roofline_status roofline_batch_time(const roofline_hw *hw,
                                    const roofline_work *w, double batch,
                                    roofline_time *out) {
  memset(out, 0, sizeof *out);
  if (!w || !nonneg(w->flops_per_item) || !nonneg(w->bytes_per_batch) ||
      !nonneg(w->bytes_per_item) || !nonneg(batch))
    return ROOFLINE_BAD_INPUT;
  /* SPEC.md section 6, `work:`: FLOPs scale with the batch; the bytes are
   * a fixed part per batch plus a part per item. */
  double flops = w->flops_per_item * batch;
  double bytes = w->bytes_per_batch + w->bytes_per_item * batch;
  if (!isfinite(flops) || !isfinite(bytes))
    return ROOFLINE_OUT_OF_RANGE;
  return roofline_time_of(hw, flops, bytes, out);
}

roofline_status roofline_ridge_batch(const roofline_hw *hw,
                                     const roofline_work *w, double *out) {
  *out = 0;
  if (!hw_ok(hw) || !w || !nonneg(w->flops_per_item) ||
      !nonneg(w->bytes_per_batch) || !nonneg(w->bytes_per_item))
    return ROOFLINE_BAD_INPUT;
  /* Solve f b / (F mfu) = (B0 + Bi b) / (BW mbu) for b. */
  double per_item_c = w->flops_per_item / (hw->peak_flops * hw->mfu);
  double per_item_m = w->bytes_per_item / (hw->mem_bw * hw->mbu);
  double fixed_m = w->bytes_per_batch / (hw->mem_bw * hw->mbu);
  if (per_item_c <= per_item_m)
    return ROOFLINE_NO_RIDGE;
  double b = fixed_m / (per_item_c - per_item_m);
  if (!isfinite(b))
    return ROOFLINE_OUT_OF_RANGE;
  *out = b;
  return ROOFLINE_OK;
}

const char *roofline_bound_name(roofline_bound bound) {
  return bound == ROOFLINE_COMPUTE ? "compute" : "memory";
}

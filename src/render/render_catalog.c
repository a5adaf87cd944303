/*
 * render_catalog.c - the built-in hardware catalog as a table.
 */
#include <stdio.h>

#include "catalog.h"
#include "format.h"
#include "render.h"
#include "texttable.h"

void render_catalog_hardware(capplan_buf *out) {
  size_t n;
  const hw_entry *hw = catalog_hardware(&n);
  ttable *t = tt_new(7, "lrrrrrl");
  tt_row(t, TT_HEADER);
  const char *head[] = {"name",       "cores",     "memory", "GPUs",
                        "GPU memory", "cost/year", "use"};
  for (size_t c = 0; c < 7; c++)
    tt_cell(t, head[c]);
  char b[5][FMT_SIZE];
  for (size_t i = 0; i < n; i++) {
    char mem[FMT_SIZE], gmem[FMT_SIZE];
    tt_row(t, TT_PLAIN);
    tt_cell(t, hw[i].name);
    tt_cell(t, fmt_count(hw[i].cores, b[0], FMT_SIZE));
    snprintf(mem, sizeof mem, "%s GB",
             fmt_count(hw[i].memory / 1e9, b[1], FMT_SIZE));
    tt_cell(t, mem);
    tt_cell(t, hw[i].gpus > 0 ? fmt_count(hw[i].gpus, b[2], FMT_SIZE) : "-");
    snprintf(gmem, sizeof gmem, "%s GB",
             fmt_count(hw[i].gpu_memory / 1e9, b[3], FMT_SIZE));
    tt_cell(t, hw[i].gpus > 0 ? gmem : "-");
    tt_cell(t, fmt_money(hw[i].cost_per_year, b[4], FMT_SIZE));
    tt_cell(t, hw[i].description);
  }
  tt_render(t, false, "", out);
  tt_free(t);
  capplan_buf_printf(out,
                     "\ndefault hardware: %s; server availability 99.9%% "
                     "unless a spec says otherwise\n",
                     CATALOG_DEFAULT_HARDWARE);
}

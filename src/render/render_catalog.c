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
                     "unless a spec says otherwise\n"
                     "also usable as hardware: 'capplan catalog "
                     "accelerators' (one GPU each) and 'capplan catalog "
                     "instances' (cloud instances)\n",
                     CATALOG_DEFAULT_HARDWARE);
}

/* ------------------------------------- accelerators, instances, models */

/* "989.4" for 989.4 TFLOPS: V over SCALE, or "-" when absent and "n/p"
 * when no public source gives it. */
static const char *cell(const cat_entry *e, size_t f, double scale, int dec,
                        char *buf, size_t size) {
  if (e->f[f].set)
    return fmt_number(e->f[f].v / scale, dec, buf, size);
  return (e->not_published >> f) & 1 ? "n/p" : "-";
}

static void list_accelerators(const capplan_catalog *c, capplan_buf *out) {
  ttable *t = tt_new(9, "lrrrrrrrl");
  tt_row(t, TT_HEADER);
  const char *head[] = {"accelerator", "memory GB", "bandwidth GB/s",
                        "bf16",        "fp16",      "fp8",
                        "link GB/s",   "$/hour",    "description"};
  for (size_t k = 0; k < 9; k++)
    tt_cell(t, head[k]);
  char b[7][FMT_SIZE];
  for (size_t i = 0; i < c->n[CAT_ACCELERATOR]; i++) {
    const cat_entry *e = &c->e[CAT_ACCELERATOR][i];
    tt_row(t, TT_PLAIN);
    tt_cell(t, e->name);
    tt_cell(t, cell(e, ACC_MEMORY, 1e9, 0, b[0], FMT_SIZE));
    tt_cell(t, cell(e, ACC_MEMORY_BANDWIDTH, 1e9, 0, b[1], FMT_SIZE));
    tt_cell(t, cell(e, ACC_FLOPS + DT_BF16, 1e12, 1, b[2], FMT_SIZE));
    tt_cell(t, cell(e, ACC_FLOPS + DT_FP16, 1e12, 1, b[3], FMT_SIZE));
    tt_cell(t, cell(e, ACC_FLOPS + DT_FP8, 1e12, 1, b[4], FMT_SIZE));
    tt_cell(t, cell(e, ACC_INTERCONNECT, 1e9, 0, b[5], FMT_SIZE));
    tt_cell(t, cell(e, ACC_PRICE, CAPPLAN_HOURS_PER_YEAR, 4, b[6], FMT_SIZE));
    tt_cell(t, e->description ? e->description : "");
  }
  tt_render(t, false, "", out);
  tt_free(t);
  capplan_buf_puts(out,
                   "\nDense peak TFLOPS (no 2:4 sparsity); the files also hold "
                   "fp32, tf32, int8 and fp4.  link: GPU-to-GPU, both "
                   "directions added.  $/hour: on-demand, one accelerator.  "
                   "n/p: no public source gives it (docs/catalog.md, Gaps).  "
                   "Each is usable as 'hardware:' (a one-accelerator server); "
                   "'capplan catalog accelerators NAME' shows every figure's "
                   "source.\n");
}

static void list_instances(const capplan_catalog *c, capplan_buf *out) {
  ttable *t = tt_new(8, "llllrrrr");
  tt_row(t, TT_HEADER);
  const char *head[] = {"instance", "provider", "region",    "accelerator",
                        "count",    "vCPUs",    "memory GB", "$/hour"};
  for (size_t k = 0; k < 8; k++)
    tt_cell(t, head[k]);
  char b[4][FMT_SIZE];
  for (size_t i = 0; i < c->n[CAT_INSTANCE]; i++) {
    const cat_entry *e = &c->e[CAT_INSTANCE][i];
    tt_row(t, TT_PLAIN);
    tt_cell(t, e->name);
    tt_cell(t, e->provider ? e->provider : "");
    tt_cell(t, e->region ? e->region : "");
    tt_cell(t, e->accelerator ? e->accelerator : "");
    tt_cell(t, cell(e, INST_ACCELERATORS, 1, 0, b[0], FMT_SIZE));
    tt_cell(t, cell(e, INST_CORES, 1, 0, b[1], FMT_SIZE));
    tt_cell(t, cell(e, INST_MEMORY, 1e9, 0, b[2], FMT_SIZE));
    tt_cell(t, cell(e, INST_PRICE, CAPPLAN_HOURS_PER_YEAR, 4, b[3], FMT_SIZE));
  }
  tt_render(t, false, "", out);
  tt_free(t);
  capplan_buf_puts(out,
                   "\nOn-demand, Linux, whole instance.  Each is usable as "
                   "'hardware:' (its accelerators are the server's GPUs; an "
                   "llm replica of tp GPUs packs onto it); 'capplan catalog "
                   "instances NAME' shows every figure's source.\n");
}

static void list_models(const capplan_catalog *c, capplan_buf *out) {
  ttable *t = tt_new(9, "lrrrrrrrr");
  tt_row(t, TT_HEADER);
  const char *head[] = {"model",    "params B", "active B",
                        "layers",   "hidden",   "heads",
                        "kv_heads", "head_dim", "KV KiB/token fp16"};
  for (size_t k = 0; k < 9; k++)
    tt_cell(t, head[k]);
  char b[9][FMT_SIZE];
  for (size_t i = 0; i < c->n[CAT_MODEL]; i++) {
    const cat_entry *e = &c->e[CAT_MODEL][i];
    double layers = 0, kv = 0, hd = 0;
    cat_get(e, MOD_LAYERS, &layers);
    cat_get(e, MOD_KV_HEADS, &kv);
    cat_get(e, MOD_HEAD_DIM, &hd);
    tt_row(t, TT_PLAIN);
    tt_cell(t, e->name);
    tt_cell(t, cell(e, MOD_PARAMS, 1e9, 2, b[0], FMT_SIZE));
    tt_cell(t, cell(e, MOD_ACTIVE_PARAMS, 1e9, 2, b[1], FMT_SIZE));
    tt_cell(t, cell(e, MOD_LAYERS, 1, 0, b[2], FMT_SIZE));
    tt_cell(t, cell(e, MOD_HIDDEN, 1, 0, b[3], FMT_SIZE));
    tt_cell(t, cell(e, MOD_HEADS, 1, 0, b[4], FMT_SIZE));
    tt_cell(t, cell(e, MOD_KV_HEADS, 1, 0, b[5], FMT_SIZE));
    tt_cell(t, cell(e, MOD_HEAD_DIM, 1, 0, b[6], FMT_SIZE));
    /* FORMULAS.md 6: 2 x layers x kv_heads x head_dim x 2 bytes. */
    tt_cell(t, fmt_number(2 * layers * kv * hd * 2 / 1024, 0, b[7], FMT_SIZE));
  }
  tt_render(t, false, "", out);
  tt_free(t);
  capplan_buf_puts(out, "\nDimensions from each model's config.json; "
                        "parameters computed from them.  Name one in a "
                        "stage's 'llm: {model: NAME}'; 'capplan catalog "
                        "models NAME' shows every figure's source.\n");
}

void render_catalog_list(const capplan_catalog *c, enum cat_kind kind,
                         capplan_buf *out) {
  if (kind == CAT_ACCELERATOR)
    list_accelerators(c, out);
  else if (kind == CAT_INSTANCE)
    list_instances(c, out);
  else
    list_models(c, out);
}

void render_catalog_entry(const capplan_catalog *c, enum cat_kind kind,
                          const cat_entry *e, capplan_buf *out) {
  capplan_buf_printf(out, "%s (%s)", e->name, cat_kind_name(kind, false));
  if (e->description)
    capplan_buf_printf(out, ": %s", e->description);
  capplan_buf_putc(out, '\n');
  if (kind == CAT_INSTANCE)
    capplan_buf_printf(
        out, "  %s, %s, accelerator %s\n", e->provider ? e->provider : "?",
        e->region ? e->region : "?", e->accelerator ? e->accelerator : "?");
  ttable *t = tt_new(3, "lll");
  size_t nf = cat_n_fields(kind);
  for (size_t i = 0; i < nf; i++) {
    const cat_field *f = &e->f[i];
    bool gap = (e->not_published >> i) & 1;
    if (!f->set && !gap)
      continue;
    tt_row(t, TT_PLAIN);
    tt_cell(t, cat_field_key(kind, i));
    tt_cell(t, f->set ? f->text : "not published");
    char src[FMT_SIZE * 4];
    if (f->set && f->source >= 0)
      snprintf(src, sizeof src, "[%ld]", f->source + 1);
    else if (f->set)
      snprintf(src, sizeof src, "%s:%d (no source given)", f->file,
               f->loc.line);
    else
      snprintf(src, sizeof src, "(docs/catalog.md, Gaps)");
    tt_cell(t, src);
  }
  tt_render(t, false, "  ", out);
  tt_free(t);
  if (e->n_sources)
    capplan_buf_puts(out, "\nsources\n");
  for (size_t k = 0; k < e->n_sources; k++) {
    const cat_source *s = &e->sources[k];
    capplan_buf_printf(out, "  [%zu] %s (read %s)\n", k + 1,
                       s->url ? s->url : "", s->read ? s->read : "?");
    if (s->note)
      capplan_buf_printf(out, "      %s\n", s->note);
  }
  if (kind == CAT_MODEL)
    return;
  double price = 0, count = 1;
  const cat_entry *acc = e;
  if (kind == CAT_INSTANCE) {
    cat_get(e, INST_ACCELERATORS, &count);
    acc = catalog_find(c, CAT_ACCELERATOR, e->accelerator);
  }
  char b[2][FMT_SIZE];
  if (cat_get(e, kind == CAT_INSTANCE ? INST_PRICE : ACC_PRICE, &price))
    capplan_buf_printf(
        out,
        "\nas hardware: a server of %g %s, %s/year (%s x "
        "8,760 h)\n",
        count, acc ? acc->name : "?", fmt_money(price, b[0], FMT_SIZE),
        e->f[kind == CAT_INSTANCE ? INST_PRICE : ACC_PRICE].text);
  else
    capplan_buf_printf(out,
                       "\nas hardware: a server of %g %s, with no published "
                       "price: a spec must give 'cost' under 'hardware: %s:'\n",
                       count, acc ? acc->name : "?", e->name);
}

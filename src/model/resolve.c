/*
 * resolve.c - checked spec -> resolved model and parameter vector (see
 * model.h).
 *
 * Resolution order: hardware (catalog, then the spec's additions and
 * overrides), stage names, fallbacks, `after` links, each stage's
 * throughput model and settings (its own, else its group's or the
 * defaults', else the schema's default), memory and cache tiers,
 * colocation groups, and last the topological order, which also finds
 * cycles.  Everything is iterative: a 100,000-stage chain needs no deep C
 * stack.  Names are copied into the model's arena, so the spec can be
 * freed once the model is built.
 */
#include "model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "schema.h"
#include "spec.h"
#include "strmap.h"
#include "tp.h"

typedef struct builder {
  capplan_model *g;
  params *p;
  policy pol_default; /* the schema's defaults of the policy keys */
  double def_share, def_calls, def_cache_hit, def_stops, def_replicas;
  const capplan_spec *spec;
  capplan_diags *d;
  strmap stages, hw, invalid;
  size_t *seen; /* for each stage, the last stage that listed it in 'after' */
  /* A stage or group takes survive_zone_loss and zones both from
   * 'defaults', which gives fewer than 2 zones. */
  bool defaults_zones_used;
  /* The catalog of accelerators, instances and models: the caller's, or
   * the built-in one read on first need (own_catalog, freed at the end). */
  const capplan_catalog *catalog;
  capplan_catalog *own_catalog;
} builder;

static const capplan_loc nowhere = {0, 0, 0};

/* Suggestion among NAMES (N of them) for WORD, as " (did you mean 'x'?)"
 * or "". */
static void suggest(const char *word, const char *const *names, size_t n,
                    char *buf, size_t size) {
  const char *best = closest_word(word, names, n);
  if (best)
    snprintf(buf, size, " (did you mean '%s'?)", best);
  else
    buf[0] = '\0';
}

/* ------------------------------------------------------------ hardware */

static void set_if(double *field, const snum *v) {
  if (v->set)
    *field = v->v;
}

/* The catalog of accelerators, instances and models; the built-in one is
 * read on first need.  NULL only if the built-in one does not load, which
 * the tests rule out (reported as an internal error). */
static const capplan_catalog *catalog_of(builder *b) {
  if (b->catalog)
    return b->catalog;
  capplan_buf err;
  capplan_buf_init(&err);
  b->own_catalog = catalog_builtin(&err);
  b->catalog = b->own_catalog;
  if (!b->catalog)
    capplan_diags_add(b->d, CAPPLAN_ERROR, nowhere, NULL,
                      "internal error: the built-in catalog does not load: %s",
                      err.data ? err.data : "");
  capplan_buf_release(&err);
  return b->catalog;
}

/* The seed's six servers, or a name the spec defines itself. */
static bool seed_or_spec_hw(const builder *b, const char *name) {
  size_t n;
  const hw_entry *cat = catalog_hardware(&n);
  for (size_t i = 0; i < n; i++)
    if (!strcmp(cat[i].name, name))
      return true;
  for (size_t i = 0; i < b->spec->n_hardware; i++)
    if (!strcmp(b->spec->hardware[i].name.s, name))
      return true;
  return false;
}

/* Whether the spec names anything of the catalog of accelerators,
 * instances and models (which is then read): hardware beyond the seed's
 * and its own, an accelerator, an llm stage. */
static bool needs_catalog(const builder *b) {
  const capplan_spec *spec = b->spec;
  for (size_t i = 0; i < spec->n_hardware; i++)
    if (spec->hardware[i].accelerator.s ||
        !seed_or_spec_hw(b, spec->hardware[i].name.s))
      return true;
  if (spec->defaults.hardware.s &&
      !seed_or_spec_hw(b, spec->defaults.hardware.s))
    return true;
  for (size_t i = 0; i < spec->n_stages; i++) {
    const spec_stage *st = &spec->stages[i];
    if (st->llm->set ||
        (st->hardware.s && !seed_or_spec_hw(b, st->hardware.s)) ||
        (st->cache->hardware.s && !seed_or_spec_hw(b, st->cache->hardware.s)))
      return true;
  }
  return false;
}

/* Per-accelerator figures of catalog accelerator A (SPEC.md section 6). */
static void set_accelerator(hw_in *v, const cat_entry *a) {
  for (int t = 0; t < DT_COUNT; t++)
    cat_get(a, ACC_FLOPS + (size_t)t, &v->flops[t]);
  cat_get(a, ACC_MEMORY_BANDWIDTH, &v->mem_bw);
  cat_get(a, ACC_INTERCONNECT, &v->link_bw);
  cat_get(a, ACC_MFU, &v->mfu);
  cat_get(a, ACC_MBU, &v->mbu);
}

/* "p5.48xlarge: $55.04/hour, https://..., read 2026-11-30". */
static const char *price_source(capplan_arena *arena, const cat_entry *e,
                                size_t field) {
  const cat_field *f = &e->f[field];
  capplan_buf t;
  capplan_buf_init(&t);
  capplan_buf_printf(&t, "%s", f->text ? f->text : "");
  if (f->source >= 0 && (size_t)f->source < e->n_sources)
    capplan_buf_printf(&t, ", %s, read %s", e->sources[f->source].url,
                       e->sources[f->source].read);
  else if (f->file)
    capplan_buf_printf(&t, ", %s:%d", f->file, f->loc.line);
  const char *r = arena_strdup(arena, t.data ? t.data : "");
  capplan_buf_release(&t);
  return r;
}

/* The figures of catalog entry E of KIND as a server type into V; its
 * accelerator (E itself, or an instance's), or NULL. */
static const cat_entry *catalog_server(const capplan_catalog *cat,
                                       enum cat_kind kind, const cat_entry *e,
                                       hw_in *v) {
  memset(v, 0, sizeof *v);
  const cat_entry *acc = e;
  double count = 1;
  if (kind == CAT_INSTANCE) {
    acc = catalog_find(cat, CAT_ACCELERATOR, e->accelerator);
    cat_get(e, INST_ACCELERATORS, &count);
    cat_get(e, INST_CORES, &v->cores);
    cat_get(e, INST_MEMORY, &v->memory);
  }
  v->gpus = count;
  if (acc) {
    double mem = 0;
    cat_get(acc, ACC_MEMORY, &mem);
    v->gpu_memory = count * mem;
    set_accelerator(v, acc);
  }
  cat_get(e, kind == CAT_INSTANCE ? INST_PRICE : ACC_PRICE, &v->cost_per_year);
  return acc;
}

bool model_catalog_hw(const capplan_catalog *cat, const char *name, hw_in *v) {
  for (int kind = CAT_ACCELERATOR; kind <= CAT_INSTANCE; kind++) {
    const cat_entry *e = catalog_find(cat, (enum cat_kind)kind, name);
    if (e) {
      catalog_server(cat, (enum cat_kind)kind, e, v);
      return true;
    }
  }
  return false;
}

/* Catalog entry E (an accelerator, or an instance of its accelerators) as
 * a server type: one accelerator, or the instance's. */
static void hw_from_catalog(builder *b, mhw *h, hw_in *v, enum cat_kind kind,
                            const cat_entry *e) {
  capplan_model *g = b->g;
  h->name = arena_strdup(g->arena, e->name);
  h->from_catalog = true;
  const cat_entry *acc = catalog_server(b->catalog, kind, e, v);
  if (acc)
    h->accelerator = arena_strdup(g->arena, acc->name);
  size_t price = kind == CAT_INSTANCE ? INST_PRICE : ACC_PRICE;
  if (e->f[price].set) {
    h->cost_text = arena_strdup(g->arena, e->f[price].text);
    h->cost_source = price_source(g->arena, e, price);
  } else {
    h->no_price = true;
  }
}

/* The accelerator keys of spec hardware S over H and V (SPEC.md section
 * 6): a catalog accelerator, then any figure given. */
static void override_accelerator(builder *b, const spec_hardware *s, mhw *h,
                                 hw_in *v, const capplan_catalog *gc) {
  capplan_model *g = b->g;
  if (s->accelerator.s) {
    const cat_entry *acc =
        gc ? catalog_find(gc, CAT_ACCELERATOR, s->accelerator.s) : NULL;
    if (!acc && gc) {
      const char **names =
          xmalloc((gc->n[CAT_ACCELERATOR] + 1) * sizeof(char *));
      for (size_t k = 0; k < gc->n[CAT_ACCELERATOR]; k++)
        names[k] = gc->e[CAT_ACCELERATOR][k].name;
      char hint[96];
      suggest(s->accelerator.s, names, gc->n[CAT_ACCELERATOR], hint,
              sizeof hint);
      free(names);
      capplan_diags_add(b->d, CAPPLAN_ERROR, s->accelerator.loc,
                        "name one of 'capplan catalog accelerators'",
                        "hardware '%s' names unknown accelerator '%s'%s",
                        s->name.s, s->accelerator.s, hint);
    } else if (acc) {
      h->accelerator = arena_strdup(g->arena, acc->name);
      set_accelerator(v, acc);
      if (!s->gpus.set && v->gpus <= 0)
        v->gpus = 1;
      double mem = 0, price = 0;
      if (!s->gpu_memory.set && cat_get(acc, ACC_MEMORY, &mem))
        v->gpu_memory = v->gpus * mem;
      if (!s->cost.set && !h->from_catalog && cat_get(acc, ACC_PRICE, &price)) {
        v->cost_per_year = v->gpus * price;
        char src[512];
        snprintf(src, sizeof src, "%g x %s at %s", v->gpus, acc->name,
                 price_source(g->arena, acc, ACC_PRICE));
        h->cost_source = arena_strdup(g->arena, src);
      }
    }
  }
  if (s->cost.set)
    h->no_price = false;
  set_if(&v->mem_bw, &s->memory_bandwidth);
  set_if(&v->link_bw, &s->interconnect);
  set_if(&v->mfu, &s->mfu);
  set_if(&v->mbu, &s->mbu);
  const snum *fl[DT_COUNT] = {&s->flops.fp32, &s->flops.tf32, &s->flops.bf16,
                              &s->flops.fp16, &s->flops.fp8,  &s->flops.int8,
                              &s->flops.fp4};
  for (int t = 0; t < DT_COUNT; t++)
    set_if(&v->flops[t], fl[t]);
}

static void build_hardware(builder *b) {
  capplan_model *g = b->g;
  size_t n_cat;
  const hw_entry *cat = catalog_hardware(&n_cat);
  size_t cap = n_cat + b->spec->n_hardware;
  const capplan_catalog *gc = needs_catalog(b) ? catalog_of(b) : NULL;
  if (gc)
    cap += gc->n[CAT_ACCELERATOR] + gc->n[CAT_INSTANCE];
  g->hw = arena_array(g->arena, cap, sizeof(mhw));
  b->p->hw = xcalloc(cap + 1, sizeof(hw_in));
  for (size_t i = 0; i < n_cat; i++) {
    mhw *h = &g->hw[g->n_hw];
    hw_in *v = &b->p->hw[g->n_hw];
    g->n_hw++;
    h->name = cat[i].name;
    h->from_catalog = true;
    v->cores = cat[i].cores;
    v->memory = cat[i].memory;
    v->gpus = cat[i].gpus;
    v->gpu_memory = cat[i].gpu_memory;
    v->cost_per_year = cat[i].cost_per_year;
    v->availability = cat[i].availability;
    strmap_put(&b->hw, h->name, i, NULL);
  }
  /* Accelerators and cloud instances (catalog.h), each a server type. */
  for (int kind = CAT_ACCELERATOR; gc && kind <= CAT_INSTANCE; kind++)
    for (size_t i = 0; i < gc->n[kind]; i++) {
      const cat_entry *e = &gc->e[kind][i];
      if (strmap_get(&b->hw, e->name, NULL))
        continue; /* the seed's name wins */
      size_t at = g->n_hw++;
      hw_from_catalog(b, &g->hw[at], &b->p->hw[at], (enum cat_kind)kind, e);
      strmap_put(&b->hw, g->hw[at].name, at, NULL);
    }
  for (size_t i = 0; i < b->spec->n_hardware; i++) {
    const spec_hardware *s = &b->spec->hardware[i];
    size_t at;
    if (!strmap_get(&b->hw, s->name.s, &at)) {
      const cat_entry *acc =
          s->accelerator.s && gc
              ? catalog_find(gc, CAT_ACCELERATOR, s->accelerator.s)
              : NULL;
      double price = 0;
      /* A server of N catalog accelerators costs N of them, when the
       * catalog has their price. */
      if (!s->cost.present && acc && !cat_get(acc, ACC_PRICE, &price)) {
        capplan_diags_add(b->d, CAPPLAN_ERROR, s->loc,
                          "add 'cost: $3/hour' (the price of one server)",
                          "hardware '%s' has no 'cost', and no public source "
                          "gives a price for its accelerator '%s' "
                          "(docs/catalog.md, Gaps)",
                          s->name.s, acc->name);
      } else if (!s->cost.present && !acc) {
        const char *names[16];
        size_t n = 0;
        capplan_buf help;
        capplan_buf_init(&help);
        capplan_buf_puts(&help, "add 'cost: $2/hour' (the price of one "
                                "server), or use a catalog name:");
        for (size_t k = 0; k < n_cat && n < ARRAY_LEN(names); k++) {
          names[n++] = cat[k].name;
          capplan_buf_printf(&help, "%s %s", k ? "," : "", cat[k].name);
        }
        char hint[96];
        suggest(s->name.s, names, n, hint, sizeof hint);
        capplan_diags_add(b->d, CAPPLAN_ERROR, s->loc, help.data,
                          "hardware '%s' is not in the catalog and has no "
                          "'cost'%s",
                          s->name.s, hint);
        capplan_buf_release(&help);
      }
      at = g->n_hw++;
      g->hw[at].name = arena_strdup(g->arena, s->name.s);
      strmap_put(&b->hw, g->hw[at].name, at, NULL);
    }
    /* A catalog name overrides only the fields given. */
    mhw *h = &g->hw[at];
    hw_in *v = &b->p->hw[at];
    set_if(&v->cores, &s->cores);
    set_if(&v->memory, &s->memory);
    set_if(&v->gpus, &s->gpus);
    set_if(&v->gpu_memory, &s->gpu_memory);
    set_if(&v->cost_per_year, &s->cost);
    if (s->cost.set)
      h->cost_text = arena_strdup(g->arena, s->cost.text);
    set_if(&v->availability, &s->availability);
    override_accelerator(b, s, h, v, gc);
  }
}

static const spec_hardware *spec_hw(const builder *b, const char *name) {
  for (size_t i = 0; i < b->spec->n_hardware; i++)
    if (!strcmp(b->spec->hardware[i].name.s, name))
      return &b->spec->hardware[i];
  return NULL;
}

/* The index of hardware NAME; reports an unknown name (WHO uses it) and
 * returns -1. */
static long find_hw(builder *b, const char *name, capplan_loc loc,
                    const char *who) {
  size_t at;
  if (strmap_get(&b->hw, name, &at))
    return (long)at;
  const char **names = xmalloc(b->g->n_hw * sizeof(char *));
  for (size_t i = 0; i < b->g->n_hw; i++)
    names[i] = b->g->hw[i].name;
  char hint[96];
  suggest(name, names, b->g->n_hw, hint, sizeof hint);
  free(names);
  capplan_diags_add(b->d, CAPPLAN_ERROR, loc,
                    "name a catalog entry (see 'capplan catalog') or define "
                    "it under 'hardware:'",
                    "%s uses unknown hardware '%s'%s", who, name, hint);
  return -1;
}

/* -------------------------------------------------------------- stages */

static void name_stages(builder *b) {
  const capplan_spec *spec = b->spec;
  for (size_t i = 0; i < spec->n_stages; i++) {
    const spec_stage *st = &spec->stages[i];
    if (!st->name.s) {
      /* Only in a spec with errors (see spec_load): a label for messages
       * that no 'after' can name. */
      char label[32];
      snprintf(label, sizeof label, "#%zu", i + 1);
      b->g->stage[i].name = arena_strdup(b->g->arena, label);
      continue;
    }
    b->g->stage[i].name = arena_strdup(b->g->arena, st->name.s);
    b->g->stage[i].loc = st->name.loc;
    size_t first;
    if (!strmap_put(&b->stages, st->name.s, i, &first)) {
      char help[128];
      snprintf(help, sizeof help,
               "the first '%s' is on line %d; stage names must be unique",
               st->name.s, spec->stages[first].name.loc.line);
      capplan_diags_add(b->d, CAPPLAN_ERROR, st->name.loc, help,
                        "duplicate stage name '%s'", st->name.s);
    }
  }
}

/* Resolves every 'fallback' and marks the stages named as standbys, which
 * must be known before 'after' links are made. */
static void resolve_fallbacks(builder *b) {
  const capplan_spec *spec = b->spec;
  capplan_model *g = b->g;
  for (size_t i = 0; i < g->n_stages; i++) {
    g->stage[i].fallback = -1;
    g->stage[i].async =
        spec->stages[i].more->async.set && spec->stages[i].more->async.v != 0;
  }
  for (size_t i = 0; i < g->n_stages; i++) {
    const spec_stage *st = &spec->stages[i];
    mstage *nd = &g->stage[i];
    if (!st->more->fallback.s)
      continue;
    size_t f;
    if (!strmap_get(&b->stages, st->more->fallback.s, &f)) {
      const char **names = xmalloc((g->n_stages + 1) * sizeof(char *));
      size_t n = 0;
      for (size_t j = 0; j < spec->n_stages; j++)
        if (spec->stages[j].name.s)
          names[n++] = spec->stages[j].name.s;
      char hint[96];
      suggest(st->more->fallback.s, names, n, hint, sizeof hint);
      free(names);
      capplan_diags_add(b->d, CAPPLAN_ERROR, st->more->fallback.loc,
                        "'fallback' names another stage of this spec",
                        "stage '%s' falls back to unknown stage '%s'%s",
                        nd->name, st->more->fallback.s, hint);
      continue;
    }
    if (f == i) {
      capplan_diags_add(b->d, CAPPLAN_ERROR, st->more->fallback.loc,
                        "name another stage, one that can serve these "
                        "requests while this one is down",
                        "stage '%s' falls back to itself", nd->name);
      continue;
    }
    nd->fallback = (long)f;
    g->stage[f].standby = true;
  }
  for (size_t i = 0; i < g->n_stages; i++) {
    const mstage *nd = &g->stage[i];
    const spec_stage *st = &spec->stages[i];
    if (nd->fallback >= 0 && nd->standby)
      capplan_diags_add(b->d, CAPPLAN_ERROR, st->more->fallback.loc,
                        "a fallback stands in for another stage and has no "
                        "fallback of its own",
                        "stage '%s' is a fallback and cannot have one",
                        nd->name);
    if (nd->standby && st->more->colocate.s)
      capplan_diags_add(b->d, CAPPLAN_ERROR, st->more->colocate.loc,
                        "a fallback is sized and counted on its own; remove "
                        "'colocate'",
                        "fallback stage '%s' cannot be colocated", nd->name);
    if (nd->async && nd->fallback >= 0)
      capplan_diags_add(b->d, CAPPLAN_ERROR, st->more->fallback.loc,
                        "no request waits for an async stage, so nothing "
                        "needs to stand in for it; remove 'fallback'",
                        "async stage '%s' cannot have a fallback", nd->name);
    if (nd->async && nd->standby)
      capplan_diags_add(b->d, CAPPLAN_ERROR, st->more->async.loc,
                        "a fallback serves requests; remove 'async: true'",
                        "fallback stage '%s' cannot be async", nd->name);
    if (nd->fallback >= 0 && st->more->colocate.s)
      capplan_diags_add(b->d, CAPPLAN_ERROR, st->more->fallback.loc,
                        "a colocated stage goes down with its whole group; "
                        "give the fallback to a stand-alone stage",
                        "colocated stage '%s' cannot have a fallback",
                        nd->name);
  }
}

/* The names as written, and as they would be fixed, of stages whose name
 * is invalid ('Deep Ranker', 'deep-ranker'), so that an 'after' naming
 * one is not reported a second time.  Built once: a lookup per link. */
static void index_invalid_names(builder *b) {
  for (size_t i = 0; i < b->spec->n_stages; i++) {
    const char *bad = b->spec->stages[i].invalid_name;
    if (!bad)
      continue;
    char fixed[160];
    name_slug(bad, fixed, sizeof fixed);
    strmap_put(&b->invalid, bad, i, NULL);
    strmap_put(&b->invalid, arena_strdup(b->g->arena, fixed), i, NULL);
  }
}

static bool names_invalid_stage(const builder *b, const char *name) {
  return strmap_get(&b->invalid, name, NULL);
}

static void link_stage(builder *b, size_t i) {
  const capplan_spec *spec = b->spec;
  const spec_stage *st = &spec->stages[i];
  mstage *nd = &b->g->stage[i];
  nd->join_any = st->more->join.s && !strcmp(st->more->join.s, "any");
  if (nd->standby) {
    /* A fallback receives its primary's requests, not a flow of its
     * own: it follows nothing. */
    if (st->after.set)
      capplan_diags_add(b->d, CAPPLAN_ERROR, st->after.loc,
                        "a fallback receives the requests of the stage it "
                        "stands in for; remove 'after'",
                        "stage '%s' is a fallback, so its 'after' has no "
                        "effect",
                        nd->name);
    return;
  }
  if (!st->after.set) {
    /* The stage listed before it, passing over fallbacks, which are not
     * on the request path, and, for a stage on that path, over async
     * stages. */
    size_t p = i;
    while (p > 0 && (b->g->stage[p - 1].standby ||
                     (b->g->stage[p - 1].async && !nd->async)))
      p--;
    if (p > 0) {
      nd->parents = arena_alloc(b->g->arena, sizeof(size_t));
      nd->parents[0] = p - 1;
      nd->n_parents = 1;
    }
    return;
  }
  nd->parents = arena_array(b->g->arena, st->after.n, sizeof(size_t));
  for (size_t k = 0; k < st->after.n; k++) {
    const sstr *a = &st->after.items[k];
    size_t p;
    if (!strmap_get(&b->stages, a->s, &p) && names_invalid_stage(b, a->s))
      continue; /* that stage's name is already reported as invalid */
    if (!strmap_get(&b->stages, a->s, &p)) {
      char hint[96] = "";
      /* Suggestions scan every name; skip them for huge specs. */
      if (spec->n_stages <= 20000) {
        const char **names = xmalloc(spec->n_stages * sizeof(char *));
        size_t n = 0;
        for (size_t j = 0; j < spec->n_stages; j++)
          if (spec->stages[j].name.s)
            names[n++] = spec->stages[j].name.s;
        suggest(a->s, names, n, hint, sizeof hint);
        free(names);
      }
      capplan_diags_add(b->d, CAPPLAN_ERROR, a->loc,
                        "'after' names stages defined in this spec",
                        "stage '%s' is after unknown stage '%s'%s", nd->name,
                        a->s, hint);
      continue;
    }
    if (b->g->stage[p].standby) {
      capplan_diags_add(b->d, CAPPLAN_ERROR, a->loc,
                        "a fallback only serves requests while its primary "
                        "is down; follow the primary instead",
                        "stage '%s' is after '%s', which is a fallback",
                        nd->name, a->s);
      continue;
    }
    if (b->g->stage[p].async && !nd->async) {
      capplan_diags_add(b->d, CAPPLAN_ERROR, a->loc,
                        "no request waits for an async stage; mark this "
                        "stage 'async: true' too, or follow a stage on the "
                        "request path",
                        "stage '%s' is after '%s', which is async", nd->name,
                        a->s);
      continue;
    }
    if (p == i) {
      capplan_diags_add(b->d, CAPPLAN_ERROR, a->loc,
                        "write 'after: []' for an entry stage, or name the "
                        "stage it follows",
                        "stage '%s' is after itself", nd->name);
      continue;
    }
    /* seen[p] == i: stage p is already among i's parents (linear in the
     * length of 'after', however long). */
    if (b->seen[p] == i) {
      capplan_diags_add(b->d, CAPPLAN_ERROR, a->loc, "list each stage once",
                        "'after' lists '%s' twice", a->s);
      continue;
    }
    b->seen[p] = i;
    nd->parents[nd->n_parents++] = p;
  }
}

/* ------------------------------------------------------------ settings */

/* The policy fields, in the order of struct policy and spec_policy, and
 * where each may come from besides the stage, its group and defaults:
 * the hardware's availability, or the hardware's memory reserve.  Every
 * field but the two availabilities is the pool's: a colocated stage takes
 * its group's. */
enum { FROM_SETTINGS, FROM_HW_AVAILABILITY, FROM_HW_RESERVE };
#define POL(f, from, pool)                                                     \
  { offsetof(policy, f), offsetof(spec_policy, f), #f, from, pool }
static const struct {
  size_t in, spec;
  const char *name;
  int from;
  bool pooled;
} pol_fields[] = {
    POL(utilization, FROM_SETTINGS, true),
    POL(headroom, FROM_SETTINGS, true),
    POL(redundancy, FROM_SETTINGS, true),
    POL(zones, FROM_SETTINGS, true),
    POL(survive_zone_loss, FROM_SETTINGS, true),
    POL(availability, FROM_HW_AVAILABILITY, false),
    POL(stage_availability, FROM_SETTINGS, false),
    POL(zone_availability, FROM_SETTINGS, true),
    POL(memory_reserve, FROM_HW_RESERVE, true),
    POL(failover_utilization, FROM_SETTINGS, true),
};
#undef POL

static double *pol_at(policy *p, size_t f) {
  return (double *)((char *)p + pol_fields[f].in);
}

static const snum *spol_at(const spec_policy *p, size_t f) {
  return (const snum *)((const char *)p + pol_fields[f].spec);
}

/* Fields a colocated stage takes from its group's pool. */
static bool pooled(size_t f) {
  return pol_fields[f].pooled;
}

/* The schema's defaults, looked up once per model rather than per stage
 * (a 100,000-stage spec resolves a million settings). */
static void builder_defaults(builder *b) {
  for (size_t f = 0; f < ARRAY_LEN(pol_fields); f++)
    *pol_at(&b->pol_default, f) =
        schema_key_get(SEC_POLICY, pol_fields[f].name)->def;
  b->def_share = schema_key_get(SEC_STAGE, "share")->def;
  b->def_calls = schema_key_get(SEC_STAGE, "calls")->def;
  b->def_cache_hit = schema_key_get(SEC_STAGE, "cache_hit")->def;
  b->def_stops = schema_key_get(SEC_STAGE, "stops")->def;
  b->def_replicas = schema_key_get(SEC_STAGE, "replicas")->def;
}

/* A policy from OWN, else OUTER (either may be NULL), else the schema's
 * defaults.  Server availability and the memory reserve may also come
 * from the hardware (HW, HW_SPEC; either may be NULL). */
static void resolve_policy(const builder *b, const spec_policy *own,
                           const spec_policy *outer, const hw_in *hw,
                           const spec_hardware *hw_spec, policy *out,
                           unsigned *own_bits) {
  *own_bits = 0;
  for (size_t f = 0; f < ARRAY_LEN(pol_fields); f++) {
    const snum *o = own ? spol_at(own, f) : NULL;
    const snum *d = outer ? spol_at(outer, f) : NULL;
    double v = *pol_at((policy *)&b->pol_default, f);
    bool avail = pol_fields[f].from == FROM_HW_AVAILABILITY;
    bool reserve = pol_fields[f].from == FROM_HW_RESERVE;
    if (o && o->set) {
      v = o->v;
      *own_bits |= 1u << f;
    } else if (avail && hw && hw->availability > 0) {
      v = hw->availability; /* the hardware's, before the defaults' */
    } else if (reserve && hw_spec && hw_spec->memory_reserve.set) {
      v = hw_spec->memory_reserve.v;
    } else if (d && d->set) {
      v = d->v;
    }
    *pol_at(out, f) = v;
  }
}

/* The model of an llm stage (SPEC.md section 6): a catalog model's
 * dimensions, or those the spec gives; and the LLM objectives of the
 * spec's slo.  Returns the catalog name (in the model's arena) or NULL. */
static const char *llm_inputs(builder *b, const spec_stage *st, gpu_in *gi) {
  const spec_llm *l = st->llm;
  const capplan_spec *spec = b->spec;
  gi->ttft_target = spec->slo.ttft.set ? spec->slo.ttft.v : 0;
  gi->tpot_target = spec->slo.tpot.set ? spec->slo.tpot.v : 0;
  if (!l->model_name.s) {
    const struct spec_llm_model *m = &l->model;
    gi->params = m->params.v;
    gi->active_params = m->active_params.set ? m->active_params.v : m->params.v;
    gi->layers = m->layers.v;
    gi->hidden = m->hidden.v;
    gi->heads = m->heads.v;
    gi->kv_heads = m->kv_heads.v;
    gi->head_dim = m->head_dim.v;
    gi->experts = m->experts.set ? m->experts.v : 0;
    gi->experts_active = m->experts_active.set ? m->experts_active.v : 0;
    gi->max_context = m->max_context.set ? m->max_context.v : 0;
    return NULL;
  }
  const capplan_catalog *cat = catalog_of(b);
  const cat_entry *e =
      cat ? catalog_find(cat, CAT_MODEL, l->model_name.s) : NULL;
  if (!e) {
    if (cat) {
      const char **names = xmalloc((cat->n[CAT_MODEL] + 1) * sizeof(char *));
      for (size_t k = 0; k < cat->n[CAT_MODEL]; k++)
        names[k] = cat->e[CAT_MODEL][k].name;
      char hint[96];
      suggest(l->model_name.s, names, cat->n[CAT_MODEL], hint, sizeof hint);
      free(names);
      capplan_diags_add(b->d, CAPPLAN_ERROR, l->model_name.loc,
                        "name one of 'capplan catalog models', or give the "
                        "model's dimensions (params, layers, hidden, heads, "
                        "kv_heads, head_dim) below 'model:'",
                        "unknown model '%s'%s", l->model_name.s, hint);
    }
    return NULL;
  }
  cat_get(e, MOD_PARAMS, &gi->params);
  gi->active_params = gi->params;
  cat_get(e, MOD_ACTIVE_PARAMS, &gi->active_params);
  cat_get(e, MOD_LAYERS, &gi->layers);
  cat_get(e, MOD_HIDDEN, &gi->hidden);
  cat_get(e, MOD_HEADS, &gi->heads);
  cat_get(e, MOD_KV_HEADS, &gi->kv_heads);
  cat_get(e, MOD_HEAD_DIM, &gi->head_dim);
  gi->max_context = 0;
  cat_get(e, MOD_MAX_CONTEXT, &gi->max_context);
  gi->experts = gi->experts_active = 0;
  cat_get(e, MOD_EXPERTS, &gi->experts);
  cat_get(e, MOD_EXPERTS_ACTIVE, &gi->experts_active);
  return arena_strdup(b->g->arena, e->name);
}

/* 'service' (SPEC.md section 9): exponential and deterministic fix the
 * coefficient of variation the queues use (1 and 0), so a 'service_cv'
 * that says otherwise is a contradiction; lognormal and gamma take it. */
static void resolve_service(builder *b, const spec_stage *st, mstage *nd,
                            stage_in *in) {
  static const struct {
    const char *name;
    enum service_dist dist;
    double cv; /* < 0: any */
  } kinds[] = {{"exponential", SERVICE_EXPONENTIAL, 1},
               {"deterministic", SERVICE_DETERMINISTIC, 0},
               {"lognormal", SERVICE_LOGNORMAL, -1},
               {"gamma", SERVICE_GAMMA, -1}};
  nd->service = SERVICE_AUTO;
  if (!st->more->service.s)
    return;
  for (size_t k = 0; k < ARRAY_LEN(kinds); k++) {
    if (strcmp(st->more->service.s, kinds[k].name))
      continue;
    nd->service = kinds[k].dist;
    if (kinds[k].cv < 0)
      return;
    if (st->more->service_cv.set && st->more->service_cv.v != kinds[k].cv) {
      char help[160];
      snprintf(help, sizeof help,
               "%s service has a coefficient of variation of %g; remove "
               "'service_cv', or use 'service: gamma' or 'lognormal'",
               kinds[k].name, kinds[k].cv);
      capplan_diags_add(b->d, CAPPLAN_ERROR, st->more->service_cv.loc, help,
                        "stage '%s' has service_cv %s but %s service", nd->name,
                        st->more->service_cv.text ? st->more->service_cv.text
                                                  : "?",
                        kinds[k].name);
    }
    in->service_cv = kinds[k].cv;
    return;
  }
}

static void settle_stage(builder *b, size_t i, long default_hw) {
  const capplan_spec *spec = b->spec;
  const spec_stage *st = &spec->stages[i];
  capplan_model *g = b->g;
  mstage *nd = &g->stage[i];
  stage_in *in = &b->p->stage[i];
  long hw = default_hw;
  if (st->hardware.s) {
    char who[192]; /* for a diagnostic: made only when it may be needed */
    snprintf(who, sizeof who, "stage '%s'", nd->name);
    hw = find_hw(b, st->hardware.s, st->hardware.loc, who);
  }
  if (hw < 0)
    return; /* reported; the model will not be built */
  nd->hw = (size_t)hw;
  const hw_in *hv = &b->p->hw[hw];
  const spec_hardware *hs = spec_hw(b, g->hw[hw].name);

  in->share = st->share.set ? st->share.v : b->def_share;
  in->calls = st->more->calls.set ? st->more->calls.v : b->def_calls;
  in->cache_hit =
      st->more->cache_hit.set ? st->more->cache_hit.v : b->def_cache_hit;
  in->stops = st->more->stops.set ? st->more->stops.v : b->def_stops;
  in->replicas =
      st->more->replicas.set ? st->more->replicas.v : b->def_replicas;
  in->latency = st->latency.v;
  /* Queueing (SPEC.md section 7): 0 and -1 leave the slots and the
   * service's variation to the throughput model (tp.h). */
  in->concurrency = st->more->concurrency.set ? st->more->concurrency.v : 0;
  in->service_cv = st->more->service_cv.set ? st->more->service_cv.v : -1;
  const char *bal =
      st->more->balancer.s ? st->more->balancer.s : spec->defaults.balancer.s;
  nd->random_balancer = bal && !strcmp(bal, "random");
  const char *sz =
      st->more->sizing.s ? st->more->sizing.s : spec->defaults.sizing.s;
  nd->size_latency = !sz || strcmp(sz, "throughput") != 0;
  resolve_service(b, st, nd, in);
  nd->text.latency =
      st->latency.text ? arena_strdup(g->arena, st->latency.text) : NULL;
  nd->text.qps_per_server =
      st->qps_per_server.text ? arena_strdup(g->arena, st->qps_per_server.text)
                              : NULL;
  nd->calls_sequential =
      st->more->calls_mode.s && !strcmp(st->more->calls_mode.s, "sequential");
  /* `kind:` fills the stage before resolution (workload_apply); a spec
   * resolved without it would size the stage on a latency of 0. */
  if (st->kind.s && !spec->kinds_applied)
    capplan_diags_add(b->d, CAPPLAN_ERROR, st->kind.loc,
                      "apply the kinds with workload_apply() before "
                      "resolving (capplan_run does)",
                      "stage '%s' has kind '%s', whose figures were not "
                      "applied",
                      nd->name, st->kind.s);
  if (st->inherited.workload) {
    nd->workload = arena_strdup(g->arena, st->inherited.workload);
    nd->workload_sources = arena_strdup(g->arena, st->inherited.sources);
    nd->inherits = (st->inherited.latency ? MSTAGE_INHERITS_LATENCY : 0u) |
                   (st->inherited.qps_per_server ? MSTAGE_INHERITS_QPS : 0u) |
                   (st->inherited.hardware ? MSTAGE_INHERITS_HARDWARE : 0u);
  }
  resolve_policy(b, st->pol, &spec->defaults.pol, hv, hs, &in->pol, &nd->own);
  /* Reported here when the stage itself sets one of the two keys; a
   * contradiction in 'defaults' alone is reported once, by the build. */
  if (in->pol.survive_zone_loss != 0 && in->pol.zones < 2 &&
      !st->more->colocate.s &&
      (st->pol->survive_zone_loss.set || st->pol->zones.set)) {
    const snum *where = st->pol->survive_zone_loss.set
                            ? &st->pol->survive_zone_loss
                            : &st->pol->zones;
    capplan_diags_add(b->d, CAPPLAN_ERROR, where->loc,
                      "set 'zones' to 2 or more (e.g. 'zones: 3')",
                      "stage '%s' must survive the loss of a zone but runs "
                      "in only one",
                      nd->name);
  } else if (in->pol.survive_zone_loss != 0 && in->pol.zones < 2 &&
             !st->more->colocate.s) {
    b->defaults_zones_used = true; /* both from 'defaults' */
  }

  /* Catalog hardware without a published price (docs/catalog.md, Gaps)
   * cannot be costed until the spec prices it. */
  if (g->hw[hw].no_price) {
    char help[256];
    snprintf(help, sizeof help,
             "give the price you pay under 'hardware:', e.g. 'hardware: "
             "{%s: {cost: $3/hour}}'",
             g->hw[hw].name);
    capplan_diags_add(
        b->d, CAPPLAN_ERROR, st->hardware.s ? st->hardware.loc : st->loc, help,
        "stage '%s' runs on '%s', whose price no public source gives "
        "(docs/catalog.md, Gaps)",
        nd->name, g->hw[hw].name);
  }

  /* Throughput of one server (SPEC.md section 6): one model per stage. */
  enum tp_kind kind = tp_kind_of(st);
  gpu_in *gi = &b->p->gpu[nd->gpu_at];
  const char *model = st->llm->set ? llm_inputs(b, st, gi) : NULL;
  tp_ops_of(kind)->resolve(st, hv, g->hw[hw].name, &nd->tp, in, gi, b->d);
  if (kind == TP_LLM)
    nd->tp.as.llm.model = model;

  /* Memory (FORMULAS.md section 8): 'memory', or items x item_size. */
  if (st->more->memory.set ||
      (st->more->items.set && st->more->item_size.set)) {
    nd->has_memory = true;
    in->memory = st->more->memory.set
                     ? st->more->memory.v
                     : st->more->items.v * st->more->item_size.v;
    bool gpu = hv->gpus > 0;
    if (st->more->memory_on.s)
      gpu = !strcmp(st->more->memory_on.s, "gpu");
    nd->memory_on_gpu = gpu;
    double have = gpu ? hv->gpu_memory : hv->memory;
    if (have <= 0) {
      char help[256];
      snprintf(help, sizeof help, "add '%s' to hardware '%s'%s",
               gpu ? "gpu_memory" : "memory", g->hw[hw].name,
               gpu ? ", or hold the data in host memory with 'memory_on: host'"
                   : "");
      capplan_diags_add(b->d, CAPPLAN_ERROR,
                        st->more->memory.set ? st->more->memory.loc
                                             : st->more->items.loc,
                        help,
                        "stage '%s' keeps data in %s memory, but hardware "
                        "'%s' states none",
                        nd->name, gpu ? "GPU" : "host", g->hw[hw].name);
    }
  }

  /* A cache tier of its own (SPEC.md section 5). */
  if (st->cache->set) {
    const spec_cache *c = st->cache;
    nd->has_cache = true;
    long chw = (long)nd->hw;
    if (c->hardware.s) {
      char cwho[224];
      snprintf(cwho, sizeof cwho, "the cache of stage '%s'", nd->name);
      chw = find_hw(b, c->hardware.s, c->hardware.loc, cwho);
    }
    nd->cache_hw = chw < 0 ? nd->hw : (size_t)chw;
    cache_in *ci = &b->p->cache[nd->cache_at];
    ci->qps_per_server = c->qps_per_server.v;
    ci->latency = c->latency.v;
    ci->replicas = c->replicas.set ? c->replicas.v : 1;
    if (c->memory.set)
      ci->memory = c->memory.v;
    else if (c->items.set && c->item_size.set)
      ci->memory = c->items.v * c->item_size.v;
    ci->pol = in->pol;
    if (ci->memory > 0 && b->p->hw[nd->cache_hw].memory <= 0)
      capplan_diags_add(b->d, CAPPLAN_ERROR, c->loc,
                        "add 'memory' to the cache's hardware, or give the "
                        "cache 'hardware:' that states its memory",
                        "the cache of stage '%s' holds data, but hardware "
                        "'%s' states no memory",
                        nd->name, g->hw[nd->cache_hw].name);
  }
}

/* -------------------------------------------------------------- groups */

static void build_groups(builder *b) {
  const capplan_spec *spec = b->spec;
  capplan_model *g = b->g;
  strmap ix;
  strmap_init(&ix);
  size_t *count = xcalloc(spec->n_stages + 1, sizeof(size_t));
  for (size_t i = 0; i < spec->n_stages; i++) {
    const sstr *c = &spec->stages[i].more->colocate;
    g->stage[i].group = -1;
    if (!c->s)
      continue;
    size_t gi;
    if (!strmap_get(&ix, c->s, &gi)) {
      gi = ix.count;
      strmap_put(&ix, c->s, gi, NULL);
    }
    g->stage[i].group = (long)gi;
    count[gi]++;
  }
  g->n_groups = ix.count;
  g->group = arena_array(g->arena, g->n_groups, sizeof(mgroup));
  b->p->group = xcalloc(g->n_groups + 1, sizeof(policy));
  for (size_t gi = 0; gi < g->n_groups; gi++)
    g->group[gi].members = arena_array(g->arena, count[gi], sizeof(size_t));
  free(count);

  /* Group settings: groups.NAME, else defaults, else the schema default.
   * A pool is as available as its least available member says. */
  const spec_defaults *df = &spec->defaults;
  bool *used = xcalloc(spec->n_groups + 1, sizeof(bool));
  for (size_t i = 0; i < spec->n_stages; i++) {
    mstage *nd = &g->stage[i];
    if (nd->group < 0)
      continue;
    mgroup *gr = &g->group[nd->group];
    policy *gp = &b->p->group[nd->group];
    const spec_stage *st = &spec->stages[i];
    const stage_in *in = &b->p->stage[i];
    if (gr->n_members == 0) {
      gr->name = arena_strdup(g->arena, st->more->colocate.s);
      gr->loc = st->more->colocate.loc;
      gr->hw = nd->hw;
      const spec_group *sg = NULL;
      for (size_t k = 0; k < spec->n_groups; k++)
        if (!strcmp(spec->groups[k].name.s, gr->name)) {
          sg = &spec->groups[k];
          used[k] = true;
        }
      unsigned bits;
      resolve_policy(b, sg ? &sg->pol : NULL, &df->pol, &b->p->hw[gr->hw],
                     spec_hw(b, g->hw[gr->hw].name), gp, &bits);
      gp->availability = in->pol.availability;
      if (gp->survive_zone_loss != 0 && gp->zones < 2 && sg &&
          (sg->pol.survive_zone_loss.set || sg->pol.zones.set))
        capplan_diags_add(b->d, CAPPLAN_ERROR,
                          sg->pol.survive_zone_loss.set
                              ? sg->pol.survive_zone_loss.loc
                              : sg->pol.zones.loc,
                          "set 'zones' to 2 or more (e.g. 'zones: 3')",
                          "group '%s' must survive the loss of a zone but "
                          "runs in only one",
                          gr->name);
      else if (gp->survive_zone_loss != 0 && gp->zones < 2)
        b->defaults_zones_used = true;
    } else if (nd->hw != gr->hw) {
      char help[192];
      snprintf(help, sizeof help,
               "colocated stages share servers, so they must use the same "
               "hardware; stage '%s' uses '%s'",
               g->stage[gr->members[0]].name, g->hw[gr->hw].name);
      capplan_diags_add(
          b->d, CAPPLAN_ERROR,
          st->hardware.s ? st->hardware.loc : st->more->colocate.loc, help,
          "stage '%s' runs on '%s' but group '%s' runs on '%s'", nd->name,
          g->hw[nd->hw].name, gr->name, g->hw[gr->hw].name);
    }
    if (in->pol.availability < gp->availability)
      gp->availability = in->pol.availability;
    gr->members[gr->n_members++] = i;
    /* The pool's settings apply to its members; say so where a member
     * sets one of its own. */
    for (size_t f = 0; f < ARRAY_LEN(pol_fields); f++) {
      if (!pooled(f))
        continue;
      const snum *own = spol_at(st->pol, f);
      if (own->set) {
        char help[192];
        snprintf(help, sizeof help, "set it under 'groups: %s:' instead",
                 gr->name);
        capplan_diags_add(b->d, CAPPLAN_WARNING, own->loc, help,
                          "stage '%s' is colocated in group '%s', whose '%s' "
                          "applies instead of the stage's",
                          nd->name, gr->name, pol_fields[f].name);
      }
    }
  }
  for (size_t i = 0; i < spec->n_stages; i++) {
    mstage *nd = &g->stage[i];
    if (nd->group < 0)
      continue;
    policy *sp = &b->p->stage[i].pol;
    const policy *gp = &b->p->group[nd->group];
    for (size_t f = 0; f < ARRAY_LEN(pol_fields); f++)
      if (pooled(f))
        *pol_at(sp, f) = *pol_at((policy *)gp, f);
  }
  const char **names = xmalloc((g->n_groups + 1) * sizeof(char *));
  for (size_t gi = 0; gi < g->n_groups; gi++)
    names[gi] = g->group[gi].name;
  for (size_t k = 0; k < spec->n_groups; k++) {
    if (used[k])
      continue;
    char hint[96];
    suggest(spec->groups[k].name.s, names, g->n_groups, hint, sizeof hint);
    /* An error, not a warning: a misspelt group name would otherwise
     * leave its stages on settings nobody chose. */
    capplan_diags_add(b->d, CAPPLAN_ERROR, spec->groups[k].loc,
                      "stages join a group with 'colocate: NAME'; fix the "
                      "name or remove the entry",
                      "group '%s' has no stages%s", spec->groups[k].name.s,
                      hint);
  }
  free(names);
  free(used);
  strmap_release(&ix);
}

/* ---------------------------------------------------------------- order */

/* A binary min-heap of stage indices: Kahn's algorithm takes the ready
 * stage that comes first in the spec, which makes the order deterministic
 * and equal to the spec's order whenever that order is valid. */
typedef struct heap {
  size_t *a;
  size_t n;
} heap;

static void heap_push(heap *h, size_t v) {
  size_t i = h->n++;
  h->a[i] = v;
  while (i > 0 && h->a[(i - 1) / 2] > h->a[i]) {
    size_t p = (i - 1) / 2, t = h->a[p];
    h->a[p] = h->a[i];
    h->a[i] = t;
    i = p;
  }
}

static size_t heap_pop(heap *h) {
  size_t top = h->a[0];
  h->a[0] = h->a[--h->n];
  for (size_t i = 0;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < h->n && h->a[l] < h->a[m])
      m = l;
    if (r < h->n && h->a[r] < h->a[m])
      m = r;
    if (m == i)
      break;
    size_t t = h->a[m];
    h->a[m] = h->a[i];
    h->a[i] = t;
    i = m;
  }
  return top;
}

/* Children of each node in compressed rows: kids[start[i] .. start[i+1]). */
typedef struct adjacency {
  size_t *start, *kids;
} adjacency;

static adjacency children(const capplan_model *g) {
  adjacency a;
  a.start = xcalloc(g->n_stages + 1, sizeof(size_t));
  size_t edges = 0;
  for (size_t i = 0; i < g->n_stages; i++)
    for (size_t k = 0; k < g->stage[i].n_parents; k++) {
      a.start[g->stage[i].parents[k] + 1]++;
      edges++;
    }
  for (size_t i = 0; i < g->n_stages; i++)
    a.start[i + 1] += a.start[i];
  a.kids = xmalloc((edges + 1) * sizeof(size_t));
  size_t *fill = xmalloc((g->n_stages + 1) * sizeof(size_t));
  memcpy(fill, a.start, (g->n_stages + 1) * sizeof(size_t));
  for (size_t i = 0; i < g->n_stages; i++)
    for (size_t k = 0; k < g->stage[i].n_parents; k++)
      a.kids[fill[g->stage[i].parents[k]]++] = i;
  free(fill);
  return a;
}

static void report_cycle(builder *b, const size_t *cyc, size_t len) {
  /* CYC lists the cycle child-first (each entry's parent follows it);
   * print it parent-first, starting from the stage that comes first. */
  const capplan_model *g = b->g;
  size_t first = 0;
  for (size_t k = 1; k < len; k++)
    if (cyc[k] < cyc[first])
      first = k;
  capplan_buf s;
  capplan_buf_init(&s);
  size_t shown = len > 12 ? 12 : len;
  for (size_t k = 0; k < shown; k++) {
    size_t idx = cyc[(first + len - k) % len];
    capplan_buf_printf(&s, "%s -> ", g->stage[idx].name);
  }
  if (shown < len)
    capplan_buf_printf(&s, "... (%zu stages) -> ", len);
  capplan_buf_puts(&s, g->stage[cyc[first]].name);
  /* Point at the link that closes the cycle: the first stage's 'after'
   * entry naming its parent in the cycle. */
  size_t parent = cyc[(first + 1) % len];
  const spec_stage *st = &b->spec->stages[cyc[first]];
  capplan_loc loc = st->loc;
  if (st->after.set)
    for (size_t k = 0; k < st->after.n; k++)
      if (!strcmp(st->after.items[k].s, g->stage[parent].name))
        loc = st->after.items[k].loc;
  /* Stages without 'after' follow the one listed before them: say so,
   * since those links are invisible in the file. */
  capplan_buf help;
  capplan_buf_init(&help);
  size_t implicit = 0;
  for (size_t k = 0; k < len; k++)
    if (!b->spec->stages[cyc[k]].after.set)
      implicit++;
  if (implicit) {
    size_t listed = 0, names = implicit < 6 ? implicit : 6;
    for (size_t k = 0; k < len && listed < names; k++) {
      const mstage *c = &g->stage[cyc[(first + len - k) % len]];
      if (b->spec->stages[c - g->stage].after.set)
        continue;
      listed++;
      capplan_buf_printf(&help, "%s'%s'",
                         listed == 1                            ? ""
                         : listed == names && names == implicit ? " and "
                                                                : ", ",
                         c->name);
    }
    if (names < implicit)
      capplan_buf_puts(&help, ", ...");
    capplan_buf_printf(&help,
                       " %s no 'after' and so %s the stage listed before; "
                       "give %s an explicit 'after' to break the cycle",
                       implicit > 1 ? "have" : "has",
                       implicit > 1 ? "follow" : "follows",
                       implicit > 1 ? "one of them" : "it");
  } else {
    capplan_buf_puts(&help, "a stage cannot come after itself, even through "
                            "others; remove one 'after' link of the cycle");
  }
  capplan_diags_add(b->d, CAPPLAN_ERROR, loc, help.data,
                    "stages form a cycle: %s", s.data);
  capplan_buf_release(&help);
  capplan_buf_release(&s);
}

static void order_stages(builder *b) {
  capplan_model *g = b->g;
  size_t n = g->n_stages;
  g->order = arena_array(g->arena, n, sizeof(size_t));
  adjacency adj = children(g);
  size_t *indeg = xcalloc(n + 1, sizeof(size_t));
  for (size_t i = 0; i < n; i++)
    indeg[i] = g->stage[i].n_parents;
  heap h = {xmalloc((n + 1) * sizeof(size_t)), 0};
  for (size_t i = 0; i < n; i++)
    if (!indeg[i])
      heap_push(&h, i);
  size_t done = 0;
  while (h.n) {
    size_t v = heap_pop(&h);
    g->order[done++] = v;
    for (size_t k = adj.start[v]; k < adj.start[v + 1]; k++)
      if (--indeg[adj.kids[k]] == 0)
        heap_push(&h, adj.kids[k]);
  }
  free(h.a);
  if (done < n) {
    /* The rest lie on or below a cycle.  Walk upstream from each stage not
     * yet explained until a stage repeats: that closes a cycle.  Then mark
     * everything below the walk as explained, so each stage is walked
     * once and each cycle reported once. */
    bool *explained = xcalloc(n, sizeof(bool));
    size_t *pos = xmalloc(n * sizeof(size_t));
    size_t *path = xmalloc(n * sizeof(size_t));
    size_t *queue = xmalloc(n * sizeof(size_t));
    for (size_t i = 0; i < n; i++)
      pos[i] = (size_t)-1;
    for (size_t s = 0; s < n; s++) {
      if (!indeg[s] || explained[s])
        continue;
      size_t len = 0, v = s;
      while (pos[v] == (size_t)-1 && !explained[v]) {
        pos[v] = len;
        path[len++] = v;
        const mstage *nd = &g->stage[v];
        size_t next = v;
        for (size_t k = 0; k < nd->n_parents; k++)
          if (indeg[nd->parents[k]]) {
            next = nd->parents[k];
            break;
          }
        v = next;
      }
      if (!explained[v])
        report_cycle(b, path + pos[v], len - pos[v]);
      size_t qh = 0, qt = 0;
      for (size_t k = 0; k < len; k++) {
        pos[path[k]] = (size_t)-1;
        if (!explained[path[k]]) {
          explained[path[k]] = true;
          queue[qt++] = path[k];
        }
      }
      while (qh < qt) {
        size_t u = queue[qh++];
        for (size_t k = adj.start[u]; k < adj.start[u + 1]; k++)
          if (!explained[adj.kids[k]]) {
            explained[adj.kids[k]] = true;
            queue[qt++] = adj.kids[k];
          }
      }
    }
    free(explained);
    free(pos);
    free(path);
    free(queue);
  }
  free(indeg);
  free(adj.start);
  free(adj.kids);
}

/* ------------------------------------------------------------- traffic */

/* Traffic (FORMULAS.md section 7): peak = dau x requests/day / 86,400 x
 * peak_to_average; the average drops the peak factor. */
static void build_traffic(builder *b) {
  const spec_traffic *t = &b->spec->traffic;
  capplan_model *g = b->g;
  traffic_in *v = &b->p->traffic;
  double p2a = t->peak_to_average.set ? t->peak_to_average.v : 1;
  g->has_peak_to_average = t->peak_to_average.set;
  g->has_average_qps = t->average_qps.set;
  if (t->qps.text)
    g->qps_text = arena_strdup(g->arena, t->qps.text);
  if (t->average_qps.text)
    g->average_qps_text = arena_strdup(g->arena, t->average_qps.text);
  v->peak_to_average = p2a;
  v->growth = t->growth.set ? t->growth.v : 0;
  if (t->dau.set) {
    g->traffic_from_dau = true;
    v->dau = t->dau.v;
    v->requests_per_user = t->requests_per_user.v;
  } else {
    v->qps = t->qps.v;
  }
  if (t->average_qps.set)
    v->average_qps = t->average_qps.v;
  v->arrival_cv = t->arrival_cv.set ? t->arrival_cv.v : 1;
}

static void build_limits(builder *b) {
  capplan_model *g = b->g;
  const capplan_spec *spec = b->spec;
  const struct {
    const snum *from;
    bool *has;
    double *v;
    capplan_loc *loc;
  } lim[] = {
      {&spec->slo.latency, &g->limits.has_latency, &g->limits.latency,
       &g->limits.latency_loc},
      {&spec->slo.availability, &g->limits.has_availability,
       &g->limits.availability, &g->limits.availability_loc},
      {&spec->budget.cost, &g->limits.has_cost, &g->limits.cost,
       &g->limits.cost_loc},
      {&spec->budget.gpus, &g->limits.has_gpus, &g->limits.gpus,
       &g->limits.gpus_loc},
      {&spec->budget.servers, &g->limits.has_servers, &g->limits.servers,
       &g->limits.servers_loc},
      {&spec->slo.ttft, &g->limits.has_ttft, &g->limits.ttft,
       &g->limits.ttft_loc},
      {&spec->slo.tpot, &g->limits.has_tpot, &g->limits.tpot,
       &g->limits.tpot_loc},
  };
  for (size_t i = 0; i < ARRAY_LEN(lim); i++) {
    *lim[i].has = lim[i].from->set;
    *lim[i].v = lim[i].from->v;
    *lim[i].loc = lim[i].from->loc;
  }
  /* Percentile objectives: the spec's, then each stage's; counted
   * first, since few stages have any. */
  size_t cap = 0;
  for (int pass = 0; pass < 2; pass++) {
    if (pass == 1)
      g->pct_limits = arena_array(g->arena, cap ? cap : 1, sizeof(pct_limit));
    for (size_t s = 0; s <= spec->n_stages; s++) {
      const spec_pct_slo *o =
          s == 0 ? &spec->slo.pct : &spec->stages[s - 1].slo->pct;
      const snum *v[4] = {&o->latency_p50, &o->latency_p95, &o->latency_p99,
                          &o->latency_p999};
      for (int k = 0; k < 4; k++)
        if (v[k]->set) {
          if (pass == 0)
            cap++;
          else
            g->pct_limits[g->n_pct_limits++] =
                (pct_limit){(long)s - 1, k, v[k]->v, v[k]->loc};
        }
    }
  }
}

/* ----------------------------------------------------------------- build */

params *params_new(const capplan_model *m) {
  params *p = xcalloc(1, sizeof *p);
  p->stage = xcalloc(m->n_stages + 1, sizeof(stage_in));
  p->cache = xcalloc(m->n_caches + 1, sizeof(cache_in));
  p->gpu = xcalloc(m->n_gpus + 1, sizeof(gpu_in));
  p->group = xcalloc(m->n_groups + 1, sizeof(policy));
  p->hw = xcalloc(m->n_hw + 1, sizeof(hw_in));
  return p;
}

void params_copy(const capplan_model *m, params *dst, const params *src) {
  dst->traffic = src->traffic;
  memcpy(dst->stage, src->stage, m->n_stages * sizeof(stage_in));
  memcpy(dst->cache, src->cache, m->n_caches * sizeof(cache_in));
  memcpy(dst->gpu, src->gpu, m->n_gpus * sizeof(gpu_in));
  memcpy(dst->group, src->group, m->n_groups * sizeof(policy));
  memcpy(dst->hw, src->hw, m->n_hw * sizeof(hw_in));
}

static void params_release(params *p) {
  free(p->stage);
  free(p->cache);
  free(p->gpu);
  free(p->group);
  free(p->hw);
}

void params_free(params *p) {
  if (!p)
    return;
  params_release(p);
  free(p);
}

capplan_model *model_resolve(const capplan_spec *spec, capplan_diags *d) {
  return model_resolve_with(spec, NULL, d);
}

capplan_model *model_resolve_with(const capplan_spec *spec,
                                  const capplan_catalog *catalog,
                                  capplan_diags *d) {
  size_t errors = d->errors;
  capplan_model *g = xcalloc(1, sizeof *g);
  g->arena = arena_new();
  g->name = arena_strdup(g->arena, spec->name.s);
  g->description = arena_strdup(g->arena, spec->description.s);
  g->path = arena_strdup(g->arena, spec->src->path);
  g->stages_loc = spec->stages_loc;
  g->n_stages = spec->n_stages;
  g->stage = arena_array(g->arena, g->n_stages, sizeof(mstage));
  /* The cache tiers' places in params.cache, in spec order; a stage
   * with none has the zeroed one past them. */
  for (size_t i = 0; i < g->n_stages; i++)
    g->n_caches += spec->stages[i].cache->set;
  for (size_t i = 0, k = 0; i < g->n_stages; i++)
    g->stage[i].cache_at = spec->stages[i].cache->set ? k++ : g->n_caches;
  /* Likewise the accelerator models' inputs. */
  for (size_t i = 0; i < g->n_stages; i++)
    g->n_gpus += tp_reads_gpu(tp_kind_of(&spec->stages[i]));
  for (size_t i = 0, k = 0; i < g->n_stages; i++)
    g->stage[i].gpu_at =
        tp_reads_gpu(tp_kind_of(&spec->stages[i])) ? k++ : g->n_gpus;
  params *p = &g->base;
  p->stage = xcalloc(g->n_stages + 1, sizeof(stage_in));
  p->cache = xcalloc(g->n_caches + 1, sizeof(cache_in));
  p->gpu = xcalloc(g->n_gpus + 1, sizeof(gpu_in));
  builder b;
  memset(&b, 0, sizeof b);
  b.g = g;
  b.p = p;
  b.spec = spec;
  b.d = d;
  b.catalog = catalog;
  b.seen = xmalloc((g->n_stages + 1) * sizeof(size_t));
  for (size_t i = 0; i <= g->n_stages; i++)
    b.seen[i] = (size_t)-1;
  strmap_init(&b.stages);
  strmap_init(&b.hw);
  strmap_init(&b.invalid);

  builder_defaults(&b);
  build_hardware(&b);
  build_traffic(&b);
  build_limits(&b);
  long default_hw =
      find_hw(&b,
              spec->defaults.hardware.s ? spec->defaults.hardware.s
                                        : CATALOG_DEFAULT_HARDWARE,
              spec->defaults.hardware.s ? spec->defaults.hardware.loc : nowhere,
              "'defaults.hardware'");
  name_stages(&b);
  index_invalid_names(&b);
  resolve_fallbacks(&b);
  for (size_t i = 0; i < g->n_stages; i++) {
    link_stage(&b, i);
    if (default_hw >= 0 || spec->stages[i].hardware.s)
      settle_stage(&b, i, default_hw);
  }
  if (d->errors == errors)
    build_groups(&b);
  else
    p->group = xcalloc(1, sizeof(policy));
  /* 'defaults' may ask every stage to survive a zone's loss and leave
   * the zones to the stages: an error only if one of them (or a group)
   * is left with a single zone, reported once, at the default. */
  if (b.defaults_zones_used)
    capplan_diags_add(d, CAPPLAN_ERROR,
                      spec->defaults.pol.survive_zone_loss.loc,
                      "set 'zones' to 2 or more in 'defaults' too (e.g. "
                      "'zones: 3'), or on every stage",
                      "'defaults' asks to survive the loss of a zone but "
                      "gives no zones to spread over");
  order_stages(&b); /* unknown links were dropped; cycles still show */
  for (size_t i = 0; i < g->n_stages; i++)
    if (p->stage[i].pol.zones > 1)
      g->zones_modelled = true;

  strmap_release(&b.stages);
  strmap_release(&b.hw);
  strmap_release(&b.invalid);
  free(b.seen);
  capplan_catalog_free(b.own_catalog);
  if (d->errors > errors) {
    model_free(g);
    return NULL;
  }
  return g;
}

void model_free(capplan_model *m) {
  if (!m)
    return;
  params_release(&m->base);
  arena_free(m->arena);
  free(m);
}

/*
 * inputs.c - see inputs.h.
 *
 * Every quantity of a spec has a path: the schema's sections walked in
 * the order of the file's format (traffic, defaults, groups, hardware,
 * stages and their caches), with the names of groups, hardware and
 * stages between the section and the key.  The walk finds the ranges,
 * and every path a command may name.
 */
#include "inputs.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "spec.h"
#include "strmap.h"

/* The parameter vector is arrays of structs of doubles (model.h); the
 * comparison below reads each struct as doubles. */
_Static_assert(sizeof(traffic_in) % sizeof(double) == 0, "doubles only");
_Static_assert(sizeof(stage_in) % sizeof(double) == 0, "doubles only");
_Static_assert(sizeof(gpu_in) % sizeof(double) == 0, "doubles only");
_Static_assert(sizeof(cache_in) % sizeof(double) == 0, "doubles only");
_Static_assert(sizeof(policy) % sizeof(double) == 0, "doubles only");
_Static_assert(sizeof(hw_in) % sizeof(double) == 0, "doubles only");

/* ---------------------------------------------------------------- walk */

/* One quantity of the spec: its path in parts, its key, its value. */
typedef struct spot {
  const char *section, *name, *sub; /* name and sub may be NULL */
  const schema_key *key;
  snum *value;
} spot;

typedef void (*visit_fn)(void *ctx, const spot *s);

/* Every quantity key of section SID at BASE but, with NO_POLICY, the
 * policy keys it also takes and, with NO_MORE, a stage's keys held in
 * its spec_stage_more (schema.h). */
static void walk_keys(enum schema_section_id sid, void *base,
                      const char *section, const char *name, const char *sub,
                      bool no_policy, bool no_more, visit_fn fn, void *ctx) {
  const schema_section *s = schema_section_get(sid);
  size_t n = no_policy ? s->n_keys : schema_n_keys(s);
  for (size_t i = 0; i < n; i++) {
    const schema_key *k = schema_key_at(s, i);
    if (k->type != SK_QTY ||
        (no_more && i < s->n_keys && k->offset >= s->more_from))
      continue;
    spot sp = {section, name, sub, k, schema_key_field(s, i, base)};
    fn(ctx, &sp);
  }
}

static void walk_section(enum schema_section_id sid, void *base,
                         const char *section, const char *name, const char *sub,
                         visit_fn fn, void *ctx) {
  walk_keys(sid, base, section, name, sub, false, false, fn, ctx);
}

/* Every quantity key of SPEC, written or not, in file order.  A stage's
 * settings and other keys (spec_stage_more) it does not write are the
 * shared unset ones (spec.h), which hold no range: with ALL they are made
 * the stage's own, for a visitor that may write them (a path a command
 * names), else passed over. */
static void walk(capplan_spec *spec, bool all, visit_fn fn, void *ctx) {
  walk_section(SEC_TRAFFIC, &spec->traffic, "traffic", NULL, NULL, fn, ctx);
  walk_section(SEC_SLO, &spec->slo, "slo", NULL, NULL, fn, ctx);
  walk_section(SEC_BUDGET, &spec->budget, "budget", NULL, NULL, fn, ctx);
  walk_section(SEC_DEFAULTS, &spec->defaults, "defaults", NULL, NULL, fn, ctx);
  for (size_t i = 0; i < spec->n_groups; i++)
    walk_section(SEC_GROUP, &spec->groups[i], "groups", spec->groups[i].name.s,
                 NULL, fn, ctx);
  for (size_t i = 0; i < spec->n_hardware; i++)
    walk_section(SEC_HARDWARE, &spec->hardware[i], "hardware",
                 spec->hardware[i].name.s, NULL, fn, ctx);
  for (size_t i = 0; i < spec->n_stages; i++) {
    spec_stage *st = &spec->stages[i];
    if (!st->name.s)
      continue;
    if (all) {
      spec_stage_pol_mut(spec, st);
      spec_stage_more_mut(spec, st);
    }
    walk_keys(SEC_STAGE, st, "stages", st->name.s, NULL,
              st->pol == &spec_no_policy, st->more == &spec_no_more, fn, ctx);
    /* Only a cache the stage writes: the shared unset one is never
     * probed (spec.h). */
    if (st->cache->set)
      walk_section(SEC_CACHE, spec_stage_cache_mut(spec, st), "stages",
                   st->name.s, "cache", fn, ctx);
    /* The throughput models' own sections, likewise when written. */
    if (st->batching->set) {
      spec_batching *b = spec_stage_batching_mut(spec, st);
      walk_section(SEC_BATCHING, b, "stages", st->name.s, "batching", fn, ctx);
      if (b->time.set)
        walk_section(SEC_BATCH_TIME, &b->time, "stages", st->name.s,
                     "batching.time", fn, ctx);
    }
    if (st->work->set)
      walk_section(SEC_WORK, spec_stage_work_mut(spec, st), "stages",
                   st->name.s, "work", fn, ctx);
    if (st->llm->set)
      walk_section(SEC_LLM, spec_stage_llm_mut(spec, st), "stages", st->name.s,
                   "llm", fn, ctx);
  }
}

static void path_of(const spot *s, capplan_buf *out) {
  capplan_buf_puts(out, s->section);
  capplan_buf_putc(out, '.');
  if (s->name) {
    capplan_buf_puts(out, s->name);
    capplan_buf_putc(out, '.');
  }
  if (s->sub) {
    capplan_buf_puts(out, s->sub);
    capplan_buf_putc(out, '.');
  }
  capplan_buf_puts(out, s->key->name);
}

/* ------------------------------------------------------------ probing */

/* The parameter vector as (array, element, offset) -> double. */
typedef struct flat {
  const double *base;
  size_t count, per; /* elements, doubles per element */
} flat;

static void flats(const capplan_model *m, const params *p, flat out[PA_COUNT]) {
  out[PA_TRAFFIC] = (flat){(const double *)&p->traffic, 1,
                           sizeof(traffic_in) / sizeof(double)};
  out[PA_STAGE] = (flat){(const double *)p->stage, m->n_stages,
                         sizeof(stage_in) / sizeof(double)};
  out[PA_CACHE] = (flat){(const double *)p->cache, m->n_caches,
                         sizeof(cache_in) / sizeof(double)};
  out[PA_GROUP] = (flat){(const double *)p->group, m->n_groups,
                         sizeof(policy) / sizeof(double)};
  out[PA_HW] =
      (flat){(const double *)p->hw, m->n_hw, sizeof(hw_in) / sizeof(double)};
  out[PA_GPU] = (flat){(const double *)p->gpu, m->n_gpus,
                       sizeof(gpu_in) / sizeof(double)};
}

double *uinput_field(params *p, const input_target *t) {
  char *base;
  size_t size;
  switch (t->array) {
  case PA_TRAFFIC:
    base = (char *)&p->traffic;
    size = sizeof(traffic_in);
    break;
  case PA_STAGE:
    base = (char *)p->stage;
    size = sizeof(stage_in);
    break;
  case PA_CACHE:
    base = (char *)p->cache;
    size = sizeof(cache_in);
    break;
  case PA_GROUP:
    base = (char *)p->group;
    size = sizeof(policy);
    break;
  case PA_GPU:
    base = (char *)p->gpu;
    size = sizeof(gpu_in);
    break;
  default:
    base = (char *)p->hw;
    size = sizeof(hw_in);
    break;
  }
  return (double *)(base + t->index * size + t->offset);
}

void uinput_set(const uinput *in, params *p, double x) {
  for (size_t i = 0; i < in->n_targets; i++) {
    const input_target *t = &in->targets[i];
    *uinput_field(p, t) = t->scale == 1 ? x : x * t->scale;
  }
}

/* The structure of a model an input must leave alone: a value that
 * switches a stage's throughput model, adds a constraint or a cache tier,
 * or moves a stage to other hardware is not a number to vary. */
static bool same_structure(const capplan_model *a, const capplan_model *b) {
  if (a->n_stages != b->n_stages || a->n_groups != b->n_groups ||
      a->n_hw != b->n_hw || a->traffic_from_dau != b->traffic_from_dau ||
      a->has_peak_to_average != b->has_peak_to_average ||
      a->has_average_qps != b->has_average_qps ||
      a->zones_modelled != b->zones_modelled)
    return false;
  for (size_t i = 0; i < a->n_stages; i++) {
    const mstage *x = &a->stage[i], *y = &b->stage[i];
    if (x->tp.kind != y->tp.kind || x->hw != y->hw || x->group != y->group ||
        x->has_memory != y->has_memory || x->has_cache != y->has_cache ||
        x->memory_on_gpu != y->memory_on_gpu || x->fallback != y->fallback)
      return false;
    if (x->tp.kind == TP_BATCH &&
        (x->tp.as.batch.bound != y->tp.as.batch.bound ||
         x->tp.as.batch.gpu_parallel != y->tp.as.batch.gpu_parallel))
      return false;
  }
  return true;
}

typedef struct collector {
  capplan_spec *spec;
  const capplan_catalog *catalog;
  const capplan_model *m;
  capplan_diags *d;
  uinputs *u;
  size_t cap;
  /* Looking up named paths: every path and its spot. */
  const char *const *paths;
  size_t n_paths;
  bool *found;
  spot *named; /* per path */
  char **all;  /* every path, for suggestions */
  size_t n_all, cap_all;
  bool errors;
} collector;

/* Probes S: the spec resolved with the input at two other values.  Fills
 * IN's targets, or reports why the input cannot vary.  When the spec does
 * not write the input (KNOWN false), the value it inherits is read back
 * from the parameters into IN->point. */
static bool probe(collector *c, const spot *s, uinput *in, bool known) {
  snum saved = *s->value;
  const capplan_model *m = c->m;
  double pt = known ? in->point : s->key->def, xs[2];
  if (s->key->flags & SF_INTEGER) {
    xs[0] = pt + 1;
    xs[1] = pt + 2;
  } else if (pt != 0) {
    xs[0] = pt * 0.75;
    xs[1] = pt * 1.25;
  } else {
    xs[0] = 0.25;
    xs[1] = 0.5;
  }
  flat base[PA_COUNT], got[2][PA_COUNT];
  flats(m, &m->base, base);
  capplan_model *probes[2] = {NULL, NULL};
  const char *why = NULL;
  char first[256] = "";
  for (int k = 0; k < 2 && !why; k++) {
    s->value->v = xs[k];
    s->value->set = s->value->present = true;
    s->value->dist = NULL;
    capplan_diags scratch;
    capplan_diags_init(&scratch, NULL);
    probes[k] = model_resolve_with(c->spec, c->catalog, &scratch);
    for (size_t i = 0; i < scratch.count && !first[0]; i++)
      if (scratch.items[i].severity == CAPPLAN_ERROR)
        snprintf(first, sizeof first, ": %s", scratch.items[i].message);
    capplan_diags_release(&scratch);
    if (!probes[k])
      why = "the spec is not valid at other values of it";
    else if (!same_structure(m, probes[k]))
      why = "other values of it change the plan's structure (a "
            "throughput model, a constraint, a cache tier), not a number";
    else
      flats(probes[k], &probes[k]->base, got[k]);
  }
  *s->value = saved;
  size_t cap = 0;
  for (int a = PA_TRAFFIC; a < PA_COUNT && !why; a++) {
    for (size_t e = 0; e < base[a].count && !why; e++) {
      for (size_t f = 0; f < base[a].per && !why; f++) {
        size_t at = e * base[a].per + f;
        double f0 = base[a].base[at], f1 = got[0][a].base[at],
               f2 = got[1][a].base[at];
        if (f1 == f0 && f2 == f0)
          continue;
        double scale;
        if (f1 == xs[0] && f2 == xs[1]) {
          scale = 1;
        } else {
          scale = f2 / xs[1];
          double tol = 1e-12 * (fabs(f1) + fabs(f0));
          if (!isfinite(scale) || fabs(f1 - xs[0] * scale) > tol ||
              (known && fabs(f0 - pt * scale) > tol)) {
            why = "it reaches the plan through more than a product "
                  "(a least-of or a sum), which a draw cannot follow";
            break;
          }
        }
        xgrow((void **)&in->targets, &cap, in->n_targets + 1,
              sizeof(input_target));
        in->targets[in->n_targets++] =
            (input_target){(enum params_array)a, e, f * sizeof(double), scale};
      }
    }
  }
  model_free(probes[0]);
  model_free(probes[1]);
  if (!why && !known && in->n_targets) {
    const input_target *t = &in->targets[0];
    in->point = *uinput_field((params *)&m->base, t) / t->scale;
  }
  if (why) {
    capplan_diags_add(c->d, CAPPLAN_ERROR, in->loc,
                      "give it a single value, or vary another input",
                      "'%s' cannot vary: %s%s", in->path, why, first);
    free(in->targets);
    in->targets = NULL;
    in->n_targets = 0;
    return false;
  }
  /* Into the arena: the list owns everything. */
  if (in->n_targets) {
    input_target *t =
        arena_array(c->u->arena, in->n_targets, sizeof(input_target));
    memcpy(t, in->targets, in->n_targets * sizeof *t);
    free(in->targets);
    in->targets = t;
  }
  return true;
}

static uinput *add(collector *c, const spot *s, const char *path) {
  xgrow((void **)&c->u->items, &c->cap, c->u->n + 1, sizeof(uinput));
  uinput *in = &c->u->items[c->u->n++];
  memset(in, 0, sizeof *in);
  in->path = arena_strdup(c->u->arena, path);
  in->key = s->key;
  in->loc = s->value->loc;
  if (s->value->present && s->value->text)
    in->text = arena_strdup(c->u->arena, s->value->text);
  return in;
}

static void visit_range(void *ctx, const spot *s) {
  collector *c = ctx;
  if (!s->value->dist)
    return;
  capplan_buf path;
  capplan_buf_init(&path);
  path_of(s, &path);
  uinput *in = add(c, s, path.data);
  capplan_buf_release(&path);
  in->ranged = true;
  in->d = *s->value->dist;
  in->point = s->value->v;
  if (!probe(c, s, in, true))
    c->errors = true;
  else if (in->n_targets == 0)
    capplan_diags_add(c->d, CAPPLAN_WARNING, in->loc,
                      "remove the range, or the key, if it is not meant to "
                      "count",
                      "the range of '%s' changes no figure of the plan",
                      in->path);
}

static void visit_named(void *ctx, const spot *s) {
  collector *c = ctx;
  capplan_buf path;
  capplan_buf_init(&path);
  path_of(s, &path);
  for (size_t i = 0; i < c->n_paths; i++)
    if (!c->found[i] && !strcmp(c->paths[i], path.data)) {
      c->found[i] = true;
      c->named[i] = *s;
    }
  xgrow((void **)&c->all, &c->cap_all, c->n_all + 1, sizeof(char *));
  c->all[c->n_all++] = path.data; /* kept for suggestions */
}

static bool hardware_used(const capplan_model *m, size_t h) {
  for (size_t i = 0; i < m->n_stages; i++)
    if (m->stage[i].hw == h ||
        (m->stage[i].has_cache && m->stage[i].cache_hw == h))
      return true;
  for (size_t g = 0; g < m->n_groups; g++)
    if (m->group[g].hw == h)
      return true;
  return false;
}

/* The entries a path HARDWARE.NAME.KEY needs for catalog hardware the
 * spec only names (a stage's 'hardware: h100-sxm'): SPEC's 'hardware:'
 * list grown by an entry that writes nothing for each such NAME of the
 * model, for the walk and the probes (an entry with a catalog name
 * overrides only what it writes, so it changes no figure).  Returns
 * whether it added any; *WAS and *N_WAS are the list to restore. */
static bool named_hardware(capplan_spec *spec, const capplan_model *m,
                           const char *const *paths, size_t n_paths,
                           capplan_arena *arena, spec_hardware **was,
                           size_t *n_was) {
  spec_hardware *grown = NULL;
  *was = spec->hardware;
  *n_was = spec->n_hardware;
  for (size_t i = 0; i < n_paths; i++) {
    const char *p = paths[i], *dot = strrchr(p, '.');
    if (strncmp(p, "hardware.", 9) || !dot || dot <= p + 9)
      continue;
    size_t len = (size_t)(dot - (p + 9));
    bool known = false;
    for (size_t h = 0; h < spec->n_hardware && !known; h++)
      known = strlen(spec->hardware[h].name.s) == len &&
              !strncmp(spec->hardware[h].name.s, p + 9, len);
    /* Hardware a stage, its cache tier or a group runs on. */
    const char *name = NULL;
    for (size_t h = 0; h < m->n_hw && !known && !name; h++)
      if (strlen(m->hw[h].name) == len && !strncmp(m->hw[h].name, p + 9, len) &&
          hardware_used(m, h))
        name = m->hw[h].name;
    if (known || !name)
      continue;
    if (!grown) {
      grown = xcalloc(spec->n_hardware + n_paths + 1, sizeof *grown);
      if (spec->n_hardware)
        memcpy(grown, spec->hardware, spec->n_hardware * sizeof *grown);
      spec->hardware = grown;
    }
    spec->hardware[spec->n_hardware++].name.s = arena_strdup(arena, name);
  }
  return grown != NULL;
}

uinputs *uinputs_collect(capplan_spec *spec, const capplan_model *m,
                         const capplan_catalog *catalog,
                         const char *const *paths, size_t n_paths,
                         capplan_diags *d) {
  uinputs *u = xcalloc(1, sizeof *u);
  u->arena = arena_new();
  collector c;
  memset(&c, 0, sizeof c);
  c.spec = spec;
  c.catalog = catalog;
  c.m = m;
  c.d = d;
  c.u = u;
  walk(spec, false, visit_range, &c);
  u->n_ranged = u->n;
  size_t n_was = 0;
  spec_hardware *was = NULL;
  bool grew = n_paths &&
              named_hardware(spec, m, paths, n_paths, u->arena, &was, &n_was);
  if (n_paths) {
    c.paths = paths;
    c.n_paths = n_paths;
    c.found = xcalloc(n_paths, sizeof(bool));
    c.named = xcalloc(n_paths, sizeof(spot));
    walk(spec, true, visit_named, &c);
    for (size_t i = 0; i < n_paths; i++) {
      if (!c.found[i]) {
        const char *best =
            closest_word(paths[i], (const char *const *)c.all, c.n_all);
        char help[384];
        if (best)
          snprintf(help, sizeof help, "did you mean '%s'?", best);
        else
          snprintf(help, sizeof help,
                   "a path is traffic.KEY, defaults.KEY, groups.NAME.KEY, "
                   "hardware.NAME.KEY (hardware the spec writes or a stage "
                   "names), stages.NAME.KEY, or a section a stage writes: "
                   "stages.NAME.cache.KEY, .batching.KEY, .batching.time.KEY, "
                   ".work.KEY, .llm.KEY; e.g. 'traffic.qps'");
        capplan_diags_add(d, CAPPLAN_ERROR, (capplan_loc){0, 0, 0}, help,
                          "unknown input '%s'", paths[i]);
        c.errors = true;
        continue;
      }
      const spot *s = &c.named[i];
      if (!strcmp(s->section, "slo") || !strcmp(s->section, "budget")) {
        capplan_diags_add(d, CAPPLAN_ERROR, s->value->loc,
                          "vary an input of the plan; a limit changes only "
                          "the checks",
                          "'%s' is a limit, not an input", paths[i]);
        c.errors = true;
        continue;
      }
      uinput *in = add(&c, s, paths[i]);
      in->point = s->value->v;
      if (s->value->dist) {
        in->ranged = true;
        in->d = *s->value->dist;
      }
      if (!probe(&c, s, in, s->value->set)) {
        c.errors = true;
      } else if (in->n_targets == 0) {
        capplan_diags_add(
            d, CAPPLAN_ERROR, in->loc,
            "vary an input the plan uses (the spec may take this figure "
            "from another key, e.g. traffic from 'dau')",
            "changing '%s' changes no figure of the plan", paths[i]);
        c.errors = true;
      }
    }
    free(c.found);
    free(c.named);
  }
  if (grew) {
    free(spec->hardware);
    spec->hardware = was;
    spec->n_hardware = n_was;
  }
  for (size_t i = 0; i < c.n_all; i++)
    free(c.all[i]);
  free(c.all);
  if (c.errors) {
    uinputs_free(u);
    return NULL;
  }
  return u;
}

void uinputs_free(uinputs *u) {
  if (!u)
    return;
  free(u->items);
  arena_free(u->arena);
  free(u);
}

const uinput *uinputs_find(const uinputs *u, const char *path) {
  for (size_t i = 0; i < u->n; i++)
    if (!strcmp(u->items[i].path, path))
      return &u->items[i];
  return NULL;
}

void uinput_format(const uinput *in, double x, char *buf, size_t size) {
  switch (in->key->unit) {
  case UNIT_RATE:
    fmt_rate(x, buf, size);
    return;
  case UNIT_DURATION:
    fmt_ms(x, buf, size);
    return;
  case UNIT_FRACTION:
    fmt_percent(x, buf, size);
    return;
  case UNIT_MONEY: {
    char m[FMT_SIZE];
    snprintf(buf, size, "%s/year", fmt_money(x, m, sizeof m));
    return;
  }
  case UNIT_BYTES:
    fmt_bytes(x, buf, size);
    return;
  case UNIT_GROWTH: {
    char m[FMT_SIZE];
    snprintf(buf, size, "%s/month", fmt_percent(x, m, sizeof m));
    return;
  }
  case UNIT_DAILY: {
    char m[FMT_SIZE];
    snprintf(buf, size, "%s/day", fmt_number_sig(x, 2, m, sizeof m));
    return;
  }
  default:
    fmt_number_sig(x, 2, buf, size);
    return;
  }
}

/*
 * workload.c - the workload catalog (the `workloads:` section of the
 * catalog files, catalog/workloads.yaml built in) and `kind:` (see
 * workload.h).
 *
 * Each figure is a range {low, typical, high} read with the spec's own
 * quantity parser; each names the source it was read in, a public page
 * (url and date) or an interview seed (seed and section).  A stage's
 * `kind:` writes the figures it lacks into the spec as the text a spec
 * would write ("5ms to 10ms", "triangular(1K, 1.2K, 3.2K)") read by the
 * loader's own reader, so an inherited range is the same distribution,
 * with the same median, as a written one (SPEC.md section 8).
 */
#include "workload.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "spec.h"
#include "units.h"
#include "yaml_tree.h"

static const struct {
  const char *key;
  enum unit_kind unit;
} fields[WL_FIELDS] = {
    [WL_LATENCY] = {"latency", UNIT_DURATION},
    [WL_THROUGHPUT] = {"throughput", UNIT_RATE},
    [WL_QPS_PER_SERVER] = {"qps_per_server", UNIT_RATE},
};

static const char *const points[WL_POINTS] = {"low", "typical", "high"};
static const char *const pers[] = {"server", "core", "gpu", "prefix"};

const char *workload_field_key(size_t i) {
  return i < WL_FIELDS ? fields[i].key : NULL;
}

/* ------------------------------------------------------------- loading */

typedef struct wload {
  capplan_catalog *c;
  const char *file;
  capplan_diags *d;
  bool builtin;
} wload;

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static void
error(wload *L, capplan_loc loc, const char *help, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  capplan_diags_add(L->d, CAPPLAN_ERROR, loc, help, "%s", msg);
}

static bool is_scalar(const ynode *n) {
  return n->kind == YN_SCALAR && !ynode_is_null(n);
}

static const char *text_of(wload *L, const ynode *key, const ynode *v) {
  if (is_scalar(v))
    return arena_strndup(L->c->arena, v->text, v->len);
  error(L, v->loc, "write a single value", "'%s' takes a single value, not %s",
        key->text, ynode_kind_name(v));
  return NULL;
}

/* A range: a mapping of low, typical (optional) and high, each a value of
 * the field's unit above 0, in order. */
static void load_range(wload *L, size_t fi, const ynode *v, wl_range *r) {
  const char *key = fields[fi].key;
  if (v->kind != YN_MAP) {
    error(L, v->loc,
          "write the range below the key: 'low: 5ms', 'typical: 8ms' "
          "(optional) and 'high: 10ms'",
          "'%s' takes a mapping of low, typical and high, not %s", key,
          ynode_kind_name(v));
    return;
  }
  r->loc = v->loc;
  r->file = L->file;
  r->source = -1;
  bool ok = true;
  for (size_t k = 0; k + 1 < v->n; k += 2) {
    const ynode *pk = v->kids[k], *pv = v->kids[k + 1];
    if (catalog_duplicate_key(L->d, v, k, "a range")) {
      ok = false;
      continue;
    }
    int p = -1;
    for (int i = 0; i < WL_POINTS && is_scalar(pk); i++)
      if (!strcmp(pk->text, points[i]))
        p = i;
    if (p < 0) {
      if (is_scalar(pk))
        catalog_unknown_key(L->d, pk, points, WL_POINTS, "a range", false);
      ok = false;
      continue;
    }
    if (!is_scalar(pv)) {
      error(L, pv->loc, "write one value such as '10ms'",
            "'%s' of '%s' takes one value, not %s", points[p], key,
            ynode_kind_name(pv));
      ok = false;
      continue;
    }
    double x;
    unit_error ue;
    if (units_parse(pv->text, pv->len, fields[fi].unit, key, &x, &ue) < 0) {
      error(L, pv->loc, ue.help[0] ? ue.help : NULL, "%s", ue.message);
      ok = false;
      continue;
    }
    if (!(x > 0 && x < 1e30)) {
      error(L, pv->loc, "write a value above 0",
            "'%s' of '%s' must be more than 0, got '%s'", points[p], key,
            pv->text);
      ok = false;
      continue;
    }
    r->has[p] = true;
    r->v[p] = x;
    r->text[p] = arena_strndup(L->c->arena, pv->text, pv->len);
  }
  if (!ok)
    return;
  if (!r->has[WL_LOW] || !r->has[WL_HIGH]) {
    error(L, v->loc, "a range gives 'low' and 'high' (equal for one figure)",
          "'%s' has no '%s'", key, r->has[WL_LOW] ? "high" : "low");
    return;
  }
  double lo = r->v[WL_LOW], hi = r->v[WL_HIGH];
  double ty = r->has[WL_TYPICAL] ? r->v[WL_TYPICAL] : lo;
  if (lo > hi || ty < lo || ty > hi) {
    error(L, v->loc, "order the range: low <= typical <= high",
          "'%s' is out of order", key);
    return;
  }
  r->set = true;
}

/* `sources:`: each a page (url, read) or a seed (seed, section), with the
 * fields it gives and a note.  FLISTS[k] gets source k's field list. */
static void load_sources(wload *L, const ynode *v, wl_entry *e,
                         const ynode ***flists) {
  static const char *const keys[] = {"url",     "read",   "seed",
                                     "section", "fields", "note"};
  const char *names[WL_FIELDS];
  for (size_t i = 0; i < WL_FIELDS; i++)
    names[i] = fields[i].key;
  const cat_source_rules rules = {
      .keys = keys,
      .n_keys = ARRAY_LEN(keys),
      .fields = names,
      .n_fields = WL_FIELDS,
      .key_parts = false,
      .list_help = "write '- seed: \"004\"' with 'section:', or "
                   "'- url: https://...' with 'read:', each with 'fields'",
      .item_help = "write 'seed:' or 'url:' and 'fields:' below the '-'",
      .fields_help = "write the fields as a list, e.g. [latency]",
      .field_help = "name figures of the entry: latency, throughput, "
                    "qps_per_server",
  };
  catalog_read_sources(&rules, v, L->c->arena, L->d, &e->sources, &e->n_sources,
                       flists);
}

static bool names_field(const ynode *flist, const char *key) {
  for (size_t k = 0; flist && k < flist->n; k++)
    if (is_scalar(flist->kids[k]) && !strcmp(flist->kids[k]->text, key))
      return true;
  return false;
}

static void load_entry(wload *L, const ynode *key, const ynode *map,
                       wl_entry *e) {
  e->name = arena_strndup(L->c->arena, key->text, key->len);
  e->file = L->file;
  e->loc = key->loc;
  for (size_t i = 0; i < WL_FIELDS; i++)
    e->f[i].source = -1;
  static const char *const names[] = {
      "description", "hardware",       "per",    "latency",
      "throughput",  "qps_per_server", "sources"};
  char where[160];
  snprintf(where, sizeof where, "workload '%s'", e->name);
  const ynode **flists = NULL;
  for (size_t k = 0; k + 1 < map->n; k += 2) {
    const ynode *kk = map->kids[k], *v = map->kids[k + 1];
    if (!is_scalar(kk)) {
      error(L, kk->loc, "keys are plain words such as 'latency'",
            "a key must be a word, not %s", ynode_kind_name(kk));
      continue;
    }
    if (catalog_duplicate_key(L->d, map, k, where))
      continue;
    long fi = -1;
    for (size_t i = 0; i < WL_FIELDS; i++)
      if (!strcmp(kk->text, fields[i].key))
        fi = (long)i;
    if (fi >= 0) {
      load_range(L, (size_t)fi, v, &e->f[fi]);
    } else if (!strcmp(kk->text, "description")) {
      e->description = text_of(L, kk, v);
    } else if (!strcmp(kk->text, "hardware")) {
      e->hardware = text_of(L, kk, v);
      if (e->hardware && !catalog_valid_name(e->hardware, strlen(e->hardware)))
        error(L, v->loc, "name a server of 'capplan catalog'",
              "invalid hardware name '%.64s'", e->hardware);
    } else if (!strcmp(kk->text, "per")) {
      const char *p = text_of(L, kk, v);
      bool known = false;
      for (size_t i = 0; p && i < ARRAY_LEN(pers); i++)
        if (!strcmp(p, pers[i])) {
          e->per = pers[i];
          known = true;
        }
      if (p && !known)
        error(L, v->loc, "'per' is one of: server, core, gpu, prefix",
              "unknown 'per' value '%.64s'", p);
    } else if (!strcmp(kk->text, "sources")) {
      load_sources(L, v, e, &flists);
    } else {
      catalog_unknown_key(L->d, kk, names, ARRAY_LEN(names), where, false);
    }
  }
  for (size_t i = 0; i < WL_FIELDS; i++) {
    wl_range *r = &e->f[i];
    if (!r->set)
      continue;
    for (size_t s = 0; s < e->n_sources && r->source < 0; s++)
      if (names_field(flists[s], fields[i].key))
        r->source = (long)s;
    if (L->builtin && r->source < 0)
      error(L, r->loc, "list the figure in a source's 'fields'",
            "workload '%s': '%s' names no source", e->name, fields[i].key);
  }
}

/* Whether E, complete, can give a server's throughput. */
static void check_complete(wload *L, const wl_entry *e) {
  const char *missing = !e->f[WL_LATENCY].set      ? "latency"
                        : !e->f[WL_THROUGHPUT].set ? "throughput"
                        : !e->per                  ? "per"
                                                   : NULL;
  if (!missing && !strcmp(e->per, "core") && !e->f[WL_QPS_PER_SERVER].set)
    missing = "qps_per_server";
  if (!missing)
    return;
  char help[256];
  snprintf(help, sizeof help,
           "a workload gives latency, throughput and per (server, core, gpu "
           "or prefix), and qps_per_server when per is core; to change a "
           "built-in one, use its name (see 'capplan catalog workloads')");
  error(L, e->loc, help, "workload '%s' has no '%s'", e->name, missing);
}

static wl_entry *find_mut(capplan_catalog *c, const char *name) {
  for (size_t i = 0; i < c->n_wl; i++)
    if (!strcmp(c->wl[i].name, name))
      return &c->wl[i];
  return NULL;
}

/* NW over the entries: an override of a known name (its figures and
 * sources added), or a new entry. */
static void merge(wload *L, const wl_entry *nw) {
  capplan_catalog *c = L->c;
  wl_entry *old = find_mut(c, nw->name);
  if (!old) {
    check_complete(L, nw);
    xgrow((void **)&c->wl, &c->cap_wl, c->n_wl + 1, sizeof(wl_entry));
    c->wl[c->n_wl++] = *nw;
    return;
  }
  size_t base = old->n_sources;
  if (nw->n_sources) {
    wl_source *s =
        arena_array(c->arena, old->n_sources + nw->n_sources, sizeof *s);
    memcpy(s, old->sources, old->n_sources * sizeof *s);
    memcpy(s + base, nw->sources, nw->n_sources * sizeof *s);
    old->sources = s;
    old->n_sources += nw->n_sources;
  }
  for (size_t i = 0; i < WL_FIELDS; i++)
    if (nw->f[i].set) {
      old->f[i] = nw->f[i];
      if (old->f[i].source >= 0)
        old->f[i].source += (long)base;
    }
  if (nw->description)
    old->description = nw->description;
  if (nw->hardware)
    old->hardware = nw->hardware;
  if (nw->per)
    old->per = nw->per;
}

void workload_load(capplan_catalog *c, const char *file, const ynode *map,
                   capplan_diags *d, bool builtin) {
  wload L = {c, file, d, builtin};
  if (map->kind != YN_MAP) {
    error(&L, map->loc, "write one '<name>:' per workload with its keys below",
          "'workloads' takes a mapping of names to entries, not %s",
          ynode_kind_name(map));
    return;
  }
  for (size_t k = 0; k + 1 < map->n; k += 2) {
    const ynode *key = map->kids[k], *v = map->kids[k + 1];
    if (!is_scalar(key) || !catalog_valid_name(key->text, key->len) ||
        strchr(key->text, '.')) {
      error(&L, key->loc,
            "workload names use lower-case letters, digits, '-' and '_', "
            "e.g. 'faiss-100m'",
            "invalid workload name '%.64s'",
            is_scalar(key) ? key->text : ynode_kind_name(key));
      continue;
    }
    bool dup = false;
    for (size_t j = 0; j < k && !dup; j += 2)
      dup = is_scalar(map->kids[j]) && !strcmp(map->kids[j]->text, key->text);
    if (dup) {
      error(&L, key->loc, "merge the two entries", "duplicate workload '%s'",
            key->text);
      continue;
    }
    if (v->kind != YN_MAP) {
      error(&L, v->loc, "write the entry's keys below its name, indented",
            "workload '%s' must be a mapping of keys, not %s", key->text,
            ynode_kind_name(v));
      continue;
    }
    wl_entry e;
    memset(&e, 0, sizeof e);
    load_entry(&L, key, v, &e);
    merge(&L, &e);
  }
}

void workload_release(capplan_catalog *c) {
  if (!c)
    return;
  free(c->wl);
  c->wl = NULL;
  c->n_wl = c->cap_wl = 0;
}

/* ------------------------------------------------------------- queries */

const wl_entry *workload_list(const capplan_catalog *c, size_t *count) {
  *count = c ? c->n_wl : 0;
  return c ? c->wl : NULL;
}

const wl_entry *workload_find(const capplan_catalog *c, const char *name) {
  return c && name ? find_mut((capplan_catalog *)c, name) : NULL;
}

const wl_range *workload_server_range(const wl_entry *e) {
  if (e->f[WL_QPS_PER_SERVER].set)
    return &e->f[WL_QPS_PER_SERVER];
  if (e->f[WL_THROUGHPUT].set && e->per && strcmp(e->per, "core"))
    return &e->f[WL_THROUGHPUT];
  return NULL;
}

void workload_range_text(const wl_range *r, char *buf, size_t size) {
  if (r->v[WL_LOW] == r->v[WL_HIGH])
    snprintf(buf, size, "%s", r->text[WL_LOW]);
  else if (r->has[WL_TYPICAL])
    snprintf(buf, size, "triangular(%s, %s, %s)", r->text[WL_LOW],
             r->text[WL_TYPICAL], r->text[WL_HIGH]);
  else
    snprintf(buf, size, "%s to %s", r->text[WL_LOW], r->text[WL_HIGH]);
}

/* -------------------------------------------------------------- kind: */

/* "seed 004 (section)" or "URL (read DATE)" for the source of R, once
 * per source into OUT. */
static void cite(const wl_entry *e, const wl_range *r, bool *cited,
                 capplan_buf *out) {
  if (r->source < 0 || cited[r->source])
    return;
  cited[r->source] = true;
  const wl_source *s = &e->sources[r->source];
  if (out->len)
    capplan_buf_puts(out, "; ");
  if (s->seed)
    capplan_buf_printf(out, "seed %s, %s", s->seed,
                       s->section ? s->section : "");
  else
    capplan_buf_printf(out, "%s (read %s)", s->url ? s->url : "",
                       s->read ? s->read : "?");
}

/* Whether the stage chose a throughput model of its own. */
static bool own_throughput(const spec_stage *st) {
  return st->qps_per_server.present || st->more->batch.present ||
         st->more->parallelism.present || st->more->bound.s ||
         st->batching->set || st->work->set || st->llm->set;
}

static void unknown_kind(const capplan_catalog *cat, const spec_stage *st,
                         capplan_diags *d) {
  size_t n;
  const wl_entry *list = workload_list(cat, &n);
  const char **names = xmalloc((n + 1) * sizeof *names);
  for (size_t i = 0; i < n; i++)
    names[i] = list[i].name;
  const char *best = closest_word(st->kind.s, names, n);
  /* 'faiss' is a prefix of two names, not a typo of either. */
  for (size_t i = 0; i < n && !best; i++)
    if (!strncmp(names[i], st->kind.s, strlen(st->kind.s)))
      best = names[i];
  free(names);
  if (best)
    capplan_diags_add(d, CAPPLAN_ERROR, st->kind.loc,
                      "name one of 'capplan catalog workloads'",
                      "stage '%s' has unknown kind '%s' (did you mean '%s'?)",
                      st->name.s ? st->name.s : "?", st->kind.s, best);
  else
    capplan_diags_add(d, CAPPLAN_ERROR, st->kind.loc,
                      "name one of 'capplan catalog workloads'",
                      "stage '%s' has unknown kind '%s'",
                      st->name.s ? st->name.s : "?", st->kind.s);
}

static void apply_one(capplan_spec *spec, const wl_entry *e, spec_stage *st,
                      capplan_diags *d) {
  char text[256];
  bool *cited = xcalloc(e->n_sources + 1, sizeof *cited);
  capplan_buf src;
  capplan_buf_init(&src);
  bool derived_latency = st->batching->set || st->work->set || st->llm->set;
  if (!st->latency.present && !derived_latency && e->f[WL_LATENCY].set) {
    workload_range_text(&e->f[WL_LATENCY], text, sizeof text);
    if (spec_read_stage_value(spec, "latency", text, st->kind.loc, d,
                              &st->latency)) {
      st->latency.present = true;
      st->inherited.latency = true;
      cite(e, &e->f[WL_LATENCY], cited, &src);
    }
  }
  const wl_range *qps = workload_server_range(e);
  if (!own_throughput(st) && qps) {
    workload_range_text(qps, text, sizeof text);
    if (spec_read_stage_value(spec, "qps_per_server", text, st->kind.loc, d,
                              &st->qps_per_server)) {
      st->qps_per_server.present = true;
      st->inherited.qps_per_server = true;
      cite(e, qps, cited, &src);
      /* A per-core figure becomes a server's through the parallelism of
       * the seed's cores: that arithmetic is the qps_per_server note. */
      if (qps != &e->f[WL_THROUGHPUT])
        cite(e, &e->f[WL_THROUGHPUT], cited, &src);
    }
  }
  /* A server's throughput holds for the server it was read on. */
  if (st->inherited.qps_per_server && st->hardware.s && e->hardware &&
      strcmp(st->hardware.s, e->hardware))
    capplan_diags_add(d, CAPPLAN_WARNING, st->hardware.loc,
                      "give the stage its own 'qps_per_server' for that "
                      "hardware, or leave 'hardware' to the kind",
                      "stage '%s' inherits qps_per_server from kind '%s', "
                      "whose figures are for '%s', but runs on '%s'",
                      st->name.s ? st->name.s : "?", e->name, e->hardware,
                      st->hardware.s);
  if (!st->hardware.s && e->hardware) {
    st->hardware.s = arena_strdup(spec->arena, e->hardware);
    st->hardware.loc = st->kind.loc;
    st->inherited.hardware = true;
  }
  st->inherited.workload = arena_strdup(spec->arena, e->name);
  st->inherited.sources = arena_strdup(spec->arena, src.data ? src.data : "");
  capplan_buf_release(&src);
  free(cited);
}

void workload_apply(capplan_spec *spec, const capplan_catalog *cat,
                    capplan_diags *d) {
  spec->kinds_applied = true;
  bool any = false;
  for (size_t i = 0; i < spec->n_stages && !any; i++)
    any = spec->stages[i].kind.s != NULL;
  if (!any)
    return;
  capplan_catalog *own = NULL;
  if (!cat) {
    capplan_buf err;
    capplan_buf_init(&err);
    own = catalog_builtin(&err);
    if (!own)
      capplan_diags_add(d, CAPPLAN_ERROR, (capplan_loc){0, 0, 0}, NULL,
                        "internal error: the built-in catalog does not load: "
                        "%s",
                        err.data ? err.data : "");
    capplan_buf_release(&err);
    cat = own;
  }
  for (size_t i = 0; cat && i < spec->n_stages; i++) {
    spec_stage *st = &spec->stages[i];
    if (!st->kind.s)
      continue;
    const wl_entry *e = workload_find(cat, st->kind.s);
    if (!e)
      unknown_kind(cat, st, d);
    else
      apply_one(spec, e, st, d);
  }
  capplan_catalog_free(own);
}

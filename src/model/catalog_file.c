/*
 * catalog_file.c - the catalog of accelerators, cloud instances and LLMs
 * (the YAML files under catalog/, format `capplan-catalog: 1`;
 * docs/catalog.md), read with the spec's own YAML reader and quantity parser.
 *
 * The built-in files are embedded at build time and read here on demand;
 * a --catalog FILE of the same shape is read the same way and merged over
 * them: an entry of a known name overrides only the fields it gives, a
 * new one must be complete.  Every figure keeps the file, line and the
 * source (URL and read date) that gave it, for `capplan catalog` and
 * `explain`.  Errors in a --catalog file are diagnostics like a spec's.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "units.h"
#include "workload.h"
#include "yaml_tree.h"

/* ------------------------------------------------------------- dtypes */

static const struct {
  const char *name;
  double bytes;
} dtypes[DT_COUNT] = {
    [DT_FP32] = {"fp32", 4}, [DT_TF32] = {"tf32", 4}, [DT_BF16] = {"bf16", 2},
    [DT_FP16] = {"fp16", 2}, [DT_FP8] = {"fp8", 1},   [DT_INT8] = {"int8", 1},
    [DT_FP4] = {"fp4", 0.5},
};

const char *dtype_name(enum dtype t) {
  return dtypes[t].name;
}

int dtype_parse(const char *s) {
  for (int i = 0; i < DT_COUNT; i++)
    if (!strcmp(dtypes[i].name, s))
      return i;
  return -1;
}

double dtype_bytes(enum dtype t) {
  return dtypes[t].bytes;
}

/* ------------------------------------------------------------- fields */

enum { F_WHOLE = 1u, F_FRACTION = 2u, F_REQUIRED = 4u };

typedef struct field_def {
  const char *key;
  enum unit_kind unit;
  unsigned flags;
} field_def;

static const field_def acc_fields[ACC_FIELDS] = {
    [ACC_MEMORY] = {"memory", UNIT_BYTES, F_REQUIRED},
    [ACC_MEMORY_BANDWIDTH] = {"memory_bandwidth", UNIT_BANDWIDTH, F_REQUIRED},
    [ACC_FLOPS + DT_FP32] = {"flops.fp32", UNIT_FLOPS, 0},
    [ACC_FLOPS + DT_TF32] = {"flops.tf32", UNIT_FLOPS, 0},
    [ACC_FLOPS + DT_BF16] = {"flops.bf16", UNIT_FLOPS, 0},
    [ACC_FLOPS + DT_FP16] = {"flops.fp16", UNIT_FLOPS, 0},
    [ACC_FLOPS + DT_FP8] = {"flops.fp8", UNIT_FLOPS, 0},
    [ACC_FLOPS + DT_INT8] = {"flops.int8", UNIT_FLOPS, 0},
    [ACC_FLOPS + DT_FP4] = {"flops.fp4", UNIT_FLOPS, 0},
    [ACC_INTERCONNECT] = {"interconnect", UNIT_BANDWIDTH, 0},
    [ACC_PRICE] = {"price", UNIT_MONEY, 0},
    [ACC_MFU] = {"mfu", UNIT_FRACTION, F_FRACTION},
    [ACC_MBU] = {"mbu", UNIT_FRACTION, F_FRACTION},
};

static const field_def inst_fields[INST_FIELDS] = {
    [INST_ACCELERATORS] = {"accelerators", UNIT_COUNT, F_WHOLE | F_REQUIRED},
    [INST_CORES] = {"cores", UNIT_COUNT, F_WHOLE},
    [INST_MEMORY] = {"memory", UNIT_BYTES, 0},
    [INST_PRICE] = {"price", UNIT_MONEY, 0},
};

static const field_def mod_fields[MOD_FIELDS] = {
    [MOD_PARAMS] = {"params", UNIT_COUNT, F_REQUIRED},
    [MOD_ACTIVE_PARAMS] = {"active_params", UNIT_COUNT, 0},
    [MOD_LAYERS] = {"layers", UNIT_COUNT, F_WHOLE | F_REQUIRED},
    [MOD_HIDDEN] = {"hidden", UNIT_COUNT, F_WHOLE | F_REQUIRED},
    [MOD_HEADS] = {"heads", UNIT_COUNT, F_WHOLE | F_REQUIRED},
    [MOD_KV_HEADS] = {"kv_heads", UNIT_COUNT, F_WHOLE | F_REQUIRED},
    [MOD_HEAD_DIM] = {"head_dim", UNIT_COUNT, F_WHOLE | F_REQUIRED},
    [MOD_INTERMEDIATE] = {"intermediate", UNIT_COUNT, F_WHOLE},
    [MOD_VOCAB] = {"vocab", UNIT_COUNT, F_WHOLE},
    [MOD_MAX_CONTEXT] = {"max_context", UNIT_COUNT, F_WHOLE},
    [MOD_EXPERTS] = {"experts", UNIT_COUNT, F_WHOLE},
    [MOD_EXPERTS_ACTIVE] = {"experts_active", UNIT_COUNT, F_WHOLE},
};

static const field_def *defs_of(enum cat_kind kind, size_t *n) {
  switch (kind) {
  case CAT_ACCELERATOR:
    *n = ACC_FIELDS;
    return acc_fields;
  case CAT_INSTANCE:
    *n = INST_FIELDS;
    return inst_fields;
  case CAT_MODEL:
  case CAT_KINDS:
    break;
  }
  *n = MOD_FIELDS;
  return mod_fields;
}

const char *cat_field_key(enum cat_kind kind, size_t i) {
  size_t n;
  const field_def *f = defs_of(kind, &n);
  return i < n ? f[i].key : NULL;
}

const char *cat_field_unit(enum cat_kind kind, size_t i) {
  size_t n;
  const field_def *f = defs_of(kind, &n);
  return i < n ? units_base_unit(f[i].unit) : "";
}

size_t cat_n_fields(enum cat_kind kind) {
  size_t n;
  defs_of(kind, &n);
  return n;
}

const char *cat_kind_name(enum cat_kind kind, bool plural) {
  static const char *const names[CAT_KINDS][2] = {
      {"accelerator", "accelerators"},
      {"instance", "instances"},
      {"model", "models"},
  };
  return names[kind < CAT_KINDS ? kind : 0][plural];
}

static long field_index(enum cat_kind kind, const char *key) {
  size_t n;
  const field_def *f = defs_of(kind, &n);
  for (size_t i = 0; i < n; i++)
    if (!strcmp(f[i].key, key))
      return (long)i;
  return -1;
}

const cat_entry *catalog_find(const capplan_catalog *c, enum cat_kind kind,
                              const char *name) {
  if (!c || !name)
    return NULL;
  for (size_t i = 0; i < c->n[kind]; i++)
    if (!strcmp(c->e[kind][i].name, name))
      return &c->e[kind][i];
  return NULL;
}

bool cat_get(const cat_entry *e, size_t i, double *v) {
  if (!e || i >= CAT_MAX_FIELDS || !e->f[i].set)
    return false;
  *v = e->f[i].v;
  return true;
}

/* ------------------------------------------------------------- loading */

typedef struct cload {
  capplan_catalog *c;
  const char *file; /* the source's path, in the catalog's arena */
  capplan_diags *d;
  bool builtin; /* the embedded files: every number must name a source */
} cload;

static capplan_loc at(const ynode *n) {
  return n->loc;
}

/* The place of bytes OFF..OFF+LEN inside a plain one-line scalar. */
static capplan_loc at_span(const ynode *n, size_t off, size_t len) {
  capplan_loc l = n->loc;
  if (n->kind != YN_SCALAR || n->quoted || (size_t)n->loc.len < n->len)
    return l;
  l.col += (int)utf8_width(n->text, off);
  l.len = (int)utf8_width(n->text + off, len);
  if (l.len < 1)
    l.len = 1;
  return l;
}

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static void
error(cload *L, capplan_loc loc, const char *help, const char *fmt, ...) {
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

/* Catalog names: lower-case letters, digits, '-', '_' and '.' (cloud
 * instance names such as p5.48xlarge, models such as llama-3.1-8b). */
bool catalog_valid_name(const char *s, size_t len) {
  if (len == 0 || s[0] == '.')
    return false;
  for (size_t i = 0; i < len; i++) {
    char ch = s[i];
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
          ch == '_' || ch == '.'))
      return false;
  }
  return true;
}

/* The text of the single value V of KEY, in ARENA; NULL after an error
 * in D if V is not one. */
static const char *text_in(capplan_arena *arena, capplan_diags *d,
                           const ynode *key, const ynode *v) {
  if (is_scalar(v))
    return arena_strndup(arena, v->text, v->len);
  capplan_diags_add(d, CAPPLAN_ERROR, at(v), "write a single value",
                    "'%s' takes a single value, not %s", key->text,
                    ynode_kind_name(v));
  return NULL;
}

static const char *scalar_text(cload *L, const ynode *key, const ynode *v) {
  return text_in(L->c->arena, L->d, key, v);
}

/* Reads the number V of field I (KIND) into F. */
static void load_number(cload *L, enum cat_kind kind, size_t i,
                        const ynode *key, const ynode *v, cat_field *f) {
  size_t n;
  const field_def *def = &defs_of(kind, &n)[i];
  f->given = true;
  if (!is_scalar(v)) {
    char help[128];
    snprintf(help, sizeof help, "write %s such as '%s'",
             units_kind_name(def->unit), units_kind_example(def->unit));
    error(L, at(v), help, "'%s' takes %s, not %s", def->key,
          units_kind_name(def->unit), ynode_kind_name(v));
    return;
  }
  (void)key;
  double x;
  unit_error ue;
  if (units_parse(v->text, v->len, def->unit, def->key, &x, &ue) < 0) {
    error(L, at_span(v, ue.offset, ue.len), ue.help[0] ? ue.help : NULL, "%s",
          ue.message);
    return;
  }
  bool ok = x > 0 && (!(def->flags & F_FRACTION) || x <= 1) &&
            (!(def->flags & F_WHOLE) || x == floor(x)) && x < 1e30;
  if (!ok) {
    error(L, at(v),
          def->flags & F_FRACTION ? "write a share above 0% and at most 100%"
          : def->flags & F_WHOLE  ? "write a whole number above 0"
                                  : "write a number above 0",
          "'%s' must be %s, got '%s'", def->key,
          def->flags & F_FRACTION ? "more than 0% and at most 100%"
          : def->flags & F_WHOLE  ? "a whole number above 0"
                                  : "more than 0",
          v->text);
    return;
  }
  f->set = true;
  f->v = x;
  f->text = arena_strndup(L->c->arena, v->text, v->len);
  f->file = L->file;
  f->loc = at(v);
  f->source = -1;
}

void catalog_unknown_key(capplan_diags *d, const ynode *key,
                         const char *const *names, size_t n, const char *where,
                         bool parts) {
  const char *best = closest_word(key->text, names, n);
  /* 'bandwidth' for 'memory_bandwidth': a part of the name, not a typo. */
  for (size_t i = 0; i < n && parts && !best && strlen(key->text) >= 4; i++)
    if (strstr(names[i], key->text))
      best = names[i];
  capplan_buf help;
  capplan_buf_init(&help);
  capplan_buf_printf(&help, "%s keys are:", where);
  for (size_t i = 0; i < n; i++)
    capplan_buf_printf(&help, "%s %s", i ? "," : "", names[i]);
  if (best)
    capplan_diags_add(d, CAPPLAN_ERROR, at(key), help.data,
                      "unknown key '%.64s' in %s (did you mean '%s'?)",
                      key->text, where, best);
  else
    capplan_diags_add(d, CAPPLAN_ERROR, at(key), help.data,
                      "unknown key '%.64s' in %s", key->text, where);
  capplan_buf_release(&help);
}

bool catalog_duplicate_key(capplan_diags *d, const ynode *map, size_t k,
                           const char *where) {
  const ynode *key = map->kids[k];
  if (!is_scalar(key))
    return false;
  for (size_t j = 0; j < k; j += 2) {
    const ynode *first = map->kids[j];
    if (is_scalar(first) && !strcmp(first->text, key->text)) {
      char help[96];
      snprintf(help, sizeof help, "the first '%.32s' is on line %d; keep one",
               key->text, first->loc.line);
      capplan_diags_add(d, CAPPLAN_ERROR, at(key), help,
                        "duplicate key '%.64s' in %s", key->text, where);
      return true;
    }
  }
  return false;
}

static bool listed(const char *const *names, size_t n, const char *s) {
  for (size_t i = 0; i < n; i++)
    if (!strcmp(names[i], s))
      return true;
  return false;
}

/* Where the text of source key NAME goes in SRC; NULL for `fields` and
 * for a key no source has. */
static const char **source_slot(cat_source *src, const char *name) {
  return !strcmp(name, "url")       ? &src->url
         : !strcmp(name, "read")    ? &src->read
         : !strcmp(name, "seed")    ? &src->seed
         : !strcmp(name, "section") ? &src->section
         : !strcmp(name, "note")    ? &src->note
                                    : NULL;
}

/* A page needs an https url and the date it was read, a seed its
 * section.  Where a source may be a seed (SEEDS), one without a good url
 * is told of the url or the seed, and not also of the date. */
static void check_source(const cat_source *src, const ynode *s, bool seeds,
                         capplan_diags *d) {
  if (src->url || !src->seed) {
    bool bad_url = !src->url || strncmp(src->url, "https://", 8);
    if (bad_url)
      capplan_diags_add(
          d, CAPPLAN_ERROR, at(s),
          seeds ? "give the page's address, 'url: https://...', or the seed "
                  "with 'seed: \"004\"' and 'section:'"
                : "give the page's address, 'url: https://...'",
          "a source needs an https 'url'%s", seeds ? " or a 'seed'" : "");
    if (!src->read && !(seeds && bad_url))
      capplan_diags_add(d, CAPPLAN_ERROR, at(s),
                        "add 'read: YYYY-MM-DD', the day the page was read",
                        "a source needs the date it was 'read'");
  } else if (!src->section) {
    capplan_diags_add(d, CAPPLAN_ERROR, at(s),
                      "add 'section:', the part of the seed the figure is in",
                      "a seed source needs its 'section'");
  }
}

void catalog_read_sources(const cat_source_rules *r, const ynode *v,
                          capplan_arena *arena, capplan_diags *d,
                          cat_source **sources, size_t *n_sources,
                          const ynode ***flists) {
  if (v->kind != YN_SEQ) {
    capplan_diags_add(d, CAPPLAN_ERROR, at(v), r->list_help,
                      "'sources' takes a list, not %s", ynode_kind_name(v));
    return;
  }
  /* After the sources of an earlier `sources:` of the same entry, if
   * any: a second list adds to the first. */
  size_t base = *n_sources;
  cat_source *all = arena_array(arena, base + v->n + 1, sizeof *all);
  const ynode **fl = arena_array(arena, base + v->n + 1, sizeof *fl);
  if (base) {
    memcpy(all, *sources, base * sizeof *all);
    memcpy(fl, *flists, base * sizeof *fl);
  }
  *sources = all;
  *flists = fl;
  bool seeds = listed(r->keys, r->n_keys, "seed");
  for (size_t i = 0; i < v->n; i++) {
    const ynode *s = v->kids[i];
    if (s->kind != YN_MAP) {
      capplan_diags_add(d, CAPPLAN_ERROR, at(s), r->item_help,
                        "a source must be a mapping, not %s",
                        ynode_kind_name(s));
      continue;
    }
    cat_source *src = &(*sources)[*n_sources];
    const ynode *flist = NULL;
    for (size_t k = 0; k + 1 < s->n; k += 2) {
      const ynode *key = s->kids[k], *val = s->kids[k + 1];
      if (!is_scalar(key) || catalog_duplicate_key(d, s, k, "a source"))
        continue;
      const char **slot = source_slot(src, key->text);
      if (!listed(r->keys, r->n_keys, key->text) ||
          (!slot && strcmp(key->text, "fields")))
        catalog_unknown_key(d, key, r->keys, r->n_keys, "a source",
                            r->key_parts);
      else if (slot)
        *slot = text_in(arena, d, key, val);
      else
        flist = val;
    }
    check_source(src, s, seeds, d);
    if (flist && flist->kind != YN_SEQ) {
      capplan_diags_add(d, CAPPLAN_ERROR, at(flist), r->fields_help,
                        "'fields' takes a list, not %s",
                        ynode_kind_name(flist));
      flist = NULL;
    }
    for (size_t k = 0; flist && k < flist->n; k++) {
      const ynode *f = flist->kids[k];
      if (!is_scalar(f) || !listed(r->fields, r->n_fields, f->text))
        capplan_diags_add(d, CAPPLAN_ERROR, at(f), r->field_help,
                          "a source names unknown field '%.64s'",
                          is_scalar(f) ? f->text : ynode_kind_name(f));
    }
    (*flists)[(*n_sources)++] = flist;
  }
}

/* The `sources:` list of an entry: each a page (url, read) with the
 * fields it gives and a note ("flops" names every flops.X).  FIELDS[k]
 * gets the list of field keys source k names. */
static void load_sources(cload *L, enum cat_kind kind, const ynode *v,
                         cat_entry *e, const ynode ***fields) {
  static const char *const keys[] = {"url", "read", "fields", "note"};
  const char *names[CAT_MAX_FIELDS + 1];
  size_t nf;
  const field_def *defs = defs_of(kind, &nf);
  for (size_t i = 0; i < nf; i++)
    names[i] = defs[i].key;
  names[nf] = "flops";
  const cat_source_rules rules = {
      .keys = keys,
      .n_keys = ARRAY_LEN(keys),
      .fields = names,
      .n_fields = nf + 1,
      .key_parts = true,
      .list_help = "write '- url: https://...' items, each with 'read' and "
                   "'fields'",
      .item_help = "write 'url:', 'read:' and 'fields:' below the '-'",
      .fields_help = "write the fields as a list, e.g. [memory, price]",
      .field_help = "name fields of the entry, e.g. memory or flops.fp16",
  };
  catalog_read_sources(&rules, v, L->c->arena, L->d, &e->sources, &e->n_sources,
                       fields);
}

/* Whether source list FLIST names field KEY ("flops" names every
 * flops.X). */
static bool names_field(const ynode *flist, const char *key) {
  if (!flist || flist->kind != YN_SEQ)
    return false;
  for (size_t k = 0; k < flist->n; k++) {
    const ynode *f = flist->kids[k];
    if (f->kind != YN_SCALAR)
      continue;
    if (!strcmp(f->text, key) ||
        (!strcmp(f->text, "flops") && !strncmp(key, "flops.", 6)))
      return true;
  }
  return false;
}

/* `not_published: [flops, price]`: fields left out for want of a public
 * source ("flops" names every dtype the entry does not give). */
static void load_not_published(cload *L, enum cat_kind kind, const ynode *v,
                               cat_entry *e) {
  if (v->kind != YN_SEQ) {
    error(L, at(v), "write the fields as a list, e.g. [flops, price]",
          "'not_published' takes a list, not %s", ynode_kind_name(v));
    return;
  }
  size_t nf = cat_n_fields(kind);
  for (size_t k = 0; k < v->n; k++) {
    const ynode *f = v->kids[k];
    long fi = is_scalar(f) ? field_index(kind, f->text) : -1;
    bool all_flops =
        is_scalar(f) && kind == CAT_ACCELERATOR && !strcmp(f->text, "flops");
    if (fi < 0 && !all_flops) {
      error(L, at(f), "name fields of the entry, e.g. price or flops.fp16",
            "'not_published' names unknown field '%.64s'",
            is_scalar(f) ? f->text : ynode_kind_name(f));
      continue;
    }
    for (size_t i = 0; i < nf; i++)
      if ((long)i == fi ||
          (all_flops && i >= ACC_FLOPS && i < ACC_FLOPS + DT_COUNT))
        e->not_published |= 1ul << i;
  }
}

/* One entry of KIND named by KEY, with its keys in MAP, into E. */
static void load_entry(cload *L, enum cat_kind kind, const ynode *key,
                       const ynode *map, cat_entry *e) {
  e->name = arena_strndup(L->c->arena, key->text, key->len);
  e->file = L->file;
  e->loc = at(key);
  const ynode **fields = NULL;
  const ynode *sources = NULL;
  const char *names[CAT_MAX_FIELDS + 8];
  size_t n_names = 0;
  size_t nf;
  const field_def *defs = defs_of(kind, &nf);
  names[n_names++] = "description";
  if (kind == CAT_INSTANCE) {
    names[n_names++] = "provider";
    names[n_names++] = "region";
    names[n_names++] = "accelerator";
  }
  for (size_t i = 0; i < nf; i++)
    if (strncmp(defs[i].key, "flops.", 6))
      names[n_names++] = defs[i].key;
  if (kind == CAT_ACCELERATOR)
    names[n_names++] = "flops";
  names[n_names++] = "sources";
  names[n_names++] = "not_published";
  char where[160];
  snprintf(where, sizeof where, "%s '%s'", cat_kind_name(kind, false), e->name);
  for (size_t k = 0; k + 1 < map->n; k += 2) {
    const ynode *kk = map->kids[k], *v = map->kids[k + 1];
    if (!is_scalar(kk)) {
      error(L, at(kk), "keys are plain words such as 'memory'",
            "a key must be a word, not %s", ynode_kind_name(kk));
      continue;
    }
    if (catalog_duplicate_key(L->d, map, k, where))
      continue;
    const char *name = kk->text;
    long fi = field_index(kind, name);
    if (fi >= 0 && strncmp(name, "flops.", 6)) {
      load_number(L, kind, (size_t)fi, kk, v, &e->f[fi]);
    } else if (!strcmp(name, "description")) {
      e->description = scalar_text(L, kk, v);
    } else if (kind == CAT_INSTANCE && !strcmp(name, "provider")) {
      e->provider = scalar_text(L, kk, v);
    } else if (kind == CAT_INSTANCE && !strcmp(name, "region")) {
      e->region = scalar_text(L, kk, v);
    } else if (kind == CAT_INSTANCE && !strcmp(name, "accelerator")) {
      e->accelerator = scalar_text(L, kk, v);
      if (e->accelerator &&
          !catalog_valid_name(e->accelerator, strlen(e->accelerator)))
        error(L, at(v), "name an entry of 'accelerators'",
              "invalid accelerator name '%.64s'", e->accelerator);
    } else if (kind == CAT_ACCELERATOR && !strcmp(name, "flops")) {
      if (v->kind != YN_MAP) {
        error(L, at(v), "write one dtype per line, e.g. 'fp16: 312TFLOPS'",
              "'flops' takes a mapping of dtypes, not %s", ynode_kind_name(v));
        continue;
      }
      for (size_t j = 0; j + 1 < v->n; j += 2) {
        const ynode *dk = v->kids[j];
        if (catalog_duplicate_key(L->d, v, j, "'flops'"))
          continue;
        int t = is_scalar(dk) ? dtype_parse(dk->text) : -1;
        if (t < 0) {
          const char *dn[DT_COUNT];
          for (int q = 0; q < DT_COUNT; q++)
            dn[q] = dtype_name((enum dtype)q);
          if (is_scalar(dk))
            catalog_unknown_key(L->d, dk, dn, DT_COUNT, "'flops'", true);
          continue;
        }
        load_number(L, kind, ACC_FLOPS + (size_t)t, dk, v->kids[j + 1],
                    &e->f[ACC_FLOPS + t]);
      }
    } else if (!strcmp(name, "not_published")) {
      load_not_published(L, kind, v, e);
    } else if (!strcmp(name, "sources")) {
      sources = v;
      load_sources(L, kind, v, e, &fields);
    } else {
      catalog_unknown_key(L->d, kk, names, n_names, where, true);
    }
  }
  for (size_t i = 0; i < nf; i++)
    if (e->f[i].set)
      e->not_published &= ~(1ul << i);
  /* Each number's source: the first that names it. */
  for (size_t i = 0; i < nf; i++) {
    if (!e->f[i].set)
      continue;
    for (size_t s = 0; s < e->n_sources && e->f[i].source < 0; s++)
      if (names_field(fields[s], defs[i].key))
        e->f[i].source = (long)s;
    if (L->builtin && e->f[i].source < 0)
      error(L, e->f[i].loc, "list the field in a source's 'fields'",
            "%s '%s': '%s' names no source", cat_kind_name(kind, false),
            e->name, defs[i].key);
  }
  (void)sources;
}

static cat_entry *entry_add(capplan_catalog *c, enum cat_kind kind) {
  xgrow((void **)&c->e[kind], &c->cap[kind], c->n[kind] + 1, sizeof(cat_entry));
  cat_entry *e = &c->e[kind][c->n[kind]++];
  memset(e, 0, sizeof *e);
  return e;
}

/* A model's experts as llm.c takes them (experts_ok there): both or
 * neither, 0 < experts_active < experts, and the shared weights (the
 * active ones less experts_active experts of (params - active_params) /
 * (experts - experts_active) each) at or above 0. */
static void check_experts(cload *L, const cat_entry *e) {
  const cat_field *ne = &e->f[MOD_EXPERTS], *nk = &e->f[MOD_EXPERTS_ACTIVE];
  if (!ne->set && !nk->set)
    return;
  const cat_field *at_f = nk->set ? nk : ne;
  double p = e->f[MOD_PARAMS].v;
  double a = e->f[MOD_ACTIVE_PARAMS].set ? e->f[MOD_ACTIVE_PARAMS].v : p;
  if (!ne->set || !nk->set)
    error(L, at_f->loc,
          "give both 'experts' (per layer) and 'experts_active' "
          "(taken by each token)",
          "model '%s' has '%s' without '%s'", e->name,
          ne->set ? "experts" : "experts_active",
          ne->set ? "experts_active" : "experts");
  else if (!(nk->v >= 1 && nk->v < ne->v))
    error(L, at_f->loc, "a token takes at least one expert and fewer than all",
          "model '%s': 'experts_active' (%s) must be at least 1 and less "
          "than 'experts' (%s)",
          e->name, nk->text, ne->text);
  else if (!(a < p && a * ne->v >= nk->v * p))
    error(L, at_f->loc,
          "'active_params' is the shared weights plus 'experts_active' "
          "experts, so active_params / params is at least experts_active / "
          "experts and below 1",
          "model '%s': %s of %s experts cannot be %s of %s parameters", e->name,
          nk->text, ne->text,
          e->f[MOD_ACTIVE_PARAMS].set ? e->f[MOD_ACTIVE_PARAMS].text : "all",
          e->f[MOD_PARAMS].text ? e->f[MOD_PARAMS].text : "its");
}

/* Merges NEW (read from a file) into the catalog: an override of an
 * entry that exists, or a new entry, which must be complete. */
static void merge(cload *L, enum cat_kind kind, const cat_entry *nw) {
  capplan_catalog *c = L->c;
  cat_entry *old = (cat_entry *)catalog_find(c, kind, nw->name);
  size_t nf;
  const field_def *defs = defs_of(kind, &nf);
  if (!old) {
    capplan_buf missing;
    capplan_buf_init(&missing);
    size_t count = 0;
    for (size_t i = 0; i < nf; i++)
      if ((defs[i].flags & F_REQUIRED) && !nw->f[i].given)
        capplan_buf_printf(&missing, "%s'%s'", count++ ? ", " : "",
                           defs[i].key);
    if (kind == CAT_INSTANCE && !nw->accelerator)
      capplan_buf_printf(&missing, "%s'accelerator'", count++ ? ", " : "");
    if (count) {
      char help[256];
      snprintf(help, sizeof help,
               "a new %s needs %s; to change a built-in one, use its name "
               "(see 'capplan catalog %s')",
               cat_kind_name(kind, false), missing.data,
               cat_kind_name(kind, true));
      error(L, nw->loc, help, "new %s '%s' has no %s",
            cat_kind_name(kind, false), nw->name, missing.data);
    }
    capplan_buf_release(&missing);
    *entry_add(c, kind) = *nw;
    if (kind == CAT_MODEL && !count)
      check_experts(L, nw);
    return;
  }
  /* Override: the fields given replace the old ones, with their own
   * sources appended to the entry's. */
  size_t base = old->n_sources;
  if (nw->n_sources) {
    cat_source *s =
        arena_array(c->arena, old->n_sources + nw->n_sources, sizeof *s);
    memcpy(s, old->sources, old->n_sources * sizeof *s);
    memcpy(s + base, nw->sources, nw->n_sources * sizeof *s);
    old->sources = s;
    old->n_sources += nw->n_sources;
  }
  old->not_published |= nw->not_published;
  for (size_t i = 0; i < nf; i++)
    if (nw->f[i].set) {
      old->not_published &= ~(1ul << i);
      old->f[i] = nw->f[i];
      if (old->f[i].source >= 0)
        old->f[i].source += (long)base;
    }
  if (nw->description)
    old->description = nw->description;
  if (nw->provider)
    old->provider = nw->provider;
  if (nw->region)
    old->region = nw->region;
  if (nw->accelerator)
    old->accelerator = nw->accelerator;
  if (kind == CAT_MODEL)
    check_experts(L, old);
}

static void load_kind(cload *L, enum cat_kind kind, const ynode *map) {
  if (map->kind != YN_MAP) {
    error(L, at(map), "write one '<name>:' per entry with its keys below",
          "'%s' takes a mapping of names to entries, not %s",
          cat_kind_name(kind, true), ynode_kind_name(map));
    return;
  }
  for (size_t k = 0; k + 1 < map->n; k += 2) {
    const ynode *key = map->kids[k], *v = map->kids[k + 1];
    if (!is_scalar(key) || !catalog_valid_name(key->text, key->len)) {
      error(L, at(key),
            "names use lower-case letters, digits, '-', '_' and '.', e.g. "
            "'p5.48xlarge'",
            "invalid %s name '%.64s'", cat_kind_name(kind, false),
            is_scalar(key) ? key->text : ynode_kind_name(key));
      continue;
    }
    for (size_t j = 0; j < k; j += 2)
      if (is_scalar(map->kids[j]) && !strcmp(map->kids[j]->text, key->text)) {
        char help[96];
        snprintf(help, sizeof help, "the first '%s' is on line %d; merge them",
                 key->text, map->kids[j]->loc.line);
        error(L, at(key), help, "duplicate %s '%s'", cat_kind_name(kind, false),
              key->text);
        goto next;
      }
    if (v->kind != YN_MAP) {
      error(L, at(v), "write the entry's keys below its name, indented",
            "%s '%s' must be a mapping of keys, not %s",
            cat_kind_name(kind, false), key->text, ynode_kind_name(v));
      continue;
    }
    {
      cat_entry e;
      memset(&e, 0, sizeof e);
      for (size_t i = 0; i < CAT_MAX_FIELDS; i++)
        e.f[i].source = -1;
      load_entry(L, kind, key, v, &e);
      merge(L, kind, &e);
    }
  next:;
  }
}

/* The accelerator each instance of the catalog names must exist. */
static void check_instances(cload *L) {
  capplan_catalog *c = L->c;
  for (size_t i = 0; i < c->n[CAT_INSTANCE]; i++) {
    const cat_entry *e = &c->e[CAT_INSTANCE][i];
    if (!e->accelerator || catalog_find(c, CAT_ACCELERATOR, e->accelerator))
      continue;
    const char **names = xmalloc((c->n[CAT_ACCELERATOR] + 1) * sizeof *names);
    for (size_t k = 0; k < c->n[CAT_ACCELERATOR]; k++)
      names[k] = c->e[CAT_ACCELERATOR][k].name;
    const char *best =
        closest_word(e->accelerator, names, c->n[CAT_ACCELERATOR]);
    free(names);
    char help[160];
    snprintf(help, sizeof help,
             "name an accelerator of the catalog ('capplan catalog "
             "accelerators')%s%s%s",
             best ? "; did you mean '" : "", best ? best : "",
             best ? "'?" : "");
    error(L, e->loc, help, "instance '%s' names unknown accelerator '%s'",
          e->name, e->accelerator);
  }
}

/* Reads SRC into L->c. */
static void load_source(cload *L, const capplan_source *src,
                        const capplan_limits *limits) {
  ytree *t = ytree_parse(src, limits, L->d);
  if (!t)
    return;
  const ynode *root = ytree_root(t);
  const capplan_loc nowhere = {0, 0, 0};
  if (!root || root->kind != YN_MAP) {
    error(L, root ? at(root) : nowhere,
          "a catalog starts with 'capplan-catalog: 1', then 'accelerators:', "
          "'instances:', 'models:' or 'workloads:' (docs/catalog.md)",
          "a catalog file must be a mapping");
    ytree_free(t);
    return;
  }
  static const char *const top[] = {"capplan-catalog", "accelerators",
                                    "instances", "models", "workloads"};
  bool version = false;
  for (size_t k = 0; k + 1 < root->n; k += 2) {
    const ynode *key = root->kids[k], *v = root->kids[k + 1];
    if (!is_scalar(key) ||
        catalog_duplicate_key(L->d, root, k, "the catalog file"))
      continue;
    if (!strcmp(key->text, "capplan-catalog")) {
      version = true;
      if (!is_scalar(v) || strcmp(v->text, "1"))
        error(L, at(v),
              "this capplan reads catalog format 1: "
              "'capplan-catalog: 1'",
              "unsupported catalog format version '%.32s'",
              is_scalar(v) ? v->text : ynode_kind_name(v));
    } else if (!strcmp(key->text, "accelerators")) {
      load_kind(L, CAT_ACCELERATOR, v);
    } else if (!strcmp(key->text, "instances")) {
      load_kind(L, CAT_INSTANCE, v);
    } else if (!strcmp(key->text, "models")) {
      load_kind(L, CAT_MODEL, v);
    } else if (!strcmp(key->text, "workloads")) {
      workload_load(L->c, L->file, v, L->d, L->builtin);
    } else {
      catalog_unknown_key(L->d, key, top, ARRAY_LEN(top), "a catalog", true);
    }
  }
  if (!version)
    error(L, nowhere, "add 'capplan-catalog: 1' as the first line",
          "the catalog has no 'capplan-catalog' format version");
  check_instances(L);
  ytree_free(t);
}

static capplan_catalog *catalog_new(void) {
  capplan_catalog *c = xcalloc(1, sizeof *c);
  c->arena = arena_new();
  return c;
}

void capplan_catalog_free(capplan_catalog *c) {
  if (!c)
    return;
  for (int k = 0; k < CAT_KINDS; k++)
    free(c->e[k]);
  workload_release(c);
  arena_free(c->arena);
  free(c);
}

capplan_catalog *catalog_builtin(capplan_buf *err) {
  capplan_catalog *c = catalog_new();
  size_t n;
  const catalog_embedded *files = catalog_embedded_files(&n);
  capplan_limits limits = capplan_limits_default();
  bool ok = true;
  for (size_t i = 0; i < n && ok; i++) {
    capplan_buf text;
    capplan_buf_init(&text);
    for (size_t k = 0; k < files[i].n_lines; k++)
      capplan_buf_puts(&text, files[i].lines[k]);
    capplan_source *src =
        capplan_source_new(files[i].path, text.data ? text.data : "", text.len);
    capplan_buf_release(&text);
    capplan_diags d;
    capplan_diags_init(&d, src);
    cload L = {c, arena_strdup(c->arena, files[i].path), &d, true};
    load_source(&L, src, &limits);
    if (d.errors) {
      capplan_diags_render(&d, false, err);
      ok = false;
    }
    capplan_diags_release(&d);
    capplan_source_free(src);
  }
  if (!ok) {
    capplan_catalog_free(c);
    return NULL;
  }
  return c;
}

capplan_catalog *capplan_catalog_load(const capplan_source *src,
                                      const capplan_limits *limits,
                                      capplan_diags *d) {
  capplan_buf err;
  capplan_buf_init(&err);
  capplan_catalog *c = catalog_builtin(&err);
  if (!c) {
    capplan_diags_add(d, CAPPLAN_ERROR, (capplan_loc){0, 0, 0}, NULL,
                      "internal error: the built-in catalog does not load: "
                      "%s",
                      err.data ? err.data : "");
    capplan_buf_release(&err);
    return NULL;
  }
  capplan_buf_release(&err);
  if (!src)
    return c;
  capplan_limits deflim = capplan_limits_default();
  size_t errors = d->errors;
  cload L = {c, arena_strdup(c->arena, src->path), d, false};
  load_source(&L, src, limits ? limits : &deflim);
  if (d->errors > errors) {
    capplan_catalog_free(c);
    return NULL;
  }
  return c;
}

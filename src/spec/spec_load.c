/*
 * spec_load.c - YAML tree -> spec model, checked against the schema table.
 *
 * First step of the pipeline.  Every value is checked where it stands: its
 * YAML type, its unit, its bounds; unknown keys get a suggestion; keys that
 * contradict each other (two throughput sources, two traffic sources) are
 * reported here.  Cross-references (after, hardware, colocate) are the
 * graph's job.  Errors never stop the walk, so one run reports them all.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dist.h"
#include "schema.h"
#include "spec.h"
#include "strmap.h"
#include "units.h"
#include "yaml_tree.h"

/* A section's key names by their first three bytes (fewer where the name
 * ends sooner), open addressing: a slot holds a key's index plus one, or
 * 0.  A lookup hashes three bytes and compares a name or two, where a
 * general map hashed every byte and called strcmp. */
enum { KEYINDEX_SLOTS = 256 };

typedef struct keyindex {
  unsigned short slot[KEYINDEX_SLOTS];
  size_t len[KEYINDEX_SLOTS]; /* the name's length, by slot */
} keyindex;

/* The hash of NUL-terminated S; reads no byte past its terminator. */
static size_t key_hash(const char *s) {
  size_t h = (unsigned char)s[0];
  if (s[0]) {
    h = h * 31 + (unsigned char)s[1];
    if (s[1])
      h = h * 31 + (unsigned char)s[2];
  }
  return (h ^ (h >> 7)) & (KEYINDEX_SLOTS - 1);
}

typedef struct loader {
  const schema_section *sections; /* schema_section_get(0), the first */
  capplan_spec *spec;
  const capplan_source *src;
  const capplan_limits *lim;
  capplan_diags *d;
  spec_stage *stage; /* the stage being loaded, for its sections */
  spec_hardware *hw; /* the hardware being loaded, for its sections */
  enum schema_section_id section; /* of the key being loaded */
  /* Each section's key names, hashed on first use: a 100,000-stage spec
   * looks up half a million keys. */
  keyindex *index[SEC_COUNT];
  /* Each section's required keys (their indices, ascending), listed on
   * first use: require_keys() runs for every stage. */
  size_t *required[SEC_COUNT];
  size_t n_required[SEC_COUNT];
  bool listed[SEC_COUNT];
} loader;

/* The index of KEY's name among section S's keys (schema_key_at), or -1.
 * The name matches as strcmp() would match KEY's text: up to its first
 * NUL, though YAML lets a quoted key hold more after it. */
static long key_lookup(loader *L, const schema_section *s, const ynode *key) {
  size_t id = (size_t)(s - L->sections);
  keyindex *x = L->index[id];
  if (!x) {
    /* At most half full, so a probe ends soon (and always ends); more
     * keys are a programming error, caught by every test. */
    if (schema_n_keys(s) > KEYINDEX_SLOTS / 2)
      abort();
    x = L->index[id] = xcalloc(1, sizeof *x);
    for (size_t i = 0; i < schema_n_keys(s); i++) {
      const char *name = schema_key_at(s, i)->name;
      size_t h = key_hash(name);
      while (x->slot[h])
        h = (h + 1) & (KEYINDEX_SLOTS - 1);
      x->slot[h] = (unsigned short)(i + 1);
      x->len[h] = strlen(name);
    }
  }
  const char *text = key->text;
  for (size_t h = key_hash(text); x->slot[h];
       h = (h + 1) & (KEYINDEX_SLOTS - 1)) {
    size_t n = x->len[h], i = x->slot[h] - 1u;
    if (n <= key->len && text[n] == '\0' &&
        !memcmp(text, schema_key_at(s, i)->name, n))
      return (long)i;
  }
  return -1;
}

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static void
error(loader *L, capplan_loc loc, const char *help, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  capplan_diags_add(L->d, CAPPLAN_ERROR, loc, help, "%s", msg);
}

/* The place of a node; a key's span covers the key. */
static capplan_loc at(const ynode *n) {
  return n->loc;
}

/* The place of a byte span inside a scalar's value. */
static capplan_loc at_span(const ynode *n, size_t off, size_t len) {
  capplan_loc l = n->loc;
  if (n->kind != YN_SCALAR ||
      (n->loc.len > 0 && (size_t)n->loc.len < n->len + (n->quoted ? 2 : 0)))
    return l; /* escapes or folding: the offsets do not map; mark it all */
  l.col += (int)utf8_width(n->text, off) + (n->quoted ? 1 : 0);
  l.len = (int)utf8_width(n->text + off, len);
  if (l.len < 1)
    l.len = 1;
  return l;
}

/* ------------------------------------------------------------- values */

/* Checks that V (the value of KEY) is a single, non-null value. */
static bool scalar_value(loader *L, const schema_key *k, const ynode *key,
                         const ynode *v) {
  if (v->kind == YN_SCALAR && !ynode_is_null(v))
    return true;
  /* The help is written only when needed: this runs for every key. */
  char help[160];
  if (k->type == SK_QTY)
    snprintf(help, sizeof help, "write %s such as '%s'%s",
             units_kind_name(k->unit), schema_example(k),
             (k->flags & SF_REQUIRED) ? "" : ", or remove the key");
  else
    snprintf(help, sizeof help, "write a single value%s",
             (k->flags & SF_REQUIRED) ? "" : ", or remove the key");
  if (v->kind != YN_SCALAR)
    error(L, at(v), help, "'%s' takes %s, not %s", k->name,
          k->type == SK_QTY ? units_kind_name(k->unit) : "a single value",
          ynode_kind_name(v));
  else /* an empty value has no place of its own: point at the key */
    error(L, at(key), help, "'%s' has no value", k->name);
  return false;
}

static void load_dist(loader *L, const schema_key *k, const ynode *v,
                      snum *out);

static void load_qty(loader *L, const schema_key *k, const ynode *key,
                     const ynode *v, snum *out) {
  out->present = true;
  out->loc = at(v);
  if (!scalar_value(L, k, key, v))
    return;
  out->text = arena_strndup(L->spec->arena, v->text, v->len);
  double x;
  unit_error ue;
  /* The common quantity ('1ms', '3K') is no distribution: read at once. */
  bool quick = units_parse_quick(v->text, v->len, k->unit, &x);
  if (!quick && units_is_dist(v->text, v->len)) {
    load_dist(L, k, v, out);
    return;
  }
  if (!quick && units_parse(v->text, v->len, k->unit, k->name, &x, &ue) < 0) {
    error(L, at_span(v, ue.offset, ue.len), ue.help[0] ? ue.help : NULL, "%s",
          ue.message);
    return;
  }
  if (!schema_in_range(k, x)) {
    char range[128];
    schema_describe_range(k, range, sizeof range);
    error(L, at(v), k->help, "'%s' must be %s, got '%s'", k->name, range,
          v->text);
    return;
  }
  out->v = x;
  out->set = true;
}

/* A range or distribution (SPEC.md section 8): each value checked like a
 * single one, the spread it stands for (dist.h) truncated to the key's
 * bounds, and the median kept as the spec's point value. */
static void load_dist(loader *L, const schema_key *k, const ynode *v,
                      snum *out) {
  char help[256];
  if (L->section == SEC_TOP || L->section == SEC_SLO ||
      L->section == SEC_BUDGET) {
    snprintf(help, sizeof help,
             "limits are not uncertain: give one value such as '%s'; "
             "Monte Carlo gives the chance the plan keeps it",
             schema_example(k));
    error(L, at(v), help, "'%s' is a limit and cannot be a range", k->name);
    return;
  }
  if (k->flags & SF_INTEGER) {
    snprintf(help, sizeof help,
             "give a whole number such as '%s' (sweep it with 'capplan "
             "sweep' to see each value)",
             schema_example(k));
    error(L, at(v), help, "'%s' takes a whole number and cannot be a range",
          k->name);
    return;
  }
  qdist q;
  unit_error ue;
  if (units_parse_dist(v->text, v->len, k->unit, k->name, &q, &ue) < 0) {
    error(L, at_span(v, ue.offset, ue.len), ue.help[0] ? ue.help : NULL, "%s",
          ue.message);
    return;
  }
  /* Each end (the mean of a normal) must be a value the key takes. */
  static const char *const ends[] = {"the low end", "the high end",
                                     "the third value"};
  for (size_t i = 0; i < q.n; i++) {
    if (q.kind == DIST_NORMAL && i == 1)
      break; /* a standard deviation is a spread, not a value */
    if (schema_in_range(k, q.v[i]))
      continue;
    char range[128];
    schema_describe_range(k, range, sizeof range);
    const char *what = q.kind == DIST_NORMAL       ? "the mean"
                       : q.kind == DIST_TRIANGULAR ? (i == 0   ? "the low end"
                                                      : i == 1 ? "the mode"
                                                               : "the high end")
                                                   : ends[i];
    error(L, at_span(v, q.off[i], q.len[i]), k->help,
          "'%s' must be %s, got '%.*s' (%s of '%s')", k->name, range,
          (int)q.len[i], v->text + q.off[i], what, v->text);
    return;
  }
  dist d = dist_of(&q);
  double inside = dist_bound(&d, k->min, (k->flags & SF_MIN_OPEN) != 0, k->max,
                             (k->flags & SF_MAX_OPEN) != 0);
  char range[128];
  schema_describe_range(k, range, sizeof range);
  if (inside < 0.5 || !schema_in_range(k, dist_median(&d))) {
    snprintf(help, sizeof help,
             "'%s' must be %s; narrow the distribution so most of it is",
             k->name, range);
    error(L, at(v), help,
          "'%s' is %s, but '%s' puts most of its values outside that", k->name,
          range, v->text);
    return;
  }
  if (inside < 0.99)
    capplan_diags_add(L->d, CAPPLAN_WARNING, at(v),
                      "draws outside the key's range are drawn again, so the "
                      "distribution is cut there; narrow it to keep its shape",
                      "%.1f%% of '%s' lies outside what '%s' takes (%s)",
                      100 * (1 - inside), v->text, k->name, range);
  dist *keep = arena_alloc(L->spec->arena, sizeof *keep);
  *keep = d;
  out->dist = keep;
  /* The median of what is drawn: cut to the key's range when it leaves it. */
  out->v = dist_quantile_in(&d, 0.5);
  out->set = true;
}

/* YAML's booleans (the 1.2 core schema): true and false, in three cases. */
static void load_bool(loader *L, const schema_key *k, const ynode *key,
                      const ynode *v, snum *out) {
  out->present = true;
  out->loc = at(v);
  if (!scalar_value(L, k, key, v))
    return;
  out->text = arena_strndup(L->spec->arena, v->text, v->len);
  static const char *const yes[] = {"true", "True", "TRUE"};
  static const char *const no[] = {"false", "False", "FALSE"};
  for (size_t i = 0; i < 3; i++) {
    if (!strcmp(v->text, yes[i]) || !strcmp(v->text, no[i])) {
      out->v = !strcmp(v->text, yes[i]);
      out->set = true;
      return;
    }
  }
  error(L, at(v), "write true or false",
        "'%s' takes true or false, not '%.64s'", k->name, v->text);
}

/* The bytes of a name: islower and isdigit of the C locale (capplan
 * never sets another), '-' and '_'; a table, since the name of every
 * stage passes here. */
static const unsigned char name_byte[256] = {
    ['-'] = 1, ['_'] = 1, ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1,
    ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1,
    ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1,
    ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1,
    ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1,
    ['x'] = 1, ['y'] = 1, ['z'] = 1};

static bool valid_name(const char *s, size_t len) {
  if (len == 0)
    return false;
  for (size_t i = 0; i < len; i++)
    if (!name_byte[(unsigned char)s[i]])
      return false;
  return true;
}

/* Hardware and catalog names may also hold dots (cloud instances such as
 * p5.48xlarge, models such as llama-3.1-8b), though not start with one. */
static bool valid_dotted_name(const char *s, size_t len) {
  if (len == 0 || s[0] == '.')
    return false;
  for (size_t i = 0; i < len; i++)
    if (s[i] != '.' && !valid_name(s + i, 1))
      return false;
  return true;
}

/* Checks a name value; WHAT is "stage", "hardware", "group", "model". */
static bool check_name(loader *L, const ynode *v, const char *what) {
  if (v->len > L->lim->max_name_len) {
    char help[160];
    snprintf(help, sizeof help,
             "names may be at most %zu characters long (CAPPLAN_LIMITS=name=N "
             "raises it)",
             L->lim->max_name_len);
    error(L, at(v), help, "%s name is too long (%zu characters)", what, v->len);
    return false;
  }
  /* WHAT is one of a few literals: its first letter tells (this runs
   * for the name of every stage). */
  bool dots = (what[0] == 'h' && !strcmp(what, "hardware")) ||
              (what[0] == 'm' && !strcmp(what, "model")) ||
              (what[0] == 'a' && !strcmp(what, "accelerator"));
  if (dots ? !valid_dotted_name(v->text, v->len)
           : !valid_name(v->text, v->len)) {
    char s[160], help[256];
    name_slug(v->text, s, sizeof s);
    if (dots) { /* keep the dots: 'Llama-3.1-8B' -> 'llama-3.1-8b' */
      size_t k = 0;
      for (size_t i = 0; i < v->len && k + 1 < sizeof s; i++) {
        char ch = v->text[i];
        ch = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
        if (ch == '.' || valid_name(&ch, 1))
          s[k++] = ch;
        else if (k && s[k - 1] != '-')
          s[k++] = '-';
      }
      while (k && (s[k - 1] == '-' || s[k - 1] == '.'))
        k--;
      s[k] = '\0';
      if (s[0] == '.')
        s[0] = '\0';
    }
    const char *chars = dots ? "lower-case letters, digits, '-', '_' and '.'"
                             : "lower-case letters, digits, '-' and '_'";
    if (s[0])
      snprintf(help, sizeof help, "names use %s, e.g. '%s'", chars, s);
    else
      snprintf(help, sizeof help, "names use %s", chars);
    error(L, at(v), help, "invalid %s name '%.*s'", what,
          (int)(v->len > 64 ? 64 : v->len), v->text);
    return false;
  }
  return true;
}

static void load_string(loader *L, const schema_key *k, const ynode *key,
                        const ynode *v, sstr *out, const char *what) {
  if (!scalar_value(L, k, key, v))
    return;
  if (k->type == SK_NAME && !check_name(L, v, what))
    return;
  if (k->type == SK_ENUM) {
    char choices[64];
    snprintf(choices, sizeof choices, "%s", k->choices);
    const char *names[8];
    size_t n = 0;
    for (char *tok = strtok(choices, "|"); tok && n < 8;
         tok = strtok(NULL, "|"))
      names[n++] = tok;
    for (size_t i = 0; i < n; i++)
      if (!strcmp(names[i], v->text))
        goto ok;
    const char *best = closest_word(v->text, names, n);
    char help[160];
    size_t len =
        (size_t)snprintf(help, sizeof help,
                         "%s%s%s'%s' is one of:", best ? "did you mean '" : "",
                         best ? best : "", best ? "'? " : "", k->name);
    for (size_t i = 0; i < n && len < sizeof help; i++)
      len += (size_t)snprintf(help + len, sizeof help - len, "%s '%s'",
                              i ? "," : "", names[i]);
    error(L, at(v), help, "unknown '%s' value '%s'", k->name, v->text);
    return;
  }
ok:
  out->s = arena_strndup(L->spec->arena, v->text, v->len);
  out->loc = at(v);
}

static void load_names(loader *L, const schema_key *k, const ynode *v,
                       snames *out) {
  out->loc = at(v);
  if (v->kind == YN_MAP || ynode_is_null(v)) {
    error(L, at(v),
          "write a stage name, a list such as [a, b], or [] for an entry "
          "stage",
          "'%s' takes a stage name or a list of names, not %s", k->name,
          ynode_kind_name(v));
    return;
  }
  size_t n = v->kind == YN_SEQ ? v->n : 1;
  out->items = arena_array(L->spec->arena, n, sizeof(sstr));
  out->set = true;
  for (size_t i = 0; i < n; i++) {
    const ynode *item = v->kind == YN_SEQ ? v->kids[i] : v;
    if (item->kind != YN_SCALAR || ynode_is_null(item)) {
      error(L, at(item), "write stage names, such as [a, b]",
            "'%s' lists %s where a stage name belongs", k->name,
            ynode_kind_name(item));
      continue;
    }
    if (!check_name(L, item, "stage"))
      continue;
    sstr *s = &out->items[out->n++];
    s->s = arena_strndup(L->spec->arena, item->text, item->len);
    s->loc = at(item);
  }
}

/* ----------------------------------------------------------- sections */

/* Keys met in one mapping: SEEN[i] is the node of key i; SUGGESTED[i]
 * says an unknown key was probably meant as key i, so its absence is not
 * reported a second time. */
typedef struct keyset {
  const ynode **seen;
  bool *suggested;
  size_t n;
} keyset;

static keyset keyset_new(enum schema_section_id sid) {
  keyset ks;
  ks.n = schema_n_keys(schema_section_get(sid));
  ks.seen = xcalloc(ks.n, sizeof(ynode *));
  ks.suggested = xcalloc(ks.n, sizeof(bool));
  return ks;
}

static void keyset_clear(keyset *ks) {
  memset(ks->seen, 0, ks->n * sizeof(ynode *));
  memset(ks->suggested, 0, ks->n * sizeof(bool));
}

static void keyset_free(keyset *ks) {
  free(ks->seen);
  free(ks->suggested);
}

typedef void (*sub_loader)(loader *L, const schema_key *k, const ynode *v);

/* Reads the key of a mapping pair; NULL (reported) if it is not a word. */
static const char *key_text(loader *L, const ynode *key) {
  if (key->kind != YN_SCALAR || ynode_is_null(key)) {
    error(L, at(key), "keys are plain words such as 'latency'",
          "a key must be a word, not %s", ynode_kind_name(key));
    return NULL;
  }
  return key->text;
}

/* Reports an unknown key; returns the key it was probably meant as. */
static const schema_key *unknown_key(loader *L, const schema_section *s,
                                     const ynode *key, const char *owner) {
  const char *names[48];
  size_t n = 0;
  for (size_t i = 0; i < schema_n_keys(s) && n < ARRAY_LEN(names); i++)
    names[n++] = schema_key_at(s, i)->name;
  const char *best = closest_word(key->text, names, n);
  char help[512];
  if (!strcmp(key->text, "<<")) {
    snprintf(help, sizeof help,
             "YAML merge keys are not supported; use 'defaults' or repeat "
             "the keys");
  } else {
    size_t len = (size_t)snprintf(help, sizeof help, "%s keys are: ", s->title);
    for (size_t i = 0; i < n && len < sizeof help; i++)
      len += (size_t)snprintf(help + len, sizeof help - len, "%s%s",
                              i ? ", " : "", names[i]);
  }
  if (best)
    error(L, at(key), help, "unknown key '%.64s' in %s (did you mean '%s'?)",
          key->text, owner, best);
  else
    error(L, at(key), help, "unknown key '%.64s' in %s", key->text, owner);
  return best ? schema_key_find(s, best) : NULL;
}

/* The index of key K among its section's keys (schema_key_at). */
static size_t key_index(const schema_section *s, const schema_key *k) {
  return (size_t)schema_key_index(s, k->name);
}

/* What a name-valued key names, for messages. */
static const char *name_kind(const schema_key *k) {
  /* Every stage's name passes here: most keys are told by a letter. */
  char c = k->name[0];
  if (c != 'h' && c != 'c' && c != 'a' && c != 'k')
    return "stage";
  if (!strcmp(k->name, "hardware"))
    return "hardware";
  if (!strcmp(k->name, "colocate"))
    return "group";
  if (!strcmp(k->name, "accelerator"))
    return "accelerator";
  if (!strcmp(k->name, "kind"))
    return "workload";
  return "stage";
}

/* Loads one pair KEY: VAL of section S into BASE. */
static void load_pair(loader *L, const schema_section *s, const ynode *key,
                      const ynode *val, void *base, const char *owner,
                      sub_loader sub, keyset *ks) {
  const char *name = key_text(L, key);
  if (!name)
    return;
  long found = key_lookup(L, s, key);
  if (found < 0) {
    const schema_key *meant = unknown_key(L, s, key, owner);
    if (meant)
      ks->suggested[key_index(s, meant)] = true;
    return;
  }
  size_t ki = (size_t)found;
  const schema_key *k = schema_key_at(s, ki);
  if (ks->seen[ki]) {
    char help[96];
    snprintf(help, sizeof help, "the first '%s' is on line %d; keep one", name,
             ks->seen[ki]->loc.line);
    error(L, at(key), help, "duplicate key '%s' in %s", name, owner);
    return;
  }
  ks->seen[ki] = key;
  L->section = (enum schema_section_id)(s - L->sections);
  /* A stage's settings are its own once it writes one (spec.h). */
  if (ki >= s->n_keys && s->policy_by_pointer)
    spec_stage_pol_mut(L->spec, base);
  else if (ki < s->n_keys && k->offset >= s->more_from)
    spec_stage_more_mut(L->spec, base);
  char *field = schema_key_field(s, ki, base);
  switch (k->type) {
  case SK_QTY:
    load_qty(L, k, key, val, (snum *)field);
    break;
  case SK_BOOL:
    load_bool(L, k, key, val, (snum *)field);
    break;
  case SK_STRING:
  case SK_NAME:
  case SK_ENUM:
    load_string(L, k, key, val, (sstr *)field, name_kind(k));
    break;
  case SK_NAMES:
    load_names(L, k, val, (snames *)field);
    break;
  case SK_SECTION:
  case SK_MAP:
  case SK_LIST:
    sub(L, k, val);
    break;
  }
}

/* Walks the pairs of MAP for section SID, storing into BASE.  OWNER names
 * the mapping in messages ("stage 'ranker'", "'traffic'"); SUB loads keys
 * that hold sections, maps and lists. */
static void load_section(loader *L, enum schema_section_id sid,
                         const ynode *map, void *base, const char *owner,
                         sub_loader sub, keyset *ks) {
  const schema_section *s = schema_section_get(sid);
  for (size_t i = 0; i + 1 < map->n; i += 2)
    load_pair(L, s, map->kids[i], map->kids[i + 1], base, owner, sub, ks);
}

/* Reports required keys of SID that KS lacks (and no unknown key was
 * probably meant as), at PLACE. */
static void require_keys(loader *L, enum schema_section_id sid,
                         const keyset *ks, capplan_loc place,
                         const char *owner) {
  const schema_section *s = schema_section_get(sid);
  if (!L->listed[sid]) {
    size_t n = schema_n_keys(s);
    L->required[sid] = xmalloc((n ? n : 1) * sizeof(size_t));
    for (size_t i = 0; i < n; i++)
      if (schema_key_at(s, i)->flags & SF_REQUIRED)
        L->required[sid][L->n_required[sid]++] = i;
    L->listed[sid] = true;
  }
  for (size_t r = 0; r < L->n_required[sid]; r++) {
    size_t i = L->required[sid][r];
    if (ks->seen[i] || ks->suggested[i])
      continue;
    const schema_key *k = schema_key_at(s, i);
    /* A stage's latency is derived by batching, work and llm. */
    if (sid == SEC_STAGE && !strcmp(k->name, "latency") &&
        (L->stage->batching->set || L->stage->work->set || L->stage->llm->set))
      continue;
    /* ... and inherited from a workload by `kind:` (workload.h). */
    if (sid == SEC_STAGE && !strcmp(k->name, "latency") && L->stage->kind.s)
      continue;
    char help[192];
    if (k->type == SK_QTY)
      snprintf(help, sizeof help, "add '%s: %s'", k->name, schema_example(k));
    else if (k->flags & SF_OR_NAME)
      snprintf(help, sizeof help,
               "add '%s: llama-3.1-8b' (a name from 'capplan catalog "
               "models'), or the model's dimensions below '%s:'",
               k->name, k->name);
    else if (k->type == SK_SECTION)
      snprintf(help, sizeof help,
               "add '%s:' with 'qps: 30K' (peak requests per second)", k->name);
    else if (k->type == SK_LIST)
      snprintf(help, sizeof help,
               "add '%s:' with at least one '- name: my-stage' item", k->name);
    else
      snprintf(help, sizeof help, "add '%s: my-stage'", k->name);
    error(L, place, help, "%s has no '%s'", owner, k->name);
  }
}

static bool expect_map(loader *L, const ynode *v, const char *what,
                       const char *help) {
  if (v->kind == YN_MAP)
    return true;
  if (v->kind == YN_SCALAR && !ynode_is_null(v))
    error(L, at(v), help, "%s must be a mapping of keys, not a value ('%.64s')",
          what, v->text);
  else
    error(L, at(v), help, "%s must be a mapping of keys, not %s", what,
          ynode_kind_name(v));
  return false;
}

/* ------------------------------------------------------------ traffic */

static void check_traffic(loader *L, const ynode *node, const keyset *ks) {
  spec_traffic *t = &L->spec->traffic;
  const schema_section *s = schema_section_get(SEC_TRAFFIC);
  bool meant_qps = ks->suggested[schema_key_index(s, "qps")];
  bool meant_dau = ks->suggested[schema_key_index(s, "dau")];
  if (t->qps.present && t->dau.present)
    error(L, t->dau.loc,
          "give 'qps', or 'dau' with 'requests_per_user', "
          "not both",
          "'dau' conflicts with 'qps': both set the traffic");
  else if (!t->qps.present && !t->dau.present && !meant_qps && !meant_dau)
    error(L, at(node),
          "add 'qps: 30K', or 'dau: 500M' with 'requests_per_user: 20/day'",
          "'traffic' has no 'qps' or 'dau'");
  if (t->dau.present && !t->requests_per_user.present)
    error(L, t->dau.loc,
          "add 'requests_per_user: 20/day' (requests per user "
          "per day)",
          "'dau' needs 'requests_per_user'");
  if (t->requests_per_user.present && !t->dau.present)
    error(L, t->requests_per_user.loc, "add 'dau: 500M' (daily active users)",
          "'requests_per_user' needs 'dau'");
  /* Daily figures give the average; sizing for it without a peak factor
   * is rarely meant ('calc qps' says the same). */
  if (t->dau.set && t->requests_per_user.set && !t->qps.present &&
      !t->average_qps.present && !t->peak_to_average.present)
    capplan_diags_add(L->d, CAPPLAN_WARNING, t->dau.loc,
                      "add 'peak_to_average: 3' (seed 004 plans for 300K+ at "
                      "peak on 115K average), or 'peak_to_average: 1' if the "
                      "traffic is flat",
                      "'dau' and 'requests_per_user' give the average "
                      "traffic, and with no 'peak_to_average' the servers "
                      "are sized for the average, not the peak");
  if (!t->average_qps.set)
    return;
  if (t->dau.present) {
    error(L, t->average_qps.loc,
          "with 'dau' the average is dau x requests_per_user / 86,400; "
          "remove 'average_qps'",
          "'average_qps' conflicts with 'dau'");
    return;
  }
  if (t->qps.set && t->average_qps.v > t->qps.v * (1 + 1e-12)) {
    error(L, t->average_qps.loc,
          "the average cannot exceed the peak; check both values",
          "'average_qps' (%s) is above the peak 'qps' (%s)",
          t->average_qps.text, t->qps.text);
    return;
  }
  /* qps / peak_to_average is the average too: when 'average_qps' says
   * otherwise, it wins and the factor does nothing. */
  double implied = t->qps.set && t->peak_to_average.set
                       ? t->qps.v / t->peak_to_average.v
                       : t->average_qps.v;
  if (fabs(implied - t->average_qps.v) > 1e-9 * t->average_qps.v)
    capplan_diags_add(L->d, CAPPLAN_WARNING, t->peak_to_average.loc,
                      "remove 'peak_to_average' or 'average_qps', or make "
                      "them agree: qps / peak_to_average = average_qps",
                      "'peak_to_average' (%s) is ignored: 'average_qps' "
                      "(%s) gives the average, where 'qps' (%s) / "
                      "'peak_to_average' would give %.6g",
                      t->peak_to_average.text, t->average_qps.text, t->qps.text,
                      implied);
}

/* ------------------------------------------------------------- stages */

static void check_memory(loader *L, const snum *memory, const snum *items,
                         const snum *item_size, const char *owner);

/* The accelerator models (SPEC.md section 6): one model per stage, and
 * the keys each cannot take. */
static void check_gpu_models(loader *L, spec_stage *st, const char *owner) {
  const struct {
    bool on;
    capplan_loc loc;
    const char *name;
  } m[] = {
      {st->qps_per_server.present, st->qps_per_server.loc, "qps_per_server"},
      {st->batching->set, st->batching->loc, "batching"},
      {st->work->set, st->work->loc, "work"},
      {st->llm->set, st->llm->loc, "llm"},
  };
  /* Pairs that exclude each other; work takes batching (its batch size). */
  static const int pairs[][2] = {{0, 1}, {0, 2}, {0, 3}, {1, 3}, {2, 3}};
  for (size_t i = 0; i < ARRAY_LEN(pairs); i++) {
    int a = pairs[i][0], b = pairs[i][1];
    if (m[a].on && m[b].on)
      error(L, m[b].loc,
            "a stage's throughput comes from one model: qps_per_server, "
            "batch, batching (with work for its batch time), work or llm",
            "'%s' conflicts with '%s' in %s", m[b].name, m[a].name, owner);
  }
  bool derived = st->batching->set || st->work->set || st->llm->set;
  const char *model = st->llm->set    ? "llm"
                      : st->work->set ? "work"
                                      : "batching";
  if (derived && st->latency.present)
    error(L, st->latency.loc,
          "the model derives the time of a batch; remove 'latency' (explain "
          "shows how it is computed)",
          "'latency' conflicts with '%s' in %s", model, owner);
  if (st->more->batch.present && (st->batching->set || st->llm->set))
    error(L, st->more->batch.loc,
          st->llm->set ? "an llm stage chooses its batch: set 'max_batch' in "
                         "'llm', or slo.tpot and slo.ttft"
                       : "'batching' forms batches from the traffic; set "
                         "'max_batch' in 'batching' instead",
          "'batch' conflicts with '%s' in %s",
          st->llm->set ? "llm" : "batching", owner);
  if (st->more->parallelism.present && (st->work->set || st->llm->set))
    error(L, st->more->parallelism.loc,
          "each GPU of the hardware runs its own batches (an llm replica "
          "spans 'tp' of them); remove 'parallelism'",
          "'parallelism' conflicts with '%s' in %s", model, owner);
  if (st->more->bound.s && derived)
    error(L, st->more->bound.loc,
          "'bound' derives parallelism from CPU cores; remove it",
          "'bound' conflicts with '%s' in %s", model, owner);
  if (st->batching->set && st->work->set && st->batching->time.set)
    error(L, st->batching->time.loc,
          "'work' gives the time of a batch by the roofline; remove 'time'",
          "'time' of 'batching' conflicts with 'work' in %s", owner);
  if (st->batching->set && !st->work->set && !st->batching->time.set &&
      !st->batching->time.loc.line)
    error(L, st->batching->loc,
          "add 'time: {base: 20ms, per_item: 4ms}' (a batch of b takes base "
          "+ per_item x b), or 'work:' to derive it",
          "%s batches with no 'time' for a batch", owner);
  const snum *eff[] = {&st->more->mfu, &st->more->mbu};
  for (size_t i = 0; i < 2; i++)
    if (eff[i]->present && !st->work->set && !st->llm->set)
      error(L, eff[i]->loc,
            "efficiencies scale the roofline of 'work' or 'llm'; remove it",
            "'%s' needs 'work' or 'llm' in %s", i ? "mbu" : "mfu", owner);
}

static void check_stage(loader *L, spec_stage *st, const char *owner) {
  const snum *tp[] = {&st->more->batch, &st->more->parallelism};
  const char *tpn[] = {"batch", "parallelism"};
  if (st->qps_per_server.present) {
    for (size_t i = 0; i < 2; i++)
      if (tp[i]->present)
        error(L, tp[i]->loc,
              "give 'qps_per_server', or derive it from 'batch', 'latency' "
              "and 'parallelism', not both",
              "'%s' conflicts with 'qps_per_server' in %s", tpn[i], owner);
    if (st->more->bound.s)
      error(L, st->more->bound.loc,
            "'bound' derives parallelism; remove it or 'qps_per_server'",
            "'bound' conflicts with 'qps_per_server' in %s", owner);
  }
  if (st->more->parallelism.present && st->more->bound.s)
    error(L, st->more->bound.loc,
          "'bound' derives parallelism from the hardware's cores; give one of "
          "them",
          "'bound' conflicts with 'parallelism' in %s", owner);
  check_gpu_models(L, st, owner);
  if (st->more->join.s && (!st->after.set || st->after.n < 2))
    error(L, st->more->join.loc,
          "list the upstream stages, e.g. 'after: [a, b]', or remove 'join'",
          "'join' needs at least two stages in 'after'");
  check_memory(L, &st->more->memory, &st->more->items, &st->more->item_size,
               owner);
  if (st->more->replicas.present && !st->more->memory.present &&
      !st->more->items.present)
    error(L, st->more->replicas.loc,
          "'replicas' counts copies of the data in 'memory' (or 'items' x "
          "'item_size'); add one, or remove 'replicas'",
          "'replicas' needs 'memory' or 'items' in %s", owner);
  if (st->more->memory_on.s && !st->more->memory.present &&
      !st->more->items.present)
    error(L, st->more->memory_on.loc,
          "'memory_on' says where the data in 'memory' lives; add "
          "'memory', or remove 'memory_on'",
          "'memory_on' needs 'memory' or 'items' in %s", owner);
  if (st->cache->set && !st->more->cache_hit.present)
    error(L, st->cache->loc,
          "add 'cache_hit: 80%' (the share of lookups the cache answers)",
          "a cache tier needs 'cache_hit' in %s", owner);
}

/* 'memory', or 'items' with 'item_size' (FORMULAS.md section 8). */
static void check_memory(loader *L, const snum *memory, const snum *items,
                         const snum *item_size, const char *owner) {
  if (memory->present && items->present)
    error(L, items->loc,
          "give 'memory' (bytes), or 'items' with 'item_size', not both",
          "'items' conflicts with 'memory' in %s", owner);
  else if (items->present && !item_size->present)
    error(L, items->loc, "add 'item_size: 512B' (bytes of one item)",
          "'items' needs 'item_size' in %s", owner);
  if (item_size->present && !items->present)
    error(L, item_size->loc, "add 'items: 1B' (how many items are kept)",
          "'item_size' needs 'items' in %s", owner);
}

/* ------------------------------------------------- a stage's sections */

/* Zero, hence unset: what a stage that does not write the section reads.
 * Const objects, so a write through one faults rather than leaking into
 * every other stage. */
const spec_cache spec_no_cache = {.set = false};
const spec_stage_slo spec_no_stage_slo = {.set = false};
const spec_batching spec_no_batching = {.set = false};
const spec_work spec_no_work = {.set = false};
const spec_llm spec_no_llm = {.set = false};
const spec_policy spec_no_policy = {.utilization.set = false};
const spec_stage_more spec_no_more = {.calls.set = false};

void spec_stage_init(spec_stage *st) {
  st->cache = &spec_no_cache;
  st->slo = &spec_no_stage_slo;
  st->batching = &spec_no_batching;
  st->work = &spec_no_work;
  st->llm = &spec_no_llm;
  st->pol = &spec_no_policy;
  st->more = &spec_no_more;
}

/* The section *SLOT of a stage, allocated zeroed in SPEC's arena when it
 * is still the shared NONE.  The stage's own is writable: arena memory,
 * held through a pointer to const only so readers cannot write it. */
static void *section_mut(capplan_spec *spec, const void *slot, const void *none,
                         size_t size) {
  return slot == none ? arena_alloc(spec->arena, size) : (void *)slot;
}

spec_cache *spec_stage_cache_mut(capplan_spec *spec, spec_stage *st) {
  spec_cache *c = section_mut(spec, st->cache, &spec_no_cache, sizeof *c);
  st->cache = c;
  return c;
}

spec_stage_slo *spec_stage_slo_mut(capplan_spec *spec, spec_stage *st) {
  spec_stage_slo *o = section_mut(spec, st->slo, &spec_no_stage_slo, sizeof *o);
  st->slo = o;
  return o;
}

spec_batching *spec_stage_batching_mut(capplan_spec *spec, spec_stage *st) {
  spec_batching *b =
      section_mut(spec, st->batching, &spec_no_batching, sizeof *b);
  st->batching = b;
  return b;
}

spec_work *spec_stage_work_mut(capplan_spec *spec, spec_stage *st) {
  spec_work *w = section_mut(spec, st->work, &spec_no_work, sizeof *w);
  st->work = w;
  return w;
}

spec_policy *spec_stage_pol_mut(capplan_spec *spec, spec_stage *st) {
  spec_policy *p = section_mut(spec, st->pol, &spec_no_policy, sizeof *p);
  st->pol = p;
  return p;
}

spec_stage_more *spec_stage_more_mut(capplan_spec *spec, spec_stage *st) {
  spec_stage_more *m = section_mut(spec, st->more, &spec_no_more, sizeof *m);
  st->more = m;
  return m;
}

spec_llm *spec_stage_llm_mut(capplan_spec *spec, spec_stage *st) {
  spec_llm *m = section_mut(spec, st->llm, &spec_no_llm, sizeof *m);
  st->llm = m;
  return m;
}

/* A stage's 'slo:'. */
static void load_stage_slo(loader *L, const schema_key *k, const ynode *v) {
  spec_stage_slo *o = spec_stage_slo_mut(L->spec, L->stage);
  char what[64], owner[256];
  snprintf(what, sizeof what, "'%s'", k->name);
  snprintf(owner, sizeof owner, "the slo of %s",
           L->stage->name.s ? L->stage->name.s : "a stage");
  o->loc = at(v);
  if (!expect_map(L, v, what,
                  "write the objectives indented below 'slo:', e.g. "
                  "'latency_p99: 50ms'"))
    return;
  o->set = true;
  keyset ks = keyset_new(SEC_STAGE_SLO);
  load_section(L, SEC_STAGE_SLO, v, o, owner, NULL, &ks);
  keyset_free(&ks);
}

static void load_cache(loader *L, const schema_key *k, const ynode *v);

/* A nested section of the stage being loaded, KEY: V, into *SET and
 * *LOC; false when V is not a mapping (reported). */
static bool open_section(loader *L, const schema_key *k, const ynode *v,
                         const char *example, bool *set, capplan_loc *loc) {
  char what[64], help[192];
  snprintf(what, sizeof what, "'%s'", k->name);
  snprintf(help, sizeof help, "write the keys indented below '%s:', e.g. %s",
           k->name, example);
  *loc = at(v);
  if (!expect_map(L, v, what, help))
    return false;
  *set = true;
  return true;
}

/* The owner of a stage's section in messages: "the batching of stage
 * 'ranker'". */
static void section_owner(loader *L, const char *what, char *buf, size_t size) {
  if (L->stage->name.s)
    snprintf(buf, size, "the %s of stage '%s'", what, L->stage->name.s);
  else
    snprintf(buf, size, "the %s of a stage", what);
}

/* 'time:' of a stage's batching. */
static void load_batching_sub(loader *L, const schema_key *k, const ynode *v) {
  struct spec_batch_time *t = &spec_stage_batching_mut(L->spec, L->stage)->time;
  if (!open_section(L, k, v, "'base: 20ms' and 'per_item: 4ms'", &t->set,
                    &t->loc))
    return;
  char owner[256];
  section_owner(L, "batch time", owner, sizeof owner);
  keyset ks = keyset_new(SEC_BATCH_TIME);
  load_section(L, SEC_BATCH_TIME, v, t, owner, NULL, &ks);
  keyset_free(&ks);
  bool valid = (!t->base.present || t->base.set) &&
               (!t->per_item.present || t->per_item.set);
  if ((t->base.present || t->per_item.present) && valid && t->base.v == 0 &&
      t->per_item.v == 0)
    error(L, t->loc,
          "a batch takes some time: give 'base' or 'per_item' "
          "above 0",
          "%s is zero", owner);
  else if (!t->base.present && !t->per_item.present)
    error(L, t->loc,
          "add 'base: 20ms' (a batch's fixed time) and/or "
          "'per_item: 4ms' (each request's)",
          "%s has neither 'base' nor 'per_item'", owner);
}

/* A model's experts as llm.c takes them (llm_weights_read): both keys
 * or neither, fewer taken than there are, and active_params the shared
 * weights plus the experts taken, so active / params >= taken / experts
 * (catalog_file.c checks a catalog's models the same way). */
static void load_experts(loader *L, const struct spec_llm_model *m) {
  const snum *e = &m->experts, *k = &m->experts_active;
  if (!e->set && !k->set)
    return;
  if (!e->set || !k->set) {
    const snum *at_k = e->set ? e : k;
    error(L, at_k->loc,
          "give both 'experts' (per layer) and 'experts_active' (taken by "
          "each token)",
          "'%s' without '%s'", e->set ? "experts" : "experts_active",
          e->set ? "experts_active" : "experts");
    return;
  }
  if (!(k->v < e->v)) {
    error(L, k->loc, "a token takes fewer experts than there are",
          "'experts_active' (%s) is not less than 'experts' (%s)", k->text,
          e->text);
    return;
  }
  double p = m->params.v;
  double a = m->active_params.set ? m->active_params.v : p;
  if (m->params.set && !(a < p && a * e->v >= k->v * p))
    error(L, m->active_params.set ? m->active_params.loc : k->loc,
          "'active_params' is the shared weights plus 'experts_active' "
          "experts, so active_params / params is at least experts_active / "
          "experts and below 1",
          "%s of %s experts a token cannot be %s of %s parameters", k->text,
          e->text, m->active_params.set ? m->active_params.text : "all",
          m->params.text);
}

/* 'model:' of a stage's llm: a catalog name, or a map of dimensions. */
static void load_llm_sub(loader *L, const schema_key *k, const ynode *v) {
  spec_llm *m = spec_stage_llm_mut(L->spec, L->stage);
  if (v->kind == YN_SCALAR && !ynode_is_null(v)) {
    if (!check_name(L, v, "model"))
      return;
    m->model_name.s = arena_strndup(L->spec->arena, v->text, v->len);
    m->model_name.loc = at(v);
    return;
  }
  if (v->kind != YN_MAP) {
    error(L, at(v),
          "write a catalog name such as 'llama-3.1-8b' ('capplan catalog "
          "models'), or the model's dimensions indented below 'model:'",
          "'%s' takes a model name or a mapping, not %s", k->name,
          ynode_kind_name(v));
    return;
  }
  m->model.loc = at(v);
  m->model.set = true;
  char owner[256];
  section_owner(L, "llm model", owner, sizeof owner);
  keyset ks = keyset_new(SEC_LLM_MODEL);
  load_section(L, SEC_LLM_MODEL, v, &m->model, owner, NULL, &ks);
  require_keys(L, SEC_LLM_MODEL, &ks, m->model.loc, owner);
  keyset_free(&ks);
  if (m->model.active_params.set && m->model.params.set &&
      m->model.active_params.v > m->model.params.v)
    error(L, m->model.active_params.loc,
          "active parameters are those a token passes through, a part of "
          "'params'",
          "'active_params' (%s) is more than 'params' (%s)",
          m->model.active_params.text, m->model.params.text);
  load_experts(L, &m->model);
}

/* 'cache:', 'slo:', 'batching:', 'work:' or 'llm:' of the stage being
 * loaded. */
static void load_stage_sub(loader *L, const schema_key *k, const ynode *v) {
  spec_stage *st = L->stage;
  char owner[256];
  keyset ks;
  switch (k->section) {
  case SEC_BATCHING: {
    spec_batching *b = spec_stage_batching_mut(L->spec, st);
    if (!open_section(L, k, v, "'window: 10ms' and 'max_batch: 64'", &b->set,
                      &b->loc))
      return;
    section_owner(L, "batching", owner, sizeof owner);
    ks = keyset_new(SEC_BATCHING);
    load_section(L, SEC_BATCHING, v, b, owner, load_batching_sub, &ks);
    require_keys(L, SEC_BATCHING, &ks, b->loc, owner);
    keyset_free(&ks);
    return;
  }
  case SEC_WORK: {
    spec_work *w = spec_stage_work_mut(L->spec, st);
    if (!open_section(L, k, v, "'flops_per_item: 2GFLOP'", &w->set, &w->loc))
      return;
    section_owner(L, "work", owner, sizeof owner);
    ks = keyset_new(SEC_WORK);
    load_section(L, SEC_WORK, v, w, owner, NULL, &ks);
    keyset_free(&ks);
    if (!w->flops_per_item.present && !w->bytes_per_batch.present &&
        !w->bytes_per_item.present)
      error(L, w->loc,
            "add 'flops_per_item' (arithmetic of one item) and/or "
            "'bytes_per_batch' and 'bytes_per_item' (memory traffic)",
            "%s gives neither FLOPs nor bytes", owner);
    else if (w->flops_per_item.v == 0 && w->bytes_per_batch.v == 0 &&
             w->bytes_per_item.v == 0 &&
             w->flops_per_item.set + w->bytes_per_batch.set +
                     w->bytes_per_item.set ==
                 w->flops_per_item.present + w->bytes_per_batch.present +
                     w->bytes_per_item.present)
      error(L, w->loc, "give the work some FLOPs or bytes above 0",
            "%s is zero", owner);
    return;
  }
  case SEC_STAGE_SLO:
    load_stage_slo(L, k, v);
    return;
  case SEC_LLM: {
    spec_llm *m = spec_stage_llm_mut(L->spec, st);
    if (!open_section(L, k, v,
                      "'model: llama-3.1-8b', 'prompt_tokens: 1500' and "
                      "'output_tokens: 300'",
                      &m->set, &m->loc))
      return;
    section_owner(L, "llm", owner, sizeof owner);
    ks = keyset_new(SEC_LLM);
    load_section(L, SEC_LLM, v, m, owner, load_llm_sub, &ks);
    require_keys(L, SEC_LLM, &ks, m->loc, owner);
    keyset_free(&ks);
    return;
  }
  default:
    load_cache(L, k, v);
    return;
  }
}

/* 'cache:' of the stage being loaded. */
static void load_cache(loader *L, const schema_key *k, const ynode *v) {
  spec_cache *c = spec_stage_cache_mut(L->spec, L->stage);
  char what[64], owner[256];
  snprintf(what, sizeof what, "'%s'", k->name);
  snprintf(owner, sizeof owner, "the cache of %s",
           L->stage->name.s ? L->stage->name.s : "a stage");
  c->loc = at(v);
  if (!expect_map(L, v, what,
                  "write the cache's keys indented below 'cache:', e.g. "
                  "'qps_per_server: 50K' and 'latency: 1ms'"))
    return;
  c->set = true;
  keyset ks = keyset_new(SEC_CACHE);
  load_section(L, SEC_CACHE, v, c, owner, NULL, &ks);
  require_keys(L, SEC_CACHE, &ks, c->loc, owner);
  keyset_free(&ks);
  check_memory(L, &c->memory, &c->items, &c->item_size, owner);
  if (c->replicas.present && !c->memory.present && !c->items.present)
    error(L, c->replicas.loc,
          "'replicas' counts copies of 'memory'; add 'memory' or 'items'",
          "'replicas' needs 'memory' or 'items' in %s", owner);
}

/* PREFIX followed by the number N into BUF (SIZE >= 32): what
 * snprintf("%s%zu") writes, without printf, once per stage of a
 * 100,000-stage spec. */
static void numbered(char *buf, size_t size, const char *prefix, size_t n) {
  size_t k = strlen(prefix);
  if (k + 24 > size)
    k = 0;
  memcpy(buf, prefix, k);
  char tmp[24];
  size_t d = 0;
  do {
    tmp[d++] = (char)('0' + n % 10);
    n /= 10;
  } while (n);
  while (d)
    buf[k++] = tmp[--d];
  buf[k] = '\0';
}

/* strcmp(TEXT, "name") == 0, inline: TEXT is every stage key.  No byte
 * past TEXT's NUL is read. */
static bool is_name_key(const char *t) {
  return t[0] == 'n' && t[1] == 'a' && t[2] == 'm' && t[3] == 'e' && !t[4];
}

/* The stage's name if it is valid, so messages can say which stage they
 * are about; else the raw text is kept for the graph (see spec.h). */
static bool peek_name(loader *L, const ynode *item, spec_stage *st, char *owner,
                      size_t size) {
  for (size_t j = 0; j + 1 < item->n; j += 2) {
    const ynode *key = item->kids[j], *val = item->kids[j + 1];
    if (key->kind != YN_SCALAR || !is_name_key(key->text) ||
        val->kind != YN_SCALAR || ynode_is_null(val))
      continue;
    if (valid_name(val->text, val->len) && val->len <= L->lim->max_name_len &&
        val->len + 9 <= size) {
      memcpy(owner, "stage '", 7);
      memcpy(owner + 7, val->text, val->len);
      memcpy(owner + 7 + val->len, "'", 2);
      return true;
    }
    st->invalid_name = arena_strndup(L->spec->arena, val->text, val->len);
    return false;
  }
  return false;
}

static void load_stages(loader *L, const schema_key *k, const ynode *v) {
  capplan_spec *spec = L->spec;
  spec->stages_loc = at(v);
  if (v->kind != YN_SEQ) {
    error(L, at(v), "write each stage as a list item starting with '- name:'",
          "'%s' must be a list of stages, not %s", k->name, ynode_kind_name(v));
    return;
  }
  if (v->n > L->lim->max_stages) {
    char help[160];
    snprintf(help, sizeof help,
             "a spec may have at most %zu stages (CAPPLAN_LIMITS=stages=N "
             "raises it)",
             L->lim->max_stages);
    error(L, at(v), help, "the spec has too many stages (%zu)", v->n);
    return;
  }
  /* Not cleared in advance: each record is cleared as it is filled, and
   * only those filled are read (n_stages); a 100,000-stage spec's records
   * are 33 MB.  Freed by capplan_spec_free. */
  spec->stages = xmalloc(v->n * sizeof(spec_stage));
  keyset ks = keyset_new(SEC_STAGE);
  for (size_t i = 0; i < v->n; i++) {
    const ynode *item = v->kids[i];
    char owner[192];
    if (item->kind != YN_MAP) {
      char what[64];
      numbered(what, sizeof what, "stage ", i + 1);
      expect_map(L, item, what,
                 item->kind == YN_SCALAR && valid_name(item->text, item->len)
                     ? "write '- name: ...' with the stage's keys below"
                     : "write a stage as '- name: my-stage' with its "
                       "keys below");
      continue;
    }
    spec_stage *st = &spec->stages[spec->n_stages++];
    memset(st, 0, sizeof *st);
    spec_stage_init(st);
    st->loc = at(item);
    keyset_clear(&ks);
    /* "stage 'NAME'" when the name is valid, else "stage N" */
    if (!peek_name(L, item, st, owner, sizeof owner))
      numbered(owner, sizeof owner, "stage ", i + 1);
    L->stage = st;
    load_section(L, SEC_STAGE, item, st, owner, load_stage_sub, &ks);
    require_keys(L, SEC_STAGE, &ks, st->loc, owner);
    check_stage(L, st, owner);
  }
  keyset_free(&ks);
  if (v->n == 0)
    error(L, at(v), "add at least one stage with a name and a latency",
          "'stages' is empty");
}

/* --------------------------------------------------- hardware, groups */

/* 'flops:' of the hardware being loaded: dense peaks by dtype. */
static void load_hw_sub(loader *L, const schema_key *k, const ynode *v) {
  spec_flops *f = &L->hw->flops;
  char what[64], owner[256];
  snprintf(what, sizeof what, "'%s'", k->name);
  snprintf(owner, sizeof owner, "the flops of hardware '%s'",
           L->hw->name.s ? L->hw->name.s : "");
  f->loc = at(v);
  if (!expect_map(L, v, what,
                  "write one dtype per line below 'flops:', e.g. 'fp16: "
                  "312TFLOPS'"))
    return;
  f->set = true;
  keyset ks = keyset_new(SEC_HW_FLOPS);
  load_section(L, SEC_HW_FLOPS, v, f, owner, NULL, &ks);
  keyset_free(&ks);
}

static void load_named_map(loader *L, const schema_key *k, const ynode *v,
                           enum schema_section_id sid) {
  capplan_spec *spec = L->spec;
  const schema_section *s = schema_section_get(sid);
  char help[160], what[32];
  snprintf(help, sizeof help,
           "write '%s:' then one '<name>:' per %s, with its keys below",
           k->name, s->title);
  snprintf(what, sizeof what, "'%s'", k->name);
  if (!expect_map(L, v, what, help))
    return;
  size_t n = v->n / 2;
  void *items = arena_array(spec->arena, n,
                            sid == SEC_GROUP ? sizeof(spec_group)
                                             : sizeof(spec_hardware));
  size_t count = 0;
  strmap names;
  strmap_init(&names);
  keyset ks = keyset_new(sid);
  for (size_t i = 0; i + 1 < v->n; i += 2) {
    const ynode *key = v->kids[i], *val = v->kids[i + 1];
    if (!key_text(L, key) || !check_name(L, key, s->title))
      continue;
    size_t first;
    if (!strmap_put(&names, key->text, i, &first)) {
      char h[96];
      snprintf(h, sizeof h, "the first '%s' is on line %d; merge them",
               key->text, v->kids[first]->loc.line);
      error(L, at(key), h, "duplicate %s '%s'", s->title, key->text);
      continue;
    }
    char owner[192];
    snprintf(owner, sizeof owner, "%s '%s'", s->title, key->text);
    if (!expect_map(L, val, owner, "write its keys below it, indented"))
      continue;
    keyset_clear(&ks);
    sstr name = {arena_strndup(spec->arena, key->text, key->len), at(key)};
    if (sid == SEC_GROUP) {
      spec_group *g = (spec_group *)items + count++;
      g->name = name;
      g->loc = at(key);
      load_section(L, sid, val, g, owner, NULL, &ks);
    } else {
      spec_hardware *h = (spec_hardware *)items + count++;
      h->name = name;
      h->loc = at(key);
      L->hw = h;
      load_section(L, sid, val, h, owner, load_hw_sub, &ks);
    }
  }
  keyset_free(&ks);
  strmap_release(&names);
  if (sid == SEC_GROUP) {
    spec->groups = items;
    spec->n_groups = count;
  } else {
    spec->hardware = items;
    spec->n_hardware = count;
  }
}

/* ---------------------------------------------------------- top level */

static void load_sub(loader *L, const schema_key *k, const ynode *v) {
  capplan_spec *spec = L->spec;
  const schema_section *sec = schema_section_get(k->section);
  if (k->type == SK_LIST) {
    load_stages(L, k, v);
    return;
  }
  if (k->type == SK_MAP) {
    load_named_map(L, k, v, k->section);
    return;
  }
  char what[64], help[128];
  snprintf(what, sizeof what, "'%s'", k->name);
  snprintf(help, sizeof help, "write the %s keys indented below '%s:'",
           sec->title, k->name);
  if (!expect_map(L, v, what, help))
    return;
  void *base = k->section == SEC_TRAFFIC  ? (void *)&spec->traffic
               : k->section == SEC_SLO    ? (void *)&spec->slo
               : k->section == SEC_BUDGET ? (void *)&spec->budget
                                          : (void *)&spec->defaults;
  keyset ks = keyset_new(k->section);
  load_section(L, k->section, v, base, what, NULL, &ks);
  if (k->section == SEC_TRAFFIC) {
    spec->traffic.set = true;
    spec->traffic.loc = at(v);
    check_traffic(L, v, &ks);
  }
  keyset_free(&ks);
}

enum version { V_ONE, V_MISSING, V_OTHER };

/* Checks 'capplan: 1'.  A missing version is reported and the rest is
 * still checked as format 1; another version stops the checks, since a
 * spec of another format is not ours to judge. */
static enum version check_version(loader *L, const ynode *root) {
  const ynode *val = NULL;
  for (size_t i = 0; i + 1 < root->n && !val; i += 2) {
    const ynode *key = root->kids[i];
    if (key->kind == YN_SCALAR && !strcmp(key->text, "capplan"))
      val = root->kids[i + 1];
  }
  const capplan_loc nowhere = {0, 0, 0};
  if (!val) {
    error(L, nowhere,
          "add 'capplan: 1' as the first line (the spec format version)",
          "the spec has no 'capplan' format version");
    return V_MISSING;
  }
  if (val->kind == YN_SCALAR && !strcmp(val->text, "1")) {
    L->spec->version.v = 1;
    L->spec->version.set = L->spec->version.present = true;
    L->spec->version.loc = at(val);
    return V_ONE;
  }
  error(L, at(val), "this capplan reads format version 1: 'capplan: 1'",
        "unsupported spec format version '%.32s'",
        val->kind == YN_SCALAR ? val->text : ynode_kind_name(val));
  return V_OTHER;
}

static void load_top(loader *L, const ynode *root) {
  const capplan_loc nowhere = {0, 0, 0};
  if (!root || ynode_is_null(root)) {
    error(L, nowhere,
          "start with 'capplan: 1', then 'traffic:' and 'stages:'; see "
          "docs/spec.md or specs/youtube.yaml",
          "the spec is empty");
    return;
  }
  if (!expect_map(L, root, "the spec",
                  "a spec is a mapping with 'capplan: 1', 'traffic:' and "
                  "'stages:'"))
    return;
  if (check_version(L, root) == V_OTHER)
    return;
  const schema_section *s = schema_section_get(SEC_TOP);
  keyset ks = keyset_new(SEC_TOP);
  for (size_t i = 0; i + 1 < root->n; i += 2) {
    const ynode *key = root->kids[i];
    if (key->kind == YN_SCALAR && !strcmp(key->text, "capplan")) {
      if (ks.seen[0])
        error(L, at(key), "keep one 'capplan: 1'", "duplicate key 'capplan'");
      ks.seen[0] = key;
      continue;
    }
    load_pair(L, s, key, root->kids[i + 1], L->spec, "the spec", load_sub, &ks);
  }
  ks.seen[0] = root; /* reported by check_version if missing */
  require_keys(L, SEC_TOP, &ks, nowhere, "the spec");
  keyset_free(&ks);
}

/* The spec's name when it gives none: the file name without directory and
 * extension. */
static const char *default_name(capplan_spec *spec) {
  const char *p = spec->src->path;
  if (!strcmp(p, "-"))
    return "stdin";
  const char *slash = strrchr(p, '/');
  if (slash)
    p = slash + 1;
  const char *dot = strrchr(p, '.');
  size_t n = dot && dot != p ? (size_t)(dot - p) : strlen(p);
  return arena_strndup(spec->arena, p, n);
}

capplan_spec *capplan_spec_load(const capplan_source *src,
                                const capplan_limits *limits,
                                capplan_diags *d) {
  return spec_load(src, limits, d, false);
}

capplan_spec *spec_load(const capplan_source *src, const capplan_limits *limits,
                        capplan_diags *d, bool partial) {
  capplan_limits deflim = capplan_limits_default();
  if (!limits)
    limits = &deflim;
  size_t errors = d->errors;
  ytree *tree = ytree_parse(src, limits, d);
  if (!tree)
    return NULL;
  capplan_spec *spec = xcalloc(1, sizeof *spec);
  spec->src = src;
  spec->arena = arena_new();
  loader L;
  memset(&L, 0, sizeof L);
  L.spec = spec;
  L.src = src;
  L.lim = limits;
  L.d = d;
  L.sections = schema_section_get(SEC_TOP);
  load_top(&L, ytree_root(tree));
  ytree_free(tree);
  for (size_t i = 0; i < SEC_COUNT; i++) {
    free(L.index[i]);
    free(L.required[i]);
  }
  if (!spec->name.s)
    spec->name.s = default_name(spec);
  if (d->errors > errors && (!partial || !spec->version.set)) {
    capplan_spec_free(spec);
    return NULL;
  }
  return spec;
}

bool spec_read_stage_value(capplan_spec *spec, const char *name,
                           const char *text, capplan_loc loc, capplan_diags *d,
                           snum *out) {
  const schema_key *k = schema_key_get(SEC_STAGE, name);
  capplan_limits lim = capplan_limits_default();
  loader L;
  memset(&L, 0, sizeof L);
  L.spec = spec;
  L.src = spec->src;
  L.lim = &lim;
  L.d = d;
  L.sections = schema_section_get(SEC_TOP);
  L.section = SEC_STAGE;
  ynode v;
  memset(&v, 0, sizeof v);
  v.kind = YN_SCALAR;
  v.plain = true;
  v.text = text;
  v.len = strlen(text);
  v.loc = loc;
  /* Not written at LOC: a message marks the place, not a span of TEXT. */
  v.loc.len = 1;
  size_t errors = d->errors;
  snum read;
  memset(&read, 0, sizeof read);
  load_qty(&L, k, &v, &v, &read);
  if (d->errors > errors || !read.set)
    return false;
  *out = read;
  return true;
}

void capplan_spec_free(capplan_spec *spec) {
  if (!spec)
    return;
  arena_free(spec->arena);
  free(spec->stages);
  free(spec);
}

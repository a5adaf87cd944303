/*
 * graph.c - spec model -> resolved stage graph (see graph.h).
 *
 * Resolution order: hardware (catalog, then the spec's additions and
 * overrides), stage names, `after` links, each stage's effective settings,
 * colocation groups, and last the topological order, which also finds
 * cycles.  Everything is iterative: a 100,000-stage chain needs no deep
 * C stack.
 */
#include "graph.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "schema.h"
#include "strmap.h"

typedef struct builder {
  capplan_graph *g;
  const capplan_spec *spec;
  capplan_diags *d;
  strmap stages, hw, invalid;
  size_t *seen; /* for each stage, the last stage that listed it in 'after' */
  /* A stage or group takes survive_zone_loss and zones both from
   * 'defaults', which gives fewer than 2 zones. */
  bool defaults_zones_used;
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

static void build_hardware(builder *b) {
  capplan_graph *g = b->g;
  size_t n_cat;
  const hw_entry *cat = catalog_hardware(&n_cat);
  g->hw = arena_array(g->arena, n_cat + b->spec->n_hardware, sizeof(ghw));
  for (size_t i = 0; i < n_cat; i++) {
    ghw *h = &g->hw[g->n_hw++];
    h->name = cat[i].name;
    h->cores = cat[i].cores;
    h->memory = cat[i].memory;
    h->gpus = cat[i].gpus;
    h->gpu_memory = cat[i].gpu_memory;
    h->cost_per_year = cat[i].cost_per_year;
    h->availability = cat[i].availability;
    strmap_put(&b->hw, h->name, i, NULL);
  }
  for (size_t i = 0; i < b->spec->n_hardware; i++) {
    const spec_hardware *s = &b->spec->hardware[i];
    size_t at;
    ghw *h;
    if (strmap_get(&b->hw, s->name.s, &at)) {
      h = &g->hw[at]; /* override only the fields given */
    } else {
      if (!s->cost.present) {
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
      h = &g->hw[g->n_hw];
      h->name = s->name.s;
      strmap_put(&b->hw, h->name, g->n_hw, NULL);
      g->n_hw++;
    }
    set_if(&h->cores, &s->cores);
    set_if(&h->memory, &s->memory);
    set_if(&h->gpus, &s->gpus);
    set_if(&h->gpu_memory, &s->gpu_memory);
    set_if(&h->cost_per_year, &s->cost);
    if (s->cost.set)
      h->cost_text = s->cost.text;
    set_if(&h->availability, &s->availability);
  }
}

static const ghw *find_hw(builder *b, const char *name, capplan_loc loc,
                          const char *who) {
  size_t at;
  if (strmap_get(&b->hw, name, &at))
    return &b->g->hw[at];
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
  return NULL;
}

/* -------------------------------------------------------------- stages */

static void name_stages(builder *b) {
  const capplan_spec *spec = b->spec;
  for (size_t i = 0; i < spec->n_stages; i++) {
    const spec_stage *st = &spec->stages[i];
    b->g->nodes[i].st = st;
    if (!st->name.s) {
      /* Only in a spec with errors (see spec_load): a label for messages
       * that no 'after' can name. */
      char label[32];
      snprintf(label, sizeof label, "#%zu", i + 1);
      b->g->nodes[i].name = arena_strdup(b->g->arena, label);
      continue;
    }
    b->g->nodes[i].name = st->name.s;
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
  capplan_graph *g = b->g;
  for (size_t i = 0; i < g->n; i++) {
    g->nodes[i].fallback = -1;
    g->nodes[i].async =
        spec->stages[i].async.set && spec->stages[i].async.v != 0;
  }
  for (size_t i = 0; i < g->n; i++) {
    const spec_stage *st = &spec->stages[i];
    gnode *nd = &g->nodes[i];
    if (!st->fallback.s)
      continue;
    size_t f;
    if (!strmap_get(&b->stages, st->fallback.s, &f)) {
      const char **names = xmalloc((g->n + 1) * sizeof(char *));
      size_t n = 0;
      for (size_t j = 0; j < spec->n_stages; j++)
        if (spec->stages[j].name.s)
          names[n++] = spec->stages[j].name.s;
      char hint[96];
      suggest(st->fallback.s, names, n, hint, sizeof hint);
      free(names);
      capplan_diags_add(b->d, CAPPLAN_ERROR, st->fallback.loc,
                        "'fallback' names another stage of this spec",
                        "stage '%s' falls back to unknown stage '%s'%s",
                        nd->name, st->fallback.s, hint);
      continue;
    }
    if (f == i) {
      capplan_diags_add(b->d, CAPPLAN_ERROR, st->fallback.loc,
                        "name another stage, one that can serve these "
                        "requests while this one is down",
                        "stage '%s' falls back to itself", nd->name);
      continue;
    }
    nd->fallback = (long)f;
    g->nodes[f].standby = true;
  }
  for (size_t i = 0; i < g->n; i++) {
    const gnode *nd = &g->nodes[i];
    const spec_stage *st = &spec->stages[i];
    if (nd->fallback >= 0 && nd->standby)
      capplan_diags_add(b->d, CAPPLAN_ERROR, st->fallback.loc,
                        "a fallback stands in for another stage and has no "
                        "fallback of its own",
                        "stage '%s' is a fallback and cannot have one",
                        nd->name);
    if (nd->standby && st->colocate.s)
      capplan_diags_add(b->d, CAPPLAN_ERROR, st->colocate.loc,
                        "a fallback is sized and counted on its own; remove "
                        "'colocate'",
                        "fallback stage '%s' cannot be colocated", nd->name);
    if (nd->async && nd->fallback >= 0)
      capplan_diags_add(b->d, CAPPLAN_ERROR, st->fallback.loc,
                        "no request waits for an async stage, so nothing "
                        "needs to stand in for it; remove 'fallback'",
                        "async stage '%s' cannot have a fallback", nd->name);
    if (nd->async && nd->standby)
      capplan_diags_add(b->d, CAPPLAN_ERROR, st->async.loc,
                        "a fallback serves requests; remove 'async: true'",
                        "fallback stage '%s' cannot be async", nd->name);
    if (nd->fallback >= 0 && st->colocate.s)
      capplan_diags_add(b->d, CAPPLAN_ERROR, st->fallback.loc,
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
  gnode *nd = &b->g->nodes[i];
  nd->join_any = st->join.s && !strcmp(st->join.s, "any");
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
    while (p > 0 && (b->g->nodes[p - 1].standby ||
                     (b->g->nodes[p - 1].async && !nd->async)))
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
    if (b->g->nodes[p].standby) {
      capplan_diags_add(b->d, CAPPLAN_ERROR, a->loc,
                        "a fallback only serves requests while its primary "
                        "is down; follow the primary instead",
                        "stage '%s' is after '%s', which is a fallback",
                        nd->name, a->s);
      continue;
    }
    if (b->g->nodes[p].async && !nd->async) {
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

/* The value of a setting: the stage's, else OUTER's (group or defaults),
 * else the schema default. */
static double pick(const snum *own, const snum *outer, const schema_key *k) {
  if (own && own->set)
    return own->v;
  if (outer && outer->set)
    return outer->v;
  return k->def;
}

static void settle_stage(builder *b, size_t i, const ghw *default_hw) {
  const capplan_spec *spec = b->spec;
  const spec_stage *st = &spec->stages[i];
  gnode *nd = &b->g->nodes[i];
  char who[192];
  snprintf(who, sizeof who, "stage '%s'", nd->name);
  nd->hw = st->hardware.s ? find_hw(b, st->hardware.s, st->hardware.loc, who)
                          : default_hw;

  const enum schema_section_id S = SEC_STAGE;
  nd->share = pick(&st->share, NULL, schema_key_get(S, "share"));
  nd->calls = pick(&st->calls, NULL, schema_key_get(S, "calls"));
  nd->cache_hit = pick(&st->cache_hit, NULL, schema_key_get(S, "cache_hit"));
  nd->stops = pick(&st->stops, NULL, schema_key_get(S, "stops"));
  nd->latency = st->latency.v;
  const spec_defaults *df = &spec->defaults;
  nd->utilization = pick(&st->utilization, &df->utilization,
                         schema_key_get(S, "utilization"));
  nd->headroom =
      pick(&st->headroom, &df->headroom, schema_key_get(S, "headroom"));
  nd->redundancy =
      pick(&st->redundancy, &df->redundancy, schema_key_get(S, "redundancy"));
  nd->zones = pick(&st->zones, &df->zones, schema_key_get(S, "zones"));
  nd->survive_zone_loss = pick(&st->survive_zone_loss, &df->survive_zone_loss,
                               schema_key_get(S, "survive_zone_loss")) != 0;
  /* Reported here when the stage itself sets one of the two keys; a
   * contradiction in 'defaults' alone is reported once, by the build. */
  if (nd->survive_zone_loss && nd->zones < 2 && !st->colocate.s &&
      (st->survive_zone_loss.set || st->zones.set)) {
    const snum *where =
        st->survive_zone_loss.set ? &st->survive_zone_loss : &st->zones;
    capplan_diags_add(b->d, CAPPLAN_ERROR, where->loc,
                      "set 'zones' to 2 or more (e.g. 'zones: 3')",
                      "stage '%s' must survive the loss of a zone but runs "
                      "in only one",
                      nd->name);
  } else if (nd->survive_zone_loss && nd->zones < 2 && !st->colocate.s) {
    b->defaults_zones_used = true; /* both from 'defaults' */
  }
  /* One server's availability: the stage's, else its hardware's, else
   * defaults', else 99.9% (FORMULAS.md section 2). */
  if (st->availability.set)
    nd->availability = st->availability.v;
  else if (nd->hw && nd->hw->availability > 0)
    nd->availability = nd->hw->availability;
  else
    nd->availability =
        pick(NULL, &df->availability, schema_key_get(S, "availability"));

  /* Throughput of one server (FORMULAS.md section 1): given, or
   * batch / latency x parallelism. */
  if (st->qps_per_server.set) {
    nd->tp = CAPPLAN_TP_QPS_PER_SERVER;
    nd->qps_per_server = st->qps_per_server.v;
    return;
  }
  nd->tp = CAPPLAN_TP_BATCH;
  nd->batch = pick(&st->batch, NULL, schema_key_get(S, "batch"));
  nd->parallelism =
      pick(&st->parallelism, NULL, schema_key_get(S, "parallelism"));
  if (st->bound.s && nd->hw) {
    if (nd->hw->cores <= 0) {
      char help[192];
      snprintf(help, sizeof help,
               "add 'cores' to hardware '%s', or give 'parallelism' instead",
               nd->hw->name);
      capplan_diags_add(b->d, CAPPLAN_ERROR, st->bound.loc, help,
                        "'bound' needs the cores of hardware '%s', which has "
                        "none",
                        nd->hw->name);
      return;
    }
    nd->parallelism = nd->hw->cores * catalog_bound_factor(st->bound.s);
  }
  nd->qps_per_server = nd->batch / nd->latency * nd->parallelism;
}

/* -------------------------------------------------------------- groups */

static void build_groups(builder *b) {
  const capplan_spec *spec = b->spec;
  capplan_graph *g = b->g;
  strmap ix;
  strmap_init(&ix);
  size_t *count = xcalloc(spec->n_stages + 1, sizeof(size_t));
  for (size_t i = 0; i < spec->n_stages; i++) {
    const sstr *c = &spec->stages[i].colocate;
    g->nodes[i].group = -1;
    if (!c->s)
      continue;
    size_t gi;
    if (!strmap_get(&ix, c->s, &gi)) {
      gi = ix.count;
      strmap_put(&ix, c->s, gi, NULL);
    }
    g->nodes[i].group = (long)gi;
    count[gi]++;
  }
  g->n_groups = ix.count;
  g->groups = arena_array(g->arena, g->n_groups, sizeof(ggroup));
  for (size_t gi = 0; gi < g->n_groups; gi++)
    g->groups[gi].members = arena_array(g->arena, count[gi], sizeof(size_t));
  free(count);

  for (size_t i = 0; i < spec->n_stages; i++) {
    gnode *nd = &g->nodes[i];
    if (nd->group < 0)
      continue;
    ggroup *gr = &g->groups[nd->group];
    const spec_stage *st = nd->st;
    if (gr->n_members == 0) {
      gr->name = st->colocate.s;
      gr->hw = nd->hw;
      gr->availability = nd->availability;
    } else if (nd->hw && gr->hw && nd->hw != gr->hw) {
      char help[192];
      snprintf(help, sizeof help,
               "colocated stages share servers, so they must use the same "
               "hardware; stage '%s' uses '%s'",
               g->nodes[gr->members[0]].name, gr->hw->name);
      capplan_diags_add(b->d, CAPPLAN_ERROR,
                        st->hardware.s ? st->hardware.loc : st->colocate.loc,
                        help,
                        "stage '%s' runs on '%s' but group '%s' runs on '%s'",
                        nd->name, nd->hw->name, gr->name, gr->hw->name);
    }
    /* A pool is as available as its least available member says. */
    if (nd->availability < gr->availability)
      gr->availability = nd->availability;
    gr->members[gr->n_members++] = i;
    const snum *own[] = {&st->utilization, &st->headroom, &st->redundancy,
                         &st->zones, &st->survive_zone_loss};
    const char *names[] = {"utilization", "headroom", "redundancy", "zones",
                           "survive_zone_loss"};
    for (size_t k = 0; k < 5; k++) {
      if (!own[k]->set)
        continue;
      char help[192];
      snprintf(help, sizeof help, "set it under 'groups: %s:' instead",
               gr->name);
      capplan_diags_add(b->d, CAPPLAN_WARNING, own[k]->loc, help,
                        "stage '%s' is colocated in group '%s', whose '%s' "
                        "applies instead of the stage's",
                        nd->name, gr->name, names[k]);
    }
  }

  /* Group settings: groups.NAME, else defaults, else the schema default. */
  const spec_defaults *df = &spec->defaults;
  bool *used = xcalloc(spec->n_groups + 1, sizeof(bool));
  for (size_t gi = 0; gi < g->n_groups; gi++) {
    ggroup *gr = &g->groups[gi];
    const spec_group *sg = NULL;
    for (size_t k = 0; k < spec->n_groups; k++)
      if (!strcmp(spec->groups[k].name.s, gr->name)) {
        sg = &spec->groups[k];
        used[k] = true;
      }
    const enum schema_section_id S = SEC_GROUP;
    gr->utilization = pick(sg ? &sg->utilization : NULL, &df->utilization,
                           schema_key_get(S, "utilization"));
    gr->headroom = pick(sg ? &sg->headroom : NULL, &df->headroom,
                        schema_key_get(S, "headroom"));
    gr->redundancy = pick(sg ? &sg->redundancy : NULL, &df->redundancy,
                          schema_key_get(S, "redundancy"));
    gr->zones =
        pick(sg ? &sg->zones : NULL, &df->zones, schema_key_get(S, "zones"));
    gr->survive_zone_loss =
        pick(sg ? &sg->survive_zone_loss : NULL, &df->survive_zone_loss,
             schema_key_get(S, "survive_zone_loss")) != 0;
    if (gr->survive_zone_loss && gr->zones < 2 && sg &&
        (sg->survive_zone_loss.set || sg->zones.set))
      capplan_diags_add(
          b->d, CAPPLAN_ERROR,
          sg->survive_zone_loss.set ? sg->survive_zone_loss.loc : sg->zones.loc,
          "set 'zones' to 2 or more (e.g. 'zones: 3')",
          "group '%s' must survive the loss of a zone but runs in only one",
          gr->name);
    else if (gr->survive_zone_loss && gr->zones < 2)
      b->defaults_zones_used = true;
    for (size_t m = 0; m < gr->n_members; m++) {
      gnode *nd = &g->nodes[gr->members[m]];
      nd->utilization = gr->utilization;
      nd->headroom = gr->headroom;
      nd->redundancy = gr->redundancy;
      nd->zones = gr->zones;
      nd->survive_zone_loss = gr->survive_zone_loss;
    }
  }
  const char **names = xmalloc((g->n_groups + 1) * sizeof(char *));
  for (size_t gi = 0; gi < g->n_groups; gi++)
    names[gi] = g->groups[gi].name;
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

static adjacency children(const capplan_graph *g) {
  adjacency a;
  a.start = xcalloc(g->n + 1, sizeof(size_t));
  size_t edges = 0;
  for (size_t i = 0; i < g->n; i++)
    for (size_t k = 0; k < g->nodes[i].n_parents; k++) {
      a.start[g->nodes[i].parents[k] + 1]++;
      edges++;
    }
  for (size_t i = 0; i < g->n; i++)
    a.start[i + 1] += a.start[i];
  a.kids = xmalloc((edges + 1) * sizeof(size_t));
  size_t *fill = xmalloc((g->n + 1) * sizeof(size_t));
  memcpy(fill, a.start, (g->n + 1) * sizeof(size_t));
  for (size_t i = 0; i < g->n; i++)
    for (size_t k = 0; k < g->nodes[i].n_parents; k++)
      a.kids[fill[g->nodes[i].parents[k]]++] = i;
  free(fill);
  return a;
}

static void report_cycle(builder *b, const size_t *cyc, size_t len) {
  /* CYC lists the cycle child-first (each entry's parent follows it);
   * print it parent-first, starting from the stage that comes first. */
  const capplan_graph *g = b->g;
  size_t first = 0;
  for (size_t k = 1; k < len; k++)
    if (cyc[k] < cyc[first])
      first = k;
  capplan_buf s;
  capplan_buf_init(&s);
  size_t shown = len > 12 ? 12 : len;
  for (size_t k = 0; k < shown; k++) {
    size_t idx = cyc[(first + len - k) % len];
    capplan_buf_printf(&s, "%s -> ", g->nodes[idx].name);
  }
  if (shown < len)
    capplan_buf_printf(&s, "... (%zu stages) -> ", len);
  capplan_buf_puts(&s, g->nodes[cyc[first]].name);
  /* Point at the link that closes the cycle: the first stage's 'after'
   * entry naming its parent in the cycle. */
  const gnode *nd = &g->nodes[cyc[first]];
  size_t parent = cyc[(first + 1) % len];
  capplan_loc loc = nd->st->loc;
  if (nd->st->after.set)
    for (size_t k = 0; k < nd->st->after.n; k++)
      if (!strcmp(nd->st->after.items[k].s, g->nodes[parent].name))
        loc = nd->st->after.items[k].loc;
  /* Stages without 'after' follow the one listed before them: say so,
   * since those links are invisible in the file. */
  capplan_buf help;
  capplan_buf_init(&help);
  size_t implicit = 0;
  for (size_t k = 0; k < len; k++)
    if (!g->nodes[cyc[k]].st->after.set)
      implicit++;
  if (implicit) {
    size_t listed = 0, names = implicit < 6 ? implicit : 6;
    for (size_t k = 0; k < len && listed < names; k++) {
      const gnode *c = &g->nodes[cyc[(first + len - k) % len]];
      if (c->st->after.set)
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
  capplan_graph *g = b->g;
  size_t n = g->n;
  g->order = arena_array(g->arena, n, sizeof(size_t));
  adjacency adj = children(g);
  size_t *indeg = xcalloc(n + 1, sizeof(size_t));
  for (size_t i = 0; i < n; i++)
    indeg[i] = g->nodes[i].n_parents;
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
        const gnode *nd = &g->nodes[v];
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

/* ----------------------------------------------------------------- build */

capplan_graph *capplan_graph_build(const capplan_spec *spec, capplan_diags *d) {
  size_t errors = d->errors;
  capplan_graph *g = xcalloc(1, sizeof *g);
  g->spec = spec;
  g->arena = arena_new();
  g->n = spec->n_stages;
  g->nodes = arena_array(g->arena, g->n, sizeof(gnode));
  builder b = {g, spec, d, {0}, {0}, {0}, NULL, false};
  b.seen = xmalloc((g->n + 1) * sizeof(size_t));
  for (size_t i = 0; i <= g->n; i++)
    b.seen[i] = (size_t)-1;
  strmap_init(&b.stages);
  strmap_init(&b.hw);
  strmap_init(&b.invalid);

  build_hardware(&b);
  const ghw *default_hw = NULL;
  if (spec->defaults.hardware.s)
    default_hw = find_hw(&b, spec->defaults.hardware.s,
                         spec->defaults.hardware.loc, "'defaults.hardware'");
  else
    default_hw =
        find_hw(&b, CATALOG_DEFAULT_HARDWARE, nowhere, "'defaults.hardware'");
  name_stages(&b);
  index_invalid_names(&b);
  resolve_fallbacks(&b);
  for (size_t i = 0; i < g->n; i++) {
    link_stage(&b, i);
    settle_stage(&b, i, default_hw);
  }
  build_groups(&b);
  /* 'defaults' may ask every stage to survive a zone's loss and leave
   * the zones to the stages: an error only if one of them (or a group)
   * is left with a single zone, reported once, at the default. */
  const spec_defaults *df = &spec->defaults;
  if (b.defaults_zones_used)
    capplan_diags_add(d, CAPPLAN_ERROR, df->survive_zone_loss.loc,
                      "set 'zones' to 2 or more in 'defaults' too (e.g. "
                      "'zones: 3'), or on every stage",
                      "'defaults' asks to survive the loss of a zone but "
                      "gives no zones to spread over");
  order_stages(&b); /* unknown links were dropped; cycles still show */

  strmap_release(&b.stages);
  strmap_release(&b.hw);
  strmap_release(&b.invalid);
  free(b.seen);
  if (d->errors > errors) {
    capplan_graph_free(g);
    return NULL;
  }
  return g;
}

void capplan_graph_free(capplan_graph *g) {
  if (!g)
    return;
  arena_free(g->arena);
  free(g);
}

/*
 * cmd_catalog.c - capplan catalog
 * [hardware|accelerators|instances|models|workloads] [NAME] [--format json]
 * [--catalog FILE]: what hardware, models and workloads specs can name,
 * and where every figure of them came from (docs/catalog.md).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "render.h"
#include "workload.h"

static const cli_option options[] = {
    {"format", 0, "FORMAT", "table (default) or json", 0},
    CLI_CATALOG_OPTION,
};

/* 'capplan catalog workloads [NAME]' (workload.h); frees CAT. */
static int workloads(const cli_command *self, const cli_args *a,
                     capplan_catalog *cat, bool json) {
  const wl_entry *e = NULL;
  int rc;
  if (a->n_positional == 2) {
    e = workload_find(cat, a->positional[1]);
    if (!e) {
      size_t n;
      const wl_entry *list = workload_list(cat, &n);
      const char **names = xmalloc((n + 1) * sizeof(char *));
      for (size_t i = 0; i < n; i++)
        names[i] = list[i].name;
      const char *best = closest_word(a->positional[1], names, n);
      /* 'faiss' is a prefix of two names, not a typo of either. */
      for (size_t i = 0; i < n && !best; i++)
        if (!strncmp(names[i], a->positional[1], strlen(a->positional[1])))
          best = names[i];
      rc = cli_usage_error(self, "no workload named '%s' in the catalog%s%s%s",
                           a->positional[1], best ? " (did you mean '" : "",
                           best ? best : "", best ? "'?)" : "");
      free(names);
      capplan_catalog_free(cat);
      return rc;
    }
  }
  capplan_buf b;
  capplan_buf_init(&b);
  if (json)
    render_json_workloads(cat, e, &b);
  else if (e)
    render_catalog_workload(e, &b);
  else
    render_catalog_workloads(cat, &b);
  rc = cli_write(&b, NULL);
  capplan_buf_release(&b);
  capplan_catalog_free(cat);
  return rc;
}

static int catalog(const cli_command *self, const cli_args *a) {
  if (a->help) {
    cli_print_help(self);
    return CAPPLAN_EXIT_OK;
  }
  static const char *const kinds[] = {"hardware", "accelerators", "instances",
                                      "models", "workloads"};
  const char *what = a->n_positional ? a->positional[0] : "hardware";
  /* SPEC.md section 1 names the workload catalog 'ops': the same list. */
  if (!strcmp(what, "ops"))
    what = "workloads";
  int kind = -1;
  for (int k = 0; k < 5; k++)
    if (!strcmp(what, kinds[k]))
      kind = k;
  if (kind < 0) {
    const char *best = closest_word(what, kinds, 5);
    return cli_usage_error(
        self,
        "unknown catalog '%s'%s%s%s (use hardware, accelerators, "
        "instances, models or workloads)",
        what, best ? " (did you mean '" : "", best ? best : "",
        best ? "'?)" : "");
  }
  if (a->n_positional > 2)
    return cli_usage_error(self, "unexpected '%s' after the name '%s'",
                           a->positional[2], a->positional[1]);
  const char *format = cli_value(self, a, "format");
  bool json = false;
  if (format && !strcmp(format, "json"))
    json = true;
  else if (format && strcmp(format, "table") && strcmp(format, "text"))
    return cli_usage_error(self, "unknown format '%s' (use table or json)",
                           format);
  if (kind == 0) {
    if (a->n_positional > 1)
      return cli_usage_error(
          self, "the seed's hardware is one table: 'capplan catalog "
                "hardware' takes no name; accelerators, instances, models "
                "and workloads do");
    capplan_buf b;
    capplan_buf_init(&b);
    if (json)
      render_json_hardware(NULL, &b);
    else
      render_catalog_hardware(&b);
    int rc = cli_write(&b, NULL);
    capplan_buf_release(&b);
    return rc;
  }
  capplan_catalog *cat = NULL;
  int rc = cli_catalog(cli_value(self, a, "catalog"), NULL, &cat);
  if (rc)
    return rc;
  if (!cat) {
    capplan_diags d;
    capplan_diags_init(&d, NULL);
    cat = capplan_catalog_load(NULL, NULL, &d);
    cli_print_diags(&d, NULL);
    capplan_diags_release(&d);
    if (!cat)
      return CAPPLAN_EXIT_IO;
  }
  if (kind == 4)
    return workloads(self, a, cat, json);
  enum cat_kind ck = (enum cat_kind)(kind - 1);
  const cat_entry *e = NULL;
  if (a->n_positional == 2) {
    e = catalog_find(cat, ck, a->positional[1]);
    if (!e) {
      const char **names = xmalloc((cat->n[ck] + 1) * sizeof(char *));
      for (size_t i = 0; i < cat->n[ck]; i++)
        names[i] = cat->e[ck][i].name;
      const char *best = closest_word(a->positional[1], names, cat->n[ck]);
      /* 'h100' is a prefix of two names, not a typo of either. */
      for (size_t i = 0; i < cat->n[ck] && !best; i++)
        if (!strncmp(names[i], a->positional[1], strlen(a->positional[1])))
          best = names[i];
      rc = cli_usage_error(self, "no %s named '%s' in the catalog%s%s%s",
                           cat_kind_name(ck, false), a->positional[1],
                           best ? " (did you mean '" : "", best ? best : "",
                           best ? "'?)" : "");
      free(names);
      capplan_catalog_free(cat);
      return rc;
    }
  }
  capplan_buf b;
  capplan_buf_init(&b);
  if (json)
    render_json_catalog(cat, ck, e, &b);
  else if (e)
    render_catalog_entry(cat, ck, e, &b);
  else
    render_catalog_list(cat, ck, &b);
  rc = cli_write(&b, NULL);
  capplan_buf_release(&b);
  capplan_catalog_free(cat);
  return rc;
}

const cli_command cmd_catalog = {
    "catalog",
    catalog,
    NULL,
    "[hardware|accelerators|instances|models|workloads] [NAME]",
    "List what specs can name as hardware, models and workloads, with the "
    "sources.",
    options,
    sizeof options / sizeof options[0],
    "hardware (the default): the seed's six servers.  accelerators,\n"
    "instances and models: the catalog of catalog/*.yaml, each figure with\n"
    "the public page it was read on and the date; NAME shows one entry\n"
    "with its sources.  Accelerators and instances are usable as\n"
    "'hardware:' too.  workloads: typical latency and throughput ranges of\n"
    "common operations (seed 004's ballparks and public figures), which a\n"
    "stage inherits with 'kind: NAME'.  --catalog FILE adds or overrides "
    "entries, as it does\n"
    "for every command that reads specs (docs/catalog.md).",
    NULL,
};

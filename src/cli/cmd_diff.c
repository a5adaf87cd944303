/*
 * cmd_diff.c - capplan diff BASE HEAD: what a change does to the plan.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "units.h"

static const cli_option options[] = {
    {"max-increase", 0, "MONEY",
     "fail if the cost grows by more, e.g. "
     "$100K/year",
     0},
    {"max-increase-pct", 0, "PERCENT",
     "fail if the cost grows by more than "
     "PERCENT, e.g. 10",
     0},
    {"format", 0, "FORMAT", "table (default), json, markdown or csv", 0},
    {"output", 'o', "FILE", "write to FILE (atomically) instead of stdout", 0},
    {"color", 0, "WHEN", "auto (default), always or never", 0},
    CLI_DIAGNOSTICS_OPTION,
    CLI_CATALOG_OPTION,
};

/* --max-increase-pct takes 10 or 10%: a number of percent. */
static int percent(const cli_command *self, const cli_args *a,
                   capplan_limit *limit) {
  const char *text = cli_value(self, a, "max-increase-pct");
  limit->set = false;
  if (!text)
    return 0;
  char plain[64];
  snprintf(plain, sizeof plain, "%s", text);
  size_t n = strlen(plain);
  if (n && plain[n - 1] == '%')
    plain[n - 1] = '\0';
  capplan_buf err;
  capplan_buf_init(&err);
  int rc = 0;
  if (capplan_quantity(plain, "number", "--max-increase-pct", &limit->value,
                       &err, NULL) < 0)
    rc = cli_value_error(self, err.data, text,
                         "give a number of percent, such as 10 or 10%");
  else
    limit->set = true;
  capplan_buf_release(&err);
  return rc;
}

static int diff(const cli_command *self, const cli_args *a) {
  if (a->help) {
    cli_print_help(self);
    return CAPPLAN_EXIT_OK;
  }
  if (a->n_positional != 2)
    return cli_usage_error(self,
                           "expected BASE and HEAD (specs or JSON reports), "
                           "got %zu argument%s",
                           a->n_positional, a->n_positional == 1 ? "" : "s");
  if (!strcmp(a->positional[0], "-") && !strcmp(a->positional[1], "-"))
    return cli_usage_error(self,
                           "standard input can be read only once: give '-' "
                           "for BASE or HEAD, not both");
  capplan_diff_opts gates;
  int rc = cli_limit(self, a, "max-increase", "money", &gates.max_increase);
  if (!rc)
    rc = percent(self, a, &gates.max_increase_pct);
  if (rc)
    return rc;
  cli_output out;
  const char *color = cli_value(self, a, "color");
  rc = cli_output_setup(self, CAPPLAN_VIEW_DIFF, cli_value(self, a, "format"),
                        cli_value(self, a, "output"), color, false, &out);
  if (rc)
    return rc;
  capplan_plan_rows *rows[2] = {NULL, NULL};
  capplan_catalog *catalog;
  cli_diag_opts cdg = cli_diag_opts_of(self, a);
  rc = cli_catalog_with(cli_value(self, a, "catalog"), &cdg, &catalog);
  if (rc)
    return rc;
  /* Both sides are read (and their errors shown) before giving up. */
  /* With --diagnostics-format json, one array for both sides. */
  cli_diag_opts dg = cli_diag_opts_of(self, a);
  capplan_buf json;
  capplan_buf_init(&json);
  if (dg.format && !strcmp(dg.format, "json"))
    dg.json = &json;
  int r0 = cli_load_plan_rows_with(a->positional[0], &dg, catalog, &rows[0]);
  int r1 = cli_load_plan_rows_with(a->positional[1], &dg, catalog, &rows[1]);
  cli_flush_json_diags(&dg);
  capplan_buf_release(&json);
  capplan_catalog_free(catalog);
  rc = r0 ? r0 : r1;
  if (!rc) {
    capplan_diff *d = capplan_diff_plans(rows[0], rows[1], &gates);
    capplan_buf text;
    capplan_buf_init(&text);
    capplan_render(CAPPLAN_VIEW_DIFF, out.format, d, &out.opts, &text);
    rc = cli_write(&text, out.path);
    capplan_buf_release(&text);
    if (!rc && !d->passed)
      rc = CAPPLAN_EXIT_FAILED;
    capplan_diff_free(d);
  }
  capplan_plan_rows_free(rows[0]);
  capplan_plan_rows_free(rows[1]);
  return rc;
}

const cli_command cmd_diff = {
    "diff",
    diff,
    NULL,
    "BASE HEAD",
    "Compare two plans: servers, GPUs, cost, latency and availability.",
    options,
    sizeof options / sizeof options[0],
    "BASE and HEAD are specs or JSON reports written earlier by 'capplan\n"
    "estimate --format json' (told apart by their content).  With\n"
    "--max-increase or --max-increase-pct the diff is a gate: exit code 1\n"
    "when the yearly cost grows by more.",
    NULL,
};

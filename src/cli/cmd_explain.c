/*
 * cmd_explain.c - capplan explain SPEC [--stage NAME]: the working behind
 * every figure, as the estimator recorded it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"

static const cli_option options[] = {
    {"stage", 0, "NAME", "explain one stage only", 0},
    {"format", 0, "FORMAT", "text (default) or markdown", 0},
    {"output", 'o', "FILE", "write to FILE (atomically) instead of stdout", 0},
    CLI_DIAGNOSTICS_OPTION,
    CLI_CATALOG_OPTION,
};

/* The same pipeline as 'estimate' (so the same diagnostics), asked to
 * record the working. */
static int explain(const cli_command *self, const cli_args *a) {
  if (a->help) {
    cli_print_help(self);
    return CAPPLAN_EXIT_OK;
  }
  int rc = cli_one_spec(self, a);
  if (rc)
    return rc;
  const char *format = cli_value(self, a, "format");
  enum capplan_format f = CAPPLAN_FORMAT_TABLE;
  const char *names = NULL;
  if (format && (capplan_format_parse(format, &f) < 0 ||
                 !capplan_format_supported(CAPPLAN_VIEW_EXPLAIN, f, NULL))) {
    capplan_format_supported(CAPPLAN_VIEW_EXPLAIN, CAPPLAN_FORMAT_TABLE,
                             &names);
    return cli_usage_error(self, "unknown format '%s' (use %s)", format, names);
  }
  capplan_source *src;
  capplan_report *r;
  cli_diag_opts dg = cli_diag_opts_of(self, a);
  rc = cli_run_pipeline_with(a->positional[0], &dg, NULL, true,
                             cli_value(self, a, "catalog"), &src, &r);
  if (rc)
    return rc;
  capplan_render_opts opts = {false, 0, cli_value(self, a, "stage")};
  capplan_buf text;
  capplan_buf_init(&text);
  if (capplan_render(CAPPLAN_VIEW_EXPLAIN, f, r, &opts, &text) < 0) {
    size_t n = 0;
    while (capplan_report_stage(r, n))
      n++;
    const char **stages = xmalloc((n + 1) * sizeof(char *));
    for (size_t i = 0; i < n; i++)
      stages[i] = capplan_report_stage(r, i);
    const char *best = closest_word(opts.stage, stages, n);
    free(stages);
    if (best)
      rc = cli_usage_error(self, "no stage '%s' in %s (did you mean '%s'?)",
                           opts.stage, a->positional[0], best);
    else
      rc = cli_usage_error(self, "no stage '%s' in %s", opts.stage,
                           a->positional[0]);
  } else {
    rc = cli_write(&text, cli_value(self, a, "output"));
  }
  capplan_buf_release(&text);
  capplan_report_free(r);
  capplan_source_free(src);
  return rc;
}

const cli_command cmd_explain = {
    "explain",
    explain,
    NULL,
    "SPEC",
    "Show how every figure of SPEC's plan is worked out, step by step.",
    options,
    sizeof options / sizeof options[0],
    "For each stage, in the order of an interview answer: its load and\n"
    "where it comes from, the throughput of one server, raw servers,\n"
    "utilization and headroom, the one ceiling, spares, GPUs, cost with\n"
    "the period converted, latency and availability.  Then the totals and\n"
    "the checks.  Every figure is the one 'estimate' prints.",
    NULL,
};

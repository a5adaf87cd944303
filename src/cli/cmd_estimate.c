/*
 * cmd_estimate.c - capplan estimate SPEC: the main job.
 */
#include "cli.h"

static const cli_option options[] = {
    {"format", 0, "FORMAT", "table (default), json, markdown, csv or html", 0},
    {"output", 'o', "FILE", "write to FILE (atomically) instead of stdout", 0},
    {"color", 0, "WHEN", "auto (default), always or never", 0},
    {"wide", 0, NULL, "every column, however wide the terminal", 0},
    CLI_DIAGNOSTICS_OPTION,
    CLI_CATALOG_OPTION,
    CLI_MC_OPTIONS,
    {"sensitivity", 0, NULL, "each range alone from p5 to p95: cost, latency",
     0},
    {"plot", 0, "FILE.svg", "SVG of the cost (--sensitivity: the tornado)",
     CLI_ONCE},
};

static int estimate(const cli_command *self, const cli_args *a) {
  if (a->help) {
    cli_print_help(self);
    return CAPPLAN_EXIT_OK;
  }
  int rc = cli_one_spec(self, a);
  if (rc)
    return rc;
  cli_output out;
  rc = cli_output_setup(self, CAPPLAN_VIEW_REPORT, cli_value(self, a, "format"),
                        cli_value(self, a, "output"),
                        cli_value(self, a, "color"),
                        cli_value(self, a, "wide") != NULL, &out);
  if (rc)
    return rc;
  capplan_mc_opts mc;
  if ((rc = cli_mc_opts(self, a, &mc)))
    return rc;
  /* The cost's histogram reads every trial: only for a drawing of it. */
  const char *plot = cli_value(self, a, "plot");
  mc.histogram = (plot && !mc.sensitivity) || out.format == CAPPLAN_FORMAT_HTML;
  capplan_source *src;
  capplan_report *report;
  cli_diag_opts dg = cli_diag_opts_of(self, a);
  rc = cli_run_with(a->positional[0], &dg, NULL, false,
                    cli_value(self, a, "catalog"), &mc, NULL, 0, &src, &report);
  if (!rc && plot)
    rc = cli_plot_report(report, plot, mc.sensitivity);
  if (!rc)
    rc = cli_emit_report(report, CAPPLAN_VIEW_REPORT, &out);
  capplan_report_free(report);
  capplan_source_free(src);
  return rc;
}

const cli_command cmd_estimate = {
    "estimate",
    estimate,
    NULL,
    "SPEC",
    "Size every stage of SPEC: servers, GPUs, cost, latency, availability.",
    options,
    sizeof options / sizeof options[0],
    "SPEC is a YAML file (docs/spec.md), or - for standard input.  The exit\n"
    "code is 1 when the plan breaks a limit in the spec's 'slo' or\n"
    "'budget'; the report is still printed in full.  When the spec has\n"
    "ranges ('qps: 20K to 40K'), the plan is at their medians and Monte\n"
    "Carlo gives every figure's p5, p50 and p95; a check then passes when\n"
    "at least --confidence of the trials pass it (docs/uncertainty.md).",
    NULL,
};

/*
 * cmd_graph.c - capplan graph SPEC: the plan as a picture - DOT for
 * Graphviz, a Mermaid flowchart for pull requests and wikis, or an SVG
 * drawn by capplan itself (render_graph_*.c).
 */
#include "cli.h"

static const cli_option options[] = {
    {"format", 0, "FORMAT", "dot (default), mermaid or svg", 0},
    {"output", 'o', "FILE", "write to FILE (atomically) instead of stdout", 0},
    CLI_DIAGNOSTICS_OPTION,
    CLI_CATALOG_OPTION,
};

static int graph(const cli_command *self, const cli_args *a) {
  if (a->help) {
    cli_print_help(self);
    return CAPPLAN_EXIT_OK;
  }
  int rc = cli_one_spec(self, a);
  if (rc)
    return rc;
  const char *format = cli_value(self, a, "format");
  cli_output out;
  rc = cli_output_setup(self, CAPPLAN_VIEW_GRAPH, format ? format : "dot",
                        cli_value(self, a, "output"), "never", false, &out);
  if (rc)
    return rc;
  capplan_source *src;
  capplan_report *report;
  cli_diag_opts dg = cli_diag_opts_of(self, a);
  rc = cli_run_pipeline_with(a->positional[0], &dg, NULL, false,
                             cli_value(self, a, "catalog"), &src, &report);
  if (!rc) {
    capplan_buf text;
    capplan_buf_init(&text);
    capplan_render(CAPPLAN_VIEW_GRAPH, out.format, report, &out.opts, &text);
    rc = cli_write(&text, out.path);
    capplan_buf_release(&text);
  }
  capplan_report_free(report);
  capplan_source_free(src);
  return rc;
}

const cli_command cmd_graph = {
    "graph",
    graph,
    NULL,
    "SPEC",
    "Draw SPEC's plan: stages, flows with their QPS, the critical path.",
    options,
    sizeof options / sizeof options[0],
    "Stages are boxes with their hardware, servers and GPUs; edges carry\n"
    "their QPS; the critical path is red; async stages and fallbacks are\n"
    "dashed; cache tiers are cylinders and colocation groups are boxes\n"
    "around their stages.  'dot' is for Graphviz (dot -Tsvg), 'mermaid'\n"
    "for a ```mermaid block in a pull request, 'svg' is drawn by capplan.\n"
    "The exit code is 0 even when the plan breaks a budget or SLO.",
    NULL,
};

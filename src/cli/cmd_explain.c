/*
 * cmd_explain.c - capplan explain SPEC [--stage NAME]: the working behind
 * every figure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"

static const cli_option options[] = {
    {"stage", 0, "NAME", "explain one stage only"},
    {"format", 0, "FORMAT", "text (default) or markdown"},
    {"output", 'o', "FILE", "write to FILE (atomically) instead of stdout"},
};

/* The pipeline step by step, keeping the graph that explain reads. */
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
  if (format && (capplan_format_parse(format, &f) < 0 ||
                 (f != CAPPLAN_FORMAT_TABLE && f != CAPPLAN_FORMAT_MARKDOWN)))
    return cli_usage_error(self, "unknown format '%s' (use text or markdown)",
                           format);
  capplan_limits limits;
  if (cli_limits(&limits))
    return CAPPLAN_EXIT_INPUT;
  capplan_diags d;
  capplan_diags_init(&d, NULL);
  capplan_source *src = capplan_source_read(a->positional[0], &limits, &d);
  capplan_spec *spec = NULL;
  capplan_graph *g = NULL;
  capplan_report *r = NULL;
  if (src) {
    d.src = src;
    spec = capplan_spec_load(src, &limits, &d);
  }
  if (spec)
    g = capplan_graph_build(spec, &d);
  if (g)
    r = capplan_estimate(g, NULL, &d);
  cli_print_diags(&d, NULL);
  capplan_diags_release(&d);
  rc = r ? 0 : CAPPLAN_EXIT_INPUT;
  if (r) {
    capplan_buf text;
    capplan_buf_init(&text);
    const char *stage = cli_value(self, a, "stage");
    if (capplan_explain(g, r, stage, f, &text) < 0) {
      const char **names = xmalloc((r->n_stages + 1) * sizeof(char *));
      for (size_t i = 0; i < r->n_stages; i++)
        names[i] = r->stages[i].name;
      const char *best = capplan_suggest(stage, names, r->n_stages);
      free(names);
      if (best)
        rc = cli_usage_error(self, "no stage '%s' in %s (did you mean '%s'?)",
                             stage, a->positional[0], best);
      else
        rc = cli_usage_error(self, "no stage '%s' in %s", stage,
                             a->positional[0]);
    } else {
      rc = cli_write(&text, cli_value(self, a, "output"));
    }
    capplan_buf_release(&text);
  }
  capplan_report_free(r);
  capplan_graph_free(g);
  capplan_spec_free(spec);
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
};

/*
 * cmd_check.c - capplan check SPEC [limits]: a budget and SLO gate for CI.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const cli_option options[] = {
    {"max-cost", 0, "MONEY", "cost limit, e.g. $4M/year or $400K/month", 0},
    {"max-latency", 0, "DURATION", "latency limit of the critical path", 0},
    {"min-availability", 0, "FRACTION", "availability floor, e.g. 99.95%", 0},
    {"max-gpus", 0, "N", "most GPUs", 0},
    {"max-servers", 0, "N", "most servers", 0},
    {"max-latency-p50", 0, "DURATION", "limit on the end-to-end median", 0},
    {"max-latency-p95", 0, "DURATION", "limit on the end-to-end p95", 0},
    {"max-latency-p99", 0, "DURATION", "limit on the end-to-end p99", 0},
    {"max-latency-p999", 0, "DURATION", "limit on the end-to-end p99.9", 0},
    {"format", 0, "FORMAT", "table (default), json or markdown", 0},
    {"output", 'o', "FILE", "write to FILE (atomically) instead of stdout", 0},
    {"color", 0, "WHEN", "auto (default), always or never", 0},
    CLI_DIAGNOSTICS_OPTION,
    CLI_CATALOG_OPTION,
    CLI_MC_OPTIONS,
};

static int check(const cli_command *self, const cli_args *a) {
  if (a->help) {
    cli_print_help(self);
    return CAPPLAN_EXIT_OK;
  }
  int rc = cli_one_spec(self, a);
  if (rc)
    return rc;
  capplan_check_opts limits;
  const struct {
    const char *name, *kind;
    capplan_limit *limit;
  } flags[] = {
      {"max-cost", "money", &limits.max_cost},
      {"max-latency", "duration", &limits.max_latency},
      {"min-availability", "fraction", &limits.min_availability},
      {"max-gpus", "count", &limits.max_gpus},
      {"max-servers", "count", &limits.max_servers},
      {"max-latency-p50", "duration", &limits.max_latency_p[0]},
      {"max-latency-p95", "duration", &limits.max_latency_p[1]},
      {"max-latency-p99", "duration", &limits.max_latency_p[2]},
      {"max-latency-p999", "duration", &limits.max_latency_p[3]},
  };
  for (size_t i = 0; i < sizeof flags / sizeof flags[0] && !rc; i++) {
    rc = cli_limit(self, a, flags[i].name, flags[i].kind, flags[i].limit);
    /* GPUs and servers come whole, as in the spec's budget: 199.5 would
     * print as a limit of 200 that 200 GPUs fail. */
    if (!rc && flags[i].limit->set && !strcmp(flags[i].kind, "count") &&
        flags[i].limit->value != floor(flags[i].limit->value)) {
      char msg[64];
      snprintf(msg, sizeof msg, "'--%s' takes a whole number", flags[i].name);
      rc = cli_value_error(self, msg, cli_value(self, a, flags[i].name), NULL);
    }
  }
  if (rc)
    return rc;
  cli_output out;
  const char *color = cli_value(self, a, "color");
  rc = cli_output_setup(self, CAPPLAN_VIEW_CHECK, cli_value(self, a, "format"),
                        cli_value(self, a, "output"), color, false, &out);
  if (rc)
    return rc;
  capplan_mc_opts mc;
  if ((rc = cli_mc_opts(self, a, &mc)))
    return rc;
  capplan_source *src;
  capplan_report *report;
  cli_diag_opts dg = cli_diag_opts_of(self, a);
  rc = cli_run_with(a->positional[0], &dg, &limits, false,
                    cli_value(self, a, "catalog"), &mc, NULL, 0, &src, &report);
  if (!rc && capplan_report_checks(report) == 0)
    rc = cli_usage_error(self,
                         "nothing to check: '%s' has no 'slo' or 'budget' "
                         "and no limit was given (e.g. --max-cost $4M/year)",
                         a->positional[0]);
  else if (!rc)
    rc = cli_emit_report(report, CAPPLAN_VIEW_CHECK, &out);
  capplan_report_free(report);
  capplan_source_free(src);
  return rc;
}

const cli_command cmd_check = {
    "check",
    check,
    NULL,
    "SPEC",
    "Check SPEC against its budget and SLOs, and against limits given here.",
    options,
    sizeof options / sizeof options[0],
    "The limits add to the spec's 'slo' and 'budget' or tighten them; a\n"
    "looser one is ignored with a warning.  Each check is printed with its\n"
    "limit, the plan's figure and the margin.  Exit code 1 if any fails.\n"
    "With ranges in the spec, each check passes when at least --confidence\n"
    "of the Monte Carlo trials pass it.",
    NULL,
};

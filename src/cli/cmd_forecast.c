/*
 * cmd_forecast.c - capplan forecast SPEC --months N: the plan month by
 * month as the traffic grows by traffic.growth, and the first month each
 * check fails.
 */
#include <stdlib.h>

#include "cli.h"

static const cli_option options[] = {
    {"months", 0, "N", "months ahead (default 12)", CLI_ONCE},
    {"format", 0, "FORMAT", "table (default), json, markdown or csv", 0},
    {"output", 'o', "FILE", "write to FILE (atomically) instead of stdout", 0},
    {"color", 0, "WHEN", "auto (default), always or never", 0},
    {"wide", 0, NULL, "every column, however wide the terminal", 0},
    {"plot", 0, "FILE.svg", "SVG of the cost per month with the budget",
     CLI_ONCE},
};

static int forecast(const cli_command *self, const cli_args *a) {
  if (a->help) {
    cli_print_help(self);
    return CAPPLAN_EXIT_OK;
  }
  int rc = cli_one_spec(self, a);
  if (rc)
    return rc;
  size_t months = 12;
  const char *text = cli_value(self, a, "months");
  if (text) {
    char *end;
    long v = strtol(text, &end, 10);
    if (!*text || *end || v < 1 || v > 1200)
      return cli_value_error(self,
                             "'--months' takes a whole number from 1 "
                             "to 1,200",
                             text, NULL);
    months = (size_t)v;
  }
  cli_output out;
  const char *color = cli_value(self, a, "color");
  if ((rc = cli_output_setup(self, CAPPLAN_VIEW_FORECAST,
                             cli_value(self, a, "format"),
                             cli_value(self, a, "output"), color,
                             cli_value(self, a, "wide") != NULL, &out)))
    return rc;
  capplan_source *src;
  capplan_report *report;
  if ((rc = cli_run_pipeline(a->positional[0], color, NULL, false, NULL, &src,
                             &report)))
    return rc;
  capplan_buf err, help;
  capplan_buf_init(&err);
  capplan_buf_init(&help);
  capplan_forecast *f = capplan_forecast_run(report, months, &err, &help);
  if (!f) {
    rc = cli_library_error(self, &err, &help);
  } else {
    const char *plot = cli_value(self, a, "plot");
    if (plot) {
      capplan_buf svg;
      capplan_buf_init(&svg);
      capplan_plot_forecast(f, &svg);
      rc = cli_write(&svg, plot);
      capplan_buf_release(&svg);
    }
    if (!rc) {
      capplan_buf t;
      capplan_buf_init(&t);
      capplan_render(CAPPLAN_VIEW_FORECAST, out.format, f, &out.opts, &t);
      rc = cli_write(&t, out.path);
      capplan_buf_release(&t);
    }
    if (!rc && !capplan_forecast_passed(f))
      rc = CAPPLAN_EXIT_FAILED;
  }
  capplan_buf_release(&err);
  capplan_buf_release(&help);
  capplan_forecast_free(f);
  capplan_report_free(report);
  capplan_source_free(src);
  return rc;
}

const cli_command cmd_forecast = {
    "forecast",
    forecast,
    NULL,
    "SPEC",
    "The plan month by month as traffic grows by traffic.growth.",
    options,
    sizeof options / sizeof options[0],
    "traffic.growth (5%/month, 60%/year) compounds every month; every\n"
    "range is at its median.  One row per month from 0 (the plan as it\n"
    "is) to --months, then the first month each check fails; exit code 1\n"
    "when one fails within the months forecast.",
    NULL,
};

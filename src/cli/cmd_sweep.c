/*
 * cmd_sweep.c - capplan sweep SPEC --set PATH=A..B [--set ...] [--steps N]
 * [--log] [--find COND]: the plan at steps of one or two inputs, and the
 * largest value of the first that keeps a condition.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_option options[] = {
    {"set", 0, "PATH=A..B", "an input and its range; once or twice", 0},
    {"steps", 0, "N", "points of each input, ends included (default 11)",
     CLI_ONCE},
    {"log", 0, NULL, "geometric steps (a range above 0)", 0},
    {"find", 0, "COND",
     "the largest value of the first input keeping COND ('cost<=4M/year')",
     CLI_ONCE},
    {"format", 0, "FORMAT", "table (default), json, markdown or csv", 0},
    {"output", 'o', "FILE", "write to FILE (atomically) instead of stdout", 0},
    {"color", 0, "WHEN", "auto (default), always or never", 0},
    {"wide", 0, NULL, "every column, however wide the terminal", 0},
    {"plot", 0, "FILE.svg", "SVG of the cost (or --find's figure) per step",
     CLI_ONCE},
};

/* Every --set of the command line: the parser keeps only the last. */
static size_t find_sets(int argc, char **argv, const char **sets, size_t cap) {
  size_t n = 0;
  for (int i = 0; i < argc; i++) {
    if (!strcmp(argv[i], "--"))
      break;
    const char *v = NULL;
    if (!strcmp(argv[i], "--set") && i + 1 < argc)
      v = argv[++i];
    else if (!strncmp(argv[i], "--set=", 6))
      v = argv[i] + 6;
    if (v && n < cap)
      sets[n] = v;
    if (v)
      n++;
  }
  return n;
}

static int sweep(const cli_command *self, int argc, char **argv) {
  cli_args a;
  if (cli_parse(self, argc, argv, &a))
    return CAPPLAN_EXIT_INPUT;
  int rc = 0;
  if (a.help) {
    cli_print_help(self);
    goto done;
  }
  if ((rc = cli_one_spec(self, &a)))
    goto done;
  const char *texts[2];
  size_t n = find_sets(argc, argv, texts, 2);
  if (n == 0 || n > 2) {
    rc = cli_usage_error(self, "%s",
                         n ? "give at most two --set"
                           : "missing --set PATH=A..B (e.g. "
                             "--set traffic.qps=10K..60K)");
    goto done;
  }
  char paths[2][256];
  const char *path_list[2];
  capplan_sweep_set sets[2];
  for (size_t k = 0; k < n; k++) {
    const char *eq = strchr(texts[k], '=');
    if (!eq || eq == texts[k] || !eq[1]) {
      rc = cli_value_error(self, "'--set' takes PATH=FROM..TO", texts[k],
                           "e.g. --set traffic.qps=10K..60K or --set "
                           "stages.ranker.latency=20ms..80ms");
      goto done;
    }
    snprintf(paths[k], sizeof paths[k], "%.*s", (int)(eq - texts[k]), texts[k]);
    path_list[k] = paths[k];
    sets[k] = (capplan_sweep_set){paths[k], eq + 1};
  }
  if (n == 2 && !strcmp(paths[0], paths[1])) {
    rc = cli_usage_error(self, "'--set %s' is given twice", paths[0]);
    goto done;
  }
  capplan_sweep_opts so = {sets, n, 0, cli_value(self, &a, "log") != NULL,
                           cli_value(self, &a, "find")};
  const char *steps = cli_value(self, &a, "steps");
  if (steps) {
    char *end;
    long v = strtol(steps, &end, 10);
    if (!*steps || *end || v < 2 || v > 10000) {
      rc = cli_value_error(self,
                           "'--steps' takes a whole number from 2 to "
                           "10,000",
                           steps, NULL);
      goto done;
    }
    so.steps = (size_t)v;
  }
  cli_output out;
  const char *color = cli_value(self, &a, "color");
  if ((rc = cli_output_setup(self, CAPPLAN_VIEW_SWEEP,
                             cli_value(self, &a, "format"),
                             cli_value(self, &a, "output"), color,
                             cli_value(self, &a, "wide") != NULL, &out)))
    goto done;
  capplan_source *src;
  capplan_report *report;
  if ((rc = cli_run(a.positional[0], color, NULL, false, NULL, path_list, n,
                    &src, &report)))
    goto done;
  capplan_buf err, help;
  capplan_buf_init(&err);
  capplan_buf_init(&help);
  capplan_sweep *s = capplan_sweep_run(report, &so, &err, &help);
  if (!s) {
    rc = cli_library_error(self, &err, &help);
  } else {
    const char *plot = cli_value(self, &a, "plot");
    if (plot) {
      capplan_buf svg;
      capplan_buf_init(&svg);
      capplan_plot_sweep(s, &svg);
      rc = cli_write(&svg, plot);
      capplan_buf_release(&svg);
    }
    if (!rc) {
      capplan_buf text;
      capplan_buf_init(&text);
      capplan_render(CAPPLAN_VIEW_SWEEP, out.format, s, &out.opts, &text);
      rc = cli_write(&text, out.path);
      capplan_buf_release(&text);
    }
    if (!rc && !capplan_sweep_passed(s))
      rc = CAPPLAN_EXIT_FAILED;
  }
  capplan_buf_release(&err);
  capplan_buf_release(&help);
  capplan_sweep_free(s);
  capplan_report_free(report);
  capplan_source_free(src);
done:
  cli_args_release(&a);
  return rc;
}

const cli_command cmd_sweep = {
    "sweep",
    NULL,
    sweep,
    "SPEC --set PATH=A..B",
    "The plan at steps of one or two inputs; the most an input can be.",
    options,
    sizeof options / sizeof options[0],
    "PATH names a quantity of the spec: traffic.KEY, defaults.KEY,\n"
    "groups.NAME.KEY, hardware.NAME.KEY, stages.NAME.KEY or\n"
    "stages.NAME.cache.KEY, written in the spec or not.  Every other input\n"
    "is as the spec gives it (a range at its median).  --find bisects for\n"
    "the largest value of the first input that keeps COND (NAME<=VALUE or\n"
    "NAME>=VALUE; NAME is servers, gpus, cost, cost_per_month, latency,\n"
    "availability or requests); exit code 1 when none does.",
    NULL,
};

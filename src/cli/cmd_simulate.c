/*
 * cmd_simulate.c - capplan simulate SPEC: the plan 'estimate' works out,
 * run as a discrete-event simulation, each figure beside its analytic
 * value (SPEC.md section 9, docs/simulation.md).  Parses the options,
 * runs the pipeline and capplan_simulate(), draws a progress bar on a
 * terminal when the run is long, and prints.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "units.h"

static const cli_option options[] = {
    {"requests", 0, "N",
     "arrivals per replication, warm-up included (default 1M)", CLI_ONCE},
    {"duration", 0, "TIME", "or seconds of arrivals per replication (60s)",
     CLI_ONCE},
    {"warmup", 0, "N",
     "requests (or time) deleted at the start; 10% of the run by default",
     CLI_ONCE},
    {"replications", 0, "R",
     "independent runs (default 1: intervals from 20 batch means)", CLI_ONCE},
    {"seed", 0, "S", "seed of the random streams (default 1)", CLI_ONCE},
    {"format", 0, "FORMAT", "table (default), json or csv", 0},
    {"output", 'o', "FILE", "write to FILE (atomically) instead of stdout", 0},
    {"color", 0, "WHEN", "auto (default), always or never", 0},
    CLI_DIAGNOSTICS_OPTION,
    CLI_CATALOG_OPTION,
};

/* The most requests or replications a run takes (the simulator counts
 * requests in 53 bits). */
#define MAX_REQUESTS 9007199254740991.0 /* 2^53 - 1 */
#define MAX_REPLICATIONS 10000
#define MAX_DURATION 1e15

/* Parses option NAME as a quantity of KIND into *V (left alone when the
 * option is absent).  Returns 0, or a usage error. */
static int quantity(const cli_command *cmd, const cli_args *a, const char *name,
                    const char *kind, double *v, bool *given) {
  const char *text = cli_value(cmd, a, name);
  *given = text != NULL;
  if (!text)
    return 0;
  char key[32];
  snprintf(key, sizeof key, "--%s", name);
  capplan_buf err, help;
  capplan_buf_init(&err);
  capplan_buf_init(&help);
  int rc = 0;
  if (capplan_quantity(text, kind, key, v, &err, &help) < 0)
    rc = cli_value_error(cmd, err.data, text, help.data);
  capplan_buf_release(&err);
  capplan_buf_release(&help);
  return rc;
}

/* A whole number in [LO, HI] for option NAME. */
static int whole(const cli_command *cmd, const cli_args *a, const char *name,
                 double lo, double hi, double *v, bool *given) {
  int rc = quantity(cmd, a, name, "count", v, given);
  if (rc || !*given)
    return rc;
  if (*v != floor(*v) || *v < lo || *v > hi) {
    char msg[128], l[32], h[32];
    snprintf(l, sizeof l, "%.0f", lo);
    snprintf(h, sizeof h, hi >= MAX_REQUESTS ? "2^53 - 1" : "%.0f", hi);
    snprintf(msg, sizeof msg, "'--%s' takes a whole number from %s to %s", name,
             l, h);
    return cli_value_error(cmd, msg, cli_value(cmd, a, name), NULL);
  }
  return 0;
}

/* --seed: digits only, up to 2^64 - 1. */
static int seed_of(const cli_command *cmd, const cli_args *a,
                   unsigned long long *seed) {
  const char *text = cli_value(cmd, a, "seed");
  if (!text)
    return 0;
  bool ok =
      *text && strspn(text, "0123456789") == strlen(text) && strlen(text) <= 20;
  if (ok) {
    char *end;
    *seed = strtoull(text, &end, 10);
    /* 20 digits may pass 2^64 - 1: strtoull then gives ULLONG_MAX. */
    ok = !(strlen(text) == 20 && strcmp(text, "18446744073709551615") > 0);
  }
  if (!ok)
    return cli_value_error(cmd,
                           "'--seed' takes a whole number from 0 to "
                           "18446744073709551615",
                           text, NULL);
  return 0;
}

/* --warmup: a count of requests (a time with --duration), or a share of
 * the run ("20%"), less than the run. */
static int warmup_of(const cli_command *cmd, const cli_args *a,
                     capplan_sim_opts *o) {
  const char *text = cli_value(cmd, a, "warmup");
  if (!text)
    return 0;
  size_t n = strlen(text);
  double run = o->duration > 0 ? o->duration : (double)o->requests;
  double v;
  bool given;
  int rc;
  if (n && text[n - 1] == '%') {
    rc = quantity(cmd, a, "warmup", "fraction", &v, &given);
    if (!rc && !(v >= 0 && v < 1))
      rc = cli_value_error(cmd, "'--warmup' as a share must be below 100%",
                           text, NULL);
    if (!rc)
      o->warmup = o->duration > 0 ? v * run : floor(v * run);
    return rc;
  }
  if (o->duration > 0) {
    rc = quantity(cmd, a, "warmup", "duration", &v, &given);
    if (!rc && !(v >= 0 && v < run))
      rc = cli_value_error(cmd, "'--warmup' must be shorter than '--duration'",
                           text, "e.g. --duration 60s --warmup 6s");
  } else {
    rc = whole(cmd, a, "warmup", 0, MAX_REQUESTS, &v, &given);
    if (!rc && !(v < run))
      rc = cli_value_error(cmd,
                           "'--warmup' must be fewer requests than the run "
                           "('--requests', 1M by default)",
                           text, "e.g. --requests 1M --warmup 100K");
  }
  if (!rc)
    o->warmup = v;
  return rc;
}

static int parse(const cli_command *cmd, const cli_args *a,
                 capplan_sim_opts *o) {
  capplan_sim_opts_init(o);
  double v;
  bool req, dur;
  int rc = whole(cmd, a, "requests", 1, MAX_REQUESTS, &v, &req);
  if (rc)
    return rc;
  if (req)
    o->requests = (unsigned long long)v;
  rc = quantity(cmd, a, "duration", "duration", &v, &dur);
  if (rc)
    return rc;
  if (dur && !(v > 0 && v <= MAX_DURATION))
    return cli_value_error(cmd, "'--duration' must be more than 0",
                           cli_value(cmd, a, "duration"), NULL);
  if (req && dur)
    return cli_usage_error(cmd, "give '--requests' or '--duration', not "
                                "both");
  if (dur) {
    o->duration = v;
    o->requests = 0;
  }
  rc = whole(cmd, a, "replications", 1, MAX_REPLICATIONS, &v, &req);
  if (rc)
    return rc;
  if (req)
    o->replications = (unsigned)v;
  rc = seed_of(cmd, a, &o->seed);
  if (rc)
    return rc;
  return warmup_of(cmd, a, o);
}

/* ------------------------------------------------------------ progress */

/* A bar on standard error, drawn only on a terminal and only once a run
 * has taken a second (CAPPLAN_PROGRESS_AFTER seconds, for tests), at
 * most ten times a second. */
typedef struct bar {
  struct timespec start;
  double after; /* seconds before the first draw */
  double drawn; /* seconds since start at the last draw; < 0: never */
} bar;

static double since(const bar *b) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - b->start.tv_sec) +
         (double)(now.tv_nsec - b->start.tv_nsec) / 1e9;
}

enum { BAR_WIDTH = 30 };

static void on_progress(double f, void *ctx) {
  bar *b = ctx;
  if (f >= 1) {
    if (b->drawn >= 0) /* clear the line for what follows */
      fprintf(stderr, "\r%*s\r", BAR_WIDTH + 40, "");
    return;
  }
  double t = since(b);
  if (t < b->after || (b->drawn >= 0 && t - b->drawn < 0.1))
    return;
  b->drawn = t;
  int full = (int)(f * BAR_WIDTH);
  char cells[BAR_WIDTH + 1];
  for (int k = 0; k < BAR_WIDTH; k++)
    cells[k] = k < full ? '#' : '.';
  cells[BAR_WIDTH] = '\0';
  double left = f > 0.01 ? t * (1 - f) / f : 0;
  fprintf(stderr, "\rsimulating [%s] %3d%%", cells, (int)(f * 100));
  if (left > 0)
    fprintf(stderr, ", about %.0f s left ", ceil(left));
  fflush(stderr);
}

/* -------------------------------------------------------------- command */

static int simulate(const cli_command *self, const cli_args *a) {
  if (a->help) {
    cli_print_help(self);
    return CAPPLAN_EXIT_OK;
  }
  int rc = cli_one_spec(self, a);
  if (rc)
    return rc;
  capplan_sim_opts o;
  rc = parse(self, a, &o);
  if (rc)
    return rc;
  cli_output out;
  const char *color = cli_value(self, a, "color");
  rc = cli_output_setup(self, CAPPLAN_VIEW_SIMULATE,
                        cli_value(self, a, "format"),
                        cli_value(self, a, "output"), color, false, &out);
  if (rc)
    return rc;
  capplan_source *src;
  capplan_report *report;
  /* With --diagnostics-format json, one array for the spec's diagnostics
   * and the simulation's. */
  cli_diag_opts dg = cli_diag_opts_of(self, a);
  capplan_buf json;
  capplan_buf_init(&json);
  if (dg.format && !strcmp(dg.format, "json"))
    dg.json = &json;
  rc = cli_run_pipeline_with(a->positional[0], &dg, NULL, false,
                             cli_value(self, a, "catalog"), &src, &report);
  if (rc) {
    cli_flush_json_diags(&dg);
    capplan_buf_release(&json);
    return rc;
  }
  bar b;
  clock_gettime(CLOCK_MONOTONIC, &b.start);
  b.drawn = -1;
  b.after = 1;
  const char *after = getenv("CAPPLAN_PROGRESS_AFTER");
  if (after && *after) {
    char *end;
    double v = strtod(after, &end);
    if (!*end && v >= 0 && v <= 3600)
      b.after = v;
  }
  if (isatty(STDERR_FILENO)) {
    o.progress = on_progress;
    o.progress_ctx = &b;
  }
  capplan_diags d;
  capplan_diags_init(&d, src);
  capplan_simulation *sim = capplan_simulate(report, &o, &d);
  cli_print_diags_with(&d, &dg);
  cli_flush_json_diags(&dg);
  capplan_buf_release(&json);
  capplan_diags_release(&d);
  if (!sim) {
    rc = CAPPLAN_EXIT_INPUT;
  } else {
    capplan_buf text;
    capplan_buf_init(&text);
    capplan_render(CAPPLAN_VIEW_SIMULATE, out.format, sim, &out.opts, &text);
    rc = cli_write(&text, out.path);
    capplan_buf_release(&text);
  }
  capplan_simulation_free(sim);
  capplan_report_free(report);
  capplan_source_free(src);
  return rc;
}

const cli_command cmd_simulate = {
    "simulate",
    simulate,
    NULL,
    "SPEC",
    "Run SPEC's plan as a discrete-event simulation, beside the estimate.",
    options,
    sizeof options / sizeof options[0],
    "Simulates every stage as 'estimate' sizes it (its slots, balancer,\n"
    "service time and batches) under Poisson arrivals at traffic.qps (or\n"
    "traffic.arrival_cv), routing requests by share, calls, cache hits,\n"
    "stops and joins.  Per stage and end to end: latency mean, p50, p95,\n"
    "p99 and p99.9, utilization, queue and wait, each with its 95%\n"
    "interval, the analytic figure beside it and the difference, marked\n"
    "'*' where the analytic figure lies outside the interval.  The same\n"
    "seed gives the same output.  A stage at or above 100% never settles:\n"
    "its figures then describe the run's length, and a warning says so.\n"
    "See docs/simulation.md.",
    NULL,
};

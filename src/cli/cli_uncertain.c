/*
 * cli_uncertain.c - the options of Monte Carlo that 'estimate' and
 * 'check' share (--samples, --seed, --threads, --confidence), read into
 * the library's capplan_mc_opts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "units.h"

/* Most trials a run takes: drawing the cost's histogram, every figure
 * that is not a count keeps one double per trial (mc.c). */
#define MAX_SAMPLES 100000000.0

static int whole(const cli_command *cmd, const char *name, const char *text,
                 double lo, double hi, double *out) {
  capplan_buf err, help;
  capplan_buf_init(&err);
  capplan_buf_init(&help);
  char key[48];
  snprintf(key, sizeof key, "--%s", name);
  int rc = 0;
  if (capplan_quantity(text, "count", key, out, &err, &help) < 0) {
    rc = cli_value_error(cmd, err.data, text, help.data);
  } else if (*out != (double)(long long)*out || *out < lo || *out > hi) {
    char msg[160];
    snprintf(msg, sizeof msg, "'%s' takes a whole number from %.0f to %.0f",
             key, lo, hi);
    rc = cli_value_error(cmd, msg, text, NULL);
  }
  capplan_buf_release(&err);
  capplan_buf_release(&help);
  return rc;
}

int cli_mc_opts(const cli_command *cmd, const cli_args *a, capplan_mc_opts *o) {
  memset(o, 0, sizeof *o);
  o->run = true;
  o->seed = 1;
  double v;
  const char *text;
  int rc;
  if ((text = cli_value(cmd, a, "samples"))) {
    if ((rc = whole(cmd, "samples", text, 1, MAX_SAMPLES, &v)))
      return rc;
    o->samples = (size_t)v;
  }
  if ((text = cli_value(cmd, a, "threads"))) {
    if ((rc = whole(cmd, "threads", text, 1, 1024, &v)))
      return rc;
    o->threads = (unsigned)v;
  }
  if ((text = cli_value(cmd, a, "seed"))) {
    /* Any 64-bit seed, in decimal. */
    char *end;
    errno = 0;
    unsigned long long s = strtoull(text, &end, 10);
    if (!*text || *end || errno || text[0] == '-' || text[0] == '+')
      return cli_value_error(cmd,
                             "'--seed' takes a whole number from 0 to "
                             "18446744073709551615",
                             text, NULL);
    o->seed = s;
  }
  if ((text = cli_value(cmd, a, "confidence"))) {
    capplan_buf err, help;
    capplan_buf_init(&err);
    capplan_buf_init(&help);
    rc = 0;
    if (capplan_quantity(text, "fraction", "--confidence", &v, &err, &help) < 0)
      rc = cli_value_error(cmd, err.data, text, help.data);
    else if (!(v > 0 && v < 1))
      rc = cli_value_error(cmd,
                           "'--confidence' is a share of trials above 0% "
                           "and below 100%",
                           text, "e.g. 95% or 0.9");
    capplan_buf_release(&err);
    capplan_buf_release(&help);
    if (rc)
      return rc;
    o->confidence = v;
  }
  o->sensitivity = cli_value(cmd, a, "sensitivity") != NULL;
  return 0;
}

int cli_plot_report(const capplan_report *r, const char *path, bool tornado) {
  capplan_buf svg;
  capplan_buf_init(&svg);
  int rc = 0;
  if (capplan_plot_report(r, tornado, &svg) < 0) {
    fputs("capplan: error: nothing to plot: ", stderr);
    fputs(tornado ? "--sensitivity found no range to swing"
                  : "the spec has no ranges, so there is no distribution",
          stderr);
    fputs("\n  = help: give an input as a range, e.g. 'qps: 20K to 40K'\n",
          stderr);
    rc = CAPPLAN_EXIT_INPUT;
  } else {
    rc = cli_write(&svg, path);
  }
  capplan_buf_release(&svg);
  return rc;
}

int cli_library_error(const cli_command *cmd, const capplan_buf *err,
                      const capplan_buf *help) {
  fprintf(stderr, "capplan %s: error: ", cmd->name);
  cli_put_safe(stderr, err->data ? err->data : "invalid input");
  fputc('\n', stderr);
  if (help->data && *help->data) {
    fputs("  = help: ", stderr);
    cli_put_safe(stderr, help->data);
    fputc('\n', stderr);
  }
  fprintf(stderr, "run 'capplan help %s' for its options\n", cmd->name);
  return CAPPLAN_EXIT_INPUT;
}

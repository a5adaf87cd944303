/*
 * cmd_calc.c - capplan calc TOPIC [--option VALUE...]: one-line answers
 * with the formula shown.  The topics, their options and their maths live
 * in the library (calc.c); this file only gathers the options.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calc.h"
#include "cli.h"
#include "util.h"

static void list_topics(capplan_buf *out) {
  size_t n;
  const capplan_calc_topic *t = capplan_calc_topics(&n);
  capplan_buf_puts(out, "usage: capplan calc TOPIC [OPTIONS] [--json]\n\n"
                        "topics:\n");
  for (size_t i = 0; i < n; i++)
    capplan_buf_printf(out, "  %-13s %s\n  %-13s   e.g. %s\n", t[i].name,
                       t[i].summary, "", t[i].example);
  capplan_buf_puts(out, "\nValues take the units of specs: 500M, 20/day, "
                        "10ms, $2/hour, 99.95%, 100B.\n");
}

static const capplan_calc_topic *find(const char *name) {
  size_t n;
  const capplan_calc_topic *t = capplan_calc_topics(&n);
  for (size_t i = 0; i < n; i++)
    if (!strcmp(t[i].name, name))
      return &t[i];
  return NULL;
}

static int topic_error(const capplan_calc_topic *t, const char *msg) {
  fprintf(stderr, "capplan calc %s: error: ", t->name);
  cli_put_safe(stderr, msg); /* it quotes the command line */
  fputc('\n', stderr);
  fprintf(stderr, "usage: capplan calc %s %s [--json]\n", t->name, t->usage);
  fprintf(stderr, "e.g.   %s\n", t->example);
  return CAPPLAN_EXIT_INPUT;
}

static int run(const cli_command *self, int argc, char **argv) {
  capplan_buf out;
  capplan_buf_init(&out);
  if (argc == 0 || !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
    list_topics(&out);
    int rc = cli_write(&out, NULL);
    capplan_buf_release(&out);
    return rc;
  }
  const capplan_calc_topic *t = find(argv[0]);
  if (!t) {
    capplan_buf err;
    capplan_buf_init(&err);
    capplan_calc_free(capplan_calc_run(argv[0], NULL, 0, &err));
    int rc = cli_usage_error(self, "%s; 'capplan calc' lists the topics",
                             err.data ? err.data : "unknown topic");
    capplan_buf_release(&err);
    return rc;
  }
  /* --name v1 v2 ...: the values up to the next option; a bare value
   * before any option stands for the topic's main input. */
  capplan_calc_arg *args = xcalloc((size_t)argc + 1, sizeof *args);
  size_t n = 0;
  bool json = false, help = false;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--json")) {
      json = true;
      continue;
    }
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      help = true;
      continue;
    }
    if (!strncmp(a, "--", 2) && a[2]) {
      args[n].name = a + 2;
      args[n].values = (const char *const *)&argv[i + 1];
      while (i + 1 < argc && strncmp(argv[i + 1], "--", 2)) {
        args[n].n_values++;
        i++;
      }
      n++;
    } else {
      args[n].name = NULL;
      args[n].values = (const char *const *)&argv[i];
      args[n].n_values = 1;
      n++;
    }
  }
  int rc;
  if (help) {
    capplan_buf_printf(&out, "usage: capplan calc %s %s [--json]\n\n", t->name,
                       t->usage);
    /* The summary, as a sentence. */
    capplan_buf_printf(&out, "%c%s.\n\noptions:\n", toupper(t->summary[0]),
                       t->summary + 1);
    for (size_t k = 0; k < t->n_options; k++) {
      const capplan_calc_option *o = &t->options[k];
      char left[40];
      snprintf(left, sizeof left, "--%s%s%s", o->name, o->value_name ? " " : "",
               o->value_name ? o->value_name : "");
      capplan_buf_printf(&out, "  %-22s %s\n", left, o->help);
    }
    capplan_buf_printf(&out, "  %-22s %s\n\ne.g. %s\n", "--json",
                       "inputs, results and steps as JSON", t->example);
    rc = cli_write(&out, NULL);
  } else {
    capplan_buf err;
    capplan_buf_init(&err);
    capplan_calc *c = capplan_calc_run(t->name, args, n, &err);
    if (!c) {
      rc = topic_error(t, err.data ? err.data : "invalid options");
    } else {
      capplan_render_calc(c, json ? CAPPLAN_FORMAT_JSON : CAPPLAN_FORMAT_TABLE,
                          &out);
      rc = cli_write(&out, NULL);
    }
    capplan_calc_free(c);
    capplan_buf_release(&err);
  }
  free(args);
  capplan_buf_release(&out);
  return rc;
}

const cli_command cmd_calc = {
    "calc",
    NULL,
    run,
    "TOPIC [OPTIONS]",
    "Answer a sizing question with the formula shown (capplan calc lists "
    "them).",
    NULL,
    0,
    "Topics: qps, throughput, servers, cost, nines, availability, storage,\n"
    "bandwidth, little, batch, sample-size.  '--json' gives the inputs,\n"
    "results and steps as JSON.",
};

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
  size_t n = capplan_calc_n_topics();
  capplan_buf_puts(out, "usage: capplan calc TOPIC [OPTIONS] [--json]\n\n"
                        "topics:\n");
  for (size_t i = 0; i < n; i++)
    capplan_buf_printf(out, "  %-13s %s\n  %-13s   e.g. %s\n",
                       capplan_calc_topic_at(i)->name,
                       capplan_calc_topic_at(i)->summary, "",
                       capplan_calc_topic_at(i)->example);
  capplan_buf_puts(out, "\nValues take the units of specs: 500M, 20/day, "
                        "10ms, $2/hour, 99.95%, 100B.\n");
}

static const capplan_calc_topic *find(const char *name) {
  size_t n = capplan_calc_n_topics();
  for (size_t i = 0; i < n; i++)
    if (!strcmp(capplan_calc_topic_at(i)->name, name))
      return capplan_calc_topic_at(i);
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

/* The topic's help: its usage, summary, options and example. */
static void topic_help(const capplan_calc_topic *t, capplan_buf *out) {
  capplan_buf_printf(out, "usage: capplan calc %s %s [--json]\n\n", t->name,
                     t->usage);
  /* The summary, as a sentence. */
  capplan_buf_printf(out, "%c%s.\n\noptions:\n", toupper(t->summary[0]),
                     t->summary + 1);
  for (size_t k = 0; k < capplan_calc_n_options(t); k++) {
    const capplan_calc_option *o = &t->options[k];
    char left[40];
    snprintf(left, sizeof left, "--%s%s%s", o->name, o->value_name ? " " : "",
             o->value_name ? o->value_name : "");
    capplan_buf_printf(out, "  %-22s %s\n", left, o->help);
  }
  capplan_buf_printf(out, "  %-22s %s\n\ne.g. %s\n", "--json",
                     "inputs, results and steps as JSON", t->example);
}

/* A topic is a command of its own for the option parser: its options
 * from calc's topic table (a list option takes values up to the next
 * option; none may be given twice), and --json. */
static int run_topic(const capplan_calc_topic *t, int argc, char **argv) {
  size_t n = capplan_calc_n_options(t);
  cli_option opts[CALC_MAX_OPTIONS + 1];
  for (size_t k = 0; k < n; k++) {
    const capplan_calc_option *o = &t->options[k];
    opts[k] =
        (cli_option){o->name, 0, o->value_name, o->help,
                     CLI_ONCE | (!strcmp(o->kind, "list") ? CLI_LIST : 0u)};
  }
  opts[n] =
      (cli_option){"json", 0, NULL, "inputs, results and steps as JSON", 0};
  char name[64];
  snprintf(name, sizeof name, "calc %s", t->name);
  char usage[256];
  snprintf(usage, sizeof usage, "%s [--json]", t->usage);
  const cli_command cmd = {name, NULL,  NULL, usage,     t->summary,
                           opts, n + 1, NULL, t->example};
  cli_args a;
  if (cli_parse(&cmd, argc, argv, &a))
    return CAPPLAN_EXIT_INPUT;
  capplan_buf out;
  capplan_buf_init(&out);
  int rc;
  if (a.help) {
    topic_help(t, &out);
    rc = cli_write(&out, NULL);
    capplan_buf_release(&out);
    cli_args_release(&a);
    return rc;
  }
  /* What was given, in the order of the topic's options; a bare value
   * stands for the topic's main input. */
  capplan_calc_arg *args = xcalloc(n + 2, sizeof *args);
  size_t m = 0;
  rc = 0;
  for (size_t k = 0; k < n; k++) {
    if (!a.values[k])
      continue;
    args[m].name = t->options[k].name;
    args[m].values =
        a.lists[k] ? (const char *const *)a.lists[k] : &a.values[k];
    args[m].n_values = a.counts[k];
    m++;
  }
  /* Values without an option: the topic's main input (once), else a
   * stray word, named with what it follows. */
  for (size_t p = 0; p < a.n_positional && !rc; p++) {
    long k = a.after_option[p];
    bool main_input = p == 0 && t->positional && (k < 0 || !opts[k].value);
    capplan_buf msg;
    capplan_buf_init(&msg);
    if (main_input) {
      args[m++] = (capplan_calc_arg){NULL, &a.positional[0], 1};
    } else if (k >= 0 && !opts[k].value) {
      capplan_buf_printf(&msg, "--%s takes no value, got '%s'", opts[k].name,
                         a.positional[p]);
    } else if (k >= 0) {
      capplan_buf_printf(&msg,
                         "unexpected '%s' after '--%s %s' (--%s takes one "
                         "value)",
                         a.positional[p], opts[k].name, a.values[k],
                         opts[k].name);
    } else {
      capplan_buf_printf(&msg, "unexpected '%s'", a.positional[p]);
    }
    if (msg.data)
      rc = topic_error(t, msg.data);
    capplan_buf_release(&msg);
  }
  if (!rc) {
    capplan_buf err;
    capplan_buf_init(&err);
    capplan_calc *c = capplan_calc_run(t->name, args, m, &err);
    if (!c) {
      rc = topic_error(t, err.data ? err.data : "invalid options");
    } else {
      bool json = a.values[n] != NULL;
      capplan_render_calc(c, json ? CAPPLAN_FORMAT_JSON : CAPPLAN_FORMAT_TABLE,
                          &out);
      rc = cli_write(&out, NULL);
    }
    capplan_calc_free(c);
    capplan_buf_release(&err);
  }
  free(args);
  cli_args_release(&a);
  capplan_buf_release(&out);
  return rc;
}

static int run(const cli_command *self, int argc, char **argv) {
  if (argc == 0 || !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
    capplan_buf out;
    capplan_buf_init(&out);
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
  return run_topic(t, argc - 1, argv + 1);
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
    NULL,
};

/*
 * main.c - capplan's entry point: find the subcommand, run it, exit.
 *
 * Commands come from one table; 'capplan --help' and 'capplan help CMD'
 * are generated from it.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "util.h"

/* The commit capplan was built from (CMakeLists.txt, at configure time). */
#ifndef CAPPLAN_COMMIT
#define CAPPLAN_COMMIT "unknown"
#endif

const cli_command *const cli_commands[] = {
    &cmd_estimate, &cmd_check,    &cmd_diff, &cmd_explain,  &cmd_sweep,
    &cmd_forecast, &cmd_calc,     &cmd_init, &cmd_validate, &cmd_catalog,
    &cmd_graph,    &cmd_simulate, &cmd_help,
};
const size_t cli_n_commands = ARRAY_LEN(cli_commands);

static const cli_command *find(const char *name) {
  for (size_t i = 0; i < cli_n_commands; i++)
    if (!strcmp(cli_commands[i]->name, name))
      return cli_commands[i];
  return NULL;
}

static void main_help(FILE *f) {
  fprintf(f,
          "capplan %s - capacity planning for ML and web serving systems\n"
          "\n"
          "usage: capplan COMMAND [ARGS]\n"
          "\n"
          "commands:\n",
          CAPPLAN_VERSION);
  for (size_t i = 0; i < cli_n_commands; i++)
    fprintf(f, "  %-10s %s\n", cli_commands[i]->name, cli_commands[i]->summary);
  fprintf(f, "\n"
             "exit codes:\n"
             "  0  ok; every check passed\n"
             "  1  the plan breaks a budget or SLO (the report is still "
             "printed)\n"
             "  2  bad input: usage error, unreadable or invalid spec\n"
             "  3  I/O or internal error\n"
             "\n"
             "Run 'capplan help COMMAND' for a command's options; the spec "
             "format is in docs/spec.md.\n");
}

static int unknown_command(const char *name) {
  const char *names[16];
  size_t n = 0;
  if (name[0] == '-') {
    /* An option before any command: a typo of one of capplan's own. */
    static const char *const opts[] = {"--help", "--version"};
    const char *best = closest_word(name, opts, ARRAY_LEN(opts));
    fputs("capplan: error: unknown option '", stderr);
    cli_put_safe(stderr, name);
    if (best)
      fprintf(stderr, "' (did you mean '%s'?)\n", best);
    else
      fputs("'\n", stderr);
    fprintf(stderr, "run 'capplan --help' for the commands and options\n");
    return CAPPLAN_EXIT_INPUT;
  }
  for (size_t i = 0; i < cli_n_commands && n < ARRAY_LEN(names); i++)
    names[n++] = cli_commands[i]->name;
  const char *best = closest_word(name, names, n);
  fputs("capplan: error: unknown command '", stderr);
  cli_put_safe(stderr, name);
  if (best)
    fprintf(stderr, "' (did you mean '%s'?)\n", best);
  else
    fputs("'\n", stderr);
  fprintf(stderr, "run 'capplan --help' for the list of commands\n");
  return CAPPLAN_EXIT_INPUT;
}

static int help_run(const cli_command *self, int argc, char **argv) {
  (void)self;
  if (argc == 0) {
    main_help(stdout);
    return CAPPLAN_EXIT_OK;
  }
  const cli_command *cmd = find(argv[0]);
  if (!cmd)
    return unknown_command(argv[0]);
  cli_print_help(cmd);
  return CAPPLAN_EXIT_OK;
}

const cli_command cmd_help = {
    "help",
    NULL,
    help_run,
    "[COMMAND]",
    "Show help for capplan or one command.",
    NULL,
    0,
    NULL,
    NULL,
};

/* tools/gen_man.c and tools/gen_completions.c build this file for its
 * command table, without main(). */
#ifndef CAPPLAN_NO_MAIN
int main(int argc, char **argv) {
  /* A reader that closes the pipe early (capplan ... | head -1) ends the
   * run quietly; cli_write() treats EPIPE as done. */
  signal(SIGPIPE, SIG_IGN);
  cli_heap_setup();
  if (argc < 2) {
    main_help(stderr);
    return CAPPLAN_EXIT_INPUT;
  }
  const char *name = argv[1];
  if (!strcmp(name, "--help") || !strcmp(name, "-h")) {
    main_help(stdout);
    return CAPPLAN_EXIT_OK;
  }
  if (!strcmp(name, "--version") || !strcmp(name, "-V")) {
    printf("capplan %s (commit %s)\n", CAPPLAN_VERSION, CAPPLAN_COMMIT);
    return CAPPLAN_EXIT_OK;
  }
  const cli_command *cmd = find(name);
  if (!cmd)
    return unknown_command(name);
  int rc;
  if (cmd->main) {
    cli_args a;
    if (cli_parse(cmd, argc - 2, argv + 2, &a))
      return CAPPLAN_EXIT_INPUT;
    rc = cmd->main(cmd, &a);
    cli_args_release(&a);
  } else {
    rc = cmd->run(cmd, argc - 2, argv + 2);
  }
  if (fflush(stdout) != 0 && rc == CAPPLAN_EXIT_OK) {
    perror("capplan: error: cannot write to standard output");
    return CAPPLAN_EXIT_IO;
  }
  return rc;
}
#endif

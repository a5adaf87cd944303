/*
 * cli.h - what the subcommands share: option parsing, colour policy,
 * diagnostics on stderr, and output to stdout or atomically to a file.
 *
 * The CLI is thin: it parses arguments, calls the pipeline, prints what the
 * library produced and picks the exit code.  It computes nothing.
 */
#ifndef CAPPLAN_CLI_H
#define CAPPLAN_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "capplan.h"

/* How an option takes values (cli_option.flags). */
enum {
  CLI_LIST = 1u << 0, /* one or more values, up to the next --option */
  CLI_ONCE = 1u << 1  /* giving it twice is an error (else the last wins) */
};

/* One option a command accepts. */
typedef struct cli_option {
  const char *name;  /* long name without dashes, e.g. "format" */
  char short_name;   /* e.g. 'o', or 0 */
  const char *value; /* metavariable if it takes a value, e.g. "FILE" */
  const char *help;
  unsigned flags; /* CLI_LIST, CLI_ONCE */
} cli_option;

/* A subcommand: one file each (cmd_<name>.c), dispatched from main.c. */
struct cli_args;

typedef struct cli_command {
  const char *name;
  /* The command, given its parsed options (cli_parse, by the
   * dispatcher); or, when NULL, RUN takes the raw arguments (calc, help,
   * whose arguments are not a fixed set of options). */
  int (*main)(const struct cli_command *self, const struct cli_args *a);
  int (*run)(const struct cli_command *self, int argc, char **argv);
  const char *args;    /* e.g. "SPEC" */
  const char *summary; /* one line for 'capplan --help' */
  const cli_option *options;
  size_t n_options;
  const char *help; /* paragraph for 'capplan help CMD', or NULL */
  /* An example usage error messages end with (calc's topics), instead
   * of pointing at 'capplan help'; ARGS is then the whole usage. */
  const char *example;
} cli_command;

/* The parsed command line of one subcommand. */
typedef struct cli_args {
  const char **values; /* per option: its value, "" for a flag, NULL */
  /* per option: its values in ARGV and how many (a list has one or more;
   * a single value, one; a flag, none) */
  char *const **lists;
  size_t *counts;
  const char **positional;
  /* per positional: the option just before it (index), or -1 */
  long *after_option;
  size_t n_positional;
  bool help;
} cli_args;

/* Parses ARGV (after the command name): the one option parser of every
 * command, calc's topics included.  Returns 0, or -1 after printing a
 * usage error.  Release with cli_args_release(). */
int cli_parse(const cli_command *cmd, int argc, char **argv, cli_args *out);
void cli_args_release(cli_args *a);
/* The value of option NAME, or NULL when absent. */
const char *cli_value(const cli_command *cmd, const cli_args *a,
                      const char *name);

/* Writes S (NULL: nothing) to F with control characters and bytes that
 * are not UTF-8 shown as escapes (text_escape): for anything quoted from
 * the command line, a path or a spec. */
void cli_put_safe(FILE *f, const char *s);

/* Prints "capplan CMD: error: ..." and the command's usage line to stderr;
 * returns CAPPLAN_EXIT_INPUT. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
int cli_usage_error(const cli_command *cmd, const char *fmt, ...);
/* Checks that exactly one SPEC was given.  Returns 0 or a usage error. */
int cli_one_spec(const cli_command *cmd, const cli_args *a);
/* A usage error about the value TEXT of an option: the message, what was
 * given, and HELP (may be NULL or empty) on a line of its own. */
int cli_value_error(const cli_command *cmd, const char *message,
                    const char *text, const char *help);
/* Prints the full help of CMD to stdout. */
void cli_print_help(const cli_command *cmd);

/* Colour for a stream: --color wins, then NO_COLOR and TERM=dumb, then
 * whether the stream is a terminal.  WHEN is "auto", "always", "never"
 * or NULL. */
int cli_color(const char *when, int fd, bool *out);

/* Sorts and prints diagnostics to stderr; COLOR is the --color value
 * (NULL: auto, colour on a terminal). */
void cli_print_diags(capplan_diags *d, const char *color);

/* Writes BUF to PATH atomically (temporary file + rename), or to stdout
 * when PATH is NULL or "-".  Returns 0, or CAPPLAN_EXIT_IO after printing
 * why.  A reader that closed the pipe early is not an error. */
int cli_write(const capplan_buf *buf, const char *path);

/* The input limits: the defaults, changed by the environment variable
 * CAPPLAN_LIMITS (docs/security.md).  Returns 0, or CAPPLAN_EXIT_INPUT
 * after saying what is wrong with the variable. */
int cli_limits(capplan_limits *limits);

/* Reads SPEC_PATH and runs the pipeline (capplan_run), printing every
 * diagnostic (warnings too) to stderr, coloured as COLOR (--color) says.
 * CHECK (may be NULL) tightens the spec's limits; WORKING records the
 * working for 'explain'.  Returns 0 with *REPORT set (free it and *SRC
 * after use), or CAPPLAN_EXIT_INPUT. */
int cli_run_pipeline(const char *spec_path, const char *color,
                     const capplan_check_opts *check, bool working,
                     capplan_source **src, capplan_report **report);

/* Where and how a report goes, from --format, -o and --color. */
typedef struct cli_output {
  enum capplan_format format;
  capplan_render_opts opts;
  const char *path; /* NULL for standard output */
} cli_output;

/* Checks the option values (each may be NULL) before any work is done.
 * WIDE keeps every column; else a table fits the terminal's width
 * (COLUMNS, else the terminal's, else 80) on a terminal, and any width on
 * a pipe or file unless COLUMNS is set.  Returns 0, or CAPPLAN_EXIT_INPUT
 * after a usage error. */
int cli_output_setup(const cli_command *cmd, enum capplan_view view,
                     const char *format, const char *path, const char *color,
                     bool wide, cli_output *out);

/* Reads PATH as a capplan JSON report if it is one (by content), else as
 * a spec through the pipeline; prints diagnostics.  Returns 0 with *ROWS
 * set (free with capplan_plan_rows_free), or CAPPLAN_EXIT_INPUT. */
int cli_load_plan_rows(const char *path, const char *color,
                       capplan_plan_rows **rows);

/* Parses the value of option NAME as a quantity of KIND (see
 * capplan_quantity) into *LIMIT.  Returns 0, or a usage error. */
int cli_limit(const cli_command *cmd, const cli_args *a, const char *name,
              const char *kind, capplan_limit *limit);

/* Renders REPORT (as a whole, or its checks) and writes it.  Returns the
 * exit code: 0, 1 if a check failed, 3 if writing failed. */
int cli_emit_report(const capplan_report *report, enum capplan_view view,
                    const cli_output *out);

/* The commands, in the order 'capplan --help' lists them. */
extern const cli_command *const cli_commands[];
extern const size_t cli_n_commands;

extern const cli_command cmd_estimate, cmd_validate, cmd_check, cmd_diff,
    cmd_explain, cmd_calc, cmd_init, cmd_catalog, cmd_help;
extern const cli_command cmd_simulate;

#endif

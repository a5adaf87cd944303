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

/* The option every command that prints diagnostics takes. */
#define CLI_DIAGNOSTICS_OPTION                                                 \
  { "diagnostics-format", 0, "FORMAT", "text (default), github or json", 0 }

/* How a command prints diagnostics: its --color and --diagnostics-format
 * values (each NULL when absent: auto and text). */
typedef struct cli_diag_opts {
  const char *color, *format;
  /* With the json format: when set, the objects are appended here (for
   * one array of several sources' diagnostics, cli_flush_json_diags)
   * instead of printed. */
  capplan_buf *json;
  bool json_first;
} cli_diag_opts;
cli_diag_opts cli_diag_opts_of(const cli_command *cmd, const cli_args *a);
/* cli_print_diags in the format DG asks for: text (with the count line),
 * GitHub workflow commands, or one JSON array. */
void cli_print_diags_with(capplan_diags *d, cli_diag_opts *dg);
/* Prints the array DG->json gathered (if any) to stderr. */
void cli_flush_json_diags(cli_diag_opts *dg);

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
                     const char *catalog_path, capplan_source **src,
                     capplan_report **report);
/* The same, with diagnostics printed as DG says. */
int cli_run_pipeline_with(const char *spec_path, cli_diag_opts *dg,
                          const capplan_check_opts *check, bool working,
                          const char *catalog_path, capplan_source **src,
                          capplan_report **report);

/* Reads the catalog file PATH (--catalog) over the built-in catalog,
 * printing its diagnostics.  Returns 0 with *OUT set (NULL when PATH is
 * NULL: the built-in one, read by the pipeline when needed; free with
 * capplan_catalog_free), or CAPPLAN_EXIT_INPUT. */
int cli_catalog(const char *path, const char *color, capplan_catalog **out);
int cli_catalog_with(const char *path, cli_diag_opts *dg,
                     capplan_catalog **out);

/* The --catalog option of every command that reads specs. */
#define CLI_CATALOG_OPTION                                                     \
  {                                                                            \
    "catalog", 0, "FILE",                                                      \
        "a catalog file that adds or overrides accelerators, instances and "   \
        "models (docs/catalog.md)",                                            \
        0                                                                      \
  }

/* The heap a run allocates from (heap.c): kept for the whole process
 * (cli_heap_setup, first thing in main), and grown once, in 2 MB pages
 * where the kernel gives them, to the size a spec of SPEC_LEN bytes
 * needs (cli_heap_expect, as the spec is read).  Speed only. */
void cli_heap_setup(void);
void cli_heap_expect(size_t spec_len);

/* cli_run_pipeline with Monte Carlo as MC asks (NULL: none) and the
 * inputs PATHS names found (capplan_run_uncertain). */
int cli_run(const char *spec_path, const char *color,
            const capplan_check_opts *check, bool working,
            const capplan_mc_opts *mc, const char *const *paths, size_t n_paths,
            capplan_source **src, capplan_report **report);
/* The same with diagnostics as DG says and a --catalog file (NULL: the
 * built-in catalog). */
int cli_run_with(const char *spec_path, cli_diag_opts *dg,
                 const capplan_check_opts *check, bool working,
                 const char *catalog_path, const capplan_mc_opts *mc,
                 const char *const *paths, size_t n_paths, capplan_source **src,
                 capplan_report **report);

/* The options of Monte Carlo a command has (--samples, --seed, --threads,
 * --confidence, --sensitivity; those it lacks keep their defaults) into
 * O, which asks for a run.  Returns 0, or a usage error
 * (cli_uncertain.c). */
int cli_mc_opts(const cli_command *cmd, const cli_args *a, capplan_mc_opts *o);
/* Writes R's plot (capplan_plot_report) to PATH atomically.  Returns 0,
 * CAPPLAN_EXIT_INPUT when there is nothing to plot, or CAPPLAN_EXIT_IO. */
int cli_plot_report(const capplan_report *r, const char *path, bool tornado);
/* Prints what the library said was wrong (ERR) and how to fix it (HELP,
 * may be empty) as a usage error of CMD; returns CAPPLAN_EXIT_INPUT. */
int cli_library_error(const cli_command *cmd, const capplan_buf *err,
                      const capplan_buf *help);
/* The option rows of Monte Carlo, for a command's table. */
#define CLI_MC_OPTIONS                                                         \
  {"samples", 0, "N", "Monte Carlo trials over ranges (default 10K)",          \
   CLI_ONCE},                                                                  \
      {"seed", 0, "S", "seed of the trials (default 1)", CLI_ONCE},            \
      {"threads", 0, "T", "threads (default: all cores; same result)",         \
       CLI_ONCE},                                                              \
  {                                                                            \
    "confidence", 0, "P", "share of trials a check needs (default 95%)",       \
        CLI_ONCE                                                               \
  }

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
                       const capplan_catalog *catalog,
                       capplan_plan_rows **rows);
int cli_load_plan_rows_with(const char *path, cli_diag_opts *dg,
                            const capplan_catalog *catalog,
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
    cmd_explain, cmd_calc, cmd_init, cmd_catalog, cmd_help, cmd_graph,
    cmd_sweep, cmd_forecast, cmd_simulate;

#endif

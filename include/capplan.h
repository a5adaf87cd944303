/*
 * capplan.h - the public interface of the capplan core library.
 *
 * capplan turns a YAML description of a serving system into server, GPU,
 * cost, latency and availability figures.  Data flows one way:
 *
 *   source --load--> spec --build--> graph --estimate--> report --render-->
 * text
 *
 * Every step is a function below.  Each product owns its memory and is
 * released by one *_free() call, which accepts NULL.  Functions that can
 * fail append diagnostics to a caller-owned capplan_diags list and return
 * NULL (or -1); the library never prints and never exits.
 */
#ifndef CAPPLAN_H
#define CAPPLAN_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#define CAPPLAN_VERSION "0.1.0"
/* Version of the JSON report format (docs/report.schema.json). */
#define CAPPLAN_REPORT_SCHEMA_VERSION "1.0"

/* Process exit codes, shared by every subcommand (docs/cli.md). */
enum capplan_exit {
  CAPPLAN_EXIT_OK = 0,     /* ok; every check passed */
  CAPPLAN_EXIT_FAILED = 1, /* a budget or SLO check failed */
  CAPPLAN_EXIT_INPUT = 2,  /* usage error, unreadable or invalid spec */
  CAPPLAN_EXIT_IO = 3      /* output or internal error */
};

/* ---------------------------------------------------------------- text */

/* A growable byte buffer; always NUL-terminated after the first append.
 * A buffer with a sink (capplan_buf_stream) hands its text to the sink
 * whenever it would otherwise grow, and keeps only what has not gone out
 * yet: the output of a 100,000-stage report is written as it is made
 * instead of held whole.  Only a writer that never reads back what it
 * appended may be given one. */
typedef struct capplan_buf {
  char *data;
  size_t len, cap;
  void (*sink)(void *ctx, const char *data, size_t n);
  void *sink_ctx;
} capplan_buf;

void capplan_buf_init(capplan_buf *b);
void capplan_buf_release(capplan_buf *b);
void capplan_buf_put(capplan_buf *b, const char *s, size_t n);
void capplan_buf_puts(capplan_buf *b, const char *s);
void capplan_buf_putc(capplan_buf *b, char c);
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void capplan_buf_printf(capplan_buf *b, const char *fmt, ...);
#if defined(__GNUC__)
__attribute__((format(printf, 2, 0)))
#endif
void capplan_buf_vprintf(capplan_buf *b, const char *fmt, va_list ap);
/* Gives B (empty) a capacity of CHUNK bytes and SINK, which receives the
 * text in order, a chunk at a time; capplan_buf_flush hands it the rest.
 * capplan_buf_release drops the sink. */
void capplan_buf_stream(capplan_buf *b, size_t chunk,
                        void (*sink)(void *ctx, const char *data, size_t n),
                        void *ctx);
void capplan_buf_flush(capplan_buf *b);

/* -------------------------------------------------------- diagnostics */

/* A place in a source file: 1-based line and column (in characters), and
 * the length of the span to underline.  line == 0 means "no place". */
typedef struct capplan_loc {
  int line, col, len;
} capplan_loc;

/* The text of a spec, as read from a file or standard input. */
typedef struct capplan_source {
  char *path; /* as given by the user; "-" for standard input */
  char *text; /* NUL-terminated copy of the bytes */
  size_t len;
} capplan_source;

enum capplan_severity { CAPPLAN_ERROR, CAPPLAN_WARNING };

typedef struct capplan_diag {
  enum capplan_severity severity;
  capplan_loc loc;
  char *message; /* what is wrong, subject in single quotes */
  char *help;    /* how to fix it, or NULL */
  size_t seq;    /* order of discovery, for a stable sort */
} capplan_diag;

/* A list of diagnostics about one source (which may be NULL). */
typedef struct capplan_diags {
  capplan_diag *items;
  size_t count, cap;
  size_t errors, warnings;
  const capplan_source *src;
} capplan_diags;

void capplan_diags_init(capplan_diags *d, const capplan_source *src);
void capplan_diags_release(capplan_diags *d);
#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
void capplan_diags_add(capplan_diags *d, enum capplan_severity sev,
                       capplan_loc loc, const char *help, const char *fmt,
                       ...);
/* Sorts by position (diagnostics without a place last), keeping the order
 * of discovery among equals. */
void capplan_diags_sort(capplan_diags *d);
/* Formats every diagnostic compiler-style, with the source line and a caret
 * under the span; colour adds ANSI escapes. */
void capplan_diags_render(const capplan_diags *d, bool color, capplan_buf *out);

/* How diagnostics are written (--diagnostics-format). */
enum capplan_diag_format {
  CAPPLAN_DIAG_TEXT,   /* for people: capplan_diags_render */
  CAPPLAN_DIAG_GITHUB, /* GitHub Actions workflow commands (annotations) */
  CAPPLAN_DIAG_JSON    /* one JSON array */
};
/* Parses "text", "github" or "json"; -1 for anything else. */
int capplan_diag_format_parse(const char *name, enum capplan_diag_format *out);
/* One "::error file=F,line=L,col=C::MESSAGE" line per diagnostic (or
 * ::warning), escaped as GitHub decodes workflow commands. */
void capplan_diags_render_github(const capplan_diags *d, capplan_buf *out);
/* A JSON array of {severity, file, line, column, message, help}, one
 * object a line, each line after the first starting with INDENT; no
 * newline after the closing bracket. */
void capplan_diags_render_json(const capplan_diags *d, const char *indent,
                               capplan_buf *out);
/* Appends S as a JSON string, quotes included: C0 and C1 controls and
 * DEL as \u escapes, a byte that is not UTF-8 as U+FFFD. */
void capplan_json_puts(capplan_buf *out, const char *s);
/* The objects of that array alone, each after a comma unless *FIRST (then
 * cleared): for one array of the diagnostics of several sources. */
void capplan_diags_render_json_items(const capplan_diags *d, const char *indent,
                                     bool *first, capplan_buf *out);

/* ------------------------------------------------------------- source */

/* Options that bound what a spec may make capplan do (docs/security.md). */
typedef struct capplan_limits {
  size_t max_input_bytes; /* size of the spec file */
  int max_depth;          /* YAML nesting depth */
  size_t max_nodes;       /* YAML nodes, counting alias references */
  size_t max_aliases;     /* alias references */
  size_t max_stages;
  size_t max_name_len; /* names of stages, hardware and groups */
  size_t max_string_len;
} capplan_limits;

/* The defaults: 16 MiB, depth 64, 4M nodes, 1000 aliases, 200000 stages,
 * names of 128 bytes, strings of 4096 bytes. */
capplan_limits capplan_limits_default(void);

/* Applies SETTINGS, "name=value,..." with names input, depth, nodes,
 * aliases, stages, name and string (e.g. "input=32MiB,stages=500K"), to
 * *LIMITS.  Returns 0, or -1 with what is wrong in ERR. */
int capplan_limits_parse(const char *settings, capplan_limits *limits,
                         capplan_buf *err);

/* Reads PATH ("-" is standard input).  On error appends a diagnostic and
 * returns NULL.  Free with capplan_source_free(). */
capplan_source *capplan_source_read(const char *path,
                                    const capplan_limits *limits,
                                    capplan_diags *d);
/* Wraps a copy of a buffer (for tests and fuzzing). */
capplan_source *capplan_source_new(const char *path, const char *text,
                                   size_t len);
void capplan_source_free(capplan_source *src);

/* ------------------------------------------------------------ catalog */

/* The catalog of accelerators, cloud instances and LLMs (docs/catalog.md):
 * the built-in one, embedded in the library, with the entries of a
 * catalog file added or overriding its fields (opaque). */
typedef struct capplan_catalog capplan_catalog;

/* The built-in catalog merged with the catalog file in SRC (NULL: the
 * built-in alone).  Returns NULL with every error in D (about SRC).  Free
 * with capplan_catalog_free() (accepts NULL). */
capplan_catalog *capplan_catalog_load(const capplan_source *src,
                                      const capplan_limits *limits,
                                      capplan_diags *d);
void capplan_catalog_free(capplan_catalog *c);

/* ----------------------------------------------------------- pipeline */

/* The plan of a spec: its model, the figures of one evaluation and,
 * when asked, the working behind each (opaque; the renderers read it). */
typedef struct capplan_report capplan_report;

/* A limit from the command line; an unset limit does nothing. */
typedef struct capplan_limit {
  bool set;
  double value;
} capplan_limit;

/* Limits that add to, or tighten, the spec's slo and budget ('capplan
 * check'); they never loosen them. */
typedef struct capplan_check_opts {
  capplan_limit max_cost;         /* USD per year */
  capplan_limit max_latency;      /* seconds */
  capplan_limit min_availability; /* fraction */
  capplan_limit max_gpus, max_servers;
  /* End-to-end latency percentiles, seconds: p50, p95, p99, p999 */
  capplan_limit max_latency_p[4];
} capplan_check_opts;

/* Monte Carlo over the ranges of a spec (SPEC.md section 8). */
typedef struct capplan_mc_opts {
  bool run;                /* run it when the spec has ranges */
  size_t samples;          /* trials; 0: 10,000 */
  unsigned long long seed; /* the same seed gives the same report */
  unsigned threads;        /* 0: one per core; never changes the result */
  double confidence;       /* a check passes when its plan passes in at
                              least this share of trials; 0: 95% */
  bool sensitivity;        /* swing each range from p5 to p95 alone */
  bool histogram; /* keep the cost per year's histogram, which the plot of
                     capplan_plot_report draws (it reads every trial) */
} capplan_mc_opts;

typedef struct capplan_run_opts {
  const capplan_limits *limits;    /* NULL: the defaults */
  const capplan_check_opts *check; /* NULL: the spec's limits only */
  bool working; /* record the working of every figure ('explain') */
  /* The catalog hardware and models are named from; NULL: the built-in
   * one (read again by each run). */
  const capplan_catalog *catalog;
} capplan_run_opts;

/* The pipeline every command runs: reads the spec in SRC, resolves it and
 * evaluates the plan.  Every diagnostic of every step goes to D (warnings
 * too); returns NULL if any is an error.  OPTS may be NULL.  The report
 * owns all its memory and does not point into SRC; free it with
 * capplan_report_free() (accepts NULL). */
capplan_report *capplan_run(const capplan_source *src,
                            const capplan_run_opts *opts, capplan_diags *d);
/* capplan_run, with Monte Carlo over the spec's ranges as MC asks (NULL:
 * none), and the inputs PATHS name (N_PATHS of them, such as
 * "traffic.qps") found for a sweep or a forecast to vary; an unknown
 * path is an error. */
capplan_report *capplan_run_uncertain(const capplan_source *src,
                                      const capplan_run_opts *opts,
                                      const capplan_mc_opts *mc,
                                      const char *const *paths, size_t n_paths,
                                      capplan_diags *d);
void capplan_report_free(capplan_report *r);

/* Whether every check passed; how many checks there are. */
bool capplan_report_passed(const capplan_report *r);
size_t capplan_report_checks(const capplan_report *r);
/* The name of stage I (in spec order), or NULL past the last. */
const char *capplan_report_stage(const capplan_report *r, size_t i);

/* Draws R's Monte Carlo as SVG into OUT: the histogram of the cost per
 * year with its p5, p50, p95 and budget (run with capplan_mc_opts'
 * histogram); with TORNADO, the sensitivity of the cost to each range.
 * Returns -1 (OUT untouched) when R has no such result (a spec without
 * ranges; no histogram; no --sensitivity). */
int capplan_plot_report(const capplan_report *r, bool tornado,
                        capplan_buf *out);

/* --------------------------------------------------- sweep and forecast */

/* What-if over inputs of a report's spec (SPEC.md section 8).  A sweep
 * evaluates the plan at steps of one or two inputs, every range at its
 * median; a forecast grows the traffic by traffic.growth month by month.
 * Both keep a pointer to the report, which must outlive them. */
typedef struct capplan_sweep capplan_sweep;
typedef struct capplan_forecast capplan_forecast;

typedef struct capplan_sweep_set {
  const char *path;  /* an input the report was run to vary (its paths) */
  const char *range; /* "10K..60K" or "10K to 60K", in the key's unit */
} capplan_sweep_set;

typedef struct capplan_sweep_opts {
  const capplan_sweep_set *sets; /* one or two */
  size_t n_sets;
  size_t steps;     /* points of each input, both ends included; 0: 11 */
  bool log;         /* geometric steps */
  const char *find; /* "cost<=4M/year", "gpus<=250", or NULL */
} capplan_sweep_opts;

/* Runs the sweep O asks of R.  Returns NULL with what is wrong in ERR and
 * how to fix it in HELP (a range the key does not take, a condition that
 * names no figure).  Free with capplan_sweep_free() (accepts NULL). */
capplan_sweep *capplan_sweep_run(const capplan_report *r,
                                 const capplan_sweep_opts *o, capplan_buf *err,
                                 capplan_buf *help);
void capplan_sweep_free(capplan_sweep *s);
/* False when --find found no value that keeps its condition. */
bool capplan_sweep_passed(const capplan_sweep *s);

/* Grows R's traffic by its traffic.growth for MONTHS months (month 0 is
 * the plan).  Returns NULL with ERR and HELP when the spec has no growth.
 * Free with capplan_forecast_free() (accepts NULL). */
capplan_forecast *capplan_forecast_run(const capplan_report *r, size_t months,
                                       capplan_buf *err, capplan_buf *help);
void capplan_forecast_free(capplan_forecast *f);
/* False when a check fails within the months forecast. */
bool capplan_forecast_passed(const capplan_forecast *f);

/* The cost per year of a sweep (a line per value of its second input) or
 * a forecast as an SVG line chart with the budget's line. */
void capplan_plot_sweep(const capplan_sweep *s, capplan_buf *out);
void capplan_plot_forecast(const capplan_forecast *f, capplan_buf *out);

/* ------------------------------------------------------------ simulate */

/* A discrete-event simulation of a report's plan ('capplan simulate',
 * SPEC.md section 9, docs/simulation.md). */
typedef struct capplan_sim_opts {
  /* Length of each replication: REQUESTS arrivals (warm-up included), or
   * DURATION seconds of arrivals; neither: 1,000,000 requests. */
  unsigned long long requests;
  double duration;
  /* Deleted at the start of each replication: requests (seconds with a
   * duration); negative: a tenth of the replication. */
  double warmup;
  /* 1: one run, intervals from 20 batch means; more: independent
   * replications, one interval section each. */
  unsigned replications;
  unsigned long long seed;
  /* Called with the share of the work done, at most about 1,000 times
   * per replication and once with 1 at the end; may be NULL. */
  void (*progress)(double fraction, void *ctx);
  void *progress_ctx;
} capplan_sim_opts;

/* The defaults: 1,000,000 requests, a tenth warm-up, one replication,
 * seed 1. */
void capplan_sim_opts_init(capplan_sim_opts *o);

typedef struct capplan_simulation capplan_simulation;

/* Simulates the plan of R (which must outlive the result) as OPTS asks
 * (NULL: the defaults).  Warnings (overloaded stages, a run stopped by
 * its safety bounds, correlated batch means) go to D; returns NULL, with
 * located errors in D, for a plan the simulator cannot take.  The same
 * report and options give the same result, bit for bit.  Free with
 * capplan_simulation_free() (accepts NULL). */
capplan_simulation *capplan_simulate(const capplan_report *r,
                                     const capplan_sim_opts *opts,
                                     capplan_diags *d);
void capplan_simulation_free(capplan_simulation *s);

/* ---------------------------------------------------------------- diff */

/* The figures 'diff' compares for one stage, one group or the totals. */
typedef struct capplan_diff_values {
  double servers, gpus, cost_per_year;
  double latency;      /* s: the stage's own, or the critical path's */
  double availability; /* with fallbacks, for stages */
} capplan_diff_values;

/* One side of a diff: a plan's rows, from a spec's report or from a JSON
 * report written earlier. */
typedef struct capplan_diff_row_in {
  const char *name;
  bool group;     /* a colocation group, not a stage */
  bool colocated; /* a stage in a group: its servers are the group's */
  capplan_diff_values v;
} capplan_diff_row_in;

typedef struct capplan_plan_rows {
  const char *name, *path;
  bool from_report;          /* a JSON report, not a spec */
  capplan_diff_row_in *rows; /* stages in their order, then groups */
  size_t n_rows;
  capplan_diff_values total;
  struct capplan_arena *arena;
} capplan_plan_rows;

/* The rows of R (for 'diff').  Free with capplan_plan_rows_free(). */
capplan_plan_rows *capplan_plan_rows_of(const capplan_report *r);
/* Reads a JSON report written earlier by 'capplan estimate --format json'
 * (only what 'diff' compares is required).  Returns NULL with diagnostics
 * if SRC is not such a report, or if its schema_version has a major
 * version this capplan does not read. */
capplan_plan_rows *capplan_report_read_json(const capplan_source *src,
                                            capplan_diags *d);
void capplan_plan_rows_free(capplan_plan_rows *rows);
/* True if SRC looks like a capplan JSON report (by content, not name). */
bool capplan_source_is_report(const capplan_source *src);

enum capplan_diff_status {
  CAPPLAN_DIFF_SAME,
  CAPPLAN_DIFF_CHANGED,
  CAPPLAN_DIFF_ADDED,
  CAPPLAN_DIFF_REMOVED
};

/* The change of one figure: HEAD - BASE, and that over BASE in percent
 * (has_pct false when BASE is 0). */
typedef struct capplan_diff_change {
  double delta, pct;
  bool has_pct;
} capplan_diff_change;

/* The changes of a row's figures, field by field. */
typedef struct capplan_diff_changes {
  capplan_diff_change servers, gpus, cost_per_year, latency, availability;
} capplan_diff_changes;

typedef struct capplan_diff_row {
  const char *name;
  bool group;     /* a colocation group, not a stage */
  bool colocated; /* a stage in a group: its servers are the group's */
  enum capplan_diff_status status;
  capplan_diff_values base, head; /* zero when absent on that side */
  capplan_diff_changes change;    /* head - base (rows on both sides) */
} capplan_diff_row;

/* What each side of a diff was. */
typedef struct capplan_diff_side {
  const char *name, *path;
  bool from_report; /* a JSON report, not a spec */
} capplan_diff_side;

/* Gates that make 'diff' fail (exit 1) when the cost grows too much. */
typedef struct capplan_diff_opts {
  capplan_limit max_increase;     /* USD per year */
  capplan_limit max_increase_pct; /* percent of the base's cost */
} capplan_diff_opts;

typedef struct capplan_diff_gate {
  const char *name; /* "max_increase" or "max_increase_pct" */
  const char *unit; /* "USD/year" or "percent" */
  double limit, actual;
  bool defined; /* false when the percentage has no base (base cost 0) */
  bool passed;
} capplan_diff_gate;

typedef struct capplan_diff {
  capplan_diff_side base, head;
  capplan_diff_row *rows; /* stages in HEAD's order, removed ones after,
                             then groups */
  size_t n_rows;
  size_t added, removed, changed;
  capplan_diff_values base_total, head_total;
  capplan_diff_changes total_change;
  double cost_change, cost_change_pct; /* pct: 0 when the base costs 0 */
  capplan_diff_gate gates[2];
  size_t n_gates;
  bool passed;
  struct capplan_arena *arena;
} capplan_diff;

/* Compares two plans (pure).  OPTS may be NULL.  Free with
 * capplan_diff_free(). */
capplan_diff *capplan_diff_plans(const capplan_plan_rows *base,
                                 const capplan_plan_rows *head,
                                 const capplan_diff_opts *opts);
void capplan_diff_free(capplan_diff *diff);

/* ------------------------------------------------------------- render */

enum capplan_format {
  CAPPLAN_FORMAT_TABLE,
  CAPPLAN_FORMAT_JSON,
  CAPPLAN_FORMAT_MARKDOWN,
  CAPPLAN_FORMAT_CSV,
  CAPPLAN_FORMAT_DOT,     /* Graphviz ('graph') */
  CAPPLAN_FORMAT_MERMAID, /* Mermaid flowchart ('graph') */
  CAPPLAN_FORMAT_SVG,     /* capplan's own drawing ('graph') */
  CAPPLAN_FORMAT_HTML,    /* one self-contained page ('estimate') */
  CAPPLAN_FORMAT_COUNT
};

/* What is rendered, and from what: */
enum capplan_view {
  CAPPLAN_VIEW_REPORT,   /* a capplan_report: 'estimate' */
  CAPPLAN_VIEW_CHECK,    /* a capplan_report's checks: 'check' */
  CAPPLAN_VIEW_EXPLAIN,  /* a capplan_report run with working: 'explain' */
  CAPPLAN_VIEW_DIFF,     /* a capplan_diff: 'diff' */
  CAPPLAN_VIEW_GRAPH,    /* a capplan_report as a picture: 'graph' */
  CAPPLAN_VIEW_SWEEP,    /* a capplan_sweep: 'sweep' */
  CAPPLAN_VIEW_FORECAST, /* a capplan_forecast: 'forecast' */
  CAPPLAN_VIEW_SIMULATE, /* a capplan_simulation: 'simulate' */
  CAPPLAN_VIEW_COUNT
};

typedef struct capplan_render_opts {
  bool color;        /* ANSI colour (text formats on a terminal) */
  size_t width;      /* columns a table may take; 0: no limit */
  const char *stage; /* explain: this stage only (NULL: all) */
} capplan_render_opts;

/* Parses a format name ("table", "text", "json", "markdown", "csv",
 * "dot", "mermaid", "svg", "html"); -1 for anything else. */
int capplan_format_parse(const char *name, enum capplan_format *out);
/* True if VIEW can be rendered in FORMAT; NAMES (may be NULL) gets the
 * formats it can, as "table, json or markdown", for messages. */
bool capplan_format_supported(enum capplan_view view,
                              enum capplan_format format, const char **names);

/* Appends SUBJECT (the type VIEW names) rendered in FORMAT to OUT.
 * Returns 0, or -1 for a format that view does not have (or an explain
 * stage the report does not have).  OPTS may be NULL. */
int capplan_render(enum capplan_view view, enum capplan_format format,
                   const void *subject, const capplan_render_opts *opts,
                   capplan_buf *out);
/* True if the renderer of VIEW in FORMAT only appends to its OUT, so
 * that OUT may be a streaming buffer (capplan_buf_stream). */
bool capplan_render_streams(enum capplan_view view, enum capplan_format format);

#endif

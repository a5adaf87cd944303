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

/* A growable byte buffer; always NUL-terminated after the first append. */
typedef struct capplan_buf {
  char *data;
  size_t len, cap;
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

/* ----------------------------------------------------------- pipeline */

typedef struct capplan_spec capplan_spec;   /* parsed spec (opaque) */
typedef struct capplan_graph capplan_graph; /* resolved stage graph */
typedef struct capplan_report capplan_report;

/* Parses and validates a spec.  Returns NULL if any error was found (all
 * of them are in D).  The spec keeps a pointer to SRC, which must outlive
 * it.  Free with capplan_spec_free(). */
capplan_spec *capplan_spec_load(const capplan_source *src,
                                const capplan_limits *limits, capplan_diags *d);
void capplan_spec_free(capplan_spec *spec);

/* Resolves names, hardware, defaults and groups, checks the graph for
 * cycles and orders it.  Returns NULL on error.  The graph points into
 * SPEC, which must outlive it.  Free with capplan_graph_free(). */
capplan_graph *capplan_graph_build(const capplan_spec *spec, capplan_diags *d);
void capplan_graph_free(capplan_graph *g);

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
} capplan_check_opts;

/* Computes the report: pure, deterministic, no I/O.  OPTS may be NULL.
 * Returns NULL (with a diagnostic) only when a figure leaves the range
 * capplan can represent exactly.  A limit in OPTS looser than the spec's
 * adds a warning.  The report owns all its memory; free with
 * capplan_report_free(). */
capplan_report *capplan_estimate(const capplan_graph *g,
                                 const capplan_check_opts *opts,
                                 capplan_diags *d);
void capplan_report_free(capplan_report *r);

/* Convenience: load + build + estimate.  Returns NULL on any error. */
capplan_report *capplan_run(const capplan_source *src,
                            const capplan_limits *limits,
                            const capplan_check_opts *opts, capplan_diags *d);

/* ------------------------------------------------------------- report */

enum capplan_throughput_source {
  CAPPLAN_TP_QPS_PER_SERVER, /* given as qps_per_server */
  CAPPLAN_TP_BATCH           /* batch / latency x parallelism */
};

/* One stage of the plan.  Rates are per second, durations in seconds, money
 * in USD.  Counts are doubles holding whole numbers (exact below 2^53). */
typedef struct capplan_stage_result {
  const char *name;
  const char *hardware;
  const char *group; /* colocation group, or NULL */
  const char **after;
  size_t n_after;
  bool join_any; /* join: any (else all) */

  double inflow;  /* requests reaching the stage per entry request */
  double outflow; /* requests passed downstream per entry request */
  double share, calls, cache_hit, stops;
  double qps; /* load: invocations per second that reach the servers */

  enum capplan_throughput_source tp_source;
  double batch, parallelism; /* CAPPLAN_TP_BATCH inputs */
  double qps_per_server;     /* at 100% utilization */

  double utilization, headroom, redundancy; /* in effect (group's if any) */
  /* load / (qps_per_server x utilization); for a colocated stage, its
   * server-equivalents at 100%: load / qps_per_server. */
  double servers_raw;
  double servers; /* after headroom, ceiling, redundancy; 0 if grouped */
  double gpus;
  double cost_per_year; /* 0 for a colocated stage: the group pays */

  double latency;    /* own service time, s */
  double latency_to; /* slowest path from an entry to the end of it, s */
  bool critical;     /* on the critical path */

  double zones;           /* failure zones the servers are spread over */
  bool survive_zone_loss; /* sized to carry the load with a zone lost */
  double zone_extra;      /* servers added to survive a zone's loss */

  const char *fallback; /* stage that stands in while this one is down */
  bool standby;         /* this stage is another's fallback */
  bool async; /* off the request path: its latency counts toward no path
                 and its availability gates no request */

  double server_availability; /* one server */
  double servers_needed;      /* m = ceil(load / qps_per_server - 1e-9), >= 1 */
  double availability;        /* k-of-n; for a colocated stage, its group's */
  double unavailability; /* 1 - availability, computed without cancellation */
  /* With the fallback standing in, 1 - (1 - A)(1 - A_fallback); else the
   * same as availability.  The system's product uses these. */
  double effective_availability, effective_unavailability;
} capplan_stage_result;

typedef struct capplan_group_result {
  const char *name;
  const char *hardware;
  const char **stages;
  size_t n_stages;
  double utilization, headroom, redundancy;
  double servers_raw; /* sum of member server-equivalents / utilization */
  double servers, gpus, cost_per_year;
  double zones, zone_extra;
  bool survive_zone_loss;
  double server_availability, servers_needed, availability, unavailability;
} capplan_group_result;

enum capplan_check_kind {
  CAPPLAN_CHECK_LATENCY,
  CAPPLAN_CHECK_AVAILABILITY,
  CAPPLAN_CHECK_COST,
  CAPPLAN_CHECK_GPUS,
  CAPPLAN_CHECK_SERVERS
};

/* A limit and where it came from: the spec's slo or budget, or a flag of
 * 'capplan check' that tightened it. */
typedef struct capplan_check {
  enum capplan_check_kind kind;
  const char *name;   /* "latency", "availability", "cost", "gpus", ... */
  const char *unit;   /* "ms", "fraction", "USD/year", "gpus", "servers" */
  const char *source; /* "spec" or "flag" */
  bool upper;         /* actual must be <= limit (else >= limit) */
  double limit, actual;
  double margin; /* how far inside the limit; negative when past it */
  bool passed;
} capplan_check;

struct capplan_report {
  const char *spec_name, *spec_path, *description;

  /* traffic */
  double qps;         /* peak requests/s into the entry stages */
  double average_qps; /* 0 when neither given nor derivable */
  double dau, requests_per_user_per_day, peak_to_average; /* 0 if unused */

  capplan_stage_result *stages; /* in topological order */
  size_t n_stages;
  capplan_group_result *groups; /* in order of first member */
  size_t n_groups;

  double servers, gpus, cost_per_year, cost_per_month;
  double cost_per_million; /* < 0 when average_qps is unknown */
  double latency;          /* of the critical path, s */
  const char **critical_path;
  size_t n_critical;
  /* The product over stand-alone stages (each with its fallback) and
   * groups: stages in series (FORMULAS.md section 2). */
  double availability;
  double unavailability;
  double downtime_minutes_per_year, downtime_minutes_per_month;

  capplan_check *checks;
  size_t n_checks;
  bool passed;

  struct capplan_arena *arena; /* owns every pointer above */
};

/* Constants the report states (FORMULAS.md section 1, SPEC.md units). */
#define CAPPLAN_HOURS_PER_YEAR 8760.0
#define CAPPLAN_HOURS_PER_MONTH 730.0
#define CAPPLAN_MINUTES_PER_YEAR 525600.0
#define CAPPLAN_MINUTES_PER_MONTH 43800.0

/* Nines of an availability, -log10(1 - A), from its unavailability 1 - A;
 * at most 300 (for 1 - A below 1e-300). */
double capplan_nines(double unavailability);
#define CAPPLAN_DEFAULT_AVAILABILITY 0.999
/* The one ceiling of sizing (SPEC.md "Sizing and rounding"): ceil(x - t)
 * with t = capplan_ceil_tolerance(x), never below 0. */
double capplan_ceil(double x);
/* The tolerance keeps float noise above a whole number
 * (28.000000000000004) from buying a server: 1e-9 up to 1,000, then
 * 1e-12 of X (the noise of a double grows with it), and at most 0.5
 * (from 5e11 on), so the ceiling never drops a server's worth of load. */
double capplan_ceil_tolerance(double x);
#define CAPPLAN_CEIL_TOLERANCE 1e-9 /* the tolerance's floor */
#define CAPPLAN_CEIL_RELATIVE 1e-12 /* its share of X above 1,000 */
#define CAPPLAN_CEIL_MAX 0.5        /* its ceiling */
/* Counts above 2^53 are no longer exact in a double: no server or GPU
 * count capplan reports is larger. */
#define CAPPLAN_MAX_EXACT 9007199254740992.0

/* ---------------------------------------------------------------- diff */

/* Reads a JSON report written earlier by 'capplan estimate --format json'
 * back into a report (only what 'diff' compares is required).  Returns
 * NULL with diagnostics if SRC is not such a report, or if its
 * schema_version has a major version this capplan does not read. */
capplan_report *capplan_report_read_json(const capplan_source *src,
                                         capplan_diags *d);
/* True if SRC looks like a capplan JSON report (by content, not name). */
bool capplan_source_is_report(const capplan_source *src);

/* The figures 'diff' compares for one stage, one group or the totals. */
typedef struct capplan_diff_values {
  double servers, gpus, cost_per_year;
  double latency;      /* s: the stage's own, or the critical path's */
  double availability; /* with fallbacks, for stages */
} capplan_diff_values;

enum capplan_diff_status {
  CAPPLAN_DIFF_SAME,
  CAPPLAN_DIFF_CHANGED,
  CAPPLAN_DIFF_ADDED,
  CAPPLAN_DIFF_REMOVED
};

typedef struct capplan_diff_row {
  const char *name;
  bool group;     /* a colocation group, not a stage */
  bool colocated; /* a stage in a group: its servers are the group's */
  enum capplan_diff_status status;
  capplan_diff_values base, head; /* zero when absent on that side */
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
  capplan_diff_gate gates[2];
  size_t n_gates;
  bool passed;
  struct capplan_arena *arena;
} capplan_diff;

/* Compares two reports (pure).  OPTS may be NULL.  Free with
 * capplan_diff_free(). */
capplan_diff *capplan_diff_reports(const capplan_report *base,
                                   const capplan_report *head,
                                   bool base_from_report, bool head_from_report,
                                   const capplan_diff_opts *opts);
void capplan_diff_free(capplan_diff *diff);

/* ---------------------------------------------------------- quantities */

/* Parses TEXT as a quantity of KIND, one of "count", "number", "rate",
 * "daily", "duration", "fraction", "money", "bytes" (docs/spec.md, units),
 * into base units: per second, seconds, a fraction, USD per year, bytes.
 * Returns 0, or -1 with what is wrong (naming NAME) in ERR and how to fix
 * it in HELP (either may be NULL). */
int capplan_quantity(const char *text, const char *kind, const char *name,
                     double *out, capplan_buf *err, capplan_buf *help);

/* ------------------------------------------------------------- render */

enum capplan_format {
  CAPPLAN_FORMAT_TABLE,
  CAPPLAN_FORMAT_JSON,
  CAPPLAN_FORMAT_MARKDOWN,
  CAPPLAN_FORMAT_CSV
};

/* What is rendered: a whole report (estimate), its checks (check), or a
 * comparison (diff).  Not every view has every format. */
enum capplan_view {
  CAPPLAN_VIEW_REPORT,
  CAPPLAN_VIEW_CHECK,
  CAPPLAN_VIEW_DIFF
};

typedef struct capplan_render_opts {
  bool color; /* ANSI colour (table only) */
} capplan_render_opts;

/* Parses "table", "json", "markdown" or "csv"; -1 for anything else. */
int capplan_format_parse(const char *name, enum capplan_format *out);
/* True if VIEW can be rendered in FORMAT; NAMES gets the formats it can,
 * as "table, json or markdown", for messages. */
bool capplan_format_supported(enum capplan_view view,
                              enum capplan_format format, const char **names);

/* Each appends the rendering to OUT and returns 0, or -1 for a format
 * that view does not have. */
int capplan_render(const capplan_report *r, enum capplan_format format,
                   const capplan_render_opts *opts, capplan_buf *out);
int capplan_render_check(const capplan_report *r, enum capplan_format format,
                         const capplan_render_opts *opts, capplan_buf *out);
int capplan_render_diff(const capplan_diff *diff, enum capplan_format format,
                        const capplan_render_opts *opts, capplan_buf *out);

/* Appends the built-in hardware catalog as a table. */
void capplan_render_catalog(capplan_buf *out);

/* ------------------------------------------------------------- explain */

/* Appends how every figure of R was worked out ('capplan explain'): per
 * stage, the steps of seed 004's interview template with the numbers put
 * in, then groups, totals and checks.  G is the graph R was estimated
 * from.  STAGE (NULL for all) limits it to one stage.  FORMAT is
 * CAPPLAN_FORMAT_TABLE (text, 80 columns) or CAPPLAN_FORMAT_MARKDOWN.
 * Returns 0, or -1 if STAGE is not a stage of G. */
int capplan_explain(const capplan_graph *g, const capplan_report *r,
                    const char *stage, enum capplan_format format,
                    capplan_buf *out);

/* The name among NAMES closest to WORD, as a typo of it, or NULL. */
const char *capplan_suggest(const char *word, const char *const *names,
                            size_t n);

/* ----------------------------------------------------------- templates */

/* A starter spec for 'capplan init' (templates/NAME.yaml, embedded at
 * build time). */
typedef struct capplan_template {
  const char *name, *summary;
  const char *const *lines; /* each ends in a newline */
  size_t n_lines;
} capplan_template;

/* The templates, in the order 'capplan init --list' shows them. */
const capplan_template *capplan_templates(size_t *count);

/* ---------------------------------------------------------------- calc */

/* 'capplan calc TOPIC': interview one-liners with their working. */
typedef struct capplan_calc_option {
  const char *name;       /* without the leading -- */
  const char *value_name; /* NULL for a flag */
  const char *help;
} capplan_calc_option;

typedef struct capplan_calc_topic {
  const char *name, *summary, *usage, *example;
  capplan_calc_option options[8];
  size_t n_options;
} capplan_calc_topic;

const capplan_calc_topic *capplan_calc_topics(size_t *count);

/* An option as given: --NAME and its values (NAME NULL for a bare value). */
typedef struct capplan_calc_arg {
  const char *name;
  const char *const *values;
  size_t n_values;
} capplan_calc_arg;

/* One step of the working: "label = formula = numbers = result". */
typedef struct capplan_calc_step {
  const char *label, *formula, *numbers, *result;
} capplan_calc_step;

typedef struct capplan_calc_value {
  const char *name, *unit;
  double value; /* in base units: per second, seconds, USD, bytes, ... */
} capplan_calc_value;

typedef struct capplan_calc {
  const char *topic;
  capplan_calc_arg *inputs; /* as given, in order */
  size_t n_inputs;
  capplan_calc_value *results;
  size_t n_results;
  capplan_calc_step *steps;
  size_t n_steps;
  const char **notes;
  size_t n_notes;
  struct capplan_arena *arena;
} capplan_calc;

/* Runs TOPIC on ARGS (pure).  Returns NULL with what is wrong in ERR (an
 * unknown topic or option, a missing or malformed value).  Free with
 * capplan_calc_free(). */
capplan_calc *capplan_calc_run(const char *topic, const capplan_calc_arg *args,
                               size_t n, capplan_buf *err);
void capplan_calc_free(capplan_calc *c);
/* Appends the working as text (CAPPLAN_FORMAT_TABLE) or JSON.  Returns 0,
 * or -1 for another format. */
int capplan_render_calc(const capplan_calc *c, enum capplan_format format,
                        capplan_buf *out);

#endif

/*
 * cmd_validate.c - capplan validate SPEC: every check, no report.
 *
 * With --format json the answer is a small document on stdout (valid,
 * stages, diagnostics; docs/validate.schema.json), printed for an invalid
 * spec too: it is what the command was asked for, so a script reads one
 * place whatever the outcome (the exit code still says 2).
 */
#include <string.h>

#include "cli.h"
#include "util.h"

static const cli_option options[] = {
    {"format", 0, "FORMAT", "text (default) or json", 0},
    CLI_DIAGNOSTICS_OPTION,
    CLI_CATALOG_OPTION,
};

/* The JSON document: D's diagnostics, and the stages of R (NULL when the
 * spec is not valid). */
static void json_doc(const char *path, const capplan_report *r,
                     const capplan_diags *d, capplan_buf *out) {
  capplan_buf_printf(out,
                     "{\n  \"schema_version\": \"1.0\",\n  \"tool\": "
                     "{\"name\": \"capplan\", \"version\": \"%s\"},\n  "
                     "\"kind\": \"validate\",\n  \"file\": ",
                     CAPPLAN_VERSION);
  capplan_json_puts(out, path);
  size_t n = 0;
  while (r && capplan_report_stage(r, n))
    n++;
  capplan_buf_printf(
      out, ",\n  \"valid\": %s,\n  \"stages\": ", r ? "true" : "false");
  if (r)
    capplan_buf_printf(out, "%zu", n);
  else
    capplan_buf_puts(out, "null");
  capplan_buf_printf(out,
                     ",\n  \"errors\": %zu,\n  \"warnings\": %zu,\n  "
                     "\"diagnostics\": ",
                     d->errors, d->warnings);
  capplan_diags_render_json(d, "  ", out);
  capplan_buf_puts(out, "\n}\n");
}

static int validate(const cli_command *self, const cli_args *a) {
  if (a->help) {
    cli_print_help(self);
    return CAPPLAN_EXIT_OK;
  }
  int rc = cli_one_spec(self, a);
  if (rc)
    return rc;
  const char *format = cli_value(self, a, "format");
  bool json = format && !strcmp(format, "json");
  if (format && !json && strcmp(format, "text"))
    return cli_usage_error(self, "unknown format '%s' (use text or json)",
                           format);
  cli_diag_opts dg = cli_diag_opts_of(self, a);
  capplan_limits limits;
  if (cli_limits(&limits))
    return CAPPLAN_EXIT_INPUT;
  capplan_catalog *catalog;
  if (cli_catalog_with(cli_value(self, a, "catalog"), &dg, &catalog))
    return CAPPLAN_EXIT_INPUT;
  capplan_diags d;
  capplan_diags_init(&d, NULL);
  const char *path = a->positional[0];
  capplan_source *src = capplan_source_read(path, &limits, &d);
  capplan_report *report = NULL;
  if (src) {
    d.src = src;
    capplan_run_opts opts = {&limits, NULL, false, catalog};
    report = capplan_run(src, &opts, &d);
  }
  capplan_catalog_free(catalog);
  cli_print_diags_with(&d, &dg);
  capplan_buf b;
  capplan_buf_init(&b);
  if (json) {
    json_doc(path, report, &d, &b);
  } else if (report) {
    size_t n = 0;
    while (capplan_report_stage(report, n))
      n++;
    text_puts(&b, path);
    capplan_buf_printf(&b, ": valid (%zu stage%s)\n", n, n == 1 ? "" : "s");
  }
  rc = b.len ? cli_write(&b, NULL) : 0;
  if (!rc && !report)
    rc = CAPPLAN_EXIT_INPUT;
  capplan_buf_release(&b);
  capplan_diags_release(&d);
  capplan_report_free(report);
  capplan_source_free(src);
  return rc;
}

const cli_command cmd_validate = {
    "validate",
    validate,
    NULL,
    "SPEC",
    "Check SPEC and report every error, without printing a plan.",
    options,
    sizeof options / sizeof options[0],
    "Exit code 0 when the spec is valid (warnings allowed), 2 when it is\n"
    "not.  The spec's budget and SLO checks are not applied: 'estimate'\n"
    "applies them.  --format json prints {valid, stages, diagnostics} on\n"
    "stdout, for an invalid spec too.",
    NULL,
};

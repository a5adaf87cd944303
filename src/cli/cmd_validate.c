/*
 * cmd_validate.c - capplan validate SPEC: every check, no report.
 */
#include "cli.h"
#include "util.h"

static const cli_option options[] = {CLI_CATALOG_OPTION};

static int validate(const cli_command *self, const cli_args *a) {
  if (a->help) {
    cli_print_help(self);
    return CAPPLAN_EXIT_OK;
  }
  int rc = cli_one_spec(self, a);
  if (rc)
    return rc;
  capplan_source *src;
  capplan_report *report;
  rc = cli_run_pipeline(a->positional[0], NULL, NULL, false,
                        cli_value(self, a, "catalog"), &src, &report);
  if (!rc) {
    size_t n = 0;
    while (capplan_report_stage(report, n))
      n++;
    capplan_buf b;
    capplan_buf_init(&b);
    text_puts(&b, src->path);
    capplan_buf_printf(&b, ": valid (%zu stage%s)\n", n, n == 1 ? "" : "s");
    rc = cli_write(&b, NULL);
    capplan_buf_release(&b);
  }
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
    "applies them.",
    NULL,
};

/*
 * cmd_catalog.c - capplan catalog [hardware]: the built-in hardware.
 */
#include <string.h>

#include "cli.h"
#include "render.h"

static int catalog(const cli_command *self, const cli_args *a) {
  if (a->help) {
    cli_print_help(self);
    return CAPPLAN_EXIT_OK;
  }
  if (a->n_positional > 1 ||
      (a->n_positional == 1 && strcmp(a->positional[0], "hardware")))
    return cli_usage_error(self, "unknown catalog '%s' (try 'hardware')",
                           a->positional[a->n_positional - 1]);
  capplan_buf b;
  capplan_buf_init(&b);
  render_catalog_hardware(&b);
  int rc = cli_write(&b, NULL);
  capplan_buf_release(&b);
  return rc;
}

const cli_command cmd_catalog = {
    "catalog",
    catalog,
    NULL,
    "[hardware]",
    "List the built-in hardware that stages can name.",
    NULL,
    0,
    "Figures from seed 004's server table.  A spec's 'hardware:' block adds\n"
    "entries or overrides fields of these.",
    NULL,
};

/*
 * cmd_init.c - capplan init [--template NAME] [-o FILE]: a commented spec
 * to start from.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "templates.h"
#include "util.h"

static const cli_option options[] = {
    {"template", 't', "NAME", "which starter (default minimal; see --list)", 0},
    {"list", 0, NULL, "list the templates", 0},
    {"output", 'o', "FILE", "write to FILE instead of stdout", 0},
    {"force", 0, NULL, "with -o, replace FILE if it exists", 0},
};

static int init(const cli_command *self, const cli_args *a) {
  if (a->help) {
    cli_print_help(self);
    return CAPPLAN_EXIT_OK;
  }
  if (a->n_positional)
    return cli_usage_error(self,
                           "unexpected '%s' (init takes no SPEC; "
                           "use -o FILE)",
                           a->positional[0]);
  size_t n;
  const capplan_template *t = capplan_templates(&n);
  capplan_buf out;
  capplan_buf_init(&out);
  if (cli_value(self, a, "list")) {
    for (size_t i = 0; i < n; i++)
      capplan_buf_printf(&out, "%-8s %s\n", t[i].name, t[i].summary);
    int rc = cli_write(&out, NULL);
    capplan_buf_release(&out);
    return rc;
  }
  const char *name = cli_value(self, a, "template");
  if (!name)
    name = "minimal";
  const capplan_template *pick = NULL;
  const char **names = xmalloc(n * sizeof(char *));
  for (size_t i = 0; i < n; i++) {
    names[i] = t[i].name;
    if (!strcmp(t[i].name, name))
      pick = &t[i];
  }
  int rc = 0;
  if (!pick) {
    const char *best = closest_word(name, names, n);
    if (best)
      rc = cli_usage_error(self, "unknown template '%s' (did you mean '%s'?)",
                           name, best);
    else
      rc = cli_usage_error(self,
                           "unknown template '%s' (see 'capplan init "
                           "--list')",
                           name);
  }
  free(names);
  const char *path = cli_value(self, a, "output");
  struct stat st;
  if (!rc && path && strcmp(path, "-") && !cli_value(self, a, "force") &&
      stat(path, &st) == 0 && S_ISREG(st.st_mode))
    rc = cli_usage_error(self, "'%s' exists; add --force to replace it", path);
  if (!rc) {
    for (size_t i = 0; i < pick->n_lines; i++)
      capplan_buf_puts(&out, pick->lines[i]);
    rc = cli_write(&out, path);
    if (!rc && path && strcmp(path, "-")) {
      fputs("wrote ", stderr);
      cli_put_safe(stderr, path);
      fputs("; next: capplan estimate ", stderr);
      cli_put_safe(stderr, path);
      fputc('\n', stderr);
    }
  }
  capplan_buf_release(&out);
  return rc;
}

const cli_command cmd_init = {
    "init",
    init,
    NULL,
    NULL,
    "Print a commented spec to start from (capplan init --list).",
    options,
    sizeof options / sizeof options[0],
    "Templates: minimal (default), recsys, fraud, rag, ads, feed.  Each is\n"
    "a valid spec whose comments explain its keys and where its numbers\n"
    "come from; replace the values marked '<-' with your own.",
    NULL,
};

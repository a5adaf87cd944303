/*
 * diag_formats.c - diagnostics for machines: GitHub Actions workflow
 * commands and JSON (--diagnostics-format github|json).  diag.c renders
 * them for people; these read the same list.
 *
 * github: one line per diagnostic,
 *
 *   ::error file=specs/web.yaml,line=12,col=12::stage 'db' is after ...
 *
 * which GitHub turns into an annotation on that line of the pull request
 * (https://docs.github.com/en/actions/reference/workflow-commands-for-
 * github-actions, "Setting an error message").  The runner reads the
 * message up to the end of the line and decodes %25, %0D and %0A in it;
 * in the properties also %3A and %2C, as ':' and ',' separate them
 * (actions/toolkit, packages/core/src/command.ts, escapeData and
 * escapeProperty).  A help line follows the message after an encoded line
 * break.  Control characters from a spec are first made visible
 * (text_escape), as everywhere else.
 *
 * json: one array of {severity, file, line, column, message, help}, with
 * null for what a diagnostic does not have (docs/diagnostics.schema.json).
 */
#include <stdio.h>
#include <string.h>

#include "util.h"

int capplan_diag_format_parse(const char *name, enum capplan_diag_format *out) {
  static const char *const names[] = {"text", "github", "json"};
  for (size_t i = 0; i < ARRAY_LEN(names); i++)
    if (!strcmp(names[i], name)) {
      *out = (enum capplan_diag_format)i;
      return 0;
    }
  return -1;
}

/* Appends S made visible (text_escape), then encoded as GitHub decodes:
 * always % CR LF, and in a property also : and ,. */
static void github_escape(capplan_buf *out, const char *s, bool property) {
  capplan_buf vis;
  capplan_buf_init(&vis);
  text_puts(&vis, s);
  for (size_t i = 0; i < vis.len; i++) {
    char c = vis.data[i];
    if (c == '%')
      capplan_buf_puts(out, "%25");
    else if (c == '\r')
      capplan_buf_puts(out, "%0D");
    else if (c == '\n')
      capplan_buf_puts(out, "%0A");
    else if (property && c == ':')
      capplan_buf_puts(out, "%3A");
    else if (property && c == ',')
      capplan_buf_puts(out, "%2C");
    else
      capplan_buf_putc(out, c);
  }
  capplan_buf_release(&vis);
}

void capplan_diags_render_github(const capplan_diags *d, capplan_buf *out) {
  for (size_t i = 0; i < d->count; i++) {
    const capplan_diag *g = &d->items[i];
    capplan_buf_puts(out,
                     g->severity == CAPPLAN_ERROR ? "::error" : "::warning");
    if (d->src) {
      capplan_buf_puts(out, " file=");
      github_escape(out, d->src->path, true);
      if (g->loc.line > 0)
        capplan_buf_printf(out, ",line=%d,col=%d", g->loc.line,
                           g->loc.col > 0 ? g->loc.col : 1);
    }
    capplan_buf_puts(out, "::");
    github_escape(out, g->message, false);
    if (g->help) {
      capplan_buf_puts(out, "%0Ahelp: ");
      github_escape(out, g->help, false);
    }
    capplan_buf_putc(out, '\n');
  }
}

/* S as a JSON string: the C0 controls, DEL and the C1 controls as \u
 * escapes, a byte that is not UTF-8 as U+FFFD (JSON text is UTF-8), the
 * rest as it is (render_json.c's rule). */
void capplan_json_puts(capplan_buf *out, const char *s) {
  capplan_buf_putc(out, '"');
  size_t n = strlen(s), i = 0;
  while (i < n) {
    size_t plain = text_plain_prefix(s + i, n - i, 0);
    for (size_t k = 0; k < plain; k++) {
      if (s[i + k] == '"' || s[i + k] == '\\')
        capplan_buf_putc(out, '\\');
      capplan_buf_putc(out, s[i + k]);
    }
    i += plain;
    if (i >= n)
      break;
    unsigned char c = (unsigned char)s[i];
    capplan_buf esc;
    capplan_buf_init(&esc);
    size_t used = text_escape_one(&esc, s + i, n - i);
    if (esc.len == 6) /* \u0085: a C1 control, the same escape in JSON */
      capplan_buf_put(out, esc.data, esc.len);
    else if (c < 0x80) /* C0, DEL */
      capplan_buf_printf(out, "\\u%04x", (unsigned)c);
    else
      capplan_buf_puts(out, "\\ufffd");
    capplan_buf_release(&esc);
    i += used;
  }
  capplan_buf_putc(out, '"');
}

void capplan_diags_render_json(const capplan_diags *d, const char *indent,
                               capplan_buf *out) {
  if (!d->count) {
    capplan_buf_puts(out, "[]");
    return;
  }
  capplan_buf_puts(out, "[");
  bool first = true;
  capplan_diags_render_json_items(d, indent, &first, out);
  capplan_buf_printf(out, "\n%s]", indent);
}

void capplan_diags_render_json_items(const capplan_diags *d, const char *indent,
                                     bool *first, capplan_buf *out) {
  for (size_t i = 0; i < d->count; i++) {
    const capplan_diag *g = &d->items[i];
    bool placed = d->src && g->loc.line > 0;
    capplan_buf_printf(
        out, "%s\n%s  {\"severity\": \"%s\", \"file\": ", *first ? "" : ",",
        indent, g->severity == CAPPLAN_ERROR ? "error" : "warning");
    *first = false;
    if (d->src)
      capplan_json_puts(out, d->src->path);
    else
      capplan_buf_puts(out, "null");
    if (placed)
      capplan_buf_printf(out, ", \"line\": %d, \"column\": %d", g->loc.line,
                         g->loc.col > 0 ? g->loc.col : 1);
    else
      capplan_buf_puts(out, ", \"line\": null, \"column\": null");
    capplan_buf_puts(out, ", \"message\": ");
    capplan_json_puts(out, g->message);
    capplan_buf_puts(out, ", \"help\": ");
    if (g->help)
      capplan_json_puts(out, g->help);
    else
      capplan_buf_puts(out, "null");
    capplan_buf_puts(out, "}");
  }
}

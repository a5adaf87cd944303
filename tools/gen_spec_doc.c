/*
 * gen_spec_doc.c - writes the key tables of docs/spec.md from the schema
 * table, so the reference can never disagree with the loader.
 *
 *   gen_spec_doc              print the generated block
 *   gen_spec_doc --check F    exit 1 unless F holds the current block
 *   gen_spec_doc --update F   replace the block in F
 *
 * The block sits between the BEGIN and END marker lines below; the prose
 * around it is written by hand.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "units.h"
#include "util.h"

static const char begin[] = "<!-- BEGIN GENERATED: gen_spec_doc -->\n";
static const char end[] = "<!-- END GENERATED: gen_spec_doc -->\n";

static const char *type_text(const schema_key *k, char *buf, size_t size) {
  switch (k->type) {
  case SK_QTY:
    snprintf(buf, size, "%s%s, e.g. `%s`", units_kind_name(k->unit),
             (k->flags & SF_INTEGER) ? " (whole)" : "", schema_example(k));
    return buf;
  case SK_BOOL:
    return "`true` or `false`";
  case SK_STRING:
    return "text";
  case SK_NAME:
    /* Hardware names may hold dots (p5.48xlarge); stage and group names
     * may not. */
    if (!strcmp(k->name, "hardware") || !strcmp(k->name, "accelerator"))
      return "name (`[a-z0-9._-]+`)";
    return "name (`[a-z0-9_-]+`)";
  case SK_ENUM: {
    size_t n = 0;
    buf[0] = '\0';
    char choices[64];
    snprintf(choices, sizeof choices, "%s", k->choices);
    for (char *t = strtok(choices, "|"); t; t = strtok(NULL, "|"))
      n += (size_t)snprintf(buf + n, size - n, "%s`%s`", n ? " or " : "", t);
    return buf;
  }
  case SK_NAMES:
    return "stage name, or list of names";
  case SK_SECTION:
    return (k->flags & SF_OR_NAME) ? "catalog name, or mapping" : "mapping";
  case SK_MAP:
    return "mapping of names to entries";
  case SK_LIST:
    return "list of entries";
  }
  return "";
}

static void generate(capplan_buf *out) {
  capplan_buf_puts(out, begin);
  for (int id = 0; id < SEC_COUNT; id++) {
    const schema_section *s = schema_section_get((enum schema_section_id)id);
    capplan_buf_printf(out, "\n### `%s`\n\n%s\n\n", s->path, s->help);
    if (s->n_keys == 0) {
      capplan_buf_puts(out, "No keys of its own: the keys of `settings`.\n");
      continue;
    }
    capplan_buf_puts(out, "| key | takes | stored as | allowed | default | "
                          "meaning |\n|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < s->n_keys; i++) {
      const schema_key *k = &s->keys[i];
      char type[128], range[128] = "";
      if (k->type == SK_QTY)
        schema_describe_range(k, range, sizeof range);
      capplan_buf_printf(out, "| `%s` | %s | %s | %s | %s | %s |\n", k->name,
                         type_text(k, type, sizeof type),
                         k->type == SK_QTY ? units_base_unit(k->unit) : "",
                         range, k->def_text ? k->def_text : "", k->help);
    }
  }
  capplan_buf_puts(out, "\n");
  capplan_buf_puts(out, end);
}

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    perror(path);
    exit(2);
  }
  capplan_buf b;
  capplan_buf_init(&b);
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
    capplan_buf_put(&b, chunk, n);
  fclose(f);
  *len = b.len;
  return b.data ? b.data : xstrdup("");
}

int main(int argc, char **argv) {
  capplan_buf gen;
  capplan_buf_init(&gen);
  generate(&gen);
  if (argc == 1) {
    fputs(gen.data, stdout);
    capplan_buf_release(&gen);
    return 0;
  }
  if (argc != 3 ||
      (strcmp(argv[1], "--check") && strcmp(argv[1], "--update"))) {
    fprintf(stderr, "usage: gen_spec_doc [--check|--update FILE]\n");
    return 2;
  }
  size_t len;
  char *text = slurp(argv[2], &len);
  char *b = strstr(text, begin), *e = b ? strstr(b, end) : NULL;
  if (!b || !e) {
    fprintf(stderr, "%s: no generated block (marker lines missing)\n", argv[2]);
    return 1;
  }
  e += strlen(end);
  bool same = (size_t)(e - b) == gen.len && !memcmp(b, gen.data, gen.len);
  if (!strcmp(argv[1], "--check")) {
    if (!same)
      fprintf(stderr,
              "%s is out of date with the schema table; run "
              "'build/tests/gen_spec_doc --update %s'\n",
              argv[2], argv[2]);
    free(text);
    capplan_buf_release(&gen);
    return same ? 0 : 1;
  }
  FILE *f = fopen(argv[2], "wb");
  if (!f) {
    perror(argv[2]);
    free(text);
    capplan_buf_release(&gen);
    return 2;
  }
  fwrite(text, 1, (size_t)(b - text), f);
  fwrite(gen.data, 1, gen.len, f);
  fwrite(e, 1, len - (size_t)(e - text), f);
  fclose(f);
  free(text);
  capplan_buf_release(&gen);
  return 0;
}

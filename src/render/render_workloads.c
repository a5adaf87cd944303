/*
 * render_workloads.c - the workload catalog as a table and one workload
 * with every figure's source ('capplan catalog workloads [NAME]'); the
 * JSON form is render_json.c's.  The data is workload.h's.
 */
#include <stdio.h>

#include "format.h"
#include "render.h"
#include "texttable.h"
#include "workload.h"

/* "500 / 1K / 2K" as written, "-" for a typical figure no source names;
 * one figure when low equals high. */
static const char *range_cell(const wl_range *r, char *buf, size_t size) {
  if (!r->set)
    snprintf(buf, size, "-");
  else if (r->v[WL_LOW] == r->v[WL_HIGH])
    snprintf(buf, size, "%s", r->text[WL_LOW]);
  else
    snprintf(buf, size, "%s / %s / %s", r->text[WL_LOW],
             r->has[WL_TYPICAL] ? r->text[WL_TYPICAL] : "-", r->text[WL_HIGH]);
  return buf;
}

void render_catalog_workloads(const capplan_catalog *c, capplan_buf *out) {
  size_t n;
  const wl_entry *list = workload_list(c, &n);
  ttable *t = tt_new(7, "llllrrl");
  tt_row(t, TT_HEADER);
  const char *head[] = {"workload",   "hardware",   "per",        "latency",
                        "throughput", "QPS/server", "description"};
  for (size_t k = 0; k < 7; k++)
    tt_cell(t, head[k]);
  char b[3][FMT_SIZE * 2];
  for (size_t i = 0; i < n; i++) {
    const wl_entry *e = &list[i];
    const wl_range *server = workload_server_range(e);
    tt_row(t, TT_PLAIN);
    tt_cell(t, e->name);
    tt_cell(t, e->hardware ? e->hardware : "-");
    tt_cell(t, e->per ? e->per : "-");
    tt_cell(t, range_cell(&e->f[WL_LATENCY], b[0], sizeof b[0]));
    tt_cell(t, range_cell(&e->f[WL_THROUGHPUT], b[1], sizeof b[1]));
    if (server)
      range_cell(server, b[2], sizeof b[2]);
    else
      snprintf(b[2], sizeof b[2], "-");
    tt_cell(t, b[2]);
    tt_cell(t, e->description ? e->description : "");
  }
  tt_render(t, false, "", out);
  tt_free(t);
  capplan_buf_puts(
      out, "\nRanges are low / typical / high ('-': no source names a "
           "typical figure); throughput is per 'per', QPS/server per server "
           "of the hardware.  A stage with 'kind: NAME' inherits the "
           "latency, QPS/server (as a range: an uncertain input, its median "
           "in the plan) and hardware; keys it gives override them.  "
           "'capplan catalog workloads NAME' shows every figure's source.\n");
}

void render_catalog_workload(const wl_entry *e, capplan_buf *out) {
  capplan_buf_printf(out, "%s (workload)", e->name);
  if (e->description)
    capplan_buf_printf(out, ": %s", e->description);
  capplan_buf_printf(out, "\n  hardware %s, throughput per %s\n",
                     e->hardware ? e->hardware : "none named",
                     e->per ? e->per : "?");
  ttable *t = tt_new(5, "lllll");
  tt_row(t, TT_HEADER);
  const char *head[] = {"figure", "low", "typical", "high", "source"};
  for (size_t k = 0; k < 5; k++)
    tt_cell(t, head[k]);
  for (size_t i = 0; i < WL_FIELDS; i++) {
    const wl_range *r = &e->f[i];
    if (!r->set)
      continue;
    tt_row(t, TT_PLAIN);
    tt_cell(t, workload_field_key(i));
    tt_cell(t, r->text[WL_LOW]);
    tt_cell(t, r->has[WL_TYPICAL] ? r->text[WL_TYPICAL] : "-");
    tt_cell(t, r->text[WL_HIGH]);
    char src[FMT_SIZE * 4];
    if (r->source >= 0)
      snprintf(src, sizeof src, "[%ld]", r->source + 1);
    else
      snprintf(src, sizeof src, "%s:%d (no source given)", r->file,
               r->loc.line);
    tt_cell(t, src);
  }
  tt_render(t, false, "  ", out);
  tt_free(t);
  if (e->n_sources)
    capplan_buf_puts(out, "\nsources\n");
  for (size_t k = 0; k < e->n_sources; k++) {
    const wl_source *s = &e->sources[k];
    if (s->seed)
      capplan_buf_printf(out, "  [%zu] seed %s, %s\n", k + 1, s->seed,
                         s->section ? s->section : "");
    else
      capplan_buf_printf(out, "  [%zu] %s (read %s)\n", k + 1,
                         s->url ? s->url : "", s->read ? s->read : "?");
    if (s->note)
      capplan_buf_printf(out, "      %s\n", s->note);
  }
  const wl_range *server = workload_server_range(e);
  if (server) {
    char text[256];
    workload_range_text(server, text, sizeof text);
    capplan_buf_printf(out,
                       "\nas a stage: 'kind: %s' gives latency and "
                       "qps_per_server: %s%s%s\n",
                       e->name, text, e->hardware ? " on " : "",
                       e->hardware ? e->hardware : "");
  }
}

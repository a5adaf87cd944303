/*
 * render_csv.c - the report and the diff as CSV for spreadsheets: a header
 * row, one row per stage (and group), and a total row.
 *
 * RFC 4180: lines end in CRLF; a field with a comma or a quote is quoted,
 * with quotes doubled; control characters in names are shown as escapes
 * (\x0d), so no field holds a line break.  Numbers are plain (no thousands
 * separators), in the unit the column names, rounded to 12 significant
 * digits like the JSON report; a figure that does not apply is empty.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "render.h"
#include "util.h"

/* Appends S as a field: control characters (line breaks too) as visible
 * escapes (text_escape), so the only CR LF in the output end rows; quoted
 * when it holds a comma or a quote. */
static void field(capplan_buf *out, const char *s, bool first) {
  if (!first)
    capplan_buf_putc(out, ',');
  if (!s)
    return;
  capplan_buf safe;
  capplan_buf_init(&safe);
  size_t n = strlen(s);
  const char *t = s;
  if (text_plain_prefix(s, n, 0) < n) {
    text_escape(&safe, s, n, 0);
    t = safe.data;
  }
  if (!strpbrk(t, ",\"")) {
    capplan_buf_puts(out, t);
    capplan_buf_release(&safe);
    return;
  }
  capplan_buf_putc(out, '"');
  for (; *t; t++) {
    if (*t == '"')
      capplan_buf_putc(out, '"');
    capplan_buf_putc(out, *t);
  }
  capplan_buf_putc(out, '"');
  capplan_buf_release(&safe);
}

static void number(capplan_buf *out, double v) {
  char buf[64];
  if (!isfinite(v) || v == 0)
    v = 0;
  snprintf(buf, sizeof buf, "%.12g", v);
  field(out, buf, false);
}

static void end_row(capplan_buf *out) {
  capplan_buf_puts(out, "\r\n");
}

void render_csv(const capplan_report *r, const capplan_render_opts *opts,
                capplan_buf *out) {
  (void)opts;
  static const char *const head[] = {
      "kind",         "name",       "hardware",       "group",
      "after",        "qps",        "qps_per_server", "utilization",
      "headroom",     "redundancy", "servers_raw",    "servers",
      "gpus",         "latency_ms", "latency_to_ms",  "cost_per_year",
      "availability", "critical"};
  for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
    field(out, head[i], i == 0);
  end_row(out);
  for (size_t k = 0; k < r->n_stages; k++) {
    const capplan_stage_result *s = &r->stages[k];
    field(out, "stage", true);
    field(out, s->name, false);
    field(out, s->hardware, false);
    field(out, s->group, false);
    capplan_buf after;
    capplan_buf_init(&after);
    for (size_t i = 0; i < s->n_after; i++)
      capplan_buf_printf(&after, "%s%s", i ? " " : "", s->after[i]);
    field(out, after.data ? after.data : "", false);
    capplan_buf_release(&after);
    number(out, s->qps);
    number(out, s->qps_per_server);
    number(out, s->utilization);
    number(out, s->headroom);
    number(out, s->redundancy);
    number(out, s->servers_raw);
    if (s->group) {
      field(out, NULL, false);
      field(out, NULL, false);
    } else {
      number(out, s->servers);
      number(out, s->gpus);
    }
    number(out, s->latency * 1000);
    number(out, s->latency_to * 1000);
    if (s->group)
      field(out, NULL, false);
    else
      number(out, s->cost_per_year);
    number(out, s->effective_availability);
    field(out, s->critical ? "true" : "false", false);
    end_row(out);
  }
  for (size_t g = 0; g < r->n_groups; g++) {
    const capplan_group_result *gr = &r->groups[g];
    field(out, "group", true);
    field(out, gr->name, false);
    field(out, gr->hardware, false);
    field(out, gr->name, false);
    field(out, NULL, false); /* after */
    field(out, NULL, false); /* qps */
    field(out, NULL, false); /* qps_per_server */
    number(out, gr->utilization);
    number(out, gr->headroom);
    number(out, gr->redundancy);
    number(out, gr->servers_raw);
    number(out, gr->servers);
    number(out, gr->gpus);
    field(out, NULL, false);
    field(out, NULL, false);
    number(out, gr->cost_per_year);
    number(out, gr->availability);
    field(out, NULL, false);
    end_row(out);
  }
  field(out, "total", true);
  field(out, r->spec_name, false);
  for (int i = 0; i < 9; i++)
    field(out, NULL, false);
  number(out, r->servers);
  number(out, r->gpus);
  field(out, NULL, false);
  number(out, r->latency * 1000);
  number(out, r->cost_per_year);
  number(out, r->availability);
  field(out, NULL, false);
  end_row(out);
}

static const char *const status_names[] = {"unchanged", "changed", "added",
                                           "removed"};

/* BASE, HEAD and HEAD - BASE, each empty when its side is absent. */
static void triple(capplan_buf *out, bool has_base, bool has_head, double base,
                   double head) {
  if (has_base)
    number(out, base);
  else
    field(out, NULL, false);
  if (has_head)
    number(out, head);
  else
    field(out, NULL, false);
  if (has_base && has_head)
    number(out, head - base);
  else
    field(out, NULL, false);
}

static void diff_line(capplan_buf *out, const char *kind, const char *name,
                      const char *status, bool has_base, bool has_head,
                      bool servers, bool latency, const capplan_diff_values *b,
                      const capplan_diff_values *h) {
  field(out, kind, true);
  field(out, name, false);
  field(out, status, false);
  for (int i = 0; i < 3; i++) {
    double bv = i == 0 ? b->servers : i == 1 ? b->gpus : b->cost_per_year;
    double hv = i == 0 ? h->servers : i == 1 ? h->gpus : h->cost_per_year;
    if (servers)
      triple(out, has_base, has_head, bv, hv);
    else
      triple(out, false, false, 0, 0);
  }
  if (servers && has_base && has_head && b->cost_per_year != 0)
    number(out, (h->cost_per_year - b->cost_per_year) / b->cost_per_year * 100);
  else
    field(out, NULL, false);
  if (latency)
    triple(out, has_base, has_head, b->latency * 1000, h->latency * 1000);
  else
    triple(out, false, false, 0, 0);
  triple(out, has_base, has_head, b->availability, h->availability);
  end_row(out);
}

void render_csv_diff(const capplan_diff *d, const capplan_render_opts *opts,
                     capplan_buf *out) {
  (void)opts;
  static const char *const head[] = {"kind",
                                     "name",
                                     "status",
                                     "base_servers",
                                     "head_servers",
                                     "delta_servers",
                                     "base_gpus",
                                     "head_gpus",
                                     "delta_gpus",
                                     "base_cost_per_year",
                                     "head_cost_per_year",
                                     "delta_cost_per_year",
                                     "delta_cost_pct",
                                     "base_latency_ms",
                                     "head_latency_ms",
                                     "delta_latency_ms",
                                     "base_availability",
                                     "head_availability",
                                     "delta_availability"};
  for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
    field(out, head[i], i == 0);
  end_row(out);
  for (size_t i = 0; i < d->n_rows; i++) {
    const capplan_diff_row *row = &d->rows[i];
    diff_line(out, row->group ? "group" : "stage", row->name,
              status_names[row->status], row->status != CAPPLAN_DIFF_ADDED,
              row->status != CAPPLAN_DIFF_REMOVED, !row->colocated, !row->group,
              &row->base, &row->head);
  }
  diff_line(out, "total", "", "", true, true, true, true, &d->base_total,
            &d->head_total);
}

/*
 * render.c - the registry of renderers: which (view, format) pairs exist
 * and the function for each.
 */
#include "render.h"

#include <stdio.h>
#include <string.h>

#include "batching.h"
#include "format.h"
#include "util.h"

static const char *const format_names[CAPPLAN_FORMAT_COUNT] = {
    "table", "json", "markdown", "csv", "dot", "mermaid", "svg", "html"};

static const struct {
  enum capplan_view view;
  enum capplan_format format;
  render_fn fn;
} registry[] = {
    {CAPPLAN_VIEW_REPORT, CAPPLAN_FORMAT_TABLE, render_table_report},
    {CAPPLAN_VIEW_REPORT, CAPPLAN_FORMAT_JSON, render_json_report},
    {CAPPLAN_VIEW_REPORT, CAPPLAN_FORMAT_MARKDOWN, render_markdown_report},
    {CAPPLAN_VIEW_REPORT, CAPPLAN_FORMAT_CSV, render_csv_report},
    {CAPPLAN_VIEW_CHECK, CAPPLAN_FORMAT_TABLE, render_table_check},
    {CAPPLAN_VIEW_CHECK, CAPPLAN_FORMAT_JSON, render_json_check},
    {CAPPLAN_VIEW_CHECK, CAPPLAN_FORMAT_MARKDOWN, render_markdown_check},
    {CAPPLAN_VIEW_EXPLAIN, CAPPLAN_FORMAT_TABLE, render_explain_text},
    {CAPPLAN_VIEW_EXPLAIN, CAPPLAN_FORMAT_MARKDOWN, render_explain_markdown},
    {CAPPLAN_VIEW_DIFF, CAPPLAN_FORMAT_TABLE, render_table_diff},
    {CAPPLAN_VIEW_DIFF, CAPPLAN_FORMAT_JSON, render_json_diff},
    {CAPPLAN_VIEW_DIFF, CAPPLAN_FORMAT_MARKDOWN, render_markdown_diff},
    {CAPPLAN_VIEW_DIFF, CAPPLAN_FORMAT_CSV, render_csv_diff},
    {CAPPLAN_VIEW_REPORT, CAPPLAN_FORMAT_HTML, render_html_report},
    {CAPPLAN_VIEW_GRAPH, CAPPLAN_FORMAT_DOT, render_graph_dot},
    {CAPPLAN_VIEW_GRAPH, CAPPLAN_FORMAT_MERMAID, render_graph_mermaid},
    {CAPPLAN_VIEW_GRAPH, CAPPLAN_FORMAT_SVG, render_graph_svg},
    {CAPPLAN_VIEW_SWEEP, CAPPLAN_FORMAT_TABLE, render_table_sweep},
    {CAPPLAN_VIEW_SWEEP, CAPPLAN_FORMAT_JSON, render_json_sweep},
    {CAPPLAN_VIEW_SWEEP, CAPPLAN_FORMAT_MARKDOWN, render_markdown_sweep},
    {CAPPLAN_VIEW_SWEEP, CAPPLAN_FORMAT_CSV, render_csv_sweep},
    {CAPPLAN_VIEW_FORECAST, CAPPLAN_FORMAT_TABLE, render_table_forecast},
    {CAPPLAN_VIEW_FORECAST, CAPPLAN_FORMAT_JSON, render_json_forecast},
    {CAPPLAN_VIEW_FORECAST, CAPPLAN_FORMAT_MARKDOWN, render_markdown_forecast},
    {CAPPLAN_VIEW_FORECAST, CAPPLAN_FORMAT_CSV, render_csv_forecast},
    {CAPPLAN_VIEW_SIMULATE, CAPPLAN_FORMAT_TABLE, render_table_simulate},
    {CAPPLAN_VIEW_SIMULATE, CAPPLAN_FORMAT_JSON, render_json_simulate},
    {CAPPLAN_VIEW_SIMULATE, CAPPLAN_FORMAT_CSV, render_csv_simulate},
};

int capplan_format_parse(const char *name, enum capplan_format *out) {
  if (!strcmp(name, "text")) { /* explain's name for the table format */
    *out = CAPPLAN_FORMAT_TABLE;
    return 0;
  }
  for (size_t i = 0; i < ARRAY_LEN(format_names); i++)
    if (!strcmp(format_names[i], name)) {
      *out = (enum capplan_format)i;
      return 0;
    }
  return -1;
}

static render_fn find(enum capplan_view view, enum capplan_format format) {
  for (size_t i = 0; i < ARRAY_LEN(registry); i++)
    if (registry[i].view == view && registry[i].format == format)
      return registry[i].fn;
  return NULL;
}

bool capplan_format_supported(enum capplan_view view,
                              enum capplan_format format, const char **names) {
  if (names) {
    /* "table, json or markdown": the view's formats, from the registry. */
    static char lists[CAPPLAN_VIEW_COUNT][96];
    char *l = lists[view];
    if (!l[0]) {
      size_t n = 0, k = 0;
      for (size_t f = 0; f < CAPPLAN_FORMAT_COUNT; f++)
        n += find(view, (enum capplan_format)f) != NULL;
      for (size_t f = 0; f < CAPPLAN_FORMAT_COUNT; f++) {
        if (!find(view, (enum capplan_format)f))
          continue;
        const char *name =
            view == CAPPLAN_VIEW_EXPLAIN && f == 0 ? "text" : format_names[f];
        size_t len = strlen(l);
        snprintf(l + len, sizeof lists[0] - len, "%s%s",
                 k == 0       ? ""
                 : k + 1 == n ? " or "
                              : ", ",
                 name);
        k++;
      }
    }
    *names = l;
  }
  return find(view, format) != NULL;
}

int capplan_render(enum capplan_view view, enum capplan_format format,
                   const void *subject, const capplan_render_opts *opts,
                   capplan_buf *out) {
  capplan_render_opts none;
  memset(&none, 0, sizeof none);
  render_fn fn = find(view, format);
  if (!fn)
    return -1;
  if (view == CAPPLAN_VIEW_EXPLAIN && opts && opts->stage) {
    const capplan_report *r = subject;
    bool found = false;
    for (size_t i = 0; i < r->model->n_stages && !found; i++)
      found = !strcmp(r->model->stage[i].name, opts->stage);
    if (!found)
      return -1;
  }
  fn(subject, opts ? opts : &none, out);
  return 0;
}

bool capplan_render_streams(enum capplan_view view,
                            enum capplan_format format) {
  /* The report's table and JSON writers append and never look back (the
   * tables are measured before a line of them is written). */
  return view == CAPPLAN_VIEW_REPORT &&
         (format == CAPPLAN_FORMAT_TABLE || format == CAPPLAN_FORMAT_JSON);
}

const char *render_stage_hw(const capplan_model *m, size_t i) {
  return m->hw[m->stage[i].hw].name;
}

const char *render_stage_group(const capplan_model *m, size_t i) {
  long g = m->stage[i].group;
  return g >= 0 ? m->group[g].name : NULL;
}

double render_stage_raw(const capplan_model *m, const plan *pl, size_t i) {
  return m->stage[i].group >= 0 ? pl->stage[i].equivalents
                                : pl->stage[i].pool.raw;
}

/* One stage's line of render_model_notes, or nothing. */
static void model_note(const capplan_report *r, size_t i, const char *prefix,
                       capplan_buf *out) {
  const capplan_model *m = r->model;
  const mstage *ms = &m->stage[i];
  const gpu_in *gi = stage_gpu(m, r->p, i);
  const stage_plan *s = &r->plan->stage[i];
  const tp_out *t = &s->tp;
  const hw_in *hw = &r->p->hw[ms->hw];
  char b[8][FMT_SIZE];
  if (s->load <= 0)
    return;
  if (ms->tp.kind == TP_LLM) {
    static const char *const why[] = {"max_batch", "KV cache", "slo.tpot",
                                      "slo.ttft"};
    const llm_result *l = t->llm;
    capplan_buf_printf(
        out,
        "%sllm %s: %s %s on %s, tp %g, %g replica%s a server (%s in all); "
        "batch %s (%s)%s, TTFT %s, TPOT %s, %s output tokens/s per GPU, "
        "%s-bound",
        prefix, ms->name, ms->tp.as.llm.model ? ms->tp.as.llm.model : "model",
        dtype_name(ms->tp.as.llm.dtype), m->hw[ms->hw].name, gi->tp,
        t->replicas_per_server, t->replicas_per_server == 1 ? "" : "s",
        ms->group >= 0 ? "shared"
                       : fmt_count(s->pool.servers * t->replicas_per_server,
                                   b[0], FMT_SIZE),
        fmt_number(t->batch, 0, b[1], FMT_SIZE),
        why[t->limit >= 0 && t->limit < 4 ? t->limit : 0],
        t->unmet ? ", missing its objective even alone" : "",
        fmt_ms(t->ttft, b[2], FMT_SIZE),
        l->has_tpot ? fmt_ms(l->tpot, b[3], FMT_SIZE) : "n/a",
        fmt_number(l->output_tokens_per_second_per_gpu, 0, b[4], FMT_SIZE),
        llm_bound_name(l->bound));
    if (l->usd_per_m_output > 0) {
      capplan_buf_printf(out, "; %s per million output tokens at full load",
                         fmt_money(l->usd_per_m_output, b[5], FMT_SIZE));
      double at = r->plan->stage[i].usd_per_m_output_at_load;
      if (at > 0)
        capplan_buf_printf(out, ", %s at the average load",
                           fmt_money(at, b[6], FMT_SIZE));
    }
    capplan_buf_puts(out, "\n");
    return;
  }
  const char *what = hw->gpus > 0 ? "GPU" : "slot";
  if (ms->tp.kind == TP_BATCH) {
    if (s->form <= 0)
      return;
    capplan_buf_printf(
        out,
        "%sbatch %s: a batch of %s fills in %s at %s requests/s "
        "per %s, then takes %s\n",
        prefix, ms->name, fmt_number(t->batch, 0, b[0], FMT_SIZE),
        fmt_ms(s->form, b[1], FMT_SIZE),
        fmt_rate(t->batch > 1 ? (t->batch - 1) / s->form : 0, b[2], FMT_SIZE),
        what, fmt_ms(t->latency, b[3], FMT_SIZE));
    return;
  }
  if (ms->tp.kind != TP_DYNBATCH && ms->tp.kind != TP_ROOFLINE)
    return;
  const char *closed =
      !ms->tp.as.gpu.batching ? "a fixed batch"
      : ms->tp.as.gpu.per_accelerator && t->limit == BATCHING_BY_STEADY
          ? "gathered during the last"
      : t->limit == BATCHING_BY_FILL ? "full before the window"
                                     : "closed by the window";
  capplan_buf_printf(out, "%s%s %s: batches of %s (%s), %s each", prefix,
                     ms->tp.kind == TP_ROOFLINE ? "work" : "batching", ms->name,
                     fmt_number(t->batch, 2, b[0], FMT_SIZE), closed,
                     fmt_ms(t->batch_time, b[1], FMT_SIZE));
  if (ms->tp.kind == TP_ROOFLINE)
    capplan_buf_printf(out, ", %s-bound",
                       roofline_bound_name((roofline_bound)t->bound));
  if (ms->tp.as.gpu.batching && ms->tp.as.gpu.per_accelerator) {
    /* Busy all the time by construction (FORMULAS.md 4b): what counts is
     * the share of the batchers' capacity in use (docs/decisions.md). */
    capplan_buf_printf(out,
                       "; %s %ss' capacity in use; a request waits up to %s "
                       "for its batch",
                       fmt_number(t->busy, 2, b[2], FMT_SIZE), what,
                       fmt_ms(s->form, b[3], FMT_SIZE));
    /* The mean is the plan's queue's (latency.c), when it has one. */
    if (s->queue.model != QUEUE_NONE)
      capplan_buf_printf(out, " (%s on average)",
                         fmt_ms(s->queue.form_mean, b[1], FMT_SIZE));
    capplan_buf_puts(out, "\n");
    return;
  }
  if (ms->tp.as.gpu.batching)
    capplan_buf_printf(out, "; %s %ss busy",
                       fmt_number(t->busy, 2, b[2], FMT_SIZE), what);
  capplan_buf_printf(out, "; a request waits %s for its batch\n",
                     fmt_ms(s->form, b[3], FMT_SIZE));
}

void render_model_notes(const capplan_report *r, const char *prefix,
                        capplan_buf *out) {
  for (size_t k = 0; k < r->model->n_stages; k++)
    model_note(r, r->model->order[k], prefix, out);
}

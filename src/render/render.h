/*
 * render.h - the renderers: one file per format, one signature for every
 * view, one registry (render.c) of which (view, format) pairs exist.  A
 * new format is a file and a row in the registry.
 *
 * Renderers read what the pipeline produced (a report, a diff) and format
 * it by the rules of format.h; they compute no figure.  Every string that
 * came from a spec goes through an escaping function of its format.
 */
#ifndef CAPPLAN_RENDER_H
#define CAPPLAN_RENDER_H

#include "capplan.h"
#include "catalog.h"
#include "report.h"

typedef void (*render_fn)(const void *subject, const capplan_render_opts *opts,
                          capplan_buf *out);

void render_table_report(const void *r, const capplan_render_opts *opts,
                         capplan_buf *out);
void render_table_check(const void *r, const capplan_render_opts *opts,
                        capplan_buf *out);
void render_table_diff(const void *d, const capplan_render_opts *opts,
                       capplan_buf *out);
void render_json_report(const void *r, const capplan_render_opts *opts,
                        capplan_buf *out);
void render_json_check(const void *r, const capplan_render_opts *opts,
                       capplan_buf *out);
void render_json_diff(const void *d, const capplan_render_opts *opts,
                      capplan_buf *out);
void render_markdown_report(const void *r, const capplan_render_opts *opts,
                            capplan_buf *out);
void render_markdown_check(const void *r, const capplan_render_opts *opts,
                           capplan_buf *out);
void render_markdown_diff(const void *d, const capplan_render_opts *opts,
                          capplan_buf *out);
void render_csv_report(const void *r, const capplan_render_opts *opts,
                       capplan_buf *out);
void render_csv_diff(const void *d, const capplan_render_opts *opts,
                     capplan_buf *out);
void render_explain_text(const void *r, const capplan_render_opts *opts,
                         capplan_buf *out);
void render_explain_markdown(const void *r, const capplan_render_opts *opts,
                             capplan_buf *out);

/* Pictures (graph.h) and the HTML report. */
void render_graph_dot(const void *r, const capplan_render_opts *opts,
                      capplan_buf *out);
void render_graph_mermaid(const void *r, const capplan_render_opts *opts,
                          capplan_buf *out);
void render_graph_svg(const void *r, const capplan_render_opts *opts,
                      capplan_buf *out);
void render_html_report(const void *r, const capplan_render_opts *opts,
                        capplan_buf *out);
/* Sweeps and forecasts (render_whatif.c; JSON in render_json.c). */
void render_table_sweep(const void *s, const capplan_render_opts *opts,
                        capplan_buf *out);
void render_json_sweep(const void *s, const capplan_render_opts *opts,
                       capplan_buf *out);
void render_markdown_sweep(const void *s, const capplan_render_opts *opts,
                           capplan_buf *out);
void render_csv_sweep(const void *s, const capplan_render_opts *opts,
                      capplan_buf *out);
void render_table_forecast(const void *f, const capplan_render_opts *opts,
                           capplan_buf *out);
void render_json_forecast(const void *f, const capplan_render_opts *opts,
                          capplan_buf *out);
void render_markdown_forecast(const void *f, const capplan_render_opts *opts,
                              capplan_buf *out);
void render_csv_forecast(const void *f, const capplan_render_opts *opts,
                         capplan_buf *out);

/* The built-in hardware catalog as a table ('capplan catalog'). */
void render_catalog_hardware(capplan_buf *out);
/* The accelerators, instances or models of C as a table, and one entry
 * with every figure's source ('capplan catalog KIND [NAME]'); as JSON
 * (render_json.c) E may be NULL for every entry of KIND. */
void render_catalog_list(const capplan_catalog *c, enum cat_kind kind,
                         capplan_buf *out);
void render_catalog_entry(const capplan_catalog *c, enum cat_kind kind,
                          const cat_entry *e, capplan_buf *out);
void render_json_catalog(const capplan_catalog *c, enum cat_kind kind,
                         const cat_entry *e, capplan_buf *out);
/* The workloads of C as a table, one workload with its sources, and as
 * JSON (E NULL: every workload) ('capplan catalog workloads [NAME]';
 * render_workloads.c, render_json.c). */
struct wl_entry;
void render_catalog_workloads(const capplan_catalog *c, capplan_buf *out);
void render_catalog_workload(const struct wl_entry *e, capplan_buf *out);
/* 'capplan catalog hardware --format json': the seed's server types (ONLY
 * alone when not NULL). */
void render_json_hardware(const struct hw_entry *only, capplan_buf *out);
void render_json_workloads(const capplan_catalog *c, const struct wl_entry *e,
                           capplan_buf *out);

/* The name of stage I's hardware, and of its group (NULL if none). */
const char *render_stage_hw(const capplan_model *m, size_t i);
const char *render_stage_group(const capplan_model *m, size_t i);
/* The stage's row figure of raw servers: its own largest raw count, or
 * its server-equivalents in a group. */
double render_stage_raw(const capplan_model *m, const plan *pl, size_t i);

/* One line per stage with an accelerator model or a batch that fills
 * (batching, work, llm, batch): what its batch is, how long it takes and
 * waits, and for an llm its replicas, TTFT, TPOT, tokens and their cost;
 * each line starts with PREFIX ("" or "- "). */
void render_model_notes(const capplan_report *r, const char *prefix,
                        capplan_buf *out);
/* 'capplan simulate' (a capplan_simulation, render_simulate.c). */
void render_table_simulate(const void *s, const capplan_render_opts *opts,
                           capplan_buf *out);
void render_json_simulate(const void *s, const capplan_render_opts *opts,
                          capplan_buf *out);
void render_csv_simulate(const void *s, const capplan_render_opts *opts,
                         capplan_buf *out);

#endif

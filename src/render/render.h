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

/* The built-in hardware catalog as a table ('capplan catalog'). */
void render_catalog_hardware(capplan_buf *out);

/* The name of stage I's hardware, and of its group (NULL if none). */
const char *render_stage_hw(const capplan_model *m, size_t i);
const char *render_stage_group(const capplan_model *m, size_t i);
/* The stage's row figure of raw servers: its own largest raw count, or
 * its server-equivalents in a group. */
double render_stage_raw(const capplan_model *m, const plan *pl, size_t i);

/* 'capplan simulate' (a capplan_simulation, render_simulate.c). */
void render_table_simulate(const void *s, const capplan_render_opts *opts,
                           capplan_buf *out);
void render_json_simulate(const void *s, const capplan_render_opts *opts,
                          capplan_buf *out);
void render_csv_simulate(const void *s, const capplan_render_opts *opts,
                         capplan_buf *out);

#endif

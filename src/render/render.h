/*
 * render.h - the renderers: one file per format, one signature per view.
 * render.c picks the function for a view and a format.
 */
#ifndef CAPPLAN_RENDER_H
#define CAPPLAN_RENDER_H

#include "capplan.h"

typedef void (*report_fn)(const capplan_report *r,
                          const capplan_render_opts *opts, capplan_buf *out);
typedef void (*diff_fn)(const capplan_diff *d, const capplan_render_opts *opts,
                        capplan_buf *out);

void render_table(const capplan_report *r, const capplan_render_opts *opts,
                  capplan_buf *out);
void render_table_check(const capplan_report *r,
                        const capplan_render_opts *opts, capplan_buf *out);
void render_table_diff(const capplan_diff *d, const capplan_render_opts *opts,
                       capplan_buf *out);

void render_json(const capplan_report *r, const capplan_render_opts *opts,
                 capplan_buf *out);
void render_json_check(const capplan_report *r, const capplan_render_opts *opts,
                       capplan_buf *out);
void render_json_diff(const capplan_diff *d, const capplan_render_opts *opts,
                      capplan_buf *out);

void render_markdown(const capplan_report *r, const capplan_render_opts *opts,
                     capplan_buf *out);
void render_markdown_check(const capplan_report *r,
                           const capplan_render_opts *opts, capplan_buf *out);
void render_markdown_diff(const capplan_diff *d,
                          const capplan_render_opts *opts, capplan_buf *out);

void render_csv(const capplan_report *r, const capplan_render_opts *opts,
                capplan_buf *out);
void render_csv_diff(const capplan_diff *d, const capplan_render_opts *opts,
                     capplan_buf *out);

void render_calc_text(const capplan_calc *c, capplan_buf *out);
void render_json_calc(const capplan_calc *c, capplan_buf *out);

#endif

/*
 * render.h - the renderers: one file per format, one signature.
 */
#ifndef CAPPLAN_RENDER_H
#define CAPPLAN_RENDER_H

#include "capplan.h"

typedef void (*render_fn)(const capplan_report *r,
                          const capplan_render_opts *opts, capplan_buf *out);

void render_table(const capplan_report *r, const capplan_render_opts *opts,
                  capplan_buf *out);
void render_json(const capplan_report *r, const capplan_render_opts *opts,
                 capplan_buf *out);

#endif

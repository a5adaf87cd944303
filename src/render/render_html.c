/*
 * render_html.c - placeholder
 */
#include "render.h"

void render_html_report(const void *subject, const capplan_render_opts *opts,
                        capplan_buf *out) {
  (void)subject;
  (void)opts;
  capplan_buf_puts(out, "");
}

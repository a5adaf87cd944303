/*
 * render_uncertain.h - the uncertainty parts of a report in the text
 * formats (table, markdown, CSV, explain; the HTML report's section
 * uses its pieces): the ranges and what they stand
 * for, every figure's p5-p50-p95 beside the plan's, the checks' chance of
 * passing, and the sensitivity of cost and latency to each range.  Each
 * renderer calls these where its report has the section; JSON's is in
 * render_json.c (the only renderer that sees cJSON).
 */
#ifndef CAPPLAN_RENDER_UNCERTAIN_H
#define CAPPLAN_RENDER_UNCERTAIN_H

#include <stdbool.h>
#include <stddef.h>

#include "capplan.h"
#include "format.h"
#include "inputs.h"
#include "mc.h"
#include "report.h"
#include "steps.h"

/* A figure of unit U as the text formats show it; STAT: a summary of
 * trials (counts may then have a decimal). */
char *ufmt(enum fig_unit u, double x, bool stat, char *buf, size_t size);
/* The standard error of a figure of unit U: "±$1,234", "±0.02%". */
char *ufmt_se(enum fig_unit u, double se, char *buf, size_t size);
/* Whether the tables show figure F: the totals always, other figures when
 * they vary from trial to trial. */
bool uncertain_shown(const mc_fig *f);
/* How many figures of MC the tables leave out (the same in every trial;
 * JSON keeps them). */
size_t uncertain_left_out(const mc_result *mc);
/* IN's p5, median (the plan's value) and p95 as drawn, as IN's key writes
 * them, into B[0], B[1] and B[2] (the ranges' table in every format). */
void uinput_ends(const uinput *in, char b[][FMT_SIZE]);
/* "lognormal (90% interval)", "uniform", ... */
const char *uinput_shape(const uinput *in);

/* The uncertainty section after the plan's tables (table format). */
void render_uncertain_table(const capplan_report *r,
                            const capplan_render_opts *opts, capplan_buf *out);
/* 'capplan check': the checks' share of passing trials, after the
 * median plan's checks. */
void render_uncertain_checks(const capplan_report *r,
                             const capplan_render_opts *opts, capplan_buf *out);
/* The same in markdown. */
void render_uncertain_markdown(const capplan_report *r, capplan_buf *out);
/* The CSV report's extra columns when Monte Carlo ran: returns how many;
 * the name of column I (when I is below that) into BUF. */
size_t render_uncertain_csv_columns(const capplan_report *r, size_t i,
                                    char *buf, size_t size);
/* Column I's value for the row whose figures are under PREFIX
 * ("stages.web", "groups.redis", "totals"); false: empty. */
bool render_uncertain_csv_value(const capplan_report *r, const char *prefix,
                                size_t i, double *v);
/* How each range became a distribution, and how Monte Carlo uses it, as
 * steps of L in S ('explain'). */
void render_uncertain_working(const capplan_report *r, steps *s, step_list *l);
/* The line that says the plan is at every range's median, or nothing. */
void render_uncertain_note(const capplan_report *r, capplan_buf *out);

#endif

/*
 * uncertain.h - what the pipeline runner (estimate/run.c) does with a
 * spec's ranges: Monte Carlo and sensitivity when a command asks, and the
 * verdict of the checks that follows from them.  Private to the library.
 */
#ifndef CAPPLAN_UNCERTAIN_H
#define CAPPLAN_UNCERTAIN_H

#include <stdbool.h>

#include "capplan.h"

/* Runs what O asks of R's ranges (nothing when R has none), adding what
 * a user should know to D (trials that could not be evaluated, or that
 * overload a stage). */
void uncertain_run(capplan_report *r, const capplan_mc_opts *o,
                   capplan_diags *d);
/* Frees R's inputs, Monte Carlo and sensitivity. */
void uncertain_free(capplan_report *r);
/* Whether R's checks pass: on Monte Carlo's confidence when it ran, else
 * the plan's. */
bool uncertain_passed(const capplan_report *r);

/* The defaults of a run: 10,000 samples, 95% confidence. */
#define UNCERTAIN_SAMPLES 10000
#define UNCERTAIN_CONFIDENCE 0.95

#endif

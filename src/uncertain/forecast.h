/*
 * forecast.h - the plan month by month as traffic grows (SPEC.md section
 * 8): traffic.growth compounded, every range at its median, one row per
 * month from 0 (the plan as it is) to N, and the first month each check
 * fails.  Private to the library.
 */
#ifndef CAPPLAN_FORECAST_H
#define CAPPLAN_FORECAST_H

#include <stddef.h>

#include "sweep.h"

#define FORECAST_NEVER ((size_t)-1)

struct capplan_forecast {
  const capplan_report *r;
  double growth; /* per month */
  wrow *rows;    /* x[0]: the month */
  size_t n_rows;
  const char *check_names[5];
  size_t n_checks;
  size_t first_fail[5]; /* per check: a month, or FORECAST_NEVER */
};

#endif

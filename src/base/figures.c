/*
 * figures.c - the one ceiling of sizing and nines (see figures.h).
 */
#include "figures.h"

#include <math.h>

/* The inline functions' way out for the rare large or non-finite
 * argument (figures.h). */
double capplan_ceil_slow(double y) {
  return ceil(y);
}

double capplan_floor_slow(double x) {
  return floor(x);
}

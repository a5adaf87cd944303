/*
 * figures.c - the one ceiling of sizing and nines (see figures.h).
 */
#include "figures.h"

#include <math.h>

double capplan_ceil_tolerance(double x) {
  double t = fabs(x) * CAPPLAN_CEIL_RELATIVE;
  if (t > CAPPLAN_CEIL_MAX)
    t = CAPPLAN_CEIL_MAX;
  return t > CAPPLAN_CEIL_TOLERANCE ? t : CAPPLAN_CEIL_TOLERANCE;
}

double capplan_ceil(double x) {
  double y = x - capplan_ceil_tolerance(x);
  /* ceil() of a count below 2^52 by truncation, which needs no library
   * call on a baseline x86-64 build (an evaluation takes this a few
   * times per stage); larger ones take the library's. */
  double c;
  if (y > -1 && y < 4503599627370496.0) {
    c = (double)(long long)y;
    if (c < y)
      c += 1;
  } else {
    c = ceil(y);
  }
  return c > 0 ? c : 0;
}

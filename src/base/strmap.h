/*
 * strmap.h - a string-keyed hash map of indices (open addressing).
 *
 * Used to resolve names (stages, hardware, groups) in O(1), so a spec with
 * 100,000 stages resolves in linear time.  Keys are borrowed, not copied;
 * lookup order never leaks into output, which stays deterministic.
 */
#ifndef CAPPLAN_STRMAP_H
#define CAPPLAN_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

typedef struct strmap {
  const char **keys;
  size_t *vals;
  size_t cap, count;
} strmap;

void strmap_init(strmap *m);
void strmap_release(strmap *m);
/* Finds KEY; stores its value in *VAL if found. */
bool strmap_get(const strmap *m, const char *key, size_t *val);
/* Inserts KEY -> VAL unless KEY is present; returns false (and leaves the
 * old value in *OLD, if OLD is not NULL) when it was. */
bool strmap_put(strmap *m, const char *key, size_t val, size_t *old);

#endif

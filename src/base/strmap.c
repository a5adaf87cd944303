/*
 * strmap.c - see strmap.h.  FNV-1a hashing, linear probing, load <= 1/2.
 */
#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static uint64_t hash(const char *s) {
  uint64_t h = 1469598103934665603ull;
  for (; *s; s++) {
    h ^= (unsigned char)*s;
    h *= 1099511628211ull;
  }
  return h;
}

void strmap_init(strmap *m) {
  memset(m, 0, sizeof *m);
}

void strmap_release(strmap *m) {
  free(m->keys);
  free(m->vals);
  strmap_init(m);
}

static size_t slot(const strmap *m, const char *key) {
  size_t i = (size_t)(hash(key) & (m->cap - 1));
  while (m->keys[i] && strcmp(m->keys[i], key))
    i = (i + 1) & (m->cap - 1);
  return i;
}

bool strmap_get(const strmap *m, const char *key, size_t *val) {
  if (!m->cap)
    return false;
  size_t i = slot(m, key);
  if (!m->keys[i])
    return false;
  if (val)
    *val = m->vals[i];
  return true;
}

static void grow(strmap *m) {
  strmap old = *m;
  m->cap = old.cap ? old.cap * 2 : 16;
  m->keys = xcalloc(m->cap, sizeof(char *));
  m->vals = xcalloc(m->cap, sizeof(size_t));
  m->count = 0;
  for (size_t i = 0; i < old.cap; i++) {
    if (old.keys[i]) {
      size_t j = slot(m, old.keys[i]);
      m->keys[j] = old.keys[i];
      m->vals[j] = old.vals[i];
      m->count++;
    }
  }
  free(old.keys);
  free(old.vals);
}

bool strmap_put(strmap *m, const char *key, size_t val, size_t *old) {
  if ((m->count + 1) * 2 > m->cap)
    grow(m);
  size_t i = slot(m, key);
  if (m->keys[i]) {
    if (old)
      *old = m->vals[i];
    return false;
  }
  m->keys[i] = key;
  m->vals[i] = val;
  m->count++;
  return true;
}

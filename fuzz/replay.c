/*
 * replay.c - runs a fuzz harness on saved inputs without libFuzzer, so
 * that every crash once found stays fixed in every build (normal,
 * sanitizers, valgrind).  Usage: replay_X FILE...
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"

/* The bytes of PATH in a malloc'd buffer (*LEN of them), or NULL. */
static unsigned char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  size_t cap = 1 << 16;
  unsigned char *buf = malloc(cap);
  *len = 0;
  while (buf) {
    size_t n = fread(buf + *len, 1, cap - *len, f);
    *len += n;
    if (n == 0)
      break;
    if (*len == cap) {
      cap *= 2;
      unsigned char *bigger = realloc(buf, cap);
      if (!bigger)
        free(buf);
      buf = bigger;
    }
  }
  fclose(f);
  return buf;
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    size_t len;
    unsigned char *buf = slurp(argv[i], &len);
    if (!buf) {
      perror(argv[i]);
      return 2;
    }
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
  }
  printf("%d inputs replayed\n", argc - 1);
  return 0;
}

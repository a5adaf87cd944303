/*
 * heap.c - how the process's heap is kept for one run (cli.h).
 *
 * Memory policy is the program's, not the library's: the library
 * allocates as it needs, and the CLI, which knows it is a short-lived
 * process with one spec to read, shapes the heap those allocations come
 * from.  Everything here only changes speed; no output depends on it.
 */
#define _DEFAULT_SOURCE /* madvise, MADV_HUGEPAGE */
#include "cli.h"

#include <stdint.h>
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#include <sys/mman.h>
#endif

/* A run allocates a few large blocks in turn (the spec's stages, then
 * the plan's, then the tables), each freed before the next is made.
 * Left to glibc, each is a fresh mapping the kernel faults in page by
 * page (a fifth of a 100,000-stage run); from one heap that is never
 * given back, the next block reuses the pages of the last one.  The
 * process is short-lived, so the heap it keeps costs nothing. */
void cli_heap_setup(void) {
#ifdef __GLIBC__
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

/* Bytes of heap to grow for each byte of a spec.  A run was seen to
 * take at most 34 (bench/gen_spec.py's 100,000-stage chain, short lines:
 * 182 MB of peak resident memory for 5.3 MB of YAML; 21 for its wide
 * DAG), and the heap's top climbs past what is live as freed blocks
 * leave holes.  Only what is touched is ever backed by memory, so room
 * to spare costs nothing. */
enum { HEAP_PER_SPEC_BYTE = 64 };
#define HUGE_PAGE ((uintptr_t)2 << 20)
#define HEAP_MIN ((size_t)16 << 20)  /* below it, huge pages gain nothing */
#define HEAP_MAX ((size_t)768 << 20) /* under M_MMAP_THRESHOLD */

/* Grows the heap once to the size a spec of SPEC_LEN bytes will need and
 * asks the kernel to back that room with 2 MB pages where it can
 * (transparent huge pages, in the 'madvise' mode Debian ships).  A
 * 100,000-stage spec's run touches 180 MB: 45,000 page faults of 4 KB
 * were more than half of its time on a virtual machine (0.83 s, against
 * 0.37 s with a few hundred of 2 MB).  The block is freed at once and stays as
 * the heap's top, which the allocations after it are carved from. */
void cli_heap_expect(size_t spec_len) {
#if defined(__GLIBC__) && defined(MADV_HUGEPAGE)
  if (spec_len > HEAP_MAX / HEAP_PER_SPEC_BYTE)
    spec_len = HEAP_MAX / HEAP_PER_SPEC_BYTE;
  size_t bytes = spec_len * HEAP_PER_SPEC_BYTE;
  if (bytes < HEAP_MIN)
    return;
  char *p = malloc(bytes);
  if (!p)
    return;
  uintptr_t lo = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
  uintptr_t hi = ((uintptr_t)p + bytes) & ~(HUGE_PAGE - 1);
  if (hi > lo)
    (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE); /* a hint only */
  free(p);
#else
  (void)spec_len;
#endif
}

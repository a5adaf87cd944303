/*
 * util.h - allocation, arenas and small string helpers shared by every
 * module.  Allocation never returns NULL: on exhaustion the process stops
 * with a message (there is nothing sensible a capacity planner can do
 * without memory), so callers need no error paths for it.
 */
#ifndef CAPPLAN_UTIL_H
#define CAPPLAN_UTIL_H

#include <stddef.h>

#include "capplan.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* A small function inlined wherever it is called, for the few a hot
 * loop must not call (where the compiler has the attribute). */
#if defined(__GNUC__)
#define CAPPLAN_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define CAPPLAN_ALWAYS_INLINE inline
#endif
/* A function kept out of line: a rare path a hot loop calls, so that its
 * code does not crowd the loop's registers. */
#if defined(__GNUC__)
#define CAPPLAN_NOINLINE __attribute__((noinline))
#else
#define CAPPLAN_NOINLINE
#endif

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Grows *P (of *CAP elements of SIZE bytes) to hold at least NEED. */
void xgrow(void **p, size_t *cap, size_t need, size_t size);

/* A bump allocator: many small objects, freed together.  Each pipeline
 * product (spec, graph, report) owns one. */
typedef struct capplan_arena capplan_arena;

capplan_arena *arena_new(void);
void arena_free(capplan_arena *a);
/* Zeroed, aligned for any type; never NULL. */
void *arena_alloc(capplan_arena *a, size_t n);
void *arena_array(capplan_arena *a, size_t count, size_t size);
char *arena_strdup(capplan_arena *a, const char *s);
char *arena_strndup(capplan_arena *a, const char *s, size_t n);

/* Edit distance (optimal string alignment) between A and B, at most
 * LIMIT + 1 (the computation stops early past the limit). */
size_t edit_distance(const char *a, const char *b, size_t limit);
/* The candidate closest to WORD, or NULL when none is close enough to be a
 * plausible typo. */
const char *closest_word(const char *word, const char *const *candidates,
                         size_t n);

/* S made into a valid name ([a-z0-9_-]+): lower case, runs of other ASCII
 * characters as one '-'.  Empty if S has non-ASCII letters, which have no
 * faithful ASCII spelling. */
void name_slug(const char *s, char *buf, size_t size);

/* Length of the valid UTF-8 prefix of S (N bytes): N if all of it is. */
size_t utf8_valid_prefix(const char *s, size_t n);

/* Number of characters (UTF-8 code points) in the first N bytes of S. */
size_t utf8_width(const char *s, size_t n);

/* Text from a spec, a report or the command line made safe for a
 * terminal, a CI log or a table (docs/security.md): C0 controls and DEL
 * are shown as \x1b, C1 controls (U+0080..U+009F) as \u009b, and bytes
 * that are not UTF-8 as \xff.  Everything else, backslashes included,
 * is copied as it is.  Every text renderer and every message passes
 * outside text through these. */
enum { TEXT_KEEP_TAB = 1 }; /* a tab stays a tab (quoted source lines) */
/* Length of the prefix of the N bytes of S that needs no escaping. */
size_t text_plain_prefix(const char *s, size_t n, unsigned flags);
/* Appends the escape of the one character (or stray byte) at S, of at
 * most N bytes; returns the bytes it stands for (at least 1). */
size_t text_escape_one(capplan_buf *out, const char *s, size_t n);
/* Appends the N bytes of S, escaped. */
void text_escape(capplan_buf *out, const char *s, size_t n, unsigned flags);
/* Appends the string S escaped; NULL appends nothing.  Fits fmt_path. */
void text_puts(capplan_buf *out, const char *s);

/* Room for N more bytes at the end of B (which a sink may first empty):
 * a writer fills up to N bytes at the pointer returned, then says how
 * many with capplan_buf_commit, which keeps the text NUL-terminated.
 * For writers that put a line together in place instead of copying it. */
void capplan_buf_room(capplan_buf *b, size_t n);
/* Inline: the renderers take room for each of a million cells or
 * members, and the common case is one comparison. */
static inline char *capplan_buf_reserve(capplan_buf *b, size_t n) {
  if (b->len + n + 1 > b->cap)
    capplan_buf_room(b, n);
  return b->data + b->len;
}
static inline void capplan_buf_commit(capplan_buf *b, size_t n) {
  b->len += n;
  b->data[b->len] = '\0';
}

#endif

/*
 * util.c - allocation wrappers, the arena, the text buffer and small string
 * helpers.  See util.h for why allocation failure ends the process.
 */
#include "util.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void out_of_memory(size_t n) {
  fprintf(stderr, "capplan: out of memory (allocating %zu bytes)\n", n);
  exit(CAPPLAN_EXIT_IO);
}

void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p)
    out_of_memory(n);
  return p;
}

void *xcalloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p)
    out_of_memory(n * size);
  return p;
}

void *xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q)
    out_of_memory(n);
  return q;
}

char *xstrndup(const char *s, size_t n) {
  char *d = xmalloc(n + 1);
  memcpy(d, s, n);
  d[n] = '\0';
  return d;
}

char *xstrdup(const char *s) {
  return xstrndup(s, strlen(s));
}

void xgrow(void **p, size_t *cap, size_t need, size_t size) {
  if (need <= *cap)
    return;
  size_t c = *cap ? *cap : 8;
  while (c < need) {
    if (c > SIZE_MAX / 2 / size)
      out_of_memory(SIZE_MAX);
    c *= 2;
  }
  *p = xrealloc(*p, c * size);
  *cap = c;
}

/* ----------------------------------------------------------------- arena */

struct chunk {
  struct chunk *next;
  size_t used, size;
  max_align_t data[];
};

struct capplan_arena {
  struct chunk *head;
};

enum { CHUNK_BYTES = 64 * 1024 };

capplan_arena *arena_new(void) {
  return xcalloc(1, sizeof(capplan_arena));
}

void arena_free(capplan_arena *a) {
  if (!a)
    return;
  struct chunk *c = a->head;
  while (c) {
    struct chunk *next = c->next;
    free(c);
    c = next;
  }
  free(a);
}

/* A new chunk of A for a block of N bytes; ZERO asks for a large
 * block's chunk cleared, by calloc, which knows when fresh pages need no
 * clearing (the records of a 100,000-stage spec's stages, 150 MB, were
 * cleared byte by byte before). */
static struct chunk *arena_chunk(capplan_arena *a, size_t n, bool zero) {
  bool large = n > CHUNK_BYTES / 2;
  size_t size = large ? n : CHUNK_BYTES;
  struct chunk *c = zero && large ? xcalloc(1, sizeof(struct chunk) + size)
                                  : xmalloc(sizeof(struct chunk) + size);
  c->used = 0;
  c->size = size;
  if (large && a->head) {
    /* A large block gets its own chunk behind the current one, so the
     * free space of the current chunk is not wasted. */
    c->next = a->head->next;
    a->head->next = c;
  } else {
    c->next = a->head;
    a->head = c;
  }
  return c;
}

/* N bytes of A aligned for any type, not cleared unless *CLEARED says
 * they came cleared from calloc (a large block's own chunk). */
static void *arena_take(capplan_arena *a, size_t n, bool *cleared) {
  const size_t align = sizeof(max_align_t);
  if (n > SIZE_MAX - align)
    out_of_memory(n);
  n = (n + align - 1) / align * align;
  struct chunk *c = a->head;
  /* Strings leave the chunk's end unaligned (arena_strndup). */
  size_t at = c ? (c->used + align - 1) / align * align : 0;
  *cleared = false;
  if (!c || at > c->size || c->size - at < n) {
    c = arena_chunk(a, n, true);
    at = 0;
    *cleared = n > CHUNK_BYTES / 2;
  }
  c->used = at + n;
  return (char *)c->data + at;
}

void *arena_alloc(capplan_arena *a, size_t n) {
  bool cleared;
  void *p = arena_take(a, n, &cleared);
  if (!cleared)
    memset(p, 0, n);
  return p;
}

void *arena_array(capplan_arena *a, size_t count, size_t size) {
  if (size && count > SIZE_MAX / size)
    out_of_memory(SIZE_MAX);
  return arena_alloc(a, count * size);
}

char *arena_strndup(capplan_arena *a, const char *s, size_t n) {
  /* Text needs no alignment: packed byte to byte, the 600,000 short
   * scalars of a 100,000-stage spec take a third of the room that
   * 16-byte slots gave them.  Strings share the chunk with aligned
   * blocks, which round their own start up (arena_take). */
  if (n > SIZE_MAX - 1)
    out_of_memory(n);
  struct chunk *c = a->head;
  if (!c || c->size - c->used < n + 1)
    c = arena_chunk(a, n + 1, false);
  char *d = (char *)c->data + c->used;
  c->used += n + 1;
  memcpy(d, s, n);
  d[n] = '\0';
  return d;
}

char *arena_strdup(capplan_arena *a, const char *s) {
  return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

/* ------------------------------------------------------------------ buf */

void capplan_buf_init(capplan_buf *b) {
  b->data = NULL;
  b->len = b->cap = 0;
  b->sink = NULL;
  b->sink_ctx = NULL;
}

void capplan_buf_release(capplan_buf *b) {
  free(b->data);
  capplan_buf_init(b);
}

void capplan_buf_stream(capplan_buf *b, size_t chunk,
                        void (*sink)(void *ctx, const char *data, size_t n),
                        void *ctx) {
  xgrow((void **)&b->data, &b->cap, chunk > 16 ? chunk : 16, 1);
  b->data[b->len] = '\0';
  b->sink = sink;
  b->sink_ctx = ctx;
}

void capplan_buf_flush(capplan_buf *b) {
  if (b->sink && b->len) {
    b->sink(b->sink_ctx, b->data, b->len);
    b->len = 0;
    b->data[0] = '\0';
  }
}

/* Makes room for N more bytes and the NUL: a buffer with a sink first
 * hands over what it holds, and grows only for a piece larger than its
 * capacity. */
void capplan_buf_room(capplan_buf *b, size_t n) {
  if (b->len + n + 1 <= b->cap)
    return;
  capplan_buf_flush(b);
  xgrow((void **)&b->data, &b->cap, b->len + n + 1, 1);
}

void capplan_buf_put(capplan_buf *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) /* the common case needs no call */
    capplan_buf_room(b, n);
  if (n)
    memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void capplan_buf_puts(capplan_buf *b, const char *s) {
  capplan_buf_put(b, s, strlen(s));
}

void capplan_buf_putc(capplan_buf *b, char c) {
  if (b->len + 2 > b->cap)
    capplan_buf_room(b, 1);
  b->data[b->len++] = c;
  b->data[b->len] = '\0';
}

void capplan_buf_vprintf(capplan_buf *b, const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n < 0)
    return;
  capplan_buf_room(b, (size_t)n);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  b->len += (size_t)n;
}

void capplan_buf_printf(capplan_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  capplan_buf_vprintf(b, fmt, ap);
  va_end(ap);
}

/* -------------------------------------------------------------- strings */

size_t edit_distance(const char *a, const char *b, size_t limit) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 64 || lb > 64)
    return limit + 1; /* names this long are not typos of each other */
  if ((la > lb ? la - lb : lb - la) > limit)
    return limit + 1;
  /* Three rows of the optimal-string-alignment matrix. */
  size_t r0[65], r1[65], r2[65];
  size_t *prev2 = r0, *prev = r1, *cur = r2;
  for (size_t j = 0; j <= lb; j++)
    prev[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t best = cur[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      size_t v = prev[j - 1] + cost;
      if (prev[j] + 1 < v)
        v = prev[j] + 1;
      if (cur[j - 1] + 1 < v)
        v = cur[j - 1] + 1;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
          prev2[j - 2] + 1 < v)
        v = prev2[j - 2] + 1;
      cur[j] = v;
      if (v < best)
        best = v;
    }
    if (best > limit)
      return limit + 1;
    size_t *t = prev2;
    prev2 = prev;
    prev = cur;
    cur = t;
  }
  return prev[lb] < limit + 1 ? prev[lb] : limit + 1;
}

const char *closest_word(const char *word, const char *const *candidates,
                         size_t n) {
  /* A typo is at most a third of the word's letters away (at least one,
   * at most three), like the suggestions of compilers and git. */
  size_t len = strlen(word);
  size_t limit = len / 3;
  if (limit < 1)
    limit = 1;
  if (limit > 3)
    limit = 3;
  const char *best = NULL;
  size_t best_d = limit + 1;
  for (size_t i = 0; i < n; i++) {
    size_t d = edit_distance(word, candidates[i], limit);
    /* Replacing every letter is no typo: '3' is not a misspelt 'a'. */
    if (d >= len || d >= strlen(candidates[i]))
      continue;
    if (d < best_d) {
      best_d = d;
      best = candidates[i];
    }
  }
  return best;
}

void name_slug(const char *s, char *buf, size_t size) {
  size_t j = 0;
  for (size_t i = 0; s[i] && j + 1 < size; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x80) {
      j = 0;
      break;
    }
    if (isalnum(c) || c == '_' || c == '-')
      buf[j++] = (char)tolower(c);
    else if (j > 0 && buf[j - 1] != '-')
      buf[j++] = '-';
  }
  while (j > 0 && buf[j - 1] == '-')
    j--;
  buf[j] = '\0';
}

/* Length of the valid UTF-8 sequence at P (N bytes left), or 0. */
static size_t utf8_seq_len(const unsigned char *p, size_t n) {
  unsigned char c = p[0];
  size_t len;
  unsigned min;
  if (c < 0x80)
    return 1;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (len > n)
    return 0;
  unsigned cp = c & (0x7F >> len);
  for (size_t k = 1; k < len; k++) {
    if ((p[k] & 0xC0) != 0x80)
      return 0;
    cp = (cp << 6) | (p[k] & 0x3F);
  }
  /* No overlong forms, surrogates or code points past U+10FFFF. */
  if (cp < min || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
    return 0;
  return len;
}

size_t utf8_valid_prefix(const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while (i < n) {
    /* ASCII, the bulk of a spec, eight bytes at a time: none has its
     * top bit set. */
    while (n - i >= 8) {
      uint64_t w;
      memcpy(&w, p + i, 8);
      if (w & 0x8080808080808080u)
        break;
      i += 8;
    }
    if (i >= n)
      break;
    size_t len = utf8_seq_len(p + i, n - i);
    if (!len)
      return i;
    i += len;
  }
  return n;
}

/* ------------------------------------------------------------ safe text */

size_t text_plain_prefix(const char *s, size_t n, unsigned flags) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while (i < n) {
    unsigned char c = p[i];
    if (c >= 0x20 && c < 0x7F) {
      i++;
      continue;
    }
    if (c == '\t' && (flags & TEXT_KEEP_TAB)) {
      i++;
      continue;
    }
    if (c < 0x80)
      return i; /* C0 or DEL */
    size_t len = utf8_seq_len(p + i, n - i);
    /* U+0080..U+009F, the C1 controls, are C2 80..C2 9F in UTF-8; a
     * terminal may read U+009B as CSI, the start of an escape sequence. */
    if (!len || (c == 0xC2 && p[i + 1] <= 0x9F))
      return i;
    i += len;
  }
  return n;
}

size_t text_escape_one(capplan_buf *out, const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s;
  size_t len = n ? utf8_seq_len(p, n) : 0;
  if (len == 2 && p[0] == 0xC2 && p[1] <= 0x9F) {
    capplan_buf_printf(out, "\\u%04x", (unsigned)p[1]);
    return 2;
  }
  if (len > 1 || (len == 1 && p[0] >= 0x20 && p[0] < 0x7F)) {
    capplan_buf_put(out, s, len); /* nothing to escape */
    return len;
  }
  capplan_buf_printf(out, "\\x%02x", n ? (unsigned)p[0] : 0u);
  return 1;
}

void text_escape(capplan_buf *out, const char *s, size_t n, unsigned flags) {
  size_t i = 0;
  while (i < n) {
    size_t plain = text_plain_prefix(s + i, n - i, flags);
    capplan_buf_put(out, s + i, plain);
    i += plain;
    if (i < n)
      i += text_escape_one(out, s + i, n - i);
  }
}

void text_puts(capplan_buf *out, const char *s) {
  if (s)
    text_escape(out, s, strlen(s), 0);
}

size_t utf8_width(const char *s, size_t n) {
  size_t w = 0;
  for (size_t i = 0; i < n; i++)
    if (((unsigned char)s[i] & 0xC0) != 0x80)
      w++;
  return w;
}

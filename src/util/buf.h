/*
** buf.h: a growable byte buffer with a hard cap.
**
** Request bodies are read into a buf whose cap is the route's body limit, so
** a client cannot make the server hold more than the route allows.  The
** buffer owns its bytes; buf_free releases them and may be called on a
** zeroed or already freed buf.  Not thread-safe; one owner at a time.
*/
#ifndef HAT_UTIL_BUF_H
#define HAT_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "err.h"

struct buf {
	char *data;   /* always NUL-terminated when len > 0 */
	size_t len;
	size_t alloc;
	size_t cap;   /* the most bytes the buffer may ever hold */
};

/* Starts an empty buffer that may grow to cap bytes.  Allocates nothing. */
void buf_init(struct buf *b, size_t cap);

/* Appends n bytes.  HAT_E_BODY_TOO_LARGE past the cap (nothing appended),
** HAT_E_NOMEM when memory runs out. */
enum hat_err buf_append(struct buf *b, const void *p, size_t n);

/* Appends a NUL-terminated string. */
enum hat_err buf_puts(struct buf *b, const char *s);

/* Appends printf-style text. */
enum hat_err buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Releases the bytes and resets the buffer (keeping its cap). */
void buf_free(struct buf *b);

/* Copies src into dst of size n, always NUL-terminating; returns false when
** src did not fit (dst then holds a truncated copy). */
#include <stdbool.h>
bool str_copy(char *dst, size_t n, const char *src);

/* Parses a whole decimal integer in [min, max]; false on anything else. */
#include <stdint.h>
bool str_to_int64(const char *s, int64_t min, int64_t max, int64_t *out);

#endif

/*
** buf.c: see buf.h.
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

void buf_init(struct buf *b, size_t cap)
{
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	b->cap = cap;
}

enum hat_err buf_append(struct buf *b, const void *p, size_t n)
{
	size_t need;
	size_t grow;
	char *nd;

	if (n > b->cap || b->len > b->cap - n)
		return HAT_E_BODY_TOO_LARGE;
	need = b->len + n + 1;
	if (need > b->alloc) {
		grow = b->alloc ? b->alloc * 2 : 256;
		while (grow < need)
			grow *= 2;
		if (grow > b->cap + 1)
			grow = b->cap + 1;
		nd = realloc(b->data, grow);
		if (!nd)
			return HAT_E_NOMEM;
		b->data = nd;
		b->alloc = grow;
	}
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return HAT_OK;
}

enum hat_err buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

enum hat_err buf_printf(struct buf *b, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	int n;
	enum hat_err rc;
	char *big;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return HAT_E_INTERNAL;
	if ((size_t)n < sizeof small)
		return buf_append(b, small, (size_t)n);
	big = malloc((size_t)n + 1);
	if (!big)
		return HAT_E_NOMEM;
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	rc = buf_append(b, big, (size_t)n);
	free(big);
	return rc;
}

void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
}

bool str_copy(char *dst, size_t n, const char *src)
{
	size_t len;

	if (n == 0)
		return false;
	len = strlen(src);
	if (len >= n) {
		memcpy(dst, src, n - 1);
		dst[n - 1] = '\0';
		return false;
	}
	memcpy(dst, src, len + 1);
	return true;
}

bool str_to_int64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	/* strtoll would skip leading white space; a whole integer has none. */
	if (!s || !*s || (*s != '-' && *s != '+' && (*s < '0' || *s > '9')))
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end != '\0' || v < min || v > max)
		return false;
	*out = (int64_t)v;
	return true;
}

/*
** canon.h: the canonical encoding the audit chain hashes (private to
** src/audit/).
**
** Each field is an 8-byte big-endian length followed by its bytes; integers
** are written in decimal.  Length prefixes make the encoding unambiguous: no
** choice of field values can make two different inputs hash alike.
*/
#ifndef HAT_AUDIT_CANON_H
#define HAT_AUDIT_CANON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

static inline void canon_field(crypto_generichash_blake2b_state *st, const void *p, size_t n)
{
	unsigned char len[8];

	for (int i = 0; i < 8; i++)
		len[i] = (unsigned char)((uint64_t)n >> (56 - 8 * i));
	crypto_generichash_blake2b_update(st, len, sizeof len);
	if (n)
		crypto_generichash_blake2b_update(st, p, n);
}

/* v in decimal, as "%lld" writes it, into s (no NUL); returns the length.
** By hand because verify encodes every integer of every row, and printf
** was a tenth of its time. */
static inline size_t canon_decimal(int64_t v, char s[24])
{
	char tmp[24];
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	size_t n = 0, len = 0;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		s[len++] = '-';
	while (n)
		s[len++] = tmp[--n];
	return len;
}

static inline void canon_int(crypto_generichash_blake2b_state *st, int64_t v)
{
	char s[24];

	canon_field(st, s, canon_decimal(v, s));
}

static inline void canon_str(crypto_generichash_blake2b_state *st, const char *s)
{
	canon_field(st, s, strlen(s));
}

/* The same encoding into a buffer, so that a message of many small fields
** is hashed in one call (each BLAKE2b update has a fixed cost).  A buffer
** that runs out of room is marked failed; the caller then encodes again
** with st set, which feeds every field straight to the hash instead (the
** same bytes, so the same hash). */
struct canon_buf {
	unsigned char *p;
	size_t len;
	size_t cap;
	bool failed;
	crypto_generichash_blake2b_state *st;
};

static inline void canon_buf_field(struct canon_buf *b, const void *p, size_t n)
{
	if (b->st) {
		canon_field(b->st, p, n);
		return;
	}
	if (b->failed || b->cap - b->len < n + 8) {
		b->failed = true;
		return;
	}
	for (int i = 0; i < 8; i++)
		b->p[b->len++] = (unsigned char)((uint64_t)n >> (56 - 8 * i));
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

static inline void canon_buf_int(struct canon_buf *b, int64_t v)
{
	char s[24];

	canon_buf_field(b, s, canon_decimal(v, s));
}

static inline void canon_buf_str(struct canon_buf *b, const char *s)
{
	canon_buf_field(b, s, strlen(s));
}

#endif

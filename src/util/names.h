/*
** names.h: lookups in tables of names indexed by enum value, shared by the
** core modules that turn enums into the API's spellings and back.
*/
#ifndef HAT_UTIL_NAMES_H
#define HAT_UTIL_NAMES_H

#include <stddef.h>
#include <string.h>

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* The index of name in names[0..count); slot 0 is never a name, so index
** 0 doubles as "not found" (and is the answer for a NULL name). */
static inline size_t names_find(const char *const *names, size_t count, const char *name)
{
	if (!name)
		return 0;
	for (size_t i = 1; i < count; i++) {
		if (names[i] && strcmp(names[i], name) == 0)
			return i;
	}
	return 0;
}

#endif

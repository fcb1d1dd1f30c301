/*
** fuzz_path.c: request paths against every route pattern.  A match must
** give ids in range, and never read past the path.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = malloc(size + 1);
	int64_t a, b;

	if (!path)
		return 0;
	memcpy(path, data, size);
	path[size] = '\0';
	for (size_t i = 0; i < api_route_count; i++) {
		if (http_match(api_routes[i].pattern, path, &a, &b) &&
		    (a < 0 || b < 0 || a > 999999999999999LL || b > 999999999999999LL))
			abort();
	}
	free(path);
	return 0;
}

/*
** spool.c: rows written out in blocks to a descriptor (spool.h).
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spool.h"

enum hat_err spool_open_temp(struct spool *s)
{
	const char *dir = getenv("TMPDIR");
	char path[512];
	int fd;

	spool_open_fd(s, -1, false);
	if (snprintf(path, sizeof path, "%s/hat-spool-XXXXXX", dir && *dir ? dir : "/tmp") >=
	    (int)sizeof path)
		return HAT_E_IO;
	fd = mkstemp(path);
	if (fd < 0)
		return HAT_E_IO;
	/* Gone from the directory at once: nothing is left behind by a crash. */
	unlink(path);
	spool_open_fd(s, fd, true);
	return HAT_OK;
}

void spool_open_fd(struct spool *s, int fd, bool owns)
{
	memset(s, 0, sizeof *s);
	buf_init(&s->b, SPOOL_BLOCK + SPOOL_ROW_CAP);
	s->fd = fd;
	s->owns_fd = owns;
}

enum hat_err spool_flush(struct spool *s)
{
	size_t off = 0;

	if (s->b.len > 0 && s->fd < 0)
		return HAT_E_IO;
	while (off < s->b.len) {
		ssize_t n = write(s->fd, s->b.data + off, s->b.len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return HAT_E_IO;
		off += (size_t)n;
	}
	s->written += off;
	/* The block's memory is kept for the next rows: only its length resets. */
	s->b.len = 0;
	return HAT_OK;
}

enum hat_err spool_row(struct spool *s)
{
	return s->b.len < SPOOL_BLOCK ? HAT_OK : spool_flush(s);
}

int spool_take_fd(struct spool *s)
{
	int fd = s->fd;

	s->fd = -1;
	s->owns_fd = false;
	return fd;
}

void spool_free(struct spool *s)
{
	buf_free(&s->b);
	if (s->owns_fd && s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->owns_fd = false;
}

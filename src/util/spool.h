/*
** spool.h: a long answer written out as it is made, in constant memory.
**
** A CSV, NDJSON or HTML read that can be as long as the history (an export,
** a register year, a report) is written row by row into a small block that
** goes to a file descriptor whenever it fills, so that memory stays the
** same whatever the size.  hatd writes to a spool file (spool_open_temp:
** unlinked at once, so only the descriptor names it and closing it frees
** the space) and answers from it (api_spool_reply, api.h); hatctl writes
** straight to its output file.
**
** Ownership: the spool owns its block; spool_free releases it and closes
** the descriptor when the spool opened it (spool_open_temp) or was given
** it to own.  Not thread-safe; one owner at a time.
*/
#ifndef HAT_UTIL_SPOOL_H
#define HAT_UTIL_SPOOL_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"

/* Bytes held before they go to the descriptor. */
#define SPOOL_BLOCK ((size_t)64 << 10)
/* The longest one row may be (a row is written to the block whole). */
#define SPOOL_ROW_CAP ((size_t)16 << 20)

struct spool {
	struct buf b;      /* the block: writers append a row here, then spool_row */
	int fd;            /* where the block goes; -1 when none */
	bool owns_fd;      /* spool_free closes fd */
	uint64_t written;  /* bytes that went to fd */
};

/* A spool over a new unlinked file in $TMPDIR (or /tmp).  HAT_E_IO when
** the file cannot be made; s is then empty (spool_free is harmless). */
enum hat_err spool_open_temp(struct spool *s);

/* A spool over fd (a file or a pipe); owns says whether spool_free closes it. */
void spool_open_fd(struct spool *s, int fd, bool owns);

/* Marks the end of a row: the block goes to the descriptor once it holds
** SPOOL_BLOCK bytes or more.  HAT_E_IO when the descriptor refuses them. */
enum hat_err spool_row(struct spool *s);

/* Writes out whatever the block holds.  HAT_E_IO. */
enum hat_err spool_flush(struct spool *s);

/* Gives up the descriptor to the caller (after spool_flush), who closes it:
** -1 when there is none.  The spool no longer closes it. */
int spool_take_fd(struct spool *s);

/* Releases the block and closes an owned descriptor.  Accepts an emptied
** or already freed spool. */
void spool_free(struct spool *s);

#endif

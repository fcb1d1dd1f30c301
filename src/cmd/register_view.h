/*
** register_view.h (cmd): the register's JSON view written out as it is
** read (register_view.c).
*/
#ifndef HAT_CMD_REGISTER_VIEW_H
#define HAT_CMD_REGISTER_VIEW_H

#include "cmd/register.h"
#include "util/spool.h"

/* The document register_view makes (register.h), written to out entry by
** entry in constant memory: the pages with their headings, each with its
** entries and next_after_seq (after the entries here).  Errors: those of
** register_view, HAT_E_IO when out's descriptor refuses the bytes. */
enum hat_err register_view_write(struct store_conn *c, int64_t premises_id, int64_t page_id,
				 int32_t from, int32_t to, int64_t after_seq, int64_t limit,
				 struct spool *out);

#endif

/*
** photos.h: the patient's photograph for the dosing room.
**
** Commands (target = patient; nurse or prescriber):
**   photo.set       content_type ("image/jpeg" | "image/png"), image_base64:
**                   the photograph, checked by core/identity, replacing any
**                   held before.  The audit event records its size and
**                   type, never the image.
**   photo.withdraw  reason: consent withdrawn; the photograph is deleted
**                   outright, and the audit event says why.
** Refusals: not_found (no such patient, or no photograph to withdraw),
** invalid_value / too_long (image_base64 not a JPEG or PNG of 100 bytes
** to 256 KiB, or not base64).
*/
#ifndef HAT_CMD_PHOTOS_H
#define HAT_CMD_PHOTOS_H

#include "cmd/cmd.h"
#include "util/buf.h"

extern const struct cmd_def photos_set;
extern const struct cmd_def photos_withdraw;

/* The patient's photograph: its bytes appended to out and its content type
** (static) in *content_type.  HAT_E_NOT_FOUND when none is held.  The
** caller logs the read (the access log). */
enum hat_err photos_read(struct store_conn *c, int64_t patient_id, struct buf *out,
			 const char **content_type);

#endif

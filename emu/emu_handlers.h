/*
 * emu_handlers: the Redfish service itself: one request in, one reply out.
 */
#ifndef EMU_HANDLERS_H
#define EMU_HANDLERS_H

#include "emu_int.h"

/*
 * Answers rq into rp (initialised by the caller, who cleans it up).  Takes ctx->lock
 * for the store and the sessions; never sleeps.
 */
void emu_handle(struct emu_ctx *ctx, const struct emu_request *rq, struct emu_reply *rp);

/* The auth module's callback when a session ends on its own: drops its resource. */
void emu_handlers_session_gone(void *arg, const char *id);

#endif

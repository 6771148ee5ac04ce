/*
 * emu_reply: filling a struct emu_reply with a JSON body or a Redfish error.
 *
 * Bodies are malloc'd and owned by the reply; emu_reply_cleanup() frees them.  On an
 * allocation failure the reply becomes a bare 500 with no body.
 */
#ifndef EMU_REPLY_H
#define EMU_REPLY_H

#include <json-c/json.h>

#include "emu_int.h"

/* The Base registry messages the emulator answers with. */
enum emu_msg {
    EMU_MSG_RESOURCE_MISSING, /* arg: URI */
    EMU_MSG_SESSION_LIMIT,
    EMU_MSG_MALFORMED_JSON,
    EMU_MSG_NO_VALID_SESSION,
    EMU_MSG_NOT_ALLOWED, /* 405 */
    EMU_MSG_QUERY_NOT_SUPPORTED,
    EMU_MSG_QUERY_VALUE,    /* args: value, parameter */
    EMU_MSG_ALREADY_EXISTS, /* args: type, property, value */
    EMU_MSG_INTERNAL,
    EMU_MSG_UNAVAILABLE,      /* arg: seconds */
    EMU_MSG_PROPERTY_MISSING, /* arg: property */
    EMU_MSG_PROPERTY_TYPE,    /* args: value, property */
    EMU_MSG_CANNOT_DELETE,
    EMU_MSG_GENERAL,
    EMU_MSG_TOO_LARGE,
};

/* Empties rp: status 0, no body, no headers. */
void emu_reply_init(struct emu_reply *rp);

/* Frees the body and empties rp. */
void emu_reply_cleanup(struct emu_reply *rp);

/* Answers status with obj serialised (obj stays the caller's). */
void emu_reply_json(struct emu_reply *rp, unsigned status, json_object *obj);

/*
 * Answers status with a Redfish error body for msg; arg1 and arg2 (may be NULL) fill
 * the message's %1 and %2 (a third argument, when the message has one, repeats arg2).
 */
void emu_reply_error(struct emu_reply *rp, unsigned status, enum emu_msg msg, const char *arg1,
                     const char *arg2);

#endif

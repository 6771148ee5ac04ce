#include "emu_reply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rw_buf.h"

struct emu_msg_def {
    const char *id;
    const char *text; /* %1, %2, %3 are replaced by the arguments */
    const char *severity;
    const char *resolution;
};

/* Wording from the DMTF Base message registry. */
static const struct emu_msg_def emu_msgs[] = {
    [EMU_MSG_RESOURCE_MISSING] = {"ResourceMissingAtURI",
                                  "The resource at the URI %1 was not found.", "Critical",
                                  "Place a valid resource at the URI or correct the URI and "
                                  "resubmit the request."},
    [EMU_MSG_SESSION_LIMIT] = {"SessionLimitExceeded",
                               "The session establishment failed due to the number of "
                               "simultaneous sessions exceeding the limit of the implementation.",
                               "Critical",
                               "Reduce the number of other sessions before trying to establish "
                               "the session or increase the limit of simultaneous sessions (if "
                               "supported)."},
    [EMU_MSG_MALFORMED_JSON] = {"MalformedJSON",
                                "The request body submitted was malformed JSON and could not be "
                                "parsed by the receiving service.",
                                "Critical",
                                "Ensure that the request body is valid JSON and resubmit the "
                                "request."},
    [EMU_MSG_NO_VALID_SESSION] = {"NoValidSession",
                                  "There is no valid session established with the "
                                  "implementation.",
                                  "Critical",
                                  "Establish a session before attempting any operations."},
    [EMU_MSG_NOT_ALLOWED] = {"OperationNotAllowed",
                             "The HTTP method is not allowed on this resource.", "Critical",
                             "Use a method listed in the Allow header."},
    [EMU_MSG_QUERY_NOT_SUPPORTED] = {"QueryNotSupported",
                                     "Querying is not supported by the implementation.", "Warning",
                                     "Remove the query parameters and resubmit the request if "
                                     "the operation failed."},
    [EMU_MSG_QUERY_VALUE] = {"QueryParameterValueTypeError",
                             "The value %1 for the query parameter %2 is of a different type "
                             "than the parameter can accept.",
                             "Warning",
                             "Correct the value for the query parameter in the request and "
                             "resubmit the request if the operation failed."},
    [EMU_MSG_ALREADY_EXISTS] = {"ResourceAlreadyExists",
                                "The requested resource of type %1 with the property %2 with "
                                "the value %3 already exists.",
                                "Critical",
                                "Do not repeat the create operation as the resource has already "
                                "been created."},
    [EMU_MSG_INTERNAL] = {"InternalError",
                          "The request failed due to an internal service error.  The service "
                          "is still operational.",
                          "Critical", "Resubmit the request."},
    [EMU_MSG_UNAVAILABLE] = {"ServiceTemporarilyUnavailable",
                             "The service is temporarily unavailable.  Retry in %1 seconds.",
                             "Critical",
                             "Wait for the indicated retry duration and retry the operation."},
    [EMU_MSG_PROPERTY_MISSING] = {"PropertyMissing",
                                  "The property %1 is a required property and must be included "
                                  "in the request.",
                                  "Warning",
                                  "Ensure that the property is in the request body and has a "
                                  "valid value and resubmit the request if the operation "
                                  "failed."},
    [EMU_MSG_PROPERTY_TYPE] = {"PropertyValueTypeError",
                               "The value %1 for the property %2 is of a different type than "
                               "the property can accept.",
                               "Warning",
                               "Correct the value for the property in the request body and "
                               "resubmit the request if the operation failed."},
    [EMU_MSG_CANNOT_DELETE] = {"ResourceCannotBeDeleted",
                               "The delete request failed because the resource requested cannot "
                               "be deleted.",
                               "Critical", "Do not attempt to delete a non-deletable resource."},
    [EMU_MSG_GENERAL] = {"GeneralError",
                         "A general error has occurred. See Resolution for information on how "
                         "to resolve the error.",
                         "Critical", "None."},
    [EMU_MSG_TOO_LARGE] = {"PayloadTooLarge",
                           "The request payload is larger than the service accepts.", "Critical",
                           "Send a smaller request body."},
};

void
emu_reply_init(struct emu_reply *rp)
{
    memset(rp, 0, sizeof(*rp));
}

void
emu_reply_cleanup(struct emu_reply *rp)
{
    free(rp->body);
    emu_reply_init(rp);
}

/* The bare 500 every allocation failure ends in. */
static void
reply_oom(struct emu_reply *rp)
{
    free(rp->body);
    rp->body = NULL;
    rp->len = 0;
    rp->status = 500;
}

void
emu_reply_json(struct emu_reply *rp, unsigned status, json_object *obj)
{
    const char *text;
    size_t len = 0;

    free(rp->body);
    rp->body = NULL;
    text = json_object_to_json_string_length(
        obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
    rp->body = text != NULL ? strndup(text, len) : NULL;
    if (rp->body == NULL) {
        reply_oom(rp);
        return;
    }
    rp->len = len;
    rp->status = status;
}

/* Expands %1..%3 of fmt with args into a new string, or NULL. */
static char *
msg_format(const char *fmt, const char *const args[3])
{
    struct rw_buf b;
    const char *p;

    rw_buf_init(&b, 64 * 1024); /* URIs in messages are bounded by the request line */
    for (p = fmt; *p != '\0'; p++) {
        enum rw_rc rc;
        if (p[0] == '%' && p[1] >= '1' && p[1] <= '3') {
            const char *a = args[p[1] - '1'];
            rc = rw_buf_adds(&b, a != NULL ? a : "");
            p++;
        } else {
            rc = rw_buf_add(&b, p, 1);
        }
        if (rc != RW_OK) {
            return NULL;
        }
    }
    return rw_buf_take(&b);
}

/* The @Message.ExtendedInfo entry for one message. */
static json_object *
msg_info(const struct emu_msg_def *def, const char *id, const char *text, const char *const args[3])
{
    json_object *info = json_object_new_object();
    json_object *margs = json_object_new_array();
    int i;

    for (i = 0; i < 3 && args[i] != NULL &&
                strstr(def->text, i == 0   ? "%1"
                                  : i == 1 ? "%2"
                                           : "%3");
         i++) {
        json_object_array_add(margs, json_object_new_string(args[i]));
    }
    json_object_object_add(info, "@odata.type", json_object_new_string("#Message.v1_1_1.Message"));
    json_object_object_add(info, "MessageId", json_object_new_string(id));
    json_object_object_add(info, "Message", json_object_new_string(text));
    json_object_object_add(info, "MessageArgs", margs);
    json_object_object_add(info, "MessageSeverity", json_object_new_string(def->severity));
    json_object_object_add(info, "Severity", json_object_new_string(def->severity));
    json_object_object_add(info, "Resolution", json_object_new_string(def->resolution));
    return info;
}

void
emu_reply_error(struct emu_reply *rp, unsigned status, enum emu_msg msg, const char *arg1,
                const char *arg2)
{
    const struct emu_msg_def *def = &emu_msgs[msg];
    const char *args[3] = {arg1, arg2, arg2};
    char id[128];
    char *text = msg_format(def->text, args);
    json_object *root, *err, *list;

    if (text == NULL) {
        reply_oom(rp);
        return;
    }
    (void)snprintf(id, sizeof(id), "%s.%s", EMU_REGISTRY, def->id);
    root = json_object_new_object();
    err = json_object_new_object();
    list = json_object_new_array();
    json_object_array_add(list, msg_info(def, id, text, args));
    json_object_object_add(err, "code", json_object_new_string(id));
    json_object_object_add(err, "message", json_object_new_string(text));
    json_object_object_add(err, "@Message.ExtendedInfo", list);
    json_object_object_add(root, "error", err);
    emu_reply_json(rp, status, root);
    json_object_put(root);
    free(text);
}

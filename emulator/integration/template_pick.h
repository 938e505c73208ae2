/* Which mapping template applies, as API Gateway chooses (reference §5.5): a request
 * template by the request's Content-Type, with the passthroughBehavior rules when none
 * matches; an integration response template by the first media type of Accept. */
#ifndef GH_TEMPLATE_PICK_H
#define GH_TEMPLATE_PICK_H
#include "spec/model.h"
#include "util/arena.h"

typedef enum {
    GH_PICK_TEMPLATE,    /* *out is the template to render */
    GH_PICK_PASSTHROUGH, /* no template applies: the body passes through unchanged */
    GH_PICK_REJECT,      /* passthroughBehavior forbids it: 415 UNSUPPORTED_MEDIA_TYPE */
} gh_pick;

/* The request template for a Content-Type header value (NULL or empty: application/json;
 * parameters such as "; charset=utf-8" ignored; media types compared case-insensitively).
 * *media_type gets the normalised type looked up (from a). */
gh_pick gh_template_pick_request(const gh_integration *in, const char *content_type, gh_arena *a,
                                 const gh_template **out, const char **media_type);

/* The response template for an Accept header value: the first media type of Accept
 * (absent: application/json), else the first template defined; NULL when r has none
 * (the integration's body passes through). */
const gh_template *gh_template_pick_response(const gh_integ_response *r, const char *accept,
                                             gh_arena *a);

const char *gh_passthrough_name(gh_passthrough p); /* "WHEN_NO_MATCH", ... */

#endif

/* $context variables and parameter-mapping expressions for one invocation, plus the
 * "simple substitution" rendering that gateway responses and (until the VTL engine
 * lands) static mapping templates use. */
#ifndef GH_CONTEXT_H
#define GH_CONTEXT_H
#include <stddef.h>

#include "integration/invocation.h"

/* Value of $context.<name> ("requestId", "identity.sourceIp", "error.messageString",
 * "stage", ...), as AWS documents for REST APIs. Returns NULL when AWS would render
 * null/nothing. Strings come from inv->arena. */
const char *gh_context_get(const gh_invocation *inv, const char *name);
/* $context.requestTime for the wall-clock time ms: "dd/MMM/yyyy:HH:mm:ss +0000", UTC and
 * in English whatever the locale (from a). The REST and WebSocket events share it. */
const char *gh_context_request_time(gh_arena *a, int64_t ms);

/* Resolves a parameter-mapping source expression: "'literal'",
 * "method.request.header.X", "method.request.querystring.X", "method.request.path.X",
 * "method.request.multivalueheader.X", "method.request.multivaluequerystring.X",
 * "method.request.body", "method.request.body.<JSONPath>", "stageVariables.X",
 * "context.X". NULL when the source has no value. */
const char *gh_param_source(const gh_invocation *inv, const char *expr);

/* Renders text replacing $context.x, ${context.x}, $stageVariables.x,
 * $stageVariables['x'], $input.params('x') and $input.params().header.get('x') style
 * references by simple substitution (null renders as nothing; messageString renders
 * quoted, and an unset one as the literal null, so the default gateway body gives
 * {"message":null}); everything else is copied literally. Result NUL-terminated in
 * inv->arena. */
char *gh_template_render_simple(const gh_invocation *inv, const char *text, size_t len,
                                size_t *out_len);

#endif

/* The integration-response phase of non-proxy integrations (mock, Lambda; HTTP
 * later): pick the response whose selectionPattern matches, map its header parameters
 * and render its template (aws-api-gateway.md §5.5-5.7). */
#ifndef GH_INTEG_RESPONSE_H
#define GH_INTEG_RESPONSE_H
#include <stddef.h>

#include "integration/invocation.h"

/* The response whose selectionPattern matches `text` as a whole (a Java regex,
 * util/jregex.h), first in definition order; else the default (no or empty pattern); NULL when neither.
 * text NULL selects the default only. */
const gh_integ_response *gh_integ_response_select(const gh_integration *in, const char *text);

/* Does `pattern` match all of `text`? A pattern that does not compile matches nothing. */
int gh_selection_pattern_matches(const char *pattern, const char *text);

/* Fills inv->resp from r (reference §5.5-5.8): status r->status; method.response.header.*
 * from responseParameters, whose integration.response.header|multivalueheader|body[.P]
 * sources read integ_headers (may be NULL) and body; the body from the template chosen by
 * the request's first Accept media type (else the first template) rendered with
 * $input.body = body, or body itself when r has no template; Content-Type from that
 * template's media type unless a parameter set one (else application/json); then the
 * template's $context.responseOverride.status / header; then contentHandling. Returns 0,
 * or -1 through gh_integration_fail (500) when the template fails or a CONVERT_TO_BINARY
 * body is not base64. */
int gh_integ_response_apply(gh_invocation *inv, const gh_integ_response *r, const char *body,
                            size_t len, const gh_headers *integ_headers);

#endif

/* The integration-response phase of non-proxy integrations (mock today; AWS and HTTP
 * later): pick the response whose selectionPattern matches, map its header parameters
 * and render its template (aws-api-gateway.md §5.5-5.7). */
#ifndef GH_INTEG_RESPONSE_H
#define GH_INTEG_RESPONSE_H
#include "integration/invocation.h"

/* The response whose selectionPattern matches `text` as a whole (Java regex semantics
 * approximated with POSIX extended regexes: \d \w \s \n \t are translated), first in
 * definition order; else the default (no or empty pattern); NULL when neither.
 * text NULL selects the default only. */
const gh_integ_response *gh_integ_response_select(const gh_integration *in, const char *text);

/* Does `pattern` match all of `text`? A pattern that does not compile matches nothing. */
int gh_selection_pattern_matches(const char *pattern, const char *text);

/* Fills inv->resp from r: status, method.response.header.* parameters, body from the
 * template chosen by the request's first Accept media type (else the first template;
 * none: empty body) rendered by simple substitution, Content-Type from that template's
 * media type unless a parameter set one (application/json without a template). */
void gh_integ_response_apply(gh_invocation *inv, const gh_integ_response *r);

#endif

/* Parameter mapping (reference §5.7): the integration request's header, query string and
 * path parameters from requestParameters, and the body-reading sources that method and
 * integration responses use (method.request.body[.JSONPath],
 * integration.response.header|multivalueheader|body[.JSONPath]). */
#ifndef GH_PARAM_MAP_H
#define GH_PARAM_MAP_H
#include <stddef.h>

#include "integration/invocation.h"

/* The body as a mapping source: path NULL or empty gives the body as it is; otherwise the
 * JSONPath (with or without the leading "$.") evaluated on the body parsed as JSON, a
 * string result as its text, anything else as compact JSON. NULL when the body is empty,
 * not JSON, or the path matches nothing. */
const char *gh_param_body_value(gh_arena *a, const char *body, size_t len, const char *path);

/* A method.response.header.X source: integration.response.header.X /
 * multivalueheader.X (from integ_headers, may be NULL), integration.response.body[.P]
 * (from body), or any gh_param_source expression. NULL: no value. */
const char *gh_param_response_source(const gh_invocation *inv, const char *expr,
                                     const gh_headers *integ_headers, const char *body,
                                     size_t len);

/* Fills inv->integ_headers, integ_query and integ_path from the integration's
 * requestParameters ("integration.request.header.X": "method.request.querystring.y",
 * ...). A source without a value maps to nothing: the parameter is left out of the
 * integration request, as AWS does for an absent optional method parameter. */
void gh_param_map_request(gh_invocation *inv);
/* Sets integration path parameter `name` (replacing an earlier value). */
void gh_param_set_path(gh_invocation *inv, const char *name, const char *value);

#endif

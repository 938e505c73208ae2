/* The request an HTTP integration sends and what comes back to the client from an
 * HTTP proxy: URL building, the header rules of reference §1.4, and response header
 * remapping. Split from http.c so the rules are testable one by one. */
#ifndef GH_HTTP_REQUEST_H
#define GH_HTTP_REQUEST_H
#include <stdbool.h>

#include "integration/invocation.h"

/* The backend URL: the integration uri with ${stageVariables.x} and then {name} /
 * {name+} filled from the integration request's path parameters (integ_path, which
 * requestParameters integration.request.path.name fills), then the query string: the
 * uri's own, then (proxy only) the method request's as sent, then the mapped
 * integration.request.querystring.* values. NULL with *why when a stage variable or a
 * path parameter has no value or the result is not an http(s) URL. */
const char *gh_http_url(gh_invocation *inv, bool proxy, const char **why);

/* The integration's httpMethod; ANY (or none) means the method request's. */
const char *gh_http_method(const gh_invocation *inv);

/* Is this request header dropped before any integration (hop-by-hop, or owned by the
 * gateway)? Host and Content-Length are recomputed for the backend. */
bool gh_http_request_header_dropped(const char *name);

/* HTTP proxy: the client's headers (X-Forwarded-* already added by the pipeline) minus
 * the dropped ones, then the mapped integration.request.header.* values. */
void gh_http_proxy_headers(gh_invocation *inv, gh_headers *out);

/* HTTP (non-proxy): the mapped headers only, Content-Type (content_type, unless
 * mapped) when there is a body, and what API Gateway adds itself. */
void gh_http_plain_headers(gh_invocation *inv, const char *content_type, gh_headers *out);

/* HTTP proxy response headers: as the backend sent them, except hop-by-hop framing
 * (Transfer-Encoding, Keep-Alive) dropped and the names API Gateway owns renamed to
 * x-amzn-Remapped-<Name>. */
void gh_http_response_headers(gh_arena *a, const gh_headers *in, gh_headers *out);

#endif

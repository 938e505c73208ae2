/* Media types as API Gateway compares them: the Content-Type (parameters such as
 * "; charset=UTF-8" ignored) picks request templates and decides binary handling, the
 * first media type of Accept picks response templates (api-gateway-known-issues: "only
 * the first one is honoured"), and binaryMediaTypes may hold wildcards. */
#ifndef GH_MEDIA_H
#define GH_MEDIA_H
#include <stdbool.h>

#include "spec/model.h"
#include "util/arena.h"

/* "Application/JSON; charset=utf-8" -> "application/json"; NULL or empty -> NULL. */
const char *gh_media_type(gh_arena *a, const char *header_value);
/* First media type of an Accept value ("a/b;q=1, c/d" -> "a/b"); NULL when absent. */
const char *gh_media_first_accept(gh_arena *a, const char *accept);
/* Does media type `type` (already normalised) match one binaryMediaTypes entry?
 * Entries may be exact or wildcards (image/<star>, <star>/<star>), and may use the "~1"
 * escaping of "/" that AWS exports carry. */
bool gh_media_matches(const char *pattern, const char *type);
bool gh_media_is_binary(const gh_api *api, const char *type);

#endif

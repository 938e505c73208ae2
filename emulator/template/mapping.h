/* Rendering one mapping template (VTL or Lua) for an invocation: request templates
 * (whose output becomes the integration request) and integration response templates
 * (output: the method response body). Gateway response templates are not VTL on AWS
 * (simple substitution: integration/context.h). Builds the
 * variables AWS gives templates ($input, $context, $stageVariables, $util; reference
 * §5.1-5.4) and collects the overrides a template sets (§5.8). */
#ifndef GH_MAPPING_H
#define GH_MAPPING_H
#include <stddef.h>

#include "integration/invocation.h"

typedef enum {
    GH_MAPPING_REQUEST,  /* $input.body is the method request body */
    GH_MAPPING_RESPONSE, /* $input.body is the integration response body */
} gh_mapping_kind;

typedef struct gh_mapping_out {
    char *body; /* NUL-terminated, from inv->arena */
    size_t len;
    /* $context.requestOverride.{header,querystring,path}.X (request templates) */
    gh_headers request_header_overrides;
    gh_headers request_query_overrides;
    gh_headers request_path_overrides;
    /* $context.responseOverride.status / .header.X (response templates); 0: not set */
    int status_override;
    gh_headers response_header_overrides;
    /* Set when rendering failed (returns -1): why, for the log, with the template
     * position when known. AWS answers such a failure with a 500. */
    const char *error;
    /* Set with error when the request itself is at fault rather than the template: a
     * request template read a body that is not JSON. AWS answers 400 {"message": this}
     * ("Could not parse request body into json: ...", serverless/serverless#2270). */
    const char *client_error;
} gh_mapping_out;

/* Renders t with $input.body = body (body_len bytes; an empty body renders as "{}" as on
 * AWS, §5.1). Returns 0, or -1 with out->error. */
int gh_mapping_render(gh_invocation *inv, const gh_template *t, gh_mapping_kind kind,
                      const char *body, size_t body_len, gh_mapping_out *out);

#endif

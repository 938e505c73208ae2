/* The integration request of non-proxy integrations (mock, aws, and http later): request
 * parameters mapped, the request template chosen by the request's Content-Type under
 * AWS's passthroughBehavior rules (reference §5.5), rendered, its
 * $context.requestOverride values applied, and contentHandling converting the body. */
#ifndef GH_REQUEST_MAPPING_H
#define GH_REQUEST_MAPPING_H
#include <stdbool.h>

#include "integration/invocation.h"
#include "template/mapping.h"

/* Applies $context.requestOverride.header / querystring / path from a rendered request
 * template to inv->integ_*: after parameter mapping, so an override wins. */
void gh_request_overrides_apply(gh_invocation *inv, const gh_mapping_out *out);

/* Builds the integration request in inv (integ_headers, integ_query, integ_path,
 * integ_body). *templated tells whether a template produced the body (else it passed
 * through). Returns 0, or -1 through gh_integration_fail: 415 UNSUPPORTED_MEDIA_TYPE
 * when passthrough is refused, 500 API_CONFIGURATION_ERROR when the template fails or a
 * CONVERT_TO_BINARY body is not base64. */
int gh_request_mapping_apply(gh_invocation *inv, bool *templated);

#endif

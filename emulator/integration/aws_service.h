/* AWS service integrations (type aws with an sqs:/sns:/... service URI): the request
 * API Gateway sends the service, built from the integration request, and answered by
 * the simulated AWS (sim/aws_protocol.h). The runner itself is in runners.h. */
#ifndef GH_AWS_SERVICE_H
#define GH_AWS_SERVICE_H
#include <stdbool.h>

#include "integration/invocation.h"

/* The service request of inv's integration after gh_request_mapping_apply (templated:
 * whether a template rendered integ_body): method, path (/PATH, or / for action/ACTION
 * with Action=ACTION first in the query), the mapped query string, the mapped headers
 * plus Content-Type (the template's media type or the client's, unless mapped), Accept
 * application/json (unless mapped) and Host (the client's domain), and the body; all
 * from inv->arena. -1 with *why when a stage variable or path parameter has no value. */
int gh_aws_service_build(gh_invocation *inv, bool templated, gh_request *out, const char **why);

#endif

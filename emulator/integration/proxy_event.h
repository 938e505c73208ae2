/* The Lambda proxy event, payload format 1.0, exactly as API Gateway REST APIs send it
 * (set-up-lambda-proxy-integrations; ../shared/corpus/events has real ones). Also the
 * `request` a Lua mock receives. */
#ifndef GH_PROXY_EVENT_H
#define GH_PROXY_EVENT_H
#include <jansson.h>

#include "integration/invocation.h"

/* New reference; never NULL. */
json_t *gh_proxy_event_v1(const gh_invocation *inv);
/* The requestContext object alone (also used by authorizers later). New reference. */
json_t *gh_proxy_request_context(const gh_invocation *inv);

#endif

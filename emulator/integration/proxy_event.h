/* The Lambda proxy event, payload format 1.0, exactly as API Gateway REST APIs send it
 * (set-up-lambda-proxy-integrations; ../shared/corpus/events has real ones). Also the
 * `request` a Lua mock receives. Built once as an arena value tree (util/value.h), which
 * the Lua runtime takes as it is; the json_t forms are that tree converted. */
#ifndef GH_PROXY_EVENT_H
#define GH_PROXY_EVENT_H
#include <jansson.h>

#include "integration/invocation.h"
#include "util/value.h"

/* The event in inv->arena, borrowing request strings; lives as long as the arena. */
const gh_value *gh_proxy_event_v1_value(const gh_invocation *inv);
/* The same as JSON. New reference; never NULL. */
json_t *gh_proxy_event_v1(const gh_invocation *inv);
/* The requestContext object alone (also used by authorizers later): in inv->arena, and
 * as JSON (new reference). */
const gh_value *gh_proxy_request_context_value(const gh_invocation *inv);
json_t *gh_proxy_request_context(const gh_invocation *inv);

#endif

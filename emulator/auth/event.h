/* The events a Lambda authorizer receives from a REST API, exactly as API Gateway builds
 * them (apigateway-lambda-authorizer-input; reference aws-api-gateway.md §4.2, §4.3;
 * real ones in ../shared/corpus/events): TOKEN {type, authorizationToken, methodArn} and
 * REQUEST, which is the proxy event's request half (integration/proxy_event.h) with
 * type and methodArn in front. Built as arena value trees like the proxy event. */
#ifndef GH_AUTH_EVENT_H
#define GH_AUTH_EVENT_H
#include <jansson.h>

#include "integration/invocation.h"
#include "util/value.h"

/* arn:aws:execute-api:REGION:ACCOUNT:APIID/STAGE/VERB/PATH for this request, from the
 * request path (path parameter values, not the template); in inv->arena. */
const char *gh_auth_method_arn(const gh_invocation *inv);

/* TOKEN: the token is the identity source's value (borrowed). In inv->arena. */
const gh_value *gh_auth_event_token_value(const gh_invocation *inv, const char *token);
json_t *gh_auth_event_token(const gh_invocation *inv, const char *token);

/* REQUEST (REST; no version, identitySource or authorizationToken: those are the HTTP
 * API payload 1.0 form). In inv->arena. */
const gh_value *gh_auth_event_request_value(const gh_invocation *inv);
json_t *gh_auth_event_request(const gh_invocation *inv);

#endif

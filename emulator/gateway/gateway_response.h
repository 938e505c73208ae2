/* Gateway responses: AWS's defaults per type (status, body, x-amzn-ErrorType) and the
 * definition's x-amazon-apigateway-gateway-responses overrides, with DEFAULT_4XX /
 * DEFAULT_5XX inheritance as AWS applies it. */
#ifndef GH_GATEWAY_RESPONSE_H
#define GH_GATEWAY_RESPONSE_H
#include "integration/invocation.h"

/* Default status of a type (403 for MISSING_AUTHENTICATION_TOKEN, ...). */
int gh_gw_default_status(gh_gw_type t);
/* Default message ("Missing Authentication Token"), NULL where AWS sends null. */
const char *gh_gw_default_message(gh_gw_type t);
/* x-amzn-ErrorType value ("MissingAuthenticationTokenException"). */
const char *gh_gw_error_type(gh_gw_type t);

/* Renders inv->fail_type (status override inv->fail_status, message inv->fail_message)
 * into inv->resp, applying the API's overrides. inv->api may be NULL (no API matched
 * the Host): built-in defaults only. */
void gh_gw_render(gh_invocation *inv);

/* The configured response gh_gw_render applies to t: t's own entry, else DEFAULT_4XX /
 * DEFAULT_5XX by t's status class; NULL when the built-in default answers. */
const gh_gw_override *gh_gw_override_for(const gh_api *api, gh_gw_type t);
/* The template of ov that gh_gw_render uses (application/json, else the first); NULL
 * when ov is NULL or has none. */
const gh_kv *gh_gw_template_for(const gh_gw_override *ov);

#endif

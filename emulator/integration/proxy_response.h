/* Turns what a Lambda proxy function (payload 1.0) returned into the HTTP response, with
 * exactly AWS's validation (aws-api-gateway.md §3.3, recorded in LocalStack's
 * test_aws_proxy_response_payload_format_validation against AWS). Pure: no Lua, no I/O
 * beyond the log line of a failure, so every row of that table is a unit test. */
#ifndef GH_PROXY_RESPONSE_H
#define GH_PROXY_RESPONSE_H
#include <jansson.h>

#include "integration/invocation.h"

typedef enum {
    GH_PROXY_STRICT,  /* Lambda proxy: AWS's rules */
    GH_PROXY_LENIENT, /* Lua mocks: statusCode defaults to 200 even for {}, a table body
                         is JSON-encoded */
} gh_proxy_mode;

/* Validates `result` (borrowed) and fills inv->resp (status, headers, body, with
 * Content-Type application/json when none is set and AWS's x-amzn-Remapped- renaming).
 * Returns 0, or -1 after gh_integration_fail with AWS's 502
 * {"message": "Internal server error"}. */
int gh_proxy_response_apply(gh_invocation *inv, const json_t *result, gh_proxy_mode mode);

/* Response header names API Gateway renames to "x-amzn-Remapped-<name>" (§1.4). */
const char *gh_proxy_header_name(gh_arena *a, const char *name);

#endif

/* WebSocket route selection (reference aws-api-gateway.md §9.1; API Gateway's
 * "WebSocket API route selection expressions"): the API's routeSelectionExpression,
 * usually $request.body.action, evaluated on each incoming message to pick the route
 * key; $default when nothing matches and the API has one. Parsed once at load, evaluated
 * per message. Pure: no I/O, no globals. */
#ifndef GH_ROUTE_SELECT_H
#define GH_ROUTE_SELECT_H
#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"

typedef struct gh_route_expr gh_route_expr;

/* Parses an expression: $request.body.<path> (a JSON path of dotted names, as AWS
 * accepts them), a literal text, or a template mixing literals and ${request.body.x}
 * parts, as API Gateway allows. NULL with *error (from a) explaining what is wrong. */
gh_route_expr *gh_route_expr_parse(gh_arena *a, const char *text, const char **error);

/* The route key the message selects: the expression's value when the message is a JSON
 * object and every referenced value exists and is a string, number or boolean (printed
 * as AWS prints it), NULL otherwise (the caller then falls back to $default). Two
 * exceptions the developer guide documents: in a template of several parts a missing
 * value reads as "" (${request.body.action}-${request.body.nope} gives "join-"), and an
 * expression without variables is its text whatever the message. The key is matched
 * against the declared routes by the caller. From a. */
const char *gh_route_expr_eval(gh_arena *a, const gh_route_expr *e, const char *message,
                               size_t len);

/* The frame API Gateway sends when no route matches and there is no $default:
 * {"message": "Forbidden", "connectionId":"...", "requestId":"..."} byte for byte as
 * AWS writes it. From a. */
const char *gh_route_forbidden_frame(gh_arena *a, const char *connection_id,
                                     const char *request_id);

#endif

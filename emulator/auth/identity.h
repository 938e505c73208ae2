/* A Lambda authorizer's identity: the identitySource list it is declared with, parsed
 * once at load time, the values it names for one request, and the TOKEN authorizer's
 * identityValidationExpression. Either check failing means AWS answers 401 Unauthorized
 * without invoking the authorizer (apigateway-lambda-authorizer-input; reference
 * aws-api-gateway.md §4.1). */
#ifndef GH_AUTH_IDENTITY_H
#define GH_AUTH_IDENTITY_H
#include <stdbool.h>
#include <stddef.h>

#include "integration/invocation.h"
#include "util/arena.h"

typedef enum {
    GH_IDSRC_HEADER,    /* method.request.header.NAME */
    GH_IDSRC_QUERY,     /* method.request.querystring.NAME */
    GH_IDSRC_STAGE_VAR, /* stageVariables.NAME */
    GH_IDSRC_CONTEXT,   /* context.NAME */
} gh_idsrc_kind;

typedef struct {
    gh_idsrc_kind kind;
    const char *name; /* the part after the prefix: "Authorization" */
    const char *expr; /* the whole source, a gh_param_source expression */
} gh_idsrc;

typedef struct gh_idsrcs {
    gh_idsrc *items;
    size_t n;
} gh_idsrcs;

typedef enum {
    GH_IDENTITY_OK,
    GH_IDENTITY_UNAUTHORIZED, /* 401 Unauthorized; the authorizer is not called */
} gh_identity_result;

/* Parses identitySource as AWS writes it: one header source for a TOKEN authorizer
 * (`token`), a comma-separated list of header, query-string, stage-variable and context
 * sources for a REQUEST one (blanks around commas ignored). Strings come from a.
 * Returns 0, or -1 with *error (from a) naming the source that is not understood. */
int gh_identity_parse(gh_arena *a, const char *text, bool token, gh_idsrcs *out,
                      const char **error);

/* The value of every source for this request, in declaration order, into *values (from
 * inv->arena, n entries). GH_IDENTITY_UNAUTHORIZED when any is absent or empty: AWS
 * requires them all when caching is on (with TTL 0 a REQUEST authorizer is called
 * anyway; that choice is the caller's, *values then holds NULL for the missing ones). */
gh_identity_result gh_identity_values(const gh_invocation *inv, const gh_idsrcs *srcs,
                                      const char ***values);

/* Load time: 0 when expr is a valid Java regex, else -1 with *error (static or
 * thread-local text from util/jregex.h). */
int gh_identity_check_expression(const char *expr, const char **error);

/* identityValidationExpression: the Java regex must match the whole token
 * (String.matches), else 401 without calling the function. A NULL or empty expression
 * accepts every token. An invalid expression (refused at load) also answers 401. */
gh_identity_result gh_identity_validate_token(const char *expr, const char *token);

#endif

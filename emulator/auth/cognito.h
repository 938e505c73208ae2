/* Cognito user pool authorizers verified offline (issue 6, item 5): the token is the
 * whole identity-source value (no "Bearer "), a JWS signed with RS256 by a pool the
 * authorizer's providerARNs names: a simulated pool's key (x-gatehouse.userPools) or a
 * cached JWKS of a real one. Checked as Cognito and API Gateway check it: signature
 * (the `none` algorithm and any non-RS256 refused), `iss`
 * https://cognito-idp.REGION.amazonaws.com/POOL, `token_use` id|access, `exp` against
 * util/clock.h's wall clock, `aud` (id) or `client_id` (access) and, when the method
 * lists authorizationScopes, an access token carrying one of them (an ID token is then
 * refused). Failures are 401 UNAUTHORIZED; on ALLOW out->authorizer is {claims: {...}}
 * with every claim as a string, as AWS passes them. JOSE work is cjose's, over OpenSSL. */
#ifndef GH_COGNITO_H
#define GH_COGNITO_H
#include <stdbool.h>
#include <stdint.h>

#include "auth/outcome.h"
#include "integration/invocation.h"

void gh_cognito_authorize(gh_invocation *inv, const gh_authorizer *az, gh_auth_outcome *out);

typedef struct {
    const gh_user_pool *pool;
    const char *user;           /* a key of pool->users */
    bool access;                /* an access token rather than an ID token */
    const char *const *scopes;  /* access tokens: the `scope` claim */
    size_t nscopes;
    int64_t now_s;              /* iat/auth_time; exp = now_s + ttl_s */
    int ttl_s;                  /* 3600 as Cognito's default */
} gh_cognito_mint_opts;

/* A signed token as Cognito shapes it (claims, kid, header), for `gatehouse token`.
 * Returns malloc'd compact JWS, or NULL with *err (malloc'd) saying why. */
char *gh_cognito_mint(const gh_cognito_mint_opts *o, char **err);

#endif

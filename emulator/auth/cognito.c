/* Cognito user pool authorizers (cognito.h): a token checked offline as API Gateway
 * checks it, and the claims handed on as AWS hands them to the integration.
 *
 * What AWS checks, and the answer when a check fails:
 * - "Control access to REST APIs using Amazon Cognito user pools as an authorizer"
 *   (apigateway-integrate-with-cognito) and "Integrate a REST API with an Amazon Cognito
 *   user pool" (apigateway-enable-cognito-user-pool): the call succeeds only when the
 *   required token is supplied and valid; without OAuth scopes on the method the token is
 *   treated as an identity (ID) token, with scopes it must be an access token carrying
 *   one of them.
 * - Cognito's "Verifying JSON web tokens" (amazon-cognito-user-pools-using-tokens-
 *   verifying-a-jwt): RS256 signature by the pool key the header's kid names, iss
 *   https://cognito-idp.REGION.amazonaws.com/POOL, token_use, exp, and aud (ID token) or
 *   client_id (access token) equal to the app client.
 * - Knowledge center "api-gateway-cognito-401-unauthorized": an expired token, an issuer
 *   that is not the authorizer's pool, an invalid token, and the wrong token kind for the
 *   method's scopes all answer 401 Unauthorized, the UNAUTHORIZED gateway response. */
#include "auth/cognito.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/identity.h"
#include "auth/jwt.h"
#include "util/clock.h"

#define ISSUER_PREFIX "https://cognito-idp."

static void fail(gh_auth_outcome *out, const char *log)
{
    out->verdict = GH_AUTH_FAIL;
    out->fail_type = GH_GW_UNAUTHORIZED;
    out->fail_message = NULL;
    out->log = log;
}

/* The pool id a providerARN names: the part after "userpool/" (an ARN
 * arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL), or the text itself. */
static const char *arn_pool_id(const char *arn)
{
    const char *s = strstr(arn, ":userpool/");
    return s ? s + 10 : arn;
}

/* The pool of the authorizer whose issuer is iss, or NULL. */
static const gh_user_pool *pool_for_issuer(const gh_invocation *inv, const gh_authorizer *az,
                                           const char *iss)
{
    size_t plen = strlen(ISSUER_PREFIX);
    if (strncmp(iss, ISSUER_PREFIX, plen) != 0)
        return NULL;
    for (size_t i = 0; i < az->nprovider_arns; i++) {
        const gh_user_pool *p = gh_api_user_pool(inv->api, arn_pool_id(az->provider_arns[i]));
        if (!p)
            continue;
        char want[256];
        int n = snprintf(want, sizeof want, ISSUER_PREFIX "%s.amazonaws.com/%s",
                         p->region ? p->region : "", p->id);
        if (n > 0 && (size_t)n < sizeof want && strcmp(iss, want) == 0)
            return p;
    }
    return NULL;
}

/* Parsed keys, kept for the life of the process: parsing the pool's PEM or JWKS for
 * every request cost about 0.1 ms. An entry is found by the text it was parsed from (a
 * reloaded definition with a new key parses anew) and the kid; entries are never freed
 * while serving because threads verify with them without holding the lock, so the table
 * is bounded and, once full, keys are parsed per call again. Freed at exit. */
#define KEY_CACHE_MAX 64

static struct key_entry {
    char *source; /* the PEM, or the JWKS JSON text */
    char *kid;
    gh_jwt_key *key;
} key_cache[KEY_CACHE_MAX];
static size_t key_cache_n;
static pthread_mutex_t key_cache_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t key_cache_once = PTHREAD_ONCE_INIT;

static void key_cache_free(void)
{
    for (size_t i = 0; i < key_cache_n; i++) {
        free(key_cache[i].source);
        free(key_cache[i].kid);
        gh_jwt_key_free(key_cache[i].key);
    }
    key_cache_n = 0;
}

static void key_cache_init(void)
{
    atexit(key_cache_free);
}

static const gh_jwt_key *cached_key(const char *source, const char *kid)
{
    const gh_jwt_key *k = NULL;
    pthread_mutex_lock(&key_cache_lock);
    for (size_t i = 0; i < key_cache_n && !k; i++)
        if (strcmp(key_cache[i].kid, kid) == 0 && strcmp(key_cache[i].source, source) == 0)
            k = key_cache[i].key;
    pthread_mutex_unlock(&key_cache_lock);
    return k;
}

/* Keeps k (parsed from source) and returns it; when the table is full, NULL and the
 * caller keeps ownership. */
static const gh_jwt_key *cache_key(const char *source, const char *kid, gh_jwt_key *k)
{
    pthread_once(&key_cache_once, key_cache_init);
    const gh_jwt_key *kept = NULL;
    pthread_mutex_lock(&key_cache_lock);
    for (size_t i = 0; i < key_cache_n && !kept; i++) /* another thread was first */
        if (strcmp(key_cache[i].kid, kid) == 0 && strcmp(key_cache[i].source, source) == 0)
            kept = key_cache[i].key;
    if (kept) {
        gh_jwt_key_free(k);
    } else if (key_cache_n < KEY_CACHE_MAX) {
        char *s = strdup(source), *id = strdup(kid);
        if (s && id) {
            key_cache[key_cache_n++] = (struct key_entry){s, id, k};
            kept = k;
        } else {
            free(s);
            free(id);
        }
    }
    pthread_mutex_unlock(&key_cache_lock);
    return kept;
}

/* The key that verifies a token with this kid: the JWKS entry of that kid for a real
 * pool (Cognito picks the key by kid), else the simulated pool's own key when the kid is
 * its kid, so a pool with a cached JWKS still accepts the tokens `gatehouse token`
 * mints. NULL: none. *owned says whether the caller frees it (the cache was full). */
static const gh_jwt_key *key_for(const gh_user_pool *p, const char *kid, gh_jwt_key **owned)
{
    const char *err;
    *owned = NULL;
    if (!kid)
        return NULL;
    const char *sources[2] = {p->jwks, p->signing_pem};
    for (int i = 0; i < 2; i++)
        if (sources[i]) {
            const gh_jwt_key *k = cached_key(sources[i], kid);
            if (k)
                return k;
        }
    gh_jwt_key *k = NULL;
    const char *source = NULL;
    if (p->jwks) {
        json_t *set = json_loads(p->jwks, 0, NULL);
        json_t *keys = json_object_get(set, "keys"), *jwk;
        size_t i;
        json_array_foreach(keys, i, jwk)
        {
            const char *id = json_string_value(json_object_get(jwk, "kid"));
            if (id && strcmp(id, kid) == 0) {
                k = gh_jwt_key_from_jwk(jwk, &err);
                break;
            }
        }
        json_decref(set);
        source = p->jwks;
    }
    if (!k && p->signing_pem) {
        k = gh_jwt_key_from_pem(p->signing_pem, &err);
        if (k && strcmp(gh_jwt_key_kid(k), kid) != 0) {
            gh_jwt_key_free(k);
            k = NULL;
        }
        source = p->signing_pem;
    }
    if (!k)
        return NULL;
    const gh_jwt_key *kept = cache_key(source, kid, k);
    if (kept)
        return kept;
    *owned = k;
    return k;
}

/* exp and iat reach the integration as Java's Date.toString() prints them,
 * "Tue Apr 04 18:39:39 UTC 2023" (claims in real REST events: re:Post "AWS Cognito
 * Group" QUFJRBaEJRSmmqarNrvCWoQA, and amazon-cognito-identity-js issue #92), while
 * other numbers, auth_time among them, are plain decimal strings. */
static const char *java_date(gh_arena *a, int64_t secs)
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)secs;
    struct tm tm;
    if (!gmtime_r(&t, &tm))
        return gh_arena_printf(a, "%lld", (long long)secs);
    return gh_arena_printf(a, "%s %s %02d %02d:%02d:%02d UTC %d", days[tm.tm_wday],
                           months[tm.tm_mon], tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                           tm.tm_year + 1900);
}

/* A claim value as the string API Gateway passes on: strings as they are, booleans
 * "true"/"false", numbers in decimal, arrays (cognito:groups) joined with commas
 * ("group-a,group-b"; one group is just its name, as in the re:Post sample above). */
static const char *claim_string(gh_arena *a, const char *name, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING: return gh_arena_strndup(a, json_string_value(v), json_string_length(v));
    case JSON_TRUE: return "true";
    case JSON_FALSE: return "false";
    case JSON_INTEGER:
        if (!strcmp(name, "exp") || !strcmp(name, "iat"))
            return java_date(a, (int64_t)json_integer_value(v));
        return gh_arena_printf(a, "%lld", (long long)json_integer_value(v));
    case JSON_ARRAY: {
        size_t n = json_array_size(v), len = 0;
        const char **parts = gh_arena_alloc(a, (n ? n : 1) * sizeof *parts);
        for (size_t i = 0; i < n; i++) {
            parts[i] = claim_string(a, name, json_array_get(v, i));
            len += strlen(parts[i]) + 1;
        }
        char *s = gh_arena_alloc(a, len + 1), *w = s;
        for (size_t i = 0; i < n; i++) {
            if (i)
                *w++ = ',';
            size_t l = strlen(parts[i]);
            memcpy(w, parts[i], l);
            w += l;
        }
        *w = '\0';
        return s;
    }
    case JSON_NULL: return "null";
    default: { /* reals and objects: their JSON text */
        char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        const char *s = gh_arena_strdup(a, t ? t : "");
        free(t);
        return s;
    }
    }
}

/* {claims: {name: "string", ...}} in the token's order. */
static const gh_value *claims_value(gh_arena *a, json_t *payload)
{
    gh_value *claims = gh_value_object(a, json_object_size(payload));
    const char *name;
    json_t *v;
    json_object_foreach(payload, name, v)
    {
        gh_value_set(a, claims, gh_arena_strdup(a, name),
                     gh_value_str(a, claim_string(a, name, v)));
    }
    gh_value *root = gh_value_object(a, 1);
    gh_value_set(a, root, "claims", claims);
    return root;
}

/* True when the space-separated scope claim holds one of the method's scopes. */
static bool has_scope(const char *scope, const gh_method *m)
{
    for (size_t i = 0; scope && i < m->nauthorization_scopes; i++) {
        const char *want = m->authorization_scopes[i];
        size_t wl = strlen(want);
        for (const char *s = scope; *s;) {
            while (*s == ' ')
                s++;
            size_t l = strcspn(s, " ");
            if (l && l == wl && memcmp(s, want, l) == 0)
                return true;
            s += l;
        }
    }
    return false;
}

static const char *jstr(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* Every claim check after the signature; NULL when the token passes, else why not. */
static const char *check_claims(const gh_invocation *inv, const gh_user_pool *p, json_t *pl)
{
    const char *use = jstr(pl, "token_use");
    bool access = use && !strcmp(use, "access");
    if (!use || (!access && strcmp(use, "id") != 0))
        return "token_use is neither id nor access";
    json_t *exp = json_object_get(pl, "exp");
    if (!json_is_integer(exp) && !json_is_real(exp))
        return "no exp claim";
    if (json_number_value(exp) * 1000.0 <= (double)gh_clock_now_ms())
        return "token expired";
    const char *client = access ? jstr(pl, "client_id") : jstr(pl, "aud");
    if (!client || !p->client_id || strcmp(client, p->client_id) != 0)
        return access ? "client_id is not the pool's app client"
                      : "aud is not the pool's app client";
    const gh_method *m = inv->method;
    if (m && m->nauthorization_scopes) {
        /* With OAuth scopes on the method only an access token carrying one passes. */
        if (!access)
            return "an ID token on a method with authorizationScopes (an access token is needed)";
        if (!has_scope(jstr(pl, "scope"), m))
            return "the access token has none of the method's authorizationScopes";
    } else if (access) {
        /* Without scopes API Gateway treats the token as an identity token, which an
         * access token (no aud) never is. */
        return "an access token on a method without authorizationScopes (an ID token is needed)";
    }
    return NULL;
}

void gh_cognito_authorize(gh_invocation *inv, const gh_authorizer *az, gh_auth_outcome *out)
{
    gh_arena *a = inv->arena;
    memset(out, 0, sizeof *out);
    const char *name = az->name ? az->name : "cognito";
    const char *token = NULL;
    if (az->identity) {
        const char **values = NULL;
        if (gh_identity_values(inv, az->identity, &values) == GH_IDENTITY_OK && az->identity->n)
            token = values[0];
    } else { /* the default identity source, method.request.header.Authorization */
        token = gh_headers_get(&inv->req->headers, "Authorization");
        if (token && !*token)
            token = NULL;
    }
    if (!token) {
        fail(out, gh_arena_printf(a, "authorizer '%s': no token in the identity source", name));
        return;
    }
    json_t *header = NULL, *payload = NULL;
    const char *why = NULL, *kid = NULL;
    const gh_user_pool *pool = NULL;
    if (gh_jwt_decode(token, &header, &payload) != 0) {
        why = "the token is not a JWT";
        goto done;
    }
    const char *alg = jstr(header, "alg");
    kid = jstr(header, "kid");
    if (!alg || strcmp(alg, "RS256") != 0) {
        why = gh_arena_printf(a, "alg '%s' refused (Cognito signs with RS256 only)",
                              alg ? alg : "(none)");
        goto done;
    }
    const char *iss = jstr(payload, "iss");
    pool = iss ? pool_for_issuer(inv, az, iss) : NULL;
    if (!pool) {
        why = gh_arena_printf(a, "issuer '%s' is none of the authorizer's user pools",
                              iss ? iss : "(none)");
        goto done;
    }
    gh_jwt_key *owned;
    const gh_jwt_key *key = key_for(pool, kid, &owned);
    if (!key) {
        why = pool->jwks ? "the token's kid is neither in the pool's JWKS nor its signing key's"
                         : "the token's kid is not the pool's signing key";
        goto done;
    }
    bool good = gh_jwt_verify_rs256(token, key);
    gh_jwt_key_free(owned);
    if (!good) {
        why = "bad signature";
        goto done;
    }
    why = check_claims(inv, pool, payload);
    if (!why) {
        out->verdict = GH_AUTH_ALLOW;
        out->authorizer = claims_value(a, payload);
        out->log =
            gh_arena_printf(a, "authorizer '%s': %s token of '%s' from pool %s (kid %s)", name,
                            jstr(payload, "token_use"),
                            jstr(payload, "cognito:username")
                                ? jstr(payload, "cognito:username")
                                : (jstr(payload, "username") ? jstr(payload, "username") : "?"),
                            pool->id, kid);
    }
done:
    if (why) {
        fail(out, pool ? gh_arena_printf(a, "authorizer '%s': pool %s: %s", name, pool->id, why)
                       : gh_arena_printf(a, "authorizer '%s': %s", name, why));
    }
    json_decref(header);
    json_decref(payload);
}

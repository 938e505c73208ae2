/* Tokens a simulated user pool issues (gh_cognito_mint in cognito.h), shaped as
 * Cognito's own: the claims and their order of a real ID or access token, header
 * {kid, alg: RS256}, signed with the pool's key, so what `gatehouse token` prints
 * passes the authorizer exactly as a token from the real pool would pass API Gateway.
 * Claim lists: Cognito developer guide, "Understanding the identity (ID) token" and
 * "Understanding the access token". */
#include <jansson.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/cognito.h"
#include "auth/jwt.h"
#include "util/buf.h"
#include "util/ids.h"


static const gh_pool_user *find_user(const gh_user_pool *p, const char *name)
{
    for (size_t i = 0; name && i < p->nusers; i++)
        if (strcmp(p->users[i].name, name) == 0)
            return &p->users[i];
    return NULL;
}

/* A user's `sub`: a UUID (version 4 layout, as Cognito's) derived from the pool and the
 * user name, so it is the same in every token and across restarts. */
static void stable_sub(const char *pool, const char *user, char out[GH_UUID_LEN + 1])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    char from[512];
    int len = snprintf(from, sizeof from, "gatehouse-sub/%s/%s", pool, user);
    if (len < 0 || (size_t)len >= sizeof from ||
        EVP_Digest(from, (size_t)len, md, &n, EVP_sha256(), NULL) != 1) {
        gh_uuid4(out);
        return;
    }
    md[6] = (unsigned char)((md[6] & 0x0f) | 0x40);
    md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
    static const char hex[] = "0123456789abcdef";
    char *w = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *w++ = '-';
        *w++ = hex[md[i] >> 4];
        *w++ = hex[md[i] & 15];
    }
    *w = '\0';
}

static json_t *uuid_string(void)
{
    char id[GH_UUID_LEN + 1];
    gh_uuid4(id);
    return json_string(id);
}

/* The pool's region: declared, or the pool id's prefix ("us-east-1" of "us-east-1_Ab"). */
static char *pool_region(const gh_user_pool *p)
{
    if (p->region)
        return strdup(p->region);
    const char *u = strchr(p->id, '_');
    return u ? strndup(p->id, (size_t)(u - p->id)) : strdup(p->id);
}

/* Attributes as Cognito puts them in an ID token: strings, except the *_verified flags,
 * which are JSON booleans. */
static void add_attributes(json_t *claims, const json_t *attrs)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)attrs, k, v)
    {
        if (!strcmp(k, "sub"))
            continue;
        size_t kl = strlen(k);
        const char *s = json_string_value(v);
        if (s && kl > 9 && !strcmp(k + kl - 9, "_verified") &&
            (!strcmp(s, "true") || !strcmp(s, "false")))
            json_object_set_new(claims, k, json_boolean(!strcmp(s, "true")));
        else
            json_object_set(claims, k, v);
    }
}

static json_t *build_claims(const gh_cognito_mint_opts *o, const gh_pool_user *u)
{
    const gh_user_pool *p = o->pool;
    char sub[GH_UUID_LEN + 1];
    const char *declared = json_string_value(json_object_get(u->attributes, "sub"));
    if (declared)
        snprintf(sub, sizeof sub, "%s", declared);
    else
        stable_sub(p->id, u->name, sub);
    char *region = pool_region(p);
    char *iss = gh_strprintf("https://cognito-idp.%s.amazonaws.com/%s", region, p->id);
    free(region);
    int ttl = o->ttl_s > 0 ? o->ttl_s : 3600;

    json_t *c = json_object();
    json_object_set_new(c, "sub", json_string(sub));
    if (u->ngroups) {
        json_t *g = json_array();
        for (size_t i = 0; i < u->ngroups; i++)
            json_array_append_new(g, json_string(u->groups[i]));
        json_object_set_new(c, "cognito:groups", g);
    }
    if (!o->access && u->attributes)
        add_attributes(c, u->attributes);
    json_object_set_new(c, "iss", json_string(iss ? iss : ""));
    free(iss);
    if (o->access)
        json_object_set_new(c, "client_id", json_string(p->client_id ? p->client_id : ""));
    else
        json_object_set_new(c, "cognito:username", json_string(u->name));
    json_object_set_new(c, "origin_jti", uuid_string());
    if (!o->access)
        json_object_set_new(c, "aud", json_string(p->client_id ? p->client_id : ""));
    json_object_set_new(c, "event_id", uuid_string());
    json_object_set_new(c, "token_use", json_string(o->access ? "access" : "id"));
    if (o->access) {
        /* Cognito's scope for a user-pool sign-in without custom scopes. */
        char *scope = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&scope, &len);
        for (size_t i = 0; f && i < o->nscopes; i++)
            fprintf(f, "%s%s", i ? " " : "", o->scopes[i]);
        if (f && !o->nscopes)
            fputs("aws.cognito.signin.user.admin", f);
        if (f)
            fclose(f);
        json_object_set_new(c, "scope", json_string(scope ? scope : ""));
        free(scope);
    }
    json_object_set_new(c, "auth_time", json_integer(o->now_s));
    json_object_set_new(c, "exp", json_integer(o->now_s + ttl));
    json_object_set_new(c, "iat", json_integer(o->now_s));
    json_object_set_new(c, "jti", uuid_string());
    if (o->access)
        json_object_set_new(c, "username", json_string(u->name));
    return c;
}

char *gh_cognito_mint(const gh_cognito_mint_opts *o, char **err)
{
    *err = NULL;
    const gh_user_pool *p = o->pool;
    const gh_pool_user *u = find_user(p, o->user);
    if (!u) {
        *err = gh_strprintf("user pool %s has no user '%s'", p->id, o->user ? o->user : "");
        return NULL;
    }
    if (!p->signing_pem) {
        *err = gh_strprintf("user pool %s has no signing key (a pool verified through a JWKS cannot "
                   "mint tokens)",
                   p->id);
        return NULL;
    }
    const char *why = NULL;
    gh_jwt_key *k = gh_jwt_key_from_pem(p->signing_pem, &why);
    if (!k) {
        *err = gh_strprintf("user pool %s: signing key %s: %s", p->id,
                   p->signing_key ? p->signing_key : "(inline)", why);
        return NULL;
    }
    json_t *claims = build_claims(o, u);
    char *jwt = gh_jwt_sign(k, claims, &why);
    json_decref(claims);
    gh_jwt_key_free(k);
    if (!jwt)
        *err = gh_strprintf("user pool %s: %s", p->id, why);
    return jwt;
}

/* auth/cognito: tokens minted by gh_cognito_mint and checked by gh_cognito_authorize on
 * the fixture's request (GET /prod/orders/42), one case per line: ID and access tokens
 * allowed, and every refusal API Gateway answers 401 for (expired on the fake clock,
 * another pool's issuer, another key, a tampered payload, alg none, HS256 keyed with the
 * public key, scopes, wrong aud/client_id, missing header); a real pool's JWKS (written
 * here from a generated key) verifying tokens offline; the claims as AWS passes them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <cjose/cjose.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/cognito.h"
#include "auth/identity.h"
#include "auth/jwt.h"
#include "auth/pool_key.h"
#include "inv_fixture.h"
#include "scratch.h"
#include "util/clock.h"

#define T0 1781013791LL /* the fixture request's time, in seconds */
#define POOL_A "us-east-1_AbC123"
#define POOL_B "eu-west-1_Other1"
#define POOL_C "us-west-2_Real01" /* a "real" pool known only by its JWKS */

static struct {
    scratch s;
    char *pem_a, *pem_b, *pem_c;
    char kid_a[64], kid_b[64];
    char *jwks_c;
    gh_pool_user users_a[2];
    const char *groups[2];
    gh_user_pool pools[3]; /* sorted by id: B, A, C */
    gh_pool_user user_c;
} g;

static char *key_in(const char *dir, const char *name)
{
    char path[160];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *err = NULL;
    char *pem = gh_pool_key_load_or_create(path, &err);
    assert_non_null(pem);
    unlink(path);
    return pem;
}

static void kid_of(const char *pem, char *out)
{
    const char *why;
    gh_jwt_key *k = gh_jwt_key_from_pem(pem, &why);
    assert_non_null(k);
    strcpy(out, gh_jwt_key_kid(k));
    gh_jwt_key_free(k);
}

/* Pool C's JWKS: key B under its own kid, and key B's material again under key A's kid,
 * so a token signed by A that names A's kid finds a key and fails on the signature. */
static char *make_jwks(void)
{
    const char *why;
    gh_jwt_key *kb = gh_jwt_key_from_pem(g.pem_b, &why);
    json_t *b = gh_jwt_key_public_jwk(kb);
    json_t *fake = json_deep_copy(b);
    json_object_set_new(fake, "kid", json_string(g.kid_a));
    json_t *set = json_pack("{s:[o,o]}", "keys", b, fake);
    char *text = json_dumps(set, JSON_COMPACT);
    json_decref(set);
    gh_jwt_key_free(kb);
    return text;
}

static int setup(void **state)
{
    (void)state;
    put(&g.s, "readme", "keys are generated here and removed\n");
    g.pem_a = key_in(g.s.dir, "a.pem");
    g.pem_b = key_in(g.s.dir, "b.pem");
    g.pem_c = key_in(g.s.dir, "c.pem");
    kid_of(g.pem_a, g.kid_a);
    kid_of(g.pem_b, g.kid_b);
    g.jwks_c = make_jwks();
    g.groups[0] = "admin";
    g.groups[1] = "users";
    g.users_a[0] = (gh_pool_user){
        .name = "alice",
        .attributes = json_pack("{s:s,s:s,s:s}", "email", "alice@example.com", "email_verified",
                                "true", "custom:tier", "gold"),
        .groups = g.groups,
        .ngroups = 2,
    };
    g.users_a[1] = (gh_pool_user){.name = "bob", .attributes = json_object()};
    g.user_c = (gh_pool_user){.name = "carol", .attributes = json_object()};
    g.pools[0] = (gh_user_pool){.id = POOL_B,
                                .region = "eu-west-1",
                                .client_id = "clientB",
                                .signing_pem = g.pem_b,
                                .users = g.users_a,
                                .nusers = 2};
    g.pools[1] = (gh_user_pool){.id = POOL_A,
                                .region = "us-east-1",
                                .client_id = "clientA",
                                .signing_pem = g.pem_a,
                                .users = g.users_a,
                                .nusers = 2};
    g.pools[2] = (gh_user_pool){.id = POOL_C,
                                .region = "us-west-2",
                                .client_id = "clientC",
                                .jwks = g.jwks_c,
                                .signing_pem = g.pem_c,
                                .users = &g.user_c,
                                .nusers = 1};
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    json_decref(g.users_a[0].attributes);
    json_decref(g.users_a[1].attributes);
    json_decref(g.user_c.attributes);
    free(g.pem_a);
    free(g.pem_b);
    free(g.pem_c);
    free(g.jwks_c);
    scratch_free(&g.s);
    gh_clock_fake(-1);
    return 0;
}

static char *b64url(const void *p, size_t n)
{
    char *out = NULL;
    size_t len = 0;
    assert_true(cjose_base64url_encode(p, n, &out, &len, NULL));
    char *s = strndup(out, len);
    cjose_get_dealloc()(out);
    return s;
}

typedef enum {
    TOK_ID,           /* alice's ID token from pool A */
    TOK_ACCESS_RW,    /* alice's access token, scope "orders/read orders/write" */
    TOK_ACCESS_R,     /* scope "orders/read" */
    TOK_POOL_B,       /* an ID token of pool B (not the authorizer's) */
    TOK_WRONG_KEY,    /* pool A's issuer, signed with key B */
    TOK_TAMPERED,     /* ID token whose payload says bob, signature of alice's */
    TOK_ALG_NONE,     /* alg none, no signature */
    TOK_ALG_NONE_SIG, /* alg none, the original signature kept */
    TOK_HS256,        /* HS256 keyed with pool A's public key PEM */
    TOK_WRONG_AUD,    /* ID token for another app client */
    TOK_WRONG_CLIENT, /* access token for another app client */
    TOK_REFRESH_USE,  /* token_use "refresh", validly signed */
    TOK_NO_EXP,       /* no exp, validly signed */
    TOK_JWKS,         /* pool C's issuer signed by key B (in C's JWKS) */
    TOK_JWKS_BADSIG,  /* pool C's issuer signed by key A, A's kid mapped to B's key */
    TOK_BEARER,       /* "Bearer " + a valid ID token */
    TOK_C_LOCAL,      /* pool C's own key (a kid its JWKS lacks) */
    TOK_UNKNOWN_KID,  /* pool C's issuer, signed by key D: no such kid anywhere */
} tok_kind;

static char *mint(const gh_user_pool *p, const char *user, bool access, const char *const *scopes,
                  size_t n)
{
    gh_cognito_mint_opts o = {.pool = p,
                              .user = user,
                              .access = access,
                              .scopes = scopes,
                              .nscopes = n,
                              .now_s = T0,
                              .ttl_s = 3600};
    char *err = NULL;
    char *t = gh_cognito_mint(&o, &err);
    if (!t)
        fail_msg("mint: %s", err);
    return t;
}

/* token's payload changed by edit, signed again by pem (a well-signed, wrong token). */
static char *resign(const char *token, const char *pem, void (*edit)(json_t *))
{
    json_t *h, *p;
    assert_int_equal(gh_jwt_decode(token, &h, &p), 0);
    edit(p);
    const char *why;
    gh_jwt_key *k = gh_jwt_key_from_pem(pem, &why);
    char *t = gh_jwt_sign(k, p, &why);
    gh_jwt_key_free(k);
    json_decref(h);
    json_decref(p);
    return t;
}

static void set_refresh(json_t *p)
{
    json_object_set_new(p, "token_use", json_string("refresh"));
}
static void drop_exp(json_t *p)
{
    json_object_del(p, "exp");
}

/* header.payload.signature of token with the header replaced (and the signature
 * replaced when sig is not NULL). */
static char *with_header(const char *token, const char *header_json, const char *sig)
{
    const char *d1 = strchr(token, '.'), *d2 = strrchr(token, '.');
    char *h = b64url(header_json, strlen(header_json));
    size_t n = strlen(h) + strlen(token) + 512;
    char *out = malloc(n);
    snprintf(out, n, "%s%.*s.%s", h, (int)(d2 - d1), d1, sig ? sig : d2 + 1);
    free(h);
    return out;
}

static char *public_pem(const char *priv)
{
    BIO *in = BIO_new_mem_buf(priv, -1);
    EVP_PKEY *k = PEM_read_bio_PrivateKey(in, NULL, NULL, NULL);
    BIO *out = BIO_new(BIO_s_mem());
    assert_int_equal(PEM_write_bio_PUBKEY(out, k), 1);
    char *data;
    long n = BIO_get_mem_data(out, &data);
    char *s = strndup(data, (size_t)n);
    BIO_free(in);
    BIO_free(out);
    EVP_PKEY_free(k);
    return s;
}

/* The alg-confusion forgery: HS256 over header.payload with the RSA public key's PEM as
 * the HMAC secret, what a verifier that trusts the header's alg would accept. */
static char *hs256_forgery(const char *token)
{
    char header[128];
    snprintf(header, sizeof header, "{\"alg\":\"HS256\",\"kid\":\"%s\"}", g.kid_a);
    char *t = with_header(token, header, "x");
    char *dot = strrchr(t, '.');
    char *pub = public_pem(g.pem_a);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    assert_non_null(HMAC(EVP_sha256(), pub, (int)strlen(pub), (unsigned char *)t, (size_t)(dot - t),
                         mac, &maclen));
    char *sig = b64url(mac, maclen);
    *dot = '\0';
    size_t n = strlen(t) + strlen(sig) + 2;
    char *out = malloc(n);
    snprintf(out, n, "%s.%s", t, sig);
    free(t);
    free(sig);
    free(pub);
    return out;
}

static char *make_token(tok_kind kind)
{
    static const char *const rw[] = {"orders/read", "orders/write"};
    static const char *const r[] = {"orders/read"};
    gh_user_pool *A = &g.pools[1];
    switch (kind) {
    case TOK_ID: return mint(A, "alice", false, NULL, 0);
    case TOK_ACCESS_RW: return mint(A, "alice", true, rw, 2);
    case TOK_ACCESS_R: return mint(A, "alice", true, r, 1);
    case TOK_POOL_B: return mint(&g.pools[0], "alice", false, NULL, 0);
    case TOK_WRONG_KEY: {
        gh_user_pool p = *A;
        p.signing_pem = g.pem_b;
        return mint(&p, "alice", false, NULL, 0);
    }
    case TOK_TAMPERED: {
        char *alice = mint(A, "alice", false, NULL, 0), *bob = mint(A, "bob", false, NULL, 0);
        /* bob's header.payload with alice's signature */
        const char *sig = strrchr(alice, '.') + 1;
        size_t n = strlen(bob) + strlen(sig) + 1;
        char *out = malloc(n);
        snprintf(out, n, "%.*s.%s", (int)(strrchr(bob, '.') - bob), bob, sig);
        free(alice);
        free(bob);
        return out;
    }
    case TOK_ALG_NONE:
    case TOK_ALG_NONE_SIG: {
        char *id = mint(A, "alice", false, NULL, 0), header[128];
        snprintf(header, sizeof header, "{\"alg\":\"none\",\"kid\":\"%s\"}", g.kid_a);
        char *t = with_header(id, header, kind == TOK_ALG_NONE ? "" : NULL);
        free(id);
        return t;
    }
    case TOK_HS256: {
        char *id = mint(A, "alice", false, NULL, 0);
        char *t = hs256_forgery(id);
        free(id);
        return t;
    }
    case TOK_WRONG_AUD:
    case TOK_WRONG_CLIENT: {
        gh_user_pool p = *A;
        p.client_id = "someOtherClient";
        return mint(&p, "alice", kind == TOK_WRONG_CLIENT, rw, 2);
    }
    case TOK_REFRESH_USE:
    case TOK_NO_EXP: {
        char *id = mint(A, "alice", false, NULL, 0);
        char *t = resign(id, g.pem_a, kind == TOK_NO_EXP ? drop_exp : set_refresh);
        free(id);
        return t;
    }
    case TOK_JWKS:
    case TOK_JWKS_BADSIG: {
        gh_user_pool p = g.pools[2];
        p.signing_pem = kind == TOK_JWKS ? g.pem_b : g.pem_a;
        p.jwks = NULL;
        return mint(&p, "carol", false, NULL, 0);
    }
    case TOK_C_LOCAL: return mint(&g.pools[2], "carol", false, NULL, 0);
    case TOK_UNKNOWN_KID: {
        gh_user_pool p = g.pools[2];
        char *d = key_in(g.s.dir, "d.pem");
        p.signing_pem = d;
        char *t = mint(&p, "carol", false, NULL, 0);
        free(d);
        return t;
    }
    case TOK_BEARER: {
        char *id = mint(A, "alice", false, NULL, 0);
        size_t n = strlen(id) + 8;
        char *t = malloc(n);
        snprintf(t, n, "Bearer %s", id);
        free(id);
        return t;
    }
    }
    return NULL;
}

static const char *const ARNS[] = {
    "arn:aws:cognito-idp:us-east-1:111122223333:userpool/" POOL_A,
    "arn:aws:cognito-idp:us-west-2:111122223333:userpool/" POOL_C,
};

typedef struct {
    inv_fixture f;
    gh_authorizer az;
    gh_auth_outcome out;
} run;

/* Authorizes the fixture request carrying token (in header hdr, NULL: none) on a method
 * with the given scopes, the clock at now_ms. */
static void authorize(run *r, const char *hdr, const char *token, const char *const *scopes,
                      size_t nscopes, int64_t now_ms)
{
    inv_fixture_init(&r->f);
    r->f.api.user_pools = g.pools;
    r->f.api.nuser_pools = 3;
    r->f.method.authorization_scopes = (const char **)scopes;
    r->f.method.nauthorization_scopes = nscopes;
    if (hdr && token)
        gh_headers_add(r->f.arena, &r->f.req.headers, hdr, token);
    memset(&r->az, 0, sizeof r->az);
    r->az.name = "pool";
    r->az.kind = GH_AUTHZ_COGNITO;
    r->az.provider_arns = (const char **)ARNS;
    r->az.nprovider_arns = 2;
    gh_clock_fake(now_ms);
    gh_cognito_authorize(&r->f.inv, &r->az, &r->out);
}

static void table(void **state)
{
    (void)state;
    static const char *const W[] = {"orders/write"};
    static const char *const X[] = {"orders/delete", "orders/read"};
    const int64_t now = T0 * 1000 + 60000, at_exp = (T0 + 3600) * 1000;
    const struct {
        tok_kind kind;
        const char *const *scopes;
        size_t nscopes;
        int64_t now_ms;
        gh_auth_verdict verdict;
        const char *log; /* substring of out.log */
    } cases[] = {
        {TOK_ID, NULL, 0, now, GH_AUTH_ALLOW, "id token of 'alice' from pool " POOL_A " (kid "},
        {TOK_ID, NULL, 0, at_exp - 1000, GH_AUTH_ALLOW, "id token of 'alice'"},
        {TOK_ID, NULL, 0, at_exp, GH_AUTH_FAIL, "pool " POOL_A ": token expired"},
        {TOK_ACCESS_RW, W, 1, now, GH_AUTH_ALLOW, "access token of 'alice' from pool " POOL_A},
        {TOK_ACCESS_R, X, 2, now, GH_AUTH_ALLOW, "access token of 'alice'"},
        {TOK_ACCESS_R, W, 1, now, GH_AUTH_FAIL, "none of the method's authorizationScopes"},
        {TOK_ID, W, 1, now, GH_AUTH_FAIL, "an ID token on a method with authorizationScopes"},
        {TOK_ACCESS_RW, NULL, 0, now, GH_AUTH_FAIL, "access token on a method without"},
        {TOK_POOL_B, NULL, 0, now, GH_AUTH_FAIL,
         "issuer 'https://cognito-idp.eu-west-1.amazonaws.com/" POOL_B "' is none of"},
        {TOK_WRONG_KEY, NULL, 0, now, GH_AUTH_FAIL, "kid is not the pool's signing key"},
        {TOK_TAMPERED, NULL, 0, now, GH_AUTH_FAIL, "pool " POOL_A ": bad signature"},
        {TOK_ALG_NONE, NULL, 0, now, GH_AUTH_FAIL, "alg 'none' refused"},
        {TOK_ALG_NONE_SIG, NULL, 0, now, GH_AUTH_FAIL, "alg 'none' refused"},
        {TOK_HS256, NULL, 0, now, GH_AUTH_FAIL, "alg 'HS256' refused"},
        {TOK_WRONG_AUD, NULL, 0, now, GH_AUTH_FAIL, "aud is not the pool's app client"},
        {TOK_WRONG_CLIENT, W, 1, now, GH_AUTH_FAIL, "client_id is not the pool's app client"},
        {TOK_REFRESH_USE, NULL, 0, now, GH_AUTH_FAIL, "token_use is neither id nor access"},
        {TOK_NO_EXP, NULL, 0, now, GH_AUTH_FAIL, "no exp claim"},
        {TOK_JWKS, NULL, 0, now, GH_AUTH_ALLOW, "id token of 'carol' from pool " POOL_C},
        {TOK_JWKS_BADSIG, NULL, 0, now, GH_AUTH_FAIL, "pool " POOL_C ": bad signature"},
        {TOK_BEARER, NULL, 0, now, GH_AUTH_FAIL, "the token is not a JWT"},
        {TOK_C_LOCAL, NULL, 0, now, GH_AUTH_ALLOW, "id token of 'carol' from pool " POOL_C},
        {TOK_UNKNOWN_KID, NULL, 0, now, GH_AUTH_FAIL, "kid is neither in the pool's JWKS nor"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *tok = make_token(cases[i].kind);
        run r;
        authorize(&r, "Authorization", tok, cases[i].scopes, cases[i].nscopes, cases[i].now_ms);
        if (r.out.verdict != cases[i].verdict || !r.out.log || !strstr(r.out.log, cases[i].log))
            fail_msg("case %zu: verdict %d, log '%s'; want %d, '%s'", i, r.out.verdict,
                     r.out.log ? r.out.log : "(null)", cases[i].verdict, cases[i].log);
        if (r.out.verdict == GH_AUTH_FAIL) {
            assert_int_equal(r.out.fail_type, GH_GW_UNAUTHORIZED); /* 401 Unauthorized */
            assert_null(r.out.fail_message);                       /* the type's own body */
            assert_null(r.out.authorizer);
        } else {
            assert_non_null(gh_value_get(r.out.authorizer, "claims"));
        }
        inv_fixture_free(&r.f);
        free(tok);
    }
}

/* The JWKS case names the kid it verified with: key B's, from pool C's JWKS. */
static void jwks_kid_logged(void **state)
{
    (void)state;
    char *tok = make_token(TOK_JWKS);
    run r;
    authorize(&r, "Authorization", tok, NULL, 0, T0 * 1000);
    assert_int_equal(r.out.verdict, GH_AUTH_ALLOW);
    char want[128];
    snprintf(want, sizeof want, "(kid %s)", g.kid_b);
    assert_non_null(strstr(r.out.log, want));
    inv_fixture_free(&r.f);
    free(tok);
}

static void identity_sources(void **state)
{
    (void)state;
    char *tok = make_token(TOK_ID);
    const struct {
        const char *source; /* identitySource; NULL: the default (Authorization) */
        const char *header; /* where the request carries the token; NULL: nowhere */
        gh_auth_verdict verdict;
    } cases[] = {
        {NULL, "Authorization", GH_AUTH_ALLOW},
        {NULL, NULL, GH_AUTH_FAIL},
        {NULL, "X-Token", GH_AUTH_FAIL},
        {"method.request.header.X-Token", "X-Token", GH_AUTH_ALLOW},
        {"method.request.header.X-Token", "Authorization", GH_AUTH_FAIL},
        {"method.request.header.Authorization", "authorization", GH_AUTH_ALLOW},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        run r;
        inv_fixture_init(&r.f);
        gh_idsrcs srcs = {0};
        if (cases[i].source) {
            const char *err;
            assert_int_equal(gh_identity_parse(r.f.arena, cases[i].source, true, &srcs, &err), 0);
        }
        r.f.api.user_pools = g.pools;
        r.f.api.nuser_pools = 3;
        if (cases[i].header)
            gh_headers_add(r.f.arena, &r.f.req.headers, cases[i].header, tok);
        memset(&r.az, 0, sizeof r.az);
        r.az.name = "pool";
        r.az.identity = cases[i].source ? &srcs : NULL;
        r.az.provider_arns = (const char **)ARNS;
        r.az.nprovider_arns = 2;
        gh_clock_fake(T0 * 1000);
        gh_cognito_authorize(&r.f.inv, &r.az, &r.out);
        if (r.out.verdict != cases[i].verdict)
            fail_msg("case %zu: verdict %d, log %s", i, r.out.verdict, r.out.log);
        if (r.out.verdict == GH_AUTH_FAIL)
            assert_string_equal(r.out.log, "authorizer 'pool': no token in the identity source");
        inv_fixture_free(&r.f);
    }
    free(tok);
}

static const char *claim(const gh_value *claims, const char *name)
{
    const gh_value *v = gh_value_get(claims, name);
    if (!v)
        return NULL;
    assert_int_equal(v->kind, GH_VALUE_STRING);
    return v->u.str.s;
}

/* Every claim reaches requestContext.authorizer.claims as a string, as AWS sends them:
 * exp/iat as Java dates, auth_time in seconds, groups comma-joined, booleans as text. */
static void claims_as_aws_passes_them(void **state)
{
    (void)state;
    char *tok = make_token(TOK_ID);
    run r;
    authorize(&r, "Authorization", tok, NULL, 0, T0 * 1000);
    assert_int_equal(r.out.verdict, GH_AUTH_ALLOW);
    assert_int_equal(r.out.authorizer->u.obj.n, 1);
    const gh_value *c = gh_value_get(r.out.authorizer, "claims");
    static const struct {
        const char *name, *value; /* value NULL: present, checked below */
    } want[] = {
        {"sub", NULL},
        {"cognito:groups", "admin,users"},
        {"email", "alice@example.com"},
        {"email_verified", "true"},
        {"custom:tier", "gold"},
        {"iss", "https://cognito-idp.us-east-1.amazonaws.com/" POOL_A},
        {"cognito:username", "alice"},
        {"origin_jti", NULL},
        {"aud", "clientA"},
        {"event_id", NULL},
        {"token_use", "id"},
        {"auth_time", "1781013791"},
        {"exp", "Tue Jun 09 15:03:11 UTC 2026"},
        {"iat", "Tue Jun 09 14:03:11 UTC 2026"},
        {"jti", NULL},
    };
    assert_int_equal(c->u.obj.n, sizeof want / sizeof *want);
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        assert_string_equal(c->u.obj.members[i].key, want[i].name); /* the token's order */
        const char *v = claim(c, want[i].name);
        assert_non_null(v);
        if (want[i].value)
            assert_string_equal(v, want[i].value);
        else
            assert_int_equal(strlen(v), 36); /* a UUID */
    }
    /* sub is stable for the user: the same in a second token. */
    char *tok2 = make_token(TOK_ACCESS_RW);
    json_t *h, *p;
    assert_int_equal(gh_jwt_decode(tok2, &h, &p), 0);
    assert_string_equal(json_string_value(json_object_get(p, "sub")), claim(c, "sub"));
    assert_string_equal(json_string_value(json_object_get(p, "scope")), "orders/read orders/write");
    assert_string_equal(json_string_value(json_object_get(p, "client_id")), "clientA");
    assert_string_equal(json_string_value(json_object_get(p, "username")), "alice");
    assert_null(json_object_get(p, "aud"));
    assert_string_equal(json_string_value(json_object_get(h, "alg")), "RS256");
    assert_string_equal(json_string_value(json_object_get(h, "kid")), g.kid_a);
    json_decref(h);
    json_decref(p);
    free(tok2);
    inv_fixture_free(&r.f);
    free(tok);
}

/* A user without groups gets no cognito:groups claim; an unknown user is no token. */
static void mint_edges(void **state)
{
    (void)state;
    char *bob = mint(&g.pools[1], "bob", false, NULL, 0);
    json_t *h, *p;
    assert_int_equal(gh_jwt_decode(bob, &h, &p), 0);
    assert_null(json_object_get(p, "cognito:groups"));
    assert_int_equal(json_integer_value(json_object_get(p, "exp")), T0 + 3600);
    json_decref(h);
    json_decref(p);
    free(bob);

    gh_cognito_mint_opts o = {.pool = &g.pools[1], .user = "mallory", .now_s = T0};
    char *err = NULL;
    assert_null(gh_cognito_mint(&o, &err));
    assert_string_equal(err, "user pool " POOL_A " has no user 'mallory'");
    free(err);
    gh_user_pool jwks_only = g.pools[2];
    jwks_only.signing_pem = NULL;
    o.pool = &jwks_only;
    o.user = "carol";
    assert_null(gh_cognito_mint(&o, &err));
    assert_non_null(strstr(err, "has no signing key"));
    free(err);
}

/* The JWT layer alone refuses other algs too, whatever the signature (defence in depth
 * under the authorizer's own header check). */
static void verify_refuses_other_algs(void **state)
{
    (void)state;
    const struct {
        tok_kind kind;
        bool ok;
    } cases[] = {
        {TOK_ID, true},        {TOK_HS256, false},
        {TOK_ALG_NONE, false}, {TOK_ALG_NONE_SIG, false},
        {TOK_TAMPERED, false}, {TOK_WRONG_KEY, false},
    };
    const char *why;
    gh_jwt_key *ka = gh_jwt_key_from_pem(g.pem_a, &why);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *tok = make_token(cases[i].kind);
        if (gh_jwt_verify_rs256(tok, ka) != cases[i].ok)
            fail_msg("case %zu: want %d", i, cases[i].ok);
        free(tok);
    }
    gh_jwt_key_free(ka);
}

/* Text cjose's base64url decoder cannot take ('=' inside a segment, a length of 4k+1,
 * other characters) is refused before it gets there: cjose answers such input with a
 * failed assert(), which aborted the server (fuzz_auth, corpus/auth/
 * jwt-cjose-assert-padding-in-payload.txt). Every part counts, the signature too. */
static void malformed_base64url_refused(void **state)
{
    (void)state;
    static const char *const tokens[] = {
        /* the fuzzer's input: '=' in the middle of the payload */
        "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1IiwidG9rZW5fdXNlIjoiaWQiLCJpc=Mi.x",
        "eyJhbGciOiJSUzI1NiJ9.e30.AAAA=AAA",      /* in the signature */
        "eyJhbGciOiJSUzI1NiJ9.e30.AAAAA",         /* signature of 4k+1 characters */
        "eyJhbGciOiJSUzI1NiJ9.e30=.AAAA",         /* padding */
        "eyJhbGciOiJSUzI1NiJ9.e30.AA+/",          /* base64, not base64url */
        "eyJhbGciOiJSUzI1NiJ9 .e30.AAAA",         /* a blank */
    };
    const char *why;
    gh_jwt_key *ka = gh_jwt_key_from_pem(g.pem_a, &why);
    for (size_t i = 0; i < sizeof tokens / sizeof *tokens; i++) {
        json_t *h = NULL, *p = NULL;
        if (gh_jwt_decode(tokens[i], &h, &p) != -1 || h || p)
            fail_msg("token %zu decoded", i);
        if (gh_jwt_verify_rs256(tokens[i], ka))
            fail_msg("token %zu verified", i);
    }
    /* The well-formed neighbour still decodes: {"alg":"RS256"} and {}. */
    json_t *h = NULL, *p = NULL;
    assert_int_equal(gh_jwt_decode("eyJhbGciOiJSUzI1NiJ9.e30.AAAA", &h, &p), 0);
    assert_string_equal(json_string_value(json_object_get(h, "alg")), "RS256");
    assert_int_equal(json_object_size(p), 0);
    json_decref(h);
    json_decref(p);
    gh_jwt_key_free(ka);

    /* A cached JWKS comes from a file: bad base64url in its RSA members is refused the
     * same way, never handed to cjose's asserting decoder. */
    static const char *const jwks[] = {
        "{\"kty\":\"RSA\",\"kid\":\"k\",\"n\":\"AAAA=AAA\",\"e\":\"AQAB\"}",
        "{\"kty\":\"RSA\",\"kid\":\"k\",\"n\":\"AAAAA\",\"e\":\"AQAB\"}",
        "{\"kty\":\"RSA\",\"kid\":\"k\",\"n\":\"AAAA\",\"e\":7}",
    };
    for (size_t i = 0; i < sizeof jwks / sizeof *jwks; i++) {
        json_t *j = json_loads(jwks[i], 0, NULL);
        assert_non_null(j);
        assert_null(gh_jwt_key_from_jwk(j, &why));
        assert_string_equal(why, "the JWK's RSA members are not unpadded base64url");
        json_decref(j);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table),
        cmocka_unit_test(jwks_kid_logged),
        cmocka_unit_test(identity_sources),
        cmocka_unit_test(claims_as_aws_passes_them),
        cmocka_unit_test(mint_edges),
        cmocka_unit_test(verify_refuses_other_algs),
        cmocka_unit_test(malformed_base64url_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

/* RS256 JSON Web Tokens, the only kind Cognito user pools issue: keys from an RSA
 * private key PEM (a simulated pool's) or from a JWK (a real pool's JWKS), signing,
 * decoding and signature checks. A thin layer over cjose (JWS/JWK) and OpenSSL (the
 * key parameters, the SHA-256 behind kids): no cryptography is written here. */
#ifndef GH_JWT_H
#define GH_JWT_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct gh_jwt_key gh_jwt_key;

/* The key of an RSA private key PEM; its kid is the base64url SHA-256 of the public
 * key's DER (SubjectPublicKeyInfo), stable for the key. NULL with *err (static text). */
gh_jwt_key *gh_jwt_key_from_pem(const char *pem, const char **err);
/* The RSA key of one JWK object (kty RSA, n, e, kid), as a JWKS lists them. */
gh_jwt_key *gh_jwt_key_from_jwk(const json_t *jwk, const char **err);
void gh_jwt_key_free(gh_jwt_key *k);
const char *gh_jwt_key_kid(const gh_jwt_key *k); /* "" when a JWK has none */
/* The public half as Cognito's JWKS lists it: {alg, e, kid, kty, n, use}; new reference. */
json_t *gh_jwt_key_public_jwk(const gh_jwt_key *k);

/* A compact JWS of claims with header {kid, alg: RS256}; malloc'd, or NULL with *err. */
char *gh_jwt_sign(const gh_jwt_key *k, const json_t *claims, const char **err);

/* Splits a compact JWS and parses its header and payload (both JSON objects, new
 * references) without checking anything. 0, or -1 when it is not header.payload.sig. */
int gh_jwt_decode(const char *token, json_t **header, json_t **payload);

/* True when the token's header says alg RS256 and its signature verifies with k's
 * public key. Any other alg (none, HS256 with the public key as the secret, ...) is
 * false, whatever the signature. */
bool gh_jwt_verify_rs256(const char *token, const gh_jwt_key *k);

#endif

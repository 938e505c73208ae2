/* RS256 tokens over cjose and OpenSSL (jwt.h). OpenSSL reads the PEM and hands its RSA
 * parameters to cjose as a JWK; cjose signs and verifies. The alg is checked here, from
 * the token's own header, before cjose sees the token: a verifier that lets the token
 * pick its algorithm is the classic alg-confusion hole (`none`, or HS256 keyed with the
 * RSA public key). */
#include "auth/jwt.h"

#include <cjose/cjose.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>

struct gh_jwt_key {
    cjose_jwk_t *jwk;
    char kid[128];
};

static void cjose_free(void *p)
{
    if (p)
        cjose_get_dealloc()(p);
}

/* One RSA parameter of k as big-endian bytes (malloc'd), or NULL. */
static uint8_t *bn_param(const EVP_PKEY *k, const char *name, size_t *len)
{
    BIGNUM *bn = NULL;
    if (EVP_PKEY_get_bn_param(k, name, &bn) != 1)
        return NULL;
    int n = BN_num_bytes(bn);
    uint8_t *out = malloc(n > 0 ? (size_t)n : 1);
    if (out)
        *len = (size_t)BN_bn2bin(bn, out);
    BN_free(bn);
    return out;
}

/* base64url(SHA-256(SubjectPublicKeyInfo DER)) into out. */
static bool pubkey_kid(EVP_PKEY *k, char *out, size_t cap)
{
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(k, &der);
    if (n <= 0)
        return false;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    bool ok = EVP_Digest(der, (size_t)n, md, &mdlen, EVP_sha256(), NULL) == 1;
    OPENSSL_free(der);
    char *b64 = NULL;
    size_t blen = 0;
    if (!ok || !cjose_base64url_encode(md, mdlen, &b64, &blen, NULL))
        return false;
    ok = blen < cap;
    if (ok) {
        memcpy(out, b64, blen);
        out[blen] = '\0';
    }
    cjose_free(b64);
    return ok;
}

gh_jwt_key *gh_jwt_key_from_pem(const char *pem, const char **err)
{
    BIO *bio = BIO_new_mem_buf(pem, -1);
    EVP_PKEY *pk = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    if (!pk || !EVP_PKEY_is_a(pk, "RSA")) {
        EVP_PKEY_free(pk);
        *err = "not an RSA private key PEM";
        return NULL;
    }
    static const char *const names[] = {
        OSSL_PKEY_PARAM_RSA_E,         OSSL_PKEY_PARAM_RSA_N,
        OSSL_PKEY_PARAM_RSA_D,         OSSL_PKEY_PARAM_RSA_FACTOR1,
        OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
        OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
    };
    uint8_t *v[8] = {0};
    size_t len[8] = {0};
    bool ok = true;
    for (size_t i = 0; i < 8; i++)
        ok = ok && (v[i] = bn_param(pk, names[i], &len[i])) != NULL;
    gh_jwt_key *k = calloc(1, sizeof *k);
    if (ok && k) {
        cjose_jwk_rsa_keyspec spec = {
            .e = v[0],
            .elen = len[0],
            .n = v[1],
            .nlen = len[1],
            .d = v[2],
            .dlen = len[2],
            .p = v[3],
            .plen = len[3],
            .q = v[4],
            .qlen = len[4],
            .dp = v[5],
            .dplen = len[5],
            .dq = v[6],
            .dqlen = len[6],
            .qi = v[7],
            .qilen = len[7],
        };
        k->jwk = cjose_jwk_create_RSA_spec(&spec, NULL);
        ok = k->jwk && pubkey_kid(pk, k->kid, sizeof k->kid) &&
             cjose_jwk_set_kid(k->jwk, k->kid, strlen(k->kid), NULL);
    }
    for (size_t i = 0; i < 8; i++)
        free(v[i]);
    EVP_PKEY_free(pk);
    if (!ok) {
        gh_jwt_key_free(k);
        *err = "the RSA key's parameters could not be read";
        return NULL;
    }
    return k;
}

/* True when s[0..n) is base64url without padding (RFC 7515 section 2): only
 * A-Z a-z 0-9 - _ and never a length of 4k+1. cjose's decoder must only see such text:
 * given a '=' inside a segment or a length of 4k+1 it fails an assert() and aborts the
 * whole process (found by fuzz_auth), so a client's Authorization header could stop the
 * server. */
static bool base64url_ok(const char *s, size_t n)
{
    if (n % 4 == 1)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

gh_jwt_key *gh_jwt_key_from_jwk(const json_t *jwk, const char **err)
{
    const char *kty = json_string_value(json_object_get(jwk, "kty"));
    if (!json_is_object(jwk) || !kty || strcmp(kty, "RSA") != 0) {
        *err = "not an RSA JWK (kty must be \"RSA\")";
        return NULL;
    }
    /* cjose asserts (aborting the process) on base64url it cannot decode: check every
     * RSA member it will read first. */
    static const char *const members[] = {"n", "e", "d", "p", "q", "dp", "dq", "qi"};
    for (size_t i = 0; i < sizeof members / sizeof *members; i++) {
        const json_t *m = json_object_get(jwk, members[i]);
        if (m && (!json_is_string(m) ||
                  !base64url_ok(json_string_value(m), json_string_length(m)))) {
            *err = "the JWK's RSA members are not unpadded base64url";
            return NULL;
        }
    }
    char *text = json_dumps(jwk, JSON_COMPACT);
    gh_jwt_key *k = calloc(1, sizeof *k);
    if (text && k)
        k->jwk = cjose_jwk_import(text, strlen(text), NULL);
    free(text);
    if (!k || !k->jwk) {
        gh_jwt_key_free(k);
        *err = "the JWK's n and e are not a usable RSA public key";
        return NULL;
    }
    const char *kid = json_string_value(json_object_get(jwk, "kid"));
    if (kid && strlen(kid) < sizeof k->kid)
        strcpy(k->kid, kid);
    return k;
}

void gh_jwt_key_free(gh_jwt_key *k)
{
    if (!k)
        return;
    cjose_jwk_release(k->jwk);
    free(k);
}

const char *gh_jwt_key_kid(const gh_jwt_key *k)
{
    return k->kid;
}

json_t *gh_jwt_key_public_jwk(const gh_jwt_key *k)
{
    char *text = cjose_jwk_to_json(k->jwk, false, NULL);
    json_t *pub = text ? json_loads(text, 0, NULL) : NULL;
    cjose_free(text);
    json_t *out = json_object();
    /* Cognito's jwks.json member order. */
    json_object_set_new(out, "alg", json_string("RS256"));
    json_object_set(out, "e", json_object_get(pub, "e"));
    json_object_set_new(out, "kid", json_string(k->kid));
    json_object_set_new(out, "kty", json_string("RSA"));
    json_object_set(out, "n", json_object_get(pub, "n"));
    json_object_set_new(out, "use", json_string("sig"));
    json_decref(pub);
    return out;
}

char *gh_jwt_sign(const gh_jwt_key *k, const json_t *claims, const char **err)
{
    char *payload = json_dumps(claims, JSON_COMPACT);
    cjose_header_t *h = cjose_header_new(NULL);
    char *out = NULL;
    /* kid before alg, as Cognito writes its headers. */
    if (payload && h && cjose_header_set(h, "kid", k->kid, NULL) &&
        cjose_header_set(h, CJOSE_HDR_ALG, CJOSE_HDR_ALG_RS256, NULL)) {
        cjose_jws_t *jws =
            cjose_jws_sign(k->jwk, h, (const uint8_t *)payload, strlen(payload), NULL);
        const char *ser = NULL;
        if (jws && cjose_jws_export(jws, &ser, NULL) && ser)
            out = strdup(ser);
        cjose_jws_release(jws);
    }
    cjose_header_release(h);
    free(payload);
    if (!out)
        *err = "signing failed (the key cannot sign RS256)";
    return out;
}

/* The JSON object a base64url segment holds (new reference), or NULL. */
static json_t *segment_json(const char *s, size_t n)
{
    uint8_t *raw = NULL;
    size_t len = 0;
    if (!n || !cjose_base64url_decode(s, n, &raw, &len, NULL))
        return NULL;
    json_t *j = json_loadb((const char *)raw, len, JSON_REJECT_DUPLICATES, NULL);
    cjose_free(raw);
    if (j && !json_is_object(j)) {
        json_decref(j);
        j = NULL;
    }
    return j;
}

int gh_jwt_decode(const char *token, json_t **header, json_t **payload)
{
    *header = *payload = NULL;
    const char *d1 = token ? strchr(token, '.') : NULL;
    const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
    if (!d2 || strchr(d2 + 1, '.'))
        return -1;
    /* All three parts, the signature too: gh_jwt_verify_rs256 hands the whole token to
     * cjose once this has passed. */
    if (!base64url_ok(token, (size_t)(d1 - token)) ||
        !base64url_ok(d1 + 1, (size_t)(d2 - d1 - 1)) || !base64url_ok(d2 + 1, strlen(d2 + 1)))
        return -1;
    *header = segment_json(token, (size_t)(d1 - token));
    *payload = segment_json(d1 + 1, (size_t)(d2 - d1 - 1));
    if (*header && *payload)
        return 0;
    json_decref(*header);
    json_decref(*payload);
    *header = *payload = NULL;
    return -1;
}

bool gh_jwt_verify_rs256(const char *token, const gh_jwt_key *k)
{
    json_t *h, *p;
    if (gh_jwt_decode(token, &h, &p) != 0)
        return false;
    const char *alg = json_string_value(json_object_get(h, "alg"));
    bool rs256 = alg && strcmp(alg, "RS256") == 0;
    json_decref(h);
    json_decref(p);
    if (!rs256)
        return false;
    cjose_jws_t *jws = cjose_jws_import(token, strlen(token), NULL);
    if (!jws)
        return false;
    /* cjose decodes the header again; check its alg too, so what cjose verifies with
     * is what was checked above. */
    const char *alg2 = cjose_header_get(cjose_jws_get_protected(jws), CJOSE_HDR_ALG, NULL);
    bool ok = alg2 && strcmp(alg2, CJOSE_HDR_ALG_RS256) == 0 && cjose_jws_verify(jws, k->jwk, NULL);
    cjose_jws_release(jws);
    return ok;
}

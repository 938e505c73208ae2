/* Fuzz target: the authorization parsers that read what a caller sends. The first byte
 * picks the part; the rest is its input:
 *   0  SigV4 (auth/sigv4.h): lines "Authorization value", "query", "path", then
 *      "Name: value" headers up to an empty line, then the body. Verified at a fixed
 *      time (20150830T123600Z) for region us-east-1, service execute-api, with one known
 *      key (AKIDEXAMPLE), so inputs reach the canonical request. Each status must come
 *      with what sigv4.h promises beside it.
 *   1  JWT (auth/jwt.h): the token, decoded and verified with a fixed RS256 key. A
 *      token that verifies must decode and say alg RS256.
 *   2  policies: an optional first line (the caller's source address, IPv4 or IPv6
 *      text, when the input does not start with '{'), then JSON given to
 *      gh_policy_evaluate and, for an anonymous, an IAM-user and an assumed-role
 *      caller, gh_resource_policy_evaluate on the request of tests/unit/inv_fixture.h.
 *      A failure must say why, a decision must name a statement that exists, and a
 *      document gh_resource_policy_check accepts must evaluate. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/inv_fixture.h"
#include "auth/jwt.h"
#include "auth/policy.h"
#include "auth/resource_policy.h"
#include "auth/sigv4.h"
#include "fuzz.h"
#include "util/log.h"

/* 2048-bit RSA, made for this target only (openssl genpkey). */
static const char KEY_PEM[] = "-----BEGIN PRIVATE KEY-----\n"
                              "MIIEvwIBADANBgkqhkiG9w0BAQEFAASCBKkwggSlAgEAAoIBAQDFCOVMLlDz5Y4g\n"
                              "IJoZRiyLG1CRiNqDYidiibCKGXWKf+/bDHBuyDq7wqX5SGFIdoVly30zeSMl8weA\n"
                              "gIyMEQr5xEZVKC//rLqHYUL2YVIJ+933mQ6j4q04wTWhnyAvxUbJmJwGZAC21Dh7\n"
                              "Y2hUUdvDwuaiK24fIK74va12hTkT5C2PA6URb+HmYRqt81G8/qSZwIWVogwutSv/\n"
                              "Yi6nTXInOOtQF1dUnJJl+Y/ZWlnVtjrfBDa8x/zE7VLs/wfN1ba0Apltham1ZtFF\n"
                              "CQJtMO580osuGNqW4HWVa7+Wjrk5On2GkSwN6vHKY7N0dYd4zzf7mH2EzjINTRkb\n"
                              "vGJITA61AgMBAAECggEAE0gvFFj2ACBHW9qE6hNFeamHJW7kn3XkD88UsTcTmyWx\n"
                              "Bdk+SYEbylMepfoQ1yQOIuuaiYaBy41wfwFVf8GNNusfzOadZ+Jx8JyyjmTwv9xf\n"
                              "mQLn/V7J/+NcicAGSNZ/+muOXUu9DCdRjbWpOJM4M/ynUFh6st4icWIyjwYzk0AV\n"
                              "iQENmlvz+Gu3k0a/fcOeb0WtFLGr0lHfnh3tKPoYmb0Gcn8rEhmHoK7FLr3mVT8X\n"
                              "r3EtNtgOex4vTRMVpwLTRxjjfZsSb4hiyRhXkUoNoD2m690GOvLA43lH+tKi5vGt\n"
                              "3fzMWLI43d4lUcluG+fJCG19QY0awc0K4cUQV9WygQKBgQD5PSF5w6/4Bis72Tn1\n"
                              "J8zmeQgTRFDIJw+V67YLu3BKcOvmyRxMxcMu681Tf7YF2BDhJ/LauxZHhadHgxmy\n"
                              "DtWVGvut+y9gn+G9G1ZKvdp+RDBEcwRf3ahsDpLnxQDjegTif20iKQRyKgPN0T/Q\n"
                              "rfajNKjXQMrNY14mVE6vwSWawQKBgQDKYTpCUZRP9yyrhPq2jXI9GrVwU7joEHDC\n"
                              "mnJEdFiDBq+uoKluQcmnFgxO+Gx2gxt75tAH7FQSkDdb2oXY59XUNEDBE4O6XGXA\n"
                              "ij/VVkz2NPNWvITmBK4srvnBZtWibpOD2aFSLo/wSQSzr4ON00rc0Q3MbG7+cXXl\n"
                              "eX68po/09QKBgQDGetYTv7B8lX0MdhrfjkhwKWYy4a5rFiAlRcZ9ZVExFuflq7Yr\n"
                              "tTmQPhwPKJ7t3HjktQmDAoXlgxwJqO9nisSvrwNKM8Qw8GG2VPTNJI/BCdBeUjHj\n"
                              "ngMnuhtnEs14WY1WSh/AmmV9/NN2rfJh3oeQxLjIYkKeeUlawLzA3dFygQKBgQCU\n"
                              "Jqjnc6EHCQMCbM68ZL+ES9EW8bMi7yYcz8NmqWVCRdrGE4b01+QvFMzd4q5D86Zj\n"
                              "BYy0wCSrkjd0XnwtVUoLllTxAsAj5Q/36zzfh9W/RvP8QvVnDXYT7+OV2Rn7VsdW\n"
                              "djLKXpuwY0O15n5/jHX5QHDBfX+jdJvB6TcGE0i/IQKBgQCVh2FA5kc/lh+uUPOA\n"
                              "EUg1D5/434+Lvq1cDiNOQKtcYObvUcE278l42r3nm8yEhdnnJ/KQhqtwxaH7Bbd0\n"
                              "jGRyky6NBV2di0Pn4vxpEoYxKe4HCjtv/My6CWhgO9LFKDRjWasrQgYgmOKBYSoG\n"
                              "mQFinYhZ531HaQ93bEUsvbSWWA==\n"
                              "-----END PRIVATE KEY-----\n";

#define ACCESS_KEY "AKIDEXAMPLE"
#define SECRET_KEY "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define NOW_MS 1440938160000LL /* 2015-08-30T12:36:00Z */

static const char *lookup(void *ctx, const char *access_key, const void **credential)
{
    (void)ctx;
    *credential = NULL;
    return strcmp(access_key, ACCESS_KEY) == 0 ? SECRET_KEY : NULL;
}

/* Cuts s at the next '\n' and returns what follows it (NULL at the end). */
static char *next_line(char *s)
{
    char *nl = s ? strchr(s, '\n') : NULL;
    if (!nl)
        return NULL;
    *nl = '\0';
    return nl + 1;
}

static void fuzz_sigv4(char *text, size_t len)
{
    gh_arena *a = gh_arena_new(4096);
    gh_headers headers = {0};
    char *auth = text, *query = next_line(auth), *path = next_line(query);
    char *line = next_line(path), *body = NULL;
    while (line) {
        char *rest = next_line(line);
        if (!*line) {
            body = rest;
            break;
        }
        char *colon = strchr(line, ':');
        if (colon) {
            *colon = '\0';
            gh_headers_add(a, &headers, line, colon + 1 + (colon[1] == ' '));
        }
        line = rest;
    }
    if (*auth)
        gh_headers_add(a, &headers, "Authorization", auth);
    gh_sigv4_request req = {
        "GET", path ? path : "/", query, &headers, body, body ? len - (size_t)(body - text) : 0};
    gh_sigv4_expect expect = {"us-east-1", "execute-api", 300};
    gh_sigv4_result r;
    gh_sigv4_status st = gh_sigv4_verify(a, &req, &expect, lookup, NULL, NOW_MS, &r);
    if (st != r.status)
        __builtin_trap();
    switch (st) {
    case GH_SIGV4_MALFORMED:
    case GH_SIGV4_SCOPE:
    case GH_SIGV4_EXPIRED:
        if (!r.message || !*r.message)
            __builtin_trap(); /* AWS's words for the failure */
        break;
    case GH_SIGV4_MISMATCH:
    case GH_SIGV4_OK:
        if (!r.canonical_request || !r.string_to_sign || !r.access_key || !r.signed_headers)
            __builtin_trap();
        if (!strstr(gh_sigv4_mismatch_message(a, &r), r.string_to_sign))
            __builtin_trap();
        break;
    case GH_SIGV4_MISSING:
    case GH_SIGV4_UNKNOWN_KEY: break;
    }
    gh_arena_free(a);
}

static void fuzz_jwt(const char *token)
{
    static gh_jwt_key *key;
    if (!key) {
        const char *err = NULL;
        key = gh_jwt_key_from_pem(KEY_PEM, &err);
        if (!key)
            abort(); /* the fixed key must load */
    }
    json_t *h = NULL, *p = NULL;
    int decoded = gh_jwt_decode(token, &h, &p) == 0;
    if (decoded != (h != NULL) || decoded != (p != NULL))
        __builtin_trap(); /* both parts or neither */
    if (decoded && (!json_is_object(h) || !json_is_object(p)))
        __builtin_trap();
    const char *alg = json_string_value(json_object_get(h, "alg"));
    if (gh_jwt_verify_rs256(token, key) && (!decoded || !alg || strcmp(alg, "RS256") != 0))
        __builtin_trap(); /* only an RS256 token of this key verifies */
    json_decref(h);
    json_decref(p);
}

static size_t statement_count(const json_t *doc)
{
    const json_t *st = json_object_get(doc, "Statement");
    return json_is_array(st) ? json_array_size(st) : 1;
}

static void check_result(int rc, const gh_policy_result *r, const gh_policy_error *err, size_t n)
{
    if (rc != 0) {
        if (rc != -1 || !err->message[0])
            __builtin_trap(); /* a malformed document must say why */
        return;
    }
    switch (r->decision) {
    case GH_POLICY_ALLOW:
    case GH_POLICY_EXPLICIT_DENY:
        if (r->statement < 0 || (size_t)r->statement >= n)
            __builtin_trap(); /* the statement that decided exists */
        break;
    case GH_POLICY_IMPLICIT_DENY:
        if (r->statement != -1)
            __builtin_trap();
        break;
    default: __builtin_trap();
    }
}

static void fuzz_policy(char *text, size_t len)
{
    inv_fixture f;
    inv_fixture_init(&f);
    if (*text != '{') {
        char *json = next_line(text);
        if (json) {
            f.req.source_ip = text;
            len -= (size_t)(json - text);
            text = json;
        }
    }
    json_t *doc = json_loadb(text, len, 0, NULL);
    if (doc) {
        const char *arn =
            "arn:aws:execute-api:eu-west-1:111122223333:k3x9q2w7ab/prod/GET/orders/42";
        gh_policy_result r;
        gh_policy_error err;
        err.message[0] = '\0';
        size_t n = statement_count(doc);
        int plain = gh_policy_evaluate(doc, "execute-api:Invoke", arn, &r, &err);
        check_result(plain, &r, &err, n);
        err.message[0] = '\0';
        int checked = gh_resource_policy_check(doc, &err);
        if (checked < -1 || checked > 1 || (checked != 0 && !err.message[0]))
            __builtin_trap();
        static const char *const callers[] = {
            NULL,
            "arn:aws:iam::111122223333:user/division/alice",
            "arn:aws:sts::444455556666:assumed-role/Admin/session-1",
        };
        for (size_t i = 0; i < sizeof callers / sizeof *callers; i++) {
            err.message[0] = '\0';
            int rc = gh_resource_policy_evaluate(&f.inv, doc, callers[i], &r, &err);
            check_result(rc, &r, &err, n);
            if (checked >= 0 && (rc != 0 || plain != 0))
                __builtin_trap(); /* what the loader accepts evaluates, with or without hooks */
        }
        json_decref(doc);
    }
    inv_fixture_free(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gh_log_set_level(GH_LOG_ERROR); /* fail-closed warnings are expected here */
    if (size < 1)
        return 0;
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    switch (data[0] % 3) {
    case 0: fuzz_sigv4(text, size - 1); break;
    case 1: fuzz_jwt(text); break;
    case 2: fuzz_policy(text, size - 1); break;
    }
    free(text);
    return 0;
}

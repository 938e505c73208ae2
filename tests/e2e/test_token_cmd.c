/* End to end: `gatehouse token` (docs/cli.md) on a definition declaring a user pool in
 * x-gatehouse.userPools. The pool's key is generated beside the definition (0600) and
 * kept; ID and access tokens carry Cognito's claims and the key's kid; --jwks lists that
 * kid; unknown pools and users are listed (exit 1); bad flag combinations exit 2. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "e2e.h"

#define POOL "us-east-1_AbC123"

static const char def_text[] =
    "openapi: 3.0.1\n"
    "info: {title: tokens, version: '1'}\n"
    "x-gatehouse:\n"
    "  userPools:\n"
    "    " POOL ":\n"
    "      clientId: 1example23456789\n"
    "      users:\n"
    "        alice:\n"
    "          attributes: {email: alice@example.com, email_verified: 'true'}\n"
    "          groups: [admin, users]\n"
    "        bob: {}\n"
    "paths: {}\n";

static char dir[64], def[128], key[128];

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/gh_token_XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(def, sizeof def, "%s/api.yaml", dir);
    snprintf(key, sizeof key, "%s/" POOL ".pem", dir);
    FILE *f = fopen(def, "w");
    assert_non_null(f);
    fputs(def_text, f);
    fclose(f);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(def);
    unlink(key);
    rmdir(dir);
    return 0;
}

typedef struct {
    char *out, *err;
    int code;
} result;

static void run(const char *const argv[], result *r)
{
    assert_int_equal(e2e_run(argv, &r->out, &r->err, &r->code), 0);
    if (e2e_has_sanitizer_report(r->err))
        fprintf(stderr, "%s\n", r->err);
    assert_false(e2e_has_sanitizer_report(r->err));
}

static void result_free(result *r)
{
    free(r->out);
    free(r->err);
}

/* base64url without padding -> bytes (test-side reading of a JWT segment). */
static char *b64url_decode(const char *s, size_t n)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char *out = calloc(n, 1), *w = out;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        const char *p = strchr(alphabet, s[i]);
        assert_non_null(p);
        acc = (acc << 6) | (unsigned)(p - alphabet);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            *w++ = (char)((acc >> bits) & 0xff);
        }
    }
    return out;
}

/* The token's header and payload as JSON; the token is one line, three segments. */
static void decode(const char *out, json_t **header, json_t **payload)
{
    size_t len = strlen(out);
    assert_true(len > 2 && out[len - 1] == '\n');
    const char *d1 = strchr(out, '.'), *d2 = strrchr(out, '.');
    assert_non_null(d1);
    assert_true(d2 > d1);
    assert_null(memchr(d1 + 1, '.', (size_t)(d2 - d1 - 1)));
    char *h = b64url_decode(out, (size_t)(d1 - out));
    char *p = b64url_decode(d1 + 1, (size_t)(d2 - d1 - 1));
    *header = json_loads(h, 0, NULL);
    *payload = json_loads(p, 0, NULL);
    assert_non_null(*header);
    assert_non_null(*payload);
    free(h);
    free(p);
}

static void id_and_access_tokens(void **state)
{
    (void)state;
    const char *const id_argv[] = {"token", def,       "--pool",        POOL, "--user",
                                   "alice", "--clock", "1700000000000", NULL};
    result r;
    run(id_argv, &r);
    if (r.code != 0)
        fail_msg("exit %d: %s", r.code, r.err);
    struct stat st;
    assert_int_equal(stat(key, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    json_t *h, *p;
    decode(r.out, &h, &p);
    assert_string_equal(json_string_value(json_object_get(h, "alg")), "RS256");
    char kid[128];
    snprintf(kid, sizeof kid, "%s", json_string_value(json_object_get(h, "kid")));
    assert_string_equal(e2e_json_str(p, "iss"),
                        "https://cognito-idp.us-east-1.amazonaws.com/" POOL);
    assert_string_equal(e2e_json_str(p, "aud"), "1example23456789");
    assert_string_equal(e2e_json_str(p, "token_use"), "id");
    assert_string_equal(e2e_json_str(p, "cognito:username"), "alice");
    assert_string_equal(e2e_json_str(p, "cognito:groups.1"), "users");
    assert_true(json_is_true(json_object_get(p, "email_verified")));
    assert_int_equal(json_integer_value(json_object_get(p, "iat")), 1700000000);
    assert_int_equal(json_integer_value(json_object_get(p, "exp")), 1700003600);
    char sub[64];
    snprintf(sub, sizeof sub, "%s", e2e_json_str(p, "sub"));
    json_decref(h);
    json_decref(p);
    result_free(&r);

    const char *const acc_argv[] = {"token",        def,        "--pool",  POOL,          "--user",
                                    "alice",        "--access", "--scope", "orders/read", "--scope",
                                    "orders/write", "--ttl",    "60",      NULL};
    run(acc_argv, &r);
    assert_int_equal(r.code, 0);
    decode(r.out, &h, &p);
    assert_string_equal(json_string_value(json_object_get(h, "kid")), kid); /* key kept */
    assert_string_equal(e2e_json_str(p, "sub"), sub);                       /* sub stable */
    assert_string_equal(e2e_json_str(p, "token_use"), "access");
    assert_string_equal(e2e_json_str(p, "client_id"), "1example23456789");
    assert_string_equal(e2e_json_str(p, "scope"), "orders/read orders/write");
    assert_string_equal(e2e_json_str(p, "username"), "alice");
    assert_int_equal(json_integer_value(json_object_get(p, "exp")) -
                         json_integer_value(json_object_get(p, "iat")),
                     60);
    json_decref(h);
    json_decref(p);
    result_free(&r);

    const char *const jwks_argv[] = {"token", def, "--pool", POOL, "--jwks", NULL};
    run(jwks_argv, &r);
    assert_int_equal(r.code, 0);
    json_t *set = json_loads(r.out, 0, NULL);
    assert_non_null(set);
    assert_string_equal(e2e_json_str(set, "keys.0.kid"), kid);
    assert_string_equal(e2e_json_str(set, "keys.0.kty"), "RSA");
    assert_string_equal(e2e_json_str(set, "keys.0.alg"), "RS256");
    assert_string_equal(e2e_json_str(set, "keys.0.e"), "AQAB");
    assert_null(e2e_json_at(set, "keys.0.d")); /* never the private part */
    json_decref(set);
    result_free(&r);
}

static void errors(void **state)
{
    (void)state;
    static const struct {
        const char *argv[10];
        int code;
        const char *err; /* substring of stderr */
    } cases[] = {
        {{"token", NULL, "--pool", "us-east-1_Nope", "--user", "alice"},
         1,
         "no user pool 'us-east-1_Nope'; the definitions declare: " POOL},
        {{"token", NULL, "--pool", POOL, "--user", "zed"},
         1,
         "user pool " POOL " has no user 'zed'; its users: alice, bob"},
        {{"token", NULL, "--user", "alice"}, 2, "name the user pool: --pool ID"},
        {{"token", NULL, "--pool", POOL}, 2, "name the user: --user NAME"},
        {{"token", NULL, "--pool", POOL, "--user", "alice", "--scope", "a"},
         2,
         "--scope goes in access tokens: add --access"},
        {{"token", NULL, "--pool", POOL, "--jwks", "--user", "alice"}, 2, "--jwks prints"},
        {{"token", NULL, "--pool", POOL, "--user", "alice", "--ttl", "0"},
         2,
         "--ttl needs seconds from 1 to 86400"},
        {{"token", NULL, "--pool", POOL, "--user", "alice", "--port", "1"},
         2,
         "--port does not apply to this command"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *argv[10];
        memcpy(argv, cases[i].argv, sizeof argv);
        argv[1] = def;
        result r;
        run(argv, &r);
        if (r.code != cases[i].code || !strstr(r.err, cases[i].err))
            fail_msg("case %zu: exit %d, stderr: %s", i, r.code, r.err);
        assert_string_equal(r.out, "");
        result_free(&r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(id_and_access_tokens),
        cmocka_unit_test(errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

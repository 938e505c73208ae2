/* auth/lambda_authorizer: Lua TOKEN and REQUEST authorizers in a real script pool,
 * deciding as API Gateway does (aws-api-gateway.md §4): one row per result or error the
 * function can produce, then the cache (hits, keys, the path-reuse trap, TTL) on the
 * fake clock. The function counts its own calls and returns the count in its context,
 * so a cache hit shows as an unchanged count. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "auth/identity.h"
#include "auth/lambda_authorizer.h"
#include "inv_fixture.h"
#include "script/pool.h"
#include "util/clock.h"

#define ARN "arn:aws:execute-api:eu-west-1:111122223333:k3x9q2w7ab/prod/GET/orders/42"

/* Switches on the token; REQUEST events (no token) are allowed on every method. */
static const char tok_src[] =
    "local calls = 0\n"
    "local function policy(effect, resource)\n"
    "  return {Version = '2012-10-17', Statement = {{Action = 'execute-api:Invoke',\n"
    "          Effect = effect, Resource = resource}}}\n"
    "end\n"
    "return function(event, context)\n"
    "  calls = calls + 1\n"
    "  local t = event.authorizationToken\n"
    "  if event.type == 'REQUEST' then\n"
    "    return {principalId = 'req', policyDocument = policy('Allow', 'arn:aws:execute-api:*'),\n"
    "            context = {calls = calls, hasAuthorizer = "
    "tostring(event.requestContext.authorizer ~= nil),\n"
    "                       tenant = event.headers['x-tenant']}}\n"
    "  elseif t == 'allow' then\n"
    "    return {principalId = 'user-17', policyDocument = policy('Allow', event.methodArn),\n"
    "            context = {tier = 'gold', quota = 5, beta = true, off = false, ratio = 1.5,\n"
    "                       calls = calls, fn = context.functionName, neg = -42,\n"
    "                       big = math.mininteger, tenth = 0.1},\n"
    "            usageIdentifierKey = 'key-123'}\n"
    "  elseif t == 'wild' then\n"
    "    return {principalId = 'w', policyDocument = policy('Allow',\n"
    "            'arn:aws:execute-api:eu-west-1:111122223333:k3x9q2w7ab/prod/*'), context = {calls "
    "= calls}}\n"
    "  elseif t == 'deny' then return {principalId = 'd', policyDocument = policy('Deny', '*')}\n"
    "  elseif t == 'other' then return {principalId = 'o', policyDocument = policy('Allow',\n"
    "            'arn:aws:execute-api:eu-west-1:111122223333:k3x9q2w7ab/prod/POST/*')}\n"
    "  elseif t == 'nopid' then return {policyDocument = policy('Allow', '*')}\n"
    "  elseif t == 'numpid' then return {principalId = 42, policyDocument = policy('Allow', '*')}\n"
    "  elseif t == 'unauth0' then error('Unauthorized', 0)\n"
    "  elseif t == 'unauth' then error('Unauthorized')\n"
    "  elseif t == 'unauthtable' then error({errorMessage = 'Unauthorized'})\n"
    "  elseif t == 'unauthlower' then error('unauthorized', 0)\n"
    "  elseif t == 'unauthmore' then error('Unauthorized: expired', 0)\n"
    "  elseif t == 'boom' then error('database down')\n"
    "  elseif t == 'nil' then return nil\n"
    "  elseif t == 'string' then return 'Allow'\n"
    "  elseif t == 'nopolicy' then return {principalId = 'x'}\n"
    "  elseif t == 'policystr' then return {principalId = 'x', policyDocument = 'Allow'}\n"
    "  elseif t == 'nested' then return {principalId = 'x', policyDocument = policy('Allow', "
    "'*'),\n"
    "            context = {a = {b = 1}}}\n"
    "  elseif t == 'array' then return {principalId = 'x', policyDocument = policy('Allow', '*'),\n"
    "            context = {a = {1, 2}}}\n"
    "  elseif t == 'badeffect' then return {principalId = 'x', policyDocument = policy('Maybe', "
    "'*')}\n"
    "  end\n"
    "  error('unexpected token ' .. tostring(t))\n"
    "end\n";

static const char spin_src[] = "return function(event) while true do end end\n";

static gh_script_pool *pool;
static gh_function functions[2]; /* sorted by name */

static int setup(void **state)
{
    (void)state;
    gh_arena *a = gh_arena_new(4096);
    gh_model *m = gh_arena_calloc(a, sizeof *m);
    m->arena = a;
    m->scripts = gh_arena_calloc(a, 2 * sizeof *m->scripts);
    m->nscripts = 2;
    const char *src[2] = {spin_src, tok_src}, *names[2] = {"spin", "tok"};
    for (int i = 0; i < 2; i++) {
        m->scripts[i] = (gh_script){.path = names[i],
                                    .chunkname = gh_arena_printf(a, "@auth/%s.lua", names[i]),
                                    .source = src[i],
                                    .len = strlen(src[i])};
        functions[i] = (gh_function){.name = names[i],
                                     .handler = names[i],
                                     .script = i,
                                     .timeout_ms = i == 0 ? 60 : 3000,
                                     .memory_mb = 128};
    }
    m->apis = gh_arena_calloc(a, sizeof *m->apis);
    m->napis = 1;
    m->apis[0].dir = ".";
    gh_diags d = GH_DIAGS_INIT;
    pool = gh_script_pool_new(m, 1, &d);
    gh_diags_free(&d);
    gh_arena_free(a);
    return pool ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    gh_script_pool_free(pool);
    gh_clock_fake(-1);
    return 0;
}

typedef struct fx {
    inv_fixture f;
    gh_authorizer az;
    gh_idsrcs ids;
    gh_auth_outcome out;
} fx;

/* GET /prod/orders/42 behind authorizer `name` of `kind` calling `fn`. */
static void fx_init(fx *x, gh_authz_kind kind, const char *fn, const char *source, int ttl)
{
    memset(x, 0, sizeof *x);
    inv_fixture_init(&x->f);
    x->f.api.functions = functions;
    x->f.api.nfunctions = 2;
    x->f.inv.scripts = pool;
    const char *err = NULL;
    if (gh_identity_parse(x->f.arena, source, kind == GH_AUTHZ_TOKEN, &x->ids, &err) != 0)
        fail_msg("identity source %s: %s", source, err);
    x->az = (gh_authorizer){.name = "auth",
                            .kind = kind,
                            .function = fn,
                            .identity_source = source,
                            .identity = &x->ids,
                            .ttl_seconds = ttl};
    x->f.method.authorizer = &x->az;
}

static void set_token(fx *x, const char *token)
{
    gh_headers_set(x->f.arena, &x->f.req.headers, "Authorization", token);
}

static const char *member(const gh_value *o, const char *key)
{
    const gh_value *v = o ? gh_value_get(o, key) : NULL;
    return v && v->kind == GH_VALUE_STRING ? v->u.str.s : NULL;
}

#define ALLOW GH_AUTH_ALLOW
#define XDENY GH_AUTH_DENY_EXPLICIT
#define IDENY GH_AUTH_DENY_IMPLICIT
#define FAIL GH_AUTH_FAIL
#define NONE GH_GW__COUNT /* fail_type not checked */

/* One row per thing the function can do (reference §4.4, docs/aws-compatibility.md). */
static const struct row {
    const char *token;
    gh_auth_verdict verdict;
    gh_gw_type fail;
    const char *message;   /* expected fail_message (NULL: the type's default) */
    const char *principal; /* ALLOW: requestContext.authorizer.principalId */
} rows[] = {
    {"allow", ALLOW, NONE, NULL, "user-17"},
    {"deny", XDENY, GH_GW_ACCESS_DENIED,
     "User is not authorized to access this resource with an explicit deny", NULL},
    {"other", IDENY, GH_GW_ACCESS_DENIED, NULL, NULL},
    {"nopid", ALLOW, NONE, NULL, NULL},
    {"numpid", ALLOW, NONE, NULL, "42"},
    {"unauth0", FAIL, GH_GW_UNAUTHORIZED, NULL, NULL},
    {"unauth", FAIL, GH_GW_UNAUTHORIZED, NULL, NULL},      /* "auth/tok.lua:N: " stripped */
    {"unauthtable", FAIL, GH_GW_UNAUTHORIZED, NULL, NULL}, /* Lambda's error shape */
    {"unauthlower", FAIL, GH_GW_AUTHORIZER_CONFIGURATION_ERROR, NULL, NULL}, /* exact text */
    {"unauthmore", FAIL, GH_GW_AUTHORIZER_CONFIGURATION_ERROR, NULL, NULL},
    {"boom", FAIL, GH_GW_AUTHORIZER_CONFIGURATION_ERROR, NULL, NULL},
    {"nil", FAIL, GH_GW_AUTHORIZER_CONFIGURATION_ERROR, NULL, NULL},
    {"string", FAIL, GH_GW_AUTHORIZER_CONFIGURATION_ERROR, NULL, NULL},
    {"nopolicy", FAIL, GH_GW_AUTHORIZER_CONFIGURATION_ERROR, NULL, NULL},
    {"policystr", FAIL, GH_GW_AUTHORIZER_CONFIGURATION_ERROR, NULL, NULL},
    {"nested", FAIL, GH_GW_AUTHORIZER_CONFIGURATION_ERROR, NULL, NULL},
    {"array", FAIL, GH_GW_AUTHORIZER_CONFIGURATION_ERROR, NULL, NULL},
    {"badeffect", FAIL, GH_GW_AUTHORIZER_CONFIGURATION_ERROR, NULL, NULL},
};

static void results_and_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        const struct row *r = &rows[i];
        fx x;
        fx_init(&x, GH_AUTHZ_TOKEN, "tok", "method.request.header.Authorization", 0);
        set_token(&x, r->token);
        gh_lambda_authorize(&x.f.inv, &x.az, NULL, &x.out);
        if (x.out.verdict != r->verdict)
            fail_msg("row %s: verdict %d, expected %d (%s)", r->token, x.out.verdict, r->verdict,
                     x.out.log ? x.out.log : "");
        if (r->fail != NONE && x.out.fail_type != r->fail)
            fail_msg("row %s: %s, expected %s", r->token, gh_gw_type_name(x.out.fail_type),
                     gh_gw_type_name(r->fail));
        if (r->message)
            assert_string_equal(x.out.fail_message, r->message);
        else if (r->verdict != ALLOW)
            assert_null(x.out.fail_message);
        assert_non_null(x.out.log); /* every decision says how it was reached */
        /* A valid result (allow or deny) carries the principal; failures carry none. */
        if (r->verdict != FAIL) {
            assert_non_null(x.out.authorizer);
            if (r->principal)
                assert_string_equal(member(x.out.authorizer, "principalId"), r->principal);
            else if (r->verdict == ALLOW)
                assert_int_equal(gh_value_get(x.out.authorizer, "principalId")->kind,
                                 GH_VALUE_NULL);
        } else {
            assert_null(x.out.authorizer);
        }
        inv_fixture_free(&x.f);
    }
}

/* Context values reach the integration as strings (1 -> "1", true -> "true"), after
 * principalId and before integrationLatency, a number. */
static void context_is_stringified(void **state)
{
    (void)state;
    fx x;
    fx_init(&x, GH_AUTHZ_TOKEN, "tok", "method.request.header.Authorization", 0);
    set_token(&x, "allow");
    gh_lambda_authorize(&x.f.inv, &x.az, NULL, &x.out);
    assert_int_equal(x.out.verdict, GH_AUTH_ALLOW);
    const gh_value *az = x.out.authorizer;
    static const struct {
        const char *key, *want;
    } kv[] = {
        {"principalId", "user-17"}, {"tier", "gold"}, {"quota", "5"}, {"beta", "true"},
        {"off", "false"},           {"ratio", "1.5"}, {"fn", "tok"},
        {"neg", "-42"},             {"big", "-9223372036854775808"}, {"tenth", "0.1"},
    };
    for (size_t i = 0; i < sizeof kv / sizeof *kv; i++) {
        const char *got = member(az, kv[i].key);
        if (!got || strcmp(got, kv[i].want) != 0)
            fail_msg("%s: got %s, expected %s", kv[i].key, got ? got : "(none)", kv[i].want);
    }
    assert_string_equal(az->u.obj.members[0].key, "principalId");
    const gh_value *lat = &*az->u.obj.members[az->u.obj.n - 1].value;
    assert_string_equal(az->u.obj.members[az->u.obj.n - 1].key, "integrationLatency");
    assert_int_equal(lat->kind, GH_VALUE_INT);
    assert_true(lat->u.i >= 0);
    assert_string_equal(x.out.usage_identifier_key, "key-123");
    inv_fixture_free(&x.f);
}

/* Missing or empty token, or one the validation expression refuses: 401 without a call
 * (the call count in a later allow shows whether the function ran). */
static void identity_checks_before_the_call(void **state)
{
    (void)state;
    static const struct {
        const char *token; /* NULL: header absent */
        const char *expr;
        gh_gw_type want;
    } cases[] = {
        {NULL, NULL, GH_GW_UNAUTHORIZED},
        {"", NULL, GH_GW_UNAUTHORIZED},
        {"boom", "^allow$", GH_GW_UNAUTHORIZED},              /* would be a 500 if called */
        {"boom", "allo", GH_GW_UNAUTHORIZED},                 /* whole-token match, as Java */
        {"boom", NULL, GH_GW_AUTHORIZER_CONFIGURATION_ERROR}, /* no expression: called */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        fx x;
        fx_init(&x, GH_AUTHZ_TOKEN, "tok", "method.request.header.Authorization", 300);
        x.az.validation_expression = cases[i].expr;
        if (cases[i].token)
            set_token(&x, cases[i].token);
        gh_lambda_authorize(&x.f.inv, &x.az, NULL, &x.out);
        assert_int_equal(x.out.verdict, GH_AUTH_FAIL);
        if (x.out.fail_type != cases[i].want)
            fail_msg("case %zu: %s", i, gh_gw_type_name(x.out.fail_type));
        inv_fixture_free(&x.f);
    }
}

/* A function that runs past its timeout, and one that does not exist. */
static void timeout_and_missing_function(void **state)
{
    (void)state;
    gh_clock_fake(-1); /* the timeout needs the real monotonic clock */
    fx x;
    fx_init(&x, GH_AUTHZ_TOKEN, "spin", "method.request.header.Authorization", 0);
    set_token(&x, "allow");
    gh_lambda_authorize(&x.f.inv, &x.az, NULL, &x.out);
    assert_int_equal(x.out.verdict, GH_AUTH_FAIL);
    assert_int_equal(x.out.fail_type, GH_GW_AUTHORIZER_CONFIGURATION_ERROR);
    assert_non_null(strstr(x.out.log, "timed out"));
    inv_fixture_free(&x.f);

    fx_init(&x, GH_AUTHZ_TOKEN, "nope", "method.request.header.Authorization", 0);
    set_token(&x, "allow");
    gh_lambda_authorize(&x.f.inv, &x.az, NULL, &x.out);
    assert_int_equal(x.out.fail_type, GH_GW_AUTHORIZER_CONFIGURATION_ERROR);
    assert_non_null(strstr(x.out.log, "'nope' does not exist"));
    inv_fixture_free(&x.f);

    /* The name may come from a stage variable, as an integration's does. */
    fx_init(&x, GH_AUTHZ_TOKEN,
            "arn:aws:lambda:eu-west-1:111122223333:function:${stageVariables.backend}",
            "method.request.header.Authorization", 0);
    gh_kv vars[1] = {{.key = "backend", .value = "tok"}};
    x.f.stage.variables = (gh_kvs){vars, 1};
    set_token(&x, "allow");
    gh_lambda_authorize(&x.f.inv, &x.az, NULL, &x.out);
    assert_int_equal(x.out.verdict, GH_AUTH_ALLOW);
    inv_fixture_free(&x.f);
}

/* Runs the TOKEN authorizer for `token` on `path` (GET) and returns the call count the
 * function put in its context ("" when it denied or failed). */
static const char *call_on(gh_auth_cache *c, fx *x, const char *token, const char *path, int ttl)
{
    inv_fixture_free(&x->f);
    fx_init(x, GH_AUTHZ_TOKEN, "tok", "method.request.header.Authorization", ttl);
    set_token(x, token);
    x->f.inv.path = path;
    gh_lambda_authorize(&x->f.inv, &x->az, c, &x->out);
    const char *calls = x->out.verdict == GH_AUTH_ALLOW ? member(x->out.authorizer, "calls") : NULL;
    return calls ? calls : "";
}

static int64_t latency(const fx *x)
{
    return gh_value_get(x->out.authorizer, "integrationLatency")->u.i;
}

/* A hit avoids the call; the cached policy is evaluated again for each method ARN, so an
 * Allow naming one path denies another path until the TTL ends (reference §4.5). */
static void cache_hits_and_the_path_reuse_trap(void **state)
{
    (void)state;
    gh_clock_fake(1781013791000LL);
    gh_auth_cache *c = gh_auth_cache_new(0);
    fx x;
    fx_init(&x, GH_AUTHZ_TOKEN, "tok", "method.request.header.Authorization", 300);
    int base = atoi(call_on(c, &x, "allow", "/orders/42", 300));
    assert_true(base > 0);
    assert_int_equal(atoi(call_on(c, &x, "allow", "/orders/42", 300)), base); /* hit */
    assert_int_equal(latency(&x), 0); /* no call, no latency */
    assert_non_null(strstr(x.out.log, "cache hit"));

    /* Same token, another path: the cached policy names only /orders/42. */
    assert_string_equal(call_on(c, &x, "allow", "/orders/43", 300), "");
    assert_int_equal(x.out.verdict, GH_AUTH_DENY_IMPLICIT);
    assert_non_null(strstr(x.out.log, "cache hit"));
    gh_clock_advance(299999);
    call_on(c, &x, "allow", "/orders/43", 300);
    assert_int_equal(x.out.verdict, GH_AUTH_DENY_IMPLICIT); /* still cached */
    gh_clock_advance(1);
    /* TTL over: called again, with this request's ARN. */
    assert_int_equal(atoi(call_on(c, &x, "allow", "/orders/43", 300)), base + 1);
    assert_non_null(strstr(x.out.log, "cache miss"));

    /* Another token is another key; a denying result is cached too. */
    int w = atoi(call_on(c, &x, "wild", "/orders/1", 300));
    assert_int_equal(atoi(call_on(c, &x, "wild", "/orders/2", 300)), w);
    call_on(c, &x, "deny", "/orders/1", 300);
    assert_int_equal(x.out.verdict, GH_AUTH_DENY_EXPLICIT);
    size_t n = gh_auth_cache_count(c);
    call_on(c, &x, "deny", "/orders/1", 300);
    assert_int_equal(gh_auth_cache_count(c), n);
    assert_non_null(strstr(x.out.log, "cache hit"));

    /* Failures are not cached: a raise is a raise every time. */
    call_on(c, &x, "nested", "/orders/1", 300);
    call_on(c, &x, "boom", "/orders/1", 300);
    assert_int_equal(gh_auth_cache_count(c), n);

    /* TTL 0 and no cache at all: called every time. */
    int t0 = atoi(call_on(c, &x, "wild", "/orders/1", 0));
    assert_int_equal(atoi(call_on(c, &x, "wild", "/orders/1", 0)), t0 + 1);
    assert_int_equal(atoi(call_on(NULL, &x, "wild", "/orders/1", 300)), t0 + 2);
    assert_int_equal(atoi(call_on(NULL, &x, "wild", "/orders/1", 300)), t0 + 3);

    /* Each stage is its own deployment with its own cache. */
    int before = atoi(call_on(c, &x, "allow", "/orders/43", 300));
    assert_non_null(strstr(x.out.log, "cache hit"));
    inv_fixture_free(&x.f);
    fx_init(&x, GH_AUTHZ_TOKEN, "tok", "method.request.header.Authorization", 300);
    set_token(&x, "allow");
    x.f.stage.name = "beta";
    x.f.inv.path = "/orders/43";
    gh_lambda_authorize(&x.f.inv, &x.az, c, &x.out);
    assert_int_equal(x.out.verdict, GH_AUTH_ALLOW);
    assert_non_null(strstr(x.out.log, "cache miss"));
    assert_true(atoi(member(x.out.authorizer, "calls")) > before);
    inv_fixture_free(&x.f);
    gh_auth_cache_free(c);
    gh_clock_fake(-1);
}

#define REQ_SOURCES                                                                                \
    "method.request.header.x-tenant, method.request.querystring.expand, "                          \
    "stageVariables.backend, context.httpMethod"

/* REQUEST: every identity source is part of the key; a missing one is 401 without a
 * call when caching, and no obstacle with TTL 0. Its event carries no authorizer. */
static void request_authorizer(void **state)
{
    (void)state;
    gh_clock_fake(1781013791000LL);
    gh_auth_cache *c = gh_auth_cache_new(0);
    static const struct {
        const char *query; /* NULL: drop the x-tenant header instead */
        int ttl;
        int call_delta; /* calls since the first request; -1: 401 */
    } steps[] = {
        {"expand=items", 300, 0},     /* first: a call */
        {"expand=items", 300, 0},     /* same sources: hit */
        {"expand=other", 300, 1},     /* one source differs: a call */
        {"expand=items&x=1", 300, 0}, /* an unrelated parameter: the first result */
        {"x=1", 300, -1},             /* a source missing: 401, not called */
        {NULL, 300, -1},
        {"x=1", 0, 2}, /* TTL 0: called anyway */
    };
    int first = 0;
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
        fx x;
        fx_init(&x, GH_AUTHZ_REQUEST, "tok", REQ_SOURCES, steps[i].ttl);
        if (steps[i].query)
            x.f.req.query = steps[i].query;
        else
            gh_headers_remove(&x.f.req.headers, "x-tenant");
        gh_lambda_authorize(&x.f.inv, &x.az, c, &x.out);
        if (steps[i].call_delta < 0) {
            assert_int_equal(x.out.verdict, GH_AUTH_FAIL);
            assert_int_equal(x.out.fail_type, GH_GW_UNAUTHORIZED);
        } else {
            if (x.out.verdict != GH_AUTH_ALLOW)
                fail_msg("step %zu: %s", i, x.out.log);
            int calls = atoi(member(x.out.authorizer, "calls"));
            if (i == 0)
                first = calls;
            if (calls != first + steps[i].call_delta)
                fail_msg("step %zu: %d calls, expected %d", i, calls, first + steps[i].call_delta);
            assert_string_equal(member(x.out.authorizer, "hasAuthorizer"), "false");
        }
        inv_fixture_free(&x.f);
    }
    gh_auth_cache_free(c);
    gh_clock_fake(-1);
}

/* A broken authorizer (reported at load) is AWS's configuration error. */
static void broken_authorizer(void **state)
{
    (void)state;
    fx x;
    fx_init(&x, GH_AUTHZ_TOKEN, "tok", "method.request.header.Authorization", 0);
    x.az.broken = "unknown function";
    set_token(&x, "allow");
    gh_lambda_authorize(&x.f.inv, &x.az, NULL, &x.out);
    assert_int_equal(x.out.verdict, GH_AUTH_FAIL);
    assert_int_equal(x.out.fail_type, GH_GW_AUTHORIZER_CONFIGURATION_ERROR);
    inv_fixture_free(&x.f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(results_and_errors),
        cmocka_unit_test(context_is_stringified),
        cmocka_unit_test(identity_checks_before_the_call),
        cmocka_unit_test(timeout_and_missing_function),
        cmocka_unit_test(cache_hits_and_the_path_reuse_trap),
        cmocka_unit_test(request_authorizer),
        cmocka_unit_test(broken_authorizer),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

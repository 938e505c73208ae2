/* auth/authorize (the authorization phase) and what the integration sees afterwards:
 * requestContext.authorizer in the proxy event, $context.authorizer.* and
 * $context.identity.* (gh_context_get, templates, keySet), context.authorizer.* in
 * parameter mappings. The Lambda authorizer runs a real Lua function. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "auth/authorize.h"
#include "auth/event.h"
#include "auth/identity.h"
#include "integration/context.h"
#include "integration/proxy_event.h"
#include "inv_fixture.h"
#include "script/pool.h"
#include "template/mapping.h"
#include "template/vtl.h"

static const char auth_src[] =
    "local function policy(effect, resource)\n"
    "  return {Version = '2012-10-17', Statement = {{Action = 'execute-api:Invoke',\n"
    "          Effect = effect, Resource = resource}}}\n"
    "end\n"
    "return function(event)\n"
    "  local t = event.authorizationToken\n"
    "  if t == 'deny' then return {principalId = 'd', policyDocument = policy('Deny', '*')} end\n"
    "  if t == 'other' then return {principalId = 'o', policyDocument = policy('Allow', 'x')} end\n"
    "  return {principalId = 'user-17', policyDocument = policy('Allow', event.methodArn),\n"
    "          context = {tier = 'gold', quota = 5}, usageIdentifierKey = 'key-1'}\n"
    "end\n";

static gh_script_pool *pool;
static gh_function fn = {.name = "auth", .handler = "auth", .script = 0, .timeout_ms = 3000};

static int setup(void **state)
{
    (void)state;
    gh_arena *a = gh_arena_new(4096);
    gh_model *m = gh_arena_calloc(a, sizeof *m);
    m->arena = a;
    m->scripts = gh_arena_calloc(a, sizeof *m->scripts);
    m->nscripts = 1;
    m->scripts[0] = (gh_script){
        .path = "auth.lua", .chunkname = "@auth.lua", .source = auth_src, .len = strlen(auth_src)};
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
    return 0;
}

typedef struct fx {
    inv_fixture f;
    gh_authorizer az;
    gh_idsrcs ids;
} fx;

/* The fixture's GET /prod/orders/42 behind a TOKEN authorizer, token `token`. */
static void fx_init(fx *x, const char *token)
{
    memset(x, 0, sizeof *x);
    inv_fixture_init(&x->f);
    x->f.api.functions = &fn;
    x->f.api.nfunctions = 1;
    x->f.inv.scripts = pool;
    const char *err;
    assert_int_equal(
        gh_identity_parse(x->f.arena, "method.request.header.Authorization", true, &x->ids, &err),
        0);
    x->az = (gh_authorizer){.name = "tok",
                            .kind = GH_AUTHZ_TOKEN,
                            .function = "auth",
                            .identity = &x->ids,
                            .ttl_seconds = 300};
    x->f.method.authorizer = &x->az;
    if (token)
        gh_headers_add(x->f.arena, &x->f.req.headers, "Authorization", token);
}

/* A method without authorizer, on an API without resource policy: nothing changes. */
static void no_authorization_passes_untouched(void **state)
{
    (void)state;
    inv_fixture f;
    inv_fixture_init(&f);
    assert_int_equal(gh_authorize(&f.inv, NULL), 0);
    assert_null(f.inv.authorizer);
    assert_null(f.inv.log_detail);
    assert_null(f.inv.fail_message);
    /* ... and the proxy event has no authorizer key (the console's recorded event). */
    const gh_value *rc = gh_value_get(gh_proxy_event_v1_value(&f.inv), "requestContext");
    assert_null(gh_value_get(rc, "authorizer"));
    assert_null(gh_context_get(&f.inv, "authorizer.principalId"));
    inv_fixture_free(&f);
}

/* Phase outcomes, one per line: token, return, fail type, message. */
static void phase_outcomes(void **state)
{
    (void)state;
    static const struct {
        const char *token;
        bool broken;
        int rc;
        gh_gw_type type;
        const char *message;
    } cases[] = {
        {"allow", false, 0, 0, NULL},
        {"deny", false, -1, GH_GW_ACCESS_DENIED,
         "User is not authorized to access this resource with an explicit deny"},
        {"other", false, -1, GH_GW_ACCESS_DENIED, NULL}, /* the type's default: implicit */
        {NULL, false, -1, GH_GW_UNAUTHORIZED, NULL},
        {"allow", true, -1, GH_GW_AUTHORIZER_CONFIGURATION_ERROR, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        fx x;
        fx_init(&x, cases[i].token);
        if (cases[i].broken)
            x.az.broken = "authorizerUri names no function";
        int rc = gh_authorize(&x.f.inv, NULL);
        if (rc != cases[i].rc)
            fail_msg("case %zu: rc %d (%s)", i, rc, x.f.inv.log_detail ? x.f.inv.log_detail : "");
        if (rc == 0) {
            assert_non_null(x.f.inv.authorizer);
            assert_string_equal(x.f.inv.usage_identifier_key, "key-1");
        } else {
            assert_int_equal(x.f.inv.fail_type, cases[i].type);
            if (cases[i].message)
                assert_string_equal(x.f.inv.fail_message, cases[i].message);
            else
                assert_null(x.f.inv.fail_message);
            assert_non_null(x.f.inv.log_detail);
            assert_null(x.f.inv.authorizer);
        }
        if (cases[i].broken)
            assert_non_null(strstr(x.f.inv.log_detail, "authorizerUri names no function"));
        inv_fixture_free(&x.f);
    }
}

/* A resource policy's explicit Deny ends a call that no authorizer guards. */
static void resource_policy_explicit_deny(void **state)
{
    (void)state;
    inv_fixture f;
    inv_fixture_init(&f);
    json_t *doc = json_pack("{s:s, s:[{s:s, s:s, s:s, s:s}]}", "Version", "2012-10-17", "Statement",
                            "Effect", "Deny", "Principal", "*", "Action", "execute-api:Invoke",
                            "Resource", "arn:aws:execute-api:eu-west-1:111122223333:k3x9q2w7ab/*");
    f.api.resource_policy = doc;
    assert_int_equal(gh_authorize(&f.inv, NULL), -1);
    assert_int_equal(f.inv.fail_type, GH_GW_ACCESS_DENIED);
    /* AWS names the caller and masks the account (ASFHyP3/hyp3#2283). */
    assert_string_equal(f.inv.fail_message,
                        "User: anonymous is not authorized to perform: execute-api:Invoke on "
                        "resource: arn:aws:execute-api:eu-west-1:********3333:k3x9q2w7ab/prod/GET/"
                        "orders/42 with an explicit deny");
    json_decref(doc);
    inv_fixture_free(&f);
}

/* No statement allows: the same text without the explicit-deny suffix; the test-only VPC
 * header is gone from the request either way. */
static void resource_policy_implicit_deny(void **state)
{
    (void)state;
    inv_fixture f;
    inv_fixture_init(&f);
    json_t *doc = json_pack("{s:s, s:[{s:s, s:s, s:s, s:s}]}", "Version", "2012-10-17", "Statement",
                            "Effect", "Allow", "Principal", "*", "Action", "execute-api:Invoke",
                            "Resource", "arn:aws:execute-api:eu-west-1:111122223333:k3x9q2w7ab/*/POST/*");
    f.api.resource_policy = doc;
    gh_headers_add(f.inv.arena, &f.req.headers, "X-Gatehouse-Source-Vpce", "vpce-1");
    assert_int_equal(gh_authorize(&f.inv, NULL), -1);
    assert_int_equal(f.inv.fail_type, GH_GW_ACCESS_DENIED);
    assert_string_equal(f.inv.fail_message,
                        "User: anonymous is not authorized to perform: execute-api:Invoke on "
                        "resource: arn:aws:execute-api:eu-west-1:********3333:k3x9q2w7ab/prod/GET/"
                        "orders/42");
    assert_null(gh_headers_get(&f.req.headers, "X-Gatehouse-Source-Vpce"));
    json_decref(doc);
    inv_fixture_free(&f);
}

/* Table A of apigateway-authorization-flow, with a Lambda authorizer: its policy allowing
 * nothing plus the resource policy's Allow lets the call in, and the integration sees
 * the authorizer's principal; its explicit Deny wins over that Allow. */
static void resource_policy_allow_and_lambda(void **state)
{
    (void)state;
    static const struct {
        const char *token;
        int rc;
        const char *message;
    } cases[] = {
        {"other", 0, NULL},
        {"deny", -1, "User is not authorized to access this resource with an explicit deny"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        fx x;
        fx_init(&x, cases[i].token);
        json_t *doc = json_pack("{s:s, s:[{s:s, s:s, s:s, s:s}]}", "Version", "2012-10-17",
                                "Statement", "Effect", "Allow", "Principal", "*", "Action",
                                "execute-api:Invoke", "Resource",
                                "arn:aws:execute-api:eu-west-1:111122223333:k3x9q2w7ab/*");
        x.f.api.resource_policy = doc;
        assert_int_equal(gh_authorize(&x.f.inv, NULL), cases[i].rc);
        if (cases[i].rc == 0)
            assert_string_equal(gh_context_get(&x.f.inv, "authorizer.principalId"), "o");
        else
            assert_string_equal(x.f.inv.fail_message, cases[i].message);
        json_decref(doc);
        inv_fixture_free(&x.f);
    }
}

static const char *render(gh_invocation *inv, const char *tmpl)
{
    gh_template t = {.media_type = "application/json", .text = tmpl, .len = strlen(tmpl)};
    gh_vtl_error err;
    t.compiled = gh_vtl_compile(inv->arena, t.text, t.len, &err);
    assert_non_null(t.compiled);
    gh_mapping_out out;
    assert_int_equal(gh_mapping_render(inv, &t, GH_MAPPING_REQUEST, NULL, 0, &out), 0);
    return out.body;
}

/* After an Allow: the proxy event, $context, templates and parameter mappings all read
 * the same authorizer value; the REQUEST event of a later call never carries one. */
static void what_the_integration_sees(void **state)
{
    (void)state;
    fx x;
    fx_init(&x, "allow");
    assert_int_equal(gh_authorize(&x.f.inv, NULL), 0);
    gh_invocation *inv = &x.f.inv;

    json_t *ev = gh_proxy_event_v1(inv);
    json_t *az = json_object_get(json_object_get(ev, "requestContext"), "authorizer");
    assert_non_null(az);
    assert_string_equal(json_string_value(json_object_get(az, "principalId")), "user-17");
    assert_string_equal(json_string_value(json_object_get(az, "tier")), "gold");
    assert_string_equal(json_string_value(json_object_get(az, "quota")), "5");
    assert_true(json_is_integer(json_object_get(az, "integrationLatency")));
    json_decref(ev);

    static const struct {
        const char *name, *want;
    } vars[] = {
        {"authorizer.principalId", "user-17"},
        {"authorizer.tier", "gold"},
        {"authorizer.quota", "5"},
        {"authorizer.missing", NULL},
        {"authorizer.claims", NULL},
        {"authorizer.claims.email", NULL},
    };
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
        const char *got = gh_context_get(inv, vars[i].name);
        if (vars[i].want ? !got || strcmp(got, vars[i].want) != 0 : got != NULL)
            fail_msg("%s: %s", vars[i].name, got ? got : "(null)");
    }
    assert_string_equal(gh_param_source(inv, "context.authorizer.tier"), "gold");
    assert_string_equal(gh_param_source(inv, "context.authorizer.principalId"), "user-17");

    assert_string_equal(render(inv, "$context.authorizer.principalId/$context.authorizer.quota/"
                                    "[$context.authorizer.claims]"),
                        "user-17/5/[]");
    /* Lua tables have no key order, so the context keys' order is not asserted. */
    const char *keys = render(inv, "#foreach($k in $context.authorizer.keySet())$k,#end");
    assert_int_equal(strlen(keys), strlen("principalId,tier,quota,integrationLatency,"));
    assert_int_equal(strncmp(keys, "principalId,", 12), 0);
    assert_non_null(strstr(keys, ",tier,"));
    assert_non_null(strstr(keys, ",quota,"));
    assert_non_null(strstr(keys, ",integrationLatency,"));

    /* A REQUEST authorizer's event is built before anything is decided. */
    const gh_value *prev = inv->authorizer;
    inv->authorizer = NULL;
    json_t *req = gh_auth_event_request(inv);
    assert_null(json_object_get(json_object_get(req, "requestContext"), "authorizer"));
    json_decref(req);
    inv->authorizer = prev;
    inv_fixture_free(&x.f);
}

/* Cognito's claims and IAM's identity, as those authorizers leave them. */
static void claims_and_identity(void **state)
{
    (void)state;
    inv_fixture f;
    inv_fixture_init(&f);
    gh_arena *a = f.arena;
    gh_value *claims = gh_value_object(a, 2);
    gh_value_set(a, claims, "email", gh_value_str(a, "ann@example.com"));
    gh_value_set(a, claims, "cognito:groups", gh_value_str(a, "admins"));
    gh_value *az = gh_value_object(a, 1);
    gh_value_set(a, az, "claims", claims);
    f.inv.authorizer = az;
    f.inv.identity.access_key = "AKIDEXAMPLE";
    f.inv.identity.account_id = "111122223333";
    f.inv.identity.caller = "AIDAEXAMPLE";
    f.inv.identity.user = "AIDAEXAMPLE";
    f.inv.identity.user_arn = "arn:aws:iam::111122223333:user/ann";

    assert_string_equal(gh_context_get(&f.inv, "authorizer.claims.email"), "ann@example.com");
    assert_string_equal(gh_param_source(&f.inv, "context.authorizer.claims.cognito:groups"),
                        "admins");
    assert_null(gh_context_get(&f.inv, "authorizer.claims"));
    assert_string_equal(render(&f.inv,
                               "$context.authorizer.claims.email|"
                               "#foreach($k in $context.authorizer.claims.keySet())$k,#end"),
                        "ann@example.com|email,cognito:groups,");

    static const struct {
        const char *key, *var, *want;
    } ids[] = {
        {"accessKey", "identity.accessKey", "AKIDEXAMPLE"},
        {"accountId", "identity.accountId", "111122223333"},
        {"caller", "identity.caller", "AIDAEXAMPLE"},
        {"user", "identity.user", "AIDAEXAMPLE"},
        {"userArn", "identity.userArn", "arn:aws:iam::111122223333:user/ann"},
    };
    json_t *ev = gh_proxy_event_v1(&f.inv);
    json_t *id = json_object_get(json_object_get(ev, "requestContext"), "identity");
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
        assert_string_equal(gh_context_get(&f.inv, ids[i].var), ids[i].want);
        assert_string_equal(json_string_value(json_object_get(id, ids[i].key)), ids[i].want);
    }
    json_decref(ev);
    assert_string_equal(render(&f.inv, "$context.identity.userArn"),
                        "arn:aws:iam::111122223333:user/ann");
    inv_fixture_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_authorization_passes_untouched),
        cmocka_unit_test(phase_outcomes),
        cmocka_unit_test(resource_policy_explicit_deny),
        cmocka_unit_test(resource_policy_implicit_deny),
        cmocka_unit_test(resource_policy_allow_and_lambda),
        cmocka_unit_test(what_the_integration_sees),
        cmocka_unit_test(claims_and_identity),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

/* Lambda (Lua) authorizers, TOKEN and REQUEST (lambda_authorizer.h): identity checks,
 * the result cache, the call through the script pool, the result's checks, and the
 * policy's verdict for this request's method ARN.
 *
 * What is cached is the function's validated result, never the verdict: AWS keeps the
 * policy and evaluates it again for each request's method ARN, so an Allow naming one
 * path denies the next path until the TTL runs out (reference §4.5). A result that fails
 * the checks is not cached, so a fixed function is called again on the next request. */
#include "auth/lambda_authorizer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/event.h"
#include "auth/identity.h"
#include "auth/policy.h"
#include "integration/lambda_target.h"
#include "util/buf.h"
#include "util/json_text.h"
#include "util/log.h"

/* API Gateway compares the raised message with exactly this text (the blueprints'
 * `raise Exception('Unauthorized')`, Node's `callback("Unauthorized")`). */
#define UNAUTHORIZED_TEXT "Unauthorized"

typedef struct run {
    gh_invocation *inv;
    const gh_authorizer *az;
    gh_auth_outcome *out;
    const char *how; /* "cache hit", "cache miss", "not cached" */
    const gh_value *event; /* the caller's event; NULL: REST's TOKEN/REQUEST event */
    const char *arn;       /* the ARN the policy is evaluated for; NULL: the method's */
} run;

static void fail(run *r, gh_gw_type type, const char *why)
{
    r->out->verdict = GH_AUTH_FAIL;
    r->out->fail_type = type;
    r->out->fail_message = NULL;
    r->out->log = gh_arena_printf(r->inv->arena, "authorizer '%s': %s%s%s", r->az->name,
                                  r->how ? r->how : "", r->how ? ", " : "", why);
}

/* A context value as AWS hands it on: always a string ("1", "true", "1.5"); NULL for a
 * null value, which is left out. Objects and arrays never get here. */
static const char *scalar_text(gh_arena *a, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING: return gh_arena_strndup(a, json_string_value(v), json_string_length(v));
    case JSON_INTEGER: {
        char buf[24], *p = buf + sizeof buf;
        json_int_t i = json_integer_value(v);
        unsigned long long u = i < 0 ? 0ULL - (unsigned long long)i : (unsigned long long)i;
        *--p = '\0';
        do
            *--p = (char)('0' + u % 10);
        while (u /= 10);
        if (i < 0)
            *--p = '-';
        return gh_arena_strdup(a, p);
    }
    case JSON_REAL: {
        /* The shortest text that reads back as the same double, as the Node authorizer's
         * own JSON would write it (1.5, 0.1). */
        gh_buf b = GH_BUF_INIT;
        gh_json_number(json_real_value(v), &b);
        const char *t = gh_arena_strndup(a, b.data, b.len);
        gh_buf_free(&b);
        return t;
    }
    case JSON_TRUE: return "true";
    case JSON_FALSE: return "false";
    default: return NULL;
    }
}

/* The checks AWS applies to the function's output (api-gateway-lambda-authorizer-output,
 * reference §4.4); NULL when it passes, else why (for the log). */
static const char *check_result(const json_t *res)
{
    if (!json_is_object(res))
        return json_is_null(res) ? "the function returned nil; API Gateway could not parse "
                                   "the policy"
                                 : "the function did not return a table "
                                   "{principalId, policyDocument, context}";
    const json_t *doc = json_object_get(res, "policyDocument");
    if (!json_is_object(doc))
        return "the result has no policyDocument table: API Gateway could not parse the policy";
    const json_t *pid = json_object_get(res, "principalId");
    if (pid && !json_is_null(pid) && !json_is_string(pid) && !json_is_number(pid) &&
        !json_is_boolean(pid))
        return "principalId must be a string";
    const json_t *ctx = json_object_get(res, "context");
    if (ctx && !json_is_null(ctx)) {
        if (!json_is_object(ctx))
            return "context must be a table of keys to string, number or boolean values";
        const char *key;
        const json_t *v;
        json_object_foreach((json_t *)ctx, key, v)
        {
            if (json_is_object(v) || json_is_array(v))
                return "context values must be strings, numbers or booleans; objects and "
                       "arrays are refused (AuthorizerConfigurationException)";
        }
    }
    return NULL;
}

/* requestContext.authorizer for an allowed call: principalId, the context values as
 * strings, then integrationLatency (a number: the milliseconds the function took, 0
 * when the result came from the cache). A context key named like one of AWS's own is
 * shadowed by it. */
static const gh_value *authorizer_value(gh_arena *a, const json_t *res, int64_t latency_ms)
{
    const json_t *ctx = json_object_get(res, "context");
    size_t n = json_is_object(ctx) ? json_object_size(ctx) : 0;
    gh_value *o = gh_value_object(a, n + 2);
    const json_t *pid = json_object_get(res, "principalId");
    const char *p = pid ? scalar_text(a, pid) : NULL;
    gh_value_set(a, o, "principalId", p ? gh_value_str(a, p) : gh_value_null());
    if (n) {
        const char *key;
        const json_t *v;
        json_object_foreach((json_t *)ctx, key, v)
        {
            const char *text = scalar_text(a, v);
            if (!text || strcmp(key, "principalId") == 0 || strcmp(key, "integrationLatency") == 0)
                continue;
            gh_value_set(a, o, gh_arena_strdup(a, key), gh_value_str(a, text));
        }
    }
    gh_value_set(a, o, "integrationLatency", gh_value_int(a, latency_ms));
    return o;
}

/* Evaluates the (valid) result's policy for this request and fills the outcome. */
static void decide(run *r, const json_t *res, int64_t latency_ms)
{
    gh_arena *a = r->inv->arena;
    const char *arn = r->arn ? r->arn : gh_auth_method_arn(r->inv);
    gh_policy_result pr;
    gh_policy_error perr;
    if (gh_policy_evaluate(json_object_get(res, "policyDocument"), "execute-api:Invoke", arn, &pr,
                           &perr) != 0) {
        /* AWS logs "Could not parse policy" and answers AuthorizerConfigurationException. */
        fail(r, GH_GW_AUTHORIZER_CONFIGURATION_ERROR,
             gh_arena_printf(a, "could not parse the policy: %s", perr.message));
        return;
    }
    gh_auth_outcome *out = r->out;
    /* Whatever the policy says: when no statement allows, a resource policy's Allow can
     * still let the call in (apigateway-authorization-flow, table A), and the integration
     * then sees the principal and context as usual. */
    out->authorizer = authorizer_value(a, res, latency_ms);
    const json_t *key = json_object_get(res, "usageIdentifierKey");
    out->usage_identifier_key = key ? scalar_text(a, key) : NULL;
    switch (pr.decision) {
    case GH_POLICY_ALLOW:
        out->verdict = GH_AUTH_ALLOW;
        /* Only logged without --quiet (authorize.c): not formatted for nothing. */
        if (!gh_log_quiet())
            out->log = gh_arena_printf(a, "authorizer '%s': %s, Statement[%d] allows %s",
                                       r->az->name, r->how, pr.statement, arn);
        break;
    case GH_POLICY_EXPLICIT_DENY:
        out->verdict = GH_AUTH_DENY_EXPLICIT;
        out->fail_type = GH_GW_ACCESS_DENIED;
        out->fail_message = GH_AUTH_EXPLICIT_DENY_MESSAGE;
        out->log = gh_arena_printf(a, "authorizer '%s': %s, Statement[%d] denies %s",
                                   r->az->name, r->how, pr.statement, arn);
        break;
    case GH_POLICY_IMPLICIT_DENY:
        out->verdict = GH_AUTH_DENY_IMPLICIT;
        out->fail_type = GH_GW_ACCESS_DENIED;
        out->log = gh_arena_printf(a, "authorizer '%s': %s, no statement allows %s", r->az->name,
                                   r->how, arn);
        break;
    }
}

/* Runs the function; returns its result (caller owns) or NULL after fail(). */
static json_t *call_function(run *r, const char *token, int64_t *latency_ms)
{
    gh_invocation *inv = r->inv;
    const gh_authorizer *az = r->az;
    /* The function is named like an integration's (${stageVariables.x} allowed), so the
     * same resolution and Lambda context serve both. */
    gh_integration target = {.type = GH_INTEG_AWS,
                             .lambda_function = az->function,
                             .lambda_qualifier = az->qualifier,
                             .mock_script = -1};
    const char *name = gh_lambda_function_for_stage(inv->arena, &target, inv->stage);
    const gh_function *fn = name && *name ? gh_api_function(inv->api, name) : NULL;
    if (!fn) {
        /* Lambda refuses to invoke a missing function; AWS logs it as a configuration
         * error of the authorizer. */
        fail(r, GH_GW_AUTHORIZER_CONFIGURATION_ERROR,
             gh_arena_printf(inv->arena,
                             "Lambda function '%s' does not exist; declare it under "
                             "x-gatehouse.functions with a Lua handler",
                             name ? name : ""));
        return NULL;
    }
    if (!inv->scripts) {
        fail(r, GH_GW_AUTHORIZER_CONFIGURATION_ERROR, "no Lua runtime is running");
        return NULL;
    }
    const gh_value *event = r->event                    ? r->event
                            : az->kind == GH_AUTHZ_TOKEN ? gh_auth_event_token_value(inv, token)
                                                         : gh_auth_event_request_value(inv);
    gh_invocation as_target = *inv;
    as_target.integration = &target;
    gh_lambda_context ctx;
    gh_lambda_context_init(&as_target, fn, &ctx);

    gh_script_result sr;
    gh_script_status st = gh_script_call_value(inv->scripts, fn->script, event, &ctx,
                                               fn->timeout_ms > 0 ? fn->timeout_ms : 3000, &sr);
    *latency_ms = sr.duration_ms;
    json_t *res = NULL;
    if (st == GH_SCRIPT_OK) {
        res = sr.value;
        sr.value = NULL;
    } else {
        const char *msg = sr.error_message ? sr.error_message : "";
        const char *bare = st == GH_SCRIPT_ERROR ? msg + gh_lambda_error_prefix_len(msg) : msg;
        if (st == GH_SCRIPT_ERROR && strcmp(bare, UNAUTHORIZED_TEXT) == 0) {
            fail(r, GH_GW_UNAUTHORIZED, "the function raised Unauthorized");
        } else {
            /* Any other error, a timeout or a memory kill: 500 with x-amzn-ErrorType
             * AuthorizerConfigurationException and {"message": null}, as AWS answers
             * (serverless/examples#305, aws/chalice#670; docs/aws-compatibility.md). */
            gh_log(GH_LOG_ERROR, "authorizer %s: function %s (%s) %s: %s%s%s (request %s)",
                   az->name, fn->name, fn->handler,
                   st == GH_SCRIPT_TIMEOUT  ? "timed out"
                   : st == GH_SCRIPT_MEMORY ? "ran out of memory"
                                            : "failed",
                   msg, sr.traceback ? "\n" : "", sr.traceback ? sr.traceback : "",
                   inv->req ? inv->req->request_id : "-");
            fail(r, GH_GW_AUTHORIZER_CONFIGURATION_ERROR,
                 gh_arena_printf(inv->arena, "function %s %s", fn->name,
                                 st == GH_SCRIPT_TIMEOUT  ? "timed out"
                                 : st == GH_SCRIPT_MEMORY ? "ran out of memory"
                                                          : "raised an error other than "
                                                            "Unauthorized"));
        }
    }
    gh_script_result_free(&sr);
    return res;
}

void gh_lambda_authorize(gh_invocation *inv, const gh_authorizer *az, gh_auth_cache *cache,
                         gh_auth_outcome *out)
{
    gh_lambda_authorize_event(inv, az, cache, NULL, NULL, out);
}

void gh_lambda_authorize_event(gh_invocation *inv, const gh_authorizer *az, gh_auth_cache *cache,
                               const gh_value *event, const char *method_arn,
                               gh_auth_outcome *out)
{
    memset(out, 0, sizeof *out);
    run r = {inv, az, out, NULL, event, method_arn};
    if (az->broken || !az->identity) {
        fail(&r, GH_GW_AUTHORIZER_CONFIGURATION_ERROR,
             az->broken ? az->broken : "no identity source");
        return;
    }
    const char **values = NULL;
    gh_identity_result idr = gh_identity_values(inv, az->identity, &values);
    const char *token = az->kind == GH_AUTHZ_TOKEN ? values[0] : NULL;
    /* A REQUEST authorizer without caching is called even with sources missing
     * (reference §4.1); everywhere else a missing source is 401 without a call. */
    if (idr != GH_IDENTITY_OK && (az->kind == GH_AUTHZ_TOKEN || az->ttl_seconds > 0)) {
        fail(&r, GH_GW_UNAUTHORIZED,
             "identity source missing or empty; the function was not called");
        return;
    }
    if (az->kind == GH_AUTHZ_TOKEN &&
        gh_identity_validate_token(az->validation_expression, token) != GH_IDENTITY_OK) {
        fail(&r, GH_GW_UNAUTHORIZED,
             "the token does not match identityValidationExpression; the function was not called");
        return;
    }

    /* Scoped to the stage: each stage is its own deployment on AWS, with its own cache. */
    gh_auth_cache_key key = {
        .api_id = inv->api ? inv->api->id : "",
        .authorizer = gh_arena_concat(inv->arena, inv->stage ? inv->stage->name : "", "/",
                                      az->name, (char *)NULL),
        .sources = values,
        .n_sources = az->identity->n,
    };
    bool caching = cache && az->ttl_seconds > 0;
    json_t *res = NULL;
    int64_t latency = 0;
    if (caching && gh_auth_cache_get(cache, &key, &res)) {
        r.how = "cache hit";
    } else {
        r.how = caching ? "cache miss" : "not cached";
        res = call_function(&r, token, &latency);
        if (!res)
            return;
    }
    const char *why = check_result(res);
    if (why) {
        fail(&r, GH_GW_AUTHORIZER_CONFIGURATION_ERROR, why);
    } else {
        if (caching && strcmp(r.how, "cache miss") == 0 &&
            gh_auth_cache_put(cache, &key, az->ttl_seconds, res) != 0)
            gh_log(GH_LOG_WARN, "authorizer %s: result not cached (TTL %d)", az->name,
                   az->ttl_seconds);
        decide(&r, res, latency);
    }
    json_decref(res);
}

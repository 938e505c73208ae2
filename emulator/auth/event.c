/* Authorizer events (event.h). The REQUEST event shares every request field with the
 * Lambda proxy event, so it is taken from gh_proxy_event_v1_value rather than built a
 * second time; only the differences AWS shows are applied here. */
#include "auth/event.h"

#include <string.h>

#include "auth/policy.h"
#include "integration/proxy_event.h"

#define SET(obj, key, value) gh_value_setn(a, obj, key, sizeof key - 1, value)

const char *gh_auth_method_arn(const gh_invocation *inv)
{
    const gh_api *api = inv->api;
    return gh_policy_method_arn(inv->arena, api ? api->region : "", api ? api->account_id : "",
                                api ? api->id : "", inv->stage ? inv->stage->name : "",
                                inv->req ? inv->req->method : "", inv->path);
}

const gh_value *gh_auth_event_token_value(const gh_invocation *inv, const char *token)
{
    gh_arena *a = inv->arena;
    gh_value *ev = gh_value_object(a, 3);
    SET(ev, "type", gh_value_str(a, "TOKEN"));
    SET(ev, "authorizationToken", gh_value_str(a, token));
    SET(ev, "methodArn", gh_value_str(a, gh_auth_method_arn(inv)));
    return ev;
}

json_t *gh_auth_event_token(const gh_invocation *inv, const char *token)
{
    return gh_value_to_json(gh_auth_event_token_value(inv, token));
}

const gh_value *gh_auth_event_request_value(const gh_invocation *inv)
{
    gh_arena *a = inv->arena;
    const gh_value *proxy = gh_proxy_event_v1_value(inv);
    gh_value *ev = gh_value_object(a, proxy->u.obj.n + 2);
    SET(ev, "type", gh_value_str(a, "REQUEST"));
    SET(ev, "methodArn", gh_value_str(a, gh_auth_method_arn(inv)));
    for (size_t i = 0; i < proxy->u.obj.n; i++) {
        const gh_value_member *m = &proxy->u.obj.members[i];
        /* The authorizer never sees the body (apigateway-lambda-authorizer-input lists
         * no body field, and the recorded events carry none). */
        if ((m->klen == 4 && memcmp(m->key, "body", 4) == 0) ||
            (m->klen == 15 && memcmp(m->key, "isBase64Encoded", 15) == 0))
            continue;
        const gh_value *v = m->value;
        /* Recorded REQUEST events carry "pathParameters": {} for a resource without
         * parameters, where the proxy event has null. */
        if (m->klen == 14 && memcmp(m->key, "pathParameters", 14) == 0 && v->kind == GH_VALUE_NULL)
            v = gh_value_object(a, 0);
        gh_value_setn(a, ev, m->key, m->klen, v);
    }
    return ev;
}

json_t *gh_auth_event_request(const gh_invocation *inv)
{
    return gh_value_to_json(gh_auth_event_request_value(inv));
}

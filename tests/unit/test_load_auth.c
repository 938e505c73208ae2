/* spec/load, authorization: security schemes -> authorizers, per-method security,
 * x-gatehouse.userPools and credentials, and x-amazon-apigateway-policy. Good
 * definitions must compile into the model fields auth/ reads; broken ones must fail (or
 * warn) at the exact file:line:col with a message that says what to do. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/identity.h"
#include "scratch.h"
#include "auth/pool_key.h"
#include "spec/load.h"

#define POOL "us-east-1_AbC123"
#define HEAD "openapi: 3.0.1\ninfo: {title: t, version: '1'}\n"
#define FNS "x-gatehouse:\n  functions:\n    auth: {handler: h.lua}\n"
#define LAMBDA                                                                                 \
    "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"                         \
    "arn:aws:lambda:us-east-1:123456789012:function:auth/invocations"
#define OP(verb, scheme, scopes)                                                               \
    "    " verb ": {security: [{" scheme ": " scopes "}], "                                   \
    "x-amazon-apigateway-integration: {type: mock}}\n"

static gh_model *load_in(scratch *s, const char *yaml, gh_diags *d)
{
    put(s, "h.lua", "return function(e) return {} end\n");
    /* No key file: loading generates the pool's key (auth/pool_key.h). */
    const char *def = put(s, "api.yaml", yaml);
    gh_load_options o = {.definitions = &def, .ndefinitions = 1, .port = -1};
    return gh_model_load(&o, d);
}

static void dump(const gh_diags *d)
{
    for (size_t i = 0; i < d->n; i++)
        fprintf(stderr, "  %s %s\n", d->items[i].severity == GH_DIAG_ERROR ? "E" : "W",
                d->items[i].text);
}

static const gh_method *method(const gh_api *api, const char *path, const char *verb)
{
    const gh_resource *r = api->root;
    const char *seg = path + 1;
    while (*seg) {
        const char *slash = strchr(seg, '/');
        size_t n = slash ? (size_t)(slash - seg) : strlen(seg);
        const gh_resource *next = NULL;
        for (size_t i = 0; i < r->nliterals && !next; i++)
            if (strlen(r->literals[i]->segment) == n &&
                memcmp(r->literals[i]->segment, seg, n) == 0)
                next = r->literals[i];
        assert_non_null(next);
        r = next;
        seg += n + (slash ? 1 : 0);
    }
    for (size_t i = 0; i < r->nmethods; i++)
        if (strcmp(r->methods[i].verb, verb) == 0)
            return &r->methods[i];
    fail_msg("no %s %s", verb, path);
    return NULL;
}

/* ---- every kind, with its defaults ----------------------------------------------------- */

static const char good[] =
    HEAD FNS
    "  userPools:\n"
    "    " POOL ":\n"
    "      users:\n"
    "        bob: {attributes: {email: b@x.io, email_verified: true}, groups: [admins, users]}\n"
    "        alice: {}\n"
    "    eu-west-1_Zz9: {clientId: myclient, signingKey: " POOL ".pem}\n"
    "  credentials:\n"
    "    AKIDZZZ: {secretAccessKey: s2, arn: 'arn:aws:sts::222233334444:assumed-role/R/S'}\n"
    "    AKIDEXAMPLE:\n"
    "      secretAccessKey: s3cr3t\n"
    "      arn: arn:aws:iam::111122223333:user/alice\n"
    "      policy: {Version: '2012-10-17', Statement: {Effect: Allow, Action: "
    "'execute-api:*', Resource: 'execute-api:/prod/GET/*'}}\n"
    "components:\n"
    "  securitySchemes:\n"
    "    tok:\n"
    "      type: apiKey\n"
    "      name: X-Token\n"
    "      in: header\n"
    "      x-amazon-apigateway-authtype: custom\n"
    "      x-amazon-apigateway-authorizer:\n"
    "        type: TOKEN\n"
    "        authorizerUri: " LAMBDA "\n"
    "        identityValidationExpression: '^Bearer .+$'\n"
    "    req:\n"
    "      type: apiKey\n"
    "      name: Authorization\n"
    "      in: header\n"
    "      x-amazon-apigateway-authorizer:\n"
    "        type: request\n"
    "        authorizerUri: 'arn:aws:lambda:us-east-1:123456789012:function:auth:live'\n"
    "        identitySource: 'method.request.header.A, method.request.querystring.q'\n"
    "        authorizerResultTtlInSeconds: 0\n"
    "    cog:\n"
    "      type: apiKey\n"
    "      name: Authorization\n"
    "      in: header\n"
    "      x-amazon-apigateway-authorizer:\n"
    "        type: cognito_user_pools\n"
    "        providerARNs: ['arn:aws:cognito-idp:us-east-1:123456789012:userpool/" POOL "']\n"
    "        authorizerResultTtlInSeconds: 3600\n"
    "    sig: {type: apiKey, name: Authorization, in: header, "
    "x-amazon-apigateway-authtype: awsSigv4}\n"
    "    key: {type: apiKey, name: x-api-key, in: header}\n"
    "    unused: {type: apiKey, name: A, in: header, x-amazon-apigateway-authorizer: {type: "
    "token, authorizerUri: 'arn:aws:lambda:us-east-1:1:function:nobody'}}\n"
    "paths:\n"
    "  /a:\n" OP("get", "tok", "[]") OP("post", "req", "[]")
    OP("put", "cog", "[email, 'https://x/read']") OP("delete", "sig", "[]")
    "    patch: {security: [{key: []}], x-amazon-apigateway-integration: {type: mock}}\n"
    "    head: {x-amazon-apigateway-integration: {type: mock}}\n"
    "x-amazon-apigateway-policy:\n"
    "  Version: '2012-10-17'\n"
    "  Statement:\n"
    "  - {Effect: Allow, Principal: '*', Action: execute-api:Invoke, Resource: "
    "['execute-api:/*', 'arn:aws:execute-api:eu-west-1:1:x/y']}\n"
    "  - Effect: Deny\n"
    "    Principal: {AWS: ['arn:aws:iam::111122223333:root']}\n"
    "    Action: execute-api:Invoke\n"
    "    NotResource: execute-api:/prod/GET/pets\n"
    "    Condition: {NotIpAddress: {aws:SourceIp: [192.0.2.0/24]}, Bool: {aws:SecureTransport: "
    "false}}\n";

static void every_kind_compiles_with_its_defaults(void **state)
{
    (void)state;
    scratch s = {0};
    gh_diags d = GH_DIAGS_INIT;
    gh_model *m = load_in(&s, good, &d);
    if (!m || d.n != 1)
        dump(&d);
    assert_non_null(m);
    /* only the x-api-key notice: the unused scheme (whose function is undeclared) is not
     * compiled, so not warned about */
    assert_int_equal(d.n, 1);
    assert_non_null(strstr(d.items[0].text, "security 'key' requires an API key"));
    const gh_api *api = &m->apis[0];

    /* sorted by name; only the schemes some method uses */
    assert_int_equal(api->nauthorizers, 4);
    static const char *const names[] = {"cog", "req", "sig", "tok"};
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(api->authorizers[i].name, names[i]);

    const gh_authorizer *tok = method(api, "/a", "GET")->authorizer;
    assert_string_equal(tok->name, "tok");
    assert_int_equal(tok->kind, GH_AUTHZ_TOKEN);
    assert_string_equal(tok->function, "auth");
    assert_null(tok->qualifier);
    /* the scheme's header, as the importer reads it, when identitySource is absent */
    assert_string_equal(tok->identity_source, "method.request.header.X-Token");
    assert_int_equal(tok->identity->n, 1);
    assert_int_equal(tok->identity->items[0].kind, GH_IDSRC_HEADER);
    assert_string_equal(tok->identity->items[0].name, "X-Token");
    assert_string_equal(tok->validation_expression, "^Bearer .+$");
    assert_int_equal(tok->ttl_seconds, 300);
    assert_null(tok->broken);

    const gh_authorizer *req = method(api, "/a", "POST")->authorizer;
    assert_int_equal(req->kind, GH_AUTHZ_REQUEST);
    assert_string_equal(req->function, "auth");
    assert_string_equal(req->qualifier, "live");
    assert_int_equal(req->ttl_seconds, 0);
    assert_int_equal(req->identity->n, 2);
    assert_int_equal(req->identity->items[1].kind, GH_IDSRC_QUERY);
    assert_string_equal(req->identity->items[1].name, "q");

    const gh_method *put_m = method(api, "/a", "PUT");
    const gh_authorizer *cog = put_m->authorizer;
    assert_int_equal(cog->kind, GH_AUTHZ_COGNITO);
    assert_null(cog->function);
    assert_string_equal(cog->identity_source, "method.request.header.Authorization");
    assert_int_equal(cog->ttl_seconds, 3600);
    assert_int_equal(cog->nprovider_arns, 1);
    assert_string_equal(cog->provider_arns[0],
                        "arn:aws:cognito-idp:us-east-1:123456789012:userpool/" POOL);
    assert_int_equal(put_m->nauthorization_scopes, 2);
    assert_string_equal(put_m->authorization_scopes[0], "email");
    assert_string_equal(put_m->authorization_scopes[1], "https://x/read");

    assert_int_equal(method(api, "/a", "DELETE")->authorizer->kind, GH_AUTHZ_IAM);
    assert_null(method(api, "/a", "PATCH")->authorizer);
    assert_true(method(api, "/a", "PATCH")->api_key_required);
    assert_null(method(api, "/a", "HEAD")->authorizer);
    assert_false(method(api, "/a", "HEAD")->api_key_required);

    /* user pools, sorted by id, users by name */
    assert_int_equal(api->nuser_pools, 2);
    assert_string_equal(api->user_pools[0].id, "eu-west-1_Zz9");
    assert_string_equal(api->user_pools[0].client_id, "myclient");
    const gh_user_pool *p = gh_api_user_pool(api, POOL);
    assert_non_null(p);
    assert_string_equal(p->region, "us-east-1");
    assert_int_equal(strlen(p->client_id), 26);
    assert_int_equal(strspn(p->client_id, "abcdefghijklmnopqrstuvwxyz0123456789"), 26);
    char want[256];
    snprintf(want, sizeof want, "%s/" POOL ".pem", s.dir);
    assert_string_equal(p->signing_key, want);
    char *err = NULL, *pem = gh_pool_key_load_or_create(want, &err); /* reads it back */
    assert_non_null(pem);
    assert_string_equal(p->signing_pem, pem);
    assert_non_null(strstr(pem, "PRIVATE KEY-----"));
    free(pem);
    assert_null(p->jwks);
    bool watched = false;
    for (size_t i = 0; i < m->nfiles; i++)
        watched = watched || strcmp(m->files[i], want) == 0;
    assert_true(watched);
    assert_int_equal(p->nusers, 2);
    assert_string_equal(p->users[0].name, "alice");
    assert_int_equal(json_object_size(p->users[0].attributes), 0);
    assert_string_equal(p->users[1].name, "bob");
    /* Cognito keeps every attribute as a string */
    assert_string_equal(json_string_value(json_object_get(p->users[1].attributes,
                                                          "email_verified")),
                        "true");
    assert_int_equal(p->users[1].ngroups, 2);
    assert_string_equal(p->users[1].groups[1], "users");

    /* credentials, sorted by access key; account from the ARN */
    assert_int_equal(api->ncredentials, 2);
    assert_string_equal(api->credentials[0].access_key, "AKIDEXAMPLE");
    const gh_credential *c = gh_api_credential(api, "AKIDEXAMPLE");
    assert_string_equal(c->secret_key, "s3cr3t");
    assert_string_equal(c->account_id, "111122223333");
    char arn[128];
    snprintf(arn, sizeof arn, "arn:aws:execute-api:us-east-1:123456789012:%s/prod/GET/*",
             api->id);
    assert_non_null(c->policy);
    assert_string_equal(json_string_value(json_object_get(json_object_get(c->policy, "Statement"),
                                                          "Resource")),
                        arn);
    assert_null(gh_api_credential(api, "AKIDZZZ")->policy);
    assert_string_equal(gh_api_credential(api, "AKIDZZZ")->account_id, "222233334444");
    assert_null(gh_api_credential(api, "NOPE"));

    /* the resource policy: shorthand expanded with the API's region, account and id */
    const json_t *rp = api->resource_policy;
    assert_non_null(rp);
    assert_int_equal(api->resource_policy_mark.line, 57);
    assert_int_equal(api->resource_policy_mark.col, 1);
    const json_t *st = json_object_get(rp, "Statement");
    snprintf(arn, sizeof arn, "arn:aws:execute-api:us-east-1:123456789012:%s/*", api->id);
    assert_string_equal(json_string_value(json_array_get(
                            json_object_get(json_array_get(st, 0), "Resource"), 0)),
                        arn);
    assert_string_equal(json_string_value(json_array_get(
                            json_object_get(json_array_get(st, 0), "Resource"), 1)),
                        "arn:aws:execute-api:eu-west-1:1:x/y");
    snprintf(arn, sizeof arn, "arn:aws:execute-api:us-east-1:123456789012:%s/prod/GET/pets",
             api->id);
    assert_string_equal(json_string_value(json_object_get(json_array_get(st, 1), "NotResource")),
                        arn);
    const json_t *cond = json_object_get(json_array_get(st, 1), "Condition");
    assert_string_equal(json_string_value(json_object_get(json_object_get(cond, "Bool"),
                                                          "aws:SecureTransport")),
                        "false");
    gh_model_unref(m);
    gh_diags_free(&d);
    scratch_free(&s);
}

/* ---- what is wrong, and where ------------------------------------------------------------ */

#define SCHEME(ext)                                                                            \
    "components:\n  securitySchemes:\n    s:\n      type: apiKey\n      name: Authorization\n"  \
    "      in: header\n      x-amazon-apigateway-authorizer: " ext "\n"
#define PATHS "paths:\n  /a:\n" OP("get", "s", "[]")
#define TOKEN_EXT(more) "{type: token, authorizerUri: 'arn:aws:lambda:us-east-1:1:function:auth'" more "}"
#define POOLS "  userPools:\n    " POOL ": {}\n"
#define COG(arn)                                                                               \
    "{type: cognito_user_pools, providerARNs: ['arn:aws:cognito-idp:us-east-1:1:userpool/" arn \
    "']}"
#define CREDS(body) "  credentials:\n    AKID: " body "\n"
#define RP(doc) "x-amazon-apigateway-policy: " doc "\n"

static const struct {
    const char *yaml;
    gh_diag_severity sev;
    const char *where; /* "/api.yaml:L:C: " */
    const char *fragment;
} cases[] = {
    /* authorizers */
    {HEAD FNS SCHEME(TOKEN_EXT(", authorizerResultTtlInSeconds: 4000")) PATHS, GH_DIAG_ERROR,
     "/api.yaml:12:142: ",
     "authorizerResultTtlInSeconds must be a whole number from 0 to 3600 (AWS refuses other "
     "values; 0 turns caching off); got '4000'"},
    {HEAD FNS SCHEME(TOKEN_EXT(", authorizerResultTtlInSeconds: -1")) PATHS, GH_DIAG_ERROR,
     "/api.yaml:12:142: ", "got '-1'"},
    {HEAD FNS SCHEME("{type: oauth, authorizerUri: x}") PATHS, GH_DIAG_ERROR,
     "/api.yaml:12:46: ",
     "unknown authorizer type 'oauth'; expected one of token, request, cognito_user_pools"},
    {HEAD FNS SCHEME("{authorizerUri: x}") PATHS, GH_DIAG_ERROR, "/api.yaml:12:39: ",
     "authorizer 's' needs type: one of token, request, cognito_user_pools"},
    {HEAD FNS SCHEME("{type: token}") PATHS, GH_DIAG_ERROR, "/api.yaml:12:39: ",
     "authorizer 's' needs authorizerUri"},
    {HEAD FNS SCHEME("{type: token, authorizerUri: 'https://example.com/auth'}") PATHS,
     GH_DIAG_ERROR, "/api.yaml:12:68: ",
     "authorizerUri 'https://example.com/auth' is not a Lambda invocation URI"},
    {HEAD FNS SCHEME(TOKEN_EXT(", identitySource: 'method.request.header.A, "
                               "method.request.header.B'")) PATHS,
     GH_DIAG_WARNING, "/api.yaml:12:128: ",
     "identitySource 'method.request.header.A, method.request.header.B' is not used: a token "
     "authorizer reads the header its security scheme names (Authorization)"},
    {HEAD FNS "components:\n  securitySchemes:\n    s:\n      type: apiKey\n"
              "      x-amazon-apigateway-authorizer: " TOKEN_EXT(", identitySource: "
                                                         "'method.request.header.A, "
                                                         "method.request.header.B'") "\n" PATHS,
     GH_DIAG_ERROR, "/api.yaml:10:128: ",
     "authorizer 's': identitySource 'method.request.header.A, method.request.header.B': a "
     "TOKEN authorizer takes exactly one source"},
    {HEAD FNS SCHEME("{type: request, authorizerUri: 'arn:aws:lambda:us-east-1:1:function:auth',"
                     " identitySource: 'method.request.path.id'}") PATHS,
     GH_DIAG_ERROR, "/api.yaml:12:130: ", "path parameters cannot be identity sources"},
    {HEAD FNS SCHEME("{type: request, authorizerUri: 'arn:aws:lambda:us-east-1:1:function:auth'}")
         PATHS,
     GH_DIAG_ERROR, "/api.yaml:12:39: ",
     "request authorizer 's' needs identitySource when caching is on "
     "(authorizerResultTtlInSeconds 300)"},
    {HEAD FNS SCHEME(TOKEN_EXT(", identityValidationExpression: '(['")) PATHS, GH_DIAG_ERROR,
     "/api.yaml:12:142: ", "identityValidationExpression '([' is not a valid Java regular "
                           "expression"},
    {HEAD FNS SCHEME("{type: token, authorizerUri: 'arn:aws:lambda:us-east-1:1:function:ghost'}")
         PATHS,
     GH_DIAG_WARNING, "/api.yaml:12:68: ",
     "authorizer 's': function 'ghost' has no handler in x-gatehouse.functions; its methods "
     "answer 500 AUTHORIZER_CONFIGURATION_ERROR (add ghost: {handler: file.lua})"},
    {HEAD FNS SCHEME("{type: token, authorizerUri: {Fn::GetAtt: [AuthFn, Arn]}}") PATHS,
     GH_DIAG_WARNING, "/api.yaml:12:68: ",
     "authorizerUri holds '${AuthFn.Arn}', and no function AuthFn is declared"},
    {HEAD FNS SCHEME(COG("us-east-1_Nope1")) PATHS, GH_DIAG_WARNING, "/api.yaml:12:81: ",
     "authorizer 's': user pool 'us-east-1_Nope1' is not declared; its methods answer 500 "
     "(declare it under x-gatehouse.userPools"},
    {HEAD FNS SCHEME("{type: cognito_user_pools, providerARNs: ['arn:aws:cognito-idp:x']}")
         PATHS,
     GH_DIAG_ERROR, "/api.yaml:12:81: ",
     "provider ARN 'arn:aws:cognito-idp:x' is not a user pool ARN; write "
     "arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID"},
    {HEAD FNS SCHEME("{type: cognito_user_pools}") PATHS, GH_DIAG_ERROR, "/api.yaml:12:39: ",
     "cognito_user_pools authorizer 's' needs providerARNs"},
    /* a method's security */
    {HEAD FNS POOLS SCHEME(COG(POOL)) "    t: {type: apiKey, name: A, in: header, "
     "x-amazon-apigateway-authtype: awsSigv4}\n"
     "paths:\n  /a:\n    get: {security: [{s: []}, {t: []}], "
     "x-amazon-apigateway-integration: {type: mock}}\n",
     GH_DIAG_WARNING, "/api.yaml:18:32: ",
     "this operation lists a second authorizer 't'; API Gateway takes one per method, so "
     "only 's' applies"},
    {HEAD FNS SCHEME(TOKEN_EXT("")) "security: [{s: []}]\n" PATHS, GH_DIAG_WARNING,
     "/api.yaml:13:13: ",
     "root-level security 's' is ignored, as API Gateway's importer ignores it"},
    {HEAD FNS SCHEME(TOKEN_EXT("")) "paths:\n  /a:\n" OP("get", "s", "[email]"), GH_DIAG_WARNING,
     "/api.yaml:15:26: ", "authorization scopes apply to Cognito authorizers only"},
    /* userPools */
    {HEAD FNS "  userPools:\n    useast1AbC: {}\n", GH_DIAG_ERROR, "/api.yaml:7:5: ",
     "user pool id 'useast1AbC' is not a Cognito pool id; write REGION_ID, like "
     "us-east-1_AbC123"},
    {HEAD FNS "  userPools:\n    " POOL ": {signingKey: /nonexistent/dir/k.pem}\n",
     GH_DIAG_ERROR, "/api.yaml:7:36: ", "user pool '" POOL "': signing key: "},
    {HEAD FNS "  userPools:\n    " POOL ": {jwks: missing.json}\n", GH_DIAG_ERROR,
     "/api.yaml:7:30: ", "cannot read jwks file"},
    {HEAD FNS "  userPools:\n    " POOL ": {users: {bob: {attributes: {tags: [a]}}}}\n",
     GH_DIAG_ERROR, "/api.yaml:7:57: ", "attribute 'tags' of user 'bob' must be a string"},
    /* credentials */
    {HEAD FNS CREDS("{secretAccessKey: x, arn: 'arn:aws:iam::12:user/a'}"), GH_DIAG_ERROR,
     "/api.yaml:7:37: ", "arn 'arn:aws:iam::12:user/a' is not an IAM identity ARN"},
    {HEAD FNS CREDS("{secretAccessKey: x, arn: 'arn:aws:sts::123456789012:assumed-role/R'}"),
     GH_DIAG_ERROR, "/api.yaml:7:37: ", "is not an IAM identity ARN"},
    {HEAD "x-gatehouse:\n  userPools:\n    " POOL ": {clientId: [x]}\n", GH_DIAG_ERROR,
     "/api.yaml:5:34: ",
     "user pool 'us-east-1_AbC123': clientId must be a non-empty string, not a list; write it "
     "as text"},
    {HEAD FNS CREDS("{secretAccessKey: '', arn: 'arn:aws:iam::123456789012:user/a'}"),
     GH_DIAG_ERROR, "/api.yaml:7:29: ",
     "credentials 'AKID': secretAccessKey must be a non-empty string, not an empty one"},
    {HEAD FNS CREDS("{arn: 'arn:aws:iam::123456789012:user/a'}"), GH_DIAG_ERROR,
     "/api.yaml:7:5: ", "credentials 'AKID' need secretAccessKey"},
    {HEAD FNS CREDS("{secretAccessKey: x, arn: 'arn:aws:iam::123456789012:user/a', policy: "
                    "{Statement: {Effect: Allow, Principal: '*', Action: '*', Resource: '*'}}}"),
     GH_DIAG_ERROR, "/api.yaml:7:120: ",
     "credentials 'AKID' policy: Statement[0]: an identity policy names no Principal"},
    /* the resource policy */
    {HEAD RP("{Statement: [{Effect: allow, Principal: '*', Action: x, Resource: y}]}"),
     GH_DIAG_ERROR, "/api.yaml:3:51: ",
     "x-amazon-apigateway-policy: Statement[0].Effect must be Allow or Deny (with that case), "
     "not 'allow'"},
    {HEAD RP("{Statement: [{Effect: Allow, Action: x, Resource: y}]}"), GH_DIAG_ERROR,
     "/api.yaml:3:42: ", "Statement[0] needs Principal (\"*\" for every caller)"},
    {HEAD RP("{Statement: [{Effect: Deny, Principal: '*', Resource: y}]}"), GH_DIAG_ERROR,
     "/api.yaml:3:42: ", "Statement[0] needs Action (or NotAction), like execute-api:Invoke"},
    {HEAD RP("{Statement: {Effect: Deny, Principal: {AWS: a}, Action: x, Resource: y, "
             "NotResource: z}}"),
     GH_DIAG_ERROR, "/api.yaml:3:114: ", "Statement[0] has both Resource and NotResource"},
    {HEAD RP("{Statement: [{Effect: Deny, Principal: me, Action: x, Resource: y}]}"),
     GH_DIAG_ERROR, "/api.yaml:3:68: ", "Statement[0].Principal must be \"*\" or a map"},
    {HEAD RP("{Statement: [{Effect: Deny, Principal: '*', Action: x, Resource: y, Condition: "
             "{IpAddress: 1.2.3.4}}]}"),
     GH_DIAG_ERROR, "/api.yaml:3:120: ",
     "Statement[0].Condition.IpAddress must be a map of condition key to value"},
    /* conditions as auth/condition.c reads them: a range that does not parse is refused
     * at the value; what is not evaluated (the statement fails closed) is a warning */
    {HEAD RP("{Statement: [{Effect: Deny, Principal: '*', Action: x, Resource: y, Condition: "
             "{NotIpAddress: {aws:SourceIp: [10.0.0.0/8, 10.0.0.0/33]}}}]}"),
     GH_DIAG_ERROR, "/api.yaml:3:151: ",
     "Statement[0].Condition.NotIpAddress.aws:SourceIp: 10.0.0.0/33 is not an IP address or "
     "CIDR"},
    {HEAD RP("'{\"Statement\": {\"Effect\": \"Deny\", \"Principal\": \"*\", \"Action\": \"x\", "
             "\"Resource\": \"y\", \"Condition\": {\"IpAddress\": {\"aws:SourceIp\": "
             "\"300.1.1.1\"}}}}'"),
     GH_DIAG_ERROR, "/api.yaml:3:157: ", "300.1.1.1 is not an IP address or CIDR"},
    {HEAD RP("{Statement: [{Effect: Allow, Principal: '*', Action: x, Resource: y}, {Effect: "
             "Deny, Principal: '*', Action: x, Resource: y, Condition: {NumericLessThan: "
             "{aws:EpochTime: 5}}}]}"),
     GH_DIAG_WARNING, "/api.yaml:3:166: ",
     "Statement[1] uses condition operator NumericLessThan, which gatehouse does not "
     "evaluate: calls this statement applies to are denied"},
    {HEAD RP("{Statement: [{Effect: Allow, Principal: '*', Action: x, Resource: y, Condition: "
             "{StringEquals: {aws:PrincipalOrgID: o-1}}}]}"),
     GH_DIAG_WARNING, "/api.yaml:3:125: ",
     "Statement[0] uses condition key aws:PrincipalOrgID (in StringEquals)"},
    {HEAD FNS CREDS("{secretAccessKey: x, arn: 'arn:aws:iam::123456789012:user/a', policy: "
                    "{Statement: {Effect: Allow, Action: '*', Resource: '*', Condition: "
                    "{DateLessThan: {aws:CurrentTime: x}}}}}"),
     GH_DIAG_WARNING, "/api.yaml:7:149: ",
     "credentials 'AKID' policy: Statement[0] uses condition operator DateLessThan, which "
     "gatehouse does not evaluate"},
    {HEAD RP("{Version: '2013-01-01', Statement: []}"), GH_DIAG_ERROR, "/api.yaml:3:39: ",
     "Version must be \"2012-10-17\""},
    {HEAD RP("[a]"), GH_DIAG_ERROR, "/api.yaml:3:29: ",
     "x-amazon-apigateway-policy must be a policy document {Version, Statement}"},
    /* as a JSON string: positions inside the string */
    {HEAD RP("'{\"Statement\": [{\"Effect\": \"Alow\", \"Principal\": \"*\", \"Action\": \"x\", "
             "\"Resource\": \"y\"}]}'"),
     GH_DIAG_ERROR, "/api.yaml:3:56: ", "Statement[0].Effect must be Allow or Deny"},
    {HEAD RP("'{\"Statement\": [}'"), GH_DIAG_ERROR, "/api.yaml:3:45: ",
     "x-amazon-apigateway-policy: the policy string is not JSON"},
};

static void broken_authorization_points_at_the_problem(void **state)
{
    (void)state;
    size_t failed = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        scratch s = {0};
        gh_diags d = GH_DIAGS_INIT;
        gh_model *m = load_in(&s, cases[i].yaml, &d);
        bool found = false;
        for (size_t k = 0; k < d.n && !found; k++)
            found = d.items[k].severity == cases[i].sev &&
                    strstr(d.items[k].text, cases[i].where) &&
                    strstr(d.items[k].text, cases[i].fragment);
        /* an error fails the load; a warning alone does not */
        bool load_ok = cases[i].sev == GH_DIAG_WARNING ? m != NULL : m == NULL;
        if (!found || !load_ok) {
            fprintf(stderr, "case %zu: want %s%s\n", i, cases[i].where, cases[i].fragment);
            dump(&d);
            failed++;
        }
        gh_model_unref(m);
        gh_diags_free(&d);
        scratch_free(&s);
    }
    assert_int_equal(failed, 0);
}

/* A cached JWKS is kept as JSON text; a malformed one fails at its own line:col. */
static void jwks_files_are_read_and_checked(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        const char *want; /* NULL: loads */
    } jw[] = {
        {"{\"keys\": [{\"kid\": \"k1\", \"kty\": \"RSA\", \"n\": \"q\", \"e\": \"AQAB\"}]}\n", NULL},
        {"{\n  \"keys\": [\n    {\"kid\": 1,}\n  ]\n}\n", "/jwks.json:3:"},
        {"{\"kes\": []}\n", "/jwks.json:1:1: the jwks file has no \"keys\" list"},
    };
    for (size_t i = 0; i < sizeof jw / sizeof *jw; i++) {
        scratch s = {0};
        put(&s, "jwks.json", jw[i].json);
        gh_diags d = GH_DIAGS_INIT;
        gh_model *m = load_in(&s, HEAD "x-gatehouse:\n  userPools:\n    " POOL
                                       ": {jwks: jwks.json}\n",
                              &d);
        if (!jw[i].want) {
            if (!m)
                dump(&d);
            assert_non_null(m);
            assert_string_equal(m->apis[0].user_pools[0].jwks,
                                "{\"keys\":[{\"kid\":\"k1\",\"kty\":\"RSA\",\"n\":\"q\","
                                "\"e\":\"AQAB\"}]}");
        } else {
            assert_null(m);
            bool found = false;
            for (size_t k = 0; k < d.n; k++)
                found = found || strstr(d.items[k].text, jw[i].want);
            if (!found)
                dump(&d);
            assert_true(found);
        }
        gh_model_unref(m);
        gh_diags_free(&d);
        scratch_free(&s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_kind_compiles_with_its_defaults),
        cmocka_unit_test(broken_authorization_points_at_the_problem),
        cmocka_unit_test(jwks_files_are_read_and_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

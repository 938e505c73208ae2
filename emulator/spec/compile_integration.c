/* x-amazon-apigateway-integration -> gh_integration. Everything a definition can say is
 * kept (so later layers can serve it); what this build cannot serve yet is marked
 * `broken` with one honest warning at the integration, and answers AWS's 500 when
 * called. Served today: mock, aws_proxy (payload 1.0), aws (non-proxy) to a Lambda URI
 * or to the simulated SQS and SNS (sqs:/sns: service URIs), http and http_proxy over the
 * Internet, and anything with an x-gatehouse-mock Lua file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "spec/compile.h"
#include "util/jregex.h"

#define FIX_LUA "calls answer 500 (add x-gatehouse-mock: file.lua to serve it from Lua)"

static const char *const known_fields[] = {
    "type", "uri", "httpMethod", "requestParameters", "requestTemplates",
    "passthroughBehavior", "responses", "timeoutInMillis", "contentHandling",
    "payloadFormatVersion", "integrationSubtype", "connectionType", "connectionId",
    "cacheKeyParameters", "cacheNamespace", "credentials", "tlsConfig", "x-gatehouse-mock",
    "x-gatehouse-requestTemplates",
    "description", "integrationTarget",
};

static gh_kvs string_map(gh_cc *cc, const gh_node *map, const char *what)
{
    gh_kvs kv = {0};
    if (!map || map->kind == GH_NODE_NULL)
        return kv;
    if (map->kind != GH_NODE_MAP) {
        gh_diag_error(cc->d, gh_cc_mark(cc, map), "%s must be a map, not %s", what,
                      gh_node_kind_name(map->kind));
        return kv;
    }
    kv.items = gh_arena_calloc(cc->a, (map->n + 1) * sizeof *kv.items);
    for (size_t i = 0; i < map->n; i++) {
        const char *v = gh_cc_string(cc, map->pairs[i].value);
        if (!v) {
            gh_diag_error(cc->d, gh_cc_mark(cc, map->pairs[i].value), "%s '%s' must be a "
                          "string, not %s",
                          what, map->pairs[i].key->text,
                          gh_node_kind_name(map->pairs[i].value->kind));
            continue;
        }
        kv.items[kv.n++] = (gh_kv){gh_arena_strdup(cc->a, map->pairs[i].key->text), v,
                                   gh_cc_mark(cc, map->pairs[i].value)};
    }
    return kv;
}

static bool status_code(gh_cc *cc, const gh_node *n, int *out)
{
    const char *s = gh_node_scalar(n);
    char *end = NULL;
    long v = s ? strtol(s, &end, 10) : 0;
    if (!s || end == s || *end || v < 100 || v > 599) {
        gh_diag_error(cc->d, gh_cc_mark(cc, n), "statusCode must be an HTTP status from 100 to "
                      "599, like \"200\"");
        return false;
    }
    *out = (int)v;
    return true;
}

static void responses(gh_cc *cc, gh_integration *in, const gh_node *map)
{
    if (!map || map->kind == GH_NODE_NULL)
        return;
    if (map->kind != GH_NODE_MAP) {
        gh_diag_error(cc->d, gh_cc_mark(cc, map), "responses must be a map of selection pattern "
                      "(or \"default\") to {statusCode, responseParameters, responseTemplates}");
        return;
    }
    in->responses = gh_arena_calloc(cc->a, (map->n + 1) * sizeof *in->responses);
    for (size_t i = 0; i < map->n; i++) {
        const gh_pair *p = &map->pairs[i];
        gh_integ_response *r = &in->responses[in->nresponses];
        r->mark = gh_cc_mark(cc, p->key);
        r->pattern = strcmp(p->key->text, "default") == 0 ? NULL
                                                          : gh_arena_strdup(cc->a, p->key->text);
        const char *why = NULL;
        if (r->pattern && !gh_jregex_get(r->pattern, strlen(r->pattern), &why))
            gh_diag_warn(cc->d, r->mark,
                         "selection pattern '%s' is not a Java regular expression (%s), so it "
                         "never matches; fix the pattern or write \"default\"",
                         r->pattern, why ? why : "syntax error");
        const gh_node *sc = gh_node_get(p->value, "statusCode");
        if (!sc) {
            gh_diag_error(cc->d, r->mark, "integration response '%s' has no statusCode; add "
                          "statusCode: \"200\" (the method response to use)",
                          p->key->text);
            continue;
        }
        if (!status_code(cc, sc, &r->status))
            continue;
        const gh_node *rp = gh_node_get(p->value, "responseParameters");
        r->parameters = string_map(cc, rp, "responseParameters");
        if (!cc->api->http_api)
            gh_cc_response_parameters(cc, rp);
        r->templates = gh_cc_templates(cc, gh_node_get(p->value, "responseTemplates"),
                                       &r->ntemplates, "responseTemplates");
        gh_cc_lua_templates(cc, gh_node_get(p->value, "x-gatehouse-responseTemplates"),
                            &r->templates, &r->ntemplates, "x-gatehouse-responseTemplates",
                            "responseTemplates");
        r->content_handling = gh_cc_string(cc, gh_node_get(p->value, "contentHandling"));
        in->nresponses++;
    }
}

/* arn:aws:apigateway:R:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations, or a
 * bare function ARN (HTTP APIs accept one). FUNCTION_ARN is
 * arn:aws:lambda:R:ACCT:function:NAME[:QUALIFIER]; ${stageVariables.x} may stand anywhere.
 * Integrations and Lambda authorizers (authorizerUri) name their function this way. */
bool gh_cc_lambda_uri(gh_cc *cc, const char *u, const char **function, const char **qualifier)
{
    const char *fn = strstr(u, ":lambda:path/");
    const char *arn;
    size_t len;
    *function = *qualifier = NULL;
    if (fn) {
        arn = strstr(fn, "/functions/");
        if (!arn)
            return false;
        /* searched after "/functions/": in ".../functions/invocations" the two overlap */
        arn += strlen("/functions/");
        const char *inv = strstr(arn, "/invocations");
        if (!inv)
            return false;
        len = (size_t)(inv - arn);
    } else if (strncmp(u, "arn:", 4) == 0 && strstr(u, ":lambda:")) {
        arn = u;
        len = strlen(u);
    } else {
        return false;
    }
    char *s = gh_arena_strndup(cc->a, arn, len);
    const char *f = strstr(s, ":function:");
    char *name = f ? (char *)f + strlen(":function:") : s;
    char *colon = strchr(name, ':');
    if (colon) {
        *colon = '\0';
        *qualifier = colon + 1;
    }
    *function = name;
    return name[0] != '\0';
}

static bool parse_lambda_uri(gh_cc *cc, gh_integration *in)
{
    return gh_cc_lambda_uri(cc, in->uri, &in->lambda_function, &in->lambda_qualifier);
}

const char *gh_cc_placeholder(gh_cc *cc, const char *s)
{
    for (const char *p = strstr(s, "${"); p; p = strstr(p + 2, "${")) {
        const char *e = strchr(p, '}');
        if (!e)
            return NULL;
        if (strncmp(p + 2, "stageVariables.", 15) != 0)
            return gh_arena_strndup(cc->a, p, (size_t)(e - p + 1));
    }
    return NULL;
}

/* One warning per distinct reason (with the count), not per integration; an integration
 * shared through $ref counts once. */
static void set_broken(gh_cc *cc, gh_integration *in, const char *reason)
{
    in->broken = reason;
    char key[1100];
    snprintf(key, sizeof key, "broken %s:%u:%u", in->mark.file, in->mark.line, in->mark.col);
    if (gh_cc_first(cc, key))
        gh_cc_group(cc, in->mark, "integration", reason);
}

/* arn:PARTITION:apigateway:REGION:[SUB.]SERVICE:action/ACTION or ...:path/PATH
 * (reference §10.1; the uri of AWS::ApiGateway::Method Integration). False when u is
 * no such URI. Lambda's invocation URI parses too (service "lambda"). */
static bool parse_service_uri(gh_cc *cc, const char *u, gh_aws_service_uri *out)
{
    memset(out, 0, sizeof *out);
    if (strncmp(u, "arn:", 4) != 0)
        return false;
    const char *p = strchr(u + 4, ':'); /* after the partition (aws, aws-cn, ...) */
    if (!p || strncmp(p, ":apigateway:", 12) != 0)
        return false;
    const char *region = p + 12, *rend = strchr(region, ':');
    if (!rend || rend == region)
        return false;
    const char *svc = rend + 1, *send = strchr(svc, ':');
    if (!send || send == svc)
        return false;
    const char *rest = send + 1;
    out->region = gh_arena_strndup(cc->a, region, (size_t)(rend - region));
    char *full = gh_arena_strndup(cc->a, svc, (size_t)(send - svc));
    char *dot = strrchr(full, '.');
    if (dot) {
        *dot = '\0';
        out->subdomain = full;
        out->service = dot + 1;
    } else {
        out->service = full;
    }
    if (strncmp(rest, "action/", 7) == 0 && rest[7])
        out->action = gh_arena_strdup(cc->a, rest + 7);
    else if (strncmp(rest, "path/", 5) == 0)
        out->path = gh_arena_strdup(cc->a, rest + 5);
    else
        return false;
    return out->service[0] != '\0';
}

/* Why an aws integration to a service URI cannot be served (NULL: SQS and SNS, which
 * are simulated); fills *su when the uri parses. */
static const char *service_broken(gh_cc *cc, const char *uri, gh_aws_service_uri *su)
{
    if (!parse_service_uri(cc, uri, su))
        return gh_arena_printf(cc->a, "uri '%s' is not an AWS service URI like "
                               "arn:aws:apigateway:REGION:sqs:path/ACCOUNT/QUEUE, "
                               "arn:aws:apigateway:REGION:sns:action/Publish or a Lambda "
                               "invocation URI; " FIX_LUA,
                               uri);
    if (strcmp(su->service, "sqs") == 0 || strcmp(su->service, "sns") == 0 ||
        strcmp(su->service, "lambda") == 0)
        return NULL;
    return gh_arena_printf(cc->a, "AWS service integration to %s is not simulated: add "
                           "x-gatehouse-mock: file.lua to the operation to answer it locally "
                           "(until then calls answer 500)",
                           su->service);
}

/* Why we cannot serve the integration, judging by its kind alone; NULL when we can. */
static const char *kind_broken(gh_cc *cc, const gh_integration *in, const gh_node *integ,
                               const char *type)
{
    if (in->mock_script >= 0)
        return NULL;
    switch (in->type) {
    case GH_INTEG_AWS: {
        /* A Lambda function called through its Invoke URI is the non-proxy Lambda
         * integration; SQS and SNS are simulated; other services need a Lua mock. A uri
         * that is no plain text yet (an intrinsic) is judged once resolved. */
        const gh_node *un = gh_node_get(integ, "uri");
        const char *uri = un && un->kind == GH_NODE_STR ? gh_node_str(un) : NULL;
        if (gh_node_get(integ, "integrationSubtype"))
            return gh_arena_printf(cc->a, "integration type %s with an integrationSubtype is "
                                   "not emulated; " FIX_LUA, type);
        /* A placeholder (${AWS::Region} in a region) is judged once, by check_service,
         * which names it, rather than as a malformed URI. */
        if (!uri || strstr(uri, ":lambda:path/") || gh_cc_placeholder(cc, uri))
            return NULL;
        gh_aws_service_uri su;
        return service_broken(cc, uri, &su);
    }
    case GH_INTEG_HTTP:
    case GH_INTEG_HTTP_PROXY: {
        /* A VPC link reaches a private load balancer that does not exist here. */
        const char *conn = gh_node_scalar(gh_node_get(integ, "connectionType"));
        if (conn && strcasecmp(conn, "VPC_LINK") == 0)
            return gh_arena_printf(cc->a, "%s integration through a VPC link (connectionType "
                                   "VPC_LINK) cannot reach a private network here; " FIX_LUA
                                   ", or set connectionType: INTERNET and a reachable uri "
                                   "with an --overlay",
                                   type);
        return NULL;
    }
    case GH_INTEG_AWS_PROXY: {
        const char *sub = gh_node_scalar(gh_node_get(integ, "integrationSubtype"));
        if (sub)
            return gh_arena_printf(cc->a, "HTTP API service integration %s "
                                   "(integrationSubtype) is not emulated yet; " FIX_LUA, sub);
        if (in->payload_format_version && strcmp(in->payload_format_version, "1.0") != 0)
            return gh_arena_printf(cc->a, "Lambda proxy payload format %s (HTTP API) is not "
                                   "emulated yet, only 1.0; " FIX_LUA,
                                   in->payload_format_version);
        return NULL;
    }
    default:
        return NULL;
    }
}

static void check_lambda(gh_cc *cc, gh_integration *in, const gh_node *integ)
{
    const gh_node *un = gh_node_get(integ, "uri");
    if (!in->uri) {
        if (in->mock_script < 0)
            gh_diag_error(cc->d, in->mark, "this integration needs a uri, for Lambda like "
                          "arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/"
                          "arn:aws:lambda:REGION:ACCOUNT:function:NAME/invocations");
        return;
    }
    bool lambda = parse_lambda_uri(cc, in);
    if (in->broken || in->mock_script >= 0)
        return; /* not served, or served from Lua whatever the uri says */
    const char *ph = gh_cc_placeholder(cc, in->uri);
    if (ph) {
        size_t n = strlen(ph);
        if (n > 7 && strcmp(ph + n - 5, ".Arn}") == 0)
            set_broken(cc, in, gh_arena_printf(cc->a, "uri holds '%s', and no function %.*s "
                                               "is declared in x-gatehouse.functions; calls "
                                               "answer 500 (declare it with a Lua handler, or "
                                               "set the uri with an --overlay)",
                                               ph, (int)(n - 7), ph + 2));
        else
            set_broken(cc, in, gh_arena_printf(cc->a, "uri holds the unfilled placeholder '%s' "
                                               "(a template variable or CloudFormation "
                                               "reference nothing resolved); calls answer 500 "
                                               "(set the uri with an --overlay)",
                                               ph));
        return;
    }
    if (!lambda) {
        if (in->type == GH_INTEG_AWS_PROXY)
            set_broken(cc, in, gh_arena_printf(cc->a, "aws_proxy to '%s' is not emulated yet, "
                                               "only Lambda function URIs; " FIX_LUA,
                                               in->uri));
        return;
    }
    if (strstr(in->lambda_function, "${"))
        return; /* a stage variable picks the function per call */
    if (!gh_api_function(cc->api, in->lambda_function) &&
        gh_cc_first(cc, gh_arena_printf(cc->a, "function %s", in->lambda_function)))
        gh_diag_warn(cc->d, gh_cc_mark(cc, un), "function '%s' has no handler in "
                     "x-gatehouse.functions; calls answer 500 as AWS does for a missing Lambda "
                     "(add %s: {handler: file.lua})",
                     in->lambda_function, in->lambda_function);
}

/* An aws integration to a service: the parsed URI in in->service (kept with a Lua mock
 * too, which answers in its place), or the reason it cannot be served. */
static void check_service(gh_cc *cc, gh_integration *in)
{
    gh_aws_service_uri su;
    const char *why = service_broken(cc, in->uri, &su);
    if (su.service && strcmp(su.service, "lambda") != 0)
        in->service = su;
    if (in->broken || in->mock_script >= 0)
        return;
    const char *ph = gh_cc_placeholder(cc, in->uri);
    if (ph)
        why = gh_arena_printf(cc->a, "uri holds the unfilled placeholder '%s' (a template "
                              "variable or CloudFormation reference nothing resolved); calls "
                              "answer 500 (set the uri with an --overlay)",
                              ph);
    else if (!why && strcmp(su.service, "lambda") == 0)
        why = gh_arena_printf(cc->a, "uri '%s' names Lambda but not a function's "
                              "invocations path; " FIX_LUA,
                              in->uri);
    if (why)
        set_broken(cc, in, why);
}

/* An HTTP integration needs an http(s) uri (stage variables allowed) and a method, and
 * every {name} in its path must be filled by requestParameters
 * integration.request.path.name, or AWS answers 500 at run time. */
static void check_http(gh_cc *cc, gh_integration *in, const gh_node *integ)
{
    const char *u = in->uri;
    if (!u) {
        gh_diag_error(cc->d, in->mark, "this %s integration needs a uri, like "
                      "http://${stageVariables.backend}/pets/{id}",
                      in->type == GH_INTEG_HTTP ? "http" : "http_proxy");
        return;
    }
    const char *ph = gh_cc_placeholder(cc, u);
    if (ph) {
        set_broken(cc, in, gh_arena_printf(cc->a, "uri holds the unfilled placeholder '%s' "
                                           "(a template variable or CloudFormation reference "
                                           "nothing resolved); calls answer 500 (set the uri "
                                           "with an --overlay)",
                                           ph));
        return;
    }
    if (strncasecmp(u, "http://", 7) != 0 && strncasecmp(u, "https://", 8) != 0 &&
        strncmp(u, "${stageVariables.", 17) != 0) {
        set_broken(cc, in, gh_arena_printf(cc->a, "uri '%s' is not an http:// or https:// URL; "
                                           "calls answer 500",
                                           u));
        return;
    }
    if (!in->http_method)
        gh_diag_warn(cc->d, in->mark, "no httpMethod: AWS requires one for HTTP integrations; "
                     "the method request's is used (add httpMethod: GET, or ANY)");
    const char *q = strchr(u, '?');
    size_t plen = q ? (size_t)(q - u) : strlen(u);
    const char *end = u + plen;
    for (const char *p = memchr(u, '{', plen); p; p = memchr(p + 1, '{', (size_t)(end - p - 1))) {
        const char *e = memchr(p, '}', plen - (size_t)(p - u));
        if (!e)
            break;
        size_t n = (size_t)(e - p - 1);
        if (n && p[n] == '+')
            n--;
        char *key = gh_arena_printf(cc->a, "integration.request.path.%.*s", (int)n, p + 1);
        if (p > u && p[-1] == '$')
            continue; /* ${stageVariables.x} */
        if (!gh_kvs_get(&in->request_parameters, key))
            gh_diag_warn(cc->d, gh_cc_mark(cc, gh_node_get(integ, "uri")), "uri uses {%.*s} and "
                         "requestParameters does not map %s, so AWS cannot fill it and calls "
                         "answer 500 (add %s: method.request.path.%.*s)",
                         (int)n, p + 1, key, key, (int)n, p + 1);
        if (p + 1 >= end)
            break;
    }
}

static bool parse_type(gh_cc *cc, gh_integration *in, const gh_node *t)
{
    static const struct {
        const char *name;
        gh_integ_type type;
    } types[] = {{"aws", GH_INTEG_AWS},
                 {"aws_proxy", GH_INTEG_AWS_PROXY},
                 {"http", GH_INTEG_HTTP},
                 {"http_proxy", GH_INTEG_HTTP_PROXY},
                 {"mock", GH_INTEG_MOCK}};
    const char *s = gh_node_scalar(t);
    for (size_t i = 0; s && i < sizeof types / sizeof *types; i++)
        if (strcasecmp(s, types[i].name) == 0) {
            in->type = types[i].type;
            return true;
        }
    if (!t && in->mock_script >= 0) {
        in->type = GH_INTEG_MOCK;
        return true;
    }
    if (!t)
        gh_diag_error(cc->d, in->mark, "x-amazon-apigateway-integration has no type; add type: "
                      "one of aws, aws_proxy, http, http_proxy, mock");
    else
        gh_diag_error(cc->d, gh_cc_mark(cc, t), "unknown integration type '%s'; expected one "
                      "of aws, aws_proxy, http, http_proxy, mock",
                      s ? s : gh_node_kind_name(t->kind));
    return false;
}

static void fields(gh_cc *cc, gh_integration *in, const gh_node *integ)
{
    const gh_node *n;
    /* An unresolved uri makes the integration broken, and that warning says it all. */
    bool mute = cc->mute_intrinsics;
    cc->mute_intrinsics = true;
    in->uri = gh_cc_string(cc, gh_node_get(integ, "uri"));
    cc->mute_intrinsics = mute;
    in->http_method = gh_cc_string(cc, gh_node_get(integ, "httpMethod"));
    in->credentials = gh_cc_string(cc, gh_node_get(integ, "credentials"));
    n = gh_node_get(integ, "requestParameters");
    in->request_parameters = string_map(cc, n, "requestParameters");
    /* HTTP APIs map parameters in their own language (append:header.x, and service
     * integrations key them by the action's fields: MessageBody, QueueUrl). */
    if (!cc->api->http_api && !gh_node_get(integ, "integrationSubtype"))
        gh_cc_request_parameters(cc, n);
    gh_cc_cache_key_parameters(cc, in, gh_node_get(integ, "cacheKeyParameters"));
    in->request_templates = gh_cc_templates(cc, gh_node_get(integ, "requestTemplates"),
                                            &in->nrequest_templates, "requestTemplates");
    gh_cc_lua_templates(cc, gh_node_get(integ, "x-gatehouse-requestTemplates"),
                        &in->request_templates, &in->nrequest_templates,
                        "x-gatehouse-requestTemplates", "requestTemplates");
    if ((n = gh_node_get(integ, "passthroughBehavior"))) {
        const char *s = gh_node_scalar(n);
        if (s && strcasecmp(s, "when_no_match") == 0)
            in->passthrough = GH_PASSTHROUGH_WHEN_NO_MATCH;
        else if (s && strcasecmp(s, "when_no_templates") == 0)
            in->passthrough = GH_PASSTHROUGH_WHEN_NO_TEMPLATES;
        else if (s && strcasecmp(s, "never") == 0)
            in->passthrough = GH_PASSTHROUGH_NEVER;
        else
            gh_diag_error(cc->d, gh_cc_mark(cc, n), "unknown passthroughBehavior '%s'; expected "
                          "one of when_no_match, when_no_templates, never",
                          s ? s : gh_node_kind_name(n->kind));
    }
    responses(cc, in, gh_node_get(integ, "responses"));
    if ((n = gh_node_get(integ, "timeoutInMillis"))) {
        const char *s = gh_node_scalar(n);
        char *end = NULL;
        long v = s ? strtol(s, &end, 10) : 0;
        /* AWS accepts 50 ms to 29 s for REST integrations. */
        if (!s || end == s || *end || v < 50 || v > 29000)
            gh_diag_error(cc->d, gh_cc_mark(cc, n), "timeoutInMillis must be from 50 to 29000 "
                          "(API Gateway's limits); got '%s'",
                          s ? s : gh_node_kind_name(n->kind));
        else
            in->timeout_ms = (int)v;
    }
    in->content_handling = gh_cc_string(cc, gh_node_get(integ, "contentHandling"));
    if ((n = gh_node_get(integ, "payloadFormatVersion")))
        in->payload_format_version = gh_cc_string(cc, n);
    for (size_t i = 0; i < integ->n; i++) {
        const char *k = integ->pairs[i].key->text;
        bool known = false;
        for (size_t j = 0; j < sizeof known_fields / sizeof *known_fields; j++)
            known = known || strcmp(k, known_fields[j]) == 0;
        if (!known && gh_cc_first(cc, gh_arena_printf(cc->a, "integration field %s", k)))
            gh_diag_warn(cc->d, gh_cc_mark(cc, integ->pairs[i].key), "unknown integration field "
                         "'%s' is ignored; check its spelling",
                         k);
    }
}

gh_integration *gh_cc_integration(gh_cc *cc, const gh_node *integ, const gh_node *op)
{
    gh_integration *in = gh_arena_calloc(cc->a, sizeof *in);
    in->mock_script = -1;
    in->timeout_ms = 29000;
    in->passthrough = GH_PASSTHROUGH_WHEN_NO_MATCH;
    in->payload_format_version = "1.0";
    const gh_node *ref = integ;
    integ = integ ? gh_cc_deref(cc, integ) : NULL;
    in->mark = gh_cc_mark(cc, integ ? integ : op);
    const gh_node *mock = gh_node_get(integ, "x-gatehouse-mock");
    if (!mock)
        mock = gh_node_get(op, "x-gatehouse-mock");
    if (mock) {
        if (gh_node_str(mock))
            in->mock_script = gh_cc_script(cc, gh_node_str(mock), mock);
        else
            gh_diag_error(cc->d, gh_cc_mark(cc, mock), "x-gatehouse-mock must name a Lua file, "
                          "like 'mocks/pets.lua'");
    }
    if (!integ || integ->kind != GH_NODE_MAP) {
        if (integ)
            gh_diag_error(cc->d, in->mark, "x-amazon-apigateway-integration must be a map "
                          "{type, uri, httpMethod, ...}, not %s",
                          gh_node_kind_name(integ->kind));
        else if (mock)
            in->type = GH_INTEG_MOCK; /* a Lua mock alone stands for the integration */
        else if (!ref) /* a dangling $ref was already reported by the document scan */
            gh_cc_group(cc, in->mark, "method", "no x-amazon-apigateway-integration; calls "
                        "answer 500 as AWS does for a method without integration");
        return in;
    }
    const gh_node *t = gh_node_get(integ, "type");
    if (!parse_type(cc, in, t))
        return in;
    if ((t = gh_node_get(integ, "payloadFormatVersion")))
        in->payload_format_version = gh_arena_strdup(cc->a, gh_node_scalar(t) ? gh_node_scalar(t) : "");
    static const char *const names[] = {"none", "mock", "aws_proxy", "aws", "http", "http_proxy"};
    const char *why = kind_broken(cc, in, integ, names[in->type]);
    cc->mute_intrinsics = why != NULL;
    fields(cc, in, integ);
    cc->mute_intrinsics = false;
    if (why)
        set_broken(cc, in, why);
    if (in->type == GH_INTEG_AWS && in->uri && !gh_node_get(integ, "integrationSubtype") &&
        !gh_cc_lambda_uri(cc, in->uri, &in->lambda_function, &in->lambda_qualifier)) {
        check_service(cc, in);
        return in;
    }
    if (in->type == GH_INTEG_AWS_PROXY || in->type == GH_INTEG_AWS) {
        if (!gh_node_get(integ, "integrationSubtype"))
            check_lambda(cc, in, integ);
    }
    if ((in->type == GH_INTEG_HTTP || in->type == GH_INTEG_HTTP_PROXY) && !in->broken &&
        in->mock_script < 0)
        check_http(cc, in, integ);
    return in;
}

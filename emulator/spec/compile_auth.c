/* Security schemes -> authorizers, and each operation's `security` -> its method's
 * authorization. AWS's importer turns a scheme carrying x-amazon-apigateway-authorizer
 * into a Lambda (token, request) or Cognito (cognito_user_pools) authorizer, and one with
 * x-amazon-apigateway-authtype awsSigv4 (any aws-prefixed value) and no authorizer into
 * AWS_IAM authorization (openapi-extensions-authorizer, openapi-extensions-authtype).
 * What AWS would refuse to create is an error here; what it would create but we cannot
 * run locally (a function or user pool not declared in x-gatehouse) is a warning, and
 * the authorizer is marked `broken` so its methods answer 500. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/cache.h"
#include "auth/identity.h"
#include "spec/compile.h"

#define EXT_AUTHORIZER "x-amazon-apigateway-authorizer"
#define EXT_AUTHTYPE "x-amazon-apigateway-authtype"

static const char *const known_fields[] = {
    "type", "authorizerUri", "authorizerCredentials", "identitySource",
    "identityValidationExpression", "authorizerResultTtlInSeconds", "providerARNs",
    /* HTTP API authorizer fields: harmless in a REST definition */
    "authorizerPayloadFormatVersion", "enableSimpleResponses", "jwtConfiguration",
};

const gh_node *gh_cc_security_scheme(gh_cc *cc, const char *name)
{
    /* Some OpenAPI 3 files keep Swagger's securityDefinitions; look in both places. */
    const gh_node *root = cc->doc->root;
    const gh_node *s =
        gh_node_get(gh_node_get(gh_node_get(root, "components"), "securitySchemes"), name);
    if (!s)
        s = gh_node_get(gh_node_get(root, "securityDefinitions"), name);
    return gh_cc_deref(cc, s);
}

/* authtype awsSigv4 is reserved for IAM; AWS takes any value starting with "aws" so. */
static bool iam_authtype(const gh_node *sch)
{
    const char *t = gh_node_scalar(gh_node_get(sch, EXT_AUTHTYPE));
    return t && strncasecmp(t, "aws", 3) == 0;
}

static bool authorizer_scheme(const gh_node *sch)
{
    return gh_node_get(sch, EXT_AUTHORIZER) || iam_authtype(sch);
}

/* ---- one authorizer ---------------------------------------------------------------- */

static void set_broken(gh_cc *cc, gh_authorizer *az, const gh_node *at, const char *why)
{
    az->broken = why;
    gh_diag_warn(cc->d, gh_cc_mark(cc, at), "authorizer '%s': %s", az->name, why);
}

static void lambda_function(gh_cc *cc, gh_authorizer *az, const gh_node *ext)
{
    const gh_node *un = gh_node_get(ext, "authorizerUri");
    if (!un) {
        gh_diag_error(cc->d, gh_cc_mark(cc, ext), "authorizer '%s' needs authorizerUri, the "
                      "Lambda invocation URI arn:aws:apigateway:REGION:lambda:path/2015-03-31/"
                      "functions/arn:aws:lambda:REGION:ACCOUNT:function:NAME/invocations",
                      az->name);
        return;
    }
    /* An unresolved URI makes the authorizer broken, and that warning says it all. */
    bool mute = cc->mute_intrinsics;
    cc->mute_intrinsics = true;
    const char *uri = gh_cc_string(cc, un);
    cc->mute_intrinsics = mute;
    if (!uri) {
        gh_diag_error(cc->d, gh_cc_mark(cc, un), "authorizerUri must be a string, not %s",
                      gh_node_kind_name(un->kind));
        return;
    }
    const char *ph = gh_cc_placeholder(cc, uri);
    if (ph) {
        size_t n = strlen(ph);
        if (n > 7 && strcmp(ph + n - 5, ".Arn}") == 0)
            set_broken(cc, az, un, gh_arena_printf(cc->a, "authorizerUri holds '%s', and no "
                                                   "function %.*s is declared in "
                                                   "x-gatehouse.functions; its methods answer "
                                                   "500 (declare it with a Lua handler)",
                                                   ph, (int)(n - 7), ph + 2));
        else
            set_broken(cc, az, un, gh_arena_printf(cc->a, "authorizerUri holds the unfilled "
                                                   "placeholder '%s'; its methods answer 500 "
                                                   "(set the uri with an --overlay)",
                                                   ph));
        return;
    }
    if (!gh_cc_lambda_uri(cc, uri, &az->function, &az->qualifier)) {
        gh_diag_error(cc->d, gh_cc_mark(cc, un), "authorizerUri '%s' is not a Lambda "
                      "invocation URI; write arn:aws:apigateway:REGION:lambda:path/2015-03-31/"
                      "functions/arn:aws:lambda:REGION:ACCOUNT:function:NAME/invocations",
                      uri);
        return;
    }
    if (strstr(az->function, "${"))
        return; /* a stage variable picks the function per call */
    if (!gh_api_function(cc->api, az->function))
        set_broken(cc, az, un, gh_arena_printf(cc->a, "function '%s' has no handler in "
                                               "x-gatehouse.functions; its methods answer 500 "
                                               "AUTHORIZER_CONFIGURATION_ERROR (add %s: "
                                               "{handler: file.lua})",
                                               az->function, az->function));
}

/* arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOLID -> POOLID, NULL when malformed. */
static const char *pool_of_arn(gh_cc *cc, const char *arn)
{
    static const char prefix[] = "arn:aws:cognito-idp:";
    if (strncmp(arn, prefix, sizeof prefix - 1) != 0)
        return NULL;
    const char *p = arn + sizeof prefix - 1;
    const char *c1 = strchr(p, ':');
    const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c1 || c1 == p || !c2 || c2 == c1 + 1 || strncmp(c2 + 1, "userpool/", 9) != 0)
        return NULL;
    const char *id = c2 + 10;
    if (!*id || strchr(id, '/') || strchr(id, ':'))
        return NULL;
    return gh_arena_strdup(cc->a, id);
}

static void provider_arns(gh_cc *cc, gh_authorizer *az, const gh_node *ext)
{
    const gh_node *seq = gh_node_get(ext, "providerARNs");
    if (!seq || seq->kind != GH_NODE_SEQ || seq->n == 0) {
        gh_diag_error(cc->d, gh_cc_mark(cc, seq ? seq : ext), "cognito_user_pools authorizer "
                      "'%s' needs providerARNs, a list of user pool ARNs like "
                      "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbC123",
                      az->name);
        return;
    }
    az->provider_arns = gh_arena_calloc(cc->a, seq->n * sizeof *az->provider_arns);
    bool mute = cc->mute_intrinsics;
    cc->mute_intrinsics = true;
    for (size_t i = 0; i < seq->n; i++) {
        const gh_node *item = seq->items[i];
        const char *arn = gh_cc_string(cc, item);
        if (!arn) {
            gh_diag_error(cc->d, gh_cc_mark(cc, item), "providerARNs entries must be strings, "
                          "not %s",
                          gh_node_kind_name(item->kind));
            continue;
        }
        az->provider_arns[az->nprovider_arns++] = arn;
        const char *ph = gh_cc_placeholder(cc, arn);
        if (ph) {
            if (!az->broken)
                set_broken(cc, az, item, gh_arena_printf(cc->a, "providerARNs holds the "
                                                         "unresolved '%s'; its methods answer "
                                                         "500 (declare the pool under "
                                                         "x-gatehouse.userPools and set the "
                                                         "ARN with an --overlay)",
                                                         ph));
            continue;
        }
        const char *pool = pool_of_arn(cc, arn);
        if (!pool) {
            gh_diag_error(cc->d, gh_cc_mark(cc, item), "provider ARN '%s' is not a user pool "
                          "ARN; write arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID",
                          arn);
            continue;
        }
        if (!gh_api_user_pool(cc->api, pool) && !az->broken)
            set_broken(cc, az, item, gh_arena_printf(cc->a, "user pool '%s' is not declared; "
                                                     "its methods answer 500 (declare it "
                                                     "under x-gatehouse.userPools: {%s: "
                                                     "{users: ...}}, with a jwks file to "
                                                     "accept real Cognito tokens)",
                                                     pool, pool));
    }
    cc->mute_intrinsics = mute;
}

/* Where the identity comes from. AWS documents identitySource as applying to request
 * (and HTTP API jwt) authorizers only (openapi-extensions-authorizer); a token or
 * cognito_user_pools authorizer reads the header its security scheme names
 * (`in: header, name: X`, which is where SAM puts a token authorizer's Header). An
 * identitySource on one is used only when the scheme names no header. */
static void identity(gh_cc *cc, gh_authorizer *az, const gh_node *sch, const gh_node *ext)
{
    const gh_node *n = gh_node_get(ext, "identitySource");
    const char *text = n ? gh_cc_string(cc, n) : NULL;
    if (n && !text) {
        gh_diag_error(cc->d, gh_cc_mark(cc, n), "identitySource must be a string like "
                      "'method.request.header.Authorization', not %s",
                      gh_node_kind_name(n->kind));
        return;
    }
    bool token = az->kind != GH_AUTHZ_REQUEST;
    if (token) {
        const char *in = gh_node_str(gh_node_get(sch, "in"));
        const char *hname = gh_node_str(gh_node_get(sch, "name"));
        if (in && strcmp(in, "header") == 0 && hname && *hname) {
            const char *from_scheme = gh_arena_printf(cc->a, "method.request.header.%s", hname);
            if (text && *text && strcasecmp(text, from_scheme) != 0)
                gh_diag_warn(cc->d, gh_cc_mark(cc, n), "identitySource '%s' is not used: a %s "
                             "authorizer reads the header its security scheme names (%s); "
                             "change the scheme's name to change the header",
                             text, az->kind == GH_AUTHZ_TOKEN ? "token" : "cognito_user_pools",
                             hname);
            text = from_scheme;
            n = NULL;
        } else if (!text || !*text) {
            text = "method.request.header.Authorization";
        }
    } else if (!text || !*text) {
        /* With caching off AWS calls a REQUEST authorizer without sources. */
        if (az->ttl_seconds > 0)
            gh_diag_error(cc->d, gh_cc_mark(cc, n ? n : ext), "request authorizer '%s' "
                          "needs identitySource when caching is on "
                          "(authorizerResultTtlInSeconds %d); list the sources, like "
                          "'method.request.header.Auth, method.request.querystring.key', "
                          "or set authorizerResultTtlInSeconds: 0",
                          az->name, az->ttl_seconds);
        az->identity = gh_arena_calloc(cc->a, sizeof(gh_idsrcs));
        return;
    }
    az->identity_source = text;
    gh_idsrcs *ids = gh_arena_calloc(cc->a, sizeof *ids);
    const char *why = NULL;
    if (gh_identity_parse(cc->a, text, token, ids, &why) != 0) {
        gh_diag_error(cc->d, gh_cc_mark(cc, n ? n : sch), "authorizer '%s': %s", az->name, why);
        return;
    }
    az->identity = ids;
}

static bool parse_kind(gh_cc *cc, gh_authorizer *az, const gh_node *ext)
{
    const gh_node *t = gh_node_get(ext, "type");
    const char *s = gh_node_scalar(t);
    if (!s) {
        gh_diag_error(cc->d, gh_cc_mark(cc, t ? t : ext), "authorizer '%s' needs type: one of "
                      "token, request, cognito_user_pools",
                      az->name);
        return false;
    }
    if (strcasecmp(s, "token") == 0)
        az->kind = GH_AUTHZ_TOKEN;
    else if (strcasecmp(s, "request") == 0)
        az->kind = GH_AUTHZ_REQUEST;
    else if (strcasecmp(s, "cognito_user_pools") == 0)
        az->kind = GH_AUTHZ_COGNITO;
    else if (strcasecmp(s, "jwt") == 0) {
        /* Kept as a REQUEST-shaped placeholder only so methods point at something. */
        az->kind = GH_AUTHZ_REQUEST;
        set_broken(cc, az, t, "HTTP API JWT authorizers are not emulated yet; its methods "
                   "answer 500");
        return false;
    } else {
        gh_diag_error(cc->d, gh_cc_mark(cc, t), "unknown authorizer type '%s'; expected one "
                      "of token, request, cognito_user_pools",
                      s);
        return false;
    }
    return true;
}

static void ttl(gh_cc *cc, gh_authorizer *az, const gh_node *ext)
{
    az->ttl_seconds = GH_AUTH_CACHE_TTL_DEFAULT;
    const gh_node *n = gh_node_get(ext, "authorizerResultTtlInSeconds");
    if (!n)
        return;
    const char *s = gh_node_scalar(n);
    char *end = NULL;
    long v = s ? strtol(s, &end, 10) : -1;
    if (!s || end == s || *end || !gh_auth_cache_ttl_valid(v)) {
        gh_diag_error(cc->d, gh_cc_mark(cc, n), "authorizerResultTtlInSeconds must be a whole "
                      "number from 0 to %d (AWS refuses other values; 0 turns caching off); "
                      "got '%s'",
                      GH_AUTH_CACHE_TTL_MAX, s ? s : gh_node_kind_name(n->kind));
        return;
    }
    az->ttl_seconds = (int)v;
}

static void compile_one(gh_cc *cc, gh_authorizer *az, const gh_node *sch)
{
    az->mark = gh_cc_mark(cc, sch);
    az->ttl_seconds = GH_AUTH_CACHE_TTL_DEFAULT;
    const gh_node *ext = gh_cc_deref(cc, gh_node_get(sch, EXT_AUTHORIZER));
    if (!gh_node_get(sch, EXT_AUTHORIZER)) {
        az->kind = GH_AUTHZ_IAM; /* authtype awsSigv4: SigV4 with x-gatehouse.credentials */
        return;
    }
    if (!ext || ext->kind != GH_NODE_MAP) {
        gh_diag_error(cc->d, gh_cc_mark(cc, ext ? ext : sch), EXT_AUTHORIZER " must be a map "
                      "{type, authorizerUri, identitySource, ...}");
        az->broken = "malformed authorizer";
        return;
    }
    for (size_t i = 0; i < ext->n; i++) {
        const char *k = ext->pairs[i].key->text;
        bool known = false;
        for (size_t j = 0; j < sizeof known_fields / sizeof *known_fields; j++)
            known = known || strcmp(k, known_fields[j]) == 0;
        if (!known)
            gh_diag_warn(cc->d, gh_cc_mark(cc, ext->pairs[i].key), "unknown authorizer field "
                         "'%s' is ignored; check its spelling",
                         k);
    }
    if (!parse_kind(cc, az, ext))
        return;
    ttl(cc, az, ext);
    identity(cc, az, sch, ext);
    const gh_node *ve = gh_node_get(ext, "identityValidationExpression");
    if (ve) {
        const char *expr = gh_cc_string(cc, ve), *why = NULL;
        if (!expr)
            gh_diag_error(cc->d, gh_cc_mark(cc, ve), "identityValidationExpression must be a "
                          "string (a Java regular expression)");
        else if (gh_identity_check_expression(expr, &why) != 0)
            gh_diag_error(cc->d, gh_cc_mark(cc, ve), "identityValidationExpression '%s' is not "
                          "a valid Java regular expression (%s)",
                          expr, why ? why : "syntax error");
        else if (az->kind == GH_AUTHZ_REQUEST)
            gh_diag_warn(cc->d, gh_cc_mark(cc, ve), "identityValidationExpression applies to "
                         "token authorizers only; AWS ignores it on request authorizer '%s'",
                         az->name);
        else
            az->validation_expression = *expr ? expr : NULL;
    }
    if (az->kind == GH_AUTHZ_COGNITO)
        provider_arns(cc, az, ext);
    else
        lambda_function(cc, az, ext);
}

/* ---- which schemes are used ---------------------------------------------------------- */

static const char *const verbs[] = {"get",   "put",  "post",  "delete",
                                    "options", "head", "patch", "x-amazon-apigateway-any-method"};

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void collect(gh_cc *cc, const gh_node *sec, const char ***names, size_t *n, size_t *cap)
{
    for (size_t i = 0; sec && sec->kind == GH_NODE_SEQ && i < sec->n; i++) {
        const gh_node *req = sec->items[i];
        for (size_t k = 0; req && req->kind == GH_NODE_MAP && k < req->n; k++) {
            const char *name = req->pairs[k].key->text;
            if (!authorizer_scheme(gh_cc_security_scheme(cc, name)))
                continue;
            bool seen = false;
            for (size_t j = 0; j < *n && !seen; j++)
                seen = strcmp((*names)[j], name) == 0;
            if (seen)
                continue;
            if (*n == *cap) {
                *cap = *cap ? *cap * 2 : 8;
                const char **grown = gh_arena_calloc(cc->a, *cap * sizeof *grown);
                if (*n)
                    memcpy(grown, *names, *n * sizeof *grown);
                *names = grown;
            }
            (*names)[(*n)++] = name;
        }
    }
}

/* AWS applies security per operation only; a root-level `security` is ignored on import
 * ("API Gateway doesn't support the API level security field. You have to apply it per
 * method." — AWS, github.com/amazon-archives/aws-apigateway-importer/issues/204; the
 * reference's §12 import notes say the same). Say so when it names an authorizer, since
 * the user plainly expects it to protect the methods. */
static void root_security(gh_cc *cc)
{
    const gh_node *sec = gh_node_get(cc->doc->root, "security");
    for (size_t i = 0; sec && sec->kind == GH_NODE_SEQ && i < sec->n; i++) {
        const gh_node *req = sec->items[i];
        for (size_t k = 0; req && req->kind == GH_NODE_MAP && k < req->n; k++)
            if (authorizer_scheme(gh_cc_security_scheme(cc, req->pairs[k].key->text))) {
                gh_diag_warn(cc->d, gh_cc_mark(cc, req->pairs[k].key), "root-level security "
                             "'%s' is ignored, as API Gateway's importer ignores it: methods "
                             "without their own `security` are served WITHOUT authorization "
                             "(add security: [{%s: []}] to each operation)",
                             req->pairs[k].key->text, req->pairs[k].key->text);
                return;
            }
    }
}

void gh_cc_authorizers(gh_cc *cc)
{
    root_security(cc);
    const gh_node *paths = gh_node_get(cc->doc->root, "paths");
    const char **names = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; paths && paths->kind == GH_NODE_MAP && i < paths->n; i++) {
        const gh_node *item = gh_cc_deref(cc, paths->pairs[i].value);
        for (size_t v = 0; v < sizeof verbs / sizeof *verbs; v++) {
            const gh_node *op = gh_cc_deref(cc, gh_node_get(item, verbs[v]));
            collect(cc, gh_node_get(op, "security"), &names, &n, &cap);
        }
    }
    if (!n)
        return;
    qsort(names, n, sizeof *names, name_cmp);
    gh_api *api = cc->api;
    api->authorizers = gh_arena_calloc(cc->a, n * sizeof *api->authorizers);
    for (size_t i = 0; i < n; i++) {
        gh_authorizer *az = &api->authorizers[api->nauthorizers++];
        az->name = gh_arena_strdup(cc->a, names[i]);
        compile_one(cc, az, gh_cc_security_scheme(cc, names[i]));
    }
}

/* ---- a method's security ------------------------------------------------------------- */

static const gh_authorizer *find(const gh_api *api, const char *name)
{
    for (size_t i = 0; i < api->nauthorizers; i++)
        if (strcmp(api->authorizers[i].name, name) == 0)
            return &api->authorizers[i];
    return NULL;
}

static void scopes(gh_cc *cc, gh_method *m, const gh_node *list)
{
    if (!list || list->kind != GH_NODE_SEQ || list->n == 0)
        return;
    if (m->authorizer->kind != GH_AUTHZ_COGNITO) {
        if (gh_cc_first(cc, gh_arena_printf(cc->a, "scopes %s", m->authorizer->name)))
            gh_diag_warn(cc->d, gh_cc_mark(cc, list), "authorization scopes apply to Cognito "
                         "authorizers only; AWS ignores them for '%s'",
                         m->authorizer->name);
        return;
    }
    m->authorization_scopes = gh_arena_calloc(cc->a, list->n * sizeof(char *));
    for (size_t i = 0; i < list->n; i++) {
        const char *s = gh_node_scalar(list->items[i]);
        if (s && *s)
            m->authorization_scopes[m->nauthorization_scopes++] = gh_arena_strdup(cc->a, s);
        else
            gh_diag_error(cc->d, gh_cc_mark(cc, list->items[i]), "an authorization scope must "
                          "be a string like 'email' or 'https://api.example.com/read'");
    }
}

void gh_cc_method_security(gh_cc *cc, gh_method *m, const gh_node *sec)
{
    for (size_t i = 0; sec && sec->kind == GH_NODE_SEQ && i < sec->n; i++) {
        const gh_node *req = sec->items[i];
        for (size_t k = 0; req && req->kind == GH_NODE_MAP && k < req->n; k++) {
            const gh_node *key = req->pairs[k].key;
            const gh_node *sch = gh_cc_security_scheme(cc, key->text);
            const gh_authorizer *az = find(cc->api, key->text);
            if (az) {
                if (!m->authorizer) {
                    m->authorizer = az;
                    scopes(cc, m, req->pairs[k].value);
                } else if (m->authorizer != az) {
                    gh_diag_warn(cc->d, gh_cc_mark(cc, key), "this operation lists a "
                                 "second authorizer '%s'; API Gateway takes one per method, "
                                 "so only '%s' applies (remove the other)",
                                 key->text, m->authorizer->name);
                }
                continue;
            }
            const char *type = gh_node_str(gh_node_get(sch, "type"));
            const char *hname = gh_node_str(gh_node_get(sch, "name"));
            bool api_key = type && strcmp(type, "apiKey") == 0 && hname &&
                           strcasecmp(hname, "x-api-key") == 0;
            if (api_key)
                m->api_key_required = true;
            if (!gh_cc_first(cc, gh_arena_printf(cc->a, "security %s", key->text)))
                continue;
            if (!sch)
                gh_diag_warn(cc->d, gh_cc_mark(cc, key), "security scheme '%s' is not "
                             "declared; declare it under %s or remove the requirement",
                             key->text,
                             cc->swagger2 ? "securityDefinitions" : "components.securitySchemes");
            else if (api_key)
                gh_diag_warn(cc->d, gh_cc_mark(cc, key), "security '%s' requires an API key; "
                             "API keys are not enforced yet: these methods are served without "
                             "checking x-api-key (first use here)",
                             key->text);
            else
                gh_diag_warn(cc->d, gh_cc_mark(cc, key), "security '%s' is neither an API "
                             "Gateway authorizer (no " EXT_AUTHORIZER " or " EXT_AUTHTYPE
                             " awsSigv4) nor an x-api-key scheme, so API Gateway ignores it: "
                             "methods using it are served WITHOUT authorization (first use "
                             "here)",
                             key->text);
        }
    }
}

/* The AWS-protocol front door (aws_protocol.h): tells an AWS client's call from an API
 * request, finds the service (X-Amz-Target, the SigV4 credential scope's service, else
 * the action's name) and wire form (JSON protocol, query protocol answered in XML or,
 * with Accept: application/json, in JSON), and hands it to sim/aws_sqs_api.c or
 * sim/aws_sns_api.c; Lambda's Invoke is answered here. */
#include "sim/aws_protocol.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim/aws_ops.h"
#include "util/json_text.h"
#include "util/url.h"

#define INVOKE_PREFIX "/2015-03-31/functions/"
#define INVOKE_SUFFIX "/invocations"

static bool has_prefix(const char *s, const char *p)
{
    return s && !strncmp(s, p, strlen(p));
}

/* "Action=" as a field of a form (at the start or after '&'). */
static bool has_action_field(const char *s, size_t n)
{
    if (!s)
        return false;
    for (size_t i = 0; i + 7 <= n; i++)
        if ((i == 0 || s[i - 1] == '&') && !memcmp(s + i, "Action=", 7))
            return true;
    return false;
}

/* "/" or "/ACCOUNT/QUEUE": where query-protocol clients send (no API lives at "/", and
 * a two-segment path is claimed only with an Action field). */
static bool query_path(const char *path)
{
    if (!path || path[0] != '/')
        return false;
    if (!path[1])
        return true;
    const char *slash = strchr(path + 1, '/');
    return slash && slash > path + 1 && slash[1] && !strchr(slash + 1, '/');
}

static bool is_invoke_path(const char *path)
{
    size_t n = path ? strlen(path) : 0, pl = strlen(INVOKE_PREFIX), sl = strlen(INVOKE_SUFFIX);
    return n > pl + sl && has_prefix(path, INVOKE_PREFIX) && !strcmp(path + n - sl, INVOKE_SUFFIX) &&
           !memchr(path + pl, '/', n - pl - sl);
}

bool gh_aws_protocol_claims(const gh_request *req)
{
    if (!req->method || strcmp(req->method, "POST") != 0)
        return false;
    if (is_invoke_path(req->path))
        return true;
    const char *target = gh_headers_get(&req->headers, "X-Amz-Target");
    if (has_prefix(target, "AmazonSQS.") && req->path && !strcmp(req->path, "/"))
        return true;
    if (!query_path(req->path))
        return false;
    if (has_action_field(req->query, req->query ? strlen(req->query) : 0))
        return true;
    const char *ct = gh_headers_get(&req->headers, "Content-Type");
    return ct && !strncasecmp(ct, "application/x-www-form-urlencoded", 33) &&
           has_action_field(req->body, req->body_len);
}

/* ---- answers -------------------------------------------------------------------- */

void gh_aws_ok(gh_aws_call *c, json_t *result)
{
    gh_aws_render_result(c->arena, c->resp, c->svc, c->fmt, c->action, result, c->request_id);
    json_decref(result);
}

void gh_aws_fail_with(gh_aws_call *c, const gh_sqs_error *e)
{
    gh_sqs_error copy = *e;
    if (!copy.code) /* an engine that forgot its code: still a well-formed answer */
        copy.code = "InternalFailure";
    gh_aws_render_error(c->arena, c->resp, c->svc, c->fmt, &copy, c->request_id);
}

void gh_aws_fail(gh_aws_call *c, const char *code, const char *fmt, ...)
{
    gh_sqs_error e = {.code = code, .status = 400, .sender = true};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e.message, sizeof e.message, fmt, ap);
    va_end(ap);
    gh_aws_fail_with(c, &e);
}

static void plain_json(const gh_request *req, gh_response *resp, int status, const char *type,
                       const char *message)
{
    json_t *o = json_pack("{s:o}", "message", gh_json_str_lossy(message));
    char *text = json_dumps(o, JSON_COMPACT);
    resp->status = status;
    resp->body = gh_arena_strdup(req->arena, text);
    resp->body_len = strlen(text);
    free(text);
    json_decref(o);
    gh_headers_set(req->arena, &resp->headers, "Content-Type", "application/json");
    gh_headers_set(req->arena, &resp->headers, "x-amzn-RequestId",
                   gh_arena_strdup(req->arena, req->request_id));
    if (type)
        gh_headers_set(req->arena, &resp->headers, "x-amzn-ErrorType", type);
}

/* ---- Lambda Invoke -------------------------------------------------------------- */

/* POST /2015-03-31/functions/NAME/invocations (API_Invoke): NAME may be a name, a
 * name:qualifier or a function ARN; every version is $LATEST here. */
static void lambda_invoke(gh_sim *sim, const gh_request *req, gh_response *resp)
{
    gh_arena *a = req->arena;
    size_t pl = strlen(INVOKE_PREFIX);
    const char *seg = req->path + pl;
    char *name = gh_url_decode(a, seg, strlen(seg) - strlen(INVOKE_SUFFIX), 0);
    if (has_prefix(name, "arn:")) {
        char *fn = strstr(name, ":function:");
        if (fn)
            name = fn + 10;
    }
    char *colon = strchr(name, ':');
    if (colon)
        *colon = '\0';
    if (!sim->invoke) {
        plain_json(req, resp, 503, "ServiceException",
                   "gatehouse: this process runs no Lua functions to invoke");
        return;
    }
    const char *type = gh_headers_get(&req->headers, "X-Amz-Invocation-Type");
    if (type && !strcmp(type, "DryRun")) {
        resp->status = 204;
        gh_headers_set(a, &resp->headers, "x-amzn-RequestId", gh_arena_strdup(a, req->request_id));
        return;
    }
    char *event = gh_arena_strndup(a, req->body ? req->body : "{}", req->body ? req->body_len : 2);
    char *result = NULL;
    /* An Event invocation runs before the 202 goes out: AWS queues it, but a local
     * client loses nothing by waiting, and a test sees its effects at once. */
    int rc = sim->invoke(sim->invoke_ud, name, event, &result);
    if (rc < 0) {
        free(result);
        /* Lambda's 404 body says the fault is the caller's: {"Type":"User","message"}. */
        /* name comes from the URL: possibly not UTF-8. */
        json_t *o = json_pack("{s:s,s:o}", "Type", "User", "message",
                              gh_json_str_lossy(gh_arena_printf(
                                  a, "Function not found: arn:aws:lambda:%s:%s:function:%s",
                                  gh_sqs_region(sim->sqs), gh_sqs_account(sim->sqs), name)));
        char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        resp->status = 404;
        resp->body = gh_arena_strdup(a, text);
        resp->body_len = strlen(text);
        free(text);
        json_decref(o);
        gh_headers_set(a, &resp->headers, "Content-Type", "application/json");
        gh_headers_set(a, &resp->headers, "x-amzn-RequestId", gh_arena_strdup(a, req->request_id));
        gh_headers_set(a, &resp->headers, "x-amzn-ErrorType", "ResourceNotFoundException");
        return;
    }
    gh_headers_set(a, &resp->headers, "x-amzn-RequestId", gh_arena_strdup(a, req->request_id));
    gh_headers_set(a, &resp->headers, "X-Amz-Executed-Version", "$LATEST");
    if (type && !strcmp(type, "Event")) {
        free(result);
        resp->status = 202;
        return;
    }
    resp->status = 200;
    gh_headers_set(a, &resp->headers, "Content-Type", "application/json");
    if (rc == 1)
        gh_headers_set(a, &resp->headers, "X-Amz-Function-Error", "Unhandled");
    resp->body = gh_arena_strdup(a, result ? result : "null");
    resp->body_len = strlen(resp->body);
    free(result);
}

/* ---- SQS and SNS ---------------------------------------------------------------- */

/* The service the SigV4 credential scope names (".../REGION/SERVICE/aws4_request"), in
 * the Authorization header or a presigned URL's X-Amz-Credential; NULL if none. */
static const char *scope_service(const gh_request *req, const gh_headers *form)
{
    const char *cred = NULL;
    const char *auth = gh_headers_get(&req->headers, "Authorization");
    if (auth && (cred = strstr(auth, "Credential=")))
        cred += 11;
    if (!cred)
        cred = gh_headers_get(form, "X-Amz-Credential");
    if (!cred)
        return NULL;
    const char *end = strstr(cred, "/aws4_request");
    if (!end)
        return NULL;
    const char *start = end;
    while (start > cred && start[-1] != '/')
        start--;
    return gh_arena_strndup(req->arena, start, (size_t)(end - start));
}

static bool accepts_json(const gh_request *req)
{
    const char *accept = gh_headers_get(&req->headers, "Accept");
    return accept && strstr(accept, "application/json");
}

/* True when signatures are not checked, or the call is signed for service. */
static bool signed_for(gh_sim *sim, const gh_request *req, const char *service,
                       gh_sqs_error *denied)
{
    memset(denied, 0, sizeof *denied);
    return !sim->verify || sim->verify(sim->verify_ud, req, service, denied) == 0;
}

void gh_aws_protocol_handle(gh_sim *sim, const gh_request *req, gh_response *resp)
{
    if (!sim) {
        plain_json(req, resp, 503, "ServiceUnavailableException",
                   "gatehouse: no simulated AWS services in this process (SQS, SNS and Lambda "
                   "answer on the port of `gatehouse serve`)");
        return;
    }
    gh_sqs_error denied;
    if (is_invoke_path(req->path)) {
        if (!signed_for(sim, req, "lambda", &denied))
            plain_json(req, resp, denied.status, denied.code, denied.message);
        else
            lambda_invoke(sim, req, resp);
        return;
    }
    gh_aws_call c = {.sim = sim, .req = req, .resp = resp, .arena = req->arena,
                     .request_id = gh_arena_strdup(req->arena, req->request_id)};
    c.args.arena = req->arena;
    c.args.prefix = "";
    const char *target = gh_headers_get(&req->headers, "X-Amz-Target");
    if (has_prefix(target, "AmazonSQS.")) {
        c.svc = GH_AWS_SQS;
        c.fmt = GH_WIRE_JSON;
        c.action = target + 10;
        json_error_t jerr;
        json_t *body = req->body_len ? json_loadb(req->body, req->body_len, 0, &jerr) : json_object();
        if (!json_is_object(body)) {
            json_decref(body);
            gh_sqs_error e = {.code = "SerializationException", .status = 400, .sender = true};
            snprintf(e.message, sizeof e.message, "The request body is not a JSON object.");
            gh_aws_render_error(req->arena, resp, GH_AWS_SQS, GH_WIRE_JSON, &e, c.request_id);
            return;
        }
        c.args.obj = body;
        if (!signed_for(sim, req, "sqs", &denied))
            gh_aws_render_error(req->arena, resp, GH_AWS_SQS, GH_WIRE_JSON, &denied, c.request_id);
        else
            gh_aws_sqs_call(&c);
        json_decref(body);
        return;
    }
    gh_headers *form = gh_arena_calloc(req->arena, sizeof *form);
    gh_query_parse(req->arena, req->query, form);
    const char *ct = gh_headers_get(&req->headers, "Content-Type");
    if (req->body && ct && !strncasecmp(ct, "application/x-www-form-urlencoded", 33))
        gh_query_parse(req->arena, gh_arena_strndup(req->arena, req->body, req->body_len), form);
    c.args.form = form;
    c.fmt = accepts_json(req) ? GH_WIRE_QUERY_JSON : GH_WIRE_XML;
    c.action = gh_headers_get(form, "Action");
    const char *service = scope_service(req, form);
    if (service && !strcmp(service, "sns"))
        c.svc = GH_AWS_SNS;
    else if (service && !strcmp(service, "sqs"))
        c.svc = GH_AWS_SQS;
    else
        c.svc = c.action && gh_aws_sns_knows(c.action) && !gh_aws_sqs_knows(c.action) ? GH_AWS_SNS
                                                                                      : GH_AWS_SQS;
    gh_aws_form_sort(req->arena, form); /* after the case-blind lookups above */
    if (!signed_for(sim, req, c.svc == GH_AWS_SNS ? "sns" : "sqs", &denied)) {
        gh_aws_render_error(req->arena, resp, c.svc, c.fmt, &denied, c.request_id);
        return;
    }
    if (!c.action) {
        c.action = "";
        gh_aws_fail(&c, "MissingAction", "No Action was supplied with this request.");
        return;
    }
    if (req->path && req->path[0] == '/' && req->path[1]) { /* POST /ACCOUNT/QUEUE */
        const char *q = strrchr(req->path, '/') + 1;
        c.path_queue = gh_url_decode(req->arena, q, strlen(q), 0);
    }
    if (c.svc == GH_AWS_SNS)
        gh_aws_sns_call(&c);
    else
        gh_aws_sqs_call(&c);
}

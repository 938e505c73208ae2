/* Function-name resolution and the Lambda context object (see lambda_target.h). */
#include "integration/lambda_target.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "integration/runners.h"
#include "util/ids.h"

#define STAGE_VAR_OPEN "${stageVariables."

/* Walks s, calling emit(piece, len) for the literal text and each variable's value:
 * first to measure, then to copy, so the result is one arena allocation. An unclosed
 * "${stageVariables." stays literal. */
typedef struct subst {
    char *out; /* NULL while measuring */
    size_t len;
} subst;

static void emit(subst *sb, const char *p, size_t n)
{
    if (sb->out)
        memcpy(sb->out + sb->len, p, n);
    sb->len += n;
}

static void substitute_into(subst *sb, const char *s, const gh_stage *st)
{
    const size_t open_len = sizeof STAGE_VAR_OPEN - 1;
    const char *p = s, *at;
    while ((at = strstr(p, STAGE_VAR_OPEN)) != NULL) {
        const char *name = at + open_len;
        const char *close = strchr(name, '}');
        if (!close)
            break;
        emit(sb, p, (size_t)(at - p));
        if (st) {
            for (size_t i = 0; i < st->variables.n; i++) {
                const gh_kv *kv = &st->variables.items[i];
                if (strlen(kv->key) == (size_t)(close - name) &&
                    memcmp(kv->key, name, (size_t)(close - name)) == 0) {
                    emit(sb, kv->value, strlen(kv->value));
                    break;
                }
            }
        }
        p = close + 1;
    }
    emit(sb, p, strlen(p));
}

/* Replaces every ${stageVariables.name}; AWS allows them anywhere in a Lambda ARN
 * (aws-api-gateway-stage-variables-reference, "Lambda function ARN"). One pass, so a
 * value that itself looks like a reference is taken literally. */
static const char *substitute(gh_arena *a, const char *s, const gh_stage *st)
{
    if (!strstr(s, STAGE_VAR_OPEN))
        return s;
    subst sb = {NULL, 0};
    substitute_into(&sb, s, st);
    sb.out = gh_arena_alloc(a, sb.len + 1);
    sb.len = 0;
    substitute_into(&sb, s, st);
    sb.out[sb.len] = '\0';
    return sb.out;
}

const char *gh_lambda_function_for_stage(gh_arena *a, const gh_integration *in, const gh_stage *st)
{
    if (!in || !in->lambda_function)
        return NULL;
    const char *name = substitute(a, in->lambda_function, st);
    /* arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER] */
    const char *fn = strstr(name, ":function:");
    if (fn)
        name = fn + strlen(":function:");
    return gh_arena_strndup(a, name, strcspn(name, ":"));
}

/* The alias or version the URI invokes, NULL for none: the URI's own qualifier, or one
 * carried by a stage variable that holds a whole qualified ARN. */
static const char *qualifier_for_stage(gh_arena *a, const gh_integration *in, const gh_stage *st)
{
    if (in->lambda_qualifier) {
        const char *q = substitute(a, in->lambda_qualifier, st);
        return *q ? q : NULL;
    }
    const char *name = substitute(a, in->lambda_function, st);
    const char *fn = strstr(name, ":function:");
    const char *colon = fn ? strchr(fn + strlen(":function:"), ':') : NULL;
    return colon && colon[1] ? colon + 1 : NULL;
}

const char *gh_lambda_function_name(const gh_invocation *inv)
{
    return gh_lambda_function_for_stage(inv->arena, inv->integration, inv->stage);
}

/* parts[0..n) joined in one arena allocation. These names are built on every
 * invocation, where printf's format parsing cost more than the rest of the context. */
static char *join(gh_arena *a, const char *const *parts, size_t n)
{
    size_t len[8], total = 0;
    for (size_t i = 0; i < n; i++)
        total += len[i] = strlen(parts[i]);
    char *out = gh_arena_alloc(a, total + 1), *p = out;
    for (size_t i = 0; i < n; i++) {
        memcpy(p, parts[i], len[i]);
        p += len[i];
    }
    *p = '\0';
    return out;
}

/* Writes v as `width` decimal digits, zero-padded (v < 10^width). */
static char *put_digits(char *p, int v, int width)
{
    for (int i = width - 1; i >= 0; i--, v /= 10)
        p[i] = (char)('0' + v % 10);
    return p + width;
}

void gh_lambda_context_init(const gh_invocation *inv, const gh_function *fn,
                            gh_lambda_context *ctx)
{
    gh_arena *a = inv->arena;
    const char *region = inv->api && inv->api->region ? inv->api->region : "us-east-1";
    const char *account = inv->api && inv->api->account_id ? inv->api->account_id : "123456789012";
    memset(ctx, 0, sizeof *ctx);
    ctx->function_name = fn->name;
    ctx->function_version = "$LATEST";
    /* Invoked through an alias or version, Lambda reports the qualified ARN. */
    const char *q = inv->integration && inv->integration->lambda_function
                        ? qualifier_for_stage(a, inv->integration, inv->stage)
                        : NULL;
    const char *arn[] = {"arn:aws:lambda:", region, ":", account, ":function:", fn->name,
                         q ? ":" : "", q ? q : ""};
    ctx->invoked_function_arn = join(a, arn, sizeof arn / sizeof *arn);
    char *id = gh_arena_alloc(a, GH_UUID_LEN + 1);
    gh_uuid4(id);
    ctx->aws_request_id = id;
    const char *group[] = {"/aws/lambda/", fn->name};
    ctx->log_group_name = join(a, group, 2);
    /* "yyyy/mm/dd/[$LATEST]" and 32 random hex digits. */
    static const char latest[] = "[$LATEST]";
    char *stream = gh_arena_alloc(a, 11 + sizeof latest - 1 + 32 + 1), *p = stream;
    time_t t = (time_t)((inv->req ? inv->req->time_ms : 0) / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    p = put_digits(p, (tm.tm_year + 1900) % 10000, 4);
    *p++ = '/';
    p = put_digits(p, tm.tm_mon + 1, 2);
    *p++ = '/';
    p = put_digits(p, tm.tm_mday, 2);
    *p++ = '/';
    memcpy(p, latest, sizeof latest - 1);
    p += sizeof latest - 1;
    unsigned char rnd[16];
    gh_random_bytes(rnd, sizeof rnd);
    for (int i = 0; i < 16; i++) {
        static const char digits[] = "0123456789abcdef";
        *p++ = digits[rnd[i] >> 4];
        *p++ = digits[rnd[i] & 15];
    }
    *p = '\0';
    ctx->log_stream_name = stream;
    ctx->memory_limit_mb = fn->memory_mb > 0 ? fn->memory_mb : 128;
    ctx->environment = &fn->environment;
}

const gh_function *gh_lambda_resolve(gh_invocation *inv)
{
    const gh_integration *in = inv->integration;
    const char *name = gh_lambda_function_name(inv);
    if (!name || !*name) {
        gh_integration_fail(inv, GH_GW_API_CONFIGURATION_ERROR, 500, GH_INTERNAL_ERROR_MESSAGE,
                            "integration URI '%s' names no Lambda function", in->uri ? in->uri : "");
        return NULL;
    }
    const gh_function *fn = gh_api_function(inv->api, name);
    if (!fn) {
        /* Lambda rejects the Invoke (ResourceNotFoundException): API Gateway answers 500
         * (services-apigateway-errors). */
        gh_integration_fail(inv, GH_GW_API_CONFIGURATION_ERROR, 500, GH_INTERNAL_ERROR_MESSAGE,
                            "Lambda function '%s' does not exist; declare it under "
                            "x-gatehouse.functions with a Lua handler",
                            name);
        return NULL;
    }
    if (!inv->scripts) {
        gh_integration_fail(inv, GH_GW_API_CONFIGURATION_ERROR, 500, GH_INTERNAL_ERROR_MESSAGE,
                            "%s", "no Lua runtime is running");
        return NULL;
    }
    return fn;
}

const char *gh_lambda_trace_id(gh_invocation *inv)
{
    const char *t = gh_headers_get(&inv->req->headers, "X-Amzn-Trace-Id");
    if (t)
        return t;
    char *id = gh_arena_alloc(inv->arena, GH_TRACE_ID_LEN + 1);
    gh_trace_id(id, inv->req->time_ms);
    gh_headers_add(inv->arena, &inv->req->headers, "X-Amzn-Trace-Id", id);
    return id;
}

int gh_lambda_timeout(const gh_invocation *inv, const gh_function *fn, bool *gateway_first)
{
    const gh_integration *in = inv->integration;
    int timeout = fn->timeout_ms > 0 ? fn->timeout_ms : 3000;
    *gateway_first = in && in->timeout_ms > 0 && in->timeout_ms < timeout;
    return *gateway_first ? in->timeout_ms : timeout;
}

size_t gh_lambda_error_prefix_len(const char *msg)
{
    for (const char *p = msg; *p && *p != '\n'; p++) {
        if (*p != ':' || p[1] < '0' || p[1] > '9')
            continue;
        const char *d = p + 1;
        while (*d >= '0' && *d <= '9')
            d++;
        if (d[0] != ':' || d[1] != ' ')
            continue;
        size_t src = (size_t)(p - msg);
        int lua_file = src > 4 && memcmp(p - 4, ".lua", 4) == 0;
        int string_chunk = src > 0 && p[-1] == ']';
        return lua_file || string_chunk ? (size_t)(d + 2 - msg) : 0;
    }
    return 0;
}

/* stackTrace: where the error was raised, then the Lua frames of the traceback (C
 * frames such as the call to error() left out). */
static json_t *stack_trace(const char *position, size_t plen, const char *traceback)
{
    json_t *st = json_array();
    if (plen)
        json_array_append_new(st, json_stringn(position, plen));
    const char *p = traceback ? strstr(traceback, "stack traceback:\n") : NULL;
    if (!p)
        return st;
    p += strlen("stack traceback:\n");
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        const char *line = p;
        while (n && (*line == '\t' || *line == ' ')) {
            line++;
            n--;
        }
        if (n && strncmp(line, "[C]", 3) != 0 && strncmp(line, "(...tail calls...)", 18) != 0)
            json_array_append_new(st, json_stringn(line, n));
        p = e ? e + 1 : p + strlen(p);
    }
    return st;
}

/* Lambda's error body (handle-errors-in-lambda-integration: errorMessage, errorType,
 * stackTrace); a function that ran past its timeout or memory gets Lambda's own message
 * and type, and no stackTrace. */
json_t *gh_lambda_error_payload(const gh_script_result *r, const char *request_id)
{
    json_t *err = json_object();
    const char *msg = r->error_message ? r->error_message : "";
    if (r->status == GH_SCRIPT_TIMEOUT) {
        /* Lambda's current runtimes: "RequestId: <id> Error: Task timed out after
         * 3.00 seconds", errorType Sandbox.Timedout (troubleshooting-invocation). */
        char *text = NULL;
        size_t n = strlen(msg) + strlen(request_id) + 32;
        text = malloc(n);
        snprintf(text, n, "RequestId: %s Error: %s", request_id, msg);
        json_object_set_new(err, "errorMessage", json_string(text));
        free(text);
        json_object_set_new(err, "errorType", json_string(r->error_type ? r->error_type
                                                                        : "Sandbox.Timedout"));
    } else if (r->status == GH_SCRIPT_MEMORY) {
        json_object_set_new(err, "errorMessage", json_string(msg));
        json_object_set_new(err, "errorType", json_string(r->error_type ? r->error_type
                                                                        : "Runtime.ExitError"));
    } else {
        /* error({errorMessage=..., errorType=...}) chose its fields: nothing to strip. */
        int chosen_type = r->error_type && strcmp(r->error_type, "Error") != 0;
        size_t plen = chosen_type ? 0 : gh_lambda_error_prefix_len(msg);
        size_t poslen = plen >= 2 ? plen - 2 : 0; /* without the ": " */
        json_object_set_new(err, "errorMessage", json_stringn_nocheck(msg + plen, strlen(msg + plen)));
        json_object_set_new(err, "errorType", json_string(r->error_type ? r->error_type : "Error"));
        json_object_set_new(err, "stackTrace", stack_trace(msg, poslen, r->traceback));
    }
    return err;
}

/* Function-name resolution and the Lambda context object (see lambda_target.h). */
#include "integration/lambda_target.h"

#include <string.h>
#include <time.h>

#include "util/buf.h"
#include "util/ids.h"

/* Replaces every ${stageVariables.name}; AWS allows them anywhere in a Lambda ARN
 * (aws-api-gateway-stage-variables-reference, "Lambda function ARN"). */
static const char *substitute(const gh_invocation *inv, const char *s)
{
    static const char open[] = "${stageVariables.";
    if (!strstr(s, open))
        return s;
    gh_buf b = GH_BUF_INIT;
    const char *p = s;
    const char *at;
    while ((at = strstr(p, open)) != NULL) {
        const char *name = at + sizeof open - 1;
        const char *close = strchr(name, '}');
        if (!close)
            break;
        gh_buf_append(&b, p, (size_t)(at - p));
        char *var = gh_arena_strndup(inv->arena, name, (size_t)(close - name));
        const char *v = inv->stage ? gh_kvs_get(&inv->stage->variables, var) : NULL;
        if (v)
            gh_buf_puts(&b, v);
        p = close + 1;
    }
    gh_buf_puts(&b, p);
    const char *out = gh_arena_strndup(inv->arena, b.data ? b.data : "", b.len);
    gh_buf_free(&b);
    return out;
}

const char *gh_lambda_function_name(const gh_invocation *inv)
{
    const gh_integration *in = inv->integration;
    if (!in || !in->lambda_function)
        return NULL;
    const char *name = substitute(inv, in->lambda_function);
    /* arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER] */
    const char *fn = strstr(name, ":function:");
    if (fn)
        name = fn + 10;
    return gh_arena_strndup(inv->arena, name, strcspn(name, ":"));
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
    ctx->invoked_function_arn =
        gh_arena_printf(a, "arn:aws:lambda:%s:%s:function:%s", region, account, fn->name);
    char *id = gh_arena_alloc(a, GH_UUID_LEN + 1);
    gh_uuid4(id);
    ctx->aws_request_id = id;
    ctx->log_group_name = gh_arena_printf(a, "/aws/lambda/%s", fn->name);
    unsigned char rnd[16];
    gh_random_bytes(rnd, sizeof rnd);
    char hex[33];
    for (int i = 0; i < 16; i++) {
        static const char digits[] = "0123456789abcdef";
        hex[2 * i] = digits[rnd[i] >> 4];
        hex[2 * i + 1] = digits[rnd[i] & 15];
    }
    hex[32] = '\0';
    time_t t = (time_t)((inv->req ? inv->req->time_ms : 0) / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    ctx->log_stream_name = gh_arena_printf(a, "%04d/%02d/%02d/[$LATEST]%s", tm.tm_year + 1900,
                                           tm.tm_mon + 1, tm.tm_mday, hex);
    ctx->memory_limit_mb = fn->memory_mb > 0 ? fn->memory_mb : 128;
    ctx->environment = &fn->environment;
}

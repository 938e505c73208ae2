/* CloudFormation intrinsics where a definition string stands. Definitions written for
 * `AWS::Include` (SAM, CDK, Serverless) carry {Fn::Sub: ...}, {Fn::GetAtt: [X, Arn]},
 * {Ref: X} and {Fn::Join: ...} maps. We resolve what has a local meaning: the pseudo
 * parameters (AWS::Region, AWS::AccountId, AWS::Partition, AWS::URLSuffix,
 * AWS::StackName = the API's title) and the ARN of a Lambda function declared in
 * x-gatehouse.functions. Anything else keeps its text as "${...}" (so an integration URI
 * holding it is reported as broken) and is warned about once per API per name. */
#include <stdlib.h>
#include <string.h>

#include "spec/compile.h"
#include "util/buf.h"

static void unresolved(gh_cc *cc, const gh_node *at, const char *what, const char *why)
{
    cc->intrinsic_unresolved = true;
    if (cc->mute_intrinsics || !gh_cc_first(cc, what))
        return;
    gh_diag_warn(cc->d, gh_cc_mark(cc, at), "%s: %s; the value keeps the unresolved text "
                 "(replace it with an --overlay if it matters here)",
                 what, why);
}

static const char *function_arn(gh_cc *cc, const char *name)
{
    const gh_function *f = gh_api_function(cc->api, name);
    return f ? gh_arena_printf(cc->a, "arn:aws:lambda:%s:%s:function:%s", cc->api->region,
                               cc->api->account_id, f->name)
             : NULL;
}

static const char *pseudo(gh_cc *cc, const char *name)
{
    if (strcmp(name, "AWS::Region") == 0)
        return cc->api->region;
    if (strcmp(name, "AWS::AccountId") == 0)
        return cc->api->account_id;
    if (strcmp(name, "AWS::Partition") == 0)
        return "aws";
    if (strcmp(name, "AWS::URLSuffix") == 0)
        return "amazonaws.com";
    if (strcmp(name, "AWS::StackName") == 0)
        return cc->api->title;
    return NULL;
}

/* X.Attr -> the function's ARN when X is a declared function and Attr is Arn. */
static const char *get_att(gh_cc *cc, const char *res, const char *attr, const gh_node *at)
{
    if (strcmp(attr, "Arn") == 0) {
        const char *arn = function_arn(cc, res);
        if (arn)
            return arn;
    }
    char *text = gh_arena_printf(cc->a, "${%s.%s}", res, attr);
    unresolved(cc, at, text,
               strcmp(attr, "Arn") == 0
                   ? "names no function declared in x-gatehouse.functions (declare it there "
                     "with a Lua handler to serve it)"
                   : "is a CloudFormation resource attribute gatehouse cannot know");
    return text;
}

static const char *sub(gh_cc *cc, const gh_node *tmpl, const gh_node *vars)
{
    const char *s = gh_node_str(tmpl);
    if (!s)
        return NULL;
    gh_buf b = GH_BUF_INIT;
    gh_buf_reserve(&b, strlen(s) + 1);
    while (*s) {
        const char *open = strstr(s, "${");
        const char *close = open ? strchr(open, '}') : NULL;
        if (!close) {
            gh_buf_puts(&b, s);
            break;
        }
        gh_buf_append(&b, s, (size_t)(open - s));
        char *name = gh_arena_strndup(cc->a, open + 2, (size_t)(close - open - 2));
        s = close + 1;
        const char *val = NULL;
        const gh_node *v;
        if (name[0] == '!') { /* ${!Literal} is CloudFormation's escape for "${Literal}" */
            gh_buf_printf(&b, "${%s}", name + 1);
            continue;
        }
        if ((v = gh_node_get(vars, name)) != NULL)
            val = gh_cc_string(cc, v);
        else if ((val = pseudo(cc, name)) != NULL)
            ;
        else if (strncmp(name, "stageVariables.", 15) == 0)
            val = gh_arena_printf(cc->a, "${%s}", name); /* API Gateway's, kept as is */
        else if (strchr(name, '.')) {
            char *dot = strchr(name, '.');
            *dot = '\0';
            val = get_att(cc, name, dot + 1, tmpl);
        } else {
            val = function_arn(cc, name) ? name : NULL; /* Ref to a function: its name */
            if (!val) {
                val = gh_arena_printf(cc->a, "${%s}", name);
                unresolved(cc, tmpl, val, "is a CloudFormation parameter or resource "
                           "gatehouse cannot know");
            }
        }
        gh_buf_puts(&b, val ? val : "");
    }
    const char *out = gh_arena_strndup(cc->a, b.data ? b.data : "", b.len);
    gh_buf_free(&b);
    return out;
}

static const char *intrinsic(gh_cc *cc, const gh_node *map)
{
    const char *fn = map->pairs[0].key->text;
    const gh_node *arg = map->pairs[0].value;
    if (strcmp(fn, "Fn::Sub") == 0) {
        if (arg->kind == GH_NODE_SEQ && arg->n == 2)
            return sub(cc, arg->items[0], arg->items[1]);
        if (arg->kind == GH_NODE_STR)
            return sub(cc, arg, NULL);
    } else if (strcmp(fn, "Fn::GetAtt") == 0) {
        if (arg->kind == GH_NODE_SEQ && arg->n == 2 && gh_node_str(arg->items[0]) &&
            gh_node_str(arg->items[1]))
            return get_att(cc, arg->items[0]->text, arg->items[1]->text, map);
        const char *s = gh_node_str(arg);
        const char *dot = s ? strchr(s, '.') : NULL;
        if (dot)
            return get_att(cc, gh_arena_strndup(cc->a, s, (size_t)(dot - s)), dot + 1, map);
    } else if (strcmp(fn, "Ref") == 0 && gh_node_str(arg)) {
        const char *v = pseudo(cc, arg->text);
        if (v)
            return v;
        if (gh_api_function(cc->api, arg->text))
            return gh_arena_strdup(cc->a, arg->text); /* Ref of a function is its name */
        const char *text = gh_arena_printf(cc->a, "${%s}", arg->text);
        unresolved(cc, map, text, "is a CloudFormation parameter or resource gatehouse "
                   "cannot know");
        return text;
    } else if (strcmp(fn, "Fn::Join") == 0 && arg->kind == GH_NODE_SEQ && arg->n == 2 &&
               gh_node_str(arg->items[0]) && arg->items[1]->kind == GH_NODE_SEQ) {
        gh_buf b = GH_BUF_INIT;
        const gh_node *list = arg->items[1];
        for (size_t i = 0; i < list->n; i++) {
            const char *part = gh_cc_string(cc, list->items[i]);
            if (i)
                gh_buf_puts(&b, arg->items[0]->text);
            gh_buf_puts(&b, part ? part : "");
        }
        const char *out = gh_arena_strndup(cc->a, b.data ? b.data : "", b.len);
        gh_buf_free(&b);
        return out;
    }
    const char *text = gh_arena_printf(cc->a, "${%s}", fn);
    unresolved(cc, map, fn, "this CloudFormation function cannot be evaluated outside "
               "CloudFormation");
    return text;
}

const char *gh_cc_string(gh_cc *cc, const gh_node *n)
{
    if (!n)
        return NULL;
    if (n->kind == GH_NODE_MAP && n->n == 1) {
        const char *k = n->pairs[0].key->text;
        if (strncmp(k, "Fn::", 4) == 0 || strcmp(k, "Ref") == 0)
            return intrinsic(cc, n);
        return NULL;
    }
    if (n->kind == GH_NODE_NULL || n->kind == GH_NODE_MAP || n->kind == GH_NODE_SEQ)
        return NULL;
    return gh_arena_strndup(cc->a, n->text, n->len);
}

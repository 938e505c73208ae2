/* Rendering one mapping template for an invocation (mapping.h): sets up the variables
 * AWS gives templates, renders the VTL (or hands a Lua template to lua_template.c) and
 * collects the overrides. AWS applies overrides only after the whole template rendered
 * (apigateway-override-request-response-parameters), which is what reading the override
 * maps afterwards gives. A $context.responseOverride.status outside 100-599 is ignored
 * (reference §5.8 [?]: not confirmed on AWS). */
#include "template/mapping.h"

#include <stdlib.h>
#include <string.h>

#include "template/aws_vars.h"
#include "template/lua_template.h"
#include "template/vtl.h"

/* Copies every entry of the override map `m` into h, in the order they were set; a
 * list value gives one header per element (a multi-value override). */
static void collect(gh_vtl_rt *rt, gh_vmap *parent, const char *name, gh_headers *h)
{
    gh_vmap_entry *e = gh_vmap_find(parent, name, strlen(name));
    if (!e || e->value.kind != GH_V_MAP)
        return;
    gh_vmap *m = e->value.u.map;
    for (size_t i = 0; i < m->n; i++) {
        const char *key = gh_arena_strndup(rt->arena, m->items[i].key, m->items[i].klen);
        gh_vval v = m->items[i].value;
        size_t len;
        if (v.kind == GH_V_NULL)
            continue;
        if (v.kind == GH_V_LIST) {
            for (size_t k = 0; k < v.u.list->n; k++)
                gh_headers_add(rt->arena, h, key,
                               gh_v_to_text(rt, rt->arena, v.u.list->items[k], &len));
            continue;
        }
        gh_headers_add(rt->arena, h, key, gh_v_to_text(rt, rt->arena, v, &len));
    }
}

/* $context.responseOverride.status: an integer, or a string holding one. */
static int status_of(gh_vmap *resp)
{
    gh_vmap_entry *e = gh_vmap_find(resp, "status", 6);
    if (!e)
        return 0;
    long s = 0;
    if (e->value.kind == GH_V_INT) {
        s = e->value.u.i >= 100 && e->value.u.i <= 599 ? (long)e->value.u.i : 0;
    } else if (e->value.kind == GH_V_STRING && e->value.u.str.len > 0 &&
               e->value.u.str.len < 8) {
        char buf[8], *end;
        memcpy(buf, e->value.u.str.s, e->value.u.str.len);
        buf[e->value.u.str.len] = '\0';
        s = strtol(buf, &end, 10);
        if (*end)
            s = 0;
    }
    return s >= 100 && s <= 599 ? (int)s : 0;
}

int gh_mapping_render(gh_invocation *inv, const gh_template *t, gh_mapping_kind kind,
                      const char *body, size_t body_len, gh_mapping_out *out)
{
    memset(out, 0, sizeof *out);
    if (t->lua)
        return gh_lua_template_render(inv, t, kind, body, body_len, out);
    gh_arena *a = inv->arena;
    gh_aws_context *ctx;
    gh_vtl_rt rt = {.arena = a, .user = inv};
    rt.globals = gh_v_map(a, 8, false).u.map;
    gh_vmap_put(a, rt.globals, "input", 5,
                gh_aws_input_new(inv, body, body_len, kind == GH_MAPPING_RESPONSE));
    gh_vmap_put(a, rt.globals, "util", 4, gh_aws_util());
    gh_vmap_put(a, rt.globals, "context", 7, gh_aws_context_new(inv, &ctx));
    gh_vmap_put(a, rt.globals, "stageVariables", 14, gh_aws_stage_variables(inv));

    gh_buf b = GH_BUF_INIT;
    int rc = t->compiled ? gh_vtl_render(t->compiled, &rt, &b) : 0;
    if (rc != 0 || rt.failed) {
        gh_buf_free(&b);
        /* The template's own line:col is reported beside where the template sits in the
         * definition: YAML block scalars shift lines, so we do not add the two. */
        const char *file = t->mark.file ? t->mark.file : "template";
        const char *what = kind == GH_MAPPING_REQUEST ? "request" : "response";
        const char *msg = rt.error[0] ? rt.error : "render failed";
        if (rt.error_line)
            out->error = gh_arena_printf(a, "%s:%u:%u: %s template %s, line %u column %u: %s",
                                         file, t->mark.line, t->mark.col, what,
                                         t->media_type ? t->media_type : "", rt.error_line,
                                         rt.error_col, msg);
        else
            out->error = gh_arena_printf(a, "%s:%u:%u: %s template %s: %s", file,
                                         t->mark.line, t->mark.col, what,
                                         t->media_type ? t->media_type : "", msg);
        return -1;
    }
    out->body = gh_arena_strndup(a, b.data ? b.data : "", b.len);
    out->len = b.len;
    gh_buf_free(&b);
    collect(&rt, ctx->request_override, "header", &out->request_header_overrides);
    collect(&rt, ctx->request_override, "querystring", &out->request_query_overrides);
    collect(&rt, ctx->request_override, "path", &out->request_path_overrides);
    collect(&rt, ctx->response_override, "header", &out->response_header_overrides);
    out->status_override = status_of(ctx->response_override);
    return 0;
}

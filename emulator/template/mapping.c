/* Rendering one mapping template for an invocation (mapping.h): sets up the variables
 * AWS gives templates, renders the VTL (or hands a Lua template to lua_template.c) and
 * collects the overrides. AWS applies overrides only after the whole template rendered
 * (apigateway-override-request-response-parameters), which is what reading the override
 * maps afterwards gives (gh_aws_context_overrides). */
#include "template/mapping.h"

#include <string.h>

#include "template/aws_vars.h"
#include "template/lua_template.h"
#include "template/vtl.h"

int gh_mapping_render(gh_invocation *inv, const gh_template *t, gh_mapping_kind kind,
                      const char *body, size_t body_len, gh_mapping_out *out)
{
    memset(out, 0, sizeof *out);
    if (t->lua)
        return gh_lua_template_render(inv, t, kind, body, body_len, out);
    if (!t->compiled) {
        out->error = t->broken ? t->broken : "the template was not compiled";
        return -1;
    }
    gh_arena *a = inv->arena;
    gh_aws_context *ctx;
    gh_vtl_rt rt = {.arena = a, .user = inv};
    rt.globals = gh_v_map(a, 8, false).u.map;
    gh_vval input = gh_aws_input_new(inv, body, body_len, kind == GH_MAPPING_RESPONSE);
    gh_vmap_put(a, rt.globals, "input", 5, input);
    gh_vmap_put(a, rt.globals, "util", 4, gh_aws_util());
    gh_vmap_put(a, rt.globals, "context", 7, gh_aws_context_new(inv, &ctx));
    gh_vmap_put(a, rt.globals, "stageVariables", 14, gh_aws_stage_variables(inv));

    gh_buf b = GH_BUF_INIT;
    int rc = gh_vtl_render(t->compiled, &rt, &b);
    if (rc != 0 || rt.failed) {
        gh_buf_free(&b);
        if (kind == GH_MAPPING_REQUEST)
            out->client_error = gh_aws_input_client_error(&rt, input);
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
    gh_aws_context_overrides(&rt, ctx, out);
    return 0;
}

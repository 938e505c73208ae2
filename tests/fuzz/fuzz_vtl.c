/* Fuzz target: the VTL engine (template/vtl.h) as mapping templates drive it. The input
 * is a template, optionally followed by "\0" and a request body. A template that does
 * not compile must say where and why (line and column from 1, a message); one that
 * compiles renders with the variables mapping.c gives templates ($input over the body,
 * $context, $stageVariables, $util, for the fixed request of inv_fixture.h), under a
 * small output cap and step budget so no run can build megabytes or loop for seconds, and its output must stay within the
 * cap whether it succeeds or fails. Crashes, leaks, runaway recursion and timeouts are
 * libFuzzer's and the sanitizers' to catch. The globals are built here rather than by
 * gh_mapping_render because that one renders with the full 10 MB limit. */
#include <string.h>

#include "../unit/inv_fixture.h"
#include "fuzz.h"
#include "template/aws_vars.h"
#include "template/vtl.h"
#include "util/log.h"

#define FUZZ_VTL_MAX_OUTPUT (64 * 1024)
#define FUZZ_VTL_MAX_STEPS (100 * 1000)

static void render(const gh_vtl *t, const char *body, size_t body_len)
{
    inv_fixture f;
    inv_fixture_init(&f);
    gh_arena *a = f.arena;
    gh_aws_context *ctx;
    gh_vtl_rt rt = {.arena = a, .user = &f.inv, .max_output = FUZZ_VTL_MAX_OUTPUT,
                  .max_steps = FUZZ_VTL_MAX_STEPS};
    rt.globals = gh_v_map(a, 8, false).u.map;
    gh_vmap_put(a, rt.globals, "input", 5, gh_aws_input_new(&f.inv, body, body_len, false));
    gh_vmap_put(a, rt.globals, "util", 4, gh_aws_util());
    gh_vmap_put(a, rt.globals, "context", 7, gh_aws_context_new(&f.inv, &ctx));
    gh_vmap_put(a, rt.globals, "stageVariables", 14, gh_aws_stage_variables(&f.inv));

    gh_buf out = GH_BUF_INIT;
    int rc = gh_vtl_render(t, &rt, &out);
    if (out.len > FUZZ_VTL_MAX_OUTPUT)
        __builtin_trap(); /* the cap holds on success and on failure alike */
    if (rc != 0 && !rt.error[0])
        __builtin_trap(); /* a failed render says why */
    if (rc == 0) {
        gh_mapping_out mo;
        memset(&mo, 0, sizeof mo);
        gh_aws_context_overrides(&rt, ctx, &mo);
    }
    gh_buf_free(&out);
    inv_fixture_free(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gh_log_set_level(GH_LOG_ERROR);
    const char *text = (const char *)data;
    const char *nul = memchr(data, 0, size);
    size_t tlen = nul ? (size_t)(nul - text) : size;
    const char *body = nul ? nul + 1 : "";
    size_t body_len = nul ? size - tlen - 1 : 0;

    gh_arena *model = gh_arena_new(4096);
    gh_vtl_error err;
    memset(&err, 0, sizeof err);
    const gh_vtl *t = gh_vtl_compile(model, text, tlen, &err);
    if (!t) {
        if (err.line < 1 || err.col < 1 || !err.message[0])
            __builtin_trap(); /* a syntax error says where and why */
    } else {
        render(t, body, body_len);
    }
    gh_arena_free(model);
    return 0;
}

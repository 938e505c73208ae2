/* Fuzz target: the router. A fixed definition with every kind of resource (literal,
 * {param}, {greedy+}, ANY, root, nested params beside literals) is compiled once; the
 * input is "VERB PATH" (up to the first space; without one, the whole input is the path
 * and GET the verb). Checks the router's own promises on every match. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "gateway/router.h"
#include "spec/load.h"

static const char DEFINITION[] =
    "openapi: \"3.0.1\"\n"
    "info: {title: \"router fuzz\", version: \"1\"}\n"
    "x-mock: &mock\n"
    "  x-amazon-apigateway-integration:\n"
    "    type: mock\n"
    "    requestTemplates: {application/json: '{\"statusCode\": 200}'}\n"
    "    responses: {default: {statusCode: \"200\"}}\n"
    "paths:\n"
    "  /: {get: *mock}\n"
    "  /pets: {get: *mock, post: *mock}\n"
    "  /pets/{petId}: {get: *mock, delete: *mock}\n"
    "  /pets/{petId}/toys: {get: *mock}\n"
    "  /pets/mine: {patch: *mock}\n"
    "  /pets/{petId}/{toyId}: {put: *mock}\n"
    "  /a/{x}/c/d: {get: *mock}\n"
    "  /a/{proxy+}: {get: *mock}\n"
    "  /a/b: {x-amazon-apigateway-any-method: *mock}\n"
    "  /a/b/c: {get: *mock}\n"
    "  /files/{path+}: {get: *mock}\n"
    "  /mixed: {x-amazon-apigateway-any-method: *mock, get: *mock}\n"
    "  /deep/{p}/y: {post: *mock}\n"
    "  /deep/{p}/{q}: {delete: *mock}\n"
    "  /deep/{rest+}: {x-amazon-apigateway-any-method: *mock}\n"
    "  /only/{rest+}: {x-amazon-apigateway-any-method: *mock}\n"
    "  /{proxy+}: {x-amazon-apigateway-any-method: *mock}\n"
    "  /Case: {get: *mock}\n";

static const gh_api *api(void)
{
    static gh_model *m;
    if (!m) {
        char path[32];
        if (fuzz_memfile(0, (const uint8_t *)DEFINITION, sizeof DEFINITION - 1, path) != 0)
            abort();
        const char *defs[] = {path};
        gh_load_options opt = {.definitions = defs, .ndefinitions = 1, .port = -1};
        gh_diags d = GH_DIAGS_INIT;
        m = gh_model_load(&opt, &d);
        if (!m) {
            gh_diags_print(&d, stderr);
            abort(); /* the fixed definition must load */
        }
        gh_diags_free(&d);
    }
    return &m->apis[0];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const gh_api *a = api();
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    const char *verb = "GET", *path = text;
    char *space = memchr(text, ' ', size);
    if (space) {
        *space = '\0';
        verb = text;
        path = space + 1;
    }
    gh_arena *arena = gh_arena_new(4096);
    gh_route r;
    memset(&r, 0, sizeof r);
    if (gh_router_match(a, verb, path, arena, &r) == 0) {
        if (!r.resource || !r.method)
            __builtin_trap();
        if (strcmp(r.method->verb, verb) != 0 && strcmp(r.method->verb, "ANY") != 0)
            __builtin_trap(); /* an explicit verb or ANY, nothing else */
        size_t want = 0;
        for (const gh_resource *p = r.resource; p; p = p->parent)
            want += p->kind == GH_SEG_PARAM || p->kind == GH_SEG_GREEDY;
        if (r.nparams != want)
            __builtin_trap(); /* one value per {param} on the way to the root */
        for (size_t i = 0; i < r.nparams; i++)
            if (!r.params[i].name || !r.params[i].value || !strstr(path, r.params[i].value))
                __builtin_trap(); /* raw values, cut from the path */
    }
    gh_arena_free(arena);
    free(text);
    return 0;
}

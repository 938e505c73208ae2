/* gateway/router: precedence literal > {param} > {greedy+} at every depth, backtracking
 * on the (resource, method) pair as AWS does, root, trailing and doubled slashes, ANY
 * versus an explicit verb, and which of resource or method was missing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "gateway/router.h"
#include "resource_tree.h"

/* The tree every case runs against. */
static const tree_line tree[] = {
    {"/", "GET"},
    {"/pets", "GET POST"},
    {"/pets/{petId}", "GET DELETE"},
    {"/pets/{petId}/toys", "GET"},
    {"/pets/mine", "PATCH"},            /* literal without GET: GET falls to {petId} */
    {"/pets/{petId}/{toyId}", "PUT"},
    {"/a/{x}/c/d", "GET"},
    {"/a/{proxy+}", "GET"},             /* backtracking target for /a/{x}/c/... */
    {"/a/b", "ANY"},
    {"/a/b/c", "GET"},
    {"/files/{path+}", "GET"},
    {"/mixed", "ANY GET"},
    {"/deep/x/y", "GET"},
    {"/deep/{p}/y", "POST"},
    {"/deep/{p}/{q}", "DELETE"},
    {"/deep/{rest+}", "ANY"},
    {"/only/options", "OPTIONS"},
    {"/only/{rest+}", "ANY"},
    {"/intermediate/leaf", "GET"},      /* /intermediate has no methods */
    {"/{proxy+}", "ANY"},
    {"/Case", "GET"},
};

typedef struct rcase {
    const char *verb;
    const char *path;
    int rc;               /* 0 matched, -1 not */
    const char *resource; /* matched resource path (or path-only match on failure); NULL none */
    const char *params;   /* "name=value;..." or "" */
} rcase;

static const rcase cases[] = {
    /* root */
    {"GET", "", 0, "/", ""},
    {"GET", "/", 0, "/", ""},
    {"POST", "/", -1, "/", ""},          /* root exists, POST not declared; greedy needs a segment */
    /* literal beats param beats greedy */
    {"GET", "/pets", 0, "/pets", ""},
    {"GET", "/pets/", 0, "/pets", ""},   /* trailing slash ignored */
    {"GET", "/pets/42", 0, "/pets/{petId}", "petId=42"},
    {"GET", "/pets/42/", 0, "/pets/{petId}", "petId=42"},
    {"PATCH", "/pets/mine", 0, "/pets/mine", ""},
    {"GET", "/pets/mine", 0, "/pets/{petId}", "petId=mine"}, /* pair resolution */
    {"GET", "/pets/42/toys", 0, "/pets/{petId}/toys", "petId=42"},
    {"PUT", "/pets/42/toys", 0, "/pets/{petId}/{toyId}", "petId=42;toyId=toys"},
    {"PUT", "/pets/42/7", 0, "/pets/{petId}/{toyId}", "petId=42;toyId=7"},
    {"GET", "/pets/42/7", 0, "/{proxy+}", "proxy=pets/42/7"}, /* nothing under /pets has GET */
    /* backtracking several levels up to a greedy alternative */
    {"GET", "/a/z/c/d", 0, "/a/{x}/c/d", "x=z"},
    {"GET", "/a/z/c/e", 0, "/a/{proxy+}", "proxy=z/c/e"},
    {"GET", "/a/z/c", 0, "/a/{proxy+}", "proxy=z/c"},
    {"GET", "/a/b/c", 0, "/a/b/c", ""},
    {"GET", "/a/b/c/d", 0, "/a/{x}/c/d", "x=b"},  /* /a/b/c has no child d: param sibling */
    {"GET", "/a/b", 0, "/a/b", ""},
    {"POST", "/a/b", 0, "/a/b", ""},              /* ANY */
    {"POST", "/a/b/c", 0, "/{proxy+}", "proxy=a/b/c"},
    {"GET", "/a", 0, "/{proxy+}", "proxy=a"},     /* greedy needs one segment below /a */
    /* greedy keeps the raw rest */
    {"GET", "/files/x/y%2Fz/w.txt", 0, "/files/{path+}", "path=x/y%2Fz/w.txt"},
    {"GET", "/files/x/", 0, "/files/{path+}", "path=x"},
    {"GET", "/files", 0, "/{proxy+}", "proxy=files"},
    {"GET", "/pets/a%20b", 0, "/pets/{petId}", "petId=a%20b"},   /* not decoded */
    {"GET", "/pets/a+b", 0, "/pets/{petId}", "petId=a+b"},
    /* doubled slashes */
    {"GET", "/x//y", 0, "/{proxy+}", "proxy=x//y"},
    {"GET", "/pets//toys", 0, "/{proxy+}", "proxy=pets//toys"}, /* empty {petId} never matches */
    {"GET", "/a//c/d", 0, "/a/{proxy+}", "proxy=/c/d"},
    /* explicit verb beats ANY on one resource */
    {"GET", "/mixed", 0, "/mixed", ""},
    {"PUT", "/mixed", 0, "/mixed", ""},
    /* precedence at depth 3 with methods steering the choice */
    {"GET", "/deep/x/y", 0, "/deep/x/y", ""},
    {"POST", "/deep/x/y", 0, "/deep/{p}/y", "p=x"},
    {"DELETE", "/deep/x/y", 0, "/deep/{p}/{q}", "p=x;q=y"},
    {"PUT", "/deep/x/y", 0, "/deep/{rest+}", "rest=x/y"},
    {"OPTIONS", "/only/options", 0, "/only/options", ""},
    {"GET", "/only/options", 0, "/only/{rest+}", "rest=options"},
    {"GET", "/intermediate", 0, "/{proxy+}", "proxy=intermediate"},
    /* ANY covers only the seven standard verbs */
    {"PROPFIND", "/a/b", -1, "/a/b", ""},
    /* case-sensitive literals */
    {"GET", "/Case", 0, "/Case", ""},
    {"GET", "/case", 0, "/{proxy+}", "proxy=case"},
};

static void fmt_params(const gh_route *r, char *out, size_t size)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < r->nparams; i++)
        o += (size_t)snprintf(out + o, size - o, "%s%s=%s", i ? ";" : "", r->params[i].name,
                              r->params[i].value);
}

static void precedence_table(void **state)
{
    (void)state;
    gh_arena *a = gh_arena_new(4096);
    gh_api api = {0};
    tree_build(a, &api, tree, sizeof tree / sizeof *tree, NULL);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const rcase *c = &cases[i];
        gh_route r;
        int rc = gh_router_match(&api, c->verb, c->path, a, &r);
        char got[256];
        fmt_params(&r, got, sizeof got);
        if (rc != c->rc || (r.resource ? 0 : 1) != (c->resource ? 0 : 1) ||
            (c->resource && strcmp(r.resource->path, c->resource) != 0) ||
            (rc == 0 && strcmp(got, c->params) != 0)) {
            print_error("case %zu: %s %s -> rc %d resource %s params '%s'\n", i, c->verb,
                        c->path, rc, r.resource ? r.resource->path : "(none)", got);
            fail();
        }
        if (rc == 0) {
            assert_non_null(r.method);
            assert_true(strcmp(r.method->verb, c->verb) == 0 ||
                        strcmp(r.method->verb, "ANY") == 0);
        } else {
            assert_null(r.method);
        }
    }
    gh_arena_free(a);
}

/* Without a catch-all, an unknown path reports no resource at all, and a known path with
 * an undeclared verb reports the resource but no method: both are AWS's 403. */
static void method_missing_vs_resource_missing(void **state)
{
    (void)state;
    static const tree_line small[] = {{"/pets", "GET"}, {"/pets/{id}", "GET"}};
    gh_arena *a = gh_arena_new(4096);
    gh_api api = {0};
    tree_build(a, &api, small, 2, NULL);
    static const rcase c2[] = {
        {"GET", "/nope", -1, NULL, ""},
        {"GET", "/pets/1/2", -1, NULL, ""},
        {"DELETE", "/pets", -1, "/pets", ""},
        {"DELETE", "/pets/1", -1, "/pets/{id}", ""},
        {"GET", "/", -1, "/", ""}, /* the root always exists, without methods here */
        {"GET", "/pets/1", 0, "/pets/{id}", "id=1"},
    };
    for (size_t i = 0; i < sizeof c2 / sizeof *c2; i++) {
        gh_route r;
        int rc = gh_router_match(&api, c2[i].verb, c2[i].path, a, &r);
        assert_int_equal(rc, c2[i].rc);
        if (c2[i].resource) {
            assert_non_null(r.resource);
            assert_string_equal(r.resource->path, c2[i].resource);
        } else {
            assert_null(r.resource);
        }
    }
    gh_arena_free(a);
}

/* Explicit verbs win over ANY in a greedy-only API, and HEAD is not served by GET. */
static void any_and_head(void **state)
{
    (void)state;
    static const tree_line t[] = {{"/{proxy+}", "ANY"}, {"/r", "GET"}};
    gh_arena *a = gh_arena_new(4096);
    gh_api api = {0};
    tree_build(a, &api, t, 2, NULL);
    gh_route r;
    assert_int_equal(gh_router_match(&api, "HEAD", "/r", a, &r), 0);
    assert_string_equal(r.resource->path, "/{proxy+}");
    assert_string_equal(r.method->verb, "ANY");
    assert_int_equal(gh_router_match(&api, "GET", "/r", a, &r), 0);
    assert_string_equal(r.resource->path, "/r");
    assert_string_equal(r.method->verb, "GET");
    assert_int_equal(r.nparams, 0);
    gh_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(precedence_table),
        cmocka_unit_test(method_missing_vs_resource_missing),
        cmocka_unit_test(any_and_head),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

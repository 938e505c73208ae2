/* template/jsonpath: Jayway JsonPath semantics as API Gateway runs them. Each case is a
 * document, a path and the JSON text of the result (definite paths: the value, "null"
 * when nothing matches; indefinite ones: the list of matches), or "!" for a path that
 * does not parse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template/jsonpath.h"

static const char store[] =
    "{\"store\":{\"book\":["
    "{\"category\":\"reference\",\"author\":\"Nigel Rees\",\"title\":\"Sayings\",\"price\":8.95},"
    "{\"category\":\"fiction\",\"author\":\"Evelyn Waugh\",\"title\":\"Sword\",\"price\":12.99},"
    "{\"category\":\"fiction\",\"author\":\"Herman Melville\",\"title\":\"Moby Dick\","
    "\"isbn\":\"0-553-21311-3\",\"price\":8.99}],"
    "\"bicycle\":{\"color\":\"red\",\"price\":19.95}},\"expensive\":10}";

static const char misc[] =
    "{\"a\":{\"b\":[1,2,3,4,5]},\"s\":\"text\",\"n\":null,\"k.dot\":1,\"k y\":2,"
    "\"it's\":3,\"id\":\"5\",\"num\":5,\"nested\":{\"a\":{\"b\":7}},\"e\":[],\"o\":{}}";

typedef struct jcase {
    const char *doc, *path, *want;
} jcase;

static const jcase cases[] = {
    /* definite paths */
    {misc, "$", NULL}, /* the whole document: checked separately */
    {misc, "$.s", "\"text\""},
    {misc, "$.a.b", "[1,2,3,4,5]"},
    {misc, "$.a.b[0]", "1"},
    {misc, "$.a.b[-1]", "5"},
    {misc, "$.a.b[-5]", "1"},
    {misc, "$.a.b[5]", "null"},   /* out of range: no match */
    {misc, "$.a.b[-6]", "null"},
    {misc, "$.s[0]", "null"},     /* index on a string: no match */
    {misc, "$.a[0]", "null"},     /* index on a map: no match */
    {misc, "$.s.x", "null"},      /* name on a string: no match */
    {misc, "$.missing", "null"},
    {misc, "$.missing.deeper", "null"},
    {misc, "$.n", "null"},        /* a JSON null is a match whose value is null */
    {misc, "$['k.dot']", "1"},
    {misc, "$[\"k y\"]", "2"},
    {misc, "$['it\\'s']", "3"},
    {misc, "$['a']['b'][1]", "2"},
    {misc, "$.a['b'][ 2 ]", "3"},
    {misc, "a.b[1]", "2"},        /* no "$": relative to the root (method.request.body.a.b) */
    {misc, "nested.a.b", "7"},
    {misc, "$.e", "[]"},
    {misc, "$.o", "{}"},
    {misc, "$['s','num']", "{\"s\":\"text\",\"num\":5}"}, /* trailing multi-name merges */
    {misc, "$['s','nope']", "{\"s\":\"text\"}"},
    /* indefinite paths: always a list */
    {misc, "$.a.b[*]", "[1,2,3,4,5]"},
    {misc, "$.a.b[0,2]", "[1,3]"},
    {misc, "$.a.b[0,9]", "[1]"},
    {misc, "$.a.b[1:3]", "[2,3]"},
    {misc, "$.a.b[:2]", "[1,2]"},
    {misc, "$.a.b[-2:]", "[4,5]"},
    {misc, "$.a.b[3:]", "[4,5]"},
    {misc, "$.a.b[:-3]", "[1,2]"},
    {misc, "$.a.b[2:99]", "[3,4,5]"},
    {misc, "$.a.b[4:2]", "[]"},
    {misc, "$.s[*]", "[]"},
    {misc, "$.nested.*", "[{\"b\":7}]"},
    {misc, "$.missing[*]", "[]"},
    {store, "$.store.book[*].author", "[\"Nigel Rees\",\"Evelyn Waugh\",\"Herman Melville\"]"},
    {store, "$..author", "[\"Nigel Rees\",\"Evelyn Waugh\",\"Herman Melville\"]"},
    {store, "$.store..price", "[8.95,12.99,8.99,19.95]"},
    {store, "$..book[2].title", "[\"Moby Dick\"]"},
    {store, "$..book[-1:].title", "[\"Moby Dick\"]"},
    {store, "$..book[?(@.isbn)].title", "[\"Moby Dick\"]"},
    {store, "$.store.book[?(@.price < 10)].title", "[\"Sayings\",\"Moby Dick\"]"},
    {store, "$.store.book[?(@.price <= 8.99)].price", "[8.95,8.99]"},
    {store, "$.store.book[?(@.price > $.expensive)].title", "[\"Sword\"]"},
    {store, "$.store.book[?(@.category == 'fiction')].author", "[\"Evelyn Waugh\",\"Herman Melville\"]"},
    {store, "$.store.book[?(@.category != 'fiction')].author", "[\"Nigel Rees\"]"},
    {store, "$.store.book[?(@.category == 'fiction' && @.price < 10)].title", "[\"Moby Dick\"]"},
    {store, "$.store.book[?(@.price > 12 || @.isbn)].title", "[\"Sword\",\"Moby Dick\"]"},
    {store, "$.store.book[?(!(@.price > 12))].title", "[\"Sayings\",\"Moby Dick\"]"},
    {store, "$.store.book[?(@.author =~ /.*REES/i)].title", "[\"Sayings\"]"},
    {store, "$.store.book[?(@.author =~ /Rees/)].title", "[]"}, /* =~ matches the whole string */
    {store, "$.store.book[?(@.category in ['reference','x'])].title", "[\"Sayings\"]"},
    {store, "$.store.book[?(@.category nin ['reference'])].price", "[12.99,8.99]"},
    {store, "$.store.bicycle[?(@.color == 'red')].price", "[19.95]"}, /* filter on a map */
    {store, "$..[?(@.color)].color", "[\"red\"]"},
    {"[{\"id\":5},{\"id\":\"5\"},{\"id\":6}]", "$[?(@.id == '5')]", "[{\"id\":5},{\"id\":\"5\"}]"},
    {"[{\"id\":5},{\"id\":\"5\"},{\"x\":1}]", "$[?(@.id == 5)].id", "[5,\"5\"]"},
    {"[{\"v\":null},{\"v\":1}]", "$[?(@.v == null)]", "[{\"v\":null}]"},
    {"[{\"f\":true},{\"f\":false}]", "$[?(@.f == true)].f", "[true]"},
    {"[{\"a\":\"b\"},{\"a\":1}]", "$[?(@.a < 'c')].a", "[\"b\"]"}, /* mixed kinds: false */
    {"{\"name\":{\"name\":1}}", "$..name", "[{\"name\":1},1]"},        /* node before children */
    {"{\"a\":{\"b\":1},\"c\":2}", "$..*", "[{\"b\":1},2,1]"},
    {"[[1,2],[3]]", "$..[0]", "[[1,2],1,3]"},
    {"[1,2,3]", "$[1]", "2"},
    {"\"str\"", "$", "\"str\""},
    {"3.5", "$", "3.5"},
    /* errors */
    {misc, "$.", "!"},
    {misc, "$..", "!"},
    {misc, "$[", "!"},
    {misc, "$['a'", "!"},
    {misc, "$[?(@.a ==)]", "!"},
    {misc, "$.a.length()", "!"},
    {misc, "$x", "!"},
    {misc, "$[?(@ in [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]])]", "!"},
};

/* A filter list nested past the limit is a syntax error, not a stack overflow (found
 * by review: operand_parse recursed once per '['). */
static void deep_filter_lists_are_refused(void **state)
{
    (void)state;
    size_t n = 200000;
    char *path = malloc(2 * n + 32);
    char *p = path + sprintf(path, "$[?(@ in ");
    memset(p, '[', n);
    p += n;
    memset(p, ']', n);
    p += n;
    strcpy(p, ")]");
    assert_non_null(gh_jsonpath_check(path, strlen(path)));
    free(path);
}

static void table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const jcase *c = &cases[i];
        if (!c->want)
            continue;
        gh_arena *a = gh_arena_new(4096);
        json_error_t jerr;
        json_t *j = json_loads(c->doc, JSON_DECODE_ANY, &jerr);
        assert_non_null(j);
        gh_vval root = gh_v_from_json(a, j), out;
        json_decref(j);
        const char *err = NULL;
        bool ok = gh_jsonpath_eval(a, root, c->path, strlen(c->path), &out, &err);
        if (strcmp(c->want, "!") == 0) {
            if (ok)
                fail_msg("case %zu: %s parsed", i, c->path);
            assert_non_null(err);
            assert_non_null(gh_jsonpath_check(c->path, strlen(c->path)));
        } else {
            if (!ok)
                fail_msg("case %zu: %s: %s", i, c->path, err);
            assert_null(gh_jsonpath_check(c->path, strlen(c->path)));
            gh_buf b = GH_BUF_INIT;
            gh_v_print_json(out, &b);
            if (strcmp(b.data, c->want) != 0)
                fail_msg("case %zu: %s gave %s, want %s", i, c->path, b.data, c->want);
            gh_buf_free(&b);
        }
        gh_arena_free(a);
    }
}

/* What the results are, beyond their JSON text: a definite miss is null, an indefinite
 * result a JSON-flavoured list (prints as JSON in a template), the root itself. */
static void result_kinds(void **state)
{
    (void)state;
    gh_arena *a = gh_arena_new(4096);
    json_t *j = json_loads(misc, 0, NULL);
    gh_vval root = gh_v_from_json(a, j), out;
    json_decref(j);
    const char *err;
    assert_true(gh_jsonpath_eval(a, root, "$.missing", 9, &out, &err));
    assert_int_equal(out.kind, GH_V_NULL);
    assert_true(gh_jsonpath_eval(a, root, "$.a.b[*]", 8, &out, &err));
    assert_int_equal(out.kind, GH_V_LIST);
    assert_true(out.u.list->json);
    assert_true(gh_jsonpath_eval(a, root, "$.nope[*]", 9, &out, &err));
    assert_int_equal(out.kind, GH_V_LIST);
    assert_int_equal(out.u.list->n, 0);
    assert_true(gh_jsonpath_eval(a, root, " $ ", 3, &out, &err));
    assert_true(out.kind == GH_V_MAP && out.u.map == root.u.map);
    gh_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table),
        cmocka_unit_test(deep_filter_lists_are_refused),
        cmocka_unit_test(result_kinds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

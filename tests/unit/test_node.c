/* spec/node: the position-keeping reader, scalar typing, anchors, merge patch, $ref. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/node.h"

static gh_doc *load(const char *text)
{
    gh_diags d = GH_DIAGS_INIT;
    gh_doc *doc = NULL;
    int rc = gh_doc_load_buffer("api.yaml", text, strlen(text), &doc, &d);
    if (rc != 0)
        for (size_t i = 0; i < d.n; i++)
            fprintf(stderr, "%s\n", d.items[i].text);
    gh_diags_free(&d);
    assert_int_equal(rc, 0);
    return doc;
}

static void scalars_are_typed_like_yaml_core(void **state)
{
    (void)state;
    static const struct {
        const char *yaml;
        gh_node_kind kind;
    } cases[] = {
        {"v: 42", GH_NODE_INT},       {"v: -7", GH_NODE_INT},      {"v: 0x1F", GH_NODE_INT},
        {"v: 1.5", GH_NODE_REAL},     {"v: 1e3", GH_NODE_REAL},    {"v: .inf", GH_NODE_REAL},
        {"v: true", GH_NODE_BOOL},    {"v: False", GH_NODE_BOOL},  {"v: null", GH_NODE_NULL},
        {"v: ~", GH_NODE_NULL},       {"v:", GH_NODE_NULL},        {"v: '42'", GH_NODE_STR},
        {"v: \"true\"", GH_NODE_STR}, {"v: yes", GH_NODE_STR},     {"v: 1.2.3", GH_NODE_STR},
        {"v: !!str 12", GH_NODE_STR}, {"{\"v\": 3}", GH_NODE_INT}, {"{\"v\": \"3\"}", GH_NODE_STR},
        {"v: 99999999999999999999999", GH_NODE_REAL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gh_doc *doc = load(cases[i].yaml);
        gh_node *v = gh_node_get(doc->root, "v");
        assert_non_null(v);
        if (v->kind != cases[i].kind)
            fail_msg("case %zu (%s): kind %d, want %d", i, cases[i].yaml, v->kind, cases[i].kind);
        gh_doc_free(doc);
    }
}

static void every_value_knows_its_position(void **state)
{
    (void)state;
    gh_doc *doc = load("openapi: 3.0.1\n"
                       "paths:\n"
                       "  /pets:\n"
                       "    get:\n"
                       "      operationId: listPets\n"
                       "      tags: [a, \"b\"]\n");
    gh_node *op = gh_node_get(gh_node_get(gh_node_get(doc->root, "paths"), "/pets"), "get");
    gh_node *id = gh_node_get(op, "operationId");
    assert_string_equal(id->mark.file, "api.yaml");
    assert_int_equal(id->mark.line, 5);
    assert_int_equal(id->mark.col, 20);
    gh_pair *p = gh_node_get_pair(op, "tags");
    assert_int_equal(p->key->mark.line, 6);
    assert_int_equal(p->key->mark.col, 7);
    assert_int_equal(p->value->items[1]->mark.col, 17);
    assert_string_equal(gh_node_str(p->value->items[1]), "b");
    gh_doc_free(doc);
}

static void json_keeps_positions_too(void **state)
{
    (void)state;
    gh_doc *doc = load("{\n  \"swagger\": \"2.0\",\n  \"paths\": {\"/x\": {\"get\": {}}}\n}\n");
    gh_node *paths = gh_node_get(doc->root, "paths");
    assert_int_equal(paths->mark.line, 3);
    assert_int_equal(paths->mark.col, 12);
    assert_string_equal(gh_node_str(gh_node_get(doc->root, "swagger")), "2.0");
    gh_doc_free(doc);
}

static void anchors_aliases_and_merge_keys(void **state)
{
    (void)state;
    gh_doc *doc = load("base: &b {type: mock, timeout: 1}\n"
                       "use: *b\n"
                       "ext:\n"
                       "  <<: *b\n"
                       "  timeout: 2\n");
    assert_ptr_equal(gh_node_get(doc->root, "use"), gh_node_get(doc->root, "base"));
    gh_node *ext = gh_node_get(doc->root, "ext");
    assert_int_equal(ext->n, 2);
    assert_int_equal(gh_node_get(ext, "timeout")->v.i, 2);
    assert_string_equal(gh_node_str(gh_node_get(ext, "type")), "mock");
    gh_doc_free(doc);
}

static void syntax_errors_point_at_the_problem(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *want;
    } cases[] = {
        {"a: b\n  c: d\n", "api.yaml:2:4: YAML/JSON syntax error: mapping values are not allowed"},
        {"{\"a\": [1, 2}\n", "api.yaml:1:12: YAML/JSON syntax error"},
        {"a: *nope\n", "api.yaml:1:4: alias *nope names no anchor"},
        {"? [a]\n: b\n", "api.yaml:1:3: a mapping key must be a plain value"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gh_diags d = GH_DIAGS_INIT;
        gh_doc *doc = NULL;
        assert_int_equal(gh_doc_load_buffer("api.yaml", cases[i].text, strlen(cases[i].text), &doc, &d), -1);
        assert_null(doc);
        assert_true(d.errors >= 1);
        if (strncmp(d.items[0].text, cases[i].want, strlen(cases[i].want)) != 0)
            fail_msg("case %zu: got '%s', want prefix '%s'", i, d.items[0].text, cases[i].want);
        gh_diags_free(&d);
    }
}

static void duplicate_keys_warn_and_last_wins(void **state)
{
    (void)state;
    gh_diags d = GH_DIAGS_INIT;
    gh_doc *doc = NULL;
    const char *t = "a: 1\nb: 2\na: 3\n";
    assert_int_equal(gh_doc_load_buffer("api.yaml", t, strlen(t), &doc, &d), 0);
    assert_int_equal(d.warnings, 1);
    assert_non_null(strstr(d.items[0].text, "api.yaml:3:1: duplicate key 'a' (first at line 1)"));
    assert_int_equal(gh_node_get(doc->root, "a")->v.i, 3);
    gh_diags_free(&d);
    gh_doc_free(doc);
}

static void merge_patch_follows_rfc7386(void **state)
{
    (void)state;
    /* The examples of RFC 7386 section 3, in YAML. */
    gh_doc *doc = load("title: Goodbye!\n"
                       "author: {givenName: John, familyName: Doe}\n"
                       "tags: [example, sample]\n"
                       "content: This will be unchanged\n");
    gh_doc *patch = load("title: Hello!\n"
                         "phoneNumber: '+01-123-456-7890'\n"
                         "author: {familyName: null}\n"
                         "tags: [example]\n");
    gh_merge_patch(doc, patch->root);
    gh_doc_free(patch); /* the merged nodes must not point into the patch */
    assert_string_equal(gh_node_str(gh_node_get(doc->root, "title")), "Hello!");
    assert_string_equal(gh_node_str(gh_node_get(doc->root, "phoneNumber")), "+01-123-456-7890");
    gh_node *author = gh_node_get(doc->root, "author");
    assert_int_equal(author->n, 1);
    assert_string_equal(gh_node_str(gh_node_get(author, "givenName")), "John");
    assert_int_equal(gh_node_get(doc->root, "tags")->n, 1);
    assert_string_equal(gh_node_str(gh_node_get(doc->root, "content")), "This will be unchanged");
    gh_node *phone = gh_node_get(doc->root, "phoneNumber");
    assert_string_equal(phone->mark.file, "api.yaml");
    assert_int_equal(phone->mark.line, 2);
    gh_doc_free(doc);
}

static void merge_patch_does_not_leak_through_aliases(void **state)
{
    (void)state;
    gh_doc *doc = load("a: &x {k: 1}\nb: *x\n");
    gh_doc *patch = load("a: {k: 2}\n");
    gh_merge_patch(doc, patch->root);
    gh_doc_free(patch);
    assert_int_equal(gh_node_get(gh_node_get(doc->root, "a"), "k")->v.i, 2);
    assert_int_equal(gh_node_get(gh_node_get(doc->root, "b"), "k")->v.i, 1);
    gh_doc_free(doc);
}

static void refs_resolve_json_pointers(void **state)
{
    (void)state;
    gh_doc *doc = load("components:\n"
                       "  schemas:\n"
                       "    Pet: {type: object}\n"
                       "    a/b: {x: 1}\n"
                       "    'm~n': {y: 2}\n"
                       "    'sp ace': {z: 3}\n"
                       "  list: [zero, one]\n");
    assert_non_null(gh_doc_resolve_ref(doc, "#/components/schemas/Pet"));
    assert_non_null(gh_node_get(gh_doc_resolve_ref(doc, "#/components/schemas/a~1b"), "x"));
    assert_non_null(gh_node_get(gh_doc_resolve_ref(doc, "#/components/schemas/m~0n"), "y"));
    assert_non_null(gh_node_get(gh_doc_resolve_ref(doc, "#/components/schemas/sp%20ace"), "z"));
    assert_string_equal(gh_node_str(gh_doc_resolve_ref(doc, "#/components/list/1")), "one");
    assert_ptr_equal(gh_doc_resolve_ref(doc, "#"), doc->root);
    assert_null(gh_doc_resolve_ref(doc, "#/components/schemas/Nope"));
    assert_null(gh_doc_resolve_ref(doc, "#/components/list/7"));
    assert_null(gh_doc_resolve_ref(doc, "other.yaml#/x"));
    gh_doc_free(doc);
}

static void deep_nesting_is_refused_not_crashed(void **state)
{
    (void)state;
    size_t n = 5000;
    char *t = malloc(2 * n + 1);
    memset(t, '[', n);
    memset(t + n, ']', n);
    t[2 * n] = 0;
    gh_diags d = GH_DIAGS_INIT;
    gh_doc *doc = NULL;
    assert_int_equal(gh_doc_load_buffer("deep.json", t, 2 * n, &doc, &d), -1);
    assert_non_null(strstr(d.items[0].text, "nesting deeper than"));
    gh_diags_free(&d);
    free(t);
}

/* "Billion laughs": each level aliases the previous one ten times. Four levels expand
 * to ~10^5 values and load; nine levels (10^9) used to load too, and then every walk of
 * the tree (validate's extension scan) ran for hours. Refused at the alias that crosses
 * the limit, with its position. */
static char *laughs(int levels)
{
    char *t = calloc(1, 64 + (size_t)levels * 128);
    strcat(t, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i <= levels; i++) {
        char line[256];
        snprintf(line, sizeof line, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, "
                 "*a%d, *a%d]\n", i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1,
                 i - 1, i - 1);
        strcat(t, line);
    }
    return t;
}

static void alias_bombs_are_refused(void **state)
{
    (void)state;
    static const struct {
        int levels;
        int rc;       /* 0 loads, -1 refused */
        unsigned line; /* of the error */
    } cases[] = {
        {1, 0, 0},
        {5, 0, 0},  /* a0..a5 expand to about 1.2 million values: within the limit */
        {6, -1, 7}, /* a6 adds 11 million: refused on its line */
        {9, -1, 7},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *t = laughs(cases[i].levels);
        gh_diags d = GH_DIAGS_INIT;
        gh_doc *doc = NULL;
        assert_int_equal(gh_doc_load_buffer("bomb.yaml", t, strlen(t), &doc, &d), cases[i].rc);
        if (cases[i].rc == 0) {
            assert_non_null(doc);
            assert_int_equal(doc->root->n, (size_t)cases[i].levels + 1);
            gh_doc_free(doc);
        } else {
            assert_int_equal(d.n, 1);
            assert_non_null(strstr(d.items[0].text, "aliases expand the document past"));
            char at[32];
            snprintf(at, sizeof at, "bomb.yaml:%u:", cases[i].line);
            assert_memory_equal(d.items[0].text, at, strlen(at));
        }
        gh_diags_free(&d);
        free(t);
    }
}

static void corpus_definitions_parse(void **state)
{
    (void)state;
    const char *src = getenv("GH_SOURCE_DIR");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/../shared/corpus/definitions", src ? src : ".");
    DIR *dp = opendir(dir);
    if (!dp)
        skip();
    struct dirent *e;
    int count = 0;
    while ((e = readdir(dp))) {
        if (e->d_name[0] == '.')
            continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        gh_diags d = GH_DIAGS_INIT;
        gh_doc *doc = NULL;
        if (gh_doc_load_file(path, &doc, &d) != 0)
            fail_msg("%s: %s", e->d_name, d.n ? d.items[0].text : "?");
        assert_int_equal(doc->root->kind, GH_NODE_MAP);
        gh_doc_free(doc);
        gh_diags_free(&d);
        count++;
    }
    closedir(dp);
    assert_true(count > 0);
}

/* Nested aliases ("billion laughs"): nine lines that every walk of the tree would visit
 * as 10^9 nodes. Loading hung for minutes; now it stops at the alias that goes over. */
static void alias_expansion_bomb_is_refused(void **state)
{
    (void)state;
    const char *text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                       "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                       "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                       "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                       "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                       "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
                       "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
                       "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
                       "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
    gh_diags d = GH_DIAGS_INIT;
    gh_doc *doc = NULL;
    assert_int_not_equal(gh_doc_load_buffer("api.yaml", text, strlen(text), &doc, &d), 0);
    assert_null(doc);
    assert_int_equal(d.errors, 1);
    /* 1 + 10 + 1: the ninth alias of line 7 is the first to pass 2^21 nodes. */
    assert_non_null(strstr(d.items[0].text, "api.yaml:7:"));
    assert_non_null(strstr(d.items[0].text, "aliases expand the document past 2097152 nodes"));
    gh_diags_free(&d);

    /* Ordinary reuse stays fine: a shared block aliased many times. */
    gh_doc *ok = load("base: &b {type: string, maxLength: 10}\n"
                      "props: {a: *b, b: *b, c: *b, d: *b, e: *b, f: *b, g: *b, h: *b}\n");
    assert_string_equal(
        gh_node_scalar(gh_node_get(gh_node_get(gh_node_get(ok->root, "props"), "h"), "type")),
        "string");
    gh_doc_free(ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scalars_are_typed_like_yaml_core),
        cmocka_unit_test(every_value_knows_its_position),
        cmocka_unit_test(json_keeps_positions_too),
        cmocka_unit_test(anchors_aliases_and_merge_keys),
        cmocka_unit_test(syntax_errors_point_at_the_problem),
        cmocka_unit_test(duplicate_keys_warn_and_last_wins),
        cmocka_unit_test(merge_patch_follows_rfc7386),
        cmocka_unit_test(merge_patch_does_not_leak_through_aliases),
        cmocka_unit_test(alias_expansion_bomb_is_refused),
        cmocka_unit_test(refs_resolve_json_pointers),
        cmocka_unit_test(deep_nesting_is_refused_not_crashed),
        cmocka_unit_test(alias_bombs_are_refused),
        cmocka_unit_test(corpus_definitions_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

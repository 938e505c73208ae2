/* harness/match, vars and files: the matching rules of docs/fixtures.md, one case per
 * line with the expected outcome beside it. JSON subset (arrays, 1 vs 1.0), exact JSON,
 * header and body checks (exact, Java regex whole or found, absent), JSONPath
 * assertions, captures, ${} substitution and the stability of --shard. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/files.h"
#include "harness/fixture.h"
#include "harness/match.h"
#include "harness/vars.h"
#include "template/vtl_json.h"
#include "util/jregex.h"

typedef struct jcase {
    const char *expected; /* YAML */
    const char *actual;   /* JSON */
    bool subset;
    bool ok;
    const char *first_what; /* the first failure's path, when !ok */
} jcase;

static const jcase json_cases[] = {
    {"{a: 1}", "{\"a\":1,\"b\":2}", true, true, NULL},
    {"{a: 1}", "{\"a\":1.0}", true, true, NULL},
    {"{a: 1.0}", "{\"a\":1}", true, true, NULL},
    {"{a: 1.5}", "{\"a\":1.5}", true, true, NULL},
    {"{a: 1}", "{\"a\":\"1\"}", true, false, "json $.a"},
    {"{a: '7'}", "{\"a\":7}", true, false, "json $.a"},
    {"[1, 2]", "[1,2]", true, true, NULL},
    {"[1]", "[1,2]", true, false, "json $"},
    {"[2, 1]", "[1,2]", true, false, "json $[0]"},
    {"[{a: 1}]", "[{\"a\":1,\"b\":2}]", true, true, NULL},
    {"{a: {b: [x]}}", "{\"a\":{\"b\":[\"x\"],\"c\":1}}", true, true, NULL},
    {"{a: {b: [x]}}", "{\"a\":{\"b\":[\"y\"]}}", true, false, "json $.a.b[0]"},
    {"{a: null}", "{\"a\":null}", true, true, NULL},
    {"{a: null}", "{}", true, false, "json $.a"},
    {"{a: true}", "{\"a\":\"true\"}", true, false, "json $.a"},
    {"{a: true}", "{\"a\":true}", true, true, NULL},
    {"{a: 1}", "{\"a\":1,\"b\":2}", false, false, "json $"},
    {"{a: 1, b: 2}", "{\"b\":2,\"a\":1}", false, true, NULL},
    {"{}", "{\"x\":1}", true, true, NULL},
    {"{a: 1}", "[1]", true, false, "json $"},
    {"[]", "{}", true, false, "json $"},
    {"x", "\"x\"", true, true, NULL},
    {"{id: '${id}'}", "{\"id\":7}", true, true, NULL},    /* a variable's text vs a number */
    {"{id: '${id}'}", "{\"id\":\"7\"}", true, true, NULL},
    {"{id: '${id}'}", "{\"id\":8}", true, false, "json $.id"},
    {"{n: 9007199254740993}", "{\"n\":9007199254740993}", true, true, NULL},
    {"{n: 9007199254740993}", "{\"n\":9007199254740992}", true, false, "json $.n"},
};

static gh_fixture_file *load_text(const char *text)
{
    gh_fixture_file *f = NULL;
    gh_diags d = GH_DIAGS_INIT;
    int rc = gh_fixture_file_load_buffer("t.yaml", text, strlen(text), &f, &d);
    if (rc < 0)
        gh_diags_print(&d, stderr);
    gh_diags_free(&d);
    assert_int_equal(rc, 0);
    return f;
}

static void json_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof json_cases / sizeof *json_cases; i++) {
        const jcase *c = &json_cases[i];
        gh_arena *a = gh_arena_new(4096);
        gh_vars v;
        gh_vars_init(&v, a);
        gh_vars_set(&v, "id", "7", 1);
        gh_doc *doc = NULL;
        gh_diags d = GH_DIAGS_INIT;
        assert_int_equal(gh_doc_load_buffer("e.yaml", c->expected, strlen(c->expected), &doc, &d), 0);
        gh_vval actual;
        assert_null(gh_vjson_parse(a, c->actual, strlen(c->actual), &actual));
        gh_fx_result r = {.passed = true};
        bool ok = gh_fx_match_json(a, &v, doc->root, actual, c->subset, GH_FX_JSON, "json $", &r);
        if (ok != c->ok)
            fail_msg("case %zu: %s vs %s: got %d", i, c->expected, c->actual, ok);
        assert_int_equal(r.nfails == 0, c->ok);
        if (!c->ok)
            assert_string_equal(r.fails[0].what, c->first_what);
        gh_doc_free(doc);
        gh_diags_free(&d);
        gh_arena_free(a);
    }
}

/* Whole expectations against one response. */
typedef struct mcase {
    const char *expect; /* YAML of the expect map */
    size_t nfails;
    const char *first_what;
} mcase;

static const gh_fx_header resp_headers[] = {
    {"Content-Type", "application/json"},
    {"X-Request-Id", "0e47af64-54aa-4f64-97c9-feba7e38d6ec"},
    {"Set-Cookie", "a=1"},
    {"set-cookie", "b=2"},
};
static const char resp_body[] =
    "{\"id\":7,\"name\":\"rex\",\"tags\":[\"a\",\"b\"],\"price\":12.5,\"owner\":null}";

static const mcase match_cases[] = {
    {"{status: 201}", 0, NULL},
    {"{status: 200}", 1, "status"},
    {"{headers: {content-type: application/json}}", 0, NULL},
    {"{headers: {Content-Type: application/xml}}", 1, "header Content-Type"},
    {"{headers: {X-Request-Id: {regex: '^[0-9a-f-]{36}$'}}}", 0, NULL},
    {"{headers: {X-Request-Id: {regex: '[0-9a-f]{8}'}}}", 1, "header X-Request-Id"},
    {"{headers: {X-Debug: {absent: true}}}", 0, NULL},
    {"{headers: {Content-Type: {absent: true}}}", 1, "header Content-Type"},
    {"{headers: {X-Missing: x}}", 1, "header X-Missing"},
    {"{headers: {Set-Cookie: 'a=1, b=2'}}", 0, NULL},
    {"{body: '{\"id\":7}'}", 1, "body"},
    {"{bodyRegex: '\"id\":\\d+'}", 0, NULL},
    {"{bodyRegex: '^\"id\"'}", 1, "bodyRegex"},
    {"{bodyRegex: 'REX'}", 1, "bodyRegex"},
    {"{bodyRegex: '(?i)REX'}", 0, NULL},
    {"{jsonpath: {$.id: 7, $.name: rex, $.price: 12.50}}", 0, NULL},
    {"{jsonpath: {$.id: 7.0}}", 0, NULL},
    {"{jsonpath: {$.id: '7'}}", 1, "jsonpath $.id"},
    {"{jsonpath: {$.name: {regex: 'r.x'}}}", 0, NULL},
    {"{jsonpath: {$.name: {regex: 'r'}}}", 1, "jsonpath $.name"},
    {"{jsonpath: {$.id: {regex: '[0-9]+'}}}", 0, NULL},
    {"{jsonpath: {$.nope: {absent: true}, $.owner: {absent: true}}}", 0, NULL},
    {"{jsonpath: {$.name: {absent: true}}}", 1, "jsonpath $.name"},
    {"{jsonpath: {$..nope: {absent: true}}}", 0, NULL},
    {"{jsonpath: {$.tags: [a, b]}}", 0, NULL},
    {"{jsonpath: {'$.tags[*]': [a, b]}}", 0, NULL},
    {"{jsonpath: {$.tags: [a]}}", 1, "jsonpath $.tags"},
    {"{json: {id: 7, tags: [a, b]}}", 0, NULL},
    {"{json: {id: 7, tags: [b, a]}}", 2, "json $.tags[0]"},
    {"{status: 201, json: {name: '${name}'}, jsonpath: {$.id: '${id}'}}", 0, NULL},
    {"{invoked: {function: f}}", 1, "side effects"},
};

static gh_fx_result run_expect(gh_arena *a, gh_vars *v, const char *expect, gh_fixture_file **ff)
{
    char text[1024];
    snprintf(text, sizeof text, "fixtures:\n  - name: t\n    request: {path: /x}\n"
             "    expect: %s\n", expect);
    *ff = load_text(text);
    gh_fx_result r = {.passed = true, .fixture = &(*ff)->items[0], .sent = true};
    r.resp.status = 201;
    r.resp.headers = (gh_fx_header *)resp_headers;
    r.resp.nheaders = sizeof resp_headers / sizeof *resp_headers;
    r.resp.body = resp_body;
    r.resp.body_len = strlen(resp_body);
    gh_fx_match(a, v, r.fixture, ".", &r);
    return r;
}

static void match_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof match_cases / sizeof *match_cases; i++) {
        const mcase *c = &match_cases[i];
        gh_arena *a = gh_arena_new(4096);
        gh_vars v;
        gh_vars_init(&v, a);
        gh_vars_set(&v, "name", "rex", 3);
        gh_vars_set(&v, "id", "7", 1);
        gh_fixture_file *ff;
        gh_fx_result r = run_expect(a, &v, c->expect, &ff);
        if (r.nfails != c->nfails)
            fail_msg("case %zu (%s): %zu failures, first: %s", i, c->expect, r.nfails,
                     r.nfails ? r.fails[0].what : "-");
        if (c->first_what)
            assert_string_equal(r.fails[0].what, c->first_what);
        gh_fixture_file_free(ff);
        gh_arena_free(a);
    }
}

static void failure_text(void **state)
{
    (void)state;
    gh_arena *a = gh_arena_new(4096);
    gh_vars v;
    gh_vars_init(&v, a);
    gh_fixture_file *ff;
    gh_fx_result r = run_expect(a, &v, "{status: 404, headers: {Content-Type: text/plain}}", &ff);
    assert_int_equal(r.nfails, 2);
    assert_string_equal(r.fails[0].expected, "404");
    assert_string_equal(r.fails[0].actual, "201");
    assert_string_equal(r.fails[1].expected, "text/plain");
    assert_string_equal(r.fails[1].actual, "application/json");
    gh_fixture_file_free(ff);
    gh_arena_free(a);
}

static void captures(void **state)
{
    (void)state;
    gh_arena *a = gh_arena_new(4096);
    gh_vars v;
    gh_vars_init(&v, a);
    gh_fixture_file *ff = load_text(
        "fixtures:\n  - name: t\n    request: {path: /x}\n"
        "    capture:\n      id: {jsonpath: $.id}\n      name: {jsonpath: $.name}\n"
        "      tags: {jsonpath: $.tags}\n      rid: {header: x-request-id}\n");
    gh_fx_result r = {.passed = true, .fixture = &ff->items[0], .sent = true};
    r.resp.headers = (gh_fx_header *)resp_headers;
    r.resp.nheaders = 4;
    r.resp.body = resp_body;
    r.resp.body_len = strlen(resp_body);
    assert_true(gh_fx_capture(a, &v, r.fixture, &r));
    size_t len;
    assert_string_equal(gh_vars_get(&v, "id", 2, &len), "7");
    assert_string_equal(gh_vars_get(&v, "name", 4, &len), "rex"); /* no quotes */
    assert_string_equal(gh_vars_get(&v, "tags", 4, &len), "[\"a\",\"b\"]");
    assert_string_equal(gh_vars_get(&v, "rid", 3, &len), "0e47af64-54aa-4f64-97c9-feba7e38d6ec");
    gh_fixture_file_free(ff);

    ff = load_text("fixtures:\n  - name: t\n    request: {path: /x}\n"
                   "    capture:\n      x: {jsonpath: $.nope}\n      y: {header: X-Nope}\n");
    gh_fx_result r2 = {.passed = true, .fixture = &ff->items[0], .resp = r.resp};
    assert_false(gh_fx_capture(a, &v, r2.fixture, &r2));
    assert_int_equal(r2.nfails, 2);
    assert_string_equal(r2.fails[0].what, "capture x");
    assert_string_equal(r2.fails[1].what, "capture y");
    gh_fixture_file_free(ff);
    gh_arena_free(a);
}

typedef struct scase {
    const char *in;
    const char *out; /* NULL: an error containing err */
    const char *err;
} scase;

static const scase subst_cases[] = {
    {"plain", "plain", NULL},
    {"a${x}b", "a1b", NULL},
    {"${x}${long}", "1a longer value", NULL},
    {"$${x}", "${x}", NULL},
    {"$$${x}", "$${x}", NULL},   /* left to right: a plain $, then $${ */
    {"$x ${x}$", "$x 1$", NULL},
    {"cost: $5", "cost: $5", NULL},
    {"${GH_TEST_VAR}", NULL, "unknown variable 'GH_TEST_VAR'"},
    {"${env.GH_TEST_VAR}", "from env", NULL},
    {"${env.GH_TEST_UNSET}", NULL, "unknown variable 'env.GH_TEST_UNSET'"},
    {"${nope}", NULL, "unknown variable 'nope'"},
    {"a${x", NULL, "not closed"},
    {"${}", NULL, "unknown variable ''"},
};

static void substitution(void **state)
{
    (void)state;
    setenv("GH_TEST_VAR", "from env", 1);
    unsetenv("GH_TEST_UNSET");
    gh_arena *a = gh_arena_new(4096);
    gh_vars v;
    gh_vars_init(&v, a);
    gh_vars_set(&v, "x", "0", 1);
    gh_vars_set(&v, "x", "1", 1); /* a later capture replaces */
    gh_vars_set(&v, "long", "a longer value", 14);
    for (size_t i = 0; i < sizeof subst_cases / sizeof *subst_cases; i++) {
        const scase *c = &subst_cases[i];
        const char *err = NULL;
        size_t len;
        const char *out = gh_vars_subst(&v, a, c->in, strlen(c->in), &len, NULL, &err);
        if (c->out) {
            if (!out)
                fail_msg("case %zu (%s): %s", i, c->in, err);
            assert_string_equal(out, c->out);
            assert_int_equal(len, strlen(c->out));
        } else {
            assert_null(out);
            if (!strstr(err, c->err))
                fail_msg("case %zu (%s): '%s' lacks '%s'", i, c->in, err, c->err);
        }
    }
    gh_arena_free(a);
}

/* --shard: a file's shard depends on its path only, so adding files moves none of the
 * others; every file is in exactly one shard; the hash is pinned (changing it would
 * reshuffle every CI matrix). */
static void sharding(void **state)
{
    (void)state;
    assert_int_equal(gh_fx_shard_of("specs/tests/fixtures/petstore.yaml", 4), 1);
    assert_int_equal(gh_fx_shard_of("./specs/tests/fixtures/petstore.yaml", 4), 1);
    assert_int_equal(gh_fx_shard_of("a.yaml", 4), 2);
    assert_int_equal(gh_fx_shard_of("fixtures/users/create.yaml", 7), 7);
    assert_int_equal(gh_fx_shard_of("anything", 1), 1);

    enum { N = 40, SHARDS = 3 };
    char names[N + 1][32];
    unsigned before[N];
    for (size_t i = 0; i <= N; i++)
        snprintf(names[i], sizeof names[i], "suite/f%02zu.yaml", i);
    size_t seen[SHARDS + 1] = {0};
    for (size_t i = 0; i < N; i++) {
        before[i] = gh_fx_shard_of(names[i], SHARDS);
        assert_in_range(before[i], 1, SHARDS);
        seen[before[i]]++;
    }
    for (unsigned s = 1; s <= SHARDS; s++)
        assert_true(seen[s] > 0); /* 40 files spread over every shard */
    /* gh_fx_files_shard keeps exactly the files of its shard, disjointly and completely. */
    size_t total = 0;
    for (unsigned s = 1; s <= SHARDS; s++) {
        gh_fx_files f = {0};
        for (size_t i = 0; i <= N; i++) {
            f.paths = realloc(f.paths, (f.n + 1) * sizeof *f.paths);
            f.paths[f.n++] = strdup(names[i]);
        }
        f.cap = f.n;
        gh_fx_files_shard(&f, s, SHARDS);
        for (size_t k = 0; k < f.n; k++) {
            unsigned idx;
            assert_int_equal(sscanf(f.paths[k], "suite/f%02u.yaml", &idx), 1);
            if (idx < N)
                assert_int_equal(before[idx], s); /* the new file moved nothing */
        }
        total += f.n;
        gh_fx_files_free(&f);
    }
    assert_int_equal(total, N + 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_table),   cmocka_unit_test(match_table),
        cmocka_unit_test(failure_text), cmocka_unit_test(captures),
        cmocka_unit_test(substitution), cmocka_unit_test(sharding),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    gh_jregex_thread_cleanup();
    return rc;
}

/* harness/fixture: loading fixture files. Every mistake is reported at its position as
 * file:line:col: what; how to fix. A case per line: the file's text and a diagnostic
 * that must appear (prefix with position, and a piece of the message). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/fixture.h"
#include "util/jregex.h"

#define HEAD "fixtures:\n  - name: a\n    request:\n"

typedef struct lcase {
    const char *text;
    const char *where; /* "t.yaml:L:C: " (the severity is added when printed) */
    const char *what;  /* part of the message */
} lcase;

static const lcase cases[] = {
    {"- a\n- b\n", "t.yaml:1:1: ", "a map with a fixtures list"},
    {"name: x\n", "t.yaml:1:1: ", "no fixtures list; add fixtures:"},
    {"fixtures: []\nfixture: []\n", "t.yaml:2:1: ", "unknown key 'fixture' in a fixture file"},
    {"fixtures: {a: 1}\n", "t.yaml:1:11: ", "fixtures must be a list"},
    {"fixtures:\n  - request: {path: /x}\n", "t.yaml:2:5: ", "a fixture needs a name"},
    {"fixtures:\n  - {name: a, request: {path: /x}}\n  - {name: a, request: {path: /y}}\n",
     "t.yaml:3:12: ", "fixture name 'a' is used twice (first at line 2)"},
    {"fixtures:\n  - name: a\n", "t.yaml:2:5: ", "fixture 'a' has no request"},
    {HEAD "      method: GET\n", "t.yaml:4:7: ", "request has no path"},
    {HEAD "      path: dev/pets\n", "t.yaml:4:13: ", "must start with '/'; write /dev/pets"},
    {HEAD "      path: /x\n      method: get\n", "t.yaml:5:15: ", "write it in capitals"},
    {HEAD "      path: /x\n      verb: GET\n", "t.yaml:5:7: ", "unknown key 'verb' in request"},
    {HEAD "      path: /x\n      body: a\n      json: {}\n", "t.yaml:4:7: ",
     "request gives 2 bodies; keep one of body, json and bodyFile"},
    {HEAD "      path: /x\n      query: {a: {b: 1}}\n", "t.yaml:5:18: ",
     "query parameter 'a' must be a value or a list"},
    {HEAD "      path: /x\n      headers: [a]\n", "t.yaml:5:16: ",
     "request.headers must be a map, not a list"},
    {HEAD "      path: /x\n    expect: {status: 999}\n", "t.yaml:5:22: ",
     "expect.status must be an HTTP status from 100 to 599"},
    {HEAD "      path: /x\n    expect: {status: '200'}\n", "t.yaml:5:22: ",
     "written as a number (200), not '200'"},
    {HEAD "      path: /x\n    expect: {statsu: 200}\n", "t.yaml:5:14: ",
     "unknown key 'statsu' in expect"},
    {HEAD "      path: /x\n    expect:\n      headers: {X-A: {absent: false}}\n",
     "t.yaml:6:31: ", "absent takes only true"},
    {HEAD "      path: /x\n    expect:\n      headers: {X-A: {regex: '(a'}}\n",
     "t.yaml:6:30: ", "expect.headers value is not a valid Java regex"},
    {HEAD "      path: /x\n    expect:\n      headers: {X-A: [a]}\n", "t.yaml:6:22: ",
     "must be a value, {regex: R} or {absent: true}"},
    {HEAD "      path: /x\n    expect:\n      bodyRegex: '[a'\n", "t.yaml:6:18: ",
     "expect.bodyRegex is not a valid Java regex"},
    {HEAD "      path: /x\n    expect:\n      jsonpath: {'$.a[': 1}\n", "t.yaml:6:18: ",
     "'$.a[' is not a JSONPath"},
    {HEAD "      path: /x\n    capture: {id: $.id}\n", "t.yaml:5:19: ",
     "capture 'id' must be {jsonpath: $.path} or {header: Name}"},
    {HEAD "      path: /x\n    capture: {env.X: {header: A}}\n", "t.yaml:5:15: ",
     "names starting with env. are the environment's"},
    {"vars: {a: [1]}\nfixtures: []\n", "t.yaml:1:11: ", "variable 'a' must be one value"},
    {"fixtures: [\n", "t.yaml:", "syntax error"},
};

static void table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const lcase *c = &cases[i];
        gh_fixture_file *f = NULL;
        gh_diags d = GH_DIAGS_INIT;
        int rc = gh_fixture_file_load_buffer("t.yaml", c->text, strlen(c->text), &f, &d);
        bool found = false;
        for (size_t k = 0; k < d.n && !found; k++)
            found = !strncmp(d.items[k].text, c->where, strlen(c->where)) &&
                    strstr(d.items[k].text, c->what);
        if (rc != -1 || !found || f) {
            for (size_t k = 0; k < d.n; k++)
                fprintf(stderr, "  got: %s\n", d.items[k].text);
            gh_diags_free(&d);
            gh_fixture_file_free(f);
            fail_msg("case %zu: want %s...%s", i, c->where, c->what);
        }
        gh_diags_free(&d);
    }
}

/* Every problem is listed, not only the first. */
static void all_problems(void **state)
{
    (void)state;
    const char *text = "fixtures:\n  - name: a\n    request: {path: x, method: get}\n"
                       "    expect: {status: 9}\n";
    gh_fixture_file *f = NULL;
    gh_diags d = GH_DIAGS_INIT;
    assert_int_equal(gh_fixture_file_load_buffer("t.yaml", text, strlen(text), &f, &d), -1);
    assert_int_equal(d.errors, 3);
    gh_diags_free(&d);
}

static void valid_file(void **state)
{
    (void)state;
    const char *text =
        "name: s\nvars: {n: 1}\nfixtures:\n"
        "  - name: a\n    request:\n      method: POST\n      stage: dev\n      path: /p\n"
        "      query: {a: '1', b: [x, y]}\n      headers: {A: b}\n      json: {x: 1}\n"
        "      apiKey: k\n"
        "    expect:\n      status: 201\n      headers: {A: b, B: {regex: '.+'}, C: {absent: true}}\n"
        "      json: {x: 1}\n      jsonpath: {$.x: 1, $.y: {absent: true}}\n"
        "      bodyRegex: 'x'\n    capture: {x: {jsonpath: $.x}, h: {header: A}}\n"
        "  - name: 2\n    request: {path: '/p/${x}'}\n";
    gh_fixture_file *f = NULL;
    gh_diags d = GH_DIAGS_INIT;
    int rc = gh_fixture_file_load_buffer("t.yaml", text, strlen(text), &f, &d);
    gh_diags_print(&d, stderr);
    assert_int_equal(rc, 0);
    assert_string_equal(f->name, "s");
    assert_int_equal(f->n, 2);
    assert_string_equal(f->items[0].name, "a");
    assert_string_equal(f->items[1].name, "2");
    assert_int_equal(f->items[0].status->v.i, 201);
    assert_int_equal(f->items[0].mark.line, 4);
    assert_non_null(f->items[0].capture);
    assert_null(f->items[1].status);
    gh_fixture_file_free(f);
    gh_diags_free(&d);
}

static void detection(void **state)
{
    (void)state;
    char dir[] = "/tmp/gh_fxload_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char p[256];
    static const struct { const char *name, *text; bool is; } files[] = {
        {"a.yaml", "name: x\nfixtures: []\n", true},
        {"b.yml", "fixtures:\n  - name: a\n", true},
        {"c.json", "{\"fixtures\": []}", true},
        {"d.yaml", "openapi: 3.0.1\npaths: {}\n", false},
        {"e.txt", "fixtures: []\n", false},
        {"f.yaml", "x:\n  fixtures: []\n", false},
    };
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[i].name);
        FILE *fp = fopen(p, "w");
        fputs(files[i].text, fp);
        fclose(fp);
        assert_int_equal(gh_fixture_is_file(p), files[i].is);
        remove(p);
    }
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table), cmocka_unit_test(all_problems),
        cmocka_unit_test(valid_file), cmocka_unit_test(detection),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    gh_jregex_thread_cleanup();
    return rc;
}

/* End to end: the command line contract (issue 3, item 9; docs/cli.md). --version and
 * --help on every command, exit codes (0 ok, 1 definition failure, 2 usage error),
 * `validate` messages with file:line:col, the `routes` table, `invoke` with a real event
 * file, and the serve flags --quiet, --stage, --overlay, plus SIGINT. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "e2e.h"

static e2e_server *srv; /* the serve test of the moment; killed by teardown if it fails */

static int teardown(void **state)
{
    (void)state;
    e2e_kill(srv);
    srv = NULL;
    return 0;
}

typedef struct run_result {
    char *out, *err;
    int code;
} run_result;

static void run(const char *const argv[], run_result *r)
{
    assert_int_equal(e2e_run(argv, &r->out, &r->err, &r->code), 0);
    if (e2e_has_sanitizer_report(r->err))
        fprintf(stderr, "%s\n", r->err);
    assert_false(e2e_has_sanitizer_report(r->err));
}

static void run_free(run_result *r)
{
    free(r->out);
    free(r->err);
}

static void test_version(void **state)
{
    (void)state;
    static const char *const cmds[][3] = {
        {"--version", NULL, NULL},
        {"serve", "--version", NULL},
        {"validate", "--version", NULL},
        {"routes", "--version", NULL},
        {"invoke", "--version", NULL},
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        run_result r;
        run(cmds[i], &r);
        assert_int_equal(r.code, 0);
        assert_true(strncmp(r.out, "gatehouse ", 10) == 0);
        assert_true(isdigit((unsigned char)r.out[10]));
        assert_non_null(strchr(r.out, '.'));
        run_free(&r);
    }
}

static void test_help(void **state)
{
    (void)state;
    static const struct {
        const char *argv[3];
        const char *must[7];
    } cases[] = {
        {{"--help", NULL, NULL}, {"serve", "validate", "routes", "invoke", NULL}},
        {{"serve", "--help", NULL},
         {"--overlay", "--stage", "--port", "--host", "--watch", "--quiet", NULL}},
        {{"validate", "--help", NULL}, {"--overlay", NULL}},
        {{"routes", "--help", NULL}, {"routes", NULL}},
        {{"invoke", "--help", NULL}, {"--event", NULL}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run_result r;
        run(cases[i].argv, &r);
        assert_int_equal(r.code, 0);
        for (size_t k = 0; cases[i].must[k]; k++) {
            if (!strstr(r.out, cases[i].must[k]))
                fprintf(stderr, "help of %s lacks %s\n", cases[i].argv[0], cases[i].must[k]);
            assert_non_null(strstr(r.out, cases[i].must[k]));
        }
        run_free(&r);
    }
}

/* Exit 2 and a message on stderr for every misuse. */
static void test_usage_errors(void **state)
{
    (void)state;
    static const char *const cases[][5] = {
        {NULL},
        {"frobnicate", NULL},
        {"serve", NULL},
        {"serve", "examples/petstore/api.yaml", "--port", "abc", NULL},
        {"serve", "examples/petstore/api.yaml", "--port", "70000", NULL},
        {"serve", "examples/petstore/api.yaml", "--bogus", NULL},
        {"serve", "examples/petstore/api.yaml", "--overlay", NULL},
        {"validate", NULL},
        {"routes", NULL},
        {"invoke", "echo", NULL},
        {"invoke", "--event", "specs/tests/events/apigw-proxy-event.json", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run_result r;
        run(cases[i], &r);
        if (r.code != 2)
            fprintf(stderr, "case %zu (%s %s): exit %d\n", i, cases[i][0] ? cases[i][0] : "",
                    cases[i][0] && cases[i][1] ? cases[i][1] : "", r.code);
        assert_int_equal(r.code, 2);
        assert_true(strlen(r.err) > 0);
        run_free(&r);
    }
}

static void test_validate_ok(void **state)
{
    (void)state;
    static const char *const cases[][6] = {
        {"validate", "examples/petstore/api.yaml", NULL},
        {"validate", "specs/tests/echo.yaml", NULL},
        {"validate", "examples/petstore/api.yaml", "specs/tests/echo.yaml", NULL},
        {"validate", "examples/petstore/api.yaml", "--overlay",
         "specs/tests/overlay-petstore.yaml", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run_result r;
        run(cases[i], &r);
        if (r.code != 0)
            fprintf(stderr, "validate %s: exit %d\n%s\n", cases[i][1], r.code, r.err);
        assert_int_equal(r.code, 0);
        char bad[512];
        assert_true(e2e_lines_have_positions(r.err, cases[i][1], bad, sizeof bad, NULL));
        run_free(&r);
    }
}

/* Warnings do not fail validation; each one carries its position. */
static void test_validate_warnings(void **state)
{
    (void)state;
    const char *const argv[] = {"validate", "specs/tests/warn-only.yaml", NULL};
    run_result r;
    run(argv, &r);
    assert_int_equal(r.code, 0);
    char bad[512] = "";
    size_t n = 0;
    bool ok = e2e_lines_have_positions(r.err, "specs/tests/warn-only.yaml", bad, sizeof bad, &n);
    if (!ok)
        fprintf(stderr, "line without a position: %s\n", bad);
    assert_true(ok);
    assert_true(n >= 2);
    const char *const compression[] = {"warn-only.yaml:", ": warning: ",
                                       "x-amazon-apigateway-minimum-compression-size", NULL};
    assert_true(e2e_line_with(r.err, compression));
    const char *const nobody[] = {"warn-only.yaml:", ": warning: ", "nobody", NULL};
    assert_true(e2e_line_with(r.err, nobody));
    run_free(&r);

    /* echo.yaml names a function "ghost" that no handler serves: a warning, not an error. */
    const char *const argv2[] = {"validate", "specs/tests/echo.yaml", NULL};
    run(argv2, &r);
    assert_int_equal(r.code, 0);
    const char *const ghost[] = {"echo.yaml:", ": warning: ", "ghost", NULL};
    assert_true(e2e_line_with(r.err, ghost));
    run_free(&r);
}

/* Every problem listed, each as file:line:col, exit 1. */
static void test_validate_broken(void **state)
{
    (void)state;
    const char *const argv[] = {"validate", "specs/tests/broken-type.yaml", NULL};
    run_result r;
    run(argv, &r);
    assert_int_equal(r.code, 1);
    char bad[512] = "";
    size_t n = 0;
    bool ok = e2e_lines_have_positions(r.err, "specs/tests/broken-type.yaml", bad, sizeof bad, &n);
    if (!ok)
        fprintf(stderr, "line without a position: %s\n", bad);
    assert_true(ok);
    assert_true(n >= 2);
    /* type: "lamda" sits on line 11; the bad stage variable name on line 18. */
    const char *const lamda[] = {"broken-type.yaml:11:", "lamda", NULL};
    const char *const var[] = {"broken-type.yaml:18:", "bad-name", NULL};
    if (!e2e_line_with(r.err, lamda) || !e2e_line_with(r.err, var))
        fprintf(stderr, "%s\n", r.err);
    assert_true(e2e_line_with(r.err, lamda));
    assert_true(e2e_line_with(r.err, var));
    run_free(&r);

    /* A handler that does not compile fails at load, naming the Lua file and line. */
    const char *const argv2[] = {"validate", "specs/tests/broken-lua.yaml", NULL};
    run(argv2, &r);
    assert_int_equal(r.code, 1);
    assert_non_null(strstr(r.err, "syntax_error.lua:6"));
    run_free(&r);

    const char *const argv3[] = {"validate", "specs/tests/no-such-file.yaml", NULL};
    run(argv3, &r);
    assert_int_equal(r.code, 1);
    assert_non_null(strstr(r.err, "no-such-file.yaml"));
    run_free(&r);

    /* serve refuses a broken definition the same way instead of serving. */
    const char *const argv4[] = {"serve", "specs/tests/broken-type.yaml", "--port", "0", NULL};
    run(argv4, &r);
    assert_int_equal(r.code, 1);
    assert_true(e2e_line_with(r.err, lamda));
    assert_null(strstr(r.out, "listening on"));
    run_free(&r);
}

/* Whitespace-separated cells of one line (at most 8). */
static size_t cells(const char *line, size_t len, char out[][160])
{
    size_t n = 0, i = 0;
    while (i < len && n < 8) {
        while (i < len && isspace((unsigned char)line[i]))
            i++;
        size_t start = i;
        while (i < len && !isspace((unsigned char)line[i]))
            i++;
        if (i > start) {
            snprintf(out[n], 160, "%.*s", (int)(i - start), line + start);
            n++;
        }
    }
    return n;
}

/* True when a row has exactly these stage, method, path and integration cells (case
 * aside for method and integration) and a target cell containing `target` ("" when
 * any target, or none, will do: a mock has no function). */
static bool has_row(const char *table, const char *stage, const char *method, const char *path,
                    const char *integration, const char *target)
{
    const char *line = table;
    while (*line) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        char c[8][160];
        size_t n = cells(line, len, c);
        bool target_ok = *target ? n >= 5 && strstr(c[4], target) : n >= 4;
        if (target_ok && strcmp(c[0], stage) == 0 && strcasecmp(c[1], method) == 0 &&
            strcmp(c[2], path) == 0 && strcasecmp(c[3], integration) == 0)
            return true;
        line += len + (eol ? 1 : 0);
    }
    return false;
}

static void test_routes(void **state)
{
    (void)state;
    static const struct {
        const char *method, *path, *integration, *target;
    } rows[] = {
        {"GET", "/pets", "aws_proxy", "petstore-pets"},
        {"POST", "/pets", "aws_proxy", "petstore-pets"},
        {"OPTIONS", "/pets", "mock", ""},
        {"GET", "/pets/{petId}", "aws_proxy", "petstore-pets"},
        {"DELETE", "/pets/{petId}", "aws_proxy", "petstore-pets"},
        {"OPTIONS", "/pets/{petId}", "mock", ""},
        {"GET", "/health", "mock", ""},
        {"GET", "/version", "mock", ""},
        {"ANY", "/{proxy+}", "aws_proxy", "petstore-echo"},
    };
    static const char *const stages[] = {"dev", "prod"};
    for (size_t s = 0; s < 2; s++) {
        const char *const with_stage[] = {"routes", "examples/petstore/api.yaml", "--stage",
                                          stages[s], NULL};
        const char *const plain[] = {"routes", "examples/petstore/api.yaml", NULL};
        run_result r;
        /* Without --stage, routes shows the defaultStage (dev). */
        run(s == 0 ? plain : with_stage, &r);
        assert_int_equal(r.code, 0);
        /* The header names the columns. */
        char c[8][160];
        const char *eol = strchr(r.out, '\n');
        assert_non_null(eol);
        size_t n = cells(r.out, (size_t)(eol - r.out), c);
        assert_true(n >= 5);
        static const char *const head[] = {"stage", "method", "path", "integration", "target"};
        for (size_t k = 0; k < 5; k++)
            assert_true(strcasecmp(c[k], head[k]) == 0);
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
            bool found = has_row(r.out, stages[s], rows[i].method, rows[i].path,
                                 rows[i].integration, rows[i].target);
            if (!found)
                fprintf(stderr, "no row %s %s %s %s %s in:\n%s\n", stages[s], rows[i].method,
                        rows[i].path, rows[i].integration, rows[i].target, r.out);
            assert_true(found);
        }
        run_free(&r);
    }
}

/* routes ends each row with the method's authorization, and names the resource policy. */
static void test_routes_authorization(void **state)
{
    (void)state;
    const char *const argv[] = {"routes", "specs/tests/auth-routes.yaml", NULL};
    run_result r;
    run(argv, &r);
    assert_int_equal(r.code, 0);
    static const char *const rows[][4] = {
        {"GET ", "/a ", "static  CUSTOM token 'tok' -> authz", NULL},
        {"POST ", "/a ", "static  AWS_IAM", NULL},
        {"PUT ", "/a ", "static  NONE", NULL},
        {"AUTHORIZATION", NULL, NULL, NULL},
        {"resource policy: 1 statement (x-amazon-apigateway-policy at ",
         "specs/tests/auth-routes.yaml:29:1)", NULL, NULL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        if (!e2e_line_with(r.out, rows[i]))
            fprintf(stderr, "no line with '%s' in:\n%s\n", rows[i][0], r.out);
        assert_true(e2e_line_with(r.out, rows[i]));
    }
    run_free(&r);
}

/* invoke runs a function with an event file, like `sam local invoke`, and prints the
 * function's result as JSON. The event is a real API Gateway proxy event (see
 * specs/tests/events/README.md for where it comes from). */
static void test_invoke(void **state)
{
    (void)state;
    const char *const argv[] = {"invoke", "echo", "--event",
                                "specs/tests/events/apigw-proxy-event.json",
                                "specs/tests/echo.yaml", NULL};
    run_result r;
    run(argv, &r);
    assert_int_equal(r.code, 0);
    json_error_t jerr;
    json_t *res = json_loads(r.out, JSON_DECODE_ANY, &jerr);
    if (!res)
        fprintf(stderr, "stdout is not JSON: %s\n%s\n", jerr.text, r.out);
    assert_non_null(res);
    assert_int_equal(json_integer_value(json_object_get(res, "statusCode")), 200);
    const char *body = e2e_json_str(res, "body");
    assert_non_null(body);
    json_t *b = json_loads(body, 0, &jerr);
    assert_non_null(b);
    assert_string_equal(e2e_json_str(b, "event.path"), "/my/path");
    assert_string_equal(e2e_json_str(b, "event.httpMethod"), "GET");
    assert_string_equal(e2e_json_str(b, "event.queryStringParameters.parameter1"), "value1");
    assert_string_equal(e2e_json_str(b, "event.multiValueHeaders.Header2.1"), "value2");
    assert_string_equal(e2e_json_str(b, "event.requestContext.identity.sourceIp"),
                        "192.168.0.1/32");
    assert_string_equal(e2e_json_str(b, "context.functionName"), "echo");
    json_decref(b);
    json_decref(res);
    run_free(&r);
}

static void test_invoke_errors(void **state)
{
    (void)state;
    /* A function that raises: Lambda's error payload on stdout, the traceback on stderr. */
    const char *const argv[] = {"invoke", "boom", "--event",
                                "specs/tests/events/apigw-proxy-event.json",
                                "specs/tests/echo.yaml", NULL};
    run_result r;
    run(argv, &r);
    json_t *res = json_loads(r.out, 0, NULL);
    assert_non_null(res);
    const char *msg = e2e_json_str(res, "errorMessage");
    assert_non_null(msg);
    assert_non_null(strstr(msg, "kaboom 42"));
    assert_non_null(e2e_json_str(res, "errorType"));
    assert_non_null(strstr(r.err, "boom.lua:3"));
    json_decref(res);
    run_free(&r);

    const char *const argv2[] = {"invoke", "nosuchfn", "--event",
                                 "specs/tests/events/apigw-proxy-event.json",
                                 "specs/tests/echo.yaml", NULL};
    run(argv2, &r);
    assert_int_equal(r.code, 1);
    assert_non_null(strstr(r.err, "nosuchfn"));
    run_free(&r);

    const char *const argv3[] = {"invoke", "echo", "--event", "specs/tests/events/nope.json",
                                 "specs/tests/echo.yaml", NULL};
    run(argv3, &r);
    assert_true(r.code == 1 || r.code == 2);
    assert_non_null(strstr(r.err, "nope.json"));
    run_free(&r);
}

static void test_serve_sigint(void **state)
{
    (void)state;
    const char *const args[] = {"examples/petstore/api.yaml", NULL};
    srv = e2e_start(args);
    assert_non_null(srv);
    e2e_response r;
    assert_int_equal(e2e_request(srv, "GET", "/dev/health", NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    e2e_response_free(&r);
    assert_int_equal(e2e_stop_signal(srv, SIGINT), 0);
    char *err = e2e_stderr(srv);
    assert_false(e2e_has_sanitizer_report(err));
    free(err);
}

/* --quiet: the first line still announces the address; no access log after it. */
static void test_serve_quiet(void **state)
{
    (void)state;
    const char *const args[] = {"examples/petstore/api.yaml", "--quiet", NULL};
    srv = e2e_start(args);
    assert_non_null(srv);
    for (int i = 0; i < 3; i++) {
        e2e_response r;
        assert_int_equal(e2e_request(srv, "GET", "/dev/pets", NULL, NULL, 0, &r), 0);
        assert_int_equal(r.status, 200);
        e2e_response_free(&r);
    }
    assert_int_equal(e2e_stop(srv), 0);
    char *out = e2e_stdout(srv);
    char want[64];
    snprintf(want, sizeof want, "listening on http://127.0.0.1:%d\n", e2e_port(srv));
    assert_string_equal(out, want);
    free(out);
}

/* Without declared stages the one stage is named by --stage. */
static void test_serve_stage_flag(void **state)
{
    (void)state;
    const char *const args[] = {"specs/tests/echo.yaml", "--stage", "test", NULL};
    srv = e2e_start(args);
    assert_non_null(srv);
    e2e_response r;
    assert_int_equal(e2e_request(srv, "GET", "/test/", NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"root\": true}");
    e2e_response_free(&r);
    assert_int_equal(e2e_request(srv, "GET", "/default/", NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 403);
    e2e_response_free(&r);
    assert_int_equal(e2e_stop(srv), 0);
}

/* --overlay merges with JSON Merge Patch: a changed variable, an added stage, and a
 * removed gateway response (so the DEFAULT_4XX customisation applies in its place). */
static void test_serve_overlay(void **state)
{
    (void)state;
    const char *const args[] = {"examples/petstore/api.yaml", "--overlay",
                                "specs/tests/overlay-petstore.yaml", NULL};
    srv = e2e_start(args);
    assert_non_null(srv);
    static const struct {
        const char *path, *table;
    } cases[] = {
        {"/dev/pets", "pets-dev"},
        {"/prod/pets", "pets-overlay"},
        {"/qa/pets", "pets-qa"},
    };
    for (size_t i = 0; i < 3; i++) {
        e2e_response r;
        assert_int_equal(e2e_request(srv, "GET", cases[i].path, NULL, NULL, 0, &r), 0);
        assert_int_equal(r.status, 200);
        assert_string_equal(e2e_header_get(&r, "X-Pets-Table"), cases[i].table);
        e2e_response_free(&r);
    }
    e2e_response r;
    assert_int_equal(e2e_request(srv, "GET", "/nope/pets", NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 403);
    assert_string_equal(r.body, "{\"message\":\"Missing Authentication Token\"}");
    assert_null(e2e_header_get(&r, "X-Petstore-Hint"));
    assert_string_equal(e2e_header_get(&r, "Access-Control-Allow-Origin"), "*");
    e2e_response_free(&r);
    assert_int_equal(e2e_stop(srv), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_help),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_validate_ok),
        cmocka_unit_test(test_validate_warnings),
        cmocka_unit_test(test_validate_broken),
        cmocka_unit_test(test_routes),
        cmocka_unit_test(test_routes_authorization),
        cmocka_unit_test(test_invoke),
        cmocka_unit_test(test_invoke_errors),
        cmocka_unit_test_teardown(test_serve_sigint, teardown),
        cmocka_unit_test_teardown(test_serve_quiet, teardown),
        cmocka_unit_test_teardown(test_serve_stage_flag, teardown),
        cmocka_unit_test_teardown(test_serve_overlay, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

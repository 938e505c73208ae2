/* End to end: `gatehouse render` (issue 4, item 8; docs/cli.md) against
 * specs/tests/render.yaml: request templates chosen by Content-Type and the passthrough
 * rules, integration response templates chosen by status, selection pattern and Accept,
 * gateway responses with DEFAULT_4XX inheritance, ad-hoc template files, routing errors as
 * the server words them, --json, and usage errors.
 *
 * Cases whose output needs the real VTL engine (#set, $input.path, overrides, syntax
 * errors) are skipped while the branch's stand-in for the engine is linked, which is
 * exactly while emulator/zz_shim_render_cmd.c exists; static templates and passthrough
 * come out the same from any engine and always run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "e2e.h"

#define SPEC "specs/tests/render.yaml"

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

static bool engine_is_shim(void)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/emulator/zz_shim_render_cmd.c", e2e_source_dir());
    return access(path, F_OK) == 0;
}

/* One command line, its exit code, its exact stdout, and lines stderr must hold. */
typedef struct rcase {
    const char *argv[16];
    int code;
    const char *out;     /* exact; NULL: not checked */
    const char *err[4];  /* each must appear in stderr */
} rcase;

static void run_cases(const rcase *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        run_result r;
        run(cases[i].argv, &r);
        bool ok = r.code == cases[i].code && (!cases[i].out || !strcmp(r.out, cases[i].out));
        for (size_t j = 0; ok && j < 4 && cases[i].err[j]; j++)
            ok = strstr(r.err, cases[i].err[j]) != NULL;
        if (!ok) {
            print_error("case %zu (%s %s %s): exit %d\nstdout: [%s]\nstderr: %s\n", i,
                        cases[i].argv[1], cases[i].argv[2], cases[i].argv[3] ? cases[i].argv[3] : "",
                        r.code, r.out, r.err);
            run_free(&r);
            fail();
        }
        run_free(&r);
    }
}

/* Templates whose output is their own text, passthrough and routing: any engine. */
static void request_templates(void **state)
{
    (void)state;
    static const rcase cases[] = {
        /* no Content-Type: application/json */
        {{"render", SPEC, "GET", "/dev/pets/42", NULL}, 0, "{\"statusCode\": 200}",
         {"template: integration request, application/json, " SPEC ":37:29\n"}},
        /* parameters of the Content-Type are ignored, case too */
        {{"render", SPEC, "POST", "/dev/pets", "-H", "Content-Type: Application/XML; charset=UTF-8", NULL},
         0, "<pet/>", {"application/xml, " SPEC ":18:28"}},
        {{"render", SPEC, "POST", "/dev/pets", "--content-type", "application/xml", NULL}, 0, "<pet/>", {NULL}},
        /* --content-type beats -H */
        {{"render", SPEC, "-H", "Content-Type: text/plain", "--content-type", "application/xml", "POST", "/dev/pets", NULL},
         0, "<pet/>", {NULL}},
        /* WHEN_NO_MATCH (the default) passes an unmapped type through, byte for byte */
        {{"render", SPEC, "GET", "/dev/pets/42?x=1", "--content-type", "text/plain", "-d", "hello\nworld", NULL},
         0, "hello\nworld",
         {"passthrough: no request template for text/plain; passthroughBehavior WHEN_NO_MATCH passes the body through unchanged\n"}},
        {{"render", SPEC, "GET", "/dev/pets/42", "-H", "Content-Type: text/plain", "--data-file", "specs/tests/render/static.vtl", NULL},
         0, "hello from a file\n", {"passthrough: "}},
        /* WHEN_NO_TEMPLATES with templates: 415, the body from DEFAULT_4XX */
        {{"render", SPEC, "POST", "/dev/pets", "--content-type", "text/plain", NULL}, 1, "",
         {"error: no request template for text/plain and passthroughBehavior WHEN_NO_TEMPLATES forbids passing the body through: the server would answer 415 {\"error\":\"Unsupported Media Type\"}\n"}},
        /* routing as the server routes: the customised MISSING_AUTHENTICATION_TOKEN */
        {{"render", SPEC, "GET", "/dev/nope", NULL}, 1, "",
         {"error: GET /dev/nope: no resource; the server would answer 404 {\"message\":\"Missing Authentication Token\",\"path\":\"/dev/nope\"} (MISSING_AUTHENTICATION_TOKEN)\n"}},
        {{"render", SPEC, "DELETE", "/dev/pets", NULL}, 1, "", {"DELETE /dev/pets: method not declared on the resource; the server would answer 404"}},
        {{"render", SPEC, "GET", "/prod/pets/1", NULL}, 1, "", {"GET /prod/pets/1: unknown stage;"}},
        /* the Host picks the API by id, as with serve */
        {{"render", SPEC, "GET", "/dev/pets/42", "-H", "Host: rendertest.execute-api.localhost:9", NULL},
         0, "{\"statusCode\": 200}", {NULL}},
        {{"render", SPEC, "GET", "/dev/pets/42", "-H", "Host: otherapi00.execute-api.localhost", NULL},
         1, "", {"no API with the Host's id; the server would answer 403 {\"message\":\"Missing Authentication Token\"}"}},
        /* X-HTTP-Method-Override is honoured as the server does */
        {{"render", SPEC, "POST", "/dev/pets/42", "-H", "X-HTTP-Method-Override: GET", NULL}, 0, "{\"statusCode\": 200}", {NULL}},
        /* proxy integrations have no templates */
        {{"render", SPEC, "GET", "/dev/items", NULL}, 1, "",
         {"error: GET /dev/items (/items at " SPEC ":47:9) has a proxy integration; AWS applies no mapping templates to it\n"}},
    };
    run_cases(cases, sizeof cases / sizeof *cases);
}

static void response_templates(void **state)
{
    (void)state;
    static const rcase cases[] = {
        {{"render", SPEC, "GET", "/dev/pets/42", "--response", "200", NULL}, 0, "{\"pet\": \"static\"}",
         {"template: integration response 200 (default), application/json, " SPEC ":42:33\n"}},
        /* only Accept's first media type counts */
        {{"render", SPEC, "GET", "/dev/pets/42", "--response", "default", "-H", "Accept: application/xml, application/json", NULL},
         0, "<pet>static</pet>", {"application/xml, " SPEC ":43:32"}},
        /* no template for it: the first one */
        {{"render", SPEC, "GET", "/dev/pets/42", "--response", "default", "-H", "Accept: text/html", NULL},
         0, "{\"pet\": \"static\"}", {"application/json, " SPEC ":42:33"}},
        /* a text is matched by the selection patterns, whole, as a Lambda error message */
        {{"render", SPEC, "POST", "/dev/pets", "--response", "Invalid input", NULL}, 0, "{\"error\": \"invalid\"}",
         {"template: integration response 400 (selectionPattern 'Invalid.*'), application/json, " SPEC ":31:33\n"}},
        {{"render", SPEC, "POST", "/dev/pets", "--response", "Not Invalid", NULL}, 0, "{\"created\": true}",
         {"integration response 200 (default)"}},
        /* no response maps to 503 and it matches no pattern: the default, as the server does */
        {{"render", SPEC, "POST", "/dev/pets", "--response", "503", NULL}, 0, "{\"created\": true}", {NULL}},
        {{"render", SPEC, "POST", "/dev/pets", "--response", "400", "--integration-body", "{}", NULL}, 0, "{\"error\": \"invalid\"}", {NULL}},
    };
    run_cases(cases, sizeof cases / sizeof *cases);
}

static void gateway_responses(void **state)
{
    (void)state;
    static const rcase cases[] = {
        /* no request named: GET /{default stage}/ */
        {{"render", SPEC, "--gateway-response", "MISSING_AUTHENTICATION_TOKEN", NULL}, 0,
         "{\"message\":\"Missing Authentication Token\",\"path\":\"/dev/\"}",
         {"template: gateway response MISSING_AUTHENTICATION_TOKEN, application/json, " SPEC ":59:25\n",
          "status: 404\n", "header: X-Hint: routes live under /dev/\n",
          "header: x-amzn-ErrorType: MissingAuthenticationTokenException\n"}},
        {{"render", SPEC, "GET", "/dev/anything/here", "--gateway-response", "MISSING_AUTHENTICATION_TOKEN", NULL}, 0,
         "{\"message\":\"Missing Authentication Token\",\"path\":\"/dev/anything/here\"}", {NULL}},
        /* a type not configured inherits DEFAULT_4XX */
        {{"render", SPEC, "--gateway-response", "UNAUTHORIZED", NULL}, 0, "{\"error\":\"Unauthorized\"}",
         {"template: gateway response UNAUTHORIZED (from DEFAULT_4XX), application/json, " SPEC ":53:25\n",
          "status: 401\n"}},
        /* nothing configured for 5XX: AWS's built-in body */
        {{"render", SPEC, "--gateway-response", "INTEGRATION_TIMEOUT", NULL}, 0,
         "{\"message\": \"Endpoint request timed out\"}",
         {"template: gateway response INTEGRATION_TIMEOUT (AWS's built-in default)\n", "status: 504\n"}},
    };
    run_cases(cases, sizeof cases / sizeof *cases);
}

static void template_files(void **state)
{
    (void)state;
    static const rcase cases[] = {
        /* byte for byte: the file's final newline and nothing added */
        {{"render", SPEC, "GET", "/dev/pets/42", "--template", "specs/tests/render/static.vtl", NULL}, 0,
         "hello from a file\n",
         {"template: template file, as a request template, specs/tests/render/static.vtl:1:1\n"}},
        {{"render", SPEC, "--template", "specs/tests/render/static.vtl", "--integration-body", "x", NULL}, 0,
         "hello from a file\n", {"as a response template"}},
        {{"render", SPEC, "--template", "specs/tests/render/none.vtl", NULL}, 1, "",
         {"error: specs/tests/render/none.vtl: cannot open: No such file or directory; check the --template path\n"}},
    };
    run_cases(cases, sizeof cases / sizeof *cases);
}

static void json_output(void **state)
{
    (void)state;
    run_result r;
    const char *argv[] = {"render", SPEC, "GET", "/dev/pets/42", "--json", NULL};
    run(argv, &r);
    assert_int_equal(r.code, 0);
    json_t *j = json_loads(r.out, 0, NULL);
    assert_non_null(j);
    assert_string_equal(e2e_json_str(j, "body"), "{\"statusCode\": 200}");
    assert_string_equal(e2e_json_str(j, "template"), "integration request");
    assert_string_equal(e2e_json_str(j, "mediaType"), "application/json");
    assert_string_equal(e2e_json_str(j, "position"), SPEC ":37:29");
    assert_true(json_is_object(e2e_json_at(j, "overrides")));
    assert_int_equal(json_object_size(e2e_json_at(j, "overrides")), 0);
    json_decref(j);
    run_free(&r);

    const char *gw[] = {"render", SPEC, "--gateway-response", "INTEGRATION_TIMEOUT", "--json", NULL};
    run(gw, &r);
    assert_int_equal(r.code, 0);
    j = json_loads(r.out, 0, NULL);
    assert_non_null(j);
    assert_int_equal(json_integer_value(e2e_json_at(j, "status")), 504);
    assert_string_equal(e2e_json_str(j, "headers.x-amzn-ErrorType"), "InternalServerErrorException");
    assert_string_equal(e2e_json_str(j, "body"), "{\"message\": \"Endpoint request timed out\"}");
    json_decref(j);
    run_free(&r);

    /* a body that is not UTF-8 comes out base64 */
    const char *bin[] = {"render", SPEC, "GET", "/dev/pets/42", "--content-type", "image/png", "-d", "\xff\xfe", "--json", NULL};
    run(bin, &r);
    assert_int_equal(r.code, 0);
    j = json_loads(r.out, 0, NULL);
    assert_non_null(j);
    assert_string_equal(e2e_json_str(j, "body"), "//4=");
    assert_true(json_is_true(e2e_json_at(j, "isBase64Encoded")));
    assert_string_equal(e2e_json_str(j, "passthrough"), "WHEN_NO_MATCH");
    json_decref(j);
    run_free(&r);
}

static void usage_errors(void **state)
{
    (void)state;
    static const rcase cases[] = {
        {{"render", SPEC, NULL}, 2, "", {"gatehouse: name the request: METHOD PATH, e.g. GET /dev/pets/1\n"}},
        {{"render", "GET", "/dev/pets", NULL}, 2, "", {"name at least one definition file"}},
        {{"render", SPEC, "GET", "/dev/pets", "--response", "200", "--gateway-response", "THROTTLED", NULL}, 2, "",
         {"--response, --gateway-response and --template each name a template: give one"}},
        {{"render", SPEC, "--gateway-response", "NOPE", NULL}, 2, "", {"unknown gateway response type 'NOPE'"}},
        {{"render", SPEC, "GET", "/dev/pets", "-H", "no colon", NULL}, 2, "", {"-H needs 'Name: value', not 'no colon'"}},
        {{"render", SPEC, "GET", "/dev/pets", "--integration-body", "{}", NULL}, 2, "", {"add --response (or --template)"}},
        {{"render", SPEC, "GET", "/dev/pets", "-d", "a", "--data-file", "b", NULL}, 2, "", {"not both"}},
        {{"render", SPEC, "GET", "/dev/pets", "--port", "1", NULL}, 2, "", {"--port does not apply to this command"}},
        {{"invoke", "f", SPEC, "-H", "A: b", NULL}, 2, "", {"--header does not apply to this command"}},
        {{"render", "--help", NULL}, 0, NULL, {NULL}},
    };
    run_cases(cases, sizeof cases / sizeof *cases);
    run_result r;
    const char *help[] = {"render", "--help", NULL};
    run(help, &r);
    static const char *const flags[] = {"--header", "--data", "--data-file", "--content-type",
                                        "--response", "--integration-body", "--integration-body-file",
                                        "--gateway-response", "--template", "--json", "--overlay", "--stage"};
    for (size_t i = 0; i < sizeof flags / sizeof *flags; i++)
        assert_non_null(strstr(r.out, flags[i]));
    run_free(&r);
    const char *main_help[] = {"--help", NULL};
    run(main_help, &r);
    assert_non_null(strstr(r.out, "render DEF..."));
    run_free(&r);
}

/* The real engine's output; skipped while the stand-in is linked (see the top). */
static void engine_output(void **state)
{
    (void)state;
    if (engine_is_shim())
        skip();
    static const rcase cases[] = {
        {{"render", SPEC, "POST", "/dev/pets", "-d", "{\"name\":\"Rex\",\"price\":12.5}", "-H", "X-Trace: abc", NULL},
         0, "{\"name\": \"Rex\", \"price\": 12.5, \"stage\": \"dev\", \"table\": \"pets-dev\", \"trace\": \"abc\"}",
         {"template: integration request, application/json, " SPEC ":17:29\n",
          "override: $context.requestOverride.header.X-Request-Trace = abc\n"}},
        {{"render", SPEC, "POST", "/dev/pets", "--response", "NotFound: pet 42", "--integration-body", "{\"errorMessage\":\"NotFound: pet 42\"}", NULL},
         0, "{\"error\": \"NotFound: pet 42\"}",
         {"integration response 404 (selectionPattern 'NotFound.*')",
          "override: $context.responseOverride.header.X-Error = not-found\n"}},
        {{"render", SPEC, "POST", "/dev/pets", "--response", "404", "--integration-body-file", "-", NULL},
         0, "{\"error\": \"\"}", {NULL}},
        {{"render", SPEC, "GET", "/dev/pets/42", "--template", "specs/tests/render/params.vtl", NULL},
         0, "42-GET-a+b", {NULL}},
    };
    run_cases(cases, sizeof cases / sizeof *cases);

    run_result r;
    const char *json[] = {"render", SPEC, "POST", "/dev/pets", "-H", "X-Trace: t1", "-d", "{}", "--json", NULL};
    run(json, &r);
    assert_int_equal(r.code, 0);
    json_t *j = json_loads(r.out, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "overrides"),
                                                          "$context.requestOverride.header.X-Request-Trace")),
                        "t1");
    json_decref(j);
    run_free(&r);

    /* a syntax error in a template file: FILE:LINE:COL: error: ... */
    const char *bad[] = {"render", SPEC, "--template", "specs/tests/render/bad.vtl", NULL};
    run(bad, &r);
    assert_int_equal(r.code, 1);
    assert_string_equal(r.out, "");
    char line[512];
    size_t nlines = 0;
    assert_true(e2e_lines_have_positions(r.err, "specs/tests/render/bad.vtl", line, sizeof line, &nlines));
    assert_int_equal(nlines, 1);
    assert_non_null(strstr(r.err, ": error: "));
    run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(request_templates),
        cmocka_unit_test(response_templates),
        cmocka_unit_test(gateway_responses),
        cmocka_unit_test(template_files),
        cmocka_unit_test(json_output),
        cmocka_unit_test(usage_errors),
        cmocka_unit_test(engine_output),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

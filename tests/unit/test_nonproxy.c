/* integration/lambda_aws (+ request_mapping, integ_response): the non-proxy Lambda
 * integration against real Lua handlers in a real script pool. What the function
 * returns (a sequence, a table, nil) is the body; what it raises becomes Lambda's error
 * shape, selected by selectionPattern on errorMessage (aws-api-gateway.md §3.5, §5.6). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "integration/integration.h"
#include "integration/runners.h"
#include "inv_fixture.h"
#include "script/pool.h"
#include "template/vtl.h"

enum { H_RECORD, H_SEQ, H_NIL, H_ERR0, H_ERRPOS, H_ERRTABLE, H_STR, H_SPIN, H_CALLS, H_COUNT };

static const char *const sources[H_COUNT] = {
    [H_RECORD] = "return function(event, context)\n"
                 "  return {id = event.id, name = 'rex', fn = context.functionName}\n"
                 "end\n",
    [H_SEQ] = "return function(event) return {1, 2, 'three'} end\n",
    [H_NIL] = "return function(event) return nil end\n",
    [H_ERR0] = "return function(event) error('NotFound: pet 42', 0) end\n",
    [H_ERRPOS] = "local function find(id)\n"
                 "  error('NotFound: pet ' .. id)\n"
                 "end\n"
                 "return function(event) find(event.id or 42) end\n",
    [H_ERRTABLE] = "return function(event)\n"
                   "  error({errorMessage = 'name is required', errorType = 'ValidationError'})\n"
                   "end\n",
    [H_STR] = "return function(event) return 'plain' end\n",
    [H_SPIN] = "return function(event) while true do end end\n",
    [H_CALLS] = "local calls = 0\nreturn function(event) calls = calls + 1 return calls end\n",
};

static const char *const names[H_COUNT] = {"record", "seq", "nil", "err0", "errpos",
                                           "errtable", "str", "spin", "calls"};

static gh_script_pool *pool;
static gh_function functions[H_COUNT]; /* sorted by name for gh_api_function */
static gh_arena *tpl_arena;

static int by_name(const void *a, const void *b)
{
    return strcmp(((const gh_function *)a)->name, ((const gh_function *)b)->name);
}

static int setup(void **state)
{
    (void)state;
    tpl_arena = gh_arena_new(4096);
    gh_arena *a = gh_arena_new(4096);
    gh_model *m = gh_arena_calloc(a, sizeof *m);
    m->arena = a;
    m->scripts = gh_arena_calloc(a, H_COUNT * sizeof *m->scripts);
    m->nscripts = H_COUNT;
    for (size_t i = 0; i < H_COUNT; i++) {
        gh_script *s = &m->scripts[i];
        s->path = gh_arena_printf(a, "handlers/%s.lua", names[i]);
        s->chunkname = gh_arena_printf(a, "@handlers/%s.lua", names[i]);
        s->source = sources[i];
        s->len = strlen(sources[i]);
        functions[i] = (gh_function){.name = names[i], .handler = names[i], .script = (int)i,
                                     .timeout_ms = i == H_SPIN ? 60 : 3000, .memory_mb = 128};
    }
    m->apis = gh_arena_calloc(a, sizeof *m->apis);
    m->napis = 1;
    m->apis[0].dir = ".";
    gh_diags d = GH_DIAGS_INIT;
    pool = gh_script_pool_new(m, 1, &d);
    gh_diags_free(&d);
    gh_arena_free(a);
    qsort(functions, H_COUNT, sizeof *functions, by_name);
    return pool ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    gh_script_pool_free(pool);
    gh_arena_free(tpl_arena);
    return 0;
}

static gh_template tpl(const char *media, const char *text)
{
    gh_vtl_error err;
    return (gh_template){.media_type = media, .text = text, .len = strlen(text),
                         .compiled = gh_vtl_compile(tpl_arena, text, strlen(text), &err)};
}

/* The fixture as a non-proxy Lambda integration calling `fn`. */
static void lambda_fixture(inv_fixture *f, const char *fn)
{
    inv_fixture_init(f);
    f->api.functions = functions;
    f->api.nfunctions = H_COUNT;
    f->integ.type = GH_INTEG_AWS;
    f->integ.uri = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/"
                   "arn:aws:lambda:eu-west-1:111122223333:function:x/invocations";
    f->integ.lambda_function = fn;
    f->inv.scripts = pool;
}

/* Body and status for each handler with only a default response (no template: the
 * body passes through). Lambda answers 200 with the error too, so an unmapped error is
 * a 200 to the client (handle-errors-in-lambda-integration). */
static void results_and_errors_pass_through_the_default(void **state)
{
    (void)state;
    static const struct {
        const char *fn, *request_body, *body;
    } cases[] = {
        {"seq", NULL, "[1,2,\"three\"]"},
        {"nil", NULL, "null"},
        {"str", NULL, "\"plain\""},
        {"err0", NULL,
         "{\"errorMessage\":\"NotFound: pet 42\",\"errorType\":\"Error\",\"stackTrace\":["
         "\"handlers/err0.lua:1: in function <handlers/err0.lua:1>\"]}"},
        {"errpos", "{\"id\":7}",
         "{\"errorMessage\":\"NotFound: pet 7\",\"errorType\":\"Error\",\"stackTrace\":["
         "\"handlers/errpos.lua:2\",\"handlers/errpos.lua:2: in upvalue 'find'\","
         "\"handlers/errpos.lua:4: in function <handlers/errpos.lua:4>\"]}"},
        {"errtable", NULL,
         "{\"errorMessage\":\"name is required\",\"errorType\":\"ValidationError\","
         "\"stackTrace\":[\"handlers/errtable.lua:2: in function <handlers/errtable.lua:1>\"]}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        inv_fixture f;
        lambda_fixture(&f, cases[i].fn);
        if (cases[i].request_body) {
            f.req.body = cases[i].request_body;
            f.req.body_len = strlen(cases[i].request_body);
        }
        gh_integ_response responses[] = {{.pattern = NULL, .status = 200}};
        f.integ.responses = responses;
        f.integ.nresponses = 1;
        int rc = gh_integration_run(&f.inv);
        if (rc != 0)
            fail_msg("%s: rc %d (%s)", cases[i].fn, rc, f.inv.log_detail);
        assert_int_equal(f.resp.status, 200);
        if (strcmp(f.resp.body, cases[i].body) != 0)
            fail_msg("%s:\n got  %s\n want %s", cases[i].fn, f.resp.body, cases[i].body);
        assert_int_equal(f.resp.body_len, strlen(cases[i].body));
        assert_string_equal(gh_headers_get(&f.resp.headers, "Content-Type"), "application/json");
        /* §1.5: Lambda integration responses carry the trace id */
        assert_non_null(gh_headers_get(&f.resp.headers, "X-Amzn-Trace-Id"));
        inv_fixture_free(&f);
    }
}

/* A table result is an object; its key order is Lua's, so compare as JSON. The event
 * is the request template's output. */
static void template_output_is_the_event(void **state)
{
    (void)state;
    inv_fixture f;
    lambda_fixture(&f, "record");
    gh_template req_t[] = {tpl("application/json", "{\"id\": \"$input.params('id')\"}")};
    gh_integ_response responses[] = {{.pattern = NULL, .status = 200}};
    f.integ.request_templates = req_t;
    f.integ.nrequest_templates = 1;
    f.integ.responses = responses;
    f.integ.nresponses = 1;
    assert_int_equal(gh_integration_run(&f.inv), 0);
    json_t *got = json_loads(f.resp.body, 0, NULL);
    json_t *want = json_loads("{\"id\":\"42\",\"name\":\"rex\",\"fn\":\"record\"}", 0, NULL);
    assert_non_null(got);
    assert_true(json_equal(got, want));
    json_decref(got);
    json_decref(want);
    inv_fixture_free(&f);
}

/* selectionPattern against errorMessage (whole match); a success is matched as "". */
static void selection_pattern_maps_errors(void **state)
{
    (void)state;
    static const struct {
        const char *fn;
        int status;
        const char *body; /* NULL: not checked */
        const char *error_type_header;
    } cases[] = {
        {"err0", 404, "{\"error\": \"NotFound: pet 42\"}", "Error"},
        {"errpos", 404, NULL, "Error"},
        {"errtable", 400, "bad request prod", "ValidationError"},
        {"seq", 200, "[1,2,\"three\"]", NULL},
        {"nil", 200, "null", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        inv_fixture f;
        lambda_fixture(&f, cases[i].fn);
        gh_template nf[] = {tpl("application/json", "{\"error\": \"NotFound: pet 42\"}")};
        gh_template bad[] = {tpl("application/json", "bad request $context.stage")};
        gh_kv nf_params[] = {
            {.key = "method.response.header.X-Error-Type", .value = "integration.response.body.errorType"},
            {.key = "method.response.header.X-Fn-Error", .value = "integration.response.header.X-Amz-Function-Error"},
        };
        gh_integ_response responses[] = {
            {.pattern = NULL, .status = 200},
            {.pattern = "NotFound:.*", .status = 404, .templates = nf, .ntemplates = 1,
             .parameters = {nf_params, 2}},
            {.pattern = ".*required.*", .status = 400, .templates = bad, .ntemplates = 1,
             .parameters = {nf_params, 1}},
        };
        f.integ.responses = responses;
        f.integ.nresponses = 3;
        if (gh_integration_run(&f.inv) != 0)
            fail_msg("%s: %s", cases[i].fn, f.inv.log_detail);
        assert_int_equal(f.resp.status, cases[i].status);
        if (cases[i].body)
            assert_string_equal(f.resp.body, cases[i].body);
        const char *et = gh_headers_get(&f.resp.headers, "X-Error-Type");
        if (cases[i].error_type_header)
            assert_string_equal(et, cases[i].error_type_header);
        else
            assert_null(et);
        if (cases[i].status == 404)
            assert_string_equal(gh_headers_get(&f.resp.headers, "X-Fn-Error"), "Unhandled");
        inv_fixture_free(&f);
    }
}

/* A catch-all pattern also takes successes (matched as ""), (\n|.)+ does not (§5.6);
 * no match and no default is AWS's 500. */
static void success_is_matched_as_the_empty_message(void **state)
{
    (void)state;
    static const struct {
        const char *pattern;
        int rc, status;
    } cases[] = {
        {".*", 0, 201},
        {"(\\n|.)*", 0, 201},
        {"(\\n|.)+", -1, 0},
        {"NotFound.*", -1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        inv_fixture f;
        lambda_fixture(&f, "seq");
        gh_integ_response responses[] = {{.pattern = cases[i].pattern, .status = 201}};
        f.integ.responses = responses;
        f.integ.nresponses = 1;
        int rc = gh_integration_run(&f.inv);
        assert_int_equal(rc, cases[i].rc);
        if (rc == 0)
            assert_int_equal(f.resp.status, cases[i].status);
        else
            assert_int_equal(f.inv.fail_type, GH_GW_API_CONFIGURATION_ERROR);
        inv_fixture_free(&f);
    }
}

/* The event must be JSON: a template rendering something else gets Lambda's 400 "Could
 * not parse request body into json: ..." (serverless/serverless#2270); an empty body is
 * the event {}. */
static void event_must_be_json(void **state)
{
    (void)state;
    inv_fixture f;
    lambda_fixture(&f, "record");
    gh_template req_t[] = {tpl("application/json", "id=$input.params('id')")};
    gh_integ_response responses[] = {{.pattern = NULL, .status = 200}};
    f.integ.request_templates = req_t;
    f.integ.nrequest_templates = 1;
    f.integ.responses = responses;
    f.integ.nresponses = 1;
    assert_int_equal(gh_integration_run(&f.inv), -1);
    assert_int_equal(f.inv.fail_type, GH_GW_DEFAULT_4XX);
    assert_int_equal(f.inv.fail_status, 400);
    assert_true(strncmp(f.inv.fail_message, "Could not parse request body into json: ", 40) == 0);
    inv_fixture_free(&f);

    lambda_fixture(&f, "record"); /* no body, no template: event {} */
    f.integ.responses = responses;
    f.integ.nresponses = 1;
    assert_int_equal(gh_integration_run(&f.inv), 0);
    /* Lua tables have no key order: compare as JSON. */
    json_t *got = json_loads(f.resp.body, 0, NULL);
    json_t *want = json_loads("{\"name\":\"rex\",\"fn\":\"record\"}", 0, NULL);
    assert_non_null(got);
    assert_true(json_equal(got, want));
    json_decref(got);
    json_decref(want);
    inv_fixture_free(&f);
}

/* The function's own timeout: Lambda's error (Sandbox.Timedout) through the responses;
 * a shorter integration timeout: API Gateway's 504. */
static void timeouts(void **state)
{
    (void)state;
    inv_fixture f;
    lambda_fixture(&f, "spin");
    gh_template t[] = {tpl("application/json", "$input.body")};
    gh_integ_response responses[] = {{.pattern = NULL, .status = 200},
                                     {.pattern = ".*Task timed out after.*", .status = 504,
                                      .templates = t, .ntemplates = 1}};
    f.integ.responses = responses;
    f.integ.nresponses = 2;
    assert_int_equal(gh_integration_run(&f.inv), 0);
    assert_int_equal(f.resp.status, 504);
    json_t *err = json_loads(f.resp.body, 0, NULL);
    assert_non_null(err);
    assert_string_equal(json_string_value(json_object_get(err, "errorType")), "Sandbox.Timedout");
    const char *msg = json_string_value(json_object_get(err, "errorMessage"));
    assert_non_null(msg);
    assert_int_equal(strncmp(msg, "RequestId: ", 11), 0);
    assert_non_null(strstr(msg, " Error: Task timed out after "));
    assert_null(json_object_get(err, "stackTrace"));
    json_decref(err);
    inv_fixture_free(&f);

    lambda_fixture(&f, "spin");
    f.integ.timeout_ms = 50; /* under the function's 60 ms */
    f.integ.responses = responses;
    f.integ.nresponses = 2;
    assert_int_equal(gh_integration_run(&f.inv), -1);
    assert_int_equal(f.inv.fail_type, GH_GW_INTEGRATION_TIMEOUT);
    assert_int_equal(f.inv.fail_status, 504);
    inv_fixture_free(&f);
}

/* X-Amz-Invocation-Type mapped by requestParameters (set-up-lambda-integration-async):
 * 'Event' runs the function but answers the default response with no result (an error
 * too), 'DryRun' does not run it; without the header the call is synchronous. */
static void invocation_type_event_and_dry_run(void **state)
{
    (void)state;
    static const struct {
        const char *fn, *type, *body;
    } cases[] = {
        {"calls", "'Event'", ""},    /* runs: 1 */
        {"calls", "'DryRun'", ""},   /* does not run */
        {"err0", "'Event'", ""},     /* the error is logged, not answered */
        {"calls", NULL, "2"},        /* synchronous: sees the Event call */
        {"calls", "'RequestResponse'", "3"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        inv_fixture f;
        lambda_fixture(&f, cases[i].fn);
        gh_kv params[] = {{"integration.request.header.X-Amz-Invocation-Type", cases[i].type, {0}}};
        if (cases[i].type)
            f.integ.request_parameters = (gh_kvs){params, 1};
        gh_integ_response responses[] = {{.pattern = NULL, .status = 200}};
        f.integ.responses = responses;
        f.integ.nresponses = 1;
        if (gh_integration_run(&f.inv) != 0)
            fail_msg("case %zu: %s", i, f.inv.log_detail);
        assert_int_equal(f.resp.status, 200);
        if (strcmp(f.resp.body, cases[i].body) != 0)
            fail_msg("case %zu: body [%s] want [%s]", i, f.resp.body, cases[i].body);
        assert_null(gh_headers_get(&f.resp.headers, "X-Amz-Function-Error"));
        inv_fixture_free(&f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(results_and_errors_pass_through_the_default),
        cmocka_unit_test(template_output_is_the_event),
        cmocka_unit_test(selection_pattern_maps_errors),
        cmocka_unit_test(success_is_matched_as_the_empty_message),
        cmocka_unit_test(event_must_be_json),
        cmocka_unit_test(timeouts),
        cmocka_unit_test(invocation_type_event_and_dry_run),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

/* integration/mock + integ_response: AWS's MOCK (status from the request template,
 * integration response by selection pattern, static parameters and templates), the
 * CORS OPTIONS mock real exports carry, passthrough rules and Java-style patterns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "integration/integ_response.h"
#include "integration/runners.h"
#include "template/vtl.h"
#include "inv_fixture.h"
#include "util/buf.h"

/* Templates compiled as loading compiles them (the mapping engine renders the compiled
 * form); they live for the whole run. */
static gh_arena *tpl_arena;

static gh_template tpl(const char *media, const char *text)
{
    gh_vtl_error err;
    return (gh_template){.media_type = media, .text = text, .len = strlen(text),
                         .compiled = gh_vtl_compile(tpl_arena, text, strlen(text), &err)};
}

static void cors_options_mock_from_a_real_export(void **state)
{
    (void)state;
    /* localstack__swagger-mock-cors.json, /product/{product_id} OPTIONS */
    inv_fixture f;
    inv_fixture_init(&f);
    f.req.method = "OPTIONS";
    gh_template req_t[] = {tpl("application/json", "{\n  \"statusCode\" : 200\n}\n")};
    gh_template resp_t[] = {tpl("application/json", "{}\n")};
    gh_kv params[] = {
        {.key = "method.response.header.Access-Control-Allow-Origin", .value = "'http://localhost:8080'"},
        {.key = "method.response.header.Access-Control-Allow-Methods", .value = "'OPTIONS,POST,GET'"},
        {.key = "method.response.header.Access-Control-Allow-Headers", .value = "'Content-Type'"},
    };
    gh_integ_response responses[] = {
        {.pattern = NULL, .status = 200, .parameters = {params, 3}, .templates = resp_t, .ntemplates = 1},
    };
    f.integ.request_templates = req_t;
    f.integ.nrequest_templates = 1;
    f.integ.responses = responses;
    f.integ.nresponses = 1;
    assert_int_equal(gh_mock_run(&f.inv), 0);
    assert_int_equal(f.resp.status, 200);
    assert_string_equal(gh_headers_get(&f.resp.headers, "Access-Control-Allow-Origin"),
                        "http://localhost:8080");
    assert_string_equal(gh_headers_get(&f.resp.headers, "Access-Control-Allow-Methods"),
                        "OPTIONS,POST,GET");
    assert_string_equal(gh_headers_get(&f.resp.headers, "Access-Control-Allow-Headers"),
                        "Content-Type");
    assert_string_equal(gh_headers_get(&f.resp.headers, "Content-Type"), "application/json");
    assert_int_equal(f.resp.headers.n, 4);
    assert_int_equal(f.resp.body_len, 3);
    assert_string_equal(f.resp.body, "{}\n");
    inv_fixture_free(&f);
}

/* Request template picks the status from ?code=; responses: default 200, 4\d{2} -> 400,
 * 500 -> 503 (the method response status need not equal the pattern). */
static void status_selects_the_integration_response(void **state)
{
    (void)state;
    static const struct {
        const char *query, *content_type;
        int rc, status;
        const char *body;
        gh_gw_type fail;
    } cases[] = {
        {"code=200", NULL, 0, 200, "ok prod", 0},
        {"code=201", NULL, 0, 200, "ok prod", 0},
        {"code=404", NULL, 0, 400, "{\"error\":\"Xc9LmF2bDoEFq8w=\"}", 0},
        {"code=500", NULL, 0, 503, "", 0},
        {"code=5000", NULL, 0, 200, "ok prod", 0},
        {"code=%22200%22", NULL, -1, 0, NULL, GH_GW_API_CONFIGURATION_ERROR},
        {"code=", NULL, -1, 0, NULL, GH_GW_API_CONFIGURATION_ERROR},
        {"code=200", "application/json; charset=UTF-8", 0, 200, "ok prod", 0},
        {"code=404", "APPLICATION/JSON", 0, 400, "{\"error\":\"Xc9LmF2bDoEFq8w=\"}", 0},
        {"code=-404", NULL, 0, 200, "ok prod", 0},              /* "-404": only the default */
        {"code=9223372036854775807", NULL, 0, 200, "ok prod", 0},
        {"code=9223372036854775808", NULL, -1, 0, NULL, GH_GW_API_CONFIGURATION_ERROR},
        {"code=404.0", NULL, -1, 0, NULL, GH_GW_API_CONFIGURATION_ERROR}, /* not an integer */
        {"code=404,%22statusCode%22:500", NULL, 0, 503, "", 0},  /* a repeated key: the last */
        /* a \u0000 escape: jansson without JSON_ALLOW_NUL refuses the document */
        {"code=404,%22x%22:%22%5Cu0000%22", NULL, -1, 0, NULL, GH_GW_API_CONFIGURATION_ERROR},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        inv_fixture f;
        inv_fixture_init(&f);
        f.req.query = cases[i].query;
        if (cases[i].content_type)
            gh_headers_add(f.arena, &f.req.headers, "Content-Type", cases[i].content_type);
        gh_template req_t[] = {tpl("application/json", "{\"statusCode\": $input.params('code')}")};
        gh_template ok_t[] = {tpl("application/json", "ok $context.stage")};
        gh_template err_t[] = {tpl("application/json", "{\"error\":\"$context.extendedRequestId\"}")};
        gh_integ_response responses[] = {
            {.pattern = NULL, .status = 200, .templates = ok_t, .ntemplates = 1},
            {.pattern = "4\\d{2}", .status = 400, .templates = err_t, .ntemplates = 1},
            {.pattern = "500", .status = 503},
        };
        f.integ.request_templates = req_t;
        f.integ.nrequest_templates = 1;
        f.integ.responses = responses;
        f.integ.nresponses = 3;
        int rc = gh_mock_run(&f.inv);
        if (rc != cases[i].rc)
            fail_msg("case %zu (%s): rc %d: %s", i, cases[i].query, rc,
                     f.inv.log_detail ? f.inv.log_detail : "");
        if (rc == 0) {
            assert_int_equal(f.resp.status, cases[i].status);
            assert_string_equal(f.resp.body, cases[i].body);
        } else {
            assert_int_equal(f.inv.fail_type, cases[i].fail);
            assert_string_equal(f.inv.fail_message, "Internal server error");
        }
        inv_fixture_free(&f);
    }
}

static void passthrough_rules(void **state)
{
    (void)state;
    static const struct {
        gh_passthrough pt;
        int with_xml_template; /* templates exist, but not for application/json */
        const char *body;      /* request body */
        int rc, status;
        gh_gw_type fail;
    } cases[] = {
        {GH_PASSTHROUGH_WHEN_NO_MATCH, 0, NULL, 0, 200, 0},
        {GH_PASSTHROUGH_WHEN_NO_TEMPLATES, 0, NULL, 0, 200, 0},
        {GH_PASSTHROUGH_NEVER, 0, NULL, -1, 0, GH_GW_UNSUPPORTED_MEDIA_TYPE},
        {GH_PASSTHROUGH_WHEN_NO_MATCH, 1, NULL, 0, 200, 0},
        {GH_PASSTHROUGH_WHEN_NO_TEMPLATES, 1, NULL, -1, 0, GH_GW_UNSUPPORTED_MEDIA_TYPE},
        {GH_PASSTHROUGH_NEVER, 1, NULL, -1, 0, GH_GW_UNSUPPORTED_MEDIA_TYPE},
        /* a passed-through JSON body may still choose the status */
        {GH_PASSTHROUGH_WHEN_NO_MATCH, 0, "{\"statusCode\": 404}", 0, 404, 0},
        {GH_PASSTHROUGH_WHEN_NO_MATCH, 0, "not json", 0, 200, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        inv_fixture f;
        inv_fixture_init(&f);
        gh_template xml[] = {tpl("application/xml", "{\"statusCode\": 500}")};
        gh_integ_response responses[] = {
            {.pattern = NULL, .status = 200},
            {.pattern = "404", .status = 404},
        };
        f.integ.passthrough = cases[i].pt;
        if (cases[i].with_xml_template) {
            f.integ.request_templates = xml;
            f.integ.nrequest_templates = 1;
        }
        if (cases[i].body) {
            f.req.body = cases[i].body;
            f.req.body_len = strlen(cases[i].body);
        }
        f.integ.responses = responses;
        f.integ.nresponses = 2;
        int rc = gh_mock_run(&f.inv);
        if (rc != cases[i].rc)
            fail_msg("case %zu: rc %d", i, rc);
        if (rc == 0) {
            assert_int_equal(f.resp.status, cases[i].status);
            assert_int_equal(f.resp.body_len, 0); /* no response template: empty body */
            assert_string_equal(gh_headers_get(&f.resp.headers, "Content-Type"), "application/json");
        } else {
            assert_int_equal(f.inv.fail_type, cases[i].fail);
        }
        inv_fixture_free(&f);
    }
}

static void no_default_and_no_match_is_a_configuration_error(void **state)
{
    (void)state;
    inv_fixture f;
    inv_fixture_init(&f);
    gh_template req_t[] = {tpl("application/json", "{\"statusCode\": 201}")};
    gh_integ_response responses[] = {{.pattern = "200", .status = 200}};
    f.integ.request_templates = req_t;
    f.integ.nrequest_templates = 1;
    f.integ.responses = responses;
    f.integ.nresponses = 1;
    assert_int_equal(gh_mock_run(&f.inv), -1);
    assert_int_equal(f.inv.fail_type, GH_GW_API_CONFIGURATION_ERROR);
    assert_int_equal(f.inv.fail_status, 0); /* the type's own 500 */
    inv_fixture_free(&f);
}

static void response_template_follows_accept(void **state)
{
    (void)state;
    static const struct {
        const char *accept, *content_type, *body;
    } cases[] = {
        {"text/html, application/json;q=0.9", "text/html", "<p>prod</p>"},
        {"application/json", "application/json", "{\"stage\":\"prod\"}"},
        {"image/png", "application/json", "{\"stage\":\"prod\"}"}, /* else the first */
        {NULL, "application/json", "{\"stage\":\"prod\"}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        inv_fixture f;
        inv_fixture_init(&f);
        gh_headers_remove(&f.req.headers, "Accept");
        if (cases[i].accept)
            gh_headers_add(f.arena, &f.req.headers, "Accept", cases[i].accept);
        gh_template t[] = {tpl("application/json", "{\"stage\":\"$context.stage\"}"),
                           tpl("text/html", "<p>$stageVariables.missing$context.stage</p>")};
        gh_kv params[] = {
            {.key = "method.response.header.X-Backend", .value = "stageVariables.backend"},
            {.key = "method.response.header.X-Tenant", .value = "method.request.header.x-tenant"},
            {.key = "method.response.header.X-Req", .value = "context.requestId"},
            {.key = "method.response.header.X-None", .value = "method.request.querystring.none"},
            {.key = "method.response.header.X-Int", .value = "integration.response.header.X"},
        };
        gh_integ_response r = {.status = 202, .parameters = {params, 5}, .templates = t, .ntemplates = 2};
        assert_int_equal(gh_integ_response_apply(&f.inv, &r, "", 0, NULL), 0);
        assert_int_equal(f.resp.status, 202);
        assert_string_equal(f.resp.body, cases[i].body);
        assert_string_equal(gh_headers_get(&f.resp.headers, "Content-Type"), cases[i].content_type);
        assert_string_equal(gh_headers_get(&f.resp.headers, "X-Backend"), "orders-v2");
        assert_string_equal(gh_headers_get(&f.resp.headers, "X-Tenant"), "blue");
        assert_string_equal(gh_headers_get(&f.resp.headers, "X-Req"), f.req.request_id);
        assert_null(gh_headers_get(&f.resp.headers, "X-None"));
        assert_null(gh_headers_get(&f.resp.headers, "X-Int"));
        inv_fixture_free(&f);
    }
}

static void selection_patterns_match_whole_strings(void **state)
{
    (void)state;
    static const struct {
        const char *pattern, *text;
        int match;
    } cases[] = {
        {"4\\d{2}", "404", 1},          {"4\\d{2}", "4044", 0},
        {"200", "2000", 0},             {"200", "200", 1},
        {"Invalid*", "Invalid input", 0}, /* whole-string, Java semantics (§5.6) */
        {"Invalid.*", "Invalid input", 1},
        {".*", "", 1},                  {"(\\n|.)+", "line1\nline2", 1},
        {"2\\d\\d|3\\d\\d", "302", 1},   {"5\\d{2}", "200", 0},
        {"[", "[", 0},                  /* does not compile: matches nothing */
        {".*Not Found.*", "Error: Not Found here", 1},
        {"\\w+\\s\\w+", "two words", 1},
        /* Java, not POSIX: '.' stops at a line break (§5.6), flags and lookaround work */
        {"Invalid.*", "Invalid\ninput", 0},
        {"(?s)Invalid.*", "Invalid\ninput", 1},
        {"(?i)not found.*", "NOT FOUND: pet 7", 1},
        {"(?!OK).*", "Failed", 1},
        {"\\p{Upper}\\p{Lower}+: .*", "NotFound: pet 7", 0},
        {"\\p{Upper}\\p{Alpha}+: .*", "NotFound: pet 7", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        if (gh_selection_pattern_matches(cases[i].pattern, cases[i].text) != cases[i].match)
            fail_msg("pattern '%s' vs '%s': expected %d", cases[i].pattern, cases[i].text,
                     cases[i].match);
    gh_integ_response rs[] = {{.pattern = "", .status = 200}, {.pattern = "4\\d{2}", .status = 400}};
    gh_integration in = {.responses = rs, .nresponses = 2};
    assert_ptr_equal(gh_integ_response_select(&in, "404"), &rs[1]);
    assert_ptr_equal(gh_integ_response_select(&in, "302"), &rs[0]);
    assert_ptr_equal(gh_integ_response_select(&in, NULL), &rs[0]);
}

/* The e2e case: a mock choosing 200 or 404 from $input.params('id'). */
static void mock_chooses_status_from_a_parameter(void **state)
{
    (void)state;
    static const struct {
        const char *id;
        int status;
        const char *body;
    } cases[] = {
        {"42", 200, "{\"id\": \"42\", \"name\": \"rex\"}"},
        {"7", 404, "{\"message\": \"no pet 7\"}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        inv_fixture f;
        inv_fixture_init(&f);
        f.path_params[0].value = cases[i].id;
        /* Written so simple substitution and VTL agree: 200 for id 42, else 404. */
        gh_template req_t[] = {tpl("application/json", "{\"statusCode\": $input.params('id')}")};
        gh_template ok_t[] = {tpl("application/json", "{\"id\": \"$input.params('id')\", \"name\": \"rex\"}")};
        gh_template nf_t[] = {tpl("application/json", "{\"message\": \"no pet $input.params('id')\"}")};
        gh_integ_response responses[] = {
            {.pattern = "42", .status = 200, .templates = ok_t, .ntemplates = 1},
            {.pattern = NULL, .status = 404, .templates = nf_t, .ntemplates = 1},
        };
        f.integ.request_templates = req_t;
        f.integ.nrequest_templates = 1;
        f.integ.responses = responses;
        f.integ.nresponses = 2;
        assert_int_equal(gh_mock_run(&f.inv), 0);
        assert_int_equal(f.resp.status, cases[i].status);
        assert_string_equal(f.resp.body, cases[i].body);
        inv_fixture_free(&f);
    }
}

/* Integration response sources (reference §5.7) and body passthrough without a template. */
static void response_parameters_read_the_integration_response(void **state)
{
    (void)state;
    static const struct {
        const char *source, *want;
    } cases[] = {
        {"integration.response.header.X-Amz-Executed-Version", "$LATEST"},
        {"integration.response.multivalueheader.X-Multi", "a,b"},
        {"integration.response.header.x-nope", NULL},
        {"integration.response.body", "{\"pet\":{\"name\":\"rex\",\"tags\":[1,2]}}"},
        {"integration.response.body.pet.name", "rex"},
        {"integration.response.body.pet.tags", "[1,2]"},
        {"integration.response.body.nope", NULL},
        {"context.stage", "prod"},
        {"'lit'", "lit"},
    };
    size_t n = sizeof cases / sizeof *cases;
    inv_fixture f;
    inv_fixture_init(&f);
    gh_kv params[sizeof cases / sizeof *cases];
    for (size_t i = 0; i < n; i++)
        params[i] = (gh_kv){.key = gh_arena_printf(f.arena, "method.response.header.H%zu", i),
                            .value = cases[i].source};
    gh_headers ih = {0};
    gh_headers_add(f.arena, &ih, "X-Amz-Executed-Version", "$LATEST");
    gh_headers_add(f.arena, &ih, "X-Multi", "a");
    gh_headers_add(f.arena, &ih, "X-Multi", "b");
    const char *body = "{\"pet\":{\"name\":\"rex\",\"tags\":[1,2]}}";
    gh_integ_response r = {.status = 200, .parameters = {params, n}};
    assert_int_equal(gh_integ_response_apply(&f.inv, &r, body, strlen(body), &ih), 0);
    for (size_t i = 0; i < n; i++) {
        const char *got = gh_headers_get(&f.resp.headers, params[i].key + strlen("method.response.header."));
        if (!cases[i].want && got)
            fail_msg("%s: expected nothing, got '%s'", cases[i].source, got);
        if (cases[i].want && (!got || strcmp(got, cases[i].want) != 0))
            fail_msg("%s: expected '%s', got '%s'", cases[i].source, cases[i].want, got ? got : "(none)");
    }
    /* no template: the body passes through, as application/json */
    assert_string_equal(f.resp.body, body);
    assert_string_equal(gh_headers_get(&f.resp.headers, "Content-Type"), "application/json");
    inv_fixture_free(&f);
}

/* Response contentHandling: CONVERT_TO_BINARY decodes, and a body that is not base64 is
 * AWS's 500 (reference §5.5). */
static void response_content_handling(void **state)
{
    (void)state;
    static const struct {
        const char *handling, *body;
        int rc;
        const char *want;
    } cases[] = {
        {"CONVERT_TO_BINARY", "aGk=", 0, "hi"},
        {"CONVERT_TO_BINARY", "**", -1, NULL},
        {"CONVERT_TO_TEXT", "hi", 0, "hi"}, /* a JSON integration response is text already */
        {NULL, "aGk=", 0, "aGk="},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        inv_fixture f;
        inv_fixture_init(&f);
        gh_headers ih = {0};
        gh_headers_add(f.arena, &ih, "Content-Type", "application/json");
        gh_integ_response r = {.status = 200, .content_handling = cases[i].handling};
        int rc = gh_integ_response_apply(&f.inv, &r, cases[i].body, strlen(cases[i].body), &ih);
        assert_int_equal(rc, cases[i].rc);
        if (rc == 0) {
            assert_int_equal(f.resp.body_len, strlen(cases[i].want));
            assert_memory_equal(f.resp.body, cases[i].want, f.resp.body_len);
        } else {
            assert_int_equal(f.inv.fail_type, GH_GW_API_CONFIGURATION_ERROR);
        }
        inv_fixture_free(&f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cors_options_mock_from_a_real_export),
        cmocka_unit_test(status_selects_the_integration_response),
        cmocka_unit_test(passthrough_rules),
        cmocka_unit_test(no_default_and_no_match_is_a_configuration_error),
        cmocka_unit_test(response_template_follows_accept),
        cmocka_unit_test(selection_patterns_match_whole_strings),
        cmocka_unit_test(mock_chooses_status_from_a_parameter),
        cmocka_unit_test(response_parameters_read_the_integration_response),
        cmocka_unit_test(response_content_handling),
    };
    tpl_arena = gh_arena_new(4096);
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    gh_arena_free(tpl_arena);
    return failed;
}
